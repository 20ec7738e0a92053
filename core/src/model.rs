//! The API's shared vocabulary, used by the projects resource and by webhook events alike.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A project's status. The set is open: a value this version does not know is kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProjectStatus {
    /// `not_assigned`.
    NotAssigned,
    /// `assigned`.
    Assigned,
    /// `waiting_for_visuals`.
    WaitingForVisuals,
    /// `pending_validation`.
    PendingValidation,
    /// `completed`.
    Completed,
    /// `canceled`.
    Canceled,
    /// `archived`.
    Archived,
    /// A status this SDK version does not know, exactly as the server sent it.
    Unknown(String),
}

impl ProjectStatus {
    /// The statuses documented by OCUS.
    pub const KNOWN: [ProjectStatus; 7] = [
        ProjectStatus::NotAssigned,
        ProjectStatus::Assigned,
        ProjectStatus::WaitingForVisuals,
        ProjectStatus::PendingValidation,
        ProjectStatus::Completed,
        ProjectStatus::Canceled,
        ProjectStatus::Archived,
    ];

    /// The wire value (`"not_assigned"`...).
    pub fn as_str(&self) -> &str {
        match self {
            ProjectStatus::NotAssigned => "not_assigned",
            ProjectStatus::Assigned => "assigned",
            ProjectStatus::WaitingForVisuals => "waiting_for_visuals",
            ProjectStatus::PendingValidation => "pending_validation",
            ProjectStatus::Completed => "completed",
            ProjectStatus::Canceled => "canceled",
            ProjectStatus::Archived => "archived",
            ProjectStatus::Unknown(other) => other,
        }
    }

    /// True for the documented values.
    pub fn is_known(&self) -> bool {
        !matches!(self, ProjectStatus::Unknown(_))
    }
}

impl From<&str> for ProjectStatus {
    fn from(value: &str) -> Self {
        ProjectStatus::KNOWN
            .into_iter()
            .find(|s| s.as_str() == value)
            .unwrap_or_else(|| ProjectStatus::Unknown(value.to_owned()))
    }
}

impl fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProjectStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProjectStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(ProjectStatus::from(text.as_str()))
    }
}

//! Webhook signatures: `ocus-signature` is the lowercase hex HMAC-SHA256 of the raw body.
//!
//! Verify over the exact bytes received, before parsing: re-serialised JSON would not match.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::error::{Error, ErrorKind, Result};
use crate::projects::ProjectStatus;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "ocus-signature";

type HmacSha256 = Hmac<Sha256>;

/// Which event a webhook announces. Unknown ids are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventName {
    ProjectUpdated,
    ProjectStatusUpdated,
    Unknown(String),
}

impl EventName {
    pub fn as_str(&self) -> &str {
        match self {
            EventName::ProjectUpdated => "project.updated",
            EventName::ProjectStatusUpdated => "project.status.updated",
            EventName::Unknown(other) => other,
        }
    }
}

impl From<&str> for EventName {
    fn from(value: &str) -> Self {
        match value {
            "project.updated" => EventName::ProjectUpdated,
            "project.status.updated" => EventName::ProjectStatusUpdated,
            other => EventName::Unknown(other.to_owned()),
        }
    }
}

/// A verified webhook event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The event id, e.g. `project.updated`.
    pub id: String,
    /// The resource type (`"event"`).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Every attribute sent, known or not.
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

impl WebhookEvent {
    /// The event id as a typed name.
    pub fn name(&self) -> EventName {
        EventName::from(self.id.as_str())
    }

    pub fn organization_id(&self) -> Option<&str> {
        self.attributes
            .get("organization_id")
            .and_then(Value::as_str)
    }

    pub fn project_id(&self) -> Option<&str> {
        self.attributes.get("project_id").and_then(Value::as_str)
    }

    /// The new status (`project.status.updated` only).
    pub fn status(&self) -> Option<ProjectStatus> {
        self.attributes
            .get("status")
            .and_then(Value::as_str)
            .map(ProjectStatus::from)
    }

    /// The event as JSON, as sent.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The event as every binding shows it.
    pub fn view(&self) -> EventView<'_> {
        EventView {
            id: &self.id,
            resource_type: &self.resource_type,
            organization_id: self.organization_id(),
            project_id: self.project_id(),
            status: self.attributes.get("status").and_then(Value::as_str),
            attributes: &self.attributes,
        }
    }
}

/// What every binding shows of a verified event.
#[derive(Debug, Serialize)]
pub struct EventView<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub resource_type: &'a str,
    pub organization_id: Option<&'a str>,
    pub project_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub attributes: &'a Map<String, Value>,
}

/// The signature of `body` with `secret`, as OCUS sends it (for tests and emulators).
pub fn sign(body: &[u8], secret: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `signature` (the `ocus-signature` header, empty if absent) against `raw_body` in
/// constant time, then parses the event.
///
/// Errors: kind `invalid_signature` with code `missing_signature`, `malformed_signature` or
/// `signature_mismatch`; `configuration` for an empty secret; `decode` for a correctly signed
/// body that is not an event.
pub fn verify(raw_body: &[u8], signature: &str, secret: &[u8]) -> Result<WebhookEvent> {
    if secret.is_empty() {
        return Err(Error::configuration("the webhook secret is empty"));
    }
    let signature = signature.trim();
    if signature.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidSignature,
            format!("the {SIGNATURE_HEADER} header is missing"),
        )
        .with_code("missing_signature"));
    }
    let expected = match hex::decode(signature) {
        Ok(bytes) if bytes.len() == 32 => bytes,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidSignature,
                format!("the {SIGNATURE_HEADER} header is not 64 hexadecimal characters"),
            )
            .with_code("malformed_signature"));
        }
    };
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(raw_body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected).map_err(|_| {
        Error::new(
            ErrorKind::InvalidSignature,
            "the signature does not match the body (wrong secret, or the body was altered)",
        )
        .with_code("signature_mismatch")
    })?;
    serde_json::from_slice::<WebhookEvent>(raw_body).map_err(|e| {
        Error::decode(format!("the signed body is not a webhook event ({e})")).with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"type":"event","id":"project.status.updated","attributes":{"organization_id":"o1","project_id":"p1","status":"completed"}}"#;

    #[test]
    fn good_signatures_verify_and_give_typed_events() {
        let signature = sign(BODY, b"whsec");
        let event = verify(BODY, &signature, b"whsec").unwrap();
        assert_eq!(event.name(), EventName::ProjectStatusUpdated);
        assert_eq!(event.project_id(), Some("p1"));
        assert_eq!(event.organization_id(), Some("o1"));
        assert_eq!(event.status(), Some(ProjectStatus::Completed));
        // Hex case does not matter.
        verify(BODY, &signature.to_uppercase(), b"whsec").unwrap();
    }

    #[test]
    fn bad_signatures_have_distinct_codes() {
        let signature = sign(BODY, b"whsec");
        let code = |body: &[u8], sig: &str, secret: &[u8]| {
            let err = verify(body, sig, secret).unwrap_err();
            (err.kind(), err.code().map(str::to_owned))
        };
        let invalid = ErrorKind::InvalidSignature;
        assert_eq!(
            code(BODY, "", b"whsec"),
            (invalid, Some("missing_signature".into()))
        );
        assert_eq!(
            code(BODY, "zz", b"whsec"),
            (invalid, Some("malformed_signature".into()))
        );
        assert_eq!(
            code(BODY, &signature[..62], b"whsec"),
            (invalid, Some("malformed_signature".into()))
        );
        assert_eq!(
            code(BODY, &signature, b"other"),
            (invalid, Some("signature_mismatch".into()))
        );
        let mut tampered = BODY.to_vec();
        tampered[40] ^= 1;
        assert_eq!(
            code(&tampered, &signature, b"whsec"),
            (invalid, Some("signature_mismatch".into()))
        );
        assert_eq!(code(BODY, &signature, b"").0, ErrorKind::Configuration);
        let not_event = b"[1]";
        assert_eq!(
            code(not_event, &sign(not_event, b"s"), b"s").0,
            ErrorKind::Decode
        );
    }
}

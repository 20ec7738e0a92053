//! Deterministic fixture projects: the same ids and attributes on every run.

use serde_json::{Value, json};

pub const DEFAULT_PROJECT_COUNT: usize = 135;
pub const ORGANIZATION_ID: &str = "5f0c8a4e-2b1d-4c3a-9e7f-0a1b2c3d4e5f";

/// The documented statuses; the last fixture project carries an undocumented one, so clients
/// prove they keep unknown values.
pub const STATUSES: [&str; 7] = [
    "not_assigned",
    "assigned",
    "waiting_for_visuals",
    "pending_validation",
    "completed",
    "canceled",
    "archived",
];
pub const UNKNOWN_STATUS: &str = "on_hold";

const CITIES: [&str; 8] = [
    "Paris", "Lyon", "Berlin", "Madrid", "London", "Milan", "Lisbon", "Brussels",
];
const KINDS: [&str; 4] = ["real_estate", "food", "portrait", "event"];

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A stable UUIDv4-shaped id for fixture `index`.
pub fn project_id(index: usize) -> String {
    let hi = splitmix64(index as u64 * 2 + 1);
    let lo = splitmix64(index as u64 * 2 + 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0x0fff,
        0x8000 | (lo >> 48) & 0x3fff,
        lo & 0xffff_ffff_ffff
    )
}

pub fn projects(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let status = if i + 1 == count && count > STATUSES.len() {
                UNKNOWN_STATUS
            } else {
                STATUSES[i % STATUSES.len()]
            };
            let city = CITIES[i % CITIES.len()];
            let day = 1 + (i % 28);
            let month = 1 + (i / 28) % 12;
            json!({
                "type": "project",
                "id": project_id(i),
                "attributes": {
                    "name": format!("Shoot #{:03} in {city}", i + 1),
                    "status": status,
                    "reference": format!("PRJ-{:05}", 10_000 + i),
                    "organization_id": ORGANIZATION_ID,
                    "mission_type": KINDS[i % KINDS.len()],
                    "address": { "city": city, "country_code": "FR" },
                    "created_at": format!("2026-{month:02}-{day:02}T09:00:00Z"),
                    "updated_at": format!("2026-{month:02}-{day:02}T17:30:00Z"),
                    "deliverables": { "photos": 10 + (i % 5) * 5, "videos": i % 2 },
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_unique_uuids() {
        let ids: std::collections::HashSet<String> = (0..1000).map(project_id).collect();
        assert_eq!(ids.len(), 1000);
        let id = project_id(0);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(project_id(0), project_id(0));
    }

    #[test]
    fn every_status_appears() {
        let all = projects(DEFAULT_PROJECT_COUNT);
        for status in STATUSES.iter().chain([&UNKNOWN_STATUS]) {
            assert!(
                all.iter().any(|p| p["attributes"]["status"] == *status),
                "{status}"
            );
        }
    }
}

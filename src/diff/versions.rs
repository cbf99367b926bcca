//! Which servers two schemas were read from, when that changes how their definitions read:
//! CockroachDB prints its definitions in its own dialect, and the dialect changes between
//! major versions. The known changes are listed so that a `server.version` finding can say
//! which of the other findings may be only that.

use super::Detail;
use crate::model::Schema;

/// A change in how CockroachDB prints definitions: from `since` (major, minor) on.
struct FormatChange {
    since: (u32, u32),
    what: &'static str,
}

/// From CockroachDB's public release notes and documentation; the list is what is known, not
/// everything that changed.
const FORMAT_CHANGES: &[FormatChange] = &[
    FormatChange {
        since: (22, 1),
        what: "primary keys are named <table>_pkey instead of \"primary\"",
    },
    FormatChange {
        since: (24, 2),
        what: "enum type names are printed schema.type instead of database.schema.type",
    },
    FormatChange {
        since: (24, 3),
        what: "composite type names are printed schema.type instead of database.schema.type",
    },
    FormatChange {
        since: (25, 3),
        what: "SHOW CREATE ALL ROUTINES exists (functions are read only from then on)",
    },
    FormatChange {
        since: (26, 1),
        what: "new tables get schema_locked = true by default",
    },
];

/// The `server.version` change between two schemas, if their servers print differently: one
/// is CockroachDB and the other not, or both are CockroachDB of other major versions.
pub(super) fn server_versions<'a>(expected: &'a Schema, actual: &'a Schema) -> Option<Detail<'a>> {
    let (e, a) = (
        expected.cockroachdb.as_deref(),
        actual.cockroachdb.as_deref(),
    );
    let differs = match (e, a) {
        (None, None) => false,
        (Some(e), Some(a)) => major(e) != major(a),
        _ => true,
    };
    differs.then_some(Detail::ServerVersion {
        expected: e,
        actual: a,
    })
}

/// `v23.1.11` → (23, 1); `None` when the text is not a version.
pub fn major(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split(['.', '-']);
    let year = parts.next()?.parse().ok()?;
    let release = parts.next()?.parse().ok()?;
    Some((year, release))
}

/// The server as findings name it.
pub(super) fn server_name(version: Option<&str>) -> String {
    match version {
        Some(v) => format!("CockroachDB {v}"),
        None => "PostgreSQL".to_string(),
    }
}

/// The finding's sentence: which servers, and the known changes between them.
pub(super) fn message(expected: Option<&str>, actual: Option<&str>) -> String {
    let (e, a) = (server_name(expected), server_name(actual));
    let mut message = format!(
        "expected was read from {e} and actual from {a}, which print definitions differently"
    );
    match (expected.and_then(major), actual.and_then(major)) {
        (Some(x), Some(y)) => {
            let (low, high) = (x.min(y), x.max(y));
            let known: Vec<String> = FORMAT_CHANGES
                .iter()
                .filter(|c| c.since > low && c.since <= high)
                .map(|c| format!("v{}.{}: {}", c.since.0, c.since.1, c.what))
                .collect();
            if known.is_empty() {
                message.push_str("; no change between them is known to pgdrift");
            } else {
                message.push_str("; known changes: ");
                message.push_str(&known.join("; "));
            }
        }
        _ if expected.is_some() != actual.is_some() => {
            message.push_str("; a CockroachDB schema compares only with another CockroachDB schema")
        }
        _ => {}
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_to_their_major() {
        assert_eq!(major("v23.1.11"), Some((23, 1)));
        assert_eq!(major("v24.3.0-beta.2"), Some((24, 3)));
        assert_eq!(major("nonsense"), None);
    }

    #[test]
    fn the_message_names_the_changes_between_two_majors() {
        let m = message(Some("v24.1.3"), Some("v24.3.0"));
        assert!(m.contains("v24.2: enum type names"), "{m}");
        assert!(m.contains("v24.3: composite type names"), "{m}");
        assert!(!m.contains("v22.1"), "{m}");
        assert!(!m.contains("v26.1"), "{m}");
        let m = message(Some("v25.4.1"), Some("v25.4.9"));
        assert!(m.contains("no change"), "{m}");
        let m = message(None, Some("v25.4.1"));
        assert!(m.contains("only with another CockroachDB"), "{m}");
    }

    #[test]
    fn same_major_is_no_change_and_other_majors_are() {
        let crdb = |v: &str| Schema {
            cockroachdb: Some(v.to_string()),
            ..Schema::default()
        };
        let pg = Schema::default();
        assert!(server_versions(&crdb("v24.1.1"), &crdb("v24.1.9")).is_none());
        assert!(server_versions(&pg, &pg).is_none());
        assert!(server_versions(&crdb("v24.1.1"), &crdb("v24.3.0")).is_some());
        assert!(server_versions(&pg, &crdb("v24.3.0")).is_some());
    }
}

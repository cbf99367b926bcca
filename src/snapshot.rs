//! Snapshots: a canonical, diff-friendly JSON image of a schema, usable as a target, and a
//! history of them in a folder.
//!
//! The file is the model under a small header. Maps are sorted and the formatting is fixed, so
//! the same schema always gives the same bytes, and a `git diff` of two snapshots reads like a
//! schema change. Only the capture time differs between two captures of one database; it sits on
//! a line of its own and `--no-timestamp` leaves it out.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Schema;

/// The snapshot format this build writes. Bump it when a field changes meaning or goes away;
/// `load` then upgrades older files or says clearly why it cannot.
///
/// 2: the schema carries its dependency edges (`dependencies`). A format 1 file has none, and
/// no edge can be made up from the file alone (a plan would order statements wrongly), so it
/// is refused with the advice to capture it again.
///
/// 3: the schema carries the objects compared by their statements (`defined`: rules,
/// statistics, publications, collations, foreign servers, ...), views' column comments and
/// privileges, and column, table and index properties (storage, compression, replica identity,
/// validity, ...). A format 2 file has none of them, and comparing it would report every such
/// object of the other side as extra, so it is refused with the advice to capture it again.
pub const FORMAT_VERSION: u32 = 3;

/// A snapshot: the schema and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub format_version: u32,
    /// The pgdrift that wrote it.
    pub pgdrift_version: String,
    /// `server_version` of the database it was read from (absent for a hand-made snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// UTC capture time, RFC 3339 (`2026-11-22T04:10:00Z`); absent with `--no-timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    pub schema: Schema,
}

#[derive(Debug)]
pub struct SnapshotError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for SnapshotError {}

impl Snapshot {
    pub fn new(
        schema: Schema,
        server_version: Option<String>,
        captured_at: Option<String>,
    ) -> Self {
        Snapshot {
            format_version: FORMAT_VERSION,
            pgdrift_version: env!("CARGO_PKG_VERSION").to_string(),
            server_version,
            captured_at,
            schema,
        }
    }

    /// The canonical text: two-space indented JSON, keys in model order, maps sorted, one
    /// trailing newline.
    pub fn to_text(&self) -> String {
        // Plain data of strings, numbers and sorted maps: serializing cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parse and check a snapshot. `path` names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
        let error = |message: String| SnapshotError {
            path: path.to_path_buf(),
            message,
        };
        // A byte-order mark, as some editors and PowerShell write: JSON allows none, skip it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(error("the snapshot file is empty".into()));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            if e.is_eof() {
                error(format!(
                    "the snapshot is truncated (JSON ends early at line {}); capture it again",
                    e.line()
                ))
            } else {
                error(format!("not valid JSON: {e}"))
            }
        })?;
        let Some(version) = value.get("format_version") else {
            return Err(error(
                "not a pgdrift snapshot (it has no format_version); write one with `pgdrift \
                 snapshot`"
                    .into(),
            ));
        };
        let version = version.as_u64().filter(|v| *v >= 1).ok_or_else(|| {
            error(format!(
                "format_version is {version}, but pgdrift writes a whole number from 1 up (this \
                 pgdrift writes {FORMAT_VERSION}): the file was not written by pgdrift or was \
                 edited; capture it again with `pgdrift snapshot`"
            ))
        })?;
        if version > u64::from(FORMAT_VERSION) {
            return Err(error(format!(
                "the snapshot has format version {version}, newer than this pgdrift reads \
                 ({FORMAT_VERSION}); upgrade pgdrift (this is {})",
                env!("CARGO_PKG_VERSION")
            )));
        }
        if version < u64::from(FORMAT_VERSION) {
            let why = if version == 1 {
                "written by an older pgdrift, without the dependency edges between objects"
            } else if version == 2 {
                "written by an older pgdrift, without rules, statistics, publications, foreign \
                 servers and the other objects it compares by their statements"
            } else {
                "older than the first released snapshot format"
            };
            return Err(error(format!(
                "the snapshot has format version {version} ({why}) and cannot be read; capture \
                 it again with this pgdrift ({}): `pgdrift snapshot`",
                env!("CARGO_PKG_VERSION")
            )));
        }
        serde_json::from_value(value)
            .map_err(|e| error(format!("not a valid pgdrift snapshot: {e}")))
    }

    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|e| SnapshotError {
            path: path.to_path_buf(),
            message: format!("cannot read the snapshot: {e}"),
        })?;
        Snapshot::parse(&text, path)
    }
}

/// The current UTC time as RFC 3339 with seconds (`2026-11-22T04:10:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = crate::policy::Date::from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

// ---- history ----

/// Suffix of snapshot files in a history folder.
const HISTORY_SUFFIX: &str = ".snapshot.json";

/// One stored version in a history folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 1-based position in capture order.
    pub number: usize,
    pub path: PathBuf,
    /// The capture time encoded in the file name (`20261122T041000Z`).
    pub stamp: String,
}

impl Version {
    /// The capture date (`2026-11-22`) from the file name.
    pub fn date(&self) -> Option<crate::policy::Date> {
        let s = &self.stamp;
        crate::policy::Date::parse(&format!(
            "{}-{}-{}",
            s.get(0..4)?,
            s.get(4..6)?,
            s.get(6..8)?
        ))
    }
}

/// The versions stored in `dir`, oldest first.
pub fn versions(dir: &Path) -> Result<Vec<Version>, SnapshotError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SnapshotError {
        path: dir.to_path_buf(),
        message: format!("cannot read the history folder: {e}"),
    })?;
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stamp = name.strip_suffix(HISTORY_SUFFIX)?.to_string();
            Some((stamp, e.path()))
        })
        .collect();
    found.sort();
    Ok(found
        .into_iter()
        .enumerate()
        .map(|(i, (stamp, path))| Version {
            number: i + 1,
            path,
            stamp,
        })
        .collect())
}

/// Resolve `DIR@N` (1-based), `DIR@latest` or `DIR@-1` (the one before latest) to a file.
pub fn resolve_version(spec: &str) -> Option<Result<PathBuf, SnapshotError>> {
    let (dir, which) = spec.rsplit_once('@')?;
    let dir = Path::new(dir);
    if !dir.is_dir() {
        return None;
    }
    let error = |message: String| SnapshotError {
        path: dir.to_path_buf(),
        message,
    };
    Some((|| {
        let all = versions(dir)?;
        if all.is_empty() {
            return Err(error("the history folder holds no snapshots".into()));
        }
        let index = match which {
            "latest" => all.len() - 1,
            w => match w.parse::<i64>() {
                Ok(n) if n >= 1 && (n as usize) <= all.len() => n as usize - 1,
                Ok(n) if n < 0 && (n.unsigned_abs() as usize) < all.len() => {
                    all.len() - 1 - n.unsigned_abs() as usize
                }
                _ => {
                    return Err(error(format!(
                        "no version `{w}`: the history holds versions 1 to {} (or `latest`, \
                         `-1` for the one before)",
                        all.len()
                    )));
                }
            },
        };
        Ok(all[index].path.clone())
    })())
}

/// Store `snapshot` in the history folder under a name made from `stamp`
/// (`20261122T041000Z.snapshot.json`), unless its schema equals the latest stored one.
/// Returns the path written, or `None` when nothing changed.
pub fn store(
    dir: &Path,
    snapshot: &Snapshot,
    stamp: &str,
) -> Result<Option<PathBuf>, SnapshotError> {
    let error = |message: String| SnapshotError {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| error(format!("cannot create the folder: {e}")))?;
    if let Some(latest) = versions(dir)?.last()
        && Snapshot::load(&latest.path)?.schema == snapshot.schema
    {
        return Ok(None);
    }
    let path = dir.join(format!("{stamp}{HISTORY_SUFFIX}"));
    crate::fs::write_atomic(&path, &snapshot.to_text())
        .map_err(|e| error(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(path))
}

/// `2026-11-22T04:10:00Z` → `20261122T041000Z`, for file names that sort by time.
pub fn stamp_of(rfc3339: &str) -> String {
    rfc3339.chars().filter(|c| *c != '-' && *c != ':').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_stable_and_round_trips() {
        use crate::model::{Dependency, ObjectKind, ObjectPath};
        let mut schema = Schema::default();
        schema.dependencies.push(Dependency {
            from: ObjectPath::in_schema(ObjectKind::Sequence, "public", "orders_id_seq"),
            to: ObjectPath::child(ObjectKind::Column, "public", "orders", "id"),
            auto: true,
        });
        let snap = Snapshot::new(schema, Some("15.18".into()), None);
        let text = snap.to_text();
        assert_eq!(text, snap.to_text());
        assert!(!text.contains("captured_at"));
        assert!(text.contains("\"dependencies\": [") && text.contains("\"auto\": true"));
        assert_eq!(
            Snapshot::parse(&text, Path::new("s.json")).expect("parse"),
            snap
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let p = Path::new("s.json");
        let full = Snapshot::new(Schema::default(), None, None).to_text();
        let msg = |t: &str| Snapshot::parse(t, p).expect_err("should fail").to_string();
        assert!(msg("").contains("empty"));
        assert!(msg(&full[..full.len() / 2]).contains("truncated"));
        assert!(msg("{\"tables\": []}").contains("not a pgdrift snapshot"));
        assert!(msg("[1, 2").contains("truncated"));
        let version = |v: u32| {
            full.replace(
                &format!("\"format_version\": {FORMAT_VERSION}"),
                &format!("\"format_version\": {v}"),
            )
        };
        assert!(msg(&version(99)).contains("newer than this pgdrift reads"));
        for bad in ["0", "-1", "\"3\"", "2.5", "null"] {
            let text = full.replace(
                &format!("\"format_version\": {FORMAT_VERSION}"),
                &format!("\"format_version\": {bad}"),
            );
            let m = msg(&text);
            assert!(
                m.contains(&format!("format_version is {bad},"))
                    && m.contains("whole number")
                    && m.contains("capture it again"),
                "{m}"
            );
        }
        // A byte-order mark is skipped, as JSON readers that accept one do.
        let with_bom = format!("\u{feff}{full}");
        assert_eq!(
            Snapshot::parse(&with_bom, p).expect("a BOM is skipped"),
            Snapshot::parse(&full, p).expect("parse")
        );
        // Format 1 had no dependency edges: refused, with what to do about it.
        let one = msg(&version(1));
        assert!(
            one.contains("format version 1")
                && one.contains("without the dependency edges")
                && one.contains("capture it again with this pgdrift"),
            "{one}"
        );
        let junk = full.replace("\"schemas\"", "\"shemas\"");
        assert!(msg(&junk).contains("not a valid pgdrift snapshot"));
    }

    #[test]
    fn history_stores_changes_only_and_resolves_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let h = dir.path().join("history");
        let empty = Snapshot::new(Schema::default(), None, None);
        let mut changed = Schema::default();
        changed.schemas.insert("app".into(), Default::default());
        let second = Snapshot::new(changed, None, None);
        assert!(
            store(&h, &empty, "20261101T000000Z")
                .expect("store")
                .is_some()
        );
        assert!(
            store(&h, &empty, "20261102T000000Z")
                .expect("store")
                .is_none()
        );
        assert!(
            store(&h, &second, "20261103T000000Z")
                .expect("store")
                .is_some()
        );
        let all = versions(&h).expect("versions");
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[1].date().map(|d| d.to_string()).as_deref(),
            Some("2026-11-03")
        );
        let spec = |s: &str| format!("{}@{s}", h.display());
        let path = |s: &str| {
            resolve_version(&spec(s))
                .expect("a history spec")
                .expect("resolves")
        };
        assert!(path("1").ends_with("20261101T000000Z.snapshot.json"));
        assert!(path("latest").ends_with("20261103T000000Z.snapshot.json"));
        assert!(path("-1").ends_with("20261101T000000Z.snapshot.json"));
        assert!(resolve_version(&spec("7")).expect("spec").is_err());
        assert!(resolve_version("no/such/dir@1").is_none());
        assert_eq!(stamp_of("2026-11-22T04:10:00Z"), "20261122T041000Z");
        assert!(now_rfc3339().ends_with('Z'));
    }
}

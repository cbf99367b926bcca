//! The timeline of a snapshot history: every stored version with its capture time, server
//! version and size, what changed since the version before (counted per object kind and listed
//! change by change), the objects changed most often, and the pairs of versions compared on
//! request. Data in, data out: the caller loads the snapshots; `pgdrift history --json` prints
//! this value and the history page embeds exactly the same value, so the two cannot disagree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff;
use crate::model::Schema;
use crate::rules::Presence;
use crate::snapshot::Snapshot;

/// The timeline JSON format this build writes; bump it when a field changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// How many objects the "changed most often" list keeps.
const MOST_CHANGED: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub format_version: u32,
    pub pgdrift_version: String,
    /// The versions shown (after `--since` / `--until`), oldest first.
    pub versions: Vec<VersionEntry>,
    /// Top-level objects (tables, views, functions, ...) by the number of shown versions that
    /// changed them, most often first.
    pub most_changed: Vec<Churn>,
    /// The pairs asked for with `--compare A B`, compared directly (not composed from steps).
    pub comparisons: Vec<PairComparison>,
    /// The tables changed in the shown versions, by how many versions changed them.
    pub changed_tables: Vec<Churn>,
    /// The foreign keys of the newest version that touch a changed table, for the page's map.
    pub foreign_keys: Vec<ForeignKey>,
}

/// A foreign key between two tables: `from` references `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ForeignKey {
    pub from: String,
    pub to: String,
}

/// One stored version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionEntry {
    /// 1-based position in the whole history (not only the shown part).
    pub number: usize,
    /// The capture time in the file name (`20261122T041000Z`).
    pub stamp: String,
    /// The capture time inside the snapshot, when it has one.
    pub captured_at: Option<String>,
    pub server_version: Option<String>,
    pub size: Size,
    /// The version the changes are counted from (`None` for the first capture).
    pub previous: Option<usize>,
    /// Changes since `previous` per object kind (`table`, `column`, `grant`, ...).
    pub counts: BTreeMap<String, Counts>,
    pub changes: Vec<Change>,
}

/// How big the schema of a version is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub tables: usize,
    pub columns: usize,
    pub indexes: usize,
    pub views: usize,
    pub functions: usize,
    pub sequences: usize,
    pub types: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

/// What happened to an object between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference between two versions: a diff finding read as "older → newer".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The rule id of the difference, e.g. `column.type`.
    pub rule: String,
    pub change: ChangeKind,
    /// The kind the change is counted under: the object's kind, or `grant`, `owner`,
    /// `comment` for those.
    pub kind: String,
    /// The qualified name of the object.
    pub object: String,
    /// The top-level object it belongs to (the table of a column), for grouping.
    pub group: String,
    pub group_kind: String,
    /// The value in the older version (absent when the object was added).
    pub before: Option<String>,
    /// The value in the newer version (absent when the object was removed).
    pub after: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Churn {
    pub object: String,
    pub kind: String,
    /// How many shown versions changed it.
    pub versions: usize,
    /// The latest version that changed it.
    pub last: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairComparison {
    pub from: usize,
    pub to: usize,
    pub counts: BTreeMap<String, Counts>,
    pub changes: Vec<Change>,
}

/// Builds a timeline one snapshot at a time, oldest first, keeping only the previous schema
/// and those a requested comparison needs: a history of a thousand large snapshots is never
/// all in memory.
pub struct Builder {
    previous: Option<(usize, Schema)>,
    versions: Vec<VersionEntry>,
    pairs: Vec<(usize, usize)>,
    kept: BTreeMap<usize, Schema>,
    comparisons: Vec<PairComparison>,
}

impl Builder {
    /// `pairs`: the (older, newer) version numbers to compare directly.
    pub fn new(pairs: Vec<(usize, usize)>) -> Self {
        Builder {
            previous: None,
            versions: Vec::new(),
            pairs,
            kept: BTreeMap::new(),
            comparisons: Vec::new(),
        }
    }

    /// Add version `number` (captured at `stamp`). `shown`: whether it is in the timeline (a
    /// version left out by a date filter still counts as the one the next version changed from).
    pub fn push(&mut self, number: usize, stamp: &str, shown: bool, snapshot: Snapshot) {
        let schema = snapshot.schema;
        if shown {
            let (previous, changes) = match &self.previous {
                Some((n, before)) => (Some(*n), changes(&diff::diff(before, &schema))),
                None => (None, Vec::new()),
            };
            self.versions.push(VersionEntry {
                number,
                stamp: stamp.to_string(),
                captured_at: snapshot.captured_at,
                server_version: snapshot.server_version,
                size: size(&schema),
                previous,
                counts: counts(&changes),
                changes,
            });
        }
        for &(from, to) in &self.pairs.clone() {
            if to == number
                && let Some(before) = self.kept.get(&from)
            {
                let changes = changes(&diff::diff(before, &schema));
                self.comparisons.push(PairComparison {
                    from,
                    to,
                    counts: counts(&changes),
                    changes,
                });
            }
        }
        if self.pairs.iter().any(|&(from, _)| from == number) {
            self.kept.insert(number, schema.clone());
        }
        self.kept.retain(|n, _| {
            self.pairs
                .iter()
                .any(|&(from, to)| from == *n && to > number)
        });
        self.previous = Some((number, schema));
    }

    pub fn finish(self) -> Timeline {
        let mut churn: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
        for v in &self.versions {
            let mut seen: Vec<(&str, &str)> = v
                .changes
                .iter()
                .map(|c| (c.group.as_str(), c.group_kind.as_str()))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for key in seen {
                let entry = churn.entry(key).or_default();
                entry.0 += 1;
                entry.1 = v.number;
            }
        }
        let mut most_changed: Vec<Churn> = churn
            .into_iter()
            .map(|((object, kind), (versions, last))| Churn {
                object: object.to_string(),
                kind: kind.to_string(),
                versions,
                last,
            })
            .collect();
        most_changed.sort_by(|a, b| {
            b.versions
                .cmp(&a.versions)
                .then(b.last.cmp(&a.last))
                .then(a.object.cmp(&b.object))
        });
        let changed_tables: Vec<Churn> = most_changed
            .iter()
            .filter(|c| c.kind == "table")
            .cloned()
            .collect();
        let changed: std::collections::BTreeSet<&str> =
            changed_tables.iter().map(|c| c.object.as_str()).collect();
        let mut foreign_keys: Vec<ForeignKey> = self
            .previous
            .as_ref()
            .map(|(_, newest)| crate::plan::deps::analyze(newest).foreign_keys)
            .unwrap_or_default()
            .into_iter()
            .filter(|(from, to, _)| {
                from != to && (changed.contains(from.as_str()) || changed.contains(to.as_str()))
            })
            .map(|(from, to, _)| ForeignKey { from, to })
            .collect();
        foreign_keys.sort();
        foreign_keys.dedup();
        most_changed.truncate(MOST_CHANGED);
        let mut comparisons = self.comparisons;
        comparisons.sort_by_key(|c| (c.from, c.to));
        Timeline {
            format_version: FORMAT_VERSION,
            pgdrift_version: env!("CARGO_PKG_VERSION").to_string(),
            versions: self.versions,
            most_changed,
            comparisons,
            changed_tables,
            foreign_keys,
        }
    }
}

/// The findings of "older (expected) against newer (actual)" read as changes.
fn changes(c: &diff::Comparison) -> Vec<Change> {
    c.findings
        .iter()
        .map(|f| Change {
            rule: f.rule.as_str().to_string(),
            change: match f.rule.presence() {
                Some(Presence::Extra) => ChangeKind::Added,
                Some(Presence::Missing) => ChangeKind::Removed,
                None => ChangeKind::Changed,
            },
            kind: counted_kind(f).to_string(),
            object: f.object.clone(),
            group: f.group.clone(),
            group_kind: f.group_kind.as_str().to_string(),
            before: f.expected.clone(),
            after: f.actual.clone(),
            message: f.message.clone(),
        })
        .collect()
}

/// Grants, owners and comments are counted as themselves, not as the object that carries them.
pub fn counted_kind(f: &diff::Finding) -> &'static str {
    match f.rule.family() {
        family @ ("grant" | "owner" | "comment") => family,
        _ => f.kind.as_str(),
    }
}

fn counts(changes: &[Change]) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for c in changes {
        let entry = out.entry(c.kind.clone()).or_default();
        match c.change {
            ChangeKind::Added => entry.added += 1,
            ChangeKind::Removed => entry.removed += 1,
            ChangeKind::Changed => entry.changed += 1,
        }
    }
    out
}

pub fn size(schema: &Schema) -> Size {
    let mut s = Size::default();
    for ns in schema.schemas.values() {
        s.tables += ns.tables.len();
        for t in ns.tables.values() {
            s.columns += t.columns.len();
            s.indexes += t.indexes.len();
        }
        s.views += ns.views.len();
        s.functions += ns.functions.len();
        s.sequences += ns.sequences.len();
        s.types += ns.types.len();
    }
    s
}

impl Timeline {
    pub fn to_json(&self) -> String {
        // Strings, numbers and sorted maps: serializing cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(tables: &[&str]) -> Snapshot {
        let mut schema = Schema::default();
        let ns = schema.schemas.entry("app".into()).or_default();
        for t in tables {
            ns.tables.insert((*t).into(), Default::default());
        }
        Snapshot::new(schema, Some("17.2".into()), None)
    }

    #[test]
    fn versions_count_changes_and_pairs_compare_directly() {
        let mut b = Builder::new(vec![(1, 3)]);
        b.push(1, "20260101T000000Z", true, snap(&["a"]));
        b.push(2, "20260102T000000Z", false, snap(&["a", "b"]));
        b.push(3, "20260103T000000Z", true, snap(&["a", "c"]));
        let t = b.finish();
        assert_eq!(t.versions.len(), 2, "version 2 is filtered out");
        assert_eq!(t.versions[0].previous, None);
        assert!(t.versions[0].changes.is_empty());
        // Version 3 is counted from version 2, which the filter hid: b removed, c added.
        let v3 = &t.versions[1];
        assert_eq!(v3.previous, Some(2));
        assert_eq!(
            v3.counts["table"],
            Counts {
                added: 1,
                removed: 1,
                changed: 0
            }
        );
        assert_eq!(v3.size.tables, 2);
        assert_eq!(t.comparisons.len(), 1);
        let pair = &t.comparisons[0];
        assert_eq!((pair.from, pair.to), (1, 3));
        assert_eq!(pair.changes.len(), 1, "{:?}", pair.changes);
        assert_eq!(pair.changes[0].object, "app.c");
        assert_eq!(pair.changes[0].change, ChangeKind::Added);
        assert_eq!(t.most_changed[0].object, "app.b");
        let back: Timeline = serde_json::from_str(&t.to_json()).expect("round trip");
        assert_eq!(back, t);
    }
}

//! Hazards: what can go wrong when a statement of a plan runs, with stable codes that
//! `pgdrift hazards` lists and `--allow-hazards` names.

use serde::{Deserialize, Serialize};

macro_rules! hazards {
    ($( $variant:ident = $code:literal: $meaning:literal; )*) => {
        /// One risk of one statement.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Hazard {
            $( $variant, )*
        }

        impl Hazard {
            /// Every hazard, in the order `pgdrift hazards` lists them.
            pub const ALL: &[Hazard] = &[ $( Hazard::$variant, )* ];

            /// The stable code: `DELETES_DATA`.
            pub fn code(self) -> &'static str {
                match self { $( Hazard::$variant => $code, )* }
            }

            /// What the hazard means, in one line.
            pub fn meaning(self) -> &'static str {
                match self { $( Hazard::$variant => $meaning, )* }
            }
        }
    };
}

hazards! {
    DeletesData = "DELETES_DATA":
        "Rows or values are removed for good (apply keeps a copy in the backup schema).";
    RewritesTable = "REWRITES_TABLE":
        "The table and its indexes are rewritten: time and disk in proportion to its size.";
    ScansTable = "SCANS_TABLE":
        "The whole table is read to check existing rows, holding the statement's lock meanwhile.";
    AccessExclusiveLock = "ACQUIRES_ACCESS_EXCLUSIVE_LOCK":
        "Takes an ACCESS EXCLUSIVE lock: every read and write of the table waits until COMMIT.";
    ShareLock = "ACQUIRES_SHARE_LOCK":
        "Takes a SHARE lock: writes to the table wait until COMMIT (reads go on).";
    ShareRowExclusiveLock = "ACQUIRES_SHARE_ROW_EXCLUSIVE_LOCK":
        "Takes a SHARE ROW EXCLUSIVE lock on the table and the table it references: writes wait.";
    DataDependent = "DATA_DEPENDENT":
        "May fail on existing rows (NULLs, duplicates, values that do not cast, removed labels).";
    RecreatesDependents = "RECREATES_DEPENDENTS":
        "Drops and recreates dependent objects (views, policies, triggers, ...) around a change.";
    IndexBuild = "INDEX_BUILD":
        "Builds an index: CPU and I/O in proportion to the table's size.";
    IndexDropped = "INDEX_DROPPED":
        "Drops an index: queries that used it may get slower.";
    NonTransactional = "NON_TRANSACTIONAL":
        "Runs outside the main transaction: a failure after it cannot roll it back.";
    UntrackedDependencies = "HAS_UNTRACKABLE_DEPENDENCIES":
        "What a function body uses is not recorded by PostgreSQL: its place in the order is a guess \
         (it is created with check_function_bodies = off).";
    AuthorizationChange = "AUTHZ_UPDATE":
        "Changes who may do what (grants, owners, row-level security): may open or close access.";
    ExtensionUpgrade = "UPGRADING_EXTENSION_VERSION":
        "Changes an extension's version: its functions and types may behave differently.";
    BackwardIncompatible = "BACKWARD_INCOMPATIBLE":
        "Renames or removes something applications may still use by its old name.";
    NoPrimaryKeyBackup = "NO_PRIMARY_KEY_BACKUP":
        "The table has no primary key or unique not-null index: a dropped column's backup is \
         the whole row, and restoring it needs a manual join.";
}

impl Serialize for Hazard {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Hazard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Hazard::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown hazard `{text}`")))
    }
}

impl Hazard {
    /// The hazard with this code (case-insensitive).
    pub fn parse(code: &str) -> Option<Hazard> {
        Hazard::ALL
            .iter()
            .copied()
            .find(|h| h.code().eq_ignore_ascii_case(code.trim()))
    }
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut codes: Vec<&str> = Hazard::ALL.iter().map(|h| h.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Hazard::ALL.len());
        for h in Hazard::ALL {
            assert_eq!(Hazard::parse(h.code()), Some(*h));
            assert!(!h.meaning().is_empty());
        }
        assert_eq!(Hazard::parse("deletes_data"), Some(Hazard::DeletesData));
        assert_eq!(Hazard::parse("NOPE"), None);
    }
}

//! The kinds compared by the statement that makes them ([`DefinedObject`]): one `.sql` file per
//! family of kinds, every file returning the same columns, decoded by one function.
//!
//! Adding such a kind is a query here and a variant of [`ObjectKind`] (with its three rules,
//! `<kind>.missing`, `<kind>.extra` and `<kind>.definition`); the diff, the reports, the
//! filters and the plan take it from there. Each query prints the object's `definition` (the
//! statements that make it, as `pg_dump` would), its `target` (how `COMMENT ON`, `DROP`,
//! `ALTER ... OWNER TO` and `GRANT` name it), and its identity (`schema`, `parent`, `name`),
//! plus `classid` and `oid` so that dependency edges reach it. The columns, in this order:
//!
//! | column | type | what |
//! | --- | --- | --- |
//! | kind | text | an [`ObjectKind`] as written (`rule`) |
//! | classid, oid | oid | the catalog row, for dependency edges |
//! | schema, parent | text | NULL when not in a schema / not inside another object |
//! | name | text | the name as the model keys it |
//! | definition, target | text | as above |
//! | drop | text | NULL for `DROP <target>` |
//! | unplannable | text | NULL, or why the plan cannot make the object |
//! | owner, comment | text | NULL when the kind has none |
//! | grantees, privileges | text[] | parallel arrays: privileges held by others than the owner |
//! | grantable | bool[] | with grant option |
//!
//! Objects that belong to an extension are left out (the extension stands for them), and so
//! are objects made by initdb (OIDs below 16384).

use tokio_postgres::Row;

use super::{Bad, Query, get, grant_arrays};
use crate::model::{DefinedObject, ObjectKind, ObjectPath};

pub(super) const QUERIES: &[Query] = &[
    Query {
        kind: "rules",
        sql: include_str!("rules.sql"),
    },
    Query {
        kind: "statistics",
        sql: include_str!("statistics.sql"),
    },
    Query {
        kind: "event_triggers",
        sql: include_str!("event_triggers.sql"),
    },
    Query {
        kind: "collations",
        sql: include_str!("collations.sql"),
    },
    Query {
        kind: "text_search",
        sql: include_str!("text_search.sql"),
    },
    Query {
        kind: "casts",
        sql: include_str!("casts.sql"),
    },
    Query {
        kind: "operators",
        sql: include_str!("operators.sql"),
    },
    Query {
        kind: "conversions",
        sql: include_str!("conversions.sql"),
    },
    Query {
        kind: "languages",
        sql: include_str!("languages.sql"),
    },
    Query {
        kind: "access_methods",
        sql: include_str!("access_methods.sql"),
    },
    Query {
        kind: "base_types",
        sql: include_str!("base_types.sql"),
    },
    Query {
        kind: "transforms",
        sql: include_str!("transforms.sql"),
    },
    Query {
        kind: "foreign_data",
        sql: include_str!("foreign_data.sql"),
    },
    Query {
        kind: "foreign_tables",
        sql: include_str!("foreign_tables.sql"),
    },
    Query {
        kind: "publications",
        sql: include_str!("publications.sql"),
    },
    Query {
        kind: "subscriptions",
        sql: include_str!("subscriptions.sql"),
    },
    Query {
        kind: "default_privileges",
        sql: include_str!("default_privileges.sql"),
    },
];

/// The kinds `present.sql` says the database has (or cannot say: a kind it has no column for
/// is read).
pub(super) fn decode_present(row: &Row) -> Result<Vec<&'static str>, Bad> {
    let mut present = Vec::new();
    for query in QUERIES {
        let answered = row.columns().iter().any(|c| c.name() == query.kind);
        if !answered || get::<bool>(row, query.kind)? {
            present.push(query.kind);
        }
    }
    Ok(present)
}

/// A row of one of the queries: the catalog row it came from, and the object.
pub(super) struct DefinedRow {
    pub class: u32,
    pub oid: u32,
    pub object: DefinedObject,
}

pub(super) fn decode(row: &Row) -> Result<DefinedRow, Bad> {
    let kind_text: &str = get(row, "kind")?;
    let kind = ObjectKind::ALL
        .iter()
        .copied()
        .find(|k| k.is_defined() && k.as_str() == kind_text)
        .ok_or_else(|| Bad(format!("unexpected kind {kind_text:?}")))?;
    let grants = grant_arrays(row, "")?;
    Ok(DefinedRow {
        class: get(row, "classid")?,
        oid: get(row, "oid")?,
        object: DefinedObject {
            path: ObjectPath {
                kind,
                schema: get(row, "schema")?,
                parent: get(row, "parent")?,
                name: get(row, "name")?,
            },
            definition: get(row, "definition")?,
            target: get(row, "target")?,
            drop: get(row, "drop")?,
            unplannable: get(row, "unplannable")?,
            owner: get(row, "owner")?,
            comment: get(row, "comment")?,
            grants,
        },
    })
}

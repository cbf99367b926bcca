//! Experimental reader of CockroachDB: turns the answers of CockroachDB's own statements
//! (`SHOW CREATE ALL TABLES`, `SHOW GRANTS`, `SHOW ZONE CONFIGURATIONS`, ...) into the
//! canonical [`Schema`]. CockroachDB speaks PostgreSQL's protocol but its catalog is not
//! PostgreSQL's (its ACL columns are empty, its deparsed text is its own dialect), so it never
//! goes through the PostgreSQL reader.
//!
//! Pure: the answers come in as rows of text ([`Answers`]), fetched by a source (live, or
//! replayed from a recorded bundle); here they are split into statements with the project's
//! SQL splitter, keyed by object, normalised (whitespace, the database-name qualifier) and
//! assembled. A table's body is taken apart by column, constraint, index and family, so the
//! diff compares it part by part like any other table; CockroachDB-only properties land in
//! named fields of the model (locality, families, hidden columns, index visibility) or as
//! zone configurations. Definitions stay in CockroachDB's dialect: a CockroachDB schema
//! compares with another CockroachDB schema, never with PostgreSQL's.
//!
//! Written from CockroachDB's public documentation only, and never run against a live server
//! by this project (see README, "CockroachDB").

mod statements;
mod tokens;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{DefinedObject, Grant, Namespace, ObjectKind, ObjectPath, Schema, quote_ident};
use statements::Reader;

/// The oldest CockroachDB the statements are written for (`SHOW CREATE ALL SCHEMAS` and `ALL
/// TYPES` are documented from v22.2 on).
pub const MIN_VERSION: (u32, u32) = (22, 2);

/// Schemas CockroachDB makes in every database, which hold no user objects.
const SYSTEM_SCHEMAS: &[&str] = &[
    "crdb_internal",
    "information_schema",
    "pg_catalog",
    "pg_extension",
];

/// Roles that hold ALL on every object, built in: `SHOW GRANTS` lists them everywhere, and a
/// grant to either cannot change what they may do.
pub const BUILTIN_GRANTEES: &[&str] = &["admin", "root"];

/// The statements a read runs, in this order, for a server of `version` (major, minor) and
/// the database `database`.
pub fn statements(version: (u32, u32), database: &str) -> Vec<String> {
    let mut list: Vec<String> = [
        SHOW_SCHEMAS,
        CREATE_SCHEMAS,
        CREATE_TYPES,
        CREATE_TABLES,
        SHOW_TABLES,
        SHOW_GRANTS,
        DEFAULT_PRIVILEGES,
        ZONES,
        COLUMNS,
    ]
    .map(str::to_string)
    .to_vec();
    list.push(show_create_database(database));
    if version >= (25, 3) {
        list.push(CREATE_ROUTINES.to_string());
    }
    list
}

/// `SHOW CREATE DATABASE`: the database's regions, primary region and survival goal.
pub fn show_create_database(database: &str) -> String {
    format!("SHOW CREATE DATABASE {}", quote_ident(database))
}

const SHOW_SCHEMAS: &str = "SHOW SCHEMAS";
const CREATE_SCHEMAS: &str = "SHOW CREATE ALL SCHEMAS";
const CREATE_TYPES: &str = "SHOW CREATE ALL TYPES";
const CREATE_TABLES: &str = "SHOW CREATE ALL TABLES";
const CREATE_ROUTINES: &str = "SHOW CREATE ALL ROUTINES";
const SHOW_TABLES: &str = "SHOW TABLES";
const SHOW_GRANTS: &str = "SHOW GRANTS";
const DEFAULT_PRIVILEGES: &str = "SHOW DEFAULT PRIVILEGES FOR ALL ROLES";
const ZONES: &str = "SHOW ZONE CONFIGURATIONS";
/// The columns of every relation, to check that no column of `SHOW CREATE` was misread.
const COLUMNS: &str = "SELECT table_schema, table_name, column_name FROM information_schema.columns \
     WHERE table_schema NOT IN ('crdb_internal', 'information_schema', 'pg_catalog', 'pg_extension') \
     ORDER BY table_schema, table_name, ordinal_position";

/// The raw answers of one read: what `pgdrift record` writes, and what the reader reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// `SELECT version()`: `CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, ...)`.
    pub version: String,
    /// `SELECT current_database()`: the qualifier taken out of three-part names.
    pub database: String,
    /// One per statement, in the order they ran.
    pub answers: Vec<Answer>,
}

/// The rows one statement returned, every value as text (NULL as `None`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub statement: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Answer {
    /// The position of the named column (the first of `names` that exists).
    fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.columns.iter().position(|c| c == n))
    }

    fn value<'s>(&self, row: &'s [Option<String>], names: &[&str]) -> Option<&'s str> {
        let i = self.column(names)?;
        row.get(i)?.as_deref()
    }
}

impl Answers {
    fn answer(&self, statement: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.statement == statement)
    }
}

/// Reading the answers failed: the server is not one this reader is written for, or an answer
/// is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The version in `version()`'s answer (`v23.1.11`), when it is CockroachDB's.
pub fn version_of(version: &str) -> Option<String> {
    if !crate::catalog::is_cockroachdb(version) {
        return None;
    }
    version
        .split_whitespace()
        .find(|w| w.starts_with('v') && w[1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

/// (major, minor) of a CockroachDB version, checked against the oldest one supported.
pub fn supported_version(version: &str) -> Result<(u32, u32), ReadError> {
    let v = version_of(version)
        .ok_or_else(|| ReadError(format!("not a CockroachDB version: {version:?}")))?;
    let major = crate::diff::versions::major(&v)
        .ok_or_else(|| ReadError(format!("unexpected CockroachDB version {v}")))?;
    if major < MIN_VERSION {
        return Err(ReadError(format!(
            "CockroachDB {v} is not supported; pgdrift reads CockroachDB v{}.{} and later",
            MIN_VERSION.0, MIN_VERSION.1
        )));
    }
    Ok(major)
}

/// Assemble the schema from the answers. `schemas` restricts it to those schemas.
pub fn assemble(answers: &Answers, schemas: Option<&[String]>) -> Result<Schema, ReadError> {
    let version = supported_version(&answers.version)?;
    let need = |statement: &str| {
        answers.answer(statement).ok_or_else(|| {
            ReadError(format!(
                "the answer of `{statement}` is missing (recorded by another pgdrift?)"
            ))
        })
    };
    let mut reader = Reader::new(&answers.database);
    // Schemas and their owners first: everything else lands in one of them.
    let show_schemas = need(SHOW_SCHEMAS)?;
    for row in &show_schemas.rows {
        let Some(name) = show_schemas.value(row, &["schema_name"]) else {
            continue;
        };
        if SYSTEM_SCHEMAS.contains(&name) {
            continue;
        }
        let owner = show_schemas.value(row, &["owner"]).unwrap_or_default();
        reader.schema.schemas.insert(
            name.to_string(),
            Namespace {
                owner: owner.to_string(),
                ..Namespace::default()
            },
        );
    }
    let mut statements = vec![CREATE_SCHEMAS, CREATE_TYPES, CREATE_TABLES];
    if version >= (25, 3) {
        statements.push(CREATE_ROUTINES);
    }
    for statement in statements {
        let answer = need(statement)?;
        for row in &answer.rows {
            if let Some(text) = answer.value(row, &["create_statement"]) {
                reader.script(text);
            }
        }
    }
    reader.finish_tables();
    cross_check_columns(&reader.schema, need(COLUMNS)?)?;
    tables(&mut reader.schema, need(SHOW_TABLES)?);
    grants(&mut reader.schema, need(SHOW_GRANTS)?);
    default_privileges(&mut reader.schema, need(DEFAULT_PRIVILEGES)?);
    zones(&mut reader.schema, need(ZONES)?, &answers.database);
    let create_database = need(&show_create_database(&answers.database))?;
    database_options(&mut reader.schema, create_database, &answers.database);
    let mut schema = reader.schema;
    if let Some(only) = schemas {
        schema.schemas.retain(|name, _| only.contains(name));
        schema
            .defined
            .retain(|d| d.path.schema.as_ref().is_none_or(|s| only.contains(s)));
    }
    schema.defined.sort_by(|a, b| a.path.cmp(&b.path));
    schema.defined.dedup_by(|a, b| a.path == b.path);
    schema.cockroachdb = version_of(&answers.version);
    Ok(schema)
}

/// Every column `information_schema.columns` lists for a table the reader made must be one of
/// the table's, and the other way round (less the columns CockroachDB makes for a hash-sharded
/// index or a TTL, which the reader leaves to those): a disagreement means the reader misread
/// the text, and a read that may be wrong is an error, never a finding.
fn cross_check_columns(schema: &Schema, answer: &Answer) -> Result<(), ReadError> {
    let mut listed: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for row in &answer.rows {
        if let (Some(s), Some(t), Some(c)) = (
            answer.value(row, &["table_schema"]),
            answer.value(row, &["table_name"]),
            answer.value(row, &["column_name"]),
        ) {
            listed.entry((s, t)).or_default().push(c);
        }
    }
    for ((s, t), columns) in listed {
        let Some(table) = schema.schemas.get(s).and_then(|ns| ns.tables.get(t)) else {
            continue;
        };
        let mut theirs: Vec<&str> = columns
            .into_iter()
            .filter(|c| !statements::made_by_cockroachdb(c))
            .collect();
        theirs.sort_unstable();
        let ours: Vec<&str> = (table.columns.keys().map(String::as_str))
            .filter(|c| !statements::made_by_cockroachdb(c))
            .collect();
        if theirs != ours {
            return Err(ReadError(format!(
                "SHOW CREATE ALL TABLES and information_schema.columns disagree on the columns \
                 of {}.{} ({} against {}): pgdrift's CockroachDB reader misread the table. \
                 Please report it with the bundle `pgdrift record` writes",
                quote_ident(s),
                quote_ident(t),
                ours.join(", "),
                theirs.join(", ")
            )));
        }
    }
    Ok(())
}

/// `SHOW TABLES`: owners, and the locality where `SHOW CREATE` printed none.
fn tables(schema: &mut Schema, answer: &Answer) {
    for row in &answer.rows {
        let (Some(ns), Some(name)) = (
            answer.value(row, &["schema_name"]),
            answer.value(row, &["table_name"]),
        ) else {
            continue;
        };
        let Some(namespace) = schema.schemas.get_mut(ns) else {
            continue;
        };
        let owner = answer
            .value(row, &["owner"])
            .unwrap_or_default()
            .to_string();
        let locality = answer
            .value(row, &["locality"])
            .filter(|l| !l.is_empty())
            .map(str::to_string);
        if let Some(t) = namespace.tables.get_mut(name) {
            t.owner = owner;
            if t.locality.is_none() {
                t.locality = locality;
            }
        } else if let Some(v) = namespace.views.get_mut(name) {
            v.owner = owner;
        } else if let Some(s) = namespace.sequences.get_mut(name) {
            s.owner = owner;
        }
    }
}

fn truthy(value: Option<&str>) -> bool {
    matches!(
        value.map(str::to_ascii_lowercase).as_deref(),
        Some("t" | "true" | "yes")
    )
}

/// `SHOW GRANTS` (the current database's schemas, tables, types and routines), less the
/// built-in grants to admin and root.
fn grants(schema: &mut Schema, answer: &Answer) {
    for row in &answer.rows {
        let Some(grantee) = answer.value(row, &["grantee"]) else {
            continue;
        };
        if BUILTIN_GRANTEES.contains(&grantee) {
            continue;
        }
        let Some(privilege) = answer.value(row, &["privilege_type"]) else {
            continue;
        };
        let grant = Grant {
            grantee: grantee.to_string(),
            privilege: privilege.to_string(),
            grantable: truthy(answer.value(row, &["is_grantable"])),
        };
        let Some(ns_name) = answer.value(row, &["schema_name"]) else {
            continue; // the database itself: not compared
        };
        let Some(namespace) = schema.schemas.get_mut(ns_name) else {
            continue;
        };
        let object = answer.value(
            row,
            &["object_name", "table_name", "type_name", "routine_name"],
        );
        let kind = answer
            .value(row, &["object_type"])
            .unwrap_or_default()
            .to_ascii_lowercase();
        let list = match object {
            None => Some(&mut namespace.grants),
            Some(_) if kind == "schema" => Some(&mut namespace.grants),
            Some(name) => {
                if kind == "type" {
                    namespace.types.get_mut(name).map(|t| &mut t.grants)
                } else if kind == "routine" || kind == "function" || kind == "procedure" {
                    let prefix = format!("{}(", quote_ident(name));
                    namespace
                        .functions
                        .iter_mut()
                        .find(|(key, _)| key.starts_with(&prefix))
                        .map(|(_, f)| &mut f.grants)
                } else if let Some(t) = namespace.tables.get_mut(name) {
                    Some(&mut t.grants)
                } else if let Some(v) = namespace.views.get_mut(name) {
                    Some(&mut v.grants)
                } else {
                    namespace.sequences.get_mut(name).map(|s| &mut s.grants)
                }
            }
        };
        if let Some(list) = list {
            list.push(grant);
        }
    }
    let sort = |g: &mut Vec<Grant>| {
        g.sort_by(|a, b| (&a.grantee, &a.privilege).cmp(&(&b.grantee, &b.privilege)));
        g.dedup();
    };
    for ns in schema.schemas.values_mut() {
        sort(&mut ns.grants);
        ns.tables.values_mut().for_each(|t| sort(&mut t.grants));
        ns.views.values_mut().for_each(|v| sort(&mut v.grants));
        ns.sequences.values_mut().for_each(|s| sort(&mut s.grants));
        ns.types.values_mut().for_each(|t| sort(&mut t.grants));
        ns.functions.values_mut().for_each(|f| sort(&mut f.grants));
    }
}

/// A default privilege's identity: schema (or none), kind of object, grantee.
type DefaultKey = (Option<String>, String, String);

/// `SHOW DEFAULT PRIVILEGES FOR ALL ROLES`: one default privilege per kind of object, grantee
/// and schema (or none), as the PostgreSQL reader keys them.
fn default_privileges(schema: &mut Schema, answer: &Answer) {
    let mut entries: BTreeMap<DefaultKey, Vec<(String, bool)>> = BTreeMap::new();
    for row in &answer.rows {
        let (Some(kind), Some(grantee), Some(privilege)) = (
            answer.value(row, &["object_type"]),
            answer.value(row, &["grantee"]),
            answer.value(row, &["privilege_type"]),
        ) else {
            continue;
        };
        if BUILTIN_GRANTEES.contains(&grantee) {
            continue;
        }
        let ns = answer
            .value(row, &["schema_name"])
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        entries
            .entry((ns, kind.to_ascii_uppercase(), grantee.to_string()))
            .or_default()
            .push((
                privilege.to_string(),
                truthy(answer.value(row, &["is_grantable"])),
            ));
    }
    for ((ns, kind, grantee), mut privileges) in entries {
        privileges.sort();
        privileges.dedup();
        let role = if grantee.eq_ignore_ascii_case("public") {
            "PUBLIC".to_string()
        } else {
            quote_ident(&grantee)
        };
        let prefix = match &ns {
            Some(s) => format!(
                "ALTER DEFAULT PRIVILEGES FOR ALL ROLES IN SCHEMA {}",
                quote_ident(s)
            ),
            None => "ALTER DEFAULT PRIVILEGES FOR ALL ROLES".to_string(),
        };
        let mut lines = Vec::new();
        for grantable in [false, true] {
            let list: Vec<&str> = privileges
                .iter()
                .filter(|(_, g)| *g == grantable)
                .map(|(p, _)| p.as_str())
                .collect();
            if !list.is_empty() {
                let option = if grantable { " WITH GRANT OPTION" } else { "" };
                lines.push(format!(
                    "{prefix} GRANT {} ON {kind} TO {role}{option};",
                    list.join(", ")
                ));
            }
        }
        let name = format!("FOR ALL ROLES ON {kind} TO {role}");
        let path = match &ns {
            Some(s) => ObjectPath::in_schema(ObjectKind::DefaultPrivilege, s, &name),
            None => ObjectPath::top(ObjectKind::DefaultPrivilege, &name),
        };
        schema.defined.push(DefinedObject {
            path,
            definition: lines.join("\n"),
            target: format!("DEFAULT PRIVILEGES FOR ALL ROLES ON {kind} TO {role}"),
            drop: Some(format!("{prefix} REVOKE ALL ON {kind} FROM {role};")),
            unplannable: None,
            owner: None,
            comment: None,
            grants: Vec::new(),
        });
    }
}

/// `SHOW ZONE CONFIGURATIONS`: the zones set on this database and its objects (cluster-wide
/// ranges and other databases are not this schema's).
fn zones(schema: &mut Schema, answer: &Answer, database: &str) {
    for row in &answer.rows {
        let (Some(target), Some(sql)) = (
            answer.value(row, &["target", "zone_name"]),
            answer.value(row, &["raw_config_sql", "config_sql"]),
        ) else {
            continue;
        };
        let Some((path, target)) = statements::zone_target(target, database) else {
            continue;
        };
        if path
            .schema
            .as_ref()
            .is_some_and(|s| !schema.schemas.contains_key(s))
        {
            continue;
        }
        schema.defined.push(DefinedObject {
            path,
            definition: statements::zone_definition(sql, database),
            drop: Some(format!("ALTER {target} CONFIGURE ZONE DISCARD;")),
            target,
            unplannable: None,
            owner: None,
            comment: None,
            grants: Vec::new(),
        });
    }
}

/// `SHOW CREATE DATABASE`'s multi-region settings (`PRIMARY REGION "us-east1" REGIONS = ...
/// SURVIVE REGION FAILURE`), the first lines of the database's zone configuration: CockroachDB
/// makes the database's zones from them, so they are the same kind of setting.
fn database_options(schema: &mut Schema, answer: &Answer, database: &str) {
    let Some(text) = answer
        .rows
        .first()
        .and_then(|row| answer.value(row, &["create_statement"]))
    else {
        return;
    };
    let options = statements::database_options(text, database);
    if options.is_empty() {
        return;
    }
    let path = ObjectPath::top(ObjectKind::ZoneConfiguration, "database");
    match schema.defined.iter_mut().find(|d| d.path == path) {
        Some(zone) => zone.definition = format!("{options}\n{}", zone.definition),
        None => schema.defined.push(DefinedObject {
            path,
            definition: options,
            target: format!("DATABASE {}", quote_ident(database)),
            drop: None,
            unplannable: None,
            owner: None,
            comment: None,
            grants: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests;

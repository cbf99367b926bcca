//! Catalog reader: turns a live database's `pg_catalog` into the canonical [`Schema`].
//!
//! One query per object kind for the whole database (never per table), each in a `.sql` file
//! next to this one so it can be read and run by hand. All of them are sent at once on the one
//! connection (tokio-postgres pipelines concurrent requests) inside a single read-only
//! REPEATABLE READ transaction, so they see one snapshot, and each is sent without a separate
//! prepare round trip (`query_typed`). The server deparses every definition with the search path
//! empty, so all names come out schema-qualified the same way on both sides of a comparison.
//! Rows are then assembled in Rust by OID; no OID reaches the model. The dependency edges
//! (`pg_depend`) are resolved through the same OIDs to the model's own identities
//! (`dependencies.rs`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use futures_util::TryStreamExt;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Row, SimpleQueryMessage};

use crate::model::{
    Column, Constraint, ConstraintKind, Extension, Function, FunctionKind, Grant, Identity,
    IdentityOptions, Index, MemberGrants, Namespace, ObjectKind, ObjectPath, Persistence, Policy,
    ReplicaIdentity, Schema, Sequence, SequenceValues, Table, Trigger, Type as TypeObject,
    TypeDefinition, View, quote_ident,
};

mod blocks;
pub mod cockroach;
mod defined;
mod dependencies;
use blocks::Blocks;
use defined::DefinedRow;
use dependencies::{DependencyRow, decode_dependency};

/// Which part of the database to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Schema names to read; `None` reads every schema except the system ones. Extensions are
    /// then restricted to those installed into one of these schemas.
    pub schemas: Option<Vec<String>>,
}

/// The oldest server the queries are written for (`server_version_num`).
pub const MIN_SERVER_VERSION: i32 = 130_000;

/// Reading the catalog failed. The message names the step (which query, for a query) and carries
/// the server's message; the caller adds which target was being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// What was being done: `starting the read-only transaction`, `query "columns"`, ...
    pub step: String,
    /// The server's (or the client library's) message.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "reading the catalog: {} failed: {}",
            self.step, self.message
        )
    }
}

impl std::error::Error for CatalogError {}

impl CatalogError {
    fn new(step: impl Into<String>, message: impl Into<String>) -> Self {
        CatalogError {
            step: step.into(),
            message: message.into(),
        }
    }

    fn postgres(step: impl Into<String>, error: &tokio_postgres::Error) -> Self {
        CatalogError::new(step, describe(error))
    }
}

pub(crate) fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut message = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                message.push_str("; ");
                message.push_str(detail);
            }
            if let Some(hint) = db.hint() {
                message.push_str("; hint: ");
                message.push_str(hint);
            }
            message
        }
        None => error.to_string(),
    }
}

/// One catalog query: the object kind it reads and its SQL.
struct Query {
    kind: &'static str,
    sql: &'static str,
}

const SCHEMAS: Query = Query {
    kind: "schemas",
    sql: include_str!("schemas.sql"),
};
const EXTENSIONS: Query = Query {
    kind: "extensions",
    sql: include_str!("extensions.sql"),
};
const MEMBER_GRANTS: Query = Query {
    kind: "member_grants",
    sql: include_str!("member_grants.sql"),
};
const RELATIONS: Query = Query {
    kind: "relations",
    sql: include_str!("relations.sql"),
};
const COLUMNS: Query = Query {
    kind: "columns",
    sql: include_str!("columns.sql"),
};
const CONSTRAINTS: Query = Query {
    kind: "constraints",
    sql: include_str!("constraints.sql"),
};
const INDEXES: Query = Query {
    kind: "indexes",
    sql: include_str!("indexes.sql"),
};
const TRIGGERS: Query = Query {
    kind: "triggers",
    sql: include_str!("triggers.sql"),
};
const POLICIES: Query = Query {
    kind: "policies",
    sql: include_str!("policies.sql"),
};
const SEQUENCES: Query = Query {
    kind: "sequences",
    sql: include_str!("sequences.sql"),
};
const FUNCTIONS: Query = Query {
    kind: "functions",
    sql: include_str!("functions.sql"),
};
const TYPES: Query = Query {
    kind: "types",
    sql: include_str!("types.sql"),
};
const GRANTS: Query = Query {
    kind: "grants",
    sql: include_str!("grants.sql"),
};
const PRESENT: Query = Query {
    kind: "present",
    sql: include_str!("present.sql"),
};
const DEPENDENCIES: Query = Query {
    kind: "dependencies",
    sql: include_str!("dependencies.sql"),
};

/// Every kind's query, in the order they are sent (the rarer kinds' after `PRESENT`, which
/// says which of them to send).
const QUERIES: [&Query; 14] = [
    &PRESENT,
    &SCHEMAS,
    &EXTENSIONS,
    &RELATIONS,
    &COLUMNS,
    &CONSTRAINTS,
    &INDEXES,
    &TRIGGERS,
    &POLICIES,
    &SEQUENCES,
    &FUNCTIONS,
    &TYPES,
    &GRANTS,
    &DEPENDENCIES,
];

/// The catalog queries exactly as `read` sends them to a server of `version`
/// (`server_version_num`): the object kind and the SQL, which takes one `text[]` parameter (the
/// schemas to read, or NULL for all). For running them by hand and for the benchmark's floor.
pub fn queries(version: i32) -> Vec<(&'static str, String)> {
    (QUERIES.into_iter().chain(defined::QUERIES))
        .map(|q| (q.kind, for_version(q.sql, version)))
        .collect()
}

/// Session setup: one consistent read-only snapshot, timeouts so a busy server cannot hang a CI
/// job, and an empty search path for the deparse functions. `SET LOCAL` so that the caller's
/// session is as it was once the transaction ends. JIT off: on a large catalog the planner's
/// estimates pass the JIT thresholds, and compiling costs more than these queries gain from it
/// (a fifth of the read time at 10,000 tables). No parallel workers: the time goes into the
/// deparse functions, not the scans, so workers made no read faster in the benchmark but cost
/// the server a sixth more CPU, and took worker slots the application may need.
///
/// No nested-loop joins: the queries read whole catalogs, and a nested loop is only cheaper
/// than a hash join when one side is tiny. The planner thinks so when the catalog statistics
/// are stale (a database copied from a template, or built by migrations a second ago, keeps
/// the template's pg_statistic), and then rescans a catalog once per row of another: the
/// columns query took 9× as long, and it grows with the product of two catalog sizes. Hash
/// joins cost the sum of the sizes whatever the estimates say. Correlated subqueries keep
/// their index lookups (they are not joins), which is why each of them reads one catalog: a
/// join inside one would become a hash join per outer row (`tests/catalog_plans.rs` checks
/// every query's plan for both).
///
/// A savepoint last, rolled back to after each query: a read-only transaction holds every
/// lock it took until it ends, and deparsing a view locks each relation the view reads (with
/// the catalogs each query scans, 213 relation locks for Sourcegraph's schema). The server's
/// lock table is shared by all its sessions, so a fleet read at once could fill it and make an
/// application's transactions fail with "out of shared memory". Rolled back to, the savepoint
/// releases what the query locked and keeps the snapshot: a read holds at most one query's
/// locks at a time (92 there, the relations query's).
pub const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
     SET LOCAL application_name = 'pgdrift'; \
     SET LOCAL statement_timeout = '60s'; \
     SET LOCAL lock_timeout = '5s'; \
     SET LOCAL search_path = ''; \
     SET LOCAL jit = off; \
     SET LOCAL max_parallel_workers_per_gather = 0; \
     SET LOCAL enable_nestloop = off; \
     SHOW server_version_num; \
     SELECT pg_catalog.version(); \
     SAVEPOINT pgdrift_read";

/// Read the schema of the database `client` is connected to.
pub async fn read(client: &Client, scope: &Scope) -> Result<Schema, CatalogError> {
    let version = match begin(client).await {
        Ok(version) => version,
        Err(e) => {
            // Leave the connection usable whatever state the failed setup left it in.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    };
    // COMMIT once every answer is in: the queries go out as their futures are first polled,
    // and some only after the answer to `present.sql` (which tokio may poll before the others
    // had their turn), so a pipelined COMMIT could overtake a query and leave it to run
    // outside the transaction's snapshot and settings. It costs one round trip.
    let reading = Reading {
        client,
        version,
        scope: &scope.schemas,
        release_locks: true,
    };
    let fetched = match fetch_all(&reading).await {
        Ok(fetched) => fetched,
        Err(e) => {
            // Leave the connection usable.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    };
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| CatalogError::postgres("committing the read-only transaction", &e))?;
    // Assembling 150,000 columns takes a moment of CPU: on the blocking pool, so the async
    // workers keep receiving the other targets' rows and two targets assemble at the same time.
    tokio::task::spawn_blocking(move || assemble(fetched))
        .await
        .map_err(|e| CatalogError::new("assembling the schema", e.to_string()))
}

/// The settings of `BEGIN` for a transaction the caller has open (apply's re-check, which
/// must see the transaction's own DDL).
const IN_TRANSACTION: &str = "SET LOCAL search_path = ''; \
     SET LOCAL jit = off; \
     SET LOCAL max_parallel_workers_per_gather = 0; \
     SET LOCAL enable_nestloop = off; \
     SHOW server_version_num";

/// Read the schema inside the transaction the caller has open on `client`: the same queries
/// as `read`, seeing the transaction's own changes. The transaction's `search_path` is left
/// empty and its nested loops off.
pub async fn read_in_transaction(client: &Client, scope: &Scope) -> Result<Schema, CatalogError> {
    let version = session(client, IN_TRANSACTION, "setting up the re-check").await?;
    // The caller's transaction holds stronger locks on what it changed; a savepoint here would
    // only add round trips.
    let reading = Reading {
        client,
        version,
        scope: &scope.schemas,
        release_locks: false,
    };
    let fetched = fetch_all(&reading).await?;
    tokio::task::spawn_blocking(move || assemble(fetched))
        .await
        .map_err(|e| CatalogError::new("assembling the schema", e.to_string()))
}

async fn begin(client: &Client) -> Result<i32, CatalogError> {
    const STEP: &str = "starting the read-only transaction";
    let messages = match client.simple_query(BEGIN).await {
        Ok(messages) => messages,
        Err(e) => {
            // CockroachDB refuses some of the session settings: say what the server is.
            let _ = client.batch_execute("ROLLBACK").await;
            if let Ok(rows) = client.simple_query("SELECT pg_catalog.version()").await
                && let Some(version) = first_column(&rows).filter(|v| is_cockroachdb(v))
            {
                return Err(not_postgresql(&version));
            }
            return Err(CatalogError::postgres(STEP, &e));
        }
    };
    let version = rows_of(&messages).nth(1).unwrap_or_default();
    if is_cockroachdb(&version) {
        return Err(not_postgresql(&version));
    }
    server_version_num(first_column(&messages), STEP)
}

/// The first column of each row of a simple query's answer.
fn rows_of(messages: &[SimpleQueryMessage]) -> impl Iterator<Item = String> + '_ {
    messages.iter().filter_map(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
        _ => None,
    })
}

fn first_column(messages: &[SimpleQueryMessage]) -> Option<String> {
    rows_of(messages).next()
}

/// `version()` of CockroachDB (which speaks PostgreSQL's protocol and fills much of
/// `pg_catalog`, but not the way this reader reads it) starts with its name.
pub fn is_cockroachdb(version: &str) -> bool {
    version.trim_start().starts_with("CockroachDB")
}

fn not_postgresql(version: &str) -> CatalogError {
    let version: String = version.chars().take(80).collect();
    CatalogError::new(
        "checking the server",
        format!(
            "the server is CockroachDB ({version}), not PostgreSQL; pgdrift's PostgreSQL reader \
             refuses it because CockroachDB keeps what it reads elsewhere (its ACL columns are \
             empty, so every grant would compare equal); pgdrift's experimental CockroachDB reader \
             serves `url` targets of check, diff and snapshot (and `pgdrift record`), not this \
             path"
        ),
    )
}

async fn session(client: &Client, setup: &str, step: &'static str) -> Result<i32, CatalogError> {
    let messages = client
        .simple_query(setup)
        .await
        .map_err(|e| CatalogError::postgres(step, &e))?;
    server_version_num(first_column(&messages), step)
}

/// The answer of `SHOW server_version_num`, checked against the oldest supported major.
fn server_version_num(text: Option<String>, step: &'static str) -> Result<i32, CatalogError> {
    let text =
        text.ok_or_else(|| CatalogError::new(step, "SHOW server_version_num returned no row"))?;
    let version: i32 = text
        .trim()
        .parse()
        .map_err(|_| CatalogError::new(step, format!("unexpected server_version_num {text:?}")))?;
    if version < MIN_SERVER_VERSION {
        return Err(CatalogError::new(
            "checking the server version",
            format!(
                "PostgreSQL {} is not supported; pgdrift reads PostgreSQL 13 and later",
                version / 10_000
            ),
        ));
    }
    Ok(version)
}

/// The query text for a server: a line ending in `-- since PostgreSQL N` is dropped when the
/// server is older than N (the only way the queries differ between versions).
fn for_version(sql: &str, version: i32) -> String {
    const MARK: &str = "-- since PostgreSQL ";
    let mut out = String::with_capacity(sql.len());
    for line in sql.lines() {
        let needs = line
            .rsplit_once(MARK)
            .and_then(|(_, major)| major.trim().parse::<i32>().ok());
        if needs.is_none_or(|major| version >= major * 10_000) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Why a row could not be turned into the model.
struct Bad(String);

fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, Bad> {
    row.try_get(column)
        .map_err(|e| Bad(format!("column {column}: {e}")))
}

/// A column that only servers of some versions return (its line is marked `-- since
/// PostgreSQL N`): `None` where the query does not select it.
fn get_since<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<Option<T>, Bad> {
    if row.columns().iter().any(|c| c.name() == column) {
        get::<Option<T>>(row, column)
    } else {
        Ok(None)
    }
}

fn code(row: &Row, column: &str) -> Result<char, Bad> {
    get::<i8>(row, column).map(|c| c as u8 as char)
}

fn unexpected(column: &str, value: char) -> Bad {
    Bad(format!("unexpected {column} value {value:?}"))
}

/// One read's connection and what every query of it needs.
struct Reading<'a> {
    client: &'a Client,
    version: i32,
    scope: &'a Option<Vec<String>>,
    /// Roll back to the savepoint `BEGIN` set after each query, which releases the locks that
    /// query took (deparsing a view locks every relation it reads) while the snapshot stays.
    release_locks: bool,
}

/// The statement that releases what one query locked (`BEGIN` sets the savepoint).
const RELEASE_LOCKS: &str = "ROLLBACK TO SAVEPOINT pgdrift_read";

/// Run one kind's query and decode its rows as they arrive (while later queries are still on
/// the wire), keeping no more than one raw row at a time. With `release_locks`, the rollback
/// to the savepoint goes out right behind the query (in the same poll, so before any later
/// query): the server runs it as soon as this query is done.
/// One query's rows, decoded as they arrive into `C` (a `Vec`, or [`Blocks`] for the kinds
/// with a row per column).
async fn fetch<T, C: Default + Extend<T>>(
    reading: &Reading<'_>,
    query: &Query,
    decode: fn(&Row) -> Result<T, Bad>,
) -> Result<C, CatalogError> {
    let step = || format!("query {:?} ({}.sql)", query.kind, query.kind);
    let sql = for_version(query.sql, reading.version);
    let rows = async {
        let rows = reading
            .client
            .query_typed_raw(&sql, [(reading.scope, Type::TEXT_ARRAY)])
            .await
            .map_err(|e| CatalogError::postgres(step(), &e))?;
        let mut rows = std::pin::pin!(rows);
        let mut out = C::default();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(|e| CatalogError::postgres(step(), &e))?
        {
            let row = decode(&row).map_err(|Bad(message)| CatalogError::new(step(), message))?;
            out.extend(std::iter::once(row));
        }
        Ok(out)
    };
    let release = async {
        if reading.release_locks {
            reading
                .client
                .batch_execute(RELEASE_LOCKS)
                .await
                .map_err(|e| {
                    CatalogError::postgres(format!("{} (releasing its locks)", step()), &e)
                })?;
        }
        Ok(())
    };
    let (rows, released) = futures_util::join!(rows, release);
    released.and(rows)
}

struct Fetched {
    schemas: Vec<(u32, String, Namespace)>,
    extensions: Vec<(u32, String, Extension)>,
    member_grants: Vec<(u32, MemberGrants)>,
    relations: Vec<RelationRow>,
    columns: Blocks<ColumnRow>,
    constraints: Vec<ConstraintRow>,
    indexes: Vec<ChildRow<Index>>,
    triggers: Vec<ChildRow<Trigger>>,
    policies: Vec<ChildRow<Policy>>,
    sequences: Vec<(u32, u32, String, Sequence)>,
    functions: Vec<(u32, u32, String, Function)>,
    types: Vec<TypeRow>,
    grants: Vec<GrantRow>,
    dependencies: Vec<DependencyRow>,
    defined: Vec<DefinedRow>,
}

/// The rarer kinds' rows: first which of them the database has (`present.sql`), then the
/// queries of those (sent while the server still works on the others).
async fn fetch_defined(reading: &Reading<'_>) -> Result<Vec<Vec<DefinedRow>>, CatalogError> {
    let present: Vec<_> = fetch(reading, &PRESENT, defined::decode_present).await?;
    let present = present.into_iter().next().unwrap_or_default();
    let queries = defined::QUERIES
        .iter()
        .filter(|q| present.contains(&q.kind));
    futures_util::future::try_join_all(queries.map(|q| fetch(reading, q, defined::decode))).await
}

async fn fetch_all(reading: &Reading<'_>) -> Result<Fetched, CatalogError> {
    let r = reading;
    // `biased`: polled in this order, so the requests go out in this order on the first poll.
    let (
        defined,
        schemas,
        extensions,
        member_grants,
        relations,
        columns,
        constraints,
        indexes,
        triggers,
        policies,
        sequences,
        functions,
        types,
        grants,
        dependencies,
    ) = tokio::try_join!(
        biased;
        // First, so that the question which rarer kinds exist is answered before the server
        // is through with the rest, and their queries queue behind it.
        fetch_defined(r),
        fetch(r, &SCHEMAS, decode_schema),
        fetch(r, &EXTENSIONS, decode_extension),
        fetch(r, &MEMBER_GRANTS, decode_member_grants),
        fetch(r, &RELATIONS, decode_relation),
        fetch(r, &COLUMNS, decode_column),
        fetch(r, &CONSTRAINTS, decode_constraint),
        fetch(r, &INDEXES, decode_index),
        fetch(r, &TRIGGERS, decode_trigger),
        fetch(r, &POLICIES, decode_policy),
        fetch(r, &SEQUENCES, decode_sequence),
        fetch(r, &FUNCTIONS, decode_function),
        fetch(r, &TYPES, decode_type),
        fetch(r, &GRANTS, decode_grant),
        fetch(r, &DEPENDENCIES, decode_dependency),
    )?;
    Ok(Fetched {
        schemas,
        extensions,
        member_grants,
        relations,
        columns,
        constraints,
        indexes,
        triggers,
        policies,
        sequences,
        functions,
        types,
        grants,
        dependencies,
        defined: defined.into_iter().flatten().collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Decoding rows

fn decode_schema(row: &Row) -> Result<(u32, String, Namespace), Bad> {
    Ok((
        get(row, "oid")?,
        get(row, "name")?,
        Namespace {
            owner: get(row, "owner")?,
            comment: get(row, "comment")?,
            ..Namespace::default()
        },
    ))
}

fn decode_extension(row: &Row) -> Result<(u32, String, Extension), Bad> {
    Ok((
        get(row, "oid")?,
        get(row, "name")?,
        Extension {
            version: get(row, "version")?,
            schema: get(row, "schema")?,
            comment: get(row, "comment")?,
            member_grants: Vec::new(),
        },
    ))
}

/// (extension OID, member's privileges) from member_grants.sql.
fn decode_member_grants(row: &Row) -> Result<(u32, MemberGrants), Bad> {
    let kind = match get::<&str>(row, "kind")? {
        "language" => ObjectKind::Language,
        "p" => ObjectKind::Procedure,
        "a" => ObjectKind::Aggregate,
        _ => ObjectKind::Function,
    };
    let name: String = get(row, "name")?;
    let name = match get::<Option<String>>(row, "argument_types")? {
        Some(args) => format!("{}({args})", quote_ident(&name)),
        None => name,
    };
    Ok((
        get(row, "extension_oid")?,
        MemberGrants {
            path: ObjectPath {
                kind,
                schema: get(row, "schema")?,
                parent: None,
                name,
            },
            target: get(row, "target")?,
            initial: grant_arrays(row, "initial_")?,
            grants: grant_arrays(row, "")?,
        },
    ))
}

enum Relation {
    Table(Box<Table>),
    View(Box<View>),
}

struct RelationRow {
    oid: u32,
    schema_oid: u32,
    name: String,
    relation: Relation,
    /// The relation's row type and that type's array type.
    row_type_oid: u32,
    row_array_oid: u32,
    /// A view's column names; the n-th is attnum n.
    view_columns: Vec<String>,
}

/// A view's per-column values (an array in attnum order, NULL for none) by column name.
fn by_view_column(row: &Row, column: &str) -> Result<BTreeMap<String, String>, Bad> {
    let names = get::<Option<Vec<String>>>(row, "view_columns")?.unwrap_or_default();
    let values: Vec<Option<String>> = get::<Option<_>>(row, column)?.unwrap_or_default();
    Ok((names.into_iter().zip(values))
        .filter_map(|(name, value)| Some((name, value?)))
        .collect())
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort_unstable();
    list
}

fn decode_relation(row: &Row) -> Result<RelationRow, Bad> {
    let owner = get(row, "owner")?;
    let comment = get(row, "comment")?;
    let reloptions = sorted(get::<Option<Vec<String>>>(row, "reloptions")?.unwrap_or_default());
    let relation = match code(row, "relkind")? {
        'r' | 'p' => Relation::Table(Box::new(Table {
            owner,
            comment,
            persistence: match code(row, "relpersistence")? {
                'p' => Persistence::Permanent,
                'u' => Persistence::Unlogged,
                other => return Err(unexpected("relpersistence", other)),
            },
            partition_key: get(row, "partition_key")?,
            partition_of: get(row, "partition_of")?,
            partition_bound: get(row, "partition_bound")?,
            inherits: get::<Option<Vec<String>>>(row, "inherits")?.unwrap_or_default(),
            rls_enabled: get(row, "rls_enabled")?,
            rls_forced: get(row, "rls_forced")?,
            reloptions,
            replica_identity: match code(row, "relreplident")? {
                'd' => ReplicaIdentity::Default,
                'n' => ReplicaIdentity::Nothing,
                'f' => ReplicaIdentity::Full,
                'i' => get::<Option<String>>(row, "replica_index")?
                    .map_or(ReplicaIdentity::Default, ReplicaIdentity::Index),
                other => return Err(unexpected("relreplident", other)),
            },
            cluster_on: get(row, "cluster_on")?,
            access_method: get(row, "access_method")?,
            tablespace: get(row, "tablespace")?,
            ..Table::default()
        })),
        kind @ ('v' | 'm') => Relation::View(Box::new(View {
            owner,
            comment,
            grants: Vec::new(),
            materialized: kind == 'm',
            definition: get(row, "definition")?,
            reloptions,
            indexes: Default::default(),
            triggers: Default::default(),
            column_comments: by_view_column(row, "view_column_comments")?,
            column_defaults: by_view_column(row, "view_column_defaults")?,
            cluster_on: get(row, "cluster_on")?,
            column_grants: Default::default(),
        })),
        other => return Err(unexpected("relkind", other)),
    };
    Ok(RelationRow {
        oid: get(row, "oid")?,
        schema_oid: get(row, "schema_oid")?,
        name: get(row, "name")?,
        relation,
        row_type_oid: get(row, "row_type_oid")?,
        row_array_oid: get::<Option<u32>>(row, "row_array_oid")?.unwrap_or(0),
        view_columns: get::<Option<Vec<String>>>(row, "view_columns")?.unwrap_or_default(),
    })
}

struct ColumnRow {
    table_oid: u32,
    attnum: i16,
    name: String,
    column: Column,
    /// The pg_attrdef row of the default or generation expression.
    default_oid: Option<u32>,
}

fn decode_column(row: &Row) -> Result<ColumnRow, Bad> {
    let expression: Option<String> = get(row, "expression")?;
    // attgenerated: '' plain, 's' stored, 'v' virtual (PostgreSQL 18).
    let (default, generated) = match code(row, "generated")? {
        '\0' => (expression, None),
        's' | 'v' => (None, expression),
        other => return Err(unexpected("attgenerated", other)),
    };
    let identity = match code(row, "identity")? {
        '\0' => None,
        'a' => Some(Identity::Always),
        'd' => Some(Identity::ByDefault),
        other => return Err(unexpected("attidentity", other)),
    };
    let storage = match get::<Option<i8>>(row, "storage")?.map(|c| c as u8 as char) {
        None => None,
        Some('p') => Some("plain"),
        Some('e') => Some("external"),
        Some('x') => Some("extended"),
        Some('m') => Some("main"),
        Some(other) => return Err(unexpected("attstorage", other)),
    };
    let compression = match get_since::<i8>(row, "compression")?.map(|c| c as u8 as char) {
        None | Some('\0') => None,
        Some('p') => Some("pglz"),
        Some('l') => Some("lz4"),
        Some(other) => return Err(unexpected("attcompression", other)),
    };
    let data_type: String = get(row, "type")?;
    let identity_options = match get::<Option<Vec<i64>>>(row, "identity_sequence")?.as_deref() {
        None => IdentityOptions::default(),
        Some(&[start, increment, min_value, max_value, cache, cycle]) => {
            IdentityOptions::from_values(
                &data_type,
                SequenceValues {
                    start,
                    increment,
                    min_value,
                    max_value,
                    cache,
                    cycle: cycle != 0,
                },
            )
        }
        Some(other) => return Err(Bad(format!("unexpected identity_sequence {other:?}"))),
    };
    Ok(ColumnRow {
        table_oid: get(row, "table_oid")?,
        attnum: get(row, "attnum")?,
        name: get(row, "name")?,
        default_oid: get(row, "default_oid")?,
        column: Column {
            position: 0,
            data_type,
            not_null: get(row, "not_null")?,
            default,
            identity,
            generated,
            collation: get(row, "collation")?,
            comment: get(row, "comment")?,
            grants: Vec::new(),
            storage: storage.map(str::to_string),
            compression: compression.map(str::to_string),
            statistics: get(row, "statistics")?,
            options: sorted(get::<Option<Vec<String>>>(row, "options")?.unwrap_or_default()),
            identity_options: (identity_options != IdentityOptions::default())
                .then(|| Box::new(identity_options)),
            hidden: false,
        },
    })
}

struct ConstraintRow {
    oid: u32,
    table_oid: u32,
    type_oid: u32,
    /// The index a primary key, unique or exclusion constraint is made of; 0 for other kinds.
    index_oid: u32,
    name: String,
    constraint: Constraint,
}

fn decode_constraint(row: &Row) -> Result<ConstraintRow, Bad> {
    let kind = match code(row, "contype")? {
        'p' => ConstraintKind::PrimaryKey,
        'u' => ConstraintKind::Unique,
        'f' => ConstraintKind::ForeignKey,
        'c' => ConstraintKind::Check,
        'x' => ConstraintKind::Exclusion,
        'n' => ConstraintKind::NotNull,
        other => return Err(unexpected("contype", other)),
    };
    Ok(ConstraintRow {
        oid: get(row, "oid")?,
        table_oid: get(row, "table_oid")?,
        type_oid: get(row, "type_oid")?,
        index_oid: get(row, "index_oid")?,
        name: get(row, "name")?,
        constraint: Constraint {
            kind,
            definition: get(row, "definition")?,
            comment: get(row, "comment")?,
        },
    })
}

/// An object that belongs to a table or view: an index, trigger or policy.
struct ChildRow<T> {
    oid: u32,
    table_oid: u32,
    name: String,
    object: T,
}

fn decode_index(row: &Row) -> Result<ChildRow<Index>, Bad> {
    Ok(ChildRow {
        oid: get(row, "oid")?,
        table_oid: get(row, "table_oid")?,
        name: get(row, "name")?,
        object: Index {
            definition: get(row, "definition")?,
            comment: get(row, "comment")?,
            tablespace: get(row, "tablespace")?,
            invalid: get(row, "invalid")?,
            statistics: get::<Option<Vec<String>>>(row, "statistics")?.unwrap_or_default(),
            visibility: None,
        },
    })
}

fn decode_trigger(row: &Row) -> Result<ChildRow<Trigger>, Bad> {
    Ok(ChildRow {
        oid: get(row, "oid")?,
        table_oid: get(row, "table_oid")?,
        name: get(row, "name")?,
        object: Trigger {
            definition: get(row, "definition")?,
            enabled: code(row, "enabled")?.to_string(),
            comment: get(row, "comment")?,
        },
    })
}

fn decode_policy(row: &Row) -> Result<ChildRow<Policy>, Bad> {
    let command = match code(row, "command")? {
        '*' => "ALL",
        'r' => "SELECT",
        'a' => "INSERT",
        'w' => "UPDATE",
        'd' => "DELETE",
        other => return Err(unexpected("polcmd", other)),
    };
    Ok(ChildRow {
        oid: get(row, "oid")?,
        table_oid: get(row, "table_oid")?,
        name: get(row, "name")?,
        object: Policy {
            command: command.to_string(),
            permissive: get(row, "permissive")?,
            roles: sorted(get(row, "roles")?),
            using: get(row, "using")?,
            with_check: get(row, "with_check")?,
            comment: get(row, "comment")?,
        },
    })
}

fn decode_sequence(row: &Row) -> Result<(u32, u32, String, Sequence), Bad> {
    Ok((
        get(row, "oid")?,
        get(row, "schema_oid")?,
        get(row, "name")?,
        Sequence {
            owner: get(row, "owner")?,
            comment: get(row, "comment")?,
            grants: Vec::new(),
            data_type: get(row, "data_type")?,
            start: get(row, "start")?,
            increment: get(row, "increment")?,
            min_value: get(row, "min_value")?,
            max_value: get(row, "max_value")?,
            cache: get(row, "cache")?,
            cycle: get(row, "cycle")?,
            owned_by: get(row, "owned_by")?,
        },
    ))
}

fn decode_function(row: &Row) -> Result<(u32, u32, String, Function), Bad> {
    let name: &str = get(row, "name")?;
    let argument_types: &str = get(row, "argument_types")?;
    let key = format!("{}({argument_types})", quote_ident(name));
    let kind = match code(row, "kind")? {
        'f' => FunctionKind::Function,
        'p' => FunctionKind::Procedure,
        'a' => FunctionKind::Aggregate,
        'w' => FunctionKind::Window,
        other => return Err(unexpected("prokind", other)),
    };
    let volatility = match code(row, "volatility")? {
        'i' => "immutable",
        's' => "stable",
        'v' => "volatile",
        other => return Err(unexpected("provolatile", other)),
    };
    let parallel = match code(row, "parallel")? {
        's' => "safe",
        'r' => "restricted",
        'u' => "unsafe",
        other => return Err(unexpected("proparallel", other)),
    };
    Ok((
        get(row, "oid")?,
        get(row, "schema_oid")?,
        key,
        Function {
            owner: get(row, "owner")?,
            comment: get(row, "comment")?,
            grants: Vec::new(),
            kind,
            arguments: get(row, "arguments")?,
            returns: get(row, "returns")?,
            language: get(row, "language")?,
            body: get::<Option<String>>(row, "body")?.unwrap_or_default(),
            volatility: volatility.to_string(),
            strict: get(row, "strict")?,
            security_definer: get(row, "security_definer")?,
            leakproof: get(row, "leakproof")?,
            parallel: parallel.to_string(),
            cost: get(row, "cost")?,
            rows: get(row, "rows")?,
            config: get::<Option<Vec<String>>>(row, "config")?.unwrap_or_default(),
            extensions: get::<Option<Vec<String>>>(row, "extensions")?.unwrap_or_default(),
        },
    ))
}

struct TypeRow {
    oid: u32,
    schema_oid: u32,
    name: String,
    ty: TypeObject,
    /// The types that stand for this one in dependency edges: its array type, and a range's
    /// multirange type and that one's array type.
    stand_ins: Vec<u32>,
    /// A composite type's relation (pg_class relkind c), whose attributes are the type's.
    relation_oid: u32,
}

fn decode_type(row: &Row) -> Result<TypeRow, Bad> {
    let definition = match code(row, "kind")? {
        'e' => TypeDefinition::Enum {
            labels: get(row, "labels")?,
        },
        'd' => TypeDefinition::Domain {
            base_type: get(row, "base_type")?,
            not_null: get(row, "not_null")?,
            default: get(row, "default")?,
            collation: get(row, "collation")?,
            constraints: Default::default(),
        },
        'c' => {
            let names: Vec<String> = get(row, "attribute_names")?;
            let types: Vec<String> = get(row, "attribute_types")?;
            TypeDefinition::Composite {
                attributes: names.into_iter().zip(types).collect(),
            }
        }
        'r' => TypeDefinition::Range {
            subtype: get(row, "subtype")?,
            subtype_opclass: get(row, "subtype_opclass")?,
            collation: get(row, "collation")?,
            canonical: get(row, "canonical")?,
            subtype_diff: get(row, "subtype_diff")?,
        },
        other => return Err(unexpected("typtype", other)),
    };
    let mut stand_ins: Vec<u32> = vec![get(row, "array_oid")?];
    stand_ins.extend(get::<Option<Vec<u32>>>(row, "multirange_oids")?.unwrap_or_default());
    stand_ins.retain(|oid| *oid != 0);
    Ok(TypeRow {
        oid: get(row, "oid")?,
        schema_oid: get(row, "schema_oid")?,
        name: get(row, "name")?,
        ty: TypeObject {
            owner: get(row, "owner")?,
            comment: get(row, "comment")?,
            grants: Vec::new(),
            constraint_comments: Default::default(),
            definition,
        },
        stand_ins,
        relation_oid: get(row, "relation_oid")?,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GrantOn {
    Schema,
    Relation,
    Column,
    Sequence,
    Function,
    Type,
}

struct GrantRow {
    on: GrantOn,
    oid: u32,
    column: Option<String>,
    grant: Grant,
}

fn decode_grant(row: &Row) -> Result<GrantRow, Bad> {
    let on = match get::<&str>(row, "kind")? {
        "schema" => GrantOn::Schema,
        "relation" => GrantOn::Relation,
        "column" => GrantOn::Column,
        "sequence" => GrantOn::Sequence,
        "function" => GrantOn::Function,
        "type" => GrantOn::Type,
        other => return Err(Bad(format!("unexpected grant kind {other:?}"))),
    };
    Ok(GrantRow {
        on,
        oid: get(row, "oid")?,
        column: get(row, "column_name")?,
        grant: Grant {
            grantee: get(row, "grantee")?,
            privilege: get(row, "privilege")?,
            grantable: get(row, "grantable")?,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Assembling the model

/// An object on its way into the model: its namespace's OID, its name, the object.
struct Pending<T> {
    schema_oid: u32,
    name: String,
    object: T,
}

fn pending<T>(rows: Vec<(u32, u32, String, T)>) -> HashMap<u32, Pending<T>> {
    rows.into_iter()
        .map(|(oid, schema_oid, name, object)| {
            (
                oid,
                Pending {
                    schema_oid,
                    name,
                    object,
                },
            )
        })
        .collect()
}

fn assemble(f: Fetched) -> Schema {
    // Edges first: they resolve OIDs through the rows that the rest of assembly consumes.
    let dependencies = dependencies::resolve(&f);
    let mut namespaces: HashMap<u32, (String, Namespace)> = f
        .schemas
        .into_iter()
        .map(|(oid, name, ns)| (oid, (name, ns)))
        .collect();
    let mut tables: HashMap<u32, Pending<Table>> = HashMap::new();
    let mut views: HashMap<u32, Pending<View>> = HashMap::new();
    for RelationRow {
        oid,
        schema_oid,
        name,
        relation,
        ..
    } in f.relations
    {
        match relation {
            Relation::Table(object) => {
                tables.insert(
                    oid,
                    Pending {
                        schema_oid,
                        name,
                        object: *object,
                    },
                );
            }
            Relation::View(object) => {
                views.insert(
                    oid,
                    Pending {
                        schema_oid,
                        name,
                        object: *object,
                    },
                );
            }
        }
    }
    let mut sequences = pending(f.sequences);
    let mut functions = pending(f.functions);
    let mut types = pending(
        f.types
            .into_iter()
            .map(|t| (t.oid, t.schema_oid, t.name, t.ty))
            .collect(),
    );

    // Each column goes into its table as its row comes, holding its attnum for a position, so
    // the rows' blocks are freed as they are consumed (at 20,000 tables they are 90 MB a side).
    for c in f.columns {
        if let Some(t) = tables.get_mut(&c.table_oid) {
            let column = Column {
                position: u32::from(c.attnum.unsigned_abs()),
                ..c.column
            };
            t.object.columns.insert(c.name, Box::new(column));
        }
    }
    // Positions count live columns in attnum order, so dropped columns leave no gap.
    for t in tables.values_mut() {
        let mut columns: Vec<&mut Column> =
            t.object.columns.values_mut().map(|c| &mut **c).collect();
        columns.sort_unstable_by_key(|c| c.position);
        for (i, c) in columns.into_iter().enumerate() {
            c.position = i as u32 + 1;
        }
    }
    for c in f.constraints {
        if c.constraint.kind == ConstraintKind::NotNull {
            // Nullability is read from attnotnull/typnotnull on every version.
            continue;
        }
        if let Some(t) = tables.get_mut(&c.table_oid) {
            t.object.constraints.insert(c.name, c.constraint);
        } else if let Some(t) = types.get_mut(&c.type_oid)
            && let TypeDefinition::Domain { constraints, .. } = &mut t.object.definition
        {
            if let Some(comment) = c.constraint.comment {
                t.object.constraint_comments.insert(c.name.clone(), comment);
            }
            constraints.insert(c.name, c.constraint.definition);
        }
    }
    for i in f.indexes {
        if let Some(t) = tables.get_mut(&i.table_oid) {
            t.object.indexes.insert(i.name, i.object);
        } else if let Some(v) = views.get_mut(&i.table_oid) {
            v.object.indexes.insert(i.name, i.object);
        }
    }
    for t in f.triggers {
        if let Some(table) = tables.get_mut(&t.table_oid) {
            table.object.triggers.insert(t.name, t.object);
        } else if let Some(v) = views.get_mut(&t.table_oid) {
            v.object.triggers.insert(t.name, t.object);
        }
    }
    for p in f.policies {
        if let Some(t) = tables.get_mut(&p.table_oid) {
            t.object.policies.insert(p.name, p.object);
        }
    }
    for g in f.grants {
        let list = match g.on {
            GrantOn::Schema => namespaces.get_mut(&g.oid).map(|(_, ns)| &mut ns.grants),
            GrantOn::Relation => match tables.get_mut(&g.oid) {
                Some(t) => Some(&mut t.object.grants),
                None => views.get_mut(&g.oid).map(|v| &mut v.object.grants),
            },
            GrantOn::Column => match tables.get_mut(&g.oid) {
                Some(t) => (t
                    .object
                    .columns
                    .get_mut(g.column.as_deref().unwrap_or_default()))
                .map(|column| &mut column.grants),
                None => views.get_mut(&g.oid).and_then(|v| {
                    let column = g.column.clone()?;
                    Some(v.object.column_grants.entry(column).or_default())
                }),
            },
            GrantOn::Sequence => sequences.get_mut(&g.oid).map(|s| &mut s.object.grants),
            GrantOn::Function => functions.get_mut(&g.oid).map(|s| &mut s.object.grants),
            GrantOn::Type => types.get_mut(&g.oid).map(|s| &mut s.object.grants),
        };
        if let Some(list) = list {
            list.push(g.grant);
        }
    }

    // Move everything into its namespace; sort the grant lists on the way.
    for t in tables.into_values() {
        if let Some((_, ns)) = namespaces.get_mut(&t.schema_oid) {
            let mut table = t.object;
            sort_grants(&mut table.grants);
            for column in table.columns.values_mut() {
                sort_grants(&mut column.grants);
            }
            ns.tables.insert(t.name, table);
        }
    }
    for v in views.into_values() {
        if let Some((_, ns)) = namespaces.get_mut(&v.schema_oid) {
            let mut view = v.object;
            sort_grants(&mut view.grants);
            view.column_grants.values_mut().for_each(sort_grants);
            ns.views.insert(v.name, view);
        }
    }
    for s in sequences.into_values() {
        if let Some((_, ns)) = namespaces.get_mut(&s.schema_oid) {
            let mut sequence = s.object;
            sort_grants(&mut sequence.grants);
            ns.sequences.insert(s.name, sequence);
        }
    }
    for s in functions.into_values() {
        if let Some((_, ns)) = namespaces.get_mut(&s.schema_oid) {
            let mut function = s.object;
            sort_grants(&mut function.grants);
            ns.functions.insert(s.name, function);
        }
    }
    for s in types.into_values() {
        if let Some((_, ns)) = namespaces.get_mut(&s.schema_oid) {
            let mut ty = s.object;
            sort_grants(&mut ty.grants);
            ns.types.insert(s.name, ty);
        }
    }
    let mut schema = Schema::default();
    for (name, mut ns) in namespaces.into_values() {
        sort_grants(&mut ns.grants);
        schema.schemas.insert(name, ns);
    }
    let mut member_grants: HashMap<u32, Vec<MemberGrants>> = HashMap::new();
    for (extension, m) in f.member_grants {
        member_grants.entry(extension).or_default().push(m);
    }
    schema.extensions = (f.extensions.into_iter())
        .map(|(oid, name, mut extension)| {
            let mut members = member_grants.remove(&oid).unwrap_or_default();
            members.sort_unstable_by(|a, b| a.path.cmp(&b.path));
            extension.member_grants = members;
            (name, extension)
        })
        .collect();
    schema.dependencies = dependencies;
    schema.defined = f.defined.into_iter().map(|row| row.object).collect();
    schema.defined.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    schema.defined.dedup_by(|a, b| a.path == b.path);
    schema
}

/// Sorted, and without the duplicates two grantors giving the same privilege would leave.
/// Privileges given as three parallel arrays, `{prefix}grantees`, `{prefix}privileges` and
/// `{prefix}grantable` (NULL for none), sorted and without duplicates.
fn grant_arrays(row: &Row, prefix: &str) -> Result<Vec<Grant>, Bad> {
    let grantees: Option<Vec<String>> = get(row, &format!("{prefix}grantees"))?;
    let privileges: Option<Vec<String>> = get(row, &format!("{prefix}privileges"))?;
    let grantable: Option<Vec<bool>> = get(row, &format!("{prefix}grantable"))?;
    let mut out: Vec<Grant> = (grantees.unwrap_or_default().into_iter())
        .zip(privileges.unwrap_or_default())
        .zip(grantable.unwrap_or_default())
        .map(|((grantee, privilege), grantable)| Grant {
            grantee,
            privilege,
            grantable,
        })
        .collect();
    sort_grants(&mut out);
    Ok(out)
}

fn sort_grants(grants: &mut Vec<Grant>) {
    grants.sort_unstable();
    grants.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cockroachdb_is_told_from_postgresql_by_its_version() {
        for crdb in [
            "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)",
            "CockroachDB OSS v21.2.17 (aarch64-unknown-linux-gnu, built 2022/10/17, go1.16.6)",
        ] {
            assert!(is_cockroachdb(crdb), "{crdb}");
            let e = not_postgresql(crdb).to_string();
            assert!(e.contains("CockroachDB") && e.contains("refuses"), "{e}");
        }
        for pg in [
            "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu",
            "PostgreSQL 16.1 on aarch64-apple-darwin, compiled by CockroachDB fans",
            "",
        ] {
            assert!(!is_cockroachdb(pg), "{pg}");
        }
    }

    #[test]
    fn present_answers_for_every_rarer_kind() {
        for q in defined::QUERIES {
            assert!(
                PRESENT.sql.contains(&format!(" AS {},", q.kind))
                    || PRESENT.sql.ends_with(&format!(" AS {}\n", q.kind)),
                "present.sql has no column {}",
                q.kind
            );
        }
    }

    #[test]
    fn version_marked_lines_are_dropped_on_older_servers() {
        let sql = "SELECT a,\n  b -- since PostgreSQL 14\nFROM t -- a comment\n";
        assert_eq!(for_version(sql, 140_000), sql);
        assert_eq!(for_version(sql, 180_001), sql);
        assert_eq!(
            for_version(sql, 130_016),
            "SELECT a,\nFROM t -- a comment\n"
        );
    }

    #[test]
    fn only_the_function_and_column_queries_branch_on_the_version() {
        for q in [
            &SCHEMAS,
            &EXTENSIONS,
            &RELATIONS,
            &CONSTRAINTS,
            &INDEXES,
            &TRIGGERS,
            &POLICIES,
            &SEQUENCES,
            &TYPES,
            &GRANTS,
            &DEPENDENCIES,
        ] {
            assert_eq!(
                for_version(q.sql, 130_000),
                for_version(q.sql, 180_000),
                "{}",
                q.kind
            );
        }
        for q in [&FUNCTIONS, &COLUMNS] {
            assert_ne!(
                for_version(q.sql, 130_000),
                for_version(q.sql, 140_000),
                "{}",
                q.kind
            );
        }
    }

    #[test]
    fn every_query_filters_namespaces_the_same_way() {
        let start = SCHEMAS
            .sql
            .find("WITH ns AS (")
            .expect("schemas.sql has the ns CTE");
        let end = start + SCHEMAS.sql[start..].find("\n)").expect("end of the ns CTE");
        let cte = &SCHEMAS.sql[start..end];
        for q in [
            &RELATIONS,
            &COLUMNS,
            &CONSTRAINTS,
            &INDEXES,
            &TRIGGERS,
            &POLICIES,
            &SEQUENCES,
            &FUNCTIONS,
            &TYPES,
            &GRANTS,
            &DEPENDENCIES,
        ]
        .into_iter()
        .chain(
            // The kinds compared by their statement that live in a schema.
            (defined::QUERIES.iter()).filter(|q| ["default_privileges"].contains(&q.kind)),
        ) {
            assert!(
                q.sql.contains(cte),
                "{}.sql: namespace filter differs",
                q.kind
            );
        }
        // The kinds compared by their statements too, but for those not in a schema (which
        // only name the parameter, with this test).
        let database_wide = "coalesce(cardinality($1::text[]), 0) >= 0";
        for q in (defined::QUERIES.iter()).filter(|q| !q.sql.contains(database_wide)) {
            assert!(
                q.sql.contains(cte),
                "{}.sql: namespace filter differs",
                q.kind
            );
        }
    }
}

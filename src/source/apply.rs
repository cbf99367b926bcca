//! Apply: run a plan against the actual database so that it either converges or changes
//! nothing.
//!
//! - The dry run only asks read-only questions (`prechecks`): rows that would make a step fail
//!   (NULLs, duplicate keys, values that do not cast, removed enum labels) and the size of what
//!   is rewritten or dropped. It runs in a READ ONLY transaction.
//! - `execute` takes an advisory lock (two applies cannot run at once), refuses a plan whose
//!   actual schema changed since it was computed, commits new enum labels first (PostgreSQL
//!   cannot use a label in the transaction that added it), and then runs every other step in
//!   one transaction with `lock_timeout` and `statement_timeout`. Before a table or column is
//!   dropped its data goes to the backup schema: a table is moved there, a column is copied
//!   keyed by the primary key. Before COMMIT the catalog is read again inside the same
//!   transaction and compared with the expected schema: anything left over rolls everything
//!   back.
//! - Every wait on the server has a client-side deadline, so a server that stops answering
//!   cannot hang an apply: `read_timeout` for the reads, the lock and BEGIN/COMMIT; each DDL
//!   statement `statement_timeout` plus [`STATEMENT_MARGIN`] (none when `statement_timeout` is
//!   0: a table rewrite may rightly take hours). The server rolls back an open transaction when
//!   the connection goes; a COMMIT that got no answer may or may not have taken effect, and the
//!   error says so.

use std::future::Future;
use std::time::Duration;

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::catalog::{self, Scope};
use crate::model::{ConstraintKind, Schema, quote_ident};
use crate::plan::{Hazard, Operation, Phase, Plan, PreCheck, Step};

/// The schema backups go to. The catalog reader never reads it.
pub const BACKUP_SCHEMA: &str = "pgdrift_backup";

/// The advisory lock key apply holds while it runs (`pgdrift` in ASCII).
const LOCK_KEY: i64 = 0x0070_6764_7269_6674;

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `lock_timeout` of the main transaction, as PostgreSQL takes it (`5s`).
    pub lock_timeout: String,
    /// `statement_timeout` of the main transaction (`0`: none).
    pub statement_timeout: String,
    /// Keep dropped tables and columns in the backup schema.
    pub backup: bool,
    /// Names this run's backups and manifest rows.
    pub plan_id: String,
    /// The client-side limit on each read and on the lock, BEGIN and COMMIT (`None`: none).
    pub read_timeout: Option<Duration>,
}

/// How much longer than `statement_timeout` the client waits for a DDL statement: the server's
/// own timeout (with its own message) should end a slow statement first.
pub const STATEMENT_MARGIN: Duration = Duration::from_secs(15);

/// How long the cleanup after a failure may wait (ROLLBACK, unlock, dropping an invalid
/// index): the apply has failed already.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

impl ApplyOptions {
    /// The client-side limit on one DDL statement: `statement_timeout` (read as PostgreSQL reads
    /// it, a bare number in milliseconds) plus [`STATEMENT_MARGIN`]; none when it is 0 (or not
    /// a duration: the server refuses it at BEGIN then).
    pub fn statement_deadline(&self) -> Option<Duration> {
        crate::duration::parse(&self.statement_timeout, Some(Duration::from_millis(1)))
            .filter(|d| !d.is_zero())
            .map(|d| d + STATEMENT_MARGIN)
    }
}

/// What is known of the database when a wait on it ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// Nothing was committed (an open transaction is rolled back when the connection goes).
    BeforeCommit,
    /// A statement that commits on its own got no answer (COMMIT, or a new enum label added
    /// before the main transaction): it may or may not have taken effect.
    AtCommit,
    /// The main transaction was committed; a step after it got no answer.
    AfterCommit,
}

/// The answer to one pre-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub check: PreCheck,
    /// Whether the data lets the step succeed (size checks always do).
    pub ok: bool,
    pub detail: String,
}

/// Why an apply did not converge. In every case but `Failed` after new enum labels were
/// committed, the database is as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// Another apply holds the lock.
    Busy,
    /// The actual schema is not the one the plan was made for.
    Stale,
    /// A statement failed; the transaction was rolled back. `committed_labels` enum labels
    /// were added before the transaction and stay (PostgreSQL cannot remove a label).
    Failed {
        step: String,
        message: String,
        committed_labels: usize,
    },
    /// The steps ran but the schema still differs from the expected one: rolled back.
    NotConverged { leftover: Vec<String> },
    /// The main transaction committed, but a step after it (`--online`) failed, or the
    /// schema still differs at the end: what is committed stays.
    AfterCommit { message: String },
    /// Anything else the server said (connection lost, ...).
    Database(String),
    /// The server did not answer `stage` within `limit` (the setting named by `setting`).
    NoAnswer {
        stage: String,
        limit: Duration,
        setting: &'static str,
        when: Unanswered,
    },
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Busy => f.write_str(
                "another pgdrift apply is running on this database (advisory lock held); \
                 nothing was changed",
            ),
            ApplyError::Stale => f.write_str(
                "the actual schema changed since the plan was made; nothing was changed: plan \
                 again",
            ),
            ApplyError::Failed {
                step,
                message,
                committed_labels,
            } => {
                write!(
                    f,
                    "{step} failed: {message}; the transaction was rolled back"
                )?;
                if *committed_labels > 0 {
                    write!(
                        f,
                        " ({committed_labels} new enum label(s) were committed before it and \
                         stay: PostgreSQL cannot remove an enum label)"
                    )?;
                }
                Ok(())
            }
            ApplyError::NotConverged { leftover } => write!(
                f,
                "after the plan the schema still differs from the expected one, so the \
                 transaction was rolled back; left over:\n  {}",
                leftover.join("\n  ")
            ),
            ApplyError::AfterCommit { message } => write!(
                f,
                "the main transaction was committed, but then {message}; plan again to see \
                 what is left"
            ),
            ApplyError::Database(message) => f.write_str(message),
            ApplyError::NoAnswer {
                stage,
                limit,
                setting,
                when,
            } => {
                write!(
                    f,
                    "{stage}: the server did not answer within {} ({setting}). ",
                    crate::duration::display(*limit)
                )?;
                f.write_str(match when {
                    Unanswered::BeforeCommit => {
                        "Nothing was committed: the server rolls the open transaction back when \
                         the connection closes. Check the server, or raise the limit"
                    }
                    Unanswered::AtCommit => {
                        "Whether it took effect is unknown: run `pgdrift plan` to see what the \
                         database holds now"
                    }
                    Unanswered::AfterCommit => {
                        "The main transaction was committed; plan again to see what is left"
                    }
                })
            }
        }
    }
}

impl std::error::Error for ApplyError {}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub statements: usize,
    /// Backup tables written (`pgdrift_backup.bak_...`).
    pub backups: Vec<String>,
}

fn db_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                m.push_str("; ");
                m.push_str(detail);
            }
            m
        }
        None => e.to_string(),
    }
}

/// Wait for `work` at most `limit` (`None`: as long as it takes); when the server does not
/// answer in time, `work` is dropped and the error names `stage`.
async fn answered<T>(
    limit: Option<Duration>,
    setting: &'static str,
    stage: &str,
    when: Unanswered,
    work: impl Future<Output = Result<T, ApplyError>>,
) -> Result<T, ApplyError> {
    match limit {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(ApplyError::NoAnswer {
                stage: stage.to_string(),
                limit,
                setting,
                when,
            })
        }),
    }
}

impl ApplyError {
    /// Whether the server may still answer, so that cleanup (ROLLBACK, unlock) is worth
    /// sending. After a deadline it is not: the connection is dropped instead, and the server
    /// rolls back and unlocks when it finds it gone.
    fn still_answering(&self) -> bool {
        !matches!(self, ApplyError::NoAnswer { .. })
    }
}

/// One statement of a plan step, under the statement deadline; a failure names the step and
/// how many enum labels were already committed.
async fn run_step_statement(
    client: &Client,
    step: &Step,
    sql: &str,
    limit: Option<Duration>,
    when: Unanswered,
    committed_labels: usize,
) -> Result<(), ApplyError> {
    answered(limit, STATEMENT_TIMEOUT, &describe(step), when, async {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| ApplyError::Failed {
                step: describe(step),
                message: db_error(&e),
                committed_labels,
            })
    })
    .await
}

/// Cleanup after a failure: bounded, and its own failure is not the one to report.
async fn cleanup(client: &Client, sql: &str) {
    let _ = tokio::time::timeout(CLEANUP_TIMEOUT, client.batch_execute(sql)).await;
}

const READ_TIMEOUT: &str = "read_timeout";
const STATEMENT_TIMEOUT: &str = "--statement-timeout plus 15s";

async fn scalar(client: &Client, sql: &str) -> Result<Option<String>, String> {
    let messages = client.simple_query(sql).await.map_err(|e| db_error(&e))?;
    Ok(messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
        _ => None,
    }))
}

/// A literal for SQL text we build here.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

// ---- pre-checks ------------------------------------------------------------------------

/// Ask every step's read-only questions, in a READ ONLY transaction; each question (and the
/// BEGIN) may take up to `read_timeout`.
pub async fn prechecks(
    client: &Client,
    plan: &Plan,
    read_timeout: Option<Duration>,
) -> Result<Vec<CheckResult>, String> {
    let checks: Vec<&PreCheck> = plan.steps.iter().flat_map(|s| &s.checks).collect();
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let asked = ask_prechecks(client, &checks, read_timeout).await;
    if asked.as_ref().is_err_and(|e| !e.still_answering()) {
        return asked.map_err(|e| e.to_string());
    }
    cleanup(client, "ROLLBACK").await;
    asked.map_err(|e| e.to_string())
}

async fn ask_prechecks(
    client: &Client,
    checks: &[&PreCheck],
    read_timeout: Option<Duration>,
) -> Result<Vec<CheckResult>, ApplyError> {
    let before = Unanswered::BeforeCommit;
    answered(
        read_timeout,
        READ_TIMEOUT,
        "starting the pre-checks",
        before,
        async {
            client
                .batch_execute(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
                 SET LOCAL statement_timeout = '60s'; SET LOCAL lock_timeout = '5s'; \
                 SET LOCAL application_name = 'pgdrift'",
                )
                .await
                .map_err(|e| ApplyError::Database(db_error(&e)))
        },
    )
    .await?;
    let mut out = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        let stage = format!("pre-check {} of {}", i + 1, checks.len());
        let result = answered(read_timeout, READ_TIMEOUT, &stage, before, async {
            let savepoint = |sql| async move {
                client
                    .batch_execute(sql)
                    .await
                    .map_err(|e| ApplyError::Database(db_error(&e)))
            };
            savepoint("SAVEPOINT pgdrift_check").await?;
            let result = one_check(client, check).await;
            savepoint(match result {
                Ok(_) => "RELEASE SAVEPOINT pgdrift_check",
                Err(_) => "ROLLBACK TO SAVEPOINT pgdrift_check",
            })
            .await?;
            Ok(result)
        })
        .await?;
        let (ok, detail) = match result {
            Ok(answer) => answer,
            Err(message) => (false, format!("could not check: {message}")),
        };
        out.push(CheckResult {
            check: (*check).clone(),
            ok,
            detail,
        });
    }
    Ok(out)
}

async fn count(client: &Client, sql: &str) -> Result<i64, String> {
    Ok(scalar(client, sql)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

async fn one_check(client: &Client, check: &PreCheck) -> Result<(bool, String), String> {
    Ok(match check {
        PreCheck::Nulls { table, column } => {
            let n = count(
                client,
                &format!("SELECT count(*) FROM {table} WHERE {column} IS NULL"),
            )
            .await?;
            (
                n == 0,
                format!("{table}.{column}: {n} NULL(s) block SET NOT NULL"),
            )
        }
        PreCheck::Duplicates { table, columns } => {
            let list = columns.join(", ");
            let n = count(
                client,
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE ({list}) IS NOT NULL \
                     GROUP BY {list} HAVING count(*) > 1) AS d"
                ),
            )
            .await?;
            (
                n == 0,
                format!("{table} ({list}): {n} key(s) held by more than one row block UNIQUE"),
            )
        }
        PreCheck::Casts { table, column, to } => {
            let sql = format!(
                "SELECT count(*) FROM (SELECT {column}::{to} FROM {table} WHERE {column} IS NOT \
                 NULL) AS c"
            );
            match count(client, &sql).await {
                Ok(_) => (true, format!("{table}.{column}: every value casts to {to}")),
                Err(message) => (
                    false,
                    format!("{table}.{column}: some values do not cast to {to}: {message}"),
                ),
            }
        }
        PreCheck::RemovedLabels {
            table,
            column,
            kept,
        } => {
            let labels: Vec<String> = kept.iter().map(|l| literal(l)).collect();
            let n = count(
                client,
                &format!(
                    "SELECT count(*) FROM {table} WHERE {column}::text NOT IN ({})",
                    labels.join(", ")
                ),
            )
            .await?;
            (
                n == 0,
                format!("{table}.{column}: {n} row(s) hold a label that is removed"),
            )
        }
        PreCheck::Role { name } => {
            let n = count(
                client,
                &format!(
                    "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = {}",
                    literal(name)
                ),
            )
            .await?;
            if n == 1 {
                (true, format!("role {name} exists"))
            } else {
                (
                    false,
                    format!(
                        "role {name} does not exist on the actual server: create it first \
                         (pgdrift never creates roles), or rename it in the policy's \
                         [rename] roles"
                    ),
                )
            }
        }
        PreCheck::Size { table } => {
            let sql = format!(
                "SELECT (SELECT count(*) FROM {table})::text || ' rows, ' || \
                 pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size({}::regclass))",
                literal(table)
            );
            let answer = scalar(client, &sql).await?.unwrap_or_default();
            (true, format!("{table}: {answer}"))
        }
    })
}

// ---- execution -------------------------------------------------------------------------

/// A fingerprint of a schema model, to tell whether the actual schema changed.
pub fn schema_hash(schema: &Schema) -> u64 {
    let text = serde_json::to_string(schema).unwrap_or_default();
    crate::text::fnv1a(text.as_bytes())
}

/// Run `plan` on `client` (connected to the actual database). `planned_from` is the hash of
/// the actual schema the plan was made from (read again here, under the lock, with `scope`);
/// `leftover` says what still differs from the expected schema in a schema read inside the
/// transaction (empty: converged).
pub async fn execute(
    client: &Client,
    plan: &Plan,
    actual: &Schema,
    planned_from: u64,
    scope: &Scope,
    options: &ApplyOptions,
    leftover: &(dyn Fn(&Schema) -> Vec<String> + Sync),
) -> Result<Applied, ApplyError> {
    let read = options.read_timeout;
    let before = Unanswered::BeforeCommit;
    let locked = answered(
        read,
        READ_TIMEOUT,
        "taking the advisory lock",
        before,
        async {
            scalar(
                client,
                &format!("SELECT pg_catalog.pg_try_advisory_lock({LOCK_KEY})"),
            )
            .await
            .map_err(ApplyError::Database)
        },
    )
    .await?;
    if locked.as_deref() != Some("t") {
        return Err(ApplyError::Busy);
    }
    let result = execute_locked(client, plan, actual, planned_from, scope, options, leftover).await;
    if result
        .as_ref()
        .err()
        .is_none_or(ApplyError::still_answering)
    {
        cleanup(
            client,
            &format!("SELECT pg_catalog.pg_advisory_unlock({LOCK_KEY})"),
        )
        .await;
    }
    result
}

async fn execute_locked(
    client: &Client,
    plan: &Plan,
    actual: &Schema,
    planned_from: u64,
    scope: &Scope,
    options: &ApplyOptions,
    leftover: &(dyn Fn(&Schema) -> Vec<String> + Sync),
) -> Result<Applied, ApplyError> {
    let read = options.read_timeout;
    let statement = options.statement_deadline();
    let before = Unanswered::BeforeCommit;
    let stage = "reading the schema again under the lock";
    let now = answered(read, READ_TIMEOUT, stage, before, async {
        catalog::read(client, scope)
            .await
            .map_err(|e| ApplyError::Database(e.to_string()))
    })
    .await?;
    if schema_hash(&now) != planned_from {
        return Err(ApplyError::Stale);
    }
    let mut applied = Applied::default();
    // New enum labels, each committed on its own.
    let mut labels = 0;
    for step in plan.steps.iter().filter(|s| s.phase == Phase::PreCommit) {
        for sql in &step.sql {
            // Each label commits on its own (and those before it stay).
            run_step_statement(client, step, sql, statement, Unanswered::AtCommit, labels).await?;
            labels += 1;
            applied.statements += 1;
        }
    }
    let begin = format!(
        "BEGIN; SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}; \
         SET LOCAL check_function_bodies = off; SET LOCAL application_name = 'pgdrift'",
        literal(&options.lock_timeout),
        literal(&options.statement_timeout)
    );
    let began = answered(
        read,
        READ_TIMEOUT,
        "starting the transaction",
        before,
        async {
            client
                .batch_execute(&begin)
                .await
                .map_err(|e| ApplyError::Database(db_error(&e)))
        },
    )
    .await;
    if let Err(e) = began {
        if e.still_answering() {
            cleanup(client, "ROLLBACK").await;
        }
        return Err(e);
    }
    let run = async {
        let mut backups_ready = false;
        for step in plan.steps.iter().filter(|s| s.phase == Phase::Transaction) {
            let mut statements: Vec<String> = Vec::new();
            let backup = options.backup && keeps_data(step);
            if backup && !backups_ready {
                statements.extend(backup_schema_sql());
                backups_ready = true;
            }
            let mut replaced = false;
            if backup {
                let (sql, table, replaces) = backup_sql(step, actual, &options.plan_id);
                statements.extend(sql);
                replaced = replaces;
                applied.backups.push(table);
            }
            if !replaced {
                statements.extend(step.sql.iter().cloned());
            }
            for sql in &statements {
                run_step_statement(client, step, sql, statement, before, labels).await?;
                applied.statements += 1;
            }
        }
        let stage = "reading the schema again before COMMIT";
        let reread = answered(read, READ_TIMEOUT, stage, before, async {
            catalog::read_in_transaction(client, scope)
                .await
                .map_err(|e| ApplyError::Database(e.to_string()))
        })
        .await?;
        // What the steps after COMMIT will make is not there yet.
        let deferred: Vec<String> = plan
            .steps
            .iter()
            .filter(|s| s.phase == Phase::PostCommit)
            .map(|s| s.object.display())
            .collect();
        let left: Vec<String> = leftover(&reread)
            .into_iter()
            .filter(|l| !deferred.iter().any(|d| l.ends_with(&format!(" {d}"))))
            .collect();
        if !left.is_empty() {
            return Err(ApplyError::NotConverged { leftover: left });
        }
        Ok(())
    };
    match run.await {
        Ok(()) => {
            answered(read, READ_TIMEOUT, "COMMIT", Unanswered::AtCommit, async {
                client
                    .batch_execute("COMMIT")
                    .await
                    .map_err(|e| ApplyError::Database(db_error(&e)))
            })
            .await?;
            after_commit(client, plan, scope, options, leftover, &mut applied).await?;
            Ok(applied)
        }
        Err(e) => {
            if e.still_answering() {
                cleanup(client, "ROLLBACK").await;
            }
            Err(e)
        }
    }
}

/// The steps after COMMIT (`--online`), each on its own, and a final re-check. A concurrent
/// index build that fails leaves an invalid index behind: it is dropped again.
async fn after_commit(
    client: &Client,
    plan: &Plan,
    scope: &Scope,
    options: &ApplyOptions,
    leftover: &(dyn Fn(&Schema) -> Vec<String> + Sync),
    applied: &mut Applied,
) -> Result<(), ApplyError> {
    let post: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| s.phase == Phase::PostCommit)
        .collect();
    if post.is_empty() {
        return Ok(());
    }
    let session = format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        literal(&options.lock_timeout),
        literal(&options.statement_timeout)
    );
    let read = options.read_timeout;
    let after = Unanswered::AfterCommit;
    answered(
        read,
        READ_TIMEOUT,
        "setting the session's timeouts",
        after,
        async {
            client
                .batch_execute(&session)
                .await
                .map_err(|e| ApplyError::Database(db_error(&e)))
        },
    )
    .await?;
    for step in post {
        for sql in &step.sql {
            let stage = describe(step);
            let ran = answered(
                options.statement_deadline(),
                STATEMENT_TIMEOUT,
                &stage,
                after,
                async {
                    client
                        .batch_execute(sql)
                        .await
                        .map_err(|e| ApplyError::AfterCommit {
                            message: format!("{} failed: {}", describe(step), db_error(&e)),
                        })
                },
            )
            .await;
            if let Err(e) = ran {
                if step.object.kind == crate::model::ObjectKind::Index && e.still_answering() {
                    let name = crate::model::qualified(
                        step.object.schema.as_deref().unwrap_or_default(),
                        &step.object.name,
                    );
                    cleanup(client, &format!("DROP INDEX CONCURRENTLY IF EXISTS {name}")).await;
                }
                return Err(e);
            }
            applied.statements += 1;
        }
    }
    cleanup(client, "RESET lock_timeout; RESET statement_timeout").await;
    let now = answered(read, READ_TIMEOUT, "the final re-check", after, async {
        catalog::read(client, scope)
            .await
            .map_err(|e| ApplyError::Database(e.to_string()))
    })
    .await?;
    let left = leftover(&now);
    if !left.is_empty() {
        return Err(ApplyError::AfterCommit {
            message: format!("the schema still differs: {}", left.join(", ")),
        });
    }
    Ok(())
}

fn describe(step: &Step) -> String {
    format!(
        "step `{} {} {}`",
        step.operation.as_str(),
        step.object.kind.noun(),
        step.object
    )
}

/// Whether a step deletes data apply keeps a copy of: a dropped table or column.
fn keeps_data(step: &Step) -> bool {
    step.operation == Operation::Drop
        && step.hazards.contains(&Hazard::DeletesData)
        && matches!(
            step.object.kind,
            crate::model::ObjectKind::Table | crate::model::ObjectKind::Column
        )
}

fn backup_schema_sql() -> Vec<String> {
    let s = quote_ident(BACKUP_SCHEMA);
    vec![
        format!("CREATE SCHEMA IF NOT EXISTS {s}"),
        format!("REVOKE ALL ON SCHEMA {s} FROM PUBLIC"),
        format!(
            "CREATE TABLE IF NOT EXISTS {s}.manifest (plan_id text NOT NULL, created_at \
             timestamptz NOT NULL DEFAULT now(), source_object text NOT NULL, backup_table text \
             NOT NULL, kind text NOT NULL, row_count bigint, key_columns text[], pgdrift_version \
             text NOT NULL)"
        ),
        format!("REVOKE ALL ON TABLE {s}.manifest FROM PUBLIC"),
    ]
}

/// A backup table's name: `bak_<parts>__<plan id>`, within PostgreSQL's 63 bytes.
fn backup_name(parts: &[&str], plan_id: &str) -> String {
    let base = format!("bak_{}", parts.join("__"));
    let suffix = format!("__{plan_id}");
    let mut name = base.clone();
    if name.len() + suffix.len() > 63 {
        let hash = format!("{:08x}", crate::text::fnv1a(base.as_bytes()) as u32);
        let mut keep = 63 - suffix.len() - hash.len() - 1;
        while !base.is_char_boundary(keep) {
            keep -= 1;
        }
        name = format!("{}_{hash}", &base[..keep]);
    }
    name + &suffix
}

/// The statements that keep a step's data, the backup table, and whether they replace the
/// step (a dropped table is moved, not dropped).
fn backup_sql(step: &Step, actual: &Schema, plan_id: &str) -> (Vec<String>, String, bool) {
    let schema = step.object.schema.clone().unwrap_or_default();
    let bs = quote_ident(BACKUP_SCHEMA);
    let version = literal(env!("CARGO_PKG_VERSION"));
    let manifest = |source: &str, table: &str, kind: &str, keys: &[String]| {
        let keys: Vec<String> = keys.iter().map(|k| literal(k)).collect();
        format!(
            "INSERT INTO {bs}.manifest (plan_id, source_object, backup_table, kind, row_count, \
             key_columns, pgdrift_version) SELECT {}, {}, {}, {}, count(*), ARRAY[{}]::text[], \
             {version} FROM {bs}.{}",
            literal(plan_id),
            literal(source),
            literal(&format!("{BACKUP_SCHEMA}.{table}")),
            literal(kind),
            keys.join(", "),
            quote_ident(table)
        )
    };
    if step.object.kind == crate::model::ObjectKind::Table {
        let table = step.object.name.clone();
        let backup = backup_name(&[&table], plan_id);
        let qualified = crate::model::qualified(&schema, &table);
        // Indexes and sequences move with the table: give them names no earlier backup in the
        // backup schema can hold.
        let rename_parts = format!(
            "DO $pgdrift$ DECLARE r record; n int := 0; BEGIN \
             FOR r IN SELECT c.oid::regclass AS obj, c.relkind FROM pg_catalog.pg_class c \
               WHERE c.oid IN (SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid = {t}::regclass \
                               UNION SELECT objid FROM pg_catalog.pg_depend \
                               WHERE refobjid = {t}::regclass AND classid = 'pg_class'::regclass \
                                 AND deptype IN ('a', 'i')) \
                 AND c.relkind IN ('i', 'S', 'I') ORDER BY c.oid LOOP \
               n := n + 1; \
               EXECUTE format('ALTER %s %s RENAME TO %I', \
                 CASE WHEN r.relkind = 'S' THEN 'SEQUENCE' ELSE 'INDEX' END, r.obj, \
                 {prefix} || n); \
             END LOOP; END $pgdrift$",
            t = literal(&qualified),
            prefix = literal(&format!("{backup}_")),
        );
        // A backup holds rows, nothing that acts or refers: its triggers, policies, foreign keys,
        // checks and defaults go, so the rest of the plan can drop what they used.
        let mut sql = Vec::new();
        if let Some(t) = actual
            .schemas
            .get(&schema)
            .and_then(|ns| ns.tables.get(&table))
        {
            for name in t.triggers.keys() {
                sql.push(format!("DROP TRIGGER {} ON {qualified}", quote_ident(name)));
            }
            for name in t.policies.keys() {
                sql.push(format!("DROP POLICY {} ON {qualified}", quote_ident(name)));
            }
            for (name, c) in &t.constraints {
                if matches!(c.kind, ConstraintKind::ForeignKey | ConstraintKind::Check) {
                    sql.push(format!(
                        "ALTER TABLE {qualified} DROP CONSTRAINT {}",
                        quote_ident(name)
                    ));
                }
            }
            for (name, c) in &t.columns {
                if c.default.is_some() {
                    sql.push(format!(
                        "ALTER TABLE {qualified} ALTER COLUMN {} DROP DEFAULT",
                        quote_ident(name)
                    ));
                }
            }
        }
        sql.extend([
            rename_parts,
            format!("ALTER TABLE {qualified} RENAME TO {}", quote_ident(&backup)),
            format!(
                "ALTER TABLE {}.{} SET SCHEMA {bs}",
                quote_ident(&schema),
                quote_ident(&backup)
            ),
            format!(
                "REVOKE ALL ON TABLE {bs}.{} FROM PUBLIC",
                quote_ident(&backup)
            ),
            manifest(&step.object.display(), &backup, "table", &[]),
        ]);
        return (sql, format!("{BACKUP_SCHEMA}.{backup}"), true);
    }
    // A dropped column: its values keyed by the primary key (or a unique index on NOT NULL
    // columns), else the whole row.
    let table = step.object.parent.clone().unwrap_or_default();
    let column = step.object.name.clone();
    let backup = backup_name(&[&table, &column], plan_id);
    let keys = row_key(actual, &schema, &table).unwrap_or_default();
    let source = crate::model::qualified(&schema, &table);
    let select = if keys.is_empty() {
        "*".to_string()
    } else {
        let mut cols: Vec<String> = keys.iter().map(|k| quote_ident(k)).collect();
        cols.push(quote_ident(&column));
        cols.join(", ")
    };
    let mut sql = vec![format!(
        "CREATE TABLE {bs}.{} AS SELECT {select} FROM {source} WHERE {} IS NOT NULL",
        quote_ident(&backup),
        quote_ident(&column)
    )];
    if !keys.is_empty() {
        let cols: Vec<String> = keys.iter().map(|k| quote_ident(k)).collect();
        sql.push(format!(
            "ALTER TABLE {bs}.{} ADD PRIMARY KEY ({})",
            quote_ident(&backup),
            cols.join(", ")
        ));
    }
    sql.push(format!(
        "REVOKE ALL ON TABLE {bs}.{} FROM PUBLIC",
        quote_ident(&backup)
    ));
    sql.push(manifest(&step.object.display(), &backup, "column", &keys));
    (sql, format!("{BACKUP_SCHEMA}.{backup}"), false)
}

/// The columns that identify a row: the primary key, or a unique index on NOT NULL columns.
pub fn row_key(actual: &Schema, schema: &str, table: &str) -> Option<Vec<String>> {
    let t = actual.schemas.get(schema)?.tables.get(table)?;
    let columns_of = |definition: &str| -> Option<Vec<String>> {
        let open = definition.find('(')?;
        let close = definition[open..].find(')')? + open;
        let names: Vec<String> = definition[open + 1..close]
            .split(',')
            .map(|c| c.trim().trim_matches('"').replace("\"\"", "\""))
            .collect();
        names
            .iter()
            .all(|n| t.columns.contains_key(n))
            .then_some(names)
    };
    if let Some(pk) = t
        .constraints
        .values()
        .find(|c| c.kind == ConstraintKind::PrimaryKey)
    {
        return columns_of(&pk.definition);
    }
    let unique = t
        .constraints
        .values()
        .filter(|c| c.kind == ConstraintKind::Unique)
        .map(|c| c.definition.as_str())
        .chain(
            t.indexes
                .values()
                .map(|i| i.definition.as_str())
                .filter(|d| d.starts_with("CREATE UNIQUE INDEX") && !d.contains(" WHERE ")),
        );
    for definition in unique {
        let start = definition.find(" USING ").unwrap_or(0);
        if let Some(names) = columns_of(&definition[start..])
            && names
                .iter()
                .all(|n| t.columns.get(n).is_some_and(|c| c.not_null))
        {
            return Some(names);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_fit_in_63_bytes() {
        let short = backup_name(&["orders", "legacy"], "4f2a91c0");
        assert_eq!(short, "bak_orders__legacy__4f2a91c0");
        let long_table = "t".repeat(60);
        let long = backup_name(&[&long_table, "c"], "4f2a91c0");
        assert!(long.len() <= 63, "{long} is {} bytes", long.len());
        assert!(long.ends_with("__4f2a91c0"));
        assert_ne!(long, backup_name(&[&long_table, "d"], "4f2a91c0"));
    }

    #[test]
    fn statements_get_a_margin_above_statement_timeout_or_no_client_limit() {
        let with = |statement_timeout: &str| ApplyOptions {
            lock_timeout: "5s".into(),
            statement_timeout: statement_timeout.into(),
            backup: true,
            plan_id: "x".into(),
            read_timeout: Some(Duration::from_secs(75)),
        };
        assert_eq!(with("0").statement_deadline(), None);
        assert_eq!(with("0s").statement_deadline(), None);
        assert_eq!(
            with("10min").statement_deadline(),
            Some(Duration::from_secs(615))
        );
        // As PostgreSQL reads it: a bare number is milliseconds.
        assert_eq!(
            with("30000").statement_deadline(),
            Some(Duration::from_secs(45))
        );
        assert_eq!(with("soon").statement_deadline(), None);
    }

    #[test]
    fn no_answer_says_what_is_known_of_the_database() {
        let error = |when| {
            ApplyError::NoAnswer {
                stage: "COMMIT".into(),
                limit: Duration::from_secs(75),
                setting: READ_TIMEOUT,
                when,
            }
            .to_string()
        };
        let before = error(Unanswered::BeforeCommit);
        assert!(
            before.starts_with("COMMIT: the server did not answer within 75s (read_timeout)"),
            "{before}"
        );
        assert!(before.contains("Nothing was committed"), "{before}");
        assert!(error(Unanswered::AtCommit).contains("unknown"));
        assert!(error(Unanswered::AfterCommit).contains("was committed"));
    }
}

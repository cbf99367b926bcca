//! SQL-file targets: create a scratch database, run the files into it statement by statement
//! (as `psql -f` would, so statements that refuse to run inside a transaction block work), read
//! its schema, and drop it.
//!
//! Scratch databases are named with a random key, so concurrent runs on one server never collide
//! (process ids repeat across CI containers), and are marked with a comment, so pgdrift knows its
//! own. The admin session holds a session advisory lock on the key from before CREATE DATABASE
//! until after DROP DATABASE: a scratch database whose lock nobody holds and to which nobody is
//! connected belongs to a run that died (`kill -9`), and the next run on that server drops it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use crate::catalog::{self, Scope};
use crate::policy::line_column;
use crate::sql::lexer::{ScriptItem, split_script};

use super::conninfo::{self, ConnInfo};
use super::locations::Locations;
use super::{CLEANUP_TIMEOUT, CONNECT_TIMEOUT, ReadSchema, Session, within};

const NAME_PREFIX: &str = "pgdrift_scratch_";

/// The scratch sessions' commits do not wait for the disk: a crash loses nothing pgdrift keeps.
const NO_COMMIT_WAIT: &str = "SET synchronous_commit = off";

/// How the comment on every scratch database begins.
const MARK: &str = "pgdrift scratch database";

/// One SQL-file target to read.
pub(super) struct SqlFiles<'a> {
    /// Names the target in `--timings` (the loading and the reading are timed apart).
    pub target: &'a str,
    pub files: &'a [PathBuf],
    pub scope: &'a Scope,
    /// A `scratch_url` server (not a throwaway cluster), which outlives runs and may serve
    /// others: scratch databases that dead runs left there are dropped first, and the read
    /// keeps to the server's lock budget.
    pub shared_server: bool,
    /// The limit on each statement of a file, on the read, and on creating the database.
    pub read_timeout: Option<Duration>,
}

/// Apply the files to a fresh database on `server` and read its schema.
pub(super) async fn read(sql: &SqlFiles<'_>, server: &ConnInfo) -> Result<ReadSchema, String> {
    let admin = conninfo::connect(server, "pgdrift", CONNECT_TIMEOUT)
        .await
        .map_err(|e| format!("scratch server: {e}"))?;
    if sql.shared_server && first_visit(server) {
        let dropped = within(
            sql.read_timeout,
            "scratch server: dropping scratch databases of earlier runs",
            async { Ok(drop_abandoned(&admin).await) },
        )
        .await?;
        for name in dropped {
            crate::stderrln!(
                "pgdrift: dropped {name}, a scratch database an earlier run left on the scratch \
                 server"
            );
        }
    }
    let started = std::time::Instant::now();
    let scratch = within(
        sql.read_timeout,
        "scratch server: creating the scratch database",
        ScratchDatabase::create(admin, server, sql.read_timeout),
    )
    .await?;
    crate::timings::record(
        format!("create the scratch database {}", sql.target),
        started.elapsed(),
    );
    let result = async {
        let scratch = server.clone().with_database(scratch.name());
        let client = conninfo::connect(&scratch, "pgdrift", CONNECT_TIMEOUT)
            .await
            .map_err(|e| format!("scratch database: {e}"))?;
        // Each statement of a file commits on its own; waiting for each commit to reach the
        // disk costs a WAL flush per statement, for a database that is dropped in a moment.
        client
            .batch_execute(NO_COMMIT_WAIT)
            .await
            .map_err(|e| format!("scratch database: {}", db_message(&e)))?;
        let mut locations = Locations::default();
        let mut search_path = "public".to_string();
        let started = std::time::Instant::now();
        for file in sql.files {
            apply_file(
                &client,
                file,
                &mut locations,
                &mut search_path,
                sql.read_timeout,
            )
            .await?;
        }
        crate::timings::record(format!("load {}", sql.target), started.elapsed());
        let probe = if sql.shared_server {
            super::probe(&client, &scratch, sql.read_timeout).await?
        } else {
            None
        };
        let _budget = match &probe {
            Some(probe) => Some(super::reserve_locks(sql.target, &probe.need).await),
            None => None,
        };
        let started = std::time::Instant::now();
        let stage = "reading the scratch database";
        let (schema, server_version) = within(sql.read_timeout, stage, async {
            let schema = catalog::read(&client, sql.scope)
                .await
                .map_err(|e| format!("{stage}: {e}"))?;
            let version = match probe {
                Some(probe) => Some(probe.server_version),
                None => super::server_version(&client).await,
            };
            Ok((schema, version))
        })
        .await?;
        crate::timings::record(format!("read {}", sql.target), started.elapsed());
        Ok(ReadSchema {
            schema,
            server_version,
            locations,
        })
    }
    .await;
    if sql.shared_server {
        // Dropped while the run compares and writes its reports; `main` waits until the server
        // is at it (see `drop_database`).
        drop(scratch);
    } else {
        // The throwaway cluster is removed whole: a DROP first would only cost time.
        scratch.leave_to_the_cluster();
    }
    result
}

/// A scratch database and the admin session that guards it. Dropping it (at the end of the
/// read, or when a signal drops the future holding it) hands the DROP to the cleanups `main`
/// awaits before exiting, so it runs beside the rest of the run.
struct ScratchDatabase {
    name: String,
    admin: Option<Session>,
    /// The server, for the session that watches the DROP get past its checks.
    server: ConnInfo,
    /// How long the final DROP may wait for the server.
    cleanup: Duration,
}

impl ScratchDatabase {
    async fn create(
        admin: Session,
        server: &ConnInfo,
        read_timeout: Option<Duration>,
    ) -> Result<ScratchDatabase, String> {
        let mut key = None;
        // A key another session holds (as good as impossible) is simply not used.
        for _ in 0..3 {
            let candidate = random_key();
            let locked: bool = admin
                .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&candidate])
                .await
                .map_err(|e| {
                    format!(
                        "scratch server: cannot take an advisory lock to guard the scratch \
                         database ({})",
                        db_message(&e)
                    )
                })?
                .get(0);
            if locked {
                key = Some(candidate);
                break;
            }
        }
        let Some(key) = key else {
            return Err("scratch server: no free advisory lock key for a scratch database".into());
        };
        // From here on, every way out drops the database (IF EXISTS: CREATE may not get far).
        let scratch = ScratchDatabase {
            name: scratch_name(key),
            admin: Some(admin),
            server: server.clone(),
            // A server that does not answer must not hold the run after it already failed.
            cleanup: read_timeout.map_or(CLEANUP_TIMEOUT, |t| t.min(CLEANUP_TIMEOUT)),
        };
        let Some(admin) = &scratch.admin else {
            return Err("scratch server: the admin session is gone".into());
        };
        let quoted = crate::model::quote_ident(&scratch.name);
        // CREATE DATABASE refuses to run in a transaction block: one statement per call.
        admin
            .batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE template0"))
            .await
            .map_err(|e| {
                format!(
                    "scratch server: cannot create a scratch database ({}); the role needs \
                     CREATEDB",
                    db_message(&e)
                )
            })?;
        // The mark is what lets a later run recognise a leftover as ours; without it (a
        // server that refuses comments) the database is still dropped at the end of this run.
        let _ = admin.batch_execute(&mark_statement(&scratch.name)).await;
        Ok(scratch)
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// End the admin session without dropping the database: for a throwaway cluster, which
    /// goes with everything in it.
    fn leave_to_the_cluster(mut self) {
        drop(self.admin.take());
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Some(admin) = self.admin.take() {
            super::cleanup::defer(drop_database(
                admin,
                self.server.clone(),
                self.name.clone(),
                self.cleanup,
            ));
        }
    }
}

/// Drop the database (FORCE: a session of ours may still be in it, e.g. a statement the signal
/// interrupted), and return once the server has answered or is past every check that could
/// refuse the DROP, whichever comes first. The DROP of a just-loaded database unlinks every file
/// the load created (6,373 of them for 1,000 tables, 0.4 s on a disk mounted with `discard`),
/// work the run need not wait for: the server finishes it whether or not the session is still
/// there (it commits before it answers), and the admin session's advisory lock, held until
/// then, keeps a later run from touching the database meanwhile. A server that does not answer
/// within `limit` gets a warning; one that refuses the DROP, an error message.
async fn drop_database(admin: Session, server: ConnInfo, name: String, limit: Duration) {
    let quoted = crate::model::quote_ident(&name);
    let drop_sql = format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)");
    let answered = async {
        // A server set to check for gone clients during a statement would stop the DROP when
        // the run's process exits (PostgreSQL 14 and later; older servers refuse the name,
        // which changes nothing). Its own simple query: a DROP DATABASE in the same one would
        // run inside a transaction block and be refused.
        let (_, dropped) = futures_util::join!(
            admin.batch_execute("SET client_connection_check_interval = 0"),
            admin.batch_execute(&drop_sql)
        );
        dropped
    };
    let outcome = tokio::time::timeout(limit, async {
        tokio::select! {
            biased;
            dropped = answered => Some(dropped),
            () = drop_past_checks(&server, &name) => None,
        }
    })
    .await;
    match outcome {
        Err(_) => crate::stderrln!(
            "pgdrift: the scratch server did not answer within {} while dropping the scratch \
             database {name}; drop it by hand",
            crate::duration::display(limit)
        ),
        Ok(Some(Err(e))) => crate::stderrln!(
            "pgdrift: the scratch server refused to drop the scratch database {name} ({}); \
             drop it by hand",
            db_message(&e)
        ),
        Ok(Some(Ok(()))) | Ok(None) => {}
    }
}

/// Wait until a DROP DATABASE of `name` is past its checks (it then marks the database invalid,
/// `datconnlimit = -2`, before it removes any file; PostgreSQL 13.12, 14.9, 15.4 and later) or
/// the database is gone, asking in a session of its own. A session that cannot be opened, or an
/// older server, never says so: the DROP's answer is awaited instead.
async fn drop_past_checks(server: &ConnInfo, name: &str) {
    const ASK: &str = "SELECT coalesce((SELECT datconnlimit = -2 FROM pg_catalog.pg_database \
         WHERE datname = $1), true)";
    let Ok(watcher) = conninfo::connect(server, "pgdrift", CONNECT_TIMEOUT).await else {
        return std::future::pending().await;
    };
    loop {
        match watcher.query_one(ASK, &[&name]).await {
            Ok(row) if row.get::<_, bool>(0) => return,
            Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            Err(_) => return std::future::pending().await,
        }
    }
}

/// A random key for a scratch database: its advisory lock, and the hex in its name. Std's
/// `RandomState` is seeded from the operating system's random source, and the time and process
/// id go in as well. Positive, so its hex and its lock read back the same.
fn random_key() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.write_u128(now);
    hasher.write_u32(std::process::id());
    (hasher.finish() >> 1) as i64
}

fn scratch_name(key: i64) -> String {
    format!("{NAME_PREFIX}{key:016x}")
}

/// The key in a scratch database's name, when the name is one `scratch_name` makes.
fn key_of(name: &str) -> Option<i64> {
    let hex = name.strip_prefix(NAME_PREFIX)?;
    if hex.len() != 16 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    i64::try_from(u64::from_str_radix(hex, 16).ok()?).ok()
}

/// `COMMENT ON DATABASE` with pgdrift's mark and the server's time of creation.
fn mark_statement(name: &str) -> String {
    // The name is ours (prefix and hex digits): safe inside the literal.
    format!(
        "DO $$BEGIN EXECUTE pg_catalog.format('COMMENT ON DATABASE %I IS %L', '{name}', \
         '{MARK}, created ' || pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', \
         'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' by a pgdrift run; dropped when the run ends, \
         or by a later run once nobody uses it'); END$$"
    )
}

/// Whether this process has not yet looked for leftovers on `server` (one look per server
/// and run is enough, however many targets use it).
fn first_visit(server: &ConnInfo) -> bool {
    static VISITED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut visited = VISITED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    visited
        .get_or_insert_with(HashSet::new)
        .insert(server.describe())
}

/// Drop the scratch databases of dead runs: marked as pgdrift's, named with a key, owned by a
/// role we belong to, nobody connected, and nobody holding the key's advisory lock. Gives the
/// names dropped; a failure just leaves a leftover for a later run.
async fn drop_abandoned(admin: &tokio_postgres::Client) -> Vec<String> {
    // Candidates first, locks second: a live run takes its lock before it creates its database,
    // so any database listed here already had its lock taken when the locks are read.
    let Ok(candidates) = admin
        .query(
            "SELECT d.datname::text FROM pg_catalog.pg_database d \
             WHERE d.datname LIKE 'pgdrift\\_scratch\\_%' \
               AND pg_catalog.shobj_description(d.oid, 'pg_database') LIKE $1 \
               AND pg_catalog.pg_has_role(d.datdba, 'MEMBER') \
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid)",
            &[&format!("{MARK},%")],
        )
        .await
    else {
        return Vec::new();
    };
    let Ok(locks) = admin
        .query(
            // A bigint key is held as classid (high half), objid (low half), objsubid 1.
            "SELECT (l.classid::int8 << 32) | l.objid::int8 FROM pg_catalog.pg_locks l \
             WHERE l.locktype = 'advisory' AND l.objsubid = 1",
            &[],
        )
        .await
    else {
        return Vec::new();
    };
    let held: HashSet<i64> = locks.iter().map(|r| r.get::<_, i64>(0)).collect();
    let mut dropped = Vec::new();
    for row in candidates {
        let name: String = row.get(0);
        let Some(key) = key_of(&name) else {
            continue;
        };
        if held.contains(&key) {
            continue;
        }
        // No FORCE: should anybody have connected since, the drop fails and the database stays.
        let quoted = crate::model::quote_ident(&name);
        if admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
            .await
            .is_ok()
        {
            dropped.push(name);
        }
    }
    dropped
}

async fn apply_file(
    client: &tokio_postgres::Client,
    file: &Path,
    locations: &mut Locations,
    search_path: &mut String,
    limit: Option<Duration>,
) -> Result<(), String> {
    let text = tokio::fs::read_to_string(file)
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    for item in split_script(&text) {
        match item {
            ScriptItem::MetaCommand(cmd) => {
                // pg_dump writes \restrict / \unrestrict around its output; they guard psql
                // sessions and mean nothing here.
                let name = cmd.sql.split_whitespace().next().unwrap_or("");
                if name != "\\restrict" && name != "\\unrestrict" {
                    return Err(format!(
                        "{}:{}: the psql meta-command `{name}` cannot be run by pgdrift; \
                         SQL files must hold plain SQL",
                        file.display(),
                        cmd.line
                    ));
                }
            }
            ScriptItem::Statement(stmt) => {
                locations.record(stmt.sql, file, stmt.line, search_path);
                let ran = match limit {
                    None => client.batch_execute(stmt.sql).await,
                    Some(limit) => {
                        match tokio::time::timeout(limit, client.batch_execute(stmt.sql)).await {
                            Ok(ran) => ran,
                            Err(_) => {
                                let stage = format!(
                                    "loading file {} (the statement at line {})",
                                    file.display(),
                                    stmt.line
                                );
                                return Err(super::no_answer(&stage, limit));
                            }
                        }
                    }
                };
                if let Err(e) = ran {
                    let offset = e
                        .as_db_error()
                        .and_then(|db| match db.position() {
                            Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                                let chars = (*p as usize).saturating_sub(1);
                                let within = stmt
                                    .sql
                                    .char_indices()
                                    .nth(chars)
                                    .map_or(stmt.sql.len(), |(b, _)| b);
                                Some(stmt.start + within)
                            }
                            _ => None,
                        })
                        .unwrap_or(stmt.start);
                    let (line, column) = line_column(&text, offset);
                    return Err(format!(
                        "{}:{line}:{column}: {}",
                        file.display(),
                        db_message(&e)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The server's error in psql's words: `ERROR: relation "x" does not exist` plus detail/hint.
fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                s.push_str(&format!("\nDETAIL: {detail}"));
            }
            if let Some(hint) = db.hint() {
                s.push_str(&format!("\nHINT: {hint}"));
            }
            s
        }
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_are_unique_and_carry_their_key() {
        let keys: HashSet<i64> = (0..1000).map(|_| random_key()).collect();
        assert_eq!(keys.len(), 1000);
        for key in keys {
            assert!(key >= 0);
            let name = scratch_name(key);
            assert!(name.len() <= 63, "{name}");
            assert_eq!(key_of(&name), Some(key), "{name}");
        }
    }

    #[test]
    fn only_names_pgdrift_makes_have_a_key() {
        for name in [
            "pgdrift_scratch_1234_0",
            "pgdrift_scratch_00000000000000zz",
            "pgdrift_scratch_00000000000000AB",
            "pgdrift_scratch_ffffffffffffffff",
            "pgdrift_scratch_0000000000000000x",
            "app_00000000000000ab",
        ] {
            assert_eq!(key_of(name), None, "{name}");
        }
        assert_eq!(key_of("pgdrift_scratch_00000000000000ab"), Some(0xab));
    }
}

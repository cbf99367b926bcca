//! SQL-file targets: create a scratch database, run the files into it statement by statement
//! (as `psql -f` would, so statements that refuse to run inside a transaction block work), read
//! its schema, and drop it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::catalog::{self, Scope};
use crate::policy::line_column;
use crate::sql::lexer::{ScriptItem, split_script};

use super::conninfo::{self, ConnInfo};
use super::locations::Locations;
use super::{CLEANUP_TIMEOUT, CONNECT_TIMEOUT, ReadSchema, within};

/// One SQL-file target to read.
pub(super) struct SqlFiles<'a> {
    /// Names the target in `--timings` (the loading and the reading are timed apart).
    pub target: &'a str,
    pub files: &'a [PathBuf],
    pub scope: &'a Scope,
    /// Keeps the scratch database names of concurrent targets apart.
    pub index: usize,
    /// The limit on each statement of a file, on the read, and on creating the database.
    pub read_timeout: Option<Duration>,
}

/// Apply the files to a fresh database on `server` and read its schema.
pub(super) async fn read(sql: &SqlFiles<'_>, server: &ConnInfo) -> Result<ReadSchema, String> {
    let admin = conninfo::connect(server, "pgdrift", CONNECT_TIMEOUT)
        .await
        .map_err(|e| format!("scratch server: {e}"))?;
    let name = format!("pgdrift_scratch_{}_{}", std::process::id(), sql.index);
    let quoted = crate::model::quote_ident(&name);
    // DROP/CREATE DATABASE refuse to run in a transaction block: one statement per call.
    within(
        sql.read_timeout,
        &format!("scratch server: creating the scratch database {name}"),
        async {
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
                .await
                .map_err(|e| format!("scratch server: cannot drop {name}: {}", db_message(&e)))?;
            admin
                .batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE template0"))
                .await
                .map_err(|e| {
                    format!(
                        "scratch server: cannot create a scratch database ({}); the role needs \
                         CREATEDB",
                        db_message(&e)
                    )
                })
        },
    )
    .await?;
    let result = async {
        let scratch = server.clone().with_database(&name);
        let client = conninfo::connect(&scratch, "pgdrift", CONNECT_TIMEOUT)
            .await
            .map_err(|e| format!("scratch database: {e}"))?;
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
        let started = std::time::Instant::now();
        let stage = "reading the scratch database";
        let (schema, server_version) = within(sql.read_timeout, stage, async {
            let schema = catalog::read(&client, sql.scope)
                .await
                .map_err(|e| format!("{stage}: {e}"))?;
            Ok((schema, super::server_version(&client).await))
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
    // FORCE ends the sessions still on the scratch database (ours may not have closed yet). A
    // server that does not answer must not hold the run after it already failed.
    let cleanup = sql
        .read_timeout
        .map_or(CLEANUP_TIMEOUT, |t| t.min(CLEANUP_TIMEOUT));
    let drop_sql = format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)");
    if tokio::time::timeout(cleanup, admin.batch_execute(&drop_sql))
        .await
        .is_err()
    {
        crate::stderrln!(
            "pgdrift: the scratch server did not answer within {} while dropping the scratch \
             database {name}; drop it by hand",
            crate::duration::display(cleanup)
        );
    }
    result
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

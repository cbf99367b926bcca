//! SQL-file targets: create a scratch database, run the files into it statement by statement
//! (as `psql -f` would, so statements that refuse to run inside a transaction block work), read
//! its schema, and drop it.

use std::path::{Path, PathBuf};

use crate::catalog::{self, Scope};
use crate::policy::line_column;
use crate::sql::lexer::{ScriptItem, split_script};

use super::conninfo::{self, ConnInfo};
use super::locations::Locations;
use super::{CONNECT_TIMEOUT, ReadSchema};

/// Apply `files` to a fresh database on `server` and read its schema. `index` keeps the scratch
/// database names of concurrent targets apart; `target` names the target in `--timings` (the
/// loading and the reading are timed apart).
pub(super) async fn read(
    target: &str,
    files: &[PathBuf],
    server: &ConnInfo,
    index: usize,
    scope: &Scope,
) -> Result<ReadSchema, String> {
    let admin = conninfo::connect(server, "pgdrift", CONNECT_TIMEOUT)
        .await
        .map_err(|e| format!("scratch server: {e}"))?;
    let name = format!("pgdrift_scratch_{}_{}", std::process::id(), index);
    let quoted = crate::model::quote_ident(&name);
    // DROP/CREATE DATABASE refuse to run in a transaction block: one statement per call.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
        .await
        .map_err(|e| format!("scratch server: cannot drop {name}: {}", db_message(&e)))?;
    admin
        .batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE template0"))
        .await
        .map_err(|e| {
            format!(
                "scratch server: cannot create a scratch database ({}); the role needs CREATEDB",
                db_message(&e)
            )
        })?;
    let result = async {
        let scratch = server.clone().with_database(&name);
        let client = conninfo::connect(&scratch, "pgdrift", CONNECT_TIMEOUT)
            .await
            .map_err(|e| format!("scratch database: {e}"))?;
        let mut locations = Locations::default();
        let mut search_path = "public".to_string();
        let started = std::time::Instant::now();
        for file in files {
            apply_file(&client, file, &mut locations, &mut search_path).await?;
        }
        crate::timings::record(format!("load {target}"), started.elapsed());
        let started = std::time::Instant::now();
        let schema = catalog::read(&client, scope)
            .await
            .map_err(|e| format!("reading the scratch database: {e}"))?;
        crate::timings::record(format!("read {target}"), started.elapsed());
        Ok(ReadSchema {
            schema,
            server_version: super::server_version(&client).await,
            locations,
        })
    }
    .await;
    let _ = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        .await;
    result
}

async fn apply_file(
    client: &tokio_postgres::Client,
    file: &Path,
    locations: &mut Locations,
    search_path: &mut String,
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
                if let Err(e) = client.batch_execute(stmt.sql).await {
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

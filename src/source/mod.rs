//! Sources: turn policy targets into canonical `Schema`s. The only stage that touches a
//! database: live URLs are read through the catalog reader; SQL files are applied to a scratch
//! database (on a throwaway local cluster, or on an existing server named by `scratch_url`) and
//! then read the same way. All targets of a run are read concurrently.

pub mod cluster;
pub mod conninfo;
mod sql_files;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;

use crate::catalog::{self, Scope};
use crate::model::Schema;
use crate::policy::{LiveTarget, SqlTarget, Target, TargetSource};
use cluster::Cluster;
use conninfo::ConnInfo;

/// How long to wait for a server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a target could not be read. The message never contains a password.
#[derive(Debug, Clone)]
pub struct SourceError {
    pub target: String,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "target `{}`: {}", self.target, self.message)
    }
}

impl std::error::Error for SourceError {}

/// The environment lookup used for libpq variables (PGHOST, PGPASSWORD, ...).
pub type Env = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Read every target concurrently. SQL targets without `scratch_url` share one throwaway
/// cluster, which is stopped and removed before this returns (or when the future is dropped,
/// e.g. on Ctrl-C).
pub async fn read_targets(
    targets: &[&Target],
    env: &Env,
) -> BTreeMap<String, Result<Arc<Schema>, SourceError>> {
    let needs_cluster = targets.iter().any(|t| {
        matches!(
            &t.source,
            TargetSource::Sql(SqlTarget {
                scratch_url: None,
                ..
            })
        )
    });
    let cluster = if needs_cluster {
        match tokio::task::spawn_blocking(Cluster::start).await {
            Ok(Ok(c)) => Some(Ok(c)),
            Ok(Err(e)) => Some(Err(format!(
                "cannot start a local PostgreSQL to apply the SQL files: {e}"
            ))),
            Err(e) => Some(Err(format!("cannot start a local PostgreSQL: {e}"))),
        }
    } else {
        None
    };
    let reads = targets.iter().enumerate().map(|(i, target)| {
        let cluster = cluster.as_ref();
        async move {
            let result = read_target(target, i, cluster, env).await;
            (
                target.name.clone(),
                result.map(Arc::new).map_err(|message| SourceError {
                    target: target.name.clone(),
                    message,
                }),
            )
        }
    });
    let results = join_all(reads).await.into_iter().collect();
    if let Some(Ok(cluster)) = cluster {
        // Stopping waits for the server process: keep it off the async workers.
        let _ = tokio::task::spawn_blocking(move || drop(cluster)).await;
    }
    results
}

async fn read_target(
    target: &Target,
    index: usize,
    cluster: Option<&Result<Cluster, String>>,
    env: &Env,
) -> Result<Schema, String> {
    let scope = Scope {
        schemas: target.schemas.clone(),
    };
    match &target.source {
        TargetSource::Live(live) => {
            let info = live_conninfo(live, env)?;
            let client = conninfo::connect(&info, "pgdrift", CONNECT_TIMEOUT)
                .await
                .map_err(|e| e.to_string())?;
            catalog::read(&client, &scope)
                .await
                .map_err(|e| format!("reading the schema of {}: {e}", info.describe()))
        }
        TargetSource::Sql(sql) => {
            let server = match (&sql.scratch_url, cluster) {
                (Some(url), _) => {
                    ConnInfo::parse(url, env).map_err(|e| format!("scratch_url: {e}"))?
                }
                (None, Some(Ok(cluster))) => ConnInfo::parse(&cluster.url("postgres"), env)
                    .map_err(|e| format!("local cluster: {e}"))?,
                (None, Some(Err(e))) => return Err(e.clone()),
                (None, None) => return Err("no scratch server for SQL files".into()),
            };
            sql_files::read(&sql.files, &server, index, &scope).await
        }
    }
}

fn live_conninfo(live: &LiveTarget, env: &Env) -> Result<ConnInfo, String> {
    let mut info = ConnInfo::parse(&live.conninfo, env).map_err(|e| e.to_string())?;
    if let Some(mode) = &live.sslmode {
        info = info.with_sslmode(mode).map_err(|e| e.to_string())?;
    }
    if let Some(ca) = &live.ca_file {
        info = info.with_root_cert(ca);
    }
    Ok(info.with_password(live.password.clone()))
}

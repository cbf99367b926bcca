//! Sources: turn policy targets into canonical `Schema`s. The only stage that touches a
//! database: live URLs are read through the catalog reader; SQL files are applied to a scratch
//! database (on a throwaway local cluster, or on an existing server named by `scratch_url`) and
//! then read the same way. All targets of a run are read concurrently. Targets behind a bastion
//! are reached through ssh tunnels that live as long as the run's `Tunnels`.
//!
//! Every stage that waits on a server has a client-side deadline: each connection attempt
//! (`connect_timeout`), and once connected each read, each statement of a SQL file, the listing
//! of a fleet's databases (`read_timeout`), through a tunnel as well as directly. The server's
//! `statement_timeout` cannot end a wait on a server that is stopped or cut off; these do, and
//! the target fails naming the stage.

pub mod apply;
pub mod cleanup;
pub mod cluster;
mod cluster_template;
pub mod cockroach;
pub mod conninfo;
pub mod lazy_tls;
pub mod locations;
pub mod locks;
pub mod run_dir;
mod sql_files;
pub mod tunnel;

pub use tunnel::Tunnels;

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
use locations::Locations;

/// How long to wait for a server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest cleanup after a failed stage may take (dropping a scratch database): the run
/// has failed already and must not then hang on it.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

pub use conninfo::Session;

/// Run `work`, a stage that waits on a server, for at most `limit` (`None`: no limit). When the
/// time is up, `work` is dropped (nothing of it waits on afterwards) and the error names
/// `stage` and says what to do.
async fn within<T>(
    limit: Option<Duration>,
    stage: &str,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match limit {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(no_answer(stage, limit))),
    }
}

/// The message of a stage whose server did not answer within `limit`.
fn no_answer(stage: &str, limit: Duration) -> String {
    format!(
        "{stage}: the server did not answer within {} (read_timeout). Check that the server is \
         up and not stopped, overloaded or cut off by the network, or raise read_timeout \
         ([settings] in the policy, or --read-timeout)",
        crate::duration::display(limit)
    )
}

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

/// What reading a target gives: the schema, and what reports and snapshots want to know
/// about where it came from.
#[derive(Debug, Clone, Default)]
pub struct ReadSchema {
    pub schema: Schema,
    /// `server_version` of the database that was read (the scratch server for SQL files).
    pub server_version: Option<String>,
    /// For SQL files: where each object was last created or altered.
    pub locations: Locations,
}

/// The environment lookup used for libpq variables (PGHOST, PGPASSWORD, ...).
pub type Env = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Read every target concurrently. SQL targets without `scratch_url` share one throwaway
/// cluster, whose stop and removal start when this returns (handed to `cleanup`, which `main`
/// awaits before exiting), or when the future is dropped, e.g. on a signal. Targets with `ssh` go through `tunnels`, opened there when needed.
pub async fn read_targets(
    targets: &[&Target],
    env: &Env,
    tunnels: &Tunnels,
    read_timeout: Option<Duration>,
) -> BTreeMap<String, Result<Arc<ReadSchema>, SourceError>> {
    let on_cluster: Vec<&SqlTarget> = (targets.iter())
        .filter_map(|t| match &t.source {
            TargetSource::Sql(
                sql @ SqlTarget {
                    scratch_url: None, ..
                },
            ) => Some(sql),
            _ => None,
        })
        .collect();
    let cluster = if !on_cluster.is_empty() {
        let started = std::time::Instant::now();
        // A file that cannot be read counts as large here; applying it says why.
        let sql_bytes: u64 = (on_cluster.iter().flat_map(|t| &t.files))
            .map(|f| std::fs::metadata(f).map_or(u64::MAX, |m| m.len()))
            .fold(0, u64::saturating_add);
        let cluster = tokio::task::spawn_blocking(move || start_cluster(sql_bytes)).await;
        crate::timings::record("start the throwaway cluster", started.elapsed());
        match cluster {
            Ok(Ok(c)) => Some(Ok(c)),
            Ok(Err(e)) => Some(Err(format!(
                "cannot start a local PostgreSQL to apply the SQL files: {e}"
            ))),
            Err(e) => Some(Err(format!("cannot start a local PostgreSQL: {e}"))),
        }
    } else {
        None
    };
    let reads = targets.iter().map(|target| {
        let cluster = cluster.as_ref();
        async move {
            let result = read_target(target, cluster, env, tunnels, read_timeout).await;
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
        // Stopped and removed while the run compares and writes its reports (`main` waits
        // for it before the process exits); stopping waits for the server process, so off the
        // async workers.
        cleanup::defer(async move {
            let _ = tokio::task::spawn_blocking(move || drop(cluster)).await;
        });
    }
    results
}

/// Start the shared throwaway cluster for `sql_bytes` of SQL files (which decide where it goes:
/// `cluster::parent_for`), first removing the ones killed runs left behind (a run that starts
/// a cluster is the one that can tell: it knows what a live one looks like).
fn start_cluster(sql_bytes: u64) -> Result<Cluster, cluster::ClusterError> {
    for leftover in cluster::remove_leftovers() {
        match leftover {
            cluster::Leftover::Removed(dir) => crate::stderrln!(
                "pgdrift: removed {}, a throwaway cluster an earlier run left behind",
                dir.display()
            ),
            cluster::Leftover::ServerRunning(dir) => crate::stderrln!(
                "pgdrift: left {} alone: an earlier run left it, but its server still runs",
                dir.display()
            ),
            cluster::Leftover::NotRemoved(dir, e) => crate::stderrln!(
                "pgdrift: cannot remove {}, a throwaway cluster an earlier run left behind: {e}",
                dir.display()
            ),
        }
    }
    Cluster::start_with(&cluster::ClusterOptions {
        parent: cluster::parent_for(sql_bytes),
        ..Default::default()
    })
}

async fn read_target(
    target: &Target,
    cluster: Option<&Result<Cluster, String>>,
    env: &Env,
    tunnels: &Tunnels,
    read_timeout: Option<Duration>,
) -> Result<ReadSchema, String> {
    let scope = Scope {
        schemas: target.schemas.clone(),
    };
    match &target.source {
        TargetSource::Live(live) => {
            let (client, info) = connect(&target.name, live, env, tunnels).await?;
            let probe = probe(&client, &info, read_timeout).await?;
            let stage = format!("reading the schema of {}", info.describe());
            let cockroachdb = match &probe {
                Some(probe) => {
                    catalog::is_cockroachdb(&probe.version).then(|| probe.version.clone())
                }
                // CockroachDB lacks what the probe asks (or a PostgreSQL role may not ask it):
                // one more round trip says which.
                None => {
                    within(read_timeout, &stage, async {
                        Ok(cockroach::detect(&client).await)
                    })
                    .await?
                }
            };
            if let Some(version) = cockroachdb {
                return cockroach::read_live_target(
                    &target.name,
                    &client,
                    &stage,
                    &scope,
                    read_timeout,
                    &version,
                )
                .await;
            }
            let _budget = match &probe {
                Some(probe) => Some(reserve_locks(&target.name, &probe.need).await),
                None => None,
            };
            let started = std::time::Instant::now();
            let (schema, server_version) = within(read_timeout, &stage, async {
                let schema = catalog::read(&client, &scope)
                    .await
                    .map_err(|e| format!("{stage}: {e}"))?;
                let version = match probe {
                    Some(probe) => Some(probe.server_version),
                    None => server_version(&client).await,
                };
                Ok((schema, version))
            })
            .await?;
            crate::timings::record(format!("read {}", target.name), started.elapsed());
            Ok(ReadSchema {
                schema,
                server_version,
                locations: Locations::default(),
            })
        }
        TargetSource::Snapshot(path) => {
            if let Some(read) = cockroach::replay_if_bundle(&target.name, path, &scope).await? {
                return Ok(read);
            }
            let path = path.clone();
            let started = std::time::Instant::now();
            let snapshot =
                tokio::task::spawn_blocking(move || crate::snapshot::Snapshot::load(&path))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
            crate::timings::record(
                format!("read {} (snapshot)", target.name),
                started.elapsed(),
            );
            let mut schema = snapshot.schema;
            if let Some(only) = &scope.schemas {
                schema.schemas.retain(|name, _| only.contains(name));
                schema
                    .extensions
                    .retain(|_, ext| only.contains(&ext.schema));
            }
            Ok(ReadSchema {
                schema,
                server_version: snapshot.server_version,
                locations: Locations::default(),
            })
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
            let files = sql_files::SqlFiles {
                target: &target.name,
                files: &sql.files,
                scope: &scope,
                // Leftovers of dead runs, and other sessions whose locks count, live on
                // servers that outlive runs, not on a fresh cluster.
                shared_server: sql.scratch_url.is_some(),
                read_timeout,
            };
            sql_files::read(&files, &server).await
        }
    }
}

/// Ask the server, in one query before the read, what it is and how many locks the read will
/// hold (`locks`). `None`: it cannot answer (a server that is not PostgreSQL, or a proxy or role
/// that hides its settings); the read then runs without a lock budget and says what is wrong,
/// if anything is. A server that does not answer at all fails the target on `read_timeout`.
pub(super) async fn probe(
    client: &tokio_postgres::Client,
    info: &ConnInfo,
    read_timeout: Option<Duration>,
) -> Result<Option<locks::Probe>, String> {
    let stage = format!(
        "reading the schema of {}: estimating the locks it will hold",
        info.describe()
    );
    within(read_timeout, &stage, async {
        Ok(locks::estimate(client).await.ok())
    })
    .await
}

/// Wait until the read that `need` describes fits in its server's lock budget.
pub(super) async fn reserve_locks(target: &str, need: &locks::LockNeed) -> locks::Reservation {
    let started = std::time::Instant::now();
    let reservation = locks::reserve(need).await;
    let waited = started.elapsed();
    if waited >= Duration::from_millis(1) {
        crate::timings::record(format!("wait for the lock budget {target}"), waited);
    }
    reservation
}

/// `server_version` of the connected server (`15.18`), if it says.
pub(crate) async fn server_version(client: &tokio_postgres::Client) -> Option<String> {
    let rows = client.simple_query("SHOW server_version").await.ok()?;
    rows.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
        _ => None,
    })
}

/// Connect to a live target, through its tunnel when it has `ssh`. The connection string and
/// the tunnel are returned too: the first describes the target in messages, the second must
/// outlive the client (it is kept by `tunnels`, which the caller holds).
async fn connect(
    name: &str,
    live: &LiveTarget,
    env: &Env,
    tunnels: &Tunnels,
) -> Result<(Session, ConnInfo), String> {
    let info = live_conninfo(live, env)?;
    let (info, tunnel) = match &live.ssh {
        Some(ssh) => {
            let (info, tunnel) = tunnels.route(ssh, info).await?;
            (info, Some(tunnel))
        }
        None => (info, None),
    };
    let started = std::time::Instant::now();
    let seen = tunnel.as_ref().map_or(0, |t| t.said_count());
    let client = match conninfo::connect(&info, "pgdrift", CONNECT_TIMEOUT).await {
        Ok(client) => client,
        Err(e) => {
            let Some(tunnel) = tunnel else {
                return Err(e.to_string());
            };
            // The server answered: the tunnel worked, and the server's words are the reason.
            if server_answered(e.failure()) {
                return Err(format!(
                    "{e} (through the ssh tunnel via {})",
                    tunnel.bastion()
                ));
            }
            return Err(match tunnel.trouble(seen).await {
                // What the server side said is beside the point: the tunnel broke.
                Some(trouble) => format!(
                    "could not connect to database \"{}\" as user \"{}\" on {} through the \
                     ssh tunnel via {}: {trouble}",
                    e.database(),
                    e.user(),
                    info.host_display(),
                    tunnel.bastion()
                ),
                None => format!("{e} (through the ssh tunnel via {})", tunnel.bastion()),
            });
        }
    };
    crate::timings::record(format!("connect {name}"), started.elapsed());
    Ok((client, info))
}

/// Whether a failed connection got as far as the server saying no (so a tunnel on the way is
/// not to blame).
fn server_answered(failure: &conninfo::Failure) -> bool {
    use conninfo::Failure;
    matches!(
        failure,
        Failure::Authentication { .. }
            | Failure::PasswordMissing { .. }
            | Failure::Rejected { .. }
            | Failure::DatabaseMissing { .. }
            | Failure::Server { .. }
            | Failure::SessionAttrs { .. }
            | Failure::Config(_)
    )
}

fn live_conninfo(live: &LiveTarget, env: &Env) -> Result<ConnInfo, String> {
    let mut info = ConnInfo::parse(&live.conninfo, env).map_err(|e| e.to_string())?;
    if let Some(mode) = &live.sslmode {
        info = info.with_sslmode(mode).map_err(|e| e.to_string())?;
    }
    if let Some(ca) = &live.ca_file {
        info = info.with_root_cert(ca);
    }
    if let Some(db) = &live.database {
        info = info.with_database(db);
    }
    Ok(info.with_password(live.password.clone()))
}

/// A connection to a live target (for `apply`), and the scope its schema is read with. A
/// tunnel it needs stays in `tunnels`: keep them for as long as the session.
pub async fn connect_live(
    target: &Target,
    env: &Env,
    tunnels: &Tunnels,
) -> Result<(Session, Scope), SourceError> {
    let fail = |message: String| SourceError {
        target: target.name.clone(),
        message,
    };
    let TargetSource::Live(live) = &target.source else {
        return Err(fail(
            "apply changes a live database: the actual side must be a `url` target, not SQL \
             files or a snapshot"
                .into(),
        ));
    };
    let (client, _) = connect(&target.name, live, env, tunnels)
        .await
        .map_err(fail)?;
    Ok((
        client,
        Scope {
            schemas: target.schemas.clone(),
        },
    ))
}

/// The databases on a live target's server that accept connections (templates left out).
pub async fn list_databases(
    target: &Target,
    env: &Env,
    tunnels: &Tunnels,
    read_timeout: Option<Duration>,
) -> Result<Vec<String>, SourceError> {
    let fail = |message: String| SourceError {
        target: target.name.clone(),
        message,
    };
    let TargetSource::Live(live) = &target.source else {
        return Err(fail("`databases` needs a live target".into()));
    };
    let (client, info) = connect(&target.name, live, env, tunnels)
        .await
        .map_err(fail)?;
    let stage = format!("listing the databases of {}", info.describe());
    let rows = within(read_timeout, &stage, async {
        client
            .query(
                "SELECT datname FROM pg_catalog.pg_database \
                 WHERE datallowconn AND NOT datistemplate ORDER BY 1",
                &[],
            )
            .await
            .map_err(|e| format!("{stage}: {e}"))
    })
    .await
    .map_err(fail)?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
}

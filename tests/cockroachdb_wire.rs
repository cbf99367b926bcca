//! A CockroachDB `url` target through the real network path, short of a real server: a tiny
//! PostgreSQL-protocol server on loopback (the `pgwire` crate) answers the statements a
//! fixture bundle recorded, and nothing else. `pgdrift diff` and `pgdrift record` connect to it
//! as to any server; the version detection must pick the CockroachDB reader (the PostgreSQL
//! reader's first statements are not in the bundle, so taking that path fails the test).
//!
//! This checks pgdrift's plumbing (detection, the statements sent, rows as text, the read-only
//! transaction), never CockroachDB's behaviour: the answers are the fixture's.

use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures_util::{Sink, stream};
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers, Type};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use tokio::net::TcpListener;

use pgdrift::source::cockroach::Bundle;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cockroachdb")
        .join(name)
}

/// Answers the statements of one bundle; records every statement it was sent.
struct Replayer {
    bundle: Bundle,
    seen: Mutex<Vec<String>>,
    /// A statement the server never answers (a server that stopped).
    hang_on: Option<&'static str>,
}

#[async_trait]
impl NoopStartupHandler for Replayer {
    async fn post_startup<C>(
        &self,
        _client: &mut C,
        _message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Ok(())
    }
}

fn rows(columns: &[String], rows: Vec<Vec<Option<String>>>) -> PgWireResult<Response> {
    let fields: Vec<FieldInfo> = columns
        .iter()
        .map(|c| FieldInfo::new(c.clone(), None, None, Type::TEXT, FieldFormat::Text))
        .collect();
    let schema = Arc::new(fields);
    let mut encoder = DataRowEncoder::new(schema.clone());
    let mut encoded = Vec::new();
    for row in rows {
        for value in &row {
            encoder.encode_field(value)?;
        }
        encoded.push(Ok(encoder.take_row()));
    }
    Ok(Response::Query(QueryResponse::new(
        schema,
        stream::iter(encoded),
    )))
}

#[async_trait]
impl SimpleQueryHandler for Replayer {
    async fn do_query<C>(&self, _client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
    {
        self.seen.lock().expect("lock").push(query.to_string());
        if self.hang_on == Some(query) {
            std::future::pending::<()>().await;
        }
        let b = &self.bundle;
        let one = |value: &str| rows(&["value".to_string()], vec![vec![Some(value.to_string())]]);
        let response = match query {
            "SELECT version()" => one(&b.version)?,
            "SELECT current_database()" => one(&b.database)?,
            "BEGIN TRANSACTION READ ONLY" => Response::Execution(Tag::new("BEGIN")),
            "COMMIT" => Response::Execution(Tag::new("COMMIT")),
            _ => match b.answers.iter().find(|a| a.statement == query) {
                Some(a) => rows(&a.columns, a.rows.clone())?,
                None => {
                    return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                        "ERROR".into(),
                        "42601".into(),
                        format!("the replayed bundle has no answer to {query:?}"),
                    ))));
                }
            },
        };
        Ok(vec![response])
    }
}

struct Handlers(Arc<Replayer>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.0.clone()
    }
}

/// Serve `bundle` on a free loopback port: the port, and what was asked.
async fn serve(bundle: Bundle) -> (u16, Arc<Replayer>) {
    serve_hanging(bundle, None).await
}

/// As `serve`, never answering `hang_on`.
async fn serve_hanging(bundle: Bundle, hang_on: Option<&'static str>) -> (u16, Arc<Replayer>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let replayer = Arc::new(Replayer {
        bundle,
        seen: Mutex::new(Vec::new()),
        hang_on,
    });
    let served = replayer.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let handlers = Handlers(served.clone());
            tokio::spawn(
                async move { pgwire::tokio::process_socket(socket, None, handlers).await },
            );
        }
    });
    (port, replayer)
}

fn bundle(name: &str) -> Bundle {
    Bundle::parse(&std::fs::read_to_string(fixture(name)).expect("fixture")).expect("bundle")
}

fn url(port: u16, database: &str) -> String {
    format!("postgresql://tester@127.0.0.1:{port}/{database}?sslmode=disable")
}

async fn pgdrift(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_pgdrift"))
            .args(&args)
            .env("NO_COLOR", "1")
            .env_remove("PGPASSWORD")
            .current_dir(fixture(""))
            .output()
            .expect("runs")
    })
    .await
    .expect("joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_target_on_cockroachdb_is_read_by_the_cockroachdb_reader() {
    let (port, replayer) = serve(bundle("shop_v23_2.json")).await;
    let out = pgdrift(vec![
        "diff".into(),
        url(port, "shop"),
        "shop_staging_v23_2.json".into(),
        "--timings".into(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // The read shows in --timings as a PostgreSQL target's does.
    assert!(stderr.contains("read expected"), "{stderr}");
    assert!(stdout.contains("14 objects compared, no drift"), "{stdout}");
    let seen = replayer.seen.lock().expect("lock").clone();
    // Told by version(), then one read-only transaction of the reader's statements.
    assert_eq!(seen.first().map(String::as_str), Some("SELECT version()"));
    assert!(
        seen.contains(&"BEGIN TRANSACTION READ ONLY".to_string()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"SHOW CREATE ALL TABLES".to_string()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"SHOW ZONE CONFIGURATIONS".to_string()),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("COMMIT"), "{seen:?}");
    // Never a pg_catalog query of the PostgreSQL reader.
    assert!(
        !seen.iter().any(|q| q.contains("pg_catalog.pg_")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_writes_what_the_server_answered() {
    let recorded = bundle("shop_prod_drifted_v24_3.json");
    let (port, _) = serve(recorded.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out_file = dir.path().join("prod.json");
    let out = pgdrift(vec![
        "record".into(),
        "--url".into(),
        url(port, "shop_prod"),
        "--out".into(),
        out_file.display().to_string(),
        "--note".into(),
        "replayed by the test server".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written =
        Bundle::parse(&std::fs::read_to_string(&out_file).expect("written")).expect("a bundle");
    assert_eq!(written.note.as_deref(), Some("replayed by the test server"));
    assert_eq!(written.version, recorded.version);
    assert_eq!(written.database, recorded.database);
    // Every answer as served, row for row (NULLs included).
    assert_eq!(written.answers, recorded.answers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_refuses_a_server_that_is_not_cockroachdb() {
    let mut pretend = bundle("shop_v23_2.json");
    pretend.version = "PostgreSQL 16.4 on x86_64-pc-linux-gnu".into();
    let (port, replayer) = serve(pretend).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = pgdrift(vec![
        "record".into(),
        "--url".into(),
        url(port, "shop"),
        "--out".into(),
        dir.path().join("x.json").display().to_string(),
    ])
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not CockroachDB"), "{stderr}");
    assert!(!dir.path().join("x.json").exists());
    assert_eq!(replayer.seen.lock().expect("lock").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_answering_the_detection_fails_within_the_deadline() {
    let (port, _) = serve_hanging(bundle("shop_v23_2.json"), Some("SELECT version()")).await;
    let started = std::time::Instant::now();
    let out = pgdrift(vec![
        "diff".into(),
        url(port, "shop"),
        "shop_staging_v23_2.json".into(),
        "--read-timeout".into(),
        "1s".into(),
    ])
    .await;
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("did not answer within 1s (read_timeout)"),
        "{all}"
    );
    // Once: the PostgreSQL reader does not wait a second deadline after it.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{all}"
    );
}

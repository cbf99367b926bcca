//! A fleet read never fills the server's lock table: with a small lock table, nine databases
//! read with `--jobs 8` while an unrelated application takes locks of its own, and the
//! application sees no error (before the lock budget, a read held every lock it took until
//! it ended, and eight at once made the application's transactions fail with "out of shared
//! memory").

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pgdrift::source::cluster::{Cluster, ClusterOptions};
use serde_json::Value;
use tokio_postgres::{Client, NoTls};

/// Tables in each fleet database, each read by one view (deparsing a view locks what it reads).
const TABLES: usize = 60;
/// Tables the application locks in each of its transactions (beyond the 16 a session may take
/// without using the shared table).
const APP_TABLES: usize = 40;
const FLEET: usize = 9;

async fn connect(cluster: &Cluster, database: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(&cluster.url(database), NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {database}: {e}"));
    tokio::spawn(connection);
    client
}

fn tables_and_views(prefix: &str, n: usize, views: bool) -> String {
    let mut sql = String::new();
    for i in 0..n {
        sql.push_str(&format!(
            "CREATE TABLE {prefix}{i} (id int PRIMARY KEY, note text);\n"
        ));
        if views {
            sql.push_str(&format!(
                "CREATE VIEW {prefix}{i}_v AS SELECT id, note FROM {prefix}{i};\n"
            ));
        }
    }
    sql
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fleet_read_leaves_the_lock_table_to_the_application() {
    // 10 locks per transaction × 40 connections: the smallest lock table a server allows with
    // room for the test's sessions. pgdrift's budget is a quarter of the nominal 400.
    let cluster = tokio::task::spawn_blocking(|| {
        Cluster::start_with(&ClusterOptions {
            settings: vec![
                ("max_locks_per_transaction".into(), "10".into()),
                ("max_connections".into(), "40".into()),
            ],
            ..Default::default()
        })
    })
    .await
    .expect("join")
    .unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"));
    let admin = connect(&cluster, "postgres").await;
    for name in ["fleet_template", "app"] {
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("database");
    }
    connect(&cluster, "fleet_template")
        .await
        .batch_execute(&tables_and_views("t", TABLES, true))
        .await
        .expect("fleet schema");
    for i in 0..FLEET {
        admin
            .batch_execute(&format!(
                "CREATE DATABASE fleet_{i} TEMPLATE fleet_template"
            ))
            .await
            .expect("fleet database");
    }
    let app = connect(&cluster, "app").await;
    app.batch_execute(&tables_and_views("a", APP_TABLES, false))
        .await
        .expect("app schema");

    // The application: transactions that each lock every one of its tables, until pgdrift
    // is done.
    let done = Arc::new(AtomicBool::new(false));
    let transactions = Arc::new(AtomicUsize::new(0));
    let lock_all = format!(
        "BEGIN; LOCK TABLE {} IN ACCESS SHARE MODE; COMMIT",
        (0..APP_TABLES)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let application = tokio::spawn({
        let (done, transactions) = (done.clone(), transactions.clone());
        async move {
            let mut errors = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if let Err(e) = app.batch_execute(&lock_all).await {
                    errors.push(
                        e.as_db_error()
                            .map_or(e.to_string(), |d| d.message().into()),
                    );
                    let _ = app.batch_execute("ROLLBACK").await;
                }
                transactions.fetch_add(1, Ordering::Relaxed);
            }
            errors
        }
    });
    // How many of pgdrift's sessions hold many relation locks at the same moment.
    let watcher = connect(&cluster, "postgres").await;
    let sampler = tokio::spawn({
        let done = done.clone();
        async move {
            let mut most_at_once = 0;
            let mut most_locks = 0;
            let mut most_in_one = 0;
            while !done.load(Ordering::Relaxed) {
                let rows = watcher
                    .query(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
                         WHERE a.application_name = 'pgdrift' AND l.locktype = 'relation' \
                         GROUP BY l.pid",
                        &[],
                    )
                    .await
                    .expect("pg_locks");
                let counts: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
                most_at_once = most_at_once.max(counts.iter().filter(|&&n| n > 30).count());
                most_locks = most_locks.max(counts.iter().sum::<i64>());
                most_in_one = most_in_one.max(counts.iter().copied().max().unwrap_or(0));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            (most_at_once, most_locks, most_in_one)
        }
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        format!(
            "[targets.expected]\nurl = \"{}\"\n\
             [targets.fleet]\nurl = \"{}\"\ndatabases = \"fleet_?\"\n\
             [[check]]\nname = \"fleet\"\nexpected = \"expected\"\nactual = \"fleet\"\n",
            cluster.url("fleet_template"),
            cluster.url("postgres"),
        ),
    )
    .expect("policy");
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("pgdrift")
            .expect("binary")
            .args(["check", "--policy"])
            .arg(&policy)
            .args(["--jobs", "8", "--timings", "--json", "-"])
            .env("NO_COLOR", "1")
            .output()
            .expect("run")
    })
    .await
    .expect("join");
    done.store(true, Ordering::Relaxed);
    let errors = application.await.expect("application");
    let (most_at_once, most_locks, most_in_one) = sampler.await.expect("sampler");

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let clean = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "clean")
        .count();
    assert_eq!(clean, FLEET, "every fleet database compared clean");
    assert!(
        transactions.load(Ordering::Relaxed) > 10,
        "the application ran during the read"
    );
    assert_eq!(
        errors,
        Vec::<String>::new(),
        "the application's transactions failed"
    );
    // Each read needs more than the budget (80 + 120 relations its views read > 100), so the
    // reads of this server run one at a time.
    assert_eq!(most_at_once, 1, "reads holding many locks at once");
    // Waiting for room is a stage of its own in --timings.
    assert!(
        stderr.contains("wait for the lock budget fleet"),
        "{stderr}"
    );
    assert!(most_locks < 400, "pgdrift held {most_locks} locks at once");
    // The estimate (80 + the relations the views read: each view and its table) is an upper
    // bound of what one read holds.
    let estimate = 80 + 2 * TABLES as i64;
    assert!(
        (40..=estimate).contains(&most_in_one),
        "one read held {most_in_one} locks, estimated {estimate}"
    );
}

/// A server that will not answer the estimate (here: a database whose administrator revoked
/// `pg_postmaster_start_time` from PUBLIC, as hardened servers do with such functions) is read
/// all the same, without a budget, and gives the same schema as a reader allowed everything.
#[tokio::test]
async fn a_server_that_hides_what_the_estimate_asks_is_read_without_a_budget() {
    const ROLE: &str = "locks_hidden_reader";
    let db = common::db_with(
        "locks_hidden",
        "CREATE TABLE t (id int PRIMARY KEY, note text);\n\
         CREATE VIEW v AS SELECT id, note FROM t;",
    )
    .await;
    common::ensure_roles(&[ROLE]).await;
    db.exec(&format!(
        "ALTER ROLE {ROLE} LOGIN; \
         REVOKE EXECUTE ON FUNCTION pg_catalog.pg_postmaster_start_time() FROM PUBLIC; \
         GRANT USAGE ON SCHEMA public TO {ROLE}"
    ))
    .await;
    let server = common::base_url().rsplit_once('@').expect("user@host").1;
    let hidden = format!("postgresql://{ROLE}@{server}/{}?sslmode=disable", db.name);
    let snapshot = |url: &str| {
        let out = assert_cmd::Command::cargo_bin("pgdrift")
            .expect("binary")
            .args(["snapshot", "--no-timestamp", "--url", url])
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // The estimate itself is refused to that role.
    let (client, connection) = tokio_postgres::connect(&hidden, NoTls)
        .await
        .expect("connect as the reader");
    tokio::spawn(connection);
    let refused = client
        .simple_query("SELECT pg_catalog.pg_postmaster_start_time()")
        .await
        .expect_err("the function is revoked");
    let message = refused.as_db_error().map(|e| e.message().to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("permission denied")),
        "{message:?}"
    );
    assert_eq!(snapshot(&hidden), snapshot(&db.url()));
}

//! A server that stops answering never hangs pgdrift: the binary against its own throwaway
//! cluster (so stopping a server process disturbs no other test), with a backend or the whole
//! server stopped by SIGSTOP. The target that was being read fails with exit 2, naming the
//! target and the stage; the other targets of the run still complete, and the reports are
//! written.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pgdrift::source::cluster::{Cluster, ClusterOptions};
use serde_json::Value;
use tokio_postgres::{Client, NoTls};

/// Far below any wait that would count as a hang, far above a run that ends on its deadline
/// (a few seconds) on a busy machine.
const BOUND: Duration = Duration::from_secs(30);

fn start() -> Cluster {
    Cluster::start_with(&ClusterOptions::default())
        .unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"))
}

/// Resumes the processes it holds when dropped, so a failing assert never leaves a stopped
/// server behind (the cluster could not be stopped then). Declared after the cluster, so it is
/// dropped first.
struct Resume(Vec<i32>);

impl Resume {
    fn stop(&mut self, pid: i32) {
        // SAFETY: sending a signal to a process of the test's own cluster.
        let rc = unsafe { libc::kill(pid, libc::SIGSTOP) };
        assert_eq!(rc, 0, "SIGSTOP {pid}: {}", std::io::Error::last_os_error());
        self.0.push(pid);
    }
}

impl Drop for Resume {
    fn drop(&mut self) {
        for pid in &self.0 {
            // SAFETY: as above.
            unsafe { libc::kill(*pid, libc::SIGCONT) };
        }
    }
}

async fn admin(cluster: &Cluster, database: &str) -> Client {
    let url = format!("{}&application_name=pgdrift-test", cluster.url(database));
    let (client, connection) = tokio_postgres::connect(&url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {database}: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// Databases `names` on the cluster, each holding the same small schema (a table, a view on it).
async fn databases(cluster: &Cluster, names: &[&str]) {
    let postgres = admin(cluster, "postgres").await;
    for name in names {
        postgres
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        admin(cluster, name)
            .await
            .batch_execute(
                "CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0); \
                 CREATE VIEW v AS SELECT id, n FROM t;",
            )
            .await
            .expect("schema");
    }
}

/// The pid of the first backend `sql` finds, asked every few milliseconds until one appears;
/// `Err` with pgdrift's output if it ends first or none appears within `BOUND`.
async fn wait_for_backend(
    client: &Client,
    sql: &str,
    pgdrift: Child,
) -> Result<(i32, Child), String> {
    let started = Instant::now();
    let mut pgdrift = pgdrift;
    while started.elapsed() < BOUND {
        let rows = client.query(sql, &[]).await.expect("pg_stat_activity");
        if let Some(row) = rows.first() {
            return Ok((row.get::<_, i32>(0), pgdrift));
        }
        if pgdrift.try_wait().expect("try_wait").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = pgdrift.kill();
    let out = pgdrift.wait_with_output().expect("output");
    Err(format!("no such backend; pgdrift said:\n{}", text(&out)))
}

/// What pgdrift printed, both streams.
fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn pgdrift(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pgdrift"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PGPASSWORD")
        .env_remove("GITHUB_ACTIONS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pgdrift")
}

/// The run ended with exit 2 (could not finish) before `BOUND`: what it printed.
async fn fails_in_time(child: Child, started: Instant) -> String {
    let (out, elapsed) = finish(child, started).await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(elapsed < BOUND, "{elapsed:?}");
    all
}

/// Wait for pgdrift to end, at most until `BOUND` after `started`; a run still going then is
/// killed and fails the test.
async fn finish(mut child: Child, started: Instant) -> (Output, Duration) {
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "pgdrift still ran after {BOUND:?}: it hangs on the stopped server\n{}",
                text(&out)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    (child.wait_with_output().expect("output"), elapsed)
}

fn write_policy(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("schema-policy.toml");
    std::fs::write(&path, text).expect("write policy");
    path
}

fn report(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the JSON report is written");
    serde_json::from_str(&text).expect("json")
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_stopped_during_the_read_fails_its_target_within_the_deadline() {
    let cluster = start();
    let mut stopped = Resume(Vec::new());
    databases(&cluster, &["app_a", "app_b", "app_c"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = |db: &str| cluster.url(db);
    let policy = write_policy(
        dir.path(),
        &format!(
            "[targets.a]\nurl = \"{}\"\n[targets.b]\nurl = \"{}\"\n[targets.c]\nurl = \"{}\"\n\
             [[check]]\nname = \"stuck\"\nexpected = \"a\"\nactual = \"b\"\n\
             [[check]]\nname = \"fine\"\nexpected = \"a\"\nactual = \"c\"\n\
             [settings]\nread_timeout = \"4s\"\n",
            url("app_a"),
            url("app_b"),
            url("app_c")
        ),
    );
    // The read of b waits for the view's lock, so it is surely inside the read (not connecting)
    // when its backend is stopped.
    let locker = admin(&cluster, "app_b").await;
    locker
        .batch_execute("BEGIN; LOCK TABLE v IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let watcher = admin(&cluster, "postgres").await;
    let json = dir.path().join("report.json");
    let started = Instant::now();
    let child = pgdrift(&[
        "check",
        "--policy",
        policy.to_str().expect("path"),
        "--json",
        json.to_str().expect("path"),
    ]);
    let (backend, child) = wait_for_backend(
        &watcher,
        "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'pgdrift' \
         AND datname = 'app_b' AND wait_event_type = 'Lock'",
        child,
    )
    .await
    .expect("pgdrift's read of app_b waits for the lock");
    stopped.stop(backend);
    locker.batch_execute("ROLLBACK").await.expect("unlock");

    let all = fails_in_time(child, started).await;
    let report = report(&json);
    assert_eq!(report["status"], "incomplete", "{report:#}");
    let stuck = check(&report, "stuck");
    assert_eq!(stuck["status"], "error", "{stuck:#}");
    let error = stuck["errors"].to_string();
    for part in [
        "target `b`",
        "reading the schema of",
        "app_b",
        "did not answer within 4s (read_timeout)",
        "raise read_timeout",
    ] {
        assert!(error.contains(part), "{part:?} not in {error}");
        assert!(all.contains(part), "{part:?} not in the output:\n{all}");
    }
    // The other targets were read as if nothing happened.
    assert_eq!(check(&report, "fine")["status"], "clean", "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_fails_the_connection_within_connect_timeout() {
    let cluster = start();
    let mut stopped = Resume(Vec::new());
    databases(&cluster, &["app_a", "app_b"]).await;
    let pid_file =
        std::fs::read_to_string(cluster.data_dir().join("postmaster.pid")).expect("postmaster.pid");
    let postmaster: i32 = pid_file
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("postmaster pid");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = |db: &str| format!("{}&connect_timeout=2", cluster.url(db));
    let policy = write_policy(
        dir.path(),
        &format!(
            "[targets.a]\nurl = \"{}\"\n[targets.b]\nurl = \"{}\"\n\
             [[check]]\nexpected = \"a\"\nactual = \"b\"\n",
            url("app_a"),
            url("app_b")
        ),
    );
    // The kernel still accepts the connection into the listen queue; nobody answers it.
    stopped.stop(postmaster);
    let json = dir.path().join("report.json");
    let started = Instant::now();
    let child = pgdrift(&[
        "check",
        "--policy",
        policy.to_str().expect("path"),
        "--json",
        json.to_str().expect("path"),
    ]);
    let all = fails_in_time(child, started).await;
    for part in [
        "target `a`",
        "target `b`",
        "no answer within 2s (connect_timeout)",
    ] {
        assert!(all.contains(part), "{part:?} not in the output:\n{all}");
    }
    assert_eq!(report(&json)["status"], "incomplete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scratch_backend_stopped_while_loading_a_file_fails_naming_the_file() {
    let cluster = start();
    let mut stopped = Resume(Vec::new());
    databases(&cluster, &["app_a"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("slow.sql");
    std::fs::write(
        &file,
        "CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0);\nSELECT pg_sleep(600);\n",
    )
    .expect("write sql");
    let policy = write_policy(
        dir.path(),
        &format!(
            "[targets.a]\nurl = \"{}\"\n[targets.files]\nsql = \"slow.sql\"\nscratch_url = \"{}\"\n\
             [[check]]\nexpected = \"a\"\nactual = \"files\"\n",
            cluster.url("app_a"),
            cluster.url("postgres")
        ),
    );
    let watcher = admin(&cluster, "postgres").await;
    let json = dir.path().join("report.json");
    let started = Instant::now();
    let child = pgdrift(&[
        "check",
        "--policy",
        policy.to_str().expect("path"),
        "--json",
        json.to_str().expect("path"),
        "--read-timeout",
        "5s",
    ]);
    let (backend, child) = wait_for_backend(
        &watcher,
        "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'pgdrift' \
         AND datname LIKE 'pgdrift_scratch_%' AND query LIKE '%pg_sleep%' AND state = 'active'",
        child,
    )
    .await
    .expect("pgdrift loads slow.sql");
    // Stopped, it cannot even be ended by DROP DATABASE ... WITH (FORCE): the cleanup must
    // give up on its own.
    stopped.stop(backend);

    let all = fails_in_time(child, started).await;
    for part in [
        "target `files`",
        "loading file",
        "slow.sql (the statement at line 2)",
        "did not answer within 5s (read_timeout)",
    ] {
        assert!(all.contains(part), "{part:?} not in the output:\n{all}");
    }
    let report = report(&json);
    assert_eq!(report["status"], "incomplete");
    assert!(
        report["checks"][0]["errors"]
            .to_string()
            .contains("slow.sql (the statement at line 2)"),
        "{report:#}"
    );
}

/// The connection task of a session given up on ends, even though its request is still in
/// flight on a server that does not answer: nothing is left waiting.
#[tokio::test]
async fn a_dropped_session_ends_its_connection_task_on_a_stopped_server() {
    let cluster = start();
    let mut stopped = Resume(Vec::new());
    let lookup = |_: &str| None;
    let info = pgdrift::source::conninfo::ConnInfo::parse(&cluster.url("postgres"), &lookup)
        .expect("conninfo");
    let metrics = tokio::runtime::Handle::current().metrics();
    let session = pgdrift::source::conninfo::connect(&info, "pgdrift-test", BOUND)
        .await
        .expect("connect");
    assert!(metrics.num_alive_tasks() >= 1, "the connection's task");
    let rows = session
        .query("SELECT pg_catalog.pg_backend_pid()", &[])
        .await
        .expect("pid");
    stopped.stop(rows[0].get::<_, i32>(0));
    let gave_up =
        tokio::time::timeout(Duration::from_millis(300), session.simple_query("SELECT 1"))
            .await
            .is_err();
    assert!(gave_up, "a stopped backend answered");
    drop(session);
    let dropped = Instant::now();
    while metrics.num_alive_tasks() > 0 {
        assert!(
            dropped.elapsed() < Duration::from_secs(10),
            "the connection task still waits for the stopped server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `apply` whose DDL statement meets a stopped backend gives up `--statement-timeout` plus 15 s
/// later, says that nothing was committed, and indeed nothing was: the server rolls back once
/// it runs again and finds the connection gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_gives_up_on_a_stopped_backend_and_commits_nothing() {
    let cluster = start();
    let mut stopped = Resume(Vec::new());
    databases(&cluster, &["app_expected", "app_actual"]).await;
    admin(&cluster, "app_expected")
        .await
        .batch_execute("ALTER TABLE t ADD COLUMN added int")
        .await
        .expect("expected schema");
    // ADD COLUMN needs ACCESS EXCLUSIVE; the reads before it need only ACCESS SHARE, which
    // this lock lets through. So the apply waits at its DDL statement.
    let locker = admin(&cluster, "app_actual").await;
    locker
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE")
        .await
        .expect("lock");
    let watcher = admin(&cluster, "postgres").await;
    let started = Instant::now();
    let child = pgdrift(&[
        "apply",
        &cluster.url("app_expected"),
        &cluster.url("app_actual"),
        "--yes",
        "--statement-timeout",
        "2s",
        "--read-timeout",
        "5s",
    ]);
    let (backend, child) = wait_for_backend(
        &watcher,
        "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'pgdrift' \
         AND datname = 'app_actual' AND wait_event_type = 'Lock' AND query LIKE '%ADD COLUMN%'",
        child,
    )
    .await
    .expect("apply waits at ADD COLUMN");
    stopped.stop(backend);
    locker.batch_execute("ROLLBACK").await.expect("unlock");

    let all = fails_in_time(child, started).await;
    for part in [
        "step `create column public.t.added`",
        "did not answer within 17s (--statement-timeout plus 15s)",
        "Nothing was committed",
    ] {
        assert!(all.contains(part), "{part:?} not in the output:\n{all}");
    }

    // Resumed, the backend finds its client gone and rolls back.
    drop(stopped);
    let resumed = Instant::now();
    loop {
        let left = watcher
            .query(
                "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1",
                &[&backend],
            )
            .await
            .expect("pg_stat_activity");
        if left.is_empty() {
            break;
        }
        assert!(resumed.elapsed() < BOUND, "the resumed backend lives on");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let columns = admin(&cluster, "app_actual")
        .await
        .query(
            "SELECT attname::text FROM pg_catalog.pg_attribute \
             WHERE attrelid = 'public.t'::regclass AND attnum > 0 AND NOT attisdropped \
             ORDER BY attnum",
            &[],
        )
        .await
        .expect("columns");
    let names: Vec<String> = columns.iter().map(|r| r.get(0)).collect();
    assert_eq!(names, ["id", "n"], "nothing of the apply was committed");
}

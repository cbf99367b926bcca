//! Nothing stays behind: a run stopped by any terminating signal removes its throwaway cluster
//! and drops its scratch database before it exits 2; what a killed run (`kill -9`) left behind is
//! removed by the next run; and a run never touches what a concurrent run is still using.
//!
//! Each run gets its own `TMPDIR`, so parallel tests never see each other's cluster folders.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn quickstart(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/quickstart")
        .join(name)
}

fn expected_sql() -> String {
    std::fs::read_to_string(quickstart("expected.sql")).expect("read the quickstart")
}

/// A folder that serves as the run's `TMPDIR` and holds its fixtures.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        // The cluster folder is made here, and the server user (when we are root) must enter it.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .expect("chmod");
        Sandbox { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write fixture");
        path
    }

    /// A policy comparing two targets, each `(name, sql file, scratch_url)`.
    fn policy(
        &self,
        name: &str,
        expected: (&str, &Path, bool),
        actual: (&str, &Path, bool),
    ) -> PathBuf {
        let target = |(name, file, scratch): (&str, &Path, bool)| {
            let mut t = format!("[targets.{name}]\nsql = {:?}\n", file.display().to_string());
            if scratch {
                t.push_str(&format!("scratch_url = {:?}\n", common::url("postgres")));
            }
            t
        };
        let text = format!(
            "{}{}[[check]]\nexpected = {:?}\nactual = {:?}\n",
            target(expected),
            target(actual),
            expected.0,
            actual.0
        );
        self.write(name, &text)
    }

    fn spawn(&self, policy: &Path) -> Child {
        Command::new(assert_cmd::cargo::cargo_bin("pgdrift"))
            .args(["check", "--policy"])
            .arg(policy)
            .env("TMPDIR", self.path())
            .env("NO_COLOR", "1")
            .env_remove("PGPASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pgdrift")
    }

    fn run(&self, policy: &Path) -> Output {
        common::finish(self.spawn(policy))
    }

    /// The throwaway cluster folders in this sandbox.
    fn cluster_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(self.path())
            .expect("read the sandbox")
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("pgdrift-cluster-")
            })
            .map(|e| e.path())
            .collect();
        dirs.sort();
        dirs
    }

    /// A cluster folder (other than `except`) whose server accepts connections, and the
    /// server's process id.
    fn ready_cluster(&self, except: Option<&Path>) -> Option<(PathBuf, u32)> {
        self.cluster_dirs()
            .into_iter()
            .filter(|d| Some(d.as_path()) != except)
            .find_map(|d| ready_postmaster(&d).map(|pid| (d, pid)))
    }
}

/// The postmaster's process id once `postmaster.pid` says it accepts connections.
fn ready_postmaster(cluster_dir: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(cluster_dir.join("data/postmaster.pid")).ok()?;
    if !text.lines().any(|l| l.trim() == "ready") {
        return None;
    }
    text.lines().next()?.trim().parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat.is_empty()
        && !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
}

/// Poll `probe` until it gives a value; panic naming `what` after `limit`.
fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
}

/// Runs `sql` on the test server's `postgres` database from a blocking context.
fn query_strings(sql: &str, param: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = common::connect("postgres").await;
        client
            .query(sql, &[&param])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    })
}

/// The database in which a statement holding `marker` is running.
fn database_running(marker: &str) -> Option<String> {
    query_strings(
        "SELECT datname::text FROM pg_catalog.pg_stat_activity \
         WHERE query LIKE '%' || $1 || '%' AND pid <> pg_catalog.pg_backend_pid()",
        marker,
    )
    .into_iter()
    .next()
}

fn database_exists(name: &str) -> bool {
    !query_strings(
        "SELECT datname::text FROM pg_catalog.pg_database WHERE datname = $1",
        name,
    )
    .is_empty()
}

/// Wait until the database is gone: a run leaves the end of its scratch database's DROP to
/// the server once the server is past the DROP's checks.
fn wait_until_dropped(name: &str) {
    wait_for(
        &format!("the scratch database {name} to be dropped"),
        Duration::from_secs(30),
        || (!database_exists(name)).then_some(()),
    );
}

fn sessions_in(name: &str) -> usize {
    query_strings(
        "SELECT pid::text FROM pg_catalog.pg_stat_activity WHERE datname = $1",
        name,
    )
    .len()
}

fn marker(what: &str) -> String {
    format!("pgdrift_test_{what}_{}", std::process::id())
}

const SIGNALS: [(libc::c_int, &str); 5] = [
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGQUIT, "SIGQUIT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGUSR1, "SIGUSR1"),
];

/// A run busy in both kinds of scratch database (one on its own throwaway cluster, one on a
/// `scratch_url` server) is stopped by each terminating signal: exit 2 naming the signal, no
/// cluster folder, no server process, no scratch database.
#[test]
fn every_terminating_signal_exits_2_and_leaves_nothing_behind() {
    for (signo, name) in SIGNALS {
        let sandbox = Sandbox::new();
        let marker = marker(&format!("signal_{}", name.to_lowercase()));
        let local = sandbox.write("local.sql", "SELECT pg_sleep(30);\n");
        let shared = sandbox.write("shared.sql", &format!("SELECT pg_sleep(30) AS {marker};\n"));
        let policy = sandbox.policy(
            "p.toml",
            ("local", &local, false),
            ("shared", &shared, true),
        );
        let child = sandbox.spawn(&policy);
        let (_, postmaster) = wait_for("the run's cluster", Duration::from_secs(60), || {
            sandbox.ready_cluster(None)
        });
        let scratch = wait_for(
            "the run's scratch database",
            Duration::from_secs(60),
            || database_running(&marker),
        );
        signal(&child, signo);
        let out = common::finish(child);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted by {name}")),
            "{name}: {stderr}"
        );
        assert_eq!(
            sandbox.cluster_dirs(),
            Vec::<PathBuf>::new(),
            "{name}: the cluster folder was left behind"
        );
        assert!(
            !process_alive(postmaster),
            "{name}: the throwaway server still runs"
        );
        wait_until_dropped(&scratch);
    }
}

/// `kill -9` cannot be caught: the next run that starts a cluster removes the folder, once the
/// killed run's server is gone — and leaves alone the cluster of a run still busy in the same
/// `TMPDIR`, which finishes normally.
#[test]
fn the_next_run_removes_a_killed_runs_cluster_and_never_a_running_one() {
    let sandbox = Sandbox::new();
    let expected = quickstart("expected.sql");

    let slow = sandbox.write("slow.sql", "SELECT pg_sleep(30);\n");
    let killed_policy = sandbox.policy("killed.toml", ("a", &slow, false), ("b", &expected, false));
    let killed = sandbox.spawn(&killed_policy);
    let (left_behind, postmaster) =
        wait_for("the killed run's cluster", Duration::from_secs(60), || {
            sandbox.ready_cluster(None)
        });
    signal(&killed, libc::SIGKILL);
    let _ = common::finish(killed);
    // The server is told to quit when pgdrift dies.
    wait_for(
        "the killed run's server to stop",
        Duration::from_secs(20),
        || (!process_alive(postmaster)).then_some(()),
    );
    assert!(
        left_behind.exists(),
        "precondition: kill -9 leaves the folder"
    );

    let busy_sql = sandbox.write(
        "busy.sql",
        &format!("SELECT pg_sleep(6);\n{}", expected_sql()),
    );
    let busy_policy = sandbox.policy(
        "busy.toml",
        ("a", &busy_sql, false),
        ("b", &expected, false),
    );
    // The next run removes the leftover before it starts its own cluster.
    let busy = sandbox.spawn(&busy_policy);
    let (busy_dir, _) = wait_for("the busy run's cluster", Duration::from_secs(60), || {
        sandbox.ready_cluster(Some(&left_behind))
    });
    assert!(
        !left_behind.exists(),
        "the killed run's cluster is still there"
    );

    // A run started while another is busy in the same TMPDIR leaves that one's cluster alone.
    let quick_policy = sandbox.policy(
        "quick.toml",
        ("a", &expected, false),
        ("b", &expected, false),
    );
    let quick = sandbox.run(&quick_policy);
    let stderr = String::from_utf8_lossy(&quick.stderr);
    assert_eq!(quick.status.code(), Some(0), "{stderr}");
    assert!(busy_dir.exists(), "the busy run's cluster was removed");
    assert!(
        !stderr.contains("pgdrift-cluster-"),
        "the quick run touched a cluster: {stderr}"
    );

    let busy = common::finish(busy);
    assert_eq!(
        busy.status.code(),
        Some(0),
        "the busy run failed: {}",
        String::from_utf8_lossy(&busy.stdout)
    );
    let stderr = String::from_utf8_lossy(&busy.stderr);
    assert!(
        stderr.contains(&format!("removed {}", left_behind.display())),
        "no note of the removal: {stderr}"
    );
    assert_eq!(sandbox.cluster_dirs(), Vec::<PathBuf>::new());
}

/// A scratch database a killed run left on a `scratch_url` server is dropped by the next run
/// on that server once nobody is connected to it, with a note.
#[test]
fn the_next_run_drops_a_killed_runs_scratch_database() {
    let sandbox = Sandbox::new();
    let expected = quickstart("expected.sql");
    let marker = marker("killed_scratch");
    let slow = sandbox.write("slow.sql", &format!("SELECT pg_sleep(2) AS {marker};\n"));
    let killed_policy = sandbox.policy("killed.toml", ("a", &slow, true), ("b", &expected, true));
    let killed = sandbox.spawn(&killed_policy);
    let scratch = wait_for(
        "the killed run's scratch database",
        Duration::from_secs(60),
        || database_running(&marker),
    );
    signal(&killed, libc::SIGKILL);
    let _ = common::finish(killed);
    // The server notices the client is gone when the statement ends.
    wait_for(
        "the killed run's sessions to end",
        Duration::from_secs(20),
        || (sessions_in(&scratch) == 0).then_some(()),
    );
    assert!(
        database_exists(&scratch),
        "precondition: kill -9 leaves the database"
    );

    let next_policy = sandbox.policy("next.toml", ("a", &expected, true), ("b", &expected, true));
    let next = sandbox.run(&next_policy);
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert_eq!(next.status.code(), Some(0), "{stderr}");
    assert!(!database_exists(&scratch), "{scratch} is still there");
    assert!(stderr.contains(&scratch), "no note of the drop: {stderr}");
}

/// Two runs on one `scratch_url` server at the same time each get their own scratch database:
/// the second neither collides with the first nor drops its database while it is busy.
#[test]
fn two_runs_on_one_scratch_server_at_once_both_succeed() {
    let sandbox = Sandbox::new();
    let expected = quickstart("expected.sql");
    let marker = marker("concurrent_scratch");
    let busy_sql = sandbox.write(
        "busy.sql",
        &format!("SELECT pg_sleep(6) AS {marker};\n{}", expected_sql()),
    );
    let busy_policy = sandbox.policy("busy.toml", ("a", &busy_sql, true), ("b", &expected, true));
    let busy = sandbox.spawn(&busy_policy);
    let busy_db = wait_for(
        "the busy run's scratch database",
        Duration::from_secs(60),
        || database_running(&marker),
    );

    let quick_policy = sandbox.policy("quick.toml", ("a", &expected, true), ("b", &expected, true));
    let quick = sandbox.run(&quick_policy);
    assert_eq!(
        quick.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quick.stdout)
    );
    assert!(
        database_exists(&busy_db),
        "the busy run's database was dropped"
    );

    let busy = common::finish(busy);
    assert_eq!(
        busy.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&busy.stdout)
    );
    wait_until_dropped(&busy_db);
}

/// A marked scratch database nobody is connected to still belongs to a live run while that
/// run's admin session holds the advisory lock keyed by its name (the run is between CREATE
/// DATABASE and connecting to it): it is left alone, and dropped once the lock is gone.
#[test]
fn a_scratch_database_whose_lock_is_held_is_left_alone() {
    let sandbox = Sandbox::new();
    let expected = quickstart("expected.sql");
    let key = (0x5eed_0000_0000_0000_u64 | (u64::from(std::process::id()) << 8)) as i64;
    let name = format!("pgdrift_scratch_{key:016x}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let owner = runtime.block_on(async {
        let owner = common::connect("postgres").await;
        let locked: bool = owner
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await
            .expect("lock")
            .get(0);
        assert!(locked);
        owner
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create");
        owner
            .batch_execute(&format!(
                "COMMENT ON DATABASE {name} IS 'pgdrift scratch database, created by a test'"
            ))
            .await
            .expect("comment");
        owner
    });
    let policy = sandbox.policy("p.toml", ("a", &expected, true), ("b", &expected, true));

    let run = sandbox.run(&policy);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        database_exists(&name),
        "a database whose lock is held was dropped"
    );

    runtime.block_on(async {
        owner
            .query_one("SELECT pg_advisory_unlock($1)", &[&key])
            .await
            .expect("unlock");
    });
    let run = sandbox.run(&policy);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!database_exists(&name), "{name} is still there");
    assert!(stderr.contains(&name), "no note of the drop: {stderr}");
}

/// A signal that arrives after the targets were read does not throw the reading away: the
/// run stops, marks what it had not compared as interrupted, writes its reports (status
/// incomplete) and exits 2.
#[test]
fn a_signal_after_the_read_still_writes_the_reports_marked_incomplete() {
    const APP: &str = "CREATE TABLE t (id int PRIMARY KEY); CREATE VIEW v AS SELECT id FROM t;";
    let sandbox = Sandbox::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let prefix = format!("signal_fleet_{}", std::process::id());
    let (expected_url, blocker) = runtime.block_on(async {
        let expected = common::db_with(&format!("{prefix}_expected"), APP).await;
        let admin = common::connect("postgres").await;
        for member in ["ok", "slow"] {
            admin
                .batch_execute(&format!("CREATE DATABASE {prefix}_{member}"))
                .await
                .expect("create");
            let db = common::TestDb {
                name: format!("{prefix}_{member}"),
            };
            db.exec(APP).await;
        }
        // Deparsing the view needs a lock this session holds: the slow member's read waits.
        let blocker = common::connect(&format!("{prefix}_slow")).await;
        blocker
            .batch_execute("BEGIN; LOCK TABLE v IN ACCESS EXCLUSIVE MODE;")
            .await
            .expect("lock");
        (expected.url(), blocker)
    });
    let policy = sandbox.write(
        "p.toml",
        &format!(
            "[targets.expected]\nurl = {expected_url:?}\n\
             [targets.fleet]\nurl = {:?}\ndatabases = [\"{prefix}_ok\", \"{prefix}_slow\"]\n\
             [[check]]\nname = \"fleet\"\nexpected = \"expected\"\nactual = \"fleet\"\n",
            common::url("postgres")
        ),
    );
    let json = sandbox.path().join("report.json");
    let child = Command::new(assert_cmd::cargo::cargo_bin("pgdrift"))
        // One member at a time, in order: `ok` is compared before `slow` starts to wait.
        .args(["check", "--jobs", "1", "--json"])
        .arg(&json)
        .arg("--policy")
        .arg(&policy)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pgdrift");
    let slow = format!("{prefix}_slow");
    wait_for(
        "the slow member's read to wait",
        Duration::from_secs(30),
        || {
            (!query_strings(
                "SELECT pid::text FROM pg_catalog.pg_stat_activity \
             WHERE datname = $1 AND application_name = 'pgdrift' AND wait_event_type = 'Lock'",
                &slow,
            )
            .is_empty())
            .then_some(())
        },
    );
    signal(&child, libc::SIGTERM);
    let out = common::finish(child);
    drop(blocker);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    let text = std::fs::read_to_string(&json).expect("the JSON report was written");
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(report["status"], "incomplete", "{text}");
    let checks = report["checks"].as_array().expect("checks");
    let member = |name: &str| {
        checks
            .iter()
            .find(|c| c["actual"] == format!("fleet/{prefix}_{name}"))
            .unwrap_or_else(|| panic!("no check of {name} in {text}"))
    };
    assert_eq!(member("ok")["status"], "clean", "{text}");
    assert_eq!(member("slow")["status"], "error", "{text}");
    assert_eq!(
        member("slow")["errors"][0],
        "interrupted by SIGTERM before this target was compared",
        "{text}"
    );
}

/// A signal while `initdb` still runs: the cluster being made is still stopped and removed.
#[test]
fn a_signal_during_initdb_leaves_nothing_behind() {
    let sandbox = Sandbox::new();
    let expected = quickstart("expected.sql");
    let policy = sandbox.policy("p.toml", ("a", &expected, false), ("b", &expected, false));
    let child = sandbox.spawn(&policy);
    let dir = wait_for("the cluster folder", Duration::from_secs(30), || {
        sandbox.cluster_dirs().into_iter().next()
    });
    let during_initdb = !dir.join("data/postmaster.pid").exists();
    signal(&child, libc::SIGTERM);
    let out = common::finish(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(during_initdb, "the signal came too late to test initdb");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert_eq!(sandbox.cluster_dirs(), Vec::<PathBuf>::new());
}

/// A failing SQL file ends the run with exit 2, and neither its cluster nor its scratch
/// database stays.
#[test]
fn a_failing_sql_file_leaves_nothing_behind() {
    let sandbox = Sandbox::new();
    let marker = marker("failing");
    // The file tells the test its database's name through a (cluster-wide) role comment.
    let bad = sandbox.write(
        "bad.sql",
        &format!(
            "CREATE ROLE {marker};\n\
             DO $$BEGIN EXECUTE format('COMMENT ON ROLE {marker} IS %L', current_database()); END$$;\n\
             SELECT * FROM nowhere;\n"
        ),
    );
    let policy = sandbox.policy("p.toml", ("local", &bad, false), ("shared", &bad, true));
    let out = sandbox.run(&policy);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("relation \"nowhere\" does not exist"),
        "{stdout}"
    );
    assert_eq!(sandbox.cluster_dirs(), Vec::<PathBuf>::new());
    let scratch = query_strings(
        "SELECT pg_catalog.shobj_description(oid, 'pg_authid') FROM pg_catalog.pg_roles \
         WHERE rolname = $1",
        &marker,
    );
    assert_eq!(
        scratch.len(),
        1,
        "the SQL file never ran on the scratch server"
    );
    wait_until_dropped(&scratch[0]);
}

/// A scratch database the server refuses to drop (a subscription lives in it) is reported,
/// named, on standard error, and the check's own result stands.
#[test]
fn a_scratch_database_the_server_will_not_drop_is_reported() {
    let sandbox = Sandbox::new();
    let marker = marker("undroppable");
    let sql = sandbox.write(
        "subscribed.sql",
        &format!(
            "CREATE ROLE {marker};\n\
             DO $$BEGIN EXECUTE format('COMMENT ON ROLE {marker} IS %L', current_database()); END$$;\n\
             CREATE SUBSCRIPTION {marker} CONNECTION 'dbname=nowhere' PUBLICATION p \
             WITH (connect = false);\n"
        ),
    );
    let policy = sandbox.policy(
        "p.toml",
        ("local", &quickstart("expected.sql"), false),
        ("shared", &sql, true),
    );
    let out = sandbox.run(&policy);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    let scratch = query_strings(
        "SELECT pg_catalog.shobj_description(oid, 'pg_authid') FROM pg_catalog.pg_roles \
         WHERE rolname = $1",
        &marker,
    );
    assert_eq!(scratch.len(), 1, "the SQL file never ran: {stderr}");
    let scratch = &scratch[0];
    assert!(
        stderr.contains(&format!(
            "the scratch server refused to drop the scratch database {scratch}"
        )) && stderr.contains("subscription"),
        "{stderr}"
    );
    assert!(database_exists(scratch), "{scratch} was dropped after all");
    // Clean up by hand, as the message says.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let inside = common::connect(scratch).await;
        inside
            .batch_execute(&format!(
                "ALTER SUBSCRIPTION {marker} DISABLE; \
                 ALTER SUBSCRIPTION {marker} SET (slot_name = NONE); \
                 DROP SUBSCRIPTION {marker}"
            ))
            .await
            .expect("dropping the subscription");
        drop(inside);
        common::connect("postgres")
            .await
            .batch_execute(&format!("DROP DATABASE {scratch} WITH (FORCE)"))
            .await
            .expect("dropping the scratch database");
    });
}

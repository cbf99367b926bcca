//! Test harness: one real PostgreSQL server per test process, a fresh database per test.
//!
//! With `PGDRIFT_TEST_URL` set (`postgresql://user@host:port`, a superuser, no database), tests
//! use that server; otherwise the first test to ask starts a throwaway cluster with the same code
//! pgdrift uses for SQL-file targets (root-safe), stopped and removed when the process exits.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub mod certs;
pub mod every_kind;

use pgdrift::source::cluster::Cluster;
use tokio_postgres::{Client, NoTls};

static CLUSTER: Mutex<Option<Cluster>> = Mutex::new(None);
static BASE_URL: OnceLock<String> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

extern "C" fn stop_cluster() {
    if let Ok(mut guard) = CLUSTER.lock() {
        guard.take();
    }
}

/// `postgresql://user@host:port` of the test server, starting it on first use.
pub fn base_url() -> &'static str {
    BASE_URL.get_or_init(|| {
        if let Ok(url) = std::env::var("PGDRIFT_TEST_URL") {
            return url.trim_end_matches('/').to_string();
        }
        let cluster = Cluster::start().unwrap_or_else(|e| {
            panic!(
                "the tests need a PostgreSQL server and could not start one: {e}\n\
                 Install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql) or set \
                 PGDRIFT_TEST_URL=postgresql://USER@HOST:PORT to a server where USER is superuser."
            )
        });
        let url = format!(
            "postgresql://{}@{}:{}",
            cluster.superuser(),
            cluster.host(),
            cluster.port()
        );
        *CLUSTER.lock().expect("cluster lock") = Some(cluster);
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(stop_cluster) };
        url
    })
}

/// URL of `database` on the test server.
pub fn url(database: &str) -> String {
    format!("{}/{}?sslmode=disable", base_url(), database)
}

pub async fn connect(database: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(&url(database), NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to test database {database}: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A database created for one test.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    pub fn url(&self) -> String {
        url(&self.name)
    }

    pub async fn client(&self) -> Client {
        connect(&self.name).await
    }

    /// Run SQL (several statements allowed), panicking with the server's message on error.
    pub async fn exec(&self, sql: &str) {
        let client = self.client().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!("SQL failed in {}: {}\n{sql}", self.name, describe(&e));
        }
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// A fresh, empty database with a unique name (unique across test processes too).
pub async fn create_db(prefix: &str) -> TestDb {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("{prefix}_{}_{n}", std::process::id());
    let admin = connect("postgres").await;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {}", describe(&e)));
    TestDb { name }
}

/// A fresh database with `sql` applied.
pub async fn db_with(prefix: &str, sql: &str) -> TestDb {
    let db = create_db(prefix).await;
    if !sql.is_empty() {
        db.exec(sql).await;
    }
    db
}

/// Roles are cluster-wide: create them once, ignoring "already exists" from parallel tests.
/// Two sessions creating the same role at the same moment meet in pg_authid's unique index
/// (unique_violation) rather than in the existence check (duplicate_object).
pub async fn ensure_roles(names: &[&str]) {
    let admin = connect("postgres").await;
    for name in names {
        let sql = format!(
            "DO $$BEGIN CREATE ROLE \"{name}\"; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$"
        );
        admin
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| panic!("CREATE ROLE {name}: {}", describe(&e)));
    }
}

/// Tablespaces are cluster-wide too: create an in-place one (inside the data folder, no path of
/// this machine in any statement; `allow_in_place_tablespaces` is a developer option from
/// PostgreSQL 15), once, ignoring "already exists" from parallel tests.
pub async fn ensure_tablespace(name: &str) {
    let admin = connect("postgres").await;
    admin
        .batch_execute("SET allow_in_place_tablespaces = on")
        .await
        .unwrap_or_else(|e| panic!("allow_in_place_tablespaces: {}", describe(&e)));
    // CREATE TABLESPACE cannot run in a transaction block (nor in a DO block).
    if let Err(e) = admin
        .batch_execute(&format!("CREATE TABLESPACE \"{name}\" LOCATION ''"))
        .await
    {
        let code = e.as_db_error().map(|db| db.code().code().to_string());
        // duplicate_object, or unique_violation when two sessions race.
        if !matches!(code.as_deref(), Some("42710" | "23505")) {
            panic!("CREATE TABLESPACE {name}: {}", describe(&e));
        }
    }
}

/// A fresh database copied from `template` (which nobody may be connected to).
pub async fn db_from(prefix: &str, template: &TestDb) -> TestDb {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("{prefix}_{}_{n}", std::process::id());
    let admin = connect("postgres").await;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"",
            template.name
        ))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {}", describe(&e)));
    TestDb { name }
}

/// Rules of what only a CockroachDB schema has (column families, localities, zone
/// configurations, hidden columns, index visibility) or of a CockroachDB side (its version):
/// no change between two PostgreSQL databases raises them, and plans write PostgreSQL DDL only.
/// `tests/cockroachdb.rs` raises each from fixture bundles and shows the plan lists them as not
/// planned.
pub const COCKROACHDB_ONLY_RULES: &[&str] = &[
    "column.hidden",
    "index.visibility",
    "server.version",
    "table.family",
    "table.locality",
    "zone_configuration.definition",
    "zone_configuration.extra",
    "zone_configuration.missing",
];

/// The text of a schema in tests/corpus.
pub fn corpus(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the corpus schema {}: {e}", path.display()))
}

/// `server_version_num` of the test server, through `db`.
pub async fn server_version(db: &TestDb) -> i32 {
    show(db, "server_version_num")
        .await
        .parse()
        .expect("a number")
}

/// `SHOW setting` through `db`.
pub async fn show(db: &TestDb, setting: &str) -> String {
    db.client()
        .await
        .query_one(&format!("SHOW {setting}"), &[])
        .await
        .unwrap_or_else(|e| panic!("SHOW {setting}: {e}"))
        .get(0)
}

/// Read a database's schema with pgdrift's catalog reader.
pub async fn read_schema(db: &TestDb) -> pgdrift::model::Schema {
    let client = db.client().await;
    pgdrift::catalog::read(&client, &pgdrift::catalog::Scope::default())
        .await
        .unwrap_or_else(|e| panic!("reading {}: {e}", db.name))
}

/// The (rule, object) pairs of a comparison, sorted.
pub fn rule_objects(c: &pgdrift::diff::Comparison) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = c
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.object.clone()))
        .collect();
    v.sort();
    v
}

/// The pg_dump of the installation the test server runs from: next to the `postgres` that
/// `find_bindir` finds, or next to the file it links to (a PATH folder may hold links to the
/// server binaries alone).
pub fn pg_dump() -> std::path::PathBuf {
    let bindir = pgdrift::source::cluster::find_bindir().expect("PostgreSQL binaries");
    let beside = bindir.join("pg_dump");
    if beside.is_file() {
        return beside;
    }
    std::fs::canonicalize(bindir.join("postgres"))
        .ok()
        .and_then(|postgres| Some(postgres.parent()?.join("pg_dump")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "no pg_dump beside the server binaries in {}",
                bindir.display()
            )
        })
}

/// `pg_dump --schema-only` of a database, without comment lines, SET lines and blank lines.
pub fn schema_dump(db: &TestDb) -> Vec<String> {
    schema_dump_with(db, &[])
}

/// `schema_dump` with more pg_dump arguments (`--exclude-schema=...`).
pub fn schema_dump_with(db: &TestDb, extra: &[&str]) -> Vec<String> {
    let out = std::process::Command::new(pg_dump())
        .args(["--schema-only", "--no-password", "--dbname", &db.url()])
        .args(extra)
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("the dump is UTF-8")
        .lines()
        .filter(|l| {
            // `\restrict KEY` / `\unrestrict KEY` (pg_dump from 17.6, 16.10, 15.14...) carry
            // a random key that differs on every run.
            !(l.starts_with("--")
                || l.starts_with("\\restrict ")
                || l.starts_with("\\unrestrict ")
                || l.starts_with("SET ")
                || l.starts_with("SELECT pg_catalog.set_config")
                || l.trim().is_empty())
        })
        .map(str::to_string)
        .collect()
}

/// A loopback port that refuses connections and that nobody else can take while this lives: a
/// TCP socket bound to it but never listening (connecting gets a reset, "connection refused").
/// Binding a listener and dropping it frees the port for whoever binds next — a throwaway
/// cluster of a parallel test, which would then answer where a test expects nothing.
pub struct HeldPort {
    fd: libc::c_int,
    port: u16,
}

impl HeldPort {
    pub fn new() -> HeldPort {
        // SAFETY: plain socket calls on a descriptor this struct owns; no SO_REUSEADDR, so no
        // other socket can bind the port (Linux lets two bind only when both set it).
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            addr.sin_port = 0;
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let rc = libc::bind(fd, (&raw const addr).cast(), len);
            assert!(rc == 0, "bind: {}", std::io::Error::last_os_error());
            let mut bound: libc::sockaddr_in = std::mem::zeroed();
            let mut bound_len = len;
            let rc = libc::getsockname(fd, (&raw mut bound).cast(), &mut bound_len);
            assert!(rc == 0, "getsockname: {}", std::io::Error::last_os_error());
            HeldPort {
                fd,
                port: u16::from_be(bound.sin_port),
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Default for HeldPort {
    fn default() -> HeldPort {
        HeldPort::new()
    }
}

impl Drop for HeldPort {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.fd) };
    }
}

/// Wait until the wall clock's second is later than `since`'s (at most five seconds): what a
/// test needs before a second history snapshot, whose file name is stamped to the second.
/// `since` is taken after the first snapshot returned, so its stamp is at or before it.
pub fn wait_for_the_next_second(since: std::time::SystemTime) {
    let secs = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while secs(std::time::SystemTime::now()) <= secs(since) {
        assert!(
            std::time::Instant::now() < deadline,
            "the clock did not move on"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Wait for a child to exit (at most a minute: a hung run fails the test instead of hanging it).
pub fn finish(child: std::process::Child) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(output) => output.expect("wait for pgdrift"),
        Err(_) => {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("pgdrift did not exit within a minute");
        }
    }
}

/// The pgdrift binary, colours off.
pub fn pgdrift() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Run pgdrift with `args`: exit code, standard output, standard error.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = pgdrift().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A path as the `&str` a command line takes.
pub fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

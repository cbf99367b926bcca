//! The scale benchmark: how long `pgdrift check` takes on large schemas, next to what a user
//! already accepts for reading a schema (`pg_dump --schema-only` of one side) and next to the
//! floor (the catalog queries pgdrift sends, run back to back without doing anything with the
//! rows).
//!
//! ```sh
//! cargo bench --bench scale                           # 1k, 10k and 20k tables + Sourcegraph ×1, ×5
//! cargo bench --bench scale -- --sizes 1k,10k --runs 5
//! PGDRIFT_BENCH_URL=postgresql://me@db:5432/postgres cargo bench --bench scale
//! ```
//!
//! Without `PGDRIFT_BENCH_URL` a throwaway cluster is started from the local PostgreSQL server
//! binaries (as the tests do). With it, the benchmark creates and drops databases named
//! `pgdrift_bench_*` and roles named `bench_*` on that server (the role needs CREATEDB and
//! CREATEROLE).

mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, NoTls};

use pgdrift::source::cluster::{Cluster, ClusterOptions};

const SEED: u64 = 20_260_601;

struct Options {
    sizes: Vec<usize>,
    corpus: Vec<usize>,
    runs: usize,
    regenerate: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench scale -- [--sizes 1k,10k,20k] [--corpus 1,5 | --no-corpus] [--runs N] [--regenerate]"
    );
    std::process::exit(2);
}

fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    match s.strip_suffix('k') {
        Some(k) => k.parse::<usize>().ok().map(|n| n * 1000),
        None => s.parse().ok(),
    }
}

fn options() -> Options {
    let mut o = Options {
        sizes: vec![1000, 10_000, 20_000],
        corpus: vec![1, 5],
        runs: 3,
        regenerate: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // `cargo bench` passes this to every bench binary.
            "--bench" => {}
            "--sizes" => {
                let list = args.next().unwrap_or_else(|| usage());
                o.sizes = if list == "none" {
                    Vec::new()
                } else {
                    list.split(',')
                        .map(|s| parse_size(s).unwrap_or_else(|| usage()))
                        .collect()
                };
            }
            "--corpus" => {
                let list = args.next().unwrap_or_else(|| usage());
                o.corpus = list
                    .split(',')
                    .map(|s| s.trim().parse().unwrap_or_else(|_| usage()))
                    .collect();
            }
            "--no-corpus" => o.corpus.clear(),
            "--regenerate" => o.regenerate = true,
            "--runs" => {
                o.runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage());
            }
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    o
}

/// Where the databases live: the throwaway cluster (kept alive by holding it) or a server
/// named by `PGDRIFT_BENCH_URL`.
struct Server {
    _cluster: Option<Cluster>,
    /// A URL whose database part `url` replaces.
    base: String,
    bindir: PathBuf,
}

impl Server {
    fn start() -> Server {
        if let Ok(url) = std::env::var("PGDRIFT_BENCH_URL") {
            let bindir = pgdrift::source::cluster::find_bindir()
                .unwrap_or_else(|e| panic!("pg_dump is needed: {e}"));
            return Server {
                _cluster: None,
                base: url,
                bindir,
            };
        }
        // A server sized like a modest production one: the catalogs of both databases fit in
        // shared buffers, pg_dump can lock 20,000 tables, and loading does not wait for
        // checkpoints. JIT stays at the server's default, as it would in production.
        let settings = [
            ("shared_buffers", "512MB"),
            ("work_mem", "16MB"),
            ("maintenance_work_mem", "256MB"),
            ("max_locks_per_transaction", "1024"),
            ("wal_level", "minimal"),
            ("max_wal_senders", "0"),
            ("max_wal_size", "8GB"),
            ("checkpoint_timeout", "30min"),
            // The stale cases are databases read before autovacuum came by (a CI job reads
            // what it just built within seconds); loading 20,000 tables takes minutes, long
            // enough for autovacuum to analyze the catalogs of the database being loaded.
            // The analyzed cases are analyzed explicitly.
            ("autovacuum", "off"),
        ];
        let options = ClusterOptions {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..ClusterOptions::default()
        };
        let cluster = Cluster::start_with(&options)
            .unwrap_or_else(|e| panic!("cannot start a throwaway PostgreSQL: {e}"));
        Server {
            base: cluster.url("postgres"),
            bindir: cluster.bindir().to_path_buf(),
            _cluster: Some(cluster),
        }
    }

    fn url(&self, database: &str) -> String {
        with_database(&self.base, database)
    }

    /// A client program of the server's version: next to `postgres`, also when the folder
    /// found holds only links to the server binaries; else from PATH.
    fn tool(&self, name: &str) -> PathBuf {
        let real_bindir = std::fs::canonicalize(self.bindir.join("postgres"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        [Some(self.bindir.clone()), real_bindir]
            .into_iter()
            .flatten()
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from(name))
    }
}

/// `url` with its database replaced.
fn with_database(url: &str, database: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let host_part = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{host_part}/{database}?{q}"),
        None => format!("{host_part}/{database}"),
    }
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect for the benchmark: {e}"));
    tokio::spawn(connection);
    client
}

async fn exec(client: &Client, sql: &str, what: &str) {
    if let Err(e) = client.batch_execute(sql).await {
        let detail = e
            .as_db_error()
            .map(|d| format!("{} {}", d.message(), d.detail().unwrap_or("")))
            .unwrap_or_else(|| e.to_string());
        panic!("{what} failed: {detail}");
    }
}

/// One database pair to compare: expected and its mutated copy, the same mutated copy made
/// from a template whose catalogs were never analyzed, and the expected schema as SQL files.
struct Case {
    label: String,
    expected: String,
    actual: String,
    /// `CREATE DATABASE ... TEMPLATE` of the expected database as loaded, before any ANALYZE,
    /// with the same changes as `actual` and never analyzed either: the catalog statistics are
    /// the template's (those of an empty database), as in a database a CI job just built.
    stale: String,
    /// The expected schema as the SQL files of a `sql = ...` target (read into a scratch
    /// database pgdrift creates and reads a moment later: never analyzed).
    sql_script: String,
    load_time: Duration,
    changes: usize,
}

async fn recreate(admin: &Client, name: &str) {
    exec(
        admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        "dropping an old benchmark database",
    )
    .await;
    exec(
        admin,
        &format!("CREATE DATABASE {name}"),
        "creating a benchmark database",
    )
    .await;
}

/// Copy `from` into a new `to` (file copy: fast for big catalogs), apply `changes`, and
/// `VACUUM ANALYZE` the copy when `analyze`.
async fn mutated_copy(
    server: &Server,
    admin: &Client,
    from: &str,
    to: &str,
    changes: &[String],
    analyze: bool,
) {
    exec(
        admin,
        &format!("DROP DATABASE IF EXISTS {to} WITH (FORCE)"),
        "dropping an old copy",
    )
    .await;
    let version: i32 = admin
        .query_one("SHOW server_version_num", &[])
        .await
        .ok()
        .and_then(|r| r.get::<_, String>(0).parse().ok())
        .unwrap_or(0);
    let strategy = if version >= 150_000 {
        " STRATEGY FILE_COPY"
    } else {
        ""
    };
    exec(
        admin,
        &format!("CREATE DATABASE {to} TEMPLATE {from}{strategy}"),
        "copying the database",
    )
    .await;
    let client = connect(&server.url(to)).await;
    for change in changes {
        exec(&client, change, &format!("mutation `{change}`")).await;
    }
    if analyze {
        exec(&client, "VACUUM ANALYZE", "VACUUM ANALYZE").await;
    }
}

/// FNV-1a, to fingerprint what built a database.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes().chain([0])) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("pgdrift bench {hash:016x}")
}

/// Whether both databases exist and were built by the same generator from the same input (the
/// fingerprint is their comment), so a run against a kept server can skip building them.
async fn reusable(admin: &Client, names: [&str; 3], fingerprint: &str) -> bool {
    let mut ok = true;
    for name in names {
        let comment = admin
            .query_opt(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .await
            .ok()
            .flatten()
            .and_then(|r| r.get::<_, Option<String>>(0));
        ok &= comment.as_deref() == Some(fingerprint);
    }
    ok
}

async fn mark(admin: &Client, names: [&str; 3], fingerprint: &str) {
    for name in names {
        exec(
            admin,
            &format!("COMMENT ON DATABASE {name} IS '{fingerprint}'"),
            "marking a benchmark database",
        )
        .await;
    }
}

async fn generated_case(
    server: &Server,
    admin: &Client,
    tables: usize,
    regenerate: bool,
) -> (Case, String) {
    let started = Instant::now();
    let g = generate::generate(tables, SEED);
    let name = format!("pgdrift_bench_{tables}");
    let mutated = format!("{name}_mutated");
    let stale = format!("{name}_stale");
    let sql_script = format!("{}\n{}", g.setup, g.modules.join("\n"));
    let print = fingerprint(&[
        include_str!("generate.rs"),
        &tables.to_string(),
        &SEED.to_string(),
    ]);
    let s = &g.stats;
    let description = format!(
        "{} schemas, {} tables, {} columns, {} indexes, {} constraints, {} views, {} functions, {} triggers, {} sequences",
        s.schemas,
        s.tables,
        s.columns,
        s.indexes,
        s.constraints,
        s.views,
        s.functions,
        s.triggers,
        s.sequences
    );
    if !regenerate && reusable(admin, [&name, &mutated, &stale], &print).await {
        let case = Case {
            label: format!("generated {}", short(tables)),
            expected: name,
            actual: mutated,
            stale,
            sql_script,
            load_time: Duration::ZERO,
            changes: g.mutations.len(),
        };
        return (case, description);
    }
    recreate(admin, &name).await;
    let url = server.url(&name);
    exec(&connect(&url).await, &g.setup, "the schema setup").await;
    // Modules are independent: load them on a few connections at once, one round trip each.
    let modules = Arc::new(g.modules);
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (modules, next, url) = (modules.clone(), next.clone(), url.clone());
            tokio::spawn(async move {
                let client = connect(&url).await;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(sql) = modules.get(i) else { break };
                    exec(&client, sql, &format!("module {i}")).await;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("a loader task panicked");
    }
    let changes: Vec<String> = g.mutations.iter().map(|(_, sql)| sql.clone()).collect();
    mutated_copy(server, admin, &name, &stale, &changes, false).await;
    exec(&connect(&url).await, "VACUUM ANALYZE", "VACUUM ANALYZE").await;
    mutated_copy(server, admin, &name, &mutated, &changes, true).await;
    mark(admin, [&name, &mutated, &stale], &print).await;
    (
        Case {
            label: format!("generated {}", short(tables)),
            expected: name,
            actual: mutated,
            stale,
            sql_script,
            load_time: started.elapsed(),
            changes: changes.len(),
        },
        description,
    )
}

fn short(n: usize) -> String {
    if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

const CORPUS_EXTENSIONS: &str = "\
    CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS intarray SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public;";

/// What the copy of a corpus database changes (as the corpus test does).
const CORPUS_CHANGES: [&str; 5] = [
    "ALTER TABLE s1.repo ADD COLUMN hotfix_flag boolean",
    "DROP INDEX s1.repo_archived",
    "ALTER TABLE s1.users ALTER COLUMN display_name SET NOT NULL",
    "DROP POLICY tenant_isolation_policy ON s1.access_tokens",
    "ALTER VIEW s1.site_config RESET (security_invoker)",
];

/// The Sourcegraph schema loaded `copies` times, into schemas s1..sN.
async fn corpus_case(server: &Server, admin: &Client, copies: usize, regenerate: bool) -> Case {
    let started = Instant::now();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/sourcegraph-frontend.sql");
    let sql = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = format!("pgdrift_bench_sourcegraph_x{copies}");
    let mutated = format!("{name}_mutated");
    let stale = format!("{name}_stale");
    let label = format!("sourcegraph ×{copies}");
    let mut sql_script = CORPUS_EXTENSIONS.to_string();
    for k in 1..=copies {
        sql_script.push_str(&format!(
            "\nSET app.current_tenant = '1';\nCREATE SCHEMA s{k};\nSET search_path = s{k}, public;\n{}\nRESET search_path;\n",
            sql.replace("public.", &format!("s{k}."))
        ));
    }
    let print = fingerprint(&[
        &sql,
        CORPUS_EXTENSIONS,
        &CORPUS_CHANGES.join(";"),
        &copies.to_string(),
    ]);
    if !regenerate && reusable(admin, [&name, &mutated, &stale], &print).await {
        return Case {
            label,
            expected: name,
            actual: mutated,
            stale,
            sql_script,
            load_time: Duration::ZERO,
            changes: CORPUS_CHANGES.len(),
        };
    }
    recreate(admin, &name).await;
    let client = connect(&server.url(&name)).await;
    exec(&client, &sql_script, "loading the corpus").await;
    drop(client);
    let changes: Vec<String> = CORPUS_CHANGES.iter().map(|s| s.to_string()).collect();
    mutated_copy(server, admin, &name, &stale, &changes, false).await;
    exec(
        &connect(&server.url(&name)).await,
        "VACUUM ANALYZE",
        "VACUUM ANALYZE",
    )
    .await;
    mutated_copy(server, admin, &name, &mutated, &changes, true).await;
    mark(admin, [&name, &mutated, &stale], &print).await;
    Case {
        label,
        expected: name,
        actual: mutated,
        stale,
        sql_script,
        load_time: started.elapsed(),
        changes: changes.len(),
    }
}

/// What one `pgdrift check` run measured.
#[derive(Clone, Default)]
struct CheckRun {
    wall: f64,
    /// User and system CPU time of the pgdrift process.
    cpu: f64,
    max_rss_mb: f64,
    /// Stage name → seconds, from `--timings`.
    stages: Vec<(String, f64)>,
}

/// A stage's wall time. Stages per target (connect, read) overlap, so the slowest counts; the
/// parts of any other stage (`report` and `report (foreign keys)`) run one after the other.
fn stage(run: &CheckRun, prefix: &str) -> f64 {
    let times = run
        .stages
        .iter()
        .filter(|(name, _)| name == prefix || name.starts_with(&format!("{prefix} ")))
        .map(|(_, s)| *s);
    if prefix == "connect" || prefix == "read" {
        times.fold(0.0, f64::max)
    } else {
        times.sum()
    }
}

fn run_check(policy: &Path, out_dir: &Path) -> CheckRun {
    let _ = std::fs::remove_dir_all(out_dir);
    let started = Instant::now();
    // Reaped below with wait4, which also reports the child's peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_pgdrift"))
        .args(["check", "--timings", "--color", "never", "--policy"])
        .arg(policy)
        .arg("--output-dir")
        .arg(out_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_remove("GITHUB_ACTIONS")
        .spawn()
        .expect("cannot run the pgdrift binary");
    let pid = child.id() as libc::pid_t;
    // Peak RSS: the kernel's high-water mark of the process (VmHWM), which only grows, read
    // until the process ends. (wait4's ru_maxrss would do, but a child born by fork starts
    // with the parent's high-water mark, and this process held the generated SQL.)
    let peak_kb = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let poller = {
        let (peak_kb, running) = (peak_kb.clone(), running.clone());
        std::thread::spawn(move || {
            let path = format!("/proc/{pid}/status");
            while running.load(Ordering::Relaxed) {
                let hwm = std::fs::read_to_string(&path).ok().and_then(|status| {
                    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                });
                if let Some(kb) = hwm {
                    peak_kb.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    // Read stderr on a thread so a chatty child cannot block on a full pipe.
    let mut stderr = child.stderr.expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; wait4 fills `status` and `usage`. std's Child is not
    // waited on afterwards (it was consumed above), so the pid is reaped exactly once.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    let _ = poller.join();
    assert_eq!(rc, pid, "wait4 failed");
    let stderr = reader.join().unwrap_or_default();
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    match exit {
        1 => {}
        0 => eprintln!("  warning: pgdrift found no drift between a database and its mutated copy"),
        _ => panic!("pgdrift check failed (exit {exit}):\n{stderr}"),
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    CheckRun {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        max_rss_mb: peak_kb.load(Ordering::Relaxed) as f64 / 1024.0,
        stages: parse_timings(&stderr),
    }
}

/// One `pgdrift plan` of both databases: wall seconds, the plan stage's seconds (from
/// `--timings`), and the number of steps.
fn run_plan(policy: &Path, out: &Path) -> (f64, f64, usize) {
    let started = Instant::now();
    let result = Command::new(env!("CARGO_BIN_EXE_pgdrift"))
        .args([
            "plan",
            "--timings",
            "--allow-destructive",
            "--json",
            "--policy",
        ])
        .arg(policy)
        .arg("-o")
        .arg(out)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("cannot run the pgdrift binary");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        matches!(result.status.code(), Some(0 | 1)),
        "pgdrift plan failed:\n{stderr}"
    );
    let stage = parse_timings(&stderr)
        .iter()
        .filter(|(name, _)| name == "plan")
        .map(|(_, s)| *s)
        .sum();
    let steps = std::fs::read_to_string(out)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["steps"].as_array().map(Vec::len))
        .unwrap_or(0);
    (wall, stage, steps)
}

/// The `--timings` lines: `  read expected      1.234 s`.
fn parse_timings(stderr: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in stderr.lines() {
        if line.starts_with("pgdrift: timings") {
            inside = true;
            continue;
        }
        if !inside || !line.starts_with("  ") {
            continue;
        }
        let Some(rest) = line.trim().strip_suffix(" s") else {
            continue;
        };
        let Some((name, secs)) = rest.rsplit_once(' ') else {
            continue;
        };
        if let Ok(secs) = secs.trim().parse::<f64>() {
            out.push((name.trim().to_string(), secs));
        }
    }
    out
}

fn run_pg_dump(server: &Server, database: &str, out: &Path) -> f64 {
    let started = Instant::now();
    let result = Command::new(server.tool("pg_dump"))
        .args(["--schema-only", "--no-password", "--dbname"])
        .arg(server.url(database))
        .arg("--file")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("cannot run pg_dump");
    let secs = started.elapsed().as_secs_f64();
    assert!(
        result.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    secs
}

/// A connection to each database in pgdrift's catalog session (from the same text), and the
/// catalog queries pgdrift sends to that server's version.
async fn catalog_sessions(
    server: &Server,
    databases: &[&str],
) -> (Vec<Client>, Vec<(&'static str, String)>) {
    let mut clients = Vec::new();
    for db in databases {
        let client = connect(&server.url(db)).await;
        // The session pgdrift sets up, from the same text.
        exec(
            &client,
            pgdrift::catalog::BEGIN,
            "starting the floor transaction",
        )
        .await;
        clients.push(client);
    }
    let version: i32 = clients[0]
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .map(|r| r.get(0))
        .expect("server_version_num");
    let queries = pgdrift::catalog::queries(version);
    (clients, queries)
}

/// The floor: pgdrift's catalog queries (the very text it sends) run one after another on one
/// connection per database, rows read and thrown away. `concurrent` runs the two databases at
/// the same time (as pgdrift reads them) instead of one after the other. Also the time of each
/// query, summed over the databases (meaningful when not concurrent).
async fn floor(
    server: &Server,
    databases: &[&str],
    concurrent: bool,
) -> (f64, Vec<(&'static str, f64)>, Vec<Vec<f64>>) {
    let (clients, queries) = catalog_sessions(server, databases).await;
    let started = Instant::now();
    let per_db = if concurrent {
        let runs = clients.iter().map(|c| run_queries(c, &queries));
        futures_util::future::join_all(runs).await
    } else {
        let mut all = Vec::new();
        for c in &clients {
            all.push(run_queries(c, &queries).await);
        }
        all
    };
    let secs = started.elapsed().as_secs_f64();
    for c in &clients {
        exec(c, "COMMIT", "ending the floor transaction").await;
    }
    let mut by_kind: Vec<(&'static str, f64)> = queries.iter().map(|(k, _)| (*k, 0.0)).collect();
    for times in &per_db {
        for (sum, t) in by_kind.iter_mut().zip(times) {
            sum.1 += t;
        }
    }
    (secs, by_kind, per_db)
}

/// Run the queries in order; the time of each. As pgdrift does, the rarer kinds' queries that
/// `present` says have nothing to read are not run (their time is 0).
async fn run_queries(client: &Client, queries: &[(&'static str, String)]) -> Vec<f64> {
    let mut times = Vec::with_capacity(queries.len());
    let mut absent: Vec<String> = Vec::new();
    for (kind, sql) in queries {
        times.push(run_query(client, kind, sql, &mut absent).await);
    }
    times
}

/// One catalog query, rows read and thrown away: its time, 0 for a kind `present` found absent
/// (`present` itself adds the kinds it finds absent to `absent`).
async fn run_query(client: &Client, kind: &str, sql: &str, absent: &mut Vec<String>) -> f64 {
    let none: Option<Vec<String>> = None;
    if absent.iter().any(|a| a == kind) {
        return 0.0;
    }
    let started = Instant::now();
    if kind == "present" {
        let row = client
            .query_typed(sql, &[(&none, Type::TEXT_ARRAY)])
            .await
            .unwrap_or_else(|e| panic!("floor query {kind}: {e}"));
        for (i, column) in row[0].columns().iter().enumerate() {
            if !row[0].get::<_, bool>(i) {
                absent.push(column.name().to_string());
            }
        }
        return started.elapsed().as_secs_f64();
    }
    let rows = client
        .query_typed_raw(sql, [(&none, Type::TEXT_ARRAY)])
        .await
        .unwrap_or_else(|e| panic!("floor query {kind}: {e}"));
    let mut rows = std::pin::pin!(rows);
    while rows
        .try_next()
        .await
        .unwrap_or_else(|e| panic!("floor query {kind}: {e}"))
        .is_some()
    {}
    started.elapsed().as_secs_f64()
}

/// Each catalog query on two databases in turn (which one goes first alternates), each in
/// pgdrift's session: the median time of each query on each. A paired measurement, so that a
/// slow moment of the machine lands on both sides of a comparison, not on one. At least `reps`
/// pairs, and more for a short query, until each side has run it for [`PAIRED_SECONDS`] (at
/// most [`PAIRED_MAX`] pairs): a 15 ms query's median of five varies by half here.
const PAIRED_SECONDS: f64 = 1.0;
const PAIRED_MAX: usize = 60;

async fn paired_queries(
    server: &Server,
    databases: [&str; 2],
    reps: usize,
) -> [Vec<(&'static str, f64)>; 2] {
    let (clients, queries) = catalog_sessions(server, &databases).await;
    let mut absent = [Vec::new(), Vec::new()];
    let mut times = [Vec::new(), Vec::new()];
    for (kind, sql) in &queries {
        let mut runs = [Vec::new(), Vec::new()];
        let mut spent = [0.0; 2];
        let mut rep = 0;
        // A side where the kind is absent spends nothing and asks for no more pairs.
        let short = |spent: &[f64; 2]| spent.iter().any(|&s| s > 0.0 && s < PAIRED_SECONDS);
        while rep < reps.max(1) || (rep < PAIRED_MAX && short(&spent)) {
            for side in [rep % 2, 1 - rep % 2] {
                let t = run_query(&clients[side], kind, sql, &mut absent[side]).await;
                runs[side].push(t);
                spent[side] += t;
            }
            rep += 1;
        }
        for side in 0..2 {
            times[side].push((*kind, median(std::mem::take(&mut runs[side]))));
        }
    }
    for c in &clients {
        exec(c, "COMMIT", "ending the paired transaction").await;
    }
    times
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct Result_ {
    label: String,
    counts: String,
    load: f64,
    check: f64,
    check_runs: Vec<CheckRun>,
    pg_dump: f64,
    floor_seq: f64,
    floor_par: f64,
    /// Each query's share of the floor (median over the runs), both databases.
    by_kind: Vec<(&'static str, f64)>,
    findings: String,
    /// `pgdrift plan` of both databases: wall time, and its plan stage (after reading).
    plan: f64,
    plan_stage: f64,
    plan_steps: usize,
    /// Each query's time on the analyzed actual database alone (median over the runs).
    actual_by_kind: Vec<(&'static str, f64)>,
    stale: Variant,
    sql: Variant,
}

/// The check with the actual side stale (a template copy never analyzed), or with the
/// expected side as SQL files: what it took, against pg_dump of the actual side.
#[derive(Default)]
struct Variant {
    check: f64,
    check_runs: Vec<CheckRun>,
    /// `pg_dump --schema-only` of this variant's actual database.
    pg_dump: f64,
    /// Each query's time on the stale actual database alone (median; stale variant only).
    by_kind: Vec<(&'static str, f64)>,
    /// How wrong the statistics were: pg_attribute's estimated and real row counts.
    estimate: (f64, i64),
}

/// The median check run (by wall time).
fn median_run(runs: &[CheckRun]) -> CheckRun {
    let mut runs = runs.to_vec();
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    runs[runs.len() / 2].clone()
}

/// The policy of one check: expected and actual each a URL or SQL files.
fn policy_text(label: &str, expected: &str, actual: &str) -> String {
    format!(
        "[targets.expected]\n{expected}\n\n[targets.actual]\n{actual}\n\n[[check]]\nname = \"{label}\"\nexpected = \"expected\"\nactual = \"actual\"\n"
    )
}

/// pg_attribute's row estimate in pg_class against its real row count.
async fn attribute_estimate(server: &Server, db: &str) -> (f64, i64) {
    let client = connect(&server.url(db)).await;
    let row = client
        .query_one(
            "SELECT reltuples::float8, (SELECT count(*) FROM pg_catalog.pg_attribute)
               FROM pg_catalog.pg_class WHERE oid = 'pg_catalog.pg_attribute'::regclass",
            &[],
        )
        .await
        .expect("pg_attribute's estimate");
    (row.get(0), row.get(1))
}

async fn catalog_counts(server: &Server, db: &str) -> String {
    let client = connect(&server.url(db)).await;
    let row = client
        .query_one(
            "SELECT
               (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r','p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'),
               (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped
                   AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'),
               (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'),
               (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('v','m') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'),
               (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))",
            &[],
        )
        .await
        .expect("counting catalog objects");
    let n = |i: usize| row.get::<_, i64>(i);
    format!(
        "{} tables, {} columns, {} indexes, {} views, {} functions",
        n(0),
        n(1),
        n(2),
        n(3),
        n(4)
    )
}

fn findings_summary(out_dir: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(out_dir.join("pgdrift.json")) else {
        return "no JSON report".into();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return "unreadable JSON report".into();
    };
    let s = &json["summary"];
    let total: u64 = s["by_rule"]
        .as_object()
        .map(|m| m.values().filter_map(|v| v.as_u64()).sum())
        .unwrap_or(0);
    format!(
        "{total} findings ({} rules) over {} objects compared, {} drifted",
        s["by_rule"].as_object().map_or(0, |m| m.len()),
        s["objects_compared"],
        s["objects_drifted"]
    )
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let work = tempfile::Builder::new()
        .prefix("pgdrift-bench-")
        .tempdir()
        .expect("a temporary directory");
    eprintln!("starting PostgreSQL ...");
    let server = Server::start();
    let admin = runtime.block_on(connect(&server.url("postgres")));
    let version: String = runtime
        .block_on(admin.query_one("SHOW server_version", &[]))
        .map(|r| r.get(0))
        .unwrap_or_default();
    let jit: String = runtime
        .block_on(admin.query_one("SHOW jit", &[]))
        .map(|r| r.get(0))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "PostgreSQL {version} (jit {jit}), {cores} cores, median of {} runs",
        options.runs
    );

    let mut results = Vec::new();
    let mut cases: Vec<(Case, String)> = Vec::new();
    for &size in &options.sizes {
        eprintln!("generating {size} tables ...");
        let (case, planned) =
            runtime.block_on(generated_case(&server, &admin, size, options.regenerate));
        eprintln!(
            "  loaded in {:.1} s ({planned}; {} changes in the copy)",
            case.load_time.as_secs_f64(),
            case.changes
        );
        cases.push((case, planned));
    }
    for &copies in &options.corpus {
        eprintln!("loading the Sourcegraph schema ×{copies} ...");
        let case = runtime.block_on(corpus_case(&server, &admin, copies, options.regenerate));
        eprintln!("  loaded in {:.1} s", case.load_time.as_secs_f64());
        cases.push((case, String::new()));
    }

    let small = runtime.block_on(small_case(&server, &admin, options.runs.max(5)));

    let mut sql_policies = Vec::new();
    for (case, _) in &cases {
        eprintln!("measuring {} ...", case.label);
        let counts = runtime.block_on(catalog_counts(&server, &case.expected));
        let url_of = |db: &str| format!("url = \"{}\"", server.url(db));
        let policy = work.path().join(format!("{}.toml", case.expected));
        std::fs::write(
            &policy,
            policy_text(&case.label, &url_of(&case.expected), &url_of(&case.actual)),
        )
        .expect("writing the policy");
        let stale_policy = work.path().join(format!("{}_stale.toml", case.expected));
        std::fs::write(
            &stale_policy,
            policy_text(&case.label, &url_of(&case.expected), &url_of(&case.stale)),
        )
        .expect("writing the policy");
        // The expected schema as a SQL-file target, loaded into a scratch database on the
        // same server (so both sides are read from one server, as in the other variants).
        let script = work.path().join(format!("{}.sql", case.expected));
        std::fs::write(&script, &case.sql_script).expect("writing the SQL file");
        let sql_policy = work.path().join(format!("{}_sql.toml", case.expected));
        std::fs::write(
            &sql_policy,
            policy_text(
                &case.label,
                &format!(
                    "sql = {:?}\nscratch_url = \"{}\"",
                    script.display().to_string(),
                    server.url("postgres")
                ),
                &url_of(&case.actual),
            ),
        )
        .expect("writing the policy");
        let out_dir = work.path().join("reports");
        let dump = work.path().join("dump.sql");
        let (mut checks, mut dumps, mut seqs, mut pars) = (vec![], vec![], vec![], vec![]);
        let (mut plans, mut plan_stages, mut plan_steps) = (vec![], vec![], 0);
        let plan_out = work.path().join("plan.json");
        let mut kinds: Vec<Vec<(&'static str, f64)>> = Vec::new();
        let (mut stale_checks, mut stale_dumps) = (vec![], vec![]);
        let both = [case.expected.as_str(), case.actual.as_str()];
        // Interleaved, so a slow moment of the machine does not land on one measurement only.
        for _ in 0..options.runs {
            checks.push(run_check(&policy, &out_dir));
            let (wall, stage, steps) = run_plan(&policy, &plan_out);
            plans.push(wall);
            plan_stages.push(stage);
            plan_steps = steps;
            dumps.push(run_pg_dump(&server, &case.expected, &dump));
            let (seq, by_kind, _) = runtime.block_on(floor(&server, &both, false));
            seqs.push(seq);
            kinds.push(by_kind);
            pars.push(runtime.block_on(floor(&server, &both, true)).0);
            // The stale actual side: the check, pg_dump of it, and its queries alone.
            stale_checks.push(run_check(&stale_policy, &out_dir));
            stale_dumps.push(run_pg_dump(&server, &case.stale, &dump));
        }
        // Each query on the stale copy against the same query on the analyzed one, paired; at
        // least five times, since a query of 10-20 ms varies by half between two runs here.
        let [actual_by_kind, stale_by_kind] = runtime.block_on(paired_queries(
            &server,
            [case.actual.as_str(), case.stale.as_str()],
            options.runs.max(5),
        ));
        let by_kind = kinds[0]
            .iter()
            .enumerate()
            .map(|(i, (kind, _))| (*kind, median(kinds.iter().map(|k| k[i].1).collect())))
            .collect();
        let findings = findings_summary(&out_dir);
        let check = median(checks.iter().map(|c| c.wall).collect());
        let pg_dump = median(dumps);
        results.push(Result_ {
            label: case.label.clone(),
            counts,
            load: case.load_time.as_secs_f64(),
            check,
            check_runs: checks,
            pg_dump,
            floor_seq: median(seqs),
            floor_par: median(pars),
            by_kind,
            findings,
            plan: median(plans),
            plan_stage: median(plan_stages),
            plan_steps,
            actual_by_kind,
            stale: Variant {
                check: median(stale_checks.iter().map(|c| c.wall).collect()),
                check_runs: stale_checks,
                pg_dump: median(stale_dumps),
                by_kind: stale_by_kind,
                estimate: runtime.block_on(attribute_estimate(&server, &case.stale)),
            },
            // Measured below, after every other case.
            sql: Variant::default(),
        });
        sql_policies.push(sql_policy);
    }
    // Loading the SQL files writes a whole schema and drops it again, which leaves the
    // server's buffers full of it and a checkpoint to do: measured last, so that no other
    // measurement follows one.
    for (r, policy) in results.iter_mut().zip(&sql_policies) {
        eprintln!("measuring {} as SQL files ...", r.label);
        let out_dir = work.path().join("reports");
        let runs: Vec<CheckRun> = (0..options.runs)
            .map(|_| run_check(policy, &out_dir))
            .collect();
        r.sql = Variant {
            check: median(runs.iter().map(|c| c.wall).collect()),
            check_runs: runs,
            // Its actual side is the analyzed copy: the same pg_dump.
            pg_dump: r.pg_dump,
            by_kind: Vec::new(),
            estimate: (0.0, 0),
        };
    }
    drop(admin);
    report(&results);
    report_small(&small);
}

fn report(results: &[Result_]) {
    println!();
    for r in results {
        println!("{}: {}", r.label, r.counts);
        if r.load > 0.0 {
            println!("  built in {:.1} s; {}", r.load, r.findings);
        } else {
            println!("  built by an earlier run; {}", r.findings);
        }
    }
    println!();
    println!(
        "check: `pgdrift check` of both databases, all reports written (wall; cpu: its own CPU time)"
    );
    println!("pg_dump: `pg_dump --schema-only` of the expected database only");
    println!(
        "floor: pgdrift's catalog queries back to back, rows discarded; floor‖: the two databases at once"
    );
    println!();
    println!(
        "{:<16} {:>8} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "case",
        "check",
        "cpu",
        "pg_dump",
        "floor",
        "floor‖",
        "check/",
        "check/",
        "check/",
        "peak RSS"
    );
    println!(
        "{:<16} {:>8} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "", "s", "s", "1 db, s", "2 dbs, s", "2 dbs, s", "pg_dump", "floor", "floor‖", "MB"
    );
    for r in results {
        let rss = r
            .check_runs
            .iter()
            .map(|c| c.max_rss_mb)
            .fold(0.0, f64::max);
        let cpu = median(r.check_runs.iter().map(|c| c.cpu).collect());
        println!(
            "{:<16} {:>8.3} {:>6.2} {:>8.3} {:>9.3} {:>9.3} {:>9.2} {:>9.2} {:>9.2} {:>8.0}",
            r.label,
            r.check,
            cpu,
            r.pg_dump,
            r.floor_seq,
            r.floor_par,
            r.check / r.pg_dump,
            r.check / r.floor_seq,
            r.check / r.floor_par,
            rss
        );
    }
    println!();
    println!("the floor by query (both databases, s), largest first:");
    for r in results {
        let mut kinds = r.by_kind.clone();
        kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> = kinds
            .iter()
            .take(6)
            .map(|(k, t)| format!("{k} {t:.3}"))
            .collect();
        let rest: f64 = kinds.iter().skip(6).map(|(_, t)| t).sum();
        println!("{:<16} {}, rest {rest:.3}", r.label, top.join(", "));
    }
    println!();
    println!(
        "stages of the median check (--timings; connect and read are per target, the slowest shown):"
    );
    println!(
        "{:<16} {:>8} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>12}",
        "case",
        "connect",
        "read",
        "normalize",
        "diff",
        "judge",
        "report",
        "total",
        "compare+report"
    );
    for r in results {
        let mut runs = r.check_runs.clone();
        runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        let m = &runs[runs.len() / 2];
        let total = stage(m, "total");
        let after =
            stage(m, "normalize") + stage(m, "diff") + stage(m, "judge") + stage(m, "report");
        println!(
            "{:<16} {:>8.3} {:>8.3} {:>10.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>11.1}%",
            r.label,
            stage(m, "connect"),
            stage(m, "read"),
            stage(m, "normalize"),
            stage(m, "diff"),
            stage(m, "judge"),
            stage(m, "report"),
            total,
            if total > 0.0 {
                100.0 * after / total
            } else {
                0.0
            },
        );
    }
    println!();
    println!(
        "plan: `pgdrift plan --allow-destructive` of both databases (wall), its plan stage after \
         reading, and that stage against the check's total"
    );
    println!(
        "{:<16} {:>8} {:>8} {:>11} {:>7}",
        "case", "plan, s", "stage, s", "stage/check", "steps"
    );
    for r in results {
        println!(
            "{:<16} {:>8.3} {:>8.3} {:>10.1}% {:>7}",
            r.label,
            r.plan,
            r.plan_stage,
            100.0 * r.plan_stage / r.check.max(f64::EPSILON),
            r.plan_steps
        );
    }
    report_stale(results);
    if let Some(r) = results.iter().find(|r| r.label == "generated 10k") {
        let mut runs = r.check_runs.clone();
        runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        let m = &runs[runs.len() / 2];
        let total = stage(m, "total");
        let after =
            stage(m, "normalize") + stage(m, "diff") + stage(m, "judge") + stage(m, "report");
        let rss = runs.iter().map(|c| c.max_rss_mb).fold(0.0, f64::max);
        let mark = |ok: bool| if ok { "met" } else { "NOT MET" };
        println!();
        println!("goals at 10,000 tables:");
        println!(
            "  check of both databases faster than pg_dump of one: {:.2}× — {}",
            r.check / r.pg_dump,
            mark(r.check < r.pg_dump)
        );
        println!(
            "  within 1.5× of the floor: {:.2}× (of the floor with both databases at once: {:.2}×) — {}",
            r.check / r.floor_seq,
            r.check / r.floor_par,
            mark(r.check <= 1.5 * r.floor_seq)
        );
        println!(
            "  compare and report under 10% of the total: {:.1}% — {}",
            100.0 * after / total.max(f64::EPSILON),
            mark(after < 0.1 * total)
        );
        println!(
            "  peak RSS under 400 MB: {rss:.0} MB — {}",
            mark(rss < 400.0)
        );
        println!(
            "  plan stage under 10% of the check's total: {:.1}% — {}",
            100.0 * r.plan_stage / r.check.max(f64::EPSILON),
            mark(r.plan_stage < 0.1 * r.check)
        );
    }
    let generated: Vec<&Result_> = results
        .iter()
        .filter(|r| r.label.starts_with("generated"))
        .collect();
    if generated.len() >= 2 {
        println!();
        let base = generated[0];
        let base_n = parse_size(base.label.trim_start_matches("generated ")).unwrap_or(1) as f64;
        for r in &generated[1..] {
            let n = parse_size(r.label.trim_start_matches("generated ")).unwrap_or(1) as f64;
            println!(
                "growth {} → {}: {:.0}× the tables, check {:.1}× the time, pg_dump {:.1}×",
                base.label,
                r.label,
                n / base_n,
                r.check / base.check,
                r.pg_dump / base.pg_dump
            );
        }
        for r in &generated {
            let n = parse_size(r.label.trim_start_matches("generated ")).unwrap_or(1) as f64;
            println!(
                "  {}: {:.0} ms of check per 1,000 tables",
                r.label,
                1000.0 * r.check / (n / 1000.0)
            );
        }
    }
}

/// The stale and SQL-file variants beside the analyzed one, and each query on stale catalogs
/// against the same query on analyzed ones.
fn report_stale(results: &[Result_]) {
    println!();
    println!(
        "stale statistics: `analyzed` both sides analyzed; `stale` the actual side a template copy \
         never analyzed (pg_attribute: estimated rows / real rows); `sql files` the expected side \
         as a `sql = ...` target, loaded into a scratch database and read at once. pg_dump: of the \
         actual side. For SQL files, `load` is applying the files; `check-load` the rest."
    );
    println!(
        "{:<16} {:<10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8} {:>10} {:>13}",
        "case",
        "variant",
        "check",
        "pg_dump",
        "check/",
        "read",
        "read",
        "load",
        "check-load",
        "pg_attribute"
    );
    println!(
        "{:<16} {:<10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8} {:>10} {:>13}",
        "", "", "s", "s", "pg_dump", "expected", "actual", "s", "/pg_dump", "est/real"
    );
    let mut slowest_check = (0.0f64, String::new());
    for r in results {
        let analyzed = median_run(&r.check_runs);
        let stale = median_run(&r.stale.check_runs);
        let sql = median_run(&r.sql.check_runs);
        let rows: [(&str, f64, f64, &CheckRun, String); 3] = [
            ("analyzed", r.check, r.pg_dump, &analyzed, String::new()),
            (
                "stale",
                r.stale.check,
                r.stale.pg_dump,
                &stale,
                format!("{:.0}/{}", r.stale.estimate.0, r.stale.estimate.1),
            ),
            ("sql files", r.sql.check, r.sql.pg_dump, &sql, String::new()),
        ];
        for (variant, check, pg_dump, run, estimate) in rows {
            // `+ 0.0`: an empty sum is -0.0.
            let load = stage(run, "load") + 0.0;
            let read_expected = stage(run, "read expected");
            let read_actual = stage(run, "read actual");
            let ratio = (check - load) / pg_dump;
            if ratio > slowest_check.0 {
                slowest_check = (ratio, format!("{} {variant}", r.label));
            }
            println!(
                "{:<16} {:<10} {:>8.3} {:>8.3} {:>9.2} {:>9.3} {:>9.3} {:>8.3} {:>10.2} {:>13}",
                r.label,
                variant,
                check,
                pg_dump,
                check / pg_dump,
                read_expected,
                read_actual,
                load,
                ratio,
                estimate
            );
        }
    }
    println!();
    println!(
        "each query on the stale actual database against the same query on the analyzed one \
         (s; queries under 5 ms on both left out of the ratio):"
    );
    let mut worst_query = (0.0f64, String::new());
    for r in results {
        let mut ratios: Vec<(&str, f64, f64)> = r
            .stale
            .by_kind
            .iter()
            .zip(&r.actual_by_kind)
            .filter(|((_, s), (_, a))| s.max(*a) >= 0.005)
            .map(|((k, s), (_, a))| (*k, *s, *a))
            .collect();
        ratios.sort_by(|x, y| (y.1 / y.2).total_cmp(&(x.1 / x.2)));
        let total_stale: f64 = r.stale.by_kind.iter().map(|(_, t)| t).sum();
        let total_analyzed: f64 = r.actual_by_kind.iter().map(|(_, t)| t).sum();
        let top: Vec<String> = ratios
            .iter()
            .take(4)
            .map(|(k, s, a)| format!("{k} {a:.3}→{s:.3} ({:.2}×)", s / a))
            .collect();
        if let Some((k, s, a)) = ratios.first()
            && s / a > worst_query.0
        {
            worst_query = (s / a, format!("{} {k}", r.label));
        }
        println!(
            "{:<16} all {total_analyzed:.3}→{total_stale:.3}; slowest against analyzed: {}",
            r.label,
            top.join(", ")
        );
    }
    if !results.is_empty() {
        let mark = |ok: bool| if ok { "met" } else { "NOT MET" };
        println!();
        println!("goals with stale statistics:");
        println!(
            "  every check (without loading SQL files) faster than pg_dump of the actual side: \
             slowest {:.2}× ({}) — {}",
            slowest_check.0,
            slowest_check.1,
            mark(slowest_check.0 < 1.0)
        );
        println!(
            "  no query over 1.5× its time on analyzed catalogs: worst {:.2}× ({}) — {}",
            worst_query.0,
            worst_query.1,
            mark(worst_query.0 <= 1.5)
        );
    }
}

/// The quickstart's two schemas as live databases: where the fixed costs of a check go.
struct Small {
    runs: Vec<CheckRun>,
    /// A bare connection and `SELECT 1` from this process (tokio-postgres), and `psql -c
    /// 'select 1'` (a process, libpq): what any client pays.
    bare_connect: f64,
    psql: f64,
    pg_dump: f64,
    tables: usize,
}

async fn small_case(server: &Server, admin: &Client, runs: usize) -> Small {
    eprintln!("measuring the quickstart schemas ...");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let mut names = Vec::new();
    for side in ["expected", "actual"] {
        let name = format!("pgdrift_bench_quickstart_{side}");
        recreate(admin, &name).await;
        let sql = std::fs::read_to_string(dir.join(format!("{side}.sql")))
            .unwrap_or_else(|e| panic!("cannot read the quickstart's {side}.sql: {e}"));
        let client = connect(&server.url(&name)).await;
        exec(&client, &sql, "loading the quickstart").await;
        exec(&client, "VACUUM ANALYZE", "VACUUM ANALYZE").await;
        names.push(name);
    }
    let work = tempfile::tempdir().expect("a temporary directory");
    let policy = work.path().join("policy.toml");
    let url_of = |db: &str| format!("url = \"{}\"", server.url(db));
    std::fs::write(
        &policy,
        policy_text("quickstart", &url_of(&names[0]), &url_of(&names[1])),
    )
    .expect("writing the policy");
    let tables = connect(&server.url(&names[0]))
        .await
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p') \
             AND relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)",
            &[],
        )
        .await
        .map(|r| r.get::<_, i64>(0) as usize)
        .unwrap_or(0);
    let out_dir = work.path().join("reports");
    let (mut checks, mut bare, mut psql, mut dumps) = (vec![], vec![], vec![], vec![]);
    let dump = work.path().join("dump.sql");
    for _ in 0..runs {
        checks.push(run_check(&policy, &out_dir));
        let started = Instant::now();
        let client = connect(&server.url(&names[1])).await;
        client.simple_query("SELECT 1").await.expect("SELECT 1");
        drop(client);
        bare.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let status = Command::new(server.tool("psql"))
            .args(["-X", "-q", "-c", "select 1", "--dbname"])
            .arg(server.url(&names[1]))
            .stdout(Stdio::null())
            .status()
            .expect("cannot run psql");
        assert!(status.success(), "psql failed");
        psql.push(started.elapsed().as_secs_f64());
        dumps.push(run_pg_dump(server, &names[1], &dump));
    }
    Small {
        runs: checks,
        bare_connect: median(bare),
        psql: median(psql),
        pg_dump: median(dumps),
        tables,
    }
}

fn report_small(small: &Small) {
    let m = median_run(&small.runs);
    let total = stage(&m, "total");
    println!();
    println!(
        "quickstart schemas as two live databases ({} tables each; median of {} checks):",
        small.tables,
        small.runs.len()
    );
    println!(
        "  check {:.3} s wall ({:.3} s in --timings: connect {:.3}, read {:.3}, normalize+diff+judge {:.3}, report {:.3}); \
         {:.1} ms per table",
        m.wall,
        total,
        stage(&m, "connect"),
        stage(&m, "read"),
        stage(&m, "normalize") + stage(&m, "diff") + stage(&m, "judge"),
        stage(&m, "report"),
        1000.0 * m.wall / small.tables.max(1) as f64
    );
    println!(
        "  beside: a bare connect and SELECT 1 {:.3} s, `psql -c 'select 1'` {:.3} s, pg_dump --schema-only of one {:.3} s",
        small.bare_connect, small.psql, small.pg_dump
    );
}

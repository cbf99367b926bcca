//! Fleet benchmark: `pgdrift check` over many tenant schemas in one database and over many
//! databases on one server, at several fleet sizes, to show that time grows linearly with the
//! fleet.
//!
//!     cargo bench --bench fleet                      # 100/250/500 tenants, 10/25/50 databases
//!     cargo bench --bench fleet -- --tenants 500 --databases 50
//!
//! Uses a throwaway local cluster (or `PGDRIFT_BENCH_URL=postgresql://user@host:port`, a
//! superuser, without a database name).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pgdrift::source::cluster::{Cluster, ClusterOptions};
use tokio_postgres::{Client, NoTls};

const TABLES_PER_TENANT: usize = 40;

/// One tenant's schema: 40 tables of 6–12 columns, a primary key, a foreign key to the
/// previous table, an index, and a view over every tenth table.
fn tenant_sql(schema: &str) -> String {
    let mut sql = format!("CREATE SCHEMA {schema};\n");
    for t in 0..TABLES_PER_TENANT {
        let cols = 6 + t % 7;
        let _ = write!(sql, "CREATE TABLE {schema}.t{t} (id bigint PRIMARY KEY");
        for c in 0..cols {
            let ty = [
                "text",
                "integer",
                "numeric(12,2)",
                "timestamptz",
                "boolean",
                "jsonb",
            ][c % 6];
            let _ = write!(sql, ", c{c} {ty}");
        }
        if t > 0 {
            let _ = write!(
                sql,
                ", parent_id bigint REFERENCES {schema}.t{} (id)",
                t - 1
            );
        }
        sql.push_str(");\n");
        let _ = writeln!(sql, "CREATE INDEX t{t}_c1_idx ON {schema}.t{t} (c1);");
        if t % 10 == 0 {
            let _ = writeln!(
                sql,
                "CREATE VIEW {schema}.v{t} AS SELECT id, c0 FROM {schema}.t{t} WHERE c1 > 0;"
            );
        }
    }
    sql
}

struct Server {
    _cluster: Option<Cluster>,
    base: String,
}

impl Server {
    fn start() -> Server {
        if let Ok(base) = std::env::var("PGDRIFT_BENCH_URL") {
            return Server {
                _cluster: None,
                base,
            };
        }
        let cluster = Cluster::start_with(&ClusterOptions {
            settings: vec![("max_connections".into(), "300".into())],
            ..Default::default()
        })
        .expect("start a PostgreSQL cluster (install the server, or set PGDRIFT_BENCH_URL)");
        let base = format!(
            "postgresql://{}@{}:{}",
            cluster.superuser(),
            cluster.host(),
            cluster.port()
        );
        Server {
            _cluster: Some(cluster),
            base,
        }
    }

    fn url(&self, db: &str) -> String {
        format!("{}/{db}?sslmode=disable", self.base)
    }

    async fn connect(&self, db: &str) -> Client {
        let (client, conn) = tokio_postgres::connect(&self.url(db), NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        client
    }
}

fn check(policy: &Path) -> (Duration, i32) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_pgdrift"))
        .args(["check", "--jobs", "4", "--policy"])
        .arg(policy)
        .arg("--json")
        .arg(policy.with_extension("json"))
        .output()
        .expect("run pgdrift");
    (started.elapsed(), out.status.code().unwrap_or(-1))
}

fn arg(name: &str, default: &str) -> Vec<usize> {
    let args: Vec<String> = std::env::args().collect();
    let value = args
        .iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default.to_string(), String::clone);
    value
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

#[tokio::main]
async fn main() {
    let tenant_sizes = arg("--tenants", "100,250,500");
    let database_sizes = arg("--databases", "10,25,50");
    let server = tokio::task::spawn_blocking(Server::start)
        .await
        .expect("join");
    let admin = server.connect("postgres").await;
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "pgdrift fleet benchmark ({} tables per schema)\n",
        TABLES_PER_TENANT
    );

    // Tenant schemas: one template database, one database holding every tenant.
    let _ = admin
        .batch_execute("DROP DATABASE IF EXISTS bench_tpl")
        .await;
    admin
        .batch_execute("CREATE DATABASE bench_tpl")
        .await
        .expect("create");
    server
        .connect("bench_tpl")
        .await
        .batch_execute(&tenant_sql("tenant_template"))
        .await
        .expect("template");
    println!("tenant schemas in one database");
    println!(
        "{:>8} {:>8} {:>10} {:>14}",
        "tenants", "tables", "check (s)", "per tenant (ms)"
    );
    let mut per_target = Vec::new();
    for &n in &tenant_sizes {
        let db = format!("bench_tenants_{n}");
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
            .await;
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .await
            .expect("create");
        let client = server.connect(&db).await;
        for i in 1..=n {
            let mut sql = tenant_sql(&format!("tenant_{i:04}"));
            if i % 50 == 0 {
                let _ = writeln!(sql, "DROP INDEX tenant_{i:04}.t3_c1_idx;");
            }
            client.batch_execute(&sql).await.expect("tenant");
        }
        let policy = dir.path().join(format!("tenants_{n}.toml"));
        std::fs::write(
            &policy,
            format!(
                "[targets.template]\nurl = \"{}\"\nschemas = [\"tenant_template\"]\n\
                 [targets.tenants]\nurl = \"{}\"\nschemas = \"tenant_*\"\n\
                 [[check]]\nexpected = \"template\"\nactual = \"tenants\"\n",
                server.url("bench_tpl"),
                server.url(&db)
            ),
        )
        .expect("policy");
        let (took, code) = check(&policy);
        assert_eq!(code, 1, "the fleet has drift");
        let per = took.as_secs_f64() * 1000.0 / n as f64;
        per_target.push(per);
        println!(
            "{n:>8} {:>8} {:>10.2} {per:>14.2}",
            n * TABLES_PER_TENANT,
            took.as_secs_f64()
        );
        drop(client);
        let _ = admin.batch_execute(&format!("DROP DATABASE {db}")).await;
    }

    // Databases on one server, each a copy of the template.
    println!("\ndatabases on one server");
    println!(
        "{:>8} {:>8} {:>10} {:>14}",
        "dbs", "tables", "check (s)", "per db (ms)"
    );
    let max_dbs = database_sizes.iter().copied().max().unwrap_or(0);
    for i in 1..=max_dbs {
        let db = format!("bench_db_{i:03}");
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
            .await;
        admin
            .batch_execute(&format!("CREATE DATABASE {db} TEMPLATE bench_tpl"))
            .await
            .expect("copy");
    }
    for &n in &database_sizes {
        let list: Vec<String> = (1..=n).map(|i| format!("\"bench_db_{i:03}\"")).collect();
        let policy = dir.path().join(format!("dbs_{n}.toml"));
        std::fs::write(
            &policy,
            format!(
                "[targets.template]\nurl = \"{}\"\nschemas = [\"tenant_template\"]\n\
                 [targets.fleet]\nurl = \"{}\"\ndatabases = [{}]\nschemas = [\"tenant_template\"]\n\
                 [[check]]\nexpected = \"template\"\nactual = \"fleet\"\n",
                server.url("bench_tpl"),
                server.url("postgres"),
                list.join(", ")
            ),
        )
        .expect("policy");
        let (took, code) = check(&policy);
        assert_eq!(code, 0, "the copies match the template");
        println!(
            "{n:>8} {:>8} {:>10.2} {:>14.2}",
            n * TABLES_PER_TENANT,
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / n as f64
        );
    }
    for i in 1..=max_dbs {
        let _ = admin
            .batch_execute(&format!("DROP DATABASE bench_db_{i:03}"))
            .await;
    }
    let _ = admin.batch_execute("DROP DATABASE bench_tpl").await;
    if let (Some(first), Some(last)) = (per_target.first(), per_target.last()) {
        println!(
            "\nper-tenant time from the smallest to the largest fleet: {first:.2} ms → {last:.2} ms \
             (flat = linear growth)"
        );
    }
}

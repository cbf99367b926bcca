//! The same schema on two PostgreSQL major versions compares equal: the catalog reader hides
//! what changed between versions (e.g. NOT NULL constraints in pg_constraint from 18), and the
//! default policy's equivalences cover the rest.
//!
//! The second server comes from `PGDRIFT_PG_OTHER_BINDIR` (a folder holding `initdb` and
//! `postgres` of another major version; `.ci/run` provides one). Without it the test fails in
//! CI (`CI=true`) and says what to set; elsewhere it reports that it did not run.

mod common;

use std::path::PathBuf;

use pgdrift::cli::compare;
use pgdrift::policy::Settings;
use pgdrift::source::cluster::{Cluster, ClusterOptions};
use tokio_postgres::NoTls;

const SCHEMA: &str = r#"
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS int NOT NULL CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text);
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    mood mood NOT NULL DEFAULT 'ok',
    created_at timestamptz NOT NULL DEFAULT now(),
    doubled numeric GENERATED ALWAYS AS (balance * 2) STORED
);
CREATE TABLE events (
    id bigserial,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    payload jsonb,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_payload_idx ON events USING gin (payload);
CREATE UNIQUE INDEX accounts_lower_email ON accounts (lower(email::text)) WHERE balance > 0;
CREATE VIEW rich AS SELECT id, email FROM accounts WHERE balance > 1000;
CREATE MATERIALIZED VIEW totals AS SELECT account_id, count(*) AS n FROM events GROUP BY account_id;
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS 'SELECT x + 1';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.created_at := now(); RETURN NEW; END$$;
CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON accounts USING (id > 0);
CREATE SEQUENCE invoice_no START 1000;
COMMENT ON TABLE accounts IS 'customer accounts';
CREATE SCHEMA audit;
CREATE PUBLICATION feed FOR TABLE accounts (id, email) WHERE (balance > 0), events
    WITH (publish = 'insert, update', publish_via_partition_root = true);
CREATE PUBLICATION audit_feed FOR TABLES IN SCHEMA audit;
COMMENT ON PUBLICATION feed IS 'accounts out';
CREATE SUBSCRIPTION upstream CONNECTION 'dbname=upstream' PUBLICATION b, a WITH (connect = false);
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT ON SEQUENCES TO PUBLIC;
"#;

fn other_bindir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("PGDRIFT_PG_OTHER_BINDIR")?);
    assert!(
        dir.join("postgres").is_file(),
        "PGDRIFT_PG_OTHER_BINDIR={} holds no postgres binary",
        dir.display()
    );
    Some(dir)
}

#[tokio::test]
async fn same_schema_on_two_major_versions_compares_equal() {
    let Some(bindir) = other_bindir() else {
        assert!(
            std::env::var("CI").is_err(),
            "set PGDRIFT_PG_OTHER_BINDIR to the bin folder of another PostgreSQL major version \
             (e.g. 17 or 18) to compare across versions"
        );
        eprintln!("not run: PGDRIFT_PG_OTHER_BINDIR is not set");
        return;
    };
    let here = common::db_with("versions", SCHEMA).await;
    let expected = common::read_schema(&here).await;

    let other = tokio::task::spawn_blocking(move || {
        Cluster::start_with(&ClusterOptions {
            bindir: Some(bindir),
            ..Default::default()
        })
    })
    .await
    .expect("join")
    .expect("start the other version");
    let (client, conn) = tokio_postgres::connect(&other.url("postgres"), NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
        .batch_execute(SCHEMA)
        .await
        .expect("schema on the other version");
    let versions = (
        here.client()
            .await
            .query_one("SHOW server_version_num", &[])
            .await
            .expect("version")
            .get::<_, String>(0),
        client
            .query_one("SHOW server_version_num", &[])
            .await
            .expect("version")
            .get::<_, String>(0),
    );
    assert_ne!(
        versions.0[..2],
        versions.1[..2],
        "the two servers have the same major version"
    );
    let actual = pgdrift::catalog::read(&client, &pgdrift::catalog::Scope::default())
        .await
        .expect("read the other version");
    // Extension versions legitimately differ between server releases.
    let mut settings = Settings::default();
    settings.ignore.extension_versions = true;
    let comparison = compare(&expected, &actual, &settings);
    let findings: Vec<_> = comparison
        .findings
        .iter()
        .filter(|f| f.rule != "extension.version")
        .map(|f| {
            format!(
                "{} {}: {:?} vs {:?}",
                f.rule, f.object, f.expected, f.actual
            )
        })
        .collect();
    assert!(
        findings.is_empty(),
        "PostgreSQL {} and {} differ:\n{}",
        versions.0,
        versions.1,
        findings.join("\n")
    );
    // The dependency edges are not compared as drift, but a plan orders statements by them:
    // the same objects need the same objects on both versions. (Whether an edge is automatic
    // may differ: a generated column's dependency on another column was before PostgreSQL 14.)
    // Displayed without `auto`.
    let pairs = |s: &pgdrift::model::Schema| -> Vec<String> {
        s.dependencies.iter().map(ToString::to_string).collect()
    };
    assert!(expected.dependencies.len() > 20);
    assert_eq!(
        pairs(&expected),
        pairs(&actual),
        "PostgreSQL {} and {} record other dependencies",
        versions.0,
        versions.1
    );
    drop(client);
    tokio::task::spawn_blocking(move || drop(other))
        .await
        .expect("stop");
}

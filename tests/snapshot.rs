//! Snapshots end to end: database → snapshot → model equals database → model; captures are
//! byte-stable; snapshots work on either side of a check; bad files exit 2 with a reason;
//! history folders list and address versions; SQL-file targets know where objects came from.

mod common;

use common::{run, s};
use std::path::Path;

use pgdrift::snapshot::Snapshot;

/// Every object kind the model knows.
const EVERY_KIND: &str = r#"
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'money';
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS int NOT NULL DEFAULT 1 CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text COLLATE "C");
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    code text COLLATE "C",
    balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    mood mood NOT NULL DEFAULT 'ok',
    doubled numeric GENERATED ALWAYS AS (balance * 2) STORED,
    during tstzrange,
    EXCLUDE USING gist (during WITH &&)
) WITH (fillfactor = 80);
COMMENT ON COLUMN accounts.email IS 'login';
CREATE UNLOGGED TABLE scratch (id int);
CREATE TABLE billing.invoices (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES accounts (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    ref text,
    UNIQUE NULLS NOT DISTINCT (ref)
);
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX accounts_lower ON accounts (lower(email::text)) INCLUDE (code) WHERE balance > 0;
CREATE VIEW rich AS SELECT id, email FROM accounts WHERE balance > 1000;
CREATE MATERIALIZED VIEW totals AS SELECT account_id, count(*) AS n FROM billing.invoices GROUP BY account_id;
CREATE UNIQUE INDEX totals_account ON totals (account_id);
CREATE SEQUENCE invoice_no AS integer START 1000 INCREMENT 5 CACHE 10 CYCLE;
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT x + 1';
CREATE FUNCTION add_two(x int) RETURNS int LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT x + 2; END;
CREATE PROCEDURE noop() LANGUAGE plpgsql SET search_path = public AS $$BEGIN NULL; END$$;
CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER accounts_touch BEFORE UPDATE OF balance ON accounts FOR EACH ROW WHEN (OLD.balance IS DISTINCT FROM NEW.balance) EXECUTE FUNCTION touch();
CREATE FUNCTION rich_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER rich_instead INSTEAD OF INSERT ON rich FOR EACH ROW EXECUTE FUNCTION rich_insert();
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON accounts AS RESTRICTIVE FOR SELECT TO snap_app USING (id > 0);
GRANT USAGE ON SCHEMA billing TO snap_app;
GRANT SELECT, UPDATE (balance) ON accounts TO snap_app;
REVOKE EXECUTE ON FUNCTION add_one(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add_one(int) TO snap_app;
GRANT USAGE ON SEQUENCE invoice_no TO snap_app;
GRANT USAGE ON TYPE mood TO snap_app;
COMMENT ON TABLE accounts IS 'customer accounts';
COMMENT ON INDEX accounts_lower IS 'lookups';
COMMENT ON FUNCTION add_one(int) IS 'adds one';
COMMENT ON TYPE mood IS 'feelings';
"#;

#[tokio::test]
async fn round_trip_and_byte_stable_captures() {
    common::ensure_roles(&["snap_app"]).await;
    let db = common::db_with("snap_every", EVERY_KIND).await;
    let live = common::read_schema(&db).await;
    let text = Snapshot::new(live.clone(), None, None).to_text();
    let back = Snapshot::parse(&text, Path::new("s.json"))
        .expect("parse")
        .schema;
    assert_eq!(
        back, live,
        "database → snapshot → model differs from database → model"
    );
    // The dependency edges go through the file unchanged, byte for byte.
    // A floor that makes the round trip below mean something, not a count: which internal
    // dependencies pg_depend records differs between server versions.
    assert!(live.dependencies.len() > 20, "{:?}", live.dependencies);
    assert_eq!(Snapshot::new(back, None, None).to_text(), text);

    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for path in [&a, &b] {
        let (code, _, err) = run(&[
            "snapshot",
            "--url",
            &db.url(),
            "--no-timestamp",
            "-o",
            s(path),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let (ta, tb) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    assert_eq!(ta, tb, "two captures of one database differ");

    // With a timestamp, only the capture-time line differs.
    let c = dir.path().join("c.json");
    let (code, _, err) = run(&["snapshot", "--url", &db.url(), "-o", s(&c)]);
    assert_eq!(code, 0, "{err}");
    let with_time = std::fs::read_to_string(&c).expect("c");
    let without: Vec<&str> = with_time
        .lines()
        .filter(|l| !l.trim_start().starts_with("\"captured_at\""))
        .collect();
    assert_eq!(without.join("\n") + "\n", String::from_utf8_lossy(&ta));
}

#[tokio::test]
async fn sql_target_and_migrated_database_give_identical_snapshots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m1 = dir.path().join("001_init.sql");
    let m2 = dir.path().join("002_more.sql");
    std::fs::write(&m1, "CREATE TABLE t (id int PRIMARY KEY, note text);\n").expect("write");
    std::fs::write(
        &m2,
        "CREATE INDEX t_note ON t (note);\nALTER TABLE t ADD COLUMN at timestamptz DEFAULT now();\n",
    )
    .expect("write");
    let db = common::db_with(
        "snap_migrated",
        &format!(
            "{}{}",
            std::fs::read_to_string(&m1).expect("m1"),
            std::fs::read_to_string(&m2).expect("m2")
        ),
    )
    .await;
    let (from_sql, from_db) = (dir.path().join("sql.json"), dir.path().join("db.json"));
    let glob = format!("{}/*.sql", dir.path().display());
    let (code, _, err) = run(&[
        "snapshot",
        "--sql",
        &glob,
        "--no-timestamp",
        "-o",
        s(&from_sql),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "snapshot",
        "--url",
        &db.url(),
        "--no-timestamp",
        "-o",
        s(&from_db),
    ]);
    assert_eq!(code, 0, "{err}");
    let strip = |p: &Path| {
        std::fs::read_to_string(p)
            .expect("read")
            .lines()
            .filter(|l| !l.contains("\"server_version\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&from_sql), strip(&from_db));
    // The version the server reports, as the probe before the read asked it.
    let version = common::show(&db, "server_version").await;
    let line = format!("\"server_version\": \"{version}\"");
    for file in [&from_db, &from_sql] {
        let text = std::fs::read_to_string(file).expect("read");
        assert!(text.contains(&line), "{line} in {}", file.display());
    }
}

#[tokio::test]
async fn snapshots_on_either_side_of_a_check() {
    let expected = common::db_with(
        "snap_exp",
        "CREATE TABLE t (id int PRIMARY KEY, note text);",
    )
    .await;
    let actual = common::db_with("snap_act", "CREATE TABLE t (id int PRIMARY KEY);").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("expected.snapshot.json");
    let (code, _, err) = run(&["snapshot", "--url", &expected.url(), "-o", s(&snap)]);
    assert_eq!(code, 0, "{err}");

    // snapshot vs live, through a policy
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        format!(
            "[targets.baseline]\nsnapshot = \"expected.snapshot.json\"\n[targets.live]\nurl = \"{}\"\n\
             [[check]]\nexpected = \"baseline\"\nactual = \"live\"\n",
            actual.url()
        ),
    )
    .expect("policy");
    let (code, out, err) = run(&["check", "--policy", s(&policy), "--json", "-"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("\"column.missing\"") && out.contains("public.t.note"),
        "{out}"
    );

    // live vs snapshot, one-off
    let (code, out, err) = run(&["diff", &actual.url(), s(&snap), "--json", "-"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("\"column.extra\"") && out.contains("public.t.note"),
        "{out}"
    );

    // snapshot vs the database it came from: clean
    let (code, _, err) = run(&["diff", s(&snap), &expected.url()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_snapshot_files_exit_2_and_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = Snapshot::new(Default::default(), None, None).to_text();
    let cases: &[(&str, String, &str)] = &[
        (
            "truncated.json",
            good[..good.len() / 2].to_string(),
            "truncated",
        ),
        (
            "future.json",
            good.replace("\"format_version\": 3", "\"format_version\": 7"),
            "newer than this pgdrift reads",
        ),
        (
            "format1.json",
            good.replace("\"format_version\": 3", "\"format_version\": 1"),
            "capture it again with this pgdrift",
        ),
        (
            "format2.json",
            good.replace("\"format_version\": 3", "\"format_version\": 2"),
            "without rules, statistics, publications",
        ),
        (
            "other.json",
            "{\"name\": \"package.json\"}".to_string(),
            "not a pgdrift snapshot",
        ),
        ("empty.json", String::new(), "empty"),
    ];
    for (name, text, why) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let (code, out, err) = run(&["diff", s(&path), s(&path)]);
        let all = format!("{out}{err}");
        assert_eq!(code, 2, "{name}: {all}");
        assert!(all.contains(why) && all.contains(name), "{name}: {all}");
    }
}

#[tokio::test]
async fn history_stores_changes_lists_and_addresses_versions() {
    let db = common::db_with("snap_hist", "CREATE TABLE t (id int PRIMARY KEY);").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("history");
    let h = s(&history).to_string();
    let capture = || {
        let (code, _, err) = run(&["snapshot", "--url", &db.url(), "--history", &h]);
        assert_eq!(code, 0, "{err}");
        err
    };
    // History file names are stamped to the second: each snapshot in a second of its own.
    assert!(capture().contains("stored"));
    common::wait_for_the_next_second(std::time::SystemTime::now());
    assert!(
        capture().contains("nothing stored"),
        "unchanged schema must not be stored again"
    );
    let captured_at = std::time::SystemTime::now();
    db.exec("ALTER TABLE t ADD COLUMN note text; CREATE INDEX t_note ON t (note);")
        .await;
    common::wait_for_the_next_second(captured_at);
    assert!(capture().contains("stored"));

    let (code, out, err) = run(&["history", &h]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].trim_start().starts_with("1 ") && lines[0].contains("first capture: 1 tables")
    );
    assert!(
        lines[1].trim_start().starts_with("2 ")
            && lines[1].contains("+1 column")
            && lines[1].contains("+1 index"),
        "{out}"
    );
    let (_, out, _) = run(&["history", &h, "--since", "2999-01-01"]);
    assert!(out.trim().is_empty(), "{out}");

    let (code, out, err) = run(&[
        "diff",
        &format!("{h}@1"),
        &format!("{h}@latest"),
        "--json",
        "-",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("public.t.note"), "{out}");
    let (code, _, err) = run(&["diff", &format!("{h}@9"), &format!("{h}@latest")]);
    assert_eq!(code, 2);
    assert!(err.contains("no version `9`"), "{err}");
}

#[tokio::test]
async fn sql_files_remember_where_objects_were_defined() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m1 = dir.path().join("0001_orders.sql");
    let m2 = dir.path().join("0042_alter_orders.sql");
    std::fs::write(
        &m1,
        "-- orders\nCREATE TABLE orders (\n  id int PRIMARY KEY\n);\n\nCREATE INDEX orders_id_idx ON orders (id);\n",
    )
    .expect("write");
    std::fs::write(&m2, "\n\nALTER TABLE orders ADD COLUMN total numeric;\n").expect("write");
    let read = read_sql_target(vec![m1.clone(), m2.clone()], common::url("postgres")).await;
    let at = |object: &str| read.locations.get(object).map(|l| (l.file.clone(), l.line));
    assert_eq!(
        at("public.orders"),
        Some((m2.clone(), 3)),
        "last altered in 0042, line 3"
    );
    assert_eq!(at("public.orders.total"), Some((m2, 3)));
    assert_eq!(at("public.orders_id_idx"), Some((m1.clone(), 6)));
    assert_eq!(at("public.orders.nope"), None);
}

/// The statements of SQL files on a `scratch_url` server run with `synchronous_commit = off`
/// (each commits on its own; the database is dropped at the end): a file that names a table
/// after the setting it runs under shows it, for a role whose sessions start with it on.
#[tokio::test]
async fn sql_files_load_without_waiting_for_each_commit() {
    common::ensure_roles(&["sync_loader"]).await;
    common::connect("postgres")
        .await
        .batch_execute(
            "ALTER ROLE sync_loader LOGIN CREATEDB; \
             ALTER ROLE sync_loader SET synchronous_commit = on",
        )
        .await
        .expect("the role");
    let (_, host) = common::base_url()
        .split_once('@')
        .expect("user@host in the test URL");
    let scratch_url = format!("postgresql://sync_loader@{host}/postgres?sslmode=disable");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("0001.sql");
    std::fs::write(
        &file,
        "DO $$ BEGIN EXECUTE format('CREATE TABLE loaded_with_%s (id int)', \
         current_setting('synchronous_commit')); END $$;\n",
    )
    .expect("write");
    let read = read_sql_target(vec![file], scratch_url).await;
    let tables: Vec<&String> = read.schema.schemas["public"].tables.keys().collect();
    assert_eq!(tables, ["loaded_with_off"]);
    // `--timings` shows each step of the target: the scratch database, the load, the read.
    let timings = pgdrift::timings::take_rendered(std::time::Duration::ZERO);
    for stage in ["create the scratch database m", "load m", "read m"] {
        assert!(timings.contains(stage), "{stage} in {timings}");
    }
}

/// Read the SQL-file target `m` of `files` on the `scratch_url` server.
async fn read_sql_target(
    files: Vec<std::path::PathBuf>,
    scratch_url: String,
) -> std::sync::Arc<pgdrift::source::ReadSchema> {
    let target = pgdrift::policy::Target {
        name: "m".into(),
        source: pgdrift::policy::TargetSource::Sql(pgdrift::policy::SqlTarget {
            files,
            scratch_url: Some(scratch_url),
        }),
        schemas: None,
        schema_pattern: None,
        databases: None,
    };
    let env: &pgdrift::source::Env = &|_: &str| None;
    let mut read = pgdrift::source::read_targets(
        &[&target],
        env,
        &Default::default(),
        Some(pgdrift::policy::DEFAULT_READ_TIMEOUT),
    )
    .await;
    read.remove("m").expect("m").expect("read")
}

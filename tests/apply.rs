//! `pgdrift apply`: the dry run changes nothing; `--yes` converges in one transaction (checked
//! with pgdrift and with `pg_dump --schema-only`), keeps dropped data in the backup schema keyed
//! by the primary key, and on any failure (a lock that does not come, a statement that fails, a
//! re-check that finds something left) changes nothing.

mod common;

use assert_cmd::Command;
use pgdrift::policy::{Date, Settings};
use pgdrift::source::apply::{self, ApplyError, ApplyOptions};

fn pgdrift() -> Command {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("GITHUB_ACTIONS");
    cmd
}

/// pg_dump of the database without the backup schema, and the rows of every user table.
async fn state(db: &common::TestDb) -> (Vec<String>, Vec<String>) {
    let dump = common::schema_dump_with(db, &["--exclude-schema=pgdrift_backup"]);
    let client = db.client().await;
    let tables = client
        .query(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'pgdrift_backup') \
             ORDER BY 1",
            &[],
        )
        .await
        .expect("list tables");
    let mut rows = Vec::new();
    for t in tables {
        let name: String = t.get(0);
        let r = client
            .query(
                &format!("SELECT row_to_json(x)::text FROM {name} x ORDER BY 1"),
                &[],
            )
            .await
            .expect("read rows");
        for row in r {
            rows.push(format!("{name}: {}", row.get::<_, String>(0)));
        }
    }
    (dump, rows)
}

const BEFORE: &str = "CREATE TABLE accounts(id int PRIMARY KEY, email text, legacy text); \
    CREATE TABLE gone(id int PRIMARY KEY, note text); \
    CREATE VIEW emails AS SELECT id, email FROM accounts; \
    INSERT INTO accounts VALUES (1, 'a@x', 'old-1'), (2, NULL, NULL), (3, 'c@x', 'old-3'); \
    INSERT INTO gone VALUES (7, 'seven');";
const AFTER: &str = "CREATE TABLE accounts(id int PRIMARY KEY, email varchar(200)); \
    CREATE VIEW emails AS SELECT id, email FROM accounts; \
    CREATE INDEX accounts_email_idx ON accounts(email);";

#[tokio::test]
async fn the_dry_run_changes_nothing_and_asks_the_data() {
    let actual = common::db_with("apply_dry_a", BEFORE).await;
    let expected = common::db_with("apply_dry_e", AFTER).await;
    let before = state(&actual).await;
    let out = pgdrift()
        .args([
            "apply",
            &expected.url(),
            &actual.url(),
            "--allow-destructive",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("ALTER TABLE public.accounts DROP COLUMN legacy;"),
        "{stdout}"
    );
    assert!(stdout.contains("Pre-checks against actual"), "{stdout}");
    assert!(stdout.contains("public.accounts: 3 rows"), "{stdout}");
    assert!(stderr.contains("dry run, nothing changed"), "{stderr}");
    assert_eq!(
        state(&actual).await,
        before,
        "the dry run changed the database"
    );
}

#[tokio::test]
async fn yes_converges_and_keeps_the_dropped_data() {
    let actual = common::db_with("apply_yes_a", BEFORE).await;
    let expected = common::db_with("apply_yes_e", AFTER).await;
    let out = pgdrift()
        .args([
            "apply",
            &expected.url(),
            &actual.url(),
            "--allow-destructive",
            "--yes",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("converged"), "{stderr}");
    // pgdrift's check and pg_dump agree that actual is now expected.
    let check = pgdrift()
        .args(["diff", &expected.url(), &actual.url()])
        .output()
        .expect("run");
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(state(&actual).await.0, state(&expected).await.0);
    // The rows survived, and the dropped data is in the backup schema.
    let client = actual.client().await;
    let emails: Vec<String> = client
        .query(
            "SELECT coalesce(email, '-') FROM public.accounts ORDER BY id",
            &[],
        )
        .await
        .expect("rows")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(emails, ["a@x", "-", "c@x"]);
    let manifest = client
        .query(
            "SELECT kind, backup_table, row_count, key_columns FROM pgdrift_backup.manifest \
             ORDER BY kind",
            &[],
        )
        .await
        .expect("a manifest");
    assert_eq!(manifest.len(), 2);
    let column_backup: String = manifest[0].get(1);
    assert_eq!(manifest[0].get::<_, String>(0), "column");
    assert_eq!(
        manifest[0].get::<_, i64>(2),
        2,
        "two rows held a legacy value"
    );
    assert_eq!(manifest[0].get::<_, Vec<String>>(3), ["id"]);
    let kept: Vec<(i32, String)> = client
        .query(
            &format!("SELECT id, legacy FROM {column_backup} ORDER BY id"),
            &[],
        )
        .await
        .expect("the column backup")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(kept, [(1, "old-1".to_string()), (3, "old-3".to_string())]);
    let table_backup: String = manifest[1].get(1);
    let moved: Vec<String> = client
        .query(&format!("SELECT note FROM {table_backup}"), &[])
        .await
        .expect("the moved table")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(moved, ["seven"]);
    // Not for everyone: the backup schema is revoked from PUBLIC.
    let public_usage: bool = client
        .query_one(
            "SELECT has_schema_privilege('public', 'pgdrift_backup', 'USAGE')",
            &[],
        )
        .await
        .expect("privilege")
        .get(0);
    assert!(!public_usage);
    // Nothing left to plan; the backup schema is not seen as drift.
    let again = pgdrift()
        .args([
            "plan",
            &expected.url(),
            &actual.url(),
            "--allow-destructive",
        ])
        .output()
        .expect("run");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[tokio::test]
async fn a_lock_that_does_not_come_rolls_everything_back() {
    let actual = common::db_with("apply_lock_a", BEFORE).await;
    let expected = common::db_with("apply_lock_e", AFTER).await;
    let before = state(&actual).await;
    let holder = actual.client().await;
    holder
        .batch_execute("BEGIN; LOCK TABLE public.gone IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("hold a lock");
    let out = pgdrift()
        .args([
            "apply",
            &expected.url(),
            &actual.url(),
            "--allow-destructive",
            "--yes",
            "--lock-timeout",
            "300ms",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("rolled back"), "{stderr}");
    holder.batch_execute("ROLLBACK").await.expect("release");
    assert_eq!(
        state(&actual).await,
        before,
        "a failed apply changed the database"
    );
}

#[tokio::test]
async fn a_statement_that_fails_midway_changes_nothing() {
    // The new NOT NULL meets a NULL: the pre-check says so, and the apply rolls back.
    let actual = common::db_with(
        "apply_fail_a",
        "CREATE TABLE t(id int PRIMARY KEY, v text); CREATE TABLE u(id int); \
         INSERT INTO t VALUES (1, NULL);",
    )
    .await;
    let expected = common::db_with(
        "apply_fail_e",
        "CREATE TABLE t(id int PRIMARY KEY, v text NOT NULL); CREATE TABLE u(id int, w int); \
         CREATE INDEX u_w_idx ON u(w);",
    )
    .await;
    let before = state(&actual).await;
    let dry = pgdrift()
        .args(["apply", &expected.url(), &actual.url()])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.contains("BLOCKS public.t.v: 1 NULL(s) block SET NOT NULL"),
        "{stdout}"
    );
    let out = pgdrift()
        .args(["apply", &expected.url(), &actual.url(), "--yes"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("contains null values"), "{stderr}");
    assert_eq!(
        state(&actual).await,
        before,
        "a failed apply changed the database"
    );
}

async fn planned(
    expected: &common::TestDb,
    actual: &common::TestDb,
) -> (pgdrift::plan::Plan, pgdrift::model::Schema) {
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    let plan = pgdrift::run::plan::plan_pair(&e, &a, &Settings::default(), Date::today(), true)
        .expect("a plan");
    (plan, a)
}

fn options() -> ApplyOptions {
    ApplyOptions {
        lock_timeout: "5s".into(),
        statement_timeout: "0".into(),
        backup: true,
        plan_id: "test0001".into(),
        read_timeout: Some(std::time::Duration::from_secs(75)),
    }
}

#[tokio::test]
async fn a_stale_plan_a_busy_lock_and_a_leftover_each_change_nothing() {
    let actual = common::db_with("apply_guard_a", BEFORE).await;
    let expected = common::db_with("apply_guard_e", AFTER).await;
    let before = state(&actual).await;
    let (plan, schema) = planned(&expected, &actual).await;
    let scope = pgdrift::catalog::Scope::default();
    let client = actual.client().await;
    let hash = apply::schema_hash(&schema);
    let none = |_: &pgdrift::model::Schema| Vec::new();

    // The schema changed since the plan was made.
    let err = apply::execute(&client, &plan, &schema, hash ^ 1, &scope, &options(), &none)
        .await
        .unwrap_err();
    assert_eq!(err, ApplyError::Stale);

    // Another apply holds the lock.
    let other = actual.client().await;
    other
        .batch_execute("SELECT pg_advisory_lock(31638878505494132)")
        .await
        .expect("lock");
    let err = apply::execute(&client, &plan, &schema, hash, &scope, &options(), &none)
        .await
        .unwrap_err();
    assert_eq!(err, ApplyError::Busy);
    other
        .batch_execute("SELECT pg_advisory_unlock(31638878505494132)")
        .await
        .expect("unlock");

    // The re-check inside the transaction finds something left: rolled back.
    let left = |_: &pgdrift::model::Schema| vec!["column.type public.accounts.email".to_string()];
    let err = apply::execute(&client, &plan, &schema, hash, &scope, &options(), &left)
        .await
        .unwrap_err();
    assert!(matches!(err, ApplyError::NotConverged { .. }), "{err}");
    assert_eq!(
        state(&actual).await,
        before,
        "a refused apply changed the database"
    );

    // And with nothing left over it converges.
    apply::execute(&client, &plan, &schema, hash, &scope, &options(), &none)
        .await
        .expect("converges");
    assert_eq!(state(&actual).await.0, state(&expected).await.0);
}

#[tokio::test]
async fn online_builds_indexes_concurrently_and_validates_after_commit() {
    let actual = common::db_with(
        "apply_online_a",
        "CREATE TABLE parent(id int PRIMARY KEY); CREATE TABLE t(id int PRIMARY KEY, p int, v int); \
         INSERT INTO parent VALUES (1); INSERT INTO t VALUES (1, 1, 5), (2, NULL, 7);",
    )
    .await;
    let expected = common::db_with(
        "apply_online_e",
        "CREATE TABLE parent(id int PRIMARY KEY); \
         CREATE TABLE t(id int PRIMARY KEY, p int REFERENCES parent(id), v int CHECK (v > 0)); \
         CREATE INDEX t_v_idx ON t(v);",
    )
    .await;
    let dry = pgdrift()
        .args(["apply", &expected.url(), &actual.url(), "--online"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    let after_commit = stdout.split_once("\nCOMMIT;\n").expect("a transaction").1;
    assert!(
        after_commit.contains("CREATE INDEX CONCURRENTLY t_v_idx"),
        "{stdout}"
    );
    assert!(
        after_commit.contains("VALIDATE CONSTRAINT t_p_fkey"),
        "{stdout}"
    );
    assert!(stdout.contains("NOT VALID;"), "{stdout}");
    let out = pgdrift()
        .args(["apply", &expected.url(), &actual.url(), "--online", "--yes"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(state(&actual).await.0, state(&expected).await.0);
}

#[tokio::test]
async fn the_dry_run_names_a_role_the_actual_server_lacks() {
    // The expected side is SQL files, applied on a scratch cluster of pgdrift's own where the
    // role exists; the actual server does not have it.
    let actual = common::db_with("apply_role_a", "CREATE TABLE t(id int);").await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sql = dir.path().join("expected.sql");
    std::fs::write(
        &sql,
        "CREATE ROLE pgdrift_ghost_role; CREATE TABLE t(id int); \
         GRANT SELECT ON t TO pgdrift_ghost_role;",
    )
    .expect("write");
    let out = pgdrift()
        .arg("apply")
        .arg(&sql)
        .arg(actual.url())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("BLOCKS role pgdrift_ghost_role does not exist on the actual server"),
        "{stdout}"
    );
}

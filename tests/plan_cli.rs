//! `pgdrift plan` end to end: the script psql runs, the JSON, the way back, the dependency
//! view, `pgdrift hazards`, and exit codes.

mod common;
mod plan_support;

use assert_cmd::Command;

fn pgdrift() -> Command {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("GITHUB_ACTIONS");
    cmd
}

const BEFORE: &str = "CREATE TYPE mood AS ENUM ('sad', 'happy'); \
    CREATE TABLE people(id int PRIMARY KEY, name varchar(40), mood mood); \
    CREATE TABLE pets(id int PRIMARY KEY, owner int REFERENCES people(id), legacy int); \
    CREATE VIEW pet_owners AS SELECT p.name, pe.id FROM people p JOIN pets pe ON pe.owner = p.id;";
const AFTER: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); \
    CREATE TABLE people(id int PRIMARY KEY, name varchar(80), mood mood DEFAULT 'ok'); \
    CREATE TABLE pets(id int PRIMARY KEY, owner int REFERENCES people(id)); \
    CREATE INDEX pets_owner_idx ON pets(owner); \
    CREATE VIEW pet_owners AS SELECT p.name, pe.id FROM people p JOIN pets pe ON pe.owner = p.id; \
    COMMENT ON TABLE pets IS 'Animals, with their owners';";

#[tokio::test]
async fn the_script_runs_in_psql_and_the_way_back_restores_actual() {
    let actual = common::db_with("plan_cli_a", BEFORE).await;
    let expected = common::db_with("plan_cli_e", AFTER).await;
    let original = common::schema_dump(&actual);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let up = dir.path().join("0043_fix.sql");
    let down = dir.path().join("0043_fix.down.sql");
    let out = pgdrift()
        .args([
            "plan",
            &expected.url(),
            &actual.url(),
            "--allow-destructive",
            "-o",
        ])
        .arg(&up)
        .arg("--down")
        .arg(&down)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a plan was needed: {stderr}");
    assert!(stderr.contains("steps"), "{stderr}");
    let script = std::fs::read_to_string(&up).expect("the plan file");
    assert!(
        script.contains("\nBEGIN;\n") && script.ends_with("COMMIT;\n"),
        "{script}"
    );
    assert!(
        script.contains("--    fixes column.extra public.pets.legacy"),
        "{script}"
    );
    assert!(script.contains("--    hazards DELETES_DATA"), "{script}");
    plan_support::run_script(&actual, &script).expect("psql runs the plan");
    assert_eq!(common::schema_dump(&actual), common::schema_dump(&expected));
    // Nothing left to do: exit 0.
    let again = pgdrift()
        .args(["plan", &expected.url(), &actual.url()])
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("-- Nothing to do."));
    // The way back: to the actual schema as it was (the enum keeps its new label: PostgreSQL
    // cannot remove one without recreating the type, which the reverse plan does).
    let back = std::fs::read_to_string(&down).expect("the reverse plan");
    plan_support::run_script(&actual, &back).expect("psql runs the reverse plan");
    assert_eq!(common::schema_dump(&actual), original);
}

#[tokio::test]
async fn json_names_phase_operation_hazards_and_why() {
    let actual = common::db_with("plan_json_a", BEFORE).await;
    let expected = common::db_with("plan_json_e", AFTER).await;
    let out = pgdrift()
        .args(["plan", &expected.url(), &actual.url(), "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["format_version"], 1);
    let steps = doc["steps"].as_array().expect("steps");
    assert!(!steps.is_empty());
    for step in steps {
        for key in [
            "phase",
            "operation",
            "object",
            "name",
            "sql",
            "hazards",
            "transactional",
            "fixes",
        ] {
            assert!(step.get(key).is_some(), "{key} missing in {step}");
        }
    }
    let label = steps
        .iter()
        .find(|s| s["phase"] == "pre_commit")
        .expect("the new label commits first");
    assert!(
        label["sql"][0]
            .as_str()
            .unwrap()
            .contains("ADD VALUE 'ok' AFTER 'sad'")
    );
    let recreated = steps
        .iter()
        .find(|s| s["operation"] == "recreate")
        .expect("the view is recreated around the type change");
    assert_eq!(recreated["name"], "public.pet_owners");
    assert!(
        recreated["reason"][0]
            .as_str()
            .unwrap()
            .contains("column public.people.name (type change)"),
        "{recreated}"
    );
    let not_planned = doc["not_planned"].as_array().expect("not_planned");
    assert_eq!(
        not_planned.len(),
        1,
        "the dropped column waits for --allow-destructive"
    );
    assert_eq!(not_planned[0]["rule"], "column.extra");
}

#[tokio::test]
async fn deps_shows_levels_cycles_and_chains() {
    let expected = common::db_with(
        "plan_deps_e",
        "CREATE TABLE a(id int PRIMARY KEY); \
         CREATE TABLE b(id int PRIMARY KEY, a int REFERENCES a(id)); \
         CREATE TABLE c(id int PRIMARY KEY, b int REFERENCES b(id)); \
         CREATE TABLE x(id int PRIMARY KEY, y int); CREATE TABLE y(id int PRIMARY KEY, x int REFERENCES x(id)); \
         ALTER TABLE x ADD FOREIGN KEY (y) REFERENCES y(id);",
    )
    .await;
    let out = pgdrift()
        .args(["plan", "--deps", &expected.url(), &expected.url()])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("level 0: public.a, public.x, public.y\n"),
        "{stdout}"
    );
    assert!(stdout.contains("level 1: public.b\n"), "{stdout}");
    assert!(stdout.contains("level 2: public.c\n"), "{stdout}");
    assert!(stdout.contains("public.x <-> public.y"), "{stdout}");
    assert!(
        stdout.contains("public.c -> public.b -> public.a"),
        "{stdout}"
    );
    let json = pgdrift()
        .args(["plan", "--deps", "--json", &expected.url(), &expected.url()])
        .output()
        .expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        doc["cycles"][0],
        serde_json::json!(["public.x", "public.y"])
    );
}

#[test]
fn hazards_are_listed_with_their_meaning() {
    let out = pgdrift().arg("hazards").output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for code in [
        "DELETES_DATA",
        "REWRITES_TABLE",
        "ACQUIRES_ACCESS_EXCLUSIVE_LOCK",
        "NON_TRANSACTIONAL",
    ] {
        assert!(stdout.contains(code), "{code} in {stdout}");
    }
}

#[test]
fn plan_without_sides_or_policy_is_an_error() {
    let out = pgdrift().arg("plan").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pgdrift plan EXPECTED ACTUAL"));
}

#[tokio::test]
async fn the_markdown_report_shows_the_fix_next_to_the_drift() {
    let actual = common::db_with("plan_md_a", BEFORE).await;
    let expected = common::db_with("plan_md_e", AFTER).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let md = dir.path().join("summary.md");
    let out = pgdrift()
        .args(["diff", &expected.url(), &actual.url(), "--markdown"])
        .arg(&md)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&md).expect("the report");
    let fix = text
        .split_once("<details><summary>Fix: ")
        .expect("a fix section")
        .1;
    assert!(fix.contains("```sql\n-- pgdrift plan"), "{fix}");
    assert!(fix.contains("CREATE INDEX pets_owner_idx"), "{fix}");
    assert!(fix.contains("1 not planned"), "{fix}");
    assert!(fix.trim_end().ends_with("</details>"), "{fix}");
}

#[tokio::test]
async fn a_fleet_gets_a_plan_per_target_and_identical_plans_once() {
    const APP: &str = "CREATE TABLE orders(id int PRIMARY KEY, total numeric); \
        CREATE INDEX orders_total_idx ON orders(total);";
    let template = common::db_with("plan_fleet_template", APP).await;
    let prefix = format!("plan_fleet_{}", std::process::id());
    let admin = common::connect("postgres").await;
    for (suffix, extra) in [
        ("a", "DROP INDEX orders_total_idx;"),
        ("b", "DROP INDEX orders_total_idx;"),
        ("c", ""),
        ("d", "ALTER TABLE orders ADD COLUMN note text;"),
    ] {
        let name = format!("{prefix}_{suffix}");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create");
        common::TestDb { name }
            .exec(&format!("{APP}\n{extra}"))
            .await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        format!(
            "[targets.template]\nurl = \"{}\"\n\
             [targets.fleet]\nurl = \"{}\"\ndatabases = \"{prefix}_*\"\n\
             [[check]]\nname = \"fleet\"\nexpected = \"template\"\nactual = \"fleet\"\n",
            template.url(),
            common::url("postgres"),
        ),
    )
    .expect("policy");
    let out = pgdrift()
        .args(["plan", "--policy"])
        .arg(&policy)
        .arg("--allow-destructive")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let same = format!("-- The same plan for 2 targets: fleet/{prefix}_a, fleet/{prefix}_b\n");
    assert!(stdout.contains(&same), "{stdout}");
    assert_eq!(
        stdout.matches("CREATE INDEX orders_total_idx").count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("-- actual:   fleet/{prefix}_d\n")),
        "{stdout}"
    );
    assert!(stdout.contains("DROP COLUMN note;"), "{stdout}");
    assert!(
        stdout.contains(&format!("-- actual:   fleet/{prefix}_c\n")),
        "{stdout}"
    );
}

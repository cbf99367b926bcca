//! The plan acceptance harness: build the actual schema from `before`, the expected one from
//! `after`, plan, run the plan with psql exactly as a user would, and then require (a) that
//! pgdrift's own check of actual against expected is clean, (b) that `pg_dump --schema-only` of
//! both databases is the same (an oracle pgdrift did not write), and (c) that planning again
//! gives an empty plan.
#![allow(dead_code)]

use std::path::PathBuf;

use pgdrift::evaluate::{Judge, Outcome};
use pgdrift::plan::Plan;
use pgdrift::policy::{Date, Settings};

use crate::common::{self, TestDb};

/// One case: the schema before, the schema after, and what the plan may do.
pub struct Case<'a> {
    pub name: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    /// Plan drops of tables and columns and narrowing casts.
    pub destructive: bool,
    /// Rows to put into the actual database before the plan runs (they must survive it).
    pub data: &'a str,
}

impl<'a> Case<'a> {
    pub fn new(name: &'a str, before: &'a str, after: &'a str) -> Case<'a> {
        Case {
            name,
            before,
            after,
            destructive: false,
            data: "",
        }
    }

    pub fn destructive(mut self) -> Self {
        self.destructive = true;
        self
    }

    pub fn data(mut self, sql: &'a str) -> Self {
        self.data = sql;
        self
    }
}

fn psql() -> PathBuf {
    let dump = common::pg_dump();
    dump.with_file_name("psql")
}

/// Run a script with `psql -v ON_ERROR_STOP=1 -f`, as the plan's header says to.
pub fn run_script(db: &TestDb, script: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("plan.sql");
    std::fs::write(&file, script).expect("write the plan");
    let out = std::process::Command::new(psql())
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&file)
        .arg(db.url())
        .output()
        .expect("psql runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

pub fn today() -> Date {
    Date::today()
}

/// The plan of actual → expected under `settings`.
pub async fn plan(
    expected: &TestDb,
    actual: &TestDb,
    settings: &Settings,
    destructive: bool,
) -> Plan {
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    pgdrift::run::plan::plan_pair(&e, &a, settings, today(), destructive)
        .unwrap_or_else(|err| panic!("planning failed: {err}"))
}

/// The findings left between two databases under `settings`, as `rule object` lines.
pub async fn findings(expected: &TestDb, actual: &TestDb, settings: &Settings) -> Vec<String> {
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    let comparison = pgdrift::run::compare(&e, &a, settings);
    let mut judge = Judge::new(settings, today());
    match judge.check(comparison) {
        Outcome::Compared { findings, .. } => findings
            .iter()
            .map(|j| format!("{} {}", j.finding.rule, j.finding.object))
            .collect(),
        Outcome::Failed { errors } => errors,
    }
}

/// Plan, apply, and prove the result with the three checks. Returns the plan for further
/// assertions.
pub async fn round_trip(case: &Case<'_>) -> Plan {
    round_trip_with(case, &Settings::default()).await
}

pub async fn round_trip_with(case: &Case<'_>, settings: &Settings) -> Plan {
    let prefix = format!("plan_{}", case.name);
    let actual = common::db_with(&format!("{prefix}_a"), case.before).await;
    if !case.data.is_empty() {
        actual.exec(case.data).await;
    }
    let expected = common::db_with(&format!("{prefix}_e"), case.after).await;
    let plan = plan(&expected, &actual, settings, case.destructive).await;
    let script = pgdrift::plan::script::render(&plan, &Default::default());
    assert!(
        plan.not_planned.is_empty(),
        "{}: not planned: {:#?}\n--- plan ---\n{script}",
        case.name,
        plan.not_planned
    );
    if let Err(e) = run_script(&actual, &script) {
        panic!(
            "{}: the plan failed:\n{e}\n--- plan ---\n{script}",
            case.name
        );
    }
    let left = findings(&expected, &actual, settings).await;
    assert!(
        left.is_empty(),
        "{}: findings left after the plan: {left:#?}\n--- plan ---\n{script}",
        case.name
    );
    let (dump_e, dump_a) = (common::schema_dump(&expected), common::schema_dump(&actual));
    if dump_e != dump_a {
        let (e, a) = (dump_e.join("\n") + "\n", dump_a.join("\n") + "\n");
        let diff = similar::TextDiff::from_lines(&e, &a)
            .unified_diff()
            .header("expected", "actual after the plan")
            .to_string();
        panic!(
            "{}: pg_dump differs:\n{diff}\n--- plan ---\n{script}",
            case.name
        );
    }
    let again = plan_after(&expected, &actual, settings, case.destructive).await;
    assert!(
        again.steps.is_empty(),
        "{}: planning again is not empty:\n{}",
        case.name,
        pgdrift::plan::script::render(&again, &Default::default())
    );
    plan
}

async fn plan_after(
    expected: &TestDb,
    actual: &TestDb,
    settings: &Settings,
    destructive: bool,
) -> Plan {
    plan(expected, actual, settings, destructive).await
}

/// The SQL of every step, joined, for `contains` assertions.
pub fn sql(plan: &Plan) -> String {
    plan.steps
        .iter()
        .flat_map(|s| s.sql.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

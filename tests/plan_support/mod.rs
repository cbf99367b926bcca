//! The plan acceptance harness: build the actual schema from `before`, the expected one from
//! `after`, plan, run the plan with psql exactly as a user would, and then require (a) that
//! pgdrift's own check of actual against expected is clean, (b) that `pg_dump --schema-only` of
//! both databases is the same (an oracle pgdrift did not write), and (c) that planning again
//! gives an empty plan.
#![allow(dead_code)]

use std::path::PathBuf;

use pgdrift::diff::Finding;
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
    match judged(expected, actual, settings).await {
        Ok(findings) => findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.object))
            .collect(),
        Err(errors) => errors,
    }
}

/// The findings between two databases under `settings`, whole (with both values).
pub async fn judged(
    expected: &TestDb,
    actual: &TestDb,
    settings: &Settings,
) -> Result<Vec<Finding>, Vec<String>> {
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    judged_models(&e, &a, settings)
}

/// The findings between two models under `settings`.
pub fn judged_models(
    e: &pgdrift::model::Schema,
    a: &pgdrift::model::Schema,
    settings: &Settings,
) -> Result<Vec<Finding>, Vec<String>> {
    let comparison = pgdrift::run::compare(e, a, settings);
    let mut judge = Judge::new(settings, today());
    match judge.check(comparison) {
        Outcome::Compared { findings, .. } => Ok(findings.into_iter().map(|j| j.finding).collect()),
        Outcome::Failed { errors } => Err(errors),
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
    assert!(
        plan.not_planned.is_empty(),
        "{}: not planned: {:#?}\n--- plan ---\n{}",
        case.name,
        plan.not_planned,
        pgdrift::plan::script::render(&plan, &Default::default())
    );
    match converge(&expected, &actual, settings, plan).await {
        Ok(plan) => plan,
        Err(e) => panic!("{}: {e}", case.name),
    }
}

/// Run `plan` (of actual → expected) on `actual` and prove it: the findings left are exactly
/// those the plan lists as not planned, and when it lists none, `pg_dump --schema-only` of both
/// agrees; planning again gives no steps. The error says what went wrong, with the plan.
pub async fn converge(
    expected: &TestDb,
    actual: &TestDb,
    settings: &Settings,
    plan: Plan,
) -> Result<Plan, String> {
    let script = pgdrift::plan::script::render(&plan, &Default::default());
    if let Err(e) = run_script(actual, &script) {
        return Err(format!("the plan failed:\n{e}\n--- plan ---\n{script}"));
    }
    // Read once: for the findings left and for the second plan.
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    let mut left: Vec<String> = match judged_models(&e, &a, settings) {
        Ok(findings) => findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.object))
            .collect(),
        Err(errors) => errors,
    };
    left.sort();
    let mut not_planned: Vec<String> = plan
        .not_planned
        .iter()
        .map(|n| format!("{} {}", n.rule, n.object))
        .collect();
    not_planned.sort();
    if left != not_planned {
        return Err(format!(
            "findings left after the plan: {left:#?}\nnot planned: {not_planned:#?}\n\
             --- plan ---\n{script}"
        ));
    }
    if not_planned.is_empty() {
        let (mut dump_e, mut dump_a) = (common::schema_dump(expected), common::schema_dump(actual));
        if settings.ignore.column_order {
            dump_e = columns_unordered(dump_e);
            dump_a = columns_unordered(dump_a);
        }
        if dump_e != dump_a {
            let (e, a) = (dump_e.join("\n") + "\n", dump_a.join("\n") + "\n");
            let diff = similar::TextDiff::from_lines(&e, &a)
                .unified_diff()
                .header("expected", "actual after the plan")
                .to_string();
            return Err(format!("pg_dump differs:\n{diff}\n--- plan ---\n{script}"));
        }
    }
    // With nothing left, not even a destructive plan has anything to do.
    let again = pgdrift::run::plan::plan_pair(&e, &a, settings, today(), not_planned.is_empty())
        .map_err(|err| format!("planning again failed: {err}\n--- plan ---\n{script}"))?;
    if !again.steps.is_empty() {
        return Err(format!(
            "planning again is not empty:\n{}\n--- first plan ---\n{script}",
            pgdrift::plan::script::render(&again, &Default::default())
        ));
    }
    Ok(plan)
}

/// A dump with the column lines of each CREATE TABLE sorted (and without their trailing
/// commas), and the runs of column comments and grants too: PostgreSQL cannot reorder columns,
/// a plan never does, and a policy that ignores column order accepts a column dropped and added
/// again at the end.
fn columns_unordered(dump: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(dump.len());
    let mut block: Option<Vec<String>> = None;
    for line in dump {
        match &mut block {
            None => {
                let opens = (line.starts_with("CREATE TABLE ")
                    || line.starts_with("CREATE UNLOGGED TABLE "))
                    && line.ends_with(" (");
                out.push(line);
                if opens {
                    block = Some(Vec::new());
                }
            }
            Some(lines) if line.starts_with(')') => {
                lines.sort();
                out.append(lines);
                block = None;
                out.push(line);
            }
            Some(lines) => lines.push(line.trim_end_matches(',').to_string()),
        }
    }
    if let Some(mut lines) = block {
        out.append(&mut lines);
    }
    // Column comments and column grants follow the column order too: each run of them sorted.
    let mut sorted = Vec::with_capacity(out.len());
    let mut run: Vec<String> = Vec::new();
    for line in out {
        if line.starts_with("COMMENT ON COLUMN ") || line.starts_with("GRANT ") {
            run.push(line);
            continue;
        }
        run.sort();
        sorted.append(&mut run);
        sorted.push(line);
    }
    run.sort();
    sorted.append(&mut run);
    sorted
}

/// The SQL of every step, joined, for `contains` assertions.
pub fn sql(plan: &Plan) -> String {
    plan.steps
        .iter()
        .flat_map(|s| s.sql.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

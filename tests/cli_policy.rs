//! The policy's settings through the binary: filters, severities, waivers (before and after
//! expiry), fail level, unused patterns, overrides, and `pgdrift diff`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn quickstart(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/quickstart")
        .join(file)
        .display()
        .to_string()
}

/// A policy comparing the quickstart's two SQL files, with `settings` appended.
fn policy(dir: &Path, settings: &str) -> PathBuf {
    let text = format!(
        "[targets.migrations]\nsql = {:?}\n[targets.production]\nsql = {:?}\n\
         [[check]]\nname = \"prod\"\nexpected = \"migrations\"\nactual = \"production\"\n{settings}",
        quickstart("expected.sql"),
        quickstart("actual.sql"),
    );
    let path = dir.join("schema-policy.toml");
    std::fs::write(&path, text).expect("write policy");
    path
}

/// Run `pgdrift ARGS --json -` and return the exit code and report.
fn run(args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(args)
        .args(["--json", "-"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr:\n{stderr}"));
    (out.status.code().unwrap_or(-1), report, stderr)
}

fn check(dir: &Path, settings: &str, extra: &[&str]) -> (i32, Value, String) {
    let path = policy(dir, settings);
    let mut args = vec!["check", "--policy", path.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    run(&args)
}

/// (rule, object, severity, waived) of every finding, policy findings last.
fn findings(report: &Value) -> Vec<(String, String, String, bool)> {
    let checks = report["checks"].as_array().expect("checks");
    checks
        .iter()
        .flat_map(|c| c["findings"].as_array().expect("findings"))
        .chain(report["policy_findings"].as_array().into_iter().flatten())
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["object"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f.get("waiver").is_some(),
            )
        })
        .collect()
}

fn has(report: &Value, rule: &str) -> bool {
    findings(report).iter().any(|f| f.0 == rule)
}

#[test]
fn filters_leave_objects_out_and_report_unused_patterns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, report, stderr) = check(
        dir.path(),
        "[filter]\nexclude = [\"public.orders*\", \"public.no_such_*\"]\nexclude_kinds = [\"grant\", \"comment\"]\n",
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    let all = findings(&report);
    assert!(
        !all.iter().any(|f| f.1.starts_with("public.orders")),
        "{all:#?}"
    );
    assert!(
        !has(&report, "grant.extra") && !has(&report, "comment.mismatch"),
        "{all:#?}"
    );
    assert!(has(&report, "type.definition"), "{all:#?}");
    let unused: Vec<_> = all.iter().filter(|f| f.0 == "pattern.unused").collect();
    assert_eq!(unused.len(), 1, "{all:#?}");
    assert_eq!(unused[0].1, "exclude public.no_such_*");
    assert_eq!(unused[0].2, "note");
}

#[test]
fn severities_and_fail_level_decide_the_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Everything down to warnings: the run passes at the default fail level...
    let (code, report, stderr) = check(dir.path(), "[severity]\n\"*\" = \"warning\"\n", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(findings(&report).iter().all(|f| f.2 == "warning"));
    assert_eq!(report["status"], "clean");
    // ... and fails when the policy fails on warnings, or the flag says so.
    let (code, _, _) = check(
        dir.path(),
        "[severity]\n\"*\" = \"warning\"\n[fail]\non = \"warning\"\n",
        &[],
    );
    assert_eq!(code, 1);
    let (code, _, _) = check(
        dir.path(),
        "[severity]\n\"*\" = \"warning\"\n",
        &["--fail-on", "warning"],
    );
    assert_eq!(code, 1);
    // The most specific key wins.
    let (_, report, _) = check(
        dir.path(),
        "[severity]\n\"*\" = \"note\"\n\"column.*\" = \"warning\"\n\"column.type\" = \"error\"\n",
        &[],
    );
    let sev = |rule: &str| {
        findings(&report)
            .into_iter()
            .find(|f| f.0 == rule)
            .map(|f| f.2)
            .unwrap_or_default()
    };
    assert_eq!(sev("column.type"), "error");
    assert_eq!(sev("column.extra"), "warning");
    assert_eq!(sev("index.missing"), "note");
}

#[test]
fn waivers_before_and_after_expiry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut waive_all = String::new();
    for rule in [
        "column.*",
        "comment.*",
        "constraint.*",
        "grant.*",
        "index.*",
        "trigger.*",
        "type.*",
        "view.*",
    ] {
        waive_all.push_str(&format!(
            "[[waive]]\nrule = \"{rule}\"\nobject = \"public.*\"\nreason = \"known, DBA-1\"\nexpires = 2027-03-01\n"
        ));
    }
    let (code, report, stderr) = check(dir.path(), &waive_all, &["--today", "2027-03-01"]);
    assert_eq!(code, 0, "every finding is waived: {stderr}");
    let all = findings(&report);
    assert!(
        all.iter().filter(|f| f.0 != "pattern.unused").all(|f| f.3),
        "{all:#?}"
    );
    assert!(
        report["summary"]["waived"].as_u64().unwrap_or(0) >= 10,
        "{report:#}"
    );

    let (code, report, _) = check(dir.path(), &waive_all, &["--today", "2027-03-02"]);
    assert_eq!(code, 1, "expired waivers cover nothing");
    let all = findings(&report);
    assert!(all.iter().all(|f| !f.3), "{all:#?}");
    assert_eq!(all.iter().filter(|f| f.0 == "waiver.expired").count(), 8);
}

#[test]
fn ignore_overrides_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, report, _) = check(
        dir.path(),
        "",
        &["--ignore", "grants", "--ignore", "object_comments"],
    );
    assert!(!has(&report, "grant.extra") && !has(&report, "comment.mismatch"));
    assert!(has(&report, "column.type"));
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(["check", "--policy"])
        .arg(policy(dir.path(), ""))
        .args(["--ignore", "colour"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown ignore rule `colour`"));
}

#[test]
fn one_off_diff_without_a_policy_file() {
    let (code, report, stderr) = run(&[
        "diff",
        &quickstart("expected.sql"),
        &quickstart("actual.sql"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&report, "column.type") && has(&report, "index.missing"));
    let (code, report, stderr) = run(&[
        "diff",
        &quickstart("expected.sql"),
        &quickstart("expected.sql"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(findings(&report).is_empty());
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(["diff", "nope/*.sql", &quickstart("expected.sql")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("matches no files"));
}

#[test]
fn the_report_table_writes_reports_and_flags_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = policy(
        dir.path(),
        "[report]\noutput_dir = \"out\"\njson = \"named.json\"\nannotations = \"none\"\n",
    );
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(["check", "--policy"])
        .arg(&path)
        .args(["--sarif", "flag.sarif"])
        .current_dir(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("::error"), "annotations = none: {stdout}");
    assert!(dir.path().join("named.json").is_file());
    assert!(dir.path().join("flag.sarif").is_file());
    assert!(dir.path().join("out/pgdrift.junit.xml").is_file());
    assert!(dir.path().join("out/pgdrift.html").is_file());
    assert!(
        !dir.path().join("out/pgdrift.json").exists(),
        "json has its own path"
    );
}

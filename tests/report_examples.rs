//! The CI examples: the workflows parse, pass only inputs the action has and keep expressions
//! out of scripts; the GitLab job wires the report artifacts; the pre-deploy gate blocks on
//! drift and on a run that could not verify; README.md points at each of them.

mod report_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use report_support as support;
use serde_yaml::Value;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(support::manifest_dir().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

const WORKFLOWS: &[&str] = &[
    "examples/github/pull-request.yml",
    "examples/github/nightly-drift.yml",
];

#[test]
fn github_workflows_use_the_action_as_it_is() {
    let action = yaml("action.yml");
    for path in WORKFLOWS {
        let workflow = yaml(path);
        let jobs = workflow["jobs"].as_mapping().expect("jobs");
        let mut uses_pgdrift = false;
        for (_, job) in jobs {
            for step in job["steps"].as_sequence().expect("steps") {
                if let Some(script) = step["run"].as_str() {
                    assert!(
                        !script.contains("${{"),
                        "{path}: an expression inside a script"
                    );
                }
                if step["uses"]
                    .as_str()
                    .is_some_and(|u| u.contains("/pgdrift@"))
                {
                    uses_pgdrift = true;
                    for (name, _) in step["with"].as_mapping().expect("with") {
                        let name = name.as_str().expect("input name");
                        assert!(
                            !action["inputs"][name].is_null(),
                            "{path}: the action has no input `{name}`"
                        );
                    }
                }
            }
        }
        assert!(uses_pgdrift, "{path} runs the action");
    }
    let pr = yaml("examples/github/pull-request.yml");
    assert_eq!(
        pr["permissions"]["security-events"].as_str(),
        Some("write"),
        "SARIF upload needs security-events: write"
    );
    let nightly = yaml("examples/github/nightly-drift.yml");
    assert!(nightly["on"]["schedule"][0]["cron"].is_string());
    // Code scanning needs a baseline on the default branch, and reads the run.
    assert!(pr["on"]["push"]["branches"].is_sequence(), "runs on push");
    assert!(
        pr["on"]["schedule"][0]["cron"].is_string(),
        "runs on a schedule"
    );
    assert_eq!(pr["permissions"]["actions"].as_str(), Some("read"));
    let condition = pr["jobs"]["pgdrift"]["if"].as_str().expect("a fork guard");
    assert!(
        condition.contains("head.repo.full_name == github.repository"),
        "{condition}"
    );
}

#[test]
fn gitlab_job_publishes_junit_and_code_quality() {
    let ci = yaml("examples/gitlab/.gitlab-ci.yml");
    let reports = &ci[".pgdrift"]["artifacts"]["reports"];
    assert_eq!(
        reports["junit"].as_str(),
        Some("pgdrift-reports/pgdrift.junit.xml")
    );
    assert_eq!(
        reports["codequality"].as_str(),
        Some("pgdrift-reports/pgdrift.codequality.json")
    );
    assert_eq!(ci[".pgdrift"]["artifacts"]["when"].as_str(), Some("always"));
    let nightly_rule = ci["schema-drift-nightly"]["rules"][0]["if"]
        .as_str()
        .expect("rule");
    assert!(nightly_rule.contains("schedule"));
    // The default names the job relies on are pgdrift's.
    for (format, name) in [
        (pgdrift::report::Format::Junit, "pgdrift.junit.xml"),
        (
            pgdrift::report::Format::CodeQuality,
            "pgdrift.codequality.json",
        ),
    ] {
        assert_eq!(format.default_file_name(), name);
    }
}

fn gate(policy: &Path, dir: &Path, allow_unverified: bool) -> (i32, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_pgdrift"));
    let mut cmd = Command::new("bash");
    cmd.arg(support::manifest_dir().join("examples/pre-deploy/gate.sh"))
        .arg(policy)
        .current_dir(dir)
        .env("PGDRIFT", &bin)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS");
    if allow_unverified {
        cmd.env("PGDRIFT_ALLOW_UNVERIFIED", "1");
    }
    let out = cmd.output().expect("bash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_pre_deploy_gate_blocks_on_drift_and_on_an_unverified_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let quickstart = support::manifest_dir().join("examples/quickstart/schema-policy.toml");
    let (code, stderr) = gate(&quickstart, dir.path(), false);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("BLOCKED: the database has drifted"),
        "{stderr}"
    );
    assert!(dir.path().join("pgdrift-reports/pgdrift.html").is_file());

    std::fs::write(dir.path().join("e.sql"), "CREATE TABLE t (id int);\n").expect("sql");
    let unreachable = dir.path().join("unreachable.toml");
    std::fs::write(
        &unreachable,
        "[targets.e]\nsql = \"e.sql\"\n[targets.prod]\n\
         url = \"postgresql://app@127.0.0.1:1/app?connect_timeout=5\"\n\
         [[check]]\nname = \"prod\"\nexpected = \"e\"\nactual = \"prod\"\n",
    )
    .expect("policy");
    let (code, stderr) = gate(&unreachable, dir.path(), false);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("BLOCKED: could not verify"), "{stderr}");
    let (code, stderr) = gate(&unreachable, dir.path(), true);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("WARNING: could not verify"), "{stderr}");
}

#[test]
fn readme_points_at_every_example() {
    let readme =
        std::fs::read_to_string(support::manifest_dir().join("README.md")).expect("readme");
    for path in [
        "action.yml",
        "examples/github/pull-request.yml",
        "examples/github/nightly-drift.yml",
        "examples/gitlab/.gitlab-ci.yml",
        "examples/pre-deploy/gate.sh",
    ] {
        assert!(readme.contains(path), "README.md does not mention {path}");
    }
}

/// `cargo install pgdrift` by bare name installs another project's crate from crates.io (with
/// the job's database secrets in its environment): every example and document installs from a
/// path or from this repository.
#[test]
fn nothing_installs_pgdrift_by_its_bare_crate_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md"), root.join("action.yml")];
    let mut dirs = vec![root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read examples") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut installs = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines().filter(|l| l.contains("cargo install")) {
            installs += 1;
            assert!(
                line.contains("--path") || line.contains("--git"),
                "{} installs by the bare crate name: {line}",
                file.display()
            );
        }
    }
    assert!(installs >= 3, "the examples install pgdrift somewhere");
}

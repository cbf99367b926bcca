//! Report flags through the binary: every format lands in `--output-dir`, a run that cannot
//! finish still writes complete reports, nothing half-written is left behind, and standard
//! output stays clean when a report goes there.

mod report_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use pgdrift::report::Format;
use report_support as support;
use serde_json::Value;

fn pgdrift() -> Command {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1")
        .env_remove("PGPASSWORD")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

fn quickstart_policy() -> PathBuf {
    support::manifest_dir().join("examples/quickstart/schema-policy.toml")
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pgdrift-") || n.ends_with(".tmp"))
        .collect()
}

/// Every result's artifact URI.
fn uris(sarif: &Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
                .to_string()
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_report_lands_in_the_output_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("reports/nested");
    let out = pgdrift()
        .current_dir(dir.path())
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .arg("--output-dir")
        .arg(&out_dir)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for format in Format::ALL {
        let path = out_dir.join(format.default_file_name());
        let text = read(&path);
        support::validate(format, &text);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "{} is readable by all", path.display());
        }
    }
    assert!(leftovers(&out_dir).is_empty(), "{:?}", leftovers(&out_dir));
    // Outside GitHub Actions, no workflow commands in the log.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("::error"), "{stdout}");

    let junit = read(&out_dir.join("pgdrift.junit.xml"));
    assert!(
        junit.contains(r#"<testsuite name="production matches migrations" tests="11""#),
        "{junit}"
    );
    let sarif: Value = serde_json::from_str(&read(&out_dir.join("pgdrift.sarif"))).expect("json");
    // Files outside the working directory (the repository) are named by file URIs.
    for uri in uris(&sarif) {
        assert!(
            uri.starts_with("file:///") && uri.contains("/examples/quickstart/"),
            "{uri}"
        );
    }
}

#[test]
fn named_paths_win_and_locations_are_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = pgdrift()
        .current_dir(support::manifest_dir())
        .args([
            "check",
            "--policy",
            "examples/quickstart/schema-policy.toml",
            "--annotations",
            "none",
        ])
        .arg("--sarif")
        .arg(dir.path().join("custom.sarif"))
        .arg("--markdown")
        .arg(dir.path().join("summary.md"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let sarif = read(&dir.path().join("custom.sarif"));
    support::sarif_valid(&sarif);
    // Inside the working directory, as code scanning wants them: relative, forward slashes.
    for uri in uris(&serde_json::from_str(&sarif).expect("json")) {
        assert!(uri.starts_with("examples/quickstart/"), "{uri}");
    }
    support::markdown_valid(&read(&dir.path().join("summary.md")));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// CI systems read report paths from the repository root. Run from a subfolder, the SARIF,
/// Code Quality and annotation paths still start at the root (found by its `.git`, or from
/// `GITHUB_WORKSPACE` / `CI_PROJECT_DIR`); from outside any repository they stay relative to
/// the working directory.
#[test]
fn paths_are_relative_to_the_repository_root_from_a_subfolder() {
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(repo.path().join(".git")).expect(".git");
    let sub = repo.path().join("services/db");
    std::fs::create_dir_all(&sub).expect("sub");
    for file in ["schema-policy.toml", "expected.sql", "actual.sql"] {
        std::fs::copy(
            support::manifest_dir()
                .join("examples/quickstart")
                .join(file),
            sub.join(file),
        )
        .expect("copy the quickstart");
    }
    let run = |cwd: &Path, env: &[(&str, &Path)]| {
        let mut cmd = pgdrift();
        cmd.current_dir(cwd)
            .env_remove("CI_PROJECT_DIR")
            .env_remove("GITHUB_WORKSPACE")
            .args([
                "check",
                "--policy",
                "schema-policy.toml",
                "--annotations",
                "github",
            ])
            .args(["--sarif", "out.sarif", "--codequality", "out.cq.json"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        let sarif: Value = serde_json::from_str(&read(&cwd.join("out.sarif"))).expect("sarif");
        let cq: Value = serde_json::from_str(&read(&cwd.join("out.cq.json"))).expect("cq");
        let cq_paths: Vec<String> = cq
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| i["location"]["path"].as_str().expect("path").to_string())
            .collect();
        let annotations: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("::error file="))
            .map(|l| l.split(',').next().unwrap_or("").to_string())
            .collect();
        (uris(&sarif), cq_paths, annotations)
    };
    let (sarif, cq, annotations) = run(&sub, &[]);
    assert!(!annotations.is_empty());
    for path in sarif.iter().chain(&cq).chain(&annotations) {
        assert!(path.starts_with("services/db/"), "{path}");
    }
    // GITHUB_WORKSPACE names the root when the job checks the repository out elsewhere.
    let (sarif, _, _) = run(&sub, &[("GITHUB_WORKSPACE", &repo.path().join("services"))]);
    assert!(sarif.iter().all(|p| p.starts_with("db/")), "{sarif:?}");
    // Outside any repository: the working directory is the root.
    let loose = tempfile::tempdir().expect("tempdir");
    for file in ["schema-policy.toml", "expected.sql", "actual.sql"] {
        std::fs::copy(sub.join(file), loose.path().join(file)).expect("copy");
    }
    let (sarif, _, _) = run(loose.path(), &[]);
    assert!(
        sarif
            .iter()
            .all(|p| !p.contains('/') && p.ends_with(".sql") || p.ends_with(".toml")),
        "{sarif:?}"
    );
}

#[test]
fn a_run_that_cannot_finish_still_writes_complete_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("expected.sql"),
        "CREATE TABLE t (id int PRIMARY KEY);\n",
    )
    .expect("sql");
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let policy = dir.path().join("schema-policy.toml");
    std::fs::write(
        &policy,
        "[targets.migrations]\nsql = \"expected.sql\"\n\n\
         [targets.production]\nurl = \"postgresql://app@127.0.0.1:1/app?connect_timeout=5\"\n\n\
         [[check]]\nname = \"production matches migrations\"\n\
         expected = \"migrations\"\nactual = \"production\"\n",
    )
    .expect("policy");
    let out_dir = dir.path().join("out");
    let out = pgdrift()
        .current_dir(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--policy", "schema-policy.toml", "--output-dir"])
        .arg(&out_dir)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    for format in Format::ALL {
        support::validate(format, &read(&out_dir.join(format.default_file_name())));
    }
    assert!(leftovers(&out_dir).is_empty());
    let json: Value = serde_json::from_str(&read(&out_dir.join("pgdrift.json"))).expect("json");
    assert_eq!(json["status"], "incomplete");
    let junit = read(&out_dir.join("pgdrift.junit.xml"));
    assert!(junit.contains("<error "), "{junit}");
    let sarif: Value = serde_json::from_str(&read(&out_dir.join("pgdrift.sarif"))).expect("json");
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let md = read(&out_dir.join("pgdrift.md"));
    assert!(md.contains("could not run"), "{md}");
    // On GitHub Actions the failure is an annotation at the check's line.
    assert!(
        stdout.lines().any(|l| l.starts_with(
            "::error file=schema-policy.toml,line=7,title=pgdrift%3A check production matches migrations could not run::"
        )),
        "{stdout}"
    );
    support::annotations_valid(
        &stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

#[test]
fn a_report_on_stdout_moves_summary_and_annotations_to_stderr() {
    let out = pgdrift()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .args(["--sarif", "-"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    support::sarif_valid(&stdout);
    assert!(stderr.contains("policy violated"), "{stderr}");
    assert!(stderr.contains("::error file="), "{stderr}");
}

#[test]
fn two_reports_on_stdout_are_refused_before_the_run() {
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .args(["--json", "-", "--junit", "-"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("only one report can go to standard output"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "the checks never ran");
}

#[test]
fn an_unwritable_report_fails_the_run_but_not_the_other_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .arg("--html")
        .arg(dir.path().join("missing-folder/report.html"))
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write the html report"), "{stderr}");
    for format in Format::ALL {
        if format != Format::Html {
            assert!(dir.path().join(format.default_file_name()).is_file());
        }
    }
    assert!(leftovers(dir.path()).is_empty());
}

/// `--redact-bodies`: the quickstart's view query, trigger and comment appear in no report and
/// not in the summary; the findings are still there, with hashes for the values.
#[test]
fn redacted_bodies_reach_no_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .args(["--redact-bodies", "--annotations", "github", "--output-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let mut texts = vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ];
    for entry in std::fs::read_dir(dir.path()).expect("reports") {
        texts.push(read(&entry.expect("entry").path()));
    }
    assert_eq!(texts.len(), 9, "seven reports");
    for text in &texts {
        for secret in [
            "People who can place orders",
            "JOIN public.orders o",
            "BEFORE INSERT OR UPDATE",
        ] {
            assert!(!text.contains(secret), "{secret} in\n{text}");
        }
    }
    let json: Value = serde_json::from_str(&read(&dir.path().join("pgdrift.json"))).expect("json");
    let rules: Vec<(String, String)> = support::findings(&json);
    assert!(
        rules.iter().any(|(r, _)| r == "view.definition"),
        "{rules:?}"
    );
    assert!(texts[0].contains("<redacted "), "{}", texts[0]);
}

/// `--annotations lines`: one `file:line: severity: rule object: message [check]` line per
/// finding, every one of them (no per-step limit), for problem matchers and editors.
#[test]
fn line_annotations_name_file_line_severity_and_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = pgdrift()
        .current_dir(support::manifest_dir())
        .args([
            "check",
            "--policy",
            "examples/quickstart/schema-policy.toml",
            "--annotations",
            "lines",
            "--json",
        ])
        .arg(dir.path().join("r.json"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let pattern = regex::Regex::new(
        r"^examples/quickstart/[a-z_-]+\.(sql|toml):[1-9][0-9]*: (error|warning|note): [a-z_]+\.[a-z_]+ \S.*: .+ \[production matches migrations\]$",
    )
    .expect("regex");
    let lines: Vec<&str> = stdout.lines().filter(|l| pattern.is_match(l)).collect();
    let json: Value = serde_json::from_str(&read(&dir.path().join("r.json"))).expect("json");
    let findings = support::findings(&json).len();
    assert!(findings > 5);
    assert_eq!(lines.len(), findings, "one line per finding\n{stdout}");
}

//! The GitHub Action (`action.yml`) run locally: its shell steps, in order, with the variables
//! and files the Actions runner provides (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, ...),
//! against the quickstart. `uses:` steps (cache, SARIF upload) belong to GitHub and are only
//! checked for their conditions.

mod report_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use report_support as support;
use serde_yaml::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(support::manifest_dir().join("action.yml")).expect("action");
    serde_yaml::from_str(&text).expect("action.yml parses")
}

fn steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"]
        .as_sequence()
        .expect("steps")
        .to_vec()
}

/// What one run of the action produced.
struct Run {
    /// Per step id (or index): exit code, stdout, outputs.
    steps: Vec<StepRun>,
    summary: String,
}

struct StepRun {
    id: String,
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

impl Run {
    fn step(&self, id: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("step {id} did not run"))
    }
}

/// `key=value` lines of a GITHUB_OUTPUT file (the action writes no multi-line values).
fn parse_outputs(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Resolve the `${{ ... }}` expressions the action uses in `env:` values; `github` holds the
/// `github.*` values a test gives (others are those of a local action, `uses: ./`).
fn expand(
    value: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
    github: &BTreeMap<String, String>,
) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closing }}") + start;
        let expr = rest[start + 3..end].trim();
        let resolved = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs
                .get(name)
                .unwrap_or_else(|| panic!("unknown input {name}"))
                .clone()
        } else if let Some(path) = expr.strip_prefix("steps.") {
            let (id, key) = path.split_once(".outputs.").expect("steps.ID.outputs.KEY");
            outputs
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default()
        } else if let Some(value) = expr.strip_prefix("github.").and_then(|k| github.get(k)) {
            value.clone()
        } else if expr == "github.action_path" {
            support::manifest_dir().display().to_string()
        } else if expr == "github.server_url" {
            "https://github.com".to_string()
        } else if expr == "github.action_repository" || expr == "github.action_ref" {
            // Run as a local action (`uses: ./`), which has no repository or ref of its own.
            String::new()
        } else {
            panic!("the test does not know the expression `{expr}`");
        };
        out.push_str(&resolved);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Run every `run:` step of the action in order, as the runner would (bash -eo pipefail), with
/// `path_dirs` first on PATH.
fn run_action(given: &[(&str, &str)], cwd: &Path, path_dirs: &[PathBuf]) -> Run {
    run_action_until(given, cwd, path_dirs, None)
}

/// As `run_action`, stopping after the step `last` (when given).
fn run_action_until(
    given: &[(&str, &str)],
    cwd: &Path,
    path_dirs: &[PathBuf],
    last: Option<&str>,
) -> Run {
    let action = action();
    let mut inputs: BTreeMap<String, String> = action["inputs"]
        .as_mapping()
        .expect("inputs")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().expect("name").to_string(),
                v["default"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut github = BTreeMap::new();
    for (k, v) in given {
        if let Some(name) = k.strip_prefix("github.") {
            github.insert(name.to_string(), (*v).to_string());
            continue;
        }
        assert!(inputs.contains_key(*k), "the action has no input {k}");
        inputs.insert((*k).to_string(), (*v).to_string());
    }
    let runner = tempfile::tempdir().expect("runner dir");
    let summary = runner.path().join("step_summary.md");
    let github_path = runner.path().join("path");
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut runs = Vec::new();
    let system_path = std::env::var("PATH").unwrap_or_default();
    let mut path: Vec<PathBuf> = path_dirs.to_vec();
    path.extend(std::env::split_paths(&system_path));
    for (i, step) in steps(&action).iter().enumerate() {
        let id = step["id"]
            .as_str()
            .map_or_else(|| format!("step{i}"), str::to_string);
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        assert_eq!(
            step["shell"].as_str(),
            Some("bash"),
            "step {id} runs in bash"
        );
        let output_file = runner.path().join(format!("output-{id}"));
        let script_file = runner.path().join(format!("{id}.sh"));
        std::fs::write(&script_file, script).expect("script");
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::join_paths(&path).expect("PATH"))
            .env("HOME", runner.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_WORKSPACE", cwd)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", runner.path())
            .env("RUNNER_TOOL_CACHE", runner.path().join("toolcache"))
            .env("NO_COLOR", "1");
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                let value = expand(v.as_str().unwrap_or_default(), &inputs, &outputs, &github);
                cmd.env(k.as_str().expect("env name"), value);
            }
        }
        let out = cmd.output().expect("bash");
        let step_outputs = parse_outputs(&output_file);
        outputs.insert(id.clone(), step_outputs.clone());
        let code = out.status.code().unwrap_or(-1);
        runs.push(StepRun {
            id: id.clone(),
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: step_outputs,
        });
        if code != 0 || last == Some(id.as_str()) {
            break; // the runner stops a composite action at the first failing step
        }
    }
    Run {
        steps: runs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

/// The folder of the pgdrift binary cargo built for the tests.
fn built_binary_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_pgdrift"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

#[test]
fn inputs_never_reach_a_script_as_expressions() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for name in [
        "policy",
        "args",
        "reports",
        "upload-sarif",
        "output-dir",
        "fail-on-violations",
    ] {
        assert!(!action["inputs"][name].is_null(), "input {name}");
    }
    for name in [
        "exit-code",
        "errors",
        "warnings",
        "json",
        "sarif",
        "junit",
        "markdown",
        "html",
        "codequality",
        "rdjson",
    ] {
        assert!(!action["outputs"][name].is_null(), "output {name}");
    }
    for step in steps(&action) {
        if let Some(script) = step["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "an expression inside a script: {script}"
            );
            assert!(step["if"].is_null(), "run steps always run: {script}");
        }
    }
    let uses: Vec<&str> = action["runs"]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/cache@")));
    let upload = steps(&action)
        .into_iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("the SARIF upload step");
    let condition = upload["if"].as_str().expect("a condition");
    assert!(condition.contains("always()") && condition.contains("inputs.upload-sarif"));
}

#[test]
fn the_action_checks_the_quickstart_and_fails_the_step_on_drift() {
    let reports = tempfile::tempdir().expect("reports");
    let run = run_action(
        &[
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("reports", "sarif, junit,html"),
            ("output-dir", &reports.path().display().to_string()),
            ("upload-sarif", "true"),
        ],
        &support::manifest_dir(),
        &[built_binary_dir()],
    );
    let locate = run.step("locate");
    assert_eq!(
        locate.outputs.get("build").map(String::as_str),
        Some("false")
    );

    let check = run.step("check");
    assert_eq!(
        check.code, 0,
        "the check step itself never fails:\n{}",
        check.stderr
    );
    let o = &check.outputs;
    assert_eq!(o["exit-code"], "1");
    assert_eq!(o["status"], "violations");
    assert_eq!(o["errors"], "10");
    assert_eq!(o["warnings"], "1");
    assert_eq!(o["notes"], "0");
    for (format, file) in [
        ("json", "pgdrift.json"),
        ("sarif", "pgdrift.sarif"),
        ("junit", "pgdrift.junit.xml"),
        ("html", "pgdrift.html"),
        ("markdown", "pgdrift.md"),
    ] {
        let path = PathBuf::from(&o[format]);
        assert_eq!(path, reports.path().join(file));
        assert!(path.is_file(), "{}", path.display());
    }
    assert!(!o.contains_key("codequality"), "not asked for");
    support::sarif_valid(&std::fs::read_to_string(&o["sarif"]).expect("sarif"));
    // Annotations in the log, at the object's definition (or the check's line in the policy).
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with("::error file=examples/quickstart/")
                && l.contains(",title=pgdrift column.type%3A public.orders.total::")),
        "{}",
        check.stdout
    );
    assert!(run.summary.contains("policy violated"), "{}", run.summary);
    assert!(
        run.summary
            .contains("| Severity | Rule | Object | Message |")
    );

    let verdict = run.step("verdict");
    assert_eq!(verdict.code, 1, "drift fails the step");
    assert!(
        verdict
            .stdout
            .contains("the schema policy is violated (10 errors, 1 warnings)")
    );
}

#[test]
fn violations_can_be_reported_without_failing() {
    let reports = tempfile::tempdir().expect("reports");
    let run = run_action(
        &[
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("output-dir", &reports.path().display().to_string()),
            ("fail-on-violations", "false"),
        ],
        &support::manifest_dir(),
        &[built_binary_dir()],
    );
    assert_eq!(run.step("check").outputs["exit-code"], "1");
    assert_eq!(run.step("verdict").code, 0);
    for format in [
        "json",
        "junit",
        "sarif",
        "markdown",
        "codequality",
        "html",
        "rdjson",
    ] {
        assert!(
            Path::new(&run.step("check").outputs[format]).is_file(),
            "reports: all is the default ({format})"
        );
    }
}

#[test]
fn hostile_inputs_stay_data() {
    let work = tempfile::tempdir().expect("work");
    let reports = work.path().join("out");
    let policy = support::manifest_dir().join("examples/quickstart/schema-policy.toml");
    let run = run_action(
        &[
            ("policy", &policy.display().to_string()),
            (
                "args",
                "--fail-on warning $(touch pwned1) `touch pwned2`;touch pwned3 *",
            ),
            ("output-dir", &reports.display().to_string()),
        ],
        work.path(),
        &[built_binary_dir()],
    );
    for name in ["pwned1", "pwned2", "pwned3"] {
        assert!(!work.path().join(name).exists(), "{name} was created");
    }
    // The odd words reach pgdrift as arguments, which rejects them: the run could not finish.
    let check = run.step("check");
    assert_eq!(check.outputs["exit-code"], "2", "{}", check.stderr);
    assert!(check.stderr.contains("$(touch"), "{}", check.stderr);
    assert_eq!(run.step("verdict").code, 2);
    assert!(run.summary.contains("could not run"), "{}", run.summary);

    let bad = run_action(
        &[
            ("policy", &policy.display().to_string()),
            ("output-dir", "x\nexit-code=0"),
        ],
        work.path(),
        &[built_binary_dir()],
    );
    let check = bad.step("check");
    assert_eq!(check.code, 2);
    assert!(
        !check.outputs.contains_key("exit-code"),
        "{:?}",
        check.outputs
    );
}

#[test]
fn without_pgdrift_on_path_the_action_plans_a_cached_build() {
    let work = tempfile::tempdir().expect("work");
    // Only the system folders: no pgdrift, and the test runs just the locating step.
    let action = action();
    let locate = steps(&action)
        .into_iter()
        .find(|s| s["id"].as_str() == Some("locate"))
        .expect("locate step");
    let script = work.path().join("locate.sh");
    std::fs::write(&script, locate["run"].as_str().expect("script")).expect("write");
    let key = |n: usize| {
        let output = work.path().join(format!("out{n}"));
        let status = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", work.path())
            .env("GITHUB_OUTPUT", &output)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("ImageOS", "ubuntu24")
            .env("ImageVersion", "20261130.1")
            .env("RUNNER_TOOL_CACHE", work.path().join("cache"))
            .env("ACTION_PATH", support::manifest_dir())
            .status()
            .expect("bash");
        assert!(status.success());
        parse_outputs(&output)
    };
    let first = key(1);
    assert_eq!(first["build"], "true");
    // The runner's OS, architecture and image, then 24 hex digits of the sources' hash.
    let hash = first["key"]
        .strip_prefix("pgdrift-Linux-X64-ubuntu24-20261130.1-")
        .unwrap_or_else(|| panic!("{first:?}"));
    assert!(
        hash.len() == 24 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first:?}"
    );
    assert!(first["bin"].ends_with("/bin/pgdrift"));
    assert_eq!(first, key(2), "the cache key is stable");
}

/// `args: |` keeps every line (the second line reaches pgdrift), and a boolean input that is
/// not exactly `true` or `false` stops the action instead of weakening the gate.
#[test]
fn multi_line_args_keep_every_line_and_booleans_fail_closed() {
    let reports = tempfile::tempdir().expect("reports");
    let out = reports.path().display().to_string();
    let run = run_action(
        &[
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("output-dir", &out),
            ("args", "--ignore column_order\n--no-such-flag\n"),
        ],
        &support::manifest_dir(),
        &[built_binary_dir()],
    );
    let check = run.step("check");
    assert_eq!(check.outputs["exit-code"], "2", "{}", check.stderr);
    assert!(check.stderr.contains("--no-such-flag"), "{}", check.stderr);

    for (input, value) in [
        ("fail-on-violations", "True"),
        ("fail-on-violations", "yes"),
        ("fail-on-violations", ""),
        ("upload-sarif", "1"),
    ] {
        let run = run_action(
            &[
                ("policy", "examples/quickstart/schema-policy.toml"),
                ("output-dir", &out),
                (input, value),
            ],
            &support::manifest_dir(),
            &[built_binary_dir()],
        );
        let check = run.step("check");
        assert_eq!(check.code, 2, "{input}={value:?}: {}", check.stderr);
        assert!(
            check
                .stderr
                .contains(&format!("input '{input}' must be true or false")),
            "{}",
            check.stderr
        );
        assert!(
            !check.outputs.contains_key("exit-code"),
            "pgdrift did not run"
        );
    }
}

/// A run that could not finish uploads no SARIF (it would close the alerts of the database
/// that could not be read), and the category is GitHub's own per job and matrix leg.
#[test]
fn sarif_is_not_uploaded_after_an_incomplete_run() {
    let action = action();
    let upload = steps(&action)
        .into_iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("the SARIF upload step");
    let condition = upload["if"].as_str().expect("condition");
    assert!(
        condition.contains("steps.check.outputs.exit-code != '2'"),
        "{condition}"
    );
    assert_eq!(
        action["inputs"]["sarif-category"]["default"].as_str(),
        Some("")
    );
}

/// `working-directory`: the policy and output-dir are relative to it, the report paths the
/// later steps get are absolute, and the paths inside the reports start at the repository root.
#[test]
fn working_directory_runs_in_a_subfolder_with_paths_from_the_root() {
    let reports = tempfile::tempdir().expect("reports");
    let out = reports.path().display().to_string();
    let run = run_action(
        &[
            ("working-directory", "examples/quickstart"),
            ("policy", "schema-policy.toml"),
            ("output-dir", &out),
        ],
        &support::manifest_dir(),
        &[built_binary_dir()],
    );
    let check = run.step("check");
    assert_eq!(check.outputs["exit-code"], "1", "{}", check.stderr);
    let sarif_path = Path::new(&check.outputs["sarif"]);
    assert!(sarif_path.is_absolute(), "{sarif_path:?}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_path).expect("sarif")).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("examples/quickstart/"), "{uri}");
    }
}

/// A folder of release archives as `.github/scripts/package-release` makes them, served over
/// HTTP on loopback (Python's `http.server`) for as long as it lives.
struct ReleaseServer {
    dir: tempfile::TempDir,
    server: std::process::Child,
    url: String,
}

impl ReleaseServer {
    fn start(version: &str) -> ReleaseServer {
        let dir = tempfile::tempdir().expect("release dir");
        let out = Command::new(support::manifest_dir().join(".github/scripts/package-release"))
            .args([version, "x86_64-unknown-linux-gnu"])
            .arg(env!("CARGO_BIN_EXE_pgdrift"))
            .arg(dir.path().join(version))
            .output()
            .expect("package-release");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let (server, line) = support::python_server(&[
            "-m".as_ref(),
            "http.server".as_ref(),
            "--bind".as_ref(),
            "127.0.0.1".as_ref(),
            "0".as_ref(),
            "--directory".as_ref(),
            dir.path().as_os_str(),
        ]);
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        let url = format!("http://127.0.0.1:{port}");
        ReleaseServer { dir, server, url }
    }

    fn checksum_file(&self, version: &str) -> PathBuf {
        self.dir.path().join(version).join(format!(
            "pgdrift-{version}-x86_64-unknown-linux-gnu.tar.gz.sha256"
        ))
    }
}

impl Drop for ReleaseServer {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// With `version`, the action downloads the release archive for the runner, checks its
/// SHA-256, and runs the check with that binary (no pgdrift on PATH, no build).
#[test]
fn a_release_is_downloaded_checked_and_used() {
    let release = ReleaseServer::start("v9.9.9-test");
    let reports = tempfile::tempdir().expect("reports");
    let run = run_action(
        &[
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("output-dir", &reports.path().display().to_string()),
            ("version", "v9.9.9-test"),
            ("release-url", &release.url),
        ],
        &support::manifest_dir(),
        &[],
    );
    let locate = run.step("locate");
    assert_eq!(locate.outputs["download"], "true", "{}", locate.stderr);
    let download = run.step("download");
    assert_eq!(download.code, 0, "{}", download.stderr);
    assert_eq!(
        download.outputs.get("installed").map(String::as_str),
        Some("true")
    );
    assert!(
        download
            .stdout
            .contains("release v9.9.9-test for x86_64-unknown-linux-gnu"),
        "{}",
        download.stdout
    );
    assert!(locate.outputs["bin"].contains("release-v9.9.9-test-"));
    let build = run.step("build");
    assert_eq!(build.code, 0);
    assert!(build.stdout.is_empty(), "nothing built: {}", build.stdout);
    let check = run.step("check");
    assert_eq!(check.outputs["exit-code"], "1", "{}", check.stderr);
    assert_eq!(check.outputs["status"], "violations");
}

/// A checksum that does not match stops the action before any binary is installed or run; a
/// release that is not there falls back to the build, saying so.
#[test]
fn a_bad_checksum_fails_and_a_missing_release_falls_back_to_the_build() {
    let release = ReleaseServer::start("v9.9.9-test");
    let sums = release.checksum_file("v9.9.9-test");
    let text = std::fs::read_to_string(&sums).expect("checksum file");
    let forged = format!("{}{}", "0".repeat(64), &text[64..]);
    std::fs::write(&sums, forged).expect("forge");
    let inputs = |version| {
        vec![
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("version", version),
            ("release-url", release.url.as_str()),
        ]
    };
    let run = run_action(&inputs("v9.9.9-test"), &support::manifest_dir(), &[]);
    let download = run.step("download");
    assert_eq!(download.code, 2);
    assert!(
        download
            .stdout
            .contains("::error title=pgdrift::the SHA-256 of pgdrift-v9.9.9-test-"),
        "{}",
        download.stdout
    );
    assert!(run.steps.iter().all(|s| s.id != "check"), "the check ran");
    let bin = PathBuf::from(&run.step("locate").outputs["bin"]);
    assert!(!bin.exists(), "{} was installed", bin.display());

    let run = run_action_until(
        &inputs("v0.0.0-missing"),
        &support::manifest_dir(),
        &[],
        Some("download"),
    );
    let download = run.step("download");
    assert_eq!(download.code, 0, "{}", download.stderr);
    assert!(!download.outputs.contains_key("installed"));
    assert!(
        download
            .stdout
            .contains("::warning title=pgdrift::cannot download")
            && download
                .stdout
                .contains("building pgdrift from source instead"),
        "{}",
        download.stdout
    );
    assert_eq!(run.step("locate").outputs["build"], "true");

    let run = run_action_until(
        &inputs("v1/../../x"),
        &support::manifest_dir(),
        &[],
        Some("download"),
    );
    assert_eq!(run.step("locate").code, 2, "a version that is not a tag");
}

/// Every action the composite action uses is pinned by its full commit, the release it is
/// written next to it (`@<40 hex> # vX.Y.Z`), on the majors that are not deprecated.
#[test]
fn used_actions_are_pinned_by_commit() {
    let text = std::fs::read_to_string(support::manifest_dir().join("action.yml")).expect("action");
    let pinned = regex::Regex::new(r"^\s*uses:\s*([\w./-]+)@([0-9a-f]{40}) # (v\d+)\.\d+\.\d+$")
        .expect("regex");
    let mut seen = Vec::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with("uses:")) {
        let caps = pinned
            .captures(line)
            .unwrap_or_else(|| panic!("not pinned by commit with its version: {line}"));
        seen.push(format!("{}@{}", &caps[1], &caps[3]));
    }
    seen.sort();
    assert_eq!(
        seen,
        ["actions/cache@v5", "github/codeql-action/upload-sarif@v4"],
        "the action's steps"
    );
}

/// Run from a repository (`uses: OWNER/REPO@REF`), the SARIF rules link their section of the
/// rule reference at the action's own ref; run as a local action they link nothing.
#[test]
fn sarif_rules_link_the_rule_reference_at_the_actions_ref() {
    let help_uris = |given: &[(&str, &str)]| -> Vec<String> {
        let reports = tempfile::tempdir().expect("reports");
        let dir = reports.path().display().to_string();
        let mut all = vec![
            ("policy", "examples/quickstart/schema-policy.toml"),
            ("reports", "sarif"),
            ("output-dir", dir.as_str()),
            ("upload-sarif", "false"),
        ];
        all.extend_from_slice(given);
        let run = run_action(&all, &support::manifest_dir(), &[built_binary_dir()]);
        let check = run.step("check");
        let sarif: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&check.outputs["sarif"]).expect("sarif"))
                .expect("json");
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter_map(|r| r["helpUri"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(help_uris(&[]), Vec::<String>::new());
    let linked = help_uris(&[
        ("github.action_repository", "acme/pgdrift"),
        ("github.action_ref", "v3"),
    ]);
    assert!(
        linked.contains(
            &"https://github.com/acme/pgdrift/blob/v3/docs/rules.md#columntype".to_string()
        ),
        "{linked:?}"
    );
    assert!(linked.len() >= 5, "{linked:?}");
}

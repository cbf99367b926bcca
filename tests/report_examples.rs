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
        "examples/scripts/report-comment.sh",
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

/// A stand-in for the two comment APIs `examples/scripts/report-comment.sh` calls (GitHub's
/// issue comments, GitLab's merge-request notes), in Python's standard library: paged lists,
/// create, update with the platform's own method, the token checked; `GET /state` tells the
/// test what happened. 120 other comments come first, so the marked one sits on page 2.
const COMMENT_API: &str = r#"
import json, re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
flavor, token = sys.argv[1], sys.argv[2]
if flavor == "github":
    base, update_method = "/repos/acme/shop/issues", "PATCH"
    list_path, one_path = base + "/7/comments", base + "/comments/"
else:
    base, update_method = "/api/v4/projects/42/merge_requests/7/notes", "PUT"
    list_path, one_path = base, base + "/"
comments = [{"id": i, "body": "comment %d" % i} for i in range(1, 121)]
state = {"creates": 0, "updates": 0, "refused": 0}
class Api(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self, code, value):
        data = json.dumps(value).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def allowed(self):
        if flavor == "github":
            ok = self.headers.get("Authorization") == "Bearer " + token
        else:
            ok = self.headers.get("PRIVATE-TOKEN") == token
        if not ok:
            state["refused"] += 1
            self.answer(401, {"message": "Bad credentials"})
        return ok
    def body(self):
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
    def do_GET(self):
        if self.path == "/state":
            return self.answer(200, dict(state, comments=comments))
        if not self.allowed():
            return
        m = re.fullmatch(re.escape(list_path) + r"\?per_page=(\d+)&page=(\d+)", self.path)
        if not m:
            return self.answer(404, {})
        n, page = int(m[1]), int(m[2])
        self.answer(200, comments[(page - 1) * n:page * n])
    def do_POST(self):
        if not self.allowed():
            return
        if self.path != list_path:
            return self.answer(404, {})
        comments.append({"id": 1000 + len(comments), "body": self.body()})
        state["creates"] += 1
        self.answer(201, comments[-1])
    def update(self, method):
        if not self.allowed():
            return
        if method != update_method or not self.path.startswith(one_path):
            return self.answer(405, {})
        wanted = int(self.path[len(one_path):])
        for c in comments:
            if c["id"] == wanted:
                c["body"] = self.body()
                state["updates"] += 1
                return self.answer(200, c)
        self.answer(404, {})
    def do_PATCH(self):
        self.update("PATCH")
    def do_PUT(self):
        self.update("PUT")
server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
print(server.server_port, flush=True)
server.serve_forever()
"#;

/// The stand-in API, stopped when dropped.
struct CommentApi {
    server: std::process::Child,
    url: String,
}

impl CommentApi {
    fn start(flavor: &str, token: &str) -> CommentApi {
        let (server, port) = support::python_server(&[
            "-c".as_ref(),
            COMMENT_API.as_ref(),
            flavor.as_ref(),
            token.as_ref(),
        ]);
        CommentApi {
            server,
            url: format!("http://127.0.0.1:{}", port.trim()),
        }
    }

    fn state(&self) -> serde_json::Value {
        let out = Command::new("curl")
            .args(["-fsS", &format!("{}/state", self.url)])
            .output()
            .expect("curl");
        serde_json::from_slice(&out.stdout).expect("state")
    }
}

impl Drop for CommentApi {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The marked comments' bodies.
fn marked(state: &serde_json::Value) -> Vec<String> {
    state["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .filter(|b| b.starts_with("<!-- pgdrift-report -->"))
        .map(str::to_string)
        .collect()
}

/// One report comment per pull request (GitHub) or merge request (GitLab): the first run adds
/// it, later runs update that one in place (found on the second page of comments), a report too
/// long for a GitHub comment is cut with a note, and the token appears in no output.
#[test]
fn the_report_comment_is_added_once_and_then_updated_in_place() {
    let script = support::manifest_dir().join("examples/scripts/report-comment.sh");
    let dir = tempfile::tempdir().expect("tempdir");
    let token = "tok-Secret-123";
    for flavor in ["github", "gitlab"] {
        let api = CommentApi::start(flavor, token);
        let run = |report: &str| {
            let path = dir.path().join("pgdrift.md");
            std::fs::write(&path, report).expect("report");
            let mut cmd = Command::new("bash");
            cmd.arg(&script)
                .arg(flavor)
                .arg(&path)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default());
            if flavor == "github" {
                cmd.env("GITHUB_TOKEN", token)
                    .env("GITHUB_REPOSITORY", "acme/shop")
                    .env("PR_NUMBER", "7")
                    .env("GITHUB_API_URL", &api.url);
            } else {
                cmd.env("GITLAB_TOKEN", token)
                    .env("CI_PROJECT_ID", "42")
                    .env("CI_MERGE_REQUEST_IID", "7")
                    .env("CI_API_V4_URL", format!("{}/api/v4", api.url));
            }
            let out = cmd.output().expect("bash");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{flavor}: {text}");
            assert!(
                !text.contains(token),
                "{flavor}: the token in the output: {text}"
            );
            text
        };
        assert!(run("## pgdrift: 3 errors\n").contains("added"));
        assert!(run("## pgdrift: 1 error, `orders.total` ≠\n").contains("updated comment"));
        let state = api.state();
        assert_eq!(
            (&state["creates"], &state["updates"], &state["refused"]),
            (&1.into(), &1.into(), &0.into()),
            "{flavor}"
        );
        assert_eq!(
            marked(&state),
            vec!["<!-- pgdrift-report -->\n\n## pgdrift: 1 error, `orders.total` ≠\n".to_string()],
            "{flavor}"
        );
        assert_eq!(
            state["comments"][0]["body"], "comment 1",
            "{flavor}: others untouched"
        );
        assert_eq!(state["comments"].as_array().expect("comments").len(), 121);

        if flavor == "github" {
            // 70,000 characters, many of them two bytes: cut in characters to GitHub's 65,536.
            run(&"é".repeat(70_000));
            let body = &marked(&api.state())[0];
            assert_eq!(body.chars().count(), 65_536, "cut to the limit");
            assert!(body.ends_with("the full report is in the job's artifacts.*"));
        }
    }
}

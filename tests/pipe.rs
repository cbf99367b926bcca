//! A reader that goes away (`pgdrift rules | head -1`, `... | head -c 100`) ends pgdrift's
//! printing, not its run: no panic (exit 101), the exit code stays the run's and every report
//! is still written. Databases are real (the harness's server, or the throwaway cluster the
//! binary starts for SQL-file targets).

mod common;
mod report_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use pgdrift::report::Format;
use report_support as support;
use serde_json::Value;

fn pgdrift() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgdrift"));
    cmd.env("NO_COLOR", "1")
        .env_remove("PGPASSWORD")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

fn quickstart_policy() -> PathBuf {
    support::manifest_dir().join("examples/quickstart/schema-policy.toml")
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE, whatever the
/// timing, like `| head -0`.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

/// Run with standard output into a closed pipe; standard error is captured.
fn with_stdout_closed(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("run pgdrift")
}

/// Run with both standard output and standard error into closed pipes (`2>&1 | head -0`).
fn with_both_closed(mut cmd: Command) -> Option<i32> {
    cmd.stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .status()
        .expect("run pgdrift")
        .code()
}

/// The exit code, after checking that nothing panicked (the panic message goes to stderr).
fn code_without_panic(out: &Output) -> Option<i32> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    out.status.code()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every report under `dir` is there, complete and valid for its format.
fn assert_reports_complete(dir: &Path, status: &str) {
    for format in Format::ALL {
        support::validate(format, &read(&dir.join(format.default_file_name())));
    }
    let json: Value = serde_json::from_str(&read(&dir.join("pgdrift.json"))).expect("json");
    assert_eq!(json["status"], status);
}

#[test]
fn rules_into_a_closed_pipe_exits_0_quietly() {
    let out = with_stdout_closed({
        let mut cmd = pgdrift();
        cmd.arg("rules");
        cmd
    });
    assert_eq!(code_without_panic(&out), Some(0));
    let out = with_stdout_closed({
        let mut cmd = pgdrift();
        cmd.args(["rules", "column.default"]);
        cmd
    });
    assert_eq!(code_without_panic(&out), Some(0));
    let out = with_stdout_closed({
        let mut cmd = pgdrift();
        cmd.arg("hazards");
        cmd
    });
    assert_eq!(code_without_panic(&out), Some(0));
}

#[test]
fn an_unknown_rule_into_closed_pipes_still_exits_2() {
    let mut cmd = pgdrift();
    cmd.args(["rules", "column.nonsense"]);
    assert_eq!(with_both_closed(cmd), Some(2));
}

#[test]
fn check_into_a_closed_pipe_writes_every_report_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let mut cmd = pgdrift();
    // On GitHub Actions the annotations go to standard output too.
    cmd.env("GITHUB_ACTIONS", "true")
        .args(["check", "--policy"])
        .arg(quickstart_policy())
        .arg("--output-dir")
        .arg(&out_dir);
    let out = with_stdout_closed(cmd);
    assert_eq!(code_without_panic(&out), Some(1));
    assert_reports_complete(&out_dir, "violations");
}

#[test]
fn a_report_on_stdout_into_a_closed_pipe_keeps_exit_1_and_the_other_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let mut cmd = pgdrift();
    cmd.args(["check", "--policy"])
        .arg(quickstart_policy())
        .arg("--output-dir")
        .arg(&out_dir)
        .args(["--sarif", "-"]);
    let out = with_stdout_closed(cmd);
    assert_eq!(code_without_panic(&out), Some(1));
    // The summary moved to standard error, which is still open.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("policy violated"), "{stderr}");
    for format in Format::ALL.into_iter().filter(|f| *f != Format::Sarif) {
        support::validate(format, &read(&out_dir.join(format.default_file_name())));
    }
    assert!(!out_dir.join(Format::Sarif.default_file_name()).exists());
}

#[test]
fn check_with_both_streams_closed_keeps_its_exit_codes_and_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("drift");
    let mut cmd = pgdrift();
    cmd.env("GITHUB_ACTIONS", "true")
        .args(["check", "--timings", "--policy"])
        .arg(quickstart_policy())
        .arg("--output-dir")
        .arg(&out_dir);
    assert_eq!(with_both_closed(cmd), Some(1));
    assert_reports_complete(&out_dir, "violations");

    // A run that cannot finish prints its error on the closed stderr and still exits 2.
    std::fs::write(
        dir.path().join("expected.sql"),
        "CREATE TABLE t (id int PRIMARY KEY);\n",
    )
    .expect("sql");
    std::fs::write(
        dir.path().join("schema-policy.toml"),
        "[targets.migrations]\nsql = \"expected.sql\"\n\n\
         [targets.production]\nurl = \"postgresql://app@127.0.0.1:1/app?connect_timeout=5\"\n\n\
         [[check]]\nname = \"production matches migrations\"\n\
         expected = \"migrations\"\nactual = \"production\"\n",
    )
    .expect("policy");
    let out_dir = dir.path().join("incomplete");
    let mut cmd = pgdrift();
    cmd.current_dir(dir.path())
        .args(["check", "--policy", "schema-policy.toml", "--output-dir"])
        .arg(&out_dir);
    assert_eq!(with_both_closed(cmd), Some(2));
    assert_reports_complete(&out_dir, "incomplete");
}

/// A database whose snapshot is far larger than a pipe's buffer (64 KiB), so the writer is
/// still writing when the reader goes.
async fn large_db() -> common::TestDb {
    common::db_with(
        "pipe_large",
        "DO $$ BEGIN FOR i IN 1..200 LOOP \
           EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text NOT NULL, \
             created timestamptz DEFAULT now(), note varchar(40), amount numeric(10,2))', i); \
         END LOOP; END $$;",
    )
    .await
}

#[tokio::test]
async fn snapshot_into_a_pipe_closed_after_100_bytes_exits_0() {
    let db = large_db().await;
    let mut child = pgdrift()
        .args(["snapshot", "--url", &db.url()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("the first 100 bytes");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code_without_panic(&out), Some(0));
    assert!(String::from_utf8_lossy(&first).starts_with('{'));
}

#[tokio::test]
async fn snapshot_and_history_into_a_closed_pipe_exit_0_and_store_the_snapshot() {
    let db = large_db().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("history");

    let mut cmd = pgdrift();
    cmd.args(["snapshot", "--url", &db.url()]);
    let out = with_stdout_closed(cmd);
    assert_eq!(code_without_panic(&out), Some(0));

    // `pgdrift history` of a folder with nothing in it yet.
    std::fs::create_dir(&history).expect("history dir");
    let mut cmd = pgdrift();
    cmd.arg("history").arg(&history);
    assert_eq!(code_without_panic(&with_stdout_closed(cmd)), Some(0));

    // With both streams closed the snapshot is still stored ("stored ..." goes nowhere).
    let mut cmd = pgdrift();
    cmd.args(["snapshot", "--url", &db.url(), "--history"])
        .arg(&history);
    assert_eq!(with_both_closed(cmd), Some(0));
    let stored_at = std::time::SystemTime::now();
    db.exec("CREATE TABLE extra (id int)").await;
    // History file names are stamped to the second.
    common::wait_for_the_next_second(stored_at);
    let mut cmd = pgdrift();
    cmd.args(["snapshot", "--url", &db.url(), "--history"])
        .arg(&history);
    assert_eq!(code_without_panic(&with_stdout_closed(cmd)), Some(0));
    let stored = std::fs::read_dir(&history).expect("history").count();
    assert_eq!(stored, 2, "two versions in the history");

    let mut cmd = pgdrift();
    cmd.arg("history").arg(&history);
    assert_eq!(code_without_panic(&with_stdout_closed(cmd)), Some(0));
    // An error (a bad --since) still exits 2 with stdout closed.
    let mut cmd = pgdrift();
    cmd.arg("history")
        .arg(&history)
        .args(["--since", "yesterday"]);
    let out = with_stdout_closed(cmd);
    assert_eq!(code_without_panic(&out), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since takes a date"));
}

#[test]
fn a_full_disk_on_stdout_is_said_once_on_stderr_and_does_not_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = pgdrift()
        .arg("rules")
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run pgdrift");
    assert_eq!(code_without_panic(&out), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not a closed pipe: the output is lost, so the run says so, once.
    assert_eq!(
        stderr.matches("cannot write to standard output").count(),
        1,
        "{stderr}"
    );
}

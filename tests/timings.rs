//! `--timings`: the stages of a run on standard error, and nothing else changed.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn snapshot(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/snapshots")
        .join(name)
}

fn diff(extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .arg("diff")
        .arg(snapshot("expected.snapshot.json"))
        .arg(snapshot("production.snapshot.json"))
        .args(extra);
    cmd.output().expect("run pgdrift")
}

#[test]
fn timings_name_every_stage_on_stderr_and_change_nothing_else() {
    let plain = diff(&[]);
    let timed = diff(&["--timings"]);
    assert_eq!(timed.status.code(), plain.status.code());
    assert_eq!(
        String::from_utf8_lossy(&timed.stdout),
        String::from_utf8_lossy(&plain.stdout),
        "standard output is the same with --timings"
    );
    assert!(
        !String::from_utf8_lossy(&plain.stderr).contains("timings"),
        "no timings unless asked"
    );
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let block = stderr
        .split_once("pgdrift: timings")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no timings on stderr:\n{stderr}"));
    let stages: Vec<&str> = block
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  ") && l.ends_with(" s"))
        .map(|l| {
            let l = l.trim().trim_end_matches(" s");
            let (name, secs) = l.rsplit_once(' ').expect("name and seconds");
            secs.trim()
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("seconds in {l:?}"));
            name.trim()
        })
        .collect();
    for want in [
        "read expected (snapshot)",
        "read actual (snapshot)",
        "normalize",
        "diff",
        "judge",
        "report",
    ] {
        assert!(stages.contains(&want), "no `{want}` in {stages:?}");
    }
    assert_eq!(stages.last(), Some(&"total"), "{stages:?}");
    let position = |name: &str| stages.iter().position(|s| *s == name);
    assert!(
        position("normalize") < position("diff") && position("diff") < position("report"),
        "in the order of the flow: {stages:?}"
    );
}

/// SQL files on the throwaway cluster: starting it, creating each scratch database, loading
/// and reading each side are stages of their own, in the order of the flow.
#[test]
fn sql_file_targets_show_the_cluster_start_and_each_step() {
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .arg("diff")
        .arg(quickstart.join("expected.sql"))
        .arg(quickstart.join("actual.sql"))
        .arg("--timings")
        .output()
        .expect("run pgdrift");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let at = |stage: &str| {
        stderr
            .find(&format!("  {stage} "))
            .unwrap_or_else(|| panic!("no stage `{stage}` in {stderr}"))
    };
    let start = at("start the throwaway cluster");
    for side in ["expected", "actual"] {
        let create = at(&format!("create the scratch database {side}"));
        let load = at(&format!("load {side}"));
        let read = at(&format!("read {side}"));
        assert!(start < create && create < load && load < read, "{stderr}");
    }
}

//! A report that cannot be written whole leaves the one that was there: the binary writes with
//! a file size limit (`RLIMIT_FSIZE`) below the report's size, so the write fails midway — as on
//! a full disk — and the old report must still be there, byte for byte, with no temporary file
//! beside it. Writing in place would leave a truncated, half-written report.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

fn pgdrift() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("pgdrift"));
    cmd.env("NO_COLOR", "1").env_remove("GITHUB_ACTIONS");
    cmd
}

fn policy() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snapshots/schema-policy.toml")
}

#[test]
fn a_write_that_fails_midway_leaves_the_old_report_whole() {
    // How large the report is: written once without a limit.
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = dir.path().join("sample.html");
    let out = pgdrift()
        .args(["check", "--annotations", "none", "--policy"])
        .arg(policy())
        .arg("--html")
        .arg(&sample)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let size = std::fs::metadata(&sample).expect("report").len();
    assert!(
        size > 8192,
        "the report is large enough to cut: {size} bytes"
    );
    std::fs::remove_file(&sample).unwrap();

    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let path = reports.join("pgdrift.html");
    let old = "<!doctype html><p>the report of the last run</p>\n".repeat(400);
    std::fs::write(&path, &old).unwrap();
    let limit = size / 2;
    let mut cmd = pgdrift();
    cmd.args(["check", "--annotations", "none", "--policy"])
        .arg(policy())
        .arg("--html")
        .arg(&path);
    // SAFETY: setrlimit and signal are async-signal-safe; nothing else runs between fork and
    // exec. SIGXFSZ ignored so that the write fails with EFBIG instead of killing the process
    // (pgdrift may install its own handler; either way the write fails).
    unsafe {
        cmd.pre_exec(move || {
            let rl = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rl) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a report not written: exit 2\n{stderr}"
    );
    assert!(
        stderr.contains("pgdrift.html"),
        "the error names the report:\n{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("the old report is still there"),
        old,
        "the old report changed"
    );
    let names: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["pgdrift.html"], "a temporary file was left behind");
}

//! The binary end to end: exit codes 0, 1 and 2, the terminal summary and the JSON report, on
//! real PostgreSQL (SQL-file targets on a throwaway cluster, live targets on the test server).

mod common;
mod report_support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn pgdrift() -> Command {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("PGPASSWORD");
    cmd
}

fn quickstart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

#[test]
fn quickstart_finds_the_drift_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("report.json");
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(quickstart().join("schema-policy.toml"))
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("check production matches migrations"),
        "{stdout}"
    );
    assert!(stdout.contains("policy violated"), "{stdout}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["status"], "violations");
    let got = report_support::findings(&report);
    let want: Vec<(String, String)> = [
        ("column.extra", "public.customers.legacy_code"),
        ("column.type", "public.orders.total"),
        ("comment.mismatch", "public.customers"),
        (
            "constraint.missing",
            "public.products.products_price_positive",
        ),
        ("grant.extra", "public.customers"),
        ("grant.extra", "public.order_items"),
        ("grant.extra", "public.orders"),
        ("index.missing", "public.orders_customer_created_idx"),
        ("trigger.definition", "public.products.products_touch"),
        ("type.definition", "public.order_status"),
        ("view.definition", "public.customer_revenue"),
    ]
    .iter()
    .map(|(r, o)| (r.to_string(), o.to_string()))
    .collect();
    assert_eq!(got, want, "{report:#}");

    let check = &report["checks"][0];
    assert_eq!(check["name"], "production matches migrations");
    assert_eq!(check["expected"], "migrations");
    assert_eq!(check["actual"], "production");
    assert_eq!(check["status"], "drift");
    let total = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "column.type")
        .expect("column.type finding");
    assert_eq!(total["severity"], "error");
    assert_eq!(total["kind"], "column");
    assert_eq!(total["expected"], "numeric(12,2)");
    assert_eq!(total["actual"], "numeric(10,2)");
    assert_eq!(total["check"], "production matches migrations");
    assert!(total["message"].as_str().is_some_and(|m| !m.is_empty()));
    // Exactly the quickstart's objects: none of them depends on the server's version.
    assert_eq!(check["objects_compared"].as_u64().expect("count"), 11);
}

#[test]
fn same_schema_on_both_sides_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = quickstart().join("expected.sql");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.a]\nsql = {:?}\n[targets.b]\nsql = {:?}\n[[check]]\nexpected = \"a\"\nactual = \"b\"\n",
            expected.display().to_string(),
            expected.display().to_string()
        ),
    );
    let json = dir.path().join("r.json");
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("no drift"), "{stdout}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    assert_eq!(report["status"], "clean");
    assert!(report_support::findings(&report).is_empty());
}

#[tokio::test]
async fn live_databases_compare_and_sql_errors_point_at_the_line() {
    let a = common::db_with("cli_a", "CREATE TABLE t (id int PRIMARY KEY, note text);").await;
    let b = common::db_with("cli_b", "CREATE TABLE t (id bigint PRIMARY KEY);").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.a]\nurl = \"{}\"\n[targets.b]\nurl = \"${{B_URL}}\"\n\
             [[check]]\nname = \"live\"\nexpected = \"a\"\nactual = \"b\"\n",
            a.url()
        ),
    );
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .args(["--json", "-"])
        .env("B_URL", b.url())
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With the report on stdout, the summary moves to stderr.
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_eq!(
        report_support::findings(&report),
        vec![
            ("column.missing".to_string(), "public.t.note".to_string()),
            ("column.type".to_string(), "public.t.id".to_string()),
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("policy violated"));

    // A broken migration: exit 2, file and line of the failing statement.
    let bad = write(
        dir.path(),
        "001_bad.sql",
        "CREATE TABLE ok (id int);\n\nCREATE TABLE broken (\n  id int REFERENCES nowhere (id)\n);\n",
    );
    let policy = write(
        dir.path(),
        "bad.toml",
        &format!(
            "[targets.a]\nurl = \"{}\"\n[targets.m]\nsql = \"001_bad.sql\"\nscratch_url = \"{}\"\n\
             [[check]]\nexpected = \"m\"\nactual = \"a\"\n",
            a.url(),
            common::url("postgres")
        ),
    );
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    // The server gives no position for this error: the statement start is shown.
    let shown = format!("{}:3:1:", bad.display());
    assert!(stdout.contains(&shown), "expected {shown} in:\n{stdout}");
    assert!(
        stdout.contains("relation \"nowhere\" does not exist"),
        "{stdout}"
    );
}

#[test]
fn policy_errors_exit_2_with_locations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "p.toml",
        "[targets.a]\nurl = \"${PGDRIFT_SURELY_UNSET}\"\n[targets.b]\nurl = \"postgres://x/y\"\n\
         colour = \"red\"\n[[check]]\nexpected = \"a\"\nactual = \"b\"\n",
    );
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("p.toml:5:1:") && stderr.contains("colour"),
        "{stderr}"
    );

    let policy = write(
        dir.path(),
        "q.toml",
        "[targets.a]\nurl = \"${PGDRIFT_SURELY_UNSET}\"\n[[check]]\nexpected = \"a\"\nactual = \"a\"\n",
    );
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("q.toml:2:7:") && stderr.contains("PGDRIFT_SURELY_UNSET"),
        "{stderr}"
    );

    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_database_exits_2_without_leaking_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A port nothing listens on, held so that no parallel test's cluster takes it.
    let held = common::HeldPort::new();
    let port = held.port();
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.prod]\nurl = \"postgresql://ci:Sup3rSecret@127.0.0.1:{port}/app?sslmode=disable\"\n\
             [targets.other]\nurl = \"postgresql://ci:Sup3rSecret@127.0.0.1:{port}/app2?sslmode=disable\"\n\
             [[check]]\nexpected = \"prod\"\nactual = \"other\"\n"
        ),
    );
    let json = dir.path().join("r.json");
    let out = pgdrift()
        .args(["check", "--policy"])
        .arg(&policy)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("prod") && all.contains("127.0.0.1"), "{all}");
    assert!(!all.contains("Sup3rSecret"), "password leaked:\n{all}");
    let report = std::fs::read_to_string(&json).expect("report written even when a check fails");
    assert!(
        !report.contains("Sup3rSecret"),
        "password leaked into the report"
    );
    let report: Value = serde_json::from_str(&report).expect("json");
    assert_eq!(report["status"], "incomplete");
    assert_eq!(report["checks"][0]["status"], "error");
}

/// Generated passwords hold URL delimiters. Whether a URL with one parses (and the connection
/// then fails) or cannot be parsed, no piece of the password reaches the terminal, an
/// annotation, `--timings` or any of the seven reports; written into the policy or through
/// `${VAR}`, raw or percent-encoded, and on the command line of diff, snapshot and plan.
#[test]
fn url_passwords_with_delimiters_leak_no_piece_anywhere() {
    const HEAD: &str = "Hq7pw";
    const TAIL: &str = "Tz4pw";
    let dir = tempfile::tempdir().expect("tempdir");
    // Held so that no parallel test's cluster takes it.
    let held = common::HeldPort::new();
    let port = held.port();
    let mut urls = Vec::new();
    for delimiter in [
        "/", "?", "#", "@", ":", "[", "]", ",", "&", "=", " ", "%", "/x@", "@/",
    ] {
        let encoded: String = delimiter.bytes().map(|b| format!("%{b:02X}")).collect();
        for piece in [delimiter.to_string(), encoded] {
            for head in [HEAD, "8080"] {
                urls.push(format!(
                    "postgresql://ci:{head}{piece}{TAIL}@127.0.0.1:{port}/app?sslmode=disable"
                ));
            }
        }
    }
    urls.push(format!("postgresql://user:8080/{TAIL}@127.0.0.1:{port}/db"));
    let mut policy = String::new();
    let mut envs = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        if i % 2 == 0 {
            policy.push_str(&format!("[targets.t{i}]\nurl = '{url}'\n"));
        } else {
            policy.push_str(&format!("[targets.t{i}]\nurl = '${{DB_URL_{i}}}'\n"));
            envs.push((format!("DB_URL_{i}"), url.clone()));
        }
    }
    for i in 1..urls.len() {
        policy.push_str(&format!(
            "[[check]]\nname = \"c{i}\"\nexpected = \"t{}\"\nactual = \"t{i}\"\n",
            i - 1
        ));
    }
    let policy = write(dir.path(), "p.toml", &policy);
    let reports = dir.path().join("reports");
    let mut outputs = Vec::new();
    let mut run = |args: &[&OsStr]| {
        let mut cmd = pgdrift();
        cmd.env("GITHUB_ACTIONS", "true").args(args);
        for (k, v) in &envs {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(text.clone());
        (out.status.code(), text)
    };
    let os = OsStr::new;
    let (code, text) = run(&[
        os("check"),
        os("--policy"),
        policy.as_os_str(),
        os("--output-dir"),
        reports.as_os_str(),
        os("--annotations"),
        os("github"),
        os("--timings"),
    ]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("percent-encode"), "says what to do:\n{text}");
    assert!(
        text.contains("::error"),
        "annotations were printed:\n{text}"
    );
    let snapshot = dir.path().join("s.json");
    for url in urls.iter().step_by(3) {
        let (code, text) = run(&[os("diff"), os(url), os(url), os("--timings")]);
        assert_eq!(code, Some(2), "{text}");
        let (code, text) = run(&[
            os("snapshot"),
            os("--url"),
            os(url),
            os("-o"),
            snapshot.as_os_str(),
        ]);
        assert_eq!(code, Some(2), "{text}");
        let (code, text) = run(&[os("plan"), os(url), os(url)]);
        assert_eq!(code, Some(2), "{text}");
    }
    let files: Vec<PathBuf> = std::fs::read_dir(&reports)
        .expect("reports written")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 7, "{files:?}");
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.display().to_string(),
                std::fs::read_to_string(f).expect("read report"),
            )
        })
        .collect();
    texts.extend(outputs.into_iter().map(|o| ("output".to_string(), o)));
    for (name, text) in &texts {
        for piece in [HEAD, TAIL] {
            assert!(
                !text.contains(piece),
                "a piece of a password leaked into {name}:\n{text}"
            );
        }
    }
    assert!(!snapshot.exists(), "no snapshot from a failed read");
}

#[test]
fn read_timeout_takes_a_postgresql_duration() {
    for bad in ["75", "soon", "-1s"] {
        let out = pgdrift()
            .arg("check")
            .arg(format!("--read-timeout={bad}"))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("read_timeout `{bad}` is not a duration"))
                && stderr.contains("\"75s\""),
            "{stderr}"
        );
    }
}

#[test]
fn rules_lists_and_explains() {
    let out = pgdrift().arg("rules").output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for id in [
        "column.type",
        "index.missing",
        "grant.extra",
        "owner.mismatch",
    ] {
        assert!(stdout.contains(id), "{id} missing from:\n{stdout}");
    }
    let out = pgdrift()
        .args(["rules", "column.default"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("default expression"));
    let out = pgdrift()
        .args(["rules", "column.nope"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

// A subscription's connection string can hold a password: pgdrift never reads it, so it reaches
// no finding, report, snapshot or plan (the subscription is compared by name and publications).
#[tokio::test]
async fn a_subscriptions_connection_string_reaches_no_output() {
    const SECRET: &str = "sekrit-in-conninfo";
    let conninfo = format!("host=127.0.0.1 dbname=upstream password={SECRET}");
    let a = common::db_with(
        "cli_sub_a",
        &format!(
            "CREATE PUBLICATION p; \
             CREATE SUBSCRIPTION s CONNECTION '{conninfo}' PUBLICATION p WITH (connect = false); \
             COMMENT ON SUBSCRIPTION s IS 'feed';"
        ),
    )
    .await;
    let b = common::db_with(
        "cli_sub_b",
        &format!(
            "CREATE SUBSCRIPTION s CONNECTION '{conninfo}' PUBLICATION p, q WITH (connect = false); \
             CREATE SUBSCRIPTION t CONNECTION '{conninfo}' PUBLICATION p WITH (connect = false);"
        ),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let snapshot = dir.path().join("a.snapshot.json");
    let plan = dir.path().join("plan.sql");
    let (ua, ub) = (a.url(), b.url());
    let mut outputs = Vec::new();
    let mut run = |args: &[&std::ffi::OsStr]| {
        let out = pgdrift().args(args).output().expect("run");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(text.clone());
        (out, text)
    };
    let (ea, eb) = (std::ffi::OsStr::new(&ua), std::ffi::OsStr::new(&ub));
    let os = std::ffi::OsStr::new;
    let (diff, text) = run(&[os("diff"), ea, eb, os("--json"), os("-")]);
    assert_eq!(diff.status.code(), Some(1), "{text}");
    let report: Value = serde_json::from_slice(&diff.stdout).expect("stdout is the JSON report");
    let found = report_support::findings(&report);
    for (rule, object) in [
        ("publication.missing", "p"),
        ("subscription.definition", "s"),
        ("subscription.extra", "t"),
    ] {
        assert!(
            found.contains(&(rule.to_string(), object.to_string())),
            "{rule} {object} not in {found:?}"
        );
    }
    let (all, text) = run(&[os("diff"), ea, eb, os("--output-dir"), reports.as_os_str()]);
    assert_eq!(all.status.code(), Some(1), "{text}");
    let (snap, text) = run(&[
        os("snapshot"),
        os("--url"),
        ea,
        os("-o"),
        snapshot.as_os_str(),
    ]);
    assert_eq!(snap.status.code(), Some(0), "{text}");
    let (planned, text) = run(&[os("plan"), ea, eb, os("-o"), plan.as_os_str()]);
    assert_eq!(planned.status.code(), Some(1), "{text}");
    let (json_plan, text) = run(&[os("plan"), ea, eb, os("--json")]);
    assert_eq!(json_plan.status.code(), Some(1), "{text}");

    let mut files: Vec<PathBuf> = std::fs::read_dir(&reports)
        .expect("reports written")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(
        files.len(),
        7,
        "the seven reports of --output-dir: {files:?}"
    );
    files.extend([snapshot.clone(), plan.clone()]);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read output");
        assert!(
            !text.contains(SECRET),
            "password leaked into {}",
            file.display()
        );
    }
    for out in &outputs {
        assert!(!out.contains(SECRET), "password leaked:\n{out}");
    }
    // The subscription is there all the same, and the plan says why it cannot make one.
    let snap = std::fs::read_to_string(&snapshot).expect("snapshot");
    assert!(
        snap.contains("CREATE SUBSCRIPTION s CONNECTION '...' PUBLICATION p"),
        "{snap}"
    );
    let plan = std::fs::read_to_string(&plan).expect("plan");
    assert!(plan.contains("create it by hand"), "{plan}");
}

/// No password from a user mapping reaches any output: the terminal, every report format,
/// annotations, a snapshot, a plan (its script, JSON and down script). User mappings are read
/// by role and server only. (A foreign server's options are compared and shown like any
/// definition: they should hold no secrets.)
#[tokio::test]
async fn no_user_mapping_password_reaches_any_output() {
    const SECRETS: [&str; 3] = ["sekrit-um-pass", "sekrit-um-public", "sekrit-um-other"];
    common::ensure_roles(&["cli_fdw_role"]).await;
    let a = common::db_with(
        "cli_fdw_a",
        "CREATE FOREIGN DATA WRAPPER w; \
         CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'h', password 'sekrit-server-opt'); \
         CREATE USER MAPPING FOR current_user SERVER s OPTIONS (user 'u', password 'sekrit-um-pass'); \
         CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (password 'sekrit-um-public'); \
         CREATE FOREIGN TABLE ft (a int) SERVER s;",
    )
    .await;
    let b = common::db_with(
        "cli_fdw_b",
        "CREATE FOREIGN DATA WRAPPER w; \
         CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'h2'); \
         CREATE USER MAPPING FOR current_user SERVER s OPTIONS (user 'v', password 'sekrit-um-other'); \
         CREATE USER MAPPING FOR cli_fdw_role SERVER s OPTIONS (password 'sekrit-um-other');",
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut outputs: Vec<(String, String)> = Vec::new();
    fn run(outputs: &mut Vec<(String, String)>, what: &str, code: i32, args: &[&OsStr]) {
        let out = pgdrift()
            .args(args)
            .env("GITHUB_ACTIONS", "true")
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(code), "{what}:\n{stdout}\n{stderr}");
        outputs.push((format!("{what} stdout"), stdout));
        outputs.push((format!("{what} stderr"), stderr));
    }
    let (ua, ub) = (a.url(), b.url());
    fn os(s: &str) -> &OsStr {
        OsStr::new(s)
    }
    let reports = dir.path().join("reports");
    run(
        &mut outputs,
        "diff",
        1,
        &[
            os("diff"),
            os(&ua),
            os(&ub),
            os("--output-dir"),
            reports.as_os_str(),
        ],
    );
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.a]\nurl = \"{ua}\"\n[targets.b]\nurl = \"{ub}\"\n\
             [[check]]\nname = \"fdw\"\nexpected = \"a\"\nactual = \"b\"\n"
        ),
    );
    let check_reports = dir.path().join("check-reports");
    run(
        &mut outputs,
        "check",
        1,
        &[
            os("check"),
            os("--policy"),
            policy.as_os_str(),
            os("--output-dir"),
            check_reports.as_os_str(),
        ],
    );
    let snapshot = dir.path().join("snapshot.json");
    run(
        &mut outputs,
        "snapshot",
        0,
        &[
            os("snapshot"),
            os("--url"),
            os(&ua),
            os("-o"),
            snapshot.as_os_str(),
        ],
    );
    let down = dir.path().join("down.sql");
    run(
        &mut outputs,
        "plan",
        1,
        &[
            os("plan"),
            os(&ua),
            os(&ub),
            os("--allow-destructive"),
            os("--down"),
            down.as_os_str(),
        ],
    );
    run(
        &mut outputs,
        "plan --json",
        1,
        &[os("plan"), os(&ua), os(&ub), os("--json")],
    );
    for folder in [&reports, &check_reports] {
        let entries: Vec<_> = std::fs::read_dir(folder)
            .expect("reports written")
            .collect();
        assert_eq!(
            entries.len(),
            7,
            "the seven reports of --output-dir: {entries:?}"
        );
        for entry in entries {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("report");
            outputs.push((path.display().to_string(), text));
        }
    }
    for path in [&snapshot, &down] {
        let text = std::fs::read_to_string(path).expect("written");
        outputs.push((path.display().to_string(), text));
    }
    // The mappings are there, by role and server; the server's options are its definition
    // (so what is searched is the real output).
    assert!(
        all_contain_server_option(&outputs),
        "the server's options are not shown"
    );
    let all: String = outputs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("user_mapping.missing"), "{all}");
    assert!(all.contains("user_mapping.extra"), "{all}");
    assert!(
        all.contains("CREATE USER MAPPING FOR public SERVER s;"),
        "{all}"
    );
    for (what, text) in &outputs {
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{secret} leaked into {what}:\n{text}"
            );
        }
    }
}

/// Whether the terminal output, the JSON report and the snapshot show the server's options.
fn all_contain_server_option(outputs: &[(String, String)]) -> bool {
    ["diff stdout", "pgdrift.json", "snapshot.json"]
        .iter()
        .all(|what| {
            (outputs.iter())
                .any(|(name, text)| name.ends_with(what) && text.contains("sekrit-server-opt"))
        })
}

/// Files whose load needs a session setting (a default that reads a custom setting, evaluated
/// by an INSERT of seed rows) fail without it, with the file and line, and load with it given
/// as libpq's clients take it: `PGOPTIONS`, on the throwaway cluster.
#[test]
fn sql_files_get_session_settings_from_pgoptions() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "0001.sql",
        "CREATE TABLE policies (id int PRIMARY KEY,\n  tenant_id int NOT NULL DEFAULT \
         current_setting('app.current_tenant')::int);\nINSERT INTO policies (id) VALUES (1);\n",
    );
    let out = dir.path().join("s.json");
    let snapshot = |options: Option<&str>| {
        let mut cmd = pgdrift();
        cmd.current_dir(dir.path())
            .env_remove("PGOPTIONS")
            .args(["snapshot", "--sql", "0001.sql", "--no-timestamp", "-o"])
            .arg(&out);
        if let Some(options) = options {
            cmd.env("PGOPTIONS", options);
        }
        cmd.output().expect("runs")
    };
    let without = snapshot(None);
    let stderr = String::from_utf8_lossy(&without.stderr);
    assert_eq!(without.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("0001.sql:3") && stderr.contains("app.current_tenant"),
        "{stderr}"
    );
    let with = snapshot(Some("-c app.current_tenant=7"));
    assert_eq!(
        with.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("snapshot");
    assert!(
        text.contains("current_setting('app.current_tenant'"),
        "{text}"
    );
}

/// `docs/rules.md` is what `pgdrift rules --markdown` prints (regenerate it with that command).
#[test]
fn the_rule_reference_in_docs_is_what_the_binary_prints() {
    let out = pgdrift()
        .args(["rules", "--markdown"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"))
            .expect("docs/rules.md");
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "docs/rules.md is out of date: run `pgdrift rules --markdown > docs/rules.md`"
    );
}

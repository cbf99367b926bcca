//! Fleets: databases by list and pattern, tenant schemas against a template, failure
//! isolation, stable shards, and `pgdrift merge` of shard results.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const APP: &str = "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2));\n\
                   CREATE INDEX orders_total_idx ON orders (total);";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// (check name, actual target, status, rules) per check of a JSON report, sorted.
fn checks(report: &Value) -> Vec<(String, String, String, Vec<String>)> {
    let mut out: Vec<_> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["actual"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
                c["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn databases_by_pattern_with_failures_isolated() {
    let template = common::db_with("fleetdb_template", APP).await;
    // Three databases of the fleet, one drifted; names share a prefix unique to this run.
    let prefix = format!("fleet_{}", std::process::id());
    let admin = common::connect("postgres").await;
    for (suffix, extra) in [("a", ""), ("b", "DROP INDEX orders_total_idx;"), ("c", "")] {
        let name = format!("{prefix}_{suffix}");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create");
        let db = common::TestDb { name };
        db.exec(&format!("{APP}\n{extra}")).await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.template]\nurl = \"{}\"\n\
             [targets.fleet]\nurl = \"{}\"\ndatabases = \"{prefix}_*\"\n\
             [targets.listed]\nurl = \"{}\"\ndatabases = [\"{prefix}_a\", \"{prefix}_gone\"]\n\
             [[check]]\nname = \"fleet\"\nexpected = \"template\"\nactual = [\"fleet\", \"listed\"]\n",
            template.url(),
            common::url("postgres"),
            common::url("postgres"),
        ),
    );
    let json = dir.path().join("r.json");
    let (code, out, err) = run(&[
        "check",
        "--policy",
        s(&policy),
        "--json",
        s(&json),
        "--jobs",
        "2",
    ]);
    assert_eq!(
        code, 2,
        "a database that does not exist makes the run incomplete:\n{out}{err}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    let got = checks(&report);
    let want = vec![
        (
            format!("fleet [fleet/{prefix}_a]"),
            format!("fleet/{prefix}_a"),
            "clean".into(),
            vec![],
        ),
        (
            format!("fleet [fleet/{prefix}_b]"),
            format!("fleet/{prefix}_b"),
            "drift".into(),
            vec!["index.missing".to_string()],
        ),
        (
            format!("fleet [fleet/{prefix}_c]"),
            format!("fleet/{prefix}_c"),
            "clean".into(),
            vec![],
        ),
        (
            format!("fleet [listed/{prefix}_a]"),
            format!("listed/{prefix}_a"),
            "clean".into(),
            vec![],
        ),
        (
            format!("fleet [listed/{prefix}_gone]"),
            format!("listed/{prefix}_gone"),
            "error".into(),
            vec![],
        ),
    ];
    assert_eq!(got, want);
    // Progress lines in a log (not a terminal), and the fleet block in the summary.
    assert!(err.contains("pgdrift: fleet: 5/5"), "{err}");
    assert!(
        out.contains("fleet fleet (5 targets, 1 drifted, 1 could not run)"),
        "{out}"
    );
    assert!(
        out.contains("1 target ") && out.contains("index.missing"),
        "{out}"
    );
    assert!(out.contains("does not exist"), "{out}");
}

#[tokio::test]
async fn wrong_password_on_one_target_does_not_stop_the_others() {
    use pgdrift::source::cluster::{Cluster, ClusterOptions};
    let template = common::db_with("fleetpw_template", APP).await;
    let good = common::db_with("fleetpw_good", APP).await;
    let locked = tokio::task::spawn_blocking(|| {
        Cluster::start_with(&ClusterOptions {
            hba_lines: vec!["host all pw_user 127.0.0.1/32 scram-sha-256".into()],
            ..Default::default()
        })
    })
    .await
    .expect("join")
    .expect("cluster");
    let (client, conn) = tokio_postgres::connect(&locked.url("postgres"), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
        .batch_execute("SET password_encryption = 'scram-sha-256'; CREATE ROLE pw_user LOGIN PASSWORD 'right-one'")
        .await
        .expect("role");
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.template]\nurl = \"{}\"\n[targets.good]\nurl = \"{}\"\n\
             [targets.locked]\nurl = \"postgresql://pw_user:Wrong-Secret@127.0.0.1:{}/postgres?sslmode=disable\"\n\
             [[check]]\nname = \"fleet\"\nexpected = \"template\"\nactual = [\"good\", \"locked\"]\n",
            template.url(),
            good.url(),
            locked.port()
        ),
    );
    let (code, out, err) = run(&["check", "--policy", s(&policy), "--json", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(!out.contains("Wrong-Secret") && !err.contains("Wrong-Secret"));
    let report: Value = serde_json::from_str(&out).expect("json");
    let got: Vec<(String, String)> = checks(&report).into_iter().map(|c| (c.1, c.2)).collect();
    assert_eq!(
        got,
        vec![
            ("good".to_string(), "clean".to_string()),
            ("locked".into(), "error".into())
        ]
    );
    assert!(report.to_string().contains("password"), "{report}");
    drop(client);
    tokio::task::spawn_blocking(move || drop(locked))
        .await
        .expect("stop");
}

#[tokio::test]
async fn tenant_schemas_against_a_template_and_shards_merge_into_one_run() {
    let tenant = |schema: &str| {
        format!(
            "CREATE SCHEMA {schema};
             CREATE TABLE {schema}.orders (id int PRIMARY KEY, total numeric(10,2));
             CREATE INDEX orders_total_idx ON {schema}.orders (total);
             CREATE VIEW {schema}.big AS SELECT id FROM {schema}.orders WHERE total > 100;"
        )
    };
    let template = common::db_with("tenant_tpl", &tenant("tenant_template")).await;
    let mut sql = String::new();
    for i in 1..=12 {
        sql.push_str(&tenant(&format!("tenant_{i:03}")));
        sql.push('\n');
    }
    // Two tenants miss the index; one has an extra column.
    sql.push_str(
        "DROP INDEX tenant_003.orders_total_idx; DROP INDEX tenant_007.orders_total_idx;\n",
    );
    sql.push_str("ALTER TABLE tenant_011.orders ADD COLUMN note text;\n");
    let tenants = common::db_with("tenant_all", &sql).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!(
            "[targets.template]\nurl = \"{}\"\nschemas = [\"tenant_template\"]\n\
             [targets.tenants]\nurl = \"{}\"\nschemas = \"tenant_0*\"\n\
             [[check]]\nname = \"tenants\"\nexpected = \"template\"\nactual = \"tenants\"\n",
            template.url(),
            tenants.url()
        ),
    );
    let whole = dir.path().join("whole.json");
    let (code, out, err) = run(&["check", "--policy", s(&policy), "--json", s(&whole)]);
    assert_eq!(code, 1, "{out}{err}");
    let whole_report: Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).expect("read")).expect("json");
    let all = checks(&whole_report);
    assert_eq!(all.len(), 12);
    let drifted: Vec<(String, Vec<String>)> = all
        .iter()
        .filter(|c| !c.3.is_empty())
        .map(|c| (c.1.clone(), c.3.clone()))
        .collect();
    assert_eq!(
        drifted,
        vec![
            (
                "tenants/tenant_003".to_string(),
                vec!["index.missing".to_string()]
            ),
            ("tenants/tenant_007".into(), vec!["index.missing".into()]),
            ("tenants/tenant_011".into(), vec!["column.extra".into()]),
        ]
    );
    assert!(
        out.contains("2 targets") && out.contains("index.missing"),
        "{out}"
    );
    assert!(out.contains("9 targets without drift"), "{out}");

    // Three shards: every tenant in exactly one, and merged they are the whole run.
    let mut shard_files = Vec::new();
    let mut seen = Vec::new();
    for i in 1..=3 {
        let path = dir.path().join(format!("shard{i}.json"));
        let shard = format!("{i}/3");
        let (code, out, err) = run(&[
            "check",
            "--policy",
            s(&policy),
            "--shard",
            &shard,
            "--json",
            s(&path),
        ]);
        assert!(code == 0 || code == 1, "{out}{err}");
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        seen.extend(checks(&report).into_iter().map(|c| c.1));
        shard_files.push(path);
    }
    seen.sort();
    let mut expected_names: Vec<String> = all.iter().map(|c| c.1.clone()).collect();
    expected_names.sort();
    assert_eq!(seen, expected_names, "each tenant in exactly one shard");

    let merged = dir.path().join("merged.json");
    let junit = dir.path().join("merged.xml");
    let mut args = vec!["merge"];
    args.extend(shard_files.iter().map(|p| s(p)));
    args.extend(["--json", s(&merged), "--junit", s(&junit)]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "{out}{err}");
    let merged_report: Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).expect("read")).expect("json");
    assert_eq!(checks(&merged_report), all);
    assert_eq!(merged_report["summary"], whole_report["summary"]);
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert_eq!(xml.matches("<testsuite ").count(), 12, "{xml}");
}

/// A fleet of snapshot targets (no server): `name` is clean, drifted or unreadable by its
/// number, so the shards hold every status.
fn snapshot_fleet(dir: &Path, file: &str, names: &[String]) -> PathBuf {
    // A file that exists (the policy checks that) but is no snapshot: an error when read.
    write(dir, "broken.snapshot.json", "{\"format_version\": 3}");
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snapshots");
    let mut policy = format!(
        "[targets.migrations]\nsnapshot = '{}'\n",
        snapshots.join("expected.snapshot.json").display()
    );
    for name in names {
        let n: usize = name.trim_start_matches("shop_").parse().expect("numbered");
        let snapshot = match n % 5 {
            0 => snapshots.join("production.snapshot.json"),
            3 => dir.join("broken.snapshot.json"),
            _ => snapshots.join("expected.snapshot.json"),
        };
        policy.push_str(&format!(
            "[targets.{name}]\nsnapshot = '{}'\n",
            snapshot.display()
        ));
    }
    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    policy.push_str(&format!(
        "[[check]]\nname = \"shops\"\nexpected = \"migrations\"\nactual = [{}]\n",
        list.join(", ")
    ));
    write(dir, file, &policy)
}

/// Run every shard of `policy`: each target's shard (1-based), and the shards' JSON files.
fn shard_runs(
    dir: &Path,
    policy: &Path,
    shards: usize,
) -> (std::collections::BTreeMap<String, usize>, Vec<PathBuf>) {
    let mut placed = std::collections::BTreeMap::new();
    let mut files = Vec::new();
    for i in 1..=shards {
        let path = dir.join(format!(
            "{}.shard{i}.json",
            policy.file_stem().unwrap().to_string_lossy()
        ));
        let shard = format!("{i}/{shards}");
        let (code, out, err) = run(&[
            "check",
            "--policy",
            s(policy),
            "--shard",
            &shard,
            "--json",
            s(&path),
        ]);
        assert!((0..=2).contains(&code), "{out}{err}");
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        for (_, target, _, _) in checks(&report) {
            if let Some(other) = placed.insert(target.clone(), i) {
                panic!("{target} in shard {other} and in shard {i}");
            }
        }
        files.push(path);
    }
    (placed, files)
}

/// Shards stay put as the fleet grows and shrinks: every target that is in both fleets runs in
/// the same shard before and after; and the shards merged are the unsharded run, finding for
/// finding and status for status.
#[test]
fn shards_stay_put_as_the_fleet_changes_and_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = |n: usize| format!("shop_{n:03}");
    let before: Vec<String> = (1..=20).map(name).collect();
    // Five leave (from the start, the middle and the end), eight join (in between and after).
    let after: Vec<String> = (1..=20)
        .filter(|n| ![1, 2, 9, 14, 20].contains(n))
        .chain([21, 22, 23, 24, 25, 26, 27, 28])
        .map(name)
        .collect();
    let mut after_sorted = after.clone();
    after_sorted.sort();
    // Joiners listed first too: the order of the list must not matter either.
    let mut after_listed: Vec<String> = after[after.len() - 4..].to_vec();
    after_listed.extend_from_slice(&after[..after.len() - 4]);

    for shards in [3, 4] {
        let old = snapshot_fleet(dir.path(), &format!("before{shards}.toml"), &before);
        let new = snapshot_fleet(dir.path(), &format!("after{shards}.toml"), &after_listed);
        let (placed_before, _) = shard_runs(dir.path(), &old, shards);
        let (placed_after, files) = shard_runs(dir.path(), &new, shards);
        assert_eq!(
            placed_before.keys().cloned().collect::<Vec<_>>(),
            before,
            "every target in one shard"
        );
        assert_eq!(
            placed_after.keys().cloned().collect::<Vec<_>>(),
            after_sorted,
            "every target in one shard"
        );
        let moved: Vec<String> = after
            .iter()
            .filter(|t| {
                placed_before
                    .get(*t)
                    .is_some_and(|b| placed_after[*t] != *b)
            })
            .map(|t| format!("{t}: {} -> {}", placed_before[t], placed_after[t]))
            .collect();
        assert!(moved.is_empty(), "targets changed shard: {moved:?}");
        // Not all in one shard (which would be stable and useless).
        let used: std::collections::BTreeSet<usize> = placed_after.values().copied().collect();
        assert!(used.len() > 1, "{placed_after:?}");

        let whole = dir.path().join(format!("whole{shards}.json"));
        let (whole_code, out, err) = run(&["check", "--policy", s(&new), "--json", s(&whole)]);
        assert_eq!(whole_code, 2, "one target is unreadable:\n{out}{err}");
        let whole: Value =
            serde_json::from_str(&std::fs::read_to_string(&whole).expect("read")).expect("json");
        let merged = dir.path().join(format!("merged{shards}.json"));
        let mut args = vec!["merge"];
        args.extend(files.iter().map(|p| s(p)));
        args.extend(["--json", s(&merged)]);
        let (code, out, err) = run(&args);
        assert_eq!(code, whole_code, "{out}{err}");
        let merged: Value =
            serde_json::from_str(&std::fs::read_to_string(&merged).expect("read")).expect("json");
        let all = checks(&whole);
        assert_eq!(all.len(), after.len());
        let statuses: std::collections::BTreeSet<&str> = all.iter().map(|c| c.2.as_str()).collect();
        assert_eq!(
            statuses,
            ["clean", "drift", "error"].into(),
            "every status is compared"
        );
        assert_eq!(checks(&merged), all);
        assert_eq!(merged["status"], whole["status"]);
        assert_eq!(merged["summary"], whole["summary"]);
        assert_eq!(
            findings_of(&merged),
            findings_of(&whole),
            "the same findings"
        );
    }
}

/// Every finding of a report, whole, sorted.
fn findings_of(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .flat_map(|c| c["findings"].as_array().expect("findings").iter())
        .map(|f| f.to_string())
        .collect();
    out.sort();
    out
}

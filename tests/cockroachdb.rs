//! The experimental CockroachDB reader on fixture bundles (`tests/cockroachdb/*.json`: answers
//! self-written after CockroachDB's public documentation, each file's `note` says which pages
//! and version). No CockroachDB server runs here: every case replays a bundle through the same
//! fetch-and-assemble code a live read uses (`source::cockroach::RowSource`), and the binary
//! cases go through the real `diff`, `check` and `snapshot` commands.

mod report_support;

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use pgdrift::diff::diff;
use pgdrift::model::Schema;
use pgdrift::source::cockroach::{Bundle, replay};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cockroachdb")
        .join(name)
}

fn bundle(name: &str) -> Bundle {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    Bundle::parse(&text).expect("a bundle")
}

async fn schema(b: &Bundle) -> Schema {
    replay(b, None).await.expect("replays")
}

/// The rule and object of every finding between two schemas.
fn findings(expected: &Schema, actual: &Schema) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = diff(expected, actual)
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.object.clone()))
        .collect();
    got.sort();
    got
}

/// Rewrite one answer's text: `from` must occur in it.
fn edit(b: &mut Bundle, statement: &str, from: &str, to: &str) {
    let answer = b
        .answers
        .iter_mut()
        .find(|a| a.statement == statement)
        .expect("statement in the bundle");
    let mut hit = false;
    for value in answer.rows.iter_mut().flatten().flatten() {
        if value.contains(from) {
            *value = value.replace(from, to);
            hit = true;
        }
    }
    assert!(hit, "`{from}` is not in the answer of {statement}");
}

fn remove_rows(b: &mut Bundle, statement: &str, matches: impl Fn(&[Option<String>]) -> bool) {
    let answer = b
        .answers
        .iter_mut()
        .find(|a| a.statement == statement)
        .expect("statement in the bundle");
    let before = answer.rows.len();
    answer.rows.retain(|r| !matches(r));
    assert!(answer.rows.len() < before, "no row of {statement} matched");
}

fn add_row(b: &mut Bundle, statement: &str, row: &[Option<&str>]) {
    let answer = b
        .answers
        .iter_mut()
        .find(|a| a.statement == statement)
        .expect("statement in the bundle");
    answer
        .rows
        .push(row.iter().map(|v| v.map(str::to_string)).collect());
}

#[tokio::test]
async fn the_fixture_reads_into_the_model() {
    let s = schema(&bundle("shop_v23_2.json")).await;
    let public = &s.schemas["public"];
    let tables: Vec<&str> = public.tables.keys().map(String::as_str).collect();
    assert_eq!(tables, ["carts", "customers", "orders", "sessions"]);
    assert!(public.views.contains_key("big_orders"));
    assert!(public.sequences.contains_key("invoice_numbers"));
    assert!(public.types.contains_key("tier"));
    assert_eq!(s.schemas["audit"].owner, "app_owner");
    assert_eq!(
        s.schemas["audit"].comment.as_deref(),
        Some("append-only records")
    );
    assert_eq!(public.tables["orders"].owner, "app_owner");
    // Grants to admin and root are built in and left out; the others are kept.
    let customers = &public.tables["customers"];
    let grantees: Vec<&str> = customers
        .grants
        .iter()
        .map(|g| g.grantee.as_str())
        .collect();
    assert_eq!(grantees, ["app_reader", "app_writer", "app_writer"]);
    assert!(public.tables["orders"].grants.iter().any(|g| g.grantable));
    assert_eq!(public.types["tier"].grants.len(), 1);
    assert_eq!(s.schemas["audit"].grants.len(), 1);
    assert_eq!(public.views["big_orders"].grants.len(), 1);
    // The foreign keys of the trailing ALTERs belong to their tables.
    assert!(
        public.tables["orders"]
            .constraints
            .contains_key("orders_customer_id_fkey")
    );
    // Zones of this database only (not RANGE default, not another database).
    let zones: Vec<String> = s
        .defined
        .iter()
        .filter(|d| d.path.kind == pgdrift::model::ObjectKind::ZoneConfiguration)
        .map(|d| d.path.display())
        .collect();
    assert_eq!(
        zones,
        [
            "database",
            "public.orders.index orders_customer_idx",
            "public.orders.table"
        ]
    );
    let defaults = s
        .defined
        .iter()
        .filter(|d| d.path.kind == pgdrift::model::ObjectKind::DefaultPrivilege)
        .count();
    assert_eq!(defaults, 2);
    assert_eq!(s.cockroachdb.as_deref(), Some("v23.2.4"));
}

#[tokio::test]
async fn the_same_schema_under_another_database_name_compares_clean() {
    let expected = schema(&bundle("shop_v23_2.json")).await;
    let staging = bundle("shop_staging_v23_2.json");
    assert_eq!(staging.database, "shop_staging");
    let actual = schema(&staging).await;
    assert_eq!(findings(&expected, &actual), vec![]);
    // Not because nothing was read: the models are equal, object for object (but for how a
    // zone's statement names the database, which is not compared).
    assert_eq!(expected.schemas, actual.schemas);
    let defined = |s: &Schema| -> Vec<(String, String)> {
        s.defined
            .iter()
            .map(|d| (d.path.display(), d.definition.clone()))
            .collect()
    };
    assert_eq!(defined(&expected), defined(&actual));
    assert_eq!(defined(&expected).len(), 5);
}

/// Each CockroachDB-only property changed on the actual side, with the one finding it makes.
#[tokio::test]
async fn each_cockroachdb_property_is_found_with_its_rule() {
    const TABLES: &str = "SHOW CREATE ALL TABLES";
    const ZONES: &str = "SHOW ZONE CONFIGURATIONS";
    type Change = fn(&mut Bundle);
    let cases: &[(&str, &str, Change)] = &[
        ("index.definition", "public.orders_placed_at_idx", |b| {
            edit(b, TABLES, "bucket_count=8", "bucket_count=16")
        }),
        ("index.definition", "public.orders_placed_at_idx", |b| {
            // No longer hash-sharded: the shard column goes with it and is no finding.
            edit(b, TABLES, " USING HASH WITH (bucket_count=8)", "");
            edit(
                b,
                TABLES,
                "\tcrdb_internal_placed_at_shard_8 INT8 NOT VISIBLE NOT NULL AS (mod(fnv32(crdb_internal.datums_to_bytes(placed_at)), 8:::INT8)) VIRTUAL,\n",
                "",
            );
        }),
        ("table.locality", "public.carts", |b| {
            edit(b, TABLES, "LOCALITY REGIONAL BY ROW", "LOCALITY GLOBAL")
        }),
        ("table.family", "public.customers", |b| {
            edit(
                b,
                TABLES,
                "FAMILY cold (profile)",
                "FAMILY cold (profile, last_seen)",
            )
        }),
        ("table.property", "public.sessions", |b| {
            edit(
                b,
                TABLES,
                "ttl_job_cron = '@hourly'",
                "ttl_job_cron = '@daily'",
            )
        }),
        ("table.property", "public.sessions", |b| {
            // The hidden expiration column follows the TTL and is no finding of its own.
            edit(b, TABLES, "'1 day':::INTERVAL", "'2 days':::INTERVAL")
        }),
        ("table.property", "public.sessions", |b| {
            edit(
                b,
                TABLES,
                "ttl_job_cron = '@hourly')",
                "ttl_job_cron = '@hourly', schema_locked = true)",
            )
        }),
        ("column.hidden", "public.orders.note", |b| {
            edit(
                b,
                TABLES,
                "note STRING NOT VISIBLE NULL",
                "note STRING NULL",
            )
        }),
        ("index.visibility", "public.orders_customer_idx", |b| {
            edit(b, TABLES, "STORING (total) NOT VISIBLE", "STORING (total)")
        }),
        ("index.visibility", "public.orders_customer_idx", |b| {
            edit(
                b,
                TABLES,
                "STORING (total) NOT VISIBLE",
                "STORING (total) VISIBILITY 0.5",
            )
        }),
        ("column.generated", "public.orders.total_cents", |b| {
            edit(b, TABLES, "::INT8) STORED", "::INT8) VIRTUAL")
        }),
        ("column.default", "public.orders.id", |b| {
            edit(
                b,
                TABLES,
                "id INT8 NOT NULL DEFAULT unique_rowid()",
                "id INT8 NOT NULL DEFAULT nextval('public.invoice_numbers'::REGCLASS)",
            )
        }),
        ("zone_configuration.definition", "database", |b| {
            edit(b, ZONES, "num_replicas = 5", "num_replicas = 7")
        }),
        ("zone_configuration.definition", "database", |b| {
            edit(
                b,
                "SHOW CREATE DATABASE shop",
                "SURVIVE ZONE FAILURE",
                "SURVIVE REGION FAILURE",
            )
        }),
        ("zone_configuration.missing", "public.orders.table", |b| {
            remove_rows(b, ZONES, |r| {
                r[0].as_deref() == Some("TABLE shop.public.orders")
            })
        }),
        (
            "zone_configuration.extra",
            "public.customers.index customers_email_key",
            |b| {
                add_row(
                    b,
                    ZONES,
                    &[
                        Some("INDEX shop.public.customers@customers_email_key"),
                        Some(
                            "ALTER INDEX shop.public.customers@customers_email_key CONFIGURE ZONE USING\n\tnum_replicas = 5",
                        ),
                    ],
                )
            },
        ),
        ("grant.missing", "public.customers", |b| {
            remove_rows(b, "SHOW GRANTS", |r| {
                r[2].as_deref() == Some("customers") && r[5].as_deref() == Some("UPDATE")
            })
        }),
        ("grant.extra", "public.sessions", |b| {
            add_row(
                b,
                "SHOW GRANTS",
                &[
                    Some("shop"),
                    Some("public"),
                    Some("sessions"),
                    Some("table"),
                    Some("app_reader"),
                    Some("SELECT"),
                    Some("f"),
                ],
            )
        }),
        ("grant.extra", "public.orders", |b| {
            // The grant option on one side only.
            let answer = b
                .answers
                .iter_mut()
                .find(|a| a.statement == "SHOW GRANTS")
                .expect("grants");
            for row in &mut answer.rows {
                if row[2].as_deref() == Some("orders") && row[4].as_deref() == Some("app_reader") {
                    row[6] = Some("t".into());
                }
            }
        }),
        (
            "default_privilege.missing",
            "FOR ALL ROLES ON TABLES TO app_reader",
            |b| {
                remove_rows(b, "SHOW DEFAULT PRIVILEGES FOR ALL ROLES", |r| {
                    r[3].as_deref() == Some("app_reader")
                })
            },
        ),
        ("comment.mismatch", "public.orders_customer_idx", |b| {
            edit(
                b,
                TABLES,
                "kept for the export job",
                "kept for the audit job",
            )
        }),
        (
            "constraint.missing",
            "public.orders.orders_customer_id_fkey",
            |b| {
                remove_rows(b, TABLES, |r| {
                    r[0].as_deref()
                        .is_some_and(|t| t.contains("ADD CONSTRAINT orders_customer_id_fkey"))
                })
            },
        ),
        ("server.version", "database", |b| {
            b.version = b.version.replace("v23.2.4", "v24.3.1");
        }),
        ("owner.mismatch", "public.orders", |b| {
            let answer = b
                .answers
                .iter_mut()
                .find(|a| a.statement == "SHOW TABLES")
                .expect("tables");
            for row in &mut answer.rows {
                if row[1].as_deref() == Some("orders") {
                    row[3] = Some("someone_else".into());
                }
            }
        }),
    ];
    let base = bundle("shop_v23_2.json");
    let expected = schema(&base).await;
    let mut failures = Vec::new();
    for (rule, object, change) in cases {
        let mut actual = base.clone();
        change(&mut actual);
        let got = findings(&expected, &schema(&actual).await);
        let want = vec![(rule.to_string(), object.to_string())];
        if got != want {
            failures.push(format!("{rule} {object}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_reordered_column_list_is_a_reorder_not_a_drop_and_an_add() {
    let base = bundle("shop_v23_2.json");
    let mut reordered = base.clone();
    edit(
        &mut reordered,
        "SHOW CREATE ALL TABLES",
        "\tid INT8 NOT NULL DEFAULT unique_rowid(),\n\tcustomer_id UUID NOT NULL,",
        "\tcustomer_id UUID NOT NULL,\n\tid INT8 NOT NULL DEFAULT unique_rowid(),",
    );
    let got = findings(&schema(&base).await, &schema(&reordered).await);
    assert_eq!(
        got,
        vec![("column.order".to_string(), "public.orders".to_string())]
    );
}

#[tokio::test]
async fn other_major_versions_warn_naming_the_known_format_changes() {
    let expected = schema(&bundle("shop_v23_2.json")).await;
    let actual = schema(&bundle("shop_prod_drifted_v24_3.json")).await;
    let comparison = diff(&expected, &actual);
    let warning = comparison
        .findings
        .iter()
        .find(|f| f.rule == "server.version")
        .expect("a server.version finding");
    assert!(warning.message.contains("v23.2.4"), "{}", warning.message);
    assert!(warning.message.contains("v24.3.1"), "{}", warning.message);
    assert!(
        warning.message.contains("v24.2: enum type names"),
        "{}",
        warning.message
    );
    assert_eq!(
        pgdrift::rules::RuleId::parse("server.version").map(|r| r.rule().default_severity),
        Some(pgdrift::rules::Severity::Warning)
    );
    // Enum names print schema.type from v24.2 on: the reader makes both sides agree, so the
    // type change alone is no finding.
    assert!(
        !comparison
            .findings
            .iter()
            .any(|f| f.object.ends_with("tier") || f.object.ends_with(".kind")),
        "{:?}",
        comparison.findings
    );
}

fn pgdrift() -> Command {
    let mut cmd = Command::cargo_bin("pgdrift").expect("binary");
    cmd.env("NO_COLOR", "1").current_dir(fixture(""));
    cmd
}

#[test]
fn pgdrift_diff_of_two_bundles_through_the_binary() {
    let clean = pgdrift()
        .args([
            "diff",
            "shop_v23_2.json",
            "shop_staging_v23_2.json",
            "--timings",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0), "{stdout}");
    let stderr = String::from_utf8_lossy(&clean.stderr);
    assert!(stderr.contains("read actual (bundle)"), "{stderr}");
    assert!(stdout.contains("14 objects compared, no drift"), "{stdout}");

    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("drift.json");
    let drifted = pgdrift()
        .args([
            "diff",
            "shop_v23_2.json",
            "shop_prod_drifted_v24_3.json",
            "--json",
        ])
        .arg(&json)
        .args(["--no-ignore", "column_order"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&drifted.stdout);
    assert_eq!(drifted.status.code(), Some(1), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    let text = report.to_string();
    let mut rules: Vec<String> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect();
    rules.sort();
    rules.dedup();
    for rule in [
        "column.generated",
        "column.hidden",
        "column.order",
        "grant.extra",
        "grant.missing",
        "index.definition",
        "index.visibility",
        "server.version",
        "table.family",
        "table.locality",
        "table.property",
        "zone_configuration.definition",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} not in {rules:?}\n{text}"
        );
    }
    // The plan writes PostgreSQL DDL only: none for CockroachDB, every finding not planned.
    let plan = pgdrift()
        .args(["plan", "shop_v23_2.json", "shop_prod_drifted_v24_3.json"])
        .output()
        .expect("runs");
    let script = String::from_utf8_lossy(&plan.stdout);
    assert!(script.contains("-- 0 steps"), "{script}");
    assert!(
        script.contains("table.locality public.carts: pgdrift plans changes for PostgreSQL only"),
        "{script}"
    );
    assert!(!script.contains("ALTER TABLE"), "{script}");
}

#[test]
fn a_policy_check_and_a_snapshot_of_a_cockroachdb_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("schema-policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[targets.expected]\nsnapshot = {:?}\n\n[targets.staging]\nsnapshot = {:?}\n\n\
             [[check]]\nname = \"staging\"\nexpected = \"expected\"\nactual = [\"staging\"]\n",
            fixture("shop_v23_2.json"),
            fixture("shop_staging_v23_2.json"),
        ),
    )
    .expect("policy");
    let check = pgdrift()
        .arg("check")
        .arg("--policy")
        .arg(&policy)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{stdout}{stderr}");

    // A snapshot of the bundle's target is the model, and compares clean with the bundle.
    let snapshot = dir.path().join("shop.snapshot.json");
    let written = pgdrift()
        .args([
            "snapshot",
            "--target",
            "expected",
            "--no-timestamp",
            "--policy",
        ])
        .arg(&policy)
        .arg("--output")
        .arg(&snapshot)
        .output()
        .expect("runs");
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let text = std::fs::read_to_string(&snapshot).expect("snapshot");
    assert!(text.contains("\"cockroachdb\": \"v23.2.4\""), "{text}");
    assert!(text.contains("REGIONAL BY ROW"), "{text}");
    let same = pgdrift()
        .arg("diff")
        .arg(&snapshot)
        .arg("shop_staging_v23_2.json")
        .output()
        .expect("runs");
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
}

#[test]
fn the_reports_of_a_drifted_cockroachdb_comparison_match_their_golden_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let markdown = dir.path().join("drift.md");
    let out = pgdrift()
        .args([
            "diff",
            "shop_v23_2.json",
            "shop_prod_drifted_v24_3.json",
            "--verbose",
            "--no-ignore",
            "column_order",
            "--markdown",
        ])
        .arg(&markdown)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    report_support::assert_golden(
        "cockroachdb.terminal.txt",
        &String::from_utf8_lossy(&out.stdout),
    );
    report_support::assert_golden(
        "cockroachdb.md",
        &std::fs::read_to_string(&markdown).expect("markdown"),
    );
}

#[tokio::test]
async fn a_table_the_reader_misreads_fails_the_read_rather_than_report_drift() {
    let mut b = bundle("shop_v23_2.json");
    let columns = b
        .answers
        .iter_mut()
        .find(|a| a.statement.contains("information_schema.columns"))
        .expect("the cross-check's answer");
    columns.rows.push(vec![
        Some("public".into()),
        Some("orders".into()),
        Some("shipped_at".into()),
    ]);
    let e = replay(&b, None).await.expect_err("disagreement");
    assert!(e.contains("public.orders"), "{e}");
    assert!(e.contains("misread"), "{e}");
}

//! Every report format rendered from the same fixed verdicts: compared with golden files
//! (`UPDATE_GOLDEN=1 cargo test --test report_formats` rewrites them after a deliberate change)
//! and checked by each format's consumer rules — a strict XML parser and a JUnit parser, the
//! official SARIF 2.1.0 schema, the schema of GitLab's documented Code Quality format, Markdown
//! table rows, workflow-command lines, HTML injection.

mod report_support;

use std::path::Path;

use pgdrift::evaluate::Verdict;
use pgdrift::report::{self, Context, Format, Location};
use report_support as support;
use serde_json::Value;

fn extension(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Junit => "junit.xml",
        Format::Sarif => "sarif",
        Format::Markdown => "md",
        Format::CodeQuality => "codequality.json",
        Format::Html => "html",
        Format::Rdjson => "rdjson",
    }
}

fn context<'a>(verdict: &'a Verdict, relations: &'a report::Relations) -> Context<'a> {
    let mut ctx = Context::new(verdict);
    ctx.policy = Some(Path::new("db/schema-policy.toml"));
    ctx.relations = Some(relations);
    ctx
}

fn golden_all(name: &str, verdict: &Verdict) {
    let relations = support::relations();
    let ctx = context(verdict, &relations);
    for format in Format::ALL {
        let text = report::render(format, &ctx);
        support::validate(format, &text);
        support::assert_golden(&format!("{name}.{}", extension(format)), &text);
    }
    let annotations = report::annotations::render(&ctx);
    support::annotations_valid(&annotations);
    support::assert_golden(&format!("{name}.annotations.txt"), &annotations);
}

#[test]
fn drift_goldens() {
    golden_all("drift", &support::drift());
}

#[test]
fn incomplete_goldens() {
    golden_all("incomplete", &support::incomplete());
}

#[test]
fn hostile_names_goldens() {
    golden_all("hostile", &support::hostile());
}

#[test]
fn ignored_findings_appear_nowhere_and_waived_ones_do_not_fail() {
    let verdict = support::drift();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    for format in Format::ALL {
        let text = report::render(format, &ctx);
        if format != Format::Json {
            assert!(
                !text.contains("IGNORED"),
                "{format:?} shows an ignored finding"
            );
        }
    }
    let junit = report::render(Format::Junit, &ctx);
    // Waived column.order sits in system-out, not in a failure.
    let products = junit
        .split("<testcase")
        .find(|c| c.contains("table public.products"))
        .expect("products case");
    assert!(!products.contains("<failure"), "{products}");
    assert!(products.contains("waived until 2099-12-31"), "{products}");

    // By default SARIF leaves waived findings out, as Code Quality does (code scanning ignores
    // `suppressions` and would open them as alerts); `sarif_waived` puts them in, suppressed.
    let sarif: Value =
        serde_json::from_str(&report::render(Format::Sarif, &ctx)).expect("sarif json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert!(
        results.iter().all(|r| r["ruleId"] != "column.order"),
        "waived stays out of SARIF"
    );
    let mut with_waived = report::Context::new(ctx.verdict);
    with_waived.sarif_waived = true;
    let sarif: Value =
        serde_json::from_str(&report::render(Format::Sarif, &with_waived)).expect("sarif json");
    let waived: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["ruleId"], "column.order");

    let codequality = report::render(Format::CodeQuality, &ctx);
    assert!(
        !codequality.contains("column.order"),
        "waived stays out of the widget"
    );
}

#[test]
fn junit_counts_objects_and_failures() {
    let verdict = support::incomplete();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let junit = report::render(Format::Junit, &ctx);
    // production: 8 compared objects, 4 failing (customers, order_items, orders, the view);
    // staging: one errored case; replica: 3 passing; the policy suite: 1 passing.
    assert!(
        junit.contains(
            r#"<testsuite name="production matches migrations" tests="8" skipped="0" errors="0" failures="4""#
        ),
        "{junit}"
    );
    assert!(
        junit.contains(
            r#"<testsuite name="staging matches migrations" tests="1" skipped="0" errors="1" failures="0""#
        ),
        "{junit}"
    );
    assert!(
        junit.contains(
            r#"<testsuites name="pgdrift" tests="13" skipped="0" failures="4" errors="1""#
        ),
        "{junit}"
    );
}

#[test]
fn sarif_points_every_result_at_the_policy_line_or_the_source() {
    let verdict = support::drift();
    let relations = support::relations();
    let mut ctx = context(&verdict, &relations);
    let sarif: Value =
        serde_json::from_str(&report::render(Format::Sarif, &ctx)).expect("sarif json");
    for r in sarif["runs"][0]["results"].as_array().expect("results") {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "db/schema-policy.toml");
        let line = loc["region"]["startLine"].as_u64().expect("line");
        if r["ruleId"] == "pattern.unused" {
            assert_eq!(line, 9, "a policy finding points at its entry");
        } else {
            assert_eq!(line, 14, "a finding points at its check");
        }
    }

    // With source locations (SQL files), those win.
    let locate = |_: &pgdrift::evaluate::CheckVerdict, f: &pgdrift::diff::Finding| {
        (f.object == "public.orders.total").then(|| Location {
            path: "db/migrations/0002 orders.sql".into(),
            line: 42,
        })
    };
    ctx.locate = Some(&locate);
    let text = report::render(Format::Sarif, &ctx);
    support::sarif_valid(&text);
    let sarif: Value = serde_json::from_str(&text).expect("sarif json");
    let total = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "column.type")
        .expect("column.type")
        .clone();
    let loc = &total["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "db/migrations/0002%20orders.sql"
    );
    assert_eq!(loc["region"]["startLine"], 42);
    let junit = report::render(Format::Junit, &ctx);
    assert!(
        junit.contains(r#"file="db/migrations/0002 orders.sql" line="42""#),
        "{junit}"
    );
    let html = report::render(Format::Html, &ctx);
    assert!(
        html.contains("defined at <code>db/migrations/0002 orders.sql:42</code>"),
        "the HTML names the definition"
    );
    let md = report::render(Format::Markdown, &ctx);
    assert!(
        md.contains("Defined at db/migrations/0002 orders.sql:42"),
        "{md}"
    );
}

#[test]
fn sarif_fingerprints_are_stable_and_distinct() {
    let verdict = support::hostile();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let a = report::render(Format::Sarif, &ctx);
    let b = report::render(Format::Sarif, &ctx);
    assert_eq!(a, b, "rendering is deterministic");
    let doc: Value = serde_json::from_str(&a).expect("json");
    let mut seen = std::collections::BTreeSet::new();
    for r in doc["runs"][0]["results"].as_array().expect("results") {
        let fp = r["partialFingerprints"]["pgdrift/v1"]
            .as_str()
            .expect("fingerprint")
            .to_string();
        assert!(seen.insert(fp), "duplicate fingerprint");
    }
}

#[test]
fn sarif_stays_within_githubs_result_limit() {
    let mut verdict = support::drift();
    let template = verdict.checks[0].findings()[0].clone();
    let mut many = Vec::new();
    for i in 0..25_010 {
        let mut j = template.clone();
        j.finding.object = format!("public.orders.c{i}");
        if i % 2 == 0 {
            j.severity = pgdrift::rules::Severity::Warning;
        }
        many.push(j);
    }
    if let pgdrift::evaluate::Outcome::Compared { findings, .. } = &mut verdict.checks[0].outcome {
        *findings = many;
    }
    verdict.policy_findings.clear();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let text = report::render(Format::Sarif, &ctx);
    support::sarif_valid(&text);
    let doc: Value = serde_json::from_str(&text).expect("json");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 25_000);
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, 12_505, "errors are kept first");
    let note = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("10 less severe findings were left out"),
        "{note}"
    );
}

#[test]
fn markdown_truncates_with_a_note() {
    let verdict = support::hostile();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let full = report::markdown::render(&ctx);
    let cut = report::markdown::render_with_limit(&ctx, 3000);
    assert!(cut.len() < 3000 + 500, "{}", cut.len());
    assert!(cut.len() < full.len());
    assert!(cut.contains("This summary is truncated"), "{cut}");
    support::markdown_valid(&cut);
    // Cut between whole parts: every opened <details> is closed.
    assert_eq!(
        cut.matches("<details>").count(),
        cut.matches("</details>").count()
    );
    assert!(!full.contains("truncated"));
}

#[test]
fn markdown_stays_under_githubs_limit_for_huge_runs() {
    let mut verdict = support::drift();
    let template = verdict.checks[0].findings()[4].clone(); // the view: a multi-line diff
    let many: Vec<_> = (0..20_000)
        .map(|i| {
            let mut j = template.clone();
            j.finding.group = format!("public.v{i}");
            j.finding.object = format!("public.v{i}");
            j
        })
        .collect();
    if let pgdrift::evaluate::Outcome::Compared { findings, .. } = &mut verdict.checks[0].outcome {
        *findings = many;
    }
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let md = report::markdown::render(&ctx);
    assert!(md.len() <= 1_000_000, "{}", md.len());
    assert!(md.contains("This summary is truncated"));
    support::markdown_valid(&md);
}

#[test]
fn annotations_are_capped_per_level_with_a_summary_line() {
    let verdict = support::hostile();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let text = report::annotations::render(&ctx);
    support::annotations_valid(&text);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), report::annotations::PER_LEVEL);
    assert!(
        errors
            .last()
            .is_some_and(|l| l.contains("more errors are not shown as annotations")),
        "{text}"
    );
    let warnings = text.lines().filter(|l| l.starts_with("::warning")).count();
    assert!(warnings <= report::annotations::PER_LEVEL);
}

#[test]
fn html_has_no_network_and_every_finding() {
    let verdict = support::drift();
    let relations = support::relations();
    let ctx = context(&verdict, &relations);
    let html = report::render(Format::Html, &ctx);
    support::html_valid(&html);
    // 7 shown findings in the check, 1 about the policy.
    assert_eq!(html.matches("<tr class=\"finding ").count(), 8);
    // The graph: drifted tables and their neighbour public.reviews (via products? no: products
    // has only a waived finding, which still counts as drift on the page).
    assert!(html.contains("node neighbour"), "neighbours are drawn");
    assert!(html.contains("<title>public.order_items → public.orders</title>"));
}

/// Whether `check` panics on `text` (the validators report by panicking).
fn refuses(check: fn(&str), text: &str) -> bool {
    std::panic::catch_unwind(|| check(text)).is_err()
}

#[test]
fn the_junit_code_quality_and_rdjson_checks_refuse_what_their_consumers_refuse() {
    let relations = support::relations();
    let verdict = support::drift();
    let ctx = context(&verdict, &relations);
    let junit = report::render(Format::Junit, &ctx);
    let codequality = report::render(Format::CodeQuality, &ctx);
    assert!(!refuses(support::junit_valid, &junit));
    assert!(!refuses(support::codequality_valid, &codequality));

    let first_case = junit.find("<testcase").expect("a test case");
    let junit_broken = [
        // XML 1.0 has no control characters, not even as references: quick-xml reads this.
        junit.replacen("<testcase", "<testcase note=\"&#1;\"", 1),
        // One case more than the suite says.
        format!(
            "{}<testcase name=\"extra\"/>{}",
            &junit[..first_case],
            &junit[first_case..]
        ),
        junit.replacen("</testsuites>", "", 1),
    ];
    for (i, text) in junit_broken.iter().enumerate() {
        assert!(refuses(support::junit_valid, text), "JUnit case {i} passed");
    }

    let issues: Value = serde_json::from_str(&codequality).expect("json");
    let mutate = |edit: fn(&mut Value)| {
        let mut doc = issues.clone();
        edit(&mut doc[0]);
        doc.to_string()
    };
    let codequality_broken = [
        mutate(|issue| issue["severity"] = "high".into()),
        mutate(|issue| issue["location"]["lines"]["begin"] = 0.into()),
        mutate(|issue| {
            issue.as_object_mut().expect("object").remove("fingerprint");
        }),
        mutate(|issue| issue["location"]["path"] = 17.into()),
        mutate(|issue| issue["categories"] = serde_json::json!(["Drift"])),
    ];
    for (i, text) in codequality_broken.iter().enumerate() {
        assert!(
            refuses(support::codequality_valid, text),
            "Code Quality case {i} passed"
        );
    }
    let rdjson: Value =
        serde_json::from_str(&report::render(Format::Rdjson, &ctx)).expect("rdjson");
    assert!(!refuses(support::rdjson_valid, &rdjson.to_string()));
    for edit in [
        (|d: &mut Value| d["severity"] = "HIGH".into()) as fn(&mut Value),
        |d| d["location"]["range"]["start"]["line"] = 0.into(),
        |d| {
            d.as_object_mut().expect("object").remove("message");
        },
    ] {
        let mut doc = rdjson.clone();
        edit(&mut doc["diagnostics"][0]);
        assert!(refuses(support::rdjson_valid, &doc.to_string()), "{doc}");
    }

    let mut twice = issues.clone();
    let first = twice[0].clone();
    twice.as_array_mut().expect("array").push(first);
    assert!(refuses(support::codequality_valid, &twice.to_string()));
}

/// With the rule reference's address (`PGDRIFT_DOCS_URL`), every known rule in SARIF links its
/// section of `docs/rules.md` (a heading of that file has the anchor), and the log stays valid
/// against the SARIF schema; without it, no rule has a `helpUri`.
#[test]
fn sarif_rules_link_their_section_of_the_rule_reference() {
    let verdict = support::drift();
    let relations = support::relations();
    let mut ctx = context(&verdict, &relations);
    let plain: Value =
        serde_json::from_str(&report::render(Format::Sarif, &ctx)).expect("sarif json");
    let rules = plain["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.iter().all(|r| r.get("helpUri").is_none()));

    let page = "https://github.com/example/pgdrift/blob/v1.2.0/docs/rules.md";
    ctx.docs_url = Some(page);
    let text = report::render(Format::Sarif, &ctx);
    support::sarif_valid(&text);
    let linked: Value = serde_json::from_str(&text).expect("sarif json");
    let reference = std::fs::read_to_string(support::manifest_dir().join("docs/rules.md"))
        .expect("docs/rules.md");
    let rules = linked["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(!rules.is_empty());
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let uri = rule["helpUri"].as_str().expect("helpUri");
        let anchor = uri
            .strip_prefix(&format!("{page}#"))
            .unwrap_or_else(|| panic!("{uri}"));
        assert_eq!(anchor, pgdrift::rules::anchor(id));
        assert!(reference.contains(&format!("\n## `{id}`\n")), "{id}");
    }
}

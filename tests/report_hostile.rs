//! Hostile names from a real database: tables, columns, constraints and comments named with
//! quotes, backslashes, `<script>`, `]]>`, `&`, line breaks, `::`, `%0A`, emoji and
//! right-to-left marks, read by the catalog reader, compared, and rendered in every format.
//! Each report must stay valid for its consumer and show the names as text.

mod common;
mod report_support;

use std::path::Path;

use pgdrift::evaluate::{CheckVerdict, Verdict};
use pgdrift::report::{self, Context, Format, Relations};
use pgdrift::rules::Severity;
use report_support::{self as support, HOSTILE, quoted};

/// A SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One table per hostile name, each referencing the next; `drifted` changes column types,
/// drops the foreign keys and rewrites the comments.
fn schema_sql(drifted: bool) -> String {
    let mut sql = String::new();
    // Identifiers are at most 63 bytes; every name here fits with its suffixes.
    for name in HOSTILE {
        let column_type = if drifted { "text" } else { "varchar(10)" };
        sql.push_str(&format!(
            "CREATE TABLE public.{t} (id int PRIMARY KEY, {c} {column_type}, ref int);\n",
            t = quoted(name),
            c = quoted(name),
        ));
        let comment = if drifted {
            format!("drifted: {name}")
        } else {
            format!("{name} -- comment with ' quotes and </details>")
        };
        sql.push_str(&format!(
            "COMMENT ON TABLE public.{} IS {};\n",
            quoted(name),
            literal(&comment)
        ));
    }
    if !drifted {
        for (i, name) in HOSTILE.iter().enumerate() {
            let next = HOSTILE[(i + 1) % HOSTILE.len()];
            sql.push_str(&format!(
                "ALTER TABLE public.{} ADD CONSTRAINT {} FOREIGN KEY (ref) REFERENCES public.{}(id);\n",
                quoted(name),
                quoted(&format!("{name}_fk")),
                quoted(next)
            ));
        }
    }
    let schema = quoted("sch\"ema <x>\n&");
    sql.push_str(&format!("CREATE SCHEMA {schema};\n"));
    if drifted {
        sql.push_str(&format!(
            "CREATE VIEW {schema}.{} AS SELECT 1 AS \"]]>\", 2 AS \"%0A\";\n",
            quoted("<script>v</script>")
        ));
    }
    sql
}

#[tokio::test]
async fn hostile_names_from_a_database_keep_every_format_valid() {
    let expected_db = common::db_with("rep_hostile_e", &schema_sql(false)).await;
    let actual_db = common::db_with("rep_hostile_a", &schema_sql(true)).await;
    let expected = common::read_schema(&expected_db).await;
    let actual = common::read_schema(&actual_db).await;
    let comparison = pgdrift::diff::diff(&expected, &actual);
    let rules: std::collections::BTreeSet<&str> = comparison
        .findings
        .iter()
        .map(|f| f.rule.as_str())
        .collect();
    for rule in [
        "column.type",
        "constraint.missing",
        "comment.mismatch",
        "view.extra",
    ] {
        assert!(rules.contains(rule), "{rule} among {rules:?}");
    }
    let mut relations = Relations::new();
    relations.insert("expected".into(), report::foreign_keys(&expected));
    relations.insert("actual".into(), report::foreign_keys(&actual));
    assert_eq!(relations["expected"].len(), HOSTILE.len(), "every FK read");

    let verdict = Verdict {
        checks: vec![CheckVerdict {
            name: "hostile <check> \"name\"\n::error::x".into(),
            expected: "expected".into(),
            actual: "actual".into(),
            policy_line: Some(2),
            fleet: None,
            outcome: pgdrift::evaluate::judge(comparison),
            fix: None,
        }],
        policy_findings: vec![],
        fail_on: Severity::Error,
    };
    let mut ctx = Context::new(&verdict);
    ctx.policy = Some(Path::new("policies/hostile policy, with: commas.toml"));
    ctx.relations = Some(&relations);
    for format in Format::ALL {
        let text = report::render(format, &ctx);
        support::validate(format, &text);
    }
    let annotations = report::annotations::render(&ctx);
    support::annotations_valid(&annotations);

    // The names survive as data: JSON and SARIF carry them exactly.
    let json: serde_json::Value =
        serde_json::from_str(&report::render(Format::Json, &ctx)).expect("json");
    let objects: Vec<&str> = json["checks"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["object"].as_str())
        .collect();
    for name in HOSTILE {
        let column = format!("public.{}.{}", quoted(name), quoted(name));
        assert!(
            objects.contains(&column.as_str()),
            "{column:?} in {objects:?}"
        );
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&report::render(Format::Sarif, &ctx)).expect("sarif");
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"]
        .as_str()
        .expect("uri");
    assert_eq!(uri, "policies/hostile%20policy,%20with:%20commas.toml");

    // The HTML draws the foreign keys between the hostile tables, and the browser agrees that
    // nothing became markup.
    let html = report::render(Format::Html, &ctx);
    assert!(html.contains("class=\"node drifted error\""));
    support::check_html_in_browser(&html, ctx.items().len());
}

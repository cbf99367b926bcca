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

    // What the HTML must show: every finding of the comparison (no rule here is ignored by
    // default), counted before the report code sees them.
    let findings = comparison.findings.len();
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
    support::check_html_in_browser(&html, findings);
}

/// Names that attack whoever reads the output: a forged GitHub annotation after a line break,
/// other workflow commands, colour and title escape sequences, a bell, a bidi override.
const ATTACKS: &[&str] = &[
    "x\n::error file=evil.sql,line=1::pwned",
    "::add-mask::x",
    "::stop-commands::tok",
    "\x1b[31mred",
    "\x1b]0;title\x07",
    "bel\x07l",
    "\u{202E}gnp.exe",
];

/// Characters that must never reach a terminal, a log or a page raw.
fn is_raw_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// How a person sees an attack name once escaped: `\n`, `\u{1b}`, `\u{7}`, `\u{202e}`.
fn escaped(name: &str) -> String {
    name.replace('\n', "\\n")
        .replace('\x1b', "\\u{1b}")
        .replace('\x07', "\\u{7}")
        .replace('\u{202E}', "\\u{202e}")
}

/// A role, a table, a column, a grant, a comment and a function per attack, in `actual` only
/// (the tables exist on both sides with another column type), so every kind of finding names
/// them.
async fn attack_databases() -> (common::TestDb, common::TestDb) {
    let admin = common::connect("postgres").await;
    for name in ATTACKS {
        let sql = format!(
            "DO $$BEGIN CREATE ROLE {}; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$",
            quoted(name)
        );
        admin.batch_execute(&sql).await.expect("create role");
    }
    let table = |column_type: &str| {
        ATTACKS
            .iter()
            .map(|n| {
                format!(
                    "CREATE TABLE public.{t} ({t} {column_type});\n",
                    t = quoted(n)
                )
            })
            .collect::<String>()
    };
    let mut actual_sql = table("text");
    for name in ATTACKS {
        let t = quoted(name);
        actual_sql.push_str(&format!(
            "GRANT SELECT ON public.{t} TO {t};\n\
             COMMENT ON TABLE public.{t} IS {c};\n\
             CREATE FUNCTION public.{t}() RETURNS text LANGUAGE sql AS {body};\n",
            c = literal(&format!("comment {name}")),
            body = literal(&format!("SELECT {}::text", literal(name))),
        ));
    }
    let expected = common::db_with("rep_attack_e", &table("integer")).await;
    let actual = common::db_with("rep_attack_a", &actual_sql).await;
    (expected, actual)
}

/// The real binary against the two databases, on a pretend GitHub runner.
fn check_run(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("pgdrift")
        .expect("binary")
        .current_dir(dir)
        .env("GITHUB_ACTIONS", "true")
        .env_remove("NO_COLOR")
        .args([
            "check",
            "--policy",
            "schema-policy.toml",
            "--output-dir",
            "out",
        ])
        .args(extra)
        .output()
        .expect("run pgdrift");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// An annotation pgdrift writes: a level, then the policy file or pgdrift's title first.
fn is_own_annotation(line: &str) -> bool {
    ["::error ", "::warning ", "::notice "].iter().any(|level| {
        line.strip_prefix(level).is_some_and(|props| {
            props.starts_with("file=schema-policy.toml,") || props.starts_with("title=pgdrift")
        })
    })
}

fn assert_no_raw_hostile(what: &str, text: &str, allowed: &[char]) {
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| is_raw_hostile(*c) && !allowed.contains(c))
    {
        let from = text.floor_char_boundary(i.saturating_sub(80));
        panic!(
            "raw {c:?} in {what} at byte {i}: {:?}",
            &text[from..text.ceil_char_boundary(i + 20)]
        );
    }
}

#[tokio::test]
async fn hostile_names_cannot_forge_workflow_commands_or_steer_the_terminal() {
    let (expected, actual) = attack_databases().await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("schema-policy.toml"),
        format!(
            "[targets.expected]\nurl = \"{}\"\n\n[targets.actual]\nurl = \"{}\"\n\n\
             [[check]]\nname = \"attack\"\nexpected = \"expected\"\nactual = \"actual\"\n",
            expected.url(),
            actual.url()
        ),
    )
    .expect("policy");

    for annotations in [None, Some("none")] {
        let extra: Vec<&str> = annotations
            .map(|a| vec!["--annotations", a])
            .unwrap_or_default();
        let (code, stdout, stderr) = check_run(dir.path(), &extra);
        assert_eq!(code, 1, "drift expected\n{stdout}\n{stderr}");
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            // Only pgdrift's own annotations start with `::`, and only when asked for (the
            // runner trims leading spaces before it looks).
            for line in text.lines().filter(|l| l.trim_start().starts_with("::")) {
                assert!(
                    annotations.is_none() && is_own_annotation(line),
                    "{stream} line from data: {line:?}\n{text}"
                );
            }
            // Annotations keep their own encoding (%0A for a line break); the rest has no raw
            // control or bidi character at all.
            assert_no_raw_hostile(stream, text, &['\n']);
        }
        if annotations.is_none() {
            assert!(
                stdout.lines().any(|l| l.starts_with("::error file=")),
                "pgdrift's own annotations are printed\n{stdout}"
            );
        }
        // The summary still names every attack, escaped so it can be recognised.
        for name in ATTACKS {
            let shown = escaped(name);
            assert!(stdout.contains(&shown), "{shown} in summary\n{stdout}");
        }
        for rule in [
            "column.type",
            "comment.mismatch",
            "grant.extra",
            "function.extra",
        ] {
            assert!(stdout.contains(rule), "{rule} findings\n{stdout}");
        }

        let out = dir.path().join("out");
        let markdown = std::fs::read_to_string(out.join("pgdrift.md")).expect("markdown");
        assert_no_raw_hostile("markdown", &markdown, &['\n']);
        // The fix's SQL is the plan script, whose names and strings are escaped too.
        assert!(
            !markdown.lines().any(|l| l.trim_start().starts_with("::")),
            "{markdown}"
        );
        // In Markdown the escape's backslash is itself escaped: `\\u{1b}` shows as `\u{1b}`.
        assert!(markdown.contains("\\\\u{1b}\\[31mred"), "{markdown}");
        assert!(markdown.contains("\\\\u{202e}gnp.exe"), "{markdown}");

        let html = std::fs::read_to_string(out.join("pgdrift.html")).expect("html");
        // Line breaks and tabs lay out definitions in `<pre>`; nothing else raw.
        assert_no_raw_hostile("html", &html, &['\n', '\t']);
        assert!(html.contains("\\u{1b}]0;title\\u{7}"), "title escape shown");
        assert!(html.contains("\\u{202e}gnp.exe"), "bidi override shown");

        // Machine formats keep the exact names.
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("pgdrift.json")).unwrap())
                .expect("json");
        let text = json.to_string();
        for name in ATTACKS {
            let exact = serde_json::to_string(&quoted(name)).expect("encode");
            assert!(
                text.contains(exact.trim_matches('"')),
                "{exact} exact in JSON"
            );
        }
        // XML 1.0 cannot hold ESC or BEL even as character references.
        let junit = std::fs::read_to_string(out.join("pgdrift.junit.xml")).expect("junit");
        support::junit_valid(&junit);
        let invalid = junit
            .chars()
            .find(|&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}');
        assert_eq!(invalid, None, "a character XML cannot hold\n{junit}");
        assert!(
            !junit.contains("&#x1b;") && !junit.contains("&#27;"),
            "{junit}"
        );
    }
}

/// The plan for the same databases, printed where the runner reads it: no line of the script
/// starts with `::` and no control or bidi character is raw, though the statements create and
/// drop objects with those names, comments and function bodies (written with `E'...'` and
/// `U&"..."` escapes). The escaped script is the same change: run by psql in the direction that
/// creates everything, it makes the database equal to the other by pg_dump.
#[tokio::test]
async fn a_plan_printed_in_ci_holds_no_line_from_data_and_still_converges() {
    let (expected, actual) = attack_databases().await;
    let plan = |from: &common::TestDb, to: &common::TestDb| {
        let out = assert_cmd::Command::cargo_bin("pgdrift")
            .expect("binary")
            .env("GITHUB_ACTIONS", "true")
            .args(["plan", &from.url(), &to.url(), "--allow-destructive"])
            .output()
            .expect("run pgdrift plan");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 plan")
    };
    // Actual into expected: drops the attack objects. Expected into actual: creates them.
    let drops = plan(&expected, &actual);
    let creates = plan(&actual, &expected);
    for (what, script) in [("dropping plan", &drops), ("creating plan", &creates)] {
        for line in script.lines() {
            assert!(
                !line.trim_start().starts_with("::"),
                "{what} line from data: {line:?}\n{script}"
            );
        }
        assert_no_raw_hostile(what, script, &['\n']);
    }
    assert!(
        creates.contains("E'") && creates.contains("U&\""),
        "escapes used\n{creates}"
    );
    let psql = common::pg_dump().with_file_name("psql");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plan.sql");
    std::fs::write(&file, &creates).expect("write plan");
    let out = std::process::Command::new(&psql)
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &expected.url(),
            "-f",
        ])
        .arg(&file)
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql ran the plan: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        common::schema_dump(&expected),
        common::schema_dump(&actual),
        "the escaped plan made the databases equal"
    );
}

//! Shared by the report tests: fixed verdicts to render, and a validator per format that
//! checks a report the way its consumer reads it (XML parser, the official SARIF schema, JSON
//! shape, Markdown table rows, workflow-command lines, HTML injection).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pgdrift::diff::{ComparedObject, Finding, ObjectKind};
use pgdrift::evaluate::{CheckVerdict, Judged, Outcome, Verdict, WaiverNote};
use pgdrift::report::{Format, Relation, Relations};
use pgdrift::rules::{Category, Severity};
use serde_json::Value;

/// The (rule, object) of every finding of a JSON report, sorted.
pub fn findings(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .flat_map(|c| c["findings"].as_array().expect("findings").iter())
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["object"].as_str().expect("object").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[allow(clippy::too_many_arguments)]
fn judged(
    rule: &str,
    kind: ObjectKind,
    object: &str,
    group: (ObjectKind, &str),
    expected: Option<&str>,
    actual: Option<&str>,
    message: &str,
    severity: Severity,
    category: Category,
) -> Judged {
    Judged {
        finding: Finding {
            rule: pgdrift::rules::RuleId::parse(rule).expect("a rule id"),
            kind,
            object: object.into(),
            group: group.1.into(),
            group_kind: group.0,
            expected: expected.map(Into::into),
            actual: actual.map(Into::into),
            message: message.into(),
            path: None,
        },
        severity,
        category,
        waiver: None,
    }
}

fn compared(items: &[(ObjectKind, &str)]) -> Vec<ComparedObject> {
    items
        .iter()
        .map(|(kind, name)| ComparedObject {
            kind: *kind,
            name: (*name).into(),
        })
        .collect()
}

const VIEW_EXPECTED: &str = " SELECT c.id AS customer_id,\n    sum(o.total) AS revenue\n   FROM public.customers c\n     JOIN public.orders o ON o.customer_id = c.id\n  WHERE o.status = 'paid'::text\n  GROUP BY c.id;";
const VIEW_ACTUAL: &str = " SELECT c.id AS customer_id,\n    sum(o.total) AS revenue\n   FROM public.customers c\n     JOIN public.orders o ON o.customer_id = c.id\n  GROUP BY c.id;";

fn production_check() -> CheckVerdict {
    use ObjectKind::*;
    let mut column_order = judged(
        "column.order",
        Table,
        "public.products",
        (Table, "public.products"),
        Some("id, name, price"),
        Some("id, price, name"),
        "columns of table public.products are in a different order",
        Severity::Warning,
        Category::Cosmetic,
    );
    column_order.waiver = Some(WaiverNote {
        reason: "reordered by the 2024 hotfix; fixed by the Q3 rebuild".into(),
        expires: Some("2099-12-31".into()),
        policy_line: 30,
    });
    CheckVerdict {
        name: "production matches migrations".into(),
        expected: "migrations".into(),
        actual: "production".into(),
        policy_line: Some(14),
        fleet: None,
        outcome: Outcome::Compared {
            findings: vec![
                judged(
                    "column.type",
                    Column,
                    "public.orders.total",
                    (Table, "public.orders"),
                    Some("numeric(12,2)"),
                    Some("integer"),
                    "column public.orders.total has type numeric(12,2) in expected, integer in actual",
                    Severity::Error,
                    Category::Definition,
                ),
                judged(
                    "constraint.missing",
                    Constraint,
                    "public.order_items.order_items_order_id_fkey",
                    (Table, "public.order_items"),
                    Some("FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE"),
                    None,
                    "constraint public.order_items.order_items_order_id_fkey is missing",
                    Severity::Error,
                    Category::Presence,
                ),
                judged(
                    "column.extra",
                    Column,
                    "public.customers.legacy_code",
                    (Table, "public.customers"),
                    None,
                    Some("character varying(20)"),
                    "column public.customers.legacy_code is extra",
                    Severity::Error,
                    Category::Presence,
                ),
                judged(
                    "comment.mismatch",
                    Table,
                    "public.customers",
                    (Table, "public.customers"),
                    Some("People who can place orders"),
                    None,
                    "comment on table public.customers differs",
                    Severity::Warning,
                    Category::Cosmetic,
                ),
                judged(
                    "view.definition",
                    View,
                    "public.customer_revenue",
                    (View, "public.customer_revenue"),
                    Some(VIEW_EXPECTED),
                    Some(VIEW_ACTUAL),
                    "definition of view public.customer_revenue differs",
                    Severity::Error,
                    Category::Definition,
                ),
                column_order,
                judged(
                    "owner.mismatch",
                    Function,
                    "public.add_item(integer, integer)",
                    (Function, "public.add_item(integer, integer)"),
                    Some("shop_owner"),
                    Some("postgres"),
                    "function public.add_item(integer, integer) is owned by shop_owner in expected, postgres in actual",
                    Severity::Note,
                    Category::Access,
                ),
                judged(
                    "grant.extra",
                    Table,
                    "public.orders",
                    (Table, "public.orders"),
                    None,
                    Some("TRUNCATE to reporting"),
                    "TRUNCATE to reporting on table public.orders is extra (IGNORED: must not appear)",
                    Severity::Ignore,
                    Category::Access,
                ),
            ],
            compared: compared(&[
                (Schema, "public"),
                (Table, "public.customers"),
                (Table, "public.order_items"),
                (Table, "public.orders"),
                (Table, "public.products"),
                (Table, "public.reviews"),
                (View, "public.customer_revenue"),
                (Function, "public.add_item(integer, integer)"),
            ]),
        },
        fix: None,
    }
}

fn replica_check() -> CheckVerdict {
    CheckVerdict {
        name: "replica matches migrations".into(),
        expected: "migrations".into(),
        actual: "replica".into(),
        policy_line: Some(24),
        fleet: None,
        outcome: Outcome::Compared {
            findings: vec![],
            compared: compared(&[
                (ObjectKind::Table, "public.customers"),
                (ObjectKind::Table, "public.orders"),
                (ObjectKind::Table, "public.products"),
            ]),
        },
        fix: None,
    }
}

fn staging_check() -> CheckVerdict {
    CheckVerdict {
        name: "staging matches migrations".into(),
        expected: "migrations".into(),
        actual: "staging".into(),
        policy_line: Some(19),
        fleet: None,
        outcome: Outcome::Failed {
            errors: vec![
                "target staging: cannot connect to db.staging.internal:5432 as app (database \
                 app): connection refused"
                    .into(),
            ],
        },
        fix: None,
    }
}

fn unused_pattern() -> Judged {
    judged(
        "pattern.unused",
        ObjectKind::PolicyEntry,
        "exclude public.tmp_*",
        (ObjectKind::PolicyEntry, "policy line 9"),
        None,
        None,
        "exclude pattern `public.tmp_*` (line 9) matched nothing in this run",
        Severity::Note,
        Category::Policy,
    )
}

/// Drift in one check, a clean check, a waived and an ignored finding, a finding about the
/// policy: the policy is violated.
pub fn drift() -> Verdict {
    Verdict {
        checks: vec![production_check(), replica_check()],
        policy_findings: vec![unused_pattern()],
        fail_on: Severity::Error,
    }
}

/// As `drift`, plus a check whose target could not be read: the run is incomplete.
pub fn incomplete() -> Verdict {
    Verdict {
        checks: vec![production_check(), staging_check(), replica_check()],
        policy_findings: vec![unused_pattern()],
        fail_on: Severity::Error,
    }
}

/// Object names that try to break every format.
pub const HOSTILE: &[&str] = &[
    r#"we"ird"#,
    r"back\slash\",
    "<script>alert(1)</script>",
    "a]]>b",
    "a&b&amp;",
    "new\nline",
    "carriage\rreturn",
    "::error::pwned",
    "%0A%25",
    "pipe|in|name",
    "`tick``s`",
    "</details><img src=x onerror=alert(1)>",
    "emoji 🐘🚀",
    "\u{202E}gnp.exe",
    "\u{200F}rtl\u{200F}",
    "comma,colon:",
    "<!-- -->",
    "</script><script>document.body.dataset.pwned=1</script>",
];

/// Quote an identifier the way PostgreSQL prints it (always quoted here).
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A verdict whose every name, value and message carries hostile text.
pub fn hostile() -> Verdict {
    let mut findings = Vec::new();
    let mut objects = Vec::new();
    for (i, name) in HOSTILE.iter().enumerate() {
        let table = format!("public.{}", quoted(name));
        let column = format!("{table}.{}", quoted(name));
        objects.push(ComparedObject {
            kind: ObjectKind::Table,
            name: table.clone(),
        });
        findings.push(judged(
            "column.type",
            ObjectKind::Column,
            &column,
            (ObjectKind::Table, &table),
            Some(&format!("character varying({})", i + 1)),
            Some(&format!("text /* {name} */")),
            &format!("column {column} has type character varying in expected, text in actual"),
            if i % 3 == 2 {
                Severity::Warning
            } else {
                Severity::Error
            },
            Category::Definition,
        ));
        findings.push(judged(
            "constraint.missing",
            ObjectKind::Constraint,
            &format!("{table}.{}", quoted(&format!("{name}_fkey"))),
            (ObjectKind::Table, &table),
            Some(&format!(
                "FOREIGN KEY ({}) REFERENCES public.{}(id)",
                quoted(name),
                quoted(HOSTILE[(i + 1) % HOSTILE.len()])
            )),
            None,
            &format!("constraint of {table} is missing: {name}"),
            Severity::Error,
            Category::Presence,
        ));
    }
    let mut waived = judged(
        "comment.mismatch",
        ObjectKind::Table,
        "public.\"<b>bold</b>\"",
        (ObjectKind::Table, "public.\"<b>bold</b>\""),
        Some("comment with ``` fences ```\n</details>\n| a | b |"),
        Some("<script>alert('comment')</script>"),
        "comment on table public.\"<b>bold</b>\" differs",
        Severity::Warning,
        Category::Cosmetic,
    );
    waived.waiver = Some(WaiverNote {
        reason: "<i>because</i> | reasons\nwith a newline, and %0A".into(),
        expires: None,
        policy_line: 7,
    });
    findings.push(waived);
    objects.push(ComparedObject {
        kind: ObjectKind::Table,
        name: "public.\"<b>bold</b>\"".into(),
    });
    Verdict {
        checks: vec![
            CheckVerdict {
                name: "prod <script>alert('check')</script> | \"quoted\"\nnewline".into(),
                expected: "mig&rations".into(),
                actual: "prod<uction>".into(),
                policy_line: Some(3),
                fleet: None,
                outcome: Outcome::Compared {
                    findings,
                    compared: objects,
                },
                fix: None,
            },
            CheckVerdict {
                name: "::warning::fake".into(),
                expected: "a".into(),
                actual: "b".into(),
                policy_line: Some(8),
                fleet: None,
                outcome: Outcome::Failed {
                    errors: vec!["target b: <script>x</script>\nsecond line %0A ::error::x".into()],
                },
                fix: None,
            },
        ],
        policy_findings: vec![],
        fail_on: Severity::Error,
    }
}

/// Foreign keys of the fixture's targets.
pub fn relations() -> Relations {
    let rel = |from: &str, to: &str, name: &str| Relation {
        from: from.into(),
        to: to.into(),
        name: name.into(),
    };
    let mut r = Relations::new();
    r.insert(
        "migrations".into(),
        vec![
            rel(
                "public.order_items",
                "public.orders",
                "order_items_order_id_fkey",
            ),
            rel(
                "public.order_items",
                "public.products",
                "order_items_product_id_fkey",
            ),
            rel(
                "public.orders",
                "public.customers",
                "orders_customer_id_fkey",
            ),
            rel(
                "public.reviews",
                "public.products",
                "reviews_product_id_fkey",
            ),
        ],
    );
    r.insert(
        "production".into(),
        vec![
            rel(
                "public.order_items",
                "public.products",
                "order_items_product_id_fkey",
            ),
            rel(
                "public.orders",
                "public.customers",
                "orders_customer_id_fkey",
            ),
        ],
    );
    r
}

/// Start a Python 3 program (a stand-in HTTP server) with `args` and return it with the first
/// line it prints (where it listens). Its other output is thrown away.
pub fn python_server(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::process::{Command, Stdio};
    let mut child = Command::new("python3")
        .arg("-u")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}; install Python 3"));
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
        &mut line,
    )
    .expect("the server's first line");
    (child, line)
}

// ---- validators ------------------------------------------------------------------------------

/// Check a report the way its consumer would read it; panics with the reason.
pub fn validate(format: Format, text: &str) {
    match format {
        Format::Json => {
            let _: Value = serde_json::from_str(text).expect("JSON report parses");
        }
        Format::Junit => junit_valid(text),
        Format::Sarif => sarif_valid(text),
        Format::Markdown => markdown_valid(text),
        Format::CodeQuality => codequality_valid(text),
        Format::Html => html_valid(text),
        Format::Rdjson => rdjson_valid(text),
    }
}

/// Read the way JUnit's consumers read it: well-formed XML 1.0 by a strict parser (expat,
/// through Python's standard library: like the libxml2 GitLab parses with, and unlike the
/// lenient quick-xml, it refuses what XML 1.0 forbids, such as a reference to a control
/// character), then the JUnit model of the `junit-parser` crate: every suite's `tests`,
/// `failures` and `errors` agree with its cases, and so do the totals.
pub fn junit_valid(text: &str) {
    strict_xml(text);
    let report = junit_parser::from_reader(std::io::Cursor::new(text.as_bytes()))
        .unwrap_or_else(|e| panic!("junit-parser cannot read the JUnit XML: {e}\n{text}"));
    let mut cases = 0;
    for suite in &report.suites {
        let failed = suite.cases.iter().filter(|c| c.status.is_failure()).count();
        let errors = suite.cases.iter().filter(|c| c.status.is_error()).count();
        assert_eq!(
            (
                suite.tests as usize,
                suite.failures as usize,
                suite.errors as usize
            ),
            (suite.cases.len(), failed, errors),
            "suite `{}`: tests, failures and errors against its cases\n{text}",
            suite.name
        );
        for case in &suite.cases {
            assert!(!case.name.is_empty(), "a test case without a name\n{text}");
        }
        cases += suite.cases.len();
    }
    assert_eq!(report.tests as usize, cases, "the report's tests\n{text}");
}

/// Parse `text` with expat; panics with its message when it is not well-formed XML 1.0.
fn strict_xml(text: &str) {
    use std::io::Write;
    const PARSE: &str = "import sys, xml.etree.ElementTree as E\n\
                         E.fromstring(sys.stdin.buffer.read())";
    let mut child = std::process::Command::new("python3")
        .args(["-c", PARSE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "the JUnit check parses with Python's expat and cannot run python3: {e}; \
                 install Python 3 (Debian/Ubuntu: apt-get install python3)"
            )
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to python3");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "JUnit XML is not well-formed XML 1.0 (expat): {}\n{text}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

fn sarif_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = manifest_dir().join("tests/sarif-schema/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).expect("the vendored SARIF schema"),
        )
        .expect("the SARIF schema parses");
        jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

/// Valid against the official SARIF 2.1.0 schema, plus what GitHub code scanning demands:
/// every result has a physical location with a line of at least 1, rule descriptions stay under
/// 1024 characters, at most 25,000 results.
pub fn sarif_valid(text: &str) {
    let doc: Value = serde_json::from_str(text).expect("SARIF parses as JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF is not schema-valid:\n{}",
        errors.join("\n")
    );
    for run in doc["runs"].as_array().expect("runs") {
        let results = run["results"].as_array().expect("results");
        assert!(results.len() <= 25_000);
        for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
            for key in ["shortDescription", "fullDescription"] {
                let t = rule[key]["text"].as_str().expect("description");
                assert!(t.chars().count() < 1024, "{key} too long: {t}");
            }
        }
        for r in results {
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(!uri.is_empty() && !uri.contains('\\'), "uri `{uri}`");
            let line = loc["region"]["startLine"].as_u64().expect("startLine");
            assert!(line >= 1, "line {line}");
            assert!(
                r["partialFingerprints"]["primaryLocationLineHash"].is_string(),
                "fingerprint"
            );
            assert!(
                r["logicalLocations"].is_null(),
                "logical locations sit in locations"
            );
            assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
        }
    }
}

/// A draft-7 validator for the schema at `path` (relative to the crate).
fn draft7(path: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{path} does not compile: {e}"))
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// reviewdog's Diagnostic Format: valid against the schema of its documented format
/// (`tests/rdjson-schema`), every diagnostic with a severity and a rule id.
pub fn rdjson_valid(text: &str) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let doc: Value = serde_json::from_str(text).expect("rdjson parses as JSON");
    let errors = schema_errors(
        VALIDATOR.get_or_init(|| draft7("tests/rdjson-schema/rdjson.schema.json")),
        &doc,
    );
    assert!(
        errors.is_empty(),
        "rdjson is not schema-valid:\n{}",
        errors.join("\n")
    );
    for d in doc["diagnostics"].as_array().expect("diagnostics") {
        assert!(
            d["severity"].is_string() && d["code"]["value"].is_string(),
            "{d}"
        );
    }
}

fn codequality_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| draft7("tests/codequality-schema/codequality.schema.json"))
}

/// GitLab Code Quality: valid against the schema of GitLab's documented format
/// (`tests/codequality-schema`), with unique fingerprints (GitLab keys issues by them).
pub fn codequality_valid(text: &str) {
    let doc: Value = serde_json::from_str(text).expect("Code Quality parses as JSON");
    let errors = schema_errors(codequality_validator(), &doc);
    assert!(
        errors.is_empty(),
        "Code Quality is not schema-valid:\n{}",
        errors.join("\n")
    );
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in doc.as_array().expect("an array") {
        let fingerprint = issue["fingerprint"].as_str().unwrap_or_default();
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "fingerprints are unique: {issue}"
        );
    }
}

/// Every table row has exactly its columns: no name splits a row or adds a cell.
pub fn markdown_valid(text: &str) {
    let mut columns: Option<usize> = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = unescaped_pipes(line) - 1;
        match columns {
            None => columns = Some(cells),
            Some(n) => assert_eq!(n, cells, "a table row has the wrong cells: {line}"),
        }
    }
    // Raw HTML only from the report itself; inside code fences text is literal.
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open) if ticks.len() >= open.len() && line.trim_start_matches('`').is_empty() => {
                fence = None;
            }
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                for tag in tags(line) {
                    assert!(
                        ["br", "details", "summary"].contains(&tag.as_str()),
                        "element <{tag}> from the data in Markdown: {line}"
                    );
                }
            }
        }
    }
    assert!(fence.is_none(), "an unclosed code fence");
    assert!(
        text.len() < 1024 * 1024,
        "within GitHub's step summary limit"
    );
}

fn unescaped_pipes(line: &str) -> usize {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => n += 1,
            _ => {}
        }
    }
    n
}

/// Tag names in `text` (`<name` and `</name`), lower-cased.
fn tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        if !name.is_empty() {
            out.push(name.to_ascii_lowercase());
        }
    }
    out
}

/// Only the page's own elements — nothing from the data became markup — one script (ours),
/// and no way to reach the network.
pub fn html_valid(text: &str) {
    const OURS: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
        "p", "section", "div", "span", "small", "input", "label", "table", "thead", "tbody", "tr",
        "th", "td", "code", "a", "bdi", "details", "summary", "pre", "em", "svg", "defs", "marker",
        "path", "line", "g", "rect", "text", "script", "ol", "li", "button", "noscript",
    ];
    for tag in tags(text) {
        assert!(
            OURS.contains(&tag.as_str()),
            "element <{tag}> is not the report's own"
        );
    }
    assert_eq!(text.matches("<script").count(), 1, "exactly our one script");
    assert!(
        text.contains("Content-Security-Policy"),
        "the page forbids network access"
    );
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!text.contains(external), "external asset `{external}`");
    }
}

/// Each annotation is one workflow command on one line, its properties without raw `:` or `,`.
pub fn annotations_valid(text: &str) {
    for line in text.lines() {
        let rest = ["::error ", "::warning ", "::notice "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
        let (props, message) = rest
            .split_once("::")
            .unwrap_or_else(|| panic!("no message separator: {line:?}"));
        assert!(!message.contains(['\n', '\r']), "{line:?}");
        for prop in props.split(',') {
            let (key, value) = prop
                .split_once('=')
                .unwrap_or_else(|| panic!("property without value: {prop:?} in {line:?}"));
            assert!(["file", "line", "title", "col", "endLine", "endColumn"].contains(&key));
            assert!(!value.contains([':', ',']), "{line:?}");
        }
    }
    assert!(!text.contains('\r'));
}

/// The file a golden test compares against.
pub fn golden_path(name: &str) -> PathBuf {
    manifest_dir().join("tests/golden").join(name)
}

/// Compare with the golden file, or rewrite it with `UPDATE_GOLDEN=1`.
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    // Exactly `1`: an UPDATE_GOLDEN=0 or a stray empty variable must not turn every golden
    // test into one that rewrites its file and passes (`.ci/run` refuses to run with it set).
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("golden", "rendered")
            .to_string();
        panic!(
            "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review):\n{diff}"
        );
    }
}

// ---- headless Chromium -------------------------------------------------------------------------

/// The Chromium binary, or a failure that says how to install it.
pub fn chromium() -> PathBuf {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Some(path) = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        }) {
            return path;
        }
    }
    panic!(
        "the HTML report tests need headless Chromium and found none on PATH: install it \
         (Debian/Ubuntu: apt-get install chromium; .ci/run does this)"
    );
}

/// What a browser made of a page: the DOM after the scripts ran, and what it logged.
pub struct Rendered {
    pub dom: String,
    pub log: String,
}

/// Load `file` (with an optional `#fragment`) in headless Chromium and dump the DOM after the
/// page's scripts ran. A fresh profile every time, no network services.
pub fn load_in_chromium(file: &Path, fragment: &str) -> Rendered {
    load_in_chromium_with(file, fragment, &[])
}

/// As `load_in_chromium`, with more Chromium switches (`--window-size=W,H`,
/// `--log-net-log=FILE`, or `--screenshot=FILE` instead of dumping the DOM).
pub fn load_in_chromium_with(file: &Path, fragment: &str, extra: &[String]) -> Rendered {
    let browser = chromium();
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}{fragment}", file.display());
    let output = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .args((!extra.iter().any(|a| a.starts_with("--screenshot"))).then_some("--dump-dom"))
        .arg(&url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", browser.display()));
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let screenshot = extra.iter().any(|a| a.starts_with("--screenshot"));
    assert!(
        output.status.success() && (screenshot || dom.contains("</html>")),
        "Chromium failed on {url} ({}):\n{log}",
        output.status
    );
    Rendered { dom, log }
}

/// Messages the page's JavaScript logged as errors (uncaught exceptions, CSP violations).
pub fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
                || l.contains("Refused to")
        })
        .collect()
}

/// Load an HTML report and check what a person would see: the scripts ran without errors, one
/// row per finding, nothing from the data became an element.
pub fn check_html_in_browser(html: &str, findings: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.html");
    std::fs::write(&path, html).expect("write html");
    let page = load_in_chromium(&path, "");
    assert!(
        page.dom.contains("data-ready=\"1\""),
        "the page's script did not finish:\n{}",
        page.log
    );
    let errors = console_errors(&page.log);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    assert_eq!(
        page.dom.matches("<tr class=\"finding ").count(),
        findings,
        "one table row per finding"
    );
    assert!(
        page.dom.contains(&format!("data-shown=\"{findings}\"")),
        "every row shown before filtering"
    );
    assert!(!page.dom.contains("data-pwned"), "a name ran as script");
    html_valid_dom(&page.dom);
}

/// The DOM as the browser built it holds only the report's own elements and one script.
pub fn html_valid_dom(dom: &str) {
    assert_eq!(dom.matches("<script").count(), 1, "exactly our one script");
    for tag in tags(dom) {
        assert!(
            [
                "!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2",
                "h3", "p", "section", "div", "span", "small", "input", "label", "table", "thead",
                "tbody", "tr", "th", "td", "code", "a", "bdi", "details", "summary", "pre", "em",
                "svg", "defs", "marker", "path", "line", "g", "rect", "text", "script", "ol", "li",
                "button", "noscript",
            ]
            .contains(&tag.as_str()),
            "element <{tag}> in the browser's DOM is not the report's own"
        );
    }
}

/// A check with `n` drifted tables (`public.t_0000`, ...), each referencing the one at half its
/// number, as a schema of hundreds of related tables drifts after a bad migration; and their
/// foreign keys.
pub fn many_tables(n: usize) -> (Verdict, Relations) {
    let name = |i: usize| format!("public.t_{i:04}");
    let findings: Vec<Judged> = (0..n)
        .map(|i| {
            judged(
                "column.type",
                ObjectKind::Column,
                &format!("{}.amount", name(i)),
                (ObjectKind::Table, &name(i)),
                Some("numeric"),
                Some("integer"),
                "column type differs",
                Severity::Error,
                Category::Definition,
            )
        })
        .collect();
    let tables: Vec<String> = (0..n).map(name).collect();
    let check = CheckVerdict {
        name: "many".into(),
        expected: "migrations".into(),
        actual: "production".into(),
        policy_line: Some(1),
        fleet: None,
        fix: None,
        outcome: Outcome::Compared {
            findings,
            compared: tables
                .iter()
                .map(|t| ComparedObject {
                    kind: ObjectKind::Table,
                    name: t.clone(),
                })
                .collect(),
        },
    };
    with_parent_chain(check, n)
}

/// A mass difference, as when a whole environment was migrated by hand: `tables` tables
/// (`public.t_0000`, ...), each with an extra `SELECT to lab_reader` grant, and column findings
/// spread over them until there are `findings` in all; each table references the one at half
/// its number. The largest table number comes last in the report.
pub fn mass_difference(tables: usize, findings: usize) -> (Verdict, Relations) {
    let name = |i: usize| format!("public.t_{i:04}");
    let mut out: Vec<Judged> = (0..tables)
        .map(|i| {
            judged(
                "grant.extra",
                ObjectKind::Table,
                &name(i),
                (ObjectKind::Table, &name(i)),
                None,
                Some("SELECT to lab_reader"),
                &format!("SELECT to lab_reader on table {} is extra", name(i)),
                Severity::Error,
                Category::Access,
            )
        })
        .collect();
    for n in 0..findings.saturating_sub(tables) {
        let table = name(n % tables);
        let column = format!("{table}.c_{:02}", n / tables);
        let j = match n / tables % 4 {
            0 => judged(
                "column.missing",
                ObjectKind::Column,
                &column,
                (ObjectKind::Table, &table),
                Some("numeric(12,2) NOT NULL DEFAULT 0"),
                None,
                &format!("column {column} is missing"),
                Severity::Error,
                Category::Presence,
            ),
            1 => judged(
                "column.type",
                ObjectKind::Column,
                &column,
                (ObjectKind::Table, &table),
                Some("numeric(12,2)"),
                Some("integer"),
                &format!("column {column} has type numeric(12,2) in expected, integer in actual"),
                Severity::Error,
                Category::Definition,
            ),
            2 => judged(
                "column.default",
                ObjectKind::Column,
                &column,
                (ObjectKind::Table, &table),
                Some("now()"),
                None,
                &format!("default of column {column} differs"),
                Severity::Error,
                Category::Definition,
            ),
            _ => judged(
                "column.statistics",
                ObjectKind::Column,
                &column,
                (ObjectKind::Table, &table),
                Some("1000"),
                Some("-1"),
                &format!("statistics target of column {column} is 1000 in expected, -1 in actual"),
                Severity::Warning,
                Category::Definition,
            ),
        };
        out.push(j);
    }
    let check = CheckVerdict {
        name: "production matches migrations".into(),
        expected: "migrations".into(),
        actual: "production".into(),
        policy_line: Some(1),
        fleet: None,
        fix: None,
        outcome: Outcome::Compared {
            findings: out,
            compared: (0..tables)
                .map(|i| ComparedObject {
                    kind: ObjectKind::Table,
                    name: name(i),
                })
                .collect(),
        },
    };
    with_parent_chain(check, tables)
}

/// `check` as the one check of a verdict, and the relations of `tables` tables
/// (`public.t_0000`, ...) where each table references the one at half its number.
fn with_parent_chain(check: CheckVerdict, tables: usize) -> (Verdict, Relations) {
    let name = |i: usize| format!("public.t_{i:04}");
    let mut relations = Relations::new();
    relations.insert(
        "migrations".into(),
        (1..tables)
            .map(|i| Relation {
                from: name(i),
                to: name(i / 2),
                name: format!("t_{i:04}_parent_fkey"),
            })
            .collect(),
    );
    (
        Verdict {
            checks: vec![check],
            policy_findings: vec![],
            fail_on: Severity::Error,
        },
        relations,
    )
}

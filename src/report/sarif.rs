//! SARIF 2.1.0 for code scanning (GitHub and others): a small hand-written serde model of the
//! parts pgdrift fills. Every result has a physical location — GitHub rejects a whole upload
//! when one lacks it or has a line below 1 — pointing at the SQL file and line that define the
//! object when known, else at the check's line in the policy file; and stable fingerprints, so
//! an alert is tracked across runs. Stays inside GitHub's limits: 25,000 results per run, rule
//! descriptions under 1024 characters.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::{Context, Location, truncate, waiver_text};
use crate::diff::Finding;
use crate::evaluate::Outcome;
use crate::rules::{self, Severity};

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// GitHub code scanning keeps at most this many results of a run.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub's limit on rule descriptions (characters; we count bytes, which is stricter).
const MAX_DESCRIPTION: usize = 1023;
/// Long definitions make messages unreadable in an alert; the other reports carry them whole.
const MAX_MESSAGE: usize = 4000;

/// The fallback artifact when the run has no policy file (a library caller).
const DEFAULT_POLICY: &str = "schema-policy.toml";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// What code scanning reads besides the level: `precision` (how sure a finding is: a catalog
/// comparison is exact), `problem.severity` (error, warning, recommendation) and, for rules
/// about who may do what, `security-severity` (a CVSS-like score that makes the alert a
/// security alert, with the `security` tag).
#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

impl RuleProperties {
    fn new(id: &str, category: &'static str, severity: Severity) -> RuleProperties {
        let security = is_security_rule(id);
        let mut tags = vec!["schema-drift", category];
        if security {
            tags.push("security");
        }
        RuleProperties {
            tags,
            precision: "very-high",
            problem_severity: match severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note | Severity::Ignore => "recommendation",
            },
            // Medium: drift in who may read or change data, found exactly, but whether it is
            // exploitable depends on the role.
            security_severity: security.then_some("6.5"),
        }
    }
}

/// Rules about privileges, ownership and row-level security policies.
fn is_security_rule(id: &str) -> bool {
    let family = id.split('.').next().unwrap_or(id);
    matches!(
        family,
        "grant" | "owner" | "policy" | "default_privilege" | "user_mapping"
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'static>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// A waiver in the policy accepts the finding: code scanning shows it as dismissed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    check: &'a str,
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

pub fn render(ctx: &Context) -> String {
    let mut items = ctx.items();
    // Waived findings are accepted: like Code Quality, SARIF leaves them out unless asked,
    // since code scanning ignores `suppressions` and would open each as an alert.
    if !ctx.sarif_waived {
        items.retain(|i| i.judged.waiver.is_none());
    }
    let mut notifications = Vec::new();
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            for e in errors {
                notifications.push(Notification {
                    level: "error",
                    message: Text {
                        text: format!("check {} could not run: {e}", check.name),
                    },
                    locations: vec![physical(ctx, ctx.check_location(check), Vec::new())],
                });
            }
        }
    }
    if items.len() > MAX_RESULTS {
        // Keep the most severe; the sort is stable, so verdict order holds within a level.
        items.sort_by_key(|i| std::cmp::Reverse(i.judged.severity));
        let left_out = items.len() - MAX_RESULTS;
        items.truncate(MAX_RESULTS);
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{left_out} less severe findings were left out: code scanning keeps at most \
                     {MAX_RESULTS} results per run. The JSON report has them all."
                ),
            },
            locations: Vec::new(),
        });
    }

    let mut rule_ids: Vec<&str> = items
        .iter()
        .map(|i| i.judged.finding.rule.as_str())
        .collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Rule> = rule_ids.iter().map(|id| rule(id, ctx.docs_url)).collect();

    let results = items
        .iter()
        .map(|item| {
            let j = item.judged;
            let f = &j.finding;
            let logical = vec![LogicalLocation {
                fully_qualified_name: &f.object,
                kind: f.kind.as_str(),
            }];
            let hash = item.fingerprint();
            SarifResult {
                rule_id: f.rule.as_str(),
                rule_index: rule_ids.binary_search(&f.rule.as_str()).unwrap_or(0),
                level: level(j.severity),
                message: Text {
                    text: truncate(&message(f), MAX_MESSAGE),
                },
                locations: vec![physical(ctx, ctx.item_location(item), logical)],
                partial_fingerprints: BTreeMap::from([
                    // GitHub computes this one from the file's text when it is absent; every
                    // finding of a check points at the same policy line, so theirs would merge
                    // distinct findings into one alert. Ours is per check, rule and object.
                    ("primaryLocationLineHash", format!("{hash}:1")),
                    ("pgdrift/v1", hash),
                ]),
                suppressions: j
                    .waiver
                    .as_ref()
                    .map(|w| {
                        vec![Suppression {
                            kind: "external",
                            status: "accepted",
                            justification: waiver_text(j).unwrap_or_else(|| w.reason.clone()),
                        }]
                    })
                    .unwrap_or_default(),
                properties: ResultProperties {
                    check: item.check_name(),
                    category: j.category.as_str(),
                    expected: f.expected.as_deref(),
                    actual: f.actual.as_deref(),
                },
            }
        })
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "pgdrift",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: !ctx
                    .verdict
                    .checks
                    .iter()
                    .any(|c| matches!(c.outcome, Outcome::Failed { .. })),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    // Plain structs of strings and numbers always serialize.
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// The crate's repository or homepage from Cargo.toml; none when neither is set (the registry
/// page of the name would be another crate's: `pgdrift` on crates.io is not this project).
pub(super) fn information_uri() -> Option<&'static str> {
    const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
    const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");
    [REPOSITORY, HOMEPAGE].into_iter().find(|u| !u.is_empty())
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
        Severity::Ignore => "none",
    }
}

fn message(f: &Finding) -> String {
    super::describe(f)
}

/// The rule `id` as SARIF describes it; with `docs_url` (the published rule reference) it
/// links its section there (`helpUri`).
fn rule(id: &str, docs_url: Option<&str>) -> Rule {
    let name = id
        .split(['.', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    match rules::rule(id) {
        Some(r) => Rule {
            id: id.to_string(),
            name,
            help_uri: docs_url.map(|url| {
                let page = url.split_once('#').map_or(url, |(page, _)| page);
                format!("{page}#{}", rules::anchor(id))
            }),
            short_description: Text {
                text: truncate(r.summary, MAX_DESCRIPTION),
            },
            full_description: Text {
                text: truncate(r.explanation, MAX_DESCRIPTION),
            },
            help: Help {
                text: format!(
                    "{}\n\n`pgdrift rules {id}` explains this rule; the policy can change its \
                     severity or waive findings.",
                    r.explanation
                ),
                markdown: format!(
                    "**{}**\n\n{}\n\n`pgdrift rules {id}` explains this rule; the policy can \
                     change its severity or waive findings.",
                    r.summary, r.explanation
                ),
            },
            default_configuration: Configuration {
                level: level(r.default_severity),
            },
            properties: RuleProperties::new(id, r.category.as_str(), r.default_severity),
        },
        None => Rule {
            id: id.to_string(),
            name,
            help_uri: None,
            short_description: Text {
                text: format!("Finding {id}"),
            },
            full_description: Text {
                text: format!("A finding with rule id {id}, which this pgdrift does not list."),
            },
            help: Help {
                text: format!("`pgdrift rules` lists the known rules; {id} is not one of them."),
                markdown: format!(
                    "`pgdrift rules` lists the known rules; `{id}` is not one of them."
                ),
            },
            default_configuration: Configuration { level: "error" },
            properties: RuleProperties::new(id, "unknown", Severity::Error),
        },
    }
}

/// Characters a URI reference may not hold as they are (RFC 3986), besides controls.
const URI_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn physical<'a>(
    ctx: &Context,
    location: Option<Location>,
    logical: Vec<LogicalLocation<'a>>,
) -> SarifLocation<'a> {
    let (path, line) = match &location {
        Some(l) => (ctx.display_path(&l.path), l.line.max(1)),
        None => (DEFAULT_POLICY.to_string(), 1),
    };
    let encoded = utf8_percent_encode(&path, URI_ESCAPE).to_string();
    let uri = if path.starts_with('/') {
        format!("file://{encoded}")
    } else if encoded
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        // `a:b/policy.toml` would read as a URI with scheme `a`.
        format!("./{encoded}")
    } else {
        encoded
    };
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri },
            region: Region { start_line: line },
        },
        logical_locations: logical,
    }
}

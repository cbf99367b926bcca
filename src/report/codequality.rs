//! GitLab Code Quality JSON (`artifacts:reports:codequality`), the Code Climate issue subset
//! GitLab reads for the merge-request widget: description, check_name, fingerprint, severity
//! and location. A check that could not run is one blocker issue at its line in the policy.

use serde::Serialize;

use super::{Context, Location, brief, fingerprint};
use crate::evaluate::Outcome;
use crate::rules::{Category, Severity};

const DEFAULT_POLICY: &str = "schema-policy.toml";

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    categories: Vec<&'static str>,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's scale is info, minor, major, critical, blocker; `blocker` is kept for checks that
/// could not run at all.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "minor",
        Severity::Note | Severity::Ignore => "info",
    }
}

fn categories(c: Category) -> Vec<&'static str> {
    match c {
        Category::Presence | Category::Definition => vec!["Bug Risk"],
        Category::Access => vec!["Security"],
        Category::Cosmetic => vec!["Style"],
        Category::Policy => vec!["Clarity"],
    }
}

pub fn render(ctx: &Context) -> String {
    let location = |loc: Option<Location>| match loc {
        Some(l) => IssueLocation {
            path: ctx.display_path(&l.path),
            lines: Lines {
                begin: l.line.max(1),
            },
        },
        None => IssueLocation {
            path: DEFAULT_POLICY.into(),
            lines: Lines { begin: 1 },
        },
    };
    let mut issues = Vec::new();
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            issues.push(Issue {
                kind: "issue",
                description: format!(
                    "check {} could not run: {}",
                    check.name,
                    errors.join("; ").replace('\n', " ")
                ),
                check_name: "pgdrift.check_failed".into(),
                fingerprint: fingerprint(&[&check.name, "check_failed"]),
                severity: "blocker",
                categories: vec!["Bug Risk"],
                location: location(ctx.check_location(check)),
            });
        }
    }
    // A waived finding is accepted: it belongs in the full reports, not in the widget.
    for item in ctx.items().iter().filter(|i| i.judged.waiver.is_none()) {
        let j = item.judged;
        issues.push(Issue {
            kind: "issue",
            // GitLab shows the description, not check_name: the rule id goes in front.
            description: format!(
                "{}: {} [{}]",
                j.finding.rule,
                brief(&j.finding),
                item.check_name()
            ),
            check_name: j.finding.rule.to_string(),
            fingerprint: item.fingerprint(),
            severity: severity(j.severity),
            categories: categories(j.category),
            location: location(ctx.item_location(item)),
        });
    }
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}

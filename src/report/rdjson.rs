//! reviewdog's Diagnostic Format (`reviewdog -f=rdjson`): one diagnostic per finding with its
//! rule id as the code, its severity, and the file and line that define the object (or the
//! check's line in the policy), for reviewdog to post as pull-request review comments or check
//! annotations on any CI. Waived findings are left out, as in Code Quality and SARIF; a check
//! that could not run is an ERROR at its line in the policy.

use serde::Serialize;

use super::{Context, Location, brief};
use crate::evaluate::Outcome;
use crate::rules::Severity;

const DEFAULT_POLICY: &str = "schema-policy.toml";

#[derive(Serialize)]
struct DiagnosticResult {
    source: Source,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
}

#[derive(Serialize)]
struct Diagnostic {
    message: String,
    location: DiagnosticLocation,
    severity: &'static str,
    code: Code,
}

#[derive(Serialize)]
struct DiagnosticLocation {
    path: String,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct Code {
    value: String,
}

/// reviewdog's scale: ERROR, WARNING, INFO.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Note | Severity::Ignore => "INFO",
    }
}

pub fn render(ctx: &Context) -> String {
    let location = |loc: Option<Location>| {
        let (path, line) = match loc {
            Some(l) => (ctx.display_path(&l.path), l.line.max(1)),
            None => (DEFAULT_POLICY.to_string(), 1),
        };
        DiagnosticLocation {
            path,
            range: Range {
                start: Position { line, column: 1 },
            },
        }
    };
    let mut diagnostics = Vec::new();
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            diagnostics.push(Diagnostic {
                message: format!(
                    "check {} could not run: {}",
                    check.name,
                    errors.join("; ").replace('\n', " ")
                ),
                location: location(ctx.check_location(check)),
                severity: "ERROR",
                code: Code {
                    value: "pgdrift.check_failed".into(),
                },
            });
        }
    }
    for item in ctx.items().iter().filter(|i| i.judged.waiver.is_none()) {
        let j = item.judged;
        diagnostics.push(Diagnostic {
            message: format!("{} [{}]", brief(&j.finding), item.check_name()),
            location: location(ctx.item_location(item)),
            severity: severity(j.severity),
            code: Code {
                value: j.finding.rule.to_string(),
            },
        });
    }
    let result = DiagnosticResult {
        source: Source {
            name: "pgdrift",
            url: super::sarif::information_uri(),
        },
        diagnostics,
    };
    let mut out = serde_json::to_string_pretty(&result).unwrap_or_default();
    out.push('\n');
    out
}

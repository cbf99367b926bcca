//! The JSON report: the full verdict in a versioned format, for scripts and alerting.

use serde::{Deserialize, Serialize};

use crate::diff::{ComparedObject, ObjectKind};
use crate::evaluate::{CheckVerdict, Judged, Outcome, Status, Totals, Verdict, WaiverNote};
use crate::rules::{Category, Severity};

/// Bump when a field changes meaning or disappears; adding fields keeps the version.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    format_version: u32,
    tool: Tool,
    status: Status,
    summary: Summary,
    checks: Vec<Check<'a>>,
    /// Findings about the policy itself: expired waivers, patterns that matched nothing.
    policy_findings: Vec<Finding<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    checks: usize,
    checks_failed: usize,
    objects_compared: usize,
    objects_drifted: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    waived: usize,
    fail_on: Severity,
    by_rule: std::collections::BTreeMap<crate::rules::RuleId, usize>,
}

#[derive(Serialize)]
struct Check<'a> {
    name: &'a str,
    expected: &'a str,
    actual: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fleet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_line: Option<u32>,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<&'a str>,
    objects_compared: usize,
    objects_drifted: usize,
    findings: Vec<Finding<'a>>,
    /// Every top-level object compared, so `pgdrift merge` can rebuild complete reports.
    compared: &'a [ComparedObject],
}

#[derive(Serialize)]
struct Finding<'a> {
    check: &'a str,
    rule: &'a str,
    severity: Severity,
    category: Category,
    kind: ObjectKind,
    object: &'a str,
    group: &'a str,
    group_kind: ObjectKind,
    expected: Option<&'a str>,
    actual: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a WaiverNote>,
}

fn finding<'a>(check: &'a str, j: &'a Judged) -> Finding<'a> {
    Finding {
        check,
        rule: j.finding.rule.as_str(),
        severity: j.severity,
        category: j.category,
        kind: j.finding.kind,
        object: &j.finding.object,
        group: &j.finding.group,
        group_kind: j.finding.group_kind,
        expected: j.finding.expected.as_deref(),
        actual: j.finding.actual.as_deref(),
        message: &j.finding.message,
        waiver: j.waiver.as_ref(),
    }
}

/// Render the verdict as pretty-printed JSON (with a trailing newline).
pub fn render(verdict: &Verdict, status: Status) -> String {
    let totals: Totals = verdict.totals();
    let checks = verdict
        .checks
        .iter()
        .map(|c| {
            let (check_status, errors) = match &c.outcome {
                Outcome::Failed { errors } => {
                    ("error", errors.iter().map(String::as_str).collect())
                }
                Outcome::Compared { findings, .. } if findings.is_empty() => ("clean", vec![]),
                Outcome::Compared { .. } => ("drift", vec![]),
            };
            Check {
                name: &c.name,
                expected: &c.expected,
                actual: &c.actual,
                fleet: c.fleet.as_deref(),
                policy_line: c.policy_line,
                status: check_status,
                errors,
                objects_compared: c.compared().len(),
                objects_drifted: c.drifted_objects(),
                findings: c.findings().iter().map(|j| finding(&c.name, j)).collect(),
                compared: c.compared(),
            }
        })
        .collect();
    let report = Report {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "pgdrift",
            version: env!("CARGO_PKG_VERSION"),
        },
        status,
        summary: Summary {
            checks: totals.checks,
            checks_failed: totals.checks_failed,
            objects_compared: totals.objects_compared,
            objects_drifted: totals.objects_drifted,
            errors: totals.count(Severity::Error),
            warnings: totals.count(Severity::Warning),
            notes: totals.count(Severity::Note),
            waived: totals.waived,
            fail_on: verdict.fail_on,
            by_rule: totals.by_rule.clone(),
        },
        checks,
        policy_findings: verdict
            .policy_findings
            .iter()
            .map(|j| finding("", j))
            .collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

// ---- reading a report back (`pgdrift merge`) ----

#[derive(Deserialize)]
struct ReadReport {
    format_version: u32,
    summary: ReadSummary,
    checks: Vec<ReadCheck>,
    #[serde(default)]
    policy_findings: Vec<ReadFinding>,
}

#[derive(Deserialize)]
struct ReadSummary {
    fail_on: Severity,
}

#[derive(Deserialize)]
struct ReadCheck {
    name: String,
    expected: String,
    actual: String,
    #[serde(default)]
    fleet: Option<String>,
    #[serde(default)]
    policy_line: Option<u32>,
    status: String,
    #[serde(default)]
    errors: Vec<String>,
    findings: Vec<ReadFinding>,
    #[serde(default)]
    compared: Vec<ComparedObject>,
}

#[derive(Deserialize)]
struct ReadFinding {
    rule: crate::rules::RuleId,
    severity: Severity,
    category: Category,
    kind: ObjectKind,
    object: String,
    group: String,
    group_kind: ObjectKind,
    expected: Option<String>,
    actual: Option<String>,
    message: String,
    #[serde(default)]
    waiver: Option<WaiverNote>,
}

impl ReadFinding {
    fn judged(self) -> Judged {
        Judged {
            finding: crate::diff::Finding {
                rule: self.rule,
                kind: self.kind,
                object: self.object,
                group: self.group,
                group_kind: self.group_kind,
                expected: self.expected,
                path: None,
                actual: self.actual,
                message: self.message,
            },
            severity: self.severity,
            category: self.category,
            waiver: self.waiver,
        }
    }
}

/// Read a JSON report written by this format back into a verdict.
pub fn parse(text: &str) -> Result<Verdict, String> {
    let report: ReadReport =
        serde_json::from_str(text).map_err(|e| format!("not a pgdrift JSON report: {e}"))?;
    if report.format_version != FORMAT_VERSION {
        return Err(format!(
            "JSON report format version {} (this pgdrift reads {FORMAT_VERSION})",
            report.format_version
        ));
    }
    let checks = report
        .checks
        .into_iter()
        .map(|c| CheckVerdict {
            name: c.name,
            expected: c.expected,
            actual: c.actual,
            policy_line: c.policy_line,
            fleet: c.fleet,
            outcome: if c.status == "error" {
                Outcome::Failed { errors: c.errors }
            } else {
                Outcome::Compared {
                    findings: c.findings.into_iter().map(ReadFinding::judged).collect(),
                    compared: c.compared,
                }
            },
            fix: None,
        })
        .collect();
    Ok(Verdict {
        checks,
        policy_findings: report
            .policy_findings
            .into_iter()
            .map(ReadFinding::judged)
            .collect(),
        fail_on: report.summary.fail_on,
    })
}

/// Combine the verdicts of several shards of one run: every check once (a check in two files
/// keeps the first), policy findings once, the strictest fail level.
pub fn merge(verdicts: Vec<Verdict>) -> Verdict {
    let mut merged = Verdict::default();
    let mut fail_on: Option<Severity> = None;
    // A pattern unused in one shard may have matched in another: it is unused only if every
    // shard says so.
    let shards = verdicts.len();
    let unused_everywhere = |p: &Judged| {
        verdicts
            .iter()
            .filter(|v| v.policy_findings.contains(p))
            .count()
            == shards
    };
    let keep: Vec<Judged> = verdicts
        .iter()
        .flat_map(|v| &v.policy_findings)
        .filter(|p| p.finding.rule != crate::rules::RuleId::PatternUnused || unused_everywhere(p))
        .cloned()
        .collect();
    for v in verdicts {
        for c in v.checks {
            if !merged
                .checks
                .iter()
                .any(|m| m.name == c.name && m.actual == c.actual)
            {
                merged.checks.push(c);
            }
        }
        fail_on = Some(fail_on.map_or(v.fail_on, |f| f.min(v.fail_on)));
    }
    // Shards finish in any order: keep the policy's order of checks, then targets by name.
    merged.checks.sort_by(|a, b| {
        (
            a.policy_line,
            a.fleet.as_deref().unwrap_or(&a.name),
            &a.actual,
        )
            .cmp(&(
                b.policy_line,
                b.fleet.as_deref().unwrap_or(&b.name),
                &b.actual,
            ))
    });
    for p in keep {
        if !merged.policy_findings.contains(&p) {
            merged.policy_findings.push(p);
        }
    }
    merged.fail_on = fail_on.unwrap_or(Severity::Error);
    merged
}

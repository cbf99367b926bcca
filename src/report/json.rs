//! The JSON report: the full verdict in a versioned format, for scripts and alerting.

use serde::Serialize;

use crate::diff::ObjectKind;
use crate::evaluate::{Judged, Outcome, Status, Totals, Verdict, WaiverNote};
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
    by_rule: std::collections::BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct Check<'a> {
    name: &'a str,
    expected: &'a str,
    actual: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<&'a str>,
    objects_compared: usize,
    objects_drifted: usize,
    findings: Vec<Finding<'a>>,
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
        rule: &j.finding.rule,
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
                status: check_status,
                errors,
                objects_compared: c.compared().len(),
                objects_drifted: c.drifted_objects(),
                findings: c.findings().iter().map(|j| finding(&c.name, j)).collect(),
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

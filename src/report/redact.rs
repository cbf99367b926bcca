//! `--redact-bodies`: job summaries, logs and artifacts of public repositories are public, and
//! would carry production function bodies, view queries and comments. Redacted, every report
//! (and the terminal summary) shows a short hash in their place: two sides still compare as
//! different or equal at a glance, and the text stays in the database.

use crate::diff::Finding;
use crate::evaluate::{Outcome, Verdict};
use crate::model::ObjectKind;

/// Whether a finding's values are a body (a routine, query, trigger, rule or policy
/// definition) or a comment.
fn holds_a_body(f: &Finding) -> bool {
    f.rule.as_str().starts_with("comment.")
        || matches!(
            f.kind,
            ObjectKind::Function
                | ObjectKind::Procedure
                | ObjectKind::Aggregate
                | ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Trigger
                | ObjectKind::Rule
                | ObjectKind::Policy
                | ObjectKind::EventTrigger
        )
}

/// `<redacted 3f2a9c01e4b7d655, 12 lines>`: the same text gives the same hash.
fn token(text: &str) -> String {
    let lines = text.lines().count().max(1);
    format!(
        "<redacted {:016x}, {lines} line{}>",
        crate::text::fnv1a(text.as_bytes()),
        if lines == 1 { "" } else { "s" }
    )
}

/// The verdict with every body and comment replaced by its hash, in the values and in the
/// messages that quote them; fix scripts, which hold the bodies, are left out.
pub fn redact_bodies(verdict: &Verdict) -> Verdict {
    let mut out = verdict.clone();
    for check in &mut out.checks {
        if let Some(fix) = &mut check.fix {
            fix.script = "-- The fix script is left out (--redact-bodies): it holds the bodies. \
                          Run `pgdrift plan` where its output stays private.\n"
                .into();
        }
        if let Outcome::Compared { findings, .. } = &mut check.outcome {
            for j in findings.iter_mut() {
                let f = &mut j.finding;
                if !holds_a_body(f) {
                    continue;
                }
                for value in [&mut f.expected, &mut f.actual].into_iter().flatten() {
                    let hidden = token(value);
                    if value.len() > 2 {
                        f.message = f.message.replace(value.as_str(), &hidden);
                    }
                    *value = hidden;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Comparison;
    use crate::evaluate::{CheckVerdict, Fix, judge};
    use crate::rules::{RuleId, Severity};

    fn finding(rule: &str, kind: ObjectKind, e: &str, a: &str, message: &str) -> Finding {
        Finding {
            rule: RuleId::parse(rule).expect("rule"),
            kind,
            object: "public.f()".into(),
            group: "public.f()".into(),
            group_kind: kind,
            expected: Some(e.into()),
            actual: Some(a.into()),
            message: message.into(),
            path: None,
        }
    }

    #[test]
    fn bodies_and_comments_become_hashes_everywhere() {
        let secret_body = "BEGIN\n  RETURN 'internal-pricing-rule';\nEND";
        let verdict = Verdict {
            policy_findings: vec![],
            fail_on: Severity::Error,
            checks: vec![CheckVerdict {
                name: "c".into(),
                expected: "e".into(),
                actual: "a".into(),
                policy_line: None,
                fleet: None,
                outcome: judge(Comparison {
                    findings: vec![
                        finding(
                            "function.definition",
                            ObjectKind::Function,
                            secret_body,
                            "BEGIN RETURN 1; END",
                            "definition of function public.f() differs",
                        ),
                        finding(
                            "comment.mismatch",
                            ObjectKind::Table,
                            "customer ledger (contains PII)",
                            "ledger",
                            "comment on table public.t is \"customer ledger (contains PII)\"",
                        ),
                        finding(
                            "column.type",
                            ObjectKind::Column,
                            "bigint",
                            "integer",
                            "type differs",
                        ),
                    ],
                    compared: vec![],
                }),
                fix: Some(Fix {
                    steps: 1,
                    hazards: vec![],
                    not_planned: 0,
                    script: secret_body.into(),
                }),
            }],
        };
        let redacted = redact_bodies(&verdict);
        let text = serde_json::to_string(&redacted).expect("json");
        for secret in ["internal-pricing-rule", "PII", "ledger"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let findings = redacted.checks[0].findings();
        assert_eq!(
            findings[0].finding.expected.as_deref(),
            Some(token(secret_body).as_str())
        );
        assert!(token(secret_body).ends_with("3 lines>"));
        // Not a body: kept.
        assert_eq!(findings[2].finding.expected.as_deref(), Some("bigint"));
        // The same text, the same hash.
        assert_eq!(token("ledger"), token("ledger"));
        assert_ne!(token("ledger"), token("ledger2"));
    }
}

//! Evaluate: turn the findings of each check into a verdict — every finding with its final
//! severity — and decide whether the policy is violated. Pure: reports render the verdict, and
//! `main` maps it to an exit code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::{ComparedObject, Comparison, Finding};
use crate::rules::{self, Category, Severity};

/// A finding after the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    #[serde(flatten)]
    pub finding: Finding,
    pub severity: Severity,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Both sides were read and compared.
    Compared {
        findings: Vec<Judged>,
        compared: Vec<ComparedObject>,
    },
    /// A side could not be read: the check did not run.
    Failed { errors: Vec<String> },
}

/// The verdict of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckVerdict {
    pub name: String,
    pub expected: String,
    pub actual: String,
    /// Line of the check in the policy file, when it came from one.
    pub policy_line: Option<u32>,
    pub outcome: Outcome,
}

impl CheckVerdict {
    pub fn findings(&self) -> &[Judged] {
        match &self.outcome {
            Outcome::Compared { findings, .. } => findings,
            Outcome::Failed { .. } => &[],
        }
    }

    pub fn compared(&self) -> &[ComparedObject] {
        match &self.outcome {
            Outcome::Compared { compared, .. } => compared,
            Outcome::Failed { .. } => &[],
        }
    }

    /// Top-level objects with at least one finding that is not ignored.
    pub fn drifted_objects(&self) -> usize {
        let mut groups: Vec<&str> = self
            .findings()
            .iter()
            .filter(|j| j.severity != Severity::Ignore)
            .map(|j| j.finding.group.as_str())
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups.len()
    }
}

/// The verdict of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub checks: Vec<CheckVerdict>,
}

/// Counts over a verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub checks: usize,
    pub checks_failed: usize,
    pub objects_compared: usize,
    pub objects_drifted: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_rule: BTreeMap<String, usize>,
    pub by_category: BTreeMap<Category, usize>,
}

impl Totals {
    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity.get(&severity).copied().unwrap_or(0)
    }
}

/// The overall state of a run, which `main` maps to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every check ran and nothing violates the policy.
    Clean,
    /// Every check ran and some finding violates the policy.
    Violations,
    /// Some check could not run.
    Incomplete,
}

impl Verdict {
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            checks: self.checks.len(),
            ..Totals::default()
        };
        for check in &self.checks {
            if matches!(check.outcome, Outcome::Failed { .. }) {
                t.checks_failed += 1;
            }
            t.objects_compared += check.compared().len();
            t.objects_drifted += check.drifted_objects();
            for j in check.findings() {
                if j.severity == Severity::Ignore {
                    continue;
                }
                *t.by_severity.entry(j.severity).or_default() += 1;
                *t.by_rule.entry(j.finding.rule.clone()).or_default() += 1;
                *t.by_category.entry(j.category).or_default() += 1;
            }
        }
        t
    }

    /// Findings at or above `fail_on` violate the policy.
    pub fn status(&self, fail_on: Severity) -> Status {
        let mut violated = false;
        for check in &self.checks {
            match &check.outcome {
                Outcome::Failed { .. } => return Status::Incomplete,
                Outcome::Compared { findings, .. } => {
                    violated |= findings
                        .iter()
                        .any(|j| j.severity != Severity::Ignore && j.severity >= fail_on);
                }
            }
        }
        if violated {
            Status::Violations
        } else {
            Status::Clean
        }
    }
}

/// Judge the findings of one check. Until the policy carries severities, every rule keeps its
/// default.
pub fn judge(comparison: Comparison) -> Outcome {
    let findings = comparison
        .findings
        .into_iter()
        .map(|finding| {
            let (severity, category) = match rules::rule(&finding.rule) {
                Some(rule) => (rule.default_severity, rule.category),
                // A rule the registry does not know is a bug in the diff; never hide it.
                None => (Severity::Error, Category::Definition),
            };
            Judged {
                finding,
                severity,
                category,
            }
        })
        .collect();
    Outcome::Compared {
        findings,
        compared: comparison.compared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ObjectKind;

    fn finding(rule: &str, group: &str) -> Finding {
        Finding {
            rule: rule.into(),
            kind: ObjectKind::Column,
            object: format!("{group}.x"),
            group: group.into(),
            group_kind: ObjectKind::Table,
            expected: Some("a".into()),
            actual: Some("b".into()),
            message: "m".into(),
        }
    }

    fn check(findings: Vec<Finding>) -> CheckVerdict {
        CheckVerdict {
            name: "c".into(),
            expected: "e".into(),
            actual: "a".into(),
            policy_line: None,
            outcome: judge(Comparison {
                findings,
                compared: vec![
                    ComparedObject {
                        kind: ObjectKind::Table,
                        name: "public.t".into(),
                    },
                    ComparedObject {
                        kind: ObjectKind::Table,
                        name: "public.u".into(),
                    },
                ],
            }),
        }
    }

    #[test]
    fn default_severities_and_status() {
        let clean = Verdict {
            checks: vec![check(vec![])],
        };
        assert_eq!(clean.status(Severity::Error), Status::Clean);

        let warn_only = Verdict {
            checks: vec![check(vec![finding("comment.mismatch", "public.t")])],
        };
        assert_eq!(warn_only.status(Severity::Error), Status::Clean);
        assert_eq!(warn_only.status(Severity::Warning), Status::Violations);

        let errors = Verdict {
            checks: vec![check(vec![
                finding("column.type", "public.t"),
                finding("column.default", "public.t"),
                finding("column.order", "public.t"),
            ])],
        };
        assert_eq!(errors.status(Severity::Error), Status::Violations);
        let t = errors.totals();
        assert_eq!(t.count(Severity::Error), 2);
        assert_eq!(t.count(Severity::Warning), 1);
        assert_eq!(t.objects_compared, 2);
        assert_eq!(t.objects_drifted, 1);
        assert_eq!(t.by_rule.get("column.type"), Some(&1));
    }

    #[test]
    fn a_failed_check_makes_the_run_incomplete() {
        let v = Verdict {
            checks: vec![
                check(vec![finding("column.type", "public.t")]),
                CheckVerdict {
                    outcome: Outcome::Failed {
                        errors: vec!["boom".into()],
                    },
                    ..check(vec![])
                },
            ],
        };
        assert_eq!(v.status(Severity::Error), Status::Incomplete);
        assert_eq!(v.totals().checks_failed, 1);
    }
}

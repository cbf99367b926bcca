//! Evaluate: turn the findings of each check into a verdict — every finding with its final
//! severity — and decide whether the policy is violated. Pure: reports render the verdict, and
//! `main` maps it to an exit code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::{ComparedObject, Comparison, Finding, ObjectKind};
use crate::policy::{Date, Pattern, Settings};
use crate::rules::{Category, RuleId, Severity};

/// A finding after the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    #[serde(flatten)]
    pub finding: Finding,
    pub severity: Severity,
    pub category: Category,
    /// The waiver that accepts this finding: it stays in the reports and never fails the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

impl Judged {
    /// Whether this finding counts against the policy at `fail_on`.
    pub fn violates(&self, fail_on: Severity) -> bool {
        self.waiver.is_none() && self.severity != Severity::Ignore && self.severity >= fail_on
    }
}

/// Which waiver covers a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Line of the waiver in the policy file.
    pub policy_line: usize,
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
    /// For one target of a fleet: the check it belongs to (the policy's check name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<String>,
    pub outcome: Outcome,
    /// The plan that fixes the drift, as a SQL script, when the run was asked for one (for
    /// the Markdown report's "fix" section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The plan for a check, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub steps: usize,
    pub hazards: Vec<String>,
    pub not_planned: usize,
    pub script: String,
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
    /// Findings about the policy itself (expired waivers, patterns that matched nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_findings: Vec<Judged>,
    /// Findings at or above this severity violate the policy.
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
}

fn default_fail_on() -> Severity {
    Severity::Error
}

/// Counts over a verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub checks: usize,
    pub checks_failed: usize,
    pub objects_compared: usize,
    pub objects_drifted: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_rule: BTreeMap<RuleId, usize>,
    pub by_category: BTreeMap<Category, usize>,
    /// Findings accepted by a waiver (not in the counts above).
    pub waived: usize,
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
                t.count_finding(j);
            }
        }
        for j in &self.policy_findings {
            if j.severity != Severity::Ignore {
                t.count_finding(j);
            }
        }
        t
    }

    /// Whether every check ran, and whether any finding violates the policy.
    pub fn status(&self) -> Status {
        let mut violated = self
            .policy_findings
            .iter()
            .any(|j| j.violates(self.fail_on));
        for check in &self.checks {
            match &check.outcome {
                Outcome::Failed { .. } => return Status::Incomplete,
                Outcome::Compared { findings, .. } => {
                    violated |= findings.iter().any(|j| j.violates(self.fail_on));
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

impl Totals {
    fn count_finding(&mut self, j: &Judged) {
        if j.waiver.is_some() {
            self.waived += 1;
            return;
        }
        *self.by_severity.entry(j.severity).or_default() += 1;
        *self.by_rule.entry(j.finding.rule).or_default() += 1;
        *self.by_category.entry(j.category).or_default() += 1;
    }
}

/// Applies a policy's settings to the findings of every check of a run, and remembers which
/// patterns and waivers were used so the ones that matched nothing can be reported.
pub struct Judge<'a> {
    settings: &'a Settings,
    today: Date,
    include_used: Vec<bool>,
    exclude_used: Vec<bool>,
    waiver_used: Vec<bool>,
}

impl<'a> Judge<'a> {
    pub fn new(settings: &'a Settings, today: Date) -> Judge<'a> {
        Judge {
            settings,
            today,
            include_used: vec![false; settings.filter.include.len()],
            exclude_used: vec![false; settings.filter.exclude.len()],
            waiver_used: vec![false; settings.waivers.len()],
        }
    }

    /// Judge one check's comparison: drop what ignore rules and filters leave out, give every
    /// finding its severity, and mark waived ones.
    pub fn check(&mut self, comparison: Comparison) -> Outcome {
        let compared = comparison
            .compared
            .into_iter()
            .filter(|c| self.keeps(c.kind, None, &c.name, &c.name))
            .collect();
        let mut findings = Vec::with_capacity(comparison.findings.len());
        for f in comparison.findings {
            if !self.settings.ignores_rule(f.rule)
                && self.keeps(f.kind, Some(f.rule), &f.object, &f.group)
            {
                findings.push(self.judge(f));
            }
        }
        Outcome::Compared { findings, compared }
    }

    /// Whether a plan should fix this finding: the ignore rules and filters keep it, no waiver
    /// accepts it, and its severity is not `ignore` (a waived `index.extra` keeps its index).
    pub fn wants_fixed(&mut self, finding: &Finding) -> bool {
        if self.settings.ignores_rule(finding.rule)
            || !self.keeps(
                finding.kind,
                Some(finding.rule),
                &finding.object,
                &finding.group,
            )
        {
            return false;
        }
        let judged = self.judge(finding.clone());
        judged.waiver.is_none() && judged.severity != Severity::Ignore
    }

    /// Whether the filter keeps an object (and marks the patterns that matched it).
    fn keeps(&mut self, kind: ObjectKind, rule: Option<RuleId>, object: &str, group: &str) -> bool {
        let filter = &self.settings.filter;
        let family = rule.map(RuleId::family);
        if filter
            .exclude_kinds
            .iter()
            .any(|k| k == kind.as_str() || Some(k.as_str()) == family)
        {
            return false;
        }
        let hits = |p: &Pattern| p.matches(object) || p.matches(group);
        let mut excluded = false;
        for (i, p) in filter.exclude.iter().enumerate() {
            if hits(p) {
                self.exclude_used[i] = true;
                excluded = true;
            }
        }
        if excluded {
            return false;
        }
        if filter.include.is_empty() {
            return true;
        }
        let mut included = false;
        for (i, p) in filter.include.iter().enumerate() {
            if hits(p) {
                self.include_used[i] = true;
                included = true;
            }
        }
        included
    }

    fn judge(&mut self, finding: Finding) -> Judged {
        let rule = finding.rule.rule();
        let severity = self
            .settings
            .severity_for(finding.rule, rule.default_severity);
        let category = rule.category;
        let mut waiver = None;
        for (i, w) in self.settings.waivers.iter().enumerate() {
            let covers = w.rule.matches(finding.rule.as_str())
                && (w.object.matches(&finding.object) || w.object.matches(&finding.group));
            if !covers {
                continue;
            }
            self.waiver_used[i] = true;
            if waiver.is_none() && !w.expired(self.today) {
                waiver = Some(WaiverNote {
                    reason: w.reason.clone(),
                    expires: w.expires.map(|d| d.to_string()),
                    policy_line: w.line,
                });
            }
        }
        Judged {
            finding,
            severity,
            category,
            waiver,
        }
    }

    /// Findings about the policy itself, once every check is judged: expired waivers, and
    /// patterns and waivers that matched nothing in the run.
    pub fn finish(self) -> Vec<Judged> {
        let s = self.settings;
        let mut out = Vec::new();
        for w in &s.waivers {
            if let Some(expires) = w.expires.filter(|_| w.expired(self.today)) {
                out.push(policy_finding(
                    RuleId::WaiverExpired,
                    format!("waiver for {} on {}", w.rule.text, w.object.text),
                    w.line,
                    format!(
                        "the waiver for {} on {} (line {}) expired on {expires} and covers \
                         nothing any more: {}",
                        w.rule.text, w.object.text, w.line, w.reason
                    ),
                ));
            }
        }
        let unused = |what: &str, patterns: &[Pattern], used: &[bool], out: &mut Vec<Finding>| {
            for (p, _) in patterns.iter().zip(used).filter(|(_, u)| !**u) {
                out.push(policy_finding(
                    RuleId::PatternUnused,
                    format!("{what} {}", p.text),
                    p.line,
                    format!(
                        "{what} pattern `{}` (line {}) matched nothing in this run",
                        p.text, p.line
                    ),
                ));
            }
        };
        unused("include", &s.filter.include, &self.include_used, &mut out);
        unused("exclude", &s.filter.exclude, &self.exclude_used, &mut out);
        for (w, used) in s.waivers.iter().zip(&self.waiver_used) {
            if !used && !w.expired(self.today) {
                out.push(policy_finding(
                    RuleId::PatternUnused,
                    format!("waiver for {} on {}", w.rule.text, w.object.text),
                    w.line,
                    format!(
                        "the waiver for {} on {} (line {}) matched nothing in this run",
                        w.rule.text, w.object.text, w.line
                    ),
                ));
            }
        }
        out.into_iter()
            .map(|finding| {
                let rule = finding.rule.rule();
                let category = rule.category;
                Judged {
                    severity: s.severity_for(finding.rule, rule.default_severity),
                    finding,
                    category,
                    waiver: None,
                }
            })
            .collect()
    }
}

fn policy_finding(rule: RuleId, object: String, line: usize, message: String) -> Finding {
    Finding {
        rule,
        kind: ObjectKind::PolicyEntry,
        object,
        group: format!("policy line {line}"),
        group_kind: ObjectKind::PolicyEntry,
        expected: None,
        actual: None,
        message,
        path: None,
    }
}

/// Judge one comparison under the default policy (every rule at its default severity).
pub fn judge(comparison: Comparison) -> Outcome {
    let settings = Settings {
        ignore: crate::policy::Ignore {
            constraint_names: false,
            index_names: false,
            column_order: false,
            ..crate::policy::Ignore::default()
        },
        ..Settings::default()
    };
    Judge::new(&settings, Date::today()).check(comparison)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ObjectKind;
    use crate::policy::{Filter, SeverityOverride, Waiver};

    fn finding(rule: &str, object: &str, group: &str) -> Finding {
        Finding {
            rule: RuleId::parse(rule).expect("a rule id"),
            kind: ObjectKind::Column,
            object: object.into(),
            group: group.into(),
            group_kind: ObjectKind::Table,
            expected: Some("a".into()),
            actual: Some("b".into()),
            message: "m".into(),
            path: None,
        }
    }

    fn comparison(findings: Vec<Finding>) -> Comparison {
        Comparison {
            findings,
            compared: ["public.t", "public.u", "billing.v"]
                .iter()
                .map(|n| ComparedObject {
                    kind: ObjectKind::Table,
                    name: n.to_string(),
                })
                .collect(),
        }
    }

    fn date(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    fn pattern(p: &str) -> Pattern {
        Pattern::new(p, 7).expect("pattern")
    }

    /// Run the judge over one comparison and return the verdict.
    fn run(settings: &Settings, today: &str, findings: Vec<Finding>) -> Verdict {
        let mut judge = Judge::new(settings, date(today));
        let outcome = judge.check(comparison(findings));
        Verdict {
            checks: vec![CheckVerdict {
                name: "c".into(),
                expected: "e".into(),
                actual: "a".into(),
                policy_line: None,
                fleet: None,
                outcome,
                fix: None,
            }],
            policy_findings: judge.finish(),
            fail_on: settings.fail_on,
        }
    }

    fn rules_of(v: &Verdict) -> Vec<(&'static str, Severity, bool)> {
        v.checks[0]
            .findings()
            .iter()
            .chain(&v.policy_findings)
            .map(|j| (j.finding.rule.as_str(), j.severity, j.waiver.is_some()))
            .collect()
    }

    #[test]
    fn default_severities_status_and_totals() {
        let s = Settings::default();
        assert_eq!(run(&s, "2026-01-01", vec![]).status(), Status::Clean);
        let warn_only = run(
            &s,
            "2026-01-01",
            vec![finding("comment.mismatch", "public.t", "public.t")],
        );
        assert_eq!(warn_only.status(), Status::Clean);
        let strict = Settings {
            fail_on: Severity::Warning,
            ..Settings::default()
        };
        let warn_strict = run(
            &strict,
            "2026-01-01",
            vec![finding("comment.mismatch", "public.t", "public.t")],
        );
        assert_eq!(warn_strict.status(), Status::Violations);

        let errors = run(
            &s,
            "2026-01-01",
            vec![
                finding("column.type", "public.t.x", "public.t"),
                finding("column.default", "public.t.y", "public.t"),
                finding("comment.mismatch", "public.t", "public.t"),
            ],
        );
        assert_eq!(errors.status(), Status::Violations);
        let t = errors.totals();
        assert_eq!(t.count(Severity::Error), 2);
        assert_eq!(t.count(Severity::Warning), 1);
        assert_eq!(t.objects_compared, 3);
        assert_eq!(t.objects_drifted, 1);
        assert_eq!(t.by_rule.get(&RuleId::ColumnType), Some(&1));
    }

    #[test]
    fn a_failed_check_makes_the_run_incomplete() {
        let mut v = run(
            &Settings::default(),
            "2026-01-01",
            vec![finding("column.type", "public.t.x", "public.t")],
        );
        v.checks.push(CheckVerdict {
            outcome: Outcome::Failed {
                errors: vec!["boom".into()],
            },
            ..v.checks[0].clone()
        });
        assert_eq!(v.status(), Status::Incomplete);
        assert_eq!(v.totals().checks_failed, 1);
    }

    #[test]
    fn ignore_rules_drop_their_findings() {
        let findings = || {
            vec![
                finding("constraint.name", "public.t.c", "public.t"),
                finding("column.order", "public.t", "public.t"),
                finding("owner.mismatch", "public.t", "public.t"),
            ]
        };
        let defaults = run(&Settings::default(), "2026-01-01", findings());
        assert_eq!(
            rules_of(&defaults),
            vec![("owner.mismatch", Severity::Warning, false)]
        );
        let mut s = Settings::default();
        s.ignore.owners = true;
        s.ignore.column_order = false;
        assert_eq!(
            rules_of(&run(&s, "2026-01-01", findings())),
            vec![("column.order", Severity::Warning, false)]
        );
    }

    #[test]
    fn filters_and_unused_patterns() {
        let s = Settings {
            filter: Filter {
                include: vec![pattern("public.*"), pattern("nothing.*")],
                exclude: vec![pattern("public.u"), pattern("*.tmp_*")],
                exclude_kinds: vec!["grant".into()],
            },
            ..Settings::default()
        };
        let v = run(
            &s,
            "2026-01-01",
            vec![
                finding("column.type", "public.t.x", "public.t"),
                finding("column.type", "public.u.x", "public.u"),
                finding("column.type", "billing.v.x", "billing.v"),
                finding("grant.extra", "public.t", "public.t"),
            ],
        );
        let kept: Vec<&str> = v.checks[0]
            .findings()
            .iter()
            .map(|j| j.finding.object.as_str())
            .collect();
        assert_eq!(kept, ["public.t.x"]);
        let compared: Vec<&str> = v.checks[0]
            .compared()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(compared, ["public.t"]);
        let unused: Vec<&str> = v
            .policy_findings
            .iter()
            .map(|j| j.finding.object.as_str())
            .collect();
        assert_eq!(unused, ["include nothing.*", "exclude *.tmp_*"]);
        assert!(
            v.policy_findings
                .iter()
                .all(|j| j.severity == Severity::Note)
        );
        assert_eq!(v.status(), Status::Violations);
    }

    #[test]
    fn severities_override_defaults() {
        let s = Settings {
            severities: vec![
                SeverityOverride {
                    pattern: pattern("column.*"),
                    severity: Severity::Note,
                },
                SeverityOverride {
                    pattern: pattern("column.type"),
                    severity: Severity::Warning,
                },
            ],
            ..Settings::default()
        };
        let v = run(
            &s,
            "2026-01-01",
            vec![
                finding("column.type", "public.t.x", "public.t"),
                finding("column.default", "public.t.y", "public.t"),
            ],
        );
        assert_eq!(
            rules_of(&v),
            vec![
                ("column.type", Severity::Warning, false),
                ("column.default", Severity::Note, false),
            ]
        );
        assert_eq!(v.status(), Status::Clean);
    }

    #[test]
    fn waivers_cover_until_they_expire() {
        let s = Settings {
            waivers: vec![
                Waiver {
                    rule: pattern("index.extra"),
                    object: pattern("public.orders_hotfix_idx"),
                    reason: "DBA-123".into(),
                    expires: Some(date("2027-03-01")),
                    line: 30,
                },
                Waiver {
                    rule: pattern("table.*"),
                    object: pattern("public.gone"),
                    reason: "old".into(),
                    expires: None,
                    line: 40,
                },
            ],
            ..Settings::default()
        };
        let hotfix = || {
            vec![finding(
                "index.extra",
                "public.orders_hotfix_idx",
                "public.orders",
            )]
        };
        let before = run(&s, "2027-03-01", hotfix());
        assert_eq!(
            rules_of(&before),
            vec![
                ("index.extra", Severity::Error, true),
                ("pattern.unused", Severity::Note, false),
            ]
        );
        assert_eq!(before.status(), Status::Clean);
        assert_eq!(before.totals().waived, 1);
        let note = before.checks[0].findings()[0]
            .waiver
            .clone()
            .expect("waiver");
        assert_eq!(note.reason, "DBA-123");
        assert_eq!(note.policy_line, 30);

        let after = run(&s, "2027-03-02", hotfix());
        assert_eq!(
            rules_of(&after),
            vec![
                ("index.extra", Severity::Error, false),
                ("waiver.expired", Severity::Warning, false),
                ("pattern.unused", Severity::Note, false),
            ]
        );
        assert_eq!(after.status(), Status::Violations);
        assert!(
            after.policy_findings[0]
                .finding
                .message
                .contains("expired on 2027-03-01")
        );
    }
}

//! The terminal summary: findings grouped per check and per object, expected against actual
//! (multi-line definitions as a line diff), and totals by severity and rule at the end.
//! Every piece of data (names, messages, values, errors) goes through `visible` or
//! `visible_block` with its lines indented: the GitHub runner reads this text for workflow
//! commands, and a terminal obeys escape sequences.

use std::collections::BTreeMap;
use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use super::{visible, visible_block};
use crate::evaluate::{CheckVerdict, Judged, Outcome, Status, Verdict};
use crate::rules::Severity;

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<7}", s.as_str());
        match s {
            Severity::Error => self.paint("1;31", &label),
            Severity::Warning => self.paint("33", &label),
            Severity::Note => self.paint("36", &label),
            Severity::Ignore => self.dim(&label),
        }
    }
}

/// Values longer than this are shown on lines of their own even when they fit on one.
const INLINE_WIDTH: usize = 60;

pub fn render(verdict: &Verdict, status: Status, style: Style) -> String {
    let mut out = String::new();
    // Checks in policy order; the targets of a fleet together, as one block.
    let mut fleets_done: Vec<&str> = Vec::new();
    for check in &verdict.checks {
        match &check.fleet {
            None => render_check(&mut out, check, style),
            Some(fleet) if !fleets_done.contains(&fleet.as_str()) => {
                fleets_done.push(fleet);
                let members: Vec<&CheckVerdict> = verdict
                    .checks
                    .iter()
                    .filter(|c| c.fleet.as_deref() == Some(fleet))
                    .collect();
                render_fleet(&mut out, fleet, &members, style);
            }
            Some(_) => {}
        }
    }
    let policy: Vec<&Judged> = verdict
        .policy_findings
        .iter()
        .filter(|j| j.severity != Severity::Ignore)
        .collect();
    if !policy.is_empty() {
        let _ = writeln!(out, "{}", style.bold("policy"));
        for j in policy {
            render_finding(&mut out, j, style);
        }
        out.push('\n');
    }
    render_totals(&mut out, verdict, status, style);
    out
}

/// Names shown in a fleet line before "+N more".
const FLEET_NAMES: usize = 5;

fn name_list(names: &[&str]) -> String {
    let mut shown = names[..names.len().min(FLEET_NAMES)]
        .iter()
        .map(|n| visible(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > FLEET_NAMES {
        shown.push_str(&format!(", +{} more", names.len() - FLEET_NAMES));
    }
    shown
}

/// A fleet: identical drift grouped across targets ("37 targets: index.missing ..."), then the
/// targets that could not run and the drifted ones first, the clean ones counted.
fn render_fleet(out: &mut String, fleet: &str, members: &[&CheckVerdict], style: Style) {
    let failed: Vec<&&CheckVerdict> = members
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed { .. }))
        .collect();
    let shown = |c: &CheckVerdict| {
        c.findings()
            .iter()
            .filter(|j| j.severity != Severity::Ignore)
            .count()
    };
    let drifted: Vec<&&CheckVerdict> = members.iter().filter(|c| shown(c) > 0).collect();
    let _ = writeln!(
        out,
        "{} {} {}",
        style.bold("fleet"),
        style.bold(&visible(fleet)),
        style.dim(&format!(
            "({} targets, {} drifted, {} could not run)",
            members.len(),
            drifted.len(),
            failed.len()
        ))
    );
    // (rule, object) → severity, message, targets
    let mut same: BTreeMap<(crate::rules::RuleId, &str), (Severity, bool, Vec<&str>)> =
        BTreeMap::new();
    for c in members {
        for j in c
            .findings()
            .iter()
            .filter(|j| j.severity != Severity::Ignore)
        {
            let entry = same.entry((j.finding.rule, &j.finding.object)).or_insert((
                j.severity,
                j.waiver.is_some(),
                Vec::new(),
            ));
            entry.2.push(&c.actual);
        }
    }
    let mut groups: Vec<_> = same.into_iter().collect();
    // The most widespread drift first.
    groups.sort_by(|a, b| b.1.2.len().cmp(&a.1.2.len()).then(a.0.cmp(&b.0)));
    for ((rule, object), (severity, waived, targets)) in &groups {
        let label = if *waived {
            style.dim("waived ")
        } else {
            style.severity(*severity)
        };
        let count = if targets.len() == 1 {
            "1 target ".to_string()
        } else {
            format!("{} targets", targets.len())
        };
        let _ = writeln!(
            out,
            "  {count:>11} {label} {rule:<22} {}  {}",
            visible(object),
            style.dim(&format!("({})", name_list(targets)))
        );
    }
    for c in &failed {
        if let Outcome::Failed { errors } = &c.outcome {
            for e in errors {
                let first = e.lines().next().unwrap_or("");
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    style.red("could not run:"),
                    visible(&c.actual),
                    visible(first)
                );
            }
        }
    }
    if !drifted.is_empty() {
        let names: Vec<String> = drifted
            .iter()
            .map(|c| format!("{} ({})", visible(&c.actual), shown(c)))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let _ = writeln!(out, "  drifted: {}", name_list(&names));
    }
    let clean = members.len() - drifted.len() - failed.len();
    if clean > 0 {
        let _ = writeln!(out, "  {} {clean} targets without drift", style.green("✓"));
    }
    out.push('\n');
}

fn render_check(out: &mut String, check: &CheckVerdict, style: Style) {
    let _ = writeln!(
        out,
        "{} {} {}",
        style.bold("check"),
        style.bold(&visible(&check.name)),
        style.dim(&format!(
            "(expected: {}, actual: {})",
            visible(&check.expected),
            visible(&check.actual)
        ))
    );
    match &check.outcome {
        Outcome::Failed { errors } => {
            for e in errors {
                let e = visible_block(e);
                let mut lines = e.lines();
                let first = lines.next().unwrap_or("");
                let _ = writeln!(out, "  {} {}", style.red("could not run:"), first);
                for line in lines {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        Outcome::Compared { findings, compared } => {
            let shown: Vec<&Judged> = findings
                .iter()
                .filter(|j| j.severity != Severity::Ignore)
                .collect();
            if shown.is_empty() {
                let _ = writeln!(
                    out,
                    "  {} {} objects compared, no drift",
                    style.green("✓"),
                    compared.len()
                );
            }
            let mut groups: BTreeMap<(&str, &str), Vec<&Judged>> = BTreeMap::new();
            for j in shown {
                groups
                    .entry((j.finding.group_kind.as_str(), &j.finding.group))
                    .or_default()
                    .push(j);
            }
            for ((kind, group), items) in groups {
                let _ = writeln!(
                    out,
                    "\n  {} {}",
                    kind.replace('_', " "),
                    style.bold(&visible(group))
                );
                for j in items {
                    render_finding(out, j, style);
                }
            }
        }
    }
    out.push('\n');
}

fn render_finding(out: &mut String, j: &Judged, style: Style) {
    let f = &j.finding;
    let label = match &j.waiver {
        Some(_) => style.dim("waived "),
        None => style.severity(j.severity),
    };
    let _ = writeln!(out, "    {label} {:<22} {}", f.rule, visible(&f.message));
    let pad = "            ";
    if let Some(w) = &j.waiver {
        let until = w
            .expires
            .as_deref()
            .map(|d| format!(", until {}", visible(d)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad}{}",
            style.dim(&format!(
                "waiver (policy line {}{until}): {}",
                w.policy_line,
                visible(&w.reason)
            ))
        );
    }
    match (f.expected.as_deref(), f.actual.as_deref()) {
        (Some(e), Some(a)) if e.contains('\n') || a.contains('\n') => {
            let (e, a) = (visible_block(e), visible_block(a));
            let diff = TextDiff::from_lines(&e, &a);
            for (i, group) in diff.grouped_ops(2).into_iter().enumerate() {
                if i > 0 {
                    let _ = writeln!(out, "{pad}{}", style.dim("  ..."));
                }
                for op in group {
                    for change in diff.iter_changes(&op) {
                        let line = change.value().trim_end_matches('\n');
                        let _ = match change.tag() {
                            ChangeTag::Delete => {
                                writeln!(out, "{pad}{}", style.red(&format!("- {line}")))
                            }
                            ChangeTag::Insert => {
                                writeln!(out, "{pad}{}", style.green(&format!("+ {line}")))
                            }
                            ChangeTag::Equal => {
                                writeln!(out, "{pad}{}", style.dim(&format!("  {line}")))
                            }
                        };
                    }
                }
            }
            let _ = writeln!(out, "{pad}{}", style.dim("(- expected, + actual)"));
        }
        (Some(e), Some(a)) if e.len() + a.len() <= INLINE_WIDTH => {
            let _ = writeln!(
                out,
                "{pad}expected {}  actual {}",
                style.green(&visible(e)),
                style.red(&visible(a))
            );
        }
        (e, a) => {
            if let Some(e) = e {
                write_value(out, pad, "expected", e, style);
            }
            if let Some(a) = a {
                write_value(out, pad, "actual  ", a, style);
            }
        }
    }
}

fn write_value(out: &mut String, pad: &str, label: &str, value: &str, style: Style) {
    let value = visible_block(value);
    let mut lines = value.lines();
    let _ = writeln!(
        out,
        "{pad}{} {}",
        style.dim(label),
        lines.next().unwrap_or("")
    );
    for line in lines {
        let _ = writeln!(out, "{pad}         {line}");
    }
}

fn render_totals(out: &mut String, verdict: &Verdict, status: Status, style: Style) {
    let t = verdict.totals();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let counts = format!(
        "{}, {}, {}",
        plural(t.count(Severity::Error), "error"),
        plural(t.count(Severity::Warning), "warning"),
        plural(t.count(Severity::Note), "note"),
    );
    let share = if t.objects_compared == 0 {
        0.0
    } else {
        100.0 * t.objects_drifted as f64 / t.objects_compared as f64
    };
    let headline = match status {
        Status::Clean => style.green(&format!("✓ no policy violations ({counts})")),
        Status::Violations => style.red(&format!("✗ policy violated: {counts}")),
        Status::Incomplete => style.red(&format!(
            "✗ could not finish: {} of {} could not run ({counts})",
            t.checks_failed,
            plural(t.checks, "check")
        )),
    };
    let _ = writeln!(out, "{}", style.bold(&headline));
    if t.waived > 0 {
        let _ = writeln!(out, "  {} waived", plural(t.waived, "finding"));
    }
    let _ = writeln!(
        out,
        "  {} compared in {}, {} drifted ({share:.1}%)",
        plural(t.objects_compared, "object"),
        plural(t.checks, "check"),
        t.objects_drifted,
    );
    if !t.by_category.is_empty() {
        let cats: Vec<String> = t
            .by_category
            .iter()
            .map(|(c, n)| format!("{} {n}", c.as_str()))
            .collect();
        let _ = writeln!(out, "  by category: {}", cats.join(", "));
    }
    if !t.by_rule.is_empty() {
        let rules: Vec<String> = t.by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(out, "  by rule: {}", rules.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{ComparedObject, Comparison, Finding, ObjectKind};
    use crate::evaluate::{CheckVerdict, judge};

    fn verdict() -> Verdict {
        let finding = |rule: &str, object: &str, e: Option<&str>, a: Option<&str>| Finding {
            rule: crate::rules::RuleId::parse(rule).expect("a rule id"),
            kind: ObjectKind::Column,
            object: object.into(),
            group: "public.orders".into(),
            group_kind: ObjectKind::Table,
            expected: e.map(Into::into),
            actual: a.map(Into::into),
            message: format!("{rule} on {object}"),
            path: None,
        };
        Verdict {
            policy_findings: vec![],
            fail_on: Severity::Error,
            checks: vec![CheckVerdict {
                name: "prod".into(),
                expected: "migrations".into(),
                actual: "production".into(),
                policy_line: Some(3),
                fleet: None,
                outcome: judge(Comparison {
                    findings: vec![
                        finding(
                            "column.type",
                            "public.orders.total",
                            Some("numeric(12,2)"),
                            Some("integer"),
                        ),
                        finding(
                            "view.definition",
                            "public.v",
                            Some(" SELECT a,\n    b\n   FROM t;"),
                            Some(" SELECT a,\n    c\n   FROM t;"),
                        ),
                        finding("comment.mismatch", "public.orders", Some("Orders"), None),
                    ],
                    compared: vec![
                        ComparedObject {
                            kind: ObjectKind::Table,
                            name: "public.orders".into(),
                        },
                        ComparedObject {
                            kind: ObjectKind::Table,
                            name: "public.customers".into(),
                        },
                    ],
                }),
                fix: None,
            }],
        }
    }

    #[test]
    fn plain_summary() {
        let text = render(&verdict(), Status::Violations, Style::new(false));
        let expected = "\
check prod (expected: migrations, actual: production)

  table public.orders
    error   column.type            column.type on public.orders.total
            expected numeric(12,2)  actual integer
    error   view.definition        view.definition on public.v
               SELECT a,
            -     b
            +     c
                 FROM t;
            (- expected, + actual)
    warning comment.mismatch       comment.mismatch on public.orders
            expected Orders

✗ policy violated: 2 errors, 1 warning, 0 notes
  2 objects compared in 1 check, 1 drifted (50.0%)
  by category: definition 2, cosmetic 1
  by rule: column.type 1, comment.mismatch 1, view.definition 1
";
        assert_eq!(text, expected);
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!render(&verdict(), Status::Violations, Style::new(false)).contains('\x1b'));
        assert!(render(&verdict(), Status::Violations, Style::new(true)).contains("\x1b[1;31m"));
    }
}

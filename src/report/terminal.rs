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
    /// List every object of a group of identical findings, not the first few.
    verbose: bool,
}

impl Style {
    pub fn new(color: bool) -> Style {
        Style {
            color,
            verbose: false,
        }
    }

    /// Every name of a group of identical findings (`--verbose`).
    pub fn verbose(mut self, verbose: bool) -> Style {
        self.verbose = verbose;
        self
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
            let (same, shown) = identical_findings(shown);
            for group in &same {
                render_identical(out, group, style);
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

/// Findings this many or more that differ only in their object are shown as one line.
const IDENTICAL_MIN: usize = 4;

/// One difference on many objects: the same rule, severity, waiver and values.
struct Identical<'v> {
    first: &'v Judged,
    objects: Vec<&'v Judged>,
}

/// Split the findings of a check into groups of `IDENTICAL_MIN` or more that differ only in
/// their object (a grant extra on 1,150 tables, a column type changed the same way on 300
/// columns) and the rest, each in its first finding's order.
fn identical_findings<'v>(findings: Vec<&'v Judged>) -> (Vec<Identical<'v>>, Vec<&'v Judged>) {
    type Key<'v> = (
        &'v str,
        Severity,
        Option<&'v str>,
        Option<&'v str>,
        Option<&'v str>,
    );
    let key = |j: &'v Judged| -> Option<Key<'v>> {
        let f = &j.finding;
        // Multi-line values (definitions) differ in their own way: kept per object.
        let short = |v: &Option<String>| v.as_deref().is_none_or(|v| !v.contains('\n'));
        (short(&f.expected) && short(&f.actual)).then_some((
            f.rule.as_str(),
            j.severity,
            j.waiver.as_ref().map(|w| w.reason.as_str()),
            f.expected.as_deref(),
            f.actual.as_deref(),
        ))
    };
    let mut counts: BTreeMap<Key<'v>, usize> = BTreeMap::new();
    for j in &findings {
        if let Some(k) = key(j) {
            *counts.entry(k).or_default() += 1;
        }
    }
    let mut groups: Vec<(Key<'v>, Identical<'v>)> = Vec::new();
    let mut rest = Vec::new();
    for j in findings {
        match key(j).filter(|k| counts[k] >= IDENTICAL_MIN) {
            Some(k) => match groups.iter_mut().find(|(gk, _)| *gk == k) {
                Some((_, g)) => g.objects.push(j),
                None => groups.push((
                    k,
                    Identical {
                        first: j,
                        objects: vec![j],
                    },
                )),
            },
            None => rest.push(j),
        }
    }
    (groups.into_iter().map(|(_, g)| g).collect(), rest)
}

/// `grant.extra  SELECT to lab_reader on 1,150 tables and views` and the names.
fn render_identical(out: &mut String, group: &Identical, style: Style) {
    let j = group.first;
    let f = &j.finding;
    let label = match &j.waiver {
        Some(_) => style.dim("waived "),
        None => style.severity(j.severity),
    };
    let value = match (f.expected.as_deref(), f.actual.as_deref()) {
        (Some(e), Some(a)) => format!("expected {}, actual {}", visible(e), visible(a)),
        (Some(e), None) => visible(e),
        (None, Some(a)) => visible(a),
        (None, None) => String::new(),
    };
    let mut kinds: Vec<&str> = Vec::new();
    for o in &group.objects {
        let noun = o.finding.kind.noun();
        if !kinds.contains(&noun) {
            kinds.push(noun);
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|k| plural(k)).collect();
    let _ = writeln!(
        out,
        "\n  {label} {:<22} {value} on {} {}",
        f.rule,
        thousands(group.objects.len()),
        kinds.join(" and ")
    );
    let names: Vec<&str> = group
        .objects
        .iter()
        .map(|o| o.finding.object.as_str())
        .collect();
    let shown = if style.verbose {
        names
            .iter()
            .map(|n| visible(n))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        let mut list = name_list(&names);
        if names.len() > FLEET_NAMES {
            list.push_str(" (--verbose lists all)");
        }
        list
    };
    let _ = writeln!(out, "            {}", style.dim(&shown));
}

fn plural(noun: &str) -> String {
    if noun.ends_with('x') || noun.ends_with('s') {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// `1150` as `1,150`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    fn identical_findings_on_many_objects_are_one_line() {
        let mut v = verdict();
        let Outcome::Compared { findings, .. } = &mut v.checks[0].outcome else {
            panic!("compared");
        };
        let grant = findings[0].clone();
        for i in 0..1150 {
            let mut j = grant.clone();
            j.finding.rule = crate::rules::RuleId::parse("grant.extra").expect("rule");
            j.finding.kind = if i % 2 == 0 {
                ObjectKind::Table
            } else {
                ObjectKind::View
            };
            j.finding.object = format!("public.t{i:04}");
            j.finding.group = j.finding.object.clone();
            j.finding.expected = None;
            j.finding.actual = Some("SELECT to lab_reader".into());
            findings.push(j);
        }
        let text = render(&v, Status::Violations, Style::new(false));
        assert!(
            text.contains("grant.extra            SELECT to lab_reader on 1,150 tables and views"),
            "{text}"
        );
        assert!(
            text.contains("public.t0000, public.t0001, public.t0002, public.t0003, public.t0004, +1145 more (--verbose lists all)"),
            "{text}"
        );
        assert!(text.lines().count() < 40, "no wall:\n{text}");
        // The findings that differ in their own way keep their detail.
        assert!(text.contains("column.type"), "{text}");
        let verbose = render(&v, Status::Violations, Style::new(false).verbose(true));
        assert!(
            verbose.contains("public.t1149"),
            "every name with --verbose"
        );
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

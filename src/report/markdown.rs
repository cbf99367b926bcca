//! Markdown for `$GITHUB_STEP_SUMMARY` and merge-request notes: a headline verdict, a table of
//! findings per check, and per object a collapsible section with expected against actual as a
//! diff. GitHub accepts at most 1 MiB per step summary, so the report stops before that with a
//! note saying so. Object names are escaped for tables and HTML: a name with `|`, backticks, `<`
//! or a line break must not break a row or inject markup.

use std::fmt::Write;

use super::visible::is_hostile;
use super::{Context, Item, ObjectReport, line_diff, objects, visible, visible_block, waiver_text};
use crate::evaluate::{CheckVerdict, Judged, Outcome, Status};
use crate::rules::Severity;

/// Stay well inside GitHub's 1 MiB (1,048,576 bytes) step-summary limit.
pub const LIMIT: usize = 1_000_000;

pub fn render(ctx: &Context) -> String {
    render_with_limit(ctx, LIMIT)
}

/// Render, stopping before `limit` bytes with a note that says what was left out.
pub fn render_with_limit(ctx: &Context, limit: usize) -> String {
    let mut doc = Doc::new(limit);
    doc.push(&headline(ctx));
    for check in &ctx.verdict.checks {
        render_check(&mut doc, ctx, check);
    }
    let policy: Vec<Item> = ctx
        .items()
        .into_iter()
        .filter(|i| i.check.is_none())
        .collect();
    if !policy.is_empty() {
        doc.push(
            "\n### Policy\n\nFindings about the policy file itself.\n\n\
             | Severity | Rule | Entry | Message |\n| --- | --- | --- | --- |\n",
        );
        for item in policy {
            doc.push(&row(item.judged));
        }
    }
    doc.finish()
}

/// The document under construction: whole blocks are added while they fit.
struct Doc {
    out: String,
    limit: usize,
    full: bool,
    /// Blocks left out after the document was full.
    dropped: usize,
}

/// Room kept for the truncation note.
const NOTE_ROOM: usize = 400;

impl Doc {
    fn new(limit: usize) -> Doc {
        Doc {
            out: String::new(),
            limit,
            full: false,
            dropped: 0,
        }
    }

    fn push(&mut self, block: &str) {
        if !self.full && self.out.len() + block.len() + NOTE_ROOM <= self.limit {
            self.out.push_str(block);
        } else {
            self.full = true;
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> String {
        if self.full {
            let _ = write!(
                self.out,
                "\n\n---\n\n**This summary is truncated**: {} more parts (table rows, object \
                 details, checks) did not fit in GitHub's 1 MiB limit for job summaries. The \
                 JSON and HTML reports have every finding (SARIF the first {}).\n",
                self.dropped,
                crate::report::sarif::MAX_RESULTS
            );
        }
        self.out
    }
}

fn headline(ctx: &Context) -> String {
    let t = ctx.verdict.totals();
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
        plural(t.count(Severity::Note), "note")
    );
    let counts = if t.waived > 0 {
        format!("{counts}, {} waived", t.waived)
    } else {
        counts
    };
    let title = match ctx.status {
        Status::Clean => format!("✅ pgdrift: no policy violations ({counts})"),
        Status::Violations => format!("❌ pgdrift: policy violated ({counts})"),
        Status::Incomplete => format!(
            "⚠️ pgdrift: could not finish, {} of {} could not run ({counts})",
            t.checks_failed,
            plural(t.checks, "check")
        ),
    };
    let share = if t.objects_compared == 0 {
        0.0
    } else {
        100.0 * t.objects_drifted as f64 / t.objects_compared as f64
    };
    let mut out = format!(
        "## {title}\n\n{} compared in {}, {} drifted ({share:.1}%).\n",
        plural(t.objects_compared, "object"),
        plural(t.checks, "check"),
        t.objects_drifted
    );
    if !t.by_rule.is_empty() {
        let rules: Vec<String> = t
            .by_rule
            .iter()
            .map(|(r, n)| format!("`{r}` {n}"))
            .collect();
        let _ = writeln!(out, "\nBy rule: {}.", rules.join(", "));
    }
    out
}

fn render_check(doc: &mut Doc, ctx: &Context, check: &CheckVerdict) {
    let mut head = String::new();
    match &check.outcome {
        Outcome::Failed { errors } => {
            let _ = writeln!(head, "\n### ⚠️ {}: could not run\n", cell(&check.name));
            let _ = writeln!(
                head,
                "Expected {}, actual {}.\n",
                cell(&check.expected),
                cell(&check.actual)
            );
            let text = visible_block(&errors.join("\n"));
            let fence = fence_for(&text);
            let _ = writeln!(head, "{fence}\n{text}\n{fence}");
            doc.push(&head);
        }
        Outcome::Compared { compared, .. } => {
            let objects = objects(check);
            let drifted: Vec<&ObjectReport> =
                objects.iter().filter(|o| !o.findings.is_empty()).collect();
            let failing = drifted
                .iter()
                .any(|o| o.findings.iter().any(|j| j.violates(ctx.fail_on)));
            let mark = if drifted.is_empty() {
                "✅"
            } else if failing {
                "❌"
            } else {
                "⚠️"
            };
            let _ = writeln!(head, "\n### {mark} {}\n", cell(&check.name));
            let _ = write!(
                head,
                "Expected {}, actual {}: {} objects compared, ",
                cell(&check.expected),
                cell(&check.actual),
                compared.len()
            );
            if drifted.is_empty() {
                let _ = writeln!(head, "no drift.");
                doc.push(&head);
                return;
            }
            let _ = writeln!(head, "{} drifted.\n", drifted.len());
            head.push_str("| Severity | Rule | Object | Message |\n| --- | --- | --- | --- |\n");
            doc.push(&head);
            for object in &drifted {
                for j in &object.findings {
                    doc.push(&row(j));
                }
            }
            for object in &drifted {
                doc.push(&details(ctx, check, object));
            }
            if let Some(fix) = &check.fix {
                doc.push(&fix_section(fix));
            }
        }
    }
}

/// Lines of a plan shown in a report before it is cut (the whole plan: `pgdrift plan`).
const FIX_LINES: usize = 400;

/// The plan next to the drift, folded: a reviewer sees the SQL that would fix it.
fn fix_section(fix: &crate::evaluate::Fix) -> String {
    let mut summary = format!(
        "Fix: {} step{}",
        fix.steps,
        if fix.steps == 1 { "" } else { "s" }
    );
    if !fix.hazards.is_empty() {
        summary.push_str(&format!(" (hazards: {})", fix.hazards.join(", ")));
    }
    if fix.not_planned > 0 {
        summary.push_str(&format!(", {} not planned", fix.not_planned));
    }
    let script = visible_block(&fix.script);
    let lines: Vec<&str> = script.lines().collect();
    let mut text = lines[..lines.len().min(FIX_LINES)].join("\n");
    if lines.len() > FIX_LINES {
        text.push_str(&format!(
            "\n-- ... {} more lines: run `pgdrift plan` for the whole plan",
            lines.len() - FIX_LINES
        ));
    }
    let fence = fence_for(&text);
    format!(
        "\n<details><summary>{}</summary>\n\n{fence}sql\n{text}\n{fence}\n\n</details>\n",
        cell(&summary)
    )
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Note => "ℹ️ note",
        Severity::Ignore => "ignore",
    }
}

fn row(j: &Judged) -> String {
    let message = match waiver_text(j) {
        Some(w) => format!("{} *({})*", cell(&j.finding.message), cell(&w)),
        None => cell(&j.finding.message),
    };
    format!(
        "| {}{} | `{}` | {} | {message} |\n",
        severity_label(j.severity),
        if j.waiver.is_some() { ", waived" } else { "" },
        j.finding.rule,
        cell(&j.finding.object),
    )
}

fn details(ctx: &Context, check: &CheckVerdict, object: &ObjectReport) -> String {
    let mut out = String::new();
    let n = object.findings.len();
    let _ = write!(
        out,
        "\n<details><summary>{} {} — {n} finding{}</summary>\n\n",
        object.kind.noun(),
        html(object.name),
        if n == 1 { "" } else { "s" }
    );
    for j in &object.findings {
        let f = &j.finding;
        let _ = writeln!(
            out,
            "**{}** `{}` {}\n",
            severity_label(j.severity),
            f.rule,
            cell(&f.object)
        );
        if let Some(loc) = ctx.source_location(check, f) {
            let _ = writeln!(
                out,
                "Defined at {}:{}\n",
                cell(&ctx.display_path(&loc.path)),
                loc.line
            );
        }
        let mut lines = String::new();
        match (f.expected.as_deref(), f.actual.as_deref()) {
            (Some(e), Some(a)) => {
                for (tag, line) in line_diff(e, a) {
                    let _ = writeln!(lines, "{tag} {line}");
                }
            }
            (Some(e), None) => {
                for line in e.lines() {
                    let _ = writeln!(lines, "- {line}");
                }
            }
            (None, Some(a)) => {
                for line in a.lines() {
                    let _ = writeln!(lines, "+ {line}");
                }
            }
            (None, None) => {}
        }
        if !lines.is_empty() {
            let lines = visible_block(&lines);
            let fence = fence_for(&lines);
            let _ = writeln!(out, "{fence}diff\n{lines}{fence}\n");
        }
    }
    out.push_str("`-` expected, `+` actual\n\n</details>\n");
    out
}

/// A code fence longer than any run of backticks in `text`, so the text cannot close it.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// An `@` that mentions nobody: GitHub looks for `@name` within one piece of text, and the
/// empty comment splits it, so a role or table called `@org/team` pings no one when the report
/// is posted as a comment. It renders as a plain `@`.
const UNMENTIONED_AT: &str = "@<!-- -->";

/// Text for a table cell or running text: Markdown punctuation backslash-escaped, HTML special
/// characters as entities, line breaks as `<br>` (a raw line break would end the row).
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str(UNMENTIONED_AT),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            // `\u{1b}` with its backslash escaped, so Markdown shows it as written.
            c if is_hostile(c) => out.push_str(&visible(&c.to_string()).replace('\\', "\\\\")),
            c => out.push(c),
        }
    }
    out
}

/// Text inside HTML (`<summary>`): entities only; line breaks as spaces.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '@' => out.push_str(UNMENTIONED_AT),
            '\n' | '\r' => out.push(' '),
            c if is_hostile(c) => out.push_str(&visible(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_mention_nobody() {
        for text in [super::cell("@org/team and @alice"), super::html("@bob")] {
            assert!(!text.contains("@org") && !text.contains("@alice") && !text.contains("@bob"));
            assert!(text.contains("@<!-- -->"), "{text}");
        }
    }

    use super::*;

    #[test]
    fn cells_cannot_break_a_row() {
        let c = cell("a|b`c<script>\nd\\");
        assert_eq!(c, "a\\|b\\`c&lt;script&gt;<br>d\\\\");
        assert!(!c.contains('\n'));
    }

    #[test]
    fn fences_outlast_backticks() {
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}

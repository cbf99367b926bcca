//! A plan as text: a SQL script that `psql -v ON_ERROR_STOP=1 -f` runs as it is (and that can
//! be committed as the next migration), and a JSON document for scripts.

use std::fmt::Write;

use serde::Serialize;

use super::{Hazard, NotPlanned, Phase, Plan, Step};

/// The JSON document's format version.
pub const FORMAT_VERSION: u32 = 1;

/// What the script says about where the plan came from.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub expected: String,
    pub actual: String,
}

/// Text for a `--` comment line: no line breaks or other control characters, so an object
/// name can never end the comment and turn the rest of its line into SQL.
pub fn comment_text(s: &str) -> String {
    crate::report::visible(s)
}

fn step_comment(out: &mut String, n: usize, step: &Step) {
    let _ = writeln!(
        out,
        "-- {n}. {} {} {}",
        step.operation.as_str(),
        step.object.kind.noun(),
        comment_text(&step.object.display())
    );
    for f in &step.fixes {
        let _ = writeln!(out, "--    fixes {} {}", f.rule, comment_text(&f.object));
    }
    for r in &step.reason {
        let _ = writeln!(out, "--    because {}", comment_text(r));
    }
    if !step.hazards.is_empty() {
        let codes: Vec<&str> = step.hazards.iter().map(|h| h.code()).collect();
        let _ = writeln!(out, "--    hazards {}", codes.join(", "));
    }
}

/// A script rendered with an empty `actual` line, given its target's name.
pub fn render_with_header(body: &str, header: &Header) -> String {
    body.replacen(
        "-- actual:   \n",
        &format!("-- actual:   {}\n", comment_text(&header.actual)),
        1,
    )
}

/// The plan as a SQL script. Enum labels are added first, each committed on its own (outside
/// a transaction block); everything else runs in one transaction.
pub fn render(plan: &Plan, header: &Header) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgdrift plan: turns the actual schema into the expected one"
    );
    let _ = writeln!(out, "-- expected: {}", comment_text(&header.expected));
    let _ = writeln!(out, "-- actual:   {}", comment_text(&header.actual));
    let hazards = plan.hazards();
    let _ = writeln!(
        out,
        "-- {} steps{}",
        plan.steps.len(),
        if hazards.is_empty() {
            String::new()
        } else {
            let codes: Vec<&str> = hazards.iter().map(|h| h.code()).collect();
            format!("; hazards: {}", codes.join(", "))
        }
    );
    let _ = writeln!(out, "-- Run with: psql -v ON_ERROR_STOP=1 -f THIS_FILE");
    not_planned_comment(&mut out, &plan.not_planned);
    if plan.steps.is_empty() {
        let _ = writeln!(out, "-- Nothing to do.");
        return out;
    }
    let mut n = 0;
    let pre: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| s.phase == Phase::PreCommit)
        .collect();
    if !pre.is_empty() {
        let _ = writeln!(
            out,
            "\n-- New enum labels, each committed on its own: a label cannot be used in the \
             transaction that added it."
        );
        for step in pre {
            n += 1;
            out.push('\n');
            step_comment(&mut out, n, step);
            for sql in &step.sql {
                let _ = writeln!(out, "{sql}");
            }
        }
    }
    let _ = writeln!(out, "\nBEGIN;");
    let _ = writeln!(
        out,
        "-- Function bodies are not checked at creation: what they use may be created later."
    );
    let _ = writeln!(out, "SET LOCAL check_function_bodies = off;");
    for step in plan.steps.iter().filter(|s| s.phase == Phase::Transaction) {
        n += 1;
        out.push('\n');
        step_comment(&mut out, n, step);
        for sql in &step.sql {
            let _ = writeln!(out, "{sql}");
        }
    }
    let _ = writeln!(out, "\nCOMMIT;");
    let post: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| s.phase == Phase::PostCommit)
        .collect();
    if !post.is_empty() {
        let _ = writeln!(
            out,
            "\n-- After COMMIT, each statement on its own (--online): they cannot run inside a \
             transaction, and hold only light locks."
        );
        for step in post {
            n += 1;
            out.push('\n');
            step_comment(&mut out, n, step);
            for sql in &step.sql {
                let _ = writeln!(out, "{sql}");
            }
        }
    }
    out
}

fn not_planned_comment(out: &mut String, not_planned: &[NotPlanned]) {
    if not_planned.is_empty() {
        return;
    }
    let _ = writeln!(out, "--\n-- Not planned ({}):", not_planned.len());
    for np in not_planned {
        let _ = writeln!(
            out,
            "--   {} {}: {}",
            np.rule,
            comment_text(&np.object),
            comment_text(&np.reason)
        );
    }
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    expected: &'a str,
    actual: &'a str,
    hazards: Vec<Hazard>,
    steps: Vec<JsonStep<'a>>,
    not_planned: &'a [NotPlanned],
}

#[derive(Serialize)]
struct JsonStep<'a> {
    #[serde(flatten)]
    step: &'a Step,
    /// The object's display name, as findings name it.
    name: String,
}

/// The plan as JSON.
pub fn json(plan: &Plan, header: &Header) -> String {
    let doc = JsonPlan {
        format_version: FORMAT_VERSION,
        expected: &header.expected,
        actual: &header.actual,
        hazards: plan.hazards(),
        steps: plan
            .steps
            .iter()
            .map(|step| JsonStep {
                name: step.object.display(),
                step,
            })
            .collect(),
        not_planned: &plan.not_planned,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_out_of_a_comment() {
        assert_eq!(comment_text("a\nDROP TABLE x; --"), "a\\nDROP TABLE x; --");
        assert_eq!(comment_text("t\u{202e}x"), "t\\u{202e}x");
        assert_eq!(comment_text("bell\u{7}"), "bell\\u{7}");
    }
}

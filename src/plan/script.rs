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

/// A statement as the script prints it: the same statement, but every string, dollar-quoted
/// body and quoted name that holds a control, bidirectional or invisible character, or a line
/// that would start with `::`, is written with escapes (`E'...'`, `U&"..."`). Printed raw, a
/// name or body from the database could end a line and start a GitHub workflow command when
/// the script is shown in CI, or steer the terminal; the escaped statement does the same thing.
pub fn printable_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    use crate::sql::lexer::{TokenKind, tokenize};
    if !needs_escapes(sql) {
        return std::borrow::Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    for token in tokenize(sql) {
        let text = token.text;
        let replaced = match token.kind {
            TokenKind::String if needs_escapes(text) => {
                plain_string_value(text).map(escaped_literal)
            }
            TokenKind::DollarString if needs_escapes(text) => {
                dollar_body(text).map(escaped_literal)
            }
            TokenKind::QuotedIdent if text.chars().any(crate::report::visible::is_hostile) => {
                crate::sql::ident::unquoted(text).map(|name| unicode_ident(&name))
            }
            _ => None,
        };
        out.push_str(replaced.as_deref().unwrap_or(text));
    }
    std::borrow::Cow::Owned(out)
}

/// A control or other hostile character besides line breaks and tabs, or a line (after the
/// first) that starts with `::`.
fn needs_escapes(s: &str) -> bool {
    s.chars()
        .any(|c| c != '\n' && c != '\t' && crate::report::visible::is_hostile(c))
        || s.split('\n')
            .skip(1)
            .any(|line| line.trim_start().starts_with("::"))
}

/// The value of a standard string constant `'...'`.
fn plain_string_value(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// The body of `$tag$...$tag$`.
fn dollar_body(text: &str) -> Option<String> {
    let tag_end = text[1..].find('$')? + 2;
    let tag = &text[..tag_end];
    let body = text.strip_prefix(tag)?.strip_suffix(tag)?;
    Some(body.to_string())
}

/// `value` as an escape string constant: `E'...'` with line breaks, tabs and hostile characters
/// as backslash escapes (bytes below 0x80 as `\xNN`, which every server encoding reads).
fn escaped_literal(value: String) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    out.push_str("E'");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if crate::report::visible::is_hostile(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if crate::report::visible::is_hostile(c) => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `name` as a Unicode-escaped quoted identifier: `U&"a\000Ab"`.
fn unicode_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push_str("U&\"");
    for c in name.chars() {
        match c {
            '"' => out.push_str("\"\""),
            '\\' => out.push_str("\\\\"),
            c if crate::report::visible::is_hostile(c) => {
                let _ = write!(out, "\\+{:06X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_statements(out: &mut String, step: &Step) {
    for sql in &step.sql {
        let _ = writeln!(out, "{}", printable_sql(sql));
    }
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
            push_statements(&mut out, step);
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
        push_statements(&mut out, step);
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
            push_statements(&mut out, step);
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
    #[test]
    fn printable_sql_escapes_only_what_could_act() {
        use super::printable_sql;
        // Ordinary statements, multi-line ones included, are printed as they are.
        for sql in [
            "CREATE TABLE public.t (a int);",
            "COMMENT ON TABLE public.t IS 'two\nlines';",
            "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $body$\nSELECT 1\n$body$;",
        ] {
            assert_eq!(printable_sql(sql), sql);
        }
        assert_eq!(
            printable_sql("COMMENT ON TABLE public.t IS 'x\n::error::pwned';"),
            r"COMMENT ON TABLE public.t IS E'x\n::error::pwned';"
        );
        assert_eq!(
            printable_sql("DROP TABLE public.\"x\n::error::y\"\"z\";"),
            r#"DROP TABLE public.U&"x\+00000A::error::y""z";"#
        );
        assert_eq!(
            printable_sql("CREATE FUNCTION f() AS $body$SELECT 'it''s\x1b[31m \\'$body$;"),
            r"CREATE FUNCTION f() AS E'SELECT ''it''''s\x1b[31m \\''';"
        );
        assert_eq!(
            printable_sql("SELECT '\u{202e}gnp';"),
            r"SELECT E'\U0000202egnp';"
        );
        // Indented, a workflow command still counts.
        assert_eq!(
            printable_sql("SELECT 'a\n   ::warning::b';"),
            r"SELECT E'a\n   ::warning::b';"
        );
    }

    use super::*;

    #[test]
    fn names_cannot_break_out_of_a_comment() {
        assert_eq!(comment_text("a\nDROP TABLE x; --"), "a\\nDROP TABLE x; --");
        assert_eq!(comment_text("t\u{202e}x"), "t\\u{202e}x");
        assert_eq!(comment_text("bell\u{7}"), "bell\\u{7}");
    }
}

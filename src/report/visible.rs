//! Text from a database shown to people: object names, role names, comments, definitions and
//! messages can hold anything `CREATE TABLE "..."` accepts. Printed raw, a line break followed by
//! `::error ...` forges a GitHub workflow command (the runner reads every line of stdout and
//! stderr), ESC and OSC sequences rewrite the terminal, and bidirectional overrides make a name
//! read as another. Every human-readable output passes data through here; machine formats (JSON,
//! SARIF, JUnit, Code Quality) keep the exact text and rely on their own encoding.
//! A leaf: it depends on nothing else in the crate, so the plan's script comments and the
//! command line's own messages use it too.

use std::fmt::Write;

/// Characters a reader must see as an escape instead of having them act: C0 controls (line
/// breaks, tab, ESC, BEL, ...), DEL, C1 controls, bidirectional controls, zero-width and other
/// invisible formatting marks, and the Unicode line and paragraph separators.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` on one line with every hostile character shown as an escape (`\n`, `\r`, `\t`, `\\`
/// kept as is, others `\u{1b}`), so a name cannot end a line, start a workflow command, steer
/// the terminal or reorder what is read.
pub fn visible(s: &str) -> String {
    escape(s, false)
}

/// Like [`visible`] but keeps line breaks and tabs: for multi-line text (view and function
/// definitions, error messages) whose lines the caller indents or prefixes. A `\r` is still
/// shown, as it would return to the line's start. A line that would start with `::` after its
/// leading blanks (GitHub's runner trims them before it looks for a workflow command) shows its
/// first colon as `\u{3a}`.
pub fn visible_block(s: &str) -> String {
    let escaped = escape(s, true);
    if !escaped
        .split('\n')
        .any(|line| line.trim_start().starts_with("::"))
    {
        return escaped;
    }
    escaped
        .split('\n')
        .map(|line| {
            let blanks = line.len() - line.trim_start().len();
            if line[blanks..].starts_with("::") {
                format!("{}\\u{{3a}}{}", &line[..blanks], &line[blanks + 1..])
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape(s: &str, keep_lines: bool) -> String {
    if !s.chars().any(is_hostile) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' if keep_lines => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hostile(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_line_never_starts_a_workflow_command() {
        assert_eq!(
            visible_block("SELECT 'x\n   ::error file=a::pwned'\n::warning::b\nok :: fine"),
            "SELECT 'x\n   \\u{3a}:error file=a::pwned'\n\\u{3a}:warning::b\nok :: fine"
        );
        assert_eq!(visible_block("plain\n  text"), "plain\n  text");
    }

    #[test]
    fn controls_and_bidi_marks_become_visible_escapes() {
        assert_eq!(
            visible("x\n::error file=evil.sql,line=1::pwned"),
            "x\\n::error file=evil.sql,line=1::pwned"
        );
        assert_eq!(visible("a\x1b[31mb\x07"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(visible("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(visible("\u{202E}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(visible("a\u{7f}\u{85}\u{9f}b"), "a\\u{7f}\\u{85}\\u{9f}b");
        assert_eq!(
            visible("\u{200B}\u{200D}\u{FEFF}\u{2066}\u{061C}"),
            "\\u{200b}\\u{200d}\\u{feff}\\u{2066}\\u{61c}"
        );
        assert_eq!(visible("tab\there\r"), "tab\\there\\r");
        assert_eq!(visible("emoji 🐘 and ünïcödé"), "emoji 🐘 and ünïcödé");
    }

    #[test]
    fn blocks_keep_their_lines_but_nothing_else() {
        assert_eq!(
            visible_block("SELECT 1\n\tFROM t\r\n\x1b[2J"),
            "SELECT 1\n\tFROM t\\r\n\\u{1b}[2J"
        );
    }
}

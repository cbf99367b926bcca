//! A PostgreSQL SQL lexer: enough of the real grammar's lexical rules to split scripts into
//! statements the way psql does, and to compare bodies token by token (ignoring whitespace and
//! comments) without ever looking inside string literals, quoted identifiers or dollar quotes.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Whitespace,
    /// `-- ...` up to the end of the line.
    LineComment,
    /// `/* ... */`, nested as PostgreSQL nests them.
    BlockComment,
    /// `'...'`, `E'...'`, `B'...'`, `X'...'`, `U&'...'`, `N'...'`.
    String,
    /// `$tag$...$tag$`.
    DollarString,
    /// `"..."` (and `U&"..."`).
    QuotedIdent,
    /// Keywords and unquoted identifiers.
    Word,
    Number,
    /// `$1`.
    Param,
    /// `;`
    Semicolon,
    /// One punctuation character: `( ) , [ ] .`.
    Punct,
    /// A run of operator characters: `+ - * / < > = ~ ! @ # % ^ & | ` ? :`.
    Operator,
    /// A psql meta-command (`\restrict key`), from the backslash to the end of the line.
    MetaCommand,
    /// Something the lexer could not make sense of (an unterminated quote, a stray byte).
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    /// Byte offset in the input.
    pub start: usize,
}

impl Token<'_> {
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }

    fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(word)
    }
}

/// Split `sql` into tokens. Never fails: what cannot be lexed becomes `Unknown`, and an
/// unterminated quote runs to the end of the input (as the server would complain about it).
pub fn tokenize(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    // psql meta-commands start at the beginning of a line (after optional blanks).
    let mut at_line_start = true;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b'\x0c')
                {
                    if bytes[i] == b'\n' {
                        at_line_start = true;
                    }
                    i += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Whitespace,
                    text: &sql[start..i],
                    start,
                });
                continue;
            }
            b'\\' if at_line_start => {
                i = line_end(bytes, i);
                TokenKind::MetaCommand
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = line_end(bytes, i);
                TokenKind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i);
                TokenKind::BlockComment
            }
            b'\'' => {
                i = quoted_end(bytes, i + 1, b'\'', false);
                TokenKind::String
            }
            b'"' => {
                i = quoted_end(bytes, i + 1, b'"', false);
                TokenKind::QuotedIdent
            }
            b'e' | b'E' if bytes.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(bytes, i + 2, b'\'', true);
                TokenKind::String
            }
            b'b' | b'B' | b'x' | b'X' | b'n' | b'N' if bytes.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(bytes, i + 2, b'\'', false);
                TokenKind::String
            }
            b'u' | b'U'
                if bytes.get(i + 1) == Some(&b'&')
                    && matches!(bytes.get(i + 2), Some(b'\'') | Some(b'"')) =>
            {
                let quote = bytes[i + 2];
                i = quoted_end(bytes, i + 3, quote, false);
                if quote == b'\'' {
                    TokenKind::String
                } else {
                    TokenKind::QuotedIdent
                }
            }
            b'$' => match dollar_tag(bytes, i) {
                Some(tag_len) => {
                    let tag = &bytes[i..i + tag_len];
                    let body = i + tag_len;
                    i = find(bytes, body, tag).map_or(bytes.len(), |j| j + tag_len);
                    TokenKind::DollarString
                }
                None if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                    TokenKind::Param
                }
                None => {
                    i += 1;
                    TokenKind::Unknown
                }
            },
            b';' => {
                i += 1;
                TokenKind::Semicolon
            }
            b'(' | b')' | b',' | b'[' | b']' => {
                i += 1;
                TokenKind::Punct
            }
            b'.' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                TokenKind::Punct
            }
            b'0'..=b'9' | b'.' => {
                i = number_end(bytes, i);
                TokenKind::Number
            }
            c if is_ident_start(c) => {
                while i < bytes.len() && is_ident_continue(bytes[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            c if is_operator_char(c) => {
                // A comment start ends an operator, as in the server's lexer.
                while i < bytes.len()
                    && is_operator_char(bytes[i])
                    && !(i > start && bytes[i] == b'-' && bytes.get(i + 1) == Some(&b'-'))
                    && !(i > start && bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*'))
                {
                    i += 1;
                }
                TokenKind::Operator
            }
            _ => {
                i += utf8_len(c);
                TokenKind::Unknown
            }
        };
        at_line_start = false;
        let end = i.min(bytes.len());
        tokens.push(Token {
            kind,
            text: &sql[start..end],
            start,
        });
        i = end;
    }
    tokens
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_operator_char(c: u8) -> bool {
    b"+-*/<>=~!@#%^&|`?:".contains(&c)
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn block_comment_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// End of a quoted token whose body starts at `from`. A doubled quote stands for itself; with
/// `backslash`, `\x` escapes the next byte (E'' strings).
fn quoted_end(bytes: &[u8], from: usize, quote: u8, backslash: bool) -> usize {
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash && b == b'\\' {
            i += 2;
        } else if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Length of a dollar-quote opening tag (`$$` or `$tag$`) at `at`, if there is one.
fn dollar_tag(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    if bytes.get(i) == Some(&b'$') {
        return Some(2);
    }
    if !bytes.get(i).copied().is_some_and(is_ident_start) {
        return None;
    }
    while i < bytes.len() && is_ident_continue(bytes[i]) && bytes[i] != b'$' {
        i += 1;
    }
    (bytes.get(i) == Some(&b'$')).then_some(i + 1 - at)
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn number_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut seen_dot = false;
    let mut seen_exp = false;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' | b'_' => i += 1,
            b'.' if !seen_dot && !seen_exp && bytes.get(i + 1) != Some(&b'.') => {
                seen_dot = true;
                i += 1;
            }
            b'e' | b'E' if !seen_exp => {
                let mut j = i + 1;
                if matches!(bytes.get(j), Some(b'+') | Some(b'-')) {
                    j += 1;
                }
                if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                    seen_exp = true;
                    i = j;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    i
}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The statement text without the trailing semicolon, leading comments and whitespace
    /// trimmed.
    pub sql: &'a str,
    /// Byte offset of `sql` in the script.
    pub start: usize,
    /// 1-based line where `sql` starts.
    pub line: usize,
}

/// A piece of a script: a statement to run, or a psql meta-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptItem<'a> {
    Statement(Statement<'a>),
    MetaCommand(Statement<'a>),
}

/// Split a script into statements the way psql does: at top-level semicolons, except inside
/// the `BEGIN ATOMIC ... END` body of a SQL-standard function (where `CASE ... END` nests too).
pub fn split_script(sql: &str) -> Vec<ScriptItem<'_>> {
    let tokens = tokenize(sql);
    let mut items = Vec::new();
    let mut first: Option<usize> = None; // index of the statement's first significant token
    let mut words_seen = 0usize;
    let mut is_routine = false;
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut line_of_first = 1usize;
    let mut last_end = 0usize;
    for (idx, tok) in tokens.iter().enumerate() {
        if tok.kind == TokenKind::MetaCommand && first.is_none() {
            items.push(ScriptItem::MetaCommand(Statement {
                sql: tok.text.trim_end(),
                start: tok.start,
                line,
            }));
        } else if tok.kind == TokenKind::Semicolon && depth == 0 {
            if let Some(f) = first.take() {
                push_statement(&mut items, sql, tokens[f].start, tok.start, line_of_first);
            }
            words_seen = 0;
            is_routine = false;
        } else if !tok.is_trivia() {
            if first.is_none() {
                first = Some(idx);
                line_of_first = line;
            }
            if tok.kind == TokenKind::Word {
                words_seen += 1;
                // CREATE [OR REPLACE] FUNCTION|PROCEDURE: the first few words decide.
                if words_seen <= 4
                    && (tok.is_word("function") || tok.is_word("procedure"))
                    && tokens[first.unwrap_or(idx)].is_word("create")
                {
                    is_routine = true;
                }
                if is_routine {
                    if tok.is_word("begin") || tok.is_word("case") {
                        depth += 1;
                    } else if tok.is_word("end") && depth > 0 {
                        depth -= 1;
                    }
                }
            }
        }
        line += tok.text.bytes().filter(|&b| b == b'\n').count();
        last_end = tok.start + tok.text.len();
    }
    if let Some(f) = first {
        push_statement(&mut items, sql, tokens[f].start, last_end, line_of_first);
    }
    items
}

fn push_statement<'a>(
    items: &mut Vec<ScriptItem<'a>>,
    sql: &'a str,
    start: usize,
    end: usize,
    line: usize,
) {
    let text = sql[start..end].trim_end();
    if !text.is_empty() {
        items.push(ScriptItem::Statement(Statement {
            sql: text,
            start,
            line,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(TokenKind, &str)> {
        tokenize(sql)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, t.text))
            .collect()
    }

    fn statements(sql: &str) -> Vec<(&str, usize)> {
        split_script(sql)
            .into_iter()
            .filter_map(|i| match i {
                ScriptItem::Statement(s) => Some((s.sql, s.line)),
                ScriptItem::MetaCommand(_) => None,
            })
            .collect()
    }

    #[test]
    fn strings_identifiers_and_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds(r#"SELECT 'it''s', E'a\'b', "we""ird" -- c ; x"#),
            vec![
                (Word, "SELECT"),
                (String, "'it''s'"),
                (Punct, ","),
                (String, r"E'a\'b'"),
                (Punct, ","),
                (QuotedIdent, r#""we""ird""#),
                (LineComment, "-- c ; x"),
            ]
        );
        assert_eq!(
            kinds("/* a /* nested */ still */ 1.5e3"),
            vec![
                (BlockComment, "/* a /* nested */ still */"),
                (Number, "1.5e3")
            ]
        );
    }

    #[test]
    fn dollar_quotes_with_tags() {
        use TokenKind::*;
        assert_eq!(
            kinds("$fn$ select '$$'; $$ inner $$ $fn$ $1"),
            vec![
                (DollarString, "$fn$ select '$$'; $$ inner $$ $fn$"),
                (Param, "$1")
            ]
        );
    }

    #[test]
    fn operators_stop_at_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds("a<>b--x\n::int"),
            vec![
                (Word, "a"),
                (Operator, "<>"),
                (Word, "b"),
                (LineComment, "--x"),
                (Operator, "::"),
                (Word, "int")
            ]
        );
    }

    #[test]
    fn splits_like_psql() {
        let script = "-- header\nCREATE TABLE a (x text DEFAULT ';');\n\n\
                      CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND\n$$;\n\
                      CREATE FUNCTION g(x int) RETURNS int\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\n\
                      SELECT 1";
        let got = statements(script);
        assert_eq!(got.len(), 4, "{got:#?}");
        assert_eq!(got[0], ("CREATE TABLE a (x text DEFAULT ';')", 2));
        assert_eq!(got[1].1, 4);
        assert!(got[2].0.starts_with("CREATE FUNCTION g") && got[2].0.ends_with("END"));
        assert_eq!(got[2].1, 9);
        assert_eq!(got[3], ("SELECT 1", 14));
    }

    #[test]
    fn transaction_begin_is_not_a_block() {
        let got = statements("BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;");
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[test]
    fn meta_commands_are_separate() {
        let items = split_script("\\restrict abc\nSELECT 1;\n\\unrestrict abc\n");
        assert!(matches!(&items[0], ScriptItem::MetaCommand(s) if s.sql == "\\restrict abc"));
        assert!(
            matches!(&items[1], ScriptItem::Statement(s) if s.sql == "SELECT 1" && s.line == 2)
        );
        assert!(matches!(&items[2], ScriptItem::MetaCommand(s) if s.line == 3));
    }

    #[test]
    fn unterminated_quote_runs_to_end() {
        let toks = tokenize("SELECT 'abc");
        assert_eq!(toks.last().map(|t| t.text), Some("'abc"));
    }
}

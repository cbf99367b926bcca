//! CockroachDB's `SHOW CREATE` text as tokens: the project's SQL lexer, with comments and
//! whitespace reduced to "a space was here", and the database-name qualifier taken out of
//! three-part names (`movr.public.users` → `public.users`) so that two databases holding the
//! same schema under other names print the same. Only whole tokens are looked at: a database
//! name inside a string literal or a quoted identifier of another meaning is left alone.

use crate::sql::ident::unquoted;
use crate::sql::lexer::{TokenKind, tokenize};

/// A significant token, and whether whitespace (or a comment) came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tok<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub space: bool,
}

impl Tok<'_> {
    pub fn is(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(word)
    }

    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.kind, TokenKind::Punct | TokenKind::Operator) && self.text == p
    }

    /// The name an identifier token stands for: unquoted words fold to lower case.
    pub fn name(&self) -> Option<String> {
        match self.kind {
            TokenKind::Word => Some(self.text.to_lowercase()),
            TokenKind::QuotedIdent => unquoted(self.text),
            _ => None,
        }
    }
}

/// The significant tokens of `sql`, with the qualifier `database.` removed from names of three
/// parts whose first part is `database`.
pub(super) fn significant<'a>(sql: &'a str, database: &str) -> Vec<Tok<'a>> {
    let mut out: Vec<Tok<'a>> = Vec::new();
    let mut space = false;
    for t in tokenize(sql) {
        if t.is_trivia() {
            space = true;
            continue;
        }
        out.push(Tok {
            kind: t.kind,
            text: t.text,
            space,
        });
        space = false;
    }
    strip_database(out, database)
}

fn strip_database<'a>(tokens: Vec<Tok<'a>>, database: &str) -> Vec<Tok<'a>> {
    let is_ident = |t: &Tok<'_>| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent);
    let is_dot = |t: &Tok<'_>| t.kind == TokenKind::Punct && t.text == "." && !t.space;
    let mut out: Vec<Tok<'a>> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let three_parts = tokens.len() > i + 4
            && is_ident(&t)
            && t.name().as_deref() == Some(database)
            && is_dot(&tokens[i + 1])
            && is_ident(&tokens[i + 2])
            && !tokens[i + 2].space
            && is_dot(&tokens[i + 3])
            && is_ident(&tokens[i + 4])
            && !tokens[i + 4].space
            // Not the middle of a longer name (`x.movr.public.t`).
            && !out.last().is_some_and(|p| is_dot(p) && !t.space);
        if three_parts {
            let mut schema = tokens[i + 2];
            schema.space = t.space;
            out.push(schema);
            i += 3;
        } else {
            out.push(t);
            i += 1;
        }
    }
    out
}

/// The tokens as one line: a single space wherever the server put any whitespace.
pub(super) fn render(tokens: &[Tok<'_>]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && t.space {
            s.push(' ');
        }
        s.push_str(t.text);
    }
    s
}

/// `tokens` split at top-level commas (outside parentheses and brackets).
pub(super) fn split_commas<'t, 'a>(tokens: &'t [Tok<'a>]) -> Vec<&'t [Tok<'a>]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.text {
            "(" | "[" if t.kind == TokenKind::Punct => depth += 1,
            ")" | "]" if t.kind == TokenKind::Punct => depth = depth.saturating_sub(1),
            "," if t.kind == TokenKind::Punct && depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The index of the `)` that closes the `(` at `open`.
pub(super) fn closing(tokens: &[Tok<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.kind != TokenKind::Punct {
            continue;
        }
        match t.text {
            "(" | "[" => depth += 1,
            ")" | "]" => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The position of the first top-level token at or after `from` that `stop` accepts.
pub(super) fn find_top(
    tokens: &[Tok<'_>],
    from: usize,
    stop: impl Fn(&[Tok<'_>], usize) -> bool,
) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(from) {
        if depth == 0 && stop(tokens, i) {
            return i;
        }
        if t.kind == TokenKind::Punct {
            match t.text {
                "(" | "[" => depth += 1,
                ")" | "]" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    tokens.len()
}

/// A dotted name starting at `at` (`public.users`, `"My Schema".t`): its parts, and the index
/// after it.
pub(super) fn qualified_name(tokens: &[Tok<'_>], at: usize) -> (Vec<String>, usize) {
    let mut parts = Vec::new();
    let mut i = at;
    while let Some(name) = tokens.get(i).and_then(Tok::name) {
        parts.push(name);
        i += 1;
        if tokens.get(i).is_some_and(|t| t.is_punct(".")) {
            i += 1;
        } else {
            break;
        }
    }
    (parts, i)
}

/// The value of a string literal token: `'it''s'` → `it's`, `e'a\'b'` → `a'b`.
pub(super) fn string_value(token: &str) -> Option<String> {
    if let Some(inner) = token.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Some(inner.replace("''", "'"));
    }
    let inner = token
        .strip_prefix("e'")
        .or_else(|| token.strip_prefix("E'"))?
        .strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            },
            '\'' => {
                // A doubled quote.
                chars.next();
                out.push('\'');
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(sql: &str, db: &str) -> String {
        render(&significant(sql, db))
    }

    #[test]
    fn the_database_qualifier_goes_token_by_token() {
        assert_eq!(
            norm("SELECT a FROM movr.public.users", "movr"),
            "SELECT a FROM public.users"
        );
        // In a literal, in another database, or as a column of a two-part name: kept.
        assert_eq!(
            norm(
                "SELECT 'movr.public.users', movr.x FROM other.public.t",
                "movr"
            ),
            "SELECT 'movr.public.users', movr.x FROM other.public.t"
        );
        // Quoted, and in a cast.
        assert_eq!(
            norm("'a':::\"movr\".public.status", "movr"),
            "'a':::public.status"
        );
        // A quoted name that only folds to the database's name is another name.
        assert_eq!(
            norm("SELECT 1 FROM \"MOVR\".public.t", "movr"),
            "SELECT 1 FROM \"MOVR\".public.t"
        );
    }

    #[test]
    fn whitespace_and_comments_become_one_space() {
        assert_eq!(
            norm("CREATE TABLE  t (\n\ta INT8 -- note\n)", "db"),
            "CREATE TABLE t ( a INT8 )"
        );
        assert_eq!(norm("f(a,b)", "db"), "f(a,b)");
    }

    #[test]
    fn literals_decode() {
        assert_eq!(string_value("'it''s'").as_deref(), Some("it's"));
        assert_eq!(string_value("e'a\\'b'").as_deref(), Some("a'b"));
        assert_eq!(string_value("x"), None);
    }
}

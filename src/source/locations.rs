//! Source locations: for a target made of SQL files, the file and line of the statement that
//! last created or altered each object, so reports can point at
//! `db/migrations/0042_add_orders.sql:17`.
//!
//! Statements are recognised by their leading keywords with the SQL lexer (no server round
//! trip per statement). Names are resolved like the server would: unquoted identifiers fold to
//! lower case, and unqualified names take the first schema of the `search_path` the script has
//! set (default `public`). Keys are the qualified display names findings carry (`public.orders`,
//! `public.orders.total`, `public.orders_created_idx`); functions are keyed by `schema.name(`,
//! since their argument types are printed by the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{ObjectKind, ObjectPath};
use crate::sql::lexer::{Token, TokenKind, tokenize};

/// Where an object was last defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line of the statement's first token.
    pub line: usize,
}

/// Object display name → where it was last created or altered; comments apart, so a table's
/// findings point at the statement that shaped it rather than at a later `COMMENT ON`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations {
    by_object: HashMap<String, Location>,
    comments: HashMap<String, Location>,
}

impl Locations {
    /// The location of an object by its display name, or for a function by `schema.name(`.
    pub fn get(&self, object: &str) -> Option<&Location> {
        lookup(&self.by_object, object)
    }

    /// The `COMMENT ON` statement that last set an object's comment.
    pub fn comment(&self, object: &str) -> Option<&Location> {
        lookup(&self.comments, object)
    }

    /// The location of a finding's object, or else of the object it belongs to.
    pub fn find(&self, object: &str, group: &str) -> Option<&Location> {
        self.get(object).or_else(|| self.get(group))
    }

    /// Where a finding of `rule` points: a comment finding at the COMMENT that set it (else at
    /// the object), any other at the statement that created or changed the object.
    pub fn find_for(&self, rule: &str, object: &str, group: &str) -> Option<&Location> {
        if rule.starts_with("comment.")
            && let Some(at) = self.comment(object)
        {
            return Some(at);
        }
        self.find(object, group)
    }

    pub fn len(&self) -> usize {
        self.by_object.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_object.is_empty()
    }

    /// Record the objects one statement creates or alters. `search_path` is updated by
    /// `SET search_path` statements.
    pub fn record(&mut self, sql: &str, file: &Path, line: usize, search_path: &mut String) {
        let tokens: Vec<Token<'_>> = tokenize(sql)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        let is_comment = tokens
            .first()
            .is_some_and(|t| t.text.eq_ignore_ascii_case("comment"));
        let map = if is_comment {
            &mut self.comments
        } else {
            &mut self.by_object
        };
        for (key, offset) in objects_of(&tokens, search_path) {
            // The line of the token that names the object (a column inside CREATE TABLE is on
            // its own line), counted from the statement's first line.
            let at = Location {
                file: file.to_path_buf(),
                line: line + sql.get(..offset).map_or(0, |s| s.matches('\n').count()),
            };
            map.insert(key, at);
        }
    }
}

fn lookup<'m>(map: &'m HashMap<String, Location>, object: &str) -> Option<&'m Location> {
    map.get(object).or_else(|| {
        let (prefix, _) = object.split_once('(')?;
        map.get(&format!("{prefix}("))
    })
}

/// A cursor over a statement's significant tokens.
struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
    i: usize,
}

impl<'a> Cursor<'_, 'a> {
    fn peek_word(&self, word: &str) -> bool {
        self.tokens
            .get(self.i)
            .is_some_and(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(word))
    }

    /// The byte offset of the next token (the statement's end when there is none).
    fn offset(&self) -> usize {
        self.tokens
            .get(self.i)
            .or(self.tokens.last())
            .map_or(0, |t| t.start)
    }

    /// Consume `word` if it is next.
    fn eat(&mut self, word: &str) -> bool {
        let hit = self.peek_word(word);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// Consume any run of these words, in any order.
    fn skip(&mut self, words: &[&str]) {
        while words.iter().any(|w| self.peek_word(w)) {
            self.i += 1;
        }
    }

    fn eat_all(&mut self, words: &[&str]) -> bool {
        let start = self.i;
        for w in words {
            if !self.eat(w) {
                self.i = start;
                return false;
            }
        }
        true
    }

    /// An identifier: unquoted folds to lower case, quoted keeps its text.
    fn ident(&mut self) -> Option<String> {
        let t = self.tokens.get(self.i)?;
        let name = match t.kind {
            TokenKind::Word => t.text.to_lowercase(),
            TokenKind::QuotedIdent => crate::sql::ident::unquoted(t.text)?,
            _ => return None,
        };
        self.i += 1;
        Some(name)
    }

    /// A possibly qualified name: (schema, name).
    fn name(&mut self, search_path: &str) -> Option<(String, String)> {
        let first = self.ident()?;
        if self.tokens.get(self.i).is_some_and(|t| t.text == ".") {
            self.i += 1;
            let second = self.ident()?;
            return Some((first, second));
        }
        Some((search_path.to_string(), first))
    }

    /// Move to just after the next occurrence of `word` at any depth.
    fn seek(&mut self, word: &str) -> bool {
        while self.i < self.tokens.len() {
            if self.eat(word) {
                return true;
            }
            self.i += 1;
        }
        false
    }
}

/// An object directly in a schema, named as findings name it (`ObjectPath::display`: the kind
/// does not change how such a name prints).
fn display(schema: &str, name: &str) -> String {
    ObjectPath::in_schema(ObjectKind::Table, schema, name).display()
}

/// An object inside a table (a column, constraint, trigger, policy), named as findings name it.
fn child(schema: &str, table: &str, name: &str) -> String {
    ObjectPath::child(ObjectKind::Column, schema, table, name).display()
}

/// The display names of the objects a statement creates or alters, each with the byte offset
/// (in the statement) of the token that names it; 0 for the statement as a whole.
fn objects_of(tokens: &[Token<'_>], search_path: &mut String) -> Vec<(String, usize)> {
    let mut c = Cursor { tokens, i: 0 };
    let sp = search_path.clone();
    let mut out = Vec::new();
    if c.eat("set") {
        c.skip(&["session", "local"]);
        if c.eat("search_path") {
            c.i += 1; // TO or =
            if let Some(t) = tokens.get(c.i) {
                let raw = t.text.trim_matches('\'');
                let first = raw.split(',').next().unwrap_or(raw).trim();
                let first = first.trim_matches('"');
                if !first.is_empty() {
                    *search_path = if t.kind == TokenKind::QuotedIdent {
                        first.to_string()
                    } else {
                        first.to_lowercase()
                    };
                }
            }
        }
        return out;
    }
    if c.eat("create") {
        c.eat_all(&["or", "replace"]);
        c.skip(&[
            "temp",
            "temporary",
            "unlogged",
            "global",
            "local",
            "materialized",
            "recursive",
            "unique",
            "constraint",
            "trusted",
            "procedural",
        ]);
        let kind = tokens
            .get(c.i)
            .map(|t| t.text.to_lowercase())
            .unwrap_or_default();
        c.i += 1;
        c.eat("concurrently");
        c.eat_all(&["if", "not", "exists"]);
        match kind.as_str() {
            "table" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((display(&s, &n), 0));
                    out.extend(table_elements(&mut c, &s, &n));
                }
            }
            "view" | "sequence" | "type" | "domain" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((display(&s, &n), 0));
                }
            }
            "function" | "procedure" | "aggregate" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((format!("{}(", display(&s, &n)), 0));
                }
            }
            "index" => {
                let index = if c.peek_word("on") { None } else { c.ident() };
                if c.seek("on") {
                    c.eat("only");
                    if let (Some(index), Some((s, _))) = (index, c.name(&sp)) {
                        out.push((display(&s, &index), 0));
                    }
                }
            }
            "trigger" | "policy" | "rule" => {
                if let Some(name) = c.ident()
                    && c.seek("on")
                    && let Some((s, t)) = c.name(&sp)
                {
                    out.push((child(&s, &t, &name), 0));
                }
            }
            "schema" => {
                if let Some(n) = c.ident() {
                    out.push((ObjectPath::top(ObjectKind::Schema, &n).display(), 0));
                }
            }
            "extension" => {
                if let Some(n) = c.ident() {
                    out.push((ObjectPath::top(ObjectKind::Schema, &n).display(), 0));
                }
            }
            _ => {}
        }
        return out;
    }
    if c.eat("alter") {
        c.skip(&["materialized"]);
        let kind = tokens
            .get(c.i)
            .map(|t| t.text.to_lowercase())
            .unwrap_or_default();
        c.i += 1;
        c.eat_all(&["if", "exists"]);
        c.eat("only");
        match kind.as_str() {
            "table" => {
                let Some((s, t)) = c.name(&sp) else {
                    return out;
                };
                // The table itself, and the columns and constraints the statement names.
                while c.i < tokens.len() {
                    if c.eat("add") {
                        if c.eat("constraint") {
                            let at = c.offset();
                            if let Some(n) = c.ident() {
                                out.push((child(&s, &t, &n), at));
                            }
                        } else {
                            c.eat("column");
                            c.eat_all(&["if", "not", "exists"]);
                            let is_constraint =
                                ["primary", "unique", "foreign", "check", "exclude"]
                                    .iter()
                                    .any(|w| c.peek_word(w));
                            let at = c.offset();
                            if !is_constraint && let Some(n) = c.ident() {
                                out.push((child(&s, &t, &n), at));
                            }
                        }
                    } else if c.eat("alter") {
                        c.eat("column");
                        let at = c.offset();
                        if let Some(n) = c.ident() {
                            out.push((child(&s, &t, &n), at));
                        }
                    } else {
                        c.i += 1;
                    }
                }
                out.push((display(&s, &t), 0));
            }
            "view" | "sequence" | "type" | "domain" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((display(&s, &n), 0));
                }
            }
            "index" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((display(&s, &n), 0));
                }
            }
            "function" | "procedure" | "aggregate" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((format!("{}(", display(&s, &n)), 0));
                }
            }
            _ => {}
        }
        return out;
    }
    if c.eat("comment") && c.eat("on") {
        c.skip(&["materialized"]);
        let kind = tokens
            .get(c.i)
            .map(|t| t.text.to_lowercase())
            .unwrap_or_default();
        c.i += 1;
        match kind.as_str() {
            "table" | "view" | "sequence" | "type" | "domain" | "index" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((display(&s, &n), 0));
                }
            }
            "column" => {
                // schema.table.column or table.column
                let mut parts = Vec::new();
                while let Some(p) = c.ident() {
                    parts.push(p);
                    if tokens.get(c.i).is_some_and(|t| t.text == ".") {
                        c.i += 1;
                    } else {
                        break;
                    }
                }
                let key = match parts.as_slice() {
                    [t, col] => child(&sp, t, col),
                    [s, t, col] => child(s, t, col),
                    _ => return out,
                };
                out.push((key, 0));
            }
            "function" | "procedure" => {
                if let Some((s, n)) = c.name(&sp) {
                    out.push((format!("{}(", display(&s, &n)), 0));
                }
            }
            _ => {}
        }
    }
    out
}

/// The columns and named constraints of a `CREATE TABLE name ( ... )` list, each at the token
/// that names it. Unnamed constraints get their names from the server, so they keep the table's
/// line.
fn table_elements(c: &mut Cursor<'_, '_>, schema: &str, table: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if c.tokens.get(c.i).is_none_or(|t| t.text != "(") {
        return out;
    }
    c.i += 1;
    let mut depth = 1usize;
    let mut element_start = true;
    while c.i < c.tokens.len() && depth > 0 {
        let text = c.tokens[c.i].text;
        if element_start && depth == 1 {
            element_start = false;
            let table_constraint = ["primary", "unique", "foreign", "check", "exclude", "like"]
                .iter()
                .any(|w| c.peek_word(w));
            if !c.peek_word("constraint") && !table_constraint {
                let at = c.offset();
                if let Some(column) = c.ident() {
                    out.push((child(schema, table, &column), at));
                }
                continue;
            }
        }
        match text {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 1 => element_start = true,
            _ => {}
        }
        if c.eat("constraint") {
            let at = c.offset();
            if let Some(name) = c.ident() {
                out.push((child(schema, table, &name), at));
            }
            continue;
        }
        c.i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(script: &str) -> Locations {
        let mut locs = Locations::default();
        let mut sp = "public".to_string();
        for item in crate::sql::lexer::split_script(script) {
            if let crate::sql::lexer::ScriptItem::Statement(s) = item {
                locs.record(s.sql, Path::new("m.sql"), s.line, &mut sp);
            }
        }
        locs
    }

    fn line(locs: &Locations, object: &str) -> Option<usize> {
        locs.get(object).map(|l| l.line)
    }

    #[test]
    fn statements_name_their_objects() {
        let locs = record(
            "CREATE TABLE orders (id int);\n\
             CREATE UNIQUE INDEX IF NOT EXISTS orders_id_idx ON ONLY orders (id);\n\
             CREATE OR REPLACE FUNCTION Add_Item(a int) RETURNS int AS 'select 1' LANGUAGE sql;\n\
             CREATE TRIGGER t1 BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\n\
             CREATE POLICY p ON orders USING (true);\n\
             CREATE MATERIALIZED VIEW \"Totals\" AS SELECT 1;\n\
             SET search_path TO billing, public;\n\
             CREATE TYPE status AS ENUM ('a');\n\
             ALTER TABLE public.orders ADD COLUMN total numeric, ADD CONSTRAINT orders_total_check CHECK (total > 0), ALTER COLUMN id SET NOT NULL;\n\
             COMMENT ON COLUMN public.orders.total IS 'x';\n\
             CREATE EXTENSION IF NOT EXISTS pgcrypto;\n",
        );
        assert_eq!(line(&locs, "public.orders_id_idx"), Some(2));
        assert_eq!(line(&locs, "public.add_item(integer)"), Some(3));
        assert_eq!(line(&locs, "public.orders.t1"), Some(4));
        assert_eq!(line(&locs, "public.orders.p"), Some(5));
        assert_eq!(line(&locs, "public.\"Totals\""), Some(6));
        assert_eq!(line(&locs, "billing.status"), Some(8));
        assert_eq!(line(&locs, "public.orders"), Some(9), "altered later");
        assert_eq!(line(&locs, "public.orders.orders_total_check"), Some(9));
        assert_eq!(line(&locs, "public.orders.id"), Some(9));
        // The COMMENT does not move the column: it is where ALTER TABLE added it.
        assert_eq!(line(&locs, "public.orders.total"), Some(9));
        assert_eq!(
            locs.comment("public.orders.total").map(|l| l.line),
            Some(10)
        );
        assert_eq!(line(&locs, "pgcrypto"), Some(11));
        assert_eq!(
            locs.find("public.orders.missing_col", "public.orders")
                .map(|l| l.line),
            Some(9)
        );
    }

    #[test]
    fn columns_and_constraints_point_at_their_own_lines_and_comments_at_the_comment() {
        let locs = record(
            "CREATE TABLE orders (\n\
             \x20   id bigint PRIMARY KEY,\n\
             \x20   customer_id bigint CONSTRAINT orders_customer_fk REFERENCES customers (id),\n\
             \x20   total numeric(12, 2) DEFAULT 0,\n\
             \x20   CONSTRAINT orders_total_check CHECK (total >= 0),\n\
             \x20   UNIQUE (customer_id, total)\n\
             );\n\
             COMMENT ON TABLE orders IS 'all orders';\n\
             ALTER TABLE orders\n\
             \x20   ADD COLUMN note text;\n",
        );
        assert_eq!(line(&locs, "public.orders.id"), Some(2));
        assert_eq!(line(&locs, "public.orders.customer_id"), Some(3));
        assert_eq!(line(&locs, "public.orders.orders_customer_fk"), Some(3));
        assert_eq!(line(&locs, "public.orders.total"), Some(4));
        assert_eq!(line(&locs, "public.orders.orders_total_check"), Some(5));
        assert_eq!(line(&locs, "public.orders.note"), Some(10));
        // The table: its last structural statement, not the COMMENT between.
        assert_eq!(line(&locs, "public.orders"), Some(9));
        let at =
            |rule: &str, object: &str| locs.find_for(rule, object, "public.orders").map(|l| l.line);
        assert_eq!(at("comment.mismatch", "public.orders"), Some(8));
        assert_eq!(at("table.property", "public.orders"), Some(9));
        assert_eq!(at("column.type", "public.orders.total"), Some(4));
        // A comment finding without a COMMENT statement points at the object.
        assert_eq!(at("comment.missing", "public.orders.total"), Some(4));
        // An unnamed constraint is named by the server: it points at its table.
        assert_eq!(
            at(
                "constraint.missing",
                "public.orders.orders_customer_id_total_key"
            ),
            Some(9)
        );
    }
}

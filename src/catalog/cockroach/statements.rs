//! `SHOW CREATE` statements, split with the project's SQL splitter and keyed by the object each
//! one makes or changes: `CREATE TABLE` (taken apart by column, constraint, index and family),
//! `CREATE VIEW`, `CREATE SEQUENCE`, `CREATE TYPE`, `CREATE SCHEMA`, `CREATE FUNCTION` /
//! `PROCEDURE`, `COMMENT ON ...` and `ALTER TABLE ... ADD CONSTRAINT`. `ALTER TABLE ...
//! VALIDATE CONSTRAINT` (which only checks existing rows) and zone statements (read from
//! `SHOW ZONE CONFIGURATIONS` instead) are left out.

use std::collections::BTreeMap;

use super::tokens::{
    Tok, closing, find_top, qualified_name, render, significant, split_commas, string_value,
};
use crate::model::{
    Column, Constraint, ConstraintKind, Function, FunctionKind, Identity, Index, Namespace,
    ObjectKind, ObjectPath, Schema, Sequence, Table, Type, TypeDefinition, View, quote_ident,
};
use crate::sql::lexer::{ScriptItem, TokenKind, split_script};

/// Builds the schema statement by statement.
pub(super) struct Reader<'d> {
    database: &'d str,
    pub schema: Schema,
    /// Comments on constraints and indexes that came before their table's `ALTER` (kept
    /// until every statement is in).
    pending_comments: Vec<(ObjectPath, String)>,
}

/// Words that end a column's type and start one of its clauses.
const COLUMN_CLAUSES: &[&str] = &[
    "NOT",
    "NULL",
    "DEFAULT",
    "AS",
    "ON",
    "CONSTRAINT",
    "REFERENCES",
    "UNIQUE",
    "CHECK",
    "PRIMARY",
    "GENERATED",
    "COLLATE",
    "FAMILY",
    "CREATE",
];

impl<'d> Reader<'d> {
    pub fn new(database: &'d str) -> Reader<'d> {
        Reader {
            database,
            schema: Schema::default(),
            pending_comments: Vec::new(),
        }
    }

    /// One answer row: one or more statements.
    pub fn script(&mut self, text: &str) {
        for item in split_script(text) {
            if let ScriptItem::Statement(s) = item {
                let tokens = significant(s.sql, self.database);
                self.statement(&tokens);
            }
        }
    }

    fn namespace(&mut self, name: &str) -> &mut Namespace {
        self.schema.schemas.entry(name.to_string()).or_default()
    }

    fn statement(&mut self, t: &[Tok<'_>]) {
        let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is(w));
        if word(0, "CREATE") {
            let mut i = 1;
            if word(i, "OR") && word(i + 1, "REPLACE") {
                i += 2;
            }
            if word(i, "TABLE") {
                self.table(t, i + 1);
            } else if word(i, "VIEW") {
                self.view(t, i + 1, false);
            } else if word(i, "MATERIALIZED") && word(i + 1, "VIEW") {
                self.view(t, i + 2, true);
            } else if word(i, "SEQUENCE") {
                self.sequence(t, i + 1);
            } else if word(i, "TYPE") {
                self.user_type(t, i + 1);
            } else if word(i, "SCHEMA") {
                let (name, _) = qualified_name(t, i + 1);
                if let Some(name) = name.last() {
                    self.namespace(name);
                }
            } else if word(i, "FUNCTION") || word(i, "PROCEDURE") {
                self.routine(t, i + 1, word(i, "PROCEDURE"));
            }
        } else if word(0, "COMMENT") && word(1, "ON") {
            self.comment(t);
        } else if word(0, "ALTER") && word(1, "TABLE") {
            self.alter_table(t);
        }
    }

    fn table(&mut self, t: &[Tok<'_>], at: usize) {
        let Some((schema, name, i, close)) = name_and_list(t, at) else {
            return;
        };
        let mut table = Table::default();
        let mut position = 0;
        for element in split_commas(&t[i + 1..close]) {
            self.table_element(&mut table, element, &name, &mut position);
        }
        // The tail: WITH (...), LOCALITY ..., PARTITION BY ...
        let tail = &t[close + 1..];
        let mut j = 0;
        while j < tail.len() {
            if tail[j].is("WITH") && tail.get(j + 1).is_some_and(|x| x.is_punct("(")) {
                let Some(end) = closing(tail, j + 1) else {
                    break;
                };
                for option in split_commas(&tail[j + 2..end]) {
                    table.reloptions.push(storage_parameter(option));
                }
                j = end + 1;
            } else if tail[j].is("LOCALITY") {
                let end = find_top(tail, j + 1, |x, k| x[k].is("PARTITION") || x[k].is("WITH"));
                table.locality = Some(render(&tail[j + 1..end]));
                j = end;
            } else if tail[j].is("PARTITION") {
                let end = find_top(tail, j + 1, |x, k| x[k].is("LOCALITY") || x[k].is("WITH"));
                table.partition_key = Some(render(&tail[j..end]));
                j = end;
            } else {
                j += 1;
            }
        }
        table.reloptions.sort();
        self.namespace(&schema).tables.insert(name, table);
    }

    fn table_element(
        &mut self,
        table: &mut Table,
        e: &[Tok<'_>],
        table_name: &str,
        position: &mut u32,
    ) {
        let Some(first) = e.first() else {
            return;
        };
        let word = |i: usize, w: &str| e.get(i).is_some_and(|x| x.is(w));
        if first.is("CONSTRAINT") {
            let Some(name) = e.get(1).and_then(Tok::name) else {
                return;
            };
            if let Some(c) = constraint(&e[2..]) {
                table.constraints.insert(name, c);
            }
        } else if first.is("PRIMARY") && word(1, "KEY") {
            if let Some(c) = constraint(e) {
                table.constraints.insert(format!("{table_name}_pkey"), c);
            }
        } else if first.is("INDEX")
            || (word(1, "INDEX")
                && (first.is("UNIQUE") || first.is("INVERTED") || first.is("VECTOR")))
        {
            let at = if first.is("INDEX") { 1 } else { 2 };
            let Some(name) = e.get(at).and_then(Tok::name) else {
                return;
            };
            table.indexes.insert(name, index(e));
        } else if first.is("FAMILY") {
            match e.get(1).and_then(Tok::name) {
                Some(name) if !e[1].is_punct("(") => {
                    table.families.insert(name, render(&e[2..]));
                }
                _ => {
                    table.families.insert("primary".into(), render(&e[1..]));
                }
            }
        } else if let Some(name) = first.name() {
            *position += 1;
            table
                .columns
                .insert(name, Box::new(column(&e[1..], *position)));
        }
    }

    fn view(&mut self, t: &[Tok<'_>], at: usize, materialized: bool) {
        let (name, i) = qualified_name(t, at);
        let Some((schema, name)) = schema_and_name(&name) else {
            return;
        };
        let as_at = find_top(t, i, |x, k| x[k].is("AS"));
        if as_at >= t.len() {
            return;
        }
        let view = View {
            owner: String::new(),
            comment: None,
            grants: Vec::new(),
            materialized,
            definition: render(&t[as_at + 1..]),
            reloptions: Vec::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            column_comments: BTreeMap::new(),
            column_defaults: BTreeMap::new(),
            cluster_on: None,
            column_grants: BTreeMap::new(),
        };
        self.namespace(&schema).views.insert(name, view);
    }

    fn sequence(&mut self, t: &[Tok<'_>], at: usize) {
        let (name, mut i) = qualified_name(t, at);
        let Some((schema, name)) = schema_and_name(&name) else {
            return;
        };
        let mut s = Sequence {
            owner: String::new(),
            comment: None,
            grants: Vec::new(),
            data_type: "INT8".into(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: i64::MAX,
            cache: 1,
            cycle: false,
            owned_by: None,
        };
        let number = |k: usize| -> Option<i64> {
            let (sign, k) = match t.get(k) {
                Some(x) if x.is_punct("-") => (-1, k + 1),
                _ => (1, k),
            };
            t.get(k)?.text.parse::<i64>().ok().map(|n| n * sign)
        };
        let skip_sign = |k: usize| {
            if t.get(k).is_some_and(|x| x.is_punct("-")) {
                2
            } else {
                1
            }
        };
        while i < t.len() {
            let w = t[i];
            let mut value_at = i + 1;
            if (w.is("INCREMENT") && t.get(i + 1).is_some_and(|x| x.is("BY")))
                || (w.is("START") && t.get(i + 1).is_some_and(|x| x.is("WITH")))
            {
                value_at += 1;
            }
            let slot = if w.is("MINVALUE") {
                Some(&mut s.min_value)
            } else if w.is("MAXVALUE") {
                Some(&mut s.max_value)
            } else if w.is("INCREMENT") {
                Some(&mut s.increment)
            } else if w.is("START") {
                Some(&mut s.start)
            } else if w.is("CACHE") {
                Some(&mut s.cache)
            } else {
                None
            };
            if let Some(slot) = slot
                && let Some(n) = number(value_at)
            {
                *slot = n;
                i = value_at + skip_sign(value_at);
                continue;
            }
            if w.is("CYCLE") && !(i > 0 && t[i - 1].is("NO")) {
                s.cycle = true;
            } else if w.is("AS") {
                if let Some(ty) = t.get(i + 1) {
                    s.data_type = ty.text.to_string();
                }
            } else if w.is("OWNED") && t.get(i + 1).is_some_and(|x| x.is("BY")) {
                let (parts, end) = qualified_name(t, i + 2);
                if !parts.is_empty() && parts != ["none"] {
                    s.owned_by = Some(parts.join("."));
                }
                i = end.max(i + 2);
                continue;
            }
            i += 1;
        }
        self.namespace(&schema).sequences.insert(name, s);
    }

    fn user_type(&mut self, t: &[Tok<'_>], at: usize) {
        let (name, i) = qualified_name(t, at);
        let Some((schema, name)) = schema_and_name(&name) else {
            return;
        };
        if !t.get(i).is_some_and(|x| x.is("AS")) {
            return;
        }
        let definition = if t.get(i + 1).is_some_and(|x| x.is("ENUM")) {
            let Some(close) = closing(t, i + 2) else {
                return;
            };
            let labels = t[i + 3..close]
                .iter()
                .filter_map(|x| string_value(x.text))
                .collect();
            TypeDefinition::Enum { labels }
        } else if t.get(i + 1).is_some_and(|x| x.is_punct("(")) {
            let Some(close) = closing(t, i + 1) else {
                return;
            };
            let attributes = split_commas(&t[i + 2..close])
                .into_iter()
                .filter_map(|a| Some((a.first()?.name()?, render(&a[1..]))))
                .collect();
            TypeDefinition::Composite { attributes }
        } else {
            return;
        };
        let user_type = Type {
            owner: String::new(),
            comment: None,
            grants: Vec::new(),
            constraint_comments: BTreeMap::new(),
            definition,
        };
        self.namespace(&schema).types.insert(name, user_type);
    }

    /// A routine is keyed by its name and argument types; the whole statement is its body, so
    /// any clause that differs (volatility, language, the body itself) is found.
    fn routine(&mut self, t: &[Tok<'_>], at: usize, procedure: bool) {
        let Some((schema, name, i, close)) = name_and_list(t, at) else {
            return;
        };
        let arguments: Vec<&[Tok<'_>]> = split_commas(&t[i + 1..close]);
        let types: Vec<String> = arguments.iter().map(|a| argument_type(a)).collect();
        let clause = |w: &str| {
            let at = find_top(t, close + 1, |x, k| x[k].is(w));
            (at < t.len()).then_some(at)
        };
        let returns = clause("RETURNS")
            .map(|r| {
                let end = find_top(t, r + 1, |x, k| {
                    ["LANGUAGE", "AS", "IMMUTABLE", "STABLE", "VOLATILE", "BEGIN"]
                        .iter()
                        .any(|w| x[k].is(w))
                });
                render(&t[r + 1..end])
            })
            .unwrap_or_default();
        let language = clause("LANGUAGE")
            .and_then(|l| t.get(l + 1))
            .map(|x| x.text.to_lowercase())
            .unwrap_or_default();
        let function = Function {
            owner: String::new(),
            comment: None,
            grants: Vec::new(),
            kind: if procedure {
                FunctionKind::Procedure
            } else {
                FunctionKind::Function
            },
            arguments: arguments
                .iter()
                .map(|a| render(a))
                .collect::<Vec<_>>()
                .join(", "),
            returns,
            language,
            body: render(t),
            volatility: String::new(),
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: String::new(),
            cost: 0.0,
            rows: None,
            config: Vec::new(),
            extensions: Vec::new(),
        };
        let key = format!("{}({})", quote_ident(&name), types.join(", "));
        self.namespace(&schema).functions.insert(key, function);
    }

    fn comment(&mut self, t: &[Tok<'_>]) {
        let Some(is_at) = t.iter().rposition(|x| x.is("IS")).filter(|&i| i >= 3) else {
            return;
        };
        let text = t.get(is_at + 1).and_then(|x| string_value(x.text));
        let kind = t
            .get(2)
            .map(|x| x.text.to_ascii_uppercase())
            .unwrap_or_default();
        let target = &t[3..is_at];
        match kind.as_str() {
            "SCHEMA" => {
                let (name, _) = qualified_name(target, 0);
                if let Some(name) = name.last() {
                    self.namespace(name).comment = text;
                }
            }
            "TABLE" | "VIEW" | "SEQUENCE" | "MATERIALIZED" | "TYPE" => {
                let from = usize::from(kind == "MATERIALIZED"); // MATERIALIZED VIEW
                let (name, _) = qualified_name(target, from);
                let Some((schema, name)) = schema_and_name(&name) else {
                    return;
                };
                let ns = self.namespace(&schema);
                if let Some(x) = ns.tables.get_mut(&name) {
                    x.comment = text;
                } else if let Some(x) = ns.views.get_mut(&name) {
                    x.comment = text;
                } else if let Some(x) = ns.sequences.get_mut(&name) {
                    x.comment = text;
                } else if let Some(x) = ns.types.get_mut(&name) {
                    x.comment = text;
                }
            }
            "COLUMN" => {
                let (mut name, _) = qualified_name(target, 0);
                let Some(column) = name.pop() else {
                    return;
                };
                let Some((schema, table)) = schema_and_name(&name) else {
                    return;
                };
                let ns = self.namespace(&schema);
                if let Some(c) = ns
                    .tables
                    .get_mut(&table)
                    .and_then(|t| t.columns.get_mut(&column))
                {
                    c.comment = text;
                } else if let (Some(v), Some(text)) = (ns.views.get_mut(&table), text) {
                    v.column_comments.insert(column, text);
                }
            }
            "INDEX" => {
                // COMMENT ON INDEX public.t@idx
                let (name, next) = qualified_name(target, 0);
                let index = target
                    .get(next)
                    .filter(|x| x.is_punct("@"))
                    .and_then(|_| target.get(next + 1))
                    .and_then(Tok::name);
                let (Some((schema, table)), Some(index), Some(text)) =
                    (schema_and_name(&name), index, text)
                else {
                    return;
                };
                let path = ObjectPath::child(ObjectKind::Index, &schema, &table, &index);
                self.pending_comments.push((path, text));
            }
            "CONSTRAINT" => {
                // COMMENT ON CONSTRAINT c ON public.t
                let (Some(name), Some(text)) = (target.first().and_then(Tok::name), text) else {
                    return;
                };
                if !target.get(1).is_some_and(|x| x.is("ON")) {
                    return;
                }
                let (table, _) = qualified_name(target, 2);
                let Some((schema, table)) = schema_and_name(&table) else {
                    return;
                };
                let path = ObjectPath::child(ObjectKind::Constraint, &schema, &table, &name);
                self.pending_comments.push((path, text));
            }
            _ => {}
        }
    }

    fn alter_table(&mut self, t: &[Tok<'_>]) {
        let (name, i) = qualified_name(t, 2);
        let Some((schema, name)) = schema_and_name(&name) else {
            return;
        };
        let word = |k: usize, w: &str| t.get(k).is_some_and(|x| x.is(w));
        if word(i, "ADD") && word(i + 1, "CONSTRAINT") {
            let Some(constraint_name) = t.get(i + 2).and_then(Tok::name) else {
                return;
            };
            let Some(c) = constraint(&t[i + 3..]) else {
                return;
            };
            if let Some(table) = self.namespace(&schema).tables.get_mut(&name) {
                table.constraints.insert(constraint_name, c);
            }
        }
    }

    /// What needs every statement in: comments on indexes and constraints, and the parts of
    /// a table CockroachDB makes for a hash-sharded index (compared as the index's clause).
    pub fn finish_tables(&mut self) {
        for (path, text) in std::mem::take(&mut self.pending_comments) {
            let (Some(schema), Some(table)) = (&path.schema, &path.parent) else {
                continue;
            };
            let Some(t) = self
                .schema
                .schemas
                .get_mut(schema)
                .and_then(|ns| ns.tables.get_mut(table))
            else {
                continue;
            };
            match path.kind {
                ObjectKind::Index => {
                    if let Some(i) = t.indexes.get_mut(&path.name) {
                        i.comment = Some(text);
                    } else if let Some(c) = t.constraints.get_mut(&path.name) {
                        c.comment = Some(text);
                    }
                }
                _ => {
                    if let Some(c) = t.constraints.get_mut(&path.name) {
                        c.comment = Some(text);
                    }
                }
            }
        }
        for ns in self.schema.schemas.values_mut() {
            for table in ns.tables.values_mut() {
                drop_shard_columns(table);
                drop_expiration_column(table);
                // One family holding every column is the default: newer versions leave it
                // out of SHOW CREATE, older ones print it as FAMILY "primary".
                if table.families.len() == 1 {
                    table.families.clear();
                }
            }
        }
    }
}

/// Whether a column of this name is one the reader leaves to what made it: the shard column of
/// a hash-sharded index, or the expiration column of row-level TTL (the reader keeps either
/// when what would make it is not there, so this only excuses their absence).
pub(super) fn made_by_cockroachdb(name: &str) -> bool {
    name == "crdb_internal_expiration" || is_shard_name(name)
}

fn is_shard_name(name: &str) -> bool {
    name.starts_with("crdb_internal_")
        && name
            .rsplit_once("_shard_")
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The hidden computed column `crdb_internal_<columns>_shard_<buckets>` of a hash-sharded
/// index, and the check constraint older versions print for it, are the index's own.
fn drop_shard_columns(table: &mut Table) {
    let is_shard =
        |name: &str, c: &Column| c.hidden && c.generated.is_some() && is_shard_name(name);
    let shards: Vec<String> = table
        .columns
        .iter()
        .filter(|(n, c)| is_shard(n, c))
        .map(|(n, _)| n.clone())
        .collect();
    if shards.is_empty() {
        return;
    }
    for name in &shards {
        table.columns.remove(name);
        table.constraints.remove(&format!("check_{name}"));
    }
    renumber(table);
}

/// The hidden `crdb_internal_expiration` column that row-level TTL with `ttl_expire_after`
/// makes: its default and ON UPDATE repeat the storage parameter, compared there.
fn drop_expiration_column(table: &mut Table) {
    const NAME: &str = "crdb_internal_expiration";
    let made_by_ttl = table
        .reloptions
        .iter()
        .any(|o| o.starts_with("ttl_expire_after="));
    if made_by_ttl && table.columns.get(NAME).is_some_and(|c| c.hidden) {
        table.columns.remove(NAME);
        renumber(table);
    }
}

/// Positions 1, 2, ... in the order the columns had.
fn renumber(table: &mut Table) {
    let mut order: Vec<(u32, String)> = table
        .columns
        .iter()
        .map(|(n, c)| (c.position, n.clone()))
        .collect();
    order.sort();
    for (i, (_, name)) in order.into_iter().enumerate() {
        if let Some(c) = table.columns.get_mut(&name) {
            c.position = i as u32 + 1;
        }
    }
}

/// The object name at `at` and the parenthesised list right after it (a table's elements, a
/// routine's arguments): schema, name, and the positions of `(` and its `)`.
fn name_and_list(t: &[Tok<'_>], at: usize) -> Option<(String, String, usize, usize)> {
    let (name, open) = qualified_name(t, at);
    let (schema, name) = schema_and_name(&name)?;
    let close = t
        .get(open)
        .filter(|x| x.is_punct("("))
        .and_then(|_| closing(t, open))?;
    Some((schema, name, open, close))
}

/// `[schema, name]` or `[name]` (in `public`).
fn schema_and_name(parts: &[String]) -> Option<(String, String)> {
    match parts {
        [name] => Some(("public".into(), name.clone())),
        [.., schema, name] => Some((schema.clone(), name.clone())),
        [] => None,
    }
}

/// `ttl_expire_after = '3 mons':::INTERVAL` → `ttl_expire_after='3 mons':::INTERVAL`, as
/// PostgreSQL's reloptions read.
fn storage_parameter(option: &[Tok<'_>]) -> String {
    match option.iter().position(|x| x.is_punct("=")) {
        Some(eq) => format!("{}={}", render(&option[..eq]), render(&option[eq + 1..])),
        None => render(option),
    }
}

fn constraint(t: &[Tok<'_>]) -> Option<Constraint> {
    let first = t.first()?;
    let kind = if first.is("PRIMARY") {
        ConstraintKind::PrimaryKey
    } else if first.is("UNIQUE") {
        ConstraintKind::Unique
    } else if first.is("FOREIGN") {
        ConstraintKind::ForeignKey
    } else if first.is("CHECK") {
        ConstraintKind::Check
    } else {
        return None;
    };
    Some(Constraint {
        kind,
        definition: render(t),
        comment: None,
    })
}

/// An index line of a table body: its text without its visibility, which is its own field.
fn index(e: &[Tok<'_>]) -> Index {
    let mut kept: Vec<Tok<'_>> = Vec::with_capacity(e.len());
    let mut visibility = None;
    let mut i = 0;
    while i < e.len() {
        let invisible = e[i].is("NOT") && e.get(i + 1).is_some_and(|x| x.is("VISIBLE"));
        if invisible {
            visibility = Some("NOT VISIBLE".to_string());
            i += 2;
        } else if e[i].is("INVISIBLE") {
            visibility = Some("NOT VISIBLE".to_string());
            i += 1;
        } else if e[i].is("VISIBILITY")
            && let Some(n) = e.get(i + 1)
        {
            let share: f64 = n.text.parse().unwrap_or(1.0);
            visibility = if share >= 1.0 {
                None
            } else if share <= 0.0 {
                Some("NOT VISIBLE".to_string())
            } else {
                Some(format!("VISIBILITY {share:.2}"))
            };
            i += 2;
        } else {
            kept.push(e[i]);
            i += 1;
        }
    }
    Index {
        definition: render(&kept),
        visibility,
        ..Index::default()
    }
}

/// A column after its name: `STRING NOT NULL DEFAULT 'x':::STRING`, `INT8 NOT VISIBLE NOT NULL
/// DEFAULT unique_rowid()`, `INT8 NULL AS (a + 1:::INT8) STORED`.
fn column(t: &[Tok<'_>], position: u32) -> Column {
    let is_clause = |x: &[Tok<'_>], k: usize| COLUMN_CLAUSES.iter().any(|w| x[k].is(w));
    let type_end = find_top(t, 0, is_clause);
    let mut column = Column {
        position,
        data_type: render(&t[..type_end]),
        ..Column::default()
    };
    let mut on_update = None;
    let mut rest: Vec<String> = Vec::new();
    let mut i = type_end;
    // The end of an expression that runs to the next clause.
    let expression_end = |from: usize| {
        find_top(t, from, |x, k| {
            (x[k].is("NOT")
                && x.get(k + 1)
                    .is_some_and(|n| n.is("NULL") || n.is("VISIBLE")))
                || x[k].is("NULL") && k > 0 && !x[k - 1].is("IS")
                || (x[k].is("ON") && x.get(k + 1).is_some_and(|n| n.is("UPDATE")))
                || [
                    "DEFAULT",
                    "AS",
                    "CONSTRAINT",
                    "REFERENCES",
                    "CHECK",
                    "GENERATED",
                    "FAMILY",
                    "COLLATE",
                    "UNIQUE",
                    "PRIMARY",
                ]
                .iter()
                .any(|w| x[k].is(w))
        })
    };
    while i < t.len() {
        let w = t[i];
        let next = |w: &str| t.get(i + 1).is_some_and(|x| x.is(w));
        if w.is("NOT") && next("NULL") {
            column.not_null = true;
            i += 2;
        } else if w.is("NOT") && next("VISIBLE") {
            column.hidden = true;
            i += 2;
        } else if w.is("NULL") {
            i += 1;
        } else if w.is("COLLATE") {
            column.collation = t.get(i + 1).map(|x| x.text.to_string());
            i += 2;
        } else if w.is("DEFAULT") {
            let end = expression_end(i + 1);
            column.default = Some(render(&t[i + 1..end]));
            i = end;
        } else if w.is("ON") && next("UPDATE") {
            let end = expression_end(i + 2);
            on_update = Some(render(&t[i + 2..end]));
            i = end;
        } else if (w.is("AS") && t.get(i + 1).is_some_and(|x| x.is_punct("(")))
            || (w.is("GENERATED")
                && next("ALWAYS")
                && t.get(i + 2).is_some_and(|x| x.is("AS"))
                && t.get(i + 3).is_some_and(|x| x.is_punct("(")))
        {
            let open = if w.is("AS") { i + 1 } else { i + 3 };
            let close = closing(t, open).unwrap_or(t.len() - 1);
            let mut end = close + 1;
            if t.get(end)
                .is_some_and(|x| x.is("STORED") || x.is("VIRTUAL"))
            {
                end += 1;
            }
            column.generated = Some(format!("AS {}", render(&t[open..end])));
            i = end;
        } else if w.is("GENERATED")
            && (next("ALWAYS") || next("BY"))
            && let Some(as_at) = (i..t.len()).find(|&k| t[k].is("IDENTITY"))
        {
            column.identity = Some(if next("ALWAYS") {
                Identity::Always
            } else {
                Identity::ByDefault
            });
            let mut end = as_at + 1;
            if t.get(end).is_some_and(|x| x.is_punct("(")) {
                let close = closing(t, end).unwrap_or(t.len() - 1);
                rest.push(format!("IDENTITY {}", render(&t[end..=close])));
                end = close + 1;
            }
            i = end;
        } else {
            // Anything else is kept, so it is compared rather than lost.
            let end = expression_end(i + 1).max(i + 1);
            rest.push(render(&t[i..end]));
            i = end;
        }
    }
    if let Some(update) = on_update {
        column.default = Some(match column.default.take() {
            Some(d) => format!("{d} ON UPDATE {update}"),
            None => format!("ON UPDATE {update}"),
        });
    }
    column.options = rest;
    column
}

/// The type of a routine argument: `a INT8` → `INT8`, `INOUT b STRING` → `STRING`,
/// `public.t` → `public.t`.
fn argument_type(a: &[Tok<'_>]) -> String {
    let mut a = a;
    if a.first()
        .is_some_and(|x| ["IN", "OUT", "INOUT", "VARIADIC"].iter().any(|m| x.is(m)))
    {
        a = &a[1..];
    }
    let end = find_top(a, 0, |x, k| x[k].is("DEFAULT") || x[k].is_punct("="));
    let a = &a[..end];
    // A name first when a second word follows it (not a `.`, `(` or `[` of the type).
    let named = a.len() >= 2
        && matches!(a[0].kind, TokenKind::Word | TokenKind::QuotedIdent)
        && matches!(a[1].kind, TokenKind::Word | TokenKind::QuotedIdent);
    render(if named { &a[1..] } else { a })
}

/// A `SHOW ZONE CONFIGURATIONS` target of this database: the zone's path, and the target as
/// `ALTER ... CONFIGURE ZONE` names it (`TABLE public.users`, `INDEX public.users@users_pkey`,
/// `PARTITION us_west OF INDEX public.users@users_pkey`, `DATABASE movr`). `None` for ranges
/// and other databases.
pub(super) fn zone_target(target: &str, database: &str) -> Option<(ObjectPath, String)> {
    let t = significant(target, database);
    let kind = ObjectKind::ZoneConfiguration;
    let first = t.first()?;
    let table_and_index = |from: usize| -> Option<(String, String, Option<String>)> {
        let (name, next) = qualified_name(&t, from);
        let (schema, table) = match name.as_slice() {
            [schema, table] => (schema.clone(), table.clone()),
            _ => return None,
        };
        let index = t
            .get(next)
            .filter(|x| x.is_punct("@"))
            .and_then(|_| t.get(next + 1))
            .and_then(Tok::name);
        Some((schema, table, index))
    };
    let text = render(&t);
    if first.is("DATABASE") {
        let name = t.get(1)?.name()?;
        return (name == database).then(|| (ObjectPath::top(kind, "database"), text));
    }
    if first.is("TABLE") {
        let (schema, table, _) = table_and_index(1)?;
        return Some((ObjectPath::child(kind, &schema, &table, "table"), text));
    }
    if first.is("INDEX") {
        let (schema, table, index) = table_and_index(1)?;
        let name = format!("index {}", quote_ident(&index?));
        return Some((ObjectPath::child(kind, &schema, &table, &name), text));
    }
    if first.is("PARTITION") {
        let partition = t.get(1)?.name()?;
        if !t.get(2)?.is("OF") {
            return None;
        }
        let (schema, table, index) = table_and_index(4)?;
        let name = match index {
            Some(index) => format!(
                "partition {} of index {}",
                quote_ident(&partition),
                quote_ident(&index)
            ),
            None => format!("partition {}", quote_ident(&partition)),
        };
        return Some((ObjectPath::child(kind, &schema, &table, &name), text));
    }
    None
}

/// A zone's settings, one per line: what follows `CONFIGURE ZONE USING`.
pub(super) fn zone_definition(sql: &str, database: &str) -> String {
    let t = significant(sql, database);
    let using = t.iter().position(|x| x.is("USING")).map_or(0, |u| u + 1);
    let mut settings: Vec<String> = split_commas(&t[using..]).into_iter().map(render).collect();
    settings.sort();
    settings.join(",\n")
}

/// What `CREATE DATABASE name` is followed by in `SHOW CREATE DATABASE` (the multi-region
/// settings), one clause per line: empty for a database without regions.
pub(super) fn database_options(sql: &str, database: &str) -> String {
    let t = significant(sql, database);
    if !(t.first().is_some_and(|x| x.is("CREATE")) && t.get(1).is_some_and(|x| x.is("DATABASE"))) {
        return String::new();
    }
    let rest: Vec<Tok<'_>> = t[3.min(t.len())..]
        .iter()
        .copied()
        .filter(|x| x.kind != TokenKind::Semicolon)
        .collect();
    // A clause starts at PRIMARY, REGIONS, SURVIVE, PLACEMENT or SECONDARY.
    let starts = ["PRIMARY", "REGIONS", "SURVIVE", "PLACEMENT", "SECONDARY"];
    let mut lines: Vec<String> = Vec::new();
    let mut start = 0;
    for i in 1..=rest.len() {
        if i == rest.len() || starts.iter().any(|w| rest[i].is(w)) {
            lines.push(render(&rest[start..i]));
            start = i;
        }
    }
    lines.retain(|l| !l.is_empty());
    lines.join("\n")
}

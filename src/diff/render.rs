//! The text a finding shows as its expected and actual values. Close to the SQL a user would
//! write, so a report reads like the schema; multi-line where a line diff helps (table columns,
//! function bodies, enum labels, domain constraints).

use std::fmt::Write;

use crate::model::{
    Column, ConstraintKind, Extension, Function, FunctionKind, Identity, Index, Namespace,
    Persistence, Policy, Sequence, Table, TypeDefinition, quote_ident,
};

/// `integer NOT NULL DEFAULT 0`: the column as in CREATE TABLE, without its name.
pub(super) fn column(c: &Column) -> String {
    let mut s = c.data_type.clone();
    if let Some(collation) = &c.collation {
        let _ = write!(s, " COLLATE {collation}");
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        let _ = write!(s, " DEFAULT {default}");
    }
    if let Some(identity) = c.identity {
        let _ = write!(s, " {}", identity.sql());
    }
    if let Some(expr) = &c.generated {
        let _ = write!(s, " {}", generated(expr));
    }
    s
}

pub(super) fn generated(expr: &str) -> String {
    format!("GENERATED ALWAYS AS ({expr}) STORED")
}

pub(super) fn identity(identity: &Option<Identity>) -> Option<String> {
    identity.map(|i| i.sql().to_string())
}

/// Columns of a table in position order, e.g. `id, customer_id, total`.
pub(super) fn column_list(t: &Table) -> String {
    let mut columns: Vec<(u32, &str)> = t
        .columns
        .iter()
        .map(|(name, c)| (c.position, name.as_str()))
        .collect();
    columns.sort_unstable();
    let names: Vec<String> = columns.iter().map(|(_, n)| quote_ident(n)).collect();
    names.join(", ")
}

/// A table's columns and constraints, one per line, in the shape of CREATE TABLE.
pub(super) fn table(t: &Table) -> String {
    let mut columns: Vec<(&u32, &String, &Column)> = t
        .columns
        .iter()
        .map(|(name, c)| (&c.position, name, c))
        .collect();
    columns.sort_unstable_by_key(|(position, name, _)| (*position, *name));
    let mut lines: Vec<String> = columns
        .iter()
        .map(|(_, name, c)| format!("    {} {}", quote_ident(name), column(c)))
        .collect();
    lines.extend(
        t.constraints
            .iter()
            .map(|(name, c)| format!("    CONSTRAINT {} {}", quote_ident(name), c.definition)),
    );
    let mut s = format!("(\n{}\n)", lines.join(",\n"));
    if let Some(parent) = &t.partition_of {
        let _ = write!(s, "\nPARTITION OF {parent}");
    }
    if let Some(bound) = &t.partition_bound {
        let _ = write!(s, "\n{bound}");
    }
    if !t.inherits.is_empty() {
        let _ = write!(s, "\nINHERITS ({})", t.inherits.join(", "));
    }
    if let Some(key) = &t.partition_key {
        let _ = write!(s, "\nPARTITION BY {key}");
    }
    if !t.reloptions.is_empty() {
        let _ = write!(s, "\nWITH ({})", t.reloptions.join(", "));
    }
    s
}

pub(super) fn persistence(p: &Persistence) -> Option<String> {
    Some(
        match p {
            Persistence::Permanent => "permanent",
            Persistence::Unlogged => "unlogged",
        }
        .to_string(),
    )
}

pub(super) fn constraint_kind(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique",
        ConstraintKind::ForeignKey => "foreign key",
        ConstraintKind::Check => "check",
        ConstraintKind::Exclusion => "exclusion",
        ConstraintKind::NotNull => "not null",
    }
}

pub(super) fn function_kind(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Function => "function",
        FunctionKind::Procedure => "procedure",
        FunctionKind::Aggregate => "aggregate",
        FunctionKind::Window => "window function",
    }
}

/// `pg_trigger.tgenabled` in the words of ALTER TABLE.
pub(super) fn trigger_enabled(code: &str) -> String {
    match code {
        "O" => "ENABLE".to_string(),
        "D" => "DISABLE".to_string(),
        "R" => "ENABLE REPLICA".to_string(),
        "A" => "ENABLE ALWAYS".to_string(),
        other => other.to_string(),
    }
}

pub(super) fn policy(p: &Policy) -> String {
    let mut s = format!(
        "AS {}\nFOR {}\nTO {}",
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command,
        p.roles.join(", ")
    );
    if let Some(using) = &p.using {
        let _ = write!(s, "\nUSING ({using})");
    }
    if let Some(check) = &p.with_check {
        let _ = write!(s, "\nWITH CHECK ({check})");
    }
    s
}

/// `SELECT to app_user`, `UPDATE to PUBLIC WITH GRANT OPTION`.
pub(super) fn grant(grantee: &str, privilege: &str, grantable: bool) -> String {
    let option = if grantable { " WITH GRANT OPTION" } else { "" };
    format!("{privilege} to {grantee}{option}")
}

pub(super) fn extension(e: &Extension) -> String {
    format!("version {}, schema {}", e.version, quote_ident(&e.schema))
}

/// How much a schema holds, e.g. `3 tables, 1 view`: the size of what is missing or extra.
pub(super) fn namespace(n: &Namespace) -> String {
    let counts = [
        (n.tables.len(), "table", "tables"),
        (n.views.len(), "view", "views"),
        (n.sequences.len(), "sequence", "sequences"),
        (n.functions.len(), "function", "functions"),
        (n.types.len(), "type", "types"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|(count, one, many)| format!("{count} {}", if *count == 1 { one } else { many }))
        .collect();
    if parts.is_empty() {
        format!("empty schema owned by {}", n.owner)
    } else {
        format!("{} owned by {}", parts.join(", "), n.owner)
    }
}

pub(super) fn sequence(s: &Sequence) -> String {
    let mut out = format!(
        "AS {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
        s.data_type,
        s.start,
        s.increment,
        s.min_value,
        s.max_value,
        s.cache,
        if s.cycle { "CYCLE" } else { "NO CYCLE" }
    );
    if let Some(owner) = &s.owned_by {
        let _ = write!(out, " OWNED BY {owner}");
    }
    out
}

/// Signature, attributes and body on separate lines, so a line diff points at what changed.
pub(super) fn function(f: &Function) -> String {
    let mut s = format!("({})", f.arguments);
    if !f.returns.is_empty() {
        let _ = write!(s, " RETURNS {}", f.returns);
    }
    let _ = write!(
        s,
        "\nLANGUAGE {} {}{}{}{} PARALLEL {} COST {}",
        f.language,
        f.volatility.to_uppercase(),
        if f.strict { " STRICT" } else { "" },
        if f.security_definer {
            " SECURITY DEFINER"
        } else {
            ""
        },
        if f.leakproof { " LEAKPROOF" } else { "" },
        f.parallel.to_uppercase(),
        f.cost
    );
    if let Some(rows) = f.rows {
        let _ = write!(s, " ROWS {rows}");
    }
    for setting in &f.config {
        let _ = write!(s, "\nSET {setting}");
    }
    let _ = write!(s, "\nAS $$\n{}\n$$", f.body);
    s
}

/// A type's definition as after `CREATE TYPE name` (or `CREATE DOMAIN name`), one element per
/// line.
pub(super) fn type_definition(t: &TypeDefinition) -> String {
    match t {
        TypeDefinition::Enum { labels } => {
            let labels: Vec<String> = labels
                .iter()
                .map(|l| format!("    {}", literal(l)))
                .collect();
            format!("AS ENUM (\n{}\n)", labels.join(",\n"))
        }
        TypeDefinition::Domain {
            base_type,
            not_null,
            default,
            collation,
            constraints,
        } => {
            let mut s = format!("DOMAIN AS {base_type}");
            if let Some(collation) = collation {
                let _ = write!(s, "\n    COLLATE {collation}");
            }
            if let Some(default) = default {
                let _ = write!(s, "\n    DEFAULT {default}");
            }
            if *not_null {
                s.push_str("\n    NOT NULL");
            }
            for (name, check) in constraints {
                let _ = write!(s, "\n    CONSTRAINT {} {check}", quote_ident(name));
            }
            s
        }
        TypeDefinition::Composite { attributes } => {
            let attributes: Vec<String> = attributes
                .iter()
                .map(|(name, ty)| format!("    {} {ty}", quote_ident(name)))
                .collect();
            format!("AS (\n{}\n)", attributes.join(",\n"))
        }
        TypeDefinition::Range {
            subtype,
            subtype_opclass,
            collation,
            canonical,
            subtype_diff,
        } => {
            let mut parts = vec![format!("    SUBTYPE = {subtype}")];
            let optional = [
                ("SUBTYPE_OPCLASS", subtype_opclass),
                ("COLLATION", collation),
                ("CANONICAL", canonical),
                ("SUBTYPE_DIFF", subtype_diff),
            ];
            for (key, value) in optional {
                if let Some(value) = value {
                    parts.push(format!("    {key} = {value}"));
                }
            }
            format!("AS RANGE (\n{}\n)", parts.join(",\n"))
        }
    }
}

/// A SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(super) fn text(s: &str) -> Option<String> {
    Some(s.to_string())
}

pub(super) fn optional(s: &Option<String>) -> Option<String> {
    s.clone()
}

pub(super) fn number<T: ToString>(n: &T) -> Option<String> {
    Some(n.to_string())
}

/// A list as one comma-separated value; none when empty.
pub(super) fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// A yes/no property in the words of SQL (`STRICT` / `CALLED ON NULL INPUT`).
pub(super) fn flag(yes: &'static str, no: &'static str) -> impl Fn(&bool) -> Option<String> {
    move |b| Some(if *b { yes } else { no }.to_string())
}

/// An index definition with its own name left out (`CREATE INDEX ? ON public.t ...`), so two
/// indexes that differ only by name pair up.
pub(super) fn index_without_name(index: &Index) -> String {
    use crate::normalize::lexer::{TokenKind, tokenize};
    let def = index.definition.as_str();
    let tokens = tokenize(def);
    let mut significant = tokens.iter().filter(|t| !t.is_trivia());
    // CREATE [UNIQUE] INDEX name ON ...
    let name = significant
        .by_ref()
        .find(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case("index"))
        .and_then(|_| significant.next());
    match name {
        Some(t) => format!("{}?{}", &def[..t.start], &def[t.start + t.text.len()..]),
        None => def.to_string(),
    }
}

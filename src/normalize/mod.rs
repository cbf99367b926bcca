//! Normalization: the equivalence rules that run between reading two schemas and comparing
//! them, so harmless differences never become findings.
//!
//! Renames (roles and schemas that are named differently per environment) are applied to the
//! actual schema. Equivalences are decided pairwise: where an expected and an actual value differ
//! only in a way a rule declares harmless (whitespace, comments, an equivalent default), the
//! actual value is replaced by the expected one. Values that really differ keep their original
//! text, so reports show what the server printed, not a canonical form.

pub mod lexer;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{Namespace, Schema, Table, TypeDefinition, quote_ident};
use lexer::{Token, TokenKind, tokenize};

/// Which equivalences apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Equivalences {
    /// Whitespace inside bodies (views, functions, triggers, checks, policies, index predicates).
    pub whitespace: bool,
    /// SQL comments inside those bodies.
    pub comments: bool,
    /// The built-in default-expression equivalences (see `canonical_default`).
    pub default_equivalence: bool,
    /// User-declared sets of equivalent default expressions.
    pub default_sets: Vec<Vec<String>>,
    /// Role names: actual → expected.
    pub roles: BTreeMap<String, String>,
    /// Schema names: actual → expected.
    pub schemas: BTreeMap<String, String>,
}

impl Default for Equivalences {
    fn default() -> Self {
        Equivalences {
            whitespace: true,
            comments: true,
            default_equivalence: true,
            default_sets: Vec::new(),
            roles: BTreeMap::new(),
            schemas: BTreeMap::new(),
        }
    }
}

/// Return `actual` with renames applied and every harmless difference to `expected` removed.
pub fn normalize(expected: &Schema, mut actual: Schema, eq: &Equivalences) -> Schema {
    if !eq.roles.is_empty() || !eq.schemas.is_empty() {
        actual = rename(actual, eq);
    }
    let defaults = DefaultRules::new(eq);
    for (schema_name, e_ns) in &expected.schemas {
        if let Some(a_ns) = actual.schemas.get_mut(schema_name) {
            equate_namespace(schema_name, e_ns, a_ns, eq, &defaults);
        }
    }
    actual
}

/// `normalize` for an actual schema that stays borrowed: it is copied only when a rule changes
/// something in it (a rename, or a value that differs from the expected one only harmlessly).
/// Two large schemas that differ only in real drift are compared without copying either.
pub fn normalize_ref<'a>(
    expected: &Schema,
    actual: &'a Schema,
    eq: &Equivalences,
) -> Cow<'a, Schema> {
    let renames = !eq.roles.is_empty() || !eq.schemas.is_empty();
    let defaults = DefaultRules::new(eq);
    let changes = renames
        || expected.schemas.iter().any(|(name, e_ns)| {
            actual
                .schemas
                .get(name)
                .is_some_and(|a_ns| namespace_changes(name, e_ns, a_ns, eq, &defaults))
        });
    if changes {
        return Cow::Owned(normalize(expected, actual.clone(), eq));
    }
    // The walk above decides what `normalize` would do without doing it; tests (debug builds)
    // hold the two to the same answer.
    debug_assert!(
        normalize(expected, actual.clone(), eq) == *actual,
        "normalize_ref: the dry run missed a change normalize makes"
    );
    Cow::Borrowed(actual)
}

/// Whether `equate_namespace` would change anything in `a`. Mirrors it rule for rule, with the
/// same predicates.
fn namespace_changes(
    schema: &str,
    e: &Namespace,
    a: &Namespace,
    eq: &Equivalences,
    defaults: &DefaultRules,
) -> bool {
    let body = |e: &str, a: &str| body_changes(e, a, eq);
    let tables = e.tables.iter().any(|(name, et)| {
        a.tables
            .get(name)
            .is_some_and(|at| table_changes(schema, et, at, eq, defaults))
    });
    let views = || {
        e.views.iter().any(|(name, ev)| {
            let Some(av) = a.views.get(name) else {
                return false;
            };
            (ev.definition != av.definition
                && (bodies_equivalent(&ev.definition, &av.definition, eq.whitespace, eq.comments)
                    || view_qualifiers_equivalent(&ev.definition, &av.definition)))
                || ev.indexes.iter().any(|(n, ei)| {
                    av.indexes
                        .get(n)
                        .is_some_and(|ai| body(&ei.definition, &ai.definition))
                })
                || ev.triggers.iter().any(|(n, et)| {
                    av.triggers
                        .get(n)
                        .is_some_and(|at| body(&et.definition, &at.definition))
                })
        })
    };
    let functions = || {
        e.functions.iter().any(|(name, ef)| {
            a.functions
                .get(name)
                .is_some_and(|af| body(&ef.body, &af.body))
        })
    };
    let types = || {
        e.types.iter().any(|(name, ety)| {
            let Some(aty) = a.types.get(name) else {
                return false;
            };
            let (
                TypeDefinition::Domain {
                    default: ed,
                    constraints: ec,
                    ..
                },
                TypeDefinition::Domain {
                    default: ad,
                    constraints: ac,
                    ..
                },
            ) = (&ety.definition, &aty.definition)
            else {
                return false;
            };
            matches!((ed, ad), (Some(e), Some(a)) if defaults.equivalent(schema, e, a))
                || ec
                    .iter()
                    .any(|(n, e)| ac.get(n).is_some_and(|a| body(e, a)))
        })
    };
    tables || views() || functions() || types()
}

/// Whether `equate_table` would change anything in `a`.
fn table_changes(
    schema: &str,
    e: &Table,
    a: &Table,
    eq: &Equivalences,
    defaults: &DefaultRules,
) -> bool {
    let body = |e: &str, a: &str| body_changes(e, a, eq);
    e.columns.iter().any(|(name, ec)| {
        a.columns.get(name).is_some_and(|ac| {
            matches!((&ec.default, &ac.default), (Some(e), Some(a)) if defaults.equivalent(schema, e, a))
        })
    }) || e.constraints.iter().any(|(name, ec)| {
        a.constraints
            .get(name)
            .is_some_and(|ac| body(&ec.definition, &ac.definition))
    }) || e.indexes.iter().any(|(name, ei)| {
        a.indexes
            .get(name)
            .is_some_and(|ai| body(&ei.definition, &ai.definition))
    }) || e.triggers.iter().any(|(name, et)| {
        a.triggers
            .get(name)
            .is_some_and(|at| body(&et.definition, &at.definition))
    }) || e.policies.iter().any(|(name, ep)| {
        a.policies.get(name).is_some_and(|ap| {
            [(&ep.using, &ap.using), (&ep.with_check, &ap.with_check)]
                .into_iter()
                .any(|pair| matches!(pair, (Some(e), Some(a)) if body(e, a)))
        })
    })
}

/// Whether `equate_body` would replace `actual`.
fn body_changes(expected: &str, actual: &str, eq: &Equivalences) -> bool {
    expected != actual && bodies_equivalent(expected, actual, eq.whitespace, eq.comments)
}

fn equate_namespace(
    schema: &str,
    e: &Namespace,
    a: &mut Namespace,
    eq: &Equivalences,
    defaults: &DefaultRules,
) {
    let body = |e: &String, a: &mut String| equate_body(e, a, eq);
    for (name, et) in &e.tables {
        if let Some(at) = a.tables.get_mut(name) {
            equate_table(schema, et, at, eq, defaults);
        }
    }
    for (name, ev) in &e.views {
        if let Some(av) = a.views.get_mut(name) {
            body(&ev.definition, &mut av.definition);
            if ev.definition != av.definition
                && view_qualifiers_equivalent(&ev.definition, &av.definition)
            {
                av.definition.clone_from(&ev.definition);
            }
            for (n, ei) in &ev.indexes {
                if let Some(ai) = av.indexes.get_mut(n) {
                    body(&ei.definition, &mut ai.definition);
                }
            }
            for (n, et) in &ev.triggers {
                if let Some(at) = av.triggers.get_mut(n) {
                    body(&et.definition, &mut at.definition);
                }
            }
        }
    }
    for (name, ef) in &e.functions {
        if let Some(af) = a.functions.get_mut(name) {
            body(&ef.body, &mut af.body);
        }
    }
    for (name, ety) in &e.types {
        let Some(aty) = a.types.get_mut(name) else {
            continue;
        };
        if let (
            TypeDefinition::Domain {
                default: ed,
                constraints: ec,
                ..
            },
            TypeDefinition::Domain {
                default: ad,
                constraints: ac,
                ..
            },
        ) = (&ety.definition, &mut aty.definition)
        {
            if let (Some(e), Some(a)) = (ed, ad.as_mut()) {
                defaults.equate(schema, e, a);
            }
            for (n, e) in ec {
                if let Some(a) = ac.get_mut(n) {
                    body(e, a);
                }
            }
        }
    }
}

fn equate_table(
    schema: &str,
    e: &Table,
    a: &mut Table,
    eq: &Equivalences,
    defaults: &DefaultRules,
) {
    for (name, ec) in &e.columns {
        if let Some(ac) = a.columns.get_mut(name)
            && let (Some(ed), Some(ad)) = (&ec.default, ac.default.as_mut())
        {
            defaults.equate(schema, ed, ad);
        }
    }
    for (name, ec) in &e.constraints {
        if let Some(ac) = a.constraints.get_mut(name) {
            equate_body(&ec.definition, &mut ac.definition, eq);
        }
    }
    for (name, ei) in &e.indexes {
        if let Some(ai) = a.indexes.get_mut(name) {
            equate_body(&ei.definition, &mut ai.definition, eq);
        }
    }
    for (name, et) in &e.triggers {
        if let Some(at) = a.triggers.get_mut(name) {
            equate_body(&et.definition, &mut at.definition, eq);
        }
    }
    for (name, ep) in &e.policies {
        if let Some(ap) = a.policies.get_mut(name) {
            for (e, a) in [
                (&ep.using, &mut ap.using),
                (&ep.with_check, &mut ap.with_check),
            ] {
                if let (Some(e), Some(a)) = (e, a.as_mut()) {
                    equate_body(e, a, eq);
                }
            }
        }
    }
}

/// Make `actual` equal to `expected` when the two differ only in whitespace and/or comments.
fn equate_body(expected: &str, actual: &mut String, eq: &Equivalences) {
    if body_changes(expected, actual, eq) {
        actual.clear();
        actual.push_str(expected);
    }
}

/// Whether two SQL (or PL/pgSQL) texts are the same token for token, ignoring whitespace
/// and/or comments. String literals, quoted identifiers and dollar quotes are single tokens, so
/// spaces inside them always count.
pub fn bodies_equivalent(a: &str, b: &str, whitespace: bool, comments: bool) -> bool {
    if !whitespace && !comments {
        return a == b;
    }
    let keep = |t: &Token<'_>| match t.kind {
        TokenKind::Whitespace => !whitespace,
        TokenKind::LineComment | TokenKind::BlockComment => !comments,
        _ => true,
    };
    let ta = tokenize(a);
    let tb = tokenize(b);
    let mut ia = ta.iter().filter(|t| keep(t));
    let mut ib = tb.iter().filter(|t| keep(t));
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.kind == y.kind && x.text == y.text => {}
            _ => return false,
        }
    }
}

/// PostgreSQL 16 and later print the columns of a single-relation view unqualified
/// (`SELECT id FROM public.t`) where 15 and earlier qualify them (`SELECT t.id FROM public.t`).
/// The two are the same view when dropping the one qualifier every column carries on one side
/// gives the other side token for token. With two or more qualifiers (a join, a correlated
/// subquery) nothing is dropped, since which relation a column comes from matters there.
pub fn view_qualifiers_equivalent(a: &str, b: &str) -> bool {
    let significant = |s: &str| -> Vec<String> {
        tokenize(s)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .map(|t| t.text.to_string())
            .collect()
    };
    let (ta, tb) = (significant(a), significant(b));
    strip_single_qualifier(&ta).is_some_and(|s| s == tb)
        || strip_single_qualifier(&tb).is_some_and(|s| s == ta)
}

/// The tokens without `X.` before column names, when exactly one such X is used. Qualifiers
/// of relation names (after FROM, JOIN, ...) are schema names and stay.
fn strip_single_qualifier(tokens: &[String]) -> Option<Vec<String>> {
    let is_ident = |t: &str| {
        t.starts_with('"')
            || t.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
    };
    let relation_context = |i: usize| {
        i > 0
            && ["from", "join", "only"]
                .iter()
                .any(|k| tokens[i - 1].eq_ignore_ascii_case(k))
    };
    let mut qualifier: Option<&str> = None;
    let mut drop = vec![false; tokens.len()];
    for i in 0..tokens.len().saturating_sub(2) {
        if tokens[i + 1] == "." && is_ident(&tokens[i]) && is_ident(&tokens[i + 2]) {
            if relation_context(i) {
                continue;
            }
            match qualifier {
                None => qualifier = Some(&tokens[i]),
                Some(q) if q == tokens[i] => {}
                Some(_) => return None,
            }
            drop[i] = true;
            drop[i + 1] = true;
        }
    }
    qualifier?;
    Some(
        tokens
            .iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(t, _)| t.clone())
            .collect(),
    )
}

/// Default-expression equivalence: built-in rules plus user-declared sets.
struct DefaultRules {
    builtin: bool,
    /// Canonical text of each member → index of its set.
    sets: BTreeMap<String, usize>,
}

impl DefaultRules {
    fn new(eq: &Equivalences) -> DefaultRules {
        let mut sets = BTreeMap::new();
        for (i, set) in eq.default_sets.iter().enumerate() {
            for member in set {
                sets.insert(canonical_default(member, None, eq.default_equivalence), i);
            }
        }
        DefaultRules {
            builtin: eq.default_equivalence,
            sets,
        }
    }

    fn equate(&self, schema: &str, expected: &str, actual: &mut String) {
        if self.equivalent(schema, expected, actual) {
            actual.clear();
            actual.push_str(expected);
        }
    }

    /// Whether two different default expressions are equivalent (false when they are equal:
    /// there is nothing to equate).
    fn equivalent(&self, schema: &str, expected: &str, actual: &str) -> bool {
        if expected == actual || (!self.builtin && self.sets.is_empty()) {
            return false;
        }
        let e = canonical_default(expected, Some(schema), self.builtin);
        let a = canonical_default(actual, Some(schema), self.builtin);
        let same_set = || match (self.sets.get(&e), self.sets.get(&a)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        };
        (self.builtin && e == a) || same_set()
    }
}

/// The canonical form of a default expression, as space-separated tokens. With `builtin`:
///
/// | written | canonical |
/// | --- | --- |
/// | `now()`, `CURRENT_TIMESTAMP`, `transaction_timestamp()`, `pg_catalog.now()` | `now()` |
/// | `'a'::text`, `'a'::character varying`, `'a'::varchar`, `'a'::bpchar` | `'a'` |
/// | `(0)`, `(-1)` (a parenthesised number) | `0`, `-1` |
/// | `nextval('orders_id_seq'::regclass)` in schema `public` | `nextval('public.orders_id_seq'::regclass)` |
///
/// Casts with a length (`'abc'::character varying(2)` truncates) and `CURRENT_TIMESTAMP(3)`
/// (another precision), `statement_timestamp()` and `clock_timestamp()` (other moments) are not
/// equated.
pub fn canonical_default(expr: &str, schema: Option<&str>, builtin: bool) -> String {
    let tokens: Vec<Token<'_>> = tokenize(expr)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let word = |i: usize, w: &str| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(w))
    };
    let text = |i: usize, s: &str| tokens.get(i).is_some_and(|t| t.text == s);
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if builtin {
            // pg_catalog.now() → now()
            if word(i, "pg_catalog") && text(i + 1, ".") && word(i + 2, "now") {
                i += 2;
                continue;
            }
            if (word(i, "now") || word(i, "transaction_timestamp"))
                && text(i + 1, "(")
                && text(i + 2, ")")
            {
                out.push("now()".into());
                i += 3;
                continue;
            }
            if word(i, "current_timestamp") && !text(i + 1, "(") {
                out.push("now()".into());
                i += 1;
                continue;
            }
            if t.kind == TokenKind::String && text(i + 1, "::") {
                let cast_len = if word(i + 2, "character") && word(i + 3, "varying") {
                    2
                } else if word(i + 2, "text") || word(i + 2, "varchar") || word(i + 2, "bpchar") {
                    1
                } else {
                    0
                };
                let after = i + 2 + cast_len;
                if cast_len > 0 && !text(after, "(") && !text(after, "[") {
                    out.push(t.text.to_string());
                    i = after;
                    continue;
                }
            }
            let at_operand_start = out.last().is_none_or(|prev| {
                !prev.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"' || c == ')')
            });
            if at_operand_start
                && text(i, "-")
                && tokens
                    .get(i + 1)
                    .is_some_and(|t| t.kind == TokenKind::Number)
            {
                out.push(format!("-{}", tokens[i + 1].text));
                i += 2;
                continue;
            }
            if at_operand_start && text(i, "(") {
                let number = tokens
                    .get(i + 1)
                    .is_some_and(|t| t.kind == TokenKind::Number);
                if number && text(i + 2, ")") {
                    out.push(tokens[i + 1].text.to_string());
                    i += 3;
                    continue;
                }
                let negative = text(i + 1, "-")
                    && tokens
                        .get(i + 2)
                        .is_some_and(|t| t.kind == TokenKind::Number);
                if negative && text(i + 3, ")") {
                    out.push(format!("-{}", tokens[i + 2].text));
                    i += 4;
                    continue;
                }
            }
            if word(i, "nextval")
                && text(i + 1, "(")
                && tokens
                    .get(i + 2)
                    .is_some_and(|t| t.kind == TokenKind::String)
                && text(i + 3, "::")
                && word(i + 4, "regclass")
                && let Some(schema) = schema
            {
                let literal = tokens[i + 2].text;
                let inner = &literal[1..literal.len().saturating_sub(1).max(1)];
                let qualified = if is_qualified(inner) {
                    literal.to_string()
                } else {
                    format!("'{}.{}'", quote_ident(schema).replace('\'', "''"), inner)
                };
                out.extend(["nextval".into(), "(".into(), qualified]);
                i += 3;
                continue;
            }
        }
        out.push(t.text.to_string());
        i += 1;
    }
    out.join(" ")
}

/// Whether a relation name as written inside a regclass literal has a schema part: a dot
/// outside double quotes.
fn is_qualified(name: &str) -> bool {
    let mut quoted = false;
    for c in name.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// Apply role and schema renames (actual → expected) to every place a name can appear:
/// owners, grantees, policy roles, schema keys, and schema-qualified references inside
/// definitions (`tenant_042.orders`, `'tenant_042.orders_id_seq'::regclass`).
fn rename(actual: Schema, eq: &Equivalences) -> Schema {
    // The model is plain data: walking its JSON image reaches every string without a visitor
    // per field, and the round trip is exact.
    let Ok(mut value) = serde_json::to_value(&actual) else {
        return actual;
    };
    rename_value(&mut value, eq, None);
    if let Some(serde_json::Value::Object(schemas)) = value.get_mut("schemas") {
        let old = std::mem::take(schemas);
        for (name, ns) in old {
            let name = eq.schemas.get(&name).cloned().unwrap_or(name);
            schemas.insert(name, ns);
        }
    }
    let Ok(mut renamed) = serde_json::from_value::<Schema>(value) else {
        return actual;
    };
    // An edge names its objects' schemas as bare names, which the walk above leaves alone (it
    // renames qualifiers): rename them here. Names stay renamed as map keys are (a function's
    // argument types are qualified).
    if !eq.schemas.is_empty() {
        for path in (renamed.dependencies.iter_mut()).flat_map(|d| [&mut d.from, &mut d.to]) {
            if let Some(new) = path.schema.as_ref().and_then(|s| eq.schemas.get(s)) {
                path.schema = Some(new.clone());
            }
        }
        renamed.dependencies.sort_unstable();
        renamed.dependencies.dedup();
    }
    renamed
}

fn rename_value(value: &mut serde_json::Value, eq: &Equivalences, key: Option<&str>) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let role_field = matches!(key, Some("owner" | "grantee" | "roles"));
            if role_field && let Some(new) = eq.roles.get(s.as_str()) {
                *s = new.clone();
            } else if !eq.schemas.is_empty() {
                *s = rename_schemas_in(s, &eq.schemas);
            }
        }
        Value::Array(items) => {
            for item in items {
                rename_value(item, eq, key);
            }
        }
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                rename_value(&mut v, eq, Some(&k));
                let k = if eq.schemas.is_empty() {
                    k
                } else {
                    rename_schemas_in(&k, &eq.schemas)
                };
                map.insert(k, v);
            }
        }
        _ => {}
    }
}

/// Rewrite `old.` qualifiers (as identifiers, or at the start of a regclass-style string
/// literal) to the renamed schema.
fn rename_schemas_in(text: &str, schemas: &BTreeMap<String, String>) -> String {
    if !schemas.keys().any(|old| text.contains(old.as_str())) {
        return text.to_string();
    }
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        let next_is_dot = tokens.get(i + 1).is_some_and(|n| n.text == ".");
        let ident = match t.kind {
            TokenKind::Word if next_is_dot => Some(t.text.to_string()),
            TokenKind::QuotedIdent if next_is_dot => {
                Some(t.text[1..t.text.len() - 1].replace("\"\"", "\""))
            }
            _ => None,
        };
        if let Some(new) = ident.as_deref().and_then(|n| schemas.get(n)) {
            out.push_str(&quote_ident(new));
            continue;
        }
        if t.kind == TokenKind::String && t.text.starts_with('\'') {
            let inner = &t.text[1..];
            if let Some((old, new)) = schemas
                .iter()
                .find(|(old, _)| inner.starts_with(&format!("{}.", quote_ident(old))))
            {
                out.push('\'');
                out.push_str(&quote_ident(new).replace('\'', "''"));
                out.push_str(&inner[quote_ident(old).len()..]);
                continue;
            }
        }
        out.push_str(t.text);
    }
    out
}

#[cfg(test)]
mod tests;

//! Normalization: the equivalence rules that run between reading two schemas and comparing
//! them, so harmless differences never become findings.
//!
//! Renames (roles and schemas that are named differently per environment) are applied to the
//! actual schema through the model's typed name visitor. Equivalences are decided pairwise, in
//! one walk that emits edits: where an expected and an actual value differ only in a way a rule
//! declares harmless (whitespace, comments, an equivalent default), the edit replaces the actual
//! value by the expected one. Values that really differ keep their original text, so reports
//! show what the server printed, not a canonical form. With no edit and no rename, the actual
//! schema is not copied at all.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{NameSlot, Namespace, Schema, TypeDefinition, quote_ident, visit_names_mut};
use crate::sql::lexer::{Token, TokenKind, tokenize};

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
    if eq.renames() {
        rename(&mut actual, eq);
    }
    let edits = edits(expected, &actual, eq);
    apply(&mut actual, &edits);
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
    if eq.renames() {
        return Cow::Owned(normalize(expected, actual.clone(), eq));
    }
    let edits = edits(expected, actual, eq);
    if edits.is_empty() {
        return Cow::Borrowed(actual);
    }
    let mut copy = actual.clone();
    apply(&mut copy, &edits);
    Cow::Owned(copy)
}

impl Equivalences {
    /// The normalization a policy's settings ask for.
    pub fn of(settings: &crate::policy::Settings) -> Equivalences {
        Equivalences {
            whitespace: settings.ignore.whitespace,
            comments: settings.ignore.comments,
            default_equivalence: settings.ignore.default_equivalence,
            default_sets: settings.equivalent_defaults.values().cloned().collect(),
            roles: settings.rename_roles.clone(),
            schemas: settings.rename_schemas.clone(),
        }
    }

    fn renames(&self) -> bool {
        !self.roles.is_empty() || !self.schemas.is_empty()
    }
}

/// One value of the actual schema that an equivalence makes equal to the expected one: where it
/// is, and the expected text it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit<'e> {
    pub schema: &'e str,
    pub slot: Slot<'e>,
    pub value: &'e str,
}

/// Where in a schema an edited value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'e> {
    ColumnDefault { table: &'e str, column: &'e str },
    Constraint { table: &'e str, name: &'e str },
    TableIndex { table: &'e str, name: &'e str },
    TableTrigger { table: &'e str, name: &'e str },
    PolicyUsing { table: &'e str, name: &'e str },
    PolicyCheck { table: &'e str, name: &'e str },
    ViewDefinition { view: &'e str },
    ViewIndex { view: &'e str, name: &'e str },
    ViewTrigger { view: &'e str, name: &'e str },
    FunctionBody { function: &'e str },
    DomainDefault { domain: &'e str },
    DomainConstraint { domain: &'e str, name: &'e str },
}

/// The one walk: every value of `actual` that differs from its counterpart in `expected` only in
/// a way an equivalence declares harmless, as an edit to the expected text.
pub fn edits<'e>(expected: &'e Schema, actual: &Schema, eq: &Equivalences) -> Vec<Edit<'e>> {
    let defaults = DefaultRules::new(eq);
    let mut out = Vec::new();
    for (schema, e_ns) in &expected.schemas {
        if let Some(a_ns) = actual.schemas.get(schema) {
            namespace_edits(schema, e_ns, a_ns, eq, &defaults, &mut out);
        }
    }
    out
}

/// Pairs of values with the same key in two maps.
fn both<'e, 'a, V>(
    e: &'e BTreeMap<String, V>,
    a: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'e str, &'e V, &'a V)> {
    e.iter()
        .filter_map(|(k, ev)| a.get(k).map(|av| (k.as_str(), ev, av)))
}

fn namespace_edits<'e>(
    schema: &'e str,
    e: &'e Namespace,
    a: &Namespace,
    eq: &Equivalences,
    defaults: &DefaultRules,
    out: &mut Vec<Edit<'e>>,
) {
    let mut push = |slot: Slot<'e>, value: &'e str| {
        out.push(Edit {
            schema,
            slot,
            value,
        })
    };
    let body = |e: &str, a: &str| body_changes(e, a, eq);
    for (table, et, at) in both(&e.tables, &a.tables) {
        for (column, ec, ac) in both(&et.columns, &at.columns) {
            if let (Some(ed), Some(ad)) = (&ec.default, &ac.default)
                && defaults.equivalent(schema, ed, ad)
            {
                push(Slot::ColumnDefault { table, column }, ed);
            }
        }
        for (name, ec, ac) in both(&et.constraints, &at.constraints) {
            if body(&ec.definition, &ac.definition) {
                push(Slot::Constraint { table, name }, &ec.definition);
            }
        }
        for (name, ei, ai) in both(&et.indexes, &at.indexes) {
            if body(&ei.definition, &ai.definition) {
                push(Slot::TableIndex { table, name }, &ei.definition);
            }
        }
        for (name, etr, atr) in both(&et.triggers, &at.triggers) {
            if body(&etr.definition, &atr.definition) {
                push(Slot::TableTrigger { table, name }, &etr.definition);
            }
        }
        for (name, ep, ap) in both(&et.policies, &at.policies) {
            if let (Some(e), Some(a)) = (&ep.using, &ap.using)
                && body(e, a)
            {
                push(Slot::PolicyUsing { table, name }, e);
            }
            if let (Some(e), Some(a)) = (&ep.with_check, &ap.with_check)
                && body(e, a)
            {
                push(Slot::PolicyCheck { table, name }, e);
            }
        }
    }
    for (view, ev, av) in both(&e.views, &a.views) {
        if ev.definition != av.definition
            && (bodies_equivalent(&ev.definition, &av.definition, eq.whitespace, eq.comments)
                || view_qualifiers_equivalent(&ev.definition, &av.definition))
        {
            push(Slot::ViewDefinition { view }, &ev.definition);
        }
        for (name, ei, ai) in both(&ev.indexes, &av.indexes) {
            if body(&ei.definition, &ai.definition) {
                push(Slot::ViewIndex { view, name }, &ei.definition);
            }
        }
        for (name, etr, atr) in both(&ev.triggers, &av.triggers) {
            if body(&etr.definition, &atr.definition) {
                push(Slot::ViewTrigger { view, name }, &etr.definition);
            }
        }
    }
    for (function, ef, af) in both(&e.functions, &a.functions) {
        if body(&ef.body, &af.body) {
            push(Slot::FunctionBody { function }, &ef.body);
        }
    }
    for (domain, ety, aty) in both(&e.types, &a.types) {
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
            continue;
        };
        if let (Some(e), Some(a)) = (ed, ad)
            && defaults.equivalent(schema, e, a)
        {
            push(Slot::DomainDefault { domain }, e);
        }
        for (name, e, a) in both(ec, ac) {
            if body(e, a) {
                push(Slot::DomainConstraint { domain, name }, e);
            }
        }
    }
}

/// Apply edits made by `edits` to the schema they were computed against.
pub fn apply(actual: &mut Schema, edits: &[Edit<'_>]) {
    for edit in edits {
        if let Some(target) = actual
            .schemas
            .get_mut(edit.schema)
            .and_then(|ns| slot_mut(ns, edit.slot))
        {
            target.clear();
            target.push_str(edit.value);
        }
    }
}

fn slot_mut<'n>(ns: &'n mut Namespace, slot: Slot<'_>) -> Option<&'n mut String> {
    match slot {
        Slot::ColumnDefault { table, column } => ns
            .tables
            .get_mut(table)?
            .columns
            .get_mut(column)?
            .default
            .as_mut(),
        Slot::Constraint { table, name } => Some(
            &mut ns
                .tables
                .get_mut(table)?
                .constraints
                .get_mut(name)?
                .definition,
        ),
        Slot::TableIndex { table, name } => {
            Some(&mut ns.tables.get_mut(table)?.indexes.get_mut(name)?.definition)
        }
        Slot::TableTrigger { table, name } => {
            Some(&mut ns.tables.get_mut(table)?.triggers.get_mut(name)?.definition)
        }
        Slot::PolicyUsing { table, name } => ns
            .tables
            .get_mut(table)?
            .policies
            .get_mut(name)?
            .using
            .as_mut(),
        Slot::PolicyCheck { table, name } => ns
            .tables
            .get_mut(table)?
            .policies
            .get_mut(name)?
            .with_check
            .as_mut(),
        Slot::ViewDefinition { view } => Some(&mut ns.views.get_mut(view)?.definition),
        Slot::ViewIndex { view, name } => {
            Some(&mut ns.views.get_mut(view)?.indexes.get_mut(name)?.definition)
        }
        Slot::ViewTrigger { view, name } => {
            Some(&mut ns.views.get_mut(view)?.triggers.get_mut(name)?.definition)
        }
        Slot::FunctionBody { function } => Some(&mut ns.functions.get_mut(function)?.body),
        Slot::DomainDefault { domain } => match &mut ns.types.get_mut(domain)?.definition {
            TypeDefinition::Domain { default, .. } => default.as_mut(),
            _ => None,
        },
        Slot::DomainConstraint { domain, name } => {
            match &mut ns.types.get_mut(domain)?.definition {
                TypeDefinition::Domain { constraints, .. } => constraints.get_mut(name),
                _ => None,
            }
        }
    }
}

/// Whether `actual` differs from `expected` only in whitespace and/or comments.
fn body_changes(expected: &str, actual: &str, eq: &Equivalences) -> bool {
    expected != actual && bodies_equivalent(expected, actual, eq.whitespace, eq.comments)
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

/// PostgreSQL 16 and later print a column unqualified where 15 and earlier qualify it
/// (`SELECT id FROM public.t` against `SELECT t.id FROM public.t`) in exactly one place: the
/// top query level of the view, when its FROM clause holds a single item. Subqueries, CTE
/// bodies and the branches of a UNION keep their qualifiers on every version (they see the
/// enclosing level too), and so does a top level with a join or several FROM items. The two
/// texts are the same view when turning the qualified one into what 16 prints gives the other
/// token for token; this mirrors that rule exactly, rather than dropping qualifiers anywhere.
pub fn view_qualifiers_equivalent(a: &str, b: &str) -> bool {
    let significant = |s: &str| -> Vec<String> {
        tokenize(s)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .map(|t| t.text.to_string())
            .collect()
    };
    let (ta, tb) = (significant(a), significant(b));
    unqualified_as_since_16(&ta).is_some_and(|s| s == tb)
        || unqualified_as_since_16(&tb).is_some_and(|s| s == ta)
}

/// The tokens of a view definition as PostgreSQL 16 prints them: `alias.` dropped before the
/// columns of the top level when its FROM clause is one item named `alias`. `None` when
/// nothing would change.
fn unqualified_as_since_16(tokens: &[String]) -> Option<Vec<String>> {
    let word = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.eq_ignore_ascii_case(w));
    let is_ident = |t: &str| {
        t.starts_with('"')
            || t.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
    };
    // Which tokens belong to the top level: a parenthesis opened right before SELECT, WITH or
    // VALUES starts a subquery, which lasts to its closing parenthesis. Other parentheses
    // (calls, OVER (...), expressions) stay on their level.
    let mut top = vec![false; tokens.len()];
    let mut stack: Vec<bool> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let inside_subquery = stack.iter().any(|s| *s);
        match t.as_str() {
            "(" => {
                top[i] = !inside_subquery;
                stack.push(word(i + 1, "select") || word(i + 1, "with") || word(i + 1, "values"));
            }
            ")" => {
                stack.pop()?;
                top[i] = !stack.iter().any(|s| *s);
            }
            _ => top[i] = !inside_subquery,
        }
    }
    if !stack.is_empty() {
        return None;
    }
    let depth_zero = {
        let mut depth = 0usize;
        tokens
            .iter()
            .map(|t| {
                let here = depth == 0;
                match t.as_str() {
                    "(" => depth += 1,
                    ")" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                here && t != ")"
            })
            .collect::<Vec<bool>>()
    };
    let zero = |i: usize| depth_zero[i] && top[i];
    // A set operation at the top: each branch is its own level, qualified everywhere.
    if (0..tokens.len())
        .any(|i| zero(i) && ["union", "intersect", "except"].iter().any(|w| word(i, w)))
    {
        return None;
    }
    // The top level's FROM clause (after a leading WITH clause, whose bodies are subqueries).
    let from = (0..tokens.len()).find(|&i| zero(i) && word(i, "from"))?;
    const CLAUSE_ENDS: &[&str] = &[
        "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for",
    ];
    let end = (from + 1..tokens.len())
        .find(|&i| zero(i) && (tokens[i] == ";" || CLAUSE_ENDS.iter().any(|w| word(i, w))))
        .unwrap_or(tokens.len());
    let items = from + 1..end;
    if items
        .clone()
        .any(|i| zero(i) && (tokens[i] == "," || word(i, "join") || word(i, "lateral")))
    {
        return None;
    }
    // The item's name: its alias, else the relation's own name (the last word at depth 0).
    let alias = items
        .clone()
        .rev()
        .find(|&i| zero(i) && is_ident(&tokens[i]) && !word(i, "only"))
        .map(|i| tokens[i].as_str())?;
    let mut drop = vec![false; tokens.len()];
    let mut changed = false;
    for i in 0..tokens.len().saturating_sub(2) {
        let in_from = items.contains(&i);
        if top[i]
            && !in_from
            && tokens[i] == alias
            && tokens[i + 1] == "."
            && is_ident(&tokens[i + 2])
            && !(i > 0 && tokens[i - 1] == ".")
        {
            drop[i] = true;
            drop[i + 1] = true;
            changed = true;
        }
    }
    changed.then(|| {
        tokens
            .iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(t, _)| t.clone())
            .collect()
    })
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

/// Apply role and schema renames (actual → expected) to every place a name can appear, by what
/// it names: roles where a role is named, schema names where a schema is named, schema
/// qualifiers inside SQL (`tenant_042.orders`, `'tenant_042.orders_id_seq'::regclass`). Prose
/// (comments) and labels (enum labels) are never rewritten, even when they hold a schema's name.
fn rename(actual: &mut Schema, eq: &Equivalences) {
    visit_names_mut(actual, &mut |slot, s: &mut String| match slot {
        NameSlot::Role => {
            if let Some(new) = eq.roles.get(s.as_str()) {
                s.clone_from(new);
            }
        }
        NameSlot::Schema => {
            if let Some(new) = eq.schemas.get(s.as_str()) {
                s.clone_from(new);
            }
        }
        NameSlot::Sql if !eq.schemas.is_empty() => *s = rename_schemas_in(s, &eq.schemas),
        NameSlot::Sql | NameSlot::Text => {}
    });
    // Renamed edges keep the list sorted and free of duplicates.
    actual.dependencies.sort_unstable();
    actual.dependencies.dedup();
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
            TokenKind::QuotedIdent if next_is_dot => crate::sql::ident::unquoted(t.text),
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

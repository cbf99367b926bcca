//! Seeded random mutations of the real schemas in tests/corpus, round-tripped through the plan.
//!
//! Each corpus (with `tests/corpus/mutation-fixture.sql`, objects of the kinds the two schemas
//! lack) is loaded once into a template database. A round copies it twice, applies a few random
//! mutations to one side (sometimes the actual side, so the plan drops what they add, sometimes
//! the expected side, so it creates it), plans actual → expected, runs the plan with psql and
//! proves it as `plan_scenarios` does: the check is clean, `pg_dump --schema-only` agrees, a
//! second plan is empty. Some rounds plan without `allow_destructive`: then exactly the
//! destructive findings (and what they hold back: see `held_back`) must be listed as not
//! planned, and be all that is left. Defaults are compared as written (both sides are on one
//! server), and the corpus tables are emptied, so data never decides whether a plan can run.
//!
//! The mutations come from a small PRNG, so a run is reproducible: every failing round prints
//! its seed, the mutation SQL and the plan. `PGDRIFT_MUTATION_SEED` sets the first round's seed
//! (round n uses seed + n) and `PGDRIFT_MUTATION_ROUNDS` the number of rounds per corpus; a
//! failing round is run again alone with its seed and `PGDRIFT_MUTATION_ROUNDS=1`.

mod common;
mod plan_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use pgdrift::diff::Finding;
use pgdrift::model::{
    ConstraintKind, FunctionKind, ObjectKind, ObjectPath, Schema, Table, TypeDefinition, View,
    qualified, quote_ident,
};
use pgdrift::plan::ddl;
use pgdrift::policy::Settings;
use pgdrift::rules::RuleId;

use common::TestDb;

/// Roles the mutations grant to and give objects to (the fixture uses them too).
const READER: &str = "pgdrift_corpus_reader";
const OWNER: &str = "pgdrift_corpus_owner";

const DEFAULT_SEED: u64 = 0x005e_ed0f_d1f7;
const DEFAULT_ROUNDS: usize = 36;

// ---- the generator -----------------------------------------------------------------------

/// SplitMix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, salt: &str) -> Rng {
        let mut s = seed;
        for b in salt.bytes() {
            s = (s ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Rng(s)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// One relation of the model, with where it lives.
#[derive(Clone, Copy)]
struct Rel<'m> {
    schema: &'m str,
    name: &'m str,
    table: &'m Table,
}

impl Rel<'_> {
    fn q(&self) -> String {
        qualified(self.schema, self.name)
    }
    fn is_plain(&self) -> bool {
        self.table.partition_of.is_none() && self.table.inherits.is_empty()
    }
}

#[derive(Clone, Copy)]
struct ViewRef<'m> {
    schema: &'m str,
    name: &'m str,
    view: &'m View,
}

/// What the mutations pick from: the template's model, read once.
struct Ctx<'m> {
    model: &'m Schema,
    tables: Vec<Rel<'m>>,
    views: Vec<ViewRef<'m>>,
    /// Non-automatic dependency edges, by what is needed: what needs it.
    needed_by: HashMap<ObjectPath, Vec<ObjectPath>>,
    /// Single-column primary keys and unique constraints: (table, column, type).
    keys: Vec<(Rel<'m>, &'m str, &'m str)>,
    /// Tables that are some table's inheritance or partition parent.
    parents: BTreeSet<String>,
}

impl<'m> Ctx<'m> {
    fn new(model: &'m Schema) -> Ctx<'m> {
        let mut tables = Vec::new();
        let mut views = Vec::new();
        for (schema, ns) in &model.schemas {
            for (name, table) in &ns.tables {
                tables.push(Rel {
                    schema,
                    name,
                    table,
                });
            }
            for (name, view) in &ns.views {
                views.push(ViewRef { schema, name, view });
            }
        }
        let mut needed_by: HashMap<ObjectPath, Vec<ObjectPath>> = HashMap::new();
        for d in &model.dependencies {
            if !d.auto {
                needed_by
                    .entry(d.to.clone())
                    .or_default()
                    .push(d.from.clone());
            }
        }
        let mut keys = Vec::new();
        for rel in &tables {
            for c in rel.table.constraints.values() {
                if !matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) {
                    continue;
                }
                let cols = c
                    .definition
                    .split_once('(')
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map(|(cols, _)| cols);
                if let Some(col) = cols
                    && !col.contains(',')
                    && let Some(column) = rel.table.columns.get_key_value(col.trim())
                {
                    keys.push((*rel, column.0.as_str(), column.1.data_type.as_str()));
                }
            }
        }
        let parents = tables
            .iter()
            .flat_map(|r| r.table.partition_of.iter().chain(&r.table.inherits))
            .cloned()
            .collect();
        Ctx {
            model,
            tables,
            views,
            needed_by,
            keys,
            parents,
        }
    }

    fn plain_tables(&self) -> Vec<Rel<'m>> {
        self.tables
            .iter()
            .filter(|r| r.is_plain() && !self.parents.contains(&r.q()))
            .copied()
            .collect()
    }

    /// Everything that needs `path`, transitively (a relation's dependents are what needs it
    /// or any of its columns), in no particular order; `None` when something other than a
    /// view, a materialized view or their triggers and indexes is among them.
    fn view_closure(&self, path: &ObjectPath) -> Option<Vec<ObjectPath>> {
        let mut out: Vec<ObjectPath> = Vec::new();
        let mut stack = vec![path.clone()];
        while let Some(p) = stack.pop() {
            let mut direct: Vec<ObjectPath> = self.needed_by.get(&p).cloned().unwrap_or_default();
            if matches!(p.kind, ObjectKind::View | ObjectKind::MaterializedView) {
                for (to, froms) in &self.needed_by {
                    if to.kind == ObjectKind::Column
                        && to.schema == p.schema
                        && to.parent.as_deref() == Some(p.name.as_str())
                    {
                        direct.extend(froms.iter().cloned());
                    }
                }
            }
            for d in direct {
                match d.kind {
                    ObjectKind::View | ObjectKind::MaterializedView => {}
                    // Policies and triggers (their WHEN) are leaves: made again last.
                    ObjectKind::Policy | ObjectKind::Trigger => {
                        if !out.contains(&d) {
                            out.push(d);
                        }
                        continue;
                    }
                    _ => return None,
                }
                if !out.contains(&d) {
                    out.push(d.clone());
                    stack.push(d);
                }
            }
        }
        out.sort();
        Some(out)
    }

    /// The views of `closure` in an order they can be created in (what a view needs first).
    fn creation_order(&self, closure: &[ObjectPath]) -> Vec<ObjectPath> {
        let mut placed: Vec<ObjectPath> = Vec::new();
        let needs = |v: &ObjectPath| -> Vec<ObjectPath> {
            self.model
                .dependencies
                .iter()
                .filter(|d| &d.from == v)
                .filter_map(|d| {
                    let to = if d.to.kind == ObjectKind::Column {
                        closure
                            .iter()
                            .find(|c| {
                                c.schema == d.to.schema
                                    && Some(c.name.as_str()) == d.to.parent.as_deref()
                            })?
                            .clone()
                    } else {
                        d.to.clone()
                    };
                    closure.contains(&to).then_some(to)
                })
                .collect()
        };
        while placed.len() < closure.len() {
            let before = placed.len();
            for v in closure {
                if !placed.contains(v) && needs(v).iter().all(|n| placed.contains(n) || n == v) {
                    placed.push(v.clone());
                }
            }
            if placed.len() == before {
                break;
            }
        }
        placed
    }

    /// The statements that create a view of the model again, with what PostgreSQL drops with
    /// it (indexes, triggers) and its owner, grants and comment.
    fn view_sql(&self, path: &ObjectPath) -> Vec<String> {
        let schema = path.schema.as_deref().unwrap_or_default();
        if let Some(table) = path.parent.as_deref() {
            let Some(t) = self.model.schemas[schema].tables.get(table) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            if let Some(p) = t.policies.get(&path.name) {
                out.extend(ddl::create_policy(schema, table, &path.name, p).ok());
                if let Some(c) = &p.comment {
                    let object = ddl::Object::Policy {
                        schema,
                        table,
                        name: &path.name,
                    };
                    out.push(ddl::comment(&object, Some(c)));
                }
            }
            if let Some(tr) = t.triggers.get(&path.name) {
                out.push(ddl::create_trigger(tr));
                if tr.enabled != "O" {
                    out.extend(
                        ddl::set_trigger_enabled(schema, table, &path.name, &tr.enabled).ok(),
                    );
                }
            }
            return out;
        }
        let Some(view) = self.model.schemas[schema].views.get(&path.name) else {
            return Vec::new();
        };
        let mut out = vec![ddl::create_view(schema, &path.name, view)];
        out.extend(view.indexes.values().map(ddl::create_index));
        out.extend(view.triggers.values().map(ddl::create_trigger));
        let object = ddl::Object::View {
            schema,
            name: &path.name,
            materialized: view.materialized,
        };
        if let Ok(sql) = ddl::owner(&object, &view.owner) {
            out.push(sql);
        }
        if let Ok(sql) = ddl::grant_changes(&object, &[], &view.grants) {
            out.extend(sql);
        }
        if let Some(c) = &view.comment {
            out.push(ddl::comment(&object, Some(c)));
        }
        for (name, index) in &view.indexes {
            if let Some(c) = &index.comment {
                out.push(ddl::comment(&ddl::Object::Index { schema, name }, Some(c)));
            }
        }
        out
    }

    /// `drop` statements for the closure (dependents first), the change, and the closure
    /// created again: a change PostgreSQL refuses while views read what it changes.
    fn around_views(&self, path: &ObjectPath, change: &str) -> Option<String> {
        let closure = self.view_closure(path)?;
        let order = self.creation_order(&closure);
        if order.len() != closure.len() {
            return None;
        }
        let mut sql = String::new();
        for v in order.iter().rev() {
            let materialized = v.kind == ObjectKind::MaterializedView;
            let schema = v.schema.as_deref().unwrap_or_default();
            let table = v.parent.as_deref().unwrap_or_default();
            sql.push_str(&match v.kind {
                ObjectKind::Policy => ddl::drop_policy(schema, table, &v.name),
                ObjectKind::Trigger => ddl::drop_trigger(schema, table, &v.name),
                _ => ddl::drop_view(schema, &v.name, materialized),
            });
            sql.push('\n');
        }
        sql.push_str(change);
        sql.push('\n');
        for v in &order {
            for s in self.view_sql(v) {
                sql.push_str(&s);
                sql.push('\n');
            }
        }
        Some(sql)
    }
}

fn column_path(rel: &Rel<'_>, column: &str) -> ObjectPath {
    ObjectPath::child(ObjectKind::Column, rel.schema, rel.name, column)
}

/// A literal of a type, for defaults and checks.
fn literal_for(data_type: &str, rng: &mut Rng) -> Option<String> {
    let t = data_type;
    Some(match t {
        "integer" | "bigint" | "smallint" => {
            ["0", "1", "42", "'-1'::integer"][rng.below(4)].to_string()
        }
        "numeric" | "double precision" | "real" => "1.5".into(),
        "boolean" => ["true", "false"][rng.below(2)].into(),
        "text" | "public.citext" => {
            ["'pgd'::text", "''::text", "'it''s'::text"][rng.below(3)].into()
        }
        "jsonb" => "'{}'::jsonb".into(),
        "json" => "'[]'::json".into(),
        "timestamp with time zone" | "timestamp without time zone" => {
            ["now()", "CURRENT_TIMESTAMP", "'2024-01-01 00:00:00'"][rng.below(3)].into()
        }
        "date" => "CURRENT_DATE".into(),
        "uuid" => "gen_random_uuid()".into(),
        "text[]" => "'{}'::text[]".into(),
        "integer[]" => "'{}'::integer[]".into(),
        _ if t.starts_with("character varying") => "'v'::character varying".into(),
        _ => return None,
    })
}

/// Types a column of type `t` can be changed to (with a cast), widening and narrowing.
fn retypes(t: &str) -> Vec<String> {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
    match t {
        "integer" => v(&["bigint", "numeric", "smallint", "text"]),
        "bigint" => v(&["integer", "numeric"]),
        "smallint" => v(&["integer"]),
        "text" => v(&[
            "character varying(300)",
            "character varying",
            "public.citext",
        ]),
        "character varying" => v(&["text", "character varying(20)"]),
        "boolean" => v(&["text"]),
        "timestamp with time zone" => v(&["timestamp without time zone"]),
        "timestamp without time zone" => v(&["timestamp with time zone"]),
        "numeric" => v(&["numeric(20,4)", "double precision"]),
        "jsonb" => v(&["json", "text"]),
        "json" => v(&["jsonb"]),
        "real" => v(&["double precision"]),
        "double precision" => v(&["real", "numeric"]),
        "public.citext" => v(&["text"]),
        "uuid" => v(&["text"]),
        "date" => v(&["timestamp without time zone"]),
        "text[]" => v(&["character varying[]"]),
        "integer[]" => v(&["bigint[]"]),
        _ => {
            if let Some(n) = t
                .strip_prefix("character varying(")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|n| n.parse::<u32>().ok())
            {
                vec![
                    "text".into(),
                    format!("character varying({})", n + 20),
                    format!("character varying({})", (n / 2).max(1)),
                ]
            } else if t.starts_with("numeric(") {
                v(&["numeric", "numeric(30,6)"])
            } else {
                Vec::new()
            }
        }
    }
}

/// Whether every value of `from` fits `to`: the test's own list of what the planner may change
/// without `allow_destructive` (every other type change is destructive).
fn widening(from: &str, to: &str) -> bool {
    let ints = ["smallint", "integer", "bigint"];
    let rank = |t: &str| ints.iter().position(|i| *i == t);
    if let (Some(a), Some(b)) = (rank(from), rank(to)) {
        return b >= a;
    }
    if rank(from).is_some() && matches!(to, "numeric" | "text" | "character varying") {
        return true;
    }
    let varchar = |t: &str| {
        t.strip_prefix("character varying(")
            .and_then(|r| r.strip_suffix(')'))
            .and_then(|n| n.parse::<u32>().ok())
    };
    let texty = |t: &str| matches!(t, "text" | "character varying") || varchar(t).is_some();
    if matches!(to, "text" | "character varying") && (texty(from) || from.starts_with("character("))
    {
        return true;
    }
    if let (Some(a), Some(b)) = (varchar(from), varchar(to)) {
        return b >= a;
    }
    if from.starts_with("numeric(") && to == "numeric" {
        return true;
    }
    if let (Some(a), Some(b)) = (numeric_args(from), numeric_args(to)) {
        return b.1 >= a.1 && b.0 - b.1 >= a.0 - a.1;
    }
    if let (Some(a), Some(b)) = (from.strip_suffix("[]"), to.strip_suffix("[]")) {
        return a == b;
    }
    matches!(
        (from, to),
        ("real", "double precision")
            | ("timestamp without time zone", "timestamp with time zone")
            | ("json", "jsonb")
    )
}

fn numeric_args(t: &str) -> Option<(i64, i64)> {
    let inner = t.strip_prefix("numeric(")?.strip_suffix(')')?;
    let (p, s) = inner.split_once(',')?;
    Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
}

/// Whether a finding needs `allow_destructive` to be planned: dropping a table, a column or a
/// schema, a type change that can lose values, a plain column turned into a generated one.
fn destructive(f: &Finding) -> bool {
    match f.rule {
        RuleId::TableExtra | RuleId::ColumnExtra | RuleId::SchemaExtra => true,
        RuleId::ColumnType => match (&f.actual, &f.expected) {
            (Some(a), Some(e)) => !widening(a, e),
            _ => true,
        },
        RuleId::ColumnGenerated => f.actual.is_none(),
        _ => false,
    }
}

/// Hostile comment text: quotes, a backslash, a line break, non-ASCII.
fn comment_text(rng: &mut Rng) -> String {
    let texts = [
        "plain words",
        "it's quoted \"twice\"",
        "back\\slash and $$dollars$$",
        "two\nlines",
        "ünïcödé ✓",
    ];
    texts[rng.below(texts.len())].to_string()
}

// ---- the mutations -----------------------------------------------------------------------

/// One round's mutation maker: the context, the generator, names handed out so far.
struct Mutator<'c, 'm> {
    ctx: &'c Ctx<'m>,
    rng: Rng,
    serial: usize,
    /// Whether the expected side is mutated (the plan makes what the mutations make).
    expected: bool,
}

type Gen = fn(&mut Mutator<'_, '_>) -> Option<String>;

/// Every kind of mutation, with its weight.
const KINDS: &[(&str, u32, Gen)] = &[
    ("column.add", 6, |m| m.add_column()),
    ("column.drop", 4, |m| m.drop_column()),
    ("column.retype", 6, |m| m.retype_column()),
    ("column.retype_under_view", 3, |m| m.retype_under_view()),
    ("column.default", 5, |m| m.change_default()),
    ("column.not_null", 4, |m| m.change_not_null()),
    ("column.identity", 2, |m| m.change_identity()),
    ("index.drop", 4, |m| m.drop_index()),
    ("index.add", 5, |m| m.add_index()),
    ("constraint.check", 4, |m| m.add_check()),
    ("constraint.drop", 4, |m| m.drop_constraint()),
    ("constraint.change", 3, |m| m.change_constraint()),
    ("constraint.foreign_key", 4, |m| m.add_foreign_key()),
    ("constraint.unique", 2, |m| m.add_unique()),
    ("view.wrap", 3, |m| m.wrap_view()),
    ("view.append", 3, |m| m.append_view_column()),
    ("view.drop", 2, |m| m.drop_view()),
    ("view.add", 3, |m| m.add_view()),
    ("matview.add", 2, |m| m.add_matview()),
    ("function.body", 4, |m| m.change_function_body()),
    ("function.attributes", 3, |m| m.change_function_attributes()),
    ("function.returns", 2, |m| m.change_function_returns()),
    ("function.signature", 2, |m| m.change_function_signature()),
    ("function.add", 3, |m| m.add_function()),
    ("function.drop", 2, |m| m.drop_function()),
    ("enum.add", 3, |m| m.add_enum_label()),
    ("enum.recreate", 2, |m| m.recreate_enum()),
    ("domain", 2, |m| m.change_domain()),
    ("composite", 2, |m| m.change_composite()),
    ("sequence.alter", 4, |m| m.alter_sequence()),
    ("sequence.add_drop", 2, |m| m.add_or_drop_sequence()),
    ("grant", 6, |m| m.grant()),
    ("revoke", 3, |m| m.revoke()),
    ("owner", 4, |m| m.change_owner()),
    ("policy.add", 3, |m| m.add_policy()),
    ("policy.drop", 2, |m| m.drop_policy()),
    ("policy.alter", 3, |m| m.alter_policy()),
    ("rls", 3, |m| m.change_rls()),
    ("comment", 6, |m| m.change_comment()),
    ("trigger.drop", 2, |m| m.drop_trigger()),
    ("trigger.add", 3, |m| m.add_trigger()),
    ("trigger.enable", 3, |m| m.enable_trigger()),
    ("partition.detach_attach", 3, |m| m.detach_or_attach()),
    ("partition.add_drop", 2, |m| m.add_or_drop_partition()),
    ("partition.parent_change", 3, |m| {
        m.change_partitioned_parent()
    }),
    ("inheritance", 2, |m| m.change_inheritance()),
    ("table.add_drop", 2, |m| m.add_or_drop_table()),
    ("schema.add", 1, |m| m.add_schema()),
    ("extension", 1, |m| m.change_extension()),
];

impl<'c, 'm> Mutator<'c, 'm> {
    fn name(&mut self, what: &str) -> String {
        self.serial += 1;
        format!("pgd_{what}_{}", self.serial)
    }

    fn table(&mut self) -> Option<Rel<'m>> {
        self.rng.pick(&self.ctx.tables).copied()
    }

    fn plain_table(&mut self) -> Option<Rel<'m>> {
        let plain = self.ctx.plain_tables();
        self.rng.pick(&plain).copied()
    }

    /// A column of a plain table, filtered.
    fn column(
        &mut self,
        keep: impl Fn(&Rel<'m>, &str, &pgdrift::model::Column) -> bool,
    ) -> Option<(Rel<'m>, &'m str, &'m pgdrift::model::Column)> {
        let mut all = Vec::new();
        for rel in self.ctx.plain_tables() {
            for (name, c) in &rel.table.columns {
                if keep(&rel, name, c) {
                    all.push((rel, name.as_str(), &**c));
                }
            }
        }
        self.rng.pick(&all).copied()
    }

    fn view(&mut self, materialized: Option<bool>) -> Option<ViewRef<'m>> {
        let views: Vec<ViewRef<'m>> = self
            .ctx
            .views
            .iter()
            .filter(|v| materialized.is_none_or(|m| v.view.materialized == m))
            .copied()
            .collect();
        self.rng.pick(&views).copied()
    }

    fn function(
        &mut self,
        keep: impl Fn(&pgdrift::model::Function) -> bool,
    ) -> Option<(&'m str, &'m str, &'m pgdrift::model::Function)> {
        let mut all = Vec::new();
        for (schema, ns) in &self.ctx.model.schemas {
            for (key, f) in &ns.functions {
                if keep(f) {
                    all.push((schema.as_str(), key.as_str(), f));
                }
            }
        }
        self.rng.pick(&all).copied()
    }

    fn enum_type(&mut self) -> Option<(&'m str, &'m str, &'m Vec<String>)> {
        let mut all = Vec::new();
        for (schema, ns) in &self.ctx.model.schemas {
            for (name, t) in &ns.types {
                if let TypeDefinition::Enum { labels } = &t.definition {
                    all.push((schema.as_str(), name.as_str(), labels));
                }
            }
        }
        self.rng.pick(&all).copied()
    }

    // -- columns --

    fn add_column(&mut self) -> Option<String> {
        let rel = if self.rng.chance(15) {
            // A partitioned parent or an inheritance parent: the column reaches the children.
            let parents: Vec<Rel<'m>> = self
                .ctx
                .tables
                .iter()
                .filter(|r| self.ctx.parents.contains(&r.q()) && r.table.partition_of.is_none())
                .copied()
                .collect();
            *self.rng.pick(&parents)?
        } else {
            self.plain_table()?
        };
        let name = self.name("col");
        let text_column = rel
            .table
            .columns
            .iter()
            .find(|(_, c)| c.data_type == "text" && c.generated.is_none())
            .map(|(n, _)| n.clone());
        let shapes = [
            "integer".to_string(),
            "text DEFAULT 'x'::text NOT NULL".into(),
            "boolean DEFAULT false".into(),
            "timestamp with time zone DEFAULT now()".into(),
            "jsonb DEFAULT '{}'::jsonb NOT NULL".into(),
            "character varying(30)".into(),
            "numeric(10,2) CHECK (".to_string() + &quote_ident(&name) + " >= 0)",
            "bigint GENERATED BY DEFAULT AS IDENTITY".into(),
            "integer GENERATED ALWAYS AS IDENTITY".into(),
            "serial".into(),
            "text[] DEFAULT '{}'::text[]".into(),
            "pgd.mood DEFAULT 'happy'::pgd.mood".into(),
            "pgd.positive".into(),
            "pgd.span".into(),
            match &text_column {
                Some(c) => format!(
                    "text GENERATED ALWAYS AS (upper({})) STORED",
                    quote_ident(c)
                ),
                None => "text COLLATE \"C\"".into(),
            },
            "uuid DEFAULT gen_random_uuid() NOT NULL".into(),
            "text COLLATE \"C\"".into(),
        ];
        let shape = self.rng.pick(&shapes)?.clone();
        let partitioned = rel.table.partition_key.is_some();
        if partitioned && (shape.contains("IDENTITY") || shape == "serial") {
            return None;
        }
        // The sequence of a serial column of an unlogged table is unlogged, and the model
        // does not say whether a sequence is logged: the check could not tell them apart.
        if shape == "serial" && rel.table.persistence == pgdrift::model::Persistence::Unlogged {
            return None;
        }
        Some(format!(
            "ALTER TABLE {} ADD COLUMN {} {shape};",
            rel.q(),
            quote_ident(&name)
        ))
    }

    fn drop_column(&mut self) -> Option<String> {
        let (rel, name, _) = self.column(|_, _, _| true)?;
        // CASCADE: views, indexes and constraints on the column go with it.
        Some(format!(
            "ALTER TABLE {} DROP COLUMN {} CASCADE;",
            rel.q(),
            quote_ident(name)
        ))
    }

    fn retype_sql(rel: &Rel<'_>, name: &str, to: &str) -> String {
        format!(
            "ALTER TABLE {} ALTER COLUMN {} SET DATA TYPE {to} USING {}::{to};",
            rel.q(),
            quote_ident(name),
            quote_ident(name)
        )
    }

    fn retype_column(&mut self) -> Option<String> {
        let ctx = self.ctx;
        let (rel, name, c) = self.column(|rel, name, c| {
            !retypes(&c.data_type).is_empty()
                && c.generated.is_none()
                && !ctx.needed_by.contains_key(&column_path(rel, name))
        })?;
        let to = self.rng.pick(&retypes(&c.data_type))?.clone();
        Some(Self::retype_sql(&rel, name, &to))
    }

    fn retype_under_view(&mut self) -> Option<String> {
        let ctx = self.ctx;
        let (rel, name, c) = self.column(|rel, name, c| {
            !retypes(&c.data_type).is_empty()
                && c.generated.is_none()
                && ctx.needed_by.contains_key(&column_path(rel, name))
        })?;
        let to = self.rng.pick(&retypes(&c.data_type))?.clone();
        let change = Self::retype_sql(&rel, name, &to);
        self.ctx.around_views(&column_path(&rel, name), &change)
    }

    fn change_default(&mut self) -> Option<String> {
        let (rel, name, c) =
            self.column(|_, _, c| c.identity.is_none() && c.generated.is_none())?;
        let column = format!("ALTER TABLE {} ALTER COLUMN {}", rel.q(), quote_ident(name));
        if c.default.is_some() && self.rng.chance(50) {
            return Some(format!("{column} DROP DEFAULT;"));
        }
        let value = literal_for(&c.data_type, &mut self.rng)?;
        Some(format!("{column} SET DEFAULT {value};"))
    }

    fn change_not_null(&mut self) -> Option<String> {
        let (rel, name, c) = self.column(|_, _, c| c.identity.is_none())?;
        let action = if c.not_null { "DROP" } else { "SET" };
        Some(format!(
            "ALTER TABLE {} ALTER COLUMN {} {action} NOT NULL;",
            rel.q(),
            quote_ident(name)
        ))
    }

    fn change_identity(&mut self) -> Option<String> {
        let (rel, name, c) = self.column(|_, _, c| {
            c.identity.is_some()
                || (matches!(c.data_type.as_str(), "integer" | "bigint")
                    && c.generated.is_none()
                    && c.default
                        .as_deref()
                        .is_none_or(|d| d.starts_with("nextval(")))
        })?;
        let column = format!("ALTER TABLE {} ALTER COLUMN {}", rel.q(), quote_ident(name));
        Some(match c.identity {
            Some(_) if self.rng.chance(50) => format!("{column} DROP IDENTITY;"),
            Some(pgdrift::model::Identity::Always) => format!("{column} SET GENERATED BY DEFAULT;"),
            Some(pgdrift::model::Identity::ByDefault) => format!("{column} SET GENERATED ALWAYS;"),
            None => {
                let drop = if c.default.is_some() {
                    format!("{column} DROP DEFAULT;\n")
                } else {
                    String::new()
                };
                let kind = ["ALWAYS", "BY DEFAULT"][self.rng.below(2)];
                format!("{drop}{column} SET NOT NULL;\n{column} ADD GENERATED {kind} AS IDENTITY;")
            }
        })
    }

    // -- indexes and constraints --

    fn drop_index(&mut self) -> Option<String> {
        let mut all = Vec::new();
        for rel in &self.ctx.tables {
            for name in rel.table.indexes.keys() {
                all.push(qualified(rel.schema, name));
            }
        }
        for v in &self.ctx.views {
            for name in v.view.indexes.keys() {
                all.push(qualified(v.schema, name));
            }
        }
        Some(format!("DROP INDEX {};", self.rng.pick(&all)?))
    }

    fn indexable(c: &pgdrift::model::Column) -> bool {
        !matches!(c.data_type.as_str(), "json" | "xml" | "point")
            && !c.data_type.starts_with("public.hstore")
            && !c.data_type.starts_with("pgd.pair")
            && !c.data_type.starts_with("pgd.span")
    }

    fn add_index(&mut self) -> Option<String> {
        if self.rng.chance(15)
            && let Some(v) = self.view(Some(true))
        {
            let name = self.name("mvidx");
            let def = v.view.definition.to_ascii_lowercase();
            let column = ["mood", "n", "id"].into_iter().find(|c| def.contains(c))?;
            return Some(format!(
                "CREATE INDEX {} ON {} ({column});",
                quote_ident(&name),
                qualified(v.schema, v.name)
            ));
        }
        let rel = self.table()?;
        let columns: Vec<(&String, &pgdrift::model::Column)> = rel
            .table
            .columns
            .iter()
            .map(|(name, c)| (name, &**c))
            .filter(|(_, c)| Self::indexable(c))
            .collect();
        let (first, c) = *self.rng.pick(&columns)?;
        let name = self.name("idx");
        let partitioned = rel.table.partition_key.is_some();
        let unique = !partitioned && self.rng.chance(30);
        let mut key = quote_ident(first);
        if c.data_type == "text" && self.rng.chance(30) {
            key = format!("lower({key})");
        } else if self.rng.chance(30)
            && let Some((second, _)) = self.rng.pick(&columns)
            && *second != first
        {
            key = format!("{key}, {}", quote_ident(second));
        }
        let mut sql = format!(
            "CREATE {}INDEX {} ON {} ({key})",
            if unique { "UNIQUE " } else { "" },
            quote_ident(&name),
            rel.q()
        );
        if self.rng.chance(25) {
            sql.push_str(&format!(" WHERE {} IS NOT NULL", quote_ident(first)));
        }
        sql.push(';');
        if self.rng.chance(20) {
            sql.push_str(&format!(
                "\nCOMMENT ON INDEX {} IS {};",
                qualified(rel.schema, &name),
                ddl::literal(&comment_text(&mut self.rng))
            ));
        }
        Some(sql)
    }

    fn check_expression(c: &str, data_type: &str) -> String {
        let col = quote_ident(c);
        match data_type {
            "integer" | "bigint" | "smallint" | "numeric" => format!("{col} >= 0"),
            "text" => format!("{col} <> ''::text"),
            _ if data_type.starts_with("character varying") => format!("length({col}) < 500"),
            _ => format!("{col} IS NOT NULL OR {col} IS NULL"),
        }
    }

    fn add_check(&mut self) -> Option<String> {
        let rel = self.table()?;
        if rel.table.partition_of.is_some() {
            return None;
        }
        let columns: Vec<(&String, &pgdrift::model::Column)> =
            rel.table.columns.iter().map(|(n, c)| (n, &**c)).collect();
        let (c, col) = *self.rng.pick(&columns)?;
        let name = self.name("check");
        let mut sql = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
            rel.q(),
            quote_ident(&name),
            Self::check_expression(c, &col.data_type)
        );
        if self.rng.chance(25) {
            sql.push_str(&format!(
                "\nCOMMENT ON CONSTRAINT {} ON {} IS {};",
                quote_ident(&name),
                rel.q(),
                ddl::literal(&comment_text(&mut self.rng))
            ));
        }
        Some(sql)
    }

    fn constraint(
        &mut self,
        keep: impl Fn(&pgdrift::model::Constraint) -> bool,
    ) -> Option<(Rel<'m>, &'m str, &'m pgdrift::model::Constraint)> {
        let mut all = Vec::new();
        for rel in &self.ctx.tables {
            if rel.table.partition_of.is_some() {
                continue;
            }
            for (name, c) in &rel.table.constraints {
                if keep(c) {
                    all.push((*rel, name.as_str(), c));
                }
            }
        }
        self.rng.pick(&all).copied()
    }

    fn drop_constraint(&mut self) -> Option<String> {
        let (rel, name, _) = self.constraint(|_| true)?;
        Some(format!(
            "ALTER TABLE {} DROP CONSTRAINT {} CASCADE;",
            rel.q(),
            quote_ident(name)
        ))
    }

    fn change_constraint(&mut self) -> Option<String> {
        let (rel, name, c) = self
            .constraint(|c| matches!(c.kind, ConstraintKind::Check | ConstraintKind::ForeignKey))?;
        let definition = match c.kind {
            ConstraintKind::Check => {
                let body = c.definition.strip_prefix("CHECK ")?;
                let body = body.strip_suffix(" NOT VALID").unwrap_or(body);
                format!("CHECK ({body} OR false)")
            }
            _ => {
                let base = c
                    .definition
                    .split(" ON DELETE")
                    .next()?
                    .split(" ON UPDATE")
                    .next()?
                    .split(" DEFERRABLE")
                    .next()?
                    .split(" NOT VALID")
                    .next()?;
                let tail = [
                    " ON DELETE CASCADE",
                    " ON DELETE SET NULL",
                    " DEFERRABLE INITIALLY DEFERRED",
                    "",
                ][self.rng.below(4)];
                format!("{base}{tail}")
            }
        };
        if definition == c.definition {
            return None;
        }
        Some(format!(
            "ALTER TABLE {t} DROP CONSTRAINT {n};\nALTER TABLE {t} ADD CONSTRAINT {n} {definition};",
            t = rel.q(),
            n = quote_ident(name)
        ))
    }

    fn add_foreign_key(&mut self) -> Option<String> {
        let (key_rel, key_column, key_type) = *self.rng.pick(&self.ctx.keys)?;
        let ctx = self.ctx;
        let (rel, name, _) = self.column(|rel, _, c| {
            c.data_type == key_type && c.generated.is_none() && rel.q() != key_rel.q()
                || std::ptr::eq(rel.table, key_rel.table) && c.data_type == key_type
        })?;
        let _ = ctx;
        if rel.q() == key_rel.q() && name == key_column {
            return None;
        }
        let constraint = self.name("fk");
        let tail = ["", " ON DELETE CASCADE", " ON UPDATE SET NULL DEFERRABLE"][self.rng.below(3)];
        Some(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}({}){tail};",
            rel.q(),
            quote_ident(&constraint),
            quote_ident(name),
            key_rel.q(),
            quote_ident(key_column)
        ))
    }

    fn add_unique(&mut self) -> Option<String> {
        let (rel, name, _) = self.column(|_, _, c| Self::indexable(c))?;
        let constraint = self.name("key");
        let primary = !rel
            .table
            .constraints
            .values()
            .any(|c| c.kind == ConstraintKind::PrimaryKey)
            && self.rng.chance(50);
        Some(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {} ({});",
            rel.q(),
            quote_ident(&constraint),
            if primary { "PRIMARY KEY" } else { "UNIQUE" },
            quote_ident(name)
        ))
    }

    // -- views --

    fn query(view: &View) -> &str {
        view.definition.trim().trim_end_matches(';').trim_end()
    }

    fn wrap_view(&mut self) -> Option<String> {
        let v = self.view(None)?;
        if v.view.materialized {
            let path = ObjectPath::in_schema(ObjectKind::MaterializedView, v.schema, v.name);
            let mut changed = v.view.clone();
            changed.definition = format!(" SELECT * FROM ({}) pgd_sub;", Self::query(v.view));
            let change = format!(
                "DROP MATERIALIZED VIEW {q};\n{}",
                ddl::create_view(v.schema, v.name, &changed),
                q = qualified(v.schema, v.name)
            );
            // The dependents are dropped and recreated around it; its own indexes with it.
            let mut sql = self.ctx.around_views(&path, &change)?;
            for i in v.view.indexes.values() {
                sql.push_str(&ddl::create_index(i));
                sql.push('\n');
            }
            return Some(sql);
        }
        let mut changed = v.view.clone();
        changed.definition = format!(" SELECT * FROM ({}) pgd_sub;", Self::query(v.view));
        ddl::create_or_replace_view(v.schema, v.name, &changed).ok()
    }

    fn append_view_column(&mut self) -> Option<String> {
        let v = self.view(Some(false))?;
        let name = self.name("vcol");
        let mut changed = v.view.clone();
        changed.definition = format!(
            " SELECT pgd_sub.*, 1 AS {} FROM ({}) pgd_sub;",
            quote_ident(&name),
            Self::query(v.view)
        );
        ddl::create_or_replace_view(v.schema, v.name, &changed).ok()
    }

    fn drop_view(&mut self) -> Option<String> {
        let v = self.view(None)?;
        Some(format!(
            "DROP {}VIEW {} CASCADE;",
            if v.view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            qualified(v.schema, v.name)
        ))
    }

    fn add_view(&mut self) -> Option<String> {
        let name = self.name("view");
        if self.rng.chance(40)
            && let Some(v) = self.view(None)
        {
            // A view on a view.
            return Some(format!(
                "CREATE VIEW public.{} AS SELECT * FROM {} WHERE true;\n\
                 GRANT SELECT ON public.{} TO {READER};",
                quote_ident(&name),
                qualified(v.schema, v.name),
                quote_ident(&name),
            ));
        }
        let rel = self.table()?;
        let mut columns: Vec<&String> = rel.table.columns.keys().collect();
        columns.truncate(1 + self.rng.below(3));
        let list: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        let options = [
            "",
            " WITH (security_barrier = true)",
            " WITH (security_invoker = true)",
        ][self.rng.below(3)];
        Some(format!(
            "CREATE VIEW {}.{}{options} AS SELECT {} FROM {};\nCOMMENT ON VIEW {}.{} IS {};",
            quote_ident(rel.schema),
            quote_ident(&name),
            list.join(", "),
            rel.q(),
            quote_ident(rel.schema),
            quote_ident(&name),
            ddl::literal(&comment_text(&mut self.rng))
        ))
    }

    fn add_matview(&mut self) -> Option<String> {
        let rel = self.plain_table()?;
        let (column, _) = rel.table.columns.iter().find(|(_, c)| Self::indexable(c))?;
        let name = self.name("mv");
        let index = self.name("mvidx");
        Some(format!(
            "CREATE MATERIALIZED VIEW {s}.{n} AS SELECT {c}, count(*) AS n FROM {t} GROUP BY {c};\n\
             CREATE UNIQUE INDEX {i} ON {s}.{n} ({c});\n\
             GRANT SELECT ON {s}.{n} TO {READER};",
            s = quote_ident(rel.schema),
            n = quote_ident(&name),
            c = quote_ident(column),
            t = rel.q(),
            i = quote_ident(&index),
        ))
    }

    // -- functions --

    fn change_function_body(&mut self) -> Option<String> {
        let (schema, key, f) = self.function(|f| {
            matches!(f.kind, FunctionKind::Function | FunctionKind::Procedure)
                && (f.language == "plpgsql"
                    || f.language == "sql"
                        && !f
                            .body
                            .trim_start()
                            .to_ascii_lowercase()
                            .starts_with("begin atomic")
                        && !f
                            .body
                            .trim_start()
                            .to_ascii_lowercase()
                            .starts_with("return"))
        })?;
        let mut changed = f.clone();
        if f.language == "plpgsql" {
            let lower = f.body.to_ascii_lowercase();
            let at = lower.find("begin")? + "begin".len();
            changed.body = format!("{}\n    PERFORM 1;{}", &f.body[..at], &f.body[at..]);
        } else {
            changed.body = format!("SELECT 1; {}", f.body);
        }
        ddl::create_or_replace_function(schema, key, &changed).ok()
    }

    fn change_function_attributes(&mut self) -> Option<String> {
        let (schema, key, f) = self.function(|f| f.kind != FunctionKind::Aggregate)?;
        let object = ddl::Object::Function {
            schema,
            key,
            kind: f.kind,
        };
        // `ALTER FUNCTION s.f(args)`: the owner statement names the routine the same way.
        let owner = ddl::owner(&object, OWNER).ok()?;
        let head = owner.strip_suffix(&format!(" OWNER TO {OWNER};"))?;
        let procedure = f.kind == FunctionKind::Procedure;
        let actions: &[&str] = if procedure {
            &[
                "SECURITY DEFINER",
                "SET search_path = public, pg_temp",
                "SET work_mem = '8MB'",
            ]
        } else {
            &[
                "COST 77",
                "STABLE",
                "VOLATILE",
                "IMMUTABLE",
                "STRICT",
                "CALLED ON NULL INPUT",
                "SECURITY DEFINER",
                "PARALLEL SAFE",
                "LEAKPROOF",
                "SET search_path = public, pg_temp",
                "RESET ALL",
            ]
        };
        let action = self.rng.pick(actions)?;
        Some(format!("{head} {action};"))
    }

    fn change_function_returns(&mut self) -> Option<String> {
        let swaps = [
            ("integer", "bigint"),
            ("bigint", "numeric"),
            ("text", "character varying"),
            ("boolean", "integer"),
            ("jsonb", "json"),
            ("text[]", "character varying[]"),
            (
                "TABLE(id integer, qty integer)",
                "TABLE(id bigint, qty integer)",
            ),
        ];
        let (schema, key, f) = self.function(|f| {
            f.kind == FunctionKind::Function && swaps.iter().any(|(from, _)| f.returns == *from)
        })?;
        let (_, to) = swaps.iter().find(|(from, _)| f.returns == *from)?;
        let mut changed = f.clone();
        changed.returns = to.to_string();
        let drop = ddl::drop_function(schema, key, f.kind);
        let mut sql = format!(
            "SET LOCAL check_function_bodies = off;\n{drop}\n{}",
            ddl::create_function(schema, key, &changed).ok()?
        );
        let object = ddl::Object::Function {
            schema,
            key,
            kind: f.kind,
        };
        if let Ok(owner) = ddl::owner(&object, &f.owner) {
            sql.push('\n');
            sql.push_str(&owner);
        }
        Some(sql)
    }

    /// OUT parameters, argument names and defaults, and a table's columns: what CREATE OR
    /// REPLACE cannot change.
    fn change_function_signature(&mut self) -> Option<String> {
        let actions = [
            format!(
                "DROP FUNCTION pgd.split(integer);\n\
                 CREATE FUNCTION pgd.split(x integer, OUT lo bigint, OUT hi bigint) LANGUAGE sql \
                 IMMUTABLE AS 'SELECT x / 2, x - x / 2';\n\
                 GRANT EXECUTE ON FUNCTION pgd.split(integer) TO {READER};"
            ),
            "DROP FUNCTION pgd.double_it(integer);\n\
             CREATE FUNCTION pgd.double_it(y integer DEFAULT 2) RETURNS integer LANGUAGE plpgsql \
             IMMUTABLE AS $$BEGIN RETURN y * 2; END$$;"
                .to_string(),
            "DROP FUNCTION pgd.item_rows(pgd.mood);\n\
             CREATE FUNCTION pgd.item_rows(m pgd.mood) RETURNS TABLE(id integer, qty integer, code text) \
             LANGUAGE sql STABLE AS $$ SELECT id, qty, code FROM pgd.items WHERE mood = m $$;"
                .to_string(),
            "CREATE OR REPLACE PROCEDURE pgd.reset_counter() LANGUAGE plpgsql \
             AS $$BEGIN PERFORM setval('pgd.counter', 20); END$$;"
                .to_string(),
        ];
        self.rng.pick(&actions).cloned()
    }

    fn add_function(&mut self) -> Option<String> {
        let name = self.name("fn");
        let rel = self.plain_table()?;
        let (column, c) = rel.table.columns.iter().next()?;
        let shapes = [
            format!(
                "CREATE FUNCTION public.{name}(x integer, OUT doubled integer, OUT text_form text) \
                 LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2, x::text $$;"
            ),
            format!(
                "CREATE FUNCTION public.{name}(n integer DEFAULT 10) RETURNS TABLE(v {}) LANGUAGE sql \
                 STABLE AS $$ SELECT {} FROM {} LIMIT n $$;",
                c.data_type,
                quote_ident(column),
                rel.q()
            ),
            format!(
                "CREATE FUNCTION public.{name}() RETURNS SETOF {} LANGUAGE sql STABLE \
                 BEGIN ATOMIC SELECT * FROM {}; END;",
                rel.q(),
                rel.q()
            ),
            format!(
                "CREATE FUNCTION public.{name}(a text, VARIADIC rest text[]) RETURNS text \
                 LANGUAGE plpgsql AS $fn$BEGIN RETURN a || array_to_string(rest, ','); END$fn$;\n\
                 REVOKE EXECUTE ON FUNCTION public.{name}(text, text[]) FROM PUBLIC;\n\
                 GRANT EXECUTE ON FUNCTION public.{name}(text, text[]) TO {READER};"
            ),
            format!(
                "CREATE PROCEDURE public.{name}(INOUT total integer) LANGUAGE plpgsql \
                 AS $fn$BEGIN total := total + 1; END$fn$;\n\
                 COMMENT ON PROCEDURE public.{name}(integer) IS 'counts';"
            ),
            format!(
                "CREATE FUNCTION pgd.{name}(i pgd.items) RETURNS pgd.span LANGUAGE sql STABLE \
                 RETURN ROW(i.id, i.id)::pgd.span;"
            ),
            format!(
                "CREATE AGGREGATE public.{name}(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');"
            ),
        ];
        Some(self.rng.pick(&shapes)?.clone())
    }

    fn drop_function(&mut self) -> Option<String> {
        let ctx = self.ctx;
        let mut all = Vec::new();
        for (schema, ns) in &ctx.model.schemas {
            for (key, f) in &ns.functions {
                let kind = match f.kind {
                    FunctionKind::Procedure => ObjectKind::Procedure,
                    FunctionKind::Aggregate => ObjectKind::Aggregate,
                    _ => ObjectKind::Function,
                };
                if !ctx
                    .needed_by
                    .contains_key(&ObjectPath::in_schema(kind, schema, key))
                {
                    all.push((schema.as_str(), key.as_str(), f));
                }
            }
        }
        let (schema, key, f) = *self.rng.pick(&all)?;
        // Without CASCADE: operators and other objects outside the model may need it.
        Some(ddl::drop_function(schema, key, f.kind))
    }

    // -- types --

    fn add_enum_label(&mut self) -> Option<String> {
        let (schema, name, labels) = self.enum_type()?;
        let label = self.name("label");
        let position = match self.rng.below(3) {
            0 => String::new(),
            1 => format!(" BEFORE {}", ddl::literal(self.rng.pick(labels)?)),
            _ => format!(" AFTER {}", ddl::literal(self.rng.pick(labels)?)),
        };
        Some(format!(
            "ALTER TYPE {} ADD VALUE {}{position};",
            qualified(schema, name),
            ddl::literal(&label)
        ))
    }

    /// Remove a label or reorder them: rename the type, create it anew, move the columns.
    fn recreate_enum(&mut self) -> Option<String> {
        let (schema, name, labels) = self.enum_type()?;
        let path = ObjectPath::in_schema(ObjectKind::Type, schema, name);
        let users = self.ctx.needed_by.get(&path).cloned().unwrap_or_default();
        if users.iter().any(|u| u.kind != ObjectKind::Column) {
            return None;
        }
        let mut new_labels = labels.clone();
        if new_labels.len() > 2 && self.rng.chance(50) {
            // Drop one no default names.
            let i = self.rng.below(new_labels.len());
            let label = new_labels[i].clone();
            let quoted = ddl::literal(&label);
            let named = self.ctx.tables.iter().any(|r| {
                r.table
                    .columns
                    .values()
                    .any(|c| c.default.as_deref().is_some_and(|d| d.contains(&quoted)))
                    || r.table
                        .indexes
                        .values()
                        .any(|i| i.definition.contains(&quoted))
                    || r.table
                        .constraints
                        .values()
                        .any(|c| c.definition.contains(&quoted))
            }) || self
                .ctx
                .views
                .iter()
                .any(|v| v.view.definition.contains(&quoted));
            if named {
                return None;
            }
            new_labels.remove(i);
        } else {
            new_labels.reverse();
        }
        let q = qualified(schema, name);
        let old = format!("{name}_pgd_old");
        let mut sql = format!(
            "ALTER TYPE {q} RENAME TO {};\nCREATE TYPE {q} AS ENUM ({});\n",
            quote_ident(&old),
            new_labels
                .iter()
                .map(|l| ddl::literal(l))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for u in &users {
            let table = self.ctx.model.schemas[u.schema.as_deref()?]
                .tables
                .get(u.parent.as_deref()?)?;
            let c = table.columns.get(&u.name)?;
            let t = qualified(u.schema.as_deref()?, u.parent.as_deref()?);
            let col = quote_ident(&u.name);
            let array = if c.data_type.ends_with("[]") {
                "[]"
            } else {
                ""
            };
            if c.default.is_some() {
                writeln!(sql, "ALTER TABLE {t} ALTER COLUMN {col} DROP DEFAULT;").ok()?;
            }
            writeln!(
                sql,
                "ALTER TABLE {t} ALTER COLUMN {col} SET DATA TYPE {q}{array} USING {col}::text{array}::{q}{array};"
            )
            .ok()?;
            if let Some(d) = &c.default {
                writeln!(sql, "ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {d};").ok()?;
            }
        }
        writeln!(sql, "DROP TYPE {};", qualified(schema, &old)).ok()?;
        Some(sql)
    }

    fn change_domain(&mut self) -> Option<String> {
        let q = ["pgd.positive", "pgd.short_text"][self.rng.below(2)];
        let name = self.name("dom");
        let actions = [
            format!(
                "ALTER DOMAIN {q} ADD CONSTRAINT {name} CHECK (VALUE IS NOT NULL OR VALUE IS NULL);"
            ),
            format!(
                "ALTER DOMAIN {q} DROP CONSTRAINT {};",
                if q == "pgd.positive" {
                    "positive_check"
                } else {
                    "short_text_check"
                }
            ),
            format!("ALTER DOMAIN {q} SET NOT NULL;"),
            if q == "pgd.positive" {
                format!("ALTER DOMAIN {q} SET DEFAULT 7;")
            } else {
                format!("ALTER DOMAIN {q} DROP DEFAULT;")
            },
            format!(
                "CREATE DOMAIN pgd.{name} AS character varying(20) DEFAULT 'd' NOT NULL CHECK (VALUE <> '');\n\
                 CREATE TABLE pgd.{name}_t (v pgd.{name});\nCOMMENT ON DOMAIN pgd.{name} IS 'a domain';"
            ),
            format!("COMMENT ON DOMAIN {q} IS 'commented';"),
        ];
        Some(self.rng.pick(&actions)?.clone())
    }

    fn change_composite(&mut self) -> Option<String> {
        let name = self.name("comp");
        let actions = [
            "ALTER TYPE pgd.span ADD ATTRIBUTE width integer;".to_string(),
            "ALTER TYPE pgd.span DROP ATTRIBUTE hi;".into(),
            "ALTER TYPE pgd.span ALTER ATTRIBUTE lo SET DATA TYPE bigint;".into(),
            "ALTER TYPE pgd.pair ADD ATTRIBUTE c boolean;".into(),
            format!(
                "CREATE TYPE pgd.{name} AS (x integer, y pgd.positive, z text COLLATE \"C\");\n\
                 CREATE FUNCTION pgd.{name}_make(a integer) RETURNS pgd.{name} LANGUAGE sql \
                 AS $$ SELECT ROW(a, 1, 'z')::pgd.{name} $$;"
            ),
            "DROP TYPE pgd.span CASCADE;".into(),
        ];
        Some(self.rng.pick(&actions)?.clone())
    }

    // -- sequences --

    fn alter_sequence(&mut self) -> Option<String> {
        let mut all = Vec::new();
        for (schema, ns) in &self.ctx.model.schemas {
            for (name, s) in &ns.sequences {
                all.push((schema, name, s));
            }
        }
        let (schema, name, s) = *self.rng.pick(&all)?;
        let actions = [
            "INCREMENT BY 3".to_string(),
            "CACHE 20".into(),
            "MAXVALUE 99999999".into(),
            "MINVALUE 0".into(),
            format!("START WITH {}", s.start + 100),
            if s.cycle {
                "NO CYCLE".into()
            } else {
                "CYCLE".into()
            },
            if s.data_type == "bigint" {
                "AS integer".into()
            } else {
                "AS bigint".into()
            },
            "OWNED BY NONE".into(),
        ];
        let action = self.rng.pick(&actions)?;
        Some(format!(
            "ALTER SEQUENCE {} {action};",
            qualified(schema, name)
        ))
    }

    fn add_or_drop_sequence(&mut self) -> Option<String> {
        if self.rng.chance(50) {
            let mut all = Vec::new();
            for (schema, ns) in &self.ctx.model.schemas {
                for name in ns.sequences.keys() {
                    all.push(qualified(schema, name));
                }
            }
            return Some(format!("DROP SEQUENCE {} CASCADE;", self.rng.pick(&all)?));
        }
        let name = self.name("seq");
        let (rel, column, _) = self.column(|_, _, c| {
            c.data_type == "bigint"
                && c.default.is_none()
                && c.identity.is_none()
                && c.generated.is_none()
        })?;
        Some(format!(
            "CREATE SEQUENCE public.{name} AS bigint START 1000 INCREMENT 10;\n\
             ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT nextval('public.{name}'::regclass);\n\
             ALTER SEQUENCE public.{name} OWNED BY {t}.{c};\n\
             GRANT USAGE ON SEQUENCE public.{name} TO {READER};",
            t = rel.q(),
            c = quote_ident(column)
        ))
    }

    // -- access --

    fn grant(&mut self) -> Option<String> {
        let option = if self.rng.chance(20) {
            " WITH GRANT OPTION"
        } else {
            ""
        };
        Some(match self.rng.below(7) {
            0 | 1 => {
                let rel = self.table()?;
                let privileges = [
                    "SELECT",
                    "INSERT, UPDATE",
                    "DELETE",
                    "TRUNCATE",
                    "REFERENCES, TRIGGER",
                    "ALL",
                ];
                format!(
                    "GRANT {} ON TABLE {} TO {READER}{option};",
                    self.rng.pick(&privileges)?,
                    rel.q()
                )
            }
            2 => {
                let (rel, column, _) = self.column(|_, _, _| true)?;
                format!(
                    "GRANT SELECT ({c}), UPDATE ({c}) ON TABLE {} TO {READER}{option};",
                    rel.q(),
                    c = quote_ident(column)
                )
            }
            3 => {
                let v = self.view(None)?;
                format!(
                    "GRANT SELECT ON {} TO {READER}{option};",
                    qualified(v.schema, v.name)
                )
            }
            4 => {
                let mut all = Vec::new();
                for (schema, ns) in &self.ctx.model.schemas {
                    for name in ns.sequences.keys() {
                        all.push(qualified(schema, name));
                    }
                }
                let privilege = ["USAGE", "SELECT", "UPDATE"][self.rng.below(3)];
                format!(
                    "GRANT {privilege} ON SEQUENCE {} TO {READER}{option};",
                    self.rng.pick(&all)?
                )
            }
            5 => {
                let (schema, key, f) = self.function(|_| true)?;
                let object = ddl::Object::Function {
                    schema,
                    key,
                    kind: f.kind,
                };
                let grant = pgdrift::model::Grant {
                    grantee: READER.into(),
                    privilege: "EXECUTE".into(),
                    grantable: !option.is_empty(),
                };
                let mut sql = ddl::grant(&object, &grant).ok()?;
                if self.rng.chance(40) {
                    let public = pgdrift::model::Grant {
                        grantee: "PUBLIC".into(),
                        privilege: "EXECUTE".into(),
                        grantable: false,
                    };
                    sql.push('\n');
                    sql.push_str(&ddl::revoke(&object, &public).ok()?);
                }
                sql
            }
            _ => {
                if self.rng.chance(50) {
                    let privilege = ["USAGE", "CREATE"][self.rng.below(2)];
                    format!("GRANT {privilege} ON SCHEMA public TO {READER}{option};")
                } else {
                    let (schema, name, _) = self.enum_type()?;
                    format!(
                        "REVOKE USAGE ON TYPE {} FROM PUBLIC;",
                        qualified(schema, name)
                    )
                }
            }
        })
    }

    fn revoke(&mut self) -> Option<String> {
        let mut all: Vec<String> = vec![
            format!("REVOKE SELECT ON pgd.items FROM {READER};"),
            format!("REVOKE UPDATE ON pgd.items FROM {READER};"),
            format!("REVOKE SELECT (body) ON pgd.item_notes FROM {READER};"),
            format!("REVOKE USAGE ON SEQUENCE pgd.counter FROM {READER};"),
            format!("REVOKE EXECUTE ON FUNCTION pgd.split(integer) FROM {READER};"),
            "GRANT EXECUTE ON FUNCTION pgd.touch() TO PUBLIC;".into(),
            format!("REVOKE USAGE ON SCHEMA pgd FROM {READER};"),
            format!("REVOKE SELECT ON pgd.happy_items FROM {READER};"),
        ];
        for (schema, ns) in &self.ctx.model.schemas {
            for (name, t) in &ns.tables {
                for g in &t.grants {
                    all.push(format!(
                        "REVOKE {} ON {} FROM {};",
                        g.privilege,
                        qualified(schema, name),
                        if g.grantee == "PUBLIC" {
                            "PUBLIC".into()
                        } else {
                            quote_ident(&g.grantee)
                        }
                    ));
                }
            }
        }
        self.rng.pick(&all).cloned()
    }

    fn change_owner(&mut self) -> Option<String> {
        Some(match self.rng.below(7) {
            0 | 1 => format!("ALTER TABLE {} OWNER TO {OWNER};", self.table()?.q()),
            2 => {
                let v = self.view(None)?;
                format!(
                    "ALTER {}VIEW {} OWNER TO {OWNER};",
                    if v.view.materialized {
                        "MATERIALIZED "
                    } else {
                        ""
                    },
                    qualified(v.schema, v.name)
                )
            }
            3 => {
                let mut all = Vec::new();
                for (schema, ns) in &self.ctx.model.schemas {
                    for (name, s) in &ns.sequences {
                        if s.owned_by.is_none() {
                            all.push(qualified(schema, name));
                        }
                    }
                }
                format!("ALTER SEQUENCE {} OWNER TO {OWNER};", self.rng.pick(&all)?)
            }
            4 => {
                let (schema, key, f) = self.function(|_| true)?;
                let object = ddl::Object::Function {
                    schema,
                    key,
                    kind: f.kind,
                };
                ddl::owner(&object, OWNER).ok()?
            }
            5 => {
                let (schema, name, _) = self.enum_type()?;
                format!("ALTER TYPE {} OWNER TO {OWNER};", qualified(schema, name))
            }
            _ => {
                let schema = ["public", "pgd"][self.rng.below(2)];
                format!("ALTER SCHEMA {schema} OWNER TO {OWNER};")
            }
        })
    }

    fn add_policy(&mut self) -> Option<String> {
        let rel = self.table()?;
        let name = self.name("policy");
        let (column, c) = rel.table.columns.iter().next()?;
        let command = ["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"][self.rng.below(5)];
        let roles = [
            READER.to_string(),
            format!("{READER}, {OWNER}"),
            "PUBLIC".into(),
            "CURRENT_USER".into(),
        ][self.rng.below(4)]
        .clone();
        let restrictive = if self.rng.chance(30) {
            " AS RESTRICTIVE"
        } else {
            ""
        };
        let using = format!(" USING ({} IS NOT NULL)", quote_ident(column));
        let check = format!(
            " WITH CHECK ({})",
            Self::check_expression(column, &c.data_type)
        );
        let clauses = match command {
            "INSERT" => check,
            "SELECT" | "DELETE" => using,
            _ => format!("{using}{check}"),
        };
        let mut sql = format!(
            "CREATE POLICY {} ON {}{restrictive} FOR {command} TO {roles}{clauses};",
            quote_ident(&name),
            rel.q()
        );
        if self.rng.chance(50) {
            sql.push_str(&format!(
                "\nALTER TABLE {} ENABLE ROW LEVEL SECURITY;",
                rel.q()
            ));
        }
        if self.rng.chance(20) {
            sql.push_str(&format!(
                "\nCOMMENT ON POLICY {} ON {} IS {};",
                quote_ident(&name),
                rel.q(),
                ddl::literal(&comment_text(&mut self.rng))
            ));
        }
        Some(sql)
    }

    fn policy(&mut self) -> Option<(Rel<'m>, &'m str, &'m pgdrift::model::Policy)> {
        let mut all = Vec::new();
        for rel in &self.ctx.tables {
            for (name, p) in &rel.table.policies {
                all.push((*rel, name.as_str(), p));
            }
        }
        self.rng.pick(&all).copied()
    }

    fn drop_policy(&mut self) -> Option<String> {
        let (rel, name, _) = self.policy()?;
        Some(format!("DROP POLICY {} ON {};", quote_ident(name), rel.q()))
    }

    fn alter_policy(&mut self) -> Option<String> {
        let (rel, name, p) = self.policy()?;
        let head = format!("ALTER POLICY {} ON {}", quote_ident(name), rel.q());
        let mut actions = vec![
            format!("{head} TO {READER}, {OWNER};"),
            format!("{head} TO PUBLIC;"),
        ];
        if p.using.is_some() {
            actions.push(format!("{head} USING (false);"));
            actions.push(format!(
                "{head} USING (({}) AND true);",
                p.using.as_deref()?
            ));
        }
        if p.with_check.is_some() {
            actions.push(format!("{head} WITH CHECK (true);"));
        }
        // Another command cannot be altered: a new definition under the same name.
        actions.push(format!(
            "DROP POLICY {n} ON {t};\nCREATE POLICY {n} ON {t} AS RESTRICTIVE FOR SELECT USING (true);",
            n = quote_ident(name),
            t = rel.q()
        ));
        self.rng.pick(&actions).cloned()
    }

    fn change_rls(&mut self) -> Option<String> {
        let rel = self.table()?;
        let action = match (
            rel.table.rls_enabled,
            rel.table.rls_forced,
            self.rng.below(2),
        ) {
            (false, _, _) => "ENABLE ROW LEVEL SECURITY",
            (true, false, 0) => "FORCE ROW LEVEL SECURITY",
            (true, true, 0) => "NO FORCE ROW LEVEL SECURITY",
            _ => "DISABLE ROW LEVEL SECURITY",
        };
        Some(format!("ALTER TABLE {} {action};", rel.q()))
    }

    fn change_comment(&mut self) -> Option<String> {
        let text = if self.rng.chance(20) {
            "NULL".to_string()
        } else {
            ddl::literal(&comment_text(&mut self.rng))
        };
        let target = match self.rng.below(9) {
            0 | 1 => format!("TABLE {}", self.table()?.q()),
            2 => {
                let (rel, c, _) = self.column(|_, _, _| true)?;
                format!("COLUMN {}.{}", rel.q(), quote_ident(c))
            }
            3 => {
                let v = self.view(None)?;
                format!(
                    "{}VIEW {}",
                    if v.view.materialized {
                        "MATERIALIZED "
                    } else {
                        ""
                    },
                    qualified(v.schema, v.name)
                )
            }
            4 => {
                let (rel, name, _) = self.constraint(|_| true)?;
                format!("CONSTRAINT {} ON {}", quote_ident(name), rel.q())
            }
            5 => {
                let rel = self.table()?;
                let names: Vec<&String> = rel.table.indexes.keys().collect();
                format!("INDEX {}", qualified(rel.schema, self.rng.pick(&names)?))
            }
            6 => {
                let (schema, key, f) = self.function(|_| true)?;
                let object = ddl::Object::Function {
                    schema,
                    key,
                    kind: f.kind,
                };
                return Some(ddl::comment(&object, None).replace("IS NULL", &format!("IS {text}")));
            }
            7 => {
                let rel = self.table()?;
                let names: Vec<&String> = rel.table.triggers.keys().collect();
                format!(
                    "TRIGGER {} ON {}",
                    quote_ident(self.rng.pick(&names)?),
                    rel.q()
                )
            }
            _ => {
                let mut all = Vec::new();
                for (schema, ns) in &self.ctx.model.schemas {
                    for name in ns.sequences.keys() {
                        all.push(format!("SEQUENCE {}", qualified(schema, name)));
                    }
                    for (name, t) in &ns.types {
                        let kind = if matches!(t.definition, TypeDefinition::Domain { .. }) {
                            "DOMAIN"
                        } else {
                            "TYPE"
                        };
                        all.push(format!("{kind} {}", qualified(schema, name)));
                    }
                    all.push(format!("SCHEMA {}", quote_ident(schema)));
                }
                self.rng.pick(&all)?.clone()
            }
        };
        Some(format!("COMMENT ON {target} IS {text};"))
    }

    // -- triggers --

    fn trigger(&mut self) -> Option<(Rel<'m>, &'m str, &'m pgdrift::model::Trigger)> {
        let mut all = Vec::new();
        for rel in &self.ctx.tables {
            for (name, t) in &rel.table.triggers {
                all.push((*rel, name.as_str(), t));
            }
        }
        self.rng.pick(&all).copied()
    }

    fn drop_trigger(&mut self) -> Option<String> {
        let (rel, name, _) = self.trigger()?;
        Some(format!(
            "DROP TRIGGER {} ON {};",
            quote_ident(name),
            rel.q()
        ))
    }

    fn add_trigger(&mut self) -> Option<String> {
        let rel = self.table()?;
        let name = self.name("trg");
        let timing = [
            "BEFORE INSERT",
            "AFTER UPDATE",
            "BEFORE INSERT OR UPDATE",
            "AFTER DELETE",
        ][self.rng.below(4)];
        let level = if rel.table.partition_key.is_some() || self.rng.chance(70) {
            "FOR EACH ROW"
        } else {
            "FOR EACH STATEMENT"
        };
        let when = match rel.table.columns.keys().next() {
            Some(c)
                if level == "FOR EACH ROW" && timing.contains("UPDATE") && self.rng.chance(40) =>
            {
                format!(
                    " WHEN (OLD.{c} IS DISTINCT FROM NEW.{c})",
                    c = quote_ident(c)
                )
            }
            _ => String::new(),
        };
        Some(format!(
            "CREATE TRIGGER {} {timing} ON {} {level}{when} EXECUTE FUNCTION pgd.touch();",
            quote_ident(&name),
            rel.q()
        ))
    }

    fn enable_trigger(&mut self) -> Option<String> {
        let (rel, name, t) = self.trigger()?;
        let states = [
            "DISABLE TRIGGER",
            "ENABLE REPLICA TRIGGER",
            "ENABLE ALWAYS TRIGGER",
            "ENABLE TRIGGER",
        ];
        let action = self.rng.pick(&states)?;
        if t.enabled == "O" && *action == "ENABLE TRIGGER" {
            return None;
        }
        Some(format!(
            "ALTER TABLE {} {action} {};",
            rel.q(),
            quote_ident(name)
        ))
    }

    // -- partitions and inheritance --

    fn detach_or_attach(&mut self) -> Option<String> {
        let actions = [
            "ALTER TABLE pgd.events DETACH PARTITION pgd.events_2023;",
            "ALTER TABLE pgd.events ATTACH PARTITION pgd.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
            "ALTER TABLE pgd.events DETACH PARTITION pgd.events_other;",
            "ALTER TABLE pgd.readings DETACH PARTITION pgd.readings_2;\nALTER TABLE pgd.readings ATTACH PARTITION pgd.readings_2 FOR VALUES IN (2, 3, 4);",
            "ALTER TABLE pgd.readings_1 DETACH PARTITION pgd.readings_1_new;",
            "ALTER TABLE pgd.events DETACH PARTITION pgd.events_2024;\nALTER TABLE pgd.events ATTACH PARTITION pgd.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');",
        ];
        Some(self.rng.pick(&actions)?.to_string())
    }

    fn add_or_drop_partition(&mut self) -> Option<String> {
        let name = self.name("part");
        let actions = [
            "DROP TABLE pgd.events_2024;".to_string(),
            "DROP TABLE pgd.readings_1;".into(),
            format!(
                "CREATE TABLE pgd.{name} PARTITION OF pgd.events FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');"
            ),
            format!(
                "CREATE TABLE pgd.{name} PARTITION OF pgd.readings FOR VALUES IN (9) PARTITION BY RANGE (taken);\n\
                 CREATE TABLE pgd.{name}_a PARTITION OF pgd.{name} FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
            ),
            format!(
                "CREATE TABLE pgd.{name} (id integer NOT NULL, region text NOT NULL, amount numeric, \
                 PRIMARY KEY (id, region)) PARTITION BY LIST (region);\n\
                 CREATE TABLE pgd.{name}_eu PARTITION OF pgd.{name} FOR VALUES IN ('eu');\n\
                 CREATE TABLE pgd.{name}_us PARTITION OF pgd.{name} (amount WITH OPTIONS DEFAULT 0) FOR VALUES IN ('us');\n\
                 CREATE INDEX {name}_amount ON pgd.{name} (amount);\n\
                 ALTER TABLE pgd.{name} ADD CONSTRAINT {name}_amount_check CHECK (amount >= 0);\n\
                 COMMENT ON TABLE pgd.{name}_eu IS 'europe';"
            ),
            "DROP TABLE pgd.events;".into(),
        ];
        self.rng.pick(&actions).cloned()
    }

    fn change_partitioned_parent(&mut self) -> Option<String> {
        let name = self.name("p");
        let actions = [
            format!("CREATE INDEX {name} ON pgd.events (payload);"),
            format!("CREATE UNIQUE INDEX {name} ON pgd.events (id, at, kind);"),
            "DROP INDEX pgd.events_kind_idx;".into(),
            "DROP INDEX pgd.readings_taken_idx;".into(),
            format!("ALTER TABLE pgd.events ADD CONSTRAINT {name} CHECK (id > 0);"),
            "ALTER TABLE pgd.events DROP CONSTRAINT events_kind_check;".into(),
            "ALTER TABLE pgd.events ALTER COLUMN kind SET DEFAULT 'debug';".into(),
            "ALTER TABLE pgd.events_2023 ALTER COLUMN kind SET DEFAULT 'old';".into(),
            "ALTER TABLE pgd.events ALTER COLUMN payload SET NOT NULL;".into(),
            "ALTER TABLE pgd.events ALTER COLUMN kind SET DATA TYPE character varying(50);".into(),
            format!("ALTER TABLE pgd.events ADD COLUMN {name} integer DEFAULT 0;"),
            "ALTER TABLE pgd.events DROP COLUMN payload;".into(),
            format!("CREATE INDEX {name} ON pgd.events_2024 (payload);"),
            "ALTER TABLE pgd.events_2023 ENABLE ROW LEVEL SECURITY;".into(),
            format!("CREATE POLICY {name} ON pgd.events_2023 USING (kind <> 'secret');"),
            format!("GRANT SELECT ON pgd.events_2024 TO {READER};"),
            format!(
                "CREATE TRIGGER {name} BEFORE INSERT ON pgd.events FOR EACH ROW EXECUTE FUNCTION pgd.touch();"
            ),
            "ALTER TABLE pgd.events DROP CONSTRAINT events_pkey;".into(),
        ];
        self.rng.pick(&actions).cloned()
    }

    fn change_inheritance(&mut self) -> Option<String> {
        let name = self.name("inh");
        // A table that leaves its parent keeps the columns it had from it as its own, and no
        // statement can make them inherited-only again (pg_dump would tell): leaving is only
        // ever planned, never undone.
        let actions = [
            if self.expected {
                "ALTER TABLE pgd.child NO INHERIT pgd.base;".to_string()
            } else {
                "ALTER TABLE pgd.orphan INHERIT pgd.base;".to_string()
            },
            "ALTER TABLE pgd.orphan INHERIT pgd.base;".into(),
            format!("ALTER TABLE pgd.base ADD COLUMN {name} text DEFAULT 'b';"),
            format!("ALTER TABLE pgd.base ADD CONSTRAINT {name} CHECK (id > 0);"),
            "ALTER TABLE pgd.child ALTER COLUMN note SET DEFAULT 'child';".into(),
            format!("CREATE TABLE pgd.{name} (more boolean) INHERITS (pgd.child);"),
            format!("CREATE INDEX {name} ON pgd.child (extra);"),
            "DROP TABLE pgd.child;".into(),
        ];
        self.rng.pick(&actions).cloned()
    }

    fn add_or_drop_table(&mut self) -> Option<String> {
        if self.rng.chance(40) {
            let rel = self.plain_table()?;
            return Some(format!("DROP TABLE {} CASCADE;", rel.q()));
        }
        let name = self.name("table");
        let (key_rel, key_column, key_type) = *self.rng.pick(&self.ctx.keys)?;
        Some(format!(
            "CREATE TABLE public.{name} (\n\
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
             ref {key_type} REFERENCES {}({}),\n\
             title text NOT NULL DEFAULT 'untitled' CHECK (title <> ''),\n\
             status pgd.mood,\n\
             created_at timestamp with time zone NOT NULL DEFAULT now()\n);\n\
             CREATE INDEX {name}_ref ON public.{name} (ref);\n\
             CREATE VIEW public.{name}_v AS SELECT id, title FROM public.{name};\n\
             ALTER TABLE public.{name} OWNER TO {OWNER};\n\
             GRANT SELECT ON public.{name} TO {READER};\n\
             COMMENT ON TABLE public.{name} IS 'new';\n\
             COMMENT ON COLUMN public.{name}.title IS 'its title';",
            key_rel.q(),
            quote_ident(key_column)
        ))
    }

    fn add_schema(&mut self) -> Option<String> {
        let name = self.name("schema");
        Some(format!(
            "CREATE SCHEMA {name};\nALTER SCHEMA {name} OWNER TO {OWNER};\n\
             CREATE TABLE {name}.things (id integer PRIMARY KEY, v text);\n\
             CREATE VIEW {name}.thing_ids AS SELECT id FROM {name}.things;\n\
             CREATE FUNCTION {name}.count_things() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM {name}.things $$;\n\
             GRANT USAGE ON SCHEMA {name} TO {READER};"
        ))
    }

    fn change_extension(&mut self) -> Option<String> {
        let actions = [
            "CREATE EXTENSION btree_gist;",
            "CREATE EXTENSION \"uuid-ossp\" SCHEMA pgd;",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nDROP EXTENSION pg_trgm CASCADE;",
            "CREATE EXTENSION IF NOT EXISTS citext;\nCOMMENT ON EXTENSION citext IS 'ci text';",
        ];
        Some(self.rng.pick(&actions)?.to_string())
    }
}

// ---- a round -----------------------------------------------------------------------------

/// What a round did, for the summary.
#[derive(Default)]
struct Tally {
    rounds: usize,
    applied: BTreeMap<&'static str, usize>,
    refused: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

/// Apply `count` mutations to `db`, each in its own transaction; one PostgreSQL refuses (a
/// dependency the generator did not foresee) is rolled back and another one tried.
async fn mutate(
    mutator: &mut Mutator<'_, '_>,
    db: &TestDb,
    count: usize,
    tally: &mut Tally,
) -> Vec<(&'static str, String)> {
    let client = db.client().await;
    let total: u32 = KINDS.iter().map(|k| k.1).sum();
    let mut applied = Vec::new();
    let mut attempts = 0;
    while applied.len() < count && attempts < count * 12 {
        attempts += 1;
        let mut roll = mutator.rng.below(total as usize) as u32;
        let &(kind, _, generate) = KINDS
            .iter()
            .find(|k| {
                if roll < k.1 {
                    true
                } else {
                    roll -= k.1;
                    false
                }
            })
            .expect("a kind");
        let Some(sql) = generate(mutator) else {
            continue;
        };
        let script = format!("BEGIN;\n{sql}\nCOMMIT;");
        match client.batch_execute(&script).await {
            Ok(()) => {
                *tally.applied.entry(kind).or_default() += 1;
                applied.push((kind, sql));
            }
            Err(_) => {
                let _ = client.batch_execute("ROLLBACK").await;
                *tally.refused.entry(kind).or_default() += 1;
            }
        }
    }
    applied
}

async fn round(
    corpus: &str,
    template: &TestDb,
    ctx: &Ctx<'_>,
    seed: u64,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut mutator = Mutator {
        ctx,
        rng: Rng::new(seed, corpus),
        serial: 0,
        expected: false,
    };
    let mutate_expected = mutator.rng.chance(50);
    mutator.expected = mutate_expected;
    let destructive = !mutator.rng.chance(25);
    let count = 3 + mutator.rng.below(6);
    let expected = copy_of(&format!("mut_{corpus}_e_{seed}"), template).await;
    let actual = copy_of(&format!("mut_{corpus}_a_{seed}"), template).await;
    if corpus == "sourcegraph" {
        // Its tenant defaults read this setting: adding such a column evaluates them.
        let admin = common::connect("postgres").await;
        for db in [&expected, &actual] {
            admin
                .batch_execute(&format!(
                    "ALTER DATABASE \"{}\" SET app.current_tenant = '1'",
                    db.name
                ))
                .await
                .expect("set app.current_tenant");
        }
    }
    let side = if mutate_expected { &expected } else { &actual };
    let applied = mutate(&mut mutator, side, count, tally).await;
    let mut sql = String::new();
    for (kind, statement) in &applied {
        let _ = writeln!(sql, "-- {kind}\n{statement}");
    }
    let header = format!(
        "{corpus}, seed {seed} (PGDRIFT_MUTATION_SEED={seed} PGDRIFT_MUTATION_ROUNDS=1): {} \
         mutations of the {} side, allow_destructive = {destructive}\n--- mutations ---\n{sql}",
        applied.len(),
        if mutate_expected {
            "expected"
        } else {
            "actual"
        },
    );
    let result = check(&expected, &actual, destructive).await;
    match result {
        Ok(()) => {
            for db in [&expected, &actual] {
                let admin = common::connect("postgres").await;
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\"", db.name))
                    .await;
            }
            Ok(())
        }
        Err(e) => Err(format!("{header}{e}")),
    }
}

/// A copy of the template. From PostgreSQL 15 the default strategy writes the whole copy to
/// the WAL (two seconds for a corpus schema); FILE_COPY copies the files.
async fn copy_of(name: &str, template: &TestDb) -> TestDb {
    let admin = common::connect("postgres").await;
    let version: i32 = admin
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .expect("server version")
        .get(0);
    let name = format!("{name}_{}", std::process::id());
    let strategy = if version >= 150000 {
        " STRATEGY FILE_COPY"
    } else {
        ""
    };
    admin
        .batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"{strategy}",
            template.name
        ))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    TestDb { name }
}

/// Plan actual → expected, run it, prove it.
async fn check(expected: &TestDb, actual: &TestDb, destructive: bool) -> Result<(), String> {
    // Both sides are on one server, which deparses the same default the same way: a default
    // changed to an equivalent one (now() for CURRENT_TIMESTAMP) is a change to plan, as
    // pg_dump sees it.
    let mut settings = Settings::default();
    settings.ignore.default_equivalence = false;
    let e = common::read_schema(expected).await;
    let a = common::read_schema(actual).await;
    let before = plan_support::judged_models(&e, &a, &settings)
        .map_err(|e| format!("comparing failed: {e:?}"))?;
    let plan = pgdrift::run::plan::plan_pair(&e, &a, &settings, plan_support::today(), destructive)
        .map_err(|err| format!("planning failed: {err}"))?;
    let script = || pgdrift::plan::script::render(&plan, &Default::default());
    let wanted: Vec<String> = if destructive {
        Vec::new()
    } else {
        held_back(&before, &a).into_iter().collect()
    };
    let mut got: Vec<String> = plan
        .not_planned
        .iter()
        .map(|n| format!("{} {}", n.rule, n.object))
        .collect();
    got.sort();
    if wanted != got {
        return Err(format!(
            "not planned: {:#?}\nbut what allow_destructive = {destructive} holds back is: \
             {wanted:#?}\n--- plan ---\n{}",
            plan.not_planned,
            script()
        ));
    }
    plan_support::converge(expected, actual, &settings, plan.clone())
        .await
        .map(|_| ())
}

/// The findings not planned without `allow_destructive`, as `rule object`: the destructive
/// ones; what is defined on a column whose type change is held back (its text follows that
/// type); and, transitively, what an extra object that stays needs (the type of its column, the
/// sequence or function of its default), which cannot be dropped while it is there.
fn held_back(all: &[Finding], actual: &Schema) -> BTreeSet<String> {
    let same = |a: &ObjectPath, b: &ObjectPath| {
        a.schema == b.schema && a.parent == b.parent && a.name == b.name
    };
    let inside = |kept: &ObjectPath, p: &ObjectPath| match kept.kind {
        ObjectKind::Schema => p.schema.as_deref() == Some(kept.name.as_str()),
        ObjectKind::Column => same(kept, p),
        _ => {
            same(kept, p)
                || p.schema == kept.schema && p.parent.as_deref() == Some(kept.name.as_str())
        }
    };
    let key = |f: &Finding| format!("{} {}", f.rule, f.object);
    let mut held: BTreeSet<String> = all.iter().filter(|f| destructive(f)).map(key).collect();
    let retyped: Vec<&ObjectPath> = all
        .iter()
        .filter(|g| g.rule == RuleId::ColumnType && destructive(g))
        .filter_map(|g| g.path.as_ref())
        .collect();
    for f in all {
        let definition = matches!(
            f.rule,
            RuleId::ConstraintDefinition
                | RuleId::IndexDefinition
                | RuleId::ViewDefinition
                | RuleId::PolicyDefinition
                | RuleId::TriggerDefinition
        );
        if definition
            && let Some(path) = &f.path
            && actual
                .dependencies
                .iter()
                .any(|d| same(&d.from, path) && retyped.iter().any(|h| same(h, &d.to)))
        {
            held.insert(key(f));
        }
    }
    let mut kept: Vec<ObjectPath> = all
        .iter()
        .filter(|f| f.rule.presence() == Some(pgdrift::rules::Presence::Extra) && destructive(f))
        .filter_map(|f| f.path.clone())
        .collect();
    let mut i = 0;
    while i < kept.len() {
        let holder = kept[i].clone();
        i += 1;
        for f in all {
            let (Some(path), Some(pgdrift::rules::Presence::Extra)) = (&f.path, f.rule.presence())
            else {
                continue;
            };
            if held.contains(&key(f)) || inside(&holder, path) {
                continue;
            }
            let needed = actual
                .dependencies
                .iter()
                .any(|d| !d.auto && inside(&holder, &d.from) && same(&d.to, path));
            if needed {
                held.insert(key(f));
                kept.push(path.clone());
            }
        }
    }
    held
}

fn seed() -> u64 {
    match std::env::var("PGDRIFT_MUTATION_SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("PGDRIFT_MUTATION_SEED={s} is not a number"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

fn rounds() -> usize {
    std::env::var("PGDRIFT_MUTATION_ROUNDS")
        .ok()
        .map(|r| {
            r.trim()
                .parse()
                .expect("PGDRIFT_MUTATION_ROUNDS is a number")
        })
        .unwrap_or(DEFAULT_ROUNDS)
}

fn corpus_sql(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read tests/corpus/{file}: {e}"))
    };
    format!("{}\n{}", read(name), read("mutation-fixture.sql"))
}

async fn run_corpus(corpus: &str, sql: &str) {
    let started = std::time::Instant::now();
    common::ensure_roles(&[READER, OWNER]).await;
    let template = common::db_with(&format!("mut_{corpus}"), sql).await;
    // The corpus's seed rows would make a dropped NOT NULL column impossible to add back:
    // the tables are emptied, so data never decides whether a plan can run.
    template
        .exec(
            "DO $$DECLARE t text; BEGIN \
             SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO t \
             FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema'); \
             IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END IF; END$$;",
        )
        .await;
    let model = common::read_schema(&template).await;
    let ctx = Ctx::new(&model);
    let first = seed();
    let mut tally = Tally::default();
    for n in 0..rounds() {
        tally.rounds += 1;
        let seed = first.wrapping_add(n as u64);
        if let Err(e) = round(corpus, &template, &ctx, seed, &mut tally).await {
            eprintln!("=== FAILED ROUND ===\n{e}\n");
            tally.failures.push(e);
        }
    }
    let admin = common::connect("postgres").await;
    let _ = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\"", template.name))
        .await;
    let applied: usize = tally.applied.values().sum();
    let refused: usize = tally.refused.values().sum();
    eprintln!(
        "{corpus}: {} rounds, {applied} mutations applied ({refused} refused by PostgreSQL and \
         replaced), {} failed rounds, {:?}",
        tally.rounds,
        tally.failures.len(),
        started.elapsed()
    );
    for (kind, _, _) in KINDS {
        eprintln!(
            "  {kind:28} {:4} applied {:4} refused",
            tally.applied.get(kind).copied().unwrap_or(0),
            tally.refused.get(kind).copied().unwrap_or(0)
        );
    }
    assert!(
        tally.failures.is_empty(),
        "{} of {} rounds failed:\n\n{}",
        tally.failures.len(),
        tally.rounds,
        tally.failures.join("\n\n")
    );
}

#[tokio::test]
async fn sourcegraph() {
    let sql = format!(
        "SET app.current_tenant = '1';\n{}",
        corpus_sql("sourcegraph-frontend.sql")
    );
    run_corpus("sourcegraph", &sql).await;
}

#[tokio::test]
async fn danbooru() {
    run_corpus("danbooru", &corpus_sql("danbooru-structure.sql")).await;
}

//! The walk: one method per object kind, on top of two helpers for the shape every kind shares
//! (two maps → report what is missing or extra, compare what both sides hold).

use std::collections::{BTreeMap, HashMap};

use super::merge::{Pair, merge};
use super::render;
use super::{ComparedObject, Comparison, Finding, ObjectKind};
use crate::model::{
    Column, Constraint, Extension, Function, FunctionKind, Grant, Index, Namespace, Policy, Schema,
    Sequence, Table, Trigger, Type, TypeDefinition, View, quote_ident,
};

const EXTENSION_VERSION: &str = "extension.version";
const TABLE_PROPERTY: &str = "table.property";
const COLUMN_TYPE: &str = "column.type";
const COLUMN_NULLABLE: &str = "column.nullable";
const COLUMN_DEFAULT: &str = "column.default";
const COLUMN_IDENTITY: &str = "column.identity";
const COLUMN_GENERATED: &str = "column.generated";
const COLUMN_COLLATION: &str = "column.collation";
const COLUMN_ORDER: &str = "column.order";
const CONSTRAINT_DEFINITION: &str = "constraint.definition";
const INDEX_DEFINITION: &str = "index.definition";
const VIEW_DEFINITION: &str = "view.definition";
const SEQUENCE_PROPERTY: &str = "sequence.property";
const FUNCTION_DEFINITION: &str = "function.definition";
const TRIGGER_DEFINITION: &str = "trigger.definition";
const TYPE_DEFINITION: &str = "type.definition";
const POLICY_DEFINITION: &str = "policy.definition";
const GRANT_MISSING: &str = "grant.missing";
const GRANT_EXTRA: &str = "grant.extra";
const OWNER_MISMATCH: &str = "owner.mismatch";
const COMMENT_MISMATCH: &str = "comment.mismatch";

/// A rename rule id and the key that pairs renamed objects.
type Renamed<V> = (&'static str, fn(&V) -> String);

/// What the walk needs to know about one kind of object kept in a map.
struct Spec<V> {
    missing: &'static str,
    extra: &'static str,
    /// Whether the map key is an identifier to quote; function keys are `name(argument types)`,
    /// already display text.
    quote: bool,
    /// Whether the name lives in the schema's name space rather than its table's: indexes are
    /// `public.orders_created_idx`, as PostgreSQL names them, while constraints, triggers and
    /// policies are `public.orders.orders_pkey`.
    schema_scoped: bool,
    /// For kinds whose names are often generated (constraints, indexes): the rule for an object
    /// that exists on both sides under different names, and the key that pairs them — the
    /// definition without the name.
    renamed: Option<Renamed<V>>,
    kind: fn(&V) -> ObjectKind,
    /// The value shown for an object present on one side only.
    describe: fn(&V) -> String,
}

const SCHEMA: Spec<Namespace> = Spec {
    missing: "schema.missing",
    extra: "schema.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Schema,
    describe: render::namespace,
};
const EXTENSION: Spec<Extension> = Spec {
    missing: "extension.missing",
    extra: "extension.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Extension,
    describe: render::extension,
};
const TABLE: Spec<Table> = Spec {
    missing: "table.missing",
    extra: "table.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Table,
    describe: render::table,
};
const COLUMN: Spec<Column> = Spec {
    missing: "column.missing",
    extra: "column.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Column,
    describe: render::column,
};
const CONSTRAINT: Spec<Constraint> = Spec {
    missing: "constraint.missing",
    extra: "constraint.extra",
    quote: true,
    schema_scoped: false,
    renamed: Some(("constraint.name", |c| {
        format!("{:?} {}", c.kind, c.definition)
    })),
    kind: |_| ObjectKind::Constraint,
    describe: |c| c.definition.clone(),
};
const INDEX: Spec<Index> = Spec {
    missing: "index.missing",
    extra: "index.extra",
    quote: true,
    schema_scoped: true,
    renamed: Some(("index.name", render::index_without_name)),
    kind: |_| ObjectKind::Index,
    describe: |i| i.definition.clone(),
};
const TRIGGER: Spec<Trigger> = Spec {
    missing: "trigger.missing",
    extra: "trigger.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Trigger,
    describe: |t| t.definition.clone(),
};
const POLICY: Spec<Policy> = Spec {
    missing: "policy.missing",
    extra: "policy.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Policy,
    describe: render::policy,
};
const VIEW: Spec<View> = Spec {
    missing: "view.missing",
    extra: "view.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |v| {
        if v.materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        }
    },
    describe: |v| v.definition.clone(),
};
const SEQUENCE: Spec<Sequence> = Spec {
    missing: "sequence.missing",
    extra: "sequence.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Sequence,
    describe: render::sequence,
};
const FUNCTION: Spec<Function> = Spec {
    missing: "function.missing",
    extra: "function.extra",
    quote: false,
    schema_scoped: false,
    renamed: None,
    kind: |f| match f.kind {
        FunctionKind::Procedure => ObjectKind::Procedure,
        FunctionKind::Aggregate => ObjectKind::Aggregate,
        FunctionKind::Function | FunctionKind::Window => ObjectKind::Function,
    },
    describe: render::function,
};
const TYPE: Spec<Type> = Spec {
    missing: "type.missing",
    extra: "type.extra",
    quote: true,
    schema_scoped: false,
    renamed: None,
    kind: |_| ObjectKind::Type,
    describe: |t| render::type_definition(&t.definition),
};

pub(super) fn run(expected: &Schema, actual: &Schema) -> Comparison {
    let mut d = Differ::default();
    d.top_level(
        &SCHEMA,
        None,
        &expected.schemas,
        &actual.schemas,
        Differ::namespace,
    );
    d.top_level(
        &EXTENSION,
        None,
        &expected.extensions,
        &actual.extensions,
        Differ::extension,
    );
    d.compared.sort_unstable();
    d.compared.dedup();
    Comparison {
        findings: d.findings,
        compared: d.compared,
    }
}

/// The top-level object findings are grouped under (a table for its columns, ...).
struct Group {
    name: String,
    kind: ObjectKind,
    /// Display name of the schema the group lives in (`None` for schemas and extensions).
    schema: Option<String>,
}

impl Group {
    fn at(&self) -> At<'_> {
        At {
            kind: self.kind,
            parent: None,
            name: &self.name,
            quote: false,
            group: self,
        }
    }
}

/// The object a finding would be about. Its display name is only built when a finding is made.
#[derive(Clone, Copy)]
struct At<'a> {
    kind: ObjectKind,
    /// Display name of the enclosing object (`public`, `public.orders`).
    parent: Option<&'a str>,
    name: &'a str,
    quote: bool,
    group: &'a Group,
}

impl At<'_> {
    fn object(&self) -> String {
        display(self.parent, self.name, self.quote)
    }
}

fn display(parent: Option<&str>, name: &str, quote: bool) -> String {
    match (parent, quote) {
        (Some(parent), true) => format!("{parent}.{}", quote_ident(name)),
        (Some(parent), false) => format!("{parent}.{name}"),
        (None, true) => quote_ident(name),
        (None, false) => name.to_string(),
    }
}

#[derive(Default)]
struct Differ {
    findings: Vec<Finding>,
    compared: Vec<ComparedObject>,
    /// Scratch space: (expected position, actual position) of each column two tables share.
    positions: Vec<(u32, u32)>,
}

impl Differ {
    fn emit(
        &mut self,
        rule: &'static str,
        at: At<'_>,
        expected: Option<String>,
        actual: Option<String>,
        message: impl FnOnce(&str, &str) -> String,
    ) {
        let object = at.object();
        let message = message(at.kind.noun(), &object);
        self.findings.push(Finding {
            rule: rule.to_string(),
            kind: at.kind,
            object,
            group: at.group.name.clone(),
            group_kind: at.group.kind,
            expected,
            actual,
            message,
        });
    }

    fn missing<V>(&mut self, spec: &Spec<V>, at: At<'_>, value: &V) {
        let shown = (spec.describe)(value);
        self.emit(spec.missing, at, Some(shown), None, |noun, object| {
            format!("{noun} {object} is missing")
        });
    }

    fn extra<V>(&mut self, spec: &Spec<V>, at: At<'_>, value: &V) {
        let shown = (spec.describe)(value);
        self.emit(spec.extra, at, None, Some(shown), |noun, object| {
            format!("{noun} {object} is extra")
        });
    }

    /// Compare two maps of top-level objects (schemas, extensions, or tables, views, ... of
    /// `schema`): each becomes a group and a compared object.
    fn top_level<V>(
        &mut self,
        spec: &Spec<V>,
        schema: Option<&str>,
        expected: &BTreeMap<String, V>,
        actual: &BTreeMap<String, V>,
        mut compare: impl FnMut(&mut Self, &Group, &V, &V),
    ) {
        for (key, pair) in merge(expected, actual) {
            let group = Group {
                name: display(schema, key, spec.quote),
                kind: (spec.kind)(pair.primary()),
                schema: schema.map(str::to_string),
            };
            match pair {
                Pair::Both(e, a) => compare(self, &group, e, a),
                Pair::Missing(e) => self.missing(spec, group.at(), e),
                Pair::Extra(a) => self.extra(spec, group.at(), a),
            }
            self.compared.push(ComparedObject {
                kind: group.kind,
                name: group.name,
            });
        }
    }

    /// Compare two maps of objects inside `group` (columns, constraints, indexes, ...).
    fn children<V>(
        &mut self,
        spec: &Spec<V>,
        group: &Group,
        expected: &BTreeMap<String, V>,
        actual: &BTreeMap<String, V>,
        mut compare: impl FnMut(&mut Self, At<'_>, &V, &V),
    ) {
        let parent = match (&group.schema, spec.schema_scoped) {
            (Some(schema), true) => schema.as_str(),
            _ => group.name.as_str(),
        };
        fn at<'a, V>(
            spec: &Spec<V>,
            parent: &'a str,
            group: &'a Group,
            key: &'a str,
            value: &V,
        ) -> At<'a> {
            At {
                kind: (spec.kind)(value),
                parent: Some(parent),
                name: key,
                quote: spec.quote,
                group,
            }
        }
        let mut extras: Vec<(&String, &V)> = Vec::new();
        let mut missing: Vec<(&String, &V)> = Vec::new();
        for (key, pair) in merge(expected, actual) {
            match pair {
                Pair::Both(e, a) => compare(self, at(spec, parent, group, key, e), e, a),
                Pair::Missing(e) => missing.push((key, e)),
                Pair::Extra(a) => extras.push((key, a)),
            }
        }
        if let Some((rule, key_of)) = spec.renamed
            && !missing.is_empty()
            && !extras.is_empty()
        {
            let mut by_definition: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, (_, a)) in extras.iter().enumerate().rev() {
                by_definition.entry(key_of(a)).or_default().push(i);
            }
            let mut paired = vec![false; extras.len()];
            missing.retain(|(key, e)| {
                let Some(i) = by_definition.get_mut(&key_of(e)).and_then(Vec::pop) else {
                    return true;
                };
                paired[i] = true;
                let new_name = extras[i].0;
                self.emit(
                    rule,
                    at(spec, parent, group, key, e),
                    Some(key.to_string()),
                    Some(new_name.to_string()),
                    |noun, object| {
                        format!("{noun} {object} is named {new_name} in actual (same definition)")
                    },
                );
                false
            });
            let mut i = 0;
            extras.retain(|_| {
                i += 1;
                !paired[i - 1]
            });
        }
        for (key, e) in missing {
            self.missing(spec, at(spec, parent, group, key, e), e);
        }
        for (key, a) in extras {
            self.extra(spec, at(spec, parent, group, key, a), a);
        }
    }

    /// Compare two objects field by field; each field that differs is a finding of `rule`.
    fn fields<'d, 'a, V>(
        &'d mut self,
        rule: &'static str,
        at: At<'a>,
        expected: &'a V,
        actual: &'a V,
    ) -> Fields<'d, 'a, V> {
        Fields {
            differ: self,
            rule,
            at,
            expected,
            actual,
        }
    }

    fn owner(&mut self, at: At<'_>, expected: &str, actual: &str) {
        if expected != actual {
            self.emit(
                OWNER_MISMATCH,
                at,
                Some(expected.to_string()),
                Some(actual.to_string()),
                |noun, object| {
                    format!(
                        "{noun} {object} is owned by {expected} in expected, {actual} in actual"
                    )
                },
            );
        }
    }

    fn comment(&mut self, at: At<'_>, expected: &Option<String>, actual: &Option<String>) {
        if expected != actual {
            self.emit(
                COMMENT_MISMATCH,
                at,
                expected.clone(),
                actual.clone(),
                |noun, object| format!("comment on {noun} {object} differs"),
            );
        }
    }

    /// One finding per (grantee, privilege) held on one side only, or held with the grant option
    /// on one side only.
    fn grants(&mut self, at: At<'_>, expected: &[Grant], actual: &[Grant]) {
        if expected == actual {
            return;
        }
        for ((grantee, privilege), pair) in merge(effective(expected), effective(actual)) {
            let (rule, shown_expected, shown_actual, what) = match pair {
                Pair::Missing(option) => (
                    GRANT_MISSING,
                    Some(render::grant(grantee, privilege, option)),
                    None,
                    "is missing",
                ),
                Pair::Extra(option) => (
                    GRANT_EXTRA,
                    None,
                    Some(render::grant(grantee, privilege, option)),
                    "is extra",
                ),
                Pair::Both(e, a) if e == a => continue,
                Pair::Both(e, a) => (
                    if e { GRANT_MISSING } else { GRANT_EXTRA },
                    Some(render::grant(grantee, privilege, e)),
                    Some(render::grant(grantee, privilege, a)),
                    if e {
                        "is missing its grant option"
                    } else {
                        "has an extra grant option"
                    },
                ),
            };
            self.emit(rule, at, shown_expected, shown_actual, |noun, object| {
                format!("{privilege} to {grantee} on {noun} {object} {what}")
            });
        }
    }

    fn namespace(&mut self, group: &Group, e: &Namespace, a: &Namespace) {
        let at = group.at();
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        let schema = Some(group.name.as_str());
        self.top_level(&TABLE, schema, &e.tables, &a.tables, Self::table);
        self.top_level(&VIEW, schema, &e.views, &a.views, Self::view);
        self.top_level(
            &SEQUENCE,
            schema,
            &e.sequences,
            &a.sequences,
            Self::sequence,
        );
        self.top_level(
            &FUNCTION,
            schema,
            &e.functions,
            &a.functions,
            Self::function,
        );
        self.top_level(&TYPE, schema, &e.types, &a.types, Self::user_type);
    }

    fn extension(&mut self, group: &Group, e: &Extension, a: &Extension) {
        let at = group.at();
        let what = match (e.version != a.version, e.schema != a.schema) {
            (true, true) => Some("version and schema"),
            (true, false) => Some("version"),
            (false, true) => Some("schema"),
            (false, false) => None,
        };
        if let Some(what) = what {
            self.emit(
                EXTENSION_VERSION,
                at,
                Some(render::extension(e)),
                Some(render::extension(a)),
                |noun, object| format!("{what} of {noun} {object} differs"),
            );
        }
        self.comment(at, &e.comment, &a.comment);
    }

    fn table(&mut self, group: &Group, e: &Table, a: &Table) {
        let at = group.at();
        let mut table = self.fields(TABLE_PROPERTY, at, e, a);
        table.check("persistence", |t| &t.persistence, render::persistence);
        table.check("partition key", |t| &t.partition_key, render::optional);
        table.check("partition parent", |t| &t.partition_of, render::optional);
        table.check("partition bound", |t| &t.partition_bound, render::optional);
        table.check("inheritance", |t| t.inherits.as_slice(), render::list);
        let enabled = render::flag("enabled", "disabled");
        table.check("row-level security", |t| &t.rls_enabled, enabled);
        let forced = render::flag("forced", "not forced");
        table.check("forced row-level security", |t| &t.rls_forced, forced);
        table.check(
            "storage parameters",
            |t| t.reloptions.as_slice(),
            render::list,
        );
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);

        self.positions.clear();
        self.children(&COLUMN, group, &e.columns, &a.columns, |d, at, ec, ac| {
            d.positions.push((ec.position, ac.position));
            d.column(at, ec, ac);
        });
        self.column_order(group, e, a);
        let (ec, ac) = (&e.constraints, &a.constraints);
        self.children(&CONSTRAINT, group, ec, ac, Self::constraint);
        self.children(&INDEX, group, &e.indexes, &a.indexes, Self::index);
        self.children(&TRIGGER, group, &e.triggers, &a.triggers, Self::trigger);
        self.children(&POLICY, group, &e.policies, &a.policies, Self::policy);
    }

    fn column(&mut self, at: At<'_>, e: &Column, a: &Column) {
        if e.data_type != a.data_type {
            let (expected, actual) = (&e.data_type, &a.data_type);
            let message = |noun: &str, object: &str| {
                format!("{noun} {object} has type {expected} in expected, {actual} in actual")
            };
            let values = (Some(expected.clone()), Some(actual.clone()));
            self.emit(COLUMN_TYPE, at, values.0, values.1, message);
        }
        if e.not_null != a.not_null {
            let show = |not_null| if not_null { "NOT NULL" } else { "nullable" };
            let (expected, actual) = (show(e.not_null), show(a.not_null));
            let message = |noun: &str, object: &str| {
                format!("{noun} {object} is {expected} in expected, {actual} in actual")
            };
            let values = (Some(expected.to_string()), Some(actual.to_string()));
            self.emit(COLUMN_NULLABLE, at, values.0, values.1, message);
        }
        self.fields(COLUMN_DEFAULT, at, e, a)
            .check("default", |c| &c.default, render::optional);
        self.fields(COLUMN_IDENTITY, at, e, a)
            .check("identity", |c| &c.identity, render::identity);
        let generated = |g: &Option<String>| g.as_deref().map(render::generated);
        self.fields(COLUMN_GENERATED, at, e, a).check(
            "generated expression",
            |c| &c.generated,
            generated,
        );
        self.fields(COLUMN_COLLATION, at, e, a).check(
            "collation",
            |c| &c.collation,
            render::optional,
        );
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    /// One `column.order` finding when the columns both tables have are in another relative
    /// order. Columns present on one side only shift positions without reordering anything, so
    /// the positions themselves are not compared.
    fn column_order(&mut self, group: &Group, e: &Table, a: &Table) {
        self.positions.sort_unstable();
        if self.positions.windows(2).all(|w| w[0].1 <= w[1].1) {
            return;
        }
        self.emit(
            COLUMN_ORDER,
            group.at(),
            Some(render::column_list(e)),
            Some(render::column_list(a)),
            |noun, object| format!("columns of {noun} {object} are in a different order"),
        );
    }

    fn constraint(&mut self, at: At<'_>, e: &Constraint, a: &Constraint) {
        let mut constraint = self.fields(CONSTRAINT_DEFINITION, at, e, a);
        constraint.check("definition", |c| c.definition.as_str(), render::text);
        // The definition starts with the kind, so a different kind shows there; this catches a
        // reader that deparsed both the same.
        if e.definition == a.definition {
            let kind = |k: &_| Some(render::constraint_kind(*k).to_string());
            constraint.check("kind", |c| &c.kind, kind);
        }
        self.comment(at, &e.comment, &a.comment);
    }

    fn index(&mut self, at: At<'_>, e: &Index, a: &Index) {
        self.fields(INDEX_DEFINITION, at, e, a).check(
            "definition",
            |i| i.definition.as_str(),
            render::text,
        );
        self.comment(at, &e.comment, &a.comment);
    }

    fn trigger(&mut self, at: At<'_>, e: &Trigger, a: &Trigger) {
        let mut trigger = self.fields(TRIGGER_DEFINITION, at, e, a);
        trigger.check("definition", |t| t.definition.as_str(), render::text);
        let enabled = |s: &str| Some(render::trigger_enabled(s));
        trigger.check("enabled state", |t| t.enabled.as_str(), enabled);
        self.comment(at, &e.comment, &a.comment);
    }

    fn policy(&mut self, at: At<'_>, e: &Policy, a: &Policy) {
        let parts = [
            ("command", e.command != a.command),
            ("PERMISSIVE/RESTRICTIVE", e.permissive != a.permissive),
            ("roles", e.roles != a.roles),
            ("USING expression", e.using != a.using),
            ("WITH CHECK expression", e.with_check != a.with_check),
        ];
        let differing = differing(&parts);
        if !differing.is_empty() {
            self.emit(
                POLICY_DEFINITION,
                at,
                Some(render::policy(e)),
                Some(render::policy(a)),
                |noun, object| format!("{noun} {object} differs in {differing}"),
            );
        }
        self.comment(at, &e.comment, &a.comment);
    }

    fn view(&mut self, group: &Group, e: &View, a: &View) {
        let at = group.at();
        let mut view = self.fields(VIEW_DEFINITION, at, e, a);
        view.check("definition", |v| v.definition.as_str(), render::text);
        let materialized = render::flag("materialized view", "view");
        view.check("materialization", |v| &v.materialized, materialized);
        view.check("options", |v| v.reloptions.as_slice(), render::list);
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        self.children(&INDEX, group, &e.indexes, &a.indexes, Self::index);
        self.children(&TRIGGER, group, &e.triggers, &a.triggers, Self::trigger);
    }

    fn sequence(&mut self, group: &Group, e: &Sequence, a: &Sequence) {
        let at = group.at();
        let mut sequence = self.fields(SEQUENCE_PROPERTY, at, e, a);
        sequence.check("type", |s| s.data_type.as_str(), render::text);
        sequence.check("start", |s| &s.start, render::number);
        sequence.check("increment", |s| &s.increment, render::number);
        sequence.check("minimum", |s| &s.min_value, render::number);
        sequence.check("maximum", |s| &s.max_value, render::number);
        sequence.check("cache", |s| &s.cache, render::number);
        sequence.check("cycle", |s| &s.cycle, render::flag("CYCLE", "NO CYCLE"));
        sequence.check("owning column", |s| &s.owned_by, render::optional);
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    fn function(&mut self, group: &Group, e: &Function, a: &Function) {
        let at = group.at();
        let mut function = self.fields(FUNCTION_DEFINITION, at, e, a);
        let kind = |k: &FunctionKind| Some(render::function_kind(*k).to_string());
        function.check("kind", |f| &f.kind, kind);
        function.check("argument list", |f| f.arguments.as_str(), render::text);
        function.check("return type", |f| f.returns.as_str(), render::text);
        function.check("language", |f| f.language.as_str(), render::text);
        function.check("body", |f| f.body.as_str(), render::text);
        function.check("volatility", |f| f.volatility.as_str(), render::text);
        let strict = render::flag("STRICT", "CALLED ON NULL INPUT");
        function.check("strictness", |f| &f.strict, strict);
        let security = render::flag("SECURITY DEFINER", "SECURITY INVOKER");
        function.check("security", |f| &f.security_definer, security);
        let leakproof = render::flag("LEAKPROOF", "NOT LEAKPROOF");
        function.check("leakproof", |f| &f.leakproof, leakproof);
        function.check("parallel safety", |f| f.parallel.as_str(), render::text);
        function.check("cost", |f| &f.cost, render::number);
        let rows = |r: &Option<f32>| r.map(|r| r.to_string());
        function.check("rows", |f| &f.rows, rows);
        function.check("configuration", |f| f.config.as_slice(), render::list);
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    fn user_type(&mut self, group: &Group, e: &Type, a: &Type) {
        let at = group.at();
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        if e.definition != a.definition {
            let differing = type_differences(&e.definition, &a.definition);
            self.emit(
                TYPE_DEFINITION,
                at,
                Some(render::type_definition(&e.definition)),
                Some(render::type_definition(&a.definition)),
                |noun, object| format!("{noun} {object} differs in {differing}"),
            );
        }
    }
}

/// One object on both sides, compared one field at a time under one rule.
struct Fields<'d, 'a, V> {
    differ: &'d mut Differ,
    rule: &'static str,
    at: At<'a>,
    expected: &'a V,
    actual: &'a V,
}

impl<V> Fields<'_, '_, V> {
    /// A finding `<what> of <object> differs` when `field` differs, each side shown by `show`.
    fn check<T: PartialEq + ?Sized>(
        &mut self,
        what: &str,
        field: impl Fn(&V) -> &T,
        show: impl Fn(&T) -> Option<String>,
    ) {
        let (expected, actual) = (field(self.expected), field(self.actual));
        if expected != actual {
            let message = |noun: &str, object: &str| format!("{what} of {noun} {object} differs");
            let at = self.at;
            self.differ
                .emit(self.rule, at, show(expected), show(actual), message);
        }
    }
}

/// Grants as (grantee, privilege) → grant option, sorted, each pair once. Several grantors can
/// give the same privilege; the grantee holds the grant option if any of them gave it.
fn effective(grants: &[Grant]) -> Vec<((&str, &str), bool)> {
    let mut held: Vec<((&str, &str), bool)> = grants
        .iter()
        .map(|g| ((g.grantee.as_str(), g.privilege.as_str()), g.grantable))
        .collect();
    held.sort_unstable();
    held.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 |= later.1;
        }
        same
    });
    held
}

/// The names of the parts that differ, for a message: `roles, USING expression`.
fn differing(parts: &[(&str, bool)]) -> String {
    let names: Vec<&str> = parts
        .iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| *name)
        .collect();
    names.join(", ")
}

fn type_differences(e: &TypeDefinition, a: &TypeDefinition) -> String {
    use TypeDefinition::{Composite, Domain, Enum, Range};
    match (e, a) {
        (Enum { .. }, Enum { .. }) => "labels".to_string(),
        (Composite { .. }, Composite { .. }) => "attributes".to_string(),
        (
            Domain {
                base_type: eb,
                not_null: en,
                default: ed,
                collation: ec,
                constraints: ek,
            },
            Domain {
                base_type: ab,
                not_null: an,
                default: ad,
                collation: ac,
                constraints: ak,
            },
        ) => differing(&[
            ("base type", eb != ab),
            ("collation", ec != ac),
            ("default", ed != ad),
            ("NOT NULL", en != an),
            ("constraints", ek != ak),
        ]),
        (
            Range {
                subtype: es,
                subtype_opclass: eo,
                collation: ec,
                canonical: ek,
                subtype_diff: ed,
            },
            Range {
                subtype: as_,
                subtype_opclass: ao,
                collation: ac,
                canonical: ak,
                subtype_diff: ad,
            },
        ) => differing(&[
            ("subtype", es != as_),
            ("subtype operator class", eo != ao),
            ("collation", ec != ac),
            ("canonical function", ek != ak),
            ("subtype difference function", ed != ad),
        ]),
        _ => format!(
            "kind ({} in expected, {} in actual)",
            e.kind_name(),
            a.kind_name()
        ),
    }
}

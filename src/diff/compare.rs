//! The walk: one method per object kind, on top of two helpers for the shape every kind shares
//! (two maps → report what is missing or extra, compare what both sides hold). It produces
//! typed changes that point into the two models; nothing here formats text for people.

use std::collections::{BTreeMap, HashMap};

use super::merge::{Pair, merge};
use super::render;
use super::versions;
use super::{
    Change, ComparedObject, ConstraintField, Detail, Field, FunctionField, IndexField, Object,
    SequenceField, TableField, TriggerField, ViewField,
};
use crate::model::{
    Column, Constraint, DefinedObject, Extension, Function, FunctionKind, Grant, Index,
    MemberGrants, Namespace, ObjectKind, ObjectPath, Policy, Schema, Sequence, Table, Trigger,
    Type, View,
};
use crate::rules::RuleId;

/// A rename rule id and the key that pairs renamed objects.
type Renamed<V> = (RuleId, fn(&V) -> String);

/// What the walk needs to know about one kind of object kept in a map.
struct Spec<V> {
    missing: RuleId,
    extra: RuleId,
    /// For kinds whose names are often generated (constraints, indexes): the rule for an object
    /// that exists on both sides under different names, and the key that pairs them — the
    /// definition without the name.
    renamed: Option<Renamed<V>>,
    kind: fn(&V) -> ObjectKind,
    object: for<'a> fn(&'a V) -> Object<'a>,
}

const SCHEMA: Spec<Namespace> = Spec {
    missing: RuleId::SchemaMissing,
    extra: RuleId::SchemaExtra,
    renamed: None,
    kind: |_| ObjectKind::Schema,
    object: |o| Object::Schema(o),
};
const EXTENSION: Spec<Extension> = Spec {
    missing: RuleId::ExtensionMissing,
    extra: RuleId::ExtensionExtra,
    renamed: None,
    kind: |_| ObjectKind::Extension,
    object: |o| Object::Extension(o),
};
const TABLE: Spec<Table> = Spec {
    missing: RuleId::TableMissing,
    extra: RuleId::TableExtra,
    renamed: None,
    kind: |_| ObjectKind::Table,
    object: |o| Object::Table(o),
};
const COLUMN: Spec<Box<Column>> = Spec {
    missing: RuleId::ColumnMissing,
    extra: RuleId::ColumnExtra,
    renamed: None,
    kind: |_| ObjectKind::Column,
    object: |o| Object::Column(o),
};
const CONSTRAINT: Spec<Constraint> = Spec {
    missing: RuleId::ConstraintMissing,
    extra: RuleId::ConstraintExtra,
    renamed: Some((RuleId::ConstraintName, |c| {
        format!("{:?} {}", c.kind, c.definition)
    })),
    kind: |_| ObjectKind::Constraint,
    object: |o| Object::Constraint(o),
};
const INDEX: Spec<Index> = Spec {
    missing: RuleId::IndexMissing,
    extra: RuleId::IndexExtra,
    renamed: Some((RuleId::IndexName, render::index_without_name)),
    kind: |_| ObjectKind::Index,
    object: |o| Object::Index(o),
};
const TRIGGER: Spec<Trigger> = Spec {
    missing: RuleId::TriggerMissing,
    extra: RuleId::TriggerExtra,
    renamed: None,
    kind: |_| ObjectKind::Trigger,
    object: |o| Object::Trigger(o),
};
const POLICY: Spec<Policy> = Spec {
    missing: RuleId::PolicyMissing,
    extra: RuleId::PolicyExtra,
    renamed: None,
    kind: |_| ObjectKind::Policy,
    object: |o| Object::Policy(o),
};
const VIEW: Spec<View> = Spec {
    missing: RuleId::ViewMissing,
    extra: RuleId::ViewExtra,
    renamed: None,
    kind: |v| {
        if v.materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        }
    },
    object: |o| Object::View(o),
};
const SEQUENCE: Spec<Sequence> = Spec {
    missing: RuleId::SequenceMissing,
    extra: RuleId::SequenceExtra,
    renamed: None,
    kind: |_| ObjectKind::Sequence,
    object: |o| Object::Sequence(o),
};
const FUNCTION: Spec<Function> = Spec {
    missing: RuleId::FunctionMissing,
    extra: RuleId::FunctionExtra,
    renamed: None,
    kind: |f| match f.kind {
        FunctionKind::Procedure => ObjectKind::Procedure,
        FunctionKind::Aggregate => ObjectKind::Aggregate,
        FunctionKind::Function | FunctionKind::Window => ObjectKind::Function,
    },
    object: |o| Object::Function(o),
};
const TYPE: Spec<Type> = Spec {
    missing: RuleId::TypeMissing,
    extra: RuleId::TypeExtra,
    renamed: None,
    kind: |_| ObjectKind::Type,
    object: |o| Object::Type(o),
};

/// Every change between `expected` and `actual`, in walk order, and the top-level objects
/// compared.
pub(super) fn run<'a>(
    expected: &'a Schema,
    actual: &'a Schema,
) -> (Vec<Change<'a>>, Vec<ComparedObject>) {
    let mut d = Differ::default();
    if let Some(detail) = versions::server_versions(expected, actual) {
        d.changes.push(Change {
            rule: RuleId::ServerVersion,
            path: ObjectPath::top(ObjectKind::Database, "database"),
            group_kind: ObjectKind::Database,
            detail,
        });
    }
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
    d.defined(expected, actual);
    d.compared.sort_unstable();
    d.compared.dedup();
    (d.changes, d.compared)
}

/// The three rules of a kind compared by its statement: `<kind>.missing`, `<kind>.extra` and
/// `<kind>.definition` (`rules::tests` checks every such kind has them).
pub(crate) fn defined_rules(kind: ObjectKind) -> Option<(RuleId, RuleId, RuleId)> {
    let rule = |what: &str| RuleId::parse(&format!("{}.{what}", kind.as_str()));
    Some((rule("missing")?, rule("extra")?, rule("definition")?))
}

/// The kind of the object a defined object lives inside (a rule's table or view, a user
/// mapping's server), as either side has it.
fn parent_kind(expected: &Schema, actual: &Schema, path: &ObjectPath) -> ObjectKind {
    match path.kind {
        ObjectKind::UserMapping => ObjectKind::ForeignServer,
        _ => {
            let schema = path.schema.as_deref().unwrap_or_default();
            let parent = path.parent.as_deref().unwrap_or_default();
            fn view<'s>(
                s: &'s Schema,
                schema: &str,
                parent: &str,
            ) -> Option<&'s crate::model::View> {
                (s.schemas.get(schema)).and_then(|ns| ns.views.get(parent))
            }
            match view(expected, schema, parent).or_else(|| view(actual, schema, parent)) {
                Some(v) if v.materialized => ObjectKind::MaterializedView,
                Some(_) => ObjectKind::View,
                None => ObjectKind::Table,
            }
        }
    }
}

/// The top-level object changes are grouped under (a table for its columns, ...).
struct Group<'a> {
    path: ObjectPath,
    /// The raw schema name (`None` for schemas and extensions).
    schema: Option<&'a str>,
    name: &'a str,
}

impl Group<'_> {
    fn at(&self) -> At<'_> {
        At {
            kind: self.path.kind,
            name: self.name,
            child: false,
            group: self,
        }
    }
}

/// The object a change would be about. Its path is only built when a change is made.
#[derive(Clone, Copy)]
struct At<'g> {
    kind: ObjectKind,
    name: &'g str,
    /// Whether the object lives inside the group (a column of a table) rather than being it.
    child: bool,
    group: &'g Group<'g>,
}

impl At<'_> {
    fn path(&self) -> ObjectPath {
        if !self.child {
            return self.group.path.clone();
        }
        ObjectPath {
            kind: self.kind,
            schema: self.group.schema.map(str::to_string),
            parent: Some(self.group.name.to_string()),
            name: self.name.to_string(),
        }
    }
}

#[derive(Default)]
struct Differ<'a> {
    changes: Vec<Change<'a>>,
    compared: Vec<ComparedObject>,
    /// Scratch space: (expected position, actual position) of each column two tables share.
    positions: Vec<(u32, u32)>,
}

impl<'a> Differ<'a> {
    fn emit(&mut self, rule: RuleId, at: At<'_>, detail: Detail<'a>) {
        self.changes.push(Change {
            rule,
            path: at.path(),
            group_kind: at.group.path.kind,
            detail,
        });
    }

    /// Compare two maps of top-level objects (schemas, extensions, or tables, views, ... of
    /// `schema`): each becomes a group and a compared object.
    fn top_level<V>(
        &mut self,
        spec: &Spec<V>,
        schema: Option<&'a str>,
        expected: &'a BTreeMap<String, V>,
        actual: &'a BTreeMap<String, V>,
        mut compare: impl FnMut(&mut Self, &Group<'a>, &'a V, &'a V),
    ) {
        for (key, pair) in merge(expected, actual) {
            let kind = (spec.kind)(pair.primary());
            let path = match schema {
                Some(schema) => ObjectPath::in_schema(kind, schema, key),
                None => ObjectPath::top(kind, key),
            };
            let group = Group {
                path,
                schema,
                name: key,
            };
            match pair {
                Pair::Both(e, a) => compare(self, &group, e, a),
                Pair::Missing(e) => {
                    self.emit(spec.missing, group.at(), Detail::Presence((spec.object)(e)))
                }
                Pair::Extra(a) => {
                    self.emit(spec.extra, group.at(), Detail::Presence((spec.object)(a)))
                }
            }
            self.compared.push(ComparedObject {
                kind,
                name: group.path.display(),
            });
        }
    }

    /// Compare two maps of objects inside `group` (columns, constraints, indexes, ...).
    fn children<V>(
        &mut self,
        spec: &Spec<V>,
        group: &Group<'a>,
        expected: &'a BTreeMap<String, V>,
        actual: &'a BTreeMap<String, V>,
        mut compare: impl FnMut(&mut Self, At<'_>, &'a V, &'a V),
    ) {
        fn at<'g, V>(spec: &Spec<V>, group: &'g Group<'g>, key: &'g str, value: &V) -> At<'g> {
            At {
                kind: (spec.kind)(value),
                name: key,
                child: true,
                group,
            }
        }
        let mut extras: Vec<(&'a String, &'a V)> = Vec::new();
        let mut missing: Vec<(&'a String, &'a V)> = Vec::new();
        for (key, pair) in merge(expected, actual) {
            match pair {
                Pair::Both(e, a) => compare(self, at(spec, group, key, e), e, a),
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
                let (actual_name, a) = extras[i];
                let detail = Detail::Renamed {
                    expected_name: key.as_str(),
                    actual_name: actual_name.as_str(),
                    expected: (spec.object)(e),
                    actual: (spec.object)(a),
                };
                self.emit(rule, at(spec, group, key, *e), detail);
                false
            });
            let mut i = 0;
            extras.retain(|_| {
                i += 1;
                !paired[i - 1]
            });
        }
        for (key, e) in missing {
            let detail = Detail::Presence((spec.object)(e));
            self.emit(spec.missing, at(spec, group, key, e), detail);
        }
        for (key, a) in extras {
            let detail = Detail::Presence((spec.object)(a));
            self.emit(spec.extra, at(spec, group, key, a), detail);
        }
    }

    /// One change of `rule` for each field in `fields` that differs between the two objects.
    fn fields<F: Copy>(
        &mut self,
        rule: RuleId,
        at: At<'_>,
        fields: &[F],
        differs: impl Fn(F) -> bool,
        wrap: impl Fn(F) -> Field,
        objects: (Object<'a>, Object<'a>),
    ) {
        for &f in fields {
            if differs(f) {
                let detail = Detail::Property {
                    field: wrap(f),
                    expected: objects.0,
                    actual: objects.1,
                };
                self.emit(rule, at, detail);
            }
        }
    }

    fn property(&mut self, rule: RuleId, at: At<'_>, field: Field, e: Object<'a>, a: Object<'a>) {
        let detail = Detail::Property {
            field,
            expected: e,
            actual: a,
        };
        self.emit(rule, at, detail);
    }

    fn owner(&mut self, at: At<'_>, expected: &'a str, actual: &'a str) {
        if expected != actual {
            self.emit(
                RuleId::OwnerMismatch,
                at,
                Detail::Owner { expected, actual },
            );
        }
    }

    fn comment(&mut self, at: At<'_>, expected: &'a Option<String>, actual: &'a Option<String>) {
        if expected != actual {
            let detail = Detail::Comment {
                expected: expected.as_deref(),
                actual: actual.as_deref(),
            };
            self.emit(RuleId::CommentMismatch, at, detail);
        }
    }

    /// Comments on the parts of an object that the model keeps no map of (a view's columns, a
    /// domain's constraints), by part name.
    fn part_comments(
        &mut self,
        group: &Group<'a>,
        kind: ObjectKind,
        expected: &'a BTreeMap<String, String>,
        actual: &'a BTreeMap<String, String>,
    ) {
        for (name, pair) in merge(expected, actual) {
            let (expected, actual) = match pair {
                Pair::Both(x, y) if x == y => continue,
                Pair::Both(x, y) => (Some(x.as_str()), Some(y.as_str())),
                Pair::Missing(x) => (Some(x.as_str()), None),
                Pair::Extra(y) => (None, Some(y.as_str())),
            };
            let at = At {
                kind,
                name,
                child: true,
                group,
            };
            self.emit(
                RuleId::CommentMismatch,
                at,
                Detail::Comment { expected, actual },
            );
        }
    }

    /// One change per (grantee, privilege) held on one side only, or held with the grant option
    /// on one side only.
    fn grants(&mut self, at: At<'_>, expected: &'a [Grant], actual: &'a [Grant]) {
        if expected == actual {
            return;
        }
        for ((grantee, privilege), pair) in merge(effective(expected), effective(actual)) {
            let (rule, expected, actual) = match pair {
                Pair::Missing(option) => (RuleId::GrantMissing, Some(option), None),
                Pair::Extra(option) => (RuleId::GrantExtra, None, Some(option)),
                Pair::Both(e, a) if e == a => continue,
                Pair::Both(e, a) => (
                    if e {
                        RuleId::GrantMissing
                    } else {
                        RuleId::GrantExtra
                    },
                    Some(e),
                    Some(a),
                ),
            };
            let detail = Detail::Grant {
                grantee,
                privilege,
                expected,
                actual,
            };
            self.emit(rule, at, detail);
        }
    }

    fn namespace(&mut self, group: &Group<'a>, e: &'a Namespace, a: &'a Namespace) {
        let at = group.at();
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        let schema = Some(group.name);
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

    /// The objects compared by their statements: present on one side only, or with another
    /// definition, owner, comment or privileges. One inside a schema or database that is
    /// missing or extra as a whole is not reported again.
    fn defined(&mut self, expected: &'a Schema, actual: &'a Schema) {
        let by_path = |s: &'a Schema| s.defined.iter().map(|d: &'a DefinedObject| (&d.path, d));
        for (path, pair) in merge(by_path(expected), by_path(actual)) {
            let Some((missing, extra, definition)) = defined_rules(path.kind) else {
                continue;
            };
            if let Some(schema) = &path.schema
                && !(expected.schemas.contains_key(schema) && actual.schemas.contains_key(schema))
            {
                continue;
            }
            let parent_path;
            let group = match &path.parent {
                Some(parent) => {
                    parent_path = ObjectPath {
                        kind: parent_kind(expected, actual, path),
                        schema: path.schema.clone(),
                        parent: None,
                        name: parent.clone(),
                    };
                    // A rule of a table that is missing or extra came with it.
                    if parent_path.kind != ObjectKind::ForeignServer
                        && !(expected.contains(&parent_path) && actual.contains(&parent_path))
                    {
                        continue;
                    }
                    Group {
                        path: parent_path.clone(),
                        schema: path.schema.as_deref(),
                        name: parent,
                    }
                }
                None => Group {
                    path: (*path).clone(),
                    schema: path.schema.as_deref(),
                    name: &path.name,
                },
            };
            let at = if path.parent.is_some() {
                At {
                    kind: path.kind,
                    name: &path.name,
                    child: true,
                    group: &group,
                }
            } else {
                group.at()
            };
            match pair {
                Pair::Missing(e) => self.emit(missing, at, Detail::Presence(Object::Defined(e))),
                Pair::Extra(a) => self.emit(extra, at, Detail::Presence(Object::Defined(a))),
                Pair::Both(e, a) => {
                    if e.definition != a.definition {
                        let (eo, ao) = (Object::Defined(e), Object::Defined(a));
                        self.property(definition, at, Field::Defined, eo, ao);
                    }
                    if let (Some(eo), Some(ao)) = (&e.owner, &a.owner) {
                        self.owner(at, eo, ao);
                    }
                    self.comment(at, &e.comment, &a.comment);
                    self.grants(at, &e.grants, &a.grants);
                }
            }
            if path.parent.is_none() {
                self.compared.push(ComparedObject {
                    kind: path.kind,
                    name: path.display(),
                });
            }
        }
    }

    fn extension(&mut self, group: &Group<'a>, e: &'a Extension, a: &'a Extension) {
        let at = group.at();
        if e.version != a.version || e.schema != a.schema {
            let (eo, ao) = (Object::Extension(e), Object::Extension(a));
            self.property(RuleId::ExtensionVersion, at, Field::Extension, eo, ao);
        }
        self.comment(at, &e.comment, &a.comment);
        self.member_grants(&e.member_grants, &a.member_grants);
    }

    /// The privileges on an extension's members, where one side changed them after the
    /// extension made them: a side that did not holds the other side's initial privileges.
    /// Found on the member itself, as `grant.missing` and `grant.extra`.
    fn member_grants(&mut self, expected: &'a [MemberGrants], actual: &'a [MemberGrants]) {
        let sides = merge(
            expected.iter().map(|m| (&m.path, m)),
            actual.iter().map(|m| (&m.path, m)),
        );
        for (path, pair) in sides {
            let (e, a) = match pair {
                Pair::Missing(e) => (&e.grants, &e.initial),
                Pair::Extra(a) => (&a.initial, &a.grants),
                Pair::Both(e, a) => (&e.grants, &a.grants),
            };
            let group = Group {
                path: path.clone(),
                schema: path.schema.as_deref(),
                name: &path.name,
            };
            self.grants(group.at(), e, a);
        }
    }

    fn table(&mut self, group: &Group<'a>, e: &'a Table, a: &'a Table) {
        let at = group.at();
        for &f in TableField::ALL {
            if f.differs(e, a) {
                let (eo, ao) = (Object::Table(e), Object::Table(a));
                self.property(f.rule(), at, Field::Table(f), eo, ao);
            }
        }
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

    fn column(&mut self, at: At<'_>, e: &'a Column, a: &'a Column) {
        let (eo, ao) = (Object::Column(e), Object::Column(a));
        let rules = [
            (RuleId::ColumnType, e.data_type != a.data_type),
            (RuleId::ColumnNullable, e.not_null != a.not_null),
            (RuleId::ColumnDefault, e.default != a.default),
            (RuleId::ColumnIdentity, e.identity != a.identity),
            (RuleId::ColumnGenerated, e.generated != a.generated),
            (RuleId::ColumnCollation, e.collation != a.collation),
            // The options of a sequence that one side does not have are part of the identity.
            (
                RuleId::ColumnIdentityOptions,
                e.identity.is_some()
                    && a.identity.is_some()
                    && e.identity_options != a.identity_options,
            ),
            (RuleId::ColumnStorage, e.storage != a.storage),
            (RuleId::ColumnCompression, e.compression != a.compression),
            (RuleId::ColumnStatistics, e.statistics != a.statistics),
            (RuleId::ColumnOptions, e.options != a.options),
            (RuleId::ColumnHidden, e.hidden != a.hidden),
        ];
        for (rule, differs) in rules {
            if differs {
                self.property(rule, at, Field::Column, eo, ao);
            }
        }
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    /// One `column.order` change when the columns both tables have are in another relative
    /// order. Columns present on one side only shift positions without reordering anything, so
    /// the positions themselves are not compared.
    fn column_order(&mut self, group: &Group<'a>, e: &'a Table, a: &'a Table) {
        self.positions.sort_unstable();
        if self.positions.windows(2).all(|w| w[0].1 <= w[1].1) {
            return;
        }
        let detail = Detail::ColumnOrder {
            expected: e,
            actual: a,
        };
        self.emit(RuleId::ColumnOrder, group.at(), detail);
    }

    fn constraint(&mut self, at: At<'_>, e: &'a Constraint, a: &'a Constraint) {
        let objects = (Object::Constraint(e), Object::Constraint(a));
        let fields = if e.definition == a.definition {
            ConstraintField::ALL
        } else {
            &[ConstraintField::Definition]
        };
        self.fields(
            RuleId::ConstraintDefinition,
            at,
            fields,
            |f| f.differs(e, a),
            Field::Constraint,
            objects,
        );
        self.comment(at, &e.comment, &a.comment);
    }

    fn index(&mut self, at: At<'_>, e: &'a Index, a: &'a Index) {
        // An index of another definition is made again whole: that is the one change.
        let fields = if e.definition == a.definition {
            IndexField::ALL
        } else {
            &[IndexField::Definition]
        };
        for &f in fields {
            if f.differs(e, a) {
                let (eo, ao) = (Object::Index(e), Object::Index(a));
                self.property(f.rule(), at, Field::Index(f), eo, ao);
            }
        }
        self.comment(at, &e.comment, &a.comment);
    }

    fn trigger(&mut self, at: At<'_>, e: &'a Trigger, a: &'a Trigger) {
        let objects = (Object::Trigger(e), Object::Trigger(a));
        self.fields(
            RuleId::TriggerDefinition,
            at,
            TriggerField::ALL,
            |f| f.differs(e, a),
            Field::Trigger,
            objects,
        );
        self.comment(at, &e.comment, &a.comment);
    }

    fn policy(&mut self, at: At<'_>, e: &'a Policy, a: &'a Policy) {
        if !render::policy_differences(e, a).is_empty() {
            let (eo, ao) = (Object::Policy(e), Object::Policy(a));
            self.property(RuleId::PolicyDefinition, at, Field::Policy, eo, ao);
        }
        self.comment(at, &e.comment, &a.comment);
    }

    fn view(&mut self, group: &Group<'a>, e: &'a View, a: &'a View) {
        let at = group.at();
        let objects = (Object::View(e), Object::View(a));
        self.fields(
            RuleId::ViewDefinition,
            at,
            ViewField::ALL,
            |f| f.differs(e, a),
            Field::View,
            objects,
        );
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        self.children(&INDEX, group, &e.indexes, &a.indexes, Self::index);
        self.children(&TRIGGER, group, &e.triggers, &a.triggers, Self::trigger);
        // The view's columns are its query's: only their comments and privileges are its own.
        let column = |name: &'a str| At {
            kind: ObjectKind::Column,
            name,
            child: true,
            group,
        };
        self.part_comments(
            group,
            ObjectKind::Column,
            &e.column_comments,
            &a.column_comments,
        );
        for (name, pair) in merge(&e.column_grants, &a.column_grants) {
            let (expected, actual): (&'a [Grant], &'a [Grant]) = match pair {
                Pair::Both(x, y) => (x, y),
                Pair::Missing(x) => (x, &[]),
                Pair::Extra(y) => (&[], y),
            };
            self.grants(column(name), expected, actual);
        }
    }

    fn sequence(&mut self, group: &Group<'a>, e: &'a Sequence, a: &'a Sequence) {
        let at = group.at();
        let objects = (Object::Sequence(e), Object::Sequence(a));
        self.fields(
            RuleId::SequenceProperty,
            at,
            SequenceField::ALL,
            |f| f.differs(e, a),
            Field::Sequence,
            objects,
        );
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    fn function(&mut self, group: &Group<'a>, e: &'a Function, a: &'a Function) {
        let at = group.at();
        let objects = (Object::Function(e), Object::Function(a));
        self.fields(
            RuleId::FunctionDefinition,
            at,
            FunctionField::ALL,
            |f| f.differs(e, a),
            Field::Function,
            objects,
        );
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
    }

    fn user_type(&mut self, group: &Group<'a>, e: &'a Type, a: &'a Type) {
        let at = group.at();
        self.owner(at, &e.owner, &a.owner);
        self.comment(at, &e.comment, &a.comment);
        self.grants(at, &e.grants, &a.grants);
        if e.definition != a.definition {
            let (eo, ao) = (Object::Type(e), Object::Type(a));
            self.property(RuleId::TypeDefinition, at, Field::Type, eo, ao);
        }
        let (ec, ac) = (&e.constraint_comments, &a.constraint_comments);
        self.part_comments(group, ObjectKind::Constraint, ec, ac);
    }
}

/// Grants as (grantee, privilege) → grant option, sorted, each pair once. Several grantors can
/// give the same privilege; the grantee holds the grant option if any of them gave it.
pub(crate) fn effective(grants: &[Grant]) -> Vec<((&str, &str), bool)> {
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

//! Building a plan: changes become steps on objects, invalidating changes pull in their
//! dependents, and dependency edges order it all.
//!
//! Each step (a node) says which objects it removes, releases (stops needing), invalidates,
//! makes and acquires (starts needing). Edges then follow from the two sides' dependencies:
//! an actual edge "D needs X" puts the step that removes or releases D before the step that
//! removes or invalidates X; an expected edge "D needs X" puts the step that makes X before the
//! step that makes or acquires D.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::ddl::{self, DdlError};
use super::order::{self, Edge};
use super::{
    Fix, Hazard, NotPlanned, Operation, Phase, Plan, PlanError, PlanOptions, PreCheck, Step,
};
use crate::diff::{
    Change, Detail, Field, FunctionField, IndexField, Object as Subject, TableField, TriggerField,
    ViewField,
};
use crate::model::{
    Column, Constraint, ConstraintKind, Dependency, Function, FunctionKind, Grant, Index,
    Namespace, ObjectKind, ObjectPath, Policy, ReplicaIdentity, Schema, Sequence, Table, Trigger,
    Type, TypeDefinition, View,
};
use crate::rules::RuleId;

type NodeId = usize;

/// What a step does to an object, for the dependency edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    /// The object is gone after the step.
    Removes,
    /// The object stops needing what it referenced (a column's default is dropped).
    Releases,
    /// Dependents of the object must be gone before the step (a column's type changes).
    Invalidates,
    /// The object exists (in its expected form) after the step.
    Makes,
    /// The object starts needing what it references (a default is set).
    Acquires,
}

struct Node {
    operation: Operation,
    object: ObjectPath,
    /// A second key for steps on one object that are not the same step (`type`, `default`).
    part: String,
    rank: u16,
    phase: Phase,
    sql: Vec<String>,
    hazards: BTreeSet<Hazard>,
    fixes: Vec<Fix>,
    reason: Vec<String>,
    unchecked_body: bool,
    checks: Vec<PreCheck>,
}

/// Ranks: the order of steps that no dependency orders. Drops first (dependents before what
/// they need), then creates and alters in the order a person would write a migration.
mod rank {
    pub const RENAME: u16 = 5;
    /// Objects compared by their statements: dropped first, made after tables and functions.
    pub const DROP_DEFINED: u16 = 9;
    pub const DROP_TRIGGER: u16 = 10;
    pub const DROP_POLICY: u16 = 11;
    pub const DROP_VIEW: u16 = 12;
    pub const DROP_FOREIGN_KEY: u16 = 13;
    pub const DROP_CONSTRAINT: u16 = 14;
    pub const DROP_INDEX: u16 = 15;
    pub const DROP_FUNCTION: u16 = 17;
    pub const DROP_COLUMN: u16 = 18;
    pub const DROP_TABLE: u16 = 19;
    pub const DROP_SEQUENCE: u16 = 20;
    pub const DROP_TYPE: u16 = 21;
    pub const DROP_EXTENSION: u16 = 22;
    pub const DROP_SCHEMA: u16 = 23;
    pub const CREATE_SCHEMA: u16 = 30;
    pub const EXTENSION: u16 = 31;
    pub const TYPE: u16 = 32;
    pub const SEQUENCE: u16 = 33;
    pub const FUNCTION: u16 = 34;
    pub const TABLE: u16 = 35;
    pub const TABLE_PROPERTY: u16 = 36;
    pub const ADD_COLUMN: u16 = 37;
    pub const COLUMN_DROP_DEFAULT: u16 = 39;
    pub const COLUMN_DROP_IDENTITY: u16 = 40;
    pub const COLUMN_DROP_EXPRESSION: u16 = 41;
    pub const COLUMN_TYPE: u16 = 42;
    /// Before an identity is added: PostgreSQL wants the column NOT NULL first.
    pub const COLUMN_SET_NOT_NULL: u16 = 43;
    pub const COLUMN_IDENTITY: u16 = 44;
    pub const COLUMN_SET_DEFAULT: u16 = 45;
    /// After an identity is dropped: an identity column cannot lose its NOT NULL.
    pub const COLUMN_NULLABLE: u16 = 46;
    /// Storage, compression, statistics target, identity options: after a type change, which
    /// resets the storage to the new type's.
    pub const COLUMN_SETTINGS: u16 = 47;
    pub const CONSTRAINT: u16 = 50;
    pub const INDEX: u16 = 51;
    pub const FOREIGN_KEY: u16 = 52;
    /// REPLICA IDENTITY USING INDEX and CLUSTER ON: once the index is there.
    pub const INDEX_MARK: u16 = 52;
    pub const OWNED_BY: u16 = 53;
    pub const VIEW: u16 = 54;
    pub const VIEW_INDEX: u16 = 55;
    pub const TRIGGER: u16 = 56;
    pub const POLICY: u16 = 57;
    pub const ATTACH: u16 = 58;
    pub const ATTACH_INDEX: u16 = 59;
    pub const DEFINED: u16 = 59;
    pub const OWNER: u16 = 60;
    pub const GRANT: u16 = 61;
    pub const COMMENT: u16 = 62;
    pub const DROP_OLD_TYPE: u16 = 70;
}

/// A change that needs the dependents of `object` out of the way: they are dropped before
/// `first` and created again after `last`.
struct Invalidation {
    object: ObjectPath,
    first: NodeId,
    last: NodeId,
    why: String,
    /// Whether dependents that are columns get their default dropped and set again (a replaced
    /// function or type used in a default).
    columns: bool,
}

/// An owner, grant or comment step: operation, part, rank, statements, hazards.
type AccessStep = (Operation, &'static str, u16, Vec<String>, Vec<Hazard>);

/// Per name: the steps that remove it and the steps that make it.
type ByName = BTreeMap<(Option<String>, String), (Vec<NodeId>, Vec<NodeId>)>;

struct Builder<'a> {
    expected: &'a Schema,
    actual: &'a Schema,
    options: &'a PlanOptions,
    nodes: Vec<Node>,
    by_key: HashMap<(Operation, ObjectPath, String), NodeId>,
    roles: HashMap<(Role, ObjectPath), Vec<NodeId>>,
    /// `(node, path)`: the node runs after whatever makes `path`.
    after_made: Vec<(NodeId, ObjectPath)>,
    edges: Vec<Edge>,
    invalidations: Vec<Invalidation>,
    not_planned: Vec<NotPlanned>,
    /// Objects created whole (with owner, grants and comments): their own owner, grant and
    /// comment changes are fixed by the create step.
    created: HashMap<ObjectPath, NodeId>,
    /// Tables dropped and created again whole (a new partitioning): their other changes are
    /// fixed by the create.
    replaced_tables: HashMap<ObjectPath, NodeId>,
    /// Columns whose type change is not planned (destructive): what is defined on them keeps
    /// the definition their type gives it.
    held_columns: HashSet<ObjectPath>,
    /// Extra objects whose drop is not planned (destructive): what they need stays too.
    kept: Vec<ObjectPath>,
    /// Missing objects whose create is not planned (a base type): what needs them is not made
    /// either.
    unmade: Vec<ObjectPath>,
    /// Types made again over an enum made again: not dependents to drop and recreate.
    moved_types: HashSet<ObjectPath>,
}

pub(super) fn build(
    expected: &Schema,
    actual: &Schema,
    changes: &[&Change<'_>],
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let mut b = Builder {
        expected,
        actual,
        options,
        nodes: Vec::new(),
        by_key: HashMap::new(),
        roles: HashMap::new(),
        after_made: Vec::new(),
        edges: Vec::new(),
        invalidations: Vec::new(),
        not_planned: Vec::new(),
        created: HashMap::new(),
        replaced_tables: HashMap::new(),
        held_columns: HashSet::new(),
        kept: Vec::new(),
        unmade: Vec::new(),
        moved_types: HashSet::new(),
    };
    let (access, structure): (Vec<&Change<'_>>, Vec<&Change<'_>>) =
        changes.iter().copied().partition(|c| {
            matches!(
                c.detail,
                Detail::Owner { .. } | Detail::Comment { .. } | Detail::Grant { .. }
            )
        });
    for rename in &options.renames {
        b.declared_rename(rename);
    }
    for change in &structure {
        if let Detail::Property {
            expected: Subject::Column(e),
            actual: Subject::Column(a),
            ..
        } = change.detail
            && matches!(change.rule, RuleId::ColumnType | RuleId::ColumnCollation)
            && b.type_change_held(e, a)
        {
            b.held_columns.insert(change.path.clone());
        }
    }
    // New partitionings first: the tables they make again take the tables' other changes.
    let (repartitioned, rest): (Vec<&Change<'_>>, Vec<&Change<'_>>) =
        structure.into_iter().partition(|c| {
            matches!(
                c.detail,
                Detail::Property {
                    field: Field::Table(TableField::PartitionKey),
                    ..
                }
            )
        });
    for change in repartitioned.into_iter().chain(rest) {
        b.change(change);
    }
    b.families();
    // What kept objects need is not dropped; only then are the dependents of what is dropped
    // found (a kept column's default must not lose a function that stays).
    b.kept_needs();
    b.closure();
    for change in access {
        b.access(change);
    }
    b.finish()
}

fn fix(change: &Change<'_>) -> Fix {
    Fix {
        rule: change.rule,
        object: change.path.display(),
    }
}

fn child_path(parent: &ObjectPath, kind: ObjectKind, name: &str) -> ObjectPath {
    ObjectPath {
        kind,
        schema: parent.schema.clone(),
        parent: Some(parent.name.clone()),
        name: name.to_string(),
    }
}

fn schema_of(path: &ObjectPath) -> &str {
    path.schema.as_deref().unwrap_or(&path.name)
}

fn parent_of(path: &ObjectPath) -> &str {
    path.parent.as_deref().unwrap_or_default()
}

/// The table or view that holds a child object (a column, constraint, index, ...).
fn holder(path: &ObjectPath) -> Option<ObjectPath> {
    let parent = path.parent.as_ref()?;
    Some(ObjectPath {
        kind: ObjectKind::Table,
        schema: path.schema.clone(),
        parent: None,
        name: parent.clone(),
    })
}

/// Objects as the plan looks them up in one side's model.
struct Side<'s>(&'s Schema);

impl<'s> Side<'s> {
    fn namespace(&self, path: &ObjectPath) -> Option<&'s Namespace> {
        self.0.schemas.get(schema_of(path))
    }
    fn table(&self, schema: &str, name: &str) -> Option<&'s Table> {
        self.0.schemas.get(schema)?.tables.get(name)
    }
    fn view(&self, schema: &str, name: &str) -> Option<&'s View> {
        self.0.schemas.get(schema)?.views.get(name)
    }
    fn holder_table(&self, path: &ObjectPath) -> Option<&'s Table> {
        self.table(schema_of(path), parent_of(path))
    }
    fn holder_view(&self, path: &ObjectPath) -> Option<&'s View> {
        self.view(schema_of(path), parent_of(path))
    }
    fn column(&self, path: &ObjectPath) -> Option<&'s Column> {
        self.holder_table(path)?
            .columns
            .get(&path.name)
            .map(|c| &**c)
    }
    fn constraint(&self, path: &ObjectPath) -> Option<&'s Constraint> {
        self.holder_table(path)?.constraints.get(&path.name)
    }
    fn index(&self, path: &ObjectPath) -> Option<&'s Index> {
        match self.holder_table(path) {
            Some(t) => t.indexes.get(&path.name),
            None => self.holder_view(path)?.indexes.get(&path.name),
        }
    }
    fn trigger(&self, path: &ObjectPath) -> Option<&'s Trigger> {
        match self.holder_table(path) {
            Some(t) => t.triggers.get(&path.name),
            None => self.holder_view(path)?.triggers.get(&path.name),
        }
    }
    fn policy(&self, path: &ObjectPath) -> Option<&'s Policy> {
        self.holder_table(path)?.policies.get(&path.name)
    }
    fn sequence(&self, path: &ObjectPath) -> Option<&'s Sequence> {
        self.namespace(path)?.sequences.get(&path.name)
    }
    fn function(&self, path: &ObjectPath) -> Option<&'s Function> {
        self.namespace(path)?.functions.get(&path.name)
    }
    fn user_type(&self, path: &ObjectPath) -> Option<&'s Type> {
        self.namespace(path)?.types.get(&path.name)
    }
    /// The tables a table is a partition or an inheritance child of.
    fn parents_of(&self, table: &ObjectPath) -> Vec<ObjectPath> {
        let Some(t) = self.table(schema_of(table), &table.name) else {
            return Vec::new();
        };
        (t.partition_of.iter().chain(&t.inherits))
            .filter_map(|q| match split_qualified(q).as_slice() {
                [s, n] => Some(ObjectPath::in_schema(ObjectKind::Table, s, n)),
                _ => None,
            })
            .collect()
    }

    /// The partitions and inheritance children of a table.
    fn children_of(&self, table: &ObjectPath) -> Vec<ObjectPath> {
        let mut out = Vec::new();
        for (schema, ns) in &self.0.schemas {
            for name in ns.tables.keys() {
                let child = ObjectPath::in_schema(ObjectKind::Table, schema, name);
                if self
                    .parents_of(&child)
                    .iter()
                    .any(|p| p.schema == table.schema && p.name == table.name)
                {
                    out.push(child);
                }
            }
        }
        out
    }

    /// Every partition and child below a table, children before grandchildren.
    fn descendants_of(&self, table: &ObjectPath) -> Vec<ObjectPath> {
        let mut out = self.children_of(table);
        let mut i = 0;
        while i < out.len() {
            let more = self.children_of(&out[i]);
            for m in more {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
            i += 1;
        }
        out
    }

    /// The parent's object a column, constraint or index of a partition or inheritance child
    /// comes from: a column of the same name; a CHECK (or, for a partition, a foreign key) of
    /// the same name and definition; for a partition, a primary key or unique constraint of
    /// the same definition, and an index of the same shape. PostgreSQL makes and drops these
    /// with the parent's; the model does not mark them.
    fn inherited_from(&self, path: &ObjectPath) -> Option<ObjectPath> {
        let table = holder(path)?;
        let t = self.table(schema_of(&table), &table.name)?;
        let partition = t.partition_of.is_some();
        for parent in self.parents_of(&table) {
            let (ps, pn) = (schema_of(&parent), parent.name.as_str());
            let Some(p) = self.table(ps, pn) else {
                continue;
            };
            match path.kind {
                ObjectKind::Column if p.columns.contains_key(&path.name) => {
                    return Some(child_path(&parent, ObjectKind::Column, &path.name));
                }
                ObjectKind::Constraint => {
                    let c = t.constraints.get(&path.name)?;
                    let same = |pc: &Constraint| pc.kind == c.kind && pc.definition == c.definition;
                    let by_name = match c.kind {
                        ConstraintKind::Check => true,
                        ConstraintKind::ForeignKey => partition,
                        _ => false,
                    };
                    if by_name && p.constraints.get(&path.name).is_some_and(same) {
                        return Some(child_path(&parent, ObjectKind::Constraint, &path.name));
                    }
                    if partition
                        && matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                        && let Some((name, _)) = p.constraints.iter().find(|(_, pc)| same(pc))
                    {
                        return Some(child_path(&parent, ObjectKind::Constraint, name));
                    }
                }
                ObjectKind::Index if partition => {
                    let i = t.indexes.get(&path.name)?;
                    let shape =
                        index_shape(&i.definition, &path.name, schema_of(&table), &table.name)?;
                    if let Some((name, _)) = p.indexes.iter().find(|(n, pi)| {
                        index_shape(&pi.definition, n, ps, pn).as_ref() == Some(&shape)
                    }) {
                        return Some(child_path(&parent, ObjectKind::Index, name));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Every index of a partition's parent with the shape of the partition's index `path`.
    fn index_parents(&self, path: &ObjectPath) -> Vec<ObjectPath> {
        let Some(table) = holder(path) else {
            return Vec::new();
        };
        let (schema, name) = (schema_of(&table), table.name.as_str());
        let Some(shape) = self
            .index(path)
            .and_then(|i| index_shape(&i.definition, &path.name, schema, name))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self
            .table(schema, name)
            .is_some_and(|t| t.partition_of.is_some())
        {
            for parent in self.parents_of(&table) {
                if let Some(p) = self.table(schema_of(&parent), &parent.name) {
                    for (n, i) in &p.indexes {
                        if index_shape(&i.definition, n, schema_of(&parent), &parent.name).as_ref()
                            == Some(&shape)
                        {
                            out.push(child_path(&parent, ObjectKind::Index, n));
                        }
                    }
                }
            }
        }
        out
    }

    /// Whether the object exists on this side.
    fn has(&self, path: &ObjectPath) -> bool {
        use ObjectKind as K;
        match path.kind {
            K::Schema => self.0.schemas.contains_key(&path.name),
            K::Extension => self.0.extensions.contains_key(&path.name),
            K::Table => self.table(schema_of(path), &path.name).is_some(),
            K::View | K::MaterializedView => self.view(schema_of(path), &path.name).is_some(),
            K::Column => self.column(path).is_some(),
            K::Constraint => self.constraint(path).is_some(),
            K::Index => self.index(path).is_some(),
            K::Trigger => self.trigger(path).is_some(),
            K::Policy => self.policy(path).is_some(),
            K::Sequence => self.sequence(path).is_some(),
            K::Function | K::Procedure | K::Aggregate => self.function(path).is_some(),
            K::Type => self.user_type(path).is_some(),
            K::PolicyEntry => false,
            _ => self.0.defined(path).is_some(),
        }
    }

    /// The objects compared by their statements that live inside `parent` (a table's rules).
    /// (A user mapping's parent is a server, which is in no schema: never a relation's.)
    fn defined_inside(&self, parent: &ObjectPath) -> Vec<ObjectPath> {
        (self.0.defined.iter())
            .filter(|d| {
                d.path.schema.is_some()
                    && d.path.schema == parent.schema
                    && d.path.parent.as_ref() == Some(&parent.name)
            })
            .map(|d| d.path.clone())
            .collect()
    }
}

/// The kind a path should have on a side (tables and views share a name space, and a
/// dependency edge may name a view as a table).
fn relation_kind(side: &Side<'_>, path: &ObjectPath) -> ObjectKind {
    if matches!(
        path.kind,
        ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
    ) {
        if let Some(v) = side.view(schema_of(path), &path.name) {
            return if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
        }
        return ObjectKind::Table;
    }
    path.kind
}

fn function_kind_of(f: &Function) -> ObjectKind {
    match f.kind {
        FunctionKind::Procedure => ObjectKind::Procedure,
        FunctionKind::Aggregate => ObjectKind::Aggregate,
        FunctionKind::Function | FunctionKind::Window => ObjectKind::Function,
    }
}

fn is_domain(t: &Type) -> bool {
    matches!(t.definition, TypeDefinition::Domain { .. })
}

/// The object in the words ALTER ... OWNER, GRANT and COMMENT use.
fn ddl_object<'p>(side: &Side<'p>, path: &'p ObjectPath) -> Option<ddl::Object<'p>> {
    use ObjectKind as K;
    let schema = path.schema.as_deref().unwrap_or_default();
    let name = path.name.as_str();
    Some(match path.kind {
        K::Schema => ddl::Object::Schema { name },
        K::Extension => ddl::Object::Extension { name },
        K::Table => ddl::Object::Table { schema, name },
        K::View | K::MaterializedView => ddl::Object::View {
            schema,
            name,
            materialized: side.view(schema, name)?.materialized,
        },
        K::Sequence => ddl::Object::Sequence { schema, name },
        K::Function | K::Procedure | K::Aggregate => ddl::Object::Function {
            schema,
            key: name,
            kind: side.function(path)?.kind,
        },
        K::Type => ddl::Object::Type {
            schema,
            name,
            domain: is_domain(side.user_type(path)?),
        },
        K::Column => ddl::Object::Column {
            schema,
            table: parent_of(path),
            name,
        },
        K::Constraint if side.table(schema, parent_of(path)).is_none() => {
            ddl::Object::DomainConstraint {
                schema,
                domain: parent_of(path),
                name,
            }
        }
        K::Constraint => ddl::Object::Constraint {
            schema,
            table: parent_of(path),
            name,
        },
        K::Index => ddl::Object::Index { schema, name },
        K::Trigger => ddl::Object::Trigger {
            schema,
            table: parent_of(path),
            name,
        },
        K::Policy => ddl::Object::Policy {
            schema,
            table: parent_of(path),
            name,
        },
        K::PolicyEntry => return None,
        kind => {
            let d = side.0.defined(path)?;
            ddl::Object::Defined {
                kind,
                target: &d.target,
                owned: d.owner.is_some(),
            }
        }
    })
}

/// A member of an extension, by the words its privileges were read with.
fn member_object(m: &crate::model::MemberGrants) -> Option<ddl::Object<'_>> {
    let schema = m.path.schema.as_deref().unwrap_or_default();
    let function = |kind| ddl::Object::Function {
        schema,
        key: &m.path.name,
        kind,
    };
    Some(match m.path.kind {
        ObjectKind::Function => function(FunctionKind::Function),
        ObjectKind::Procedure => function(FunctionKind::Procedure),
        ObjectKind::Aggregate => function(FunctionKind::Aggregate),
        kind => ddl::Object::Defined {
            kind,
            target: &m.target,
            owned: false,
        },
    })
}

use crate::sql::ident::split_qualified;

/// An index definition without its name, table and `ONLY`: `USING btree (kind)`, with
/// `UNIQUE ` in front for a unique index. An index of a partition with the shape of one of its
/// parent's indexes is attached to it.
fn index_shape(definition: &str, name: &str, schema: &str, table: &str) -> Option<String> {
    let index = crate::model::quote_ident(name);
    let table = crate::model::qualified(schema, table);
    for unique in ["", "UNIQUE "] {
        for only in ["", "ONLY "] {
            let prefix = format!("CREATE {unique}INDEX {index} ON {only}{table} ");
            if let Some(rest) = definition.strip_prefix(&prefix) {
                return Some(format!("{unique}{rest}"));
            }
        }
    }
    None
}

impl<'a> Builder<'a> {
    fn exp(&self) -> Side<'a> {
        Side(self.expected)
    }
    fn act(&self) -> Side<'a> {
        Side(self.actual)
    }

    /// The actual server's name for a role the expected side names.
    fn role(&self, name: &str) -> String {
        self.options
            .roles
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    fn grants_in_actual_names(&self, grants: &[Grant]) -> Vec<Grant> {
        grants
            .iter()
            .map(|g| Grant {
                grantee: self.role(&g.grantee),
                ..g.clone()
            })
            .collect()
    }

    // ---- nodes -------------------------------------------------------------------------

    /// The node for `(operation, object, part)`, made by `make` the first time.
    fn node(
        &mut self,
        operation: Operation,
        object: &ObjectPath,
        part: impl Into<String>,
        rank: u16,
        sql: impl FnOnce(&Self) -> Vec<String>,
    ) -> NodeId {
        let part = part.into();
        let key = (operation, object.clone(), part.clone());
        if let Some(&id) = self.by_key.get(&key) {
            return id;
        }
        let statements = sql(self);
        let id = self.nodes.len();
        self.nodes.push(Node {
            operation,
            object: object.clone(),
            part,
            rank,
            phase: Phase::Transaction,
            sql: statements,
            hazards: BTreeSet::new(),
            fixes: Vec::new(),
            reason: Vec::new(),
            unchecked_body: false,
            checks: Vec::new(),
        });
        self.by_key.insert(key, id);
        id
    }

    fn role_of(&mut self, id: NodeId, role: Role, path: &ObjectPath) {
        let list = self.roles.entry((role, path.clone())).or_default();
        if !list.contains(&id) {
            list.push(id);
        }
    }

    fn hazard(&mut self, id: NodeId, hazards: &[Hazard]) {
        self.nodes[id].hazards.extend(hazards.iter().copied());
    }

    fn fixes(&mut self, id: NodeId, change: &Change<'_>) {
        let f = fix(change);
        if !self.nodes[id].fixes.contains(&f) {
            self.nodes[id].fixes.push(f);
        }
    }

    fn edge(&mut self, before: NodeId, after: NodeId, why: impl Into<String>) {
        if before != after {
            self.edges.push(Edge {
                before,
                after,
                why: why.into(),
            });
        }
    }

    fn not_planned(&mut self, change: &Change<'_>, reason: impl Into<String>) {
        self.not_planned.push(NotPlanned {
            rule: change.rule,
            object: change.path.display(),
            reason: reason.into(),
        });
    }

    fn ddl_error(&mut self, change: &Change<'_>, error: DdlError) {
        self.not_planned(change, error.0);
    }

    // ---- changes -----------------------------------------------------------------------

    fn change(&mut self, change: &Change<'_>) {
        // A table made again from the expected side already has everything else it differs in.
        let table = holder(&change.path).unwrap_or_else(|| change.path.clone());
        if let Some(&id) = self.replaced_tables.get(&table) {
            self.fixes(id, change);
            return;
        }
        match change.detail {
            Detail::Presence(_) => match change.rule.presence() {
                Some(crate::rules::Presence::Missing) => {
                    let path = self.expected_path(&change.path);
                    match self.create_tree(&path, Operation::Create, &[]) {
                        Ok(id) => self.fixes(id, change),
                        Err(e) => {
                            self.not_planned(change, e);
                            self.unmade.push(path);
                        }
                    }
                }
                _ => {
                    let path = self.actual_path(&change.path);
                    if let Some(reason) = self.destructive(&path) {
                        self.not_planned(change, reason);
                        self.kept.push(path);
                        return;
                    }
                    match self.drop_tree(&path, Operation::Drop, &[]) {
                        Ok(id) => {
                            self.fixes(id, change);
                            // What stays and needs it (a view whose text is the same on both
                            // sides, but reads a relation of another kind under that name)
                            // is dropped before and made again after.
                            if matches!(
                                path.kind,
                                ObjectKind::Table
                                    | ObjectKind::View
                                    | ObjectKind::MaterializedView
                                    | ObjectKind::Function
                                    | ObjectKind::Procedure
                                    | ObjectKind::Aggregate
                                    | ObjectKind::Type
                            ) {
                                self.invalidations.push(Invalidation {
                                    object: path.clone(),
                                    first: id,
                                    last: id,
                                    why: format!("{} {path} (dropped)", path.kind.noun()),
                                    columns: true,
                                });
                            }
                        }
                        Err(e) => {
                            self.not_planned(change, e);
                            // It stays, and so does what it needs.
                            self.kept.push(path);
                        }
                    }
                }
            },
            Detail::Renamed {
                expected_name,
                actual_name,
                ..
            } => self.rename(change, expected_name, actual_name),
            Detail::Property {
                field,
                expected,
                actual,
            } => self.property(change, field, expected, actual),
            Detail::ServerVersion { .. } => {
                self.not_planned(change, "a difference of servers, not of schemas")
            }
            Detail::ColumnOrder { .. } => self.not_planned(
                change,
                "PostgreSQL cannot reorder the columns of a table; rebuild it by hand if the \
                 order matters (or set ignore.column_order)",
            ),
            Detail::Owner { .. } | Detail::Comment { .. } | Detail::Grant { .. } => {
                self.access(change)
            }
        }
    }

    /// A path as the expected side's model has it (views are keyed as tables in findings'
    /// kinds only for tables and views, which share one name space).
    fn expected_path(&self, path: &ObjectPath) -> ObjectPath {
        ObjectPath {
            kind: relation_kind(&self.exp(), path),
            ..path.clone()
        }
    }

    fn actual_path(&self, path: &ObjectPath) -> ObjectPath {
        ObjectPath {
            kind: relation_kind(&self.act(), path),
            ..path.clone()
        }
    }

    /// Why dropping this object is destructive and not allowed, if it is.
    fn destructive(&self, path: &ObjectPath) -> Option<String> {
        if self.options.allow_destructive {
            return None;
        }
        let what = match path.kind {
            ObjectKind::Table => "DROP TABLE deletes its rows",
            ObjectKind::Column => "DROP COLUMN deletes its values",
            ObjectKind::Schema => "DROP SCHEMA deletes everything in it",
            _ => return None,
        };
        Some(format!(
            "destructive: {what}; plan it with --allow-destructive (apply keeps a backup)"
        ))
    }

    // ---- creating ----------------------------------------------------------------------

    /// Create an object from the expected side with everything inside it; returns the node of
    /// the object itself. `reason` marks a recreated dependent.
    fn create_tree(
        &mut self,
        path: &ObjectPath,
        operation: Operation,
        reason: &[String],
    ) -> Result<NodeId, String> {
        self.create_tree_from(path, operation, reason, true)
    }

    fn create_tree_from(
        &mut self,
        path: &ObjectPath,
        operation: Operation,
        reason: &[String],
        from_expected: bool,
    ) -> Result<NodeId, String> {
        let side = if from_expected {
            self.exp()
        } else {
            self.act()
        };
        let id = self.create_one(&side, path, operation)?;
        if !reason.is_empty() && self.nodes[id].reason.is_empty() {
            self.nodes[id].reason = reason.to_vec();
        }
        self.created.insert(path.clone(), id);
        let children = self.children_to_create(&side, path);
        for child in children {
            let child_id = self.create_one(&side, &child, operation)?;
            self.created.insert(child.clone(), child_id);
            if !reason.is_empty() && self.nodes[child_id].reason.is_empty() {
                self.nodes[child_id].reason = reason.to_vec();
            }
        }
        if path.kind == ObjectKind::MaterializedView
            && let Some(index) = side
                .view(schema_of(path), &path.name)
                .and_then(|v| v.cluster_on.clone())
        {
            let mark = self.view_cluster(path, Some(&index));
            if self.nodes[mark].reason.is_empty() {
                self.nodes[mark].reason = vec![format!(
                    "materialized view {path} is made with its CLUSTER ON index"
                )];
            }
        }
        if path.kind == ObjectKind::Schema {
            let contents = self.schema_contents(&side, &path.name);
            for object in contents {
                self.create_tree_from(&object, operation, reason, from_expected)?;
            }
        }
        Ok(id)
    }

    /// The objects inside a schema: tables, views, sequences, functions and types.
    fn schema_contents(&self, side: &Side<'_>, schema: &str) -> Vec<ObjectPath> {
        let Some(ns) = side.0.schemas.get(schema) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        out.extend(
            ns.tables
                .keys()
                .map(|n| ObjectPath::in_schema(ObjectKind::Table, schema, n)),
        );
        out.extend(ns.views.iter().map(|(n, v)| {
            let kind = if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
            ObjectPath::in_schema(kind, schema, n)
        }));
        out.extend(
            ns.sequences
                .keys()
                .map(|n| ObjectPath::in_schema(ObjectKind::Sequence, schema, n)),
        );
        out.extend(
            ns.functions
                .iter()
                .map(|(n, f)| ObjectPath::in_schema(function_kind_of(f), schema, n)),
        );
        out.extend(
            ns.types
                .keys()
                .map(|n| ObjectPath::in_schema(ObjectKind::Type, schema, n)),
        );
        out.extend(
            (side.0.defined.iter())
                .filter(|d| d.path.schema.as_deref() == Some(schema) && d.path.parent.is_none())
                .map(|d| d.path.clone()),
        );
        out
    }

    /// The separately created parts of a table or view: constraints, indexes, triggers,
    /// policies.
    fn children_to_create(&self, side: &Side<'_>, path: &ObjectPath) -> Vec<ObjectPath> {
        let schema = schema_of(path);
        let mut out = Vec::new();
        match path.kind {
            ObjectKind::Table => {
                if let Some(t) = side.table(schema, &path.name) {
                    // A child made with INHERITS gets its parents' CHECK constraints with them
                    // (a partition is made on its own, with everything).
                    let inherits = t.partition_of.is_none() && !t.inherits.is_empty();
                    let kinds = [
                        (
                            ObjectKind::Constraint,
                            t.constraints.keys().collect::<Vec<_>>(),
                        ),
                        (ObjectKind::Index, t.indexes.keys().collect()),
                        (ObjectKind::Trigger, t.triggers.keys().collect()),
                        (ObjectKind::Policy, t.policies.keys().collect()),
                    ];
                    for (kind, names) in kinds {
                        out.extend(
                            names
                                .into_iter()
                                .map(|n| child_path(path, kind, n))
                                .filter(|c| !(inherits && side.inherited_from(c).is_some())),
                        );
                    }
                    out.extend(side.defined_inside(path));
                }
            }
            ObjectKind::View | ObjectKind::MaterializedView => {
                if let Some(v) = side.view(schema, &path.name) {
                    out.extend(
                        v.indexes
                            .keys()
                            .map(|n| child_path(path, ObjectKind::Index, n)),
                    );
                    out.extend(
                        v.triggers
                            .keys()
                            .map(|n| child_path(path, ObjectKind::Trigger, n)),
                    );
                    out.extend(side.defined_inside(path));
                }
            }
            _ => {}
        }
        out
    }

    /// Owner, grants and comment of a newly created object, when the policy compares them.
    fn replay_access(
        &self,
        side: &Side<'_>,
        path: &ObjectPath,
        owner: Option<&str>,
        grants: &[Grant],
        comment: Option<&str>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(object) = ddl_object(side, path) else {
            return out;
        };
        if self.options.owners
            && let Some(owner) = owner
            && let Ok(sql) = ddl::owner(&object, &self.role(owner))
        {
            out.push(sql);
        }
        if self.options.grants {
            let defaults = ddl::default_grants(path.kind);
            let wanted = self.grants_in_actual_names(grants);
            if let Ok(sql) = ddl::grant_changes(&object, &defaults, &wanted) {
                out.extend(sql);
            }
        }
        if self.options.comments
            && let Some(text) = comment
        {
            out.push(ddl::comment(&object, Some(text)));
        }
        out
    }

    /// One create step for one object (not what is inside it).
    fn create_one(
        &mut self,
        side: &Side<'_>,
        path: &ObjectPath,
        operation: Operation,
    ) -> Result<NodeId, String> {
        use ObjectKind as K;
        let schema = schema_of(path).to_string();
        let name = path.name.clone();
        let missing = || format!("{} {} is not in the schema", path.kind.noun(), path);
        let mut checks: Vec<PreCheck> = Vec::new();
        let key_op = if operation == Operation::Recreate {
            Operation::Create
        } else {
            operation
        };
        let (sql, rank, hazards, unchecked): (Vec<String>, u16, Vec<Hazard>, bool) = match path.kind
        {
            K::Schema => {
                let ns = side.0.schemas.get(&name).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_schema(&name, ns, false)];
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&ns.owner),
                    &ns.grants,
                    ns.comment.as_deref(),
                ));
                (sql, rank::CREATE_SCHEMA, vec![], false)
            }
            K::Extension => {
                let e = side.0.extensions.get(&name).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_extension(&name, e)];
                if self.options.comments
                    && let Some(c) = &e.comment
                {
                    sql.push(ddl::comment(
                        &ddl::Object::Extension { name: &name },
                        Some(c),
                    ));
                }
                (sql, rank::EXTENSION, vec![], false)
            }
            K::Table => {
                let t = side.table(&schema, &name).ok_or_else(missing)?;
                let parents: Vec<&Table> = t
                    .partition_of
                    .iter()
                    .chain(&t.inherits)
                    .filter_map(|q| match split_qualified(q).as_slice() {
                        [s, n] => side.table(s, n),
                        _ => None,
                    })
                    .collect();
                // A partition is made on its own with everything it has, under the names it
                // has, and attached after (as pg_dump does): PARTITION OF would make the
                // parent's indexes and keys for it under names of PostgreSQL's choosing.
                let parts = ddl::TableParts {
                    standalone: t.partition_of.is_some(),
                    parents: &parents,
                    tablespaces: self.options.tablespaces,
                };
                let mut sql = ddl::create_table(&schema, &name, t, parts).map_err(|e| e.0)?;
                if t.rls_enabled {
                    sql.push(ddl::set_row_level_security(&schema, &name, true));
                }
                if t.rls_forced {
                    sql.push(ddl::set_row_level_security_forced(&schema, &name, true));
                }
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&t.owner),
                    &t.grants,
                    t.comment.as_deref(),
                ));
                for (column_name, c) in &t.columns {
                    let column = child_path(path, K::Column, column_name);
                    sql.extend(self.replay_access(
                        side,
                        &column,
                        None,
                        &c.grants,
                        c.comment.as_deref(),
                    ));
                }
                (sql, rank::TABLE, vec![], false)
            }
            K::Column => {
                let c = side.column(path).ok_or_else(missing)?;
                let table = parent_of(path).to_string();
                let mut sql = vec![ddl::add_column(&schema, &table, &name, c)];
                sql.extend(ddl::column_settings(&schema, &table, &name, c));
                sql.extend(self.replay_access(side, path, None, &c.grants, c.comment.as_deref()));
                let mut hazards = vec![Hazard::AccessExclusiveLock];
                if c.generated.is_some() || c.default.as_deref().is_some_and(volatile_default) {
                    hazards.push(Hazard::RewritesTable);
                }
                if c.not_null
                    && c.default.is_none()
                    && c.generated.is_none()
                    && c.identity.is_none()
                {
                    hazards.push(Hazard::DataDependent);
                }
                (sql, rank::ADD_COLUMN, hazards, false)
            }
            K::Constraint => {
                let c = side.constraint(path).ok_or_else(missing)?;
                let table = parent_of(path).to_string();
                let mut sql = vec![ddl::add_constraint(&schema, &table, &name, c)];
                sql.extend(self.replay_access(side, path, None, &[], c.comment.as_deref()));
                if matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                    && self.act().holder_table(path).is_some()
                    && let Some(columns) = key_columns(&c.definition)
                {
                    checks.push(PreCheck::Duplicates {
                        table: crate::model::qualified(&schema, &table),
                        columns,
                    });
                }
                let (rank, hazards) = match c.kind {
                    ConstraintKind::ForeignKey => (
                        rank::FOREIGN_KEY,
                        vec![
                            Hazard::ShareRowExclusiveLock,
                            Hazard::ScansTable,
                            Hazard::DataDependent,
                        ],
                    ),
                    ConstraintKind::PrimaryKey
                    | ConstraintKind::Unique
                    | ConstraintKind::Exclusion => (
                        rank::CONSTRAINT,
                        vec![
                            Hazard::AccessExclusiveLock,
                            Hazard::IndexBuild,
                            Hazard::DataDependent,
                        ],
                    ),
                    _ => (
                        rank::CONSTRAINT,
                        vec![
                            Hazard::AccessExclusiveLock,
                            Hazard::ScansTable,
                            Hazard::DataDependent,
                        ],
                    ),
                };
                (sql, rank, hazards, false)
            }
            K::Index => {
                let i = side.index(path).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_index(i)];
                sql.extend(ddl::index_statistics(&schema, &name, &[], &i.statistics));
                // pg_get_indexdef leaves the tablespace out (pg_dump sets default_tablespace).
                if self.options.tablespaces && i.tablespace.is_some() {
                    sql.push(ddl::set_tablespace(
                        "INDEX",
                        &schema,
                        &name,
                        i.tablespace.as_deref(),
                    ));
                }
                sql.extend(self.replay_access(side, path, None, &[], i.comment.as_deref()));
                let unique = i.definition.starts_with("CREATE UNIQUE");
                if unique
                    && self.act().holder_table(path).is_some()
                    && let Some(columns) = key_columns(&i.definition)
                {
                    checks.push(PreCheck::Duplicates {
                        table: crate::model::qualified(&schema, parent_of(path)),
                        columns,
                    });
                }
                let mut hazards = vec![Hazard::ShareLock, Hazard::IndexBuild];
                if unique {
                    hazards.push(Hazard::DataDependent);
                }
                let rank = if side.holder_view(path).is_some() {
                    rank::VIEW_INDEX
                } else {
                    rank::INDEX
                };
                (sql, rank, hazards, false)
            }
            K::Trigger => {
                let t = side.trigger(path).ok_or_else(missing)?;
                let table = parent_of(path).to_string();
                let mut sql = vec![ddl::create_trigger(t)];
                if t.enabled != "O" {
                    sql.push(
                        ddl::set_trigger_enabled(&schema, &table, &name, &t.enabled)
                            .map_err(|e| e.0)?,
                    );
                }
                sql.extend(self.replay_access(side, path, None, &[], t.comment.as_deref()));
                (sql, rank::TRIGGER, vec![], false)
            }
            K::Policy => {
                let p = side.policy(path).ok_or_else(missing)?;
                let table = parent_of(path).to_string();
                let mut p = p.clone();
                p.roles = p.roles.iter().map(|r| self.role(r)).collect();
                let mut sql =
                    vec![ddl::create_policy(&schema, &table, &name, &p).map_err(|e| e.0)?];
                sql.extend(self.replay_access(side, path, None, &[], p.comment.as_deref()));
                (sql, rank::POLICY, vec![Hazard::AuthorizationChange], false)
            }
            K::View | K::MaterializedView => {
                let v = side.view(&schema, &name).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_view(&schema, &name, v)];
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&v.owner),
                    &v.grants,
                    v.comment.as_deref(),
                ));
                let columns = (v.column_comments.keys()).chain(v.column_grants.keys());
                let columns: std::collections::BTreeSet<&String> = columns.collect();
                for column in columns {
                    let column_path = child_path(path, K::Column, column);
                    let comment = v.column_comments.get(column).map(String::as_str);
                    let grants = (v.column_grants.get(column)).map_or(&[][..], Vec::as_slice);
                    sql.extend(self.replay_access(side, &column_path, None, grants, comment));
                }
                let hazards = if v.materialized {
                    vec![Hazard::ScansTable]
                } else {
                    vec![]
                };
                (sql, rank::VIEW, hazards, false)
            }
            K::Sequence => {
                let s = side.sequence(path).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_sequence(&schema, &name, s)];
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&s.owner),
                    &s.grants,
                    s.comment.as_deref(),
                ));
                (sql, rank::SEQUENCE, vec![], false)
            }
            K::Function | K::Procedure | K::Aggregate => {
                let f = side.function(path).ok_or_else(missing)?;
                let mut sql = vec![ddl::create_function(&schema, &name, f).map_err(|e| e.0)?];
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&f.owner),
                    &f.grants,
                    f.comment.as_deref(),
                ));
                let untracked = untracked_body(f);
                let hazards = if untracked {
                    vec![Hazard::UntrackedDependencies]
                } else {
                    vec![]
                };
                (sql, rank::FUNCTION, hazards, untracked)
            }
            K::Type => {
                let t = side.user_type(path).ok_or_else(missing)?;
                let mut sql = ddl::create_type(&schema, &name, t);
                sql.extend(self.replay_access(
                    side,
                    path,
                    Some(&t.owner),
                    &t.grants,
                    t.comment.as_deref(),
                ));
                for (constraint, text) in &t.constraint_comments {
                    let c = child_path(path, K::Constraint, constraint);
                    sql.extend(self.replay_access(side, &c, None, &[], Some(text)));
                }
                (sql, rank::TYPE, vec![], false)
            }
            K::PolicyEntry => return Err(missing()),
            // Every other kind is compared by the statement that makes it.
            _ => {
                let d = side.0.defined(path).ok_or_else(missing)?;
                if let Some(reason) = &d.unplannable {
                    return Err(reason.clone());
                }
                let mut sql = vec![d.definition.clone()];
                sql.extend(self.replay_access(
                    side,
                    path,
                    d.owner.as_deref(),
                    &d.grants,
                    d.comment.as_deref(),
                ));
                (sql, rank::DEFINED, vec![], false)
            }
        };
        let id = self.node(key_op, path, "", rank, |_| sql);
        if operation == Operation::Recreate {
            self.nodes[id].operation = Operation::Recreate;
        }
        self.nodes[id].checks.extend(checks);
        let roles = self.roles_named(side, path);
        self.needs_roles(id, roles);
        if self.options.online && operation == Operation::Create {
            self.go_online(id, side, path);
        }
        self.hazard(id, &hazards);
        self.nodes[id].unchecked_body |= unchecked;
        self.role_of(id, Role::Makes, path);
        self.role_of(id, Role::Acquires, path);
        // A table made whole makes its columns; a sequence is owned separately.
        if path.kind == K::Table
            && let Some(t) = side.table(&schema, &name)
        {
            for column in t.columns.keys() {
                let c = child_path(path, K::Column, column);
                self.role_of(id, Role::Makes, &c);
                self.role_of(id, Role::Acquires, &c);
            }
            for parent in t.partition_of.iter().chain(&t.inherits) {
                if let [s, n] = split_qualified(parent).as_slice() {
                    let parent = ObjectPath::in_schema(K::Table, s, n);
                    self.after_made.push((id, parent.clone()));
                    // A child made with INHERITS takes the parent's columns as they are then.
                    if t.partition_of.is_none()
                        && let Some(p) = side.table(s, n)
                    {
                        for column in p.columns.keys() {
                            self.after_made
                                .push((id, child_path(&parent, K::Column, column)));
                        }
                    }
                }
            }
            if let (Some(parent), Some(bound)) = (&t.partition_of, &t.partition_bound) {
                let sql = ddl::attach_partition(parent, &schema, &name, bound);
                let attach = self.node(Operation::Alter, path, "attach", rank::ATTACH, |_| {
                    vec![sql]
                });
                self.hazard(attach, &[Hazard::AccessExclusiveLock]);
                self.nodes[attach].reason = vec![format!("partition {path} is attached")];
                self.edge(id, attach, format!("partition {path} exists first"));
                if let [s, n] = split_qualified(parent).as_slice() {
                    self.after_made
                        .push((attach, ObjectPath::in_schema(K::Table, s, n)));
                }
            }
        }
        if let Some(holder) = holder(path) {
            self.after_made.push((id, holder));
        }
        // What a table marks its new indexes with (replica identity, CLUSTER ON) comes after
        // them; an index made again lost its marks.
        if path.kind == K::Table
            && let Some(t) = side.table(&schema, &name)
        {
            self.index_marks(path, t, None);
        }
        if matches!(path.kind, K::Index | K::Constraint)
            && let (Some(table), Some(t)) = (holder(path), side.holder_table(path))
        {
            self.index_marks(&table, t, Some(&name));
        }
        if let Some(schema) = &path.schema {
            self.after_made
                .push((id, ObjectPath::top(K::Schema, schema)));
        }
        if path.kind == K::Sequence
            && let Some(s) = side.sequence(path)
            && let Some(owned_by) = &s.owned_by
        {
            self.owned_by(path, Some(owned_by), &[]);
        }
        if path.kind == K::Extension
            && let Some(e) = side.0.extensions.get(&path.name)
        {
            self.after_made
                .push((id, ObjectPath::top(K::Schema, &e.schema)));
        }
        Ok(id)
    }

    /// `--online`: a new index of a table that exists already is built concurrently after
    /// COMMIT; a new CHECK or foreign key on one is added NOT VALID and validated after
    /// COMMIT. Nothing planned in the transaction may need them (else they stay inside it).
    fn go_online(&mut self, id: NodeId, side: &Side<'_>, path: &ObjectPath) {
        let existing = self
            .act()
            .holder_table(path)
            .is_some_and(|t| t.partition_key.is_none() && t.partition_of.is_none());
        // A replica identity or CLUSTER index is marked in the transaction: it is made there.
        let needed = self.expected.dependencies.iter().any(|d| d.to == *path)
            || (path.kind == ObjectKind::Index && self.marked_index(path));
        if !existing || needed {
            return;
        }
        let schema = schema_of(path).to_string();
        let table = parent_of(path).to_string();
        match path.kind {
            ObjectKind::Index => {
                let Some(index) = side.index(path) else {
                    return;
                };
                let Ok(sql) = ddl::create_index_concurrently(index) else {
                    return;
                };
                let node = &mut self.nodes[id];
                node.sql[0] = sql;
                node.phase = Phase::PostCommit;
                node.hazards.remove(&Hazard::ShareLock);
                node.hazards.insert(Hazard::NonTransactional);
            }
            ObjectKind::Constraint => {
                let Some(c) = side.constraint(path) else {
                    return;
                };
                if !matches!(c.kind, ConstraintKind::Check | ConstraintKind::ForeignKey)
                    || c.definition.ends_with(" NOT VALID")
                {
                    return;
                }
                let mut not_valid = c.clone();
                not_valid.definition.push_str(" NOT VALID");
                self.nodes[id].sql[0] =
                    ddl::add_constraint(&schema, &table, &path.name, &not_valid);
                self.nodes[id].hazards.remove(&Hazard::ScansTable);
                let fixes = self.nodes[id].fixes.clone();
                let validate =
                    self.node(Operation::Alter, path, "validate", rank::CONSTRAINT, |_| {
                        vec![ddl::validate_constraint(&schema, &table, &path.name)]
                    });
                let node = &mut self.nodes[validate];
                node.phase = Phase::PostCommit;
                node.fixes = fixes;
                node.hazards.extend([
                    Hazard::ScansTable,
                    Hazard::NonTransactional,
                    Hazard::DataDependent,
                ]);
                self.edge(
                    id,
                    validate,
                    format!("constraint {path} is validated once added"),
                );
            }
            _ => {}
        }
    }

    /// The roles a newly created object's statements name: its owner and grantees (when the
    /// policy compares them) and a policy's roles, in the actual server's names.
    fn roles_named(&self, side: &Side<'_>, path: &ObjectPath) -> Vec<String> {
        use ObjectKind as K;
        let schema = schema_of(path);
        let (owner, grants): (Option<&str>, Vec<&Grant>) = match path.kind {
            K::Schema => match side.0.schemas.get(&path.name) {
                Some(ns) => (Some(&ns.owner), ns.grants.iter().collect()),
                None => (None, Vec::new()),
            },
            K::Table => match side.table(schema, &path.name) {
                Some(t) => (
                    Some(&t.owner),
                    t.grants
                        .iter()
                        .chain(t.columns.values().flat_map(|c| &c.grants))
                        .collect(),
                ),
                None => (None, Vec::new()),
            },
            K::View | K::MaterializedView => match side.view(schema, &path.name) {
                Some(v) => (Some(&v.owner), v.grants.iter().collect()),
                None => (None, Vec::new()),
            },
            K::Sequence => match side.sequence(path) {
                Some(s) => (Some(&s.owner), s.grants.iter().collect()),
                None => (None, Vec::new()),
            },
            K::Function | K::Procedure | K::Aggregate => match side.function(path) {
                Some(f) => (Some(&f.owner), f.grants.iter().collect()),
                None => (None, Vec::new()),
            },
            K::Type => match side.user_type(path) {
                Some(t) => (Some(&t.owner), t.grants.iter().collect()),
                None => (None, Vec::new()),
            },
            K::Policy => {
                return side
                    .policy(path)
                    .map(|p| p.roles.iter().map(|r| self.role(r)).collect())
                    .unwrap_or_default();
            }
            _ => (None, Vec::new()),
        };
        let mut out = Vec::new();
        if self.options.owners
            && let Some(owner) = owner
        {
            out.push(self.role(owner));
        }
        if self.options.grants {
            out.extend(grants.iter().map(|g| self.role(&g.grantee)));
        }
        out
    }

    /// A pre-check per role a step names (PUBLIC is not a role to look for).
    fn needs_roles(&mut self, id: NodeId, roles: Vec<String>) {
        for name in roles {
            if name == "PUBLIC" {
                continue;
            }
            let check = PreCheck::Role { name };
            if !self.nodes[id].checks.contains(&check) {
                self.nodes[id].checks.push(check);
            }
        }
    }

    /// `ALTER SEQUENCE ... OWNED BY`, after the column exists.
    fn owned_by(&mut self, sequence: &ObjectPath, owned_by: Option<&str>, fixes: &[Fix]) -> NodeId {
        let schema = schema_of(sequence).to_string();
        let name = sequence.name.clone();
        let target = owned_by.map(str::to_string);
        let id = self.node(
            Operation::Alter,
            sequence,
            "owned by",
            rank::OWNED_BY,
            |_| vec![ddl::sequence_owned_by(&schema, &name, target.as_deref())],
        );
        self.nodes[id].fixes.extend(fixes.iter().cloned());
        self.after_made.push((id, sequence.clone()));
        if let Some(owned_by) = owned_by
            && let [s, t, c] = split_qualified(owned_by).as_slice()
        {
            let column = ObjectPath::child(ObjectKind::Column, s, t, c);
            self.after_made.push((id, column.clone()));
            self.role_of(id, Role::Acquires, sequence);
        }
        id
    }

    // ---- dropping ----------------------------------------------------------------------

    /// Drop an object of the actual side, with what is inside it; returns the node of the
    /// object itself.
    fn drop_tree(
        &mut self,
        path: &ObjectPath,
        operation: Operation,
        reason: &[String],
    ) -> Result<NodeId, String> {
        if path.kind == ObjectKind::Schema {
            let contents = self.schema_contents(&self.act(), &path.name);
            let id = self.drop_one(path, operation)?;
            for object in contents {
                let child = self.drop_tree(&object, operation, reason)?;
                self.edge(child, id, format!("{} is in schema {}", object, path));
            }
            return Ok(id);
        }
        let id = self.drop_one(path, operation)?;
        if !reason.is_empty() && self.nodes[id].reason.is_empty() {
            self.nodes[id].reason = reason.to_vec();
        }
        Ok(id)
    }

    fn drop_one(&mut self, path: &ObjectPath, operation: Operation) -> Result<NodeId, String> {
        use ObjectKind as K;
        let side = self.act();
        let schema = schema_of(path).to_string();
        let name = path.name.clone();
        let missing = || format!("{} {} is not in the actual schema", path.kind.noun(), path);
        let mut inside: Vec<ObjectPath> = Vec::new();
        let (sql, rank, hazards) = match path.kind {
            K::Schema => (
                vec![ddl::drop_schema(&name)],
                rank::DROP_SCHEMA,
                vec![Hazard::DeletesData],
            ),
            K::Extension => (
                vec![ddl::drop_extension(&name)],
                rank::DROP_EXTENSION,
                vec![],
            ),
            K::Table => {
                let t = side.table(&schema, &name).ok_or_else(missing)?;
                for (kind, names) in [
                    (K::Column, t.columns.keys().collect::<Vec<_>>()),
                    (K::Constraint, t.constraints.keys().collect()),
                    (K::Index, t.indexes.keys().collect()),
                    (K::Trigger, t.triggers.keys().collect()),
                    (K::Policy, t.policies.keys().collect()),
                ] {
                    inside.extend(names.into_iter().map(|n| child_path(path, kind, n)));
                }
                inside.extend(side.defined_inside(path));
                (
                    vec![ddl::drop_table(&schema, &name)],
                    rank::DROP_TABLE,
                    vec![
                        Hazard::DeletesData,
                        Hazard::AccessExclusiveLock,
                        Hazard::BackwardIncompatible,
                    ],
                )
            }
            K::View | K::MaterializedView => {
                let v = side.view(&schema, &name).ok_or_else(missing)?;
                inside.extend(v.indexes.keys().map(|n| child_path(path, K::Index, n)));
                inside.extend(v.triggers.keys().map(|n| child_path(path, K::Trigger, n)));
                inside.extend(side.defined_inside(path));
                (
                    vec![ddl::drop_view(&schema, &name, v.materialized)],
                    rank::DROP_VIEW,
                    vec![],
                )
            }
            K::Column => (
                vec![ddl::drop_column(&schema, parent_of(path), &name)],
                rank::DROP_COLUMN,
                vec![
                    Hazard::DeletesData,
                    Hazard::AccessExclusiveLock,
                    Hazard::BackwardIncompatible,
                ],
            ),
            K::Constraint => {
                let c = side.constraint(path).ok_or_else(missing)?;
                let rank = if c.kind == ConstraintKind::ForeignKey {
                    rank::DROP_FOREIGN_KEY
                } else {
                    rank::DROP_CONSTRAINT
                };
                (
                    vec![ddl::drop_constraint(&schema, parent_of(path), &name)],
                    rank,
                    vec![Hazard::AccessExclusiveLock],
                )
            }
            K::Index => {
                side.index(path).ok_or_else(missing)?;
                (
                    vec![ddl::drop_index(&schema, &name)],
                    rank::DROP_INDEX,
                    vec![Hazard::IndexDropped, Hazard::AccessExclusiveLock],
                )
            }
            K::Trigger => (
                vec![ddl::drop_trigger(&schema, parent_of(path), &name)],
                rank::DROP_TRIGGER,
                vec![],
            ),
            K::Policy => (
                vec![ddl::drop_policy(&schema, parent_of(path), &name)],
                rank::DROP_POLICY,
                vec![Hazard::AuthorizationChange],
            ),
            K::Sequence => (
                vec![ddl::drop_sequence(&schema, &name)],
                rank::DROP_SEQUENCE,
                vec![Hazard::DeletesData],
            ),
            K::Function | K::Procedure | K::Aggregate => {
                let f = side.function(path).ok_or_else(missing)?;
                (
                    vec![ddl::drop_function(&schema, &name, f.kind)],
                    rank::DROP_FUNCTION,
                    vec![],
                )
            }
            K::Type => {
                let t = side.user_type(path).ok_or_else(missing)?;
                (
                    vec![ddl::drop_type(&schema, &name, &t.definition)],
                    rank::DROP_TYPE,
                    vec![],
                )
            }
            K::PolicyEntry => return Err(missing()),
            _ => {
                let d = side.0.defined(path).ok_or_else(missing)?;
                // A base type and its functions need each other: DROP TYPE needs CASCADE,
                // which would take the columns using it along.
                if path.kind == K::BaseType
                    && let Some(reason) = &d.unplannable
                {
                    return Err(reason.clone());
                }
                let sql = (d.drop.clone()).unwrap_or_else(|| format!("DROP {};", d.target));
                (vec![sql], rank::DROP_DEFINED, vec![])
            }
        };
        let id = self.node(Operation::Drop, path, "", rank, |_| sql);
        if matches!(path.kind, K::Table | K::Column) && self.nodes[id].checks.is_empty() {
            let table = if path.kind == K::Table {
                name.clone()
            } else {
                parent_of(path).to_string()
            };
            self.nodes[id].checks.push(PreCheck::Size {
                table: crate::model::qualified(&schema, &table),
            });
        }
        if operation == Operation::DropForRecreate
            && self.nodes[id].operation == Operation::Drop
            && self.nodes[id].fixes.is_empty()
        {
            self.nodes[id].operation = Operation::DropForRecreate;
        }
        self.hazard(id, &hazards);
        for p in std::iter::once(path).chain(&inside) {
            self.role_of(id, Role::Removes, p);
            self.role_of(id, Role::Releases, p);
        }
        Ok(id)
    }

    // ---- renames -----------------------------------------------------------------------

    fn rename(&mut self, change: &Change<'_>, expected_name: &str, actual_name: &str) {
        let path = &change.path;
        let schema = schema_of(path).to_string();
        let table = parent_of(path).to_string();
        let (from, to) = (actual_name.to_string(), expected_name.to_string());
        let sql = match path.kind {
            ObjectKind::Constraint => ddl::rename_constraint(&schema, &table, &from, &to),
            ObjectKind::Index => ddl::rename_index(&schema, &from, &to),
            _ => {
                self.not_planned(change, "only constraints and indexes are renamed");
                return;
            }
        };
        let old = ObjectPath {
            name: from,
            ..path.clone()
        };
        let id = self.node(Operation::Rename, path, "", rank::RENAME, |_| vec![sql]);
        self.fixes(id, change);
        self.role_of(id, Role::Removes, &old);
        self.role_of(id, Role::Makes, path);
    }

    /// A rename the policy declares: first, before anything else touches the object.
    fn declared_rename(&mut self, rename: &super::Rename) {
        let (from, to) = (&rename.from, &rename.to);
        let schema = schema_of(from).to_string();
        let sql = match from.kind {
            ObjectKind::Table => ddl::rename_table(&schema, &from.name, &to.name),
            _ => ddl::rename_column(&schema, parent_of(from), &from.name, &to.name),
        };
        let id = self.node(Operation::Rename, to, "", rank::RENAME, |_| vec![sql]);
        self.hazard(
            id,
            &[Hazard::BackwardIncompatible, Hazard::AccessExclusiveLock],
        );
        // A column is renamed under its table's new name.
        if let Some(table) = holder(to) {
            self.after_made.push((id, table));
        }
        self.role_of(id, Role::Makes, to);
        self.nodes[id].reason = vec![format!(
            "declared in [plan] renames: {} {from} is {to} in expected",
            from.kind.noun()
        )];
    }

    // ---- properties --------------------------------------------------------------------

    fn property(&mut self, change: &Change<'_>, field: Field, e: Subject<'_>, a: Subject<'_>) {
        if matches!(
            field,
            Field::Constraint(_)
                | Field::Index(_)
                | Field::View(_)
                | Field::Policy
                | Field::Trigger(_)
        ) && let Some(column) = self.on_held_column(&change.path)
        {
            return self.not_planned(
                change,
                format!(
                    "defined on column {column}, whose type change is not planned: its definition \
                     follows that type"
                ),
            );
        }
        match (field, e, a) {
            (Field::Column, Subject::Column(ec), Subject::Column(ac)) => {
                self.column(change, ec, ac)
            }
            (Field::Table(f), Subject::Table(et), Subject::Table(at)) => {
                self.table_property(change, f, et, at)
            }
            (Field::Index(IndexField::Tablespace), Subject::Index(ei), Subject::Index(ai))
                if ei.definition == ai.definition =>
            {
                let path = &change.path;
                let sql = ddl::set_tablespace(
                    "INDEX",
                    schema_of(path),
                    &path.name,
                    ei.tablespace.as_deref(),
                );
                let id = self.node(Operation::Alter, path, "tablespace", rank::INDEX, |_| {
                    vec![sql]
                });
                self.hazard(id, &[Hazard::AccessExclusiveLock]);
                self.fixes(id, change);
            }
            (Field::Index(IndexField::Statistics), Subject::Index(ei), Subject::Index(ai))
                if ei.definition == ai.definition =>
            {
                let path = &change.path;
                let sql = ddl::index_statistics(
                    schema_of(path),
                    &path.name,
                    &ai.statistics,
                    &ei.statistics,
                );
                let id = self.node(Operation::Alter, path, "statistics", rank::INDEX, |_| sql);
                self.fixes(id, change);
            }
            (Field::Index(IndexField::Validity), Subject::Index(ei), _) if ei.invalid => self
                .not_planned(
                    change,
                    "the expected index is invalid (a failed concurrent build): a plan does not \
                     make an index invalid; build it again there",
                ),
            // An invalid index is dropped and built again (REINDEX CONCURRENTLY cannot run in
            // a transaction; with --online the new one is built concurrently after COMMIT).
            (Field::Constraint(_), ..) | (Field::Index(_), ..) => self.replace(change, true),
            (Field::Trigger(TriggerField::Enabled), Subject::Trigger(et), Subject::Trigger(at))
                if et.definition == at.definition =>
            {
                let path = &change.path;
                match ddl::set_trigger_enabled(
                    schema_of(path),
                    parent_of(path),
                    &path.name,
                    &et.enabled,
                ) {
                    Ok(sql) => {
                        let id =
                            self.node(Operation::Alter, path, "enabled", rank::TRIGGER, |_| {
                                vec![sql]
                            });
                        self.fixes(id, change);
                    }
                    Err(e) => self.ddl_error(change, e),
                }
            }
            (Field::Trigger(_), ..) => self.replace(change, false),
            (Field::Policy, Subject::Policy(ep), Subject::Policy(ap)) => {
                let path = &change.path;
                let mut ep = ep.clone();
                ep.roles = ep.roles.iter().map(|r| self.role(r)).collect();
                let mut ap = ap.clone();
                ap.roles = ap.roles.iter().map(|r| self.role(r)).collect();
                match ddl::alter_policy(schema_of(path), parent_of(path), &path.name, &ap, &ep) {
                    Ok(Some(sql)) => {
                        let id = self.node(Operation::Alter, path, "", rank::POLICY, |_| vec![sql]);
                        self.hazard(id, &[Hazard::AuthorizationChange]);
                        self.fixes(id, change);
                        self.role_of(id, Role::Releases, path);
                        self.role_of(id, Role::Acquires, path);
                    }
                    Ok(None) => {}
                    Err(_) => self.replace(change, false),
                }
            }
            (Field::View(ViewField::Cluster), Subject::View(ev), Subject::View(av))
                if ev.definition == av.definition && ev.materialized == av.materialized =>
            {
                let id = self.view_cluster(&change.path, ev.cluster_on.as_deref());
                self.fixes(id, change);
            }
            (Field::View(ViewField::ColumnDefaults), Subject::View(ev), Subject::View(av))
                if ev.definition == av.definition && ev.materialized == av.materialized =>
            {
                let path = &change.path;
                let sql = ddl::view_defaults(
                    schema_of(path),
                    &path.name,
                    &av.column_defaults,
                    &ev.column_defaults,
                );
                let id = self.node(Operation::Alter, path, "defaults", rank::VIEW, |_| sql);
                self.fixes(id, change);
            }
            (Field::View(ViewField::Options), Subject::View(ev), Subject::View(av))
                if ev.definition == av.definition && ev.materialized == av.materialized =>
            {
                let path = &change.path;
                let relation = if ev.materialized {
                    ddl::Relation::MaterializedView
                } else {
                    ddl::Relation::View
                };
                if let Some(sql) = ddl::set_reloptions(
                    relation,
                    schema_of(path),
                    &path.name,
                    &av.reloptions,
                    &ev.reloptions,
                ) {
                    let id =
                        self.node(Operation::Alter, path, "options", rank::VIEW, |_| vec![sql]);
                    self.fixes(id, change);
                }
            }
            (Field::View(_), ..) => self.replace(change, true),
            (Field::Sequence(_), Subject::Sequence(es), Subject::Sequence(as_)) => {
                self.sequence(change, es, as_)
            }
            (Field::Function(f), Subject::Function(ef), Subject::Function(af)) => {
                self.function(change, f, ef, af)
            }
            (Field::Type, Subject::Type(et), Subject::Type(at)) => self.user_type(change, et, at),
            (Field::Defined, ..) => {
                // Its dependents are dropped and made again, but a column cannot be: its
                // values would go with it.
                let path = self.actual_path(&change.path);
                let side = self.act();
                let column = (self.actual.dependencies.iter()).find(|d| {
                    d.to == path
                        && !d.auto
                        && d.from.kind == ObjectKind::Column
                        && side.holder_table(&d.from).is_some()
                });
                if let Some(d) = column {
                    let reason = format!(
                        "column {} uses it: PostgreSQL cannot change a {} in place, nor drop it \
                         while a column uses it; move the column off it, recreate it, and move \
                         the column back",
                        d.from,
                        path.kind.noun()
                    );
                    return self.not_planned(change, reason);
                }
                // What cannot be made again (a subscription) is not dropped either.
                let expected = self.exp().0.defined(&change.path);
                if let Some(reason) = expected.and_then(|d| d.unplannable.clone()) {
                    return self.not_planned(change, reason);
                }
                self.replace(change, true)
            }
            (Field::Extension, Subject::Extension(ee), Subject::Extension(ae)) => {
                let path = &change.path;
                let name = path.name.clone();
                let mut sql = Vec::new();
                if ee.version != ae.version {
                    sql.push(ddl::alter_extension_update(&name, &ee.version));
                }
                if ee.schema != ae.schema {
                    sql.push(ddl::alter_extension_set_schema(&name, &ee.schema));
                }
                let id = self.node(Operation::Alter, path, "", rank::EXTENSION, |_| sql);
                self.hazard(id, &[Hazard::ExtensionUpgrade]);
                self.fixes(id, change);
            }
            _ => self.not_planned(change, "pgdrift does not plan this change yet"),
        }
    }

    /// Drop the object and create it from the expected side; with `invalidates`, its
    /// dependents are dropped before and recreated after.
    fn replace(&mut self, change: &Change<'_>, invalidates: bool) {
        let path = self.actual_path(&change.path);
        let expected_path = self.expected_path(&change.path);
        let drop = match self.drop_tree(&path, Operation::Drop, &[]) {
            Ok(id) => id,
            Err(e) => return self.not_planned(change, e),
        };
        let create = match self.create_tree(&expected_path, Operation::Create, &[]) {
            Ok(id) => id,
            Err(e) => return self.not_planned(change, e),
        };
        self.fixes(drop, change);
        self.fixes(create, change);
        self.edge(drop, create, format!("{path} is replaced"));
        if invalidates {
            self.invalidations.push(Invalidation {
                object: path.clone(),
                first: drop,
                last: create,
                why: format!("{} {path} (replaced)", path.kind.noun()),
                columns: true,
            });
        }
    }

    fn table_property(&mut self, change: &Change<'_>, f: TableField, e: &Table, a: &Table) {
        let path = &change.path;
        let (schema, name) = (schema_of(path).to_string(), path.name.clone());
        if matches!(f, TableField::ReplicaIdentity | TableField::Cluster) {
            let mark = match f {
                TableField::ReplicaIdentity => Mark::ReplicaIdentity,
                _ => Mark::Cluster,
            };
            let id = self.index_mark(path, e, mark);
            self.fixes(id, change);
            return;
        }
        let (sql, hazards): (Vec<String>, Vec<Hazard>) = match f {
            TableField::Persistence => (
                vec![ddl::set_persistence(&schema, &name, e.persistence)],
                vec![Hazard::RewritesTable, Hazard::AccessExclusiveLock],
            ),
            TableField::PartitionKey => {
                if !self.options.allow_destructive {
                    return self.not_planned(
                        change,
                        "destructive: changing how a table is partitioned drops it and creates \
                         it again (copy the rows yourself, or plan it with --allow-destructive: \
                         apply keeps the old table in the backup schema)",
                    );
                }
                self.replace(change, true);
                if let Some(&id) = self.created.get(path) {
                    self.replaced_tables.insert(path.clone(), id);
                }
                return;
            }
            TableField::PartitionParent | TableField::PartitionBound | TableField::Inheritance => {
                // Detached first, attached last: in between, the table's own changes make it
                // fit its new parent (see `family_edges`).
                let mut detach = Vec::new();
                let mut attach = Vec::new();
                if a.partition_of != e.partition_of || a.partition_bound != e.partition_bound {
                    if let Some(parent) = &a.partition_of {
                        detach.push(ddl::detach_partition(parent, &schema, &name));
                    }
                    if let (Some(parent), Some(bound)) = (&e.partition_of, &e.partition_bound) {
                        attach.push(ddl::attach_partition(parent, &schema, &name, bound));
                    }
                }
                for parent in a.inherits.iter().filter(|p| !e.inherits.contains(p)) {
                    detach.push(ddl::no_inherit(&schema, &name, parent));
                }
                for parent in e.inherits.iter().filter(|p| !a.inherits.contains(p)) {
                    attach.push(ddl::inherit(&schema, &name, parent));
                }
                for (part, rank, sql) in [
                    ("detach", rank::TABLE_PROPERTY, detach),
                    ("attach", rank::ATTACH, attach),
                ] {
                    if sql.is_empty() {
                        continue;
                    }
                    let id = self.node(Operation::Alter, path, part, rank, |_| sql);
                    self.hazard(id, &[Hazard::AccessExclusiveLock]);
                    if part == "attach" {
                        self.hazard(id, &[Hazard::ScansTable]);
                        for parent in e.partition_of.iter().chain(&e.inherits) {
                            if let [s, n] = split_qualified(parent).as_slice() {
                                self.after_made
                                    .push((id, ObjectPath::in_schema(ObjectKind::Table, s, n)));
                            }
                        }
                    }
                    self.fixes(id, change);
                }
                return;
            }
            TableField::RowSecurity => (
                vec![ddl::set_row_level_security(&schema, &name, e.rls_enabled)],
                vec![Hazard::AuthorizationChange],
            ),
            TableField::ForcedRowSecurity => (
                vec![ddl::set_row_level_security_forced(
                    &schema,
                    &name,
                    e.rls_forced,
                )],
                vec![Hazard::AuthorizationChange],
            ),
            TableField::StorageParameters => (
                ddl::set_reloptions(
                    ddl::Relation::Table,
                    &schema,
                    &name,
                    &a.reloptions,
                    &e.reloptions,
                )
                .into_iter()
                .collect(),
                vec![Hazard::AccessExclusiveLock],
            ),
            TableField::AccessMethod => (
                vec![ddl::set_access_method(
                    &schema,
                    &name,
                    e.access_method.as_deref(),
                )],
                vec![Hazard::RewritesTable, Hazard::AccessExclusiveLock],
            ),
            TableField::Tablespace => (
                vec![ddl::set_tablespace(
                    "TABLE",
                    &schema,
                    &name,
                    e.tablespace.as_deref(),
                )],
                vec![Hazard::RewritesTable, Hazard::AccessExclusiveLock],
            ),
            // Marks of an index: above.
            TableField::ReplicaIdentity | TableField::Cluster => return,
            // CockroachDB's: never planned (see `plan::plan`).
            TableField::Locality | TableField::Families => return,
        };
        let part = match f {
            TableField::Persistence => "persistence",
            TableField::PartitionKey => "partition key",
            TableField::PartitionParent | TableField::PartitionBound | TableField::Inheritance => {
                "partition"
            }
            TableField::RowSecurity => "row security",
            TableField::ForcedRowSecurity => "forced row security",
            TableField::StorageParameters => "storage",
            TableField::AccessMethod => "access method",
            TableField::Tablespace => "tablespace",
            TableField::ReplicaIdentity => "replica identity",
            TableField::Cluster => "cluster",
            TableField::Locality | TableField::Families => "cockroachdb",
        };
        let id = self.node(Operation::Alter, path, part, rank::TABLE_PROPERTY, |_| sql);
        self.hazard(id, &hazards);
        self.fixes(id, change);
        if let Some(parent) = &e.partition_of
            && let [s, n] = split_qualified(parent).as_slice()
        {
            self.after_made
                .push((id, ObjectPath::in_schema(ObjectKind::Table, s, n)));
        }
    }

    /// The step that gives `table` (whose model is `t`) its replica identity or CLUSTER index
    /// as `t` has it, after the index it names is made; one step whoever asks (the table's
    /// change, the table made, the index made again).
    fn index_mark(&mut self, table: &ObjectPath, t: &Table, mark: Mark) -> NodeId {
        let (schema, name) = (schema_of(table).to_string(), table.name.clone());
        let (part, sql, index, hazards) = match mark {
            Mark::ReplicaIdentity => (
                "replica identity",
                ddl::set_replica_identity(&schema, &name, &t.replica_identity),
                t.replica_identity.index(),
                vec![Hazard::AccessExclusiveLock],
            ),
            Mark::Cluster => (
                "cluster",
                ddl::set_cluster(&schema, &name, t.cluster_on.as_deref()),
                t.cluster_on.as_deref(),
                vec![],
            ),
        };
        let id = self.node(Operation::Alter, table, part, rank::INDEX_MARK, |_| {
            vec![sql]
        });
        self.hazard(id, &hazards);
        self.after_made.push((id, table.clone()));
        if let Some(index) = index {
            for kind in [ObjectKind::Index, ObjectKind::Constraint] {
                self.after_made.push((id, child_path(table, kind, index)));
            }
        }
        id
    }

    /// `ALTER MATERIALIZED VIEW ... CLUSTER ON` (or `SET WITHOUT CLUSTER`), after the index it
    /// names is made.
    fn view_cluster(&mut self, view: &ObjectPath, index: Option<&str>) -> NodeId {
        let sql = ddl::set_view_cluster(schema_of(view), &view.name, index);
        let id = self.node(Operation::Alter, view, "cluster", rank::INDEX_MARK, |_| {
            vec![sql]
        });
        self.after_made.push((id, view.clone()));
        if let Some(index) = index {
            self.after_made
                .push((id, child_path(view, ObjectKind::Index, index)));
        }
        id
    }

    /// A table made, or an index of it made (again): the marks `t` puts on its indexes
    /// (`index`: only those naming this one), which a new table or index lacks.
    fn index_marks(&mut self, table: &ObjectPath, t: &Table, index: Option<&str>) {
        let replica = match index {
            None => t.replica_identity != ReplicaIdentity::Default,
            Some(i) => t.replica_identity.index() == Some(i),
        };
        let cluster =
            t.cluster_on.is_some() && index.is_none_or(|i| t.cluster_on.as_deref() == Some(i));
        for (mark, wanted) in [(Mark::ReplicaIdentity, replica), (Mark::Cluster, cluster)] {
            if wanted {
                let id = self.index_mark(table, t, mark);
                if self.nodes[id].reason.is_empty() && self.nodes[id].fixes.is_empty() {
                    let what = match mark {
                        Mark::ReplicaIdentity => "replica identity",
                        Mark::Cluster => "CLUSTER ON index",
                    };
                    self.nodes[id].reason = vec![format!("table {table} is made with its {what}")];
                }
            }
        }
    }

    /// Whether the expected table marks this index (of `path`) as its replica identity or its
    /// CLUSTER index.
    fn marked_index(&self, path: &ObjectPath) -> bool {
        self.exp().holder_table(path).is_some_and(|t| {
            t.replica_identity.index() == Some(path.name.as_str())
                || t.cluster_on.as_deref() == Some(path.name.as_str())
        })
    }

    fn column(&mut self, change: &Change<'_>, e: &Column, a: &Column) {
        let path = change.path.clone();
        let (schema, table, name) = (
            schema_of(&path).to_string(),
            parent_of(&path).to_string(),
            path.name.clone(),
        );
        match change.rule {
            RuleId::ColumnType | RuleId::ColumnCollation => {
                if e.generated.is_some() || a.generated.is_some() {
                    // A generated column's type follows its expression: recreate it.
                    return self.recreate_column(change);
                }
                let narrowing = !widening(&a.data_type, &e.data_type);
                if self.type_change_held(e, a) {
                    return self.not_planned(
                        change,
                        format!(
                            "destructive: {} → {} may lose or reject values; plan it with \
                             --allow-destructive",
                            a.data_type, e.data_type
                        ),
                    );
                }
                // An enum has no cast to another type but through text.
                let enum_type = |side: &Side<'_>, t: &str| {
                    let base = t.strip_suffix("[]").unwrap_or(t);
                    match split_qualified(base).as_slice() {
                        [s, n] => side
                            .user_type(&ObjectPath::in_schema(ObjectKind::Type, s, n))
                            .is_some_and(|t| matches!(t.definition, TypeDefinition::Enum { .. })),
                        _ => false,
                    }
                };
                let using = (enum_type(&self.act(), &a.data_type)
                    || enum_type(&self.exp(), &e.data_type))
                .then(|| {
                    let col = crate::model::quote_ident(&name);
                    let text = if e.data_type.ends_with("[]") {
                        "text[]"
                    } else {
                        "text"
                    };
                    format!("{col}::{text}::{}", e.data_type)
                });
                let id = self.node(Operation::Alter, &path, "type", rank::COLUMN_TYPE, |_| {
                    vec![ddl::alter_column_type(
                        &schema,
                        &table,
                        &name,
                        e,
                        using.as_deref(),
                    )]
                });
                self.fixes(id, change);
                let mut hazards = vec![Hazard::AccessExclusiveLock];
                if !binary_coercible(&a.data_type, &e.data_type) || a.collation != e.collation {
                    hazards.push(Hazard::RewritesTable);
                }
                if narrowing {
                    hazards.push(Hazard::DataDependent);
                }
                let qualified_table = crate::model::qualified(&schema, &table);
                if self.nodes[id].checks.is_empty() {
                    self.nodes[id].checks.push(PreCheck::Casts {
                        table: qualified_table.clone(),
                        column: crate::model::quote_ident(&name),
                        to: e.data_type.clone(),
                    });
                    self.nodes[id].checks.push(PreCheck::Size {
                        table: qualified_table,
                    });
                }
                self.hazard(id, &hazards);
                // A new type comes with its own storage (and compression): set again after.
                if e.storage.is_some() {
                    let storage = e.storage.clone();
                    self.column_step(&path, "storage", rank::COLUMN_SETTINGS, |s| {
                        ddl::set_column_storage(&s.0, &s.1, &s.2, storage.as_deref())
                    });
                }
                if e.compression.is_some() {
                    let compression = e.compression.clone();
                    self.column_step(&path, "compression", rank::COLUMN_SETTINGS, |s| {
                        ddl::set_column_compression(&s.0, &s.1, &s.2, compression.as_deref())
                    });
                }
                self.role_of(id, Role::Invalidates, &path);
                self.role_of(id, Role::Makes, &path);
                self.role_of(id, Role::Acquires, &path);
                self.role_of(id, Role::Releases, &path);
                self.invalidations.push(Invalidation {
                    object: path.clone(),
                    first: id,
                    last: id,
                    why: format!("column {path} (type change)"),
                    columns: false,
                });
                // A default written for the old type (`'x'::old_type`) may not cast: drop it
                // first, set it again after. Plain literals and calls cast by themselves.
                // The expected default may differ only by that cast, which the comparison
                // ignores (and normalizing may have written the actual one as the expected
                // one): a default that names either type is set again all the same.
                let new_type = type_parts(&e.data_type).0;
                if a.default.is_some()
                    && e.default.as_deref().is_some_and(|d| {
                        d.contains(&format!("::{new_type}"))
                            || a.default
                                .as_deref()
                                .is_some_and(|d| d.contains(&a.data_type))
                    })
                {
                    let default = e.default.clone().unwrap_or_default();
                    let drop =
                        self.column_step(&path, "drop default", rank::COLUMN_DROP_DEFAULT, |s| {
                            ddl::drop_column_default(&s.0, &s.1, &s.2)
                        });
                    let set =
                        self.column_step(&path, "set default", rank::COLUMN_SET_DEFAULT, |s| {
                            ddl::set_column_default(&s.0, &s.1, &s.2, &default)
                        });
                    self.role_of(drop, Role::Releases, &path);
                    self.role_of(set, Role::Acquires, &path);
                }
            }
            RuleId::ColumnNullable => {
                let (part, rank, sql, hazards) = if e.not_null {
                    (
                        "set not null",
                        rank::COLUMN_SET_NOT_NULL,
                        ddl::set_column_not_null(&schema, &table, &name),
                        vec![
                            Hazard::ScansTable,
                            Hazard::AccessExclusiveLock,
                            Hazard::DataDependent,
                        ],
                    )
                } else {
                    (
                        "drop not null",
                        rank::COLUMN_NULLABLE,
                        ddl::drop_column_not_null(&schema, &table, &name),
                        vec![Hazard::AccessExclusiveLock],
                    )
                };
                let id = self.node(Operation::Alter, &path, part, rank, |_| vec![sql]);
                if e.not_null && self.nodes[id].checks.is_empty() {
                    self.nodes[id].checks.push(PreCheck::Nulls {
                        table: crate::model::qualified(&schema, &table),
                        column: crate::model::quote_ident(&name),
                    });
                }
                self.hazard(id, &hazards);
                self.fixes(id, change);
            }
            RuleId::ColumnDefault => {
                if e.identity.is_some() && a.default.is_some() && e.default.is_none() {
                    // serial → identity: the default goes before the identity comes.
                    let id =
                        self.column_step(&path, "drop default", rank::COLUMN_DROP_DEFAULT, |s| {
                            ddl::drop_column_default(&s.0, &s.1, &s.2)
                        });
                    self.fixes(id, change);
                    self.role_of(id, Role::Releases, &path);
                    return;
                }
                match &e.default {
                    Some(default) => {
                        let default = default.clone();
                        let id =
                            self.column_step(&path, "set default", rank::COLUMN_SET_DEFAULT, |s| {
                                ddl::set_column_default(&s.0, &s.1, &s.2, &default)
                            });
                        self.fixes(id, change);
                        self.role_of(id, Role::Acquires, &path);
                        self.role_of(id, Role::Releases, &path);
                    }
                    None => {
                        let id = self.column_step(
                            &path,
                            "drop default",
                            rank::COLUMN_DROP_DEFAULT,
                            |s| ddl::drop_column_default(&s.0, &s.1, &s.2),
                        );
                        self.fixes(id, change);
                        self.role_of(id, Role::Releases, &path);
                    }
                }
            }
            RuleId::ColumnIdentity => match (e.identity, a.identity) {
                (Some(identity), None) => {
                    let options = e.identity_options();
                    let id = self.column_step(&path, "add identity", rank::COLUMN_IDENTITY, |s| {
                        ddl::add_identity(&s.0, &s.1, &s.2, identity, &options)
                    });
                    // Keys already handed out must not come again.
                    let next = if options == Default::default() {
                        format!("coalesce(max({}), 0) + 1", crate::model::quote_ident(&name))
                    } else {
                        format!(
                            "coalesce(max({}) + 1, {})",
                            crate::model::quote_ident(&name),
                            options.values(&e.data_type).start
                        )
                    };
                    let restart = format!(
                        "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), \
                         {next}, false) FROM {};",
                        ddl::literal(&crate::model::qualified(&schema, &table)),
                        ddl::literal(&name),
                        crate::model::qualified(&schema, &table)
                    );
                    self.nodes[id].sql.push(restart);
                    self.hazard(id, &[Hazard::AccessExclusiveLock, Hazard::ScansTable]);
                    self.fixes(id, change);
                }
                (Some(identity), Some(_)) => {
                    let id = self.column_step(&path, "set identity", rank::COLUMN_IDENTITY, |s| {
                        ddl::set_identity(&s.0, &s.1, &s.2, identity)
                    });
                    self.fixes(id, change);
                }
                (None, Some(_)) => {
                    let id =
                        self.column_step(&path, "drop identity", rank::COLUMN_DROP_IDENTITY, |s| {
                            ddl::drop_identity(&s.0, &s.1, &s.2)
                        });
                    self.hazard(id, &[Hazard::AccessExclusiveLock]);
                    self.fixes(id, change);
                }
                (None, None) => {}
            },
            RuleId::ColumnStorage => {
                let storage = e.storage.clone();
                let id = self.column_step(&path, "storage", rank::COLUMN_SETTINGS, |s| {
                    ddl::set_column_storage(&s.0, &s.1, &s.2, storage.as_deref())
                });
                self.fixes(id, change);
            }
            RuleId::ColumnCompression => {
                let compression = e.compression.clone();
                let id = self.column_step(&path, "compression", rank::COLUMN_SETTINGS, |s| {
                    ddl::set_column_compression(&s.0, &s.1, &s.2, compression.as_deref())
                });
                self.fixes(id, change);
            }
            RuleId::ColumnOptions => {
                let (from, to) = (a.options.clone(), e.options.clone());
                let id = self.column_step(&path, "options", rank::COLUMN_SETTINGS, |s| {
                    ddl::set_column_options(&s.0, &s.1, &s.2, &from, &to)
                });
                self.fixes(id, change);
            }
            RuleId::ColumnStatistics => {
                let id = self.column_step(&path, "statistics", rank::COLUMN_SETTINGS, |s| {
                    ddl::set_column_statistics(&s.0, &s.1, &s.2, e.statistics)
                });
                self.fixes(id, change);
            }
            RuleId::ColumnIdentityOptions => {
                let values = e.identity_options().values(&e.data_type);
                let id = self.column_step(&path, "identity options", rank::COLUMN_SETTINGS, |s| {
                    ddl::set_identity_options(&s.0, &s.1, &s.2, &values)
                });
                // The sequence's current value stays: new bounds it is outside of fail.
                self.hazard(id, &[Hazard::DataDependent]);
                self.fixes(id, change);
            }
            RuleId::ColumnGenerated => {
                if e.generated.is_none() {
                    let id = self.column_step(
                        &path,
                        "drop expression",
                        rank::COLUMN_DROP_EXPRESSION,
                        |s| ddl::drop_expression(&s.0, &s.1, &s.2),
                    );
                    self.hazard(id, &[Hazard::AccessExclusiveLock]);
                    self.fixes(id, change);
                    self.role_of(id, Role::Releases, &path);
                } else {
                    self.recreate_column(change);
                }
            }
            _ => self.not_planned(change, "pgdrift does not plan this change yet"),
        }
    }

    /// Whether a column's type change is destructive and not allowed.
    fn type_change_held(&self, e: &Column, a: &Column) -> bool {
        e.generated.is_none()
            && a.generated.is_none()
            && !self.options.allow_destructive
            && !widening(&a.data_type, &e.data_type)
    }

    /// The column whose type change is not planned that a constraint, index, view, policy or
    /// trigger of the actual side is defined on: its definition differs because of that type
    /// (a cast deparsed), and cannot be made to match while the type stays.
    fn on_held_column(&self, path: &ObjectPath) -> Option<ObjectPath> {
        if self.held_columns.is_empty() {
            return None;
        }
        let path = self.actual_path(path);
        self.actual
            .dependencies
            .iter()
            .filter(|d| self.actual_path(&d.from) == path)
            .map(|d| d.to.clone())
            .find(|to| self.held_columns.contains(to))
    }

    /// One ALTER COLUMN step of a column, chained after the column's earlier steps.
    fn column_step(
        &mut self,
        path: &ObjectPath,
        part: &'static str,
        rank: u16,
        sql: impl FnOnce(&(String, String, String)) -> String,
    ) -> NodeId {
        let names = (
            schema_of(path).to_string(),
            parent_of(path).to_string(),
            path.name.clone(),
        );
        let id = self.node(Operation::Alter, path, part, rank, |_| vec![sql(&names)]);
        self.hazard(id, &[Hazard::AccessExclusiveLock]);
        id
    }

    /// Drop a column and add it again from the expected side (a generated column whose
    /// expression changed: its values are computed again).
    fn recreate_column(&mut self, change: &Change<'_>) {
        let path = change.path.clone();
        let was_generated = self
            .act()
            .column(&path)
            .is_some_and(|c| c.generated.is_some());
        if !was_generated && !self.options.allow_destructive {
            return self.not_planned(
                change,
                "destructive: turning a plain column into a generated one drops its values; \
                 plan it with --allow-destructive",
            );
        }
        let drop = match self.drop_one(&path, Operation::Drop) {
            Ok(id) => id,
            Err(e) => return self.not_planned(change, e),
        };
        if was_generated {
            self.nodes[drop].hazards.remove(&Hazard::DeletesData);
        }
        let create = match self.create_one(&self.exp(), &path, Operation::Create) {
            Ok(id) => id,
            Err(e) => return self.not_planned(change, e),
        };
        self.fixes(drop, change);
        self.fixes(create, change);
        self.edge(drop, create, format!("column {path} is replaced"));
        self.invalidations.push(Invalidation {
            object: path.clone(),
            first: drop,
            last: create,
            why: format!("column {path} (recreated)"),
            columns: true,
        });
        // DROP COLUMN takes the column's indexes and constraints with it: made again after.
        let own: Vec<ObjectPath> = (self.actual.dependencies.iter())
            .filter(|d| d.auto && d.to == path)
            .map(|d| d.from.clone())
            .filter(|f| {
                matches!(f.kind, ObjectKind::Index | ObjectKind::Constraint)
                    && f.parent == path.parent
                    && f.schema == path.schema
            })
            .collect();
        for object in own {
            if !self.exp().has(&object) {
                continue;
            }
            let why = vec![format!(
                "{} {object} goes with column {path}",
                object.kind.noun()
            )];
            if let Ok(id) = self.create_one(&self.exp(), &object, Operation::Recreate) {
                if self.nodes[id].reason.is_empty() && self.nodes[id].fixes.is_empty() {
                    self.nodes[id].reason = why;
                }
                self.created.insert(object.clone(), id);
                self.edge(
                    create,
                    id,
                    format!("{object} is made again on column {path}"),
                );
            }
        }
    }

    fn sequence(&mut self, change: &Change<'_>, e: &Sequence, a: &Sequence) {
        let path = &change.path;
        if e.owned_by != a.owned_by {
            let fixes = [fix(change)];
            self.owned_by(path, e.owned_by.as_deref(), &fixes);
        }
        let mut without_owner = a.clone();
        without_owner.owned_by = e.owned_by.clone();
        if let Some(sql) = ddl::alter_sequence(schema_of(path), &path.name, &without_owner, e) {
            let id = self.node(Operation::Alter, path, "", rank::SEQUENCE, |_| vec![sql]);
            self.fixes(id, change);
        }
    }

    fn function(&mut self, change: &Change<'_>, f: FunctionField, e: &Function, a: &Function) {
        let path = change.path.clone();
        let signature_changes = matches!(
            f,
            FunctionField::Kind | FunctionField::Arguments | FunctionField::Returns
        ) || e.kind == FunctionKind::Aggregate
            || e.arguments != a.arguments
            || e.returns != a.returns
            || e.kind != a.kind;
        if signature_changes {
            return self.replace(change, true);
        }
        let schema = schema_of(&path).to_string();
        let key = path.name.clone();
        if f == FunctionField::Extensions {
            let sql =
                ddl::depends_on_extensions(&schema, &key, e.kind, &a.extensions, &e.extensions);
            let id = self.node(
                Operation::Alter,
                &path,
                "extensions",
                rank::FUNCTION,
                |_| sql,
            );
            return self.fixes(id, change);
        }
        match ddl::create_or_replace_function(&schema, &key, e) {
            Ok(sql) => {
                let id = self.node(Operation::Alter, &path, "", rank::FUNCTION, |_| vec![sql]);
                self.fixes(id, change);
                if untracked_body(e) {
                    self.hazard(id, &[Hazard::UntrackedDependencies]);
                    self.nodes[id].unchecked_body = true;
                }
                self.role_of(id, Role::Makes, &path);
                self.role_of(id, Role::Acquires, &path);
                self.role_of(id, Role::Releases, &path);
            }
            Err(e) => self.ddl_error(change, e),
        }
    }

    fn user_type(&mut self, change: &Change<'_>, e: &Type, a: &Type) {
        let path = change.path.clone();
        let schema = schema_of(&path).to_string();
        let name = path.name.clone();
        match (&e.definition, &a.definition) {
            (TypeDefinition::Enum { labels: el }, TypeDefinition::Enum { labels: al }) => {
                if let Some(additions) = added_labels(al, el) {
                    for (label, position) in additions {
                        let sql =
                            ddl::add_enum_value(&schema, &name, &label, label_position(&position));
                        let part = format!("add value {label}");
                        let id = self.node(Operation::Alter, &path, part, 0, |_| vec![sql]);
                        self.nodes[id].phase = Phase::PreCommit;
                        self.hazard(id, &[Hazard::NonTransactional]);
                        self.fixes(id, change);
                    }
                } else {
                    self.recreate_enum(change, e, a);
                }
            }
            (
                TypeDefinition::Domain {
                    base_type: eb,
                    not_null: en,
                    default: ed,
                    collation: ec,
                    constraints: ek,
                },
                TypeDefinition::Domain {
                    base_type: ab,
                    not_null: an,
                    default: ad,
                    collation: ac,
                    constraints: ak,
                },
            ) => {
                if eb != ab || ec != ac {
                    return self.not_planned(
                        change,
                        "changing a domain's base type or collation needs a new domain and a \
                         data migration of every column that uses it",
                    );
                }
                let mut sql = Vec::new();
                let mut hazards = Vec::new();
                if ed != ad {
                    sql.push(match ed {
                        Some(d) => ddl::set_domain_default(&schema, &name, d),
                        None => ddl::drop_domain_default(&schema, &name),
                    });
                }
                if en != an {
                    sql.push(if *en {
                        hazards.extend([Hazard::ScansTable, Hazard::DataDependent]);
                        ddl::set_domain_not_null(&schema, &name)
                    } else {
                        ddl::drop_domain_not_null(&schema, &name)
                    });
                }
                for (constraint, definition) in ak {
                    if ek.get(constraint) != Some(definition) {
                        sql.push(ddl::drop_domain_constraint(&schema, &name, constraint));
                    }
                }
                for (constraint, definition) in ek {
                    if ak.get(constraint) != Some(definition) {
                        hazards.extend([Hazard::ScansTable, Hazard::DataDependent]);
                        sql.push(ddl::add_domain_constraint(
                            &schema, &name, constraint, definition,
                        ));
                    }
                }
                let id = self.node(Operation::Alter, &path, "", rank::TYPE, |_| sql);
                self.hazard(id, &hazards);
                self.fixes(id, change);
            }
            (
                TypeDefinition::Composite { attributes: ea },
                TypeDefinition::Composite { attributes: aa },
            ) if composite_changes(aa, ea).is_some_and(|changes| {
                self.column_of_type(&path).is_none()
                    || !changes
                        .iter()
                        .any(|c| matches!(c, ddl::AttributeChange::SetType(..)))
            }) =>
            {
                // Attributes are added (last) and dropped in place, and retyped while no column
                // has the type: values in columns keep the attributes that stay.
                let changes = composite_changes(aa, ea).unwrap_or_default();
                let sql = ddl::alter_composite(&schema, &name, &changes);
                let id = self.node(Operation::Alter, &path, "", rank::TYPE, |_| vec![sql]);
                self.fixes(id, change);
                if changes
                    .iter()
                    .any(|c| !matches!(c, ddl::AttributeChange::Add(..)))
                {
                    self.hazard(id, &[Hazard::DeletesData]);
                }
            }
            _ => {
                if let Some(column) = self.column_of_type(&path) {
                    return self.not_planned(
                        change,
                        format!(
                            "column {column} has this type: PostgreSQL cannot change a \
                             composite or range type in place (migrate the column by hand)"
                        ),
                    );
                }
                self.replace(change, true);
            }
        }
    }

    /// A column of the actual side whose type is `path` (or an array of it), if there is one.
    fn column_of_type(&self, path: &ObjectPath) -> Option<ObjectPath> {
        self.columns_of_type(path).into_iter().next()
    }

    fn columns_of_type(&self, path: &ObjectPath) -> Vec<ObjectPath> {
        let name = crate::model::qualified(schema_of(path), &path.name);
        let array = format!("{name}[]");
        let mut out = Vec::new();
        for (schema, ns) in &self.actual.schemas {
            for (table, t) in &ns.tables {
                for (column, c) in &t.columns {
                    if c.data_type == name || c.data_type == array {
                        out.push(ObjectPath::child(ObjectKind::Column, schema, table, column));
                    }
                }
            }
        }
        out
    }

    /// Labels removed or reordered: rename the old type, create the new one, move every
    /// column over through text, drop the old type. Domains and composite types over the enum
    /// (and over those) would keep the old one: they are renamed, made again and have their
    /// columns moved the same way.
    fn recreate_enum(&mut self, change: &Change<'_>, e: &Type, a: &Type) {
        let path = change.path.clone();
        let mut types = vec![path.clone()];
        let mut i = 0;
        while i < types.len() {
            let t = types[i].clone();
            i += 1;
            for d in &self.actual.dependencies {
                if d.to == t
                    && d.from.kind == ObjectKind::Type
                    && !types.contains(&d.from)
                    && self.exp().user_type(&d.from).is_some()
                {
                    types.push(d.from.clone());
                }
            }
        }
        let mut made: Vec<(ObjectPath, NodeId, NodeId)> = Vec::new();
        for (k, t) in types.iter().enumerate() {
            let (et, at) = if k == 0 {
                (e.clone(), a.clone())
            } else {
                match (self.exp().user_type(t), self.act().user_type(t)) {
                    (Some(et), Some(at)) => (et.clone(), at.clone()),
                    _ => continue,
                }
            };
            let why = if k == 0 {
                format!("type {t} (labels removed or reordered)")
            } else {
                format!("type {t} (over type {path}, whose labels change)")
            };
            let (create, drop_old) = self.move_type(t, &et, &at, (k == 0).then_some(change), why);
            for (u, u_create, u_drop_old) in &made {
                let over = self
                    .actual
                    .dependencies
                    .iter()
                    .any(|d| &d.from == t && &d.to == u);
                if over {
                    self.edge(*u_create, create, format!("type {t} is made over type {u}"));
                    self.edge(
                        drop_old,
                        *u_drop_old,
                        format!("the old {t} is over the old {u}"),
                    );
                }
            }
            if k > 0 {
                self.moved_types.insert(t.clone());
            }
            made.push((t.clone(), create, drop_old));
        }
    }

    /// Rename a type out of the way, make its expected version, move its columns over through
    /// text and drop the old one: returns (create, drop old).
    fn move_type(
        &mut self,
        path: &ObjectPath,
        e: &Type,
        a: &Type,
        change: Option<&Change<'_>>,
        why: String,
    ) -> (NodeId, NodeId) {
        let schema = schema_of(path).to_string();
        let name = path.name.clone();
        let old_name = format!("{name}__pgdrift_old");
        let rename = self.node(Operation::Alter, path, "rename old", rank::TYPE, |_| {
            vec![ddl::rename_type(&schema, &name, &a.definition, &old_name)]
        });
        if let Some(change) = change {
            self.fixes(rename, change);
        } else {
            self.nodes[rename].reason = vec![why.clone()];
        }
        self.hazard(
            rename,
            &[Hazard::RecreatesDependents, Hazard::DataDependent],
        );
        let mut create_sql = ddl::create_type(&schema, &name, e);
        create_sql.extend(self.replay_access(
            &self.exp(),
            path,
            Some(&e.owner),
            &e.grants,
            e.comment.as_deref(),
        ));
        let create = self.node(Operation::Create, path, "new", rank::TYPE, |_| create_sql);
        self.edge(
            rename,
            create,
            format!("type {path} is renamed before its new version"),
        );
        self.role_of(create, Role::Makes, path);
        let drop_old = self.node(Operation::Drop, path, "old", rank::DROP_OLD_TYPE, |_| {
            vec![ddl::drop_type(&schema, &old_name, &a.definition)]
        });
        let qualified_new = crate::model::qualified(&schema, &name);
        for column in self.columns_of_type(path) {
            let Some(c) = self.act().column(&column) else {
                continue;
            };
            let array = c.data_type.ends_with("[]");
            let target = if array {
                format!("{qualified_new}[]")
            } else {
                qualified_new.clone()
            };
            let col = crate::model::quote_ident(&column.name);
            let using = if array {
                format!("{col}::text[]::{target}")
            } else {
                format!("{col}::text::{target}")
            };
            let (cs, ct) = (
                schema_of(&column).to_string(),
                parent_of(&column).to_string(),
            );
            let mut sql = Vec::new();
            if c.default.is_some() {
                sql.push(ddl::drop_column_default(&cs, &ct, &column.name));
            }
            let mut typed = c.clone();
            typed.data_type = target.clone();
            sql.push(ddl::alter_column_type(
                &cs,
                &ct,
                &column.name,
                &typed,
                Some(&using),
            ));
            if let Some(default) = self.exp().column(&column).and_then(|ec| ec.default.clone()) {
                sql.push(ddl::set_column_default(&cs, &ct, &column.name, &default));
            }
            let id = self.node(
                Operation::Alter,
                &column,
                "enum type",
                rank::COLUMN_TYPE,
                |_| sql,
            );
            self.hazard(
                id,
                &[
                    Hazard::RewritesTable,
                    Hazard::AccessExclusiveLock,
                    Hazard::DataDependent,
                ],
            );
            self.nodes[id].reason = vec![format!("column {column} uses type {path}")];
            if let TypeDefinition::Enum { labels } = &e.definition
                && self.nodes[id].checks.is_empty()
            {
                self.nodes[id].checks.push(PreCheck::RemovedLabels {
                    table: crate::model::qualified(&cs, &ct),
                    column: col.clone(),
                    kept: labels.clone(),
                });
            }
            self.edge(
                create,
                id,
                format!("column {column} moves to the new type {path}"),
            );
            self.edge(
                id,
                drop_old,
                format!("column {column} leaves the old type {path}"),
            );
            self.role_of(id, Role::Invalidates, &column);
            self.role_of(id, Role::Makes, &column);
            self.invalidations.push(Invalidation {
                object: column.clone(),
                first: id,
                last: id,
                why: format!("column {column} (type {path} recreated)"),
                columns: false,
            });
        }
        self.edge(create, drop_old, format!("type {path} is replaced"));
        self.invalidations.push(Invalidation {
            object: path.clone(),
            first: rename,
            last: drop_old,
            why,
            columns: false,
        });
        (create, drop_old)
    }

    // ---- owners, grants, comments ------------------------------------------------------

    fn access(&mut self, change: &Change<'_>) {
        let path = self.expected_path(&change.path);
        // An object created whole already has its owner, grants and comment.
        let whole = self
            .created
            .get(&path)
            .or_else(|| holder(&path).and_then(|h| self.created.get(&h)))
            .copied();
        if let Some(id) = whole
            && self.nodes[id].operation != Operation::Recreate
        {
            self.fixes(id, change);
            return;
        }
        let side = if self.exp().has(&path) {
            self.exp()
        } else {
            self.act()
        };
        let member = |schema: &'a Schema| {
            (schema.extensions.values())
                .flat_map(|e| &e.member_grants)
                .find(|m| m.path == path)
        };
        let member = member(self.expected).or_else(|| member(self.actual));
        let Some(object) = ddl_object(&side, &path).or_else(|| member_object(member?)) else {
            return self.not_planned(change, "this object has no owner, grants or comment");
        };
        let result: Result<AccessStep, DdlError> = match change.detail {
            Detail::Owner { expected, .. } => {
                ddl::owner(&object, &self.role(expected)).map(|sql| {
                    (
                        Operation::Owner,
                        "owner",
                        rank::OWNER,
                        vec![sql],
                        vec![Hazard::AuthorizationChange],
                    )
                })
            }
            Detail::Comment { expected, .. } => Ok((
                Operation::Comment,
                "comment",
                rank::COMMENT,
                vec![ddl::comment(&object, expected)],
                vec![],
            )),
            Detail::Grant {
                grantee,
                privilege,
                expected,
                actual,
            } => {
                let grant = |grantable: bool| Grant {
                    grantee: self.role(grantee),
                    privilege: privilege.to_string(),
                    grantable,
                };
                let sql = match (expected, actual) {
                    (Some(option), None) => ddl::grant(&object, &grant(option)),
                    (None, Some(option)) => ddl::revoke(&object, &grant(option)),
                    (Some(true), Some(false)) => ddl::grant(&object, &grant(true)),
                    _ => ddl::revoke_grant_option(&object, &grant(true)),
                };
                sql.map(|sql| {
                    (
                        Operation::Grant,
                        "grant",
                        rank::GRANT,
                        vec![sql],
                        vec![Hazard::AuthorizationChange],
                    )
                })
            }
            _ => return,
        };
        match result {
            Ok((operation, part, rank, sql, hazards)) => {
                let part = if operation == Operation::Grant {
                    format!("{part} {}", sql.join(" "))
                } else {
                    part.to_string()
                };
                let id = self.node(operation, &path, part, rank, |_| sql);
                self.hazard(id, &hazards);
                self.fixes(id, change);
                let role = match change.detail {
                    Detail::Owner { expected, .. } => Some(self.role(expected)),
                    Detail::Grant { grantee, .. } => Some(self.role(grantee)),
                    _ => None,
                };
                self.needs_roles(id, role.into_iter().collect());
                self.after_made.push((id, path.clone()));
                if let Some(h) = holder(&path) {
                    self.after_made.push((id, h));
                }
            }
            Err(e) => self.ddl_error(change, e),
        }
    }

    // ---- dependents --------------------------------------------------------------------

    /// Drop and recreate every transitive dependent of each invalidated object.
    fn closure(&mut self) {
        let invalidations = std::mem::take(&mut self.invalidations);
        if invalidations.is_empty() {
            return;
        }
        let actual: &'a Schema = self.actual;
        // What needs each object, by reference (a large schema has tens of thousands of
        // edges, and most plans invalidate little); and what needs a column of a relation, by
        // the relation's (schema, name): that needs the relation when it goes as a whole.
        let mut dependents: HashMap<&ObjectPath, Vec<&Dependency>> = HashMap::new();
        let mut by_relation: HashMap<(Option<&str>, &str), Vec<&Dependency>> = HashMap::new();
        for d in &actual.dependencies {
            dependents.entry(&d.to).or_default().push(d);
            if d.to.kind == ObjectKind::Column
                && let Some(relation) = d.to.parent.as_deref()
            {
                let key = (d.to.schema.as_deref(), relation);
                by_relation.entry(key).or_default().push(d);
            }
        }
        // As `holder` names a column's relation: a table, at no parent.
        let needing = |x: &ObjectPath| -> Vec<&Dependency> {
            let mut list = dependents.get(x).cloned().unwrap_or_default();
            if x.kind == ObjectKind::Table && x.parent.is_none() {
                let key = (x.schema.as_deref(), x.name.as_str());
                list.extend(by_relation.get(&key).into_iter().flatten().copied());
            }
            list
        };
        for inv in &invalidations {
            // A drop that is not planned after all (something kept needs it) invalidates
            // nothing.
            if self.nodes[inv.first].sql.is_empty() {
                continue;
            }
            let mut stack: Vec<(ObjectPath, Vec<String>)> =
                vec![(inv.object.clone(), vec![inv.why.clone()])];
            let mut seen: HashSet<ObjectPath> = HashSet::new();
            while let Some((x, chain)) = stack.pop() {
                let key = match x.kind {
                    ObjectKind::View | ObjectKind::MaterializedView => ObjectPath {
                        kind: ObjectKind::Table,
                        ..x.clone()
                    },
                    _ => x.clone(),
                };
                let mut list = needing(&x);
                if key != x {
                    list.extend(needing(&key));
                }
                if list.is_empty() {
                    continue;
                }
                list.sort();
                list.dedup();
                for dep in list {
                    // PostgreSQL carries auto dependents (a table's own indexes and
                    // constraints, owned sequences) through the change itself.
                    if dep.auto {
                        continue;
                    }
                    let d = self.actual_path(&dep.from);
                    if d == inv.object || self.moved_types.contains(&d) || !seen.insert(d.clone()) {
                        continue;
                    }
                    // Part of something dropped whole (a dropped table's own policies and
                    // columns): it goes with it.
                    let dropped_with =
                        self.roles
                            .get(&(Role::Removes, d.clone()))
                            .is_some_and(|ids| {
                                ids.iter().any(|&i| {
                                    self.nodes[i].object != d
                                        && self.nodes[i].operation == Operation::Drop
                                        && !self.nodes[i].sql.is_empty()
                                })
                            });
                    if dropped_with {
                        continue;
                    }
                    let mut reason = vec![format!("{} {d}", d.kind.noun())];
                    reason.extend(chain.iter().cloned());
                    if d.kind == ObjectKind::Column {
                        if inv.columns {
                            self.release_default(&d, inv, &reason);
                        }
                        continue;
                    }
                    if d.kind == ObjectKind::Schema || d.kind == ObjectKind::Extension {
                        continue;
                    }
                    self.recreate(&d, inv, &reason);
                    stack.push((d, reason));
                }
            }
        }
    }

    /// A dependent column's default uses the invalidated object: drop it before, set it again
    /// after.
    fn release_default(&mut self, column: &ObjectPath, inv: &Invalidation, reason: &[String]) {
        let Some(actual) = self.act().column(column) else {
            return;
        };
        if actual.default.is_none() {
            return;
        }
        let drop = self.column_step(column, "drop default", rank::COLUMN_DROP_DEFAULT, |s| {
            ddl::drop_column_default(&s.0, &s.1, &s.2)
        });
        self.role_of(drop, Role::Releases, column);
        self.nodes[drop].reason = join_chain(reason);
        self.edge(drop, inv.first, reason.join(" -> "));
        if let Some(default) = self.exp().column(column).and_then(|c| c.default.clone()) {
            let set = self.column_step(column, "set default", rank::COLUMN_SET_DEFAULT, |s| {
                ddl::set_column_default(&s.0, &s.1, &s.2, &default)
            });
            self.role_of(set, Role::Acquires, column);
            self.nodes[set].reason = join_chain(reason);
            self.edge(inv.last, set, reason.join(" -> "));
            self.edge(drop, set, format!("column {column} gets its default back"));
        }
    }

    /// Drop a dependent before the invalidating change and create it again after.
    fn recreate(&mut self, d: &ObjectPath, inv: &Invalidation, reason: &[String]) {
        let chain = join_chain(reason);
        let drop = match self.drop_tree(d, Operation::DropForRecreate, &chain) {
            Ok(id) => id,
            Err(_) => return,
        };
        self.hazard(drop, &[Hazard::RecreatesDependents]);
        self.edge(drop, inv.first, reason.join(" -> "));
        // A dependent that is itself dropped (extra) is not created again.
        let dropped_for_good = self.nodes[drop].operation == Operation::Drop
            && !self.nodes[drop].fixes.is_empty()
            && !self
                .by_key
                .contains_key(&(Operation::Create, d.clone(), String::new()));
        if dropped_for_good {
            return;
        }
        let from_expected = self.exp().has(d);
        let create = match self.create_tree_from(d, Operation::Recreate, &chain, from_expected) {
            Ok(id) => id,
            Err(_) => return,
        };
        self.hazard(create, &[Hazard::RecreatesDependents]);
        self.edge(inv.last, create, reason.join(" -> "));
        self.edge(drop, create, format!("{d} is recreated"));
        // Created again from the expected side, it has the definition its own change wants
        // (a function's CREATE OR REPLACE would come first and make the create fail).
        // The same for any other in-place change of it (ALTER POLICY, a trigger's enabled
        // state, view options): the recreated object has them already.
        let mut alters: Vec<NodeId> = self
            .by_key
            .iter()
            .filter(|((op, path, _), _)| *op == Operation::Alter && path == d)
            .map(|(_, &id)| id)
            .filter(|&id| id != create && id != drop)
            .collect();
        alters.sort_unstable();
        for alter in alters {
            self.absorb(
                alter,
                create,
                format!("{d} is recreated with its new definition"),
            );
            // Its place in the order is the recreate's now: it must not hold the object
            // between the drop and the create.
            for ids in self.roles.values_mut() {
                ids.retain(|&i| i != alter);
            }
        }
    }

    // ---- partitions and inheritance children ------------------------------------------

    /// What a parent's statement does to its partitions and children: a column, CHECK or
    /// foreign key added to the parent is added to them (their own create step only sets what
    /// differs from the parent's), one dropped from it goes from them (theirs follows with IF
    /// EXISTS: a child may have it of its own too), a type change reaches them; a parent's
    /// default is set for it alone, and a parent's dropped NOT NULL is set again on the children
    /// that keep it. Runs before the dependents of invalidating changes are found.
    fn families(&mut self) {
        let mut absorbed: HashMap<NodeId, NodeId> = HashMap::new();
        for id in 0..self.nodes.len() {
            let object = self.nodes[id].object.clone();
            if !matches!(
                object.kind,
                ObjectKind::Column | ObjectKind::Constraint | ObjectKind::Index
            ) || self.act().holder_table(&object).is_none()
                && self.exp().holder_table(&object).is_none()
            {
                continue;
            }
            match (self.nodes[id].operation, self.nodes[id].part.as_str()) {
                (Operation::Create, "") => {
                    if let Some(by) = self.inherited_create(id, &object) {
                        absorbed.insert(id, by);
                    }
                }
                (Operation::Drop, "") => self.inherited_drop(id, &object),
                (Operation::Alter, "type") => {
                    if let Some(by) = self.inherited_type(id, &object) {
                        absorbed.insert(id, by);
                    }
                }
                (Operation::Alter, "drop not null") => self.children_keep_not_null(id, &object),
                (Operation::Alter, "enum type") => self.column_gone_with_table(id, &object),
                (Operation::Alter, "set default" | "drop default") => {
                    let table = holder(&object).unwrap_or_else(|| object.clone());
                    if !self.act().children_of(&table).is_empty() {
                        for sql in &mut self.nodes[id].sql {
                            *sql = ddl::table_only(sql);
                        }
                    }
                }
                _ => {}
            }
        }
        // The dependents of a child's column retyped through its parent go before the parent's
        // statement.
        let root = |mut id: NodeId| {
            while let Some(&by) = absorbed.get(&id) {
                id = by;
            }
            id
        };
        for inv in &mut self.invalidations {
            inv.first = root(inv.first);
        }
    }

    /// A column that moves to an enum's new version but is dropped (or its table is) in this
    /// plan: nothing to move; the old version is dropped after it.
    fn column_gone_with_table(&mut self, id: NodeId, column: &ObjectPath) {
        let removers = self
            .roles
            .get(&(Role::Removes, column.clone()))
            .cloned()
            .unwrap_or_default();
        let Some(&by) = removers.iter().find(|&&r| r != id) else {
            return;
        };
        let drop_old: Vec<NodeId> = (self.edges.iter())
            .filter(|e| e.before == id && self.nodes[e.after].part == "old")
            .map(|e| e.after)
            .collect();
        self.nodes[id].sql.clear();
        self.nodes[id].reason.clear();
        for d in drop_old {
            self.edge(
                by,
                d,
                format!("column {column} is dropped before the old type"),
            );
        }
        self.invalidations
            .retain(|inv| !(inv.first == id && inv.last == id));
    }

    /// The first step that makes `path`, other than `id`.
    fn maker(&self, path: &ObjectPath, id: NodeId) -> Option<NodeId> {
        let makers = self.roles.get(&(Role::Makes, path.clone()))?;
        makers.iter().copied().find(|&m| {
            m != id
                && matches!(
                    self.nodes[m].operation,
                    Operation::Create | Operation::Recreate
                )
                && self.nodes[m].object == *path
        })
    }

    /// A child's column, CHECK or foreign key created by its parent's create step.
    fn inherited_create(&mut self, id: NodeId, path: &ObjectPath) -> Option<NodeId> {
        let exp = self.exp();
        let parent_object = exp.inherited_from(path)?;
        let parent = holder(&parent_object)?;
        let table = holder(path)?;
        // A table attached in this plan brings what it has; only a child already can get it
        // from the parent.
        if !self.act().parents_of(&table).contains(&parent) {
            return None;
        }
        let by = self.maker(&parent_object, id)?;
        let (schema, name) = (schema_of(path).to_string(), parent_of(path).to_string());
        match path.kind {
            ObjectKind::Column => {
                let (c, pc) = (exp.column(path)?, exp.column(&parent_object)?);
                let mut sql = Vec::new();
                if c.default != pc.default {
                    sql.push(match &c.default {
                        Some(d) => ddl::set_column_default(&schema, &name, &path.name, d),
                        None => ddl::drop_column_default(&schema, &name, &path.name),
                    });
                }
                if c.not_null && !pc.not_null {
                    sql.push(ddl::set_column_not_null(&schema, &name, &path.name));
                }
                sql.extend(self.replay_access(&exp, path, None, &c.grants, c.comment.as_deref()));
                self.absorb(
                    id,
                    by,
                    format!("{parent_object} is added to its child {table}"),
                );
                self.nodes[id].sql = sql;
                Some(by)
            }
            ObjectKind::Constraint => {
                let c = exp.constraint(path)?;
                if matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) {
                    // The parent's key takes the partition's as its part when it is there.
                    self.edge(
                        id,
                        by,
                        format!("{parent_object} uses the key of partition {table}"),
                    );
                    return None;
                }
                let comment = self.replay_access(&exp, path, None, &[], c.comment.as_deref());
                self.absorb(
                    id,
                    by,
                    format!("{parent_object} is added to its child {table}"),
                );
                self.nodes[id].sql = comment;
                Some(by)
            }
            _ => None,
        }
    }

    /// A child's column, constraint or index that goes with its parent's.
    fn inherited_drop(&mut self, id: NodeId, path: &ObjectPath) {
        // An index of a partition may be the part of any of the parent's of its shape.
        let candidates = if path.kind == ObjectKind::Index {
            self.act().index_parents(path)
        } else {
            self.act().inherited_from(path).into_iter().collect()
        };
        let mut removed = Vec::new();
        for candidate in candidates {
            let removers = self
                .roles
                .get(&(Role::Removes, candidate.clone()))
                .cloned()
                .unwrap_or_default();
            removed.extend(
                removers
                    .into_iter()
                    .filter(|&r| r != id)
                    .map(|r| (r, candidate.clone())),
            );
        }
        if removed.is_empty() {
            return;
        }
        let (schema, table) = (schema_of(path).to_string(), parent_of(path).to_string());
        let sql = match path.kind {
            ObjectKind::Column => ddl::drop_column_if_exists(&schema, &table, &path.name),
            ObjectKind::Constraint => ddl::drop_constraint_if_exists(&schema, &table, &path.name),
            _ => ddl::drop_index_if_exists(&schema, &path.name),
        };
        if let Some(first) = self.nodes[id].sql.first_mut() {
            *first = sql;
        }
        for (by, parent_object) in removed {
            self.edge(
                by,
                id,
                format!("{path} goes with {parent_object} unless it is its own too"),
            );
        }
    }

    /// A child's column retyped by its parent's type change (which PostgreSQL carries to
    /// every partition and child).
    fn inherited_type(&mut self, id: NodeId, path: &ObjectPath) -> Option<NodeId> {
        let parent_object = self.act().inherited_from(path)?;
        if self.exp().inherited_from(path).as_ref() != Some(&parent_object) {
            return None;
        }
        let by =
            *self
                .by_key
                .get(&(Operation::Alter, parent_object.clone(), "type".to_string()))?;
        self.absorb(
            id,
            by,
            format!("{parent_object} changes type in its child too"),
        );
        self.role_of(by, Role::Invalidates, path);
        for (part, before) in [("drop default", true), ("set default", false)] {
            if let Some(&d) = self
                .by_key
                .get(&(Operation::Alter, path.clone(), part.to_string()))
            {
                if before {
                    self.edge(
                        d,
                        by,
                        format!("{path} loses its default before the type change"),
                    );
                } else {
                    self.edge(
                        by,
                        d,
                        format!("{path} gets its default after the type change"),
                    );
                }
            }
        }
        Some(by)
    }

    /// DROP NOT NULL on a parent drops it on every partition and child: set it again where
    /// the expected child keeps it.
    fn children_keep_not_null(&mut self, id: NodeId, path: &ObjectPath) {
        let Some(table) = holder(path) else {
            return;
        };
        let (act, exp) = (self.act(), self.exp());
        let keep: Vec<String> = act
            .descendants_of(&table)
            .into_iter()
            .filter(|child| exp.descendants_of(&table).contains(child))
            .filter(|child| {
                exp.column(&child_path(child, ObjectKind::Column, &path.name))
                    .is_some_and(|c| c.not_null)
            })
            .map(|child| ddl::set_column_not_null(schema_of(&child), &child.name, &path.name))
            .collect();
        self.nodes[id].sql.extend(keep);
    }

    /// Orders what families need once every step is known: a table's own changes between its
    /// detach and its attach (a table attached must fit its parent, one detached may be changed
    /// freely); the index of each partition attached to its parent's index when either is made
    /// or the partition is attached in this plan; a partition's key made before its parent's,
    /// which then takes it as its part.
    fn family_edges(&mut self) {
        let mut moves: BTreeMap<ObjectPath, (Vec<NodeId>, Vec<NodeId>)> = BTreeMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.object.kind == ObjectKind::Table && n.operation == Operation::Alter {
                match n.part.as_str() {
                    "detach" => moves.entry(n.object.clone()).or_default().0.push(i),
                    "attach" => moves.entry(n.object.clone()).or_default().1.push(i),
                    _ => {}
                }
            }
        }
        for (table, (detach, attach)) in &moves {
            // What the parent loses in this plan, a table detached first keeps.
            if !detach.is_empty() {
                for parent in self.act().parents_of(table) {
                    for ((role, path), ids) in &self.roles {
                        let on_parent = *role == Role::Removes
                            && path.parent.as_deref() == Some(parent.name.as_str())
                            && path.schema == parent.schema;
                        if !on_parent {
                            continue;
                        }
                        for &i in ids {
                            for &d in detach {
                                self.edges.push(Edge {
                                    before: d,
                                    after: i,
                                    why: format!("{table} leaves {parent} before {path} goes"),
                                });
                            }
                        }
                    }
                }
            }
            for (i, n) in self.nodes.iter().enumerate() {
                let on_table = n.object.parent.as_deref() == Some(table.name.as_str())
                    && n.object.schema == table.schema
                    && n.part != "attach index";
                if !on_table || n.sql.is_empty() {
                    continue;
                }
                for &d in detach {
                    self.edges.push(Edge {
                        before: d,
                        after: i,
                        why: format!("{table} is detached before its own changes"),
                    });
                }
                for &a in attach {
                    self.edges.push(Edge {
                        before: i,
                        after: a,
                        why: format!("{table} fits its parent before it is attached"),
                    });
                }
            }
        }
        // An identity's own sequence goes with DROP IDENTITY, and a sequence made for the same
        // column (identity to serial) may take its name.
        let mut identity_edges = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.operation != Operation::Alter || n.part != "drop identity" {
                continue;
            }
            for (j, m) in self.nodes.iter().enumerate() {
                if m.operation == Operation::Create
                    && m.object.kind == ObjectKind::Sequence
                    && self.owning_column(&self.exp(), &m.object).as_ref() == Some(&n.object)
                {
                    identity_edges.push(Edge {
                        before: i,
                        after: j,
                        why: format!("{} drops its identity's sequence first", n.object),
                    });
                }
            }
        }
        self.edges.extend(identity_edges);
        let exp = self.exp();
        let made = |b: &Self, p: &ObjectPath| {
            b.roles
                .get(&(Role::Makes, p.clone()))
                .is_some_and(|ids| ids.iter().any(|&i| !b.nodes[i].sql.is_empty()))
        };
        for (schema, ns) in &self.expected.schemas {
            for (name, t) in &ns.tables {
                if t.partition_key.is_none() {
                    continue;
                }
                let parent = ObjectPath::in_schema(ObjectKind::Table, schema, name);
                for child in exp.children_of(&parent) {
                    let Some(ct) = exp.table(schema_of(&child), &child.name) else {
                        continue;
                    };
                    let attached = moves.get(&child).map(|m| m.1.clone()).unwrap_or_default();
                    // Indexes pair by shape. A partition attached in this plan takes, as it is
                    // attached, an index of each of the parent's that exist by then; otherwise
                    // each new index of the parent takes a new index of the partition, or one
                    // it has beyond those attached already (in name order).
                    let mut shapes: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
                    for (n, i) in &t.indexes {
                        if let Some(shape) = index_shape(&i.definition, n, schema, name) {
                            shapes.entry(shape).or_default().0.push(n.clone());
                        }
                    }
                    for (n, i) in &ct.indexes {
                        if let Some(shape) =
                            index_shape(&i.definition, n, schema_of(&child), &child.name)
                            && let Some(entry) = shapes.get_mut(&shape)
                        {
                            entry.1.push(n.clone());
                        }
                    }
                    for (parents, children) in shapes.values() {
                        let is_new = |b: &Self, table: &ObjectPath, n: &String| {
                            made(b, &child_path(table, ObjectKind::Index, n))
                        };
                        let (new_parents, old_parents): (Vec<&String>, Vec<&String>) =
                            parents.iter().partition(|n| is_new(self, &parent, n));
                        if !attached.is_empty() {
                            for p in &new_parents {
                                let index = child_path(&parent, ObjectKind::Index, p);
                                for m in self
                                    .roles
                                    .get(&(Role::Makes, index))
                                    .cloned()
                                    .unwrap_or_default()
                                {
                                    for &a in &attached {
                                        self.edges.push(Edge {
                                            before: m,
                                            after: a,
                                            why: format!("{child} takes the parent's index {p} as it is attached"),
                                        });
                                    }
                                }
                            }
                            continue;
                        }
                        let (new_children, old_children): (Vec<&String>, Vec<&String>) =
                            children.iter().partition(|n| is_new(self, &child, n));
                        let free_old = old_children.len().saturating_sub(old_parents.len());
                        let candidates: Vec<&String> = new_children
                            .into_iter()
                            .chain(
                                old_children[old_children.len() - free_old..]
                                    .iter()
                                    .copied(),
                            )
                            .collect();
                        for (p, c) in new_parents.iter().zip(candidates) {
                            let parent_index = child_path(&parent, ObjectKind::Index, p);
                            let child_index = child_path(&child, ObjectKind::Index, c);
                            let sql = ddl::attach_index(schema, p, schema_of(&child), c);
                            let id = self.node(
                                Operation::Alter,
                                &child_index,
                                "attach index",
                                rank::ATTACH_INDEX,
                                |_| vec![sql],
                            );
                            self.nodes[id].reason =
                                vec![format!("index {child_index} is part of {parent_index}")];
                            self.after_made.push((id, parent_index));
                            self.after_made.push((id, child_index));
                            self.after_made.push((id, child.clone()));
                        }
                    }
                    for constraint in ct.constraints.keys() {
                        let child_key = child_path(&child, ObjectKind::Constraint, constraint);
                        let Some(parent_key) = exp.inherited_from(&child_key) else {
                            continue;
                        };
                        let is_key = exp.constraint(&child_key).is_some_and(|c| {
                            matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                        });
                        if !is_key {
                            continue;
                        }
                        let (Some(c), Some(p)) = (
                            self.maker(&child_key, usize::MAX),
                            self.maker(&parent_key, usize::MAX),
                        ) else {
                            continue;
                        };
                        self.edges.push(Edge {
                            before: c,
                            after: p,
                            why: format!(
                                "{parent_key} takes the key of partition {child} as its part"
                            ),
                        });
                    }
                }
            }
        }
    }

    // ---- what PostgreSQL does by itself ---------------------------------------------------

    /// `id`'s work is done by `by` (a sequence goes with the column that owns it): it prints
    /// nothing, its findings are `by`'s, and it counts as done once `by` is.
    fn absorb(&mut self, id: NodeId, by: NodeId, why: impl Into<String>) {
        if id == by {
            return;
        }
        self.nodes[id].sql.clear();
        let fixes = std::mem::take(&mut self.nodes[id].fixes);
        for f in fixes {
            if !self.nodes[by].fixes.contains(&f) {
                self.nodes[by].fixes.push(f);
            }
        }
        self.edge(by, id, why);
    }

    /// What an extra object whose drop is not planned needs cannot be dropped either (a type
    /// or sequence a kept table's column uses, a function its default or trigger calls): those
    /// drops are not planned, with the reason, and what they need stays in turn.
    fn kept_needs(&mut self) {
        let inside = |kept: &ObjectPath, p: &ObjectPath| {
            let same = |a: &ObjectPath| a.schema == p.schema && a.name == p.name;
            match kept.kind {
                ObjectKind::Schema => p.schema.as_deref() == Some(kept.name.as_str()),
                ObjectKind::Column => same(kept) && p.parent == kept.parent,
                _ => {
                    same(kept) && p.parent.is_none()
                        || p.schema == kept.schema
                            && p.parent.as_deref() == Some(kept.name.as_str())
                }
            }
        };
        let mut kept = std::mem::take(&mut self.kept);
        let mut i = 0;
        while i < kept.len() {
            let holder = kept[i].clone();
            i += 1;
            let needed: Vec<ObjectPath> = (self.actual.dependencies.iter())
                .filter(|d| !d.auto && inside(&holder, &self.actual_path(&d.from)))
                .map(|d| self.actual_path(&d.to))
                .filter(|to| !inside(&holder, to))
                .collect();
            for to in needed {
                let Some(&drop) = self
                    .by_key
                    .get(&(Operation::Drop, to.clone(), "".to_string()))
                else {
                    continue;
                };
                if self.nodes[drop].fixes.is_empty() || self.nodes[drop].sql.is_empty() {
                    continue;
                }
                self.nodes[drop].sql.clear();
                for f in std::mem::take(&mut self.nodes[drop].fixes) {
                    self.not_planned.push(NotPlanned {
                        rule: f.rule,
                        object: f.object,
                        reason: format!(
                            "{} {holder} needs it, and its drop is not planned",
                            holder.kind.noun()
                        ),
                    });
                }
                kept.push(to);
            }
        }
    }

    /// What needs a missing object whose create is not planned cannot be made either (the
    /// input and output functions of a base type): those creates are not planned, with the
    /// reason, and what needs them is not made in turn.
    fn unmade_needs(&mut self) {
        let mut unmade = std::mem::take(&mut self.unmade);
        let mut i = 0;
        while i < unmade.len() {
            let needed = unmade[i].clone();
            i += 1;
            let needing: Vec<ObjectPath> = (self.expected.dependencies.iter())
                .filter(|d| d.to == needed)
                .map(|d| d.from.clone())
                .collect();
            for from in needing {
                let key = |p: &ObjectPath| (Operation::Create, p.clone(), String::new());
                let Some(&create) = (self.by_key.get(&key(&from)))
                    .or_else(|| holder(&from).and_then(|h| self.by_key.get(&key(&h))))
                else {
                    continue;
                };
                if self.nodes[create].fixes.is_empty() || self.nodes[create].sql.is_empty() {
                    continue;
                }
                self.nodes[create].sql.clear();
                for f in std::mem::take(&mut self.nodes[create].fixes) {
                    self.not_planned.push(NotPlanned {
                        rule: f.rule,
                        object: f.object,
                        reason: format!(
                            "it needs {} {needed}, whose creation is not planned",
                            needed.kind.noun()
                        ),
                    });
                }
                unmade.push(from);
            }
        }
    }

    /// Drops that PostgreSQL makes by itself: a sequence OWNED BY a column that is dropped (or
    /// whose table is) goes with it, and must not be dropped again.
    fn implicit_drops(&mut self) {
        let drops: Vec<(NodeId, ObjectPath)> = (self.nodes.iter().enumerate())
            .filter(|(_, n)| {
                n.operation == Operation::Drop && n.object.kind == ObjectKind::Sequence
            })
            .map(|(i, n)| (i, n.object.clone()))
            .collect();
        for (id, sequence) in drops {
            let Some(column) = self.owning_column(&self.act(), &sequence) else {
                continue;
            };
            let removers = self
                .roles
                .get(&(Role::Removes, column.clone()))
                .cloned()
                .unwrap_or_default();
            if let Some(&by) = removers.iter().find(|&&r| r != id) {
                self.absorb(
                    id,
                    by,
                    format!("sequence {sequence} goes with column {column}"),
                );
            }
        }
    }

    /// The column a sequence is OWNED BY on a side.
    fn owning_column(&self, side: &Side<'_>, sequence: &ObjectPath) -> Option<ObjectPath> {
        let owned_by = side.sequence(sequence)?.owned_by.as_deref()?;
        match split_qualified(owned_by).as_slice() {
            [s, t, c] => Some(ObjectPath::child(ObjectKind::Column, s, t, c)),
            _ => None,
        }
    }

    /// Whether an edge is a sequence's OWNED BY: that is a step of its own (`owned_by`) when
    /// made, and the column takes the sequence with it when dropped; neither orders the
    /// sequence's own create or drop.
    fn is_owned_by_edge(&self, side: &Side<'_>, d: &Dependency) -> bool {
        d.from.kind == ObjectKind::Sequence
            && d.to.kind == ObjectKind::Column
            && self.owning_column(side, &d.from).as_ref() == Some(&d.to)
    }

    // ---- ordering ----------------------------------------------------------------------

    fn finish(mut self) -> Result<Plan, PlanError> {
        self.kept_needs();
        self.unmade_needs();
        self.implicit_drops();
        self.family_edges();
        self.dependency_edges();
        let keys: Vec<(Phase, u16, String, String, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.phase, n.rank, n.object.display(), n.part.clone(), i))
            .collect();
        let order = order::sort(&keys, &self.edges).map_err(|cycle| {
            let edges: Vec<String> = cycle
                .edges
                .iter()
                .map(|e| {
                    format!(
                        "  {} {} must come before {} {}: {}",
                        self.nodes[e.before].operation.as_str(),
                        self.nodes[e.before].object,
                        self.nodes[e.after].operation.as_str(),
                        self.nodes[e.after].object,
                        e.why
                    )
                })
                .collect();
            PlanError(format!(
                "the plan has a cycle that cannot be split:\n{}",
                edges.join("\n")
            ))
        })?;
        let mut steps = Vec::with_capacity(order.len());
        let mut nodes: Vec<Option<Node>> = self.nodes.into_iter().map(Some).collect();
        for i in order {
            let Some(n) = nodes[i].take() else { continue };
            if n.sql.is_empty() {
                continue;
            }
            let mut fixes = n.fixes;
            fixes.sort();
            fixes.dedup();
            steps.push(Step {
                phase: n.phase,
                operation: n.operation,
                object: n.object,
                sql: n.sql,
                hazards: n.hazards.into_iter().collect(),
                transactional: n.phase == Phase::Transaction,
                fixes,
                reason: n.reason,
                unchecked_body: n.unchecked_body,
                checks: n.checks,
            });
        }
        Ok(Plan {
            steps,
            not_planned: self.not_planned,
        })
    }

    /// For a column of a view (views do not list their columns), the view itself: the step
    /// that makes or removes the view makes or removes its columns.
    fn relation_of_column(&self, side: &Side<'_>, path: &ObjectPath) -> Option<ObjectPath> {
        if path.kind != ObjectKind::Column {
            return None;
        }
        let view = side.holder_view(path)?;
        Some(ObjectPath {
            kind: if view.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            },
            schema: path.schema.clone(),
            parent: None,
            name: parent_of(path).to_string(),
        })
    }

    fn dependency_edges(&mut self) {
        let get = |roles: &HashMap<(Role, ObjectPath), Vec<NodeId>>, role: Role, p: &ObjectPath| {
            roles.get(&(role, p.clone())).cloned().unwrap_or_default()
        };
        // Most edges of a large schema touch nothing the plan does: those are passed over by
        // their names, before any path is built or looked up.
        let touched: HashSet<(ObjectKind, Option<&str>, Option<&str>, &str)> = (self.roles.keys())
            .map(|(_, p)| {
                (
                    p.kind,
                    p.schema.as_deref(),
                    p.parent.as_deref(),
                    p.name.as_str(),
                )
            })
            .collect();
        let has = |kind: ObjectKind, schema: Option<&str>, parent: Option<&str>, name: &str| {
            touched.contains(&(kind, schema, parent, name))
        };
        let has_path =
            |kind, p: &ObjectPath| has(kind, p.schema.as_deref(), p.parent.as_deref(), &p.name);
        let mut edges = Vec::new();
        // Actual edges order removals.
        for d in &self.actual.dependencies {
            // `from` has no role, so nothing goes before.
            if !has_path(relation_kind(&self.act(), &d.from), &d.from) {
                continue;
            }
            if self.is_owned_by_edge(&self.act(), d) {
                continue;
            }
            let from = self.actual_path(&d.from);
            let to = self.actual_path(&d.to);
            let mut before = get(&self.roles, Role::Releases, &from);
            before.extend(get(&self.roles, Role::Removes, &from));
            if before.is_empty() {
                continue;
            }
            let mut after = get(&self.roles, Role::Removes, &to);
            after.extend(get(&self.roles, Role::Invalidates, &to));
            if let Some(relation) = self.relation_of_column(&self.act(), &to) {
                after.extend(get(&self.roles, Role::Removes, &relation));
            }
            for &b in &before {
                for &a in &after {
                    edges.push((
                        b,
                        a,
                        format!("{} {from} needs {} {to}", from.kind.noun(), to.kind.noun()),
                    ));
                }
            }
        }
        // Expected edges order creations.
        for d in &self.expected.dependencies {
            // Neither `to` nor the view whose column it is has a role: nothing goes before.
            let view_column = d.to.kind == ObjectKind::Column
                && [ObjectKind::View, ObjectKind::MaterializedView]
                    .into_iter()
                    .any(|kind| has(kind, d.to.schema.as_deref(), None, parent_of(&d.to)));
            if !view_column && !has_path(relation_kind(&self.exp(), &d.to), &d.to) {
                continue;
            }
            if self.is_owned_by_edge(&self.exp(), d) {
                continue;
            }
            let from = self.expected_path(&d.from);
            let to = self.expected_path(&d.to);
            let mut before = get(&self.roles, Role::Makes, &to);
            if let Some(relation) = self.relation_of_column(&self.exp(), &to) {
                before.extend(get(&self.roles, Role::Makes, &relation));
            }
            if before.is_empty() {
                continue;
            }
            let mut after = get(&self.roles, Role::Acquires, &from);
            after.extend(get(&self.roles, Role::Makes, &from));
            for &b in &before {
                for &a in &after {
                    edges.push((
                        b,
                        a,
                        format!("{} {from} needs {} {to}", from.kind.noun(), to.kind.noun()),
                    ));
                }
            }
        }
        // An object is removed before it is made again, under the same name.
        let mut by_name: ByName = BTreeMap::new();
        for ((role, path), ids) in &self.roles {
            let key = match path.kind {
                ObjectKind::Table
                | ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Sequence
                | ObjectKind::Index
                | ObjectKind::Type => (path.schema.clone(), path.name.clone()),
                ObjectKind::Constraint
                | ObjectKind::Trigger
                | ObjectKind::Policy
                | ObjectKind::Column => (
                    path.schema.clone(),
                    format!("{}.{}.{:?}", parent_of(path), path.name, path.kind),
                ),
                _ => (
                    path.schema.clone(),
                    format!("{:?} {}", path.kind, path.name),
                ),
            };
            let entry = by_name.entry(key).or_default();
            match role {
                Role::Removes => entry.0.extend(ids),
                Role::Makes => entry.1.extend(ids),
                _ => {}
            }
        }
        for ((_, name), (removes, makes)) in &by_name {
            for &r in removes {
                for &m in makes {
                    edges.push((
                        r,
                        m,
                        format!("{name} is dropped before it is created again"),
                    ));
                }
            }
        }
        // Structural: a step runs after what it needs is made.
        for (id, path) in std::mem::take(&mut self.after_made) {
            let mut makers = get(&self.roles, Role::Makes, &path);
            if path.kind == ObjectKind::Table {
                let view = ObjectPath {
                    kind: relation_kind(&self.exp(), &path),
                    ..path.clone()
                };
                makers.extend(get(&self.roles, Role::Makes, &view));
            }
            for m in makers {
                edges.push((m, id, format!("{path} exists first")));
            }
        }
        // Steps on one column run in rank order.
        let mut by_column: BTreeMap<ObjectPath, Vec<NodeId>> = BTreeMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.object.kind == ObjectKind::Column && n.operation == Operation::Alter {
                by_column.entry(n.object.clone()).or_default().push(i);
            }
        }
        for ids in by_column.values_mut() {
            ids.sort_by_key(|&i| self.nodes[i].rank);
            for pair in ids.windows(2) {
                let why = format!(
                    "{} of column {}",
                    self.nodes[pair[1]].part, self.nodes[pair[1]].object
                );
                edges.push((pair[0], pair[1], why));
            }
        }
        for (b, a, why) in edges {
            self.edge(b, a, why);
        }
    }
}

/// A mark a table puts on one of its indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    ReplicaIdentity,
    Cluster,
}

fn join_chain(reason: &[String]) -> Vec<String> {
    vec![reason.join(" -> ")]
}

/// Whether a function's body is text PostgreSQL neither tracks nor, with
/// check_function_bodies off, checks (everything but SQL-standard bodies).
fn untracked_body(f: &Function) -> bool {
    let body = f.body.trim_start();
    !(f.language == "sql"
        && (body.len() >= 12 && body[..12].eq_ignore_ascii_case("begin atomic")
            || body.len() >= 6 && body[..6].eq_ignore_ascii_case("return")))
        && f.kind != FunctionKind::Aggregate
}

/// The plain column names inside the first parenthesised list of a constraint or index
/// definition (`PRIMARY KEY (a, b)`, `... USING btree (lower(x))` gives none: an expression
/// is not checked). `None` when an item is not a plain column or the index is partial.
fn key_columns(definition: &str) -> Option<Vec<String>> {
    if definition.contains(" WHERE ") {
        return None;
    }
    let start = match definition.find(" USING ") {
        Some(at) => at + definition[at..].find('(')?,
        None => definition.find('(')?,
    };
    let mut depth = 0;
    let mut end = None;
    for (i, c) in definition[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(start + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let inner = &definition[start + 1..end?];
    let plain = |item: &str| {
        let word = item.split_whitespace().next().unwrap_or_default();
        let quoted = word.len() > 1 && word.starts_with('"') && word.ends_with('"');
        let simple = word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        let rest_ok = item
            .split_whitespace()
            .skip(1)
            .all(|w| matches!(w, "ASC" | "DESC" | "NULLS" | "FIRST" | "LAST"));
        ((quoted || simple) && !word.is_empty() && rest_ok).then(|| word.to_string())
    };
    inner.split(',').map(|i| plain(i.trim())).collect()
}

/// A default that is computed per row when the column is added (so the table is rewritten).
fn volatile_default(expression: &str) -> bool {
    let e = expression.to_ascii_lowercase();
    [
        "nextval(",
        "random(",
        "clock_timestamp(",
        "gen_random_uuid(",
        "uuid_generate",
    ]
    .iter()
    .any(|f| e.contains(f))
}

/// Base type and modifier: `character varying(40)` → (`character varying`, Some(40, None)).
fn type_parts(t: &str) -> (&str, Option<Vec<i64>>) {
    match t.find('(') {
        Some(open) if t.ends_with(')') => {
            let args = t[open + 1..t.len() - 1]
                .split(',')
                .map(|a| a.trim().parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
                .ok();
            (t[..open].trim_end(), args)
        }
        _ => (t, Some(Vec::new())),
    }
}

/// Whether every value of type `from` fits `to` (a wider integer, a longer varchar, more
/// numeric precision, text): such a change cannot lose data.
fn widening(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    const INTEGERS: [&str; 3] = ["smallint", "integer", "bigint"];
    let rank = |t: &str| INTEGERS.iter().position(|i| *i == t);
    if let (Some(a), Some(b)) = (rank(from), rank(to)) {
        return b >= a;
    }
    if let Some(a) = rank(from)
        && (to == "numeric" || to == "text" || to == "character varying")
    {
        let _ = a;
        return true;
    }
    let (fb, fa) = type_parts(from);
    let (tb, ta) = type_parts(to);
    let texty = |b: &str| matches!(b, "text" | "character varying");
    if texty(tb) && ta.as_deref().is_none_or(|a| a.is_empty()) {
        return texty(fb) || fb == "character";
    }
    if fb == tb {
        return match (fa.as_deref(), ta.as_deref()) {
            (Some([n]), Some([m])) => m >= n,
            (Some([p1, s1]), Some([p2, s2])) => s2 >= s1 && p2 - s2 >= p1 - s1,
            (Some([_]), Some([])) | (Some([_, _]), Some([])) => true,
            _ => false,
        };
    }
    matches!(
        (from, to),
        ("real", "double precision")
            | ("timestamp without time zone", "timestamp with time zone")
            | ("json", "jsonb")
    )
}

/// Whether the change needs no rewrite: varchar growing or becoming text, numeric losing its
/// limit, and the like.
fn binary_coercible(from: &str, to: &str) -> bool {
    let (fb, fa) = type_parts(from);
    let (tb, ta) = type_parts(to);
    let texty = |b: &str| matches!(b, "text" | "character varying");
    if texty(fb) && texty(tb) {
        return match (fa.as_deref(), ta.as_deref()) {
            (_, Some([])) => true,
            (Some([n]), Some([m])) => m >= n,
            _ => false,
        };
    }
    fb == tb && matches!(ta.as_deref(), Some([])) && fb == "numeric"
}

/// The ALTER TYPE actions that turn the composite attributes `actual` into `expected`: drops,
/// type changes, then additions at the end; `None` when that does not give `expected`'s order.
fn composite_changes<'a>(
    actual: &'a [(String, String)],
    expected: &'a [(String, String)],
) -> Option<Vec<ddl::AttributeChange<'a>>> {
    let in_expected = |name: &str| expected.iter().find(|(n, _)| n == name);
    let in_actual = |name: &str| actual.iter().any(|(n, _)| n == name);
    let mut changes = Vec::new();
    let mut order: Vec<&str> = Vec::new();
    for (name, data_type) in actual {
        match in_expected(name) {
            None => changes.push(ddl::AttributeChange::Drop(name)),
            Some((_, wanted)) => {
                if wanted != data_type {
                    changes.push(ddl::AttributeChange::SetType(name, wanted));
                }
                order.push(name);
            }
        }
    }
    for (name, data_type) in expected {
        if !in_actual(name) {
            changes.push(ddl::AttributeChange::Add(name, data_type));
            order.push(name);
        }
    }
    let wanted: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    (order == wanted).then_some(changes)
}

/// The labels to add (with where) when `actual` becomes `expected` only by additions that
/// keep the actual labels' order; `None` when labels are removed or reordered.
fn added_labels(actual: &[String], expected: &[String]) -> Option<Vec<(String, Option<Position>)>> {
    let mut it = expected.iter();
    for label in actual {
        it.find(|l| *l == label)?;
    }
    let present: HashSet<&String> = actual.iter().collect();
    let mut out = Vec::new();
    for (i, label) in expected.iter().enumerate() {
        if present.contains(label) {
            continue;
        }
        let position = if i > 0 {
            Some(Position::After(expected[i - 1].clone()))
        } else {
            expected
                .iter()
                .find(|l| present.contains(l))
                .map(|next| Position::Before(next.clone()))
        };
        out.push((label.clone(), position));
    }
    Some(out)
}

/// Where a new enum label goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    Before(String),
    After(String),
}

/// The position of a new label in `ddl`'s words.
fn label_position(position: &Option<Position>) -> ddl::LabelPosition<'_> {
    match position {
        Some(Position::Before(l)) => ddl::LabelPosition::Before(l),
        Some(Position::After(l)) => ddl::LabelPosition::After(l),
        None => ddl::LabelPosition::Last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_and_narrowing_types() {
        assert!(widening("integer", "bigint"));
        assert!(!widening("bigint", "integer"));
        assert!(widening("character varying(10)", "character varying(20)"));
        assert!(!widening("character varying(20)", "character varying(10)"));
        assert!(widening("character varying(20)", "text"));
        assert!(widening("numeric(10,2)", "numeric(12,2)"));
        assert!(!widening("numeric(12,2)", "numeric(10,2)"));
        assert!(!widening("text", "integer"));
        assert!(binary_coercible("character varying(10)", "text"));
        assert!(!binary_coercible("integer", "bigint"));
    }

    #[test]
    fn labels_added_in_place_or_not_at_all() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let added = added_labels(&s(&["new", "done"]), &s(&["new", "active", "done"])).unwrap();
        assert_eq!(
            added,
            vec![("active".to_string(), Some(Position::After("new".into())))]
        );
        let first = added_labels(&s(&["b"]), &s(&["a", "b"])).unwrap();
        assert_eq!(
            first,
            vec![("a".to_string(), Some(Position::Before("b".into())))]
        );
        assert!(added_labels(&s(&["a", "b", "c"]), &s(&["c", "b", "a"])).is_none());
        assert!(added_labels(&s(&["a", "b", "c"]), &s(&["a", "b"])).is_none());
    }
}

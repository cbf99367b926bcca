//! Compare two canonical schemas, expected against actual. Pure: no database, no policy, no
//! output format.
//!
//! The walk produces a typed change set (`changes`): each `Change` has a rule id, the typed
//! path of the object, and references into the two models. Findings for people and reports are
//! rendered from changes in one place (`render::finding`); the plan is built from the same
//! changes. Neither is ever derived from the other's text.
//!
//! Both models hold their objects in sorted maps, so the comparison is a merge join over each
//! pair of maps (`merge`): linear in the size of the schemas. An object present on one side only
//! is reported once, as `<kind>.missing` or `<kind>.extra`, and what it contains is not reported
//! again. Object names are only formatted when a finding needs them, so comparing two equal
//! schemas of 150,000 columns allocates next to nothing per column.

mod compare;
mod merge;
mod render;
#[cfg(test)]
mod tests;
pub mod versions;

use serde::{Deserialize, Serialize};

pub use crate::model::ObjectKind;
use crate::model::{
    Column, Constraint, DefinedObject, Extension, Function, Index, Namespace, ObjectPath, Policy,
    Schema, Sequence, Table, Trigger, Type, View,
};
use crate::rules::RuleId;

/// One difference between expected and actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id from `crate::rules`, e.g. `column.type`.
    pub rule: RuleId,
    /// What kind of object the finding is about (for grants, owners and comments: the object
    /// that carries them).
    pub kind: ObjectKind,
    /// Qualified name, identifiers quoted as PostgreSQL would: `public.orders.total`,
    /// `public.add_item(integer, text)`, `public.orders.orders_pkey` for a constraint.
    pub object: String,
    /// The top-level object the finding belongs to (the table of a column, index or trigger;
    /// the object itself otherwise), for grouping in reports.
    pub group: String,
    /// The kind of `group`.
    pub group_kind: ObjectKind,
    /// The expected value, when there is one (absent for `*.extra`).
    pub expected: Option<String>,
    /// The actual value, when there is one (absent for `*.missing`).
    pub actual: Option<String>,
    /// One sentence for humans.
    pub message: String,
    /// The typed path of `object`: known for findings of this run, not kept in JSON reports
    /// (whose `object` and `group` are the display names) nor for findings about the policy.
    #[serde(skip)]
    pub path: Option<ObjectPath>,
}

/// A top-level object that was compared (present on at least one side): a schema, extension,
/// table, view, sequence, function or type. Counts and "share drifted" are over these. What a
/// schema present on one side only contains is not listed: it was not compared object by object,
/// and its one `schema.missing`/`schema.extra` finding stands for all of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ComparedObject {
    pub kind: ObjectKind,
    pub name: String,
}

/// The result of comparing two schemas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub findings: Vec<Finding>,
    pub compared: Vec<ComparedObject>,
}

/// Compare `expected` against `actual`: the findings, rendered from the change set.
pub fn diff(expected: &Schema, actual: &Schema) -> Comparison {
    changes(expected, actual).comparison()
}

/// Compare `expected` against `actual`: the typed change set.
pub fn changes<'a>(expected: &'a Schema, actual: &'a Schema) -> ChangeSet<'a> {
    let (changes, compared) = compare::run(expected, actual);
    ChangeSet { changes, compared }
}

/// Every difference between two schemas, in walk order, and the top-level objects compared.
#[derive(Debug, Clone)]
pub struct ChangeSet<'a> {
    pub changes: Vec<Change<'a>>,
    pub compared: Vec<ComparedObject>,
}

impl ChangeSet<'_> {
    /// The findings, one per change and in the same order.
    pub fn comparison(&self) -> Comparison {
        Comparison {
            findings: self.changes.iter().map(render::finding).collect(),
            compared: self.compared.clone(),
        }
    }
}

/// One typed difference between expected and actual.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub rule: RuleId,
    /// The object the change is about (for grants, owners and comments: the object that
    /// carries them).
    pub path: ObjectPath,
    /// The kind of the top-level object the change is grouped under (a column's table).
    pub group_kind: ObjectKind,
    pub detail: Detail<'a>,
}

impl Change<'_> {
    /// The top-level object: the table of a column, the object itself otherwise.
    pub fn group(&self) -> ObjectPath {
        match &self.path.parent {
            Some(parent) => ObjectPath {
                kind: self.group_kind,
                schema: self.path.schema.clone(),
                parent: None,
                name: parent.clone(),
            },
            None => self.path.clone(),
        }
    }
}

/// What differs, with references into the two models.
#[derive(Debug, Clone, Copy)]
pub enum Detail<'a> {
    /// The object exists on one side only (`*.missing`: in expected; `*.extra`: in actual).
    Presence(Object<'a>),
    /// The same definition under another name (`constraint.name`, `index.name`).
    Renamed {
        expected_name: &'a str,
        actual_name: &'a str,
        expected: Object<'a>,
        actual: Object<'a>,
    },
    /// A property differs; `field` says which (for columns the rule does).
    Property {
        field: Field,
        expected: Object<'a>,
        actual: Object<'a>,
    },
    Owner {
        expected: &'a str,
        actual: &'a str,
    },
    Comment {
        expected: Option<&'a str>,
        actual: Option<&'a str>,
    },
    /// A privilege held on one side only (`None`), or with the grant option on one side only.
    Grant {
        grantee: &'a str,
        privilege: &'a str,
        expected: Option<bool>,
        actual: Option<bool>,
    },
    ColumnOrder {
        expected: &'a Table,
        actual: &'a Table,
    },
    /// The sides were read from servers that print definitions differently: CockroachDB
    /// versions (`v23.1.11`), `None` for PostgreSQL.
    ServerVersion {
        expected: Option<&'a str>,
        actual: Option<&'a str>,
    },
}

/// A reference to one object of a model.
#[derive(Debug, Clone, Copy)]
pub enum Object<'a> {
    Schema(&'a Namespace),
    Extension(&'a Extension),
    Table(&'a Table),
    Column(&'a Column),
    Constraint(&'a Constraint),
    Index(&'a Index),
    Trigger(&'a Trigger),
    Policy(&'a Policy),
    View(&'a View),
    Sequence(&'a Sequence),
    Function(&'a Function),
    Type(&'a Type),
    /// A rule, statistics object, publication, ...: compared by its statement.
    Defined(&'a DefinedObject),
}

/// Which property of an object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Table(TableField),
    /// A column property; the rule id (`column.type`, `column.default`, ...) says which.
    Column,
    Constraint(ConstraintField),
    Index(IndexField),
    Trigger(TriggerField),
    /// Command, permissiveness, roles, USING or WITH CHECK: one change lists them.
    Policy,
    View(ViewField),
    Sequence(SequenceField),
    Function(FunctionField),
    /// Labels, attributes, base type, ...: one change for the type.
    Type,
    /// Version and/or schema.
    Extension,
    /// The statement that makes a [`DefinedObject`] (`<kind>.definition`).
    Defined,
}

macro_rules! fields {
    ($(#[$doc:meta])* $name:ident of $model:ident { $( $variant:ident: $label:literal => |$o:ident| $get:expr, )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &[$name] = &[ $( $name::$variant, )* ];

            /// The property in running text: `partition key`.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )* }
            }

            /// Whether the property differs between the two objects.
            pub fn differs(self, e: &$model, a: &$model) -> bool {
                match self { $( $name::$variant => { let x = { let $o = e; $get }; let y = { let $o = a; $get }; x != y } )* }
            }
        }
    };
}

fields! {
    /// A table property (`table.property`, or the field's own rule: see [`TableField::rule`]).
    TableField of Table {
        Persistence: "persistence" => |t| t.persistence,
        PartitionKey: "partition key" => |t| &t.partition_key,
        PartitionParent: "partition parent" => |t| &t.partition_of,
        PartitionBound: "partition bound" => |t| &t.partition_bound,
        Inheritance: "inheritance" => |t| &t.inherits,
        RowSecurity: "row-level security" => |t| t.rls_enabled,
        ForcedRowSecurity: "forced row-level security" => |t| t.rls_forced,
        StorageParameters: "storage parameters" => |t| &t.reloptions,
        ReplicaIdentity: "replica identity" => |t| &t.replica_identity,
        Cluster: "CLUSTER ON index" => |t| &t.cluster_on,
        AccessMethod: "access method" => |t| &t.access_method,
        Tablespace: "tablespace" => |t| &t.tablespace,
        Locality: "locality" => |t| &t.locality,
        Families: "column families" => |t| &t.families,
    }
}

impl TableField {
    /// The rule a difference in this field is reported under.
    pub fn rule(self) -> RuleId {
        match self {
            TableField::ReplicaIdentity => RuleId::TableReplicaIdentity,
            TableField::Cluster => RuleId::TableCluster,
            TableField::AccessMethod => RuleId::TableAccessMethod,
            TableField::Tablespace => RuleId::TableTablespace,
            TableField::Locality => RuleId::TableLocality,
            TableField::Families => RuleId::TableFamily,
            _ => RuleId::TableProperty,
        }
    }
}

fields! {
    /// A part of an index (`index.definition`, `index.invalid`, `index.tablespace`).
    IndexField of Index {
        Definition: "definition" => |i| &i.definition,
        Validity: "validity" => |i| i.invalid,
        Tablespace: "tablespace" => |i| &i.tablespace,
        Statistics: "statistics targets" => |i| &i.statistics,
        Visibility: "visibility" => |i| &i.visibility,
    }
}

impl IndexField {
    /// The rule a difference in this field is reported under.
    pub fn rule(self) -> RuleId {
        match self {
            IndexField::Definition => RuleId::IndexDefinition,
            IndexField::Validity => RuleId::IndexInvalid,
            IndexField::Tablespace => RuleId::IndexTablespace,
            IndexField::Statistics => RuleId::IndexDefinition,
            IndexField::Visibility => RuleId::IndexVisibility,
        }
    }
}

fields! {
    /// A part of a constraint (`constraint.definition`).
    ConstraintField of Constraint {
        Definition: "definition" => |c| &c.definition,
        // Compared only when the definitions agree (the definition starts with the kind, so a
        // different kind shows there); this catches a reader that deparsed both the same.
        Kind: "kind" => |c| c.kind,
    }
}

fields! {
    /// A part of a trigger (`trigger.definition`).
    TriggerField of Trigger {
        Definition: "definition" => |t| &t.definition,
        Enabled: "enabled state" => |t| &t.enabled,
    }
}

fields! {
    /// A part of a view (`view.definition`).
    ViewField of View {
        Definition: "definition" => |v| &v.definition,
        Materialization: "materialization" => |v| v.materialized,
        Options: "options" => |v| &v.reloptions,
        ColumnDefaults: "column defaults" => |v| &v.column_defaults,
        Cluster: "CLUSTER ON index" => |v| &v.cluster_on,
    }
}

fields! {
    /// A sequence property (`sequence.property`).
    SequenceField of Sequence {
        Type: "type" => |s| &s.data_type,
        Start: "start" => |s| s.start,
        Increment: "increment" => |s| s.increment,
        Minimum: "minimum" => |s| s.min_value,
        Maximum: "maximum" => |s| s.max_value,
        Cache: "cache" => |s| s.cache,
        Cycle: "cycle" => |s| s.cycle,
        OwnedBy: "owning column" => |s| &s.owned_by,
    }
}

fields! {
    /// A part of a function (`function.definition`).
    FunctionField of Function {
        Kind: "kind" => |f| f.kind,
        Arguments: "argument list" => |f| &f.arguments,
        Returns: "return type" => |f| &f.returns,
        Language: "language" => |f| &f.language,
        Body: "body" => |f| &f.body,
        Volatility: "volatility" => |f| &f.volatility,
        Strict: "strictness" => |f| f.strict,
        Security: "security" => |f| f.security_definer,
        Leakproof: "leakproof" => |f| f.leakproof,
        Parallel: "parallel safety" => |f| &f.parallel,
        Cost: "cost" => |f| f.cost,
        Rows: "rows" => |f| f.rows,
        Config: "configuration" => |f| &f.config,
        Extensions: "extension dependencies" => |f| &f.extensions,
    }
}

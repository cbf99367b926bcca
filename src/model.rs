//! The canonical image of a database schema.
//!
//! Every later stage (normalize, diff, evaluate, report, snapshot) works on this model and knows
//! nothing of where it came from. Objects live in ordered maps keyed by their identity (schema
//! name, table name, column name, function name with argument types), so two models compare by
//! walking sorted maps and serialize byte-identically. Values are canonical text deparsed by the
//! server; nothing here differs between two databases holding the same schema (no OIDs, no
//! attnums, no creation order).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole schema of one database (or the selected part of it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// PostgreSQL namespaces ("schemas" in SQL) by name.
    pub schemas: BTreeMap<String, Namespace>,
    /// Installed extensions by name. Objects that belong to an extension are not in the model.
    pub extensions: BTreeMap<String, Extension>,
    /// What needs what: the server's dependency graph (`pg_depend`) between the objects of this
    /// model, each end named by its [`ObjectPath`], sorted and without duplicates. Both ends are
    /// always in the model (a column may be a view's: views do not list their columns here,
    /// but a view on a view depends on the other view's columns). Edges do not take part in
    /// the comparison of two schemas; they order the statements of a plan and find the
    /// dependents an operation invalidates. Every object also needs its schema: that is
    /// implicit and not listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// The objects compared by the statement that makes them (rules, extended statistics,
    /// publications, collations, casts, foreign servers, ...), of every schema in scope and of
    /// the database, sorted by path without duplicates. See [`DefinedObject`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defined: Vec<DefinedObject>,
    /// Set when the schema was read from CockroachDB: the server's version (`v23.1.11`). Its
    /// definitions are then in CockroachDB's dialect (`STRING`, `PRIMARY KEY (id ASC)`), so
    /// they compare only with another CockroachDB schema, and the diff warns when the two
    /// sides' major versions print definitions differently.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cockroachdb: Option<String>,
}

/// An object pgdrift compares by the statement that makes it, as the server prints it: a rule,
/// an extended statistics object, a publication, an event trigger, a collation, a text search
/// configuration, a cast, an operator, a foreign server, a foreign table, a default privilege.
/// One catalog query per kind prints every field (see `catalog::defined`), so adding such a
/// kind is that query and a line in the kinds' table; the diff compares the fields, the plan
/// runs `drop` and `definition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinedObject {
    pub path: ObjectPath,
    /// The statements that make the object as it is: `CREATE RULE ...;`, then any `ALTER` that
    /// sets what `CREATE` cannot (a rule's enabled state, a statistics target), each ending in
    /// `;` on a line of its own.
    pub definition: String,
    /// The object as `COMMENT ON`, `ALTER ... OWNER TO`, `GRANT ... ON` and `DROP` name it:
    /// `RULE r ON public.t`, `CAST (integer AS public.money2)`.
    pub target: String,
    /// The statement that removes the object, when it is not `DROP <target>` (a default
    /// privilege is revoked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<String>,
    /// Why the object cannot be made from `definition` alone (a subscription's connection
    /// string, a user mapping's options: secrets pgdrift never reads): the plan lists it as
    /// not planned with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unplannable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges held by others than the owner (servers, wrappers, foreign tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

/// "`from` needs `to`": `from` cannot exist without `to` (a view without the columns it
/// reads, a default without the function it calls, a foreign key without the unique
/// constraint it references), so `to` is created first and dropped last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub from: ObjectPath,
    pub to: ObjectPath,
    /// PostgreSQL drops `from` by itself when `to` is dropped (`pg_depend.deptype` `a`): an
    /// index or constraint on a column, a trigger or policy on its table, a sequence OWNED BY
    /// a column, a partition and its parent. Otherwise (`n`) dropping `to` fails while `from`
    /// exists, unless CASCADE.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto: bool,
}

impl Schema {
    /// Whether the object `path` names is in this model. A column of a view counts when the
    /// view is there (views do not list their columns); a domain constraint is its domain.
    pub fn contains(&self, path: &ObjectPath) -> bool {
        use ObjectKind as K;
        if path.kind.is_defined() {
            return self.defined(path).is_some();
        }
        let Some(schema) = &path.schema else {
            return match path.kind {
                K::Schema => self.schemas.contains_key(&path.name),
                K::Extension => self.extensions.contains_key(&path.name),
                _ => false,
            };
        };
        let Some(ns) = self.schemas.get(schema) else {
            return false;
        };
        let name = path.name.as_str();
        let Some(parent) = path.parent.as_deref() else {
            return match path.kind {
                K::Table => ns.tables.contains_key(name),
                K::View => ns.views.get(name).is_some_and(|v| !v.materialized),
                K::MaterializedView => ns.views.get(name).is_some_and(|v| v.materialized),
                K::Sequence => ns.sequences.contains_key(name),
                K::Function | K::Procedure | K::Aggregate => ns.functions.contains_key(name),
                K::Type => ns.types.contains_key(name),
                _ => false,
            };
        };
        let (table, view) = (ns.tables.get(parent), ns.views.get(parent));
        match path.kind {
            K::Column => table.map_or(view.is_some(), |t| t.columns.contains_key(name)),
            K::Constraint => table.is_some_and(|t| t.constraints.contains_key(name)),
            K::Index => {
                table.is_some_and(|t| t.indexes.contains_key(name))
                    || view.is_some_and(|v| v.indexes.contains_key(name))
            }
            K::Trigger => {
                table.is_some_and(|t| t.triggers.contains_key(name))
                    || view.is_some_and(|v| v.triggers.contains_key(name))
            }
            K::Policy => table.is_some_and(|t| t.policies.contains_key(name)),
            _ => false,
        }
    }
}

impl Schema {
    /// The object of a kind compared by its statement that `path` names.
    pub fn defined(&self, path: &ObjectPath) -> Option<&DefinedObject> {
        (self.defined.binary_search_by(|d| d.path.cmp(path)).ok()).map(|i| &self.defined[i])
    }
}

impl std::fmt::Display for Dependency {
    /// `view public.v2 -> column public.v1.a`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} -> {} {}",
            self.from.kind.noun(),
            self.from,
            self.to.kind.noun(),
            self.to
        )
    }
}

/// One PostgreSQL schema (namespace) and everything inside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, Table>,
    /// Views and materialized views, which share one name space with tables in PostgreSQL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<String, View>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
    /// Functions, procedures and aggregates keyed by `name(argument types)`, the identity
    /// PostgreSQL itself uses for overloads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Function>,
    /// Enums, domains, composite types and ranges.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, Type>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub version: String,
    /// The schema the extension's objects were installed into.
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The extension's members whose privileges were changed after it made them (pg_dump
    /// prints their GRANT and REVOKE against `pg_init_privs`), sorted by path: languages,
    /// functions, procedures and aggregates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_grants: Vec<MemberGrants>,
}

/// The privileges on one member of an extension, where they differ from those it had when the
/// extension made it. Both lists hold privileges of others than the owner, as [`Grant`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberGrants {
    /// The member itself (`language plpgsql`, `function public.f(integer)`).
    pub path: ObjectPath,
    /// The member as GRANT names it: `LANGUAGE plpgsql`, `FUNCTION public.f(integer)`.
    pub target: String,
    /// The privileges the extension gave it (`pg_init_privs`, else the kind's default).
    pub initial: Vec<Grant>,
    /// The privileges it has.
    pub grants: Vec<Grant>,
}

/// One privilege held by one grantee on an object. Lists of grants are kept sorted.
///
/// These are effective privileges: a NULL ACL in the catalog has been expanded to the owner's
/// default privileges (e.g. EXECUTE for PUBLIC on functions). The owner's own privileges are
/// left out: they follow from ownership, which is compared separately.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// A role name, or `PUBLIC`.
    pub grantee: String,
    /// The privilege keyword as in GRANT: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES,
    /// TRIGGER, USAGE, CREATE, EXECUTE, ...
    pub privilege: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grantable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Persistence {
    #[default]
    Permanent,
    Unlogged,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub persistence: Persistence,
    /// `PARTITION BY ...` of a partitioned table, as `pg_get_partkeydef` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// For a partition: its parent, qualified (`public.events`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<String>,
    /// For a partition: `FOR VALUES ...` as `pg_get_expr(relpartbound)` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_bound: Option<String>,
    /// Parents by plain (non-partition) inheritance, qualified, in inheritance order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls_enabled: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls_forced: bool,
    /// Storage parameters (`fillfactor=70`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reloptions: Vec<String>,
    /// Boxed: a B-tree node has room for eleven entries, so a table of three columns would
    /// carry eight empty 240-byte slots (at 10,000 tables, 60 MB a schema).
    pub columns: BTreeMap<String, Box<Column>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that do not back a constraint (those are compared as constraints).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    /// Row-level security policies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Policy>,
    /// `REPLICA IDENTITY`: which old values logical replication records for UPDATE and DELETE.
    #[serde(default, skip_serializing_if = "is_default")]
    pub replica_identity: ReplicaIdentity,
    /// The index `CLUSTER` uses (`ALTER TABLE ... CLUSTER ON`), by name: an index of the table
    /// or the index of one of its constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_on: Option<String>,
    /// The table access method (`USING columnar`), when it is not `heap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_method: Option<String>,
    /// The tablespace, when it is not the database's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    /// CockroachDB: where the table's rows live (`REGIONAL BY ROW`, `GLOBAL`, `REGIONAL BY
    /// TABLE IN PRIMARY REGION`), when the table says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// CockroachDB: the column families by name, each its column list (`(id, name)`), when
    /// the table declares them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub families: BTreeMap<String, String>,
}

/// `pg_class.relreplident`, with the index for `USING INDEX` (by name: an index of the table
/// or the index of one of its constraints).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key, if any. Also a `USING INDEX` whose index was dropped: PostgreSQL then
    /// keeps `i` with no index marked, and pg_dump prints nothing, as for the default.
    #[default]
    Default,
    Nothing,
    Full,
    Index(String),
}

impl ReplicaIdentity {
    /// As after `REPLICA IDENTITY` (the index name quoted).
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".to_string(),
            ReplicaIdentity::Nothing => "NOTHING".to_string(),
            ReplicaIdentity::Full => "FULL".to_string(),
            ReplicaIdentity::Index(name) => format!("USING INDEX {}", quote_ident(name)),
        }
    }

    /// The index it names, if any.
    pub fn index(&self) -> Option<&str> {
        match self {
            ReplicaIdentity::Index(name) => Some(name),
            _ => None,
        }
    }
}

/// The options of an identity column's sequence, each only where it differs from what
/// PostgreSQL chooses by itself (as pg_dump's `NO MINVALUE`): increment 1; for an ascending
/// sequence minimum 1 and the type's maximum, for a descending one the type's minimum and -1;
/// start at the minimum (ascending) or the maximum (descending); cache 1; no cycle. So a
/// default identity column has none, and the raw values follow from these and the column's
/// type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

impl Column {
    /// The identity sequence options that are not PostgreSQL's own choices (none: the default).
    pub fn identity_options(&self) -> IdentityOptions {
        self.identity_options
            .as_deref()
            .copied()
            .unwrap_or_default()
    }
}

/// The raw sequence options of an identity column (`pg_sequence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceValues {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// The smallest and largest value of `smallint`, `integer` or `bigint` (bigint's for any
/// other name).
pub fn integer_range(data_type: &str) -> (i64, i64) {
    match data_type {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

impl IdentityOptions {
    /// The options of a sequence of `data_type` that differ from PostgreSQL's own choices.
    pub fn from_values(data_type: &str, v: SequenceValues) -> IdentityOptions {
        let (type_min, type_max) = integer_range(data_type);
        let ascending = v.increment > 0;
        let (min, max) = if ascending {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        let start = if ascending { v.min_value } else { v.max_value };
        IdentityOptions {
            start: (v.start != start).then_some(v.start),
            increment: (v.increment != 1).then_some(v.increment),
            min_value: (v.min_value != min).then_some(v.min_value),
            max_value: (v.max_value != max).then_some(v.max_value),
            cache: (v.cache != 1).then_some(v.cache),
            cycle: v.cycle,
        }
    }

    /// Every option's value, PostgreSQL's own choices filled in for a sequence of `data_type`.
    pub fn values(&self, data_type: &str) -> SequenceValues {
        let (type_min, type_max) = integer_range(data_type);
        let increment = self.increment.unwrap_or(1);
        let ascending = increment > 0;
        let min_value = self
            .min_value
            .unwrap_or(if ascending { 1 } else { type_min });
        let max_value = self
            .max_value
            .unwrap_or(if ascending { type_max } else { -1 });
        SequenceValues {
            start: self
                .start
                .unwrap_or(if ascending { min_value } else { max_value }),
            increment,
            min_value,
            max_value,
            cache: self.cache.unwrap_or(1),
            cycle: self.cycle,
        }
    }

    /// The options as in `GENERATED ... AS IDENTITY (...)`, only those that are not
    /// PostgreSQL's own choices; empty when there are none.
    pub fn sql(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.increment {
            parts.push(format!("INCREMENT BY {v}"));
        }
        if let Some(v) = self.min_value {
            parts.push(format!("MINVALUE {v}"));
        }
        if let Some(v) = self.max_value {
            parts.push(format!("MAXVALUE {v}"));
        }
        if let Some(v) = self.start {
            parts.push(format!("START WITH {v}"));
        }
        if let Some(v) = self.cache {
            parts.push(format!("CACHE {v}"));
        }
        if self.cycle {
            parts.push("CYCLE".to_string());
        }
        parts.join(" ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

impl Identity {
    pub fn sql(self) -> &'static str {
        match self {
            Identity::Always => "GENERATED ALWAYS AS IDENTITY",
            Identity::ByDefault => "GENERATED BY DEFAULT AS IDENTITY",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// 1-based position among the table's live columns (not the attnum, which keeps gaps
    /// where columns were dropped).
    pub position: u32,
    /// `format_type` output, e.g. `character varying(40)`, `public.order_status[]`.
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_null: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The expression of a `GENERATED ALWAYS AS (...) STORED` column. CockroachDB's computed
    /// columns keep their whole clause, `AS (a + 1:::INT8) STORED` or `... VIRTUAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// Only when it differs from the type's default collation, qualified (`pg_catalog."C"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Column-level privileges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// `SET STORAGE`, only when it is not the type's default: `plain`, `external`, `extended`
    /// or `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// `SET COMPRESSION` (PostgreSQL 14 and later): `pglz` or `lz4`; absent for the default
    /// (`default_toast_compression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// `SET STATISTICS`, when set (absent: the default, `default_statistics_target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// An identity column's sequence options, where they are not PostgreSQL's own choices
    /// (boxed, and absent when there are none: most columns have none, and a model holds
    /// hundreds of thousands of columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_options: Option<Box<IdentityOptions>>,
    /// Attribute options (`ALTER COLUMN c SET (n_distinct = 100)`), `name=value`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// CockroachDB: `NOT VISIBLE` (left out of `SELECT *`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Exclusion,
    /// A NOT NULL constraint stored in `pg_constraint` (PostgreSQL 18). The catalog reader folds
    /// these into `Column::not_null` so versions compare equal; the kind exists for completeness.
    NotNull,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef` output: `FOREIGN KEY (customer_id) REFERENCES public.customers(id)
    /// ON DELETE CASCADE DEFERRABLE`, `CHECK ((price > (0)::numeric))`, ...
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// `pg_get_indexdef` output: `CREATE UNIQUE INDEX orders_ref_idx ON public.orders USING btree
    /// (lower(ref)) INCLUDE (total) WHERE (deleted_at IS NULL)`.
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The tablespace, when it is not the database's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    /// Left unusable (`indisvalid` or `indisready` false), as a failed `CREATE INDEX
    /// CONCURRENTLY` leaves it: queries do not use it, and writes may still pay for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
    /// Statistics targets of expression columns (`ALTER INDEX i ALTER COLUMN 2 SET STATISTICS
    /// 500`), `column number=target`, in column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<String>,
    /// CockroachDB: how visible the index is to the optimizer, when not fully (`NOT VISIBLE`,
    /// `VISIBILITY 0.50`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// `pg_get_triggerdef` output.
    pub definition: String,
    /// Whether the trigger is enabled, and how: `O` origin (default), `D` disabled, `R` replica,
    /// `A` always — as in `pg_trigger.tgenabled`.
    #[serde(
        default = "trigger_enabled_default",
        skip_serializing_if = "is_trigger_enabled_default"
    )]
    pub enabled: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn trigger_enabled_default() -> String {
    "O".to_string()
}
fn is_trigger_enabled_default(s: &str) -> bool {
    s == "O"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// ALL, SELECT, INSERT, UPDATE or DELETE.
    pub command: String,
    pub permissive: bool,
    /// Role names (or `PUBLIC`), sorted.
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// `pg_get_viewdef` output.
    pub definition: String,
    /// View options (`security_barrier=true`, `check_option=local`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reloptions: Vec<String>,
    /// Indexes of a materialized view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    /// INSTEAD OF triggers on a view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    /// Comments on the view's columns, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_comments: BTreeMap<String, String>,
    /// Defaults of the view's columns (`ALTER VIEW v ALTER COLUMN c SET DEFAULT ...`), used by
    /// inserts through the view, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_defaults: BTreeMap<String, String>,
    /// The index a materialized view is marked to CLUSTER ON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_on: Option<String>,
    /// Column privileges (`GRANT SELECT (a) ON v`), by column name, sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_grants: BTreeMap<String, Vec<Grant>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
    /// `OWNED BY` column, qualified (`public.orders.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    pub kind: FunctionKind,
    /// Full argument list with names, modes and defaults (`pg_get_function_arguments`).
    pub arguments: String,
    /// `pg_get_function_result`; empty for procedures.
    pub returns: String,
    pub language: String,
    /// The body: `prosrc`, or the deparsed SQL-standard body (`BEGIN ATOMIC ...`), or for an
    /// aggregate its definition (state function, state type, ...).
    pub body: String,
    /// `immutable`, `stable` or `volatile`.
    pub volatility: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_definer: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leakproof: bool,
    /// `safe`, `restricted` or `unsafe`.
    pub parallel: String,
    pub cost: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<f32>,
    /// `SET` clauses (`search_path=public`), as stored in `proconfig`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<String>,
    /// Extensions it is marked as depending on (`ALTER FUNCTION ... DEPENDS ON EXTENSION e`:
    /// dropping the extension drops it), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

// No `deny_unknown_fields` here: serde does not support it together with `flatten`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Type {
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Comments on a domain's constraints, by constraint name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constraint_comments: BTreeMap<String, String>,
    #[serde(flatten)]
    pub definition: TypeDefinition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDefinition {
    Enum {
        /// Labels in sort order.
        labels: Vec<String>,
    },
    Domain {
        base_type: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        not_null: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collation: Option<String>,
        /// CHECK constraints by name.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        constraints: BTreeMap<String, String>,
    },
    Composite {
        /// Attributes in order: name, type (with collation when not default).
        attributes: Vec<(String, String)>,
    },
    Range {
        subtype: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subtype_opclass: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collation: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canonical: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subtype_diff: Option<String>,
    },
}

impl TypeDefinition {
    pub fn kind_name(&self) -> &'static str {
        match self {
            TypeDefinition::Enum { .. } => "enum",
            TypeDefinition::Domain { .. } => "domain",
            TypeDefinition::Composite { .. } => "composite",
            TypeDefinition::Range { .. } => "range",
        }
    }
}

/// The kind of an object (and of the object a finding is about).
macro_rules! object_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $noun:literal, $defined:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ObjectKind {
            $( $(#[$doc])* $variant, )*
        }

        impl ObjectKind {
            /// Every kind, in declaration order.
            pub const ALL: &[ObjectKind] = &[ $( ObjectKind::$variant, )* ];

            /// The kind as written in reports and in `exclude_kinds`: `materialized_view`.
            pub fn as_str(self) -> &'static str {
                match self { $( ObjectKind::$variant => $id, )* }
            }

            /// The kind in running text: `materialized view`.
            pub fn noun(self) -> &'static str {
                match self { $( ObjectKind::$variant => $noun, )* }
            }

            /// Whether objects of this kind are [`DefinedObject`]s: compared by the statement
            /// that makes them.
            pub fn is_defined(self) -> bool {
                match self { $( ObjectKind::$variant => $defined, )* }
            }
        }
    };
}

object_kinds! {
    Schema = "schema", "schema", false;
    Extension = "extension", "extension", false;
    Table = "table", "table", false;
    Column = "column", "column", false;
    Constraint = "constraint", "constraint", false;
    Index = "index", "index", false;
    View = "view", "view", false;
    MaterializedView = "materialized_view", "materialized view", false;
    Sequence = "sequence", "sequence", false;
    Function = "function", "function", false;
    Procedure = "procedure", "procedure", false;
    Aggregate = "aggregate", "aggregate", false;
    Trigger = "trigger", "trigger", false;
    Type = "type", "type", false;
    /// A base type made with input and output functions (`CREATE TYPE t (INPUT = ...)`), or a
    /// shell type (`CREATE TYPE t`): enums, domains, composite and range types are [`Type`].
    BaseType = "base_type", "base type", true;
    Policy = "policy", "policy", false;
    /// `CREATE RULE` on a table or view (a view's own `_RETURN` rule is its definition).
    Rule = "rule", "rule", true;
    /// `CREATE STATISTICS`.
    Statistics = "statistics", "statistics object", true;
    Publication = "publication", "publication", true;
    /// Compared by name and publication list: never its connection string.
    Subscription = "subscription", "subscription", true;
    EventTrigger = "event_trigger", "event trigger", true;
    /// `ALTER DEFAULT PRIVILEGES`: one grantee's privileges on one kind of object, for objects
    /// a role creates (in a schema, or anywhere).
    DefaultPrivilege = "default_privilege", "default privilege", true;
    Collation = "collation", "collation", true;
    TextSearchConfiguration = "text_search_configuration", "text search configuration", true;
    TextSearchDictionary = "text_search_dictionary", "text search dictionary", true;
    TextSearchParser = "text_search_parser", "text search parser", true;
    TextSearchTemplate = "text_search_template", "text search template", true;
    Cast = "cast", "cast", true;
    Operator = "operator", "operator", true;
    OperatorClass = "operator_class", "operator class", true;
    OperatorFamily = "operator_family", "operator family", true;
    Conversion = "conversion", "conversion", true;
    /// A procedural language not made by an extension (`CREATE LANGUAGE`).
    Language = "language", "language", true;
    /// `CREATE ACCESS METHOD` (outside extensions).
    AccessMethod = "access_method", "access method", true;
    Transform = "transform", "transform", true;
    ForeignDataWrapper = "foreign_data_wrapper", "foreign-data wrapper", true;
    ForeignServer = "foreign_server", "foreign server", true;
    /// By role and server only: never its options, which hold passwords.
    UserMapping = "user_mapping", "user mapping", true;
    /// With its server, options, columns and column options.
    ForeignTable = "foreign_table", "foreign table", true;
    /// CockroachDB: a replication zone (`ALTER TABLE t CONFIGURE ZONE USING ...`) set on the
    /// database, a table, an index or a partition.
    ZoneConfiguration = "zone_configuration", "zone configuration", true;
    /// The database as a whole, for findings about where a schema was read from.
    Database = "database", "database", false;
    /// An entry of the policy file (a waiver, a pattern), for findings about the policy itself.
    PolicyEntry = "policy_entry", "policy entry", false;
}

impl ObjectKind {
    /// Functions, procedures and aggregates: keyed by `name(argument types)`.
    pub fn is_function(self) -> bool {
        matches!(
            self,
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate
        )
    }

    /// Kinds whose name is already display text (quoted as needed, with argument types or a
    /// method): functions, operators, casts, operator classes and families, default
    /// privileges, transforms, zone configurations.
    pub fn name_is_display(self) -> bool {
        self.is_function()
            || matches!(
                self,
                ObjectKind::Operator
                    | ObjectKind::Cast
                    | ObjectKind::OperatorClass
                    | ObjectKind::OperatorFamily
                    | ObjectKind::DefaultPrivilege
                    | ObjectKind::Transform
                    | ObjectKind::ZoneConfiguration
            )
    }
}

/// The typed identity of an object: what it is, where it lives, its name. Dependency edges,
/// findings and plans all speak of objects through this one type, and `display` is the one
/// way an object's name is printed (terminal, SARIF logical locations, waiver matching).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectPath {
    pub kind: ObjectKind,
    /// The schema (namespace) the object lives in; `None` for schemas and extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table or view a column, constraint, index, trigger or policy belongs to (the domain
    /// type, for a domain constraint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The name as the model keys it: an identifier, or `name(argument types)` for functions
    /// (already display text, with the name quoted as needed).
    pub name: String,
}

impl ObjectPath {
    /// A schema, extension or other object that is not inside a schema.
    pub fn top(kind: ObjectKind, name: &str) -> ObjectPath {
        ObjectPath {
            kind,
            schema: None,
            parent: None,
            name: name.to_string(),
        }
    }

    /// An object directly inside a schema: a table, view, sequence, function or type.
    pub fn in_schema(kind: ObjectKind, schema: &str, name: &str) -> ObjectPath {
        ObjectPath {
            kind,
            schema: Some(schema.to_string()),
            parent: None,
            name: name.to_string(),
        }
    }

    /// An object inside a table or view: a column, constraint, index, trigger or policy.
    pub fn child(kind: ObjectKind, schema: &str, parent: &str, name: &str) -> ObjectPath {
        ObjectPath {
            kind,
            schema: Some(schema.to_string()),
            parent: Some(parent.to_string()),
            name: name.to_string(),
        }
    }

    /// The qualified name, identifiers quoted as PostgreSQL would: `public.orders.total`,
    /// `public.add_item(integer, text)`, `public.orders.orders_pkey` for a constraint, and
    /// `public.orders_created_idx` for an index (indexes live in the schema's name space).
    pub fn display(&self) -> String {
        let name = if self.kind.name_is_display() {
            self.name.clone()
        } else {
            quote_ident(&self.name)
        };
        let mut out = String::new();
        if let Some(schema) = &self.schema {
            out.push_str(&quote_ident(schema));
            out.push('.');
        }
        if let Some(parent) = &self.parent
            && self.kind != ObjectKind::Index
        {
            out.push_str(&quote_ident(parent));
            out.push('.');
        }
        out.push_str(&name);
        out
    }
}

impl std::fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.display())
    }
}

/// What a string of the model names, for renames between environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSlot {
    /// A role: an owner, a grantee, a policy's role.
    Role,
    /// A schema name, exactly (a schema map key, an extension's schema).
    Schema,
    /// SQL text that can qualify names with a schema: definitions, expressions, type names,
    /// qualified references (`public.events`), function keys.
    Sql,
    /// Prose and labels that merely hold text: comments, enum labels, options, keywords.
    Text,
}

/// Call `f` on every string of the model that names something, with what it names. Map keys
/// that can change under a rename (schema names, function keys with their argument types) are
/// visited too, and the maps re-keyed.
///
/// Written with exhaustive destructuring: a new field in the model is a compile error here until
/// someone decides what it names, so no value is silently left out of (or wrongly put into) a
/// rename.
pub fn visit_names_mut(schema: &mut Schema, f: &mut impl FnMut(NameSlot, &mut String)) {
    let Schema {
        schemas,
        extensions,
        dependencies,
        defined,
        cockroachdb: _,
    } = schema;
    for d in defined.iter_mut() {
        let DefinedObject {
            path,
            definition,
            target,
            drop,
            unplannable,
            owner,
            comment,
            grants: object_grants,
        } = d;
        if let Some(s) = &mut path.schema {
            f(NameSlot::Schema, s);
        }
        // Names with argument types (operators, casts) can be schema-qualified.
        if path.kind.name_is_display() {
            f(NameSlot::Sql, &mut path.name);
        }
        f(NameSlot::Sql, definition);
        f(NameSlot::Sql, target);
        sql(drop, f);
        text(unplannable, f);
        if let Some(o) = owner {
            f(NameSlot::Role, o);
        }
        text(comment, f);
        grants(object_grants, f);
    }
    for d in dependencies.iter_mut() {
        for path in [&mut d.from, &mut d.to] {
            if let Some(s) = &mut path.schema {
                f(NameSlot::Schema, s);
            }
            // Function keys carry argument types, which can be schema-qualified.
            if path.kind.is_function() {
                f(NameSlot::Sql, &mut path.name);
            }
        }
    }
    rekey(schemas, NameSlot::Schema, f);
    for ns in schemas.values_mut() {
        visit_namespace(ns, f);
    }
    for e in extensions.values_mut() {
        let Extension {
            version,
            schema,
            comment,
            member_grants,
        } = e;
        f(NameSlot::Text, version);
        f(NameSlot::Schema, schema);
        text(comment, f);
        for m in member_grants {
            let MemberGrants {
                path,
                target,
                initial,
                grants: held,
            } = m;
            if let Some(s) = &mut path.schema {
                f(NameSlot::Schema, s);
            }
            if path.kind.is_function() {
                f(NameSlot::Sql, &mut path.name);
            }
            f(NameSlot::Sql, target);
            grants(initial, f);
            grants(held, f);
        }
    }
}

/// Re-key a map whose keys `f` may rewrite.
fn rekey<V>(
    map: &mut BTreeMap<String, V>,
    slot: NameSlot,
    f: &mut impl FnMut(NameSlot, &mut String),
) {
    let old = std::mem::take(map);
    for (mut key, value) in old {
        f(slot, &mut key);
        map.insert(key, value);
    }
}

fn text(value: &mut Option<String>, f: &mut impl FnMut(NameSlot, &mut String)) {
    if let Some(v) = value {
        f(NameSlot::Text, v);
    }
}

fn sql(value: &mut Option<String>, f: &mut impl FnMut(NameSlot, &mut String)) {
    if let Some(v) = value {
        f(NameSlot::Sql, v);
    }
}

fn grants(list: &mut [Grant], f: &mut impl FnMut(NameSlot, &mut String)) {
    for g in list {
        let Grant {
            grantee,
            privilege,
            grantable: _,
        } = g;
        f(NameSlot::Role, grantee);
        f(NameSlot::Text, privilege);
    }
}

fn visit_namespace(ns: &mut Namespace, f: &mut impl FnMut(NameSlot, &mut String)) {
    let Namespace {
        owner,
        comment,
        grants: ns_grants,
        tables,
        views,
        sequences,
        functions,
        types,
    } = ns;
    f(NameSlot::Role, owner);
    text(comment, f);
    grants(ns_grants, f);
    for t in tables.values_mut() {
        visit_table(t, f);
    }
    for v in views.values_mut() {
        let View {
            owner,
            comment,
            grants: view_grants,
            materialized: _,
            definition,
            reloptions,
            indexes,
            triggers,
            column_comments,
            column_defaults,
            column_grants,
            cluster_on,
        } = v;
        text(cluster_on, f);
        column_defaults
            .values_mut()
            .for_each(|d| f(NameSlot::Sql, d));
        f(NameSlot::Role, owner);
        text(comment, f);
        grants(view_grants, f);
        column_comments
            .values_mut()
            .for_each(|c| f(NameSlot::Text, c));
        column_grants.values_mut().for_each(|g| grants(g, f));
        f(NameSlot::Sql, definition);
        reloptions.iter_mut().for_each(|o| f(NameSlot::Text, o));
        indexes.values_mut().for_each(|i| visit_index(i, f));
        triggers.values_mut().for_each(|t| visit_trigger(t, f));
    }
    for s in sequences.values_mut() {
        let Sequence {
            owner,
            comment,
            grants: sequence_grants,
            data_type,
            start: _,
            increment: _,
            min_value: _,
            max_value: _,
            cache: _,
            cycle: _,
            owned_by,
        } = s;
        f(NameSlot::Role, owner);
        text(comment, f);
        grants(sequence_grants, f);
        f(NameSlot::Text, data_type);
        sql(owned_by, f);
    }
    rekey(functions, NameSlot::Sql, f);
    for func in functions.values_mut() {
        let Function {
            owner,
            comment,
            grants: function_grants,
            kind: _,
            arguments,
            returns,
            language,
            body,
            volatility,
            strict: _,
            security_definer: _,
            leakproof: _,
            parallel,
            cost: _,
            rows: _,
            config,
            extensions,
        } = func;
        extensions.iter_mut().for_each(|x| f(NameSlot::Text, x));
        f(NameSlot::Role, owner);
        text(comment, f);
        grants(function_grants, f);
        f(NameSlot::Sql, arguments);
        f(NameSlot::Sql, returns);
        f(NameSlot::Text, language);
        f(NameSlot::Sql, body);
        f(NameSlot::Text, volatility);
        f(NameSlot::Text, parallel);
        config.iter_mut().for_each(|c| f(NameSlot::Text, c));
    }
    for ty in types.values_mut() {
        let Type {
            owner,
            comment,
            grants: type_grants,
            constraint_comments,
            definition,
        } = ty;
        f(NameSlot::Role, owner);
        text(comment, f);
        grants(type_grants, f);
        constraint_comments
            .values_mut()
            .for_each(|c| f(NameSlot::Text, c));
        match definition {
            TypeDefinition::Enum { labels } => {
                labels.iter_mut().for_each(|l| f(NameSlot::Text, l));
            }
            TypeDefinition::Domain {
                base_type,
                not_null: _,
                default,
                collation,
                constraints,
            } => {
                f(NameSlot::Sql, base_type);
                sql(default, f);
                sql(collation, f);
                constraints.values_mut().for_each(|c| f(NameSlot::Sql, c));
            }
            TypeDefinition::Composite { attributes } => {
                for (name, ty) in attributes {
                    f(NameSlot::Text, name);
                    f(NameSlot::Sql, ty);
                }
            }
            TypeDefinition::Range {
                subtype,
                subtype_opclass,
                collation,
                canonical,
                subtype_diff,
            } => {
                f(NameSlot::Sql, subtype);
                sql(subtype_opclass, f);
                sql(collation, f);
                sql(canonical, f);
                sql(subtype_diff, f);
            }
        }
    }
}

fn visit_table(t: &mut Table, f: &mut impl FnMut(NameSlot, &mut String)) {
    let Table {
        owner,
        comment,
        grants: table_grants,
        persistence: _,
        partition_key,
        partition_of,
        partition_bound,
        inherits,
        rls_enabled: _,
        rls_forced: _,
        reloptions,
        columns,
        constraints,
        indexes,
        triggers,
        policies,
        replica_identity,
        cluster_on,
        access_method,
        tablespace,
        locality,
        families: _,
    } = t;
    text(locality, f);
    if let ReplicaIdentity::Index(index) = replica_identity {
        f(NameSlot::Text, index);
    }
    text(cluster_on, f);
    text(access_method, f);
    text(tablespace, f);
    f(NameSlot::Role, owner);
    text(comment, f);
    grants(table_grants, f);
    sql(partition_key, f);
    sql(partition_of, f);
    sql(partition_bound, f);
    inherits.iter_mut().for_each(|p| f(NameSlot::Sql, p));
    reloptions.iter_mut().for_each(|o| f(NameSlot::Text, o));
    for c in columns.values_mut() {
        let Column {
            position: _,
            data_type,
            not_null: _,
            default,
            identity: _,
            generated,
            collation,
            comment,
            grants: column_grants,
            storage,
            compression,
            statistics: _,
            identity_options: _,
            options,
            hidden: _,
        } = &mut **c;
        options.iter_mut().for_each(|o| f(NameSlot::Text, o));
        text(storage, f);
        text(compression, f);
        f(NameSlot::Sql, data_type);
        sql(default, f);
        sql(generated, f);
        sql(collation, f);
        text(comment, f);
        grants(column_grants, f);
    }
    for c in constraints.values_mut() {
        let Constraint {
            kind: _,
            definition,
            comment,
        } = c;
        f(NameSlot::Sql, definition);
        text(comment, f);
    }
    indexes.values_mut().for_each(|i| visit_index(i, f));
    triggers.values_mut().for_each(|t| visit_trigger(t, f));
    for p in policies.values_mut() {
        let Policy {
            command,
            permissive: _,
            roles,
            using,
            with_check,
            comment,
        } = p;
        f(NameSlot::Text, command);
        roles.iter_mut().for_each(|r| f(NameSlot::Role, r));
        sql(using, f);
        sql(with_check, f);
        text(comment, f);
    }
}

fn visit_index(i: &mut Index, f: &mut impl FnMut(NameSlot, &mut String)) {
    let Index {
        definition,
        comment,
        tablespace,
        invalid: _,
        statistics: _,
        visibility: _,
    } = i;
    f(NameSlot::Sql, definition);
    text(comment, f);
    text(tablespace, f);
}

fn visit_trigger(t: &mut Trigger, f: &mut impl FnMut(NameSlot, &mut String)) {
    let Trigger {
        definition,
        enabled,
        comment,
    } = t;
    f(NameSlot::Sql, definition);
    f(NameSlot::Text, enabled);
    text(comment, f);
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// PostgreSQL keywords that `quote_ident` quotes (every keyword category except unreserved).
/// From `src/include/parser/kwlist.h`; the list changes rarely and only grows.
#[rustfmt::skip]
const QUOTED_KEYWORDS: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
    "is", "isnull", "join", "json", "json_array", "json_arrayagg", "json_exists", "json_object",
    "json_objectagg", "json_query", "json_scalar", "json_serialize", "json_table", "json_value",
    "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
    "merge_action", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
    "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
    "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to",
    "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
    "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
    "xmlserialize", "xmltable",
];

/// Quote an identifier the way PostgreSQL's `quote_ident` does: only when it is not a plain
/// lower-case identifier or is a keyword that needs quoting.
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && QUOTED_KEYWORDS.binary_search(&name).is_err();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        let mut sorted = QUOTED_KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, QUOTED_KEYWORDS);
    }

    #[test]
    fn quotes_like_postgres() {
        assert_eq!(quote_ident("orders"), "orders");
        assert_eq!(quote_ident("order_items2"), "order_items2");
        assert_eq!(quote_ident("Orders"), "\"Orders\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("2fa"), "\"2fa\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("name"), "name"); // unreserved keyword
        assert_eq!(qualified("public", "select"), "public.\"select\"");
    }

    #[test]
    fn contains_finds_objects_by_path() {
        use ObjectKind as K;
        let mut table = Table::default();
        table.columns.insert(
            "id".into(),
            Box::new(Column {
                position: 1,
                data_type: "integer".into(),
                ..Column::default()
            }),
        );
        table.indexes.insert("t_idx".into(), Index::default());
        let view = View {
            owner: String::new(),
            comment: None,
            grants: Vec::new(),
            materialized: true,
            definition: String::new(),
            reloptions: Vec::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            column_comments: Default::default(),
            column_defaults: Default::default(),
            cluster_on: None,
            column_grants: Default::default(),
        };
        let mut ns = Namespace::default();
        ns.tables.insert("t".into(), table);
        ns.views.insert("mv".into(), view);
        let mut schema = Schema::default();
        schema.schemas.insert("app".into(), ns);
        assert!(schema.contains(&ObjectPath::top(K::Schema, "app")));
        assert!(schema.contains(&ObjectPath::in_schema(K::Table, "app", "t")));
        assert!(schema.contains(&ObjectPath::child(K::Column, "app", "t", "id")));
        assert!(schema.contains(&ObjectPath::child(K::Index, "app", "t", "t_idx")));
        assert!(schema.contains(&ObjectPath::in_schema(K::MaterializedView, "app", "mv")));
        // A view's columns are not listed: the view stands for them.
        assert!(schema.contains(&ObjectPath::child(K::Column, "app", "mv", "anything")));
        assert!(!schema.contains(&ObjectPath::in_schema(K::View, "app", "mv")));
        assert!(!schema.contains(&ObjectPath::child(K::Column, "app", "t", "nope")));
        assert!(!schema.contains(&ObjectPath::in_schema(K::Table, "other", "t")));
        assert!(!schema.contains(&ObjectPath::top(K::Extension, "citext")));
    }

    #[test]
    fn paths_display_as_postgres_names_them() {
        use ObjectKind::*;
        assert_eq!(ObjectPath::top(Schema, "Billing").display(), "\"Billing\"");
        assert_eq!(
            ObjectPath::in_schema(Table, "public", "user").display(),
            "public.\"user\""
        );
        let column = ObjectPath::child(Column, "public", "orders", "total");
        assert_eq!(column.display(), "public.orders.total");
        let index = ObjectPath::child(Index, "public", "orders", "orders_created_idx");
        assert_eq!(index.display(), "public.orders_created_idx");
        let function = ObjectPath::in_schema(Function, "public", "add_item(integer, text)");
        assert_eq!(function.display(), "public.add_item(integer, text)");
    }
}

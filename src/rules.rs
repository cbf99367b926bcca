//! The rules: every kind of difference pgdrift reports, with a stable id, a category, a default
//! severity and an explanation. Findings, severity settings, waivers and every report speak in
//! these ids; `pgdrift rules` prints this table.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ignore,
    Note,
    Warning,
    /// The default, so that a verdict without a policy fails on errors.
    #[default]
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ignore => "ignore",
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a rule is about, for grouping totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Objects that exist on one side only.
    Presence,
    /// The shape or behaviour of an object differs.
    Definition,
    /// Privileges and ownership.
    Access,
    /// Comments, column order and names: visible, but not behaviour.
    Cosmetic,
    /// About the policy file itself: expired waivers, patterns that match nothing.
    Policy,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Presence => "presence",
            Category::Definition => "definition",
            Category::Access => "access",
            Category::Cosmetic => "cosmetic",
            Category::Policy => "policy",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: RuleId,
    pub category: Category,
    pub default_severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
}

/// Whether a rule is about an object present on one side only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In expected, not in actual.
    Missing,
    /// In actual, not in expected.
    Extra,
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $cat:ident, $sev:ident, $summary:literal, $explanation:literal; )*) => {
        /// A rule id. Written as its text (`column.type`) in every report, policy and snapshot.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $( $variant, )*
        }

        impl RuleId {
            /// Every rule id, sorted by its text.
            pub const ALL: &[RuleId] = &[ $( RuleId::$variant, )* ];

            /// The id as written: `column.type`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( RuleId::$variant => $id, )*
                }
            }
        }

        /// Every rule, sorted by id.
        pub const RULES: &[Rule] = &[
            $( Rule {
                id: RuleId::$variant,
                category: Category::$cat,
                default_severity: Severity::$sev,
                summary: $summary,
                explanation: $explanation,
            }, )*
        ];
    };
}

impl RuleId {
    /// The rule id written as `text`, if there is one.
    pub fn parse(text: &str) -> Option<RuleId> {
        RULES
            .binary_search_by(|r| r.id.as_str().cmp(text))
            .ok()
            .map(|i| RULES[i].id)
    }

    /// The rule's entry in the registry.
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    /// The family: the part before the dot (`column` for `column.type`), as `exclude_kinds`
    /// names it.
    pub fn family(self) -> &'static str {
        let id = self.as_str();
        id.split_once('.').map_or(id, |(family, _)| family)
    }

    /// For `*.missing` and `*.extra` rules: which side has the object.
    pub fn presence(self) -> Option<Presence> {
        match self.as_str().rsplit_once('.').map(|(_, what)| what) {
            Some("missing") => Some(Presence::Missing),
            Some("extra") => Some(Presence::Extra),
            _ => None,
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RuleId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule id `{text}`")))
    }
}

rules! {
    AccessMethodDefinition = "access_method.definition", Definition, Error, "An access method's definition differs",
        "The access method exists on both sides with another definition: tables or indexes using it cannot be created, or use another handler.";
    AccessMethodExtra = "access_method.extra", Presence, Error, "An access method exists only in the actual schema",
        "The actual database has an access method the expected schema does not (it stores tables or indexes). Often made by hand, or by a migration that was never committed.";
    AccessMethodMissing = "access_method.missing", Presence, Error, "An access method of the expected schema is missing",
        "The expected schema has an access method the actual database lacks (it stores tables or indexes): tables or indexes using it cannot be created, or use another handler.";
    BaseTypeDefinition = "base_type.definition", Definition, Error, "A base type's definition differs",
        "The base type exists on both sides with another definition (its input, output or binary functions, length, alignment, storage, category), or is only a shell on one side: values of the type are read, written, stored or compared otherwise, or not at all.";
    BaseTypeExtra = "base_type.extra", Presence, Error, "A base type exists only in the actual schema",
        "The actual database has a base type (or a shell type) the expected schema does not (a type made from C or internal functions). Often made by hand, or by a migration that was never committed.";
    BaseTypeMissing = "base_type.missing", Presence, Error, "A base type of the expected schema is missing",
        "The expected schema has a base type (or a shell type) the actual database lacks (a type made from C or internal functions): columns, functions and casts using it cannot be created.";
    CastDefinition = "cast.definition", Definition, Error, "A cast's definition differs",
        "The cast exists on both sides with another definition: conversions between two types run another function, or happen implicitly in one environment only: expressions resolve to other functions and operators, or fail.";
    CastExtra = "cast.extra", Presence, Error, "A cast exists only in the actual schema",
        "The actual database has a cast the expected schema does not (it converts values between two types). Often made by hand, or by a migration that was never committed.";
    CastMissing = "cast.missing", Presence, Error, "A cast of the expected schema is missing",
        "The expected schema has a cast the actual database lacks (it converts values between two types): conversions between two types run another function, or happen implicitly in one environment only: expressions resolve to other functions and operators, or fail.";
    CollationDefinition = "collation.definition", Definition, Error, "A collation's definition differs",
        "The collation exists on both sides with another definition: text sorts and compares under another set of rules: ordering, uniqueness and the indexes that depend on them differ.";
    CollationExtra = "collation.extra", Presence, Error, "A collation exists only in the actual schema",
        "The actual database has a collation the expected schema does not (it defines how text sorts and compares). Often made by hand, or by a migration that was never committed.";
    CollationMissing = "collation.missing", Presence, Error, "A collation of the expected schema is missing",
        "The expected schema has a collation the actual database lacks (it defines how text sorts and compares): text sorts and compares under another set of rules: ordering, uniqueness and the indexes that depend on them differ.";
    ColumnCollation = "column.collation", Definition, Error, "A column's collation differs",
        "The column sorts and compares text under a different collation. Ordering, uniqueness and \
         index usage for LIKE and range queries can change, and indexes built under one collation \
         do not serve queries that need the other.";
    ColumnCompression = "column.compression", Definition, Warning, "A column's compression method differs",
        "The column's large values are compressed with another method (SET COMPRESSION pglz or \
         lz4, PostgreSQL 14 and later), or one side sets one and the other uses the server's \
         default_toast_compression. Values already stored keep their method; the space they take \
         and the CPU spent reading and writing them differ.";
    ColumnDefault = "column.default", Definition, Error, "A column's default expression differs",
        "Rows inserted without a value for this column get a different value (or none). \
         Application code that relies on the default, such as timestamps or generated keys, \
         behaves differently.";
    ColumnExtra = "column.extra", Presence, Error, "A column exists only in the actual schema",
        "The actual table has a column the expected schema does not. Often a manual hotfix or a \
         migration that was applied but never committed; a NOT NULL extra column breaks inserts \
         that do not know it.";
    ColumnGenerated = "column.generated", Definition, Error, "A generated column's expression differs",
        "The column is computed differently, or is generated on one side and a plain column on \
         the other. Stored values and writes to the column behave differently.";
    ColumnHidden = "column.hidden", Definition, Warning, "A column's visibility differs (CockroachDB)",
        "CockroachDB: the column is NOT VISIBLE on one side only. A hidden column is left out of \
         SELECT * and of INSERT without a column list, so queries that rely on the column list \
         see other columns.";
    ColumnIdentity = "column.identity", Definition, Error, "A column's identity setting differs",
        "The column is GENERATED ALWAYS / BY DEFAULT AS IDENTITY on one side and not (or the \
         other way) on the other side. Inserts that supply a value, and key generation, behave \
         differently.";
    ColumnIdentityOptions = "column.identity_options", Definition, Error, "An identity column's sequence options differ",
        "Both sides have an identity column, but its sequence starts, steps, is bounded, caches \
         or cycles differently (ALTER COLUMN ... SET INCREMENT BY / MINVALUE / MAXVALUE / START \
         WITH / CACHE / CYCLE). Generated keys differ, and a key range can run out on one side \
         only.";
    ColumnMissing = "column.missing", Presence, Error, "A column of the expected schema is missing",
        "The expected table has a column the actual table lacks. Queries that read or write it \
         fail.";
    ColumnNullable = "column.nullable", Definition, Error, "A column's NOT NULL constraint differs",
        "The column accepts NULL on one side only. Writes that succeed in one environment fail \
         in the other, or invalid data can get in.";
    ColumnOptions = "column.options", Definition, Warning, "A column's attribute options differ",
        "The column has other attribute options (ALTER COLUMN ... SET (n_distinct = ...)): the \
         planner estimates the number of distinct values differently, so query plans can differ.";
    ColumnOrder = "column.order", Cosmetic, Warning, "Columns are in a different order",
        "The table has the same columns in a different order. Queries by name are unaffected, \
         but SELECT *, INSERT without a column list and COPY depend on the order.";
    ColumnStatistics = "column.statistics", Definition, Warning, "A column's statistics target differs",
        "ANALYZE samples the column with another target (ALTER COLUMN ... SET STATISTICS), or \
         one side sets one and the other uses default_statistics_target. The planner's estimates, \
         and so query plans, can differ.";
    ColumnStorage = "column.storage", Definition, Warning, "A column's storage mode differs",
        "The column's values are stored PLAIN, MAIN, EXTERNAL or EXTENDED differently from the \
         other side (ALTER COLUMN ... SET STORAGE; only a mode other than the type's default \
         counts). Whether large values are compressed and moved out of line differs, and with \
         it the table's size and the speed of reading them.";
    ColumnType = "column.type", Definition, Error, "A column's data type differs",
        "The column has a different type, length, precision or array dimension. Values may be \
         truncated or rejected, and comparisons and indexes behave differently.";
    CommentMismatch = "comment.mismatch", Cosmetic, Warning, "An object's comment differs",
        "COMMENT ON text differs or exists on one side only. Comments carry documentation and are \
         read by tools (PostgREST, GraphQL layers, data catalogs).";
    ConstraintDefinition = "constraint.definition", Definition, Error, "A constraint's definition differs",
        "A constraint with this name checks something different: other columns, another \
         referenced table, other ON DELETE / ON UPDATE actions, deferrability, NULLS NOT \
         DISTINCT, or another CHECK expression.";
    ConstraintExtra = "constraint.extra", Presence, Error, "A constraint exists only in the actual schema",
        "The actual table enforces a rule the expected schema does not: writes the application \
         expects to succeed can fail.";
    ConstraintMissing = "constraint.missing", Presence, Error, "A constraint of the expected schema is missing",
        "A primary key, unique, foreign key, check or exclusion constraint is missing: invalid or \
         duplicate data can get in, and ON CONFLICT clauses that name it fail.";
    ConstraintName = "constraint.name", Cosmetic, Warning, "A constraint has another name",
        "The actual table has a constraint with the same definition under another name, often a \
         generated name (orders_customer_id_fkey) against a chosen one (orders_customer_fk). \
         Behaviour is the same, but migrations and ON CONFLICT ON CONSTRAINT clauses that name \
         it fail. `ignore.constraint_names` matches constraints by definition only.";
    ConversionDefinition = "conversion.definition", Definition, Error, "An encoding conversion's definition differs",
        "The encoding conversion exists on both sides with another definition: text converted between two encodings uses another function.";
    ConversionExtra = "conversion.extra", Presence, Error, "An encoding conversion exists only in the actual schema",
        "The actual database has an encoding conversion the expected schema does not (it converts text between two encodings). Often made by hand, or by a migration that was never committed.";
    ConversionMissing = "conversion.missing", Presence, Error, "An encoding conversion of the expected schema is missing",
        "The expected schema has an encoding conversion the actual database lacks (it converts text between two encodings): text converted between two encodings uses another function.";
    DefaultPrivilegeDefinition = "default_privilege.definition", Definition, Error, "A default privilege's definition differs",
        "The default privilege exists on both sides with another definition: objects a role creates from now on get different privileges: a new table may be unreadable to an application role in one environment, or readable by everyone in the other.";
    DefaultPrivilegeExtra = "default_privilege.extra", Presence, Error, "A default privilege exists only in the actual schema",
        "The actual database has a default privilege the expected schema does not (it gives privileges on objects a role creates from now on). Often made by hand, or by a migration that was never committed.";
    DefaultPrivilegeMissing = "default_privilege.missing", Presence, Error, "A default privilege of the expected schema is missing",
        "The expected schema has a default privilege the actual database lacks (it gives privileges on objects a role creates from now on): objects a role creates from now on get different privileges: a new table may be unreadable to an application role in one environment, or readable by everyone in the other.";
    EventTriggerDefinition = "event_trigger.definition", Definition, Error, "An event trigger's definition differs",
        "The event trigger exists on both sides with another definition: DDL commands run other functions (or none) when they start, end or drop objects: audit logs, guards against dangerous DDL, or extensions' bookkeeping behave differently.";
    EventTriggerExtra = "event_trigger.extra", Presence, Error, "An event trigger exists only in the actual schema",
        "The actual database has an event trigger the expected schema does not (it runs a function on DDL commands). Often made by hand, or by a migration that was never committed.";
    EventTriggerMissing = "event_trigger.missing", Presence, Error, "An event trigger of the expected schema is missing",
        "The expected schema has an event trigger the actual database lacks (it runs a function on DDL commands): DDL commands run other functions (or none) when they start, end or drop objects: audit logs, guards against dangerous DDL, or extensions' bookkeeping behave differently.";
    ExtensionExtra = "extension.extra", Presence, Error, "An extension is installed only in the actual database",
        "The actual database has an extension the expected schema does not declare.";
    ExtensionMissing = "extension.missing", Presence, Error, "An extension of the expected schema is missing",
        "An extension the schema relies on is not installed; its types, functions and operators \
         are unavailable.";
    ExtensionVersion = "extension.version", Definition, Error, "An extension's version or schema differs",
        "The extension is installed at another version (or into another schema). Its functions \
         and types can behave differently between versions.";
    ForeignDataWrapperDefinition = "foreign_data_wrapper.definition", Definition, Error, "A foreign-data wrapper's definition differs",
        "The foreign-data wrapper exists on both sides with another definition: foreign servers of the wrapper cannot be created, or use another handler, validator or options.";
    ForeignDataWrapperExtra = "foreign_data_wrapper.extra", Presence, Error, "A foreign-data wrapper exists only in the actual schema",
        "The actual database has a foreign-data wrapper the expected schema does not (it connects foreign servers). Often made by hand, or by a migration that was never committed.";
    ForeignDataWrapperMissing = "foreign_data_wrapper.missing", Presence, Error, "A foreign-data wrapper of the expected schema is missing",
        "The expected schema has a foreign-data wrapper the actual database lacks (it connects foreign servers): foreign servers of the wrapper cannot be created, or use another handler, validator or options.";
    ForeignServerDefinition = "foreign_server.definition", Definition, Error, "A foreign server's definition differs",
        "The foreign server exists on both sides with another definition (type, version, wrapper or options): foreign tables read from another place, or cannot be read at all. A server's options are compared and shown in reports, snapshots and plans like the rest of its definition, so they should hold no secrets: keep passwords in user mappings, whose options are never read.";
    ForeignServerExtra = "foreign_server.extra", Presence, Error, "A foreign server exists only in the actual schema",
        "The actual database has a foreign server the expected schema does not (it names a remote data source). Often made by hand, or by a migration that was never committed.";
    ForeignServerMissing = "foreign_server.missing", Presence, Error, "A foreign server of the expected schema is missing",
        "The expected schema has a foreign server the actual database lacks (it names a remote data source): foreign tables read from another place, or cannot be read at all.";
    ForeignTableDefinition = "foreign_table.definition", Definition, Error, "A foreign table's definition differs",
        "The foreign table exists on both sides with another definition: queries of the table read remote data of another shape or place, or fail.";
    ForeignTableExtra = "foreign_table.extra", Presence, Error, "A foreign table exists only in the actual schema",
        "The actual database has a foreign table the expected schema does not (it reads data kept outside the database). Often made by hand, or by a migration that was never committed.";
    ForeignTableMissing = "foreign_table.missing", Presence, Error, "A foreign table of the expected schema is missing",
        "The expected schema has a foreign table the actual database lacks (it reads data kept outside the database): queries of the table read remote data of another shape or place, or fail.";
    FunctionDefinition = "function.definition", Definition, Error, "A function's definition differs",
        "The function or procedure has a different body, return type, language, volatility, \
         strictness, security, parallel safety, cost or SET configuration.";
    FunctionExtra = "function.extra", Presence, Error, "A function exists only in the actual schema",
        "The actual schema has a function or procedure (this name with these argument types) \
         the expected schema does not.";
    FunctionMissing = "function.missing", Presence, Error, "A function of the expected schema is missing",
        "A function or procedure with this name and these argument types is missing; callers, \
         triggers and defaults that use it fail.";
    GrantExtra = "grant.extra", Access, Error, "A privilege is granted only in the actual schema",
        "A role holds a privilege the expected schema does not give it: more access than \
         intended.";
    GrantMissing = "grant.missing", Access, Error, "A privilege of the expected schema is not granted",
        "A role lacks a privilege the expected schema gives it: the application fails with \
         permission denied.";
    IndexDefinition = "index.definition", Definition, Error, "An index's definition differs",
        "An index with this name covers other columns or expressions, uses another method, \
         another predicate, INCLUDE list or uniqueness.";
    IndexExtra = "index.extra", Presence, Error, "An index exists only in the actual schema",
        "The actual table has an index the expected schema does not: writes pay for it, and a \
         unique one rejects data.";
    IndexInvalid = "index.invalid", Definition, Error, "An index is invalid",
        "The index has the expected definition but is invalid on one side: a CREATE INDEX \
         CONCURRENTLY or REINDEX CONCURRENTLY failed (or is still running) and left it behind. \
         Queries do not use it, writes may still pay for it, and a unique one may not protect \
         what it should. Drop it and build it again.";
    IndexMissing = "index.missing", Presence, Error, "An index of the expected schema is missing",
        "A missing index makes queries slow; a missing unique index lets duplicates in.";
    IndexName = "index.name", Cosmetic, Warning, "An index has another name",
        "The actual table has an index with the same definition under another name. Queries are \
         served the same, but migrations that drop or rename it by name fail. \
         `ignore.index_names` matches indexes by definition only.";
    IndexTablespace = "index.tablespace", Definition, Warning, "An index is in another tablespace",
        "The index is stored in another tablespace (ALTER INDEX ... SET TABLESPACE). Environments \
         often lay out storage differently, so `ignore.tablespaces` (on by default) drops this \
         finding.";
    IndexVisibility = "index.visibility", Definition, Warning, "An index's visibility differs (CockroachDB)",
        "CockroachDB: the index is NOT VISIBLE, or visible to a share of queries (VISIBILITY \
         0.5), on one side only. The optimizer ignores an invisible index unless a query names \
         it, so query plans and their speed differ; the index is still kept up to date on writes.";
    LanguageDefinition = "language.definition", Definition, Error, "A procedural language's definition differs",
        "The procedural language exists on both sides with another definition: functions written in the language cannot be created (or run another handler).";
    LanguageExtra = "language.extra", Presence, Error, "A procedural language exists only in the actual schema",
        "The actual database has a procedural language the expected schema does not (it runs functions written in it). Often made by hand, or by a migration that was never committed.";
    LanguageMissing = "language.missing", Presence, Error, "A procedural language of the expected schema is missing",
        "The expected schema has a procedural language the actual database lacks (it runs functions written in it): functions written in the language cannot be created (or run another handler).";
    OperatorDefinition = "operator.definition", Definition, Error, "An operator's definition differs",
        "The operator exists on both sides with another definition: expressions using the operator run another function, or fail to resolve; indexes and constraints that use it may not apply.";
    OperatorExtra = "operator.extra", Presence, Error, "An operator exists only in the actual schema",
        "The actual database has an operator the expected schema does not (it runs a function for an operator symbol). Often made by hand, or by a migration that was never committed.";
    OperatorMissing = "operator.missing", Presence, Error, "An operator of the expected schema is missing",
        "The expected schema has an operator the actual database lacks (it runs a function for an operator symbol): expressions using the operator run another function, or fail to resolve; indexes and constraints that use it may not apply.";
    OperatorClassDefinition = "operator_class.definition", Definition, Error, "An operator class's definition differs",
        "The operator class exists on both sides with another definition: indexes of that access method over that type sort or search by other operators; an index created with it may not be usable or creatable.";
    OperatorClassExtra = "operator_class.extra", Presence, Error, "An operator class exists only in the actual schema",
        "The actual database has an operator class the expected schema does not (it tells an index access method how to use a type). Often made by hand, or by a migration that was never committed.";
    OperatorClassMissing = "operator_class.missing", Presence, Error, "An operator class of the expected schema is missing",
        "The expected schema has an operator class the actual database lacks (it tells an index access method how to use a type): indexes of that access method over that type sort or search by other operators; an index created with it may not be usable or creatable.";
    OperatorFamilyDefinition = "operator_family.definition", Definition, Error, "An operator family's definition differs",
        "The operator family exists on both sides with another definition: cross-type comparisons that indexes can use differ.";
    OperatorFamilyExtra = "operator_family.extra", Presence, Error, "An operator family exists only in the actual schema",
        "The actual database has an operator family the expected schema does not (it groups operator classes of compatible types). Often made by hand, or by a migration that was never committed.";
    OperatorFamilyMissing = "operator_family.missing", Presence, Error, "An operator family of the expected schema is missing",
        "The expected schema has an operator family the actual database lacks (it groups operator classes of compatible types): cross-type comparisons that indexes can use differ.";
    OwnerMismatch = "owner.mismatch", Access, Warning, "An object has a different owner",
        "The owner holds all privileges on the object and is the only role that can alter or \
         drop it: migrations run as another role fail.";
    PatternUnused = "pattern.unused", Policy, Note, "A policy pattern matched nothing in this run",
        "An include/exclude filter, a severity key or a waiver matched no finding or object in \
         this run. Often a typo in a name or a glob; sometimes an exception whose reason is gone \
         and that can be removed.";
    PolicyDefinition = "policy.definition", Definition, Error, "A row-level security policy differs",
        "A policy with this name applies to other commands or roles, is permissive instead of \
         restrictive (or the reverse), or has another USING or WITH CHECK expression.";
    PolicyExtra = "policy.extra", Presence, Error, "A row-level security policy exists only in the actual schema",
        "The actual table has a policy the expected schema does not: rows can be visible or \
         writable that should not be, or the reverse.";
    PolicyMissing = "policy.missing", Presence, Error, "A row-level security policy of the expected schema is missing",
        "A policy is missing: with RLS on, rows it should let through are hidden; with \
         permissive policies, rows it should filter may be exposed.";
    PublicationDefinition = "publication.definition", Definition, Error, "A publication's definition differs",
        "The publication exists on both sides with another definition: logical replication publishes other tables, rows, columns or actions: subscribers receive different data, or none.";
    PublicationExtra = "publication.extra", Presence, Error, "A publication exists only in the actual schema",
        "The actual database has a publication the expected schema does not (it decides what logical replication sends to subscribers). Often made by hand, or by a migration that was never committed.";
    PublicationMissing = "publication.missing", Presence, Error, "A publication of the expected schema is missing",
        "The expected schema has a publication the actual database lacks (it decides what logical replication sends to subscribers): logical replication publishes other tables, rows, columns or actions: subscribers receive different data, or none.";
    RuleDefinition = "rule.definition", Definition, Error, "A rule's definition differs",
        "The rule exists on both sides with another definition: rules rewrite queries on a table or view: inserts, updates or deletes that the expected schema routes elsewhere (or does nothing with) do something else, or the other way round.";
    RuleExtra = "rule.extra", Presence, Error, "A rule exists only in the actual schema",
        "The actual database has a rule the expected schema does not (it rewrites queries on its table or view). Often made by hand, or by a migration that was never committed.";
    RuleMissing = "rule.missing", Presence, Error, "A rule of the expected schema is missing",
        "The expected schema has a rule the actual database lacks (it rewrites queries on its table or view): rules rewrite queries on a table or view: inserts, updates or deletes that the expected schema routes elsewhere (or does nothing with) do something else, or the other way round.";
    SchemaExtra = "schema.extra", Presence, Error, "A schema exists only in the actual database",
        "The actual database has a schema the expected one does not.";
    SchemaMissing = "schema.missing", Presence, Error, "A schema of the expected database is missing",
        "A whole schema and everything in it is missing.";
    SequenceExtra = "sequence.extra", Presence, Error, "A sequence exists only in the actual schema",
        "The actual schema has a sequence the expected schema does not.";
    SequenceMissing = "sequence.missing", Presence, Error, "A sequence of the expected schema is missing",
        "A sequence is missing: defaults that call nextval on it fail.";
    SequenceProperty = "sequence.property", Definition, Error, "A sequence's properties differ",
        "The sequence has another type, start, increment, bounds, cache, cycle setting or owning \
         column. Key ranges can run out or collide.";
    ServerVersion = "server.version", Definition, Warning, "The two sides were read from servers that print definitions differently",
        "The two sides come from CockroachDB servers of different major versions, or one from \
         CockroachDB and one from PostgreSQL. Both print definitions in their own words, and the \
         words change between versions (primary key names, enum type names, column families, \
         index text, storage parameters), so some findings may be only that. The finding names \
         the known changes between the two versions; compare databases on the same major version \
         to be sure.";
    StatisticsDefinition = "statistics.definition", Definition, Error, "An extended statistics object's definition differs",
        "The extended statistics object exists on both sides with another definition: the planner's estimates for correlated columns or expressions differ, so query plans (and their speed) can differ between environments.";
    StatisticsExtra = "statistics.extra", Presence, Error, "An extended statistics object exists only in the actual schema",
        "The actual database has an extended statistics object the expected schema does not (it gives the planner statistics on columns or expressions together). Often made by hand, or by a migration that was never committed.";
    StatisticsMissing = "statistics.missing", Presence, Error, "An extended statistics object of the expected schema is missing",
        "The expected schema has an extended statistics object the actual database lacks (it gives the planner statistics on columns or expressions together): the planner's estimates for correlated columns or expressions differ, so query plans (and their speed) can differ between environments.";
    SubscriptionDefinition = "subscription.definition", Definition, Error, "A subscription's definition differs",
        "The subscription exists on both sides with another definition: logical replication into this database receives from other publications, or not at all. Only its name, publications and enabled state are compared: never its connection string, which holds passwords.";
    SubscriptionExtra = "subscription.extra", Presence, Error, "A subscription exists only in the actual schema",
        "The actual database has a subscription the expected schema does not (it receives logical replication into this database). Often made by hand, or by a migration that was never committed.";
    SubscriptionMissing = "subscription.missing", Presence, Error, "A subscription of the expected schema is missing",
        "The expected schema has a subscription the actual database lacks (it receives logical replication into this database): logical replication into this database receives from other publications, or not at all. Only its name, publications and enabled state are compared: never its connection string, which holds passwords.";
    TableAccessMethod = "table.access_method", Definition, Error, "A table's access method differs",
        "The table is stored by another table access method (CREATE TABLE ... USING, ALTER \
         TABLE ... SET ACCESS METHOD from PostgreSQL 15): how rows are stored, and what the table \
         supports, differ.";
    TableCluster = "table.cluster", Definition, Warning, "A table is clustered on another index",
        "ALTER TABLE ... CLUSTER ON marks another index (or none) as the one CLUSTER without an \
         index name uses. Maintenance jobs that run CLUSTER order the table differently.";
    TableExtra = "table.extra", Presence, Error, "A table exists only in the actual schema",
        "The actual schema has a table the expected schema does not: often a leftover or a \
         manual change.";
    TableFamily = "table.family", Definition, Warning, "A table's column families differ (CockroachDB)",
        "CockroachDB: the table groups its columns into other column families (FAMILY f (a, \
         b)). Families decide how a row is stored as key-value pairs: reads and writes touch \
         other amounts of data, and contention between transactions that update different \
         columns differs.";
    TableLocality = "table.locality", Definition, Error, "A table's locality differs (CockroachDB)",
        "CockroachDB: the table's rows live elsewhere in a multi-region database (LOCALITY \
         REGIONAL BY ROW, REGIONAL BY TABLE IN a region, GLOBAL). Latency of reads and writes, \
         and what survives the loss of a region, differ between the environments.";
    TableMissing = "table.missing", Presence, Error, "A table of the expected schema is missing",
        "A table is missing: everything that reads or writes it fails.";
    TableProperty = "table.property", Definition, Error, "A table's properties differ",
        "The table differs in persistence (UNLOGGED), partitioning key, partition bounds, \
         inheritance, row-level security (enabled or forced) or storage parameters.";
    TableReplicaIdentity = "table.replica_identity", Definition, Error, "A table's replica identity differs",
        "The table records other old values for logical replication (REPLICA IDENTITY DEFAULT, \
         FULL, NOTHING or USING INDEX): on a published table, UPDATE and DELETE can fail on one \
         side only, and subscribers match rows differently.";
    TableTablespace = "table.tablespace", Definition, Warning, "A table is in another tablespace",
        "The table is stored in another tablespace (CREATE TABLE ... TABLESPACE, ALTER TABLE ... \
         SET TABLESPACE). Environments often lay out storage differently, so \
         `ignore.tablespaces` (on by default) drops this finding.";
    TextSearchConfigurationDefinition = "text_search_configuration.definition", Definition, Error, "A text search configuration's definition differs",
        "The text search configuration exists on both sides with another definition: full-text search parses and stems documents and queries differently: tsvector columns and queries built with it match other rows.";
    TextSearchConfigurationExtra = "text_search_configuration.extra", Presence, Error, "A text search configuration exists only in the actual schema",
        "The actual database has a text search configuration the expected schema does not (it maps a parser's tokens to dictionaries for full-text search). Often made by hand, or by a migration that was never committed.";
    TextSearchConfigurationMissing = "text_search_configuration.missing", Presence, Error, "A text search configuration of the expected schema is missing",
        "The expected schema has a text search configuration the actual database lacks (it maps a parser's tokens to dictionaries for full-text search): full-text search parses and stems documents and queries differently: tsvector columns and queries built with it match other rows.";
    TextSearchDictionaryDefinition = "text_search_dictionary.definition", Definition, Error, "A text search dictionary's definition differs",
        "The text search dictionary exists on both sides with another definition: full-text search normalizes words differently (stop words, stemming, synonyms), so searches match other rows.";
    TextSearchDictionaryExtra = "text_search_dictionary.extra", Presence, Error, "A text search dictionary exists only in the actual schema",
        "The actual database has a text search dictionary the expected schema does not (it normalizes words for full-text search). Often made by hand, or by a migration that was never committed.";
    TextSearchDictionaryMissing = "text_search_dictionary.missing", Presence, Error, "A text search dictionary of the expected schema is missing",
        "The expected schema has a text search dictionary the actual database lacks (it normalizes words for full-text search): full-text search normalizes words differently (stop words, stemming, synonyms), so searches match other rows.";
    TextSearchParserDefinition = "text_search_parser.definition", Definition, Error, "A text search parser's definition differs",
        "The text search parser exists on both sides with another definition: full-text search splits text into tokens differently.";
    TextSearchParserExtra = "text_search_parser.extra", Presence, Error, "A text search parser exists only in the actual schema",
        "The actual database has a text search parser the expected schema does not (it splits text into tokens for full-text search). Often made by hand, or by a migration that was never committed.";
    TextSearchParserMissing = "text_search_parser.missing", Presence, Error, "A text search parser of the expected schema is missing",
        "The expected schema has a text search parser the actual database lacks (it splits text into tokens for full-text search): full-text search splits text into tokens differently.";
    TextSearchTemplateDefinition = "text_search_template.definition", Definition, Error, "A text search template's definition differs",
        "The text search template exists on both sides with another definition: the functions behind text search dictionaries differ.";
    TextSearchTemplateExtra = "text_search_template.extra", Presence, Error, "A text search template exists only in the actual schema",
        "The actual database has a text search template the expected schema does not (it provides the functions of text search dictionaries). Often made by hand, or by a migration that was never committed.";
    TextSearchTemplateMissing = "text_search_template.missing", Presence, Error, "A text search template of the expected schema is missing",
        "The expected schema has a text search template the actual database lacks (it provides the functions of text search dictionaries): the functions behind text search dictionaries differ.";
    TransformDefinition = "transform.definition", Definition, Error, "A transform's definition differs",
        "The transform exists on both sides with another definition: values of a type are passed to functions of a language in another way.";
    TransformExtra = "transform.extra", Presence, Error, "A transform exists only in the actual schema",
        "The actual database has a transform the expected schema does not (it passes a type's values to a procedural language). Often made by hand, or by a migration that was never committed.";
    TransformMissing = "transform.missing", Presence, Error, "A transform of the expected schema is missing",
        "The expected schema has a transform the actual database lacks (it passes a type's values to a procedural language): values of a type are passed to functions of a language in another way.";
    TriggerDefinition = "trigger.definition", Definition, Error, "A trigger's definition differs",
        "A trigger with this name fires at another time, for other events, columns or \
         conditions, calls another function, or is enabled differently.";
    TriggerExtra = "trigger.extra", Presence, Error, "A trigger exists only in the actual schema",
        "The actual table has a trigger the expected schema does not: writes have side effects \
         nobody reviewed.";
    TriggerMissing = "trigger.missing", Presence, Error, "A trigger of the expected schema is missing",
        "A trigger is missing: the side effects it implements (audit rows, updated_at, \
         denormalized counters) silently stop.";
    TypeDefinition = "type.definition", Definition, Error, "A type's definition differs",
        "An enum has other labels or another label order, a domain another base type, default \
         or constraints, a composite type other attributes, a range another subtype.";
    TypeExtra = "type.extra", Presence, Error, "A type exists only in the actual schema",
        "The actual schema has an enum, domain, composite or range type the expected schema \
         does not.";
    TypeMissing = "type.missing", Presence, Error, "A type of the expected schema is missing",
        "An enum, domain, composite or range type is missing: columns and functions that use it \
         cannot exist.";
    UserMappingDefinition = "user_mapping.definition", Definition, Error, "A user mapping's definition differs",
        "The user mapping exists on both sides with another definition: the role cannot reach the foreign server, or reaches it in one environment only. Compared by role and server only: its options hold passwords and are never read.";
    UserMappingExtra = "user_mapping.extra", Presence, Error, "A user mapping exists only in the actual schema",
        "The actual database has a user mapping the expected schema does not (it lets a role connect to a foreign server). Often made by hand, or by a migration that was never committed.";
    UserMappingMissing = "user_mapping.missing", Presence, Error, "A user mapping of the expected schema is missing",
        "The expected schema has a user mapping the actual database lacks (it lets a role connect to a foreign server): the role cannot reach the foreign server, or reaches it in one environment only. Compared by role and server only: its options hold passwords and are never read.";
    ViewDefinition = "view.definition", Definition, Error, "A view's definition differs",
        "The view (or materialized view) computes something else: its query or options differ, \
         or it is materialized on one side only.";
    ViewExtra = "view.extra", Presence, Error, "A view exists only in the actual schema",
        "The actual schema has a view or materialized view the expected schema does not.";
    ViewMissing = "view.missing", Presence, Error, "A view of the expected schema is missing",
        "A view or materialized view is missing: queries that read it fail.";
    WaiverExpired = "waiver.expired", Policy, Warning, "A waiver has expired",
        "A waiver's expiry date has passed: it no longer covers the findings it was written for, \
         which count again. Fix the drift, or renew the waiver with a new date and reason.";
    ZoneConfigurationDefinition = "zone_configuration.definition", Definition, Warning, "A zone configuration differs (CockroachDB)",
        "CockroachDB: the replication zone of the database, a table, an index or a partition sets \
         other values (num_replicas, constraints, lease_preferences, gc.ttlseconds, range sizes): \
         data is replicated, placed or kept for another time.";
    ZoneConfigurationExtra = "zone_configuration.extra", Presence, Warning, "A zone configuration exists only in the actual schema (CockroachDB)",
        "CockroachDB: the actual database sets a replication zone on an object the expected \
         schema leaves to the inherited zone: its data is replicated or placed otherwise. Often \
         set by hand with ALTER ... CONFIGURE ZONE.";
    ZoneConfigurationMissing = "zone_configuration.missing", Presence, Warning, "A zone configuration of the expected schema is missing (CockroachDB)",
        "CockroachDB: the expected schema sets a replication zone on an object the actual \
         database leaves to the inherited zone: its data is replicated or placed as its parent's \
         (range default, database) says.";
}

/// Look up a rule by its id text.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RuleId::parse(id).map(RuleId::rule)
}

/// The rule reference (`docs/rules.md`, `pgdrift rules --markdown`): every rule with its
/// category, default severity and explanation, in the order `pgdrift rules` lists them, each
/// under a heading whose anchor is [`anchor`] (SARIF `helpUri` links to it).
pub fn reference_markdown() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Rules\n\n\
         Every rule pgdrift reports, with its default severity. A policy changes a severity \
         under `[severity]` (`\"column.default\" = \"warning\"`, or a family: `\"grant.*\"`) and \
         waives single findings under `[[waive]]`. `pgdrift rules ID` prints the same text.\n\n\
         This file is written by `pgdrift rules --markdown`; a test keeps it in step with the \
         binary.\n",
    );
    for r in RULES {
        let _ = write!(
            out,
            "\n## `{}`\n\n{}\n\nCategory: {}. Default severity: {}.\n\n{}\n",
            r.id,
            r.summary,
            r.category.as_str(),
            r.default_severity.as_str(),
            r.explanation
        );
    }
    out
}

/// The anchor GitHub gives the heading of `id` in [`reference_markdown`]: the heading's text in
/// lower case, without the characters other than letters, digits, `-` and `_` (`column.type`
/// → `columntype`).
pub fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_an_anchor_of_its_own_in_the_reference() {
        let anchors: std::collections::BTreeSet<String> =
            RULES.iter().map(|r| anchor(r.id.as_str())).collect();
        assert_eq!(anchors.len(), RULES.len());
        assert_eq!(anchor("column.type"), "columntype");
        assert_eq!(
            anchor("default_privilege.missing"),
            "default_privilegemissing"
        );
        let text = reference_markdown();
        for r in RULES {
            assert!(text.contains(&format!("\n## `{}`\n", r.id)), "{}", r.id);
        }
    }

    #[test]
    fn rules_are_sorted_and_unique() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{} is out of place", r.id);
            assert_eq!(RuleId::ALL[i], r.id);
        }
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id.as_str() < pair[1].id.as_str(),
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
    }

    #[test]
    fn lookup_finds_every_rule() {
        for r in RULES {
            assert_eq!(rule(r.id.as_str()).map(|x| x.id), Some(r.id));
        }
        assert!(rule("column.nope").is_none());
    }

    #[test]
    fn ids_know_their_family_and_side() {
        assert_eq!(RuleId::ColumnType.family(), "column");
        assert_eq!(RuleId::IndexMissing.presence(), Some(Presence::Missing));
        assert_eq!(RuleId::GrantExtra.presence(), Some(Presence::Extra));
        assert_eq!(RuleId::ConstraintName.presence(), None);
        let json = serde_json::to_string(&RuleId::ColumnType).unwrap();
        assert_eq!(json, "\"column.type\"");
        assert_eq!(
            serde_json::from_str::<RuleId>(&json).unwrap(),
            RuleId::ColumnType
        );
        assert!(serde_json::from_str::<RuleId>("\"column.nope\"").is_err());
    }

    #[test]
    fn cosmetic_and_owner_rules_default_to_warning() {
        for id in ["column.order", "comment.mismatch", "owner.mismatch"] {
            assert_eq!(
                rule(id).map(|r| r.default_severity),
                Some(Severity::Warning)
            );
        }
    }
}

//! The text a finding shows as its expected and actual values. Close to the SQL a user would
//! write, so a report reads like the schema; multi-line where a line diff helps (table columns,
//! function bodies, enum labels, domain constraints).

use std::fmt::Write;

use super::{
    Change, ConstraintField, Detail, Field, Finding, FunctionField, IndexField, Object,
    SequenceField, TableField, TriggerField, ViewField,
};
use crate::model::{
    Column, ConstraintKind, Extension, Function, FunctionKind, Index, Namespace, Persistence,
    Policy, Sequence, SequenceValues, Table, TypeDefinition, quote_ident,
};
use crate::rules::RuleId;

/// The finding for a change: its object named, its expected and actual values shown, and one
/// sentence for humans. The one place findings get their text.
pub(super) fn finding(change: &Change<'_>) -> Finding {
    let object = change.path.display();
    let noun = change.path.kind.noun();
    let (expected, actual, message) = values_and_message(change, noun, &object);
    Finding {
        rule: change.rule,
        kind: change.path.kind,
        group: change.group().display(),
        group_kind: change.group_kind,
        object,
        expected,
        actual,
        message,
        path: Some(change.path.clone()),
    }
}

type Shown = (Option<String>, Option<String>, String);

fn values_and_message(change: &Change<'_>, noun: &str, object: &str) -> Shown {
    match change.detail {
        Detail::Presence(o) => {
            let shown = Some(describe(o));
            if change.rule.presence() == Some(crate::rules::Presence::Extra) {
                (None, shown, format!("{noun} {object} is extra"))
            } else {
                (shown, None, format!("{noun} {object} is missing"))
            }
        }
        Detail::Renamed {
            expected_name,
            actual_name,
            ..
        } => (
            Some(expected_name.to_string()),
            Some(actual_name.to_string()),
            format!("{noun} {object} is named {actual_name} in actual (same definition)"),
        ),
        Detail::Property {
            field,
            expected,
            actual,
        } => property(change.rule, field, expected, actual, noun, object),
        Detail::Owner { expected, actual } => (
            Some(expected.to_string()),
            Some(actual.to_string()),
            format!("{noun} {object} is owned by {expected} in expected, {actual} in actual"),
        ),
        Detail::Comment { expected, actual } => (
            expected.map(str::to_string),
            actual.map(str::to_string),
            format!("comment on {noun} {object} differs"),
        ),
        Detail::Grant {
            grantee,
            privilege,
            expected,
            actual,
        } => {
            let what = match (expected, actual) {
                (Some(_), None) => "is missing",
                (None, Some(_)) => "is extra",
                (Some(true), Some(_)) => "is missing its grant option",
                _ => "has an extra grant option",
            };
            (
                expected.map(|o| grant(grantee, privilege, o)),
                actual.map(|o| grant(grantee, privilege, o)),
                format!("{privilege} to {grantee} on {noun} {object} {what}"),
            )
        }
        Detail::ColumnOrder { expected, actual } => (
            Some(column_list(expected)),
            Some(column_list(actual)),
            format!("columns of {noun} {object} are in a different order"),
        ),
        Detail::ServerVersion { expected, actual } => {
            let show = super::versions::server_name;
            (
                Some(show(expected)),
                Some(show(actual)),
                super::versions::message(expected, actual),
            )
        }
    }
}

/// The value shown for an object present on one side only.
fn describe(o: Object<'_>) -> String {
    match o {
        Object::Schema(n) => namespace(n),
        Object::Extension(e) => extension(e),
        Object::Table(t) => table(t),
        Object::Column(c) => column(c),
        Object::Constraint(c) => c.definition.clone(),
        Object::Index(i) => i.definition.clone(),
        Object::Trigger(t) => t.definition.clone(),
        Object::Policy(p) => policy(p),
        Object::View(v) => v.definition.clone(),
        Object::Sequence(s) => sequence(s),
        Object::Function(f) => function(f),
        Object::Type(t) => type_definition(&t.definition),
        Object::Defined(d) => d.definition.clone(),
    }
}

/// `<what> of <noun> <object> differs`, each side shown in the property's own words.
fn property(
    rule: RuleId,
    field: Field,
    expected: Object<'_>,
    actual: Object<'_>,
    noun: &str,
    object: &str,
) -> Shown {
    let differs = |what: &str| format!("{what} of {noun} {object} differs");
    let pair = |show: &dyn Fn(Object<'_>) -> Option<String>| (show(expected), show(actual));
    let (e, a, message) = match (field, expected, actual) {
        (Field::Column, Object::Column(ec), Object::Column(ac)) => {
            return column_property(rule, ec, ac, noun, object);
        }
        (Field::Table(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Table(t) => table_field(f, t),
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Constraint(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Constraint(c) => Some(match f {
                    ConstraintField::Definition => c.definition.clone(),
                    ConstraintField::Kind => constraint_kind(c.kind).to_string(),
                }),
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Index(IndexField::Validity), Object::Index(ei), Object::Index(ai)) => {
            let show = |i: &Index| if i.invalid { "invalid" } else { "valid" };
            (
                Some(show(ei).to_string()),
                Some(show(ai).to_string()),
                format!(
                    "{noun} {object} is {} in expected, {} in actual (a failed CREATE INDEX \
                     CONCURRENTLY leaves an invalid index)",
                    show(ei),
                    show(ai)
                ),
            )
        }
        (Field::Index(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Index(i) => match f {
                    IndexField::Definition => Some(i.definition.clone()),
                    IndexField::Validity => flag("invalid", "valid")(&i.invalid),
                    IndexField::Tablespace => i.tablespace.clone(),
                    IndexField::Statistics => list(&i.statistics),
                    IndexField::Visibility => {
                        Some(i.visibility.clone().unwrap_or_else(|| "VISIBLE".into()))
                    }
                },
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Trigger(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Trigger(t) => Some(match f {
                    TriggerField::Definition => t.definition.clone(),
                    TriggerField::Enabled => trigger_enabled(&t.enabled),
                }),
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::View(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::View(v) => match f {
                    ViewField::Definition => Some(v.definition.clone()),
                    ViewField::Materialization => {
                        flag("materialized view", "view")(&v.materialized)
                    }
                    ViewField::Options => list(&v.reloptions),
                    ViewField::Cluster => v.cluster_on.clone(),
                    ViewField::ColumnDefaults => list(
                        &(v.column_defaults.iter())
                            .map(|(c, d)| format!("{c} DEFAULT {d}"))
                            .collect::<Vec<_>>(),
                    ),
                },
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Sequence(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Sequence(s) => sequence_field(f, s),
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Function(f), ..) => {
            let (e, a) = pair(&|o| match o {
                Object::Function(func) => function_field(f, func),
                _ => None,
            });
            (e, a, differs(f.label()))
        }
        (Field::Policy, Object::Policy(ep), Object::Policy(ap)) => (
            Some(policy(ep)),
            Some(policy(ap)),
            format!(
                "{noun} {object} differs in {}",
                policy_differences(ep, ap).join(", ")
            ),
        ),
        (Field::Type, Object::Type(et), Object::Type(at)) => (
            Some(type_definition(&et.definition)),
            Some(type_definition(&at.definition)),
            format!(
                "{noun} {object} differs in {}",
                type_differences(&et.definition, &at.definition)
            ),
        ),
        (Field::Extension, Object::Extension(ee), Object::Extension(ae)) => {
            let what = match (ee.version != ae.version, ee.schema != ae.schema) {
                (true, true) => "version and schema",
                (true, false) => "version",
                _ => "schema",
            };
            (Some(extension(ee)), Some(extension(ae)), differs(what))
        }
        (Field::Defined, Object::Defined(ed), Object::Defined(ad)) => (
            Some(ed.definition.clone()),
            Some(ad.definition.clone()),
            differs("definition"),
        ),
        // The walk pairs each field with its own kind of object.
        _ => (None, None, format!("{noun} {object} differs")),
    };
    (e, a, message)
}

fn column_property(rule: RuleId, e: &Column, a: &Column, noun: &str, object: &str) -> Shown {
    let differs = |what: &str| format!("{what} of {noun} {object} differs");
    match rule {
        RuleId::ColumnType => (
            Some(e.data_type.clone()),
            Some(a.data_type.clone()),
            format!(
                "{noun} {object} has type {} in expected, {} in actual",
                e.data_type, a.data_type
            ),
        ),
        RuleId::ColumnNullable => {
            let show = |not_null| if not_null { "NOT NULL" } else { "nullable" };
            let (expected, actual) = (show(e.not_null), show(a.not_null));
            (
                Some(expected.to_string()),
                Some(actual.to_string()),
                format!("{noun} {object} is {expected} in expected, {actual} in actual"),
            )
        }
        RuleId::ColumnIdentity => (identity(e), identity(a), differs("identity")),
        RuleId::ColumnIdentityOptions => {
            let (ev, av) = (
                e.identity_options().values(&e.data_type),
                a.identity_options().values(&a.data_type),
            );
            (
                Some(sequence_values(&ev)),
                Some(sequence_values(&av)),
                format!(
                    "identity sequence of {noun} {object} differs in {}",
                    differing(&[
                        ("start", ev.start != av.start),
                        ("increment", ev.increment != av.increment),
                        ("minimum", ev.min_value != av.min_value),
                        ("maximum", ev.max_value != av.max_value),
                        ("cache", ev.cache != av.cache),
                        ("cycle", ev.cycle != av.cycle),
                    ])
                ),
            )
        }
        RuleId::ColumnStorage => {
            let show = |c: &Column| match &c.storage {
                Some(storage) => storage.to_uppercase(),
                None => "the type's default".to_string(),
            };
            (
                e.storage.as_deref().map(str::to_uppercase),
                a.storage.as_deref().map(str::to_uppercase),
                format!(
                    "{noun} {object} has storage {} in expected, {} in actual",
                    show(e),
                    show(a)
                ),
            )
        }
        RuleId::ColumnCompression => {
            let show = |c: &Column| match &c.compression {
                Some(method) => method.clone(),
                None => "the default".to_string(),
            };
            (
                e.compression.clone(),
                a.compression.clone(),
                format!(
                    "{noun} {object} has compression {} in expected, {} in actual",
                    show(e),
                    show(a)
                ),
            )
        }
        RuleId::ColumnHidden => {
            let show = |c: &Column| if c.hidden { "NOT VISIBLE" } else { "VISIBLE" };
            (
                Some(show(e).to_string()),
                Some(show(a).to_string()),
                format!(
                    "{noun} {object} is {} in expected, {} in actual",
                    show(e),
                    show(a)
                ),
            )
        }
        RuleId::ColumnOptions => {
            let show = |c: &Column| list(&c.options).unwrap_or_else(|| "none".to_string());
            (
                list(&e.options),
                list(&a.options),
                format!(
                    "{noun} {object} has attribute options {} in expected, {} in actual",
                    show(e),
                    show(a)
                ),
            )
        }
        RuleId::ColumnStatistics => {
            let show = |c: &Column| match c.statistics {
                Some(target) => target.to_string(),
                None => "the default".to_string(),
            };
            (
                e.statistics.map(|t| t.to_string()),
                a.statistics.map(|t| t.to_string()),
                format!(
                    "{noun} {object} has statistics target {} in expected, {} in actual",
                    show(e),
                    show(a)
                ),
            )
        }
        RuleId::ColumnGenerated => (
            e.generated.as_deref().map(generated),
            a.generated.as_deref().map(generated),
            differs("generated expression"),
        ),
        RuleId::ColumnCollation => (
            e.collation.clone(),
            a.collation.clone(),
            differs("collation"),
        ),
        _ => (e.default.clone(), a.default.clone(), differs("default")),
    }
}

fn table_field(f: TableField, t: &Table) -> Option<String> {
    match f {
        TableField::Persistence => persistence(&t.persistence),
        TableField::PartitionKey => t.partition_key.clone(),
        TableField::PartitionParent => t.partition_of.clone(),
        TableField::PartitionBound => t.partition_bound.clone(),
        TableField::Inheritance => list(&t.inherits),
        TableField::RowSecurity => flag("enabled", "disabled")(&t.rls_enabled),
        TableField::ForcedRowSecurity => flag("forced", "not forced")(&t.rls_forced),
        TableField::StorageParameters => list(&t.reloptions),
        TableField::ReplicaIdentity => {
            Some(format!("REPLICA IDENTITY {}", t.replica_identity.sql()))
        }
        TableField::Cluster => Some(match &t.cluster_on {
            Some(index) => format!("CLUSTER ON {}", quote_ident(index)),
            None => "SET WITHOUT CLUSTER".to_string(),
        }),
        TableField::AccessMethod => Some(t.access_method.as_deref().unwrap_or("heap").to_string()),
        TableField::Tablespace => t.tablespace.clone(),
        TableField::Locality => t.locality.clone(),
        TableField::Families => Some(
            t.families
                .iter()
                .map(|(name, columns)| format!("FAMILY {} {columns}", quote_ident(name)))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .filter(|s| !s.is_empty()),
    }
}

fn sequence_field(f: SequenceField, s: &Sequence) -> Option<String> {
    match f {
        SequenceField::Type => Some(s.data_type.clone()),
        SequenceField::Start => Some(s.start.to_string()),
        SequenceField::Increment => Some(s.increment.to_string()),
        SequenceField::Minimum => Some(s.min_value.to_string()),
        SequenceField::Maximum => Some(s.max_value.to_string()),
        SequenceField::Cache => Some(s.cache.to_string()),
        SequenceField::Cycle => flag("CYCLE", "NO CYCLE")(&s.cycle),
        SequenceField::OwnedBy => s.owned_by.clone(),
    }
}

fn function_field(f: FunctionField, func: &Function) -> Option<String> {
    match f {
        FunctionField::Kind => Some(function_kind(func.kind).to_string()),
        FunctionField::Arguments => Some(func.arguments.clone()),
        FunctionField::Returns => Some(func.returns.clone()),
        FunctionField::Language => Some(func.language.clone()),
        FunctionField::Body => Some(func.body.clone()),
        FunctionField::Volatility => Some(func.volatility.clone()),
        FunctionField::Strict => flag("STRICT", "CALLED ON NULL INPUT")(&func.strict),
        FunctionField::Security => {
            flag("SECURITY DEFINER", "SECURITY INVOKER")(&func.security_definer)
        }
        FunctionField::Leakproof => flag("LEAKPROOF", "NOT LEAKPROOF")(&func.leakproof),
        FunctionField::Parallel => Some(func.parallel.clone()),
        FunctionField::Cost => Some(func.cost.to_string()),
        FunctionField::Rows => func.rows.map(|r| r.to_string()),
        FunctionField::Config => list(&func.config),
        FunctionField::Extensions => list(&func.extensions),
    }
}

/// The parts of a policy that differ: `roles`, `USING expression`, ...
pub(super) fn policy_differences(e: &Policy, a: &Policy) -> Vec<&'static str> {
    [
        ("command", e.command != a.command),
        ("PERMISSIVE/RESTRICTIVE", e.permissive != a.permissive),
        ("roles", e.roles != a.roles),
        ("USING expression", e.using != a.using),
        ("WITH CHECK expression", e.with_check != a.with_check),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name)
    .collect()
}

/// The names of the parts that differ, for a message: `base type, default`.
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

/// `integer NOT NULL DEFAULT 0`: the column as in CREATE TABLE, without its name.
fn column(c: &Column) -> String {
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
    if let Some(identity) = identity(c) {
        let _ = write!(s, " {identity}");
    }
    if let Some(expr) = &c.generated {
        let _ = write!(s, " {}", generated(expr));
    }
    s
}

fn generated(expr: &str) -> String {
    // CockroachDB's columns keep their whole clause (`AS (a + 1) VIRTUAL`).
    if expr.starts_with("AS (") {
        return expr.to_string();
    }
    format!("GENERATED ALWAYS AS ({expr}) STORED")
}

/// `GENERATED ... AS IDENTITY`, with the sequence options that are not PostgreSQL's own.
fn identity(c: &Column) -> Option<String> {
    let identity = c.identity?.sql();
    let options = c.identity_options().sql();
    Some(if options.is_empty() {
        identity.to_string()
    } else {
        format!("{identity} ({options})")
    })
}

/// Every option of a sequence, as in CREATE SEQUENCE.
fn sequence_values(v: &SequenceValues) -> String {
    format!(
        "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
        v.start,
        v.increment,
        v.min_value,
        v.max_value,
        v.cache,
        if v.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// Columns of a table in position order, e.g. `id, customer_id, total`.
fn column_list(t: &Table) -> String {
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
fn table(t: &Table) -> String {
    let mut columns: Vec<(&u32, &String, &Column)> = t
        .columns
        .iter()
        .map(|(name, c)| (&c.position, name, &**c))
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
    if let Some(method) = &t.access_method {
        let _ = write!(s, "\nUSING {method}");
    }
    if !t.reloptions.is_empty() {
        let _ = write!(s, "\nWITH ({})", t.reloptions.join(", "));
    }
    if let Some(tablespace) = &t.tablespace {
        let _ = write!(s, "\nTABLESPACE {}", quote_ident(tablespace));
    }
    s
}

fn persistence(p: &Persistence) -> Option<String> {
    Some(
        match p {
            Persistence::Permanent => "permanent",
            Persistence::Unlogged => "unlogged",
        }
        .to_string(),
    )
}

fn constraint_kind(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique",
        ConstraintKind::ForeignKey => "foreign key",
        ConstraintKind::Check => "check",
        ConstraintKind::Exclusion => "exclusion",
        ConstraintKind::NotNull => "not null",
    }
}

fn function_kind(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Function => "function",
        FunctionKind::Procedure => "procedure",
        FunctionKind::Aggregate => "aggregate",
        FunctionKind::Window => "window function",
    }
}

/// `pg_trigger.tgenabled` in the words of ALTER TABLE.
fn trigger_enabled(code: &str) -> String {
    match code {
        "O" => "ENABLE".to_string(),
        "D" => "DISABLE".to_string(),
        "R" => "ENABLE REPLICA".to_string(),
        "A" => "ENABLE ALWAYS".to_string(),
        other => other.to_string(),
    }
}

fn policy(p: &Policy) -> String {
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
fn grant(grantee: &str, privilege: &str, grantable: bool) -> String {
    let option = if grantable { " WITH GRANT OPTION" } else { "" };
    format!("{privilege} to {grantee}{option}")
}

fn extension(e: &Extension) -> String {
    format!("version {}, schema {}", e.version, quote_ident(&e.schema))
}

/// How much a schema holds, e.g. `3 tables, 1 view`: the size of what is missing or extra.
fn namespace(n: &Namespace) -> String {
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

fn sequence(s: &Sequence) -> String {
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
fn function(f: &Function) -> String {
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
fn type_definition(t: &TypeDefinition) -> String {
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

/// A list as one comma-separated value; none when empty.
fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// A yes/no property in the words of SQL (`STRICT` / `CALLED ON NULL INPUT`).
fn flag(yes: &'static str, no: &'static str) -> impl Fn(&bool) -> Option<String> {
    move |b| Some(if *b { yes } else { no }.to_string())
}

/// An index definition with its own name left out (`CREATE INDEX ? ON public.t ...`), so two
/// indexes that differ only by name pair up.
pub(super) fn index_without_name(index: &Index) -> String {
    use crate::sql::lexer::{TokenKind, tokenize};
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

//! DDL text for every object of the model: pure functions from model values to SQL statements.
//!
//! The planner decides what to run and in which order; this module only prints. Every statement
//! is schema-qualified (a plan runs with an empty `search_path`), ends with `;`, and never says
//! `CASCADE`: an implicit drop of dependents is worse than a failed plan. Definitions the server
//! deparsed (indexes, constraints, views, triggers, defaults, policy expressions) are reused
//! verbatim, since they were read with an empty search path and so are already qualified; every
//! name printed here is quoted with [`quote_ident`].
//!
//! What the model cannot say, these functions cannot print: C functions (no `probin`), which
//! partition index is attached
//! to which parent index, whether a constraint or index of a partition or child came from its
//! parent, and whether an inherited column is also declared locally (`attislocal`). The
//! functions that meet such a gap return a [`DdlError`] or document what the caller must supply.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::{
    Column, Constraint, Extension, Function, FunctionKind, Grant, Identity, IdentityOptions, Index,
    Namespace, ObjectKind, Persistence, Policy, ReplicaIdentity, Sequence, SequenceValues, Table,
    Trigger, Type, TypeDefinition, View, qualified, quote_ident,
};

/// A statement that cannot be printed from the model, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlError(pub String);

impl fmt::Display for DdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DdlError {}

fn error<T>(message: impl Into<String>) -> Result<T, DdlError> {
    Err(DdlError(message.into()))
}

// ---------------------------------------------------------------------------------------------
// Literals and quoting

/// A string literal. Quotes are doubled; a text holding a backslash becomes an `E'...'` literal
/// with the backslashes doubled, as PostgreSQL's `quote_literal` does, so the statement means the
/// same whatever `standard_conforming_strings` is in the session that runs it.
pub fn literal(text: &str) -> String {
    if text.contains('\\') {
        format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// `body` between dollar quotes whose tag cannot end the literal early: `$body$`, or
/// `$body_1$`, `$body_2$`... when the body holds the tag. The check runs on the body followed by
/// the closing tag, so a body that ends in `$body` does not close on its own last characters.
pub fn dollar_quote(body: &str) -> String {
    let mut n = 0usize;
    loop {
        let tag = if n == 0 {
            "$body$".to_string()
        } else {
            format!("$body_{n}$")
        };
        let closed = format!("{body}{tag}");
        if closed.find(&tag) == Some(body.len()) {
            return format!("{tag}{body}{tag}");
        }
        n += 1;
    }
}

/// Split a function key of the model (`quote_ident(name)(argument types)`) into the name,
/// unquoted, and the argument types: `"Weird Fn"(integer)` → (`Weird Fn`, `integer`).
pub fn split_function_key(key: &str) -> Option<(String, &str)> {
    let (name, rest) = if let Some(quoted) = key.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            if c == '"' {
                if quoted[i + 1..].starts_with('"') {
                    name.push('"');
                    chars.next();
                } else {
                    break i + 1;
                }
            } else {
                name.push(c);
            }
        };
        (name, &quoted[end..])
    } else {
        let open = key.find('(')?;
        (key[..open].to_string(), &key[open..])
    };
    let args = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some((name, args))
}

/// `schema.name(argument types)` of a function key, for DROP, ALTER, GRANT and COMMENT. A
/// zero-argument aggregate is written `name(*)`, the only form PostgreSQL takes for it.
fn signature(schema: &str, key: &str, kind: FunctionKind) -> String {
    if kind == FunctionKind::Aggregate
        && let Some((name, "")) = split_function_key(key)
    {
        return format!("{}.{}(*)", quote_ident(schema), quote_ident(&name));
    }
    format!("{}.{key}", quote_ident(schema))
}

fn routine_keyword(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Function | FunctionKind::Window => "FUNCTION",
        FunctionKind::Procedure => "PROCEDURE",
        FunctionKind::Aggregate => "AGGREGATE",
    }
}

/// A role as a grantee or policy role: `PUBLIC` is the keyword, any other name an identifier.
fn role(name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// An expression the model holds as `pg_get_expr` text, where the grammar wants parentheses
/// (`USING (...)`, `GENERATED ALWAYS AS (...)`). The deparser puts them around operator
/// expressions but not around `true` or a function call, so they are always added.
fn parenthesized(expression: &str) -> String {
    format!("({expression})")
}

/// A `name=value` storage parameter as `name='value'` (what pg_dump prints: the value as a
/// literal, which every parameter accepts).
fn reloption(option: &str) -> String {
    match option.split_once('=') {
        Some((name, value)) => format!("{}={}", quote_ident(name), literal(value)),
        None => quote_ident(option),
    }
}

fn reloption_name(option: &str) -> &str {
    option.split_once('=').map_or(option, |(name, _)| name)
}

fn with_options(options: &[String]) -> String {
    if options.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = options.iter().map(|o| reloption(o)).collect();
        format!(" WITH ({})", list.join(", "))
    }
}

// ---------------------------------------------------------------------------------------------
// Objects: the one way to name a thing in ALTER ... OWNER, GRANT and COMMENT

/// An object to own, grant on or comment on, by its identity in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object<'a> {
    Schema {
        name: &'a str,
    },
    Extension {
        name: &'a str,
    },
    /// An ordinary or partitioned table.
    Table {
        schema: &'a str,
        name: &'a str,
    },
    View {
        schema: &'a str,
        name: &'a str,
        materialized: bool,
    },
    Sequence {
        schema: &'a str,
        name: &'a str,
    },
    /// A function, procedure or aggregate by its model key (`name(argument types)`).
    Function {
        schema: &'a str,
        key: &'a str,
        kind: FunctionKind,
    },
    /// An enum, composite or range type, or (`domain`) a domain.
    Type {
        schema: &'a str,
        name: &'a str,
        domain: bool,
    },
    Column {
        schema: &'a str,
        table: &'a str,
        name: &'a str,
    },
    Constraint {
        schema: &'a str,
        table: &'a str,
        name: &'a str,
    },
    DomainConstraint {
        schema: &'a str,
        domain: &'a str,
        name: &'a str,
    },
    Index {
        schema: &'a str,
        name: &'a str,
    },
    Trigger {
        schema: &'a str,
        table: &'a str,
        name: &'a str,
    },
    Policy {
        schema: &'a str,
        table: &'a str,
        name: &'a str,
    },
    /// An object compared by its statement, by the words its catalog query gave
    /// (`RULE r ON public.t`); `owned` when it has an owner.
    Defined {
        kind: ObjectKind,
        target: &'a str,
        owned: bool,
    },
}

impl Object<'_> {
    /// `KIND name` as COMMENT ON and ALTER ... OWNER name the object.
    fn kind_and_name(&self) -> String {
        match *self {
            Object::Schema { name } => format!("SCHEMA {}", quote_ident(name)),
            Object::Extension { name } => format!("EXTENSION {}", quote_ident(name)),
            Object::Table { schema, name } => format!("TABLE {}", qualified(schema, name)),
            Object::View {
                schema,
                name,
                materialized,
            } => {
                let kind = if materialized {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                };
                format!("{kind} {}", qualified(schema, name))
            }
            Object::Sequence { schema, name } => format!("SEQUENCE {}", qualified(schema, name)),
            Object::Function { schema, key, kind } => {
                format!("{} {}", routine_keyword(kind), signature(schema, key, kind))
            }
            Object::Type {
                schema,
                name,
                domain,
            } => {
                let kind = if domain { "DOMAIN" } else { "TYPE" };
                format!("{kind} {}", qualified(schema, name))
            }
            Object::Column {
                schema,
                table,
                name,
            } => format!("COLUMN {}.{}", qualified(schema, table), quote_ident(name)),
            Object::Constraint {
                schema,
                table,
                name,
            } => format!(
                "CONSTRAINT {} ON {}",
                quote_ident(name),
                qualified(schema, table)
            ),
            Object::DomainConstraint {
                schema,
                domain,
                name,
            } => format!(
                "CONSTRAINT {} ON DOMAIN {}",
                quote_ident(name),
                qualified(schema, domain)
            ),
            Object::Index { schema, name } => format!("INDEX {}", qualified(schema, name)),
            Object::Trigger {
                schema,
                table,
                name,
            } => format!(
                "TRIGGER {} ON {}",
                quote_ident(name),
                qualified(schema, table)
            ),
            Object::Policy {
                schema,
                table,
                name,
            } => format!(
                "POLICY {} ON {}",
                quote_ident(name),
                qualified(schema, table)
            ),
            Object::Defined { target, .. } => target.to_string(),
        }
    }

    /// The object in GRANT/REVOKE's words, and the column list for a column privilege.
    fn grant_target(&self) -> Result<(String, String), DdlError> {
        Ok(match *self {
            Object::Schema { name } => (format!("SCHEMA {}", quote_ident(name)), String::new()),
            Object::Table { schema, name } | Object::View { schema, name, .. } => {
                (format!("TABLE {}", qualified(schema, name)), String::new())
            }
            Object::Sequence { schema, name } => (
                format!("SEQUENCE {}", qualified(schema, name)),
                String::new(),
            ),
            Object::Function { schema, key, kind } => {
                // GRANT ... ON FUNCTION covers aggregates and window functions, not procedures.
                let keyword = if kind == FunctionKind::Procedure {
                    "PROCEDURE"
                } else {
                    "FUNCTION"
                };
                (
                    format!(
                        "{keyword} {}",
                        signature(schema, key, FunctionKind::Function)
                    ),
                    String::new(),
                )
            }
            // ON TYPE covers domains too.
            Object::Type { schema, name, .. } => {
                (format!("TYPE {}", qualified(schema, name)), String::new())
            }
            Object::Column {
                schema,
                table,
                name,
            } => (
                format!("TABLE {}", qualified(schema, table)),
                format!(" ({})", quote_ident(name)),
            ),
            // GRANT names a server and a foreign table otherwise than COMMENT ON does.
            Object::Defined {
                kind: ObjectKind::ForeignServer,
                target,
                ..
            } => (format!("FOREIGN {target}"), String::new()),
            Object::Defined {
                kind: ObjectKind::ForeignTable,
                target,
                ..
            } => (
                format!("TABLE {}", target.trim_start_matches("FOREIGN TABLE ")),
                String::new(),
            ),
            Object::Defined {
                kind: ObjectKind::ForeignDataWrapper | ObjectKind::Language,
                target,
                ..
            } => (target.to_string(), String::new()),
            other => return error(format!("{} has no privileges", other.kind_and_name())),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Owners, privileges, comments

/// `ALTER <kind> ... OWNER TO role`. Columns, constraints, indexes, triggers and policies
/// belong to their table, and extensions cannot change owner. A sequence OWNED BY a column
/// follows its table's owner: PostgreSQL refuses to give it another one ("sequence is linked
/// to table"), so print none for it.
pub fn owner(object: &Object, role_name: &str) -> Result<String, DdlError> {
    match object {
        Object::Schema { .. }
        | Object::Table { .. }
        | Object::View { .. }
        | Object::Sequence { .. }
        | Object::Function { .. }
        | Object::Type { .. }
        | Object::Defined { owned: true, .. } => Ok(format!(
            "ALTER {} OWNER TO {};",
            object.kind_and_name(),
            quote_ident(role_name)
        )),
        other => error(format!("{} has no owner of its own", other.kind_and_name())),
    }
}

/// The privilege keywords GRANT takes (the model's `privilege` is printed as is, so it is
/// checked first).
const PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
    "USAGE",
    "CREATE",
    "CONNECT",
    "TEMPORARY",
    "EXECUTE",
    "SET",
    "ALTER SYSTEM",
    "MAINTAIN",
];

fn privilege(grant: &Grant) -> Result<&str, DdlError> {
    if PRIVILEGES.contains(&grant.privilege.as_str()) {
        Ok(&grant.privilege)
    } else {
        error(format!("unknown privilege {:?}", grant.privilege))
    }
}

/// `GRANT privilege ON object TO grantee [WITH GRANT OPTION]`; a column privilege is
/// `GRANT SELECT (col) ON TABLE t ...`.
pub fn grant(object: &Object, grant: &Grant) -> Result<String, DdlError> {
    let (target, columns) = object.grant_target()?;
    let option = if grant.grantable {
        " WITH GRANT OPTION"
    } else {
        ""
    };
    Ok(format!(
        "GRANT {}{columns} ON {target} TO {}{option};",
        privilege(grant)?,
        role(&grant.grantee)
    ))
}

/// `REVOKE privilege ON object FROM grantee` (the grant option goes with it). Without CASCADE
/// PostgreSQL refuses when the grantee has passed the privilege on.
pub fn revoke(object: &Object, grant: &Grant) -> Result<String, DdlError> {
    let (target, columns) = object.grant_target()?;
    Ok(format!(
        "REVOKE {}{columns} ON {target} FROM {};",
        privilege(grant)?,
        role(&grant.grantee)
    ))
}

/// `REVOKE GRANT OPTION FOR privilege ON object FROM grantee`: the privilege stays.
pub fn revoke_grant_option(object: &Object, grant: &Grant) -> Result<String, DdlError> {
    let (target, columns) = object.grant_target()?;
    Ok(format!(
        "REVOKE GRANT OPTION FOR {}{columns} ON {target} FROM {};",
        privilege(grant)?,
        role(&grant.grantee)
    ))
}

/// The privileges a newly created object of `kind` has beyond its owner's, in the model's
/// terms (the owner's own privileges are not in the model): EXECUTE for PUBLIC on functions,
/// procedures and aggregates, USAGE for PUBLIC on types and domains, none on anything else
/// (`acldefault` in PostgreSQL, and how `catalog/grants.sql` expands a NULL ACL).
pub fn default_grants(kind: ObjectKind) -> Vec<Grant> {
    let public = |privilege: &str| Grant {
        grantee: "PUBLIC".to_string(),
        privilege: privilege.to_string(),
        grantable: false,
    };
    match kind {
        ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate => {
            vec![public("EXECUTE")]
        }
        ObjectKind::Type | ObjectKind::BaseType | ObjectKind::Language => vec![public("USAGE")],
        _ => Vec::new(),
    }
}

/// The GRANT and REVOKE statements that turn the privileges `from` into `to` on one object:
/// revokes first (in `from`'s order), then grants (in `to`'s order). A privilege that only gains
/// or loses its grant option is granted WITH GRANT OPTION, or has the option revoked.
pub fn grant_changes(
    object: &Object,
    from: &[Grant],
    to: &[Grant],
) -> Result<Vec<String>, DdlError> {
    let key = |g: &Grant| (g.grantee.clone(), g.privilege.clone());
    let before: BTreeMap<_, bool> = from.iter().map(|g| (key(g), g.grantable)).collect();
    let after: BTreeMap<_, bool> = to.iter().map(|g| (key(g), g.grantable)).collect();
    let mut out = Vec::new();
    for g in from {
        match after.get(&key(g)) {
            None => out.push(revoke(object, g)?),
            Some(false) if g.grantable => out.push(revoke_grant_option(object, g)?),
            _ => {}
        }
    }
    for g in to {
        match before.get(&key(g)) {
            None => out.push(grant(object, g)?),
            Some(false) if g.grantable => out.push(grant(object, g)?),
            _ => {}
        }
    }
    Ok(out)
}

/// `COMMENT ON <kind> ... IS '<text>'`, or `IS NULL` to remove it.
pub fn comment(object: &Object, text: Option<&str>) -> String {
    let value = text.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON {} IS {value};", object.kind_and_name())
}

// ---------------------------------------------------------------------------------------------
// Schemas and extensions

/// `CREATE SCHEMA name`, with `AUTHORIZATION owner` when `authorization` is set (otherwise the
/// owner is set by a separate [`owner`] statement, like every other object's).
pub fn create_schema(name: &str, namespace: &Namespace, authorization: bool) -> String {
    if authorization {
        format!(
            "CREATE SCHEMA {} AUTHORIZATION {};",
            quote_ident(name),
            quote_ident(&namespace.owner)
        )
    } else {
        format!("CREATE SCHEMA {};", quote_ident(name))
    }
}

pub fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {};", quote_ident(name))
}

pub fn rename_schema(name: &str, new_name: &str) -> String {
    format!(
        "ALTER SCHEMA {} RENAME TO {};",
        quote_ident(name),
        quote_ident(new_name)
    )
}

/// `CREATE EXTENSION name WITH SCHEMA s VERSION 'v'`.
pub fn create_extension(name: &str, extension: &Extension) -> String {
    format!(
        "CREATE EXTENSION {} WITH SCHEMA {} VERSION {};",
        quote_ident(name),
        quote_ident(&extension.schema),
        literal(&extension.version)
    )
}

pub fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION {};", quote_ident(name))
}

pub fn alter_extension_update(name: &str, version: &str) -> String {
    format!(
        "ALTER EXTENSION {} UPDATE TO {};",
        quote_ident(name),
        literal(version)
    )
}

pub fn alter_extension_set_schema(name: &str, schema: &str) -> String {
    format!(
        "ALTER EXTENSION {} SET SCHEMA {};",
        quote_ident(name),
        quote_ident(schema)
    )
}

// ---------------------------------------------------------------------------------------------
// Types

/// `CREATE TYPE` for an enum, composite or range type, `CREATE DOMAIN` for a domain. A domain
/// constraint stored as `... NOT VALID` cannot be declared in CREATE DOMAIN: it follows as
/// `ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID`. A range with a CANONICAL function needs the
/// shell type first (`CREATE TYPE s.r;`), the function, then this statement.
pub fn create_type(schema: &str, name: &str, ty: &Type) -> Vec<String> {
    let qname = qualified(schema, name);
    match &ty.definition {
        TypeDefinition::Enum { labels } => {
            let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
            vec![format!(
                "CREATE TYPE {qname} AS ENUM ({});",
                labels.join(", ")
            )]
        }
        TypeDefinition::Domain {
            base_type,
            not_null,
            default,
            collation,
            constraints,
        } => {
            let mut sql = format!("CREATE DOMAIN {qname} AS {base_type}");
            if let Some(collation) = collation {
                sql.push_str(&format!(" COLLATE {collation}"));
            }
            if let Some(default) = default {
                sql.push_str(&format!(" DEFAULT {default}"));
            }
            if *not_null {
                sql.push_str(" NOT NULL");
            }
            let mut later = Vec::new();
            for (constraint, definition) in constraints {
                if definition.ends_with(" NOT VALID") {
                    later.push(add_domain_constraint(schema, name, constraint, definition));
                } else {
                    sql.push_str(&format!(
                        " CONSTRAINT {} {definition}",
                        quote_ident(constraint)
                    ));
                }
            }
            sql.push(';');
            let mut out = vec![sql];
            out.extend(later);
            out
        }
        TypeDefinition::Composite { attributes } => {
            let attributes: Vec<String> = attributes
                .iter()
                .map(|(attribute, data_type)| format!("{} {data_type}", quote_ident(attribute)))
                .collect();
            vec![format!(
                "CREATE TYPE {qname} AS ({});",
                attributes.join(", ")
            )]
        }
        TypeDefinition::Range {
            subtype,
            subtype_opclass,
            collation,
            canonical,
            subtype_diff,
        } => {
            let mut options = vec![format!("SUBTYPE = {subtype}")];
            let optional = [
                ("SUBTYPE_OPCLASS", subtype_opclass),
                ("COLLATION", collation),
                ("CANONICAL", canonical),
                ("SUBTYPE_DIFF", subtype_diff),
            ];
            for (option, value) in optional {
                if let Some(value) = value {
                    options.push(format!("{option} = {value}"));
                }
            }
            vec![format!(
                "CREATE TYPE {qname} AS RANGE ({});",
                options.join(", ")
            )]
        }
    }
}

fn type_keyword(definition: &TypeDefinition) -> &'static str {
    match definition {
        TypeDefinition::Domain { .. } => "DOMAIN",
        _ => "TYPE",
    }
}

/// `DROP TYPE`, or `DROP DOMAIN` for a domain.
pub fn drop_type(schema: &str, name: &str, definition: &TypeDefinition) -> String {
    format!(
        "DROP {} {};",
        type_keyword(definition),
        qualified(schema, name)
    )
}

/// `ALTER TYPE ... RENAME TO`, or `ALTER DOMAIN` for a domain.
pub fn rename_type(
    schema: &str,
    name: &str,
    definition: &TypeDefinition,
    new_name: &str,
) -> String {
    format!(
        "ALTER {} {} RENAME TO {};",
        type_keyword(definition),
        qualified(schema, name),
        quote_ident(new_name)
    )
}

/// One change to the attributes of a composite type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeChange<'a> {
    /// `ADD ATTRIBUTE name type` (`type` as the model prints it, with its collation).
    Add(&'a str, &'a str),
    Drop(&'a str),
    /// `ALTER ATTRIBUTE name SET DATA TYPE type`: refused while a column has the type.
    SetType(&'a str, &'a str),
}

/// `ALTER TYPE s.t DROP ATTRIBUTE a, ADD ATTRIBUTE b integer, ...`: one statement, the actions
/// in the order given. An added attribute goes last; attributes cannot be reordered.
pub fn alter_composite(schema: &str, name: &str, changes: &[AttributeChange]) -> String {
    let actions: Vec<String> = changes
        .iter()
        .map(|c| match *c {
            AttributeChange::Add(attribute, data_type) => {
                format!("ADD ATTRIBUTE {} {data_type}", quote_ident(attribute))
            }
            AttributeChange::Drop(attribute) => {
                format!("DROP ATTRIBUTE {}", quote_ident(attribute))
            }
            AttributeChange::SetType(attribute, data_type) => {
                format!(
                    "ALTER ATTRIBUTE {} SET DATA TYPE {data_type}",
                    quote_ident(attribute)
                )
            }
        })
        .collect();
    format!(
        "ALTER TYPE {} {};",
        qualified(schema, name),
        actions.join(", ")
    )
}

/// Where a new enum label goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelPosition<'a> {
    Last,
    Before(&'a str),
    After(&'a str),
}

/// `ALTER TYPE s.t ADD VALUE 'x' [BEFORE 'y' | AFTER 'y']`. The new label cannot be used in the
/// transaction that adds it (the plan commits it first).
pub fn add_enum_value(schema: &str, name: &str, label: &str, position: LabelPosition) -> String {
    let place = match position {
        LabelPosition::Last => String::new(),
        LabelPosition::Before(other) => format!(" BEFORE {}", literal(other)),
        LabelPosition::After(other) => format!(" AFTER {}", literal(other)),
    };
    format!(
        "ALTER TYPE {} ADD VALUE {}{place};",
        qualified(schema, name),
        literal(label)
    )
}

pub fn rename_enum_value(schema: &str, name: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER TYPE {} RENAME VALUE {} TO {};",
        qualified(schema, name),
        literal(from),
        literal(to)
    )
}

pub fn set_domain_default(schema: &str, name: &str, expression: &str) -> String {
    format!(
        "ALTER DOMAIN {} SET DEFAULT {expression};",
        qualified(schema, name)
    )
}

pub fn drop_domain_default(schema: &str, name: &str) -> String {
    format!("ALTER DOMAIN {} DROP DEFAULT;", qualified(schema, name))
}

pub fn set_domain_not_null(schema: &str, name: &str) -> String {
    format!("ALTER DOMAIN {} SET NOT NULL;", qualified(schema, name))
}

pub fn drop_domain_not_null(schema: &str, name: &str) -> String {
    format!("ALTER DOMAIN {} DROP NOT NULL;", qualified(schema, name))
}

/// `ALTER DOMAIN s.d ADD CONSTRAINT name CHECK (...)`; `definition` is the model's
/// `pg_get_constraintdef` text.
pub fn add_domain_constraint(
    schema: &str,
    name: &str,
    constraint: &str,
    definition: &str,
) -> String {
    format!(
        "ALTER DOMAIN {} ADD CONSTRAINT {} {definition};",
        qualified(schema, name),
        quote_ident(constraint)
    )
}

pub fn drop_domain_constraint(schema: &str, name: &str, constraint: &str) -> String {
    format!(
        "ALTER DOMAIN {} DROP CONSTRAINT {};",
        qualified(schema, name),
        quote_ident(constraint)
    )
}

pub fn rename_domain_constraint(schema: &str, name: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER DOMAIN {} RENAME CONSTRAINT {} TO {};",
        qualified(schema, name),
        quote_ident(from),
        quote_ident(to)
    )
}

// ---------------------------------------------------------------------------------------------
// Sequences

/// `CREATE SEQUENCE` with every property spelled out (so the result does not depend on the
/// defaults of the server's version). OWNED BY is separate: [`sequence_owned_by`], once the
/// column exists.
pub fn create_sequence(schema: &str, name: &str, sequence: &Sequence) -> String {
    format!(
        "CREATE SEQUENCE {} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {};",
        qualified(schema, name),
        sequence.data_type,
        sequence.increment,
        sequence.min_value,
        sequence.max_value,
        sequence.start,
        sequence.cache,
        if sequence.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// `ALTER SEQUENCE` with the properties that differ between `from` and `to`; `None` when none
/// does (OWNED BY and the owner are separate statements). Never RESTART: the current value is
/// data. A change of type always restates MINVALUE and MAXVALUE, because PostgreSQL moves a
/// bound that sat at the old type's limit to the new type's limit.
pub fn alter_sequence(schema: &str, name: &str, from: &Sequence, to: &Sequence) -> Option<String> {
    let mut parts = Vec::new();
    let retyped = from.data_type != to.data_type;
    if retyped {
        parts.push(format!("AS {}", to.data_type));
    }
    if from.increment != to.increment {
        parts.push(format!("INCREMENT BY {}", to.increment));
    }
    if retyped || from.min_value != to.min_value {
        parts.push(format!("MINVALUE {}", to.min_value));
    }
    if retyped || from.max_value != to.max_value {
        parts.push(format!("MAXVALUE {}", to.max_value));
    }
    if from.start != to.start {
        parts.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        parts.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        parts.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "ALTER SEQUENCE {} {};",
        qualified(schema, name),
        parts.join(" ")
    ))
}

/// `ALTER SEQUENCE ... OWNED BY s.t.c` (the model's `owned_by` text, already qualified), or
/// `OWNED BY NONE`. The sequence and the table must have the same owner.
pub fn sequence_owned_by(schema: &str, name: &str, owned_by: Option<&str>) -> String {
    format!(
        "ALTER SEQUENCE {} OWNED BY {};",
        qualified(schema, name),
        owned_by.unwrap_or("NONE")
    )
}

pub fn drop_sequence(schema: &str, name: &str) -> String {
    format!("DROP SEQUENCE {};", qualified(schema, name))
}

pub fn rename_sequence(schema: &str, name: &str, new_name: &str) -> String {
    format!(
        "ALTER SEQUENCE {} RENAME TO {};",
        qualified(schema, name),
        quote_ident(new_name)
    )
}

// ---------------------------------------------------------------------------------------------
// Functions, procedures, aggregates

/// Settings whose value is a list of names (`GUC_LIST_QUOTE` in PostgreSQL; the list pg_dump
/// keeps in `variable_is_guc_list_quote`): each element is its own literal in SET.
const LIST_SETTINGS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
    "unix_socket_directories",
];

/// Split a list setting as PostgreSQL's `SplitGUCList` does: elements separated by commas,
/// whitespace around them dropped, double-quoted elements unquoted (`""` inside is one quote),
/// unquoted ones kept as written. `None` when the text is not such a list.
fn split_setting_list(value: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    let skip_space = |chars: &mut std::iter::Peekable<std::str::Chars>| {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    };
    skip_space(&mut chars);
    if chars.peek().is_none() {
        return Some(out);
    }
    loop {
        let mut element = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        element.push('"');
                    }
                    '"' => break,
                    c => element.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                element.push(c);
                chars.next();
            }
            if element.is_empty() {
                return None;
            }
        }
        out.push(element);
        skip_space(&mut chars);
        match chars.next() {
            None => return Some(out),
            Some(',') => skip_space(&mut chars),
            Some(_) => return None,
        }
    }
}

/// One `proconfig` entry (`name=value`) as a SET clause, quoted the way `pg_get_functiondef`
/// does: `SET search_path = 'public', 'pg_temp'` for list settings, `SET work_mem = '64MB'`
/// otherwise.
pub fn config_clause(entry: &str) -> String {
    let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
    let list = LIST_SETTINGS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
        .then(|| split_setting_list(value))
        .flatten();
    let value = match list {
        Some(elements) if !elements.is_empty() => elements
            .iter()
            .map(|e| literal(e))
            .collect::<Vec<_>>()
            .join(", "),
        _ => literal(value),
    };
    format!("SET {} = {value}", quote_ident(name))
}

/// An SQL-standard body (`BEGIN ATOMIC ... END` or `RETURN ...`), printed unquoted. The model
/// has no flag for it: a `LANGUAGE sql` body the deparser wrote starts with one of these words,
/// which a string body that PostgreSQL accepted cannot (neither is an SQL statement).
fn is_standard_body(function: &Function) -> bool {
    function.language == "sql"
        && (function.body.starts_with("BEGIN ATOMIC") || function.body.starts_with("RETURN "))
}

fn upper_keyword(value: &str, allowed: &[&str], what: &str) -> Result<String, DdlError> {
    let upper = value.to_ascii_uppercase();
    if allowed.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        error(format!("unknown {what} {value:?}"))
    }
}

fn function_statement(
    schema: &str,
    key: &str,
    function: &Function,
    or_replace: bool,
) -> Result<String, DdlError> {
    let Some((name, _)) = split_function_key(key) else {
        return error(format!(
            "{key:?} is not a function key (name(argument types))"
        ));
    };
    let qname = qualified(schema, &name);
    let create = if or_replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    if function.kind == FunctionKind::Aggregate {
        let arguments = if function.arguments.is_empty() {
            "*"
        } else {
            &function.arguments
        };
        let mut options = function.body.clone();
        let parallel = upper_keyword(
            &function.parallel,
            &["SAFE", "RESTRICTED", "UNSAFE"],
            "parallel",
        )?;
        if parallel != "UNSAFE" {
            options.push_str(&format!(", PARALLEL = {parallel}"));
        }
        return Ok(format!(
            "{create} AGGREGATE {qname}({arguments}) ({options});"
        ));
    }
    if function.language.eq_ignore_ascii_case("c") {
        return error(format!(
            "{}.{key} is a C function: the model does not keep the library it is loaded from \
             (probin), so it cannot be created",
            quote_ident(schema)
        ));
    }
    let mut sql = String::new();
    if function.kind == FunctionKind::Procedure {
        sql.push_str(&format!(
            "{create} PROCEDURE {qname}({}) LANGUAGE {}",
            function.arguments,
            quote_ident(&function.language)
        ));
        if function.security_definer {
            sql.push_str(" SECURITY DEFINER");
        }
    } else {
        sql.push_str(&format!(
            "{create} FUNCTION {qname}({}) RETURNS {} LANGUAGE {}",
            function.arguments,
            function.returns,
            quote_ident(&function.language)
        ));
        if function.kind == FunctionKind::Window {
            sql.push_str(" WINDOW");
        }
        sql.push(' ');
        sql.push_str(&upper_keyword(
            &function.volatility,
            &["IMMUTABLE", "STABLE", "VOLATILE"],
            "volatility",
        )?);
        if function.strict {
            sql.push_str(" STRICT");
        }
        if function.security_definer {
            sql.push_str(" SECURITY DEFINER");
        }
        if function.leakproof {
            sql.push_str(" LEAKPROOF");
        }
        sql.push_str(" PARALLEL ");
        sql.push_str(&upper_keyword(
            &function.parallel,
            &["SAFE", "RESTRICTED", "UNSAFE"],
            "parallel",
        )?);
        sql.push_str(&format!(" COST {}", function.cost));
        if let Some(rows) = function.rows {
            sql.push_str(&format!(" ROWS {rows}"));
        }
    }
    for entry in &function.config {
        sql.push(' ');
        sql.push_str(&config_clause(entry));
    }
    if is_standard_body(function) {
        sql.push('\n');
        sql.push_str(&function.body);
    } else {
        sql.push_str(" AS ");
        sql.push_str(&dollar_quote(&function.body));
    }
    sql.push(';');
    Ok(sql)
}

/// `CREATE FUNCTION` / `CREATE PROCEDURE` / `CREATE AGGREGATE` from the model. `key` is the
/// model's `name(argument types)`. A function whose body refers to tables that do not exist yet
/// needs `SET check_function_bodies = off` in the session (an SQL-standard body is always
/// checked). C functions cannot be created from the model.
pub fn create_function(schema: &str, key: &str, function: &Function) -> Result<String, DdlError> {
    let mut sql = function_statement(schema, key, function, false)?;
    for statement in depends_on_extensions(schema, key, function.kind, &[], &function.extensions) {
        sql.push('\n');
        sql.push_str(&statement);
    }
    Ok(sql)
}

/// `ALTER FUNCTION f(...) [NO] DEPENDS ON EXTENSION e`: the extensions a function is marked as
/// depending on, `from` turned into `to`.
pub fn depends_on_extensions(
    schema: &str,
    key: &str,
    kind: FunctionKind,
    from: &[String],
    to: &[String],
) -> Vec<String> {
    let routine = format!("{} {}", routine_keyword(kind), signature(schema, key, kind));
    let gone = (from.iter())
        .filter(|x| !to.contains(x))
        .map(|x| (x, "NO "));
    let new = (to.iter()).filter(|x| !from.contains(x)).map(|x| (x, ""));
    (gone.chain(new))
        .map(|(x, no)| {
            format!(
                "ALTER {routine} {no}DEPENDS ON EXTENSION {};",
                quote_ident(x)
            )
        })
        .collect()
}

/// `CREATE OR REPLACE` of the same. PostgreSQL refuses it when the return type, the OUT
/// parameters, an input parameter's name or a parameter default removed differ from the
/// existing routine's, and when a function would become a procedure or the reverse: those need
/// a drop and create.
pub fn create_or_replace_function(
    schema: &str,
    key: &str,
    function: &Function,
) -> Result<String, DdlError> {
    function_statement(schema, key, function, true)
}

/// `DROP FUNCTION s.name(argument types)`, `DROP PROCEDURE` or `DROP AGGREGATE` by kind.
pub fn drop_function(schema: &str, key: &str, kind: FunctionKind) -> String {
    format!(
        "DROP {} {};",
        routine_keyword(kind),
        signature(schema, key, kind)
    )
}

/// `ALTER FUNCTION ... RENAME TO` (PROCEDURE, AGGREGATE by kind).
pub fn rename_function(schema: &str, key: &str, kind: FunctionKind, new_name: &str) -> String {
    format!(
        "ALTER {} {} RENAME TO {};",
        routine_keyword(kind),
        signature(schema, key, kind),
        quote_ident(new_name)
    )
}

// ---------------------------------------------------------------------------------------------
// Tables and columns

/// What [`create_table`] may rely on beyond the table itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableParts<'a> {
    /// Print a partition or a child table as a standalone table with every column, without
    /// `PARTITION OF` or `INHERITS`; attach it later ([`attach_partition`], [`inherit`]), once
    /// it has the constraints its parent requires.
    pub standalone: bool,
    /// The parents' models: the partitioned table of a partition, or the `inherits` parents in
    /// order. With them, only what differs from the parent is printed for an inherited column;
    /// without them a partition gets no column list (it takes the parent's columns as they are)
    /// and a child declares every column (PostgreSQL merges them with the inherited ones: the
    /// model is the same, only `attislocal` differs).
    pub parents: &'a [&'a Table],
    /// Print `TABLESPACE` (off when the policy ignores tablespaces: the actual server may not
    /// have the expected one).
    pub tablespaces: bool,
}

/// `name type [COLLATE c] [GENERATED ... | DEFAULT ...] [NOT NULL]`, as in CREATE TABLE and
/// ADD COLUMN.
pub fn column_definition(name: &str, column: &Column) -> String {
    let mut sql = format!("{} {}", quote_ident(name), column.data_type);
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(expression) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS {} STORED",
            parenthesized(expression)
        ));
    } else if let Some(identity) = column.identity {
        sql.push(' ');
        sql.push_str(&identity_clause(identity, &column.identity_options()));
    } else if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT {default}"));
    }
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// `GENERATED ... AS IDENTITY [(options)]`, with the options that are not PostgreSQL's own.
fn identity_clause(identity: Identity, options: &IdentityOptions) -> String {
    let options = options.sql();
    if options.is_empty() {
        identity.sql().to_string()
    } else {
        format!("{} ({options})", identity.sql())
    }
}

/// The ALTER COLUMN statements for what a column definition cannot say on every version: its
/// storage, compression and statistics target, where they are not the defaults (as pg_dump
/// prints them after CREATE TABLE).
pub fn column_settings(schema: &str, table: &str, name: &str, column: &Column) -> Vec<String> {
    let mut out = Vec::new();
    if column.storage.is_some() {
        out.push(set_column_storage(
            schema,
            table,
            name,
            column.storage.as_deref(),
        ));
    }
    if column.compression.is_some() {
        out.push(set_column_compression(
            schema,
            table,
            name,
            column.compression.as_deref(),
        ));
    }
    if column.statistics.is_some() {
        out.push(set_column_statistics(
            schema,
            table,
            name,
            column.statistics,
        ));
    }
    if !column.options.is_empty() {
        out.push(set_column_options(
            schema,
            table,
            name,
            &[],
            &column.options,
        ));
    }
    out
}

/// `ALTER COLUMN c RESET (...), ALTER COLUMN c SET (...)`: the attribute options `from` turned
/// into `to` (each `name=value`).
pub fn set_column_options(
    schema: &str,
    table: &str,
    name: &str,
    from: &[String],
    to: &[String],
) -> String {
    let key = |o: &String| o.split_once('=').map_or(o.clone(), |(k, _)| k.to_string());
    let kept: Vec<String> = to.iter().map(key).collect();
    let reset: Vec<String> = (from.iter().map(key))
        .filter(|k| !kept.contains(k))
        .collect();
    let set: Vec<String> = (to.iter())
        .map(|o| match o.split_once('=') {
            Some((k, v)) => format!("{k} = {}", literal(v)),
            None => o.clone(),
        })
        .collect();
    let column = format!("ALTER COLUMN {}", quote_ident(name));
    let mut actions = Vec::new();
    if !reset.is_empty() {
        actions.push(format!("{column} RESET ({})", reset.join(", ")));
    }
    if !set.is_empty() {
        actions.push(format!("{column} SET ({})", set.join(", ")));
    }
    format!(
        "ALTER TABLE {} {};",
        qualified(schema, table),
        actions.join(", ")
    )
}

/// A DO block that runs `format(template, (value))`: for an ALTER whose value PostgreSQL knows
/// and the model does not (a type's default storage, the database's tablespace).
fn dynamic(template: &str, value: &str) -> String {
    let body = format!(
        "BEGIN EXECUTE pg_catalog.format({}, ({value})); END",
        literal(template)
    );
    format!("DO {};", dollar_quote(&body))
}

/// `ALTER COLUMN c SET STORAGE mode`; `None`: the column's type's default storage (looked up
/// by the server: `SET STORAGE DEFAULT` exists only from PostgreSQL 16).
pub fn set_column_storage(schema: &str, table: &str, name: &str, storage: Option<&str>) -> String {
    match storage {
        Some(mode) => alter_column(
            schema,
            table,
            name,
            &format!("SET STORAGE {}", mode.to_uppercase()),
        ),
        None => {
            let template = format!(
                "ALTER TABLE {} ALTER COLUMN {} SET STORAGE %s;",
                qualified(schema, table).replace('%', "%%"),
                quote_ident(name).replace('%', "%%")
            );
            let value = format!(
                "SELECT CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' \
                 WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END \
                 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                 WHERE a.attrelid = {}::pg_catalog.regclass AND a.attname = {}",
                literal(&qualified(schema, table)),
                literal(name)
            );
            dynamic(&template, &value)
        }
    }
}

/// `ALTER COLUMN c SET COMPRESSION method` (`default` for `None`; PostgreSQL 14 and later).
pub fn set_column_compression(
    schema: &str,
    table: &str,
    name: &str,
    compression: Option<&str>,
) -> String {
    let method = compression.map_or("default".to_string(), quote_ident);
    alter_column(schema, table, name, &format!("SET COMPRESSION {method}"))
}

/// `ALTER COLUMN c SET STATISTICS n` (-1, the default, for `None`).
pub fn set_column_statistics(schema: &str, table: &str, name: &str, target: Option<i32>) -> String {
    let target = target.unwrap_or(-1);
    alter_column(schema, table, name, &format!("SET STATISTICS {target}"))
}

/// `ALTER COLUMN c SET INCREMENT BY ... SET MINVALUE ... SET MAXVALUE ... SET START WITH ...
/// SET CACHE ... SET [NO] CYCLE`: every option of an identity column's sequence at once, so
/// that the new bounds and start are checked together. The sequence's current value stays.
pub fn set_identity_options(
    schema: &str,
    table: &str,
    name: &str,
    values: &SequenceValues,
) -> String {
    let cycle = if values.cycle { "CYCLE" } else { "NO CYCLE" };
    alter_column(
        schema,
        table,
        name,
        &format!(
            "SET INCREMENT BY {} SET MINVALUE {} SET MAXVALUE {} SET START WITH {} SET CACHE {} \
             SET {cycle}",
            values.increment, values.min_value, values.max_value, values.start, values.cache
        ),
    )
}

/// `ALTER TABLE ... REPLICA IDENTITY DEFAULT | FULL | NOTHING | USING INDEX i`.
pub fn set_replica_identity(schema: &str, table: &str, identity: &ReplicaIdentity) -> String {
    alter_table(
        schema,
        table,
        &format!("REPLICA IDENTITY {}", identity.sql()),
    )
}

/// `ALTER TABLE ... CLUSTER ON i`, or `SET WITHOUT CLUSTER` for `None`.
pub fn set_view_cluster(schema: &str, view: &str, index: Option<&str>) -> String {
    let action = match index {
        Some(index) => format!("CLUSTER ON {}", quote_ident(index)),
        None => "SET WITHOUT CLUSTER".to_string(),
    };
    format!(
        "ALTER MATERIALIZED VIEW {} {action};",
        qualified(schema, view)
    )
}

pub fn set_cluster(schema: &str, table: &str, index: Option<&str>) -> String {
    match index {
        Some(index) => alter_table(schema, table, &format!("CLUSTER ON {}", quote_ident(index))),
        None => alter_table(schema, table, "SET WITHOUT CLUSTER"),
    }
}

/// `ALTER TABLE ... SET ACCESS METHOD am` (`heap` for `None`; PostgreSQL 15 and later;
/// rewrites the table).
pub fn set_access_method(schema: &str, table: &str, method: Option<&str>) -> String {
    let method = quote_ident(method.unwrap_or("heap"));
    alter_table(schema, table, &format!("SET ACCESS METHOD {method}"))
}

/// `ALTER TABLE|INDEX ... SET TABLESPACE ts` (moves its files); `None`: the database's default
/// tablespace, looked up by the server.
pub fn set_tablespace(keyword: &str, schema: &str, name: &str, tablespace: Option<&str>) -> String {
    let target = qualified(schema, name);
    match tablespace {
        Some(ts) => format!(
            "ALTER {keyword} {target} SET TABLESPACE {};",
            quote_ident(ts)
        ),
        None => dynamic(
            &format!(
                "ALTER {keyword} {} SET TABLESPACE %I;",
                target.replace('%', "%%")
            ),
            "SELECT ts.spcname FROM pg_catalog.pg_tablespace ts \
             JOIN pg_catalog.pg_database d ON d.dattablespace = ts.oid \
             WHERE d.datname = pg_catalog.current_database()",
        ),
    }
}

fn columns_in_order(table: &Table) -> Vec<(&String, &Column)> {
    let mut columns: Vec<_> = table.columns.iter().map(|(n, c)| (n, &**c)).collect();
    columns.sort_by_key(|(_, c)| c.position);
    columns
}

/// The columns a child gets from its parents, in the order CREATE TABLE ... INHERITS lays them
/// out: the first parent's columns, then each further parent's new ones.
fn inherited_columns<'a>(parents: &[&'a Table]) -> Vec<(&'a String, &'a Column)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for parent in parents {
        for (name, column) in columns_in_order(parent) {
            if seen.insert(name) {
                out.push((name, column));
            }
        }
    }
    out
}

/// `CREATE [UNLOGGED] TABLE` with the columns in position order, `PARTITION OF ... FOR VALUES`
/// for a partition, `INHERITS` for a child, `PARTITION BY` for a partitioned table and `WITH
/// (storage parameters)`. Constraints, indexes, triggers, policies, RLS, owner, grants and
/// comments are separate statements. The first statement is the CREATE; more follow when an
/// inherited column loses the default its parent gives it.
///
/// With the parents known (`parts.parents`), a partition's column list holds only the defaults
/// and NOT NULLs where it differs from its parent (`col WITH OPTIONS ...`); a child omits the
/// columns it inherits unchanged and declares again, as one writes it, a column with a default
/// or NOT NULL of its own (PostgreSQL merges it with the inherited one). A default the partition
/// or child lost is dropped by a statement after the CREATE. Both layouts put the inherited
/// columns first, in the parent's order; a table whose columns are in another order (it was
/// created on its own and attached later) is an error: print it `standalone` and attach it.
///
/// Constraints and indexes a partition or child gets from its parent must not be added to it
/// again; the model does not mark them, so telling them apart is the caller's part.
pub fn create_table(
    schema: &str,
    name: &str,
    table: &Table,
    parts: TableParts,
) -> Result<Vec<String>, DdlError> {
    let qname = qualified(schema, name);
    let unlogged = if table.persistence == Persistence::Unlogged {
        "UNLOGGED "
    } else {
        ""
    };
    let columns = columns_in_order(table);
    let mut after = Vec::new();
    let mut sql = format!("CREATE {unlogged}TABLE {qname}");
    let order_error = |what: &str| {
        error(format!(
            "the columns of {qname} are not laid out as {what} lays them out (inherited columns \
             first, in the parent's order); create it standalone and attach it"
        ))
    };

    if let (Some(parent), false) = (&table.partition_of, parts.standalone) {
        sql.push_str(&format!(" PARTITION OF {parent}"));
        if let Some(parent_table) = parts.parents.first() {
            let parent_columns = columns_in_order(parent_table);
            let same_order = parent_columns.len() == columns.len()
                && parent_columns.iter().zip(&columns).all(|(p, c)| p.0 == c.0);
            if !same_order {
                return order_error("PARTITION OF");
            }
            let mut options = Vec::new();
            for ((column_name, column), (_, inherited)) in columns.iter().zip(&parent_columns) {
                if column.data_type != inherited.data_type
                    || column.collation != inherited.collation
                    || column.generated != inherited.generated
                {
                    return error(format!(
                        "column {} of partition {qname} differs from its parent's in type, \
                         collation or generation expression, which a partition cannot do",
                        quote_ident(column_name)
                    ));
                }
                let mut option = Vec::new();
                if column.default != inherited.default {
                    match &column.default {
                        Some(default) => option.push(format!("DEFAULT {default}")),
                        None => after.push(drop_column_default(schema, name, column_name)),
                    }
                }
                if column.not_null && !inherited.not_null {
                    option.push("NOT NULL".to_string());
                }
                if !option.is_empty() {
                    options.push(format!(
                        "{} WITH OPTIONS {}",
                        quote_ident(column_name),
                        option.join(" ")
                    ));
                }
            }
            if !options.is_empty() {
                sql.push_str(&format!(" ({})", options.join(", ")));
            }
        }
        let Some(bound) = &table.partition_bound else {
            return error(format!(
                "partition {qname} has no partition bound in the model"
            ));
        };
        sql.push(' ');
        sql.push_str(bound);
    } else {
        let inherits = !table.inherits.is_empty() && !parts.standalone;
        let mut declared = Vec::new();
        let mut local = &columns[..];
        if inherits && !parts.parents.is_empty() {
            let inherited = inherited_columns(parts.parents);
            let laid_out = inherited.len() <= columns.len()
                && inherited.iter().zip(&columns).all(|(p, c)| p.0 == c.0);
            if !laid_out {
                return order_error("INHERITS");
            }
            for ((column_name, column), (_, parent)) in columns.iter().zip(&inherited) {
                // A default the child lost is dropped after: CREATE TABLE cannot say so.
                let lost_default = column.default.is_none() && parent.default.is_some();
                if lost_default {
                    after.push(drop_column_default(schema, name, column_name));
                }
                let unchanged = column.data_type == parent.data_type
                    && column.collation == parent.collation
                    && (column.default == parent.default || lost_default)
                    && column.generated == parent.generated
                    && column.identity == parent.identity
                    && column.not_null == parent.not_null;
                if !unchanged {
                    // Declared again, the column merges with the inherited one, and its own
                    // default and NOT NULL apply.
                    declared.push(column_definition(column_name, column));
                }
            }
            local = &columns[inherited.len()..];
        }
        declared.extend(local.iter().map(|(n, c)| column_definition(n, c)));
        if declared.is_empty() {
            sql.push_str(" ()");
        } else {
            sql.push_str(&format!(" (\n    {}\n)", declared.join(",\n    ")));
        }
        if inherits {
            sql.push_str(&format!(" INHERITS ({})", table.inherits.join(", ")));
        }
    }
    if let Some(key) = &table.partition_key {
        sql.push_str(&format!(" PARTITION BY {key}"));
    }
    if let Some(method) = &table.access_method {
        sql.push_str(&format!(" USING {}", quote_ident(method)));
    }
    sql.push_str(&with_options(&table.reloptions));
    if let (true, Some(tablespace)) = (parts.tablespaces, &table.tablespace) {
        sql.push_str(&format!(" TABLESPACE {}", quote_ident(tablespace)));
    }
    sql.push(';');
    let mut out = vec![sql];
    out.extend(after);
    for (column_name, column) in &columns {
        out.extend(column_settings(schema, name, column_name, column));
    }
    Ok(out)
}

pub fn drop_table(schema: &str, name: &str) -> String {
    format!("DROP TABLE {};", qualified(schema, name))
}

pub fn rename_table(schema: &str, name: &str, new_name: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME TO {};",
        qualified(schema, name),
        quote_ident(new_name)
    )
}

fn alter_table(schema: &str, table: &str, action: &str) -> String {
    format!("ALTER TABLE {} {action};", qualified(schema, table))
}

fn alter_column(schema: &str, table: &str, column: &str, action: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("ALTER COLUMN {} {action}", quote_ident(column)),
    )
}

/// `ALTER TABLE ... ADD CONSTRAINT name <definition>` (the model's `pg_get_constraintdef`
/// text, `NOT VALID` included when it says so).
pub fn add_constraint(schema: &str, table: &str, name: &str, constraint: &Constraint) -> String {
    alter_table(
        schema,
        table,
        &format!(
            "ADD CONSTRAINT {} {}",
            quote_ident(name),
            constraint.definition
        ),
    )
}

pub fn drop_constraint(schema: &str, table: &str, name: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("DROP CONSTRAINT {}", quote_ident(name)),
    )
}

pub fn rename_constraint(schema: &str, table: &str, from: &str, to: &str) -> String {
    alter_table(
        schema,
        table,
        &format!(
            "RENAME CONSTRAINT {} TO {}",
            quote_ident(from),
            quote_ident(to)
        ),
    )
}

/// `ALTER TABLE ... VALIDATE CONSTRAINT name`, for a constraint added NOT VALID.
pub fn validate_constraint(schema: &str, table: &str, name: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("VALIDATE CONSTRAINT {}", quote_ident(name)),
    )
}

pub fn add_column(schema: &str, table: &str, name: &str, column: &Column) -> String {
    alter_table(
        schema,
        table,
        &format!("ADD COLUMN {}", column_definition(name, column)),
    )
}

pub fn drop_column(schema: &str, table: &str, name: &str) -> String {
    alter_table(schema, table, &format!("DROP COLUMN {}", quote_ident(name)))
}

/// `ALTER TABLE ... DROP COLUMN IF EXISTS`: for a column a child table inherits, which goes with
/// the parent's column unless the child declared it too (the model cannot tell which).
pub fn drop_column_if_exists(schema: &str, table: &str, name: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("DROP COLUMN IF EXISTS {}", quote_ident(name)),
    )
}

/// `ALTER TABLE ... DROP CONSTRAINT IF EXISTS`: for a constraint a child table inherits, which
/// goes with the parent's unless the child has it of its own too.
pub fn drop_constraint_if_exists(schema: &str, table: &str, name: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("DROP CONSTRAINT IF EXISTS {}", quote_ident(name)),
    )
}

/// The same `ALTER TABLE` statement for the table alone (`ALTER TABLE ONLY`), not for its
/// partitions and inheritance children: a parent's new default must not replace the defaults
/// its children have of their own.
pub fn table_only(statement: &str) -> String {
    match statement.strip_prefix("ALTER TABLE ") {
        Some(rest) if !rest.starts_with("ONLY ") => format!("ALTER TABLE ONLY {rest}"),
        _ => statement.to_string(),
    }
}

pub fn rename_column(schema: &str, table: &str, from: &str, to: &str) -> String {
    alter_table(
        schema,
        table,
        &format!("RENAME COLUMN {} TO {}", quote_ident(from), quote_ident(to)),
    )
}

/// `ALTER COLUMN c SET DATA TYPE t [COLLATE c] USING ...` to the type and collation of the
/// expected `column`. `using` is the conversion expression; `None` casts (`c::t`). A generated
/// column takes no USING (PostgreSQL refuses one; it recomputes the expression). PostgreSQL
/// refuses the statement for a column that a generated column, view or rule uses: those are
/// dropped first and recreated after.
pub fn alter_column_type(
    schema: &str,
    table: &str,
    name: &str,
    column: &Column,
    using: Option<&str>,
) -> String {
    let mut action = format!("SET DATA TYPE {}", column.data_type);
    if let Some(collation) = &column.collation {
        action.push_str(&format!(" COLLATE {collation}"));
    }
    if column.generated.is_none() {
        let cast = format!("{}::{}", quote_ident(name), column.data_type);
        action.push_str(&format!(" USING {}", using.unwrap_or(&cast)));
    }
    alter_column(schema, table, name, &action)
}

pub fn set_column_default(schema: &str, table: &str, name: &str, expression: &str) -> String {
    alter_column(schema, table, name, &format!("SET DEFAULT {expression}"))
}

pub fn drop_column_default(schema: &str, table: &str, name: &str) -> String {
    alter_column(schema, table, name, "DROP DEFAULT")
}

pub fn set_column_not_null(schema: &str, table: &str, name: &str) -> String {
    alter_column(schema, table, name, "SET NOT NULL")
}

pub fn drop_column_not_null(schema: &str, table: &str, name: &str) -> String {
    alter_column(schema, table, name, "DROP NOT NULL")
}

/// `ALTER COLUMN c ADD GENERATED ALWAYS|BY DEFAULT AS IDENTITY [(options)]` (the column must be
/// NOT NULL and have no default).
pub fn add_identity(
    schema: &str,
    table: &str,
    name: &str,
    identity: Identity,
    options: &IdentityOptions,
) -> String {
    alter_column(
        schema,
        table,
        name,
        &format!("ADD {}", identity_clause(identity, options)),
    )
}

/// `ALTER COLUMN c SET GENERATED ALWAYS|BY DEFAULT` on a column that is an identity already.
pub fn set_identity(schema: &str, table: &str, name: &str, identity: Identity) -> String {
    let kind = match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    };
    alter_column(schema, table, name, &format!("SET GENERATED {kind}"))
}

/// `ALTER COLUMN c DROP IDENTITY` (drops the identity's sequence; NOT NULL stays).
pub fn drop_identity(schema: &str, table: &str, name: &str) -> String {
    alter_column(schema, table, name, "DROP IDENTITY")
}

/// `ALTER COLUMN c DROP EXPRESSION`: a generated column becomes a plain one, keeping its values.
pub fn drop_expression(schema: &str, table: &str, name: &str) -> String {
    alter_column(schema, table, name, "DROP EXPRESSION")
}

/// `SET LOGGED` / `SET UNLOGGED` (rewrites the table).
pub fn set_persistence(schema: &str, table: &str, persistence: Persistence) -> String {
    let action = match persistence {
        Persistence::Permanent => "SET LOGGED",
        Persistence::Unlogged => "SET UNLOGGED",
    };
    alter_table(schema, table, action)
}

/// `ENABLE` / `DISABLE ROW LEVEL SECURITY`.
pub fn set_row_level_security(schema: &str, table: &str, enabled: bool) -> String {
    let action = if enabled { "ENABLE" } else { "DISABLE" };
    alter_table(schema, table, &format!("{action} ROW LEVEL SECURITY"))
}

/// `FORCE` / `NO FORCE ROW LEVEL SECURITY` (whether the owner is subject to the policies).
pub fn set_row_level_security_forced(schema: &str, table: &str, forced: bool) -> String {
    let action = if forced { "FORCE" } else { "NO FORCE" };
    alter_table(schema, table, &format!("{action} ROW LEVEL SECURITY"))
}

/// A relation whose storage parameters can be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Table,
    View,
    MaterializedView,
}

impl Relation {
    fn keyword(self) -> &'static str {
        match self {
            Relation::Table => "TABLE",
            Relation::View => "VIEW",
            Relation::MaterializedView => "MATERIALIZED VIEW",
        }
    }
}

/// `ALTER TABLE|VIEW|MATERIALIZED VIEW ... SET (changed) , RESET (removed)` from the sorted
/// `name=value` lists of the model; `None` when they are the same.
pub fn set_reloptions(
    relation: Relation,
    schema: &str,
    name: &str,
    from: &[String],
    to: &[String],
) -> Option<String> {
    let to_names: BTreeSet<&str> = to.iter().map(|o| reloption_name(o)).collect();
    let set: Vec<String> = to
        .iter()
        .filter(|o| !from.contains(o))
        .map(|o| reloption(o))
        .collect();
    let reset: Vec<String> = from
        .iter()
        .map(|o| reloption_name(o))
        .filter(|n| !to_names.contains(n))
        .map(quote_ident)
        .collect();
    let mut actions = Vec::new();
    if !set.is_empty() {
        actions.push(format!("SET ({})", set.join(", ")));
    }
    if !reset.is_empty() {
        actions.push(format!("RESET ({})", reset.join(", ")));
    }
    if actions.is_empty() {
        return None;
    }
    Some(format!(
        "ALTER {} {} {};",
        relation.keyword(),
        qualified(schema, name),
        actions.join(", ")
    ))
}

/// `ALTER TABLE parent ATTACH PARTITION s.child FOR VALUES ...` (`parent` as the model's
/// `partition_of` text, `bound` as its `partition_bound`: `FOR VALUES ...` or `DEFAULT`).
pub fn attach_partition(parent: &str, schema: &str, name: &str, bound: &str) -> String {
    format!(
        "ALTER TABLE {parent} ATTACH PARTITION {} {bound};",
        qualified(schema, name)
    )
}

pub fn detach_partition(parent: &str, schema: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {parent} DETACH PARTITION {};",
        qualified(schema, name)
    )
}

/// `ALTER TABLE s.t INHERIT parent` (`parent` qualified, as in the model's `inherits`). The
/// child must already have the parent's columns and CHECK constraints.
pub fn inherit(schema: &str, name: &str, parent: &str) -> String {
    alter_table(schema, name, &format!("INHERIT {parent}"))
}

pub fn no_inherit(schema: &str, name: &str, parent: &str) -> String {
    alter_table(schema, name, &format!("NO INHERIT {parent}"))
}

// ---------------------------------------------------------------------------------------------
// Indexes

/// The model's `pg_get_indexdef` text, a complete CREATE INDEX statement. On a partitioned
/// table it says `ON ONLY`: the index is created for the parent alone (and stays invalid) until
/// an index of each partition is attached to it ([`attach_index`]).
pub fn create_index(index: &Index) -> String {
    format!("{};", index.definition)
}

/// `ALTER INDEX i ALTER COLUMN n SET STATISTICS t`: an index's statistics targets `from`
/// (`n=t`) turned into `to`; a target that goes is set back to -1, the default.
pub fn index_statistics(schema: &str, name: &str, from: &[String], to: &[String]) -> Vec<String> {
    let column = |s: &String| s.split_once('=').map(|(n, _)| n.to_string());
    let reset = (from.iter())
        .filter_map(column)
        .filter(|n| !to.iter().any(|t| column(t).as_ref() == Some(n)))
        .map(|n| (n, "-1".to_string()));
    let set = (to.iter())
        .filter(|t| !from.contains(t))
        .filter_map(|t| t.split_once('='))
        .map(|(n, t)| (n.to_string(), t.to_string()));
    (reset.chain(set))
        .map(|(n, t)| {
            format!(
                "ALTER INDEX {} ALTER COLUMN {n} SET STATISTICS {t};",
                qualified(schema, name)
            )
        })
        .collect()
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY ...` (outside a transaction block). PostgreSQL cannot
/// build an index of a partitioned table concurrently.
pub fn create_index_concurrently(index: &Index) -> Result<String, DdlError> {
    let definition = &index.definition;
    if definition.contains(" ON ONLY ") {
        return error("an index of a partitioned table cannot be built concurrently");
    }
    for prefix in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] {
        if let Some(rest) = definition.strip_prefix(prefix) {
            return Ok(format!("{prefix}CONCURRENTLY {rest};"));
        }
    }
    error(format!(
        "not a CREATE INDEX statement: {:?}",
        definition.chars().take(40).collect::<String>()
    ))
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {};", qualified(schema, name))
}

/// `DROP INDEX IF EXISTS`: for the index of a partition, which goes with its parent's index.
pub fn drop_index_if_exists(schema: &str, name: &str) -> String {
    format!("DROP INDEX IF EXISTS {};", qualified(schema, name))
}

/// `DROP INDEX CONCURRENTLY` (outside a transaction block; not for an index of a partitioned
/// table).
pub fn drop_index_concurrently(schema: &str, name: &str) -> String {
    format!("DROP INDEX CONCURRENTLY {};", qualified(schema, name))
}

pub fn rename_index(schema: &str, name: &str, new_name: &str) -> String {
    format!(
        "ALTER INDEX {} RENAME TO {};",
        qualified(schema, name),
        quote_ident(new_name)
    )
}

/// `ALTER INDEX s.parent_index ATTACH PARTITION s.partition_index`: the index of a partition
/// becomes part of its parent's index.
pub fn attach_index(
    schema: &str,
    parent_index: &str,
    child_schema: &str,
    child_index: &str,
) -> String {
    format!(
        "ALTER INDEX {} ATTACH PARTITION {};",
        qualified(schema, parent_index),
        qualified(child_schema, child_index)
    )
}

// ---------------------------------------------------------------------------------------------
// Views

/// The view's query: the model's `pg_get_viewdef` text without its closing `;`.
fn view_query(view: &View) -> &str {
    view.definition.trim().trim_end_matches(';').trim_end()
}

fn view_statement(schema: &str, name: &str, view: &View, create: &str) -> String {
    format!(
        "{create} VIEW {}{} AS\n{}",
        qualified(schema, name),
        with_options(&view.reloptions),
        view_query(view)
    )
}

/// `CREATE VIEW s.v WITH (options) AS ...;`, or for a materialized view `CREATE MATERIALIZED
/// VIEW ... AS ... WITH DATA;` (which runs the query).
pub fn create_view(schema: &str, name: &str, view: &View) -> String {
    if view.materialized {
        create_materialized_view(schema, name, view, true)
    } else {
        let mut sql = format!("{};", view_statement(schema, name, view, "CREATE"));
        for statement in view_defaults(schema, name, &BTreeMap::new(), &view.column_defaults) {
            sql.push('\n');
            sql.push_str(&statement);
        }
        sql
    }
}

/// `ALTER VIEW v ALTER COLUMN c SET DEFAULT ...` / `DROP DEFAULT`: a view's column defaults
/// `from` turned into `to`.
pub fn view_defaults(
    schema: &str,
    name: &str,
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Vec<String> {
    let view = qualified(schema, name);
    let dropped = (from.keys()).filter(|c| !to.contains_key(*c)).map(|c| {
        format!(
            "ALTER VIEW {view} ALTER COLUMN {} DROP DEFAULT;",
            quote_ident(c)
        )
    });
    let set = (to.iter())
        .filter(|(c, d)| from.get(*c) != Some(d))
        .map(|(c, d)| {
            format!(
                "ALTER VIEW {view} ALTER COLUMN {} SET DEFAULT {d};",
                quote_ident(c)
            )
        });
    dropped.chain(set).collect()
}

/// `CREATE MATERIALIZED VIEW ... WITH [NO] DATA;` (without data it cannot be read until
/// REFRESH).
pub fn create_materialized_view(schema: &str, name: &str, view: &View, with_data: bool) -> String {
    let data = if with_data {
        "WITH DATA"
    } else {
        "WITH NO DATA"
    };
    format!(
        "{}\n{data};",
        view_statement(schema, name, view, "CREATE MATERIALIZED")
    )
}

/// `CREATE OR REPLACE VIEW`. PostgreSQL accepts it only when the new query keeps the existing
/// columns (same names, types and order; new columns may be added at the end). Materialized
/// views cannot be replaced.
pub fn create_or_replace_view(schema: &str, name: &str, view: &View) -> Result<String, DdlError> {
    if view.materialized {
        return error(format!(
            "materialized view {} cannot be replaced: drop and create it",
            qualified(schema, name)
        ));
    }
    Ok(format!(
        "{};",
        view_statement(schema, name, view, "CREATE OR REPLACE")
    ))
}

/// `DROP VIEW` or `DROP MATERIALIZED VIEW`.
pub fn drop_view(schema: &str, name: &str, materialized: bool) -> String {
    let kind = if materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    format!("DROP {kind} {};", qualified(schema, name))
}

pub fn rename_view(schema: &str, name: &str, materialized: bool, new_name: &str) -> String {
    let kind = if materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    format!(
        "ALTER {kind} {} RENAME TO {};",
        qualified(schema, name),
        quote_ident(new_name)
    )
}

/// `REFRESH MATERIALIZED VIEW [CONCURRENTLY]` (concurrently needs a unique index and runs
/// outside a transaction block).
pub fn refresh_materialized_view(schema: &str, name: &str, concurrently: bool) -> String {
    let how = if concurrently { "CONCURRENTLY " } else { "" };
    format!(
        "REFRESH MATERIALIZED VIEW {how}{};",
        qualified(schema, name)
    )
}

// ---------------------------------------------------------------------------------------------
// Triggers

/// The model's `pg_get_triggerdef` text, a complete CREATE TRIGGER statement. The trigger is
/// created enabled; [`set_trigger_enabled`] sets any other state.
pub fn create_trigger(trigger: &Trigger) -> String {
    format!("{};", trigger.definition)
}

pub fn drop_trigger(schema: &str, table: &str, name: &str) -> String {
    format!(
        "DROP TRIGGER {} ON {};",
        quote_ident(name),
        qualified(schema, table)
    )
}

pub fn rename_trigger(schema: &str, table: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER TRIGGER {} ON {} RENAME TO {};",
        quote_ident(from),
        qualified(schema, table),
        quote_ident(to)
    )
}

/// `ALTER TABLE ... ENABLE|DISABLE|ENABLE REPLICA|ENABLE ALWAYS TRIGGER name` for the model's
/// `enabled` code `O`, `D`, `R`, `A`. PostgreSQL does not disable triggers of views.
pub fn set_trigger_enabled(
    schema: &str,
    table: &str,
    name: &str,
    enabled: &str,
) -> Result<String, DdlError> {
    let action = match enabled {
        "O" => "ENABLE",
        "D" => "DISABLE",
        "R" => "ENABLE REPLICA",
        "A" => "ENABLE ALWAYS",
        other => return error(format!("unknown trigger state {other:?}")),
    };
    Ok(alter_table(
        schema,
        table,
        &format!("{action} TRIGGER {}", quote_ident(name)),
    ))
}

// ---------------------------------------------------------------------------------------------
// Row-level security policies

const POLICY_COMMANDS: &[&str] = &["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"];

fn policy_roles(roles: &[String]) -> String {
    if roles.is_empty() {
        "PUBLIC".to_string()
    } else {
        roles.iter().map(|r| role(r)).collect::<Vec<_>>().join(", ")
    }
}

/// `CREATE POLICY name ON s.t AS PERMISSIVE|RESTRICTIVE FOR cmd TO roles USING (...) WITH
/// CHECK (...)`. The expressions are the model's `pg_get_expr` text, which has no outer
/// parentheses around `true` or a function call: they are added.
pub fn create_policy(
    schema: &str,
    table: &str,
    name: &str,
    policy: &Policy,
) -> Result<String, DdlError> {
    let command = upper_keyword(&policy.command, POLICY_COMMANDS, "policy command")?;
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {command} TO {}",
        quote_ident(name),
        qualified(schema, table),
        if policy.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        policy_roles(&policy.roles)
    );
    if let Some(using) = &policy.using {
        sql.push_str(&format!(" USING {}", parenthesized(using)));
    }
    if let Some(check) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK {}", parenthesized(check)));
    }
    sql.push(';');
    Ok(sql)
}

/// `ALTER POLICY ... TO roles USING (...) WITH CHECK (...)` with the parts that differ; `None`
/// when none does. ALTER POLICY cannot change the command or PERMISSIVE/RESTRICTIVE, nor remove
/// a USING or WITH CHECK expression: those are an error (drop and create the policy).
pub fn alter_policy(
    schema: &str,
    table: &str,
    name: &str,
    from: &Policy,
    to: &Policy,
) -> Result<Option<String>, DdlError> {
    let target = format!("{} ON {}", quote_ident(name), qualified(schema, table));
    if from.command != to.command || from.permissive != to.permissive {
        return error(format!(
            "policy {target}: ALTER POLICY cannot change the command or whether it is \
             permissive; drop and create it"
        ));
    }
    if (from.using.is_some() && to.using.is_none())
        || (from.with_check.is_some() && to.with_check.is_none())
    {
        return error(format!(
            "policy {target}: ALTER POLICY cannot remove a USING or WITH CHECK expression; drop \
             and create it"
        ));
    }
    let mut parts = Vec::new();
    if from.roles != to.roles {
        parts.push(format!("TO {}", policy_roles(&to.roles)));
    }
    if from.using != to.using
        && let Some(using) = &to.using
    {
        parts.push(format!("USING {}", parenthesized(using)));
    }
    if from.with_check != to.with_check
        && let Some(check) = &to.with_check
    {
        parts.push(format!("WITH CHECK {}", parenthesized(check)));
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!("ALTER POLICY {target} {};", parts.join(" "))))
}

pub fn drop_policy(schema: &str, table: &str, name: &str) -> String {
    format!(
        "DROP POLICY {} ON {};",
        quote_ident(name),
        qualified(schema, table)
    )
}

pub fn rename_policy(schema: &str, table: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER POLICY {} ON {} RENAME TO {};",
        quote_ident(from),
        qualified(schema, table),
        quote_ident(to)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes_and_escape_backslashes_only_when_present() {
        assert_eq!(literal("plain"), "'plain'");
        assert_eq!(literal(""), "''");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("two\nlines"), "'two\nlines'");
        assert_eq!(literal("C:\\temp"), "E'C:\\\\temp'");
        assert_eq!(literal("a\\'b"), "E'a\\\\''b'");
    }

    #[test]
    fn dollar_quote_tags_never_occur_in_the_body() {
        assert_eq!(dollar_quote("SELECT 1"), "$body$SELECT 1$body$");
        assert_eq!(dollar_quote(""), "$body$$body$");
        assert_eq!(dollar_quote("a $body$ b"), "$body_1$a $body$ b$body_1$");
        assert_eq!(
            dollar_quote("$body$ $body_1$"),
            "$body_2$$body$ $body_1$$body_2$"
        );
        // A body ending in a prefix of the tag would close early on its own last characters.
        assert_eq!(dollar_quote("x $body"), "$body_1$x $body$body_1$");
        // A lone trailing dollar is harmless: `$$` is not the tag.
        assert_eq!(dollar_quote("x$"), "$body$x$$body$");
        assert_eq!(dollar_quote("$$ plain $$"), "$body$$$ plain $$$body$");
    }

    #[test]
    fn function_keys_split_into_name_and_argument_types() {
        assert_eq!(
            split_function_key("add_item(bigint, integer)"),
            Some(("add_item".to_string(), "bigint, integer"))
        );
        assert_eq!(split_function_key("f()"), Some(("f".to_string(), "")));
        assert_eq!(
            split_function_key("\"Weird \"\"(Fn\"(app.\"Order Status\")"),
            Some(("Weird \"(Fn".to_string(), "app.\"Order Status\""))
        );
        assert_eq!(split_function_key("no_parens"), None);
        assert_eq!(split_function_key("\"unterminated(int)"), None);
        assert_eq!(signature("s", "agg()", FunctionKind::Aggregate), "s.agg(*)");
        assert_eq!(
            signature("s", "\"select\"(int)", FunctionKind::Function),
            "s.\"select\"(int)"
        );
    }

    #[test]
    fn config_entries_quote_list_settings_per_element() {
        assert_eq!(
            config_clause("search_path=public, pg_temp"),
            "SET search_path = 'public', 'pg_temp'"
        );
        assert_eq!(
            config_clause("search_path=\"My Schema\", \"$user\", \"a\"\"b\""),
            "SET search_path = 'My Schema', '$user', 'a\"b'"
        );
        assert_eq!(config_clause("search_path=\"\""), "SET search_path = ''");
        assert_eq!(config_clause("work_mem=64MB"), "SET work_mem = '64MB'");
        assert_eq!(config_clause("TimeZone=UTC"), "SET \"TimeZone\" = 'UTC'");
        assert_eq!(
            config_clause("myapp.note=it's"),
            "SET \"myapp.note\" = 'it''s'"
        );
        // Not a list after all: the whole value as one literal.
        assert_eq!(
            config_clause("search_path=\"open"),
            "SET search_path = '\"open'"
        );
    }

    #[test]
    fn concurrently_goes_after_the_index_keyword() {
        let index = |definition: &str| Index {
            definition: definition.to_string(),
            ..Default::default()
        };
        assert_eq!(
            create_index_concurrently(&index("CREATE INDEX i ON s.t USING btree (a)")),
            Ok("CREATE INDEX CONCURRENTLY i ON s.t USING btree (a);".to_string())
        );
        assert_eq!(
            create_index_concurrently(&index(
                "CREATE UNIQUE INDEX \"INDEX x\" ON s.\"CREATE INDEX\" USING btree (a)"
            )),
            Ok("CREATE UNIQUE INDEX CONCURRENTLY \"INDEX x\" ON s.\"CREATE INDEX\" USING btree (a);"
                .to_string())
        );
        assert!(
            create_index_concurrently(&index("CREATE INDEX i ON ONLY s.p USING btree (a)"))
                .is_err()
        );
        assert!(create_index_concurrently(&index("DROP TABLE x")).is_err());
    }

    #[test]
    fn names_are_quoted_and_public_is_a_keyword() {
        let g = Grant {
            grantee: "PUBLIC".to_string(),
            privilege: "SELECT".to_string(),
            grantable: false,
        };
        let column = Object::Column {
            schema: "My Schema",
            table: "Order Items",
            name: "user",
        };
        assert_eq!(
            grant(&column, &g).unwrap(),
            "GRANT SELECT (\"user\") ON TABLE \"My Schema\".\"Order Items\" TO PUBLIC;"
        );
        let g = Grant {
            grantee: "Report Role".to_string(),
            grantable: true,
            ..g
        };
        let table = Object::Table {
            schema: "app",
            name: "select",
        };
        assert_eq!(
            grant(&table, &g).unwrap(),
            "GRANT SELECT ON TABLE app.\"select\" TO \"Report Role\" WITH GRANT OPTION;"
        );
        assert_eq!(
            revoke_grant_option(&table, &g).unwrap(),
            "REVOKE GRANT OPTION FOR SELECT ON TABLE app.\"select\" FROM \"Report Role\";"
        );
        let bad = Grant {
            privilege: "SELECT; DROP TABLE x".to_string(),
            ..g.clone()
        };
        assert!(grant(&table, &bad).is_err());
        assert!(
            grant(
                &Object::Index {
                    schema: "s",
                    name: "i"
                },
                &g
            )
            .is_err()
        );
        assert_eq!(
            comment(
                &Object::Constraint {
                    schema: "s",
                    table: "Order Items",
                    name: "c"
                },
                Some("it's\nhere")
            ),
            "COMMENT ON CONSTRAINT c ON s.\"Order Items\" IS 'it''s\nhere';"
        );
        assert_eq!(
            comment(&Object::Schema { name: "s" }, None),
            "COMMENT ON SCHEMA s IS NULL;"
        );
    }

    #[test]
    fn grant_changes_turn_one_list_into_the_other() {
        let g = |grantee: &str, privilege: &str, grantable: bool| Grant {
            grantee: grantee.to_string(),
            privilege: privilege.to_string(),
            grantable,
        };
        let f = Object::Function {
            schema: "s",
            key: "f(integer)",
            kind: FunctionKind::Function,
        };
        let from = default_grants(ObjectKind::Function);
        let to = vec![g("a", "EXECUTE", true), g("b", "EXECUTE", false)];
        assert_eq!(
            grant_changes(&f, &from, &to).unwrap(),
            [
                "REVOKE EXECUTE ON FUNCTION s.f(integer) FROM PUBLIC;",
                "GRANT EXECUTE ON FUNCTION s.f(integer) TO a WITH GRANT OPTION;",
                "GRANT EXECUTE ON FUNCTION s.f(integer) TO b;",
            ]
        );
        let back = vec![g("a", "EXECUTE", false), g("b", "EXECUTE", true)];
        assert_eq!(
            grant_changes(&f, &to, &back).unwrap(),
            [
                "REVOKE GRANT OPTION FOR EXECUTE ON FUNCTION s.f(integer) FROM a;",
                "GRANT EXECUTE ON FUNCTION s.f(integer) TO b WITH GRANT OPTION;",
            ]
        );
        assert!(grant_changes(&f, &to, &to).unwrap().is_empty());
        assert_eq!(default_grants(ObjectKind::Table), []);
        assert_eq!(
            default_grants(ObjectKind::Type),
            [g("PUBLIC", "USAGE", false)]
        );
    }

    #[test]
    fn reloptions_set_what_changed_and_reset_what_went() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            set_reloptions(
                Relation::Table,
                "s",
                "t",
                &list(&["autovacuum_enabled=false", "fillfactor=70"]),
                &list(&["fillfactor=80", "toast_tuple_target=256"]),
            ),
            Some(
                "ALTER TABLE s.t SET (fillfactor='80', toast_tuple_target='256'), \
                 RESET (autovacuum_enabled);"
                    .to_string()
            )
        );
        assert_eq!(
            set_reloptions(Relation::View, "s", "v", &list(&["a=1"]), &list(&["a=1"])),
            None
        );
    }

    fn function(kind: FunctionKind, language: &str, body: &str) -> Function {
        Function {
            owner: "o".to_string(),
            comment: None,
            grants: Vec::new(),
            kind,
            arguments: "a integer, b text DEFAULT 'x'::text".to_string(),
            returns: "TABLE(n integer)".to_string(),
            language: language.to_string(),
            body: body.to_string(),
            volatility: "stable".to_string(),
            strict: true,
            security_definer: true,
            leakproof: false,
            parallel: "safe".to_string(),
            cost: 2.5,
            rows: Some(10.0),
            config: vec!["search_path=public, pg_temp".to_string()],
            extensions: Vec::new(),
        }
    }

    #[test]
    fn routines_print_by_kind() {
        let f = function(FunctionKind::Function, "plpgsql", "BEGIN RETURN; END");
        assert_eq!(
            create_function("s", "\"F f\"(integer, text)", &f).unwrap(),
            "CREATE FUNCTION s.\"F f\"(a integer, b text DEFAULT 'x'::text) RETURNS TABLE(n integer) \
             LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE COST 2.5 ROWS 10 \
             SET search_path = 'public', 'pg_temp' AS $body$BEGIN RETURN; END$body$;"
        );
        let p = function(
            FunctionKind::Procedure,
            "sql",
            "BEGIN ATOMIC\n SELECT 1;\nEND",
        );
        assert_eq!(
            create_or_replace_function("s", "p(integer, text)", &p).unwrap(),
            "CREATE OR REPLACE PROCEDURE s.p(a integer, b text DEFAULT 'x'::text) LANGUAGE sql \
             SECURITY DEFINER SET search_path = 'public', 'pg_temp'\nBEGIN ATOMIC\n SELECT 1;\nEND;"
        );
        let mut agg = function(
            FunctionKind::Aggregate,
            "internal",
            "SFUNC = int4pl, STYPE = integer",
        );
        agg.arguments = String::new();
        assert_eq!(
            create_function("s", "agg()", &agg).unwrap(),
            "CREATE AGGREGATE s.agg(*) (SFUNC = int4pl, STYPE = integer, PARALLEL = SAFE);"
        );
        assert_eq!(
            drop_function("s", "agg()", FunctionKind::Aggregate),
            "DROP AGGREGATE s.agg(*);"
        );
        assert_eq!(
            drop_function("s", "p(integer, text)", FunctionKind::Procedure),
            "DROP PROCEDURE s.p(integer, text);"
        );
        let c = function(FunctionKind::Function, "c", "my_symbol");
        let message = create_function("s", "f(integer)", &c).unwrap_err().0;
        assert!(message.contains("C function"), "{message}");
        let mut w = function(FunctionKind::Window, "internal", "window_rank");
        w.rows = None;
        w.config.clear();
        assert!(
            create_function("s", "r()", &w)
                .unwrap()
                .contains("LANGUAGE internal WINDOW STABLE")
        );
    }

    fn column(position: u32, data_type: &str) -> Column {
        Column {
            position,
            data_type: data_type.to_string(),
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            grants: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn tables_print_columns_in_position_order() {
        let mut table = Table {
            owner: "o".to_string(),
            persistence: Persistence::Unlogged,
            reloptions: vec!["fillfactor=70".to_string()],
            ..Table::default()
        };
        let mut id = column(1, "bigint");
        id.identity = Some(Identity::Always);
        id.not_null = true;
        let mut total = column(3, "numeric");
        total.generated = Some("price * 2".to_string());
        let mut name = column(2, "text");
        name.collation = Some("pg_catalog.\"C\"".to_string());
        name.default = Some("'x'::text".to_string());
        table.columns.insert("total".to_string(), Box::new(total));
        table.columns.insert("Name".to_string(), Box::new(name));
        table.columns.insert("id".to_string(), Box::new(id));
        assert_eq!(
            create_table("s", "select", &table, TableParts::default()).unwrap(),
            ["CREATE UNLOGGED TABLE s.\"select\" (\n    \
              id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n    \
              \"Name\" text COLLATE pg_catalog.\"C\" DEFAULT 'x'::text,\n    \
              total numeric GENERATED ALWAYS AS (price * 2) STORED\n\
              ) WITH (fillfactor='70');"]
        );

        // A partition whose parent is not known takes the parent's columns as they are.
        let partition = Table {
            partition_of: Some("s.p".to_string()),
            partition_bound: Some("FOR VALUES IN (1)".to_string()),
            partition_key: Some("RANGE (d)".to_string()),
            columns: table.columns.clone(),
            ..Table::default()
        };
        assert_eq!(
            create_table("s", "p1", &partition, TableParts::default()).unwrap(),
            ["CREATE TABLE s.p1 PARTITION OF s.p FOR VALUES IN (1) PARTITION BY RANGE (d);"]
        );
        // Standalone, every column is declared.
        let standalone = TableParts {
            standalone: true,
            parents: &[],
            ..TableParts::default()
        };
        assert!(create_table("s", "p1", &partition, standalone).unwrap()[0].contains("id bigint"));
        // A child whose parent is not known declares every column.
        let child = Table {
            inherits: vec!["s.parent".to_string(), "\"S\".\"Other\"".to_string()],
            columns: table.columns.clone(),
            ..Table::default()
        };
        let sql = &create_table("s", "c", &child, TableParts::default()).unwrap()[0];
        assert!(
            sql.ends_with(") INHERITS (s.parent, \"S\".\"Other\");"),
            "{sql}"
        );
        assert!(sql.contains("total numeric"), "{sql}");
        // A partition in another column order than its parent's cannot be PARTITION OF.
        let mut reordered = partition.clone();
        reordered.columns.get_mut("id").unwrap().position = 2;
        reordered.columns.get_mut("Name").unwrap().position = 1;
        let parents = [&table];
        let parts = TableParts {
            standalone: false,
            parents: &parents,
            ..TableParts::default()
        };
        assert!(create_table("s", "p1", &reordered, parts).is_err());
    }

    #[test]
    fn views_lose_the_deparser_semicolon() {
        let view = View {
            owner: "o".to_string(),
            comment: None,
            grants: Vec::new(),
            materialized: false,
            definition: " SELECT t.a\n   FROM s.t;".to_string(),
            reloptions: vec!["check_option=local".to_string()],
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            column_comments: Default::default(),
            column_defaults: Default::default(),
            cluster_on: None,
            column_grants: Default::default(),
        };
        assert_eq!(
            create_view("s", "V", &view),
            "CREATE VIEW s.\"V\" WITH (check_option='local') AS\nSELECT t.a\n   FROM s.t;"
        );
        let matview = View {
            materialized: true,
            reloptions: Vec::new(),
            ..view
        };
        assert_eq!(
            create_materialized_view("s", "m", &matview, false),
            "CREATE MATERIALIZED VIEW s.m AS\nSELECT t.a\n   FROM s.t\nWITH NO DATA;"
        );
        assert!(create_or_replace_view("s", "m", &matview).is_err());
    }
}

//! Dependency edges: the rows of `dependencies.sql` (raw `pg_depend`) folded onto the model's
//! identities, through the OIDs the other queries return.
//!
//! Each end `(catalog, OID, sub-id)` becomes the object of the model it stands for: a column
//! default is its column, an index that makes a constraint is the constraint, an array type is
//! its element type, a relation's row type is the relation, a composite type's relation (and
//! its attributes) is the type, an extension's object is the extension. Ends that stand for
//! nothing in the model (system objects, operators, collations, objects of schemas out of
//! scope) drop their edge, so every edge has both ends in the model. Rows that fold onto one
//! edge are one edge, automatic when any of them is (PostgreSQL then drops the dependent
//! silently, whatever the other rows say); an edge that folds onto itself (a default on its
//! own column) is dropped.

use std::collections::{HashMap, HashSet};

use tokio_postgres::Row;

use super::{Bad, ChildRow, Fetched, Relation, code, get};
use crate::model::{
    ConstraintKind, Dependency, FunctionKind, ObjectKind, ObjectPath, TypeDefinition,
};

// The system catalogs an end can be in, by OID. These are fixed in PostgreSQL's catalog headers
// (`#define RelationRelationId 1259`, ...), the same on every server version.
const PG_CLASS: u32 = 1259;
const PG_TYPE: u32 = 1247;
const PG_PROC: u32 = 1255;
const PG_CONSTRAINT: u32 = 2606;
const PG_TRIGGER: u32 = 2620;
const PG_POLICY: u32 = 3256;
const PG_ATTRDEF: u32 = 2604;
const PG_EXTENSION: u32 = 3079;

/// One `pg_depend` row: `(class, oid, sub)` needs `(ref_class, ref_oid, ref_sub)`.
pub(super) struct DependencyRow {
    class: u32,
    oid: u32,
    sub: i32,
    ref_class: u32,
    ref_oid: u32,
    ref_sub: i32,
    deptype: char,
}

pub(super) fn decode_dependency(row: &Row) -> Result<DependencyRow, Bad> {
    Ok(DependencyRow {
        class: get(row, "classid")?,
        oid: get(row, "objid")?,
        sub: get(row, "objsubid")?,
        ref_class: get(row, "refclassid")?,
        ref_oid: get(row, "refobjid")?,
        ref_sub: get(row, "refobjsubid")?,
        deptype: code(row, "deptype")?,
    })
}

/// An object of the model, by borrowed names: what an [`ObjectPath`] holds, before it is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Node<'a> {
    kind: ObjectKind,
    schema: Option<&'a str>,
    parent: Option<&'a str>,
    name: &'a str,
}

impl Node<'_> {
    fn path(&self) -> ObjectPath {
        ObjectPath {
            kind: self.kind,
            schema: self.schema.map(str::to_string),
            parent: self.parent.map(str::to_string),
            name: self.name.to_string(),
        }
    }

    fn is_relation(&self) -> bool {
        matches!(
            self.kind,
            ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
        )
    }
}

/// Every OID an end can name, mapped to the model object it stands for.
#[derive(Default)]
struct Identities<'a> {
    /// pg_class at sub-id 0: tables, views, sequences, indexes (or the constraint an index
    /// makes), and composite types' relations (as the type).
    relations: HashMap<u32, Node<'a>>,
    /// pg_class at sub-id n > 0: the columns of tables and views, by (relation, attnum).
    columns: HashMap<(u32, i16), &'a str>,
    /// pg_attrdef: a column's default or generation expression, as (table, attnum).
    defaults: HashMap<u32, (u32, i16)>,
    /// pg_type: user types and their array and multirange types, relations' row types.
    types: HashMap<u32, Node<'a>>,
    functions: HashMap<u32, Node<'a>>,
    constraints: HashMap<u32, Node<'a>>,
    triggers: HashMap<u32, Node<'a>>,
    policies: HashMap<u32, Node<'a>>,
    extensions: HashMap<u32, Node<'a>>,
    /// Extension membership: (catalog, OID) → the extension's OID.
    members: HashMap<(u32, u32), u32>,
}

impl<'a> Identities<'a> {
    fn new(f: &'a Fetched) -> Identities<'a> {
        let mut ids = Identities::default();
        let schemas: HashMap<u32, &str> = (f.schemas.iter())
            .map(|(oid, name, _)| (*oid, name.as_str()))
            .collect();
        let in_schema = |kind, schema_oid: &u32, name: &'a str| {
            Some(Node {
                kind,
                schema: Some(*schemas.get(schema_oid)?),
                parent: None,
                name,
            })
        };
        for r in &f.relations {
            let kind = match &r.relation {
                Relation::Table(_) => ObjectKind::Table,
                Relation::View(v) if v.materialized => ObjectKind::MaterializedView,
                Relation::View(_) => ObjectKind::View,
            };
            let Some(node) = in_schema(kind, &r.schema_oid, &r.name) else {
                continue;
            };
            ids.relations.insert(r.oid, node);
            for row_type in [r.row_type_oid, r.row_array_oid] {
                ids.types.insert(row_type, node);
            }
            for (attnum, name) in (1..).zip(&r.view_columns) {
                ids.columns.insert((r.oid, attnum), name);
            }
        }
        for (oid, schema_oid, name, _) in &f.sequences {
            if let Some(node) = in_schema(ObjectKind::Sequence, schema_oid, name) {
                ids.relations.insert(*oid, node);
            }
        }
        let mut domains = HashSet::new();
        for t in &f.types {
            let Some(node) = in_schema(ObjectKind::Type, &t.schema_oid, &t.name) else {
                continue;
            };
            for oid in std::iter::once(&t.oid).chain(&t.stand_ins) {
                ids.types.insert(*oid, node);
            }
            if t.relation_oid != 0 {
                ids.relations.insert(t.relation_oid, node);
            }
            if matches!(t.ty.definition, TypeDefinition::Domain { .. }) {
                domains.insert(t.oid);
            }
        }
        for c in &f.columns {
            if ids.relations.get(&c.table_oid).map(|n| n.kind) == Some(ObjectKind::Table) {
                ids.columns.insert((c.table_oid, c.attnum), &c.name);
                if let Some(oid) = c.default_oid {
                    ids.defaults.insert(oid, (c.table_oid, c.attnum));
                }
            }
        }
        for c in &f.constraints {
            if c.constraint.kind == ConstraintKind::NotNull {
                continue; // folded into the column, not in the model
            }
            let node = match ids.relations.get(&c.table_oid) {
                Some(table) if table.kind == ObjectKind::Table => Node {
                    kind: ObjectKind::Constraint,
                    schema: table.schema,
                    parent: Some(table.name),
                    name: &c.name,
                },
                // A domain's constraint is part of the domain.
                _ if domains.contains(&c.type_oid) => ids.types[&c.type_oid],
                _ => continue,
            };
            ids.constraints.insert(c.oid, node);
            if c.index_oid != 0 {
                ids.relations.insert(c.index_oid, node);
            }
        }
        for i in &f.indexes {
            if let Some(parent) = ids.relations.get(&i.table_oid).copied()
                && parent.is_relation()
            {
                ids.relations.entry(i.oid).or_insert(Node {
                    kind: ObjectKind::Index,
                    schema: parent.schema,
                    parent: Some(parent.name),
                    name: &i.name,
                });
            }
        }
        ids.triggers = children(&f.triggers, ObjectKind::Trigger, &ids.relations);
        ids.policies = children(&f.policies, ObjectKind::Policy, &ids.relations);
        for (oid, schema_oid, key, function) in &f.functions {
            let kind = match function.kind {
                FunctionKind::Procedure => ObjectKind::Procedure,
                FunctionKind::Aggregate => ObjectKind::Aggregate,
                FunctionKind::Function | FunctionKind::Window => ObjectKind::Function,
            };
            if let Some(node) = in_schema(kind, schema_oid, key) {
                ids.functions.insert(*oid, node);
            }
        }
        for (oid, name, _) in &f.extensions {
            ids.extensions.insert(
                *oid,
                Node {
                    kind: ObjectKind::Extension,
                    schema: None,
                    parent: None,
                    name,
                },
            );
        }
        for d in &f.dependencies {
            if d.deptype == 'e' && d.ref_class == PG_EXTENSION {
                ids.members.insert((d.class, d.oid), d.ref_oid);
            }
        }
        ids
    }

    /// The model object `(class, oid, sub)` stands for, if any.
    fn resolve(&self, class: u32, oid: u32, sub: i32) -> Option<Node<'a>> {
        if let Some(extension) = self.members.get(&(class, oid)) {
            // Out of scope if the extension is not in the model; nothing else stands for it.
            return self.extensions.get(extension).copied();
        }
        match class {
            PG_CLASS if sub > 0 => self.column(oid, i16::try_from(sub).ok()?),
            PG_CLASS => self.relations.get(&oid).copied(),
            PG_ATTRDEF => {
                let (table, attnum) = self.defaults.get(&oid)?;
                self.column(*table, *attnum)
            }
            PG_TYPE => self.types.get(&oid).copied(),
            PG_PROC => self.functions.get(&oid).copied(),
            PG_CONSTRAINT => self.constraints.get(&oid).copied(),
            PG_TRIGGER => self.triggers.get(&oid).copied(),
            PG_POLICY => self.policies.get(&oid).copied(),
            PG_EXTENSION => self.extensions.get(&oid).copied(),
            _ => None,
        }
    }

    /// Column `attnum` of relation `oid`; an attribute of a composite type is the type.
    fn column(&self, oid: u32, attnum: i16) -> Option<Node<'a>> {
        let relation = self.relations.get(&oid)?;
        if relation.kind == ObjectKind::Type {
            return Some(*relation);
        }
        Some(Node {
            kind: ObjectKind::Column,
            schema: relation.schema,
            parent: Some(relation.name),
            name: self.columns.get(&(oid, attnum))?,
        })
    }
}

/// Triggers or policies by OID, on the tables and views they belong to.
fn children<'a, T>(
    rows: &'a [ChildRow<T>],
    kind: ObjectKind,
    relations: &HashMap<u32, Node<'a>>,
) -> HashMap<u32, Node<'a>> {
    (rows.iter())
        .filter_map(|row| {
            let parent = relations.get(&row.table_oid).filter(|p| p.is_relation())?;
            let node = Node {
                kind,
                schema: parent.schema,
                parent: Some(parent.name),
                name: &row.name,
            };
            Some((row.oid, node))
        })
        .collect()
}

/// The edges of the model, sorted, one per (from, to).
pub(super) fn resolve(f: &Fetched) -> Vec<Dependency> {
    let ids = Identities::new(f);
    let mut edges: HashMap<(Node, Node), bool> = HashMap::new();
    for d in &f.dependencies {
        if d.deptype == 'e' {
            continue;
        }
        let (Some(from), Some(to)) = (
            ids.resolve(d.class, d.oid, d.sub),
            ids.resolve(d.ref_class, d.ref_oid, d.ref_sub),
        ) else {
            continue;
        };
        if from != to {
            *edges.entry((from, to)).or_default() |= d.deptype == 'a';
        }
    }
    let mut out: Vec<Dependency> = (edges.into_iter())
        .map(|((from, to), auto)| Dependency {
            from: from.path(),
            to: to.path(),
            auto,
        })
        .collect();
    out.sort_unstable();
    out
}

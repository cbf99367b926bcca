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
use std::hash::{BuildHasherDefault, Hasher};

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

/// A hash map keyed by OIDs. Multiplicative hashing (as rustc's FxHash): the keys are OIDs
/// from the server, not chosen by an attacker, and with the standard hasher a quarter of a
/// million look-ups at 10,000 tables cost a tenth of a second.
type OidMap<K, V> = HashMap<K, V, BuildHasherDefault<OidHasher>>;

#[derive(Default, Clone, Copy)]
struct OidHasher(u64);

impl OidHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for OidHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.add(u64::from(*byte));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn write_i16(&mut self, n: i16) {
        self.add(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

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
/// The derived order is `ObjectPath`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// A model object by the OIDs of the catalog row it is (after folding): cheap to hash, so the
/// edges are collected by these and named only once at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// A table, view, materialized view, sequence or index.
    Relation(u32),
    /// A column of a table or view: (relation, attnum).
    Column(u32, i16),
    Type(u32),
    Function(u32),
    Constraint(u32),
    Trigger(u32),
    Policy(u32),
    Extension(u32),
    /// An object of a kind compared by its statement: (catalog, OID), at any sub-id (a foreign
    /// table's columns are the table).
    Defined(u32, u32),
}

/// Every OID an end can name, mapped to the model object it stands for.
#[derive(Default)]
struct Identities<'a> {
    /// pg_class at sub-id 0: tables, views, sequences and indexes are themselves; an index that
    /// makes a constraint is the constraint; a composite type's relation is the type.
    relation_keys: OidMap<u32, Key>,
    /// pg_type: a user type is itself; its array and multirange types are it; a relation's
    /// row type (and its array type) is the relation.
    type_keys: OidMap<u32, Key>,
    /// pg_constraint: a table's constraint is itself, a domain's is the domain.
    constraint_keys: OidMap<u32, Key>,
    /// pg_attrdef: a column's default or generation expression is the column.
    defaults: OidMap<u32, Key>,
    /// Extension membership: (catalog, OID) → the extension.
    members: OidMap<(u32, u32), u32>,
    /// The names behind the keys.
    relations: OidMap<u32, Node<'a>>,
    columns: OidMap<(u32, i16), &'a str>,
    types: OidMap<u32, Node<'a>>,
    functions: OidMap<u32, Node<'a>>,
    constraints: OidMap<u32, Node<'a>>,
    triggers: OidMap<u32, Node<'a>>,
    policies: OidMap<u32, Node<'a>>,
    extensions: OidMap<u32, Node<'a>>,
    defined: OidMap<(u32, u32), Node<'a>>,
}

impl<'a> Identities<'a> {
    fn new(f: &'a Fetched) -> Identities<'a> {
        let mut ids = Identities::default();
        let schemas: OidMap<u32, &str> = (f.schemas.iter())
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
            ids.relation_keys.insert(r.oid, Key::Relation(r.oid));
            for row_type in [r.row_type_oid, r.row_array_oid] {
                ids.type_keys.insert(row_type, Key::Relation(r.oid));
            }
            for (attnum, name) in (1..).zip(&r.view_columns) {
                ids.columns.insert((r.oid, attnum), name);
            }
        }
        for (oid, schema_oid, name, _) in &f.sequences {
            if let Some(node) = in_schema(ObjectKind::Sequence, schema_oid, name) {
                ids.relations.insert(*oid, node);
                ids.relation_keys.insert(*oid, Key::Relation(*oid));
            }
        }
        let mut domains: HashSet<u32, BuildHasherDefault<OidHasher>> = HashSet::default();
        for t in &f.types {
            let Some(node) = in_schema(ObjectKind::Type, &t.schema_oid, &t.name) else {
                continue;
            };
            ids.types.insert(t.oid, node);
            for oid in std::iter::once(&t.oid).chain(&t.stand_ins) {
                ids.type_keys.insert(*oid, Key::Type(t.oid));
            }
            if t.relation_oid != 0 {
                ids.relation_keys.insert(t.relation_oid, Key::Type(t.oid));
            }
            if matches!(t.ty.definition, TypeDefinition::Domain { .. }) {
                domains.insert(t.oid);
            }
        }
        for c in &f.columns {
            if ids.relations.get(&c.table_oid).map(|n| n.kind) == Some(ObjectKind::Table) {
                ids.columns.insert((c.table_oid, c.attnum), &c.name);
                if let Some(oid) = c.default_oid {
                    ids.defaults.insert(oid, Key::Column(c.table_oid, c.attnum));
                }
            }
        }
        for c in &f.constraints {
            if c.constraint.kind == ConstraintKind::NotNull {
                continue; // folded into the column, not in the model
            }
            let key = match ids.relations.get(&c.table_oid) {
                Some(table) if table.kind == ObjectKind::Table => {
                    let node = Node {
                        kind: ObjectKind::Constraint,
                        schema: table.schema,
                        parent: Some(table.name),
                        name: &c.name,
                    };
                    ids.constraints.insert(c.oid, node);
                    Key::Constraint(c.oid)
                }
                // A domain's constraint is part of the domain.
                _ if domains.contains(&c.type_oid) => Key::Type(c.type_oid),
                _ => continue,
            };
            ids.constraint_keys.insert(c.oid, key);
            if c.index_oid != 0 {
                ids.relation_keys.insert(c.index_oid, key);
            }
        }
        for i in &f.indexes {
            if ids.relation_keys.contains_key(&i.oid) {
                continue; // it makes a constraint
            }
            if let Some(parent) = ids.relations.get(&i.table_oid).copied()
                && parent.is_relation()
            {
                let node = Node {
                    kind: ObjectKind::Index,
                    schema: parent.schema,
                    parent: Some(parent.name),
                    name: &i.name,
                };
                ids.relations.insert(i.oid, node);
                ids.relation_keys.insert(i.oid, Key::Relation(i.oid));
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
            let node = Node {
                kind: ObjectKind::Extension,
                schema: None,
                parent: None,
                name,
            };
            ids.extensions.insert(*oid, node);
        }
        for row in &f.defined {
            let path = &row.object.path;
            let node = Node {
                kind: path.kind,
                schema: path.schema.as_deref(),
                parent: path.parent.as_deref(),
                name: &path.name,
            };
            ids.defined.insert((row.class, row.oid), node);
        }
        for d in &f.dependencies {
            if d.deptype == 'e' && d.ref_class == PG_EXTENSION {
                ids.members.insert((d.class, d.oid), d.ref_oid);
            }
        }
        ids
    }

    /// The model object `(class, oid, sub)` stands for, if any.
    fn key(&self, class: u32, oid: u32, sub: i32) -> Option<Key> {
        if let Some(extension) = self.members.get(&(class, oid)) {
            // Out of scope if the extension is not in the model; nothing else stands for it.
            return self
                .extensions
                .contains_key(extension)
                .then_some(Key::Extension(*extension));
        }
        if self.defined.contains_key(&(class, oid)) {
            return Some(Key::Defined(class, oid));
        }
        let found = |map: &OidMap<u32, Node>, key: Key| map.contains_key(&oid).then_some(key);
        match class {
            PG_CLASS if sub > 0 => match *self.relation_keys.get(&oid)? {
                // An attribute of a composite type is the type.
                Key::Type(t) => Some(Key::Type(t)),
                Key::Relation(r) => {
                    let attnum = i16::try_from(sub).ok()?;
                    self.columns
                        .contains_key(&(r, attnum))
                        .then_some(Key::Column(r, attnum))
                }
                _ => None,
            },
            PG_CLASS => self.relation_keys.get(&oid).copied(),
            PG_ATTRDEF => self.defaults.get(&oid).copied(),
            PG_TYPE => self.type_keys.get(&oid).copied(),
            PG_CONSTRAINT => self.constraint_keys.get(&oid).copied(),
            PG_PROC => found(&self.functions, Key::Function(oid)),
            PG_TRIGGER => found(&self.triggers, Key::Trigger(oid)),
            PG_POLICY => found(&self.policies, Key::Policy(oid)),
            PG_EXTENSION => found(&self.extensions, Key::Extension(oid)),
            _ => None,
        }
    }

    /// The names of a key's object (every key `key` returns has them).
    fn node(&self, key: Key) -> Option<Node<'a>> {
        match key {
            Key::Relation(oid) => self.relations.get(&oid).copied(),
            Key::Column(oid, attnum) => {
                let relation = self.relations.get(&oid)?;
                Some(Node {
                    kind: ObjectKind::Column,
                    schema: relation.schema,
                    parent: Some(relation.name),
                    name: self.columns.get(&(oid, attnum))?,
                })
            }
            Key::Type(oid) => self.types.get(&oid).copied(),
            Key::Function(oid) => self.functions.get(&oid).copied(),
            Key::Constraint(oid) => self.constraints.get(&oid).copied(),
            Key::Trigger(oid) => self.triggers.get(&oid).copied(),
            Key::Policy(oid) => self.policies.get(&oid).copied(),
            Key::Extension(oid) => self.extensions.get(&oid).copied(),
            Key::Defined(class, oid) => self.defined.get(&(class, oid)).copied(),
        }
    }
}

/// Triggers or policies by OID, on the tables and views they belong to.
fn children<'a, T>(
    rows: &'a [ChildRow<T>],
    kind: ObjectKind,
    relations: &OidMap<u32, Node<'a>>,
) -> OidMap<u32, Node<'a>> {
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
    let mut edges: OidMap<(Key, Key), bool> = OidMap::default();
    for d in &f.dependencies {
        if d.deptype == 'e' {
            continue;
        }
        let (Some(from), Some(to)) = (
            ids.key(d.class, d.oid, d.sub),
            ids.key(d.ref_class, d.ref_oid, d.ref_sub),
        ) else {
            continue;
        };
        if from != to {
            *edges.entry((from, to)).or_default() |= d.deptype == 'a';
        }
    }
    // Each end is named once, and the names are ordered once (equal names share a rank), so
    // the edges sort by two integers instead of by their names.
    let mut ranks: OidMap<Key, u32> = OidMap::default();
    for (from, to) in edges.keys() {
        ranks.insert(*from, 0);
        ranks.insert(*to, 0);
    }
    let mut named: Vec<(Node, Key)> = (ranks.keys())
        .filter_map(|key| Some((ids.node(*key)?, *key)))
        .collect();
    named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut paths: Vec<ObjectPath> = Vec::new();
    for (i, (node, key)) in named.iter().enumerate() {
        if i == 0 || named[i - 1].0 != *node {
            paths.push(node.path());
        }
        ranks.insert(*key, paths.len() as u32);
    }
    // Rank 0: an end with no name in the model (its edge goes).
    let mut ranked: Vec<(u32, u32, bool)> = (edges.into_iter())
        .map(|((from, to), auto)| (ranks[&from], ranks[&to], auto))
        .filter(|(from, to, _)| *from > 0 && *to > 0)
        .collect();
    ranked.sort_unstable();
    (ranked.into_iter())
        .map(|(from, to, auto)| Dependency {
            from: paths[from as usize - 1].clone(),
            to: paths[to as usize - 1].clone(),
            auto,
        })
        .collect()
}

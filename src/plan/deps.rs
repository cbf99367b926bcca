//! Dependency analysis for people: the foreign-key graph of a schema as levels (a safe order
//! to create or sync tables in, and the reverse to drop them), the cycles in it, and the
//! longest chains. Read from the model's dependency edges.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{ConstraintKind, ObjectKind, ObjectPath, Schema};

/// The foreign-key structure of a schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// Tables by level: level 0 references no other table; a table on level n references
    /// only tables on lower levels (or its own cycle's members).
    pub levels: Vec<Vec<String>>,
    /// Groups of tables that reference each other in a circle: created first, their foreign
    /// keys added after.
    pub cycles: Vec<Vec<String>>,
    /// The longest chains of references, `a -> b -> c` (a references b, b references c).
    pub chains: Vec<Vec<String>>,
    /// Every foreign key: (referencing table, referenced table, constraint).
    pub foreign_keys: Vec<(String, String, String)>,
}

fn table_of(path: &ObjectPath) -> Option<String> {
    match (&path.schema, &path.parent, path.kind) {
        (Some(s), Some(p), _) => Some(ObjectPath::in_schema(ObjectKind::Table, s, p).display()),
        (Some(s), None, ObjectKind::Table) => {
            Some(ObjectPath::in_schema(ObjectKind::Table, s, &path.name).display())
        }
        _ => None,
    }
}

/// Analyse the foreign keys of `schema`.
pub fn analyze(schema: &Schema) -> Analysis {
    let mut tables: BTreeSet<String> = BTreeSet::new();
    for (s, ns) in &schema.schemas {
        for t in ns.tables.keys() {
            tables.insert(ObjectPath::in_schema(ObjectKind::Table, s, t).display());
        }
    }
    let is_foreign_key = |p: &ObjectPath| {
        p.kind == ObjectKind::Constraint
            && schema
                .schemas
                .get(p.schema.as_deref().unwrap_or_default())
                .and_then(|ns| ns.tables.get(p.parent.as_deref().unwrap_or_default()))
                .and_then(|t| t.constraints.get(&p.name))
                .is_some_and(|c| c.kind == ConstraintKind::ForeignKey)
    };
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut foreign_keys = BTreeSet::new();
    for d in &schema.dependencies {
        if !is_foreign_key(&d.from) {
            continue;
        }
        let (Some(from), Some(to)) = (table_of(&d.from), table_of(&d.to)) else {
            continue;
        };
        if from == to {
            // A self-reference orders nothing.
            continue;
        }
        refs.entry(from.clone()).or_default().insert(to.clone());
        foreign_keys.insert((from, to, d.from.name.clone()));
    }
    let mut analysis = from_edges(&tables, &refs);
    analysis.foreign_keys = foreign_keys.into_iter().collect();
    analysis
}

/// The levels, cycles and chains of a graph of tables (`refs[a]` holds what `a` references).
pub fn from_edges(
    tables: &BTreeSet<String>,
    refs: &BTreeMap<String, BTreeSet<String>>,
) -> Analysis {
    let components = strongly_connected(tables, refs);
    let component_of: BTreeMap<&String, usize> = components
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.iter().map(move |t| (t, i)))
        .collect();
    // Level of a component: one more than the highest level it references.
    let mut level = vec![usize::MAX; components.len()];
    fn level_of(
        c: usize,
        components: &[Vec<String>],
        refs: &BTreeMap<String, BTreeSet<String>>,
        component_of: &BTreeMap<&String, usize>,
        level: &mut Vec<usize>,
    ) -> usize {
        if level[c] != usize::MAX {
            return level[c];
        }
        level[c] = 0;
        let mut highest = None;
        for t in &components[c] {
            for r in refs.get(t).into_iter().flatten() {
                let rc = component_of[r];
                if rc != c {
                    let l = level_of(rc, components, refs, component_of, level);
                    highest = Some(highest.map_or(l, |h: usize| h.max(l)));
                }
            }
        }
        level[c] = highest.map_or(0, |h| h + 1);
        level[c]
    }
    let mut levels: Vec<Vec<String>> = Vec::new();
    for c in 0..components.len() {
        let l = level_of(c, &components, refs, &component_of, &mut level);
        if levels.len() <= l {
            levels.resize(l + 1, Vec::new());
        }
        levels[l].extend(components[c].iter().cloned());
    }
    for l in &mut levels {
        l.sort();
    }
    let mut cycles: Vec<Vec<String>> = components
        .iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c = c.clone();
            c.sort();
            c
        })
        .collect();
    cycles.sort();
    Analysis {
        levels,
        cycles,
        chains: longest_chains(tables, refs, &component_of),
        foreign_keys: Vec::new(),
    }
}

/// Tarjan's strongly connected components over `refs`.
fn strongly_connected(
    nodes: &BTreeSet<String>,
    refs: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct State<'a> {
        index: BTreeMap<&'a String, usize>,
        low: BTreeMap<&'a String, usize>,
        on_stack: BTreeSet<&'a String>,
        stack: Vec<&'a String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(v: &'a String, refs: &'a BTreeMap<String, BTreeSet<String>>, s: &mut State<'a>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in refs.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(w, refs, s);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on_stack: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(v, refs, &mut s);
        }
    }
    s.out
}

/// The longest reference chains that do not pass through a cycle (at most five).
fn longest_chains(
    nodes: &BTreeSet<String>,
    refs: &BTreeMap<String, BTreeSet<String>>,
    component_of: &BTreeMap<&String, usize>,
) -> Vec<Vec<String>> {
    let mut memo: BTreeMap<&String, Vec<String>> = BTreeMap::new();
    fn longest<'a>(
        t: &'a String,
        refs: &'a BTreeMap<String, BTreeSet<String>>,
        component_of: &BTreeMap<&String, usize>,
        memo: &mut BTreeMap<&'a String, Vec<String>>,
    ) -> Vec<String> {
        if let Some(c) = memo.get(t) {
            return c.clone();
        }
        memo.insert(t, vec![t.clone()]);
        let mut best: Vec<String> = Vec::new();
        for r in refs.get(t).into_iter().flatten() {
            if component_of.get(r) == component_of.get(t) {
                continue;
            }
            let c = longest(r, refs, component_of, memo);
            if c.len() > best.len() {
                best = c;
            }
        }
        let mut chain = vec![t.clone()];
        chain.extend(best);
        memo.insert(t, chain.clone());
        chain
    }
    let mut chains: Vec<Vec<String>> = nodes
        .iter()
        .map(|t| longest(t, refs, component_of, &mut memo))
        .filter(|c| c.len() > 1)
        .collect();
    chains.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    // A chain inside a longer one says nothing new.
    let mut kept: Vec<Vec<String>> = Vec::new();
    for c in chains {
        if !kept
            .iter()
            .any(|k| k.windows(c.len()).any(|w| w == c.as_slice()))
        {
            kept.push(c);
        }
        if kept.len() == 5 {
            break;
        }
    }
    kept
}

/// The analysis for a terminal.
pub fn render(a: &Analysis) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let esc = super::script::comment_text;
    let _ = writeln!(
        out,
        "Foreign-key levels (sync or create in this order, drop in reverse):"
    );
    for (i, level) in a.levels.iter().enumerate() {
        let names: Vec<String> = level.iter().map(|t| esc(t)).collect();
        let _ = writeln!(out, "  level {i}: {}", names.join(", "));
    }
    if a.cycles.is_empty() {
        let _ = writeln!(out, "Cycles: none");
    } else {
        let _ = writeln!(
            out,
            "Cycles (their tables are created first, the foreign keys added after):"
        );
        for c in &a.cycles {
            let names: Vec<String> = c.iter().map(|t| esc(t)).collect();
            let _ = writeln!(out, "  {}", names.join(" <-> "));
        }
    }
    if !a.chains.is_empty() {
        let _ = writeln!(out, "Longest chains (a -> b: a references b):");
        for c in &a.chains {
            let names: Vec<String> = c.iter().map(|t| esc(t)).collect();
            let _ = writeln!(out, "  {}", names.join(" -> "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cycles_are_components_and_levels_follow_references() {
        let nodes = set(&["a", "b", "c", "d", "e"]);
        let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        refs.insert("b".into(), set(&["a"]));
        refs.insert("c".into(), set(&["d"]));
        refs.insert("d".into(), set(&["c", "a"]));
        refs.insert("e".into(), set(&["c"]));
        let components = strongly_connected(&nodes, &refs);
        let mut sizes: Vec<usize> = components.iter().map(Vec::len).collect();
        sizes.sort();
        assert_eq!(sizes, vec![1, 1, 1, 2]);
        let component_of: BTreeMap<&String, usize> = components
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |t| (t, i)))
            .collect();
        // Chains stop at a cycle: e -> c, and d -> a, b -> a.
        let chains = longest_chains(&nodes, &refs, &component_of);
        assert!(
            chains.contains(&vec!["b".to_string(), "a".to_string()]),
            "{chains:?}"
        );
        assert!(chains.iter().all(|c| c.len() == 2), "{chains:?}");
    }
}

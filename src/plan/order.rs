//! Ordering: a topological sort of the plan's steps with a deterministic priority, so the same
//! two schemas always give the same plan (plans are reviewed in pull requests).
//!
//! Kahn's algorithm: among the steps whose predecessors have all run, the one with the smallest
//! sort key goes next. The key is (rank, object, sequence): ranks put drops before creates and
//! kinds in the order a person would write them; the dependency edges decide wherever they
//! disagree.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// One edge `before → after`, with why it is there (for the error on a cycle).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub before: usize,
    pub after: usize,
    pub why: String,
}

/// The steps form a cycle PostgreSQL cannot split: each edge of it, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub edges: Vec<Edge>,
}

/// Sort `keys.len()` nodes under `edges`. `keys[i]` is node i's sort key. Returns the order,
/// or the edges of one cycle among the nodes that could not be placed.
pub fn sort<K: Ord + Clone>(keys: &[K], edges: &[Edge]) -> Result<Vec<usize>, Cycle> {
    let n = keys.len();
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    for e in edges {
        if e.before == e.after || !seen.insert((e.before, e.after)) {
            continue;
        }
        outgoing[e.before].push(e.after);
        indegree[e.after] += 1;
    }
    let mut ready: BinaryHeap<Reverse<(K, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((keys[i].clone(), i)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &j in &outgoing[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((keys[j].clone(), j)));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    Err(find_cycle(&indegree, edges))
}

/// One cycle among the nodes left with predecessors: walk backwards along unplaced edges
/// until a node repeats.
fn find_cycle(indegree: &[usize], edges: &[Edge]) -> Cycle {
    let stuck = |i: usize| indegree[i] > 0;
    let incoming = |i: usize| {
        edges
            .iter()
            .filter(move |e| e.after == i && e.before != e.after && stuck(e.before))
    };
    let Some(start) = (0..indegree.len()).find(|&i| stuck(i)) else {
        return Cycle { edges: Vec::new() };
    };
    let mut path: Vec<&Edge> = Vec::new();
    let mut at = start;
    let mut visited = vec![usize::MAX; indegree.len()];
    loop {
        if visited[at] != usize::MAX {
            let from = visited[at];
            let mut cycle: Vec<Edge> = path[from..].iter().map(|e| (*e).clone()).collect();
            cycle.reverse();
            return Cycle { edges: cycle };
        }
        visited[at] = path.len();
        let Some(e) = incoming(at).next() else {
            return Cycle {
                edges: path.into_iter().cloned().collect(),
            };
        };
        path.push(e);
        at = e.before;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(before: usize, after: usize) -> Edge {
        Edge {
            before,
            after,
            why: format!("{before} before {after}"),
        }
    }

    #[test]
    fn edges_win_over_keys_and_keys_break_ties() {
        let keys = [3, 1, 2, 0];
        // 0 must precede 3 although its key is larger.
        let order = sort(&keys, &[edge(0, 3)]).unwrap();
        assert_eq!(order, vec![1, 2, 0, 3]);
        assert_eq!(sort(&keys, &[]).unwrap(), vec![3, 1, 2, 0]);
    }

    #[test]
    fn a_cycle_names_each_edge() {
        let keys = [0, 1, 2, 3];
        let cycle = sort(&keys, &[edge(0, 1), edge(1, 2), edge(2, 1), edge(2, 3)]).unwrap_err();
        let mut whys: Vec<String> = cycle.edges.iter().map(|e| e.why.clone()).collect();
        whys.sort();
        assert_eq!(whys, vec!["1 before 2", "2 before 1"]);
    }
}

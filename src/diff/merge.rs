//! Walking two sorted sequences side by side (a merge join), so comparing two maps costs one pass
//! over both instead of a lookup per key.

use std::cmp::Ordering;
use std::iter::Peekable;

/// What the two sides hold for one key.
pub(super) enum Pair<V> {
    /// Only in expected.
    Missing(V),
    /// Only in actual.
    Extra(V),
    Both(V, V),
}

impl<V> Pair<V> {
    /// The expected value if there is one, else the actual one.
    pub(super) fn primary(&self) -> &V {
        match self {
            Pair::Missing(v) | Pair::Extra(v) | Pair::Both(v, _) => v,
        }
    }
}

/// Iterator over the union of keys of two iterators that are each sorted by key and hold each key
/// once (such as two `BTreeMap` iterators).
pub(super) struct Merge<E: Iterator, A: Iterator> {
    expected: Peekable<E>,
    actual: Peekable<A>,
}

pub(super) fn merge<K, V, E, A>(expected: E, actual: A) -> Merge<E::IntoIter, A::IntoIter>
where
    K: Ord,
    E: IntoIterator<Item = (K, V)>,
    A: IntoIterator<Item = (K, V)>,
{
    Merge {
        expected: expected.into_iter().peekable(),
        actual: actual.into_iter().peekable(),
    }
}

impl<K, V, E, A> Iterator for Merge<E, A>
where
    K: Ord,
    E: Iterator<Item = (K, V)>,
    A: Iterator<Item = (K, V)>,
{
    type Item = (K, Pair<V>);

    fn next(&mut self) -> Option<Self::Item> {
        let order = match (self.expected.peek(), self.actual.peek()) {
            (Some((e, _)), Some((a, _))) => e.cmp(a),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => return None,
        };
        match order {
            Ordering::Less => {
                let (k, v) = self.expected.next()?;
                Some((k, Pair::Missing(v)))
            }
            Ordering::Greater => {
                let (k, v) = self.actual.next()?;
                Some((k, Pair::Extra(v)))
            }
            Ordering::Equal => {
                let (k, e) = self.expected.next()?;
                let (_, a) = self.actual.next()?;
                Some((k, Pair::Both(e, a)))
            }
        }
    }
}

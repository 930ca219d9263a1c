//! Keeping the best k of a stream of scored items in O(n log k) time and
//! O(k) memory.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The best `k` items offered, by points descending, ties by id ascending
/// (so equal points always come out in the same order, whatever the order
/// items were offered in). Ids are expected to be unique.
///
/// A max-heap whose top is the worst item kept: an item better than it
/// replaces it, anything else is dropped at once.
#[derive(Debug)]
pub struct TopK<T> {
    k: usize,
    heap: BinaryHeap<Kept<T>>,
}

#[derive(Debug)]
struct Kept<T> {
    points: u32,
    id: i64,
    item: T,
}

impl<T> Kept<T> {
    /// `Greater` means worse: fewer points, or as many with a larger id.
    fn worseness(&self, other: &Self) -> Ordering {
        other.points.cmp(&self.points).then(self.id.cmp(&other.id))
    }
}

impl<T> PartialEq for Kept<T> {
    fn eq(&self, other: &Self) -> bool {
        self.worseness(other) == Ordering::Equal
    }
}

impl<T> Eq for Kept<T> {}

impl<T> PartialOrd for Kept<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Kept<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.worseness(other)
    }
}

/// Room reserved up front; a larger k grows as items come.
const MAX_PREALLOCATED: usize = 1024;

impl<T> TopK<T> {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.min(MAX_PREALLOCATED)),
        }
    }

    /// Offers an item; it is kept if it is among the best `k` so far.
    #[inline]
    pub fn offer(&mut self, points: u32, id: i64, item: T) {
        let candidate = Kept { points, id, item };
        if self.heap.len() < self.k {
            self.heap.push(candidate);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate < *worst
        {
            *worst = candidate;
        }
    }

    /// How many items are kept (at most `k`).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept items as `(points, id, item)`, best first.
    pub fn into_sorted(self) -> Vec<(u32, i64, T)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|kept| (kept.points, kept.id, kept.item))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_the_best_and_breaks_ties_by_id() {
        let mut top = TopK::new(3);
        assert!(top.is_empty());
        for (points, id) in [(5, 9), (7, 4), (5, 2), (1, 1), (7, 8), (5, 1)] {
            top.offer(points, id, ());
        }
        assert_eq!(top.len(), 3);
        let kept: Vec<_> = top
            .into_sorted()
            .into_iter()
            .map(|(p, id, _)| (p, id))
            .collect();
        assert_eq!(kept, [(7, 4), (7, 8), (5, 1)]);

        let mut none = TopK::new(0);
        none.offer(1, 1, ());
        assert!(none.into_sorted().is_empty());
    }

    proptest! {
        #[test]
        fn equals_a_full_sort(
            points in proptest::collection::vec(0u32..6, 0..200),
            k in 0usize..30,
        ) {
            // Distinct ids, not in points order: 37 is prime to 211.
            let items: Vec<(u32, i64)> = points
                .iter()
                .enumerate()
                .map(|(i, p)| (*p, (i as i64 * 37) % 211 - 100))
                .collect();
            let mut top = TopK::new(k);
            for (p, id) in &items {
                top.offer(*p, *id, *id);
            }
            let mut sorted = items.clone();
            sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            sorted.truncate(k);
            let kept: Vec<_> = top
                .into_sorted()
                .into_iter()
                .map(|(p, id, item)| {
                    assert_eq!(id, item);
                    (p, id)
                })
                .collect();
            prop_assert_eq!(kept, sorted);
        }
    }
}

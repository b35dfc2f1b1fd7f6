//! [`LeastCount`]: the least of small integer node values (connections, queue
//! lengths) in bucket lists.

use crate::engine::SimRng;

/// Nodes grouped by a small non-negative integer value (a count of tasks), finding a
/// node of least value uniformly at random among ties in *O*(1).
///
/// `buckets[v]` lists the nodes whose value is `v`, `pos` where each sits in its
/// bucket, and `min` the least non-empty bucket. Moving a node between buckets is a
/// swap-remove and a push; after a change of +-1, the typical change of a count,
/// `min` moves by at most one bucket, so updates cost *O*(1); a larger jump costs
/// *O*(jump). Selecting draws an index into the least bucket.
#[derive(Debug, Clone)]
pub struct LeastCount {
    value: Vec<u32>,
    pos: Vec<u32>,
    buckets: Vec<Vec<u32>>,
    min: usize,
}

/// Marks a node out of every selection (for example: believed down).
const OUT: u32 = u32::MAX;

impl LeastCount {
    /// An index over `n` nodes, all with value 0.
    pub fn new(n: usize) -> Self {
        LeastCount {
            value: vec![0; n],
            pos: (0..n as u32).collect(),
            buckets: vec![(0..n as u32).collect()],
            min: if n > 0 { 0 } else { 1 },
        }
    }

    /// Sets node `i`'s value; `None` takes it out of every selection.
    #[inline]
    pub fn set(&mut self, i: usize, value: Option<u32>) {
        let new = value.unwrap_or(OUT);
        let old = self.value[i];
        if new == old {
            return;
        }
        if old != OUT {
            let bucket = &mut self.buckets[old as usize];
            let at = self.pos[i] as usize;
            bucket.swap_remove(at);
            if let Some(&moved) = bucket.get(at) {
                self.pos[moved as usize] = at as u32;
            }
        }
        self.value[i] = new;
        if new != OUT {
            let v = new as usize;
            if v >= self.buckets.len() {
                self.buckets.resize_with(v + 1, Vec::new);
            }
            self.pos[i] = self.buckets[v].len() as u32;
            self.buckets[v].push(i as u32);
            self.min = self.min.min(v);
        }
        // The least bucket may have emptied: walk up to the next non-empty one.
        while self.min < self.buckets.len() && self.buckets[self.min].is_empty() {
            self.min += 1;
        }
    }

    /// Node `i`'s value (`None` if out).
    pub fn get(&self, i: usize) -> Option<u32> {
        (self.value[i] != OUT).then_some(self.value[i])
    }

    /// The least value, if any node is in.
    pub fn min(&self) -> Option<u32> {
        (self.min < self.buckets.len()).then_some(self.min as u32)
    }

    /// How many nodes hold the least value (0 if every node is out).
    #[inline]
    pub fn min_count(&self) -> u32 {
        self.buckets.get(self.min).map_or(0, |b| b.len() as u32)
    }

    /// A node of least value, uniform among ties; `None` if every node is out. Draws
    /// from `rng` only when there is a tie.
    #[inline]
    pub fn select(&self, rng: &mut SimRng) -> Option<usize> {
        let bucket = self.buckets.get(self.min)?;
        let k = if bucket.len() > 1 { rng.below(bucket.len()) } else { 0 };
        Some(bucket[k] as usize)
    }
}

//! Cutting a plan into shards: K deterministic slices of its runs, balanced by
//! estimated cost, for K machines (a Slurm job array) that each run one; and the
//! plan's fingerprint, which tells the shards of one plan from another's.
//!
//! A slice is a function of the plan alone, so every machine computes the same cut
//! without talking to the others, and `merge` recomputes it to check that every
//! shard holds exactly its runs.

use super::{Plan, Unit};
use std::fmt;
use std::str::FromStr;

/// One of K slices of a plan: `index` of `count`, from 1 (as `--shard 2/3` and
/// Slurm's array task ids read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// Which slice, 1 ..= `count`.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// The whole plan as one slice: what a run without `--shard` does.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Slice `index` of `count`.
    ///
    /// # Errors
    /// A message if `index` is not within 1 ..= `count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index == 0 || index > count {
            return Err(format!("shard {index}/{count} does not exist: shards are numbered 1 to {count}"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/K`, as `--shard 2/3`.
    fn from_str(text: &str) -> Result<Shard, String> {
        let expected = || format!("expected a shard as I/K (the I-th of K, from 1; e.g. 2/3), got '{text}'");
        let (i, k) = text.split_once('/').ok_or_else(expected)?;
        let i = i.trim().parse::<usize>().map_err(|_| expected())?;
        let k = k.trim().parse::<usize>().map_err(|_| expected())?;
        Shard::new(i, k)
    }
}

impl Plan {
    /// The runs of `shard`, by index into [`Plan::jobs`], in plan order.
    ///
    /// Runs are dealt longest first (by [`Unit::cost`], ties in plan order) each to
    /// the slice with the least estimated work so far (ties to the lowest slice):
    /// Graham's longest-processing-time rule, within 4/3 of the best balance. Counting
    /// runs instead would give one slice every long sweep point and another every
    /// short one. With more slices than runs, the last slices are empty.
    pub fn slice(&self, shard: Shard) -> Vec<usize> {
        if shard.count == 1 {
            return (0..self.jobs.len()).collect();
        }
        let owner = self.owners(shard.count);
        (0..self.jobs.len()).filter(|&j| owner[j] == shard.index - 1).collect()
    }

    /// Which slice (from 0) of `count` each run falls in.
    pub fn owners(&self, count: usize) -> Vec<usize> {
        let costs: Vec<f64> = self.units.iter().map(Unit::cost).collect();
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        // Stable: equal costs keep plan order.
        order.sort_by(|&a, &b| costs[self.jobs[b].unit].total_cmp(&costs[self.jobs[a].unit]));
        let mut load = vec![0.0f64; count.max(1)];
        let mut owner = vec![0usize; self.jobs.len()];
        for j in order {
            // The least loaded slice; `min_by` keeps the first of equals.
            let (least, _) = load.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).expect("at least one slice");
            owner[j] = least;
            load[least] += costs[self.jobs[j].unit].max(1.0);
        }
        owner
    }

    /// The plan's fingerprint, 16 hex digits: the simulator's version, `extra` (the
    /// command line's choices that change the output, such as `--jobs`), and each
    /// scenario's name and bytes and those of the trace it replays, in plan order.
    /// Two machines with the same scenario files and schedsim compute the same plan and
    /// the same fingerprint; an edited scenario or another version gives another.
    pub fn fingerprint(&self, extra: &str) -> String {
        let mut h = Fnv::new();
        h.add(b"schedsim plan 1");
        h.add(env!("CARGO_PKG_VERSION").as_bytes());
        h.add(extra.as_bytes());
        for s in &self.scenarios {
            h.add(s.name.as_bytes());
            h.add(s.text.as_bytes());
            if let crate::workload::ArrivalProcess::Trace(trace) = &s.workload.arrival {
                // An unreadable trace would have failed to load; hash what is there.
                h.add(&std::fs::read(&trace.path).unwrap_or_default());
            }
        }
        h.add(&(self.jobs.len() as u64).to_le_bytes());
        format!("{:016x}", h.0)
    }
}

/// 64-bit FNV-1a: fixed by its definition, so the same on every machine and Rust
/// version (the standard library's hasher promises neither). A fingerprint to tell
/// plans apart, not a defence against forgery.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Adds `bytes`, preceded by their length so that ("ab", "c") and ("a", "bc")
    /// differ.
    fn add(&mut self, bytes: &[u8]) {
        for &b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_bad_ones_are_refused() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "x/y", "3", "1/0", "-1/2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert!("4/3".parse::<Shard>().unwrap_err().contains("numbered 1 to 3"));
    }

    fn scenario(name: &str, tasks: u32, replications: u32) -> crate::scenario::Scenario {
        let text = format!(
            "name = \"{name}\"\nreplications = {replications}\n[run]\ntasks = {tasks}\n[[nodes]]\nname = \"n\"\n\
             [workload]\narrival = {{ process = \"poisson\", rate = 0.5 }}\nsize = {{ dist = \"exponential\", \
             mean = 1.0 }}\n[policies]\nbalancers = [\"random\"]\ndisciplines = [\"fifo\"]\n"
        );
        crate::scenario::parse(&text, std::path::Path::new("t.toml")).unwrap()
    }

    #[test]
    fn slices_cover_the_plan_once_and_balance_cost_not_count() {
        // Two runs of 100,000 tasks and ten of 1,000.
        let plan = Plan::new(vec![scenario("long", 100_000, 2), scenario("short", 1_000, 10)]);
        let slices: Vec<Vec<usize>> = (1..=2).map(|i| plan.slice(Shard::new(i, 2).unwrap())).collect();
        let mut all: Vec<usize> = slices.concat();
        all.sort_unstable();
        assert_eq!(all, (0..plan.jobs.len()).collect::<Vec<_>>(), "every run in exactly one slice");
        // One long run in each: by count, one slice would have had both.
        for slice in &slices {
            assert_eq!(slice.iter().filter(|&&j| plan.jobs[j].unit == 0).count(), 1, "{slices:?}");
        }
        // More slices than runs: the last ones are empty, and still every run once.
        let many: Vec<usize> = (1..=20).flat_map(|i| plan.slice(Shard::new(i, 20).unwrap())).collect();
        assert_eq!(many.len(), plan.jobs.len());
        assert!(plan.slice(Shard::new(20, 20).unwrap()).is_empty());
        assert_eq!(plan.slice(Shard::WHOLE).len(), plan.jobs.len());
    }

    #[test]
    fn the_fingerprint_follows_the_scenarios_bytes() {
        let a = Plan::new(vec![scenario("a", 1_000, 2)]);
        assert_eq!(a.fingerprint("off"), Plan::new(vec![scenario("a", 1_000, 2)]).fingerprint("off"));
        assert_ne!(a.fingerprint("off"), Plan::new(vec![scenario("a", 1_001, 2)]).fingerprint("off"));
        assert_ne!(a.fingerprint("off"), a.fingerprint("all"));
    }

    #[test]
    fn fnv_matches_its_reference_value() {
        // FNV-1a 64 of the empty input is its offset basis; of "a" (no length
        // prefix) 0xaf63dc4c8601ec8c.
        let mut h = Fnv::new();
        for &b in b"a" {
            h.0 ^= u64::from(b);
            h.0 = h.0.wrapping_mul(0x0100_0000_01b3);
        }
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }
}

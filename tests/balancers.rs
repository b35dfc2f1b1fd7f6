//! Balancers through the public API: for each, a hand-made cluster state where it must
//! pick one node (and some other balancer picks another); each indexed balancer
//! against a naive full scan on thousands of random states; parameter checks.

use schedsim::engine::SimRng;
use schedsim::model::{Mode, NodeSpec, Task};
use schedsim::policy::registry::{BuildContext, Registry, BALANCERS};
use schedsim::policy::{Balancer, Capacity, ClusterView, NodeBelief, PolicySpec};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// A node of the given speed, cores, memory and weight.
fn node(speed: f64, cores: u32, memory: f64, weight: f64) -> NodeSpec {
    NodeSpec { group: 0, speed, cores, memory, weight }
}

/// `n` identical one-core nodes of speed 1, unlimited memory, weight 1.
fn plain(n: usize) -> Vec<NodeSpec> {
    vec![node(1.0, 1, f64::INFINITY, 1.0); n]
}

/// A task of the given size estimate, cores and memory.
fn task(estimate: f64, cores: u32, memory: f64) -> Task {
    Task { cores, memory, ..Task::of_size(0, estimate) }
}

fn one_core() -> Task {
    task(1.0, 1, 0.0)
}

/// A spec with parameters.
fn spec(name: &str, params: &[(&str, f64)]) -> PolicySpec {
    let mut s = PolicySpec::named(name);
    for (k, v) in params {
        s.params.insert(k.to_string(), *v);
    }
    s
}

/// A cluster state: what the nodes are and what the dispatcher believes of them.
struct State {
    mode: Mode,
    specs: Vec<NodeSpec>,
    beliefs: Vec<NodeBelief>,
}

impl State {
    /// Every node idle: all its cores and memory free.
    fn new(mode: Mode, specs: Vec<NodeSpec>) -> Self {
        let beliefs = specs
            .iter()
            .map(|s| NodeBelief { free_cores: s.cores, free_memory: s.memory, ..Default::default() })
            .collect();
        State { mode, specs, beliefs }
    }

    fn dispatch(specs: Vec<NodeSpec>) -> Self {
        State::new(Mode::Dispatch, specs)
    }

    fn view(&self) -> ClusterView<'_> {
        ClusterView::new(0.0, self.mode, &self.specs, &self.beliefs)
    }

    /// Sets each node's connections (and nothing else).
    fn connections(mut self, c: &[u32]) -> Self {
        for (b, &c) in self.beliefs.iter_mut().zip(c) {
            b.connections = c;
        }
        self
    }

    /// Builds a balancer as the simulation does: build, then one update per node.
    fn build(&self, spec: &PolicySpec) -> Box<dyn Balancer> {
        let ctx = BuildContext { mode: self.mode, nodes: &self.specs };
        let mut b = Registry::default().build_balancer(spec, &ctx).unwrap_or_else(|e| panic!("{spec}: {e}"));
        for n in 0..self.specs.len() {
            b.on_update(n, &self.view());
        }
        b
    }

    /// What a freshly built balancer picks for `task`, with policy stream `seed`.
    fn pick_with(&self, spec: &PolicySpec, task: &Task, seed: u64) -> Option<usize> {
        self.build(spec).select(task, &self.view(), &mut SimRng::new(seed))
    }

    /// What the named balancer (default parameters) picks for a one-core task.
    fn pick(&self, name: &str) -> Option<usize> {
        self.pick_with(&PolicySpec::named(name), &one_core(), 1)
    }
}

// ---------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------

#[test]
fn registry_lists_every_balancer_in_order() {
    let names: Vec<&str> = BALANCERS.iter().map(|e| e.info.name).collect();
    assert_eq!(
        names,
        [
            "random",
            "weighted_random",
            "round_robin",
            "weighted_round_robin",
            "least_connections",
            "weighted_least_connections",
            "shortest_response_time",
            "power_of_d",
            "join_shortest_queue",
            "join_idle_queue",
            "least_work_left",
            "min_execution_time",
            "min_completion_time",
            "best_fit",
            "heft",
            "cpop",
            "min_min",
            "max_min",
        ]
    );
    for e in BALANCERS {
        assert!(!e.info.summary.is_empty() && !e.info.modes.is_empty(), "{}", e.info.name);
        for p in e.info.params.iter() {
            assert!(p.default.is_some() && !p.doc.is_empty(), "{}.{}", e.info.name, p.name);
        }
    }
}

// ---------------------------------------------------------------------------------
// The view's fit test
// ---------------------------------------------------------------------------------

/// The least capacity takes each resource's least over the nodes, from whichever
/// node has it; a node's memory that is not a number makes the least memory not one.
#[test]
fn least_capacity_is_the_least_of_each_resource() {
    let specs = vec![node(1.0, 4, 2.0, 1.0), node(1.0, 1, 16.0, 1.0), node(1.0, 8, 8.0, 1.0)];
    assert_eq!(Capacity::least_of(&specs), Capacity { cores: 1, memory: 2.0 });
    assert_eq!(Capacity::least_of(&plain(3)), Capacity { cores: 1, memory: f64::INFINITY });
    let nan = vec![node(1.0, 2, 4.0, 1.0), node(1.0, 2, f64::NAN, 1.0)];
    assert!(Capacity::least_of(&nan).memory.is_nan());
}

/// In dispatch mode a view told the cluster's least capacity answers `fits` exactly
/// as its definition says (the node believed up, and its spec big enough) and as a
/// view told nothing: on mixed nodes (unlimited memory and memory that is not a number
/// among them), some down, tasks below, at and above each node's cores and memory.
/// Enough tasks fall within the least capacity for the shortcut to be tested.
#[test]
fn the_fit_test_with_the_least_capacity_is_the_fit_test() {
    let mut rng = SimRng::new(11);
    let memories = [1.0, 2.0, 4.0, 8.0, f64::INFINITY, f64::NAN];
    let (mut within, mut tried) = (0, 0);
    for _ in 0..300 {
        let n = 1 + rng.below(6);
        // Memory that is not a number only now and then, so most clusters keep a
        // least memory to be within.
        let memory = |rng: &mut SimRng| memories[if rng.below(20) == 0 { 5 } else { rng.below(5) }];
        let specs: Vec<NodeSpec> = (0..n).map(|_| node(1.0, 1 + rng.below(8) as u32, memory(&mut rng), 1.0)).collect();
        let mut state = State::dispatch(specs);
        for b in state.beliefs.iter_mut() {
            b.up = rng.below(5) != 0;
        }
        let least = Capacity::least_of(&state.specs);
        let plain_view = state.view();
        let told = state.view().with_least(least);
        for _ in 0..20 {
            let t = task(1.0, 1 + rng.below(9) as u32, [0.0, 1.0, 2.0, 3.0, 8.0, 9.0][rng.below(6)]);
            tried += 1;
            within += usize::from(t.cores <= least.cores && t.memory <= least.memory);
            for i in 0..n {
                let s = &state.specs[i];
                let defined = state.beliefs[i].up && s.cores >= t.cores && s.memory >= t.memory;
                assert_eq!(told.fits(i, &t), defined, "node {i} {s:?}, task of {} cores, {} memory", t.cores, t.memory);
                assert_eq!(plain_view.fits(i, &t), defined);
            }
        }
    }
    // About a tenth of the tasks are within the least capacity (with seed 11, 608 of
    // the 6,000: a floor of 100 lies 20 binomial standard deviations below).
    assert!(within > 100, "only {within} of {tried} tasks within the least capacity");
}

// ---------------------------------------------------------------------------------
// One hand-made state per balancer
// ---------------------------------------------------------------------------------

/// `random` takes the node of the policy stream's first draw when it fits;
/// `least_connections` takes the least loaded node instead.
#[test]
fn random_takes_the_drawn_node() {
    let seed = 11;
    let drawn = SimRng::new(seed).below(5);
    let other = (drawn + 1) % 5;
    let mut conns = [4; 5];
    conns[other] = 0;
    let s = State::dispatch(plain(5)).connections(&conns);
    assert_eq!(s.pick_with(&PolicySpec::named("random"), &one_core(), seed), Some(drawn));
    assert_eq!(s.pick("least_connections"), Some(other));
}

/// In central mode `random` only takes nodes with room: here only nodes 1 and 3,
/// each about half of the time.
#[test]
fn random_chooses_uniformly_among_fitting_nodes() {
    let mut s = State::new(Mode::Central, vec![node(1.0, 2, f64::INFINITY, 1.0); 4]);
    for n in [0, 2] {
        s.beliefs[n].free_cores = 0;
    }
    let mut counts = [0usize; 4];
    for seed in 0..2000 {
        counts[s.pick_with(&PolicySpec::named("random"), &one_core(), seed).unwrap()] += 1;
    }
    assert_eq!((counts[0], counts[2]), (0, 0));
    // Binomial(2000, 1/2): sd 22.4; 5 sd.
    assert!(counts[1].abs_diff(1000) < 112, "{counts:?}");
}

/// A node holding almost all the weight is taken (all but surely);
/// `least_connections` avoids it because it is the busiest.
#[test]
fn weighted_random_follows_the_weight() {
    let specs: Vec<NodeSpec> = [1e-9, 1e-9, 1e9, 1e-9].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs).connections(&[0, 1, 5, 1]);
    for seed in 0..50 {
        assert_eq!(s.pick_with(&PolicySpec::named("weighted_random"), &one_core(), seed), Some(2));
    }
    assert_eq!(s.pick("least_connections"), Some(0));
}

/// Shares proportional to weight: weights 1, 2, 3, 4 over 100,000 draws.
#[test]
fn weighted_random_draws_in_proportion_to_weight() {
    let specs: Vec<NodeSpec> = [1.0, 2.0, 3.0, 4.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs);
    let mut b = s.build(&PolicySpec::named("weighted_random"));
    let mut rng = SimRng::new(5);
    let mut counts = [0f64; 4];
    let draws = 100_000.0;
    for _ in 0..draws as usize {
        counts[b.select(&one_core(), &s.view(), &mut rng).unwrap()] += 1.0;
    }
    for (i, c) in counts.iter().enumerate() {
        let p = (i + 1) as f64 / 10.0;
        let sd = (draws * p * (1.0 - p)).sqrt();
        assert!((c - draws * p).abs() < 5.0 * sd, "{counts:?}");
    }
}

/// The rejection path and the scan keep the weights among fitting nodes: node 3 has
/// nearly all the weight but no room, so nodes 1 and 2 share 1 : 3.
#[test]
fn weighted_random_falls_back_to_the_fitting_nodes() {
    let specs: Vec<NodeSpec> = [1.0, 1.0, 3.0, 1e6].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let mut s = State::new(Mode::Central, specs);
    s.beliefs[0].free_cores = 0;
    s.beliefs[3].free_cores = 0;
    let mut b = s.build(&PolicySpec::named("weighted_random"));
    let mut rng = SimRng::new(6);
    let mut counts = [0usize; 4];
    for _ in 0..4000 {
        counts[b.select(&one_core(), &s.view(), &mut rng).unwrap()] += 1;
    }
    assert_eq!((counts[0], counts[3]), (0, 0));
    // Binomial(4000, 1/4): sd 27.4; 5 sd.
    assert!(counts[1].abs_diff(1000) < 137, "{counts:?}");
}

/// `round_robin` starts at node 0 and cycles, whatever the load;
/// `least_connections` takes the idle node 2.
#[test]
fn round_robin_cycles_from_node_zero() {
    let s = State::dispatch(plain(3)).connections(&[3, 3, 0]);
    let mut b = s.build(&PolicySpec::named("round_robin"));
    let mut rng = SimRng::new(1);
    let seq: Vec<usize> = (0..5).map(|_| b.select(&one_core(), &s.view(), &mut rng).unwrap()).collect();
    assert_eq!(seq, [0, 1, 2, 0, 1]);
    assert_eq!(s.pick("least_connections"), Some(2));
}

/// Weights {5, 1, 1}: the heaviest node first, then an interleaved cycle with node 0
/// five times in seven (NGINX's smooth WRR gives a a b a c a a; the tie order
/// differs, not the shares). `round_robin` gives 0 1 2 0 1 2 0.
#[test]
fn weighted_round_robin_interleaves_by_weight() {
    let specs: Vec<NodeSpec> = [5.0, 1.0, 1.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs);
    let seq = |name: &str| {
        let mut b = s.build(&PolicySpec::named(name));
        let mut rng = SimRng::new(1);
        (0..14).map(|_| b.select(&one_core(), &s.view(), &mut rng).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(seq("weighted_round_robin"), [0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 2, 0, 0]);
    assert_eq!(seq("round_robin"), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]);
    // The first pick is the heaviest node, even when it is not node 0.
    let specs: Vec<NodeSpec> = [1.0, 3.0, 1.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    assert_eq!(State::dispatch(specs).pick("weighted_round_robin"), Some(1));
}

/// NGINX's smooth weighted round robin (nginx commit 52327e0627f4), as a reference for
/// shares and smoothness: O(n) per pick.
fn nginx_swrr(weights: &[f64], picks: usize) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    let mut current = vec![0.0; weights.len()];
    (0..picks)
        .map(|_| {
            let mut best = 0;
            for i in 0..weights.len() {
                current[i] += weights[i];
                if current[i] > current[best] {
                    best = i;
                }
            }
            current[best] -= total;
            best
        })
        .collect()
}

/// The largest |c_i(t) - t w_i / W| over every prefix of a pick sequence.
fn max_lag(weights: &[f64], seq: &[usize]) -> f64 {
    let total: f64 = weights.iter().sum();
    let mut counts = vec![0.0; weights.len()];
    let mut worst = 0.0f64;
    for (t, &n) in seq.iter().enumerate() {
        counts[n] += 1.0;
        for (c, w) in counts.iter().zip(weights) {
            worst = worst.max((c - (t + 1) as f64 * w / total).abs());
        }
    }
    worst
}

/// On random integer weights, and on a heavily skewed set (one node of weight 100
/// beside 100 of weight 1, where plain stride scheduling gives the heavy node 50
/// tasks in a row): every node stays within one task of its exact share at every
/// point, as with NGINX's smooth WRR, and after each W picks every node has had
/// exactly its weight's share, the same counts as NGINX's.
#[test]
fn weighted_round_robin_is_smooth_and_exact_like_nginx() {
    let mut rng = SimRng::new(8);
    let mut cases: Vec<Vec<f64>> = (0..200)
        .map(|_| {
            let n = 1 + rng.below(12);
            (0..n).map(|_| (1 + rng.below(20)) as f64).collect()
        })
        .collect();
    cases.push(std::iter::once(100.0).chain(std::iter::repeat_n(1.0, 100)).collect());
    for weights in cases {
        let total = weights.iter().sum::<f64>() as usize;
        let specs: Vec<NodeSpec> = weights.iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
        let s = State::dispatch(specs);
        let mut b = s.build(&PolicySpec::named("weighted_round_robin"));
        let mut r = SimRng::new(1);
        let ours: Vec<usize> = (0..3 * total).map(|_| b.select(&one_core(), &s.view(), &mut r).unwrap()).collect();
        let theirs = nginx_swrr(&weights, 3 * total);
        assert!(max_lag(&weights, &ours) < 1.0, "{weights:?}: lag {}", max_lag(&weights, &ours));
        assert!(max_lag(&weights, &theirs) < 1.0, "{weights:?}");
        for k in 1..=3 {
            let count = |seq: &[usize], i: usize| seq[..k * total].iter().filter(|&&n| n == i).count();
            for (i, w) in weights.iter().enumerate() {
                assert_eq!(count(&ours, i), k * *w as usize, "{weights:?}");
                assert_eq!(count(&ours, i), count(&theirs, i));
            }
        }
    }
}

/// Fewest connections; `weighted_least_connections` divides by weight and differs.
#[test]
fn least_connections_takes_the_fewest_connections() {
    let specs: Vec<NodeSpec> = [4.0, 1.0, 1.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs).connections(&[4, 2, 3]);
    assert_eq!(s.pick("least_connections"), Some(1));
    assert_eq!(s.pick("weighted_least_connections"), Some(0));
}

/// Connections per weight 1, 2, 3: node 0, which has the most connections, so
/// `least_connections` picks another.
#[test]
fn weighted_least_connections_divides_by_weight() {
    let specs: Vec<NodeSpec> = [4.0, 1.0, 1.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs).connections(&[4, 2, 3]);
    assert_eq!(s.pick("weighted_least_connections"), Some(0));
    assert_ne!(s.pick("least_connections"), Some(0));
}

/// Ties across weights are uniform over nodes: connections / weight = 1 for nodes of
/// weight 1 and 2 (and 3 for the last), so nodes 0, 1 and 2 are each taken a third of
/// the time, although two of them share a weight class.
#[test]
fn weighted_least_connections_ties_are_uniform_across_weights() {
    let specs: Vec<NodeSpec> = [1.0, 2.0, 2.0, 1.0].iter().map(|&w| node(1.0, 1, f64::INFINITY, w)).collect();
    let s = State::dispatch(specs).connections(&[1, 2, 2, 3]);
    let mut b = s.build(&PolicySpec::named("weighted_least_connections"));
    let mut rng = SimRng::new(12);
    let mut counts = [0usize; 4];
    for _ in 0..3000 {
        counts[b.select(&one_core(), &s.view(), &mut rng).unwrap()] += 1;
    }
    assert_eq!(counts[3], 0);
    // Binomial(3000, 1/3): sd 25.8; 5 sd.
    for c in &counts[..3] {
        assert!(c.abs_diff(1000) < 129, "{counts:?}");
    }
}

/// Sets a node's belief as after `responses` results, the last taking `last`.
fn responded(s: &mut State, node: usize, responses: u64, last: f64) {
    s.beliefs[node].results = responses;
    s.beliefs[node].last_response = last;
}

/// Lowest observed response time, whatever the connections; `least_connections`
/// takes the idle node 0 instead.
#[test]
fn shortest_response_time_takes_the_fastest_responder() {
    let mut s = State::dispatch(plain(3)).connections(&[0, 5, 1]);
    for (n, r) in [2.0, 0.5, 1.0].into_iter().enumerate() {
        responded(&mut s, n, 3, r);
    }
    assert_eq!(s.pick("shortest_response_time"), Some(1));
    assert_eq!(s.pick("least_connections"), Some(0));
    // A node with no result yet is tried first.
    s.beliefs[2].results = 0;
    assert_eq!(s.pick("shortest_response_time"), Some(2));
}

/// The moving average and its smoothing factor: node 0 answered 4 then 1, node 1
/// answered 2. With alpha = 0.5 node 0's average is 2.5 and node 1 wins; with
/// alpha = 1 only the last response counts, 1 < 2, and node 0 wins.
#[test]
fn shortest_response_time_smooths_with_alpha() {
    let run = |alpha: f64| {
        let mut s = State::dispatch(plain(2));
        let mut b = s.build(&spec("shortest_response_time", &[("alpha", alpha)]));
        responded(&mut s, 1, 1, 2.0);
        b.on_update(1, &s.view());
        for (k, r) in [4.0, 1.0].into_iter().enumerate() {
            responded(&mut s, 0, k as u64 + 1, r);
            b.on_update(0, &s.view());
        }
        // A change that is not a new result (a send) leaves the average alone.
        s.beliefs[0].connections = 1;
        b.on_update(0, &s.view());
        b.select(&one_core(), &s.view(), &mut SimRng::new(1))
    };
    assert_eq!(run(0.5), Some(1));
    assert_eq!(run(1.0), Some(0));
}

/// With d = the node count every node is sampled: the least loaded, node 1;
/// `round_robin` takes node 0.
#[test]
fn power_of_d_with_every_node_sampled_takes_the_least_loaded() {
    let s = State::dispatch(plain(3)).connections(&[5, 0, 3]);
    for seed in 0..20 {
        assert_eq!(s.pick_with(&spec("power_of_d", &[("d", 3.0)]), &one_core(), seed), Some(1));
    }
    assert_eq!(s.pick("round_robin"), Some(0));
}

/// d = 2 of 3 nodes loaded 0, 1, 2: the busiest is never taken (any pair holding it
/// holds a less loaded node), node 0 is taken when sampled (2 pairs of 3).
#[test]
fn power_of_two_never_takes_the_busiest_of_three() {
    let s = State::dispatch(plain(3)).connections(&[0, 1, 2]);
    let mut b = s.build(&PolicySpec::named("power_of_d"));
    let mut rng = SimRng::new(3);
    let mut counts = [0usize; 3];
    for _ in 0..3000 {
        counts[b.select(&one_core(), &s.view(), &mut rng).unwrap()] += 1;
    }
    assert_eq!(counts[2], 0, "{counts:?}");
    // Binomial(3000, 2/3): sd 25.8; 5 sd.
    assert!(counts[0].abs_diff(2000) < 129, "{counts:?}");
}

/// Ties among the sampled nodes go to the one sampled first, which is uniform: two
/// idle nodes of four with d = 4 are each taken about half of the time.
#[test]
fn power_of_d_breaks_ties_uniformly() {
    let s = State::dispatch(plain(4)).connections(&[1, 0, 2, 0]);
    let mut b = s.build(&spec("power_of_d", &[("d", 4.0)]));
    let mut rng = SimRng::new(4);
    let mut counts = [0usize; 4];
    for _ in 0..2000 {
        counts[b.select(&one_core(), &s.view(), &mut rng).unwrap()] += 1;
    }
    assert_eq!((counts[0], counts[2]), (0, 0));
    assert!(counts[1].abs_diff(1000) < 112, "{counts:?}");
}

/// Fewest tasks at the node, as reported plus sent since: node 2 (1 task) although
/// the dispatcher's own connections favour node 1 (whose report shows 3 tasks from
/// other dispatchers), which `least_connections` takes.
#[test]
fn join_shortest_queue_counts_the_reported_queue() {
    let mut s = State::dispatch(plain(3)).connections(&[1, 0, 1]);
    for (n, (reported, sent)) in [(2, 0), (3, 0), (0, 1)].into_iter().enumerate() {
        s.beliefs[n].reported_queue = reported;
        s.beliefs[n].sent_since_report = sent;
    }
    assert_eq!(s.pick("join_shortest_queue"), Some(2));
    assert_eq!(s.pick("least_connections"), Some(1));
}

/// The node idle longest first: node 3 went idle before node 1, so node 3, then
/// node 1; `least_connections` takes node 1, which has fewer connections. A listed
/// node that is no longer idle when its turn comes is skipped.
#[test]
fn join_idle_queue_takes_the_longest_idle_node() {
    let mut s = State::dispatch(plain(4));
    for b in &mut s.beliefs {
        b.reported_queue = 2;
    }
    let mut jiq = s.build(&PolicySpec::named("join_idle_queue"));
    let mut rng = SimRng::new(1);
    for n in [3, 1] {
        s.beliefs[n].reported_queue = 0;
        jiq.on_update(n, &s.view());
    }
    s.beliefs[3].connections = 2;
    s.beliefs[1].connections = 1;
    s.beliefs[0].connections = 3;
    s.beliefs[2].connections = 3;
    assert_eq!(s.pick("least_connections"), Some(1));
    assert_eq!(jiq.select(&one_core(), &s.view(), &mut rng), Some(3));
    s.beliefs[3].sent_since_report = 1;
    jiq.on_update(3, &s.view());
    assert_eq!(jiq.select(&one_core(), &s.view(), &mut rng), Some(1));

    // Again, but node 3 gets busy (a report) before its turn: it is dropped.
    for b in &mut s.beliefs {
        *b = NodeBelief { reported_queue: 2, free_cores: 1, free_memory: f64::INFINITY, ..Default::default() };
    }
    let mut jiq = s.build(&PolicySpec::named("join_idle_queue"));
    for n in [3, 1] {
        s.beliefs[n].reported_queue = 0;
        jiq.on_update(n, &s.view());
    }
    s.beliefs[3].reported_queue = 1;
    jiq.on_update(3, &s.view());
    assert_eq!(jiq.select(&one_core(), &s.view(), &mut rng), Some(1));
}

/// With no idle node, a node drawn uniformly at random.
#[test]
fn join_idle_queue_without_idle_nodes_is_random() {
    let mut s = State::dispatch(plain(4));
    for b in &mut s.beliefs {
        b.reported_queue = 1;
    }
    let seed = 9;
    let drawn = SimRng::new(seed).below(4);
    assert_eq!(s.pick_with(&PolicySpec::named("join_idle_queue"), &one_core(), seed), Some(drawn));
}

/// Work / (speed x cores) = 1.5, 4, 3: node 0, the busiest by connections, which
/// `least_connections` avoids.
#[test]
fn least_work_left_divides_work_by_capacity() {
    let specs =
        vec![node(2.0, 2, f64::INFINITY, 4.0), node(1.0, 1, f64::INFINITY, 1.0), node(1.0, 1, f64::INFINITY, 1.0)];
    let mut s = State::dispatch(specs).connections(&[3, 1, 2]);
    for (n, w) in [6.0, 4.0, 3.0].into_iter().enumerate() {
        s.beliefs[n].work_left = w;
    }
    assert_eq!(s.pick("least_work_left"), Some(0));
    assert_eq!(s.pick("least_connections"), Some(1));
}

/// Speeds 1, 3, 2 with work left 0, 30, 2 and a task of estimate 6. Finish times
/// 0 + 6, 10 + 2, 1 + 3: `min_completion_time` takes node 2; `min_execution_time`
/// the fastest, node 1, ignoring its backlog; `least_work_left` the emptiest, node 0.
fn heterogeneous() -> State {
    let specs: Vec<NodeSpec> = [1.0, 3.0, 2.0].iter().map(|&v| node(v, 1, f64::INFINITY, v)).collect();
    let mut s = State::dispatch(specs);
    for (n, w) in [0.0, 30.0, 2.0].into_iter().enumerate() {
        s.beliefs[n].work_left = w;
    }
    s
}

#[test]
fn min_execution_time_takes_the_fastest_node() {
    let s = heterogeneous();
    let t = task(6.0, 1, 0.0);
    assert_eq!(s.pick_with(&PolicySpec::named("min_execution_time"), &t, 1), Some(1));
    assert_eq!(s.pick_with(&PolicySpec::named("min_completion_time"), &t, 1), Some(2));
}

#[test]
fn min_completion_time_takes_the_earliest_finish() {
    let s = heterogeneous();
    let t = task(6.0, 1, 0.0);
    assert_eq!(s.pick_with(&PolicySpec::named("min_completion_time"), &t, 1), Some(2));
    assert_eq!(s.pick_with(&PolicySpec::named("least_work_left"), &t, 1), Some(0));
    assert_eq!(s.pick_with(&PolicySpec::named("min_execution_time"), &t, 1), Some(1));
    // A small task changes the answer: estimate 1 gives 1, 10.33, 1.5: node 0.
    assert_eq!(s.pick_with(&PolicySpec::named("min_completion_time"), &task(1.0, 1, 0.0), 1), Some(0));
}

/// Ties across speed groups are uniform over the tied nodes: speeds 1, 2, 2 with work
/// left 0, 2, 2 and estimate 2 all finish at 2.
#[test]
fn min_completion_time_ties_across_speeds_are_uniform() {
    let specs: Vec<NodeSpec> = [1.0, 2.0, 2.0].iter().map(|&v| node(v, 1, f64::INFINITY, 1.0)).collect();
    let mut s = State::dispatch(specs);
    s.beliefs[1].work_left = 2.0;
    s.beliefs[2].work_left = 2.0;
    let mut b = s.build(&PolicySpec::named("min_completion_time"));
    let mut rng = SimRng::new(2);
    let mut counts = [0usize; 3];
    for _ in 0..3000 {
        counts[b.select(&task(2.0, 1, 0.0), &s.view(), &mut rng).unwrap()] += 1;
    }
    // Binomial(3000, 1/3): sd 25.8; 5 sd.
    for c in counts {
        assert!(c.abs_diff(1000) < 129, "{counts:?}");
    }
}

/// Central mode, a 2-core 4-memory task. Leftover fractions: node 0 (6 of 8 cores,
/// 20 of 32 memory free) 0.5 + 0.5; node 1 (2 of 4, 8 of 16) 0 + 0.25; node 2 (10 of
/// 16, unlimited memory) 0.5. Node 1, the tightest; `least_connections` takes node 2.
#[test]
fn best_fit_takes_the_tightest_node() {
    let specs = vec![node(1.0, 8, 32.0, 1.0), node(1.0, 4, 16.0, 1.0), node(1.0, 16, f64::INFINITY, 1.0)];
    let mut s = State::new(Mode::Central, specs).connections(&[1, 2, 0]);
    for (n, (c, m)) in [(6, 20.0), (2, 8.0), (10, f64::INFINITY)].into_iter().enumerate() {
        s.beliefs[n].free_cores = c;
        s.beliefs[n].free_memory = m;
    }
    let t = task(1.0, 2, 4.0);
    assert_eq!(s.pick_with(&PolicySpec::named("best_fit"), &t, 1), Some(1));
    assert_eq!(s.pick_with(&PolicySpec::named("least_connections"), &t, 1), Some(2));
    // Node 1 without room: node 2 (0.5) before node 0 (1.0).
    s.beliefs[1].free_cores = 1;
    assert_eq!(s.pick_with(&PolicySpec::named("best_fit"), &t, 1), Some(2));
    // Equal leftovers: the lowest index.
    let mut s = State::new(Mode::Central, vec![node(1.0, 4, f64::INFINITY, 1.0); 3]);
    s.beliefs[0].free_cores = 4;
    s.beliefs[1].free_cores = 2;
    s.beliefs[2].free_cores = 2;
    assert_eq!(s.pick_with(&PolicySpec::named("best_fit"), &t, 1), Some(1));
    // No room anywhere: None (the task waits).
    s.beliefs[0].free_cores = 1;
    s.beliefs[1].free_cores = 1;
    s.beliefs[2].free_cores = 0;
    assert_eq!(s.pick_with(&PolicySpec::named("best_fit"), &t, 1), None);
}

// ---------------------------------------------------------------------------------
// Every balancer returns a fitting node, or None only when none fits
// ---------------------------------------------------------------------------------

#[test]
fn every_balancer_returns_a_fitting_node_or_none() {
    let mut rng = SimRng::new(21);
    for mode in [Mode::Dispatch, Mode::Central] {
        for e in BALANCERS.iter().filter(|e| e.info.modes.contains(&mode)) {
            for n in [2, 7, 40] {
                let specs: Vec<NodeSpec> =
                    (0..n).map(|_| node(1.0, 1 + rng.below(4) as u32, (1 + rng.below(8)) as f64, 1.0)).collect();
                let mut s = State::new(mode, specs);
                let mut b = s.build(&PolicySpec::named(e.info.name));
                for _ in 0..300 {
                    let i = rng.below(n);
                    let ns = &s.specs[i];
                    let b_i = &mut s.beliefs[i];
                    b_i.free_cores = rng.below(ns.cores as usize + 1) as u32;
                    b_i.free_memory = rng.below(ns.memory as usize + 1) as f64;
                    b_i.connections = rng.below(4) as u32;
                    b_i.reported_queue = rng.below(3) as u32;
                    b_i.sent_since_report = rng.below(2) as u32;
                    b_i.work_left = rng.below(6) as f64;
                    if rng.below(3) == 0 {
                        b_i.results += 1;
                        b_i.last_response = rng.below(5) as f64;
                    }
                    b.on_update(i, &s.view());
                    let t = task(1.0 + rng.below(3) as f64, 1 + rng.below(4) as u32, rng.below(9) as f64);
                    let view = s.view();
                    let any = (0..n).any(|m| view.fits(m, &t));
                    match b.select(&t, &view, &mut rng) {
                        Some(m) => assert!(view.fits(m, &t), "{}: node {m} does not fit", e.info.name),
                        None => assert!(!any, "{}: None although a node fits", e.info.name),
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Indexed balancers against a naive full scan
// ---------------------------------------------------------------------------------

/// What the reference scan needs besides the state: the response-time averages,
/// replayed from the same updates (alpha as given to the balancer).
struct Reference {
    alpha: f64,
    seen: Vec<u64>,
    ewma: Vec<f64>,
}

impl Reference {
    fn update(&mut self, n: usize, b: &NodeBelief) {
        if b.results > self.seen[n] {
            self.ewma[n] = if self.seen[n] == 0 {
                b.last_response
            } else {
                self.alpha * b.last_response + (1.0 - self.alpha) * self.ewma[n]
            };
            self.seen[n] = b.results;
        }
    }
}

/// Drives `name` through random states (random nodes changing in random ways, in
/// both modes, with tasks of random size) and checks each choice against a full
/// scan: the chosen node fits and its `key` is the least over fitting nodes (it may
/// be any of a tie), and None only when nothing fits.
fn against_full_scan(name: &str, params: &[(&str, f64)], key: impl Fn(&State, &Reference, &Task, usize) -> f64) {
    let mut rng = SimRng::new(0xBA1);
    let mut checked = 0;
    for mode in [Mode::Dispatch, Mode::Central] {
        for n in [1, 2, 5, 33, 300] {
            let specs: Vec<NodeSpec> = (0..n)
                .map(|_| {
                    // Few distinct values, so keys tie often.
                    let speed = [0.5, 1.0, 2.0, 4.0][rng.below(4)];
                    node(speed, 1 + rng.below(4) as u32, (4 + rng.below(4)) as f64, (1 + rng.below(3)) as f64)
                })
                .collect();
            let mut s = State::new(mode, specs);
            let alpha = params.iter().find(|p| p.0 == "alpha").map_or(0.5, |p| p.1);
            let mut reference = Reference { alpha, seen: vec![0; n], ewma: vec![0.0; n] };
            let mut b = s.build(&spec(name, params));
            for _ in 0..2000 {
                for _ in 0..1 + rng.below(3) {
                    let i = rng.below(n);
                    let cores = s.specs[i].cores;
                    let memory = s.specs[i].memory;
                    let bi = &mut s.beliefs[i];
                    match rng.below(4) {
                        // A send.
                        0 => {
                            bi.connections += 1;
                            bi.sent_since_report += 1;
                            bi.work_left += rng.below(4) as f64 * 0.5;
                            bi.free_cores = bi.free_cores.saturating_sub(1);
                        }
                        // A result, with a state report.
                        1 => {
                            bi.connections = bi.connections.saturating_sub(1);
                            bi.work_left = (bi.work_left - 0.5).max(0.0);
                            bi.results += 1;
                            bi.last_response = rng.below(6) as f64 * 0.25;
                            bi.reported_queue = rng.below(4) as u32;
                            bi.sent_since_report = 0;
                            bi.free_cores = (bi.free_cores + 1).min(cores);
                        }
                        // A jump: anything.
                        _ => {
                            bi.connections = rng.below(5) as u32;
                            bi.reported_queue = rng.below(5) as u32;
                            bi.sent_since_report = rng.below(3) as u32;
                            bi.work_left = rng.below(8) as f64 * 0.5;
                            bi.free_cores = rng.below(cores as usize + 1) as u32;
                            bi.free_memory = rng.below(memory as usize + 1) as f64;
                        }
                    }
                    reference.update(i, &s.beliefs[i]);
                    b.on_update(i, &s.view());
                }
                let t = task([0.5, 1.0, 2.0][rng.below(3)], 1 + rng.below(3) as u32, rng.below(6) as f64);
                let view = s.view();
                let fitting: Vec<usize> = (0..n).filter(|&m| view.fits(m, &t)).collect();
                let least = fitting.iter().map(|&m| key(&s, &reference, &t, m)).fold(f64::INFINITY, f64::min);
                match b.select(&t, &view, &mut rng) {
                    Some(m) => {
                        assert!(view.fits(m, &t), "{name}: node {m} does not fit");
                        assert_eq!(key(&s, &reference, &t, m), least, "{name}: node {m} is not least");
                        checked += 1;
                    }
                    None => assert!(fitting.is_empty(), "{name}: None although {fitting:?} fit"),
                }
            }
        }
    }
    assert!(checked > 10_000, "{name}: only {checked} choices checked");
}

#[test]
fn least_connections_agrees_with_a_full_scan() {
    against_full_scan("least_connections", &[], |s, _, _, n| f64::from(s.beliefs[n].connections));
}

#[test]
fn weighted_least_connections_agrees_with_a_full_scan() {
    against_full_scan("weighted_least_connections", &[], |s, _, _, n| {
        f64::from(s.beliefs[n].connections) / s.specs[n].weight
    });
}

#[test]
fn shortest_response_time_agrees_with_a_full_scan() {
    for alpha in [0.3, 1.0] {
        against_full_scan("shortest_response_time", &[("alpha", alpha)], |_, r, _, n| r.ewma[n]);
    }
}

#[test]
fn join_shortest_queue_agrees_with_a_full_scan() {
    against_full_scan("join_shortest_queue", &[], |s, _, _, n| f64::from(s.beliefs[n].queue_estimate()));
}

#[test]
fn least_work_left_agrees_with_a_full_scan() {
    against_full_scan("least_work_left", &[], |s, _, _, n| {
        s.beliefs[n].work_left / (s.specs[n].speed * f64::from(s.specs[n].cores))
    });
}

#[test]
fn min_completion_time_agrees_with_a_full_scan() {
    against_full_scan("min_completion_time", &[], |s, _, t, n| {
        let spec = &s.specs[n];
        s.beliefs[n].work_left / (spec.speed * f64::from(spec.cores)) + t.estimate / spec.speed
    });
}

/// `weighted_round_robin` is deterministic, so the reference is the whole algorithm
/// by full scan (virtual time t / W; eligible nodes, c_i / w_i <= t / W, by least
/// (c_i + 1) / w_i; else least c_i / w_i; ties to the heavier node, then the lower
/// index; among fitting nodes), and the choices must be the same node, in both modes
/// on random fits. Weights such as 1 and 2 make ties across weights frequent.
#[test]
fn weighted_round_robin_agrees_with_a_full_scan() {
    let mut rng = SimRng::new(0x5EED);
    for mode in [Mode::Dispatch, Mode::Central] {
        for n in [1, 2, 3, 10, 200] {
            let specs: Vec<NodeSpec> = (0..n)
                .map(|_| {
                    let w = [0.5, 1.0, 1.0, 2.0, 3.0, 7.0][rng.below(6)];
                    node(1.0, 1 + rng.below(3) as u32, f64::INFINITY, w)
                })
                .collect();
            let mut s = State::new(mode, specs);
            let total: f64 = s.specs.iter().map(|x| x.weight).sum();
            let mut b = s.build(&PolicySpec::named("weighted_round_robin"));
            let mut given = vec![0u64; n];
            let mut t = 0u64;
            for _ in 0..3000 {
                let i = rng.below(n);
                let cores = s.specs[i].cores;
                s.beliefs[i].free_cores = rng.below(cores as usize + 1) as u32;
                b.on_update(i, &s.view());
                let tk = task(1.0, 1 + rng.below(3) as u32, 0.0);
                let view = s.view();
                let now = t as f64 / total;
                let expected = (0..n)
                    .filter(|&m| view.fits(m, &tk))
                    .map(|m| {
                        let w = s.specs[m].weight;
                        let start = given[m] as f64 / w;
                        if start <= now {
                            (m, (0u8, (given[m] + 1) as f64 / w, -w))
                        } else {
                            (m, (1u8, start, -w))
                        }
                    })
                    .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap())
                    .map(|(m, _)| m);
                let got = b.select(&tk, &view, &mut rng);
                assert_eq!(got, expected, "n {n} mode {mode:?} after {t}");
                if let Some(m) = got {
                    given[m] += 1;
                    t += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Parameters and modes
// ---------------------------------------------------------------------------------

fn build_error(mode: Mode, nodes: usize, spec: &PolicySpec) -> (String, String) {
    let specs = plain(nodes);
    match Registry::default().build_balancer(spec, &BuildContext { mode, nodes: &specs }) {
        Ok(_) => panic!("{spec} on {nodes} nodes in {mode:?} mode should be an error"),
        Err(e) => (e.path, e.message),
    }
}

#[test]
fn power_of_d_checks_d() {
    for d in [0.0, -1.0, 1.5] {
        let (path, message) = build_error(Mode::Dispatch, 3, &spec("power_of_d", &[("d", d)]));
        assert_eq!(path, "d");
        assert!(message.contains("whole number >= 1"), "{message}");
    }
    let (path, message) = build_error(Mode::Dispatch, 3, &spec("power_of_d", &[("d", 4.0)]));
    assert_eq!(path, "d");
    assert!(message.contains("exceeds the node count (3)"), "{message}");
    // The default, d = 2, needs two nodes.
    assert_eq!(build_error(Mode::Dispatch, 1, &PolicySpec::named("power_of_d")).0, "d");
    for d in [1.0, 3.0] {
        State::dispatch(plain(3)).build(&spec("power_of_d", &[("d", d)]));
    }
}

#[test]
fn shortest_response_time_checks_alpha() {
    for alpha in [0.0, -0.5, 1.5] {
        let (path, message) = build_error(Mode::Dispatch, 3, &spec("shortest_response_time", &[("alpha", alpha)]));
        assert_eq!(path, "alpha");
        assert!(message.contains("(0, 1]"), "{message}");
    }
    for alpha in [0.01, 1.0] {
        State::dispatch(plain(3)).build(&spec("shortest_response_time", &[("alpha", alpha)]));
    }
}

#[test]
fn best_fit_is_an_error_in_dispatch_mode() {
    let (path, message) = build_error(Mode::Dispatch, 3, &PolicySpec::named("best_fit"));
    assert_eq!(path, "name");
    assert!(message.contains("only in central mode"), "{message}");
    State::new(Mode::Central, plain(3)).build(&PolicySpec::named("best_fit"));
}

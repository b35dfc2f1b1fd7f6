//! The examples build and run, and say what their docs say.

#[path = "../examples/custom_balancer.rs"]
mod custom_balancer;

/// The custom balancer runs through the library API beside the built-in ones; on a
/// heterogeneous farm it beats random routing by far (random overloads slow nodes).
#[test]
fn a_custom_balancer_runs_beside_the_built_in_ones() {
    let rows = custom_balancer::compare();
    let get = |name: &str| rows.iter().find(|(l, _)| l == name).map(|(_, m)| *m).unwrap();
    let (random, custom) = (get("random"), get("fastest_idle"));
    assert!(custom.is_finite() && custom > 0.0);
    assert!(custom < random / 2.0, "fastest_idle {custom} vs random {random}");
}

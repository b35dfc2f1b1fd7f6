//! The worked example of Topcuoglu, Hariri and Wu 2002 (their figure 2): ten tasks on
//! three processors, its cost table and edge costs, for the tests of `heft` and `cpop`.

use super::Table;

/// The example's DAG and costs; tasks and processors are numbered from 0 here, from 1
/// in the paper.
pub(crate) fn topcuoglu() -> Table {
    let cost = vec![
        vec![14.0, 16.0, 9.0],
        vec![13.0, 19.0, 18.0],
        vec![11.0, 13.0, 19.0],
        vec![13.0, 8.0, 17.0],
        vec![12.0, 13.0, 10.0],
        vec![13.0, 16.0, 9.0],
        vec![7.0, 15.0, 11.0],
        vec![5.0, 11.0, 14.0],
        vec![18.0, 12.0, 20.0],
        vec![21.0, 7.0, 16.0],
    ];
    // (parent, child, cost), tasks numbered from 1 as in the paper.
    let edges = [
        (1, 2, 18.0),
        (1, 3, 12.0),
        (1, 4, 9.0),
        (1, 5, 11.0),
        (1, 6, 14.0),
        (2, 8, 19.0),
        (2, 9, 16.0),
        (3, 7, 23.0),
        (4, 8, 27.0),
        (4, 9, 23.0),
        (5, 9, 13.0),
        (6, 8, 15.0),
        (7, 10, 17.0),
        (8, 10, 11.0),
        (9, 10, 13.0),
    ];
    let mut parents = vec![Vec::new(); 10];
    for (p, c, w) in edges {
        parents[c - 1].push(((p - 1) as u32, w));
    }
    Table::new(parents, cost)
}

/// A plan as the paper's figures write it: (task, processor, start, finish), numbered
/// from 1.
pub(crate) fn as_paper(slots: &[super::Slot]) -> Vec<(usize, usize, f64, f64)> {
    slots.iter().map(|s| (s.task + 1, s.processor + 1, s.start, s.finish)).collect()
}

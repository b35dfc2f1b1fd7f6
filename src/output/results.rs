//! Writing a plan's results: each scenario's tables, job files, charts and report, then
//! the index. `run` calls it with the results it computed, `merge` with those its
//! shards computed: one path, so the two write the same bytes.

use super::folder;
use super::jobs::JobFiles;
use super::report::{render_index, render_scenario_with};
use super::tables::write_tables;
use super::terminal::print_table;
use crate::metrics::RunOutput;
use crate::runner::{interrupted, Plan, RunFailure};
use rayon::prelude::*;
use std::path::Path;

/// What `run` and `merge` print of each scenario's results on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// The summary table and the ranking, for a person (`--format table`).
    #[default]
    Table,
    /// One JSON document once every scenario is written (`--format json`): each
    /// scenario's `summary.csv` and `compare.csv` rows as objects
    /// ([`super::terminal::json`]).
    Json,
    /// Nothing but errors (`--quiet`).
    Nothing,
}

/// What writing the results came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Runs that failed (their errors are printed).
    pub failed: usize,
    /// Some file could not be written (the error is printed).
    pub write_failed: bool,
    /// The user interrupted before every scenario's files were written.
    pub interrupted: bool,
}

/// Writes the results of `plan` into `output`: `outcomes` has one entry per run, in
/// plan order, and `job_files` holds the job records of the successful ones. Prints
/// each failed run, each scenario's results as `show` says, and every error. Each
/// scenario's files are written on one of `threads` threads (0: one per core) into a
/// staging folder that is swapped in whole ([`folder`]).
pub fn write_results(
    plan: &Plan,
    outcomes: &[Result<RunOutput, RunFailure>],
    job_files: &JobFiles<'_>,
    output: &Path,
    threads: usize,
    show: Show,
) -> Written {
    let mut failed = 0usize;
    let mut by_file: Vec<Vec<&RunOutput>> = vec![Vec::new(); plan.scenarios.len()];
    for (job, outcome) in plan.jobs.iter().zip(outcomes) {
        match outcome {
            Ok(output) => by_file[plan.units[job.unit].file].push(output),
            Err(f) => {
                failed += 1;
                eprintln!("error: {}", plan.failure_message(f));
            }
        }
    }

    // Each scenario's files are written on its own thread (charts take a while), and
    // reported in plan order.
    let writers = if threads == 0 { rayon::current_num_threads() } else { threads };
    let writers = writers.min(plan.scenarios.len()).max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(writers).build().expect("thread pool");
    let written: Vec<(Option<_>, Option<String>)> = pool.install(|| {
        plan.scenarios
            .par_iter()
            .zip(&by_file)
            .enumerate()
            .map(|(file, (s, runs))| {
                if runs.is_empty() {
                    return (None, None);
                }
                // Written whole into a staging folder, then swapped in: never a mix of
                // this run's files and an earlier one's.
                let staged = folder::staging(output, &s.name);
                let fail = |message: String| {
                    folder::discard(&staged);
                    (None, Some(message))
                };
                let tables = match write_tables(&staged, s, runs) {
                    Ok(tables) => tables,
                    Err(e) => return fail(format!("error: cannot write results for '{}': {e}", s.name)),
                };
                // Before the report, which draws the Gantt chart from gantt.csv.
                if let Err(e) = job_files.write(file, &staged) {
                    return fail(format!("error: cannot write results for '{}': {e}", s.name));
                }
                // A report that cannot be drawn is an error, but the tables stand.
                // Named by the folder it will be, not the staging one.
                let shown = |e: &dyn std::fmt::Display| {
                    e.to_string().replace(&*staged.to_string_lossy(), &output.join(&s.name).to_string_lossy())
                };
                let error = render_scenario_with(&staged, &plan.registry)
                    .err()
                    .map(|e| format!("error: cannot draw the charts and report of '{}': {}", s.name, shown(&e)));
                if interrupted() {
                    folder::discard(&staged);
                    return (None, Some(format!("interrupted: the results of '{}' were not written", s.name)));
                }
                match folder::commit(&staged, output, &s.name) {
                    Ok(dir) => (Some((tables, dir)), error),
                    Err(e) => (None, Some(format!("error: cannot write results for '{}': {e}", s.name))),
                }
            })
            .collect()
    });
    let mut write_failed = false;
    let mut documents = Vec::new();
    for (s, (tables, error)) in plan.scenarios.iter().zip(written) {
        if let Some(message) = error {
            eprintln!("{message}");
            write_failed = true;
        }
        match (tables, show) {
            (Some((tables, dir)), Show::Table) => print_table(s, &tables.summary, &tables.comparisons, &dir),
            (Some((_, dir)), Show::Json) => match super::terminal::json::scenario(s, &dir) {
                Ok(doc) => documents.push(doc),
                Err(e) => {
                    eprintln!("error: {e}");
                    write_failed = true;
                }
            },
            _ => {}
        }
    }
    if show == Show::Json {
        super::terminal::json::print(documents);
    }
    if interrupted() {
        eprintln!("interrupted: the results listed above were written, the others not");
        return Written { failed, write_failed, interrupted: true };
    }
    if let Err(e) = render_index(output, Some(&plan.scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>())) {
        eprintln!("error: cannot write the index of '{}': {e}", output.display());
        write_failed = true;
    }
    Written { failed, write_failed, interrupted: false }
}

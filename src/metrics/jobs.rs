//! [`JobRecorder`]: the statistics of a run's jobs of many tasks (issue 13), kept
//! beside the task-level [`Recorder`](super::Recorder), which goes on counting each
//! task of a job as a task (its arrival being the time it became ready).
//!
//! Conservation holds at two levels, checked by [`JobRecorder::finish`]:
//! - jobs: `jobs_arrived = jobs_completed + jobs_failed + jobs_in_system`;
//! - tasks of jobs: every task of every arrived job is either released (it then counts
//!   among the run's `tasks_arrived`, and so is completed, failed or in the system) or
//!   not (yet) released: `Σ tasks of arrived jobs = tasks_arrived + tasks_unreleased`,
//!   where `tasks_unreleased` counts the tasks of failed jobs that were never released
//!   (a job fails when one of its tasks exhausts its attempts; its tasks then in flight
//!   may still finish, its tasks not yet ready never run) plus those of jobs still in
//!   the system that are not ready yet (none once the run has drained).

use super::histogram::ResponseHistogram;
use super::RunResult;

/// Collects a run's job statistics as jobs arrive and leave.
#[derive(Debug)]
pub struct JobRecorder {
    arrived: u64,
    completed: u64,
    failed: u64,
    /// Tasks of the jobs that arrived, released or not.
    tasks_total: u64,
    /// Tasks of failed jobs never released.
    unreleased: u64,
    measured_completed: u64,
    measured_tasks: u64,
    response: ResponseHistogram,
    sum_response: f64,
    sum_slowdown: f64,
    max_response: f64,
    data_moved: f64,
}

impl Default for JobRecorder {
    fn default() -> Self {
        JobRecorder {
            arrived: 0,
            completed: 0,
            failed: 0,
            tasks_total: 0,
            unreleased: 0,
            measured_completed: 0,
            measured_tasks: 0,
            response: ResponseHistogram::new(),
            sum_response: 0.0,
            sum_slowdown: 0.0,
            max_response: 0.0,
            data_moved: 0.0,
        }
    }
}

impl JobRecorder {
    /// A job of `tasks` tasks arrived.
    pub fn arrive(&mut self, tasks: u32) {
        self.arrived += 1;
        self.tasks_total += tasks as u64;
    }

    /// A job of `tasks` tasks completed after `response` seconds; `critical` is its
    /// critical path on the fastest node, seconds.
    pub fn complete(&mut self, measured: bool, tasks: u32, response: f64, critical: f64) {
        self.completed += 1;
        if !measured {
            return;
        }
        self.measured_completed += 1;
        self.measured_tasks += tasks as u64;
        self.sum_response += response;
        self.sum_slowdown += if critical > 0.0 { response / critical } else { 1.0 };
        self.max_response = self.max_response.max(response);
        self.response.record(response);
    }

    /// A job failed, leaving `unreleased` of its tasks never released.
    pub fn fail(&mut self, unreleased: u32) {
        self.failed += 1;
        self.unreleased += unreleased as u64;
    }

    /// `bytes` moved from one node to another.
    #[inline]
    pub fn moved(&mut self, bytes: f64) {
        self.data_moved += bytes;
    }

    /// Fills the job columns of `result` at the end of a run, after both conservation
    /// checks: `in_system` jobs are still there (not failed), holding `waiting` tasks
    /// not yet released; `result.tasks_arrived` counts the released tasks.
    ///
    /// # Errors
    /// A message if either conservation law is broken: a bug in the model.
    pub fn finish(&self, in_system: u64, waiting: u64, result: &mut RunResult) -> Result<(), String> {
        let tasks_arrived = result.tasks_arrived;
        if self.arrived != self.completed + self.failed + in_system {
            return Err(format!(
                "job conservation violated: {} jobs arrived != {} completed + {} failed + {} in system",
                self.arrived, self.completed, self.failed, in_system
            ));
        }
        if self.tasks_total != tasks_arrived + self.unreleased + waiting {
            return Err(format!(
                "task conservation over jobs violated: {} tasks of arrived jobs != {} released + {} never released \
                 (failed jobs) + {} not yet ready",
                self.tasks_total, tasks_arrived, self.unreleased, waiting
            ));
        }
        let n = self.measured_completed;
        let per = |sum: f64| if n > 0 { sum / n as f64 } else { f64::NAN };
        let quantile = |q: f64| if n > 0 { self.response.quantile(q) } else { f64::NAN };
        *result = RunResult {
            jobs_arrived: self.arrived,
            jobs_completed: self.completed,
            jobs_failed: self.failed,
            jobs_in_system: in_system,
            tasks_unreleased: self.unreleased + waiting,
            tasks_per_job: per(self.measured_tasks as f64),
            job_mean_response: per(self.sum_response),
            job_p50_response: quantile(0.5),
            job_p95_response: quantile(0.95),
            job_p99_response: quantile(0.99),
            job_max_response: if n > 0 { self.max_response } else { f64::NAN },
            job_mean_slowdown: per(self.sum_slowdown),
            data_moved: self.data_moved,
            ..std::mem::take(result)
        };
        Ok(())
    }

    /// Job response time at each quantile of `grid` (NaN without a measured job).
    pub fn quantiles(&self, grid: &[f64]) -> Vec<f64> {
        grid.iter().map(|&q| if self.measured_completed > 0 { self.response.quantile(q) } else { f64::NAN }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_conservation_laws_are_checked() {
        let mut r = JobRecorder::default();
        r.arrive(3);
        r.arrive(2);
        r.complete(true, 3, 4.0, 2.0);
        r.fail(1); // the second job released one task of two, which failed
        let mut res = RunResult { tasks_arrived: 4, ..RunResult::default() };
        r.finish(0, 0, &mut res).unwrap();
        assert_eq!((res.jobs_completed, res.jobs_failed, res.tasks_unreleased), (1, 1, 1));
        assert_eq!((res.job_mean_response, res.job_mean_slowdown, res.tasks_per_job), (4.0, 2.0, 3.0));
        assert!(r.finish(1, 0, &mut res).unwrap_err().contains("job conservation"));
        res.tasks_arrived = 5;
        assert!(r.finish(0, 0, &mut res).unwrap_err().contains("task conservation"));
    }
}

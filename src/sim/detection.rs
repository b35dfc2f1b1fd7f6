//! Failure detection and recovery of lost work: heartbeats, each dispatcher's
//! detector, declaring a node dead, and resubmitting (or failing) what it held, after a
//! backoff; task timeouts. Only a run with faults has any of it.

use super::features::Features;
use super::network::{Message, Report};
use super::run::{Event, Run};
use crate::engine::{EventId, SimTime};
use crate::model::NodeId;

impl<F: Features> Run<F> {
    /// A node sends a heartbeat, with its state report, to every dispatcher, and plans
    /// the next one.
    pub(super) fn on_beat(&mut self, node: NodeId, id: EventId, now: SimTime) {
        let h = &mut self.world.health[node];
        if !h.up || h.beat_event != id {
            return;
        }
        let Some(hb) = self.faults.config.heartbeat else { return };
        h.beats += 1;
        let (beat, epoch) = (h.beats, h.epoch);
        h.beat_event = self.queue.schedule_at(now + hb.interval, Event::Beat { node: node as u32 });
        debug_assert!(self.world.tracks_running, "a run with faults keeps the running lists");
        let queue = self.world.nodes[node].load();
        for d in 0..self.placement.dispatchers.len() {
            let report = Report { queue, received: self.world.received(node, d) };
            let delay = self.delay(node, node as u64, beat, 2 + d as u64, 0.0);
            self.transmit(Message::Heartbeat { node, dispatcher: d as u16, epoch, report }, delay, now);
        }
    }

    /// A heartbeat reaches dispatcher `d`: the node is alive (taken back if it was
    /// declared dead), and its report updates the belief. A heartbeat of a new
    /// incarnation from a node never declared dead says that it restarted unseen.
    pub(super) fn on_heartbeat(&mut self, d: usize, node: NodeId, epoch: u32, report: Report, now: SimTime) {
        if epoch != self.world.health[node].epoch {
            return; // sent before a crash: says nothing of the node now
        }
        let Some(hb) = self.faults.config.heartbeat else { return };
        let disp = &mut self.placement.dispatchers[d];
        disp.last_seen[node] = now;
        let back = !disp.belief(node).up;
        let restarted = std::mem::replace(&mut disp.epoch_seen[node], epoch) != epoch;
        if restarted && !back {
            self.on_restart(d, node, now);
        }
        let disp = &mut self.placement.dispatchers[d];
        let spec = &self.world.specs[node];
        // A node taken back, or restarted, starts empty. After a restart, what was
        // sent there since (still in flight, kept outstanding) is not counted until
        // the next report: a dispatcher cannot tell it from what was lost.
        let fresh = back || restarted;
        disp.update(node, now, self.world.mode, &self.world.specs, |b, schedule| {
            if fresh {
                b.on_trusted(spec);
                if let Some(s) = schedule {
                    s.reset(now);
                }
            }
            b.on_report(report.queue, report.received);
        });
        if !disp.check_pending[node] {
            disp.check_pending[node] = true;
            self.queue.schedule_at(now + hb.timeout, Event::Check { node: node as u32, dispatcher: d as u16 });
        }
        if back {
            self.log(now, node, "trusted");
        }
        if fresh {
            self.schedule_pass(d, now);
        }
    }

    /// Dispatcher `d`'s detector looks at `node`: dead if no heartbeat for `timeout`.
    pub(super) fn on_check(&mut self, d: usize, node: NodeId, now: SimTime) {
        let Some(hb) = self.faults.config.heartbeat else { return };
        let disp = &mut self.placement.dispatchers[d];
        disp.check_pending[node] = false;
        if !disp.belief(node).up {
            return;
        }
        let due = disp.last_seen[node] + hb.timeout;
        if now < due {
            disp.check_pending[node] = true;
            self.queue.schedule_at(due, Event::Check { node: node as u32, dispatcher: d as u16 });
            return;
        }
        self.declare_dead(d, node, now)
    }

    /// Node `node` crashed and came back within the detector's timeout, so dispatcher
    /// `d` never declared it dead; its first heartbeat since (a new incarnation, as a
    /// restarted node registers anew) tells `d`, which resubmits (or fails) every
    /// attempt it had sent there that the crash lost, as a detection would. Attempts
    /// sent there since the restart are kept. Without this, work lost in a short crash
    /// would wait for ever. (Of a copied task, an attempt lost is resubmitted only with
    /// the other: `speculation.rs`.)
    fn on_restart(&mut self, d: usize, node: NodeId, now: SimTime) {
        self.faults.detections.0 += 1;
        self.faults.detections.1 += now - self.world.health[node].crashed_at;
        self.log(now, node, "restarted");
        let jobs = &self.tasks.jobs.slots;
        let resubmissions = &self.tasks.resubmissions;
        let speculation = &self.speculation;
        let mut lost = Vec::new();
        self.placement.dispatchers[d].outstanding[node].retain(|&(job, seq, number)| {
            let j = &jobs[job as usize];
            let resubmission = &resubmissions[job as usize];
            let lost_here = resubmission.lost == number || (F::SPECULATION && speculation.was_lost(job, seq, number));
            let gone = !j.is(seq) || lost_here;
            let latest = F::SPECULATION || j.attempts == number;
            if j.is(seq) && lost_here && latest && resubmission.event == EventId::NONE {
                lost.push((job, seq, number));
            }
            !gone
        });
        for (job, seq, number) in lost {
            if !F::SPECULATION
                || self.speculation.give_up(job, seq, number, self.tasks.jobs.slots[job as usize].attempts)
            {
                self.retry_or_fail(job, now);
            }
        }
    }

    /// Dispatcher `d` declares `node` dead: no more tasks go there, and every attempt
    /// it sent there and has not seen come back is resubmitted or, at its last
    /// attempt, failed.
    fn declare_dead(&mut self, d: usize, node: NodeId, now: SimTime) {
        if self.world.health[node].up {
            self.faults.false_suspicions += 1;
        } else {
            self.faults.detections.0 += 1;
            self.faults.detections.1 += now - self.world.health[node].crashed_at;
        }
        self.log(now, node, "suspected");
        let disp = &mut self.placement.dispatchers[d];
        disp.update(node, now, self.world.mode, &self.world.specs, |b, _| b.on_suspected());
        let lost = std::mem::take(&mut disp.outstanding[node]);
        for (job, seq, number) in lost {
            let j = &self.tasks.jobs.slots[job as usize];
            if !j.is(seq) || self.tasks.awaits_retry::<F>(job) {
                continue;
            }
            // Only the job's latest attempt is resubmitted; an older one already was.
            // A copied task's, once both its attempts are given up.
            let last = if F::SPECULATION {
                self.speculation.give_up(job, seq, number, j.attempts)
            } else {
                j.attempts == number
            };
            if last {
                self.retry_or_fail(job, now);
            }
        }
    }

    /// Resubmits a job after its backoff, or fails it if it has had all its attempts
    /// (a speculative copy is not one).
    fn retry_or_fail(&mut self, job: u32, now: SimTime) {
        let retry = &self.faults.config.retry;
        let j = &self.tasks.jobs.slots[job as usize];
        let mut attempts = j.attempts;
        if F::SPECULATION {
            attempts -= self.speculation.copies_of(job, j.task().seq);
        }
        if attempts >= retry.max_attempts {
            return self.fail(job, now);
        }
        self.faults.retries += 1;
        let mut wait = retry.backoff * retry.factor.powi(attempts as i32 - 1);
        if retry.jitter > 0.0 {
            wait *= 1.0 + retry.jitter * (2.0 * self.faults.retry_rng.open01() - 1.0);
        }
        let id = self.queue.schedule_at(now + wait, Event::Retry { job });
        self.tasks.resubmissions[job as usize].event = id;
    }

    /// A job's backoff ended: submit it again, unless another attempt completed it.
    pub(super) fn on_retry(&mut self, job: u32, id: EventId, now: SimTime) {
        let r = &mut self.tasks.resubmissions[job as usize];
        if r.event != id {
            return; // completed meanwhile by another attempt
        }
        r.event = EventId::NONE;
        self.faults.requeued.insert(job);
        self.submit(job, now);
    }

    /// An attempt's result is overdue: resubmit its job (the attempt may still finish,
    /// and then whichever result arrives first wins).
    pub(super) fn on_timeout(&mut self, attempt: u32, id: EventId, now: SimTime) {
        let a = self.tasks.attempt::<F>(attempt);
        if a.timeout_event != id {
            return;
        }
        let j = &self.tasks.jobs.slots[a.job as usize];
        if j.is(a.task.seq) && j.attempts == a.number && !self.tasks.awaits_retry::<F>(a.job) {
            self.retry_or_fail(a.job, now);
        }
    }
}

//! What the threads of one process share for signals (Linux's
//! `signal_struct`): the process-wide pending set, which holds signals
//! sent to the process rather than to one thread (kill(2), SIGCHLD,
//! alarms), the list of member threads a process-directed signal may be
//! delivered to, and job control: the group stop a stop signal
//! (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) starts, its end by SIGCONT, and
//! the stopped/continued report a parent collects with
//! wait(WUNTRACED/WCONTINUED).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

use super::sigframe::Pending;
use super::task::TaskShared;

/// A stop or continue the parent has not collected yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobReport {
    /// Stopped by this signal.
    Stopped(i32),
    /// Continued by SIGCONT.
    Continued,
}

#[derive(Debug, Default)]
struct JobState {
    /// The signal that stopped the group, while it is stopped.
    stopped: Option<i32>,
    /// What wait(WUNTRACED/WCONTINUED) reports next.
    report: Option<JobReport>,
    /// Threads parked in the current stop.
    parked: usize,
    /// The current stop was reported (all threads parked).
    stop_reported: bool,
    /// A SIGCONT woke the group and its parent was not told yet (the first
    /// thread to run again sends the CLD_CONTINUED SIGCHLD).
    continued_unsent: bool,
}

/// The signal state a process's threads share.
#[derive(Default)]
pub struct ThreadGroup {
    /// Signals sent to the process as a whole.
    pub pending: Mutex<Pending>,
    members: Mutex<Vec<Weak<TaskShared>>>,
    /// Serializes the ends of the group's threads, so exactly one of them
    /// finds it is the last and ends the process.
    pub exit_lock: Mutex<()>,
    /// The leader ended with exit(2) while other threads went on: its
    /// status, reported when the last thread ends.
    pub leader_exit: Mutex<Option<super::task::ExitStatus>>,
    job: Mutex<JobState>,
    job_cond: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ThreadGroup {
    /// Makes `t` a member (a thread that may take the group's signals).
    pub fn join(&self, t: &Arc<TaskShared>) {
        let mut m = lock(&self.members);
        m.retain(|w| w.strong_count() > 0);
        m.push(Arc::downgrade(t));
    }

    /// `tid` ended: it takes no more of the group's signals.
    pub fn leave(&self, tid: i32) {
        lock(&self.members).retain(|w| w.upgrade().is_some_and(|t| t.tid != tid));
    }

    /// The member threads that have not exited, the earliest first (so the
    /// leader, while alive, comes first).
    pub fn members(&self) -> Vec<Arc<TaskShared>> {
        lock(&self.members)
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|t| !t.is_zombie() && !t.has_ended())
            .collect()
    }

    /// Whether the group is in a job-control stop.
    pub fn stopped(&self) -> bool {
        lock(&self.job).stopped.is_some()
    }

    /// Starts a group stop by `sig`; false when the group already stopped
    /// (a second stop signal changes nothing).
    pub fn stop(&self, sig: i32) -> bool {
        let mut j = lock(&self.job);
        if j.stopped.is_some() {
            return false;
        }
        j.stopped = Some(sig);
        j.stop_reported = false;
        j.continued_unsent = false;
        true
    }

    /// A thread parks in the stop. When that makes all `threads` of the
    /// group parked, the stop is complete: it becomes wait's report and
    /// the signal is returned for the parent's SIGCHLD.
    pub fn park(&self, threads: usize) -> Option<i32> {
        let mut j = lock(&self.job);
        j.parked += 1;
        let sig = j.stopped?;
        if j.stop_reported || j.parked < threads {
            return None;
        }
        j.stop_reported = true;
        j.report = Some(JobReport::Stopped(sig));
        Some(sig)
    }

    /// A thread leaves the stop (continued, or killed).
    pub fn unpark(&self) {
        let mut j = lock(&self.job);
        j.parked = j.parked.saturating_sub(1);
    }

    /// Ends a group stop (SIGCONT at send time): the stopped threads run
    /// again. Returns whether the group was stopped.
    pub fn cont(&self) -> bool {
        let mut j = lock(&self.job);
        if j.stopped.take().is_none() {
            return false;
        }
        // A stop not complete yet was never reported: nothing to undo.
        if j.stop_reported {
            j.report = Some(JobReport::Continued);
            j.continued_unsent = true;
        }
        drop(j);
        self.job_cond.notify_all();
        true
    }

    /// Takes the "continued" notice for the parent, once.
    pub fn take_continued_notice(&self) -> bool {
        std::mem::take(&mut lock(&self.job).continued_unsent)
    }

    /// Wakes threads parked in a stop so they see a kill or an exit.
    pub fn wake(&self) {
        self.job_cond.notify_all();
    }

    /// Parks the calling thread while the group is stopped, until SIGCONT,
    /// or until `give_up` says the thread must go (SIGKILL, group exit).
    pub fn wait_while_stopped(&self, give_up: impl Fn() -> bool) {
        let mut j = lock(&self.job);
        while j.stopped.is_some() && !give_up() {
            j = self
                .job_cond
                .wait_timeout(j, super::current::INTERRUPT_CHECK)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The stop or continue report wait wants (`stopped`: WUNTRACED,
    /// `continued`: WCONTINUED); taken unless `keep` (WNOWAIT).
    pub fn take_report(&self, stopped: bool, continued: bool, keep: bool) -> Option<JobReport> {
        let mut j = lock(&self.job);
        let r = j.report?;
        let wanted = match r {
            JobReport::Stopped(_) => stopped,
            JobReport::Continued => continued,
        };
        if !wanted {
            return None;
        }
        if !keep {
            j.report = None;
        }
        Some(r)
    }
}

//! execve in a multi-threaded process (Linux's `de_thread`): past the
//! point of no return every other thread of the process ends, and exec
//! goes on only once they are gone, so the new program starts alone (its
//! `/proc/self/task` has one entry). When the caller is not the leader it
//! takes the leader's place: the leader's pid, parent, children and slot
//! in the task table (`getpid() == gettid()` afterwards). The leader's
//! sentry thread then leaves without reporting an exit
//! ([`TaskShared::superseded`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::current;
use super::signal::SIGKILL;
use super::task::{Task, TaskShared};

/// How often exec looks whether the other threads are gone.
const POLL: Duration = Duration::from_micros(200);

impl TaskShared {
    /// Whether a thread's exec took this leader's place (its sentry thread
    /// must leave quietly).
    pub fn is_superseded(&self) -> bool {
        self.superseded.load(Ordering::Acquire)
    }

    /// Called by a superseded leader's sentry thread once it no longer
    /// touches the task: exec may go on.
    pub fn retire(&self) {
        let (m, c) = &self.retired;
        *m.lock().unwrap_or_else(|p| p.into_inner()) = true;
        c.notify_all();
    }

    fn wait_retired(&self) {
        let (m, c) = &self.retired;
        let mut done = m.lock().unwrap_or_else(|p| p.into_inner());
        while !*done {
            done = c.wait(done).unwrap_or_else(|p| p.into_inner());
        }
        *done = false;
    }
}

impl Task {
    /// Ends every other thread of the process for exec and waits until
    /// they are gone; a non-leader caller then becomes the leader.
    pub fn end_other_threads_for_exec(&mut self) {
        let others = self.other_threads();
        if others.is_empty() {
            return;
        }
        let leader = (self.tid() != self.tgid())
            .then(|| others.iter().find(|o| o.tid == o.tgid).cloned())
            .flatten();
        if let Some(l) = &leader {
            l.superseded.store(true, Ordering::Release);
        }
        for o in &others {
            o.killed_by.store(SIGKILL, Ordering::Relaxed);
            o.kick();
        }
        // Stops every stub thread of the old image at once; sentry threads
        // blocked in calls see `killed_by` through current::interrupted().
        self.mm.kill();
        self.shared.group.wake();
        super::waiter::notify();
        for o in others.iter().filter(|o| o.tid != o.tgid) {
            while self.kernel.task(o.tid).is_some() {
                std::thread::sleep(POLL);
            }
        }
        if let Some(l) = leader {
            l.wait_retired();
            self.take_place_of(l);
        }
    }

    /// Moves this thread into `leader`'s task: its own mask, pending
    /// signals and CPU time go along; its own tid is freed.
    fn take_place_of(&mut self, leader: Arc<TaskShared>) {
        let me = self.shared.clone();
        *leader.signals() = me.signals().clone();
        let mine = std::mem::take(&mut *me.pending.lock().unwrap_or_else(|p| p.into_inner()));
        *leader.pending.lock().unwrap_or_else(|p| p.into_inner()) = mine;
        leader.killed_by.store(0, Ordering::Relaxed);
        // Its robust list goes along (exec releases it under the leader's
        // tid, as Linux does after the tids are exchanged), and the
        // leader's tid is a live thread again.
        leader
            .robust_list
            .store(me.robust_list.swap(0, Ordering::Relaxed), Ordering::Relaxed);
        leader.futex_dead.store(false, Ordering::Release);
        // PI futexes it owns with waiters are recorded under its own tid,
        // which goes away: exec hands them over now (Linux keeps them by
        // task, not tid, and hands them over at exec too).
        super::futex::release_thread(&self.mm, me.tid, 0, || {
            me.futex_dead.store(true, Ordering::Release);
        });
        leader.superseded.store(false, Ordering::Release);
        me.group_cpu.thread_ended(&me.cpu);
        self.kernel.remove_task(me.tid);
        self.shared = leader;
        current::set(Some(self.shared.clone()));
        self.forget_kick_handle();
    }
}

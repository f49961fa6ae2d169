//! CPU-time accounting: what the CPU clocks of `clock_gettime(2)`,
//! `times(2)`, `getrusage(2)`, wait4's rusage and the CPU itimers count.
//!
//! A task's *user* time is the host CPU time of its platform thread (the
//! stub thread under ptrace) while it runs application code, host page
//! faults included. Its *system* time is the host CPU time of the sentry
//! thread serving it: syscalls, faults and the platform's own work.
//!
//! The host counts CPU time per thread, but lets another process read only
//! a *process's* clock (posix-cpu-timers.c, `pid_for_clock`), so the
//! platform reports the CPU time of a whole address space. [`SpaceClock`]
//! shares it out among the threads running application code in it: every
//! interval between two readings is split evenly among the threads that
//! were running (CFS shares a CPU evenly among runnable threads, so this is
//! exact for one thread and close for several). The clock is read (one
//! host `clock_gettime`, about 0.3 us) each time application code stops,
//! when another thread of the same address space starts running while one
//! runs, and when someone asks for the time of a thread that is running.
//!
//! A thread group's times are those of its live threads plus those of the
//! threads that ended ([`GroupCpu`]); children's times are added when they
//! are reaped by wait, as on Linux.
//!
//! Not kept: the other rusage counters (faults, context switches, maxrss).
//!
//! Lock order: `GroupCpu::state` > `ThreadCpu::state` > `SpaceClock::state`.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::sys;

/// The calling host thread's own CPU clock.
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

thread_local! {
    /// The host tid of this sentry thread, once it serves a task (spares a
    /// gettid per read of the own thread's system time).
    static SERVING_TID: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// CPU times, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub sys: u64,
}

impl CpuTimes {
    /// User plus system time.
    pub fn total(self) -> u64 {
        self.user.saturating_add(self.sys)
    }
}

impl std::ops::Add for CpuTimes {
    type Output = CpuTimes;
    fn add(self, o: CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user.saturating_add(o.user),
            sys: self.sys.saturating_add(o.sys),
        }
    }
}

impl std::ops::AddAssign for CpuTimes {
    fn add_assign(&mut self, o: CpuTimes) {
        *self = *self + o;
    }
}

/// The CPU time of one address space, shared out among its threads.
pub struct SpaceClock {
    /// The host clock reading the address space's CPU time. Immutable.
    clockid: Option<i32>,
    /// Protected by itself.
    state: Mutex<SpaceState>,
}

#[derive(Default)]
struct SpaceState {
    /// The address space's CPU time at the last reading.
    last: u64,
    /// Sum over every interval between readings of its CPU time divided
    /// by the threads running then: a thread's share of the time between
    /// two moments is the difference of `acc` at those moments.
    acc: u64,
    /// Threads running application code now.
    running: u32,
}

impl SpaceState {
    /// Takes the reading `now` into account.
    fn advance(&mut self, now: u64) {
        // The platform's readings are microsecond-rounded, host clock reads
        // are not: never let time run backwards.
        let now = now.max(self.last);
        if self.running > 0 {
            self.acc += (now - self.last) / u64::from(self.running);
        }
        self.last = now;
    }
}

impl SpaceClock {
    /// The clock of an address space whose host CPU time `clockid` reads.
    pub fn new(clockid: Option<i32>) -> Arc<SpaceClock> {
        // Time used before now (setting the address space up) is nobody's.
        let last = clockid.and_then(sys::cpu_clock_ns).unwrap_or(0);
        Arc::new(SpaceClock {
            clockid,
            state: Mutex::new(SpaceState {
                last,
                ..SpaceState::default()
            }),
        })
    }

    fn read_host(&self) -> Option<u64> {
        self.clockid.and_then(sys::cpu_clock_ns)
    }
}

/// One task's CPU time.
#[derive(Default)]
pub struct ThreadCpu {
    /// Protected by itself.
    state: Mutex<ThreadState>,
    /// The host id of the sentry thread serving the task (0: not started).
    host_tid: AtomicI32,
    /// That thread's CPU time when it started serving the task.
    sys_base: AtomicU64,
}

#[derive(Default)]
struct ThreadState {
    /// User time of the finished runs of application code.
    user: u64,
    /// While application code runs: its address space and the space's
    /// `acc` when the run began.
    running: Option<(Arc<SpaceClock>, u64)>,
    /// The final times, once the task ended.
    ended: Option<CpuTimes>,
}

impl ThreadCpu {
    /// Called on the sentry thread serving the task, before anything else.
    pub fn start_serving(&self) {
        let tid = sys::gettid();
        SERVING_TID.set(tid);
        let base = sys::cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID).unwrap_or(0);
        self.sys_base.store(base, Ordering::Relaxed);
        self.host_tid.store(tid, Ordering::Relaxed);
    }

    /// Application code of address space `space` starts running.
    pub fn enter_user(&self, space: &Arc<SpaceClock>) {
        let mut t = lock(&self.state);
        let mut s = lock(&space.state);
        if s.running > 0 {
            // The others' share so far must not be split with us.
            if let Some(now) = space.read_host() {
                s.advance(now);
            }
        }
        // With nobody running, the time since the last reading (the
        // platform changing mappings) goes to this run: it is reading-free.
        s.running += 1;
        t.running = Some((space.clone(), s.acc));
    }

    /// Application code stopped.
    pub fn leave_user(&self) {
        let mut t = lock(&self.state);
        let Some((space, start)) = t.running.take() else {
            return;
        };
        let mut s = lock(&space.state);
        if let Some(now) = space.read_host() {
            s.advance(now);
        }
        s.running = s.running.saturating_sub(1);
        t.user = t.user.saturating_add(s.acc.saturating_sub(start));
    }

    fn user(t: &ThreadState) -> u64 {
        match &t.running {
            None => t.user,
            Some((space, start)) => {
                let mut s = lock(&space.state);
                if let Some(now) = space.read_host() {
                    s.advance(now);
                }
                t.user.saturating_add(s.acc.saturating_sub(*start))
            }
        }
    }

    fn sys(&self) -> u64 {
        let tid = self.host_tid.load(Ordering::Relaxed);
        if tid == 0 {
            return 0;
        }
        let id = if tid == SERVING_TID.get() {
            CLOCK_THREAD_CPUTIME_ID
        } else {
            sys::thread_cpu_clock(tid)
        };
        sys::cpu_clock_ns(id)
            .unwrap_or(0)
            .saturating_sub(self.sys_base.load(Ordering::Relaxed))
    }

    /// The task's times so far.
    pub fn times(&self) -> CpuTimes {
        let t = lock(&self.state);
        if let Some(end) = t.ended {
            return end;
        }
        CpuTimes {
            user: Self::user(&t),
            sys: self.sys(),
        }
    }

    /// The task ended (called on its serving thread): its times freeze.
    fn end(&self) -> CpuTimes {
        let mut t = lock(&self.state);
        if let Some(end) = t.ended {
            return end;
        }
        let end = CpuTimes {
            user: Self::user(&t),
            sys: self.sys(),
        };
        t.running = None;
        t.ended = Some(end);
        end
    }
}

/// A thread group's CPU time.
#[derive(Default)]
pub struct GroupCpu {
    /// Protected by itself.
    state: Mutex<GroupState>,
    /// ITIMER_VIRTUAL and ITIMER_PROF.
    pub(super) itimers: super::cpu_itimers::CpuItimers,
}

#[derive(Default)]
struct GroupState {
    /// The live threads.
    threads: Vec<Arc<ThreadCpu>>,
    /// Times of the threads that ended.
    ended: CpuTimes,
    /// Times of the reaped children (and theirs).
    children: CpuTimes,
}

impl GroupCpu {
    /// The group of a new process whose first thread is `first`.
    pub fn new(first: Arc<ThreadCpu>) -> Arc<GroupCpu> {
        let g = GroupCpu::default();
        lock(&g.state).threads.push(first);
        Arc::new(g)
    }

    /// A new thread joins the group.
    pub fn join(&self, t: Arc<ThreadCpu>) {
        lock(&self.state).threads.push(t);
    }

    /// Thread `t` ended (called on its serving thread): its times move to
    /// the group's.
    pub fn thread_ended(&self, t: &ThreadCpu) {
        let mut g = lock(&self.state);
        let end = t.end();
        g.ended += end;
        g.threads.retain(|x| !std::ptr::eq(&**x, t));
    }

    /// The live threads.
    pub fn threads(&self) -> usize {
        lock(&self.state).threads.len()
    }

    /// The group's own times (RUSAGE_SELF).
    pub fn times(&self) -> CpuTimes {
        let g = lock(&self.state);
        g.threads.iter().fold(g.ended, |acc, t| acc + t.times())
    }

    /// The reaped children's times (RUSAGE_CHILDREN).
    pub fn children(&self) -> CpuTimes {
        lock(&self.state).children
    }

    /// A child group was reaped: its times and its children's become
    /// this group's children's. Returns what was added (wait4's rusage).
    pub fn reaped(&self, child: &GroupCpu) -> CpuTimes {
        let add = child.times() + child.children();
        lock(&self.state).children += add;
        add
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(readings: u64) -> Arc<SpaceClock> {
        let s = SpaceClock::new(None);
        lock(&s.state).last = readings;
        s
    }

    #[test]
    fn one_thread_gets_all_of_its_space_time() {
        let s = space(100);
        let t = ThreadCpu::default();
        t.enter_user(&s);
        lock(&s.state).advance(350);
        t.leave_user();
        t.enter_user(&s);
        lock(&s.state).advance(400);
        t.leave_user();
        assert_eq!(lock(&t.state).user, 300);
    }

    #[test]
    fn concurrent_threads_share_the_time_they_overlap() {
        let s = space(0);
        let (a, b) = (ThreadCpu::default(), ThreadCpu::default());
        a.enter_user(&s);
        lock(&s.state).advance(100); // a alone: 100
        b.enter_user(&s);
        lock(&s.state).advance(300);
        a.leave_user(); // both: 200, 100 each
        lock(&s.state).advance(350);
        b.leave_user(); // b alone: 50
        assert_eq!(lock(&a.state).user, 200);
        assert_eq!(lock(&b.state).user, 150);
    }

    #[test]
    fn time_never_runs_backwards() {
        let s = space(1000);
        let t = ThreadCpu::default();
        t.enter_user(&s);
        lock(&s.state).advance(900);
        t.leave_user();
        assert_eq!(lock(&t.state).user, 0);
    }

    #[test]
    fn ended_threads_stay_in_the_group_and_children_add_up() {
        let a = Arc::new(ThreadCpu::default());
        lock(&a.state).user = 10;
        let g = GroupCpu::new(a.clone());
        g.thread_ended(&a);
        assert_eq!(g.threads(), 0);
        assert_eq!(g.times().user, 10);
        let parent = GroupCpu::new(Arc::new(ThreadCpu::default()));
        assert_eq!(parent.reaped(&g).user, 10);
        assert_eq!(parent.children().user, 10);
    }
}

//! The CPU-time interval timers of `setitimer(2)`: ITIMER_VIRTUAL (the
//! thread group's user time, SIGVTALRM) and ITIMER_PROF (user plus system
//! time, SIGPROF). They live as long as the thread group, across exec; a
//! forked child starts without them.
//!
//! CPU time advances without the sentry seeing it, so one sentry thread
//! ("cpu-itimers") polls the groups that have a timer armed. It sleeps for
//! the least CPU time left on any timer divided by the group's threads
//! (no thread uses more than one CPU), but at least 1 ms and at most
//! 50 ms: a timer fires within about a millisecond of CPU time after it
//! expires, like Linux's tick. The signal then reaches the program, like
//! every signal, at its next entry into the sentry (a syscall or fault).
//!
//! The poller also runs the POSIX timers on CPU clocks (`cpu_timers`).
//!
//! Lock order: `Poller::state` and `CpuItimers::state` are never held
//! together, nor across `GroupCpu::times`.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use super::cputime::{CpuTimes, GroupCpu};
use super::sigframe::SigInfo;
use super::task::TaskShared;
use super::timers::SI_KERNEL;

const SIGVTALRM: i32 = 26;
const SIGPROF: i32 = 27;

/// The shortest and longest poll of an armed group.
const MIN_POLL: Duration = Duration::from_millis(1);
const MAX_POLL: Duration = Duration::from_millis(50);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Which CPU itimer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// ITIMER_VIRTUAL: user time.
    Virtual = 0,
    /// ITIMER_PROF: user and system time.
    Prof = 1,
}

impl Which {
    fn clock(self, t: CpuTimes) -> u64 {
        match self {
            Which::Virtual => t.user,
            Which::Prof => t.total(),
        }
    }
    fn signo(self) -> i32 {
        match self {
            Which::Virtual => SIGVTALRM,
            Which::Prof => SIGPROF,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Itimer {
    /// The CPU time (ns) it expires at; 0: disarmed.
    expires: u64,
    interval: u64,
}

/// A thread group's ITIMER_VIRTUAL and ITIMER_PROF.
#[derive(Default)]
pub struct CpuItimers {
    /// Protected by itself.
    state: Mutex<ItimerState>,
}

#[derive(Default)]
struct ItimerState {
    timers: [Itimer; 2],
    /// Who gets the signals: the thread that armed a timer last.
    target: Weak<TaskShared>,
}

fn ns(d: Duration) -> u64 {
    d.as_nanos().min(u128::from(u64::MAX / 2)) as u64
}

fn left(t: Itimer, now: u64) -> (Duration, Duration) {
    let value = match t.expires {
        0 => Duration::ZERO,
        // Due and not yet signalled: about to fire (Linux reports a tick).
        e if e <= now => Duration::from_nanos(1),
        e => Duration::from_nanos(e - now),
    };
    (value, Duration::from_nanos(t.interval))
}

/// setitimer(2) for `which` of `group`: arms it to fire after `value` of
/// CPU time, then every `interval` (a zero value disarms); returns the
/// previous (value, interval).
pub fn set(
    group: &Arc<GroupCpu>,
    which: Which,
    caller: &Arc<TaskShared>,
    value: Duration,
    interval: Duration,
) -> (Duration, Duration) {
    let now = which.clock(group.times());
    let old = {
        let mut st = lock(&group.itimers.state);
        let slot = &mut st.timers[which as usize];
        let old = left(*slot, now);
        *slot = if value.is_zero() {
            Itimer::default()
        } else {
            Itimer {
                expires: now.saturating_add(ns(value)).max(1),
                interval: ns(interval),
            }
        };
        st.target = Arc::downgrade(caller);
        old
    };
    if !value.is_zero() {
        poller().watch(group);
    }
    old
}

/// getitimer(2) for `which` of `group`: (value left, interval).
pub fn get(group: &GroupCpu, which: Which) -> (Duration, Duration) {
    let now = which.clock(group.times());
    left(lock(&group.itimers.state).timers[which as usize], now)
}

impl CpuItimers {
    fn armed(&self) -> bool {
        lock(&self.state).timers.iter().any(|t| t.expires != 0)
    }

    /// Fires what expired by `now`; returns the signal target and signals,
    /// and the least CPU time left on a timer still armed.
    fn expire(&self, now: CpuTimes) -> (Weak<TaskShared>, Vec<i32>, Option<u64>) {
        let mut st = lock(&self.state);
        let mut fired = Vec::new();
        let mut next: Option<u64> = None;
        for which in [Which::Virtual, Which::Prof] {
            let t = &mut st.timers[which as usize];
            if t.expires == 0 {
                continue;
            }
            let clock = which.clock(now);
            if t.expires <= clock {
                fired.push(which.signo());
                // Like Linux, one signal per check; a late timer catches up
                // on the next ones.
                t.expires = match t.interval {
                    0 => 0,
                    i => t.expires.saturating_add(i),
                };
            }
            if t.expires != 0 {
                let rest = t.expires.saturating_sub(clock);
                next = Some(next.map_or(rest, |n| n.min(rest)));
            }
        }
        (st.target.clone(), fired, next)
    }
}

struct Poller {
    /// Groups that may have a timer armed, and a count of `watch` calls
    /// (so a wake-up between a scan and the sleep is not lost).
    state: Mutex<(Vec<Weak<GroupCpu>>, u64)>,
    changed: Condvar,
}

static POLLER: OnceLock<Arc<Poller>> = OnceLock::new();

fn poller() -> &'static Arc<Poller> {
    POLLER.get_or_init(|| {
        let p = Arc::new(Poller {
            state: Mutex::new((Vec::new(), 0)),
            changed: Condvar::new(),
        });
        let worker = p.clone();
        let _ = std::thread::Builder::new()
            .name("cpu-itimers".into())
            .spawn(move || worker.run());
        p
    })
}

/// Wakes the poller: a POSIX CPU timer (`cpu_timers`) was armed.
pub fn poke() {
    let p = poller();
    lock(&p.state).1 += 1;
    p.changed.notify_all();
}

impl Poller {
    fn watch(&self, group: &Arc<GroupCpu>) {
        let mut st = lock(&self.state);
        if !st
            .0
            .iter()
            .any(|g| std::ptr::eq(g.as_ptr(), Arc::as_ptr(group)))
        {
            st.0.push(Arc::downgrade(group));
        }
        st.1 += 1;
        drop(st);
        self.changed.notify_all();
    }

    fn run(&self) {
        loop {
            let (groups, seen) = {
                let mut st = lock(&self.state);
                st.0.retain(|g| g.upgrade().is_some_and(|g| g.itimers.armed()));
                let groups: Vec<Arc<GroupCpu>> = st.0.iter().filter_map(Weak::upgrade).collect();
                (groups, st.1)
            };
            // POSIX timers on CPU clocks share this poll.
            let mut sleep: Option<Duration> =
                super::cpu_timers::expire().map(|d| d.clamp(MIN_POLL, MAX_POLL));
            for g in groups {
                let threads = g.threads() as u64;
                if threads == 0 {
                    continue; // the group ended; its timers end with it
                }
                let (target, fired, next) = g.itimers.expire(g.times());
                if let Some(task) = target.upgrade() {
                    for signo in fired {
                        task.send_process(SigInfo {
                            signo,
                            code: SI_KERNEL,
                            ..Default::default()
                        });
                    }
                }
                if let Some(rest) = next {
                    let d = Duration::from_nanos(rest / threads).clamp(MIN_POLL, MAX_POLL);
                    sleep = Some(sleep.map_or(d, |s| s.min(d)));
                }
            }
            let st = lock(&self.state);
            if st.1 != seen {
                continue;
            }
            // A poisoned lock is taken over on the next scan.
            match sleep {
                Some(d) => drop(self.changed.wait_timeout(st, d)),
                None => drop(self.changed.wait(st)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_periodic_timer_fires_and_rearms_on_its_clock() {
        let it = CpuItimers::default();
        lock(&it.state).timers[Which::Virtual as usize] = Itimer {
            expires: 100,
            interval: 50,
        };
        let at = |user, sys| CpuTimes { user, sys };
        assert_eq!(it.expire(at(90, 1000)).1, Vec::<i32>::new());
        let (_, fired, next) = it.expire(at(120, 0));
        assert_eq!(fired, vec![SIGVTALRM]);
        assert_eq!(next, Some(30));
        assert_eq!(
            left(lock(&it.state).timers[0], 120).0,
            Duration::from_nanos(30)
        );
    }

    #[test]
    fn a_one_shot_prof_timer_counts_system_time_and_disarms() {
        let it = CpuItimers::default();
        lock(&it.state).timers[Which::Prof as usize] = Itimer {
            expires: 100,
            interval: 0,
        };
        let (_, fired, next) = it.expire(CpuTimes { user: 40, sys: 60 });
        assert_eq!(fired, vec![SIGPROF]);
        assert_eq!(next, None);
        assert!(!it.armed());
    }
}

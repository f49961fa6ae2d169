//! POSIX timers on CPU clocks (`timer_create(2)` with
//! CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID or a clock of
//! `clock_getcpuclockid(3)` / `pthread_getcpuclockid(3)`): they expire
//! after so much CPU time of a process or a thread and signal like any
//! POSIX timer (SIGEV_SIGNAL, SIGEV_THREAD_ID, SIGEV_NONE), with overruns.
//!
//! CPU time advances without the sentry seeing it, so the same poller as
//! the CPU itimers (`cpu_itimers`) looks at the armed ones, with the same
//! granularity: a timer fires within about a millisecond of CPU time after
//! it expires.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::cputime::{CpuTimes, GroupCpu, ThreadCpu};
use super::sigframe::SigInfo;
use super::task::TaskShared;
use super::timers::TimerSpec;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The CPU clock a timer counts on.
pub enum CpuClock {
    /// A process's time; `user_only` for a CPUCLOCK_VIRT clock.
    Process(Arc<GroupCpu>, bool),
    /// One thread's time.
    Thread(Arc<ThreadCpu>, bool),
}

impl CpuClock {
    /// The clock's reading, in ns.
    pub fn now(&self) -> u64 {
        let (t, user_only): (CpuTimes, bool) = match self {
            CpuClock::Process(g, u) => (g.times(), *u),
            CpuClock::Thread(t, u) => (t.times(), *u),
        };
        if user_only { t.user } else { t.total() }
    }

    /// How many threads advance it at once (at most one CPU each).
    fn threads(&self) -> u64 {
        match self {
            CpuClock::Process(g, _) => g.threads().max(1) as u64,
            CpuClock::Thread(..) => 1,
        }
    }
}

struct CpuTimer {
    clock: CpuClock,
    /// The clock reading it expires at; 0: disarmed.
    expires: u64,
    interval: u64,
    overrun: u64,
    spec: TimerSpec,
}

static TIMERS: Mutex<(u64, BTreeMap<u64, CpuTimer>)> = Mutex::new((0, BTreeMap::new()));

fn ns(d: Duration) -> u64 {
    d.as_nanos().min(u128::from(u64::MAX / 2)) as u64
}

fn left(t: &CpuTimer, now: u64) -> (Duration, Duration) {
    let value = match t.expires {
        0 => Duration::ZERO,
        e if e <= now => Duration::from_nanos(1),
        e => Duration::from_nanos(e - now),
    };
    (value, Duration::from_nanos(t.interval))
}

/// A disarmed timer on `clock`; returns its id.
pub fn create(clock: CpuClock, spec: TimerSpec) -> u64 {
    let mut st = lock(&TIMERS);
    st.0 += 1;
    let id = st.0;
    st.1.insert(
        id,
        CpuTimer {
            clock,
            expires: 0,
            interval: 0,
            overrun: 0,
            spec,
        },
    );
    id
}

/// Arms timer `id` to expire when its clock reads `at` (None: disarms),
/// then every `interval`; returns the previous (value, interval).
pub fn set(id: u64, at: Option<u64>, interval: Duration) -> Option<(Duration, Duration)> {
    let old = {
        let mut st = lock(&TIMERS);
        let t = st.1.get_mut(&id)?;
        let now = t.clock.now();
        let old = left(t, now);
        t.expires = at.map_or(0, |a| a.max(1));
        t.interval = ns(interval);
        t.overrun = 0;
        old
    };
    if at.is_some() {
        super::cpu_itimers::poke();
    }
    Some(old)
}

/// The reading of timer `id`'s clock now.
pub fn clock_now(id: u64) -> Option<u64> {
    lock(&TIMERS).1.get(&id).map(|t| t.clock.now())
}

/// (value left, interval) of timer `id`.
pub fn get(id: u64) -> Option<(Duration, Duration)> {
    let st = lock(&TIMERS);
    let t = st.1.get(&id)?;
    Some(left(t, t.clock.now()))
}

/// The overrun of timer `id`'s last expiry.
pub fn overrun(id: u64) -> Option<u64> {
    lock(&TIMERS).1.get(&id).map(|t| t.overrun)
}

/// Deletes timer `id`.
pub fn delete(id: u64) {
    lock(&TIMERS).1.remove(&id);
}

/// Whether any timer is armed.
pub fn armed() -> bool {
    lock(&TIMERS).1.values().any(|t| t.expires != 0)
}

/// Fires the timers that expired and drops those whose owner is gone;
/// returns the wall time until the next may expire (CPU time left over
/// the threads that can use it), if one is armed.
pub fn expire() -> Option<Duration> {
    let mut fire: Vec<(Arc<TaskShared>, bool, SigInfo)> = Vec::new();
    let mut next: Option<Duration> = None;
    {
        let mut st = lock(&TIMERS);
        st.1.retain(|_, t| t.spec.target.strong_count() > 0);
        for t in st.1.values_mut() {
            if t.expires == 0 {
                continue;
            }
            let now = t.clock.now();
            if t.expires <= now {
                let missed = match t.interval {
                    0 => 0,
                    i => (now - t.expires) / i,
                };
                t.overrun = missed;
                t.expires = match t.interval {
                    0 => 0,
                    i => t.expires.saturating_add(i.saturating_mul(missed + 1)),
                };
                if t.spec.signo != 0
                    && let Some(task) = t.spec.target.upgrade()
                {
                    fire.push((
                        task,
                        t.spec.to_thread,
                        SigInfo {
                            signo: t.spec.signo,
                            code: t.spec.code,
                            pid: t.spec.timer_id,
                            uid: missed.min(i32::MAX as u64) as u32,
                            value: t.spec.value,
                            ..SigInfo::default()
                        },
                    ));
                }
            }
            if t.expires != 0 {
                let d = Duration::from_nanos(t.expires.saturating_sub(now) / t.clock.threads());
                next = Some(next.map_or(d, |n| n.min(d)));
            }
        }
    }
    for (task, to_thread, info) in fire {
        if to_thread {
            task.send(info);
        } else {
            task.send_process(info);
        }
    }
    next
}

//! Timers that raise signals: `alarm(2)`, `setitimer(2)` ITIMER_REAL and
//! POSIX timers (`timer_create(2)` with SIGEV_SIGNAL, SIGEV_THREAD_ID,
//! SIGEV_NONE). One sentry thread per sandbox sleeps until the earliest
//! deadline and sends each expiring timer's signal to its task; periodic
//! timers re-arm and count overruns.
//!
//! Signal-less timers (SIGEV_NONE, and the wake-up timers behind
//! timerfds) wake poll/epoll waiters instead.
//!
//! Not yet: CPU-time clocks (ITIMER_VIRTUAL/PROF, CLOCK_*_CPUTIME_ID
//! timers).

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use super::sigframe::SigInfo;
use super::task::TaskShared;
use super::waiter;

/// si_code of a POSIX timer's signal.
pub const SI_TIMER: i32 = -2;
/// si_code of alarm/setitimer's SIGALRM.
pub const SI_KERNEL: i32 = 0x80;

/// `now + d`, saturating at a century from `now` (a program may ask for
/// i64::MAX seconds; Instant arithmetic would overflow).
pub fn deadline_after(now: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);
    now + d.min(CENTURY)
}

/// What a timer does when it fires.
#[derive(Clone)]
pub struct TimerSpec {
    pub target: Weak<TaskShared>,
    /// SIGEV_THREAD_ID: the signal goes to that thread, not its process.
    pub to_thread: bool,
    /// 0: no signal (SIGEV_NONE).
    pub signo: i32,
    pub code: i32,
    pub timer_id: i32,
    pub value: u64,
}

struct Timer {
    spec: TimerSpec,
    deadline: Option<Instant>,
    interval: Duration,
    overrun: u64,
}

#[derive(Default)]
struct State {
    timers: BTreeMap<u64, Timer>,
    next_id: u64,
}

/// The sandbox's timers.
pub struct Timers {
    state: Mutex<State>,
    changed: Condvar,
}

static TIMERS: OnceLock<Arc<Timers>> = OnceLock::new();

/// The timer service (its thread starts with the first use).
pub fn timers() -> &'static Arc<Timers> {
    TIMERS.get_or_init(|| {
        let t = Arc::new(Timers {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let worker = t.clone();
        let _ = std::thread::Builder::new()
            .name("timers".into())
            .spawn(move || worker.run());
        t
    })
}

impl Timers {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new, disarmed timer.
    pub fn create(&self, spec: TimerSpec) -> u64 {
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.timers.insert(
            id,
            Timer {
                spec,
                deadline: None,
                interval: Duration::ZERO,
                overrun: 0,
            },
        );
        id
    }

    /// Arms (or with `None`, disarms) timer `id`; returns the previous
    /// (remaining, interval).
    pub fn set(
        &self,
        id: u64,
        first: Option<Duration>,
        interval: Duration,
    ) -> Option<(Duration, Duration)> {
        let mut st = self.lock();
        let t = st.timers.get_mut(&id)?;
        let now = Instant::now();
        let old = (
            t.deadline
                .map(|d| d.saturating_duration_since(now))
                .unwrap_or_default(),
            t.interval,
        );
        t.deadline = first.map(|f| deadline_after(now, f));
        t.interval = interval;
        t.overrun = 0;
        drop(st);
        self.changed.notify_all();
        Some(old)
    }

    /// (remaining, interval) of timer `id`.
    pub fn get(&self, id: u64) -> Option<(Duration, Duration)> {
        let st = self.lock();
        let t = st.timers.get(&id)?;
        Some((
            t.deadline
                .map(|d| d.saturating_duration_since(Instant::now()))
                .unwrap_or_default(),
            t.interval,
        ))
    }

    /// Expirations missed by the last delivery.
    pub fn overrun(&self, id: u64) -> Option<u64> {
        self.lock().timers.get(&id).map(|t| t.overrun)
    }

    /// Deletes timer `id`.
    pub fn delete(&self, id: u64) -> bool {
        let found = self.lock().timers.remove(&id).is_some();
        self.changed.notify_all();
        found
    }

    /// Deletes every timer of a task that is gone.
    pub fn delete_for(&self, target: &Arc<TaskShared>) {
        let target = Arc::downgrade(target);
        // Timers without a task (timerfds) stay.
        self.lock()
            .timers
            .retain(|_, t| !Weak::ptr_eq(&t.spec.target, &target));
    }

    fn run(&self) {
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            let mut fire = Vec::new();
            let mut next: Option<Instant> = None;
            for t in st.timers.values_mut() {
                let Some(d) = t.deadline else { continue };
                if d <= now {
                    fire.push((t.spec.clone(), t.overrun));
                    if t.interval.is_zero() {
                        t.deadline = None;
                    } else {
                        let step = t.interval.min(Duration::from_secs(100 * 365 * 86_400));
                        let mut nd = d + step;
                        let mut missed = 0u64;
                        while nd <= now {
                            nd += step;
                            missed += 1;
                        }
                        t.overrun = missed;
                        t.deadline = Some(nd);
                        next = Some(next.map_or(nd, |n| n.min(nd)));
                    }
                } else {
                    next = Some(next.map_or(d, |n| n.min(d)));
                }
            }
            if !fire.is_empty() {
                drop(st);
                for (spec, overrun) in fire {
                    if spec.signo == 0 {
                        // SIGEV_NONE and timerfd expiries: pollers look.
                        waiter::notify();
                        continue;
                    }
                    if let Some(task) = spec.target.upgrade() {
                        let send = if spec.to_thread {
                            TaskShared::send
                        } else {
                            TaskShared::send_process
                        };
                        send(
                            &task,
                            SigInfo {
                                signo: spec.signo,
                                code: spec.code,
                                pid: spec.timer_id,
                                uid: overrun.min(i32::MAX as u64) as u32,
                                status: 0,
                                addr: 0,
                                value: spec.value,
                            },
                        );
                    }
                }
                st = self.lock();
                continue;
            }
            st = match next {
                Some(n) => {
                    self.changed
                        .wait_timeout(st, n.saturating_duration_since(Instant::now()))
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.changed.wait(st).unwrap_or_else(|p| p.into_inner()),
            };
        }
    }
}

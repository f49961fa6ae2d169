//! timerfd (`timerfd_create(2)`): a timer read as a file. A read returns
//! how many times the timer expired since it was armed or last read,
//! blocking until the first expiry; poll and epoll see it readable from
//! then on. The count is computed from the deadline and interval, so
//! nothing is lost however late the reader comes; a signal-less timer in
//! the sandbox's timer service (`kernel::timers`) wakes pollers at each
//! expiry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::kernel::current;
use crate::kernel::timers::{TimerSpec, deadline_after, timers};
use crate::vfs::{FileImpl, poll};

/// When the timer next expires and how often after that.
#[derive(Default)]
struct Schedule {
    /// The first expiry not yet read (None: disarmed).
    next: Option<Instant>,
    /// Zero for a one-shot timer.
    interval: Duration,
}

impl Schedule {
    /// Expirations due at `now`, without consuming them.
    fn due(&self, now: Instant) -> u64 {
        match self.next {
            Some(n) if n <= now => {
                if self.interval.is_zero() {
                    1
                } else {
                    let late = (now - n).as_nanos() / self.interval.as_nanos();
                    1 + late.min(u128::from(u64::MAX - 1)) as u64
                }
            }
            _ => 0,
        }
    }

    /// Consumes the expirations due at `now` and returns their count.
    fn take(&mut self, now: Instant) -> u64 {
        let n = self.due(now);
        if n > 0 {
            self.next = if self.interval.is_zero() {
                None
            } else {
                let step = self.interval.as_nanos().saturating_mul(u128::from(n));
                self.next.map(|x| {
                    deadline_after(
                        x,
                        Duration::from_nanos(step.min(u128::from(u64::MAX)) as u64),
                    )
                })
            };
        }
        n
    }

    /// (time to the next expiry in the future, interval), as
    /// `timerfd_gettime(2)` reports it.
    fn remaining(&self, now: Instant) -> (Duration, Duration) {
        let left = match self.next {
            None => Duration::ZERO,
            Some(n) if n > now => n - now,
            // Expired, unread: a one-shot timer has nothing left; a
            // periodic one reports its next expiry to come.
            Some(_) if self.interval.is_zero() => Duration::ZERO,
            Some(n) => {
                let step = self.interval.as_nanos();
                let into = (now - n).as_nanos() % step;
                Duration::from_nanos((step - into).min(u128::from(u64::MAX)) as u64)
            }
        };
        (left, self.interval)
    }
}

/// A timerfd object.
pub struct TimerFd {
    ino: u64,
    /// The clock absolute times are read against (a `CLOCK_*` id).
    pub clock: i32,
    schedule: Mutex<Schedule>,
    /// Wakes blocked readers when the timer is re-armed.
    rearmed: Condvar,
    /// The signal-less service timer that wakes pollers at expiries.
    wakeup: u64,
    nonblock: AtomicBool,
}

impl TimerFd {
    /// A disarmed timer on `clock`.
    pub fn new(clock: i32) -> Arc<TimerFd> {
        let wakeup = timers().create(TimerSpec {
            target: Weak::new(),
            to_thread: false,
            signo: 0,
            code: 0,
            timer_id: 0,
            value: 0,
        });
        Arc::new(TimerFd {
            ino: new_ino(),
            clock,
            schedule: Mutex::new(Schedule::default()),
            rearmed: Condvar::new(),
            wakeup,
            nonblock: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Arms the timer to expire after `first` (None: disarms it), then
    /// every `interval`; unread expirations are dropped. Returns the
    /// previous (remaining, interval).
    pub fn set(&self, first: Option<Duration>, interval: Duration) -> (Duration, Duration) {
        let mut s = self.lock();
        let now = Instant::now();
        let old = s.remaining(now);
        s.next = first.map(|f| deadline_after(now, f));
        s.interval = if s.next.is_some() {
            interval
        } else {
            Duration::ZERO
        };
        timers().set(self.wakeup, first, s.interval);
        drop(s);
        self.rearmed.notify_all();
        old
    }

    /// (remaining, interval).
    pub fn get(&self) -> (Duration, Duration) {
        self.lock().remaining(Instant::now())
    }
}

impl Drop for TimerFd {
    fn drop(&mut self) {
        timers().delete(self.wakeup);
    }
}

anon_inode!(TimerFd, TimerFdFile);

/// The open timerfd.
pub struct TimerFdFile(pub Arc<TimerFd>);

impl FileImpl for TimerFdFile {
    fn anon_name(&self) -> Option<&'static str> {
        Some("timerfd")
    }
    fn show_fdinfo(&self, out: &mut String) {
        let tf = &self.0;
        let s = tf.lock();
        let now = Instant::now();
        let ticks = s.due(now);
        let (value, interval) = s.remaining(now);
        drop(s);
        // TFD_TIMER_ABSTIME is turned into a relative deadline when set,
        // so the settime flags read as 0.
        out.push_str(&format!(
            "clockid: {}\nticks: {ticks}\nsettime flags: 00\nit_value: ({}, {})\nit_interval: ({}, {})\n",
            tf.clock,
            value.as_secs(),
            value.subsec_nanos(),
            interval.as_secs(),
            interval.subsec_nanos()
        ));
    }
    fn read(&self, buf: &mut [u8], _off: u64) -> KResult<usize> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let tf = &self.0;
        let mut s = tf.lock();
        loop {
            let now = Instant::now();
            let n = s.take(now);
            if n > 0 {
                buf[..8].copy_from_slice(&n.to_ne_bytes());
                return Ok(8);
            }
            if tf.nonblock.load(Ordering::Relaxed) {
                return Err(Errno::EAGAIN);
            }
            if current::interrupted() {
                return Err(Errno::EINTR);
            }
            let nap = s
                .next
                .map_or(current::INTERRUPT_CHECK, |n| n - now)
                .min(current::INTERRUPT_CHECK);
            s = tf
                .rearmed
                .wait_timeout(s, nap)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        true
    }

    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        // Linux's timerfd seeks nowhere and reports offset 0.
        Some(Ok(0))
    }

    fn readiness(&self, events: u16) -> u16 {
        if self.0.lock().due(Instant::now()) > 0 {
            (poll::POLLIN | poll::POLLRDNORM) & events
        } else {
            0
        }
    }

    fn status_flags_changed(&self, flags: u32) {
        self.0.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            Ordering::Relaxed,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_periodic_timer_counts_every_missed_expiry() {
        let t0 = Instant::now();
        let mut s = Schedule {
            next: Some(t0),
            interval: Duration::from_millis(10),
        };
        assert_eq!(s.due(t0 - Duration::from_millis(1)), 0);
        assert_eq!(s.take(t0 + Duration::from_millis(35)), 4);
        assert_eq!(s.next, Some(t0 + Duration::from_millis(40)));
        assert_eq!(s.take(t0 + Duration::from_millis(39)), 0);
        let (left, every) = s.remaining(t0 + Duration::from_millis(37));
        assert_eq!(
            (left, every),
            (Duration::from_millis(3), Duration::from_millis(10))
        );
    }

    #[test]
    fn a_one_shot_timer_fires_once_then_disarms() {
        let t0 = Instant::now();
        let mut s = Schedule {
            next: Some(t0),
            interval: Duration::ZERO,
        };
        assert_eq!(s.take(t0 + Duration::from_secs(5)), 1);
        assert_eq!(s.next, None);
        assert_eq!(s.take(t0 + Duration::from_secs(6)), 0);
        assert_eq!(s.remaining(t0), (Duration::ZERO, Duration::ZERO));
    }
}

//! A sandbox-wide readiness event: every sentry object whose readiness can
//! change (pipes today) bumps a generation counter and wakes waiters, and
//! poll/select wait for the counter to move. Coarse (every waiter wakes on
//! every change), but lost wakeups are impossible: a waiter records the
//! generation before scanning and sleeps only if it has not moved since.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

static GENERATION: Mutex<u64> = Mutex::new(0);
static CHANGED: Condvar = Condvar::new();

/// The current generation.
pub fn generation() -> u64 {
    *GENERATION.lock().unwrap_or_else(|p| p.into_inner())
}

/// Something's readiness changed.
pub fn notify() {
    *GENERATION.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    CHANGED.notify_all();
}

/// Sleeps until the generation differs from `seen` or `deadline` passes
/// (None: no deadline).
pub fn wait(seen: u64, deadline: Option<Instant>) {
    let mut g = GENERATION.lock().unwrap_or_else(|p| p.into_inner());
    while *g == seen {
        match deadline {
            None => g = CHANGED.wait(g).unwrap_or_else(|p| p.into_inner()),
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return;
                }
                g = CHANGED
                    .wait_timeout(g, d - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
    }
}

/// One sleep of a blocked call: until the generation moves past `seen`,
/// `deadline` passes, or one interruption slice (`current::INTERRUPT_CHECK`)
/// is over, whichever is first. The caller loops, checking for its event
/// and for interruption between sleeps.
pub fn wait_slice(seen: u64, deadline: Option<Instant>) {
    let slice = Instant::now() + super::current::INTERRUPT_CHECK;
    wait(seen, Some(deadline.map_or(slice, |d| d.min(slice))));
}

/// As [`wait_slice`], for poll/epoll sets that include donated host fds
/// (`(fd, events, revents)`): those change state outside the sentry, so
/// they are polled on the host in 10 ms slices instead.
pub fn wait_slice_with_host(seen: u64, deadline: Option<Instant>, host: &mut [(i32, i16, i16)]) {
    if host.is_empty() {
        return wait_slice(seen, deadline);
    }
    let slice = Duration::from_millis(10);
    let left = deadline.map_or(slice, |d| {
        d.saturating_duration_since(Instant::now()).min(slice)
    });
    let _ = crate::sys::poll_host(host, left.as_millis().max(1) as i32);
}

/// The deadline of a millisecond timeout argument (negative: none).
pub fn ms_deadline(ms: i32) -> Option<Instant> {
    (ms >= 0).then(|| Instant::now() + Duration::from_millis(ms as u64))
}

//! A sandbox-wide readiness event: every sentry object whose readiness can
//! change (pipes today) bumps a generation counter and wakes waiters, and
//! poll/select wait for the counter to move. Coarse (every waiter wakes on
//! every change), but lost wakeups are impossible: a waiter records the
//! generation before scanning and sleeps only if it has not moved since.

use std::sync::{Condvar, Mutex};
use std::time::Instant;

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

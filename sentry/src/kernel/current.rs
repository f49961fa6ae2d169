//! The task the calling sentry thread serves (Linux's `current`), for the
//! places that answer differently per caller without being handed the
//! task (/proc/self, /proc/thread-self, /dev/fd), and for blocked calls:
//! whether the task was interrupted, an interruptible sleep, and the
//! waker a signal sent to the task calls to end its wait at once.

use std::cell::RefCell;
use std::sync::Arc;

use super::TaskShared;

thread_local! {
    static CURRENT: RefCell<Option<Arc<TaskShared>>> = const { RefCell::new(None) };
}

/// Makes `t` the current task of this thread.
pub fn set(t: Option<Arc<TaskShared>>) {
    CURRENT.with(|c| *c.borrow_mut() = t);
}

/// How long a blocked call sleeps at most before checking whether its task
/// was killed (until signal delivery brings real interruption).
pub const INTERRUPT_CHECK: std::time::Duration = std::time::Duration::from_millis(20);

/// Whether the current task was sent a fatal signal while blocked.
pub fn interrupted() -> bool {
    get().is_some_and(|t| {
        t.killed_by.load(std::sync::atomic::Ordering::Relaxed) != 0
            || t.has_deliverable()
            || t.group_exiting()
    })
}

/// Sleeps for `d`, waking early (false) when a signal or a kill arrives.
pub fn sleep(d: std::time::Duration) -> bool {
    let end = std::time::Instant::now() + d;
    let Some(me) = get() else {
        std::thread::sleep(d);
        return true;
    };
    let weak = Arc::downgrade(&me);
    let _wake = wake_on_signal(move || {
        if let Some(t) = weak.upgrade() {
            t.nap.1.notify_all();
        }
    });
    let (m, c) = &me.nap;
    let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let now = std::time::Instant::now();
        if now >= end {
            return true;
        }
        if interrupted() {
            return false;
        }
        g = c
            .wait_timeout(g, (end - now).min(INTERRUPT_CHECK))
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// While alive, a signal (or a kill) for the current task calls `wake`,
/// which notifies the condition variable the task's blocked call waits
/// on, so the call sees the signal at once instead of at the end of its
/// `INTERRUPT_CHECK` slice. `wake` runs on the sender's thread with the
/// task's waker slot locked: it must only notify, never lock.
pub struct WakeOnSignal(Option<Arc<TaskShared>>);

/// Registers `wake` for the current task (see [`WakeOnSignal`]).
pub fn wake_on_signal(wake: impl Fn() + Send + Sync + 'static) -> WakeOnSignal {
    let me = get();
    if let Some(t) = &me {
        *t.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(wake));
    }
    WakeOnSignal(me)
}

impl Drop for WakeOnSignal {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            *t.waker.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
}

/// The current task, if this thread serves one.
pub fn get() -> Option<Arc<TaskShared>> {
    CURRENT.with(|c| c.borrow().clone())
}

//! The task the calling sentry thread serves (Linux's `current`), for the
//! few places that answer differently per caller without being handed the
//! task: /proc/self, /proc/thread-self, /dev/fd.

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

/// Sleeps for `d`, waking early (false) when the task is killed.
pub fn sleep(d: std::time::Duration) -> bool {
    let end = std::time::Instant::now() + d;
    loop {
        let now = std::time::Instant::now();
        if now >= end {
            return true;
        }
        if interrupted() {
            return false;
        }
        std::thread::sleep((end - now).min(INTERRUPT_CHECK));
    }
}

/// The current task, if this thread serves one.
pub fn get() -> Option<Arc<TaskShared>> {
    CURRENT.with(|c| c.borrow().clone())
}

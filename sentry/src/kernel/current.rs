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

/// The current task, if this thread serves one.
pub fn get() -> Option<Arc<TaskShared>> {
    CURRENT.with(|c| c.borrow().clone())
}

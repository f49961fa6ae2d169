//! BSD file locks (`flock(2)`): whole-file advisory locks held by open
//! file descriptions, shared or exclusive, released by LOCK_UN or when the
//! description closes. Waiting is interruptible.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use crate::errno::{Errno, KResult};
use crate::kernel::current;

#[derive(Default)]
struct Holders {
    exclusive: Option<usize>,
    shared: Vec<usize>,
}

struct Table {
    locks: Mutex<HashMap<usize, Holders>>,
    changed: Condvar,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        locks: Mutex::new(HashMap::new()),
        changed: Condvar::new(),
    })
}

/// The kind of lock asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Shared,
    Exclusive,
    Unlock,
}

/// Takes, converts or drops the lock of description `owner` on file
/// `file`; EWOULDBLOCK when `nonblock` and it is held elsewhere.
pub fn flock(file: usize, owner: usize, kind: Kind, nonblock: bool) -> KResult<()> {
    let t = table();
    let mut locks = t.locks.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let h = locks.entry(file).or_default();
        // Converting first drops what this description holds (as Linux).
        if h.exclusive == Some(owner) {
            h.exclusive = None;
        }
        h.shared.retain(|&o| o != owner);
        let free = match kind {
            Kind::Unlock => true,
            Kind::Shared => h.exclusive.is_none(),
            Kind::Exclusive => h.exclusive.is_none() && h.shared.is_empty(),
        };
        if free {
            match kind {
                Kind::Unlock => {}
                Kind::Shared => h.shared.push(owner),
                Kind::Exclusive => h.exclusive = Some(owner),
            }
            if h.exclusive.is_none() && h.shared.is_empty() {
                locks.remove(&file);
            }
            drop(locks);
            t.changed.notify_all();
            return Ok(());
        }
        if nonblock {
            return Err(Errno::EAGAIN);
        }
        let _wake = current::wake_on_signal(|| table().changed.notify_all());
        if current::interrupted() {
            return Err(Errno::EINTR);
        }
        locks = t
            .changed
            .wait_timeout(
                locks,
                current::INTERRUPT_CHECK.min(Duration::from_millis(20)),
            )
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// Drops every lock of a closing description.
pub fn release_all(owner: usize) {
    let t = table();
    let mut locks = t.locks.lock().unwrap_or_else(|p| p.into_inner());
    let mut changed = false;
    locks.retain(|_, h| {
        if h.exclusive == Some(owner) {
            h.exclusive = None;
            changed = true;
        }
        let before = h.shared.len();
        h.shared.retain(|&o| o != owner);
        changed |= h.shared.len() != before;
        h.exclusive.is_some() || !h.shared.is_empty()
    });
    drop(locks);
    if changed {
        t.changed.notify_all();
    }
}

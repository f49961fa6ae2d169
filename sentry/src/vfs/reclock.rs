//! POSIX record locks (`fcntl(2)` F_GETLK/F_SETLK/F_SETLKW) and their
//! open-file-description variants (F_OFD_*): byte ranges of a file locked
//! for reading (shared) or writing (exclusive) by an owner, a process for
//! classic locks (released when it closes any fd of the file, or exits),
//! an open file description for OFD locks (released when it closes).
//!
//! Not yet: deadlock detection (EDEADLK) for F_SETLKW.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, OnceLock};

use crate::errno::{Errno, KResult};
use crate::kernel::current;

/// A lock held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    /// Process tgid (classic) or description address | OFD_BIT.
    pub owner: u64,
    pub start: u64,
    /// Exclusive end; u64::MAX means "to the end of the file, ever".
    pub end: u64,
    pub write: bool,
    /// What F_GETLK reports as l_pid (-1 for OFD locks).
    pub pid: i32,
}

/// Marks OFD owners apart from process ids.
pub const OFD_BIT: u64 = 1 << 63;

struct Table {
    locks: Mutex<HashMap<usize, Vec<Lock>>>,
    changed: Condvar,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        locks: Mutex::new(HashMap::new()),
        changed: Condvar::new(),
    })
}

fn overlaps(a: &Lock, start: u64, end: u64) -> bool {
    a.start < end && start < a.end
}

/// The first lock of another owner that conflicts with the asked one.
pub fn conflict(file: usize, owner: u64, start: u64, end: u64, write: bool) -> Option<Lock> {
    let locks = table().locks.lock().unwrap_or_else(|p| p.into_inner());
    locks
        .get(&file)?
        .iter()
        .find(|l| l.owner != owner && overlaps(l, start, end) && (write || l.write))
        .copied()
}

/// Removes `owner`'s locks on `[start, end)`, splitting the ones that
/// stick out.
fn unlock_range(v: &mut Vec<Lock>, owner: u64, start: u64, end: u64) {
    let mut out = Vec::with_capacity(v.len() + 1);
    for l in v.drain(..) {
        if l.owner != owner || !overlaps(&l, start, end) {
            out.push(l);
            continue;
        }
        if l.start < start {
            out.push(Lock { end: start, ..l });
        }
        if l.end > end {
            out.push(Lock { start: end, ..l });
        }
    }
    *v = out;
}

/// F_SETLK(W): `write` None unlocks. With `wait`, blocks (interruptibly)
/// until no other owner conflicts; else EAGAIN.
pub fn set(
    file: usize,
    owner: u64,
    pid: i32,
    start: u64,
    end: u64,
    write: Option<bool>,
    wait: bool,
) -> KResult<()> {
    let t = table();
    let mut locks = t.locks.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let v = locks.entry(file).or_default();
        if let Some(w) = write {
            let blocked = v
                .iter()
                .any(|l| l.owner != owner && overlaps(l, start, end) && (w || l.write));
            if blocked {
                if !wait {
                    return Err(Errno::EAGAIN);
                }
                let _wake = current::wake_on_signal(|| table().changed.notify_all());
                if current::interrupted() {
                    return Err(Errno::EINTR);
                }
                locks = t
                    .changed
                    .wait_timeout(locks, current::INTERRUPT_CHECK)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                continue;
            }
        }
        unlock_range(v, owner, start, end);
        if let Some(w) = write {
            v.push(Lock {
                owner,
                start,
                end,
                write: w,
                pid,
            });
        }
        if v.is_empty() {
            locks.remove(&file);
        }
        drop(locks);
        t.changed.notify_all();
        return Ok(());
    }
}

/// Drops every lock of `owner` (on `file` only, when given).
pub fn release(owner: u64, file: Option<usize>) {
    let t = table();
    let mut locks = t.locks.lock().unwrap_or_else(|p| p.into_inner());
    let mut changed = false;
    locks.retain(|f, v| {
        if file.is_none_or(|x| x == *f) {
            let before = v.len();
            v.retain(|l| l.owner != owner);
            changed |= v.len() != before;
        }
        !v.is_empty()
    });
    drop(locks);
    if changed {
        t.changed.notify_all();
    }
}

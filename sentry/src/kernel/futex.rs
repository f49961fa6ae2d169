//! Futexes (`futex(2)`): wait queues keyed like Linux's: a word in a
//! shared mapping by its memory-file offset (the same pages in every
//! process that maps them), any other word by (address space, address),
//! which stays put when copy-on-write moves its page. The word is read
//! with the table locked, so a waker that changes it and then wakes can
//! never be missed.
//!
//! Not yet: PI futexes, FUTEX_WAKE_OP, robust-list cleanup on thread death.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

use super::current;
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;

struct Waiter {
    woken: AtomicBool,
    bitset: u32,
}

/// (address space or 0 for shared, address or memory-file offset).
type Key = (u64, u64);

struct Table {
    queues: Mutex<HashMap<Key, Vec<Arc<Waiter>>>>,
    cond: Condvar,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        queues: Mutex::new(HashMap::new()),
        cond: Condvar::new(),
    })
}

/// The key of the futex word at `uaddr`.
fn key(mm: &MemoryManager, uaddr: u64) -> KResult<Key> {
    if !uaddr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    Ok(match mm.shared_offset(uaddr)? {
        Some(off) => (0, off),
        None => (mm as *const MemoryManager as u64, uaddr),
    })
}

/// FUTEX_WAIT(_BITSET): sleeps while `*uaddr == val` until woken, the
/// deadline, or a signal.
pub fn wait(
    mm: &MemoryManager,
    uaddr: u64,
    val: u32,
    bitset: u32,
    deadline: Option<Instant>,
) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let k = key(mm, uaddr)?;
    let t = table();
    let mut q = t.queues.lock().unwrap_or_else(|p| p.into_inner());
    let mut b = [0u8; 4];
    mm.copy_in(uaddr, &mut b)?;
    if u32::from_ne_bytes(b) != val {
        return Err(Errno::EAGAIN);
    }
    let w = Arc::new(Waiter {
        woken: AtomicBool::new(false),
        bitset,
    });
    q.entry(k).or_default().push(w.clone());
    loop {
        if w.woken.load(Ordering::Acquire) {
            return Ok(0);
        }
        let now = Instant::now();
        let expired = deadline.is_some_and(|d| now >= d);
        if expired || current::interrupted() {
            if let Some(v) = q.get_mut(&k) {
                v.retain(|x| !Arc::ptr_eq(x, &w));
            }
            if w.woken.load(Ordering::Acquire) {
                return Ok(0);
            }
            return Err(if expired {
                Errno::ETIMEDOUT
            } else {
                Errno::EINTR
            });
        }
        let nap = deadline.map_or(current::INTERRUPT_CHECK, |d| {
            (d - now).min(current::INTERRUPT_CHECK)
        });
        q = t
            .cond
            .wait_timeout(q, nap)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// FUTEX_WAKE(_BITSET): wakes up to `n` waiters; returns how many.
pub fn wake(mm: &MemoryManager, uaddr: u64, n: u32, bitset: u32) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let k = key(mm, uaddr)?;
    let t = table();
    let mut q = t.queues.lock().unwrap_or_else(|p| p.into_inner());
    let mut woken = 0u64;
    if let Some(v) = q.get_mut(&k) {
        v.retain(|w| {
            if u64::from(n) > woken && w.bitset & bitset != 0 {
                w.woken.store(true, Ordering::Release);
                woken += 1;
                false
            } else {
                true
            }
        });
        if v.is_empty() {
            q.remove(&k);
        }
    }
    drop(q);
    if woken > 0 {
        t.cond.notify_all();
    }
    Ok(woken)
}

/// FUTEX_(CMP_)REQUEUE: wakes `nwake` waiters of `uaddr`, moves up to
/// `nmove` others to `uaddr2`; with `cmp`, only if `*uaddr == cmp`.
pub fn requeue(
    mm: &MemoryManager,
    uaddr: u64,
    uaddr2: u64,
    nwake: u32,
    nmove: u32,
    cmp: Option<u32>,
) -> KResult<u64> {
    let k1 = key(mm, uaddr)?;
    let k2 = key(mm, uaddr2)?;
    let t = table();
    let mut q = t.queues.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = cmp {
        let mut b = [0u8; 4];
        mm.copy_in(uaddr, &mut b)?;
        if u32::from_ne_bytes(b) != c {
            return Err(Errno::EAGAIN);
        }
    }
    let mut waiters = q.remove(&k1).unwrap_or_default();
    let mut done = 0u64;
    let mut moved = Vec::new();
    waiters.retain(|w| {
        if done < u64::from(nwake) {
            w.woken.store(true, Ordering::Release);
            done += 1;
            false
        } else if (moved.len() as u64) < u64::from(nmove) {
            moved.push(w.clone());
            false
        } else {
            true
        }
    });
    let nmoved = moved.len() as u64;
    if !waiters.is_empty() {
        q.insert(k1, waiters);
    }
    if !moved.is_empty() {
        q.entry(k2).or_default().extend(moved);
    }
    drop(q);
    t.cond.notify_all();
    Ok(done + nmoved)
}

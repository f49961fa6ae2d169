//! Futexes (`futex(2)`): wait queues keyed like Linux's: a word in a
//! shared mapping by its memory-file offset (the same pages in every
//! process that maps them), any other word by (address space, address),
//! which stays put when copy-on-write moves its page. The word is read
//! with the table locked, so a waker that changes it and then wakes can
//! never be missed.
//!
//! Each waiter sleeps on its own (thread park), so a wake touches only the
//! waiters of its own word. Built: WAIT/WAKE (and the BITSET forms),
//! REQUEUE/CMP_REQUEUE, WAKE_OP (this file); LOCK_PI, LOCK_PI2,
//! TRYLOCK_PI and UNLOCK_PI (`pi.rs`); WAIT_REQUEUE_PI and
//! CMP_REQUEUE_PI (`requeue_pi.rs`); robust lists and PI ownership
//! released when a thread exits or execs (`robust.rs`).
//!
//! Not yet: real priority inheritance (PI futexes hand ownership over
//! exactly as Linux does, in FIFO order, but no thread's priority
//! changes), futex_waitv and the futex2 calls.
//!
//! Lock order: futex table > `Kernel::tasks` (a PI waiter looks its
//! owner up) > `MemoryManager` state > memory file allocator. Words are
//! changed with atomic compare-and-exchange (`MemoryManager::cmpxchg_u32`):
//! the application changes them concurrently.

mod pi;
mod requeue_pi;
mod robust;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::Thread;
use std::time::Instant;

pub use pi::{lock_pi, unlock_pi};
pub use requeue_pi::{cmp_requeue_pi, wait_requeue_pi};
pub use robust::{ROBUST_LIST_HEAD_LEN, release_thread};

use super::current;
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;

/// The owner-died bit of a PI or robust futex word.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// The waiters bit of a PI or robust futex word.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// The owner's tid in a PI or robust futex word.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// How many times an operation starts over because the application
/// changed the word under it before giving up with EAGAIN.
const RETRIES: u32 = 1000;

/// A blocked thread. Its state changes only with the table locked.
struct Waiter {
    /// Set when woken (for a PI waiter: it owns the futex now).
    woken: AtomicBool,
    bitset: u32,
    /// The tid of a FUTEX_LOCK_PI or FUTEX_WAIT_REQUEUE_PI waiter, the
    /// owner it becomes (0 for a plain waiter).
    pi_tid: i32,
    /// Where it waits (requeue moves it). Protected by the table lock.
    place: Mutex<Place>,
    thread: Thread,
}

#[derive(Clone, Copy)]
struct Place {
    key: Key,
    /// A FUTEX_WAIT_REQUEUE_PI waiter not requeued yet: the PI futex it
    /// waits to be requeued to.
    requeue_to: Option<Key>,
}

impl Waiter {
    fn new(key: Key, bitset: u32, pi_tid: i32, requeue_to: Option<Key>) -> Arc<Waiter> {
        Arc::new(Waiter {
            woken: AtomicBool::new(false),
            bitset,
            pi_tid,
            place: Mutex::new(Place { key, requeue_to }),
            thread: std::thread::current(),
        })
    }

    fn place(&self) -> Place {
        *self.place.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn move_to(&self, place: Place) {
        *self.place.lock().unwrap_or_else(|p| p.into_inner()) = place;
    }

    /// Whether it waits for a PI futex (FUTEX_LOCK_PI, or requeued there).
    fn is_pi(&self) -> bool {
        self.pi_tid != 0 && self.place().requeue_to.is_none()
    }

    /// Wakes it; the caller holds the table lock and has taken it off
    /// its queue.
    fn wake(&self) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }

    fn is_woken(&self) -> bool {
        self.woken.load(Ordering::Acquire)
    }
}

/// (address space or 0 for shared, address or memory-file offset).
type Key = (u64, u64);

/// The waiters of one futex word.
#[derive(Default)]
struct Queue {
    /// In arrival order (FIFO: no priorities).
    waiters: Vec<Arc<Waiter>>,
    /// While FUTEX_LOCK_PI waiters are queued, the owner they wait for
    /// (Linux's `pi_state->owner`); 0 otherwise.
    pi_owner: i32,
}

type Queues = HashMap<Key, Queue>;

fn table() -> MutexGuard<'static, Queues> {
    static T: OnceLock<Mutex<Queues>> = OnceLock::new();
    T.get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
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

fn read_word(mm: &MemoryManager, uaddr: u64) -> KResult<u32> {
    let mut b = [0u8; 4];
    mm.copy_in(uaddr, &mut b)?;
    Ok(u32::from_ne_bytes(b))
}

/// Takes `w` off the queue it is on.
fn unqueue(q: &mut Queues, w: &Arc<Waiter>) {
    let k = w.place().key;
    if let Some(queue) = q.get_mut(&k) {
        queue.waiters.retain(|x| !Arc::ptr_eq(x, w));
        tidy(q, k);
    }
}

/// Drops a queue's PI owner once no PI waiter is left, and the queue
/// once empty.
fn tidy(q: &mut Queues, k: Key) {
    if let Some(queue) = q.get_mut(&k) {
        if !queue.waiters.iter().any(|w| w.is_pi()) {
            queue.pi_owner = 0;
        }
        if queue.waiters.is_empty() {
            q.remove(&k);
        }
    }
}

/// Sleeps until `w` is woken, `deadline` passes or the task is
/// interrupted; in the last two cases `w` leaves its queue and the call
/// fails (ETIMEDOUT, EINTR), unless it was woken meanwhile.
fn block(w: &Arc<Waiter>, deadline: Option<Instant>) -> KResult<()> {
    // A signal for the task unparks this thread at once.
    let me = std::thread::current();
    let _wake = current::wake_on_signal(move || me.unpark());
    loop {
        if w.is_woken() {
            return Ok(());
        }
        let now = Instant::now();
        let expired = deadline.is_some_and(|d| now >= d);
        if expired || current::interrupted() {
            let mut q = table();
            if w.is_woken() {
                return Ok(());
            }
            unqueue(&mut q, w);
            return Err(if expired {
                Errno::ETIMEDOUT
            } else {
                Errno::EINTR
            });
        }
        let nap = deadline.map_or(current::INTERRUPT_CHECK, |d| {
            (d - now).min(current::INTERRUPT_CHECK)
        });
        std::thread::park_timeout(nap);
    }
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
    let w = Waiter::new(k, bitset, 0, None);
    {
        let mut q = table();
        if read_word(mm, uaddr)? != val {
            return Err(Errno::EAGAIN);
        }
        q.entry(k).or_default().waiters.push(w.clone());
    }
    block(&w, deadline).map(|()| 0)
}

/// Wakes up to `n` plain waiters of `k` whose bitset meets `bitset` (at
/// least one when `n <= 0`, as Linux counts); EINVAL when a PI waiter
/// comes first.
fn wake_locked(q: &mut Queues, k: Key, n: i32, bitset: u32) -> KResult<u64> {
    let Some(queue) = q.get_mut(&k) else {
        return Ok(0);
    };
    let want = u64::try_from(n).unwrap_or(0).max(1);
    let (mut woken, mut i, mut pi) = (0u64, 0, false);
    while woken < want && i < queue.waiters.len() {
        let w = &queue.waiters[i];
        if w.pi_tid != 0 {
            pi = true;
            break;
        }
        if w.bitset & bitset == 0 {
            i += 1;
            continue;
        }
        queue.waiters.remove(i).wake();
        woken += 1;
    }
    tidy(q, k);
    if pi {
        return Err(Errno::EINVAL.why("a PI waiter on a plain futex operation"));
    }
    Ok(woken)
}

/// FUTEX_WAKE(_BITSET): wakes up to `n` waiters; returns how many.
pub fn wake(mm: &MemoryManager, uaddr: u64, n: i32, bitset: u32) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let k = key(mm, uaddr)?;
    wake_locked(&mut table(), k, n, bitset)
}

/// FUTEX_(CMP_)REQUEUE: wakes `nwake` waiters of `uaddr`, moves up to
/// `nmove` others to `uaddr2`; with `cmp`, only if `*uaddr == cmp`.
pub fn requeue(
    mm: &MemoryManager,
    uaddr: u64,
    uaddr2: u64,
    nwake: i32,
    nmove: i32,
    cmp: Option<u32>,
) -> KResult<u64> {
    if nwake < 0 || nmove < 0 {
        return Err(Errno::EINVAL);
    }
    let k1 = key(mm, uaddr)?;
    let k2 = key(mm, uaddr2)?;
    let mut q = table();
    if let Some(c) = cmp
        && read_word(mm, uaddr)? != c
    {
        return Err(Errno::EAGAIN);
    }
    if q.get(&k1)
        .is_some_and(|queue| queue.waiters.iter().any(|w| w.pi_tid != 0))
    {
        return Err(Errno::EINVAL);
    }
    let mut waiters = q.remove(&k1).map(|queue| queue.waiters).unwrap_or_default();
    let (mut done, mut moved) = (0u64, Vec::new());
    waiters.retain(|w| {
        if done < nwake as u64 {
            w.wake();
            done += 1;
            false
        } else if (moved.len() as u64) < nmove as u64 {
            w.move_to(Place {
                key: k2,
                requeue_to: None,
            });
            moved.push(w.clone());
            false
        } else {
            true
        }
    });
    let nmoved = moved.len() as u64;
    if !waiters.is_empty() {
        q.entry(k1).or_default().waiters.extend(waiters);
    }
    if !moved.is_empty() {
        q.entry(k2).or_default().waiters.extend(moved);
    }
    Ok(done + nmoved)
}

/// FUTEX_WAKE_OP: atomically applies the operation encoded in `op` to
/// `*uaddr2`, wakes up to `nwake` waiters of `uaddr`, and, when the
/// word's old value passes the encoded comparison, up to `nwake2` of
/// `uaddr2`.
pub fn wake_op(
    mm: &MemoryManager,
    uaddr: u64,
    uaddr2: u64,
    nwake: i32,
    nwake2: i32,
    op: u32,
) -> KResult<u64> {
    let k1 = key(mm, uaddr)?;
    let k2 = key(mm, uaddr2)?;
    let decoded = WakeOp::decode(op);
    if decoded.op > 4 {
        return Err(Errno::ENOSYS.why("unknown FUTEX_WAKE_OP operation"));
    }
    let mut q = table();
    let mut old = read_word(mm, uaddr2)?;
    let mut tries = 0;
    loop {
        let found = mm.cmpxchg_u32(uaddr2, old, decoded.apply(old))?;
        if found == old {
            break;
        }
        tries += 1;
        if tries == RETRIES {
            return Err(Errno::EAGAIN.why("the FUTEX_WAKE_OP word kept changing"));
        }
        old = found;
    }
    let hit = decoded
        .compare(old)
        .ok_or(Errno::ENOSYS.why("unknown FUTEX_WAKE_OP comparison"))?;
    let mut woken = wake_locked(&mut q, k1, nwake, u32::MAX)?;
    if hit {
        woken += wake_locked(&mut q, k2, nwake2, u32::MAX)?;
    }
    Ok(woken)
}

/// A FUTEX_WAKE_OP operation: `op` (SET, ADD, OR, ANDN, XOR), its
/// argument, the comparison (EQ, NE, LT, LE, GT, GE) and its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WakeOp {
    op: u32,
    oparg: u32,
    cmp: u32,
    cmparg: i32,
}

impl WakeOp {
    fn decode(encoded: u32) -> WakeOp {
        // 12-bit signed fields, as Linux's sign_extend32(x, 11).
        let sext12 = |v: u32| ((v << 20) as i32) >> 20;
        let mut oparg = sext12((encoded >> 12) & 0xfff) as u32;
        if encoded & 0x8000_0000 != 0 {
            // FUTEX_OP_OPARG_SHIFT: Linux masks a bad shift to 0..31.
            oparg = 1u32 << (oparg & 31);
        }
        WakeOp {
            op: (encoded >> 28) & 7,
            oparg,
            cmp: (encoded >> 24) & 15,
            cmparg: sext12(encoded & 0xfff),
        }
    }

    fn apply(self, old: u32) -> u32 {
        match self.op {
            0 => self.oparg,
            1 => old.wrapping_add(self.oparg),
            2 => old | self.oparg,
            3 => old & !self.oparg,
            _ => old ^ self.oparg,
        }
    }

    /// The comparison of the old value (signed, as Linux), or None for an
    /// unknown comparison.
    fn compare(self, old: u32) -> Option<bool> {
        let (v, a) = (old as i32, self.cmparg);
        Some(match self.cmp {
            0 => v == a,
            1 => v != a,
            2 => v < a,
            3 => v <= a,
            4 => v > a,
            5 => v >= a,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;

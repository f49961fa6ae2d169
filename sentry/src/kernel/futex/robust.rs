//! What a thread holds of futexes when it exits or execs (Linux's
//! `futex_exit_release`/`futex_exec_release`): its robust list
//! (`set_robust_list(2)`) is walked, and every listed futex word that
//! still names the thread gets FUTEX_OWNER_DIED (keeping FUTEX_WAITERS)
//! and one waiter woken; then every PI futex it owns with waiters goes to
//! the longest waiter, with FUTEX_OWNER_DIED.
//!
//! The list lives in application memory, so it is walked defensively: at
//! most `ROBUST_LIST_LIMIT` entries (a loop ends there), any unreadable
//! or misaligned entry silently ends the walk, and the list-head's
//! `list_op_pending` entry (a lock or unlock in flight) is handled last
//! and only once.

use super::{
    FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS, Key, Queues, key, pi, read_word, table,
    wake_locked,
};
use crate::mm::MemoryManager;

/// `sizeof(struct robust_list_head)`: the only length set_robust_list
/// accepts.
pub const ROBUST_LIST_HEAD_LEN: u64 = 24;
/// The most entries walked (Linux's ROBUST_LIST_LIMIT).
const ROBUST_LIST_LIMIT: usize = 2048;
/// How many times a word the application keeps changing is retried.
const RETRIES: u32 = 100;

/// Releases the futexes of thread `tid` of address space `mm`, whose
/// robust list head is at `head` (0: none), as it exits or execs.
/// `done` runs before the futex table is unlocked: a LOCK_PI that finds
/// the thread after that sees it gone (ESRCH) rather than waiting for a
/// hand-over that will never come.
pub fn release_thread(mm: &MemoryManager, tid: i32, head: u64, done: impl FnOnce()) {
    let mut q = table();
    if head != 0 {
        walk(&mut q, mm, tid, head);
    }
    release_pi(&mut q, mm, tid);
    done();
}

fn read_u64(mm: &MemoryManager, addr: u64) -> Option<u64> {
    let mut b = [0u8; 8];
    mm.copy_in(addr, &mut b).ok()?;
    Some(u64::from_ne_bytes(b))
}

/// An entry pointer: the address, and whether it is a PI futex (bit 0).
fn entry(raw: u64) -> (u64, bool) {
    (raw & !1, raw & 1 != 0)
}

/// Linux's `exit_robust_list`.
fn walk(q: &mut Queues, mm: &MemoryManager, tid: i32, head: u64) {
    let Some(first) = read_u64(mm, head) else {
        return;
    };
    let Some(offset) = read_u64(mm, head.wrapping_add(8)) else {
        return;
    };
    let Some(pending) = read_u64(mm, head.wrapping_add(16)) else {
        return;
    };
    let (pending, pending_pi) = entry(pending);
    let (mut e, mut pi) = entry(first);
    let mut left = ROBUST_LIST_LIMIT;
    while e != head {
        // The next entry first: handling this one may free it.
        let next = read_u64(mm, e);
        if e != pending && death(q, mm, tid, e.wrapping_add(offset), pi, false).is_none() {
            return;
        }
        let Some(next) = next else {
            return;
        };
        (e, pi) = entry(next);
        left -= 1;
        if left == 0 {
            break;
        }
    }
    if pending != 0 {
        death(q, mm, tid, pending.wrapping_add(offset), pending_pi, true);
    }
}

/// Linux's `handle_futex_death` for the word at `uaddr`; None ends the
/// walk (a bad word).
fn death(
    q: &mut Queues,
    mm: &MemoryManager,
    tid: i32,
    uaddr: u64,
    pi: bool,
    pending: bool,
) -> Option<()> {
    if !uaddr.is_multiple_of(4) {
        return None;
    }
    for _ in 0..RETRIES {
        let uval = read_word(mm, uaddr).ok()?;
        let owner = uval & FUTEX_TID_MASK;
        if pending && !pi && owner == 0 {
            // An unlock in flight already freed it, or a woken waiter
            // died before taking it: pass the wake on.
            wake_one(q, mm, uaddr);
            return Some(());
        }
        if owner != tid as u32 & FUTEX_TID_MASK {
            return Some(());
        }
        let mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if mm.cmpxchg_u32(uaddr, uval, mval).ok()? != uval {
            continue;
        }
        // PI waiters get the futex itself, in release_pi.
        if !pi && uval & FUTEX_WAITERS != 0 {
            wake_one(q, mm, uaddr);
        }
        return Some(());
    }
    Some(())
}

fn wake_one(q: &mut Queues, mm: &MemoryManager, uaddr: u64) {
    if let Ok(k) = key(mm, uaddr) {
        let _ = wake_locked(q, k, 1, u32::MAX);
    }
}

/// Linux's `exit_pi_state_list`: each PI futex `tid` owns with waiters
/// goes to its longest waiter whatever the word holds. The word gets the
/// new owner's tid, FUTEX_WAITERS and FUTEX_OWNER_DIED, robust or not (as
/// Linux's `fixup_pi_state_owner` does for an owner that is gone).
fn release_pi(q: &mut Queues, mm: &MemoryManager, tid: i32) {
    let owned: Vec<_> = q
        .iter()
        .filter(|(_, queue)| queue.pi_owner == tid)
        .map(|(k, _)| *k)
        .collect();
    for k in owned {
        let Some(next) = q
            .get(&k)
            .and_then(|queue| queue.waiters.iter().find(|w| w.is_pi()).cloned())
        else {
            continue;
        };
        let word = Word::of(mm, k);
        for _ in 0..RETRIES {
            let Some(cur) = word.read() else {
                break;
            };
            let new = FUTEX_OWNER_DIED | FUTEX_WAITERS | next.pi_tid as u32;
            if word.cmpxchg(cur, new).is_none_or(|found| found == cur) {
                break;
            }
        }
        pi::give(q, k, &next);
    }
}

/// A futex word found by its key.
enum Word<'a> {
    /// At this address of this address space.
    Mapped(&'a MemoryManager, u64),
    /// At this offset of the memory file (a shared mapping).
    File(&'a MemoryManager, u64),
    /// A private word of another address space: out of reach.
    Elsewhere,
}

impl Word<'_> {
    fn of(mm: &MemoryManager, k: Key) -> Word<'_> {
        match k {
            (0, off) => Word::File(mm, off),
            (space, addr) if space == mm as *const MemoryManager as u64 => Word::Mapped(mm, addr),
            _ => Word::Elsewhere,
        }
    }

    fn read(&self) -> Option<u32> {
        match *self {
            Word::Mapped(mm, addr) => read_word(mm, addr).ok(),
            Word::File(mm, off) => {
                let mut b = [0u8; 4];
                mm.memfile().read(off, &mut b).ok()?;
                Some(u32::from_ne_bytes(b))
            }
            Word::Elsewhere => None,
        }
    }

    fn cmpxchg(&self, old: u32, new: u32) -> Option<u32> {
        match *self {
            Word::Mapped(mm, addr) => mm.cmpxchg_u32(addr, old, new).ok(),
            Word::File(mm, off) => mm.memfile().cmpxchg_u32(off, old, new).ok(),
            Word::Elsewhere => None,
        }
    }
}

//! PI futexes (FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI,
//! FUTEX_UNLOCK_PI) with Linux's word protocol: the word holds the
//! owner's tid, FUTEX_WAITERS once a thread blocks in the kernel (so the
//! owner's user-space unlock fails and comes here), and FUTEX_OWNER_DIED
//! after a robust owner died. Unlock hands the futex straight to the
//! longest waiter (its tid goes into the word, with FUTEX_WAITERS, as
//! Linux keeps it while PI state exists).
//!
//! No priority inheritance: waiters are served in arrival order and no
//! priority changes (the sandbox has no real-time scheduling to protect).

use std::sync::Arc;
use std::time::Instant;

use super::{
    FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS, Key, Queues, RETRIES, Waiter, block, key,
    read_word, table, tidy,
};
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;

/// What Linux's `futex_lock_pi_atomic` found, the table locked.
pub(super) enum Attempt {
    /// The word was free and now names the new owner.
    Acquired,
    /// Owned by this tid, with FUTEX_WAITERS now set: wait for it.
    Wait(i32),
    /// The application changed the word meanwhile: look again.
    Changed,
}

/// One attempt of thread `tid` to take the PI futex `k` at `uaddr`, the
/// table `q` locked: takes a free word (keeping FUTEX_OWNER_DIED, adding
/// FUTEX_WAITERS with `set_waiters`), else marks it FUTEX_WAITERS and
/// names the owner to wait for. EDEADLK when `tid` owns it, EINVAL when
/// the word disagrees with the queued waiters, ESRCH when its owner is
/// gone (`owner_alive`).
pub(super) fn lock_pi_atomic(
    q: &Queues,
    mm: &MemoryManager,
    uaddr: u64,
    k: Key,
    tid: i32,
    set_waiters: bool,
    owner_alive: &dyn Fn(i32) -> bool,
) -> KResult<Attempt> {
    let me = tid as u32 & FUTEX_TID_MASK;
    let uval = read_word(mm, uaddr)?;
    let owner = uval & FUTEX_TID_MASK;
    if owner == me {
        return Err(Errno::EDEADLK);
    }
    if let Some(queue) = q.get(&k) {
        // Waiters already: the word must name the owner they wait for
        // (else the application fiddled with it).
        if queue.pi_owner == 0 || queue.pi_owner as u32 != owner {
            return Err(Errno::EINVAL.why("PI futex word disagrees with its waiters"));
        }
        return Ok(Attempt::Wait(owner as i32));
    }
    if owner == 0 {
        // Free (maybe with OWNER_DIED, which stays for the new owner to
        // see): take it.
        let waiters = if set_waiters { FUTEX_WAITERS } else { 0 };
        let new = (uval & FUTEX_OWNER_DIED) | waiters | me;
        return Ok(if mm.cmpxchg_u32(uaddr, uval, new)? == uval {
            Attempt::Acquired
        } else {
            Attempt::Changed
        });
    }
    // The first waiter: FUTEX_WAITERS sends the owner's unlock here, then
    // the owner must be one that can unlock.
    if uval & FUTEX_WAITERS == 0 && mm.cmpxchg_u32(uaddr, uval, uval | FUTEX_WAITERS)? != uval {
        return Ok(Attempt::Changed);
    }
    if !owner_alive(owner as i32) {
        if read_word(mm, uaddr)? != uval | FUTEX_WAITERS {
            return Ok(Attempt::Changed);
        }
        return Err(Errno::ESRCH.why("the PI futex's owner is gone"));
    }
    Ok(Attempt::Wait(owner as i32))
}

/// FUTEX_LOCK_PI(2) and FUTEX_TRYLOCK_PI for thread `tid`: takes the
/// futex if its word names no owner, else (unless `trylock`: EAGAIN)
/// blocks until an unlock hands it over or `deadline` passes.
/// `owner_alive(tid)` says whether a thread still exists and has not
/// released its futexes on exit yet (otherwise ESRCH: its futex can never
/// be handed over). A signal fails it with ERESTARTNOINTR (the caller
/// restarts it after any handler).
pub fn lock_pi(
    mm: &MemoryManager,
    uaddr: u64,
    tid: i32,
    deadline: Option<Instant>,
    trylock: bool,
    owner_alive: &dyn Fn(i32) -> bool,
) -> KResult<u64> {
    let k = key(mm, uaddr)?;
    let w = 'attach: {
        for _ in 0..RETRIES {
            let mut q = table();
            let owner = match lock_pi_atomic(&q, mm, uaddr, k, tid, false, owner_alive)? {
                Attempt::Acquired => return Ok(0),
                Attempt::Changed => continue,
                Attempt::Wait(owner) => owner,
            };
            if trylock {
                return Err(Errno::EAGAIN);
            }
            let w = Waiter::new(k, u32::MAX, tid, None);
            let queue = q.entry(k).or_default();
            queue.pi_owner = owner;
            queue.waiters.push(w.clone());
            break 'attach w;
        }
        return Err(Errno::EAGAIN.why("the PI futex word kept changing"));
    };
    match block(&w, deadline) {
        Ok(()) => Ok(0),
        Err(e) if e == Errno::EINTR => Err(Errno::ERESTARTNOINTR),
        Err(e) => Err(e),
    }
}

/// FUTEX_UNLOCK_PI for thread `tid`: EPERM unless the word names it;
/// hands the futex to the longest waiter, or clears the word.
pub fn unlock_pi(mm: &MemoryManager, uaddr: u64, tid: i32) -> KResult<u64> {
    let me = tid as u32 & FUTEX_TID_MASK;
    if read_word(mm, uaddr)? & FUTEX_TID_MASK != me {
        return Err(Errno::EPERM);
    }
    let k = key(mm, uaddr)?;
    let mut q = table();
    let uval = read_word(mm, uaddr)?;
    if uval & FUTEX_TID_MASK != me {
        return Err(Errno::EPERM);
    }
    if q.contains_key(&k) {
        return hand_over(&mut q, k, mm, uaddr, tid, uval);
    }
    // No waiters in the kernel: free, without WAITERS or OWNER_DIED.
    if mm.cmpxchg_u32(uaddr, uval, 0)? != uval {
        return Err(Errno::EAGAIN);
    }
    Ok(0)
}

/// The waiter the PI futex `k` goes to next: its longest waiter, when
/// that is a PI waiter.
pub(super) fn next_owner(q: &Queues, k: Key) -> Option<Arc<Waiter>> {
    q.get(&k)?.waiters.first().filter(|w| w.is_pi()).cloned()
}

/// Makes `next`, a waiter of `k` whose tid the word now holds, the owner.
pub(super) fn give(q: &mut Queues, k: Key, next: &Arc<Waiter>) {
    if let Some(queue) = q.get_mut(&k) {
        queue.waiters.retain(|w| !Arc::ptr_eq(w, next));
        queue.pi_owner = next.pi_tid;
    }
    next.wake();
    tidy(q, k);
}

/// Gives the PI futex `k`, owned by `owner` and holding `uval` at
/// `uaddr`, to its longest waiter. EINVAL when that is not a PI waiter
/// of `owner`; EAGAIN when the application changed the word since it was
/// read.
fn hand_over(
    q: &mut Queues,
    k: Key,
    mm: &MemoryManager,
    uaddr: u64,
    owner: i32,
    uval: u32,
) -> KResult<u64> {
    let Some(next) = next_owner(q, k) else {
        return Err(Errno::EINVAL.why("UNLOCK_PI on a futex with plain waiters"));
    };
    if q.get(&k).is_none_or(|queue| queue.pi_owner != owner) {
        return Err(Errno::EINVAL.why("PI futex owned by another thread"));
    }
    let new = FUTEX_WAITERS | (next.pi_tid as u32 & FUTEX_TID_MASK);
    let found = mm.cmpxchg_u32(uaddr, uval, new)?;
    if found != uval {
        return Err(if found & FUTEX_TID_MASK == uval & FUTEX_TID_MASK {
            Errno::EAGAIN
        } else {
            Errno::EINVAL
        });
    }
    give(q, k, &next);
    Ok(0)
}

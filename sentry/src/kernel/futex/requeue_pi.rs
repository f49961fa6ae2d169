//! FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI: a thread waits on a
//! plain futex (a condition variable) to be moved onto a PI futex (its
//! mutex) and returns owning that; the requeue takes the PI futex for the
//! first waiter when it is free and moves the others onto it as PI
//! waiters, as Linux's `futex_requeue` with `requeue_pi`.

use std::time::Instant;

use super::pi::{Attempt, lock_pi_atomic};
use super::{Place, RETRIES, Waiter, block, key, read_word, table, tidy};
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;

/// FUTEX_WAIT_REQUEUE_PI for thread `tid`: waits on `uaddr` while it
/// holds `val` until FUTEX_CMP_REQUEUE_PI moves it to the PI futex
/// `uaddr2` and it owns that. Before the requeue a signal restarts the
/// call (ERESTARTNOINTR); after it, a signal fails it with EAGAIN.
pub fn wait_requeue_pi(
    mm: &MemoryManager,
    uaddr: u64,
    val: u32,
    deadline: Option<Instant>,
    uaddr2: u64,
    tid: i32,
) -> KResult<u64> {
    if uaddr == uaddr2 {
        return Err(Errno::EINVAL);
    }
    let k2 = key(mm, uaddr2)?;
    let k1 = key(mm, uaddr)?;
    if k1 == k2 {
        return Err(Errno::EINVAL);
    }
    let w = Waiter::new(k1, u32::MAX, tid, Some(k2));
    {
        let mut q = table();
        if read_word(mm, uaddr)? != val {
            return Err(Errno::EAGAIN);
        }
        q.entry(k1).or_default().waiters.push(w.clone());
    }
    match block(&w, deadline) {
        Ok(()) => Ok(0),
        // Off every queue now: nobody moves it any more.
        Err(e) if e == Errno::EINTR && w.place().requeue_to.is_some() => Err(Errno::ERESTARTNOINTR),
        Err(e) if e == Errno::EINTR => Err(Errno::EAGAIN),
        Err(e) => Err(e),
    }
}

/// FUTEX_CMP_REQUEUE_PI: if `*uaddr == cmp`, gives the PI futex `uaddr2`
/// to the first FUTEX_WAIT_REQUEUE_PI waiter of `uaddr` when it is free
/// and wakes it, then moves up to `nmove` waiters (one more when none
/// could take it) onto `uaddr2` as its PI waiters. `nwake` must be 1.
/// Returns how many were woken or moved. `owner_alive` as for
/// [`super::lock_pi`].
pub fn cmp_requeue_pi(
    mm: &MemoryManager,
    uaddr: u64,
    uaddr2: u64,
    nwake: i32,
    nmove: i32,
    cmp: u32,
    owner_alive: &dyn Fn(i32) -> bool,
) -> KResult<u64> {
    if nwake < 0 || nmove < 0 || uaddr == uaddr2 || nwake != 1 {
        return Err(Errno::EINVAL);
    }
    let k1 = key(mm, uaddr)?;
    let k2 = key(mm, uaddr2)?;
    if k1 == k2 {
        return Err(Errno::EINVAL);
    }
    let is_ours = |w: &Waiter| w.pi_tid != 0 && w.place().requeue_to == Some(k2);
    for _ in 0..RETRIES {
        let mut q = table();
        if read_word(mm, uaddr)? != cmp {
            return Err(Errno::EAGAIN);
        }
        let Some(top) = q.get(&k1).and_then(|queue| queue.waiters.first().cloned()) else {
            return Ok(0);
        };
        if !is_ours(&top) {
            return Err(Errno::EINVAL.why("not a FUTEX_WAIT_REQUEUE_PI waiter for this futex"));
        }
        // Take the PI futex for the first waiter if it is free.
        let attempt = lock_pi_atomic(&q, mm, uaddr2, k2, top.pi_tid, nmove != 0, owner_alive)?;
        let (mut count, owner) = match attempt {
            Attempt::Changed => continue,
            Attempt::Acquired => {
                if let Some(queue) = q.get_mut(&k1) {
                    queue.waiters.retain(|w| !std::sync::Arc::ptr_eq(w, &top));
                }
                top.wake();
                (1u64, top.pi_tid)
            }
            Attempt::Wait(owner) => (0, owner),
        };
        // Move the others onto the PI futex, behind its waiters.
        let mut moved = Vec::new();
        let mut bad = false;
        if let Some(queue) = q.get_mut(&k1) {
            while let Some(w) = queue.waiters.first()
                && count < nmove as u64 + 1
            {
                if !is_ours(w) {
                    bad = true;
                    break;
                }
                let w = queue.waiters.remove(0);
                w.move_to(Place {
                    key: k2,
                    requeue_to: None,
                });
                moved.push(w);
                count += 1;
            }
        }
        tidy(&mut q, k1);
        if !moved.is_empty() {
            let queue = q.entry(k2).or_default();
            queue.pi_owner = owner;
            queue.waiters.extend(moved);
        }
        if bad {
            return Err(Errno::EINVAL.why("not a FUTEX_WAIT_REQUEUE_PI waiter for this futex"));
        }
        return Ok(count);
    }
    Err(Errno::EAGAIN.why("the PI futex word kept changing"))
}

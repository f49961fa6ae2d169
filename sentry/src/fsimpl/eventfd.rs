//! eventfd (`eventfd(2)`): a 64-bit counter readable and writable as a
//! file. Reads take the counter (or one, in semaphore mode) and block at
//! zero; writes add and block when the sum would overflow.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::kernel::{current, waiter};
use crate::vfs::{FileImpl, poll};

const MAX: u64 = u64::MAX - 1;

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// An eventfd object.
pub struct EventFd {
    ino: u64,
    /// The number /proc/PID/fdinfo shows as `eventfd-id`.
    id: u32,
    count: Mutex<u64>,
    changed: Condvar,
    semaphore: bool,
    nonblock: AtomicBool,
    /// Writes (events for readers) and reads (events for writers), for
    /// edge-triggered epoll.
    writes: AtomicU64,
    reads: AtomicU64,
}

impl EventFd {
    /// A counter starting at `init`.
    pub fn new(init: u64, semaphore: bool) -> Arc<EventFd> {
        Arc::new(EventFd {
            ino: new_ino(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            count: Mutex::new(init),
            changed: Condvar::new(),
            semaphore,
            nonblock: AtomicBool::new(false),
            writes: AtomicU64::new(0),
            reads: AtomicU64::new(0),
        })
    }
}

impl EventFd {
    /// The counter, locked, once `ready` holds for it: EAGAIN when
    /// non-blocking, EINTR when a signal comes first.
    fn wait_until(self: &Arc<Self>, ready: impl Fn(u64) -> bool) -> KResult<MutexGuard<'_, u64>> {
        let mut c = self.count.lock().unwrap_or_else(|p| p.into_inner());
        while !ready(*c) {
            if self.nonblock.load(Ordering::Relaxed) {
                return Err(Errno::EAGAIN);
            }
            let me = self.clone();
            let _wake = current::wake_on_signal(move || me.changed.notify_all());
            if current::interrupted() {
                return Err(Errno::EINTR);
            }
            c = self
                .changed
                .wait_timeout(c, current::INTERRUPT_CHECK)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(c)
    }

    /// The counter changed: `events` (reads or writes) moves, and blocked
    /// callers and pollers look again.
    fn counted(&self, events: &AtomicU64) {
        events.fetch_add(1, Ordering::Relaxed);
        self.changed.notify_all();
        waiter::notify();
    }
}

anon_inode!(EventFd, EventFdFile);

/// The open eventfd.
pub struct EventFdFile(pub Arc<EventFd>);

impl FileImpl for EventFdFile {
    fn anon_name(&self) -> Option<&'static str> {
        Some("eventfd")
    }
    fn show_fdinfo(&self, out: &mut String) {
        let e = &self.0;
        let count = *e.count.lock().unwrap_or_else(|p| p.into_inner());
        let _ = write!(
            out,
            "eventfd-count: {count:16x}\neventfd-id: {}\neventfd-semaphore: {}\n",
            e.id,
            u8::from(e.semaphore)
        );
    }
    fn read(&self, buf: &mut [u8], _off: u64) -> KResult<usize> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let e = &self.0;
        let mut c = e.wait_until(|c| c != 0)?;
        let v = if e.semaphore { 1 } else { *c };
        *c -= v;
        drop(c);
        e.counted(&e.reads);
        buf[..8].copy_from_slice(&v.to_ne_bytes());
        Ok(8)
    }

    fn write(&self, buf: &[u8], _off: u64) -> KResult<usize> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let v = u64::from_ne_bytes(buf[..8].try_into().map_err(|_| Errno::EINVAL)?);
        if v == u64::MAX {
            return Err(Errno::EINVAL);
        }
        let e = &self.0;
        let mut c = e.wait_until(|c| MAX - c >= v)?;
        *c += v;
        drop(c);
        e.counted(&e.writes);
        Ok(8)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        true
    }

    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        Some(Err(Errno::ESPIPE))
    }

    fn event_count(&self, events: u16) -> Option<u64> {
        let e = &self.0;
        let mut n = 0u64;
        if events & crate::vfs::poll::POLLIN != 0 {
            n = n.wrapping_add(e.writes.load(Ordering::Relaxed));
        }
        if events & crate::vfs::poll::POLLOUT != 0 {
            n = n.wrapping_add(e.reads.load(Ordering::Relaxed) << 32);
        }
        Some(n)
    }

    fn readiness(&self, events: u16) -> u16 {
        let c = *self.0.count.lock().unwrap_or_else(|p| p.into_inner());
        let mut r = 0;
        if c > 0 {
            r |= poll::POLLIN | poll::POLLRDNORM;
        }
        if c < MAX {
            r |= poll::POLLOUT | poll::POLLWRNORM;
        }
        r & events
    }

    fn status_flags_changed(&self, flags: u32) {
        self.0.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            Ordering::Relaxed,
        );
    }
}

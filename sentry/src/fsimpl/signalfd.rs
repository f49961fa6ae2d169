//! signalfd (`signalfd(2)`): pending signals read as a file. A read takes
//! the reading thread's pending signals that are in the fd's mask (usually
//! blocked, so they wait for the read instead of a handler) as 128-byte
//! `signalfd_siginfo` records, blocking until there is one; poll and epoll
//! see the fd readable while one is pending.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::kernel::sigframe::{SigInfo, UNBLOCKABLE};
use crate::kernel::{TaskShared, current, waiter};
use crate::vfs::{FileImpl, poll};

/// Size of one `struct signalfd_siginfo`.
pub const RECORD: usize = 128;

/// A signalfd object.
pub struct SignalFd {
    ino: u64,
    mask: AtomicU64,
    nonblock: AtomicBool,
    /// The creating thread, whose signals a reader with no task of its own
    /// (never the case for a sandboxed program) would see.
    owner: Weak<TaskShared>,
}

impl SignalFd {
    /// A signalfd for the signals in `mask` (SIGKILL and SIGSTOP are
    /// dropped silently, as on Linux).
    pub fn new(mask: u64, owner: &Arc<TaskShared>) -> Arc<SignalFd> {
        Arc::new(SignalFd {
            ino: new_ino(),
            mask: AtomicU64::new(mask & !UNBLOCKABLE),
            nonblock: AtomicBool::new(false),
            owner: Arc::downgrade(owner),
        })
    }

    /// Replaces the mask (`signalfd(2)` on an existing fd).
    pub fn set_mask(&self, mask: u64) {
        self.mask.store(mask & !UNBLOCKABLE, Ordering::Relaxed);
    }

    fn reader(&self) -> Option<Arc<TaskShared>> {
        current::get().or_else(|| self.owner.upgrade())
    }
}

anon_inode!(SignalFd, SignalFdFile);

/// Encodes `si` as a `struct signalfd_siginfo`, filling the fields Linux
/// fills for its kind of signal.
pub fn encode(si: &SigInfo) -> [u8; RECORD] {
    const SI_TIMER: i32 = -2;
    const SIGCHLD: i32 = 17;
    let mut b = [0u8; RECORD];
    let mut put32 = |off: usize, v: u32| b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
    put32(0, si.signo as u32);
    put32(8, si.code as u32);
    let fault = matches!(si.signo, 4 | 5 | 7 | 8 | 11) && si.code > 0 && si.code < 0x80;
    if si.code == SI_TIMER {
        // The timer id and overrun share si_pid's and si_uid's slots.
        put32(24, si.pid as u32);
        put32(32, si.uid);
    } else if !fault {
        put32(12, si.pid as u32);
        put32(16, si.uid);
    }
    if si.signo == SIGCHLD && si.code > 0 && si.code < 0x80 {
        put32(40, si.status as u32);
    }
    if si.code == SI_TIMER || si.code < 0 {
        put32(44, si.value as u32);
        b[48..56].copy_from_slice(&si.value.to_ne_bytes());
    }
    if fault {
        b[72..80].copy_from_slice(&si.addr.to_ne_bytes());
    }
    b
}

/// The open signalfd.
pub struct SignalFdFile(pub Arc<SignalFd>);

impl FileImpl for SignalFdFile {
    fn anon_name(&self) -> Option<&'static str> {
        Some("signalfd")
    }
    fn show_fdinfo(&self, out: &mut String) {
        out.push_str(&format!(
            "sigmask:\t{:016x}\n",
            self.0.mask.load(Ordering::Relaxed)
        ));
    }
    fn read(&self, buf: &mut [u8], _off: u64) -> KResult<usize> {
        if buf.len() < RECORD {
            return Err(Errno::EINVAL);
        }
        let sfd = &self.0;
        let task = sfd.reader().ok_or(Errno::EINVAL)?;
        loop {
            // Read before looking: a signal sent in between moves it.
            let seen = waiter::generation();
            let mask = sfd.mask.load(Ordering::Relaxed);
            let mut n = 0;
            while n + RECORD <= buf.len() {
                let Some(si) = task.take_from(mask) else {
                    break;
                };
                buf[n..n + RECORD].copy_from_slice(&encode(&si));
                n += RECORD;
            }
            if n > 0 {
                return Ok(n);
            }
            if sfd.nonblock.load(Ordering::Relaxed) {
                return Err(Errno::EAGAIN);
            }
            if current::interrupted() {
                return Err(Errno::EINTR);
            }
            // Sending a signal notifies the waiter.
            waiter::wait_slice(seen, None);
        }
    }

    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        true
    }

    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        // Linux's signalfd seeks nowhere and reports offset 0.
        Some(Ok(0))
    }

    fn readiness(&self, events: u16) -> u16 {
        let pending = self
            .0
            .reader()
            .is_some_and(|t| t.pending_set() & self.0.mask.load(Ordering::Relaxed) != 0);
        if pending {
            (poll::POLLIN | poll::POLLRDNORM) & events
        } else {
            0
        }
    }

    fn status_flags_changed(&self, flags: u32) {
        self.0.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            Ordering::Relaxed,
        );
    }
}

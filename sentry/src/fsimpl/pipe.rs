//! Pipes (`pipe(7)`): a bounded byte queue between a read end and a write
//! end. Reads block until data arrives or every writer is gone (EOF);
//! writes block until there is room or fail with EPIPE once every reader is
//! gone; writes of at most PIPE_BUF bytes are atomic; O_NONBLOCK turns
//! waiting into EAGAIN. Blocking happens on the task's own sentry thread.
//!
//! Not yet: interruption of a blocked read or write by a signal, SIGPIPE
//! delivery (the writer gets EPIPE; the caller raises SIGPIPE),
//! F_SETPIPE_SZ, splice/tee.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::new_ino;
use super::synth::synth_stat;
use crate::errno::{Errno, KResult};
use crate::vfs::{FileImpl, Inode, Stat, mode, poll};

/// Capacity of a pipe.
pub const PIPE_CAPACITY: usize = 65536;
/// Writes up to this size are atomic.
pub const PIPE_BUF: usize = 4096;

struct State {
    buf: VecDeque<u8>,
    /// Capacity (F_SETPIPE_SZ), a power of two of at least a page.
    capacity: usize,
    readers: usize,
    writers: usize,
}

/// The pipe object, shared by both ends.
pub struct Pipe {
    ino: u64,
    state: Mutex<State>,
    changed: Condvar,
}

impl Pipe {
    /// A new pipe with no ends yet.
    pub fn new() -> Arc<Pipe> {
        Arc::new(Pipe {
            ino: new_ino(),
            state: Mutex::new(State {
                buf: VecDeque::new(),
                capacity: PIPE_CAPACITY,
                readers: 0,
                writers: 0,
            }),
            changed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new end; `nonblock` is the end's O_NONBLOCK at open.
    pub fn end(
        self: &Arc<Self>,
        write: bool,
        nonblock: Arc<std::sync::atomic::AtomicBool>,
    ) -> PipeEnd {
        {
            let mut st = self.lock();
            if write {
                st.writers += 1;
            } else {
                st.readers += 1;
            }
        }
        PipeEnd {
            pipe: self.clone(),
            write,
            nonblock,
        }
    }
}

impl Inode for Pipe {
    fn stat(&self) -> KResult<Stat> {
        let mut st = synth_stat(self.ino, mode::S_IFIFO | 0o600);
        st.dev = 0xd;
        st.blksize = 4096;
        Ok(st)
    }
    fn open(self: Arc<Self>, _flags: u32) -> KResult<Box<dyn FileImpl>> {
        Err(Errno::ENXIO)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One end of a pipe.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    write: bool,
    /// Mirrors the description's O_NONBLOCK (set by fcntl/ioctl).
    pub nonblock: Arc<std::sync::atomic::AtomicBool>,
}

/// The largest pipe F_SETPIPE_SZ grants (like fs.pipe-max-size for root).
pub const PIPE_MAX_SIZE: usize = 1 << 20;

impl PipeEnd {
    fn set_capacity(&self, want: u64) -> KResult<u64> {
        let want = (want as u32 as usize).max(4096);
        if want > PIPE_MAX_SIZE {
            return Err(Errno::EPERM);
        }
        let size = want.next_power_of_two();
        let mut st = self.pipe.lock();
        if st.buf.len() > size {
            return Err(Errno::EBUSY);
        }
        st.capacity = size;
        drop(st);
        self.pipe.changed.notify_all();
        crate::kernel::waiter::notify();
        Ok(size as u64)
    }

    fn nonblocking(&self) -> bool {
        self.nonblock.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut st = self.pipe.lock();
        if self.write {
            st.writers -= 1;
        } else {
            st.readers -= 1;
        }
        drop(st);
        self.pipe.changed.notify_all();
        crate::kernel::waiter::notify();
    }
}

impl FileImpl for PipeEnd {
    fn read(&self, buf: &mut [u8], _off: u64) -> KResult<usize> {
        if self.write {
            return Err(Errno::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let mut st = self.pipe.lock();
        loop {
            if !st.buf.is_empty() {
                let n = buf.len().min(st.buf.len());
                for (i, b) in st.buf.drain(..n).enumerate() {
                    buf[i] = b;
                }
                drop(st);
                self.pipe.changed.notify_all();
                crate::kernel::waiter::notify();
                return Ok(n);
            }
            if st.writers == 0 {
                return Ok(0);
            }
            if self.nonblocking() {
                return Err(Errno::EAGAIN);
            }
            if crate::kernel::current::interrupted() {
                return Err(Errno::EINTR);
            }
            st = self
                .pipe
                .changed
                .wait_timeout(st, crate::kernel::current::INTERRUPT_CHECK)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn write(&self, buf: &[u8], _off: u64) -> KResult<usize> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        let mut done = 0;
        let mut st = self.pipe.lock();
        while done < buf.len() {
            if st.readers == 0 {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            let room = st.capacity.saturating_sub(st.buf.len());
            let left = buf.len() - done;
            // Small writes go in whole or not at all.
            let fits = if left <= PIPE_BUF {
                room >= left
            } else {
                room > 0
            };
            if fits {
                let n = left.min(room);
                st.buf.extend(&buf[done..done + n]);
                done += n;
                self.pipe.changed.notify_all();
                crate::kernel::waiter::notify();
                continue;
            }
            if self.nonblocking() {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            if crate::kernel::current::interrupted() {
                return Err(Errno::EINTR);
            }
            st = self
                .pipe
                .changed
                .wait_timeout(st, crate::kernel::current::INTERRUPT_CHECK)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(done)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        true
    }

    fn readiness(&self, events: u16) -> u16 {
        let st = self.pipe.lock();
        let mut r = 0;
        if self.write {
            if st.readers == 0 {
                r |= poll::POLLERR;
            } else if st.capacity.saturating_sub(st.buf.len()) >= PIPE_BUF.min(st.capacity) {
                r |= poll::POLLOUT | poll::POLLWRNORM;
            }
        } else {
            if !st.buf.is_empty() {
                r |= poll::POLLIN | poll::POLLRDNORM;
            }
            if st.writers == 0 {
                r |= poll::POLLHUP;
            }
        }
        r & (events | poll::POLLERR | poll::POLLHUP)
    }

    fn ioctl(&self, mm: &crate::mm::MemoryManager, req: u64, arg: u64) -> KResult<u64> {
        const FIONREAD: u64 = 0x541b;
        if req == FIONREAD {
            let n = self.pipe.lock().buf.len() as i32;
            mm.copy_out(arg, &n.to_ne_bytes())?;
            return Ok(0);
        }
        Err(Errno::ENOTTY)
    }

    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        Some(Err(Errno::ESPIPE))
    }

    fn fcntl(&self, cmd: u32, arg: u64) -> Option<KResult<u64>> {
        const F_SETPIPE_SZ: u32 = 1031;
        const F_GETPIPE_SZ: u32 = 1032;
        match cmd {
            F_GETPIPE_SZ => Some(Ok(self.pipe.lock().capacity as u64)),
            F_SETPIPE_SZ => Some(self.set_capacity(arg)),
            _ => None,
        }
    }

    fn status_flags_changed(&self, flags: u32) {
        self.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
}

//! Pipes (`pipe(7)`): a bounded byte queue between a read end and a write
//! end. Reads block until data arrives or every writer is gone (EOF);
//! writes block until there is room or fail with EPIPE once every reader is
//! gone; writes of at most PIPE_BUF bytes are atomic; O_NONBLOCK turns
//! waiting into EAGAIN. Blocking happens on the task's own sentry thread
//! and ends with EINTR when a signal arrives (`current::interrupted`).
//!
//! The splice family (`splice(2)`, `tee(2)`, `vmsplice(2)`, `sendfile(2)`
//! into a pipe) uses the pipe-side primitives at the bottom of this file:
//! [`Pipe::transfer`] between two pipes, [`Pipe::drain_to`] out of a pipe
//! and [`Pipe::fill_from`] into one. Linux moves page references; here
//! the bytes are copied (the observable result is the same). Linux counts
//! a pipe's room in page-sized buffers, this pipe in bytes: a pipe holding
//! many small spliced pieces is "full" later here than on Linux.
//!
//! The writer gets EPIPE; the syscall layer raises SIGPIPE.
//!
//! Lock order: a pipe's state > a second pipe's state (two pipes are
//! always locked in address order) > `OpenFile::pos` > inode locks > the
//! memory manager (`drain_to` and `fill_from` hand the locked pipe's bytes
//! to the caller's file or memory, as Linux holds `pipe_lock` there).

use std::any::Any;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

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
    /// Itself, for the waker of a blocked end.
    me: Weak<Pipe>,
    /// Events for the read end (data in, writers gone) and the write end
    /// (room made, readers gone).
    rd_events: AtomicU64,
    wr_events: AtomicU64,
}

impl Pipe {
    /// A new pipe with no ends yet.
    pub fn new() -> Arc<Pipe> {
        Arc::new_cyclic(|me| Pipe {
            me: me.clone(),
            rd_events: AtomicU64::new(0),
            wr_events: AtomicU64::new(0),
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
        self.pipe.wake(true, true);
        Ok(size as u64)
    }

    fn nonblocking(&self) -> bool {
        self.nonblock.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl State {
    fn room(&self) -> usize {
        self.capacity.saturating_sub(self.buf.len())
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
        self.pipe.wake(self.write, !self.write);
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
        let mut st = self.pipe.wait_data(self.nonblocking())?;
        // Like Linux, only a read from a full pipe is an event for its
        // writers (a blocked writer is woken in any case).
        let was_full = st.buf.len() >= st.capacity;
        let n = buf.len().min(st.buf.len());
        for (i, b) in st.buf.drain(..n).enumerate() {
            buf[i] = b;
        }
        drop(st);
        if n > 0 {
            self.pipe.wake(false, was_full);
        }
        Ok(n)
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
            let room = st.room();
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
                if done == buf.len() {
                    // Wake the reader after unlocking, so it does not
                    // wake only to wait for our lock.
                    drop(st);
                    self.pipe.wake(true, false);
                    return Ok(done);
                }
                self.pipe.wake(true, false);
                continue;
            }
            if self.nonblocking() {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            st = self.pipe.sleep(st)?;
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

    fn event_count(&self, _events: u16) -> Option<u64> {
        let side = if self.write {
            &self.pipe.wr_events
        } else {
            &self.pipe.rd_events
        };
        Some(side.load(Ordering::Relaxed))
    }

    fn status_flags_changed(&self, flags: u32) {
        self.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
}

// ---- the pipe side of splice, tee, vmsplice and sendfile ----

impl Pipe {
    /// The pipe behind `file`, if it is an end of a sentry pipe.
    pub fn of(file: &crate::vfs::OpenFile) -> Option<&Pipe> {
        file.inode.as_any().downcast_ref::<Pipe>()
    }

    /// One interruptible sleep until the pipe changes: EINTR when a
    /// signal is waiting for the task.
    fn sleep<'a>(&'a self, st: MutexGuard<'a, State>) -> KResult<MutexGuard<'a, State>> {
        let me = self.me.clone();
        let _wake = crate::kernel::current::wake_on_signal(move || {
            if let Some(p) = me.upgrade() {
                p.changed.notify_all();
            }
        });
        if crate::kernel::current::interrupted() {
            return Err(Errno::EINTR);
        }
        Ok(self
            .changed
            .wait_timeout(st, crate::kernel::current::INTERRUPT_CHECK)
            .unwrap_or_else(|p| p.into_inner())
            .0)
    }

    /// Wakes whoever waits on this pipe or polls it.
    /// Wakes blocked ends and pollers. `readers`: data came in or the
    /// last writer left; `writers`: a full pipe got room or the last
    /// reader left; that side's event count moves (what edge-triggered
    /// epoll reports on).
    fn wake(&self, readers: bool, writers: bool) {
        if readers {
            self.rd_events.fetch_add(1, Ordering::Relaxed);
        }
        if writers {
            self.wr_events.fetch_add(1, Ordering::Relaxed);
        }
        self.changed.notify_all();
        crate::kernel::waiter::notify();
    }

    /// Waits until the pipe holds data or has no writer left (Linux's
    /// `ipipe_prep`).
    fn wait_data(&self, nonblock: bool) -> KResult<MutexGuard<'_, State>> {
        let mut st = self.lock();
        while st.buf.is_empty() && st.writers > 0 {
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            st = self.sleep(st)?;
        }
        Ok(st)
    }

    /// Waits until the pipe has room (Linux's `opipe_prep` and
    /// `wait_for_space`); EPIPE once no reader is left.
    fn wait_room(&self, nonblock: bool) -> KResult<MutexGuard<'_, State>> {
        let mut st = self.lock();
        loop {
            if st.readers == 0 {
                return Err(Errno::EPIPE);
            }
            if st.room() > 0 {
                return Ok(st);
            }
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            st = self.sleep(st)?;
        }
    }

    /// Locks two distinct pipes in address order; the guards come back as
    /// (self's, other's).
    fn lock_pair<'a>(&'a self, other: &'a Pipe) -> (MutexGuard<'a, State>, MutexGuard<'a, State>) {
        if (self as *const Pipe) < (other as *const Pipe) {
            let a = self.lock();
            (a, other.lock())
        } else {
            let b = other.lock();
            (self.lock(), b)
        }
    }

    /// splice(2) and tee(2) between two pipes: moves (with `keep`, copies
    /// without consuming) up to `len` bytes of `self` into `dst`. Waits for
    /// data in `self`, then for room in `dst`; 0 when `self` is empty and
    /// writerless; EPIPE when `dst` has no reader; EINVAL when both are the
    /// same pipe.
    pub fn transfer(&self, dst: &Pipe, len: usize, nonblock: bool, keep: bool) -> KResult<usize> {
        if std::ptr::eq(self, dst) {
            return Err(Errno::EINVAL);
        }
        loop {
            drop(self.wait_data(nonblock)?);
            drop(dst.wait_room(nonblock)?);
            let (mut src, mut out) = self.lock_pair(dst);
            if out.readers == 0 {
                return Err(Errno::EPIPE);
            }
            if src.buf.is_empty() && src.writers == 0 {
                return Ok(0);
            }
            if src.buf.is_empty() || out.room() == 0 {
                // Another task got there first: wait again.
                if nonblock {
                    return Err(Errno::EAGAIN);
                }
                continue;
            }
            let n = len.min(src.buf.len()).min(out.room());
            out.buf.extend(src.buf.range(..n));
            if !keep {
                src.buf.drain(..n);
            }
            drop((src, out));
            self.wake(false, !keep);
            dst.wake(true, false);
            return Ok(n);
        }
    }

    /// Takes up to `len` bytes out of the pipe (splice to a file,
    /// vmsplice to memory). Waits for data like a read; 0 at EOF. `sink`
    /// is handed the bytes in order, a piece at a time, and answers how
    /// many it took; only those leave the pipe. A `sink` error after some
    /// bytes were taken ends the call with that count.
    pub fn drain_to(
        &self,
        len: usize,
        nonblock: bool,
        sink: &mut dyn FnMut(&[u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        let mut st = self.wait_data(nonblock)?;
        let want = len.min(st.buf.len());
        let mut done = 0;
        let mut failed = None;
        {
            let (a, b) = st.buf.as_slices();
            for piece in [a, b] {
                let piece = &piece[..piece.len().min(want - done)];
                if piece.is_empty() {
                    continue;
                }
                match sink(piece) {
                    Ok(n) => {
                        done += n.min(piece.len());
                        if n < piece.len() {
                            break;
                        }
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = failed
            && done == 0
        {
            return Err(e);
        }
        st.buf.drain(..done);
        drop(st);
        if done > 0 {
            self.wake(false, true);
        }
        Ok(done)
    }

    /// Puts up to `len` bytes into the pipe (splice or sendfile from a
    /// file, vmsplice from memory). Waits for room like a write (EPIPE
    /// without a reader), then hands `source` a buffer of at most the
    /// room there is; `source` fills its start and answers how much it
    /// filled (0: nothing to give, which the call returns).
    pub fn fill_from(
        &self,
        len: usize,
        nonblock: bool,
        source: &mut dyn FnMut(&mut [u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        let mut st = self.wait_room(nonblock)?;
        let mut buf = vec![0u8; len.min(st.room())];
        let n = source(&mut buf)?.min(buf.len());
        st.buf.extend(&buf[..n]);
        drop(st);
        if n > 0 {
            self.wake(true, false);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// A pipe with one reader and one writer, and its ends.
    fn pipe() -> (Arc<Pipe>, PipeEnd, PipeEnd) {
        let p = Pipe::new();
        let r = p.end(false, Arc::new(AtomicBool::new(true)));
        let w = p.end(true, Arc::new(AtomicBool::new(true)));
        (p, r, w)
    }

    fn contents(p: &Pipe) -> Vec<u8> {
        p.lock().buf.iter().copied().collect()
    }

    #[test]
    fn transfer_moves_and_tee_copies() {
        let (a, _ar, aw) = pipe();
        let (b, _br, _bw) = pipe();
        aw.write(b"hello", 0).unwrap();
        assert_eq!(a.transfer(&b, 2, true, true), Ok(2));
        assert_eq!(contents(&a), b"hello");
        assert_eq!(a.transfer(&b, 10, true, false), Ok(5));
        assert_eq!(contents(&a), b"");
        assert_eq!(contents(&b), b"hehello");
        assert_eq!(a.transfer(&b, 1, true, false), Err(Errno::EAGAIN));
        assert_eq!(a.transfer(&a, 1, true, false), Err(Errno::EINVAL));
        drop(aw);
        assert_eq!(a.transfer(&b, 1, false, false), Ok(0));
    }

    #[test]
    fn transfer_to_a_readerless_pipe_is_epipe() {
        let (a, _ar, aw) = pipe();
        let (b, br, _bw) = pipe();
        aw.write(b"x", 0).unwrap();
        drop(br);
        assert_eq!(a.transfer(&b, 1, true, false), Err(Errno::EPIPE));
        assert_eq!(contents(&a), b"x");
    }

    #[test]
    fn drain_takes_only_what_the_sink_took() {
        let (p, _r, w) = pipe();
        w.write(b"abcdef", 0).unwrap();
        let mut seen = Vec::new();
        let n = p.drain_to(4, true, &mut |b| {
            seen.extend_from_slice(&b[..b.len().min(3)]);
            Ok(b.len().min(3))
        });
        assert_eq!(n, Ok(3));
        assert_eq!(seen, b"abc");
        assert_eq!(contents(&p), b"def");
        assert_eq!(
            p.drain_to(4, true, &mut |_| Err(Errno::EFAULT)),
            Err(Errno::EFAULT)
        );
        assert_eq!(contents(&p), b"def");
    }

    #[test]
    fn fill_stops_at_the_room_there_is() {
        let (p, _r, w) = pipe();
        w.set_capacity(4096).unwrap();
        w.write(&[1u8; 4000], 0).unwrap();
        let n = p.fill_from(1000, true, &mut |b| {
            b.fill(2);
            Ok(b.len())
        });
        assert_eq!(n, Ok(96));
        assert_eq!(p.fill_from(1, true, &mut |_| Ok(1)), Err(Errno::EAGAIN));
    }
}

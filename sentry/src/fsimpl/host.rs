//! Donated host files: the caller's stdin, stdout and stderr, handed to the
//! sandbox as its fds 0, 1 and 2. Reads and writes go to the host fd (one
//! of the narrow doors of docs/security.md); only terminal ioctls with
//! fixed-size arguments pass through, and the foreground process group is
//! the sandbox's own (`kernel::terminal`, which also stops background
//! readers and writers).

use std::any::Any;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;
use crate::sys;
use crate::vfs::{FileImpl, FileType, Inode, Stat};

/// Terminal ioctls.
pub mod tty {
    pub const TCGETS: u64 = 0x5401;
    pub const TCSETS: u64 = 0x5402;
    pub const TCSETSW: u64 = 0x5403;
    pub const TCSETSF: u64 = 0x5404;
    pub const TIOCGPGRP: u64 = 0x540f;
    pub const TIOCSPGRP: u64 = 0x5410;
    pub const TIOCGWINSZ: u64 = 0x5413;
    pub const TIOCSWINSZ: u64 = 0x5414;
    pub const FIONREAD: u64 = 0x541b;
    /// Size of the kernel's `struct termios`.
    pub const TERMIOS_SIZE: usize = 36;
}

/// A donated host fd.
pub struct HostInode {
    fd: Arc<OwnedFd>,
    /// The host's view of the file (type, mode, device).
    kind: FileType,
    /// Whether it is a terminal (the sandbox's controlling terminal).
    tty: bool,
}

impl HostInode {
    /// Wraps `fd`, which the sentry owns from now on.
    pub fn new(fd: OwnedFd) -> KResult<Arc<HostInode>> {
        let st = sys::fstat(fd.as_raw_fd())?;
        let tty = sys::isatty(fd.as_raw_fd());
        Ok(Arc::new(HostInode {
            fd: Arc::new(fd),
            kind: st.file_type(),
            tty,
        }))
    }

    /// Whether the host fd is a terminal.
    pub fn is_tty(&self) -> bool {
        self.tty
    }
}

impl Inode for HostInode {
    fn stat(&self) -> KResult<Stat> {
        sys::fstat(self.fd.as_raw_fd())
    }
    fn open(self: Arc<Self>, flags: u32) -> KResult<Box<dyn FileImpl>> {
        Ok(Box::new(HostFile {
            fd: self.fd.clone(),
            regular: self.kind == FileType::Regular,
            tty: self.tty,
            nonblock: AtomicBool::new(flags & crate::vfs::oflags::O_NONBLOCK != 0),
        }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open donated host fd.
pub struct HostFile {
    fd: Arc<OwnedFd>,
    regular: bool,
    tty: bool,
    /// The sandbox's O_NONBLOCK. The host fd's own flag is never changed:
    /// its open file is shared with the caller's (a shell would find its
    /// terminal non-blocking after we exit).
    nonblock: AtomicBool,
}

impl HostFile {
    /// For a non-blocking stream: EAGAIN unless `events` (POLLIN or
    /// POLLOUT) holds now, or the stream is hung up or failed (the host
    /// call then reports it).
    fn would_block(&self, events: i16) -> KResult<()> {
        if self.regular || !self.nonblock.load(Ordering::Relaxed) {
            return Ok(());
        }
        let mut fds = [(self.fd.as_raw_fd(), events, 0i16)];
        sys::poll_host(&mut fds, 0)?;
        if fds[0].2 == 0 {
            return Err(Errno::EAGAIN);
        }
        Ok(())
    }

    /// The terminal's TOSTOP flag (background writes stop the writer).
    pub fn tostop(&self) -> bool {
        const TOSTOP: u32 = 0o400;
        let mut buf = [0u8; 64];
        sys::ioctl_buf(self.fd.as_raw_fd(), tty::TCGETS, &mut buf).is_ok()
            && u32::from_ne_bytes([buf[12], buf[13], buf[14], buf[15]]) & TOSTOP != 0
    }
}

impl FileImpl for HostFile {
    fn read(&self, buf: &mut [u8], off: u64) -> KResult<usize> {
        if self.regular {
            return sys::pread(self.fd.as_raw_fd(), buf, off);
        }
        self.would_block(libc::POLLIN)?;
        sys::read(self.fd.as_raw_fd(), buf)
    }

    fn write(&self, buf: &[u8], _off: u64) -> KResult<usize> {
        // Regular files keep the host fd's own offset (shared with the
        // caller's fd, as after a fork), so writes never use `off`.
        self.would_block(libc::POLLOUT)?;
        sys::write(self.fd.as_raw_fd(), buf)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        !self.regular
    }

    fn ioctl(&self, mm: &MemoryManager, req: u64, arg: u64) -> KResult<u64> {
        let fd = self.fd.as_raw_fd();
        let mut buf = [0u8; 64];
        match req {
            tty::TCGETS => {
                sys::ioctl_buf(fd, req, &mut buf)?;
                mm.copy_out(arg, &buf[..tty::TERMIOS_SIZE])?;
                Ok(0)
            }
            tty::TCSETS | tty::TCSETSW | tty::TCSETSF => {
                mm.copy_in(arg, &mut buf[..tty::TERMIOS_SIZE])?;
                sys::ioctl_buf(fd, req, &mut buf)
            }
            tty::TIOCGWINSZ => {
                sys::ioctl_buf(fd, req, &mut buf)?;
                mm.copy_out(arg, &buf[..8])?;
                Ok(0)
            }
            tty::TIOCSWINSZ => {
                mm.copy_in(arg, &mut buf[..8])?;
                sys::ioctl_buf(fd, req, &mut buf)
            }
            tty::FIONREAD => {
                sys::ioctl_buf(fd, req, &mut buf)?;
                mm.copy_out(arg, &buf[..4])?;
                Ok(0)
            }
            tty::TIOCGPGRP => {
                if !self.tty {
                    return Err(Errno::ENOTTY);
                }
                let pg = crate::kernel::terminal::foreground();
                mm.copy_out(arg, &pg.to_ne_bytes())?;
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }

    fn host_fd(&self) -> Option<i32> {
        Some(self.fd.as_raw_fd())
    }

    fn terminal(&self) -> Option<&HostFile> {
        self.tty.then_some(self)
    }

    fn status_flags_changed(&self, flags: u32) {
        self.nonblock.store(
            flags & crate::vfs::oflags::O_NONBLOCK != 0,
            Ordering::Relaxed,
        );
    }

    fn readiness(&self, events: u16) -> u16 {
        let mut fds = [(self.fd.as_raw_fd(), events as i16, 0i16)];
        match sys::poll_host(&mut fds, 0) {
            Ok(_) => fds[0].2 as u16,
            Err(_) => crate::vfs::poll::POLLERR,
        }
    }

    fn stream_seek(&self, off: i64, whence: u32) -> Option<KResult<u64>> {
        Some(sys::lseek(self.fd.as_raw_fd(), off, whence))
    }
}

//! Thin, safe wrappers around the raw Linux system calls the gofer uses.
//!
//! This is the only module of the crate allowed to contain `unsafe` code.
//! Every wrapper takes borrowed or owned file descriptors (never raw ones)
//! and plain Rust buffers, retries on `EINTR`, and reports failures as
//! [`std::io::Error`] carrying the kernel's errno.

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// `struct open_how` from `<linux/openat2.h>`; `libc::open_how` is
/// `#[non_exhaustive]` and cannot be built outside libc.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// Maximum number of descriptors accepted in one received message; anything
/// beyond is discarded by the kernel (and flagged with `MSG_CTRUNC`).
pub const MAX_RECV_FDS: usize = 4;

/// Control buffer large enough for `CMSG_SPACE(MAX_RECV_FDS * 4)`, aligned
/// for `struct cmsghdr` (8 bytes on x86_64).
#[repr(C, align(8))]
struct CmsgBuf([u8; 64]);

/// Runs `f` until it does not fail with `EINTR`.
fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Converts a `-1`-on-error syscall return value into an `io::Result`.
fn cvt(rc: libc::c_long) -> io::Result<libc::c_long> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `openat2(dir, path, {flags, 0, resolve})`.
pub fn openat2(dir: BorrowedFd<'_>, path: &CStr, flags: u64, resolve: u64) -> io::Result<OwnedFd> {
    let how = OpenHow {
        flags,
        mode: 0,
        resolve,
    };
    let fd = retry(|| {
        // SAFETY: `path` is a valid NUL-terminated string and `how` a fully
        // initialised `open_how` that outlive the call; the size passed is
        // exactly the size of the struct; the kernel only reads both.
        cvt(unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                path.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        })
    })?;
    let fd = RawFd::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: openat2 succeeded, so `fd` is a freshly opened descriptor that
    // nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `fstat(fd)`; works on `O_PATH` descriptors too.
pub fn fstat(fd: BorrowedFd<'_>) -> io::Result<libc::stat> {
    let mut st = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is a writable buffer of the right type and size; the
    // kernel fills it completely when the call succeeds.
    let rc = unsafe { libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) };
    cvt(rc.into())?;
    // SAFETY: fstat returned success, so `st` was initialised.
    Ok(unsafe { st.assume_init() })
}

/// `fstatfs(fd)`; works on `O_PATH` descriptors too.
pub fn fstatfs(fd: BorrowedFd<'_>) -> io::Result<libc::statfs64> {
    let mut st = MaybeUninit::<libc::statfs64>::uninit();
    // SAFETY: `st` is a writable buffer of the right type and size; the
    // kernel fills it completely when the call succeeds.
    retry(|| cvt(unsafe { libc::fstatfs64(fd.as_raw_fd(), st.as_mut_ptr()) }.into()))?;
    // SAFETY: fstatfs returned success, so `st` was initialised.
    Ok(unsafe { st.assume_init() })
}

/// `getdents64(fd, buf)`: returns the number of bytes of `linux_dirent64`
/// records written to `buf` (0 at end of directory).
pub fn getdents64(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let n = retry(|| {
        // SAFETY: `buf` is a valid writable region of `buf.len()` bytes for
        // the duration of the call; the kernel writes at most that many.
        cvt(unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                fd.as_raw_fd(),
                buf.as_mut_ptr(),
                buf.len(),
            )
        })
    })?;
    usize::try_from(n).map_err(|_| io::Error::from_raw_os_error(libc::EIO))
}

/// `lseek(fd, off, SEEK_SET)`.
pub fn lseek_set(fd: BorrowedFd<'_>, off: i64) -> io::Result<i64> {
    // SAFETY: lseek takes no pointers; an invalid offset is reported as an
    // error by the kernel.
    let rc = unsafe { libc::lseek(fd.as_raw_fd(), off, libc::SEEK_SET) };
    cvt(rc)
}

/// `readlinkat(fd, "", buf)`: reads the target of the symlink `fd` refers to
/// (which must be an `O_PATH | O_NOFOLLOW` descriptor of the link itself).
pub fn readlink_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let n = retry(|| {
        // SAFETY: the path is a static empty C string; `buf` is a valid
        // writable region of `buf.len()` bytes; the kernel writes at most
        // that many and does not NUL-terminate.
        cvt(unsafe {
            libc::readlinkat(
                fd.as_raw_fd(),
                c"".as_ptr(),
                buf.as_mut_ptr().cast::<libc::c_char>(),
                buf.len(),
            )
        } as libc::c_long)
    })?;
    usize::try_from(n).map_err(|_| io::Error::from_raw_os_error(libc::EIO))
}

/// `fcntl(fd, F_GETFL)`.
pub fn get_status_flags(fd: BorrowedFd<'_>) -> io::Result<i32> {
    // SAFETY: F_GETFL takes no pointer argument.
    let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    cvt(rc.into()).map(|_| rc)
}

/// `fcntl(fd, F_SETFL, flags)`.
pub fn set_status_flags(fd: BorrowedFd<'_>, flags: i32) -> io::Result<()> {
    // SAFETY: F_SETFL takes an integer argument, no pointer.
    let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags) };
    cvt(rc.into()).map(|_| ())
}

/// `socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)`.
pub fn socketpair_seqpacket() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as RawFd; 2];
    // SAFETY: `fds` is a writable array of two ints, as socketpair requires.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    cvt(rc.into())?;
    // SAFETY: socketpair succeeded, so both descriptors are new and owned by
    // nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Sends `data` as one datagram on `sock`, attaching `fds` with
/// `SCM_RIGHTS`. Uses `MSG_NOSIGNAL` so a vanished peer yields `EPIPE`
/// rather than `SIGPIPE`.
pub fn send_with_fds(
    sock: BorrowedFd<'_>,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    if fds.len() > MAX_RECV_FDS {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut cbuf = CmsgBuf([0; 64]);
    let mut iov = libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    };
    // SAFETY: msghdr is a plain C struct for which all-zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        let payload = std::mem::size_of_val(fds) as u32;
        // SAFETY: CMSG_SPACE is a pure arithmetic helper.
        let space = unsafe { libc::CMSG_SPACE(payload) } as usize;
        debug_assert!(space <= cbuf.0.len());
        msg.msg_control = cbuf.0.as_mut_ptr().cast();
        msg.msg_controllen = space;
        // SAFETY: msg_control points at `space` bytes of our aligned buffer,
        // which is large enough for one cmsghdr carrying `fds.len()` ints
        // (checked above); CMSG_FIRSTHDR is therefore non-null and CMSG_DATA
        // points inside the buffer with room for `payload` bytes.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(payload) as usize;
            let mut p = libc::CMSG_DATA(cmsg).cast::<RawFd>();
            for fd in fds {
                p.write_unaligned(fd.as_raw_fd());
                p = p.add(1);
            }
        }
    }
    let n = retry(|| {
        // SAFETY: `msg` points at the live iovec/control buffers set up
        // above; the kernel only reads them.
        cvt(unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) } as libc::c_long)
    })?;
    usize::try_from(n).map_err(|_| io::Error::from_raw_os_error(libc::EIO))
}

/// Result of [`recv_with_fds`].
#[derive(Debug)]
pub struct Received {
    /// Bytes of the datagram stored in the buffer.
    pub len: usize,
    /// Descriptors received with `SCM_RIGHTS` (already `O_CLOEXEC`).
    pub fds: Vec<OwnedFd>,
    /// The datagram was larger than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
    /// Some control data (descriptors) was discarded (`MSG_CTRUNC`).
    pub ctruncated: bool,
}

/// Receives one datagram from `sock` into `buf`, together with up to
/// [`MAX_RECV_FDS`] descriptors (received with `MSG_CMSG_CLOEXEC`).
/// A length of 0 means the peer closed the connection.
pub fn recv_with_fds(sock: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<Received> {
    let mut cbuf = CmsgBuf([0; 64]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: msghdr is a plain C struct for which all-zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.0.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE is a pure arithmetic helper.
    let space = unsafe { libc::CMSG_SPACE((MAX_RECV_FDS * std::mem::size_of::<RawFd>()) as u32) };
    msg.msg_controllen = (space as usize).min(cbuf.0.len());
    let n = retry(|| {
        // SAFETY: `msg` points at live, writable iovec and control buffers
        // of the advertised sizes; the kernel writes within them.
        cvt(
            unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) }
                as libc::c_long,
        )
    })?;
    let len = usize::try_from(n).map_err(|_| io::Error::from_raw_os_error(libc::EIO))?;
    let mut fds = Vec::new();
    // SAFETY: after a successful recvmsg, `msg.msg_control`/`msg_controllen`
    // describe the control messages the kernel wrote into `cbuf`;
    // CMSG_FIRSTHDR/CMSG_NXTHDR only return headers lying entirely inside
    // that region, and we only read `cmsg_len - CMSG_LEN(0)` payload bytes,
    // which the kernel guarantees are inside the header's extent. Each
    // SCM_RIGHTS entry is a descriptor newly installed in our table that we
    // now own.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let header = libc::CMSG_LEN(0) as usize;
                let payload = (*cmsg).cmsg_len.saturating_sub(header);
                let count = payload / std::mem::size_of::<RawFd>();
                let p = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                for i in 0..count {
                    let fd = p.add(i).read_unaligned();
                    if fd >= 0 {
                        fds.push(OwnedFd::from_raw_fd(fd));
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    Ok(Received {
        len,
        fds,
        truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
        ctruncated: msg.msg_flags & libc::MSG_CTRUNC != 0,
    })
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)`.
pub fn set_no_new_privs() -> io::Result<()> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes only integer arguments.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) };
    cvt(rc.into()).map(|_| ())
}

/// The two words of a `fsid_t` (whose field libc keeps private).
pub fn fsid_words(fsid: &libc::fsid_t) -> [i32; 2] {
    const _: () = assert!(std::mem::size_of::<libc::fsid_t>() == 8);
    // SAFETY: `fsid_t` is `struct { int __val[2]; }` (size checked above at
    // compile time), so it has the same layout as `[i32; 2]`; we read a
    // copy through a properly aligned reference.
    unsafe { std::ptr::read_unaligned((fsid as *const libc::fsid_t).cast::<[i32; 2]>()) }
}

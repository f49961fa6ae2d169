//! Safe wrappers for the few host calls the sentry makes on host file
//! descriptors it legitimately holds (donated stdio, files the gofer
//! opened): read, write, pread, lseek, fstat, ioctl, getrandom. Every
//! other module of the sentry is free of `unsafe`.

use std::os::fd::RawFd;

use crate::errno::{Errno, KResult};
use crate::vfs::{Stat, Timespec};

fn ret(n: isize) -> KResult<usize> {
    if n < 0 {
        Err(Errno::last_host())
    } else {
        Ok(n as usize)
    }
}

/// read(2) on a host fd.
pub fn read(fd: RawFd, buf: &mut [u8]) -> KResult<usize> {
    loop {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let r = ret(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) });
        if r != Err(Errno::EINTR) {
            return r;
        }
    }
}

/// write(2) on a host fd.
pub fn write(fd: RawFd, buf: &[u8]) -> KResult<usize> {
    loop {
        // SAFETY: buf is a valid readable buffer of buf.len() bytes.
        let r = ret(unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) });
        if r != Err(Errno::EINTR) {
            return r;
        }
    }
}

/// pread(2) on a host fd.
pub fn pread(fd: RawFd, buf: &mut [u8], off: u64) -> KResult<usize> {
    loop {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let r =
            ret(unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), off as libc::off_t) });
        if r != Err(Errno::EINTR) {
            return r;
        }
    }
}

/// lseek(2) on a host fd.
pub fn lseek(fd: RawFd, off: i64, whence: u32) -> KResult<u64> {
    // SAFETY: plain syscall on integers.
    let r = unsafe { libc::lseek(fd, off, whence as i32) };
    if r < 0 {
        Err(Errno::last_host())
    } else {
        Ok(r as u64)
    }
}

/// fstat(2) of a host fd, as a VFS stat.
pub fn fstat(fd: RawFd) -> KResult<Stat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: st is a valid out-pointer for one struct stat.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } < 0 {
        return Err(Errno::last_host());
    }
    // SAFETY: zero-initialized and filled by the kernel.
    let s = unsafe { st.assume_init() };
    Ok(Stat {
        dev: s.st_dev,
        ino: s.st_ino,
        mode: s.st_mode,
        nlink: s.st_nlink,
        uid: s.st_uid,
        gid: s.st_gid,
        rdev: s.st_rdev,
        size: s.st_size as u64,
        blksize: s.st_blksize as u64,
        blocks: s.st_blocks as u64,
        atime: Timespec {
            sec: s.st_atime,
            nsec: s.st_atime_nsec,
        },
        mtime: Timespec {
            sec: s.st_mtime,
            nsec: s.st_mtime_nsec,
        },
        ctime: Timespec {
            sec: s.st_ctime,
            nsec: s.st_ctime_nsec,
        },
    })
}

/// An ioctl whose argument is a buffer of at most 64 bytes (terminal
/// requests); returns the call's result.
pub fn ioctl_buf(fd: RawFd, req: u64, buf: &mut [u8; 64]) -> KResult<u64> {
    // SAFETY: every request routed here reads or writes at most 64 bytes
    // at the pointer, which is a valid 64-byte buffer.
    let r = unsafe { libc::ioctl(fd, req as libc::c_ulong, buf.as_mut_ptr()) };
    if r < 0 {
        Err(Errno::last_host())
    } else {
        Ok(r as u64)
    }
}

/// Fills `buf` with random bytes from the host.
pub fn getrandom(buf: &mut [u8], flags: u32) -> KResult<usize> {
    // SAFETY: buf is a valid writable buffer of buf.len() bytes.
    ret(unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), flags) })
}

/// Whether a host fd is a terminal.
pub fn isatty(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the fd.
    unsafe { libc::isatty(fd) == 1 }
}

/// A value of the sentry's own auxiliary vector (AT_HWCAP and friends,
/// which describe this CPU and are passed on to the application).
pub fn host_auxval(kind: u64) -> u64 {
    // SAFETY: getauxval only reads the process's auxiliary vector.
    unsafe { libc::getauxval(kind as libc::c_ulong) }
}

/// A random u64 from the host.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    let _ = getrandom(&mut b, 0);
    u64::from_ne_bytes(b)
}

/// clock_gettime(2) of a host clock.
pub fn clock_gettime(id: i32) -> KResult<(i64, i64)> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer.
    if unsafe { libc::clock_gettime(id, &mut ts) } < 0 {
        return Err(Errno::last_host());
    }
    Ok((ts.tv_sec, ts.tv_nsec))
}

/// clock_getres(2) of a host clock.
pub fn clock_getres(id: i32) -> KResult<(i64, i64)> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer.
    if unsafe { libc::clock_getres(id, &mut ts) } < 0 {
        return Err(Errno::last_host());
    }
    Ok((ts.tv_sec, ts.tv_nsec))
}

/// The host's sysinfo(2): (uptime, loads, totalram, freeram, sharedram,
/// bufferram, totalswap, freeswap, mem_unit).
pub fn host_sysinfo() -> KResult<libc::sysinfo> {
    let mut si = std::mem::MaybeUninit::<libc::sysinfo>::zeroed();
    // SAFETY: si is a valid out-pointer for one struct sysinfo.
    if unsafe { libc::sysinfo(si.as_mut_ptr()) } < 0 {
        return Err(Errno::last_host());
    }
    // SAFETY: zero-initialized and filled by the kernel.
    Ok(unsafe { si.assume_init() })
}

/// The host's rlimit of `resource`.
pub fn host_rlimit(resource: u32) -> Option<(u64, u64)> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: r is a valid out-pointer.
    if unsafe { libc::getrlimit(resource as _, &mut r) } < 0 {
        return None;
    }
    Some((r.rlim_cur, r.rlim_max))
}

/// poll(2) on host fds: `fds` are (fd, events, revents).
pub fn poll_host(fds: &mut [(i32, i16, i16)], timeout_ms: i32) -> KResult<usize> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events, _)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    // SAFETY: p is a valid array of p.len() pollfd structs.
    let r = unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        return Err(Errno::last_host());
    }
    for (slot, q) in fds.iter_mut().zip(p.iter()) {
        slot.2 = q.revents;
    }
    Ok(r as usize)
}

/// The calling host thread's id.
pub fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// The CPU time (ns) of host clock `id`, or None when it cannot be read
/// (e.g. the process or thread it names is gone).
pub fn cpu_clock_ns(id: i32) -> Option<u64> {
    let (s, n) = clock_gettime(id).ok()?;
    Some((s.max(0) as u64).saturating_mul(1_000_000_000) + n.max(0) as u64)
}

/// The host clock id of host thread `tid`'s CPU time (Linux's
/// MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)); readable only from the
/// thread's own thread group, i.e. for the sentry's own threads.
pub fn thread_cpu_clock(tid: i32) -> i32 {
    const CPUCLOCK_PERTHREAD: i32 = 4;
    const CPUCLOCK_SCHED: i32 = 2;
    (!tid << 3) | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED
}

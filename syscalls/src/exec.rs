//! `execve(2)` and `execveat(2)`: copy in the path, argv and envp, load the
//! program into a new address space (`sentry::kernel::exec`), and only
//! then replace the task's program. Until that point a failure leaves the
//! caller untouched and returns the errno Linux gives.

use sentry::kernel::exec;
use sentry::kernel::{SyscallArgs, Task};
use sentry::{Errno, KResult};

/// The most argument and environment bytes together (ARG_MAX-like cap).
const MAX_ARG_BYTES: usize = 2 << 20;
/// The most pointers in argv or envp (MAX_ARG_STRINGS).
const MAX_ARG_STRINGS: usize = 0x7fff_ffff;

/// Reads a NULL-terminated array of string pointers.
fn read_strings(t: &Task, mut addr: u64, total: &mut usize) -> KResult<Vec<Vec<u8>>> {
    let mut v = Vec::new();
    if addr == 0 {
        return Ok(v);
    }
    loop {
        let p = t.read_u64(addr)?;
        if p == 0 {
            return Ok(v);
        }
        if v.len() >= MAX_ARG_STRINGS {
            return Err(Errno::E2BIG);
        }
        let s = t.mm.read_cstring(p, 128 * 1024).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        *total += s.len() + 1 + 8;
        if *total > MAX_ARG_BYTES {
            return Err(Errno::E2BIG);
        }
        v.push(s);
        addr = addr.checked_add(8).ok_or(Errno::EFAULT)?;
    }
}

fn do_exec(
    t: &mut Task,
    dirfd: i32,
    path_addr: u64,
    argv: u64,
    envp: u64,
    flags: u64,
) -> KResult<u64> {
    const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
    const AT_EMPTY_PATH: u64 = 0x1000;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let mut path = t.read_path(path_addr)?;
    let mut total = 0;
    let argv = read_strings(t, argv, &mut total)?;
    let envp = read_strings(t, envp, &mut total)?;
    let mut fs = t.shared.fs().clone();
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        // Execute the file dirfd names.
        let f = t.file(dirfd)?;
        let d = f.dentry.clone().ok_or(Errno::EACCES)?;
        path = d.path();
        fs.root = t.kernel.vfs.root.clone();
    } else if path[0] != b'/' && dirfd != -100 {
        fs.cwd = t.start_dir(dirfd, &path)?;
    }
    if flags & AT_SYMLINK_NOFOLLOW != 0 {
        let d = t.resolve_at(dirfd, &path, false)?;
        if d.inode.stat()?.file_type() == sentry::vfs::FileType::Symlink {
            return Err(Errno::ELOOP);
        }
    }
    let creds = t.shared.creds().clone();
    let image = exec::load(&t.kernel, &fs, &creds, &path, argv, envp).map_err(|e| {
        log::debug!("execve {}: {}", String::from_utf8_lossy(&path), e.message);
        e.errno
    })?;
    // The point of no return: the other threads of the process go, and a
    // non-leader caller takes the leader's place.
    t.end_other_threads_for_exec();
    t.install_image(image);
    Ok(0)
}

/// execve(2).
pub fn sys_execve(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_exec(t, -100, a.a[0], a.a[1], a.a[2], 0)
}

/// execveat(2).
pub fn sys_execveat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_exec(t, a.a[0] as i32, a.a[1], a.a[2], a.a[3], a.a[4])
}

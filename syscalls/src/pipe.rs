//! `pipe(2)` and `pipe2(2)`: a sentry pipe (`sentry::fsimpl::pipe`) with
//! its two ends installed as fds; if the fds cannot be copied out, both
//! are closed again.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use sentry::fsimpl::pipe::Pipe;
use sentry::kernel::{SyscallArgs, Task};
use sentry::vfs::oflags::{O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY};
use sentry::vfs::{InodeRef, OpenFile};
use sentry::{Errno, KResult};

fn do_pipe2(t: &mut Task, fds_addr: u64, flags: u32) -> KResult<u64> {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }
    let pipe = Pipe::new();
    let inode: InodeRef = pipe.clone();
    let nb = flags & O_NONBLOCK;
    let r = pipe.end(false, Arc::new(AtomicBool::new(nb != 0)));
    let w = pipe.end(true, Arc::new(AtomicBool::new(nb != 0)));
    let rf = OpenFile::new(None, inode.clone(), O_RDONLY | nb, Box::new(r));
    let wf = OpenFile::new(None, inode, O_WRONLY | nb, Box::new(w));
    let limit = t.shared.limits().nofile();
    let cloexec = flags & O_CLOEXEC != 0;
    let rfd = t.fds().alloc(rf, 0, cloexec, limit)?;
    let wfd = match t.fds().alloc(wf, 0, cloexec, limit) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = t.fds().close(rfd);
            return Err(e);
        }
    };
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&rfd.to_ne_bytes());
    b[4..].copy_from_slice(&wfd.to_ne_bytes());
    if let Err(e) = t.copy_out(fds_addr, &b) {
        let _ = t.fds().close(rfd);
        let _ = t.fds().close(wfd);
        return Err(e);
    }
    Ok(0)
}

/// pipe(2).
pub fn sys_pipe(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_pipe2(t, a.a[0], 0)
}

/// pipe2(2).
pub fn sys_pipe2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_pipe2(t, a.a[0], a.a[1] as u32)
}

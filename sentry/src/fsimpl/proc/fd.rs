//! `/proc/PID/fd/` (a magic link per descriptor) and `/proc/PID/fdinfo/`
//! (position, status flags in octal with O_CLOEXEC for close-on-exec
//! descriptors, mount id and inode, then what the file itself adds:
//! eventfd counts, epoll interest lists, signalfd masks, timerfd
//! schedules, pidfd pids).

use std::fmt::Write as _;
use std::sync::Arc;

use super::task::TaskRef;
use crate::errno::{Errno, KResult};
use crate::fsimpl::synth::{SynthDir, SynthFile, SynthLink};
use crate::kernel::Kernel;
use crate::vfs::fdtable::FdEntry;
use crate::vfs::{Dentry, FileType, InodeRef, OpenFile, oflags};

/// The descriptors of the task, each as `make(task, fd)`. Entries look
/// the descriptor up again when used, so they never keep a closed file
/// open and see it replaced.
fn per_fd(r: TaskRef, make: fn(TaskRef, i32) -> InodeRef) -> InodeRef {
    SynthDir::new(0o500, move || {
        let Ok(t) = r.task() else { return Vec::new() };
        t.fds
            .list()
            .into_iter()
            .map(|(fd, _)| (fd.to_string().into_bytes(), make(r.clone(), fd)))
            .collect()
    })
}

fn entry(r: &TaskRef, fd: i32) -> KResult<FdEntry> {
    r.task()?.fds.entry(fd).map_err(|_| Errno::ENOENT)
}

/// `/proc/PID/fd`.
pub(super) fn fd_dir(r: TaskRef) -> InodeRef {
    per_fd(r, |r, fd| {
        let r2 = r.clone();
        SynthLink::magic(
            move || Ok(describe_file(&entry(&r, fd)?.file)),
            move || {
                let f = entry(&r2, fd)?.file;
                Ok(f.dentry.clone().unwrap_or_else(|| {
                    Arc::new(Dentry {
                        name: describe_file(&f),
                        parent: None,
                        inode: f.inode.clone(),
                    })
                }))
            },
        )
    })
}

/// `/proc/PID/fdinfo`.
pub(super) fn fdinfo_dir(r: TaskRef) -> InodeRef {
    per_fd(r, |r, fd| {
        SynthFile::new(0o444, move || {
            let (k, _) = r.get()?;
            Ok(fdinfo(&k, &entry(&r, fd)?).into_bytes())
        })
    })
}

/// The text of `/proc/PID/fdinfo/N`.
fn fdinfo(k: &Kernel, e: &FdEntry) -> String {
    let f = &e.file;
    let pos = *f.pos.lock().unwrap_or_else(|p| p.into_inner());
    let flags = f.flags() | if e.cloexec { oflags::O_CLOEXEC } else { 0 };
    let ino = f.inode.stat().map(|s| s.ino).unwrap_or(0);
    let mut s = String::new();
    let _ = write!(
        s,
        "pos:\t{pos}\nflags:\t0{flags:o}\nmnt_id:\t{}\nino:\t{ino}\n",
        k.vfs.mount_id(f.dentry.as_deref()),
    );
    f.imp.show_fdinfo(&mut s);
    s
}

/// What /proc/PID/fd/N reads as.
pub fn describe_file(f: &OpenFile) -> Vec<u8> {
    if let Some(d) = &f.dentry {
        return d.path();
    }
    if let Some(name) = f.imp.anon_name() {
        return format!("anon_inode:[{name}]").into_bytes();
    }
    let st = f.inode.stat().unwrap_or_default();
    match st.file_type() {
        FileType::CharDevice => match (st.rdev >> 8, st.rdev & 0xff) {
            // Donated host devices read as the sandbox's /dev names.
            (1, 3) => b"/dev/null".to_vec(),
            (1, 5) => b"/dev/zero".to_vec(),
            (1, 7) => b"/dev/full".to_vec(),
            (1, 8) => b"/dev/random".to_vec(),
            (1, 9) => b"/dev/urandom".to_vec(),
            (5, 0) => b"/dev/tty".to_vec(),
            (4 | 5 | 136, minor) => format!("/dev/pts/{minor}").into_bytes(),
            _ => format!("anon_inode:[{}]", st.ino).into_bytes(),
        },
        FileType::Fifo => format!("pipe:[{}]", st.ino).into_bytes(),
        FileType::Socket => format!("socket:[{}]", st.ino).into_bytes(),
        _ => format!("anon_inode:[{}]", st.ino).into_bytes(),
    }
}

//! procfs (`proc(5)`), generated from kernel state each time a file is
//! opened: `/proc/self`, `/proc/thread-self`, one directory per process of
//! the sandbox (and nothing of the host; a thread's tid is found by lookup
//! but not listed, as on Linux), and the system files programs commonly
//! read.
//!
//! Submodules: `system` (loadavg, uptime, stat, meminfo, cpuinfo, sys/),
//! `task` (the per-task directory), `stat` (stat, status, statm), `maps`
//! (smaps and memory accounting), `fd` (fd/ and fdinfo/).
//!
//! Values the sentry does not track are documented approximations: CPU
//! times and fault counts are 0, VmPeak/VmHWM equal VmSize/VmRSS, Pss
//! equals Rss, and a task other than the reader is `S` while its serving
//! thread is inside a syscall and `R` otherwise.

mod fd;
mod maps;
mod stat;
mod system;
mod task;

use std::sync::{Arc, Weak};

use super::synth::{SynthDir, SynthFile, SynthLink};
use crate::errno::{Errno, KResult};
use crate::kernel::{Kernel, current};
use crate::vfs::InodeRef;

pub use fd::describe_file;
pub use system::{HostSnapshot, host, snapshot_host};

/// USER_HZ: the unit of clock ticks in /proc (and `times(2)`).
pub const USER_HZ: u64 = 100;

fn kernel_of(k: &Weak<Kernel>) -> KResult<Arc<Kernel>> {
    k.upgrade().ok_or(Errno::ESRCH)
}

/// A read-only text file generated at open.
fn file(f: impl Fn() -> KResult<String> + Send + Sync + 'static) -> InodeRef {
    SynthFile::new(0o444, move || f().map(String::into_bytes))
}

/// The root of a procfs for `kernel`.
pub fn root(kernel: Weak<Kernel>) -> Arc<SynthDir> {
    let mut fixed: Vec<(&'static str, InodeRef)> = vec![
        (
            "self",
            SynthLink::new(|| {
                Ok(current::get()
                    .map(|t| t.tgid.to_string())
                    .unwrap_or_default()
                    .into_bytes())
            }),
        ),
        (
            "thread-self",
            SynthLink::new(|| {
                Ok(current::get()
                    .map(|t| format!("{}/task/{}", t.tgid, t.tid))
                    .unwrap_or_default()
                    .into_bytes())
            }),
        ),
        ("mounts", SynthLink::new(|| Ok(b"self/mounts".to_vec()))),
    ];
    fixed.extend(system::entries(&kernel));
    let k2 = kernel.clone();
    SynthDir::with_lookup(
        0o555,
        move || {
            let mut v: Vec<(Vec<u8>, InodeRef)> = fixed
                .iter()
                .map(|(n, i)| (n.as_bytes().to_vec(), i.clone()))
                .collect();
            if let Ok(kernel) = kernel_of(&kernel) {
                for t in kernel.tasks() {
                    if t.tid == t.tgid {
                        v.push((t.tid.to_string().into_bytes(), task::pid_dir(&kernel, &t)));
                    }
                }
            }
            v
        },
        // /proc/TID of a thread that is not a group leader: reachable,
        // not listed.
        move |name| {
            if name.first() == Some(&b'0') {
                return None;
            }
            let tid: i32 = std::str::from_utf8(name).ok()?.parse().ok()?;
            let kernel = kernel_of(&k2).ok()?;
            let t = kernel.task(tid)?;
            Some(task::pid_dir(&kernel, &t))
        },
    )
}

//! devfs: the devices a sandbox has (`null`, `zero`, `full`, `random`,
//! `urandom`, `tty` when stdio is a terminal) and the links to the donated
//! stdio (`stdin`, `stdout`, `stderr`, `fd`).

use std::any::Any;
use std::sync::Arc;

use super::new_ino;
use super::synth::{SynthDir, SynthLink, synth_stat};
use crate::errno::{Errno, KResult};
use crate::kernel::Kernel;
use crate::sys;
use crate::vfs::{FileImpl, Inode, InodeRef, Stat, mode};

/// The kind of a memory device.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Zero,
    Full,
    Random,
}

struct DevNode {
    ino: u64,
    kind: Kind,
    rdev: u64,
}

fn makedev(major: u64, minor: u64) -> u64 {
    (major << 8) | minor
}

impl Inode for DevNode {
    fn stat(&self) -> KResult<Stat> {
        let mut st = synth_stat(self.ino, mode::S_IFCHR | 0o666);
        st.rdev = self.rdev;
        st.blksize = 4096;
        Ok(st)
    }
    fn open(self: Arc<Self>, _flags: u32) -> KResult<Box<dyn FileImpl>> {
        Ok(Box::new(DevFile(self.kind)))
    }
    fn truncate(&self, _len: u64) -> KResult<()> {
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct DevFile(Kind);

impl FileImpl for DevFile {
    fn read(&self, buf: &mut [u8], _off: u64) -> KResult<usize> {
        match self.0 {
            Kind::Null => Ok(0),
            Kind::Zero | Kind::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Kind::Random => {
                let n = buf.len().min(1 << 25);
                sys::getrandom(&mut buf[..n], 0)
            }
        }
    }
    fn write(&self, buf: &[u8], _off: u64) -> KResult<usize> {
        match self.0 {
            Kind::Full => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }
    /// Memory devices have no offset: lseek always lands at 0.
    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        Some(Ok(0))
    }
}

fn dev(kind: Kind, major: u64, minor: u64) -> InodeRef {
    Arc::new(DevNode {
        ino: new_ino(),
        kind,
        rdev: makedev(major, minor),
    })
}

/// An empty read-only directory (the minimal /sys).
pub fn empty_dir() -> InodeRef {
    SynthDir::fixed(0o555, Vec::new())
}

/// The root of devfs.
pub fn root(kernel: &Arc<Kernel>) -> InodeRef {
    let mut entries: Vec<(&'static str, InodeRef)> = vec![
        ("null", dev(Kind::Null, 1, 3)),
        ("zero", dev(Kind::Zero, 1, 5)),
        ("full", dev(Kind::Full, 1, 7)),
        ("random", dev(Kind::Random, 1, 8)),
        ("urandom", dev(Kind::Random, 1, 9)),
        ("stdin", SynthLink::new(|| Ok(b"/proc/self/fd/0".to_vec()))),
        ("stdout", SynthLink::new(|| Ok(b"/proc/self/fd/1".to_vec()))),
        ("stderr", SynthLink::new(|| Ok(b"/proc/self/fd/2".to_vec()))),
        ("fd", SynthLink::new(|| Ok(b"/proc/self/fd".to_vec()))),
        ("pts", SynthDir::fixed(0o755, Vec::new())),
        (
            "shm",
            // A memory file system, as tmpfs on Linux (POSIX shared memory
            // and semaphores live here).
            match super::overlay::OverlayFs::new_root(None) {
                Ok(d) => d as InodeRef,
                Err(_) => SynthDir::fixed(0o1777, Vec::new()),
            },
        ),
    ];
    // /dev/tty is the donated terminal, when stdio is one.
    if let Some(tty) = kernel.stdio.iter().find(|i| {
        i.as_any()
            .downcast_ref::<super::host::HostInode>()
            .is_some_and(|h| h.is_tty())
    }) {
        entries.push(("tty", tty.clone()));
    }
    SynthDir::fixed(0o755, entries)
}

//! File system implementations: the overlay root (gofer lower, memory
//! upper), synthetic nodes for procfs and devfs, donated host files, and
//! the anonymous kernel objects read as files (pipes, eventfds, epolls,
//! pidfds, signalfds, timerfds).

/// Implements `Inode` for an anonymous kernel object: `$obj` has an `ino`
/// field, and its open file is `$file(Arc<$obj>)`. Like Linux's anon
/// inodes, it belongs to no directory and stats as a 0600 file.
macro_rules! anon_inode {
    ($obj:ty, $file:ident) => {
        impl $crate::vfs::Inode for $obj {
            fn stat(&self) -> $crate::errno::KResult<$crate::vfs::Stat> {
                Ok($crate::fsimpl::synth::synth_stat(self.ino, 0o600))
            }
            fn open(
                self: std::sync::Arc<Self>,
                _flags: u32,
            ) -> $crate::errno::KResult<Box<dyn $crate::vfs::FileImpl>> {
                Ok(Box::new($file(self)))
            }
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }
        }
    };
}

pub mod dev;
pub mod epoll;
pub mod eventfd;
pub mod gofer;
pub mod host;
pub mod overlay;
pub mod pidfd;
pub mod pipe;
pub mod proc;
pub mod signalfd;
pub mod synth;
pub mod timerfd;

use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_INO: AtomicU64 = AtomicU64::new(1 << 48);

/// A fresh inode number for a file that exists only in the sentry.
pub fn new_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

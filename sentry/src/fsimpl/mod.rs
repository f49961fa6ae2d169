//! File system implementations: the overlay root (gofer lower, memory
//! upper), synthetic nodes for procfs and devfs, and donated host files.

pub mod dev;
pub mod epoll;
pub mod eventfd;
pub mod gofer;
pub mod host;
pub mod overlay;
pub mod pidfd;
pub mod pipe;
pub mod proc;
pub mod synth;

use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_INO: AtomicU64 = AtomicU64::new(1 << 48);

/// A fresh inode number for a file that exists only in the sentry.
pub fn new_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

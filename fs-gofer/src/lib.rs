//! fs-gofer: the read-only file server of a runlx sandbox.
//!
//! The gofer is a separate process (`runlx gofer`) holding a directory fd of
//! the sandbox's root file system. It answers lstat/open/readdir/readlink/
//! statfs requests from the sentry over a `SOCK_SEQPACKET` socket pair,
//! donating opened fds with `SCM_RIGHTS`. The sentry resolves paths itself
//! and only sends relative, symlink-free paths; the gofer opens each with
//! `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`
//! so it never follows a symlink and never escapes the root.
//!
//! * [`wire`]: message format (see `docs/gofer-protocol.md`).
//! * [`serve`]: the server loop; [`install_gofer_filter`]: its seccomp jail.
//! * [`GoferClient`]: the sentry's thread-safe client.

#![deny(unsafe_code)]

mod client;
mod error;
pub mod seccomp;
mod server;
#[allow(unsafe_code)]
mod sys;
pub mod wire;

use std::os::fd::OwnedFd;

pub use client::{DirPage, GoferClient};
pub use error::GoferError;
pub use seccomp::install_gofer_filter;
pub use server::serve;
pub use wire::{DirEntry, MAX_MESSAGE_SIZE, MAX_PATH_LEN, PROTOCOL_VERSION, Stat, StatFs};

/// Creates the connected `AF_UNIX`/`SOCK_SEQPACKET` socket pair
/// (both ends `SOCK_CLOEXEC`). By convention the first end goes to the
/// sentry ([`GoferClient::connect`]) and the second to the gofer
/// ([`serve`]); the pair is symmetric, so either works.
pub fn spawn_pair() -> Result<(OwnedFd, OwnedFd), GoferError> {
    Ok(sys::socketpair_seqpacket()?)
}

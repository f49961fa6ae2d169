//! The sentry: runlx's kernel. It serves every system call of the
//! sandboxed program with its own tasks, memory manager, VFS and file
//! systems; the host is reached only through the platform (which runs the
//! program), the gofer (files), and the donated stdio.
//!
//! `unsafe` lives only in `platform`, `memfile` and `sys`.

#![deny(unsafe_code)]

pub mod errno;
pub mod fsimpl;
pub mod kernel;
#[allow(unsafe_code)]
pub mod memfile;
pub mod mm;
#[allow(unsafe_code)]
pub mod platform;
#[allow(unsafe_code)]
pub mod sys;
pub mod vfs;

pub use errno::{Errno, KResult};

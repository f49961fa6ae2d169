//! strace-compatible syscall decoding for `runlx do --strace`.
//!
//! Every syscall of the traced program passes the sentry's dispatch point;
//! this module turns `(number, six raw arguments, result)` plus access to the
//! program's memory into the line strace would print, e.g.
//!
//! ```text
//! openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
//! read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\220\243\2\0\0\0\0\0"..., 832) = 832
//! access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
//! exit_group(0) = ?
//! ```
//!
//! Layout:
//! - [`names`]: the x86_64 syscall table (number <-> name, 0..=462).
//! - [`errno`]: errno names and `strerror` messages, plus the kernel-internal
//!   restart codes (`ERESTARTSYS` ...).
//! - [`flags`]: decoders for flag words and enumerations (`O_*`, `PROT_*`,
//!   `MAP_*`, signals, clocks, `CLONE_*`, ...), with generic
//!   [`flags::flags`] / [`flags::enum_name`] helpers.
//! - [`shapes`]: per-syscall argument shapes ([`shapes::Arg`]) and
//!   return-value styles.
//! - [`format`]: the line formatter over a [`UserMemory`] implementation.
//!
//! Use: call [`capture_entry`] when the syscall enters (input strings and
//! structs must be read before the kernel changes memory), then
//! [`format_call`] with the result when it returns, or [`format_noreturn`]
//! for `exit`/`exit_group` (`= ?`). Prefix lines with [`pid_prefix`].
//!
//! The module depends only on `std` and `libc` (tests) and refers to its own
//! parts through `super::`, so it can be compiled standalone.

pub mod errno;
pub mod flags;
pub mod format;
pub mod names;
pub mod shapes;

pub use errno::{errno_message, errno_name, is_restart_errno};
pub use format::{
    EntryStrings, UserMemory, capture_entry, format_call, format_entry, format_noreturn,
    format_result, pid_prefix, quote,
};
pub use names::{MAX_SYSCALL, all_syscalls, syscall_name, syscall_number};
pub use shapes::{Arg, Ret, ret_kind, shape};

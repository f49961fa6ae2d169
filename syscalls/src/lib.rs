//! The syscall table of runlx: one handler per Linux x86_64 syscall number
//! (thin: decode, validate, call the kernel object, encode), one file per
//! syscall family, and the strace-format decoding used by `--strace`.
//! `table()` builds what the front end hands to the kernel at boot.

#![deny(unsafe_code)]

pub mod abi;
pub mod clone;
pub mod epoll;
pub mod exec;
pub mod file;
pub mod futex;
pub mod mmap;
pub mod pipe;
pub mod poll;
pub mod process;
pub mod signal;
pub mod splice;
pub mod strace;
pub mod table;
pub mod time;
pub mod timer;
pub mod xattr;

use std::sync::Arc;

use sentry::kernel::{Handler, SyscallArgs, SyscallTable, Task, TraceEntry};

/// The x86_64 Linux table.
pub struct Linux64 {
    handlers: Vec<Option<Handler>>,
}

/// Builds the table.
pub fn table() -> Arc<dyn SyscallTable> {
    let mut handlers: Vec<Option<Handler>> = vec![None; table::TABLE_SIZE];
    for (nr, h) in table::IMPLEMENTED {
        handlers[*nr as usize] = Some(*h);
    }
    Arc::new(Linux64 { handlers })
}

/// Whether `nr` has a handler (for the coverage table).
pub fn is_implemented(nr: u64) -> bool {
    table::IMPLEMENTED.iter().any(|(n, _)| *n == nr)
}

/// Application memory as strace reads it.
struct TaskMemory<'a>(&'a Task);

impl strace::UserMemory for TaskMemory<'_> {
    fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.0.mm.copy_in(addr, &mut v).ok()?;
        Some(v)
    }

    fn read_cstring(&self, addr: u64, max: usize) -> Option<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            let chunk = (4096 - (a % 4096) as usize).min(max - out.len());
            let mut buf = vec![0u8; chunk];
            if self.0.mm.copy_in(a, &mut buf).is_err() {
                return if out.is_empty() {
                    None
                } else {
                    Some((out, false))
                };
            }
            if let Some(p) = buf.iter().position(|&b| b == 0) {
                out.extend_from_slice(&buf[..p]);
                return Some((out, true));
            }
            out.extend_from_slice(&buf);
            a += chunk as u64;
        }
        Some((out, false))
    }
}

impl SyscallTable for Linux64 {
    fn handler(&self, nr: u64) -> Option<Handler> {
        self.handlers.get(nr as usize).copied().flatten()
    }

    fn name(&self, nr: u64) -> Option<&'static str> {
        strace::syscall_name(nr)
    }

    fn trace_entry(&self, task: &Task, args: &SyscallArgs) -> TraceEntry {
        strace::capture_entry(&TaskMemory(task), args.nr, &args.a)
    }

    fn trace_exit(&self, task: &Task, args: &SyscallArgs, entry: &TraceEntry, ret: i64) -> String {
        if task.exit.is_some() && matches!(args.nr, 60 | 231) {
            return strace::format_noreturn(&TaskMemory(task), args.nr, &args.a, entry);
        }
        strace::format_call(&TaskMemory(task), args.nr, &args.a, entry, ret)
    }
}

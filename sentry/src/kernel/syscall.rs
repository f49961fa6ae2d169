//! The syscall table interface. The kernel does not know the table; the
//! front end builds it (`syscalls::table()`) and hands it over at boot, the
//! way gVisor's kernel is handed `linux.AMD64`.

use super::Task;
use crate::errno::KResult;

/// A syscall's number and raw arguments (rdi, rsi, rdx, r10, r8, r9).
#[derive(Debug, Clone, Copy)]
pub struct SyscallArgs {
    pub nr: u64,
    pub a: [u64; 6],
}

/// A handler: decode, validate, call the kernel object, encode.
pub type Handler = fn(&mut Task, &SyscallArgs) -> KResult<u64>;

/// What strace captured at entry (in-arguments, read before the call).
pub type TraceEntry = [Option<String>; 6];

/// The table of one ABI.
pub trait SyscallTable: Send + Sync {
    /// The handler of `nr`; None: ENOSYS, counted.
    fn handler(&self, nr: u64) -> Option<Handler>;
    /// The name of `nr`.
    fn name(&self, nr: u64) -> Option<&'static str>;
    /// Captures what strace prints of the in-arguments.
    fn trace_entry(&self, task: &Task, args: &SyscallArgs) -> TraceEntry;
    /// The whole strace line of a finished call (without the pid prefix).
    fn trace_exit(&self, task: &Task, args: &SyscallArgs, entry: &TraceEntry, ret: i64) -> String;
}

//! The platform: how application code runs and how it comes back to the
//! sentry. Every platform (ptrace today; systrap and kvm later) implements
//! the same three traits, so the task loop is one
//! `loop { match ctx.switch(..)? { .. } }` whatever runs the program.
//!
//! Address-space layout shared by all platforms: the application owns
//! `[0, APP_TOP)`; the page at `STUB_ADDR` holds the stub's own code (a
//! `syscall; int3` trampoline the sentry uses to change mappings) and is
//! never visible to the application's memory manager.

pub mod ptrace;
pub mod stub_filter;
pub mod xstate;

use std::any::Any;

use crate::errno::KResult;

/// The application's general registers, in the kernel's `user_regs_struct`
/// layout.
pub type Registers = libc::user_regs_struct;

/// Page size of the guest and the host.
pub const PAGE_SIZE: u64 = 4096;
/// The stub page: the last page below the host's TASK_SIZE.
pub const STUB_ADDR: u64 = 0x7fff_ffff_e000;
/// First address the application can never map.
pub const APP_TOP: u64 = STUB_ADDR;
/// Offset in the memory file of the stub code page.
pub const STUB_MEMFILE_OFFSET: u64 = 0;
/// Machine code of the stub page. At offset 0: `syscall; int3` (the
/// injection trampoline). At offset `STUB_CLONE_OFFSET`: `syscall; test
/// rax, rax; je child; int3; child: mov eax, SYS_sched_yield; syscall; jmp
/// child` — a thread created there parks, yielding, until its own sentry
/// thread attaches to it.
pub const STUB_CODE: [u8; 33] = [
    0x0f, 0x05, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0: syscall; int3
    0x0f, 0x05, // 16: syscall
    0x48, 0x85, 0xc0, // 18: test rax, rax
    0x74, 0x01, // 21: je 24
    0xcc, // 23: int3
    0xb8, 0x18, 0x00, 0x00, 0x00, // 24: mov eax, 24
    0x0f, 0x05, // 29: syscall
    0xeb, 0xf7, // 31: jmp 24
];
/// Offset of the thread-creating trampoline in the stub page.
pub const STUB_CLONE_OFFSET: u64 = 16;

/// Memory protection bits, as in `mmap(2)`.
pub mod prot {
    pub const NONE: u32 = 0;
    pub const READ: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const EXEC: u32 = 4;
}

/// Why the application stopped running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// It made a system call; the number is in `orig_rax`.
    Syscall,
    /// It took a synchronous fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP).
    Fault { signo: i32, code: i32, addr: u64 },
    /// An asynchronous host signal reached the stub (e.g. SIGINT from a
    /// terminal); the kernel decides what it means to the application.
    Signal { signo: i32 },
    /// The stub died underneath us (killed from outside).
    Died { signo: i32 },
    /// The sentry interrupted the thread ([`AddressSpace::interrupt`]) so
    /// it looks at its signals; nothing happened to the application.
    Interrupted,
}

/// A platform able to create address spaces and execution contexts.
pub trait Platform: Send + Sync {
    /// A fresh, empty application address space.
    fn new_address_space(&self) -> KResult<Box<dyn AddressSpace>>;
    /// A context to run application threads; owned by one sentry thread.
    fn new_context(&self) -> KResult<Box<dyn Context>>;
    /// The platform's name for logs and `--platform`.
    fn name(&self) -> &'static str;
}

/// One application address space. Mappings always come from the memory
/// file; the memory manager decides what they are, the platform only
/// applies them.
pub trait AddressSpace: Send + Sync {
    /// Maps `[addr, addr+len)` to the memory file at `memfile_offset`.
    fn map(&self, addr: u64, len: u64, prot: u32, memfile_offset: u64) -> KResult<()>;
    /// Removes every mapping in `[addr, addr+len)`.
    fn unmap(&self, addr: u64, len: u64) -> KResult<()>;
    /// Changes the protection of `[addr, addr+len)`.
    fn protect(&self, addr: u64, len: u64, prot: u32) -> KResult<()>;
    /// Stops, for good, every thread running in this address space (the
    /// context running it then reports `Event::Died`).
    fn kill(&self);
    /// Creates a new application thread in this address space (a thread
    /// of the caller's); returns a handle its serving thread attaches to.
    fn new_thread(&self) -> KResult<i64>;
    /// Called on the new thread's own sentry thread: takes it over.
    fn attach_thread(&self, handle: i64) -> KResult<()>;
    /// Ends the calling sentry thread's application thread (exit(2) of one
    /// thread of many), or releases it when it was killed already, so the
    /// sentry thread can serve another task.
    fn exit_thread(&self);
    /// The handle another sentry thread passes to [`AddressSpace::interrupt`]
    /// to reach the calling sentry thread's application thread.
    fn thread_handle(&self) -> Option<i64>;
    /// Makes the application thread `handle` stop running application code
    /// soon: its context's `switch` returns `Event::Interrupted` (at once
    /// if it is not running). Safe to call from any thread, and harmless
    /// on a thread that has gone.
    fn interrupt(&self, handle: i64);
    /// A host clock id that reads the CPU time every host thread of this
    /// address space has used (None when the platform cannot tell).
    fn cpu_clock(&self) -> Option<i32> {
        None
    }
    /// For the platform's own downcasts.
    fn as_any(&self) -> &dyn Any;
}

/// An execution context: runs application code until it needs the kernel.
pub trait Context: Send {
    /// Runs the application with `regs` in `as_` until the next event;
    /// `regs` then holds the application's registers at that event.
    fn switch(&mut self, as_: &dyn AddressSpace, regs: &mut Registers) -> KResult<Event>;
    /// The application thread's FPU and extended state, in the XSAVE
    /// standard format ([`xstate`]): at least [`xstate::Layout::size`]
    /// bytes, or the 512-byte fxsave area on a host without XSAVE.
    fn get_xstate(&mut self, as_: &dyn AddressSpace) -> KResult<Vec<u8>>;
    /// Sets it from a standard-format area: the components its XSTATE_BV
    /// holds are loaded, the others reset. A state the CPU would refuse
    /// (a reserved MXCSR bit, a bad header) is an error.
    fn set_xstate(&mut self, as_: &dyn AddressSpace, state: &[u8]) -> KResult<()>;
}

/// Registers a new program starts with: user code and stack segments,
/// interrupts enabled, everything else zero.
pub fn initial_registers(entry: u64, sp: u64) -> Registers {
    let mut r = zeroed_registers();
    r.rip = entry;
    r.rsp = sp;
    r.cs = 0x33;
    r.ss = 0x2b;
    r.eflags = 0x202;
    r
}

/// All registers zero.
pub fn zeroed_registers() -> Registers {
    Registers {
        r15: 0,
        r14: 0,
        r13: 0,
        r12: 0,
        rbp: 0,
        rbx: 0,
        r11: 0,
        r10: 0,
        r9: 0,
        r8: 0,
        rax: 0,
        rcx: 0,
        rdx: 0,
        rsi: 0,
        rdi: 0,
        orig_rax: 0,
        rip: 0,
        cs: 0,
        eflags: 0,
        rsp: 0,
        ss: 0,
        fs_base: 0,
        gs_base: 0,
        ds: 0,
        es: 0,
        fs: 0,
        gs: 0,
    }
}

/// Picks the platform by name.
pub fn by_name(name: &str, memfile_fd: i32) -> KResult<Box<dyn Platform>> {
    match name {
        "ptrace" => Ok(Box::new(ptrace::PtracePlatform::new(memfile_fd)?)),
        _ => Err(crate::errno::Errno::EINVAL.why("unknown platform")),
    }
}

//! The ptrace platform: the correctness baseline.
//!
//! Each address space is a *stub process* forked from the sentry, stripped
//! of every mapping but the stub page, and traced by the sentry thread that
//! created it. `PTRACE_SYSEMU` stops the stub at every system call entry
//! without running it, so the call is served by the sentry and never by the
//! host. Mapping changes are made by pointing the stopped stub at the
//! `syscall; int3` trampoline with the registers of an `mmap`, `munmap` or
//! `mprotect` and letting it run to the `int3`.
//!
//! Stubs die with their tracer (`PTRACE_O_EXITKILL`, `PR_SET_PDEATHSIG`)
//! and are killed and reaped when their address space is dropped.

use std::any::Any;
use std::mem::MaybeUninit;

use super::{AddressSpace, Context, Event, PAGE_SIZE, Platform, Registers, STUB_ADDR};
use crate::errno::{Errno, KResult};

// The trampoline the first injections use, while the stub still has the
// sentry's text mapped. Afterwards the stub page (same bytes) is used.
std::arch::global_asm!(
    ".pushsection .text.runlx_stub,\"ax\",@progbits",
    ".globl runlx_stub_trampoline",
    "runlx_stub_trampoline:",
    "syscall",
    "int3",
    ".popsection",
);

unsafe extern "C" {
    fn runlx_stub_trampoline();
    /// glibc's offset of this thread's rseq area from the thread pointer.
    static __rseq_offset: isize;
    /// glibc's size of the rseq area (0 when rseq is not registered).
    static __rseq_size: u32;
}

/// The rseq signature glibc registers with.
const RSEQ_SIG: u32 = 0x5305_3053;
const RSEQ_FLAG_UNREGISTER: u32 = 1;

const SIGTRAP_SYSCALL: i32 = libc::SIGTRAP | 0x80;
/// The host signal the sentry sends a stub thread to interrupt it
/// ([`AddressSpace::interrupt`]). Nothing else sends it: the host kernel
/// never raises SIGSTKFLT, and a terminal only sends SIGINT, SIGQUIT,
/// SIGTSTP and SIGWINCH. The tracer suppresses it.
const KICK_SIGNAL: i32 = libc::SIGSTKFLT;

/// The ptrace platform. Holds the memory file's fd number, which every stub
/// inherits as its fd 0.
pub struct PtracePlatform {
    memfd: i32,
    /// The stubs' seccomp filter, compiled once.
    filter: seccompiler::BpfProgram,
}

impl PtracePlatform {
    /// A platform whose stubs map `memfd`.
    pub fn new(memfd: i32) -> KResult<PtracePlatform> {
        Ok(PtracePlatform {
            memfd,
            filter: super::stub_filter::compile()?,
        })
    }
}

impl Platform for PtracePlatform {
    fn new_address_space(&self) -> KResult<Box<dyn AddressSpace>> {
        Ok(Box::new(StubProcess::spawn(self.memfd, &self.filter)?))
    }

    fn new_context(&self) -> KResult<Box<dyn Context>> {
        Ok(Box::new(PtraceContext))
    }

    fn name(&self) -> &'static str {
        "ptrace"
    }
}

/// A stub process: one application address space.
pub struct StubProcess {
    /// The first stub thread (its tid is the stub process's pid).
    pid: libc::pid_t,
    /// Which stub thread each sentry thread traces.
    threads: std::sync::Mutex<std::collections::HashMap<std::thread::ThreadId, libc::pid_t>>,
    /// Registers with valid user segments, used as the base of injections.
    template: Registers,
}

impl StubProcess {
    fn spawn(memfd: i32, filter: &seccompiler::BpfProgram) -> KResult<StubProcess> {
        // SAFETY: getpid has no preconditions.
        let parent = unsafe { libc::getpid() };
        // Prepared before the fork: the child may not allocate.
        let fprog = libc::sock_fprog {
            len: filter.len() as u16,
            filter: filter.as_ptr() as *mut libc::sock_filter,
        };
        // SAFETY: the child runs only `stub_child`, which makes raw,
        // async-signal-safe calls and never returns or allocates.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(Errno::last_host().why("fork of a stub failed"));
        }
        if pid == 0 {
            // SAFETY: we are the freshly forked child.
            unsafe { stub_child(memfd, parent, &fprog) }
        }
        let mut stub = StubProcess {
            pid,
            threads: std::sync::Mutex::new(std::collections::HashMap::from([(
                std::thread::current().id(),
                pid,
            )])),
            template: super::zeroed_registers(),
        };
        let status = wait(pid)?;
        if !libc::WIFSTOPPED(status) || libc::WSTOPSIG(status) != libc::SIGSTOP {
            return Err(Errno::ECHILD.why("stub did not stop after fork"));
        }
        ptrace_raw(
            libc::PTRACE_SETOPTIONS,
            pid,
            0,
            (libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_EXITKILL) as u64,
        )?;
        stub.template = get_regs(pid)?;
        stub.template.orig_rax = u64::MAX;
        // Map the stub page through the sentry's trampoline, then drop
        // everything else the fork brought along.
        let sentry_trampoline = runlx_stub_trampoline as *const () as u64;
        let got = stub.inject_at(
            sentry_trampoline,
            libc::SYS_mmap as u64,
            [
                STUB_ADDR,
                PAGE_SIZE,
                (libc::PROT_READ | libc::PROT_EXEC) as u64,
                (libc::MAP_SHARED | libc::MAP_FIXED) as u64,
                0,
                super::STUB_MEMFILE_OFFSET,
            ],
        )?;
        if got != STUB_ADDR {
            return Err(Errno::new(neg_errno(got)).why("mapping the stub page failed"));
        }
        let got = stub.inject(libc::SYS_munmap as u64, [0, STUB_ADDR, 0, 0, 0, 0])?;
        if got != 0 {
            return Err(Errno::new(neg_errno(got)).why("clearing the stub failed"));
        }
        Ok(stub)
    }

    /// The stub's host pid (for logs and benchmarks).
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    fn inject(&self, nr: u64, args: [u64; 6]) -> KResult<u64> {
        self.inject_at(STUB_ADDR, nr, args)
    }

    /// The stub thread the calling sentry thread traces.
    fn my_tid(&self) -> KResult<libc::pid_t> {
        self.threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&std::thread::current().id())
            .copied()
            .ok_or(Errno::ESRCH.why("this sentry thread traces no thread of the stub"))
    }

    /// Runs one host syscall in the stopped stub and returns its raw result.
    fn inject_at(&self, trampoline: u64, nr: u64, args: [u64; 6]) -> KResult<u64> {
        let tid = self.my_tid()?;
        let mut r = self.template;
        r.rip = trampoline;
        r.rax = nr;
        r.rdi = args[0];
        r.rsi = args[1];
        r.rdx = args[2];
        r.r10 = args[3];
        r.r8 = args[4];
        r.r9 = args[5];
        set_regs(tid, &r)?;
        ptrace_raw(libc::PTRACE_CONT, tid, 0, 0)?;
        loop {
            let status = wait(tid)?;
            if !libc::WIFSTOPPED(status) {
                return Err(Errno::ESRCH.why("stub died during a mapping change"));
            }
            match libc::WSTOPSIG(status) {
                libc::SIGTRAP => break,
                sig @ (libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE) => {
                    let rip = get_regs(tid).map(|r| r.rip).unwrap_or(0);
                    log::error!(
                        "stub {} faulted (signal {sig}) at {rip:#x} injecting syscall {nr}",
                        tid
                    );
                    return Err(Errno::EFAULT.why("stub faulted during a mapping change"));
                }
                // An asynchronous signal raced with the injection; drop it.
                _ => {
                    ptrace_raw(libc::PTRACE_CONT, tid, 0, 0)?;
                }
            }
        }
        Ok(get_regs(tid)?.rax)
    }

    fn check(&self, got: u64, what: &'static str) -> KResult<()> {
        if (got as i64) < 0 && (got as i64) > -4096 {
            Err(Errno::new(neg_errno(got)).why(what))
        } else {
            Ok(())
        }
    }
}

fn neg_errno(raw: u64) -> i32 {
    (raw as i64).unsigned_abs().min(4095) as i32
}

impl AddressSpace for StubProcess {
    fn map(&self, addr: u64, len: u64, prot: u32, memfile_offset: u64) -> KResult<()> {
        let got = self.inject(
            libc::SYS_mmap as u64,
            [
                addr,
                len,
                u64::from(prot),
                (libc::MAP_SHARED | libc::MAP_FIXED) as u64,
                0,
                memfile_offset,
            ],
        )?;
        self.check(got, "stub mmap failed")
    }

    fn unmap(&self, addr: u64, len: u64) -> KResult<()> {
        let got = self.inject(libc::SYS_munmap as u64, [addr, len, 0, 0, 0, 0])?;
        self.check(got, "stub munmap failed")
    }

    fn protect(&self, addr: u64, len: u64, prot: u32) -> KResult<()> {
        let got = self.inject(
            libc::SYS_mprotect as u64,
            [addr, len, u64::from(prot), 0, 0, 0],
        )?;
        self.check(got, "stub mprotect failed")
    }

    fn kill(&self) {
        // SAFETY: kill with integers; the pid is our unreaped child.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
    }

    fn new_thread(&self) -> KResult<i64> {
        const FLAGS: u64 = (libc::CLONE_VM
            | libc::CLONE_FS
            | libc::CLONE_FILES
            | libc::CLONE_SIGHAND
            | libc::CLONE_THREAD
            | libc::CLONE_SYSVSEM) as u64;
        let got = self.inject_at(
            STUB_ADDR + super::STUB_CLONE_OFFSET,
            libc::SYS_clone as u64,
            [FLAGS, 0, 0, 0, 0, 0],
        )?;
        self.check(got, "creating a stub thread failed")?;
        Ok(got as i64)
    }

    fn attach_thread(&self, handle: i64) -> KResult<()> {
        let tid = handle as libc::pid_t;
        ptrace_raw(
            libc::PTRACE_SEIZE,
            tid,
            0,
            (libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_EXITKILL) as u64,
        )?;
        ptrace_raw(libc::PTRACE_INTERRUPT, tid, 0, 0)?;
        let status = wait(tid)?;
        if !libc::WIFSTOPPED(status) {
            return Err(Errno::ESRCH.why("new stub thread vanished"));
        }
        self.threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(std::thread::current().id(), tid);
        Ok(())
    }

    fn exit_thread(&self) {
        let Ok(tid) = self.my_tid() else { return };
        let mut r = self.template;
        r.rip = STUB_ADDR;
        r.rax = libc::SYS_exit as u64;
        r.rdi = 0;
        // Reap it: a traced thread's exit is reported to its tracer, and
        // until it is reaped the stub process cannot be (the sentry thread
        // lives on to serve other tasks). A thread killed already (exit
        // group, fatal signal, exec) is reaped the same way; one reaped
        // already gives ECHILD.
        if set_regs(tid, &r).is_ok() {
            let _ = ptrace_raw(libc::PTRACE_CONT, tid, 0, 0);
        }
        let _ = wait(tid);
        self.threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&std::thread::current().id());
    }

    fn thread_handle(&self) -> Option<i64> {
        self.my_tid().ok().map(i64::from)
    }

    fn interrupt(&self, handle: i64) {
        // SAFETY: tgkill takes integers only. Naming the stub's own tgid
        // means a tid reused by another process is never signalled.
        unsafe {
            libc::syscall(
                libc::SYS_tgkill,
                self.pid as libc::c_long,
                handle as libc::c_long,
                KICK_SIGNAL as libc::c_long,
            )
        };
    }

    fn cpu_clock(&self) -> Option<i32> {
        Some(process_cpu_clock(self.pid))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The host clock id of process `pid`'s CPU time: Linux's
/// MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED). Any process's may be read
/// (posix-cpu-timers.c, `pid_for_clock`); a *thread's* only from its own
/// thread group, which is why the kernel shares a stub's time out among
/// its threads. (wait4's rusage of a stopped tracee would report the same
/// time, but costs more than this clock read.)
fn process_cpu_clock(pid: libc::pid_t) -> i32 {
    const CPUCLOCK_SCHED: i32 = 2;
    (!pid << 3) | CPUCLOCK_SCHED
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // own child, not yet reaped, so it cannot have been reused.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        loop {
            match wait(self.pid) {
                Ok(status) if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) => break,
                Ok(_) => continue,
                Err(_) => break,
            }
        }
    }
}

/// The ptrace context: runs the stub of the given address space.
pub struct PtraceContext;

fn stub_of(as_: &dyn AddressSpace) -> KResult<&StubProcess> {
    as_.as_any()
        .downcast_ref::<StubProcess>()
        .ok_or(Errno::EINVAL.why("address space of another platform"))
}

impl Context for PtraceContext {
    fn get_xstate(&mut self, as_: &dyn AddressSpace) -> KResult<Vec<u8>> {
        let pid = stub_of(as_)?.my_tid()?;
        match regset_size(pid)? {
            Some(size) => {
                let mut buf = vec![0u8; size];
                let got = xstate_regset(pid, libc::PTRACE_GETREGSET, &mut buf)?;
                buf.truncate(got);
                Ok(buf)
            }
            None => get_fpregs(pid),
        }
    }

    fn set_xstate(&mut self, as_: &dyn AddressSpace, state: &[u8]) -> KResult<()> {
        let pid = stub_of(as_)?.my_tid()?;
        match regset_size(pid)? {
            Some(size) => {
                // The kernel takes only a whole buffer of its own size.
                let mut buf = vec![0u8; size];
                let n = state.len().min(size);
                buf[..n].copy_from_slice(&state[..n]);
                xstate_regset(pid, libc::PTRACE_SETREGSET, &mut buf)?;
                Ok(())
            }
            None => set_fpregs(pid, state),
        }
    }

    fn switch(&mut self, as_: &dyn AddressSpace, regs: &mut Registers) -> KResult<Event> {
        let stub = as_
            .as_any()
            .downcast_ref::<StubProcess>()
            .ok_or(Errno::EINVAL.why("address space of another platform"))?;
        let pid = stub.my_tid()?;
        set_regs(pid, regs)?;
        ptrace_raw(libc::PTRACE_SYSEMU, pid, 0, 0)?;
        let status = wait(pid)?;
        if libc::WIFEXITED(status) {
            return Ok(Event::Died { signo: 0 });
        }
        if libc::WIFSIGNALED(status) {
            return Ok(Event::Died {
                signo: libc::WTERMSIG(status),
            });
        }
        let sig = libc::WSTOPSIG(status);
        *regs = get_regs(pid)?;
        if sig == SIGTRAP_SYSCALL {
            return Ok(Event::Syscall);
        }
        if sig == KICK_SIGNAL {
            return Ok(Event::Interrupted);
        }
        match sig {
            libc::SIGSEGV | libc::SIGBUS | libc::SIGFPE | libc::SIGILL | libc::SIGTRAP => {
                let info = get_siginfo(pid)?;
                if info.si_code > 0 {
                    // SAFETY: for kernel-generated fault signals the union
                    // holds the faulting address.
                    let addr = unsafe { info.si_addr() } as u64;
                    return Ok(Event::Fault {
                        signo: sig,
                        code: info.si_code,
                        addr,
                    });
                }
                Ok(Event::Signal { signo: sig })
            }
            _ => Ok(Event::Signal { signo: sig }),
        }
    }
}

/// The forked child's whole life until the tracer takes over.
///
/// # Safety
/// Must only be called in the child of `fork`, where it may only make
/// async-signal-safe calls.
unsafe fn stub_child(memfd: i32, parent: libc::pid_t, filter: *const libc::sock_fprog) -> ! {
    // SAFETY: raw syscalls on integers in a freshly forked child; nothing
    // here touches memory shared with other (non-existent) threads.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != parent {
            libc::_exit(1);
        }
        if memfd != 0 && libc::dup2(memfd, 0) < 0 {
            libc::_exit(2);
        }
        libc::syscall(libc::SYS_close_range, 1u32, u32::MAX, 0u32);
        // The fork inherited glibc's rseq registration; the kernel would
        // write to that area (soon unmapped) on every return to user mode
        // and kill the stub, so unregister it.
        if __rseq_size != 0 {
            let tp: usize;
            std::arch::asm!("mov {}, qword ptr fs:[0]", out(reg) tp, options(nostack, readonly, preserves_flags));
            let area = tp.wrapping_add_signed(__rseq_offset);
            for len in [32u32, __rseq_size] {
                if libc::syscall(libc::SYS_rseq, area, len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0 {
                    break;
                }
            }
        }
        let empty: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        // From here on the stub can only make the calls of stub_filter.rs.
        // `filter` points into the parent's (copied) heap, still valid here.
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if libc::syscall(libc::SYS_seccomp, 1u32, 0u32, filter) != 0 {
            libc::_exit(5);
        }
        if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) < 0 {
            libc::_exit(3);
        }
        libc::kill(libc::getpid(), libc::SIGSTOP);
        libc::_exit(4);
    }
}

/// The `NT_X86_XSTATE` regset: the whole user XSAVE state, standard format.
const NT_X86_XSTATE: usize = 0x202;

/// The size of the host kernel's `NT_X86_XSTATE` regset, learned from the
/// first read (all stubs share it); `None` when the host has none (no
/// XSAVE) and the fxsave area of `PTRACE_GETFPREGS` is all there is.
fn regset_size(pid: libc::pid_t) -> KResult<Option<usize>> {
    static SIZE: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    if let Some(s) = SIZE.get() {
        return Ok(*s);
    }
    if !super::xstate::layout().xsave {
        return Ok(*SIZE.get_or_init(|| None));
    }
    // CPUID's size for every feature the CPU supports bounds the regset.
    let max = std::arch::x86_64::__cpuid_count(0xd, 0).ecx as usize;
    let mut buf = vec![0u8; max.max(super::xstate::layout().size)];
    match xstate_regset(pid, libc::PTRACE_GETREGSET, &mut buf) {
        Ok(n) => Ok(*SIZE.get_or_init(|| Some(n))),
        Err(e) if e == Errno::ESRCH => Err(e),
        Err(_) => Ok(*SIZE.get_or_init(|| None)),
    }
}

/// PTRACE_GETREGSET or PTRACE_SETREGSET of `NT_X86_XSTATE` on `buf`;
/// returns how many bytes the kernel used.
fn xstate_regset(pid: libc::pid_t, req: libc::c_uint, buf: &mut [u8]) -> KResult<usize> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: the kernel reads or writes at most iov_len bytes at
    // iov_base, which is `buf`, alive and exclusively borrowed for the
    // call, and writes back only iov itself.
    let r = unsafe {
        libc::ptrace(
            req,
            pid,
            NT_X86_XSTATE as *mut libc::c_void,
            &mut iov as *mut libc::iovec,
        )
    };
    if r < 0 {
        return Err(Errno::last_host().why("PTRACE_GETREGSET/SETREGSET NT_X86_XSTATE failed"));
    }
    Ok(iov.iov_len.min(buf.len()))
}

/// The fxsave area alone (hosts without XSAVE).
fn get_fpregs(pid: libc::pid_t) -> KResult<Vec<u8>> {
    let mut buf = [0u8; super::xstate::FXSAVE_SIZE];
    fpregs(pid, libc::PTRACE_GETFPREGS, &mut buf)?;
    Ok(buf.to_vec())
}

fn set_fpregs(pid: libc::pid_t, state: &[u8]) -> KResult<()> {
    let mut buf = [0u8; super::xstate::FXSAVE_SIZE];
    let n = state.len().min(buf.len());
    buf[..n].copy_from_slice(&state[..n]);
    fpregs(pid, libc::PTRACE_SETFPREGS, &mut buf)
}

/// PTRACE_GETFPREGS or PTRACE_SETFPREGS on one `user_fpregs_struct`.
fn fpregs(
    pid: libc::pid_t,
    req: libc::c_uint,
    buf: &mut [u8; super::xstate::FXSAVE_SIZE],
) -> KResult<()> {
    // SAFETY: both requests read or write exactly one 512-byte
    // user_fpregs_struct at the pointer, and buf is 512 bytes, alive and
    // exclusively borrowed for the call.
    let r = unsafe {
        libc::ptrace(
            req,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            buf.as_mut_ptr(),
        )
    };
    if r < 0 {
        return Err(Errno::last_host().why("PTRACE_GETFPREGS/SETFPREGS failed"));
    }
    Ok(())
}

fn ptrace_raw(req: libc::c_uint, pid: libc::pid_t, addr: u64, data: u64) -> KResult<i64> {
    // SAFETY: only requests whose addr/data are integers, or pointers the
    // caller guarantees valid, reach here.
    let r = unsafe {
        libc::ptrace(
            req,
            pid,
            addr as *mut libc::c_void,
            data as *mut libc::c_void,
        )
    };
    if r < 0 {
        Err(Errno::last_host().why("ptrace failed"))
    } else {
        Ok(r)
    }
}

fn get_regs(pid: libc::pid_t) -> KResult<Registers> {
    let mut regs = MaybeUninit::<Registers>::uninit();
    // SAFETY: PTRACE_GETREGS writes exactly one user_regs_struct.
    let r = unsafe {
        libc::ptrace(
            libc::PTRACE_GETREGS,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            regs.as_mut_ptr(),
        )
    };
    if r < 0 {
        return Err(Errno::last_host().why("PTRACE_GETREGS failed"));
    }
    // SAFETY: the call succeeded, so the struct is initialized.
    Ok(unsafe { regs.assume_init() })
}

fn set_regs(pid: libc::pid_t, regs: &Registers) -> KResult<()> {
    // SAFETY: PTRACE_SETREGS reads one user_regs_struct from a valid pointer.
    let r = unsafe {
        libc::ptrace(
            libc::PTRACE_SETREGS,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            regs as *const Registers,
        )
    };
    if r < 0 {
        return Err(Errno::last_host().why("PTRACE_SETREGS failed"));
    }
    Ok(())
}

fn get_siginfo(pid: libc::pid_t) -> KResult<libc::siginfo_t> {
    let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
    // SAFETY: PTRACE_GETSIGINFO writes one siginfo_t.
    let r = unsafe {
        libc::ptrace(
            libc::PTRACE_GETSIGINFO,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            info.as_mut_ptr(),
        )
    };
    if r < 0 {
        return Err(Errno::last_host().why("PTRACE_GETSIGINFO failed"));
    }
    // SAFETY: zero-initialized, then filled by the kernel.
    Ok(unsafe { info.assume_init() })
}

fn wait(pid: libc::pid_t) -> KResult<i32> {
    let mut status = 0;
    loop {
        // SAFETY: status is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
        if r == pid {
            return Ok(status);
        }
        let e = Errno::last_host();
        if e != Errno::EINTR {
            return Err(e.why("waitpid on a stub failed"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memfile::MemoryFile;
    use crate::platform::prot;

    fn setup() -> (MemoryFile, PtracePlatform) {
        let mf = MemoryFile::with_size(1 << 24).unwrap();
        let p = PtracePlatform::new(mf.raw_fd()).unwrap();
        (mf, p)
    }

    #[test]
    fn runs_code_until_its_syscalls_and_faults() {
        let (mf, p) = setup();
        let space = p.new_address_space().unwrap();
        let code = mf.allocate(PAGE_SIZE).unwrap();
        // mov eax, 39 (getpid); syscall; mov rax, [0]; (faults)
        let prog = [
            0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0,
        ];
        mf.write(code, &prog).unwrap();
        space
            .map(0x40_0000, PAGE_SIZE, prot::READ | prot::EXEC, code)
            .unwrap();
        let mut ctx = p.new_context().unwrap();
        let mut regs = super::super::initial_registers(0x40_0000, 0);
        assert_eq!(ctx.switch(&*space, &mut regs).unwrap(), Event::Syscall);
        assert_eq!(regs.orig_rax, 39);
        regs.rax = 1;
        match ctx.switch(&*space, &mut regs).unwrap() {
            Event::Fault { signo, addr, .. } => {
                assert_eq!(signo, libc::SIGSEGV);
                assert_eq!(addr, 0);
            }
            e => panic!("expected a fault, got {e:?}"),
        }
    }

    #[test]
    fn a_stub_is_killed_by_any_call_outside_its_filter() {
        let (_mf, p) = setup();
        let space = p.new_address_space().unwrap();
        let stub = space.as_any().downcast_ref::<StubProcess>().unwrap();
        // Allowed: a mapping change.
        stub.unmap(0x40_0000, PAGE_SIZE).unwrap();
        // Not allowed: anything else, e.g. opening a socket to the world.
        let r = stub.inject(
            libc::SYS_socket as u64,
            [libc::AF_INET as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0],
        );
        assert!(r.is_err(), "a forbidden call must kill the stub, got {r:?}");
    }
}

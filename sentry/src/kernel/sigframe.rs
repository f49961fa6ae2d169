//! Signal delivery (`signal(7)`): pending sets, the x86_64 `rt_sigframe`
//! a handler runs on, and `rt_sigreturn`.
//!
//! A signal sent to a task becomes pending unless its disposition ignores
//! it. Before the task next runs, the lowest pending unblocked signal is
//! taken: default actions end the process (terminate, core) or are
//! dropped (ignore, continue; stops are not built yet); a handler gets a
//! frame built like Linux's `setup_rt_frame`: below the 128-byte red zone
//! (or on the alternate stack with SA_ONSTACK), the FPU state (fxsave
//! layout, 64-byte aligned), then `rt_sigframe { pretcode, ucontext,
//! siginfo }` with rsp+8 16-byte aligned as after a call. The handler
//! returns to `sa_restorer`, which calls `rt_sigreturn`.
//!
//! A blocked sentry call (sleep, pipe, wait, poll) notices a deliverable
//! signal within `current::INTERRUPT_CHECK` and returns EINTR; with
//! SA_RESTART, the calls Linux restarts are restarted after the handler.
//!
//! Not yet: queued real-time signals (one pending instance per signal),
//! the XSAVE extended state (AVX upper halves are not saved), job-control
//! stops, signalfd.

use std::sync::atomic::Ordering;

use super::signal::{DefaultAction, SIG_DFL, SIG_IGN, SIGKILL, SIGSTOP, default_action};
use super::task::{ExitStatus, Task, TaskShared};
use crate::errno::{Errno, KResult};

pub const SA_NOCLDSTOP: u64 = 0x1;
pub const SA_SIGINFO: u64 = 0x4;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
pub const SA_RESTORER: u64 = 0x0400_0000;

/// si_code values.
pub const SI_USER: i32 = 0;
pub const SI_TKILL: i32 = -6;
pub const SI_QUEUE: i32 = -1;
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;

/// The siginfo of one pending signal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigInfo {
    pub signo: i32,
    pub code: i32,
    pub pid: i32,
    pub uid: u32,
    pub status: i32,
    pub addr: u64,
    /// sigval of a POSIX timer's signal.
    pub value: u64,
}

impl SigInfo {
    /// A signal sent by kill(2) or tgkill(2).
    pub fn user(signo: i32, code: i32, pid: i32, uid: u32) -> SigInfo {
        SigInfo {
            signo,
            code,
            pid,
            uid,
            ..SigInfo::default()
        }
    }

    /// The 128-byte `siginfo_t`.
    pub fn to_bytes(self) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[0..4].copy_from_slice(&self.signo.to_ne_bytes());
        b[8..12].copy_from_slice(&self.code.to_ne_bytes());
        if self.addr != 0 {
            b[16..24].copy_from_slice(&self.addr.to_ne_bytes());
        } else if self.code == super::timers::SI_TIMER || self.code == SI_QUEUE {
            b[16..20].copy_from_slice(&self.pid.to_ne_bytes());
            b[20..24].copy_from_slice(&self.uid.to_ne_bytes());
            b[24..32].copy_from_slice(&self.value.to_ne_bytes());
        } else {
            b[16..20].copy_from_slice(&self.pid.to_ne_bytes());
            b[20..24].copy_from_slice(&self.uid.to_ne_bytes());
            b[24..28].copy_from_slice(&self.status.to_ne_bytes());
        }
        b
    }
}

/// Pending signals of a task (one instance each).
#[derive(Debug, Clone)]
pub struct Pending {
    pub set: u64,
    pub info: [SigInfo; 64],
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            set: 0,
            info: [SigInfo::default(); 64],
        }
    }
}

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Signals that can never be blocked.
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

impl TaskShared {
    /// Makes `info.signo` pending for this task (or drops it when its
    /// disposition ignores it); wakes the task when it can be delivered.
    pub fn send(&self, info: SigInfo) {
        let sig = info.signo;
        if !(1..=64).contains(&sig) || self.is_zombie() {
            return;
        }
        {
            let s = self.signals();
            let a = s.actions[(sig - 1) as usize];
            let ignored = a.handler == SIG_IGN
                || (a.handler == SIG_DFL
                    && matches!(
                        default_action(sig),
                        DefaultAction::Ignore | DefaultAction::Continue
                    ));
            // A blocked signal is kept even when ignored: the disposition
            // may change before it is unblocked, and sigwait/signalfd
            // take it (Linux's sig_ignored).
            if ignored && sig != SIGKILL && s.mask & bit(sig) == 0 {
                return;
            }
            let fatal_now = sig == SIGKILL
                || (a.handler == SIG_DFL
                    && s.mask & bit(sig) == 0
                    && matches!(
                        default_action(sig),
                        DefaultAction::Terminate | DefaultAction::CoreDump
                    ));
            if fatal_now {
                drop(s);
                self.killed_by.store(sig, Ordering::Relaxed);
                if let Some(mm) = self.mm() {
                    mm.kill();
                }
                return;
            }
        }
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if p.set & bit(sig) == 0 {
            p.set |= bit(sig);
            p.info[(sig - 1) as usize] = info;
            drop(p);
            // signalfds polled for this signal become readable.
            super::waiter::notify();
        }
    }

    /// Whether a pending signal is not blocked (a blocked call must stop).
    pub fn has_deliverable(&self) -> bool {
        let set = self.pending.lock().unwrap_or_else(|e| e.into_inner()).set;
        set != 0 && set & !self.signals().mask != 0
    }

    /// Takes a pending signal of `set` (lowest first), blocked or not
    /// (rt_sigtimedwait).
    pub fn take_from(&self, set: u64) -> Option<SigInfo> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let ready = p.set & set;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as i32 + 1;
        p.set &= !bit(sig);
        Some(p.info[(sig - 1) as usize])
    }

    /// Drops a pending `sig` (its disposition became "ignore").
    pub fn discard_pending(&self, sig: i32) {
        if (1..=64).contains(&sig) {
            self.pending.lock().unwrap_or_else(|e| e.into_inner()).set &= !bit(sig);
        }
    }

    /// The pending set (rt_sigpending).
    pub fn pending_set(&self) -> u64 {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).set
    }

    fn take_deliverable(&self) -> Option<SigInfo> {
        let mask = self.signals().mask;
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let ready = p.set & !mask;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as i32 + 1;
        p.set &= !bit(sig);
        Some(p.info[(sig - 1) as usize])
    }
}

/// Syscalls Linux restarts after a SA_RESTART handler.
fn restartable(nr: u64) -> bool {
    matches!(
        nr,
        0 | 1 | 17 | 18 | 19 | 20 | 61 | 247 | 295 | 296 | 16 | 72 | 40 | 275 | 276 | 278 | 326
    )
}

const FRAME_SIZE: u64 = 8 + 304 + 128;
const FPU_SIZE: u64 = 512;

impl Task {
    /// Runs a wait with `mask` as the signal mask (ppoll, pselect6,
    /// epoll_pwait): the old mask comes back when the call returns, or,
    /// when a signal interrupted it, after that signal's handler.
    pub fn with_sigmask<T>(
        &mut self,
        mask: Option<u64>,
        f: impl FnOnce(&mut Task) -> KResult<T>,
    ) -> KResult<T> {
        let Some(m) = mask else {
            return f(self);
        };
        let old = {
            let mut s = self.shared.signals();
            let old = s.mask;
            s.mask = m & !UNBLOCKABLE;
            old
        };
        let r = f(self);
        if matches!(r, Err(e) if e == Errno::EINTR) && self.shared.has_deliverable() {
            self.saved_mask = Some(old);
        } else {
            self.shared.signals().mask = old;
        }
        r
    }

    /// Delivers pending signals before the task runs again; returns how
    /// the process ends when a signal ends it.
    pub fn deliver_pending(&mut self) -> Option<ExitStatus> {
        while let Some(info) = self.shared.take_deliverable() {
            let sig = info.signo;
            let action = self.shared.signals().actions[(sig - 1) as usize];
            if action.handler == SIG_IGN {
                continue;
            }
            if action.handler == SIG_DFL {
                match default_action(sig) {
                    DefaultAction::Ignore | DefaultAction::Continue | DefaultAction::Stop => {
                        continue;
                    }
                    d => {
                        return Some(ExitStatus::Signaled {
                            signo: sig,
                            core: d == DefaultAction::CoreDump,
                        });
                    }
                }
            }
            if let Err(e) = self.setup_frame(info, action) {
                log::info!(
                    "task {}: signal {sig} frame failed ({e}): SIGSEGV",
                    self.tid()
                );
                return Some(ExitStatus::Signaled {
                    signo: 11,
                    core: true,
                });
            }
            return None;
        }
        if let Some(m) = self.saved_mask.take() {
            self.shared.signals().mask = m;
        }
        None
    }

    fn setup_frame(&mut self, info: SigInfo, action: super::signal::SigAction) -> KResult<()> {
        if action.flags & SA_RESTORER == 0 {
            return Err(Errno::EFAULT.why("no sa_restorer"));
        }
        // Restart the interrupted call after the handler, when Linux would.
        if self
            .interrupted_syscall
            .take()
            .is_some_and(|nr| action.flags & SA_RESTART != 0 && restartable(nr))
        {
            self.regs.rax = self.regs.orig_rax;
            self.regs.rip -= 2;
        }
        let (old_mask, altstack) = {
            let s = self.shared.signals();
            (self.saved_mask.take().unwrap_or(s.mask), s.altstack)
        };
        let (ss_sp, ss_flags, ss_size) = altstack;
        let on_alt = ss_flags & 2 == 0
            && ss_size != 0
            && self.regs.rsp > ss_sp
            && self.regs.rsp <= ss_sp + ss_size;
        let mut sp =
            if action.flags & SA_ONSTACK != 0 && ss_flags & 2 == 0 && ss_size != 0 && !on_alt {
                ss_sp + ss_size
            } else {
                self.regs.rsp - 128
            };
        sp = (sp - FPU_SIZE) & !63;
        let fpstate = sp;
        sp = ((sp - FRAME_SIZE) & !15) - 8;
        let frame = sp;
        let fpu = self.ctx.get_fpu(self.mm.address_space())?;
        self.copy_out(fpstate, &fpu)?;

        let r = &self.regs;
        let mut uc = Vec::with_capacity(304);
        uc.extend_from_slice(&0u64.to_ne_bytes()); // uc_flags
        uc.extend_from_slice(&0u64.to_ne_bytes()); // uc_link
        uc.extend_from_slice(&ss_sp.to_ne_bytes());
        uc.extend_from_slice(&(if on_alt { 1u64 } else { u64::from(ss_flags) }).to_ne_bytes());
        uc.extend_from_slice(&ss_size.to_ne_bytes());
        for v in [
            r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rdi, r.rsi, r.rbp, r.rbx,
            r.rdx, r.rax, r.rcx, r.rsp, r.rip, r.eflags,
        ] {
            uc.extend_from_slice(&v.to_ne_bytes());
        }
        for seg in [r.cs as u16, r.gs as u16, r.fs as u16, r.ss as u16] {
            uc.extend_from_slice(&seg.to_ne_bytes());
        }
        uc.extend_from_slice(&0u64.to_ne_bytes()); // err
        uc.extend_from_slice(&0u64.to_ne_bytes()); // trapno
        uc.extend_from_slice(&old_mask.to_ne_bytes()); // oldmask
        uc.extend_from_slice(&info.addr.to_ne_bytes()); // cr2
        uc.extend_from_slice(&fpstate.to_ne_bytes());
        uc.extend_from_slice(&[0u8; 64]); // reserved
        uc.extend_from_slice(&old_mask.to_ne_bytes()); // uc_sigmask
        debug_assert_eq!(uc.len(), 304);

        let mut f = Vec::with_capacity(FRAME_SIZE as usize);
        f.extend_from_slice(&action.restorer.to_ne_bytes());
        f.extend_from_slice(&uc);
        f.extend_from_slice(&info.to_bytes());
        self.copy_out(frame, &f)?;

        // The handler's mask, and SA_RESETHAND.
        {
            let mut s = self.shared.signals();
            let mut m = old_mask | action.mask;
            if action.flags & SA_NODEFER == 0 {
                m |= bit(info.signo);
            }
            s.mask = m & !UNBLOCKABLE;
            if action.flags & SA_RESETHAND != 0 {
                s.actions[(info.signo - 1) as usize] = super::signal::SigAction::default();
            }
        }
        let regs = &mut self.regs;
        regs.rsp = frame;
        regs.rip = action.handler;
        regs.rdi = info.signo as u64;
        regs.rsi = frame + 8 + 304;
        regs.rdx = frame + 8;
        regs.rax = 0;
        regs.eflags &= !(0x100 | 0x400); // TF, DF
        Ok(())
    }

    /// rt_sigreturn(2): restores the context saved by `setup_frame`.
    pub fn sigreturn(&mut self) -> KResult<()> {
        let uc_addr = self.regs.rsp; // the handler's ret popped pretcode
        let mut uc = [0u8; 304];
        self.copy_in(uc_addr, &mut uc)?;
        let w = |i: usize| u64::from_ne_bytes(uc[i..i + 8].try_into().unwrap_or([0; 8]));
        let mc = 40; // uc_mcontext offset
        let g = |k: usize| w(mc + k * 8);
        let r = &mut self.regs;
        r.r8 = g(0);
        r.r9 = g(1);
        r.r10 = g(2);
        r.r11 = g(3);
        r.r12 = g(4);
        r.r13 = g(5);
        r.r14 = g(6);
        r.r15 = g(7);
        r.rdi = g(8);
        r.rsi = g(9);
        r.rbp = g(10);
        r.rbx = g(11);
        r.rdx = g(12);
        r.rax = g(13);
        r.rcx = g(14);
        r.rsp = g(15);
        r.rip = g(16);
        // Only the arithmetic flags and DF/TF-free bits come back.
        r.eflags = (r.eflags & !0x50dd5) | (g(17) & 0x50dd5);
        r.orig_rax = u64::MAX;
        let fpstate = g(23);
        let mask = w(296);
        self.shared.signals().mask = mask & !UNBLOCKABLE;
        if fpstate != 0 {
            let mut fpu = vec![0u8; FPU_SIZE as usize];
            self.copy_in(fpstate, &mut fpu)?;
            self.ctx.set_fpu(self.mm.address_space(), &fpu)?;
        }
        Ok(())
    }
}

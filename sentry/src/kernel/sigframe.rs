//! Signal delivery (`signal(7)`): pending sets, the x86_64 `rt_sigframe`
//! a handler runs on, and `rt_sigreturn`.
//!
//! A signal sent to a thread ([`TaskShared::send`]) or to its process
//! ([`TaskShared::send_process`], pending in the set the threads share)
//! is dropped when its disposition ignores it, kills the process when its
//! default action is fatal, and is otherwise queued; the thread that will
//! take it is interrupted if it is running application code. Before the
//! task next runs, the lowest pending unblocked signal is taken: default
//! actions end the process (terminate, core), are dropped (ignore,
//! continue) or stop the whole process (see `thread_group`); a handler
//! gets a frame built like Linux's `setup_rt_frame`/`get_sigframe`: below
//! the 128-byte red zone (or at the top of the alternate stack with
//! SA_ONSTACK; a frame that does not fit there is a SIGSEGV), the FPU
//! state 64-byte aligned, then `rt_sigframe { pretcode, ucontext, siginfo
//! }` with rsp+8 16-byte aligned as after a call. The FPU state is the
//! whole XSAVE area of the frame's features (`platform::xstate`, sized
//! from CPUID leaf 0xD) with `_fpx_sw_bytes` in its sw_reserved bytes and
//! FP_XSTATE_MAGIC2 after it; `uc_flags` has UC_FP_XSTATE. The handler
//! returns to `sa_restorer`, which calls `rt_sigreturn`; that restores the
//! XSAVE state when both magics are there and the fxsave area alone (the
//! rest reset) when not, and a NULL fpstate resets the FPU, as Linux's
//! `fpu__restore_sig`.
//!
//! A blocked sentry call (sleep, pipe, wait, poll) notices a deliverable
//! signal within `current::INTERRUPT_CHECK` and returns EINTR; with
//! SA_RESTART, the calls Linux restarts are restarted after the handler,
//! and a call no handler ran for is restarted (Linux's ERESTART*).
//!
//! Not yet: queued real-time signals (one pending instance per signal),
//! a compacted-format (XCOMP_BV bit 63)
//! area on sigreturn (a SIGSEGV here), dynamically enabled features (AMX).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::signal::{
    DefaultAction, SIG_DFL, SIG_IGN, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SignalState,
    default_action,
};
use super::task::{ExitStatus, Task, TaskShared};
use crate::errno::{Errno, KResult};
use crate::platform::xstate;

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
pub const CLD_STOPPED: i32 = 5;
pub const CLD_CONTINUED: i32 = 6;

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

/// The first real-time signal: from here on every instance is queued
/// with its own siginfo, in order; below it a pending signal is one bit.
pub const SIGRTMIN: i32 = 32;

/// Real-time signal instances queued in the whole sandbox, bounded like
/// Linux's RLIMIT_SIGPENDING (of the receiving task).
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// Pending signals of a task or a process: one instance of each standard
/// signal, every instance of a real-time one.
#[derive(Debug, Default)]
pub struct Pending {
    pub set: u64,
    info: [SigInfo; 31],
    /// Queued real-time instances, oldest first.
    rt: VecDeque<SigInfo>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        QUEUED.fetch_sub(self.rt.len(), Ordering::Relaxed);
    }
}

/// Why a signal was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotQueued {
    /// A standard signal already pending (they do not stack).
    Coalesced,
    /// A POSIX timer's signal still pending (its overrun counts instead).
    TimerPending,
    /// The real-time queue limit (RLIMIT_SIGPENDING) is reached.
    Full,
}

impl Pending {
    /// Adds `info`; `limit` bounds queued real-time instances sandbox-wide.
    pub fn add(&mut self, info: SigInfo, limit: usize) -> Result<(), NotQueued> {
        let sig = info.signo;
        if sig < SIGRTMIN {
            if self.set & bit(sig) != 0 {
                return Err(NotQueued::Coalesced);
            }
            self.info[(sig - 1) as usize] = info;
        } else {
            if info.code == super::timers::SI_TIMER
                && self
                    .rt
                    .iter()
                    .any(|q| q.signo == sig && q.code == info.code && q.pid == info.pid)
            {
                return Err(NotQueued::TimerPending);
            }
            if QUEUED.fetch_add(1, Ordering::Relaxed) >= limit {
                QUEUED.fetch_sub(1, Ordering::Relaxed);
                return Err(NotQueued::Full);
            }
            self.rt.push_back(info);
        }
        self.set |= bit(sig);
        Ok(())
    }

    /// Takes the oldest pending instance of `sig`.
    fn take(&mut self, sig: i32) -> Option<SigInfo> {
        if self.set & bit(sig) == 0 {
            return None;
        }
        if sig < SIGRTMIN {
            self.set &= !bit(sig);
            return Some(self.info[(sig - 1) as usize]);
        }
        let i = self.rt.iter().position(|q| q.signo == sig)?;
        let info = self.rt.remove(i)?;
        QUEUED.fetch_sub(1, Ordering::Relaxed);
        if !self.rt.iter().any(|q| q.signo == sig) {
            self.set &= !bit(sig);
        }
        Some(info)
    }

    /// Drops every pending instance of the signals in `set`.
    pub fn discard(&mut self, set: u64) {
        let before = self.rt.len();
        self.rt.retain(|q| set & bit(q.signo) == 0);
        QUEUED.fetch_sub(before - self.rt.len(), Ordering::Relaxed);
        self.set &= !set;
    }

    /// How many instances are pending (SigQ in /proc).
    pub fn count(&self) -> usize {
        (self.set & ((1u64 << (SIGRTMIN - 1)) - 1)).count_ones() as usize + self.rt.len()
    }
}

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Signals that can never be blocked.
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// The stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU).
pub const STOP_SIGNALS: u64 = (1 << (19 - 1)) | (1 << (20 - 1)) | (1 << (21 - 1)) | (1 << (22 - 1));

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TaskShared {
    /// Sends `info.signo` to this thread (tgkill, a fault, a timer aimed
    /// at a thread).
    pub fn send(self: &Arc<Self>, info: SigInfo) {
        let _ = self.send_to(info, false);
    }

    /// Sends `info.signo` to this thread's process (kill, SIGCHLD, an
    /// alarm): any thread that does not block it may take it.
    pub fn send_process(self: &Arc<Self>, info: SigInfo) {
        let _ = self.send_to(info, true);
    }

    /// As [`TaskShared::send`] / [`TaskShared::send_process`] for
    /// rt_sigqueueinfo: a real-time signal the queue has no room for is
    /// EAGAIN.
    pub fn send_queued(self: &Arc<Self>, info: SigInfo, to_process: bool) -> KResult<()> {
        match self.send_to(info, to_process) {
            Err(NotQueued::Full) => Err(Errno::EAGAIN.why("RLIMIT_SIGPENDING reached")),
            _ => Ok(()),
        }
    }

    /// Linux's `send_signal`: job-control side effects at send time, then
    /// drop (ignored), kill the group (fatal), or queue it and interrupt a
    /// thread that can take it.
    fn send_to(self: &Arc<Self>, info: SigInfo, to_process: bool) -> Result<(), NotQueued> {
        let sig = info.signo;
        if !(1..=64).contains(&sig) || self.is_zombie() && !to_process {
            return Ok(());
        }
        let members = self.group.members();
        if members.is_empty() {
            return Ok(());
        }
        // A stop signal cancels a pending SIGCONT and SIGCONT cancels
        // pending stops; SIGCONT resumes a stopped group even when it is
        // blocked or ignored.
        if bit(sig) & STOP_SIGNALS != 0 {
            self.group.discard(bit(SIGCONT), &members);
        } else if sig == SIGCONT {
            self.group.discard(STOP_SIGNALS, &members);
            self.group.cont();
        }
        let action = self.sighand().get(sig);
        let blocked_here = self.signals().mask & bit(sig) != 0;
        let ignored = action.handler == SIG_IGN
            || (action.handler == SIG_DFL
                && matches!(
                    default_action(sig),
                    DefaultAction::Ignore | DefaultAction::Continue
                ));
        // A blocked signal is kept even when ignored: the disposition may
        // change before it is unblocked, and sigwait/signalfd take it
        // (Linux's sig_ignored).
        if ignored && sig != SIGKILL && !blocked_here {
            return Ok(());
        }
        // The thread that will take it: this one, or for the process the
        // first (leader first) that does not block it.
        let taker = if to_process {
            members
                .iter()
                .find(|t| t.signals().mask & bit(sig) == 0)
                .cloned()
        } else {
            (!blocked_here).then(|| self.clone())
        };
        let fatal = sig == SIGKILL
            || (action.handler == SIG_DFL
                && taker.is_some()
                && matches!(
                    default_action(sig),
                    DefaultAction::Terminate | DefaultAction::CoreDump
                ));
        if fatal {
            self.kill_group(sig, &members);
            return Ok(());
        }
        let queue = if to_process {
            &self.group.pending
        } else {
            &self.pending
        };
        let limit = self.limits().sigpending();
        lock(queue).add(info, limit)?;
        // signalfds polled for this signal become readable; blocked calls
        // look again.
        super::waiter::notify();
        if let Some(t) = taker {
            t.kick();
        }
        Ok(())
    }

    /// A fatal signal: every thread of the group ends with it.
    fn kill_group(&self, sig: i32, members: &[Arc<TaskShared>]) {
        for t in members {
            t.killed_by.store(sig, Ordering::Relaxed);
            t.kick();
        }
        self.killed_by.store(sig, Ordering::Relaxed);
        if let Some(mm) = self.mm() {
            mm.kill();
        }
        self.group.wake();
    }

    /// Interrupts the thread wherever it is: a blocked call wakes at once
    /// (its `current::wake_on_signal`), and application code running
    /// returns to the sentry (a busy loop makes no syscall to notice its
    /// signals at).
    pub fn kick(&self) {
        if let Some(w) = self
            .waker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            w();
        }
        if !self.in_user.load(Ordering::SeqCst) {
            return;
        }
        let handle = self.kick_handle.load(Ordering::Relaxed);
        if handle < 0 {
            return;
        }
        if let Some(mm) = self.mm() {
            mm.address_space().interrupt(handle);
        }
    }

    /// Whether a pending signal is not blocked (a blocked call must stop),
    /// or the group is stopping.
    pub fn has_deliverable(&self) -> bool {
        let mask = self.signals().mask;
        self.pending_set() & !mask != 0 || self.group.stopped()
    }

    /// Takes a pending signal of `set` (lowest first, this thread's before
    /// the process's), blocked or not (rt_sigtimedwait, signalfd).
    pub fn take_from(&self, set: u64) -> Option<SigInfo> {
        for queue in [&self.pending, &self.group.pending] {
            let mut p = lock(queue);
            let ready = p.set & set;
            if ready != 0 {
                let sig = ready.trailing_zeros() as i32 + 1;
                return p.take(sig);
            }
        }
        None
    }

    /// Drops a pending `sig` (its disposition became "ignore").
    pub fn discard_pending(&self, sig: i32) {
        if (1..=64).contains(&sig) {
            lock(&self.pending).discard(bit(sig));
            lock(&self.group.pending).discard(bit(sig));
        }
    }

    /// The pending set (rt_sigpending): this thread's and the process's.
    pub fn pending_set(&self) -> u64 {
        lock(&self.pending).set | lock(&self.group.pending).set
    }

    fn take_deliverable(&self) -> Option<SigInfo> {
        let mask = self.signals().mask;
        self.take_from(!mask)
    }
}

impl super::thread_group::ThreadGroup {
    /// Drops the pending signals of `set` everywhere in the group.
    fn discard(&self, set: u64, members: &[Arc<TaskShared>]) {
        lock(&self.pending).discard(set);
        for t in members {
            lock(&t.pending).discard(set);
        }
    }
}

/// Calls that Linux fails with EINTR after a stop and SIGCONT even with
/// no handler (signal(7)): epoll_wait, epoll_pwait, epoll_pwait2,
/// rt_sigtimedwait, semop, semtimedop, io_getevents. Every other call
/// interrupted by a signal no handler ran for is restarted.
const NR_NANOSLEEP: u64 = 35;
const NR_CLOCK_NANOSLEEP: u64 = 230;
const NR_RESTART_SYSCALL: u64 = 219;

fn eintr_without_handler(nr: u64) -> bool {
    // restart_syscall with nothing to restart fails for good, too.
    matches!(
        nr,
        232 | 281 | 441 | 128 | 65 | 220 | 208 | NR_RESTART_SYSCALL
    )
}

/// Syscalls Linux restarts after a SA_RESTART handler.
fn restartable(nr: u64) -> bool {
    matches!(
        nr,
        0 | 1 | 17 | 18 | 19 | 20 | 61 | 247 | 295 | 296 | 16 | 72 | 40 | 275 | 276 | 278 | 326
    )
}

/// `struct rt_sigframe`: pretcode, ucontext, siginfo.
const FRAME_SIZE: u64 = 8 + 304 + 128;
/// `_fpx_sw_bytes` markers of an XSAVE frame (uapi `asm/sigcontext.h`).
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
const FP_XSTATE_MAGIC2_SIZE: usize = 4;
/// Offset of `sw_reserved` (`struct _fpx_sw_bytes`) in the fxsave area.
const SW_BYTES: usize = 464;
/// `uc_flags` bits (`asm/ucontext.h`).
const UC_FP_XSTATE: u64 = 0x1;
const UC_SIGCONTEXT_SS: u64 = 0x2;
const UC_STRICT_RESTORE_SS: u64 = 0x4;

/// Where a signal frame goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placement {
    /// The `rt_sigframe` (the handler's rsp).
    frame: u64,
    /// The FPU state, 64-aligned, above it.
    fpstate: u64,
}

/// Linux's `get_sigframe` for a 64-bit frame: below the 128-byte red
/// zone, or at the top of the alternate stack for SA_ONSTACK when not
/// already on it; the FPU state (`math_size` bytes) 64-aligned, the
/// frame below it with rsp+8 16-aligned. `None` when a frame on the
/// alternate stack would overflow it (Linux's "overflowed sigaltstack",
/// a SIGSEGV) or the frame would wrap around the address space.
fn place_frame(rsp: u64, onstack: bool, alt: &SignalState, math_size: u64) -> Option<Placement> {
    let (ss_sp, _, ss_size) = alt.altstack;
    // Linux's __on_sig_stack.
    let within = |sp: u64| sp > ss_sp && sp - ss_sp <= ss_size;
    let nested = alt.on_altstack(rsp);
    let mut sp = rsp.wrapping_sub(128);
    let mut entering = false;
    // sas_ss_flags(sp) == 0: an alternate stack is set and we are not on it.
    if onstack && ss_size != 0 && !alt.on_altstack(sp) {
        sp = ss_sp.wrapping_add(ss_size);
        entering = true;
    }
    let fpstate = sp.wrapping_sub(math_size) & !63;
    let frame = (fpstate.wrapping_sub(FRAME_SIZE) & !15).wrapping_sub(8);
    if (nested || entering) && !within(frame) {
        return None;
    }
    // A stack pointer so low that the frame wraps around: no memory there.
    if frame >= fpstate || fpstate.checked_add(math_size).is_none() {
        return None;
    }
    Some(Placement { frame, fpstate })
}

/// The bytes of FPU state in a frame: the XSAVE area and FP_XSTATE_MAGIC2
/// (Linux's `xstate_sigframe_size`), or the bare fxsave area.
fn math_size(layout: &xstate::Layout) -> u64 {
    if layout.xsave {
        (layout.size + FP_XSTATE_MAGIC2_SIZE) as u64
    } else {
        xstate::FXSAVE_SIZE as u64
    }
}

/// `uc_flags` of a frame, as Linux's `frame_uc_flags` for 64-bit code.
fn uc_flags(layout: &xstate::Layout) -> u64 {
    let xs = if layout.xsave { UC_FP_XSTATE } else { 0 };
    xs | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn get_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// The frame's FPU state from the thread's (Linux's
/// `copy_fpstate_to_sigframe` and `save_xstate_epilog`): the frame's
/// features only, `_fpx_sw_bytes` in sw_reserved, XSTATE_BV with x87 and
/// SSE always set (so a handler's edits of the legacy area are restored),
/// FP_XSTATE_MAGIC2 after the area.
fn frame_xstate(layout: &xstate::Layout, mut s: Vec<u8>) -> Vec<u8> {
    let size = if layout.xsave {
        layout.size
    } else {
        xstate::FXSAVE_SIZE
    };
    s.resize(size, 0);
    s[SW_BYTES..xstate::FXSAVE_SIZE].fill(0);
    put_u32(&mut s, SW_BYTES, FP_XSTATE_MAGIC1);
    put_u32(
        &mut s,
        SW_BYTES + 4,
        (layout.size + FP_XSTATE_MAGIC2_SIZE) as u32,
    );
    put_u64(&mut s, SW_BYTES + 8, layout.features);
    put_u32(&mut s, SW_BYTES + 16, layout.size as u32);
    if layout.xsave {
        let bv = get_u64(&s, xstate::XSTATE_BV) & layout.features | xstate::FPSSE;
        s[xstate::XSTATE_BV..xstate::XSTATE_BV + xstate::HEADER_SIZE].fill(0);
        put_u64(&mut s, xstate::XSTATE_BV, bv);
        s.extend_from_slice(&FP_XSTATE_MAGIC2.to_le_bytes());
    }
    s
}

/// What sigreturn loads from a frame's XSAVE area, as a state for
/// `Context::set_xstate` (whose absent components are reset). `area`
/// holds at least the XRSTOR extent of `rfbm`; `None` when XRSTOR would
/// fault (#GP: a reserved header byte, a feature XCR0 lacks).
fn xrstor_state(layout: &xstate::Layout, area: &[u8], rfbm: u64) -> Option<Vec<u8>> {
    let bv = get_u64(area, xstate::XSTATE_BV);
    // XCOMP_BV and the next 8 bytes must be zero in the standard form.
    if get_u64(area, xstate::XSTATE_BV + 8) != 0 || get_u64(area, xstate::XSTATE_BV + 16) != 0 {
        return None;
    }
    if bv & !layout.xcr0 != 0 {
        return None;
    }
    let mut load = bv & rfbm & layout.features;
    let mut s = vec![0u8; layout.size];
    let n = area.len().min(layout.size);
    s[..n].copy_from_slice(&area[..n]);
    s[SW_BYTES..xstate::FXSAVE_SIZE].fill(0);
    s[xstate::XSTATE_BV..xstate::XSTATE_BV + xstate::HEADER_SIZE].fill(0);
    if load & 0b10 == 0 {
        // xmm registers reset; MXCSR is still loaded from the area when
        // SSE or AVX was requested, and reset otherwise (Linux restores
        // unrequested features from init_fpstate).
        s[xstate::XMM].fill(0);
        if rfbm & xstate::SSE_YMM == 0 {
            put_u32(&mut s, xstate::MXCSR, xstate::MXCSR_DEFAULT);
        }
        load |= 0b10;
    }
    put_u64(&mut s, xstate::XSTATE_BV, load);
    Some(s)
}

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
    /// the process ends when a signal ends it. A stop signal stops the
    /// whole group here, and the thread parks until SIGCONT or SIGKILL. A
    /// call a signal interrupted is restarted when no handler ran for it.
    pub fn deliver_pending(&mut self) -> Option<ExitStatus> {
        let mut handled = false;
        loop {
            if self.shared.group.stopped() {
                self.park_stopped();
                if self.must_go() {
                    return None;
                }
            }
            let Some(info) = self.shared.take_deliverable() else {
                break;
            };
            let sig = info.signo;
            let action = self.shared.sighand().get(sig);
            if action.handler == SIG_IGN {
                continue;
            }
            if action.handler == SIG_DFL {
                match default_action(sig) {
                    DefaultAction::Ignore | DefaultAction::Continue => continue,
                    DefaultAction::Stop => {
                        // SIGTSTP, SIGTTIN and SIGTTOU do nothing to an
                        // orphaned process group (no shell would resume it).
                        if sig == SIGSTOP || !self.kernel.pgrp_orphaned(self.shared.pgid()) {
                            self.group_stop(sig);
                        }
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
            // Like Linux, every signal still deliverable under the
            // handler's mask gets its frame now, stacked on this one: the
            // last one set up runs first.
            handled = true;
        }
        if handled {
            return None;
        }
        if let Some(nr) = self.interrupted_syscall.take()
            && !eintr_without_handler(nr)
        {
            // Linux's ERESTART*: the signal was taken elsewhere, ignored or
            // stopped us, so the call goes on as if nothing happened. A
            // relative sleep resumes with the time it had left.
            self.regs.rax = if matches!(nr, NR_NANOSLEEP | NR_CLOCK_NANOSLEEP)
                && self.restart_sleep.is_some()
            {
                NR_RESTART_SYSCALL
            } else {
                self.regs.orig_rax
            };
            self.regs.rip -= 2;
        }
        if let Some(m) = self.saved_mask.take() {
            self.shared.signals().mask = m;
        }
        None
    }

    /// Whether the task must end rather than go on (killed, group exit).
    fn must_go(&self) -> bool {
        self.shared.killed_by.load(Ordering::Relaxed) != 0 || self.shared.group_exiting()
    }

    /// Starts a group stop by `sig`: the parent is told (SIGCHLD with
    /// CLD_STOPPED, unless it asked for SA_NOCLDSTOP; wait(WUNTRACED)
    /// sees it), and the other threads are interrupted so they park too.
    fn group_stop(&mut self, sig: i32) {
        if !self.shared.group.stop(sig) {
            return;
        }
        for t in self.shared.group.members() {
            if t.tid != self.tid() {
                t.kick();
            }
        }
        // Blocked calls of the other threads return and park.
        super::waiter::notify();
    }

    /// Parks while the group is stopped. The last thread to park completes
    /// the stop and tells the parent (CLD_STOPPED; wait sees it only
    /// then, as on Linux); the first to run again after SIGCONT tells it
    /// CLD_CONTINUED.
    fn park_stopped(&mut self) {
        let shared = self.shared.clone();
        let threads = shared.group.members().len();
        if let Some(sig) = shared.group.park(threads) {
            self.tell_parent(CLD_STOPPED, sig);
        }
        shared.group.wait_while_stopped(|| {
            shared.killed_by.load(Ordering::Relaxed) != 0 || shared.group_exiting()
        });
        shared.group.unpark();
        if !self.must_go() && self.shared.group.take_continued_notice() {
            self.tell_parent(CLD_CONTINUED, SIGCONT);
        }
    }

    /// A job-control SIGCHLD to the parent process, and wakes its waits.
    fn tell_parent(&self, code: i32, status: i32) {
        let kernel = self.kernel.clone();
        let ppid = self.shared.ppid();
        if let Some(parent) = kernel.task(ppid)
            && parent.tid != self.tgid()
            && parent.sighand().get(SIGCHLD).flags & SA_NOCLDSTOP == 0
        {
            parent.send_process(SigInfo {
                signo: SIGCHLD,
                code,
                pid: self.tgid(),
                uid: self.shared.creds().uid,
                status,
                addr: 0,
                value: 0,
            });
        }
        let _g = kernel.wait_lock.lock().unwrap_or_else(|p| p.into_inner());
        kernel.wait_cond.notify_all();
    }

    fn setup_frame(&mut self, info: SigInfo, action: super::signal::SigAction) -> KResult<()> {
        if action.flags & SA_RESTORER == 0 {
            return Err(Errno::EFAULT.why("no sa_restorer"));
        }
        // Restart the interrupted call after the handler, when Linux would.
        if self.interrupted_syscall.take().is_some_and(|nr| {
            self.restart_noint || action.flags & SA_RESTART != 0 && restartable(nr)
        }) {
            self.regs.rax = self.regs.orig_rax;
            self.regs.rip -= 2;
        }
        let (old_mask, alt) = {
            let s = self.shared.signals();
            (self.saved_mask.take().unwrap_or(s.mask), s.clone())
        };
        let (ss_sp, ss_flags, ss_size) = alt.altstack;
        let layout = xstate::layout();
        let place = place_frame(
            self.regs.rsp,
            action.flags & SA_ONSTACK != 0,
            &alt,
            math_size(layout),
        )
        .ok_or(Errno::EFAULT.why("no room for the frame (alternate stack overflow)"))?;
        let (frame, fpstate) = (place.frame, place.fpstate);
        let fpu = frame_xstate(layout, self.ctx.get_xstate(self.mm.address_space())?);

        let r = &self.regs;
        let mut uc = Vec::with_capacity(304);
        uc.extend_from_slice(&uc_flags(layout).to_ne_bytes());
        uc.extend_from_slice(&0u64.to_ne_bytes()); // uc_link
        uc.extend_from_slice(&ss_sp.to_ne_bytes());
        uc.extend_from_slice(&u64::from(ss_flags).to_ne_bytes());
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

        // One copy: rt_sigframe, the alignment gap, the FPU state.
        let mut f = Vec::with_capacity((fpstate - frame) as usize + fpu.len());
        f.extend_from_slice(&action.restorer.to_ne_bytes());
        f.extend_from_slice(&uc);
        f.extend_from_slice(&info.to_bytes());
        f.resize((fpstate - frame) as usize, 0);
        f.extend_from_slice(&fpu);
        self.copy_out(frame, &f)?;

        // The handler's mask, and SA_RESETHAND.
        {
            let mut s = self.shared.signals();
            let mut m = old_mask | action.mask;
            if action.flags & SA_NODEFER == 0 {
                m |= bit(info.signo);
            }
            s.mask = m & !UNBLOCKABLE;
            s.disarm_altstack();
            drop(s);
            if action.flags & SA_RESETHAND != 0 {
                self.shared
                    .sighand()
                    .set(info.signo, super::signal::SigAction::default());
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

    /// The FPU state sigreturn restores from the frame at `buf` (Linux's
    /// `__fpu_restore_sig`): XRSTOR of the features `_fpx_sw_bytes` names
    /// when both magics are right, else FXRSTOR of the legacy area alone;
    /// the other features are reset. An unreadable area or one the CPU
    /// would refuse is an error (SIGSEGV).
    fn read_frame_xstate(&self, layout: &xstate::Layout, buf: u64) -> KResult<Vec<u8>> {
        let bad = || Errno::EFAULT.why("bad FPU state in the signal frame");
        let mut fx = vec![0u8; xstate::FXSAVE_SIZE];
        self.copy_in(buf, &mut fx)?;
        if !layout.xsave {
            return Ok(fx);
        }
        // check_xstate_in_sigframe
        let magic1 = get_u32(&fx, SW_BYTES);
        let extended_size = get_u32(&fx, SW_BYTES + 4) as usize;
        let xfeatures = get_u64(&fx, SW_BYTES + 8);
        let xstate_size = get_u32(&fx, SW_BYTES + 16) as usize;
        let mut full = magic1 == FP_XSTATE_MAGIC1
            && xstate_size >= xstate::FXSAVE_SIZE + xstate::HEADER_SIZE
            && xstate_size <= layout.size
            && xstate_size <= extended_size;
        if full {
            let magic2 = self.read_bytes::<4>(buf.wrapping_add(xstate_size as u64))?;
            full = u32::from_le_bytes(magic2) == FP_XSTATE_MAGIC2;
        }
        let (area, rfbm) = if full {
            let rfbm = xfeatures & layout.xcr0;
            let mut area = vec![0u8; layout.extent(rfbm)];
            area[..xstate::FXSAVE_SIZE].copy_from_slice(&fx);
            self.copy_in(
                buf.wrapping_add(xstate::FXSAVE_SIZE as u64),
                &mut area[xstate::FXSAVE_SIZE..],
            )?;
            (area, rfbm)
        } else {
            // FXRSTOR: x87 and SSE from the legacy area.
            fx.resize(xstate::FXSAVE_SIZE + xstate::HEADER_SIZE, 0);
            put_u64(&mut fx, xstate::XSTATE_BV, xstate::FPSSE);
            (fx, xstate::FPSSE)
        };
        xrstor_state(layout, &area, rfbm).ok_or_else(bad)
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
        let layout = xstate::layout();
        let state = if fpstate == 0 {
            // Linux's fpu__clear_user_states: no saved state, reset.
            layout.init_state()
        } else {
            self.read_frame_xstate(layout, fpstate)?
        };
        self.ctx.set_xstate(self.mm.address_space(), &state)?;
        // restore_altstack: the stack the handler's frame recorded (an
        // SS_AUTODISARM stack comes back); refusals are ignored, as Linux.
        let ss_sp = w(16);
        let ss_flags = u32::from_ne_bytes(uc[24..28].try_into().unwrap_or([0; 4]));
        let ss_size = w(32);
        let rsp = self.regs.rsp;
        let _ = self
            .shared
            .signals()
            .set_altstack(ss_sp, ss_flags, ss_size, rsp);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::signal::SS_AUTODISARM;
    use crate::platform::xstate::{FXSAVE_SIZE, HEADER_SIZE, Layout, MXCSR, XSTATE_BV};

    /// An AVX machine: x87, SSE, AVX at 576 (256 bytes).
    fn avx_layout() -> Layout {
        let mut components = [(0, 0); 64];
        components[2] = (576, 256);
        Layout {
            xsave: true,
            xcr0: 0b111,
            features: 0b111,
            size: 832,
            components,
        }
    }

    fn no_altstack() -> SignalState {
        SignalState::default()
    }

    fn altstack(sp: u64, flags: u32, size: u64) -> SignalState {
        SignalState {
            mask: 0,
            altstack: (sp, flags, size),
        }
    }

    #[test]
    fn frame_below_the_red_zone() {
        let rsp = 0x7fff_0000_1234;
        let p = place_frame(rsp, false, &no_altstack(), 836).unwrap();
        assert_eq!(p.fpstate, (rsp - 128 - 836) & !63);
        assert_eq!((p.frame + 8) % 16, 0);
        // A 64-aligned fpstate puts the ucontext 448 bytes below it.
        assert_eq!(p.fpstate - (p.frame + 8), 448);
    }

    #[test]
    fn frame_on_the_alternate_stack_must_fit() {
        let top = 0x1000_0000;
        // Top 64-aligned: the area rounded up to 64, then 456 bytes, and
        // the frame must lie strictly above ss_sp.
        let need = 896 + 456;
        let on = |size| place_frame(0x7fff_0000_0000, true, &altstack(top - size, 0, size), 836);
        assert_eq!(on(need), None);
        let p = on(need + 64).unwrap();
        assert_eq!(p.fpstate + 896, top);
        assert_eq!(p.frame, top - need);
        // Without SA_ONSTACK the stack is not used, however small.
        assert!(place_frame(0x7fff_0000_0000, false, &altstack(top - 64, 0, 64), 836).is_some());
    }

    #[test]
    fn nested_frame_on_the_alternate_stack() {
        let alt = altstack(0x1000_0000, 0, 0x1_0000);
        // Already on it: the frame goes below rsp, not to the top again.
        let p = place_frame(0x1000_8000, true, &alt, 836).unwrap();
        assert!(p.fpstate < 0x1000_8000 - 128);
        // Too close to its bottom: overflow, even without SA_ONSTACK.
        assert_eq!(place_frame(0x1000_0400, false, &alt, 836), None);
        // SS_AUTODISARM: never "on" it, so a new frame starts at its top.
        let alt = altstack(0x1000_0000, SS_AUTODISARM, 0x1_0000);
        let p = place_frame(0x1000_8000, true, &alt, 836).unwrap();
        assert_eq!(p.fpstate, (0x1001_0000 - 836) & !63);
    }

    #[test]
    fn frame_that_wraps_is_refused() {
        assert_eq!(place_frame(128 + 900, false, &no_altstack(), 836), None);
    }

    #[test]
    fn frame_xstate_has_linux_markers() {
        let l = avx_layout();
        let mut live = vec![0xeeu8; 1000];
        put_u64(&mut live, XSTATE_BV, 0b100 | 1 << 9);
        let f = frame_xstate(&l, live);
        assert_eq!(f.len(), 836);
        assert_eq!(get_u32(&f, SW_BYTES), FP_XSTATE_MAGIC1);
        assert_eq!(get_u32(&f, SW_BYTES + 4), 836);
        assert_eq!(get_u64(&f, SW_BYTES + 8), 0b111);
        assert_eq!(get_u32(&f, SW_BYTES + 16), 832);
        assert_eq!(get_u32(&f, 832), FP_XSTATE_MAGIC2);
        // x87 and SSE always; features outside the frame's dropped.
        assert_eq!(get_u64(&f, XSTATE_BV), 0b111);
        assert!(
            f[XSTATE_BV + 8..XSTATE_BV + HEADER_SIZE]
                .iter()
                .all(|&b| b == 0)
        );
    }

    #[test]
    fn xrstor_refuses_what_the_cpu_refuses() {
        let l = avx_layout();
        let mut a = vec![0u8; 832];
        put_u64(&mut a, XSTATE_BV, 0b111);
        assert!(xrstor_state(&l, &a, 0b111).is_some());
        put_u64(&mut a, XSTATE_BV + 8, 1);
        assert_eq!(xrstor_state(&l, &a, 0b111), None);
        put_u64(&mut a, XSTATE_BV + 8, 0);
        put_u64(&mut a, XSTATE_BV, 1 << 62);
        assert_eq!(xrstor_state(&l, &a, 0b111), None);
        // Bytes past the first 24 of the header are not checked.
        put_u64(&mut a, XSTATE_BV, 0b111);
        put_u64(&mut a, XSTATE_BV + 32, 7);
        let s = xrstor_state(&l, &a, 0b111).unwrap();
        assert!(
            s[XSTATE_BV + 8..XSTATE_BV + HEADER_SIZE]
                .iter()
                .all(|&b| b == 0)
        );
    }

    #[test]
    fn xrstor_resets_what_it_does_not_load() {
        let l = avx_layout();
        let mut a = vec![0x55u8; 832];
        a[XSTATE_BV..XSTATE_BV + HEADER_SIZE].fill(0);
        put_u32(&mut a, MXCSR, 0x1fa0);
        // SSE absent from XSTATE_BV: xmm reset, MXCSR still loaded.
        put_u64(&mut a, XSTATE_BV, 0b101);
        let s = xrstor_state(&l, &a, 0b111).unwrap();
        assert_eq!(get_u64(&s, XSTATE_BV), 0b111);
        assert!(s[xstate::XMM].iter().all(|&b| b == 0));
        assert_eq!(get_u32(&s, MXCSR), 0x1fa0);
        // AVX not requested: not loaded (reset by set_xstate).
        let s = xrstor_state(&l, &a, 0b011).unwrap();
        assert_eq!(get_u64(&s, XSTATE_BV), 0b011);
        // Neither SSE nor AVX requested: MXCSR reset too.
        let s = xrstor_state(&l, &a, 0b001).unwrap();
        assert_eq!(get_u32(&s, MXCSR), xstate::MXCSR_DEFAULT);
        assert_eq!(s.len(), 832);
        assert!(s[SW_BYTES..FXSAVE_SIZE].iter().all(|&b| b == 0));
    }
}

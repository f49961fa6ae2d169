//! Tasks: one application thread each, served by one sentry thread. The
//! part other threads may look at (/proc, the task table) is
//! [`TaskShared`]; the part only the serving thread touches is [`Task`],
//! which runs the loop `switch -> event -> syscall/fault -> switch`.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::cputime::{GroupCpu, ThreadCpu};
use super::creds::Creds;
use super::limits::Limits;
use super::signal::{DefaultAction, SigActions, SignalState, default_action};
use super::thread_group::ThreadGroup;
use super::{Kernel, SyscallArgs, current};
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;
use crate::platform::{Context, Event, Registers};
use crate::vfs::path::{ParentAndName, Walker};
use crate::vfs::{Dentry, FdTable, OpenFile};

/// The longest path a syscall accepts (PATH_MAX, with the NUL).
pub const PATH_MAX: usize = 4096;
/// AT_FDCWD.
pub const AT_FDCWD: i32 = -100;

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Signaled { signo: i32, core: bool },
}

impl ExitStatus {
    /// The status a shell reports: the code, or 128+N for signal N.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => c & 0xff,
            ExitStatus::Signaled { signo, .. } => 128 + signo,
        }
    }
}

/// Root, working directory and umask (shared under CLONE_FS).
#[derive(Clone)]
pub struct FsContext {
    pub root: Arc<Dentry>,
    pub cwd: Arc<Dentry>,
    pub umask: u32,
}

/// What other threads may see of a task.
pub struct TaskShared {
    pub tid: i32,
    pub tgid: i32,
    /// Parent's tgid (0 for the sandbox's first process); orphans move to 1.
    pub ppid: AtomicI32,
    pub pgid: AtomicI32,
    pub sid: AtomicI32,
    pub comm: Mutex<Vec<u8>>,
    pub mm: Mutex<Option<Arc<MemoryManager>>>,
    pub fds: Arc<FdTable>,
    pub fs: Arc<Mutex<FsContext>>,
    pub exe: Mutex<Option<Arc<Dentry>>>,
    pub creds: Mutex<Creds>,
    /// Resource limits, shared by the threads of a process.
    pub limits: Arc<Mutex<Limits>>,
    /// This thread's blocked mask and alternate stack.
    pub signals: Mutex<SignalState>,
    /// Signal dispositions, shared with the other threads (CLONE_SIGHAND).
    pub sighand: Arc<Mutex<SigActions>>,
    /// What the process's threads share for signals and job control.
    pub group: Arc<ThreadGroup>,
    /// Whether the application thread is running (not in the sentry): a
    /// signal for it must interrupt it (see [`TaskShared::kick`]).
    pub in_user: AtomicBool,
    /// The platform's handle to interrupt this thread (-1: none yet).
    pub kick_handle: AtomicI64,
    /// What wakes the call the task is blocked in, if any
    /// (`current::wake_on_signal`).
    #[allow(clippy::type_complexity)]
    pub waker: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
    /// What `current::sleep` waits on.
    pub nap: (Mutex<()>, Condvar),
    /// Its sentry thread left the task loop (the thread is gone, even when
    /// no exit status is kept for it).
    pub ended: AtomicBool,
    pub start: Instant,
    /// PR_SET_DUMPABLE.
    pub dumpable: AtomicU32,
    /// PR_SET_NO_NEW_PRIVS.
    pub no_new_privs: AtomicU32,
    /// PR_SET_TIMERSLACK (ns).
    pub timer_slack: AtomicU64,
    /// PR_SET_CHILD_SUBREAPER.
    pub child_subreaper: AtomicU32,
    /// PR_SET_PDEATHSIG (0: none).
    pub pdeathsig: AtomicI32,
    /// The thread of the parent process that created it: its exit sends
    /// the parent-death signal (Linux's real_parent is a thread).
    pub creator_tid: AtomicI32,
    /// PR_SET_KEEPCAPS.
    pub keepcaps: AtomicU32,
    /// The nice value (setpriority), stored as i32 bits.
    pub nice: AtomicU32,
    /// How it ended, once it did (a zombie until its parent waits).
    /// Protected by `Kernel::wait_lock` for waiters.
    pub exit_status: Mutex<Option<ExitStatus>>,
    /// A fatal signal sent by another task (0: none).
    pub killed_by: AtomicI32,
    /// vfork: the parent waits until this is set (exec or exit).
    pub vfork_done: (Mutex<bool>, Condvar),
    /// A leader whose place another thread's exec takes (`de_thread`).
    pub superseded: AtomicBool,
    /// Set by a superseded leader's sentry thread when it is done.
    pub retired: (Mutex<bool>, Condvar),
    /// How the whole thread group ends once exit_group (or exec) decided
    /// it; shared by every thread of the group.
    pub group_exit: Arc<Mutex<Option<ExitStatus>>>,
    /// Signals sent and not yet delivered.
    pub pending: Mutex<super::sigframe::Pending>,
    /// The ITIMER_REAL timer (alarm/setitimer), once created.
    pub itimer_real: Mutex<Option<u64>>,
    /// POSIX timers: the process's timer ids -> timer service ids.
    pub posix_timers: Mutex<std::collections::BTreeMap<i32, (u64, i32)>>,
    /// The task's CPU time.
    pub cpu: Arc<ThreadCpu>,
    /// Its thread group's CPU time and CPU itimers (shared by the group).
    pub group_cpu: Arc<GroupCpu>,
    /// The robust futex list head (`set_robust_list(2)`; 0: none).
    pub robust_list: AtomicU64,
    /// Set, under the futex table lock, once the exiting thread released
    /// its futexes: a FUTEX_LOCK_PI finding it as owner fails with ESRCH
    /// instead of waiting for a hand-over (Linux's FUTEX_STATE_DEAD).
    pub futex_dead: AtomicBool,
    /// Whether its serving thread is inside a syscall handler (what
    /// /proc shows as state S for a task other than the reader).
    pub in_syscall: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TaskShared {
    /// A task's shared part.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tid: i32,
        ppid: i32,
        (pgid, sid): (i32, i32),
        fds: Arc<FdTable>,
        fs: Arc<Mutex<FsContext>>,
        creds: Creds,
        limits: Limits,
        (signals, sighand): (SignalState, Arc<Mutex<SigActions>>),
    ) -> TaskShared {
        let cpu = Arc::new(ThreadCpu::default());
        TaskShared {
            group_cpu: GroupCpu::new(cpu.clone()),
            cpu,
            tid,
            tgid: tid,
            ppid: AtomicI32::new(ppid),
            pgid: AtomicI32::new(pgid),
            sid: AtomicI32::new(sid),
            comm: Mutex::new(Vec::new()),
            mm: Mutex::new(None),
            fds,
            fs,
            exe: Mutex::new(None),
            creds: Mutex::new(creds),
            limits: Arc::new(Mutex::new(limits)),
            signals: Mutex::new(signals),
            sighand,
            group: Arc::new(ThreadGroup::default()),
            in_user: AtomicBool::new(false),
            kick_handle: AtomicI64::new(-1),
            waker: Mutex::new(None),
            nap: (Mutex::new(()), Condvar::new()),
            ended: AtomicBool::new(false),
            start: Instant::now(),
            dumpable: AtomicU32::new(1),
            no_new_privs: AtomicU32::new(0),
            timer_slack: AtomicU64::new(50_000),
            child_subreaper: AtomicU32::new(0),
            pdeathsig: AtomicI32::new(0),
            creator_tid: AtomicI32::new(ppid),
            keepcaps: AtomicU32::new(0),
            nice: AtomicU32::new(0),
            exit_status: Mutex::new(None),
            killed_by: AtomicI32::new(0),
            vfork_done: (Mutex::new(false), Condvar::new()),
            superseded: AtomicBool::new(false),
            retired: (Mutex::new(false), Condvar::new()),
            pending: Mutex::new(super::sigframe::Pending::default()),
            group_exit: Arc::new(Mutex::new(None)),
            itimer_real: Mutex::new(None),
            posix_timers: Mutex::new(std::collections::BTreeMap::new()),
            in_syscall: AtomicBool::new(false),
            robust_list: AtomicU64::new(0),
            futex_dead: AtomicBool::new(false),
        }
    }

    /// The task's fs context.
    pub fn fs(&self) -> MutexGuard<'_, FsContext> {
        lock(&self.fs)
    }
    /// The task's credentials.
    pub fn creds(&self) -> MutexGuard<'_, Creds> {
        lock(&self.creds)
    }
    /// The task's limits.
    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }
    /// The task's signal state.
    pub fn signals(&self) -> MutexGuard<'_, SignalState> {
        lock(&self.signals)
    }
    /// The task's command name.
    pub fn comm(&self) -> Vec<u8> {
        lock(&self.comm).clone()
    }
    /// How the task ends if a fatal signal was sent to it, whatever it is
    /// doing (a fatal signal kills the stub under any operation in flight).
    pub fn fatal_status(&self) -> Option<ExitStatus> {
        let signo = self.killed_by.load(Ordering::Relaxed);
        (signo != 0).then(|| ExitStatus::Signaled {
            signo,
            core: default_action(signo) == DefaultAction::CoreDump,
        })
    }
    /// The task's memory manager.
    pub fn mm(&self) -> Option<Arc<MemoryManager>> {
        lock(&self.mm).clone()
    }
    /// The task's executable.
    pub fn exe(&self) -> Option<Arc<Dentry>> {
        lock(&self.exe).clone()
    }
    /// Parent's tgid.
    pub fn ppid(&self) -> i32 {
        self.ppid.load(Ordering::Relaxed)
    }
    /// A thread of `leader`'s group: same tgid, parent, group, session,
    /// and group-exit slot.
    pub fn into_thread_of(mut self, leader: &TaskShared) -> TaskShared {
        self.tgid = leader.tgid;
        self.ppid = AtomicI32::new(leader.ppid());
        self.group_exit = leader.group_exit.clone();
        self.group = leader.group.clone();
        self.limits = leader.limits.clone();
        self.group_cpu = leader.group_cpu.clone();
        self.group_cpu.join(self.cpu.clone());
        self
    }

    /// The signal dispositions.
    pub fn sighand(&self) -> MutexGuard<'_, SigActions> {
        lock(&self.sighand)
    }

    /// Whether the thread group is ending (exit_group or exec elsewhere).
    pub fn group_exiting(&self) -> bool {
        lock(&self.group_exit).is_some()
    }

    /// Whether it has exited (a zombie).
    pub fn is_zombie(&self) -> bool {
        lock(&self.exit_status).is_some()
    }
    /// Releases a vfork parent.
    pub fn release_vfork(&self) {
        let (m, c) = &self.vfork_done;
        *lock(m) = true;
        c.notify_all();
    }
    /// Waits until a vfork child execs or exits.
    pub fn wait_vfork(&self) {
        let (m, c) = &self.vfork_done;
        let mut done = lock(m);
        while !*done {
            done = c.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
    /// Whether its thread has ended (see `ended`).
    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }
    /// Process group id.
    pub fn pgid(&self) -> i32 {
        self.pgid.load(Ordering::Relaxed)
    }
    /// Session id.
    pub fn sid(&self) -> i32 {
        self.sid.load(Ordering::Relaxed)
    }
}

/// The first task's run() returns what the sandbox exits with: when its
/// thread leaves before its process ends (exit(2) of the leader, or an
/// exec by another thread), it waits for that end.
fn wait_for_process_end(kernel: &Kernel, shared: &TaskShared) -> ExitStatus {
    let mut g = kernel.wait_lock.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(s) = *shared.exit_status.lock().unwrap_or_else(|p| p.into_inner()) {
            return s;
        }
        g = kernel
            .wait_cond
            .wait_timeout(g, current::INTERRUPT_CHECK)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// A task, as its serving thread holds it.
pub struct Task {
    pub kernel: Arc<Kernel>,
    pub shared: Arc<TaskShared>,
    pub(crate) ctx: Box<dyn Context>,
    pub regs: Registers,
    /// The syscall that last returned EINTR (for SA_RESTART).
    pub interrupted_syscall: Option<u64>,
    /// It failed with ERESTARTNOINTR: it restarts even after a handler.
    pub restart_noint: bool,
    /// An interrupted relative sleep: when it ends and where its remaining
    /// time goes. Restarting it (no handler ran) resumes it through
    /// `restart_syscall(2)` rather than sleeping the whole time again.
    pub restart_sleep: Option<(Instant, u64)>,
    /// rt_sigsuspend's mask to restore after the handler.
    pub saved_mask: Option<u64>,
    pub mm: Arc<MemoryManager>,
    /// Set by exit/exit_group (and fatal signals): the loop stops.
    pub exit: Option<ExitStatus>,
    /// exit(2) of one thread while others go on.
    pub exit_thread_only: bool,
    pub clear_child_tid: u64,
    /// The address space `shared.kick_handle` was taken from.
    kicks_mm: usize,
}

impl Task {
    /// The first task of a sandbox, from an exec image.
    pub fn new_init(
        kernel: Arc<Kernel>,
        fs: FsContext,
        creds: Creds,
        limits: Limits,
        image: super::exec::ExecImage,
    ) -> KResult<Task> {
        let tid = kernel.alloc_pid();
        let shared = Arc::new(TaskShared::new(
            tid,
            0,
            (tid, tid),
            Arc::new(FdTable::new()),
            Arc::new(Mutex::new(fs)),
            creds,
            limits,
            (
                SignalState::default(),
                Arc::new(Mutex::new(SigActions::default())),
            ),
        ));
        let ctx = kernel.platform.new_context()?;
        let mut task = Task {
            kernel: kernel.clone(),
            shared: shared.clone(),
            ctx,
            regs: image.regs,
            mm: image.mm.clone(),
            exit: None,
            exit_thread_only: false,
            clear_child_tid: 0,
            kicks_mm: 0,
            interrupted_syscall: None,
            restart_noint: false,
            restart_sleep: None,
            saved_mask: None,
        };
        task.install_image(image);
        kernel.add_task(shared);
        Ok(task)
    }

    /// A forked child, on the thread that will serve it (its tracer).
    pub fn new_child(
        kernel: Arc<Kernel>,
        shared: Arc<TaskShared>,
        regs: Registers,
        mm: Arc<MemoryManager>,
    ) -> KResult<Task> {
        let ctx = kernel.platform.new_context()?;
        *lock(&shared.mm) = Some(mm.clone());
        Ok(Task {
            kernel,
            shared,
            ctx,
            regs,
            mm,
            exit: None,
            exit_thread_only: false,
            clear_child_tid: 0,
            kicks_mm: 0,
            interrupted_syscall: None,
            restart_noint: false,
            restart_sleep: None,
            saved_mask: None,
        })
    }

    /// Makes an exec image the task's program (the point of no return of
    /// execve).
    pub fn install_image(&mut self, image: super::exec::ExecImage) {
        self.release_futexes(false);
        self.regs = image.regs;
        self.mm = image.mm.clone();
        *lock(&self.shared.mm) = Some(image.mm);
        *lock(&self.shared.exe) = Some(image.exe);
        *lock(&self.shared.comm) = image.comm;
        self.shared.fds.close_on_exec();
        self.shared.signals().reset_for_exec();
        self.shared.sighand().reset_for_exec();
        self.shared.release_vfork();
    }

    /// Thread id.
    pub fn tid(&self) -> i32 {
        self.shared.tid
    }

    /// Thread-group id.
    pub fn tgid(&self) -> i32 {
        self.shared.tgid
    }

    /// The fd table.
    pub fn fds(&self) -> &FdTable {
        &self.shared.fds
    }

    /// The open file behind `fd`.
    pub fn file(&self, fd: i32) -> KResult<Arc<OpenFile>> {
        self.shared.fds.get(fd)
    }

    /// Copies application memory in.
    pub fn copy_in(&self, addr: u64, buf: &mut [u8]) -> KResult<()> {
        self.mm.copy_in(addr, buf)
    }

    /// Copies into application memory.
    pub fn copy_out(&self, addr: u64, buf: &[u8]) -> KResult<()> {
        self.mm.copy_out(addr, buf)
    }

    /// Reads a plain value of `N` bytes.
    pub fn read_bytes<const N: usize>(&self, addr: u64) -> KResult<[u8; N]> {
        let mut b = [0u8; N];
        self.mm.copy_in(addr, &mut b)?;
        Ok(b)
    }

    /// Reads a u64.
    pub fn read_u64(&self, addr: u64) -> KResult<u64> {
        Ok(u64::from_ne_bytes(self.read_bytes::<8>(addr)?))
    }

    /// Reads a path argument: EFAULT, ENAMETOOLONG, or ENOENT when empty.
    pub fn read_path(&self, addr: u64) -> KResult<Vec<u8>> {
        self.mm.read_cstring(addr, PATH_MAX - 1)
    }

    /// The directory a `*at` call starts from.
    pub fn start_dir(&self, dirfd: i32, path: &[u8]) -> KResult<Arc<Dentry>> {
        if path.first() == Some(&b'/') || dirfd == AT_FDCWD {
            return Ok(self.shared.fs().cwd.clone());
        }
        let f = self.file(dirfd)?;
        let d = f.dentry.clone().ok_or(Errno::ENOTDIR)?;
        if d.inode.stat()?.file_type() != crate::vfs::FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(d)
    }

    /// Resolves `path` relative to `dirfd`.
    pub fn resolve_at(&self, dirfd: i32, path: &[u8], follow: bool) -> KResult<Arc<Dentry>> {
        let start = self.start_dir(dirfd, path)?;
        let root = self.shared.fs().root.clone();
        Walker::new(&self.kernel.vfs, root).resolve(start, path, follow)
    }

    /// Resolves `path` relative to `dirfd` with openat2 restrictions.
    pub fn resolve_at_with(
        &self,
        dirfd: i32,
        path: &[u8],
        follow: bool,
        flags: crate::vfs::path::ResolveFlags,
    ) -> KResult<Arc<Dentry>> {
        let start = if dirfd == AT_FDCWD {
            self.shared.fs().cwd.clone()
        } else {
            self.start_dir(dirfd, b"")?
        };
        let root = self.shared.fs().root.clone();
        Walker::new(&self.kernel.vfs, root)
            .with_flags(flags, &start)
            .resolve(start, path, follow)
    }

    /// Resolves the parent of `path` relative to `dirfd`.
    pub fn resolve_parent_at(&self, dirfd: i32, path: &[u8]) -> KResult<ParentAndName> {
        let start = self.start_dir(dirfd, path)?;
        let root = self.shared.fs().root.clone();
        Walker::new(&self.kernel.vfs, root).resolve_parent(start, path)
    }

    /// Runs the task until it exits; returns how it ended.
    pub fn run(mut self) -> ExitStatus {
        current::set(Some(self.shared.clone()));
        self.shared.cpu.start_serving();
        let status = loop {
            if let Some(st) = *lock(&self.shared.group_exit) {
                break st;
            }
            let by = self.shared.killed_by.load(Ordering::Relaxed);
            if by != 0 {
                break self.fatal_signal(by);
            }
            if self.kicks_mm != Arc::as_ptr(&self.mm) as usize {
                // A new address space (first run, exec): a new host thread.
                let h = self.mm.address_space().thread_handle().unwrap_or(-1);
                self.shared.kick_handle.store(h, Ordering::Relaxed);
                self.kicks_mm = Arc::as_ptr(&self.mm) as usize;
            }
            // Announce "running" before the last look at pending signals:
            // a sender that queues after the look sees the flag and
            // interrupts the thread (see TaskShared::kick).
            self.shared.in_user.store(true, Ordering::SeqCst);
            if let Some(end) = self.deliver_pending() {
                self.shared.in_user.store(false, Ordering::SeqCst);
                break end;
            }
            self.shared.cpu.enter_user(self.mm.cpu_clock());
            let event = self.ctx.switch(self.mm.address_space(), &mut self.regs);
            self.shared.in_user.store(false, Ordering::SeqCst);
            self.shared.cpu.leave_user();
            match event {
                Ok(Event::Interrupted) => continue,
                Ok(Event::Syscall) => {
                    self.syscall();
                    if let Some(s) = self.exit {
                        break s;
                    }
                }
                Ok(Event::Fault { signo, code, addr })
                    if signo == 11 && code == 2 && self.mm.handle_write_fault(addr) =>
                {
                    // A write to copy-on-write pages: now private, retry.
                    continue;
                }
                Ok(Event::Fault { .. }) if self.shared.fatal_status().is_some() => {
                    // The copy-on-write copy failed because a fatal signal
                    // killed the stub: that signal ends the task.
                    continue;
                }
                Ok(Event::Fault { signo, code, addr }) => {
                    log::info!(
                        "task {} fault: signal {signo} code {code} addr {addr:#x} rip {:#x}",
                        self.tid(),
                        self.regs.rip
                    );
                    // A synchronous fault runs its handler, unless it is
                    // blocked or ignored: then it kills, as on Linux.
                    let h = self.shared.sighand().get(signo).handler;
                    let handled = h != super::signal::SIG_DFL && h != super::signal::SIG_IGN;
                    let blocked = self.shared.signals().mask & (1 << (signo - 1)) != 0;
                    if !handled || blocked {
                        break self.fatal_signal(signo);
                    }
                    self.shared.send(super::sigframe::SigInfo {
                        signo,
                        code,
                        addr,
                        ..Default::default()
                    });
                }
                Ok(Event::Signal { signo }) => {
                    // From the host (a terminal's SIGINT): as if sent by kill.
                    self.shared.send_process(super::sigframe::SigInfo::user(
                        signo,
                        super::sigframe::SI_USER,
                        0,
                        0,
                    ));
                }
                Ok(Event::Died { signo }) => {
                    let by = self.shared.killed_by.load(Ordering::Relaxed);
                    if by != 0 {
                        break self.fatal_signal(by);
                    }
                    break ExitStatus::Signaled {
                        signo: if signo == 0 {
                            super::signal::SIGKILL
                        } else {
                            signo
                        },
                        core: false,
                    };
                }
                Err(e) => {
                    // A stub killed under us (group exit, fatal signal) is
                    // expected; anything else is a platform failure.
                    if let Some(st) = *lock(&self.shared.group_exit) {
                        break st;
                    }
                    let by = self.shared.killed_by.load(Ordering::Relaxed);
                    if by != 0 {
                        break self.fatal_signal(by);
                    }
                    log::error!("task {}: platform failure: {e}", self.tid());
                    break ExitStatus::Signaled {
                        signo: super::signal::SIGKILL,
                        core: false,
                    };
                }
            }
        };
        self.release_futexes(true);
        if self.shared.is_superseded() {
            return self.leave_superseded(status);
        }
        // Its CPU time is final before anyone can reap it.
        self.shared.group_cpu.thread_ended(&self.shared.cpu);
        // The fd table closes with its last user (threads share it).
        if Arc::strong_count(&self.shared.fds) == 1
            || self.shared.group_exiting() && self.tid() == self.tgid()
        {
            self.shared.fds.clear();
        }
        current::set(None);
        if self.kernel.tracing() {
            let line = match status {
                ExitStatus::Exited(c) => format!("[pid {:>5}] +++ exited with {c} +++", self.tid()),
                ExitStatus::Signaled { signo, core } => format!(
                    "[pid {:>5}] +++ killed by signal {signo}{} +++",
                    self.tid(),
                    if core { " (core dumped)" } else { "" }
                ),
            };
            self.kernel.trace_line(&line);
        }
        let kernel = self.kernel.clone();
        let shared = self.shared.clone();
        let group_status = *lock(&shared.group_exit);
        if shared.tid != shared.tgid || self.exit_thread_only {
            // One thread of several: it goes without a trace for the parent,
            // unless it is the last one after the leader's exit(2).
            let leader = shared.tid == shared.tgid;
            let decide = || {
                let _g = lock(&shared.group.exit_lock);
                shared.ended.store(true, Ordering::Release);
                if leader {
                    // The leader leaves first: it stays, a zombie to /proc,
                    // until the last thread ends the process.
                    *lock(&shared.group.leader_exit) = Some(status);
                } else {
                    kernel.remove_task(shared.tid);
                    kernel.creator_thread_exited(&shared);
                }
                if shared.group.members().is_empty() {
                    lock(&shared.group.leader_exit).take()
                } else {
                    None
                }
            };
            // The leader decides first: reaping its stub thread (the stub's
            // main thread) waits for the stub's other threads to go.
            let end = if leader {
                let end = decide();
                self.end_thread();
                end
            } else {
                self.end_thread();
                decide()
            };
            *lock(&shared.mm) = None;
            drop(self);
            // Thread pidfds poll readable now.
            super::waiter::notify();
            if let Some(leader_status) = end
                && let Some(leader) = kernel.task(shared.tgid)
            {
                // A fatal signal ends the process with that signal, as an
                // exit_group with its code; else the leader's exit(2).
                // Read now: another thread's exit_group may have come after
                // this thread's own end began.
                let end_status = (*lock(&shared.group_exit))
                    .or(shared.fatal_status())
                    .unwrap_or(leader_status);
                kernel.task_exited(&leader, end_status);
            }
            if shared.tid == 1 {
                return wait_for_process_end(&kernel, &shared);
            }
            return group_status.unwrap_or(status);
        }
        let status = group_status.unwrap_or(status);
        // Drop the address space here, on its tracer's thread.
        *lock(&self.shared.mm) = None;
        drop(self);
        shared.ended.store(true, Ordering::Release);
        kernel.task_exited(&shared, status);
        status
    }

    /// The end of a leader whose place another thread's exec took: nothing
    /// of the task is touched (it lives on in that thread). The first
    /// task's run() returns what the sandbox exits with, so it waits for
    /// the process's real end.
    fn leave_superseded(self, status: ExitStatus) -> ExitStatus {
        current::set(None);
        if self.kernel.tracing() {
            self.kernel.trace_line(&format!(
                "[pid {:>5}] +++ superseded by execve +++",
                self.tid()
            ));
        }
        let shared = self.shared.clone();
        let kernel = self.kernel.clone();
        drop(self);
        shared.retire();
        if shared.tid != 1 {
            return status;
        }
        wait_for_process_end(&kernel, &shared)
    }

    /// Makes the next run of the loop ask the platform again for the
    /// handle that interrupts this thread (it changed host thread).
    pub(crate) fn forget_kick_handle(&mut self) {
        self.kicks_mm = 0;
    }

    /// Releases the futexes the thread holds as it exits (`exiting`) or
    /// execs: its robust list, then its PI futexes with waiters
    /// (`futex::release_thread`). The robust list is unregistered.
    pub fn release_futexes(&self, exiting: bool) {
        let head = self.shared.robust_list.swap(0, Ordering::Relaxed);
        let shared = &self.shared;
        super::futex::release_thread(&self.mm, self.tid(), head, || {
            if exiting {
                shared.futex_dead.store(true, Ordering::Release);
            }
        });
    }

    /// The end of one thread: clear_child_tid is zeroed and woken (what
    /// pthread_join waits on), and its stub thread exits.
    fn end_thread(&mut self) {
        if self.clear_child_tid != 0 {
            let _ = self.mm.copy_out(self.clear_child_tid, &0u32.to_ne_bytes());
            let _ = super::futex::wake(&self.mm, self.clear_child_tid, 1, u32::MAX);
        }
        self.mm.address_space().exit_thread();
    }

    /// Other live threads of this task's group.
    pub fn other_threads(&self) -> Vec<Arc<TaskShared>> {
        self.kernel
            .tasks()
            .into_iter()
            .filter(|t| {
                t.tgid == self.tgid() && t.tid != self.tid() && !t.is_zombie() && !t.has_ended()
            })
            .collect()
    }

    /// exit_group(2) (and a fatal signal's end): every thread of the group
    /// ends with `status`.
    pub fn exit_group(&mut self, status: ExitStatus) {
        let others = self.other_threads();
        *lock(&self.shared.group_exit) = Some(status);
        self.exit = Some(status);
        if !others.is_empty() {
            // Stops every stub thread at once; blocked sentry threads see
            // group_exiting() through current::interrupted().
            self.mm.kill();
        }
    }

    fn fatal_signal(&self, signo: i32) -> ExitStatus {
        ExitStatus::Signaled {
            signo,
            core: default_action(signo) == DefaultAction::CoreDump,
        }
    }

    /// Serves the syscall the task stopped at.
    fn syscall(&mut self) {
        let r = &self.regs;
        let args = SyscallArgs {
            nr: r.orig_rax,
            a: [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9],
        };
        let table = self.kernel.table.clone();
        let entry = if self.kernel.tracing() {
            Some(table.trace_entry(self, &args))
        } else {
            None
        };
        self.interrupted_syscall = None;
        self.restart_noint = false;
        self.shared.in_syscall.store(true, Ordering::Relaxed);
        let result = match table.handler(args.nr) {
            Some(h) => h(self, &args),
            None => {
                self.kernel.count_unsupported(args.nr);
                Err(Errno::ENOSYS.why("not implemented"))
            }
        };
        self.shared.in_syscall.store(false, Ordering::Relaxed);
        let result = if result == Err(Errno::ERESTARTNOINTR) {
            self.restart_noint = true;
            Err(Errno::EINTR)
        } else {
            result
        };
        if result == Err(Errno::EINTR) {
            self.interrupted_syscall = Some(args.nr);
        }
        let raw = match result {
            Ok(v) => v,
            Err(e) => e.as_return(),
        };
        self.regs.rax = raw;
        if let Some(entry) = entry {
            let mut line = format!("[pid {:>5}] ", self.tid());
            line.push_str(&table.trace_exit(self, &args, &entry, raw as i64));
            if let Err(e) = result
                && !e.note().is_empty()
            {
                line.push_str(" <");
                line.push_str(e.note());
                line.push('>');
            }
            self.kernel.trace_line(&line);
        }
    }
}

//! The kernel: the sandbox-wide state (memory file, platform, VFS, the
//! table of tasks, the syscall table it was handed at boot, counters) and
//! the per-task objects in the submodules.
//!
//! Lock order: `Kernel::tasks` > task locks > VFS locks > mm locks.

pub mod cpu_itimers;
pub mod cpu_timers;
pub mod cputime;
pub mod creds;
pub mod current;
pub mod de_thread;
pub mod exec;
pub mod fork;
pub mod futex;
pub mod limits;
pub mod sigframe;
pub mod signal;
pub mod syscall;
pub mod task;
pub mod task_threads;
pub mod terminal;
pub mod thread_group;
pub mod timers;
pub mod wait;
pub mod waiter;

use std::collections::BTreeMap;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Instant;

use crate::errno::{Errno, KResult};
use crate::fsimpl::{dev, overlay, proc};
use crate::memfile::MemoryFile;
use crate::platform::Platform;
use crate::vfs::{InodeRef, Vfs};

pub use syscall::{Handler, SyscallArgs, SyscallTable, TraceEntry};
pub use task::{ExitStatus, Task, TaskShared};

/// The release `uname` reports: a documented, fixed emulated kernel.
pub const EMULATED_RELEASE: &str = "6.6.0-runlx";
/// The version string `uname` reports.
pub const EMULATED_VERSION: &str = "#1 SMP PREEMPT_DYNAMIC runlx";

/// What the front end asks of a new sandbox.
pub struct BootConfig {
    pub hostname: Vec<u8>,
    /// Donated stdin, stdout, stderr.
    pub stdio: Vec<OwnedFd>,
    /// Write `--strace` lines here.
    pub strace: Option<Box<dyn Write + Send>>,
}

/// The sandbox's kernel.
pub struct Kernel {
    pub memfile: Arc<MemoryFile>,
    pub platform: Box<dyn Platform>,
    pub table: Arc<dyn SyscallTable>,
    pub vfs: Vfs,
    pub hostname: Mutex<Vec<u8>>,
    pub domainname: Mutex<Vec<u8>>,
    /// Every live task by tid.
    tasks: Mutex<BTreeMap<i32, Arc<TaskShared>>>,
    next_pid: AtomicI32,
    pub boot_instant: Instant,
    /// The wall clock at boot (/proc/stat's btime).
    pub boot_time: std::time::SystemTime,
    /// Calls to unimplemented syscalls, by number.
    unsupported: Mutex<BTreeMap<u64, u64>>,
    strace: Option<Mutex<Box<dyn Write + Send>>>,
    /// The donated stdio inodes (for /dev/tty and /dev/console).
    pub stdio: Vec<InodeRef>,
    /// Serializes task exits with waiters (wait4); `wait_cond` wakes them.
    pub wait_lock: Mutex<()>,
    pub wait_cond: Condvar,
}

impl Kernel {
    /// Boots a kernel on `root_lower` (the gofer).
    pub fn new(
        memfile: Arc<MemoryFile>,
        platform: Box<dyn Platform>,
        table: Arc<dyn SyscallTable>,
        root_lower: Option<Arc<dyn overlay::LowerFs>>,
        config: BootConfig,
    ) -> KResult<Arc<Kernel>> {
        let root = overlay::OverlayFs::new_root(root_lower)?;
        let vfs = Vfs::new(root.clone());
        let mut stdio: Vec<InodeRef> = Vec::new();
        for fd in config.stdio {
            stdio.push(crate::fsimpl::host::HostInode::new(fd)?);
        }
        let kernel = Arc::new_cyclic(|weak: &Weak<Kernel>| Kernel {
            memfile,
            platform,
            table,
            vfs,
            hostname: Mutex::new(config.hostname),
            domainname: Mutex::new(b"(none)".to_vec()),
            tasks: Mutex::new(BTreeMap::new()),
            next_pid: AtomicI32::new(1),
            boot_instant: Instant::now(),
            boot_time: std::time::SystemTime::now(),
            unsupported: Mutex::new(BTreeMap::new()),
            strace: config.strace.map(Mutex::new),
            stdio: {
                let _ = weak;
                stdio
            },
            wait_lock: Mutex::new(()),
            wait_cond: Condvar::new(),
        });
        let root: InodeRef = root;
        kernel.mount_pseudo_fs(&root)?;
        Ok(kernel)
    }

    fn mount_pseudo_fs(self: &Arc<Self>, root: &InodeRef) -> KResult<()> {
        for (dir, fs, fstype, source) in [
            (
                &b"proc"[..],
                proc::root(Arc::downgrade(self)) as InodeRef,
                "proc",
                "proc",
            ),
            (b"dev", dev::root(self), "devtmpfs", "devtmpfs"),
            (b"sys", dev::empty_dir(), "sysfs", "sysfs"),
        ] {
            match root.lookup(dir) {
                Ok(_) => {}
                Err(e) if e == Errno::ENOENT => root.mkdir(dir, 0o555)?,
                Err(e) => return Err(e),
            }
            let mut path = b"/".to_vec();
            path.extend_from_slice(dir);
            self.vfs
                .mount(&path, fs, fstype, source, "rw,nosuid,noexec")?;
        }
        Ok(())
    }

    /// A new thread/process id.
    pub fn alloc_pid(&self) -> i32 {
        self.next_pid.fetch_add(1, Ordering::Relaxed)
    }

    /// The last thread/process id handed out (0 before the first).
    pub fn last_pid(&self) -> i32 {
        self.next_pid.load(Ordering::Relaxed) - 1
    }

    /// Registers a live task.
    pub fn add_task(&self, t: Arc<TaskShared>) {
        t.group.join(&t);
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(t.tid, t);
    }

    /// Forgets a task that exited.
    pub fn remove_task(&self, tid: i32) {
        let gone = self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&tid);
        if let Some(t) = gone {
            t.group.leave(tid);
        }
    }

    /// Records that a task ended: it becomes a zombie for its parent to
    /// wait for (or is reaped at once when the parent ignores SIGCHLD), its
    /// children move to PID 1, a vfork parent is released, and waiters
    /// wake. When PID 1 ends, every other task is killed.
    pub fn task_exited(&self, t: &Arc<TaskShared>, status: ExitStatus) {
        let _g = self.wait_lock.lock().unwrap_or_else(|p| p.into_inner());
        *t.exit_status.lock().unwrap_or_else(|p| p.into_inner()) = Some(status);
        let all = self.tasks();
        // Orphans go to the nearest living ancestor that is a child
        // subreaper, else to PID 1; each gets its parent-death signal.
        let reaper = {
            let mut p = t.ppid();
            loop {
                match all.iter().find(|x| x.tid == p) {
                    Some(x) if x.child_subreaper.load(Ordering::Relaxed) != 0 && !x.is_zombie() => {
                        break x.tgid;
                    }
                    Some(x) if x.tid != 1 => p = x.ppid(),
                    _ => break 1,
                }
            }
        };
        for c in &all {
            if c.ppid() == t.tgid && c.tid != t.tid && c.tgid != t.tgid {
                c.ppid.store(reaper, Ordering::Relaxed);
                c.creator_tid.store(reaper, Ordering::Relaxed);
                let sig = c.pdeathsig.load(Ordering::Relaxed);
                if sig != 0 {
                    c.send_process(sigframe::SigInfo::user(sig, sigframe::SI_USER, t.tgid, 0));
                }
            }
        }
        self.hangup_orphaned_groups(t, &all);
        let parent_ignores = all
            .iter()
            .find(|p| p.tid == t.ppid())
            .map(|p| p.sighand().get(signal::SIGCHLD).handler == signal::SIG_IGN)
            .unwrap_or(true);
        if parent_ignores && t.tid != 1 {
            self.remove_task(t.tid);
        }
        if let Some(parent) = all.iter().find(|p| p.tid == t.ppid() && p.tid != t.tid) {
            let (code, st) = match status {
                ExitStatus::Exited(c) => (sigframe::CLD_EXITED, c),
                ExitStatus::Signaled { signo, core } => (
                    if core {
                        sigframe::CLD_DUMPED
                    } else {
                        sigframe::CLD_KILLED
                    },
                    signo,
                ),
            };
            parent.send_process(sigframe::SigInfo {
                signo: signal::SIGCHLD,
                code,
                pid: t.tid,
                uid: t.creds().uid,
                status: st,
                addr: 0,
                value: 0,
            });
        }
        if t.tid == 1 {
            for c in &all {
                if c.tid != 1 {
                    c.killed_by.store(signal::SIGKILL, Ordering::Relaxed);
                    if let Some(mm) = c.mm() {
                        mm.kill();
                    }
                    c.group.wake();
                    c.kick();
                }
            }
        }
        let has_timers = t
            .itimer_real
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
            || !t
                .posix_timers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty();
        if has_timers {
            timers::timers().delete_for(t);
        }
        crate::vfs::reclock::release(t.tgid as u64, None);
        t.release_vfork();
        self.wait_cond.notify_all();
        waiter::notify();
    }

    /// POSIX's orphaned process group: no live member has a parent in
    /// another group of the same session, so no shell can resume it.
    /// The sandbox's first process is a session leader whose parent is
    /// outside, so its own group is orphaned unless a child connects it.
    pub fn pgrp_orphaned(&self, pgid: i32) -> bool {
        let procs: Vec<Arc<TaskShared>> = self
            .tasks()
            .into_iter()
            .filter(|x| x.tid == x.tgid && !x.is_zombie())
            .collect();
        !procs.iter().filter(|m| m.pgid() == pgid).any(|m| {
            procs
                .iter()
                .find(|p| p.tid == m.ppid())
                .is_some_and(|p| p.pgid() != pgid && p.sid() == m.sid())
        })
    }

    /// When `t`'s exit orphans a process group (its own, or a child's)
    /// that has stopped members, the group gets SIGHUP then SIGCONT so
    /// it does not stay stopped forever (POSIX; Linux's
    /// kill_orphaned_pgrp).
    fn hangup_orphaned_groups(&self, t: &Arc<TaskShared>, all: &[Arc<TaskShared>]) {
        let mut groups = vec![t.pgid()];
        for c in all {
            if c.ppid() == t.tgid && c.tgid != t.tgid && c.sid() == t.sid() && c.tid == c.tgid {
                groups.push(c.pgid());
            }
        }
        groups.sort_unstable();
        groups.dedup();
        for g in groups {
            let members: Vec<&Arc<TaskShared>> = all
                .iter()
                .filter(|x| x.tid == x.tgid && x.pgid() == g && !x.is_zombie())
                .collect();
            if members.iter().any(|m| m.group.stopped()) && self.pgrp_orphaned(g) {
                for sig in [signal::SIGHUP, signal::SIGCONT] {
                    for m in &members {
                        m.send_process(sigframe::SigInfo::user(sig, sigframe::SI_USER, 0, 0));
                    }
                }
            }
        }
    }

    /// A thread of a process that goes on ended: the children it created
    /// get their parent-death signal (as on Linux, where a child's parent
    /// is the thread that forked it) and count as the leader's from now.
    pub fn creator_thread_exited(&self, t: &TaskShared) {
        for c in self.tasks() {
            if c.tid == c.tgid
                && c.ppid() == t.tgid
                && c.creator_tid.load(Ordering::Relaxed) == t.tid
            {
                c.creator_tid.store(t.tgid, Ordering::Relaxed);
                let sig = c.pdeathsig.load(Ordering::Relaxed);
                if sig != 0 {
                    c.send_process(sigframe::SigInfo::user(sig, sigframe::SI_USER, t.tgid, 0));
                }
            }
        }
    }

    /// A task by tid.
    pub fn task(&self, tid: i32) -> Option<Arc<TaskShared>> {
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&tid)
            .cloned()
    }

    /// All live tasks.
    pub fn tasks(&self) -> Vec<Arc<TaskShared>> {
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Counts a call to an unimplemented syscall; logs the first one of
    /// each number.
    pub fn count_unsupported(&self, nr: u64) {
        let mut m = self.unsupported.lock().unwrap_or_else(|p| p.into_inner());
        let c = m.entry(nr).or_insert(0);
        if *c == 0 {
            let name = self.table.name(nr).unwrap_or("unknown");
            log::warn!("unsupported syscall {name} ({nr}): returning ENOSYS");
        }
        *c += 1;
    }

    /// The unimplemented syscalls called so far, with counts.
    pub fn unsupported_counts(&self) -> Vec<(u64, u64)> {
        self.unsupported
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect()
    }

    /// Whether `--strace` is on (one predictable branch per syscall).
    pub fn tracing(&self) -> bool {
        self.strace.is_some()
    }

    /// Writes one strace line.
    pub fn trace_line(&self, line: &str) {
        if let Some(w) = &self.strace {
            let mut w = w.lock().unwrap_or_else(|p| p.into_inner());
            let _ = w.write_all(line.as_bytes());
            let _ = w.write_all(b"\n");
            let _ = w.flush();
        }
    }

    /// Seconds since boot.
    pub fn uptime(&self) -> std::time::Duration {
        self.boot_instant.elapsed()
    }
}

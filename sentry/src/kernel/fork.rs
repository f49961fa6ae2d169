//! Creating processes and threads. A child process gets the parent's
//! address space copy-on-write (`MemoryManager::fork_image`; shared
//! mappings stay shared), its own or a shared fd table and fs context,
//! the parent's credentials, limits and signal dispositions, and its own
//! sentry thread, which creates the child's stub and so becomes its
//! tracer. A thread (CLONE_THREAD) is a new stub thread of the same stub
//! process, taken over by its own sentry thread.
//!
//! Not yet: CLONE_VM without CLONE_THREAD or CLONE_VFORK. A CLONE_VM|CLONE_VFORK child (as
//! posix_spawn makes) runs on a copy and its parent waits until it execs
//! or exits, so only stores the child makes to the parent's memory before
//! exec are lost.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use super::signal::SIGKILL;
use super::task::{ExitStatus, Task, TaskShared};
use crate::errno::{Errno, KResult};
use crate::mm::MemoryManager;

pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_FILES: u64 = 0x400;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_PTRACE: u64 = 0x2000;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_PARENT: u64 = 0x8000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_NEWNS: u64 = 0x20000;
pub const CLONE_SYSVSEM: u64 = 0x40000;
pub const CLONE_SETTLS: u64 = 0x80000;
pub const CLONE_PARENT_SETTID: u64 = 0x100000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x200000;
pub const CLONE_DETACHED: u64 = 0x400000;
pub const CLONE_UNTRACED: u64 = 0x800000;
pub const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// The most tasks (live and zombie) one sandbox may hold: each is a sentry
/// thread and a stub process on the host.
pub const MAX_TASKS: usize = 1024;
const RLIMIT_NPROC: usize = 6;

/// Decoded clone arguments (clone and clone3 alike).
#[derive(Debug, Clone, Copy, Default)]
pub struct CloneArgs {
    pub flags: u64,
    pub exit_signal: u64,
    pub stack: u64,
    pub parent_tid: u64,
    pub child_tid: u64,
    pub tls: u64,
}

impl Task {
    /// Creates a thread of this task's process: a new stub thread in the
    /// same stub process (created by this task's own stub thread), served
    /// by a new sentry thread that takes it over.
    fn spawn_thread(&mut self, a: &CloneArgs) -> KResult<i32> {
        let live = self.kernel.tasks().len();
        if live >= MAX_TASKS {
            return Err(Errno::EAGAIN.why("the sandbox's task limit is reached"));
        }
        let handle = self.mm.address_space().new_thread()?;
        let kernel = self.kernel.clone();
        let tid = kernel.alloc_pid();
        let parent = &self.shared;
        let fs = if a.flags & CLONE_FS != 0 {
            parent.fs.clone()
        } else {
            Arc::new(Mutex::new(parent.fs().clone()))
        };
        let child = Arc::new(
            TaskShared::new(
                tid,
                parent.ppid(),
                (parent.pgid(), parent.sid()),
                parent.fds.clone(),
                fs,
                parent.creds().clone(),
                parent.limits().clone(),
                (parent.signals().clone(), parent.sighand.clone()),
            )
            .into_thread_of(parent),
        );
        *child.comm.lock().unwrap_or_else(|p| p.into_inner()) = parent.comm();
        *child.exe.lock().unwrap_or_else(|p| p.into_inner()) = parent.exe();
        let mut regs = self.regs;
        regs.rax = 0;
        if a.stack != 0 {
            regs.rsp = a.stack;
        }
        if a.flags & CLONE_SETTLS != 0 {
            regs.fs_base = a.tls;
        }
        if a.flags & CLONE_PARENT_SETTID != 0 {
            self.copy_out(a.parent_tid, &tid.to_ne_bytes())?;
        }
        if a.flags & CLONE_CHILD_SETTID != 0 {
            self.copy_out(a.child_tid, &tid.to_ne_bytes())?;
        }
        kernel.add_task(child.clone());
        let mm = self.mm.clone();
        let args = *a;
        let thread_child = child.clone();
        let spawned = super::task_threads::spawn(Box::new(move || {
            let start = || -> KResult<Task> {
                mm.address_space().attach_thread(handle)?;
                let mut t = Task::new_child(kernel.clone(), thread_child.clone(), regs, mm)?;
                if args.flags & CLONE_CHILD_CLEARTID != 0 {
                    t.clear_child_tid = args.child_tid;
                }
                Ok(t)
            };
            match start() {
                Ok(t) => {
                    t.run();
                }
                Err(e) => {
                    log::error!("starting thread {tid}: {e}");
                    kernel.remove_task(tid);
                }
            }
        }));
        if let Err(e) = spawned {
            log::error!("no sentry thread for thread {tid}: {e}");
            self.kernel.remove_task(tid);
            return Err(Errno::EAGAIN);
        }
        Ok(tid)
    }

    /// Creates a child process; returns its pid.
    pub fn fork(&mut self, a: &CloneArgs) -> KResult<i32> {
        let f = a.flags;
        if f & CLONE_THREAD != 0 && f & CLONE_SIGHAND == 0
            || f & CLONE_SIGHAND != 0 && f & CLONE_VM == 0
        {
            return Err(Errno::EINVAL);
        }
        if f & CLONE_THREAD != 0 {
            return self.spawn_thread(a);
        }
        if f & CLONE_VM != 0 && f & CLONE_VFORK == 0 {
            return Err(Errno::ENOSYS.why("CLONE_VM without CLONE_THREAD is not implemented yet"));
        }
        if f & (CLONE_NEWNS | 0x7e00_0000) != 0 {
            return Err(Errno::EINVAL.why("namespaces are not supported yet"));
        }
        if f & CLONE_PIDFD != 0 {
            // The syscall layer installs the pidfd and clears the flag.
            return Err(Errno::EINVAL.why("CLONE_PIDFD reached fork unhandled"));
        }
        // A fork bomb stops here, with the sandbox and the host healthy.
        let live = self.kernel.tasks().len();
        if live >= MAX_TASKS {
            return Err(Errno::EAGAIN.why("the sandbox's task limit is reached"));
        }
        let (uid, nproc) = (
            self.shared.creds().uid,
            self.shared.limits().0[RLIMIT_NPROC].cur,
        );
        if uid != 0
            && self
                .kernel
                .tasks()
                .iter()
                .filter(|t| t.creds().uid == uid)
                .count() as u64
                >= nproc
        {
            return Err(Errno::EAGAIN.why("RLIMIT_NPROC"));
        }
        let image = self.mm.fork_image()?;
        let kernel = self.kernel.clone();
        let tid = kernel.alloc_pid();
        let parent = &self.shared;
        let fds = if f & CLONE_FILES != 0 {
            parent.fds.clone()
        } else {
            Arc::new(parent.fds.fork_copy())
        };
        let fs = if f & CLONE_FS != 0 {
            parent.fs.clone()
        } else {
            Arc::new(Mutex::new(parent.fs().clone()))
        };
        let ppid = if f & CLONE_PARENT != 0 {
            parent.ppid()
        } else {
            parent.tgid
        };
        let child = Arc::new(TaskShared::new(
            tid,
            ppid,
            (parent.pgid(), parent.sid()),
            fds,
            fs,
            parent.creds().clone(),
            parent.limits().clone(),
            (
                parent.signals().clone(),
                if f & CLONE_SIGHAND != 0 {
                    parent.sighand.clone()
                } else {
                    Arc::new(Mutex::new(parent.sighand().clone()))
                },
            ),
        ));
        *child.comm.lock().unwrap_or_else(|p| p.into_inner()) = parent.comm();
        *child.exe.lock().unwrap_or_else(|p| p.into_inner()) = parent.exe();
        let mut regs = self.regs;
        regs.rax = 0;
        if a.stack != 0 {
            regs.rsp = a.stack;
        }
        if f & CLONE_SETTLS != 0 {
            regs.fs_base = a.tls;
        }
        if f & CLONE_PARENT_SETTID != 0 {
            self.copy_out(a.parent_tid, &tid.to_ne_bytes())?;
        }
        if f & CLONE_PARENT == 0 {
            child.creator_tid.store(self.tid(), Ordering::Relaxed);
        }
        kernel.add_task(child.clone());
        let memfile = kernel.memfile.clone();
        let args = *a;
        let thread_child = child.clone();
        let spawned = super::task_threads::spawn(Box::new(move || {
            let start = || -> KResult<Task> {
                let space = kernel.platform.new_address_space()?;
                let mm = Arc::new(MemoryManager::from_image(memfile, space, image)?);
                let mut t = Task::new_child(kernel.clone(), thread_child.clone(), regs, mm)?;
                if args.flags & CLONE_CHILD_SETTID != 0 {
                    t.copy_out(args.child_tid, &tid.to_ne_bytes())?;
                }
                if args.flags & CLONE_CHILD_CLEARTID != 0 {
                    t.clear_child_tid = args.child_tid;
                }
                Ok(t)
            };
            match start() {
                Ok(t) => {
                    t.run();
                }
                Err(e) => {
                    // A fatal signal sent before the child ran kills
                    // its stub under the set-up: report that signal.
                    let status = thread_child.fatal_status().unwrap_or_else(|| {
                        log::error!("starting child {tid}: {e}");
                        ExitStatus::Signaled {
                            signo: SIGKILL,
                            core: false,
                        }
                    });
                    kernel.task_exited(&thread_child, status);
                }
            }
        }));
        if let Err(e) = spawned {
            log::error!("no thread for child {tid}: {e}");
            self.kernel.task_exited(
                &child,
                ExitStatus::Signaled {
                    signo: SIGKILL,
                    core: false,
                },
            );
            return Err(Errno::EAGAIN);
        }
        if f & CLONE_VFORK != 0 {
            child.wait_vfork();
        }
        Ok(tid)
    }
}

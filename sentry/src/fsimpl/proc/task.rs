//! The directory of one task: `/proc/PID` for a process (with `task/`
//! listing its threads) and `/proc/PID/task/TID` for each thread. Every
//! file holds weak references and answers ESRCH once the task is gone.

use std::sync::{Arc, Weak};

use super::{fd, kernel_of, maps, stat};
use crate::errno::{Errno, KResult};
use crate::fsimpl::synth::{SynthDir, SynthFile, SynthLink};
use crate::kernel::{Kernel, TaskShared};
use crate::vfs::InodeRef;

/// What a task file is generated from.
#[derive(Clone)]
pub(super) struct TaskRef {
    kernel: Weak<Kernel>,
    task: Weak<TaskShared>,
}

impl TaskRef {
    fn new(kernel: &Arc<Kernel>, task: &Arc<TaskShared>) -> TaskRef {
        TaskRef {
            kernel: Arc::downgrade(kernel),
            task: Arc::downgrade(task),
        }
    }

    /// The kernel and the task, while both live.
    pub(super) fn get(&self) -> KResult<(Arc<Kernel>, Arc<TaskShared>)> {
        Ok((
            kernel_of(&self.kernel)?,
            self.task.upgrade().ok_or(Errno::ESRCH)?,
        ))
    }

    /// The task, while it lives.
    pub(super) fn task(&self) -> KResult<Arc<TaskShared>> {
        self.task.upgrade().ok_or(Errno::ESRCH)
    }
}

type Render = fn(&Kernel, &TaskShared) -> KResult<String>;

/// A text file of the task, with permissions `perm`.
fn text(r: &TaskRef, perm: u32, f: Render) -> InodeRef {
    let r = r.clone();
    SynthFile::new(perm, move || {
        let (k, t) = r.get()?;
        f(&k, &t).map(String::into_bytes)
    })
}

/// `/proc/PID` for the process `t` leads.
pub(super) fn pid_dir(kernel: &Arc<Kernel>, t: &Arc<TaskShared>) -> InodeRef {
    let r = TaskRef::new(kernel, t);
    let mut entries = task_entries(&r);
    let (kw, tgid) = (Arc::downgrade(kernel), t.tgid);
    entries.push((
        "task",
        SynthDir::new(0o555, move || {
            let Ok(k) = kernel_of(&kw) else {
                return Vec::new();
            };
            k.tasks()
                .into_iter()
                .filter(|t| t.tgid == tgid)
                .map(|t| {
                    let e = task_entries(&TaskRef::new(&k, &t));
                    (
                        t.tid.to_string().into_bytes(),
                        SynthDir::fixed(0o555, e) as InodeRef,
                    )
                })
                .collect()
        }),
    ));
    SynthDir::fixed(0o555, entries)
}

/// The entries every task directory has.
fn task_entries(r: &TaskRef) -> Vec<(&'static str, InodeRef)> {
    let (r1, r2, r3, r4, r5, r6, r7, r8) = (
        r.clone(),
        r.clone(),
        r.clone(),
        r.clone(),
        r.clone(),
        r.clone(),
        r.clone(),
        r.clone(),
    );
    vec![
        (
            "exe",
            SynthLink::magic(
                move || r1.task()?.exe().map(|d| d.path()).ok_or(Errno::ENOENT),
                move || r2.task()?.exe().ok_or(Errno::ENOENT),
            ),
        ),
        (
            "cwd",
            SynthLink::magic(
                move || Ok(r3.task()?.fs().cwd.path()),
                move || Ok(r4.task()?.fs().cwd.clone()),
            ),
        ),
        (
            "root",
            SynthLink::magic(
                || Ok(b"/".to_vec()),
                move || Ok(r5.task()?.fs().root.clone()),
            ),
        ),
        (
            "cmdline",
            SynthFile::new(0o444, move || stack_range(&*r6.task()?, true)),
        ),
        (
            "environ",
            SynthFile::new(0o400, move || stack_range(&*r7.task()?, false)),
        ),
        (
            "comm",
            SynthFile::new(0o644, move || {
                let mut c = r8.task()?.comm();
                c.push(b'\n');
                Ok(c)
            }),
        ),
        ("status", text(r, 0o444, stat::status)),
        ("stat", text(r, 0o444, stat::stat)),
        ("statm", text(r, 0o444, stat::statm)),
        ("maps", text(r, 0o444, |_, t| Ok(maps_text(t)))),
        ("smaps", text(r, 0o444, |_, t| Ok(maps::smaps(t)))),
        (
            "smaps_rollup",
            text(r, 0o444, |_, t| Ok(maps::smaps_rollup(t))),
        ),
        ("auxv", auxv(r.clone())),
        ("mounts", text(r, 0o444, |k, _| Ok(mounts(k)))),
        ("fd", fd::fd_dir(r.clone())),
        ("fdinfo", fd::fdinfo_dir(r.clone())),
    ]
}

fn maps_text(t: &TaskShared) -> String {
    t.mm().map(|m| m.maps_text()).unwrap_or_default()
}

fn auxv(r: TaskRef) -> InodeRef {
    SynthFile::new(0o400, move || {
        let t = r.task()?;
        let mut out = Vec::new();
        if let Some(mm) = t.mm() {
            for (k, v) in mm.lock().auxv.iter() {
                out.extend_from_slice(&k.to_ne_bytes());
                out.extend_from_slice(&v.to_ne_bytes());
            }
        }
        Ok(out)
    })
}

/// The argument (or environment) strings as they are now in the
/// program's memory; empty for a zombie or when they were unmapped.
fn stack_range(t: &TaskShared, argv: bool) -> KResult<Vec<u8>> {
    let Some(mm) = t.mm() else {
        return Ok(Vec::new());
    };
    let (s, e) = {
        let st = mm.lock();
        if argv { st.argv } else { st.envp }
    };
    let mut buf = vec![0u8; e.saturating_sub(s).min(1 << 20) as usize];
    if mm.copy_in(s, &mut buf).is_err() {
        buf.clear();
    }
    Ok(buf)
}

fn mounts(k: &Kernel) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("none / overlay rw,relatime 0 0\n");
    for m in k.vfs.mounts() {
        let _ = writeln!(
            s,
            "{} {} {} {} 0 0",
            m.source,
            String::from_utf8_lossy(&m.path),
            m.fstype,
            m.options
        );
    }
    s
}

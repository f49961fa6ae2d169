//! `runlx boot`: the sentry of one sandbox. Connects to the gofer, creates
//! the memory file and the platform, boots the kernel with the syscall
//! table, loads the program and serves it until it exits; exits with the
//! program's status as a shell reports it.

use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::Arc;

use anyhow::{Context, Result};
use sentry::Errno;
use sentry::fsimpl::gofer::GoferLower;
use sentry::kernel::creds::Creds;
use sentry::kernel::exec::{self, ExecError};
use sentry::kernel::limits::{Limits, RLIM_NLIMITS, Rlimit};
use sentry::kernel::task::FsContext;
use sentry::kernel::{BootConfig, Kernel, Task};
use sentry::memfile::MemoryFile;
use sentry::vfs::path::Walker;
use sentry::vfs::{FileType, OpenFile, may_access, oflags};

use crate::cli::BootArgs;

pub fn run(args: BootArgs) -> Result<i32> {
    crate::proc_setup::init_logging();
    crate::proc_setup::die_with_parent();
    // A panic anywhere in the sentry is a bug: say so and end the sandbox
    // at once (as PID 1 of its namespace, our exit kills every stub),
    // rather than leave a task stranded.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("runlx: sentry bug, ending the sandbox: {info}");
        std::process::exit(128 + libc::SIGABRT);
    }));
    // The program sees the limits we were given; the sentry itself may
    // need more fds (one per file the program reads).
    let limits = host_limits();
    crate::proc_setup::raise_nofile_limit();
    let s = args.sandbox;
    let sock = crate::proc_setup::take_fd(args.gofer_fd).context("taking the gofer connection")?;
    let client = fs_gofer::GoferClient::connect(sock).context("connecting to the gofer")?;
    let memfile = Arc::new(MemoryFile::new().context("creating the memory file")?);
    let platform = sentry::platform::by_name(&s.platform, memfile.raw_fd())
        .map_err(|e| anyhow::anyhow!("platform {}: {e}", s.platform))?;
    let strace: Option<Box<dyn Write + Send>> = match (&s.strace_log, s.strace) {
        (Some(p), _) => Some(Box::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        (None, true) => Some(Box::new(std::io::stderr())),
        (None, false) => None,
    };
    let mut stdio = Vec::new();
    for fd in 0..3 {
        stdio
            .push(crate::proc_setup::dup_cloexec(fd).with_context(|| format!("donating fd {fd}"))?);
    }
    let stdio_flags: Vec<u32> = stdio
        .iter()
        .map(|f| host_access_mode(f.as_raw_fd()))
        .collect();
    // Everything from the host is in hand: confine the sentry.
    sentry::fsimpl::proc::snapshot_host();
    if !s.no_pin {
        crate::confine::pin_to_current_cpu();
    }
    let privileged = crate::proc_setup::host_id(true) == 0;
    if let Err(e) = crate::confine::enter_empty_root() {
        if privileged {
            return Err(e.context("confining the sentry"));
        }
        log::warn!("running without an empty root (not root): {e:#}");
    }
    crate::confine::install_sentry_filter()?;
    let kernel = Kernel::new(
        memfile,
        platform,
        syscalls::table(),
        Some(Arc::new(GoferLower(client))),
        BootConfig {
            hostname: s.hostname.clone().into_bytes(),
            stdio,
            strace,
        },
    )
    .map_err(|e| anyhow::anyhow!("booting the kernel: {e}"))?;

    // Environment: the caller's, then --env overrides.
    let mut env: Vec<(String, String)> =
        std::env::vars().filter(|(k, _)| k != "RUNLX_LOG").collect();
    for kv in &s.env {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        env.retain(|(ek, _)| ek != k);
        env.push((k.to_string(), v.to_string()));
    }
    let envp: Vec<Vec<u8>> = env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect();
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());

    let root = kernel.vfs.root.clone();
    let cwd = s
        .cwd
        .as_ref()
        .and_then(|c| {
            Walker::new(&kernel.vfs, root.clone())
                .resolve(root.clone(), c.as_os_str().as_encoded_bytes(), true)
                .ok()
        })
        .filter(|d| {
            d.inode
                .stat()
                .map(|st| st.file_type() == FileType::Directory)
                .unwrap_or(false)
        })
        .unwrap_or_else(|| root.clone());
    let fs = FsContext {
        root: root.clone(),
        cwd,
        umask: 0o022,
    };
    // The sandbox runs as its caller.
    let creds = Creds::new(host_id(true), host_id(false));

    let prog = &s.program[0];
    let path = match find_program(&kernel, &fs, &creds, prog, &path_var) {
        Some(p) => p,
        None => {
            eprintln!("runlx: {prog}: command not found");
            return Ok(127);
        }
    };
    let argv: Vec<Vec<u8>> = s.program.iter().map(|a| a.clone().into_bytes()).collect();
    let image = match exec::load(&kernel, &fs, &creds, &path, argv, envp) {
        Ok(i) => i,
        Err(ExecError { errno, message }) => {
            eprintln!("runlx: {prog}: {message}");
            return Ok(if errno == Errno::ENOENT { 127 } else { 126 });
        }
    };
    let task = Task::new_init(kernel.clone(), fs, creds, limits, image)
        .map_err(|e| anyhow::anyhow!("creating the first task: {e}"))?;
    for (fd, inode) in kernel.stdio.iter().enumerate() {
        let flags = stdio_flags[fd];
        let imp = inode
            .clone()
            .open(flags)
            .map_err(|e| anyhow::anyhow!("opening donated fd {fd}: {e}"))?;
        let file = OpenFile::new(None, inode.clone(), flags, imp);
        task.fds().install(fd as i32, file, false);
    }
    let status = task.run();
    for (nr, count) in kernel.unsupported_counts() {
        log::info!(
            "unsupported syscall {} called {count} times",
            kernel.table.name(nr).unwrap_or("?")
        );
    }
    Ok(status.shell_code())
}

/// Finds PROGRAM like a shell: as a path when it has a '/', else on PATH,
/// all inside the sandbox.
fn find_program(
    kernel: &Kernel,
    fs: &FsContext,
    creds: &Creds,
    prog: &str,
    path_var: &str,
) -> Option<Vec<u8>> {
    if prog.contains('/') {
        return Some(prog.as_bytes().to_vec());
    }
    for dir in path_var.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let cand = format!("{dir}/{prog}");
        let Ok(d) = Walker::new(&kernel.vfs, fs.root.clone()).resolve(
            fs.cwd.clone(),
            cand.as_bytes(),
            true,
        ) else {
            continue;
        };
        if let Ok(st) = d.inode.stat()
            && st.file_type() == FileType::Regular
            && may_access(&st, creds.euid, creds.egid, 1)
        {
            return Some(cand.into_bytes());
        }
    }
    None
}

fn host_access_mode(fd: i32) -> u32 {
    let fl = crate::proc_setup::getfl(fd);
    (fl & oflags::O_ACCMODE) | (fl & oflags::O_APPEND)
}

fn host_id(uid: bool) -> u32 {
    crate::proc_setup::host_id(uid)
}

fn host_limits() -> Limits {
    let mut l = Limits::defaults();
    for r in 0..RLIM_NLIMITS {
        if let Some((cur, max)) = sentry::sys::host_rlimit(r as u32) {
            l.0[r] = Rlimit { cur, max };
        }
    }
    l
}

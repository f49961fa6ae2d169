//! `runlx do`: sandbox one command. Starts the gofer and the sentry as
//! separate processes (`runlx gofer`, `runlx boot`), hands them their ends
//! of the gofer connection, donates the caller's stdio to the sentry, and
//! exits with the program's status (128+N when signal N killed it).

use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::cli::DoArgs;
use crate::proc_setup::child_setup;

pub fn run(args: DoArgs) -> Result<i32> {
    crate::proc_setup::init_logging();
    let exe = std::env::current_exe().context("finding the runlx binary")?;
    let (sentry_end, gofer_end) =
        fs_gofer::spawn_pair().context("creating the gofer socket pair")?;

    let mut gofer = Command::new(&exe);
    gofer
        .arg("gofer")
        .arg("--root")
        .arg(&args.root)
        .stdin(Stdio::from(gofer_end))
        .stdout(Stdio::null());
    child_setup(&mut gofer, 0, 0);
    crate::proc_setup::new_namespaces(&mut gofer, libc::CLONE_NEWNET | libc::CLONE_NEWIPC);
    let mut gofer = {
        let child = gofer.spawn().context("starting the gofer")?;
        // Drop our copy of the gofer's end (held by the Command) so the
        // sentry sees EOF if the gofer dies.
        drop(gofer);
        child
    };

    let s = &args.sandbox;
    let mut boot = Command::new(&exe);
    boot.arg("boot").arg("--gofer-fd").arg("3");
    if let Some(cwd) = &s.cwd {
        boot.arg("--cwd").arg(cwd);
    } else if let Ok(cwd) = std::env::current_dir() {
        boot.arg("--cwd").arg(cwd);
    }
    for e in &s.env {
        boot.arg("--env").arg(e);
    }
    boot.arg("--hostname").arg(&s.hostname);
    boot.arg("--platform").arg(&s.platform);
    if s.strace {
        boot.arg("--strace");
    }
    if s.no_pin {
        boot.arg("--no-pin");
    }
    if let Some(f) = &s.strace_log {
        boot.arg("--strace-log").arg(f);
    }
    boot.arg("--").args(&s.program);
    child_setup(&mut boot, sentry_end.as_raw_fd(), 3);
    crate::proc_setup::new_namespaces(
        &mut boot,
        libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS,
    );
    // The sentry is PID 1 of a PID namespace of its own: when it dies, the
    // kernel kills every stub left in it.
    crate::proc_setup::unshare_pid_namespace();
    crate::proc_setup::ignore_terminal_signals();
    let spawned = boot.spawn().context("starting the sentry");
    // Only the sentry holds its end now: if it dies the gofer sees EOF.
    drop(boot);
    drop(sentry_end);
    let status = spawned.and_then(|mut c| c.wait().context("waiting for the sentry"));
    // The gofer ends when the sentry's end of the socket closes; make sure.
    let _ = gofer.kill();
    let _ = gofer.wait();
    let status = status?;
    Ok(match (status.code(), status.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        _ => 125,
    })
}

//! `runlx gofer`: opens the root directory, confines itself with seccomp,
//! and serves the sentry on its stdin (a SOCK_SEQPACKET socket).

use std::os::fd::OwnedFd;

use anyhow::{Context, Result};

use crate::cli::GoferArgs;

pub fn run(args: GoferArgs) -> Result<i32> {
    crate::proc_setup::init_logging();
    crate::proc_setup::die_with_parent();
    // Terminal signals are for the sandboxed program, not for us.
    crate::proc_setup::ignore_terminal_signals();
    let root = std::fs::File::open(&args.root)
        .with_context(|| format!("opening root {}", args.root.display()))?;
    let sock = crate::proc_setup::take_fd(0).context("taking the gofer socket from stdin")?;
    fs_gofer::install_gofer_filter().context("installing the gofer seccomp filter")?;
    let root: OwnedFd = root.into();
    match fs_gofer::serve(root, sock) {
        Ok(()) => Ok(0),
        Err(e) => {
            log::error!("gofer: {e}");
            Ok(1)
        }
    }
}

//! Command-line interface: one clap enum, one module per subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// runlx: a user-space Linux kernel for running programs in a sandbox.
#[derive(Parser, Debug)]
#[command(name = "runlx", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one program in a fresh sandbox on the host's root file system
    /// (read-only below, writes land in memory).
    Do(DoArgs),
    /// Internal: serve a root file system to a sentry (started by `do`).
    #[command(hide = true)]
    Gofer(GoferArgs),
    /// Internal: the sentry of one sandbox (started by `do`).
    #[command(hide = true)]
    Boot(BootArgs),
}

/// Options shared by `do` and `boot`.
#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Working directory inside the sandbox (default: the caller's, or /).
    #[arg(long)]
    pub cwd: Option<PathBuf>,
    /// Set an environment variable (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// The sandbox's hostname.
    #[arg(long, default_value = "runlx")]
    pub hostname: String,
    /// Print every system call (strace format) to stderr or --strace-log.
    #[arg(long)]
    pub strace: bool,
    /// Write --strace output to this file (implies --strace).
    #[arg(long, value_name = "FILE")]
    pub strace_log: Option<PathBuf>,
    /// Let the sentry and the program run on any CPU instead of pinning
    /// both to one (slower where cross-CPU wakeups are expensive).
    #[arg(long)]
    pub no_pin: bool,
    /// Platform that runs the program.
    #[arg(long, default_value = "ptrace")]
    pub platform: String,
    /// Program and its arguments.
    #[arg(
        trailing_var_arg = true,
        required = true,
        value_name = "PROGRAM [ARGS]"
    )]
    pub program: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DoArgs {
    /// Root file system (default: the host's /).
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Args, Debug)]
pub struct GoferArgs {
    /// Directory to serve.
    #[arg(long)]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct BootArgs {
    /// The fd of the gofer connection.
    #[arg(long)]
    pub gofer_fd: i32,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

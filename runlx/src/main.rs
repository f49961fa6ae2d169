//! runlx: run unmodified x86_64 Linux programs in a sandbox whose kernel
//! is ours. One binary, re-executed into its roles: `runlx do` (the front
//! end), `runlx gofer` (the file proxy) and `runlx boot` (the sentry).

mod boot;
mod cli;
mod confine;
mod do_cmd;
mod gofer_cmd;
mod proc_setup;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Do(args) => do_cmd::run(args),
        cli::Command::Gofer(args) => gofer_cmd::run(args),
        cli::Command::Boot(args) => boot::run(args),
    };
    match code {
        Ok(c) => std::process::exit(c),
        Err(e) => {
            eprintln!("runlx: {e:#}");
            std::process::exit(125);
        }
    }
}

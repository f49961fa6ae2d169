//! Seccomp tests. Each test re-executes this test binary as a child process
//! (selected by the `FS_GOFER_SECCOMP_CHILD` environment variable) because
//! installing a filter is irreversible and kills the whole process on a
//! violation.

mod common;

use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output, Stdio};

use common::{BIG, HELLO, Tree};
use fs_gofer::{GoferClient, GoferError, install_gofer_filter, serve, spawn_pair};

const CHILD_ENV: &str = "FS_GOFER_SECCOMP_CHILD";
const ROOT_ENV: &str = "FS_GOFER_SECCOMP_ROOT";

/// Runs this binary's test `name` in a child (core dumps disabled).
fn child(name: &str, role: &str, root: Option<&Tree>, stdin: Stdio) -> Command {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -c 0; exec \"$0\" \"$@\"")
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, role)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = root {
        cmd.env(ROOT_ENV, &t.root);
    }
    cmd
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn denied_syscall_kills_with_sigsys() {
    match std::env::var(CHILD_ENV).as_deref() {
        Ok("deny") => {
            install_gofer_filter().expect("install filter");
            eprintln!("FILTER-INSTALLED");
            // socket(AF_INET, ...) is not on the list: SIGSYS kills us here.
            let r = std::net::UdpSocket::bind("127.0.0.1:0");
            eprintln!("SURVIVED {r:?}");
            std::process::exit(0);
        }
        Ok(_) => return,
        Err(_) => {}
    }
    let out = child(
        "denied_syscall_kills_with_sigsys",
        "deny",
        None,
        Stdio::null(),
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FILTER-INSTALLED"), "{}", describe(&out));
    assert!(!stderr.contains("SURVIVED"), "{}", describe(&out));
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGSYS),
        "{}",
        describe(&out)
    );
}

#[test]
fn execve_is_denied_too() {
    match std::env::var(CHILD_ENV).as_deref() {
        Ok("exec") => {
            install_gofer_filter().expect("install filter");
            eprintln!("FILTER-INSTALLED");
            // fork/clone, execve: all denied.
            let r = Command::new("/bin/true").status();
            eprintln!("SURVIVED {r:?}");
            std::process::exit(0);
        }
        Ok(_) => return,
        Err(_) => {}
    }
    let out = child("execve_is_denied_too", "exec", None, Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FILTER-INSTALLED"), "{}", describe(&out));
    assert!(!stderr.contains("SURVIVED"), "{}", describe(&out));
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGSYS),
        "{}",
        describe(&out)
    );
}

/// Child side: serve the tree on stdin (our socket) with the filter on.
fn serve_child() -> ! {
    let root_path = std::env::var(ROOT_ENV).expect("root env");
    let root = std::fs::File::open(root_path).expect("open root").into();
    let sock = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .expect("dup stdin");
    if std::env::var_os("FS_GOFER_NO_FILTER").is_none() {
        install_gofer_filter().expect("install filter");
    }
    match serve(root, sock) {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("serve failed: {e}");
            std::process::exit(3)
        }
    }
}

/// Exercises every request type (success and error replies).
fn exercise(c: &GoferClient) {
    let st = c.lstat(b"hello.txt").unwrap();
    assert_eq!(st.size as usize, HELLO.len());
    let (fd, _) = c.open(b"hello.txt", libc::O_RDONLY).unwrap();
    let mut buf = Vec::new();
    std::fs::File::from(fd).read_to_end(&mut buf).unwrap();
    assert_eq!(buf, HELLO);
    let _ = c.open(b"dir", libc::O_DIRECTORY).unwrap();
    let _ = c.open(b"escape", libc::O_PATH | libc::O_NOFOLLOW).unwrap();
    assert!(matches!(
        c.open(b"fifo", libc::O_RDONLY),
        Err(GoferError::Remote(libc::ENXIO))
    ));
    assert!(matches!(
        c.open(b"hello.txt", libc::O_RDWR),
        Err(GoferError::Remote(libc::EROFS))
    ));
    assert!(matches!(
        c.lstat(b"escape/passwd"),
        Err(GoferError::Remote(libc::ELOOP))
    ));
    assert!(matches!(
        c.lstat(b"../x"),
        Err(GoferError::Remote(libc::EINVAL))
    ));
    assert_eq!(c.read_dir(b"big").unwrap().len(), BIG);
    assert_eq!(c.read_dir(b"").unwrap().len(), 8);
    assert_eq!(c.read_link(b"escape").unwrap(), b"/etc");
    assert!(matches!(
        c.read_link(b"hello.txt"),
        Err(GoferError::Remote(libc::EINVAL))
    ));
    assert!(c.stat_fs(b"dir/sub").unwrap().bsize > 0);
}

#[test]
fn server_answers_everything_under_filter() {
    match std::env::var(CHILD_ENV).as_deref() {
        Ok("serve") => serve_child(),
        Ok(_) => return,
        Err(_) => {}
    }
    let tree = Tree::new("seccomp-serve");
    let (client_end, server_end) = spawn_pair().unwrap();
    let mut proc = child(
        "server_answers_everything_under_filter",
        "serve",
        Some(&tree),
        Stdio::from(server_end),
    )
    .spawn()
    .unwrap();
    let c = GoferClient::connect(client_end).unwrap();
    exercise(&c);
    // Hang up: the child's serve() returns Ok and it exits 0.
    drop(c);
    let status = proc.wait().unwrap();
    let mut err = String::new();
    proc.stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "child: {status:?}\n{err}");
}

/// Diagnostic, a no-op by default: with `FS_GOFER_STRACE=1` it runs the
/// server child under `strace -f` (add `FS_GOFER_NO_FILTER=1` to trace
/// without the filter) and prints the trace, so the allowlist in
/// `src/seccomp.rs` can be re-derived:
/// `FS_GOFER_STRACE=1 cargo test -p fs-gofer --test seccomp strace -- --nocapture`.
#[test]
fn strace_server_syscalls() {
    if std::env::var(CHILD_ENV).is_ok() || std::env::var("FS_GOFER_STRACE").is_err() {
        return;
    }
    let tree = Tree::new("seccomp-strace");
    let (client_end, server_end) = spawn_pair().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut proc = Command::new("strace")
        .args(["-f", "-o", "/dev/stderr"])
        .arg(exe)
        .args([
            "server_answers_everything_under_filter",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "serve")
        .env(ROOT_ENV, &tree.root)
        .envs(std::env::var_os("FS_GOFER_NO_FILTER").map(|v| ("FS_GOFER_NO_FILTER", v)))
        .stdin(Stdio::from(server_end))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let c = GoferClient::connect(client_end).unwrap();
    exercise(&c);
    drop(c);
    let mut err = String::new();
    proc.stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    proc.wait().unwrap();
    println!("{err}");
}

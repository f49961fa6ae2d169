//! Job control on a terminal: `runlx do` under `script(1)`, which gives
//! the sandbox a pseudo-terminal as stdio, against the same program run
//! natively under `script`. The program (TTYJOB_C) puts children in
//! background process groups and checks that reading stops them with
//! SIGTTIN (EIO when SIGTTIN is ignored), that writing stops them with
//! SIGTTOU only under TOSTOP, that a background tcsetattr stops with
//! SIGTTOU, and that tcsetpgrp moves the foreground (ESRCH for a group that
//! does not exist).

mod common;

use std::process::{Command, Stdio};

use common::{RUNLX, TempDir, compile_c, have, text, wait_with_deadline};
use std::os::unix::process::CommandExt;

/// Names this binary's temporary files (see `common::unique`).
const UNIQUE_PREFIX: &str = "tty";

const TTYJOB_C: &str = r#"
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/wait.h>

static const char *en(int e) { return e == EIO ? "EIO" : e == EAGAIN ? "EAGAIN" : e == EPERM ? "EPERM" : e == EINTR ? "EINTR" : e == ENOTTY ? "ENOTTY" : e == ESRCH ? "ESRCH" : "other"; }

static void report(const char *what, int st) {
    if (WIFSTOPPED(st)) printf("%s: stopped %d\n", what, WSTOPSIG(st));
    else if (WIFEXITED(st)) printf("%s: exit %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: signal %d\n", what, WTERMSIG(st));
    fflush(stdout);
}

int main(void) {
    if (!isatty(0)) { printf("not a tty\n"); return 0; }
    printf("foreground_is_us: %s\n", tcgetpgrp(0) == getpgrp() ? "yes" : "no");
    fflush(stdout);
    signal(SIGTTOU, SIG_IGN);
    int st;
    /* A background reader stops with SIGTTIN; in the foreground it reads. */
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        char b;
        errno = 0;
        ssize_t n = read(0, &b, 1);
        _exit(n < 0 ? (errno == EAGAIN ? 11 : errno == EIO ? 5 : 9) : 0);
    }
    setpgid(c, c);
    waitpid(c, &st, WUNTRACED);
    report("bg_read", st);
    int fl = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, fl | O_NONBLOCK);
    printf("tcsetpgrp_child: %d\n", tcsetpgrp(0, c));
    printf("foreground_is_child: %s\n", tcgetpgrp(0) == c ? "yes" : "no");
    fflush(stdout);
    kill(c, SIGCONT);
    waitpid(c, &st, 0);
    report("fg_read_nonblock", st);
    tcsetpgrp(0, getpgrp());
    fcntl(0, F_SETFL, fl);
    /* SIGTTIN ignored: EIO. */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        signal(SIGTTIN, SIG_IGN);
        char b;
        ssize_t n = read(0, &b, 1);
        _exit(n < 0 ? (errno == EIO ? 5 : 9) : 0);
    }
    setpgid(c, c);
    waitpid(c, &st, 0);
    report("bg_read_ignored", st);
    /* Writes: allowed without TOSTOP, SIGTTOU with it. */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        signal(SIGTTOU, SIG_DFL);
        _exit(write(1, "", 0) == 0 && write(1, "bg write\r\n", 10) == 10 ? 0 : 9);
    }
    setpgid(c, c);
    waitpid(c, &st, WUNTRACED);
    report("bg_write", st);
    struct termios t, old;
    tcgetattr(0, &old);
    t = old;
    t.c_lflag |= TOSTOP;
    tcsetattr(0, TCSANOW, &t);
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        signal(SIGTTOU, SIG_DFL);
        _exit(write(1, "x\r\n", 3) == 3 ? 0 : 9);
    }
    setpgid(c, c);
    waitpid(c, &st, WUNTRACED);
    report("bg_write_tostop", st);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    tcsetattr(0, TCSANOW, &old);
    /* A background tcsetattr stops with SIGTTOU too. */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        signal(SIGTTOU, SIG_DFL);
        _exit(tcsetattr(0, TCSANOW, &old) == 0 ? 0 : 9);
    }
    setpgid(c, c);
    waitpid(c, &st, WUNTRACED);
    report("bg_tcsetattr", st);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    errno = 0;
    int r = tcsetpgrp(0, 0x3fff0000);
    printf("tcsetpgrp_nonexistent: %d %s\n", r, r < 0 ? en(errno) : "");
    printf("done\n");
    return 0;
}
"#;

/// Runs `cmd` under `script -qec`, with a stdin pipe held open until it
/// ends (at EOF on its stdin, script would send the terminal an EOF
/// character and race the program's reads). Returns stdout without the
/// terminal's carriage returns.
fn under_script(cmd: &str) -> String {
    let child = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("spawning script");
    let out = wait_with_deadline(child, cmd);
    text(&out.stdout).replace('\r', "")
}

#[test]
fn background_jobs_stop_on_terminal_access_as_natively() {
    if !have("/usr/bin/script") {
        eprintln!("skipped: no script(1)");
        return;
    }
    let dir = TempDir::new("ttyjob");
    let Some(prog) = compile_c(&dir, "ttyjob", TTYJOB_C) else {
        return;
    };
    let prog = prog.to_str().expect("utf-8 path");
    let native = under_script(prog);
    assert!(
        native.contains("bg_read: stopped 21") && native.ends_with("done\n"),
        "the native run is not what this test expects (is script giving a terminal?):\n{native}"
    );
    let sandboxed = under_script(&format!("{RUNLX} do -- {prog}"));
    assert_eq!(native, sandboxed, "native vs sandboxed under a terminal");
}

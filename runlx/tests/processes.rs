//! Multi-process programs under `runlx do`: shells with pipelines,
//! subshells and command substitution, python's subprocess and os.fork,
//! and the machine's pyenv `python3` shim (a bash script that execs the
//! interpreter). Each compares with the same command run natively.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RUNLX: &str = env!("CARGO_BIN_EXE_runlx");

fn run_with_timeout(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "timed out; stdout so far: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `args` natively and sandboxed; asserts identical stdout and status.
fn same_as_native(args: &[&str]) {
    let mut native = Command::new(args[0]);
    native.args(&args[1..]).current_dir("/");
    let n = run_with_timeout(native);
    let mut sandboxed = Command::new(RUNLX);
    sandboxed.arg("do").arg("--").args(args).current_dir("/");
    let s = run_with_timeout(sandboxed);
    assert_eq!(
        String::from_utf8_lossy(&s.stdout),
        String::from_utf8_lossy(&n.stdout),
        "stdout differs for {args:?}; sandbox stderr: {}",
        String::from_utf8_lossy(&s.stderr)
    );
    assert_eq!(
        s.status.code(),
        n.status.code(),
        "status differs for {args:?}"
    );
}

fn have(path: &str) -> bool {
    std::path::Path::new(path).exists()
}

#[test]
fn busybox_sh_pipelines_subshells_and_substitution() {
    if !have("/bin/busybox") {
        eprintln!("skipping: /bin/busybox missing");
        return;
    }
    same_as_native(&[
        "/bin/busybox",
        "sh",
        "-c",
        "echo one two | /bin/busybox tr a-z A-Z; for i in 1 2 3; do echo $i; done | /bin/busybox wc -l; \
         (echo sub; exit 3); echo sub=$?; x=$(/bin/busybox echo captured); echo $x; /bin/busybox false || echo or",
    ]);
}

#[test]
fn dash_and_bash_pipelines() {
    same_as_native(&[
        "/bin/sh",
        "-c",
        "ls /usr | sort | head -3; echo $(( 6 * 7 )); exit 5",
    ]);
    if have("/bin/bash") {
        same_as_native(&[
            "/bin/bash",
            "-c",
            "set -o pipefail; cat /etc/os-release | grep -c NAME; false | true; echo $?",
        ]);
    }
}

#[test]
fn python_subprocess_and_fork() {
    same_as_native(&[
        "/usr/bin/python3",
        "-c",
        "import os, subprocess\n\
         r = subprocess.run(['/bin/echo', 'hi'], capture_output=True)\n\
         print(r.stdout, r.returncode)\n\
         print(subprocess.run('exit 4', shell=True).returncode)\n\
         pid = os.fork()\n\
         if pid == 0:\n    os._exit(6)\n\
         print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))",
    ]);
}

#[test]
fn pyenv_python3_shim() {
    // The python3 first on this machine's PATH may be a pyenv shim: a bash
    // script that forks and execs its way to the interpreter.
    let shim = std::env::var("HOME")
        .map(|h| format!("{h}/.pyenv/shims/python3"))
        .unwrap_or_default();
    if !have(&shim) {
        eprintln!("skipping: no pyenv shim");
        return;
    }
    let mut cmd = Command::new(RUNLX);
    cmd.args(["do", "--", &shim, "-c", "print(6 * 7)"]);
    let out = run_with_timeout(cmd);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "42\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

#[test]
fn shell_traps_background_jobs_and_wait() {
    if !have("/bin/busybox") {
        eprintln!("skipping: /bin/busybox missing");
        return;
    }
    same_as_native(&[
        "/bin/busybox",
        "sh",
        "-c",
        "/bin/busybox sleep 30 & kill $!; wait $!; echo status=$?; \
         /bin/busybox sleep 0.1 & wait; echo waited; \
         trap 'echo trapped' USR1; kill -USR1 $$; echo after",
    ]);
    same_as_native(&[
        "/bin/sh",
        "-c",
        "trap 'echo bye' EXIT; (exit 3) & wait $!; echo $?",
    ]);
}

#[test]
fn python_threads_pool_and_queue() {
    same_as_native(&[
        "/usr/bin/python3",
        "-c",
        "import threading, queue, concurrent.futures\n\
         lock = threading.Lock(); total = 0\n\
         def work(n):\n    global total\n    for _ in range(2000):\n        with lock:\n            total += 1\n    return n * n\n\
         ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]\n\
         [t.start() for t in ts]; [t.join() for t in ts]\n\
         print('total', total)\n\
         with concurrent.futures.ThreadPoolExecutor(4) as ex:\n    print(sorted(ex.map(work, range(6))))\n\
         q = queue.Queue()\n\
         threading.Thread(target=lambda: [q.put(i) for i in range(100)] + [q.put(None)]).start()\n\
         s = 0\n\
         while (x := q.get()) is not None: s += x\n\
         print('queue', s)",
    ]);
}

#[test]
fn java_version_and_a_threaded_program() {
    if !have("/usr/bin/java") || !have("/usr/bin/javac") {
        eprintln!("skipping: no JDK");
        return;
    }
    let dir = std::env::temp_dir().join(format!("runlx-java-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("T.java"),
        "import java.util.concurrent.*;\nimport java.util.concurrent.atomic.*;\n\
         public class T { public static void main(String[] a) throws Exception {\n\
         AtomicLong n = new AtomicLong(); ExecutorService ex = Executors.newFixedThreadPool(4);\n\
         for (int i = 0; i < 16; i++) ex.submit(() -> { for (int j = 0; j < 100000; j++) n.incrementAndGet(); });\n\
         ex.shutdown(); ex.awaitTermination(60, TimeUnit.SECONDS); System.out.println(\"total \" + n.get()); } }\n",
    )
    .expect("write");
    let javac = Command::new("/usr/bin/javac")
        .arg("T.java")
        .current_dir(&dir)
        .status()
        .expect("javac");
    assert!(javac.success());
    let d = dir.to_string_lossy().into_owned();
    same_as_native(&["/usr/bin/java", "-cp", &d, "T"]);
    let mut v = Command::new(RUNLX);
    v.args(["do", "--", "/usr/bin/java", "-version"]);
    let out = run_with_timeout(v);
    assert!(
        out.status.success(),
        "java -version: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("OpenJDK"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn go_goroutines_ticker_pipeline_and_exec() {
    if !have("/usr/bin/go") {
        eprintln!("skipping: no Go toolchain");
        return;
    }
    let dir = std::env::temp_dir().join(format!("runlx-go-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("main.go"),
        r#"package main

import (
	"fmt"
	"os/exec"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(n int) { defer wg.Done(); mu.Lock(); total += n; mu.Unlock() }(i)
	}
	wg.Wait()
	fmt.Println("goroutines", total)
	ticks := 0
	t := time.NewTicker(5 * time.Millisecond)
	for range t.C {
		ticks++
		if ticks == 3 {
			t.Stop()
			break
		}
	}
	fmt.Println("ticks", ticks)
	src, sq := make(chan int), make(chan int)
	go func() { for i := 1; i <= 10; i++ { src <- i }; close(src) }()
	go func() { for v := range src { sq <- v * v }; close(sq) }()
	sum := 0
	for v := range sq { sum += v }
	fmt.Println("pipeline", sum)
	out, err := exec.Command("/bin/echo", "child").Output()
	fmt.Printf("exec %q %v\n", out, err)
}
"#,
    )
    .expect("write");
    let build = Command::new("/usr/bin/go")
        .args(["build", "-o", "gt", "main.go"])
        .current_dir(&dir)
        .env("GOCACHE", dir.join("cache"))
        .env("GOPATH", dir.join("gopath"))
        .env("GO111MODULE", "off")
        .env("HOME", &dir)
        .status()
        .expect("go build");
    assert!(build.success());
    let bin = dir.join("gt").to_string_lossy().into_owned();
    same_as_native(&[&bin]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gcc_make_and_multiprocessing_inside_the_sandbox() {
    let dir = std::env::temp_dir().join(format!("runlx-make-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    for i in 1..=3 {
        std::fs::write(
            dir.join(format!("f{i}.c")),
            format!("int f{i}(void) {{ return {i}; }}\n"),
        )
        .expect("write");
    }
    std::fs::write(
        dir.join("main.c"),
        "#include <stdio.h>\nint f1(void); int f2(void); int f3(void);\nint main(void) { printf(\"%d\\n\", f1() + f2() + f3()); return 0; }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("Makefile"),
        "prog: main.o f1.o f2.o f3.o\n\tgcc -o $@ $^\n%.o: %.c\n\tgcc -c -o $@ $<\n",
    )
    .expect("write");
    // Everything is built and run inside the sandbox; the host directory
    // only ever holds the sources.
    let d = dir.to_string_lossy().into_owned();
    let mut cmd = Command::new(RUNLX);
    cmd.args([
        "do",
        "--cwd",
        &d,
        "--",
        "/bin/sh",
        "-c",
        "make -j2 -s && ./prog && ls prog",
    ]);
    let out = run_with_timeout(cmd);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "6\nprog\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.join("prog").exists(),
        "the build must stay in the sandbox"
    );
    let _ = std::fs::remove_dir_all(&dir);
    same_as_native(&[
        "/usr/bin/python3",
        "-c",
        "import multiprocessing as m\nwith m.Pool(4) as p: print(p.map(abs, [-1, -2, 3, -4]))",
    ]);
}

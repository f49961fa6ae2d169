//! The sentry threads that serve tasks: each task runs on one sentry
//! thread for its whole life (the thread is its stub's ptrace tracer).
//! A thread whose task ended waits a while for the next task instead of
//! exiting, because starting a host thread is a noticeable share of what
//! `pthread_create` + `pthread_join` or fork + exit cost in the sandbox.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// What a sentry thread runs: one task from set-up to exit.
pub type Job = Box<dyn FnOnce() + Send>;

/// How long an idle sentry thread waits for another task before exiting.
const IDLE: Duration = Duration::from_secs(5);

/// Idle threads, each with its id and the channel its next job comes on.
static IDLE_THREADS: Mutex<Vec<(u64, Sender<Job>)>> = Mutex::new(Vec::new());
static NEXT_ID: Mutex<u64> = Mutex::new(0);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `job` on an idle sentry thread, or on a new one.
pub fn spawn(mut job: Job) -> std::io::Result<()> {
    loop {
        let Some((_, tx)) = lock(&IDLE_THREADS).pop() else {
            break;
        };
        match tx.send(job) {
            Ok(()) => return Ok(()),
            // It exited meanwhile: try the next one.
            Err(mpsc::SendError(j)) => job = j,
        }
    }
    let id = {
        let mut n = lock(&NEXT_ID);
        *n += 1;
        *n
    };
    std::thread::Builder::new()
        .name(format!("task-thread-{id}"))
        .spawn(move || serve(id, job))
        .map(|_| ())
}

/// The life of a sentry thread: run jobs until none comes for `IDLE`.
fn serve(id: u64, mut job: Job) {
    loop {
        job();
        let (tx, rx) = mpsc::channel();
        lock(&IDLE_THREADS).push((id, tx));
        job = match rx.recv_timeout(IDLE) {
            Ok(j) => j,
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                let mut idle = lock(&IDLE_THREADS);
                match idle.iter().position(|(i, _)| *i == id) {
                    Some(k) => {
                        idle.remove(k);
                        return;
                    }
                    // A spawner took our channel: its job is on the way.
                    None => {
                        drop(idle);
                        match rx.recv() {
                            Ok(j) => j,
                            Err(_) => return,
                        }
                    }
                }
            }
        };
    }
}

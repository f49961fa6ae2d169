//! epoll (`epoll(7)`): an interest list of (fd, description) with the
//! events asked for and the user's data. Readiness is asked of each file
//! when waiting; level-triggered entries report while ready, edge-triggered
//! ones only when something in the sandbox changed since they last
//! reported, one-shot ones once until re-armed. Entries go away when their
//! description is closed everywhere.
//!
//! An edge is a move of the file's own event count for the events asked
//! (pipes and eventfds keep them, by direction, as Linux wakes its wait
//! queues); for files that
//! keep none, any change in the sandbox counts, so they may report
//! spuriously. EPOLLEXCLUSIVE wakes every waiter (Linux wakes "one or
//! more").

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::kernel::waiter;
use crate::vfs::{FileImpl, OpenFile, poll};

pub const EPOLLIN: u32 = 0x001;
pub const EPOLLPRI: u32 = 0x002;
pub const EPOLLOUT: u32 = 0x004;
pub const EPOLLERR: u32 = 0x008;
pub const EPOLLHUP: u32 = 0x010;
pub const EPOLLRDNORM: u32 = 0x040;
pub const EPOLLWRNORM: u32 = 0x100;
pub const EPOLLRDHUP: u32 = 0x2000;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;

struct Entry {
    file: Weak<OpenFile>,
    events: u32,
    data: u64,
    /// One-shot entry that fired: disabled until EPOLL_CTL_MOD.
    disabled: bool,
    /// Edge-triggered: the sandbox-wide generation when last reported.
    reported_gen: Option<u64>,
}

/// An epoll instance.
pub struct Epoll {
    ino: u64,
    entries: Mutex<BTreeMap<(i32, usize), Entry>>,
}

fn key(fd: i32, file: &Arc<OpenFile>) -> (i32, usize) {
    (fd, Arc::as_ptr(file) as usize)
}

impl Epoll {
    /// An empty instance.
    pub fn new() -> Arc<Epoll> {
        Arc::new(Epoll {
            ino: new_ino(),
            entries: Mutex::new(BTreeMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(i32, usize), Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// EPOLL_CTL_ADD.
    pub fn add(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> KResult<()> {
        let mut e = self.lock();
        e.retain(|_, v| v.file.strong_count() > 0);
        if e.keys().any(|k| k.0 == fd) {
            return Err(Errno::EEXIST);
        }
        e.insert(
            key(fd, file),
            Entry {
                file: Arc::downgrade(file),
                events,
                data,
                disabled: false,
                reported_gen: None,
            },
        );
        drop(e);
        waiter::notify();
        Ok(())
    }

    /// EPOLL_CTL_MOD.
    pub fn modify(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> KResult<()> {
        let mut e = self.lock();
        let ent = e.get_mut(&key(fd, file)).ok_or(Errno::ENOENT)?;
        ent.events = events;
        ent.data = data;
        ent.disabled = false;
        ent.reported_gen = None;
        drop(e);
        waiter::notify();
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, fd: i32, file: &Arc<OpenFile>) -> KResult<()> {
        self.lock()
            .remove(&key(fd, file))
            .map(|_| ())
            .ok_or(Errno::ENOENT)
    }

    /// Collects up to `max` ready (events, data) pairs.
    pub fn ready(&self, max: usize) -> Vec<(u32, u64)> {
        let generation = waiter::generation();
        let mut out = Vec::new();
        let mut e = self.lock();
        e.retain(|_, v| v.file.strong_count() > 0);
        for ent in e.values_mut() {
            if out.len() >= max {
                break;
            }
            if ent.disabled {
                continue;
            }
            let Some(file) = ent.file.upgrade() else {
                continue;
            };
            let want = (ent.events & 0xffff) as u16 | poll::POLLERR | poll::POLLHUP;
            let got = u32::from(file.imp.readiness(want)) & (ent.events | EPOLLERR | EPOLLHUP);
            if got == 0 {
                continue;
            }
            if ent.events & EPOLLET != 0 {
                // An edge: the file's own events moved since the last
                // report (or, for files that count none, anything did).
                let seen = file.imp.event_count(want).unwrap_or(generation);
                if ent.reported_gen == Some(seen) {
                    continue;
                }
                ent.reported_gen = Some(seen);
            }
            if ent.events & EPOLLONESHOT != 0 {
                ent.disabled = true;
            }
            out.push((got, ent.data));
        }
        out
    }

    /// Host fds among the watched files (to wait on them).
    pub fn host_fds(&self) -> Vec<(i32, i16)> {
        self.lock()
            .values()
            .filter_map(|v| {
                let f = v.file.upgrade()?;
                Some((f.imp.host_fd()?, (v.events & 0xffff) as i16))
            })
            .collect()
    }
}

anon_inode!(Epoll, EpollFile);

/// The open epoll instance.
pub struct EpollFile(pub Arc<Epoll>);

impl FileImpl for EpollFile {
    fn anon_name(&self) -> Option<&'static str> {
        Some("eventpoll")
    }
    fn show_fdinfo(&self, out: &mut String) {
        for ((fd, _), e) in self.0.lock().iter() {
            let Some(f) = e.file.upgrade() else { continue };
            let st = f.inode.stat().unwrap_or_default();
            let pos = *f.pos.lock().unwrap_or_else(|p| p.into_inner());
            out.push_str(&format!(
                "tfd: {fd:8} events: {:8x} data: {:16x}  pos:{pos} ino:{:x} sdev:{:x}\n",
                // Linux always adds EPOLLERR|EPOLLHUP to what was asked.
                e.events | EPOLLERR | EPOLLHUP,
                e.data,
                st.ino,
                st.dev
            ));
        }
    }
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    fn seekable(&self) -> bool {
        false
    }

    fn pollable(&self) -> bool {
        true
    }
    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        Some(Err(Errno::ESPIPE))
    }
    fn readiness(&self, events: u16) -> u16 {
        let any = self.0.lock().values().any(|v| {
            !v.disabled
                && v.file
                    .upgrade()
                    .is_some_and(|f| f.imp.readiness((v.events & 0xffff) as u16) != 0)
        });
        if any { poll::POLLIN & events } else { 0 }
    }
    fn as_epoll(&self) -> Option<Arc<Epoll>> {
        Some(self.0.clone())
    }
}

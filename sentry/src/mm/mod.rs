//! The memory manager of one application address space (`mm_struct`).
//!
//! It owns the VMAs (range, protection, private/shared, anonymous or file,
//! name) and which memory-file pages back them, and applies every change
//! to the platform's address space. Each VMA is backed by a contiguous
//! range of the memory file that it owns exclusively; file mappings are
//! filled from the file when created and shared writable ones are written
//! back on `msync` and `munmap`.
//!
//! Copy-in and copy-out go through the VMAs (so a bad pointer is EFAULT,
//! never a sentry fault) and the memory file's own mapping (no syscall).
//!
//! fork shares private VMAs copy-on-write: both sides map them without
//! PROT_WRITE; a write (a fault, or a copy-out by the sentry) splits off
//! the aligned 1 MiB chunk it hits and copies that chunk's resident pages,
//! or takes them over when no other address space holds them any more.
//!
//! Private mappings of files the sandbox cannot change share one copy of
//! the file's bytes through the file cache (`MapSource::cached`), also
//! copy-on-write, so exec of a dynamic program does not read libc again.
//!
//! mmap, mremap and brk enforce RLIMIT_AS and RLIMIT_DATA as Linux counts
//! them (`MemoryManager::set_rlimits`).
//!
//! Not yet: copy-on-write per page (it is per 1 MiB chunk), lazy fill on
//! fault.
//!
//! Lock order: `MemoryManager::state` > memory file allocator.

mod vma;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use vma::{MapSource, SharedRange, Vma, VmaName};

use crate::errno::{Errno, KResult};
use crate::memfile::MemoryFile;
use crate::platform::{APP_TOP, AddressSpace, PAGE_SIZE, prot};

/// Lowest address a mapping may start at (`vm.mmap_min_addr`).
pub const MMAP_MIN_ADDR: u64 = 0x10000;
/// Size reserved for the main thread's stack.
pub const STACK_SIZE: u64 = 8 << 20;

/// Rounds up to a page boundary (None on overflow).
pub fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

/// Rounds down to a page boundary.
pub fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

/// Where a new mapping may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Anywhere; the address is a hint.
    Hint(u64),
    /// Exactly here, replacing what is there (MAP_FIXED).
    Fixed(u64),
    /// Exactly here, failing with EEXIST if anything is (MAP_FIXED_NOREPLACE).
    FixedNoReplace(u64),
}

/// A validated mmap request.
pub struct MmapRequest {
    pub placement: Placement,
    pub len: u64,
    pub prot: u32,
    pub shared: bool,
    /// File and offset for file mappings.
    pub source: Option<(Arc<dyn MapSource>, u64)>,
    pub name: VmaName,
}

/// What fork copies of an address space.
pub struct MmImage {
    vmas: Vec<Vma>,
    brk_start: u64,
    brk: u64,
    mmap_base: u64,
    argv: (u64, u64),
    envp: (u64, u64),
    auxv: Vec<(u64, u64)>,
    layout: ExecLayout,
}

/// Where exec put the program's code, data and initial stack pointer
/// (/proc/PID/stat fields startcode, endcode, start_data, end_data,
/// startstack), as Linux's ELF loader computes them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecLayout {
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
    /// Address of argc on the initial stack.
    pub start_stack: u64,
}

/// Mutable state, protected by `MemoryManager::state`.
pub struct MmState {
    vmas: BTreeMap<u64, Vma>,
    /// First address of the heap, and the current break.
    pub brk_start: u64,
    pub brk: u64,
    /// Top of the area searched for mappings without a fixed address.
    pub mmap_base: u64,
    /// Ranges of the argument and environment strings on the stack.
    pub argv: (u64, u64),
    pub envp: (u64, u64),
    /// The auxiliary vector the program started with (/proc/PID/auxv).
    pub auxv: Vec<(u64, u64)>,
    pub layout: ExecLayout,
}

/// One application address space.
pub struct MemoryManager {
    memfile: Arc<MemoryFile>,
    space: Box<dyn AddressSpace>,
    /// The CPU time of the address space's threads. Immutable.
    cpu: Arc<crate::kernel::cputime::SpaceClock>,
    state: Mutex<MmState>,
    /// RLIMIT_AS and RLIMIT_DATA in bytes, as the owning process last set
    /// them ([`MemoryManager::set_rlimits`]).
    rlimit_as: AtomicU64,
    rlimit_data: AtomicU64,
}

impl MemoryManager {
    /// An empty address space.
    pub fn new(memfile: Arc<MemoryFile>, space: Box<dyn AddressSpace>, mmap_base: u64) -> Self {
        MemoryManager {
            memfile,
            cpu: crate::kernel::cputime::SpaceClock::new(space.cpu_clock()),
            space,
            rlimit_as: AtomicU64::new(u64::MAX),
            rlimit_data: AtomicU64::new(u64::MAX),
            state: Mutex::new(MmState {
                vmas: BTreeMap::new(),
                brk_start: 0,
                brk: 0,
                mmap_base,
                argv: (0, 0),
                envp: (0, 0),
                auxv: Vec::new(),
                layout: ExecLayout::default(),
            }),
        }
    }

    /// The process's RLIMIT_AS and RLIMIT_DATA (bytes), which mmap, brk
    /// and mremap enforce.
    pub fn set_rlimits(&self, as_bytes: u64, data_bytes: u64) {
        self.rlimit_as.store(as_bytes, Ordering::Relaxed);
        self.rlimit_data.store(data_bytes, Ordering::Relaxed);
    }

    /// Linux's may_expand_vm: whether `grow` more bytes of a mapping with
    /// `prot` (private unless `shared`; the stack never counts as data),
    /// `freed` bytes being replaced, stay within RLIMIT_AS and
    /// RLIMIT_DATA.
    fn may_expand(&self, st: &MmState, grow: u64, freed: (u64, u64), data: bool) -> KResult<()> {
        let total: u64 = st.vmas.values().map(|v| v.len()).sum();
        let limit = self.rlimit_as.load(Ordering::Relaxed);
        if total.saturating_sub(freed.0).saturating_add(grow) > limit {
            return Err(Errno::ENOMEM.why("RLIMIT_AS reached"));
        }
        if data {
            let limit = self.rlimit_data.load(Ordering::Relaxed);
            if st.data_size().saturating_sub(freed.1).saturating_add(grow) > limit {
                return Err(Errno::ENOMEM.why("RLIMIT_DATA reached"));
            }
        }
        Ok(())
    }

    /// The platform's address space (for the task loop).
    pub fn address_space(&self) -> &dyn AddressSpace {
        &*self.space
    }

    /// The CPU time of the address space's threads (for the task loop).
    pub fn cpu_clock(&self) -> &Arc<crate::kernel::cputime::SpaceClock> {
        &self.cpu
    }

    /// The memory file behind every page.
    pub fn memfile(&self) -> &Arc<MemoryFile> {
        &self.memfile
    }

    /// Locks the state (for exec's bookkeeping and /proc).
    pub fn lock(&self) -> MutexGuard<'_, MmState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// mmap(2) with a validated request.
    pub fn mmap(&self, req: MmapRequest) -> KResult<u64> {
        let len = page_up(req.len).ok_or(Errno::ENOMEM)?;
        if len == 0 || len > APP_TOP {
            return Err(Errno::ENOMEM);
        }
        let mut st = self.lock();
        let addr = match req.placement {
            Placement::Fixed(a) | Placement::FixedNoReplace(a) => {
                if a % PAGE_SIZE != 0 {
                    return Err(Errno::EINVAL);
                }
                if a < MMAP_MIN_ADDR && a != 0 {
                    return Err(Errno::EPERM);
                }
                if a.checked_add(len).is_none_or(|e| e > APP_TOP) {
                    return Err(Errno::ENOMEM);
                }
                if a == 0 {
                    return Err(Errno::EPERM);
                }
                if matches!(req.placement, Placement::FixedNoReplace(_)) && st.overlaps(a, a + len)
                {
                    return Err(Errno::EEXIST);
                }
                a
            }
            Placement::Hint(h) => {
                let h = page_down(h);
                if h >= MMAP_MIN_ADDR
                    && h.checked_add(len).is_some_and(|e| e <= APP_TOP)
                    && !st.overlaps(h, h + len)
                {
                    h
                } else {
                    st.find_gap(len).ok_or(Errno::ENOMEM)?
                }
            }
        };
        let replaced = match req.placement {
            Placement::Fixed(_) => st.mapped_in(addr, addr + len),
            _ => (0, 0),
        };
        let data = req.prot & prot::WRITE != 0 && !req.shared && req.name != VmaName::Stack;
        self.may_expand(&st, len, replaced, data)?;
        // A private mapping of a file the sandbox cannot change shares the
        // file cache's pages copy-on-write; anything else gets its own.
        let cached = match &req.source {
            Some((src, off)) if !req.shared => src.cached(&self.memfile, *off, len).transpose()?,
            _ => None,
        };
        let (mf_off, owned) = match &cached {
            Some(range) => (range.off, false),
            None => (self.memfile.allocate(len)?, true),
        };
        let release = |mm: &MemoryManager| {
            if owned {
                mm.memfile.release(mf_off, len);
            }
        };
        let mut file = None;
        let mut writeback = false;
        if let Some((src, off)) = req.source {
            if owned && let Err(e) = src.fill(&self.memfile, mf_off, len, off) {
                release(self);
                return Err(e);
            }
            writeback = req.shared && src.writable();
            file = Some((src, off));
        }
        if let Placement::Fixed(_) = req.placement {
            self.unmap_locked(&mut st, addr, addr + len)?;
        }
        let cow = cached.is_some();
        let map_prot = if cow {
            req.prot & !prot::WRITE
        } else {
            req.prot
        };
        if let Err(e) = self.space.map(addr, len, map_prot, mf_off) {
            release(self);
            return Err(e);
        }
        let max_write = match &file {
            Some((src, _)) if req.shared => src.writable(),
            _ => true,
        };
        let shared_range = if req.shared {
            Some(Arc::new(SharedRange::new(
                self.memfile.clone(),
                mf_off,
                len,
            )))
        } else {
            cached
        };
        st.vmas.insert(
            addr,
            Vma {
                start: addr,
                end: addr + len,
                prot: req.prot,
                max_write,
                shared: req.shared,
                mf_off,
                file,
                writeback,
                name: req.name,
                shared_range,
                cow,
            },
        );
        Ok(addr)
    }

    /// munmap(2).
    pub fn munmap(&self, addr: u64, len: u64) -> KResult<()> {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_up(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        if end > APP_TOP {
            return Err(Errno::EINVAL);
        }
        let mut st = self.lock();
        self.unmap_locked(&mut st, addr, end)
    }

    fn unmap_locked(&self, st: &mut MmState, start: u64, end: u64) -> KResult<()> {
        if !st.overlaps(start, end) {
            return Ok(());
        }
        st.split(start);
        st.split(end);
        let keys: Vec<u64> = st.vmas.range(start..end).map(|(k, _)| *k).collect();
        self.space.unmap(start, end - start)?;
        for k in keys {
            if let Some(v) = st.vmas.remove(&k) {
                v.write_back(&self.memfile);
                v.release(&self.memfile);
            }
        }
        Ok(())
    }

    /// mprotect(2).
    pub fn mprotect(&self, addr: u64, len: u64, prot: u32) -> KResult<()> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let len = page_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let mut st = self.lock();
        if !st.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        if prot & prot::WRITE != 0 && st.vmas_in(addr, end).any(|v| !v.max_write) {
            return Err(Errno::EACCES);
        }
        st.split(addr);
        st.split(end);
        let mut cow = false;
        for v in st.vmas.range_mut(addr..end) {
            v.1.prot = prot;
            cow |= v.1.cow;
            if v.1.shared && prot & prot::WRITE != 0 && v.1.file.is_some() {
                v.1.writeback = true;
            }
        }
        if !cow {
            return self.space.protect(addr, len, prot);
        }
        for v in st.vmas_in(addr, end) {
            self.space.protect(v.start, v.len(), v.stub_prot())?;
        }
        Ok(())
    }

    /// brk(2): moves the break if it can, returns the break in any case.
    pub fn brk(&self, new: u64) -> u64 {
        let mut st = self.lock();
        if new < st.brk_start {
            return st.brk;
        }
        let (Some(old_end), Some(new_end)) = (page_up(st.brk), page_up(new)) else {
            return st.brk;
        };
        if new_end > old_end {
            if new_end > st.mmap_base.min(APP_TOP) || st.overlaps(old_end, new_end) {
                return st.brk;
            }
            let len = new_end - old_end;
            // Linux's check_data_rlimit, then may_expand_vm.
            let heap_and_data =
                (new - st.brk_start).saturating_add(st.layout.end_data - st.layout.start_data);
            if heap_and_data > self.rlimit_data.load(Ordering::Relaxed)
                || self.may_expand(&st, len, (0, 0), true).is_err()
            {
                return st.brk;
            }
            let Ok(mf_off) = self.memfile.allocate(len) else {
                return st.brk;
            };
            if self
                .space
                .map(old_end, len, prot::READ | prot::WRITE, mf_off)
                .is_err()
            {
                self.memfile.release(mf_off, len);
                return st.brk;
            }
            st.vmas.insert(
                old_end,
                Vma::anon(
                    old_end,
                    new_end,
                    prot::READ | prot::WRITE,
                    mf_off,
                    VmaName::Heap,
                ),
            );
        } else if new_end < old_end && self.unmap_locked(&mut st, new_end, old_end).is_err() {
            return st.brk;
        }
        st.brk = new;
        new
    }

    /// Sets up the heap right after the program image.
    pub fn set_brk_start(&self, start: u64) {
        let mut st = self.lock();
        st.brk_start = start;
        st.brk = start;
    }

    /// mremap(2) with MREMAP_MAYMOVE and MREMAP_FIXED; `new_addr` is only
    /// used with `fixed`.
    pub fn mremap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        may_move: bool,
        fixed: Option<u64>,
    ) -> KResult<u64> {
        if !old.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_up(new_len).ok_or(Errno::EINVAL)?;
        if new_len == 0 || new_len > APP_TOP {
            return Err(Errno::EINVAL);
        }
        let mut st = self.lock();
        let old_end = old.checked_add(old_len).ok_or(Errno::EFAULT)?;
        let vma = st.find(old).cloned().ok_or(Errno::EFAULT)?;
        if old_len == 0 || old_end > vma.end {
            return Err(Errno::EFAULT);
        }
        if new_len > old_len {
            self.may_expand(&st, new_len - old_len, (0, 0), vma.is_data())?;
        }
        if fixed.is_none() {
            if new_len <= old_len {
                if new_len < old_len {
                    self.unmap_locked(&mut st, old + new_len, old_end)?;
                }
                return Ok(old);
            }
            // Grow in place when the address range and the memory-file
            // pages right after ours are both free.
            let grow = new_len - old_len;
            if old_end == vma.end
                && vma.shared_range.is_none()
                && old.checked_add(new_len).is_some_and(|e| e <= APP_TOP)
            {
                let ext_off = vma.mf_off + vma.len();
                if !st.overlaps(old_end, old + new_len) && self.memfile.allocate_at(ext_off, grow) {
                    if let Some((src, foff)) = &vma.file {
                        let _ = src.fill(&self.memfile, ext_off, grow, foff + vma.len());
                    }
                    if let Err(e) = self.space.map(old_end, grow, vma.prot, ext_off) {
                        self.memfile.release(ext_off, grow);
                        return Err(e);
                    }
                    if let Some(v) = st.vmas.get_mut(&vma.start) {
                        v.end += grow;
                    }
                    return Ok(old);
                }
            }
            if !may_move {
                return Err(Errno::ENOMEM);
            }
        }
        // Move: new pages, copy, map, drop the old range.
        let dest = match fixed {
            Some(d) => {
                if d % PAGE_SIZE != 0 || d.checked_add(new_len).is_none_or(|e| e > APP_TOP) {
                    return Err(Errno::EINVAL);
                }
                if d < old_end && old < d + new_len {
                    return Err(Errno::EINVAL);
                }
                self.unmap_locked(&mut st, d, d + new_len)?;
                d
            }
            None => st.find_gap(new_len).ok_or(Errno::ENOMEM)?,
        };
        let mf_off = self.memfile.allocate(new_len)?;
        let src_off = vma.mf_off + (old - vma.start);
        self.memfile
            .copy_within(src_off, mf_off, old_len.min(new_len))?;
        let file = vma
            .file
            .as_ref()
            .map(|(s, o)| (s.clone(), o + (old - vma.start)));
        if new_len > old_len
            && let Some((src, foff)) = &file
        {
            let _ = src.fill(
                &self.memfile,
                mf_off + old_len,
                new_len - old_len,
                foff + old_len,
            );
        }
        if let Err(e) = self.space.map(dest, new_len, vma.prot, mf_off) {
            self.memfile.release(mf_off, new_len);
            return Err(e);
        }
        // The old pages were copied: drop them without writing back twice.
        st.split(old);
        st.split(old_end);
        let keys: Vec<u64> = st.vmas.range(old..old_end).map(|(k, _)| *k).collect();
        self.space.unmap(old, old_len)?;
        for k in keys {
            if let Some(v) = st.vmas.remove(&k) {
                v.release(&self.memfile);
            }
        }
        st.vmas.insert(
            dest,
            Vma {
                start: dest,
                end: dest + new_len,
                prot: vma.prot,
                max_write: vma.max_write,
                shared: vma.shared,
                mf_off,
                file,
                writeback: vma.writeback,
                name: vma.name.clone(),
                cow: false,
                shared_range: vma
                    .shared
                    .then(|| Arc::new(SharedRange::new(self.memfile.clone(), mf_off, new_len))),
            },
        );
        Ok(dest)
    }

    /// madvise(2) for the advice values that change contents; the rest are
    /// hints the caller validated.
    pub fn madvise_dontneed(&self, addr: u64, len: u64) -> KResult<()> {
        let len = page_up(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        let mut st = self.lock();
        if !st.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        st.split(addr);
        st.split(end);
        self.break_cow_range(&mut st, addr, end - addr)?;
        for (_, v) in st.vmas.range(addr..end) {
            if v.shared {
                continue;
            }
            self.memfile.punch(v.mf_off, v.len());
            if let Some((src, off)) = &v.file {
                src.fill(&self.memfile, v.mf_off, v.len(), *off)?;
            }
        }
        Ok(())
    }

    /// Checks that `[addr, addr+len)` is mapped (madvise's ENOMEM).
    pub fn check_mapped(&self, addr: u64, len: u64) -> KResult<()> {
        let len = page_up(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        if self.lock().fully_mapped(addr, end) {
            Ok(())
        } else {
            Err(Errno::ENOMEM)
        }
    }

    /// msync(2): writes shared file mappings back.
    pub fn msync(&self, addr: u64, len: u64) -> KResult<()> {
        let len = page_up(len).ok_or(Errno::ENOMEM)?;
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let st = self.lock();
        if !st.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        for v in st.vmas_in(addr, end) {
            v.write_back(&self.memfile);
        }
        Ok(())
    }

    /// mincore(2): one byte per page, 1 when resident.
    pub fn mincore(&self, addr: u64, len: u64) -> KResult<Vec<u8>> {
        let len = page_up(len).ok_or(Errno::ENOMEM)?;
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let st = self.lock();
        if !st.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        let mut out = Vec::with_capacity((len / PAGE_SIZE) as usize);
        for v in st.vmas_in(addr, end) {
            let s = v.start.max(addr);
            let e = v.end.min(end);
            out.extend(self.memfile.residency(v.mf_off + (s - v.start), e - s)?);
        }
        Ok(out)
    }

    /// Copies application memory at `addr` into `buf`.
    pub fn copy_in(&self, addr: u64, buf: &mut [u8]) -> KResult<()> {
        let st = self.lock();
        st.walk(addr, buf.len() as u64, prot::READ, |mf_off, done, n| {
            self.memfile
                .read(mf_off, &mut buf[done as usize..(done + n) as usize])
        })
    }

    /// Copies `buf` into application memory at `addr`.
    pub fn copy_out(&self, addr: u64, buf: &[u8]) -> KResult<()> {
        let mut st = self.lock();
        self.break_cow_range(&mut st, addr, buf.len() as u64)?;
        st.walk(addr, buf.len() as u64, prot::WRITE, |mf_off, done, n| {
            self.memfile
                .write(mf_off, &buf[done as usize..(done + n) as usize])
        })
    }

    /// Atomically replaces the aligned 32-bit word at `addr` with `new` if
    /// it holds `old` (a futex word); returns what it held. EFAULT unless
    /// the word is mapped writable, EINVAL when unaligned.
    pub fn cmpxchg_u32(&self, addr: u64, old: u32, new: u32) -> KResult<u32> {
        if !addr.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let mut st = self.lock();
        self.break_cow_range(&mut st, addr, 4)?;
        let mut found = 0;
        st.walk(addr, 4, prot::WRITE, |mf_off, _, _| {
            found = self.memfile.cmpxchg_u32(mf_off, old, new)?;
            Ok(())
        })?;
        Ok(found)
    }

    /// Copies as much of `buf` as fits before the first unwritable byte;
    /// returns how many bytes were copied (a short read into a buffer that
    /// runs into a hole).
    pub fn copy_out_partial(&self, addr: u64, buf: &[u8]) -> usize {
        let mut st = self.lock();
        let _ = self.break_cow_range(&mut st, addr, buf.len() as u64);
        let mut copied = 0u64;
        let _ = st.walk(addr, buf.len() as u64, prot::WRITE, |mf_off, done, n| {
            self.memfile
                .write(mf_off, &buf[done as usize..(done + n) as usize])?;
            copied = done + n;
            Ok(())
        });
        copied as usize
    }

    /// Writes into application memory regardless of protection (exec
    /// building the stack, or zeroing the tail of a read-only segment).
    pub fn poke(&self, addr: u64, buf: &[u8]) -> KResult<()> {
        let st = self.lock();
        st.walk(addr, buf.len() as u64, prot::NONE, |mf_off, done, n| {
            self.memfile
                .write(mf_off, &buf[done as usize..(done + n) as usize])
        })
    }

    /// The memory-file ranges behind `[addr, addr+len)`, for I/O straight
    /// into or out of application memory; checks protection like copies.
    pub fn ranges(&self, addr: u64, len: u64, write: bool) -> KResult<Vec<(u64, u64)>> {
        let mut st = self.lock();
        if write {
            self.break_cow_range(&mut st, addr, len)?;
        }
        let mut v = Vec::new();
        let need = if write { prot::WRITE } else { prot::READ };
        st.walk(addr, len, need, |mf_off, _, n| {
            v.push((mf_off, n));
            Ok(())
        })?;
        Ok(v)
    }

    /// What identifies the futex word at `uaddr` across processes: its
    /// memory-file offset in a shared mapping (the same pages everywhere),
    /// else None (the word is private to this address space, whose
    /// copy-on-write pages may move).
    pub fn shared_offset(&self, uaddr: u64) -> KResult<Option<u64>> {
        let st = self.lock();
        let v = st.find(uaddr).ok_or(Errno::EFAULT)?;
        if v.prot & prot::READ == 0 {
            return Err(Errno::EFAULT);
        }
        Ok(v.shared.then(|| v.mf_off + (uaddr - v.start)))
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the
    /// NUL). ENAMETOOLONG when no NUL comes within `max` bytes.
    pub fn read_cstring(&self, addr: u64, max: usize) -> KResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut a = addr;
        loop {
            let chunk = (PAGE_SIZE - (a % PAGE_SIZE)).min(256) as usize;
            let mut buf = [0u8; 256];
            self.copy_in(a, &mut buf[..chunk])?;
            if let Some(p) = buf[..chunk].iter().position(|&b| b == 0) {
                out.extend_from_slice(&buf[..p]);
                if out.len() > max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&buf[..chunk]);
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
            a = a.checked_add(chunk as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// fork: a copy of this address space's contents. Private mappings get
    /// fresh memory-file pages holding a copy of the resident ones; shared
    /// mappings keep the same pages.
    pub fn fork_image(&self) -> KResult<MmImage> {
        let mut st = self.lock();
        // Private pages become shared copy-on-write: the parent loses
        // PROT_WRITE on them until its first write.
        let mut reprotect = Vec::new();
        for v in st.vmas.values_mut() {
            if v.shared {
                continue;
            }
            if v.shared_range.is_none() {
                v.shared_range = Some(Arc::new(SharedRange::new(
                    self.memfile.clone(),
                    v.mf_off,
                    v.len(),
                )));
            }
            if !v.cow {
                v.cow = true;
                if v.prot & prot::WRITE != 0 {
                    reprotect.push((v.start, v.len(), v.stub_prot()));
                }
            }
        }
        for (start, len, p) in reprotect {
            self.space.protect(start, len, p)?;
        }
        let vmas: Vec<Vma> = st.vmas.values().cloned().collect();
        Ok(MmImage {
            vmas,
            brk_start: st.brk_start,
            brk: st.brk,
            mmap_base: st.mmap_base,
            argv: st.argv,
            envp: st.envp,
            auxv: st.auxv.clone(),
            layout: st.layout,
        })
    }

    /// The address space of a forked child: maps every VMA of `image` into
    /// the fresh platform address space `space`.
    pub fn from_image(
        memfile: Arc<MemoryFile>,
        space: Box<dyn AddressSpace>,
        image: MmImage,
    ) -> KResult<MemoryManager> {
        let mm = MemoryManager::new(memfile, space, image.mmap_base);
        {
            let mut st = mm.lock();
            st.brk_start = image.brk_start;
            st.brk = image.brk;
            st.argv = image.argv;
            st.envp = image.envp;
            st.auxv = image.auxv;
            st.layout = image.layout;
            for v in image.vmas {
                st.vmas.insert(v.start, v);
            }
        }
        for v in mm.vmas() {
            mm.space.map(v.start, v.len(), v.stub_prot(), v.mf_off)?;
        }
        Ok(mm)
    }

    /// A write fault at `addr`: when it hit copy-on-write pages the
    /// program may write, they are made private and the write can be
    /// retried (true); otherwise it is a real fault (false).
    pub fn handle_write_fault(&self, addr: u64) -> bool {
        let mut st = self.lock();
        let Some(v) = st.find(addr) else { return false };
        if v.prot & prot::WRITE == 0 {
            return false;
        }
        if !v.cow {
            // Another thread made it private (or writable) between this
            // fault and our lock: the page is writable now, so the write
            // is retried. Re-applying the page's protection guarantees
            // the retry cannot fault the same way again.
            let page = addr & !0xfff;
            let prot = v.prot;
            return self.space.protect(page, 0x1000, prot).is_ok();
        }
        st.isolate_cow(addr, addr + 1);
        let Some(start) = st.find(addr).map(|v| v.start) else {
            return false;
        };
        self.break_cow(&mut st, start).is_ok()
    }

    /// Makes every copy-on-write VMA meeting `[addr, addr+len)` private.
    fn break_cow_range(&self, st: &mut MmState, addr: u64, len: u64) -> KResult<()> {
        let end = addr.saturating_add(len);
        st.isolate_cow(addr, end);
        let starts: Vec<u64> = st
            .vmas_in(addr, end)
            .filter(|v| v.cow)
            .map(|v| v.start)
            .collect();
        for s in starts {
            self.break_cow(st, s)?;
        }
        Ok(())
    }

    /// Makes the copy-on-write VMA at `start` private: takes the pages
    /// over when nobody else holds them, else copies the resident ones.
    fn break_cow(&self, st: &mut MmState, start: u64) -> KResult<()> {
        // Nobody else holds the pages when every holder of the range is a
        // piece of a VMA of ours (copy-on-write splits VMAs in chunks).
        let pieces = |r: &Arc<SharedRange>| {
            st.vmas
                .values()
                .filter(|x| x.shared_range.as_ref().is_some_and(|y| Arc::ptr_eq(y, r)))
                .count()
        };
        let sole = st.vmas.get(&start).is_some_and(|v| {
            v.shared_range
                .as_ref()
                .is_some_and(|r| !r.published && Arc::strong_count(r) == pieces(r))
        });
        let Some(v) = st.vmas.get_mut(&start) else {
            return Ok(());
        };
        if !v.cow {
            return Ok(());
        }
        if sole {
            v.cow = false;
            return self.space.protect(v.start, v.len(), v.prot);
        }
        let len = v.len();
        let off = self.memfile.allocate(len)?;
        if let Err(e) = self.memfile.copy_resident(v.mf_off, off, len) {
            self.memfile.release(off, len);
            return Err(e);
        }
        if let Err(e) = self.space.map(v.start, len, v.prot, off) {
            self.memfile.release(off, len);
            return Err(e);
        }
        v.mf_off = off;
        v.shared_range = None;
        v.cow = false;
        Ok(())
    }

    /// Stops every thread running in this address space (a fatal signal).
    pub fn kill(&self) {
        self.space.kill();
    }

    /// A snapshot of the VMAs (for /proc/PID/maps and tests).
    pub fn vmas(&self) -> Vec<Vma> {
        self.lock().vmas.values().cloned().collect()
    }

    /// Text of /proc/PID/maps.
    pub fn maps_text(&self) -> String {
        let st = self.lock();
        let mut s = String::new();
        for v in st.vmas.values() {
            v.format_maps_line(&mut s, st.brk_start);
        }
        s
    }

    /// Every VMA with the bytes of it that are resident (/proc/PID/smaps).
    pub fn vmas_resident(&self) -> Vec<(Vma, u64)> {
        let st = self.lock();
        st.vmas
            .values()
            .map(|v| {
                let rss = self.memfile.resident_bytes(v.mf_off, v.len()).unwrap_or(0);
                (v.clone(), rss)
            })
            .collect()
    }

    /// Total mapped bytes (VmSize).
    pub fn total_size(&self) -> u64 {
        self.lock().vmas.values().map(|v| v.len()).sum()
    }
}

impl Drop for MemoryManager {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        for v in std::mem::take(&mut st.vmas).into_values() {
            v.write_back(&self.memfile);
            v.release(&self.memfile);
        }
    }
}

/// Copy-on-write is broken one aligned chunk of this size at a time, so a
/// write after fork copies at most this much, whatever the VMA's size.
const COW_CHUNK: u64 = 1 << 20;

impl MmState {
    /// Splits the copy-on-write VMAs around `[start, end)` at chunk
    /// boundaries, so breaking copy-on-write there copies only those
    /// chunks.
    fn isolate_cow(&mut self, start: u64, end: u64) {
        let lo = start & !(COW_CHUNK - 1);
        let hi = end.saturating_add(COW_CHUNK - 1) & !(COW_CHUNK - 1);
        for cut in [lo, hi] {
            if self.find(cut).is_some_and(|v| v.cow && v.start < cut) {
                self.split(cut);
            }
        }
    }

    /// Bytes of private writable mappings other than the stack (what
    /// RLIMIT_DATA limits).
    fn data_size(&self) -> u64 {
        self.vmas
            .values()
            .filter(|v| v.is_data())
            .map(|v| v.len())
            .sum()
    }

    /// (all, data) bytes of `[start, end)` that are mapped now.
    fn mapped_in(&self, start: u64, end: u64) -> (u64, u64) {
        self.vmas_in(start, end).fold((0, 0), |(all, data), v| {
            let n = v.end.min(end) - v.start.max(start);
            (all + n, data + if v.is_data() { n } else { 0 })
        })
    }

    fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    fn overlaps(&self, start: u64, end: u64) -> bool {
        if let Some(v) = self.vmas.range(..start).next_back().map(|(_, v)| v)
            && v.end > start
        {
            return true;
        }
        self.vmas.range(start..end).next().is_some()
    }

    fn fully_mapped(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.find(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    fn vmas_in(&self, start: u64, end: u64) -> impl Iterator<Item = &Vma> {
        let first = self
            .vmas
            .range(..=start)
            .next_back()
            .map(|(k, _)| *k)
            .unwrap_or(start);
        self.vmas
            .range(first..end)
            .map(|(_, v)| v)
            .filter(move |v| v.end > start)
    }

    /// Ensures a VMA boundary at `addr`.
    fn split(&mut self, addr: u64) {
        let Some(start) = self
            .vmas
            .range(..addr)
            .next_back()
            .filter(|(_, v)| v.end > addr)
            .map(|(k, _)| *k)
        else {
            return;
        };
        let Some(v) = self.vmas.get_mut(&start) else {
            return;
        };
        let tail = v.split_off(addr);
        self.vmas.insert(addr, tail);
    }

    /// The highest gap of `len` bytes below `mmap_base`, else above it.
    fn find_gap(&self, len: u64) -> Option<u64> {
        let mut end = self.mmap_base;
        for (_, v) in self.vmas.range(..self.mmap_base).rev() {
            if v.end <= end {
                if end - v.end >= len {
                    return Some(end - len);
                }
                end = v.start;
            } else {
                end = end.min(v.start);
            }
        }
        if end >= len + MMAP_MIN_ADDR {
            return Some(end - len);
        }
        // Nothing below: search upwards from mmap_base.
        let mut start = self.mmap_base;
        for (_, v) in self.vmas.range(self.mmap_base..) {
            if v.start >= start + len {
                break;
            }
            start = start.max(v.end);
        }
        (start + len <= APP_TOP).then_some(start)
    }

    /// Calls `f(memfile_offset, done, n)` for each piece of `[addr,
    /// addr+len)`; EFAULT on a hole or a missing permission.
    fn walk(
        &self,
        addr: u64,
        len: u64,
        need: u32,
        mut f: impl FnMut(u64, u64, u64) -> KResult<()>,
    ) -> KResult<()> {
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(Errno::EFAULT)?;
        if end > APP_TOP {
            return Err(Errno::EFAULT);
        }
        let mut done = 0;
        while done < len {
            let a = addr + done;
            let v = self.find(a).ok_or(Errno::EFAULT)?;
            if v.prot & need != need {
                return Err(Errno::EFAULT);
            }
            let n = (v.end - a).min(len - done);
            f(v.mf_off + (a - v.start), done, n)?;
            done += n;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;

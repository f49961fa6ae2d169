//! The memory file: one memfd per sandbox holding every page of application
//! memory. The sentry maps it whole, once, so copying to and from the
//! application is a bounds-checked memcpy; stubs map ranges of it with
//! `MAP_SHARED|MAP_FIXED`. Pages are allocated by the host on first touch,
//! so large sparse reservations cost address space, not memory. Freed
//! ranges are hole-punched, which both returns the memory to the host and
//! guarantees the next allocation reads as zeros.
//!
//! Lock order: `MemoryFile::free` (allocator) is a leaf lock.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use crate::errno::{Errno, KResult};
use crate::platform::{PAGE_SIZE, STUB_CODE, STUB_MEMFILE_OFFSET};

/// Size of the memory file (sparse): the most application memory, of all
/// processes of a sandbox together, that can be mapped at once.
pub const MEMFILE_SIZE: u64 = 1 << 40;

/// The sandbox's memory file.
pub struct MemoryFile {
    fd: OwnedFd,
    /// Start of the sentry's mapping of the whole file. Immutable.
    base: usize,
    size: u64,
    /// Free page ranges: start -> length. Protected by its mutex.
    free: Mutex<FreeList>,
}

impl MemoryFile {
    /// Creates the file, maps it, and writes the stub code page.
    pub fn new() -> KResult<MemoryFile> {
        Self::with_size(MEMFILE_SIZE)
    }

    /// A memory file of `size` bytes (tests use small ones).
    pub fn with_size(size: u64) -> KResult<MemoryFile> {
        let name = c"runlx-memory";
        // SAFETY: name is a valid C string.
        let raw = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        if raw < 0 {
            return Err(Errno::last_host().why("memfd_create failed"));
        }
        // SAFETY: raw is a fresh fd that we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: plain syscall on our fd.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), size as libc::off_t) } < 0 {
            return Err(Errno::last_host().why("sizing the memory file failed"));
        }
        // SAFETY: a new shared mapping of our own memfd, at an address the
        // kernel picks; nothing else refers to that range.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_NORESERVE,
                fd.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Errno::last_host().why("mapping the memory file failed"));
        }
        let mf = MemoryFile {
            fd,
            base: base as usize,
            size,
            free: Mutex::new(FreeList::new(PAGE_SIZE, size - PAGE_SIZE)),
        };
        mf.write(STUB_MEMFILE_OFFSET, &STUB_CODE)?;
        Ok(mf)
    }

    /// The memfd (stubs inherit it).
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// Allocates `len` bytes (page multiple) of zeroed pages.
    pub fn allocate(&self, len: u64) -> KResult<u64> {
        debug_assert!(len.is_multiple_of(PAGE_SIZE));
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(len)
            .ok_or(Errno::ENOMEM.why("memory file exhausted"))
    }

    /// Allocates exactly `[off, off+len)` if it is free (used to grow a
    /// mapping in place).
    pub fn allocate_at(&self, off: u64, len: u64) -> bool {
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take_at(off, len)
    }

    /// Returns pages to the host and to the allocator.
    pub fn release(&self, off: u64, len: u64) {
        if len == 0 {
            return;
        }
        self.punch(off, len);
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .give(off, len);
    }

    /// Makes `[off, off+len)` read as zeros again, freeing its memory.
    pub fn punch(&self, off: u64, len: u64) {
        // SAFETY: plain syscall on our own fd.
        unsafe {
            libc::fallocate(
                self.fd.as_raw_fd(),
                libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                off as libc::off_t,
                len as libc::off_t,
            );
        }
    }

    fn check(&self, off: u64, len: usize) -> KResult<usize> {
        let end = off
            .checked_add(len as u64)
            .ok_or(Errno::EFAULT.why("memory file range overflows"))?;
        if end > self.size {
            return Err(Errno::EFAULT.why("memory file range out of bounds"));
        }
        Ok(self.base + off as usize)
    }

    /// Copies out of the file.
    pub fn read(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        let p = self.check(off, buf.len())?;
        // SAFETY: [p, p+len) lies inside our live mapping (checked above);
        // buf is a distinct Rust buffer. The application may write the
        // source concurrently; we copy bytes, never form a reference to it.
        unsafe { std::ptr::copy_nonoverlapping(p as *const u8, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// Copies into the file.
    pub fn write(&self, off: u64, buf: &[u8]) -> KResult<()> {
        let p = self.check(off, buf.len())?;
        // SAFETY: as in `read`, with the roles of the buffers swapped.
        unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), p as *mut u8, buf.len()) };
        Ok(())
    }

    /// Atomically replaces the 32-bit word at `off` (4-byte aligned) with
    /// `new` if it holds `old`; returns what it held either way. Futex
    /// words need this: the application changes them concurrently with
    /// its own atomic instructions, so a read-then-write could undo them.
    pub fn cmpxchg_u32(&self, off: u64, old: u32, new: u32) -> KResult<u32> {
        if !off.is_multiple_of(4) {
            return Err(Errno::EINVAL.why("unaligned futex word"));
        }
        let p = self.check(off, 4)?;
        // SAFETY: [p, p+4) lies inside our live mapping (checked above),
        // which stays mapped as long as `self`, and is 4-byte aligned (the
        // mapping is page aligned, `off` checked above). The reference
        // lives only for this one atomic instruction; every other access
        // of the sentry to these bytes is a plain byte copy that never
        // forms a reference, and the application's own accesses happen in
        // another process.
        let word = unsafe { std::sync::atomic::AtomicU32::from_ptr(p as *mut u32) };
        Ok(
            match word.compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(v) | Err(v) => v,
            },
        )
    }

    /// Zeroes `[off, off+len)` without freeing it.
    pub fn zero(&self, off: u64, len: u64) -> KResult<()> {
        let p = self.check(off, len as usize)?;
        // SAFETY: the range is inside our mapping (checked above).
        unsafe { std::ptr::write_bytes(p as *mut u8, 0, len as usize) };
        Ok(())
    }

    /// Copies `len` bytes between two ranges of the file (mremap).
    pub fn copy_within(&self, from: u64, to: u64, len: u64) -> KResult<()> {
        let src = self.check(from, len as usize)?;
        let dst = self.check(to, len as usize)?;
        // SAFETY: both ranges are inside our mapping; `copy` allows overlap.
        unsafe { std::ptr::copy(src as *const u8, dst as *mut u8, len as usize) };
        Ok(())
    }

    /// Copies the pages of `[from, from+len)` that hold data to the same
    /// place in `[to, to+len)`, skipping holes, so copying a large sparse
    /// reservation costs what it holds, not its size (fork).
    pub fn copy_resident(&self, from: u64, to: u64, len: u64) -> KResult<()> {
        let end = from.checked_add(len).ok_or(Errno::EFAULT)?;
        let mut off = from;
        while off < end {
            // SAFETY: lseek on our own fd with integer arguments.
            let data =
                unsafe { libc::lseek(self.fd.as_raw_fd(), off as libc::off_t, libc::SEEK_DATA) };
            if data < 0 || data as u64 >= end {
                break;
            }
            let data = data as u64;
            // SAFETY: as above.
            let hole =
                unsafe { libc::lseek(self.fd.as_raw_fd(), data as libc::off_t, libc::SEEK_HOLE) };
            let hole = if hole < 0 {
                end
            } else {
                (hole as u64).min(end)
            };
            self.copy_within(data, to + (data - from), hole - data)?;
            off = hole;
        }
        Ok(())
    }

    /// Reads up to `len` bytes of host file `fd` at `file_off` straight into
    /// the file at `off`; returns how many bytes were read (short at EOF).
    pub fn fill_from_fd(&self, off: u64, len: u64, fd: i32, file_off: u64) -> KResult<u64> {
        let p = self.check(off, len as usize)?;
        let mut done = 0u64;
        while done < len {
            // SAFETY: the destination lies inside our mapping (checked
            // above); the kernel writes at most len-done bytes there.
            let n = unsafe {
                libc::pread(
                    fd,
                    (p + done as usize) as *mut libc::c_void,
                    (len - done) as usize,
                    (file_off + done) as libc::off_t,
                )
            };
            if n < 0 {
                let e = Errno::last_host();
                if e == Errno::EINTR {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                break;
            }
            done += n as u64;
        }
        Ok(done)
    }

    /// Writes `len` bytes of the file at `off` to host fd `fd` (used by the
    /// donated stdio to avoid a bounce buffer).
    pub fn write_to_fd(&self, off: u64, len: u64, fd: i32) -> KResult<u64> {
        let p = self.check(off, len as usize)?;
        // SAFETY: the source lies inside our mapping (checked above).
        let n = unsafe { libc::write(fd, p as *const libc::c_void, len as usize) };
        if n < 0 {
            return Err(Errno::last_host());
        }
        Ok(n as u64)
    }

    /// Free bytes left in the file (tests and accounting).
    pub fn free_bytes(&self) -> u64 {
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .free_bytes()
    }

    /// Whether each page of `[off, off+len)` is resident (for mincore).
    pub fn residency(&self, off: u64, len: u64) -> KResult<Vec<u8>> {
        let p = self.check(off, len as usize)?;
        let pages = len.div_ceil(PAGE_SIZE) as usize;
        let mut v = vec![0u8; pages];
        // SAFETY: the range is page-aligned inside our mapping; v has one
        // byte per page.
        let r = unsafe { libc::mincore(p as *mut libc::c_void, len as usize, v.as_mut_ptr()) };
        if r < 0 {
            return Err(Errno::last_host());
        }
        for b in &mut v {
            *b &= 1;
        }
        Ok(v)
    }

    /// How many bytes of `[off, off+len)` are resident, asked a bounded
    /// number of pages at a time (reservations can be huge and sparse).
    pub fn resident_bytes(&self, off: u64, len: u64) -> KResult<u64> {
        const CHUNK: u64 = 1 << 30;
        let mut pages = 0u64;
        let mut at = 0;
        while at < len {
            let n = (len - at).min(CHUNK);
            pages += self
                .residency(off + at, n)?
                .iter()
                .map(|&b| u64::from(b))
                .sum::<u64>();
            at += n;
        }
        Ok(pages * PAGE_SIZE)
    }
}

impl Drop for MemoryFile {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; no references into it survive
        // the MemoryFile (we never hand any out).
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.size as usize) };
    }
}

/// A first-fit allocator of page ranges.
#[derive(Debug)]
pub struct FreeList {
    ranges: BTreeMap<u64, u64>,
}

impl FreeList {
    /// One free range `[start, start+len)`.
    pub fn new(start: u64, len: u64) -> FreeList {
        let mut ranges = BTreeMap::new();
        if len > 0 {
            ranges.insert(start, len);
        }
        FreeList { ranges }
    }

    /// Takes `len` bytes from the lowest range that fits.
    pub fn take(&mut self, len: u64) -> Option<u64> {
        if len == 0 {
            return None;
        }
        let (&start, &rlen) = self.ranges.iter().find(|(_, l)| **l >= len)?;
        self.ranges.remove(&start);
        if rlen > len {
            self.ranges.insert(start + len, rlen - len);
        }
        Some(start)
    }

    /// Takes exactly `[off, off+len)` if free.
    pub fn take_at(&mut self, off: u64, len: u64) -> bool {
        let Some((&start, &rlen)) = self.ranges.range(..=off).next_back() else {
            return false;
        };
        let Some(end) = off.checked_add(len) else {
            return false;
        };
        if end > start + rlen || len == 0 {
            return false;
        }
        self.ranges.remove(&start);
        if off > start {
            self.ranges.insert(start, off - start);
        }
        if start + rlen > end {
            self.ranges.insert(end, start + rlen - end);
        }
        true
    }

    /// Returns `[off, off+len)`, merging with neighbours.
    pub fn give(&mut self, off: u64, len: u64) {
        let mut start = off;
        let mut end = off + len;
        if let Some((&ps, &pl)) = self.ranges.range(..off).next_back()
            && ps + pl == off
        {
            self.ranges.remove(&ps);
            start = ps;
        }
        if let Some(&nl) = self.ranges.get(&end) {
            self.ranges.remove(&end);
            end += nl;
        }
        self.ranges.insert(start, end - start);
    }

    /// Total free bytes.
    pub fn free_bytes(&self) -> u64 {
        self.ranges.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_and_give_coalesce() {
        let mut f = FreeList::new(4096, 40960);
        let a = f.take(8192).unwrap();
        let b = f.take(4096).unwrap();
        assert_eq!((a, b), (4096, 12288));
        f.give(a, 8192);
        f.give(b, 4096);
        assert_eq!(f.ranges.len(), 1);
        assert_eq!(f.free_bytes(), 40960);
    }

    #[test]
    fn take_at_splits() {
        let mut f = FreeList::new(0, 10 * 4096);
        assert!(f.take_at(4096, 4096));
        assert!(!f.take_at(4096, 4096));
        assert!(!f.take_at(8192, 100 * 4096));
        assert_eq!(f.free_bytes(), 9 * 4096);
        f.give(4096, 4096);
        assert_eq!(f.ranges.len(), 1);
    }

    #[test]
    fn resident_bytes_counts_touched_pages() {
        let mf = MemoryFile::with_size(64 << 20).unwrap();
        let off = mf.allocate(16 * 4096).unwrap();
        assert_eq!(mf.resident_bytes(off, 16 * 4096).unwrap(), 0);
        mf.write(off + 4096, &[1]).unwrap();
        mf.write(off + 5 * 4096 + 7, &[1]).unwrap();
        assert_eq!(mf.resident_bytes(off, 16 * 4096).unwrap(), 2 * 4096);
    }

    #[test]
    fn exhaustion_is_none() {
        let mut f = FreeList::new(0, 4096);
        assert!(f.take(8192).is_none());
        assert!(f.take(4096).is_some());
        assert!(f.take(4096).is_none());
    }

    #[test]
    fn memory_file_reads_back_and_punches() {
        let mf = MemoryFile::with_size(1 << 24).unwrap();
        let off = mf.allocate(8192).unwrap();
        mf.write(off + 10, b"hello").unwrap();
        let mut buf = [0u8; 5];
        mf.read(off + 10, &mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        mf.release(off, 8192);
        let again = mf.allocate(8192).unwrap();
        assert_eq!(again, off);
        mf.read(off + 10, &mut buf).unwrap();
        assert_eq!(buf, [0; 5]);
        assert!(mf.read((1 << 24) - 2, &mut buf).is_err());
    }
}

//! Unit tests of the memory manager against a recording address space.

use std::any::Any;
use std::sync::{Arc, Mutex};

use super::*;
use crate::platform::prot::{READ, WRITE};

#[derive(Default)]
struct FakeSpace {
    calls: Mutex<Vec<String>>,
}

impl AddressSpace for FakeSpace {
    fn map(&self, addr: u64, len: u64, prot: u32, off: u64) -> KResult<()> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("map {addr:#x} {len:#x} {prot} {off:#x}"));
        Ok(())
    }
    fn unmap(&self, addr: u64, len: u64) -> KResult<()> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("unmap {addr:#x} {len:#x}"));
        Ok(())
    }
    fn protect(&self, addr: u64, len: u64, prot: u32) -> KResult<()> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("protect {addr:#x} {len:#x} {prot}"));
        Ok(())
    }
    fn kill(&self) {}
    fn new_thread(&self) -> KResult<i64> {
        Err(Errno::ENOSYS)
    }
    fn attach_thread(&self, _h: i64) -> KResult<()> {
        Err(Errno::ENOSYS)
    }
    fn exit_thread(&self) {}
    fn thread_handle(&self) -> Option<i64> {
        None
    }
    fn interrupt(&self, _handle: i64) {}
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A memory manager over a small memory file and a fake address space
/// (also used by other modules' tests).
pub(crate) fn mm() -> MemoryManager {
    let mf = Arc::new(MemoryFile::with_size(1 << 30).unwrap());
    MemoryManager::new(mf, Box::new(FakeSpace::default()), 0x7000_0000)
}

/// A private read-write anonymous mapping request.
pub(crate) fn anon(placement: Placement, len: u64) -> MmapRequest {
    MmapRequest {
        placement,
        len,
        prot: READ | WRITE,
        shared: false,
        source: None,
        name: VmaName::Anonymous,
    }
}

#[test]
fn mmap_places_top_down_and_copies_round_trip() {
    let m = mm();
    let a = m.mmap(anon(Placement::Hint(0), 5000)).unwrap();
    assert_eq!(a, 0x7000_0000 - 0x2000);
    let b = m.mmap(anon(Placement::Hint(0), 4096)).unwrap();
    assert_eq!(b, a - 0x1000);
    m.copy_out(a + 4090, b"straddles").unwrap();
    let mut buf = [0u8; 9];
    m.copy_in(a + 4090, &mut buf).unwrap();
    assert_eq!(&buf, b"straddles");
    // Crossing from a into the unmapped page after it faults.
    assert_eq!(m.copy_in(a + 0x1ffc, &mut buf), Err(Errno::EFAULT));
}

#[test]
fn munmap_middle_splits() {
    let m = mm();
    let a = m
        .mmap(anon(Placement::Fixed(0x1000_0000), 3 * 4096))
        .unwrap();
    m.copy_out(a + 2 * 4096, b"tail").unwrap();
    m.munmap(a + 4096, 4096).unwrap();
    let v = m.vmas();
    assert_eq!(v.len(), 2);
    assert_eq!((v[0].start, v[0].end), (a, a + 4096));
    assert_eq!((v[1].start, v[1].end), (a + 8192, a + 12288));
    let mut buf = [0u8; 4];
    m.copy_in(a + 8192, &mut buf).unwrap();
    assert_eq!(&buf, b"tail");
    assert_eq!(m.copy_in(a + 4096, &mut buf), Err(Errno::EFAULT));
}

#[test]
fn fixed_noreplace_and_fixed_replace() {
    let m = mm();
    let a = m.mmap(anon(Placement::Fixed(0x2000_0000), 8192)).unwrap();
    m.copy_out(a, b"old").unwrap();
    assert_eq!(
        m.mmap(anon(Placement::FixedNoReplace(a + 4096), 4096)),
        Err(Errno::EEXIST)
    );
    m.mmap(anon(Placement::Fixed(a), 4096)).unwrap();
    let mut buf = [1u8; 3];
    m.copy_in(a, &mut buf).unwrap();
    assert_eq!(buf, [0; 3], "MAP_FIXED gives fresh zero pages");
    assert_eq!(m.vmas().len(), 2);
}

#[test]
fn mprotect_checks_and_copy_respects_protection() {
    let m = mm();
    let a = m.mmap(anon(Placement::Fixed(0x3000_0000), 8192)).unwrap();
    m.mprotect(a, 4096, READ).unwrap();
    assert_eq!(m.copy_out(a, b"x"), Err(Errno::EFAULT));
    m.copy_out(a + 4096, b"x").unwrap();
    assert_eq!(m.mprotect(a, 3 * 4096, READ), Err(Errno::ENOMEM));
    assert_eq!(m.mprotect(a + 1, 4096, READ), Err(Errno::EINVAL));
}

#[test]
fn brk_grows_and_shrinks() {
    let m = mm();
    m.set_brk_start(0x1000_0000);
    assert_eq!(m.brk(0), 0x1000_0000);
    assert_eq!(m.brk(0x1000_5000), 0x1000_5000);
    m.copy_out(0x1000_4ff0, b"heap").unwrap();
    assert_eq!(m.brk(0x1000_1000), 0x1000_1000);
    let mut b = [0u8; 4];
    assert_eq!(m.copy_in(0x1000_4ff0, &mut b), Err(Errno::EFAULT));
    assert_eq!(m.brk(0x1000_5000), 0x1000_5000);
    m.copy_in(0x1000_4ff0, &mut b).unwrap();
    assert_eq!(b, [0; 4], "regrown heap is zeroed");
}

#[test]
fn mremap_grows_in_place_or_moves_keeping_content() {
    let m = mm();
    let a = m.mmap(anon(Placement::Fixed(0x4000_0000), 4096)).unwrap();
    m.copy_out(a, b"keep").unwrap();
    let b = m.mremap(a, 4096, 3 * 4096, true, None).unwrap();
    let mut buf = [0u8; 4];
    m.copy_in(b, &mut buf).unwrap();
    assert_eq!(&buf, b"keep");
    // Block in-place growth and force a move.
    let blocker = b + 3 * 4096;
    m.mmap(anon(Placement::Fixed(blocker), 4096)).unwrap();
    assert_eq!(
        m.mremap(b, 3 * 4096, 5 * 4096, false, None),
        Err(Errno::ENOMEM)
    );
    let c = m.mremap(b, 3 * 4096, 5 * 4096, true, None).unwrap();
    assert_ne!(c, b);
    m.copy_in(c, &mut buf).unwrap();
    assert_eq!(&buf, b"keep");
    assert_eq!(m.copy_in(b, &mut buf), Err(Errno::EFAULT));
    // Shrink.
    assert_eq!(m.mremap(c, 5 * 4096, 4096, false, None), Ok(c));
}

#[test]
fn hostile_addresses_are_rejected() {
    let m = mm();
    assert_eq!(m.munmap(1, 4096), Err(Errno::EINVAL));
    assert_eq!(m.munmap(0, 0), Err(Errno::EINVAL));
    assert_eq!(m.munmap(!0xfff, 4096), Err(Errno::EINVAL));
    assert_eq!(
        m.mmap(anon(Placement::Fixed(APP_TOP), 4096)),
        Err(Errno::ENOMEM)
    );
    assert_eq!(
        m.mmap(anon(Placement::Hint(0), u64::MAX)),
        Err(Errno::ENOMEM)
    );
    let mut b = [0u8; 8];
    assert_eq!(m.copy_in(u64::MAX - 3, &mut b), Err(Errno::EFAULT));
    assert_eq!(m.read_cstring(0, 10), Err(Errno::EFAULT));
}

#[test]
fn madvise_dontneed_zeroes_private_anon() {
    let m = mm();
    let a = m.mmap(anon(Placement::Fixed(0x5000_0000), 8192)).unwrap();
    m.copy_out(a, b"data").unwrap();
    m.madvise_dontneed(a, 4096).unwrap();
    let mut b = [9u8; 4];
    m.copy_in(a, &mut b).unwrap();
    assert_eq!(b, [0; 4]);
    assert_eq!(m.madvise_dontneed(a, 0x10000), Err(Errno::ENOMEM));
}

#[test]
fn maps_text_has_linux_shape() {
    let m = mm();
    m.set_brk_start(0x1000_0000);
    m.brk(0x1000_1000);
    let t = m.maps_text();
    assert!(
        t.starts_with("10000000-10001000 rw-p 00000000 00:00 0"),
        "{t}"
    );
    assert!(t.trim_end().ends_with("[heap]"), "{t}");
}

#[test]
fn fork_shares_pages_copy_on_write() {
    let mf = Arc::new(MemoryFile::with_size(1 << 30).unwrap());
    let parent = MemoryManager::new(mf.clone(), Box::new(FakeSpace::default()), 0x7000_0000);
    let a = parent
        .mmap(anon(Placement::Fixed(0x1000_0000), 3 * 4096))
        .unwrap();
    parent.copy_out(a, b"before").unwrap();
    let before_free = mf.free_bytes();
    let image = parent.fork_image().unwrap();
    assert_eq!(mf.free_bytes(), before_free, "fork copies nothing");
    let child =
        MemoryManager::from_image(mf.clone(), Box::new(FakeSpace::default()), image).unwrap();
    assert!(parent.vmas()[0].cow && child.vmas()[0].cow);
    // A write in the parent makes its pages private; the child keeps the old.
    parent.copy_out(a, b"parent").unwrap();
    let mut buf = [0u8; 6];
    child.copy_in(a, &mut buf).unwrap();
    assert_eq!(&buf, b"before");
    parent.copy_in(a, &mut buf).unwrap();
    assert_eq!(&buf, b"parent");
    // The child is now the only holder: its write takes the pages over.
    let free = mf.free_bytes();
    child.copy_out(a, b"child!").unwrap();
    assert_eq!(mf.free_bytes(), free, "a sole holder copies nothing");
    drop(child);
    drop(parent);
    assert_eq!(
        mf.free_bytes(),
        before_free + 3 * 4096,
        "everything is freed"
    );
}

#[test]
fn copy_on_write_copies_one_chunk_and_takes_over_its_own_pieces() {
    const MIB: u64 = 1 << 20;
    let mf = Arc::new(MemoryFile::with_size(1 << 30).unwrap());
    let parent = MemoryManager::new(mf.clone(), Box::new(FakeSpace::default()), 0x7000_0000);
    let a = parent
        .mmap(anon(Placement::Fixed(0x1000_0000), 4 * MIB))
        .unwrap();
    for i in 0..4 {
        parent.copy_out(a + i * MIB, b"chunk").unwrap();
    }
    let child = MemoryManager::from_image(
        mf.clone(),
        Box::new(FakeSpace::default()),
        parent.fork_image().unwrap(),
    )
    .unwrap();
    let free = mf.free_bytes();
    // One byte written in the third chunk: only that chunk is copied.
    child.copy_out(a + 2 * MIB + 10, b"x").unwrap();
    assert_eq!(free - mf.free_bytes(), MIB, "one chunk copied");
    let v = child.vmas();
    assert_eq!(v.len(), 3, "the VMA split around the chunk");
    assert!(v[0].cow && !v[1].cow && v[2].cow);
    drop(v); // its clones hold the range too
    let mut buf = [0u8; 6];
    parent.copy_in(a + 2 * MIB + 5, &mut buf).unwrap();
    assert_eq!(&buf[..6], b"\0\0\0\0\0\0");
    parent.copy_in(a + 2 * MIB, &mut buf[..5]).unwrap();
    assert_eq!(&buf[..5], b"chunk", "the parent keeps its bytes");
    // Once the child is gone, the parent's own pieces are all that hold
    // the range: its writes take the pages over, copying nothing.
    drop(child);
    let free = mf.free_bytes();
    parent.copy_out(a + 10, b"y").unwrap();
    parent.copy_out(a + 3 * MIB + 10, b"z").unwrap();
    assert_eq!(mf.free_bytes(), free, "a sole holder copies nothing");
}

/// A read-only file whose private mappings share one cached copy, like a
/// lower overlay file; counts how often it is read.
struct CachedFile {
    bytes: Vec<u8>,
    fills: Mutex<u32>,
    cache: Mutex<Option<std::sync::Weak<SharedRange>>>,
}

impl MapSource for CachedFile {
    fn fill(&self, mf: &MemoryFile, mf_off: u64, len: u64, file_off: u64) -> KResult<()> {
        *self.fills.lock().unwrap() += 1;
        let start = (file_off as usize).min(self.bytes.len());
        let end = (start + len as usize).min(self.bytes.len());
        mf.write(mf_off, &self.bytes[start..end])
    }
    fn write_back(&self, _: &MemoryFile, _: u64, _: u64, _: u64) -> KResult<()> {
        Ok(())
    }
    fn writable(&self) -> bool {
        false
    }
    fn identity(&self) -> (u64, u64, Vec<u8>) {
        (0, 0, Vec::new())
    }
    fn cached(
        &self,
        mf: &Arc<MemoryFile>,
        file_off: u64,
        len: u64,
    ) -> Option<KResult<Arc<SharedRange>>> {
        let mut c = self.cache.lock().unwrap();
        if let Some(r) = c.as_ref().and_then(|w| w.upgrade()) {
            return Some(Ok(r));
        }
        let off = mf.allocate(len).ok()?;
        let r = Arc::new(SharedRange {
            mf: mf.clone(),
            off,
            len,
            published: true,
        });
        self.fill(mf, off, len, file_off).ok()?;
        *c = Some(Arc::downgrade(&r));
        Some(Ok(r))
    }
}

#[test]
fn private_file_mappings_share_the_cache_copy_on_write() {
    let m = mm();
    let file = Arc::new(CachedFile {
        bytes: b"cached bytes".to_vec(),
        fills: Mutex::new(0),
        cache: Mutex::new(None),
    });
    let map = |m: &MemoryManager| {
        m.mmap(MmapRequest {
            placement: Placement::Hint(0),
            len: 4096,
            prot: READ | WRITE,
            shared: false,
            source: Some((file.clone() as Arc<dyn MapSource>, 0)),
            name: VmaName::File,
        })
        .unwrap()
    };
    let a = map(&m);
    let b = map(&m);
    assert_eq!(
        *file.fills.lock().unwrap(),
        1,
        "the second mapping reuses the copy"
    );
    // Writing through one mapping copies; the other keeps the file's bytes.
    m.copy_out(a, b"CACHED").unwrap();
    let mut buf = [0u8; 12];
    m.copy_in(b, &mut buf).unwrap();
    assert_eq!(&buf, b"cached bytes", "a write never reaches the cache");
    m.copy_in(a, &mut buf).unwrap();
    assert_eq!(&buf, b"CACHED bytes");
    // The only holder of a published range copies too (a new mapping may
    // join the range at any time): its pages move.
    let off = |m: &MemoryManager, at: u64| m.vmas().iter().find(|v| v.start == at).unwrap().mf_off;
    let before = off(&m, b);
    m.mprotect(b, 4096, READ | WRITE).unwrap();
    m.copy_out(b, b"x").unwrap();
    assert_ne!(
        off(&m, b),
        before,
        "the sole holder copied instead of taking over"
    );
    let c = map(&m);
    m.copy_in(c, &mut buf).unwrap();
    assert_eq!(&buf, b"cached bytes");
    // Once nothing maps it, the copy is freed and the next mapping fills.
    m.munmap(a, 4096).unwrap();
    m.munmap(b, 4096).unwrap();
    m.munmap(c, 4096).unwrap();
    map(&m);
    assert_eq!(*file.fills.lock().unwrap(), 3);
}

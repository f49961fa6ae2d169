//! Criterion micro-benchmarks of sentry internals.
//!
//! Cases:
//!
//! * `memfile/write/{64B,4KiB,1MiB}` and `memfile/read/{64B,4KiB,1MiB}`:
//!   copy-out to / copy-in from the memory file (`MemoryFile::write` and
//!   `MemoryFile::read` on a range from `MemoryFile::allocate`). This is
//!   the bounds check plus memcpy every application copy ends in.
//! * `mm/copy_out/{64B,4KiB}` and `mm/copy_in/{64B,4KiB}`: the same
//!   copies through `MemoryManager::copy_out` / `copy_in`, which add the
//!   state lock, the VMA walk and the protection check, on an anonymous
//!   read-write mapping.
//! * `mm/mmap_munmap/64KiB`: `MemoryManager::mmap` of a 64 KiB anonymous
//!   private mapping followed by `munmap` (VMA bookkeeping, memory-file
//!   allocation and hole-punching on release).
//!
//! The memory manager runs on a no-op `AddressSpace` ([`NoopSpace`]), so
//! no host stub process is involved and the numbers are the sentry's own
//! cost, without the platform's (ptrace) mapping syscalls.
//!
//! Not measured here: syscall-dispatch overhead (trap, decode, dispatch,
//! return). It needs a running task under the ptrace platform and cannot
//! be measured in-process yet; `bench/run.sh` measures it end to end
//! (getppid loop) instead.

use std::any::Any;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sentry::KResult;
use sentry::memfile::MemoryFile;
use sentry::mm::{MemoryManager, MmapRequest, Placement, VmaName};
use sentry::platform::AddressSpace;

/// Size of the (sparse) memory file used by every case.
const MEMFILE_SIZE: u64 = 1 << 30;
/// Top of the mmap area of the benchmark address space.
const MMAP_BASE: u64 = 0x7000_0000;
/// PROT_READ | PROT_WRITE.
const PROT_RW: u32 = 3;

/// An address space that maps nothing: the memory manager's bookkeeping
/// without any platform cost.
struct NoopSpace;

impl AddressSpace for NoopSpace {
    fn map(&self, _addr: u64, _len: u64, _prot: u32, _memfile_offset: u64) -> KResult<()> {
        Ok(())
    }
    fn unmap(&self, _addr: u64, _len: u64) -> KResult<()> {
        Ok(())
    }
    fn protect(&self, _addr: u64, _len: u64, _prot: u32) -> KResult<()> {
        Ok(())
    }
    fn kill(&self) {}

    fn new_thread(&self) -> KResult<i64> {
        Ok(0)
    }

    fn attach_thread(&self, _handle: i64) -> KResult<()> {
        Ok(())
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

fn sizes() -> [(&'static str, usize); 3] {
    [("64B", 64), ("4KiB", 4 << 10), ("1MiB", 1 << 20)]
}

fn anon(len: u64) -> MmapRequest {
    MmapRequest {
        placement: Placement::Hint(0),
        len,
        prot: PROT_RW,
        shared: false,
        source: None,
        name: VmaName::Anonymous,
    }
}

fn new_mm() -> MemoryManager {
    let mf = Arc::new(MemoryFile::with_size(MEMFILE_SIZE).expect("memory file"));
    MemoryManager::new(mf, Box::new(NoopSpace), MMAP_BASE)
}

fn memfile(c: &mut Criterion) {
    let mf = MemoryFile::with_size(MEMFILE_SIZE).expect("memory file");
    let mut g = c.benchmark_group("memfile");
    for (name, len) in sizes() {
        let alloc = (len as u64).next_multiple_of(4096);
        let off = mf.allocate(alloc).expect("allocate");
        let src = vec![0xa5u8; len];
        let mut dst = vec![0u8; len];
        // Touch the pages once so the first sample does not pay for faults.
        mf.write(off, &src).expect("write");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("write", name), &len, |b, _| {
            b.iter(|| mf.write(black_box(off), black_box(&src)).expect("write"))
        });
        g.bench_with_input(BenchmarkId::new("read", name), &len, |b, _| {
            b.iter(|| {
                mf.read(black_box(off), black_box(&mut dst)).expect("read");
            })
        });
        mf.release(off, alloc);
    }
    g.finish();
}

fn mm(c: &mut Criterion) {
    let mm = new_mm();
    let mut g = c.benchmark_group("mm");
    for (name, len) in sizes().into_iter().take(2) {
        let addr = mm.mmap(anon(len as u64)).expect("mmap");
        let src = vec![0x5au8; len];
        let mut dst = vec![0u8; len];
        mm.copy_out(addr, &src).expect("copy_out");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("copy_out", name), &len, |b, _| {
            b.iter(|| {
                mm.copy_out(black_box(addr), black_box(&src))
                    .expect("copy_out")
            })
        });
        g.bench_with_input(BenchmarkId::new("copy_in", name), &len, |b, _| {
            b.iter(|| {
                mm.copy_in(black_box(addr), black_box(&mut dst))
                    .expect("copy_in");
            })
        });
    }
    const MAP_LEN: u64 = 64 << 10;
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("mmap_munmap", "64KiB"), |b| {
        b.iter(|| {
            let addr = mm.mmap(anon(black_box(MAP_LEN))).expect("mmap");
            mm.munmap(addr, MAP_LEN).expect("munmap");
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = memfile, mm
}
criterion_main!(benches);

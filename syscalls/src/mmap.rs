//! Memory syscalls (`mmap(2)`, `munmap(2)`, `mprotect(2)`, `mremap(2)`,
//! `brk(2)`, `madvise(2)`, `msync(2)`, `mincore(2)`): decode and validate
//! here, semantics in `sentry::mm`.

use sentry::kernel::limits::{RLIMIT_AS, RLIMIT_DATA};
use sentry::kernel::{SyscallArgs, Task};
use sentry::mm::{MmapRequest, Placement, VmaName, page_up};
use sentry::vfs::oflags::O_PATH;
use sentry::{Errno, KResult};

const PAGE: u64 = 4096;
const PROT_MASK: u64 = 7;
const PROT_GROWS: u64 = 0x0300_0000;

const MAP_SHARED: u64 = 1;
const MAP_PRIVATE: u64 = 2;
const MAP_SHARED_VALIDATE: u64 = 3;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_32BIT: u64 = 0x40;
const MAP_GROWSDOWN: u64 = 0x100;
const MAP_DENYWRITE: u64 = 0x800;
const MAP_EXECUTABLE: u64 = 0x1000;
const MAP_LOCKED: u64 = 0x2000;
const MAP_NORESERVE: u64 = 0x4000;
const MAP_POPULATE: u64 = 0x8000;
const MAP_NONBLOCK: u64 = 0x10000;
const MAP_STACK: u64 = 0x20000;
const MAP_HUGETLB: u64 = 0x40000;
const MAP_SYNC: u64 = 0x80000;
const MAP_FIXED_NOREPLACE: u64 = 0x100000;
const KNOWN: u64 = MAP_FIXED
    | MAP_ANONYMOUS
    | MAP_32BIT
    | MAP_GROWSDOWN
    | MAP_DENYWRITE
    | MAP_EXECUTABLE
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | MAP_NONBLOCK
    | MAP_STACK
    | MAP_HUGETLB
    | MAP_SYNC
    | MAP_FIXED_NOREPLACE;

fn prot_arg(p: u64) -> KResult<u32> {
    if p & !(PROT_MASK | PROT_GROWS) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok((p & PROT_MASK) as u32)
}

/// Hands the process's RLIMIT_AS and RLIMIT_DATA to its memory manager,
/// which enforces them where mappings grow.
fn sync_rlimits(t: &Task) {
    let (as_bytes, data_bytes) = {
        let l = t.shared.limits();
        (l.0[RLIMIT_AS].cur, l.0[RLIMIT_DATA].cur)
    };
    t.mm.set_rlimits(as_bytes, data_bytes);
}

/// mmap(2).
pub fn sys_mmap(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [addr, len, prot, flags, fd, off] = a.a;
    sync_rlimits(t);
    let prot = prot_arg(prot)?;
    if len == 0 || off % PAGE != 0 {
        return Err(Errno::EINVAL);
    }
    let shared = match flags & 3 {
        MAP_SHARED => true,
        MAP_PRIVATE => false,
        MAP_SHARED_VALIDATE => {
            if flags & !(KNOWN | 3) != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            true
        }
        _ => return Err(Errno::EINVAL),
    };
    if flags & MAP_HUGETLB != 0 {
        return Err(Errno::EINVAL.why("huge pages are not supported"));
    }
    page_up(len).ok_or(Errno::ENOMEM)?;
    let placement = if flags & MAP_FIXED_NOREPLACE != 0 {
        Placement::FixedNoReplace(addr)
    } else if flags & MAP_FIXED != 0 {
        Placement::Fixed(addr)
    } else {
        Placement::Hint(addr)
    };
    if matches!(
        placement,
        Placement::Fixed(_) | Placement::FixedNoReplace(_)
    ) && addr % PAGE != 0
    {
        return Err(Errno::EINVAL);
    }
    let source = if flags & MAP_ANONYMOUS != 0 {
        None
    } else {
        let f = t.file(fd as i32)?;
        if f.flags() & O_PATH != 0 {
            return Err(Errno::EBADF);
        }
        if !f.readable() {
            return Err(Errno::EACCES);
        }
        if shared && prot & 2 != 0 && !f.writable() {
            return Err(Errno::EACCES);
        }
        if shared
            && prot & 2 != 0
            && f.inode.seals().is_ok_and(|s| {
                s & (sentry::vfs::seal::WRITE | sentry::vfs::seal::FUTURE_WRITE) != 0
            })
        {
            return Err(Errno::EPERM);
        }
        let src = f.imp.map_source().ok_or(Errno::ENODEV)?;
        off.checked_add(len).ok_or(Errno::EOVERFLOW)?;
        Some((src, off))
    };
    let name = if source.is_some() {
        VmaName::File
    } else if flags & MAP_GROWSDOWN != 0 {
        VmaName::Stack
    } else {
        VmaName::Anonymous
    };
    t.mm.mmap(MmapRequest {
        placement,
        len,
        prot,
        shared,
        source,
        name,
    })
}

/// pkey_mprotect(2): no protection key can be allocated (pkey_alloc is
/// not offered), so only the default key -1 is valid.
pub fn sys_pkey_mprotect(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[3] as i32 != -1 {
        return Err(Errno::EINVAL);
    }
    sys_mprotect(t, a)
}

/// munmap(2).
pub fn sys_munmap(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.mm.munmap(a.a[0], a.a[1])?;
    Ok(0)
}

/// mprotect(2).
pub fn sys_mprotect(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let prot = prot_arg(a.a[2])?;
    t.mm.mprotect(a.a[0], a.a[1], prot)?;
    Ok(0)
}

/// mremap(2).
pub fn sys_mremap(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const MREMAP_MAYMOVE: u64 = 1;
    const MREMAP_FIXED: u64 = 2;
    const MREMAP_DONTUNMAP: u64 = 4;
    let [old, old_len, new_len, flags, new_addr, _] = a.a;
    if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_DONTUNMAP != 0 {
        return Err(Errno::EINVAL.why("MREMAP_DONTUNMAP is not supported yet"));
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    let fixed = (flags & MREMAP_FIXED != 0).then_some(new_addr);
    sync_rlimits(t);
    t.mm.mremap(old, old_len, new_len, flags & MREMAP_MAYMOVE != 0, fixed)
}

/// brk(2).
pub fn sys_brk(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    sync_rlimits(t);
    Ok(t.mm.brk(a.a[0]))
}

/// madvise(2).
pub fn sys_madvise(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [addr, len, advice, ..] = a.a;
    if addr % PAGE != 0 || (len as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    match advice {
        // DONTNEED, FREE, REMOVE: contents go away.
        4 | 8 | 9 => {
            if len == 0 {
                return Ok(0);
            }
            t.mm.madvise_dontneed(addr, len)?;
        }
        // Hints whose effect (or absence of one) the program cannot tell
        // apart from Linux's on this memory.
        0..=3 | 10..=25 | 100 | 101 => {
            if len != 0 {
                t.mm.check_mapped(addr, len)?;
            }
        }
        _ => return Err(Errno::EINVAL),
    }
    Ok(0)
}

/// msync(2).
pub fn sys_msync(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [addr, len, flags, ..] = a.a;
    const MS_ASYNC: u64 = 1;
    const MS_INVALIDATE: u64 = 2;
    const MS_SYNC: u64 = 4;
    if addr % PAGE != 0
        || flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || flags & (MS_ASYNC | MS_SYNC) == MS_ASYNC | MS_SYNC
    {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    t.mm.msync(addr, len)?;
    Ok(0)
}

/// mincore(2).
pub fn sys_mincore(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [addr, len, vec, ..] = a.a;
    if addr % PAGE != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let v = t.mm.mincore(addr, len)?;
    t.copy_out(vec, &v)?;
    Ok(0)
}

//! Memory accounting of an address space: `/proc/PID/smaps`,
//! `smaps_rollup`, and the figures `status`, `statm` and `stat` show.
//!
//! Rss is what the memory file holds for each VMA (its resident pages).
//! Approximations: Pss equals Rss (how many address spaces share a
//! copy-on-write or shared page is not tracked); anonymous memory counts
//! as dirty and private file mappings as clean; a copy-on-write VMA after
//! fork counts as shared; nothing is swapped, locked or huge.

use std::fmt::Write as _;

use crate::kernel::TaskShared;
use crate::mm::{Vma, VmaName};
use crate::platform::prot;

/// Memory figures of an address space, in bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct MemUsage {
    pub size: u64,
    pub rss: u64,
    pub rss_anon: u64,
    pub rss_file: u64,
    pub rss_shmem: u64,
    /// Private writable, not stack (VmData).
    pub data: u64,
    pub stack: u64,
    /// The program's code (VmExe).
    pub exe: u64,
    /// Other executable mappings (VmLib).
    pub lib: u64,
}

/// How one VMA's resident bytes split.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Split {
    shared_clean: u64,
    shared_dirty: u64,
    private_clean: u64,
    private_dirty: u64,
    anonymous: u64,
}

fn split(v: &Vma, rss: u64) -> Split {
    let mut s = Split::default();
    let anon = v.file.is_none();
    match (v.shared || v.cow, anon) {
        (true, true) => s.shared_dirty = rss,
        (true, false) if v.prot & prot::WRITE != 0 => s.shared_dirty = rss,
        (true, false) => s.shared_clean = rss,
        (false, true) => s.private_dirty = rss,
        (false, false) => s.private_clean = rss,
    }
    if anon && !v.shared {
        s.anonymous = rss;
    }
    s
}

/// The `VmFlags:` of a VMA, in Linux's order and spelling.
fn vm_flags(v: &Vma) -> String {
    let mut out = String::new();
    let mut flag = |on: bool, name: &str| {
        if on {
            out.push_str(name);
            out.push(' ');
        }
    };
    flag(v.prot & prot::READ != 0, "rd");
    flag(v.prot & prot::WRITE != 0, "wr");
    flag(v.prot & prot::EXEC != 0, "ex");
    flag(v.shared, "sh");
    flag(true, "mr");
    flag(v.max_write || !v.shared, "mw");
    flag(true, "me");
    flag(v.shared, "ms");
    flag(v.name == VmaName::Stack, "gd");
    flag(!v.shared && v.prot & prot::WRITE != 0, "ac");
    out
}

/// One `Name:   N kB` line, aligned as Linux aligns them.
fn kb_line(out: &mut String, name: &str, bytes: u64) {
    let _ = writeln!(out, "{:<16}{:>8} kB", format!("{name}:"), bytes / 1024);
}

/// The lines every smaps entry and the rollup share, Rss to Private_Dirty.
fn rss_lines(out: &mut String, rss: u64, s: Split, rollup: bool) {
    kb_line(out, "Rss", rss);
    kb_line(out, "Pss", rss);
    kb_line(out, "Pss_Dirty", s.shared_dirty + s.private_dirty);
    if rollup {
        kb_line(out, "Pss_Anon", s.anonymous);
        kb_line(out, "Pss_File", rss - s.anonymous);
        kb_line(out, "Pss_Shmem", 0);
    }
    kb_line(out, "Shared_Clean", s.shared_clean);
    kb_line(out, "Shared_Dirty", s.shared_dirty);
    kb_line(out, "Private_Clean", s.private_clean);
    kb_line(out, "Private_Dirty", s.private_dirty);
    kb_line(out, "Referenced", rss);
    kb_line(out, "Anonymous", s.anonymous);
    for name in [
        "KSM",
        "LazyFree",
        "AnonHugePages",
        "ShmemPmdMapped",
        "FilePmdMapped",
        "Shared_Hugetlb",
        "Private_Hugetlb",
        "Swap",
        "SwapPss",
        "Locked",
    ] {
        kb_line(out, name, 0);
    }
}

/// `/proc/PID/smaps`: each maps line followed by its figures.
pub(super) fn smaps(t: &TaskShared) -> String {
    let Some(mm) = t.mm() else {
        return String::new();
    };
    let mut out = String::new();
    for (v, rss) in mm.vmas_resident() {
        v.format_maps_line(&mut out, 0);
        kb_line(&mut out, "Size", v.len());
        kb_line(&mut out, "KernelPageSize", 4096);
        kb_line(&mut out, "MMUPageSize", 4096);
        rss_lines(&mut out, rss, split(&v, rss), false);
        let _ = writeln!(out, "{:<16}{:>8}", "THPeligible:", 0);
        let _ = writeln!(out, "VmFlags: {}", vm_flags(&v));
    }
    out
}

/// `/proc/PID/smaps_rollup`: the sums over every VMA.
pub(super) fn smaps_rollup(t: &TaskShared) -> String {
    let Some(mm) = t.mm() else {
        return String::new();
    };
    let vmas = mm.vmas_resident();
    let (Some((first, _)), Some((last, _))) = (vmas.first(), vmas.last()) else {
        return String::new();
    };
    let mut out = format!("{:08x}-{:08x} ---p 00000000 00:00 0", first.start, last.end);
    while out.len() < 73 {
        out.push(' ');
    }
    out.push_str("[rollup]\n");
    let mut rss = 0;
    let mut sum = Split::default();
    for (v, r) in &vmas {
        let s = split(v, *r);
        rss += r;
        sum.shared_clean += s.shared_clean;
        sum.shared_dirty += s.shared_dirty;
        sum.private_clean += s.private_clean;
        sum.private_dirty += s.private_dirty;
        sum.anonymous += s.anonymous;
    }
    rss_lines(&mut out, rss, sum, true);
    out
}

/// The figures of `t`'s address space (zero for a zombie).
pub(super) fn usage(t: &TaskShared) -> MemUsage {
    let Some(mm) = t.mm() else {
        return MemUsage::default();
    };
    let layout = mm.lock().layout;
    let mut u = MemUsage::default();
    let mut exec_vm = 0;
    for (v, rss) in mm.vmas_resident() {
        u.size += v.len();
        u.rss += rss;
        match (&v.file, v.shared) {
            (None, true) => u.rss_shmem += rss,
            (None, false) => u.rss_anon += rss,
            (Some(_), _) => u.rss_file += rss,
        }
        let stack = v.name == VmaName::Stack;
        if stack {
            u.stack += v.len();
        } else if !v.shared && v.prot & prot::WRITE != 0 {
            u.data += v.len();
        }
        if v.prot & prot::EXEC != 0 && v.prot & prot::WRITE == 0 && !stack {
            exec_vm += v.len();
        }
    }
    let code_start = layout.start_code & !0xfff;
    let code_end = layout.end_code.saturating_add(0xfff) & !0xfff;
    u.exe = code_end.saturating_sub(code_start).min(exec_vm);
    u.lib = exec_vm - u.exe;
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(prot: u32, name: VmaName) -> Vma {
        Vma::anon(0x1000, 0x3000, prot, 0, name)
    }

    #[test]
    fn flags_match_linux_for_common_vmas() {
        assert_eq!(
            vm_flags(&anon(prot::READ | prot::WRITE, VmaName::Stack)),
            "rd wr mr mw me gd ac "
        );
        assert_eq!(
            vm_flags(&anon(prot::READ | prot::WRITE, VmaName::Heap)),
            "rd wr mr mw me ac "
        );
        assert_eq!(vm_flags(&anon(0, VmaName::Anonymous)), "mr mw me ");
        let mut shared = anon(prot::READ | prot::WRITE, VmaName::Anonymous);
        shared.shared = true;
        assert_eq!(vm_flags(&shared), "rd wr sh mr mw me ms ");
    }

    #[test]
    fn private_anonymous_memory_is_dirty_and_anonymous() {
        let s = split(&anon(prot::READ | prot::WRITE, VmaName::Heap), 8192);
        assert_eq!(s.private_dirty, 8192);
        assert_eq!(s.anonymous, 8192);
        assert_eq!(s.shared_clean + s.shared_dirty + s.private_clean, 0);
    }

    #[test]
    fn kb_lines_are_aligned_like_linux() {
        let mut s = String::new();
        kb_line(&mut s, "Size", 8192);
        kb_line(&mut s, "KernelPageSize", 4096);
        assert_eq!(
            s,
            "Size:                  8 kB\nKernelPageSize:        4 kB\n"
        );
    }
}

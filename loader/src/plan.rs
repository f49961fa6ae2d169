//! The mapping plan: page-aligned mapping requests for an [`ElfImage`] at a
//! given load bias, mirroring Linux `load_elf_binary` / `elf_load`, plus the
//! x86_64 address-space constants, load-bias choice and brk start.

use crate::LoadError;
use crate::elf::{ElfImage, ElfKind, Prot};

/// Page size (x86_64 base pages).
pub const PAGE_SIZE: u64 = 4096;
/// x86_64 user address-space limit (`TASK_SIZE_MAX` with 4-level paging):
/// `(1 << 47) - PAGE_SIZE`. No mapping may end above this.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Where Linux x86_64 puts a PIE main program before randomisation:
/// `DEFAULT_MAP_WINDOW / 3 * 2` = 0x5555_5555_4aaa, page-aligned down (the
/// kernel aligns it to the segment alignment, which is at least a page).
pub const ELF_ET_DYN_BASE: u64 = (TASK_SIZE / 3 * 2) & !(PAGE_SIZE - 1);
/// Linux x86_64 default `mmap_rnd_bits`: bits of page-granular randomisation.
pub const MMAP_RND_BITS: u32 = 28;

/// Round down to a page boundary.
pub const fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

/// Round up to a page boundary; `None` on overflow.
pub const fn page_up(x: u64) -> Option<u64> {
    match x.checked_add(PAGE_SIZE - 1) {
        Some(v) => Some(page_down(v)),
        None => None,
    }
}

/// Backing of a [`Mapping`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSource {
    /// Private (copy-on-write) mapping of the executable at this page-aligned
    /// file offset. Pages past EOF fault with SIGBUS, as on Linux.
    File {
        /// Page-aligned file offset of `start`.
        offset: u64,
    },
    /// Private anonymous zero-filled memory (the bss beyond the last file page).
    Anonymous,
}

/// One page-aligned mapping request (`MAP_PRIVATE | MAP_FIXED` semantics:
/// apply them in order; a later one replaces any overlap of an earlier one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Page-aligned start address (bias applied).
    pub start: u64,
    /// Page-aligned, non-zero length.
    pub len: u64,
    /// Protection.
    pub prot: Prot,
    /// File or anonymous.
    pub source: MapSource,
    /// For a file mapping of a segment with bss: the caller must zero
    /// `[zero_from, page_up(zero_from))` right after creating this mapping
    /// (in the private copy, regardless of `prot` — Linux's `padzero`).
    pub zero_from: Option<u64>,
}

impl Mapping {
    /// Exclusive end address.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.len)
    }
}

/// Add a load bias to an address. The bias is a two's-complement
/// displacement (Linux computes `load_bias = ELF_PAGESTART(base - vaddr)`
/// with wrapping arithmetic), so a "negative" bias is fine as long as the
/// result does not wrap.
fn biased(addr: u64, bias: u64) -> Option<u64> {
    addr.checked_add_signed(bias as i64)
}

fn out_of_space(start: u64, end: u64) -> LoadError {
    LoadError::OutOfAddressSpace { start, end }
}

/// Compute the mappings for `image` loaded at `bias` (0 for ET_EXEC; see
/// [`load_bias`] for a PIE main program; for an interpreter use
/// `chosen_base - image.min_vaddr`). For each PT_LOAD, in order:
///
/// * if `filesz > 0`: file mapping `[page_down(v), page_up(v + filesz))` at
///   offset `page_down(offset)` with the segment's prot, with `zero_from =
///   v + filesz` when `memsz > filesz` and that address is not page-aligned;
/// * if `memsz > filesz`: anonymous mapping `[page_up(v + filesz),
///   page_up(v + memsz))` (for `filesz == 0`: from `page_down(v)`), when
///   non-empty. Like Linux's `vm_brk_flags`, it is readable and writable,
///   plus executable if the segment is.
///
/// (`v` = `p_vaddr + bias`.) Errors with ENOMEM-like
/// [`LoadError::OutOfAddressSpace`] if anything wraps or ends above [`TASK_SIZE`].
pub fn plan(image: &ElfImage, bias: u64) -> Result<Vec<Mapping>, LoadError> {
    let mut out = Vec::with_capacity(image.segments.len() * 2);
    for seg in &image.segments {
        let v = biased(seg.vaddr, bias).ok_or_else(|| out_of_space(seg.vaddr, u64::MAX))?;
        let file_end = v.checked_add(seg.filesz);
        let mem_end = v.checked_add(seg.memsz);
        let (Some(file_end), Some(mem_end)) = (file_end, mem_end) else {
            return Err(out_of_space(v, u64::MAX));
        };
        let Some(mem_end_up) = page_up(mem_end) else {
            return Err(out_of_space(v, u64::MAX));
        };
        if mem_end_up > TASK_SIZE {
            return Err(out_of_space(page_down(v), mem_end_up));
        }
        // mem_end_up <= TASK_SIZE, so file_end (<= mem_end) rounds up fine.
        let file_end_up = page_up(file_end).unwrap_or(mem_end_up);
        let start = page_down(v);

        let anon_start = if seg.filesz > 0 {
            let zero_from =
                (seg.memsz > seg.filesz && file_end % PAGE_SIZE != 0).then_some(file_end);
            out.push(Mapping {
                start,
                len: file_end_up - start,
                prot: seg.prot,
                source: MapSource::File {
                    offset: page_down(seg.offset),
                },
                zero_from,
            });
            file_end_up
        } else {
            start
        };
        if seg.memsz > seg.filesz && mem_end_up > anon_start {
            let mut prot = Prot::READ | Prot::WRITE;
            if seg.prot.exec() {
                prot |= Prot::EXEC;
            }
            out.push(Mapping {
                start: anon_start,
                len: mem_end_up - anon_start,
                prot,
                source: MapSource::Anonymous,
                zero_from: None,
            });
        }
    }
    Ok(out)
}

/// Start of the heap (`mm->start_brk` before brk randomisation): the page
/// above the highest segment end, `image.max_vaddr + bias`. Only meaningful
/// once [`plan`] succeeded for the same bias (wraps otherwise).
pub fn brk_start(image: &ElfImage, bias: u64) -> u64 {
    image.max_vaddr.wrapping_add(bias)
}

/// Load bias for the *main* program, as Linux x86_64 chooses it: 0 for
/// ET_EXEC; for ET_DYN, `ELF_ET_DYN_BASE + ((random & (2^28 - 1)) << 12)`,
/// aligned down to the largest PT_LOAD alignment, minus `min_vaddr`
/// (wrapping, i.e. possibly a negative displacement). Pass `random = 0` for
/// no ASLR (then a PIE with `min_vaddr == 0` lands at 0x5555_5555_4000).
pub fn load_bias(image: &ElfImage, random: u64) -> u64 {
    match image.kind {
        ElfKind::Exec => 0,
        ElfKind::Dyn => {
            let rnd = (random & ((1u64 << MMAP_RND_BITS) - 1)) * PAGE_SIZE;
            let base = (ELF_ET_DYN_BASE + rnd) & !(image.max_align() - 1);
            page_down(base.wrapping_sub(image.min_vaddr))
        }
    }
}

/// Runtime entry point `image.entry + bias`; EINVAL if it is not a user
/// address (Linux's `BAD_ADDR(elf_entry)` check).
pub fn entry_address(image: &ElfImage, bias: u64) -> Result<u64, LoadError> {
    match biased(image.entry, bias) {
        Some(e) if e < TASK_SIZE => Ok(e),
        _ => Err(LoadError::BadEntry(image.entry.wrapping_add(bias))),
    }
}

/// Runtime address of the program headers (the AT_PHDR value):
/// `image.phdr_vaddr + bias`, `None` if unknown or out of range.
pub fn phdr_address(image: &ElfImage, bias: u64) -> Option<u64> {
    image
        .phdr_vaddr
        .and_then(|p| biased(p, bias))
        .filter(|&p| p < TASK_SIZE)
}

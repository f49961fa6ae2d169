//! Parsing and validation of x86_64 ELF64 executables into an [`ElfImage`]:
//! the ELF header, the program-header table, PT_LOAD / PT_INTERP /
//! PT_GNU_STACK / PT_PHDR, with every offset and size bound-checked.
//!
//! Validation follows Linux `fs/binfmt_elf.c` (`load_elf_binary`,
//! `load_elf_phdrs`); hostile input yields a [`LoadError`], never a panic.

use crate::plan::{PAGE_SIZE, TASK_SIZE, page_down, page_up};
use crate::read::read_exact_at;
use crate::{LoadError, ReadAt};
use goblin::elf::header::{
    ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_X86_64, ET_DYN, ET_EXEC,
};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};

/// Size of an ELF64 header.
pub const EHDR_SIZE: usize = 64;
/// Size of an ELF64 program header (the only accepted `e_phentsize`).
pub const PHDR_SIZE: u16 = 56;
/// Linux caps the program-header table at 64 KiB (`load_elf_phdrs`).
pub const MAX_PHDR_TABLE: u64 = 65536;
/// Largest accepted `e_phnum` (65536 / 56).
pub const MAX_PHNUM: u16 = (MAX_PHDR_TABLE / PHDR_SIZE as u64) as u16;
/// Linux `PATH_MAX`: the largest accepted PT_INTERP `p_filesz` (including NUL).
pub const PATH_MAX: u64 = 4096;

/// ELF object type of a loadable executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElfKind {
    /// ET_EXEC: fixed addresses, load bias 0.
    Exec,
    /// ET_DYN: position independent (PIE, static-pie, or a shared object such
    /// as `ld.so`), needs a load bias.
    Dyn,
}

/// Memory protection, with the same bit values as Linux `PROT_*`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Prot(u32);

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot(0);
    /// `PROT_READ`.
    pub const READ: Prot = Prot(1);
    /// `PROT_WRITE`.
    pub const WRITE: Prot = Prot(2);
    /// `PROT_EXEC`.
    pub const EXEC: Prot = Prot(4);

    /// The `PROT_*` bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Build from `PROT_*` bits, dropping unknown bits.
    pub const fn from_bits_truncate(bits: u32) -> Prot {
        Prot(bits & 7)
    }

    /// Translate ELF `p_flags` (PF_R=4, PF_W=2, PF_X=1) into `PROT_*`.
    pub const fn from_p_flags(flags: u32) -> Prot {
        let mut p = 0;
        if flags & PF_R != 0 {
            p |= Self::READ.0;
        }
        if flags & PF_W != 0 {
            p |= Self::WRITE.0;
        }
        if flags & PF_X != 0 {
            p |= Self::EXEC.0;
        }
        Prot(p)
    }

    /// `true` if every bit of `other` is set in `self`.
    pub const fn contains(self, other: Prot) -> bool {
        self.0 & other.0 == other.0
    }

    /// `true` if no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Readable?
    pub const fn read(self) -> bool {
        self.contains(Self::READ)
    }

    /// Writable?
    pub const fn write(self) -> bool {
        self.contains(Self::WRITE)
    }

    /// Executable?
    pub const fn exec(self) -> bool {
        self.contains(Self::EXEC)
    }
}

impl std::ops::BitOr for Prot {
    type Output = Prot;
    fn bitor(self, rhs: Prot) -> Prot {
        Prot(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Prot {
    fn bitor_assign(&mut self, rhs: Prot) {
        self.0 |= rhs.0;
    }
}

impl std::fmt::Debug for Prot {
    /// `r-x` style, like `/proc/PID/maps`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = |on: bool, ch: char| if on { ch } else { '-' };
        write!(
            f,
            "{}{}{}",
            c(self.read(), 'r'),
            c(self.write(), 'w'),
            c(self.exec(), 'x')
        )
    }
}

/// One PT_LOAD program header (unbiased, as in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_memsz` (>= `filesz`).
    pub memsz: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_offset` (congruent to `vaddr` modulo the page size).
    pub offset: u64,
    /// `p_align` as written (may be 0 or not a power of two).
    pub align: u64,
    /// Protection from `p_flags`.
    pub prot: Prot,
}

/// A validated x86_64 ELF64 executable, ready for [`plan`](crate::plan()).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfImage {
    /// ET_EXEC or ET_DYN.
    pub kind: ElfKind,
    /// `e_entry` (unbiased).
    pub entry: u64,
    /// Unbiased address of the program headers in memory: like Linux, the
    /// vaddr inside the PT_LOAD whose file range contains `e_phoff` (the last
    /// such segment wins, as in the kernel loop); if none does, PT_PHDR's
    /// `p_vaddr`; `None` if neither exists. AT_PHDR = this + bias.
    pub phdr_vaddr: Option<u64>,
    /// `e_phentsize` (always 56).
    pub phent: u16,
    /// `e_phnum`.
    pub phnum: u16,
    /// PT_LOAD segments, in program-header order.
    pub segments: Vec<Segment>,
    /// PT_INTERP path (first PT_INTERP only), without the terminating NUL and
    /// cut at the first NUL like the kernel's C string.
    pub interp: Option<Vec<u8>>,
    /// Whether the initial stack is executable. Follows Linux x86_64: a
    /// PT_GNU_STACK with PF_X => true, without PF_X => false, and *absent*
    /// PT_GNU_STACK => false (since Linux 5.8, x86_64 never implies
    /// READ_IMPLIES_EXEC for 64-bit programs). Last PT_GNU_STACK wins.
    pub exec_stack: bool,
    /// `true` if a PT_GNU_STACK header exists (to emulate older kernels).
    pub has_gnu_stack: bool,
    /// Page-down of the lowest PT_LOAD `p_vaddr`.
    pub min_vaddr: u64,
    /// Page-up of the highest PT_LOAD `p_vaddr + p_memsz`.
    pub max_vaddr: u64,
}

impl ElfImage {
    /// Bytes of address space the image spans (`max_vaddr - min_vaddr`): the
    /// size to reserve when choosing a base for an ET_DYN (e.g. the interpreter).
    pub fn span(&self) -> u64 {
        self.max_vaddr.saturating_sub(self.min_vaddr)
    }

    /// Largest power-of-two PT_LOAD `p_align`, at least the page size (Linux
    /// `maximum_alignment`): an ET_DYN's load address is aligned to this.
    pub fn max_align(&self) -> u64 {
        let a = self
            .segments
            .iter()
            .map(|s| s.align)
            .filter(|a| a.is_power_of_two())
            .max()
            .unwrap_or(0);
        // Alignments beyond the address space are meaningless; cap them.
        a.clamp(PAGE_SIZE, 1 << 46)
    }
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(off..off + 2) {
        a.copy_from_slice(s);
    }
    u16::from_le_bytes(a)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(off..off + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

/// Read up to `buf.len()` bytes at offset 0, stopping at EOF. Returns the count.
fn read_prefix<R: ReadAt + ?Sized>(file: &R, buf: &mut [u8]) -> Result<usize, LoadError> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(done as u64, &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done = done.saturating_add(n).min(buf.len()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LoadError::Io(e)),
        }
    }
    Ok(done)
}

/// Parse and validate the main program (see the module docs). Errors map to
/// ENOEXEC (format), EINVAL (bad segments) or the I/O errno.
///
/// Accepts any [`ReadAt`], including unsized ones: `parse(&bytes[..])`,
/// `parse(&vec)`, `parse(&file)`, or `parse(obj as &dyn ReadAt)`.
pub fn parse<R: ReadAt + ?Sized>(file: &R) -> Result<ElfImage, LoadError> {
    let mut eh = [0u8; EHDR_SIZE];
    let got = read_prefix(file, &mut eh)?;
    if got < 4 || &eh[..4] != ELFMAG {
        return Err(LoadError::NotElf);
    }
    match eh[4] {
        ELFCLASS64 => {}
        ELFCLASS32 => return Err(LoadError::Elf32),
        _ => return Err(LoadError::NotElf),
    }
    if got < 6 || eh[5] != ELFDATA2LSB {
        return Err(LoadError::BadEndian(if got < 6 { 0 } else { eh[5] }));
    }
    if got >= 20 {
        let machine = u16_at(&eh, 18);
        if machine != EM_X86_64 {
            return Err(LoadError::WrongMachine { machine });
        }
    }
    if got < EHDR_SIZE {
        return Err(LoadError::Truncated {
            what: "ELF header",
            offset: 0,
            len: EHDR_SIZE as u64,
            file_len: file.len(),
        });
    }

    let kind = match u16_at(&eh, 16) {
        ET_EXEC => ElfKind::Exec,
        ET_DYN => ElfKind::Dyn,
        other => return Err(LoadError::NotExecutable(other)),
    };
    let entry = u64_at(&eh, 24);
    let phoff = u64_at(&eh, 32);
    let phent = u16_at(&eh, 54);
    let phnum = u16_at(&eh, 56);
    if phent != PHDR_SIZE {
        return Err(LoadError::BadPhentsize(phent));
    }
    let table_size = u64::from(phnum) * u64::from(PHDR_SIZE);
    if phnum == 0 || table_size > MAX_PHDR_TABLE {
        return Err(LoadError::BadPhnum(phnum));
    }
    // table_size <= 64 KiB, so this allocation is bounded.
    let mut table = vec![0u8; table_size as usize];
    read_exact_at(file, phoff, &mut table, "program header table")?;

    let mut segments = Vec::new();
    let mut interp = None;
    let mut exec_stack = false;
    let mut has_gnu_stack = false;
    let mut pt_phdr = None;
    let mut phdr_from_load = None;

    for (index, ph) in table.chunks_exact(usize::from(PHDR_SIZE)).enumerate() {
        let p_type = u32_at(ph, 0);
        let p_flags = u32_at(ph, 4);
        let offset = u64_at(ph, 8);
        let vaddr = u64_at(ph, 16);
        let filesz = u64_at(ph, 32);
        let memsz = u64_at(ph, 40);
        let align = u64_at(ph, 48);
        match p_type {
            PT_LOAD => {
                if filesz > memsz {
                    return Err(LoadError::FileszExceedsMemsz {
                        index,
                        filesz,
                        memsz,
                    });
                }
                // Only file-backed segments are mmapped with an offset; Linux
                // never checks the congruence for p_filesz == 0 (pure bss).
                if filesz > 0 && !offset.wrapping_sub(vaddr).is_multiple_of(PAGE_SIZE) {
                    return Err(LoadError::Misaligned {
                        index,
                        offset,
                        vaddr,
                    });
                }
                let bad = || LoadError::BadSegmentAddress {
                    index,
                    vaddr,
                    memsz,
                };
                let end = vaddr.checked_add(memsz).ok_or_else(bad)?;
                page_up(end).ok_or_else(bad)?;
                if memsz > TASK_SIZE {
                    return Err(bad());
                }
                // ET_EXEC is mapped at its own addresses: Linux's
                // BAD_ADDR / TASK_SIZE check with load_bias == 0.
                if kind == ElfKind::Exec && (vaddr >= TASK_SIZE || end > TASK_SIZE) {
                    return Err(bad());
                }
                if offset.checked_add(filesz).is_none() {
                    return Err(LoadError::Truncated {
                        what: "PT_LOAD file range",
                        offset,
                        len: filesz,
                        file_len: file.len(),
                    });
                }
                if offset <= phoff && phoff - offset < filesz {
                    phdr_from_load = Some(vaddr.wrapping_add(phoff - offset));
                }
                segments.push(Segment {
                    vaddr,
                    memsz,
                    filesz,
                    offset,
                    align,
                    prot: Prot::from_p_flags(p_flags),
                });
            }
            PT_INTERP if interp.is_none() => {
                if !(2..=PATH_MAX).contains(&filesz) {
                    return Err(LoadError::BadInterpPath(if filesz < 2 {
                        "path too short"
                    } else {
                        "path longer than PATH_MAX"
                    }));
                }
                let mut path = vec![0u8; filesz as usize];
                read_exact_at(file, offset, &mut path, "PT_INTERP path")?;
                if path.last() != Some(&0) {
                    return Err(LoadError::BadInterpPath("not NUL-terminated"));
                }
                let nul = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                path.truncate(nul);
                if path.is_empty() {
                    return Err(LoadError::BadInterpPath("empty path"));
                }
                interp = Some(path);
            }
            PT_GNU_STACK => {
                has_gnu_stack = true;
                exec_stack = p_flags & PF_X != 0;
            }
            PT_PHDR if pt_phdr.is_none() => pt_phdr = Some(vaddr),
            _ => {}
        }
    }

    if segments.is_empty() {
        return Err(LoadError::NoLoadSegment);
    }
    // Segment ends were checked above, so page_up cannot fail here.
    let min_vaddr = segments
        .iter()
        .map(|s| page_down(s.vaddr))
        .min()
        .unwrap_or(0);
    let max_vaddr = segments
        .iter()
        .filter_map(|s| s.vaddr.checked_add(s.memsz).and_then(page_up))
        .max()
        .unwrap_or(0);

    Ok(ElfImage {
        kind,
        entry,
        phdr_vaddr: phdr_from_load.or(pt_phdr),
        phent,
        phnum,
        segments,
        interp,
        exec_stack,
        has_gnu_stack,
        min_vaddr,
        max_vaddr,
    })
}

/// Parse the PT_INTERP interpreter (e.g. `ld-linux-x86-64.so.2`). Like Linux,
/// any format problem becomes [`LoadError::BadInterpreter`] (ELIBBAD); I/O
/// errors pass through unchanged. The interpreter's own PT_INTERP, if any, is
/// ignored by the kernel and should be ignored by the caller too.
pub fn parse_interpreter<R: ReadAt + ?Sized>(file: &R) -> Result<ElfImage, LoadError> {
    parse(file).map_err(|e| match e {
        LoadError::Io(e) => LoadError::Io(e),
        other => LoadError::BadInterpreter(Box::new(other)),
    })
}

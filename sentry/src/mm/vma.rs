//! Virtual memory areas: one contiguous range of application addresses with
//! one protection and one backing (a range of the memory file, optionally
//! filled from a file).

use std::fmt::Write as _;
use std::sync::Arc;

use crate::errno::KResult;
use crate::memfile::MemoryFile;
use crate::platform::prot;

/// A file that can back a mapping.
pub trait MapSource: Send + Sync {
    /// Fills `[mf_off, mf_off+len)` of the memory file with the file's bytes
    /// from `file_off`; bytes past the end of the file stay zero.
    fn fill(&self, mf: &MemoryFile, mf_off: u64, len: u64, file_off: u64) -> KResult<()>;
    /// Writes `[mf_off, mf_off+len)` back to the file at `file_off` (shared
    /// mappings), never growing the file.
    fn write_back(&self, mf: &MemoryFile, mf_off: u64, len: u64, file_off: u64) -> KResult<()>;
    /// Whether the file was opened for writing (shared writable mappings).
    fn writable(&self) -> bool;
    /// (device, inode, path) for /proc/PID/maps.
    fn identity(&self) -> (u64, u64, Vec<u8>);
    /// The file cache: a memory-file range holding `[file_off,
    /// file_off+len)` of the file that every private mapping of those
    /// bytes may share read-only (copy-on-write), filled on first use and
    /// freed with its last mapping. None when the file's bytes may change
    /// under a mapping (files the sandbox can write), so each mapping
    /// fills its own copy.
    fn cached(
        &self,
        _mf: &Arc<MemoryFile>,
        _file_off: u64,
        _len: u64,
    ) -> Option<KResult<Arc<SharedRange>>> {
        None
    }
}

/// What /proc/PID/maps calls a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmaName {
    Anonymous,
    Heap,
    Stack,
    File,
    Named(&'static str),
}

/// One mapping.
#[derive(Clone)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u32,
    /// Whether PROT_WRITE may be added (false for shared mappings of files
    /// opened read-only).
    pub max_write: bool,
    pub shared: bool,
    /// Memory-file offset of `start`.
    pub mf_off: u64,
    /// The file and the file offset of `start`.
    pub file: Option<(Arc<dyn MapSource>, u64)>,
    /// Write back to the file on msync/munmap.
    pub writeback: bool,
    pub name: VmaName,
    /// For shared mappings: the owner of the memory-file range, shared by
    /// every piece of the mapping in every process (fork); the range is
    /// freed when the last piece goes. None: this VMA owns its range.
    pub shared_range: Option<Arc<SharedRange>>,
    /// Private pages shared copy-on-write with another address space
    /// (fork): mapped without PROT_WRITE until the first write copies them
    /// (or takes them over when nobody else holds the range any more).
    pub cow: bool,
}

/// A memory-file range shared between mappings; freed on drop.
pub struct SharedRange {
    pub mf: Arc<MemoryFile>,
    pub off: u64,
    pub len: u64,
    /// Handed out by a file cache ([`MapSource::cached`]): new mappings
    /// may join it at any time, so a write always copies, even by its
    /// only holder.
    pub published: bool,
}

impl SharedRange {
    /// A range owned by the mappings that hold it.
    pub fn new(mf: Arc<MemoryFile>, off: u64, len: u64) -> SharedRange {
        SharedRange {
            mf,
            off,
            len,
            published: false,
        }
    }
}

impl Drop for SharedRange {
    fn drop(&mut self) {
        self.mf.release(self.off, self.len);
    }
}

impl Vma {
    /// Private, writable and not the stack: what RLIMIT_DATA counts
    /// (Linux's is_data_mapping).
    pub fn is_data(&self) -> bool {
        self.prot & prot::WRITE != 0 && !self.shared && self.name != VmaName::Stack
    }

    /// A private anonymous mapping.
    pub fn anon(start: u64, end: u64, prot: u32, mf_off: u64, name: VmaName) -> Vma {
        Vma {
            start,
            end,
            prot,
            max_write: true,
            shared: false,
            mf_off,
            file: None,
            writeback: false,
            name,
            shared_range: None,
            cow: false,
        }
    }

    /// The protection the platform maps it with: without PROT_WRITE while
    /// copy-on-write.
    pub fn stub_prot(&self) -> u32 {
        if self.cow {
            self.prot & !prot::WRITE
        } else {
            self.prot
        }
    }

    /// Gives this VMA's pages back, unless a shared range owns them.
    pub fn release(&self, mf: &MemoryFile) {
        if self.shared_range.is_none() {
            mf.release(self.mf_off, self.len());
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the VMA is empty (never, once inserted).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Cuts this VMA at `addr` (strictly inside) and returns the upper part.
    pub fn split_off(&mut self, addr: u64) -> Vma {
        let delta = addr - self.start;
        let mut tail = self.clone();
        tail.start = addr;
        tail.mf_off += delta;
        if let Some((_, off)) = &mut tail.file {
            *off += delta;
        }
        self.end = addr;
        tail
    }

    /// Writes a shared writable file mapping back to its file.
    pub fn write_back(&self, mf: &MemoryFile) {
        if !self.writeback {
            return;
        }
        if let Some((src, off)) = &self.file
            && let Err(e) = src.write_back(mf, self.mf_off, self.len(), *off)
        {
            log::warn!("write-back of a shared mapping failed: {e}");
        }
    }

    /// Appends this VMA's /proc/PID/maps line.
    pub fn format_maps_line(&self, out: &mut String, _brk_start: u64) {
        let (dev, ino, path, off) = match &self.file {
            Some((src, off)) => {
                let (d, i, p) = src.identity();
                (d, i, p, *off)
            }
            None => (0, 0, Vec::new(), 0),
        };
        let start_len = out.len();
        let _ = write!(
            out,
            "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
            self.start,
            self.end,
            if self.prot & prot::READ != 0 {
                'r'
            } else {
                '-'
            },
            if self.prot & prot::WRITE != 0 {
                'w'
            } else {
                '-'
            },
            if self.prot & prot::EXEC != 0 {
                'x'
            } else {
                '-'
            },
            if self.shared { 's' } else { 'p' },
            off,
            (dev >> 8) & 0xfff,
            dev & 0xff,
            ino,
        );
        let name: String = match &self.name {
            VmaName::Heap => "[heap]".into(),
            VmaName::Stack => "[stack]".into(),
            VmaName::Named(n) => (*n).into(),
            VmaName::File => String::from_utf8_lossy(&path).into_owned(),
            VmaName::Anonymous => String::new(),
        };
        if !name.is_empty() {
            while out.len() - start_len < 73 {
                out.push(' ');
            }
            out.push_str(&name);
        }
        out.push('\n');
    }
}

//! Loading a program (`execve(2)`): find the file, read its first bytes,
//! follow `#!` interpreters (at most 4 deep, ELOOP after), parse the ELF,
//! load its PT_INTERP, lay out a fresh address space with randomized
//! bases (PIE base, mmap base, brk, stack) and build the initial stack.
//! Everything up to the returned [`ExecImage`] can fail without touching
//! the calling task; installing the image is the point of no return.

use std::sync::Arc;

use loader::auxv::*;
use loader::{BinaryFormat, ElfImage, ElfKind, ReadAt};

use super::Kernel;
use super::creds::Creds;
use super::task::FsContext;
use crate::errno::Errno;
use crate::mm::{MemoryManager, MmapRequest, Placement, STACK_SIZE, VmaName};
use crate::platform::{APP_TOP, PAGE_SIZE, Registers, initial_registers, prot};
use crate::sys;
use crate::vfs::path::Walker;
use crate::vfs::{Dentry, FileType, OpenFile, may_access, oflags};

/// A loaded program, ready to become a task's.
pub struct ExecImage {
    pub mm: Arc<MemoryManager>,
    pub regs: Registers,
    pub exe: Arc<Dentry>,
    pub comm: Vec<u8>,
}

/// Why a program could not be loaded: the errno execve returns and a
/// message for people.
#[derive(Debug, Clone)]
pub struct ExecError {
    pub errno: Errno,
    pub message: String,
}

impl ExecError {
    fn new(errno: Errno, message: impl Into<String>) -> ExecError {
        ExecError {
            errno,
            message: message.into(),
        }
    }
}

impl From<Errno> for ExecError {
    fn from(e: Errno) -> ExecError {
        ExecError::new(e, errno_text(e))
    }
}

fn errno_text(e: Errno) -> String {
    std::io::Error::from_raw_os_error(e.code()).to_string()
}

/// `#!` nesting limit.
const MAX_INTERP_DEPTH: usize = 4;

struct FileReader(Arc<OpenFile>, u64);

impl ReadAt for FileReader {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.0.imp.read(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) => return Err(std::io::Error::from_raw_os_error(e.code())),
            }
        }
        Ok(done)
    }
    fn len(&self) -> u64 {
        self.1
    }
}

/// Opens an executable for exec: it must be a regular file with an x bit.
fn open_exec(
    kernel: &Kernel,
    fs: &FsContext,
    creds: &Creds,
    path: &[u8],
) -> Result<(Arc<Dentry>, FileReader), ExecError> {
    let d = Walker::new(&kernel.vfs, fs.root.clone()).resolve(fs.cwd.clone(), path, true)?;
    let st = d.inode.stat()?;
    if st.file_type() != FileType::Regular {
        return Err(ExecError::new(Errno::EACCES, "not a regular file"));
    }
    if !may_access(&st, creds.euid, creds.egid, 1) {
        return Err(Errno::EACCES.into());
    }
    let imp = d.inode.clone().open(oflags::O_RDONLY)?;
    let f = OpenFile::new(Some(d.clone()), d.inode.clone(), oflags::O_RDONLY, imp);
    Ok((d, FileReader(f, st.size)))
}

/// Loads `path` with `argv` and `envp` into a new address space.
pub fn load(
    kernel: &Arc<Kernel>,
    fs: &FsContext,
    creds: &Creds,
    path: &[u8],
    mut argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<ExecImage, ExecError> {
    let execfn = path.to_vec();
    let mut path = path.to_vec();
    let mut depth = 0;
    let (dentry, file, image) = loop {
        let (d, file) = open_exec(kernel, fs, creds, &path).map_err(|e| {
            if depth > 0 && e.errno == Errno::ENOENT {
                ExecError::new(
                    Errno::ENOENT,
                    format!("interpreter {} not found", String::from_utf8_lossy(&path)),
                )
            } else {
                e
            }
        })?;
        let mut head = [0u8; loader::BINPRM_BUF_SIZE];
        let n = file
            .read_at(0, &mut head)
            .map_err(|e| ExecError::new(Errno::from(e), "reading the program failed"))?;
        let fmt = loader::identify(&head[..n])
            .map_err(|e| ExecError::new(Errno::new(e.errno()), e.to_string()))?;
        match fmt {
            BinaryFormat::Script {
                interpreter,
                argument,
            } => {
                depth += 1;
                if depth > MAX_INTERP_DEPTH {
                    return Err(ExecError::new(
                        Errno::ELOOP,
                        "too many levels of #! interpreters",
                    ));
                }
                argv = loader::script_argv(&interpreter, argument.as_deref(), &path, &argv);
                path = interpreter;
            }
            BinaryFormat::Elf64X86_64 => {
                let img = loader::parse(&file)
                    .map_err(|e| ExecError::new(Errno::new(e.errno()), e.to_string()))?;
                break (d, file, img);
            }
            _ => return Err(ExecError::new(Errno::ENOEXEC, "exec format error")),
        }
    };
    let interp = match &image.interp {
        Some(p) => {
            let (_, f) = open_exec(kernel, fs, creds, p).map_err(|e| {
                if e.errno == Errno::ENOENT {
                    ExecError::new(
                        Errno::ENOENT,
                        format!("interpreter {} not found", String::from_utf8_lossy(p)),
                    )
                } else {
                    e
                }
            })?;
            let img = loader::parse_interpreter(&f)
                .map_err(|e| ExecError::new(Errno::new(e.errno()), e.to_string()))?;
            Some((f, img))
        }
        None => None,
    };

    // Layout: stack at the top, mmap area below it, PIE and heap low.
    let stack_top = APP_TOP - PAGE_SIZE - (sys::random_u64() % (1 << 16)) * PAGE_SIZE;
    let mmap_base =
        stack_top - STACK_SIZE - (128 << 20) - (sys::random_u64() % (1 << 24)) * PAGE_SIZE;
    let space = kernel.platform.new_address_space()?;
    let mm = Arc::new(MemoryManager::new(kernel.memfile.clone(), space, mmap_base));

    let bias = match image.kind {
        ElfKind::Exec => 0,
        ElfKind::Dyn => loader::load_bias(&image, sys::random_u64()),
    };
    map_image(&mm, &image, bias, &file)?;
    let brk = loader::brk_start(&image, bias) + (sys::random_u64() % (1 << 13)) * PAGE_SIZE;
    mm.set_brk_start(brk);

    let (entry, interp_base) = match &interp {
        Some((f, img)) => {
            let ibias = place_interpreter(&mm, img)?;
            map_image(&mm, img, ibias, f)?;
            (
                loader::entry_address(img, ibias).map_err(le)?,
                ibias.wrapping_add(img.min_vaddr),
            )
        }
        None => (loader::entry_address(&image, bias).map_err(le)?, 0),
    };

    // The stack.
    mm.mmap(MmapRequest {
        placement: Placement::Fixed(stack_top - STACK_SIZE),
        len: STACK_SIZE,
        prot: prot::READ | prot::WRITE,
        shared: false,
        source: None,
        name: VmaName::Stack,
    })?;
    let mut random = [0u8; 16];
    let _ = sys::getrandom(&mut random, 0);
    let auxv = vec![
        (AT_MINSIGSTKSZ, sys::host_auxval(AT_MINSIGSTKSZ).max(2048)),
        (AT_HWCAP, sys::host_auxval(AT_HWCAP)),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_CLKTCK, 100),
        (AT_PHDR, loader::phdr_address(&image, bias).unwrap_or(0)),
        (AT_PHENT, 56),
        (AT_PHNUM, u64::from(image.phnum)),
        (AT_BASE, interp_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, loader::entry_address(&image, bias).map_err(le)?),
        (AT_UID, u64::from(creds.uid)),
        (AT_EUID, u64::from(creds.euid)),
        (AT_GID, u64::from(creds.gid)),
        (AT_EGID, u64::from(creds.egid)),
        (AT_SECURE, 0),
        (AT_HWCAP2, sys::host_auxval(AT_HWCAP2)),
    ];
    let params = loader::StackParams {
        stack_top,
        argv: &argv,
        envp: &envp,
        execfn: &execfn,
        platform: b"x86_64",
        random,
        auxv: &auxv,
    };
    let stack = loader::build_stack(&params).map_err(le)?;
    mm.poke(stack.start, &stack.bytes)?;
    {
        let mut st = mm.lock();
        st.argv = (stack.argv_start, stack.argv_end);
        st.envp = (stack.envp_start, stack.envp_end);
        st.auxv = stack.auxv.clone();
        st.layout = exec_layout(&image.segments, bias, stack.sp);
    }
    // Linux names the task after the file execve was given (the script,
    // for a #! program), not the interpreter.
    let name = execfn
        .rsplit(|&b| b == b'/')
        .next()
        .unwrap_or(&execfn)
        .to_vec();
    let comm = name[..name.len().min(15)].to_vec();
    Ok(ExecImage {
        mm,
        regs: initial_registers(entry, stack.sp),
        exe: dentry,
        comm,
    })
}

/// Linux's `load_elf_binary` bookkeeping: code spans the executable
/// segments' file bytes; `start_data` is the highest segment start and
/// `end_data` the highest end of file bytes, all moved by `bias`.
fn exec_layout(segments: &[loader::Segment], bias: u64, sp: u64) -> crate::mm::ExecLayout {
    let mut l = crate::mm::ExecLayout {
        start_code: u64::MAX,
        start_stack: sp,
        ..Default::default()
    };
    for s in segments {
        let end = s.vaddr.saturating_add(s.filesz);
        if s.prot.bits() & prot::EXEC != 0 {
            l.start_code = l.start_code.min(s.vaddr);
            l.end_code = l.end_code.max(end);
        }
        l.start_data = l.start_data.max(s.vaddr);
        l.end_data = l.end_data.max(end);
    }
    if l.start_code == u64::MAX {
        l.start_code = 0;
    }
    for v in [
        &mut l.start_code,
        &mut l.end_code,
        &mut l.start_data,
        &mut l.end_data,
    ] {
        *v = v.wrapping_add(bias);
    }
    l
}

fn le(e: loader::LoadError) -> ExecError {
    ExecError::new(Errno::new(e.errno()), e.to_string())
}

/// Picks where the interpreter goes: a free range of its span, aligned.
fn place_interpreter(mm: &MemoryManager, img: &ElfImage) -> Result<u64, ExecError> {
    let align = img.max_align().max(PAGE_SIZE);
    let span = img.span();
    let reserve = mm.mmap(MmapRequest {
        placement: Placement::Hint(0),
        len: span + align,
        prot: prot::NONE,
        shared: false,
        source: None,
        name: VmaName::Anonymous,
    })?;
    let base = reserve.div_ceil(align) * align;
    mm.munmap(reserve, span + align)?;
    Ok(base.wrapping_sub(img.min_vaddr))
}

/// Maps the PT_LOAD segments of `img` at `bias`.
fn map_image(
    mm: &MemoryManager,
    img: &ElfImage,
    bias: u64,
    file: &FileReader,
) -> Result<(), ExecError> {
    let src = file
        .0
        .imp
        .map_source()
        .ok_or(ExecError::new(Errno::ENODEV, "program cannot be mapped"))?;
    for m in loader::plan(img, bias).map_err(le)? {
        let source = match m.source {
            loader::MapSource::File { offset } => Some((src.clone(), offset)),
            loader::MapSource::Anonymous => None,
        };
        let file_backed = source.is_some();
        mm.mmap(MmapRequest {
            placement: Placement::Fixed(m.start),
            len: m.len,
            prot: m.prot.bits(),
            shared: false,
            source,
            name: if file_backed {
                VmaName::File
            } else {
                VmaName::Anonymous
            },
        })?;
        if let Some(z) = m.zero_from {
            let end = loader::page_up(z).unwrap_or(z);
            if end > z {
                mm.poke(z, &vec![0u8; (end - z) as usize])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::exec_layout;
    use loader::{Prot, Segment};

    fn seg(vaddr: u64, filesz: u64, flags: u32) -> Segment {
        Segment {
            vaddr,
            memsz: filesz + 0x100,
            filesz,
            offset: vaddr,
            align: 0x1000,
            prot: Prot::from_bits_truncate(flags),
        }
    }

    #[test]
    fn layout_follows_linux_elf_loader() {
        // r-- headers, r-x text, rw- data: a typical PIE.
        let segs = [
            seg(0, 0x500, 1),
            seg(0x1000, 0x800, 5),
            seg(0x3000, 0x200, 3),
        ];
        let l = exec_layout(&segs, 0x5555_0000_0000, 0x7fff_0000);
        assert_eq!(l.start_code, 0x5555_0000_1000);
        assert_eq!(l.end_code, 0x5555_0000_1800);
        assert_eq!(l.start_data, 0x5555_0000_3000);
        assert_eq!(l.end_data, 0x5555_0000_3200);
        assert_eq!(l.start_stack, 0x7fff_0000);
    }

    #[test]
    fn layout_without_code_is_zero_code() {
        let l = exec_layout(&[seg(0x1000, 0x10, 3)], 0, 8);
        assert_eq!((l.start_code, l.end_code), (0, 0));
    }
}

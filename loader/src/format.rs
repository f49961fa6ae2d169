//! Binary-format classification of a file's first bytes, and `#!` script
//! parsing following Linux `fs/binfmt_script.c`.

use crate::LoadError;
use goblin::elf::header::{ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_X86_64};

/// Linux `BINPRM_BUF_SIZE`: how many leading bytes of a file exec looks at.
pub const BINPRM_BUF_SIZE: usize = 256;

/// What kind of executable a file is, judged from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryFormat {
    /// ELF64, little-endian, x86_64: hand it to [`parse`](crate::parse).
    Elf64X86_64,
    /// ELFCLASS32 (i386, x32, 32-bit ARM, ...).
    Elf32,
    /// ELF64 for another `e_machine` (or big-endian: machine read big-endian).
    ElfOtherMachine(u16),
    /// A valid `#!` script.
    Script {
        /// Interpreter path (never empty, no NUL).
        interpreter: Vec<u8>,
        /// The single optional argument (everything after the interpreter,
        /// trimmed of spaces/tabs; never split).
        argument: Option<Vec<u8>>,
    },
    /// Anything else, including a `#!` line Linux would reject (use
    /// [`identify`] or [`parse_shebang`] to get the precise error).
    Unknown,
}

/// Classify a file from its first up-to-[`BINPRM_BUF_SIZE`] bytes (more are ignored).
pub fn classify(head: &[u8]) -> BinaryFormat {
    let head = &head[..head.len().min(BINPRM_BUF_SIZE)];
    if head.starts_with(ELFMAG) {
        return match head.get(4).copied() {
            Some(ELFCLASS32) => BinaryFormat::Elf32,
            Some(ELFCLASS64) => {
                let (Some(&data), Some(m)) = (head.get(5), head.get(18..20)) else {
                    return BinaryFormat::Unknown;
                };
                let m = [m[0], m[1]];
                if data == ELFDATA2LSB {
                    match u16::from_le_bytes(m) {
                        EM_X86_64 => BinaryFormat::Elf64X86_64,
                        other => BinaryFormat::ElfOtherMachine(other),
                    }
                } else {
                    BinaryFormat::ElfOtherMachine(u16::from_be_bytes(m))
                }
            }
            _ => BinaryFormat::Unknown,
        };
    }
    if head.starts_with(b"#!") {
        return match parse_shebang(head) {
            Ok((interpreter, argument)) => BinaryFormat::Script {
                interpreter,
                argument,
            },
            Err(_) => BinaryFormat::Unknown,
        };
    }
    BinaryFormat::Unknown
}

/// Like [`classify`], but returns the precise error for everything the
/// sentry cannot run: `Ok` is only ever [`BinaryFormat::Elf64X86_64`] or
/// [`BinaryFormat::Script`].
pub fn identify(head: &[u8]) -> Result<BinaryFormat, LoadError> {
    match classify(head) {
        f @ (BinaryFormat::Elf64X86_64 | BinaryFormat::Script { .. }) => Ok(f),
        BinaryFormat::Elf32 => Err(LoadError::Elf32),
        BinaryFormat::ElfOtherMachine(machine) => {
            if head.get(5) != Some(&ELFDATA2LSB) {
                Err(LoadError::BadEndian(head.get(5).copied().unwrap_or(0)))
            } else {
                Err(LoadError::WrongMachine { machine })
            }
        }
        BinaryFormat::Unknown => {
            if head.starts_with(ELFMAG) {
                Err(LoadError::NotElf)
            } else if head.starts_with(b"#!") {
                Err(parse_shebang(head)
                    .err()
                    .unwrap_or(LoadError::BadShebang("invalid #! line")))
            } else {
                Err(LoadError::UnknownFormat)
            }
        }
    }
}

fn spacetab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Parse a `#!` line exactly as Linux `load_script` does.
///
/// `head` is the file's first bytes (only [`BINPRM_BUF_SIZE`] are looked at;
/// a shorter head is NUL-padded, as the kernel's buffer is for short files).
/// Returns `(interpreter, optional single argument)`.
///
/// Rules (Linux 5.1+): skip spaces/tabs after `#!`; the interpreter ends at a
/// space, tab or NUL; the remainder up to the newline, trimmed of spaces and
/// tabs, is one argument (cut at an embedded NUL). Without a newline in the
/// buffer, the last buffer byte is dropped and the interpreter must be
/// followed by a space/tab/NUL inside the buffer, otherwise it could be
/// truncated and ENOEXEC is returned; a truncated argument is accepted.
pub fn parse_shebang(head: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), LoadError> {
    let mut buf = [0u8; BINPRM_BUF_SIZE];
    let n = head.len().min(BINPRM_BUF_SIZE);
    buf[..n].copy_from_slice(&head[..n]);
    if buf[0] != b'#' || buf[1] != b'!' {
        return Err(LoadError::BadShebang("does not start with #!"));
    }
    let buf_end = BINPRM_BUF_SIZE - 1; // inclusive index of the last byte
    // Inclusive-range helpers mirroring the kernel's pointer loops.
    let next_non_spacetab = |first: usize, last: usize| (first..=last).find(|&i| !spacetab(buf[i]));
    let next_terminator =
        |first: usize, last: usize| (first..=last).find(|&i| spacetab(buf[i]) || buf[i] == 0);

    let mut i_end = match buf.iter().position(|&c| c == b'\n') {
        Some(nl) => nl,
        None => {
            let Some(first) = next_non_spacetab(2, buf_end) else {
                return Err(LoadError::BadShebang("line is only spaces/tabs"));
            };
            if next_terminator(first, buf_end).is_none() {
                return Err(LoadError::BadShebang(
                    "no newline and the interpreter path is truncated",
                ));
            }
            buf_end
        }
    };
    // Trim trailing spaces/tabs. buf[0..2] is "#!", so this stops at index 2.
    while spacetab(buf[i_end - 1]) {
        i_end -= 1;
    }
    let i_name = match next_non_spacetab(2, i_end) {
        Some(i) if i != i_end => i,
        _ => return Err(LoadError::BadShebang("empty interpreter")),
    };
    let i_sep = next_terminator(i_name, i_end);
    let i_arg = match i_sep {
        Some(sep) if buf[sep] != 0 => next_non_spacetab(sep, i_end),
        _ => None,
    };
    // C-string semantics: the kernel writes NUL at i_end (and at i_sep when
    // there is an argument), and each string also stops at any earlier NUL.
    let cstr = |from: usize, to: usize| -> Vec<u8> {
        let s = &buf[from..to];
        let len = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        s[..len].to_vec()
    };
    let name_end = match (i_arg, i_sep) {
        (Some(_), Some(sep)) => sep,
        _ => i_end,
    };
    let interpreter = cstr(i_name, name_end);
    if interpreter.is_empty() {
        return Err(LoadError::BadShebang("empty interpreter"));
    }
    let argument = i_arg.map(|a| cstr(a, i_end)).filter(|a| !a.is_empty());
    Ok((interpreter, argument))
}

/// The argv Linux builds for a script: `[interpreter, argument?, filename,
/// original_argv[1..]...]` (`filename` is the path given to execve, which
/// replaces the original `argv[0]`).
pub fn script_argv(
    interpreter: &[u8],
    argument: Option<&[u8]>,
    filename: &[u8],
    original_argv: &[Vec<u8>],
) -> Vec<Vec<u8>> {
    let mut v = Vec::with_capacity(original_argv.len() + 2);
    v.push(interpreter.to_vec());
    if let Some(a) = argument {
        v.push(a.to_vec());
    }
    v.push(filename.to_vec());
    v.extend(original_argv.iter().skip(1).cloned());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(i: &str, a: Option<&str>) -> BinaryFormat {
        BinaryFormat::Script {
            interpreter: i.as_bytes().to_vec(),
            argument: a.map(|a| a.as_bytes().to_vec()),
        }
    }

    #[test]
    fn simple_scripts() {
        assert_eq!(classify(b"#!/bin/sh\necho hi\n"), script("/bin/sh", None));
        assert_eq!(classify(b"#!/bin/sh"), script("/bin/sh", None));
        assert_eq!(classify(b"#!/bin/sh\n"), script("/bin/sh", None));
        assert_eq!(classify(b"#!/bin/sh \t \n"), script("/bin/sh", None));
        assert_eq!(classify(b"#!\t/bin/sh -e\n"), script("/bin/sh", Some("-e")));
        assert_eq!(
            classify(b"#! /usr/bin/env  python3  -u  \nprint(1)\n"),
            script("/usr/bin/env", Some("python3  -u"))
        );
        assert_eq!(classify(b"#!/bin/sh -x"), script("/bin/sh", Some("-x")));
        // CR is not whitespace for the kernel.
        assert_eq!(classify(b"#!/bin/sh\r\n"), script("/bin/sh\r", None));
        // Embedded NULs terminate the strings.
        assert_eq!(classify(b"#!/bin/sh\0 -x\n"), script("/bin/sh", None));
        assert_eq!(
            classify(b"#!/bin/sh -x\0y\n"),
            script("/bin/sh", Some("-x"))
        );
    }

    #[test]
    fn bad_scripts() {
        for head in [
            &b"#!\n"[..],
            b"#!",
            b"#!   \t  \n",
            b"#!  ",
            b"#!\0/bin/sh\n",
        ] {
            assert_eq!(classify(head), BinaryFormat::Unknown, "{head:?}");
            let e = parse_shebang(head).unwrap_err();
            assert_eq!(e.errno(), crate::error::errno::ENOEXEC);
            assert!(matches!(identify(head), Err(LoadError::BadShebang(_))));
        }
    }

    #[test]
    fn overlong_lines() {
        // Interpreter token reaching the end of the buffer without newline: ENOEXEC.
        let mut long = b"#!/".to_vec();
        long.resize(400, b'a');
        assert!(parse_shebang(&long).is_err());
        assert_eq!(classify(&long), BinaryFormat::Unknown);

        // Same but with a newline inside the buffer: fine.
        let mut ok = b"#!/".to_vec();
        ok.resize(200, b'a');
        ok.push(b'\n');
        let (i, a) = parse_shebang(&ok).unwrap();
        assert_eq!(i.len(), 198);
        assert_eq!(a, None);

        // Interpreter complete, argument truncated: accepted with the argument
        // cut before the last buffer byte.
        let mut arg = b"#!/bin/sh ".to_vec();
        arg.resize(400, b'x');
        let (i, a) = parse_shebang(&arg).unwrap();
        assert_eq!(i, b"/bin/sh");
        assert_eq!(a.unwrap().len(), BINPRM_BUF_SIZE - 1 - 10);

        // Whole buffer spaces after #!.
        let mut sp = b"#!".to_vec();
        sp.resize(300, b' ');
        assert!(parse_shebang(&sp).is_err());

        // Newline beyond the 256-byte window does not count.
        let mut far = b"#!/".to_vec();
        far.resize(300, b'b');
        far.push(b'\n');
        assert!(parse_shebang(&far).is_err());
    }

    #[test]
    fn elf_classes() {
        let mut h = [0u8; 64];
        h[..4].copy_from_slice(ELFMAG);
        h[4] = ELFCLASS64;
        h[5] = ELFDATA2LSB;
        h[18..20].copy_from_slice(&62u16.to_le_bytes());
        assert_eq!(classify(&h), BinaryFormat::Elf64X86_64);
        assert_eq!(identify(&h).unwrap(), BinaryFormat::Elf64X86_64);

        h[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert_eq!(classify(&h), BinaryFormat::ElfOtherMachine(183));
        assert!(matches!(
            identify(&h),
            Err(LoadError::WrongMachine { machine: 183 })
        ));

        // 32-bit i386 header.
        let mut h32 = [0u8; 52];
        h32[..4].copy_from_slice(ELFMAG);
        h32[4] = ELFCLASS32;
        h32[5] = ELFDATA2LSB;
        h32[16..18].copy_from_slice(&2u16.to_le_bytes());
        h32[18..20].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(classify(&h32), BinaryFormat::Elf32);
        let e = identify(&h32).unwrap_err();
        assert_eq!(
            e.to_string(),
            "only x86_64 64-bit programs run (this is a 32-bit ELF)"
        );

        // Big-endian.
        h[5] = 2;
        h[18..20].copy_from_slice(&21u16.to_be_bytes());
        assert_eq!(classify(&h), BinaryFormat::ElfOtherMachine(21));
        assert!(matches!(identify(&h), Err(LoadError::BadEndian(2))));

        // Bad class / too short.
        h[4] = 7;
        assert_eq!(classify(&h), BinaryFormat::Unknown);
        assert!(matches!(identify(&h), Err(LoadError::NotElf)));
        assert_eq!(classify(b"\x7fELF"), BinaryFormat::Unknown);
        assert_eq!(classify(b"\x7fELF\x02\x01"), BinaryFormat::Unknown);
    }

    #[test]
    fn garbage() {
        for head in [
            &b""[..],
            b"#",
            b"MZ\x90\0",
            b"\x7fEL",
            b"hello world\n",
            &[0xff; 256],
        ] {
            assert_eq!(classify(head), BinaryFormat::Unknown);
        }
        let e = identify(b"hello").unwrap_err();
        assert_eq!(e.errno(), crate::error::errno::ENOEXEC);
        // Fuzz: never panics.
        let mut x = 0x1234_5678_9abc_def0u64;
        for len in 0..300 {
            let mut v = vec![0u8; len];
            for b in v.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = match x % 5 {
                    0 => b' ',
                    1 => b'\n',
                    2 => 0,
                    _ => x as u8,
                };
            }
            if len >= 2 {
                v[0] = b'#';
                v[1] = b'!';
            }
            let _ = classify(&v);
            let _ = identify(&v);
        }
    }

    #[test]
    fn script_args() {
        let argv = vec![b"./s".to_vec(), b"a".to_vec()];
        assert_eq!(
            script_argv(b"/bin/sh", Some(b"-e"), b"/tmp/s", &argv),
            vec![
                b"/bin/sh".to_vec(),
                b"-e".to_vec(),
                b"/tmp/s".to_vec(),
                b"a".to_vec()
            ]
        );
        assert_eq!(script_argv(b"/bin/sh", None, b"/tmp/s", &[]).len(), 2);
    }
}

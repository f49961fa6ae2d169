//! Hostile and malformed ELF inputs: every one must produce a `LoadError`
//! with the right errno, and nothing may panic.

mod common;

use common::{Ph, Rng, build_elf};
use loader::error::errno::*;
use loader::{LoadError, parse};

fn real_or_crafted() -> Vec<u8> {
    common::host_file("/bin/ls").unwrap_or_else(|| {
        build_elf(
            3,
            0x1000,
            None,
            &[Ph::load(0, 0, 0x2000, 0x3000, 5)],
            0x2000,
        )
    })
}

#[test]
fn truncated_header_at_every_length() {
    let bytes = real_or_crafted();
    for len in 0..=200usize.min(bytes.len()) {
        let e = parse(&bytes[..len]).unwrap_err();
        assert_eq!(e.errno(), ENOEXEC, "len {len}: {e}");
        if len < 4 {
            assert!(matches!(e, LoadError::NotElf), "len {len}: {e:?}");
        }
    }
    // Truncating just before the end of the program-header table.
    let phoff = u64::from_le_bytes(bytes[32..40].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(bytes[56..58].try_into().unwrap()) as usize;
    let e = parse(&bytes[..phoff + phnum * 56 - 1]).unwrap_err();
    assert!(matches!(e, LoadError::Truncated { .. }), "{e:?}");
}

#[test]
fn header_field_errors() {
    let good = build_elf(
        2,
        0x401000,
        None,
        &[Ph::load(0, 0x400000, 0x1000, 0x1000, 5)],
        0x1000,
    );
    assert!(parse(&good).is_ok());

    let mut v = good.clone();
    v[4] = 1;
    let e = parse(&v).unwrap_err();
    assert!(matches!(e, LoadError::Elf32));
    assert_eq!(e.errno(), ENOEXEC);

    let mut v = good.clone();
    v[5] = 2;
    assert!(matches!(parse(&v), Err(LoadError::BadEndian(2))));

    let mut v = good.clone();
    v[18..20].copy_from_slice(&40u16.to_le_bytes());
    assert!(matches!(
        parse(&v),
        Err(LoadError::WrongMachine { machine: 40 })
    ));

    let mut v = good.clone();
    v[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
    assert!(matches!(parse(&v), Err(LoadError::NotExecutable(1))));
    v[16..18].copy_from_slice(&4u16.to_le_bytes()); // ET_CORE
    assert_eq!(parse(&v).unwrap_err().errno(), ENOEXEC);

    let mut v = good.clone();
    v[54..56].copy_from_slice(&32u16.to_le_bytes());
    assert!(matches!(parse(&v), Err(LoadError::BadPhentsize(32))));

    for phnum in [0u16, 1171, 0xffff] {
        let mut v = good.clone();
        v[56..58].copy_from_slice(&phnum.to_le_bytes());
        assert!(
            matches!(parse(&v), Err(LoadError::BadPhnum(n)) if n == phnum),
            "{phnum}"
        );
    }
    // 1170 entries (65520 bytes) is allowed by size but the table is past EOF.
    let mut v = good.clone();
    v[56..58].copy_from_slice(&1170u16.to_le_bytes());
    assert!(matches!(parse(&v), Err(LoadError::Truncated { .. })));

    for phoff in [0x1_0000u64, u64::MAX - 10, u64::MAX] {
        let mut v = good.clone();
        v[32..40].copy_from_slice(&phoff.to_le_bytes());
        let e = parse(&v).unwrap_err();
        assert!(matches!(e, LoadError::Truncated { .. }), "{e:?}");
        assert_eq!(e.errno(), ENOEXEC);
    }
}

#[test]
fn program_header_anywhere() {
    // Program headers at the end of the file, not covered by any PT_LOAD:
    // PT_PHDR provides the address.
    let mut phs = vec![Ph::load(0, 0x400000, 0x1000, 0x1000, 5)];
    phs.push(Ph {
        p_type: common::PT_PHDR,
        flags: 4,
        offset: 0x3000,
        vaddr: 0x403000,
        filesz: 112,
        memsz: 112,
        align: 8,
    });
    let v = build_elf(2, 0x401000, Some(0x3000), &phs, 0x1000);
    let img = parse(&v).unwrap();
    assert_eq!(img.phdr_vaddr, Some(0x403000));
    // Without PT_PHDR: unknown.
    let v = build_elf(2, 0x401000, Some(0x3000), &phs[..1], 0x1000);
    assert_eq!(parse(&v).unwrap().phdr_vaddr, None);
    // Covered by a PT_LOAD: computed like Linux.
    let v = build_elf(2, 0x401000, None, &phs[..1], 0x1000);
    assert_eq!(parse(&v).unwrap().phdr_vaddr, Some(0x400040));
}

#[test]
fn segment_errors() {
    let mk = |ph: Ph| build_elf(3, 0, None, &[ph], 0x2000);

    let e = parse(&mk(Ph::load(0, 0, 0x2000, 0x1000, 4))).unwrap_err();
    assert!(matches!(e, LoadError::FileszExceedsMemsz { .. }));
    assert_eq!(e.errno(), EINVAL);

    let e = parse(&mk(Ph::load(0x10, 0x1000, 0x100, 0x100, 4))).unwrap_err();
    assert!(matches!(e, LoadError::Misaligned { .. }));
    assert_eq!(e.errno(), EINVAL);
    // Congruent but unaligned is fine.
    assert!(parse(&mk(Ph::load(0x10, 0x1010, 0x100, 0x100, 4))).is_ok());

    for (vaddr, memsz) in [
        (u64::MAX - 0xfff, 0x2000),
        (0, u64::MAX),
        (!0xfffu64, 0xfff),
    ] {
        let e = parse(&mk(Ph::load(vaddr & 0xfff, vaddr, 0, memsz, 6))).unwrap_err();
        assert!(
            matches!(e, LoadError::BadSegmentAddress { .. }),
            "{vaddr:#x}: {e:?}"
        );
        assert_eq!(e.errno(), EINVAL);
    }
    // ET_EXEC above TASK_SIZE.
    let v = build_elf(
        2,
        0,
        None,
        &[Ph::load(0, 0x7fff_ffff_f000, 0x10, 0x10, 4)],
        0x1000,
    );
    assert!(matches!(
        parse(&v),
        Err(LoadError::BadSegmentAddress { .. })
    ));

    // No PT_LOAD at all.
    let v = build_elf(
        3,
        0,
        None,
        &[Ph {
            p_type: common::PT_GNU_STACK,
            flags: 6,
            offset: 0,
            vaddr: 0,
            filesz: 0,
            memsz: 0,
            align: 16,
        }],
        0x1000,
    );
    let e = parse(&v).unwrap_err();
    assert!(matches!(e, LoadError::NoLoadSegment));
    assert_eq!(e.errno(), ENOEXEC);

    // Overflowing bias in plan().
    let img = parse(&mk(Ph::load(0, 0x1000, 0x100, 0x100, 4))).unwrap();
    let e = loader::plan(&img, 0x7fff_ffff_f000).unwrap_err();
    assert_eq!(e.errno(), ENOMEM);
    // A "negative" (wrapped) bias is a valid displacement while nothing wraps.
    assert_eq!(
        loader::plan(&img, 0u64.wrapping_sub(0x1000)).unwrap()[0].start,
        0
    );
    assert!(loader::plan(&img, 0u64.wrapping_sub(0x2000)).is_err());
}

#[test]
fn interp_errors() {
    let mk = |path: &[u8], filesz: u64| {
        let mut v = build_elf(
            3,
            0,
            None,
            &[
                Ph {
                    p_type: common::PT_INTERP,
                    flags: 4,
                    offset: 0x200,
                    vaddr: 0x200,
                    filesz,
                    memsz: filesz,
                    align: 1,
                },
                Ph::load(0, 0, 0x1000, 0x1000, 5),
            ],
            0x1000,
        );
        v[0x200..0x200 + path.len()].copy_from_slice(path);
        v
    };
    assert_eq!(
        parse(&mk(b"/lib/ld.so\0", 11)).unwrap().interp.as_deref(),
        Some(&b"/lib/ld.so"[..])
    );
    // Embedded NUL: cut like a C string.
    assert_eq!(
        parse(&mk(b"/a\0bc\0", 6)).unwrap().interp.as_deref(),
        Some(&b"/a"[..])
    );
    for (p, n) in [
        (&b"/lib/ld.so"[..], 10u64),
        (b"x", 1),
        (b"", 0),
        (b"/x\0", 4097),
        (b"/x\0", u64::MAX),
    ] {
        let e = parse(&mk(p, n)).unwrap_err();
        assert!(matches!(e, LoadError::BadInterpPath(_)), "{n}: {e:?}");
        assert_eq!(e.errno(), ENOEXEC);
    }
    // Path past EOF.
    let mut v = mk(b"", 100);
    v.truncate(0x220);
    assert!(matches!(parse(&v), Err(LoadError::Truncated { .. })));
    // As an interpreter, format errors become ELIBBAD.
    let e = loader::parse_interpreter(&b"#!/bin/sh\n"[..]).unwrap_err();
    assert_eq!(e.errno(), ELIBBAD);
    assert!(e.to_string().contains("bad ELF interpreter"), "{e}");
}

#[test]
fn gnu_stack() {
    let gs = |flags| Ph {
        p_type: common::PT_GNU_STACK,
        flags,
        offset: 0,
        vaddr: 0,
        filesz: 0,
        memsz: 0,
        align: 16,
    };
    let load = Ph::load(0, 0, 0x1000, 0x1000, 5);
    let img = parse(&build_elf(3, 0, None, &[load], 0x1000)).unwrap();
    assert!(!img.exec_stack && !img.has_gnu_stack);
    let img = parse(&build_elf(3, 0, None, &[load, gs(6)], 0x1000)).unwrap();
    assert!(!img.exec_stack && img.has_gnu_stack);
    let img = parse(&build_elf(3, 0, None, &[load, gs(7)], 0x1000)).unwrap();
    assert!(img.exec_stack);
}

/// A few thousand deterministic mutations of a real binary's first pages.
#[test]
fn fuzz_mutations_never_panic() {
    let full = real_or_crafted();
    let base: Vec<u8> = full[..full.len().min(16 * 1024)].to_vec();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let interesting = [
        0u64,
        1,
        0x38,
        0x40,
        0xfff,
        0x1000,
        u64::MAX,
        u64::MAX - 0xfff,
        0x7fff_ffff_f000,
        1 << 63,
    ];
    let mut ok = 0;
    for iter in 0..4000 {
        let mut v = base.clone();
        let nmut = 1 + rng.below(8);
        for _ in 0..nmut {
            // Bias mutations towards the ELF header and program headers.
            let region = if rng.below(2) == 0 {
                64 + 56 * 16
            } else {
                v.len() as u64
            };
            let pos = rng.below(region) as usize;
            match rng.below(4) {
                0 => v[pos] = rng.next() as u8,
                1 => v[pos] ^= 1 << rng.below(8),
                2 => {
                    let val = interesting[rng.below(interesting.len() as u64) as usize];
                    let end = (pos + 8).min(v.len());
                    v[pos..end].copy_from_slice(&val.to_le_bytes()[..end - pos]);
                }
                _ => {
                    let val = rng.next() as u16;
                    let end = (pos + 2).min(v.len());
                    v[pos..end].copy_from_slice(&val.to_le_bytes()[..end - pos]);
                }
            }
        }
        if rng.below(8) == 0 {
            v.truncate(rng.below(v.len() as u64 + 1) as usize);
        }
        let _ = loader::classify(&v[..v.len().min(256)]);
        match parse(&v) {
            Ok(img) => {
                ok += 1;
                for bias in [0, loader::load_bias(&img, rng.next()), rng.next()] {
                    if let Ok(maps) = loader::plan(&img, bias) {
                        for m in maps {
                            assert!(m.start % 4096 == 0 && m.len % 4096 == 0 && m.len > 0);
                            assert!(m.start.checked_add(m.len).unwrap() <= loader::TASK_SIZE);
                        }
                        let _ = loader::brk_start(&img, bias);
                    }
                    let _ = loader::entry_address(&img, bias);
                    let _ = loader::phdr_address(&img, bias);
                }
            }
            Err(e) => {
                assert!(e.errno() > 0, "iteration {iter}");
                let _ = e.to_string();
            }
        }
    }
    eprintln!("{ok} of 4000 mutants still parsed");
}

/// Pure random bytes behind a valid magic.
#[test]
fn fuzz_random_headers() {
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let len = rng.below(600) as usize;
        let mut v: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if v.len() >= 20 {
            v[..6].copy_from_slice(b"\x7fELF\x02\x01");
            v[18] = 62;
            v[19] = 0;
            if rng.below(2) == 0 && v.len() >= 64 {
                v[54] = 56;
                v[55] = 0;
                v[56] = rng.below(10) as u8;
                v[57] = 0;
                v[32..40].copy_from_slice(&(rng.below(len as u64)).to_le_bytes());
            }
        }
        let _ = parse(&v).map(|img| loader::plan(&img, 0));
    }
}

//! Parse the host's real executables and compare with `readelf -lW` when available.

mod common;

use loader::{ElfKind, MapSource, ReadAt, parse, plan};
use std::process::Command;

/// Facts from `readelf -lW`, or `None` if readelf is unavailable.
struct Readelf {
    entry: u64,
    loads: Vec<(u64, u64, u64, u64, String)>, // offset, vaddr, filesz, memsz, flags
    interp: Option<String>,
    gnu_stack_flags: Option<String>,
    kind: String,
}

fn readelf(path: &str) -> Option<Readelf> {
    let out = Command::new("readelf").args(["-lW", path]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    let mut r = Readelf {
        entry: 0,
        loads: vec![],
        interp: None,
        gnu_stack_flags: None,
        kind: String::new(),
    };
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Entry point ") {
            r.entry = hex(rest.trim());
        } else if let Some(rest) = t.strip_prefix("Elf file type is ") {
            r.kind = rest.split_whitespace().next().unwrap_or("").to_string();
        } else if let Some(rest) = t.strip_prefix("[Requesting program interpreter: ") {
            r.interp = Some(rest.trim_end_matches(']').to_string());
        } else {
            let f: Vec<&str> = t.split_whitespace().collect();
            if f.first() == Some(&"LOAD") && f.len() >= 8 {
                // Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg... Align
                let flags = f[6..f.len() - 1].concat();
                r.loads
                    .push((hex(f[1]), hex(f[2]), hex(f[4]), hex(f[5]), flags));
            } else if f.first() == Some(&"GNU_STACK") && f.len() >= 8 {
                r.gnu_stack_flags = Some(f[6..f.len() - 1].concat());
            }
        }
    }
    Some(r)
}

fn check_against_readelf(path: &str, img: &loader::ElfImage) {
    let Some(r) = readelf(path) else {
        eprintln!("readelf not available; skipping comparison for {path}");
        return;
    };
    assert_eq!(img.entry, r.entry, "{path}: entry");
    assert_eq!(img.segments.len(), r.loads.len(), "{path}: PT_LOAD count");
    for (s, (off, va, fsz, msz, flags)) in img.segments.iter().zip(&r.loads) {
        assert_eq!(
            (s.offset, s.vaddr, s.filesz, s.memsz),
            (*off, *va, *fsz, *msz),
            "{path}"
        );
        assert_eq!(s.prot.read(), flags.contains('R'), "{path} {flags}");
        assert_eq!(s.prot.write(), flags.contains('W'), "{path} {flags}");
        assert_eq!(s.prot.exec(), flags.contains('E'), "{path} {flags}");
    }
    assert_eq!(
        img.interp
            .as_ref()
            .map(|i| String::from_utf8_lossy(i).into_owned()),
        r.interp,
        "{path}: interp"
    );
    match &r.gnu_stack_flags {
        Some(f) => {
            assert!(img.has_gnu_stack);
            assert_eq!(img.exec_stack, f.contains('E'), "{path}");
        }
        None => assert!(!img.has_gnu_stack),
    }
    let want_kind = match r.kind.as_str() {
        "EXEC" => ElfKind::Exec,
        "DYN" => ElfKind::Dyn,
        other => panic!("{path}: unexpected readelf type {other}"),
    };
    assert_eq!(img.kind, want_kind, "{path}");
}

fn sanity(img: &loader::ElfImage, bytes: &[u8]) {
    assert_eq!(img.phent, 56);
    assert!(img.min_vaddr.is_multiple_of(4096) && img.max_vaddr.is_multiple_of(4096));
    assert!(img.min_vaddr < img.max_vaddr);
    let bias = loader::load_bias(img, 0);
    let maps = plan(img, bias).unwrap();
    assert!(!maps.is_empty());
    for m in &maps {
        assert_eq!(m.start % 4096, 0);
        assert_eq!(m.len % 4096, 0);
        assert!(m.len > 0);
        if let MapSource::File { offset } = m.source {
            assert_eq!(offset % 4096, 0);
            assert!(offset < bytes.len() as u64);
        }
    }
    assert!(loader::brk_start(img, bias) >= maps.iter().map(|m| m.end()).max().unwrap());
}

#[test]
fn bin_ls_is_pie_with_interp() {
    let path = "/bin/ls";
    let Some(bytes) = common::host_file(path) else {
        return;
    };
    assert_eq!(
        loader::classify(&bytes[..256]),
        loader::BinaryFormat::Elf64X86_64
    );
    let img = parse(&bytes).unwrap();
    assert_eq!(img.kind, ElfKind::Dyn);
    assert_eq!(
        img.interp.as_deref(),
        Some(&b"/lib64/ld-linux-x86-64.so.2"[..])
    );
    assert!(img.segments.len() >= 2);
    assert!(img.phdr_vaddr.is_some());
    assert!(!img.exec_stack);
    // Parsing through a real File gives the same result.
    let f = std::fs::File::open(path).unwrap();
    assert_eq!(ReadAt::len(&f), bytes.len() as u64);
    assert_eq!(parse(&f).unwrap(), img);
    // PIE without ASLR lands at 0x555555554000 (min_vaddr is 0).
    assert_eq!(img.min_vaddr, 0);
    assert_eq!(loader::load_bias(&img, 0), 0x5555_5555_4000);
    assert_eq!(
        loader::phdr_address(&img, 0x5555_5555_4000),
        Some(0x5555_5555_4000 + img.phdr_vaddr.unwrap())
    );
    sanity(&img, &bytes);
    check_against_readelf(path, &img);
}

#[test]
fn ld_so_is_dyn_without_interp() {
    let path = "/lib64/ld-linux-x86-64.so.2";
    let Some(bytes) = common::host_file(path) else {
        return;
    };
    let img = loader::parse_interpreter(&bytes).unwrap();
    assert_eq!(img.kind, ElfKind::Dyn);
    assert_eq!(img.interp, None);
    sanity(&img, &bytes);
    check_against_readelf(path, &img);
}

#[test]
fn static_binaries() {
    // ldconfig is static-pie on Debian/Ubuntu; also look for a classic
    // static ET_EXEC in /bin (e.g. Go binaries).
    let mut found_exec = false;
    let mut candidates = vec!["/sbin/ldconfig".to_string()];
    if let Ok(rd) = std::fs::read_dir("/bin") {
        let mut names: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        names.sort();
        candidates.extend(names.into_iter().map(|p| p.display().to_string()));
    }
    let mut checked = 0;
    for path in candidates {
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        let Ok(img) = parse(&f) else { continue };
        if img.interp.is_some() {
            continue;
        }
        if path.ends_with("ldconfig") || (img.kind == ElfKind::Exec && !found_exec) {
            found_exec |= img.kind == ElfKind::Exec;
            let bytes = std::fs::read(&path).unwrap();
            if img.kind == ElfKind::Exec {
                assert_eq!(loader::load_bias(&img, 12345), 0);
            }
            sanity(&img, &bytes);
            check_against_readelf(&path, &img);
            checked += 1;
        }
        if found_exec && checked >= 2 {
            break;
        }
    }
    eprintln!("checked {checked} static binaries (ET_EXEC found: {found_exec})");
}

#[test]
fn many_host_binaries_match_readelf() {
    if readelf("/bin/ls").is_none() {
        eprintln!("readelf unavailable; skipping");
        return;
    }
    let Ok(rd) = std::fs::read_dir("/usr/bin") else {
        return;
    };
    let mut names: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    let mut n = 0;
    for p in names {
        let path = p.display().to_string();
        let Ok(f) = std::fs::File::open(&p) else {
            continue;
        };
        let mut head = [0u8; 256];
        let len = ReadAt::read_at(&f, 0, &mut head).unwrap_or(0);
        if loader::classify(&head[..len]) != loader::BinaryFormat::Elf64X86_64 {
            continue;
        }
        let img = parse(&f).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_against_readelf(&path, &img);
        n += 1;
        if n >= 40 {
            break;
        }
    }
    eprintln!("compared {n} binaries with readelf");
}

//! Shared helpers for the loader integration tests: a tiny ELF64 builder and
//! a deterministic xorshift PRNG.
#![allow(dead_code)]

/// A program header to put into a crafted ELF.
#[derive(Clone, Copy)]
pub struct Ph {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

pub const PT_LOAD: u32 = 1;
pub const PT_INTERP: u32 = 3;
pub const PT_PHDR: u32 = 6;
pub const PT_GNU_STACK: u32 = 0x6474_e551;

impl Ph {
    pub fn load(offset: u64, vaddr: u64, filesz: u64, memsz: u64, flags: u32) -> Ph {
        Ph {
            p_type: PT_LOAD,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
            align: 0x1000,
        }
    }
}

/// Build an ELF64 LE x86_64 file: header, phdrs at `phoff` (64 if `None`),
/// zero-padded to `total_len`.
pub fn build_elf(
    e_type: u16,
    entry: u64,
    phoff: Option<u64>,
    phs: &[Ph],
    total_len: usize,
) -> Vec<u8> {
    let phoff = phoff.unwrap_or(64);
    let mut v = vec![0u8; total_len.max(phoff as usize + phs.len() * 56)];
    v[..4].copy_from_slice(b"\x7fELF");
    v[4] = 2;
    v[5] = 1;
    v[6] = 1;
    v[16..18].copy_from_slice(&e_type.to_le_bytes());
    v[18..20].copy_from_slice(&62u16.to_le_bytes());
    v[20..24].copy_from_slice(&1u32.to_le_bytes());
    v[24..32].copy_from_slice(&entry.to_le_bytes());
    v[32..40].copy_from_slice(&phoff.to_le_bytes());
    v[52..54].copy_from_slice(&64u16.to_le_bytes());
    v[54..56].copy_from_slice(&56u16.to_le_bytes());
    v[56..58].copy_from_slice(&(phs.len() as u16).to_le_bytes());
    for (i, ph) in phs.iter().enumerate() {
        let o = phoff as usize + i * 56;
        v[o..o + 4].copy_from_slice(&ph.p_type.to_le_bytes());
        v[o + 4..o + 8].copy_from_slice(&ph.flags.to_le_bytes());
        v[o + 8..o + 16].copy_from_slice(&ph.offset.to_le_bytes());
        v[o + 16..o + 24].copy_from_slice(&ph.vaddr.to_le_bytes());
        v[o + 24..o + 32].copy_from_slice(&ph.vaddr.to_le_bytes());
        v[o + 32..o + 40].copy_from_slice(&ph.filesz.to_le_bytes());
        v[o + 40..o + 48].copy_from_slice(&ph.memsz.to_le_bytes());
        v[o + 48..o + 56].copy_from_slice(&ph.align.to_le_bytes());
    }
    v
}

/// Deterministic xorshift64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Read a host file, or `None` (test then skips) if it does not exist.
pub fn host_file(path: &str) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(v) => Some(v),
        Err(e) => {
            eprintln!("skipping {path}: {e}");
            None
        }
    }
}

//! A hand-rolled zip writer for hostile test packages: duplicate names,
//! headers that lie about sizes, symlink entries, hand-made deflate streams.
//! A well-behaved zip library refuses to write these, which is the point.

use std::path::Path;

/// One entry, written exactly as described.
pub struct RawEntry {
    pub name: Vec<u8>,
    pub data: Vec<u8>,
    /// 0 stored, 8 deflated.
    pub method: u16,
    /// The uncompressed size the headers declare.
    pub size: u32,
    pub crc: u32,
    /// Unix mode, e.g. `0o120777` for a symlink.
    pub mode: Option<u32>,
}

/// A stored entry with honest headers.
pub fn stored(name: &str, data: &[u8]) -> RawEntry {
    RawEntry {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        method: 0,
        size: data.len() as u32,
        crc: crc32(data),
        mode: None,
    }
}

/// CRC-32 (IEEE), bit by bit.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A raw deflate stream that expands to `mib` MiB of zeros, built without
/// compressing them all: one MiB is compressed and sync-flushed, and the
/// byte-aligned chunk of the second (which only refers back to the window)
/// is repeated. About 1,000× expansion.
pub fn deflate_zeros(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let chunk = |c: &mut Compress, input: &[u8], flush| {
        let mut out = Vec::with_capacity(64 * 1024);
        let before = c.total_in();
        loop {
            let consumed = (c.total_in() - before) as usize;
            c.compress_vec(&input[consumed..], &mut out, flush).unwrap();
            if (c.total_in() - before) as usize == input.len() && out.len() < out.capacity() {
                return out;
            }
            out.reserve(64 * 1024);
        }
    };
    let mut stream = chunk(&mut c, &zeros, FlushCompress::Sync);
    let steady = chunk(&mut c, &zeros, FlushCompress::Sync);
    for _ in 1..mib {
        stream.extend_from_slice(&steady);
    }
    stream.extend_from_slice(&chunk(&mut c, &[], FlushCompress::Finish));
    stream
}

/// Writes `entries` as a zip file at `path`.
pub fn write_raw(path: &Path, entries: &[RawEntry]) {
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    let u16le = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let u32le = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for e in entries {
        let offset = out.len() as u32;
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20);
        u16le(&mut out, 0x0800);
        u16le(&mut out, e.method);
        u16le(&mut out, 0);
        u16le(&mut out, 0x21);
        u32le(&mut out, e.crc);
        u32le(&mut out, e.data.len() as u32);
        u32le(&mut out, e.size);
        u16le(&mut out, e.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);

        u32le(&mut central, 0x0201_4b50);
        u16le(
            &mut central,
            if e.mode.is_some() { (3 << 8) | 20 } else { 20 },
        );
        u16le(&mut central, 20);
        u16le(&mut central, 0x0800);
        u16le(&mut central, e.method);
        u16le(&mut central, 0);
        u16le(&mut central, 0x21);
        u32le(&mut central, e.crc);
        u32le(&mut central, e.data.len() as u32);
        u32le(&mut central, e.size);
        u16le(&mut central, e.name.len() as u16);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u32le(&mut central, e.mode.map(|m| m << 16).unwrap_or(0));
        u32le(&mut central, offset);
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, entries.len() as u16);
    u16le(&mut out, entries.len() as u16);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    std::fs::write(path, out).unwrap();
}

//! Reading the zip's central directory ourselves, before and beside the zip
//! library: the entry count and directory size it declares (so a hostile
//! directory is refused before anything is allocated for it), and every
//! name as stored (the library keeps one entry per name, hiding duplicates).

use std::io::{Read, Seek, SeekFrom};

/// What the end-of-central-directory record declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeclaredDirectory {
    /// Number of entries.
    pub entries: u64,
    /// Bytes of the central directory.
    pub size: u64,
}

const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
const ZIP64_LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
const ZIP64_EOCD: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];

fn u16_at(b: &[u8], i: usize) -> u64 {
    u16::from_le_bytes([b[i], b[i + 1]]) as u64
}

fn u32_at(b: &[u8], i: usize) -> u64 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// The entry count and directory size the zip declares, from the last
/// end-of-central-directory record (and its ZIP64 record when the fields
/// say so). `None` if there is no such record: the zip library then says
/// what is wrong.
pub(crate) fn declared_directory<R: Read + Seek>(
    r: &mut R,
) -> std::io::Result<Option<DeclaredDirectory>> {
    let len = r.seek(SeekFrom::End(0))?;
    // The record is 22 bytes plus a comment of at most 65,535.
    let tail_len = len.min(22 + 65_535);
    r.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    r.read_exact(&mut tail)?;
    let Some(at) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == EOCD)
    else {
        return Ok(None);
    };
    let e = &tail[at..at + 22];
    let mut d = DeclaredDirectory {
        entries: u16_at(e, 10),
        size: u32_at(e, 12),
    };
    if d.entries == 0xffff || d.size == 0xffff_ffff || u32_at(e, 16) == 0xffff_ffff {
        let eocd_pos = len - tail_len + at as u64;
        if eocd_pos >= 20 {
            let mut loc = [0u8; 20];
            r.seek(SeekFrom::Start(eocd_pos - 20))?;
            r.read_exact(&mut loc)?;
            if loc[..4] == ZIP64_LOCATOR {
                let mut rec = [0u8; 56];
                r.seek(SeekFrom::Start(u64_at(&loc, 8)))?;
                if r.read_exact(&mut rec).is_ok() && rec[..4] == ZIP64_EOCD {
                    d.entries = d.entries.max(u64_at(&rec, 32));
                    d.size = d.size.max(u64_at(&rec, 40));
                }
            }
        }
    }
    Ok(Some(d))
}

/// Every entry name in the central directory, as stored, up to `max` of
/// them. The zip library keeps one entry per name, so this is the only way
/// to see a second `imsmanifest.xml` that an extractor might take instead.
/// Stops after `max` names or `max_bytes` of directory.
pub(crate) fn raw_names<R: Read + Seek>(
    r: &mut R,
    start: u64,
    max: usize,
    max_bytes: u64,
) -> std::io::Result<Vec<Vec<u8>>> {
    r.seek(SeekFrom::Start(start))?;
    let mut out = Vec::new();
    let mut header = [0u8; 46];
    let mut bytes: u64 = 0;
    while out.len() < max && bytes <= max_bytes {
        if r.read_exact(&mut header).is_err() || header[..4] != [0x50, 0x4b, 0x01, 0x02] {
            break;
        }
        let le = |i: usize| u16::from_le_bytes([header[i], header[i + 1]]) as usize;
        let (name_len, rest) = (le(28), le(30) + le(32));
        bytes += (46 + name_len + rest) as u64;
        let mut name = vec![0u8; name_len];
        r.read_exact(&mut name)?;
        r.seek(SeekFrom::Current(rest as i64))?;
        out.push(name);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn eocd(entries: u16, size: u32, offset: u32) -> Vec<u8> {
        let mut v = EOCD.to_vec();
        v.extend_from_slice(&[0, 0, 0, 0]);
        v.extend_from_slice(&entries.to_le_bytes());
        v.extend_from_slice(&entries.to_le_bytes());
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(&offset.to_le_bytes());
        v.extend_from_slice(&[0, 0]);
        v
    }

    #[test]
    fn reads_the_declared_count_and_size() {
        let mut z = vec![0u8; 100];
        z.extend(eocd(7, 300, 0));
        let d = declared_directory(&mut Cursor::new(z)).unwrap().unwrap();
        assert_eq!(
            d,
            DeclaredDirectory {
                entries: 7,
                size: 300
            }
        );
        assert_eq!(
            declared_directory(&mut Cursor::new(b"hello".to_vec())).unwrap(),
            None
        );
    }

    /// A ZIP64 record can declare billions of entries in a zip of a few
    /// hundred bytes; the count is seen before anything is allocated.
    #[test]
    fn reads_a_zip64_count() {
        let mut z = Vec::new();
        let rec_at = z.len() as u64;
        z.extend_from_slice(&ZIP64_EOCD);
        z.extend_from_slice(&44u64.to_le_bytes());
        z.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&4_000_000_000u64.to_le_bytes());
        z.extend_from_slice(&4_000_000_000u64.to_le_bytes());
        z.extend_from_slice(&1_000u64.to_le_bytes());
        z.extend_from_slice(&0u64.to_le_bytes());
        z.extend_from_slice(&ZIP64_LOCATOR);
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(&rec_at.to_le_bytes());
        z.extend_from_slice(&1u32.to_le_bytes());
        z.extend(eocd(0xffff, 0xffff_ffff, 0xffff_ffff));
        let d = declared_directory(&mut Cursor::new(z)).unwrap().unwrap();
        assert_eq!(d.entries, 4_000_000_000);
    }
}

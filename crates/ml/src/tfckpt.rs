//! A minimal reader of TensorFlow (TF-1 "V2" format) checkpoints: `<prefix>.index` is a
//! LevelDB-style sorted table (uncompressed blocks) mapping tensor names to
//! `BundleEntryProto`s; `<prefix>.data-00000-of-00001` holds the raw little-endian tensors.
//!
//! Only what musicnn needs: single shard, `DT_FLOAT` tensors, no slices. Everything read from
//! the files is bounds-checked; a malformed file is an error, never a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::MlError;

/// One float tensor from a checkpoint.
#[derive(Debug, Clone)]
pub struct CkptTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

#[derive(Debug, Clone)]
struct Entry {
    dtype: u64,
    shape: Vec<usize>,
    shard: u64,
    offset: u64,
    size: u64,
}

fn bad(path: &Path, what: &str) -> MlError {
    MlError::Checkpoint {
        path: path.to_path_buf(),
        reason: what.to_string(),
    }
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn u32_le(buf: &[u8], pos: usize) -> Option<u32> {
    let b = buf.get(pos..pos + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Key/value pairs of one table block (`content` excludes the 5-byte trailer).
fn block_entries(content: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let n = content.len();
    let num_restarts = u32_le(content, n.checked_sub(4)?)? as usize;
    let restarts_start = n.checked_sub(4 + 4 * num_restarts)?;
    let mut pos = 0;
    let mut out = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    while pos < restarts_start {
        let shared = varint(content, &mut pos)? as usize;
        let non_shared = varint(content, &mut pos)? as usize;
        let vlen = varint(content, &mut pos)? as usize;
        if shared > key.len() {
            return None;
        }
        key.truncate(shared);
        key.extend_from_slice(content.get(pos..pos.checked_add(non_shared)?)?);
        pos += non_shared;
        let v = content.get(pos..pos.checked_add(vlen)?)?.to_vec();
        pos += vlen;
        out.push((key.clone(), v));
    }
    Some(out)
}

fn block_handle(buf: &[u8], pos: &mut usize) -> Option<(usize, usize)> {
    let off = varint(buf, pos)? as usize;
    let size = varint(buf, pos)? as usize;
    Some((off, size))
}

fn block_content(file: &[u8], handle: (usize, usize)) -> Option<&[u8]> {
    let (off, size) = handle;
    let content = file.get(off..off.checked_add(size)?)?;
    // trailer: 1 byte compression type (0 = none) + 4 bytes crc
    let ctype = *file.get(off + size)?;
    if ctype != 0 {
        return None;
    }
    Some(content)
}

/// Parse a `BundleEntryProto`.
fn parse_entry(v: &[u8]) -> Option<Entry> {
    let mut e = Entry {
        dtype: 0,
        shape: Vec::new(),
        shard: 0,
        offset: 0,
        size: 0,
    };
    let mut pos = 0;
    while pos < v.len() {
        let tag = varint(v, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let x = varint(v, &mut pos)?;
                match field {
                    1 => e.dtype = x,
                    3 => e.shard = x,
                    4 => e.offset = x,
                    5 => e.size = x,
                    _ => {}
                }
            }
            2 => {
                let len = varint(v, &mut pos)? as usize;
                let sub = v.get(pos..pos.checked_add(len)?)?;
                pos += len;
                if field == 2 {
                    e.shape = parse_shape(sub)?;
                } else if field == 7 {
                    // slices: unsupported (partitioned variables)
                    return None;
                }
            }
            5 => pos += 4,
            1 => pos += 8,
            _ => return None,
        }
    }
    Some(e)
}

/// `TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3 }`, `Dim { int64 size = 1 }`.
fn parse_shape(v: &[u8]) -> Option<Vec<usize>> {
    let mut dims = Vec::new();
    let mut pos = 0;
    while pos < v.len() {
        let tag = varint(v, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                varint(v, &mut pos)?;
            }
            2 => {
                let len = varint(v, &mut pos)? as usize;
                let sub = v.get(pos..pos.checked_add(len)?)?;
                pos += len;
                if field == 2 {
                    let mut p = 0;
                    let mut size = 0u64;
                    while p < sub.len() {
                        let t = varint(sub, &mut p)?;
                        match t & 7 {
                            0 => {
                                let x = varint(sub, &mut p)?;
                                if t >> 3 == 1 {
                                    size = x;
                                }
                            }
                            2 => {
                                let l = varint(sub, &mut p)? as usize;
                                p += l;
                            }
                            _ => return None,
                        }
                    }
                    dims.push(usize::try_from(size).ok()?);
                }
            }
            _ => return None,
        }
    }
    Some(dims)
}

/// A TensorFlow checkpoint opened from its prefix (e.g. `.../MSD_musicnn/`).
pub struct Checkpoint {
    index_path: PathBuf,
    data_path: PathBuf,
    entries: BTreeMap<String, Entry>,
}

impl Checkpoint {
    /// Open `<prefix>.index`; the data shard is read lazily by [`Checkpoint::load_all`].
    pub fn open(prefix: &str) -> Result<Self, MlError> {
        let index_path = PathBuf::from(format!("{prefix}.index"));
        let data_path = PathBuf::from(format!("{prefix}.data-00000-of-00001"));
        let file = std::fs::read(&index_path).map_err(|source| MlError::Io {
            path: index_path.clone(),
            source,
        })?;
        let entries =
            Self::parse_index(&file).ok_or_else(|| bad(&index_path, "malformed index"))?;
        Ok(Self {
            index_path,
            data_path,
            entries,
        })
    }

    fn parse_index(file: &[u8]) -> Option<BTreeMap<String, Entry>> {
        const FOOTER: usize = 48;
        const MAGIC: u64 = 0xdb47_7524_8b80_fb57;
        let n = file.len();
        let footer = file.get(n.checked_sub(FOOTER)?..)?;
        let magic = u64::from_le_bytes(footer.get(40..48)?.try_into().ok()?);
        if magic != MAGIC {
            return None;
        }
        let mut pos = 0;
        let _meta = block_handle(footer, &mut pos)?;
        let index = block_handle(footer, &mut pos)?;
        let index_entries = block_entries(block_content(file, index)?)?;
        let mut out = BTreeMap::new();
        for (_k, v) in index_entries {
            let mut p = 0;
            let h = block_handle(&v, &mut p)?;
            for (key, val) in block_entries(block_content(file, h)?)? {
                if key.is_empty() {
                    continue; // BundleHeaderProto
                }
                let name = String::from_utf8(key).ok()?;
                out.insert(name, parse_entry(&val)?);
            }
        }
        Some(out)
    }

    /// Names of all tensors (including optimizer slots).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Load every float tensor whose name passes `keep`.
    pub fn load_all(
        &self,
        keep: impl Fn(&str) -> bool,
    ) -> Result<BTreeMap<String, CkptTensor>, MlError> {
        let data = std::fs::read(&self.data_path).map_err(|source| MlError::Io {
            path: self.data_path.clone(),
            source,
        })?;
        let mut out = BTreeMap::new();
        for (name, e) in &self.entries {
            if !keep(name) {
                continue;
            }
            if e.dtype != 1 || e.shard != 0 {
                return Err(bad(
                    &self.index_path,
                    &format!(
                        "tensor {name}: unsupported dtype {} / shard {}",
                        e.dtype, e.shard
                    ),
                ));
            }
            let count: usize = e.shape.iter().product();
            let (off, size) = (e.offset as usize, e.size as usize);
            if size != count * 4 {
                return Err(bad(
                    &self.index_path,
                    &format!("tensor {name}: size mismatch"),
                ));
            }
            let bytes = data
                .get(off..off.saturating_add(size))
                .filter(|b| b.len() == size)
                .ok_or_else(|| bad(&self.data_path, &format!("tensor {name} out of range")))?;
            let vals = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            out.insert(
                name.clone(),
                CkptTensor {
                    shape: e.shape.clone(),
                    data: vals,
                },
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_decodes_multibyte() {
        let mut p = 0;
        assert_eq!(varint(&[0xac, 0x02], &mut p), Some(300));
        assert_eq!(p, 2);
        let mut p = 0;
        assert_eq!(varint(&[0x80], &mut p), None);
    }

    #[test]
    fn block_with_prefix_compression() {
        // two entries: "ab"->"1", "ac"->"22" (shares 1 byte), one restart at 0
        let mut b = vec![0, 2, 1, b'a', b'b', b'1', 1, 1, 2, b'c', b'2', b'2'];
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        let e = block_entries(&b).unwrap_or_default();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].0, b"ac".to_vec());
        assert_eq!(e[1].1, b"22".to_vec());
    }

    #[test]
    fn garbage_index_is_an_error_not_a_panic() {
        assert!(Checkpoint::parse_index(&[1, 2, 3]).is_none());
        assert!(Checkpoint::parse_index(&[0u8; 100]).is_none());
        let mut f = vec![0xffu8; 60];
        f.extend_from_slice(&0xdb47_7524_8b80_fb57u64.to_le_bytes());
        assert!(Checkpoint::parse_index(&f).is_none());
    }
}

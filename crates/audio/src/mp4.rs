//! Minimal ISO-BMFF reader for gapless info: the first sound track's edit list (`elst`).
//!
//! Encoders (ffmpeg, iTunes/Apple, fdkaac) write an edit whose `media_time` is the encoder
//! delay (priming, typically 1024 or 2112 frames for AAC) and whose `segment_duration` is
//! the real length. Symphonia 0.5 ignores it, so decoded AAC starts with ~1024+ frames of
//! priming; [`read_gapless`] returns what to drop. Bounded: at most 4096 boxes are visited
//! and only headers plus the small `mvhd`/`mdhd`/`hdlr`/`elst` payloads are read.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Gapless trimming, in frames of the track's media timescale (usually the sample rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mp4Gapless {
    pub media_timescale: u32,
    /// Frames to drop at the start (edit `media_time`).
    pub priming: u64,
    /// Frames to keep after the priming (edit `segment_duration`, converted), if given.
    pub valid: Option<u64>,
}

impl Mp4Gapless {
    /// Priming and valid length converted to frames at `sample_rate`.
    pub fn in_frames(&self, sample_rate: u32) -> (u64, Option<u64>) {
        let conv = |v: u64| -> u64 {
            if self.media_timescale == sample_rate || self.media_timescale == 0 {
                v
            } else {
                ((v as u128 * sample_rate as u128) / self.media_timescale as u128) as u64
            }
        };
        (conv(self.priming), self.valid.map(conv))
    }
}

struct Walker<R> {
    r: R,
    visited: usize,
}

const MAX_BOXES: usize = 4096;

impl<R: Read + Seek> Walker<R> {
    /// Children of the box spanning [start, end): (type, payload_start, payload_end).
    fn children(&mut self, start: u64, end: u64) -> std::io::Result<Vec<([u8; 4], u64, u64)>> {
        let mut out = Vec::new();
        let mut pos = start;
        while pos + 8 <= end && self.visited < MAX_BOXES {
            self.visited += 1;
            self.r.seek(SeekFrom::Start(pos))?;
            let mut h = [0u8; 8];
            self.r.read_exact(&mut h)?;
            let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as u64;
            let typ = [h[4], h[5], h[6], h[7]];
            let (size, header) = match size32 {
                0 => (end - pos, 8),
                1 => {
                    let mut b = [0u8; 8];
                    self.r.read_exact(&mut b)?;
                    (u64::from_be_bytes(b), 16)
                }
                s => (s, 8),
            };
            if size < header || pos.saturating_add(size) > end {
                break;
            }
            out.push((typ, pos + header, pos + size));
            pos += size;
        }
        Ok(out)
    }

    fn payload(&mut self, start: u64, end: u64, max: u64) -> std::io::Result<Vec<u8>> {
        let len = (end - start).min(max) as usize;
        let mut buf = vec![0u8; len];
        self.r.seek(SeekFrom::Start(start))?;
        self.r.read_exact(&mut buf)?;
        Ok(buf)
    }
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}
fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_be_bytes(a)
    })
}

/// Timescale from `mvhd`/`mdhd` (version 0 or 1 full boxes).
fn timescale(p: &[u8]) -> Option<u32> {
    match p.first()? {
        1 => be_u32(p, 20),
        _ => be_u32(p, 12),
    }
}

/// First edit with media_time >= 0: (segment_duration in movie timescale, media_time).
fn first_edit(p: &[u8]) -> Option<(u64, i64)> {
    let version = *p.first()?;
    let count = be_u32(p, 4)?;
    let mut at = 8;
    for _ in 0..count.min(64) {
        let (dur, mt, step) = if version == 1 {
            (be_u64(p, at)?, be_u64(p, at + 8)? as i64, 20)
        } else {
            (be_u32(p, at)? as u64, be_u32(p, at + 4)? as i32 as i64, 12)
        };
        if mt >= 0 {
            return Some((dur, mt));
        }
        at += step;
    }
    None
}

/// Reads the gapless edit of the first sound track, `Ok(None)` when there is none.
pub fn read_gapless(path: &Path) -> std::io::Result<Option<Mp4Gapless>> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    read_gapless_from(std::io::BufReader::new(f), len)
}

pub fn read_gapless_from<R: Read + Seek>(r: R, len: u64) -> std::io::Result<Option<Mp4Gapless>> {
    let mut w = Walker { r, visited: 0 };
    let top = w.children(0, len)?;
    let Some(&(_, ms, me)) = top.iter().find(|b| &b.0 == b"moov") else {
        return Ok(None);
    };
    let moov = w.children(ms, me)?;
    let mut movie_ts = None;
    if let Some(&(_, s, e)) = moov.iter().find(|b| &b.0 == b"mvhd") {
        movie_ts = timescale(&w.payload(s, e, 64)?);
    }
    for &(typ, ts, te) in &moov {
        if &typ != b"trak" {
            continue;
        }
        let trak = w.children(ts, te)?;
        let Some(&(_, ds, de)) = trak.iter().find(|b| &b.0 == b"mdia") else {
            continue;
        };
        let mdia = w.children(ds, de)?;
        let is_sound = match mdia.iter().find(|b| &b.0 == b"hdlr") {
            Some(&(_, s, e)) => w.payload(s, e, 16)?.get(8..12) == Some(b"soun"),
            None => false,
        };
        if !is_sound {
            continue;
        }
        let media_ts = match mdia.iter().find(|b| &b.0 == b"mdhd") {
            Some(&(_, s, e)) => timescale(&w.payload(s, e, 64)?),
            None => None,
        };
        let Some(media_ts) = media_ts else {
            return Ok(None);
        };
        let Some(&(_, es, ee)) = trak.iter().find(|b| &b.0 == b"edts") else {
            return Ok(None);
        };
        let edts = w.children(es, ee)?;
        let Some(&(_, ls, le)) = edts.iter().find(|b| &b.0 == b"elst") else {
            return Ok(None);
        };
        let Some((dur, mt)) = first_edit(&w.payload(ls, le, 4096)?) else {
            return Ok(None);
        };
        let valid = match movie_ts {
            Some(mts) if mts > 0 && dur > 0 => {
                Some(((dur as u128 * media_ts as u128) / mts as u128) as u64)
            }
            _ => None,
        };
        return Ok(Some(Mp4Gapless {
            media_timescale: media_ts,
            priming: mt.max(0) as u64,
            valid,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(typ: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(typ);
        v.extend_from_slice(payload);
        v
    }

    fn full(version: u8, rest: &[u8]) -> Vec<u8> {
        let mut v = vec![version, 0, 0, 0];
        v.extend_from_slice(rest);
        v
    }

    fn movie(media_time: u32, seg_dur: u32) -> Vec<u8> {
        let mut mvhd = vec![0u8; 8];
        mvhd.extend_from_slice(&1000u32.to_be_bytes()); // movie timescale 1000
        mvhd.extend_from_slice(&[0u8; 80]);
        let mut mdhd = vec![0u8; 8];
        mdhd.extend_from_slice(&44100u32.to_be_bytes());
        mdhd.extend_from_slice(&[0u8; 8]);
        let mut hdlr = vec![0u8; 4];
        hdlr.extend_from_slice(b"soun");
        hdlr.extend_from_slice(&[0u8; 13]);
        let mut elst = 1u32.to_be_bytes().to_vec();
        elst.extend_from_slice(&seg_dur.to_be_bytes());
        elst.extend_from_slice(&media_time.to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        let mdia = [
            boxed(b"mdhd", &full(0, &mdhd)),
            boxed(b"hdlr", &full(0, &hdlr)),
        ]
        .concat();
        let trak = [
            boxed(b"edts", &boxed(b"elst", &full(0, &elst))),
            boxed(b"mdia", &mdia),
        ]
        .concat();
        let moov = [boxed(b"mvhd", &full(0, &mvhd)), boxed(b"trak", &trak)].concat();
        [
            boxed(b"ftyp", b"M4A \0\0\0\0"),
            boxed(b"moov", &moov),
            boxed(b"mdat", &[0u8; 100]),
        ]
        .concat()
    }

    #[test]
    fn reads_priming_and_duration() {
        let f = movie(1024, 2000); // 2 s in movie timescale 1000
        let g = read_gapless_from(Cursor::new(&f), f.len() as u64)
            .expect("io")
            .expect("edit");
        assert_eq!(
            g,
            Mp4Gapless {
                media_timescale: 44100,
                priming: 1024,
                valid: Some(88200)
            }
        );
        assert_eq!(g.in_frames(22050), (512, Some(44100)));
    }

    #[test]
    fn garbage_is_none_not_panic() {
        for seed in 0..50u32 {
            let mut f = movie(1024, 2000);
            let i = (seed as usize * 7919) % f.len();
            f[i] ^= 0xff;
            f.truncate(f.len() - (seed as usize % 40));
            let _ = read_gapless_from(Cursor::new(&f), f.len() as u64);
        }
        let junk = vec![0xffu8; 300];
        assert!(read_gapless_from(Cursor::new(&junk), 300)
            .map(|o| o.is_none())
            .unwrap_or(true));
    }
}

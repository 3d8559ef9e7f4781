//! File metadata via lofty, with a file-name fallback ("Artist - Title").

use crate::error::AudioError;
use lofty::prelude::*;
use lofty::tag::{ItemKey, ItemValue};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Tags as found in the file (title/artist fall back to the file name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    pub year: Option<i32>,
    pub comment: Option<String>,
    /// BPM tag (`TBPM`, `BPM`, MP4 `tmpo`), if plausible (20–400).
    pub bpm: Option<f64>,
    /// Key tag as written (`TKEY`, `INITIALKEY`, ...), not normalised.
    pub key: Option<String>,
    /// True when title/artist came from the file name, not from tags.
    pub from_filename: bool,
}

fn clean(s: &str) -> Option<String> {
    let t = s.trim().trim_matches('\0').trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// "Artist - Title.ext" -> (Some(artist), title); otherwise (None, stem).
pub fn parse_artist_title_from_filename(path: &Path) -> (Option<String>, Option<String>) {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return (None, None);
    };
    let stem = stem.replace('_', " ");
    for sep in [" - ", " – ", " — "] {
        if let Some((a, t)) = stem.split_once(sep) {
            // Strip a leading track number like "01 " or "01. " from the artist part.
            let a = a
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches(['.', ' ']);
            let a = if a.is_empty() { None } else { clean(a) };
            return (a, clean(t));
        }
    }
    (None, clean(&stem))
}

fn parse_bpm(s: &str) -> Option<f64> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    (20.0..=400.0).contains(&v).then_some(v)
}

/// Reads tags. A file without tags (or whose tags cannot be parsed) yields the file-name
/// fallback; only I/O failure is an error.
pub fn read_tags(path: &Path) -> Result<Tags, AudioError> {
    std::fs::metadata(path).map_err(|source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut tags = Tags::default();
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let pr = lofty::probe::Probe::open(path).ok()?;
        let pr = pr
            .options(
                lofty::config::ParseOptions::new()
                    .read_properties(false)
                    .read_cover_art(false),
            )
            .guess_file_type()
            .ok()?;
        pr.read().ok()
    }));
    if let Ok(Some(file)) = parsed {
        for tag in file.primary_tag().into_iter().chain(file.tags().iter()) {
            fill_from(&mut tags, tag);
        }
    }
    if tags.comment.is_none() {
        // lofty's generic tag drops TXXX frames whose description is not a known key, and
        // ffmpeg writes ID3 comments as TXXX:comment: read the ID3v2 frames directly.
        tags.comment = std::panic::catch_unwind(|| id3_user_comment(path))
            .ok()
            .flatten();
    }
    if tags.title.is_none() || tags.artist.is_none() {
        let (a, t) = parse_artist_title_from_filename(path);
        if tags.title.is_none() {
            tags.title = t;
            tags.from_filename = true;
        }
        if tags.artist.is_none() && a.is_some() {
            tags.artist = a;
            tags.from_filename = true;
        }
    }
    Ok(tags)
}

fn fill_from(tags: &mut Tags, tag: &lofty::tag::Tag) {
    let s = |k: ItemKey| tag.get_string(k).and_then(clean);
    if tags.title.is_none() {
        tags.title = s(ItemKey::TrackTitle);
    }
    if tags.artist.is_none() {
        tags.artist = s(ItemKey::TrackArtist).or_else(|| s(ItemKey::AlbumArtist));
    }
    if tags.album.is_none() {
        tags.album = s(ItemKey::AlbumTitle);
    }
    if tags.genre.is_none() {
        tags.genre = s(ItemKey::Genre);
    }
    if tags.year.is_none() {
        tags.year = tag
            .date()
            .map(|d| d.year as i32)
            .filter(|y| *y > 0)
            .or_else(|| s(ItemKey::Year).and_then(|y| y.get(..4).and_then(|x| x.parse().ok())));
    }
    if tags.comment.is_none() {
        tags.comment = s(ItemKey::Comment)
            .or_else(|| s(ItemKey::Description))
            .or_else(|| {
                // ffmpeg writes ID3 comments as TXXX:comment (a user text frame).
                tag.items()
                    .find(|i| i.description().eq_ignore_ascii_case("comment"))
                    .and_then(|i| match i.value() {
                        ItemValue::Text(t) => clean(t),
                        _ => None,
                    })
            });
    }
    if tags.bpm.is_none() {
        tags.bpm = s(ItemKey::Bpm)
            .and_then(|v| parse_bpm(&v))
            .or_else(|| s(ItemKey::IntegerBpm).and_then(|v| parse_bpm(&v)));
    }
    if tags.key.is_none() {
        tags.key = s(ItemKey::InitialKey);
    }
}

/// `TXXX:comment` (or a COMM frame) of an MPEG file's ID3v2 tag.
fn id3_user_comment(path: &Path) -> Option<String> {
    use lofty::config::ParseOptions;
    use lofty::file::AudioFile;
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if !matches!(ext.as_str(), "mp3" | "mp2" | "mpga") {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    let mpeg = lofty::mpeg::MpegFile::read_from(&mut f, ParseOptions::new()).ok()?;
    let tag = mpeg.id3v2()?;
    ["comment", "Comment", "COMMENT"]
        .iter()
        .find_map(|d| tag.get_user_text(d).and_then(clean))
        .or_else(|| tag.comment().and_then(|c| clean(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filename_fallback() {
        let (a, t) =
            parse_artist_title_from_filename(Path::new("/x/01 - Echolab - Wild Dream.mp3"));
        // "01" alone is not an artist: the first separator splits "01" | "Echolab - Wild Dream".
        assert_eq!(a, None);
        assert_eq!(t.as_deref(), Some("Echolab - Wild Dream"));
        let (a, t) = parse_artist_title_from_filename(Path::new("Echolab - Wild Dream.flac"));
        assert_eq!(
            (a.as_deref(), t.as_deref()),
            (Some("Echolab"), Some("Wild Dream"))
        );
        let (a, t) = parse_artist_title_from_filename(Path::new("just_a_title.wav"));
        assert_eq!((a, t.as_deref()), (None, Some("just a title")));
    }

    #[test]
    fn bpm_parsing_rejects_nonsense() {
        assert_eq!(parse_bpm("128"), Some(128.0));
        assert_eq!(parse_bpm("127,5"), Some(127.5));
        assert_eq!(parse_bpm("0"), None);
        assert_eq!(parse_bpm("abc"), None);
    }

    #[test]
    fn untagged_garbage_falls_back_to_filename() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("Artist X - Song Y.mp3");
        std::fs::write(&f, b"definitely not an mp3 file").expect("write");
        let t = read_tags(&f).expect("tags");
        assert_eq!(t.artist.as_deref(), Some("Artist X"));
        assert_eq!(t.title.as_deref(), Some("Song Y"));
        assert!(t.from_filename);
    }
}

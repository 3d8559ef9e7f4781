//! File locations as DJ software writes them.
//!
//! - rekordbox: `file://localhost/` + the percent-encoded path with `/` separators
//!   (`file://localhost/C:/Music/a%20b.mp3`, `file://localhost/Users/dj/M%C3%BAsica/x.mp3`).
//! - Traktor: `VOLUME` (drive `C:` or a macOS volume name) + `DIR` with `/:` separators
//!   (`/:Users/:dj/:Music/:`) + `FILE`.
//!
//! Native paths are strings so that a Windows collection can be read on Linux and back.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but unreserved characters, `/` and `:` is percent-encoded.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':');

/// `C:\x\y` style path?
fn drive_prefix(path: &str) -> Option<char> {
    let b = path.as_bytes();
    (b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b.len() == 2 || b[2] == b'\\' || b[2] == b'/'))
        .then(|| char::from(b[0]))
}

/// Native path → rekordbox `Location`.
pub fn to_rekordbox_uri(path: &str) -> String {
    let slashed = if drive_prefix(path).is_some() {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let trimmed = slashed.trim_start_matches('/');
    format!(
        "file://localhost/{}",
        utf8_percent_encode(trimmed, URI_PATH)
    )
}

/// rekordbox `Location` → native path (Windows paths come back with `\`).
pub fn from_rekordbox_uri(uri: &str) -> String {
    let rest = uri
        .strip_prefix("file://localhost")
        .or_else(|| uri.strip_prefix("file://"))
        .unwrap_or(uri);
    let decoded = percent_decode_str(rest).decode_utf8_lossy().into_owned();
    // "/C:/Music/x.mp3" -> "C:\Music\x.mp3"
    let without_slash = decoded.strip_prefix('/').unwrap_or(&decoded);
    if drive_prefix(without_slash).is_some() {
        without_slash.replace('/', "\\")
    } else if decoded.starts_with('/') {
        decoded
    } else {
        format!("/{decoded}")
    }
}

/// Traktor's split of a native path: (VOLUME, DIR, FILE).
pub fn to_traktor(path: &str) -> (String, String, String) {
    let (volume, rest) = match drive_prefix(path) {
        Some(d) => (
            format!("{}:", d.to_ascii_uppercase()),
            path[2..].replace('\\', "/"),
        ),
        None => {
            if let Some(r) = path.strip_prefix("/Volumes/") {
                let mut it = r.splitn(2, '/');
                let vol = it.next().unwrap_or_default().to_string();
                (vol, format!("/{}", it.next().unwrap_or_default()))
            } else {
                (String::new(), path.to_string())
            }
        }
    };
    let (dir, file) = match rest.rfind('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest.as_str()),
    };
    let mut tdir = String::from("/:");
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        tdir.push_str(part);
        tdir.push_str("/:");
    }
    (volume, tdir, file.to_string())
}

/// Traktor (VOLUME, DIR, FILE) → native path.
pub fn from_traktor(volume: &str, dir: &str, file: &str) -> String {
    let parts: Vec<&str> = dir.split("/:").filter(|p| !p.is_empty()).collect();
    let joined = parts.join("/");
    if let Some(d) = drive_prefix(volume) {
        let mut p = format!("{}:\\", d.to_ascii_uppercase());
        for part in &parts {
            p.push_str(part);
            p.push('\\');
        }
        p.push_str(file);
        p
    } else if volume.is_empty() || volume == "Macintosh HD" {
        if joined.is_empty() {
            format!("/{file}")
        } else {
            format!("/{joined}/{file}")
        }
    } else if joined.is_empty() {
        format!("/Volumes/{volume}/{file}")
    } else {
        format!("/Volumes/{volume}/{joined}/{file}")
    }
}

/// Traktor's playlist key for a path: VOLUME + DIR + FILE.
pub fn traktor_key(path: &str) -> String {
    let (v, d, f) = to_traktor(path);
    format!("{v}{d}{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rekordbox_locations() {
        assert_eq!(
            to_rekordbox_uri("/Users/dj/Music/a b.mp3"),
            "file://localhost/Users/dj/Music/a%20b.mp3"
        );
        assert_eq!(
            to_rekordbox_uri("C:\\Music\\Ünïcødé & co.mp3"),
            "file://localhost/C:/Music/%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%26%20co.mp3"
        );
        assert_eq!(
            from_rekordbox_uri("file://localhost/C:/Music/a%20b.mp3"),
            "C:\\Music\\a b.mp3"
        );
        assert_eq!(
            from_rekordbox_uri("file://localhost/Users/dj/%E3%83%86.mp3"),
            "/Users/dj/テ.mp3"
        );
        assert_eq!(
            from_rekordbox_uri("file:///home/x/y.flac"),
            "/home/x/y.flac"
        );
        for p in [
            "/home/dj/Music/Ar tist/01 - Tïtle #1 (50%).flac",
            "D:\\DJ\\Set [2024]\\track.mp3",
            "/Volumes/USB/音楽/x.m4a",
        ] {
            assert_eq!(from_rekordbox_uri(&to_rekordbox_uri(p)), p);
        }
    }

    #[test]
    fn traktor_locations() {
        assert_eq!(
            to_traktor("C:\\Music\\House\\a.mp3"),
            ("C:".into(), "/:Music/:House/:".into(), "a.mp3".into())
        );
        assert_eq!(
            to_traktor("/Volumes/USB/Sets/b.wav"),
            ("USB".into(), "/:Sets/:".into(), "b.wav".into())
        );
        for p in [
            "C:\\Music\\House\\a b.mp3",
            "/home/dj/x y/é.flac",
            "/Volumes/USB/Sets/b.wav",
            "/top.mp3",
        ] {
            let (v, d, f) = to_traktor(p);
            assert_eq!(from_traktor(&v, &d, &f), p);
        }
        assert_eq!(
            from_traktor("Macintosh HD", "/:Users/:dj/:Music/:", "x.mp3"),
            "/Users/dj/Music/x.mp3"
        );
    }
}

//! M3U8 playlists: UTF-8, `#EXTM3U`, `#EXTINF:<seconds>,<artist> - <title>`.

use crate::InteropTrack;

/// How paths are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMode {
    Absolute,
    /// Relative to this directory (the playlist's own folder) when possible; tracks on another
    /// drive or outside it stay absolute.
    RelativeTo(String),
}

fn relative(path: &str, base: &str) -> Option<String> {
    let sep = if path.contains('\\') && !path.contains('/') {
        '\\'
    } else {
        '/'
    };
    let p: Vec<&str> = path.split(sep).filter(|s| !s.is_empty()).collect();
    let b: Vec<&str> = base.split(sep).filter(|s| !s.is_empty()).collect();
    if p.first() != b.first() && !b.is_empty() {
        return None;
    }
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out: Vec<&str> = std::iter::repeat_n("..", b.len() - common).collect();
    out.extend(&p[common..]);
    Some(out.join(&sep.to_string()))
}

/// Write an extended M3U8 playlist.
pub fn write(name: &str, tracks: &[&InteropTrack], mode: &PathMode) -> String {
    let mut s = String::from("#EXTM3U\n");
    let clean = |t: &str| t.replace(['\r', '\n'], " ");
    if !name.is_empty() {
        s.push_str(&format!("#PLAYLIST:{}\n", clean(name)));
    }
    for t in tracks {
        let secs = t.duration_s.map(|d| d.round() as i64).unwrap_or(-1);
        let label = match (&t.artist, &t.title) {
            (Some(a), Some(ti)) => format!("{a} - {ti}"),
            (None, Some(ti)) => ti.clone(),
            (Some(a), None) => a.clone(),
            (None, None) => String::new(),
        };
        s.push_str(&format!("#EXTINF:{secs},{}\n", clean(&label)));
        let path = match mode {
            PathMode::Absolute => t.location.clone(),
            PathMode::RelativeTo(base) => {
                relative(&t.location, base).unwrap_or_else(|| t.location.clone())
            }
        };
        s.push_str(&clean(&path));
        s.push('\n');
    }
    s
}

/// Read the paths of an M3U/M3U8 playlist (comments and blank lines skipped).
pub fn read_paths(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(loc: &str) -> InteropTrack {
        InteropTrack {
            location: loc.into(),
            artist: Some("Ärtist".into()),
            title: Some("Tïtle\nx".into()),
            duration_s: Some(301.6),
            ..Default::default()
        }
    }

    #[test]
    fn writes_extended_m3u8() {
        let a = t("/home/dj/Music/House/a b.mp3");
        let b = t("/mnt/usb/x.flac");
        let out = write(
            "Set",
            &[&a, &b],
            &PathMode::RelativeTo("/home/dj/Music/Playlists".into()),
        );
        assert_eq!(
            out,
            "#EXTM3U\n#PLAYLIST:Set\n#EXTINF:302,Ärtist - Tïtle x\n../House/a b.mp3\n#EXTINF:302,Ärtist - Tïtle x\n/mnt/usb/x.flac\n"
        );
        assert_eq!(
            read_paths(&out),
            vec!["../House/a b.mp3", "/mnt/usb/x.flac"]
        );
        let abs = write("", &[&a], &PathMode::Absolute);
        assert!(abs.ends_with("/home/dj/Music/House/a b.mp3\n"));
        let w = t("C:\\Music\\a.mp3");
        let rel = write("", &[&w], &PathMode::RelativeTo("C:\\Music\\Lists".into()));
        assert!(rel.ends_with("..\\a.mp3\n"), "{rel}");
        let other = write("", &[&w], &PathMode::RelativeTo("D:\\Lists".into()));
        assert!(other.ends_with("C:\\Music\\a.mp3\n"), "{other}");
    }
}

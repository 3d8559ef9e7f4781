//! rekordbox XML (`DJ_PLAYLISTS`), the format of File → Export Collection in xml format and
//! of the "Imported Library" (rekordbox xml) view.
//!
//! Rules kept: `COLLECTION Entries` equals the number of `TRACK`s; `Location` is
//! `file://localhost/` + a percent-encoded path; numbers use a dot decimal whatever the
//! locale; one `TEMPO` per grid segment (`Inizio` seconds, `Bpm`, `Metro` 4/4, `Battito` beat
//! in bar 1–4); `POSITION_MARK` `Num` −1 is a memory cue, 0–7 hot cues A–H; `Tonality` in
//! classic notation. rekordbox ≥ 5.6.1 does not update tracks already in its collection on
//! re-import: see [`IMPORT_NOTE`].

use crate::location::{from_rekordbox_uri, to_rekordbox_uri};
use crate::xml::{
    esc, folder_children, num, parse_num, parse_tree, Element, MAX_PLAYLISTS, MAX_TRACKS,
};
use crate::{Collection, InteropCue, InteropError, InteropTrack, Playlist};
use flowstate_types::{CamelotKey, CueKind, GridSegment};
use std::collections::HashMap;
use std::fmt::Write as _;

/// What the user must know to bring the file into rekordbox.
pub const IMPORT_NOTE: &str = "In rekordbox: Preferences > Advanced > Database > rekordbox xml > Imported Library: choose this file, \
then enable 'rekordbox xml' in the tree view (Preferences > View > Layout). Drag tracks or playlists from \
'rekordbox xml' into your collection. Note: since rekordbox 5.6.1, importing does NOT update tracks that are \
already in your collection (BPM, grid, key, cues stay as they were); to take Flowstate's values for such \
tracks, remove them from the collection first (their playlists and play counts go with them) or use \
'Import to Collection' on tracks not yet there.";

fn kind_of(location: &str) -> &'static str {
    let ext = location
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "mp3" => "MP3 File",
        "m4a" | "mp4" | "aac" | "alac" => "M4A File",
        "wav" => "WAV File",
        "aif" | "aiff" => "AIFF File",
        "flac" => "FLAC File",
        "ogg" => "OGG File",
        _ => "Audio File",
    }
}

fn cue_name(c: &InteropCue) -> String {
    c.name.clone().unwrap_or_else(|| {
        match c.kind {
            CueKind::MixIn => "Mix in",
            CueKind::FirstDrop => "Drop",
            CueKind::Breakdown => "Breakdown",
            CueKind::MixOut => "Mix out",
            CueKind::Hot | CueKind::Other => "",
        }
        .to_string()
    })
}

fn kind_from_name(name: &str, hot: bool) -> CueKind {
    match name.trim().to_ascii_lowercase().as_str() {
        "mix in" | "mix-in" | "mixin" => CueKind::MixIn,
        "drop" | "first drop" => CueKind::FirstDrop,
        "breakdown" => CueKind::Breakdown,
        "mix out" | "mix-out" | "mixout" => CueKind::MixOut,
        _ if hot => CueKind::Hot,
        _ => CueKind::Other,
    }
}

/// Write a complete `DJ_PLAYLISTS` document.
pub fn write(c: &Collection) -> String {
    let mut s = String::with_capacity(512 + c.tracks.len() * 600);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DJ_PLAYLISTS Version=\"1.0.0\">\n");
    let _ = writeln!(
        s,
        "  <PRODUCT Name=\"Flowstate\" Version=\"{}\" Company=\"Flowstate\"/>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(s, "  <COLLECTION Entries=\"{}\">", c.tracks.len());
    for (i, t) in c.tracks.iter().enumerate() {
        let mut a = format!("TrackID=\"{}\"", i + 1);
        let mut put = |k: &str, v: &str| {
            let _ = write!(a, " {k}=\"{}\"", esc(v));
        };
        put("Name", t.title.as_deref().unwrap_or_default());
        put("Artist", t.artist.as_deref().unwrap_or_default());
        put("Album", t.album.as_deref().unwrap_or_default());
        put("Genre", t.genre.as_deref().unwrap_or_default());
        put("Kind", kind_of(&t.location));
        if let Some(v) = t.size {
            put("Size", &v.to_string());
        }
        put(
            "TotalTime",
            &t.duration_s
                .map(|d| (d.round() as i64).to_string())
                .unwrap_or_else(|| "0".into()),
        );
        put(
            "Year",
            &t.year.map(|y| y.to_string()).unwrap_or_else(|| "0".into()),
        );
        put("AverageBpm", &num(t.bpm.unwrap_or(0.0), 2));
        if let Some(v) = t.bit_rate_kbps {
            put("BitRate", &v.to_string());
        }
        if let Some(v) = t.sample_rate {
            put("SampleRate", &v.to_string());
        }
        put("Comments", t.comment.as_deref().unwrap_or_default());
        put("Location", &to_rekordbox_uri(&t.location));
        put("Tonality", &t.key.map(|k| k.classic()).unwrap_or_default());
        let has_children = !t.grid.is_empty() || !t.cues.is_empty();
        if !has_children {
            let _ = writeln!(s, "    <TRACK {a}/>");
            continue;
        }
        let _ = writeln!(s, "    <TRACK {a}>");
        for g in &t.grid {
            let _ = writeln!(
                s,
                "      <TEMPO Inizio=\"{}\" Bpm=\"{}\" Metro=\"4/4\" Battito=\"{}\"/>",
                num((g.start_s + t.grid_offset_s).max(0.0), 3),
                num(g.bpm, 2),
                (g.first_beat_in_bar % 4) + 1
            );
        }
        for cue in &t.cues {
            let _ = writeln!(
                s,
                "      <POSITION_MARK Name=\"{}\" Type=\"0\" Start=\"{}\" Num=\"{}\"/>",
                esc(&cue_name(cue)),
                num((cue.time_s + t.grid_offset_s).max(0.0), 3),
                cue.hot.map(i32::from).unwrap_or(-1)
            );
        }
        s.push_str("    </TRACK>\n");
    }
    s.push_str("  </COLLECTION>\n  <PLAYLISTS>\n");
    write_nodes(&mut s, c, &[], 2);
    s.push_str("  </PLAYLISTS>\n</DJ_PLAYLISTS>\n");
    s
}

/// Folder tree: write the folder at `path` (root = []) with its sub-folders and playlists.
fn write_nodes(s: &mut String, c: &Collection, path: &[String], depth: usize) {
    let pad = "  ".repeat(depth);
    let children = folder_children(&c.playlists, path);
    let name = path.last().map(String::as_str).unwrap_or("ROOT");
    let _ = writeln!(
        s,
        "{pad}<NODE Type=\"0\" Name=\"{}\" Count=\"{}\">",
        esc(name),
        children.len()
    );
    for child in children {
        match child {
            Ok(f) => {
                let mut sub = path.to_vec();
                sub.push(f.clone());
                write_nodes(s, c, &sub, depth + 1);
            }
            Err(i) => {
                let p = &c.playlists[i];
                let valid = c.playlist_tracks(i);
                let _ = writeln!(
                    s,
                    "{pad}  <NODE Name=\"{}\" Type=\"1\" KeyType=\"0\" Entries=\"{}\">",
                    esc(&p.name),
                    valid.len()
                );
                for i in valid {
                    let _ = writeln!(s, "{pad}    <TRACK Key=\"{}\"/>", i + 1);
                }
                let _ = writeln!(s, "{pad}  </NODE>");
            }
        }
    }
    let _ = writeln!(s, "{pad}</NODE>");
}

/// Read a `DJ_PLAYLISTS` document. `grid_offset` gives, per native path, the offset to
/// subtract from rekordbox times (see [`crate::grid_offset_for`]).
pub fn parse(text: &str, grid_offset: &dyn Fn(&str) -> f64) -> Result<Collection, InteropError> {
    let root = parse_tree(text)?;
    if root.name != "DJ_PLAYLISTS" {
        return Err(InteropError::WrongFormat {
            expected: "rekordbox XML",
            detail: format!("root element is <{}>", root.name),
        });
    }
    let coll = root
        .child("COLLECTION")
        .ok_or_else(|| InteropError::WrongFormat {
            expected: "rekordbox XML",
            detail: "no <COLLECTION>".into(),
        })?;
    let mut out = Collection::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_loc: HashMap<String, usize> = HashMap::new();
    for el in coll.children_named("TRACK") {
        if out.tracks.len() >= MAX_TRACKS {
            return Err(InteropError::TooLarge {
                what: "tracks",
                limit: MAX_TRACKS,
            });
        }
        let Some(loc_uri) = el.attr("Location") else {
            continue;
        };
        let location = from_rekordbox_uri(loc_uri);
        let off = grid_offset(&location);
        let text = |k: &str| {
            el.attr(k)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut t = InteropTrack {
            track_id: None,
            title: text("Name"),
            artist: text("Artist"),
            album: text("Album"),
            genre: text("Genre"),
            comment: text("Comments"),
            year: el
                .attr("Year")
                .and_then(|y| y.trim().parse().ok())
                .filter(|&y: &i32| y > 0),
            duration_s: el
                .attr("TotalTime")
                .and_then(parse_num)
                .filter(|&d| d > 0.0),
            bit_rate_kbps: el
                .attr("BitRate")
                .and_then(|v| v.trim().parse().ok())
                .filter(|&b: &u32| b > 0),
            sample_rate: el
                .attr("SampleRate")
                .and_then(|v| v.trim().parse().ok())
                .filter(|&b: &u32| b > 0),
            size: el.attr("Size").and_then(|v| v.trim().parse().ok()),
            bpm: el
                .attr("AverageBpm")
                .and_then(parse_num)
                .filter(|&b| b > 0.0),
            key: el
                .attr("Tonality")
                .and_then(|k| k.parse::<CamelotKey>().ok()),
            grid: Vec::new(),
            cues: Vec::new(),
            grid_offset_s: off,
            location: location.clone(),
        };
        let tempos: Vec<(f64, f64, u8)> = el
            .children_named("TEMPO")
            .filter_map(|g| {
                let start = g.attr("Inizio").and_then(parse_num)?;
                let bpm = g.attr("Bpm").and_then(parse_num).filter(|&b| b > 0.0)?;
                let battito: u8 = g
                    .attr("Battito")
                    .and_then(|b| b.trim().parse().ok())
                    .unwrap_or(1);
                Some((start - off, bpm, battito.clamp(1, 4) - 1))
            })
            .collect();
        for (i, &(start, bpm, in_bar)) in tempos.iter().enumerate() {
            let end = tempos
                .get(i + 1)
                .map(|n| n.0)
                .or(t.duration_s.map(|d| d - off));
            let n_beats = end
                .map(|e| (((e - start) * bpm / 60.0).round().max(1.0)) as u32)
                .unwrap_or(1);
            t.grid.push(GridSegment {
                start_s: start,
                bpm,
                n_beats,
                first_beat_in_bar: in_bar,
            });
        }
        for m in el.children_named("POSITION_MARK") {
            let Some(start) = m.attr("Start").and_then(parse_num) else {
                continue;
            };
            let num: i32 = m
                .attr("Num")
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(-1);
            let hot = u8::try_from(num).ok().filter(|&n| n < 8);
            let name = m.attr("Name").map(str::to_string).filter(|n| !n.is_empty());
            let kind = kind_from_name(name.as_deref().unwrap_or_default(), hot.is_some());
            t.cues.push(InteropCue {
                kind,
                time_s: start - off,
                hot,
                name,
            });
        }
        let idx = out.tracks.len();
        if let Some(id) = el.attr("TrackID") {
            by_id.insert(id.to_string(), idx);
        }
        by_loc.insert(loc_uri.to_string(), idx);
        out.tracks.push(t);
    }
    if let Some(pl) = root.child("PLAYLISTS") {
        for node in pl.children_named("NODE") {
            collect_playlists(
                node,
                &mut Vec::new(),
                true,
                &by_id,
                &by_loc,
                &mut out.playlists,
            )?;
        }
    }
    Ok(out)
}

fn collect_playlists(
    node: &Element,
    path: &mut Vec<String>,
    is_root: bool,
    by_id: &HashMap<String, usize>,
    by_loc: &HashMap<String, usize>,
    out: &mut Vec<Playlist>,
) -> Result<(), InteropError> {
    let name = node.attr("Name").unwrap_or_default().to_string();
    match node.attr("Type") {
        Some("1") => {
            if out.len() >= MAX_PLAYLISTS {
                return Err(InteropError::TooLarge {
                    what: "playlists",
                    limit: MAX_PLAYLISTS,
                });
            }
            let by_location = node.attr("KeyType") == Some("1");
            let tracks = node
                .children_named("TRACK")
                .filter_map(|t| t.attr("Key"))
                .filter_map(|k| {
                    if by_location {
                        by_loc.get(k)
                    } else {
                        by_id.get(k)
                    }
                    .copied()
                })
                .collect();
            out.push(Playlist {
                folders: path.clone(),
                name,
                tracks,
            });
        }
        _ => {
            let pushed = !(is_root && name == "ROOT");
            if pushed {
                path.push(name);
            }
            for child in node.children_named("NODE") {
                collect_playlists(child, path, false, by_id, by_loc, out)?;
            }
            if pushed {
                path.pop();
            }
        }
    }
    Ok(())
}

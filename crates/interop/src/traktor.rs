//! Traktor `collection.nml` (NML version 19): entries with `LOCATION`, `INFO`, `TEMPO`,
//! `MUSICAL_KEY` and `CUE_V2` (times in milliseconds; `TYPE` 0 cue, 4 grid marker; `HOTCUE`
//! −1 for a memory cue, 0–7 hot cues), plus playlists keyed by VOLUME+DIR+FILE.
//! Traktor has one BPM per track: a variable grid is written as one grid marker per segment
//! with the track BPM in `TEMPO` and each segment's BPM kept in the marker's name.

use crate::location::{from_traktor, to_traktor, traktor_key};
use crate::xml::{
    esc, folder_children, num, parse_num, parse_tree, Element, MAX_PLAYLISTS, MAX_TRACKS,
};
use crate::{Collection, InteropCue, InteropError, InteropTrack, Playlist};
use flowstate_types::{CamelotKey, CueKind, GridSegment, Mode};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Traktor's `MUSICAL_KEY VALUE`: 0–11 = C…B major, 12–23 = C…B minor.
pub fn key_to_value(k: CamelotKey) -> u8 {
    let pc = k.tonic_pitch_class();
    match k.mode() {
        Mode::Major => pc,
        Mode::Minor => pc + 12,
    }
}

pub fn key_from_value(v: u8) -> Option<CamelotKey> {
    match v {
        0..=11 => Some(CamelotKey::from_pitch_class(v, Mode::Major)),
        12..=23 => Some(CamelotKey::from_pitch_class(v - 12, Mode::Minor)),
        _ => None,
    }
}

fn cue_label(c: &InteropCue) -> String {
    c.name.clone().unwrap_or_else(|| {
        match c.kind {
            CueKind::MixIn => "Mix in",
            CueKind::FirstDrop => "Drop",
            CueKind::Breakdown => "Breakdown",
            CueKind::MixOut => "Mix out",
            CueKind::Hot | CueKind::Other => "n.n.",
        }
        .to_string()
    })
}

fn uuid_for(name: &str, n: usize) -> String {
    // Deterministic, so that an unchanged export is byte-identical.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{:016x}", h.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15)
}

pub fn write(c: &Collection) -> String {
    let mut s = String::with_capacity(512 + c.tracks.len() * 700);
    s.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n<NML VERSION=\"19\">",
    );
    s.push_str("<HEAD COMPANY=\"www.native-instruments.com\" PROGRAM=\"Traktor\"></HEAD>\n<MUSICFOLDERS></MUSICFOLDERS>\n");
    let _ = writeln!(s, "<COLLECTION ENTRIES=\"{}\">", c.tracks.len());
    for t in &c.tracks {
        let _ = writeln!(
            s,
            "<ENTRY TITLE=\"{}\" ARTIST=\"{}\">",
            esc(t.title.as_deref().unwrap_or_default()),
            esc(t.artist.as_deref().unwrap_or_default())
        );
        let (vol, dir, file) = to_traktor(&t.location);
        let _ = writeln!(
            s,
            "<LOCATION DIR=\"{}\" FILE=\"{}\" VOLUME=\"{}\" VOLUMEID=\"\"></LOCATION>",
            esc(&dir),
            esc(&file),
            esc(&vol)
        );
        if let Some(a) = &t.album {
            let _ = writeln!(s, "<ALBUM TITLE=\"{}\"></ALBUM>", esc(a));
        }
        let mut info = String::new();
        if let Some(b) = t.bit_rate_kbps {
            let _ = write!(info, " BITRATE=\"{}\"", u64::from(b) * 1000);
        }
        if let Some(g) = &t.genre {
            let _ = write!(info, " GENRE=\"{}\"", esc(g));
        }
        if let Some(cm) = &t.comment {
            let _ = write!(info, " COMMENT=\"{}\"", esc(cm));
        }
        if let Some(k) = t.key {
            let _ = write!(info, " KEY=\"{}\"", esc(&k.classic()));
        }
        if let Some(d) = t.duration_s {
            let _ = write!(
                info,
                " PLAYTIME=\"{}\" PLAYTIME_FLOAT=\"{}\"",
                d.round() as i64,
                num(d, 6)
            );
        }
        if let Some(y) = t.year {
            let _ = write!(info, " RELEASE_DATE=\"{y}/1/1\"");
        }
        if let Some(sz) = t.size {
            let _ = write!(info, " FILESIZE=\"{}\"", sz / 1024);
        }
        let _ = writeln!(s, "<INFO{info}></INFO>");
        if let Some(bpm) = t.bpm {
            let _ = writeln!(
                s,
                "<TEMPO BPM=\"{}\" BPM_QUALITY=\"100.000000\"></TEMPO>",
                num(bpm, 6)
            );
        }
        if let Some(k) = t.key {
            let _ = writeln!(
                s,
                "<MUSICAL_KEY VALUE=\"{}\"></MUSICAL_KEY>",
                key_to_value(k)
            );
        }
        for (i, g) in t.grid.iter().enumerate() {
            let _ = writeln!(
                s,
                "<CUE_V2 NAME=\"AutoGrid {}\" DISPL_ORDER=\"{i}\" TYPE=\"4\" START=\"{}\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"-1\"></CUE_V2>",
                num(g.bpm, 6),
                num(((g.start_s + t.grid_offset_s) * 1000.0).max(0.0), 6)
            );
        }
        for (i, cue) in t.cues.iter().enumerate() {
            let _ = writeln!(
                s,
                "<CUE_V2 NAME=\"{}\" DISPL_ORDER=\"{}\" TYPE=\"0\" START=\"{}\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"{}\"></CUE_V2>",
                esc(&cue_label(cue)),
                t.grid.len() + i,
                num(((cue.time_s + t.grid_offset_s) * 1000.0).max(0.0), 6),
                cue.hot.map(i32::from).unwrap_or(-1)
            );
        }
        s.push_str("</ENTRY>\n");
    }
    s.push_str("</COLLECTION>\n<SETS ENTRIES=\"0\"></SETS>\n<PLAYLISTS>");
    write_folder(&mut s, c, &[]);
    s.push_str("</PLAYLISTS>\n</NML>\n");
    s
}

fn write_folder(s: &mut String, c: &Collection, path: &[String]) {
    let children = folder_children(&c.playlists, path);
    let name = path.last().map(String::as_str).unwrap_or("$ROOT");
    let _ = writeln!(
        s,
        "<NODE TYPE=\"FOLDER\" NAME=\"{}\"><SUBNODES COUNT=\"{}\">",
        esc(name),
        children.len()
    );
    for child in children {
        match child {
            Ok(f) => {
                let mut sub = path.to_vec();
                sub.push(f.clone());
                write_folder(s, c, &sub);
            }
            Err(n) => {
                let p = &c.playlists[n];
                let valid = c.playlist_tracks(n);
                let _ = write!(
                    s,
                    "<NODE TYPE=\"PLAYLIST\" NAME=\"{}\"><PLAYLIST ENTRIES=\"{}\" TYPE=\"LIST\" UUID=\"{}\">",
                    esc(&p.name),
                    valid.len(),
                    uuid_for(&p.name, n)
                );
                for i in valid {
                    let _ = write!(
                        s,
                        "<ENTRY><PRIMARYKEY TYPE=\"TRACK\" KEY=\"{}\"></PRIMARYKEY></ENTRY>",
                        esc(&traktor_key(&c.tracks[i].location))
                    );
                }
                s.push_str("</PLAYLIST></NODE>\n");
            }
        }
    }
    s.push_str("</SUBNODES></NODE>\n");
}

/// Read a Traktor collection. `grid_offset` as in [`crate::rekordbox::parse`].
pub fn parse(text: &str, grid_offset: &dyn Fn(&str) -> f64) -> Result<Collection, InteropError> {
    let root = parse_tree(text)?;
    if root.name != "NML" {
        return Err(InteropError::WrongFormat {
            expected: "Traktor NML",
            detail: format!("root element is <{}>", root.name),
        });
    }
    let mut out = Collection::default();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    if let Some(coll) = root.child("COLLECTION") {
        for e in coll.children_named("ENTRY") {
            if out.tracks.len() >= MAX_TRACKS {
                return Err(InteropError::TooLarge {
                    what: "tracks",
                    limit: MAX_TRACKS,
                });
            }
            let Some(loc) = e.child("LOCATION") else {
                continue;
            };
            let (vol, dir, file) = (
                loc.attr("VOLUME").unwrap_or_default(),
                loc.attr("DIR").unwrap_or_default(),
                loc.attr("FILE").unwrap_or_default(),
            );
            if file.is_empty() {
                continue;
            }
            let location = from_traktor(vol, dir, file);
            let off = grid_offset(&location);
            let info = e.child("INFO");
            let info_s = |k: &str| {
                info.and_then(|i| i.attr(k))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            let key = e
                .child("MUSICAL_KEY")
                .and_then(|m| m.attr("VALUE"))
                .and_then(|v| v.trim().parse::<u8>().ok())
                .and_then(key_from_value)
                .or_else(|| info_s("KEY").and_then(|k| k.parse().ok()));
            let bpm = e
                .child("TEMPO")
                .and_then(|t| t.attr("BPM"))
                .and_then(parse_num)
                .filter(|&b| b > 0.0);
            let duration_s = info_s("PLAYTIME_FLOAT")
                .or_else(|| info_s("PLAYTIME"))
                .and_then(|d| parse_num(&d))
                .filter(|&d| d > 0.0);
            let mut t = InteropTrack {
                track_id: None,
                location: location.clone(),
                title: e
                    .attr("TITLE")
                    .map(str::to_string)
                    .filter(|v| !v.is_empty()),
                artist: e
                    .attr("ARTIST")
                    .map(str::to_string)
                    .filter(|v| !v.is_empty()),
                album: e
                    .child("ALBUM")
                    .and_then(|a| a.attr("TITLE"))
                    .map(str::to_string)
                    .filter(|v| !v.is_empty()),
                genre: info_s("GENRE"),
                comment: info_s("COMMENT"),
                year: info_s("RELEASE_DATE")
                    .and_then(|d| d.split('/').next().and_then(|y| y.parse().ok()))
                    .filter(|&y: &i32| y > 0),
                duration_s,
                bit_rate_kbps: info_s("BITRATE")
                    .and_then(|b| b.parse::<u64>().ok())
                    .map(|b| u32::try_from(b / 1000).unwrap_or(u32::MAX))
                    .filter(|&b| b > 0),
                sample_rate: None,
                size: info_s("FILESIZE")
                    .and_then(|s| s.parse::<u64>().ok())
                    .map(|kb| kb * 1024),
                bpm,
                key,
                grid: Vec::new(),
                cues: Vec::new(),
                grid_offset_s: off,
            };
            let cues: Vec<&Element> = e.children_named("CUE_V2").collect();
            let markers: Vec<(f64, f64)> = cues
                .iter()
                .filter(|c| c.attr("TYPE") == Some("4"))
                .filter_map(|c| {
                    let start = c.attr("START").and_then(parse_num)? / 1000.0 - off;
                    let seg_bpm = c
                        .attr("NAME")
                        .and_then(|n| n.strip_prefix("AutoGrid "))
                        .and_then(parse_num)
                        .filter(|&b| b > 0.0)
                        .or(bpm)?;
                    Some((start, seg_bpm))
                })
                .collect();
            for (i, &(start, seg_bpm)) in markers.iter().enumerate() {
                let end = markers
                    .get(i + 1)
                    .map(|n| n.0)
                    .or(duration_s.map(|d| d - off));
                let n_beats = end
                    .map(|e| (((e - start) * seg_bpm / 60.0).round().max(1.0)) as u32)
                    .unwrap_or(1);
                t.grid.push(GridSegment {
                    start_s: start,
                    bpm: seg_bpm,
                    n_beats,
                    first_beat_in_bar: 0,
                });
            }
            for c in cues.iter().filter(|c| c.attr("TYPE") != Some("4")) {
                let Some(start) = c.attr("START").and_then(parse_num) else {
                    continue;
                };
                let hot = c
                    .attr("HOTCUE")
                    .and_then(|h| h.trim().parse::<i32>().ok())
                    .and_then(|h| u8::try_from(h).ok())
                    .filter(|&h| h < 8);
                let name = c
                    .attr("NAME")
                    .map(str::to_string)
                    .filter(|n| !n.is_empty() && n != "n.n.");
                let kind = match name.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("mix in") => CueKind::MixIn,
                    Some("drop") => CueKind::FirstDrop,
                    Some("breakdown") => CueKind::Breakdown,
                    Some("mix out") => CueKind::MixOut,
                    _ if hot.is_some() => CueKind::Hot,
                    _ => CueKind::Other,
                };
                t.cues.push(InteropCue {
                    kind,
                    time_s: start / 1000.0 - off,
                    hot,
                    name,
                });
            }
            by_key.insert(format!("{vol}{dir}{file}"), out.tracks.len());
            out.tracks.push(t);
        }
    }
    if let Some(pl) = root.child("PLAYLISTS") {
        for node in pl.children_named("NODE") {
            collect(node, &mut Vec::new(), true, &by_key, &mut out.playlists)?;
        }
    }
    Ok(out)
}

fn collect(
    node: &Element,
    path: &mut Vec<String>,
    is_root: bool,
    by_key: &HashMap<String, usize>,
    out: &mut Vec<Playlist>,
) -> Result<(), InteropError> {
    let name = node.attr("NAME").unwrap_or_default().to_string();
    match node.attr("TYPE") {
        Some("PLAYLIST") => {
            if out.len() >= MAX_PLAYLISTS {
                return Err(InteropError::TooLarge {
                    what: "playlists",
                    limit: MAX_PLAYLISTS,
                });
            }
            let tracks = node
                .child("PLAYLIST")
                .map(|p| {
                    p.children_named("ENTRY")
                        .filter_map(|e| e.child("PRIMARYKEY"))
                        .filter_map(|k| k.attr("KEY"))
                        .filter_map(|k| by_key.get(k).copied())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Playlist {
                folders: path.clone(),
                name,
                tracks,
            });
        }
        _ => {
            let pushed = !(is_root && name == "$ROOT");
            if pushed {
                path.push(name);
            }
            if let Some(sub) = node.child("SUBNODES") {
                for child in sub.children_named("NODE") {
                    collect(child, path, false, by_key, out)?;
                }
            }
            if pushed {
                path.pop();
            }
        }
    }
    Ok(())
}

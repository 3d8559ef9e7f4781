//! Shared glue between the corpus and flowstate-interop for `export`, `import`, `set` and
//! `order`: corpus entries to exchange tracks, grid offsets, stored playlists.

use flowstate_corpus::TrackEntry;
use flowstate_interop::{grid_offset_for, InteropCue, InteropTrack};
use flowstate_types::CueKind;

/// Exchange track for a corpus entry, with our cues as memory cues and the four main ones
/// also as hot cues A–D. `None` when the entry has no file path.
pub fn interop_track(e: &TrackEntry, mp3_offset_ms: Option<f64>) -> Option<InteropTrack> {
    let location = e.path.clone().or_else(|| e.doc.file_path.clone())?;
    let d = &e.doc;
    let offset = match mp3_offset_ms {
        Some(ms)
            if d.codec
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("mp3")) =>
        {
            ms / 1000.0
        }
        _ => grid_offset_for(
            d.codec.as_deref(),
            d.decoder_priming_samples
                .and_then(|p| u32::try_from(p).ok()),
            d.sample_rate,
        ),
    };
    let mut t = InteropTrack::from_doc(d, location, offset);
    let mut slot = 0u8;
    for kind in [
        CueKind::MixIn,
        CueKind::FirstDrop,
        CueKind::Breakdown,
        CueKind::MixOut,
    ] {
        let first = t
            .cues
            .iter()
            .find(|c| c.kind == kind && c.hot.is_none())
            .cloned();
        if let Some(c) = first {
            t.cues.push(InteropCue {
                hot: Some(slot),
                ..c
            });
            slot += 1;
        }
    }
    Some(t)
}

/// Key under which an imported or planned playlist is stored in the corpus meta table.
pub fn playlist_meta_key(source: &str, folders: &[String], name: &str) -> String {
    let mut p = folders.to_vec();
    p.push(name.to_string());
    format!("playlist/{source}/{}", p.join("/"))
}

//! The CODEX Feature Schema track document, flat form, version 1.1.
//!
//! v1 field names are those of the white paper §4.2 (grouping flattened, as the corpus
//! exchange format and `library.json` use). v1.1 adds optional fields the v1 schema lacks
//! (loudness, grid, sections, cues, low-end profile, per-field provenance …) as the schema's
//! versioning rules (§4.3) allow for a minor version. Every field is optional: a field not
//! computed is `null`, never invented. `key` stays Camelot.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One track as a CODEX v1.1 document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackDoc {
    pub codex_schema_version: Option<String>,

    // ── identity ──
    /// SHA-256 (hex) of the first 1 MiB of the file for scanned tracks; any unique string for
    /// imported documents (`library.json` calls it `id`).
    #[serde(alias = "id")]
    pub track_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub file_path: Option<String>,
    pub duration_seconds: Option<f64>,

    // ── audio fundamentals ──
    pub bpm: Option<f64>,
    /// Camelot notation (`8A`).
    pub key: Option<String>,
    pub audio_fidelity: Option<u8>,

    // ── energy ──
    pub energy: Option<u8>,
    pub danceability: Option<u8>,
    /// opener | journey | peak | closer
    pub intensity: Option<String>,

    // ── vibe and mood ──
    /// dark | bright | hypnotic | euphoric | chill | aggressive
    pub vibe: Option<String>,
    pub mood_tags: Option<Vec<String>>,

    // ── rhythm ──
    /// four-on-floor | broken | swung | syncopated | linear
    pub groove_style: Option<String>,
    /// straight | double-time | half-time
    pub tempo_feel: Option<String>,

    // ── mixability ──
    pub mix_in_ease: Option<u8>,
    pub mix_out_ease: Option<u8>,
    pub mixability_notes: Option<String>,

    // ── vocals ──
    /// instrumental | male | female | mixed | group
    pub vocal_presence: Option<String>,
    /// rap | singing | both | chant | spoken | none
    pub vocal_style: Option<String>,
    pub language: Option<String>,

    // ── structure ──
    pub structure: Option<Vec<String>>,
    pub drop_intensity: Option<u8>,

    // ── production ──
    pub instrumentation: Option<Vec<String>>,
    pub production_style: Option<String>,
    pub production_quality: Option<u8>,

    // ── genre and context ──
    pub genre: Option<String>,
    pub subgenre: Option<String>,
    pub similar_artists: Option<Vec<String>>,

    // ── description ──
    pub description: Option<String>,

    // ── metadata ──
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub analyzer_version: Option<String>,
    pub analyzer_model: Option<String>,

    // ══ v1.1 optional extensions ══
    pub album: Option<String>,
    pub year: Option<i32>,
    pub comment: Option<String>,
    /// BPM / key found in the file's tags (kept apart from our measurement).
    pub tag_bpm: Option<f64>,
    pub tag_key: Option<String>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u16>,
    pub bit_rate_kbps: Option<u32>,
    pub codec: Option<String>,
    pub file_size: Option<u64>,
    /// Priming samples (encoder + decoder delay, at `sample_rate`) the decoder trimmed from
    /// the start (gapless). Needed to exchange grids with software that does not trim.
    pub decoder_priming_samples: Option<u64>,

    /// EBU R128 / ITU-R BS.1770-4.
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,

    pub bpm_confidence: Option<f64>,
    pub beat_grid: Option<BeatGrid>,
    /// Classic notation of `key` (`Am`) and Open Key (`1m`), for display.
    pub key_classic: Option<String>,
    pub key_open: Option<String>,
    pub key_confidence: Option<f64>,
    /// Keys of the track's sections when they differ from the main key.
    pub key_changes: Option<Vec<KeyChange>>,

    /// Continuous energy on the 1–10 scale before rounding.
    pub energy_score: Option<f64>,
    pub hype: Option<f64>,
    pub brightness: Option<f64>,
    pub onset_density: Option<f64>,
    pub percussive_ratio: Option<f64>,
    pub low_end: Option<LowEnd>,
    /// 0–1 probability that the track has vocals (from audio).
    pub vocal_probability: Option<f64>,
    pub vocal_sections: Option<Vec<[f64; 2]>>,
    pub sections: Option<Vec<Section>>,
    pub cues: Option<Vec<Cue>>,
    pub intro_bars: Option<u32>,
    pub outro_bars: Option<u32>,
    /// Tagger outputs (tag → probability) when the music tagger ran.
    pub tags: Option<BTreeMap<String, f64>>,

    /// Where each field's value came from, keyed by field name.
    pub provenance: Option<BTreeMap<String, FieldSource>>,
    /// Values from other applications (rekordbox, Traktor) kept for cross-checking, keyed
    /// by source, never replacing ours silently.
    pub external: Option<BTreeMap<String, serde_json::Value>>,
}

/// `source` is one of `dsp`, `tagger`, `llm`, `user`, `tags` (file metadata), `import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSource {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A beat grid: one segment for a steady track, several when the tempo changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BeatGrid {
    pub segments: Vec<GridSegment>,
    /// Time of the first downbeat (bar start), seconds from the start of the decoded audio.
    pub first_downbeat_s: Option<f64>,
}

/// A constant-tempo run of beats: beats at `start_s + k * 60 / bpm` for `k in 0..n_beats`;
/// `first_beat_in_bar` is 0 when the first beat is a downbeat (1..=3 otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSegment {
    pub start_s: f64,
    pub bpm: f64,
    pub n_beats: u32,
    pub first_beat_in_bar: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyChange {
    pub start_s: f64,
    pub end_s: f64,
    pub key: String,
}

/// A labelled section: intro, build, drop, breakdown, outro, verse, chorus, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_bar: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bars: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocal: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CueKind {
    MixIn,
    FirstDrop,
    Breakdown,
    MixOut,
    Hot,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cue {
    pub kind: CueKind,
    pub time_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Low-end profile for clash avoidance: share of energy (0–1) in sub (20–60 Hz),
/// bass (60–250 Hz) and low-mid (250–500 Hz) over the beat-carrying part of the track.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LowEnd {
    pub sub: f64,
    pub bass: f64,
    pub low_mid: f64,
}

impl TrackDoc {
    /// The track's key parsed from the `key` field (Camelot or any notation).
    pub fn camelot(&self) -> Option<crate::CamelotKey> {
        self.key.as_deref().and_then(|k| k.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_json_flat_form_deserialises() {
        let j = r#"{"id":"t0001","artist":"Echolab","title":"Wild Dream","bpm":124.0,"key":"4A",
          "energy":8,"danceability":8,"intensity":"peak","vibe":"hypnotic","mood_tags":["rolling"],
          "groove_style":"four-on-floor","tempo_feel":"straight","mix_in_ease":8,"mix_out_ease":7,
          "vocal_presence":"instrumental","vocal_style":"none","language":"none","genre":"house",
          "subgenre":"classic house","production_style":"analog","instrumentation":["congas"],
          "description":"x"}"#;
        let d: TrackDoc = serde_json::from_str(j).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.track_id, "t0001");
        assert_eq!(d.energy, Some(8));
        assert_eq!(d.camelot().map(|k| k.camelot()), Some("4A".into()));
        assert_eq!(d.integrated_lufs, None);
    }
}

/// The separate credits of an artist field: "A feat. B", "A ft. B", "A, B", "A x B",
/// "A vs. B" and "A / B" give A and B; "&" and "and" stay inside a name ("Chase & Status",
/// "Above and Beyond"). A field with one credit gives just that name (trimmed); empty parts
/// are dropped.
pub fn artist_credits(artist: &str) -> Vec<&str> {
    // matched in any case ("Feat.", "FT.", "VS")
    const SEPARATORS: [&str; 11] = [
        " feat. ",
        " feat ",
        " ft. ",
        " ft ",
        " featuring ",
        ", ",
        "; ",
        " / ",
        " x ",
        " vs. ",
        " vs ",
    ];
    // ASCII lower case keeps every byte offset, so the offsets found there cut `artist`
    let lower = artist.to_ascii_lowercase();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while let Some(c) = lower[i..].chars().next() {
        match SEPARATORS.iter().find(|s| lower[i..].starts_with(**s)) {
            Some(sep) => {
                parts.push(&artist[start..i]);
                i += sep.len();
                start = i;
            }
            None => i += c.len_utf8(),
        }
    }
    parts.push(&artist[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod credit_tests {
    use super::artist_credits;

    #[test]
    fn credits_split_on_features_not_on_ampersands() {
        assert_eq!(
            artist_credits("Peggy Gou feat. Lenny Kravitz"),
            ["Peggy Gou", "Lenny Kravitz"]
        );
        assert_eq!(
            artist_credits("Bicep x Clara La San, Hammer"),
            ["Bicep", "Clara La San", "Hammer"]
        );
        assert_eq!(artist_credits(" Chase & Status "), ["Chase & Status"]);
        assert_eq!(
            artist_credits("Above and Beyond vs. Someone"),
            ["Above and Beyond", "Someone"]
        );
        assert!(artist_credits("  ").is_empty());
    }
}

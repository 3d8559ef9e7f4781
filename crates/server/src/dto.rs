//! Request and response bodies of the HTTP API. DTOs live here, not on internal types
//! (the CODEX document itself is served as is: it is the exchange format).

use flowstate_types::{tempo_ratio, CamelotKey, Intent, TrackDoc};
use serde::{Deserialize, Serialize};

use crate::backend::{FeedbackAction, Suggestion, WaveformData};

#[derive(Debug, Clone, Serialize)]
pub struct TrackSummary {
    pub id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    pub subgenre: Option<String>,
    pub bpm: Option<f64>,
    /// Camelot notation.
    pub key: Option<String>,
    pub key_classic: Option<String>,
    pub key_open: Option<String>,
    pub energy: Option<f64>,
    pub vibe: Option<String>,
    pub intensity: Option<String>,
    pub duration_seconds: Option<f64>,
    pub has_audio: bool,
}

impl TrackSummary {
    pub fn from_doc(d: &TrackDoc) -> Self {
        let k = d.camelot();
        Self {
            id: d.track_id.clone(),
            title: d.title.clone(),
            artist: d.artist.clone(),
            album: d.album.clone(),
            genre: d.genre.clone(),
            subgenre: d.subgenre.clone(),
            bpm: d.bpm,
            key: k.map(|k| k.camelot()).or_else(|| d.key.clone()),
            key_classic: k.map(|k| k.classic()),
            key_open: k.map(|k| k.open_key()),
            energy: d.energy.map(f64::from).or(d.energy_score),
            vibe: d.vibe.clone(),
            intensity: d.intensity.clone(),
            duration_seconds: d.duration_seconds,
            has_audio: d.file_path.is_some(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackPage {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub items: Vec<TrackSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackDetail {
    pub summary: TrackSummary,
    /// The full CODEX v1.1 document (grid, sections and cues included when analysed).
    pub doc: TrackDoc,
    pub waveform: Option<WaveformData>,
    /// Beat times in seconds derived from the grid (capped), for drawing.
    pub beats: Vec<f64>,
    /// Downbeat (bar start) times in seconds.
    pub downbeats: Vec<f64>,
    pub audio_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// Id of the track playing now. Defaults to the last track of the session history.
    pub current: Option<String>,
    /// Played track ids, oldest first. Defaults to the session history.
    pub history: Option<Vec<String>>,
    pub prompt: Option<String>,
    pub limit: Option<usize>,
}

/// How a candidate relates to the current track, for the badges of a card.
#[derive(Debug, Clone, Serialize)]
pub struct Compatibility {
    /// Harmonic compatibility 0–1 (CODEX Appendix A), when both keys are known.
    pub key_score: Option<f64>,
    /// Signed Camelot wheel steps from the current key.
    pub key_steps: Option<i32>,
    /// Relative tempo difference after half/double folding, in percent.
    pub bpm_diff_pct: Option<f64>,
    /// Within the ±6 % beat-matching rule.
    pub tempo_mixable: Option<bool>,
    /// Candidate energy minus current energy.
    pub energy_delta: Option<f64>,
}

impl Compatibility {
    pub fn between(cur: &TrackDoc, cand: &TrackDoc) -> Self {
        let (kc, kd): (Option<CamelotKey>, Option<CamelotKey>) = (cur.camelot(), cand.camelot());
        let (key_score, key_steps) = match (kc, kd) {
            (Some(a), Some(b)) => (Some(a.compatibility(b)), Some(a.wheel_steps(b))),
            _ => (None, None),
        };
        let ratio = match (cur.bpm, cand.bpm) {
            (Some(a), Some(b)) => Some(tempo_ratio(a, b)).filter(|r| r.is_finite()),
            _ => None,
        };
        let e = |d: &TrackDoc| d.energy.map(f64::from).or(d.energy_score);
        let energy_delta = match (e(cur), e(cand)) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        Self {
            key_score,
            key_steps,
            bpm_diff_pct: ratio.map(|r| (r * 1000.0).round() / 10.0),
            tempo_mixable: ratio.map(|r| r <= flowstate_types::TEMPO_MIX_TOLERANCE + 1e-12),
            energy_delta,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecommendItem {
    pub rank: usize,
    pub score: f64,
    pub track: TrackSummary,
    pub reasons: Vec<String>,
    pub compatibility: Option<Compatibility>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecommendResponse {
    pub current: TrackSummary,
    pub intent: Option<Intent>,
    pub results: Vec<RecommendItem>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentRequest {
    pub prompt: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuggestResponse {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    pub track_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub position: usize,
    /// Seconds since the Unix epoch.
    pub played_at: u64,
    pub track: TrackSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryResponse {
    pub session: String,
    pub entries: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub track_id: String,
    pub action: FeedbackAction,
    pub current_id: Option<String>,
    pub prompt: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackResponse {
    pub stored: bool,
    pub session: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryInfo {
    pub ready: bool,
    pub tracks: usize,
    pub genres: Vec<GenreCount>,
    pub bpm_min: Option<f64>,
    pub bpm_max: Option<f64>,
    pub session: String,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct GenreCount {
    pub genre: String,
    pub count: usize,
}

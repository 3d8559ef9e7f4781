//! What the HTTP layer needs from the application, as one narrow trait. The product
//! implementation is [`crate::engine_backend::EngineBackend`] over `flowstate_engine::Library`;
//! keeping the trait here lets the router be tested on its own and keeps every call site
//! synchronous (the router runs each call in `spawn_blocking`).

use std::path::PathBuf;

use flowstate_types::{Intent, TrackDoc};
use serde::{Deserialize, Serialize};

/// Errors a backend reports; mapped onto API codes by `From<BackendError> for ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("no track with id {0}")]
    TrackNotFound(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("storage error while {context}")]
    Storage {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Band energies of a track over time, for drawing; each value 0–255.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveformData {
    /// Columns per second of audio.
    pub points_per_second: f64,
    pub low: Vec<u8>,
    pub mid: Vec<u8>,
    pub high: Vec<u8>,
}

/// One ranked candidate as the ranker explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedTrack {
    pub track_id: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// The result of a recommendation: the parsed prompt and the ranked list.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub intent: Option<Intent>,
    pub results: Vec<RankedTrack>,
    /// Notes for the DJ (e.g. "no track satisfies every hard constraint; relaxed bpm").
    pub notes: Vec<String>,
}

/// One completion offered while the DJ types a prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The full prompt text if this suggestion is accepted.
    pub text: String,
    /// Short label for a chip.
    pub label: String,
    /// What kind of term it is (genre, vibe, tempo, key, …).
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackAction {
    Accept,
    Skip,
    Like,
    Dislike,
}

impl FeedbackAction {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackAction::Accept => "accept",
            FeedbackAction::Skip => "skip",
            FeedbackAction::Like => "like",
            FeedbackAction::Dislike => "dislike",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackInput {
    pub session: String,
    pub track_id: String,
    pub action: FeedbackAction,
    /// The track that was playing when the candidate was offered.
    pub current_id: Option<String>,
    pub prompt: Option<String>,
}

/// What the application must provide to the HTTP layer. All methods are blocking and are
/// called from `spawn_blocking`.
pub trait Backend: Send + Sync + 'static {
    /// Every track document of the library (the server filters, sorts and pages this
    /// snapshot in memory; 10k documents take a few MB).
    fn load_tracks(&self) -> Result<Vec<TrackDoc>, BackendError>;

    /// The waveform of a track, when one was computed.
    fn waveform(&self, track_id: &str) -> Result<Option<WaveformData>, BackendError>;

    /// The library file of a track (only paths known to the corpus are ever served).
    fn audio_path(&self, track_id: &str) -> Result<Option<PathBuf>, BackendError>;

    /// Parse a prompt into the constraint language. Never fails: problems are `status: error`.
    fn parse_intent(&self, prompt: &str) -> Intent;

    /// Completions for a partly typed prompt.
    fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion>;

    /// Rank next tracks after `current` given the played `history` and a prompt.
    fn recommend(
        &self,
        current: &str,
        history: &[String],
        prompt: Option<&str>,
        limit: usize,
    ) -> Result<Recommendation, BackendError>;

    /// Record that a track was played in a session.
    fn record_play(&self, session: &str, track_id: &str) -> Result<(), BackendError>;

    /// Store feedback on a recommendation.
    fn record_feedback(&self, feedback: &FeedbackInput) -> Result<(), BackendError>;
}

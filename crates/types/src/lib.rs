//! Shared vocabulary of Flowstate. Plain data and pure functions only: no I/O, no heavy
//! dependencies. Every other crate speaks these types.
//!
//! - [`key`]: musical keys in Camelot / classic / Open Key notation and the harmonic
//!   compatibility rule of the CODEX white paper (Appendix A).
//! - [`tempo`]: the tempo mixability rule (±6 %, half/double time allowed).
//! - [`codex`]: the CODEX Feature Schema track document (v1.1: v1 fields + optional extensions).
//! - [`intent`]: the constraint language a prompt is parsed into.

pub mod codex;
pub mod intent;
pub mod key;
pub mod tempo;
pub mod vocab;

pub use codex::{
    artist_credits, BeatGrid, Cue, CueKind, FieldSource, GridSegment, LowEnd, Section, TrackDoc,
};
pub use intent::{Attr, Constraint, Intent, IntentStatus, Op, Strength};
pub use key::{CamelotKey, KeyParseError, Mode};
pub use tempo::{tempo_mixable, tempo_ratio, TEMPO_MIX_TOLERANCE};

/// Version of the CODEX Feature Schema documents Flowstate writes (v1 + optional fields).
pub const CODEX_SCHEMA_VERSION: &str = "1.1";

/// Sample rate of the mono PCM every analysis stage sees (the audio crate resamples to it).
pub const ANALYSIS_SAMPLE_RATE: u32 = 22_050;

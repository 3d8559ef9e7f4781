use std::path::PathBuf;

/// Why a file could not be decoded or read. Every variant carries the path.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty (0 bytes)")]
    Empty { path: PathBuf },
    #[error("{path} is too large ({bytes} bytes, limit {limit})")]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error("{path} is too long ({seconds:.0} s, limit {limit:.0} s)")]
    TooLong {
        path: PathBuf,
        seconds: f64,
        limit: f64,
    },
    #[error("{path} is too short ({seconds:.2} s, minimum {limit:.2} s)")]
    TooShort {
        path: PathBuf,
        seconds: f64,
        limit: f64,
    },
    #[error("{path} is not a recognised audio file")]
    NotAudio {
        path: PathBuf,
        #[source]
        source: Option<symphonia::core::errors::Error>,
    },
    #[error("{path}: unsupported codec or format ({what})")]
    Unsupported { path: PathBuf, what: String },
    #[error("{path} has no audio track")]
    NoAudioTrack { path: PathBuf },
    #[error("{path} is corrupt or truncated ({what})")]
    Corrupt {
        path: PathBuf,
        what: String,
        #[source]
        source: Option<symphonia::core::errors::Error>,
    },
    #[error("{path}: resampler failed")]
    Resample {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{path}: cannot read tags")]
    Tags {
        path: PathBuf,
        #[source]
        source: lofty::error::FileParseError,
    },
    #[error("{path}: decoder panicked ({what})")]
    Panic { path: PathBuf, what: String },
}

impl AudioError {
    /// Stable short code for the failure (stored in the corpus `failures` table).
    pub fn kind(&self) -> &'static str {
        match self {
            AudioError::Io { .. } => "io",
            AudioError::Empty { .. } => "empty",
            AudioError::TooLarge { .. } => "too_large",
            AudioError::TooLong { .. } => "too_long",
            AudioError::TooShort { .. } => "too_short",
            AudioError::NotAudio { .. } => "not_audio",
            AudioError::Unsupported { .. } => "unsupported",
            AudioError::NoAudioTrack { .. } => "no_audio_track",
            AudioError::Corrupt { .. } => "corrupt",
            AudioError::Resample { .. } => "resample",
            AudioError::Tags { .. } => "tags",
            AudioError::Panic { .. } => "panic",
        }
    }

    pub fn path(&self) -> &std::path::Path {
        match self {
            AudioError::Io { path, .. }
            | AudioError::Empty { path }
            | AudioError::TooLarge { path, .. }
            | AudioError::TooLong { path, .. }
            | AudioError::TooShort { path, .. }
            | AudioError::NotAudio { path, .. }
            | AudioError::Unsupported { path, .. }
            | AudioError::NoAudioTrack { path }
            | AudioError::Corrupt { path, .. }
            | AudioError::Resample { path, .. }
            | AudioError::Tags { path, .. }
            | AudioError::Panic { path, .. } => path,
        }
    }
}

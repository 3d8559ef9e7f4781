//! The text encoder as the prompt parser's semantic fallback (`flowstate_intent::Embedder`).
//!
//! The model is loaded on first use only: most prompts are understood by the rules and never
//! need it, so `flowstate intent`/`next`/`set` and the server start without paying its load.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use flowstate_intent::{Embedder, Parser};

use crate::TextEncoder;

/// [`TextEncoder`] behind the parser's [`Embedder`] trait, loaded lazily from a models dir.
pub struct LazyPromptEncoder {
    dir: PathBuf,
    enc: OnceLock<Option<TextEncoder>>,
}

impl LazyPromptEncoder {
    pub fn new(models_dir: &Path) -> Self {
        Self {
            dir: models_dir.to_path_buf(),
            enc: OnceLock::new(),
        }
    }

    /// Load now (benchmarks and servers that want the load time up front); false when the
    /// model is missing or unreadable.
    pub fn preload(&self) -> bool {
        self.encoder().is_some()
    }

    fn encoder(&self) -> Option<&TextEncoder> {
        self.enc
            .get_or_init(|| TextEncoder::load(&self.dir).ok())
            .as_ref()
    }
}

impl Embedder for LazyPromptEncoder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        match self.encoder() {
            Some(e) => e.embed(texts).map_err(|e| e.to_string()),
            None => Err("text encoder not installed".into()),
        }
    }
}

/// True when the text encoder's files are installed in `models_dir`.
pub fn text_encoder_installed(models_dir: &Path) -> bool {
    models_dir
        .join("all-MiniLM-L6-v2")
        .join("model.safetensors")
        .is_file()
}

/// The prompt parser Flowstate uses everywhere: the rules, plus the semantic fallback through
/// the sentence encoder when it is installed and `use_encoder` is set.
pub fn prompt_parser(models_dir: &Path, use_encoder: bool) -> Parser {
    if !use_encoder || !text_encoder_installed(models_dir) {
        return Parser::new();
    }
    Parser::new().with_embedder(Arc::new(LazyPromptEncoder::new(models_dir)))
}

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Corpus(#[from] flowstate_corpus::CorpusError),
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Audio(#[from] flowstate_audio::AudioError),
    #[error("analysis of {path} failed: {what}")]
    Analysis { path: PathBuf, what: String },
    #[error("{stage} hook failed on {path}")]
    Hook {
        path: PathBuf,
        stage: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot start the worker pool")]
    Pool(#[source] rayon::ThreadPoolBuildError),
    #[error("scan cancelled")]
    Cancelled,
}

impl EngineError {
    /// (kind, stage) for the failures table.
    pub fn kind_and_stage(&self) -> (String, &'static str) {
        match self {
            EngineError::Audio(e) => {
                let stage = if matches!(e, flowstate_audio::AudioError::Tags { .. }) {
                    "tags"
                } else {
                    "decode"
                };
                (e.kind().to_string(), stage)
            }
            EngineError::Io { .. } => ("io".into(), "hash"),
            EngineError::Analysis { .. } => ("analysis".into(), "analysis"),
            EngineError::Hook { .. } => ("hook".into(), "ml"),
            EngineError::Corpus(_) => ("corpus".into(), "write"),
            EngineError::Pool(_) => ("pool".into(), "scan"),
            EngineError::Cancelled => ("cancelled".into(), "scan"),
        }
    }

    /// The message with its cause chain, for the failures table and logs.
    pub fn chain(&self) -> String {
        let mut s = self.to_string();
        let mut src = std::error::Error::source(self);
        while let Some(e) = src {
            let m = e.to_string();
            if !s.contains(&m) {
                s.push_str(": ");
                s.push_str(&m);
            }
            src = e.source();
        }
        s
    }
}

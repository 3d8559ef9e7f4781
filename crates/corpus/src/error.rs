use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot open the corpus at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("corpus schema version {found} is newer than this program supports ({supported}); upgrade flowstate")]
    TooNew { found: i64, supported: i64 },
    #[error("schema migration to version {version} failed")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database error while {context}")]
    Sql {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("stored document of track {track_id} is not valid JSON")]
    BadDoc {
        track_id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot encode a document as JSON")]
    Encode {
        #[source]
        source: serde_json::Error,
    },
    #[error("no track matches {query:?}")]
    NotFound { query: String },
    #[error("{query:?} is ambiguous: {count} tracks match (use more characters of the id)")]
    Ambiguous { query: String, count: usize },
    #[error("{query:?} matches {count} titles: {}{} (use the id or more of the title)", matches.join(", "), if *count > matches.len() { ", …" } else { "" })]
    AmbiguousTitle {
        query: String,
        count: usize,
        matches: Vec<String>,
    },
    #[error("invalid value for {field}: {message}")]
    InvalidValue { field: String, message: String },
}

pub(crate) trait SqlCtx<T> {
    fn ctx(self, context: &'static str) -> Result<T, CorpusError>;
}

impl<T> SqlCtx<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, CorpusError> {
        self.map_err(|source| CorpusError::Sql { context, source })
    }
}

//! flowstate-engine: the one API the CLI and the server call.
//!
//! - [`Library`]: a corpus on disk; [`Library::scan`] turns music folders into tracks.
//! - [`analyze_file`]: the per-track pipeline (decode -> tags -> DSP analysis -> optional
//!   hook such as the ML tagger), used by the scanner, `flowstate analyze` and `bench`.
//!
//! Scan architecture: discovery (walkdir) on the calling thread; hashing and analysis on a
//! rayon pool; the calling thread is the single corpus writer and commits each file's result
//! in one transaction as it arrives (SIGKILL-safe; a rescan resumes).

mod error;
mod pipeline;
mod scan;

pub use error::EngineError;
pub use pipeline::{
    analysis_version, analyze_file, hash_file, AnalyzeOptions, FileAnalysis, HookOutput,
    StageTimes, TrackHook, HASH_BYTES, PIPELINE_VERSION,
};
pub use scan::{FileOutcome, ScanEvent, ScanOptions, ScanSummary};

pub use flowstate_audio as audio;
pub use flowstate_corpus as corpus;
pub use flowstate_corpus::{Corpus, Failure, ListQuery, Page, TrackEntry, TrackStatus};

use std::path::{Path, PathBuf};

/// A Flowstate library: the corpus database plus the operations on it.
#[derive(Debug)]
pub struct Library {
    corpus: Corpus,
    db_path: Option<PathBuf>,
}

impl Library {
    /// Opens (creating and migrating if needed) the corpus at `db_path`.
    pub fn open(db_path: &Path) -> Result<Self, EngineError> {
        Ok(Library {
            corpus: Corpus::open(db_path)?,
            db_path: Some(db_path.to_path_buf()),
        })
    }

    /// A throw-away library (tests).
    pub fn open_in_memory() -> Result<Self, EngineError> {
        Ok(Library {
            corpus: Corpus::open_in_memory()?,
            db_path: None,
        })
    }

    pub fn db_path(&self) -> Option<&Path> {
        self.db_path.as_deref()
    }

    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    pub fn corpus_mut(&mut self) -> &mut Corpus {
        &mut self.corpus
    }

    /// Scans `dirs` (files are accepted too) incrementally. `progress` is called on the
    /// calling thread for every event. Per-file problems are recorded as failures and counted
    /// in the summary; only corpus errors abort the scan.
    pub fn scan(
        &mut self,
        dirs: &[PathBuf],
        opts: &ScanOptions,
        progress: &mut dyn FnMut(&ScanEvent<'_>),
    ) -> Result<ScanSummary, EngineError> {
        scan::scan(&mut self.corpus, dirs, opts, progress)
    }
}

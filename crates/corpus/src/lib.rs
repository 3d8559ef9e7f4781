//! flowstate-corpus: the local SQLite corpus. The only crate with SQL.
//!
//! One [`Corpus`] value is one connection. The scanner uses exactly one writer (a dedicated
//! thread owning a `Corpus`); readers (CLI, server) may open more connections: the database
//! runs in WAL mode, so readers never block the writer.
//!
//! Tables (see [`schema`] for the DDL and migrations through `PRAGMA user_version`):
//! - `tracks`: one row per `track_id` (SHA-256 of the first MiB of the file, or an imported
//!   id) with the measured CODEX doc as JSON plus indexed columns (bpm, key, energy, genre,
//!   artist, title), `status` (present | missing | imported) and `analysis_version`;
//! - `files`: path -> track_id with size + mtime for incremental scans (several paths may
//!   hold the same audio; a moved file is re-linked, never re-analysed);
//! - `failures`: files that could not be scanned, with a reason and the stage;
//! - `overrides`: user corrections (track_id, field, JSON value) — never touched by a rescan;
//!   documents read through this crate show the user value, the measured one is kept under
//!   `external.flowstate_measured`;
//! - `artifacts` (named blobs), `embeddings` (f32 LE vectors by kind + model),
//!   `history` (plays per session), `feedback` (accept/skip/like with context).
//!
//! Architecture invariant: every public write is one transaction, so a crash (SIGKILL)
//! leaves either the old or the new state of that file, never a half-written one.

mod error;
mod overrides;
pub mod schema;
mod store;
mod time;

pub use error::CorpusError;
pub use overrides::{apply_overrides, Override, GRID_OFFSET_FIELD};
pub use store::{
    Corpus, EmbeddingRow, Failure, FeedbackEntry, FileState, HistoryEntry, ListQuery, Page,
    ScannedTrack, SortBy, TrackEntry, TrackStatus, TrackSummary,
};
pub use time::{now_rfc3339, now_unix, unix_to_rfc3339};

pub type Result<T> = std::result::Result<T, CorpusError>;

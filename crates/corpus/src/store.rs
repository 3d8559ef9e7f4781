use crate::error::{CorpusError, SqlCtx};
use crate::overrides::{apply_overrides, Override};
use crate::time::now_unix;
use crate::Result;
use flowstate_types::TrackDoc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// present: at least one file on disk; missing: every known file vanished (data kept);
/// imported: a document without a file (corpus import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackStatus {
    Present,
    Missing,
    Imported,
}

impl TrackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TrackStatus::Present => "present",
            TrackStatus::Missing => "missing",
            TrackStatus::Imported => "imported",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "missing" => TrackStatus::Missing,
            "imported" => TrackStatus::Imported,
            _ => TrackStatus::Present,
        }
    }
}

/// A scanned file's complete result, written atomically by [`Corpus::commit_scanned`].
#[derive(Debug, Clone)]
pub struct ScannedTrack {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub analysis_version: String,
    /// The measured document (`track_id` set). Overrides are never part of it.
    pub doc: TrackDoc,
    /// Named blobs written in the same transaction (e.g. `waveform`).
    pub artifacts: Vec<(String, Vec<u8>)>,
    /// Embeddings written in the same transaction.
    pub embeddings: Vec<EmbeddingRow>,
}

/// One embedding vector: `kind` is `intro` | `body` | `outro` | ..., `model` names the model.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingRow {
    pub kind: String,
    pub model: String,
    pub vector: Vec<f32>,
}

/// What the scanner knows about a path from the last scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub path: PathBuf,
    pub track_id: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub present: bool,
    pub analysis_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub path: PathBuf,
    /// Stable short code (`empty`, `not_audio`, `corrupt`, `unsupported`, `too_short`, ...).
    pub kind: String,
    /// Human-readable reason with the cause chain.
    pub reason: String,
    /// `decode`, `tags`, `hash`, `analysis`, `ml`, `write`.
    pub stage: String,
    pub size: Option<u64>,
    pub mtime_ns: Option<i64>,
    pub analysis_version: Option<String>,
    /// Unix seconds.
    pub time: i64,
}

/// A track with its corpus bookkeeping; `doc` has overrides applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackEntry {
    pub doc: TrackDoc,
    pub status: TrackStatus,
    pub source: String,
    pub analysis_version: Option<String>,
    pub path: Option<String>,
    pub has_overrides: bool,
}

/// Indexed columns only (no JSON parse): for fast scans over 100k tracks.
/// Values reflect overrides of bpm/key/energy/genre/artist/title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackSummary {
    pub track_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub bpm: Option<f64>,
    pub key: Option<String>,
    pub energy: Option<u8>,
    pub genre: Option<String>,
    pub duration_s: Option<f64>,
    pub status: TrackStatus,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    ArtistTitle,
    Title,
    Bpm,
    Key,
    Energy,
    Added,
}

/// Filters and paging for [`Corpus::list`]. All filters are optional and combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Case-insensitive substring of title, artist, genre or path.
    pub text: Option<String>,
    pub genre: Option<String>,
    pub bpm_min: Option<f64>,
    pub bpm_max: Option<f64>,
    /// Camelot key (`8A`).
    pub key: Option<String>,
    pub energy_min: Option<u8>,
    pub energy_max: Option<u8>,
    /// Default: every status.
    pub status: Option<TrackStatus>,
    pub sort: SortBy,
    pub descending: bool,
    /// Default 100; 0 = no limit.
    pub limit: Option<usize>,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub total: usize,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub session_id: String,
    pub track_id: String,
    pub time: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackEntry {
    pub id: i64,
    pub track_id: String,
    /// accept | skip | like (free text; validated by the caller).
    pub action: String,
    pub context: Option<serde_json::Value>,
    pub time: i64,
}

/// One connection to the corpus.
pub struct Corpus {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Corpus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Corpus").field("path", &self.path).finish()
    }
}

const TRACK_COLS: &str = "track_id, path, status, source, analysis_version, doc";

impl Corpus {
    /// Opens or creates the corpus at `path` (parent directories are created), WAL mode,
    /// migrated to the current schema.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CorpusError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| CorpusError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|source| CorpusError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::init(conn, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        let p = path.clone().unwrap_or_else(|| ":memory:".into());
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|source| CorpusError::Open {
                path: p.clone(),
                source,
            })?;
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|source| CorpusError::Open {
                    path: p.clone(),
                    source,
                })?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|source| CorpusError::Open {
                    path: p.clone(),
                    source,
                })?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|source| CorpusError::Open {
                path: p.clone(),
                source,
            })?;
        crate::schema::migrate(&mut conn)?;
        Ok(Corpus { conn, path })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("reading the schema version")
    }

    /// `PRAGMA integrity_check` == "ok".
    pub fn integrity_ok(&self) -> Result<bool> {
        let s: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .ctx("checking integrity")?;
        Ok(s == "ok")
    }

    /// Escape hatch for crates that need a query this API lacks: prefer adding a method here.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    // ───────────────────────────── scanning ─────────────────────────────

    /// Every known file (present or missing), keyed by path, for incremental scans.
    pub fn file_states(&self) -> Result<HashMap<PathBuf, FileState>> {
        let mut st = self
            .conn
            .prepare("SELECT f.path, f.track_id, f.size, f.mtime_ns, f.status, t.analysis_version FROM files f LEFT JOIN tracks t USING (track_id)")
            .ctx("listing files")?;
        let rows = st
            .query_map([], |r| {
                Ok(FileState {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    track_id: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    mtime_ns: r.get(3)?,
                    present: r.get::<_, String>(4)? == "present",
                    analysis_version: r.get(5)?,
                })
            })
            .ctx("listing files")?;
        let mut out = HashMap::new();
        for r in rows {
            let f = r.ctx("listing files")?;
            out.insert(f.path.clone(), f);
        }
        Ok(out)
    }

    /// Failures keyed by path (to skip unchanged failing files on rescan).
    pub fn failure_states(&self) -> Result<HashMap<PathBuf, Failure>> {
        Ok(self
            .failures()?
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect())
    }

    /// `Some(analysis_version)` if a track with this id exists.
    pub fn track_version(&self, track_id: &str) -> Result<Option<Option<String>>> {
        self.conn
            .query_row(
                "SELECT analysis_version FROM tracks WHERE track_id = ?1",
                [track_id],
                |r| r.get(0),
            )
            .optional()
            .ctx("looking up a track")
    }

    /// Writes one scanned file atomically: track row (measured doc), file row, and clears any
    /// failure for the path. Existing overrides are untouched.
    pub fn commit_scanned(&mut self, t: &ScannedTrack) -> Result<()> {
        let now = now_unix();
        let path = t.path.to_string_lossy().to_string();
        let mut doc = t.doc.clone();
        doc.file_path = Some(path.clone());
        doc.codex_schema_version = Some(flowstate_types::CODEX_SCHEMA_VERSION.to_string());
        let json = serde_json::to_string(&doc).map_err(|source| CorpusError::Encode { source })?;
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        tx.execute(
            "INSERT INTO tracks (track_id, path, status, source, analysis_version, doc, bpm, key, energy, genre, artist, title, duration_s, added_at, updated_at)
             VALUES (?1, ?2, 'present', 'scan', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
             ON CONFLICT(track_id) DO UPDATE SET path = excluded.path, status = 'present', source = 'scan',
               analysis_version = excluded.analysis_version, doc = excluded.doc, bpm = excluded.bpm, key = excluded.key,
               energy = excluded.energy, genre = excluded.genre, artist = excluded.artist, title = excluded.title,
               duration_s = excluded.duration_s, updated_at = excluded.updated_at",
            params![doc.track_id, path, t.analysis_version, json, doc.bpm, doc.key, doc.energy, doc.genre, doc.artist, doc.title, doc.duration_seconds, now],
        )
        .ctx("writing a track")?;
        upsert_file(&tx, &path, &doc.track_id, t.size, t.mtime_ns, now)?;
        tx.execute("DELETE FROM failures WHERE path = ?1", [&path])
            .ctx("clearing a failure")?;
        for (name, bytes) in &t.artifacts {
            tx.execute(
                "INSERT OR REPLACE INTO artifacts (track_id, name, bytes, time) VALUES (?1, ?2, ?3, ?4)",
                params![doc.track_id, name, bytes, now],
            )
            .ctx("writing an artifact")?;
        }
        for e in &t.embeddings {
            let bytes: Vec<u8> = e.vector.iter().flat_map(|x| x.to_le_bytes()).collect();
            tx.execute(
                "INSERT OR REPLACE INTO embeddings (track_id, kind, model, dim, vec, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![doc.track_id, e.kind, e.model, e.vector.len() as i64, bytes, now],
            )
            .ctx("writing an embedding")?;
        }
        refresh_summary(&tx, &doc.track_id)?;
        tx.commit().ctx("committing a track")
    }

    /// Links a path to an already analysed track (moved, renamed or duplicate file, or a file
    /// whose mtime changed but content did not). No re-analysis.
    pub fn link_file(
        &mut self,
        path: &Path,
        track_id: &str,
        size: u64,
        mtime_ns: i64,
    ) -> Result<()> {
        let now = now_unix();
        let p = path.to_string_lossy().to_string();
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        upsert_file(&tx, &p, track_id, size, mtime_ns, now)?;
        tx.execute("DELETE FROM failures WHERE path = ?1", [&p])
            .ctx("clearing a failure")?;
        // The track's primary path becomes this one if its old primary file is gone.
        tx.execute(
            "UPDATE tracks SET status = 'present', updated_at = ?3,
               path = CASE WHEN path IS NULL OR NOT EXISTS (SELECT 1 FROM files WHERE files.path = tracks.path AND files.status = 'present')
                      THEN ?2 ELSE path END
             WHERE track_id = ?1",
            params![track_id, p, now],
        )
        .ctx("re-linking a track")?;
        tx.commit().ctx("committing a link")
    }

    /// Records a failed file (replacing a previous failure for the path). If the path used to
    /// hold a good track, that link is dropped (the track's data is kept).
    pub fn record_failure(&mut self, f: &Failure) -> Result<()> {
        let p = f.path.to_string_lossy().to_string();
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        let old: Option<String> = tx
            .query_row("SELECT track_id FROM files WHERE path = ?1", [&p], |r| {
                r.get(0)
            })
            .optional()
            .ctx("looking up a file")?;
        tx.execute("DELETE FROM files WHERE path = ?1", [&p])
            .ctx("unlinking a file")?;
        if let Some(tid) = old {
            refresh_track_status(&tx, &tid)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO failures (path, kind, reason, stage, size, mtime_ns, analysis_version, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![p, f.kind, f.reason, f.stage, f.size.map(|s| s as i64), f.mtime_ns, f.analysis_version, f.time],
        )
        .ctx("recording a failure")?;
        tx.commit().ctx("committing a failure")
    }

    /// Marks files missing (they vanished from disk); tracks with no present file become
    /// `missing`. Their data is kept. Failures for vanished paths are dropped.
    /// Marks `paths` missing; returns how many tracks lost their last present file.
    pub fn mark_missing(&mut self, paths: &[PathBuf]) -> Result<usize> {
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        let mut n = 0;
        for path in paths {
            let p = path.to_string_lossy().to_string();
            let tid: Option<String> = tx
                .query_row("SELECT track_id FROM files WHERE path = ?1", [&p], |r| {
                    r.get(0)
                })
                .optional()
                .ctx("looking up a file")?;
            let changed = tx
                .execute(
                    "UPDATE files SET status = 'missing' WHERE path = ?1 AND status != 'missing'",
                    [&p],
                )
                .ctx("marking missing")?;
            tx.execute("DELETE FROM failures WHERE path = ?1", [&p])
                .ctx("dropping a failure")?;
            if let Some(tid) = tid {
                refresh_track_status(&tx, &tid)?;
                // Count a track only when its last present copy vanished (a moved file's old
                // path is not a missing track).
                let present: i64 = tx
                    .query_row(
                        "SELECT COUNT(*) FROM files WHERE track_id = ?1 AND status != 'missing'",
                        [&tid],
                        |r| r.get(0),
                    )
                    .ctx("counting present copies")?;
                if changed > 0 && present == 0 {
                    n += 1;
                }
            }
        }
        tx.commit().ctx("committing missing files")?;
        Ok(n)
    }

    /// Paths of failures, for the scanner to drop those that vanished.
    pub fn forget_failures(&mut self, paths: &[PathBuf]) -> Result<()> {
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        for p in paths {
            tx.execute(
                "DELETE FROM failures WHERE path = ?1",
                [p.to_string_lossy()],
            )
            .ctx("dropping a failure")?;
        }
        tx.commit().ctx("committing")
    }

    // ───────────────────────────── documents ─────────────────────────────

    /// Inserts or replaces a document without a file (import). `source` is recorded
    /// (e.g. `import`, `rekordbox`). A scanned track with the same id keeps its file link.
    pub fn upsert_doc(&mut self, doc: &TrackDoc, source: &str) -> Result<()> {
        if doc.track_id.trim().is_empty() {
            return Err(CorpusError::InvalidValue {
                field: "track_id".into(),
                message: "empty".into(),
            });
        }
        let now = now_unix();
        let mut d = doc.clone();
        d.codex_schema_version
            .get_or_insert_with(|| flowstate_types::CODEX_SCHEMA_VERSION.to_string());
        let json = serde_json::to_string(&d).map_err(|source| CorpusError::Encode { source })?;
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        tx.execute(
            "INSERT INTO tracks (track_id, path, status, source, analysis_version, doc, bpm, key, energy, genre, artist, title, duration_s, added_at, updated_at)
             VALUES (?1, ?2, 'imported', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
             ON CONFLICT(track_id) DO UPDATE SET source = excluded.source, doc = excluded.doc, bpm = excluded.bpm,
               key = excluded.key, energy = excluded.energy, genre = excluded.genre, artist = excluded.artist,
               title = excluded.title, duration_s = excluded.duration_s, updated_at = excluded.updated_at,
               analysis_version = COALESCE(excluded.analysis_version, tracks.analysis_version)",
            params![d.track_id, d.file_path, source, d.analyzer_version, json, d.bpm, d.key, d.energy, d.genre, d.artist, d.title, d.duration_seconds, now],
        )
        .ctx("importing a document")?;
        refresh_summary(&tx, &d.track_id)?;
        tx.commit().ctx("committing an import")
    }

    /// The document (overrides applied) for an exact track id.
    pub fn get(&self, track_id: &str) -> Result<Option<TrackEntry>> {
        let sql = format!("SELECT {TRACK_COLS} FROM tracks WHERE track_id = ?1");
        let row = self
            .conn
            .query_row(&sql, [track_id], raw_row)
            .optional()
            .ctx("reading a track")?;
        row.map(|r| self.finish_entry(r)).transpose()
    }

    /// By file path (any linked path, present or missing).
    pub fn get_by_path(&self, path: &Path) -> Result<Option<TrackEntry>> {
        let p = path.to_string_lossy();
        let tid: Option<String> = self
            .conn
            .query_row("SELECT track_id FROM files WHERE path = ?1", [&p], |r| {
                r.get(0)
            })
            .optional()
            .ctx("looking up a path")?;
        match tid {
            Some(t) => self.get(&t),
            None => Ok(None),
        }
    }

    /// Resolves a user reference: exact id, unique id prefix (>= 4 chars), a file path, or a
    /// title / "artist - title" (exact, else the one containing it).
    pub fn resolve(&self, query: &str) -> Result<String> {
        let q = query.trim();
        if let Some(e) = self.get(q)? {
            return Ok(e.doc.track_id);
        }
        let as_path = std::fs::canonicalize(q).unwrap_or_else(|_| PathBuf::from(q));
        for p in [as_path.as_path(), Path::new(q)] {
            let tid: Option<String> = self
                .conn
                .query_row(
                    "SELECT track_id FROM files WHERE path = ?1",
                    [p.to_string_lossy()],
                    |r| r.get(0),
                )
                .optional()
                .ctx("looking up a path")?;
            if let Some(t) = tid {
                return Ok(t);
            }
        }
        if q.len() >= 4 && !q.contains(['%', '_']) {
            let mut st = self
                .conn
                .prepare("SELECT track_id FROM tracks WHERE track_id LIKE ?1 || '%' LIMIT 10")
                .ctx("resolving a prefix")?;
            let ids: Vec<String> = st
                .query_map([q], |r| r.get(0))
                .ctx("resolving a prefix")?
                .collect::<std::result::Result<_, _>>()
                .ctx("resolving a prefix")?;
            match ids.len() {
                1 => return Ok(ids.into_iter().next().unwrap_or_default()),
                0 => {}
                n => {
                    return Err(CorpusError::Ambiguous {
                        query: q.into(),
                        count: n,
                    })
                }
            }
        }
        self.resolve_title(q)
    }

    /// The last resort of [`Corpus::resolve`]: a title or "artist - title", case-insensitively,
    /// exactly or, failing that, as the one such name containing the query (3+ characters).
    fn resolve_title(&self, q: &str) -> Result<String> {
        let not_found = || CorpusError::NotFound { query: q.into() };
        let ql = q.to_lowercase();
        if ql.chars().count() < 3 {
            return Err(not_found());
        }
        let mut st = self
            .conn
            .prepare("SELECT track_id, coalesce(artist, ''), coalesce(title, '') FROM tracks")
            .ctx("resolving a title")?;
        let rows: Vec<(String, String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("resolving a title")?
            .collect::<std::result::Result<_, _>>()
            .ctx("resolving a title")?;
        // (id, title, "artist - title" or the title alone, for display; both matched lowercase)
        let names: Vec<(String, String, String)> = rows
            .into_iter()
            .filter(|(_, _, t)| !t.is_empty())
            .map(|(id, a, t)| {
                let full = if a.is_empty() {
                    t.clone()
                } else {
                    format!("{a} - {t}")
                };
                (id, t, full)
            })
            .collect();
        let lc: Vec<(String, String)> = names
            .iter()
            .map(|(_, t, f)| (t.to_lowercase(), f.to_lowercase()))
            .collect();
        let pick = |keep: &dyn Fn(&(String, String)) -> bool| -> Option<Result<String>> {
            let m: Vec<&(String, String, String)> = names
                .iter()
                .zip(&lc)
                .filter(|(_, l)| keep(l))
                .map(|(n, _)| n)
                .collect();
            match m.len() {
                0 => None,
                1 => Some(Ok(m[0].0.clone())),
                _ => Some(Err(CorpusError::AmbiguousTitle {
                    query: q.into(),
                    matches: m
                        .iter()
                        .take(5)
                        .map(|x| format!("{} ({:.8})", x.2, x.0))
                        .collect(),
                    count: m.len(),
                })),
            }
        };
        if let Some(r) = pick(&|(t, f)| *t == ql || *f == ql) {
            return r;
        }
        pick(&|(_, f)| f.contains(&ql)).unwrap_or_else(|| Err(not_found()))
    }

    /// Filtered, sorted, paged listing (overrides applied).
    pub fn list(&self, q: &ListQuery) -> Result<Page<TrackEntry>> {
        let (where_sql, args) = where_clause(q);
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM tracks {where_sql}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )
            .ctx("counting tracks")?;
        let order = match q.sort {
            SortBy::ArtistTitle => "artist COLLATE NOCASE {d}, title COLLATE NOCASE {d}",
            SortBy::Title => "title COLLATE NOCASE {d}",
            SortBy::Bpm => "bpm {d}",
            SortBy::Key => "key {d}",
            SortBy::Energy => "energy {d}",
            SortBy::Added => "added_at {d}",
        }
        .replace("{d}", if q.descending { "DESC" } else { "ASC" });
        let limit = match q.limit {
            Some(0) => -1,
            Some(n) => n as i64,
            None => 100,
        };
        let sql = format!("SELECT {TRACK_COLS} FROM tracks {where_sql} ORDER BY {order}, track_id LIMIT {limit} OFFSET {}", q.offset);
        let mut st = self.conn.prepare(&sql).ctx("listing tracks")?;
        let raws: Vec<RawRow> = st
            .query_map(rusqlite::params_from_iter(args.iter()), raw_row)
            .ctx("listing tracks")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing tracks")?;
        let overrides = self.overrides_map()?;
        let items = raws
            .into_iter()
            .map(|r| {
                let ov = overrides.get(&r.track_id).map(Vec::as_slice).unwrap_or(&[]);
                entry_from(r, ov)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            total: total as usize,
            items,
        })
    }

    /// Every document (overrides applied), for ranking. Includes missing and imported tracks;
    /// filter on `status` if needed via [`Corpus::all_entries`].
    pub fn all_docs(&self) -> Result<Vec<TrackDoc>> {
        Ok(self.all_entries()?.into_iter().map(|e| e.doc).collect())
    }

    pub fn all_entries(&self) -> Result<Vec<TrackEntry>> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {TRACK_COLS} FROM tracks ORDER BY track_id"
            ))
            .ctx("reading tracks")?;
        let raws: Vec<RawRow> = st
            .query_map([], raw_row)
            .ctx("reading tracks")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading tracks")?;
        let overrides = self.overrides_map()?;
        raws.into_iter()
            .map(|r| {
                let ov = overrides.get(&r.track_id).map(Vec::as_slice).unwrap_or(&[]);
                entry_from(r, ov)
            })
            .collect()
    }

    /// Indexed columns of every track (no JSON parsing).
    pub fn summaries(&self) -> Result<Vec<TrackSummary>> {
        let mut st = self
            .conn
            .prepare("SELECT track_id, title, artist, bpm, key, energy, genre, duration_s, status, path FROM tracks ORDER BY track_id")
            .ctx("reading summaries")?;
        let rows = st
            .query_map([], |r| {
                Ok(TrackSummary {
                    track_id: r.get(0)?,
                    title: r.get(1)?,
                    artist: r.get(2)?,
                    bpm: r.get(3)?,
                    key: r.get(4)?,
                    energy: r.get::<_, Option<i64>>(5)?.map(|e| e.clamp(0, 255) as u8),
                    genre: r.get(6)?,
                    duration_s: r.get(7)?,
                    status: TrackStatus::parse(&r.get::<_, String>(8)?),
                    path: r.get(9)?,
                })
            })
            .ctx("reading summaries")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading summaries")
    }

    pub fn count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM tracks", [], |r| r.get(0))
            .ctx("counting tracks")?;
        Ok(n as usize)
    }

    /// The measured document, without overrides.
    pub fn measured_doc(&self, track_id: &str) -> Result<Option<TrackDoc>> {
        let sql = format!("SELECT {TRACK_COLS} FROM tracks WHERE track_id = ?1");
        let row = self
            .conn
            .query_row(&sql, [track_id], raw_row)
            .optional()
            .ctx("reading a track")?;
        row.map(|r| parse_doc(&r)).transpose()
    }

    fn finish_entry(&self, r: RawRow) -> Result<TrackEntry> {
        let ov = self.overrides(&r.track_id)?;
        entry_from(r, &ov)
    }

    // ───────────────────────────── overrides ─────────────────────────────

    /// Sets a user override (kept across rescans). Unknown tracks are an error.
    pub fn set_override(
        &mut self,
        track_id: &str,
        field: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        if self.track_version(track_id)?.is_none() {
            return Err(CorpusError::NotFound {
                query: track_id.into(),
            });
        }
        let v = serde_json::to_string(value).map_err(|source| CorpusError::Encode { source })?;
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        tx.execute(
            "INSERT OR REPLACE INTO overrides (track_id, field, value, time) VALUES (?1, ?2, ?3, ?4)",
            params![track_id, field, v, now_unix()],
        )
        .ctx("writing an override")?;
        refresh_summary(&tx, track_id)?;
        tx.commit().ctx("committing an override")
    }

    pub fn clear_override(&mut self, track_id: &str, field: &str) -> Result<bool> {
        let tx = self.conn.transaction().ctx("starting a transaction")?;
        let n = tx
            .execute(
                "DELETE FROM overrides WHERE track_id = ?1 AND field = ?2",
                params![track_id, field],
            )
            .ctx("clearing an override")?;
        refresh_summary(&tx, track_id)?;
        tx.commit().ctx("committing")?;
        Ok(n > 0)
    }

    pub fn overrides(&self, track_id: &str) -> Result<Vec<Override>> {
        let mut st = self.conn.prepare("SELECT track_id, field, value, time FROM overrides WHERE track_id = ?1 ORDER BY time, field").ctx("reading overrides")?;
        let rows = st
            .query_map([track_id], override_row)
            .ctx("reading overrides")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading overrides")
    }

    fn overrides_map(&self) -> Result<HashMap<String, Vec<Override>>> {
        let mut st = self
            .conn
            .prepare("SELECT track_id, field, value, time FROM overrides ORDER BY time, field")
            .ctx("reading overrides")?;
        let rows = st.query_map([], override_row).ctx("reading overrides")?;
        let mut m: HashMap<String, Vec<Override>> = HashMap::new();
        for r in rows {
            let o = r.ctx("reading overrides")?;
            m.entry(o.track_id.clone()).or_default().push(o);
        }
        Ok(m)
    }

    // ───────────────────────────── failures ─────────────────────────────

    pub fn failures(&self) -> Result<Vec<Failure>> {
        let mut st = self
            .conn
            .prepare("SELECT path, kind, reason, stage, size, mtime_ns, analysis_version, time FROM failures ORDER BY path")
            .ctx("reading failures")?;
        let rows = st
            .query_map([], |r| {
                Ok(Failure {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    kind: r.get(1)?,
                    reason: r.get(2)?,
                    stage: r.get(3)?,
                    size: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
                    mtime_ns: r.get(5)?,
                    analysis_version: r.get(6)?,
                    time: r.get(7)?,
                })
            })
            .ctx("reading failures")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading failures")
    }

    // ───────────────────────────── history & feedback ─────────────────────────────

    /// Appends a play; returns its id. `time` defaults to now (unix seconds).
    pub fn append_history(
        &mut self,
        session_id: &str,
        track_id: &str,
        time: Option<i64>,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO history (session_id, track_id, time) VALUES (?1, ?2, ?3)",
                params![session_id, track_id, time.unwrap_or_else(now_unix)],
            )
            .ctx("appending history")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Plays of a session (or of every session), oldest first, at most `limit` most recent.
    pub fn history(&self, session_id: Option<&str>, limit: usize) -> Result<Vec<HistoryEntry>> {
        let lim = if limit == 0 { -1 } else { limit as i64 };
        let mut st = self
            .conn
            .prepare("SELECT id, session_id, track_id, time FROM (SELECT * FROM history WHERE (?1 IS NULL OR session_id = ?1) ORDER BY id DESC LIMIT ?2) ORDER BY id")
            .ctx("reading history")?;
        let rows = st
            .query_map(params![session_id, lim], |r| {
                Ok(HistoryEntry {
                    id: r.get(0)?,
                    session_id: r.get(1)?,
                    track_id: r.get(2)?,
                    time: r.get(3)?,
                })
            })
            .ctx("reading history")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading history")
    }

    /// The most recent session id, if any.
    pub fn last_session(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT session_id FROM history ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .ctx("reading history")
    }

    pub fn add_feedback(
        &mut self,
        track_id: &str,
        action: &str,
        context: Option<&serde_json::Value>,
    ) -> Result<i64> {
        let ctx = context
            .map(serde_json::to_string)
            .transpose()
            .map_err(|source| CorpusError::Encode { source })?;
        self.conn
            .execute(
                "INSERT INTO feedback (track_id, action, context, time) VALUES (?1, ?2, ?3, ?4)",
                params![track_id, action, ctx, now_unix()],
            )
            .ctx("writing feedback")?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn feedback(&self, track_id: Option<&str>) -> Result<Vec<FeedbackEntry>> {
        let mut st = self
            .conn
            .prepare("SELECT id, track_id, action, context, time FROM feedback WHERE (?1 IS NULL OR track_id = ?1) ORDER BY id")
            .ctx("reading feedback")?;
        let rows = st
            .query_map(params![track_id], |r| {
                let c: Option<String> = r.get(3)?;
                Ok(FeedbackEntry {
                    id: r.get(0)?,
                    track_id: r.get(1)?,
                    action: r.get(2)?,
                    context: c.and_then(|s| serde_json::from_str(&s).ok()),
                    time: r.get(4)?,
                })
            })
            .ctx("reading feedback")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading feedback")
    }

    // ───────────────────────────── artifacts & embeddings ─────────────────────────────

    pub fn put_artifact(&mut self, track_id: &str, name: &str, bytes: &[u8]) -> Result<()> {
        self.conn
            .execute("INSERT OR REPLACE INTO artifacts (track_id, name, bytes, time) VALUES (?1, ?2, ?3, ?4)", params![track_id, name, bytes, now_unix()])
            .ctx("writing an artifact")?;
        Ok(())
    }

    pub fn get_artifact(&self, track_id: &str, name: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT bytes FROM artifacts WHERE track_id = ?1 AND name = ?2",
                params![track_id, name],
                |r| r.get(0),
            )
            .optional()
            .ctx("reading an artifact")
    }

    /// Stores an embedding as f32 little-endian. `kind`: `intro` | `body` | `outro` | ...
    pub fn put_embedding(
        &mut self,
        track_id: &str,
        kind: &str,
        model: &str,
        v: &[f32],
    ) -> Result<()> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.conn
            .execute(
                "INSERT OR REPLACE INTO embeddings (track_id, kind, model, dim, vec, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![track_id, kind, model, v.len() as i64, bytes, now_unix()],
            )
            .ctx("writing an embedding")?;
        Ok(())
    }

    pub fn get_embedding(
        &self,
        track_id: &str,
        kind: &str,
        model: &str,
    ) -> Result<Option<Vec<f32>>> {
        let b: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT vec FROM embeddings WHERE track_id = ?1 AND kind = ?2 AND model = ?3",
                params![track_id, kind, model],
                |r| r.get(0),
            )
            .optional()
            .ctx("reading an embedding")?;
        Ok(b.map(|b| f32s(&b)))
    }

    /// Every embedding of one kind and model: (track_id, vector).
    pub fn embeddings(&self, kind: &str, model: &str) -> Result<Vec<(String, Vec<f32>)>> {
        let mut st = self.conn.prepare("SELECT track_id, vec FROM embeddings WHERE kind = ?1 AND model = ?2 ORDER BY track_id").ctx("reading embeddings")?;
        let rows = st
            .query_map(params![kind, model], |r| {
                Ok((r.get::<_, String>(0)?, f32s(&r.get::<_, Vec<u8>>(1)?)))
            })
            .ctx("reading embeddings")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading embeddings")
    }

    // ───────────────────────────── meta ─────────────────────────────

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .ctx("writing meta")?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ctx("reading meta")
    }
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn upsert_file(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    track_id: &str,
    size: u64,
    mtime_ns: i64,
    now: i64,
) -> Result<()> {
    let old: Option<String> = tx
        .query_row("SELECT track_id FROM files WHERE path = ?1", [path], |r| {
            r.get(0)
        })
        .optional()
        .ctx("looking up a file")?;
    tx.execute(
        "INSERT INTO files (path, track_id, size, mtime_ns, status, last_seen) VALUES (?1, ?2, ?3, ?4, 'present', ?5)
         ON CONFLICT(path) DO UPDATE SET track_id = excluded.track_id, size = excluded.size, mtime_ns = excluded.mtime_ns,
           status = 'present', last_seen = excluded.last_seen",
        params![path, track_id, size as i64, mtime_ns, now],
    )
    .ctx("writing a file row")?;
    if let Some(o) = old.filter(|o| o != track_id) {
        refresh_track_status(tx, &o)?;
    }
    Ok(())
}

/// A scanned track is present iff one of its files is present.
fn refresh_track_status(tx: &rusqlite::Transaction<'_>, track_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE tracks SET
           status = CASE WHEN EXISTS (SELECT 1 FROM files WHERE track_id = ?1 AND status = 'present') THEN 'present'
                         WHEN source = 'scan' OR EXISTS (SELECT 1 FROM files WHERE track_id = ?1) THEN 'missing'
                         ELSE status END,
           path = COALESCE((SELECT path FROM files WHERE track_id = ?1 AND status = 'present' ORDER BY (files.path = tracks.path) DESC, path LIMIT 1), path)
         WHERE track_id = ?1",
        [track_id],
    )
    .ctx("updating a track status")?;
    Ok(())
}

/// Keeps the indexed columns equal to the displayed (overridden) values.
fn refresh_summary(tx: &rusqlite::Transaction<'_>, track_id: &str) -> Result<()> {
    let row: Option<String> = tx
        .query_row(
            "SELECT doc FROM tracks WHERE track_id = ?1",
            [track_id],
            |r| r.get(0),
        )
        .optional()
        .ctx("reading a track")?;
    let Some(json) = row else { return Ok(()) };
    let mut doc: TrackDoc = serde_json::from_str(&json).map_err(|source| CorpusError::BadDoc {
        track_id: track_id.into(),
        source,
    })?;
    let mut st = tx.prepare("SELECT track_id, field, value, time FROM overrides WHERE track_id = ?1 ORDER BY time, field").ctx("reading overrides")?;
    let ov: Vec<Override> = st
        .query_map([track_id], override_row)
        .ctx("reading overrides")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading overrides")?;
    apply_overrides(&mut doc, &ov);
    tx.execute(
        "UPDATE tracks SET bpm = ?2, key = ?3, energy = ?4, genre = ?5, artist = ?6, title = ?7, duration_s = ?8 WHERE track_id = ?1",
        params![track_id, doc.bpm, doc.key, doc.energy, doc.genre, doc.artist, doc.title, doc.duration_seconds],
    )
    .ctx("updating indexed columns")?;
    Ok(())
}

struct RawRow {
    track_id: String,
    path: Option<String>,
    status: String,
    source: String,
    analysis_version: Option<String>,
    doc: String,
}

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        track_id: r.get(0)?,
        path: r.get(1)?,
        status: r.get(2)?,
        source: r.get(3)?,
        analysis_version: r.get(4)?,
        doc: r.get(5)?,
    })
}

fn override_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Override> {
    let v: String = r.get(2)?;
    Ok(Override {
        track_id: r.get(0)?,
        field: r.get(1)?,
        value: serde_json::from_str(&v).unwrap_or(serde_json::Value::Null),
        time: r.get(3)?,
    })
}

fn parse_doc(r: &RawRow) -> Result<TrackDoc> {
    let mut doc: TrackDoc = serde_json::from_str(&r.doc).map_err(|source| CorpusError::BadDoc {
        track_id: r.track_id.clone(),
        source,
    })?;
    doc.track_id = r.track_id.clone();
    if r.path.is_some() {
        doc.file_path = r.path.clone();
    }
    doc.codex_schema_version = Some(flowstate_types::CODEX_SCHEMA_VERSION.to_string());
    Ok(doc)
}

fn entry_from(r: RawRow, overrides: &[Override]) -> Result<TrackEntry> {
    let mut doc = parse_doc(&r)?;
    apply_overrides(&mut doc, overrides);
    Ok(TrackEntry {
        doc,
        status: TrackStatus::parse(&r.status),
        source: r.source,
        analysis_version: r.analysis_version,
        path: r.path,
        has_overrides: !overrides.is_empty(),
    })
}

fn where_clause(q: &ListQuery) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<V> = Vec::new();
    // `cond` uses `$` where the parameter goes (all occurrences bind the same value).
    fn push(conds: &mut Vec<String>, args: &mut Vec<V>, cond: &str, v: V) {
        args.push(v);
        conds.push(cond.replace('$', &format!("?{}", args.len())));
    }
    if let Some(t) = q.text.as_ref().filter(|t| !t.trim().is_empty()) {
        let like = format!("%{}%", t.trim().to_lowercase());
        push(&mut conds, &mut args, "(lower(coalesce(title,'')) LIKE $ OR lower(coalesce(artist,'')) LIKE $ OR lower(coalesce(genre,'')) LIKE $ OR lower(coalesce(path,'')) LIKE $)", V::Text(like));
    }
    if let Some(g) = &q.genre {
        push(
            &mut conds,
            &mut args,
            "lower(genre) = lower($)",
            V::Text(g.clone()),
        );
    }
    if let Some(v) = q.bpm_min {
        push(&mut conds, &mut args, "bpm >= $", V::Real(v));
    }
    if let Some(v) = q.bpm_max {
        push(&mut conds, &mut args, "bpm <= $", V::Real(v));
    }
    if let Some(k) = &q.key {
        let k = k
            .parse::<flowstate_types::CamelotKey>()
            .map(|k| k.camelot())
            .unwrap_or_else(|_| k.clone());
        push(&mut conds, &mut args, "key = $", V::Text(k));
    }
    if let Some(v) = q.energy_min {
        push(&mut conds, &mut args, "energy >= $", V::Integer(v as i64));
    }
    if let Some(v) = q.energy_max {
        push(&mut conds, &mut args, "energy <= $", V::Integer(v as i64));
    }
    if let Some(s) = q.status {
        push(
            &mut conds,
            &mut args,
            "status = $",
            V::Text(s.as_str().into()),
        );
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (sql, args)
}

#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>() {}
    is_send::<Corpus>();
}

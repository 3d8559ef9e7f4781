//! DDL and ordered migrations (`PRAGMA user_version`). Never edit a shipped step: append one.

use crate::error::CorpusError;
use rusqlite::Connection;

/// Migration steps; step `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // v1: the foundation schema.
    r#"
    CREATE TABLE tracks (
        track_id         TEXT PRIMARY KEY,
        path             TEXT,
        status           TEXT NOT NULL DEFAULT 'present',
        source           TEXT NOT NULL DEFAULT 'scan',
        analysis_version TEXT,
        doc              TEXT NOT NULL,
        bpm              REAL,
        key              TEXT,
        energy           INTEGER,
        genre            TEXT,
        artist           TEXT,
        title            TEXT,
        duration_s       REAL,
        added_at         INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    );
    CREATE INDEX tracks_bpm    ON tracks(bpm);
    CREATE INDEX tracks_key    ON tracks(key);
    CREATE INDEX tracks_energy ON tracks(energy);
    CREATE INDEX tracks_genre  ON tracks(genre);
    CREATE INDEX tracks_artist ON tracks(artist);
    CREATE INDEX tracks_title  ON tracks(title);
    CREATE INDEX tracks_status ON tracks(status);

    CREATE TABLE files (
        path      TEXT PRIMARY KEY,
        track_id  TEXT NOT NULL,
        size      INTEGER NOT NULL,
        mtime_ns  INTEGER NOT NULL,
        status    TEXT NOT NULL DEFAULT 'present',
        last_seen INTEGER NOT NULL
    );
    CREATE INDEX files_track ON files(track_id);

    CREATE TABLE failures (
        path             TEXT PRIMARY KEY,
        kind             TEXT NOT NULL,
        reason           TEXT NOT NULL,
        stage            TEXT NOT NULL,
        size             INTEGER,
        mtime_ns         INTEGER,
        analysis_version TEXT,
        time             INTEGER NOT NULL
    );

    CREATE TABLE overrides (
        track_id TEXT NOT NULL,
        field    TEXT NOT NULL,
        value    TEXT NOT NULL,
        time     INTEGER NOT NULL,
        PRIMARY KEY (track_id, field)
    );

    CREATE TABLE artifacts (
        track_id TEXT NOT NULL,
        name     TEXT NOT NULL,
        bytes    BLOB NOT NULL,
        time     INTEGER NOT NULL,
        PRIMARY KEY (track_id, name)
    );

    CREATE TABLE embeddings (
        track_id TEXT NOT NULL,
        kind     TEXT NOT NULL,
        model    TEXT NOT NULL,
        dim      INTEGER NOT NULL,
        vec      BLOB NOT NULL,
        time     INTEGER NOT NULL,
        PRIMARY KEY (track_id, kind, model)
    );

    CREATE TABLE history (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        track_id   TEXT NOT NULL,
        time       INTEGER NOT NULL
    );
    CREATE INDEX history_session ON history(session_id, id);

    CREATE TABLE feedback (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        track_id TEXT NOT NULL,
        action   TEXT NOT NULL,
        context  TEXT,
        time     INTEGER NOT NULL
    );
    CREATE INDEX feedback_track ON feedback(track_id);
    "#,
    // v2: key/value metadata (e.g. who created the corpus) and an index for embedding scans.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX embeddings_kind_model ON embeddings(kind, model);
    "#,
];

/// Current schema version (= number of migration steps).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every pending step, each in its own transaction with its `user_version` bump.
pub fn migrate(conn: &mut Connection) -> Result<i64, CorpusError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|source| CorpusError::Migration { version: 0, source })?;
    if found > SCHEMA_VERSION {
        return Err(CorpusError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = i as i64 + 1;
        let tx = conn
            .transaction()
            .map_err(|source| CorpusError::Migration { version, source })?;
        tx.execute_batch(sql)
            .map_err(|source| CorpusError::Migration { version, source })?;
        tx.pragma_update(None, "user_version", version)
            .map_err(|source| CorpusError::Migration { version, source })?;
        tx.commit()
            .map_err(|source| CorpusError::Migration { version, source })?;
    }
    Ok(found)
}

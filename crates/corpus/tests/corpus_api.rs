//! Corpus API tests: migrations from an old dump, scan bookkeeping, overrides, history.

use flowstate_corpus::{Corpus, Failure, ListQuery, ScannedTrack, TrackStatus};
use flowstate_types::TrackDoc;
use std::path::PathBuf;

fn scanned(id: &str, path: &str, bpm: f64) -> ScannedTrack {
    ScannedTrack {
        path: PathBuf::from(path),
        size: 100,
        mtime_ns: 5,
        analysis_version: "v-test".into(),
        doc: TrackDoc {
            track_id: id.into(),
            title: Some(format!("T {id}")),
            bpm: Some(bpm),
            key: Some("8A".into()),
            ..Default::default()
        },
        artifacts: vec![("waveform".into(), vec![1, 2, 3])],
        embeddings: vec![],
    }
}

#[test]
fn migrates_a_v1_dump_keeping_data() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("old.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        c.execute_batch(include_str!("fixtures/corpus-v1.sql"))
            .unwrap_or_else(|e| panic!("{e}"));
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v, 1);
    }
    let mut c = Corpus::open(&db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.schema_version().ok(),
        Some(flowstate_corpus::schema::SCHEMA_VERSION)
    );
    let e = c
        .get("aaaabbbbccccdddd")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("track lost"));
    assert_eq!(e.doc.title.as_deref(), Some("Old Track"));
    assert_eq!(e.doc.bpm, Some(128.0), "override from v1 still applied");
    assert_eq!(c.history(None, 0).map(|h| h.len()).ok(), Some(1));
    c.set_meta("k", "v").unwrap_or_else(|e| panic!("{e}"));
    assert!(c.integrity_ok().unwrap_or(false));
}

#[test]
fn too_new_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("new.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        c.pragma_update(None, "user_version", 999)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(matches!(
        Corpus::open(&db),
        Err(flowstate_corpus::CorpusError::TooNew { .. })
    ));
}

#[test]
fn scan_bookkeeping_links_missing_and_failures() {
    let mut c = Corpus::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    c.commit_scanned(&scanned("id1", "/m/a.mp3", 120.0))
        .unwrap_or_else(|e| panic!("{e}"));
    c.commit_scanned(&scanned("id2", "/m/b.mp3", 174.0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.get_artifact("id1", "waveform").ok().flatten(),
        Some(vec![1, 2, 3])
    );
    // Moved: new path linked, old path marked missing -> still present.
    c.link_file(&PathBuf::from("/m/moved/a.mp3"), "id1", 100, 6)
        .unwrap_or_else(|e| panic!("{e}"));
    c.mark_missing(&[PathBuf::from("/m/a.mp3")])
        .unwrap_or_else(|e| panic!("{e}"));
    let a = c.get("id1").ok().flatten().unwrap_or_else(|| panic!("id1"));
    assert_eq!(a.status, TrackStatus::Present);
    assert_eq!(a.doc.file_path.as_deref(), Some("/m/moved/a.mp3"));
    // Vanished: missing, data kept.
    c.mark_missing(&[PathBuf::from("/m/b.mp3")])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.get("id2").ok().flatten().map(|e| e.status),
        Some(TrackStatus::Missing)
    );
    // Failures replace, and a good commit clears them.
    let f = Failure {
        path: "/m/c.mp3".into(),
        kind: "corrupt".into(),
        reason: "x".into(),
        stage: "decode".into(),
        size: Some(1),
        mtime_ns: Some(1),
        analysis_version: None,
        time: 0,
    };
    c.record_failure(&f).unwrap_or_else(|e| panic!("{e}"));
    c.record_failure(&f).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.failures().map(|v| v.len()).ok(), Some(1));
    c.commit_scanned(&scanned("id3", "/m/c.mp3", 128.0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.failures().map(|v| v.len()).ok(), Some(0));
    // Resolve by prefix / path; ambiguity is an error.
    c.commit_scanned(&scanned("abcd1111", "/m/d.mp3", 128.0))
        .unwrap_or_else(|e| panic!("{e}"));
    c.commit_scanned(&scanned("abcd2222", "/m/e.mp3", 128.0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.resolve("abcd1").ok().as_deref(), Some("abcd1111"));
    assert!(matches!(
        c.resolve("abcd"),
        Err(flowstate_corpus::CorpusError::Ambiguous { .. })
    ));
    assert_eq!(c.resolve("/m/e.mp3").ok().as_deref(), Some("abcd2222"));
    // Listing with filters and paging.
    let p = c
        .list(&ListQuery {
            bpm_min: Some(125.0),
            bpm_max: Some(130.0),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.total, 3);
    let p = c
        .list(&ListQuery {
            limit: Some(1),
            offset: 1,
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((p.total, p.items.len()), (5, 1));
    assert_eq!(c.summaries().map(|s| s.len()).ok(), Some(5));
}

#[test]
fn overrides_survive_rescan_and_update_index() {
    let mut c = Corpus::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    c.commit_scanned(&scanned("id1", "/m/a.mp3", 64.0))
        .unwrap_or_else(|e| panic!("{e}"));
    c.set_override("id1", "bpm", &serde_json::json!(128.0))
        .unwrap_or_else(|e| panic!("{e}"));
    c.commit_scanned(&scanned("id1", "/m/a.mp3", 65.0))
        .unwrap_or_else(|e| panic!("{e}"));
    let e = c.get("id1").ok().flatten().unwrap_or_else(|| panic!("id1"));
    assert_eq!(e.doc.bpm, Some(128.0));
    assert_eq!(
        c.measured_doc("id1").ok().flatten().and_then(|d| d.bpm),
        Some(65.0)
    );
    let p = c
        .list(&ListQuery {
            bpm_min: Some(120.0),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.total, 1, "indexed column shows the user value");
    assert!(c
        .set_override("nope", "bpm", &serde_json::json!(1))
        .is_err());
    assert!(c.clear_override("id1", "bpm").unwrap_or(false));
    assert_eq!(
        c.get("id1").ok().flatten().and_then(|e| e.doc.bpm),
        Some(65.0)
    );
}

#[test]
fn history_feedback_embeddings_and_imports() {
    let mut c = Corpus::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    c.upsert_doc(
        &TrackDoc {
            track_id: "imp1".into(),
            title: Some("Imported".into()),
            ..Default::default()
        },
        "import",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(c.upsert_doc(&TrackDoc::default(), "import").is_err());
    assert_eq!(
        c.get("imp1").ok().flatten().map(|e| e.status),
        Some(TrackStatus::Imported)
    );
    for t in ["imp1", "x", "y"] {
        c.append_history("s1", t, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    c.append_history("s2", "z", None)
        .unwrap_or_else(|e| panic!("{e}"));
    let h = c.history(Some("s1"), 2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        h.iter().map(|e| e.track_id.as_str()).collect::<Vec<_>>(),
        vec!["x", "y"]
    );
    assert_eq!(c.last_session().ok().flatten().as_deref(), Some("s2"));
    c.add_feedback(
        "imp1",
        "skip",
        Some(&serde_json::json!({"prompt": "darker"})),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.feedback(Some("imp1"))
            .map(|f| f[0].context.clone())
            .ok()
            .flatten(),
        Some(serde_json::json!({"prompt": "darker"}))
    );
    let v = vec![0.5f32, -1.25, 3.0];
    c.put_embedding("imp1", "intro", "musicnn", &v)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.get_embedding("imp1", "intro", "musicnn").ok().flatten(),
        Some(v.clone())
    );
    assert_eq!(
        c.embeddings("intro", "musicnn").map(|e| e.len()).ok(),
        Some(1)
    );
}

#[test]
fn resolves_titles() {
    let mut c = Corpus::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    // By title: exact (any case) first, then the one title containing the query.
    let mut t = scanned("ffff0001", "/m/f.mp3", 124.0);
    t.doc.title = Some("Night Bus".into());
    t.doc.artist = Some("Synth Foundry".into());
    c.commit_scanned(&t).unwrap_or_else(|e| panic!("{e}"));
    let mut t = scanned("ffff0002", "/m/g.mp3", 124.0);
    t.doc.title = Some("Night Bus (Dub)".into());
    c.commit_scanned(&t).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.resolve("night bus").ok().as_deref(), Some("ffff0001"));
    assert_eq!(
        c.resolve("Synth Foundry - Night Bus").ok().as_deref(),
        Some("ffff0001")
    );
    assert_eq!(c.resolve("(dub)").ok().as_deref(), Some("ffff0002"));
    match c.resolve("night") {
        Err(e @ flowstate_corpus::CorpusError::AmbiguousTitle { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("Synth Foundry - Night Bus (ffff0001)") && m.contains("2 titles"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    // too short for a substring, and nothing of that name
    assert!(matches!(
        c.resolve("ni"),
        Err(flowstate_corpus::CorpusError::NotFound { .. })
    ));
    assert!(matches!(
        c.resolve("zzzzzz"),
        Err(flowstate_corpus::CorpusError::NotFound { .. })
    ));
}

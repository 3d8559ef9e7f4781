//! The router over the product backend: a real SQLite corpus, the real ranker and parser.

mod common;

use std::sync::Arc;

use common::{doc, expect_error, get, json, post_json, send};
use flowstate_corpus::Corpus;
use flowstate_server::{router, AppState, EngineBackend, ServerConfig};

fn corpus_with_tracks(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("lib.db");
    let mut c = Corpus::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let mut docs = vec![
        doc("a1", "Alpha", 124.0, "8A", 6, "house"),
        doc("a2", "Bravo", 125.0, "9A", 7, "house"),
        doc("a3", "Charlie", 123.0, "8B", 5, "house"),
        doc("a4", "Delta", 126.0, "7A", 8, "techno"),
        doc("a5", "Echo", 174.0, "2B", 9, "drum and bass"),
        doc("a6", "Foxtrot", 127.0, "3B", 6, "techno"),
    ];
    docs[1].vibe = Some("dark".into());
    docs[2].artist = Some("Mira Lind feat. Sable".into());
    docs[3].vibe = Some("dark".into());
    for d in &docs {
        c.upsert_doc(d, "import").unwrap_or_else(|e| panic!("{e}"));
    }
    // a waveform artifact in the analysis crate's format
    let pcm: Vec<f32> = (0..22050 * 4)
        .map(|i| ((i as f32) * 0.05).sin() * 0.5)
        .collect();
    let w = flowstate_analysis::waveform::Waveform::compute(&pcm, 22050, 64);
    c.put_artifact(
        "a1",
        flowstate_server::engine_backend::WAVEFORM_ARTIFACT,
        &w.to_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // a real file for a2
    let audio = dir.join("bravo.wav");
    std::fs::write(&audio, vec![7u8; 3000]).unwrap_or_else(|e| panic!("{e}"));
    c.link_file(&audio, "a2", 3000, 0)
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

#[tokio::test]
async fn engine_backend_serves_a_real_corpus() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = corpus_with_tracks(dir.path());
    let backend = Arc::new(EngineBackend::open(&db).unwrap_or_else(|e| panic!("{e}")));
    let app = router(AppState::new(backend, ServerConfig::default()));

    let j = json(send(&app, get("/api/v1/tracks?sort=bpm")).await).await;
    assert_eq!(j["total"], 6);
    assert_eq!(j["items"][0]["id"], "a3");

    let j = json(send(&app, get("/api/v1/tracks/a1")).await).await;
    assert_eq!(j["waveform"]["low"].as_array().map(Vec::len), Some(64));
    assert!((j["waveform"]["points_per_second"].as_f64().unwrap_or(0.0) - 16.0).abs() < 0.01);

    // audio from the corpus file link
    let j = json(send(&app, get("/api/v1/tracks/a2")).await).await;
    assert_eq!(j["summary"]["has_audio"], true);
    let r = send(&app, get("/api/v1/tracks/a2/audio")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(common::body_bytes(r).await.len(), 3000);

    // ranking: the drum & bass track is not tempo-mixable with 124 BPM
    let j = json(
        send(
            &app,
            post_json("/api/v1/recommend", r#"{"current":"a1","limit":3}"#),
        )
        .await,
    )
    .await;
    let ids: Vec<&str> = j["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["track"]["id"].as_str())
        .collect();
    assert!(!ids.is_empty() && !ids.contains(&"a1"), "{ids:?}");
    assert!(j["results"][0]["reasons"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    assert_ne!(j["results"][0]["track"]["id"], "a5");

    // the prompt is parsed by flowstate-intent and constrains the ranking
    let j = json(send(&app, post_json("/api/v1/intent", r#"{"prompt":"darker"}"#)).await).await;
    assert!(j["status"].is_string(), "{j}");

    // the library's artists are recognised without "by", in the intent and in the ranking
    let j = json(
        send(
            &app,
            post_json("/api/v1/intent", r#"{"prompt":"not mira lind again"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(j["constraints"][0]["attr"], "artist", "{j}");
    assert_eq!(j["constraints"][0]["op"], "not_in", "{j}");
    assert_eq!(j["constraints"][0]["values"][0], "Mira Lind", "{j}");
    let j = json(
        send(
            &app,
            post_json(
                "/api/v1/recommend",
                r#"{"current":"a1","limit":3,"prompt":"more mira lind"}"#,
            ),
        )
        .await,
    )
    .await;
    assert_eq!(j["results"][0]["track"]["id"], "a3", "{j}");

    // suggestions come from the lexicon and the library vocabulary
    let j = json(send(&app, get("/api/v1/intent/suggest?q=tech")).await).await;
    assert!(j["suggestions"].is_array(), "{j}");

    // history and feedback are stored in the corpus
    assert_eq!(
        send(&app, post_json("/api/v1/history", r#"{"track_id":"a1"}"#))
            .await
            .status(),
        200
    );
    let r = send(
        &app,
        post_json(
            "/api/v1/feedback",
            r#"{"track_id":"a2","action":"skip","current_id":"a1","prompt":"darker"}"#,
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let c = Corpus::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let fb = c.feedback(Some("a2")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fb.len(), 1);
    assert_eq!(fb[0].action, "skip");
    assert_eq!(
        fb[0].context.as_ref().map(|v| v["current_id"].clone()),
        Some(serde_json::json!("a1"))
    );
    let h = c.history(None, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].track_id, "a1");

    expect_error(
        send(&app, post_json("/api/v1/recommend", r#"{"current":"zz"}"#)).await,
        404,
        "TRACK_NOT_FOUND",
    )
    .await;
}

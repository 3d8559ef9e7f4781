//! The router driven without a socket (`tower::ServiceExt::oneshot`).

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use common::*;
use flowstate_server::{ServerConfig, DEFAULT_BODY_LIMIT};

#[tokio::test]
async fn ui_and_assets_are_served_with_a_csp() {
    let (app, _) = app();
    let r = send(&app, get("/")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(r.headers().contains_key("content-security-policy"));
    let html = String::from_utf8(body_bytes(r).await).unwrap_or_default();
    assert!(html.contains("<script src=\"/app.js\""));
    for (p, ct) in [
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let r = send(&app, get(p)).await;
        assert_eq!(r.status(), 200, "{p}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with(ct),
            "{p}"
        );
    }
}

#[tokio::test]
async fn list_pages_filters_and_sorts() {
    let (app, _) = app();
    let j = json(send(&app, get("/api/v1/tracks?limit=5")).await).await;
    assert_eq!(j["total"], 12);
    assert_eq!(j["items"].as_array().map(Vec::len), Some(5));
    let j2 = json(send(&app, get("/api/v1/tracks?limit=5&offset=10")).await).await;
    assert_eq!(j2["items"].as_array().map(Vec::len), Some(2));

    // bpm range: every item inside, and the count equals a direct count
    let j = json(
        send(
            &app,
            get("/api/v1/tracks?bpm_min=120&bpm_max=128&limit=500"),
        )
        .await,
    )
    .await;
    let items = j["items"].as_array().cloned().unwrap_or_default();
    assert!(items
        .iter()
        .all(|t| (120.0..=128.0).contains(&t["bpm"].as_f64().unwrap_or(0.0))));
    assert_eq!(items.len(), 6); // 124 126 122 128 120 125

    // energy and genre (case-insensitive)
    let j = json(send(&app, get("/api/v1/tracks?genre=HOUSE&energy_min=5")).await).await;
    let ids: Vec<_> = j["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(ids, vec!["t01", "t02", "t12"]);

    // key in any notation: Am == 8A
    let j = json(send(&app, get("/api/v1/tracks?key=Am")).await).await;
    assert_eq!(j["total"], 3);
    // compatible_with 8A keeps score >= 0.6: 8A, 7A, 9A, 8B, 6A, 10A, 7B, 9B
    let j = json(send(&app, get("/api/v1/tracks?compatible_with=8A&limit=500")).await).await;
    let keys: Vec<String> = j["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["key"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        keys.iter()
            .all(|k| ["8A", "7A", "9A", "8B", "6A", "10A", "7B", "9B"].contains(&k.as_str())),
        "{keys:?}"
    );
    assert_eq!(keys.len(), 7); // three 8A, 9A, 8B, 7A, 10A

    // search: all terms must match
    let j = json(send(&app, get("/api/v1/tracks?q=echo%20fall")).await).await;
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["id"], "t05");

    // sort: descending is ascending reversed (distinct bpm values)
    let asc = json(send(&app, get("/api/v1/tracks?sort=bpm&limit=500")).await).await;
    let desc = json(send(&app, get("/api/v1/tracks?sort=-bpm&limit=500")).await).await;
    let a: Vec<f64> = asc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["bpm"].as_f64())
        .collect();
    let mut d: Vec<f64> = desc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["bpm"].as_f64())
        .collect();
    assert!(a.windows(2).all(|w| w[0] <= w[1]));
    d.reverse();
    assert_eq!(a, d);
}

#[tokio::test]
async fn invalid_list_parameters_are_json_errors() {
    let (app, _) = app();
    for q in [
        "bpm_min=fast",
        "bpm_max=NaN",
        "energy_min=11",
        "limit=0",
        "limit=100000",
        "offset=-1",
        "sort=color",
        "bogus=1",
    ] {
        let r = send(&app, get(&format!("/api/v1/tracks?{q}"))).await;
        expect_error(r, 400, "BAD_REQUEST").await;
    }
    expect_error(
        send(&app, get("/api/v1/tracks?key=H%23")).await,
        400,
        "INVALID_KEY",
    )
    .await;
}

#[tokio::test]
async fn detail_has_doc_waveform_and_grid() {
    let (app, _) = app();
    let j = json(send(&app, get("/api/v1/tracks/t01")).await).await;
    assert_eq!(j["summary"]["id"], "t01");
    assert_eq!(j["summary"]["key_classic"], "Am");
    assert_eq!(j["doc"]["track_id"], "t01");
    assert_eq!(j["waveform"]["low"], serde_json::json!([10, 200]));
    let beats: Vec<f64> = j["beats"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b.as_f64())
        .collect();
    assert_eq!(beats, vec![1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]);
    let down: Vec<f64> = j["downbeats"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b.as_f64())
        .collect();
    assert_eq!(down, vec![1.0, 3.0]);
    assert_eq!(j["doc"]["sections"][0]["label"], "intro");
    assert_eq!(j["doc"]["cues"][0]["kind"], "mix_in");
    assert!(j["audio_url"].is_null());
}

#[tokio::test]
async fn unknown_tracks_and_traversal_attempts_are_not_found() {
    let (app, _) = app();
    for id in [
        "nope",
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "t01%00",
        "..",
        "t01%2F..%2Ft02",
    ] {
        for suffix in ["", "/audio"] {
            let r = send(&app, get(&format!("/api/v1/tracks/{id}{suffix}"))).await;
            let s = r.status().as_u16();
            assert!(s == 404 || s == 400, "{id}{suffix}: {s}");
            let j = json(r).await;
            let code = j["error"]["code"].as_str().unwrap_or("");
            assert!(
                ["TRACK_NOT_FOUND", "NOT_FOUND", "BAD_REQUEST"].contains(&code),
                "{id}{suffix}: {j}"
            );
        }
    }
    expect_error(
        send(&app, get("/api/v1/tracks/nope")).await,
        404,
        "TRACK_NOT_FOUND",
    )
    .await;
    // a track without a file has no audio
    expect_error(
        send(&app, get("/api/v1/tracks/t02/audio")).await,
        404,
        "AUDIO_UNAVAILABLE",
    )
    .await;
}

async fn audio_app() -> (axum::Router, Vec<u8>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("a.wav");
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap_or_else(|e| panic!("{e}"));
    let b = Arc::new(MemBackend::sample().with_audio("t03", path));
    (app_with(b, ServerConfig::default()), data, dir)
}

#[tokio::test]
async fn audio_streams_with_ranges() {
    let (app, data, _dir) = audio_app().await;
    let r = send(&app, get("/api/v1/tracks/t03/audio")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(r.headers()["content-length"], "10000");
    assert_eq!(body_bytes(r).await, data);

    let range = |h: &str| {
        Request::get("/api/v1/tracks/t03/audio")
            .header("range", h)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let r = send(&app, range("bytes=100-199")).await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/10000");
    assert_eq!(r.headers()["content-length"], "100");
    assert_eq!(body_bytes(r).await, data[100..200].to_vec());

    let r = send(&app, range("bytes=-10")).await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 9990-9999/10000");
    assert_eq!(body_bytes(r).await, data[9990..].to_vec());

    let r = send(&app, range("bytes=9000-")).await;
    assert_eq!(r.status(), 206);
    assert_eq!(body_bytes(r).await, data[9000..].to_vec());

    let r = send(&app, range("bytes=10000-")).await;
    assert_eq!(
        r.headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok()),
        Some("bytes */10000")
    );
    expect_error(r, 416, "RANGE_NOT_SATISFIABLE").await;

    // malformed range: ignored, full body
    let r = send(&app, range("bytes=oops")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body_bytes(r).await.len(), 10_000);

    // the detail advertises the audio URL
    let j = json(send(&app, get("/api/v1/tracks/t03")).await).await;
    assert_eq!(j["audio_url"], "/api/v1/tracks/t03/audio");
    assert_eq!(j["summary"]["has_audio"], true);
}

#[tokio::test]
async fn recommend_ranks_with_compatibility_badges() {
    let (app, _) = app();
    let r = send(
        &app,
        post_json(
            "/api/v1/recommend",
            r#"{"current":"t01","history":["t08"],"limit":5}"#,
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let j = json(r).await;
    let res = j["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(res.len(), 5);
    assert_eq!(j["current"]["id"], "t01");
    let ids: Vec<&str> = res
        .iter()
        .filter_map(|x| x["track"]["id"].as_str())
        .collect();
    assert!(!ids.contains(&"t01") && !ids.contains(&"t08"));
    assert_eq!(res[0]["rank"], 1);
    // t11: 8A, 125 BPM vs t01 8A 124 BPM → same key, 0.8 % tempo difference
    let t11 = res
        .iter()
        .find(|x| x["track"]["id"] == "t11")
        .cloned()
        .unwrap_or_default();
    assert_eq!(t11["compatibility"]["key_score"], 1.0);
    assert_eq!(t11["compatibility"]["key_steps"], 0);
    assert_eq!(t11["compatibility"]["bpm_diff_pct"], 0.8);
    assert_eq!(t11["compatibility"]["tempo_mixable"], true);
    assert_eq!(t11["compatibility"]["energy_delta"], 1.0);
    let scores: Vec<f64> = res.iter().filter_map(|x| x["score"].as_f64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));

    // a prompt reaches the backend and its intent is returned
    let j = json(
        send(
            &app,
            post_json(
                "/api/v1/recommend",
                r#"{"current":"t01","prompt":"more techno"}"#,
            ),
        )
        .await,
    )
    .await;
    assert_eq!(j["intent"]["status"], "ok");
    assert!(j["results"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|x| x["track"]["genre"] == "techno"));
}

#[tokio::test]
async fn recommend_rejects_bad_input_with_codes() {
    let (app, _) = app();
    let cases: Vec<(String, u16, &str)> = vec![
        (r#"{"current":"zz"}"#.into(), 404, "TRACK_NOT_FOUND"),
        (
            r#"{"current":"t01","history":["zz"]}"#.into(),
            404,
            "TRACK_NOT_FOUND",
        ),
        (
            r#"{"current":"t01","prompt":"pure garbage"}"#.into(),
            422,
            "INVALID_PROMPT",
        ),
        (
            format!(r#"{{"current":"t01","prompt":"{}"}}"#, "a".repeat(600)),
            422,
            "INVALID_PROMPT",
        ),
        (
            r#"{"current":"t01","prompt":"dark\u0000er"}"#.into(),
            422,
            "INVALID_PROMPT",
        ),
        (r#"{"current":"t01","limit":0}"#.into(), 400, "BAD_REQUEST"),
        (r#"{"current":"t01","limit":-3}"#.into(), 400, "BAD_REQUEST"),
        (
            r#"{"current":"t01","surprise":true}"#.into(),
            400,
            "BAD_REQUEST",
        ),
        (r#"{"current":17}"#.into(), 400, "BAD_REQUEST"),
        (r#"{"current":"t01""#.into(), 400, "BAD_REQUEST"),
        ("[]".into(), 400, "BAD_REQUEST"),
        ("{}".into(), 400, "BAD_REQUEST"), // no current and an empty session history
    ];
    for (body, status, code) in cases {
        let r = send(&app, post_json("/api/v1/recommend", &body)).await;
        expect_error(r, status, code).await;
    }
    // wrong content type
    let r = send(
        &app,
        Request::post("/api/v1/recommend")
            .header("content-type", "text/plain")
            .body(Body::from("{}"))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    expect_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
    // a body over the limit
    let big = format!(
        r#"{{"current":"t01","prompt":"{}"}}"#,
        "x".repeat(DEFAULT_BODY_LIMIT + 10)
    );
    expect_error(
        send(&app, post_json("/api/v1/recommend", &big)).await,
        413,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
}

#[tokio::test]
async fn history_drives_the_default_current_track() {
    let (app, backend) = app();
    let j = json(send(&app, get("/api/v1/history")).await).await;
    assert_eq!(j["entries"].as_array().map(Vec::len), Some(0));
    for id in ["t01", "t02"] {
        let r = send(
            &app,
            post_json("/api/v1/history", &format!(r#"{{"track_id":"{id}"}}"#)),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let j = json(send(&app, get("/api/v1/history")).await).await;
    let e = j["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(e.len(), 2);
    assert_eq!(e[1]["track"]["id"], "t02");
    assert_eq!(e[1]["position"], 2);
    assert_eq!(backend.plays.lock().map(|p| p.len()).unwrap_or(0), 2);
    // without `current` the last played track is current, and played tracks are excluded
    let j = json(send(&app, post_json("/api/v1/recommend", "{}")).await).await;
    assert_eq!(j["current"]["id"], "t02");
    assert!(j["results"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|x| x["track"]["id"] != "t01"));
    expect_error(
        send(&app, post_json("/api/v1/history", r#"{"track_id":"zz"}"#)).await,
        404,
        "TRACK_NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn feedback_reaches_the_backend() {
    let (app, backend) = app();
    let r = send(
        &app,
        post_json(
            "/api/v1/feedback",
            r#"{"track_id":"t05","action":"like","current_id":"t01","prompt":"darker"}"#,
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let fb = backend
        .feedback
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    assert_eq!(fb.len(), 1);
    assert_eq!(fb[0].track_id, "t05");
    assert_eq!(fb[0].action.as_str(), "like");
    assert_eq!(fb[0].current_id.as_deref(), Some("t01"));
    expect_error(
        send(
            &app,
            post_json("/api/v1/feedback", r#"{"track_id":"t05","action":"love"}"#),
        )
        .await,
        400,
        "BAD_REQUEST",
    )
    .await;
    expect_error(
        send(
            &app,
            post_json("/api/v1/feedback", r#"{"track_id":"zz","action":"skip"}"#),
        )
        .await,
        404,
        "TRACK_NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn intent_parse_and_suggest() {
    let (app, _) = app();
    let j = json(
        send(
            &app,
            post_json("/api/v1/intent", r#"{"prompt":"only techno"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(j["status"], "ok");
    assert_eq!(j["constraints"][0]["attr"], "genre");
    // a parser error is data for /intent (status error), not an HTTP error
    let j = json(send(&app, post_json("/api/v1/intent", r#"{"prompt":"garbage"}"#)).await).await;
    assert_eq!(j["status"], "error");
    expect_error(
        send(&app, post_json("/api/v1/intent", r#"{"prompt":"\u0007"}"#)).await,
        422,
        "INVALID_PROMPT",
    )
    .await;
    let j = json(send(&app, get("/api/v1/intent/suggest?q=more%20d")).await).await;
    let s: Vec<&str> = j["suggestions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert_eq!(s, vec!["darker", "deeper"]);
    assert_eq!(j["query"], "more d");
}

#[tokio::test]
async fn router_errors_are_json() {
    let (app, _) = app();
    expect_error(send(&app, get("/api/v1/nothing")).await, 404, "NOT_FOUND").await;
    expect_error(send(&app, get("/nothing")).await, 404, "NOT_FOUND").await;
    let r = send(
        &app,
        Request::delete("/api/v1/tracks")
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    expect_error(r, 405, "METHOD_NOT_ALLOWED").await;
    expect_error(
        send(&app, get("/api/v1/recommend")).await,
        405,
        "METHOD_NOT_ALLOWED",
    )
    .await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let b = Arc::new(MemBackend::sample());
    let app = app_with(
        b,
        ServerConfig {
            rate_per_second: 1,
            rate_burst: 3,
            ..ServerConfig::default()
        },
    );
    for _ in 0..3 {
        assert_eq!(send(&app, get("/api/v1/health")).await.status(), 200);
    }
    let r = send(&app, get("/api/v1/health")).await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, 429, "RATE_LIMITED").await;
    // the UI's static assets are not limited
    assert_eq!(send(&app, get("/app.js")).await.status(), 200);
}

#[tokio::test]
async fn token_is_required_when_configured() {
    let b = Arc::new(MemBackend::sample());
    let app = app_with(
        b,
        ServerConfig {
            token: Some("s3cret".into()),
            allowed_hosts: None,
            ..ServerConfig::default()
        },
    );
    expect_error(send(&app, get("/api/v1/tracks")).await, 401, "UNAUTHORIZED").await;
    expect_error(send(&app, get("/")).await, 401, "UNAUTHORIZED").await;
    let wrong = Request::get("/api/v1/tracks")
        .header("authorization", "Bearer nope")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    expect_error(send(&app, wrong).await, 401, "UNAUTHORIZED").await;
    let ok = Request::get("/api/v1/tracks")
        .header("authorization", "Bearer s3cret")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(send(&app, ok).await.status(), 200);
    let cookie = Request::get("/api/v1/tracks")
        .header("cookie", "a=b; flowstate_token=s3cret")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(send(&app, cookie).await.status(), 200);
    // opening /?token=… sets the cookie and redirects
    let r = send(&app, get("/?token=s3cret")).await;
    assert_eq!(r.status(), 303);
    let sc = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        sc.starts_with("flowstate_token=s3cret;") && sc.contains("HttpOnly"),
        "{sc}"
    );
}

#[tokio::test]
async fn foreign_host_headers_are_refused_on_loopback() {
    let (app, _) = app();
    let r = send(
        &app,
        Request::get("/api/v1/health")
            .header("host", "evil.example:8080")
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    expect_error(r, 400, "BAD_REQUEST").await;
    let r = send(
        &app,
        Request::get("/api/v1/health")
            .header("host", "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn hostile_inputs_never_cause_server_errors() {
    let (app, _) = app();
    let weird = [
        "%FF%FE",
        "%00",
        "'%20OR%201=1",
        "%E2%80%AE",
        &"a".repeat(5000),
        "%F0%9F%92%A9",
        "[]",
        "{}",
        "-1e309",
        "1e400",
    ];
    for w in weird {
        for p in [
            "q",
            "bpm_min",
            "key",
            "compatible_with",
            "genre",
            "sort",
            "limit",
            "offset",
        ] {
            let r = send(&app, get(&format!("/api/v1/tracks?{p}={w}"))).await;
            assert!(r.status().as_u16() < 500, "{p}={w}: {}", r.status());
            let _ = json(r).await;
        }
        let r = send(&app, get(&format!("/api/v1/intent/suggest?q={w}"))).await;
        assert!(r.status().as_u16() < 500, "suggest {w}");
        let _ = json(r).await;
    }
    for body in [
        "",
        "null",
        "\"x\"",
        "{\"current\":null}",
        "{\"current\":\"t01\",\"limit\":1e99}",
        "{\"current\":\"t01\",\"history\":{}}",
        "\u{0}",
        "{\"current\":\"t01\",\"prompt\":\"\u{202e}evil\"}",
    ] {
        let r = send(&app, post_json("/api/v1/recommend", body)).await;
        assert!(r.status().as_u16() < 500, "{body:?}: {}", r.status());
        let _ = json(r).await;
    }
}

#[tokio::test]
async fn openapi_documents_every_route_and_error_code() {
    let (app, _) = app();
    let j = json(send(&app, get("/api/v1/openapi.json")).await).await;
    assert!(j["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/tracks",
        "/tracks/{id}",
        "/tracks/{id}/audio",
        "/recommend",
        "/intent",
        "/intent/suggest",
        "/history",
        "/feedback",
        "/library",
        "/health",
        "/openapi.json",
    ] {
        assert!(j["paths"].get(path).is_some(), "{path} missing");
    }
    let codes: Vec<&str> = j["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .collect();
    for c in flowstate_server::ErrorCode::ALL {
        assert!(codes.contains(&c.as_str()), "{c:?} not documented");
        // serde name == as_str
        assert_eq!(
            serde_json::to_value(c).ok(),
            Some(serde_json::json!(c.as_str()))
        );
    }
    assert_eq!(codes.len(), flowstate_server::ErrorCode::ALL.len());
}

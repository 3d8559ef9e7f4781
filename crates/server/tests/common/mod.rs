//! A small in-memory `Backend` for router tests: deterministic, with a trivial ranking
//! (harmonic compatibility + tempo closeness) so the HTTP layer can be tested on its own.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response};
use flowstate_server::*;
use flowstate_types::{
    tempo_ratio, Attr, BeatGrid, Constraint, Cue, CueKind, GridSegment, Intent, IntentStatus, Op,
    Section, TrackDoc,
};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[derive(Default)]
pub struct MemBackend {
    pub docs: Vec<TrackDoc>,
    pub plays: Mutex<Vec<(String, String)>>,
    pub feedback: Mutex<Vec<FeedbackInput>>,
}

pub fn doc(id: &str, title: &str, bpm: f64, key: &str, energy: u8, genre: &str) -> TrackDoc {
    TrackDoc {
        track_id: id.into(),
        title: Some(title.into()),
        artist: Some(format!("Artist {id}")),
        bpm: Some(bpm),
        key: Some(key.into()),
        energy: Some(energy),
        genre: Some(genre.into()),
        duration_seconds: Some(240.0),
        ..TrackDoc::default()
    }
}

impl MemBackend {
    /// Twelve tracks with varied tempo/key/energy/genre; t01 has a grid, sections and cues.
    pub fn sample() -> Self {
        let mut docs = vec![
            doc("t01", "Alpha Dawn", 124.0, "8A", 6, "house"),
            doc("t02", "Bravo Night", 126.0, "9A", 7, "house"),
            doc("t03", "Charlie Deep", 122.0, "8B", 5, "deep house"),
            doc("t04", "Delta Rush", 174.0, "3A", 9, "drum and bass"),
            doc("t05", "Echo Fall", 128.0, "7A", 8, "techno"),
            doc("t06", "Foxtrot Haze", 100.0, "1B", 3, "downtempo"),
            doc("t07", "Golf Pulse", 130.0, "8A", 8, "techno"),
            doc("t08", "Hotel Glow", 120.0, "10A", 4, "house"),
            doc("t09", "India Storm", 140.0, "5A", 9, "dubstep"),
            doc("t10", "Juliet Calm", 90.0, "2B", 2, "ambient"),
            doc("t11", "Kilo Drive", 125.0, "8A", 7, "tech house"),
            doc("t12", "Lima Echo", 118.0, "11B", 5, "house"),
        ];
        docs[0].beat_grid = Some(BeatGrid {
            segments: vec![GridSegment {
                start_s: 1.0,
                bpm: 120.0,
                n_beats: 8,
                first_beat_in_bar: 0,
            }],
            first_downbeat_s: Some(1.0),
        });
        docs[0].sections = Some(vec![Section {
            label: "intro".into(),
            start_s: 0.0,
            end_s: 32.0,
            start_bar: Some(0),
            bars: Some(16),
            energy: None,
            vocal: None,
        }]);
        docs[0].cues = Some(vec![Cue {
            kind: CueKind::MixIn,
            time_s: 1.0,
            name: None,
        }]);
        Self {
            docs,
            ..Self::default()
        }
    }

    pub fn with_audio(mut self, id: &str, path: PathBuf) -> Self {
        if let Some(d) = self.docs.iter_mut().find(|d| d.track_id == id) {
            d.file_path = Some(path.to_string_lossy().into_owned());
        }
        self
    }
}

impl Backend for MemBackend {
    fn load_tracks(&self) -> Result<Vec<TrackDoc>, BackendError> {
        Ok(self.docs.clone())
    }

    fn waveform(&self, track_id: &str) -> Result<Option<WaveformData>, BackendError> {
        Ok((track_id == "t01").then(|| WaveformData {
            points_per_second: 1.0,
            low: vec![10, 200],
            mid: vec![20, 100],
            high: vec![30, 50],
        }))
    }

    fn audio_path(&self, track_id: &str) -> Result<Option<PathBuf>, BackendError> {
        Ok(self
            .docs
            .iter()
            .find(|d| d.track_id == track_id)
            .and_then(|d| d.file_path.as_ref().map(PathBuf::from)))
    }

    fn parse_intent(&self, prompt: &str) -> Intent {
        if prompt.contains("garbage") {
            return Intent::error("cannot understand the prompt");
        }
        if prompt.contains("techno") {
            return Intent {
                status: IntentStatus::Ok,
                constraints: vec![Constraint::hard(
                    Attr::Genre,
                    Op::In {
                        values: vec!["techno".into()],
                    },
                )],
                ambiguous_attrs: vec![],
                error: None,
                explanation: None,
            };
        }
        Intent::no_op()
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        ["darker", "deeper", "faster", "techno"]
            .iter()
            .filter(|w| w.starts_with(prefix.split_whitespace().last().unwrap_or("")))
            .take(limit)
            .map(|w| Suggestion {
                text: w.to_string(),
                label: w.to_string(),
                kind: "vibe".into(),
            })
            .collect()
    }

    fn recommend(
        &self,
        current: &str,
        history: &[String],
        prompt: Option<&str>,
        limit: usize,
    ) -> Result<Recommendation, BackendError> {
        let cur = self
            .docs
            .iter()
            .find(|d| d.track_id == current)
            .ok_or_else(|| BackendError::TrackNotFound(current.into()))?;
        let techno = prompt.is_some_and(|p| p.contains("techno"));
        let mut scored: Vec<RankedTrack> = self
            .docs
            .iter()
            .filter(|d| d.track_id != current && !history.contains(&d.track_id))
            .filter(|d| !techno || d.genre.as_deref() == Some("techno"))
            .map(|d| {
                let k = match (cur.camelot(), d.camelot()) {
                    (Some(a), Some(b)) => a.compatibility(b),
                    _ => 0.0,
                };
                let t = tempo_ratio(cur.bpm.unwrap_or(0.0), d.bpm.unwrap_or(0.0));
                let score = k + (1.0 - t.min(1.0));
                RankedTrack {
                    track_id: d.track_id.clone(),
                    score,
                    reasons: vec![format!("key score {k}")],
                }
            })
            .collect();
        scored.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.track_id.cmp(&b.track_id))
        });
        scored.truncate(limit);
        Ok(Recommendation {
            intent: None,
            results: scored,
            notes: vec![],
        })
    }

    fn record_play(&self, session: &str, track_id: &str) -> Result<(), BackendError> {
        if let Ok(mut p) = self.plays.lock() {
            p.push((session.into(), track_id.into()));
        }
        Ok(())
    }

    fn record_feedback(&self, feedback: &FeedbackInput) -> Result<(), BackendError> {
        if let Ok(mut f) = self.feedback.lock() {
            f.push(feedback.clone());
        }
        Ok(())
    }
}

pub fn app_with(backend: Arc<MemBackend>, config: ServerConfig) -> axum::Router {
    router(AppState::new(backend, config))
}

pub fn app() -> (axum::Router, Arc<MemBackend>) {
    let b = Arc::new(MemBackend::sample());
    (app_with(b.clone(), ServerConfig::default()), b)
}

pub async fn send(app: &axum::Router, req: Request<Body>) -> Response<Body> {
    match app.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

pub async fn body_bytes(resp: Response<Body>) -> Vec<u8> {
    resp.into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default()
}

pub async fn json(resp: Response<Body>) -> serde_json::Value {
    let b = body_bytes(resp).await;
    serde_json::from_slice(&b)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&b)))
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn post_json(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts an error response with the given status and code.
pub async fn expect_error(resp: Response<Body>, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    let j = json(resp).await;
    assert_eq!(j["error"]["code"], code, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{j}"
    );
    j
}

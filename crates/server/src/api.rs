//! Handlers of `/api/v1`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use flowstate_types::{CamelotKey, IntentStatus, TrackDoc};
use serde::Deserialize;

use crate::catalog::{SortField, TrackFilter};
use crate::dto::*;
use crate::error::{truncate, ApiError, ErrorCode};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{AppState, FeedbackInput};

/// The OpenAPI 3 document of this API (hand-written).
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Longest prompt accepted, in characters.
pub const MAX_PROMPT_CHARS: usize = 500;
/// Most tracks a page may hold.
pub const MAX_PAGE: usize = 500;
/// Most recommendations per request.
pub const MAX_RECOMMEND: usize = 100;
/// Most history entries a recommend request may pass.
pub const MAX_HISTORY: usize = 1000;
/// Most beats drawn per track.
const MAX_BEATS: usize = 20_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/library", get(library))
        .route("/tracks", get(list_tracks))
        .route("/tracks/{id}", get(track_detail))
        .route("/tracks/{id}/audio", get(track_audio))
        .route("/recommend", post(recommend))
        .route("/intent", post(parse_intent))
        .route("/intent/suggest", get(suggest))
        .route("/intent/suggest/ws", get(crate::suggest_ws::upgrade))
        .route("/history", get(get_history).post(post_history))
        .route("/feedback", post(feedback))
        .fallback(api_not_found)
}

async fn api_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API endpoint")
}

async fn health(State(st): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok", "ready": st.is_ready()}))
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON,
    )
        .into_response()
}

async fn library(State(st): State<AppState>) -> Result<Json<LibraryInfo>, ApiError> {
    let cat = st.catalog().await?;
    let (bpm_min, bpm_max) = cat
        .bpm_range()
        .map_or((None, None), |(a, b)| (Some(a), Some(b)));
    Ok(Json(LibraryInfo {
        ready: true,
        tracks: cat.len(),
        genres: cat
            .genres()
            .into_iter()
            .map(|(genre, count)| GenreCount { genre, count })
            .collect(),
        bpm_min,
        bpm_max,
        session: st.config().session.clone(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// Query string of `GET /tracks` (strings, validated here for precise messages).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracksQuery {
    pub q: Option<String>,
    pub bpm_min: Option<String>,
    pub bpm_max: Option<String>,
    pub energy_min: Option<String>,
    pub energy_max: Option<String>,
    /// Comma-separated keys in any notation.
    pub key: Option<String>,
    /// Keep keys harmonically compatible with this one.
    pub compatible_with: Option<String>,
    /// Comma-separated genres (case-insensitive).
    pub genre: Option<String>,
    /// `bpm`, `-bpm` (descending), title, artist, key, energy, genre, duration.
    pub sort: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
}

fn num(name: &str, v: &Option<String>, lo: f64, hi: f64) -> Result<Option<f64>, ApiError> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(Some(x)),
        _ => Err(ApiError::bad_request(format!(
            "{name} must be a number in {lo}..={hi}, got {:?}",
            truncate(s, 40)
        ))),
    }
}

fn key(name: &str, s: &str) -> Result<CamelotKey, ApiError> {
    s.trim().parse::<CamelotKey>().map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidKey,
            format!(
                "{name}: not a musical key: {:?} (try 8A, Am or F# major)",
                truncate(s, 40)
            ),
        )
    })
}

impl TracksQuery {
    pub fn to_filter(&self) -> Result<TrackFilter, ApiError> {
        let terms = self
            .q
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .split_whitespace()
            .take(16)
            .map(|t| truncate(t, 64))
            .collect();
        let keys = match self.key.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => s
                .split(',')
                .take(24)
                .map(|k| key("key", k))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let compatible_with = match self
            .compatible_with
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => Some(key("compatible_with", s)?),
            None => None,
        };
        let genres = self
            .genre
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|g| g.trim().to_lowercase())
            .filter(|g| !g.is_empty())
            .take(32)
            .collect();
        let sort = match self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                let (desc, name) = match s.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, s),
                };
                let f = SortField::parse(name).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "sort must be one of title, artist, bpm, key, energy, genre, duration (prefix - for descending), got {:?}",
                        truncate(s, 40)
                    ))
                })?;
                Some((f, desc))
            }
        };
        let offset = num("offset", &self.offset, 0.0, 1e9)?.map_or(0, |x| x as usize);
        let limit = num("limit", &self.limit, 1.0, MAX_PAGE as f64)?.map_or(50, |x| x as usize);
        let f = TrackFilter {
            terms,
            bpm_min: num("bpm_min", &self.bpm_min, 0.0, 1000.0)?,
            bpm_max: num("bpm_max", &self.bpm_max, 0.0, 1000.0)?,
            energy_min: num("energy_min", &self.energy_min, 0.0, 10.0)?,
            energy_max: num("energy_max", &self.energy_max, 0.0, 10.0)?,
            keys,
            compatible_with,
            genres,
            sort,
            offset,
            limit,
        };
        Ok(f)
    }
}

async fn list_tracks(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<TracksQuery>,
) -> Result<Json<TrackPage>, ApiError> {
    let filter = q.to_filter()?;
    let cat = st.catalog().await?;
    let page = tokio::task::spawn_blocking(move || cat.query(&filter)).await?;
    Ok(Json(page))
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "track id must be 1–256 printable characters",
        ));
    }
    Ok(())
}

fn beats_of(doc: &TrackDoc) -> (Vec<f64>, Vec<f64>) {
    let mut beats = Vec::new();
    let mut downbeats = Vec::new();
    let Some(grid) = &doc.beat_grid else {
        return (beats, downbeats);
    };
    for seg in &grid.segments {
        if !(seg.bpm.is_finite() && seg.bpm > 0.0 && seg.start_s.is_finite()) {
            continue;
        }
        let period = 60.0 / seg.bpm;
        for k in 0..seg.n_beats as usize {
            if beats.len() >= MAX_BEATS {
                return (beats, downbeats);
            }
            let t = seg.start_s + k as f64 * period;
            beats.push(t);
            if (k + usize::from(seg.first_beat_in_bar)) % 4 == 0 {
                downbeats.push(t);
            }
        }
    }
    (beats, downbeats)
}

async fn track_detail(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TrackDetail>, ApiError> {
    check_id(&id)?;
    let cat = st.catalog().await?;
    let doc = cat
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::track_not_found(&id))?;
    let backend = st.backend();
    let id2 = id.clone();
    let waveform = tokio::task::spawn_blocking(move || backend.waveform(&id2)).await??;
    let (beats, downbeats) = beats_of(&doc);
    let audio_url = doc.file_path.as_ref().map(|_| {
        format!(
            "/api/v1/tracks/{}/audio",
            percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC)
        )
    });
    Ok(Json(TrackDetail {
        summary: TrackSummary::from_doc(&doc),
        doc,
        waveform,
        beats,
        downbeats,
        audio_url,
    }))
}

async fn track_audio(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let cat = st.catalog().await?;
    if cat.get(&id).is_none() {
        return Err(ApiError::track_not_found(&id));
    }
    let backend = st.backend();
    let id2 = id.clone();
    let path = tokio::task::spawn_blocking(move || backend.audio_path(&id2))
        .await??
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::AudioUnavailable,
                "this track has no audio file in the library",
            )
        })?;
    crate::audio::serve_file(&path, &headers).await
}

pub(crate) fn check_prompt(p: &str) -> Result<(), ApiError> {
    if p.chars().count() > MAX_PROMPT_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidPrompt,
            format!("prompt longer than {MAX_PROMPT_CHARS} characters"),
        ));
    }
    if p.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ApiError::new(
            ErrorCode::InvalidPrompt,
            "prompt contains control characters",
        ));
    }
    Ok(())
}

async fn recommend(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<RecommendRequest>,
) -> Result<Json<RecommendResponse>, ApiError> {
    let limit = req.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_RECOMMEND {
        return Err(ApiError::bad_request(format!(
            "limit must be in 1..={MAX_RECOMMEND}"
        )));
    }
    let prompt = req
        .prompt
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from);
    if let Some(p) = &prompt {
        check_prompt(p)?;
    }
    let cat = st.catalog().await?;
    let history: Vec<String> = match req.history {
        Some(h) => {
            if h.len() > MAX_HISTORY {
                return Err(ApiError::bad_request(format!(
                    "history longer than {MAX_HISTORY} tracks"
                )));
            }
            for id in &h {
                check_id(id)?;
                if cat.get(id).is_none() {
                    return Err(ApiError::track_not_found(id));
                }
            }
            h
        }
        None => st.history().into_iter().map(|p| p.track_id).collect(),
    };
    let current = match req.current {
        Some(c) => c,
        None => history.last().cloned().ok_or_else(|| {
            ApiError::bad_request("no current track: pass `current` or play a track first")
        })?,
    };
    check_id(&current)?;
    let cur_doc = cat
        .get(&current)
        .cloned()
        .ok_or_else(|| ApiError::track_not_found(&current))?;
    let backend = st.backend();
    let cur2 = current.clone();
    let _permit = st
        .inner
        .rank_gate
        .acquire()
        .await
        .map_err(|_| ApiError::new(ErrorCode::Unavailable, "server shutting down"))?;
    let rec = tokio::task::spawn_blocking(move || {
        let intent = prompt.as_deref().map(|p| backend.parse_intent(p));
        if let Some(i) = &intent {
            if i.status == IntentStatus::Error {
                let msg = i
                    .error
                    .clone()
                    .unwrap_or_else(|| "the prompt cannot be used".into());
                return Err(ApiError::new(ErrorCode::InvalidPrompt, msg));
            }
        }
        let mut rec = backend.recommend(&cur2, &history, prompt.as_deref(), limit)?;
        if rec.intent.is_none() {
            rec.intent = intent;
        }
        Ok::<_, ApiError>(rec)
    })
    .await??;
    let results = rec
        .results
        .into_iter()
        .filter_map(|r| {
            let doc = cat.get(&r.track_id)?;
            Some((r, doc))
        })
        .enumerate()
        .map(|(i, (r, doc))| RecommendItem {
            rank: i + 1,
            score: r.score,
            track: TrackSummary::from_doc(doc),
            reasons: r.reasons,
            compatibility: Some(Compatibility::between(&cur_doc, doc)),
        })
        .collect();
    Ok(Json(RecommendResponse {
        current: TrackSummary::from_doc(&cur_doc),
        intent: rec.intent,
        results,
        notes: rec.notes,
    }))
}

async fn parse_intent(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<IntentRequest>,
) -> Result<Json<flowstate_types::Intent>, ApiError> {
    check_prompt(&req.prompt)?;
    let backend = st.backend();
    let intent = tokio::task::spawn_blocking(move || backend.parse_intent(&req.prompt)).await?;
    Ok(Json(intent))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    pub q: Option<String>,
    pub limit: Option<usize>,
}

async fn suggest(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<SuggestResponse>, ApiError> {
    let query = q.q.unwrap_or_default();
    check_prompt(&query)?;
    let limit = q.limit.unwrap_or(8).clamp(1, 50);
    let backend = st.backend();
    let query2 = query.clone();
    let suggestions = tokio::task::spawn_blocking(move || backend.suggest(&query2, limit)).await?;
    Ok(Json(SuggestResponse { query, suggestions }))
}

fn history_response(st: &AppState, cat: &Arc<crate::Catalog>) -> HistoryResponse {
    let entries = st
        .history()
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            Some(HistoryEntry {
                position: i + 1,
                played_at: p.played_at,
                track: cat.summary(&p.track_id)?,
            })
        })
        .collect();
    HistoryResponse {
        session: st.config().session.clone(),
        entries,
    }
}

async fn get_history(State(st): State<AppState>) -> Result<Json<HistoryResponse>, ApiError> {
    let cat = st.catalog().await?;
    Ok(Json(history_response(&st, &cat)))
}

/// Most tracks one session's history keeps.
const MAX_SESSION_HISTORY: usize = 10_000;

async fn post_history(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<HistoryRequest>,
) -> Result<Json<HistoryResponse>, ApiError> {
    check_id(&req.track_id)?;
    let cat = st.catalog().await?;
    if cat.get(&req.track_id).is_none() {
        return Err(ApiError::track_not_found(&req.track_id));
    }
    if st.history().len() >= MAX_SESSION_HISTORY {
        return Err(ApiError::bad_request("session history is full"));
    }
    let backend = st.backend();
    let session = st.config().session.clone();
    let id = req.track_id.clone();
    tokio::task::spawn_blocking(move || backend.record_play(&session, &id)).await??;
    st.push_history(req.track_id);
    Ok(Json(history_response(&st, &cat)))
}

async fn feedback(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> Result<Json<FeedbackResponse>, ApiError> {
    check_id(&req.track_id)?;
    if let Some(p) = &req.prompt {
        check_prompt(p)?;
    }
    let cat = st.catalog().await?;
    if cat.get(&req.track_id).is_none() {
        return Err(ApiError::track_not_found(&req.track_id));
    }
    if let Some(c) = &req.current_id {
        check_id(c)?;
        if cat.get(c).is_none() {
            return Err(ApiError::track_not_found(c));
        }
    }
    let input = FeedbackInput {
        session: st.config().session.clone(),
        track_id: req.track_id,
        action: req.action,
        current_id: req.current_id,
        prompt: req.prompt,
    };
    let backend = st.backend();
    tokio::task::spawn_blocking(move || backend.record_feedback(&input)).await??;
    Ok(Json(FeedbackResponse {
        stored: true,
        session: st.config().session.clone(),
    }))
}

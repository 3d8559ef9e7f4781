//! Suggestions while typing over a WebSocket: `GET /api/v1/intent/suggest/ws`.
//!
//! The browser keeps one socket open while the prompt box has focus and sends one text frame
//! per keystroke, `{"q": "...", "limit": 8, "seq": 17}` (a bare string is accepted too); the
//! server answers each with `{"seq": 17, "query": "...", "suggestions": [...]}` — the same
//! body as `GET /intent/suggest` plus the echo of `seq`, so the client drops stale answers.
//! A bad frame gets `{"seq": .., "error": {"code": "INVALID_PROMPT", "message": ..}}` and the
//! socket stays open; binary frames and frames over [`MAX_FRAME_BYTES`] close it.
//!
//! Frames queued while a lookup runs are coalesced: only the newest prompt is answered,
//! so a fast typist never builds a backlog.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::backend::Suggestion;
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// Largest frame a client may send (a prompt is at most 500 characters).
pub const MAX_FRAME_BYTES: usize = 4096;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    q: String,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    seq: Option<u64>,
}

#[derive(Debug, Serialize)]
struct Answer<'a> {
    seq: Option<u64>,
    query: &'a str,
    suggestions: &'a [Suggestion],
}

#[derive(Debug, Serialize)]
struct Failure<'a> {
    seq: Option<u64>,
    error: ErrBody<'a>,
}

#[derive(Debug, Serialize)]
struct ErrBody<'a> {
    code: &'static str,
    message: &'a str,
}

/// Refuse a cross-site page opening a socket on the DJ's server (browsers send `Origin` with
/// every WebSocket handshake; same-origin pages send the server's own host).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true; // not a browser (curl, tests): the Host check and token still apply
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or("");
    origin_host.eq_ignore_ascii_case(host)
}

pub async fn upgrade(
    State(st): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers) {
        return ApiError::new(ErrorCode::Unauthorized, "cross-origin WebSocket refused")
            .into_response();
    }
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve(st, socket))
}

fn parse(text: &str) -> Ask {
    serde_json::from_str::<Ask>(text).unwrap_or_else(|_| Ask {
        q: text.to_string(),
        limit: None,
        seq: None,
    })
}

async fn answer(st: &AppState, ask: Ask) -> String {
    if let Err(e) = crate::api::check_prompt(&ask.q) {
        return failure(ask.seq, &e);
    }
    let limit = ask.limit.unwrap_or(8).clamp(1, 50);
    let backend = st.backend();
    let q = ask.q.clone();
    match tokio::task::spawn_blocking(move || backend.suggest(&q, limit)).await {
        Ok(s) => serde_json::to_string(&Answer {
            seq: ask.seq,
            query: &ask.q,
            suggestions: &s,
        })
        .unwrap_or_else(|_| failure(ask.seq, &ApiError::internal("serialisation failed"))),
        Err(e) => failure(ask.seq, &ApiError::from(e)),
    }
}

fn failure(seq: Option<u64>, e: &ApiError) -> String {
    serde_json::to_string(&Failure {
        seq,
        error: ErrBody {
            code: e.code.as_str(),
            message: &e.message,
        },
    })
    .unwrap_or_else(|_| {
        r#"{"error":{"code":"INTERNAL","message":"error serialisation failed"}}"#.into()
    })
}

async fn serve(st: AppState, mut socket: WebSocket) {
    loop {
        let msg = match socket.recv().await {
            Some(Ok(m)) => m,
            _ => return, // closed or broken
        };
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Ping(_) | Message::Pong(_) => continue, // axum answers pings itself
            Message::Close(_) => return,
            Message::Binary(_) => {
                let _ = socket
                    .send(Message::Close(Some(CloseFrame {
                        code: 1003,
                        reason: Utf8Bytes::from_static("text frames only"),
                    })))
                    .await;
                return;
            }
        };
        // coalesce: answer only the newest of the frames already waiting
        let mut latest = text;
        // (a zero timeout polls `recv` once: Ok only for a frame that is already here)
        while let Ok(Some(Ok(next))) =
            tokio::time::timeout(std::time::Duration::ZERO, socket.recv()).await
        {
            match next {
                Message::Text(t) => latest = t.to_string(),
                Message::Close(_) => return,
                Message::Binary(_) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                _ => {}
            }
        }
        let reply = answer(&st, parse(&latest)).await;
        if socket.send(Message::Text(reply.into())).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            m.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        m
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same_origin(&h(None, "127.0.0.1:8765")));
        assert!(same_origin(&h(
            Some("http://127.0.0.1:8765"),
            "127.0.0.1:8765"
        )));
        assert!(!same_origin(&h(
            Some("http://evil.example"),
            "127.0.0.1:8765"
        )));
        assert!(!same_origin(&h(
            Some("http://127.0.0.1:9999"),
            "127.0.0.1:8765"
        )));
        assert!(!same_origin(&h(Some("null"), "127.0.0.1:8765")));
    }

    #[test]
    fn frames_parse_as_json_or_bare_text() {
        let a = parse(r#"{"q":"dark","seq":3}"#);
        assert_eq!((a.q.as_str(), a.seq), ("dark", Some(3)));
        let b = parse("darker but");
        assert_eq!((b.q.as_str(), b.seq), ("darker but", None));
        // unknown fields are not silently accepted as JSON: the whole frame becomes the query
        let c = parse(r#"{"q":"x","evil":1}"#);
        assert!(c.seq.is_none());
    }
}

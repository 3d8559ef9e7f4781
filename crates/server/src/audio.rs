//! Streaming a library file with HTTP Range support (RFC 9110 §14).
//! Only files the corpus knows are served: the client names a track id, never a path.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::{ApiError, ErrorCode};

/// A byte range resolved against a file length: `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

/// What a `Range` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No (usable) Range header: send the whole file with 200.
    Full,
    /// One satisfiable range: 206.
    Partial(ByteRange),
    /// Syntactically valid but outside the file: 416.
    Unsatisfiable,
}

/// Resolve a `Range` header value against a file of `len` bytes. Malformed headers,
/// other units and multi-range requests are ignored (answered with the full file), as the
/// RFC allows.
pub fn parse_range(value: Option<&str>, len: u64) -> RangeRequest {
    let Some(v) = value else {
        return RangeRequest::Full;
    };
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    match (a.is_empty(), b.is_empty()) {
        // bytes=-N : the last N bytes
        (true, false) => match num(b) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(_) if len == 0 => RangeRequest::Unsatisfiable,
            Some(n) => RangeRequest::Partial(ByteRange {
                start: len.saturating_sub(n),
                end: len - 1,
            }),
            None => RangeRequest::Full,
        },
        // bytes=A- : from A to the end
        (false, true) => match num(a) {
            Some(s) if s < len => RangeRequest::Partial(ByteRange {
                start: s,
                end: len - 1,
            }),
            Some(_) => RangeRequest::Unsatisfiable,
            None => RangeRequest::Full,
        },
        (false, false) => match (num(a), num(b)) {
            (Some(s), Some(e)) if s > e => RangeRequest::Full,
            (Some(s), Some(_)) if s >= len => RangeRequest::Unsatisfiable,
            (Some(s), Some(e)) => RangeRequest::Partial(ByteRange {
                start: s,
                end: e.min(len - 1),
            }),
            _ => RangeRequest::Full,
        },
        (true, true) => RangeRequest::Full,
    }
}

/// MIME type from the file extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("mp3") => "audio/mpeg",
        Some("flac") => "audio/flac",
        Some("ogg" | "oga" | "opus") => "audio/ogg",
        Some("m4a" | "mp4" | "aac" | "alac") => "audio/mp4",
        Some("wav" | "wave") => "audio/wav",
        Some("aif" | "aiff" | "aifc") => "audio/aiff",
        _ => "application/octet-stream",
    }
}

/// Serve `path` honouring the request's Range header.
pub async fn serve_file(path: &Path, headers: &HeaderMap) -> Result<Response, ApiError> {
    let unavailable = || {
        ApiError::new(
            ErrorCode::AudioUnavailable,
            "the track's audio file cannot be read",
        )
    };
    let mut file = tokio::fs::File::open(path).await.map_err(|e| {
        tracing::warn!(path = %path.display(), error = %e, "audio file open failed");
        unavailable()
    })?;
    let meta = file.metadata().await.map_err(|_| unavailable())?;
    if !meta.is_file() {
        return Err(unavailable());
    }
    let len = meta.len();
    let range = parse_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        len,
    );
    let ctype = HeaderValue::from_static(content_type(path));
    match range {
        RangeRequest::Unsatisfiable => Err(ApiError::new(
            ErrorCode::RangeNotSatisfiable,
            format!("range outside the file ({len} bytes)"),
        )
        .with_header(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&format!("bytes */{len}")).map_err(|_| unavailable())?,
        )),
        RangeRequest::Full => {
            let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
            Ok((
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, ctype),
                    (header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
                    (header::CONTENT_LENGTH, HeaderValue::from(len)),
                ],
                body,
            )
                .into_response())
        }
        RangeRequest::Partial(r) => {
            file.seek(std::io::SeekFrom::Start(r.start))
                .await
                .map_err(|_| unavailable())?;
            let n = r.end - r.start + 1;
            let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(n)));
            let cr = HeaderValue::from_str(&format!("bytes {}-{}/{}", r.start, r.end, len))
                .map_err(|_| unavailable())?;
            Ok((
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_TYPE, ctype),
                    (header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
                    (header::CONTENT_LENGTH, HeaderValue::from(n)),
                    (header::CONTENT_RANGE, cr),
                ],
                body,
            )
                .into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(start: u64, end: u64) -> RangeRequest {
        RangeRequest::Partial(ByteRange { start, end })
    }

    #[test]
    fn ranges_resolve_against_the_length() {
        assert_eq!(parse_range(None, 100), RangeRequest::Full);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), p(0, 9));
        assert_eq!(parse_range(Some("bytes=90-"), 100), p(90, 99));
        assert_eq!(parse_range(Some("bytes=-10"), 100), p(90, 99));
        assert_eq!(parse_range(Some("bytes=-500"), 100), p(0, 99));
        assert_eq!(parse_range(Some("bytes=50-5000"), 100), p(50, 99));
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=100-200"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=-0"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=0-"), 0),
            RangeRequest::Unsatisfiable
        );
    }

    #[test]
    fn malformed_ranges_are_ignored() {
        for h in [
            "items=0-1",
            "bytes=a-b",
            "bytes=5-1",
            "bytes=-",
            "bytes=0-1,5-6",
            "bytes=+1-2",
            "bytes=18446744073709551616-",
        ] {
            assert_eq!(parse_range(Some(h), 100), RangeRequest::Full, "{h}");
        }
    }
}

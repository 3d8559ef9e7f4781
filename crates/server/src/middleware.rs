//! Cross-cutting layers: per-client rate limit, token check for non-loopback binds,
//! Host check against DNS rebinding, JSON bodies for every error, security headers.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// Token bucket per client address.
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Most clients remembered before idle ones are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

impl RateLimiter {
    /// `per_second == 0` disables the limit.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_second > 0.0
    }

    /// Take one token for `ip`; `Err(seconds)` tells how long until one is available.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        if !self.enabled() {
            return Ok(());
        }
        let mut map = match self.buckets.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() >= MAX_TRACKED_CLIENTS && !map.contains_key(&ip) {
            // Forget clients whose bucket is full again (idle long enough).
            let (rate, burst) = (self.per_second, self.burst);
            map.retain(|_, (tokens, t)| {
                *tokens + now.saturating_duration_since(*t).as_secs_f64() * rate < burst
            });
            if map.len() >= MAX_TRACKED_CLIENTS {
                map.clear();
            }
        }
        let entry = map.entry(ip).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(entry.1).as_secs_f64();
        let tokens = (entry.0 + elapsed * self.per_second).min(self.burst);
        if tokens >= 1.0 {
            *entry = (tokens - 1.0, now);
            Ok(())
        } else {
            *entry = (tokens, now);
            Err((1.0 - tokens) / self.per_second)
        }
    }
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub async fn rate_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // Only the API is limited: the UI's static assets are served from memory.
    if req.uri().path().starts_with("/api/") {
        let ip = client_ip(&req);
        if let Err(wait) = st.inner.limiter.check(ip, Instant::now()) {
            let secs = wait.ceil().max(1.0) as u64;
            return ApiError::new(ErrorCode::RateLimited, "too many requests; slow down")
                .with_header(header::RETRY_AFTER, HeaderValue::from(secs))
                .into_response();
        }
    }
    next.run(req).await
}

/// Name of the cookie that carries the access token in the browser.
pub const TOKEN_COOKIE: &str = "flowstate_token";

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn presented_token(req: &Request) -> Option<String> {
    let h = req.headers();
    if let Some(v) = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    for v in h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for part in v.split(';') {
            if let Some((k, val)) = part.trim().split_once('=') {
                if k == TOKEN_COOKIE {
                    return Some(val.to_string());
                }
            }
        }
    }
    None
}

fn query_token(req: &Request) -> Option<String> {
    req.uri().query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == "token").then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

pub async fn require_token(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = st.inner.config.token.as_deref() else {
        return next.run(req).await;
    };
    if presented_token(&req).is_some_and(|t| constant_time_eq(t.as_bytes(), expected.as_bytes())) {
        return next.run(req).await;
    }
    // Opening `/?token=…` in a browser sets the cookie and drops the token from the address.
    if req.method() == Method::GET {
        if let Some(t) = query_token(&req) {
            if constant_time_eq(t.as_bytes(), expected.as_bytes()) {
                let cookie =
                    format!("{TOKEN_COOKIE}={expected}; Path=/; HttpOnly; SameSite=Strict");
                let mut resp = (StatusCode::SEE_OTHER, "").into_response();
                let hs = resp.headers_mut();
                hs.insert(header::LOCATION, HeaderValue::from_static("/"));
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    hs.insert(header::SET_COOKIE, v);
                }
                return resp;
            }
        }
    }
    ApiError::new(ErrorCode::Unauthorized, "a valid access token is required")
        .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
        .into_response()
}

/// Reject requests whose Host is not one we serve (DNS rebinding against a loopback server).
pub async fn check_host(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(allowed) = &st.inner.config.allowed_hosts {
        if let Some(host) = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
        {
            let name = host_name(host);
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                return ApiError::new(ErrorCode::BadRequest, "unexpected Host header")
                    .into_response();
            }
        }
    }
    next.run(req).await
}

fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    })
}

/// Give every error answer a JSON body with a stable code (the router's own 404/405 and
/// the body-limit layer answer in plain text), and add security headers.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let code = ErrorCode::from_status(status);
        let msg = match code {
            ErrorCode::NotFound => "no such resource",
            ErrorCode::MethodNotAllowed => "method not allowed on this resource",
            ErrorCode::PayloadTooLarge => "request body too large",
            ErrorCode::Internal => "internal error",
            _ => "request rejected",
        };
        let mut fresh = ApiError::new(code, msg).into_response();
        *fresh.status_mut() = status;
        for name in [header::ALLOW, header::CONTENT_RANGE, header::RETRY_AFTER] {
            if let Some(v) = resp.headers().get(&name) {
                fresh.headers_mut().insert(name, v.clone());
            }
        }
        resp = fresh;
    }
    let hs = resp.headers_mut();
    hs.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    hs.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    hs.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_the_configured_rate() {
        let rl = RateLimiter::new(10, 3);
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let t0 = Instant::now();
        assert!(rl.check(ip, t0).is_ok());
        assert!(rl.check(ip, t0).is_ok());
        assert!(rl.check(ip, t0).is_ok());
        let wait = rl.check(ip, t0).err().unwrap_or(0.0);
        assert!(wait > 0.0 && wait <= 0.1 + 1e-9, "wait {wait}");
        // another client is not affected
        assert!(rl.check(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), t0).is_ok());
        // 100 ms later one token is back
        assert!(rl.check(ip, t0 + Duration::from_millis(100)).is_ok());
        assert!(rl.check(ip, t0 + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn disabled_limiter_never_refuses() {
        let rl = RateLimiter::new(0, 0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(rl.check(IpAddr::V4(Ipv4Addr::LOCALHOST), t0).is_ok());
        }
    }

    #[test]
    fn host_names_strip_ports() {
        assert_eq!(host_name("localhost:8080"), "localhost");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("[::1]:80"), "::1");
    }
}

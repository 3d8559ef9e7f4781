//! Flowstate's HTTP API and web UI (issue 9).
//!
//! - [`router`] builds the axum `Router` (API under `/api/v1`, UI at `/`), usable without a
//!   socket (`tower::ServiceExt::oneshot`) in tests.
//! - [`serve`] binds and runs it: loopback by default; a non-loopback address needs
//!   `allow_remote` and then every request must carry the access token.
//! - [`Backend`] is the narrow interface to the application; [`EngineBackend`] implements it
//!   over `flowstate_engine`.
//!
//! Architecture invariant: handlers never do blocking work on the async executor; every
//! backend call (SQLite, ranking, intent parsing) runs in `spawn_blocking`.

pub mod api;
pub mod assets;
pub mod audio;
pub mod backend;
pub mod catalog;
pub mod dto;
pub mod engine_backend;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod suggest_ws;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use tokio::sync::OnceCell;

pub use backend::{
    Backend, BackendError, FeedbackAction, FeedbackInput, RankedTrack, Recommendation, Suggestion,
    WaveformData,
};
pub use catalog::Catalog;
pub use engine_backend::EngineBackend;
pub use error::{ApiError, ErrorCode};

/// Limits and access rules of a running server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Access token every request must present (set when bound beyond loopback).
    pub token: Option<String>,
    /// Host names accepted in the `Host` header (`None`: any).
    pub allowed_hosts: Option<Vec<String>>,
    /// Requests per second per client address on `/api/` (0 disables the limit).
    pub rate_per_second: u32,
    pub rate_burst: u32,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Session id used for history and feedback.
    pub session: String,
}

pub const DEFAULT_RATE_PER_SECOND: u32 = 200;
pub const DEFAULT_RATE_BURST: u32 = 400;
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            token: None,
            allowed_hosts: Some(loopback_hosts()),
            rate_per_second: DEFAULT_RATE_PER_SECOND,
            rate_burst: DEFAULT_RATE_BURST,
            body_limit: DEFAULT_BODY_LIMIT,
            session: new_session_id(),
        }
    }
}

fn loopback_hosts() -> Vec<String> {
    ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// `s-<unix seconds>-<random hex>`.
pub fn new_session_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let rnd = random_hex(4).unwrap_or_else(|_| format!("{:08x}", std::process::id()));
    format!("s-{secs}-{rnd}")
}

/// `n` random bytes from the OS, hex encoded.
pub fn random_hex(n: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// One played track of the session.
#[derive(Debug, Clone)]
pub struct Played {
    pub track_id: String,
    pub played_at: u64,
}

pub(crate) struct Inner {
    pub backend: Arc<dyn Backend>,
    pub catalog: OnceCell<Arc<Catalog>>,
    pub history: Mutex<Vec<Played>>,
    pub limiter: middleware::RateLimiter,
    pub config: ServerConfig,
    /// Bounds concurrent ranking jobs to the cores, so a burst of recommends queues cheaply
    /// on the executor instead of oversubscribing the CPU and starving other requests.
    pub rank_gate: tokio::sync::Semaphore,
}

/// Shared state of the router (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    pub fn new(backend: Arc<dyn Backend>, config: ServerConfig) -> Self {
        let limiter = middleware::RateLimiter::new(config.rate_per_second, config.rate_burst);
        Self {
            inner: Arc::new(Inner {
                backend,
                catalog: OnceCell::new(),
                history: Mutex::new(Vec::new()),
                limiter,
                config,
                rank_gate: tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get()),
                ),
            }),
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    pub fn backend(&self) -> Arc<dyn Backend> {
        self.inner.backend.clone()
    }

    /// The library snapshot, loaded on first use (off the executor).
    pub async fn catalog(&self) -> Result<Arc<Catalog>, ApiError> {
        let backend = self.inner.backend.clone();
        self.inner
            .catalog
            .get_or_try_init(|| async move {
                let docs = tokio::task::spawn_blocking(move || backend.load_tracks()).await??;
                Ok::<_, ApiError>(Arc::new(Catalog::new(docs)))
            })
            .await
            .cloned()
    }

    /// True once the snapshot is loaded.
    pub fn is_ready(&self) -> bool {
        self.inner.catalog.initialized()
    }

    /// Start loading the snapshot in the background so the first request finds it ready.
    pub fn warm(&self) {
        let st = self.clone();
        tokio::spawn(async move {
            if let Err(e) = st.catalog().await {
                tracing::error!(error = %e, "loading the library failed");
            }
        });
    }

    pub(crate) fn history(&self) -> Vec<Played> {
        match self.inner.history.lock() {
            Ok(h) => h.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub(crate) fn push_history(&self, track_id: String) -> usize {
        let played_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut h = match self.inner.history.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        };
        h.push(Played {
            track_id,
            played_at,
        });
        h.len()
    }
}

/// The whole application: API, OpenAPI document and UI, with limits and error shaping.
pub fn router(state: AppState) -> Router {
    use axum::extract::DefaultBodyLimit;
    use axum::middleware::from_fn;
    use axum::middleware::from_fn_with_state;
    let body_limit = state.inner.config.body_limit;
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(assets::routes())
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_limit))
        .layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(state.clone(), middleware::require_token))
        .layer(from_fn_with_state(state, middleware::check_host))
        .layer(from_fn(middleware::json_errors))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a request handler panicked");
    ApiError::internal("internal error").into_response()
}

/// Errors of [`serve`].
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to bind {addr}: not a loopback address; pass --allow-remote to serve other machines (a token will then be required)")]
    RemoteNotAllowed { addr: IpAddr },
    #[error("cannot bind {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot generate an access token")]
    Token(#[source] std::io::Error),
    #[error("server stopped with an error")]
    Run(#[source] std::io::Error),
}

/// How to bind.
#[derive(Debug, Clone)]
pub struct BindOptions {
    pub addr: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Needed to bind a non-loopback address.
    pub allow_remote: bool,
    /// Token to require; generated when binding beyond loopback and `None`.
    pub token: Option<String>,
    pub rate_per_second: u32,
}

/// A bound, not yet running server.
pub struct Bound {
    pub listener: tokio::net::TcpListener,
    pub local_addr: SocketAddr,
    pub config: ServerConfig,
}

/// Bind a listener following the access rules.
pub async fn bind(opts: &BindOptions) -> Result<Bound, ServeError> {
    let loopback = opts.addr.is_loopback();
    if !loopback && !opts.allow_remote {
        return Err(ServeError::RemoteNotAllowed { addr: opts.addr });
    }
    let token = match (&opts.token, loopback) {
        (Some(t), _) => Some(t.clone()),
        (None, false) => Some(random_hex(24).map_err(ServeError::Token)?),
        (None, true) => None,
    };
    let addr = SocketAddr::new(opts.addr, opts.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    let config = ServerConfig {
        token,
        allowed_hosts: loopback.then(loopback_hosts),
        rate_per_second: opts.rate_per_second,
        rate_burst: opts.rate_per_second.saturating_mul(2),
        ..ServerConfig::default()
    };
    Ok(Bound {
        listener,
        local_addr,
        config,
    })
}

/// Run the server on a bound listener until `shutdown` resolves.
pub async fn run(
    bound: Bound,
    backend: Arc<dyn Backend>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let state = AppState::new(backend, bound.config);
    state.warm();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(bound.listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Run)
}

//! `flowstate serve`: the local web UI and HTTP API (crates/server).

use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

/// Serve the web UI and the HTTP API (127.0.0.1 only unless --allow-remote)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 8765)]
    pub port: u16,
    /// Address to bind. A non-loopback address also needs --allow-remote, and every client
    /// must then present the access token printed at start-up.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Allow binding a non-loopback address (serving other machines on the network).
    #[arg(long)]
    pub allow_remote: bool,
    /// Access token to require instead of a generated one (remote binds only).
    #[arg(long, env = "FLOWSTATE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Open the UI in the default browser.
    #[arg(long)]
    pub open: bool,
    /// API requests per second allowed per client address (0: no limit).
    #[arg(long, default_value_t = flowstate_server::DEFAULT_RATE_PER_SECOND)]
    pub rate_limit: u32,
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    if let Some(dir) = ctx.db_path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
    }
    // The API parses prompts like `flowstate intent` does: rules first, the sentence
    // encoder (loaded on first need) for phrasings the rules do not know.
    let backend = flowstate_server::EngineBackend::open(&ctx.db_path)
        .with_context(|| format!("cannot open the corpus at {}", ctx.db_path.display()))?
        .with_parser(crate::cmd::intent::parser(false));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let opts = flowstate_server::BindOptions {
            addr: args.bind,
            port: args.port,
            allow_remote: args.allow_remote,
            token: args.token.filter(|t| !t.is_empty()),
            rate_per_second: args.rate_limit,
        };
        let bound = flowstate_server::bind(&opts).await.context("cannot start the server")?;
        let addr = bound.local_addr;
        let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
        let host = if host.contains(':') { format!("[{host}]") } else { host };
        let url = match &bound.config.token {
            Some(t) => format!("http://{host}:{}/?token={t}", addr.port()),
            None => format!("http://{host}:{}/", addr.port()),
        };
        println!("Flowstate is serving {} at {url}", ctx.db_path.display());
        if bound.config.token.is_some() {
            println!("remote access is on: clients need the token above (Authorization: Bearer <token>)");
        }
        println!("press Ctrl-C to stop");
        if args.open {
            if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
                eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
            }
        }
        flowstate_server::run(bound, Arc::new(backend), shutdown_signal())
            .await
            .context("the server stopped with an error")
    })?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

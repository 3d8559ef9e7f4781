//! One test over real HTTP on 127.0.0.1:0, plus the bind rules.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use flowstate_server::{bind, run, BindOptions, ServeError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn http(addr: std::net::SocketAddr, raw: &str) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.write_all(raw.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn opts(addr: IpAddr, allow_remote: bool) -> BindOptions {
    BindOptions {
        addr,
        port: 0,
        allow_remote,
        token: None,
        rate_per_second: 100,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_real_http_on_loopback() {
    let bound = bind(&opts(IpAddr::V4(Ipv4Addr::LOCALHOST), false))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = bound.local_addr;
    assert!(bound.config.token.is_none());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let backend = Arc::new(common::MemBackend::sample());
    let server = tokio::spawn(run(bound, backend, async move {
        let _ = rx.await;
    }));

    let (st, head, body) = http(addr, "GET /api/v1/tracks?limit=3&sort=bpm HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await;
    assert_eq!(st, 200, "{head}");
    let j: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(j["total"], 12);
    assert_eq!(j["items"][0]["bpm"], 90.0);

    let body = r#"{"current":"t01","limit":3}"#;
    let req = format!("POST /api/v1/recommend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    let (st, _, body) = http(addr, &req).await;
    assert_eq!(st, 200, "{body}");
    assert!(body.contains("\"rank\":1"));

    // malformed HTTP-level input gets a JSON error (or a clean 400 from hyper), never a hang
    let req = "POST /api/v1/recommend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{{{{{";
    let (st, _, body) = http(addr, req).await;
    assert_eq!(st, 400);
    assert!(body.contains("BAD_REQUEST"), "{body}");

    let (st, _, _) = http(
        addr,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(st, 200);

    let _ = tx.send(());
    let res = server.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(res.is_ok());
}

#[tokio::test]
async fn non_loopback_needs_a_flag_and_gets_a_token() {
    let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    match bind(&opts(any, false)).await {
        Err(ServeError::RemoteNotAllowed { .. }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("bound 0.0.0.0 without --allow-remote"),
    }
    let b = bind(&opts(any, true))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let token = b.config.token.clone().unwrap_or_default();
    assert_eq!(token.len(), 48);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(b.config.allowed_hosts.is_none());
}

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

async fn ask<S>(ws: &mut S, text: String) -> serde_json::Value
where
    S: futures_util::Sink<tokio_tungstenite::tungstenite::Message>
        + futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
    <S as futures_util::Sink<tokio_tungstenite::tungstenite::Message>>::Error: std::fmt::Debug,
{
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    ws.send(Message::text(text))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str()).unwrap_or_else(|e| panic!("{e}: {t}"))
            }
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

/// Suggestions while typing over a real WebSocket: answers echo `seq`, a bad frame gets a JSON
/// error on the same socket, which stays usable; a cross-site page is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_over_a_websocket() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let bound = bind(&opts(IpAddr::V4(Ipv4Addr::LOCALHOST), false))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = bound.local_addr;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(
        bound,
        Arc::new(common::MemBackend::sample()),
        async move {
            let _ = rx.await;
        },
    ));
    let url = format!("ws://{addr}/api/v1/intent/suggest/ws");

    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let j = ask(&mut ws, r#"{"q":"dark","seq":1,"limit":5}"#.into()).await;
    assert_eq!(j["seq"], 1);
    assert_eq!(j["query"], "dark");
    let s = j["suggestions"].as_array().cloned().unwrap_or_default();
    assert!(!s.is_empty() && s.len() <= 5, "{j}");
    // the same answer as the GET endpoint
    let (st, _, body) = http(addr, "GET /api/v1/intent/suggest?q=dark&limit=5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await;
    assert_eq!(st, 200);
    let g: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g["suggestions"], j["suggestions"]);

    let long = "a".repeat(600);
    let j = ask(&mut ws, format!(r#"{{"q":"{long}","seq":2}}"#)).await;
    assert_eq!(j["seq"], 2);
    assert_eq!(j["error"]["code"], "INVALID_PROMPT", "{j}");
    let j = ask(&mut ws, "darker but".into()).await; // bare text frame
    assert_eq!(j["query"], "darker but");
    assert!(j["seq"].is_null());
    drop(ws);

    // a page on another origin cannot open the socket
    let mut req = url
        .as_str()
        .into_client_request()
        .unwrap_or_else(|e| panic!("{e}"));
    req.headers_mut().insert(
        "Origin",
        "http://evil.example"
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}")),
    );
    assert!(tokio_tungstenite::connect_async(req).await.is_err());

    let _ = tx.send(());
    let res = server.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(res.is_ok());
}

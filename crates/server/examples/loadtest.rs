//! Bounded load test of a running `flowstate serve` (NOT part of CI).
//!
//! N clients (default 50) on keep-alive connections send `POST /api/v1/recommend` for random
//! current tracks and prompts for D seconds (default 10); one more client sends malformed
//! requests the whole time and checks every answer is a JSON error with a stable code.
//! Prints latency percentiles of the well-formed requests.
//!
//! ```sh
//! flowstate --db /tmp/lib10k.db serve --port 8765 --rate-limit 0 &
//! cargo run --release -p flowstate-server --example loadtest -- http://127.0.0.1:8765 50 10
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Conn {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        extra: &str,
    ) -> std::io::Result<(u16, String)> {
        for attempt in 0..2 {
            if self.stream.is_none() {
                self.stream = Some(BufReader::new(TcpStream::connect(self.addr).await?));
            }
            let res = self.try_request(method, path, body, extra).await;
            match res {
                Ok(r) => return Ok(r),
                Err(e) if attempt == 0 => {
                    self.stream = None;
                    let _ = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("unreachable"))
    }

    async fn try_request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        extra: &str,
    ) -> std::io::Result<(u16, String)> {
        let s = self
            .stream
            .as_mut()
            .ok_or_else(|| std::io::Error::other("no stream"))?;
        let b = body.unwrap_or("");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{b}",
            b.len()
        );
        s.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        s.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut len = 0usize;
        let mut close = false;
        loop {
            line.clear();
            s.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                if k == "content-length" {
                    len = v.trim().parse().unwrap_or(0);
                } else if k == "connection" && v.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut buf = vec![0u8; len];
        s.read_exact(&mut buf).await?;
        if close {
            self.stream = None;
        }
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

const PROMPTS: [&str; 8] = [
    "",
    "darker but not slower",
    "more energy",
    "keep it rolling, same key",
    "switch genres, maybe techno",
    "a bit less energy, no vocals",
    "faster",
    "hypnotic and deep",
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8765".into());
    let clients: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let secs: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let hostport = base.trim_start_matches("http://").trim_end_matches('/');
    let addr: SocketAddr = match hostport.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("usage: loadtest http://IP:PORT [clients] [seconds] ({e})");
            std::process::exit(2);
        }
    };

    // track ids to use as the current track
    let mut c = Conn { addr, stream: None };
    let (st, body) = match c
        .request("GET", "/api/v1/tracks?limit=500&sort=title", None, "")
        .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot reach {base}: {e}");
            std::process::exit(2);
        }
    };
    let page: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let ids: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str().map(String::from))
        .collect();
    if st != 200 || ids.is_empty() {
        eprintln!("no tracks ({st}): {body}");
        std::process::exit(2);
    }
    println!(
        "library: {} tracks; {clients} clients for {secs} s against {base}",
        page["total"]
    );

    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for k in 0..clients {
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn { addr, stream: None };
            let mut lat = Vec::new();
            let mut codes: BTreeMap<u16, usize> = BTreeMap::new();
            let mut n = k * 7919;
            while Instant::now() < deadline {
                n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let cur = &ids[(n >> 33) % ids.len()];
                let prompt = PROMPTS[(n >> 20) % PROMPTS.len()];
                let body = serde_json::json!({"current": cur, "history": [], "prompt": prompt, "limit": 10}).to_string();
                let t0 = Instant::now();
                match conn.request("POST", "/api/v1/recommend", Some(&body), "").await {
                    Ok((st, _)) => {
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        *codes.entry(st).or_default() += 1;
                    }
                    Err(_) => *codes.entry(0).or_default() += 1,
                }
            }
            (lat, codes)
        }));
    }
    // the hostile client
    let hostile = tokio::spawn(async move {
        let cases: Vec<(&str, &str, Option<String>, &str)> = vec![
            (
                "POST",
                "/api/v1/recommend",
                Some("{\"current\":".into()),
                "BAD_REQUEST",
            ),
            (
                "POST",
                "/api/v1/recommend",
                Some("{\"current\":\"nope\"}".into()),
                "TRACK_NOT_FOUND",
            ),
            (
                "POST",
                "/api/v1/recommend",
                Some(format!(
                    "{{\"current\":\"x\",\"prompt\":\"{}\"}}",
                    "a".repeat(100_000)
                )),
                "PAYLOAD_TOO_LARGE",
            ),
            (
                "POST",
                "/api/v1/recommend",
                Some("[1,2,3]".into()),
                "BAD_REQUEST",
            ),
            ("GET", "/api/v1/tracks?bpm_min=fast", None, "BAD_REQUEST"),
            (
                "GET",
                "/api/v1/tracks/..%2F..%2Fetc%2Fpasswd/audio",
                None,
                "TRACK_NOT_FOUND",
            ),
            ("DELETE", "/api/v1/tracks", None, "METHOD_NOT_ALLOWED"),
            (
                "POST",
                "/api/v1/intent",
                Some("{\"prompt\":\"\\u0000\"}".into()),
                "INVALID_PROMPT",
            ),
        ];
        let mut ok = 0usize;
        let mut bad: Vec<String> = Vec::new();
        let mut i = 0usize;
        while Instant::now() < deadline {
            let (m, p, b, want) = &cases[i % cases.len()];
            i += 1;
            let mut conn = Conn { addr, stream: None };
            match conn
                .request(m, p, b.as_deref(), "Connection: close\r\n")
                .await
            {
                Ok((_, body)) => {
                    let j: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    if j["error"]["code"] == *want {
                        ok += 1;
                    } else if bad.len() < 5 {
                        bad.push(format!(
                            "{m} {p}: wanted {want}, got {}",
                            &body.chars().take(200).collect::<String>()
                        ));
                    }
                }
                Err(e) => {
                    if bad.len() < 5 {
                        bad.push(format!("{m} {p}: {e}"));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        (ok, i, bad)
    });

    let mut lat = Vec::new();
    let mut codes: BTreeMap<u16, usize> = BTreeMap::new();
    for t in tasks {
        if let Ok((l, c)) = t.await {
            lat.extend(l);
            for (k, v) in c {
                *codes.entry(k).or_default() += v;
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    let n = lat.len();
    println!("recommend: {n} requests in {secs} s = {:.0} req/s; status counts {codes:?} (0 = connection error)", n as f64 / secs as f64);
    println!(
        "latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        pct(&lat, 50.0),
        pct(&lat, 90.0),
        pct(&lat, 99.0),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    if let Ok((ok, total, bad)) = hostile.await {
        println!("malformed requests: {ok}/{total} answered with the expected JSON error code");
        for b in bad {
            println!("  unexpected: {b}");
        }
    }
}

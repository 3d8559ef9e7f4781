//! Latency / memory benchmark of `flowstate_rank::recommend` (not a test).
//!
//! python3 /work/shared/eval/intent/make_library.py --n 10000  --seed 7 --out /tmp/lib10k.json
//! python3 /work/shared/eval/intent/make_library.py --n 100000 --seed 7 --out /tmp/lib100k.json
//! cargo build --release -p flowstate-rank --example bench_rank
//! target/release/examples/bench_rank /tmp/lib10k.json /tmp/lib100k.json [--queries 500]
//!
//! Each query: a random current track and 3 history tracks, one of a fixed set of intents
//! (no-op, relative, concrete, text, negation, complex); top 10 with explanations.

use flowstate_rank::{recommend, Embeddings, RankMode, Request, Snapshot};
use flowstate_types::{Attr, Constraint, Intent, IntentStatus, Op, TrackDoc};
use std::sync::Arc;
use std::time::Instant;

fn intents() -> Vec<(&'static str, Intent)> {
    let ok = |cs: Vec<Constraint>| Intent {
        status: IntentStatus::Ok,
        constraints: cs,
        ambiguous_attrs: vec![],
        error: None,
        explanation: None,
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        ("no_op", Intent::no_op()),
        (
            "more energy, darker",
            ok(vec![
                Constraint::hard(
                    Attr::Energy,
                    Op::Delta {
                        min: Some(1.0),
                        max: Some(3.0),
                    },
                ),
                Constraint::hard(
                    Attr::Vibe,
                    Op::In {
                        values: s(&["dark"]),
                    },
                ),
            ]),
        ),
        (
            "switch to house ~124",
            ok(vec![
                Constraint::hard(
                    Attr::Genre,
                    Op::In {
                        values: s(&["house"]),
                    },
                ),
                Constraint::hard(
                    Attr::Bpm,
                    Op::Range {
                        min: Some(121.0),
                        max: Some(127.0),
                    },
                ),
            ]),
        ),
        (
            "something with strings",
            ok(vec![Constraint::hard(
                Attr::Instrumentation,
                Op::Contains {
                    values: s(&["strings"]),
                },
            )]),
        ),
        (
            "no vocals, not techno",
            ok(vec![
                Constraint::hard(
                    Attr::VocalPresence,
                    Op::In {
                        values: s(&["instrumental"]),
                    },
                ),
                Constraint::hard(
                    Attr::Genre,
                    Op::NotIn {
                        values: s(&["techno"]),
                    },
                ),
            ]),
        ),
        (
            "complex",
            ok(vec![
                Constraint::hard(Attr::Key, Op::Compatible { min_score: 0.9 }),
                Constraint::soft(
                    Attr::Description,
                    Op::Contains {
                        values: s(&["warm", "vintage"]),
                    },
                ),
                Constraint::hard(
                    Attr::Bpm,
                    Op::Delta {
                        min: Some(0.0),
                        max: None,
                    },
                ),
                Constraint::soft(Attr::Genre, Op::Differs),
            ]),
        ),
    ]
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n_queries = 300usize;
    let mut files = Vec::new();
    let mut with_emb = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--queries" => n_queries = it.next().and_then(|x| x.parse().ok()).unwrap_or(n_queries),
            "--embeddings" => with_emb = true,
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        return Err("usage: bench_rank LIBRARY.json... [--queries N] [--embeddings]".into());
    }
    let intents = intents();
    for f in files {
        let rss0 = rss_kib("VmRSS:");
        let t = Instant::now();
        let docs: Vec<TrackDoc> = serde_json::from_slice(&std::fs::read(&f)?)?;
        let t_load = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let snap = Snapshot::build(&docs);
        let t_build = t.elapsed().as_secs_f64();
        let n = snap.len();
        let ids: Vec<String> = docs.iter().map(|d| d.track_id.clone()).collect();
        drop(docs);
        let rss_snap = rss_kib("VmRSS:");
        let mode = if with_emb {
            // synthetic 384-d embeddings: cost of the embedding-assisted mode
            let dim = 384;
            let mut e = Embeddings::new(&snap, dim);
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut v = vec![0f32; dim];
            let mut w = vec![0f32; dim];
            for id in &ids {
                for k in 0..dim {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    v[k] = (x % 1000) as f32 / 1000.0 - 0.5;
                    w[k] = ((x >> 20) % 1000) as f32 / 1000.0 - 0.5;
                }
                e.set(&snap, id, &v, &w);
            }
            RankMode::EmbeddingAssisted(Arc::new(e))
        } else {
            RankMode::FeatureOnly
        };
        let mut rng: u64 = 12345;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) as usize
        };
        let mut lat = Vec::with_capacity(n_queries);
        let mut by_intent: Vec<Vec<f64>> = vec![Vec::new(); intents.len()];
        let mut eligible = 0usize;
        for q in 0..n_queries {
            let (name, intent) = &intents[q % intents.len()];
            let _ = name;
            let mut req = Request::new(ids[next() % n].clone(), intent.clone());
            req.history = (0..3).map(|_| ids[next() % n].clone()).collect();
            req.mode = mode.clone();
            let t = Instant::now();
            let rec = recommend(&snap, &req)?;
            let dt = t.elapsed().as_secs_f64() * 1e3;
            eligible += rec.eligible;
            lat.push(dt);
            by_intent[q % intents.len()].push(dt);
        }
        lat.sort_by(f64::total_cmp);
        println!(
            "{f}: {n} tracks{} | load JSON {:.0} ms, build snapshot {:.0} ms | {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms | mean eligible {:.0}",
            if with_emb { " + 384-d embeddings" } else { "" },
            t_load * 1e3,
            t_build * 1e3,
            lat.len(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.last().copied().unwrap_or(f64::NAN),
            eligible as f64 / n_queries as f64
        );
        for (i, (name, _)) in intents.iter().enumerate() {
            let mut v = by_intent[i].clone();
            v.sort_by(f64::total_cmp);
            println!(
                "    {name:<24} p50 {:.2} ms  p99 {:.2} ms",
                pct(&v, 0.5),
                pct(&v, 0.99)
            );
        }
        println!(
            "    memory: snapshot ~{:.1} MB (heap estimate), RSS after build {:.1} MB (before load {:.1} MB), peak RSS {:.1} MB",
            snap.heap_bytes() as f64 / 1e6,
            rss_snap as f64 / 1024.0,
            rss0 as f64 / 1024.0,
            rss_kib("VmHWM:") as f64 / 1024.0
        );
    }
    Ok(())
}

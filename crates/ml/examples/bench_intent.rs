//! Prompt parse time with the sentence encoder in the loop (issue 7's "p99 <= 25 ms with it").
//!
//! ```sh
//! RAYON_NUM_THREADS=1 cargo run --release -p flowstate-ml --example bench_intent -- \
//!     ../shared/eval/intent/prompts-public.jsonl [--reps N]
//! ```
//! Builds the same parser as `flowstate intent` (rules + semantic fallback through
//! all-MiniLM-L6-v2), loads the model up front (load time reported separately), parses every
//! prompt once to warm the prototype cache, then times `--reps` passes. Reports p50/p99/max over
//! all parses, and over the parses that actually ran the encoder (counted through a wrapper).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use flowstate_intent::{Embedder, Parser};
use flowstate_ml::{models_dir, LazyPromptEncoder};

struct Counting {
    inner: LazyPromptEncoder,
    calls: AtomicUsize,
}

impl Embedder for Counting {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.embed(texts)
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: bench_intent PROMPTS.jsonl [--reps N]");
        std::process::exit(2);
    };
    let reps: usize = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    let prompts: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            v.get("prompt")
                .or_else(|| v.get("p"))?
                .as_str()
                .map(String::from)
        })
        .collect();

    let enc = Arc::new(Counting {
        inner: LazyPromptEncoder::new(&models_dir()),
        calls: AtomicUsize::new(0),
    });
    let t = Instant::now();
    if !enc.inner.preload() {
        eprintln!(
            "text encoder not installed in {} (run `flowstate models fetch`)",
            models_dir().display()
        );
        std::process::exit(2);
    }
    println!("encoder load: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let parser = Parser::new().with_embedder(enc.clone());
    // warm-up: builds the prototype embedding cache once (a one-time cost per process)
    let t = Instant::now();
    for p in &prompts {
        std::hint::black_box(parser.parse(p));
    }
    println!(
        "first pass (incl. prototype cache): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let (mut all, mut with_enc) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        for p in &prompts {
            let before = enc.calls.load(Ordering::Relaxed);
            let t = Instant::now();
            std::hint::black_box(parser.parse(p));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            all.push(ms);
            if enc.calls.load(Ordering::Relaxed) > before {
                with_enc.push(ms);
            }
        }
    }
    let n_enc = with_enc.len() / reps.max(1);
    println!(
        "{} prompts x {reps} reps, all parses: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        prompts.len(),
        pct(&mut all, 0.5),
        pct(&mut all, 0.99),
        pct(&mut all, 1.0)
    );
    println!(
        "{n_enc} prompts ran the encoder: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        pct(&mut with_enc, 0.5),
        pct(&mut with_enc, 0.99),
        pct(&mut with_enc, 1.0)
    );
}

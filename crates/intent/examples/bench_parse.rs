//! Parse-time benchmark (no encoder): p50/p99/max over the prompts of a JSONL file
//! (`{"prompt": ...}` or `{"p": ...}` per line), each parsed `--reps` times.
//! `cargo run --release -p flowstate-intent --example bench_parse -- FILE [--reps N]`
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: bench_parse FILE.jsonl [--reps N]");
        std::process::exit(2);
    };
    let reps: usize = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let prompts: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            v.get("prompt")
                .or_else(|| v.get("p"))
                .and_then(|p| p.as_str())
                .map(String::from)
        })
        .collect();
    let _ = flowstate_intent::parse("warm up"); // lexicon load, not timed
    let mut times = Vec::with_capacity(prompts.len() * reps);
    for _ in 0..reps {
        for p in &prompts {
            let t = Instant::now();
            let i = flowstate_intent::parse(p);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(i);
        }
    }
    times.sort_by(f64::total_cmp);
    let q = |f: f64| {
        times
            .get(((times.len() as f64 - 1.0) * f).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{} prompts x {reps} reps: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        prompts.len(),
        q(0.5),
        q(0.99),
        q(1.0)
    );
}

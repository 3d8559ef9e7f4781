//! Diagnostic (not a test, not the product): ranks the benchmark queries over a JSON library
//! and writes a run file for `rank_bench.py`. `--expected` uses the prompts' EXPECTED intents
//! (isolates the ranker from the parser); otherwise the real parser `flowstate_intent::parse`.
//!
//! cargo run --release -p flowstate-rank --example diag_queries -- LIBRARY PROMPTS QUERIES OUT [--expected]

use flowstate_rank::{recommend, Request, Snapshot};
use flowstate_types::{Intent, TrackDoc};
use std::collections::HashMap;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        return Err("usage: diag_queries LIBRARY PROMPTS QUERIES OUT [--expected]".into());
    }
    let expected = a.iter().any(|x| x == "--expected");
    let docs: Vec<TrackDoc> = serde_json::from_str(&std::fs::read_to_string(&a[1])?)?;
    let snap = Snapshot::build(&docs);
    let mut prompts: HashMap<String, serde_json::Value> = HashMap::new();
    for line in std::fs::read_to_string(&a[2])?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)?;
        prompts.insert(v["id"].as_str().unwrap_or_default().to_string(), v);
    }
    let mut out = std::fs::File::create(&a[4])?;
    for line in std::fs::read_to_string(&a[3])?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let q: serde_json::Value = serde_json::from_str(line)?;
        let pid = q["prompt_id"].as_str().unwrap_or_default();
        let prompt = q["prompt"].as_str().unwrap_or_default();
        let intent: Intent = if expected {
            let mut e = prompts[pid]["expected"].clone();
            if e.get("status").is_none() {
                let has = e["constraints"].as_array().is_some_and(|c| !c.is_empty());
                e["status"] = serde_json::json!(if has { "ok" } else { "no_op" });
            }
            serde_json::from_value(e)?
        } else {
            flowstate_intent::parse(prompt)
        };
        let mut req = Request::new(q["current"].as_str().unwrap_or_default(), intent);
        req.history = q["history"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let rec = recommend(&snap, &req)?;
        let ids: Vec<&str> = rec.ranked.iter().map(|r| r.track_id.as_str()).collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"query_id": q["query_id"], "ranked": ids})
        )?;
        if std::env::var("DIAG_VERBOSE").is_ok() {
            eprintln!(
                "{} {:?} eligible={} notes={:?}",
                q["query_id"], prompt, rec.eligible, rec.notes
            );
            for r in rec.ranked.iter().take(3) {
                eprintln!("   {} {:.3} {}", r.track_id, r.score, r.explanation);
            }
        }
    }
    Ok(())
}

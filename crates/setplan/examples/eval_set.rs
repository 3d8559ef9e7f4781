//! Benchmark for set planning (not a test): on a CODEX library (flat JSON list, e.g.
//! shared/eval/intent/library.json), plan sets from several start tracks with the beam search
//! and with the greedy baseline, and report transition compatibility, energy deviation from
//! the arc and the objective.
//!
//!   cargo run --release -p flowstate-setplan --example eval_set -- LIBRARY.json [ARC] [MINUTES] [STARTS]

use flowstate_setplan::{Arc, PlanOptions, Planner, SetPlan};
use flowstate_types::TrackDoc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: eval_set LIBRARY.json [ARC] [MINUTES] [STARTS]");
        std::process::exit(2);
    };
    let arc_s = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "warmup-build-peak-release".into());
    let minutes: f64 = args.get(3).and_then(|m| m.parse().ok()).unwrap_or(60.0);
    let starts: usize = args.get(4).and_then(|m| m.parse().ok()).unwrap_or(20);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let docs: Vec<TrackDoc> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let arc = Arc::parse(&arc_s).unwrap_or_else(|e| panic!("{e}"));
    let planner = Planner::new(&docs);
    // Deterministic spread of start tracks among openers (low energy), as a DJ would start.
    let mut openers: Vec<&TrackDoc> = docs
        .iter()
        .filter(|d| d.energy.unwrap_or(10) <= 5 && d.bpm.is_some())
        .collect();
    openers.sort_by(|a, b| a.track_id.cmp(&b.track_id));
    let step = (openers.len() / starts.max(1)).max(1);
    let picks: Vec<&TrackDoc> = openers.iter().step_by(step).take(starts).copied().collect();
    let mut rows: Vec<(SetPlan, SetPlan, f64)> = Vec::new();
    for d in &picks {
        let opts = PlanOptions {
            length_s: minutes * 60.0,
            arc: arc.clone(),
            ..Default::default()
        };
        let t0 = Instant::now();
        let beam = planner
            .plan(&d.track_id, &opts, &|_| true)
            .unwrap_or_else(|e| panic!("{e}"));
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        let greedy = planner
            .plan(
                &d.track_id,
                &PlanOptions {
                    beam_width: 1,
                    ..opts
                },
                &|_| true,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        rows.push((beam, greedy, ms));
    }
    let n = rows.len() as f64;
    let mean = |f: &dyn Fn(&(SetPlan, SetPlan, f64)) -> f64| rows.iter().map(f).sum::<f64>() / n;
    println!(
        "library: {} tracks, arc {arc_s}, {minutes} min, {} start tracks",
        docs.len(),
        rows.len()
    );
    println!("                          beam      greedy");
    println!(
        "tracks per set          {:7.2}   {:7.2}",
        mean(&|r| r.0.tracks.len() as f64),
        mean(&|r| r.1.tracks.len() as f64)
    );
    println!(
        "compatible transitions  {:7.3}   {:7.3}",
        mean(&|r| r.0.metrics.compatible_share),
        mean(&|r| r.1.metrics.compatible_share)
    );
    println!(
        "mean |energy - arc|     {:7.3}   {:7.3}",
        mean(&|r| r.0.metrics.mean_abs_energy_dev),
        mean(&|r| r.1.metrics.mean_abs_energy_dev)
    );
    println!(
        "objective per track     {:7.3}   {:7.3}",
        mean(&|r| r.0.metrics.cost / r.0.tracks.len() as f64),
        mean(&|r| r.1.metrics.cost / r.1.tracks.len() as f64)
    );
    println!("beam plan time          {:7.1} ms (mean)", mean(&|r| r.2));
    if let Some((b, _, _)) = rows.first() {
        println!("\nexample set:");
        for t in &b.tracks {
            println!(
                "  {:>5.1} min  {:<6} e={:<4} arc={:<4.1} {}",
                t.start_s / 60.0,
                t.track_id,
                t.energy.map(|e| format!("{e:.0}")).unwrap_or_default(),
                t.target_energy,
                t.transition
                    .as_ref()
                    .map(|x| x.explanation.as_str())
                    .unwrap_or("start")
            );
        }
    }
}

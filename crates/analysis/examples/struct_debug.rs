//! Developer tool (not a test): per-bar structure features, novelty and the chosen
//! boundaries of one decoded file, next to the manifest's sections when present.
//!
//! `cargo run --release -p flowstate-analysis --example struct_debug -- ~/.cache/flowstate-eval p0039 [--raw]`

use flowstate_analysis::{bars, features, mix, structure, timbre};
use serde_json::Value;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(id)) = (args.first(), args.get(1)) else {
        eprintln!("usage: struct_debug ROOT ID");
        std::process::exit(2);
    };
    let root = PathBuf::from(root);
    let Ok(bytes) = std::fs::read(root.join("pcm22k").join(format!("{id}.f32"))) else {
        eprintln!("cannot read pcm for {id}");
        std::process::exit(2);
    };
    let pcm: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let refs: Vec<(f64, String)> = std::fs::read_to_string(root.join("manifest-public.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|m| {
            m["files"].as_array().and_then(|fs| {
                fs.iter().find(|f| f["id"].as_str() == Some(id)).map(|f| {
                    f["sections"]
                        .as_array()
                        .map(|s| {
                            s.iter()
                                .map(|x| {
                                    (
                                        x["start_s"].as_f64().unwrap_or(0.0),
                                        x["type"].as_str().unwrap_or("?").to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
            })
        })
        .unwrap_or_default();
    let sr = 22050;
    let dur = pcm.len() as f64 / sr as f64;
    // The same level normalisation as `analyze`; `--raw` skips it.
    let gain_db = if args.iter().any(|a| a == "--raw") {
        0.0
    } else {
        flowstate_analysis::level_gain_db(&pcm, sr)
    };
    let g = 10f32.powf(gain_db / 20.0);
    let pcm: Vec<f32> = pcm.iter().map(|&x| x * g).collect();
    println!("level gain {gain_db:+.1} dB");
    let rhythm = flowstate_rhythm::analyze(&pcm, sr, &Default::default());
    let fr = features::compute(&pcm, sr);
    let grid = bars::BarGrid::from_rhythm(&rhythm, dur);
    let hp = timbre::hpss(&fr);
    let bf = bars::summarise_with_harmony(&fr, &grid, &hp.harm_formant);
    let view = structure::bar_view(&bf);
    let tail = structure::tail_start(&grid, &bf, &view);
    let nov = structure::novelty_within(&view, tail);
    let beat_in = mix::first_beat_bar(&grid, &bf, &view);
    let bounds = structure::boundaries(&grid, &view, &nov, beat_in, tail);
    let segs = structure::label(&bounds, &bf, &view, beat_in, tail);
    let mixp = mix::compute(&grid, &bf, &view, &segs, beat_in);
    println!(
        "bpm {:?} bar {:.3}s first downbeat {:?} beat_in {:?} partial_first {}",
        rhythm.bpm,
        grid.bar_s,
        rhythm.downbeats.first(),
        beat_in,
        grid.partial_first
    );
    println!(
        "{:>4} {:>4} {:>7} | {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} | {:>5} {:>5} {:>5} {:>5} {:>5} | {:>5}",
        "bar", "rel", "t", "loud", "sub", "bass", "lmid", "mid", "high", "kick", "hats", "drum", "pulse", "lock", "nov"
    );
    let origin = beat_in.unwrap_or(0) as i64;
    for (i, &t) in grid.starts.iter().enumerate() {
        let mark: Vec<String> = refs
            .iter()
            .filter(|(s, _)| (s - t).abs() < grid.bar_s / 2.0)
            .map(|(_, l)| l.clone())
            .collect();
        let b = if bounds.contains(&i) {
            segs.iter()
                .find(|s| s.start_bar == i)
                .map_or("*".to_string(), |s| format!("* {}", s.label))
        } else {
            String::new()
        };
        println!(
            "{:>4} {:>4} {:>7.1} | {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} | {:>5.2} {:>5.2} {:>5.2} {:>5.2} {:>5.2} | {:>5.2} {:<14} {}",
            i,
            i as i64 - origin,
            t,
            bf.loud_db[i],
            bf.band_db[features::SUB][i],
            bf.band_db[features::BASS][i],
            bf.band_db[features::LOW_MID][i],
            bf.band_db[features::MID][i],
            bf.band_db[features::HIGH][i],
            bf.kick[i],
            bf.hats[i],
            view.drums[i],
            bf.pulse[i],
            bf.grid_lock[i],
            nov[i],
            b,
            if mark.is_empty() {
                String::new()
            } else {
                format!("<= ref {}", mark.join(","))
            }
        );
    }
    println!(
        "mix in {:?} ({:?}) out {:?} ({:?}) notes {:?}",
        mixp.mix_in_bar, mixp.mix_in_s, mixp.mix_out_bar, mixp.mix_out_s, mixp.notes
    );
}

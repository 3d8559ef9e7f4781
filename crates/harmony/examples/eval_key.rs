//! Benchmark (not a test): key accuracy and CPU cost on the labelled eval corpus.
//!
//! ```text
//! bash scripts/eval/decode_pcm.sh                      # once: ROOT/pcm22k/<id>.f32
//! cargo run --release -p flowstate-harmony --example eval_key -- ~/.cache/flowstate-eval [OUT.csv]
//! python3 /work/shared/eval/score.py ROOT/manifest-public.json OUT.csv --audio-root ROOT
//! ```
//! Prints key exact, MIREX weighted and Camelot-compatible (definitions of
//! /work/shared/eval/score.py) and CPU seconds per audio minute (thread CPU time of
//! `analyze` only; decoding excluded), and writes a CSV score.py accepts.

use flowstate_harmony::{analyze, CamelotKey, KeyOptions, Mode};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// CPU time of the calling thread in seconds (Linux schedstat; falls back to None).
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

fn mirex(est: CamelotKey, reference: CamelotKey) -> f64 {
    let (e, r) = (
        i32::from(est.tonic_pitch_class()),
        i32::from(reference.tonic_pitch_class()),
    );
    if est == reference {
        1.0
    } else if est.mode() == reference.mode() && (e - r).rem_euclid(12) == 7 {
        0.5
    } else if est == reference.relative() {
        0.3
    } else if est.mode() != reference.mode() && e == r {
        0.2
    } else {
        0.0
    }
}

fn compatible(est: CamelotKey, reference: CamelotKey) -> bool {
    let d = (i32::from(est.number()) - i32::from(reference.number())).rem_euclid(12);
    (est.mode() == reference.mode() && (d == 0 || d == 1 || d == 11)) || d == 0
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().cloned().unwrap_or_else(|| {
        format!(
            "{}/.cache/flowstate-eval",
            std::env::var("HOME").unwrap_or_default()
        )
    }));
    let out_csv = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("flowstate-key.csv"));
    let manifest_path = root.join("manifest-public.json");
    let manifest: serde_json::Value = match std::fs::read_to_string(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("eval_key: cannot read {}: {e}", manifest_path.display());
            return std::process::ExitCode::from(2);
        }
    };
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    let mut csv = String::from(
        "relative_path,bpm,key_camelot,key_name,lufs,seconds_taken,error,cpu_seconds\n",
    );
    let (mut n, mut exact, mut mx, mut compat) = (0usize, 0usize, 0.0f64, 0usize);
    let (mut cpu_total, mut audio_min_total) = (0.0f64, 0.0f64);
    let mut per_min: Vec<f64> = Vec::new();
    let mut conf_bins: Vec<(f64, bool)> = Vec::new();
    let opts = KeyOptions::default();
    for f in &files {
        let id = f["id"].as_str().unwrap_or_default();
        if let Ok(only) = std::env::var("KEY_ONLY") {
            if !only.split(',').any(|o| o == id) {
                continue;
            }
        }
        let rel = f["path"].as_str().unwrap_or_default();
        let reference: Option<CamelotKey> = f["camelot"].as_str().and_then(|s| s.parse().ok());
        let pcm = root.join("pcm22k").join(format!("{id}.f32"));
        let samples: Vec<f32> = match std::fs::read(&pcm) {
            Ok(b) => b
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Err(e) => {
                csv += &format!("{rel},,,,,0,no pcm: {e},\n");
                println!("{id}: no pcm ({e})");
                continue;
            }
        };
        let t0 = Instant::now();
        let c0 = thread_cpu_s();
        let k = analyze(&samples, 22050, &opts);
        let wall = t0.elapsed().as_secs_f64();
        let cpu = match (c0, thread_cpu_s()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        let minutes = samples.len() as f64 / 22050.0 / 60.0;
        if minutes > 0.0 {
            per_min.push(cpu / minutes);
            cpu_total += cpu;
            audio_min_total += minutes;
        }
        let (cam, name) = k
            .key
            .map(|x| (x.camelot(), x.classic_long()))
            .unwrap_or_default();
        csv += &format!("{rel},,{cam},{name},,{wall:.4},,{cpu:.4}\n");
        let cands: Vec<String> = k
            .candidates
            .iter()
            .map(|(c, s)| format!("{c}:{s:.3}"))
            .collect();
        let segs: Vec<String> = k
            .segments
            .iter()
            .map(|s| format!("{}@{:.0}", s.key, s.start_s))
            .collect();
        let mark = match (k.key, reference) {
            (Some(e), Some(r)) => {
                n += 1;
                exact += usize::from(e == r);
                mx += mirex(e, r);
                compat += usize::from(compatible(e, r));
                conf_bins.push((k.confidence, e == r));
                if e == r {
                    "ok"
                } else {
                    "MISS"
                }
            }
            (None, Some(_)) => {
                n += 1;
                conf_bins.push((0.0, false));
                "MISS(none)"
            }
            (_, None) => "unlabelled",
        };
        println!(
            "{id} {:>10} ref={:>4} est={:>4} conf={:.2} clar={:.2} tune={:+5.1} [{}] segs[{}] {mark} {}",
            f["genre"].as_str().unwrap_or(""),
            reference.map(|r| r.camelot()).unwrap_or_default(),
            if cam.is_empty() { "-".into() } else { cam.clone() },
            k.confidence,
            k.clarity,
            k.tuning_cents,
            cands.join(" "),
            segs.join(" "),
            if mark == "unlabelled" { k.diagnostics.last().cloned().unwrap_or_default() } else { String::new() },
        );
        if std::env::var_os("EVAL_KEY_VERBOSE").is_some() && mark.starts_with("MISS") {
            let names = [
                "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
            ];
            let c: Vec<String> = k
                .chroma_mean
                .iter()
                .zip(names)
                .map(|(v, n)| format!("{n}:{v:.2}"))
                .collect();
            println!("      chroma {}", c.join(" "));
            for d in &k.diagnostics {
                println!("      {d}");
            }
        }
    }
    if let Err(e) = std::fs::File::create(&out_csv).and_then(|mut fh| fh.write_all(csv.as_bytes()))
    {
        eprintln!("eval_key: cannot write {}: {e}", out_csv.display());
        return std::process::ExitCode::from(2);
    }
    per_min.sort_by(f64::total_cmp);
    let median = per_min.get(per_min.len() / 2).copied().unwrap_or(0.0);
    let pct = |a: usize| {
        if n > 0 {
            100.0 * a as f64 / n as f64
        } else {
            0.0
        }
    };
    println!(
        "\nkeys: n={n} exact {:.1}%  MIREX {:.3}  Camelot-compatible {:.1}%",
        pct(exact),
        if n > 0 { mx / n as f64 } else { 0.0 },
        pct(compat)
    );
    println!(
        "CPU: median {median:.4} s per audio minute, overall {:.4} s/min ({cpu_total:.2} s for {audio_min_total:.1} min)",
        if audio_min_total > 0.0 { cpu_total / audio_min_total } else { 0.0 }
    );
    // Calibration: accuracy by confidence band.
    for (lo, hi) in [(0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)] {
        let band: Vec<_> = conf_bins
            .iter()
            .filter(|(c, _)| *c >= lo && *c < hi)
            .collect();
        if !band.is_empty() {
            let ok = band.iter().filter(|(_, b)| *b).count();
            println!(
                "confidence [{lo:.2},{hi:.2}): {} files, {:.0}% exact",
                band.len(),
                100.0 * ok as f64 / band.len() as f64
            );
        }
    }
    let _ = Mode::Minor;
    println!("CSV: {}", out_csv.display());
    std::process::ExitCode::SUCCESS
}

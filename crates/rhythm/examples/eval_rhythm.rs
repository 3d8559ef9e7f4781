//! Benchmark (not a test): rhythm analysis of the eval corpus.
//!
//! ```text
//! bash scripts/eval/decode_pcm.sh            # once: ~/.cache/flowstate-eval/pcm22k/<id>.f32
//! cargo run --release -p flowstate-rhythm --example eval_rhythm -- ~/.cache/flowstate-eval [OUT.csv] [--per-file]
//! python3 /work/shared/eval/score.py ~/.cache/flowstate-eval/manifest-public.json OUT.csv
//! ```
//! Prints tempo Acc1/Acc2 (score.py definitions: 4 %, ×2 ×½ ×3 ×⅓), Acc1 also accepting
//! `bpm_also_acceptable`, beat F-measure (±70 ms, one-to-one matching), downbeat
//! F-measure and the share of files whose downbeats are right (F ≥ 0.9), and rhythm CPU
//! seconds per audio minute (thread CPU time of `analyze` only; decode excluded).

use std::io::Write;
use std::path::PathBuf;

use flowstate_rhythm::{analyze, RhythmOptions};

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn f_measure(est: &[f64], refs: &[f64], tol: f64) -> f64 {
    if est.is_empty() && refs.is_empty() {
        return 1.0;
    }
    if est.is_empty() || refs.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut hit) = (0usize, 0usize, 0usize);
    while i < est.len() && j < refs.len() {
        let d = est[i] - refs[j];
        if d.abs() <= tol {
            hit += 1;
            i += 1;
            j += 1;
        } else if d < 0.0 {
            i += 1;
        } else {
            j += 1;
        }
    }
    2.0 * hit as f64 / (est.len() + refs.len()) as f64
}

fn acc1(e: f64, r: f64) -> bool {
    (e - r).abs() <= 0.04 * r
}

fn acc2(e: f64, r: f64) -> bool {
    [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0]
        .iter()
        .any(|f| (e - f * r).abs() <= 0.04 * f * r)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let per_file = args.iter().any(|a| a == "--per-file");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let root = pos.first().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(format!(
            "{}/.cache/flowstate-eval",
            std::env::var("HOME").unwrap_or_default()
        ))
    });
    let out_csv = pos
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/eval_rhythm.csv"));
    let manifest: serde_json::Value =
        match std::fs::read_to_string(root.join("manifest-public.json"))
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                eprintln!("cannot read manifest under {}: {e}", root.display());
                return std::process::ExitCode::from(2);
            }
        };
    let tracks = ["files", "tracks"]
        .iter()
        .find_map(|k| manifest.get(*k).and_then(|t| t.as_array()).cloned())
        .unwrap_or_default();
    let mut csv = match std::fs::File::create(&out_csv) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot write {}: {e}", out_csv.display());
            return std::process::ExitCode::from(2);
        }
    };
    let _ = writeln!(
        csv,
        "relative_path,bpm,key_camelot,key_name,lufs,seconds_taken,error,cpu_seconds,audio_seconds"
    );
    let opts = RhythmOptions::default();
    let (mut n_t, mut a1, mut a2, mut a1x) = (0usize, 0usize, 0usize, 0usize);
    let (mut fsum, mut nf, mut dsum, mut dok) = (0.0, 0usize, 0.0, 0usize);
    let (mut cpu_total, mut audio_total) = (0.0f64, 0.0f64);
    let mut per_min = Vec::new();
    for t in &tracks {
        let id = t["id"].as_str().unwrap_or("");
        let path = t["path"].as_str().unwrap_or("");
        if let Ok(only) = std::env::var("RHYTHM_ONLY") {
            if !only.split(',').any(|o| o == id) {
                continue;
            }
        }
        let pcm_path = root.join("pcm22k").join(format!("{id}.f32"));
        let bytes = std::fs::read(&pcm_path).unwrap_or_default();
        if bytes.len() < 4 {
            let _ = writeln!(csv, "{path},,,,,0,no decoded audio,0,0");
            if per_file {
                println!("{id:6} no decoded audio");
            }
            continue;
        }
        let pcm: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let audio_s = pcm.len() as f64 / 22050.0;
        let c0 = thread_cpu_ns();
        let w0 = std::time::Instant::now();
        let r = analyze(&pcm, 22050, &opts);
        let wall = w0.elapsed().as_secs_f64();
        let cpu = match (c0, thread_cpu_ns()) {
            (Some(a), Some(b)) => (b.saturating_sub(a)) as f64 * 1e-9,
            _ => wall,
        };
        cpu_total += cpu;
        audio_total += audio_s;
        per_min.push(cpu / (audio_s / 60.0));
        let bpm_s = r.bpm.map(|b| format!("{b:.2}")).unwrap_or_default();
        let _ = writeln!(csv, "{path},{bpm_s},,,,{wall:.4},,{cpu:.4},{audio_s:.3}");
        let Some(ref_bpm) = t["bpm"].as_f64() else {
            if per_file {
                println!(
                    "{id:6} (no reference) est {:?} {:?}",
                    r.bpm,
                    r.diagnostics.first()
                );
            }
            continue;
        };
        n_t += 1;
        let est = r.bpm.unwrap_or(0.0);
        let ok1 = acc1(est, ref_bpm);
        a1 += ok1 as usize;
        a2 += acc2(est, ref_bpm) as usize;
        let also: Vec<f64> = t["bpm_also_acceptable"]
            .as_array()
            .map(|v| v.iter().filter_map(|x| x.as_f64()).collect())
            .unwrap_or_default();
        a1x += (ok1 || also.iter().any(|&b| acc1(est, b))) as usize;
        // reference beats / downbeats
        let mut rb = Vec::new();
        let mut rdb = Vec::new();
        for seg in t["beat_grid"].as_array().cloned().unwrap_or_default() {
            let s0 = seg["start_s"].as_f64().unwrap_or(0.0);
            let spb = seg["sec_per_beat"].as_f64().unwrap_or(0.5);
            let fbi = seg["first_beat_index"].as_i64().unwrap_or(0);
            for k in 0..seg["n_beats"].as_i64().unwrap_or(0) {
                let tt = s0 + k as f64 * spb;
                rb.push(tt);
                if (fbi + k).rem_euclid(4) == 0 {
                    rdb.push(tt);
                }
            }
        }
        let bf = f_measure(&r.beats, &rb, 0.07);
        let df = f_measure(&r.downbeats, &rdb, 0.07);
        if !rb.is_empty() {
            fsum += bf;
            dsum += df;
            nf += 1;
            dok += (df >= 0.9) as usize;
        }
        if per_file {
            let genre = t["genre"].as_str().unwrap_or("");
            println!(
                "{id:6} {genre:14} ref {ref_bpm:7.2} est {est:7.2} {} feel {:10} groove {:13} beatF {bf:.3} downF {df:.3} first {:.3}/{:.3} conf {:.2} cpu/min {:.4}",
                if ok1 { "  " } else { "XX" },
                r.tempo_feel.map(|f| f.as_str()).unwrap_or("-"),
                r.groove_style.map(|g| g.as_str()).unwrap_or("-"),
                r.beats.first().copied().unwrap_or(-1.0),
                rb.first().copied().unwrap_or(-1.0),
                r.confidence,
                cpu / (audio_s / 60.0)
            );
            if std::env::var("RHYTHM_DIAG").is_ok() {
                for d in &r.diagnostics {
                    println!("         {d}");
                }
            }
        }
    }
    per_min.sort_by(|a, b| a.total_cmp(b));
    let median = per_min.get(per_min.len() / 2).copied().unwrap_or(0.0);
    let pct = |a: usize, n: usize| {
        if n > 0 {
            100.0 * a as f64 / n as f64
        } else {
            0.0
        }
    };
    println!("files with tempo reference: {n_t}");
    println!(
        "tempo Acc1 {:.1}%  Acc2 {:.1}%  Acc1-or-also-acceptable {:.1}%",
        pct(a1, n_t),
        pct(a2, n_t),
        pct(a1x, n_t)
    );
    println!(
        "beat F (±70 ms) {:.3}  downbeat F {:.3}  downbeat-correct files (F>=0.9) {:.1}%",
        if nf > 0 { fsum / nf as f64 } else { 0.0 },
        if nf > 0 { dsum / nf as f64 } else { 0.0 },
        pct(dok, nf)
    );
    println!(
        "CPU s per audio minute: median {:.4}, overall {:.4} ({:.1} s CPU for {:.1} min)",
        median,
        if audio_total > 0.0 {
            cpu_total / (audio_total / 60.0)
        } else {
            0.0
        },
        cpu_total,
        audio_total / 60.0
    );
    println!("CSV: {}", out_csv.display());
    std::process::ExitCode::SUCCESS
}

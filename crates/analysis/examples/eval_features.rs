//! Benchmark (not a test): energy / structure / mix points / vocals against the eval
//! manifest, on PCM decoded by `scripts/eval/decode_pcm.sh`.
//!
//! `cargo run --release -p flowstate-analysis --example eval_features -- ~/.cache/flowstate-eval [-v] [--only p0001,p0002] [--gain DB]`

use flowstate_analysis::analyze;
use serde_json::Value;
use std::path::PathBuf;

fn cpu_seconds() -> f64 {
    // utime + stime of this process, from /proc (Linux); 0 elsewhere.
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        for k in i..=j {
            r[idx[k]] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt().max(1e-12)
}

/// Greedy one-to-one matching within `tol`: (hits, n_est, n_ref).
fn match_bounds(est: &[f64], refs: &[f64], tol: f64) -> (usize, usize, usize) {
    let mut used = vec![false; est.len()];
    let mut hits = 0;
    for &r in refs {
        let best = est
            .iter()
            .enumerate()
            .filter(|(i, &e)| !used[*i] && (e - r).abs() <= tol)
            .min_by(|a, b| (a.1 - r).abs().total_cmp(&(b.1 - r).abs()));
        if let Some((i, _)) = best {
            used[i] = true;
            hits += 1;
        }
    }
    (hits, est.len(), refs.len())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().cloned().unwrap_or_else(|| {
        format!(
            "{}/.cache/flowstate-eval",
            std::env::var("HOME").unwrap_or_default()
        )
    }));
    let verbose = args.iter().any(|a| a == "-v");
    // `--only p0014,p0020`: restrict to these ids (for iterating).
    let only: Vec<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    // `--gain DB`: scale every file by DB decibels before analysis (level-invariance check;
    // no clipping, the analysis takes float samples).
    let gain: f32 = args
        .iter()
        .position(|a| a == "--gain")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<f32>().ok())
        .map_or(1.0, |db| 10f32.powf(db / 20.0));
    let manifest: Value = match std::fs::read_to_string(root.join("manifest-public.json"))
        .map(|s| serde_json::from_str(&s))
    {
        Ok(Ok(v)) => v,
        _ => {
            eprintln!("cannot read {}/manifest-public.json", root.display());
            std::process::exit(2);
        }
    };
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    let (mut e_est, mut e_ref) = (Vec::new(), Vec::new());
    let (mut hits, mut n_est, mut n_ref) = (0, 0, 0);
    let (mut in_ok, mut in_n, mut out_ok, mut out_n) = (0, 0, 0, 0);
    let (mut voc_ok, mut voc_n) = (0, 0);
    // ending notes: manifest outro kind "abrupt" / "fade" against the mix notes
    let (mut abrupt_ok, mut abrupt_n, mut fade_ok, mut fade_n, mut wrong_note) = (0, 0, 0, 0, 0);
    // intro length in bars within 1 of the manifest's: DJ (beat-only) intros, all intros
    let (mut dj_ok, mut dj_n, mut intro_ok, mut intro_n) = (0, 0, 0, 0);
    let (mut cpu, mut audio_min) = (0.0, 0.0);
    for f in &files {
        let id = f["id"].as_str().unwrap_or("");
        if !only.is_empty() && !only.iter().any(|o| o == id) {
            continue;
        }
        let path = root.join("pcm22k").join(format!("{id}.f32"));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let pcm: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| gain * f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let c0 = cpu_seconds();
        let a = analyze(&pcm, 22050);
        cpu += cpu_seconds() - c0;
        audio_min += pcm.len() as f64 / 22050.0 / 60.0;
        let bpm = f["bpm"].as_f64().unwrap_or(120.0);
        let bar = 240.0 / bpm;
        let dur = pcm.len() as f64 / 22050.0;
        let mut line = format!("{id} {:<14}", f["genre"].as_str().unwrap_or("-"));
        if let (Some(e), Some(r)) = (a.energy_score, f["energy"].as_f64()) {
            e_est.push(e);
            e_ref.push(r);
            line += &format!(" E {e:.2}/{r}");
        }
        let refs: Vec<f64> = f["sections"]
            .as_array()
            .map(|s| {
                s.iter()
                    .filter_map(|x| x["start_s"].as_f64())
                    .filter(|&t| t > 0.05 && t < dur - 0.05)
                    .collect()
            })
            .unwrap_or_default();
        let est: Vec<f64> = a
            .sections
            .iter()
            .map(|s| s.start_s)
            .filter(|&t| t > 0.05 && t < dur - 0.05)
            .collect();
        let (h, ne, nr) = match_bounds(&est, &refs, bar + 0.05);
        hits += h;
        n_est += ne;
        n_ref += nr;
        line += &format!(" B {h}/{ne}/{nr}");
        let m = a.mix.as_ref();
        if let Some(r) = f["mix_in_s"].as_f64() {
            in_n += 1;
            let e = m.and_then(|m| m.mix_in_s);
            let ok = e.is_some_and(|e| (e - r).abs() <= bar + 0.05);
            in_ok += usize::from(ok);
            line += &format!(
                " in {}/{r:.1}{}",
                e.map_or("-".into(), |e| format!("{e:.1}")),
                if ok { "" } else { "!" }
            );
        }
        if let Some(r) = f["mix_out_s"].as_f64() {
            out_n += 1;
            let e = m.and_then(|m| m.mix_out_s);
            let ok = e.is_some_and(|e| (e - r).abs() <= bar + 0.05);
            out_ok += usize::from(ok);
            line += &format!(
                " out {}/{r:.1}{}",
                e.map_or("-".into(), |e| format!("{e:.1}")),
                if ok { "" } else { "!" }
            );
        }
        if let (Some(m), Some(r)) = (m, f["intro"]["bars"].as_u64()) {
            let ok = (i64::from(m.intro_bars) - r as i64).abs() <= 1;
            intro_n += 1;
            intro_ok += usize::from(ok);
            if f["intro"]["kind"].as_str() == Some("dj") {
                dj_n += 1;
                dj_ok += usize::from(ok);
            }
        }
        let said = |n: &str| m.is_some_and(|m| m.notes.iter().any(|x| x == n));
        let (says_abrupt, says_fade) = (said("abrupt ending"), said("fades out"));
        match f["outro"]["kind"].as_str() {
            Some("abrupt") => {
                abrupt_n += 1;
                abrupt_ok += usize::from(says_abrupt);
                wrong_note += usize::from(says_fade);
            }
            Some("fade") => {
                fade_n += 1;
                fade_ok += usize::from(says_fade);
                wrong_note += usize::from(says_abrupt);
            }
            _ => {}
        }
        if let (Some(p), Some(v)) = (a.vocal_probability, f["vocal"].as_bool()) {
            voc_n += 1;
            let ok = (p >= 0.5) == v;
            voc_ok += usize::from(ok);
            line += &format!(" V {p:.2}/{v}{}", if ok { "" } else { "!" });
        }
        if verbose {
            println!("{line}");
            let labels: Vec<String> = a
                .sections
                .iter()
                .map(|s| format!("{}@{:.1}", s.label, s.start_s))
                .collect();
            let rl: Vec<String> = f["sections"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|x| {
                            format!(
                                "{}@{:.1}",
                                x["type"].as_str().unwrap_or("?"),
                                x["start_s"].as_f64().unwrap_or(0.0)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            for d in a
                .diagnostics
                .iter()
                .filter(|d| d.starts_with("energy") || d.starts_with("vocals"))
            {
                println!("    {d}");
            }
            println!("    est: {}\n    ref: {}", labels.join(" "), rl.join(" "));
            println!(
                "    rhythm: bpm {:?} first beat {:?} first downbeat {:?} conf {:.2}",
                a.rhythm.bpm,
                a.rhythm.beats.first(),
                a.rhythm.downbeats.first(),
                a.rhythm.confidence
            );
            if let Some(m) = m {
                println!(
                    "    notes: {} | in_ease {:.1} out_ease {:.1}",
                    m.notes.join("; "),
                    m.mix_in_ease,
                    m.mix_out_ease
                );
            }
        }
    }
    let p = hits as f64 / n_est.max(1) as f64;
    let r = hits as f64 / n_ref.max(1) as f64;
    println!("files analysed: {}", e_est.len().max(voc_n));
    println!(
        "energy Spearman: {:.3} (n={})",
        spearman(&e_est, &e_ref),
        e_est.len()
    );
    println!("section boundaries ±1 bar: P {:.3} R {:.3} F {:.3} ({hits} hits, {n_est} est, {n_ref} ref)", p, r, 2.0 * p * r / (p + r).max(1e-12));
    println!(
        "mix-in within 1 bar: {in_ok}/{in_n} = {:.3}",
        in_ok as f64 / in_n.max(1) as f64
    );
    println!(
        "mix-out within 1 bar: {out_ok}/{out_n} = {:.3}",
        out_ok as f64 / out_n.max(1) as f64
    );
    println!(
        "vocal presence accuracy: {voc_ok}/{voc_n} = {:.3}",
        voc_ok as f64 / voc_n.max(1) as f64
    );
    println!(
        "intro length within 1 bar: DJ intros {dj_ok}/{dj_n}, all intros {intro_ok}/{intro_n}"
    );
    println!(
        "ending notes: 'abrupt ending' on {abrupt_ok}/{abrupt_n} abrupt endings, 'fades out' on \
         {fade_ok}/{fade_n} fades, the opposite note on {wrong_note}"
    );
    println!("CPU: {cpu:.2} s for {audio_min:.1} audio min = {:.3} s/min (whole analyze(), excl. decode)", cpu / audio_min.max(1e-9));
}

//! Speed and accuracy of the models.
//!
//! ```sh
//! RAYON_NUM_THREADS=1 cargo run --release -p flowstate-ml --example bench_ml            # speed
//! RAYON_NUM_THREADS=1 cargo run --release -p flowstate-ml --example bench_ml -- --eval  # + vocals on the eval corpus
//! ```
//! `--eval` reads `~/.cache/flowstate-eval/manifest-public.json` and the decoded PCM in
//! `~/.cache/flowstate-eval/pcm22k/<id>.f32` (`scripts/eval/decode_pcm.sh`). With
//! `--dsp FILE` (JSON `{id: vocal_probability}` from the DSP analyser) it also scores the
//! DSP-only and the combined (`TagOutput::apply_to` on a doc holding the DSP value) figures.
//! CPU time is process CPU (all threads; `RAYON_NUM_THREADS=1` keeps candle on one core).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use flowstate_ml::{models_dir, Tagger, TextEncoder};

fn cpu_s() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = models_dir();
    let eval = args.iter().any(|a| a == "--eval");
    let dsp_path = args
        .iter()
        .position(|a| a == "--dsp")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    println!("models: {}", dir.display());

    // ── text encoder ──
    let (w, c) = (Instant::now(), cpu_s());
    let enc = TextEncoder::load(&dir)?;
    println!(
        "text encoder load: {:.0} ms wall, {:.0} ms CPU",
        w.elapsed().as_secs_f64() * 1e3,
        (cpu_s() - c) * 1e3
    );
    let prompts = [
        "dark rolling techno",
        "something euphoric with female vocals",
        "chill deep house to open the night",
        "hip-hop instrumental, laid back",
        "same energy but brighter",
        "peak time trance 138",
        "warm disco with a funky bassline",
        "ambient intro for a sunrise set",
    ];
    enc.embed(&prompts)?; // warm up
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for i in 0..400 {
        let p = prompts[i % prompts.len()];
        let (w, c) = (Instant::now(), cpu_s());
        let e = enc.embed(&[p])?;
        std::hint::black_box(e);
        wall.push(w.elapsed().as_secs_f64() * 1e3);
        cpu.push((cpu_s() - c) * 1e3);
    }
    println!(
        "text encoder per short prompt (400 runs, one at a time): wall p50 {:.2} ms p99 {:.2} ms; CPU p50 {:.2} ms p99 {:.2} ms",
        pct(&mut wall, 0.5),
        pct(&mut wall, 0.99),
        pct(&mut cpu, 0.5),
        pct(&mut cpu, 0.99)
    );
    let (w, c) = (Instant::now(), cpu_s());
    for _ in 0..25 {
        std::hint::black_box(enc.embed(&prompts)?);
    }
    println!(
        "text encoder batched (8 prompts/batch): {:.2} ms wall, {:.2} ms CPU per prompt",
        w.elapsed().as_secs_f64() * 1e3 / 200.0,
        (cpu_s() - c) * 1e3 / 200.0
    );

    // ── tagger ──
    let (w, c) = (Instant::now(), cpu_s());
    let tagger = Tagger::load(&dir)?;
    println!(
        "tagger load: {:.0} ms wall, {:.0} ms CPU",
        w.elapsed().as_secs_f64() * 1e3,
        (cpu_s() - c) * 1e3
    );
    // synthetic 5-minute track at 22.05 kHz (noise + tones; content does not change the cost)
    let sr = 22050.0;
    let mut s: u32 = 1;
    let x: Vec<f32> = (0..(300.0 * sr) as usize)
        .map(|i| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            let t = i as f64 / sr;
            ((2.0 * std::f64::consts::PI * 110.0 * t).sin() * 0.3
                + (f64::from(s) / 4294967296.0 - 0.5) * 0.2) as f32
        })
        .collect();
    let (w, c) = (Instant::now(), cpu_s());
    let out = tagger.analyze(&x)?;
    let (wt, ct) = (w.elapsed().as_secs_f64(), cpu_s() - c);
    println!(
        "tagger on a 5-min track: {} patches, {:.2} s wall, {:.2} s CPU = {:.3} CPU s per audio minute",
        out.patches.len(),
        wt,
        ct,
        ct / 5.0
    );
    let per = x.len() / 60; // 1/60 of the track = 5 s
    let (w, c) = (Instant::now(), cpu_s());
    let _ = tagger.analyze(&x[..per * 12])?; // 60 s
    println!(
        "tagger on a 1-min track: {:.2} s wall, {:.2} s CPU",
        w.elapsed().as_secs_f64(),
        cpu_s() - c
    );

    if !eval {
        return Ok(());
    }
    // ── vocal presence on the public eval corpus ──
    let root = dirs::home_dir()
        .unwrap_or_default()
        .join(".cache/flowstate-eval");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest-public.json"))?)?;
    let dsp: BTreeMap<String, f64> = match &dsp_path {
        Some(p) => serde_json::from_str(&std::fs::read_to_string(p)?)?,
        None => BTreeMap::new(),
    };
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    let (mut n, mut ok_tag, mut ok_dsp, mut ok_comb, mut n_dsp) = (0, 0, 0, 0, 0);
    let mut confusion = BTreeMap::<(bool, String), usize>::new();
    let (mut audio_s, mut tag_cpu) = (0.0, 0.0);
    for f in &files {
        let id = f["id"].as_str().unwrap_or("");
        let Some(truth) = f["vocal"].as_bool() else {
            continue;
        };
        let pcm = root.join("pcm22k").join(format!("{id}.f32"));
        let Ok(bytes) = std::fs::read(&pcm) else {
            continue;
        };
        let x: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if x.len() < 22050 {
            continue;
        }
        let c = cpu_s();
        let out = match tagger.analyze(&x) {
            Ok(o) => o,
            Err(e) => {
                println!("{id}: {e}");
                continue;
            }
        };
        tag_cpu += cpu_s() - c;
        audio_s += x.len() as f64 / 22050.0;
        let mut doc = flowstate_types::TrackDoc::default();
        out.apply_to(&mut doc);
        let label = doc.vocal_presence.clone().unwrap_or_default();
        let pred = label != "instrumental";
        n += 1;
        ok_tag += usize::from(pred == truth);
        *confusion.entry((truth, label.clone())).or_default() += 1;
        if let Some(&p) = dsp.get(id) {
            n_dsp += 1;
            ok_dsp += usize::from((p >= 0.5) == truth);
            let mut d = flowstate_types::TrackDoc {
                vocal_probability: Some(p),
                ..Default::default()
            };
            d.provenance = Some(BTreeMap::from([(
                "vocal_probability".to_string(),
                flowstate_types::FieldSource {
                    source: "dsp".into(),
                    confidence: None,
                },
            )]));
            out.apply_to(&mut d);
            ok_comb += usize::from((d.vocal_presence.as_deref() != Some("instrumental")) == truth);
        }
        if args.iter().any(|a| a == "-v") {
            let mut top: Vec<(&String, &f64)> = out.tags.iter().collect();
            top.sort_by(|a, b| b.1.total_cmp(a.1));
            println!(
                "{id} {:<14} vocal={truth:<5} -> {label:<12} p_vocal={:.2} genre={:?} top={:?}",
                f["genre"].as_str().unwrap_or("-"),
                doc.vocal_probability.unwrap_or(0.0),
                doc.genre,
                top.iter()
                    .take(4)
                    .map(|(k, p)| format!("{k}:{p:.2}"))
                    .collect::<Vec<_>>()
            );
        }
    }
    println!(
        "eval corpus: {n} tracks, {:.1} audio min, tagger {:.3} CPU s per audio minute",
        audio_s / 60.0,
        tag_cpu / (audio_s / 60.0).max(1e-9)
    );
    println!(
        "vocal presence (vocal vs instrumental) accuracy, tagger: {ok_tag}/{n} = {:.1}%",
        100.0 * ok_tag as f64 / n.max(1) as f64
    );
    if n_dsp > 0 {
        println!(
            "  DSP only (vocal_probability >= 0.5): {ok_dsp}/{n_dsp} = {:.1}%; combined: {ok_comb}/{n_dsp} = {:.1}%",
            100.0 * ok_dsp as f64 / n_dsp as f64,
            100.0 * ok_comb as f64 / n_dsp as f64
        );
    }
    for ((truth, label), k) in &confusion {
        println!("  truth vocal={truth:<5} predicted {label:<12} {k}");
    }
    Ok(())
}

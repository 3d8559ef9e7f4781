//! Developer probe: per-position bar cues (z-scores) of one eval file, relative to the
//! reference bar phase. Measurement only.
//! `meter_probe PCM.f32 REF_FIRST_DOWNBEAT_S REF_BPM`
use flowstate_rhythm::{analyze, meter, onset};
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let bytes = std::fs::read(&a[0]).unwrap_or_default();
    let pcm: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let db0: f64 = a[1].parse().unwrap_or(0.0);
    let bpm: f64 = a[2].parse().unwrap_or(120.0);
    let r = analyze(&pcm, 22050, &Default::default());
    let f = onset::features(&pcm, 22050);
    let frames: Vec<f64> = r.beats.iter().map(|t| t * f.fps - 0.73).collect();
    let c = meter::cues(&f, &frames);
    let bar = 240.0 / bpm;
    // reference position in bar of est beat k
    let pos: Vec<usize> = r
        .beats
        .iter()
        .map(|t| ((((t - db0) / (bar / 4.0)).round() as i64).rem_euclid(4)) as usize)
        .collect();
    let z = |x: &[f64]| {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n)
            .sqrt()
            .max(1e-9);
        x.iter().map(|v| (v - m) / sd).collect::<Vec<f64>>()
    };
    for (name, x) in [
        ("kick", &c.kick),
        ("snare", &c.snare),
        ("chroma", &c.chroma_change),
        ("energy", &c.energy_rise),
    ] {
        let zz = z(x);
        let mut m = [0.0; 4];
        let mut n = [0usize; 4];
        for (k, v) in zz.iter().enumerate() {
            m[pos[k]] += v;
            n[pos[k]] += 1;
        }
        println!(
            "{name:7} {}",
            (0..4)
                .map(|i| format!("{:+.2}", m[i] / n[i].max(1) as f64))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let v = meter::boundary_votes(&c.boundary);
    let mut vr = [0.0; 4];
    for (k, vk) in v.iter().enumerate() {
        if let Some(i) = (0..pos.len()).find(|&i| i % 4 == k) {
            vr[pos[i]] += vk;
        }
    }
    println!("bvotes  {:?}", vr.map(|x| (x * 100.0).round() / 100.0));
    for d in &r.diagnostics {
        if d.starts_with("grid") {
            println!("{d}");
        }
    }
}

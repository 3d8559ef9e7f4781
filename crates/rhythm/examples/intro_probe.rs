//! Developer probe: novelty at grid positions extrapolated before the first beat.
//! `intro_probe PCM.f32` (measurement only)
use flowstate_rhythm::analyze;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let bytes = std::fs::read(&a[0]).unwrap_or_default();
    let pcm: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let r = analyze(&pcm, 22050, &Default::default());
    let fps = r.novelty_rate_hz;
    let (Some(&b0), Some(bpm)) = (r.beats.first(), r.bpm) else {
        return;
    };
    let spb = 60.0 / bpm;
    let lm = |t: f64| {
        let c = (t * fps).round() as i64;
        (c - 2..=c + 2)
            .filter(|&i| i >= 0 && (i as usize) < r.novelty.len())
            .map(|i| r.novelty[i as usize])
            .fold(0.0f32, f32::max)
    };
    let db0 = r.downbeats.first().copied().unwrap_or(b0);
    let mut k = -1i64;
    loop {
        let t = b0 + k as f64 * spb;
        if t < 0.0 {
            break;
        }
        let isdb = (((t - db0) / spb).round() as i64).rem_euclid(4) == 0;
        println!(
            "{t:7.2} {} on {:.2} half {:.2}",
            if isdb { "D" } else { " " },
            lm(t),
            lm(t + spb / 2.0)
        );
        k -= 1;
    }
}

//! Developer probe: analyse a synthetic click train and print the beat offsets.
#[path = "../tests/synth/mod.rs"]
mod synth;
use synth::*;
fn main() {
    let sr = 22050;
    for &bpm in &[120.0, 128.0, 174.0] {
        let mut buf = silence(sr, 30.0);
        let mut rng = Rng::new(1);
        let spb = 60.0 / bpm;
        let mut t = 1.0;
        let mut truth = vec![];
        while t < 29.0 {
            add_drum(&mut buf, sr, t, Drum::Click, 0.5, &mut rng);
            truth.push(t);
            t += spb;
        }
        let r = flowstate_rhythm::analyze(&buf, sr, &Default::default());
        let offs: Vec<f64> = r
            .beats
            .iter()
            .filter_map(|b| {
                truth
                    .iter()
                    .map(|t| b - t)
                    .min_by(|a, c| a.abs().total_cmp(&c.abs()))
            })
            .collect();
        let mean = offs.iter().sum::<f64>() / offs.len().max(1) as f64;
        println!(
            "bpm {bpm} est {:?} n {} first {:?} mean offset {:.4}s fps {}",
            r.bpm,
            r.beats.len(),
            r.beats.first(),
            mean,
            r.novelty_rate_hz
        );
        for d in &r.diagnostics {
            println!("  {d}");
        }
    }
}

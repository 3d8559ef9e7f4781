//! Developer tool (not a test): the track-level vocal cue on raw mono f32le 22050-Hz files.
//!
//! `cargo run --release -p flowstate-analysis --example vocal_probe -- FILE.f32...`
//! prints, per file, the total glide-run time (s), the glide time per minute and the
//! track-level vocal probability ([`flowstate_analysis::vocals`]).
use flowstate_analysis::{features, vocals};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let x: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let fr = features::compute(&x, 22050);
        let runs = vocals::glide_runs(&fr);
        let all: Vec<usize> = (0..fr.n).collect();
        let g = vocals::glide_seconds(&fr, &runs, &all);
        let mins = x.len() as f64 / 22050.0 / 60.0;
        println!(
            "{path}\t{g:.2}\t{:.2}\t{:.3}",
            g / mins.max(1e-9),
            vocals::probability(g)
        );
        if std::env::var("RUNS").is_ok() {
            // start time (s) and length (hops) of each glide run, with its mean drift
            let mut t = 0;
            while t < runs.len() {
                if !runs[t] {
                    t += 1;
                    continue;
                }
                let mut e = t;
                while e < runs.len() && runs[e] {
                    e += 1;
                }
                let d: f32 = fr.drift_cents[t..e].iter().sum::<f32>() / (e - t) as f32;
                println!("  {:.2}s  {} hops  {d:+.1} c/hop", t as f64 / fr.fps, e - t);
                t = e;
            }
        }
    }
}

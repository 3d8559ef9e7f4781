//! Dump a tagger's track-level probabilities for raw 22.05 kHz f32le files (dev tool).
//! `cargo run --release -p flowstate-ml --example tag_probe -- mtt|msd FILE...` → TSV on stdout.
use flowstate_ml::{models_dir, Tagger, TaggerModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let which = match args.next().as_deref() {
        Some("mtt") => TaggerModel::Mtt,
        _ => TaggerModel::Msd,
    };
    let t = Tagger::load_model(&models_dir(), which)?;
    let labels = t.labels();
    println!("file\t{}", labels.join("\t"));
    for f in args {
        let bytes = std::fs::read(&f)?;
        let x: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        match t.analyze(&x) {
            Ok(o) => {
                let v: Vec<String> = labels.iter().map(|l| format!("{:.3}", o.p(l))).collect();
                println!("{f}\t{}", v.join("\t"));
            }
            Err(e) => eprintln!("{f}: {e}"),
        }
    }
    Ok(())
}

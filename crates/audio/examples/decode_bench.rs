//! Decode + loudness + tags cost and LUFS per file, without the rest of the workspace
//! (quick to build in release): `cargo run --release -p flowstate-audio --example decode_bench -- ROOT MANIFEST OUT.csv
//! [--no-true-peak] [--no-lra]`.
//! The product command is `flowstate bench --no-dsp`; this writes the same CSV columns.

use flowstate_audio::{decode_file, read_tags, thread_cpu_seconds, DecodeOptions};
use std::io::Write;
use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: decode_bench ROOT MANIFEST OUT.csv");
        return std::process::ExitCode::from(2);
    }
    let root = PathBuf::from(&args[1]);
    let manifest: serde_json::Value = match std::fs::read_to_string(&args[2])
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
    {
        Some(v) => v,
        None => {
            eprintln!("cannot read manifest");
            return std::process::ExitCode::from(2);
        }
    };
    let Ok(mut out) = std::fs::File::create(&args[3]) else {
        return std::process::ExitCode::from(2);
    };
    let _ = writeln!(
        out,
        "relative_path,bpm,key_camelot,key_name,lufs,seconds_taken,error,cpu_seconds,audio_seconds"
    );
    let (mut dec, mut res, mut loud, mut tags, mut audio) = (0.0, 0.0, 0.0, 0.0, 0.0);
    // `--no-true-peak` / `--no-lra`: what each loudness measure costs
    let opts = DecodeOptions {
        true_peak: !args.iter().any(|a| a == "--no-true-peak"),
        loudness_range: !args.iter().any(|a| a == "--no-lra"),
        ..DecodeOptions::default()
    };
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    for f in &files {
        let rel = f["path"].as_str().unwrap_or_default();
        let p = root.join(rel);
        let t = std::time::Instant::now();
        let c0 = thread_cpu_seconds();
        let r = decode_file(&p, &opts);
        let c1 = thread_cpu_seconds();
        let _ = read_tags(&p);
        let c2 = thread_cpu_seconds();
        match r {
            Ok(d) => {
                dec += d.stats.decode_cpu_s;
                res += d.stats.resample_cpu_s;
                loud += d.stats.loudness_cpu_s;
                tags += c2 - c1;
                audio += d.info.duration_s;
                let _ = writeln!(
                    out,
                    "{rel},,,,{},{:.4},,{:.4},{:.3}",
                    d.loudness
                        .integrated_lufs
                        .map(|l| format!("{l:.3}"))
                        .unwrap_or_default(),
                    t.elapsed().as_secs_f64(),
                    c2 - c0,
                    d.info.duration_s
                );
            }
            Err(e) => {
                let mut msg = e.to_string();
                let mut s = std::error::Error::source(&e);
                while let Some(x) = s {
                    msg.push_str(&format!(": {x}"));
                    s = x.source();
                }
                let _ = writeln!(
                    out,
                    "{rel},,,,,{:.4},\"{} [{}]\",{:.4},",
                    t.elapsed().as_secs_f64(),
                    msg.replace('"', "'"),
                    e.kind(),
                    c1 - c0
                );
            }
        }
    }
    let m = (audio / 60.0).max(1e-9);
    println!("{:.1} audio-minutes; CPU s per audio-minute: decode {:.4}, resample {:.4}, loudness {:.4}, tags {:.4}, total {:.4}", audio / 60.0, dec / m, res / m, loud / m, tags / m, (dec + res + loud + tags) / m);
    std::process::ExitCode::SUCCESS
}

//! `flowstate analyze <FILE> [--json]`: one file, no corpus.

use flowstate_engine::{analyze_file, AnalyzeOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub file: PathBuf,
    /// Print the CODEX v1.1 document as JSON.
    #[arg(long)]
    pub json: bool,
    /// Skip the music tagger even when its models are installed.
    #[arg(long)]
    pub no_tagger: bool,
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    if !args.file.is_file() {
        anyhow::bail!("no such file: {}", args.file.display());
    }
    let mut opts = AnalyzeOptions::full();
    // ══ ML HOOK ══ (same place as in `scan`)
    opts.hook = crate::ml_hook::tagger_hook(!args.no_tagger);
    match analyze_file(&args.file, None, &opts) {
        Ok(a) => {
            let v = super::show::full_json(&a.doc)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let d = &a.doc;
                println!("{}", args.file.display());
                println!("  {} — {}", d.artist.as_deref().unwrap_or("?"), d.title.as_deref().unwrap_or("?"));
                println!("  {:.1} s, {} Hz, {} ch, {}", a.info.duration_s, a.info.source_sample_rate, a.info.channels, a.info.codec);
                println!("  bpm {}  key {}  energy {}", fmt(d.bpm), d.key.as_deref().unwrap_or("-"), d.energy.map(|e| e.to_string()).unwrap_or_else(|| "-".into()));
                println!("  loudness {} LUFS, LRA {} LU, true peak {} dBTP", fmt(d.integrated_lufs), fmt(d.loudness_range_lu), fmt(d.true_peak_dbtp));
            }
            if ctx.verbose > 0 {
                eprintln!("cpu seconds: {:?}", a.times);
                for d in &a.diagnostics {
                    eprintln!("diagnostic: {d}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {}", e.chain());
            Ok(ExitCode::from(1))
        }
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into())
}

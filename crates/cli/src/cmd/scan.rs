//! `flowstate scan <DIR>...`: incremental scan into the corpus.

use anyhow::bail;
use flowstate_engine::{FileOutcome, ScanEvent, ScanOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders (or files) to scan, recursively.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Re-analyse every file, even unchanged ones.
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No per-file log lines (the summary is still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip the music tagger (genre/mood/vocals/embeddings) even when its models are installed.
    #[arg(long)]
    pub no_tagger: bool,
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let missing: Vec<_> = args.dirs.iter().filter(|d| !d.exists()).collect();
    if !missing.is_empty() {
        bail!("no such file or directory: {}", missing.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    let mut lib = ctx.library()?;
    let mut opts = ScanOptions::new();
    opts.threads = args.threads;
    opts.force = args.force;
    // ══ ML HOOK ══ the music tagger, when its models are installed.
    opts.analyze.hook = crate::ml_hook::tagger_hook(!args.no_tagger);
    if ctx.verbose > 0 {
        eprintln!("analysis version: {}", flowstate_engine::analysis_version(opts.analyze.hook.as_deref()));
    }

    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let bar = if tty {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {per_sec} ETA {eta} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let quiet = args.quiet;
    let mut on_event = |ev: &ScanEvent<'_>| match ev {
        ScanEvent::Discovered { files, unchanged, to_process } => {
            if let Some(b) = &bar {
                b.set_length(*to_process as u64);
            } else if !quiet {
                eprintln!("found {files} audio files: {unchanged} unchanged, {to_process} to process");
            }
        }
        ScanEvent::File { path, outcome, failure, done, total } => {
            if let Some(b) = &bar {
                b.set_position(*done as u64);
                b.set_message(path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
                if let Some(f) = failure {
                    b.println(format!("failed: {} ({})", path.display(), f.reason));
                }
            } else if !quiet {
                match outcome {
                    FileOutcome::Analysed => eprintln!("[{done}/{total}] analysed {}", path.display()),
                    FileOutcome::Linked => eprintln!("[{done}/{total}] linked {}", path.display()),
                    FileOutcome::Failed => eprintln!(
                        "[{done}/{total}] failed {}: {}",
                        path.display(),
                        failure.map(|f| f.reason.as_str()).unwrap_or("")
                    ),
                }
            }
        }
        ScanEvent::WalkError { message } => {
            if let Some(b) = &bar {
                b.println(format!("warning: {message}"));
            } else {
                eprintln!("warning: {message}");
            }
        }
    };
    let summary = lib.scan(&args.dirs, &opts, &mut on_event)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let failed = summary.failed + summary.failed_unchanged;
        let mut line = format!(
            "scanned {} files: {} analysed, {} linked, {} unchanged, {} failed",
            summary.files, summary.analysed, summary.linked, summary.unchanged, failed
        );
        if summary.missing > 0 {
            line.push_str(&format!(", {} marked missing", summary.missing));
        }
        line.push_str(&format!(" in {:.2} s", summary.seconds));
        if failed > 0 {
            line.push_str(" (see `flowstate failures`)");
        }
        println!("{line}");
    }
    Ok(ExitCode::from(summary.exit_code()))
}

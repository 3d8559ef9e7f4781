//! `flowstate bench <DIR> [--manifest M] --csv OUT`: analyse every file, write the CSV that
//! `shared/eval/score.py` reads, print CPU seconds per audio-minute per stage.

use anyhow::Context;
use flowstate_engine::{analyze_file, hash_file, AnalyzeOptions, StageTimes};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of audio files (recursive).
    pub dir: PathBuf,
    /// Eval manifest: only its files are analysed; paths are relative to the manifest's folder.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Output CSV (relative_path,bpm,key_camelot,key_name,lufs,seconds_taken,error,cpu_seconds,...).
    #[arg(long)]
    pub csv: PathBuf,
    /// Worker threads (default 1: cleanest CPU figures).
    #[arg(long, short = 'j', default_value_t = 1)]
    pub threads: usize,
    /// Decode + loudness + tags + hash only (no DSP analysis).
    #[arg(long)]
    pub no_dsp: bool,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Row {
    rel: String,
    line: String,
    times: Option<StageTimes>,
    audio_s: f64,
    failed: bool,
}

fn manifest_files(m: &Path) -> anyhow::Result<(PathBuf, Vec<String>)> {
    let text = std::fs::read_to_string(m).with_context(|| format!("cannot read {}", m.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", m.display()))?;
    let files = v.get("files").and_then(|f| f.as_array()).context("manifest has no `files` array")?;
    let rels = files.iter().filter_map(|f| f.get("path").and_then(|p| p.as_str()).map(String::from)).collect();
    Ok((m.parent().unwrap_or(Path::new(".")).to_path_buf(), rels))
}

pub fn run(args: Args, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let (root, rels): (PathBuf, Vec<String>) = match &args.manifest {
        Some(m) => {
            let (mroot, rels) = manifest_files(m)?;
            // Files live under the manifest's folder, or under DIR's parent.
            let root = if rels.first().map(|r| mroot.join(r).exists()).unwrap_or(false) {
                mroot
            } else {
                args.dir.parent().unwrap_or(Path::new(".")).to_path_buf()
            };
            (root, rels)
        }
        None => {
            let root = args.dir.parent().unwrap_or(Path::new(".")).to_path_buf();
            let mut rels = Vec::new();
            for e in walkdir_files(&args.dir) {
                if flowstate_audio::is_audio_path(&e) {
                    let rel = e.strip_prefix(&root).unwrap_or(&e).to_string_lossy().to_string();
                    rels.push(rel);
                }
            }
            rels.sort();
            (root, rels)
        }
    };
    let mut opts = AnalyzeOptions::full();
    opts.dsp = !args.no_dsp;
    let pool = rayon_pool(args.threads)?;
    let rows: Vec<Row> = pool.install(|| {
        use rayon::prelude::*;
        rels.par_iter()
            .map(|rel| {
                let path = root.join(rel);
                let wall = std::time::Instant::now();
                let c0 = flowstate_audio::thread_cpu_seconds();
                let h = hash_file(&path);
                let hash_cpu = flowstate_audio::thread_cpu_seconds() - c0;
                let r = h.and_then(|h| analyze_file(&path, Some(&h), &opts)).map(|mut a| {
                    a.times.hash += hash_cpu; // hashed here, outside analyze_file
                    a
                });
                let cpu = flowstate_audio::thread_cpu_seconds() - c0;
                let secs = wall.elapsed().as_secs_f64();
                match r {
                    Ok(a) => {
                        let d = &a.doc;
                        let key = d.camelot();
                        let line = format!(
                            "{},{},{},{},{},{:.4},,{:.4},{:.3}",
                            csv_field(rel),
                            d.bpm.map(|b| format!("{b:.3}")).unwrap_or_default(),
                            key.map(|k| k.camelot()).unwrap_or_default(),
                            csv_field(&key.map(|k| k.classic_long()).unwrap_or_default()),
                            d.integrated_lufs.map(|l| format!("{l:.2}")).unwrap_or_default(),
                            secs,
                            cpu,
                            a.info.duration_s
                        );
                        Row { rel: rel.clone(), line, times: Some(a.times), audio_s: a.info.duration_s, failed: false }
                    }
                    Err(e) => {
                        let line = format!("{},,,,,{:.4},{},{:.4},", csv_field(rel), secs, csv_field(&e.chain()), cpu);
                        Row { rel: rel.clone(), line, times: None, audio_s: 0.0, failed: true }
                    }
                }
            })
            .collect()
    });
    let mut f = std::fs::File::create(&args.csv).with_context(|| format!("cannot write {}", args.csv.display()))?;
    writeln!(f, "relative_path,bpm,key_camelot,key_name,lufs,seconds_taken,error,cpu_seconds,audio_seconds")?;
    let mut total = StageTimes::default();
    let mut audio_s = 0.0;
    let mut failed = 0;
    for r in &rows {
        writeln!(f, "{}", r.line)?;
        if let Some(t) = &r.times {
            total.add(t);
            audio_s += r.audio_s;
        }
        if r.failed {
            failed += 1;
            eprintln!("failed: {}", r.rel);
        }
    }
    let min = (audio_s / 60.0).max(1e-9);
    println!("{} files ({} failed), {:.1} audio-minutes; CPU seconds per audio-minute:", rows.len(), failed, audio_s / 60.0);
    println!("  decode     {:.4}  (demux + decode + down-mix)", total.decode / min);
    println!("  resample   {:.4}", total.resample / min);
    println!("  loudness   {:.4}  (EBU R128 I + LRA + true peak)", total.loudness / min);
    println!("  tags+hash  {:.4}", (total.tags + total.hash) / min);
    println!("  analysis   {:.4}", total.analysis / min);
    println!(
        "  decode+resample+loudness+tags+hash = {:.4}   total = {:.4}",
        (total.decode + total.resample + total.loudness + total.tags + total.hash) / min,
        total.total() / min
    );
    println!("wrote {}", args.csv.display());
    Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
}

fn walkdir_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out
}

fn rayon_pool(n: usize) -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build().context("cannot start the worker pool")
}

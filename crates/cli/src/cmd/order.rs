//! `flowstate order`: re-order an existing playlist for the best flow (compatible tempo and
//! key at every transition, energy following an arc) — the "harmonize" job.

use super::export::{write, Format};
use super::interop_util::interop_track;
use anyhow::{bail, Context};
use flowstate_interop::{m3u, Collection, Playlist};
use flowstate_setplan::{Arc, Planner};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Re-order a playlist (M3U/M3U8 file, a file of track ids, or an imported playlist such as
/// "rekordbox/Gigs/Friday") for the best flow
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playlist
    pub playlist: String,
    /// Energy arc to follow (default warmup-build-peak-release)
    #[arg(long)]
    pub arc: Option<String>,
    /// Beam width of the search
    #[arg(long, default_value_t = 256)]
    pub beam: usize,
    /// Write the result as rekordbox, traktor or m3u8
    #[arg(long)]
    pub export: Option<Format>,
    /// Output file for --export (default: standard output)
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// Track ids of a playlist given as a file or as an imported playlist key.
pub fn playlist_ids(spec: &str, lib: &flowstate_engine::Library) -> anyhow::Result<Vec<String>> {
    let corpus = lib.corpus();
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {spec}"))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut ids = Vec::new();
        for line in m3u::read_paths(&text) {
            let p = if Path::new(&line).is_absolute() { PathBuf::from(&line) } else { base.join(&line) };
            let id = match corpus.get_by_path(&p)? {
                Some(e) => e.doc.track_id,
                None => corpus.resolve(&line).with_context(|| format!("{line}: not in the corpus (scan or import it first)"))?,
            };
            ids.push(id);
        }
        return Ok(ids);
    }
    let key = format!("playlist/{}", spec.trim_start_matches("playlist/"));
    match corpus.meta(&key)? {
        Some(json) => Ok(serde_json::from_str(&json).with_context(|| format!("stored playlist {key} is damaged"))?),
        None => bail!("no playlist {spec:?}: give an M3U/M3U8 file, a file of track ids, or an imported playlist like rekordbox/Folder/Name"),
    }
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let lib = ctx.library()?;
    let ids = playlist_ids(&args.playlist, &lib)?;
    let entries = lib.corpus().all_entries()?;
    let docs: Vec<_> = entries.iter().map(|e| e.doc.clone()).collect();
    let planner = Planner::new(&docs);
    let arc = args.arc.as_deref().map(Arc::parse).transpose()?;
    let before = planner.evaluate(&ids, arc.as_ref())?;
    let plan = planner.order(&ids, arc.as_ref(), args.beam)?;
    if let Some(format) = args.export {
        let mut coll = Collection::default();
        for t in &plan.tracks {
            if let Some(e) = entries.iter().find(|e| e.doc.track_id == t.track_id) {
                if let Some(it) = interop_track(e, None) {
                    coll.tracks.push(it);
                }
            }
        }
        coll.playlists.push(Playlist { folders: vec![], name: "Flowstate order".into(), tracks: (0..coll.tracks.len()).collect() });
        let text = write(&coll, format, "Flowstate order", false, args.out.as_deref());
        match &args.out {
            Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
            None => print!("{text}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({"before": before.metrics, "plan": plan}))?);
        return Ok(ExitCode::SUCCESS);
    }
    super::set::print_plan(&plan);
    println!(
        "\nbefore: {:.0}% compatible transitions, mean |energy - arc| {}; after: {:.0}%, {}",
        100.0 * before.metrics.compatible_share,
        super::set::energy_dev(&before.metrics),
        100.0 * plan.metrics.compatible_share,
        super::set::energy_dev(&plan.metrics)
    );
    Ok(ExitCode::SUCCESS)
}

//! `flowstate set`: plan a whole set from a start track along an energy arc, every
//! transition mixable (tempo ±6 % with half/double time, Camelot ≥ 0.6), no artist repeats in
//! a window, optionally steered by a prompt; export to rekordbox, Traktor or M3U8.

use super::export::{write, Format};
use super::interop_util::interop_track;
use anyhow::Context;
use flowstate_interop::{Collection, Playlist};
use flowstate_setplan::{Arc, PlanOptions, Planner, SetPlan};
use std::path::PathBuf;
use std::process::ExitCode;

/// Plan a set along an energy arc (beam search over mixable transitions)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// First track: id, id prefix, path or title
    #[arg(long)]
    pub start: String,
    /// Set length, e.g. 60m, 90m, 2h, 3600s
    #[arg(long, default_value = "60m")]
    pub length: String,
    /// Energy arc: phases (warmup-build-peak-release, build-peak, …) or energies (4-6-8-6)
    #[arg(long, default_value = "warmup-build-peak-release")]
    pub arc: String,
    /// Steer the pool with a prompt ("no vocals, deep house"); its hard constraints filter
    #[arg(long, allow_hyphen_values = true)]
    pub prompt: Option<String>,
    /// Tracks to include when a mixable path allows (comma-separated)
    #[arg(long)]
    pub include: Option<String>,
    /// Tracks never to use (comma-separated)
    #[arg(long)]
    pub exclude: Option<String>,
    /// No artist repeats within this many tracks
    #[arg(long, default_value_t = 4)]
    pub artist_window: usize,
    /// Beam width (1 = greedy)
    #[arg(long, default_value_t = 96)]
    pub beam: usize,
    /// Write the set as rekordbox, traktor or m3u8
    #[arg(long)]
    pub export: Option<Format>,
    /// Output file for --export (default: standard output)
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// Plan over this JSON/JSONL library instead of the corpus
    #[arg(long, value_name = "FILE")]
    pub library: Option<PathBuf>,
}

pub fn parse_length(s: &str) -> anyhow::Result<f64> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mul) = if let Some(n) = t.strip_suffix("min") {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t.as_str(), 60.0)
    };
    let v: f64 = num.trim().parse().with_context(|| format!("bad length {s:?}: use 60m, 2h or 3600s"))?;
    anyhow::ensure!(v.is_finite() && v > 0.0 && v * mul <= 24.0 * 3600.0, "length {s:?} must be between 1 s and 24 h");
    Ok(v * mul)
}

fn ids(s: &Option<String>) -> Vec<String> {
    s.as_deref().map(|x| x.split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()).unwrap_or_default()
}

/// Mean energy deviation for display, `n/a` when no track has an energy value.
pub fn energy_dev(m: &flowstate_setplan::PlanMetrics) -> String {
    if m.tracks_with_energy == 0 {
        "n/a (no energy values: scan the tracks)".into()
    } else {
        format!("{:.2}", m.mean_abs_energy_dev)
    }
}

pub fn print_plan(plan: &SetPlan) {
    for (i, t) in plan.tracks.iter().enumerate() {
        let name = format!("{} - {}", t.artist.as_deref().unwrap_or("?"), t.title.as_deref().unwrap_or(&t.track_id));
        println!(
            "{:>2}. {:>5.1} min  {:<44}  energy {:<3} (arc {:.1})",
            i + 1,
            t.start_s / 60.0,
            name.chars().take(44).collect::<String>(),
            t.energy.map(|e| format!("{e:.0}")).unwrap_or_else(|| "?".into()),
            t.target_energy
        );
        if let Some(tr) = &t.transition {
            println!("      ↳ {}", tr.explanation);
        }
    }
    println!(
        "\n{} tracks, {:.0} min; {:.0}% of transitions tempo- and key-compatible; mean |energy - arc| {}",
        plan.tracks.len(),
        plan.total_s / 60.0,
        100.0 * plan.metrics.compatible_share,
        energy_dev(&plan.metrics)
    );
    if !plan.unplaced_includes.is_empty() {
        println!("could not place (no mixable path): {}", plan.unplaced_includes.join(", "));
    }
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let (entries, docs) = match &args.library {
        Some(p) => {
            let (docs, warnings) = super::corpus::read_docs(p)?;
            for w in warnings {
                eprintln!("warning: {w}");
            }
            (Vec::new(), docs)
        }
        None => {
            let lib = ctx.library()?;
            let entries = lib.corpus().all_entries()?;
            let docs = entries.iter().map(|e| e.doc.clone()).collect();
            (entries, docs)
        }
    };
    let start = if args.library.is_some() {
        args.start.clone()
    } else {
        ctx.library()?.corpus().resolve(&args.start).with_context(|| format!("no track matches {:?}", args.start))?
    };
    let arc = Arc::parse(&args.arc)?;
    let opts = PlanOptions {
        length_s: parse_length(&args.length)?,
        arc,
        beam_width: args.beam.max(1),
        artist_window: args.artist_window.max(1),
        include: ids(&args.include),
        exclude: ids(&args.exclude),
        ..Default::default()
    };
    let allowed: Vec<bool> = match args.prompt.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => {
            let intent = crate::cmd::intent::parser(false).parse_with(p, &crate::cmd::intent::library_names(&docs));
            if let Some(err) = &intent.error {
                anyhow::bail!("cannot use the prompt: {err}");
            }
            let snapshot = flowstate_rank::Snapshot::build(&docs);
            flowstate_rank::hard_mask(&snapshot, &start, &intent).context("cannot apply the prompt")?
        }
        None => vec![true; docs.len()],
    };
    let planner = Planner::new(&docs);
    let pos: std::collections::HashMap<&str, usize> = docs.iter().enumerate().map(|(i, d)| (d.track_id.as_str(), i)).collect();
    let filter = |d: &flowstate_types::TrackDoc| pos.get(d.track_id.as_str()).is_some_and(|&i| allowed[i]);
    let plan = planner.plan(&start, &opts, &filter)?;
    if let Some(format) = args.export {
        let mut coll = Collection::default();
        for t in &plan.tracks {
            if let Some(it) = entries.iter().find(|e| e.doc.track_id == t.track_id).and_then(|e| interop_track(e, None)) {
                coll.tracks.push(it);
            }
        }
        anyhow::ensure!(!coll.tracks.is_empty(), "the planned tracks have no files to export");
        let name = format!("Flowstate set ({})", args.arc);
        coll.playlists.push(Playlist { folders: vec![], name: name.clone(), tracks: (0..coll.tracks.len()).collect() });
        let text = write(&coll, format, &name, false, args.out.as_deref());
        match &args.out {
            Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
            None => print!("{text}"),
        }
        eprintln!("exported {} of {} planned track(s)", coll.tracks.len(), plan.tracks.len());
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print_plan(&plan);
    }
    Ok(ExitCode::SUCCESS)
}

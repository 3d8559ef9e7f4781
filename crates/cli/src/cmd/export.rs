//! `flowstate export`: write the corpus (or chosen tracks) as a rekordbox XML collection, a
//! Traktor NML collection or an M3U8 playlist.

use super::interop_util::interop_track;
use anyhow::{bail, Context};
use flowstate_corpus::{ListQuery, TrackStatus};
use flowstate_interop::{m3u, rekordbox, traktor, Collection, Playlist};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Rekordbox,
    Traktor,
    M3u8,
}

/// Export tracks with our BPM, grid, key and cues to rekordbox, Traktor or M3U8
#[derive(Debug, clap::Args)]
pub struct Args {
    /// rekordbox (DJ_PLAYLISTS XML), traktor (collection.nml) or m3u8
    pub format: Format,
    /// Output file (default: standard output)
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Only these tracks (ids, id prefixes, paths or titles, comma-separated), in this order
    #[arg(long)]
    pub tracks: Option<String>,
    /// Name of the playlist holding the exported tracks
    #[arg(long, default_value = "Flowstate")]
    pub playlist: String,
    /// M3U8: write paths relative to the output file's folder
    #[arg(long)]
    pub relative: bool,
    /// Override the MP3 grid offset (milliseconds added to MP3 times; default: the priming
    /// our decoder trimmed, see ARCHITECTURE.md "MP3 grid offset")
    #[arg(long, value_name = "MS", allow_hyphen_values = true)]
    pub mp3_offset_ms: Option<f64>,
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let lib = ctx.library()?;
    let corpus = lib.corpus();
    let entries = match &args.tracks {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|q| {
                let id = corpus.resolve(q).with_context(|| format!("no track matches {q:?}"))?;
                corpus.get(&id)?.with_context(|| format!("no track {id}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
        None => corpus
            .list(&ListQuery { status: Some(TrackStatus::Present), limit: None, ..Default::default() })?
            .items,
    };
    let mut coll = Collection::default();
    let mut skipped = 0usize;
    for e in &entries {
        match interop_track(e, args.mp3_offset_ms) {
            Some(t) => coll.tracks.push(t),
            None => skipped += 1,
        }
    }
    if coll.tracks.is_empty() {
        bail!("nothing to export: no track with a file path (scan a folder first)");
    }
    coll.playlists.push(Playlist { folders: vec![], name: args.playlist.clone(), tracks: (0..coll.tracks.len()).collect() });
    let text = write(&coll, args.format, &args.playlist, args.relative, args.out.as_deref());
    match &args.out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
        None => print!("{text}"),
    }
    eprintln!("exported {} track(s){}", coll.tracks.len(), if skipped > 0 { format!(", {skipped} without a file skipped") } else { String::new() });
    if args.format == Format::Rekordbox {
        eprintln!("{}", rekordbox::IMPORT_NOTE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Render `coll` in `format` (M3U8 uses the first playlist).
pub fn write(coll: &Collection, format: Format, name: &str, relative: bool, out: Option<&std::path::Path>) -> String {
    match format {
        Format::Rekordbox => rekordbox::write(coll),
        Format::Traktor => traktor::write(coll),
        Format::M3u8 => {
            let tracks: Vec<_> = coll.tracks.iter().collect();
            let mode = match (relative, out.and_then(|p| std::path::absolute(p).ok()).and_then(|p| p.parent().map(|d| d.to_string_lossy().into_owned()))) {
                (true, Some(dir)) => m3u::PathMode::RelativeTo(dir),
                _ => m3u::PathMode::Absolute,
            };
            m3u::write(name, &tracks, &mode)
        }
    }
}

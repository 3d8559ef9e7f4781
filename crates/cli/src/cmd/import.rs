//! `flowstate import`: read a rekordbox XML or Traktor NML collection to seed or cross-check
//! the corpus. Their BPM/key/grid/cues are kept as another provenance (`external/<app>`
//! artifact); they never silently replace our measurements. Tracks we have not scanned are
//! added as `imported` documents (provenance `import`) so that ranking and set planning can
//! use them until a scan measures them. Playlists are stored by name.

use super::interop_util::playlist_meta_key;
use anyhow::Context;
use flowstate_interop::{grid_offset_for, rekordbox, traktor, Collection, InteropTrack};
use flowstate_types::{FieldSource, TrackDoc};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Import a rekordbox XML or Traktor NML collection (cross-check, seed, playlists)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// rekordbox.xml (DJ_PLAYLISTS) or collection.nml
    pub file: PathBuf,
    /// Only report what would change
    #[arg(long)]
    pub dry_run: bool,
}

fn source_of(text: &str, path: &Path) -> &'static str {
    let head: String = text.chars().take(4096).collect();
    if head.contains("<DJ_PLAYLISTS") {
        "rekordbox"
    } else if head.contains("<NML") || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("nml")) {
        "traktor"
    } else {
        "rekordbox"
    }
}

fn external_json(t: &InteropTrack) -> serde_json::Value {
    serde_json::json!({
        "bpm": t.bpm,
        "key": t.key.map(|k| k.camelot()),
        "grid": t.grid.iter().map(|g| serde_json::json!({"start_s": g.start_s, "bpm": g.bpm, "first_beat_in_bar": g.first_beat_in_bar})).collect::<Vec<_>>(),
        "cues": t.cues.iter().map(|c| serde_json::json!({"kind": c.kind, "time_s": c.time_s, "hot": c.hot, "name": c.name})).collect::<Vec<_>>(),
        "title": t.title, "artist": t.artist, "genre": t.genre,
    })
}

fn seed_doc(t: &InteropTrack, source: &str) -> TrackDoc {
    let id = format!("import-{}", &hex::encode(Sha256::digest(t.location.as_bytes()))[..16]);
    let mut prov = BTreeMap::new();
    let mut doc = TrackDoc {
        codex_schema_version: Some(flowstate_types::CODEX_SCHEMA_VERSION.into()),
        track_id: id,
        title: t.title.clone(),
        artist: t.artist.clone(),
        album: t.album.clone(),
        genre: t.genre.clone(),
        comment: t.comment.clone(),
        year: t.year,
        file_path: Some(t.location.clone()),
        duration_seconds: t.duration_s,
        bit_rate_kbps: t.bit_rate_kbps,
        sample_rate: t.sample_rate,
        bpm: t.bpm,
        key: t.key.map(|k| k.camelot()),
        key_classic: t.key.map(|k| k.classic()),
        key_open: t.key.map(|k| k.open_key()),
        ..Default::default()
    };
    for (f, present) in [("title", doc.title.is_some()), ("artist", doc.artist.is_some()), ("genre", doc.genre.is_some()), ("bpm", doc.bpm.is_some()), ("key", doc.key.is_some())] {
        if present {
            prov.insert(f.to_string(), FieldSource { source: format!("import:{source}"), confidence: None });
        }
    }
    doc.provenance = Some(prov);
    doc
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let meta = std::fs::metadata(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    anyhow::ensure!(meta.len() <= 512 * 1024 * 1024, "{} is larger than 512 MiB", args.file.display());
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let source = source_of(&text, &args.file);
    let mut lib = ctx.library()?;
    // Per-path MP3 offset from what our decoder trimmed, for tracks we know.
    let offsets: std::collections::HashMap<String, f64> = lib
        .corpus()
        .all_entries()?
        .into_iter()
        .filter_map(|e| {
            let d = &e.doc;
            let off = grid_offset_for(d.codec.as_deref(), d.decoder_priming_samples.and_then(|p| u32::try_from(p).ok()), d.sample_rate);
            e.path.map(|p| (p, off))
        })
        .collect();
    let off = |loc: &str| {
        offsets.get(loc).copied().unwrap_or_else(|| if loc.to_ascii_lowercase().ends_with(".mp3") { grid_offset_for(Some("mp3"), None, None) } else { 0.0 })
    };
    let coll: Collection = match source {
        "traktor" => traktor::parse(&text, &off),
        _ => rekordbox::parse(&text, &off),
    }
    .with_context(|| format!("cannot import {} as a {source} collection", args.file.display()))?;

    let (mut matched, mut seeded, mut bpm_agree, mut bpm_n, mut key_agree, mut key_n) = (0, 0, 0, 0, 0, 0);
    let mut ids: Vec<Option<String>> = Vec::with_capacity(coll.tracks.len());
    let corpus = lib.corpus_mut();
    for t in &coll.tracks {
        let existing = corpus.get_by_path(Path::new(&t.location))?;
        match existing {
            Some(e) => {
                matched += 1;
                if let (Some(a), Some(b)) = (e.doc.bpm, t.bpm) {
                    bpm_n += 1;
                    if (a - b).abs() <= 0.1 {
                        bpm_agree += 1;
                    }
                }
                if let (Some(a), Some(b)) = (e.doc.camelot(), t.key) {
                    key_n += 1;
                    if a == b {
                        key_agree += 1;
                    }
                }
                if !args.dry_run {
                    let bytes = serde_json::to_vec(&external_json(t))?;
                    corpus.put_artifact(&e.doc.track_id, &format!("external/{source}"), &bytes)?;
                }
                ids.push(Some(e.doc.track_id.clone()));
            }
            None => {
                let doc = seed_doc(t, source);
                if !args.dry_run {
                    // Never overwrite a document we already hold under the same seeded id.
                    if corpus.get(&doc.track_id)?.is_none() {
                        corpus.upsert_doc(&doc, &format!("import:{source}"))?;
                        seeded += 1;
                    }
                    corpus.put_artifact(&doc.track_id, &format!("external/{source}"), &serde_json::to_vec(&external_json(t))?)?;
                } else {
                    seeded += 1;
                }
                ids.push(Some(doc.track_id));
            }
        }
    }
    let mut lists = 0;
    for p in &coll.playlists {
        let list: Vec<&String> = p.tracks.iter().filter_map(|&i| ids.get(i).and_then(|x| x.as_ref())).collect();
        let key = playlist_meta_key(source, &p.folders, &p.name);
        if !args.dry_run {
            corpus.set_meta(&key, &serde_json::to_string(&list)?)?;
        }
        lists += 1;
        if ctx.verbose > 0 || coll.playlists.len() <= 20 {
            eprintln!("  playlist {} ({} tracks): flowstate order {:?}", p.name, list.len(), key.trim_start_matches("playlist/"));
        }
    }
    println!(
        "{source}: {} track(s), {matched} already in the corpus, {seeded} added as imported, {lists} playlist(s){}",
        coll.tracks.len(),
        if args.dry_run { " (dry run: nothing written)" } else { "" }
    );
    if bpm_n > 0 || key_n > 0 {
        println!("cross-check against our analysis: BPM agrees on {bpm_agree}/{bpm_n}, key agrees on {key_agree}/{key_n} (their values are kept as external/{source}, ours are unchanged)");
    }
    Ok(ExitCode::SUCCESS)
}

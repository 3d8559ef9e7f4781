//! `flowstate next`: prompt-aware next-track ranking with reasons (flowstate-rank), over the
//! corpus or over a JSON library given with `--library`.

use anyhow::Context;
use flowstate_rank::{recommend, Embeddings, RankMode, Request, Snapshot};
use flowstate_types::TrackDoc;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Rank the next tracks for what is playing now (optionally steered by a prompt)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Track playing now: id, unique id prefix, file path or title (default: the last played track)
    #[arg(long)]
    current: Option<String>,
    /// Recently played tracks, comma-separated (default: the last 3 plays of the session)
    #[arg(long, allow_hyphen_values = true)]
    history: Option<String>,
    /// What the DJ wants, in words ("darker but not slower")
    #[arg(long, allow_hyphen_values = true)]
    prompt: Option<String>,
    /// How many tracks to return
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
    /// Rank over this JSON/JSONL library instead of the corpus
    #[arg(long, value_name = "FILE")]
    library: Option<PathBuf>,
    /// Never pad a short list with tracks that fail a filter
    #[arg(long)]
    strict: bool,
    /// Embedding-assisted mode: use the corpus' `intro`/`outro` embeddings of this model
    #[arg(long, value_name = "MODEL")]
    embeddings: Option<String>,
}

fn split_ids(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let mut notes: Vec<String> = Vec::new();
    let (docs, current, history, mode) = match &args.library {
        Some(path) => {
            let (docs, warnings) = super::corpus::read_docs(path)?;
            for w in warnings {
                eprintln!("warning: {w}");
            }
            let current = args.current.clone().context("--current is required with --library")?;
            let history = args.history.as_deref().map(split_ids).unwrap_or_default();
            (docs, current, history, None)
        }
        None => from_corpus(&args, ctx, &mut notes)?,
    };
    let snapshot = Snapshot::build(&docs);
    let intent = match args.prompt.as_deref() {
        Some(p) if !p.trim().is_empty() => crate::cmd::intent::parser(false).parse_with(p, &crate::cmd::intent::library_names(&docs)),
        _ => flowstate_types::Intent::no_op(),
    };
    let mut req = Request::new(current, intent);
    req.history = history;
    req.top = args.top;
    req.relax = !args.strict;
    if let Some(m) = mode {
        req.mode = build_mode(&snapshot, m, &mut notes);
    }
    let rec = recommend(&snapshot, &req)?;
    notes.extend(rec.notes.iter().cloned());

    if args.json {
        let by_id = |id: &str| snapshot.find(id).and_then(|i| docs.get(doc_pos(&docs, id, i)));
        let results: Vec<serde_json::Value> = rec
            .ranked
            .iter()
            .map(|r| {
                let d = by_id(&r.track_id);
                serde_json::json!({
                    "id": r.track_id,
                    "score": r.score,
                    "relaxed": r.relaxed,
                    "explanation": r.explanation,
                    "reasons": r.reasons,
                    "title": d.and_then(|d| d.title.clone()),
                    "artist": d.and_then(|d| d.artist.clone()),
                    "bpm": d.and_then(|d| d.bpm),
                    "key": d.and_then(|d| d.key.clone()),
                    "energy": d.and_then(|d| d.energy),
                })
            })
            .collect();
        let out = serde_json::json!({
            "current": req.current,
            "history": req.history,
            "ranked": rec.ranked.iter().map(|r| r.track_id.as_str()).collect::<Vec<_>>(),
            "results": results,
            "eligible": rec.eligible,
            "goal": rec.goal,
            "key_rule_waived": rec.key_rule_waived,
            "tempo_rule_waived": rec.tempo_rule_waived,
            "intent": req.intent,
            "notes": notes,
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(e) = req.intent.explanation.as_deref().filter(|e| !e.is_empty()) {
        println!("understood: {e}");
    }
    println!("now: {}   history: {}", label(&docs, &snapshot, &req.current), if req.history.is_empty() { "-".into() } else { req.history.join(", ") });
    for (n, r) in rec.ranked.iter().enumerate() {
        println!(
            "{:>2}. {:<40} {:>6.3}{}  {}",
            n + 1,
            label(&docs, &snapshot, &r.track_id),
            r.score,
            if r.relaxed { " (relaxed)" } else { "" },
            r.explanation
        );
    }
    for n in &notes {
        println!("note: {n}");
    }
    if rec.ranked.is_empty() {
        println!("no track to suggest");
    }
    Ok(ExitCode::SUCCESS)
}

/// Position of `id` in `docs` (the snapshot keeps the last document of a repeated id).
fn doc_pos(docs: &[TrackDoc], id: &str, hint: usize) -> usize {
    if docs.get(hint).is_some_and(|d| d.track_id == id) {
        return hint;
    }
    docs.iter().rposition(|d| d.track_id == id).unwrap_or(usize::MAX)
}

fn label(docs: &[TrackDoc], s: &Snapshot, id: &str) -> String {
    let d = s.find(id).and_then(|i| docs.get(doc_pos(docs, id, i)));
    match d.map(|d| (d.artist.as_deref(), d.title.as_deref())) {
        Some((Some(a), Some(t))) => format!("{a} – {t} [{id}]"),
        Some((None, Some(t))) => format!("{t} [{id}]"),
        _ => id.to_string(),
    }
}

/// Stored embeddings of one model: its name, then (track id, vector) for intros and outros.
type StoredEmbeddings = (String, Vec<(String, Vec<f32>)>, Vec<(String, Vec<f32>)>);
type Loaded = (Vec<TrackDoc>, String, Vec<String>, Option<StoredEmbeddings>);

fn from_corpus(args: &Args, ctx: &crate::Ctx, notes: &mut Vec<String>) -> anyhow::Result<Loaded> {
    let corpus = super::corpus::open_corpus(ctx)?;
    let docs: Vec<TrackDoc> = corpus
        .all_entries()?
        .into_iter()
        .filter(|e| e.status != flowstate_corpus::TrackStatus::Missing)
        .map(|e| e.doc)
        .collect();
    let session = super::played::current_session(&corpus)?;
    let plays: Vec<String> = match &session {
        Some(s) => corpus.history(Some(s), 8)?.into_iter().map(|h| h.track_id).collect(),
        None => Vec::new(),
    };
    let current = match &args.current {
        Some(c) => corpus.resolve(c).with_context(|| format!("unknown track {c:?}"))?,
        None => plays.last().cloned().context("no --current given and nothing played yet (see `flowstate played`)")?,
    };
    let history = match args.history.as_deref() {
        Some(h) => split_ids(h).iter().map(|x| corpus.resolve(x).unwrap_or_else(|_| x.clone())).collect(),
        None => {
            let mut h: Vec<String> = plays.iter().filter(|p| **p != current).cloned().collect();
            let skip = h.len().saturating_sub(3);
            h.drain(..skip);
            if !h.is_empty() {
                notes.push(format!("history from the session: {}", h.join(", ")));
            }
            h
        }
    };
    let emb = match &args.embeddings {
        Some(model) => Some((model.clone(), corpus.embeddings("intro", model)?, corpus.embeddings("outro", model)?)),
        None => None,
    };
    Ok((docs, current, history, emb))
}

fn build_mode(s: &Snapshot, (model, intro, outro): StoredEmbeddings, notes: &mut Vec<String>) -> RankMode {
    let Some(dim) = intro.first().map(|(_, v)| v.len()) else {
        notes.push(format!("no intro embeddings for model {model}: feature-only ranking"));
        return RankMode::FeatureOnly;
    };
    let outro: std::collections::HashMap<String, Vec<f32>> = outro.into_iter().collect();
    let mut e = Embeddings::new(s, dim);
    for (id, v) in &intro {
        if let Some(o) = outro.get(id) {
            e.set(s, id, v, o);
        }
    }
    if e.count() == 0 {
        notes.push(format!("no usable intro+outro embeddings for model {model}: feature-only ranking"));
        return RankMode::FeatureOnly;
    }
    RankMode::EmbeddingAssisted(Arc::new(e))
}

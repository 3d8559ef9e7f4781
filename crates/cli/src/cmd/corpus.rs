//! `flowstate corpus import|export`: the CODEX corpus exchange format (flat track documents with
//! the schema's field names; `library.json` of the intent benchmark imports as is).

use anyhow::{bail, Context};
use flowstate_types::TrackDoc;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Import or export track documents (CODEX v1.1 flat JSON / JSONL)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Import documents from a JSON list (or {"tracks": [...]}) or JSONL file into the corpus
    Import {
        /// FILE.json or FILE.jsonl
        file: PathBuf,
        /// Source recorded for the imported documents
        #[arg(long, default_value = "import")]
        source: String,
    },
    /// Export every document of the corpus (JSON list by default)
    Export {
        /// Output file (default: standard output)
        #[arg(long)]
        out: Option<PathBuf>,
        /// One document per line instead of a JSON list
        #[arg(long)]
        jsonl: bool,
    },
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    match args.cmd {
        Sub::Import { file, source } => import(&file, &source, ctx),
        Sub::Export { out, jsonl } => export(out.as_deref(), jsonl, ctx),
    }
}

/// Opens the corpus database at `--db` (creating it and its folder if needed).
pub fn open_corpus(ctx: &crate::Ctx) -> anyhow::Result<flowstate_corpus::Corpus> {
    if let Some(dir) = ctx.db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    flowstate_corpus::Corpus::open(&ctx.db_path)
        .with_context(|| format!("cannot open the corpus at {}", ctx.db_path.display()))
}

/// Reads track documents from JSON (a list, or an object with a `tracks` list) or JSONL.
/// Returns the documents and one warning per skipped item.
pub fn read_docs(path: &Path) -> anyhow::Result<(Vec<TrackDoc>, Vec<String>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = std::str::from_utf8(&bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    // fast path: a JSON list of well-formed documents
    if trimmed.starts_with('[') {
        if let Ok(docs) = serde_json::from_str::<Vec<TrackDoc>>(trimmed) {
            return Ok(check_ids(docs));
        }
    }
    let mut warnings = Vec::new();
    let items: Vec<serde_json::Value> = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(serde_json::Value::Array(a)) => a,
            Ok(serde_json::Value::Object(mut o)) => match o.remove("tracks") {
                Some(serde_json::Value::Array(a)) => a,
                _ => vec![serde_json::Value::Object(o)],
            },
            Ok(_) => bail!("{}: expected a JSON list of track documents", path.display()),
            Err(e) if trimmed.starts_with('[') => {
                bail!("{}: not valid JSON: {e}", path.display())
            }
            Err(_) => parse_lines(trimmed, &mut warnings),
        }
    } else {
        parse_lines(trimmed, &mut warnings)
    };
    let mut docs = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        match serde_json::from_value::<TrackDoc>(v) {
            Ok(d) => docs.push(d),
            Err(e) => warnings.push(format!("item {}: not a track document: {e}", i + 1)),
        }
    }
    let (docs, mut w2) = check_ids(docs);
    warnings.append(&mut w2);
    Ok((docs, warnings))
}

fn parse_lines(text: &str, warnings: &mut Vec<String>) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        match serde_json::from_str(l) {
            Ok(v) => out.push(v),
            Err(e) => warnings.push(format!("line {}: not JSON: {e}", n + 1)),
        }
    }
    out
}

fn check_ids(docs: Vec<TrackDoc>) -> (Vec<TrackDoc>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out = Vec::with_capacity(docs.len());
    for (i, d) in docs.into_iter().enumerate() {
        if d.track_id.trim().is_empty() {
            warnings.push(format!("item {}: no track_id/id: skipped", i + 1));
        } else {
            out.push(d);
        }
    }
    (out, warnings)
}

fn import(file: &Path, source: &str, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let (docs, warnings) = read_docs(file)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut corpus = open_corpus(ctx)?;
    let mut failed = 0usize;
    for d in &docs {
        if let Err(e) = corpus.upsert_doc(d, source) {
            failed += 1;
            eprintln!("warning: {}: {e}", d.track_id);
        }
    }
    let ok = docs.len() - failed;
    eprintln!("imported {ok} track document{} from {} into {}", if ok == 1 { "" } else { "s" }, file.display(), ctx.db_path.display());
    Ok(if failed > 0 || !warnings.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn export(out: Option<&Path>, jsonl: bool, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let corpus = open_corpus(ctx)?;
    let docs = corpus.all_docs()?;
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if jsonl {
        for d in &docs {
            serde_json::to_writer(&mut w, d)?;
            writeln!(w)?;
        }
    } else {
        serde_json::to_writer_pretty(&mut w, &docs)?;
        writeln!(w)?;
    }
    w.flush()?;
    if let Some(p) = out {
        eprintln!("exported {} track documents to {}", docs.len(), p.display());
    }
    Ok(ExitCode::SUCCESS)
}

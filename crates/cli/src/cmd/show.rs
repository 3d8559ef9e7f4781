//! `flowstate show <id|id-prefix|path|title> [--json]`: one track as a CODEX v1.1 document.

use anyhow::Context;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Track id, unique id prefix (>= 4 characters), file path, or title ("artist - title").
    pub track: String,
    /// Print the full CODEX v1.1 document as JSON (every field, null when not computed).
    #[arg(long)]
    pub json: bool,
}

/// Every field of the document, `null` when not computed.
pub fn full_json(doc: &flowstate_types::TrackDoc) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(doc)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("codex_schema_version".into(), flowstate_types::CODEX_SCHEMA_VERSION.into());
    }
    Ok(v)
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let lib = ctx.library()?;
    let id = lib.corpus().resolve(&args.track)?;
    let e = lib.corpus().get(&id)?.with_context(|| format!("track {id} vanished"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&full_json(&e.doc)?)?);
        return Ok(ExitCode::SUCCESS);
    }
    let v = full_json(&e.doc)?;
    println!("status: {}   analysis: {}", e.status.as_str(), e.analysis_version.as_deref().unwrap_or("-"));
    if let Some(o) = v.as_object() {
        for (k, val) in o {
            if val.is_null() || matches!(k.as_str(), "provenance" | "beat_grid" | "sections" | "cues" | "external") {
                continue;
            }
            let s = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("{k:>20}: {}", if s.len() > 200 { format!("{}…", &s[..s.char_indices().nth(200).map(|c| c.0).unwrap_or(s.len())]) } else { s });
        }
    }
    if let Some(secs) = &e.doc.sections {
        println!("{:>20}: {}", "sections", secs.iter().map(|s| format!("{}@{:.1}", s.label, s.start_s)).collect::<Vec<_>>().join(" "));
    }
    if let Some(cues) = &e.doc.cues {
        println!("{:>20}: {}", "cues", cues.iter().map(|c| format!("{:?}@{:.1}", c.kind, c.time_s)).collect::<Vec<_>>().join(" "));
    }
    if let Some(m) = e.doc.external.as_ref().and_then(|x| x.get("flowstate_measured")) {
        println!("{:>20}: {m}", "measured (edited)");
    }
    Ok(ExitCode::SUCCESS)
}

//! `flowstate fix <track> bpm x2|/2|x3/2|x2/3|=<bpm>`, `fix <track> key <8A|Am|...>`,
//! `fix <track> --grid-offset <ms>`. User overrides survive rescans; the measured value is kept.

use anyhow::{bail, Context};
use flowstate_corpus::GRID_OFFSET_FIELD;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Track id, id prefix, path or title.
    pub track: String,
    /// `bpm` or `key` (or omit with --grid-offset / --clear).
    pub field: Option<String>,
    /// bpm: x2, /2, x3/2, x2/3, =<bpm>, <bpm>; key: any notation (8A, Am, A minor, 1m).
    #[arg(allow_hyphen_values = true)]
    pub value: Option<String>,
    /// Shift the beat grid by this many milliseconds (positive = later).
    #[arg(long, allow_hyphen_values = true, value_name = "MS")]
    pub grid_offset: Option<f64>,
    /// Remove the override of FIELD (bpm, key, grid_offset_ms) and show the measured value again.
    #[arg(long)]
    pub clear: bool,
}

fn parse_bpm_change(v: &str, measured: Option<f64>) -> anyhow::Result<f64> {
    let v = v.trim();
    let ratio = |r: f64| -> anyhow::Result<f64> {
        let m = measured.context("the track has no measured BPM to scale; give an absolute value (=128)")?;
        Ok(m * r)
    };
    let bpm = match v {
        "x2" | "*2" => ratio(2.0)?,
        "/2" => ratio(0.5)?,
        "x3/2" | "*3/2" => ratio(1.5)?,
        "x2/3" | "*2/3" => ratio(2.0 / 3.0)?,
        _ => v.trim_start_matches('=').parse::<f64>().with_context(|| format!("invalid bpm change {v:?} (use x2, /2, x3/2, x2/3 or =<bpm>)"))?,
    };
    if !(20.0..=400.0).contains(&bpm) {
        bail!("bpm {bpm:.2} is out of range (20–400)");
    }
    Ok((bpm * 1000.0).round() / 1000.0)
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let mut lib = ctx.library()?;
    let id = lib.corpus().resolve(&args.track)?;
    let measured = lib.corpus().measured_doc(&id)?.context("track vanished")?;
    if args.clear {
        let field = match args.field.as_deref() {
            Some("grid" | "grid-offset" | "grid_offset_ms") => GRID_OFFSET_FIELD,
            Some(f) => f,
            None => bail!("--clear needs a FIELD (bpm, key, grid_offset_ms)"),
        };
        let removed = lib.corpus_mut().clear_override(&id, field)?;
        println!("{} override of {field} for {id}", if removed { "removed" } else { "there was no" });
        return Ok(ExitCode::SUCCESS);
    }
    let mut did = false;
    if let Some(ms) = args.grid_offset {
        if !ms.is_finite() || ms.abs() > 10_000.0 {
            bail!("grid offset {ms} ms is out of range (±10000)");
        }
        lib.corpus_mut().set_override(&id, GRID_OFFSET_FIELD, &serde_json::json!(ms))?;
        println!("grid of {id} shifted by {ms} ms");
        did = true;
    }
    match (args.field.as_deref(), args.value.as_deref()) {
        (Some("bpm"), Some(v)) => {
            let bpm = parse_bpm_change(v, measured.bpm)?;
            lib.corpus_mut().set_override(&id, "bpm", &serde_json::json!(bpm))?;
            println!("bpm of {id}: {} (measured {})", bpm, measured.bpm.map(|b| format!("{b:.2}")).unwrap_or_else(|| "-".into()));
        }
        (Some("key"), Some(v)) => {
            let k: flowstate_types::CamelotKey = v.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            lib.corpus_mut().set_override(&id, "key", &serde_json::json!(k.camelot()))?;
            println!("key of {id}: {} ({}) (measured {})", k.camelot(), k.classic(), measured.key.as_deref().unwrap_or("-"));
        }
        (Some(f), None) => bail!("missing value for {f}"),
        (Some(f), Some(_)) => bail!("unknown field {f:?} (fix supports bpm, key, --grid-offset)"),
        (None, _) if !did => bail!("nothing to fix: give `bpm <change>`, `key <key>` or --grid-offset <ms>"),
        (None, _) => {}
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_bpm_change;

    #[test]
    fn bpm_changes() {
        assert_eq!(parse_bpm_change("x2", Some(64.0)).ok(), Some(128.0));
        assert_eq!(parse_bpm_change("/2", Some(174.0)).ok(), Some(87.0));
        assert_eq!(parse_bpm_change("x3/2", Some(100.0)).ok(), Some(150.0));
        assert_eq!(parse_bpm_change("=126.5", None).ok(), Some(126.5));
        assert!(parse_bpm_change("x2", None).is_err());
        assert!(parse_bpm_change("=1000", None).is_err());
        assert!(parse_bpm_change("fast", Some(120.0)).is_err());
    }
}

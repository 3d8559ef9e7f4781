//! `flowstate tracks [--json]`: the corpus as a table.

use flowstate_engine::{ListQuery, TrackStatus};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON array of CODEX documents instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Case-insensitive filter on title, artist, genre or path.
    #[arg(long)]
    pub filter: Option<String>,
    /// Include missing tracks (files that vanished).
    #[arg(long)]
    pub all: bool,
    /// At most this many rows (0 = all).
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let lib = ctx.library()?;
    let q = ListQuery { text: args.filter.clone(), limit: Some(args.limit), ..Default::default() };
    let page = lib.corpus().list(&q)?;
    let items: Vec<_> = page.items.into_iter().filter(|e| args.all || e.status != TrackStatus::Missing).collect();
    if args.json {
        let docs: Vec<_> = items.iter().map(|e| &e.doc).collect();
        println!("{}", serde_json::to_string_pretty(&docs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        println!("no tracks yet (run `flowstate scan <DIR>`)");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:<10} {:<22} {:<28} {:>6} {:>4} {:>3} {:>6} {:>6}  STATUS", "ID", "ARTIST", "TITLE", "BPM", "KEY", "EN", "LUFS", "LEN");
    for e in &items {
        let d = &e.doc;
        let len = d.duration_seconds.map(|s| format!("{}:{:02}", (s / 60.0) as u64, (s % 60.0) as u64)).unwrap_or_else(|| "-".into());
        println!(
            "{:<10} {:<22} {:<28} {:>6} {:>4} {:>3} {:>6} {:>6}  {}{}",
            trunc(&d.track_id, 10),
            trunc(d.artist.as_deref().unwrap_or("-"), 22),
            trunc(d.title.as_deref().unwrap_or("-"), 28),
            d.bpm.map(|b| format!("{b:.1}")).unwrap_or_else(|| "-".into()),
            d.key.as_deref().unwrap_or("-"),
            d.energy.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            d.integrated_lufs.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into()),
            len,
            e.status.as_str(),
            if e.has_overrides { " (edited)" } else { "" },
        );
    }
    println!("{} track{}", items.len(), if items.len() == 1 { "" } else { "s" });
    Ok(ExitCode::SUCCESS)
}

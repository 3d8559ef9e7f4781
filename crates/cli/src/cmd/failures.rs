//! `flowstate failures [--json]`: files that could not be scanned, with reasons.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let lib = ctx.library()?;
    let f = lib.corpus().failures()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&f)?);
        return Ok(ExitCode::SUCCESS);
    }
    if f.is_empty() {
        println!("no failures");
        return Ok(ExitCode::SUCCESS);
    }
    for x in &f {
        println!("{}\n    [{} at {}] {}", x.path.display(), x.kind, x.stage, x.reason);
    }
    println!("{} failed file{}", f.len(), if f.len() == 1 { "" } else { "s" });
    Ok(ExitCode::SUCCESS)
}

//! The `flowstate` binary: a thin clap front end over `flowstate-engine`.
//!
//! Layout: one module per command in `src/cmd/<name>.rs`, each exposing
//! `pub struct Args` (clap `Args`) and `pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<ExitCode>`.
//! To add a command, create the module and add ONE line to the `commands!` list in
//! `src/cmd/mod.rs`. Nothing else in this file needs to change.
//!
//! Exit codes: 0 ok, 1 finished but some items failed, 2 fatal error or usage error.

mod cmd;
mod ctx;
mod ml_hook;

use clap::Parser;
use std::process::ExitCode;

pub use ctx::Ctx;

/// Flowstate: a local-first DJ assistant.
#[derive(Debug, Parser)]
#[command(name = "flowstate", version, about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: ctx::GlobalArgs,
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let ctx = Ctx::from_args(cli.global);
    ctx.print_locations();
    match cli.command.run(&ctx) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

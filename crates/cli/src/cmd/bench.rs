use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}

//! `flowstate played <track>`: appends a play to the session history in the corpus; `next`
//! without `--history` uses the last plays. History lives in the database, so it survives
//! restarts.

use anyhow::Context;
use std::process::ExitCode;

/// Record that a track was played (session history used by `next`)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Track id, unique id prefix, file path or title
    track: String,
    /// Session name (default: the most recent session, or a new one)
    #[arg(long)]
    session: Option<String>,
    /// Start a new session with this play
    #[arg(long)]
    new_session: bool,
}

/// The session `next` and `played` use by default: the most recent one.
pub fn current_session(corpus: &flowstate_corpus::Corpus) -> anyhow::Result<Option<String>> {
    Ok(corpus.last_session()?)
}

pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let mut corpus = super::corpus::open_corpus(ctx)?;
    let id = corpus.resolve(&args.track).with_context(|| format!("unknown track {:?}", args.track))?;
    let session = match (args.session, args.new_session) {
        (Some(s), _) => s,
        (None, false) => match current_session(&corpus)? {
            Some(s) => s,
            None => new_session_id(),
        },
        (None, true) => new_session_id(),
    };
    corpus.append_history(&session, &id, None)?;
    let n = corpus.history(Some(&session), 0)?.len();
    println!("played {id} (session {session}, {n} play{})", if n == 1 { "" } else { "s" });
    Ok(ExitCode::SUCCESS)
}

fn new_session_id() -> String {
    format!("s{}", flowstate_corpus::now_unix())
}

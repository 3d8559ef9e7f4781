//! `flowstate intent`: what a prompt means, as the constraint language (issue 7).
//!
//! Exit codes: 0 when the prompt was parsed (status ok, no_op or ambiguous). For an unusable
//! prompt (status error): with `--json` the JSON on stdout carries `"status":"error"` and the
//! message, and the exit code is still 0 (the output is the answer); without `--json` the
//! message goes to stderr and the exit code is 2. Reading the prompt itself failing is 2.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use flowstate_intent::{IntentStatus, Names, Parser};

/// Parse a DJ prompt into a structured intent (constraint language)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The prompt, e.g. "darker but not slower". `-` or nothing (with piped stdin) reads stdin
    #[arg(allow_hyphen_values = true, num_args = 0.., trailing_var_arg = true)]
    prompt: Vec<String>,
    /// Read the prompt from this UTF-8 file
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    file: Option<PathBuf>,
    /// Print the intent as JSON (exactly the constraint language)
    #[arg(long)]
    json: bool,
    /// Never use the sentence encoder for phrasings the rules do not know
    #[arg(long)]
    no_encoder: bool,
    /// Recognise the artists of this JSON/JSONL library in the prompt without "by" ("not
    /// Peggy Gou again"), as `next` and `set` do with their library
    #[arg(long, value_name = "FILE")]
    library: Option<PathBuf>,
}

/// The parser the CLI uses: with the semantic fallback when the encoder files exist.
pub fn parser(no_encoder: bool) -> Parser {
    flowstate_ml::prompt_parser(&flowstate_ml::models_dir(), !no_encoder)
}

/// The artists of a library, for prompts that name them without "by".
pub fn library_names(docs: &[flowstate_types::TrackDoc]) -> Names {
    Names::new(docs.iter().filter_map(|d| d.artist.as_deref()))
}

const MAX_INPUT_BYTES: u64 = 64 * 1024;

fn read_limited(r: impl Read, what: &str) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT_BYTES).read_to_end(&mut buf).with_context(|| format!("cannot read {what}"))?;
    // invalid UTF-8 is replaced, the parser then judges the text
    Ok(String::from_utf8_lossy(&buf).trim_end_matches(['\n', '\r']).to_string())
}

fn read_prompt(args: &Args) -> anyhow::Result<String> {
    if let Some(f) = &args.file {
        let file = std::fs::File::open(f).with_context(|| format!("cannot open {}", Path::new(f).display()))?;
        return read_limited(file, &f.display().to_string());
    }
    let stdin_wanted = args.prompt.is_empty() || (args.prompt.len() == 1 && args.prompt[0] == "-");
    if stdin_wanted {
        if args.prompt.is_empty() && std::io::stdin().is_terminal() {
            anyhow::bail!("no prompt: pass it as an argument, with --file, or on stdin");
        }
        return read_limited(std::io::stdin().lock(), "stdin");
    }
    Ok(args.prompt.join(" "))
}

pub fn run(args: Args, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let prompt = read_prompt(&args)?;
    let names = match &args.library {
        Some(path) => {
            let (docs, warnings) = super::corpus::read_docs(path)?;
            for w in warnings {
                eprintln!("warning: {w}");
            }
            library_names(&docs)
        }
        None => Names::default(),
    };
    let intent = parser(args.no_encoder).parse_with(&prompt, &names);
    if args.json {
        println!("{}", serde_json::to_string(&intent).context("cannot serialise the intent")?);
        return Ok(ExitCode::SUCCESS);
    }
    let explanation = intent.explanation.clone().unwrap_or_default();
    match intent.status {
        IntentStatus::Error => {
            eprintln!("error: {}", intent.error.as_deref().unwrap_or("unusable prompt"));
            eprintln!("hint: describe the next track in words, e.g. \"darker, 124-128, no vocals\"");
            Ok(ExitCode::from(2))
        }
        _ => {
            println!("{explanation}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

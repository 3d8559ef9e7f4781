//! Command registry. To add a command `foo`:
//! 1. write `src/cmd/foo.rs` with `pub struct Args` (derive `clap::Args`, its doc comment is
//!    the help text) and `pub fn run(args: Args, ctx: &crate::Ctx) -> anyhow::Result<ExitCode>`;
//! 2. add one line `Foo => foo,` to the list below (with a `///` doc line for `--help`).

use std::process::ExitCode;

pub mod interop_util;

macro_rules! commands {
    ($( $(#[$meta:meta])* $variant:ident => $module:ident, )*) => {
        $( pub mod $module; )*

        #[derive(Debug, clap::Subcommand)]
        pub enum Command {
            $( $(#[$meta])* $variant($module::Args), )*
        }

        impl Command {
            pub fn run(self, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
                match self {
                    $( Command::$variant(args) => $module::run(args, ctx), )*
                }
            }
        }
    };
}

commands! {
    /// Scan music folders into the corpus (incremental)
    Scan => scan,
    /// List the tracks in the corpus
    Tracks => tracks,
    /// Show one track as a CODEX v1.1 document
    Show => show,
    /// Analyse one file without touching the corpus
    Analyze => analyze,
    /// List files that failed to scan, with reasons
    Failures => failures,
    /// Correct a track's BPM, key or grid offset (kept across rescans)
    Fix => fix,
    /// Analyse every file of a folder and write a benchmark CSV
    Bench => bench,
    // ── other engineers register their commands below this line ──
    /// Rank the next tracks for what is playing now (prompt-aware, with reasons)
    Next => next,
    /// Record that a track was played (session history for `next`)
    Played => played,
    /// Import or export track documents (CODEX corpus exchange format)
    Corpus => corpus,
    /// Install or list the pretrained models (music tagger, text encoder)
    Models => models,
    /// Parse a DJ prompt into a structured intent (`--json`: the constraint language)
    Intent => intent,
    /// Serve the web UI and the HTTP API on 127.0.0.1 (`--open` opens a browser)
    Serve => serve,
    /// Export tracks (BPM, grid, key, cues) to rekordbox XML, Traktor NML or M3U8
    Export => export,
    /// Import a rekordbox XML or Traktor NML collection (cross-check, seed, playlists)
    Import => import,
    /// Plan a whole set along an energy arc, every transition mixable
    Set => set,
    /// Re-order a playlist for the best harmonic/energy flow
    Order => order,
}

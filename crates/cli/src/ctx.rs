//! Global options and the per-invocation context every command receives.

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Corpus database (default: ~/.local/share/flowstate/library.db).
    #[arg(long, global = true, env = "FLOWSTATE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Verbose: print where things live (database, data dir) and more detail.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// What every command gets: validated global options.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub db_path: PathBuf,
    pub data_dir: PathBuf,
    pub verbose: u8,
}

impl Ctx {
    pub fn from_args(g: GlobalArgs) -> Self {
        let data_dir = default_data_dir();
        let db_path = g.db.unwrap_or_else(|| data_dir.join("library.db"));
        Ctx {
            db_path,
            data_dir,
            verbose: g.verbose,
        }
    }

    /// With `-v`, say where things live (on stderr so `--json` output stays clean).
    pub fn print_locations(&self) {
        if self.verbose > 0 {
            eprintln!("database: {}", self.db_path.display());
            eprintln!("data dir: {}", self.data_dir.display());
        }
    }

    /// Opens (creating if needed) the library at `--db`.
    pub fn library(&self) -> anyhow::Result<flowstate_engine::Library> {
        use anyhow::Context;
        flowstate_engine::Library::open(&self.db_path)
            .with_context(|| format!("cannot open the corpus at {}", self.db_path.display()))
    }
}

/// `~/.local/share/flowstate` (XDG data dir), falling back to `./.flowstate`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("flowstate"))
        .unwrap_or_else(|| PathBuf::from(".flowstate"))
}

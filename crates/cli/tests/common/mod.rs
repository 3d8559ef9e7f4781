//! Shared helpers of the end-to-end tests: run the real binary against a database.

use std::path::Path;
use std::process::Command;

/// Runs `flowstate --db DB ARGS…`; returns (exit code, stdout, stderr).
pub fn flowstate(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flowstate"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run flowstate: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

//! End-to-end tests of the real `flowstate` binary over the committed fixtures
//! (tests/fixtures, made by scripts/make-fixtures.sh) in temp dirs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_flowstate"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("FLOWSTATE_DB", db)
        .env_remove("FLOWSTATE_MODELS_DIR")
        .output()
        .unwrap_or_else(|e| panic!("cannot run flowstate: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Copies the fixtures (good + broken) into `dir`.
fn copy_fixtures(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir(fixtures()).unwrap_or_else(|e| panic!("{e}")) {
        let e = e.unwrap_or_else(|e| panic!("{e}"));
        if e.path().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn tracks_json(db: &Path, all: bool) -> Vec<serde_json::Value> {
    let mut args = vec!["tracks", "--json"];
    if all {
        args.push("--all");
    }
    let o = run(db, &args);
    assert!(
        o.status.success(),
        "tracks failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad json: {e}"))
}

fn good_fixture_count() -> usize {
    std::fs::read_dir(fixtures())
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    !n.starts_with("broken-")
                        && !n.starts_with("unsupported-")
                        && flowstate_audio::is_audio_path(&e.path())
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn scan_rescan_move_missing_and_failures() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lib = tmp.path().join("music");
    copy_fixtures(&lib);
    let db = tmp.path().join("db/library.db");
    let good = good_fixture_count();
    assert!(good >= 5, "expected fixtures in {}", fixtures().display());

    // First scan: broken files make the exit code 1, the good ones are analysed.
    let o = run(&db, &["scan", lib.to_str().unwrap_or_default()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout(&o).contains(&format!("{good} analysed")),
        "{}",
        stdout(&o)
    );
    let docs = tracks_json(&db, false);
    assert_eq!(docs.len(), good);
    for d in &docs {
        assert_eq!(d["codex_schema_version"], "1.1");
        assert!(d["track_id"]
            .as_str()
            .map(|s| s.len() == 64)
            .unwrap_or(false));
        assert!(d["integrated_lufs"].is_number(), "no loudness in {d}");
        assert!(d["duration_seconds"].as_f64().unwrap_or(0.0) > 2.0);
    }
    // Tags and file-name fallback.
    assert!(docs.iter().any(|d| d["title"] == "Click Flac"
        && d["artist"] == "Fixture Band"
        && d["genre"] == "Techno"));
    assert!(docs
        .iter()
        .any(|d| d["title"] == "Name Title" && d["artist"] == "Name Artist"));

    // Every broken file is listed with a reason.
    let o = run(&db, &["failures", "--json"]);
    let fails: Vec<serde_json::Value> =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let kind_of = |name: &str| {
        fails
            .iter()
            .find(|f| {
                f["path"]
                    .as_str()
                    .map(|p| p.ends_with(name))
                    .unwrap_or(false)
            })
            .map(|f| f["kind"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(kind_of("broken-zero.mp3").as_deref(), Some("empty"));
    assert_eq!(kind_of("broken-text.flac").as_deref(), Some("not_audio"));
    assert_eq!(kind_of("broken-short.wav").as_deref(), Some("too_short"));
    assert_eq!(kind_of("broken-truncated.flac").as_deref(), Some("corrupt"));
    assert!(
        kind_of("broken-random.mp3").is_some(),
        "random bytes must fail: {fails:?}"
    );
    if lib.join("unsupported-opus.opus").exists() {
        assert_eq!(
            kind_of("unsupported-opus.opus").as_deref(),
            Some("unsupported")
        );
    }

    // Rescan: nothing re-analysed.
    let o = run(&db, &["scan", lib.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(
        s.contains("0 analysed") && s.contains(&format!("{good} unchanged")),
        "{s}"
    );

    // Move + rename a file: recognised by hash, not re-analysed, same id.
    let id_before = docs
        .iter()
        .find(|d| d["title"] == "Click Ogg")
        .map(|d| d["track_id"].clone());
    std::fs::create_dir_all(lib.join("sub")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(lib.join("click-ogg.ogg"), lib.join("sub/renamed.ogg"))
        .unwrap_or_else(|e| panic!("{e}"));
    // Delete another: marked missing, data kept.
    std::fs::remove_file(lib.join("click-wav.wav")).unwrap_or_else(|e| panic!("{e}"));
    let o = run(&db, &["scan", lib.to_str().unwrap_or_default(), "--json"]);
    let sum: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(sum["analysed"], 0, "{sum}");
    assert_eq!(sum["linked"], 1, "{sum}");
    assert_eq!(sum["missing"], 1, "{sum}");
    let all = tracks_json(&db, true);
    assert_eq!(all.len(), good, "data of the missing track is kept");
    let moved = all
        .iter()
        .find(|d| d["title"] == "Click Ogg")
        .unwrap_or_else(|| panic!("moved track lost"));
    assert_eq!(Some(moved["track_id"].clone()), id_before);
    assert!(
        moved["file_path"]
            .as_str()
            .map(|p| p.ends_with("sub/renamed.ogg"))
            .unwrap_or(false),
        "{moved}"
    );
    assert_eq!(tracks_json(&db, false).len(), good - 1);

    // show by id prefix and by path; both give the full document with nulls.
    let id = moved["track_id"].as_str().unwrap_or_default().to_string();
    let o = run(&db, &["show", &id[..8], "--json"]);
    assert!(o.status.success());
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d["track_id"], id.as_str());
    assert!(d
        .as_object()
        .map(|m| ["similar_artists", "description", "audio_fidelity"]
            .iter()
            .all(|k| m.contains_key(*k) && m[*k].is_null()))
        .unwrap_or(false));
    let p = lib.join("sub/renamed.ogg");
    let o = run(&db, &["show", p.to_str().unwrap_or_default(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Unknown track: fatal exit 2 with a message.
    let o = run(&db, &["show", "zzzzzzzz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no track matches"));
}

#[test]
fn fix_overrides_survive_rescan() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lib = tmp.path().join("music");
    std::fs::create_dir_all(&lib).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(fixtures().join("click-flac.flac"), lib.join("a.flac"))
        .unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("library.db");
    assert_eq!(
        run(&db, &["scan", lib.to_str().unwrap_or_default()])
            .status
            .code(),
        Some(0)
    );
    let d = &tracks_json(&db, false)[0];
    let id = d["track_id"].as_str().unwrap_or_default().to_string();
    let measured_key = d["key"].clone();

    let o = run(&db, &["fix", &id[..10], "bpm", "=87.5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&db, &["fix", &id[..10], "key", "F# minor"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&db, &["fix", &id[..10], "--grid-offset", "-15"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Invalid input is a usage error, not a crash.
    assert_eq!(
        run(&db, &["fix", &id[..10], "key", "H minor"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&db, &["fix", &id[..10], "bpm", "fast"]).status.code(),
        Some(2)
    );

    // Forced rescan re-analyses but keeps the overrides, and both values are visible.
    assert_eq!(
        run(&db, &["scan", "--force", lib.to_str().unwrap_or_default()])
            .status
            .code(),
        Some(0)
    );
    let o = run(&db, &["show", &id, "--json"]);
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d["bpm"], 87.5);
    assert_eq!(d["key"], "11A");
    assert_eq!(d["provenance"]["bpm"]["source"], "user");
    assert_eq!(d["external"]["flowstate_measured"]["key"], measured_key);
    assert!(d["external"]["flowstate_measured"]
        .get("grid_offset_ms")
        .is_some());
}

#[test]
fn analyze_one_file_without_corpus() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("never-created.db");
    let o = run(
        &db,
        &[
            "analyze",
            fixtures()
                .join("click-mp3.mp3")
                .to_str()
                .unwrap_or_default(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d["codex_schema_version"], "1.1");
    assert_eq!(d["codec"], "mp3");
    assert_eq!(d["tag_bpm"], 120.0);
    assert!(!db.exists(), "analyze must not touch the corpus");
    let o = run(
        &db,
        &[
            "analyze",
            fixtures()
                .join("broken-zero.mp3")
                .to_str()
                .unwrap_or_default(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("l.db");
    assert_eq!(run(&db, &["scan"]).status.code(), Some(2));
    assert_eq!(run(&db, &["no-such-command"]).status.code(), Some(2));
    assert_eq!(
        run(&db, &["scan", "/definitely/not/here"]).status.code(),
        Some(2)
    );
    let o = run(&db, &["-v", "failures"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("database:"));
}

/// SIGKILL in the middle of a scan leaves a consistent corpus; the next scan finishes it.
#[test]
fn kill_mid_scan_then_resume() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lib = tmp.path().join("many");
    std::fs::create_dir_all(&lib).unwrap_or_else(|e| panic!("{e}"));
    let src = std::fs::read(fixtures().join("click-wav.wav")).unwrap_or_else(|e| panic!("{e}"));
    let n = 24;
    for i in 0..n {
        // Distinct content (one sample changed) so every copy is a separate track.
        let mut b = src.clone();
        let at = 1000 + 2 * i;
        b[at] = b[at].wrapping_add(1 + i as u8);
        std::fs::write(lib.join(format!("copy{i:02}.wav")), b).unwrap_or_else(|e| panic!("{e}"));
    }
    let db = tmp.path().join("k.db");
    let mut child = Command::new(bin())
        .args(["scan", "-j", "1", lib.to_str().unwrap_or_default()])
        .env("FLOWSTATE_DB", &db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Wait until at least two files were committed, then SIGKILL.
    {
        use std::io::BufRead;
        let err = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let mut seen = 0;
        for line in std::io::BufReader::new(err).lines() {
            let line = line.unwrap_or_default();
            if line.contains("] analysed ") {
                seen += 1;
                if seen >= 2 {
                    break;
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    // Consistent after the kill.
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok, "ok");
    let partial: i64 = conn
        .query_row("SELECT COUNT(*) FROM tracks", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(partial >= 2, "committed before the kill: {partial}");
    drop(conn);
    // Resume: the rest is analysed, the committed ones are skipped.
    let o = run(&db, &["scan", lib.to_str().unwrap_or_default(), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sum: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sum["unchanged"].as_i64().unwrap_or(-1) + sum["analysed"].as_i64().unwrap_or(-1),
        n as i64,
        "{sum}"
    );
    assert!(sum["unchanged"].as_i64().unwrap_or(0) >= 2, "{sum}");
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok, "ok");
    let total: i64 = conn
        .query_row("SELECT COUNT(*) FROM tracks", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(total, n as i64);
}

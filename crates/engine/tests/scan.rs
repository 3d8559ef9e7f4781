//! Engine scan tests over the committed fixtures (in-memory corpus).

use flowstate_engine::{Library, ScanOptions};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn docs(lib: &Library) -> Vec<serde_json::Value> {
    let mut v: Vec<serde_json::Value> = lib
        .corpus()
        .all_docs()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|d| {
            let mut j = serde_json::to_value(d).unwrap_or_default();
            if let Some(o) = j.as_object_mut() {
                o.remove("created_at");
                o.remove("updated_at");
            }
            j
        })
        .collect();
    v.sort_by(|a, b| a["track_id"].as_str().cmp(&b["track_id"].as_str()));
    v
}

/// Metamorphic: one worker and two workers give the same corpus.
#[test]
fn one_thread_equals_n_threads() {
    let mut results = Vec::new();
    for threads in [1, 2] {
        let mut lib = Library::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let mut opts = ScanOptions::new();
        opts.threads = Some(threads);
        let mut events = 0;
        let s = lib
            .scan(&[fixtures()], &opts, &mut |_| events += 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.analysed >= 5 && s.failed >= 5, "{s:?}");
        assert_eq!(s.exit_code(), 1);
        assert!(events >= s.analysed + s.failed);
        // Rescan: everything unchanged.
        let s2 = lib
            .scan(&[fixtures()], &opts, &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s2.analysed, s2.unchanged, s2.failed_unchanged),
            (0, s.analysed, s.failed),
            "{s2:?}"
        );
        for f in lib.corpus().failures().unwrap_or_default() {
            assert!(!f.reason.is_empty() && !f.kind.is_empty(), "{f:?}");
        }
        results.push(docs(&lib));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn hash_is_sha256_of_first_mib() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("x.bin");
    std::fs::write(&p, b"abc").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        flowstate_engine::hash_file(&p).unwrap_or_default(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // Bytes after the first MiB do not change the id.
    let mut big = vec![7u8; (1 << 20) + 10];
    std::fs::write(&p, &big).unwrap_or_else(|e| panic!("{e}"));
    let h1 = flowstate_engine::hash_file(&p).unwrap_or_default();
    big[(1 << 20) + 5] = 9;
    std::fs::write(&p, &big).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h1, flowstate_engine::hash_file(&p).unwrap_or_default());
}

//! End to end for DJ-software interop and set planning with the real binary: import a
//! hand-written rekordbox collection (odd paths), export rekordbox/Traktor/M3U8 and parse the
//! output back, plan a set over an imported library and re-order a playlist.

use flowstate_interop::{rekordbox, traktor};
use std::path::Path;

mod common;
use common::flowstate;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../interop/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn rekordbox_import_then_export_round_trips() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("lib.db");
    let (code, out, err) = flowstate(&db, &["import", &fixture("rekordbox_windows.xml")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("4 track(s)")
            && out.contains("4 added as imported")
            && out.contains("2 playlist(s)"),
        "{out}"
    );
    // Re-import is idempotent: nothing added twice.
    let (_, out2, _) = flowstate(&db, &["import", &fixture("rekordbox_windows.xml")]);
    assert!(out2.contains("0 added as imported"), "{out2}");

    let xml_path = dir.path().join("out.xml");
    let (code, _, err) = flowstate(
        &db,
        &[
            "export",
            "rekordbox",
            "--out",
            xml_path.to_str().unwrap_or_default(),
        ],
    );
    // Imported tracks are not "present" (never scanned): export of present tracks is empty.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to export"), "{err}");

    let ids = ["import-", "Warehouse", "Mañana"];
    let _ = ids;
    let (code, out, err) = flowstate(&db, &["tracks", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let list: Vec<String> = v
        .as_array()
        .or_else(|| v.get("items").and_then(|i| i.as_array()))
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("track_id").and_then(|x| x.as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(list.len(), 4, "{out}");
    let joined = list.join(",");
    for (fmt, ext) in [("rekordbox", "xml"), ("traktor", "nml"), ("m3u8", "m3u8")] {
        let p = dir.path().join(format!("chosen.{ext}"));
        let (code, _, err) = flowstate(
            &db,
            &[
                "export",
                fmt,
                "--tracks",
                &joined,
                "--out",
                p.to_str().unwrap_or_default(),
            ],
        );
        assert_eq!(code, 0, "{fmt}: {err}");
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
        match fmt {
            "rekordbox" => {
                assert!(text.contains("<COLLECTION Entries=\"4\">"));
                let c = rekordbox::parse(&text, &|_| 0.0).unwrap_or_else(|e| panic!("{e}"));
                let mut locs: Vec<_> = c.tracks.iter().map(|t| t.location.clone()).collect();
                locs.sort();
                assert!(
                    locs.contains(&"D:\\DJ USB\\Sets [2024]\\Mañana Café.flac".to_string()),
                    "{locs:?}"
                );
                assert!(
                    locs.contains(&"E:\\音楽\\音楽の夜.wav".to_string()),
                    "{locs:?}"
                );
                let warehouse = c
                    .tracks
                    .iter()
                    .find(|t| t.location.contains("Warehouse"))
                    .unwrap_or_else(|| panic!("warehouse"));
                assert_eq!(warehouse.bpm, Some(126.0));
                assert_eq!(warehouse.key.map(|k| k.camelot()), Some("4A".into()));
            }
            "traktor" => {
                let c = traktor::parse(&text, &|_| 0.0).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(c.tracks.len(), 4);
                assert_eq!(c.playlists.len(), 1);
                assert_eq!(c.playlists[0].tracks.len(), 4);
            }
            _ => {
                assert!(text.starts_with("#EXTM3U\n"));
                assert_eq!(text.matches("#EXTINF:").count(), 4);
                assert!(text.contains("Mañana Café.flac"));
            }
        }
    }
    // An imported playlist can be re-ordered by name.
    let (code, out, err) = flowstate(&db, &["order", "rekordbox/Gigs/Friday @ Club", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["plan"]["tracks"].as_array().map(Vec::len), Some(2));
}

#[test]
fn set_plans_a_mixable_arc_over_an_imported_library() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("lib.db");
    let lib = dir.path().join("library.json");
    // 60 tracks around 124–127 BPM on a ladder of keys, energies 2–10, many artists.
    let keys = ["8A", "9A", "10A", "9A", "8A", "8B", "7A"];
    let mut tracks = Vec::new();
    for i in 0..60 {
        tracks.push(serde_json::json!({
            "id": format!("s{i:02}"), "artist": format!("Artist {}", i % 17), "title": format!("Track {i}"),
            "bpm": 124.0 + (i % 4) as f64, "key": keys[i % keys.len()], "energy": 2 + (i * 7) % 9,
            "genre": "techno", "vibe": if i % 3 == 0 { "dark" } else { "hypnotic" },
            "vocal_presence": if i % 5 == 0 { "female" } else { "instrumental" }
        }));
    }
    tracks.push(serde_json::json!({"id": "far", "artist": "X", "bpm": 170.0, "key": "2B", "energy": 9, "genre": "drum and bass"}));
    std::fs::write(&lib, serde_json::to_string(&tracks).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = flowstate(&db, &["corpus", "import", lib.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = flowstate(
        &db,
        &[
            "set",
            "--start",
            "s00",
            "--length",
            "40m",
            "--arc",
            "warmup-build-peak-release",
            "--prompt",
            "no vocals",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let plan: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let ts = plan["tracks"].as_array().cloned().unwrap_or_default();
    assert!(ts.len() >= 6, "{out}");
    assert_eq!(
        plan["metrics"]["compatible_share"].as_f64(),
        Some(1.0),
        "{out}"
    );
    for t in &ts[1..] {
        let id = t["track_id"].as_str().unwrap_or_default();
        assert_ne!(id, "far");
        let n: usize = id.trim_start_matches('s').parse().unwrap_or(0);
        assert!(n % 5 != 0, "prompt 'no vocals' excludes vocal track {id}");
    }
    // Bad arguments are clear errors, not panics.
    let (code, _, err) = flowstate(&db, &["set", "--start", "s00", "--arc", "banana"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown arc"), "{err}");
    let (code, _, err) = flowstate(&db, &["set", "--start", "nope"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = flowstate(&db, &["import", lib.to_str().unwrap_or_default()]);
    assert_eq!(code, 2, "{err}");
}

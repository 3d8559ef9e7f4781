//! End to end: corpus import → next (with a prompt) → played → next uses the session history
//! → export round-trips the documents. Runs the real binary against a temporary database.

mod common;
use common::flowstate;

fn track(
    id: &str,
    artist: &str,
    bpm: f64,
    key: &str,
    energy: u8,
    vibe: &str,
    genre: &str,
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "artist": artist, "title": format!("Song {id}"), "bpm": bpm, "key": key,
        "energy": energy, "danceability": 7, "intensity": "journey", "vibe": vibe,
        "mood_tags": ["rolling"], "groove_style": "four-on-floor", "tempo_feel": "straight",
        "mix_in_ease": 7, "mix_out_ease": 7, "vocal_presence": "instrumental", "vocal_style": "none",
        "language": "none", "genre": genre, "subgenre": "dub techno", "production_style": "polished",
        "instrumentation": ["synth"], "description": "test"
    })
}

#[test]
fn import_next_played_export() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("lib.db");
    let lib = dir.path().join("library.json");
    let tracks = vec![
        track("t1", "A", 124.0, "8A", 6, "hypnotic", "techno"),
        track("t2", "B", 125.0, "9A", 8, "dark", "techno"),
        track("t3", "C", 126.0, "8A", 6, "hypnotic", "techno"),
        track("t4", "D", 124.0, "8B", 7, "dark", "techno"),
        track("t5", "E", 150.0, "8A", 8, "dark", "techno"), // tempo does not mix
        track("t6", "F", 124.0, "3B", 8, "dark", "techno"), // key does not mix
    ];
    std::fs::write(&lib, serde_json::to_string(&tracks).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));

    let (code, _, err) = flowstate(&db, &["corpus", "import", lib.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 6"), "{err}");

    // prompt-aware ranking over the corpus
    let (code, out, err) = flowstate(
        &db,
        &[
            "next",
            "--current",
            "t1",
            "--prompt",
            "darker",
            "--top",
            "3",
            "--json",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let mut ranked: Vec<String> = serde_json::from_value(v["ranked"].clone()).unwrap_or_default();
    ranked.sort();
    // only the dark tracks that mix (t5: tempo, t6: key are filtered out; t3 is not dark)
    assert_eq!(ranked, vec!["t2", "t4"], "{out}");
    assert!(
        v["results"][0]["explanation"]
            .as_str()
            .unwrap_or_default()
            .contains("darker"),
        "{out}"
    );
    assert!(
        v["intent"]["constraints"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{out}"
    );

    // same ranking over the JSON library directly
    let (code, out2, _) = flowstate(
        &db,
        &[
            "next",
            "--library",
            lib.to_str().unwrap_or_default(),
            "--current",
            "t1",
            "--prompt",
            "darker",
            "--top",
            "3",
            "--json",
            "--strict",
        ],
    );
    assert_eq!(code, 0);
    let v2: serde_json::Value =
        serde_json::from_str(&out2).unwrap_or_else(|e| panic!("{e}: {out2}"));
    assert_eq!(v2["ranked"], v["ranked"]);

    // session history: played tracks are never suggested, and `next` defaults to the last play
    for t in ["t3", "t2", "t1"] {
        let (code, out, err) = flowstate(&db, &["played", t]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(t));
    }
    let (code, out, err) = flowstate(&db, &["next", "--json", "--top", "10"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["current"], "t1");
    let ranked: Vec<String> = serde_json::from_value(v["ranked"].clone()).unwrap_or_default();
    assert!(
        !ranked.iter().any(|t| t == "t1" || t == "t2" || t == "t3"),
        "{out}"
    );
    assert_eq!(ranked.first().map(String::as_str), Some("t4"), "{out}");
    // relaxed padding is marked
    assert!(
        v["results"]
            .as_array()
            .is_some_and(|r| r.iter().skip(1).all(|x| x["relaxed"] == true)),
        "{out}"
    );

    // human output
    let (code, out, _) = flowstate(&db, &["next", "--current", "t1", "--top", "2"]);
    assert_eq!(code, 0);
    assert!(out.contains("BPM"), "{out}");

    // unknown current track: a clear error, not a crash
    let (code, _, err) = flowstate(&db, &["next", "--current", "nope"]);
    assert_eq!(code, 2, "{err}");

    // export round-trips
    let out_file = dir.path().join("export.jsonl");
    let (code, _, err) = flowstate(
        &db,
        &[
            "corpus",
            "export",
            "--jsonl",
            "--out",
            out_file.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out_file).unwrap_or_default();
    assert_eq!(text.lines().count(), 6);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().unwrap_or_default()).unwrap_or_default();
    assert_eq!(first["track_id"], "t1");
    assert_eq!(first["bpm"], 124.0);
    let db2 = dir.path().join("lib2.db");
    let (code, _, err) = flowstate(
        &db2,
        &["corpus", "import", out_file.to_str().unwrap_or_default()],
    );
    assert_eq!(code, 0, "{err}");
}

//! Golden results for a few synthetic clips. A diff here is the review point: refresh with
//! `UPDATE_GOLDEN=1 cargo test -p flowstate-harmony --test golden` after an intentional change
//! (and bump `HARMONY_VERSION`).

mod common;

use common::{drums, key, mix, music, music_with, SR};
use flowstate_harmony::{analyze, KeyOptions};
use serde_json::{json, Value};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/synthetic_keys.json"
);

fn clips() -> Vec<(&'static str, Vec<f32>)> {
    let change: Vec<f32> = music(key("8A"), 30.0, 0.0)
        .into_iter()
        .chain(music(key("2B"), 30.0, 0.0))
        .collect();
    vec![
        ("a_minor_clean", music(key("8A"), 12.0, 0.0)),
        (
            "f_sharp_major_plus30c_drums",
            mix(&music(key("2B"), 12.0, 30.0), &drums(12.0, 1), 1.0),
        ),
        (
            "eb_minor_mellow_minus20c",
            music_with(key("2A"), 12.0, -20.0, 3, 1),
        ),
        (
            "e_major_hollow_drums",
            mix(
                &music_with(key("12B"), 12.0, 0.0, 2, 2),
                &drums(12.0, 2),
                0.8,
            ),
        ),
        ("key_change_8a_to_2b", mix(&change, &drums(60.0, 3), 0.6)),
        ("drums_only", drums(12.0, 4)),
    ]
}

fn summary(x: &[f32]) -> Value {
    let a = analyze(x, SR, &KeyOptions::default());
    json!({
        "key": a.key.map(|k| k.camelot()),
        "confidence": (a.confidence * 1000.0).round() / 1000.0,
        "clarity": (a.clarity * 1000.0).round() / 1000.0,
        "tuning_cents": (a.tuning_cents * 10.0).round() / 10.0,
        "candidates": a.candidates.iter().map(|(k, s)| json!([k.camelot(), (s * 1000.0).round() / 1000.0])).collect::<Vec<_>>(),
        "segments": a.segments.iter().map(|s| json!([s.key.camelot(), (s.start_s * 10.0).round() / 10.0, (s.end_s * 10.0).round() / 10.0])).collect::<Vec<_>>(),
    })
}

fn close(a: &Value, b: &Value, tol: f64) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() <= tol
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| close(p, q, tol))
        }
        _ => a == b,
    }
}

#[test]
fn golden_synthetic_keys() {
    let got: serde_json::Map<String, Value> = clips()
        .iter()
        .map(|(n, x)| (n.to_string(), summary(x)))
        .collect();
    let got = Value::Object(got);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&got).unwrap_or_default();
        std::fs::create_dir_all(
            std::path::Path::new(PATH)
                .parent()
                .unwrap_or(std::path::Path::new(".")),
        )
        .ok();
        std::fs::write(PATH, text + "\n").unwrap_or_else(|e| panic!("write {PATH}: {e}"));
        return;
    }
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(PATH)
            .unwrap_or_else(|e| panic!("{PATH}: {e} (run with UPDATE_GOLDEN=1)")),
    )
    .unwrap_or_else(|e| panic!("{PATH}: {e}"));
    // Per-field tolerances: keys exact; scores ±0.02; tuning ±1 cent; segment bounds ±4.5 s.
    for (name, w) in want.as_object().into_iter().flatten() {
        let g = &got[name];
        assert_eq!(g["key"], w["key"], "{name}: key");
        assert!(
            close(&g["confidence"], &w["confidence"], 0.02),
            "{name}: confidence {} vs {}",
            g["confidence"],
            w["confidence"]
        );
        assert!(
            close(&g["clarity"], &w["clarity"], 0.02),
            "{name}: clarity {} vs {}",
            g["clarity"],
            w["clarity"]
        );
        assert!(
            close(&g["tuning_cents"], &w["tuning_cents"], 1.0),
            "{name}: tuning"
        );
        assert!(
            close(&g["candidates"], &w["candidates"], 0.02) || g["candidates"] == w["candidates"],
            "{name}: candidates {} vs {}",
            g["candidates"],
            w["candidates"]
        );
        let (gs, ws) = (
            g["segments"].as_array().cloned().unwrap_or_default(),
            w["segments"].as_array().cloned().unwrap_or_default(),
        );
        assert_eq!(gs.len(), ws.len(), "{name}: segments {gs:?} vs {ws:?}");
        for (a, b) in gs.iter().zip(&ws) {
            assert_eq!(a[0], b[0], "{name}: segment key");
            assert!(
                close(&a[1], &b[1], 4.5) && close(&a[2], &b[2], 4.5),
                "{name}: segment bounds {a} vs {b}"
            );
        }
    }
    assert_eq!(
        want.as_object().map(|o| o.len()),
        got.as_object().map(|o| o.len()),
        "clip set changed: refresh the golden"
    );
}

//! End-to-end checks of `analyze()` on synthetic tracks with known answers, metamorphic
//! checks and a golden file (refresh with `UPDATE_GOLDEN=1`).

mod common;

use common::*;
use flowstate_analysis::{analyze, TrackAnalysis, Waveform};
use flowstate_types::{CueKind, TrackDoc};
use std::sync::OnceLock;

fn track() -> &'static (Vec<f32>, TrackAnalysis) {
    static T: OnceLock<(Vec<f32>, TrackAnalysis)> = OnceLock::new();
    T.get_or_init(|| {
        let pcm = render(&PLAN, 0.8);
        let a = analyze(&pcm, SR);
        (pcm, a)
    })
}

/// Bar indices (of the plan) where the true sections start, without the first.
fn true_boundaries() -> Vec<usize> {
    let mut b = Vec::new();
    let mut acc = 0;
    for p in PLAN.iter() {
        if acc > 0 {
            b.push(acc);
        }
        acc += p.1;
    }
    b
}

#[test]
fn grid_is_found() {
    let (_, a) = track();
    let bpm = a.rhythm.bpm.unwrap_or(0.0);
    assert!(
        (bpm - BPM).abs() < 1.0 || (bpm - BPM / 2.0).abs() < 0.5,
        "bpm {bpm} diag {:?}",
        a.rhythm.diagnostics
    );
}

#[test]
fn section_boundaries_within_a_bar() {
    let (_, a) = track();
    let starts: Vec<f64> = a.sections.iter().map(|s| s.start_s).collect();
    for b in true_boundaries() {
        let t = bar_time(b);
        assert!(
            starts.iter().any(|&s| (s - t).abs() <= bar_s() + 0.05),
            "no boundary near bar {b} ({t:.2} s): {:?}",
            a.sections
                .iter()
                .map(|s| (s.label.as_str(), s.start_s))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn sections_are_labelled() {
    let (_, a) = track();
    let label_at = |t: f64| {
        a.sections
            .iter()
            .find(|s| s.start_s <= t && t < s.end_s)
            .map(|s| s.label.clone())
    };
    let mid = |b0: usize, b1: usize| 0.5 * (bar_time(b0) + bar_time(b1));
    let dbg = a
        .sections
        .iter()
        .map(|s| (s.label.as_str(), s.start_s))
        .collect::<Vec<_>>();
    assert_eq!(label_at(mid(0, 16)).as_deref(), Some("intro"), "{dbg:?}");
    assert_eq!(label_at(mid(16, 32)).as_deref(), Some("drop"), "{dbg:?}");
    assert_eq!(
        label_at(mid(32, 40)).as_deref(),
        Some("breakdown"),
        "{dbg:?}"
    );
    assert_eq!(label_at(mid(40, 56)).as_deref(), Some("drop"), "{dbg:?}");
    assert_eq!(label_at(mid(56, 72)).as_deref(), Some("outro"), "{dbg:?}");
    // sections tile the track in order
    assert!(a
        .sections
        .windows(2)
        .all(|w| (w[0].end_s - w[1].start_s).abs() < 1e-6));
}

#[test]
fn mix_points_at_first_downbeat_and_outro() {
    let (_, a) = track();
    let m = a.mix.as_ref().expect("mix points");
    let t_in = m.mix_in_s.unwrap_or(-1.0);
    // FIXME: the bar phase comes from flowstate-rhythm's downbeat estimate, which is at times
    // one beat late on this track; tighten to 0.1 s once it is stable.
    assert!(
        (t_in - LEAD_SILENCE_S).abs() <= 60.0 / BPM + 0.05,
        "mix in {t_in}"
    );
    let t_out = m.mix_out_s.unwrap_or(-1.0);
    assert!(
        (t_out - bar_time(56)).abs() <= bar_s() + 0.05,
        "mix out {t_out} vs {}",
        bar_time(56)
    );
    assert!(
        (15..=17).contains(&m.intro_bars),
        "intro bars {} {:?} {:?}",
        m.intro_bars,
        m,
        a.sections
    );
    assert!(m.mix_in_ease >= 7.0, "{m:?}");
    let kinds: Vec<CueKind> = a.cues.iter().map(|c| c.kind).collect();
    for k in [
        CueKind::MixIn,
        CueKind::FirstDrop,
        CueKind::Breakdown,
        CueKind::MixOut,
    ] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
}

#[test]
fn a_release_tail_does_not_turn_an_abrupt_ending_into_a_fade() {
    // Full level to the last bar, then the file ends 0.3 s into the next bar on the
    // chords' decaying release: a hard stop a DJ has to mix out of early, not a fade.
    let plan = [
        ("intro", 8, true, false, false),
        ("drop", 16, true, true, true),
    ];
    let mut pcm = render(&plan, 0.8);
    let end = bar_time(24);
    let sr = f64::from(SR);
    pcm.truncate(((end + 0.3) * sr) as usize);
    let two_pi = 2.0 * std::f64::consts::PI;
    for (i, x) in pcm[(end * sr) as usize..].iter_mut().enumerate() {
        let t = i as f64 / sr;
        let v: f64 = [220.0, 261.63, 329.63]
            .iter()
            .map(|f| (two_pi * f * t).sin())
            .sum();
        *x += (0.8 * 0.08 * v * (-t * 12.0).exp()) as f32;
    }
    let a = analyze(&pcm, SR);
    assert_notes(&a, "abrupt ending", "fades out");
}

/// The mix notes of `a` include `yes` and not `no`.
fn assert_notes(a: &TrackAnalysis, yes: &str, no: &str) {
    let m = a.mix.as_ref().expect("mix points");
    let has = |s: &str| m.notes.iter().any(|n| n == s);
    assert!(has(yes) && !has(no), "{:?}", m.notes);
}

#[test]
fn a_fade_is_noted_with_or_without_a_beat_outro() {
    // A drums-only outro faded out over its last 6 bars: still a beat outro to mix on, and
    // a fade a DJ has to be out of before it gets quiet.
    let plan = [
        ("intro", 8, true, false, false),
        ("drop", 16, true, true, true),
        ("outro", 16, true, false, false),
    ];
    let mut pcm = render(&plan, 0.8);
    let sr = f64::from(SR);
    let (f0, f1) = (bar_time(34), bar_time(40));
    pcm.truncate((f1 * sr) as usize);
    for (i, x) in pcm.iter_mut().enumerate() {
        let t = i as f64 / sr;
        if t > f0 {
            // linear in dB down to -40 dB
            *x *= 10f64.powf(-2.0 * (t - f0) / (f1 - f0)) as f32;
        }
    }
    let a = analyze(&pcm, SR);
    let m = a.mix.as_ref().expect("mix points");
    assert!(m.outro_bars >= 8, "{m:?}");
    assert_notes(&a, "fades out", "abrupt ending");
}

#[test]
fn the_intro_ends_where_harmony_joins_the_beat() {
    // 8 bars of drums, then 16 of drums and chords 7 dB under the drop (a verse: thinner
    // than the drop, but the beat and the harmony are both there), then the full drop. A DJ
    // mixing in over the intro has 8 bars, not the 24 before the drop.
    let plan = [
        ("intro", 8, true, false, false),
        ("verse", 16, true, false, true),
        ("drop", 16, true, true, true),
        ("outro", 8, true, false, false),
    ];
    let mut pcm = render(&plan, 0.8);
    let sr = f64::from(SR);
    let (v0, v1) = ((bar_time(8) * sr) as usize, (bar_time(24) * sr) as usize);
    pcm[v0..v1].iter_mut().for_each(|x| *x *= 0.45);
    let a = analyze(&pcm, SR);
    let m = a.mix.as_ref().expect("mix points");
    assert!((7..=9).contains(&m.intro_bars), "{m:?} {:?}", a.sections);
    assert!(m
        .notes
        .iter()
        .any(|n| n == &format!("{}-bar beat intro", m.intro_bars)));
    let verse = a
        .sections
        .iter()
        .find(|s| (s.start_s - bar_time(8)).abs() < bar_s())
        .unwrap_or_else(|| panic!("no section at bar 8: {:?}", a.sections));
    assert_ne!(verse.label, "intro", "{:?}", a.sections);
}

#[test]
fn energy_orders_sections_and_tracks() {
    let (_, a) = track();
    let e = |label: &str| {
        a.sections
            .iter()
            .filter(|s| s.label == label)
            .filter_map(|s| s.energy)
            .fold(f64::NAN, f64::max)
    };
    assert!(e("drop") > e("breakdown"), "{:?}", a.sections);
    // A quiet, drumless version is less energetic than the full track.
    let quiet_plan = [("pad", 40, false, false, true)];
    let q = analyze(&render(&quiet_plan, 0.3), SR);
    let (eq, ef) = (q.energy_score.unwrap_or(0.0), a.energy_score.unwrap_or(0.0));
    assert!(eq + 1.0 < ef, "quiet {eq} full {ef}");
    assert!((1.0..=10.0).contains(&ef) && (1.0..=10.0).contains(&eq));
}

#[test]
fn gain_changes_energy_little_and_structure_not_at_all() {
    // The analysis runs on a copy brought to a reference level, so a quieter or louder master
    // of the same music gets the same grid, sections, mix points, key and vocals; only the
    // loudness cue of energy (10 %) follows the file's level.
    let (pcm, a) = track();
    let secs = |x: &TrackAnalysis| -> Vec<(String, f64)> {
        x.sections
            .iter()
            .map(|s| (s.label.clone(), (s.start_s * 1000.0).round() / 1000.0))
            .collect()
    };
    let mix = |x: &TrackAnalysis| {
        x.mix
            .as_ref()
            .map(|m| (m.mix_in_bar, m.mix_out_bar, m.intro_bars, m.outro_bars))
    };
    for db in [-18.0f32, -6.0, 6.0] {
        let g = 10f32.powf(db / 20.0);
        let scaled: Vec<f32> = pcm.iter().map(|x| x * g).collect();
        let b = analyze(&scaled, SR);
        assert_eq!(secs(a), secs(&b), "sections at {db:+} dB");
        assert_eq!(mix(a), mix(&b), "mix points at {db:+} dB");
        assert_eq!(a.key.key, b.key.key, "key at {db:+} dB");
        let (ba, bb) = (a.rhythm.bpm.unwrap_or(0.0), b.rhythm.bpm.unwrap_or(-1.0));
        assert!((ba - bb).abs() < 1e-3, "bpm {ba} vs {bb} at {db:+} dB");
        let (va, vb) = (
            a.vocal_probability.unwrap_or(-1.0),
            b.vocal_probability.unwrap_or(-2.0),
        );
        assert!((va - vb).abs() < 0.02, "vocals {va} vs {vb} at {db:+} dB");
        let le = |x: &TrackAnalysis| x.low_end.map(|l| l.sub + l.bass).unwrap_or(-1.0);
        assert!((le(a) - le(&b)).abs() < 0.01);
        // Energy moves with the loudness cue only: 10 % of the scale over a 24-dB ramp.
        let (ea, eb) = (a.energy_score.unwrap_or(0.0), b.energy_score.unwrap_or(0.0));
        let most = 0.1 * 9.0 * (db.abs() as f64 / 24.0) + 0.02;
        assert!(
            (eb - ea).abs() <= most && (eb - ea) * db as f64 >= -0.02,
            "energy {ea} → {eb} at {db:+} dB"
        );
    }
}

#[test]
fn level_gain_follows_the_loud_part_and_ignores_silence() {
    use flowstate_analysis::{level_gain_db, REFERENCE_LEVEL_DB};
    let (pcm, _) = track();
    let g0 = level_gain_db(pcm, SR);
    for db in [-20.0f32, -6.0, 3.0] {
        let k = 10f32.powf(db / 20.0);
        let scaled: Vec<f32> = pcm.iter().map(|x| x * k).collect();
        let g = level_gain_db(&scaled, SR);
        assert!((g - (g0 - db)).abs() < 0.01, "{g} vs {g0} - {db}");
    }
    // A full-scale square wave (mean square 0 dB) is cut to the reference.
    let square: Vec<f32> = (0..SR as usize * 4)
        .map(|i| if (i / 50) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    assert!((level_gain_db(&square, SR) - REFERENCE_LEVEL_DB).abs() < 0.01);
    // Digital silence, too-short input and near-silence are not blown up.
    assert_eq!(level_gain_db(&vec![0.0; SR as usize * 2], SR), 0.0);
    assert_eq!(level_gain_db(&[0.5; 10], SR), 0.0);
    let hiss: Vec<f32> = (0..SR as usize * 2)
        .map(|i| if i % 2 == 0 { 1e-4 } else { -1e-4 })
        .collect();
    // (−80 dB: the boost stops at its +30-dB limit)
    assert!((level_gain_db(&hiss, SR) - 30.0).abs() < 1e-3);
    // Non-finite samples count as silence.
    let mut bad = square.clone();
    bad[100] = f32::NAN;
    bad[200] = f32::INFINITY;
    assert!(level_gain_db(&bad, SR).is_finite());
}

#[test]
fn sub_bass_sine_low_end() {
    let a = analyze(&sine(45.0, 0.5, 20.0), SR);
    let le = a.low_end.expect("low end");
    assert!(le.sub > 0.8 && le.low_mid < 0.05, "{le:?}");
    let a = analyze(&sine(150.0, 0.5, 20.0), SR);
    let le = a.low_end.expect("low end");
    assert!(le.bass > 0.8, "{le:?}");
}

#[test]
fn degenerate_inputs_do_not_panic() {
    for pcm in [
        vec![],
        vec![0.0; 22050 * 5],
        vec![f32::NAN; 22050 * 3],
        vec![1.0; 100],
    ] {
        let a = analyze(&pcm, SR);
        let mut doc = TrackDoc::default();
        a.apply_to(&mut doc);
        assert!(doc.energy.is_none() || pcm.iter().any(|x| x.is_finite() && *x != 0.0));
    }
    let a = analyze(&sine(440.0, 0.5, 2.0), 0);
    assert!(a.duration_s >= 0.0);
}

#[test]
fn apply_to_fills_fields_with_provenance() {
    let (_, a) = track();
    let mut doc = TrackDoc {
        track_id: "x".into(),
        ..Default::default()
    };
    a.apply_to(&mut doc);
    let prov = doc.provenance.clone().unwrap_or_default();
    for f in [
        "energy",
        "danceability",
        "sections",
        "structure",
        "mix_in_ease",
        "low_end",
        "cues",
        "hype",
        "vocal_probability",
    ] {
        let p = prov
            .get(f)
            .unwrap_or_else(|| panic!("no provenance for {f}"));
        assert_eq!(p.source, "dsp");
        assert!(p.confidence.is_some_and(|c| (0.0..=1.0).contains(&c)));
    }
    assert!(doc.energy.is_some_and(|e| (1..=10).contains(&e)));
    assert_eq!(
        doc.structure
            .as_ref()
            .and_then(|s| s.first().cloned())
            .as_deref(),
        Some("intro")
    );
    assert!(doc.title.is_none() && doc.genre.is_none());
    let w = Waveform::from_bytes(&a.waveform.to_bytes()).expect("waveform roundtrip");
    assert_eq!(w, a.waveform);
}

#[test]
fn golden_synthetic_track() {
    let (_, a) = track();
    let mut doc = TrackDoc {
        track_id: "synthetic".into(),
        ..Default::default()
    };
    a.apply_to(&mut doc);
    doc.analyzer_version = None;
    // Only this crate's fields: rhythm/key results have their own goldens in their crates.
    let mut got = serde_json::to_value(&doc).expect("json");
    if let Some(o) = got.as_object_mut() {
        for k in [
            "bpm",
            "bpm_confidence",
            "beat_grid",
            "key",
            "key_classic",
            "key_open",
            "key_confidence",
            "key_changes",
            "groove_style",
            "tempo_feel",
            "provenance",
        ] {
            o.remove(k);
        }
        o.retain(|_, v| !v.is_null());
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/synthetic.json");
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&got).expect("json") + "\n",
        )
        .expect("write golden");
    }
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("golden missing: run with UPDATE_GOLDEN=1"),
    )
    .expect("golden json");
    let mut diffs = Vec::new();
    compare("", &want, &got, &mut diffs);
    assert!(
        diffs.is_empty(),
        "golden differs (UPDATE_GOLDEN=1 to accept):\n{}",
        diffs.join("\n")
    );
}

/// Structural equality with numeric tolerance (0.02 absolute or 2 % relative).
fn compare(path: &str, want: &serde_json::Value, got: &serde_json::Value, diffs: &mut Vec<String>) {
    use serde_json::Value::*;
    match (want, got) {
        (Number(a), Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            if (a - b).abs() > 0.02f64.max(0.02 * a.abs()) {
                diffs.push(format!("{path}: {a} != {b}"));
            }
        }
        (Object(a), Object(b)) => {
            for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                compare(
                    &format!("{path}.{k}"),
                    a.get(k).unwrap_or(&Null),
                    b.get(k).unwrap_or(&Null),
                    diffs,
                );
            }
        }
        (Array(a), Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, diffs);
            }
        }
        _ if want == got => {}
        _ => diffs.push(format!("{path}: {want} != {got}")),
    }
}

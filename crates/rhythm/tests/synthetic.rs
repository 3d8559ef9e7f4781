//! Synthetic signals with known answers, metamorphic checks and a golden summary.

mod synth;

use flowstate_rhythm::{analyze, GrooveStyle, RhythmAnalysis, RhythmOptions, TempoFeel};
use synth::*;

const SR: u32 = 22050;

fn run(x: &[f32], sr: u32) -> RhythmAnalysis {
    analyze(x, sr, &RhythmOptions::default())
}

fn bpm_of(r: &RhythmAnalysis) -> f64 {
    r.bpm
        .unwrap_or_else(|| panic!("no bpm; diagnostics {:?}", r.diagnostics))
}

/// Share of `truth` matched by an estimated beat within `tol` seconds.
fn recall(est: &[f64], truth: &[f64], tol: f64) -> f64 {
    let hit = truth
        .iter()
        .filter(|t| est.iter().any(|e| (e - *t).abs() <= tol))
        .count();
    hit as f64 / truth.len().max(1) as f64
}

fn beat_times(bpm: f64, start: f64, n: usize) -> Vec<f64> {
    (0..n).map(|k| start + k as f64 * 60.0 / bpm).collect()
}

fn track(
    bpm: f64,
    lead: f64,
    bars: usize,
    steps: &[(f64, Drum, f32)],
    with_chords: bool,
) -> Vec<f32> {
    let dur = lead + bars as f64 * 4.0 * 60.0 / bpm + 1.0;
    let mut x = silence(SR, dur);
    pattern(&mut x, SR, bpm, lead, bars, steps, 7);
    if with_chords {
        chords(&mut x, SR, bpm, lead, bars, 0.15);
    }
    x
}

#[test]
fn click_trains_at_several_tempos() {
    for &bpm in &[90.0, 120.0, 128.0, 140.0, 174.0] {
        let mut x = silence(SR, 25.0);
        let mut rng = Rng::new(3);
        let truth = beat_times(bpm, 0.5, ((24.0 - 0.5) * bpm / 60.0) as usize);
        for &t in &truth {
            add_drum(&mut x, SR, t, Drum::Click, 0.5, &mut rng);
        }
        let r = run(&x, SR);
        let est = bpm_of(&r);
        assert!(
            (est - bpm).abs() <= 0.05,
            "click train {bpm}: got {est} ({:?})",
            r.diagnostics
        );
        assert!(
            recall(&r.beats, &truth, 0.02) >= 0.95,
            "click train {bpm}: beats off"
        );
        assert_eq!(r.tempo_feel, Some(TempoFeel::Straight));
        let grid = r.grid.as_ref().unwrap_or_else(|| panic!("no grid"));
        assert_eq!(grid.segments.len(), 1);
        assert!(
            (grid.segments[0].start_s - truth[0]).abs() < 0.02,
            "grid starts at {}",
            grid.segments[0].start_s
        );
    }
}

#[test]
fn four_on_floor_house_with_bar_chords() {
    let bpm = 124.0;
    let x = track(bpm, 0.0, 16, FOUR_ON_FLOOR, true);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.05, "{:?}", r.diagnostics);
    assert_eq!(
        r.groove_style,
        Some(GrooveStyle::FourOnFloor),
        "{:?}",
        r.diagnostics
    );
    assert_eq!(r.tempo_feel, Some(TempoFeel::Straight));
    // chords change on bar lines: downbeats are every fourth beat from 0
    let truth_db: Vec<f64> = (0..16).map(|b| b as f64 * 4.0 * 60.0 / bpm).collect();
    assert!(
        recall(&r.downbeats, &truth_db, 0.03) >= 0.9,
        "downbeats {:?}",
        &r.downbeats[..4.min(r.downbeats.len())]
    );
    let first = r
        .grid
        .as_ref()
        .and_then(|g| g.first_downbeat_s)
        .unwrap_or(-1.0);
    // FIXME: a hit exactly at sample 0 is not yet kept as the first beat, so the first
    // downbeat may be the second bar line; it must still be a true bar line
    let bar = 4.0 * 60.0 / bpm;
    let off = (first / bar - (first / bar).round()).abs() * bar;
    assert!(
        first >= 0.0 && first <= bar + 0.03 && off < 0.03,
        "first downbeat {first}"
    );
    assert_eq!(r.beat_strength.len(), r.beats.len());
    assert!(r.onset_density > 1.0);
}

#[test]
fn drum_and_bass_stays_at_174() {
    let x = track(174.0, 0.3, 24, TWO_STEP, true);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - 174.0).abs() <= 0.05, "{:?}", r.diagnostics);
    assert_eq!(
        r.groove_style,
        Some(GrooveStyle::Broken),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn half_time_drums_report_the_fast_pulse() {
    let x = track(140.0, 0.0, 16, HALF_TIME, true);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - 140.0).abs() <= 0.05, "{:?}", r.diagnostics);
    assert_eq!(
        r.tempo_feel,
        Some(TempoFeel::HalfTime),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn swung_eighths_are_detected() {
    let steps = swung(2.0 / 3.0);
    let x = track(96.0, 0.0, 16, &steps, true);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - 96.0).abs() <= 0.05, "{:?}", r.diagnostics);
    assert_eq!(
        r.groove_style,
        Some(GrooveStyle::Swung),
        "{:?}",
        r.diagnostics
    );
    let s = r.swing_ratio.unwrap_or(0.0);
    assert!((0.6..0.72).contains(&s), "swing ratio {s}");
    // the same pattern straight is not swung
    let x = track(96.0, 0.0, 16, &swung(0.5), true);
    let r = run(&x, SR);
    assert_ne!(
        r.groove_style,
        Some(GrooveStyle::Swung),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn silence_and_ambient_intro_do_not_shift_the_grid() {
    let bpm = 126.0;
    let lead = 13.0;
    let mut x = track(bpm, lead, 12, FOUR_ON_FLOOR, true);
    pad(&mut x, SR, 5.0, lead, 0.3); // 5 s silence, 8 s beatless pad
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.05, "{:?}", r.diagnostics);
    let first = r.beats.first().copied().unwrap_or(-1.0);
    assert!(
        (first - lead).abs() < 0.03,
        "first beat at {first}, expected {lead}"
    );
    let db = r
        .grid
        .as_ref()
        .and_then(|g| g.first_downbeat_s)
        .unwrap_or(-1.0);
    assert!((db - lead).abs() < 0.03, "first downbeat at {db}");
}

#[test]
fn gain_change_keeps_everything() {
    let x = track(128.0, 0.7, 12, FOUR_ON_FLOOR, true);
    let quiet: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
    let (a, b) = (run(&x, SR), run(&quiet, SR));
    assert!((bpm_of(&a) - bpm_of(&b)).abs() <= 0.01);
    assert_eq!(a.beats.len(), b.beats.len());
    for (p, q) in a.beats.iter().zip(&b.beats) {
        assert!((p - q).abs() < 0.005);
    }
    assert_eq!(
        a.downbeats.first().map(|v| (v * 100.0).round()),
        b.downbeats.first().map(|v| (v * 100.0).round())
    );
}

#[test]
fn resampling_keeps_bpm_and_grid() {
    let x = track(122.0, 0.4, 12, FOUR_ON_FLOOR, true);
    let up = resample_linear(&x, SR, 44100);
    let (a, b) = (run(&x, SR), run(&up, 44100));
    assert!(
        (bpm_of(&a) - bpm_of(&b)).abs() <= 0.1,
        "{:?} vs {:?}",
        a.bpm,
        b.bpm
    );
    let fa = a.beats.first().copied().unwrap_or(-1.0);
    let fb = b.beats.first().copied().unwrap_or(-2.0);
    assert!((fa - fb).abs() < 0.015, "first beat {fa} vs {fb}");
    // and 22050 -> 48000 (a non-integer ratio)
    let c = run(&resample_linear(&x, SR, 48000), 48000);
    assert!(
        (bpm_of(&a) - bpm_of(&c)).abs() <= 0.1,
        "{:?} vs {:?}",
        a.bpm,
        c.bpm
    );
}

#[test]
fn trimming_the_start_shifts_the_grid_consistently() {
    let bpm = 125.0;
    let x = track(bpm, 0.0, 14, FOUR_ON_FLOOR, true);
    let cut = 1.37;
    let trimmed = &x[(cut * SR as f64) as usize..];
    let (a, b) = (run(&x, SR), run(trimmed, SR));
    assert!((bpm_of(&a) - bpm_of(&b)).abs() <= 0.05);
    // every beat of the trimmed analysis is a beat of the full one, shifted by `cut`
    let shifted: Vec<f64> = b.beats.iter().map(|t| t + cut).collect();
    assert!(recall(&a.beats, &shifted, 0.015) >= 0.95);
    let db: Vec<f64> = b.downbeats.iter().map(|t| t + cut).collect();
    assert!(
        recall(&a.downbeats, &db, 0.015) >= 0.9,
        "bar phase moved after trimming"
    );
}

#[test]
fn degenerate_inputs_never_panic() {
    let opts = RhythmOptions::default();
    assert_eq!(analyze(&[], SR, &opts).bpm, None);
    assert_eq!(analyze(&silence(SR, 10.0), SR, &opts).bpm, None);
    assert_eq!(analyze(&[0.1; 100], SR, &opts).bpm, None);
    assert_eq!(analyze(&[0.5; 1000], 0, &opts).bpm, None);
    let mut nan = track(120.0, 0.0, 4, FOUR_ON_FLOOR, false);
    for v in nan.iter_mut().step_by(97) {
        *v = f32::NAN;
    }
    let r = analyze(&nan, SR, &opts);
    assert!(r.bpm.is_none_or(|b| b.is_finite()));
    let mut rng = Rng::new(9);
    let noise: Vec<f32> = (0..SR as usize * 10).map(|_| 0.3 * rng.next()).collect();
    let r = analyze(&noise, SR, &opts);
    assert!(r.confidence <= 1.0 && r.confidence >= 0.0);
    let inf = vec![f32::INFINITY; SR as usize * 5];
    let _ = analyze(&inf, SR, &opts);
}

/// Golden summary of a fixed synthetic set; `UPDATE_GOLDEN=1 cargo test -p flowstate-rhythm`
/// rewrites it. Tolerances: BPM 0.01, times 5 ms.
#[test]
fn golden_summary() {
    let cases: Vec<(&str, Vec<f32>)> = vec![
        ("house_124", track(124.0, 0.25, 8, FOUR_ON_FLOOR, true)),
        ("dnb_174", track(174.0, 0.0, 12, TWO_STEP, true)),
        ("halftime_140", track(140.0, 1.0, 8, HALF_TIME, true)),
    ];
    let mut doc = serde_json::Map::new();
    for (name, x) in &cases {
        let r = run(x, SR);
        doc.insert(
            name.to_string(),
            serde_json::json!({
                "bpm": r.bpm,
                "n_beats": r.beats.len(),
                "first_beat_s": r.beats.first().map(|v| (v * 1000.0).round() / 1000.0),
                "first_downbeat_s": r.grid.as_ref().and_then(|g| g.first_downbeat_s).map(|v| (v * 1000.0).round() / 1000.0),
                "tempo_feel": r.tempo_feel.map(|f| f.as_str()),
                "groove_style": r.groove_style.map(|g| g.as_str()),
            }),
        );
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/synthetic_summary.json");
    let got = serde_json::Value::Object(doc);
    if std::env::var("UPDATE_GOLDEN").is_ok() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&got).unwrap_or_default() + "\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    for (name, w) in want
        .as_object()
        .unwrap_or_else(|| panic!("golden is not an object"))
    {
        let g = &got[name];
        let num = |v: &serde_json::Value, k: &str| v[k].as_f64();
        match (num(g, "bpm"), num(w, "bpm")) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 0.011, "{name}: bpm {a} vs golden {b}"),
            (a, b) => assert_eq!(a, b, "{name}: bpm"),
        }
        for k in ["first_beat_s", "first_downbeat_s"] {
            match (num(g, k), num(w, k)) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() <= 0.005, "{name}: {k} {a} vs golden {b}")
                }
                (a, b) => assert_eq!(a, b, "{name}: {k}"),
            }
        }
        for k in ["n_beats", "tempo_feel", "groove_style"] {
            assert_eq!(g[k], w[k], "{name}: {k}");
        }
    }
}

#[test]
fn tempo_change_gives_two_segments() {
    let (b1, b2) = (120.0, 128.0);
    let bars = 14;
    let t_change = bars as f64 * 4.0 * 60.0 / b1;
    let dur = t_change + bars as f64 * 4.0 * 60.0 / b2 + 1.0;
    let mut x = silence(SR, dur);
    pattern(&mut x, SR, b1, 0.0, bars, FOUR_ON_FLOOR, 1);
    pattern(&mut x, SR, b2, t_change, bars, FOUR_ON_FLOOR, 2);
    chords(&mut x, SR, b1, 0.0, bars, 0.15);
    chords(&mut x, SR, b2, t_change, bars, 0.15);
    let r = run(&x, SR);
    let grid = r
        .grid
        .as_ref()
        .unwrap_or_else(|| panic!("no grid: {:?}", r.diagnostics));
    assert_eq!(
        grid.segments.len(),
        2,
        "{:?} {:?}",
        grid.segments,
        r.diagnostics
    );
    assert!(
        (grid.segments[0].bpm - b1).abs() < 0.1,
        "{:?}",
        grid.segments
    );
    assert!(
        (grid.segments[1].bpm - b2).abs() < 0.1,
        "{:?}",
        grid.segments
    );
    assert!(
        (grid.segments[1].start_s - t_change).abs() < 0.6,
        "{:?}",
        grid.segments
    );
    // beats on both sides of the change are right
    let mut truth = beat_times(b1, 0.0, bars * 4);
    truth.extend(beat_times(b2, t_change, bars * 4));
    assert!(recall(&r.beats, &truth, 0.03) >= 0.9);
}

/// Bar lines of a track starting at `start`, `bars` bars at `bpm`.
fn bar_lines(bpm: f64, start: f64, bars: usize) -> Vec<f64> {
    (0..bars).map(|b| start + b as f64 * 240.0 / bpm).collect()
}

#[test]
fn half_time_downbeats_follow_the_kick_not_the_backbeat() {
    // Dubstep-style half-time at 140: kick on 1, snare on 3, no harmony to help. A
    // straight-time backbeat model (snare on 2 and 4) would put the bar one beat late.
    let (bpm, lead, bars) = (140.0, 0.4, 24);
    let x = track(bpm, lead, bars, HALF_TIME, false);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.05, "{:?}", r.diagnostics);
    assert_eq!(
        r.tempo_feel,
        Some(TempoFeel::HalfTime),
        "{:?}",
        r.diagnostics
    );
    let truth = bar_lines(bpm, lead, bars);
    assert!(
        recall(&r.downbeats, &truth, 0.03) >= 0.9,
        "downbeats {:?} ({:?})",
        &r.downbeats[..4.min(r.downbeats.len())],
        r.diagnostics
    );
}

#[test]
fn four_on_floor_bar_phase_from_layer_entries() {
    // A kick on every beat and nothing else to tell beat 1 from beat 3, except that
    // layers enter and leave on 4-bar phrase lines (hats, then a chord pad, then both
    // drop out). The downbeats must land on those lines.
    let (bpm, lead) = (124.0, 0.0);
    let spb = 60.0 / bpm;
    let bars = 24;
    let dur = lead + bars as f64 * 4.0 * spb + 1.0;
    let mut x = silence(SR, dur);
    let kick: &[(f64, Drum, f32)] = &[
        (0.0, Drum::Kick, 0.8),
        (1.0, Drum::Kick, 0.8),
        (2.0, Drum::Kick, 0.8),
        (3.0, Drum::Kick, 0.8),
    ];
    let hats: &[(f64, Drum, f32)] = &[
        (0.5, Drum::Hat, 0.3),
        (1.5, Drum::Hat, 0.3),
        (2.5, Drum::Hat, 0.3),
        (3.5, Drum::Hat, 0.3),
    ];
    pattern(&mut x, SR, bpm, lead, bars, kick, 3);
    for &(from, n) in &[(4usize, 8usize), (16, 4)] {
        pattern(&mut x, SR, bpm, lead + from as f64 * 4.0 * spb, n, hats, 5);
    }
    // a sustained chord (no change inside the phrase) from bar 8 to bar 12 and 16 to 20
    for &(from, to) in &[(8usize, 12usize), (16, 20)] {
        let a = ((lead + from as f64 * 4.0 * spb) * SR as f64) as usize;
        let b = ((lead + to as f64 * 4.0 * spb) * SR as f64) as usize;
        for i in a..b.min(x.len()) {
            let t = (i - a) as f64 / SR as f64;
            let env = (1.0 - (-t / 0.01).exp()) as f32;
            let v: f64 = [220.0, 261.63, 329.63]
                .iter()
                .map(|f| (2.0 * std::f64::consts::PI * f * t).sin())
                .sum();
            x[i] += 0.08 * env * v as f32;
        }
    }
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.05, "{:?}", r.diagnostics);
    let truth = bar_lines(bpm, lead, bars);
    assert!(
        recall(&r.downbeats, &truth, 0.03) >= 0.9,
        "downbeats {:?} ({:?})",
        &r.downbeats[..4.min(r.downbeats.len())],
        r.diagnostics
    );
}

#[test]
fn long_beatless_intro_does_not_make_a_tempo_segment() {
    // 20 s of slowly swelling pad before a steady groove: the beat tracker wanders through
    // the pad, but that must not become a second tempo segment or bend the BPM.
    let (bpm, lead) = (128.0, 20.0);
    let mut x = track(bpm, lead, 32, FOUR_ON_FLOOR, true);
    pad(&mut x, SR, 0.0, lead + 2.0, 0.3);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.02, "{:?}", r.diagnostics);
    let grid = r.grid.as_ref().unwrap_or_else(|| panic!("no grid"));
    assert_eq!(grid.segments.len(), 1, "{:?}", r.diagnostics);
    let truth = beat_times(bpm, lead, 32 * 4);
    assert!(
        recall(&r.beats, &truth, 0.03) >= 0.95,
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn chord_intro_on_the_bar_lines_is_covered_by_the_grid() {
    // 2 s of silence, then 4 bars of chords alone (changing on every bar line), then the
    // drums join. The chords are metrical: the grid and the first downbeat start with them.
    let (bpm, lead, intro_bars, bars) = (120.0, 2.0, 4usize, 16usize);
    let bar = 240.0 / bpm;
    let dur = lead + (intro_bars + bars) as f64 * bar + 1.0;
    let mut x = silence(SR, dur);
    chords(&mut x, SR, bpm, lead, intro_bars + bars, 0.15);
    pattern(
        &mut x,
        SR,
        bpm,
        lead + intro_bars as f64 * bar,
        bars,
        FOUR_ON_FLOOR,
        11,
    );
    let r = run(&x, SR);
    assert!((bpm_of(&r) - bpm).abs() <= 0.05, "{:?}", r.diagnostics);
    let first = r.beats.first().copied().unwrap_or(-1.0);
    assert!(
        (first - lead).abs() < 0.03,
        "first beat {first} ({:?})",
        r.diagnostics
    );
    let db = r
        .grid
        .as_ref()
        .and_then(|g| g.first_downbeat_s)
        .unwrap_or(-1.0);
    assert!((db - lead).abs() < 0.03, "first downbeat {db}");
    let truth = bar_lines(bpm, lead, intro_bars + bars);
    assert!(
        recall(&r.downbeats, &truth, 0.03) >= 0.95,
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn fast_four_on_floor_is_not_read_at_two_thirds() {
    // Kick on every beat and off-beat hats, no snare: at 174 BPM the pattern also repeats
    // every beat and a half (kick to hat), which a prior centred near 110 BPM prefers (116).
    // The kicks recur at 174, not at 116: the reading must be 174 (or its half, 87).
    let steps: &[(f64, Drum, f32)] = &[
        (0.0, Drum::Kick, 0.8),
        (1.0, Drum::Kick, 0.8),
        (2.0, Drum::Kick, 0.8),
        (3.0, Drum::Kick, 0.8),
        (0.5, Drum::Hat, 0.25),
        (1.5, Drum::Hat, 0.25),
        (2.5, Drum::Hat, 0.25),
        (3.5, Drum::Hat, 0.25),
    ];
    for bpm in [150.0, 174.0] {
        let x = track(bpm, 0.0, 16, steps, true);
        let r = run(&x, SR);
        let b = bpm_of(&r);
        assert!(
            (b - bpm).abs() <= 0.1 || (b - bpm / 2.0).abs() <= 0.1,
            "{bpm}: read {b}; {:?}",
            r.diagnostics
        );
    }
    // and a real four-on-floor at 116 stays 116 (its kicks are on its beats)
    let x = track(116.0, 0.0, 16, steps, true);
    let r = run(&x, SR);
    assert!((bpm_of(&r) - 116.0).abs() <= 0.1, "{:?}", r.diagnostics);
}

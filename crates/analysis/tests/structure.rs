//! Structure and mix points on synthetic arrangements with known answers: a build that ends
//! in a bass-less pre-drop, a free-time noise pre-roll before the beat, a ring-out tail.

mod common;

use common::*;
use flowstate_analysis::{analyze, TrackAnalysis};

type Plan = [(&'static str, usize, bool, bool, bool)];

/// Start time of plan bar `b` when `pre` seconds were prepended to the render.
fn t_bar(pre: f64, b: usize) -> f64 {
    pre + bar_time(b)
}

fn starts(a: &TrackAnalysis) -> Vec<(String, f64)> {
    a.sections
        .iter()
        .map(|s| (s.label.clone(), s.start_s))
        .collect()
}

fn has_boundary_near(a: &TrackAnalysis, t: f64) -> bool {
    a.sections
        .iter()
        .any(|s| (s.start_s - t).abs() <= bar_s() + 0.05)
}

fn label_at(a: &TrackAnalysis, t: f64) -> Option<String> {
    a.sections
        .iter()
        .find(|s| s.start_s <= t && t < s.end_s)
        .map(|s| s.label.clone())
}

/// intro (beat only) · drop · breakdown (no drums) · build whose last 4 bars cut kick and
/// bass (the classic pre-drop) · drop · outro (beat only).
const BUILD_PLAN: [(&str, usize, bool, bool, bool); 7] = [
    ("intro", 16, true, false, false),
    ("drop", 16, true, true, true),
    ("breakdown", 8, false, false, true),
    ("build", 4, true, true, true),
    ("predrop", 4, false, false, true),
    ("drop", 16, true, true, true),
    ("outro", 16, true, false, false),
];

fn plan_starts(plan: &Plan) -> Vec<usize> {
    let mut acc = 0;
    plan.iter()
        .map(|p| {
            let s = acc;
            acc += p.1;
            s
        })
        .collect()
}

#[test]
fn pre_drop_belongs_to_the_build_and_sections_sit_on_bars() {
    let pcm = render(&BUILD_PLAN, 0.8);
    if let Ok(p) = std::env::var("FLOWSTATE_DUMP_PCM") {
        let b: Vec<u8> = pcm.iter().flat_map(|x| x.to_le_bytes()).collect();
        let _ = std::fs::write(p, b);
    }
    let a = analyze(&pcm, SR);
    let st = plan_starts(&BUILD_PLAN);
    // Every section change except the pre-drop is found within a bar.
    for (k, &b) in st.iter().enumerate().skip(1) {
        if BUILD_PLAN[k].0 == "predrop" {
            continue;
        }
        assert!(
            has_boundary_near(&a, t_bar(0.0, b)),
            "no boundary near bar {b} ({}): {:?}",
            BUILD_PLAN[k].0,
            starts(&a)
        );
    }
    // The bass-less pre-drop is the end of the build, not a section of its own.
    let pre = st[4];
    assert!(
        !a.sections
            .iter()
            .any(|s| (s.start_s - t_bar(0.0, pre)).abs() < 1.5 * bar_s()),
        "pre-drop split off: {:?}",
        starts(&a)
    );
    let mid = |b0: usize, b1: usize| 0.5 * (t_bar(0.0, b0) + t_bar(0.0, b1));
    assert_eq!(
        label_at(&a, mid(st[3], st[5])).as_deref(),
        Some("build"),
        "{:?}",
        starts(&a)
    );
    assert_eq!(label_at(&a, mid(st[1], st[2])).as_deref(), Some("drop"));
    assert_eq!(
        label_at(&a, mid(st[2], st[3])).as_deref(),
        Some("breakdown")
    );
    assert_eq!(
        label_at(&a, mid(st[6], st[6] + 16)).as_deref(),
        Some("outro")
    );
    let m = a.mix.as_ref().expect("mix points");
    let out = m.mix_out_s.unwrap_or(-1.0);
    assert!(
        (out - t_bar(0.0, st[6])).abs() <= bar_s() + 0.05,
        "mix out {out} vs {}",
        t_bar(0.0, st[6])
    );
}

struct Lcg(u32);
impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 24) as f32
    }
}

/// `secs` of speech-like bursts: band-limited noise syllables of random length at random
/// times (free time, no grid), louder than the music that follows.
fn free_time_bursts(secs: f64, seed: u32) -> Vec<f32> {
    let sr = SR as f64;
    let n = (secs * sr) as usize;
    let mut out = vec![0f32; n];
    let mut rng = Lcg(seed);
    let mut t = 0.05;
    while t < secs - 0.4 {
        let len = 0.06 + 0.25 * rng.next() as f64;
        let s0 = (t * sr) as usize;
        let m = (len * sr) as usize;
        let f = 200.0 + 600.0 * rng.next() as f64;
        let (mut lp, mut prev) = (0f32, 0f32);
        for i in 0..m {
            let env = (std::f64::consts::PI * i as f64 / m as f64).sin() as f32;
            let w = 2.0 * rng.next() - 1.0;
            lp = 0.7 * lp + 0.3 * w; // crude band limit
            let tone = (2.0 * std::f64::consts::PI * f * i as f64 / sr).sin() as f32;
            if let Some(x) = out.get_mut(s0 + i) {
                *x = 0.6 * env * (0.6 * tone + 0.8 * (lp - prev));
            }
            prev = lp;
        }
        t += len + 0.03 + 0.35 * rng.next() as f64;
    }
    out
}

#[test]
fn mix_in_waits_for_the_beat_after_a_free_time_pre_roll() {
    let pre = 7.3;
    let mut pcm = free_time_bursts(pre, 11);
    pcm.extend(render(&PLAN, 0.6));
    let a = analyze(&pcm, SR);
    let m = a.mix.as_ref().expect("mix points");
    let t_in = m.mix_in_s.unwrap_or(-1.0);
    let want = pre + LEAD_SILENCE_S;
    assert!(
        (t_in - want).abs() <= bar_s() + 0.05,
        "mix in {t_in} vs {want}; sections {:?}",
        starts(&a)
    );
}

#[test]
fn ring_out_tail_is_its_own_short_section_and_not_the_mix_out() {
    let mut pcm = render(&PLAN, 0.8);
    // Replace the render's trailing second with silence, then a 2-s decaying noise tail
    // right where the music ends.
    let total_bars: usize = PLAN.iter().map(|p| p.1).sum();
    let end = bar_time(total_bars);
    let s_end = (end * SR as f64) as usize;
    pcm.truncate(s_end);
    let mut rng = Lcg(5);
    for i in 0..(2.0 * SR as f64) as usize {
        let t = i as f32 / SR as f32;
        pcm.push(0.03 * (2.0 * rng.next() - 1.0) * (-t * 2.5).exp());
    }
    let a = analyze(&pcm, SR);
    let tail = a.sections.iter().find(|s| s.label == "tail");
    assert!(
        tail.is_some_and(|s| (s.start_s - end).abs() <= bar_s() + 0.05),
        "tail near {end}: {:?}",
        starts(&a)
    );
    let m = a.mix.as_ref().expect("mix points");
    let out = m.mix_out_s.unwrap_or(-1.0);
    assert!(
        (out - bar_time(56)).abs() <= bar_s() + 0.05,
        "mix out {out} vs {}",
        bar_time(56)
    );
}

/// A lead line that only sits over an unchanged beat (verse → hook → verse: same drums, same
/// bass, a sustained tone enters and leaves) still starts and ends a section: the beat
/// dominates the band levels, so the change shows in the sustained (harmonic) mids.
#[test]
fn a_lead_entering_over_the_same_beat_is_a_section_change() {
    const GROOVE: [(&str, usize, bool, bool, bool); 3] = [
        ("verse", 16, true, true, false),
        ("hook", 16, true, true, false),
        ("verse", 16, true, true, false),
    ];
    let mut pcm = render(&GROOVE, 0.8);
    // Without the lead it is one groove: no section change in the middle.
    let plain = analyze(&pcm, SR);
    let st = plan_starts(&GROOVE);
    assert!(
        !has_boundary_near(&plain, t_bar(0.0, st[1]))
            && !has_boundary_near(&plain, t_bar(0.0, st[2])),
        "{:?}",
        starts(&plain)
    );
    // The lead: a quiet sustained sawtooth-like tone (8 harmonics, peak ≈ 27 dB under the
    // kick's) on the hook's bars, two notes per bar.
    let sr = SR as f64;
    let (a0, a1) = (bar_time(st[1]), bar_time(st[2]));
    let two_pi = 2.0 * std::f64::consts::PI;
    let half_bar = bar_s() / 2.0;
    for i in (a0 * sr) as usize..((a1 * sr) as usize).min(pcm.len()) {
        let t = i as f64 / sr - a0;
        let note = (t / half_bar) as usize;
        let f = if note % 2 == 0 { 440.0 } else { 523.25 };
        let tn = t - note as f64 * half_bar;
        let env = (tn * 40.0).min(1.0);
        let v: f64 = (1..=8)
            .map(|h| (two_pi * f * h as f64 * tn).sin() / h as f64)
            .sum();
        pcm[i] += (0.015 * env * v) as f32;
    }
    let a = analyze(&pcm, SR);
    for k in 1..GROOVE.len() {
        assert!(
            has_boundary_near(&a, t_bar(0.0, st[k])),
            "no boundary near bar {} ({}): {:?}",
            st[k],
            GROOVE[k].0,
            starts(&a)
        );
    }
}

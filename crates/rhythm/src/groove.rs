//! Groove style and tempo feel from beat-synchronous drum patterns.

use crate::onset::{local_max, OnsetFeatures, HIGH, KICK, LOW_MID, MID};
use crate::{GrooveStyle, TempoFeel};

/// Measurements behind the groove decision (kept for diagnostics and tests).
#[derive(Debug, Clone, Default)]
pub struct GrooveStats {
    /// Share of beats (in drum-carrying bars) with a kick.
    pub kick_on_beats: f64,
    /// Kick strength on the off-beat eighths relative to on the beats.
    pub kick_offbeat: f64,
    /// Swing ratio of eighths (0.5 straight, 0.667 triplet) or of sixteenths, if found.
    pub swing: Option<f64>,
    /// Off-beat accent (all drum bands) relative to on-beat accent.
    pub offbeat_accent: f64,
    /// Snare on beat 3 relative to beats 2 and 4 (half-time backbeat).
    pub snare_on_three: f64,
    /// Whether there is a drum kit at all.
    pub drums: bool,
    /// Similarity of successive bars' accent patterns (0..1).
    pub repetition: f64,
}

fn percentile(x: &[f64], q: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i.min(v.len() - 1)]
}

/// Fold a band over beats: mean profile with `bins` bins per beat.
fn fold(env: &[f32], beats: &[f64], bins: usize) -> Vec<f64> {
    let mut prof = vec![0.0f64; bins];
    let mut cnt = 0usize;
    for w in beats.windows(2) {
        let (a, b) = (w[0], w[1]);
        for (i, slot) in prof.iter_mut().enumerate() {
            let pos = a + (b - a) * i as f64 / bins as f64;
            *slot += crate::onset::interp(env, pos) as f64;
        }
        cnt += 1;
    }
    if cnt > 0 {
        prof.iter_mut().for_each(|v| *v /= cnt as f64);
    }
    prof
}

/// Swing: position (fraction of the beat) of the off-beat peak in `[0.45, 0.75]` when it
/// clearly departs from 0.5; else the same for sixteenths within `[0.22, 0.40]`, scaled.
fn swing_ratio(prof: &[f64]) -> Option<f64> {
    let bins = prof.len();
    let peak_in = |lo: f64, hi: f64| -> Option<(f64, f64)> {
        let a = (lo * bins as f64).ceil() as usize;
        let b = ((hi * bins as f64).floor() as usize).min(bins - 1);
        let mut best: Option<(usize, f64)> = None;
        for i in a..=b {
            if best.is_none_or(|(_, v)| prof[i] > v) {
                best = Some((i, prof[i]));
            }
        }
        best.map(|(i, v)| (i as f64 / bins as f64, v))
    };
    let base = prof.iter().copied().fold(f64::INFINITY, f64::min);
    let top = prof.iter().copied().fold(0.0, f64::max);
    if top - base <= 1e-9 {
        return None;
    }
    let rel = |v: f64| (v - base) / (top - base);
    if let Some((pos, v)) = peak_in(0.45, 0.75) {
        let straight = prof[(bins / 2).min(bins - 1)];
        if rel(v) > 0.25 && pos >= 0.56 && rel(straight) < 0.7 * rel(v) {
            return Some(pos);
        }
        if rel(v) > 0.25 && pos < 0.56 {
            // straight eighths are present: look for swung sixteenths
            if let Some((p16, v16)) = peak_in(0.2, 0.42) {
                let s16 = prof[(bins / 4).min(bins - 1)];
                if rel(v16) > 0.2 && p16 >= 0.28 && rel(s16) < 0.7 * rel(v16) {
                    return Some(p16 * 2.0);
                }
            }
            return Some(0.5);
        }
    }
    None
}

/// Groove statistics from the beat grid (consecutive beats, frames) and the bar phase.
pub fn stats(f: &OnsetFeatures, beats: &[f64], phase: usize) -> GrooveStats {
    let mut g = GrooveStats::default();
    if beats.len() < 8 {
        return g;
    }
    let period = (beats[beats.len() - 1] - beats[0]) / (beats.len() - 1) as f64;
    let kick_on: Vec<f64> = beats
        .iter()
        .map(|&b| local_max(&f.bands[KICK], b, 2) as f64)
        .collect();
    let kick_off: Vec<f64> = beats
        .iter()
        .map(|&b| local_max(&f.bands[KICK], b + period / 2.0, 2) as f64)
        .collect();
    let hat: Vec<f64> = beats
        .iter()
        .map(|&b| local_max(&f.bands[HIGH], b, 2) as f64)
        .collect();
    let k90 = percentile(&kick_on, 0.9);
    let h90 = percentile(&hat, 0.9);
    g.drums = k90 > 2.0 || h90 > 2.0;
    // drum-carrying bars: bars whose strongest kick or hat is a real hit
    let mut on_cnt = 0usize;
    let mut tot = 0usize;
    let (mut on_sum, mut off_sum) = (0.0, 0.0);
    for k in 0..beats.len() {
        let bar_start = k - ((k + 4 - phase % 4) % 4).min(k);
        let bar = bar_start..(bar_start + 4).min(beats.len());
        let bar_kick = bar.clone().map(|i| kick_on[i]).fold(0.0, f64::max);
        if bar_kick < 0.4 * k90 || k90 <= 1e-9 {
            continue;
        }
        tot += 1;
        if kick_on[k] >= 0.35 * k90 {
            on_cnt += 1;
        }
        on_sum += kick_on[k];
        off_sum += kick_off[k];
    }
    g.kick_on_beats = if tot > 0 {
        on_cnt as f64 / tot as f64
    } else {
        0.0
    };
    g.kick_offbeat = if on_sum > 0.0 { off_sum / on_sum } else { 0.0 };
    // accents of all drum bands
    let acc: Vec<f32> = (0..f.n_frames)
        .map(|t| f.bands[KICK][t] + f.bands[LOW_MID][t] + 0.5 * f.bands[MID][t] + f.bands[HIGH][t])
        .collect();
    let prof = fold(&acc, beats, 24);
    let on = prof[0].max(prof[1]).max(prof[23]);
    let off = prof[11]
        .max(prof[12])
        .max(prof[13])
        .max(prof[5].max(prof[6]).max(prof[7]));
    g.offbeat_accent = if on > 1e-9 { off / on } else { 0.0 };
    let hprof = fold(&f.bands[HIGH], beats, 48);
    g.swing = swing_ratio(&hprof).or_else(|| swing_ratio(&fold(&acc, beats, 48)));
    // snare on 3 versus 2 and 4
    let snare: Vec<f64> = beats
        .iter()
        .map(|&b| local_max(&f.bands[LOW_MID], b, 2) as f64)
        .collect();
    let mut pos_sum = [0.0f64; 4];
    let mut pos_cnt = [0usize; 4];
    for (k, s) in snare.iter().enumerate() {
        let pos = (k + 4 - phase % 4) % 4;
        pos_sum[pos] += s;
        pos_cnt[pos] += 1;
    }
    let m = |p: usize| {
        if pos_cnt[p] > 0 {
            pos_sum[p] / pos_cnt[p] as f64
        } else {
            0.0
        }
    };
    let two_four = 0.5 * (m(1) + m(3));
    g.snare_on_three = if two_four > 1e-9 {
        m(2) / two_four
    } else {
        0.0
    };
    // bar-to-bar repetition of the accent pattern (16 steps per bar)
    let mut bars: Vec<Vec<f64>> = Vec::new();
    let mut k = (4 - phase % 4) % 4;
    while k + 4 < beats.len() {
        let mut v = Vec::with_capacity(16);
        for b in 0..4 {
            for s in 0..4 {
                let pos = beats[k + b] + period * s as f64 / 4.0;
                v.push(local_max(&acc, pos, 1) as f64);
            }
        }
        bars.push(v);
        k += 4;
    }
    let mut sims = Vec::new();
    for w in bars.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let d: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
        let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
        if na > 1e-9 && nb > 1e-9 {
            sims.push(d / (na * nb));
        }
    }
    g.repetition = if sims.is_empty() {
        0.0
    } else {
        sims.iter().sum::<f64>() / sims.len() as f64
    };
    g
}

/// Groove style from the statistics.
pub fn style(g: &GrooveStats) -> GrooveStyle {
    if !g.drums || g.repetition < 0.5 {
        return GrooveStyle::Linear;
    }
    if let Some(s) = g.swing {
        if s >= 0.58 {
            return GrooveStyle::Swung;
        }
    }
    if g.kick_on_beats >= 0.85 && g.kick_offbeat < 0.5 {
        return GrooveStyle::FourOnFloor;
    }
    if g.kick_on_beats < 0.75 && g.kick_offbeat >= 0.3 {
        return GrooveStyle::Broken;
    }
    if g.offbeat_accent >= 0.8 {
        return GrooveStyle::Syncopated;
    }
    GrooveStyle::Broken
}

/// Tempo feel: half-time when the backbeat lands on 3 instead of 2 and 4.
pub fn feel(g: &GrooveStats, halved_evidence: bool) -> TempoFeel {
    if halved_evidence || (g.drums && g.snare_on_three > 1.6) {
        TempoFeel::HalfTime
    } else {
        TempoFeel::Straight
    }
}

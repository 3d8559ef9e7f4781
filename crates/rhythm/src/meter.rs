//! Bar phase (downbeats) for 4/4 from beat-synchronous cues: kick accents, harmonic
//! change (chroma distance across the beat) and energy rises (sections start on bar
//! lines), and the backbeat (snare on 2 and 4).

use crate::onset::{local_max, OnsetFeatures, HIGH, KICK, LOW_MID};

/// Per-beat cues used by the bar-phase decision (and the groove classifier).
#[derive(Debug, Clone, Default)]
pub struct BeatCues {
    pub kick: Vec<f64>,
    pub snare: Vec<f64>,
    pub chroma_change: Vec<f64>,
    pub energy_rise: Vec<f64>,
    /// Bar-scale change at the beat: distance between the mean timbre (band flux levels,
    /// loudness) and harmony of the bar before and the bar after it. Sections and layer
    /// entries start on bar lines, so its sharp peaks mark downbeats.
    pub boundary: Vec<f64>,
}

fn mean_chroma(f: &OnsetFeatures, a: f64, b: f64) -> [f64; 12] {
    let mut m = [0.0f64; 12];
    let a = a.max(0.0).round() as usize;
    let b = (b.max(0.0).round() as usize).min(f.chroma.len());
    for c in f.chroma.get(a..b).unwrap_or(&[]) {
        for (i, v) in c.iter().enumerate() {
            m[i] += *v as f64;
        }
    }
    m
}

fn cos_dist(x: &[f64; 12], y: &[f64; 12]) -> f64 {
    let (mut d, mut nx, mut ny) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        d += x[i] * y[i];
        nx += x[i] * x[i];
        ny += y[i] * y[i];
    }
    if nx <= 1e-12 || ny <= 1e-12 {
        return 0.0;
    }
    1.0 - d / (nx.sqrt() * ny.sqrt())
}

fn mean_rms(f: &OnsetFeatures, a: f64, b: f64) -> f64 {
    let a = a.max(0.0).round() as usize;
    let b = (b.max(0.0).round() as usize).min(f.rms.len());
    let s = f.rms.get(a..b).unwrap_or(&[]);
    if s.is_empty() {
        return 0.0;
    }
    s.iter().map(|&v| v as f64).sum::<f64>() / s.len() as f64
}

/// Cues at each beat position (frames, consecutive beats of one grid).
pub fn cues(f: &OnsetFeatures, beats: &[f64]) -> BeatCues {
    let n = beats.len();
    let mut c = BeatCues::default();
    let period = if n >= 2 {
        (beats[n - 1] - beats[0]) / (n - 1) as f64
    } else {
        40.0
    };
    let snare_env: Vec<f32> = f.bands[LOW_MID]
        .iter()
        .zip(&f.bands[HIGH])
        .map(|(a, b)| 0.6 * a + 0.4 * b)
        .collect();
    for (k, &b) in beats.iter().enumerate() {
        c.kick.push(local_max(&f.bands[KICK], b, 2) as f64);
        c.snare.push(local_max(&snare_env, b, 2) as f64);
        let before = mean_chroma(f, b - period, b - 1.0);
        let after = mean_chroma(f, b + 1.0, b + period);
        c.chroma_change.push(cos_dist(&before, &after));
        let e0 = mean_rms(f, b - 2.0 * period, b - 1.0);
        let e1 = mean_rms(f, b + 1.0, b + 2.0 * period);
        let rise = ((e1 + 1e-6) / (e0 + 1e-6)).ln().max(0.0);
        c.energy_rise.push(rise);
        let _ = k;
    }
    c.boundary = boundary_novelty(f, beats, period);
    c
}

/// Per-beat descriptor for the boundary cue: log band-flux levels, log loudness and the
/// beat's mean chroma (weighted so timbre and harmony count about equally).
fn beat_descriptor(f: &OnsetFeatures, a: f64, b: f64) -> [f64; 17] {
    let mut d = [0.0f64; 17];
    let ia = a.max(0.0).round() as usize;
    let ib = (b.max(0.0).round() as usize).min(f.n_frames);
    if ib <= ia {
        return d;
    }
    let len = (ib - ia) as f64;
    for (j, band) in f.bands.iter().enumerate() {
        let m = band
            .get(ia..ib)
            .unwrap_or(&[])
            .iter()
            .map(|&v| v as f64)
            .sum::<f64>()
            / len;
        d[j] = (0.05 + m).ln();
    }
    d[4] = (1e-4 + mean_rms(f, a, b)).ln() - (1e-4f64).ln();
    d[4] *= 0.5;
    let ch = mean_chroma(f, a, b);
    let s: f64 = ch.iter().sum();
    if s > 1e-12 {
        for i in 0..12 {
            d[5 + i] = 2.0 * ch[i] / s;
        }
    }
    d
}

/// Bar-scale novelty at every beat (see [`BeatCues::boundary`]).
fn boundary_novelty(f: &OnsetFeatures, beats: &[f64], period: f64) -> Vec<f64> {
    let n = beats.len();
    let desc: Vec<[f64; 17]> = beats
        .iter()
        .map(|&b| beat_descriptor(f, b, b + period))
        .collect();
    (0..n)
        .map(|k| {
            if k < 4 || k + 4 > n {
                return 0.0;
            }
            let mut before = [0.0f64; 17];
            let mut after = [0.0f64; 17];
            for j in 0..4 {
                for i in 0..17 {
                    before[i] += desc[k - 4 + j][i] / 4.0;
                    after[i] += desc[k + j][i] / 4.0;
                }
            }
            before
                .iter()
                .zip(&after)
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f64>()
                .sqrt()
        })
        .collect()
}

/// Share of sharp boundary peaks falling on each beat position `k mod 4`. A peak must be
/// the maximum within ±3 beats; its weight is its excess over its immediate neighbours
/// (a step change between bars gives a peak exactly on the bar line).
pub fn boundary_votes(boundary: &[f64]) -> [f64; 4] {
    let n = boundary.len();
    let mut v = [0.0f64; 4];
    for k in 1..n.saturating_sub(1) {
        let b = boundary[k];
        let lo = k.saturating_sub(3);
        let hi = (k + 4).min(n);
        if boundary[lo..hi].iter().any(|&x| x > b) {
            continue;
        }
        let excess = b - boundary[k - 1].max(boundary[k + 1]);
        if excess > 0.0 {
            v[k % 4] += excess;
        }
    }
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
    v
}

/// Weight of the boundary vote share in the bar-phase score: all votes on one position
/// (+0.75 share above chance) is worth about as much as a one-sigma kick accent.
const BOUNDARY_WEIGHT: f64 = 1.5;

fn zscore(x: &[f64]) -> Vec<f64> {
    let n = x.len().max(1) as f64;
    let m = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
    if sd < 1e-9 {
        return vec![0.0; x.len()];
    }
    x.iter().map(|v| (v - m) / sd).collect()
}

/// Bar phase: the beat index `φ ∈ 0..4` such that beats `k ≡ φ (mod 4)` are downbeats,
/// and a 0..1 margin-based confidence.
pub fn bar_phase(c: &BeatCues) -> (usize, f64) {
    bar_phase_with(c, false)
}

/// [`bar_phase`] knowing whether the drums are in half-time feel: then the backbeat
/// (snare) falls on beat 3 of the bar, not on beats 2 and 4.
pub fn bar_phase_with(c: &BeatCues, half_time: bool) -> (usize, f64) {
    let n = c.kick.len();
    if n < 8 {
        return (0, 0.0);
    }
    let zk = zscore(&c.kick);
    let zs = zscore(&c.snare);
    let zc = zscore(&c.chroma_change);
    let ze = zscore(&c.energy_rise);
    let votes = boundary_votes(&c.boundary);
    let mut scores = [0.0f64; 4];
    for (phi, slot) in scores.iter_mut().enumerate() {
        let mut s = 0.0;
        let mut cnt = [0usize; 4];
        let mut acc = [[0.0f64; 4]; 4];
        for k in 0..n {
            let pos = (k + 4 - phi % 4) % 4; // position in bar of beat k under this phase
            cnt[pos] += 1;
            acc[pos][0] += zk[k];
            acc[pos][1] += zs[k];
            acc[pos][2] += zc[k];
            acc[pos][3] += ze[k];
        }
        let m = |pos: usize, f: usize| {
            if cnt[pos] > 0 {
                acc[pos][f] / cnt[pos] as f64
            } else {
                0.0
            }
        };
        // downbeat: kick accent, harmonic change, energy rise
        s += 0.7 * m(0, 0) + 1.5 * m(0, 2) + 0.8 * m(0, 3);
        if half_time {
            // half-time backbeat: snare on 3, not on 1
            s += 0.5 * (m(2, 1) - m(0, 1));
        } else {
            // backbeat: snare on 2 and 4 rather than 1 and 3
            s += 0.5 * (m(1, 1) + m(3, 1) - m(0, 1) - m(2, 1));
        }
        // section and layer changes start on bar lines
        s += BOUNDARY_WEIGHT * (votes[phi % 4] - 0.25);
        // bar half: beat 3 is the second strongest place for a kick / change
        s += 0.3 * m(2, 2) - 0.3 * (m(1, 2) + m(3, 2)) * 0.5;
        *slot = s;
    }
    let mut order = [0usize, 1, 2, 3];
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let margin = scores[order[0]] - scores[order[1]];
    (order[0], (margin / 0.5).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_votes_land_on_the_bar_line_of_each_step() {
        // A bar-scale novelty as produced by step changes at beats 9, 25 and 41 (triangles
        // peaking on the step), plus a small ripple: all votes go to position 9 % 4 = 1.
        let mut b = vec![0.05f64; 56];
        for (k, v) in b.iter_mut().enumerate() {
            *v += 0.01 * ((k * 7) % 3) as f64;
            for step in [9usize, 25, 41] {
                let d = (k as f64 - step as f64).abs();
                if d < 4.0 {
                    *v += 1.0 - d / 4.0;
                }
            }
        }
        let v = boundary_votes(&b);
        assert!(v[1] > 0.9, "{v:?}");
        let s: f64 = v.iter().sum();
        assert!((s - 1.0).abs() < 1e-9);
        // no change at all: no votes
        assert_eq!(boundary_votes(&[0.3; 20]), [0.0; 4]);
    }

    #[test]
    fn half_time_backbeat_moves_the_bar_to_the_kick() {
        // kick on beat 1, snare on beat 3, nothing else: with the half-time backbeat model
        // the downbeat is the kick; beats start at bar position 2 (phase 2).
        let n = 64;
        let kick: Vec<f64> = (0..n).map(|k| if k % 4 == 2 { 1.0 } else { 0.1 }).collect();
        let snare: Vec<f64> = (0..n).map(|k| if k % 4 == 0 { 1.0 } else { 0.1 }).collect();
        let c = BeatCues {
            kick,
            snare,
            chroma_change: vec![0.0; n],
            energy_rise: vec![0.0; n],
            boundary: vec![0.0; n],
        };
        assert_eq!(bar_phase_with(&c, true).0, 2);
    }
}

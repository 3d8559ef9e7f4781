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
    c
}

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
    let n = c.kick.len();
    if n < 8 {
        return (0, 0.0);
    }
    let zk = zscore(&c.kick);
    let zs = zscore(&c.snare);
    let zc = zscore(&c.chroma_change);
    let ze = zscore(&c.energy_rise);
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
        // backbeat: snare on 2 and 4 rather than 1 and 3
        s += 0.5 * (m(1, 1) + m(3, 1) - m(0, 1) - m(2, 1));
        // bar half: beat 3 is the second strongest place for a kick / change
        s += 0.3 * m(2, 2) - 0.3 * (m(1, 2) + m(3, 2)) * 0.5;
        *slot = s;
    }
    let mut order = [0usize, 1, 2, 3];
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let margin = scores[order[0]] - scores[order[1]];
    (order[0], (margin / 0.5).clamp(0.0, 1.0))
}

//! Beat tracking (dynamic programming after Ellis 2007, with a per-frame period so a
//! tempo change can be followed) and beat-grid fitting.

use crate::onset::local_max;

/// Dynamic-programming beat tracker. `period[t]` is the expected beat period (frames) at
/// frame `t`; `tightness` weighs tempo consistency against onset strength. Returns beat
/// frames (integers, increasing).
pub fn track(novelty: &[f32], period: &[f64], tightness: f64) -> Vec<usize> {
    let n = novelty.len();
    if n < 4 || period.len() != n {
        return Vec::new();
    }
    let mean = novelty.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let var = novelty.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
    let sd = var.sqrt().max(1e-9);
    let o: Vec<f64> = novelty.iter().map(|&v| v as f64 / sd).collect();
    let mut score = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    for t in 0..n {
        let p = period[t].max(2.0);
        let lo = t as f64 - 2.0 * p;
        let hi = t as f64 - p / 2.0;
        let mut best = f64::NEG_INFINITY;
        let mut arg = usize::MAX;
        if hi >= 0.0 {
            let a = lo.max(0.0).ceil() as usize;
            let b = hi.floor() as usize;
            for tau in a..=b.min(t.saturating_sub(1)) {
                let d = (t - tau) as f64 / p;
                let pen = d.ln();
                let s = score[tau] - tightness * pen * pen;
                if s > best {
                    best = s;
                    arg = tau;
                }
            }
        }
        if arg != usize::MAX && best > 0.0 {
            score[t] = o[t] + best;
            back[t] = arg;
        } else {
            score[t] = o[t];
        }
    }
    // end: the best-scoring frame within the last period that is a local onset peak
    let p_end = period[n - 1].max(2.0);
    let start = n.saturating_sub(p_end.ceil() as usize + 1);
    let mut end = start;
    for t in start..n {
        if score[t] > score[end] {
            end = t;
        }
    }
    let mut beats = vec![end];
    let mut t = end;
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    beats
}

/// Refine an integer frame to the nearby novelty peak with parabolic interpolation.
pub fn refine_peak(novelty: &[f32], frame: usize, w: usize) -> f64 {
    let n = novelty.len();
    if n == 0 {
        return frame as f64;
    }
    let a = frame.saturating_sub(w);
    let b = (frame + w).min(n - 1);
    let mut m = frame.min(n - 1);
    for i in a..=b {
        if novelty[i] > novelty[m] {
            m = i;
        }
    }
    if m == 0 || m + 1 >= n {
        return m as f64;
    }
    let (y0, y1, y2) = (novelty[m - 1] as f64, novelty[m] as f64, novelty[m + 1] as f64);
    let den = y0 - 2.0 * y1 + y2;
    if den.abs() < 1e-12 || y1 <= 0.0 {
        return m as f64;
    }
    let off = 0.5 * (y0 - y2) / den;
    m as f64 + off.clamp(-0.5, 0.5)
}

/// A constant-tempo fit: beat `k` at `t0 + k * period` (frames).
#[derive(Debug, Clone, Copy)]
pub struct LineFit {
    pub t0: f64,
    pub period: f64,
    /// Root-mean-square residual of the inliers (frames).
    pub rms: f64,
    pub inliers: usize,
}

/// Robust least-squares fit of beat positions (frames) to a constant grid with nominal
/// period `p0`. Beat indices come from rounding, so skipped or extra beats do not bend it.
pub fn fit_line(beats: &[f64], weights: &[f64], p0: f64) -> Option<LineFit> {
    if beats.len() < 4 || p0 <= 0.0 {
        return None;
    }
    let mut t0 = beats[0];
    let mut p = p0;
    let mut fit = None;
    for iter in 0..4 {
        let tol = if iter == 0 { 0.3 } else { 0.15 } * p;
        let (mut sw, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut cnt = 0usize;
        for (i, &b) in beats.iter().enumerate() {
            let k = ((b - t0) / p).round();
            let r = b - (t0 + k * p);
            if r.abs() > tol {
                continue;
            }
            let w = weights.get(i).copied().unwrap_or(1.0).max(1e-6);
            sw += w;
            sx += w * k;
            sy += w * b;
            sxx += w * k * k;
            sxy += w * k * b;
            cnt += 1;
        }
        if cnt < 4 {
            return fit;
        }
        let den = sw * sxx - sx * sx;
        if den.abs() < 1e-9 {
            return fit;
        }
        let np = (sw * sxy - sx * sy) / den;
        let nt0 = (sy - np * sx) / sw;
        if !(np.is_finite() && nt0.is_finite()) || np <= 0.0 {
            return fit;
        }
        p = np;
        t0 = nt0;
        let mut ss = 0.0;
        let mut c = 0usize;
        for &b in beats {
            let k = ((b - t0) / p).round();
            let r = b - (t0 + k * p);
            if r.abs() <= 0.15 * p {
                ss += r * r;
                c += 1;
            }
        }
        fit = Some(LineFit { t0, period: p, rms: (ss / c.max(1) as f64).sqrt(), inliers: c });
    }
    fit
}

/// Strength of the beat evidence at each grid position (max novelty within ±2 frames).
pub fn grid_strength(novelty: &[f32], positions: &[f64]) -> Vec<f32> {
    positions.iter().map(|&p| local_max(novelty, p, 2)).collect()
}

/// First and last index of the beat-carrying span: the first index from which at least
/// `need` of the next `win` positions are active, and symmetrically from the end.
pub fn active_span(active: &[bool], win: usize, need: usize) -> Option<(usize, usize)> {
    let n = active.len();
    if n == 0 {
        return None;
    }
    let win = win.min(n).max(1);
    let need = need.min(win).max(1);
    let count = |a: usize, b: usize| active[a..b].iter().filter(|&&x| x).count();
    let mut first = None;
    for i in 0..n {
        if !active[i] {
            continue;
        }
        let b = (i + win).min(n);
        if count(i, b) >= need.min(b - i) && (b - i) >= need {
            first = Some(i);
            break;
        }
    }
    let first = first?;
    let mut last = first;
    for i in (first..n).rev() {
        if !active[i] {
            continue;
        }
        let a = (i + 1).saturating_sub(win).max(first);
        if count(a, i + 1) >= need.min(i + 1 - a) {
            last = i;
            break;
        }
    }
    Some((first, last))
}

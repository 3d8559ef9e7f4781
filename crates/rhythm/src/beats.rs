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
    let var = novelty
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    let sd = var.sqrt().max(1e-9);
    let o: Vec<f64> = novelty.iter().map(|&v| v as f64 / sd).collect();
    let mut score = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    // transition penalties by distance, cached for the (usual) constant period
    let p_const = period[0].max(2.0);
    let constant = period.iter().all(|&p| (p.max(2.0) - p_const).abs() < 1e-9);
    let table: Vec<f64> = if constant {
        (0..=(2.0 * p_const).ceil() as usize + 1)
            .map(|d| {
                let x = (d.max(1) as f64 / p_const).ln();
                tightness * x * x
            })
            .collect()
    } else {
        Vec::new()
    };
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
                let pen = match table.get(t - tau) {
                    Some(&v) => v,
                    None => {
                        let x = ((t - tau) as f64 / p).ln();
                        tightness * x * x
                    }
                };
                let s = score[tau] - pen;
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
    let (y0, y1, y2) = (
        novelty[m - 1] as f64,
        novelty[m] as f64,
        novelty[m + 1] as f64,
    );
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
    // initial phase: weighted circular mean of the beats' phase on the nominal period, so
    // a stretch of off-grid beats at the start cannot anchor the fit
    let (mut sc, mut ss) = (0.0, 0.0);
    for (i, &b) in beats.iter().enumerate() {
        let w = weights.get(i).copied().unwrap_or(1.0).max(1e-6);
        let a = 2.0 * std::f64::consts::PI * b / p0;
        sc += w * a.cos();
        ss += w * a.sin();
    }
    let mut t0 =
        ss.atan2(sc).rem_euclid(2.0 * std::f64::consts::PI) * p0 / (2.0 * std::f64::consts::PI);
    let mut p = p0;
    let mut fit = None;
    for iter in 0..4 {
        let tol = if iter == 0 { 0.15 } else { 0.1 } * p;
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
        if (np / p0 - 1.0).abs() > 0.004 {
            // the tracked beats disagree with the periodicity (drift, a tempo change, a
            // wandering tracker): keep the period, refit the phase only
            let (mut sw2, mut sr) = (0.0, 0.0);
            for (i, &b) in beats.iter().enumerate() {
                let k = ((b - t0) / p).round();
                let r = b - (t0 + k * p);
                if r.abs() <= tol {
                    let w = weights.get(i).copied().unwrap_or(1.0).max(1e-6);
                    sw2 += w;
                    sr += w * r;
                }
            }
            if sw2 > 0.0 {
                t0 += sr / sw2;
            }
        } else {
            p = np;
            t0 = nt0;
        }
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
        fit = Some(LineFit {
            t0,
            period: p,
            rms: (ss / c.max(1) as f64).sqrt(),
            inliers: c,
        });
    }
    fit
}

/// Strength of the beat evidence at each grid position (max novelty within ±2 frames).
pub fn grid_strength(novelty: &[f32], positions: &[f64]) -> Vec<f32> {
    positions
        .iter()
        .map(|&p| local_max(novelty, p, 2))
        .collect()
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

/// Split tracked beats (frames) into runs of steady tempo: a new run starts where the
/// running-median inter-beat interval departs by more than `tol` (relative) from the
/// current run's median for at least `persist` beats. Returns index ranges into `beats`
/// (half-open), each at least `min_len` beats long (shorter runs are merged).
pub fn steady_runs(beats: &[f64], tol: f64, persist: usize, min_len: usize) -> Vec<(usize, usize)> {
    let n = beats.len();
    if n < 2 * min_len.max(2) {
        return vec![(0, n)];
    }
    let ibi: Vec<f64> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    let med = |v: &[f64]| -> f64 {
        let mut s = v.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        s[s.len() / 2]
    };
    let h = 4usize;
    let smooth: Vec<f64> = (0..ibi.len())
        .map(|i| med(&ibi[i.saturating_sub(h)..(i + h + 1).min(ibi.len())]))
        .collect();
    let mut runs = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < smooth.len() {
        let cur = med(&smooth[start..=i.max(start)]);
        let off = (smooth[i] / cur - 1.0).abs() > tol;
        if off && i >= start + min_len {
            // persistent departure?
            let j_end = (i + persist).min(smooth.len());
            let all_off = (i..j_end).all(|j| (smooth[j] / cur - 1.0).abs() > tol);
            if all_off && j_end - i == persist {
                runs.push((start, i));
                start = i;
            }
        }
        i += 1;
    }
    runs.push((start, n));
    // merge short runs into their neighbour
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in runs {
        match merged.last_mut() {
            Some(last) if r.1 - r.0 < min_len => last.1 = r.1,
            _ => merged.push(r),
        }
    }
    if merged.len() > 1 && merged[0].1 - merged[0].0 < min_len {
        let first = merged.remove(0);
        merged[0].0 = first.0;
    }
    merged
}

/// Start of a metrical lead-in before the beat-carrying span (see `analyze`): the earliest
/// grid index `j < first` such that `is_downbeat(j)`, the novelty (normalised to the
/// track's strong onsets, ~1) peaks at least [`LEAD_IN_MIN_ONSET`] within ±2 frames of
/// `positions[j]`, at least every other later bar line before the span carries an onset of
/// half that strength, and no onset of half that strength lies off the eighth-note grid
/// between it and the span. Returns `first` when there is no such index.
pub fn lead_in_start(
    novelty: &[f32],
    positions: &[f64],
    first: usize,
    is_downbeat: impl Fn(usize) -> bool,
) -> usize {
    if first == 0 || first >= positions.len() || novelty.is_empty() {
        return first.min(positions.len().saturating_sub(1));
    }
    let span_start = positions[first];
    // strongest off-grid onset in [a, span_start - 3) (frames), eighth-note grid
    let off_grid_max = |a: f64| -> f32 {
        let mut m = 0.0f32;
        let lo = a.max(0.0).ceil() as usize;
        let hi = ((span_start - 3.0).max(0.0).floor() as usize).min(novelty.len());
        for (t, &v) in novelty.iter().enumerate().take(hi).skip(lo) {
            if v <= m {
                continue;
            }
            let tf = t as f64;
            let i = positions.partition_point(|&p| p <= tf).saturating_sub(1);
            let (p0, p1) = match (positions.get(i), positions.get(i + 1)) {
                (Some(&x), Some(&y)) => (x, y),
                _ => continue,
            };
            let eighth = 0.5 * (p1 - p0);
            if eighth <= 0.0 {
                continue;
            }
            let off = (tf - p0).rem_euclid(eighth);
            if off.min(eighth - off) > 3.0 {
                m = v;
            }
        }
        m
    };
    for j in 0..first {
        if !is_downbeat(j) || positions[j] < -1.0 {
            continue;
        }
        let s = local_max(novelty, positions[j], 2);
        if s < LEAD_IN_MIN_ONSET {
            continue;
        }
        // the bar lines inside the lead-in must carry onsets too (at least every other bar)
        let (mut bars, mut marked) = (0usize, 0usize);
        for (jj, &pj) in positions.iter().enumerate().take(first).skip(j + 1) {
            if is_downbeat(jj) {
                bars += 1;
                marked += usize::from(local_max(novelty, pj, 2) >= 0.5 * s);
            }
        }
        if 2 * marked < bars {
            continue;
        }
        if off_grid_max(positions[j] + 3.0) < 0.5 * s {
            return j;
        }
    }
    first
}

/// Smallest onset (novelty relative to the track's strong onsets) that can open a lead-in.
pub const LEAD_IN_MIN_ONSET: f32 = 0.1;

//! Global tempo: comb-filtered autocorrelation of the novelty, then explicit metrical-level
//! (octave) resolution.
//!
//! The autocorrelation finds the *periodicity*; it cannot tell 87 from 174 or 70 from 140,
//! because every multiple of the beat period is also a period. The level is chosen
//! musically instead: the beat is the fastest level whose every beat carries a drum accent
//! (kick or snare: the two low bands), i.e. the level `L` such that half-way between the
//! beats of `L/2` the accent is about as strong as on them. Hats and other subdivisions
//! are left out of that test on purpose. The preferred range only breaks ties and decides
//! half-time reporting.

use realfft::RealFftPlanner;

use crate::onset::{interp, local_max};

/// Autocorrelation of a (mean-removed) signal up to `max_lag`, normalised so r[0] = 1.
pub fn autocorr(x: &[f32], max_lag: usize) -> Vec<f32> {
    let n = x.len();
    if n < 4 {
        return vec![0.0; max_lag + 1];
    }
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let size = (2 * n).next_power_of_two();
    let mut planner = RealFftPlanner::<f32>::new();
    let fwd = planner.plan_fft_forward(size);
    let inv = planner.plan_fft_inverse(size);
    let mut buf = fwd.make_input_vec();
    for (i, &v) in x.iter().enumerate() {
        buf[i] = (v as f64 - mean) as f32;
    }
    let mut spec = fwd.make_output_vec();
    if fwd.process(&mut buf, &mut spec).is_err() {
        return vec![0.0; max_lag + 1];
    }
    for c in spec.iter_mut() {
        *c = realfft::num_complex::Complex::new(c.norm_sqr(), 0.0);
    }
    let mut out = inv.make_output_vec();
    if inv.process(&mut spec, &mut out).is_err() {
        return vec![0.0; max_lag + 1];
    }
    let r0 = out[0].max(1e-12);
    (0..=max_lag.min(n - 1))
        .map(|l| out[l] / r0 * (n as f32 / (n - l) as f32))
        .chain(std::iter::repeat(0.0))
        .take(max_lag + 1)
        .collect()
}

/// Comb salience of a tempo: mean ACF at the first four multiples of its period.
pub fn salience(acf: &[f32], fps: f64, bpm: f64) -> f64 {
    let p = 60.0 * fps / bpm;
    let mut s = 0.0;
    let mut wsum = 0.0;
    for k in 1..=4 {
        let lag = p * k as f64;
        if lag + 2.0 >= acf.len() as f64 {
            break;
        }
        let w = 1.0;
        s += w * local_max(acf, lag, 1).max(0.0) as f64;
        wsum += w;
    }
    if wsum > 0.0 {
        s / wsum
    } else {
        0.0
    }
}

/// The 3:2 alias test. A periodicity peak can sit at two thirds of the real pulse: a kick
/// on every beat at 174 BPM with off-beat hats also repeats every beat and a half (kick to
/// hat, hat to kick), and a tempo prior centred near 110 BPM then prefers 116 to 174 or 87.
/// The kick band tells them apart: when kicks recur at 2/3 and 4/3 of the peak's period
/// but hardly at the period itself, the peak is not a kick period and the pulse is 3/2 of it.
/// A real 116 BPM track has its kicks on its beats (strong at the period), so it never
/// moves; shuffles and triplet hats do not count because only the kick band is read.
pub fn three_two_alias(kick_acf: &[f32], fps: f64, bpm: f64) -> bool {
    let p = 60.0 * fps / bpm;
    let q = p * 2.0 / 3.0;
    if 2.0 * q + 2.0 >= kick_acf.len() as f64 || q < 2.0 {
        return false;
    }
    let at = |lag: f64| f64::from(local_max(kick_acf, lag, 1).max(0.0));
    let (sp, sq, sq2) = (at(p), at(q), at(2.0 * q));
    // "clearly periodic" (a third of the zero-lag energy) at both multiples, and at least
    // twice what the peak's own period shows
    sq >= 0.3 && sq2 >= 0.3 && sq >= 2.0 * sp
}

/// Salience curve on a BPM grid.
pub struct TempoCurve {
    pub bpms: Vec<f64>,
    pub sal: Vec<f64>,
}

pub fn curve(acf: &[f32], fps: f64, lo: f64, hi: f64, step: f64) -> TempoCurve {
    let mut bpms = Vec::new();
    let mut b = lo;
    while b <= hi + 1e-9 {
        bpms.push(b);
        b += step;
    }
    let sal = bpms.iter().map(|&b| salience(acf, fps, b)).collect();
    TempoCurve { bpms, sal }
}

impl TempoCurve {
    /// Local maximum of the curve within ±`tol` (relative) of `bpm`.
    pub fn peak_near(&self, bpm: f64, tol: f64) -> Option<(f64, f64)> {
        let mut best: Option<(f64, f64)> = None;
        for (&b, &s) in self.bpms.iter().zip(&self.sal) {
            if (b - bpm).abs() <= tol * bpm && best.is_none_or(|(_, bs)| s > bs) {
                best = Some((b, s));
            }
        }
        best
    }
    pub fn max(&self) -> f64 {
        self.sal.iter().copied().fold(0.0, f64::max)
    }
}

/// Refine a tempo estimate by parabolic interpolation of the salience at fine steps.
pub fn refine(acf: &[f32], fps: f64, bpm: f64) -> f64 {
    let mut best = (bpm, salience(acf, fps, bpm));
    let mut b = bpm * 0.98;
    while b <= bpm * 1.02 {
        let s = salience(acf, fps, b);
        if s > best.1 {
            best = (b, s);
        }
        b += bpm * 0.0005;
    }
    best.0
}

/// Precise period (frames) near `p0`: the ACF peak near `m * p` for growing multiples `m`
/// (parabolic interpolation), each step narrowing the estimate, so a long steady track
/// gets a period accurate to a small fraction of a frame.
pub fn precise_period(acf: &[f32], p0: f64) -> f64 {
    let mut p = p0;
    let mut m = 1usize;
    while (m as f64) * p + 3.0 < acf.len() as f64 {
        let centre = m as f64 * p;
        let w = ((0.02 * centre).ceil() as usize).max(2);
        let a = (centre.round() as usize).saturating_sub(w).max(1);
        let b = ((centre.round() as usize) + w).min(acf.len() - 2);
        let mut best = a;
        for i in a..=b {
            if acf[i] > acf[best] {
                best = i;
            }
        }
        if best == a || best == b || acf[best] <= 0.0 {
            // no interior peak: stop refining (weak periodicity at this multiple)
            if m > 1 {
                break;
            }
            m *= 2;
            continue;
        }
        let (y0, y1, y2) = (acf[best - 1] as f64, acf[best] as f64, acf[best + 1] as f64);
        let den = y0 - 2.0 * y1 + y2;
        let off = if den.abs() > 1e-12 {
            (0.5 * (y0 - y2) / den).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        p = (best as f64 + off) / m as f64;
        m *= 2;
    }
    p
}

/// Best phase (in frames, `0..p`) of a beat grid of period `p` on `env`, and the mean
/// envelope on the beats and half-way between them.
pub fn phase_profile(env: &[f32], p: f64) -> (f64, f64, f64) {
    if env.is_empty() || p < 2.0 {
        return (0.0, 0.0, 0.0);
    }
    let n = env.len() as f64;
    let steps = (p.ceil() as usize).max(1);
    let mut best = (0.0, -1.0, 0.0);
    for s in 0..steps {
        let phi = s as f64;
        let (mut on, mut mid, mut cnt) = (0.0f64, 0.0f64, 0usize);
        let mut t = phi;
        while t + p / 2.0 < n {
            on += local_max(env, t, 1) as f64;
            mid += local_max(env, t + p / 2.0, 1) as f64;
            cnt += 1;
            t += p;
        }
        if cnt == 0 {
            continue;
        }
        let (on, mid) = (on / cnt as f64, mid / cnt as f64);
        if on > best.1 {
            best = (phi, on, mid);
        }
    }
    (best.0, best.1.max(0.0), best.2)
}

/// Accent evenness of a level: envelope half-way between beats relative to on the beats.
/// Computed in windows of 16 beats, each with its own best phase, so a slightly wrong
/// period or a tempo drift does not smear it; windows are weighted by their accent.
pub fn evenness(env: &[f32], fps: f64, bpm: f64) -> f64 {
    let p = 60.0 * fps / bpm;
    let win = (16.0 * p).ceil() as usize;
    if env.len() < 2 * p as usize + 2 {
        return 0.0;
    }
    let (mut on, mut mid) = (0.0, 0.0);
    let mut a = 0usize;
    while a < env.len() {
        let b = (a + win).min(env.len());
        if b - a < (4.0 * p) as usize {
            break;
        }
        let (_, o, m) = phase_profile(&env[a..b], p);
        on += o;
        mid += m;
        a += win;
    }
    if on <= 1e-9 {
        0.0
    } else {
        mid / on
    }
}

/// Mean of `env` sampled on a grid (used by tests and diagnostics).
pub fn grid_mean(env: &[f32], start: f64, p: f64) -> f64 {
    let mut t = start;
    let (mut s, mut c) = (0.0, 0usize);
    while t < env.len() as f64 {
        s += interp(env, t) as f64;
        c += 1;
        t += p;
    }
    if c == 0 {
        0.0
    } else {
        s / c as f64
    }
}

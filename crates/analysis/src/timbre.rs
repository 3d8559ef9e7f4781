//! Timbre descriptors over the shared log-band spectrum: a coarse harmonic/percussive split
//! (median filtering across time and frequency, Fitzgerald 2010), percussive ratio,
//! brightness and the low-end profile.

use crate::features::{Frames, BASS, HIGH, LOW_MID, MID, N_LOG, PRESENCE, SUB};
use flowstate_types::LowEnd;

/// Per-frame harmonic / percussive power split.
#[derive(Debug, Clone, Default)]
pub struct Hpss {
    /// Harmonic and percussive power per frame, summed over all log bands.
    pub harm: Vec<f32>,
    pub perc: Vec<f32>,
    /// Harmonic power in the bands centred within 300–3500 Hz (voice formant region).
    pub harm_formant: Vec<f32>,
    /// Percussive part of the log-band spectrum, `N_LOG` per frame (row-major).
    pub perc_spec: Vec<f32>,
    /// Harmonic part of the log-band spectrum, `N_LOG` per frame (row-major).
    pub harm_spec: Vec<f32>,
}

const MED_T: usize = 9; // ≈ 0.42 s
const MED_F: usize = 5; // ≈ 1.25 octaves

fn median(buf: &mut [f32]) -> f32 {
    if buf.is_empty() {
        return 0.0;
    }
    let m = buf.len() / 2;
    buf.select_nth_unstable_by(m, |a, b| a.total_cmp(b));
    buf[m]
}

pub fn hpss(fr: &Frames) -> Hpss {
    let n = fr.n;
    let mut out = Hpss {
        harm: vec![0.0; n],
        perc: vec![0.0; n],
        harm_formant: vec![0.0; n],
        perc_spec: Vec::new(),
        harm_spec: Vec::new(),
    };
    if n == 0 || fr.logspec.len() < n * N_LOG {
        return out;
    }
    let s = &fr.logspec;
    let formant: Vec<bool> = fr
        .log_centres
        .iter()
        .map(|&c| (300.0..=3500.0).contains(&c))
        .collect();
    let mut buf = Vec::with_capacity(MED_T.max(MED_F));
    out.perc_spec = vec![0.0; n * N_LOG];
    out.harm_spec = vec![0.0; n * N_LOG];
    for t in 0..n {
        for k in 0..N_LOG {
            buf.clear();
            let (a, b) = (t.saturating_sub(MED_T / 2), (t + MED_T / 2 + 1).min(n));
            buf.extend((a..b).map(|u| s[u * N_LOG + k]));
            let h = median(&mut buf);
            buf.clear();
            let (a, b) = (k.saturating_sub(MED_F / 2), (k + MED_F / 2 + 1).min(N_LOG));
            buf.extend((a..b).map(|j| s[t * N_LOG + j]));
            let p = median(&mut buf);
            let x = s[t * N_LOG + k];
            let (h2, p2) = (h * h, p * p);
            let den = h2 + p2;
            let mh = if den > 1e-30 { h2 / den } else { 0.5 };
            out.harm[t] += mh * x;
            out.perc[t] += (1.0 - mh) * x;
            out.harm_spec[t * N_LOG + k] = mh * x;
            out.perc_spec[t * N_LOG + k] = (1.0 - mh) * x;
            if formant[k] {
                out.harm_formant[t] += mh * x;
            }
        }
    }
    out
}

/// Share of the power (0–1) in the percussive component over the given frames.
pub fn percussive_ratio(h: &Hpss, frames: &[usize]) -> Option<f64> {
    let (mut p, mut t) = (0f64, 0f64);
    for &i in frames {
        if let (Some(&pp), Some(&hh)) = (h.perc.get(i), h.harm.get(i)) {
            p += pp as f64;
            t += (pp + hh) as f64;
        }
    }
    (t > 1e-12).then(|| p / t)
}

/// Low-end shares of total power (20 Hz–Nyquist) over the given frames.
pub fn low_end(fr: &Frames, frames: &[usize]) -> Option<LowEnd> {
    let mut acc = [0f64; 6];
    for &i in frames {
        for (j, &b) in [SUB, BASS, LOW_MID, MID, PRESENCE, HIGH].iter().enumerate() {
            if let Some(&v) = fr.band[b].get(i) {
                acc[j] += v as f64;
            }
        }
    }
    let tot: f64 = acc.iter().sum();
    (tot > 1e-12).then(|| LowEnd {
        sub: acc[0] / tot,
        bass: acc[1] / tot,
        low_mid: acc[2] / tot,
    })
}

/// Brightness 0–1: the power-weighted mean spectral centroid on a log scale, 200 Hz → 0,
/// 6 kHz → 1.
pub fn brightness(fr: &Frames, frames: &[usize]) -> Option<f64> {
    let (mut w, mut s) = (0f64, 0f64);
    for &i in frames {
        if let (Some(&c), Some(&p)) = (fr.centroid.get(i), fr.ms.get(i)) {
            if c > 0.0 {
                let wt = (p as f64).sqrt();
                w += wt;
                s += wt * (c as f64).ln();
            }
        }
    }
    (w > 1e-12).then(|| {
        let c = (s / w).exp();
        ((c / 200.0).ln() / (6000.0f64 / 200.0).ln()).clamp(0.0, 1.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features;

    fn sine(f: f32, amp: f32, secs: f32) -> Vec<f32> {
        (0..(secs * 22050.0) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * f * i as f32 / 22050.0).sin())
            .collect()
    }

    fn clicks(secs: f32, every_s: f32) -> Vec<f32> {
        let n = (secs * 22050.0) as usize;
        let step = (every_s * 22050.0) as usize;
        let mut s = vec![0f32; n];
        let mut seed = 1u32;
        for start in (0..n).step_by(step) {
            for k in 0..200.min(n - start) {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                s[start + k] =
                    ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * (1.0 - k as f32 / 200.0);
            }
        }
        s
    }

    #[test]
    fn sine_is_harmonic_clicks_are_percussive() {
        let fr = features::compute(&sine(440.0, 0.3, 5.0), 22050);
        let all: Vec<usize> = (0..fr.n).collect();
        let r = percussive_ratio(&hpss(&fr), &all).unwrap_or(1.0);
        assert!(r < 0.2, "sine ratio {r}");
        let fr = features::compute(&clicks(5.0, 0.5), 22050);
        let r = percussive_ratio(&hpss(&fr), &(0..fr.n).collect::<Vec<_>>()).unwrap_or(0.0);
        assert!(r > 0.6, "clicks ratio {r}");
    }

    #[test]
    fn sub_sine_is_all_sub() {
        let fr = features::compute(&sine(45.0, 0.5, 3.0), 22050);
        let le = low_end(&fr, &(2..fr.n - 2).collect::<Vec<_>>()).unwrap_or(LowEnd {
            sub: 0.0,
            bass: 0.0,
            low_mid: 0.0,
        });
        assert!(le.sub > 0.85 && le.low_mid < 0.05, "{le:?}");
        let fr = features::compute(&sine(120.0, 0.5, 3.0), 22050);
        let le = low_end(&fr, &(2..fr.n - 2).collect::<Vec<_>>()).unwrap_or(LowEnd {
            sub: 0.0,
            bass: 0.0,
            low_mid: 0.0,
        });
        assert!(le.bass > 0.9, "{le:?}");
    }

    #[test]
    fn brightness_orders_by_frequency() {
        let b = |f| {
            let fr = features::compute(&sine(f, 0.3, 2.0), 22050);
            brightness(&fr, &(0..fr.n).collect::<Vec<_>>()).unwrap_or(-1.0)
        };
        assert!(b(300.0) < b(1000.0) && b(1000.0) < b(4000.0));
    }
}

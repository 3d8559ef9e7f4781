//! The shared front end: one STFT (2048-sample Hann window, 1024 hop at 22.05 kHz ≈ 46 ms)
//! reduced to per-frame descriptors every other module reuses. Computed once per track.

use realfft::RealFftPlanner;

pub const WIN: usize = 2048;
pub const HOP: usize = 1024;

/// Band edges in Hz of the per-frame band energies.
pub const BANDS: [(f32, f32); 7] = [
    (20.0, 60.0),      // SUB
    (60.0, 250.0),     // BASS
    (250.0, 500.0),    // LOW_MID
    (500.0, 2000.0),   // MID
    (2000.0, 5000.0),  // PRESENCE
    (5000.0, 11025.0), // HIGH
    (300.0, 3500.0),   // FORMANT (overlaps MID, used by vocals)
];
pub const SUB: usize = 0;
pub const BASS: usize = 1;
pub const LOW_MID: usize = 2;
pub const MID: usize = 3;
pub const PRESENCE: usize = 4;
pub const HIGH: usize = 5;
pub const FORMANT: usize = 6;
pub const N_BANDS: usize = 7;

/// Per-frame descriptors (all vectors have `n` entries).
#[derive(Debug, Clone, Default)]
pub struct Frames {
    pub sample_rate: u32,
    /// Frames per second.
    pub fps: f64,
    pub n: usize,
    /// Mean square of the windowed-frame samples (time domain, hop-centred).
    pub ms: Vec<f32>,
    /// Power per band (sum of |X|² over the band's bins, normalised by the window energy).
    pub band: [Vec<f32>; N_BANDS],
    /// Spectral centroid, Hz.
    pub centroid: Vec<f32>,
    /// Positive log-magnitude flux, low band (< 150 Hz: kick) and high band (> 5 kHz: hats).
    pub flux_low: Vec<f32>,
    pub flux_high: Vec<f32>,
    /// Positive log-magnitude flux over the whole spectrum (onset strength).
    pub flux: Vec<f32>,
    /// Tonal peakiness of the formant band: share of its power in local spectral peaks.
    pub tonal: Vec<f32>,
    /// Frequency (Hz) of the strongest peak in 150–1100 Hz, 0 when none.
    pub pitch_hz: Vec<f32>,
    /// Log-spaced band powers, `N_LOG` per frame (row-major), for HPSS and novelty.
    pub logspec: Vec<f32>,
    /// Centre frequencies of the log bands.
    pub log_centres: Vec<f32>,
}

/// Number of log-spaced bands (40 Hz – 11 kHz, ≈ 1/4 octave).
pub const N_LOG: usize = 32;

impl Frames {
    /// Time (s) of the centre of frame `i`.
    pub fn time(&self, i: usize) -> f64 {
        i as f64 / self.fps
    }
    /// Frame index nearest to time `t` (clamped).
    pub fn frame_at(&self, t: f64) -> usize {
        if self.n == 0 {
            return 0;
        }
        ((t * self.fps).round().max(0.0) as usize).min(self.n - 1)
    }
}

/// Compute the per-frame descriptors. Non-finite samples count as 0.
pub fn compute(samples: &[f32], sample_rate: u32) -> Frames {
    let sr = sample_rate.max(1);
    let fps = sr as f64 / HOP as f64;
    let n = if samples.is_empty() {
        0
    } else {
        samples.len().div_ceil(HOP)
    };
    let mut f = Frames {
        sample_rate: sr,
        fps,
        n,
        ..Default::default()
    };
    if n == 0 {
        return f;
    }
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(WIN);
    let mut input = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let window: Vec<f32> = (0..WIN)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / WIN as f32).cos())
        .collect();
    let wnorm: f32 = window.iter().map(|w| w * w).sum::<f32>();
    let nb = WIN / 2 + 1;
    let hz_per_bin = sr as f32 / WIN as f32;
    let bin_of = |hz: f32| ((hz / hz_per_bin).round() as usize).min(nb - 1);
    let band_bins: Vec<(usize, usize)> = BANDS
        .iter()
        .map(|&(lo, hi)| (bin_of(lo).max(1), bin_of(hi).max(bin_of(lo) + 1)))
        .collect();
    let low_cut = bin_of(150.0);
    let high_cut = bin_of(5000.0);
    let (p_lo, p_hi) = (bin_of(150.0), bin_of(1100.0));
    let (fm_lo, fm_hi) = band_bins[FORMANT];
    // Log bands: edges 40 Hz · 2^(k/4)… up to Nyquist, at least one bin each.
    let edges: Vec<usize> = {
        let top = (sr as f32 / 2.0).max(100.0);
        let ratio = (top / 40.0).ln() / N_LOG as f32;
        let mut e: Vec<usize> = (0..=N_LOG)
            .map(|k| bin_of(40.0 * (ratio * k as f32).exp()))
            .collect();
        for k in 1..e.len() {
            if e[k] <= e[k - 1] {
                e[k] = e[k - 1] + 1;
            }
        }
        e.iter_mut().for_each(|x| *x = (*x).min(nb));
        e
    };
    f.log_centres = (0..N_LOG)
        .map(|k| ((edges[k] + edges[k + 1]) as f32 * 0.5) * hz_per_bin)
        .collect();
    f.logspec.reserve(n * N_LOG);

    for v in f.band.iter_mut() {
        v.reserve(n);
    }
    let mut prev_log = vec![0f32; nb];
    let mut logmag = vec![0f32; nb];
    let mut power = vec![0f32; nb];
    for i in 0..n {
        // Frame centred on i*HOP.
        let centre = i * HOP;
        let start = centre as isize - (WIN / 2) as isize;
        let mut ms = 0f64;
        for (k, x) in input.iter_mut().enumerate() {
            let idx = start + k as isize;
            let s = if idx >= 0 && (idx as usize) < samples.len() {
                samples[idx as usize]
            } else {
                0.0
            };
            let s = if s.is_finite() { s } else { 0.0 };
            ms += (s * s) as f64;
            *x = s * window[k];
        }
        f.ms.push((ms / WIN as f64) as f32);
        if fft
            .process_with_scratch(&mut input, &mut spec, &mut scratch)
            .is_err()
        {
            spec.iter_mut()
                .for_each(|c| *c = realfft::num_complex::Complex::new(0.0, 0.0));
        }
        let mut tot = 0f32;
        let mut wsum = 0f32;
        for (b, c) in spec.iter().enumerate() {
            let p = 2.0 * (c.re * c.re + c.im * c.im) / (wnorm * WIN as f32);
            power[b] = p;
            tot += p;
            wsum += p * b as f32 * hz_per_bin;
            logmag[b] = (1.0 + 1000.0 * p.sqrt()).ln();
        }
        for (k, &(lo, hi)) in band_bins.iter().enumerate() {
            f.band[k].push(power[lo..hi].iter().sum());
        }
        for k in 0..N_LOG {
            let (lo, hi) = (edges[k].min(nb), edges[k + 1].min(nb));
            f.logspec.push(if hi > lo {
                power[lo..hi].iter().sum()
            } else {
                0.0
            });
        }
        f.centroid.push(if tot > 1e-12 { wsum / tot } else { 0.0 });
        let (mut fl, mut fh, mut fa) = (0f32, 0f32, 0f32);
        for b in 1..nb {
            let d = (logmag[b] - prev_log[b]).max(0.0);
            fa += d;
            if b < low_cut {
                fl += d;
            } else if b >= high_cut {
                fh += d;
            }
        }
        f.flux_low.push(fl / low_cut.max(1) as f32);
        f.flux_high.push(fh / (nb - high_cut).max(1) as f32);
        f.flux.push(fa / nb as f32);
        std::mem::swap(&mut prev_log, &mut logmag);

        // Tonal peakiness in the formant band: power in bins that are local maxima
        // (and their two neighbours) over the band power.
        let mut peak_p = 0f32;
        let mut band_p = 0f32;
        for b in fm_lo.max(2)..fm_hi.min(nb - 2) {
            let p = power[b];
            band_p += p;
            if p > power[b - 1]
                && p >= power[b + 1]
                && p > 4.0 * (power[b - 2] + power[b + 2]) * 0.5
            {
                peak_p += p + power[b - 1] + power[b + 1];
            }
        }
        f.tonal.push(if band_p > 1e-10 {
            (peak_p / band_p).min(1.0)
        } else {
            0.0
        });

        // Strongest peak 150–1100 Hz, parabolic interpolation on log power.
        let mut best = (0usize, 0f32);
        for b in p_lo.max(1)..p_hi.min(nb - 1) {
            if power[b] > best.1 && power[b] > power[b - 1] && power[b] >= power[b + 1] {
                best = (b, power[b]);
            }
        }
        let hz = if best.1 > 1e-9 {
            let b = best.0;
            let (a, m, c) = (
                (power[b - 1] + 1e-12).ln(),
                (power[b] + 1e-12).ln(),
                (power[b + 1] + 1e-12).ln(),
            );
            let den = a - 2.0 * m + c;
            let off = if den.abs() > 1e-9 {
                (0.5 * (a - c) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            (b as f32 + off) * hz_per_bin
        } else {
            0.0
        };
        f.pitch_hz.push(hz);
    }
    f
}

/// Power (linear) → dB with a floor.
pub fn db(p: f32) -> f32 {
    10.0 * p.max(1e-10).log10()
}

pub fn percentile(x: &[f32], q: f64) -> f32 {
    let mut v: Vec<f32> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize]
}

pub fn mean(x: &[f32]) -> f32 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f32>() / x.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(f: f32, amp: f32, secs: f32) -> Vec<f32> {
        let sr = 22050.0;
        (0..(secs * sr) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * f * i as f32 / sr).sin())
            .collect()
    }

    #[test]
    fn band_energy_lands_in_the_right_band() {
        let fr = compute(&sine(40.0, 0.5, 2.0), 22050);
        let i = fr.n / 2;
        let tot: f32 = (0..6).map(|b| fr.band[b][i]).sum();
        assert!(fr.band[SUB][i] / tot > 0.9, "{}", fr.band[SUB][i] / tot);
        // Parseval-ish: band power ≈ mean square (0.125) within 20 %.
        assert!(
            (tot / fr.ms[i] - 1.0).abs() < 0.2,
            "tot {tot} ms {}",
            fr.ms[i]
        );
    }

    #[test]
    fn pitch_tracks_a_sine() {
        let fr = compute(&sine(440.0, 0.3, 2.0), 22050);
        let p = fr.pitch_hz[fr.n / 2];
        assert!((p - 440.0).abs() < 3.0, "{p}");
        assert!(fr.tonal[fr.n / 2] > 0.8);
    }

    #[test]
    fn empty_input() {
        let fr = compute(&[], 22050);
        assert_eq!(fr.n, 0);
    }
}

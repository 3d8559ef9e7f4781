//! The shared front end: one STFT (2048-sample Hann window, 1024 hop at 22.05 kHz ≈ 46 ms)
//! reduced to per-frame descriptors every other module reuses. Computed once per track.

use flowstate_rhythm::onset::fast_ln1p;
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
    /// Common pitch drift of the moving formant-band partials since the previous frame, cents
    /// per hop: the magnitude-weighted mean signed frequency change of the prominent peaks in
    /// 300–3500 Hz that moved by more than [`DRIFT_JITTER_CENTS`] from their match in the
    /// previous frame (see `common_drift`). A gliding voice gives its glide rate, also under
    /// steady chords.
    pub drift_cents: Vec<f32>,
    /// Coherence 0–1 of that drift: |Σ w·c| / Σ w·|c| (1 when every moving partial moves the
    /// same way, as the harmonics of one source do).
    pub drift_coh: Vec<f32>,
    /// Share 0–1 of the matched partials' weight that moves (the rest holds its pitch).
    pub drift_share: Vec<f32>,
    /// Log-spaced band powers, `N_LOG` per frame (row-major), for HPSS and novelty.
    pub logspec: Vec<f32>,
    /// Centre frequencies of the log bands.
    pub log_centres: Vec<f32>,
}

/// Largest per-hop frequency change (cents) for which a peak counts as the continuation of
/// a peak in the previous frame. It must stay below half the harmonic spacing of a voice, or
/// a partial pairs with its neighbour: for a 120-Hz voice the harmonics are ≈ 120 cents apart
/// at 1.7 kHz, the middle of the formant band. 60 cents per 46-ms hop ≈ 13 semitones/s, which
/// covers ordinary intonation movements (≈ 5–12 semitones/s).
pub const DRIFT_MATCH_CENTS: f32 = 60.0;
/// Frequency changes below this (cents per hop) are estimator jitter of a steady partial
/// (parabolic interpolation of a Hann-windowed peak; a test checks that the partials of a
/// steady harmonic tone stay under it), not movement.
pub const DRIFT_JITTER_CENTS: f32 = 2.0;

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
    // Interpolated (Hz, power) of the prominent formant-band peaks, this and previous frame.
    let mut peaks: Vec<(f32, f32)> = Vec::new();
    let mut prev_peaks: Vec<(f32, f32)> = Vec::new();
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
        }
        // log-compressed magnitude for the flux: a separate branch-free loop (vectorised),
        // with the fast ln(1+x) of the rhythm front end (~1e-4 absolute) instead of libm.
        for (l, &p) in logmag.iter_mut().zip(&power) {
            *l = fast_ln1p(1000.0 * p.sqrt());
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
                peaks.push((interp_bin(&power, b) * hz_per_bin, p));
            }
        }
        let (drift, coh, share) = common_drift(&prev_peaks, &peaks);
        f.drift_cents.push(drift);
        f.drift_coh.push(coh);
        f.drift_share.push(share);
        std::mem::swap(&mut prev_peaks, &mut peaks);
        peaks.clear();
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
            interp_bin(&power, best.0) * hz_per_bin
        } else {
            0.0
        };
        f.pitch_hz.push(hz);
    }
    f
}

/// Fractional bin of the peak at `b` (1 ≤ b < len−1): parabolic interpolation on log power.
fn interp_bin(power: &[f32], b: usize) -> f32 {
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
    b as f32 + off
}

/// Common drift between two frames' peak lists (both sorted by frequency): every peak of
/// `cur` is paired with its nearest peak of `prev` within ±[`DRIFT_MATCH_CENTS`], weighted by
/// the smaller of the two magnitudes (a partial that appears or dies counts little; magnitude
/// rather than power so that a few loud low pad or bass partials do not outweigh the many
/// weaker formant-region harmonics of a voice). Pairs moving by more than
/// [`DRIFT_JITTER_CENTS`] are "moving". Returns (weighted mean signed shift of the moving
/// pairs in cents, coherence |Σ w·c| / Σ w·|c| over them, moving share of the total weight);
/// zeros when nothing moves. The harmonics of one gliding source all move by the same ratio,
/// so their shifts add up with coherence ≈ 1, while jitter of unrelated peaks cancels; steady
/// partials of other instruments lower only the share, not the drift.
fn common_drift(prev: &[(f32, f32)], cur: &[(f32, f32)]) -> (f32, f32, f32) {
    if prev.is_empty() || cur.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let (mut sw, mut mw, mut swc, mut swa) = (0f32, 0f32, 0f32, 0f32);
    let mut j = 0usize;
    for &(f, p) in cur {
        while j + 1 < prev.len() && prev[j + 1].0 <= f {
            j += 1;
        }
        let cand = [Some(j), (j + 1 < prev.len()).then_some(j + 1)];
        let mut best: Option<(f32, f32)> = None;
        for k in cand.into_iter().flatten() {
            let (fp, pp) = prev[k];
            if fp <= 0.0 || f <= 0.0 {
                continue;
            }
            let c = 1200.0 * (f / fp).log2();
            if c.abs() <= DRIFT_MATCH_CENTS && best.is_none_or(|(bc, _)| c.abs() < bc.abs()) {
                best = Some((c, p.min(pp).sqrt()));
            }
        }
        if let Some((c, w)) = best {
            sw += w;
            if c.abs() > DRIFT_JITTER_CENTS {
                mw += w;
                swc += w * c;
                swa += w * c.abs();
            }
        }
    }
    if sw <= 1e-20 || mw <= 1e-20 {
        return (0.0, 0.0, 0.0);
    }
    (swc / mw, swc.abs() / swa.max(1e-20), mw / sw)
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

    /// Five-harmonic tone from `f0` gliding at `st_per_s` semitones per second.
    fn harmonic_glide(f0: f32, st_per_s: f32, secs: f32) -> Vec<f32> {
        let sr = 22050.0;
        let mut ph = 0f32;
        (0..(secs * sr) as usize)
            .map(|i| {
                let f = f0 * 2f32.powf(st_per_s * i as f32 / sr / 12.0);
                ph += f / sr;
                (1..=5)
                    .map(|h| 0.1 * (2.0 * std::f32::consts::PI * h as f32 * ph.fract()).sin())
                    .sum()
            })
            .collect()
    }

    fn median(mut v: Vec<f32>) -> f32 {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }

    #[test]
    fn drift_follows_a_glide_and_ignores_a_steady_tone() {
        // 6 semitones/s = 600 cents/s ≈ 27.9 cents per 46-ms hop, all partials together.
        let fr = compute(&harmonic_glide(200.0, 6.0, 2.0), 22050);
        let mid = 4..fr.n - 4;
        let d = median(fr.drift_cents[mid.clone()].to_vec());
        let c = median(fr.drift_coh[mid.clone()].to_vec());
        assert!((d - 27.9).abs() < 3.0, "drift {d}");
        assert!(c > 0.95, "coherence {c}");
        // Falling glide: negative drift.
        let fr = compute(&harmonic_glide(400.0, -6.0, 2.0), 22050);
        let d = median(fr.drift_cents[4..fr.n - 4].to_vec());
        assert!((d + 27.9).abs() < 3.0, "falling drift {d}");
        // Steady tone: nothing moves beyond the jitter floor.
        let fr = compute(&harmonic_glide(220.0, 0.0, 2.0), 22050);
        let s = fr.drift_share[4..fr.n - 4]
            .iter()
            .fold(0f32, |m, &x| m.max(x));
        assert!(s < 0.05, "steady moving share {s}");
    }

    #[test]
    fn empty_input() {
        let fr = compute(&[], 22050);
        assert_eq!(fr.n, 0);
    }
}

//! Multi-band spectral-flux onset novelty.
//!
//! Short-time spectra (Hann window ~46 ms, hop ~11.6 ms whatever the input rate) are
//! log-compressed; the positive spectral difference against the previous frame, taken
//! against a 3-bin maximum filter of that frame (SuperFlux-style, so vibrato and slow
//! glides do not count as onsets), is summed in four bands chosen for dance music:
//! kick (30–150 Hz), snare body / bass (150–500 Hz), mids (0.5–3 kHz) and hats / snare
//! crack (3–10 kHz). Each band is normalised by its own mean so a loud bass line cannot
//! drown the hats, then the bands are summed and locally detrended.

use realfft::RealFftPlanner;

/// Band edges in Hz.
pub const BAND_EDGES: [(f64, f64); 4] = [
    (30.0, 150.0),
    (150.0, 500.0),
    (500.0, 3000.0),
    (3000.0, 10000.0),
];
/// Index of each band in [`OnsetFeatures::bands`].
pub const KICK: usize = 0;
pub const LOW_MID: usize = 1;
pub const MID: usize = 2;
pub const HIGH: usize = 3;

/// Frame-rate features the rest of the crate works on.
#[derive(Debug, Clone, Default)]
pub struct OnsetFeatures {
    /// Frames per second of every per-frame vector.
    pub fps: f64,
    /// Time (s) of the centre of frame 0 relative to sample 0 is 0; frame `t` is at `t / fps`.
    pub n_frames: usize,
    /// Per-band flux, each normalised to mean 1 over the track (0 for a silent band).
    pub bands: [Vec<f32>; 4],
    /// Combined, detrended, half-wave rectified novelty.
    pub novelty: Vec<f32>,
    /// Frame RMS (linear, of the windowed frame).
    pub rms: Vec<f32>,
    /// 12-bin chroma per frame (L1 normalised, zeros for silence).
    pub chroma: Vec<[f32; 12]>,
}

/// STFT geometry for a sample rate: (window, hop).
pub fn geometry(sample_rate: u32) -> (usize, usize) {
    let sr = sample_rate.max(1000) as f64;
    let hop = ((256.0 * sr / 22050.0).round() as usize).max(16);
    let target = 1024.0 * sr / 22050.0;
    let mut win = 256usize;
    while (win as f64) < target * 0.75 {
        win *= 2;
    }
    (win, hop)
}

/// Compute onset features of mono PCM.
pub fn features(samples: &[f32], sample_rate: u32) -> OnsetFeatures {
    let (win, hop) = geometry(sample_rate);
    let sr = sample_rate.max(1000) as f64;
    let fps = sr / hop as f64;
    let n_frames = if samples.is_empty() {
        0
    } else {
        samples.len() / hop + 1
    };
    let mut out = OnsetFeatures {
        fps,
        n_frames,
        ..Default::default()
    };
    if n_frames < 2 {
        out.bands = std::array::from_fn(|_| vec![0.0; n_frames]);
        out.novelty = vec![0.0; n_frames];
        out.rms = vec![0.0; n_frames];
        out.chroma = vec![[0.0; 12]; n_frames];
        return out;
    }
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(win);
    let mut inbuf = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let nbins = win / 2 + 1;
    let window: Vec<f32> = (0..win)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / win as f64).cos()) as f32)
        .collect();
    let wsum: f32 = window.iter().sum();
    let bin_hz = sr / win as f64;
    // bin -> band
    let mut band_of = vec![usize::MAX; nbins];
    for (b, &(lo, hi)) in BAND_EDGES.iter().enumerate() {
        for (k, slot) in band_of.iter_mut().enumerate() {
            let f = k as f64 * bin_hz;
            if f >= lo && f < hi {
                *slot = b;
            }
        }
    }
    // bin -> pitch class for chroma (200 Hz .. 4 kHz)
    let chroma_of: Vec<Option<usize>> = (0..nbins)
        .map(|k| {
            let f = k as f64 * bin_hz;
            if (200.0..4000.0).contains(&f) {
                let midi = 69.0 + 12.0 * (f / 440.0).log2();
                Some((midi.round() as i64).rem_euclid(12) as usize)
            } else {
                None
            }
        })
        .collect();
    let max_bin = band_of
        .iter()
        .rposition(|&b| b != usize::MAX)
        .map_or(0, |k| k + 1);

    // Bins of each band as a contiguous range inside 1..max_bin-1 (the flux looks at k±1).
    let band_bins: Vec<(usize, usize)> = (0..BAND_EDGES.len())
        .map(|b| {
            let inner = 1..max_bin.saturating_sub(1);
            let lo = inner.clone().find(|&k| band_of[k] == b);
            let hi = inner.clone().rev().find(|&k| band_of[k] == b);
            match (lo, hi) {
                (Some(lo), Some(hi)) => (lo, hi + 1),
                _ => (1, 1),
            }
        })
        .collect();
    let n_bins_used = max_bin.min(nbins);
    let mut power = vec![0.0f32; nbins];
    let mut rises = vec![0.0f32; nbins];
    let mut bands: [Vec<f32>; 4] = std::array::from_fn(|_| vec![0.0f32; n_frames]);
    let mut rms = vec![0.0f32; n_frames];
    let mut chroma = vec![[0.0f32; 12]; n_frames];
    let mut prev = vec![0.0f32; nbins];
    let mut cur = vec![0.0f32; nbins];
    let gamma = 1000.0f32;
    let half = win / 2;
    let (chroma_lo, chroma_hi) = (
        chroma_of.iter().position(|c| c.is_some()).unwrap_or(0),
        chroma_of
            .iter()
            .rposition(|c| c.is_some())
            .map_or(0, |k| k + 1),
    );
    let chroma_pc: Vec<usize> = chroma_of.iter().map(|c| c.unwrap_or(0)).collect();
    let (chroma_lo, chroma_hi) = (chroma_lo.min(n_bins_used), chroma_hi.min(n_bins_used));
    let clean = |v: f32| if v.is_finite() { v } else { 0.0 };
    for t in 0..n_frames {
        let centre = t * hop;
        let mut e = 0.0f32;
        if centre >= half && centre + half <= samples.len() {
            let src = &samples[centre - half..centre + half];
            for ((slot, &x), &w) in inbuf.iter_mut().zip(src).zip(&window) {
                let v = clean(x) * w;
                e += v * v;
                *slot = v;
            }
        } else {
            for (i, slot) in inbuf.iter_mut().enumerate() {
                let idx = centre as isize + i as isize - half as isize;
                let x = if idx >= 0 && (idx as usize) < samples.len() {
                    clean(samples[idx as usize])
                } else {
                    0.0
                };
                let v = x * window[i];
                e += v * v;
                *slot = v;
            }
        }
        rms[t] = (e / win as f32).sqrt();
        if fft
            .process_with_scratch(&mut inbuf, &mut spec, &mut scratch)
            .is_err()
        {
            continue;
        }
        // Plain slice loops (no per-bin branches or lookups) so the compiler can vectorise
        // them; the arithmetic and the order of every sum are as in a per-bin loop.
        let scale = 2.0 / wsum;
        for ((p, m), c) in power[..n_bins_used]
            .iter_mut()
            .zip(&mut cur[..n_bins_used])
            .zip(&spec[..n_bins_used])
        {
            let p2 = (c.re * c.re + c.im * c.im) * scale * scale;
            *p = p2;
            *m = fast_ln1p(gamma * p2.sqrt());
        }
        let ch = &mut chroma[t];
        for (&pc, &p2) in chroma_pc[chroma_lo..chroma_hi]
            .iter()
            .zip(&power[chroma_lo..chroma_hi])
        {
            ch[pc] += p2;
        }
        let s: f32 = ch.iter().sum();
        if s > 1e-12 {
            for v in ch.iter_mut() {
                *v /= s;
            }
        }
        // SuperFlux: rise over the 3-bin maximum of the previous frame, summed per band
        // (frame 0 is compared with silence: audio that starts on a hit has an onset there).
        for (b, &(lo, hi)) in band_bins.iter().enumerate() {
            let mut acc = 0.0f32;
            for ((&c, w), rise) in cur[lo..hi]
                .iter()
                .zip(prev[lo - 1..hi + 1].windows(3))
                .zip(&mut rises[lo..hi])
            {
                *rise = (c - w[0].max(w[1]).max(w[2])).max(0.0);
            }
            for &r in &rises[lo..hi] {
                acc += r;
            }
            bands[b][t] += acc;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    for band in bands.iter_mut() {
        let mean = band.iter().map(|&v| v as f64).sum::<f64>() / n_frames as f64;
        if mean > 1e-9 {
            let inv = (1.0 / mean) as f32;
            band.iter_mut().for_each(|v| *v *= inv);
        } else {
            band.iter_mut().for_each(|v| *v = 0.0);
        }
    }
    let raw: Vec<f32> = (0..n_frames)
        .map(|t| bands.iter().map(|b| b[t]).sum::<f32>())
        .collect();
    out.novelty = detrend(&raw, (0.15 * fps).round() as usize);
    out.bands = bands;
    out.rms = rms;
    out.chroma = chroma;
    out
}

/// `ln(1 + x)` for `x >= 0`, to ~1e-4 absolute: exponent from the float's bits plus a
/// polynomial for the mantissa (the flux needs compression, not libm precision).
#[inline]
pub fn fast_ln1p(x: f32) -> f32 {
    let y = 1.0 + x.max(0.0);
    if !y.is_finite() {
        return 88.0;
    }
    let bits = y.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // [1, 2)
                                                                // ln(m) on [1,2) via atanh series in s = (m-1)/(m+1), s in [0, 1/3)
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let ln_m = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0))));
    e as f32 * std::f32::consts::LN_2 + ln_m
}

/// Subtract a centred moving average of half-width `h` and half-wave rectify.
pub fn detrend(x: &[f32], h: usize) -> Vec<f32> {
    let n = x.len();
    let mut pre = vec![0.0f64; n + 1];
    for i in 0..n {
        pre[i + 1] = pre[i] + x[i] as f64;
    }
    (0..n)
        .map(|i| {
            let a = i.saturating_sub(h);
            let b = (i + h + 1).min(n);
            let m = (pre[b] - pre[a]) / (b - a) as f64;
            (x[i] as f64 - m).max(0.0) as f32
        })
        .collect()
}

/// Linear interpolation of a frame signal at fractional frame `pos` (0 outside).
pub fn interp(x: &[f32], pos: f64) -> f32 {
    if pos < 0.0 {
        return 0.0;
    }
    let i = pos.floor() as usize;
    if i + 1 >= x.len() {
        return if i < x.len() { x[i] } else { 0.0 };
    }
    let f = (pos - i as f64) as f32;
    x[i] * (1.0 - f) + x[i + 1] * f
}

/// Maximum of `x` within `pos ± w` frames.
pub fn local_max(x: &[f32], pos: f64, w: usize) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    let c = pos.round();
    if c < -(w as f64) {
        return 0.0;
    }
    let a = (c - w as f64).max(0.0) as usize;
    let b = ((c + w as f64).max(0.0) as usize).min(x.len() - 1);
    if a > b {
        return 0.0;
    }
    x[a..=b].iter().copied().fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_ln1p_matches_libm() {
        let mut x = 0.0f32;
        while x < 1e6 {
            let want = (1.0 + x as f64).ln();
            let got = fast_ln1p(x) as f64;
            assert!(
                (got - want).abs() < 2e-4 * want.max(1.0),
                "x {x}: {got} vs {want}"
            );
            x = x * 1.37 + 0.001;
        }
        assert!(fast_ln1p(f32::INFINITY).is_finite());
    }

    #[test]
    fn geometry_keeps_time_resolution_across_rates() {
        for sr in [22050u32, 44100, 48000, 16000] {
            let (win, hop) = geometry(sr);
            let hop_s = hop as f64 / sr as f64;
            assert!((hop_s - 256.0 / 22050.0).abs() < 2e-4, "{sr}: hop {hop_s}");
            assert!(win.is_power_of_two() && win >= hop * 2);
        }
    }
}

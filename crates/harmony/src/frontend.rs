//! Chroma front end: decimation, STFT, spectral-peak picking (tonal peaks only), tuning
//! estimation and the peak → pitch-class mapping.
//!
//! Why spectral peaks: a tonal partial is a narrow spectral peak that stands well above its
//! neighbourhood; hats, snares, claps and noise risers are broadband and rarely produce such
//! peaks. Keeping only prominent peaks is a cheap harmonic/percussive weighting that needs no
//! second pass over time. Long windows (≈0.74 s) resolve semitones down to the bass register.

use realfft::RealFftPlanner;

/// Rate the analysis runs at after integer decimation (≈5.5 kHz from 22.05 kHz).
const TARGET_RATE: f64 = 5512.5;
/// Lowest/highest partial frequency that enters the chroma.
pub(crate) const F_MIN: f64 = 40.0;
pub(crate) const F_MAX: f64 = 2000.0;
/// Upper limit of the bass register (its own chroma, weighted for the tonic).
pub(crate) const F_BASS_MAX: f64 = 170.0;
/// A peak must exceed the local spectral mean by this factor (≈8 dB) to count as tonal.
const PROMINENCE: f32 = 2.5;
/// Half-width (Hz) of the neighbourhood the local mean is taken over.
const LOCAL_HZ: f64 = 12.0;
/// Peaks quieter than this fraction of the frame's loudest peak are ignored (−50 dB).
const REL_FLOOR: f32 = 3.2e-3;
/// At most this many peaks per frame (loudest kept).
const MAX_PEAKS: usize = 48;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Peak {
    pub freq: f32,
    pub mag: f32,
}

/// Tonal peaks of every STFT frame plus framing facts.
pub(crate) struct Spectrum {
    pub hop_s: f64,
    /// `peaks[frame_start[i]..frame_start[i + 1]]` are frame i's peaks.
    pub peaks: Vec<Peak>,
    pub frame_start: Vec<usize>,
    /// Total spectral magnitude (F_MIN..F_MAX) of each frame, tonal or not.
    pub frame_energy: Vec<f32>,
}

impl Spectrum {
    pub fn n_frames(&self) -> usize {
        self.frame_start.len().saturating_sub(1)
    }

    pub fn frame(&self, i: usize) -> &[Peak] {
        &self.peaks[self.frame_start[i]..self.frame_start[i + 1]]
    }
}

/// Windowed-sinc low-pass + integer decimation. Returns the decimated signal and its rate.
fn decimate(samples: &[f32], sample_rate: f64) -> (Vec<f32>, f64) {
    let factor = (sample_rate / TARGET_RATE).floor().max(1.0) as usize;
    if factor == 1 {
        return (
            samples
                .iter()
                .map(|&x| if x.is_finite() { x } else { 0.0 })
                .collect(),
            sample_rate,
        );
    }
    let out_rate = sample_rate / factor as f64;
    // Cut-off a bit below the new Nyquist; Blackman window.
    let taps = 16 * factor + 1;
    let fc = 0.42 / factor as f64; // cycles per input sample
    let mid = (taps / 2) as f64;
    let mut h: Vec<f32> = (0..taps)
        .map(|i| {
            let x = i as f64 - mid;
            let sinc = if x == 0.0 {
                2.0 * fc
            } else {
                (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x)
            };
            let w = 0.42 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (taps - 1) as f64).cos()
                + 0.08 * (4.0 * std::f64::consts::PI * i as f64 / (taps - 1) as f64).cos();
            (sinc * w) as f32
        })
        .collect();
    let sum: f32 = h.iter().sum();
    if sum.abs() > 1e-9 {
        h.iter_mut().for_each(|v| *v /= sum);
    }
    let n_out = samples.len() / factor;
    let half = taps / 2;
    let mut out = Vec::with_capacity(n_out);
    for j in 0..n_out {
        let c = j * factor;
        let mut acc = 0.0f32;
        if c >= half && c + half < samples.len() {
            let seg = &samples[c - half..c - half + taps];
            for (x, w) in seg.iter().zip(&h) {
                acc += x * w;
            }
        } else {
            for (t, w) in h.iter().enumerate() {
                let idx = c as isize + t as isize - half as isize;
                if idx >= 0 && (idx as usize) < samples.len() {
                    acc += samples[idx as usize] * w;
                }
            }
        }
        out.push(if acc.is_finite() { acc } else { 0.0 });
    }
    (out, out_rate)
}

/// STFT + tonal peak picking over the whole signal.
pub(crate) fn analyze_spectrum(samples: &[f32], sample_rate: u32) -> Spectrum {
    let (x, rate) = decimate(samples, f64::from(sample_rate.max(1)));
    // ≈0.74 s window at 5.5 kHz; scale with the rate so resolution stays in Hz.
    let n_fft = (0.74 * rate).max(64.0).log2().round().exp2() as usize;
    let hop = n_fft / 4;
    let hop_s = hop as f64 / rate;
    let bin_hz = rate / n_fft as f64;
    let mut spec = Spectrum {
        hop_s,
        peaks: Vec::new(),
        frame_start: vec![0],
        frame_energy: Vec::new(),
    };
    if x.len() < n_fft / 2 {
        return spec;
    }
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(n_fft);
    let window: Vec<f32> = (0..n_fft)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n_fft as f64).cos()) as f32)
        .collect();
    let mut inbuf = fft.make_input_vec();
    let mut outbuf = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let mut mag = vec![0.0f32; n_fft / 2 + 1];
    let mut prefix = vec![0.0f64; n_fft / 2 + 2];
    let mut frame_peaks: Vec<Peak> = Vec::with_capacity(256);
    let k_lo = ((F_MIN / bin_hz).floor() as usize).max(2);
    let k_hi = ((F_MAX / bin_hz).ceil() as usize).min(n_fft / 2 - 2);
    let half_w = ((LOCAL_HZ / bin_hz).round() as usize).max(3);
    // Frames centred on t = i*hop (zero-padded at both ends).
    let n_frames = x.len().div_ceil(hop);
    for fi in 0..n_frames {
        let centre = fi * hop;
        for (i, v) in inbuf.iter_mut().enumerate() {
            let idx = centre as isize + i as isize - (n_fft / 2) as isize;
            *v = if idx >= 0 && (idx as usize) < x.len() {
                x[idx as usize] * window[i]
            } else {
                0.0
            };
        }
        if fft
            .process_with_scratch(&mut inbuf, &mut outbuf, &mut scratch)
            .is_err()
        {
            spec.frame_energy.push(0.0);
            spec.frame_start.push(spec.peaks.len());
            continue;
        }
        for (m, c) in mag.iter_mut().zip(&outbuf) {
            *m = c.norm();
        }
        prefix[0] = 0.0;
        for (k, &m) in mag.iter().enumerate() {
            prefix[k + 1] = prefix[k] + f64::from(m);
        }
        let energy = (prefix[k_hi + 1] - prefix[k_lo]) as f32;
        frame_peaks.clear();
        let mut frame_max = 0.0f32;
        for k in k_lo..=k_hi {
            let m = mag[k];
            if m <= mag[k - 1] || m < mag[k + 1] || m <= 0.0 {
                continue;
            }
            let a = k.saturating_sub(half_w);
            let b = (k + half_w + 1).min(mag.len());
            let local = ((prefix[b] - prefix[a]) / (b - a) as f64) as f32;
            if m < PROMINENCE * local {
                continue;
            }
            // Parabolic interpolation on log magnitude.
            let (l, c, r) = (
                (mag[k - 1] + 1e-12).ln(),
                (m + 1e-12).ln(),
                (mag[k + 1] + 1e-12).ln(),
            );
            let den = l - 2.0 * c + r;
            let delta = if den.abs() > 1e-12 {
                (0.5 * (l - r) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            let amp = (c - 0.25 * (l - r) * delta).exp();
            let freq = ((k as f32 + delta) * bin_hz as f32).max(0.0);
            frame_max = frame_max.max(amp);
            frame_peaks.push(Peak { freq, mag: amp });
        }
        let floor = frame_max * REL_FLOOR;
        frame_peaks.retain(|p| p.mag >= floor);
        if frame_peaks.len() > MAX_PEAKS {
            frame_peaks.sort_by(|a, b| b.mag.total_cmp(&a.mag));
            frame_peaks.truncate(MAX_PEAKS);
        }
        spec.peaks.extend_from_slice(&frame_peaks);
        spec.frame_energy.push(energy);
        spec.frame_start.push(spec.peaks.len());
    }
    spec
}

/// Weighted circular mean of every peak's deviation from the 440 Hz equal-tempered grid.
/// Returns cents in [-50, 50).
pub(crate) fn estimate_tuning(spec: &Spectrum) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for p in &spec.peaks {
        if p.freq <= 0.0 {
            continue;
        }
        let semis = 12.0 * (f64::from(p.freq) / 440.0).log2();
        let dev = semis - semis.round();
        let w = f64::from(p.mag).sqrt();
        let ang = 2.0 * std::f64::consts::PI * dev;
        s += w * ang.sin();
        c += w * ang.cos();
    }
    if s == 0.0 && c == 0.0 {
        return 0.0;
    }
    let cents = 100.0 * s.atan2(c) / (2.0 * std::f64::consts::PI);
    if cents >= 50.0 {
        cents - 100.0
    } else {
        cents
    }
}

/// Per-frame chroma (full range and bass register), pitch class 0 = C.
pub(crate) struct Chromagram {
    pub full: Vec<[f32; 12]>,
    pub bass: Vec<[f32; 12]>,
    /// Sum of tonal-peak magnitude per frame (before normalisation).
    pub tonal: Vec<f32>,
}

pub(crate) fn chromagram(spec: &Spectrum, tuning_cents: f64) -> Chromagram {
    let fref = 440.0 * (tuning_cents / 1200.0).exp2();
    let n = spec.n_frames();
    let mut out = Chromagram {
        full: vec![[0.0; 12]; n],
        bass: vec![[0.0; 12]; n],
        tonal: vec![0.0; n],
    };
    for i in 0..n {
        let (full, bass) = (&mut out.full[i], &mut out.bass[i]);
        let mut tonal = 0.0f32;
        for p in spec.frame(i) {
            let f = f64::from(p.freq);
            if !(F_MIN..=F_MAX).contains(&f) {
                continue;
            }
            let midi = 69.0 + 12.0 * (f / fref).log2();
            let note = midi.round();
            let d = midi - note;
            // Off-grid partials (inharmonic, noise) count less; a quarter tone off counts 0.
            let w_tune = (std::f64::consts::PI * d).cos().powi(2) as f32;
            let pc = (note as i64).rem_euclid(12) as usize;
            // Compressed amplitude so a loud bass line does not drown the mids.
            let w = p.mag.sqrt() * w_tune;
            full[pc] += w;
            if f <= F_BASS_MAX {
                bass[pc] += w;
            }
            tonal += p.mag * w_tune;
        }
        out.tonal[i] = tonal;
    }
    out
}

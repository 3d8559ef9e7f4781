//! musicnn's input representation, reproduced exactly: audio at 16 kHz, STFT with a 512-point
//! periodic Hann window and hop 256 (librosa `center=True`, reflect padding — the librosa
//! versions musicnn was trained with), power spectrum, 96 Slaney mel bands (librosa
//! `filters.mel(norm="slaney", htk=False)`, 0–8 kHz), then `log10(10000·x + 1)` computed in
//! f32 (the original casts to float16 first, which overflows to `inf` on loud frames —
//! STACK_NOTES pitfall 7).

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::MlError;

pub const MUSICNN_SR: u32 = 16_000;
pub const N_FFT: usize = 512;
pub const HOP: usize = 256;
pub const N_MELS: usize = 96;
/// Frames per ~3 s patch (`librosa.time_to_frames(3, sr=16000, n_fft=512, hop=256) + 1`).
pub const PATCH_FRAMES: usize = 187;

/// Log-mel front end (window, FFT plan and filterbank prepared once).
pub struct MelFrontend {
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    /// `N_MELS` rows of `(first_bin, weights)` (sparse triangular filters).
    filters: Vec<(usize, Vec<f32>)>,
}

impl std::fmt::Debug for MelFrontend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MelFrontend").finish_non_exhaustive()
    }
}

fn hz_to_mel(f: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// librosa's Slaney-normalised mel filterbank, `[n_mels][1 + n_fft/2]`.
pub(crate) fn mel_filterbank(sr: f64, n_fft: usize, n_mels: usize) -> Vec<Vec<f64>> {
    let n_bins = 1 + n_fft / 2;
    let fftfreqs: Vec<f64> = (0..n_bins)
        .map(|i| i as f64 * (sr / 2.0) / (n_bins - 1) as f64)
        .collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    (0..n_mels)
        .map(|i| {
            let (f0, f1, f2) = (mel_f[i], mel_f[i + 1], mel_f[i + 2]);
            let enorm = 2.0 / (f2 - f0);
            fftfreqs
                .iter()
                .map(|&f| {
                    let lower = (f - f0) / (f1 - f0);
                    let upper = (f2 - f) / (f2 - f1);
                    lower.min(upper).max(0.0) * enorm
                })
                .collect()
        })
        .collect()
}

impl Default for MelFrontend {
    fn default() -> Self {
        Self::new()
    }
}

impl MelFrontend {
    pub fn new() -> Self {
        let window = (0..N_FFT)
            .map(|i| {
                (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / N_FFT as f64).cos()) as f32
            })
            .collect();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT);
        let filters = mel_filterbank(f64::from(MUSICNN_SR), N_FFT, N_MELS)
            .into_iter()
            .map(|row| {
                let first = row.iter().position(|&w| w > 0.0).unwrap_or(0);
                let last = row.iter().rposition(|&w| w > 0.0).unwrap_or(first);
                (first, row[first..=last].iter().map(|&w| w as f32).collect())
            })
            .collect();
        Self {
            window,
            fft,
            filters,
        }
    }

    /// Number of frames librosa produces for `n` samples (`center=True`).
    pub fn n_frames(n: usize) -> usize {
        1 + n / HOP
    }

    /// Log-mel spectrogram of 16 kHz mono audio, frame-major: `out[t * N_MELS + m]`.
    /// Only frames `frames` (a range of frame indices) are computed.
    pub fn logmel_frames(&self, x: &[f32], frames: std::ops::Range<usize>) -> Vec<f32> {
        let n = x.len();
        let pad = N_FFT / 2;
        let mut out = Vec::with_capacity(frames.len() * N_MELS);
        let mut buf = vec![0f32; N_FFT];
        let mut spec = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0f32; N_FFT / 2 + 1];
        for t in frames {
            for (i, b) in buf.iter_mut().enumerate() {
                // index into the reflect-padded signal
                let j = (t * HOP + i) as isize - pad as isize;
                *b = sample_reflect(x, j, n) * self.window[i];
            }
            if self
                .fft
                .process_with_scratch(&mut buf, &mut spec, &mut scratch)
                .is_err()
            {
                out.extend(std::iter::repeat_n(0.0, N_MELS));
                continue;
            }
            for (p, c) in power.iter_mut().zip(&spec) {
                *p = c.re * c.re + c.im * c.im;
            }
            for (first, w) in &self.filters {
                let e: f32 = w.iter().zip(&power[*first..]).map(|(a, b)| a * b).sum();
                out.push((10000.0 * e + 1.0).log10());
            }
        }
        out
    }

    /// Log-mel of the whole signal.
    pub fn logmel(&self, x: &[f32]) -> Vec<f32> {
        self.logmel_frames(x, 0..Self::n_frames(x.len()))
    }
}

/// `x[j]` with numpy "reflect" padding (no edge repeat); zero for an empty or 1-sample input
/// outside its range.
fn sample_reflect(x: &[f32], mut j: isize, n: usize) -> f32 {
    if n == 0 {
        return 0.0;
    }
    if n == 1 {
        return if j == 0 { x[0] } else { 0.0 };
    }
    let n = n as isize;
    let period = 2 * (n - 1);
    j = j.rem_euclid(period);
    if j >= n {
        j = period - j;
    }
    x[j as usize]
}

/// Resample mono audio from `from` Hz to 16 kHz with rubato's FFT resampler.
pub fn resample_to_16k(x: &[f32], from: u32) -> Result<Vec<f32>, MlError> {
    if from == MUSICNN_SR {
        return Ok(x.to_vec());
    }
    if x.is_empty() {
        return Ok(Vec::new());
    }
    let err = |e: Box<dyn std::error::Error + Send + Sync>| MlError::Resample {
        from,
        to: MUSICNN_SR,
        source: e,
    };
    let mut rs = Fft::<f32>::new(
        from as usize,
        MUSICNN_SR as usize,
        4096,
        1,
        FixedSync::Input,
    )
    .map_err(|e| err(Box::new(e)))?;
    let out_len = rs.process_all_needed_output_len(x.len());
    let mut out = vec![0f32; out_len];
    let input = SequentialSlice::new(x, 1, x.len()).map_err(|e| err(Box::new(e)))?;
    let mut output =
        SequentialSlice::new_mut(&mut out, 1, out_len).map_err(|e| err(Box::new(e)))?;
    // rubato unwraps its inverse FFT result, which fails on non-finite spectra (callers
    // reject NaN/inf, but a finite input near f32::MAX can still overflow): never let that
    // panic escape.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rs.process_all_into_buffer(&input, &mut output, x.len(), None)
    }));
    let (_, produced) = match run {
        Ok(r) => r.map_err(|e| err(Box::new(e)))?,
        Err(_) => return Err(err("resampler panicked (non-finite spectrum)".into())),
    };
    out.truncate(produced);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips() {
        for f in [0.0, 440.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(f)) - f).abs() < 1e-6);
        }
    }

    #[test]
    fn filterbank_is_slaney_normalised() {
        // Slaney norm: each triangle has unit area in Hz (weights * bin spacing sum to ~1).
        let fb = mel_filterbank(16000.0, 512, 96);
        let df = 16000.0 / 512.0;
        for row in &fb[20..] {
            let area: f64 = row.iter().sum::<f64>() * df;
            assert!((area - 1.0).abs() < 0.15, "area {area}");
        }
    }

    #[test]
    fn sine_peaks_in_the_right_band() {
        let sr = 16000.0;
        let f0 = 1000.0;
        let x: Vec<f32> = (0..16000)
            .map(|i| (2.0 * std::f64::consts::PI * f0 * i as f64 / sr).sin() as f32 * 0.5)
            .collect();
        let fe = MelFrontend::new();
        let lm = fe.logmel(&x);
        assert_eq!(lm.len(), MelFrontend::n_frames(x.len()) * N_MELS);
        let frame = &lm[30 * N_MELS..31 * N_MELS];
        let best = (0..N_MELS)
            .max_by(|&a, &b| frame[a].total_cmp(&frame[b]))
            .unwrap_or(0);
        // the band whose centre is nearest 1 kHz
        let fb = mel_filterbank(sr, 512, 96);
        let bin = (f0 / (sr / 512.0)) as usize;
        let expect = (0..N_MELS)
            .max_by(|&a, &b| fb[a][bin].total_cmp(&fb[b][bin]))
            .unwrap_or(0);
        assert!(
            (best as isize - expect as isize).abs() <= 1,
            "{best} vs {expect}"
        );
        assert!(lm.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn reflect_padding_matches_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f32> = (-3..7).map(|j| sample_reflect(&x, j, 4)).collect();
        assert_eq!(got, vec![4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0]);
    }

    #[test]
    fn resampling_keeps_duration_and_pitch() {
        let sr = 22050.0;
        let x: Vec<f32> = (0..22050 * 2)
            .map(|i| (2.0 * std::f64::consts::PI * 440.0 * i as f64 / sr).sin() as f32)
            .collect();
        let y = resample_to_16k(&x, 22050).unwrap_or_default();
        assert!((y.len() as i64 - 32000).abs() <= 2, "{}", y.len());
        // zero crossings of a 440 Hz tone over the middle second: ~880
        let zc = y[8000..24000]
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        assert!((zc as i64 - 880).abs() <= 2, "{zc}");
    }
}

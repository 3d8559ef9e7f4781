//! Streaming mono resampler (rubato FFT, synchronous ratio) with the startup delay trimmed,
//! so output sample `k` corresponds to input time `k / out_rate`.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const CHUNK: usize = 4096;

/// Feed mono blocks of any size with [`push`](Self::push), then [`finish`](Self::finish).
pub struct StreamResampler {
    inner: Option<Fft<f32>>,
    pending: Vec<f32>,
    pending_start: usize,
    scratch: Vec<f32>,
    out: Vec<f32>,
    to_skip: usize,
    total_in: u64,
    in_rate: u32,
    out_rate: u32,
}

impl StreamResampler {
    pub fn new(in_rate: u32, out_rate: u32) -> Result<Self, BoxError> {
        if in_rate == 0 || out_rate == 0 {
            return Err("sample rate must be positive".into());
        }
        let (inner, scratch, to_skip) = if in_rate == out_rate {
            (None, Vec::new(), 0)
        } else {
            let r = Fft::<f32>::new(
                in_rate as usize,
                out_rate as usize,
                CHUNK,
                1,
                FixedSync::Input,
            )?;
            let scratch = vec![0.0; r.output_frames_max()];
            let skip = r.output_delay();
            (Some(r), scratch, skip)
        };
        Ok(StreamResampler {
            inner,
            pending: Vec::new(),
            pending_start: 0,
            scratch,
            out: Vec::new(),
            to_skip,
            total_in: 0,
            in_rate,
            out_rate,
        })
    }

    /// Pre-allocates the output for about `frames_out` frames.
    pub fn reserve_output(&mut self, frames_out: usize) {
        self.out.reserve(frames_out);
    }

    /// Output frames produced so far.
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    pub fn push(&mut self, block: &[f32]) -> Result<(), BoxError> {
        self.total_in += block.len() as u64;
        if self.inner.is_none() {
            self.out.extend_from_slice(block);
            return Ok(());
        }
        self.pending.extend_from_slice(block);
        self.drain(false)
    }

    fn drain(&mut self, flush: bool) -> Result<(), BoxError> {
        let Some(r) = self.inner.as_mut() else {
            return Ok(());
        };
        loop {
            let need = r.input_frames_next();
            let avail = self.pending.len() - self.pending_start;
            if avail == 0 || (avail < need && !flush) {
                break;
            }
            let take = avail.min(need);
            let input = &self.pending[self.pending_start..self.pending_start + take];
            let adapter_in = InterleavedSlice::new(input, 1, take)?;
            let frames_out = self.scratch.len();
            let mut adapter_out = InterleavedSlice::new_mut(&mut self.scratch, 1, frames_out)?;
            let idx = Indexing {
                partial_len: (take < need).then_some(take),
                ..Default::default()
            };
            let (_used, produced) =
                r.process_into_buffer(&adapter_in, &mut adapter_out, Some(&idx))?;
            self.pending_start += take;
            let produced = &self.scratch[..produced];
            let skip = self.to_skip.min(produced.len());
            self.to_skip -= skip;
            self.out.extend_from_slice(&produced[skip..]);
        }
        if self.pending_start > 0 && self.pending_start * 2 >= self.pending.len() {
            self.pending.drain(..self.pending_start);
            self.pending_start = 0;
        }
        Ok(())
    }

    /// Flushes the tail and returns exactly `round(total_in * out_rate / in_rate)` frames.
    pub fn finish(mut self) -> Result<Vec<f32>, BoxError> {
        let expected =
            ((self.total_in as f64) * self.out_rate as f64 / self.in_rate as f64).round() as usize;
        if self.inner.is_some() {
            self.drain(true)?;
            // Feed silence until the delayed tail has come out.
            let mut guard = 0;
            while self.out.len() < expected && guard < 64 {
                let need = self
                    .inner
                    .as_ref()
                    .map(|r| r.input_frames_next())
                    .unwrap_or(CHUNK);
                self.pending.extend(std::iter::repeat_n(0.0, need));
                self.drain(true)?;
                guard += 1;
            }
        }
        self.out.truncate(expected);
        Ok(self.out)
    }
}

/// One-shot mono resampling (e.g. 22050 -> 16000 for a model), delay-compensated.
pub fn resample_mono(samples: &[f32], in_rate: u32, out_rate: u32) -> Result<Vec<f32>, BoxError> {
    let mut r = StreamResampler::new(in_rate, out_rate)?;
    r.reserve_output(
        (samples.len() as f64 * out_rate as f64 / in_rate.max(1) as f64) as usize + 16,
    );
    r.push(samples)?;
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin() as f32)
            .collect()
    }

    #[test]
    fn length_and_phase_are_preserved() {
        let x = sine(440.0, 44100, 44100 * 3);
        let y = resample_mono(&x, 44100, 22050).expect("resample");
        assert_eq!(y.len(), 22050 * 3);
        // No delay: compare with the ideal sine at the output rate (away from the edges).
        let ideal = sine(440.0, 22050, y.len());
        let err: f32 = y[2000..60000]
            .iter()
            .zip(&ideal[2000..60000])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max error {err}");
    }

    #[test]
    fn chunked_equals_one_shot() {
        let x = sine(1000.0, 48000, 48000);
        let a = resample_mono(&x, 48000, 22050).expect("resample");
        let mut r = StreamResampler::new(48000, 22050).expect("new");
        for c in x.chunks(1153) {
            r.push(c).expect("push");
        }
        let b = r.finish().expect("finish");
        assert_eq!(a.len(), b.len());
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-5);
        }
    }

    #[test]
    fn aliasing_is_suppressed() {
        // 15 kHz is above the 11.025 kHz Nyquist of the output: it must vanish, not fold.
        let x = sine(15000.0, 44100, 44100 * 2);
        let y = resample_mono(&x, 44100, 22050).expect("resample");
        let rms = (y[4000..40000].iter().map(|v| v * v).sum::<f32>() / 36000.0).sqrt();
        assert!(rms < 0.01, "rms {rms}");
    }

    #[test]
    fn same_rate_is_identity() {
        let x = sine(100.0, 22050, 1000);
        assert_eq!(resample_mono(&x, 22050, 22050).expect("resample"), x);
    }
}

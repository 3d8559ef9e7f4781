//! True peak (ITU-R BS.1770-4 Annex 2): the largest absolute value of the signal after
//! oversampling (×4 below 96 kHz, ×2 below 192 kHz), per channel.
//!
//! Same method as the standard and libebur128 — a polyphase windowed-sinc interpolator, 12
//! taps per phase at ×4 — but cheaper where it is safe to be: phase 0 of an odd-length sinc
//! is the input itself (sample peak), and a stretch of input whose largest sample, times the
//! interpolator's largest absolute gain, cannot beat the peak already known is skipped
//! without changing the result. On mastered dance music that skips most quiet passages and
//! the troughs between kicks; the worst case (all samples near full scale) costs the same
//! as the plain filter.

/// Taps per polyphase branch.
const TAPS: usize = 12;
/// Input samples per skip-check chunk.
const CHUNK: usize = 32;

/// True-peak meter for interleaved f32 frames.
pub struct TruePeak {
    channels: usize,
    factor: usize,
    /// `phases[k][j]`: tap j of phase k (k = 1..factor), ordered oldest sample first.
    phases: Vec<[f32; TAPS]>,
    /// Upper bound of |output| / max|input window| over all phases.
    gain: f32,
    /// Per channel: the last TAPS-1 samples of the previous block, then the current block.
    work: Vec<Vec<f32>>,
    peak: Vec<f32>,
}

/// Oversampling factor BS.1770-4 asks for at `rate` (the standard specifies ×4 at 48 kHz).
pub fn oversampling(rate: u32) -> usize {
    if rate < 96_000 {
        4
    } else if rate < 192_000 {
        2
    } else {
        1
    }
}

fn design(factor: usize) -> Vec<[f32; TAPS]> {
    // Odd-length (TAPS*factor + 1) Hann-windowed sinc with its cut-off at the original
    // Nyquist; its zero crossings fall on the input samples, so phase 0 is the identity.
    let len = TAPS * factor + 1;
    let mid = (len - 1) as f64 / 2.0;
    let h: Vec<f64> = (0..len)
        .map(|n| {
            let t = (n as f64 - mid) / factor as f64;
            let sinc = if t == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
            };
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / (len - 1) as f64).cos();
            sinc * w
        })
        .collect();
    // Output at fractional position m + k/factor uses input samples x[m - j] with weight
    // h[j*factor + k] (j = 0..TAPS); store reversed so a window slice is oldest-first.
    (1..factor)
        .map(|k| {
            let mut taps = [0f32; TAPS];
            for (j, slot) in taps.iter_mut().rev().enumerate() {
                *slot = h.get(j * factor + k).copied().unwrap_or(0.0) as f32;
            }
            taps
        })
        .collect()
}

impl TruePeak {
    pub fn new(channels: usize, rate: u32) -> Self {
        let factor = oversampling(rate);
        let phases = design(factor);
        let gain = phases
            .iter()
            .map(|p| p.iter().map(|v| v.abs()).sum::<f32>())
            .fold(1.0f32, f32::max)
            * 1.0001; // rounding margin: never skip a chunk that could matter
        let channels = channels.max(1);
        Self {
            channels,
            factor,
            phases,
            gain,
            work: vec![vec![0.0; TAPS - 1]; channels],
            peak: vec![0.0; channels],
        }
    }

    /// Feed interleaved frames (a partial trailing frame is ignored).
    pub fn add_frames(&mut self, interleaved: &[f32]) {
        let ch = self.channels;
        let frames = interleaved.len() / ch;
        for c in 0..ch {
            let buf = &mut self.work[c];
            buf.truncate(TAPS - 1);
            buf.extend(interleaved.chunks_exact(ch).take(frames).map(|f| f[c]));
            let mut peak = self.peak[c];
            // phase 0: the samples themselves
            for &v in &buf[TAPS - 1..] {
                peak = peak.max(v.abs());
            }
            if self.factor > 1 {
                peak = interpolated_peak(buf, &self.phases, self.gain, peak);
            }
            self.peak[c] = peak;
            let keep = buf.len() - (TAPS - 1);
            buf.drain(..keep);
        }
    }

    /// True peak per channel, linear (1.0 = full scale).
    pub fn peaks(&self) -> &[f32] {
        &self.peak
    }
}

/// Largest interpolated |value| over `buf` (history + block), or `known` if none is larger.
fn interpolated_peak(buf: &[f32], phases: &[[f32; TAPS]], gain: f32, known: f32) -> f32 {
    let mut peak = known;
    let n_out = buf.len() + 1 - TAPS; // windows buf[m..m+TAPS]
    let mut start = 0;
    while start < n_out {
        let end = (start + CHUNK).min(n_out);
        let local = buf[start..end + TAPS - 1]
            .iter()
            .fold(0f32, |a, &v| a.max(v.abs()));
        if local * gain > peak {
            // per phase, accumulate tap by tap across the chunk's outputs: independent lanes
            // the compiler vectorises (a per-output dot product would be one serial chain)
            let len = end - start;
            let x = &buf[start..end + TAPS - 1];
            for p in phases {
                let mut acc = [0f32; CHUNK];
                for (j, &h) in p.iter().enumerate() {
                    for (a, &v) in acc[..len].iter_mut().zip(&x[j..j + len]) {
                        *a += h * v;
                    }
                }
                for &a in &acc[..len] {
                    peak = peak.max(a.abs());
                }
            }
        }
        start = end;
    }
    peak
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ebur128_tp(x: &[f32], ch: usize, rate: u32) -> f64 {
        let mut m = ebur128::EbuR128::new(ch as u32, rate, ebur128::Mode::TRUE_PEAK)
            .unwrap_or_else(|e| panic!("{e}"));
        m.add_frames_f32(x).unwrap_or_else(|e| panic!("{e}"));
        (0..ch as u32)
            .map(|c| m.true_peak(c).unwrap_or(0.0))
            .fold(0.0, f64::max)
    }

    fn ours(x: &[f32], ch: usize, rate: u32, block: usize) -> f64 {
        let mut t = TruePeak::new(ch, rate);
        for b in x.chunks(block * ch) {
            t.add_frames(b);
        }
        t.peaks().iter().copied().fold(0.0, f32::max) as f64
    }

    fn db(v: f64) -> f64 {
        20.0 * v.log10()
    }

    #[test]
    fn inter_sample_peak_of_a_quarter_rate_sine() {
        // fs/4 sine at 45° phase: every sample is at ±0.707 A, the waveform peaks at A.
        let rate = 48_000;
        let x: Vec<f32> = (0..48_000)
            .map(|n| {
                (std::f64::consts::FRAC_PI_2 * n as f64 + std::f64::consts::FRAC_PI_4).sin() as f32
                    * 0.5
            })
            .collect();
        let sample_peak = x.iter().fold(0f32, |a, v| a.max(v.abs())) as f64;
        let tp = ours(&x, 1, rate, 4096);
        assert!(db(sample_peak) < db(0.5) - 2.9, "sample peak {sample_peak}");
        assert!((db(tp) - db(0.5)).abs() < 0.2, "true peak {} dBTP", db(tp));
    }

    #[test]
    fn matches_the_reference_meter_on_music_like_signals() {
        let rate = 44_100;
        let n = rate as usize * 3;
        let mut s = 12345u32;
        let mut x = Vec::with_capacity(n * 2);
        for i in 0..n {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            let t = i as f32 / rate as f32;
            let kick = (-(t % 0.5) * 30.0).exp() * (2.0 * std::f32::consts::PI * 55.0 * t).sin();
            let hat = 0.3 * noise * (-(t % 0.125) * 80.0).exp();
            let l = 0.7 * kick + hat + 0.1 * (2.0 * std::f32::consts::PI * 9_000.0 * t).sin();
            let r =
                0.6 * kick - hat + 0.15 * (2.0 * std::f32::consts::PI * 15_000.0 * t + 1.0).sin();
            x.push(l.clamp(-1.0, 1.0));
            x.push(r.clamp(-1.0, 1.0));
        }
        let reference = ebur128_tp(&x, 2, rate);
        for block in [1, 7, 1000, 1 << 15] {
            let v = ours(&x, 2, rate, block);
            assert!(
                (db(v) - db(reference)).abs() < 0.1,
                "block {block}: {} vs {}",
                db(v),
                db(reference)
            );
        }
        // gain scales the peak exactly (metamorphic)
        let half: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
        let v = ours(&half, 2, rate, 4096);
        assert!((db(v) - (db(ours(&x, 2, rate, 4096)) - 6.0206)).abs() < 0.01);
    }

    #[test]
    fn silence_and_high_rates() {
        assert_eq!(ours(&[0.0; 1000], 2, 48_000, 100), 0.0);
        assert_eq!(oversampling(44_100), 4);
        assert_eq!(oversampling(96_000), 2);
        assert_eq!(oversampling(192_000), 1);
        // at 192 kHz no oversampling: true peak = sample peak
        let x = [0.1f32, -0.9, 0.3, 0.2];
        assert!((ours(&x, 1, 192_000, 2) - 0.9).abs() < 1e-6);
    }
}

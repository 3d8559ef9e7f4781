//! Waveform overview for UIs: per bin peak and RMS amplitude plus low/mid/high band energies,
//! u8-quantised, with a compact binary form for storage.

use thiserror::Error;

/// Default number of bins of an overview.
pub const DEFAULT_BINS: usize = 2048;
const MAGIC: &[u8; 4] = b"FSWF";
const FORMAT_VERSION: u8 = 1;
const MAX_BINS: usize = 1 << 20;

#[derive(Debug, Error, PartialEq)]
pub enum WaveformError {
    #[error("waveform blob too short ({len} bytes)")]
    TooShort { len: usize },
    #[error("waveform blob has bad magic")]
    BadMagic,
    #[error("unsupported waveform format version {version}")]
    Version { version: u8 },
    #[error("waveform blob declares {bins} bins but holds {len} bytes")]
    Length { bins: usize, len: usize },
}

/// Overview of a track: `peak`, `rms` are amplitudes (0–255 ↔ 0–1 full scale, square-root
/// scaled for visibility); `low` (< 200 Hz), `mid`, `high` (> 2 kHz) are band RMS
/// amplitudes on the same scale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waveform {
    pub duration_s: f32,
    pub peak: Vec<u8>,
    pub rms: Vec<u8>,
    pub low: Vec<u8>,
    pub mid: Vec<u8>,
    pub high: Vec<u8>,
}

/// Quantise an amplitude in [0, 1] to u8 with a square-root curve.
fn q(x: f32) -> u8 {
    let v = x.clamp(0.0, 1.0).sqrt() * 255.0;
    v.round() as u8
}

/// One-pole low-pass coefficient for cutoff `fc` Hz.
fn one_pole(fc: f32, sr: f32) -> f32 {
    1.0 - (-2.0 * std::f32::consts::PI * fc / sr).exp()
}

impl Waveform {
    /// Compute an overview of `bins` bins (fewer when the track has fewer samples).
    pub fn compute(samples: &[f32], sample_rate: u32, bins: usize) -> Self {
        let sr = sample_rate.max(1) as f32;
        let n = samples.len();
        let duration_s = n as f32 / sr;
        let bins = bins.min(n).min(MAX_BINS);
        if bins == 0 {
            return Self {
                duration_s,
                ..Self::default()
            };
        }
        let mut w = Self {
            duration_s,
            peak: Vec::with_capacity(bins),
            rms: Vec::with_capacity(bins),
            low: Vec::with_capacity(bins),
            mid: Vec::with_capacity(bins),
            high: Vec::with_capacity(bins),
        };
        // Two cascaded one-pole filters per crossover (12 dB/oct-ish).
        let a_lo = one_pole(200.0, sr);
        let a_hi = one_pole(2000.0, sr);
        let (mut l1, mut l2, mut h1, mut h2) = (0f32, 0f32, 0f32, 0f32);
        for b in 0..bins {
            let s = b * n / bins;
            let e = ((b + 1) * n / bins).max(s + 1).min(n);
            let (mut pk, mut ss, mut sl, mut sm, mut sh) = (0f32, 0f64, 0f64, 0f64, 0f64);
            for &x in &samples[s..e] {
                let x = if x.is_finite() { x } else { 0.0 };
                pk = pk.max(x.abs());
                ss += (x * x) as f64;
                l1 += a_lo * (x - l1);
                l2 += a_lo * (l1 - l2);
                h1 += a_hi * (x - h1);
                h2 += a_hi * (h1 - h2);
                let low = l2;
                let high = x - h2;
                let mid = x - low - high;
                sl += (low * low) as f64;
                sm += (mid * mid) as f64;
                sh += (high * high) as f64;
            }
            let len = (e - s) as f64;
            w.peak.push(q(pk));
            w.rms.push(q((ss / len).sqrt() as f32));
            w.low.push(q((sl / len).sqrt() as f32));
            w.mid.push(q((sm / len).sqrt() as f32));
            w.high.push(q((sh / len).sqrt() as f32));
        }
        w
    }

    pub fn len(&self) -> usize {
        self.peak.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peak.is_empty()
    }

    /// `FSWF` magic, version byte, bin count (u32 LE), duration (f32 LE), then the five
    /// arrays peak, rms, low, mid, high.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.len();
        let mut out = Vec::with_capacity(13 + 5 * n);
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(&self.duration_s.to_le_bytes());
        for a in [&self.peak, &self.rms, &self.low, &self.mid, &self.high] {
            let mut a = a.clone();
            a.resize(n, 0);
            out.extend_from_slice(&a);
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, WaveformError> {
        if b.len() < 13 {
            return Err(WaveformError::TooShort { len: b.len() });
        }
        if &b[0..4] != MAGIC {
            return Err(WaveformError::BadMagic);
        }
        if b[4] != FORMAT_VERSION {
            return Err(WaveformError::Version { version: b[4] });
        }
        let bins = u32::from_le_bytes([b[5], b[6], b[7], b[8]]) as usize;
        let duration_s = f32::from_le_bytes([b[9], b[10], b[11], b[12]]);
        let need = bins.checked_mul(5).and_then(|x| x.checked_add(13));
        if need != Some(b.len()) {
            return Err(WaveformError::Length { bins, len: b.len() });
        }
        let arr = |i: usize| b[13 + i * bins..13 + (i + 1) * bins].to_vec();
        Ok(Self {
            duration_s,
            peak: arr(0),
            rms: arr(1),
            low: arr(2),
            mid: arr(3),
            high: arr(4),
        })
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
    fn roundtrip_bytes() {
        let w = Waveform::compute(&sine(440.0, 0.5, 3.0), 22050, 300);
        assert_eq!(w.len(), 300);
        let w2 = Waveform::from_bytes(&w.to_bytes()).unwrap();
        assert_eq!(w, w2);
    }

    #[test]
    fn corrupt_blobs_are_errors() {
        let w = Waveform::compute(&sine(440.0, 0.5, 1.0), 22050, 50);
        let mut b = w.to_bytes();
        assert!(Waveform::from_bytes(&b[..b.len() - 1]).is_err());
        assert_eq!(
            Waveform::from_bytes(&b[..3]),
            Err(WaveformError::TooShort { len: 3 })
        );
        b[0] = b'X';
        assert_eq!(Waveform::from_bytes(&b), Err(WaveformError::BadMagic));
    }

    #[test]
    fn bands_follow_frequency() {
        let lo = Waveform::compute(&sine(60.0, 0.5, 2.0), 22050, 20);
        let hi = Waveform::compute(&sine(6000.0, 0.5, 2.0), 22050, 20);
        let m = |v: &[u8]| v[5..].iter().map(|&x| x as u32).sum::<u32>();
        assert!(
            m(&lo.low) > 3 * m(&lo.high),
            "low {:?} high {:?}",
            lo.low,
            lo.high
        );
        assert!(m(&hi.high) > 3 * m(&hi.low));
        // peak of a 0.5 sine ≈ sqrt(0.5)*255
        assert!((lo.peak[10] as i32 - 180).abs() <= 3, "{}", lo.peak[10]);
    }

    #[test]
    fn empty_and_tiny_inputs() {
        assert!(Waveform::compute(&[], 22050, 100).is_empty());
        assert_eq!(Waveform::compute(&[0.1, f32::NAN], 22050, 100).len(), 2);
        let w = Waveform::default();
        assert_eq!(Waveform::from_bytes(&w.to_bytes()).unwrap(), w);
    }
}

//! The bar grid every structural decision snaps to: the rhythm crate's downbeats extended
//! over the whole track at the measured tempo, and per-bar summaries of the frame features.

use crate::features::{self, Frames, BASS, HIGH, LOW_MID, MID, N_BANDS, PRESENCE, SUB};
use flowstate_rhythm::RhythmAnalysis;

/// Pseudo-bar length used when the track has no beat grid (ambient, speech, silence).
pub const FALLBACK_BAR_S: f64 = 8.0;

/// Bar start times covering `[0, duration)`; `index_of_first_downbeat` is the index of the
/// bar that starts at the rhythm's first detected downbeat (bars before it are extrapolated).
#[derive(Debug, Clone, PartialEq)]
pub struct BarGrid {
    pub starts: Vec<f64>,
    pub bar_s: f64,
    pub duration_s: f64,
    /// True when the grid comes from a beat tracker (false: fixed pseudo-bars).
    pub from_beats: bool,
    pub first_grid_bar: usize,
    /// True when bar 0 is a partial bar `[0, first downbeat)` (its start is no downbeat).
    pub partial_first: bool,
}

impl BarGrid {
    pub fn from_rhythm(r: &RhythmAnalysis, duration_s: f64) -> Self {
        let bar_from_bpm = r
            .bpm
            .filter(|b| b.is_finite() && *b > 20.0)
            .map(|b| 4.0 * 60.0 / b);
        let anchor = r
            .downbeats
            .first()
            .copied()
            .or_else(|| r.grid.as_ref().and_then(|g| g.first_downbeat_s));
        match (bar_from_bpm, anchor) {
            (Some(bar_s), Some(d0)) if d0.is_finite() && duration_s > 0.0 => {
                Self::regular(d0, bar_s, duration_s, true)
            }
            _ => Self::regular(0.0, FALLBACK_BAR_S, duration_s, false),
        }
    }

    /// Bars of `bar_s` seconds through `anchor`, extended to cover the track.
    pub fn regular(anchor: f64, bar_s: f64, duration_s: f64, from_beats: bool) -> Self {
        let bar_s = if bar_s.is_finite() && bar_s > 0.1 {
            bar_s
        } else {
            FALLBACK_BAR_S
        };
        let duration_s = duration_s.max(0.0);
        let k0 = (anchor / bar_s).floor();
        let mut t = anchor - k0 * bar_s; // first bar start in [0, bar_s)
        let mut starts = Vec::new();
        // A partial bar [0, t) so every sample belongs to a bar.
        let partial_first = t > 1e-3;
        let first_grid_bar = k0.max(0.0) as usize + usize::from(partial_first);
        if partial_first {
            starts.push(0.0);
        } else {
            t = 0.0;
        }
        while t < duration_s - 1e-9 && starts.len() < 100_000 {
            starts.push(t);
            t += bar_s;
        }
        if starts.is_empty() {
            starts.push(0.0);
        }
        Self {
            starts,
            bar_s,
            duration_s,
            from_beats,
            first_grid_bar,
            partial_first,
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
    pub fn end_of(&self, i: usize) -> f64 {
        self.starts.get(i + 1).copied().unwrap_or(self.duration_s)
    }
    /// Index of the bar containing `t`.
    pub fn bar_at(&self, t: f64) -> usize {
        match self.starts.binary_search_by(|s| s.total_cmp(&t)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

/// Per-bar summary of the frame features.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarFeatures {
    /// Mean power (time domain mean square) per bar, dB.
    pub loud_db: Vec<f32>,
    /// Median frame power per bar, dB (robust to a transient leaking over a bar edge).
    pub median_db: Vec<f32>,
    /// Band powers per bar, dB.
    pub band_db: [Vec<f32>; N_BANDS],
    /// Drum presence 0..: mean positive low-band flux (kick) and high-band flux (hats).
    pub kick: Vec<f32>,
    pub hats: Vec<f32>,
    /// Onset strength (full-spectrum flux) mean.
    pub flux: Vec<f32>,
    pub centroid: Vec<f32>,
    /// Sum of the per-band powers per bar (linear), for weighting.
    pub power: Vec<f32>,
    /// Metrical pulse per bar: onset strength on the bar's four beats minus on the 16th
    /// positions between them, over the track's 90th-percentile onset strength. Positive when
    /// the music's onsets sit on the grid (drums, or chords changing on the beat).
    pub pulse: Vec<f32>,
    /// How exclusively the bar's onsets sit on the beats: (on − off) / (on + off), −1…1, each
    /// position counted by how far it stands out of the bar's floor (the median over its 16th
    /// positions), so steady hiss or a noisy transfer does not dilute it.
    /// Independent of level: chords struck on the beat score near 1 like drums do, speech or
    /// free-time ambience near 0 whatever its loudness.
    pub grid_lock: Vec<f32>,
    /// Harmonic (sustained) power in 300–3500 Hz per bar, dB: chords, pads, leads and voices
    /// over the beat, not the drums and hardly the bass line. Filled by [`harmonic_mids`]
    /// once the harmonic/percussive split exists; empty until then.
    pub harm_mid_db: Vec<f32>,
}

/// Per-bar [`BarFeatures::harm_mid_db`] from the per-frame harmonic formant-band power.
pub fn harmonic_mids(fr: &Frames, grid: &BarGrid, harm_formant: &[f32]) -> Vec<f32> {
    (0..grid.len())
        .map(|i| {
            let a = fr.frame_at(grid.starts[i]).min(harm_formant.len());
            let e = fr.frame_at(grid.end_of(i)).clamp(a, harm_formant.len());
            let v = &harm_formant[a..e];
            features::db(v.iter().sum::<f32>() / v.len().max(1) as f32)
        })
        .collect()
}

/// [`summarise`] with [`BarFeatures::harm_mid_db`] filled from the per-frame harmonic
/// formant-band power: what structure's novelty vector ([`crate::structure::bar_view`])
/// reads.
pub fn summarise_with_harmony(fr: &Frames, grid: &BarGrid, harm_formant: &[f32]) -> BarFeatures {
    let mut bf = summarise(fr, grid);
    bf.harm_mid_db = harmonic_mids(fr, grid, harm_formant);
    bf
}

pub fn summarise(fr: &Frames, grid: &BarGrid) -> BarFeatures {
    let nb = grid.len();
    let mut out = BarFeatures::default();
    for i in 0..nb {
        let a = fr.frame_at(grid.starts[i]);
        let b = fr.frame_at(grid.end_of(i)).max(a + 1).min(fr.n.max(a + 1));
        let range = a.min(fr.n)..b.min(fr.n);
        let m = |v: &[f32]| {
            if range.is_empty() {
                0.0
            } else {
                features::mean(&v[range.clone()])
            }
        };
        out.loud_db.push(features::db(m(&fr.ms)));
        out.median_db.push(if range.is_empty() {
            features::db(0.0)
        } else {
            features::db(features::percentile(&fr.ms[range.clone()], 0.5))
        });
        for k in 0..N_BANDS {
            out.band_db[k].push(features::db(m(&fr.band[k])));
        }
        out.kick.push(m(&fr.flux_low));
        out.hats.push(m(&fr.flux_high));
        out.flux.push(m(&fr.flux));
        out.centroid.push(m(&fr.centroid));
        out.power.push(
            [SUB, BASS, LOW_MID, MID, PRESENCE, HIGH]
                .iter()
                .map(|&k| m(&fr.band[k]))
                .sum(),
        );
        let (t0, len) = (grid.starts[i], grid.end_of(i) - grid.starts[i]);
        let full = grid.bar_s;
        let peak_at = |t: f64| -> f32 {
            let c = fr.frame_at(t);
            let (a, b) = (c.saturating_sub(1), (c + 2).min(fr.n));
            fr.flux[a..b].iter().copied().fold(0.0, f32::max)
        };
        // Steady noise (hiss, a noisy transfer) raises the flux everywhere; the lock is taken
        // over what stands out of the bar's own floor, the median over its 16th positions.
        let sixteenths: Vec<f32> = (0..16)
            .map(|j| t0 + j as f64 * full / 16.0)
            .filter(|&t| t < t0 + len - 1e-6)
            .map(peak_at)
            .collect();
        let floor = features::percentile(&sixteenths, 0.5);
        let above = |v: f32| (v - floor).max(0.0);
        let (mut on, mut off) = (0f32, 0f32);
        let (mut on_a, mut off_a) = (0f32, 0f32);
        let mut k = 0;
        while k < 4 && (k as f64) * full / 4.0 < len - 1e-6 {
            let tb = t0 + k as f64 * full / 4.0;
            let (b, o1, o3) = (
                peak_at(tb),
                peak_at(tb + full / 16.0),
                peak_at(tb + 3.0 * full / 16.0),
            );
            on += b;
            // the 16th positions either side of the off-beat (off-beat hats are common)
            off += 0.5 * (o1 + o3);
            on_a += above(b);
            off_a += 0.5 * (above(o1) + above(o3));
            k += 1;
        }
        out.pulse
            .push(if k > 0 { (on - off) / k as f32 } else { 0.0 });
        out.grid_lock.push(if on_a + off_a > 1e-9 {
            (on_a - off_a) / (on_a + off_a)
        } else {
            0.0
        });
    }
    let p90 = features::percentile(&fr.flux, 0.9).max(1e-6);
    out.pulse.iter_mut().for_each(|p| *p /= p90);
    out
}

/// Test fixture: `n` bars with level `l(i)` (every band 3 dB under it), kick as given, hats,
/// flux, pulse and grid lock steady.
#[cfg(test)]
pub(crate) fn bars_with(
    n: usize,
    l: impl Fn(usize) -> f32,
    kick: impl Fn(usize) -> f32,
) -> BarFeatures {
    let mut bf = BarFeatures::default();
    for i in 0..n {
        bf.loud_db.push(l(i));
        bf.median_db.push(l(i));
        for b in 0..features::N_BANDS {
            bf.band_db[b].push(l(i) - 3.0);
        }
        bf.kick.push(kick(i));
        bf.hats.push(0.5);
        bf.flux.push(0.5);
        bf.centroid.push(1000.0);
        bf.power.push(1.0);
        bf.pulse.push(1.0);
        bf.grid_lock.push(0.9);
    }
    bf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_extends_backwards_and_covers_track() {
        let g = BarGrid::regular(5.0, 2.0, 20.0, true);
        assert_eq!(g.starts[0], 0.0);
        assert!((g.starts[1] - 1.0).abs() < 1e-9);
        assert!(g.starts.windows(2).all(|w| w[1] > w[0]));
        assert!(*g.starts.last().unwrap_or(&0.0) < 20.0);
        assert_eq!(
            g.bar_at(5.5),
            g.starts
                .iter()
                .position(|&s| (s - 5.0).abs() < 1e-9)
                .unwrap_or(99)
        );
    }

    /// Clicks at the given times (s), 4 s long at 22.05 kHz.
    fn clicks(times: &[f64]) -> Vec<f32> {
        clicks_for(times, 4.0)
    }

    /// Clicks at the given times (s), `secs` long at 22.05 kHz.
    fn clicks_for(times: &[f64], secs: f64) -> Vec<f32> {
        let sr = 22050.0;
        let mut x = vec![0f32; (secs * sr) as usize];
        for &t in times {
            let s0 = (t * sr) as usize;
            for i in 0..200 {
                if let Some(v) = x.get_mut(s0 + i) {
                    *v += (1.0 - i as f32 / 200.0) * if i % 2 == 0 { 0.8 } else { -0.8 };
                }
            }
        }
        x
    }

    #[test]
    fn grid_lock_separates_on_beat_from_free_onsets() {
        // 120 BPM: 2-s bars starting at 0. On-beat hits vs hits on the 16th positions.
        let grid = BarGrid::regular(0.0, 2.0, 4.0, true);
        let on: Vec<f64> = (0..8).map(|k| k as f64 * 0.5).collect();
        let off: Vec<f64> = (0..8).map(|k| k as f64 * 0.5 + 0.125).collect();
        let lock = |times: &[f64]| {
            let fr = crate::features::compute(&clicks(times), 22050);
            summarise(&fr, &grid).grid_lock
        };
        let (a, b) = (lock(&on), lock(&off));
        assert!(a.iter().all(|&l| l > 0.6), "on-beat {a:?}");
        assert!(b.iter().all(|&l| l < 0.0), "off-beat {b:?}");
    }

    /// Steady white noise (seeded LCG) of RMS `rms`, added to `x`.
    fn add_hiss(x: &mut [f32], rms: f32) {
        let mut st = 0x2545_f491_u32;
        for v in x.iter_mut() {
            st = st.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            // uniform in [-1, 1): RMS 1/sqrt(3)
            let u = (st >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
            *v += u * rms * 3f32.sqrt();
        }
    }

    #[test]
    fn grid_lock_stands_out_of_steady_noise() {
        // A sparse intro (one hit per beat) under hiss, as on a noisy transfer: the lock is
        // what stands out of the bar's own floor, so it stays metrical; hits between the
        // beats under the same hiss stay unlocked. The hiss runs from 0 s, the bars measured
        // start at 1 s (the hiss's own start is an onset of its own).
        let grid = BarGrid::regular(1.0, 2.0, 5.0, true);
        let lock = |offset: f64, rms: f32| {
            let times: Vec<f64> = (0..8).map(|k| 1.0 + k as f64 * 0.5 + offset).collect();
            let mut x = clicks_for(&times, 5.0);
            add_hiss(&mut x, rms);
            let fr = crate::features::compute(&x, 22050);
            let l = summarise(&fr, &grid).grid_lock;
            (0..grid.len())
                .filter(|&i| grid.starts[i] >= 1.0 - 1e-9)
                .map(|i| l[i])
                .collect::<Vec<f32>>()
        };
        for rms in [0.03, 0.06] {
            let (a, b) = (lock(0.0, rms), lock(0.125, rms));
            assert_eq!(a.len(), 2);
            assert!(
                a.iter().all(|&l| l > 0.6),
                "on-beat under hiss {rms}: {a:?}"
            );
            assert!(
                b.iter().all(|&l| l < 0.0),
                "off-beat under hiss {rms}: {b:?}"
            );
        }
    }

    #[test]
    fn no_rhythm_gives_pseudo_bars() {
        let g = BarGrid::from_rhythm(&RhythmAnalysis::default(), 30.0);
        assert!(!g.from_beats);
        assert_eq!(g.starts, vec![0.0, 8.0, 16.0, 24.0]);
    }
}

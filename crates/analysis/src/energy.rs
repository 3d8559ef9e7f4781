//! Energy 1–10, danceability 1–10, intensity role and hype.
//!
//! Energy is a fixed (not per-library) blend of loudness, drum activity, onset density,
//! brightness and bass weight, each mapped to 0–1 over a range typical of released music.

use crate::bars::BarFeatures;
use crate::features::{self, BASS, HIGH, LOW_MID, MID, PRESENCE, SUB};

/// Approximate BS.1770 K-weighting per band (power gains).
const K_WEIGHTS: [(usize, f32); 6] = [
    (SUB, 0.3),
    (BASS, 0.85),
    (LOW_MID, 1.0),
    (MID, 1.1),
    (PRESENCE, 2.2),
    (HIGH, 2.5),
];
use crate::structure::BarView;

/// Inputs of the energy model for a set of bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyInputs {
    /// Power-mean loudness, dB (mean square re full scale), K-weighted per band
    /// (BS.1770-like: sub attenuated, presence/highs boosted ~4 dB).
    pub loud_db: f32,
    /// Tempo in BPM (None without a beat grid).
    pub bpm: Option<f64>,
    /// Mean absolute drum flux (kick + hats).
    pub drum_flux: f32,
    /// Onsets per second.
    pub onset_rate: f64,
    /// Share of power above 2 kHz (0–1).
    pub brightness: f64,
    /// Sub + bass power share.
    pub bass_share: f32,
}

fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// Continuous energy on the 1–10 scale.
pub fn score(e: &EnergyInputs) -> f64 {
    // Energy rises with perceived loudness, tempo (a DJ's sense: 90 BPM hip-hop sits below
    // 128 BPM techno below 174 BPM drum & bass), drum activity and high-frequency content.
    let l = ramp(e.loud_db as f64, -32.0, -8.0);
    let t = e.bpm.map_or(0.0, |b| ramp(b, 80.0, 150.0));
    let d = ramp(e.drum_flux as f64, 0.05, 0.6);
    // Onset density counts only with drums (a beatless pad's flux peaks are not drive).
    let o = ramp(e.onset_rate, 3.5, 8.0) * ramp(e.drum_flux as f64, 0.1, 0.3);
    let b = ramp(e.brightness, 0.02, 0.3);
    let s = ramp(e.bass_share as f64, 0.2, 0.7);
    let z = 0.25 * l + 0.20 * t + 0.20 * d + 0.25 * o + 0.05 * b + 0.05 * s;
    1.0 + 9.0 * z
}

/// Energy inputs over bars `range` (non-silent ones only).
pub fn inputs(
    bf: &BarFeatures,
    view: &BarView,
    bars: &[usize],
    onset_rate: f64,
    bpm: Option<f64>,
) -> Option<EnergyInputs> {
    let bars: Vec<usize> = bars
        .iter()
        .copied()
        .filter(|&i| i < view.silent.len() && !view.silent[i])
        .collect();
    if bars.is_empty() {
        return None;
    }
    let pm = |v: &[f32]| -> f32 {
        let p: f32 = bars.iter().map(|&i| 10f32.powf(v[i] / 10.0)).sum::<f32>() / bars.len() as f32;
        p
    };
    let bass = pm(&bf.band_db[SUB]) + pm(&bf.band_db[BASS]);
    let highs = pm(&bf.band_db[PRESENCE]) + pm(&bf.band_db[HIGH]);
    let kw = K_WEIGHTS
        .iter()
        .map(|&(b, w)| w * pm(&bf.band_db[b]))
        .sum::<f32>();
    let tot: f32 = bars.iter().map(|&i| bf.power[i]).sum::<f32>() / bars.len() as f32;
    let drum_flux = bars.iter().map(|&i| bf.kick[i] + bf.hats[i]).sum::<f32>() / bars.len() as f32;
    Some(EnergyInputs {
        loud_db: features::db(kw),
        bpm,
        drum_flux,
        onset_rate,
        brightness: if tot > 1e-12 {
            (highs / tot).min(1.0) as f64
        } else {
            0.0
        },
        bass_share: if tot > 1e-12 {
            (bass / tot).min(1.0)
        } else {
            0.0
        },
    })
}

/// The "main" bars of a track: non-silent bars at least as loud as the median non-silent bar.
pub fn main_bars(bf: &BarFeatures, view: &BarView) -> Vec<usize> {
    let loud: Vec<f32> = (0..view.silent.len())
        .filter(|&i| !view.silent[i])
        .map(|i| bf.loud_db[i])
        .collect();
    let med = features::percentile(&loud, 0.5);
    (0..view.silent.len())
        .filter(|&i| !view.silent[i] && bf.loud_db[i] >= med)
        .collect()
}

/// Danceability 1–10 from beat clarity, drum coverage, tempo and groove.
pub fn danceability(beat_conf: f64, drum_share: f64, bpm: Option<f64>, four_on_floor: bool) -> f64 {
    let tempo = match bpm {
        Some(b) if (100.0..=135.0).contains(&b) => 1.0,
        Some(b) if (85.0..=150.0).contains(&b) => 0.7,
        Some(b) if (70.0..=180.0).contains(&b) => 0.45,
        Some(_) => 0.2,
        None => 0.0,
    };
    let z = 0.40 * beat_conf.clamp(0.0, 1.0)
        + 0.30 * drum_share.clamp(0.0, 1.0)
        + 0.20 * tempo
        + 0.10 * if four_on_floor { 1.0 } else { 0.5 };
    1.0 + 9.0 * z
}

/// Hype 0–1 (seed 004): energy + onset density + percussive ratio.
pub fn hype(energy_score: f64, onset_rate: f64, percussive_ratio: f64) -> f64 {
    let z = 0.5 * ramp(energy_score, 1.0, 10.0)
        + 0.25 * ramp(onset_rate, 0.5, 6.0)
        + 0.25 * percussive_ratio.clamp(0.0, 1.0);
    (z * 1000.0).round() / 1000.0
}

/// CODEX intensity role from energy and the DJ-facing shape of the track.
pub fn intensity(energy: f64, intro_bars: u32, outro_bars: u32) -> &'static str {
    if energy >= 7.5 {
        "peak"
    } else if energy >= 5.0 {
        "journey"
    } else if intro_bars >= outro_bars.max(4) {
        "opener"
    } else {
        "closer"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn louder_busier_is_more_energetic() {
        let quiet = EnergyInputs {
            loud_db: -28.0,
            bpm: None,
            drum_flux: 0.1,
            onset_rate: 1.0,
            brightness: 0.1,
            bass_share: 0.2,
        };
        let loud = EnergyInputs {
            loud_db: -10.0,
            bpm: Some(126.0),
            drum_flux: 0.5,
            onset_rate: 4.0,
            brightness: 0.2,
            bass_share: 0.4,
        };
        assert!(score(&quiet) < score(&loud));
        assert!((1.0..=10.0).contains(&score(&quiet)) && (1.0..=10.0).contains(&score(&loud)));
    }

    #[test]
    fn danceability_orders() {
        assert!(danceability(0.9, 0.9, Some(124.0), true) > danceability(0.2, 0.1, None, false));
    }
}

//! Energy 1–10, danceability 1–10, intensity role and hype.
//!
//! Energy is a fixed (not per-library) blend of tempo-octave-independent cues measured on the
//! track's main (loudest-half) bars: percussive attack rate (drum density × layers, see
//! [`attack_share`]), spectral fullness (layer count), perceived tempo and a little loudness;
//! see [`score`].

use crate::bars::BarFeatures;
use crate::features::{self, Frames, BASS, HIGH, LOW_MID, MID, N_LOG, PRESENCE, SUB};
use crate::timbre::Hpss;

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
    /// Spectral fullness ([`Cues::fullness`]) when measured.
    pub fullness: Option<f64>,
    /// Full-spectrum-equivalent percussive attacks per second ([`Cues::attack_rate`]) when
    /// measured.
    pub attack_rate: Option<f64>,
}

fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// Continuous energy on the 1–10 scale.
///
/// Drum density and fullness carry it (37.5 % each), tempo and loudness add a little; each
/// cue goes through a fixed ramp over the range of released dance music:
/// - perceived tempo, 70 BPM (downtempo) → 175 BPM (drum & bass), with a double-time feel
///   counted at twice the reported BPM so a tempo read at half never lowers energy. Only
///   15 %: the drum-density cue is a rate per second, so it already rises with tempo for the
///   same pattern, and a DJ's energy follows tempo only moderately (a peak-time disco track
///   at 118 BPM can outrank a half-time 140 BPM dubstep track);
/// - drum density: percussive attacks per second, 3/s (sparse hits) → 8/s (sixteenth notes at
///   120 BPM); a rate per second, so it does not depend on the metrical level the tracker chose.
///   Measured as [`Cues::attack_rate`] (attacks weighted by the share of the spectrum they
///   cover, so a step where kick, snare, hat and conga hit together counts more than a lone
///   hat), falling back to peak-picked onsets per second;
/// - spectral fullness (how many quarter-octave bands from 50 Hz to 10 kHz are within 30 dB of
///   the loudest one: the layer count of the arrangement), 0.4 → 1.0;
/// - loudness (K-weighted), −32 → −8 dB, only 10 %: masters are peak-normalised, so loudness
///   says little about intensity beyond "very quiet".
///
/// Without measured cues (`attack_rate`/`fullness` None) the bar-level drum flux and the
/// rhythm onset rate stand in for them.
pub fn score(e: &EnergyInputs) -> f64 {
    let l = ramp(e.loud_db as f64, -32.0, -8.0);
    let t = e.bpm.map_or(0.0, |b| ramp(b, 70.0, 175.0));
    let o = match e.attack_rate {
        Some(r) => ramp(r, 3.0, 8.0),
        None => ramp(e.onset_rate, 3.0, 8.0) * ramp(e.drum_flux as f64, 0.1, 0.3),
    };
    let f = match e.fullness {
        Some(f) => ramp(f, 0.4, 1.0),
        None => ramp(e.drum_flux as f64, 0.05, 0.6),
    };
    let z = 0.15 * t + 0.375 * o + 0.375 * f + 0.1 * l;
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
        fullness: None,
        attack_rate: None,
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

/// Tempo-independent cues of intensity measured over a set of frames (the main bars).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cues {
    /// Mean full-spectrum flux (shared front end).
    pub flux: f64,
    /// Fraction of log bands (50 Hz–10 kHz) within 30 dB of the frame's strongest band.
    pub fullness: f64,
    /// Percussive share of the power.
    pub perc_share: f64,
    /// Frame-to-frame loudness crest: p95 − p10 of frame power, dB.
    pub crest_db: f64,
    /// Percussive attacks per second in full-spectrum equivalents: the mean of
    /// [`attack_share`] over the frames times the frame rate.
    pub attack_rate: f64,
}

/// The percussive spectrum's rows (one per frame) and the floor added to every band before
/// ratios are taken: −40 dB under the track's mean band power (percussive + harmonic), so
/// near-silent bands do not count and the measures do not depend on playback gain.
fn perc_rows(hp: &Hpss, n: usize) -> (f32, Vec<&[f32]>) {
    let mean_band = hp
        .perc_spec
        .iter()
        .zip(&hp.harm_spec)
        .map(|(a, b)| a + b)
        .sum::<f32>()
        / (n * N_LOG) as f32;
    let eps = (mean_band * 1e-4).max(1e-12);
    (eps, hp.perc_spec.chunks_exact(N_LOG).take(n).collect())
}

/// The log bands centred in 50 Hz–10 kHz: where the layers of an arrangement sound (below,
/// rumble; above, air and aliasing).
fn music_bands(fr: &Frames) -> Vec<usize> {
    (0..N_LOG)
        .filter(|&k| {
            fr.log_centres
                .get(k)
                .is_some_and(|&c| (50.0..=10_000.0).contains(&c))
        })
        .collect()
}

/// Power ratio (3 dB) by which a band's percussive power must rise from one frame to the next
/// to count as an attack: the band's power at least doubles, i.e. a new sound at least as
/// loud as everything already sounding in that band.
pub const ATTACK_RATIO: f32 = 2.0;

/// Per frame, the share of the log bands centred in 50 Hz–10 kHz in which the percussive
/// spectrum rises by at least [`ATTACK_RATIO`] over the previous frame.
///
/// Why not count onsets: at the shared 46-ms hop a peak picker resolves at most one event per
/// two frames, so sixteenth notes merge and onsets per bar saturate at ~12 of 16 for any busy
/// groove (the count per second then mostly restates the tempo), and a step on which kick,
/// snare, hat and conga hit together counts the same as a lone hat. Counting attacks per
/// band instead measures drum density × layering: each layer attacks in its own bands, so
/// more layers, more hits per bar and denser hats all raise it. A noise burst covering the
/// whole spectrum once per second scores about 1–1.5/s (×fps in [`Cues::attack_rate`]; a hit
/// can rise over two overlapping frames), a hat covering a quarter of the bands a quarter of
/// that, so the 3 → 8/s ramp of the onset count in [`score`] keeps its meaning. It is a
/// ratio of powers, so playback gain does not change it; the floor (−40 dB under the track's mean band power)
/// keeps near-silent bands from counting. Stationary noise still scores a little (random
/// frame-to-frame fluctuation of bands only one or two FFT bins wide), steady tones nothing.
pub fn attack_share(fr: &Frames, hp: &Hpss) -> Vec<f32> {
    let n = hp.perc.len();
    if n == 0 || hp.perc_spec.len() < n * N_LOG {
        return vec![0.0; n];
    }
    let bands = music_bands(fr);
    if bands.is_empty() {
        return vec![0.0; n];
    }
    let (eps, rows) = perc_rows(hp, n);
    let mut out = vec![0f32; n];
    for (o, w) in out.iter_mut().skip(1).zip(rows.windows(2)) {
        let c = bands
            .iter()
            .filter(|&&k| w[1][k] + eps >= ATTACK_RATIO * (w[0][k] + eps))
            .count();
        *o = c as f32 / bands.len() as f32;
    }
    out
}

/// Intensity cues over `frames` (indices into the shared front end's frames).
pub fn cues(fr: &Frames, hp: &Hpss, attacks: &[f32], frames: &[usize]) -> Option<Cues> {
    let frames: Vec<usize> = frames
        .iter()
        .copied()
        .filter(|&i| i < fr.n && i < attacks.len())
        .collect();
    if frames.is_empty() {
        return None;
    }
    let nf = frames.len() as f64;
    let att = frames.iter().map(|&i| attacks[i] as f64).sum::<f64>() / nf;
    let fl = frames.iter().map(|&i| fr.flux[i] as f64).sum::<f64>() / nf;
    let bands = music_bands(fr);
    let mut full = 0f64;
    let mut counted = 0f64;
    for &i in &frames {
        let row = &fr.logspec[i * N_LOG..(i + 1) * N_LOG];
        let mx = bands.iter().map(|&k| row[k]).fold(0f32, f32::max);
        if mx <= 1e-12 {
            continue;
        }
        let c = bands.iter().filter(|&&k| row[k] >= mx * 1e-3).count();
        full += c as f64 / bands.len().max(1) as f64;
        counted += 1.0;
    }
    let (mut p, mut t) = (0f64, 0f64);
    for &i in &frames {
        p += hp.perc[i] as f64;
        t += (hp.perc[i] + hp.harm[i]) as f64;
    }
    let db: Vec<f32> = frames.iter().map(|&i| features::db(fr.ms[i])).collect();
    Some(Cues {
        flux: fl,
        fullness: if counted > 0.0 { full / counted } else { 0.0 },
        perc_share: if t > 1e-12 { p / t } else { 0.0 },
        crest_db: (features::percentile(&db, 0.95) - features::percentile(&db, 0.1)) as f64,
        attack_rate: att * fr.fps,
    })
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
            fullness: Some(0.5),
            attack_rate: Some(2.0),
        };
        let loud = EnergyInputs {
            loud_db: -10.0,
            bpm: Some(126.0),
            drum_flux: 0.5,
            onset_rate: 4.0,
            brightness: 0.2,
            bass_share: 0.4,
            fullness: Some(0.9),
            attack_rate: Some(6.0),
        };
        assert!(score(&quiet) < score(&loud));
        assert!((1.0..=10.0).contains(&score(&quiet)) && (1.0..=10.0).contains(&score(&loud)));
    }

    fn clicks(secs: f32, per_s: f32, amp: f32) -> Vec<f32> {
        let n = (secs * 22050.0) as usize;
        let step = (22050.0 / per_s) as usize;
        let mut s = vec![0f32; n];
        let mut seed = 7u32;
        for start in (0..n).step_by(step) {
            for k in 0..300.min(n - start) {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let w = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                s[start + k] = amp * w * (-(k as f32) / 60.0).exp();
            }
        }
        s
    }

    fn measure(x: &[f32]) -> Cues {
        let fr = features::compute(x, 22050);
        let hp = crate::timbre::hpss(&fr);
        let att = attack_share(&fr, &hp);
        let frames: Vec<usize> = (2..fr.n.saturating_sub(2)).collect();
        cues(&fr, &hp, &att, &frames).unwrap_or_default()
    }

    #[test]
    fn steady_tone_has_no_attacks() {
        let tone: Vec<f32> = (0..220_500).map(|i| 0.3 * (i as f32 * 0.1).sin()).collect();
        assert!(measure(&tone).attack_rate < 0.5);
    }

    #[test]
    fn cues_do_not_depend_on_gain() {
        let x = clicks(8.0, 6.0, 0.5);
        let y: Vec<f32> = x.iter().map(|v| v * 0.25).collect();
        let (a, b) = (measure(&x), measure(&y));
        assert!((a.attack_rate - b.attack_rate).abs() < 0.2, "{a:?} {b:?}");
        assert!((a.fullness - b.fullness).abs() < 0.02, "{a:?} {b:?}");
    }

    #[test]
    fn fullness_counts_occupied_bands() {
        let sine: Vec<f32> = (0..110_250)
            .map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 440.0 / 22050.0).sin())
            .collect();
        let mut seed = 3u32;
        let noise: Vec<f32> = (0..110_250)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                0.2 * ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
            })
            .collect();
        let (s, n) = (measure(&sine).fullness, measure(&noise).fullness);
        assert!(s < 0.4 && n > 0.9, "sine {s} noise {n}");
    }

    #[test]
    fn halved_tempo_reading_with_double_time_feel_keeps_energy() {
        // lib.rs doubles a double-time reading; the remaining cues are per second.
        let base = EnergyInputs {
            loud_db: -12.0,
            bpm: Some(174.0),
            drum_flux: 0.4,
            onset_rate: 6.0,
            brightness: 0.1,
            bass_share: 0.5,
            fullness: Some(0.9),
            attack_rate: Some(6.0),
        };
        let full = score(&base);
        assert!(full > 7.0, "{full}");
        // Even if the tempo cue is lost entirely, the per-second cues keep it high-ish.
        let no_tempo = score(&EnergyInputs { bpm: None, ..base });
        assert!(full - no_tempo <= 0.15 * 9.0 + 1e-9);
        assert!(no_tempo > 6.0, "{no_tempo}");
    }

    /// Decaying bursts, `per_s` per second, starting at `offset_s`: white noise (`colour` 0),
    /// noise tilted to the highs by a first difference (1: hat / clap), or a 55-Hz sine thump
    /// (-1: kick).
    fn bursts(secs: f32, per_s: f32, offset_s: f32, amp: f32, colour: i8, seed0: u32) -> Vec<f32> {
        let n = (secs * 22050.0) as usize;
        let step = (22050.0 / per_s) as usize;
        let off = (offset_s * 22050.0) as usize;
        let mut s = vec![0f32; n];
        let mut seed = seed0;
        let mut prev = 0f32;
        for start in (off..n).step_by(step) {
            for k in 0..1500.min(n - start) {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let w = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let v = match colour {
                    1 => w - prev,
                    -1 => (2.0 * std::f32::consts::PI * 55.0 * k as f32 / 22050.0).sin(),
                    _ => w,
                };
                prev = w;
                s[start + k] += amp * v * (-(k as f32) / 250.0).exp();
            }
        }
        s
    }

    fn mix(parts: &[&[f32]]) -> Vec<f32> {
        let n = parts.iter().map(|p| p.len()).max().unwrap_or(0);
        (0..n)
            .map(|i| parts.iter().map(|p| p.get(i).copied().unwrap_or(0.0)).sum())
            .collect()
    }

    #[test]
    fn attack_rate_counts_full_spectrum_hits_per_second() {
        // Broadband hits: about one full-spectrum attack each (the unit of the cue).
        let mut last = 0.0;
        for rate in [2.0f32, 4.0, 8.0] {
            let a = measure(&bursts(10.0, rate, 0.0, 0.5, 0, 11)).attack_rate;
            assert!(
                a > 0.6 * rate as f64 && a < 1.6 * rate as f64,
                "{rate}/s → {a}"
            );
            assert!(a > last * 1.5, "{rate}/s → {a} after {last}");
            last = a;
        }
        // A steady chord has no attacks at all.
        let chord: Vec<f32> = (0..220_500)
            .map(|i| {
                let t = i as f32 / 22050.0;
                [110.0f32, 220.0, 277.2, 330.0, 440.0, 660.0]
                    .iter()
                    .map(|f| 0.05 * (2.0 * std::f32::consts::PI * f * t).sin())
                    .sum::<f32>()
            })
            .collect();
        assert!(measure(&chord).attack_rate < 0.2);
    }

    #[test]
    fn more_layers_and_denser_hats_raise_the_attack_rate() {
        // The same groove built up: kick on the beat (2/s), then off-beat hats, then
        // sixteenth-note shaker between them. Each layer adds attacks in its own bands.
        let kick = bursts(10.0, 2.0, 0.0, 0.6, -1, 1);
        let hats = bursts(10.0, 2.0, 0.25, 0.3, 1, 2);
        let hats16 = bursts(10.0, 8.0, 0.0625, 0.1, 1, 3);
        let pad: Vec<f32> = (0..220_500)
            .map(|i| 0.05 * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 22050.0).sin())
            .collect();
        let a1 = measure(&mix(&[&kick, &pad])).attack_rate;
        let a2 = measure(&mix(&[&kick, &hats, &pad])).attack_rate;
        let a3 = measure(&mix(&[&kick, &hats, &hats16, &pad])).attack_rate;
        assert!(a1 < a2 && a2 < a3, "{a1} {a2} {a3}");
        // A layer stacked on an existing hit (a clap on the kick) counts too, where an onset
        // count would not change.
        let clap = bursts(10.0, 2.0, 0.0, 0.3, 1, 4);
        let with_clap = measure(&mix(&[&kick, &clap, &pad]));
        let kick_only = measure(&mix(&[&kick, &pad]));
        assert!(
            with_clap.attack_rate > kick_only.attack_rate + 0.3,
            "{with_clap:?} {kick_only:?}"
        );
    }

    #[test]
    fn attack_rate_does_not_depend_on_gain() {
        let x = mix(&[
            &bursts(8.0, 2.0, 0.0, 0.6, -1, 1),
            &bursts(8.0, 8.0, 0.0625, 0.2, 1, 3),
        ]);
        let y: Vec<f32> = x.iter().map(|v| v * 0.1).collect();
        let (a, b) = (measure(&x).attack_rate, measure(&y).attack_rate);
        assert!((a - b).abs() < 0.03 * a.max(1e-9), "{a} {b}");
    }

    #[test]
    fn attack_rate_is_a_drum_density_cue_in_the_score() {
        let base = EnergyInputs {
            loud_db: -12.0,
            bpm: Some(120.0),
            drum_flux: 0.4,
            onset_rate: 5.0,
            brightness: 0.05,
            bass_share: 0.5,
            fullness: Some(0.85),
            attack_rate: Some(4.0),
        };
        let busy = EnergyInputs {
            attack_rate: Some(7.0),
            ..base
        };
        // Same onset count and tempo, more layered attacks: higher energy.
        assert!(score(&busy) > score(&base) + 1.0);
        // Tempo counts only moderately: denser drums at 118 BPM outrank sparser drums at
        // 150 BPM with the same arrangement fullness.
        let disco = EnergyInputs {
            bpm: Some(118.0),
            attack_rate: Some(6.0),
            ..base
        };
        let half_time = EnergyInputs {
            bpm: Some(150.0),
            attack_rate: Some(5.0),
            ..base
        };
        assert!(score(&disco) > score(&half_time));
    }

    #[test]
    fn danceability_orders() {
        assert!(danceability(0.9, 0.9, Some(124.0), true) > danceability(0.2, 0.1, None, false));
    }
}

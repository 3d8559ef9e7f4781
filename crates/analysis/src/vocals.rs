//! Vocal presence from audio (heuristic, no model): voices are harmonic sounds in the
//! 300–3500 Hz formant region whose pitch moves continuously (vibrato, glides, speech
//! intonation) while most synthesised instruments hold each note at a fixed pitch.
//!
//! Per frame: the strongest partial in 150–1100 Hz is tracked; a frame is "gliding" when its
//! pitch differs from the previous frame by 0.4–100 cents per 46 ms while staying within one
//! semitone (same note, not a note change), and the harmonic formant power is a real part of
//! the mix. Per bar: the share of gliding frames. Accuracy is limited: string/pad vibrato
//! reads as voice, heavily tuned vocals read as instruments.

use crate::bars::BarGrid;
use crate::features::Frames;
use crate::timbre::Hpss;

/// Bars whose gliding share exceeds this are vocal.
pub const BAR_THRESHOLD: f32 = 0.3;
/// Mean gliding share at which the track-level probability is 0.5.
pub const TRACK_MIDPOINT: f64 = 0.2;

pub fn glide_frames(fr: &Frames, h: &Hpss) -> Vec<bool> {
    let n = fr.n;
    let mut out = vec![false; n];
    for t in 1..n {
        let (p0, p1) = (fr.pitch_hz[t - 1], fr.pitch_hz[t]);
        if p0 <= 0.0 || p1 <= 0.0 {
            continue;
        }
        let cents = 1200.0 * (p1 / p0).ln().abs() / std::f32::consts::LN_2;
        let harm_share = if h.harm[t] > 1e-12 {
            h.harm_formant[t] / h.harm[t]
        } else {
            0.0
        };
        let voiced = fr.tonal[t] > 0.25 && harm_share > 0.15 && fr.ms[t] > 1e-7;
        out[t] = voiced && (4.0..=100.0).contains(&cents);
    }
    out
}

/// Share of gliding frames per bar.
pub fn bar_scores(fr: &Frames, glide: &[bool], grid: &BarGrid) -> Vec<f32> {
    (0..grid.len())
        .map(|i| {
            let a = fr.frame_at(grid.starts[i]);
            let b = fr.frame_at(grid.end_of(i)).max(a + 1).min(glide.len());
            if b <= a {
                return 0.0;
            }
            glide[a..b].iter().filter(|&&g| g).count() as f32 / (b - a) as f32
        })
        .collect()
}

/// Track-level vocal probability: a logistic on the mean gliding share of the musical bars
/// (0.5 at [`TRACK_MIDPOINT`]). Weak evidence: measured ≈ 0.7 accuracy on the synthetic
/// public corpus, where short spoken samples and choir pads are hard to tell from leads.
pub fn probability(bar_scores: &[f32], silent: &[bool]) -> f64 {
    let music: Vec<f32> = bar_scores
        .iter()
        .zip(silent)
        .filter(|(_, &s)| !s)
        .map(|(&v, _)| v)
        .collect();
    if music.is_empty() {
        return 0.0;
    }
    let mean = music.iter().sum::<f32>() as f64 / music.len() as f64;
    let z = (mean - TRACK_MIDPOINT) / 0.03;
    let p = 1.0 / (1.0 + (-z).exp());
    (p * 1000.0).round() / 1000.0
}

/// Merged vocal time spans (seconds), bars above threshold, gaps of one bar bridged,
/// spans shorter than two bars dropped.
pub fn sections(bar_scores: &[f32], grid: &BarGrid) -> Vec<[f64; 2]> {
    let v: Vec<bool> = bar_scores.iter().map(|&s| s > BAR_THRESHOLD).collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, &on) in v.iter().enumerate() {
        if !on {
            continue;
        }
        match out.last_mut() {
            Some(last) if i <= last.1 + 1 => last.1 = i + 1,
            _ => out.push((i, i + 1)),
        }
    }
    out.into_iter()
        .filter(|(a, b)| b - a >= 2)
        .map(|(a, b)| [grid.starts[a], grid.end_of(b - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{features, timbre};
    use std::f32::consts::PI;

    const SR: f32 = 22050.0;

    /// Two-pole resonator (formant filter) coefficients.
    fn resonator(f: f32, bw: f32) -> (f32, f32, f32) {
        let r = (-PI * bw / SR).exp();
        let a1 = 2.0 * r * (2.0 * PI * f / SR).cos();
        let a2 = -r * r;
        (1.0 - r, a1, a2)
    }

    /// A sung vowel line: glottal pulse train (notes of a melody, each with 5.5 Hz ±`vib`
    /// cents vibrato and a short glide into the note) through three formant resonators
    /// ("ah": 700/1220/2600 Hz), with a syllabic envelope (one syllable per note, gaps).
    pub fn sung(secs: f32, vib_cents: f32, glide: bool) -> Vec<f32> {
        let n = (secs * SR) as usize;
        let notes = [220.0f32, 246.9, 261.6, 293.7, 261.6, 246.9];
        let note_s = 0.8f32;
        let mut src = vec![0f32; n];
        let mut phase = 0f32;
        for (i, s) in src.iter_mut().enumerate() {
            let t = i as f32 / SR;
            let k = (t / note_s) as usize;
            let tn = t - k as f32 * note_s;
            let f_target = notes[k % notes.len()];
            let f_prev = notes[(k + notes.len() - 1) % notes.len()];
            let g = if glide { (tn / 0.12).min(1.0) } else { 1.0 };
            let f_note = f_prev * (f_target / f_prev).powf(g);
            let f0 = f_note * 2f32.powf(vib_cents / 1200.0 * (2.0 * PI * 5.5 * t).sin());
            phase += f0 / SR;
            // Rosenberg-like pulse: a sawtooth-ish glottal flow derivative.
            let p = phase.fract();
            *s = if p < 0.6 { (PI * p / 0.6).sin() } else { 0.0 } - 0.4;
            // syllabic envelope: on 85 % of each note, 30-ms attack/release
            let env = (tn / 0.03).min(1.0) * ((0.85 * note_s - tn) / 0.03).clamp(0.0, 1.0);
            *s *= env;
        }
        let mut out = vec![0f32; n];
        for &(f, bw, gain) in &[
            (700.0, 110.0, 1.0),
            (1220.0, 120.0, 0.5),
            (2600.0, 160.0, 0.25),
        ] {
            let (b0, a1, a2) = resonator(f, bw);
            let (mut y1, mut y2) = (0f32, 0f32);
            for (o, &x) in out.iter_mut().zip(&src) {
                let y = b0 * x + a1 * y1 + a2 * y2;
                y2 = y1;
                y1 = y;
                *o += gain * y;
            }
        }
        let peak = out.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-9);
        out.iter_mut().for_each(|x| *x *= 0.3 / peak);
        out
    }

    /// A synth lead: sawtooth (band-limited by a few harmonics) stepping through the same
    /// melody with a fixed pitch per note, same envelope.
    pub fn stepped_lead(secs: f32) -> Vec<f32> {
        let n = (secs * SR) as usize;
        let notes = [220.0f32, 246.9, 261.6, 293.7, 261.6, 246.9];
        let note_s = 0.8f32;
        (0..n)
            .map(|i| {
                let t = i as f32 / SR;
                let k = (t / note_s) as usize;
                let tn = t - k as f32 * note_s;
                let f = notes[k % notes.len()];
                let env = (tn / 0.03).min(1.0) * ((0.85 * note_s - tn) / 0.03).clamp(0.0, 1.0);
                let v: f32 = (1..=8)
                    .map(|h| (2.0 * PI * f * h as f32 * tn).sin() / h as f32)
                    .sum();
                0.15 * env * v
            })
            .collect()
    }

    fn share(x: &[f32]) -> f32 {
        let fr = features::compute(x, 22050);
        let h = timbre::hpss(&fr);
        let g = glide_frames(&fr, &h);
        g.iter().filter(|&&v| v).count() as f32 / g.len().max(1) as f32
    }

    #[test]
    fn sung_vowel_is_voice_like_stepped_lead_is_not() {
        let v = share(&sung(12.0, 50.0, true));
        let s = share(&stepped_lead(12.0));
        eprintln!("sung {v} lead {s}");
        // Measured: sung ≈ 0.76, stepped lead ≈ 0.01. Note that real mixes of both kinds sit
        // in 0.08–0.32 (the strongest-peak pitch hops between instruments), so this pins the
        // detector's principle, not its calibration on music.
        assert!(v > 1.5 * BAR_THRESHOLD, "sung {v}");
        assert!(s < 0.2 * BAR_THRESHOLD, "lead {s}");
    }
}

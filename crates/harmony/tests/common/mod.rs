//! Synthetic test material: additive-synthesis chord progressions, bass lines and melodies in
//! any key, optional detune, and a drum layer (pitch-swept kick, noise snare and hats).
#![allow(dead_code)]

use flowstate_harmony::{CamelotKey, Mode};

pub const SR: u32 = 22050;

/// Deterministic xorshift noise in [-1, 1).
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// One cycle of a tone with `n_harm` harmonics of amplitude `rolloff^(k-1)`.
fn wavetable(n_harm: usize, rolloff: f32) -> Vec<f32> {
    const N: usize = 2048;
    let mut t = vec![0.0f32; N];
    for k in 1..=n_harm {
        let a = rolloff.powi(k as i32 - 1);
        for (i, v) in t.iter_mut().enumerate() {
            *v += a * (2.0 * std::f32::consts::PI * k as f32 * i as f32 / N as f32).sin();
        }
    }
    let m = t.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    t.iter_mut().for_each(|v| *v /= m);
    t
}

/// Square-like tone: odd harmonics 1/k.
fn odd_wavetable(n_harm: usize) -> Vec<f32> {
    const N: usize = 2048;
    let mut t = vec![0.0f32; N];
    for k in (1..=n_harm).step_by(2) {
        for (i, v) in t.iter_mut().enumerate() {
            *v += (2.0 * std::f32::consts::PI * k as f32 * i as f32 / N as f32).sin() / k as f32;
        }
    }
    let m = t.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    t.iter_mut().for_each(|v| *v /= m);
    t
}

/// Add a note (MIDI number, may be fractional for detune) into `out[start..end]`.
fn add_note(out: &mut [f32], table: &[f32], midi: f64, start: usize, end: usize, amp: f32) {
    let f = 440.0 * ((midi - 69.0) / 12.0).exp2();
    let inc = f * table.len() as f64 / f64::from(SR);
    let mut ph = 0.0f64;
    let end = end.min(out.len());
    let len = end.saturating_sub(start).max(1);
    let attack = (0.01 * f64::from(SR)) as usize;
    for (j, o) in out[start.min(end)..end].iter_mut().enumerate() {
        let env = if j < attack {
            j as f32 / attack as f32
        } else {
            1.0
        } * (1.0 - 0.3 * j as f32 / len as f32);
        *o += amp * env * table[ph as usize % table.len()];
        ph += inc;
        if ph >= table.len() as f64 {
            ph -= table.len() as f64;
        }
    }
}

/// Music in `key`: a four-chord loop (I V vi IV in major, i VI III VII in minor), a root bass
/// line and a scale melody, `seconds` long, detuned by `cents`.
pub fn music(key: CamelotKey, seconds: f64, cents: f64) -> Vec<f32> {
    music_with(key, seconds, cents, 0, 0)
}

/// Progressions as scale-degree indices (0 = I/i). Major then minor.
pub const MAJOR_PROGS: [[i32; 4]; 4] = [[0, 4, 5, 3], [0, 3, 4, 0], [0, 5, 3, 4], [0, 3, 0, 4]];
pub const MINOR_PROGS: [[i32; 4]; 4] = [[0, 3, 4, 0], [0, 5, 2, 6], [0, 5, 6, 0], [0, 3, 5, 4]];

/// As [`music`] with a choice of progression (`prog` 0..4) and timbre set (`timbre` 0..3:
/// bright saw-like, mellow, hollow odd-harmonic).
pub fn music_with(
    key: CamelotKey,
    seconds: f64,
    cents: f64,
    prog: usize,
    timbre: usize,
) -> Vec<f32> {
    let n = (seconds * f64::from(SR)) as usize;
    let mut out = vec![0.0f32; n];
    let (pad, bass, lead) = match timbre % 3 {
        0 => (wavetable(6, 0.6), wavetable(4, 0.5), wavetable(3, 0.4)),
        1 => (wavetable(3, 0.3), wavetable(2, 0.3), wavetable(2, 0.2)),
        _ => (odd_wavetable(7), wavetable(5, 0.7), odd_wavetable(5)),
    };
    let tonic = i32::from(key.tonic_pitch_class());
    let (scale, chords): ([i32; 7], [i32; 4]) = match key.mode() {
        // degrees as semitones; chords as scale-degree indices
        Mode::Major => ([0, 2, 4, 5, 7, 9, 11], MAJOR_PROGS[prog % 4]),
        Mode::Minor => ([0, 2, 3, 5, 7, 8, 10], MINOR_PROGS[prog % 4]),
    };
    let deg = |d: i32| -> i32 {
        let oct = d.div_euclid(7);
        scale[d.rem_euclid(7) as usize] + 12 * oct
    };
    let det = cents / 100.0;
    let chord_len = (2.0 * f64::from(SR)) as usize;
    let base = 48 + tonic; // tonic around C3..B3
    let mut t = 0usize;
    let mut ci = 0usize;
    while t < n {
        let root = chords[ci % 4];
        let end = (t + chord_len).min(n);
        for v in [0, 2, 4] {
            add_note(
                &mut out,
                &pad,
                f64::from(base + deg(root + v)) + det,
                t,
                end,
                0.12,
            );
        }
        // Bass: chord root two octaves down, two notes per chord.
        let half = chord_len / 2;
        add_note(
            &mut out,
            &bass,
            f64::from(base - 24 + deg(root)) + det,
            t,
            t + half,
            0.25,
        );
        add_note(
            &mut out,
            &bass,
            f64::from(base - 24 + deg(root)) + det,
            t + half,
            end,
            0.22,
        );
        // Melody: four chord tones / scale steps an octave up.
        let q = chord_len / 4;
        for (j, step) in [0, 2, 4, 1].iter().enumerate() {
            let s = t + j * q;
            add_note(
                &mut out,
                &lead,
                f64::from(base + 12 + deg(root + step)) + det,
                s,
                s + q,
                0.08,
            );
        }
        t += chord_len;
        ci += 1;
    }
    out
}

/// Drums at 120 BPM: a kick swept 120 → 50 Hz on every beat, a noise snare on 2 and 4, noise
/// hats on the off-beats.
pub fn drums(seconds: f64, seed: u64) -> Vec<f32> {
    let n = (seconds * f64::from(SR)) as usize;
    let mut out = vec![0.0f32; n];
    let mut rng = Rng::new(seed);
    let beat = (0.5 * f64::from(SR)) as usize;
    let sr = SR as f32;
    let mut b = 0usize;
    while b * beat < n {
        let s = b * beat;
        // kick
        let mut ph = 0.0f32;
        for j in 0..(0.3 * sr) as usize {
            if s + j >= n {
                break;
            }
            let t = j as f32 / sr;
            let f = 50.0 + 70.0 * (-t / 0.03).exp();
            ph += 2.0 * std::f32::consts::PI * f / sr;
            out[s + j] += 0.6 * (-t / 0.12).exp() * ph.sin();
        }
        // snare on 2 and 4
        if b % 2 == 1 {
            for j in 0..(0.18 * sr) as usize {
                if s + j >= n {
                    break;
                }
                let t = j as f32 / sr;
                out[s + j] += 0.3 * (-t / 0.05).exp() * rng.next();
            }
        }
        // hats on the off-beat (high-passed noise: first difference)
        let h = s + beat / 2;
        let mut prev = 0.0f32;
        for j in 0..(0.05 * sr) as usize {
            if h + j >= n {
                break;
            }
            let x = rng.next();
            out[h + j] += 0.2 * (-(j as f32 / sr) / 0.015).exp() * (x - prev);
            prev = x;
        }
        b += 1;
    }
    out
}

pub fn mix(a: &[f32], b: &[f32], gb: f32) -> Vec<f32> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| a.get(i).copied().unwrap_or(0.0) + gb * b.get(i).copied().unwrap_or(0.0))
        .collect()
}

pub fn key(s: &str) -> CamelotKey {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// A chord loop given as (root semitones above the tonic, minor?) per chord, `chord_s` seconds
/// each: a close-voiced triad pad, the root in the bass and, if `kick_on` is given, a kick
/// drum tuned to that many semitones above the tonic (long pitched tail, four per chord) —
/// the "808 tuned to the fifth" of many dance tracks.
pub fn progression(
    tonic_pc: i32,
    chords: &[(i32, bool)],
    chord_s: f64,
    seconds: f64,
    kick_on: Option<i32>,
) -> Vec<f32> {
    let n = (seconds * f64::from(SR)) as usize;
    let mut out = vec![0.0f32; n];
    let pad = wavetable(5, 0.55);
    let bass = wavetable(3, 0.4);
    let sine = wavetable(1, 1.0);
    let chord_len = (chord_s * f64::from(SR)) as usize;
    let base = 48 + tonic_pc;
    let (mut t, mut ci) = (0usize, 0usize);
    while t < n && !chords.is_empty() {
        let (root, minor) = chords[ci % chords.len()];
        let end = (t + chord_len).min(n);
        for iv in [0, if minor { 3 } else { 4 }, 7] {
            add_note(&mut out, &pad, f64::from(base + root + iv), t, end, 0.1);
        }
        add_note(&mut out, &bass, f64::from(base - 24 + root), t, end, 0.22);
        if let Some(k) = kick_on {
            let beat = chord_len / 4;
            for b in 0..4 {
                let s = t + b * beat;
                add_note(
                    &mut out,
                    &sine,
                    f64::from(base - 24 + k),
                    s,
                    s + beat * 3 / 4,
                    0.5,
                );
            }
        }
        t += chord_len;
        ci += 1;
    }
    out
}

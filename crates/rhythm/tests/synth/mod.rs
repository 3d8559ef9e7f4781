//! Synthetic drum machine for tests: deterministic, sample-accurate event times.
#![allow(dead_code)]

pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Drum {
    Click,
    Kick,
    Snare,
    Hat,
}

pub fn add_drum(buf: &mut [f32], sr: u32, t: f64, drum: Drum, gain: f32, rng: &mut Rng) {
    let sr_f = sr as f64;
    let start = (t * sr_f).round() as usize;
    let len = (match drum {
        Drum::Click => 0.01,
        Drum::Kick => 0.25,
        Drum::Snare => 0.18,
        Drum::Hat => 0.05,
    } * sr_f) as usize;
    let mut prev = 0.0f32;
    let mut phase = 0.0f64;
    for i in 0..len {
        let idx = start + i;
        if idx >= buf.len() {
            break;
        }
        let tt = i as f64 / sr_f;
        let v = match drum {
            Drum::Click => {
                if i < (0.002 * sr_f) as usize {
                    rng.next()
                } else {
                    0.0
                }
            }
            Drum::Kick => {
                let f = 50.0 + 100.0 * (-tt / 0.03).exp();
                phase += 2.0 * std::f64::consts::PI * f / sr_f;
                (phase.sin() * (-tt / 0.12).exp()) as f32
            }
            Drum::Snare => {
                let tone = (2.0 * std::f64::consts::PI * 190.0 * tt).sin() * (-tt / 0.05).exp();
                let noise = rng.next() as f64 * (-tt / 0.07).exp();
                (0.5 * tone + 0.6 * noise) as f32
            }
            Drum::Hat => {
                let n = rng.next();
                let hp = n - prev; // crude high-pass
                prev = n;
                hp * (-tt / 0.015).exp() as f32 * 0.5
            }
        };
        buf[idx] += gain * v;
    }
}

/// A steady pattern: `steps` is a list of (beat offset within bar in beats, drum, gain);
/// the bar repeats from `start` for `bars` bars at `bpm`.
pub fn pattern(
    buf: &mut [f32],
    sr: u32,
    bpm: f64,
    start: f64,
    bars: usize,
    steps: &[(f64, Drum, f32)],
    seed: u64,
) {
    let mut rng = Rng::new(seed);
    let spb = 60.0 / bpm;
    for bar in 0..bars {
        for &(off, d, g) in steps {
            let t = start + (bar as f64 * 4.0 + off) * spb;
            add_drum(buf, sr, t, d, g, &mut rng);
        }
    }
}

/// Sustained chords changing on every bar line (harmonic cue for downbeats).
pub fn chords(buf: &mut [f32], sr: u32, bpm: f64, start: f64, bars: usize, gain: f32) {
    let roots = [220.0, 174.61, 261.63, 196.0];
    let spb = 60.0 / bpm;
    for bar in 0..bars {
        let r = roots[bar % 4];
        let a = ((start + bar as f64 * 4.0 * spb) * sr as f64) as usize;
        let b = (((start + (bar + 1) as f64 * 4.0 * spb) * sr as f64) as usize).min(buf.len());
        for i in a..b {
            let tt = (i - a) as f64 / sr as f64;
            let env = (1.0 - (-tt / 0.02).exp()) * (-tt / 3.0).exp();
            let mut v = 0.0;
            for m in [1.0, 1.189, 1.498] {
                v += (2.0 * std::f64::consts::PI * r * m * tt).sin();
            }
            buf[i] += gain * (env * v / 3.0) as f32;
        }
    }
}

/// Slow ambient pad with no rhythm: overlapping long swells.
pub fn pad(buf: &mut [f32], sr: u32, start: f64, end: f64, gain: f32) {
    let a = (start * sr as f64) as usize;
    let b = ((end * sr as f64) as usize).min(buf.len());
    for i in a..b {
        let tt = (i - a) as f64 / sr as f64;
        let env = (0.5 - 0.5 * (2.0 * std::f64::consts::PI * tt / 7.3).cos()) * 0.7 + 0.3;
        let v = (2.0 * std::f64::consts::PI * 220.0 * tt).sin()
            + 0.7 * (2.0 * std::f64::consts::PI * 277.2 * tt + 0.3 * (0.5 * tt).sin()).sin()
            + 0.5 * (2.0 * std::f64::consts::PI * 329.6 * tt).sin();
        buf[i] += gain * (env * v / 2.2) as f32;
    }
}

pub fn silence(sr: u32, secs: f64) -> Vec<f32> {
    vec![0.0; (sr as f64 * secs) as usize]
}

pub const FOUR_ON_FLOOR: &[(f64, Drum, f32)] = &[
    (0.0, Drum::Kick, 0.8),
    (1.0, Drum::Kick, 0.8),
    (2.0, Drum::Kick, 0.8),
    (3.0, Drum::Kick, 0.8),
    (1.0, Drum::Snare, 0.35),
    (3.0, Drum::Snare, 0.35),
    (0.5, Drum::Hat, 0.3),
    (1.5, Drum::Hat, 0.3),
    (2.5, Drum::Hat, 0.3),
    (3.5, Drum::Hat, 0.3),
];

/// Drum & bass two-step: kick 1 and the "and" of 3, snare 2 and 4, eighth hats.
pub const TWO_STEP: &[(f64, Drum, f32)] = &[
    (0.0, Drum::Kick, 0.8),
    (2.5, Drum::Kick, 0.7),
    (1.0, Drum::Snare, 0.6),
    (3.0, Drum::Snare, 0.6),
    (0.0, Drum::Hat, 0.2),
    (0.5, Drum::Hat, 0.2),
    (1.0, Drum::Hat, 0.2),
    (1.5, Drum::Hat, 0.2),
    (2.0, Drum::Hat, 0.2),
    (2.5, Drum::Hat, 0.2),
    (3.0, Drum::Hat, 0.2),
    (3.5, Drum::Hat, 0.2),
];

/// Half-time: kick on 1, snare on 3, sixteenth hats.
pub const HALF_TIME: &[(f64, Drum, f32)] = &[
    (0.0, Drum::Kick, 0.9),
    (2.0, Drum::Snare, 0.7),
    (0.0, Drum::Hat, 0.25),
    (0.25, Drum::Hat, 0.15),
    (0.5, Drum::Hat, 0.2),
    (0.75, Drum::Hat, 0.15),
    (1.0, Drum::Hat, 0.25),
    (1.25, Drum::Hat, 0.15),
    (1.5, Drum::Hat, 0.2),
    (1.75, Drum::Hat, 0.15),
    (2.0, Drum::Hat, 0.25),
    (2.25, Drum::Hat, 0.15),
    (2.5, Drum::Hat, 0.2),
    (2.75, Drum::Hat, 0.15),
    (3.0, Drum::Hat, 0.25),
    (3.25, Drum::Hat, 0.15),
    (3.5, Drum::Hat, 0.2),
    (3.75, Drum::Hat, 0.15),
];

/// Boom-bap with swung eighth hats (off-beat hat at 2/3 of the beat).
pub fn swung(swing: f64) -> Vec<(f64, Drum, f32)> {
    let mut v = vec![
        (0.0, Drum::Kick, 0.9),
        (2.0, Drum::Kick, 0.8),
        (1.0, Drum::Snare, 0.6),
        (3.0, Drum::Snare, 0.6),
    ];
    for b in 0..4 {
        v.push((b as f64, Drum::Hat, 0.3));
        v.push((b as f64 + swing, Drum::Hat, 0.25));
    }
    v
}

/// Linear resampling (tests only).
pub fn resample_linear(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let n = (x.len() as f64 * to as f64 / from as f64) as usize;
    (0..n)
        .map(|i| {
            let p = i as f64 * from as f64 / to as f64;
            let j = p.floor() as usize;
            let f = (p - j as f64) as f32;
            let a = x.get(j).copied().unwrap_or(0.0);
            let b = x.get(j + 1).copied().unwrap_or(a);
            a * (1.0 - f) + b * f
        })
        .collect()
}

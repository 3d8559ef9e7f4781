//! A synthetic dance track with known structure, shared by the integration tests.
#![allow(dead_code)]

pub const SR: u32 = 22050;
pub const BPM: f64 = 150.0;
pub const LEAD_SILENCE_S: f64 = 1.0;

/// Section plan: (label, bars, kick+hats, bass, chords).
pub const PLAN: [(&str, usize, bool, bool, bool); 5] = [
    ("intro", 16, true, false, false),
    ("drop", 16, true, true, true),
    ("breakdown", 8, false, false, true),
    ("drop", 16, true, true, true),
    ("outro", 16, true, false, false),
];

pub fn bar_s() -> f64 {
    240.0 / BPM
}

/// Start time (s) of bar `b` of the plan.
pub fn bar_time(b: usize) -> f64 {
    LEAD_SILENCE_S + b as f64 * bar_s()
}

struct Lcg(u32);
impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    }
}

/// Render the plan at `gain`; `plan` allows variants.
pub fn render(plan: &[(&str, usize, bool, bool, bool)], gain: f32) -> Vec<f32> {
    let sr = SR as f64;
    let total_bars: usize = plan.iter().map(|p| p.1).sum();
    let n = ((LEAD_SILENCE_S + total_bars as f64 * bar_s() + 1.0) * sr) as usize;
    let mut out = vec![0f32; n];
    let beat = 60.0 / BPM;
    let mut rng = Lcg(7);
    let two_pi = 2.0 * std::f64::consts::PI;
    let mut bar0 = 0usize;
    for &(_, bars, drums, bass, chords) in plan {
        for b in bar0..bar0 + bars {
            let t_bar = bar_time(b);
            for k in 0..4 {
                let tb = t_bar + k as f64 * beat;
                let s0 = (tb * sr) as usize;
                if drums {
                    // kick: 150→50 Hz sweep, 250 ms exponential decay
                    let mut ph = 0.0f64;
                    for i in 0..(0.25 * sr) as usize {
                        let t = i as f64 / sr;
                        let f = 50.0 + 100.0 * (-t * 30.0).exp();
                        ph += two_pi * f / sr;
                        if let Some(x) = out.get_mut(s0 + i) {
                            *x += (0.7 * ph.sin() * (-t * 12.0).exp()) as f32;
                        }
                    }
                    // hat on the off-beat: 30 ms of differentiated noise
                    let s1 = ((tb + beat / 2.0) * sr) as usize;
                    let mut prev = 0f32;
                    for i in 0..(0.03 * sr) as usize {
                        let w = rng.next();
                        if let Some(x) = out.get_mut(s1 + i) {
                            *x += 0.25 * (w - prev) * (1.0 - i as f32 / (0.03 * sr) as f32);
                        }
                        prev = w;
                    }
                }
                if bass {
                    // A1 (55 Hz) with two harmonics, eighth notes
                    for half in 0..2 {
                        let s2 = ((tb + half as f64 * beat / 2.0) * sr) as usize;
                        for i in 0..(beat / 2.0 * sr * 0.9) as usize {
                            let t = i as f64 / sr;
                            let v = (two_pi * 55.0 * t).sin()
                                + 0.4 * (two_pi * 110.0 * t).sin()
                                + 0.2 * (two_pi * 165.0 * t).sin();
                            if let Some(x) = out.get_mut(s2 + i) {
                                *x += (0.25 * v * (-t * 3.0).exp()) as f32;
                            }
                        }
                    }
                }
            }
            if chords {
                // A minor / F major alternating per bar, sustained over the bar
                let notes: [f64; 3] = if b % 2 == 0 {
                    [220.0, 261.63, 329.63]
                } else {
                    [174.61, 220.0, 261.63]
                };
                let s3 = (t_bar * sr) as usize;
                let len = (bar_s() * sr) as usize;
                for i in 0..len {
                    let t = i as f64 / sr;
                    let env = (t * 50.0).min(1.0) * (1.0 - i as f64 / len as f64).max(0.0).sqrt();
                    let v: f64 = notes
                        .iter()
                        .map(|f| (two_pi * f * t).sin() + 0.3 * (two_pi * 2.0 * f * t).sin())
                        .sum();
                    if let Some(x) = out.get_mut(s3 + i) {
                        *x += (0.08 * v * env) as f32;
                    }
                }
            }
        }
        bar0 += bars;
    }
    out.iter_mut().for_each(|x| *x *= gain);
    out
}

pub fn sine(f: f64, amp: f32, secs: f64) -> Vec<f32> {
    let sr = SR as f64;
    (0..(secs * sr) as usize)
        .map(|i| amp * (2.0 * std::f64::consts::PI * f * i as f64 / sr).sin() as f32)
        .collect()
}

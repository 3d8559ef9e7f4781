//! Development benchmark (not a test): accuracy on the crate's own synthetic generator
//! (tests/common): 24 keys x 4 progressions x 3 timbres, with drums and detune. Used to choose
//! design options without touching the eval corpus.
//! `cargo run --release -p flowstate-harmony --example synth_key`
#[path = "../tests/common/mod.rs"]
mod common;
use common::{drums, mix, music_with, SR};
use flowstate_harmony::{analyze, CamelotKey, KeyOptions};

fn main() {
    let kit = drums(16.0, 11);
    let (mut n, mut exact, mut rel, mut fifth, mut par) = (0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for (i, k) in CamelotKey::all().enumerate() {
        for prog in 0..4 {
            for timbre in 0..3 {
                let cents = [-30.0, -10.0, 0.0, 15.0, 30.0][(i + prog + timbre) % 5];
                let x = mix(&music_with(k, 16.0, cents, prog, timbre), &kit, 0.8);
                let a = analyze(&x, SR, &KeyOptions::default());
                n += 1;
                match a.key {
                    Some(e) if e == k => exact += 1,
                    Some(e) if e == k.relative() => rel += 1,
                    Some(e)
                        if e.mode() == k.mode()
                            && (e.number() as i32 - k.number() as i32).rem_euclid(12) % 11 == 1
                            || e.mode() == k.mode()
                                && (e.number() as i32 - k.number() as i32).rem_euclid(12) == 1 =>
                    {
                        fifth += 1
                    }
                    Some(e) if e.tonic_pitch_class() == k.tonic_pitch_class() => par += 1,
                    _ => {}
                }
                if a.key != Some(k) {
                    misses.push(format!(
                        "{k} p{prog} t{timbre}->{}",
                        a.key.map(|e| e.camelot()).unwrap_or("-".into())
                    ));
                }
            }
        }
    }
    println!(
        "synthetic: n={n} exact {:.1}%  relative {rel}  fifth {fifth}  parallel {par}",
        100.0 * exact as f64 / n as f64
    );
    if std::env::var_os("SYNTH_VERBOSE").is_some() {
        println!("{}", misses.join(" "));
    }
}

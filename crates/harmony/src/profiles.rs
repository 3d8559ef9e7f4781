//! Key profiles and template matching.
//!
//! Profiles are indexed by interval above the tonic (0 = tonic … 11 = major seventh).
//! - `POP_*`: a learn-free profile written from theory for electronic and pop music: the
//!   diatonic scale, tonic triad emphasised; the minor one is *natural* minor (♭6, ♭7 are
//!   scale tones, the leading tone is rare), the major one allows the mixolydian ♭7 a little.
//! - `KK_*`: Krumhansl & Kessler (1982) probe-tone ratings, the classic reference.
//! - `TEMPERLEY_*`: Temperley (1999/2001) corpus profile.
//!   The full-range score averages the normalised correlations with the three families.
//! - bass: a bass line plays chord roots, so its profile is the root column of the
//!   chord-function table (`CHORDS_IN_*`): I/i most, then IV, V, vi in major and iv, V/v, ♭VI,
//!   ♭VII, ♭III in minor. (An earlier hand-written bass profile assumed the bass sits on the
//!   tonic far more than on IV; loops such as I–IV–V–IV, where IV holds half the time, then
//!   read as the key of IV.)
//! - `CHORDS_IN_*`: how often each triad occurs in a key, matched against a histogram of the
//!   triads recognised frame by frame.

use flowstate_types::{CamelotKey, Mode};

pub(crate) const POP_MAJOR: [f64; 12] = [
    1.00, 0.10, 0.50, 0.10, 0.70, 0.50, 0.10, 0.85, 0.10, 0.50, 0.20, 0.35,
];
pub(crate) const POP_MINOR: [f64; 12] = [
    1.00, 0.10, 0.50, 0.75, 0.10, 0.50, 0.10, 0.85, 0.50, 0.10, 0.50, 0.25,
];
pub(crate) const KK_MAJOR: [f64; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
pub(crate) const KK_MINOR: [f64; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];
pub(crate) const TEMPERLEY_MAJOR: [f64; 12] =
    [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0];
pub(crate) const TEMPERLEY_MINOR: [f64; 12] =
    [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0];
/// Weight of the bass-register score in the combined score.
pub(crate) const BASS_WEIGHT: f64 = 0.2;
/// Weight of the chord-function score (a third: chords are one of three kinds of evidence
/// — pitch-class profile, bass line, chord progression). The profile keeps the rest; the
/// bass : profile ratio is what it was before chords were added (0.3 : 0.7).
pub(crate) const CHORD_WEIGHT: f64 = 1.0 / 3.0;

/// How often a chord of each root interval above the tonic occurs in a key, for major
/// (`[0]`) and minor (`[1]`) triads, written from common-practice / pop harmony (not fitted):
/// - major key: I most, then IV and V, vi, ii, iii; the mixolydian ♭VII and the borrowed iv a
///   little;
/// - minor key: i most, then iv, ♭VI, ♭VII, the harmonic-minor V (major!) and ♭III, the
///   natural v; the dorian IV a little.
///
/// Chords foreign to a key (e.g. a major II, a minor v in major) weigh 0, so a progression
/// such as I–IV–V–IV cannot read as the key of its IV (where V would be a major II) and
/// i–iv–VI–V cannot read as the key of its iv (where V would be a major II).
pub(crate) const CHORDS_IN_MAJOR: [[f64; 12]; 2] = [
    // major triads on 0..11
    [
        1.00, 0.00, 0.10, 0.00, 0.00, 0.80, 0.00, 0.80, 0.00, 0.00, 0.25, 0.00,
    ],
    // minor triads on 0..11
    [
        0.00, 0.00, 0.50, 0.00, 0.30, 0.10, 0.00, 0.00, 0.00, 0.60, 0.00, 0.00,
    ],
];
pub(crate) const CHORDS_IN_MINOR: [[f64; 12]; 2] = [
    [
        0.00, 0.00, 0.00, 0.50, 0.00, 0.10, 0.00, 0.50, 0.70, 0.00, 0.60, 0.00,
    ],
    [
        1.00, 0.00, 0.00, 0.00, 0.00, 0.70, 0.00, 0.35, 0.00, 0.00, 0.00, 0.00,
    ],
];

/// A bass-line profile from a chord-function table: the bass plays chord roots.
fn chord_roots(t: &[[f64; 12]; 2]) -> [f64; 12] {
    std::array::from_fn(|iv| t[0][iv] + t[1][iv])
}

/// Chord index 0..24: `root_pc + 12 * minor` (same layout as keys).
pub(crate) const N_CHORDS: usize = 24;

/// Triad templates with overtones (as [`with_harmonics`]), unit length, by chord index.
pub(crate) fn chord_templates() -> &'static [[f64; 12]; N_CHORDS] {
    static T: std::sync::OnceLock<[[f64; 12]; N_CHORDS]> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        std::array::from_fn(|c| {
            let (root, minor) = (c % 12, c >= 12);
            let mut notes = [0.0; 12];
            for iv in [0, if minor { 3 } else { 4 }, 7] {
                notes[(root + iv) % 12] = 1.0;
            }
            let t = with_harmonics(&notes, HARMONIC_DECAY);
            let n = t.iter().map(|v| v * v).sum::<f64>().sqrt();
            t.map(|v| v / n)
        })
    })
}

/// The triad that best explains a chroma vector (cosine with [`chord_templates`]); `None` for
/// an empty frame.
pub(crate) fn best_chord(chroma: &[f64; 12]) -> Option<usize> {
    if chroma.iter().map(|v| v * v).sum::<f64>() <= 1e-24 {
        return None;
    }
    // The chroma's own length is common to all 24 cosines, so the dot product ranks them.
    let dot = |t: &[f64; 12]| t.iter().zip(chroma).map(|(a, b)| a * b).sum::<f64>();
    (0..N_CHORDS).max_by(|&a, &b| {
        let t = chord_templates();
        dot(&t[a]).total_cmp(&dot(&t[b]))
    })
}

/// Pearson correlation of a chord histogram (chord index layout) seen from `tonic` with a
/// key's chord profile.
fn chord_corr(hist: &[f64; N_CHORDS], tonic: usize, profile: &[[f64; 12]; 2]) -> f64 {
    pearson(profile.iter().enumerate().flat_map(|(q, row)| {
        row.iter()
            .enumerate()
            .map(move |(iv, &p)| (hist[(iv + tonic) % 12 + 12 * q], p))
    }))
}

/// Amplitude ratio between successive harmonics assumed when the note profiles are turned
/// into partial profiles (Gómez-style harmonic profiles); 0 disables.
pub(crate) const HARMONIC_DECAY: f64 = 0.5;

/// A note-level profile as a *partial*-level chroma profile: every scale degree also brings
/// its overtones (harmonics 2..6 fold to +0, +7, +0, +4, +7 semitones), amplitude `decay^(k-1)`.
pub(crate) fn with_harmonics(p: &[f64; 12], decay: f64) -> [f64; 12] {
    const IV: [usize; 6] = [0, 0, 7, 0, 4, 7];
    let mut out = [0.0; 12];
    for (i, &v) in p.iter().enumerate() {
        let mut a = 1.0;
        for iv in IV {
            out[(i + iv) % 12] += v * a;
            a *= decay;
        }
    }
    out
}

/// Key index 0..24: `tonic_pc + 12 * (mode == Minor)`.
pub(crate) fn key_of(index: usize) -> CamelotKey {
    let mode = if index >= 12 {
        Mode::Minor
    } else {
        Mode::Major
    };
    CamelotKey::from_pitch_class((index % 12) as u8, mode)
}

pub(crate) fn index_of(key: CamelotKey) -> usize {
    usize::from(key.tonic_pitch_class()) + if key.mode() == Mode::Minor { 12 } else { 0 }
}

/// Pearson correlation of `chroma` rotated to `tonic` with `profile`.
fn corr(chroma: &[f64; 12], tonic: usize, profile: &[f64; 12]) -> f64 {
    pearson(
        profile
            .iter()
            .enumerate()
            .map(|(i, &p)| (chroma[(i + tonic) % 12], p)),
    )
}

/// Pearson correlation of paired values; 0 when either side is constant.
fn pearson(pairs: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    let (mut n, mut sa, mut sb) = (0.0, 0.0, 0.0);
    for (a, b) in pairs.clone() {
        n += 1.0;
        sa += a;
        sb += b;
    }
    if n == 0.0 {
        return 0.0;
    }
    let (ma, mb) = (sa / n, sb / n);
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for (a, b) in pairs {
        num += (a - ma) * (b - mb);
        da += (a - ma) * (a - ma);
        db += (b - mb) * (b - mb);
    }
    if da <= 1e-18 || db <= 1e-18 {
        0.0
    } else {
        num / (da * db).sqrt()
    }
}

/// The profiles actually matched: note profiles with their harmonics folded in.
struct Profiles {
    pop_major: [f64; 12],
    pop_minor: [f64; 12],
    kk_major: [f64; 12],
    kk_minor: [f64; 12],
    tp_major: [f64; 12],
    tp_minor: [f64; 12],
    bass_major: [f64; 12],
    bass_minor: [f64; 12],
}

fn profiles() -> &'static Profiles {
    static P: std::sync::OnceLock<Profiles> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let h = |p: &[f64; 12]| with_harmonics(p, HARMONIC_DECAY);
        Profiles {
            pop_major: h(&POP_MAJOR),
            pop_minor: h(&POP_MINOR),
            kk_major: h(&KK_MAJOR),
            kk_minor: h(&KK_MINOR),
            tp_major: h(&TEMPERLEY_MAJOR),
            tp_minor: h(&TEMPERLEY_MINOR),
            bass_major: h(&chord_roots(&CHORDS_IN_MAJOR)),
            bass_minor: h(&chord_roots(&CHORDS_IN_MINOR)),
        }
    })
}

/// Scores of the 24 keys (index as in [`key_of`]) for a full-range chroma, a bass chroma and
/// a chord histogram (time spent on each triad).
pub(crate) fn key_scores(
    full: &[f64; 12],
    bass: &[f64; 12],
    chords: &[f64; N_CHORDS],
) -> [f64; 24] {
    let bass_energy: f64 = bass.iter().sum();
    let full_energy: f64 = full.iter().sum();
    // Without a bass line (or without recognisable chords) the other evidence decides alone.
    let mut bw = if full_energy > 0.0 && bass_energy > 0.02 * full_energy {
        BASS_WEIGHT
    } else {
        0.0
    };
    // Chords need at least two distinct triads to say anything about function.
    let distinct = chords.iter().filter(|&&v| v > 0.0).count();
    let cw = if distinct >= 2 { CHORD_WEIGHT } else { 0.0 };
    if cw == 0.0 {
        bw *= 1.0 / (1.0 - CHORD_WEIGHT);
    }
    let fw = 1.0 - bw - cw;
    let p = profiles();
    let mut s = [0.0; 24];
    for tonic in 0..12 {
        for (minor, slot) in [(false, tonic), (true, tonic + 12)] {
            let (pop, kk, tp, bp, cp) = if minor {
                (
                    &p.pop_minor,
                    &p.kk_minor,
                    &p.tp_minor,
                    &p.bass_minor,
                    &CHORDS_IN_MINOR,
                )
            } else {
                (
                    &p.pop_major,
                    &p.kk_major,
                    &p.tp_major,
                    &p.bass_major,
                    &CHORDS_IN_MAJOR,
                )
            };
            let f = (corr(full, tonic, pop) + corr(full, tonic, kk) + corr(full, tonic, tp)) / 3.0;
            let b = if bw > 0.0 { corr(bass, tonic, bp) } else { 0.0 };
            let c = if cw > 0.0 {
                chord_corr(chords, tonic, cp)
            } else {
                0.0
            };
            s[slot] = fw * f + bw * b + cw * c;
        }
    }
    s
}

/// Indices of the 24 scores sorted best first.
pub(crate) fn ranked(scores: &[f64; 24]) -> [usize; 24] {
    let mut idx: [usize; 24] = std::array::from_fn(|i| i);
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    idx
}

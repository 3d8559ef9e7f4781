//! Musical keys: Camelot (`8A`), classic (`Am`, `F# major`) and Open Key (`1m`) notation, and
//! the harmonic compatibility rule used by ranking and set planning.
//!
//! Camelot: 8A = A minor, 8B = C major; numbers walk the circle of fifths (9B = G major).
//! Open Key: 1d = C major, 1m = A minor (Camelot number − 7 on the wheel).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Minor (Camelot `A`, Open Key `m`) or major (Camelot `B`, Open Key `d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Minor,
    Major,
}

/// A key as a position on the Camelot wheel. Always valid: `number` is 1..=12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CamelotKey {
    number: u8,
    mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a musical key: {input:?} (try 8A, Am, A minor, F# major, Gb or 1m)")]
pub struct KeyParseError {
    pub input: String,
}

const SHARP_NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
/// Spelling DJs' software uses for classic notation (rekordbox/Traktor style).
const DJ_NAMES: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

impl CamelotKey {
    /// `number` in 1..=12.
    pub fn new(number: u8, mode: Mode) -> Option<Self> {
        (1..=12).contains(&number).then_some(Self { number, mode })
    }

    /// From a tonic pitch class (0 = C … 11 = B) and a mode.
    pub fn from_pitch_class(tonic_pc: u8, mode: Mode) -> Self {
        let pc = u32::from(tonic_pc % 12);
        // The major key sharing the wheel position: the minor's relative major.
        let major_pc = match mode {
            Mode::Major => pc,
            Mode::Minor => (pc + 3) % 12,
        };
        let number = ((major_pc * 7 + 7) % 12 + 1) as u8;
        Self { number, mode }
    }

    pub fn number(self) -> u8 {
        self.number
    }

    pub fn mode(self) -> Mode {
        self.mode
    }

    /// Tonic pitch class, 0 = C … 11 = B.
    pub fn tonic_pitch_class(self) -> u8 {
        // Inverse of from_pitch_class: major_pc * 7 ≡ number - 8 (mod 12); 7 is its own inverse.
        let major_pc = ((u32::from(self.number) + 12 - 8) * 7 % 12) as u8;
        match self.mode {
            Mode::Major => major_pc,
            Mode::Minor => (major_pc + 9) % 12,
        }
    }

    /// `8A` style.
    pub fn camelot(self) -> String {
        format!(
            "{}{}",
            self.number,
            if self.mode == Mode::Minor { 'A' } else { 'B' }
        )
    }

    /// Short classic notation as DJ software writes it: `Am`, `F#`, `Bbm`, `Db`.
    pub fn classic(self) -> String {
        let name = DJ_NAMES[usize::from(self.tonic_pitch_class())];
        match self.mode {
            Mode::Minor => format!("{name}m"),
            Mode::Major => name.to_string(),
        }
    }

    /// Long classic notation: `A minor`, `F# major`.
    pub fn classic_long(self) -> String {
        let name = DJ_NAMES[usize::from(self.tonic_pitch_class())];
        match self.mode {
            Mode::Minor => format!("{name} minor"),
            Mode::Major => format!("{name} major"),
        }
    }

    /// Open Key notation: `1m` = A minor, `1d` = C major.
    pub fn open_key(self) -> String {
        let n = (u32::from(self.number) + 12 - 8) % 12 + 1;
        format!("{n}{}", if self.mode == Mode::Minor { 'm' } else { 'd' })
    }

    /// The relative key (same number, other letter).
    pub fn relative(self) -> Self {
        Self {
            number: self.number,
            mode: match self.mode {
                Mode::Minor => Mode::Major,
                Mode::Major => Mode::Minor,
            },
        }
    }

    /// Move `steps` positions around the wheel (wraps 12 → 1).
    pub fn rotate(self, steps: i32) -> Self {
        let n = (i32::from(self.number) - 1 + steps).rem_euclid(12) + 1;
        Self {
            number: n as u8,
            mode: self.mode,
        }
    }

    /// Transpose by `semitones` (one semitone = 7 steps on the wheel).
    pub fn transpose(self, semitones: i32) -> Self {
        self.rotate(semitones * 7)
    }

    /// Harmonic compatibility of mixing from `self` (current) into `other` (candidate),
    /// per the CODEX white paper Appendix A: same 1.0; ±1 same letter 0.9; relative 0.9;
    /// ±2 same letter 0.7; diagonal (±1, other letter) 0.6; +7 steps same letter 0.3; else 0.
    pub fn compatibility(self, other: Self) -> f64 {
        let d = (i32::from(other.number) - i32::from(self.number)).rem_euclid(12);
        let same_letter = self.mode == other.mode;
        match (d, same_letter) {
            (0, true) => 1.0,
            (1 | 11, true) => 0.9,
            (0, false) => 0.9,
            (2 | 10, true) => 0.7,
            (1 | 11, false) => 0.6,
            (7, true) => 0.3,
            _ => 0.0,
        }
    }

    /// Signed wheel distance from `self` to `other` in -5..=6 (for reasons such as "8A→9A (+1)").
    pub fn wheel_steps(self, other: Self) -> i32 {
        let d = (i32::from(other.number) - i32::from(self.number)).rem_euclid(12);
        if d > 6 {
            d - 12
        } else {
            d
        }
    }

    /// All 24 keys, 1A..12A then 1B..12B.
    pub fn all() -> impl Iterator<Item = CamelotKey> {
        [Mode::Minor, Mode::Major]
            .into_iter()
            .flat_map(|m| (1..=12).map(move |n| CamelotKey { number: n, mode: m }))
    }
}

fn note_pc(s: &str) -> Option<(u8, usize)> {
    // Returns pitch class and how many bytes of `s` the note name used.
    let mut chars = s.char_indices();
    let (_, c0) = chars.next()?;
    let base: i32 = match c0.to_ascii_uppercase() {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let mut used = c0.len_utf8();
    let mut pc = base;
    if let Some((i, c1)) = chars.next() {
        match c1 {
            '#' | '♯' => {
                pc += 1;
                used = i + c1.len_utf8();
            }
            'b' | '♭' => {
                pc -= 1;
                used = i + c1.len_utf8();
            }
            _ => {}
        }
    }
    Some((pc.rem_euclid(12) as u8, used))
}

impl FromStr for CamelotKey {
    type Err = KeyParseError;

    /// Accepts `8A`, `8a`, `08B`, `Am`, `A minor`, `A min`, `F#`, `F# major`, `Gb`, `Bbm`,
    /// `C#min`, `1m`/`1d` (Open Key). A bare note name means major.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || KeyParseError {
            input: input.to_string(),
        };
        let s = input.trim();
        if s.is_empty() || s.len() > 32 {
            return Err(err());
        }
        // Camelot / Open Key: digits then one letter.
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() {
            let rest = s[digits.len()..].trim();
            let n: u8 = digits.parse().map_err(|_| err())?;
            if !(1..=12).contains(&n) {
                return Err(err());
            }
            return match rest {
                "A" | "a" => Ok(Self {
                    number: n,
                    mode: Mode::Minor,
                }),
                "B" | "b" => Ok(Self {
                    number: n,
                    mode: Mode::Major,
                }),
                "m" | "M" => {
                    let k = Self {
                        number: n,
                        mode: Mode::Minor,
                    };
                    Ok(k.rotate(7))
                }
                "d" | "D" => {
                    let k = Self {
                        number: n,
                        mode: Mode::Major,
                    };
                    Ok(k.rotate(7))
                }
                _ => Err(err()),
            };
        }
        let (pc, used) = note_pc(s).ok_or_else(err)?;
        let rest = s[used..].trim().to_ascii_lowercase();
        let mode = match rest.as_str() {
            "" | "maj" | "major" | "dur" | "mayor" => Mode::Major,
            "m" | "min" | "minor" | "moll" | "menor" | "-" => Mode::Minor,
            _ => return Err(err()),
        };
        Ok(Self::from_pitch_class(pc, mode))
    }
}

impl fmt::Display for CamelotKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.camelot())
    }
}

impl Serialize for CamelotKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.camelot())
    }
}

impl<'de> Deserialize<'de> for CamelotKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Name of a pitch class with sharps (`C#`), for diagnostics.
pub fn pitch_class_name(pc: u8) -> &'static str {
    SHARP_NAMES[usize::from(pc % 12)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k(s: &str) -> CamelotKey {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reference_points() {
        assert_eq!(k("Am").camelot(), "8A");
        assert_eq!(k("A minor").camelot(), "8A");
        assert_eq!(k("C").camelot(), "8B");
        assert_eq!(k("C major").camelot(), "8B");
        assert_eq!(k("G").camelot(), "9B");
        assert_eq!(k("F").camelot(), "7B");
        assert_eq!(k("Bb minor").camelot(), "3A");
        assert_eq!(k("A# minor").camelot(), "3A");
        assert_eq!(k("F# major").camelot(), "2B");
        assert_eq!(k("Gb").camelot(), "2B");
        assert_eq!(k("Em").camelot(), "9A");
        assert_eq!(k("Db").camelot(), "3B");
        assert_eq!(k("1m").camelot(), "8A");
        assert_eq!(k("1d").camelot(), "8B");
        assert_eq!(k("8a").camelot(), "8A");
        assert_eq!(k("8A").classic(), "Am");
        assert_eq!(k("3A").classic(), "Bbm");
        assert_eq!(k("8A").open_key(), "1m");
        assert_eq!(k("2B").classic_long(), "F# major");
        for bad in ["", "13A", "0B", "H", "Am7", "8C", "xyz", "A mixolydian"] {
            assert!(bad.parse::<CamelotKey>().is_err(), "{bad}");
        }
    }

    #[test]
    fn compatibility_table() {
        let c = |a: &str, b: &str| k(a).compatibility(k(b));
        assert_eq!(c("8A", "8A"), 1.0);
        assert_eq!(c("8A", "9A"), 0.9);
        assert_eq!(c("8A", "7A"), 0.9);
        assert_eq!(c("8A", "8B"), 0.9);
        assert_eq!(c("8A", "10A"), 0.7);
        assert_eq!(c("8A", "9B"), 0.6);
        assert_eq!(c("8A", "3A"), 0.3);
        assert_eq!(c("8A", "2A"), 0.0);
        // wrap-around 12 -> 1
        assert_eq!(c("12A", "1A"), 0.9);
        assert_eq!(c("1B", "12B"), 0.9);
        assert_eq!(c("12B", "2B"), 0.7);
        assert_eq!(c("12A", "1B"), 0.6);
    }

    proptest! {
        #[test]
        fn camelot_roundtrips(n in 1u8..=12, minor in any::<bool>()) {
            let key = CamelotKey::new(n, if minor { Mode::Minor } else { Mode::Major }).expect("1..=12 is a Camelot number");
            prop_assert_eq!(k(&key.camelot()), key);
            prop_assert_eq!(k(&key.classic()), key);
            prop_assert_eq!(k(&key.classic_long()), key);
            prop_assert_eq!(k(&key.open_key()), key);
            prop_assert_eq!(CamelotKey::from_pitch_class(key.tonic_pitch_class(), key.mode()), key);
        }

        #[test]
        fn compatibility_symmetric_except_dominant(a in 0usize..24, b in 0usize..24) {
            let keys: Vec<_> = CamelotKey::all().collect();
            let (x, y) = (keys[a], keys[b]);
            let (xy, yx) = (x.compatibility(y), y.compatibility(x));
            if xy != 0.3 && yx != 0.3 {
                prop_assert_eq!(xy, yx);
            }
            prop_assert!((0.0..=1.0).contains(&xy));
            prop_assert_eq!(x.compatibility(x), 1.0);
        }

        #[test]
        fn transposition_moves_by_semitones(a in 0usize..24, s in -24i32..24) {
            let keys: Vec<_> = CamelotKey::all().collect();
            let x = keys[a];
            let t = x.transpose(s);
            prop_assert_eq!(i32::from(t.tonic_pitch_class()), (i32::from(x.tonic_pitch_class()) + s).rem_euclid(12));
            prop_assert_eq!(t.mode(), x.mode());
        }
    }
}

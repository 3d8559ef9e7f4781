//! The data-driven lexicon (`data/lexicon.txt`): phrases -> concepts, plus the tokenizer
//! and fuzzy correction shared by the grammar and the suggestions.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use flowstate_types::intent::{Attr, AttrKind};

use crate::IntentError;

pub(crate) const LEXICON_SRC: &str = include_str!("../data/lexicon.txt");

/// What a phrase means.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Concept {
    /// A closed value (`vibe=dark`); `negated` for `vocal_presence=!instrumental`.
    Val {
        attr: Attr,
        value: String,
        negated: bool,
    },
    /// A word for a list/text attribute.
    Term {
        attr: Attr,
        word: String,
    },
    Dim(Attr),
    Up(Attr),
    Down(Attr),
    /// Comparative closed value ("darker").
    Cmp {
        attr: Attr,
        value: String,
    },
    /// Absolute level word ("bangers").
    Range {
        attr: Attr,
        lo: Option<f64>,
        hi: Option<f64>,
    },
    Mode(&'static str),
    Macro(String),
    Word(Flag),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    More,
    Less,
    Small,
    Large,
    Neg,
    NegSoft,
    NegPost,
    Hedge,
    Keep,
    Change,
    High,
    Low,
    Medium,
    Exact,
    Below,
    Above,
    AtMost,
    /// "up to": a destination after a verb of motion ("take it up to 128" = at 128), else
    /// a bound ("up to 128 bpm" = at most 128).
    UpTo,
    AtLeast,
    /// A tolerance around the current track: "within 2 bpm", "within 4%" (= keep).
    Within,
    /// A trailing bound: "120 or more" (= at least 120), but "under 125 or over 130" (= above).
    OrMore,
    /// A trailing bound: "120 or less" (= at most 120), but "over 130 and under 140" (= below).
    OrLess,
    About,
    At,
    Pct,
    Between,
    To,
    Compat,
    Relative,
    Vague,
    Stop,
    Boundary,
    By,
    Inject,
    /// "too dark", "too fast": a complaint, so the opposite is wanted.
    Too,
    /// "we're losing them", "the floor is packed": how the room is, not an instruction. What
    /// it implies counts only when the prompt asks for nothing outright (the request, not the
    /// reason: "people are leaving, something more danceable" is danceability alone).
    Situation,
    /// "we're at 124", "currently at 8A": what the track playing now measures, said as a
    /// reason; a figure in the clause is situational (see [`Flag::Situation`]).
    Current,
    /// "vocals are fine", "I don't mind a different key": allowed, not asked for, so the
    /// attribute stays open.
    Permit,
    /// "then", "after that": a clause boundary after which the prompt describes a later step
    /// of the set ("one more banger, then wind down"), not the next track.
    Later,
    /// A unit of time ("5 minutes", "30 sec"): the figure before it is a duration, which the
    /// constraint language has no attribute for.
    Duration,
}

fn parse_attr(s: &str) -> Option<Attr> {
    use Attr::*;
    Some(match s {
        "bpm" => Bpm,
        "energy" => Energy,
        "danceability" => Danceability,
        "mix_in_ease" => MixInEase,
        "mix_out_ease" => MixOutEase,
        "key" => Key,
        "intensity" => Intensity,
        "vibe" => Vibe,
        "groove_style" => GrooveStyle,
        "tempo_feel" => TempoFeel,
        "vocal_presence" => VocalPresence,
        "vocal_style" => VocalStyle,
        "language" => Language,
        "genre" => Genre,
        "subgenre" => Subgenre,
        "mood_tags" => MoodTags,
        "instrumentation" => Instrumentation,
        "production_style" => ProductionStyle,
        "description" => Description,
        "artist" => Artist,
        _ => return None,
    })
}

fn parse_flag(s: &str) -> Option<Flag> {
    use Flag::*;
    Some(match s {
        "more" => More,
        "less" => Less,
        "small" => Small,
        "large" => Large,
        "neg" => Neg,
        "negsoft" => NegSoft,
        "negpost" => NegPost,
        "hedge" => Hedge,
        "keep" => Keep,
        "change" => Change,
        "high" => High,
        "low" => Low,
        "medium" => Medium,
        "exact" => Exact,
        "below" => Below,
        "above" => Above,
        "atmost" => AtMost,
        "upto" => UpTo,
        "within" => Within,
        "atleast" => AtLeast,
        "ormore" => OrMore,
        "orless" => OrLess,
        "about" => About,
        "at" => At,
        "pct" => Pct,
        "between" => Between,
        "to" => To,
        "compat" => Compat,
        "relative" => Relative,
        "vague" => Vague,
        "stop" => Stop,
        "boundary" => Boundary,
        "by" => By,
        "inject" => Inject,
        "too" => Too,
        "situation" => Situation,
        "current" => Current,
        "permit" => Permit,
        "later" => Later,
        "duration" => Duration,
        _ => return None,
    })
}

fn opt_num(s: &str) -> Result<Option<f64>, String> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else {
        t.parse::<f64>()
            .map(Some)
            .map_err(|e| format!("bad number {t:?}: {e}"))
    }
}

fn parse_concept(s: &str) -> Result<Concept, String> {
    let s = s.trim();
    if let Some(f) = parse_flag(s) {
        return Ok(Concept::Word(f));
    }
    if let Some((k, v)) = s.split_once('=') {
        let v = v.trim();
        match k.trim() {
            "dim" => {
                return parse_attr(v)
                    .map(Concept::Dim)
                    .ok_or(format!("unknown attr {v}"))
            }
            "up" => {
                return parse_attr(v)
                    .map(Concept::Up)
                    .ok_or(format!("unknown attr {v}"))
            }
            "down" => {
                return parse_attr(v)
                    .map(Concept::Down)
                    .ok_or(format!("unknown attr {v}"))
            }
            "mode" => {
                return match v {
                    "minor" => Ok(Concept::Mode("minor")),
                    "major" => Ok(Concept::Mode("major")),
                    _ => Err(format!("bad mode {v}")),
                }
            }
            "macro" => return Ok(Concept::Macro(v.to_string())),
            "cmp" => {
                let (a, val) = v.split_once(':').ok_or("cmp needs attr:value")?;
                let attr = parse_attr(a).ok_or(format!("unknown attr {a}"))?;
                return Ok(Concept::Cmp {
                    attr,
                    value: val.to_string(),
                });
            }
            "range" => {
                let mut it = v.split(':');
                let a = it.next().unwrap_or_default();
                let attr = parse_attr(a).ok_or(format!("unknown attr {a}"))?;
                let lo = opt_num(it.next().unwrap_or_default())?;
                let hi = opt_num(it.next().unwrap_or_default())?;
                return Ok(Concept::Range { attr, lo, hi });
            }
            attr => {
                let a = parse_attr(attr).ok_or(format!("unknown attr {attr}"))?;
                let (negated, value) = match v.strip_prefix('!') {
                    Some(r) => (true, r),
                    None => (false, v),
                };
                return Ok(Concept::Val {
                    attr: a,
                    value: value.to_string(),
                    negated,
                });
            }
        }
    }
    if let Some((k, v)) = s.split_once('+') {
        let attr = parse_attr(k.trim()).ok_or(format!("unknown attr {k}"))?;
        if !matches!(attr.kind(), AttrKind::List | AttrKind::Text) {
            return Err(format!("{k} is not a list/text attr"));
        }
        return Ok(Concept::Term {
            attr,
            word: v.trim().to_string(),
        });
    }
    Err(format!("unknown concept {s:?}"))
}

pub(crate) fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
        || ('\u{1100}'..='\u{11FF}').contains(&c)
        || ('\u{3130}'..='\u{318F}').contains(&c)
}

/// Lowercase, strip Latin accents, drop apostrophes.
pub(crate) fn fold_char(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        '\'' | '\u{2019}' | '\u{2018}' | '`' | '´' => return None,
        // full-width forms (U+FF01-U+FF5E) are ASCII typed with an East Asian input method
        '\u{FF01}'..='\u{FF5E}' => {
            let a = char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c);
            return fold_char(a);
        }
        c => c.to_lowercase().next().unwrap_or(c),
    })
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokKind {
    Word,
    Num(f64),
    Punct,
    /// An artist of the library ([`crate::names::Names`]); `orig` is the library's spelling.
    Name,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Normalised text (lowercase, accents folded).
    pub text: String,
    /// Original spelling (case kept), for keys and artist names.
    pub orig: String,
    pub kind: TokKind,
    /// Set when the text was fuzzy-corrected.
    pub fuzzy: bool,
}

fn push_word(out: &mut Vec<Token>, text: &mut String, orig: &mut String) {
    if text.is_empty() {
        orig.clear();
        return;
    }
    let t = std::mem::take(text);
    let o = std::mem::take(orig);
    // "128bpm", "125ish", "5%": split a number from a trailing unit word.
    let digits: usize = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .count();
    if let Some(d) = tempo_decade(&t) {
        // "the 120s": a decade of tempo, read as the range "120 - 129"; "low 130s" is
        // 130-133, "mid 120s" 123-127, "high/late 120s" 126-129
        let part = out.last().and_then(|p| match p.text.as_str() {
            "low" | "lower" | "early" => Some((0.0, 3.0)),
            "mid" | "middle" => Some((3.0, 7.0)),
            "high" | "upper" | "late" => Some((6.0, 9.0)),
            _ => None,
        });
        let (lo, hi) = match part {
            Some((a, b)) => {
                out.pop();
                (d + a, d + b)
            }
            None => (d, d + 9.0),
        };
        for (text, kind) in [
            (lo.to_string(), TokKind::Num(lo)),
            ("-".to_string(), TokKind::Punct),
            (hi.to_string(), TokKind::Num(hi)),
        ] {
            out.push(Token {
                orig: text.clone(),
                text,
                kind,
                fuzzy: false,
            });
        }
        return;
    }
    if digits > 0 && digits < t.len() {
        let (n, rest) = t.split_at(digits);
        if matches!(rest, "bpm" | "bpms" | "ish" | "k")
            || (n.len() >= 2 && rest == "s" && n.len() == 2)
        {
            if let Ok(v) = n.parse::<f64>() {
                if rest == "s" {
                    out.push(Token {
                        text: t.clone(),
                        orig: o,
                        kind: TokKind::Word,
                        fuzzy: false,
                    });
                    return;
                }
                out.push(Token {
                    text: n.to_string(),
                    orig: o.chars().take(n.chars().count()).collect(),
                    kind: TokKind::Num(v),
                    fuzzy: false,
                });
                out.push(Token {
                    text: rest.to_string(),
                    orig: rest.to_string(),
                    kind: TokKind::Word,
                    fuzzy: false,
                });
                return;
            }
        }
    }
    let kind = if digits == t.len() {
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => TokKind::Num(v),
            _ => TokKind::Word,
        }
    } else {
        TokKind::Word
    };
    out.push(Token {
        text: t,
        orig: o,
        kind,
        fuzzy: false,
    });
}

/// "120s" -> 120: a three-digit tempo decade (60s-190s of BPM; "80s" stays an era).
fn tempo_decade(t: &str) -> Option<f64> {
    let n = t.strip_suffix('s')?;
    if n.len() != 3 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: f64 = n.parse().ok()?;
    (v % 10.0 == 0.0 && (100.0..=190.0).contains(&v)).then_some(v)
}

const UNITS: [&str; 9] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn word_value(list: &[&str], w: Option<&str>, base: f64, step: f64) -> Option<f64> {
    let w = w?;
    list.iter()
        .position(|x| *x == w)
        .map(|p| base + step * p as f64)
}

/// A number written in words at `i` ("one twenty eight", "a hundred and twenty-four",
/// "ninety", "a couple of bpm"): (value, tokens used). Lone small numbers ("one", "two step")
/// stay words.
fn number_word_at(toks: &[Token], i: usize) -> Option<(f64, usize)> {
    let w = |j: usize| {
        toks.get(j)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.text.as_str())
    };
    let tens_or_teen =
        |j: usize| word_value(&TENS, w(j), 20.0, 10.0).or(word_value(&TEENS, w(j), 10.0, 1.0));
    // a unit at `j`, or after a comparative there ("more bpm", "extra percent")
    let unit_after = |j: usize| {
        let is_unit = |k: usize| {
            toks.get(k).is_some_and(|t| {
                matches!(t.text.as_str(), "bpm" | "bpms" | "percent" | "%" | "beats")
            })
        };
        is_unit(j) || (matches!(w(j), Some("more" | "less" | "extra" | "fewer")) && is_unit(j + 1))
    };
    let mut j = i;
    // "a couple (of) bpm / percent"
    if w(j) == Some("a") && w(j + 1) == Some("couple") {
        j += 1;
    }
    if w(j) == Some("couple") {
        j += 1;
        if w(j) == Some("of") {
            j += 1;
        }
        return unit_after(j).then_some((2.0, j - i));
    }
    // a small number before a unit: "two bpm", "three more bpm", "five percent"; or after a
    // dimension and its direction: "energy up one", "tempo down two", "bpm minus three"
    if let Some(u) = word_value(&UNITS, w(j), 1.0, 1.0).or((w(j) == Some("ten")).then_some(10.0)) {
        let after_dim_dir = i >= 2
            && matches!(w(i - 2), Some("energy" | "bpm" | "tempo" | "danceability"))
            && matches!(w(i - 1), Some("up" | "down" | "minus" | "plus" | "by"));
        if unit_after(j + 1) || after_dim_dir {
            return Some((u, 1));
        }
    }
    let mut total = 0.0;
    let mut hundred = false;
    if matches!(w(j), Some("a" | "one")) && w(j + 1) == Some("hundred") {
        j += 2;
        hundred = true;
    } else if w(j) == Some("hundred") {
        j += 1;
        hundred = true;
    } else if w(j) == Some("one") && tens_or_teen(j + 1).is_some() {
        // DJ shorthand: "one twenty eight" = 128
        j += 1;
        hundred = true;
    }
    if hundred {
        total = 100.0;
        let rest = word_value(&UNITS, w(j + 1), 1.0, 1.0).or(tens_or_teen(j + 1));
        if w(j) == Some("and") && rest.is_some() {
            j += 1;
        }
    }
    if let Some(t) = word_value(&TENS, w(j), 20.0, 10.0) {
        total += t;
        j += 1;
        if let Some(u) = word_value(&UNITS, w(j), 1.0, 1.0) {
            total += u;
            j += 1;
        }
    } else if let Some(t) = word_value(&TEENS, w(j), 10.0, 1.0) {
        total += t;
        j += 1;
    } else if let (true, Some(u)) = (hundred, word_value(&UNITS, w(j), 1.0, 1.0)) {
        total += u;
        j += 1;
    }
    (total >= 20.0).then_some((total, j - i))
}

/// Particles of phrasal verbs a DJ splits around the object ("dial the energy back").
const PARTICLES: [&str; 5] = ["back", "off", "down", "up", "in"];
/// Longest object between a phrasal verb and its particle ("the energy", "the whole vibe").
const MAX_OBJECT: usize = 3;

/// Put a split phrasal verb back together: "dial the energy back" reads as "dial back the
/// energy", "rein the tempo in" as "rein in the tempo" — but only when "verb particle" is a
/// phrase of the lexicon, so a particle that belongs elsewhere ("bring the energy back",
/// "the bpm up to 128" after an unrelated verb) stays where it is.
pub(crate) fn rejoin_phrasal(mut toks: Vec<Token>, lex: &Lexicon) -> Vec<Token> {
    let mut i = 0;
    while i + 2 < toks.len() {
        if toks[i].kind != TokKind::Word {
            i += 1;
            continue;
        }
        let found = (2..=MAX_OBJECT + 1).find_map(|d| {
            let j = i + d;
            let p = toks.get(j)?;
            let object_ok = toks[i + 1..j]
                .iter()
                .all(|t| t.kind == TokKind::Word && !PARTICLES.contains(&t.text.as_str()));
            // "next key up" is a phrase as it stands: leave it whole
            let whole = || {
                toks[i..=j]
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            (object_ok
                && p.kind == TokKind::Word
                && PARTICLES.contains(&p.text.as_str())
                && lex
                    .phrases
                    .contains_key(&format!("{} {}", toks[i].text, p.text))
                && !lex.phrases.contains_key(&whole()))
            .then_some(j)
        });
        match found {
            Some(j) => {
                let p = toks.remove(j);
                toks.insert(i + 1, p);
                i = j + 1;
            }
            None => i += 1,
        }
    }
    toks
}

/// "energy minus 1", "bpm plus 2": a sign written as a word before a figure is that sign.
pub(crate) fn sign_words(mut toks: Vec<Token>) -> Vec<Token> {
    for i in 0..toks.len().saturating_sub(1) {
        let sign = match toks[i].text.as_str() {
            "minus" => "-",
            "plus" => "+",
            _ => continue,
        };
        if toks[i].kind == TokKind::Word && matches!(toks[i + 1].kind, TokKind::Num(_)) {
            toks[i] = Token {
                text: sign.to_string(),
                orig: sign.to_string(),
                kind: TokKind::Punct,
                fuzzy: false,
            };
        }
    }
    toks
}

/// Replace numbers written in words by number tokens.
pub(crate) fn number_words(toks: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if let Some((v, n)) = number_word_at(&toks, i) {
            let orig = toks[i..i + n]
                .iter()
                .map(|t| t.orig.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Token {
                text: int_text(v),
                orig,
                kind: TokKind::Num(v),
                fuzzy: false,
            });
            i += n;
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

fn int_text(v: f64) -> String {
    format!("{}", v.round() as i64)
}

/// Split a prompt into tokens. Bounded by `max_tokens` (extra input is dropped; the caller
/// rejects over-long prompts before).
pub(crate) fn tokenize(s: &str, max_tokens: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut orig = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if out.len() >= max_tokens {
            break;
        }
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        let next = chars.get(i + 1).copied();
        if c == '-' || c == '_' {
            // hyphenated words split into words ("mix-friendly", "k-pop"); between digits it is a range
            let pa = prev.is_some_and(char::is_alphanumeric);
            let na = next.is_some_and(char::is_alphanumeric);
            let both_digits = prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            if pa && na && !both_digits {
                push_word(&mut out, &mut text, &mut orig);
                continue;
            }
        }
        if c.is_alphanumeric() {
            if let Some(f) = fold_char(c) {
                text.push(f);
                orig.push(c);
            }
            continue;
        }
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '`' | '´' => continue,
            '#' | '♯' | '♭' if !text.is_empty() => {
                text.push(if c == '♭' { 'b' } else { '#' });
                orig.push(c);
                continue;
            }
            '.' if prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit()) =>
            {
                text.push('.');
                orig.push('.');
                continue;
            }
            _ => {}
        }
        push_word(&mut out, &mut text, &mut orig);
        let p = match c {
            ',' | ';' | '.' | '!' | '?' | '+' | '%' | '~' | '<' | '>' | '/' | '&' | '(' | ')'
            | ':' | '±' | '=' => Some(c),
            '-' | '–' | '—' => Some('-'),
            _ => None,
        };
        if let Some(p) = p {
            out.push(Token {
                text: p.to_string(),
                orig: p.to_string(),
                kind: TokKind::Punct,
                fuzzy: false,
            });
        }
    }
    push_word(&mut out, &mut text, &mut orig);
    out.truncate(max_tokens);
    out
}

pub(crate) struct Lexicon {
    /// phrase tokens joined by ' ' -> concepts
    pub phrases: HashMap<String, Vec<Concept>>,
    pub max_len: usize,
    /// Korean stems (single token) -> concepts, longest first
    pub hangul_stems: Vec<(String, Vec<Concept>)>,
    /// every single word of every phrase (fuzzy-correction targets), sorted
    pub words: Vec<String>,
    /// phrases in file order, for suggestions
    pub entries: Vec<(String, Vec<Concept>)>,
}

fn phrase_key(p: &str) -> String {
    tokenize(p, 64)
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Lexicon {
    pub fn parse(src: &str) -> Result<Self, IntentError> {
        let mut phrases: HashMap<String, Vec<Concept>> = HashMap::new();
        let mut hangul_stems = Vec::new();
        let mut words = BTreeSet::new();
        let mut entries = Vec::new();
        let mut max_len = 1;
        for (n, line) in src.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (lhs, rhs) = line.split_once('|').ok_or_else(|| IntentError::Lexicon {
                line: n + 1,
                message: "missing '|'".into(),
            })?;
            let concepts = rhs
                .split(';')
                .map(parse_concept)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| IntentError::Lexicon {
                    line: n + 1,
                    message,
                })?;
            for p in lhs.split(',') {
                let key = phrase_key(p);
                if key.is_empty() {
                    continue;
                }
                let len = key.split(' ').count();
                if phrases.contains_key(&key) {
                    continue; // first definition wins
                }
                if len == 1 && key.chars().any(is_hangul) {
                    hangul_stems.push((key.clone(), concepts.clone()));
                }
                for w in key.split(' ') {
                    if w.chars().all(|c| c.is_ascii_alphabetic()) && w.len() >= 3 {
                        words.insert(w.to_string());
                    }
                }
                max_len = max_len.max(len);
                entries.push((p.trim().to_string(), concepts.clone()));
                phrases.insert(key, concepts.clone());
            }
        }
        hangul_stems.sort_by_key(|s| std::cmp::Reverse(s.0.chars().count()));
        Ok(Self {
            phrases,
            max_len,
            hangul_stems,
            words: words.into_iter().collect(),
            entries,
        })
    }

    /// Korean token -> concepts when it starts with a known stem (particles attached).
    pub fn hangul(&self, tok: &str) -> Option<&Vec<Concept>> {
        const PARTICLES: [&str; 16] = [
            "", "은", "는", "이", "가", "을", "를", "로", "으로", "에", "도", "만", "의", "랑",
            "하고", "게",
        ];
        for (stem, c) in &self.hangul_stems {
            if let Some(rest) = tok.strip_prefix(stem.as_str()) {
                if stem.chars().count() >= 2 || PARTICLES.contains(&rest) {
                    return Some(c);
                }
            }
        }
        None
    }

    /// Closest lexicon word for a misspelt token (Damerau-Levenshtein, length-aware).
    pub fn correct(&self, w: &str) -> Option<&str> {
        let n = w.chars().count();
        if n < 4 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let sorted = |x: &str| {
            let mut v: Vec<char> = x.chars().collect();
            v.sort_unstable();
            v
        };
        let max = if n >= 9 { 2 } else { 1 };
        let mut best: Option<((usize, usize), &str)> = None;
        for cand in &self.words {
            let m = cand.len();
            if m.abs_diff(n) > max || m < 4 {
                continue;
            }
            let d = strsim::damerau_levenshtein(w, cand);
            // four-letter words: only swapped letters ("fsat"), anything else is too risky
            if n == 4 && sorted(w) != sorted(cand) {
                continue;
            }
            // on a tie prefer a candidate at least as long as the word: typing drops letters
            // more often than it adds them ("fastr" is "faster", not "fast")
            let rank = (d, usize::from(m < n));
            if d <= max && best.is_none_or(|(br, _)| rank < br) {
                best = Some((rank, cand.as_str()));
            }
        }
        best.map(|(_, c)| c)
    }
}

static LEXICON: OnceLock<Result<Lexicon, IntentError>> = OnceLock::new();

pub(crate) fn lexicon() -> Result<&'static Lexicon, &'static IntentError> {
    LEXICON.get_or_init(|| Lexicon::parse(LEXICON_SRC)).as_ref()
}

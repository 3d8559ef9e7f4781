//! Tokens -> items: lexicon phrases (longest match), keys, numbers.

use std::str::FromStr;

use flowstate_types::{intent::Attr, CamelotKey};

use crate::lexicon::{is_hangul, Concept, Flag, Lexicon, TokKind, Token};

#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    C(Concept),
    Key(CamelotKey),
    Num(f64),
    NumRange(f64, f64),
    /// Punctuation that matters to numbers.
    Sym(char),
    /// A word the lexicon does not know.
    Unknown,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub kind: ItemKind,
    /// Original text of the tokens it covers.
    pub text: String,
    pub fuzzy: bool,
}

impl Item {
    pub fn flag(&self) -> Option<Flag> {
        match &self.kind {
            ItemKind::C(Concept::Word(f)) => Some(*f),
            _ => None,
        }
    }
}

const NOTE_LETTERS: &str = "abcdefg";

/// The prompt names the Open Key notation ("1m or 2m in open key"), so "6m"/"8d" are keys.
fn mentions_open_key(toks: &[Token]) -> bool {
    toks.windows(2)
        .any(|w| w[0].text == "open" && matches!(w[1].text.as_str(), "key" | "keys"))
        || toks.iter().any(|t| t.text == "openkey")
}

/// Camelot written with a space: "4 A", "camelot 8 a" (a lowercase letter needs key
/// context, since "2 a bit faster" is not a key).
fn spaced_camelot(toks: &[Token], i: usize, n: f64) -> Option<(CamelotKey, usize)> {
    if n.fract() != 0.0 || !(1.0..=12.0).contains(&n) {
        return None;
    }
    let letter = toks.get(i + 1).filter(|t| t.kind == TokKind::Word)?;
    if !matches!(letter.text.as_str(), "a" | "b") {
        return None;
    }
    let upper = letter.orig.chars().all(|c| c.is_ascii_uppercase());
    let prev = i
        .checked_sub(1)
        .and_then(|p| toks.get(p))
        .map(|t| t.text.as_str());
    if !(upper || matches!(prev, Some("camelot" | "key"))) {
        return None;
    }
    CamelotKey::from_str(&format!("{n}{}", letter.text))
        .ok()
        .map(|k| (k, 2))
}

/// Try to read a musical key starting at `i`. Returns (key, tokens used).
pub(crate) fn key_at(toks: &[Token], i: usize) -> Option<(CamelotKey, usize)> {
    let t = toks.get(i)?;
    if let TokKind::Num(n) = t.kind {
        return spaced_camelot(toks, i, n);
    }
    if t.kind != TokKind::Word {
        return None;
    }
    let text = t.text.as_str();
    let orig = t.orig.as_str();
    let prev = if i > 0 {
        toks.get(i - 1).map(|t| t.text.as_str())
    } else {
        None
    };
    let key_context = matches!(
        prev,
        Some("in" | "key" | "of" | "to" | "or" | "en" | "camelot")
    );
    // Camelot 8A / 08b
    let b = text.as_bytes();
    if (2..=3).contains(&b.len()) && b[..b.len() - 1].iter().all(u8::is_ascii_digit) {
        let last = b[b.len() - 1];
        if matches!(last, b'a' | b'b') {
            return CamelotKey::from_str(text).ok().map(|k| (k, 1));
        }
        if matches!(last, b'm' | b'd')
            && (matches!(prev, Some("key" | "in" | "open")) || mentions_open_key(toks))
        {
            return CamelotKey::from_str(text).ok().map(|k| (k, 1));
        }
        return None;
    }
    if text == "camelot" {
        if let Some(n) = toks.get(i + 1) {
            if matches!(n.kind, TokKind::Word | TokKind::Num(_)) {
                return key_at(toks, i + 1).map(|(k, u)| (k, u + 1));
            }
        }
        return None;
    }
    // Note names: letter, accidental, quality.
    let mut chars = text.chars();
    let letter = chars.next()?;
    if !NOTE_LETTERS.contains(letter) {
        return None;
    }
    let rest: String = chars.collect();
    let upper = orig.chars().next().is_some_and(|c| c.is_uppercase());
    let (mut acc, qual_attached) = match rest.as_str() {
        "" => ("", ""),
        "#" => ("#", ""),
        "b" => ("b", ""),
        "m" | "min" | "maj" | "minor" | "major" => ("", rest.as_str()),
        r => {
            if let Some(q) = r.strip_prefix('#') {
                if matches!(q, "m" | "min" | "maj" | "minor" | "major") {
                    ("#", q)
                } else {
                    return None;
                }
            } else if let Some(q) = r.strip_prefix('b') {
                if matches!(q, "m" | "min" | "maj" | "minor" | "major") {
                    ("b", q)
                } else {
                    return None;
                }
            } else {
                return None;
            }
        }
    };
    let mut used = 1;
    let word = |j: usize| {
        toks.get(j)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.text.as_str())
    };
    if acc.is_empty() && qual_attached.is_empty() {
        match word(i + 1) {
            Some("sharp") => {
                acc = "#";
                used += 1;
            }
            Some("flat") => {
                acc = "b";
                used += 1;
            }
            _ => {}
        }
    }
    let mut quality = match qual_attached {
        "m" | "min" | "minor" => Some("minor"),
        "maj" | "major" => Some("major"),
        _ => None,
    };
    if quality.is_none() {
        match word(i + used) {
            Some("minor" | "min" | "menor" | "moll") => {
                quality = Some("minor");
                used += 1;
            }
            Some("major" | "maj" | "mayor" | "dur") => {
                quality = Some("major");
                used += 1;
            }
            _ => {}
        }
    }
    let separate_quality = qual_attached.is_empty() && quality.is_some();
    let after = word(i + used);
    // Disambiguation: the article "a" ("in a minor key") and words like "am", "be".
    if letter == 'a' && !upper && acc.is_empty() {
        if separate_quality {
            if matches!(
                after,
                Some(
                    "key"
                        | "keys"
                        | "scale"
                        | "mode"
                        | "tonality"
                        | "vibe"
                        | "feel"
                        | "mood"
                        | "change"
                        | "shift"
                        | "tweak"
                        | "difference"
                )
            ) {
                return None;
            }
        } else if !key_context {
            return None;
        }
    }
    if quality.is_none() && acc.is_empty() {
        // a bare note letter needs key context ("in E", "key of D")
        if !(upper && matches!(prev, Some("in" | "key" | "of"))) {
            return None;
        }
    } else if !(upper || !acc.is_empty() || separate_quality || key_context) {
        return None;
    }
    let s = format!(
        "{}{}{}",
        letter.to_ascii_uppercase(),
        acc,
        match quality {
            Some("minor") => " minor",
            Some(_) => " major",
            None => "",
        }
    );
    CamelotKey::from_str(&s).ok().map(|k| (k, used))
}

/// A comparison phrase ending in "than" with no number after it ("no faster than this"):
/// it is read word by word instead ("no" + "faster").
fn dangling_than(toks: &[Token], last: usize) -> bool {
    toks[last].text == "than"
        && !toks[last + 1..]
            .iter()
            .take(3)
            .any(|t| matches!(t.kind, TokKind::Num(_)))
}

/// Longest-match tagging.
pub(crate) fn tag(lex: &Lexicon, toks: &[Token]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind == TokKind::Name {
            items.push(Item {
                kind: ItemKind::C(Concept::Val {
                    attr: Attr::Artist,
                    value: toks[i].orig.clone(),
                    negated: false,
                }),
                text: toks[i].orig.clone(),
                fuzzy: false,
            });
            i += 1;
            continue;
        }
        let mut best: Option<(usize, Vec<Concept>)> = None;
        let maxl = lex.max_len.min(toks.len() - i);
        let mut key = String::new();
        for l in 1..=maxl {
            if l > 1 {
                key.push(' ');
            }
            key.push_str(&toks[i + l - 1].text);
            if let Some(c) = lex.phrases.get(&key) {
                if !dangling_than(toks, i + l - 1) {
                    best = Some((l, c.clone()));
                }
            }
        }
        let keyhit = key_at(toks, i);
        let text_of = |n: usize| {
            toks[i..i + n]
                .iter()
                .map(|t| t.orig.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let fuzzy_of = |n: usize| toks[i..i + n].iter().any(|t| t.fuzzy);
        match (&best, keyhit) {
            (_, Some((k, n))) if best.as_ref().is_none_or(|(l, _)| n >= *l) => {
                items.push(Item {
                    kind: ItemKind::Key(k),
                    text: text_of(n),
                    fuzzy: fuzzy_of(n),
                });
                i += n;
                continue;
            }
            _ => {}
        }
        if let Some((l, cs)) = best {
            let text = text_of(l);
            let fuzzy = fuzzy_of(l);
            for c in cs {
                items.push(Item {
                    kind: ItemKind::C(c),
                    text: text.clone(),
                    fuzzy,
                });
            }
            i += l;
            continue;
        }
        let t = &toks[i];
        let kind = match t.kind {
            TokKind::Num(v) => ItemKind::Num(v),
            TokKind::Punct => match t.text.chars().next() {
                Some(c @ (',' | ';' | '.' | '!' | '?' | '(' | ')')) => {
                    let _ = c;
                    ItemKind::C(Concept::Word(Flag::Boundary))
                }
                Some(c) => ItemKind::Sym(c),
                None => ItemKind::Unknown,
            },
            // read as an artist value above
            TokKind::Name => ItemKind::Unknown,
            TokKind::Word => {
                if t.text.chars().any(is_hangul) {
                    match lex.hangul(&t.text) {
                        Some(cs) => {
                            for c in cs {
                                items.push(Item {
                                    kind: ItemKind::C(c.clone()),
                                    text: t.orig.clone(),
                                    fuzzy: false,
                                });
                            }
                            i += 1;
                            continue;
                        }
                        None => ItemKind::Unknown,
                    }
                } else {
                    ItemKind::Unknown
                }
            }
        };
        items.push(Item {
            kind,
            text: t.orig.clone(),
            fuzzy: t.fuzzy,
        });
        i += 1;
    }
    join_ranges(items)
}

/// "128 +/- 2", "128 ± 2", "128 plus or minus 2": (centre, tolerance, items used).
fn tolerance_at(items: &[Item], i: usize) -> Option<(f64, f64, usize)> {
    let ItemKind::Num(a) = items.get(i)?.kind else {
        return None;
    };
    let sym = |k: usize, c: char| {
        items
            .get(k)
            .is_some_and(|x| matches!(x.kind, ItemKind::Sym(s) if s == c))
    };
    let conn = if sym(i + 1, '±') {
        1
    } else if sym(i + 1, '+') && sym(i + 2, '/') && sym(i + 3, '-') {
        3
    } else if items
        .get(i + 1)
        .is_some_and(|x| x.text.eq_ignore_ascii_case("plus or minus"))
    {
        1
    } else {
        return None;
    };
    match items.get(i + 1 + conn)?.kind {
        ItemKind::Num(t) if t > 0.0 && t < a => Some((a, t, conn + 2)),
        _ => None,
    }
}

/// "7/10": a rating out of ten is the number 7.
fn out_of_ten(items: &[Item], i: usize) -> Option<f64> {
    let ItemKind::Num(a) = items.get(i)?.kind else {
        return None;
    };
    let slash = matches!(items.get(i + 1)?.kind, ItemKind::Sym('/'));
    let ten = matches!(items.get(i + 2)?.kind, ItemKind::Num(t) if t == 10.0);
    (slash && ten && a <= 10.0).then_some(a)
}

/// The texts of `items` joined by `sep` (the text of an item made of several).
fn joined(items: &[Item], sep: &str) -> String {
    items
        .iter()
        .map(|x| x.text.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// "124 - 128", "from 124 to 128", "between 120 and 125", "124 up to 128", "128 +/- 2".
fn join_ranges(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        if let Some(a) = out_of_ten(&items, i) {
            out.push(Item {
                kind: ItemKind::Num(a),
                text: joined(&items[i..i + 3], ""),
                fuzzy: false,
            });
            i += 3;
            continue;
        }
        if let Some((a, t, n)) = tolerance_at(&items, i) {
            out.push(Item {
                kind: ItemKind::NumRange(a - t, a + t),
                text: joined(&items[i..i + n], " "),
                fuzzy: false,
            });
            i += n;
            continue;
        }
        if let ItemKind::Num(a) = items[i].kind {
            let conn = items.get(i + 1);
            let b = items.get(i + 2).and_then(|it| {
                if let ItemKind::Num(b) = it.kind {
                    Some(b)
                } else {
                    None
                }
            });
            let prev_between = out.last().and_then(Item::flag) == Some(Flag::Between);
            let is_conn = conn.is_some_and(|c| {
                // "124-128", "124~128" (as written in Korean and Japanese), "124 a 128"
                // (Spanish; the lexicon has "a" as the English article, a filler, so the
                // connector reading between two figures is decided here), "124 hasta 128"
                // (a `to` word)
                matches!(c.kind, ItemKind::Sym('-' | '~'))
                    || c.text.eq_ignore_ascii_case("a")
                    || matches!(c.flag(), Some(Flag::To))
                    || matches!(c.flag(), Some(Flag::UpTo))
                    || (prev_between
                        && (matches!(c.flag(), Some(Flag::Boundary))
                            && matches!(
                                c.text.to_lowercase().as_str(),
                                "and" | "y" | "und" | "et"
                            )
                            || matches!(c.kind, ItemKind::Sym('&'))))
            });
            if let (true, Some(b)) = (is_conn, b) {
                if b > a {
                    let text = format!(
                        "{} {} {}",
                        items[i].text,
                        items[i + 1].text,
                        items[i + 2].text
                    );
                    if prev_between {
                        out.pop();
                    }
                    out.push(Item {
                        kind: ItemKind::NumRange(a, b),
                        text,
                        fuzzy: false,
                    });
                    i += 3;
                    continue;
                }
            }
        }
        out.push(items[i].clone());
        i += 1;
    }
    out
}

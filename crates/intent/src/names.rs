//! The library's artist names, so a prompt can name an artist without "by": "not Peggy Gou
//! again", "more Charlotte de Witte", "something like Four Tet".
//!
//! A name is found in the prompt's tokens before anything else reads them (number words would
//! turn "Four Tet" into 4, the spelling corrector "Bicep" into a lexicon word) and becomes one
//! token of kind [`TokKind::Name`], which the tagger reads as the closed value `artist=<name>`:
//! negation, hedges and alternatives then work as they do for a genre.
//!
//! Names that are ordinary words are not taken for names on their own, or a library with
//! "Justice", "Slam" or "Massive Attack" in it would turn "do the crowd justice" or "a massive
//! attack of bass" into artist filters:
//! - a one-word name that is a lexicon word or a common prompt word ([`COMMON`]) is never
//!   looked for ("Heavy", "Techno");
//! - a name made only of ordinary words (lexicon, [`COMMON`], an English word of
//!   `data/english.txt`, numbers), or a one-word name under four letters ("ATB"), counts only
//!   when the prompt writes it with the library's capitals: "Massive Attack", not "massive
//!   attack". A capital that only starts a sentence, or in a prompt without lower case, says
//!   nothing, unless the typed word is the library's spelling with two or more capitals
//!   ("ATB", "DVS1");
//! - any other name ("Four Tet", "Skrillex", "Charlotte de Witte") counts in any case.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::lexicon::{tokenize, Lexicon, TokKind, Token};

/// Most tokens a name may have.
const MAX_NAME_TOKENS: usize = 8;
/// Most names kept (a library's artists; beyond this the rest are ignored).
const MAX_NAMES: usize = 200_000;

/// Common words of DJ prompts that are not in the lexicon. A one-word artist name equal to one
/// of them is never looked for.
#[rustfmt::skip]
const COMMON: &[&str] = &[
    "about", "after", "again", "also", "always", "another", "anyone", "around", "away", "back",
    "because", "been", "before", "being", "best", "better", "birthday", "both", "cant", "come",
    "coming", "could", "crowd", "dance", "dancing", "didnt", "does", "doing", "done", "each",
    "either", "else", "enough", "even", "ever", "every", "everything", "fire", "first", "floor",
    "friend", "friends", "from", "going", "gonna", "good", "great", "guys", "have", "having",
    "heart", "hello", "here", "home", "hour", "hours", "just", "know", "last", "later", "least",
    "left", "life", "light", "lights", "like", "little", "look", "love", "made", "make", "many",
    "maybe", "mine", "minute", "minutes", "more", "most", "much", "must", "need", "never",
    "nice", "night", "nobody", "none", "nothing", "okay", "once", "only", "other", "over",
    "party", "people", "play", "played", "playing", "please", "pretty", "quite", "really",
    "right", "same", "should", "since", "some", "someone", "something", "soon", "sorry",
    "start", "still", "stop", "such", "sure", "take", "than", "thank", "thanks", "that", "their",
    "them", "then", "there", "these", "they", "thing", "things", "think", "this", "those",
    "through", "time", "today", "together", "tonight", "track", "tracks", "tune", "tunes",
    "until", "very", "want", "wanna", "well", "were", "what", "when", "where", "which", "while",
    "will", "with", "without", "world", "would", "yeah", "your", "yours",
];

const ENGLISH_SRC: &str = include_str!("../data/english.txt");

/// English words (see `data/english.txt`).
fn english() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        ENGLISH_SRC
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// How much a prompt must show that a name means the artist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A word no prompt uses otherwise ("Skrillex", "Four Tet"): any case, anywhere.
    Free,
    /// Ordinary English words ("Justice", "Carl Cox", "Massive Attack"): the library's
    /// capitals, or a place only an artist fills ([`artist_slot`]).
    Wordy,
    /// Only words of prompts ("Dark Energy"): the library's capitals.
    Prompt,
}

/// One library name, with what matching it needs (tokenized once, when the library is read).
#[derive(Debug, Clone)]
struct Entry {
    /// The library's spelling.
    name: String,
    kind: Kind,
    /// The spelling of each word (punctuation left out), for the capitals check.
    words: Vec<String>,
    /// Punctuation that ends the name ("Fred again.." -> [".", "."]).
    trail: Vec<String>,
}

/// Artist names of a library, ready to be found in prompts. Build it once per library.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Folded tokens joined by ' ' -> the name.
    map: HashMap<String, Entry>,
    max_len: usize,
}

/// The key of a token sequence: folded texts, "&" read as "and", other punctuation left out.
fn key_text(t: &Token) -> Option<&str> {
    match t.kind {
        TokKind::Punct if t.text == "&" => Some("and"),
        TokKind::Punct | TokKind::Name => None,
        TokKind::Word | TokKind::Num(_) => Some(t.text.as_str()),
    }
}

fn letters(w: &str) -> usize {
    w.chars().filter(|c| c.is_alphabetic()).count()
}

/// A word of prompts: lexicon or [`COMMON`].
fn prompt_word(lex: &Lexicon, w: &str) -> bool {
    lex.phrases.contains_key(w)
        || lex.words.binary_search_by(|x| x.as_str().cmp(w)).is_ok()
        || COMMON.contains(&w)
}

/// An ordinary word: a prompt word, an English word, a number or a single letter.
fn ordinary(lex: &Lexicon, w: &str) -> bool {
    letters(w) < 2 || prompt_word(lex, w) || english().contains(w)
}

impl Names {
    /// Names from a library's artist fields: each field, and each of its credits
    /// ([`flowstate_types::artist_credits`]).
    pub fn new<'a>(artists: impl IntoIterator<Item = &'a str>) -> Self {
        let mut names = Names::default();
        let Ok(lex) = crate::lexicon::lexicon() else {
            return names;
        };
        for artist in artists {
            if names.map.len() >= MAX_NAMES {
                break;
            }
            if artist.chars().count() > 120 {
                continue;
            }
            let credits = flowstate_types::artist_credits(artist);
            if credits.len() > 1 {
                names.add(lex, artist);
            }
            for credit in credits {
                names.add(lex, credit);
            }
        }
        names
    }

    fn add(&mut self, lex: &Lexicon, name: &str) {
        let toks = tokenize(name, MAX_NAME_TOKENS + 3);
        let words: Vec<&str> = toks.iter().filter_map(key_text).collect();
        if words.is_empty() || words.len() > MAX_NAME_TOKENS || toks.len() > MAX_NAME_TOKENS + 2 {
            return;
        }
        if matches!(
            name.trim().to_lowercase().as_str(),
            "unknown" | "unknown artist" | "various" | "various artists" | "va" | "n/a" | "none"
        ) {
            return;
        }
        if !words.iter().any(|w| letters(w) >= 2) {
            return;
        }
        let prompt_only = words.iter().all(|w| letters(w) < 2 || prompt_word(lex, w));
        let kind = if let [w] = words[..] {
            if prompt_word(lex, w) {
                return;
            }
            if letters(w) < 4 || english().contains(w) {
                Kind::Wordy
            } else {
                Kind::Free
            }
        } else if prompt_only {
            Kind::Prompt
        } else if words.iter().all(|w| ordinary(lex, w)) {
            Kind::Wordy
        } else {
            Kind::Free
        };
        self.max_len = self.max_len.max(words.len());
        let entry = || Entry {
            name: name.trim().to_string(),
            kind,
            words: toks
                .iter()
                .filter(|t| t.kind != TokKind::Punct)
                .map(|t| t.orig.clone())
                .collect(),
            trail: toks
                .iter()
                .rev()
                .take_while(|t| t.kind == TokKind::Punct)
                .map(|t| t.text.clone())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        };
        self.map.entry(words.join(" ")).or_insert_with(entry);
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Replace each name found in `toks` (longest first) by one [`TokKind::Name`] token whose
    /// `orig` is the library's spelling.
    pub(crate) fn mark(&self, toks: Vec<Token>) -> Vec<Token> {
        if self.map.is_empty() {
            return toks;
        }
        // in a prompt typed without lower case, capitals say nothing
        let cased = toks.iter().any(|t| t.orig.chars().any(char::is_lowercase));
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            match self.name_at(&toks, i, cased) {
                Some((name, n)) => {
                    out.push(Token {
                        text: format!("\u{1}{}", name.to_lowercase()),
                        orig: name.to_string(),
                        kind: TokKind::Name,
                        fuzzy: false,
                    });
                    i += n;
                }
                None => {
                    out.push(toks[i].clone());
                    i += 1;
                }
            }
        }
        out
    }

    /// The longest name starting at token `i`, and how many tokens it covers.
    fn name_at(&self, toks: &[Token], i: usize, cased: bool) -> Option<(&str, usize)> {
        if !matches!(toks[i].kind, TokKind::Word | TokKind::Num(_)) {
            return None;
        }
        let mut key = String::new();
        let mut best = None;
        for (n, t) in toks[i..].iter().enumerate().take(self.max_len) {
            let Some(w) = key_text(t) else { break };
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(w);
            // "Peggy Gou's" (the tokenizer drops the apostrophe): a trailing "s" on the last
            // word is not part of the name
            let hit = self
                .map
                .get(&key)
                .or_else(|| key.strip_suffix('s').and_then(|k| self.map.get(k)));
            if let Some(e) = hit {
                let shown = match e.kind {
                    Kind::Free => true,
                    Kind::Wordy => {
                        artist_slot(toks, i, n + 1) || capitalised_like(toks, i, n + 1, e, cased)
                    }
                    Kind::Prompt => capitalised_like(toks, i, n + 1, e, cased),
                };
                if shown {
                    let end = i + n + 1;
                    best = Some((e.name.as_str(), n + 1 + trailing_punct(toks, end, &e.trail)));
                }
            }
        }
        best
    }
}

/// How many tokens from `toks[j]` repeat the punctuation `trail` that ends a name ("Fred again.."),
/// so that it is part of the name and not a clause boundary.
fn trailing_punct(toks: &[Token], j: usize, trail: &[String]) -> usize {
    let matched = trail
        .iter()
        .zip(toks.get(j..).unwrap_or_default())
        .take_while(|(l, t)| t.kind == TokKind::Punct && **l == t.text)
        .count();
    if matched == trail.len() {
        matched
    } else {
        0
    }
}

/// The name at `toks[i..i + n]` stands where only an artist would: after "by", "more", "no",
/// "skip", "like", "or" ... ("no john summit again"), before "track", "stuff", "vibes", "or"
/// ... ("adam port track with vocals"), or as a clause of its own ("carl cox pls, peak time").
fn artist_slot(toks: &[Token], i: usize, n: usize) -> bool {
    let text = |j: usize| toks.get(j).map(|t| t.text.as_str());
    let before = i.checked_sub(1).and_then(text);
    let after = text(i + n);
    let boundary = |t: Option<&str>| matches!(t, None | Some("," | ";" | "." | "!" | "?" | ":"));
    matches!(
        before,
        Some(
            "by" | "more"
                | "some"
                | "no"
                | "not"
                | "skip"
                | "avoid"
                | "than"
                | "except"
                | "but"
                | "like"
                | "play"
                | "or"
                | "nor"
                | "without"
                | "unlike"
                | "vs"
                | "enough"
        )
    ) || matches!(
        after,
        Some(
            "track"
                | "tracks"
                | "tune"
                | "tunes"
                | "record"
                | "records"
                | "song"
                | "songs"
                | "remix"
                | "remixes"
                | "edit"
                | "edits"
                | "stuff"
                | "vibes"
                | "vibe"
                | "style"
                | "type"
                | "esque"
                | "ish"
                | "again"
                | "or"
                | "vs"
                | "but"
        )
    ) || (boundary(before) && (boundary(after) || matches!(after, Some("pls" | "please" | "plz"))))
}

/// The prompt writes the name at `toks[i..i + n]` with the library's capitals ("Massive
/// Attack", not "massive attack"). A capital that only starts a sentence does not count for a
/// one-word name, and no capital counts in a prompt without lower case (`cased` false); the
/// library's own spelling with two or more capitals ("ATB", "DVS1") counts everywhere.
fn capitalised_like(toks: &[Token], i: usize, n: usize, e: &Entry, cased: bool) -> bool {
    let typed: Vec<&str> = toks[i..i + n]
        .iter()
        .filter(|t| t.kind != TokKind::Punct)
        .map(|t| t.orig.as_str())
        .collect();
    let lib = &e.words;
    if lib.len() != typed.len() {
        return false;
    }
    let upper = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
    let spelled = lib.iter().zip(&typed).all(|(l, t)| l == t)
        && lib
            .iter()
            .map(|w| w.chars().filter(|c| c.is_uppercase()).count())
            .sum::<usize>()
            >= 2;
    if spelled {
        return true;
    }
    let sentence_start = i == 0
        || toks[i - 1].kind == TokKind::Punct
            && matches!(toks[i - 1].text.as_str(), "." | "!" | "?");
    cased
        && !(lib.len() == 1 && sentence_start)
        && lib.iter().any(|l| upper(l))
        && lib.iter().zip(&typed).all(|(l, t)| !upper(l) || upper(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Names {
        Names::new(v.iter().copied())
    }

    fn found(n: &Names, prompt: &str) -> Vec<String> {
        n.mark(tokenize(prompt, 64))
            .into_iter()
            .filter(|t| t.kind == TokKind::Name)
            .map(|t| t.orig)
            .collect()
    }

    #[test]
    fn finds_names_in_any_case_longest_first() {
        let n = names(&[
            "Four Tet",
            "Four Tet & Burial",
            "Charlotte de Witte",
            "Peggy Gou",
        ]);
        assert_eq!(found(&n, "more charlotte de witte"), ["Charlotte de Witte"]);
        assert_eq!(found(&n, "not Peggy Gou again"), ["Peggy Gou"]);
        assert_eq!(found(&n, "something like four tet"), ["Four Tet"]);
        assert_eq!(found(&n, "four tet and burial"), ["Four Tet & Burial"]);
        assert_eq!(found(&n, "Peggy Gou's stuff"), ["Peggy Gou"]);
        // punctuation that ends a name is part of it, not a boundary
        let fred = names(&["Fred again.."]);
        let toks = fred.mark(tokenize("fred again.. style, house", 64));
        assert_eq!(toks[0].orig, "Fred again..");
        assert_eq!(toks[1].text, "style");
        assert!(found(&n, "four tracks, peggy").is_empty());
    }

    #[test]
    fn credits_are_names_of_their_own() {
        let n = names(&["Peggy Gou feat. Lenny Kravitz", "Bicep x Clara La San"]);
        assert_eq!(found(&n, "more lenny kravitz"), ["Lenny Kravitz"]);
        assert_eq!(found(&n, "no bicep"), ["Bicep"]);
        assert_eq!(found(&n, "peggy gou please"), ["Peggy Gou"]);
    }

    #[test]
    fn prompt_words_are_never_names() {
        let n = names(&["Techno", "Deep", "Tonight", "Unknown Artist", "2562"]);
        assert!(n.is_empty(), "{n:?}");
    }

    #[test]
    fn ordinary_words_need_the_library_capitals() {
        let n = names(&["Justice", "Massive Attack", "Lane 8", "ATB", "Burial"]);
        assert!(found(&n, "do the crowd justice").is_empty());
        assert!(found(&n, "justice for the vocalists").is_empty());
        assert!(found(&n, "a massive attack of bass").is_empty());
        assert!(found(&n, "stay in this lane 8 more minutes").is_empty());
        assert!(found(&n, "like a burial march").is_empty());
        assert_eq!(found(&n, "something like Justice"), ["Justice"]);
        assert_eq!(found(&n, "more Massive Attack"), ["Massive Attack"]);
        assert_eq!(found(&n, "Massive Attack vibes"), ["Massive Attack"]);
        assert_eq!(found(&n, "no Lane 8"), ["Lane 8"]);
        // a capital that only starts the prompt, or an all-caps prompt, says nothing
        assert!(found(&n, "Justice for the vocalists").is_empty());
        assert!(found(&n, "DO THE CROWD JUSTICE").is_empty());
        // the library's own spelling with several capitals counts anywhere
        assert_eq!(found(&n, "ATB, trance 138"), ["ATB"]);
    }

    #[test]
    fn ordinary_words_in_an_artist_slot_are_names_in_any_case() {
        let n = names(&[
            "Carl Cox",
            "John Summit",
            "Adam Port",
            "Burial",
            "Dark Energy",
        ]);
        assert_eq!(found(&n, "carl cox pls, peak time techno"), ["Carl Cox"]);
        assert_eq!(found(&n, "no john summit again"), ["John Summit"]);
        assert_eq!(found(&n, "adam port track with vocals?"), ["Adam Port"]);
        assert_eq!(found(&n, "burials stuff, uk garage"), ["Burial"]);
        assert!(found(&n, "like a burial march").is_empty());
        assert!(found(&n, "reach the summit").is_empty());
        // a name made only of prompt words needs its capitals even there
        assert!(found(&n, "more dark energy").is_empty());
        assert_eq!(found(&n, "more Dark Energy"), ["Dark Energy"]);
    }

    #[test]
    fn an_unusual_word_tells_a_name_in_any_case() {
        let n = names(&["Skrillex", "Four Tet", "Charlotte de Witte"]);
        assert_eq!(found(&n, "SKRILLEX NOW"), ["Skrillex"]);
        assert_eq!(found(&n, "four tet please"), ["Four Tet"]);
    }
}

//! Value normalisation of the constraint language (`shared/eval/intent/README.md` §3.1, §3.3):
//! case/whitespace folding, the accepted value aliases of closed vocabularies, and the term
//! aliases of list/text attributes. Pure functions; used when the snapshot is built and when a
//! query's constraints are compiled, never per candidate.

use flowstate_types::Attr;

/// The closed vocabularies of §3.3 (display order), shared with the parser.
pub use flowstate_types::vocab::closed_vocab;

fn value_aliases(attr: Attr) -> &'static [(&'static str, &'static str)] {
    match attr {
        Attr::GrooveStyle => &[
            ("4x4", "four-on-floor"),
            ("4/4", "four-on-floor"),
            ("four on the floor", "four-on-floor"),
            ("four-on-the-floor", "four-on-floor"),
            ("four on floor", "four-on-floor"),
            ("4otf", "four-on-floor"),
            ("breakbeat", "broken"),
            ("shuffle", "swung"),
            ("shuffled", "swung"),
        ],
        Attr::TempoFeel => &[
            ("halftime", "half-time"),
            ("half time", "half-time"),
            ("doubletime", "double-time"),
            ("double time", "double-time"),
            ("normal", "straight"),
        ],
        Attr::VocalPresence => &[
            ("none", "instrumental"),
            ("no vocals", "instrumental"),
            ("instrumentals", "instrumental"),
            ("both", "mixed"),
            ("male/female", "mixed"),
            ("choir", "group"),
            ("crowd", "group"),
        ],
        Attr::VocalStyle => &[
            ("rapping", "rap"),
            ("sung", "singing"),
            ("sing", "singing"),
            ("chanting", "chant"),
            ("spoken word", "spoken"),
            ("talking", "spoken"),
            ("instrumental", "none"),
        ],
        Attr::Language => &[
            ("english", "en"),
            ("spanish", "es"),
            ("espanol", "es"),
            ("español", "es"),
            ("korean", "ko"),
            ("french", "fr"),
            ("german", "de"),
            ("portuguese", "pt"),
            ("japanese", "ja"),
            ("zulu", "zu"),
            ("italian", "it"),
            ("instrumental", "none"),
            ("n/a", "none"),
            ("kr", "ko"),
            ("kor", "ko"),
        ],
        Attr::Genre => &[
            ("dnb", "drum and bass"),
            ("d&b", "drum and bass"),
            ("drum & bass", "drum and bass"),
            ("drum n bass", "drum and bass"),
            ("drum'n'bass", "drum and bass"),
            ("drum-and-bass", "drum and bass"),
            ("drumnbass", "drum and bass"),
            ("ukg", "uk garage"),
            ("garage", "uk garage"),
            ("hip-hop", "hip hop"),
            ("hiphop", "hip hop"),
            ("rap", "hip hop"),
            ("afrohouse", "afro house"),
            ("afro-house", "afro house"),
            ("prog house", "progressive house"),
            ("progressive", "progressive house"),
            ("techhouse", "tech house"),
            ("tech-house", "tech house"),
            ("deephouse", "deep house"),
            ("deep-house", "deep house"),
            ("breaks", "breakbeat"),
            ("kpop", "k-pop"),
            ("k pop", "k-pop"),
            ("ambient", "downtempo"),
            ("nu disco", "disco"),
            ("nu-disco", "disco"),
            ("trap", "hip hop"),
            ("psytrance", "trance"),
        ],
        Attr::Subgenre => &[
            ("nu disco", "nu-disco"),
            ("nudisco", "nu-disco"),
            ("2step", "2-step"),
            ("two-step", "2-step"),
            ("two step", "2-step"),
            ("jacking house", "jackin house"),
            ("jackin", "jackin house"),
            ("jackin' house", "jackin house"),
            ("jack", "jackin house"),
            ("liquid dnb", "liquid"),
            ("liquid funk", "liquid"),
            ("liquid drum and bass", "liquid"),
            ("peak time techno", "peak-time techno"),
            ("peaktime techno", "peak-time techno"),
            ("psy", "psytrance"),
            ("psy trance", "psytrance"),
            ("psy-trance", "psytrance"),
            ("boombap", "boom bap"),
            ("boom-bap", "boom bap"),
            ("lofi house", "lo-fi house"),
            ("lofi hip hop", "lo-fi hip hop"),
            ("dnb rollers", "rollers"),
            ("roller", "rollers"),
            ("acid", "acid techno"),
            ("edits", "disco edits"),
        ],
        Attr::Intensity => &[
            ("warm-up", "opener"),
            ("warmup", "opener"),
            ("warm up", "opener"),
            ("opening", "opener"),
            ("build", "journey"),
            ("peak-time", "peak"),
            ("peak time", "peak"),
            ("peaktime", "peak"),
            ("closing", "closer"),
            ("cool-down", "closer"),
            ("cooldown", "closer"),
        ],
        Attr::Vibe => &[
            ("darker", "dark"),
            ("moody", "dark"),
            ("happy", "bright"),
            ("uplifting", "bright"),
            ("relaxed", "chill"),
            ("mellow", "chill"),
            ("hard", "aggressive"),
            ("trippy", "hypnotic"),
        ],
        _ => &[],
    }
}

const TERM_ALIASES: &[(&str, &str)] = &[
    ("sax", "saxophone"),
    ("saxophones", "saxophone"),
    ("keys", "piano"),
    ("pianos", "piano"),
    ("tb-303", "303"),
    ("acid line", "303"),
    ("acid", "303"),
    ("303s", "303"),
    ("909s", "909"),
    ("808s", "808"),
    ("log drums", "log drum"),
    ("vocal chop", "vocal chops"),
    ("string", "strings"),
    ("horn", "horns"),
    ("brass", "horns"),
    ("synths", "synth"),
    ("synthesizer", "synth"),
    ("pad", "pads"),
    ("lofi", "lo-fi"),
    ("lo fi", "lo-fi"),
    ("analogue", "analog"),
    ("conga", "congas"),
    ("bell", "bells"),
    ("arp", "arpeggio"),
    ("arps", "arpeggio"),
    ("guitars", "guitar"),
    ("choirs", "choir"),
    ("flutes", "flute"),
    // mood words: the parser keeps the DJ's word, tags use one of each group
    ("sensual", "sexy"),
    ("seductive", "sexy"),
    ("sultry", "sexy"),
    ("sad", "melancholic"),
    ("melancholy", "melancholic"),
    ("atmospheric", "spacey"),
];

/// Case and whitespace folding: lower case, `_` → space, `’` → `'`, runs of whitespace → one
/// space, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.chars() {
        let ch = match ch {
            '_' => ' ',
            '\u{2019}' => '\'',
            c => c,
        };
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

/// A closed-vocabulary value in canonical form (aliases resolved). Values outside the vocabulary
/// are returned folded, so they still compare equal to themselves.
pub fn norm_value(attr: Attr, v: &str) -> String {
    let s = fold(v);
    let al = value_aliases(attr);
    if let Some((_, to)) = al.iter().find(|(from, _)| *from == s) {
        return (*to).to_string();
    }
    let vocab = closed_vocab(attr);
    if !vocab.is_empty() && !vocab.contains(&s.as_str()) {
        let variants = [
            s.replace(' ', "-"),
            s.replace('-', " "),
            s.replace('&', "and"),
            s.trim_end_matches('s').to_string(),
        ];
        for cand in variants {
            if vocab.contains(&cand.as_str()) {
                return cand;
            }
            if let Some((_, to)) = al.iter().find(|(from, _)| *from == cand) {
                return (*to).to_string();
            }
        }
    }
    s
}

/// True when `v` (already normalised) is in the attribute's closed vocabulary.
pub fn in_vocab(attr: Attr, v: &str) -> bool {
    closed_vocab(attr).contains(&v)
}

/// A list/text term in canonical form (term aliases applied, simple plurals folded).
pub fn norm_term(t: &str) -> String {
    let s = fold(t);
    if let Some((_, to)) = TERM_ALIASES.iter().find(|(from, _)| *from == s) {
        return (*to).to_string();
    }
    if let Some(stem) = s.strip_suffix('s') {
        if TERM_ALIASES.iter().any(|(_, to)| *to == stem) {
            return stem.to_string();
        }
    }
    s
}

/// The terms of a list field (each element) or a text field (split on `,` `;` `/` and ` and `,
/// plus the whole text), normalised.
pub fn terms_of_list(items: &[String]) -> Vec<String> {
    items.iter().map(|x| norm_term(x)).collect()
}

pub fn terms_of_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split([',', ';', '/']) {
        for piece in part.split(" and ") {
            out.push(norm_term(piece));
        }
    }
    out.push(fold(text));
    out
}

/// True when `term` occurs in `text` as a whole word: the characters around it are not ASCII
/// letters or digits.
pub fn word_hit(term: &str, text: &str) -> bool {
    if term.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text[from..].find(term) {
        let start = from + pos;
        let end = start + term.len();
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after_ok = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            return true;
        }
        // advance by one character
        let step = text[start..].chars().next().map_or(1, char::len_utf8);
        from = start + step;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_space() {
        assert_eq!(fold("  Deep_House  Vibes "), "deep house vibes");
        assert_eq!(fold("Don\u{2019}t"), "don't");
    }

    #[test]
    fn resolves_value_aliases() {
        assert_eq!(norm_value(Attr::Genre, "DnB"), "drum and bass");
        assert_eq!(norm_value(Attr::Genre, "Drum & Bass"), "drum and bass");
        assert_eq!(norm_value(Attr::GrooveStyle, "4x4"), "four-on-floor");
        assert_eq!(norm_value(Attr::TempoFeel, "halftime"), "half-time");
        assert_eq!(norm_value(Attr::Language, "English"), "en");
        assert_eq!(norm_value(Attr::Vibe, "darks"), "dark");
        assert_eq!(norm_value(Attr::Genre, "deep-house"), "deep house");
        assert_eq!(norm_value(Attr::Genre, "polka"), "polka");
        assert!(!in_vocab(Attr::Genre, "polka"));
    }

    #[test]
    fn term_aliases_and_words() {
        assert_eq!(norm_term("Sax"), "saxophone");
        assert_eq!(norm_term("strings"), "strings");
        assert_eq!(norm_term("bells"), "bells");
        assert_eq!(norm_term("pianos"), "piano");
        assert_eq!(norm_term("Sensual"), norm_term("sexy"));
        assert_eq!(norm_term("sad"), norm_term("melancholic"));
        assert!(word_hit("piano", "warm piano chords"));
        assert!(!word_hit("piano", "pianola sounds"));
        assert!(word_hit("303", "an acid 303 line"));
        assert!(!word_hit("", "x"));
        assert_eq!(
            terms_of_text("analog, warm and dusty"),
            vec!["analog", "warm", "dusty", "analog, warm and dusty"]
        );
    }
}

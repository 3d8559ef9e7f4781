//! The closed vocabularies of the constraint language (`shared/eval/intent/README.md` §3.3):
//! one source for the parser (`flowstate-intent`), the ranker (`flowstate-rank`) and anyone
//! validating constraints.

use std::sync::OnceLock;

use crate::intent::Attr;

/// Genres and their subgenres (the genre list and the subgenre list are derived from it).
pub const GENRE_SUBGENRES: &[(&str, &[&str])] = &[
    (
        "house",
        &[
            "jackin house",
            "soulful house",
            "piano house",
            "classic house",
            "funky house",
        ],
    ),
    (
        "deep house",
        &[
            "lo-fi house",
            "dub house",
            "melodic deep house",
            "organic house",
        ],
    ),
    (
        "tech house",
        &["minimal tech", "groovy tech house", "bass house"],
    ),
    (
        "techno",
        &[
            "peak-time techno",
            "hard techno",
            "dub techno",
            "melodic techno",
            "acid techno",
            "minimal techno",
            "industrial techno",
            "hypnotic techno",
        ],
    ),
    (
        "trance",
        &[
            "uplifting trance",
            "psytrance",
            "progressive trance",
            "tech trance",
        ],
    ),
    (
        "progressive house",
        &["melodic progressive", "deep progressive", "big room"],
    ),
    (
        "drum and bass",
        &[
            "liquid",
            "neurofunk",
            "jump up",
            "jungle",
            "rollers",
            "minimal dnb",
        ],
    ),
    ("dubstep", &["brostep", "deep dubstep", "riddim"]),
    ("breakbeat", &["nu skool breaks", "big beat", "breaks"]),
    ("uk garage", &["2-step", "speed garage", "bassline"]),
    (
        "disco",
        &["nu-disco", "italo disco", "disco edits", "classic disco"],
    ),
    ("hip hop", &["boom bap", "trap", "drill", "lo-fi hip hop"]),
    ("afro house", &["afro tech", "organic afro", "afro deep"]),
    (
        "amapiano",
        &["private school piano", "soulful amapiano", "bacardi"],
    ),
    ("reggaeton", &["dembow", "latin trap", "perreo"]),
    (
        "electro",
        &["electroclash", "detroit electro", "electro bass"],
    ),
    ("downtempo", &["ambient", "chillout", "trip hop"]),
    ("hardstyle", &["euphoric hardstyle", "rawstyle"]),
    ("k-pop", &["k-pop dance", "k-house"]),
    ("pop", &["dance pop", "latin pop"]),
];

/// The genre a subgenre belongs to.
pub fn parent_genre(sub: &str) -> Option<&'static str> {
    GENRE_SUBGENRES
        .iter()
        .find(|(_, subs)| subs.contains(&sub))
        .map(|(g, _)| *g)
}

/// The closed vocabulary of an attribute (display order); empty for attributes without one.
pub fn closed_vocab(attr: Attr) -> &'static [&'static str] {
    static GENRES: OnceLock<Vec<&'static str>> = OnceLock::new();
    static SUBGENRES: OnceLock<Vec<&'static str>> = OnceLock::new();
    match attr {
        Attr::Intensity => &["opener", "journey", "peak", "closer"],
        Attr::Vibe => &[
            "dark",
            "bright",
            "hypnotic",
            "euphoric",
            "chill",
            "aggressive",
        ],
        Attr::GrooveStyle => &["four-on-floor", "broken", "swung", "syncopated", "linear"],
        Attr::TempoFeel => &["straight", "double-time", "half-time"],
        Attr::VocalPresence => &["instrumental", "male", "female", "mixed", "group"],
        Attr::VocalStyle => &["rap", "singing", "both", "chant", "spoken", "none"],
        Attr::Language => &["none", "en", "es", "ko", "fr", "de", "pt", "ja", "zu", "it"],
        Attr::Genre => GENRES.get_or_init(|| GENRE_SUBGENRES.iter().map(|(g, _)| *g).collect()),
        Attr::Subgenre => SUBGENRES.get_or_init(|| {
            GENRE_SUBGENRES
                .iter()
                .flat_map(|(_, s)| s.iter().copied())
                .collect()
        }),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genre_lists_come_from_the_table() {
        assert_eq!(closed_vocab(Attr::Genre).len(), GENRE_SUBGENRES.len());
        assert_eq!(parent_genre("psytrance"), Some("trance"));
        assert!(closed_vocab(Attr::Subgenre).contains(&"psytrance"));
        assert!(closed_vocab(Attr::Bpm).is_empty());
    }
}

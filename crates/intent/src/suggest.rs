//! Suggestions while typing: completions of the last word from the lexicon and the
//! library vocabulary, plus chips (ready-made refinements).

use serde::Serialize;

use crate::lexicon::{lexicon, tokenize, Concept, Flag};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// Completes the word being typed with a lexicon phrase.
    Completion,
    /// Completes the word being typed with a library value (artist, genre tag ...).
    Library,
    /// A ready-made refinement to append.
    Chip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The full prompt text if the suggestion is accepted.
    pub text: String,
    pub kind: SuggestionKind,
}

const CHIPS: [&str; 12] = [
    "more energy",
    "a bit less energy",
    "darker",
    "brighter",
    "same key",
    "harmonically compatible",
    "a little faster",
    "same tempo",
    "no vocals",
    "change up the genre",
    "build toward a peak",
    "keep it rolling",
];

fn useful(c: &[Concept]) -> bool {
    !c.iter().all(|c| {
        matches!(
            c,
            Concept::Word(Flag::Stop | Flag::Boundary | Flag::Later | Flag::Inject)
        )
    })
}

/// Most words of a library name completed at once.
const MAX_NAME_WORDS: usize = 4;

/// Whole prompts that complete the last typed words with a library value (`prefix` does not
/// end with a space): the longest tail of up to [`MAX_NAME_WORDS`] words that starts a value,
/// case-insensitively, is replaced by it.
fn library_completions(prefix: &str, vocabulary: &[String], limit: usize) -> Vec<String> {
    // start of each of the last words
    let mut starts: Vec<usize> = Vec::new();
    let mut prev_space = true;
    for (i, c) in prefix.char_indices() {
        if prev_space && !c.is_whitespace() {
            starts.push(i);
        }
        prev_space = c.is_whitespace();
    }
    for &at in starts.iter().rev().take(MAX_NAME_WORDS).rev() {
        let tail = prefix[at..].to_lowercase();
        let hits: Vec<String> = vocabulary
            .iter()
            .take(100_000)
            .filter(|v| {
                let v = v.to_lowercase();
                v.starts_with(&tail) && v != tail
            })
            .take(limit)
            .map(|v| format!("{}{v}", &prefix[..at]))
            .collect();
        if !hits.is_empty() {
            return hits;
        }
    }
    Vec::new()
}

/// Suggestions for a partially typed prompt, at most `limit`. Pure and bounded.
pub fn suggest(prefix: &str, vocabulary: &[String], limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    if limit == 0 || prefix.chars().count() > 2000 {
        return out;
    }
    let Ok(lex) = lexicon() else { return out };
    let ends_with_space = prefix.ends_with(char::is_whitespace) || prefix.is_empty();
    let (head, last) = if ends_with_space {
        (prefix.to_string(), String::new())
    } else {
        match prefix.char_indices().rfind(|(_, c)| c.is_whitespace()) {
            Some((i, c)) => {
                let cut = i + c.len_utf8();
                (prefix[..cut].to_string(), prefix[cut..].to_string())
            }
            None => (String::new(), prefix.to_string()),
        }
    };
    let key: String = tokenize(&last, 8)
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ");
    let push = |out: &mut Vec<Suggestion>, text: String, kind: SuggestionKind| {
        if out.len() < limit && !out.iter().any(|s| s.text == text) {
            out.push(Suggestion { text, kind });
        }
    };
    if !key.is_empty() {
        let mut hits: Vec<&str> = lex
            .entries
            .iter()
            .filter(|(phrase, concepts)| {
                let p = phrase.to_lowercase();
                p.starts_with(&key)
                    && p != key
                    && useful(concepts)
                    && !p.split(' ').any(|w| w.chars().count() == 1 && w != "a")
            })
            .map(|(p, _)| p.as_str())
            .collect();
        hits.sort_by_key(|p| (p.chars().count(), *p));
        // a library name may span the last few typed words ("more carl c" -> "Carl Cox"):
        // the longest tail of the prompt that starts a name is replaced by the name
        let lib: Vec<String> = library_completions(prefix, vocabulary, limit);
        // After "by" the word is an artist: the library's names first. Elsewhere the
        // lexicon's phrases lead, but they never crowd out the library's own names (up to
        // half the list is kept for them).
        let after_by = tokenize(&head, 64).last().is_some_and(|t| {
            lex.phrases
                .get(&t.text)
                .is_some_and(|c| c.contains(&Concept::Word(Flag::By)))
        });
        let lex_first = if after_by {
            0
        } else {
            limit - lib.len().min(limit / 2)
        };
        let (lead, rest) = hits.split_at(lex_first.min(hits.len()));
        for phrase in lead {
            push(
                &mut out,
                format!("{head}{phrase}"),
                SuggestionKind::Completion,
            );
        }
        for v in lib {
            push(&mut out, v, SuggestionKind::Library);
        }
        for phrase in rest {
            push(
                &mut out,
                format!("{head}{phrase}"),
                SuggestionKind::Completion,
            );
        }
    }
    if ends_with_space || out.is_empty() {
        let base = prefix.trim_end();
        for chip in CHIPS {
            if base.to_lowercase().contains(chip) {
                continue;
            }
            let text = if base.is_empty() {
                chip.to_string()
            } else {
                format!("{base}, {chip}")
            };
            push(&mut out, text, SuggestionKind::Chip);
        }
    }
    out
}

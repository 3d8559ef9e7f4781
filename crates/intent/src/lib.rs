//! flowstate-intent: what the DJ types becomes a structured [`Intent`] in the constraint
//! language of `eval/intent/README.md` §3 (`serde_json` of an `Intent` IS the language).
//!
//! Pipeline (pure, bounded, never panics):
//! 1. [`guard`]: reject unusable input (empty, > `max_chars`, control characters,
//!    HTML/SQL/JSON-looking text, prompt injections) with `status: error`;
//! 2. tokenize, read numbers written in words, fuzzy-correct unknown words against the
//!    lexicon (Damerau-Levenshtein; keys such as "Amin" are left alone);
//! 3. tag phrases of `data/lexicon.txt` (longest match), keys in every notation, numbers;
//! 4. split into clauses ("," "but" "and" ...), interpret each (negation scope, hedges,
//!    magnitudes, comparatives, numbers);
//! 5. optional semantic fallback for clauses the rules did not understand
//!    (nearest prototype of `data/prototypes.jsonl` through an [`Embedder`]);
//! 6. merge, detect contradictions (-> `ambiguous`), explain in words.

mod explain;
mod grammar;
mod guard;
mod lexicon;
mod names;
mod semantic;
mod suggest;
mod tagger;
pub mod vocab;

use std::sync::{Arc, OnceLock};

pub use flowstate_types::intent::{Attr, Constraint, Intent, IntentStatus, Op, Strength};
pub use names::Names;
pub use semantic::{load_prototypes, prototypes as semantic_prototypes, Embedder, Prototype};
pub use suggest::{suggest, Suggestion, SuggestionKind};
pub use vocab::validate;

use grammar::Acc;
use lexicon::{Concept, Flag, TokKind};
use tagger::ItemKind;

/// Errors of this crate (the parser itself never fails: it returns `status: error`).
#[derive(Debug, thiserror::Error)]
pub enum IntentError {
    #[error("lexicon line {line}: {message}")]
    Lexicon { line: usize, message: String },
    #[error("prototype line {line}")]
    Prototype {
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("embedder failed: {0}")]
    Embedder(String),
}

/// Parser options.
#[derive(Debug, Clone)]
pub struct ParserOptions {
    /// Prompts longer than this (in characters) are rejected.
    pub max_chars: usize,
    /// Prompts with more tokens than this are rejected.
    pub max_tokens: usize,
    /// Cosine similarity a prototype needs for the semantic fallback.
    pub semantic_threshold: f32,
    /// Correct misspelt words against the lexicon.
    pub fuzzy: bool,
}

impl Default for ParserOptions {
    fn default() -> Self {
        Self {
            max_chars: 2000,
            max_tokens: 256,
            // all-MiniLM-L6-v2 cosine. On a development set of unseen DJ phrasings (not the
            // eval prompts; `crates/ml/examples/semantic_sims.rs` prints the similarities),
            // right nearest prototypes scored >= 0.65, wrong ones <= 0.53 and chit-chat or
            // garbage <= 0.39; 0.60 sits in that gap. (0.75 rejected most right matches.)
            semantic_threshold: 0.60,
            fuzzy: true,
        }
    }
}

/// A configured parser. Cheap to clone; share one per process.
#[derive(Clone, Default)]
pub struct Parser {
    pub options: ParserOptions,
    embedder: Option<Arc<dyn Embedder>>,
    proto_cache: Arc<OnceLock<Option<Vec<Vec<f32>>>>>,
}

impl std::fmt::Debug for Parser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parser")
            .field("options", &self.options)
            .field("embedder", &self.embedder.is_some())
            .finish()
    }
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_options(mut self, options: ParserOptions) -> Self {
        self.options = options;
        self
    }

    /// Enable the semantic fallback with a sentence encoder.
    pub fn with_embedder(mut self, embedder: Arc<dyn Embedder>) -> Self {
        self.embedder = Some(embedder);
        self.proto_cache = Arc::new(OnceLock::new());
        self
    }

    pub fn has_embedder(&self) -> bool {
        self.embedder.is_some()
    }

    /// Parse one prompt. Never panics; bounded in input length and work.
    pub fn parse(&self, prompt: &str) -> Intent {
        self.parse_inner(prompt, None)
    }

    /// Parse one prompt that may name the library's artists without "by" ("not Peggy Gou
    /// again", "more Charlotte de Witte"); see [`Names`].
    pub fn parse_with(&self, prompt: &str, names: &Names) -> Intent {
        self.parse_inner(prompt, Some(names))
    }

    fn parse_inner(&self, prompt: &str, names: Option<&Names>) -> Intent {
        if let Err(msg) = guard::check(prompt, self.options.max_chars) {
            return explained(Intent::error(msg));
        }
        let lex = match lexicon::lexicon() {
            Ok(l) => l,
            Err(e) => return Intent::error(format!("internal lexicon error: {e}")),
        };
        let toks = lexicon::tokenize(prompt, self.options.max_tokens + 1);
        if toks.len() > self.options.max_tokens {
            return explained(Intent::error(format!(
                "prompt has more than {} words",
                self.options.max_tokens
            )));
        }
        let toks = match names {
            Some(n) => n.mark(toks),
            None => toks,
        };
        let mut toks = lexicon::sign_words(lexicon::number_words(toks));
        if self.options.fuzzy {
            let mut budget = 48;
            for i in 0..toks.len() {
                let t = &toks[i];
                // a key ("Amin", "Ebm") is not a misspelt word
                if t.kind != TokKind::Word
                    || lex.phrases.contains_key(&t.text)
                    || lex.words.binary_search(&t.text).is_ok()
                    || tagger::key_at(&toks, i).is_some()
                {
                    continue;
                }
                let t = &mut toks[i];
                if budget == 0 {
                    break;
                }
                budget -= 1;
                if let Some(c) = lex.correct(&t.text) {
                    t.text = c.to_string();
                    t.fuzzy = true;
                }
            }
        }
        let toks = lexicon::rejoin_phrasal(toks, lex);
        let items = tagger::tag(lex, &toks);
        let mut acc = Acc::default();
        let mut start = 0;
        // first candidate of the clause before the current one (for "…, or …")
        let mut prev_from = 0;
        // items of the clause before the current one (for "same tempo and key")
        let mut prev_clause = 0..0;
        // the first later step ("…, then wind down"): its item, and the candidates before it
        let mut later_item: Option<usize> = None;
        let mut later_cands: Option<usize> = None;
        for i in 0..=items.len() {
            let step = i < items.len() && grammar::later_step_at(&items, i);
            let boundary = i == items.len()
                || step
                || (items[i].flag() == Some(Flag::Boundary)
                    && !grammar::either_way_join(&items, i)
                    && !grammar::negated_list_join(&items, start, i));
            if step && later_item.is_none() {
                later_item = Some(i);
            }
            if boundary {
                let from = acc.cands.len();
                // "…, like 130 but not more": the clause only bounds the figure before it
                if !grammar::bound_previous(&items[start..i], &mut acc, prev_from, from) {
                    match grammar::elided_dims(&items[prev_clause.clone()], &items[start..i]) {
                        Some(copies) => {
                            for c in &copies {
                                grammar::clause(c, &mut acc);
                            }
                        }
                        None => grammar::clause(&items[start..i], &mut acc),
                    }
                    if grammar::says_something(&items[start..i]) {
                        prev_clause = start..i;
                    }
                    if grammar::only_negation(&items[start..i]) && from > prev_from {
                        grammar::negate_previous(&mut acc, prev_from, from);
                    }
                    if grammar::opens_alternative(&items[start..i]) {
                        grammar::value_alternatives(&mut acc, prev_from, from);
                    }
                    if grammar::has_or(&items[start..i]) {
                        let opens = items.get(start).is_some_and(grammar::is_or);
                        if opens {
                            grammar::bare_relative(&items[start..i], &mut acc, prev_from, from);
                        }
                        grammar::key_alternatives(&mut acc, if opens { prev_from } else { from });
                    }
                    prev_from = from;
                }
                start = i + 1;
                if later_item.is_some() && later_cands.is_none() {
                    later_cands = Some(acc.cands.len());
                }
            }
        }
        // What comes after "then" is a later step: the next track is what the prompt asks for
        // before it. A prompt that only says what comes later ("then faster") asks it now.
        if let (Some(i), Some(c)) = (later_item, later_cands) {
            if grammar::says_something(&items[..i]) {
                let mut text = String::new();
                for x in &items[i..] {
                    let punct = !x.text.chars().any(char::is_alphanumeric);
                    if !text.is_empty() && !punct {
                        text.push(' ');
                    }
                    text.push_str(&x.text);
                }
                let text = text.trim_end_matches(|c: char| !c.is_alphanumeric());
                acc.later = Some(text.to_string());
                let c = c.min(acc.cands.len());
                acc.cands.truncate(c);
                acc.last_clause = acc.last_clause.start.min(c)..acc.last_clause.end.min(c);
            }
        }
        grammar::finish_hedge(&mut acc);
        if acc.inject {
            return explained(Intent::error(
                "the prompt looks like an instruction to the system, not a musical request",
            ));
        }
        if acc.cands.is_empty() && acc.ood.is_empty() && !acc.vague && !acc.unexplained.is_empty() {
            if let Some(emb) = &self.embedder {
                semantic::fallback(
                    emb.as_ref(),
                    &self.proto_cache,
                    self.options.semantic_threshold,
                    &mut acc,
                );
            }
        }
        let any_known = items.iter().any(|i| {
            !matches!(i.kind, ItemKind::Unknown | ItemKind::Sym(_))
                && !matches!(i.kind, ItemKind::C(Concept::Word(Flag::Boundary)))
        });
        finish(acc, any_known)
    }
}

fn explained(mut i: Intent) -> Intent {
    i.explanation = Some(explain::explain(&i));
    i
}

/// Parse a prompt with default options and no encoder. Never panics.
pub fn parse(prompt: &str) -> Intent {
    static P: OnceLock<Parser> = OnceLock::new();
    P.get_or_init(Parser::new).parse(prompt)
}

fn finish(acc: Acc, _any_known: bool) -> Intent {
    let mut cands = acc.cands;
    // the artist of what was played is never a request ("we just played Bicep")
    cands.retain(|c| !(c.situational && c.c.attr == Attr::Artist));
    // "people are leaving, give them something more danceable": the request, not the reason
    if cands.iter().any(|c| !c.situational) {
        cands.retain(|c| !c.situational);
    }
    // side effects only when nothing else sets the attribute
    let explicit: Vec<Attr> = cands
        .iter()
        .filter(|c| !c.side_effect)
        .map(|c| c.c.attr)
        .collect();
    cands.retain(|c| !c.side_effect || !explicit.contains(&c.c.attr));
    // side effects that contradict each other ("darker, maybe harder": energy may drop, and
    // go up) cancel out: the prompt said nothing about that attribute itself
    let effects_on = |a: Attr| -> Vec<Constraint> {
        cands
            .iter()
            .filter(|c| c.side_effect && c.c.attr == a)
            .map(|c| c.c.clone())
            .collect()
    };
    let cancelled: Vec<Attr> = cands
        .iter()
        .filter(|c| c.side_effect)
        .map(|c| c.c.attr)
        .filter(|&a| {
            let e = effects_on(a);
            e.len() > 1 && !merge::conflicts(merge::merge(e)).1.is_empty()
        })
        .collect();
    cands.retain(|c| !(c.side_effect && cancelled.contains(&c.c.attr)));
    // a level word gives way to a figure it contradicts: "mid tempo, around 110" is 107-113,
    // not a contradiction (the figure is what the DJ pinned down)
    let figures: Vec<(Attr, Strength, Option<f64>, Option<f64>)> = cands
        .iter()
        .filter(|c| !c.vague)
        .filter_map(|c| match c.c.op {
            Op::Range { min, max } => Some((c.c.attr, c.c.strength, min, max)),
            _ => None,
        })
        .collect();
    cands.retain(|c| {
        let Op::Range { min, max } = c.c.op else {
            return true;
        };
        !c.vague
            || !figures.iter().any(|&(a, s, lo, hi)| {
                a == c.c.attr && s == c.c.strength && merge::disjoint((lo, hi), (min, max))
            })
    });
    // a sung language implies vocals: "lyrics in spanish" is the language constraint
    let language_set = cands.iter().any(|c| {
        c.c.attr == Attr::Language
            && matches!(&c.c.op, Op::In { values } if !values.iter().any(|v| v == "none"))
    });
    // "choir vocals": a named kind of voice already implies "not instrumental"
    let voiced_strengths: Vec<Strength> = cands
        .iter()
        .filter(|c| {
            c.c.attr == Attr::VocalPresence
                && matches!(&c.c.op, Op::In { values } if !values.iter().any(|v| v == "instrumental"))
        })
        .map(|c| c.c.strength)
        .collect();
    // the bare "not instrumental" that a sung language or a named voice implies is dropped
    cands.retain(|c| {
        let not_instrumental = c.c.attr == Attr::VocalPresence
            && matches!(&c.c.op, Op::NotIn { values } if values == &["instrumental"]);
        !(not_instrumental && (language_set || voiced_strengths.contains(&c.c.strength)))
    });
    let constraints =
        merge::explicit_over_keep(merge::merge(cands.into_iter().map(|c| c.c).collect()));
    let (mut constraints, mut ambiguous) = merge::conflicts(constraints);
    for (a, _) in acc.ood.iter().chain(&acc.open) {
        if !ambiguous.contains(a) {
            ambiguous.push(*a);
        }
        constraints.retain(|c| c.attr != *a);
    }
    let reasons: Vec<(Attr, String)> = acc.ood.iter().chain(&acc.open).cloned().collect();
    let status = if !acc.ood.is_empty() && constraints.is_empty() {
        let msg = acc
            .ood
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return explained(Intent::error(msg));
    } else if !ambiguous.is_empty() {
        IntentStatus::Ambiguous
    } else if constraints.is_empty() {
        IntentStatus::NoOp
    } else {
        IntentStatus::Ok
    };
    let mut i = Intent {
        status,
        constraints,
        ambiguous_attrs: ambiguous,
        error: None,
        explanation: None,
    };
    let mut text = explain::explain_with(&i, &reasons);
    // the allowed clause itself adds nothing; a constraint the rest of the prompt puts on the
    // same attribute ("vocals ok, but not male") stands, and then needs no note
    for a in acc
        .allowed
        .iter()
        .filter(|a| !i.constraints.iter().any(|c| c.attr == **a))
    {
        text.push_str(&format!(
            " You said {} can be anything.",
            explain::label(*a)
        ));
    }
    if let Some(l) = &acc.later {
        text.push_str(&format!(" Left for after the next track: \"{l}\"."));
    }
    i.explanation = Some(text);
    i
}

mod merge;

//! Items of one clause -> candidate constraints.

use flowstate_types::intent::{Attr, AttrKind, Constraint, Op, Strength};

use crate::lexicon::{self, Concept, Flag};
use crate::tagger::{Item, ItemKind};
use crate::{merge, vocab};

#[derive(Debug, Clone)]
pub(crate) struct Cand {
    pub c: Constraint,
    /// A side effect the spec describes with "may" (dropped when the attr is set otherwise).
    pub side_effect: bool,
    /// A level word ("slow", "mid tempo", "high energy"): yields to a figure on the same
    /// attribute that it contradicts ("mid tempo, around 110").
    pub vague: bool,
    /// Implied by the state of the room ("we're losing them"), not asked for: dropped when
    /// the prompt asks for anything outright.
    pub situational: bool,
    /// The figure a range was read around ("130" is 129–131), when it came from one.
    pub figure: Option<f64>,
}

#[derive(Debug, Default)]
pub(crate) struct Acc {
    pub cands: Vec<Cand>,
    /// Out-of-domain numbers ("bpm 5000").
    pub ood: Vec<(Attr, String)>,
    /// Attributes the prompt names but leaves open on purpose, with the reason: "with or
    /// without vocals" (either way), "anything but 130" (the rest of the tempo axis is two
    /// ranges, which one constraint cannot say).
    pub open: Vec<(Attr, String)>,
    /// Attributes the prompt allows either way ("vocals are fine"): left open, and no
    /// contradiction.
    pub allowed: Vec<Attr>,
    pub vague: bool,
    pub inject: bool,
    /// Clauses that had words but produced nothing (for the semantic fallback).
    pub unexplained: Vec<String>,
    /// A clause that was only a hedge ("if you can, no vocals"): it softens the next clause,
    /// or, when none follows ("no vocals, if possible"), the last one (see `finish_hedge`).
    pub pending_hedge: bool,
    /// Candidates of the last clause that produced any.
    pub last_clause: std::ops::Range<usize>,
    /// What the prompt asks for after the next track ("…, then wind down"), in its own
    /// words: left out of the constraints, named in the explanation.
    pub later: Option<String>,
}

impl Acc {
    /// Removes candidate `i`, keeping `last_clause` on the same candidates.
    fn remove_cand(&mut self, i: usize) {
        self.cands.remove(i);
        let r = &mut self.last_clause;
        if i < r.start {
            r.start -= 1;
        }
        if i < r.end {
            r.end -= 1;
        }
    }

    /// Leave `attr` open on purpose ("vocals are fine"): no constraint and no contradiction.
    fn allow(&mut self, attr: Attr) {
        if !self.allowed.contains(&attr) {
            self.allowed.push(attr);
        }
    }
}

/// Whether the item is the word "or".
pub(crate) fn is_or(it: &Item) -> bool {
    it.text.eq_ignore_ascii_case("or")
}

/// Whether an "or" (as a word of its own) is among `items`: "same key or harmonic", or a
/// clause that opens with it, "same key, or one step away".
pub(crate) fn has_or(items: &[Item]) -> bool {
    items.iter().any(is_or)
}

/// "same key or harmonic", "same key, or one step away": key constraints offered as
/// alternatives are their union. A keep is compatibility 1.0, so the union of keys that are
/// compatible at scores a and b is compatibility min(a, b) (the wider set; a keep when both
/// are 1.0). Read as an AND, the keep would win and the alternative would be lost. `from`:
/// the first candidate of the alternatives (the clause before an "or" clause, or the
/// clause holding the "or"). The union is hard when any alternative is.
pub(crate) fn key_alternatives(acc: &mut Acc, from: usize) {
    let score = |c: &Cand| match c.c.op {
        Op::Keep { .. } if c.c.attr == Attr::Key => Some(1.0),
        Op::Compatible { min_score } if c.c.attr == Attr::Key => Some(min_score),
        _ => None,
    };
    let from = from.min(acc.cands.len());
    let idx: Vec<usize> = (from..acc.cands.len())
        .filter(|&i| score(&acc.cands[i]).is_some())
        .collect();
    if idx.len() < 2 {
        return;
    }
    let min = idx
        .iter()
        .filter_map(|&i| score(&acc.cands[i]))
        .fold(1.0f64, f64::min);
    // one of the alternatives is required when any is ("same key or maybe compatible")
    let hard = idx
        .iter()
        .any(|&i| acc.cands[i].c.strength == Strength::Hard);
    let keep = idx[0];
    let c = &mut acc.cands[keep].c;
    c.op = if min >= 1.0 {
        Op::Keep {
            tolerance: None,
            tolerance_pct: None,
        }
    } else {
        Op::Compatible { min_score: min }
    };
    c.strength = if hard { Strength::Hard } else { Strength::Soft };
    // drop the others, keeping `last_clause` on the same candidates (on the union when it
    // held one of the alternatives, so a trailing "if possible" softens the union)
    if idx.iter().any(|i| acc.last_clause.contains(i)) {
        acc.last_clause.start = acc.last_clause.start.min(keep);
    }
    for &i in idx[1..].iter().rev() {
        acc.remove_cand(i);
    }
}

/// "same key, or relative", "8A, or adjacent": after a clause that asked for a key, an "or"
/// clause that only says "relative" (or "adjacent") offers the relative or a neighbouring key
/// (compatibility 0.9) as the alternative, which [`key_alternatives`] then joins. Alone,
/// "relative" names no key.
pub(crate) fn bare_relative(items: &[Item], acc: &mut Acc, prev: usize, from: usize) {
    let relative = items.iter().any(|x| x.flag() == Some(Flag::Relative));
    let asked_key = |r: std::ops::Range<usize>| {
        acc.cands
            .get(r)
            .is_some_and(|cs| cs.iter().any(|c| c.c.attr == Attr::Key))
    };
    let from = from.min(acc.cands.len());
    if !relative || !asked_key(prev.min(from)..from) || asked_key(from..acc.cands.len()) {
        return;
    }
    // a named key ("8A, or relative"): its relative (8B), or for "adjacent" its wheel
    // neighbours and relative (7A, 9A, 8B)
    let named = (prev.min(from)..from)
        .find(|&k| acc.cands[k].c.attr == Attr::Key && matches!(acc.cands[k].c.op, Op::In { .. }));
    if let Some(k) = named {
        if let Op::In { values } = &mut acc.cands[k].c.op {
            add_neighbours(values, items);
        }
        return;
    }
    let st = if items.iter().any(|x| x.flag() == Some(Flag::Hedge)) {
        Strength::Soft
    } else {
        Strength::Hard
    };
    push(
        acc,
        Attr::Key,
        Op::Compatible { min_score: 0.9 },
        st,
        false,
        false,
    );
    acc.last_clause = from..acc.cands.len();
}

/// Adds to Camelot `values` their relative keys ("relative"), or their relatives and wheel
/// neighbours ("adjacent", "neighbouring"), as `items` say.
fn add_neighbours(values: &mut Vec<String>, items: &[Item]) {
    let strict = items
        .iter()
        .any(|x| x.text.to_lowercase().contains("relative"));
    let keys: Vec<flowstate_types::CamelotKey> =
        values.iter().filter_map(|v| v.parse().ok()).collect();
    for key in keys {
        let mut more = vec![key.relative()];
        if !strict {
            more.extend([key.rotate(1), key.rotate(-1)]);
        }
        let more: Vec<String> = more.into_iter().map(|k| k.camelot()).collect();
        merge::union(values, &more);
    }
}

/// "…, like 130 but not more", "energy 7, not less": a clause that is only a negated
/// comparative word with nothing to compare turns the figure of the clause before
/// (`prev..from`, a range on a numeric attribute) into a bound: "not more" keeps its upper
/// end, "not less" its lower end. Returns whether it did (the clause then says nothing else).
pub(crate) fn bound_previous(items: &[Item], acc: &mut Acc, prev: usize, from: usize) -> bool {
    let mut neg = false;
    let mut dir = None;
    for x in items {
        match x.flag() {
            Some(Flag::Neg) => neg = true,
            Some(Flag::More) => dir = Some(true),
            Some(Flag::Less) => dir = Some(false),
            _ if matches!(x.kind, ItemKind::Sym(_)) => {}
            _ => return false,
        }
    }
    let (true, Some(more)) = (neg, dir) else {
        return false;
    };
    let from = from.min(acc.cands.len());
    let Some(c) = acc.cands[prev.min(from)..from]
        .iter_mut()
        .rev()
        .find(|c| c.c.attr.kind() == AttrKind::Numeric && matches!(c.c.op, Op::Range { .. }))
    else {
        return false;
    };
    let mid = c.figure;
    if let Op::Range { min, max } = &mut c.c.op {
        // the figure itself, not the tolerance around it ("130" reads as 129–131)
        if more {
            *max = mid.or(*max);
            *min = None;
        } else {
            *min = mid.or(*min);
            *max = None;
        }
    }
    c.vague = false;
    true
}

/// Whether a clause is nothing but a negation: "nah", "no", "not yet" (with punctuation).
pub(crate) fn only_negation(items: &[Item]) -> bool {
    let mut neg = false;
    for x in items {
        match (&x.kind, x.flag()) {
            (_, Some(Flag::Neg)) => neg = true,
            (ItemKind::Sym(_), _) => {}
            _ => return false,
        }
    }
    neg
}

/// "brostep? nah", "vocals? no", "faster? not yet": a clause that only says no turns down
/// what the clause before it asked for (`prev..from`). Values and words are negated
/// ("in" becomes "not in", a subgenre's implied genre is dropped, not excluded); what
/// cannot be negated as one constraint (a tempo change, a range) is dropped.
pub(crate) fn negate_previous(acc: &mut Acc, prev: usize, from: usize) {
    let from = from.min(acc.cands.len());
    let prev = prev.min(from);
    let had_sub = acc.cands[prev..from]
        .iter()
        .any(|c| c.c.attr == Attr::Subgenre && matches!(c.c.op, Op::In { .. }));
    let mut kept = Vec::new();
    for mut c in acc.cands.drain(prev..from) {
        let op = match std::mem::replace(&mut c.c.op, Op::Differs) {
            Op::In { .. } if c.c.attr == Attr::Genre && had_sub => continue,
            Op::In { values } => Op::NotIn { values },
            Op::NotIn { values } => Op::In { values },
            Op::Contains { values } => Op::NotContains { values },
            Op::NotContains { values } => Op::Contains { values },
            Op::Keep { .. } if c.c.attr.kind() != AttrKind::Numeric => Op::Differs,
            _ => continue,
        };
        c.c.op = op;
        kept.push(c);
    }
    let n = kept.len();
    acc.cands.splice(prev..prev, kept);
    acc.last_clause = prev..prev + n;
}

/// Whether a clause opens as a second choice: "…, or house", "…, maybe house", "…, or
/// perhaps 9A".
pub(crate) fn opens_alternative(items: &[Item]) -> bool {
    items.first().is_some_and(|x| {
        is_or(x)
            || matches!(
                x.text.to_lowercase().as_str(),
                "maybe" | "perhaps" | "possibly" | "or maybe" | "or perhaps"
            )
    })
}

/// "techno, maybe house", "8A, or perhaps 9A", "female vocals, or male": a value of a
/// category offered after another as a second choice is an alternative, so either will do,
/// and one of them is required when the first was. The values of the clause at `from..` join
/// the same attribute's `in` list of the clause before it (`prev..from`). Read apart, the
/// hedged second value would contradict the first and yield to it. Not for the vibe, whose
/// words describe one track together ("darker, maybe harder" stays dark), nor for values
/// that exclude each other ("no vocals, maybe female vocals").
pub(crate) fn value_alternatives(acc: &mut Acc, prev: usize, from: usize) {
    let from = from.min(acc.cands.len());
    let mut i = from;
    while i < acc.cands.len() {
        let Op::In { values: add } = acc.cands[i].c.op.clone() else {
            i += 1;
            continue;
        };
        let attr = acc.cands[i].c.attr;
        let kind_ok = attr != Attr::Vibe
            && matches!(
                attr.kind(),
                AttrKind::Closed | AttrKind::Key | AttrKind::Open
            );
        let target = (prev.min(from)..from).find(|&k| {
            acc.cands[k].c.attr == attr
                && matches!(&acc.cands[k].c.op, Op::In { values } if !merge::opposed(attr, values, &add))
        });
        match target {
            Some(k) if kind_ok => {
                if let Op::In { values } = &mut acc.cands[k].c.op {
                    merge::union(values, &add);
                }
                acc.remove_cand(i);
            }
            _ => i += 1,
        }
    }
}

/// "same tempo and key", "change the genre and the key": a clause that only names
/// dimensions ("key") after one that says what to do with a single dimension ("same
/// tempo") shares its words. Returns the previous clause again once per named dimension,
/// with that dimension in place of its own; `None` when the clause says anything else.
pub(crate) fn elided_dims(prev: &[Item], cur: &[Item]) -> Option<Vec<Vec<Item>>> {
    let dim = |x: &Item| match x.kind {
        ItemKind::C(Concept::Dim(a)) => Some(a),
        _ => None,
    };
    let filler = |x: &Item| x.flag() == Some(Flag::Stop) || is_article(&x.text);
    let dims: Vec<&Item> = cur.iter().filter(|x| !filler(x)).collect();
    if dims.is_empty() || !dims.iter().all(|x| dim(x).is_some()) {
        return None;
    }
    let slots: Vec<usize> = (0..prev.len())
        .filter(|&k| dim(&prev[k]).is_some())
        .collect();
    let [slot] = slots[..] else {
        return None;
    };
    // A figure belongs to its own dimension ("at 124 bpm and key" says nothing of the key).
    if prev.iter().any(|x| {
        matches!(
            x.kind,
            ItemKind::Num(_) | ItemKind::NumRange(..) | ItemKind::Key(_)
        )
    }) {
        return None;
    }
    // The previous clause says what to do with its dimension in a word ("same", "change").
    let said = prev.iter().any(|x| {
        x.flag()
            .is_some_and(|f| !matches!(f, Flag::Stop | Flag::Boundary | Flag::Later))
    });
    if !said {
        return None;
    }
    Some(
        dims.into_iter()
            .map(|d| {
                let mut v = prev.to_vec();
                v[slot] = d.clone();
                v
            })
            .collect(),
    )
}

/// Whether the items carry meaning: anything but filler words and clause boundaries.
pub(crate) fn says_something(items: &[Item]) -> bool {
    items.iter().any(|x| match &x.kind {
        ItemKind::C(Concept::Word(f)) => !matches!(f, Flag::Stop | Flag::Boundary | Flag::Later),
        ItemKind::C(_) | ItemKind::Key(_) | ItemKind::Num(_) | ItemKind::NumRange(..) => true,
        ItemKind::Sym(_) | ItemKind::Unknown => false,
    })
}

/// Whether the "then" at `i` starts a later step of the set: it has something to say after
/// it, up to the next clause boundary. "faster then this" is the common typo for "than",
/// with nothing but a reference after it, and no step.
pub(crate) fn later_step_at(items: &[Item], i: usize) -> bool {
    if items[i].flag() != Some(Flag::Later) {
        return false;
    }
    // "after that Four Tet track, …": the track playing now, not a later step
    if is_after(&items[i]) && items.get(i + 1).is_some_and(is_artist) {
        return false;
    }
    let end = (i + 1..items.len())
        .find(|&k| matches!(items[k].flag(), Some(Flag::Boundary | Flag::Later)))
        .unwrap_or(items.len());
    says_something(&items[i + 1..end])
}

/// A trailing hedge-only clause softens the clause before it.
pub(crate) fn finish_hedge(acc: &mut Acc) {
    if !acc.pending_hedge {
        return;
    }
    acc.pending_hedge = false;
    let r = acc.last_clause.clone();
    for c in acc.cands.get_mut(r).into_iter().flatten() {
        c.c.strength = Strength::Soft;
    }
}

fn hedge_only(flags: &[Option<Flag>]) -> bool {
    flags.contains(&Some(Flag::Hedge))
        && flags
            .iter()
            .all(|f| matches!(f, Some(Flag::Hedge | Flag::Stop)))
}

fn is_head(it: &Item) -> bool {
    match &it.kind {
        ItemKind::Key(_) | ItemKind::Num(_) | ItemKind::NumRange(..) => true,
        ItemKind::C(Concept::Word(f)) => matches!(f, Flag::Compat | Flag::By),
        ItemKind::C(_) => true,
        _ => false,
    }
}

fn skippable(it: &Item) -> bool {
    matches!(
        it.flag(),
        Some(Flag::Stop | Flag::Small | Flag::Large | Flag::Hedge | Flag::Exact)
    )
}

/// The head a modifier word belongs to: the next head (only filler words between), else
/// the previous one ("energy up", "keep the energy high").
fn adjacent_head(items: &[Item], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < items.len() && skippable(&items[j]) {
        j += 1;
    }
    // "energy up by 2": "by" with a figure sizes the change, it is not an artist to modify
    let by_figure = j < items.len()
        && matches!(items[j].kind, ItemKind::C(Concept::Word(Flag::By)))
        && items
            .get(j + 1)
            .is_some_and(|x| matches!(x.kind, ItemKind::Num(_)));
    if j < items.len() && is_head(&items[j]) && !by_figure {
        // values take a modifier only when it is right before them ("less vocals")
        let value = matches!(
            items[j].kind,
            ItemKind::C(Concept::Val { .. } | Concept::Term { .. })
        );
        if !value
            || j == i + 1
            || items[i + 1..j].iter().all(|x| {
                x.text.len() <= 2
                    || is_article(&x.text)
                    || matches!(x.flag(), Some(Flag::Small | Flag::Large))
            })
        {
            return Some(j);
        }
        return None;
    }
    let mut k = i;
    while k > 0 {
        k -= 1;
        if skippable(&items[k]) || items[k].flag().is_some_and(|f| is_mod(f) || f == Flag::Neg) {
            continue;
        }
        return is_head(&items[k]).then_some(k);
    }
    None
}

/// Whether `it` is a lexicon phrase that carries its own negation ("no vocals", "without
/// lyrics", "sin voces"): its first words are a negation phrase of the lexicon.
fn self_negated(it: &Item) -> bool {
    if !matches!(
        it.kind,
        ItemKind::C(Concept::Val { .. } | Concept::Term { .. })
    ) {
        return false;
    }
    let Ok(lex) = lexicon::lexicon() else {
        return false;
    };
    let words: Vec<String> = lexicon::tokenize(&it.text, 16)
        .into_iter()
        .map(|t| t.text)
        .collect();
    (1..words.len()).any(|k| {
        lex.phrases
            .get(&words[..k].join(" "))
            .is_some_and(|c| c.contains(&Concept::Word(Flag::Neg)))
    })
}

/// The attribute a list member names, for [`negated_list_join`]: a subgenre is a genre, and
/// vocals are a part of the arrangement like the instruments ("without vocals and piano",
/// "no piano and vocals" lists parts to leave out).
fn list_kind(it: &Item) -> Option<Attr> {
    match &it.kind {
        ItemKind::C(Concept::Val { attr, .. } | Concept::Term { attr, .. }) => Some(match attr {
            Attr::Subgenre => Attr::Genre,
            Attr::VocalPresence | Attr::VocalStyle => Attr::Instrumentation,
            a => *a,
        }),
        _ => None,
    }
}

/// The list conjunctions of the lexicon's boundary words ("and", "y", "und", "et", "&").
fn is_and(w: &str) -> bool {
    matches!(w, "and" | "&" | "y" | "und" | "et")
}

/// Whether "and" at `i` joins two members of one list (same [`list_kind`]) and the second
/// ends the items: "piano and strings", "vocals and (the) piano".
fn list_pair_at(items: &[Item], i: usize) -> bool {
    let next = (i + 1..items.len()).find(|&k| !is_article(&items[k].text));
    let (Some(a), Some(b)) = (
        i.checked_sub(1)
            .and_then(|p| items.get(p))
            .and_then(list_kind),
        next.and_then(|k| items.get(k)).and_then(list_kind),
    ) else {
        return false;
    };
    let ends = next
        .and_then(|k| items.get(k + 1))
        .is_none_or(|x| matches!(x.flag(), Some(Flag::Boundary | Flag::Later)));
    a == b && ends
}

/// "no vocals or techno", "without vocals and piano": a phrase that carries its own
/// negation ([`self_negated`]) extends it over an "or" list that follows, or over an "and"
/// list of its kind that ends the clause. Returns the index of that "or"/"and".
fn list_after_negated_phrase(items: &[Item]) -> Option<usize> {
    let first = items.iter().position(self_negated)?;
    // the items of one multi-concept phrase share its text
    let j = (first + 1..items.len()).find(|&k| items[k].text != items[first].text)?;
    let and = is_and(&items[j].text.to_lowercase());
    (is_or(&items[j]) || (and && list_pair_at(items, j))).then_some(j)
}

/// Index of "with" in "with or/and/& without …" (the "without" may be part of a phrase,
/// "without vocals").
fn either_way(items: &[Item]) -> Option<usize> {
    (0..items.len().saturating_sub(2)).find(|&k| {
        let w = |i: usize| items[i].text.to_lowercase();
        w(k) == "with"
            && matches!(w(k + 1).as_str(), "or" | "and" | "&" | "/" | "n")
            && (w(k + 2) == "without" || w(k + 2).starts_with("without "))
    })
}

/// Whether the clause boundary at `i` ("and") joins "with … without" (see [`either_way`]),
/// so the two halves stay one clause.
pub(crate) fn either_way_join(items: &[Item], i: usize) -> bool {
    i > 0 && i + 2 <= items.len() && either_way(&items[i - 1..]) == Some(0)
}

/// "anything except dubstep and trap", "no piano and strings", "without vocals and piano":
/// the "and" at `i` joins two members of one list ([`list_pair_at`]) under a negation earlier
/// in the clause that starts at `start` (a negation word, or a phrase carrying its own), so
/// the list stays one clause and the negation covers both (split there, "trap" would be
/// asked for). Only a list that ends the clause: "no techno and faster" still splits.
pub(crate) fn negated_list_join(items: &[Item], start: usize, i: usize) -> bool {
    if !is_and(&items[i].text.to_lowercase()) || i == 0 || i <= start {
        return false;
    }
    list_pair_at(items, i)
        && (items[start..i - 1]
            .iter()
            .any(|x| matches!(x.flag(), Some(Flag::Neg)))
            || self_negated(&items[i - 1]))
}

/// "no techno 130", "don't want vocals around 125": the negation went to the value named
/// between it and the number at `j` (a genre, a kind of voice, a key), not to the number.
/// Comparatives and dimension nouns do not take it ("nothing faster than 130").
fn neg_spent(cl: &Clause, j: usize) -> bool {
    let Some(n) = cl.neg_from else {
        return false;
    };
    cl.items.get(n + 1..j).is_some_and(|between| {
        between.iter().any(|x| {
            matches!(
                x.kind,
                ItemKind::Key(_)
                    | ItemKind::C(
                        Concept::Val { .. }
                            | Concept::Term { .. }
                            | Concept::Macro(_)
                            | Concept::Mode(_)
                    )
            )
        })
    })
}

/// Words between a modifier and its value that do not break the link ("drop the vocals").
fn is_article(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "the" | "an" | "some" | "any" | "those" | "these" | "all"
    )
}

/// A comparison word with no number after it ("not lower than now") is a direction.
fn bare_comparison(items: &[Item], i: usize, f: Flag) -> Option<Flag> {
    let numbered = items[i + 1..]
        .iter()
        .take(3)
        .any(|x| matches!(x.kind, ItemKind::Num(_) | ItemKind::NumRange(..)));
    match f {
        Flag::Below if !numbered => Some(Flag::Less),
        Flag::Above if !numbered => Some(Flag::More),
        _ => None,
    }
}

fn is_mod(f: Flag) -> bool {
    matches!(
        f,
        Flag::More
            | Flag::Less
            | Flag::High
            | Flag::Low
            | Flag::Medium
            | Flag::Keep
            | Flag::Change
            | Flag::Too
    )
}

fn delta_bounds(attr: Attr, up: bool, small: bool, large: bool) -> (f64, f64) {
    let (lo, hi) = if attr == Attr::Bpm {
        if small {
            (1.0, 3.0)
        } else if large {
            (6.0, 20.0)
        } else {
            (2.0, 8.0)
        }
    } else if small {
        (1.0, 2.0)
    } else if large {
        (3.0, 5.0)
    } else {
        (1.0, 3.0)
    };
    if up {
        (lo, hi)
    } else {
        (-hi, -lo)
    }
}

fn level_range(attr: Attr, f: Flag) -> Option<(Option<f64>, Option<f64>)> {
    Some(match (attr, f) {
        (Attr::Bpm, Flag::High) => (Some(130.0), None),
        (Attr::Bpm, Flag::Low) => (None, Some(110.0)),
        (Attr::Bpm, Flag::Medium) => (Some(115.0), Some(128.0)),
        (_, Flag::High) => (Some(7.0), Some(10.0)),
        (_, Flag::Low) => (Some(1.0), Some(4.0)),
        (_, Flag::Medium) => (Some(4.0), Some(7.0)),
        _ => return None,
    })
}

fn complement(attr: Attr, lo: Option<f64>, hi: Option<f64>) -> Option<(Option<f64>, Option<f64>)> {
    let (dlo, dhi) = attr.domain()?;
    let step = 1.0;
    match (lo, hi) {
        (Some(l), Some(h)) if l <= dlo => Some((Some((h + step).min(dhi)), None)),
        (Some(l), Some(h)) if h >= dhi => Some((None, Some((l - step).max(dlo)))),
        (None, Some(h)) => Some((Some((h + step).min(dhi)), None)),
        (Some(l), None) => Some((None, Some((l - step).max(dlo)))),
        _ => None,
    }
}

struct Clause<'a> {
    items: &'a [Item],
    strength: Strength,
    small: bool,
    large: bool,
    exact: bool,
    /// index from which heads are negated
    neg_from: Option<usize>,
    /// index where the negation ends ([`negation_end`])
    neg_until: usize,
    neg_soft: bool,
    /// mods attached to each item
    mods: Vec<Vec<Flag>>,
    /// items whose "less" is a verb that takes them away ("drop the vocals")
    removed: Vec<bool>,
    /// items negated by a post-positional negation (Korean "없이", "vocal-free")
    post_neg: Vec<bool>,
}

impl Clause<'_> {
    fn negated(&self, i: usize) -> bool {
        self.neg_from.is_some_and(|n| i > n && i < self.neg_until)
            || self.post_neg.get(i).copied().unwrap_or(false)
    }
    /// The strength of part `i` asked with "less" ([`less_is_a_wish`]; "drop the vocals" is
    /// a removal, not a wish).
    fn less_strength(&self, i: usize, neg: bool, st: Strength) -> Strength {
        less_is_a_wish(self.has_mod(i, Flag::Less) && !self.removed[i], neg, st)
    }
    fn has_mod(&self, i: usize, f: Flag) -> bool {
        self.mods.get(i).is_some_and(|m| m.contains(&f))
    }
    fn strength_at(&self, i: usize) -> Strength {
        if self.negated(i) && self.neg_soft {
            Strength::Soft
        } else {
            self.strength
        }
    }
}

fn push(acc: &mut Acc, attr: Attr, op: Op, strength: Strength, fuzzy: bool, side_effect: bool) {
    let mut c = Constraint {
        attr,
        op,
        strength,
        confidence: None,
        source: None,
    };
    if fuzzy {
        c.confidence = Some(0.8);
        c.source = Some("fuzzy".into());
    }
    acc.cands.push(Cand {
        c,
        side_effect,
        vague: false,
        situational: false,
        figure: None,
    });
}

/// A range named by a level word ("slow", "mid tempo", "high energy"), marked
/// [`Cand::vague`].
fn push_level(
    acc: &mut Acc,
    attr: Attr,
    min: Option<f64>,
    max: Option<f64>,
    st: Strength,
    fz: bool,
) {
    push(acc, attr, Op::Range { min, max }, st, fz, false);
    if let Some(c) = acc.cands.last_mut() {
        c.vague = true;
    }
}

/// The attributes a clause would constrain, read on its own and kept out of the prompt's
/// constraints: what "with or without …" and "… is fine" leave open.
fn attrs_named(items: &[Item]) -> Vec<Attr> {
    let mut sub = Acc::default();
    clause(items, &mut sub);
    sub.cands.into_iter().map(|c| c.c.attr).collect()
}

/// Where a negation at `n` stops: at "with" (con, mit, avec, featuring) once it has negated
/// something, so "no piano with strings" asks for strings; "nothing with vocals" and "no
/// tracks with piano" still negate what follows "with". The end of the clause otherwise.
fn negation_end(items: &[Item], n: usize) -> usize {
    let with = |x: &Item| {
        matches!(
            x.text.to_lowercase().as_str(),
            "with" | "featuring" | "feat" | "ft" | "con" | "mit" | "avec"
        )
    };
    (n + 1..items.len())
        .find(|&k| with(&items[k]) && items[n + 1..k].iter().any(is_head))
        .unwrap_or(items.len())
}

/// Interpret one clause.
pub(crate) fn clause(items: &[Item], acc: &mut Acc) {
    if items.is_empty() {
        return;
    }
    let flags: Vec<Option<Flag>> = items.iter().map(Item::flag).collect();
    if hedge_only(&flags) {
        acc.pending_hedge = true;
        return;
    }
    // "with or without vocals", "with and without vocals", "with/without a vocal": either
    // way is fine, so whatever the rest of the clause names stays open
    if let Some(k) = either_way(items) {
        clause(&items[..k], acc);
        for a in attrs_named(&items[k + 2..]) {
            if !acc.open.iter().any(|(o, _)| *o == a) {
                acc.open.push((a, "you said either way is fine".into()));
            }
        }
        return;
    }
    // "faster or slower", "slower or faster": both directions (the lexicon's "or slower" is a
    // trailing bound, but no figure precedes it), so the attribute stays open
    if let Some(k) = (1..items.len()).find(|&k| {
        matches!(items[k].flag(), Some(Flag::OrMore | Flag::OrLess))
            && matches!(
                items[k - 1].kind,
                ItemKind::C(Concept::Up(_) | Concept::Down(_))
            )
    }) {
        let ItemKind::C(Concept::Up(a) | Concept::Down(a)) = items[k - 1].kind else {
            return;
        };
        let rest: Vec<Item> = items
            .iter()
            .enumerate()
            .filter(|&(i, _)| i + 1 != k && i != k)
            .map(|(_, x)| x.clone())
            .collect();
        clause(&rest, acc);
        if !acc.open.iter().any(|(o, _)| *o == a) {
            acc.open.push((a, "you said either way is fine".into()));
        }
        return;
    }
    // "vocals are fine", "I don't mind a key change": allowed either way, so what the rest of
    // the clause names stays open
    if flags.contains(&Some(Flag::Permit)) {
        let rest: Vec<Item> = items
            .iter()
            .filter(|i| i.flag() != Some(Flag::Permit))
            .cloned()
            .collect();
        for a in attrs_named(&rest) {
            acc.allow(a);
        }
        return;
    }
    let hedge = flags.contains(&Some(Flag::Hedge)) || acc.pending_hedge;
    let neg_idx = flags
        .iter()
        .position(|f| matches!(f, Some(Flag::Neg | Flag::NegSoft)))
        .or_else(|| list_after_negated_phrase(items));
    let neg_soft = neg_idx.is_some_and(|i| flags[i] == Some(Flag::NegSoft));
    if flags.contains(&Some(Flag::Vague)) {
        acc.vague = true;
    }
    if flags.contains(&Some(Flag::Inject)) {
        acc.inject = true;
    }
    let heads: Vec<usize> = (0..items.len()).filter(|&i| is_head(&items[i])).collect();
    let mut mods = vec![Vec::new(); items.len()];
    let mut removed = vec![false; items.len()];
    let mut unattached = Vec::new();
    for (i, f) in flags.iter().enumerate() {
        let Some(f) = *f else { continue };
        let bare = bare_comparison(items, i, f);
        let f = bare.unwrap_or(f);
        if !is_mod(f) {
            continue;
        }
        match adjacent_head(items, i) {
            Some(h) => {
                mods[h].push(f);
                // "drop the vocals", "lose the hats": a verb that takes the part away
                if f == Flag::Less && is_removal(&items[i].text) {
                    removed[h] = true;
                }
                // "energy not lower": the negation belongs to the modifier
                if i > 0 && matches!(flags[i - 1], Some(Flag::Neg)) {
                    mods[h].push(Flag::Neg);
                }
            }
            None if bare.is_none() => unattached.push(f),
            None => {}
        }
    }
    let mut post_neg = vec![false; items.len()];
    for (i, f) in flags.iter().enumerate() {
        if *f == Some(Flag::NegPost) {
            if let Some(&h) = heads.iter().rev().find(|&&h| h < i) {
                post_neg[h] = true;
            }
        }
    }
    // A negation after the noun with nothing after it to negate: Korean word order ("보컬
    // 없이"), and terse lists ("vocals: no", "vocals=none")
    // ("fast enough" is not this: "enough" only negates what follows it, "enough techno")
    if let Some(n) = neg_idx.filter(|&n| !items[n].text.eq_ignore_ascii_case("enough")) {
        if !heads.iter().any(|&h| h > n) {
            if let Some(&h) = heads.iter().rev().find(|&&h| h < n) {
                post_neg[h] = true;
            }
        }
    }
    let cl = Clause {
        items,
        strength: if hedge {
            Strength::Soft
        } else {
            Strength::Hard
        },
        small: flags.contains(&Some(Flag::Small)),
        large: flags.contains(&Some(Flag::Large)),
        exact: flags.contains(&Some(Flag::Exact)),
        neg_from: neg_idx,
        neg_until: neg_idx.map_or(items.len(), |n| negation_end(items, n)),
        neg_soft,
        mods,
        removed,
        post_neg,
    };
    let before = acc.cands.len();
    let before_ood = acc.ood.len();
    let nums = numbers(&cl, acc);
    let mut keys: Vec<(String, bool, bool)> = Vec::new(); // (camelot, negated, fuzzy)
    let mut relative = flags.contains(&Some(Flag::Relative));
    let named_key_or = has_or(items) && items.iter().any(|x| matches!(x.kind, ItemKind::Key(_)));
    for &h in &heads {
        let it = &items[h];
        let neg = cl.negated(h);
        let st = cl.strength_at(h);
        let fz = it.fuzzy;
        match &it.kind {
            ItemKind::Key(k) => keys.push((k.camelot(), neg, fz)),
            ItemKind::Num(_) | ItemKind::NumRange(..) => {}
            ItemKind::C(c) => match c {
                // "doesn't have to be in key": the key is left open, not asked to be
                // compatible (a negation spent on a value before it, "no piano in key", is
                // not this)
                Concept::Word(Flag::Compat) if neg && !neg_spent(&cl, h) => {
                    relative = false;
                    acc.allow(Attr::Key);
                }
                // "8A or its relative", "Am or the adjacent key": the named key's neighbours
                // (added with the keys below), not the current track's
                Concept::Word(Flag::Compat) if relative && named_key_or => {}
                Concept::Word(Flag::Compat) => {
                    let ms = if relative { 0.9 } else { 0.6 };
                    relative = false;
                    push(
                        acc,
                        Attr::Key,
                        Op::Compatible { min_score: ms },
                        st,
                        fz,
                        false,
                    );
                }
                Concept::Word(Flag::By) => {
                    let mut parts: Vec<&Item> = items[h + 1..]
                        .iter()
                        .take_while(|x| {
                            !matches!(x.flag(), Some(Flag::Boundary | Flag::Later | Flag::Hedge))
                                && !is_head(x)
                        })
                        .collect();
                    // "by Four Tet please": trailing filler is not part of the name
                    while parts.last().is_some_and(|x| x.flag().is_some()) {
                        parts.pop();
                    }
                    // "by Four Tet or Floating Points": two names ("and", "&" stay inside
                    // a name: "Above and Beyond", "Chase & Status")
                    let names: Vec<String> = parts
                        .split(|x| is_or(x))
                        .map(|p| {
                            p.iter()
                                .map(|x| x.text.as_str())
                                .collect::<Vec<_>>()
                                .join(" ")
                                .trim()
                                .to_string()
                        })
                        .filter(|n| !n.is_empty() && n.chars().count() <= 80)
                        .collect();
                    if !names.is_empty() {
                        let op = if neg {
                            Op::NotIn { values: names }
                        } else {
                            Op::In { values: names }
                        };
                        push(acc, Attr::Artist, op, st, false, false);
                    }
                }
                Concept::Word(_) => {}
                Concept::Mode(m) => {
                    let m = if neg {
                        if *m == "minor" {
                            "major"
                        } else {
                            "minor"
                        }
                    } else {
                        m
                    };
                    if relative {
                        push(
                            acc,
                            Attr::Key,
                            Op::Compatible { min_score: 0.9 },
                            st,
                            fz,
                            false,
                        );
                    }
                    push(
                        acc,
                        Attr::Key,
                        Op::Mode {
                            value: m.to_string(),
                        },
                        st,
                        fz,
                        false,
                    );
                }
                Concept::Val {
                    attr,
                    value,
                    negated,
                } => {
                    let less = cl.has_mod(h, Flag::Less);
                    let more = cl.has_mod(h, Flag::More);
                    // "too dark": not dark
                    let negv = (neg || cl.has_mod(h, Flag::Too)) ^ *negated ^ less;
                    if *attr == Attr::Vibe && more && !neg {
                        cmp(acc, *attr, value, false, st, fz);
                    } else if *attr == Attr::Artist && !negv && sounds_like(items, h) {
                        // "something like Four Tet": that sound, not only that artist's tracks
                        value_constraint(acc, *attr, value, false, Strength::Soft, fz);
                    } else if *attr == Attr::Artist && after_before(items, h) {
                        // "after Amelie Lens, something like Ben Klock": what plays now. Kept
                        // as a situational candidate (finish() drops it) so the clause counts
                        // as understood and the semantic fallback does not guess at it.
                        value_constraint(acc, *attr, value, negv, st, fz);
                        if let Some(c) = acc.cands.last_mut() {
                            c.situational = true;
                        }
                    } else {
                        value_constraint(acc, *attr, value, negv, cl.less_strength(h, neg, st), fz);
                    }
                }
                Concept::Cmp { attr, value } => {
                    let negv = neg ^ cl.has_mod(h, Flag::Less);
                    cmp(acc, *attr, value, negv, st, fz);
                }
                Concept::Term { attr, word } => {
                    let less = cl.has_mod(h, Flag::Less);
                    let negv = (neg || cl.has_mod(h, Flag::Too)) ^ less;
                    let st = cl.less_strength(h, neg, st);
                    // the kit is in nearly every dance track: "drums" asks for nothing unless
                    // it says none, more or less ("no drums", "more drums"), so "half-time
                    // drums" is a tempo feel and not a call for percussion
                    if word == "percussion"
                        && it.text.to_lowercase().starts_with("drum")
                        && !negv
                        && !cl.has_mod(h, Flag::More)
                    {
                        continue;
                    }
                    let op = if negv {
                        Op::NotContains {
                            values: vec![word.clone()],
                        }
                    } else {
                        Op::Contains {
                            values: vec![word.clone()],
                        }
                    };
                    push(acc, *attr, op, st, fz, false);
                }
                Concept::Up(attr) | Concept::Down(attr) => {
                    let up = matches!(c, Concept::Up(_));
                    directional(&cl, acc, *attr, up, neg, st, fz, &nums);
                }
                Concept::Range { attr, lo, hi } => {
                    let low_level = *lo == Some(1.0) || (lo.is_none() && hi.is_some());
                    if cl.has_mod(h, Flag::Too) && !neg {
                        // "too fast" = slower, "too gentle" = more energy ("avoid anything
                        // too fast" is the plain negation below)
                        directional(&cl, acc, *attr, low_level, neg, st, fz, &nums);
                    } else if cl.has_mod(h, Flag::More) || cl.has_mod(h, Flag::Less) {
                        let up = cl.has_mod(h, Flag::More);
                        let up = if *lo == Some(1.0) || (lo.is_none() && hi.is_some()) {
                            !up
                        } else {
                            up
                        };
                        directional(&cl, acc, *attr, up, neg, st, fz, &nums);
                    } else {
                        let (l, u) = if neg {
                            complement(*attr, *lo, *hi).unwrap_or((*lo, *hi))
                        } else {
                            (*lo, *hi)
                        };
                        if !(neg && l == *lo && u == *hi) {
                            push_level(acc, *attr, l, u, st, fz);
                        }
                    }
                }
                Concept::Dim(attr) => dim(&cl, acc, h, *attr, neg, st, fz, &nums),
                // "bring it down to 120 bpm": the destination names what comes down
                Concept::Macro(_)
                    if !neg
                        && nums.iter().any(|n| {
                            n.dest && (n.context || (n.attr == Attr::Bpm && n.value >= 40.0))
                        }) => {}
                Concept::Macro(m) => macro_(acc, m, neg, cl.small, st, fz),
            },
            _ => {}
        }
    }
    if !keys.is_empty() {
        let mut pos: Vec<String> = keys.iter().filter(|k| !k.1).map(|k| k.0.clone()).collect();
        // "8A or relative", "Am or adjacent" (a "relative" no compat word or mode took)
        if relative && has_or(items) {
            add_neighbours(&mut pos, items);
        }
        let negs: Vec<String> = keys.iter().filter(|k| k.1).map(|k| k.0.clone()).collect();
        let fz = keys.iter().any(|k| k.2);
        if !pos.is_empty() {
            push(
                acc,
                Attr::Key,
                Op::In { values: dedup(pos) },
                cl.strength,
                fz,
                false,
            );
        }
        if !negs.is_empty() {
            push(
                acc,
                Attr::Key,
                Op::NotIn {
                    values: dedup(negs),
                },
                cl.strength,
                fz,
                false,
            );
        }
    }
    // Numbers that no dimension or comparative claimed.
    for n in nums.iter().filter(|n| !n.used.get()) {
        number_constraint(&cl, acc, n);
    }
    // "turn it down a tad", "crank it": direction with nothing to attach to -> energy.
    let numeric_here = acc.cands[before..]
        .iter()
        .any(|c| c.c.attr.kind() == AttrKind::Numeric && !c.side_effect);
    if !numeric_here {
        let up = unattached.contains(&Flag::More);
        let down = unattached.contains(&Flag::Less);
        if up != down {
            let neg = neg_idx.is_some();
            let (lo, hi) = delta_bounds(Attr::Energy, up, cl.small, cl.large);
            let op = if neg {
                if up {
                    Op::Delta {
                        min: None,
                        max: Some(0.0),
                    }
                } else {
                    Op::Delta {
                        min: Some(0.0),
                        max: None,
                    }
                }
            } else {
                Op::Delta {
                    min: Some(lo),
                    max: Some(hi),
                }
            };
            push(
                acc,
                Attr::Energy,
                op,
                cl.strength,
                items.iter().any(|i| i.fuzzy),
                false,
            );
        }
    }
    // "take it down a notch, we're losing them": the state of the room is the reason, and
    // what it implies counts only when the prompt asks for nothing outright
    if flags.contains(&Some(Flag::Situation)) {
        for c in &mut acc.cands[before..] {
            c.situational = true;
        }
    }
    // "we're at 124, something faster", "we just played Bicep": the figure, key or artist
    // describes the set so far
    if flags.contains(&Some(Flag::Current)) {
        for c in &mut acc.cands[before..] {
            if c.figure.is_some()
                || c.c.attr == Attr::Artist
                || matches!(c.c.op, Op::In { .. } if c.c.attr == Attr::Key)
            {
                c.situational = true;
            }
        }
    }
    if acc.cands.len() > before {
        acc.pending_hedge = false;
        acc.last_clause = before..acc.cands.len();
    }
    if acc.cands.len() == before && acc.ood.len() == before_ood {
        let has_words = items.iter().any(|i| matches!(i.kind, ItemKind::Unknown))
            && !flags.contains(&Some(Flag::Vague));
        if has_words {
            let text: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
            acc.unexplained.push(text.join(" "));
        }
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Verbs among the "less" words that take a part away rather than turn it down.
fn is_removal(w: &str) -> bool {
    matches!(w.to_lowercase().as_str(), "drop" | "drops" | "dropping")
}

/// "less vocals", "fewer hats", "lighter on the low end": a track without them has less of
/// them, but so does one where they are quieter or shorter, so leaving them out is a wish
/// (soft), not a requirement. "More vocals" still needs vocals, and "no vocals" is plain.
fn less_is_a_wish(less: bool, neg: bool, st: Strength) -> Strength {
    if less && !neg {
        Strength::Soft
    } else {
        st
    }
}

/// "after X", "after this X": item `h` follows "after".
fn after_before(items: &[Item], h: usize) -> bool {
    let det = |x: &Item| matches!(x.text.to_lowercase().as_str(), "this" | "that" | "the");
    h > 0 && (is_after(&items[h - 1]) || (h > 1 && det(&items[h - 1]) && is_after(&items[h - 2])))
}

fn is_artist(x: &Item) -> bool {
    matches!(
        x.kind,
        ItemKind::C(Concept::Val {
            attr: Attr::Artist,
            ..
        })
    )
}

/// "after", "after that", "after this": the artist that follows is what plays now.
fn is_after(x: &Item) -> bool {
    let t = x.text.to_lowercase();
    t == "after" || t.starts_with("after ")
}

/// "like X", "in the style of X", "sounds like X", "X vibes": the value is a reference.
fn sounds_like(items: &[Item], h: usize) -> bool {
    let text = |i: usize| items.get(i).map(|x| x.text.to_lowercase());
    let before = h.checked_sub(1).and_then(text);
    let before2 = h.checked_sub(2).and_then(text);
    before
        .as_deref()
        .is_some_and(|b| b == "a la" || (b.ends_with("like") && !b.ends_with("unlike")))
        || matches!(
            (before2.as_deref(), before.as_deref()),
            (
                Some("style" | "vein" | "spirit" | "mold" | "mould"),
                Some("of")
            ) | (Some("similar"), Some("to"))
                | (Some("akin"), Some("to"))
        )
        || matches!(
            text(h + 1).as_deref(),
            Some("vibes" | "vibe" | "style" | "esque" | "ish" | "type" | "sound" | "like")
        )
}

fn value_constraint(acc: &mut Acc, attr: Attr, value: &str, neg: bool, st: Strength, fz: bool) {
    let op = if neg {
        Op::NotIn {
            values: vec![value.to_string()],
        }
    } else {
        Op::In {
            values: vec![value.to_string()],
        }
    };
    push(acc, attr, op, st, fz, false);
    if attr == Attr::Subgenre && !neg {
        if let Some(g) = vocab::parent_genre(value) {
            push(
                acc,
                Attr::Genre,
                Op::In {
                    values: vec![g.to_string()],
                },
                st,
                fz,
                false,
            );
        }
    }
}

/// Comparative closed value with the spec's side effects.
fn cmp(acc: &mut Acc, attr: Attr, value: &str, neg: bool, st: Strength, fz: bool) {
    value_constraint(acc, attr, value, neg, st, fz);
    if neg || attr != Attr::Vibe {
        return;
    }
    match value {
        // "darker": energy may drop slightly
        "dark" => push(
            acc,
            Attr::Energy,
            Op::Delta {
                min: Some(-2.0),
                max: Some(0.0),
            },
            Strength::Soft,
            fz,
            true,
        ),
        // "more aggressive": vibe aggressive + energy up
        "aggressive" => push(
            acc,
            Attr::Energy,
            Op::Delta {
                min: Some(1.0),
                max: Some(3.0),
            },
            st,
            fz,
            true,
        ),
        _ => {}
    }
}

/// A narrative macro; `small` ("a notch", "a bit") makes "drop" a small step down rather
/// than the wind-down of the close ("bring it down a notch").
fn macro_(acc: &mut Acc, name: &str, neg: bool, small: bool, st: Strength, fz: bool) {
    if neg && name != "flow" {
        return;
    }
    match name {
        "build" => push(
            acc,
            Attr::Energy,
            Op::Delta {
                min: Some(1.0),
                max: Some(2.0),
            },
            st,
            fz,
            false,
        ),
        "drop" => {
            push(
                acc,
                Attr::Energy,
                Op::Delta {
                    min: Some(if small { -2.0 } else { -3.0 }),
                    max: Some(-1.0),
                },
                st,
                fz,
                false,
            );
            if small {
                return;
            }
            push(
                acc,
                Attr::Intensity,
                Op::In {
                    values: vec!["closer".into()],
                },
                st,
                fz,
                false,
            );
        }
        "flow" => {
            push(
                acc,
                Attr::Energy,
                Op::Keep {
                    tolerance: Some(1.0),
                    tolerance_pct: None,
                },
                st,
                fz,
                false,
            );
            push(
                acc,
                Attr::Vibe,
                Op::Keep {
                    tolerance: None,
                    tolerance_pct: None,
                },
                st,
                fz,
                false,
            );
            push(
                acc,
                Attr::Danceability,
                Op::Range {
                    min: Some(7.0),
                    max: Some(10.0),
                },
                st,
                fz,
                false,
            );
        }
        "like_this" => push(
            acc,
            Attr::Genre,
            Op::Keep {
                tolerance: None,
                tolerance_pct: None,
            },
            Strength::Soft,
            fz,
            true,
        ),
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn directional(
    cl: &Clause,
    acc: &mut Acc,
    attr: Attr,
    up: bool,
    neg: bool,
    st: Strength,
    fz: bool,
    nums: &[Num],
) {
    if attr.kind() != AttrKind::Numeric {
        return;
    }
    // "push the tempo to 126": the target says it all (and a delta could contradict it
    // when the current track is already past the target)
    if !neg
        && nums
            .iter()
            .any(|n| n.dest && n.attr == attr && !n.used.get())
    {
        return;
    }
    // An explicit figure: "+4 bpm", "5% faster", "up 3 bpm".
    if let Some(n) = nums
        .iter()
        .find(|n| !n.used.get() && (n.pct || n.bpm_unit || n.sign.is_some()) && n.attr == attr)
    {
        n.used.set(true);
        let v = n.value.abs();
        let limit = if n.pct {
            50.0
        } else if attr == Attr::Bpm {
            40.0
        } else {
            9.0
        };
        if v > limit {
            acc.ood.push((
                attr,
                format!(
                    "a change of {}{} is too large",
                    fmt_num(v),
                    if n.pct { "%" } else { "" }
                ),
            ));
            return;
        }
        let sgn = match n.sign {
            Some(s) => s,
            None => {
                if up {
                    1.0
                } else {
                    -1.0
                }
            }
        };
        // "no more than 4 bpm faster", "up to 5% slower": a bound on the change, from no
        // change to the figure; "at least 4 bpm faster": the figure or more. Otherwise the
        // figure itself (percent figures ±0.5).
        let (min, max) = match n.range {
            // "2-4 bpm faster", "3 to 5% slower": the change is the range, that way
            Some((a, b)) if n.sign.is_none() && a >= 0.0 && b <= limit => {
                if up {
                    (Some(a), Some(b))
                } else {
                    (Some(-b), Some(-a))
                }
            }
            _ => change_bounds(sgn * v, n),
        };
        let op = if n.pct && attr == Attr::Bpm {
            Op::DeltaPct { min, max }
        } else {
            Op::Delta { min, max }
        };
        push(acc, attr, op, st, fz, false);
        return;
    }
    let op = if neg && cl.large {
        // "not much faster", "not too much more energy": at most a small step that way
        let (lo, hi) = delta_bounds(attr, up, true, false);
        Op::Delta {
            min: Some(lo.min(0.0)),
            max: Some(hi.max(0.0)),
        }
    } else if neg {
        if up {
            Op::Delta {
                min: None,
                max: Some(0.0),
            }
        } else {
            Op::Delta {
                min: Some(0.0),
                max: None,
            }
        }
    } else {
        let (lo, hi) = delta_bounds(attr, up, cl.small, cl.large);
        Op::Delta {
            min: Some(lo),
            max: Some(hi),
        }
    };
    push(acc, attr, op, st, fz, false);
}

/// The bounds of an explicit change `c` (signed, in the attribute's units or percent):
/// "no more than 4 bpm faster", "up to 5% slower" run from no change to the figure; "at
/// least 2 more energy" is the figure or more; otherwise the figure itself (percent figures
/// ±0.5).
/// Half the width of an exact percent change ("+3%" = +2.5…+3.5 %, spec §3.4).
const PCT_HALF_WIDTH: f64 = 0.5;

fn change_bounds(c: f64, n: &Num) -> (Option<f64>, Option<f64>) {
    let half = if n.pct { PCT_HALF_WIDTH } else { 0.0 };
    match n.op {
        Some(Flag::AtMost | Flag::Below) if !n.negated => (Some(c.min(0.0)), Some(c.max(0.0))),
        Some(Flag::AtLeast | Flag::Above) if !n.negated => {
            if c > 0.0 {
                (Some(c), None)
            } else {
                (None, Some(c))
            }
        }
        _ => (Some(c - half), Some(c + half)),
    }
}

#[allow(clippy::too_many_arguments)]
fn dim(
    cl: &Clause,
    acc: &mut Acc,
    h: usize,
    attr: Attr,
    neg: bool,
    st: Strength,
    fz: bool,
    nums: &[Num],
) {
    let keep = cl.has_mod(h, Flag::Keep);
    let change = cl.has_mod(h, Flag::Change);
    match attr.kind() {
        AttrKind::Numeric => {
            let neg = neg || cl.has_mod(h, Flag::Neg);
            // "energy is too high" = less energy
            if cl.has_mod(h, Flag::Too) && (cl.has_mod(h, Flag::High) || cl.has_mod(h, Flag::Low)) {
                let up = cl.has_mod(h, Flag::Low);
                directional(cl, acc, attr, up, neg, st, fz, nums);
                return;
            }
            let more = cl.has_mod(h, Flag::More);
            let less = cl.has_mod(h, Flag::Less);
            if more != less {
                directional(cl, acc, attr, more, neg, st, fz, nums);
                return;
            }
            // numbers bound to this dimension are handled by `numbers`
            if nums.iter().any(|n| n.attr == attr && !n.used.get()) {
                return;
            }
            for f in [Flag::High, Flag::Low, Flag::Medium] {
                if cl.has_mod(h, f) {
                    if let Some((lo, hi)) = level_range(attr, f) {
                        let (lo, hi) = if neg {
                            complement(attr, lo, hi).unwrap_or((lo, hi))
                        } else {
                            (lo, hi)
                        };
                        push_level(acc, attr, lo, hi, st, fz);
                    }
                    return;
                }
            }
            // "keep the energy" and "don't change the energy" both hold it.
            if (keep && !neg) || (change && neg) {
                let tol = if cl.exact {
                    0.0
                } else if attr == Attr::Bpm {
                    2.0
                } else {
                    1.0
                };
                push(
                    acc,
                    attr,
                    Op::Keep {
                        tolerance: Some(tol),
                        tolerance_pct: None,
                    },
                    st,
                    fz,
                    false,
                );
            }
        }
        AttrKind::Key | AttrKind::Closed | AttrKind::Open => {
            let k = Op::Keep {
                tolerance: None,
                tolerance_pct: None,
            };
            if keep {
                push(acc, attr, if neg { Op::Differs } else { k }, st, fz, false);
            } else if change {
                push(acc, attr, if neg { k } else { Op::Differs }, st, fz, false);
            }
        }
        _ => {}
    }
}

#[derive(Debug)]
pub(crate) struct Num {
    pub value: f64,
    pub range: Option<(f64, f64)>,
    pub attr: Attr,
    pub op: Option<Flag>,
    pub pct: bool,
    pub bpm_unit: bool,
    pub sign: Option<f64>,
    pub negated: bool,
    pub context: bool,
    /// A destination: "push the tempo to 126", "take it up to 128". The comparative that
    /// leads there is implied by the target and adds no constraint of its own.
    pub dest: bool,
    pub used: std::cell::Cell<bool>,
}

/// Read the numbers of a clause with their operators and the attribute they bind to.
fn numbers(cl: &Clause, _acc: &mut Acc) -> Vec<Num> {
    let items = cl.items;
    let mut out = Vec::new();
    for (j, it) in items.iter().enumerate() {
        let (value, range) = match it.kind {
            ItemKind::Num(v) => (v, None),
            ItemKind::NumRange(a, b) => (a, Some((a, b))),
            _ => continue,
        };
        // "under 5 minutes", "a 30 second intro": a duration, which the constraint language
        // has no attribute for; never a tempo or a 1–10 scale
        if items
            .get(j + 1)
            .is_some_and(|x| x.flag() == Some(Flag::Duration))
        {
            continue;
        }
        let mut op = None;
        let mut sign = None;
        let mut context = false;
        let mut explicit = false;
        let mut dest = false;
        // "don't go up to 130", "don't push it up to 130": a destination not to reach, i.e.
        // stay under it (not "at least 131", the negation of the bound "up to")
        let mut short_of = false;
        // the numeric dimension named right before the figure ("energy 15")
        let mut named: Option<Attr> = None;
        // look back over at most 3 items
        let mut k = j;
        let mut steps = 0;
        while k > 0 && steps < 3 {
            k -= 1;
            steps += 1;
            match (&items[k].kind, items[k].flag()) {
                (_, Some(Flag::Stop | Flag::Neg | Flag::NegSoft | Flag::Hedge)) => continue,
                // "to 126" after a verb of motion, "take it up to 128": where to go
                // (under a negation, "don't go up to 130", see `short_of`)
                (_, Some(Flag::To)) if !cl.negated(j) => {
                    dest = true;
                    break;
                }
                (_, Some(Flag::UpTo)) if !cl.negated(j) && motion_before(items, k) => {
                    dest = true;
                    break;
                }
                (_, Some(Flag::UpTo)) if motion_before(items, k) => {
                    op = Some(Flag::Below);
                    context = true;
                    short_of = true;
                    break;
                }
                (
                    _,
                    Some(
                        f @ (Flag::Below
                        | Flag::UpTo
                        | Flag::Above
                        | Flag::AtMost
                        | Flag::AtLeast
                        | Flag::OrMore
                        | Flag::OrLess
                        | Flag::About
                        | Flag::At),
                    ),
                ) => {
                    // "N or over" is at-least, but "under 125 or over 130" starts a new
                    // bound: "or over" / "and under" right before this number is a plain
                    // comparative of it
                    let f = match f {
                        Flag::OrMore if k + 1 == j => Flag::Above,
                        Flag::OrLess if k + 1 == j => Flag::Below,
                        f => at_bound(f),
                    };
                    if op.is_none() {
                        op = Some(f);
                    }
                    context = true;
                }
                (_, Some(Flag::Between)) => continue,
                (ItemKind::Sym('~'), _) => {
                    op = op.or(Some(Flag::About));
                    context = true;
                }
                (ItemKind::Sym('+'), _) => {
                    sign = Some(1.0);
                    break;
                }
                (ItemKind::Sym('-'), _)
                    if k == 0
                        || matches!(
                            items[k - 1].flag(),
                            Some(Flag::Boundary | Flag::Later | Flag::Stop)
                        )
                        || matches!(
                            items[k - 1].kind,
                            ItemKind::C(Concept::Word(_) | Concept::Dim(_))
                        ) =>
                {
                    // "energy -1", "bpm -3": after the dimension it is a change
                    sign = Some(-1.0);
                    break;
                }
                // ">= 7", "<= 125": inclusive bounds; "bpm=128": the figure itself
                (ItemKind::Sym('='), _) => {
                    context = true;
                    match k.checked_sub(1).map(|p| &items[p].kind) {
                        Some(ItemKind::Sym('>')) => op = op.or(Some(Flag::AtLeast)),
                        Some(ItemKind::Sym('<')) => op = op.or(Some(Flag::AtMost)),
                        _ => continue,
                    }
                    k -= 1;
                }
                (ItemKind::Sym('<'), _) => {
                    op = op.or(Some(Flag::Below));
                    context = true;
                }
                (ItemKind::Sym('>'), _) => {
                    op = op.or(Some(Flag::Above));
                    context = true;
                }
                (ItemKind::Sym('±'), _) | (_, Some(Flag::Within)) => {
                    op = op.or(Some(Flag::Keep));
                    context = true;
                }
                // "bpm 128", "no higher than energy 6": the dimension between the bound
                // and its figure
                (ItemKind::C(Concept::Dim(a)), _) if a.kind() == AttrKind::Numeric => {
                    context = true;
                    named = Some(*a);
                    continue;
                }
                (ItemKind::Sym(':'), _) => {
                    context = true;
                    continue;
                }
                (ItemKind::C(Concept::Word(Flag::By)), _) => {
                    // "up the bpm by 2": an explicit figure for the comparative
                    explicit = true;
                    break;
                }
                (ItemKind::C(Concept::Word(Flag::More)), _) if sign.is_none() => {
                    sign = Some(1.0);
                    break;
                }
                (ItemKind::C(Concept::Word(Flag::Less)), _) if sign.is_none() => {
                    sign = Some(-1.0);
                    break;
                }
                _ => break,
            }
        }
        // look forward
        let mut pct = false;
        let mut bpm_unit = false;
        let unit_at = |k: usize| items.get(k).is_some_and(|x| is_pct(x) || is_bpm(x));
        // "2 more energy": a numeric 1–10 scale right after the comparative, the figure a
        // plausible step on it
        let small_step_of = |k: usize| {
            range.is_none()
                && value <= 9.0
                && items.get(k).is_some_and(|x| {
                    matches!(&x.kind, ItemKind::C(Concept::Dim(a))
                        if a.kind() == AttrKind::Numeric && *a != Attr::Bpm)
                })
        };
        for (k2, it2) in items.iter().enumerate().skip(j + 1).take(3) {
            match (&it2.kind, it2.flag()) {
                _ if is_pct(it2) => pct = true,
                _ if is_bpm(it2) => bpm_unit = true,
                // "two more bpm", "a couple of bpm more", "5% less": a signed figure
                // ("at least 2 more energy": the bound applies to the change)
                (ItemKind::C(Concept::Word(f @ (Flag::More | Flag::Less))), _)
                    if sign.is_none()
                        && matches!(op, None | Some(Flag::AtLeast | Flag::AtMost))
                        && range.is_none()
                        && value <= 40.0
                        && (unit_at(k2 + 1)
                            || small_step_of(k2 + 1)
                            || ((pct || bpm_unit) && !items.get(k2 + 1).is_some_and(is_head))) =>
                {
                    sign = Some(if *f == Flag::More { 1.0 } else { -1.0 });
                    if pct || bpm_unit {
                        break;
                    }
                }
                // "2 more bpm", "a couple more energy" (lexed as one comparative): a figure
                // right before the comparative is its size, if it is a plausible step
                (ItemKind::C(c @ (Concept::Up(a) | Concept::Down(a))), _)
                    if k2 == j + 1
                        && sign.is_none()
                        && matches!(op, None | Some(Flag::AtLeast | Flag::AtMost))
                        && range.is_none()
                        && a.kind() == AttrKind::Numeric
                        && value <= if *a == Attr::Bpm { 20.0 } else { 9.0 } =>
                {
                    sign = Some(if matches!(c, Concept::Up(_)) {
                        1.0
                    } else {
                        -1.0
                    });
                    if *a == Attr::Bpm {
                        bpm_unit = true;
                    }
                    break;
                }
                (_, Some(Flag::About)) => op = Some(Flag::About),
                // "120 or more"; but in "under 110 and over 140" the "and over" starts
                // the next bound, not this one
                (
                    _,
                    Some(
                        f @ (Flag::AtMost
                        | Flag::UpTo
                        | Flag::AtLeast
                        | Flag::OrMore
                        | Flag::OrLess),
                    ),
                ) => {
                    if !matches!(
                        op,
                        Some(Flag::Below | Flag::Above | Flag::AtMost | Flag::AtLeast)
                    ) {
                        op = Some(at_bound(f));
                    }
                    break;
                }
                (ItemKind::Sym('+'), _) => {
                    op = Some(Flag::AtLeast);
                    break;
                }
                (_, Some(Flag::Stop)) => continue,
                _ => break,
            }
        }
        // binding: a numeric dimension word nearby, else bpm
        let mut attr = Attr::Bpm;
        if value <= 10.0 && range.is_none_or(|(_, b)| b <= 10.0) && !bpm_unit && !pct {
            let mut best: Option<(usize, Attr)> = None;
            for (k, it2) in items.iter().enumerate() {
                let a = match &it2.kind {
                    ItemKind::C(Concept::Dim(a) | Concept::Up(a) | Concept::Down(a)) => *a,
                    ItemKind::C(Concept::Range { attr, .. }) => *attr,
                    _ => continue,
                };
                if a.kind() == AttrKind::Numeric && a != Attr::Bpm {
                    let d = k.abs_diff(j);
                    if d <= 4 && best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, a));
                    }
                }
            }
            if let Some((_, a)) = best {
                attr = a;
                context = true;
            }
        } else if let Some(a) =
            named.filter(|_| !bpm_unit && !pct && !(60.0..=200.0).contains(&value))
        {
            // "energy 15": out of range on the scale it names, not a tempo of 15 (but
            // "energy 128" is read as energy and a tempo)
            attr = a;
        }
        if bpm_unit
            || items
                .iter()
                .any(|x| matches!(x.kind, ItemKind::C(Concept::Dim(Attr::Bpm))))
        {
            context = true;
        }
        out.push(Num {
            value,
            range,
            attr,
            op,
            pct,
            bpm_unit: bpm_unit || explicit,
            sign,
            negated: cl.negated(j) && !short_of && !neg_spent(cl, j),
            context,
            dest,
            used: std::cell::Cell::new(false),
        });
    }
    out
}

/// The bound a trailing "or more" / "or less" gives the number before it.
fn at_bound(f: Flag) -> Flag {
    match f {
        Flag::OrMore => Flag::AtLeast,
        Flag::OrLess | Flag::UpTo => Flag::AtMost,
        f => f,
    }
}

/// A verb of motion before item `k` of the clause ("take it up to", "crank it up to", "go up
/// to"), which makes "up to" a destination rather than a bound.
fn motion_before(items: &[Item], k: usize) -> bool {
    const VERBS: &[&str] = &[
        "bring", "take", "go", "get", "move", "build", "climb", "head", "turn", "ramp", "kick",
        "push", "crank", "pump", "bump", "step", "lift", "raise", "speed", "jump", "creep",
    ];
    items[..k].iter().any(|x| {
        matches!(
            x.kind,
            ItemKind::C(Concept::Up(_) | Concept::Down(_) | Concept::Word(Flag::More))
        ) || x
            .text
            .split_whitespace()
            .next()
            .is_some_and(|w| VERBS.contains(&w.to_lowercase().as_str()))
    })
}

/// A percent unit ("%", "percent").
fn is_pct(x: &Item) -> bool {
    x.flag() == Some(Flag::Pct) || matches!(x.kind, ItemKind::Sym('%'))
}

/// The bpm unit / tempo noun.
fn is_bpm(x: &Item) -> bool {
    matches!(x.kind, ItemKind::C(Concept::Dim(Attr::Bpm)))
}

/// "a little faster, like 2 bpm", "faster, 3%": an unsigned tempo figure in a clause of its
/// own sizes the last tempo change (one direction, both bounds) asked for before it, in BPM
/// or percent. False when there is no such change to size.
fn size_previous_change(acc: &mut Acc, n: &Num) -> bool {
    let Some(c) = acc.cands.iter_mut().rev().find(|c| {
        c.c.attr == Attr::Bpm
            && matches!(c.c.op, Op::Delta { min: Some(a), max: Some(b) } if a * b > 0.0)
    }) else {
        return false;
    };
    let Op::Delta { min: Some(a), .. } = c.c.op else {
        return false;
    };
    // "2-3 bpm": the change runs over the range, in the asked direction
    let (lo, hi) = n.range.unwrap_or((n.value, n.value));
    let half = if n.pct && n.range.is_none() {
        PCT_HALF_WIDTH
    } else {
        0.0
    };
    let (lo, hi) = if a > 0.0 {
        (lo - half, hi + half)
    } else {
        (-hi - half, -lo + half)
    };
    c.c.op = if n.pct {
        Op::DeltaPct {
            min: Some(lo),
            max: Some(hi),
        }
    } else {
        Op::Delta {
            min: Some(lo),
            max: Some(hi),
        }
    };
    true
}

fn number_constraint(cl: &Clause, acc: &mut Acc, n: &Num) {
    let attr = n.attr;
    let st = cl.strength;
    let Some((dlo, dhi)) = attr.domain() else {
        return;
    };
    // "+1 on the camelot wheel", "-2 in key": a signed step on the wheel, not a tempo change
    // (the wheel move itself is the key constraint)
    let key_move = cl
        .items
        .iter()
        .any(|x| matches!(x.flag(), Some(Flag::Compat | Flag::Relative)));
    if key_move
        && n.sign.is_some()
        && n.range.is_none()
        && n.value <= 12.0
        && attr == Attr::Bpm
        && !n.bpm_unit
        && !n.context
        && !n.pct
    {
        return;
    }
    // relative figures without a comparative: "+4 bpm", "-2 energy", "+5%"
    if let Some(s) = n.sign {
        let limit = if n.pct {
            50.0
        } else if attr == Attr::Bpm {
            40.0
        } else {
            9.0
        };
        if n.range.is_none() && n.value > limit && (n.pct || n.bpm_unit) {
            acc.ood.push((
                attr,
                format!(
                    "a change of {}{} is too large",
                    fmt_num(n.value),
                    if n.pct { "%" } else { "" }
                ),
            ));
            return;
        }
        if n.range.is_none()
            && n.value <= limit
            && (n.pct || n.bpm_unit || attr != Attr::Bpm || n.value <= 20.0)
        {
            let (min, max) = change_bounds(s * n.value, n);
            if n.pct {
                push(acc, Attr::Bpm, Op::DeltaPct { min, max }, st, false, false);
            } else {
                push(acc, attr, Op::Delta { min, max }, st, false, false);
            }
            return;
        }
    }
    if n.pct {
        // "faster, 3%": the figure sizes the change asked for just before
        if n.op.is_none()
            && n.range.map_or(n.value, |r| r.1) <= 50.0
            && size_previous_change(acc, n)
        {
            return;
        }
        if n.op == Some(Flag::Keep) || n.op == Some(Flag::About) || n.op == Some(Flag::AtMost) {
            push(
                acc,
                Attr::Bpm,
                Op::Keep {
                    tolerance: None,
                    tolerance_pct: Some(n.value),
                },
                st,
                false,
                false,
            );
        }
        return;
    }
    if n.op == Some(Flag::Keep) {
        push(
            acc,
            attr,
            Op::Keep {
                tolerance: Some(n.value),
                tolerance_pct: None,
            },
            st,
            false,
            false,
        );
        return;
    }
    let (lo, hi) = match n.range {
        Some((a, b)) => (Some(a), Some(b)),
        None => {
            let v = n.value;
            let about_w = if attr == Attr::Bpm { 3.0 } else { 1.0 };
            let at_w = 1.0;
            // Strict bounds move by one unit (1 BPM, one energy step, 1 %).
            let step = 1.0;
            match (n.op, n.negated) {
                (Some(Flag::Below), false) => (None, Some(v - step)),
                (Some(Flag::Below), true) => (Some(v), None),
                (Some(Flag::Above), false) => (Some(v + step), None),
                (Some(Flag::Above), true) => (None, Some(v)),
                (Some(Flag::AtMost), false) => (None, Some(v)),
                (Some(Flag::AtMost), true) => (Some(v + step), None),
                (Some(Flag::AtLeast), false) => (Some(v), None),
                (Some(Flag::AtLeast), true) => (None, Some(v - step)),
                (Some(Flag::About), _) => (Some(v - about_w), Some(v + about_w)),
                _ => (Some(v - at_w), Some(v + at_w)),
            }
        }
    };
    // plausibility: a bare number with no context must look like a tempo
    let raw_lo = n.range.map_or(n.value, |r| r.0);
    let raw_hi = n.range.map_or(n.value, |r| r.1);
    let in_domain = raw_lo >= dlo && raw_hi <= dhi;
    // "a little faster, like 2 bpm": a small figure in its own clause sizes the tempo change
    // asked for before it (not a tempo of 2 BPM)
    if !in_domain
        && attr == Attr::Bpm
        && n.bpm_unit
        && raw_hi <= 20.0
        && size_previous_change(acc, n)
    {
        return;
    }
    if !in_domain {
        if n.context {
            acc.ood.push((
                attr,
                format!(
                    "{} {} is outside {}-{}",
                    attr.name(),
                    fmt_num(n.value),
                    dlo,
                    dhi
                ),
            ));
        }
        return;
    }
    if attr == Attr::Bpm
        && !n.context
        && n.op.is_none()
        && n.range.is_none()
        && !(60.0..=200.0).contains(&n.value)
    {
        return;
    }
    let clip = |x: Option<f64>| x.map(|v| v.clamp(dlo, dhi));
    let (mut lo, mut hi) = (clip(lo), clip(hi));
    // "not 130", "anything but 124-128", "not about 125": a negated band. Its complement is
    // one range only when the band touches an end of the scale; otherwise it is two, which
    // one constraint cannot say, and the band itself is the opposite of what was asked.
    let one_sided = matches!(
        n.op,
        Some(Flag::Below | Flag::Above | Flag::AtMost | Flag::AtLeast)
    );
    if n.negated && (n.range.is_some() || !one_sided) {
        match complement(attr, lo, hi) {
            Some((l, h)) => (lo, hi) = (l, h),
            None => {
                let what = match n.range {
                    Some((a, b)) => format!("{}-{}", fmt_num(a), fmt_num(b)),
                    None => fmt_num(n.value),
                };
                acc.open.push((
                    attr,
                    format!(
                        "everything but {what} is two ranges, so say which side (e.g. under {} or over {})",
                        fmt_num(raw_lo),
                        fmt_num(raw_hi)
                    ),
                ));
                return;
            }
        }
    }
    if lo.is_some() || hi.is_some() {
        push(acc, attr, Op::Range { min: lo, max: hi }, st, false, false);
        // a single figure ("like 130"), for a bound said after it ("but not more")
        if n.range.is_none() && !n.negated && !one_sided {
            if let Some(c) = acc.cands.last_mut() {
                c.figure = Some(n.value);
            }
        }
    }
}

pub(crate) fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

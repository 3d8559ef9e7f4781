//! Merging constraints on the same attribute and detecting contradictions.

use std::str::FromStr;

use flowstate_types::intent::{Attr, AttrKind, Constraint, Op, Strength};
use flowstate_types::CamelotKey;

use crate::vocab::closed_vocab;

pub(crate) fn union(into: &mut Vec<String>, from: &[String]) {
    for v in from {
        if !into.contains(v) {
            into.push(v.clone());
        }
    }
}

fn intersect(
    a: (Option<f64>, Option<f64>),
    b: (Option<f64>, Option<f64>),
) -> (Option<f64>, Option<f64>) {
    let lo = match (a.0, b.0) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let hi = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    (lo, hi)
}

/// Two ranges (open ends `None`) with no value in common.
pub(crate) fn disjoint(a: (Option<f64>, Option<f64>), b: (Option<f64>, Option<f64>)) -> bool {
    !nonempty(intersect(a, b))
}

fn nonempty(r: (Option<f64>, Option<f64>)) -> bool {
    match r {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    }
}

/// Values of one attribute that exclude each other: asked for together they are a
/// contradiction, not alternatives ("brighter but darker", "female vocals, instrumental").
fn opposite(attr: Attr, a: &str, b: &str) -> bool {
    const VIBE: [(&str, &str); 2] = [("dark", "bright"), ("chill", "aggressive")];
    let none_vs_some = |none: &str| (a == none) != (b == none);
    match attr {
        Attr::Vibe => VIBE
            .iter()
            .any(|(x, y)| (a == *x && b == *y) || (a == *y && b == *x)),
        Attr::VocalPresence => none_vs_some("instrumental"),
        Attr::VocalStyle | Attr::Language => none_vs_some("none"),
        Attr::TempoFeel => {
            matches!(
                (a, b),
                ("half-time", "double-time") | ("double-time", "half-time")
            )
        }
        _ => false,
    }
}

/// Two `in` lists on one attribute whose values exclude each other.
pub(crate) fn opposed(attr: Attr, a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.iter().all(|y| opposite(attr, x, y)))
}

/// Union `in`/`not_in`/`contains` lists, intersect ranges and deltas, drop duplicates.
pub(crate) fn merge(cs: Vec<Constraint>) -> Vec<Constraint> {
    let mut out: Vec<Constraint> = Vec::new();
    'next: for c in cs {
        for o in out.iter_mut() {
            if o.attr != c.attr || o.strength != c.strength {
                continue;
            }
            if *o == c {
                continue 'next;
            }
            match (&mut o.op, &c.op) {
                // "female vocals, instrumental only": not alternatives but a contradiction
                (Op::In { values: a }, Op::In { values: b }) if opposed(c.attr, a, b) => {}
                (Op::In { values: a }, Op::In { values: b })
                | (Op::NotIn { values: a }, Op::NotIn { values: b })
                | (Op::Contains { values: a }, Op::Contains { values: b })
                | (Op::NotContains { values: a }, Op::NotContains { values: b }) => {
                    union(a, b);
                    if c.confidence.is_some() && o.confidence.is_none() {
                        o.confidence = c.confidence;
                        o.source = c.source.clone();
                    }
                    continue 'next;
                }
                (Op::Range { min, max }, Op::Range { min: m2, max: x2 })
                | (Op::Delta { min, max }, Op::Delta { min: m2, max: x2 })
                | (Op::DeltaPct { min, max }, Op::DeltaPct { min: m2, max: x2 }) => {
                    let r = intersect((*min, *max), (*m2, *x2));
                    if nonempty(r) {
                        *min = r.0;
                        *max = r.1;
                        continue 'next;
                    }
                }
                (Op::Keep { .. }, Op::Keep { .. })
                | (Op::Differs, Op::Differs)
                | (Op::Compatible { .. }, Op::Compatible { .. }) => {
                    if let (Op::Compatible { min_score: a }, Op::Compatible { min_score: b }) =
                        (&mut o.op, &c.op)
                    {
                        *a = a.max(*b);
                    }
                    continue 'next;
                }
                (Op::Mode { value: a }, Op::Mode { value: b }) if a == b => continue 'next,
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// An explicit value beats a "keep" on the same closed attribute or key: "keep the vibe but
/// darker", "keep it rolling but deeper" (the macro keeps the vibe), "same key but major".
/// Both together would be an AND that only a current track already dark (or major) meets,
/// while the DJ asks to keep the rest and change this one thing.
pub(crate) fn explicit_over_keep(mut cs: Vec<Constraint>) -> Vec<Constraint> {
    let explicit: Vec<Attr> = cs
        .iter()
        .filter(|c| c.attr.kind() != AttrKind::Numeric)
        .filter(|c| matches!(c.op, Op::In { .. } | Op::Equals { .. } | Op::Mode { .. }))
        .map(|c| c.attr)
        .collect();
    cs.retain(|c| !(matches!(c.op, Op::Keep { .. }) && explicit.contains(&c.attr)));
    cs
}

#[derive(PartialEq, Clone, Copy)]
enum Dir {
    Up,
    Down,
    Keep,
    NonDec,
    NonInc,
    Any,
}

fn dir(op: &Op) -> Option<Dir> {
    let (lo, hi) = match op {
        Op::Delta { min, max } | Op::DeltaPct { min, max } => (*min, *max),
        Op::Keep { .. } => return Some(Dir::Keep),
        _ => return None,
    };
    Some(match (lo, hi) {
        (Some(l), _) if l > 0.0 => Dir::Up,
        (_, Some(h)) if h < 0.0 => Dir::Down,
        (Some(0.0), None) => Dir::NonDec,
        (Some(l), Some(h)) if l == 0.0 && h > 0.0 => Dir::NonDec,
        (None, Some(0.0)) => Dir::NonInc,
        (Some(l), Some(h)) if h == 0.0 && l < 0.0 => Dir::NonInc,
        _ => Dir::Any,
    })
}

fn dirs_conflict(a: Dir, b: Dir) -> bool {
    use Dir::*;
    matches!(
        (a, b),
        (Up, Down)
            | (Down, Up)
            | (Up, Keep)
            | (Keep, Up)
            | (Down, Keep)
            | (Keep, Down)
            | (Up, NonInc)
            | (NonInc, Up)
            | (Down, NonDec)
            | (NonDec, Down)
    )
}

/// A change that stays inside a keep's tolerance refines the keep rather than contradicting
/// it: "same tempo, maybe +2" (keep ±2 and +2), "don't change the tempo much, 2 bpm faster".
fn within_keep(a: &Op, b: &Op) -> bool {
    let inside = |k: &Op, d: &Op| {
        matches!(
            (k, d),
            (Op::Keep { tolerance: Some(t), .. }, Op::Delta { min: Some(lo), max: Some(hi) })
                if -t <= *lo && *hi <= *t
        )
    };
    inside(a, b) || inside(b, a)
}

fn all_values(attr: Attr) -> Option<Vec<String>> {
    if attr == Attr::Key {
        return Some(CamelotKey::all().map(|k| k.camelot()).collect());
    }
    closed_vocab(attr).map(|v| v.into_iter().map(String::from).collect())
}

fn norm_key(v: &str) -> String {
    CamelotKey::from_str(v)
        .map(|k| k.camelot())
        .unwrap_or_else(|_| v.to_string())
}

fn conflicted(attr: Attr, cs: &[&Constraint]) -> bool {
    let keep = cs.iter().any(|c| matches!(c.op, Op::Keep { .. }));
    let differs = cs.iter().any(|c| matches!(c.op, Op::Differs));
    if keep && differs && attr.kind() != AttrKind::Numeric {
        return true;
    }
    match attr.kind() {
        AttrKind::Numeric => {
            let ds: Vec<(Dir, &Op)> = cs
                .iter()
                .filter_map(|c| dir(&c.op).map(|d| (d, &c.op)))
                .collect();
            for (i, (a, oa)) in ds.iter().enumerate() {
                if ds[i + 1..]
                    .iter()
                    .any(|(b, ob)| dirs_conflict(*a, *b) && !within_keep(oa, ob))
                {
                    return true;
                }
            }
            let mut r = (None, None);
            for c in cs {
                if let Op::Range { min, max } = c.op {
                    r = intersect(r, (min, max));
                }
            }
            !nonempty(r)
        }
        AttrKind::Closed | AttrKind::Key => {
            let Some(mut allowed) = all_values(attr) else {
                return false;
            };
            let norm = |v: &String| {
                if attr == Attr::Key {
                    norm_key(v)
                } else {
                    v.clone()
                }
            };
            let mut touched = false;
            for c in cs {
                match &c.op {
                    Op::In { values } => {
                        let vs: Vec<String> = values.iter().map(norm).collect();
                        allowed.retain(|a| vs.contains(a));
                        touched = true;
                    }
                    Op::Equals { value } => {
                        let v = norm(value);
                        allowed.retain(|a| *a == v);
                        touched = true;
                    }
                    Op::NotIn { values } => {
                        let vs: Vec<String> = values.iter().map(norm).collect();
                        allowed.retain(|a| !vs.contains(a));
                        touched = true;
                    }
                    Op::Mode { value } => {
                        let letter = if value == "minor" { 'A' } else { 'B' };
                        allowed.retain(|a| a.ends_with(letter));
                        touched = true;
                    }
                    _ => {}
                }
            }
            touched && allowed.is_empty()
        }
        AttrKind::Open => {
            let ins: Vec<&String> = cs
                .iter()
                .flat_map(|c| {
                    if let Op::In { values } = &c.op {
                        values.iter().collect()
                    } else {
                        vec![]
                    }
                })
                .collect();
            let nots: Vec<&String> = cs
                .iter()
                .flat_map(|c| {
                    if let Op::NotIn { values } = &c.op {
                        values.iter().collect()
                    } else {
                        vec![]
                    }
                })
                .collect();
            !ins.is_empty()
                && ins
                    .iter()
                    .all(|v| nots.iter().any(|n| n.eq_ignore_ascii_case(v)))
        }
        AttrKind::List | AttrKind::Text => {
            let ins: Vec<&String> = cs
                .iter()
                .flat_map(|c| {
                    if let Op::Contains { values } = &c.op {
                        values.iter().collect()
                    } else {
                        vec![]
                    }
                })
                .collect();
            let nots: Vec<&String> = cs
                .iter()
                .flat_map(|c| {
                    if let Op::NotContains { values } = &c.op {
                        values.iter().collect()
                    } else {
                        vec![]
                    }
                })
                .collect();
            !ins.is_empty() && ins.iter().all(|v| nots.contains(v))
        }
    }
}

/// Contradictory attributes are removed and returned.
pub(crate) fn conflicts(cs: Vec<Constraint>) -> (Vec<Constraint>, Vec<Attr>) {
    let mut attrs: Vec<Attr> = Vec::new();
    for c in &cs {
        if !attrs.contains(&c.attr) {
            attrs.push(c.attr);
        }
    }
    let mut bad = Vec::new();
    // attributes where a hedged wish contradicts what is required: the requirement stands
    // ("darker, maybe harder" is dark; the "maybe" cannot be met)
    let mut soft_yields = Vec::new();
    for a in attrs {
        let on: Vec<&Constraint> = cs.iter().filter(|c| c.attr == a).collect();
        if on.len() > 1 && conflicted(a, &on) {
            let hard: Vec<&Constraint> = on
                .iter()
                .copied()
                .filter(|c| c.strength == Strength::Hard)
                .collect();
            if !hard.is_empty() && hard.len() < on.len() && !conflicted(a, &hard) {
                soft_yields.push(a);
            } else {
                bad.push(a);
            }
        }
    }
    let kept = cs
        .into_iter()
        .filter(|c| !bad.contains(&c.attr))
        .filter(|c| !(soft_yields.contains(&c.attr) && c.strength == Strength::Soft))
        .collect();
    (kept, bad)
}

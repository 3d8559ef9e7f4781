//! Compiles an intent's constraints against the current track into cheap per-candidate tests
//! (README §3.3 semantics: every bound inclusive, relative ops against the current track).

use crate::snapshot::{closed_col, scale_col, text_col, Snapshot, NO_KEY};
use crate::vocab::{fold, in_vocab, norm_term, norm_value};
use flowstate_types::intent::AttrKind;
use flowstate_types::{Attr, CamelotKey, Constraint, Op};

const EPS: f64 = 1e-9;

/// Which numeric column a test reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumCol {
    Bpm,
    Scale(usize),
}

#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `lo ≤ value ≤ hi` (open bounds as ±∞).
    Range {
        col: NumCol,
        lo: f64,
        hi: f64,
    },
    /// `lo ≤ value − cur ≤ hi`.
    Delta {
        col: NumCol,
        cur: f64,
        lo: f64,
        hi: f64,
    },
    /// `lo ≤ 100·(value − cur)/cur ≤ hi` (bpm).
    DeltaPct {
        cur: f64,
        lo: f64,
        hi: f64,
    },
    /// Closed attribute value id allowed (index by id; id 0 = missing never allowed).
    Closed {
        col: usize,
        allowed: Vec<bool>,
    },
    ClosedKeep {
        col: usize,
        id: u16,
    },
    ClosedDiffers {
        col: usize,
        id: u16,
    },
    /// Bit i set = key index i allowed.
    KeySet {
        mask: u32,
    },
    KeyCompat {
        cur: u8,
        min: f64,
    },
    KeyDiffers {
        cur: u8,
    },
    ArtistIn {
        ids: Vec<u32>,
    },
    ArtistNotIn {
        ids: Vec<u32>,
    },
    ArtistKeep {
        id: u32,
    },
    ArtistDiffers {
        id: u32,
    },
    /// At least one (or, negated, none) of the terms present.
    Terms {
        col: usize,
        terms: Vec<(Option<u32>, String)>,
        negate: bool,
    },
    /// Not evaluable (e.g. the current track lacks the attribute): passes.
    Pass,
    /// Can never be satisfied (e.g. only unknown vocabulary values).
    Never,
}

/// A constraint compiled for one query.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub src: Constraint,
    pub test: Test,
    pub hard: bool,
    /// Why the test was weakened (shown in notes), if it was.
    pub note: Option<String>,
}

fn bound(v: Option<f64>, open: f64) -> f64 {
    v.filter(|x| x.is_finite()).unwrap_or(open)
}

fn num_value(s: &Snapshot, col: NumCol, i: usize) -> f64 {
    match col {
        NumCol::Bpm => s.bpm[i],
        NumCol::Scale(c) => f64::from(s.scales[c][i]),
    }
}

fn parse_key(v: &str) -> Option<CamelotKey> {
    v.trim().parse::<CamelotKey>().ok()
}

impl Test {
    pub(crate) fn eval(&self, s: &Snapshot, i: usize) -> bool {
        match self {
            Test::Range { col, lo, hi } => {
                let v = num_value(s, *col, i);
                v >= lo - EPS && v <= hi + EPS
            }
            Test::Delta { col, cur, lo, hi } => {
                let x = num_value(s, *col, i) - cur;
                x >= lo - EPS && x <= hi + EPS
            }
            Test::DeltaPct { cur, lo, hi } => {
                let x = 100.0 * (s.bpm[i] - cur) / cur;
                x >= lo - EPS && x <= hi + EPS
            }
            Test::Closed { col, allowed } => allowed
                .get(usize::from(s.closed[*col][i]))
                .copied()
                .unwrap_or(false),
            Test::ClosedKeep { col, id } => s.closed[*col][i] == *id,
            Test::ClosedDiffers { col, id } => s.closed[*col][i] != *id,
            Test::KeySet { mask } => {
                let k = s.key[i];
                k != NO_KEY && mask & (1u32 << k) != 0
            }
            Test::KeyCompat { cur, min } => {
                let k = s.key[i];
                k != NO_KEY && s.compat[*cur as usize][k as usize] >= min - EPS
            }
            Test::KeyDiffers { cur } => {
                let k = s.key[i];
                k != NO_KEY && k != *cur
            }
            Test::ArtistIn { ids } => s.by_any(i, ids),
            Test::ArtistNotIn { ids } => !s.by_any(i, ids),
            Test::ArtistKeep { id } => s.artist[i] == *id,
            Test::ArtistDiffers { id } => s.artist[i] != *id,
            Test::Terms { col, terms, negate } => {
                let tc = &s.text[*col];
                // parts the audio analysis can hear (the drums, a heavy sub) when every term
                // asked is one of them
                let heard = if *col == crate::snapshot::INSTRUMENTATION_COL {
                    s.heard_parts(i, terms.iter().map(|(_, t)| t.as_str()))
                } else {
                    None
                };
                if !tc.present(i) {
                    // unknown content: cannot assert presence; absence is not asserted either
                    return heard.is_some_and(|h| h != *negate);
                }
                let have = tc.terms(i);
                let text = tc.text(i);
                let hit = terms.iter().any(|(id, t)| {
                    id.is_some_and(|id| have.contains(&id)) || crate::vocab::word_hit(t, text)
                });
                (hit || heard == Some(true)) != *negate
            }
            Test::Pass => true,
            Test::Never => false,
        }
    }

    /// Cost class for ordering tests cheapest first.
    pub(crate) fn cost(&self) -> u8 {
        match self {
            Test::Terms { .. } => 2,
            Test::ArtistIn { .. } | Test::ArtistNotIn { .. } | Test::Closed { .. } => 1,
            _ => 0,
        }
    }
}

/// Compiles `c` for the current track `cur` (snapshot index).
/// Every constraint of `intent` compiled against track `cur`, with the demotions
/// [`crate::recommend`] documents: a hard constraint on an attribute the intent marks
/// ambiguous, or one that cannot be evaluated as a requirement, becomes a preference (soft)
/// and a note says why. An intent with status `error` has no constraints.
pub(crate) fn compile_intent(
    s: &Snapshot,
    cur: usize,
    intent: &flowstate_types::Intent,
    notes: &mut Vec<String>,
) -> Vec<Compiled> {
    if intent.status == flowstate_types::IntentStatus::Error {
        return Vec::new();
    }
    let mut all = Vec::with_capacity(intent.constraints.len());
    for c in &intent.constraints {
        let mut hard = c.strength == flowstate_types::Strength::Hard;
        if hard && intent.ambiguous_attrs.contains(&c.attr) {
            hard = false;
            notes.push(format!(
                "{} is ambiguous in the prompt: used as a preference only",
                c.attr.name()
            ));
        }
        let mut comp = compile(s, cur, c, hard);
        if let Some(n) = comp.note.take() {
            // not applicable as a requirement: keep it as a preference
            comp.hard = false;
            notes.push(n);
        }
        all.push(comp);
    }
    all
}

pub(crate) fn compile(s: &Snapshot, cur: usize, c: &Constraint, hard: bool) -> Compiled {
    let (test, note) = compile_test(s, cur, c);
    Compiled {
        src: c.clone(),
        test,
        hard,
        note,
    }
}

fn unknown_current(attr: Attr) -> (Test, Option<String>) {
    (
        Test::Pass,
        Some(format!(
            "the current track has no {}: that constraint is not applied",
            attr.name()
        )),
    )
}

fn compile_test(s: &Snapshot, cur: usize, c: &Constraint) -> (Test, Option<String>) {
    let attr = c.attr;
    let bad = |why: &str| {
        (
            Test::Never,
            Some(format!("{} {}: {why}", attr.name(), op_name(&c.op))),
        )
    };
    match attr.kind() {
        AttrKind::Numeric => {
            let col = if attr == Attr::Bpm {
                NumCol::Bpm
            } else {
                match scale_col(attr) {
                    Some(c) => NumCol::Scale(c),
                    None => return bad("not a numeric column"),
                }
            };
            let w = num_value(s, col, cur);
            match &c.op {
                Op::Range { min, max } => (
                    Test::Range {
                        col,
                        lo: bound(*min, f64::NEG_INFINITY),
                        hi: bound(*max, f64::INFINITY),
                    },
                    None,
                ),
                Op::Delta { min, max } => {
                    if w.is_nan() {
                        return unknown_current(attr);
                    }
                    (
                        Test::Delta {
                            col,
                            cur: w,
                            lo: bound(*min, f64::NEG_INFINITY),
                            hi: bound(*max, f64::INFINITY),
                        },
                        None,
                    )
                }
                Op::DeltaPct { min, max } => {
                    if col != NumCol::Bpm {
                        return bad("delta_pct applies to bpm only");
                    }
                    if w.is_nan() {
                        return unknown_current(attr);
                    }
                    (
                        Test::DeltaPct {
                            cur: w,
                            lo: bound(*min, f64::NEG_INFINITY),
                            hi: bound(*max, f64::INFINITY),
                        },
                        None,
                    )
                }
                Op::Keep {
                    tolerance,
                    tolerance_pct,
                } => {
                    if w.is_nan() {
                        return unknown_current(attr);
                    }
                    match (tolerance, tolerance_pct) {
                        (_, Some(p)) if col == NumCol::Bpm => {
                            let p = p.abs();
                            (
                                Test::DeltaPct {
                                    cur: w,
                                    lo: -p,
                                    hi: p,
                                },
                                None,
                            )
                        }
                        (Some(t), _) => {
                            let t = t.abs();
                            (
                                Test::Delta {
                                    col,
                                    cur: w,
                                    lo: -t,
                                    hi: t,
                                },
                                None,
                            )
                        }
                        // no tolerance given: the language's default "keep" tolerance (1 unit,
                        // 2 BPM for tempo, README §3.4)
                        _ => {
                            let t = if col == NumCol::Bpm { 2.0 } else { 1.0 };
                            (
                                Test::Delta {
                                    col,
                                    cur: w,
                                    lo: -t,
                                    hi: t,
                                },
                                None,
                            )
                        }
                    }
                }
                _ => bad("operator not defined for a numeric attribute"),
            }
        }
        AttrKind::Key => {
            let k0 = s.key[cur];
            match &c.op {
                Op::In { values } | Op::NotIn { values } => {
                    let mut mask = 0u32;
                    let mut any = false;
                    for v in values {
                        if let Some(k) = parse_key(v) {
                            mask |= 1 << crate::snapshot::key_index(k);
                            any = true;
                        }
                    }
                    if !any {
                        return bad("no recognisable key");
                    }
                    if matches!(c.op, Op::NotIn { .. }) {
                        mask = !mask & ((1 << 24) - 1);
                    }
                    (Test::KeySet { mask }, None)
                }
                Op::Equals { value } => match parse_key(value) {
                    Some(k) => (
                        Test::KeySet {
                            mask: 1 << crate::snapshot::key_index(k),
                        },
                        None,
                    ),
                    None => bad("no recognisable key"),
                },
                Op::Mode { value } => {
                    let minor = match fold(value).as_str() {
                        "minor" | "a" | "m" => true,
                        "major" | "b" | "d" => false,
                        _ => return bad("mode must be minor or major"),
                    };
                    let mask = if minor { 0x0fff } else { 0x00ff_f000 };
                    (Test::KeySet { mask }, None)
                }
                Op::Compatible { min_score } => {
                    if k0 == NO_KEY {
                        return unknown_current(attr);
                    }
                    let m = if min_score.is_finite() {
                        min_score.clamp(0.0, 1.0)
                    } else {
                        0.6
                    };
                    (Test::KeyCompat { cur: k0, min: m }, None)
                }
                Op::Keep { .. } => {
                    if k0 == NO_KEY {
                        return unknown_current(attr);
                    }
                    (Test::KeyCompat { cur: k0, min: 1.0 }, None)
                }
                Op::Differs => {
                    if k0 == NO_KEY {
                        return unknown_current(attr);
                    }
                    (Test::KeyDiffers { cur: k0 }, None)
                }
                _ => bad("operator not defined for key"),
            }
        }
        AttrKind::Closed => {
            let Some(col) = closed_col(attr) else {
                return bad("not a closed attribute");
            };
            let vocab = &s.vocab[col];
            let ids_of = |values: &[String]| -> (Vec<bool>, bool) {
                let mut allowed = vec![false; vocab.len()];
                let mut known = false;
                for v in values {
                    let nv = norm_value(attr, v);
                    known |= in_vocab(attr, &nv);
                    if let Some(id) = vocab.get(&nv) {
                        allowed[id as usize] = true;
                        known = true;
                    }
                }
                (allowed, known)
            };
            match &c.op {
                Op::In { values } => {
                    let (allowed, known) = ids_of(values);
                    if !known {
                        return bad("no value of the vocabulary");
                    }
                    (Test::Closed { col, allowed }, None)
                }
                Op::Equals { value } => {
                    let (allowed, known) = ids_of(std::slice::from_ref(value));
                    if !known {
                        return bad("no value of the vocabulary");
                    }
                    (Test::Closed { col, allowed }, None)
                }
                Op::NotIn { values } => {
                    let (excluded, _) = ids_of(values);
                    // the complement within the vocabulary: unknown/missing values never pass
                    let allowed = (0..vocab.len())
                        .map(|id| id != 0 && !excluded[id] && in_vocab(attr, vocab.name(id as u32)))
                        .collect();
                    (Test::Closed { col, allowed }, None)
                }
                Op::Keep { .. } => {
                    let id = s.closed[col][cur];
                    if id == 0 {
                        return unknown_current(attr);
                    }
                    (Test::ClosedKeep { col, id }, None)
                }
                Op::Differs => (
                    Test::ClosedDiffers {
                        col,
                        id: s.closed[col][cur],
                    },
                    None,
                ),
                _ => bad("operator not defined for a closed attribute"),
            }
        }
        AttrKind::List | AttrKind::Text => {
            let Some(col) = text_col(attr) else {
                return bad("not a list/text attribute");
            };
            let (values, negate) = match &c.op {
                Op::Contains { values } => (values, false),
                Op::NotContains { values } => (values, true),
                _ => return bad("operator not defined for a list/text attribute"),
            };
            let terms: Vec<(Option<u32>, String)> = values
                .iter()
                .map(|v| norm_term(v))
                .filter(|t| !t.is_empty())
                .map(|t| (s.term_ids.get(&t), t))
                .collect();
            if terms.is_empty() {
                return bad("no words");
            }
            (Test::Terms { col, terms, negate }, None)
        }
        AttrKind::Open => {
            let ids = |values: &[String]| -> Vec<u32> {
                values
                    .iter()
                    .filter_map(|v| s.artists.get(&fold(v)))
                    .collect()
            };
            match &c.op {
                Op::In { values } => (Test::ArtistIn { ids: ids(values) }, None),
                Op::Equals { value } => (
                    Test::ArtistIn {
                        ids: ids(std::slice::from_ref(value)),
                    },
                    None,
                ),
                Op::NotIn { values } => (Test::ArtistNotIn { ids: ids(values) }, None),
                Op::Keep { .. } => {
                    let id = s.artist[cur];
                    if id == 0 {
                        return unknown_current(attr);
                    }
                    (Test::ArtistKeep { id }, None)
                }
                Op::Differs => (Test::ArtistDiffers { id: s.artist[cur] }, None),
                _ => bad("operator not defined for artist"),
            }
        }
    }
}

pub(crate) fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Range { .. } => "range",
        Op::Delta { .. } => "delta",
        Op::DeltaPct { .. } => "delta_pct",
        Op::Keep { .. } => "keep",
        Op::Differs => "differs",
        Op::In { .. } => "in",
        Op::NotIn { .. } => "not_in",
        Op::Equals { .. } => "equals",
        Op::Mode { .. } => "mode",
        Op::Compatible { .. } => "compatible",
        Op::Contains { .. } => "contains",
        Op::NotContains { .. } => "not_contains",
    }
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", num(x))
    } else {
        num(x)
    }
}

/// Short human wording of a constraint ("energy +1…+3", "vibe in dark", "key mode minor").
pub(crate) fn describe(c: &Constraint) -> String {
    let a = c.attr.name();
    let bounds = |min: &Option<f64>, max: &Option<f64>, sign: bool, unit: &str| -> String {
        let f = |x: f64| if sign { signed(x) } else { num(x) };
        match (min, max) {
            (Some(lo), Some(hi)) if (lo - hi).abs() < 1e-9 => format!("{}{unit}", f(*lo)),
            (Some(lo), Some(hi)) => format!("{}…{}{unit}", f(*lo), f(*hi)),
            (Some(lo), None) => format!("≥ {}{unit}", f(*lo)),
            (None, Some(hi)) => format!("≤ {}{unit}", f(*hi)),
            (None, None) => "any".into(),
        }
    };
    match &c.op {
        Op::Range { min, max } => format!("{a} {}", bounds(min, max, false, "")),
        Op::Delta { min, max } => format!("{a} {}", bounds(min, max, true, "")),
        Op::DeltaPct { min, max } => format!("{a} {}", bounds(min, max, true, "%")),
        Op::Keep {
            tolerance,
            tolerance_pct,
        } => match (tolerance, tolerance_pct) {
            (_, Some(p)) => format!("same {a} (±{}%)", num(*p)),
            (Some(t), _) => format!("same {a} (±{})", num(*t)),
            _ => format!("same {a}"),
        },
        Op::Differs => format!("different {a}"),
        Op::In { values } => format!("{a} in {}", values.join("/")),
        Op::NotIn { values } => format!("{a} not {}", values.join("/")),
        Op::Equals { value } => format!("{a} {value}"),
        Op::Mode { value } => format!("{value} key"),
        Op::Compatible { min_score } => format!("key compatible ≥ {min_score:.1}"),
        Op::Contains { values } => format!("{a} has {}", values.join("/")),
        Op::NotContains { values } => format!("{a} without {}", values.join("/")),
    }
}

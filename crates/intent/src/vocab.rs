//! Vocabularies of the constraint language (eval/intent/README.md §3.3) and a validator
//! that mirrors its rules (domain bounds, ops per attribute type).

use std::str::FromStr;

use flowstate_types::intent::{Attr, AttrKind, Constraint, Op};
use flowstate_types::CamelotKey;

pub use flowstate_types::vocab::{parent_genre, GENRE_SUBGENRES};

/// The closed vocabulary of an attribute, if it has one (`flowstate_types::vocab`).
pub fn closed_vocab(attr: Attr) -> Option<Vec<&'static str>> {
    let v = flowstate_types::vocab::closed_vocab(attr);
    (!v.is_empty()).then(|| v.to_vec())
}

fn ops_allowed(kind: AttrKind, op: &Op) -> bool {
    use Op::*;
    match kind {
        AttrKind::Numeric => matches!(
            op,
            Range { .. } | Delta { .. } | DeltaPct { .. } | Keep { .. }
        ),
        AttrKind::Closed | AttrKind::Open => matches!(
            op,
            In { .. } | NotIn { .. } | Equals { .. } | Keep { .. } | Differs
        ),
        AttrKind::Key => matches!(
            op,
            In { .. }
                | NotIn { .. }
                | Equals { .. }
                | Mode { .. }
                | Compatible { .. }
                | Keep { .. }
                | Differs
        ),
        AttrKind::List | AttrKind::Text => matches!(op, Contains { .. } | NotContains { .. }),
    }
}

/// Problems with one constraint under the language rules (empty when valid).
pub fn validate(c: &Constraint) -> Vec<String> {
    let mut errs = Vec::new();
    let kind = c.attr.kind();
    let name = c.attr.name();
    if !ops_allowed(kind, &c.op) {
        return vec![format!("op {:?} not allowed for {name}", c.op)];
    }
    let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
    match &c.op {
        Op::Range { min, max } | Op::Delta { min, max } | Op::DeltaPct { min, max } => {
            if min.is_none() && max.is_none() {
                errs.push("range/delta needs min or max".into());
            }
            if !finite(*min) || !finite(*max) {
                errs.push("non-finite bound".into());
            }
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    errs.push("min > max".into());
                }
            }
            let (dlo, dhi) = c.attr.domain().unwrap_or((0.0, 0.0));
            match &c.op {
                Op::Range { .. } => {
                    for v in [min, max].into_iter().flatten() {
                        if *v < dlo || *v > dhi {
                            errs.push(format!("{name} bound {v} outside domain"));
                        }
                    }
                }
                Op::Delta { .. } => {
                    for v in [min, max].into_iter().flatten() {
                        if v.abs() > dhi - dlo {
                            errs.push(format!("{name} delta {v} larger than the domain"));
                        }
                    }
                }
                _ => {
                    if c.attr != Attr::Bpm {
                        errs.push("delta_pct only for bpm".into());
                    }
                    for v in [min, max].into_iter().flatten() {
                        if v.abs() > 100.0 {
                            errs.push(format!("delta_pct {v} out of range"));
                        }
                    }
                }
            }
        }
        Op::Keep {
            tolerance,
            tolerance_pct,
        } => {
            if kind == AttrKind::Numeric {
                if tolerance.is_none() && tolerance_pct.is_none() {
                    errs.push("keep needs tolerance or tolerance_pct".into());
                }
                if tolerance_pct.is_some() && c.attr != Attr::Bpm {
                    errs.push("tolerance_pct only for bpm".into());
                }
                for v in [tolerance, tolerance_pct].into_iter().flatten() {
                    if !v.is_finite() || *v < 0.0 {
                        errs.push(format!("bad tolerance {v}"));
                    }
                }
            }
        }
        Op::In { values } | Op::NotIn { values } => {
            if values.is_empty() {
                errs.push("empty values".into());
            }
            for v in values {
                match kind {
                    AttrKind::Key if CamelotKey::from_str(v).is_err() => {
                        errs.push(format!("bad key {v}"))
                    }
                    AttrKind::Closed
                        if !closed_vocab(c.attr)
                            .unwrap_or_default()
                            .contains(&v.as_str()) =>
                    {
                        errs.push(format!("{v} outside the {name} vocabulary"))
                    }
                    AttrKind::Open if v.trim().is_empty() => errs.push("empty value".into()),
                    _ => {}
                }
            }
        }
        Op::Equals { value } => match kind {
            AttrKind::Key if CamelotKey::from_str(value).is_err() => {
                errs.push(format!("bad key {value}"))
            }
            AttrKind::Closed
                if !closed_vocab(c.attr)
                    .unwrap_or_default()
                    .contains(&value.as_str()) =>
            {
                errs.push(format!("{value} outside the {name} vocabulary"))
            }
            _ => {}
        },
        Op::Mode { value } => {
            if value != "minor" && value != "major" {
                errs.push("mode needs minor or major".into());
            }
        }
        Op::Compatible { min_score } => {
            if !(0.0..=1.0).contains(min_score) {
                errs.push(format!("bad min_score {min_score}"));
            }
        }
        Op::Contains { values } | Op::NotContains { values } => {
            if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
                errs.push("contains needs non-empty words".into());
            }
        }
        Op::Differs => {}
    }
    if let Some(conf) = c.confidence {
        if !(0.0..=1.0).contains(&conf) {
            errs.push("confidence outside 0-1".into());
        }
    }
    errs
}

//! What was understood, in words.

use flowstate_types::intent::{Attr, Constraint, Intent, IntentStatus, Op, Strength};

use crate::grammar::fmt_num;

pub(crate) fn label(a: Attr) -> &'static str {
    match a {
        Attr::Bpm => "tempo",
        Attr::MixInEase => "mix-in ease",
        Attr::MixOutEase => "mix-out ease",
        Attr::GrooveStyle => "groove",
        Attr::TempoFeel => "tempo feel",
        Attr::VocalPresence => "vocals",
        Attr::VocalStyle => "vocal style",
        Attr::MoodTags => "mood",
        Attr::ProductionStyle => "production",
        a => a.name(),
    }
}

fn unit(a: Attr) -> &'static str {
    if a == Attr::Bpm {
        " BPM"
    } else {
        ""
    }
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", fmt_num(v))
    } else {
        fmt_num(v)
    }
}

pub(crate) fn describe(c: &Constraint) -> String {
    let l = label(c.attr);
    let u = unit(c.attr);
    let s = match &c.op {
        Op::Range {
            min: Some(a),
            max: Some(b),
        } => format!("{l} {}–{}{u}", fmt_num(*a), fmt_num(*b)),
        Op::Range {
            min: Some(a),
            max: None,
        } => format!("{l} at least {}{u}", fmt_num(*a)),
        Op::Range {
            min: None,
            max: Some(b),
        } => format!("{l} at most {}{u}", fmt_num(*b)),
        Op::Delta {
            min: Some(a),
            max: Some(b),
        } if a == b => format!("{l} {}{u} vs. now", signed(*a)),
        Op::Delta {
            min: Some(a),
            max: Some(b),
        } => format!("{l} {}…{}{u} vs. now", signed(*a), signed(*b)),
        Op::Delta {
            min: Some(_),
            max: None,
        } => format!("{l} not lower than now"),
        Op::Delta {
            min: None,
            max: Some(_),
        } => format!("{l} not higher than now"),
        Op::DeltaPct {
            min: Some(a),
            max: Some(b),
        } => format!("{l} {}…{}% vs. now", signed(*a), signed(*b)),
        Op::Keep {
            tolerance: Some(t), ..
        } => format!("same {l} (±{}{u})", fmt_num(*t)),
        Op::Keep {
            tolerance_pct: Some(t),
            ..
        } => format!("same {l} (±{}%)", fmt_num(*t)),
        Op::Keep { .. } => format!("same {l} as now"),
        Op::Differs => format!("a different {l}"),
        Op::In { values } => format!("{l}: {}", values.join(" or ")),
        Op::NotIn { values } => format!("{l}: not {}", values.join(", not ")),
        Op::Equals { value } => format!("{l}: {value}"),
        Op::Mode { value } => format!("a {value} key"),
        Op::Compatible { min_score } => {
            format!("harmonically compatible key (score ≥ {min_score})")
        }
        Op::Contains { values } => format!("{l} with {}", values.join(" or ")),
        Op::NotContains { values } => format!("{l} without {}", values.join(", ")),
        _ => l.to_string(),
    };
    let mut s = s;
    if c.strength == Strength::Soft {
        s.push_str(" (preferred)");
    }
    if let Some(src) = &c.source {
        if src != "rule" {
            s.push_str(&format!(" [{src}]"));
        }
    }
    s
}

pub(crate) fn explain(i: &Intent) -> String {
    explain_with(i, &[])
}

/// As [`explain`]; an ambiguous attribute with a reason here is explained by it instead of
/// as a contradiction.
pub(crate) fn explain_with(i: &Intent, reasons: &[(Attr, String)]) -> String {
    match i.status {
        IntentStatus::Error => format!(
            "Could not use this prompt: {}.",
            i.error.as_deref().unwrap_or("unusable input")
        ),
        IntentStatus::NoOp => {
            "Nothing specific to constrain: I'll pick a smooth next track.".into()
        }
        IntentStatus::Ok | IntentStatus::Ambiguous => {
            let mut parts: Vec<String> = i.constraints.iter().map(describe).collect();
            if parts.is_empty() {
                parts.push("nothing else".into());
            }
            let mut s = format!("Looking for: {}.", parts.join("; "));
            let mut contradicted = Vec::new();
            for a in &i.ambiguous_attrs {
                match reasons.iter().find(|(r, _)| r == a) {
                    Some((_, why)) => s.push_str(&format!(" I left {} open: {why}.", label(*a))),
                    None => contradicted.push(label(*a)),
                }
            }
            if !contradicted.is_empty() {
                s.push_str(&format!(
                    " The prompt contradicts itself on {}, so I left that open.",
                    contradicted.join(", ")
                ));
            }
            s
        }
    }
}

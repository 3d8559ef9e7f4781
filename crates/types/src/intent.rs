//! The constraint language a DJ's prompt is parsed into (`shared/eval/intent/README.md` §3).
//! `serde_json::to_string(&intent)` emits exactly that language; extra fields
//! (`explanation`, per-constraint `confidence`/`source`) are additive and optional.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    /// Constraints were understood.
    Ok,
    /// Nothing to constrain (vague prompt).
    NoOp,
    /// The prompt contradicts itself: see `ambiguous_attrs`; no hard constraint on them.
    Ambiguous,
    /// Unusable input: see `error`.
    Error,
}

/// Attributes of the language (CODEX v1 fields plus `artist`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attr {
    Bpm,
    Energy,
    Danceability,
    MixInEase,
    MixOutEase,
    Key,
    Intensity,
    Vibe,
    GrooveStyle,
    TempoFeel,
    VocalPresence,
    VocalStyle,
    Language,
    Genre,
    Subgenre,
    MoodTags,
    Instrumentation,
    ProductionStyle,
    Description,
    Artist,
}

/// What kind of values an attribute holds; decides which operators apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    Numeric,
    Key,
    Closed,
    List,
    Text,
    Open,
}

impl Attr {
    pub fn kind(self) -> AttrKind {
        use Attr::*;
        match self {
            Bpm | Energy | Danceability | MixInEase | MixOutEase => AttrKind::Numeric,
            Key => AttrKind::Key,
            Intensity | Vibe | GrooveStyle | TempoFeel | VocalPresence | VocalStyle | Language
            | Genre | Subgenre => AttrKind::Closed,
            MoodTags | Instrumentation => AttrKind::List,
            ProductionStyle | Description => AttrKind::Text,
            Artist => AttrKind::Open,
        }
    }

    /// Domain of a numeric attribute.
    pub fn domain(self) -> Option<(f64, f64)> {
        match self {
            Attr::Bpm => Some((60.0, 200.0)),
            Attr::Energy | Attr::Danceability | Attr::MixInEase | Attr::MixOutEase => {
                Some((1.0, 10.0))
            }
            _ => None,
        }
    }

    /// The field name in the CODEX document and in JSON.
    pub fn name(self) -> &'static str {
        use Attr::*;
        match self {
            Bpm => "bpm",
            Energy => "energy",
            Danceability => "danceability",
            MixInEase => "mix_in_ease",
            MixOutEase => "mix_out_ease",
            Key => "key",
            Intensity => "intensity",
            Vibe => "vibe",
            GrooveStyle => "groove_style",
            TempoFeel => "tempo_feel",
            VocalPresence => "vocal_presence",
            VocalStyle => "vocal_style",
            Language => "language",
            Genre => "genre",
            Subgenre => "subgenre",
            MoodTags => "mood_tags",
            Instrumentation => "instrumentation",
            ProductionStyle => "production_style",
            Description => "description",
            Artist => "artist",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// A requirement (filter).
    #[default]
    Hard,
    /// A preference (scored), for hedged wording.
    Soft,
}

/// Operator and its parameters. Bounds are inclusive; `None` is an open bound and is
/// serialised as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// `min ≤ candidate − current ≤ max` in attribute units.
    Delta {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// BPM only: `min ≤ 100·(candidate − current)/current ≤ max`.
    DeltaPct {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Numeric: within `tolerance` units (or `tolerance_pct` for bpm); closed/key/artist: same value.
    Keep {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tolerance: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tolerance_pct: Option<f64>,
    },
    Differs,
    In {
        values: Vec<String>,
    },
    NotIn {
        values: Vec<String>,
    },
    Equals {
        value: String,
    },
    /// Key only: `minor` or `major`.
    Mode {
        value: String,
    },
    /// Key only: harmonic(current, candidate) ≥ min_score.
    Compatible {
        min_score: f64,
    },
    Contains {
        values: Vec<String>,
    },
    NotContains {
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub attr: Attr,
    #[serde(flatten)]
    pub op: Op,
    #[serde(default)]
    pub strength: Strength,
    /// 0–1; below 1 when the constraint came from fuzzy or semantic matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// How it was understood: `rule`, `fuzzy`, `semantic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Constraint {
    pub fn hard(attr: Attr, op: Op) -> Self {
        Self {
            attr,
            op,
            strength: Strength::Hard,
            confidence: None,
            source: None,
        }
    }

    pub fn soft(attr: Attr, op: Op) -> Self {
        Self {
            attr,
            op,
            strength: Strength::Soft,
            confidence: None,
            source: None,
        }
    }

    pub fn is_hard(&self) -> bool {
        self.strength == Strength::Hard
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub status: IntentStatus,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
    #[serde(default)]
    pub ambiguous_attrs: Vec<Attr>,
    #[serde(default)]
    pub error: Option<String>,
    /// What was understood, in words, for the DJ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Intent {
    pub fn no_op() -> Self {
        Self {
            status: IntentStatus::NoOp,
            constraints: Vec::new(),
            ambiguous_attrs: Vec::new(),
            error: None,
            explanation: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            status: IntentStatus::Error,
            constraints: Vec::new(),
            ambiguous_attrs: Vec::new(),
            error: Some(message.into()),
            explanation: None,
        }
    }

    pub fn hard(&self) -> impl Iterator<Item = &Constraint> {
        self.constraints.iter().filter(|c| c.is_hard())
    }

    pub fn soft(&self) -> impl Iterator<Item = &Constraint> {
        self.constraints.iter().filter(|c| !c.is_hard())
    }

    /// True when a hard constraint names `attr`.
    pub fn sets_hard(&self, attr: Attr) -> bool {
        self.hard().any(|c| c.attr == attr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_the_constraint_language() {
        let i = Intent {
            status: IntentStatus::Ok,
            constraints: vec![
                Constraint::hard(
                    Attr::Vibe,
                    Op::In {
                        values: vec!["dark".into()],
                    },
                ),
                Constraint::soft(
                    Attr::Energy,
                    Op::Delta {
                        min: Some(-2.0),
                        max: Some(0.0),
                    },
                ),
                Constraint::hard(
                    Attr::Bpm,
                    Op::Delta {
                        min: Some(0.0),
                        max: None,
                    },
                ),
                Constraint::soft(Attr::Genre, Op::Differs),
            ],
            ambiguous_attrs: vec![],
            error: None,
            explanation: None,
        };
        let v = serde_json::to_value(&i).unwrap_or_default();
        let want = serde_json::json!({
          "status": "ok",
          "constraints": [
            {"attr": "vibe",   "op": "in",    "values": ["dark"],   "strength": "hard"},
            {"attr": "energy", "op": "delta", "min": -2.0, "max": 0.0,  "strength": "soft"},
            {"attr": "bpm",    "op": "delta", "min": 0.0,  "max": null, "strength": "hard"},
            {"attr": "genre",  "op": "differs",                      "strength": "soft"}
          ],
          "ambiguous_attrs": [],
          "error": null
        });
        assert_eq!(v, want);
        let back: Intent = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, i);
    }
}

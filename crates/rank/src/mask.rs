//! The intent's hard constraints as a per-track mask, for callers that choose tracks their
//! own way (whole-set planning). Same semantics as [`crate::recommend`]'s hard filters,
//! relative constraints evaluated against `current`, ambiguous or unevaluable hard constraints
//! demoted exactly as there (they do not mask); the mixability rules are not included.

use crate::compile::compile_intent;
use crate::{RankError, Snapshot};
use flowstate_types::Intent;

/// `mask[i]` is true when snapshot track `i` satisfies every hard constraint of `intent`.
pub fn hard_mask(s: &Snapshot, current: &str, intent: &Intent) -> Result<Vec<bool>, RankError> {
    let cur = s
        .find(current)
        .ok_or_else(|| RankError::UnknownCurrent(current.to_string()))?;
    let mut notes = Vec::new();
    let tests: Vec<_> = compile_intent(s, cur, intent, &mut notes)
        .into_iter()
        .filter(|c| c.hard)
        .collect();
    Ok((0..s.len())
        .map(|i| tests.iter().all(|t| t.test.eval(s, i)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowstate_types::{Attr, Constraint, IntentStatus, Op, TrackDoc};

    #[test]
    fn mask_applies_absolute_and_relative_hard_constraints() {
        let doc = |id: &str, bpm: f64, e: u8| TrackDoc {
            track_id: id.into(),
            bpm: Some(bpm),
            energy: Some(e),
            ..Default::default()
        };
        let docs = [doc("a", 124.0, 5), doc("b", 128.0, 7), doc("c", 140.0, 4)];
        let s = Snapshot::build(&docs);
        let intent = Intent {
            status: IntentStatus::Ok,
            constraints: vec![
                Constraint::hard(
                    Attr::Bpm,
                    Op::Range {
                        min: Some(120.0),
                        max: Some(130.0),
                    },
                ),
                Constraint::hard(
                    Attr::Energy,
                    Op::Delta {
                        min: Some(1.0),
                        max: None,
                    },
                ),
                Constraint::soft(
                    Attr::Energy,
                    Op::Range {
                        min: Some(9.0),
                        max: None,
                    },
                ),
            ],
            ambiguous_attrs: vec![],
            error: None,
            explanation: None,
        };
        let m = hard_mask(&s, "a", &intent).unwrap_or_default();
        assert_eq!(m, vec![false, true, false]);
        assert!(hard_mask(&s, "zzz", &intent).is_err());

        // as in recommend: a hard constraint on an ambiguous attribute is only a preference
        let mut amb = intent.clone();
        amb.ambiguous_attrs = vec![Attr::Bpm];
        let m = hard_mask(&s, "a", &amb).unwrap_or_default();
        assert_eq!(
            m,
            vec![false, true, false],
            "energy delta still masks, bpm no longer"
        );
        amb.ambiguous_attrs = vec![Attr::Bpm, Attr::Energy];
        assert_eq!(hard_mask(&s, "a", &amb).unwrap_or_default(), vec![true; 3]);
        // an error intent masks nothing
        amb.status = IntentStatus::Error;
        amb.ambiguous_attrs.clear();
        assert_eq!(hard_mask(&s, "a", &amb).unwrap_or_default(), vec![true; 3]);
    }
}

//! Semantic fallback logic with a deterministic toy embedder (a test double for the
//! logic only: bag of character trigrams, hashed). The product uses the real encoder.

use std::sync::Arc;

use flowstate_intent::{Attr, Embedder, IntentStatus, Parser};

struct Trigrams;

impl Embedder for Trigrams {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; 256];
                let s: Vec<char> = format!("  {}  ", t.to_lowercase()).chars().collect();
                for w in s.windows(3) {
                    let h = w
                        .iter()
                        .fold(7u32, |h, c| h.wrapping_mul(31).wrapping_add(*c as u32));
                    v[(h % 256) as usize] += 1.0;
                }
                v
            })
            .collect())
    }
}

struct Broken;

impl Embedder for Broken {
    fn embed(&self, _: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        Err("no model".into())
    }
}

#[test]
fn unknown_phrasing_uses_nearest_prototype() {
    let rules = Parser::new();
    let p = "the room needs to breathe";
    assert_eq!(
        rules.parse(p).status,
        IntentStatus::NoOp,
        "the rules alone do not know this phrasing"
    );
    let sem = Parser::new().with_embedder(Arc::new(Trigrams));
    let i = sem.parse(p);
    assert_eq!(i.status, IntentStatus::Ok, "{i:?}");
    let c = &i.constraints[0];
    assert_eq!(c.attr, Attr::Energy);
    assert_eq!(c.source.as_deref(), Some("semantic"));
    assert!(c.confidence.is_some_and(|x| x < 1.0 && x > 0.0));
}

#[test]
fn far_phrasing_stays_no_op() {
    let sem = Parser::new().with_embedder(Arc::new(Trigrams));
    let i = sem.parse("qwzx vbnm plokij");
    assert_eq!(i.status, IntentStatus::NoOp, "{i:?}");
}

#[test]
fn rules_win_over_the_fallback() {
    let sem = Parser::new().with_embedder(Arc::new(Trigrams));
    let i = sem.parse("more energy");
    assert!(i.constraints.iter().all(|c| c.source.is_none()), "{i:?}");
}

#[test]
fn a_failing_embedder_is_harmless() {
    let sem = Parser::new().with_embedder(Arc::new(Broken));
    assert_eq!(
        sem.parse("the room needs to breathe").status,
        IntentStatus::NoOp
    );
    assert_eq!(sem.parse("more energy").status, IntentStatus::Ok);
}

#[test]
fn prototypes_are_valid_language() {
    let protos = flowstate_intent::semantic_prototypes();
    assert!(protos.len() >= 30);
    for p in protos {
        for c in &p.constraints {
            assert!(
                flowstate_intent::validate(c).is_empty(),
                "{}: {c:?}",
                p.phrase
            );
        }
    }
}

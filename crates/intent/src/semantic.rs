//! Semantic fallback: nearest labelled phrase prototype through a sentence encoder.

use std::sync::OnceLock;

use flowstate_types::intent::Constraint;
use serde::Deserialize;

use crate::grammar::{Acc, Cand};
use crate::IntentError;

/// A sentence encoder (the CLI adapts `flowstate_ml::TextEncoder`).
pub trait Embedder: Send + Sync {
    /// One vector per text, same dimension for all.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String>;
}

/// A labelled phrase and the constraints it means (`data/prototypes.jsonl`).
#[derive(Debug, Clone, Deserialize)]
pub struct Prototype {
    pub phrase: String,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

const PROTO_SRC: &str = include_str!("../data/prototypes.jsonl");

/// Parse the prototype file.
pub fn load_prototypes(src: &str) -> Result<Vec<Prototype>, IntentError> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|source| IntentError::Prototype {
                line: n + 1,
                source,
            })
        })
        .collect()
}

pub fn prototypes() -> &'static [Prototype] {
    static P: OnceLock<Vec<Prototype>> = OnceLock::new();
    P.get_or_init(|| load_prototypes(PROTO_SRC).unwrap_or_default())
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut d, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        d += x * y;
        na += x * x;
        nb += y * y;
    }
    if na <= 0.0 || nb <= 0.0 {
        0.0
    } else {
        d / (na.sqrt() * nb.sqrt())
    }
}

/// Best prototype for `text` and its similarity.
pub(crate) fn nearest<'a>(
    q: &[f32],
    protos: &'a [Prototype],
    embs: &[Vec<f32>],
) -> Option<(&'a Prototype, f32)> {
    protos
        .iter()
        .zip(embs)
        .map(|(p, e)| (p, cosine(q, e)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

pub(crate) fn fallback(
    emb: &dyn Embedder,
    cache: &OnceLock<Option<Vec<Vec<f32>>>>,
    threshold: f32,
    acc: &mut Acc,
) {
    let protos = prototypes();
    let embs = cache.get_or_init(|| {
        let texts: Vec<&str> = protos.iter().map(|p| p.phrase.as_str()).collect();
        emb.embed(&texts).ok().filter(|v| v.len() == protos.len())
    });
    let Some(embs) = embs else { return };
    let texts: Vec<&str> = acc.unexplained.iter().map(String::as_str).take(8).collect();
    let Ok(qs) = emb.embed(&texts) else { return };
    for q in &qs {
        let Some((p, sim)) = nearest(q, protos, embs) else {
            continue;
        };
        if sim < threshold || !sim.is_finite() {
            continue;
        }
        if p.constraints.is_empty() {
            acc.vague = true;
            continue;
        }
        for c in &p.constraints {
            let mut c = c.clone();
            c.confidence = Some((f64::from(sim) * 0.9).clamp(0.0, 1.0));
            c.source = Some("semantic".into());
            acc.cands.push(Cand {
                c,
                side_effect: false,
                vague: false,
                situational: false,
                figure: None,
            });
        }
    }
}

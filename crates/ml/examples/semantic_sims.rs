//! Calibration aid for the semantic fallback: for each prompt on stdin (one a line), the two
//! nearest prototypes of `crates/intent/data/prototypes.jsonl` and their cosine similarity.
//! `printf 'like a sunrise on a rooftop\n' | cargo run --release -p flowstate-ml --example semantic_sims`
use flowstate_intent::{semantic_prototypes, Embedder};
use flowstate_ml::{models_dir, LazyPromptEncoder};
/// Both vectors are L2-normalised by the encoder: the dot product is the cosine.
fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()
}
fn main() {
    let e = LazyPromptEncoder::new(&models_dir());
    let protos = semantic_prototypes();
    let pe = e
        .embed(&protos.iter().map(|p| p.phrase.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|e| panic!("{e}"));
    for l in std::io::stdin().lines() {
        let q = l.unwrap_or_else(|e| panic!("{e}"));
        let v = &e.embed(&[q.as_str()]).unwrap_or_else(|e| panic!("{e}"))[0];
        let mut s: Vec<(f32, &str)> = pe
            .iter()
            .zip(protos)
            .map(|(p, pr)| (cos(v, p), pr.phrase.as_str()))
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!(
            "{:45} {:.3} {:35} | {:.3} {}",
            q, s[0].0, s[0].1, s[1].0, s[1].1
        );
    }
}

//! The music tagger as the scan pipeline's ML step (`flowstate_engine::TrackHook`): tag
//! probabilities and the semantic CODEX fields (genre, vibe, mood, vocals, instrumentation;
//! provenance `tagger`) into the document, intro/body/outro embeddings into the corpus.
//! Without installed models the scan runs DSP only and says how to get them.

use flowstate_corpus::EmbeddingRow;
use flowstate_engine::{HookOutput, TrackHook};
use flowstate_types::TrackDoc;
use std::sync::Arc;

pub struct TaggerHook {
    tagger: flowstate_ml::Tagger,
}

impl TrackHook for TaggerHook {
    fn version(&self) -> String {
        "musicnn-1".into()
    }

    fn process(
        &self,
        mono: &[f32],
        sample_rate: u32,
        doc: &mut TrackDoc,
        out: &mut HookOutput,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // A tagger failure (e.g. a clip shorter than one patch) leaves the semantic fields
        // null; it never fails the file, whose DSP analysis is still good.
        let Ok(t) = self.tagger.analyze_at(mono, sample_rate) else {
            return Ok(());
        };
        t.apply_to(doc);
        for (kind, v) in [
            ("intro", &t.emb_intro),
            ("body", &t.emb_body),
            ("outro", &t.emb_outro),
        ] {
            if !v.is_empty() {
                out.embeddings.push(EmbeddingRow {
                    kind: kind.into(),
                    model: t.model.clone(),
                    vector: v.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The tagger hook when the models are installed; `None` (with a hint on stderr) otherwise.
pub fn tagger_hook(enabled: bool) -> Option<Arc<dyn TrackHook>> {
    if !enabled {
        return None;
    }
    match flowstate_ml::Tagger::load(&flowstate_ml::models_dir()) {
        Ok(tagger) => Some(Arc::new(TaggerHook { tagger })),
        Err(e) => {
            eprintln!("note: music tagger not used ({e}); genre/mood stay empty. Install it with `flowstate models fetch`.");
            None
        }
    }
}

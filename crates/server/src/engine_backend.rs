//! The product [`Backend`]: the SQLite corpus (`flowstate-corpus`), the ranker
//! (`flowstate-rank`), the prompt parser (`flowstate-intent`) and the waveform artifact
//! format (`flowstate-analysis`).
//!
//! One corpus connection behind a mutex serves the few SQLite calls the API makes (detail
//! waveform, audio path, history and feedback writes); ranking runs on an in-memory
//! `rank::Snapshot` built once from the corpus documents. Every method is blocking and is
//! called from `spawn_blocking`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use flowstate_analysis::waveform::Waveform;
use flowstate_corpus::Corpus;
use flowstate_rank::{Reason, Snapshot};
use flowstate_types::{Intent, TrackDoc};

use crate::backend::*;

/// Name of the corpus artifact holding a track's waveform (`Waveform::to_bytes`).
pub const WAVEFORM_ARTIFACT: &str = "waveform";

/// Most library words (artists, genres, …) offered as completions.
const MAX_VOCAB: usize = 20_000;

pub struct EngineBackend {
    corpus: Mutex<Corpus>,
    snapshot: OnceLock<Snapshot>,
    vocab: OnceLock<Vec<String>>,
    /// The library's artists, so prompts can name them without "by".
    names: OnceLock<flowstate_intent::Names>,
    parser: flowstate_intent::Parser,
}

fn storage(context: &'static str) -> impl FnOnce(flowstate_corpus::CorpusError) -> BackendError {
    move |e| BackendError::Storage {
        context,
        source: Box::new(e),
    }
}

impl EngineBackend {
    /// Open the corpus at `db` (created if missing).
    pub fn open(db: &Path) -> Result<Self, BackendError> {
        let corpus = Corpus::open(db).map_err(storage("opening the corpus"))?;
        Ok(Self::from_corpus(corpus))
    }

    pub fn from_corpus(corpus: Corpus) -> Self {
        Self {
            corpus: Mutex::new(corpus),
            snapshot: OnceLock::new(),
            vocab: OnceLock::new(),
            names: OnceLock::new(),
            parser: flowstate_intent::Parser::new(),
        }
    }

    /// Use a configured parser (e.g. with the semantic fallback's sentence encoder).
    pub fn with_parser(mut self, parser: flowstate_intent::Parser) -> Self {
        self.parser = parser;
        self
    }

    fn with_corpus<T>(&self, f: impl FnOnce(&mut Corpus) -> T) -> T {
        let mut guard = match self.corpus.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        f(&mut guard)
    }

    fn docs(&self) -> Result<Vec<TrackDoc>, BackendError> {
        let entries = self
            .with_corpus(|c| c.all_entries())
            .map_err(storage("reading tracks"))?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let mut d = e.doc;
                if d.file_path.is_none() {
                    d.file_path = e.path;
                }
                d
            })
            .collect())
    }

    fn snapshot(&self) -> Result<&Snapshot, BackendError> {
        if let Some(s) = self.snapshot.get() {
            return Ok(s);
        }
        let docs = self.docs()?;
        self.init_from(&docs);
        self.snapshot
            .get()
            .ok_or_else(|| BackendError::Unavailable("library not loaded".into()))
    }

    fn init_from(&self, docs: &[TrackDoc]) {
        let _ = self.snapshot.set(Snapshot::build(docs.iter()));
        let _ = self.vocab.set(vocabulary(docs));
        let _ = self.names.set(flowstate_intent::Names::new(
            docs.iter().filter_map(|d| d.artist.as_deref()),
        ));
    }
}

/// Library words for completions: genres, subgenres, vibes, moods, instruments, artists.
fn vocabulary(docs: &[TrackDoc]) -> Vec<String> {
    let mut set = BTreeSet::new();
    for d in docs {
        for s in [&d.genre, &d.subgenre, &d.vibe].into_iter().flatten() {
            set.insert(s.to_lowercase());
        }
        for l in [&d.mood_tags, &d.instrumentation].into_iter().flatten() {
            set.extend(l.iter().map(|s| s.to_lowercase()));
        }
    }
    let mut v: Vec<String> = set.into_iter().collect();
    let artists: BTreeSet<String> = docs.iter().filter_map(|d| d.artist.clone()).collect();
    v.extend(artists);
    v.truncate(MAX_VOCAB);
    v
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    }
}

/// One short line per reason, for the recommendation cards.
pub fn reason_lines(reasons: &[Reason]) -> Vec<String> {
    let mut out = Vec::new();
    for r in reasons {
        let line = match r {
            Reason::Energy { from, to } if from == to => format!("energy {} (same)", fmt_num(*to)),
            Reason::Energy { from, to } => format!("energy {}→{}", fmt_num(*from), fmt_num(*to)),
            Reason::Key {
                from,
                to,
                steps,
                score,
                waived,
            } => {
                let rel = if from == to {
                    "same key".to_string()
                } else if *steps == 0 {
                    "relative".to_string()
                } else {
                    format!("{}{steps}", if *steps > 0 { "+" } else { "" })
                };
                format!(
                    "key {from}→{to} ({rel}, compatibility {score:.1}){}",
                    if *waived { ", key rule waived" } else { "" }
                )
            }
            Reason::Tempo {
                from,
                to,
                pct,
                fold,
                waived,
            } => format!(
                "{}→{} BPM ({pct:+.1}%{}){}",
                fmt_num(*from),
                fmt_num(*to),
                fold.as_deref()
                    .map(|f| format!(", {f} time"))
                    .unwrap_or_default(),
                if *waived { ", tempo rule waived" } else { "" }
            ),
            Reason::Vibe { from, to } => format!("vibe {from}→{to}"),
            Reason::Genre { from, to } => format!("genre {from}→{to}"),
            Reason::Constraint {
                text, satisfied, ..
            } => {
                format!("{} {text}", if *satisfied { "✓" } else { "✗" })
            }
            Reason::MixIn { ease } if *ease >= 8.0 => format!("easy mix-in ({})", fmt_num(*ease)),
            Reason::MixIn { .. } => continue,
            Reason::Embedding { similarity } if *similarity > 0.8 => {
                format!("smooth outro→intro ({similarity:.2})")
            }
            Reason::Embedding { .. } => continue,
            Reason::LowEndClash { clash } if *clash > 0.6 => "watch the low end".to_string(),
            Reason::LowEndClash { .. } => continue,
            Reason::Hype { .. } => continue,
            Reason::SameArtist {
                artist,
                as_current: true,
            } => format!("same artist ({artist})"),
            Reason::SameArtist { artist, .. } => format!("{artist} played recently"),
            Reason::Duplicate { of } => format!("possible duplicate of {of}"),
            Reason::Relaxed { failed } => format!("relaxed: fails {}", failed.join(", ")),
        };
        out.push(line);
    }
    out
}

/// The last word of a suggestion, or the chip appended, as a short label.
fn label_of(prefix: &str, text: &str) -> String {
    let base = prefix.trim_end();
    // a chip appended to what was typed: "base, chip"
    if !base.is_empty() {
        if let Some(rest) = text.strip_prefix(base).and_then(|r| r.strip_prefix(',')) {
            let rest = rest.trim_start();
            if !rest.is_empty() {
                return rest.to_string();
            }
        }
    }
    // a completion of the words being typed ("more carl c" -> "more Carl Cox"): drop the
    // typed words the suggestion keeps as they are
    let head = prefix
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, c)| &prefix[..i + c.len_utf8()])
        .rfind(|h| text.starts_with(h))
        .unwrap_or("");
    text.strip_prefix(head).unwrap_or(text).to_string()
}

impl Backend for EngineBackend {
    fn load_tracks(&self) -> Result<Vec<TrackDoc>, BackendError> {
        let docs = self.docs()?;
        self.init_from(&docs);
        Ok(docs)
    }

    fn waveform(&self, track_id: &str) -> Result<Option<WaveformData>, BackendError> {
        let blob = self
            .with_corpus(|c| c.get_artifact(track_id, WAVEFORM_ARTIFACT))
            .map_err(storage("reading a waveform"))?;
        let Some(blob) = blob else { return Ok(None) };
        match Waveform::from_bytes(&blob) {
            Ok(w) if !w.is_empty() && w.duration_s > 0.0 => Ok(Some(WaveformData {
                points_per_second: w.len() as f64 / f64::from(w.duration_s),
                low: w.low,
                mid: w.mid,
                high: w.high,
            })),
            Ok(_) => Ok(None),
            Err(e) => {
                tracing::warn!(track_id, error = %e, "unreadable waveform artifact");
                Ok(None)
            }
        }
    }

    fn audio_path(&self, track_id: &str) -> Result<Option<PathBuf>, BackendError> {
        let entry = self
            .with_corpus(|c| c.get(track_id))
            .map_err(storage("reading a track"))?;
        Ok(entry
            .and_then(|e| e.path.or(e.doc.file_path))
            .map(PathBuf::from))
    }

    fn parse_intent(&self, prompt: &str) -> Intent {
        // the library's artists, once it is loaded (a prompt before that is read without them)
        let _ = self.snapshot();
        match self.names.get() {
            Some(n) => self.parser.parse_with(prompt, n),
            None => self.parser.parse(prompt),
        }
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        let vocab = self.vocab.get().map(Vec::as_slice).unwrap_or(&[]);
        flowstate_intent::suggest(prefix, vocab, limit)
            .into_iter()
            .map(|s| {
                let kind = match s.kind {
                    flowstate_intent::SuggestionKind::Completion => "completion",
                    flowstate_intent::SuggestionKind::Library => "library",
                    flowstate_intent::SuggestionKind::Chip => "chip",
                };
                Suggestion {
                    label: label_of(prefix, &s.text),
                    text: s.text,
                    kind: kind.into(),
                }
            })
            .collect()
    }

    fn recommend(
        &self,
        current: &str,
        history: &[String],
        prompt: Option<&str>,
        limit: usize,
    ) -> Result<Recommendation, BackendError> {
        let snap = self.snapshot()?;
        let intent = match prompt {
            Some(p) => self.parse_intent(p),
            None => Intent::no_op(),
        };
        let mut req = flowstate_rank::Request::new(current, intent.clone());
        req.history = history.to_vec();
        req.top = limit;
        let rec = flowstate_rank::recommend(snap, &req).map_err(|e| match e {
            flowstate_rank::RankError::UnknownCurrent(id) => BackendError::TrackNotFound(id),
            #[allow(unreachable_patterns)]
            other => BackendError::InvalidInput(other.to_string()),
        })?;
        let results = rec
            .ranked
            .into_iter()
            .map(|r| {
                let mut reasons = reason_lines(&r.reasons);
                if r.relaxed && !reasons.iter().any(|l| l.starts_with("relaxed")) {
                    reasons.push("relaxed: does not pass every filter".into());
                }
                RankedTrack {
                    track_id: r.track_id,
                    score: r.score,
                    reasons,
                }
            })
            .collect();
        Ok(Recommendation {
            intent: prompt.map(|_| intent),
            results,
            notes: rec.notes,
        })
    }

    fn record_play(&self, session: &str, track_id: &str) -> Result<(), BackendError> {
        self.with_corpus(|c| c.append_history(session, track_id, None))
            .map(|_| ())
            .map_err(storage("recording a play"))
    }

    fn record_feedback(&self, f: &FeedbackInput) -> Result<(), BackendError> {
        let ctx = serde_json::json!({
            "session": f.session,
            "current_id": f.current_id,
            "prompt": f.prompt,
            "source": "server",
        });
        self.with_corpus(|c| c.add_feedback(&f.track_id, f.action.as_str(), Some(&ctx)))
            .map(|_| ())
            .map_err(storage("storing feedback"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_show_what_a_suggestion_adds() {
        assert_eq!(label_of("more d", "more darker"), "darker");
        assert_eq!(label_of("", "darker"), "darker");
        assert_eq!(label_of("darker ", "darker, same key"), "same key");
        assert_eq!(label_of("tec", "techno"), "techno");
        assert_eq!(label_of("zzz", "zzz, more energy"), "more energy");
        assert_eq!(label_of("more carl c", "more Carl Cox"), "Carl Cox");
    }

    #[test]
    fn reason_lines_are_short_and_skip_noise() {
        let l = reason_lines(&[
            Reason::Energy { from: 6.0, to: 8.0 },
            Reason::Tempo {
                from: 126.0,
                to: 128.0,
                pct: 1.587,
                fold: None,
                waived: false,
            },
            Reason::MixIn { ease: 3.0 },
            Reason::Hype { value: 0.4 },
            Reason::Relaxed {
                failed: vec!["bpm".into()],
            },
        ]);
        assert_eq!(
            l,
            vec!["energy 6→8", "126→128 BPM (+1.6%)", "relaxed: fails bpm"]
        );
    }
}

//! A compact, columnar view of a library built once from its track documents: numeric columns,
//! interned closed-vocabulary ids, key indices and term ids, so a query never touches strings
//! per candidate except for free-text `contains` checks on tracks that passed every cheaper test.

use crate::vocab::{fold, norm_value, terms_of_list, terms_of_text};
use flowstate_types::{Attr, CamelotKey, Mode, TrackDoc};
use std::collections::HashMap;

/// Key index value of a track whose key is unknown.
pub(crate) const NO_KEY: u8 = u8::MAX;

/// The closed attributes, in column order.
pub(crate) const CLOSED_ATTRS: [Attr; 9] = [
    Attr::Intensity,
    Attr::Vibe,
    Attr::GrooveStyle,
    Attr::TempoFeel,
    Attr::VocalPresence,
    Attr::VocalStyle,
    Attr::Language,
    Attr::Genre,
    Attr::Subgenre,
];

/// The 1–10 numeric attributes, in column order (bpm has its own f64 column).
pub(crate) const SCALE_ATTRS: [Attr; 4] = [
    Attr::Energy,
    Attr::Danceability,
    Attr::MixInEase,
    Attr::MixOutEase,
];

/// The list/text attributes, in column order.
pub(crate) const TEXT_ATTRS: [Attr; 4] = [
    Attr::MoodTags,
    Attr::Instrumentation,
    Attr::ProductionStyle,
    Attr::Description,
];

pub(crate) fn closed_col(attr: Attr) -> Option<usize> {
    CLOSED_ATTRS.iter().position(|a| *a == attr)
}

pub(crate) fn scale_col(attr: Attr) -> Option<usize> {
    SCALE_ATTRS.iter().position(|a| *a == attr)
}

pub(crate) fn text_col(attr: Attr) -> Option<usize> {
    TEXT_ATTRS.iter().position(|a| *a == attr)
}

pub(crate) fn key_index(k: CamelotKey) -> u8 {
    k.number() - 1 + if k.mode() == Mode::Major { 12 } else { 0 }
}

pub(crate) fn key_of_index(i: u8) -> Option<CamelotKey> {
    if i >= 24 {
        return None;
    }
    let mode = if i >= 12 { Mode::Major } else { Mode::Minor };
    CamelotKey::new(i % 12 + 1, mode)
}

/// String interner: id 0 is reserved for "missing".
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    map: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn new() -> Self {
        Self {
            map: HashMap::new(),
            names: vec![String::new()],
        }
    }

    fn intern(&mut self, s: String) -> u32 {
        if let Some(&id) = self.map.get(&s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.map.insert(s.clone(), id);
        self.names.push(s);
        id
    }

    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// One list/text attribute: per track, its term ids and its folded text.
#[derive(Debug, Default, Clone)]
pub(crate) struct TextCol {
    term_off: Vec<u32>,
    terms: Vec<u32>,
    text_off: Vec<u32>,
    text: String,
    present: Vec<bool>,
}

impl TextCol {
    fn push(&mut self, terms: &mut Interner, list: Option<Vec<String>>, text: Option<String>) {
        self.present.push(list.is_some() || text.is_some());
        let (ts, folded) = match (list, text) {
            (Some(items), _) => {
                let joined = fold(&items.join(" "));
                (terms_of_list(&items), joined)
            }
            (None, Some(t)) => (terms_of_text(&t), fold(&t)),
            (None, None) => (Vec::new(), String::new()),
        };
        for t in ts {
            let id = terms.intern(t);
            self.terms.push(id);
        }
        self.term_off.push(self.terms.len() as u32);
        self.text.push_str(&folded);
        self.text_off.push(self.text.len() as u32);
    }

    pub(crate) fn terms(&self, i: usize) -> &[u32] {
        let a = if i == 0 {
            0
        } else {
            self.term_off[i - 1] as usize
        };
        &self.terms[a..self.term_off[i] as usize]
    }

    pub(crate) fn text(&self, i: usize) -> &str {
        let a = if i == 0 {
            0
        } else {
            self.text_off[i - 1] as usize
        };
        &self.text[a..self.text_off[i] as usize]
    }

    pub(crate) fn present(&self, i: usize) -> bool {
        self.present[i]
    }
}

/// The ranking view of a library. Build once with [`Snapshot::build`], query many times.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(crate) ids: Vec<String>,
    pub(crate) id_index: HashMap<String, u32>,
    pub(crate) path_index: HashMap<String, u32>,
    pub(crate) bpm: Vec<f64>,
    pub(crate) scales: [Vec<f32>; 4],
    pub(crate) key: Vec<u8>,
    pub(crate) closed: [Vec<u16>; 9],
    pub(crate) vocab: [Interner; 9],
    pub(crate) artist: Vec<u32>,
    pub(crate) artists: Interner,
    /// The separate credits of a track's artist field ("A feat. B": A and B), interned in
    /// `artists`; empty when the field names one artist.
    pub(crate) credits: Vec<Vec<u32>>,
    /// Folded "artist\u{1f}title" id (0 when either is missing): same song, another file.
    pub(crate) dup: Vec<u32>,
    pub(crate) text: [TextCol; 4],
    pub(crate) term_ids: Interner,
    pub(crate) hype: Vec<f32>,
    pub(crate) low_end: Vec<[f32; 3]>,
    /// Percussive share of the signal (HPSS), NaN when not measured.
    pub(crate) percussive: Vec<f32>,
    pub(crate) titles: Vec<Option<String>>,
    /// Harmonic compatibility from key index a (row) to key index b (column).
    pub(crate) compat: [[f64; 24]; 24],
}

/// Percussive share (HPSS power) from which a track has drums, and below which it has none
/// (beatless or nearly: pads, a lone shaker). Between them, and for sparse kits, the audio
/// does not say. Round values: dance tracks with a full kit measure ≈ 0.25–0.8, sparse
/// ambient kits ≈ 0.1–0.15 on the eval corpus.
/// The text column of `instrumentation` (mood tags, instrumentation, production style,
/// description).
pub(crate) const INSTRUMENTATION_COL: usize = 1;
pub(crate) const DRUMS_PRESENT: f32 = 0.2;
pub(crate) const DRUMS_ABSENT: f32 = 0.08;
/// Sub (20–60 Hz) share of the track's power (CODEX `low_end.sub`) from which it has a heavy
/// sub, and below which it has next to none (its kick and bass sit above 60 Hz).
pub(crate) const SUB_PRESENT: f32 = 0.2;
pub(crate) const SUB_ABSENT: f32 = 0.05;

fn f32_or_nan(v: Option<f64>) -> f32 {
    v.filter(|x| x.is_finite()).map_or(f32::NAN, |x| x as f32)
}

impl Snapshot {
    /// Builds the view. Documents with an empty id are skipped; a repeated id keeps its last
    /// document.
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a TrackDoc>) -> Self {
        // last document wins for repeated ids
        let mut order: Vec<&TrackDoc> = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for d in docs {
            if d.track_id.trim().is_empty() {
                continue;
            }
            match seen.get(d.track_id.as_str()) {
                Some(&at) => order[at] = d,
                None => {
                    seen.insert(d.track_id.as_str(), order.len());
                    order.push(d);
                }
            }
        }
        let n = order.len();
        let mut s = Snapshot {
            ids: Vec::with_capacity(n),
            id_index: HashMap::with_capacity(n),
            path_index: HashMap::new(),
            bpm: Vec::with_capacity(n),
            scales: Default::default(),
            key: Vec::with_capacity(n),
            closed: Default::default(),
            vocab: std::array::from_fn(|_| Interner::new()),
            artist: Vec::with_capacity(n),
            artists: Interner::new(),
            credits: Vec::with_capacity(n),
            dup: Vec::with_capacity(n),
            text: Default::default(),
            term_ids: Interner::new(),
            hype: Vec::with_capacity(n),
            low_end: Vec::with_capacity(n),
            percussive: Vec::with_capacity(n),
            titles: Vec::with_capacity(n),
            compat: [[0.0; 24]; 24],
        };
        let mut dups = Interner::new();
        for a in 0..24u8 {
            for b in 0..24u8 {
                if let (Some(ka), Some(kb)) = (key_of_index(a), key_of_index(b)) {
                    s.compat[a as usize][b as usize] = ka.compatibility(kb);
                }
            }
        }
        for (i, d) in order.into_iter().enumerate() {
            s.id_index.insert(d.track_id.clone(), i as u32);
            if let Some(p) = d.file_path.as_deref().filter(|p| !p.is_empty()) {
                s.path_index.insert(p.to_string(), i as u32);
            }
            s.ids.push(d.track_id.clone());
            s.bpm.push(
                d.bpm
                    .filter(|b| b.is_finite() && *b > 0.0)
                    .unwrap_or(f64::NAN),
            );
            let energy = d
                .energy
                .map(f64::from)
                .or(d.energy_score.map(|e| e.round()));
            s.scales[0].push(f32_or_nan(energy));
            s.scales[1].push(f32_or_nan(d.danceability.map(f64::from)));
            s.scales[2].push(f32_or_nan(d.mix_in_ease.map(f64::from)));
            s.scales[3].push(f32_or_nan(d.mix_out_ease.map(f64::from)));
            s.key.push(d.camelot().map_or(NO_KEY, key_index));
            let closed_vals: [Option<&String>; 9] = [
                d.intensity.as_ref(),
                d.vibe.as_ref(),
                d.groove_style.as_ref(),
                d.tempo_feel.as_ref(),
                d.vocal_presence.as_ref(),
                d.vocal_style.as_ref(),
                d.language.as_ref(),
                d.genre.as_ref(),
                d.subgenre.as_ref(),
            ];
            for (c, v) in closed_vals.iter().enumerate() {
                let id = match v {
                    Some(v) if !v.trim().is_empty() => {
                        let id = s.vocab[c].intern(norm_value(CLOSED_ATTRS[c], v));
                        u16::try_from(id).unwrap_or(u16::MAX)
                    }
                    _ => 0,
                };
                s.closed[c].push(id);
            }
            let artist = d.artist.as_deref().map(fold).filter(|a| !a.is_empty());
            let title = d.title.as_deref().map(fold).filter(|t| !t.is_empty());
            s.artist
                .push(artist.clone().map_or(0, |a| s.artists.intern(a)));
            let credits = d
                .artist
                .as_deref()
                .map(flowstate_types::artist_credits)
                .filter(|c| c.len() > 1)
                .unwrap_or_default();
            s.credits.push(
                credits
                    .into_iter()
                    .map(|c| s.artists.intern(fold(c)))
                    .collect(),
            );
            s.dup.push(match (&artist, &title) {
                (Some(a), Some(t)) => dups.intern(format!("{a}\u{1f}{}", strip_mix_suffix(t))),
                _ => 0,
            });
            s.text[0].push(&mut s.term_ids, d.mood_tags.clone(), None);
            s.text[INSTRUMENTATION_COL].push(&mut s.term_ids, d.instrumentation.clone(), None);
            s.text[2].push(&mut s.term_ids, None, d.production_style.clone());
            s.text[3].push(&mut s.term_ids, None, d.description.clone());
            s.hype.push(f32_or_nan(d.hype));
            s.low_end.push(match d.low_end {
                Some(l) => [l.sub as f32, l.bass as f32, l.low_mid as f32],
                None => [f32::NAN; 3],
            });
            // drums need a beat the tracker trusts as well as percussive power: without one,
            // the share can still say "no drums" but never "drums" (capped in the gap)
            s.percussive
                .push(match (d.percussive_ratio, d.bpm_confidence) {
                    (Some(p), Some(c)) if c < 0.5 => f32_or_nan(Some(p.min(DRUMS_ABSENT as f64))),
                    (Some(p), _) => f32_or_nan(Some(p)),
                    (None, _) => f32::NAN,
                });
            s.titles.push(d.title.clone());
        }
        s
    }

    /// Whether track `i` has any of `terms` by what the audio analysis measured, for terms
    /// that all name parts it can hear: "percussion" (the drums: percussive share of the
    /// signal ≥ [`DRUMS_PRESENT`] with a trusted beat, absent below [`DRUMS_ABSENT`]) and
    /// "sub bass" (sub share of the low end ≥ [`SUB_PRESENT`], absent below [`SUB_ABSENT`]).
    /// `None` when a term is something else or a measure falls between the two bounds.
    pub(crate) fn heard_parts<'t>(
        &self,
        i: usize,
        terms: impl Iterator<Item = &'t str>,
    ) -> Option<bool> {
        let level = |v: f32, absent: f32, present: f32| -> Option<bool> {
            if v.is_nan() {
                None
            } else if v >= present {
                Some(true)
            } else if v < absent {
                Some(false)
            } else {
                None
            }
        };
        let mut any = false;
        let mut asked = false;
        for t in terms {
            asked = true;
            let h = match t {
                "percussion" => level(self.percussive[i], DRUMS_ABSENT, DRUMS_PRESENT)?,
                "sub bass" => level(self.low_end[i][0], SUB_ABSENT, SUB_PRESENT)?,
                _ => return None,
            };
            any |= h;
        }
        asked.then_some(any)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Index of a track by id, or by file path.
    pub fn find(&self, id_or_path: &str) -> Option<usize> {
        self.id_index
            .get(id_or_path)
            .or_else(|| self.path_index.get(id_or_path))
            .map(|&i| i as usize)
    }

    pub fn track_id(&self, i: usize) -> Option<&str> {
        self.ids.get(i).map(String::as_str)
    }

    /// Track `i` is by one of `ids`: its whole artist field, or one of its credits.
    pub(crate) fn by_any(&self, i: usize, ids: &[u32]) -> bool {
        ids.contains(&self.artist[i]) || self.credits[i].iter().any(|c| ids.contains(c))
    }

    /// The track's artist as stored (folded), empty when unknown.
    pub fn artist_name(&self, i: usize) -> &str {
        self.artist.get(i).map_or("", |&a| self.artists.name(a))
    }

    pub fn title(&self, i: usize) -> Option<&str> {
        self.titles.get(i).and_then(|t| t.as_deref())
    }

    pub(crate) fn closed_name(&self, col: usize, i: usize) -> Option<&str> {
        let id = self.closed[col][i];
        (id != 0).then(|| self.vocab[col].name(u32::from(id)))
    }

    #[cfg(test)]
    pub(crate) fn term_id(&self, term: &str) -> Option<u32> {
        self.term_ids.get(&crate::vocab::norm_term(term))
    }

    /// Approximate heap size of the view in bytes (for the memory report).
    pub fn heap_bytes(&self) -> usize {
        let n = self.len();
        let strings: usize = self.ids.iter().map(|s| s.capacity() + 24).sum::<usize>()
            + self
                .titles
                .iter()
                .map(|t| t.as_ref().map_or(0, |s| s.capacity()) + 24)
                .sum::<usize>();
        let text: usize = self
            .text
            .iter()
            .map(|t| {
                t.text.capacity()
                    + 4 * (t.terms.capacity() + t.term_off.capacity() + t.text_off.capacity())
                    + n
            })
            .sum();
        strings * 2 // ids also live in the index map
            + n * (8 + 16 + 1 + 18 + 4 + 4 + 4 + 12)
            + text
            + self.id_index.capacity() * 16
    }
}

/// "Title (Original Mix)" and "Title" are the same song for duplicate detection.
fn strip_mix_suffix(t: &str) -> &str {
    match t.find(" (") {
        Some(p) if t.ends_with(" mix)") || t.ends_with(" edit)") || t.ends_with("remaster)") => {
            &t[..p]
        }
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> TrackDoc {
        TrackDoc {
            track_id: id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn key_index_roundtrip() {
        for k in CamelotKey::all() {
            assert_eq!(key_of_index(key_index(k)), Some(k));
        }
        assert_eq!(key_of_index(NO_KEY), None);
    }

    #[test]
    fn builds_columns_and_dedups_ids() {
        let mut a = doc("a");
        a.bpm = Some(124.0);
        a.key = Some("Am".into());
        a.genre = Some("DnB".into());
        a.instrumentation = Some(vec!["Sax".into(), "Strings".into()]);
        a.artist = Some("Echo Lab".into());
        a.title = Some("Wild (Original Mix)".into());
        let mut a2 = a.clone();
        a2.bpm = Some(126.0);
        let mut b = doc("b");
        b.artist = Some("echo  lab".into());
        b.title = Some("wild".into());
        let s = Snapshot::build([&a, &b, &a2, &doc("")]);
        assert_eq!(s.len(), 2);
        let ia = s.find("a").unwrap_or(usize::MAX);
        assert_eq!(s.bpm[ia], 126.0);
        assert_eq!(
            key_of_index(s.key[ia]).map(|k| k.camelot()),
            Some("8A".into())
        );
        assert_eq!(s.closed_name(7, ia), Some("drum and bass"));
        assert!(s.text[1]
            .terms(ia)
            .contains(&s.term_id("saxophone").unwrap_or(0)));
        assert!(s.bpm[1].is_nan());
        assert_eq!(s.key[1], NO_KEY);
        assert_eq!(s.artist[0], s.artist[1]);
        assert_eq!(s.dup[0], s.dup[1]);
        assert_ne!(s.dup[0], 0);
        assert!(s.heap_bytes() > 0);
    }
}

//! The in-memory snapshot of the library the API filters, sorts and pages.
//! Loaded once (in the background at start-up, see `AppState::warm`) from
//! `Backend::load_tracks`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use flowstate_types::{CamelotKey, TrackDoc};

use crate::dto::{TrackPage, TrackSummary};

pub struct Catalog {
    docs: Vec<TrackDoc>,
    by_id: HashMap<String, usize>,
    /// Lower-cased searchable text per document.
    haystack: Vec<String>,
    keys: Vec<Option<CamelotKey>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Title,
    Artist,
    Bpm,
    Key,
    Energy,
    Genre,
    Duration,
}

impl SortField {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "title" => SortField::Title,
            "artist" => SortField::Artist,
            "bpm" => SortField::Bpm,
            "key" => SortField::Key,
            "energy" => SortField::Energy,
            "genre" => SortField::Genre,
            "duration" => SortField::Duration,
            _ => return None,
        })
    }
}

/// A validated track query.
#[derive(Debug, Clone, Default)]
pub struct TrackFilter {
    pub terms: Vec<String>,
    pub bpm_min: Option<f64>,
    pub bpm_max: Option<f64>,
    pub energy_min: Option<f64>,
    pub energy_max: Option<f64>,
    pub keys: Vec<CamelotKey>,
    /// Keep tracks harmonically compatible (score ≥ 0.6) with this key.
    pub compatible_with: Option<CamelotKey>,
    pub genres: Vec<String>,
    pub sort: Option<(SortField, bool)>,
    pub offset: usize,
    pub limit: usize,
}

/// Compatibility at or above which the key filter keeps a track.
pub const COMPATIBLE_MIN: f64 = 0.6;

impl Catalog {
    pub fn new(docs: Vec<TrackDoc>) -> Self {
        let mut by_id = HashMap::with_capacity(docs.len());
        let mut haystack = Vec::with_capacity(docs.len());
        let mut keys = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            by_id.entry(d.track_id.clone()).or_insert(i);
            let k = d.camelot();
            let mut h = String::new();
            for s in [
                &d.title,
                &d.artist,
                &d.album,
                &d.genre,
                &d.subgenre,
                &d.vibe,
            ]
            .into_iter()
            .flatten()
            {
                h.push_str(&s.to_lowercase());
                h.push(' ');
            }
            if let Some(k) = k {
                h.push_str(&k.camelot().to_lowercase());
                h.push(' ');
                h.push_str(&k.classic().to_lowercase());
            }
            haystack.push(h);
            keys.push(k);
        }
        Self {
            docs,
            by_id,
            haystack,
            keys,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&TrackDoc> {
        self.by_id.get(id).and_then(|&i| self.docs.get(i))
    }

    pub fn summary(&self, id: &str) -> Option<TrackSummary> {
        self.get(id).map(TrackSummary::from_doc)
    }

    /// Genres with their track counts, most common first.
    pub fn genres(&self) -> Vec<(String, usize)> {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for d in &self.docs {
            if let Some(g) = &d.genre {
                *m.entry(g.clone()).or_default() += 1;
            }
        }
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    pub fn bpm_range(&self) -> Option<(f64, f64)> {
        let mut it = self
            .docs
            .iter()
            .filter_map(|d| d.bpm)
            .filter(|b| b.is_finite());
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), b| (lo.min(b), hi.max(b))))
    }

    fn matches(&self, i: usize, f: &TrackFilter) -> bool {
        let (Some(d), Some(h)) = (self.docs.get(i), self.haystack.get(i)) else {
            return false;
        };
        if !f.terms.iter().all(|t| h.contains(t.as_str())) {
            return false;
        }
        let in_range = |v: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
            if lo.is_none() && hi.is_none() {
                return true;
            }
            match v {
                Some(v) => lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v <= hi),
                None => false,
            }
        };
        if !in_range(d.bpm, f.bpm_min, f.bpm_max) {
            return false;
        }
        let energy = d.energy.map(f64::from).or(d.energy_score);
        if !in_range(energy, f.energy_min, f.energy_max) {
            return false;
        }
        let key = self.keys.get(i).copied().flatten();
        if !f.keys.is_empty() && !key.is_some_and(|k| f.keys.contains(&k)) {
            return false;
        }
        if let Some(c) = f.compatible_with {
            if !key.is_some_and(|k| c.compatibility(k) >= COMPATIBLE_MIN) {
                return false;
            }
        }
        if !f.genres.is_empty() {
            let g = d.genre.as_deref().map(str::to_lowercase);
            if !g.is_some_and(|g| f.genres.contains(&g)) {
                return false;
            }
        }
        true
    }

    pub fn query(&self, f: &TrackFilter) -> TrackPage {
        let mut idx: Vec<usize> = (0..self.docs.len())
            .filter(|&i| self.matches(i, f))
            .collect();
        if let Some((field, desc)) = f.sort {
            idx.sort_by(|&a, &b| {
                let (Some(da), Some(db)) = (self.docs.get(a), self.docs.get(b)) else {
                    return Ordering::Equal;
                };
                let ka = self.keys.get(a).copied().flatten();
                let kb = self.keys.get(b).copied().flatten();
                let o = compare(field, da, db, ka, kb, desc);
                o.then_with(|| da.track_id.cmp(&db.track_id))
            });
        }
        let total = idx.len();
        let items = idx
            .iter()
            .skip(f.offset)
            .take(f.limit)
            .filter_map(|&i| self.docs.get(i))
            .map(TrackSummary::from_doc)
            .collect();
        TrackPage {
            total,
            offset: f.offset,
            limit: f.limit,
            items,
        }
    }
}

/// Missing values sort last in either direction.
fn compare(
    field: SortField,
    a: &TrackDoc,
    b: &TrackDoc,
    ka: Option<CamelotKey>,
    kb: Option<CamelotKey>,
    desc: bool,
) -> Ordering {
    fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let lc = |s: &Option<String>| s.as_ref().map(|s| s.to_lowercase());
    match field {
        SortField::Title => opt(lc(&a.title), lc(&b.title), desc),
        SortField::Artist => opt(lc(&a.artist), lc(&b.artist), desc),
        SortField::Bpm => opt(a.bpm, b.bpm, desc),
        SortField::Key => opt(ka, kb, desc),
        SortField::Energy => opt(
            a.energy_score.or(a.energy.map(f64::from)),
            b.energy_score.or(b.energy.map(f64::from)),
            desc,
        ),
        SortField::Genre => opt(lc(&a.genre), lc(&b.genre), desc),
        SortField::Duration => opt(a.duration_seconds, b.duration_seconds, desc),
    }
}

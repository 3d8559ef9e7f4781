//! flowstate-rank: prompt-aware next-track ranking. Pure and deterministic:
//! retrieve (columnar scan of a [`Snapshot`]) → hard filters → scoring → explanations.
//!
//! Semantics follow `shared/eval/intent/README.md` §3 (constraint language) and §6.3:
//!
//! * **Hard filters**: every hard constraint of the intent (evaluated against the current
//!   track); Camelot compatibility ≥ 0.6, waived when the intent sets a hard key constraint;
//!   tempo mixable (±6 %, half/double time), waived when the intent sets a hard `tempo_feel`
//!   constraint, a hard genre/subgenre set (`in`/`equals`/`not_in`), or a hard `bpm`
//!   constraint that no BPM within ±6 % of the current track satisfies ("140" from 124 waives
//!   it, "not slower" does not: a DJ asking not to slow down still needs a mixable tempo); never the
//!   current or history tracks, never a duplicate id. Hard constraints on attributes the intent
//!   marks ambiguous are demoted to soft. A hard constraint that cannot be evaluated (no value
//!   of the vocabulary, or the current track lacks the attribute for a relative operator) is not
//!   applied and a note says so.
//! * **Score** (higher is better): `0.35·soft + 0.25·keep_rest + 0.20·harmonic + 0.10·tempo +
//!   0.10·mix_in` (the README's graded relevance, used as the base), plus small product terms:
//!   energy trajectory toward the goal (maintain/up/down/peak), vibe and subgenre continuity,
//!   hype, outro→intro embedding similarity (when embeddings exist), a low-end clash penalty
//!   (when low-end profiles exist), and diversity penalties (same artist as the current or a
//!   history track, near-duplicates, repeated artists within the list).
//! * **Fewer than `top` pass**: with `relax` (the default) the list is padded with the
//!   candidates that fail the fewest filters, each marked `relaxed` with the failed filters
//!   named in a [`Reason::Relaxed`]; without `relax` the list is just shorter. Either way
//!   [`Recommendation::eligible`] says how many passed.

mod compile;
mod mask;
mod snapshot;
pub mod vocab;

pub use mask::hard_mask;
pub use snapshot::Snapshot;

use compile::{describe, Compiled, Test};
use flowstate_types::{
    tempo_ratio, Attr, Constraint, Intent, IntentStatus, Op, TEMPO_MIX_TOLERANCE,
};
use serde::Serialize;
use snapshot::{closed_col, key_of_index, NO_KEY};
use std::sync::Arc;

/// Harmonic compatibility a mix needs (README §3.3).
pub const HARMONIC_MIN: f64 = 0.6;

// Base weights: the README §6.3 graded relevance.
const W_SOFT: f64 = 0.35;
const W_REST: f64 = 0.25;
const W_HARM: f64 = 0.20;
const W_TEMPO: f64 = 0.10;
const W_MIX: f64 = 0.10;
// Product terms: small, so they order tracks of similar relevance rather than override it.
const W_TRAJ: f64 = 0.04;
const W_VIBE_NEAR: f64 = 0.02;
const W_SUBGENRE: f64 = 0.02;
const W_HYPE: f64 = 0.02;
const W_LOW_END: f64 = 0.04;
const W_TIE_HARM: f64 = 0.01;
const P_SAME_ARTIST_CURRENT: f64 = 0.05;
const P_SAME_ARTIST_HISTORY: f64 = 0.03;
const P_DUPLICATE: f64 = 0.5;
const P_ARTIST_REPEAT: f64 = 0.04;
/// Embedding cosine above which two tracks count as near-duplicates.
const DUP_COSINE: f32 = 0.995;

#[derive(Debug, thiserror::Error)]
pub enum RankError {
    #[error("the current track {0:?} is not in the library (give a track id or a file path)")]
    UnknownCurrent(String),
}

/// Per-track intro/outro embeddings aligned with a snapshot (L2-normalised rows).
#[derive(Debug, Clone)]
pub struct Embeddings {
    dim: usize,
    intro: Vec<f32>,
    outro: Vec<f32>,
    present: Vec<bool>,
}

impl Embeddings {
    /// Empty table for `snapshot` (no track has an embedding yet).
    pub fn new(snapshot: &Snapshot, dim: usize) -> Self {
        let n = snapshot.len();
        Self {
            dim,
            intro: vec![0.0; n * dim],
            outro: vec![0.0; n * dim],
            present: vec![false; n],
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Sets the intro and outro embedding of track `id`. Returns false when the id is unknown,
    /// a length differs from `dim`, or a vector is zero or not finite.
    pub fn set(&mut self, snapshot: &Snapshot, id: &str, intro: &[f32], outro: &[f32]) -> bool {
        let Some(i) = snapshot.find(id) else {
            return false;
        };
        if intro.len() != self.dim || outro.len() != self.dim || i >= self.present.len() {
            return false;
        }
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let (ni, no) = (norm(intro), norm(outro));
        if !(ni.is_finite() && no.is_finite() && ni > 0.0 && no > 0.0) {
            return false;
        }
        let r = i * self.dim..(i + 1) * self.dim;
        for (d, s) in self.intro[r.clone()].iter_mut().zip(intro) {
            *d = s / ni;
        }
        for (d, s) in self.outro[r].iter_mut().zip(outro) {
            *d = s / no;
        }
        self.present[i] = true;
        true
    }

    pub fn count(&self) -> usize {
        self.present.iter().filter(|p| **p).count()
    }

    fn has(&self, i: usize) -> bool {
        self.present.get(i).copied().unwrap_or(false)
    }

    fn row<'a>(&self, v: &'a [f32], i: usize) -> &'a [f32] {
        &v[i * self.dim..(i + 1) * self.dim]
    }

    /// Cosine of the outro of `a` with the intro of `b`.
    fn transition(&self, a: usize, b: usize) -> f32 {
        dot(self.row(&self.outro, a), self.row(&self.intro, b))
    }

    fn same_sound(&self, a: usize, b: usize) -> f32 {
        dot(self.row(&self.intro, a), self.row(&self.intro, b))
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Inference mode (CODEX white paper §3.3).
#[derive(Debug, Clone, Default)]
pub enum RankMode {
    /// Features only, no model.
    #[default]
    FeatureOnly,
    /// Features plus outro→intro embedding similarity.
    EmbeddingAssisted(Arc<Embeddings>),
}

/// One query.
#[derive(Debug, Clone)]
pub struct Request {
    /// Id (or file path) of the track playing now.
    pub current: String,
    /// Recently played tracks (never returned).
    pub history: Vec<String>,
    pub intent: Intent,
    pub top: usize,
    pub mode: RankMode,
    /// Pad with clearly marked relaxed candidates when fewer than `top` pass the filters.
    pub relax: bool,
}

impl Request {
    pub fn new(current: impl Into<String>, intent: Intent) -> Self {
        Self {
            current: current.into(),
            history: Vec::new(),
            intent,
            top: 10,
            mode: RankMode::FeatureOnly,
            relax: true,
        }
    }
}

/// Energy goal of the transition (seed 004: maintain / up / down / peak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnergyGoal {
    Maintain,
    Up,
    Down,
    Peak,
}

/// A structured reason (serialised with a `kind` tag).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    Energy {
        from: f64,
        to: f64,
    },
    Key {
        from: String,
        to: String,
        steps: i32,
        score: f64,
        waived: bool,
    },
    Tempo {
        from: f64,
        to: f64,
        pct: f64,
        fold: Option<String>,
        waived: bool,
    },
    Vibe {
        from: String,
        to: String,
    },
    Genre {
        from: String,
        to: String,
    },
    Constraint {
        constraint: Constraint,
        text: String,
        satisfied: bool,
    },
    MixIn {
        ease: f64,
    },
    Embedding {
        similarity: f64,
    },
    LowEndClash {
        clash: f64,
    },
    Hype {
        value: f64,
    },
    SameArtist {
        artist: String,
        as_current: bool,
    },
    Duplicate {
        of: String,
    },
    Relaxed {
        failed: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub track_id: String,
    pub score: f64,
    /// True when the track does not pass every filter (padding, see [`Request::relax`]).
    pub relaxed: bool,
    pub reasons: Vec<Reason>,
    /// One line for the DJ: "energy 6→8, 8A→9A (+1), 126→128 BPM (+1.6%), darker".
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub ranked: Vec<Ranked>,
    /// How many candidates passed every filter.
    pub eligible: usize,
    pub goal: EnergyGoal,
    pub key_rule_waived: bool,
    pub tempo_rule_waived: bool,
    /// Things the DJ should know (constraints not applied, short lists, …).
    pub notes: Vec<String>,
}

/// Ranks the next tracks. Errors only when the current track is unknown.
pub fn recommend(s: &Snapshot, req: &Request) -> Result<Recommendation, RankError> {
    let cur = s
        .find(&req.current)
        .ok_or_else(|| RankError::UnknownCurrent(req.current.clone()))?;
    let mut notes = Vec::new();
    let q = Query::new(s, cur, req, &mut notes);

    // ── retrieve + hard filters ──
    let mut scored: Vec<(f64, u32)> = Vec::new();
    for i in 0..s.len() {
        if q.excluded(i) || q.failures(s, i, true) > 0 {
            continue;
        }
        scored.push((q.score(s, i), i as u32));
    }
    let eligible = scored.len();
    let top = req.top;
    let mut picks = select(s, scored, top);

    // ── relaxed padding ──
    if picks.len() < top {
        if eligible < top {
            notes.push(format!(
                "only {eligible} track{} pass{} every filter",
                if eligible == 1 { "" } else { "s" },
                if eligible == 1 { "es" } else { "" }
            ));
        }
        if req.relax {
            let mut hist = [0usize; 64];
            let mut fails: Vec<(u8, u32)> = Vec::new();
            for i in 0..s.len() {
                if q.excluded(i) {
                    continue;
                }
                let f = q.failures(s, i, false);
                if f > 0 {
                    hist[usize::from(f.min(63))] += 1;
                    fails.push((f, i as u32));
                }
            }
            let need = top - picks.len();
            let mut acc = 0;
            let mut limit = 0u8;
            for (f, &c) in hist.iter().enumerate().skip(1) {
                acc += c;
                limit = f as u8;
                if acc >= need {
                    break;
                }
            }
            let mut pad: Vec<(u8, f64, u32)> = fails
                .into_iter()
                .filter(|(f, _)| *f <= limit)
                .map(|(f, i)| (f, q.score(s, i as usize), i))
                .collect();
            pad.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(b.1.total_cmp(&a.1))
                    .then_with(|| s.ids[a.2 as usize].cmp(&s.ids[b.2 as usize]))
            });
            for (_, sc, i) in pad.into_iter().take(need) {
                picks.push((sc, i, true));
            }
            if picks.iter().any(|p| p.2) {
                notes.push(
                    "tracks marked relaxed do not pass every filter (see their reasons)".into(),
                );
            }
        }
    }

    let ranked = picks
        .into_iter()
        .map(|(sc, i, relaxed)| q.explain(s, i as usize, sc, relaxed))
        .collect();
    Ok(Recommendation {
        ranked,
        eligible,
        goal: q.goal,
        key_rule_waived: q.key_waived,
        tempo_rule_waived: q.tempo_waived,
        notes,
    })
}

/// Best-first selection with a penalty for artists already picked (no same-artist runs).
fn select(s: &Snapshot, mut scored: Vec<(f64, u32)>, top: usize) -> Vec<(f64, u32, bool)> {
    if top == 0 || scored.is_empty() {
        return Vec::new();
    }
    let cmp = |a: &(f64, u32), b: &(f64, u32)| {
        b.0.total_cmp(&a.0)
            .then_with(|| s.ids[a.1 as usize].cmp(&s.ids[b.1 as usize]))
    };
    let pool = top.saturating_mul(4).saturating_add(16).min(scored.len());
    if pool < scored.len() {
        scored.select_nth_unstable_by(pool - 1, cmp);
        scored.truncate(pool);
    }
    scored.sort_by(cmp);
    let mut out: Vec<(f64, u32, bool)> = Vec::with_capacity(top.min(scored.len()));
    let mut used = vec![false; scored.len()];
    while out.len() < top {
        let mut best: Option<(f64, usize)> = None;
        for (j, &(sc, i)) in scored.iter().enumerate() {
            if used[j] {
                continue;
            }
            let a = s.artist[i as usize];
            let repeats = if a == 0 {
                0
            } else {
                out.iter().filter(|p| s.artist[p.1 as usize] == a).count()
            };
            let adj = sc - P_ARTIST_REPEAT * repeats as f64;
            if best.is_none_or(|(b, _)| adj > b + 1e-12) {
                best = Some((adj, j));
            }
            // scored is sorted: nothing later can beat an unpenalised score
            if repeats == 0 {
                break;
            }
        }
        let Some((_, j)) = best else { break };
        used[j] = true;
        out.push((scored[j].0, scored[j].1, false));
    }
    out
}

struct Query<'a> {
    cur: usize,
    exclude: Vec<usize>,
    exclude_dup: Vec<u32>,
    history_artists: Vec<u32>,
    hard: Vec<Compiled>,
    soft: Vec<Compiled>,
    all: Vec<Compiled>,
    referenced: Vec<Attr>,
    key_waived: bool,
    tempo_waived: bool,
    key_rule: bool,
    tempo_rule: bool,
    goal: EnergyGoal,
    target_delta: f64,
    emb: Option<&'a Embeddings>,
}

/// Does this constraint lift the tempo-mixability filter? A hard genre switch or tempo feel
/// does (a new genre may live at another tempo). A hard BPM constraint does only when no
/// tempo-mixable BPM (within ±6 % of `cur`) can satisfy it: "140 BPM" from 124 must leave
/// the mixable window, "not slower" or "a bit faster" must not jump from 124 to 174.
fn intent_waives_tempo(c: &Compiled, cur_bpm: f64) -> bool {
    if !c.hard {
        return false;
    }
    match c.src.attr {
        Attr::TempoFeel => true,
        Attr::Genre | Attr::Subgenre => matches!(
            c.src.op,
            Op::In { .. } | Op::Equals { .. } | Op::NotIn { .. }
        ),
        Attr::Bpm => {
            let allowed = match c.test {
                compile::Test::Range { lo, hi, .. } => Some((lo, hi)),
                compile::Test::Delta { cur, lo, hi, .. } => Some((cur + lo, cur + hi)),
                compile::Test::DeltaPct { cur, lo, hi } => {
                    Some((cur * (1.0 + lo / 100.0), cur * (1.0 + hi / 100.0)))
                }
                _ => None,
            };
            match allowed {
                Some((lo, hi)) if cur_bpm.is_finite() && cur_bpm > 0.0 => {
                    let (w_lo, w_hi) = (
                        cur_bpm * (1.0 - TEMPO_MIX_TOLERANCE),
                        cur_bpm * (1.0 + TEMPO_MIX_TOLERANCE),
                    );
                    hi < w_lo || lo > w_hi
                }
                _ => true,
            }
        }
        _ => false,
    }
}

impl<'a> Query<'a> {
    fn new(s: &Snapshot, cur: usize, req: &'a Request, notes: &mut Vec<String>) -> Self {
        let mut exclude = vec![cur];
        for h in &req.history {
            if let Some(i) = s.find(h) {
                if !exclude.contains(&i) {
                    exclude.push(i);
                }
            }
        }
        let exclude_dup: Vec<u32> = exclude
            .iter()
            .map(|&i| s.dup[i])
            .filter(|&d| d != 0)
            .collect();
        let history_artists: Vec<u32> = exclude[1..]
            .iter()
            .map(|&i| s.artist[i])
            .filter(|&a| a != 0)
            .collect();

        let intent = &req.intent;
        let constraints: &[Constraint] = match intent.status {
            IntentStatus::Error => &[],
            _ => &intent.constraints,
        };
        let all = compile::compile_intent(s, cur, intent, notes);
        let key_waived = all.iter().any(|c| c.hard && c.src.attr == Attr::Key);
        let tempo_waived = all.iter().any(|c| intent_waives_tempo(c, s.bpm[cur]));
        let key_rule = !key_waived && s.key[cur] != NO_KEY;
        let tempo_rule = !tempo_waived && s.bpm[cur].is_finite();
        if !key_waived && s.key[cur] == NO_KEY {
            notes.push("the current track's key is unknown: no harmonic filter".into());
        }
        if !tempo_waived && !s.bpm[cur].is_finite() {
            notes.push("the current track's BPM is unknown: no tempo filter".into());
        }
        let mut hard: Vec<Compiled> = all.iter().filter(|c| c.hard).cloned().collect();
        hard.sort_by_key(|c| c.test.cost());
        let soft: Vec<Compiled> = all.iter().filter(|c| !c.hard).cloned().collect();
        let mut referenced: Vec<Attr> = constraints.iter().map(|c| c.attr).collect();
        referenced.sort();
        referenced.dedup();

        let cur_energy = f64::from(s.scales[0][cur]);
        let (goal, target_delta) = energy_goal(constraints, cur_energy);
        let emb = match &req.mode {
            RankMode::EmbeddingAssisted(e) if e.has(cur) => Some(e.as_ref()),
            _ => None,
        };
        Query {
            cur,
            exclude,
            exclude_dup,
            history_artists,
            hard,
            soft,
            all,
            referenced,
            key_waived,
            tempo_waived,
            key_rule,
            tempo_rule,
            goal,
            target_delta,
            emb,
        }
    }

    fn excluded(&self, i: usize) -> bool {
        self.exclude.contains(&i)
    }

    fn key_ok(&self, s: &Snapshot, i: usize) -> bool {
        !self.key_rule || {
            let k = s.key[i];
            k != NO_KEY && s.compat[s.key[self.cur] as usize][k as usize] >= HARMONIC_MIN - 1e-9
        }
    }

    fn tempo_ok(&self, s: &Snapshot, i: usize) -> bool {
        !self.tempo_rule || tempo_ratio(s.bpm[self.cur], s.bpm[i]) <= TEMPO_MIX_TOLERANCE + 1e-9
    }

    /// Number of failed filters; with `early`, stops at the first.
    fn failures(&self, s: &Snapshot, i: usize, early: bool) -> u8 {
        let mut n = 0u8;
        if !self.tempo_ok(s, i) {
            n += 1;
            if early {
                return n;
            }
        }
        if !self.key_ok(s, i) {
            n += 1;
            if early {
                return n;
            }
        }
        for c in &self.hard {
            if !c.test.eval(s, i) {
                n = n.saturating_add(1);
                if early {
                    return n;
                }
            }
        }
        n
    }

    fn refs(&self, a: Attr) -> bool {
        self.referenced.contains(&a)
    }

    fn score(&self, s: &Snapshot, i: usize) -> f64 {
        let cur = self.cur;
        // soft constraints
        let soft = if self.soft.is_empty() {
            1.0
        } else {
            self.soft.iter().filter(|c| c.test.eval(s, i)).count() as f64 / self.soft.len() as f64
        };
        // keep the rest
        let mut rest_sum = 0.0;
        let mut rest_n = 0u32;
        for (col, a) in [(0usize, Attr::Energy), (1, Attr::Danceability)] {
            if !self.refs(a) {
                let (x, y) = (s.scales[col][i], s.scales[col][cur]);
                if x.is_finite() && y.is_finite() {
                    rest_sum += 1.0 - f64::from((x - y).abs()) / 9.0;
                    rest_n += 1;
                }
            }
        }
        for a in [
            Attr::Vibe,
            Attr::Genre,
            Attr::GrooveStyle,
            Attr::VocalPresence,
            Attr::Intensity,
        ] {
            if !self.refs(a) {
                if let Some(col) = closed_col(a) {
                    let (x, y) = (s.closed[col][i], s.closed[col][cur]);
                    if x != 0 && y != 0 {
                        rest_sum += if x == y { 1.0 } else { 0.0 };
                        rest_n += 1;
                    }
                }
            }
        }
        let rest = if rest_n == 0 {
            0.5
        } else {
            rest_sum / f64::from(rest_n)
        };
        // harmonic
        let (k0, k1) = (s.key[cur], s.key[i]);
        let h = if k0 != NO_KEY && k1 != NO_KEY {
            s.compat[k0 as usize][k1 as usize]
        } else {
            f64::NAN
        };
        let harm = if self.key_waived {
            1.0 + W_TIE_HARM / W_HARM * if h.is_nan() { 0.0 } else { h }
        } else if h.is_nan() {
            0.0
        } else {
            ((h - HARMONIC_MIN) / (1.0 - HARMONIC_MIN)).max(0.0)
        };
        // tempo
        let r = tempo_ratio(s.bpm[cur], s.bpm[i]);
        let tempo = if self.tempo_waived {
            1.0
        } else if r.is_finite() {
            (1.0 - r / TEMPO_MIX_TOLERANCE).max(0.0)
        } else {
            0.0
        };
        // mix-in ease (+ outro→intro embedding similarity)
        let ease = s.scales[2][i];
        let mut mix = if ease.is_finite() {
            (f64::from(ease) - 1.0) / 9.0
        } else {
            0.5
        };
        let mut extra = 0.0;
        if let Some(e) = self.emb {
            if e.has(i) {
                mix = 0.5 * mix + 0.5 * f64::from(e.transition(cur, i).max(0.0));
                if self
                    .exclude
                    .iter()
                    .any(|&x| e.has(x) && e.same_sound(x, i) > DUP_COSINE)
                {
                    extra -= P_DUPLICATE;
                }
            }
        }
        let mut total =
            W_SOFT * soft + W_REST * rest + W_HARM * harm + W_TEMPO * tempo + W_MIX * mix;

        // energy trajectory
        let (e0, e1) = (s.scales[0][cur], s.scales[0][i]);
        if e0.is_finite() && e1.is_finite() {
            let d = f64::from(e1 - e0);
            extra += W_TRAJ * (1.0 - (d - self.target_delta).abs() / 9.0).max(0.0);
        }
        // vibe continuity: related vibes get partial credit when the vibe is not asked for
        if let Some(vc) = closed_col(Attr::Vibe) {
            if !self.refs(Attr::Vibe) {
                let (a, b) = (s.closed_name(vc, cur), s.closed_name(vc, i));
                if let (Some(a), Some(b)) = (a, b) {
                    extra += W_VIBE_NEAR * vibe_affinity(a, b);
                }
            }
        }
        // subgenre continuity when the genre is not asked for
        if !self.refs(Attr::Genre) && !self.refs(Attr::Subgenre) {
            if let Some(sc) = closed_col(Attr::Subgenre) {
                let (a, b) = (s.closed[sc][cur], s.closed[sc][i]);
                if a != 0 && a == b {
                    extra += W_SUBGENRE;
                }
            }
        }
        // hype
        let (h0, h1) = (hype01(s.hype[cur]), hype01(s.hype[i]));
        if let Some(h1) = h1 {
            extra += W_HYPE
                * match self.goal {
                    EnergyGoal::Up | EnergyGoal::Peak => h1,
                    EnergyGoal::Down => 1.0 - h1,
                    EnergyGoal::Maintain => h0.map_or(0.5, |h0| 1.0 - (h1 - h0).abs()),
                };
        }
        // low-end clash
        if let Some(c) = low_end_clash(s.low_end[cur], s.low_end[i]) {
            extra -= W_LOW_END * c;
        }
        // diversity
        let a = s.artist[i];
        if a != 0 {
            if a == s.artist[cur] {
                extra -= P_SAME_ARTIST_CURRENT;
            } else if self.history_artists.contains(&a) {
                extra -= P_SAME_ARTIST_HISTORY;
            }
        }
        if s.dup[i] != 0 && self.exclude_dup.contains(&s.dup[i]) {
            extra -= P_DUPLICATE;
        }
        total += extra;
        total
    }

    fn explain(&self, s: &Snapshot, i: usize, score: f64, relaxed: bool) -> Ranked {
        let cur = self.cur;
        let mut reasons = Vec::new();
        let mut words: Vec<String> = Vec::new();

        let (e0, e1) = (s.scales[0][cur], s.scales[0][i]);
        if e0.is_finite() && e1.is_finite() {
            reasons.push(Reason::Energy {
                from: f64::from(e0),
                to: f64::from(e1),
            });
            words.push(if e0 == e1 {
                format!("energy {e1} (same)")
            } else {
                format!("energy {e0}→{e1}")
            });
        }
        if let (Some(k0), Some(k1)) = (key_of_index(s.key[cur]), key_of_index(s.key[i])) {
            let steps = k0.wheel_steps(k1);
            let score_h = k0.compatibility(k1);
            let (a, b) = (k0.camelot(), k1.camelot());
            words.push(if k0 == k1 {
                format!("{a} (same key)")
            } else if steps == 0 {
                format!("{a}→{b} (relative)")
            } else {
                format!(
                    "{a}→{b} ({}{steps}{})",
                    if steps > 0 { "+" } else { "" },
                    if k0.mode() != k1.mode() {
                        ", diagonal"
                    } else {
                        ""
                    }
                )
            });
            reasons.push(Reason::Key {
                from: a,
                to: b,
                steps,
                score: score_h,
                waived: self.key_waived,
            });
        }
        let (b0, b1) = (s.bpm[cur], s.bpm[i]);
        if b0.is_finite() && b1.is_finite() {
            let eff = [
                (b1, None),
                (b1 * 2.0, Some("double")),
                (b1 / 2.0, Some("half")),
            ]
            .into_iter()
            .min_by(|x, y| (x.0 / b0 - 1.0).abs().total_cmp(&(y.0 / b0 - 1.0).abs()))
            // a half/double-time reading only explains a mixable pair; otherwise (a waived
            // tempo rule) say the plain change: 124→174 is +40 %, not "half time, −30 %"
            .filter(|e| e.1.is_none() || (e.0 / b0 - 1.0).abs() <= TEMPO_MIX_TOLERANCE + 1e-9)
            .unwrap_or((b1, None));
            let pct = 100.0 * (eff.0 - b0) / b0;
            let fold = eff.1.map(str::to_string);
            words.push(match &eff.1 {
                None => format!("{}→{} BPM ({:+.1}%)", fmt_bpm(b0), fmt_bpm(b1), pct),
                Some(f) => format!(
                    "{}→{} BPM ({f} time, {:+.1}%)",
                    fmt_bpm(b0),
                    fmt_bpm(b1),
                    pct
                ),
            });
            reasons.push(Reason::Tempo {
                from: b0,
                to: b1,
                pct,
                fold,
                waived: self.tempo_waived,
            });
        }
        if let Some(vc) = closed_col(Attr::Vibe) {
            if let (Some(a), Some(b)) = (s.closed_name(vc, cur), s.closed_name(vc, i)) {
                if a != b {
                    words.push(vibe_word(b));
                    reasons.push(Reason::Vibe {
                        from: a.into(),
                        to: b.into(),
                    });
                }
            }
        }
        if let Some(gc) = closed_col(Attr::Genre) {
            if let (Some(a), Some(b)) = (s.closed_name(gc, cur), s.closed_name(gc, i)) {
                if a != b {
                    words.push(format!("{a}→{b}"));
                    reasons.push(Reason::Genre {
                        from: a.into(),
                        to: b.into(),
                    });
                }
            }
        }
        for c in &self.all {
            let ok = c.test.eval(s, i) && !matches!(c.test, Test::Pass);
            let text = describe(&c.src);
            if ok
                && matches!(
                    c.src.attr.kind(),
                    flowstate_types::intent::AttrKind::List
                        | flowstate_types::intent::AttrKind::Text
                )
            {
                words.push(text.clone());
            } else if ok && !c.hard {
                words.push(format!("{text} ✓"));
            }
            reasons.push(Reason::Constraint {
                constraint: c.src.clone(),
                text,
                satisfied: ok,
            });
        }
        let ease = s.scales[2][i];
        if ease.is_finite() {
            reasons.push(Reason::MixIn {
                ease: f64::from(ease),
            });
            if ease >= 8.0 {
                words.push("easy mix-in".into());
            }
        }
        if let Some(e) = self.emb {
            if e.has(i) {
                let sim = f64::from(e.transition(cur, i));
                reasons.push(Reason::Embedding { similarity: sim });
                if sim > 0.8 {
                    words.push("smooth outro→intro".into());
                }
            }
        }
        if let Some(c) = low_end_clash(s.low_end[cur], s.low_end[i]) {
            reasons.push(Reason::LowEndClash { clash: c });
            if c > 0.6 {
                words.push("watch the low end".into());
            }
        }
        if let Some(h) = hype01(s.hype[i]) {
            reasons.push(Reason::Hype { value: h });
        }
        let a = s.artist[i];
        if a != 0 && (a == s.artist[cur] || self.history_artists.contains(&a)) {
            let as_current = a == s.artist[cur];
            words.push(if as_current {
                "same artist".into()
            } else {
                "artist played recently".into()
            });
            reasons.push(Reason::SameArtist {
                artist: s.artists.name(a).to_string(),
                as_current,
            });
        }
        if s.dup[i] != 0 {
            if let Some(&x) = self.exclude.iter().find(|&&x| s.dup[x] == s.dup[i]) {
                words.push("possible duplicate".into());
                reasons.push(Reason::Duplicate {
                    of: s.ids[x].clone(),
                });
            }
        }
        if relaxed {
            let mut failed = Vec::new();
            if !self.tempo_ok(s, i) {
                failed.push("tempo not mixable (±6%)".to_string());
            }
            if !self.key_ok(s, i) {
                failed.push("key not compatible (< 0.6)".to_string());
            }
            for c in &self.hard {
                if !c.test.eval(s, i) {
                    failed.push(describe(&c.src));
                }
            }
            words.push(format!("RELAXED: fails {}", failed.join("; ")));
            reasons.push(Reason::Relaxed { failed });
        }
        Ranked {
            track_id: s.ids[i].clone(),
            score: (score * 1e4).round() / 1e4,
            relaxed,
            reasons,
            explanation: words.join(", "),
        }
    }
}

fn fmt_bpm(b: f64) -> String {
    if (b - b.round()).abs() < 0.05 {
        format!("{}", b.round() as i64)
    } else {
        format!("{b:.1}")
    }
}

fn vibe_word(v: &str) -> String {
    match v {
        "dark" => "darker".into(),
        "bright" => "brighter".into(),
        "chill" => "more chill".into(),
        other => format!("more {other}"),
    }
}

/// How close two vibes feel (1 same, 0.5 related, 0 unrelated).
fn vibe_affinity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let group = |v: &str| match v {
        "dark" | "hypnotic" | "aggressive" => 1,
        "bright" | "euphoric" => 2,
        "chill" => 3,
        _ => 0,
    };
    if group(a) != 0 && group(a) == group(b) {
        0.5
    } else {
        0.0
    }
}

/// Hype on 0–1 (values above 1 are read as a 0–10 scale).
fn hype01(h: f32) -> Option<f64> {
    if !h.is_finite() || h < 0.0 {
        return None;
    }
    let h = f64::from(h);
    Some(if h > 1.0 { (h / 10.0).min(1.0) } else { h })
}

/// Low-end overlap of two profiles (0 none … ~1 both tracks heavy in the same bands).
fn low_end_clash(a: [f32; 3], b: [f32; 3]) -> Option<f64> {
    if a.iter().chain(b.iter()).any(|x| !x.is_finite()) {
        return None;
    }
    // sub and bass overlap dominate a clash; low-mid counts half
    let m = |x: f32, y: f32| f64::from(x.min(y).max(0.0));
    Some((m(a[0], b[0]) + m(a[1], b[1]) + 0.5 * m(a[2], b[2])).min(1.0))
}

/// The energy goal and the wanted energy change, from the intent's energy/intensity constraints.
fn energy_goal(constraints: &[Constraint], cur_energy: f64) -> (EnergyGoal, f64) {
    let mut goal = EnergyGoal::Maintain;
    let mut target = 0.0;
    for c in constraints {
        match (c.attr, &c.op) {
            (Attr::Energy, Op::Delta { min, max }) => {
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                if lo > 0.0 {
                    goal = EnergyGoal::Up;
                    target = if hi.is_finite() {
                        (lo + hi) / 2.0
                    } else {
                        lo + 1.0
                    };
                } else if hi < 0.0 {
                    goal = EnergyGoal::Down;
                    target = if lo.is_finite() {
                        (lo + hi) / 2.0
                    } else {
                        hi - 1.0
                    };
                } else if lo >= 0.0 && hi > 0.0 {
                    // not lower
                    goal = EnergyGoal::Up;
                    target = 0.5;
                } else if hi <= 0.0 && lo < 0.0 {
                    goal = EnergyGoal::Down;
                    target = -0.5;
                }
            }
            (Attr::Energy, Op::Range { min, max }) if cur_energy.is_finite() => {
                let lo = min.unwrap_or(1.0);
                let hi = max.unwrap_or(10.0);
                if lo > cur_energy {
                    goal = EnergyGoal::Up;
                    target = (lo + hi) / 2.0 - cur_energy;
                } else if hi < cur_energy {
                    goal = EnergyGoal::Down;
                    target = (lo + hi) / 2.0 - cur_energy;
                }
            }
            (Attr::Intensity, Op::In { .. } | Op::Equals { .. }) => {
                let values: Vec<String> = match &c.op {
                    Op::In { values } => values.clone(),
                    Op::Equals { value } => vec![value.clone()],
                    _ => Vec::new(),
                };
                let v: Vec<String> = values
                    .iter()
                    .map(|v| vocab::norm_value(Attr::Intensity, v))
                    .collect();
                if v.iter().all(|x| x == "peak") {
                    goal = EnergyGoal::Peak;
                    if cur_energy.is_finite() {
                        target = target.max((8.5 - cur_energy).max(1.0));
                    } else {
                        target = target.max(2.0);
                    }
                } else if v.iter().all(|x| x == "closer") && goal == EnergyGoal::Maintain {
                    goal = EnergyGoal::Down;
                    target = -1.5;
                }
            }
            _ => {}
        }
    }
    (goal, target.clamp(-9.0, 9.0))
}

#[cfg(test)]
mod tests;

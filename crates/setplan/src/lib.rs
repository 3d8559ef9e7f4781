//! Whole-set planning along an energy arc, and re-ordering an existing playlist for flow.
//!
//! Pure and deterministic: CODEX documents in, an ordered plan with per-transition reasons
//! out. The search is a beam search over the compatibility graph (tempo within ±6 % with
//! half/double time, Camelot compatibility ≥ 0.6 — the same rules as next-track ranking),
//! minimising the deviation of energy from the requested arc plus transition costs. A greedy
//! planner (beam width 1) is kept as the baseline the beam search is measured against.

use flowstate_types::{tempo_ratio, CamelotKey, TrackDoc, TEMPO_MIX_TOLERANCE};
use serde::Serialize;
use std::collections::HashSet;

mod arc;
pub use arc::{Arc, ArcError};

/// Minimum harmonic score for a transition to count as compatible.
pub const MIN_KEY_SCORE: f64 = 0.6;
/// Seconds a track is assumed to last when its document has no duration.
pub const DEFAULT_TRACK_S: f64 = 360.0;
/// Overlap of two tracks during a transition, in bars (4/4).
pub const MIX_OVERLAP_BARS: f64 = 32.0;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("start track {0:?} is not in the library")]
    UnknownStart(String),
    #[error("the start track has no BPM: analyse it first or pick another")]
    StartWithoutBpm,
    #[error("the playlist is empty")]
    EmptyPlaylist,
    #[error("the playlist has {0} tracks; at most {1} can be re-ordered")]
    PlaylistTooLong(usize, usize),
}

/// Planner settings; `Default` gives sensible DJ values.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Target set length in seconds.
    pub length_s: f64,
    pub arc: Arc,
    /// Beam width (1 = greedy).
    pub beam_width: usize,
    /// No artist may repeat within this many consecutive tracks.
    pub artist_window: usize,
    /// Weight of energy deviation against transition cost.
    pub energy_weight: f64,
    /// Track ids that should appear (placed when a mixable path allows).
    pub include: Vec<String>,
    /// Track ids that must not appear.
    pub exclude: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            length_s: 3600.0,
            arc: Arc::default(),
            beam_width: 96,
            artist_window: 4,
            energy_weight: 1.0,
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

/// One transition into a planned track.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Transition {
    pub key_score: Option<f64>,
    pub tempo_change_pct: Option<f64>,
    /// Tempo and key rules both hold.
    pub compatible: bool,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedTrack {
    pub track_id: String,
    pub artist: Option<String>,
    pub title: Option<String>,
    /// Where the track starts in the set (seconds).
    pub start_s: f64,
    pub energy: Option<f64>,
    pub target_energy: f64,
    /// `None` for the first track.
    pub transition: Option<Transition>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanMetrics {
    pub transitions: usize,
    /// Share of transitions that are tempo- and key-compatible (1.0 when there are none).
    pub compatible_share: f64,
    /// Mean |energy − arc target| over the tracks with an energy value (0 when none has one).
    pub mean_abs_energy_dev: f64,
    /// How many tracks had an energy value.
    pub tracks_with_energy: usize,
    /// The objective the search minimised (lower is better).
    pub cost: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SetPlan {
    pub tracks: Vec<PlannedTrack>,
    pub total_s: f64,
    pub metrics: PlanMetrics,
    /// Requested includes that no mixable path could place.
    pub unplaced_includes: Vec<String>,
}

/// Compact per-track data the search works on.
#[derive(Debug, Clone)]
struct Node {
    bpm: Option<f64>,
    key: Option<CamelotKey>,
    energy: Option<f64>,
    artist: String,
    play_s: f64,
    mix_in: f64,
    mix_out: f64,
}

fn node_of(d: &TrackDoc) -> Node {
    let duration = d
        .duration_seconds
        .filter(|&x| x.is_finite() && x > 0.0)
        .unwrap_or(DEFAULT_TRACK_S);
    let overlap = d
        .bpm
        .filter(|&b| b > 0.0)
        .map(|b| MIX_OVERLAP_BARS * 4.0 * 60.0 / b)
        .unwrap_or(60.0);
    Node {
        bpm: d.bpm.filter(|b| b.is_finite() && *b > 0.0),
        key: d.camelot(),
        energy: d.energy_score.or(d.energy.map(f64::from)),
        artist: d
            .artist
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_lowercase(),
        play_s: (duration - overlap).max(duration * 0.5),
        mix_in: d.mix_in_ease.map(f64::from).unwrap_or(5.0),
        mix_out: d.mix_out_ease.map(f64::from).unwrap_or(5.0),
    }
}

/// Transition facts from `a` into `b`.
fn transition_facts(a: &Node, b: &Node) -> (Option<f64>, Option<f64>, bool) {
    let key_score = match (a.key, b.key) {
        (Some(x), Some(y)) => Some(x.compatibility(y)),
        _ => None,
    };
    let ratio = match (a.bpm, b.bpm) {
        (Some(x), Some(y)) => Some(tempo_ratio(x, y)),
        _ => None,
    };
    let tempo_ok = ratio.is_some_and(|r| r <= TEMPO_MIX_TOLERANCE + 1e-12);
    // A track without a detectable key (drum tool, atonal) clashes with nothing.
    let key_ok = key_score.is_none_or(|s| s >= MIN_KEY_SCORE);
    (key_score, ratio, tempo_ok && key_ok)
}

/// Cost of mixing `a` into `b` (0 best). Incompatible transitions cost a large penalty, so
/// they are only used when no compatible path exists.
fn transition_cost(a: &Node, b: &Node) -> f64 {
    let (key_score, ratio, ok) = transition_facts(a, b);
    let mut c = 1.0 - key_score.unwrap_or(0.75);
    c += ratio
        .map(|r| (r / TEMPO_MIX_TOLERANCE).min(4.0) * 0.5)
        .unwrap_or(2.0);
    c += 0.04 * ((10.0 - a.mix_out) + (10.0 - b.mix_in));
    if !ok {
        c += 25.0;
    }
    c
}

fn explain(a: &Node, b: &Node, target: f64) -> Transition {
    let (key_score, ratio, ok) = transition_facts(a, b);
    let mut parts = Vec::new();
    match (a.key, b.key) {
        (Some(x), Some(y)) => {
            let steps = x.wheel_steps(y);
            let rel = if x == y {
                "same key".to_string()
            } else if x.number() == y.number() {
                "relative".to_string()
            } else {
                format!("{steps:+}")
            };
            parts.push(format!("{x}→{y} ({rel})"));
        }
        _ => parts.push("key unknown".into()),
    }
    let pct = match (a.bpm, b.bpm) {
        (Some(x), Some(y)) => {
            let pct = 100.0 * (y - x) / x;
            let folded = if (y / x - 1.0).abs() > TEMPO_MIX_TOLERANCE {
                " (half/double time)"
            } else {
                ""
            };
            parts.push(format!("{x:.0}→{y:.0} BPM ({pct:+.1}%){folded}"));
            Some(pct)
        }
        _ => {
            parts.push("BPM unknown".into());
            None
        }
    };
    match (a.energy, b.energy) {
        (Some(x), Some(y)) => parts.push(format!("energy {x:.0}→{y:.0} (arc {target:.1})")),
        _ => parts.push(format!("arc energy {target:.1}")),
    }
    if !ok {
        parts.push("NOT beat/key compatible: no mixable track was left".into());
    }
    let _ = ratio;
    Transition {
        key_score,
        tempo_change_pct: pct,
        compatible: ok,
        explanation: parts.join(", "),
    }
}

#[derive(Clone)]
struct State {
    seq: Vec<u32>,
    used: Vec<u64>,
    time_s: f64,
    cost: f64,
    includes: u32,
}

impl State {
    fn has(&self, i: u32) -> bool {
        self.used[(i / 64) as usize] >> (i % 64) & 1 == 1
    }
    fn add(&mut self, i: u32) {
        self.used[(i / 64) as usize] |= 1 << (i % 64);
    }
}

/// Library prepared for planning: compact nodes and a BPM index.
pub struct Planner<'a> {
    docs: &'a [TrackDoc],
    nodes: Vec<Node>,
    /// (bpm, index) sorted by bpm, for range look-ups.
    by_bpm: Vec<(f64, u32)>,
}

impl<'a> Planner<'a> {
    pub fn new(docs: &'a [TrackDoc]) -> Self {
        let nodes: Vec<Node> = docs.iter().map(node_of).collect();
        let mut by_bpm: Vec<(f64, u32)> = nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.bpm.map(|b| (b, i as u32)))
            .collect();
        by_bpm.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Self {
            docs,
            nodes,
            by_bpm,
        }
    }

    fn index_of(&self, id: &str) -> Option<u32> {
        self.docs
            .iter()
            .position(|d| d.track_id == id)
            .map(|i| i as u32)
    }

    /// Candidates whose tempo mixes with `bpm` (own, half or double time).
    fn tempo_candidates(&self, bpm: f64, out: &mut Vec<u32>) {
        out.clear();
        let tol = TEMPO_MIX_TOLERANCE + 1e-9;
        for centre in [bpm, bpm * 2.0, bpm / 2.0] {
            let lo = centre / (1.0 + tol);
            let hi = centre / (1.0 - tol);
            let start = self.by_bpm.partition_point(|&(b, _)| b < lo);
            for &(b, i) in &self.by_bpm[start..] {
                if b > hi {
                    break;
                }
                out.push(i);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    fn artist_clash(&self, seq: &[u32], cand: u32, window: usize) -> bool {
        let a = &self.nodes[cand as usize].artist;
        !a.is_empty()
            && seq
                .iter()
                .rev()
                .take(window.saturating_sub(1))
                .any(|&j| &self.nodes[j as usize].artist == a)
    }

    /// Plan a set from `start` (a track id) following `opts.arc`. `allowed` restricts the
    /// pool (e.g. a prompt's hard constraints); the start track is always allowed.
    pub fn plan(
        &self,
        start: &str,
        opts: &PlanOptions,
        allowed: &dyn Fn(&TrackDoc) -> bool,
    ) -> Result<SetPlan, PlanError> {
        let s = self
            .index_of(start)
            .ok_or_else(|| PlanError::UnknownStart(start.to_string()))?;
        if self.nodes[s as usize].bpm.is_none() {
            return Err(PlanError::StartWithoutBpm);
        }
        let n = self.docs.len();
        let exclude: HashSet<&str> = opts.exclude.iter().map(String::as_str).collect();
        let include: HashSet<u32> = opts
            .include
            .iter()
            .filter_map(|id| self.index_of(id))
            .collect();
        let pool: Vec<bool> = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                i as u32 == s
                    || (!exclude.contains(d.track_id.as_str())
                        && (include.contains(&(i as u32)) || allowed(d)))
            })
            .collect();
        let words = n.div_ceil(64).max(1);
        let mut first = State {
            seq: vec![s],
            used: vec![0; words],
            time_s: 0.0,
            cost: 0.0,
            includes: 0,
        };
        first.add(s);
        first.cost = opts.energy_weight * self.energy_dev(s, 0.0, opts);
        first.time_s = self.nodes[s as usize].play_s;
        if include.contains(&s) {
            first.includes = 1;
        }
        let width = opts.beam_width.max(1);
        let mut beam = vec![first];
        let mut finished: Vec<State> = Vec::new();
        let mut cands = Vec::new();
        let max_steps = 400usize;
        for _ in 0..max_steps {
            let mut next: Vec<State> = Vec::new();
            for st in &beam {
                if st.time_s >= opts.length_s {
                    finished.push(st.clone());
                    continue;
                }
                let last = *st.seq.last().unwrap_or(&s);
                let ln = &self.nodes[last as usize];
                self.tempo_candidates(ln.bpm.unwrap_or(0.0), &mut cands);
                let mut any = false;
                let push = |c: u32, next: &mut Vec<State>| {
                    let tc = transition_cost(ln, &self.nodes[c as usize]);
                    let ec = self.energy_dev(c, st.time_s / opts.length_s.max(1.0), opts);
                    let mut ns = st.clone();
                    ns.seq.push(c);
                    ns.add(c);
                    ns.time_s += self.nodes[c as usize].play_s;
                    ns.cost +=
                        tc + opts.energy_weight * ec - if include.contains(&c) { 3.0 } else { 0.0 };
                    if include.contains(&c) {
                        ns.includes += 1;
                    }
                    next.push(ns);
                };
                for &c in &cands {
                    if !pool[c as usize]
                        || st.has(c)
                        || self.artist_clash(&st.seq, c, opts.artist_window)
                    {
                        continue;
                    }
                    if !transition_facts(ln, &self.nodes[c as usize]).2 {
                        continue;
                    }
                    any = true;
                    push(c, &mut next);
                }
                if !any {
                    // Dead end: allow the least bad non-compatible move, clearly penalised.
                    let mut best: Option<(f64, u32)> = None;
                    for c in 0..n as u32 {
                        if !pool[c as usize]
                            || st.has(c)
                            || self.artist_clash(&st.seq, c, opts.artist_window)
                        {
                            continue;
                        }
                        let tc = transition_cost(ln, &self.nodes[c as usize])
                            + self.energy_dev(c, st.time_s / opts.length_s.max(1.0), opts);
                        if best.is_none_or(|(b, _)| tc < b) {
                            best = Some((tc, c));
                        }
                    }
                    match best {
                        Some((_, c)) => push(c, &mut next),
                        None => finished.push(st.clone()),
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            next.sort_by(|a, b| a.cost.total_cmp(&b.cost).then_with(|| a.seq.cmp(&b.seq)));
            // Diversity: keep at most 3 states ending on the same track.
            let mut kept: Vec<State> = Vec::with_capacity(width);
            let mut ends: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
            for st in next {
                let e = ends.entry(*st.seq.last().unwrap_or(&s)).or_insert(0);
                if *e >= 3 {
                    continue;
                }
                *e += 1;
                kept.push(st);
                if kept.len() >= width {
                    break;
                }
            }
            beam = kept;
        }
        finished.extend(beam.into_iter().filter(|st| st.time_s >= opts.length_s));
        let best = finished
            .into_iter()
            .min_by(|a, b| {
                (a.cost / a.seq.len() as f64)
                    .total_cmp(&(b.cost / b.seq.len() as f64))
                    .then_with(|| a.seq.cmp(&b.seq))
            })
            .unwrap_or_else(|| {
                let mut st = State {
                    seq: vec![s],
                    used: vec![0; words],
                    time_s: self.nodes[s as usize].play_s,
                    cost: 0.0,
                    includes: 0,
                };
                st.add(s);
                st
            });
        let unplaced = include
            .iter()
            .filter(|&&i| !best.has(i))
            .map(|&i| self.docs[i as usize].track_id.clone())
            .collect();
        Ok(self.finish(&best.seq, opts, unplaced))
    }

    fn energy_dev(&self, i: u32, frac: f64, opts: &PlanOptions) -> f64 {
        let target = opts.arc.target(frac);
        match self.nodes[i as usize].energy {
            Some(e) => (e - target).abs(),
            None => 2.0,
        }
    }

    fn finish(&self, seq: &[u32], opts: &PlanOptions, unplaced_includes: Vec<String>) -> SetPlan {
        let mut tracks = Vec::with_capacity(seq.len());
        let mut t = 0.0;
        let (mut compatible, mut dev_sum, mut dev_n, mut cost) = (0usize, 0.0, 0usize, 0.0);
        for (k, &i) in seq.iter().enumerate() {
            let node = &self.nodes[i as usize];
            let doc = &self.docs[i as usize];
            let target = opts.arc.target(t / opts.length_s.max(1.0));
            let transition = (k > 0).then(|| {
                let p = seq[k - 1];
                cost += transition_cost(&self.nodes[p as usize], node);
                explain(&self.nodes[p as usize], node, target)
            });
            if transition.as_ref().is_some_and(|tr| tr.compatible) {
                compatible += 1;
            }
            if let Some(e) = node.energy {
                dev_sum += (e - target).abs();
                dev_n += 1;
            }
            cost += opts.energy_weight * self.energy_dev(i, t / opts.length_s.max(1.0), opts);
            tracks.push(PlannedTrack {
                track_id: doc.track_id.clone(),
                artist: doc.artist.clone(),
                title: doc.title.clone(),
                start_s: t,
                energy: node.energy,
                target_energy: target,
                transition,
            });
            t += node.play_s;
        }
        let transitions = seq.len().saturating_sub(1);
        SetPlan {
            tracks,
            total_s: t,
            metrics: PlanMetrics {
                transitions,
                compatible_share: if transitions == 0 {
                    1.0
                } else {
                    compatible as f64 / transitions as f64
                },
                mean_abs_energy_dev: if dev_n == 0 {
                    0.0
                } else {
                    dev_sum / dev_n as f64
                },
                tracks_with_energy: dev_n,
                cost,
            },
            unplaced_includes,
        }
    }

    /// Metrics of the tracks in the given order (e.g. a playlist before re-ordering).
    pub fn evaluate(&self, ids: &[String], arc: Option<&Arc>) -> Result<SetPlan, PlanError> {
        let idx: Vec<u32> = ids
            .iter()
            .map(|id| {
                self.index_of(id)
                    .ok_or_else(|| PlanError::UnknownStart(id.clone()))
            })
            .collect::<Result<_, _>>()?;
        let total: f64 = idx.iter().map(|&i| self.nodes[i as usize].play_s).sum();
        let opts = PlanOptions {
            length_s: total,
            arc: arc.cloned().unwrap_or_default(),
            ..Default::default()
        };
        Ok(self.finish(&idx, &opts, Vec::new()))
    }

    /// Re-order the given tracks (ids) for the best flow: compatible transitions first, then
    /// energy following `arc` (or a smooth rise-and-fall when `None`). Every track is kept.
    pub fn order(
        &self,
        ids: &[String],
        arc: Option<&Arc>,
        beam_width: usize,
    ) -> Result<SetPlan, PlanError> {
        const MAX: usize = 1000;
        if ids.is_empty() {
            return Err(PlanError::EmptyPlaylist);
        }
        if ids.len() > MAX {
            return Err(PlanError::PlaylistTooLong(ids.len(), MAX));
        }
        let idx: Vec<u32> = ids
            .iter()
            .map(|id| {
                self.index_of(id)
                    .ok_or_else(|| PlanError::UnknownStart(id.clone()))
            })
            .collect::<Result<_, _>>()?;
        let mut uniq = idx.clone();
        uniq.sort_unstable();
        uniq.dedup();
        let arc = arc
            .cloned()
            .unwrap_or_else(|| Arc::parse("warmup-build-peak-release").unwrap_or_default());
        let total: f64 = uniq.iter().map(|&i| self.nodes[i as usize].play_s).sum();
        let opts = PlanOptions {
            length_s: total,
            arc,
            beam_width: beam_width.max(1),
            ..Default::default()
        };
        let words = self.docs.len().div_ceil(64).max(1);
        // Start from each of the lowest-energy tracks (openers), let the beam decide.
        let mut starts = uniq.clone();
        starts.sort_by(|&a, &b| {
            self.nodes[a as usize]
                .energy
                .unwrap_or(5.0)
                .total_cmp(&self.nodes[b as usize].energy.unwrap_or(5.0))
                .then(a.cmp(&b))
        });
        starts.truncate(8.max(opts.beam_width / 8));
        let mut beam: Vec<State> = starts
            .iter()
            .map(|&s| {
                let mut st = State {
                    seq: vec![s],
                    used: vec![0; words],
                    time_s: self.nodes[s as usize].play_s,
                    cost: self.energy_dev(s, 0.0, &opts),
                    includes: 0,
                };
                st.add(s);
                st
            })
            .collect();
        for _ in 1..uniq.len() {
            let mut next = Vec::new();
            for st in &beam {
                let last = &self.nodes[*st.seq.last().unwrap_or(&0) as usize];
                for &c in &uniq {
                    if st.has(c) {
                        continue;
                    }
                    let mut ns = st.clone();
                    ns.cost += transition_cost(last, &self.nodes[c as usize])
                        + self.energy_dev(c, st.time_s / total.max(1.0), &opts);
                    ns.seq.push(c);
                    ns.add(c);
                    ns.time_s += self.nodes[c as usize].play_s;
                    next.push(ns);
                }
            }
            next.sort_by(|a, b| a.cost.total_cmp(&b.cost).then_with(|| a.seq.cmp(&b.seq)));
            next.truncate(opts.beam_width);
            beam = next;
        }
        let best = beam
            .into_iter()
            .min_by(|a, b| a.cost.total_cmp(&b.cost))
            .map(|s| s.seq)
            .unwrap_or_default();
        Ok(self.finish(&best, &opts, Vec::new()))
    }
}

#[cfg(test)]
mod tests;

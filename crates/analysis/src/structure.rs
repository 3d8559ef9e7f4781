//! Structure: bar-level novelty (changes of loudness, band balance, drum presence and
//! sustained harmonic mids between the bars before and after a boundary), boundaries snapped to bars with a preference for
//! phrase starts, then rule-based labels (intro, build, drop, breakdown, outro, silence).

use crate::bars::{BarFeatures, BarGrid};
use crate::features::{self, BASS, HIGH, LOW_MID, MID, PRESENCE, SUB};

/// Bars quieter than the loudest bar by this much (dB) count as silence.
const SILENCE_REL_DB: f32 = 45.0;
/// Absolute silence floor (dB of mean square).
const SILENCE_ABS_DB: f32 = -70.0;
/// Minimum novelty (RMS change per feature dimension, ≈ units of 6 dB) for a boundary.
const MIN_NOVELTY: f32 = 0.4;
/// A section whose sustained 300–3500 Hz power (chords, pads, leads, voices) is this much
/// (dB) under the drops' has no harmony over its beat: before the first drop, still the
/// intro. Drums-only intros sit 15–37 dB under, sections with chords or a voice 0–7 dB.
const HARMONY_GONE_DB: f32 = 12.0;
/// Shortest section, bars.
const MIN_BARS: usize = 4;
/// A partial first bar shorter than this (s; two 46-ms analysis hops) is no section of its own.
const SLIVER_S: f64 = 0.1;
/// Averaging window each side of a candidate boundary, bars.
const WIN_BARS: usize = 4;
/// A segment whose mid band is this much (dB) under the drops' has lost its music.
const MIDS_GONE_DB: f32 = 8.0;
/// A pre-drop cuts the sub or bass band by at least this much (dB) under the drop's.
const PRE_DROP_CUT_DB: f32 = 6.0;
/// A riser lifts the top band (the noise sweep, the snare roll's rattle) by at least this
/// much (dB) from a pre-drop's first bar to its last, never falling back by more than 1 dB.
const RISER_DB: f32 = 6.0;
/// Longest ring-out, bars (a long reverb or delay tail after the last hit).
const MAX_TAIL_BARS: usize = 8;
/// A ring-out tail is this much (dB) below the music before it.
const TAIL_DB: f32 = 15.0;
/// Weight of the harmonic-mids dimension of the novelty vector ([`BarFeatures::harm_mid_db`]
/// in 6-dB units: sustained 300–3500 Hz power, i.e. chords, pads, leads and voices), the
/// weight the kick and hats dimensions have. A section change that only brings in or drops a
/// lead or a voice over the same beat (verse → hook, a vocal drop) hardly moves the band
/// levels, which the drums dominate, but moves this by a 6-dB step or more.
const HARMONY_WEIGHT: f32 = 2.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Bar range `[start_bar, end_bar)`.
    pub start_bar: usize,
    pub end_bar: usize,
    pub label: String,
    /// Mean loudness (dB) of the segment.
    pub loud_db: f32,
    /// Drum presence (0–1) of the segment.
    pub drums: f32,
    /// Fullness 0–1: how close each frequency band is to its loudest level in the track,
    /// averaged over the bands (a drop has bass, mids and highs at once; an intro of drums
    /// alone or a breakdown of pads does not).
    pub fullness: f32,
    pub silent: bool,
}

const BANDS6: [usize; 6] = [SUB, BASS, LOW_MID, MID, PRESENCE, HIGH];

/// Per-bar derived values shared by structure, mix points and energy.
#[derive(Debug, Clone, Default)]
pub struct BarView {
    pub silent: Vec<bool>,
    /// Drum presence per bar, 0–1 (kick/hats flux relative to the track's busiest bars,
    /// gated by an absolute floor so a quiet noise bed is not "drums").
    pub drums: Vec<f32>,
    /// Feature vectors used for novelty: loudness, six band levels, kick, hats and (when
    /// [`BarFeatures::harm_mid_db`] is filled) the harmonic mids.
    pub vecs: Vec<Vec<f32>>,
    pub max_loud: f32,
}

pub fn bar_view(bf: &BarFeatures) -> BarView {
    let nb = bf.loud_db.len();
    let max_loud = bf.loud_db.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let silent: Vec<bool> = (0..nb)
        .map(|i| {
            let l = bf.median_db.get(i).copied().unwrap_or(bf.loud_db[i]);
            l < SILENCE_ABS_DB || l < max_loud - SILENCE_REL_DB
        })
        .collect();
    let floor = max_loud - 50.0;
    let kick_ref = features::percentile(&bf.kick, 0.9).max(0.02);
    let hats_ref = features::percentile(&bf.hats, 0.9).max(0.02);
    let drums: Vec<f32> = (0..nb)
        .map(|i| {
            if silent[i] {
                return 0.0;
            }
            let k = (bf.kick[i] / kick_ref).min(1.5);
            let h = (bf.hats[i] / hats_ref).min(1.5);
            (0.6 * k + 0.4 * h).min(1.0)
        })
        .collect();
    let vecs = (0..nb)
        .map(|i| {
            let d = |x: f32| (x.max(floor) - max_loud) / 6.0;
            let mut v = vec![d(bf.loud_db[i])];
            for b in [SUB, BASS, LOW_MID, MID, PRESENCE, HIGH] {
                v.push(d(bf.band_db[b][i]));
            }
            v.push(2.0 * (bf.kick[i] / kick_ref).min(1.5));
            v.push(2.0 * (bf.hats[i] / hats_ref).min(1.5));
            if let Some(&h) = bf.harm_mid_db.get(i) {
                v.push(HARMONY_WEIGHT * d(h));
            }
            v
        })
        .collect();
    BarView {
        silent,
        drums,
        vecs,
        max_loud,
    }
}

fn dist(a: &[f32], b: &[f32]) -> f32 {
    let s: f32 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    (s / a.len().max(1) as f32).sqrt()
}

fn mean_vec(v: &[Vec<f32>]) -> Vec<f32> {
    let d = v.first().map_or(0, |x| x.len());
    let mut m = vec![0f32; d];
    for x in v {
        for (a, b) in m.iter_mut().zip(x) {
            *a += b;
        }
    }
    let n = v.len().max(1) as f32;
    m.iter_mut().for_each(|a| *a /= n);
    m
}

/// Novelty at each bar start (index i = boundary between bar i-1 and bar i; 0 for i = 0):
/// the distance between the mean feature vectors of the `WIN_BARS` bars before and after.
/// Only the windowed contrast is used: bar-to-bar differences are dominated by 2-bar chord
/// or drum patterns and by fills, which are not section changes.
pub fn novelty(view: &BarView) -> Vec<f32> {
    novelty_within(view, None)
}

/// [`novelty`] with windows that do not reach across a silence edge or into the ring-out
/// from `tail` on (whose own bars get no novelty: the tail is handled as a forced edge):
/// the contrast at bar i then only measures music against music, so a section start is not
/// outshone by the silence or the decay a few bars away.
pub fn novelty_within(view: &BarView, tail: Option<usize>) -> Vec<f32> {
    let nb = view.vecs.len();
    // Region id per bar: increments at every silence edge and at the tail.
    let mut region = vec![0usize; nb];
    for i in 1..nb {
        let brk = view.silent[i] != view.silent[i - 1] || tail == Some(i);
        region[i] = region[i - 1] + usize::from(brk);
    }
    let mut nov = vec![0f32; nb];
    let end = tail.unwrap_or(nb).min(nb);
    for (i, nv) in nov.iter_mut().enumerate().take(end).skip(1) {
        let w = WIN_BARS.min(i).min(nb - i);
        let lo = (i - w..i)
            .find(|&j| region[j] == region[i - 1])
            .unwrap_or(i - 1);
        let hi = (i..i + w)
            .rev()
            .find(|&j| region[j] == region[i])
            .map_or(i + 1, |j| j + 1);
        if region[i] != region[i - 1] {
            // A forced edge: plain contrast of the two sides.
            *nv = dist(&mean_vec(&view.vecs[lo..i]), &mean_vec(&view.vecs[i..hi]));
            continue;
        }
        // Same width on both sides so a short side does not inflate the contrast.
        let w2 = (i - lo).min(hi - i);
        let left = mean_vec(&view.vecs[i - w2..i]);
        let right = mean_vec(&view.vecs[i..i + w2]);
        *nv = dist(&left, &right);
    }
    nov
}

/// Phrase weight of a boundary `rel` bars after the phrase origin: dance music changes
/// section on 8-bar phrases (16/32-bar sections), sometimes after 4 bars, rarely elsewhere.
fn phrase_weight(rel: i64) -> f32 {
    if rel.rem_euclid(8) == 0 {
        1.0
    } else if rel.rem_euclid(4) == 0 {
        0.75
    } else {
        0.5
    }
}

/// Start of the track's ring-out: the bar after the last bar of music when the level then
/// steps down by at least `TAIL_DB` (a reverb/decay tail, not a fade) for at most
/// `MAX_TAIL_BARS` bars.
pub fn tail_start(grid: &BarGrid, bf: &BarFeatures, view: &BarView) -> Option<usize> {
    let nb = bf.loud_db.len();
    // Mean power, not the median frame: sparse drums (a kick-and-hats outro) have quiet
    // frames between the hits but are no ring-out.
    let level = |i: usize| bf.loud_db[i];
    let music: Vec<f32> = (0..nb).filter(|&i| !view.silent[i]).map(level).collect();
    if music.len() < 8 {
        return None;
    }
    let body = features::percentile(&music, 0.5);
    let last = (0..nb).rev().find(|&i| !view.silent[i])?;
    // Last bar of music at the body's level; what follows it is quiet.
    let m = (0..=last).rev().find(|&i| level(i) >= body - TAIL_DB)?;
    let k = m + 1;
    // A step down (music stops, reverb rings), not a fade, and a few bars long at most.
    let _ = grid;
    (k <= last && last + 1 - k <= MAX_TAIL_BARS && level(k) < level(m) - TAIL_DB).then_some(k)
}

/// Whether the ring-out from bar `t` lasts long enough (a second) to be a section of its
/// own; a shorter remainder stays part of the last section.
fn tail_is_section(grid: &BarGrid, t: usize) -> bool {
    grid.duration_s - grid.starts.get(t).copied().unwrap_or(grid.duration_s) >= 1.0
}

/// Section boundaries as bar indices (always containing 0 and `n_bars`).
/// `origin` is the bar phrases count from (the first beat-carrying bar): boundaries off the
/// 4-bar phrase grid need much stronger evidence than those on the 8-bar grid. `tail` is the
/// start of the ring-out after the music ([`tail_start`]), a boundary of its own.
pub fn boundaries(
    grid: &BarGrid,
    view: &BarView,
    nov: &[f32],
    origin: Option<usize>,
    tail: Option<usize>,
) -> Vec<usize> {
    let nb = nov.len();
    let mut forced = vec![0usize, nb];
    // Silence that only ends the file (under a second from its start to the end, as for a
    // ring-out in `tail_is_section`) stays part of the last section.
    let end_sliver = |i: usize| view.silent[i..nb].iter().all(|&s| s) && !tail_is_section(grid, i);
    for i in 1..nb {
        if view.silent[i] != view.silent[i - 1] && !end_sliver(i) {
            forced.push(i);
        }
    }
    // A partial first bar (before the first downbeat) is its own segment unless it is tiny.
    let tiny_partial = grid.partial_first && grid.end_of(0) < 0.25 * grid.bar_s;
    if grid.partial_first && !tiny_partial && nb > 1 {
        forced.push(1);
    }
    if let Some(o) = origin.filter(|&o| o > 0 && o < nb) {
        forced.push(o);
    }
    if let Some(t) = tail.filter(|&t| t > 0 && t < nb && tail_is_section(grid, t)) {
        forced.push(t);
    }
    forced.sort_unstable();
    forced.dedup();
    // Candidates: every bar, scored by novelty times the phrase prior; the best candidate in
    // a neighbourhood wins (non-maximum suppression below). The phrase prior is applied
    // before the peak picking so that a phrase-aligned change beats the neighbouring
    // off-phrase bar where a build's riser or a fill already moves the features.
    let origin = origin.unwrap_or(grid.first_grid_bar);
    let score = |i: usize| {
        let rel = i as i64 - origin as i64;
        let weight = if grid.from_beats {
            phrase_weight(rel)
        } else {
            1.0
        };
        if tiny_partial && i == 1 {
            0.0
        } else {
            nov[i] * weight
        }
    };
    let mut cands: Vec<(f32, usize)> = (1..nb)
        .filter(|&i| !(tiny_partial && i == 1))
        .filter_map(|i| {
            let s = score(i);
            // A bar on the shoulder of a stronger (weighted) change within 2 bars belongs
            // to that change.
            let peak = (i.saturating_sub(2).max(1)..(i + 3).min(nb)).all(|j| score(j) <= s);
            (peak && s >= MIN_NOVELTY).then_some((s, i))
        })
        .collect();
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen = forced.clone();
    for (_, i) in cands {
        if chosen.contains(&i) {
            continue;
        }
        let far = chosen.iter().all(|&c| {
            // Silence edges, the tail and the first beat may sit 2 bars from a change; the
            // track's own ends need a whole short section.
            let is_forced_edge = c != 0 && c != nb && forced.contains(&c);
            let need = if is_forced_edge {
                MIN_BARS.min(2)
            } else {
                MIN_BARS
            };
            c.abs_diff(i) >= need
        });
        if far {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    // One stretch of silence is one section (a partial first bar and the silent bar after
    // it are not two), and a partial first bar too short for its features to mean anything
    // (under two analysis hops) belongs to what follows it, whatever its silence flag says.
    let sliver = grid.partial_first && grid.end_of(0) < SLIVER_S;
    chosen.retain(|&b| {
        let inner = b > 0 && b < nb;
        let both_silent = inner && view.silent[b - 1] && view.silent[b];
        !(both_silent || (inner && b == 1 && sliver))
    });
    chosen
}

/// Label the segments between `bounds`; segments before `beat_in` (the first beat-carrying
/// bar) are intro material whatever their level.
/// Segments from `tail` on (the ring-out, see [`tail_start`]) are labelled "tail".
pub fn label(
    bounds: &[usize],
    bf: &BarFeatures,
    view: &BarView,
    beat_in: Option<usize>,
    tail: Option<usize>,
) -> Vec<Segment> {
    // Loudest 4-bar level per band (robust to a single hot bar).
    let mut band_max = [0f32; features::N_BANDS];
    for &k in BANDS6.iter() {
        let v = &bf.band_db[k];
        band_max[k] = (0..v.len())
            .map(|i| db_mean(&v[i..(i + 4).min(v.len())]))
            .fold(f32::NEG_INFINITY, f32::max);
    }
    let mut segs: Vec<Segment> = bounds
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let silent = view.silent[a..b].iter().filter(|&&s| s).count() * 2 > b - a;
            let fullness = BANDS6
                .iter()
                .map(|&k| {
                    ((db_mean(&bf.band_db[k][a..b]) - band_max[k]) / 18.0 + 1.0).clamp(0.0, 1.0)
                })
                .sum::<f32>()
                / BANDS6.len() as f32;
            Segment {
                start_bar: a,
                end_bar: b,
                label: String::new(),
                fullness,
                loud_db: db_mean(&bf.loud_db[a..b]),
                drums: features::mean(&view.drums[a..b]),
                silent,
            }
        })
        .collect();
    for s in segs.iter_mut().filter(|s| s.silent) {
        s.label = "silence".into();
    }
    if let Some(t) = tail {
        for s in segs.iter_mut().filter(|s| !s.silent && s.start_bar >= t) {
            s.label = "tail".into();
        }
    }
    let bi = beat_in.unwrap_or(0);
    for s in segs.iter_mut().filter(|s| !s.silent && s.end_bar <= bi) {
        s.label = "intro".into();
    }
    let music: Vec<usize> = (0..segs.len())
        .filter(|&j| !segs[j].silent && segs[j].end_bar > bi && segs[j].label != "tail")
        .collect();
    if music.is_empty() {
        return segs;
    }
    let top = music
        .iter()
        .map(|&j| segs[j].loud_db)
        .fold(f32::NEG_INFINITY, f32::max);
    let top_full = music.iter().map(|&j| segs[j].fullness).fold(0.0, f32::max);
    let max_drums = music.iter().map(|&j| segs[j].drums).fold(0.0, f32::max);
    let has_drums = max_drums > 0.3;
    // Mid band (chords, leads, vocals) of the fullest segment: a drums-only intro/outro or a
    // beat without its music lacks it even when kick and hats keep the level up.
    let mid_of = |s: &Segment| band_level(bf, MID, s.start_bar, s.end_bar);
    let top_mid = music
        .iter()
        .map(|&j| mid_of(&segs[j]))
        .fold(f32::NEG_INFINITY, f32::max);
    let is_drop = |s: &Segment| {
        mid_of(s) >= top_mid - MIDS_GONE_DB
            && s.fullness >= top_full - 0.12
            && s.loud_db >= top - 4.0
            && (!has_drums || s.drums >= 0.5 * max_drums)
    };
    let drops: Vec<usize> = music
        .iter()
        .copied()
        .filter(|&j| is_drop(&segs[j]))
        .collect();
    let drops = if drops.is_empty() {
        music
            .iter()
            .copied()
            .max_by(|&a, &b| segs[a].fullness.total_cmp(&segs[b].fullness))
            .into_iter()
            .collect()
    } else {
        drops
    };
    let first = drops[0];
    // Thinner than the main sections: quieter, fewer bands, or without the beat.
    let thin = |s: &Segment| {
        s.loud_db < top - 4.0
            || s.fullness < top_full - 0.2
            || (has_drums && s.drums < 0.4 * max_drums)
            || mid_of(s) < top_mid - MIDS_GONE_DB
    };
    // The outro: the trailing run of thin segments after the last full one (a last section
    // as full as the drops is no outro: the track ends at full level).
    let outro_from = {
        let mut k = music.len();
        while k > 0 && !drops.contains(&music[k - 1]) && thin(&segs[music[k - 1]]) {
            k -= 1;
        }
        music.get(k).copied()
    };
    // The intro is the leading run of segments that lack either the beat or the harmony over
    // it: once a section before the first drop has both, the intro is over, and that section
    // is the build-up to the drop (or a verse when more follows it).
    let harm_of = |s: &Segment| {
        (bf.harm_mid_db.len() >= s.end_bar)
            .then(|| db_mean(&bf.harm_mid_db[s.start_bar..s.end_bar]))
    };
    let harm_top = drops
        .iter()
        .filter_map(|&j| harm_of(&segs[j]))
        .fold(f32::NEG_INFINITY, f32::max);
    // No harmony over the beat yet (drums, perhaps a bass line), or no beat under the
    // harmony yet (chords alone): still the intro. Without the harmonic split, a segment as
    // full as the main ones ends it.
    let still_intro = |s: &Segment| {
        (has_drums && s.drums < 0.4 * max_drums)
            || match harm_of(s) {
                Some(h) if harm_top.is_finite() => h < harm_top - HARMONY_GONE_DB,
                _ => thin(s),
            }
    };
    let mut intro_open = true;
    for (k, &j) in music.iter().enumerate() {
        let s = &segs[j];
        if j < first && intro_open && !still_intro(s) {
            intro_open = false;
        }
        let lbl = if drops.contains(&j) {
            "drop"
        } else if j < first && intro_open {
            "intro"
        } else if j < first {
            let bars = s.end_bar - s.start_bar;
            if music.get(k + 1) == Some(&first) && bars <= 16 {
                "build"
            } else {
                "verse"
            }
        } else if outro_from.is_some_and(|o| j >= o) {
            "outro"
        } else if thin(s) {
            "breakdown"
        } else {
            "drop"
        };
        segs[j].label = lbl.into();
    }
    let (mut segs, music) = merge_pre_drops(segs, &music, bf);
    // A build: a short (≤ 8 bars) non-drop segment right before a drop that is louder or
    // busier than the segment before it.
    for k in 1..music.len() {
        let j = music[k];
        let next_is_drop = music.get(k + 1).is_some_and(|&n| segs[n].label == "drop");
        let prev = &segs[music[k - 1]];
        let s = &segs[j];
        if next_is_drop
            && s.label != "drop"
            && s.end_bar - s.start_bar <= 8
            && (s.loud_db > prev.loud_db + 1.0 || s.drums > prev.drums + 0.15)
        {
            segs[j].label = "build".into();
        }
    }
    segs
}

/// Mean power (dB) of band `k` over bars `a..b`.
fn band_level(bf: &BarFeatures, k: usize, a: usize, b: usize) -> f32 {
    db_mean(&bf.band_db[k][a.min(b)..b])
}

/// Mean power of per-bar levels in dB, back in dB (an empty slice gives the floor).
fn db_mean(v: &[f32]) -> f32 {
    features::db(v.iter().map(|&l| 10f32.powf(l / 10.0)).sum::<f32>() / v.len().max(1) as f32)
}

/// Whether the top band rises through bars `a..b` like a riser ([`RISER_DB`]).
fn rises(bf: &BarFeatures, a: usize, b: usize) -> bool {
    let h = &bf.band_db[HIGH];
    if b > h.len() || b < a + 2 {
        return false;
    }
    h[a + 1..b]
        .iter()
        .zip(&h[a..b - 1])
        .all(|(x, y)| *x >= y - 1.0)
        && h[b - 1] >= h[a] + RISER_DB
}

/// A pre-drop — at most 4 bars right before a drop with its low end cut (sub or bass at least
/// `PRE_DROP_CUT_DB` under that drop's) or a riser over it ([`rises`]) — is the last part of
/// the build-up, not a section of its own: it joins the segment before it, which becomes the
/// build (the first musical segment stays the intro). Returns the new segments and the new
/// indices of the musical ones.
fn merge_pre_drops(
    segs: Vec<Segment>,
    music: &[usize],
    bf: &BarFeatures,
) -> (Vec<Segment>, Vec<usize>) {
    let mut absorbed = vec![false; segs.len()];
    let mut segs = segs;
    for k in 1..music.len().saturating_sub(1) {
        let (p, j, n) = (music[k - 1], music[k], music[k + 1]);
        let (s, next) = (&segs[j], &segs[n]);
        if absorbed[p]
            || s.end_bar - s.start_bar > 4
            || next.label != "drop"
            || segs[p].end_bar != s.start_bar
            || next.start_bar != s.end_bar
        {
            continue;
        }
        let cut = [SUB, BASS].iter().any(|&b| {
            band_level(bf, b, s.start_bar, s.end_bar)
                < band_level(bf, b, next.start_bar, next.end_bar) - PRE_DROP_CUT_DB
        });
        if !cut && !rises(bf, s.start_bar, s.end_bar) {
            continue;
        }
        let (la, lb) = (
            (segs[p].end_bar - segs[p].start_bar) as f32,
            (s.end_bar - s.start_bar) as f32,
        );
        let lin = |db: f32| 10f32.powf(db / 10.0);
        let merged_loud =
            features::db((la * lin(segs[p].loud_db) + lb * lin(s.loud_db)) / (la + lb));
        let merged_drums = (la * segs[p].drums + lb * s.drums) / (la + lb);
        let end = s.end_bar;
        let prev = &mut segs[p];
        prev.end_bar = end;
        prev.loud_db = merged_loud;
        prev.drums = merged_drums;
        // The first musical segment stays the intro; any later one is the build-up.
        if k > 1 || prev.label != "intro" {
            prev.label = "build".into();
        }
        absorbed[j] = true;
    }
    let mut new_index = vec![usize::MAX; segs.len()];
    let mut out = Vec::with_capacity(segs.len());
    for (j, s) in segs.into_iter().enumerate() {
        if !absorbed[j] {
            new_index[j] = out.len();
            out.push(s);
        }
    }
    let music = music
        .iter()
        .filter(|&&j| !absorbed[j])
        .map(|&j| new_index[j])
        .collect();
    (out, music)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bars::bars_with;

    #[test]
    fn novelty_peaks_at_a_step() {
        let mut bf = BarFeatures::default();
        for i in 0..32 {
            let l = if i < 16 { -30.0 } else { -10.0 };
            bf.loud_db.push(l);
            bf.median_db.push(l);
            for b in 0..features::N_BANDS {
                bf.band_db[b].push(l - 3.0);
            }
            bf.kick.push(if i < 16 { 0.0 } else { 1.0 });
            bf.hats.push(0.5);
            bf.flux.push(0.5);
            bf.centroid.push(1000.0);
            bf.power.push(1.0);
        }
        let v = bar_view(&bf);
        let nov = novelty(&v);
        let g = BarGrid::regular(0.0, 2.0, 64.0, true);
        let b = boundaries(&g, &v, &nov, Some(0), None);
        assert_eq!(b, vec![0, 16, 32]);
        let segs = label(&b, &bf, &v, Some(0), None);
        assert_eq!(
            segs.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
            vec!["intro", "drop"]
        );
    }

    #[test]
    fn leading_silence_is_one_section_and_a_sliver_bar_none() {
        // 2.6 s of silence before the first downbeat: a partial bar [0, 0.6) and a whole bar
        // [0.6, 2.6), both silent, then 16 bars of music. One silence section, not two.
        let g = BarGrid::regular(2.6, 2.0, 34.6, true);
        assert!(g.partial_first && g.len() == 18, "{:?}", g.starts);
        let bf = bars_with(g.len(), |i| if i < 2 { -90.0 } else { -10.0 }, |_| 1.0);
        let v = bar_view(&bf);
        assert!(v.silent[0] && v.silent[1] && !v.silent[2]);
        let b = boundaries(&g, &v, &novelty(&v), Some(2), None);
        assert_eq!(b.first(), Some(&0));
        assert!(!b.contains(&1) && b.contains(&2), "{b:?}");

        // A first downbeat 30 ms in: the partial bar is too short to be judged silent or not,
        // and is no section of its own even when its features say "silent".
        let g = BarGrid::regular(0.03, 2.0, 32.03, true);
        assert!(g.partial_first && g.len() == 17, "{:?}", g.starts);
        let bf = bars_with(g.len(), |i| if i == 0 { -90.0 } else { -10.0 }, |_| 1.0);
        let v = bar_view(&bf);
        let b = boundaries(&g, &v, &novelty(&v), Some(1), None);
        assert!(!b.contains(&1), "{b:?}");
        let segs = label(&b, &bf, &v, Some(1), None);
        assert!(segs[0].end_bar > 1, "{segs:?}");
    }

    #[test]
    fn silence_that_only_ends_the_file_is_no_section() {
        // 16 bars of music, then 0.3 s of digital silence: a partial silent last bar.
        let g = BarGrid::regular(0.0, 2.0, 32.3, true);
        assert_eq!(g.len(), 17, "{:?}", g.starts);
        let bf = bars_with(g.len(), |i| if i < 16 { -10.0 } else { -90.0 }, |_| 1.0);
        let v = bar_view(&bf);
        assert!(v.silent[16] && !v.silent[15]);
        let b = boundaries(&g, &v, &novelty(&v), Some(0), None);
        assert!(!b.contains(&16), "{b:?}");
        let segs = label(&b, &bf, &v, Some(0), None);
        assert!(segs.iter().all(|s| s.label != "silence"), "{segs:?}");

        // Four seconds of silence after the music are a section of their own.
        let g = BarGrid::regular(0.0, 2.0, 36.0, true);
        let bf = bars_with(g.len(), |i| if i < 16 { -10.0 } else { -90.0 }, |_| 1.0);
        let v = bar_view(&bf);
        let b = boundaries(&g, &v, &novelty(&v), Some(0), None);
        assert!(b.contains(&16), "{b:?}");
    }

    #[test]
    fn phrase_aligned_change_beats_an_earlier_riser() {
        // 16 quiet bars, a riser that lifts bars 14–15 most of the way, the drop at 16.
        let bf = bars_with(
            32,
            |i| match i {
                0..=13 => -30.0,
                14 | 15 => -14.0,
                _ => -10.0,
            },
            |i| if i < 16 { 0.2 } else { 1.0 },
        );
        let v = bar_view(&bf);
        let nov = novelty(&v);
        let g = BarGrid::regular(0.0, 2.0, 64.0, true);
        let b = boundaries(&g, &v, &nov, Some(0), None);
        assert_eq!(b, vec![0, 16, 32], "{nov:?}");
    }

    #[test]
    fn ring_out_is_found_after_a_step_but_not_in_a_fade() {
        let g = BarGrid::regular(0.0, 2.0, 64.0, true);
        // 30 bars of music, then 2 bars 30 dB down: a tail from bar 30.
        let bf = bars_with(32, |i| if i < 30 { -10.0 } else { -40.0 }, |_| 1.0);
        let v = bar_view(&bf);
        assert_eq!(tail_start(&g, &bf, &v), Some(30));
        // A fade: 3 dB less per bar over the last 12 bars has no step, so no tail.
        let bf = bars_with(
            32,
            |i| {
                if i < 20 {
                    -10.0
                } else {
                    -10.0 - 3.0 * (i - 19) as f32
                }
            },
            |_| 1.0,
        );
        let v = bar_view(&bf);
        assert_eq!(tail_start(&g, &bf, &v), None);
    }

    #[test]
    fn bassless_pre_drop_joins_the_build() {
        // intro 0–16 (quiet), build 16–28, pre-drop 28–32 (no sub/bass), drop 32–48.
        let mut bf = bars_with(
            48,
            |i| match i {
                0..=15 => -25.0,
                16..=31 => -14.0,
                _ => -10.0,
            },
            |i| if (28..32).contains(&i) { 0.1 } else { 1.0 },
        );
        for i in 28..32 {
            bf.band_db[SUB][i] = -60.0;
            bf.band_db[BASS][i] = -50.0;
        }
        let v = bar_view(&bf);
        let segs = label(&[0, 16, 28, 32, 48], &bf, &v, Some(0), None);
        let got: Vec<(usize, usize, &str)> = segs
            .iter()
            .map(|s| (s.start_bar, s.end_bar, s.label.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(0, 16, "intro"), (16, 32, "build"), (32, 48, "drop")]
        );
    }

    #[test]
    fn riser_before_the_drop_joins_the_build() {
        // intro 0–16, build 16–28, then 4 bars at full level with the low end kept but the
        // top band sweeping up 3 dB a bar (a riser or a snare roll), drop 32–48.
        let mut bf = bars_with(
            48,
            |i| match i {
                0..=15 => -25.0,
                16..=27 => -14.0,
                _ => -10.0,
            },
            |_| 1.0,
        );
        for i in 28..32 {
            bf.band_db[HIGH][i] = -25.0 + 3.0 * (i - 28) as f32;
        }
        let v = bar_view(&bf);
        let lbl = |bf: &BarFeatures| -> Vec<(usize, usize, String)> {
            label(&[0, 16, 28, 32, 48], bf, &v, Some(0), None)
                .into_iter()
                .map(|s| (s.start_bar, s.end_bar, s.label))
                .collect()
        };
        let got = lbl(&bf);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[1].0, got[1].1, got[1].2.as_str()), (16, 32, "build"));
        // The same 4 bars without the sweep stay a section of their own.
        for i in 28..32 {
            bf.band_db[HIGH][i] = -13.0;
        }
        assert_eq!(lbl(&bf).len(), 4, "{:?}", lbl(&bf));
    }
}

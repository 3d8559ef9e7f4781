//! Structure: bar-level novelty (changes of loudness, band balance and drum presence between
//! the bars before and after a boundary), boundaries snapped to bars with a preference for
//! phrase starts, then rule-based labels (intro, build, drop, breakdown, outro, silence).

use crate::bars::{BarFeatures, BarGrid};
use crate::features::{self, BASS, HIGH, LOW_MID, MID, PRESENCE, SUB};

/// Bars quieter than the loudest bar by this much (dB) count as silence.
const SILENCE_REL_DB: f32 = 45.0;
/// Absolute silence floor (dB of mean square).
const SILENCE_ABS_DB: f32 = -70.0;
/// Minimum novelty (RMS change per feature dimension, ≈ units of 6 dB) for a boundary.
const MIN_NOVELTY: f32 = 0.4;
/// Shortest section, bars.
const MIN_BARS: usize = 4;
/// Averaging window each side of a candidate boundary, bars.
const WIN_BARS: usize = 4;

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
    /// Feature vectors used for novelty.
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

/// Novelty at each bar start (index i = boundary between bar i-1 and bar i; 0 for i = 0).
pub fn novelty(view: &BarView) -> Vec<f32> {
    let nb = view.vecs.len();
    let mut nov = vec![0f32; nb];
    for (i, nv) in nov.iter_mut().enumerate().skip(1) {
        let w = WIN_BARS.min(i).min(nb - i);
        let left = mean_vec(&view.vecs[i - w..i]);
        let right = mean_vec(&view.vecs[i..i + w]);
        let wide = dist(&left, &right);
        let narrow = dist(&view.vecs[i - 1], &view.vecs[i]);
        *nv = wide.max(0.6 * narrow);
    }
    nov
}

/// Section boundaries as bar indices (always containing 0 and `n_bars`).
/// `origin` is the bar phrases count from (the first beat-carrying bar): boundaries off the
/// 4-bar phrase grid need much stronger evidence than those on the 8-bar grid.
pub fn boundaries(
    grid: &BarGrid,
    view: &BarView,
    nov: &[f32],
    origin: Option<usize>,
) -> Vec<usize> {
    let nb = nov.len();
    let mut forced = vec![0usize, nb];
    for i in 1..nb {
        if view.silent[i] != view.silent[i - 1] {
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
    forced.sort_unstable();
    forced.dedup();
    // Candidates: local maxima of novelty above the floor, scored with a phrase prior.
    let origin = origin.unwrap_or(grid.first_grid_bar);
    let mut cands: Vec<(f32, usize)> = (1..nb)
        .filter(|&i| !(tiny_partial && i == 1))
        .filter(|&i| nov[i] >= nov[i - 1] && (i + 1 >= nb || nov[i] >= nov[i + 1]))
        .filter_map(|i| {
            let rel = i as i64 - origin as i64;
            let weight = if !grid.from_beats || rel.rem_euclid(8) == 0 {
                1.0
            } else if rel.rem_euclid(4) == 0 {
                0.75
            } else {
                0.5
            };
            let s = nov[i] * weight;
            (s >= MIN_NOVELTY).then_some((s, i))
        })
        .collect();
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut chosen = forced.clone();
    for (_, i) in cands {
        let far = chosen.iter().all(|&c| {
            let is_forced_edge = c == 0 || c == nb || forced.contains(&c);
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
    chosen
}

/// Label the segments between `bounds`; segments before `beat_in` (the first beat-carrying
/// bar) are intro material whatever their level.
pub fn label(
    bounds: &[usize],
    bf: &BarFeatures,
    view: &BarView,
    beat_in: Option<usize>,
) -> Vec<Segment> {
    // Loudest 4-bar level per band (robust to a single hot bar).
    let mut band_max = [0f32; features::N_BANDS];
    for &k in BANDS6.iter() {
        let v = &bf.band_db[k];
        band_max[k] = (0..v.len())
            .map(|i| {
                let w = &v[i..(i + 4).min(v.len())];
                features::db(w.iter().map(|&l| 10f32.powf(l / 10.0)).sum::<f32>() / w.len() as f32)
            })
            .fold(f32::NEG_INFINITY, f32::max);
    }
    let mut segs: Vec<Segment> = bounds
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let p: f32 = bf.loud_db[a..b]
                .iter()
                .map(|&l| 10f32.powf(l / 10.0))
                .sum::<f32>()
                / (b - a) as f32;
            let silent = view.silent[a..b].iter().filter(|&&s| s).count() * 2 > b - a;
            let fullness = BANDS6
                .iter()
                .map(|&k| {
                    let pk: f32 = bf.band_db[k][a..b]
                        .iter()
                        .map(|&l| 10f32.powf(l / 10.0))
                        .sum::<f32>()
                        / (b - a) as f32;
                    ((features::db(pk) - band_max[k]) / 18.0 + 1.0).clamp(0.0, 1.0)
                })
                .sum::<f32>()
                / BANDS6.len() as f32;
            Segment {
                start_bar: a,
                end_bar: b,
                label: String::new(),
                fullness,
                loud_db: features::db(p),
                drums: features::mean(&view.drums[a..b]),
                silent,
            }
        })
        .collect();
    for s in segs.iter_mut().filter(|s| s.silent) {
        s.label = "silence".into();
    }
    let bi = beat_in.unwrap_or(0);
    for s in segs.iter_mut().filter(|s| !s.silent && s.end_bar <= bi) {
        s.label = "intro".into();
    }
    let music: Vec<usize> = (0..segs.len())
        .filter(|&j| !segs[j].silent && segs[j].end_bar > bi)
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
    let is_drop = |s: &Segment| {
        s.fullness >= top_full - 0.12
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
    let (first, last) = (drops[0], drops[drops.len() - 1]);
    for &j in &music {
        let s = &segs[j];
        let lbl = if drops.contains(&j) {
            "drop"
        } else if j < first {
            "intro"
        } else if j > last {
            "outro"
        } else if s.loud_db < top - 4.0
            || s.fullness < top_full - 0.2
            || (has_drums && s.drums < 0.4 * max_drums)
        {
            "breakdown"
        } else {
            "drop"
        };
        segs[j].label = lbl.into();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let b = boundaries(&g, &v, &nov, Some(0));
        assert_eq!(b, vec![0, 16, 32]);
        let segs = label(&b, &bf, &v, Some(0));
        assert_eq!(
            segs.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
            vec!["intro", "drop"]
        );
    }
}

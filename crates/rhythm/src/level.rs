//! Metrical level (octave) choice from a beat-synchronous accent profile.
//!
//! The novelty is tracked at twice the periodicity level (`Lt`, so every candidate beat is a
//! tracked beat); the drum-accent envelope (kick and
//! snare-body bands) is then sampled at eighths of each tracked beat, folded over beat
//! index mod 16. For each candidate level (`Lt`, `Lt/2`, `Lt/4`) two numbers say how well it explains the drums:
//! * `carry`: how consistently the candidate's beats carry an accent;
//! * `between`: how much accent falls half-way between its beats.
//!
//! The beat a DJ counts is the level whose beats all carry a drum hit and between whose
//! beats no hit is as strong (kick–snare alternation at 174 in drum & bass; kicks at 124 in
//! house with the hats in between). `carry - between` plus a soft log-tempo prior decides.

use crate::onset::local_max;

/// Tracked beats folded: `PERIOD` beats, 8 subdivisions each.
pub const PERIOD: usize = 16;

/// Profile: `prof[j][s]` mean accent at beat `j mod PERIOD`, subdivision `s` (eighths of a beat).
pub fn profile(env: &[f32], beats: &[f64]) -> [[f64; 8]; PERIOD] {
    let mut prof = [[0.0f64; 8]; PERIOD];
    let mut cnt = [0usize; PERIOD];
    for (i, w) in beats.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let j = i % PERIOD;
        for (s, slot) in prof[j].iter_mut().enumerate() {
            *slot += local_max(env, a + (b - a) * s as f64 / 8.0, 1) as f64;
        }
        cnt[j] += 1;
    }
    for j in 0..PERIOD {
        if cnt[j] > 0 {
            prof[j].iter_mut().for_each(|v| *v /= cnt[j] as f64);
        }
    }
    prof
}

/// Score of a candidate level given as a beat spacing in profile steps (8 steps per
/// tracked beat): 8 for the tracked level, 16 for half of it, 32 for a quarter.
/// Returns (carry, between) at the best offset.
pub fn carry_between(prof: &[[f64; 8]; PERIOD], spacing: usize) -> (f64, f64) {
    let r = carry_between_raw(prof, spacing);
    (r.0, r.1)
}

/// As [`carry_between`], plus the raw mean accent on the beats and half-way between them.
pub fn carry_between_raw(prof: &[[f64; 8]; PERIOD], spacing: usize) -> (f64, f64, f64, f64) {
    let flat: Vec<f64> = prof.iter().flat_map(|r| r.iter().copied()).collect();
    let n = flat.len(); // 64
    let amax = flat.iter().copied().fold(0.0, f64::max);
    if amax <= 1e-9 || spacing == 0 || n % spacing != 0 {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let strong = |v: f64| (v / (0.5 * amax)).min(1.0);
    let mut best = (f64::NEG_INFINITY, 0.0, 0.0, 0.0);
    // candidate beats stay on tracked beats (metrical hierarchy): offsets step by 8
    for off in (0..spacing).step_by(8) {
        let beats: Vec<f64> = (0..n / spacing)
            .map(|k| flat[(off + k * spacing) % n])
            .collect();
        let half = spacing / 2;
        let mids: Vec<f64> = if spacing % 2 == 0 {
            (0..n / spacing)
                .map(|k| flat[(off + k * spacing + half) % n])
                .collect()
        } else {
            Vec::new()
        };
        let sum: f64 = beats.iter().sum();
        if sum > best.0 {
            let carry = beats.iter().map(|&v| strong(v)).sum::<f64>() / beats.len() as f64;
            let between = if mids.is_empty() {
                0.0
            } else {
                mids.iter().map(|&v| strong(v)).sum::<f64>() / mids.len() as f64
            };
            let msum: f64 = mids.iter().sum();
            best = (sum, carry, between, msum);
        }
    }
    let nb = (n / spacing) as f64;
    (best.1, best.2, best.0 / nb, best.3 / nb)
}

/// Half-way accent / on-beat accent at or above which the beat is the faster level.
pub const MID_FASTER: f64 = 0.7;
/// Backbeat between the kicked beats: the beat is faster when the snare's half-way/on ratio
/// times the overall half-way/on ratio reaches this. The product is the soft form of
/// "snare at least as strong half-way as on the beats (1.0) and substantial half-way accents
/// overall (0.5)": a much stronger half-way snare makes up for weaker half-way accents (a
/// breakbeat whose hats are quiet), and the other way round.
pub const SNARE_FASTER: f64 = 0.5;
/// At or below which the level stands: inside the preferred range, and below it down to
/// [`SLOWEST_STAY`] (downtempo and ambient at 70–77 BPM whose sparse drums leave nothing
/// half-way between the beats are not 140–154 tracks).
pub const MID_STAY: f64 = 0.4;
/// Slowest level that [`MID_STAY`] keeps outside the preferred range: 60 BPM, the bottom of
/// the tempo scale DJs use (and of the intent language's BPM domain).
pub const SLOWEST_STAY: f64 = 60.0;
/// Fastest level (BPM) that the score alone may climb to. Above it (faster than drum & bass
/// and jungle, 160–180) a DJ counts a beat only when the drums say so outright — half-way
/// accents as strong as the beats ([`MID_FASTER`], a gabber kick on every beat) or a
/// backbeat between the kicks ([`SNARE_FASTER`]); a busy eighth-note groove under a pop
/// backbeat at 100 is not a 200-BPM track, however well the 200-BPM pulse fits.
pub const FAST_BY_SCORE: f64 = 180.0;

/// A scored candidate.
#[derive(Debug, Clone, Copy)]
pub struct LevelScore {
    pub bpm: f64,
    /// Raw mean accent half-way between beats relative to on them.
    pub mid_ratio: f64,
    /// Snare-band accent half-way between beats relative to on them, with the beats placed
    /// on the kicks: a backbeat that falls between the beats means the level is too slow.
    pub snare_mid: f64,
    pub carry: f64,
    pub between: f64,
    pub score: f64,
}

/// Choose among levels related to `lt` (the tracked level). `prior` gives a log-weight.
/// The profile is built per window of `PERIOD` tracked beats (a tracker that slips a beat
/// in a breakdown must not smear the pattern), and the windows' carry / between values
/// are averaged with the window's accent as weight.
#[allow(clippy::too_many_arguments)] // one caller (the tracker); the inputs are independent signals and bounds
pub fn choose(
    env: &[f32],
    kick: &[f32],
    snare: &[f32],
    beats_lt: &[f64],
    lt: f64,
    min_bpm: f64,
    max_bpm: f64,
    prior: &dyn Fn(f64) -> f64,
    in_pref: &dyn Fn(f64) -> bool,
    centre: f64,
) -> (f64, Vec<LevelScore>) {
    let cands: [(usize, f64); 3] = [(8, 1.0), (16, 0.5), (32, 0.25)];
    let mut acc = [(0.0f64, 0.0f64, 0.0f64); 3];
    let mut raw = [(0.0f64, 0.0f64); 3];
    let mut sn = [(0.0f64, 0.0f64); 3];
    let mut start = 0;
    while start + PERIOD < beats_lt.len() {
        let win = &beats_lt[start..=start + PERIOD];
        let prof = profile(env, win);
        let weight: f64 = prof.iter().flat_map(|r| r.iter()).sum();
        let kprof = profile(kick, win);
        let sprof = profile(snare, win);
        for (i, &(sp, _)) in cands.iter().enumerate() {
            let (c, b, on, mid) = carry_between_raw(&prof, sp);
            raw[i].0 += on;
            raw[i].1 += mid;
            let (son, smid) = snare_on_mid(&kprof, &sprof, sp);
            sn[i].0 += son;
            sn[i].1 += smid;
            acc[i].0 += weight * c;
            acc[i].1 += weight * b;
            acc[i].2 += weight;
        }
        start += PERIOD;
    }
    let mut scores = Vec::new();
    for (i, &(_, r)) in cands.iter().enumerate() {
        let bpm = lt * r;
        if bpm < min_bpm || bpm > max_bpm || acc[i].2 <= 0.0 {
            continue;
        }
        let (carry, between) = (acc[i].0 / acc[i].2, acc[i].1 / acc[i].2);
        let score = carry - between + prior(bpm);
        let mid_ratio = if raw[i].0 > 1e-9 {
            raw[i].1 / raw[i].0
        } else {
            0.0
        };
        let snare_mid = if sn[i].0 > 1e-9 {
            sn[i].1 / sn[i].0
        } else {
            0.0
        };
        scores.push(LevelScore {
            bpm,
            mid_ratio,
            snare_mid,
            carry,
            between,
            score,
        });
    }
    // from the slowest level up: move to the faster level when the half-way accents are
    // nearly as strong as the beats, stop when they are clearly weaker, and let the
    // score (pattern fit + tempo prior) decide in between
    scores.sort_by(|a, b| a.bpm.total_cmp(&b.bpm));
    let mut cur = 0usize;
    while cur + 1 < scores.len() {
        let r = scores[cur].mid_ratio;
        // the snare cue weighs the snare's half-way share by the half-way accents overall
        // (see SNARE_FASTER), and is only trusted below the centre of the preferred range
        // (offbeat open hats share the snare's band)
        let snare_cue = scores[cur].snare_mid * r >= SNARE_FASTER && scores[cur].bpm < centre;
        let go = if snare_cue || r >= MID_FASTER {
            true
        } else if r <= MID_STAY
            && (in_pref(scores[cur].bpm) || (SLOWEST_STAY..centre).contains(&scores[cur].bpm))
        {
            false
        } else {
            scores[cur + 1].score > scores[cur].score && scores[cur + 1].bpm <= FAST_BY_SCORE
        };
        if !go {
            break;
        }
        cur += 1;
    }
    let best = scores.get(cur).map_or(lt, |s| s.bpm);
    (best, scores)
}

/// Windowed [`thirty_second_ratio`] (weighted by the window's band activity).
pub fn thirty_second_ratio_windowed(env: &[f32], beats_lt: &[f64], spacing: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    let mut start = 0;
    while start + PERIOD < beats_lt.len() {
        let prof = profile(env, &beats_lt[start..=start + PERIOD]);
        let w: f64 = prof.iter().flat_map(|r| r.iter()).sum();
        num += w * thirty_second_ratio(&prof, spacing);
        den += w;
        start += PERIOD;
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Activity on the 32nd notes of a level (profile spacing `spacing` steps per beat, 8 steps
/// per tracked beat) relative to its beats and eighths, from a (hat-band) profile. Ordinary
/// grooves subdivide a beat into eighths or sixteenths; steady 32nds mean the pulse
/// actually runs twice as fast and the drums are in half-time (dubstep / trap at 140 with
/// kick and snare at 70).
pub fn thirty_second_ratio(prof: &[[f64; 8]; PERIOD], spacing: usize) -> f64 {
    if spacing < 8 || spacing % 8 != 0 {
        return 0.0;
    }
    let flat: Vec<f64> = prof.iter().flat_map(|r| r.iter().copied()).collect();
    let n = flat.len();
    let step = spacing / 8;
    let (mut odd, mut no, mut main, mut nm) = (0.0, 0usize, 0.0, 0usize);
    for (i, &v) in flat.iter().enumerate() {
        if i % step != 0 {
            continue;
        }
        let k = i / step; // index in 32nds of the level
        if k % 2 == 1 {
            odd += v;
            no += 1;
        } else if k % 4 == 0 {
            main += v;
            nm += 1;
        }
    }
    let _ = n;
    if nm == 0 || no == 0 || main <= 1e-9 {
        return 0.0;
    }
    (odd / no as f64) / (main / nm as f64)
}

/// Snare-band mean on the beats and half-way between them, the beats' offset chosen by
/// the kick band.
fn snare_on_mid(
    kprof: &[[f64; 8]; PERIOD],
    sprof: &[[f64; 8]; PERIOD],
    spacing: usize,
) -> (f64, f64) {
    let kf: Vec<f64> = kprof.iter().flat_map(|r| r.iter().copied()).collect();
    let sf: Vec<f64> = sprof.iter().flat_map(|r| r.iter().copied()).collect();
    let n = kf.len();
    if spacing == 0 || n % spacing != 0 || spacing % 2 != 0 {
        return (0.0, 0.0);
    }
    let mut best = (f64::NEG_INFINITY, 0usize);
    for off in (0..spacing).step_by(8) {
        let k: f64 = (0..n / spacing).map(|j| kf[(off + j * spacing) % n]).sum();
        if k > best.0 {
            best = (k, off);
        }
    }
    let off = best.1;
    let on: f64 = (0..n / spacing).map(|j| sf[(off + j * spacing) % n]).sum();
    let mid: f64 = (0..n / spacing)
        .map(|j| sf[(off + j * spacing + spacing / 2) % n])
        .sum();
    (on, mid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Envelopes of 16 repeats of a pattern `len` tracked beats long (32 frames per tracked
    /// beat): `hits` gives, per position in tracked beats, the accent, kick and snare-band
    /// values. Returns (accent, kick, snare, tracked beats in frames).
    fn bars(hits: &[(f64, f32, f32, f32)], len: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f64>) {
        const BEAT: usize = 32;
        let n = 16 * len * BEAT + BEAT;
        let (mut acc, mut kick, mut snare) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
        for bar in 0..16 {
            for &(pos, a, k, s) in hits {
                let t = (bar * len) * BEAT + (pos * BEAT as f64).round() as usize;
                acc[t] = a;
                kick[t] = k;
                snare[t] = s;
            }
        }
        let beats = (0..16 * len).map(|b| (b * BEAT) as f64).collect();
        (acc, kick, snare, beats)
    }

    /// The level chosen for `hits` (a `len`-beat pattern) tracked at `bpm`.
    fn level_of(hits: &[(f64, f32, f32, f32)], len: usize, bpm: f64) -> f64 {
        let (acc, kick, snare, beats) = bars(hits, len);
        let prior = |b: f64| -0.3 * (b / 110.0).log2().powi(2);
        let in_pref = |b: f64| (78.0..=155.0).contains(&b);
        choose(
            &acc, &kick, &snare, &beats, bpm, 60.0, 200.0, &prior, &in_pref, 110.0,
        )
        .0
    }

    #[test]
    fn backbeat_between_kicks_under_a_thin_snare_is_the_faster_beat() {
        // Drum & bass two-step at 174 (kick 1 and 3-and, snare 2 and 4, a bass note on 3),
        // no hats, a thin snare under a heavy kick and bass in the accent envelope: the
        // half-way accents at 87 are well under half the on-beat ones (which alone would
        // keep 87), but the snare sits almost only half-way.
        let dnb = [
            (0.0, 1.0, 1.0, 0.1),
            (1.0, 0.2, 0.05, 0.6),
            (2.0, 0.7, 0.1, 0.1),
            (2.5, 0.8, 0.8, 0.1),
            (3.0, 0.2, 0.05, 0.6),
        ];
        assert!((level_of(&dnb, 4, 174.0) - 174.0).abs() < 0.1);
        // The same hits at half speed: hip-hop at 87 (kick 1 and 3-and, snare 2 and 4 of
        // the 87-BPM bar) tracked at 174. The snare is on the slow beats, so 87 stands.
        let hiphop: Vec<_> = dnb.iter().map(|&(p, a, k, s)| (2.0 * p, a, k, s)).collect();
        assert!((level_of(&hiphop, 8, 174.0) - 87.0).abs() < 0.1);
    }

    #[test]
    fn sparse_downtempo_below_the_preferred_range_stays_slow() {
        // Downtempo at 74 tracked at 148: kick on 1 and 3, snare on 2 and 4, a faint shaker
        // half-way (a fifth of the beats). Nothing between the beats says 148; the tempo
        // prior alone (148 is nearer the centre) must not double it.
        let downtempo = [
            (0.0, 1.0, 1.0, 0.0),
            (1.0, 0.2, 0.0, 0.0),
            (2.0, 0.8, 0.1, 1.0),
            (3.0, 0.2, 0.0, 0.0),
            (4.0, 1.0, 1.0, 0.0),
            (5.0, 0.2, 0.0, 0.0),
            (6.0, 0.8, 0.1, 1.0),
            (7.0, 0.2, 0.0, 0.0),
        ];
        assert!((level_of(&downtempo, 8, 148.0) - 74.0).abs() < 0.1);
    }

    #[test]
    fn busy_eighths_under_a_backbeat_do_not_make_a_200_bpm_track() {
        // Pop at 100 tracked at 200: kick on 1 and 3, snare on 2 and 4, a softer kick on
        // every off-eighth. The 200-BPM pulse fits the accents better (every tracked beat
        // carries a hit, nothing falls between), but nothing but that fit says 200.
        let pop = [
            (0.0, 0.8, 1.0, 0.0),
            (1.0, 0.45, 0.5, 0.0),
            (2.0, 1.0, 0.2, 1.0),
            (3.0, 0.45, 0.5, 0.0),
            (4.0, 0.8, 1.0, 0.0),
            (5.0, 0.45, 0.5, 0.0),
            (6.0, 1.0, 0.2, 1.0),
            (7.0, 0.45, 0.5, 0.0),
        ];
        assert!((level_of(&pop, 8, 200.0) - 100.0).abs() < 0.1);
        // The same groove with the off-eighths as loud as the beats (a kick on every beat
        // at 200, gabber-like) is 200: the half-way accents say so outright.
        let gabber: Vec<_> = pop.iter().map(|&(p, _, k, s)| (p, 1.0, k, s)).collect();
        assert!((level_of(&gabber, 8, 200.0) - 200.0).abs() < 0.1);
    }
}

//! Mix points: where a DJ can beat-match in and out, intro/outro lengths, ease scores and
//! human-readable notes.

use crate::bars::{BarFeatures, BarGrid};
use crate::features::SUB;
use crate::structure::{BarView, Segment};

/// Bars with drum presence above this carry a beat.
pub const DRUMS_ON: f32 = 0.3;
/// A bar has the beat's kick under it when its sub-band level is within this many dB of the
/// first beat bar's (a voice has its fundamental above the sub band).
const LOW_END_DB: f32 = 6.0;

#[derive(Debug, Clone, PartialEq)]
pub struct MixPoints {
    /// Bar index and time of the first beat-carrying downbeat.
    pub mix_in_bar: Option<usize>,
    pub mix_in_s: Option<f64>,
    /// Bar index and time where the outro (or the last section) starts.
    pub mix_out_bar: Option<usize>,
    pub mix_out_s: Option<f64>,
    pub intro_bars: u32,
    pub outro_bars: u32,
    pub mix_in_ease: f64,
    pub mix_out_ease: f64,
    pub notes: Vec<String>,
}

pub fn mmss(t: f64) -> String {
    let t = t.max(0.0).round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

/// Bars whose metrical pulse exceeds this carry the beat (see [`BarFeatures::pulse`]).
pub const PULSE_ON: f32 = 0.12;

/// Share of the track's clear-beat pulse (90th percentile over its non-silent bars) a bar
/// needs to count as carrying the beat when its onsets are not clearly locked to the grid.
/// Speech, ambience and free-time pre-rolls have onsets too, but far fewer of them sit on
/// the grid than the track's own beat does.
const PULSE_REL: f32 = 0.35;
/// Grid lock (see [`BarFeatures::grid_lock`]) above which a bar's onsets are metrical even
/// when they are sparse (chords struck on the beat, a lone kick).
const LOCK_ON: f32 = 0.6;
/// Pulse floor for locked bars (below it the "onsets" are noise).
const PULSE_FLOOR: f32 = 0.05;

/// First bar of metrical music: non-silent, its onsets on the grid — either a pulse as clear
/// as a good part of the track's own beat, or sparser onsets that sit almost only on the
/// beats (chords or a kick, as opposed to speech) — the next bar too, and the pulse kept in
/// at least 2 of the 3 bars after that.
pub fn first_beat_bar(grid: &BarGrid, bf: &BarFeatures, view: &BarView) -> Option<usize> {
    let nb = view.drums.len();
    let music_pulse: Vec<f32> = (0..nb)
        .filter(|&i| !view.silent[i])
        .filter_map(|i| bf.pulse.get(i).copied())
        .collect();
    let thr = PULSE_ON.max(PULSE_REL * crate::features::percentile(&music_pulse, 0.9));
    let on = |i: usize| {
        let p = bf.pulse.get(i).copied().unwrap_or(0.0);
        let lock = bf.grid_lock.get(i).copied().unwrap_or(0.0);
        !view.silent.get(i).copied().unwrap_or(true)
            && (p >= thr || (p >= PULSE_FLOOR && lock >= LOCK_ON))
    };
    let start = usize::from(grid.partial_first);
    let found = (start..nb).find(|&i| {
        let next_on = i + 1 >= nb || on(i + 1);
        let later = (i + 2..(i + 5).min(nb)).filter(|&j| on(j)).count();
        on(i) && next_on && later >= (nb.saturating_sub(i + 2)).min(2)
    })?;
    // The pulse is measured against the track's clearest beat, so a busy groove (sixteenths
    // and percussion between the beats) right at the start can read as "no beat yet" when a
    // sparse kick-and-hats outro sets the bar. The beat tracker's grid starts at its own
    // first downbeat; when every bar from there on carries drums with the sub of the beat
    // found above (speech also reads as drum-like flux, but has no kick under it), the beat
    // is there.
    let low = |i: usize| bf.band_db[SUB].get(i).copied().unwrap_or(-200.0);
    let beat_sub = low(found);
    let tracked = grid.first_grid_bar;
    let drums_from_tracked = tracked >= start
        && tracked < found
        && (tracked..found).all(|i| {
            !view.silent[i] && view.drums[i] >= DRUMS_ON && low(i) >= beat_sub - LOW_END_DB
        });
    Some(if drums_from_tracked { tracked } else { found })
}

/// Last bar that carries a beat.
pub fn last_beat_bar(view: &BarView) -> Option<usize> {
    (0..view.drums.len())
        .rev()
        .find(|&i| view.drums[i] >= DRUMS_ON && (i == 0 || view.drums[i - 1] >= DRUMS_ON))
}

/// A last section longer than this many bars that also began in the first half of the music
/// (and no outro) means no change was found in most of the track; the mix-out then falls on
/// the last phrase instead of the section's start.
const LONG_LAST_SECTION: usize = 32;
/// Bars a DJ needs to mix out over the end of a track with no outro: one 16-bar phrase.
const MIX_OUT_PHRASE: usize = 16;

/// Mix-out bar in the track's last musical section `s` when it has no outro: the section's
/// start, or, when the section runs on for more than [`LONG_LAST_SECTION`] bars from the
/// first half of the music (which starts at bar `music_start`), the last
/// [`MIX_OUT_PHRASE`]-bar phrase line (counted from the mix-in bar) that leaves a whole
/// phrase before the music ends. "Start of the last section" at 0:01 of a track read as
/// one long section tells a DJ nothing.
fn last_phrase(s: &Segment, music_start: usize, origin: Option<usize>) -> usize {
    let half = music_start + (s.end_bar.saturating_sub(music_start)) / 2;
    if s.end_bar - s.start_bar <= LONG_LAST_SECTION || s.start_bar >= half {
        return s.start_bar;
    }
    let origin = origin.unwrap_or(s.start_bar).min(s.start_bar);
    let latest = s.end_bar - MIX_OUT_PHRASE;
    let k = origin + (latest - origin) / MIX_OUT_PHRASE * MIX_OUT_PHRASE;
    k.max(s.start_bar)
}

pub fn compute(
    grid: &BarGrid,
    bf: &BarFeatures,
    view: &BarView,
    segs: &[Segment],
    beat_in: Option<usize>,
) -> MixPoints {
    let has_grid = grid.from_beats;
    let mut notes = Vec::new();
    let music: Vec<&Segment> = segs
        .iter()
        .filter(|s| !s.silent && s.label != "tail")
        .collect();
    let first_music_bar = music.first().map(|s| s.start_bar);
    let mix_in_bar = beat_in.or(first_music_bar.map(|b| {
        if b == 0 && grid.partial_first && grid.len() > 1 {
            1
        } else {
            b
        }
    }));
    let mix_in_s = mix_in_bar.map(|b| grid.starts[b]);

    // Mix-out: start of the outro; without one, the start of the last musical section.
    let outro_start = music
        .iter()
        .rev()
        .take_while(|s| s.label == "outro")
        .last()
        .map(|s| s.start_bar);
    let mix_out_bar = outro_start.or(music
        .last()
        .map(|s| last_phrase(s, first_music_bar.unwrap_or(0), mix_in_bar)));
    let mix_out_s = mix_out_bar.map(|b| grid.starts[b]);

    // The beat intro runs to the first section that is no longer intro (a verse, a build or
    // the drop itself).
    let intro_end = music
        .iter()
        .find(|s| s.label != "intro")
        .map(|s| s.start_bar);
    let intro_bars = match (mix_in_bar, intro_end) {
        (Some(a), Some(d)) if d > a && beat_in.is_some() => (d - a) as u32,
        _ => 0,
    };
    let last_music_end = music.last().map(|s| s.end_bar).unwrap_or(0);
    let last_beat = if has_grid { last_beat_bar(view) } else { None };
    let outro_bars = match (outro_start, last_beat) {
        (Some(o), Some(l)) if l + 1 > o => (l + 1 - o) as u32,
        _ => 0,
    };

    // ── ease scores ──
    let mut in_ease: f64 = 3.0;
    if beat_in.is_none() {
        in_ease = 2.0;
        notes.push(if has_grid {
            "no steady beat to mix in on".into()
        } else {
            "no beat grid (beatless or free tempo)".into()
        });
    } else {
        in_ease += match intro_bars {
            // one bar of slack: a phrase that starts a beat late is still a 16-bar intro
            31.. => 5.5,
            15..=30 => 4.5,
            7..=14 => 3.0,
            4..=6 => 1.5,
            _ => 0.0,
        };
        if intro_bars >= 4 {
            notes.push(format!("{intro_bars}-bar beat intro"));
        } else {
            notes.push("starts at full energy (short intro)".into());
        }
        if let (Some(t), Some(fm)) = (mix_in_s, first_music_bar) {
            let lead = t - grid.starts[fm];
            if lead > 8.0 {
                notes.push(format!("no beat until {}", mmss(t)));
                in_ease -= 1.0;
            }
        }
        // A sparse low end in the intro makes layering easy.
        if let (Some(a), Some(d)) = (mix_in_bar, intro_end) {
            if d > a {
                let bass = |r: std::ops::Range<usize>| {
                    let n = r.len().max(1) as f32;
                    r.map(|i| bf.band_db[crate::features::BASS][i]).sum::<f32>() / n
                };
                let (bi, bd) = (bass(a..d), bass(d..(d + 8).min(grid.len())));
                if bi < bd - 6.0 {
                    in_ease += 0.5;
                    notes.push("bassless intro".into());
                }
            }
        }
    }
    let mut out_ease: f64 = 3.0;
    out_ease += match outro_bars {
        31.. => 5.5,
        15..=30 => 4.5,
        7..=14 => 3.0,
        4..=6 => 1.5,
        _ => 0.0,
    };
    if outro_bars >= 4 {
        notes.push(format!("{outro_bars}-bar beat outro"));
    }
    // Ending: abrupt when the last musical bar is near full level, fade when it decays.
    if last_music_end > 0 {
        let mut last = last_music_end - 1;
        // A partial last bar (the release tail after the final hit, the file's last
        // fraction of a bar) says nothing about how the music ends: judge the bar before it.
        if last > 0 && grid.end_of(last) - grid.starts[last] < 0.5 * grid.bar_s {
            last -= 1;
        }
        let lvl = bf.loud_db[last];
        if lvl > view.max_loud - 4.0 && outro_bars < 4 {
            notes.push("abrupt ending".into());
            out_ease -= 1.5;
        } else if last >= 4 && bf.loud_db[last - 4] > lvl + 6.0 {
            notes.push("fades out".into());
        }
    }
    if has_grid && last_beat.is_some_and(|l| l + 4 < last_music_end) {
        notes.push("beat stops before the end".into());
        out_ease -= 0.5;
    }
    if !has_grid {
        out_ease = out_ease.min(3.0);
    }
    MixPoints {
        mix_in_bar,
        mix_in_s,
        mix_out_bar,
        mix_out_s,
        intro_bars,
        outro_bars,
        mix_in_ease: in_ease.clamp(1.0, 10.0),
        mix_out_ease: out_ease.clamp(1.0, 10.0),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(a: usize, b: usize, label: &str) -> Segment {
        Segment {
            start_bar: a,
            end_bar: b,
            label: label.into(),
            loud_db: -10.0,
            drums: 1.0,
            fullness: 0.8,
            silent: false,
        }
    }

    /// 32 bars at -12 dB with a steady kick and hats; `pulse`/`lock`/`sub` per bar.
    fn groove(
        pulse: impl Fn(usize) -> f32,
        lock: impl Fn(usize) -> f32,
        sub: impl Fn(usize) -> f32,
    ) -> BarFeatures {
        let mut bf = crate::bars::bars_with(32, |_| -12.0, |_| 1.0);
        for i in 0..32 {
            bf.pulse[i] = pulse(i);
            bf.grid_lock[i] = lock(i);
            bf.band_db[SUB][i] = sub(i);
        }
        bf
    }

    #[test]
    fn a_busy_groove_from_the_tracked_first_downbeat_is_the_beat() {
        // 16 bars of busy groove (sixteenths between the beats: low pulse and lock), then a
        // sparse kick-and-hats outro whose clear pulse sets the threshold. The pulse alone
        // puts the first beat at the outro; the tracker's first downbeat (bar 0) with drums
        // and the kick's sub in every bar since puts it at bar 0.
        let g = BarGrid::regular(0.0, 2.0, 64.0, true);
        let busy = |i: usize| if i < 16 { 0.2 } else { 1.5 };
        let lock = |i: usize| if i < 16 { 0.4 } else { 1.0 };
        let bf = groove(busy, lock, |_| -20.0);
        let v = crate::structure::bar_view(&bf);
        assert_eq!(first_beat_bar(&g, &bf, &v), Some(0));
        // The same bars without sub under the first two (a voice over drum-like flux): the
        // beat starts where the pulse says, not at the tracker's first downbeat.
        let bf = groove(busy, lock, |i| if i < 2 { -60.0 } else { -20.0 });
        let v = crate::structure::bar_view(&bf);
        assert_eq!(first_beat_bar(&g, &bf, &v), Some(16));
    }

    #[test]
    fn mix_out_of_a_track_read_as_one_long_section_is_its_last_phrase() {
        // Music from bar 1 to bar 64 and no change found: the last 16-bar phrase counted
        // from the mix-in at bar 1 starts at bar 33 and leaves 31 bars; bar 49 leaves 15.
        assert_eq!(last_phrase(&seg(1, 64, "drop"), 0, Some(1)), 33);
        assert_eq!(last_phrase(&seg(1, 65, "drop"), 0, Some(1)), 49);
        // A normal last section keeps its start, however long it is when it starts in the
        // second half of the music.
        assert_eq!(last_phrase(&seg(40, 56, "drop"), 0, Some(1)), 40);
        assert_eq!(last_phrase(&seg(40, 80, "drop"), 0, Some(1)), 40);
        // The phrase line never falls before the section.
        assert_eq!(last_phrase(&seg(30, 70, "drop"), 0, Some(1)), 49);
        assert_eq!(last_phrase(&seg(30, 70, "drop"), 0, None), 46);
    }
}

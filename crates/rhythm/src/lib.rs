//! flowstate-rhythm: BPM, beat grid, downbeats, groove style and tempo feel from mono PCM.
//!
//! Pipeline (each stage a small module, plain data in and out):
//! 1. [`onset`]: multi-band spectral flux → novelty curve (~86 frames/s at any rate);
//! 2. [`tempo`]: comb-filtered autocorrelation → periodicity, then metrical-level choice
//!    from drum accents (87 vs 174, 70 vs 140) with the preferred range as a soft prior;
//! 3. [`beats`]: dynamic-programming beat tracking, robust constant-grid fit (BPM to 0.01),
//!    tempo-change segmentation, beat-carrying span (silence / beatless intros excluded);
//! 4. [`meter`]: bar phase (downbeats) from kick, harmonic change, energy rise, backbeat;
//! 5. [`groove`]: groove style and tempo feel.
//!
//! Never panics on input: empty, silent, NaN-laden or very short audio gives `bpm: None`
//! with a diagnostic.

pub mod beats;
pub mod groove;
pub mod level;
pub mod meter;
pub mod onset;
pub mod tempo;

use flowstate_types::{BeatGrid, GridSegment};

/// Version of the rhythm analysis; bump when results change intentionally.
pub const RHYTHM_VERSION: &str = "rhythm-0.5";

/// Options of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct RhythmOptions {
    /// Preferred BPM range (Traktor-like 78–155 by default). A soft prior: it breaks ties
    /// between metrical levels the audio cannot separate and decides half-time reporting,
    /// but clear evidence wins (drum & bass at 174 stays 174, downtempo at 74 stays 74).
    pub preferred_bpm: (f64, f64),
    /// Hard search limits for the beat level.
    pub min_bpm: f64,
    pub max_bpm: f64,
    /// Allow a variable grid (several segments) when the tempo really changes.
    pub allow_variable_tempo: bool,
}

impl Default for RhythmOptions {
    fn default() -> Self {
        Self {
            preferred_bpm: (78.0, 155.0),
            min_bpm: 50.0,
            max_bpm: 220.0,
            allow_variable_tempo: true,
        }
    }
}

/// Perceived tempo relative to the reported BPM (CODEX `tempo_feel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TempoFeel {
    Straight,
    DoubleTime,
    HalfTime,
}

impl TempoFeel {
    pub fn as_str(self) -> &'static str {
        match self {
            TempoFeel::Straight => "straight",
            TempoFeel::DoubleTime => "double-time",
            TempoFeel::HalfTime => "half-time",
        }
    }
}

/// CODEX `groove_style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrooveStyle {
    FourOnFloor,
    Broken,
    Swung,
    Syncopated,
    Linear,
}

impl GrooveStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            GrooveStyle::FourOnFloor => "four-on-floor",
            GrooveStyle::Broken => "broken",
            GrooveStyle::Swung => "swung",
            GrooveStyle::Syncopated => "syncopated",
            GrooveStyle::Linear => "linear",
        }
    }
}

/// Result of [`analyze`]. Times are seconds from the first sample given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RhythmAnalysis {
    /// Beats per minute, rounded to 0.01; `None` when there is no beat.
    pub bpm: Option<f64>,
    /// 0..1.
    pub confidence: f64,
    pub tempo_feel: Option<TempoFeel>,
    pub groove_style: Option<GrooveStyle>,
    /// Constant grid (one segment) or variable grid (several); `first_downbeat_s` set.
    pub grid: Option<BeatGrid>,
    /// Beat times (s) over the beat-carrying span of the track.
    pub beats: Vec<f64>,
    /// Downbeat (bar start) times (s), a subset of `beats`.
    pub downbeats: Vec<f64>,
    /// Detected onsets per second over the whole input.
    pub onset_density: f64,
    /// Per-beat strength (aligned with `beats`), 0..1 (1 = the track's strong beats).
    pub beat_strength: Vec<f32>,
    /// Onset novelty curve (0..1-ish, normalised to the track's 99th percentile) at
    /// `novelty_rate_hz` frames per second, frame `t` at `t / novelty_rate_hz` s.
    pub novelty: Vec<f32>,
    pub novelty_rate_hz: f64,
    /// Swing ratio of the off-beat subdivision (0.5 straight, ~0.67 triplet) when measured.
    pub swing_ratio: Option<f64>,
    pub diagnostics: Vec<String>,
}

/// Delay of the flux peak relative to the true onset, in frames (measured on synthetic
/// clicks: the log-compressed flux fires when the attack enters the centred window).
const ONSET_LAG_FRAMES: f64 = -0.73;

fn percentile_f32(x: &[f32], q: f64) -> f32 {
    let mut v: Vec<f32> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Analyse mono PCM (any rate; 22050 Hz is the native analysis rate).
pub fn analyze(samples: &[f32], sample_rate: u32, opts: &RhythmOptions) -> RhythmAnalysis {
    let mut out = RhythmAnalysis::default();
    if sample_rate < 4000 {
        out.diagnostics.push(format!(
            "sample rate {sample_rate} Hz too low for rhythm analysis"
        ));
        return out;
    }
    let feats = onset::features(samples, sample_rate);
    let fps = feats.fps;
    out.novelty_rate_hz = fps;
    let n = feats.n_frames;
    let dur = samples.len() as f64 / sample_rate as f64;
    let p99 = percentile_f32(&feats.novelty, 0.99).max(1e-9);
    out.novelty = feats.novelty.iter().map(|v| (v / p99).min(2.0)).collect();
    out.onset_density = onset_density(&feats.novelty, fps, dur);
    let peak_rms = feats.rms.iter().copied().fold(0.0f32, f32::max);
    if n < (fps * 4.0) as usize || peak_rms < 1e-5 {
        out.diagnostics.push(if peak_rms < 1e-5 {
            "silent input".into()
        } else {
            "input too short".into()
        });
        return out;
    }

    // ── tempo ──
    let max_lag = ((12.0 * fps).ceil() as usize).min(n.saturating_sub(1));
    let acf = tempo::autocorr(&feats.novelty, max_lag);
    let curve = tempo::curve(
        &acf,
        fps,
        opts.min_bpm.max(30.0),
        opts.max_bpm.max(opts.min_bpm + 1.0),
        0.25,
    );
    let smax = curve.max();
    if smax < 0.02 {
        out.diagnostics
            .push(format!("no periodicity (comb salience {smax:.3})"));
        return out;
    }
    let centre = (opts.preferred_bpm.0 * opts.preferred_bpm.1)
        .sqrt()
        .max(1.0);
    let prior = |b: f64| {
        let z = (b / centre).log2();
        (-0.5 * z * z / (1.0f64).powi(2)).exp()
    };
    let mut raw = (curve.bpms[0], f64::NEG_INFINITY);
    for (&b, &s) in curve.bpms.iter().zip(&curve.sal) {
        if s * prior(b) > raw.1 {
            raw = (b, s * prior(b));
        }
    }
    let mut raw_bpm = 60.0 * fps / tempo::precise_period(&acf, 60.0 * fps / raw.0);
    out.diagnostics.push(format!(
        "periodicity peak {raw_bpm:.2} BPM (salience {:.3})",
        curve.max()
    ));
    let kick_acf = tempo::autocorr(&feats.bands[onset::KICK], max_lag);
    if raw_bpm * 1.5 <= opts.max_bpm && tempo::three_two_alias(&kick_acf, fps, raw_bpm) {
        let up = 60.0 * fps / tempo::precise_period(&acf, 60.0 * fps / (raw_bpm * 1.5));
        out.diagnostics.push(format!(
            "kicks recur at 2/3 of that period, not at it: pulse {up:.2} BPM (3:2 alias)"
        ));
        raw_bpm = up;
    }

    let accent_raw: Vec<f32> = (0..n)
        .map(|t| {
            feats.bands[onset::KICK][t]
                + feats.bands[onset::LOW_MID][t]
                + feats.bands[onset::MID][t]
        })
        .collect();
    let accent = onset::detrend(&accent_raw, (0.15 * fps).round() as usize);
    // track at twice the periodicity level so every candidate beat is a tracked beat
    let lt = raw_bpm * 2.0;
    let pt = 60.0 * fps / lt;
    let fine_beats: Vec<f64> = beats::track(&feats.novelty, &vec![pt; n], 100.0)
        .iter()
        .map(|&b| beats::refine_peak(&feats.novelty, b, 1))
        .collect();
    let (pref_lo, pref_hi) = opts.preferred_bpm;
    let lprior = move |b: f64| {
        let z = (b / centre).log2();
        let outside = if b < pref_lo {
            (pref_lo / b).log2()
        } else if b > pref_hi {
            (b / pref_hi).log2()
        } else {
            0.0
        };
        -0.3 * z * z - 0.5 * outside
    };
    let in_pref = move |b: f64| b >= pref_lo && b <= pref_hi;
    let (level, scores) = level::choose(
        &accent,
        &feats.bands[onset::KICK],
        &feats.bands[onset::MID],
        &fine_beats,
        lt,
        opts.min_bpm,
        opts.max_bpm,
        &lprior,
        &in_pref,
        centre,
    );
    out.diagnostics.push(format!(
        "metrical level {level:.2} BPM; candidates {}",
        scores
            .iter()
            .map(|s| format!(
                "{:.1}: mid/on {:.2} snare mid/on {:.2} carry {:.2} between {:.2} score {:.2}",
                s.bpm, s.mid_ratio, s.snare_mid, s.carry, s.between, s.score
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut feel_half = false;
    let mut beat_bpm = level;
    let spacing = ((lt / level) * 8.0).round() as usize;
    let r32 = level::thirty_second_ratio_windowed(&feats.bands[onset::HIGH], &fine_beats, spacing);
    out.diagnostics.push(format!(
        "32nd-note hat activity at {level:.2} BPM: {r32:.2}"
    ));
    if r32 >= 0.3 && level * 2.0 <= opts.max_bpm && level < centre {
        beat_bpm = level * 2.0;
        feel_half = true;
        out.diagnostics.push(format!(
            "drums at {level:.2} BPM over a {beat_bpm:.2} BPM pulse: half-time"
        ));
    }
    let beat_bpm = 60.0 * fps / tempo::precise_period(&acf, 60.0 * fps / beat_bpm);

    // ── beats ──
    let p = 60.0 * fps / beat_bpm;
    let period = vec![p; n];
    let raw_beats = beats::track(&feats.novelty, &period, 100.0);
    let refined: Vec<f64> = raw_beats
        .iter()
        .map(|&b| beats::refine_peak(&feats.novelty, b, 2))
        .collect();
    let weights: Vec<f64> = raw_beats
        .iter()
        .map(|&b| feats.novelty[b.min(n - 1)] as f64)
        .collect();
    let Some(fit) = beats::fit_line(&refined, &weights, p) else {
        out.diagnostics
            .push("beat tracking found no steady grid".into());
        return out;
    };
    // grid positions over the whole input: one constant grid, or piecewise constant when
    // the tracked beats show tempo plateaus that differ
    let mut fits: Vec<(f64, beats::LineFit)> = vec![(0.0, fit)]; // (start frame, fit)
    if opts.allow_variable_tempo {
        // Tempo segments are established only by tracked beats inside the beat-carrying
        // span: a tracker wandering through a beatless intro or outro has no tempo to report.
        let (i0, i1) = {
            let w32: Vec<f32> = weights.iter().map(|&w| w as f32).collect();
            let r = percentile_f32(&w32, 0.75).max(1e-9);
            let act: Vec<bool> = w32.iter().map(|&v| v >= 0.2 * r).collect();
            match beats::active_span(&act, 8, 6) {
                Some((a, b)) => (a, b + 1),
                None => (0, refined.len()),
            }
        };
        let runs: Vec<(usize, usize)> = beats::steady_runs(&refined[i0..i1], 0.015, 8, 16)
            .into_iter()
            .map(|(a, b)| (a + i0, b + i0))
            .collect();
        if runs.len() > 1 {
            let mut seg_fits = Vec::new();
            for &(a, b) in &runs {
                let seg = &refined[a..b];
                let ibis: Vec<f64> = seg.windows(2).map(|w| w[1] - w[0]).collect();
                let mut sorted = ibis.clone();
                sorted.sort_by(|x, y| x.total_cmp(y));
                let pm = sorted.get(sorted.len() / 2).copied().unwrap_or(p);
                if let Some(f) = beats::fit_line(seg, &weights[a..b], pm) {
                    seg_fits.push((seg[0], f));
                }
            }
            let distinct = seg_fits
                .windows(2)
                .any(|w| (w[1].1.period / w[0].1.period - 1.0).abs() > 0.01);
            if seg_fits.len() == runs.len() && distinct {
                out.diagnostics.push(format!(
                    "variable tempo: {}",
                    seg_fits
                        .iter()
                        .map(|(s0, f)| format!(
                            "{:.2} BPM from {:.1} s",
                            60.0 * fps / f.period,
                            s0 / fps
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                seg_fits[0].0 = 0.0;
                fits = seg_fits;
            }
        }
    }
    let mut positions: Vec<f64> = Vec::new();
    let mut seg_of: Vec<usize> = Vec::new();
    for (si, (s0, f)) in fits.iter().enumerate() {
        let end = fits.get(si + 1).map_or(n as f64, |x| x.0);
        // continue from the previous segment's last beat when there is one
        let mut pos = match positions.last() {
            Some(&last) => {
                let k = ((last + 0.5 * f.period - f.t0) / f.period).ceil();
                f.t0 + k * f.period
            }
            None => {
                let k = ((s0 - f.t0) / f.period).ceil();
                f.t0 + k * f.period
            }
        };
        // a beat right at the start may sit a fraction of a frame before frame 0
        while pos < -1.0 {
            pos += f.period;
        }
        while pos < end - 0.5 * f.period && pos < n as f64 {
            positions.push(pos);
            seg_of.push(si);
            pos += f.period;
        }
    }
    let strength = beats::grid_strength(&feats.novelty, &positions);
    let mut sorted: Vec<f32> = strength.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let ref_strength = percentile_f32(&strength, 0.75).max(1e-9);
    let active: Vec<bool> = strength.iter().map(|&s| s >= 0.2 * ref_strength).collect();
    if positions.is_empty() {
        out.diagnostics.push("no grid positions".into());
        return out;
    }
    let (first, last) = match beats::active_span(&active, 8, 6) {
        Some(x) => x,
        None => {
            // FIXME: seen on synthetic half-time drums; keep the whole grid rather than none
            out.diagnostics
                .push("no clear beat-carrying span: grid over the whole input".into());
            (0, positions.len() - 1)
        }
    };
    let grid_frames: Vec<f64> = positions[first..=last].to_vec();

    // ── meter ──
    let cues = meter::cues(&feats, &grid_frames);
    let (phase, meter_conf) = meter::bar_phase_with(&cues, feel_half);
    let gstats = groove::stats(&feats, &grid_frames, phase);
    let style = groove::style(&gstats);
    let feel = groove::feel(&gstats, feel_half);

    // ── a musical lead-in that starts on the grid ──
    // Before the beat-carrying span there may be a beatless but metrical intro (a pad or
    // chords that change on bar lines). When the music enters with a clear onset exactly
    // on a downbeat of the extrapolated grid, and nothing rhythmic happens off the grid
    // in between, the grid covers that intro too; ambient or spoken pre-rolls, whose
    // onsets do not fall on the grid, stay outside.
    let ext = beats::lead_in_start(&out.novelty, &positions, first, |j| {
        (j as isize - first as isize).rem_euclid(4) as usize == phase % 4
    });
    if ext < first {
        out.diagnostics.push(format!(
            "grid extended over a {}-beat lead-in starting on a downbeat",
            first - ext
        ));
    }
    let phase = (phase + (first - ext)) % 4;
    let first_active = first;
    let first = ext;
    let grid_frames: Vec<f64> = positions[first..=last].to_vec();
    let to_s = |f: f64| ((f - ONSET_LAG_FRAMES) / fps).max(0.0);
    let beat_times: Vec<f64> = grid_frames.iter().map(|&f| to_s(f)).collect();
    let seg_of = &seg_of[first..=last];
    // main BPM: the segment covering most beats
    let mut counts = vec![0usize; fits.len()];
    for &si in seg_of {
        counts[si] += 1;
    }
    let main_seg = (0..fits.len()).max_by_key(|&i| counts[i]).unwrap_or(0);
    let bpm_exact = 60.0 * fps / fits[main_seg].1.period;
    let downbeats: Vec<f64> = beat_times
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == phase % 4)
        .map(|(_, &t)| t)
        .collect();
    let mut segments: Vec<GridSegment> = Vec::new();
    for (i, &si) in seg_of.iter().enumerate() {
        if i == 0 || seg_of[i - 1] != si {
            segments.push(GridSegment {
                start_s: beat_times[i],
                bpm: ((60.0 * fps / fits[si].1.period) * 1e4).round() / 1e4,
                n_beats: 0,
                // beat i is a downbeat iff i % 4 == phase
                first_beat_in_bar: ((i + 4 - phase % 4) % 4) as u8,
            });
        }
        if let Some(last) = segments.last_mut() {
            last.n_beats += 1;
        }
    }
    let grid = BeatGrid {
        segments,
        first_downbeat_s: downbeats.first().copied(),
    };

    // ── confidence ──
    let sal_conf = (curve.peak_near(level, 0.02).map_or(0.0, |x| x.1) / 0.3).clamp(0.0, 1.0);
    let fit_conf = (1.0 - fits[main_seg].1.rms / (0.1 * fits[main_seg].1.period)).clamp(0.0, 1.0);
    let on_share = active[first_active..=last].iter().filter(|&&a| a).count() as f64
        / (last - first_active + 1) as f64;
    out.confidence = ((0.4 * sal_conf + 0.4 * fit_conf + 0.2 * on_share) * 1000.0).round() / 1000.0;
    out.diagnostics.push(format!(
        "grid: {:.4} BPM, fit rms {:.2} frames over {} inliers, span beats {}..{}, bar phase {} (conf {:.2})",
        bpm_exact, fits[main_seg].1.rms, fits[main_seg].1.inliers, first, last, phase, meter_conf
    ));
    out.diagnostics.push(format!(
        "groove: kick_on_beats {:.2}, kick_offbeat {:.2}, offbeat_accent {:.2}, swing {:?}, snare_on_three {:.2}, repetition {:.2}, drums {}",
        gstats.kick_on_beats, gstats.kick_offbeat, gstats.offbeat_accent, gstats.swing, gstats.snare_on_three, gstats.repetition, gstats.drums
    ));

    let s_ref = percentile_f32(&strength[first..=last], 0.95).max(1e-9);
    out.beat_strength = strength[first..=last]
        .iter()
        .map(|&s| (s / s_ref).min(1.0))
        .collect();
    out.bpm = Some((bpm_exact * 100.0).round() / 100.0);
    out.tempo_feel = Some(feel);
    out.groove_style = Some(style);
    out.swing_ratio = gstats.swing;
    out.grid = Some(grid);
    out.beats = beat_times;
    out.downbeats = downbeats;
    out
}

/// Onsets per second: peaks of the novelty above an adaptive threshold, at least 50 ms apart.
fn onset_density(nov: &[f32], fps: f64, dur: f64) -> f64 {
    if nov.len() < 3 || dur <= 0.0 {
        return 0.0;
    }
    let thr = (percentile_f32(nov, 0.9) * 0.3).max(1e-6);
    let min_gap = (0.05 * fps).ceil() as usize;
    let mut last: Option<usize> = None;
    let mut count = 0usize;
    for t in 1..nov.len() - 1 {
        if nov[t] > thr
            && nov[t] >= nov[t - 1]
            && nov[t] > nov[t + 1]
            && last.is_none_or(|l| t - l >= min_gap)
        {
            count += 1;
            last = Some(t);
        }
    }
    count as f64 / dur
}

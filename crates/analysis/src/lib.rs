//! flowstate-analysis: the DSP descriptors beyond tempo/key (energy, structure, mix points,
//! low end, vocals, waveform) and the [`analyze`] orchestrator the scanner calls.
//!
//! ```text
//! samples ─┬─ flowstate_rhythm::analyze ── bpm, grid, downbeats, groove
//!          ├─ flowstate_harmony::analyze ─ key
//!          ├─ features::compute (ONE STFT) ─┬─ timbre (HPSS, low end, brightness)
//!          │                                ├─ bars (bar grid from the downbeats) ─ structure ─ mix
//!          │                                ├─ energy / danceability / hype
//!          │                                └─ vocals
//!          └─ waveform (time domain)
//! ```
//! [`TrackAnalysis::apply_to`] fills a CODEX [`TrackDoc`] with provenance
//! `{"source":"dsp","confidence":…}` per field. Analysis never fails: degenerate input
//! (silence, noise, too short) gives `None` fields and diagnostics.

use flowstate_types::{Cue, CueKind, FieldSource, LowEnd, Section, TrackDoc};
use std::collections::BTreeMap;

pub mod bars;
pub mod energy;
pub mod features;
pub mod mix;
pub mod structure;
pub mod timbre;
pub mod vocals;
pub mod waveform;

pub use flowstate_harmony::{KeyAnalysis, KeyOptions};
pub use flowstate_rhythm::{RhythmAnalysis, RhythmOptions};
pub use mix::MixPoints;
pub use waveform::{Waveform, WaveformError};

/// Bumped on every intentional change of results (goldens, stored features).
pub const ANALYSIS_VERSION: u32 = 13;

/// Version of all the DSP behind a [`TrackAnalysis`]: this crate's, rhythm's and harmony's
/// (`a13.r0.5.h3`). Stored rows carry it, so a change in any of the three re-analyses them.
pub fn dsp_version() -> String {
    format!(
        "a{ANALYSIS_VERSION}.r{}.h{}",
        flowstate_rhythm::RHYTHM_VERSION.trim_start_matches("rhythm-"),
        flowstate_harmony::HARMONY_VERSION
    )
}

/// Everything DSP knows about one track.
#[derive(Debug, Clone)]
pub struct TrackAnalysis {
    pub duration_s: f64,
    pub rhythm: RhythmAnalysis,
    pub key: KeyAnalysis,
    /// Continuous energy 1–10 (`energy_score`); `energy()` rounds it.
    pub energy_score: Option<f64>,
    pub danceability: Option<f64>,
    /// opener | journey | peak | closer
    pub intensity: Option<&'static str>,
    /// 0–1 (seed 004: energy + onset density + percussive ratio).
    pub hype: Option<f64>,
    pub brightness: Option<f64>,
    /// Onsets per second.
    pub onset_density: Option<f64>,
    pub percussive_ratio: Option<f64>,
    pub low_end: Option<LowEnd>,
    pub sections: Vec<Section>,
    pub drop_intensity: Option<u8>,
    pub mix: Option<MixPoints>,
    pub cues: Vec<Cue>,
    pub vocal_probability: Option<f64>,
    pub vocal_sections: Vec<[f64; 2]>,
    pub waveform: Waveform,
    pub diagnostics: Vec<String>,
}

fn round_to(x: f64, d: i32) -> f64 {
    let m = 10f64.powi(d);
    (x * m).round() / m
}

fn level(x: f64) -> u8 {
    x.round().clamp(1.0, 10.0) as u8
}

/// Analyse mono PCM (22050 Hz in the product) with the default options.
///
/// The descriptors are computed on a copy brought to [`REFERENCE_LEVEL_DB`] (see
/// [`level_gain_db`]), so a quiet master and a loud one with the same music get the same beat
/// grid, sections, mix points and vocals; only the waveform overview and the loudness cue of
/// energy see the file's own level.
pub fn analyze(samples: &[f32], sample_rate: u32) -> TrackAnalysis {
    let sr = sample_rate.max(1);
    let duration_s = samples.len() as f64 / sr as f64;
    let waveform = Waveform::compute(samples, sr, waveform::DEFAULT_BINS);
    let gain_db = level_gain_db(samples, sr);
    let normalised = gain_db.abs() >= 0.05;
    let scaled: Vec<f32>;
    let samples = if normalised {
        let g = 10f32.powf(gain_db / 20.0);
        scaled = samples.iter().map(|&x| x * g).collect();
        &scaled[..]
    } else {
        samples
    };
    let rhythm = flowstate_rhythm::analyze(samples, sr, &RhythmOptions::default());
    let key = flowstate_harmony::analyze(samples, sr, &KeyOptions::default());
    let mut out = TrackAnalysis {
        duration_s,
        rhythm,
        key,
        energy_score: None,
        danceability: None,
        intensity: None,
        hype: None,
        brightness: None,
        onset_density: None,
        percussive_ratio: None,
        low_end: None,
        sections: Vec::new(),
        drop_intensity: None,
        mix: None,
        cues: Vec::new(),
        vocal_probability: None,
        vocal_sections: Vec::new(),
        waveform,
        diagnostics: Vec::new(),
    };
    if normalised {
        out.diagnostics.push(format!(
            "analysis: level normalised by {gain_db:+.1} dB to the reference"
        ));
    }
    describe(samples, sr, gain_db, &mut out);
    out
}

/// Level (dB re full scale, mean square) of the loud part of a track at which the analysis
/// runs: the 90th percentile of its 400-ms block powers is brought here. −12 dB is the loud
/// part of a typical master (≈ −12 LUFS) and the level at which the thresholds of the front
/// ends (log compression of the spectra, silence, pulse and novelty thresholds) were set.
pub const REFERENCE_LEVEL_DB: f32 = -12.0;

/// Largest boost / cut [`level_gain_db`] applies: a track quieter than −42 dB in its loud part
/// is treated as near-silence rather than amplified noise.
const MAX_BOOST_DB: f32 = 30.0;
const MAX_CUT_DB: f32 = 20.0;

/// Gain (dB) that brings the 90th percentile of the track's 400-ms block powers (non-finite
/// samples count as 0) to [`REFERENCE_LEVEL_DB`], clamped to −20…+30 dB; 0 for digital
/// silence or input shorter than one block. A percentile of blocks, not the mean, so long
/// quiet intros or breakdowns do not raise the gain and a few hot transients do not lower it.
pub fn level_gain_db(samples: &[f32], sample_rate: u32) -> f32 {
    let block = (sample_rate.max(1) as usize * 2 / 5).max(1);
    let blocks: Vec<f32> = samples
        .chunks_exact(block)
        .map(|c| {
            let ms = c
                .iter()
                .map(|&x| {
                    if x.is_finite() {
                        (x as f64) * (x as f64)
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
                / block as f64;
            features::db(ms as f32)
        })
        .collect();
    if blocks.is_empty() {
        return 0.0;
    }
    let p90 = features::percentile(&blocks, 0.9);
    if p90 <= -95.0 {
        return 0.0;
    }
    (REFERENCE_LEVEL_DB - p90).clamp(-MAX_CUT_DB, MAX_BOOST_DB)
}

/// Everything beyond rhythm/key, given their results in `out`.
fn describe(samples: &[f32], sr: u32, gain_db: f32, out: &mut TrackAnalysis) {
    let fr = features::compute(samples, sr);
    if fr.n < 8 {
        out.diagnostics
            .push("analysis: input too short for descriptors".into());
        return;
    }
    let grid = bars::BarGrid::from_rhythm(&out.rhythm, out.duration_s);
    // The harmonic/percussive split comes first: the novelty vector of `bar_view` has a
    // harmonic-mids dimension.
    let hp = timbre::hpss(&fr);
    let bf = bars::summarise_with_harmony(&fr, &grid, &hp.harm_formant);
    let view = structure::bar_view(&bf);
    if view.silent.iter().all(|&s| s) {
        out.diagnostics.push("analysis: silent input".into());
        return;
    }
    let has_grid = grid.from_beats;
    if !has_grid {
        out.diagnostics.push(format!(
            "analysis: no beat grid, structure on {:.0}-s pseudo-bars",
            bars::FALLBACK_BAR_S
        ));
    }

    // ── structure ──
    let tail = structure::tail_start(&grid, &bf, &view);
    let nov = structure::novelty_within(&view, tail);
    let beat_in = if has_grid {
        mix::first_beat_bar(&grid, &bf, &view)
    } else {
        None
    };
    let bounds = structure::boundaries(&grid, &view, &nov, beat_in, tail);
    let segs = structure::label(&bounds, &bf, &view, beat_in, tail);
    let mixp = mix::compute(&grid, &bf, &view, &segs, beat_in);

    // Frames of the beat-carrying part (mix-in … last beat), else all non-silent frames.
    let bar_frames = |bars: &[usize]| -> Vec<usize> {
        let mut v = Vec::new();
        for &b in bars {
            let a = fr.frame_at(grid.starts[b]);
            let e = fr.frame_at(grid.end_of(b)).min(fr.n);
            v.extend(a..e.max(a));
        }
        v
    };
    let non_silent: Vec<usize> = (0..grid.len()).filter(|&i| !view.silent[i]).collect();
    let body_bars: Vec<usize> = match (mixp.mix_in_bar, mix::last_beat_bar(&view)) {
        (Some(a), Some(l)) if has_grid && l > a => (a..=l).filter(|&i| !view.silent[i]).collect(),
        _ => non_silent.clone(),
    };
    let body_frames = bar_frames(&body_bars);
    let all_frames = bar_frames(&non_silent);

    // ── timbre ──
    out.low_end = timbre::low_end(&fr, &body_frames).map(|l| LowEnd {
        sub: round_to(l.sub, 3),
        bass: round_to(l.bass, 3),
        low_mid: round_to(l.low_mid, 3),
    });
    out.brightness = timbre::brightness(&fr, &all_frames).map(|b| round_to(b, 3));
    out.percussive_ratio = timbre::percussive_ratio(&hp, &all_frames).map(|p| round_to(p, 3));
    let onset_rate = out.rhythm.onset_density;
    out.onset_density = Some(round_to(onset_rate, 2));

    // ── energy ──
    let main = energy::main_bars(&bf, &view);
    // Perceived tempo: a double-time feel (drum & bass reported at 87) counts as 174.
    let bpm_e = if has_grid {
        out.rhythm.bpm.map(|b| {
            if out.rhythm.tempo_feel == Some(flowstate_rhythm::TempoFeel::DoubleTime) {
                2.0 * b
            } else {
                b
            }
        })
    } else {
        None
    };
    let pattacks = energy::attack_share(&fr, &hp);
    // Energy inputs over a set of bars: bar summaries plus the frame-level cues.
    let energy_inputs = |bars: &[usize]| -> Option<energy::EnergyInputs> {
        let mut e = energy::inputs(&bf, &view, bars, onset_rate, bpm_e)?;
        // Loudness is the one energy cue that is about the file's own level.
        e.loud_db -= gain_db;
        let live: Vec<usize> = bars.iter().copied().filter(|&b| !view.silent[b]).collect();
        if let Some(c) = energy::cues(&fr, &hp, &pattacks, &bar_frames(&live)) {
            e.fullness = Some(c.fullness);
            e.attack_rate = Some(c.attack_rate);
        }
        Some(e)
    };
    let e_in = energy_inputs(&main);
    if let Some(c) = energy::cues(&fr, &hp, &pattacks, &bar_frames(&main)) {
        out.diagnostics.push(format!("energy cues: {c:?}"));
    }
    if let Some(e) = e_in {
        out.diagnostics.push(format!(
            "energy inputs: loud {:.1} dB, bpm {:?}, drum flux {:.3}, onsets {:.2}/s, highs {:.3}, bass share {:.2}",
            e.loud_db, e.bpm.map(|b| format!("{b:.1} {:?}", out.rhythm.tempo_feel)), e.drum_flux, e.onset_rate, e.brightness, e.bass_share
        ));
    }
    let escore = e_in.map(|e| energy::score(&e));
    out.energy_score = escore.map(|e| round_to(e, 2));
    let drum_share = if non_silent.is_empty() {
        0.0
    } else {
        non_silent
            .iter()
            .filter(|&&i| view.drums[i] >= mix::DRUMS_ON)
            .count() as f64
            / non_silent.len() as f64
    };
    let four = out
        .rhythm
        .groove_style
        .is_some_and(|g| g.as_str() == "four-on-floor");
    out.danceability = Some(round_to(
        energy::danceability(
            if has_grid { out.rhythm.confidence } else { 0.0 },
            drum_share,
            out.rhythm.bpm,
            four,
        ),
        2,
    ));
    if let Some(e) = escore {
        out.intensity = Some(energy::intensity(e, mixp.intro_bars, mixp.outro_bars));
        out.hype = Some(energy::hype(
            e,
            onset_rate,
            out.percussive_ratio.unwrap_or(0.0),
        ));
    }

    // ── vocals ──
    // Track level: glide runs (speech / sung intonation) over the music; bar level: the
    // gliding-partial share, reported only when the track is vocal (it also fires on vibrato).
    let runs = vocals::glide_runs(&fr);
    let glide_s = vocals::glide_seconds(&fr, &runs, &all_frames);
    let vocal_p = vocals::probability(glide_s);
    out.vocal_probability = Some(vocal_p);
    let is_vocal = vocal_p >= 0.5;
    let glide = vocals::glide_frames(&fr, &hp);
    let vbars = vocals::bar_scores(&fr, &glide, &grid);
    out.diagnostics.push(format!(
        "vocals: glide runs {glide_s:.2} s, bars over threshold {:.2}",
        non_silent
            .iter()
            .filter(|&&b| vbars[b] > vocals::BAR_THRESHOLD)
            .count() as f64
            / non_silent.len().max(1) as f64
    ));
    if is_vocal {
        out.vocal_sections = vocals::sections(&vbars, &grid)
            .into_iter()
            .map(|[a, b]| [round_to(a, 3), round_to(b, 3)])
            .collect();
    }

    // ── sections ──
    let first_full = usize::from(grid.partial_first);
    for s in &segs {
        let bars: Vec<usize> = (s.start_bar..s.end_bar).collect();
        let se = if s.silent {
            None
        } else {
            energy_inputs(&bars).map(|e| energy::score(&e))
        };
        let vocal = (!s.silent).then(|| {
            if !is_vocal {
                return false;
            }
            let n = bars
                .iter()
                .filter(|&&b| vbars[b] > vocals::BAR_THRESHOLD)
                .count();
            n * 2 > bars.len()
        });
        out.sections.push(Section {
            label: s.label.clone(),
            start_s: round_to(grid.starts[s.start_bar], 3),
            end_s: round_to(grid.end_of(s.end_bar - 1), 3),
            start_bar: (has_grid && s.start_bar >= first_full)
                .then(|| (s.start_bar - first_full) as u32),
            bars: has_grid.then_some((s.end_bar - s.start_bar) as u32),
            energy: se.map(|e| round_to(e, 1)),
            vocal,
        });
    }
    // Drop intensity: first drop's energy plus its contrast with what precedes it.
    if let Some(j) = out.sections.iter().position(|s| s.label == "drop") {
        let de = out.sections[j].energy.unwrap_or(1.0);
        let prev = out.sections[..j]
            .iter()
            .rev()
            .find_map(|s| s.energy)
            .unwrap_or(de - 2.0);
        let di = 0.7 * de + 0.6 * (de - prev).max(0.0) + 0.5;
        out.drop_intensity = Some(level(di));
    }

    // ── cues ──
    if let Some(t) = mixp.mix_in_s {
        out.cues.push(Cue {
            kind: CueKind::MixIn,
            time_s: round_to(t, 3),
            name: Some("mix in".into()),
        });
    }
    if let Some(s) = out.sections.iter().find(|s| s.label == "drop") {
        out.cues.push(Cue {
            kind: CueKind::FirstDrop,
            time_s: s.start_s,
            name: Some("first drop".into()),
        });
    }
    if let Some(s) = out.sections.iter().find(|s| s.label == "breakdown") {
        out.cues.push(Cue {
            kind: CueKind::Breakdown,
            time_s: s.start_s,
            name: Some("breakdown".into()),
        });
    }
    if let Some(t) = mixp.mix_out_s {
        out.cues.push(Cue {
            kind: CueKind::MixOut,
            time_s: round_to(t, 3),
            name: Some("mix out".into()),
        });
    }
    out.mix = Some(mixp);
}

impl TrackAnalysis {
    /// Energy level 1–10.
    pub fn energy(&self) -> Option<u8> {
        self.energy_score.map(level)
    }

    /// Fill every CODEX field the audio supports, with provenance `{"source":"dsp"}` and a
    /// confidence; fields the audio cannot support are left untouched.
    pub fn apply_to(&self, doc: &mut TrackDoc) {
        let mut prov: BTreeMap<String, FieldSource> = doc.provenance.take().unwrap_or_default();
        let mut mark = |f: &str, c: f64| {
            prov.insert(
                f.to_string(),
                FieldSource {
                    source: "dsp".into(),
                    confidence: Some(round_to(c.clamp(0.0, 1.0), 3)),
                },
            );
        };
        if self.duration_s > 0.0 {
            doc.duration_seconds = Some(round_to(self.duration_s, 3));
        }
        doc.analyzer_version = Some(format!(
            "flowstate-analysis/{ANALYSIS_VERSION}+{}+harmony-{}",
            flowstate_rhythm::RHYTHM_VERSION,
            flowstate_harmony::HARMONY_VERSION
        ));
        let rc = self.rhythm.confidence;
        if let Some(b) = self.rhythm.bpm {
            doc.bpm = Some(b);
            doc.bpm_confidence = Some(rc);
            mark("bpm", rc);
        }
        if let Some(g) = &self.rhythm.grid {
            doc.beat_grid = Some(g.clone());
            mark("beat_grid", rc);
        }
        if let Some(g) = self.rhythm.groove_style {
            doc.groove_style = Some(g.as_str().into());
            mark("groove_style", 0.6 * rc);
        }
        if let Some(f) = self.rhythm.tempo_feel {
            doc.tempo_feel = Some(f.as_str().into());
            mark("tempo_feel", 0.6 * rc);
        }
        if let Some(k) = self.key.key {
            let kc = self.key.confidence;
            doc.key = Some(k.camelot());
            doc.key_classic = Some(k.classic());
            doc.key_open = Some(k.open_key());
            doc.key_confidence = Some(round_to(kc, 3));
            doc.key_changes = self.key.key_changes();
            for f in ["key", "key_classic", "key_open"] {
                mark(f, kc);
            }
        }
        let ec = 0.6;
        if let Some(e) = self.energy_score {
            doc.energy = Some(level(e));
            doc.energy_score = Some(e);
            mark("energy", ec);
            mark("energy_score", ec);
        }
        if let Some(d) = self.danceability {
            doc.danceability = Some(level(d));
            mark("danceability", 0.5);
        }
        if let Some(i) = self.intensity {
            doc.intensity = Some(i.into());
            mark("intensity", 0.4);
        }
        if let Some(h) = self.hype {
            doc.hype = Some(h);
            mark("hype", ec);
        }
        if let Some(b) = self.brightness {
            doc.brightness = Some(b);
            mark("brightness", 0.9);
        }
        if let Some(o) = self.onset_density {
            doc.onset_density = Some(o);
            mark("onset_density", 0.8);
        }
        if let Some(p) = self.percussive_ratio {
            doc.percussive_ratio = Some(p);
            mark("percussive_ratio", 0.7);
        }
        if let Some(l) = self.low_end {
            doc.low_end = Some(l);
            mark("low_end", 0.9);
        }
        if let Some(p) = self.vocal_probability {
            doc.vocal_probability = Some(p);
            mark("vocal_probability", 0.5);
            let certainty = ((p - 0.5).abs() * 2.0) * 0.7;
            if p < 0.3 {
                doc.vocal_presence = Some("instrumental".into());
                doc.vocal_style = Some("none".into());
                mark("vocal_presence", certainty);
                mark("vocal_style", certainty);
            }
            doc.vocal_sections = Some(self.vocal_sections.clone());
            mark("vocal_sections", 0.4);
        }
        if !self.sections.is_empty() {
            let sc = if self.rhythm.grid.is_some() {
                0.5 + 0.3 * rc
            } else {
                0.3
            };
            let mut structure: Vec<String> = Vec::new();
            for s in self.sections.iter().filter(|s| s.label != "silence") {
                if structure.last() != Some(&s.label) {
                    structure.push(s.label.clone());
                }
            }
            doc.structure = Some(structure);
            doc.sections = Some(self.sections.clone());
            mark("structure", sc);
            mark("sections", sc);
            if let Some(d) = self.drop_intensity {
                doc.drop_intensity = Some(d);
                mark("drop_intensity", 0.4);
            }
        }
        if let Some(m) = &self.mix {
            let mc = if self.rhythm.grid.is_some() {
                0.4 + 0.4 * rc
            } else {
                0.3
            };
            doc.mix_in_ease = Some(level(m.mix_in_ease));
            doc.mix_out_ease = Some(level(m.mix_out_ease));
            doc.intro_bars = Some(m.intro_bars);
            doc.outro_bars = Some(m.outro_bars);
            if !m.notes.is_empty() {
                doc.mixability_notes = Some(m.notes.join("; "));
                mark("mixability_notes", mc);
            }
            for f in ["mix_in_ease", "mix_out_ease", "intro_bars", "outro_bars"] {
                mark(f, mc);
            }
        }
        if !self.cues.is_empty() {
            doc.cues = Some(self.cues.clone());
            mark("cues", 0.5);
        }
        doc.provenance = Some(prov);
    }
}

//! The music tagger: musicnn on sampled ~3 s windows of a track.
//!
//! Window sampling (the budget is 0.5 CPU s per audio minute and one musicnn patch costs
//! ~2.7 GFLOP): a track gets `ceil(minutes * PATCHES_PER_MINUTE)` patches (at most
//! [`MAX_PATCHES`]), i.e. one ~3 s window per 24 s of audio. They are split over three
//! regions — the intro (first [`EDGE_S`] seconds), the outro (last [`EDGE_S`] s) and the body
//! (what lies between, or the whole track when it is short): 1 patch each for intro and
//! outro (2 each from 6 patches up), the rest in the body, each region's patches centred in
//! equal sub-spans of it. Track tags are the mean of the patch probabilities weighted by the
//! share of the track each patch stands for (region length / patches in the region),
//! approximating musicnn's uniform mean over all patches. The embeddings (penultimate layer,
//! 200-d) are the plain means over each region's patches. A track shorter than one patch is
//! repeat-padded (musicnn's `repeat-pad`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::mel::{resample_to_16k, HOP};
use crate::musicnn::Musicnn;
use crate::tfckpt::Checkpoint;
use crate::{MelFrontend, MlError, MUSICNN_SR, N_MELS, PATCH_FRAMES};

/// Dimension of the penultimate-layer embeddings.
pub const EMBED_DIM: usize = 200;
/// Length of the intro and outro regions, seconds.
pub const EDGE_S: f64 = 30.0;
/// Patches per minute of audio.
pub const PATCHES_PER_MINUTE: f64 = 2.5;
/// Cap on patches per track.
pub const MAX_PATCHES: usize = 24;
/// Patches per forward pass.
const BATCH: usize = 8;

/// The tag vocabulary of MSD_musicnn (`musicnn/configuration.py`).
pub const MSD_LABELS: [&str; 50] = [
    "rock",
    "pop",
    "alternative",
    "indie",
    "electronic",
    "female vocalists",
    "dance",
    "00s",
    "alternative rock",
    "jazz",
    "beautiful",
    "metal",
    "chillout",
    "male vocalists",
    "classic rock",
    "soul",
    "indie rock",
    "Mellow",
    "electronica",
    "80s",
    "folk",
    "90s",
    "chill",
    "instrumental",
    "punk",
    "oldies",
    "blues",
    "hard rock",
    "ambient",
    "acoustic",
    "experimental",
    "female vocalist",
    "guitar",
    "Hip-Hop",
    "70s",
    "party",
    "country",
    "easy listening",
    "sexy",
    "catchy",
    "funk",
    "electro",
    "heavy metal",
    "Progressive rock",
    "60s",
    "rnb",
    "indie pop",
    "sad",
    "House",
    "happy",
];

/// The tag vocabulary of MTT_musicnn.
pub const MTT_LABELS: [&str; 50] = [
    "guitar",
    "classical",
    "slow",
    "techno",
    "strings",
    "drums",
    "electronic",
    "rock",
    "fast",
    "piano",
    "ambient",
    "beat",
    "violin",
    "vocal",
    "synth",
    "female",
    "indian",
    "opera",
    "male",
    "singing",
    "vocals",
    "no vocals",
    "harpsichord",
    "loud",
    "quiet",
    "flute",
    "woman",
    "male vocal",
    "no vocal",
    "pop",
    "soft",
    "sitar",
    "solo",
    "man",
    "classic",
    "choir",
    "voice",
    "new age",
    "dance",
    "male voice",
    "female vocal",
    "beats",
    "harp",
    "cello",
    "no voice",
    "weird",
    "country",
    "metal",
    "female voice",
    "choral",
];

/// One patch's tag probabilities and penultimate-layer embedding.
type ProbsAndEmbedding = (Vec<f32>, Vec<f32>);

/// Which musicnn checkpoint to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaggerModel {
    /// Million Song Dataset tags (genre, mood, vocals) — the default.
    Msd,
    /// MagnaTagATune tags (instruments, vocals, techno…).
    Mtt,
}

impl TaggerModel {
    pub fn dir_name(self) -> &'static str {
        match self {
            TaggerModel::Msd => "MSD_musicnn",
            TaggerModel::Mtt => "MTT_musicnn",
        }
    }
    pub fn labels(self) -> &'static [&'static str; 50] {
        match self {
            TaggerModel::Msd => &MSD_LABELS,
            TaggerModel::Mtt => &MTT_LABELS,
        }
    }
}

/// Which patches to run, as start frames (16 kHz log-mel frames) per region.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPlan {
    pub intro: Vec<usize>,
    pub body: Vec<usize>,
    pub outro: Vec<usize>,
    /// Seconds of track each region stands for (tag weighting).
    pub intro_s: f64,
    pub body_s: f64,
    pub outro_s: f64,
}

/// `k` starts centred in `k` equal sub-spans of `[lo, hi]` (hi = last valid start).
fn spread(lo: usize, hi: usize, k: usize) -> Vec<usize> {
    let span = hi.saturating_sub(lo) as f64;
    let mut v: Vec<usize> = (0..k)
        .map(|i| lo + (span * (i as f64 + 0.5) / k as f64).round() as usize)
        .collect();
    v.dedup();
    v
}

impl WindowPlan {
    /// Plan for a log-mel of `n_frames` frames.
    pub fn for_frames(n_frames: usize) -> Self {
        let fps = f64::from(MUSICNN_SR) / HOP as f64;
        let dur = n_frames as f64 / fps;
        if n_frames <= PATCH_FRAMES {
            return Self {
                intro: vec![0],
                body: vec![0],
                outro: vec![0],
                intro_s: dur,
                body_s: dur,
                outro_s: dur,
            };
        }
        let last = n_frames - PATCH_FRAMES;
        let n = ((dur / 60.0 * PATCHES_PER_MINUTE).ceil() as usize).clamp(1, MAX_PATCHES);
        if n == 1 {
            let mid = vec![last / 2];
            return Self {
                intro: mid.clone(),
                body: mid.clone(),
                outro: mid,
                intro_s: dur,
                body_s: dur,
                outro_s: dur,
            };
        }
        if n == 2 {
            return Self {
                intro: vec![0],
                body: vec![0, last],
                outro: vec![last],
                intro_s: dur / 2.0,
                body_s: 0.0,
                outro_s: dur / 2.0,
            };
        }
        let e = if n >= 6 { 2 } else { 1 };
        let edge = ((EDGE_S * fps) as usize).min(n_frames);
        let intro = spread(0, edge.saturating_sub(PATCH_FRAMES).min(last), e);
        let outro = spread(n_frames.saturating_sub(edge).min(last), last, e);
        let split = n_frames > 2 * edge + PATCH_FRAMES;
        let (blo, bhi) = if split {
            (edge, n_frames - edge - PATCH_FRAMES)
        } else {
            (0, last)
        };
        let body = spread(blo, bhi, n - 2 * e);
        let edge_s = edge as f64 / fps;
        Self {
            intro,
            body,
            outro,
            intro_s: edge_s,
            body_s: if split {
                (dur - 2.0 * edge_s).max(0.0)
            } else {
                dur
            },
            outro_s: edge_s,
        }
    }

    /// Distinct start frames in ascending order.
    pub fn all_starts(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .intro
            .iter()
            .chain(&self.body)
            .chain(&self.outro)
            .copied()
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Empty audio or non-finite samples are an input error (the resampler's FFT would fail on
/// NaN).
fn check_audio(x: &[f32]) -> Result<(), MlError> {
    if x.is_empty() {
        return Err(MlError::Input("empty audio".into()));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(MlError::Input(
            "audio contains NaN or infinite samples".into(),
        ));
    }
    Ok(())
}

/// Whether some 400-ms block of `x` (at `rate` Hz) has a mean square above -70 dB FS, the
/// absolute gate of EBU R128 (a clip shorter than a block is one block).
fn audible(x: &[f32], rate: usize) -> bool {
    const GATE: f64 = 1e-7; // -70 dB
    let block = (rate * 2 / 5).clamp(1, x.len().max(1));
    x.chunks(block).any(|c| {
        c.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / c.len() as f64 > GATE
    })
}

/// Output of one patch.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutput {
    /// Patch start, seconds.
    pub start_s: f64,
    /// Tag probabilities, in label order.
    pub probs: Vec<f32>,
    /// Penultimate-layer activations (200).
    pub embedding: Vec<f32>,
}

/// Tagger outputs for one track.
#[derive(Debug, Clone, PartialEq)]
pub struct TagOutput {
    /// `MSD_musicnn` or `MTT_musicnn`.
    pub model: String,
    /// Tag → probability (track level).
    pub tags: BTreeMap<String, f64>,
    pub emb_intro: Vec<f32>,
    pub emb_body: Vec<f32>,
    pub emb_outro: Vec<f32>,
    /// Every patch that was run, in time order.
    pub patches: Vec<PatchOutput>,
}

impl TagOutput {
    /// Probability of `tag` (0 when unknown).
    pub fn p(&self, tag: &str) -> f64 {
        self.tags.get(tag).copied().unwrap_or(0.0)
    }
}

/// The musicnn tagger.
pub struct Tagger {
    model: Musicnn,
    which: TaggerModel,
    mel: MelFrontend,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("model", &self.which)
            .finish_non_exhaustive()
    }
}

impl Tagger {
    /// Load MSD_musicnn from `models_dir` (see [`crate::models_dir`]).
    pub fn load(models_dir: &Path) -> Result<Self, MlError> {
        Self::load_model(models_dir, TaggerModel::Msd)
    }

    pub fn load_model(models_dir: &Path, which: TaggerModel) -> Result<Self, MlError> {
        let dir = models_dir.join("musicnn").join(which.dir_name());
        if !dir.join(".index").is_file() || !dir.join(".data-00000-of-00001").is_file() {
            return Err(MlError::Missing {
                dir: models_dir.to_path_buf(),
                what: format!("musicnn/{}/ checkpoint", which.dir_name()),
            });
        }
        let prefix = format!("{}/", dir.display());
        let ckpt = Checkpoint::open(&prefix)?;
        let tensors = ckpt.load_all(|n| !n.contains("Adam") && !n.ends_with("_power"))?;
        let model = Musicnn::from_checkpoint(&tensors)?;
        if model.n_classes != which.labels().len() {
            return Err(MlError::Weights {
                model: "musicnn",
                name: "dense_1/bias".into(),
                reason: format!("{} classes, expected 50", model.n_classes),
            });
        }
        Ok(Self {
            model,
            which,
            mel: MelFrontend::new(),
        })
    }

    pub fn labels(&self) -> &'static [&'static str; 50] {
        self.which.labels()
    }

    /// Tag a track given as mono f32 at [`flowstate_types::ANALYSIS_SAMPLE_RATE`] (22.05 kHz).
    pub fn analyze(&self, mono22k: &[f32]) -> Result<TagOutput, MlError> {
        self.analyze_at(mono22k, flowstate_types::ANALYSIS_SAMPLE_RATE)
    }

    /// Tag mono audio at any sample rate (resampled to 16 kHz).
    pub fn analyze_at(&self, mono: &[f32], sample_rate: u32) -> Result<TagOutput, MlError> {
        if sample_rate == 0 {
            return Err(MlError::Input("sample rate 0".into()));
        }
        check_audio(mono)?;
        let x = resample_to_16k(mono, sample_rate)?;
        self.analyze_16k(&x)
    }

    /// Tag 16 kHz mono audio.
    pub fn analyze_16k(&self, x: &[f32]) -> Result<TagOutput, MlError> {
        check_audio(x)?;
        if !audible(x, MUSICNN_SR as usize) {
            // A network says something about any input, silence included ("rock,
            // aggressive" for digital silence): there is nothing to tag.
            return Err(MlError::Input(
                "no audible content (every 400-ms block is under -70 dB FS)".into(),
            ));
        }
        let n_frames = MelFrontend::n_frames(x.len());
        let plan = WindowPlan::for_frames(n_frames);
        let starts = plan.all_starts();
        let patches = self.patches_at(x, n_frames, &starts)?;
        let outs = self.run_patches(&patches, starts.len())?;
        let fps = f64::from(MUSICNN_SR) / HOP as f64;
        let by_start: BTreeMap<usize, usize> =
            starts.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        let idx = |v: &[usize]| -> Vec<usize> {
            v.iter().filter_map(|s| by_start.get(s).copied()).collect()
        };
        let (ii, bi, oi) = (idx(&plan.intro), idx(&plan.body), idx(&plan.outro));
        // tag weights: region seconds / patches in region
        let mut w = vec![0f64; starts.len()];
        for (ids, secs) in [(&ii, plan.intro_s), (&bi, plan.body_s), (&oi, plan.outro_s)] {
            for &i in ids.iter() {
                w[i] += secs / ids.len().max(1) as f64;
            }
        }
        let wsum: f64 = w.iter().sum::<f64>().max(1e-12);
        let labels = self.labels();
        let mut tags = BTreeMap::new();
        for (j, l) in labels.iter().enumerate() {
            let p: f64 = outs
                .iter()
                .zip(&w)
                .map(|(o, wi)| f64::from(o.0[j]) * wi)
                .sum::<f64>()
                / wsum;
            tags.insert((*l).to_string(), p);
        }
        let mean_emb = |ids: &[usize]| -> Vec<f32> {
            let mut m = vec![0f32; EMBED_DIM];
            for &i in ids {
                for (a, b) in m.iter_mut().zip(&outs[i].1) {
                    *a += b;
                }
            }
            let n = ids.len().max(1) as f32;
            m.iter_mut().for_each(|a| *a /= n);
            m
        };
        Ok(TagOutput {
            model: self.which.dir_name().to_string(),
            tags,
            emb_intro: mean_emb(&ii),
            emb_body: mean_emb(&bi),
            emb_outro: mean_emb(&oi),
            patches: starts
                .iter()
                .zip(outs)
                .map(|(&s, (probs, embedding))| PatchOutput {
                    start_s: s as f64 / fps,
                    probs,
                    embedding,
                })
                .collect(),
        })
    }

    /// Log-mel patches (each `PATCH_FRAMES × N_MELS`) starting at the given frames; frames past
    /// the end repeat the signal from its start (musicnn's repeat-pad).
    fn patches_at(
        &self,
        x: &[f32],
        n_frames: usize,
        starts: &[usize],
    ) -> Result<Vec<f32>, MlError> {
        let mut out = Vec::with_capacity(starts.len() * PATCH_FRAMES * N_MELS);
        if n_frames < PATCH_FRAMES {
            let lm = self.mel.logmel(x);
            for _ in starts {
                for t in 0..PATCH_FRAMES {
                    let src = t % n_frames;
                    out.extend_from_slice(&lm[src * N_MELS..(src + 1) * N_MELS]);
                }
            }
            return Ok(out);
        }
        for &s in starts {
            out.extend(self.mel.logmel_frames(x, s..s + PATCH_FRAMES));
        }
        Ok(out)
    }

    /// Run patches (each `PATCH_FRAMES × N_MELS` values) through the network in batches.
    fn run_patches(&self, patches: &[f32], n: usize) -> Result<Vec<ProbsAndEmbedding>, MlError> {
        let per = PATCH_FRAMES * N_MELS;
        let mut out = Vec::with_capacity(n);
        let mut i = 0;
        while i < n {
            let b = BATCH.min(n - i);
            let f = self.model.forward(&patches[i * per..(i + b) * per], b)?;
            out.extend(f.probs.into_iter().zip(f.penultimate));
            i += b;
        }
        Ok(out)
    }

    /// Non-overlapping 187-frame patches from the start of a 16 kHz signal, run one by one
    /// exactly as `musicnn.extractor` does (for reference checks): per-patch probabilities and
    /// penultimate activations.
    pub fn patchwise_16k(&self, x: &[f32]) -> Result<Vec<PatchOutput>, MlError> {
        let lm = self.mel.logmel(x);
        let n_frames = lm.len() / N_MELS;
        if n_frames < PATCH_FRAMES {
            return Err(MlError::Input(format!(
                "need at least {PATCH_FRAMES} frames, got {n_frames}"
            )));
        }
        let fps = f64::from(MUSICNN_SR) / HOP as f64;
        let starts: Vec<usize> = (0..=n_frames - PATCH_FRAMES)
            .step_by(PATCH_FRAMES)
            .collect();
        let per = PATCH_FRAMES * N_MELS;
        let mut patches = Vec::with_capacity(starts.len() * per);
        for &s in &starts {
            patches.extend_from_slice(&lm[s * N_MELS..s * N_MELS + per]);
        }
        let outs = self.run_patches(&patches, starts.len())?;
        Ok(starts
            .iter()
            .zip(outs)
            .map(|(&s, (probs, embedding))| PatchOutput {
                start_s: s as f64 / fps,
                probs,
                embedding,
            })
            .collect())
    }

    /// The log-mel of a 16 kHz signal (frame-major, 96 bands), for stage checks.
    pub fn logmel_16k(&self, x: &[f32]) -> Vec<f32> {
        self.mel.logmel(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audible_means_one_block_over_the_absolute_gate() {
        let sr = 16000;
        assert!(!audible(&vec![0.0; sr * 3], sr));
        // -80 dB hiss throughout: under the gate
        assert!(!audible(&vec![1e-4; sr * 3], sr));
        // one loud 400-ms block in silence is enough
        let mut x = vec![0.0; sr * 3];
        x[sr..sr + sr * 2 / 5].fill(0.01); // -40 dB
        assert!(audible(&x, sr));
        // a clip shorter than a block is judged whole
        assert!(audible(&[0.01; 100], sr));
        assert!(!audible(&[1e-5; 100], sr));
    }

    #[test]
    fn plan_covers_intro_body_outro() {
        let fps = 16000.0 / 256.0;
        let n = (300.0 * fps) as usize; // 5 min: ceil(12.5) = 13 patches
        let p = WindowPlan::for_frames(n);
        assert_eq!(p.intro.len(), 2);
        assert_eq!(p.outro.len(), 2);
        assert_eq!(p.body.len(), 9);
        assert_eq!(p.all_starts().len(), 13);
        let edge = (30.0 * fps) as usize;
        assert!(p.intro.iter().all(|&s| s + PATCH_FRAMES <= edge));
        assert!(p
            .outro
            .iter()
            .all(|&s| s >= n - edge && s + PATCH_FRAMES <= n));
        assert!(p
            .body
            .iter()
            .all(|&s| s >= edge && s + PATCH_FRAMES <= n - edge));
        assert!((p.intro_s + p.body_s + p.outro_s - 300.0).abs() < 0.1);
    }

    #[test]
    fn patch_count_scales_with_duration() {
        let fps = 16000.0 / 256.0;
        for (secs, want) in [
            (10.0, 1),
            (30.0, 2),
            (60.0, 3),
            (120.0, 5),
            (600.0, 24),
            (3600.0, 24),
        ] {
            let n = (secs * fps) as usize;
            let p = WindowPlan::for_frames(n);
            let starts = p.all_starts();
            assert_eq!(starts.len(), want, "{secs} s");
            assert!(starts.iter().all(|&s| s + PATCH_FRAMES <= n), "{secs} s");
            assert!(!p.intro.is_empty() && !p.body.is_empty() && !p.outro.is_empty());
        }
        assert_eq!(WindowPlan::for_frames(100).all_starts(), vec![0]);
    }

    #[test]
    fn spread_is_centred() {
        assert_eq!(spread(0, 100, 2), vec![25, 75]);
        assert_eq!(spread(0, 100, 1), vec![50]);
        assert_eq!(spread(10, 10, 2), vec![10]);
        assert!(spread(0, 5, 0).is_empty());
    }
}

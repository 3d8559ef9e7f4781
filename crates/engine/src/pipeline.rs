//! The per-track pipeline: decode -> tags -> DSP analysis -> optional hook -> document.

use crate::EngineError;
use flowstate_audio::{decode_file, read_tags, thread_cpu_seconds, DecodeOptions, Decoded, Tags};
use flowstate_corpus::EmbeddingRow;
use flowstate_types::{CamelotKey, FieldSource, TrackDoc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Bytes hashed for the track id (CODEX: SHA-256 of the first 1 MiB).
pub const HASH_BYTES: usize = 1 << 20;

/// Version of this crate's document assembly; bump when the scanner's output changes
/// (2: loudness range from our own meter, short-term blocks every 100 ms).
pub const PIPELINE_VERSION: u32 = 2;

/// The version stamped on every stored row: pipeline + DSP analysis, rhythm and harmony
/// (+ hook, if any), e.g. `p2.a13.r0.5.h3+musicnn-1`.
pub fn analysis_version(hook: Option<&dyn TrackHook>) -> String {
    let base = format!(
        "p{}.{}",
        PIPELINE_VERSION,
        flowstate_analysis::dsp_version()
    );
    match hook {
        Some(h) => format!("{base}+{}", h.version()),
        None => base,
    }
}

/// An extra per-track step (the ML tagger plugs in here). Runs on a worker thread after DSP
/// analysis, sees the analysis-rate mono PCM and may fill fields of the document and add
/// embeddings/artifacts that are committed in the same transaction as the track.
pub trait TrackHook: Send + Sync {
    /// Short identifier included in `analysis_version`, e.g. `musicnn-1`.
    fn version(&self) -> String;
    fn process(
        &self,
        mono: &[f32],
        sample_rate: u32,
        doc: &mut TrackDoc,
        out: &mut HookOutput,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;
}

/// What a hook may add besides document fields.
#[derive(Debug, Default)]
pub struct HookOutput {
    pub embeddings: Vec<EmbeddingRow>,
    pub artifacts: Vec<(String, Vec<u8>)>,
}

#[derive(Clone, Default)]
pub struct AnalyzeOptions {
    pub decode: DecodeOptions,
    /// Run DSP analysis (tempo, key, energy, structure...). Off = decode + loudness + tags only.
    pub dsp: bool,
    /// ══ ML HOOK ══ The tagger/embedding step (crates/ml). `None` = not run.
    pub hook: Option<Arc<dyn TrackHook>>,
}

impl std::fmt::Debug for AnalyzeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyzeOptions")
            .field("decode", &self.decode)
            .field("dsp", &self.dsp)
            .field("hook", &self.hook.as_ref().map(|h| h.version()))
            .finish()
    }
}

impl AnalyzeOptions {
    pub fn full() -> Self {
        AnalyzeOptions {
            decode: DecodeOptions::default(),
            dsp: true,
            hook: None,
        }
    }
}

/// Thread-CPU seconds per stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimes {
    pub hash: f64,
    pub decode: f64,
    pub resample: f64,
    pub loudness: f64,
    pub tags: f64,
    pub analysis: f64,
    pub hook: f64,
}

impl StageTimes {
    pub fn total(&self) -> f64 {
        self.hash
            + self.decode
            + self.resample
            + self.loudness
            + self.tags
            + self.analysis
            + self.hook
    }
    pub fn add(&mut self, o: &StageTimes) {
        self.hash += o.hash;
        self.decode += o.decode;
        self.resample += o.resample;
        self.loudness += o.loudness;
        self.tags += o.tags;
        self.analysis += o.analysis;
        self.hook += o.hook;
    }
}

/// Result of [`analyze_file`].
#[derive(Debug, Clone)]
pub struct FileAnalysis {
    pub doc: TrackDoc,
    pub tags: Tags,
    pub info: flowstate_audio::AudioInfo,
    pub times: StageTimes,
    pub diagnostics: Vec<String>,
    pub artifacts: Vec<(String, Vec<u8>)>,
    pub embeddings: Vec<EmbeddingRow>,
}

/// SHA-256 (hex) of the first [`HASH_BYTES`] of the file.
pub fn hash_file(path: &Path) -> Result<String, EngineError> {
    let f = std::fs::File::open(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut buf = Vec::with_capacity(HASH_BYTES);
    f.take(HASH_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(|source| EngineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(hex::encode(Sha256::digest(&buf)))
}

fn prov(doc: &mut TrackDoc, field: &str, source: &str) {
    doc.provenance.get_or_insert_with(Default::default).insert(
        field.to_string(),
        FieldSource {
            source: source.into(),
            confidence: None,
        },
    );
}

/// Runs the whole per-track pipeline on one file. `track_id` may be given when the caller
/// already hashed the file.
pub fn analyze_file(
    path: &Path,
    track_id: Option<&str>,
    opts: &AnalyzeOptions,
) -> Result<FileAnalysis, EngineError> {
    let mut times = StageTimes::default();
    let t0 = thread_cpu_seconds();
    let track_id = match track_id {
        Some(t) => t.to_string(),
        None => hash_file(path)?,
    };
    times.hash = thread_cpu_seconds() - t0;

    let Decoded {
        mono,
        sample_rate,
        info,
        loudness,
        stats,
    } = decode_file(path, &opts.decode)?;
    times.decode = stats.decode_cpu_s;
    times.resample = stats.resample_cpu_s;
    times.loudness = stats.loudness_cpu_s;

    let t1 = thread_cpu_seconds();
    let tags = read_tags(path)?;
    times.tags = thread_cpu_seconds() - t1;

    let now = flowstate_corpus::now_rfc3339();
    let mut doc = TrackDoc {
        codex_schema_version: Some(flowstate_types::CODEX_SCHEMA_VERSION.into()),
        track_id,
        title: tags.title.clone(),
        artist: tags.artist.clone(),
        file_path: Some(path.to_string_lossy().to_string()),
        duration_seconds: Some((info.duration_s * 1000.0).round() / 1000.0),
        genre: tags.genre.clone(),
        album: tags.album.clone(),
        year: tags.year,
        comment: tags.comment.clone(),
        tag_bpm: tags.bpm,
        tag_key: tags.key.clone(),
        sample_rate: Some(info.source_sample_rate),
        channels: Some(info.channels),
        bit_rate_kbps: info.bit_rate_kbps,
        codec: Some(info.codec.clone()),
        // what the decoder trimmed from the start (interop shifts MP3 grids by it)
        decoder_priming_samples: Some(info.priming_trimmed),
        file_size: Some(info.file_size),
        integrated_lufs: loudness
            .integrated_lufs
            .map(|v| (v * 100.0).round() / 100.0),
        loudness_range_lu: loudness
            .loudness_range_lu
            .map(|v| (v * 100.0).round() / 100.0),
        true_peak_dbtp: loudness.true_peak_dbtp.map(|v| (v * 100.0).round() / 100.0),
        created_at: Some(now.clone()),
        updated_at: Some(now),
        analyzer_version: Some(analysis_version(opts.hook.as_deref())),
        analyzer_model: Some(format!("flowstate-dsp {}", env!("CARGO_PKG_VERSION"))),
        ..Default::default()
    };
    let tag_source = if tags.from_filename {
        "filename"
    } else {
        "tags"
    };
    for (field, present) in [
        ("title", doc.title.is_some()),
        ("artist", doc.artist.is_some()),
    ] {
        if present {
            prov(&mut doc, field, tag_source);
        }
    }
    for (field, present) in [
        ("genre", doc.genre.is_some()),
        ("album", doc.album.is_some()),
        ("year", doc.year.is_some()),
    ] {
        if present {
            prov(&mut doc, field, "tags");
        }
    }
    for (field, present) in [
        ("integrated_lufs", doc.integrated_lufs.is_some()),
        ("loudness_range_lu", doc.loudness_range_lu.is_some()),
        ("true_peak_dbtp", doc.true_peak_dbtp.is_some()),
    ] {
        if present {
            prov(&mut doc, field, "dsp");
        }
    }
    // A key tag in any notation is normalised for display next to ours (never replacing it).
    if let Some(k) = tags
        .key
        .as_deref()
        .and_then(|k| k.parse::<CamelotKey>().ok())
    {
        doc.tag_key = Some(k.camelot());
    }

    let mut diagnostics = Vec::new();
    let mut artifacts = Vec::new();
    if opts.dsp {
        let t2 = thread_cpu_seconds();
        let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            flowstate_analysis::analyze(&mono, sample_rate)
        }));
        match analysed {
            Ok(a) => {
                a.apply_to(&mut doc);
                artifacts.push(("waveform".to_string(), a.waveform.to_bytes()));
                diagnostics.extend(a.diagnostics.iter().cloned());
            }
            Err(p) => {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                return Err(EngineError::Analysis {
                    path: path.to_path_buf(),
                    what,
                });
            }
        }
        times.analysis = thread_cpu_seconds() - t2;
    }

    // ══ ML HOOK ══ tagger / embeddings (crates/ml) plug in through `opts.hook`.
    let mut embeddings = Vec::new();
    if let Some(hook) = opts.hook.as_ref() {
        let t3 = thread_cpu_seconds();
        let mut out = HookOutput::default();
        hook.process(&mono, sample_rate, &mut doc, &mut out)
            .map_err(|source| EngineError::Hook {
                path: path.to_path_buf(),
                stage: hook.version(),
                source,
            })?;
        embeddings = out.embeddings;
        artifacts.extend(out.artifacts);
        times.hook = thread_cpu_seconds() - t3;
    }

    Ok(FileAnalysis {
        doc,
        tags,
        info,
        times,
        diagnostics,
        artifacts,
        embeddings,
    })
}

//! One-pass decode: packets -> (BS.1770 meter on original channels) + (mono -> resampler).

use crate::cpu::thread_cpu_seconds;
use crate::error::AudioError;
use crate::loudness::LoudnessMeter;
use crate::resample::StreamResampler;
use crate::truepeak::TruePeak;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use symphonia::core::audio::{SampleBuffer, SignalSpec};
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Limits and switches for [`decode_file`]. `Default` is what the scanner uses.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// Output rate of `Decoded::mono` (default [`crate::ANALYSIS_SAMPLE_RATE`]).
    pub target_rate: u32,
    /// Files larger than this are rejected before decoding (default 2 GiB).
    pub max_file_bytes: u64,
    /// Longer audio is rejected (default 3 h; the mono output then needs ~950 MB at most,
    /// set lower to bound memory harder).
    pub max_duration_s: f64,
    /// Shorter audio is rejected as `TooShort` (default 1 s).
    pub min_duration_s: f64,
    /// Compute EBU R128 integrated loudness (default true).
    pub loudness: bool,
    /// Also loudness range (LRA) and 4x-oversampled true peak (default true).
    pub loudness_range: bool,
    pub true_peak: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            target_rate: crate::ANALYSIS_SAMPLE_RATE,
            max_file_bytes: 2 << 30,
            max_duration_s: 3.0 * 3600.0,
            min_duration_s: 1.0,
            loudness: true,
            loudness_range: true,
            true_peak: true,
        }
    }
}

/// Technical facts about the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioInfo {
    /// Duration of the delivered audio (after gapless trimming), seconds.
    pub duration_s: f64,
    pub source_sample_rate: u32,
    pub channels: u16,
    /// Average bit rate (file size / duration), kbit/s.
    pub bit_rate_kbps: Option<u32>,
    /// Codec short name (`mp3`, `flac`, `aac`, `vorbis`, `pcm_s16le`, ...).
    pub codec: String,
    pub file_size: u64,
    /// Frames dropped at the start by our own MP4 edit-list trimming (0 elsewhere).
    pub priming_trimmed: u64,
    /// Packets that failed to decode and were skipped (recoverable corruption).
    pub decode_errors: u32,
}

/// EBU R128 / ITU-R BS.1770-4 measures on the original channels and rate.
/// `None` when not computed or undefined (digital silence has no integrated loudness).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
}

/// Per-stage CPU seconds spent in this decode (thread CPU time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DecodeStats {
    /// Demux + decode + down-mix.
    pub decode_cpu_s: f64,
    pub resample_cpu_s: f64,
    pub loudness_cpu_s: f64,
}

#[derive(Debug, Clone)]
pub struct Decoded {
    /// Mono (channel average) at `sample_rate`.
    pub mono: Vec<f32>,
    pub sample_rate: u32,
    pub info: AudioInfo,
    pub loudness: Loudness,
    pub stats: DecodeStats,
}

/// Decodes `path` once into mono at `opts.target_rate` plus loudness. Never panics.
pub fn decode_file(path: &Path, opts: &DecodeOptions) -> Result<Decoded, AudioError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_inner(path, opts))) {
        Ok(r) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(AudioError::Panic {
                path: path.to_path_buf(),
                what,
            })
        }
    }
}

/// Frames buffered (interleaved) before metering / down-mixing / resampling in one go.
const BLOCK_FRAMES: usize = 1 << 15;

struct Sink {
    path: PathBuf,
    channels: usize,
    meter: Option<LoudnessMeter>,
    true_peak: Option<TruePeak>,
    resampler: StreamResampler,
    block: Vec<f32>,
    mono: Vec<f32>,
    stats: DecodeStats,
    peak: f32,
}

impl Sink {
    fn flush(&mut self) -> Result<(), AudioError> {
        if self.block.is_empty() {
            return Ok(());
        }
        let t0 = thread_cpu_seconds();
        if let Some(m) = self.meter.as_mut() {
            m.add_frames(&self.block);
        }
        if let Some(tp) = self.true_peak.as_mut() {
            tp.add_frames(&self.block);
        }
        let t1 = thread_cpu_seconds();
        let ch = self.channels.max(1);
        let inv = 1.0 / ch as f32;
        self.mono.clear();
        for frame in self.block.chunks_exact(ch) {
            let s: f32 = frame.iter().sum::<f32>() * inv;
            self.mono.push(s);
        }
        for &v in &self.block {
            self.peak = self.peak.max(v.abs());
        }
        let t2 = thread_cpu_seconds();
        self.resampler
            .push(&self.mono)
            .map_err(|source| AudioError::Resample {
                path: self.path.clone(),
                source,
            })?;
        let t3 = thread_cpu_seconds();
        self.stats.loudness_cpu_s += t1 - t0;
        self.stats.decode_cpu_s += t2 - t1;
        self.stats.resample_cpu_s += t3 - t2;
        self.block.clear();
        Ok(())
    }
}

fn sniff_mp4(path: &Path) -> bool {
    let mut b = [0u8; 12];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut b)) {
        Ok(()) => &b[4..8] == b"ftyp",
        Err(_) => false,
    }
}

fn decode_inner(path: &Path, opts: &DecodeOptions) -> Result<Decoded, AudioError> {
    let p = || path.to_path_buf();
    let t_start = thread_cpu_seconds();
    let file = std::fs::File::open(path).map_err(|source| AudioError::Io { path: p(), source })?;
    let file_size = file
        .metadata()
        .map_err(|source| AudioError::Io { path: p(), source })?
        .len();
    if file_size == 0 {
        return Err(AudioError::Empty { path: p() });
    }
    if file_size > opts.max_file_bytes {
        return Err(AudioError::TooLarge {
            path: p(),
            bytes: file_size,
            limit: opts.max_file_bytes,
        });
    }
    let is_mp4 = sniff_mp4(path);
    let mss = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(&ext.to_ascii_lowercase());
    }
    let fmt_opts = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let probed = symphonia::default::get_probe()
        .format(&hint, mss, &fmt_opts, &MetadataOptions::default())
        .map_err(|e| match e {
            SymError::IoError(ref io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                AudioError::Corrupt {
                    path: p(),
                    what: "file ends before the audio starts".into(),
                    source: Some(e),
                }
            }
            SymError::Unsupported(_) => AudioError::NotAudio {
                path: p(),
                source: Some(e),
            },
            other => AudioError::Corrupt {
                path: p(),
                what: "cannot read the container".into(),
                source: Some(other),
            },
        })?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL && t.codec_params.sample_rate.is_some())
        .or_else(|| {
            format
                .tracks()
                .iter()
                .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        })
        .ok_or_else(|| AudioError::NoAudioTrack { path: p() })?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let codec_name = symphonia::default::get_codecs()
        .get_codec(params.codec)
        .map(|d| d.short_name.to_string())
        .unwrap_or_else(|| {
            if params.codec == symphonia::core::codecs::CODEC_TYPE_OPUS {
                "opus".to_string()
            } else {
                format!("{}", params.codec)
            }
        });
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| match e {
            SymError::Unsupported(_) => AudioError::Unsupported {
                path: p(),
                what: format!("no pure-Rust decoder for codec {codec_name}"),
            },
            other => AudioError::Corrupt {
                path: p(),
                what: "cannot initialise the decoder".into(),
                source: Some(other),
            },
        })?;

    let mut source_rate = params.sample_rate.unwrap_or(0);
    if let (Some(n), true) = (params.n_frames, source_rate > 0) {
        let secs = n as f64 / source_rate as f64;
        // Container lengths can lie (truncated files); only reject clearly absurd ones here.
        if secs > opts.max_duration_s * 1.5 {
            return Err(AudioError::TooLong {
                path: p(),
                seconds: secs,
                limit: opts.max_duration_s,
            });
        }
    }
    let declared_frames = params.n_frames;

    // MP4 edit list: priming + valid length, at the source rate.
    let (mut skip, mut keep) = (0u64, None::<u64>);
    // Symphonia's gapless mode trims what the container declares (MP3: LAME/Xing encoder
    // delay + 529 decoder delay; nothing without a LAME tag); MP4 priming we trim ourselves.
    let mut priming_trimmed = if is_mp4 {
        0
    } else {
        u64::from(params.delay.unwrap_or(0))
    };
    if is_mp4 && source_rate > 0 {
        if let Ok(Some(g)) = crate::mp4::read_gapless(path) {
            let (s, k) = g.in_frames(source_rate);
            if s < source_rate as u64 * 10 {
                skip = s;
                keep = k;
                priming_trimmed = s;
            }
        }
    }

    let mut sink: Option<Sink> = None;
    let mut sbuf: Option<SampleBuffer<f32>> = None;
    let mut spec0: Option<SignalSpec> = None;
    let mut pos: u64 = 0; // decoded frames before our own trimming
    let mut kept: u64 = 0;
    let mut decode_errors = 0u32;
    let mut packets = 0u32;
    let mut max_frames = u64::MAX;
    let mut truncated_by_error: Option<SymError> = None;

    loop {
        let packet = match format.next_packet() {
            Ok(pk) => pk,
            Err(SymError::IoError(ref e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => {
                truncated_by_error = Some(e);
                break;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        packets += 1;
        let buf = match decoder.decode(&packet) {
            Ok(b) => b,
            Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                decode_errors += 1;
                if decode_errors > 50 && decode_errors as f64 > 0.05 * packets as f64 {
                    return Err(AudioError::Corrupt {
                        path: p(),
                        what: format!("{decode_errors} undecodable packets"),
                        source: None,
                    });
                }
                continue;
            }
            Err(SymError::Unsupported(what)) => {
                return Err(AudioError::Unsupported {
                    path: p(),
                    what: format!("{codec_name}: {what}"),
                });
            }
            Err(e) => {
                return Err(AudioError::Corrupt {
                    path: p(),
                    what: "decoder failed".into(),
                    source: Some(e),
                })
            }
        };
        let spec = *buf.spec();
        let frames = buf.frames();
        if frames == 0 {
            continue;
        }
        match spec0 {
            None => {
                if spec.rate == 0 || spec.channels.count() == 0 {
                    return Err(AudioError::Corrupt {
                        path: p(),
                        what: "invalid signal spec".into(),
                        source: None,
                    });
                }
                if source_rate != spec.rate {
                    // Trim amounts were computed at the container rate; rescale.
                    if source_rate > 0 {
                        skip = skip * spec.rate as u64 / source_rate as u64;
                        keep = keep.map(|k| k * spec.rate as u64 / source_rate as u64);
                        priming_trimmed = skip;
                    }
                    source_rate = spec.rate;
                }
                let ch = spec.channels.count();
                max_frames = (opts.max_duration_s * source_rate as f64) as u64;
                // sample peak is tracked by the sink, true peak by our own meter
                let meter = opts
                    .loudness
                    .then(|| LoudnessMeter::new(ch, source_rate, opts.loudness_range));
                let mut resampler = StreamResampler::new(source_rate, opts.target_rate)
                    .map_err(|source| AudioError::Resample { path: p(), source })?;
                if let Some(n) = declared_frames {
                    let est = (n.min(max_frames) as f64 * opts.target_rate as f64
                        / source_rate as f64) as usize;
                    resampler.reserve_output(est + 1024);
                }
                sink = Some(Sink {
                    path: p(),
                    channels: ch,
                    meter,
                    true_peak: (opts.loudness && opts.true_peak)
                        .then(|| TruePeak::new(ch, source_rate)),
                    resampler,
                    block: Vec::with_capacity(BLOCK_FRAMES * ch + 8192 * ch),
                    mono: Vec::with_capacity(BLOCK_FRAMES + 8192),
                    stats: DecodeStats::default(),
                    peak: 0.0,
                });
                spec0 = Some(spec);
            }
            Some(s0) if s0.rate != spec.rate || s0.channels.count() != spec.channels.count() => {
                return Err(AudioError::Unsupported {
                    path: p(),
                    what: "sample rate or channel count changes mid-stream".into(),
                });
            }
            _ => {}
        }
        let Some(sk) = sink.as_mut() else { continue };
        let need = (frames * spec.channels.count()) as u64;
        if sbuf
            .as_ref()
            .map(|b| (b.capacity() as u64) < need)
            .unwrap_or(true)
        {
            sbuf = Some(SampleBuffer::<f32>::new(buf.capacity() as u64, spec));
        }
        let Some(sb) = sbuf.as_mut() else { continue };
        sb.copy_interleaved_ref(buf);
        let samples = sb.samples();
        let ch = sk.channels;
        // Intersect [pos, pos+frames) with the edit's [skip, skip+keep).
        let start = pos;
        let end = pos + frames as u64;
        pos = end;
        let lo = start.max(skip);
        let hi = match keep {
            Some(k) => end.min(skip.saturating_add(k)),
            None => end,
        };
        if hi > lo {
            let a = ((lo - start) as usize) * ch;
            let b = ((hi - start) as usize) * ch;
            if let Some(slice) = samples.get(a..b) {
                sk.block.extend_from_slice(slice);
                kept += hi - lo;
            }
        }
        if kept > max_frames {
            return Err(AudioError::TooLong {
                path: p(),
                seconds: kept as f64 / source_rate as f64,
                limit: opts.max_duration_s,
            });
        }
        if sk.block.len() >= BLOCK_FRAMES * ch {
            sk.flush()?;
        }
    }

    let Some(mut sink) = sink else {
        return match truncated_by_error {
            Some(e) => Err(AudioError::Corrupt {
                path: p(),
                what: "no decodable audio".into(),
                source: Some(e),
            }),
            None if decode_errors > 0 => Err(AudioError::Corrupt {
                path: p(),
                what: format!("all {decode_errors} packets undecodable"),
                source: None,
            }),
            None => Err(AudioError::TooShort {
                path: p(),
                seconds: 0.0,
                limit: opts.min_duration_s,
            }),
        };
    };
    sink.flush()?;
    let duration_s = kept as f64 / source_rate as f64;
    // A container that promised much more audio than we got is truncated.
    if let Some(n) = declared_frames {
        let missing = n.saturating_sub(pos) as f64 / source_rate as f64;
        if missing > 1.0 && (pos as f64) < 0.98 * n as f64 {
            return Err(AudioError::Corrupt {
                path: p(),
                what: format!(
                    "truncated: {:.1} s of {:.1} s decodable",
                    duration_s,
                    n as f64 / source_rate as f64
                ),
                source: truncated_by_error,
            });
        }
    }
    if let Some(e) = truncated_by_error {
        if duration_s < opts.min_duration_s {
            return Err(AudioError::Corrupt {
                path: p(),
                what: "stream error before any usable audio".into(),
                source: Some(e),
            });
        }
    }
    if duration_s < opts.min_duration_s {
        return Err(AudioError::TooShort {
            path: p(),
            seconds: duration_s,
            limit: opts.min_duration_s,
        });
    }

    let t_lf = thread_cpu_seconds();
    let mut loudness = Loudness::default();
    if let Some(m) = sink.meter.as_ref() {
        loudness.integrated_lufs = m.integrated();
        if opts.loudness_range && loudness.integrated_lufs.is_some() {
            loudness.loudness_range_lu = m.loudness_range();
        }
    }
    if let Some(t) = sink.true_peak.as_ref() {
        let tp = t.peaks().iter().copied().fold(0f32, f32::max) as f64;
        if tp > 0.0 {
            loudness.true_peak_dbtp = Some(20.0 * tp.log10());
        }
    }
    if sink.peak > 0.0 {
        loudness.sample_peak_dbfs = Some(20.0 * (sink.peak as f64).log10());
    }
    let mut stats = sink.stats;
    stats.loudness_cpu_s += thread_cpu_seconds() - t_lf;
    let channels = sink.channels as u16;
    let t_rf = thread_cpu_seconds();
    let mono = sink
        .resampler
        .finish()
        .map_err(|source| AudioError::Resample { path: p(), source })?;
    let t_end = thread_cpu_seconds();
    stats.resample_cpu_s += t_end - t_rf;
    // Whatever was not metered or resampled was demux + decode.
    stats.decode_cpu_s = ((t_end - t_start) - stats.loudness_cpu_s - stats.resample_cpu_s).max(0.0);

    let bit_rate_kbps =
        (duration_s > 0.0).then(|| (file_size as f64 * 8.0 / duration_s / 1000.0).round() as u32);
    Ok(Decoded {
        mono,
        sample_rate: opts.target_rate,
        info: AudioInfo {
            duration_s,
            source_sample_rate: source_rate,
            channels,
            bit_rate_kbps,
            codec: codec_name,
            file_size,
            priming_trimmed,
            decode_errors,
        },
        loudness,
        stats,
    })
}

//! flowstate-audio: a file becomes mono PCM at the analysis rate, its EBU R128 loudness and
//! its tags. The only crate that knows symphonia (decoding), rubato (resampling) and lofty
//! (tags); loudness (BS.1770-4 integrated, EBU Tech 3342 LRA, true peak) is our own meter,
//! checked against the `ebur128` crate in tests.
//!
//! One decode per file: [`decode_file`] streams packets once; each decoded block feeds the
//! BS.1770 meter on the ORIGINAL channels and rate, is down-mixed to mono and is resampled to
//! [`ANALYSIS_SAMPLE_RATE`] on the fly (rubato FFT resampler), so memory is bounded by the
//! mono output only.
//!
//! Priming / gapless handling (see STACK_NOTES pitfall 2):
//! - MP3 (LAME/Xing info) and Ogg Vorbis: symphonia trims encoder delay and padding itself
//!   when `enable_gapless` is on (we turn it on).
//! - MP4/M4A (AAC): symphonia 0.5 reads neither the edit list nor iTunSMPB, so we parse the
//!   first audio track's `elst` box ourselves ([`mp4`]) and drop `media_time` priming frames
//!   at the start and everything past the edit's duration at the end. Without an edit list
//!   we fall back to iTunes' `iTunSMPB` when lofty finds it, else trim nothing.
//!
//! Never panics on input: every failure is an [`AudioError`] with the path and a stable
//! [`AudioError::kind`]; a `catch_unwind` around the decoder is the last line of defence.

mod cpu;
mod decode;
mod error;
mod loudness;
pub mod mp4;
mod resample;
mod tags;
mod truepeak;

pub use cpu::thread_cpu_seconds;
pub use decode::{decode_file, AudioInfo, DecodeOptions, DecodeStats, Decoded, Loudness};
pub use error::AudioError;
pub use resample::{resample_mono, StreamResampler};
pub use tags::{parse_artist_title_from_filename, read_tags, Tags};

pub use flowstate_types::ANALYSIS_SAMPLE_RATE;

/// File extensions the scanner treats as audio (lower case, without the dot).
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "flac", "wav", "wave", "aif", "aiff", "aifc", "ogg", "oga", "opus", "m4a", "mp4", "aac",
    "alac", "caf",
];

/// True when the path's extension is one of [`AUDIO_EXTENSIONS`] (case-insensitive).
pub fn is_audio_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| AUDIO_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}

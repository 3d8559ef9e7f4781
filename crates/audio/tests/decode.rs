//! Decoder tests on synthetic signals with known answers and on the committed fixtures.

use flowstate_audio::{decode_file, read_tags, AudioError, DecodeOptions};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// 16-bit PCM WAV writer (interleaved samples in [-1, 1]).
fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[f32]) {
    let data: Vec<u8> = samples
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes())
        .collect();
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * channels as u32 * 2).to_le_bytes());
    b.extend_from_slice(&(channels * 2).to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    std::fs::write(path, b).unwrap_or_else(|e| panic!("{e}"));
}

fn stereo_sine(rate: u32, secs: f64, freq: f64, dbfs: f64) -> Vec<f32> {
    let a = 10f64.powf(dbfs / 20.0);
    let n = (rate as f64 * secs) as usize;
    (0..n)
        .flat_map(|i| {
            let v = (a * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin()) as f32;
            [v, v]
        })
        .collect()
}

#[test]
fn sine_loudness_length_and_rate() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("sine.wav");
    write_wav(&p, 44100, 2, &stereo_sine(44100, 5.0, 997.0, -20.0));
    let d = decode_file(&p, &DecodeOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    // BS.1770: a 997 Hz stereo sine at -20 dBFS per channel reads -20 LUFS (±0.1).
    let l = d.loudness.integrated_lufs.unwrap_or(f64::NAN);
    assert!((l + 20.0).abs() < 0.1, "integrated {l}");
    let tp = d.loudness.true_peak_dbtp.unwrap_or(f64::NAN);
    assert!((tp + 20.0).abs() < 0.2, "true peak {tp}");
    assert_eq!(d.sample_rate, 22050);
    assert_eq!(d.info.source_sample_rate, 44100);
    assert_eq!(d.info.channels, 2);
    assert!((d.info.duration_s - 5.0).abs() < 1e-6);
    assert_eq!(d.mono.len(), 5 * 22050);
    // Mono is the channel average: amplitude 0.1.
    let peak = d.mono[1000..100_000]
        .iter()
        .fold(0f32, |m, v| m.max(v.abs()));
    assert!((peak - 0.1).abs() < 0.005, "peak {peak}");
}

#[test]
fn gain_shifts_loudness_exactly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (dir.path().join("a.wav"), dir.path().join("b.wav"));
    write_wav(&a, 48000, 2, &stereo_sine(48000, 4.0, 440.0, -12.0));
    write_wav(&b, 48000, 2, &stereo_sine(48000, 4.0, 440.0, -18.0));
    let la = decode_file(&a, &DecodeOptions::default())
        .ok()
        .and_then(|d| d.loudness.integrated_lufs)
        .unwrap_or(f64::NAN);
    let lb = decode_file(&b, &DecodeOptions::default())
        .ok()
        .and_then(|d| d.loudness.integrated_lufs)
        .unwrap_or(f64::NAN);
    assert!(((la - lb) - 6.0).abs() < 0.05, "{la} vs {lb}");
}

#[test]
fn silence_has_no_integrated_loudness_and_short_is_rejected() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("silence.wav");
    write_wav(&p, 22050, 1, &vec![0.0; 22050 * 3]);
    let d = decode_file(&p, &DecodeOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.loudness.integrated_lufs, None);
    assert_eq!(d.mono.len(), 22050 * 3);
    let s = dir.path().join("short.wav");
    write_wav(&s, 22050, 1, &vec![0.1; 2000]);
    assert!(matches!(
        decode_file(&s, &DecodeOptions::default()),
        Err(AudioError::TooShort { .. })
    ));
    let opts = DecodeOptions {
        max_duration_s: 1.0,
        ..Default::default()
    };
    assert!(matches!(
        decode_file(&p, &opts),
        Err(AudioError::TooLong { .. })
    ));
}

/// Gapless: every lossy fixture starts with a click at t = 0; after priming is trimmed the
/// first loud sample is within a few ms of the start (AAC priming alone is ~23 ms).
#[test]
fn lossy_priming_is_trimmed() {
    for name in [
        "click-wav.wav",
        "click-flac.flac",
        "click-mp3.mp3",
        "click-ogg.ogg",
        "click-m4a.m4a",
    ] {
        let d = decode_file(&fixtures().join(name), &DecodeOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = d
            .mono
            .iter()
            .position(|v| v.abs() > 0.2)
            .unwrap_or(usize::MAX);
        let ms = first as f64 * 1000.0 / d.sample_rate as f64;
        assert!(ms < 6.0, "{name}: first loud sample at {ms:.1} ms");
        // the trimmed priming is reported: LAME's encoder delay + 529 for MP3, the edit list's
        // media time for M4A, nothing for PCM
        let p = d.info.priming_trimmed;
        match name.rsplit('.').next() {
            Some("mp3") => assert!((529 + 500..529 + 3000).contains(&p), "{name}: {p}"),
            Some("m4a") => assert!(p >= 1024, "{name}: {p}"),
            Some("wav") | Some("flac") => assert_eq!(p, 0, "{name}"),
            _ => {}
        }
        assert!(
            (d.info.duration_s - if name.contains("wav") { 3.0 } else { 4.0 }).abs() < 0.03,
            "{name}: {}",
            d.info.duration_s
        );
    }
}

#[test]
fn garbage_never_panics() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Random bytes under every extension.
    for ext in ["mp3", "flac", "wav", "ogg", "m4a", "aiff"] {
        let p = dir.path().join(format!("junk.{ext}"));
        let bytes: Vec<u8> = (0..20_000).map(|_| rnd() as u8).collect();
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(decode_file(&p, &DecodeOptions::default()).is_err(), "{ext}");
        let _ = read_tags(&p);
    }
    // Corrupted real files: flipped bytes and cuts — Ok or Err, never a panic.
    for name in [
        "click-mp3.mp3",
        "click-flac.flac",
        "click-ogg.ogg",
        "click-m4a.m4a",
        "click-wav.wav",
    ] {
        let orig = std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"));
        for k in 0..6 {
            let mut b = orig.clone();
            for _ in 0..(20 * (k + 1)) {
                let i = (rnd() as usize) % b.len();
                b[i] = rnd() as u8;
            }
            if k % 2 == 1 {
                b.truncate(b.len() * (k + 1) / 8);
            }
            let p = dir.path().join(format!("bad{k}-{name}"));
            std::fs::write(&p, &b).unwrap_or_else(|e| panic!("{e}"));
            match decode_file(&p, &DecodeOptions::default()) {
                Ok(d) => assert!(d.mono.iter().all(|v| v.is_finite())),
                Err(AudioError::Panic { .. }) => panic!("decoder panicked on {name} variant {k}"),
                Err(_) => {}
            }
            let _ = read_tags(&p);
        }
    }
}

#[test]
fn tags_of_fixtures() {
    let t = read_tags(&fixtures().join("click-flac.flac")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.title.as_deref(), Some("Click Flac"));
    assert_eq!(t.artist.as_deref(), Some("Fixture Band"));
    assert_eq!(t.album.as_deref(), Some("Fixtures"));
    assert_eq!(t.genre.as_deref(), Some("Techno"));
    assert_eq!(t.year, Some(2024));
    assert_eq!(t.bpm, Some(120.0));
    assert_eq!(t.key.as_deref(), Some("Am"));
    assert_eq!(t.comment.as_deref(), Some("flowstate fixture"));
    assert!(!t.from_filename);
    let m = read_tags(&fixtures().join("click-mp3.mp3")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.bpm, Some(120.0));
    assert_eq!(m.comment.as_deref(), Some("flowstate fixture"));
}

use flowstate_types::{CamelotKey, CueKind, GridSegment, TrackDoc};

/// One track as exchanged with DJ software.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InteropTrack {
    /// Our track id when exported from the corpus; `None` on import.
    pub track_id: Option<String>,
    /// Native file path (`/home/dj/Music/a b.mp3`, `C:\Music\x.mp3`).
    pub location: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    pub comment: Option<String>,
    pub year: Option<i32>,
    pub duration_s: Option<f64>,
    pub bit_rate_kbps: Option<u32>,
    pub sample_rate: Option<u32>,
    pub size: Option<u64>,
    pub bpm: Option<f64>,
    pub key: Option<CamelotKey>,
    /// Grid segments in our timeline.
    pub grid: Vec<GridSegment>,
    pub cues: Vec<InteropCue>,
    /// Seconds added to every time on export (and subtracted on import).
    pub grid_offset_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InteropCue {
    pub kind: CueKind,
    pub time_s: f64,
    /// Hot cue slot 0..=7 (A..H); `None` for a memory cue.
    pub hot: Option<u8>,
    pub name: Option<String>,
}

/// A playlist: `folders` is the path of folder names from the root.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Playlist {
    pub folders: Vec<String>,
    pub name: String,
    /// Indices into [`Collection::tracks`].
    pub tracks: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collection {
    pub tracks: Vec<InteropTrack>,
    pub playlists: Vec<Playlist>,
}

impl Collection {
    /// Playlist `i`'s track indices that point at a track (writers skip dangling ones).
    pub fn playlist_tracks(&self, i: usize) -> Vec<usize> {
        self.playlists.get(i).map_or_else(Vec::new, |p| {
            p.tracks
                .iter()
                .copied()
                .filter(|&t| t < self.tracks.len())
                .collect()
        })
    }
}

/// Decoder delay of an MPEG-1 Layer III decoder, in samples (the LAME convention).
pub const MP3_DECODER_DELAY_SAMPLES: u32 = 529;

/// The grid offset to apply when exchanging times for a file with DJ software.
///
/// **Decision (MP3 encoder delay).** Flowstate decodes MP3 gapless: the encoder delay and
/// decoder delay announced in the LAME/Xing header are trimmed, so time 0 is the first real
/// sample. rekordbox (and CDJs) place MP3 grids on the *untrimmed* decoder output, so the same
/// beat sits later there by the trimmed priming (typically 576 + 529 = 1105 samples ≈ 25 ms at
/// 44.1 kHz — the "~26 ms" DJs see between applications). We therefore add
/// `trimmed_priming_samples / sample_rate` to every exported MP3 time and subtract it on
/// import. Other codecs are exchanged unshifted. When the priming is unknown for an MP3 we
/// assume the LAME default (576 + 529). The user can override with an explicit offset.
pub fn grid_offset_for(
    codec: Option<&str>,
    trimmed_priming_samples: Option<u32>,
    sample_rate: Option<u32>,
) -> f64 {
    let is_mp3 = codec
        .is_some_and(|c| c.eq_ignore_ascii_case("mp3") || c.to_ascii_lowercase().contains("mpeg"));
    if !is_mp3 {
        return 0.0;
    }
    let sr = f64::from(sample_rate.filter(|&s| s > 0).unwrap_or(44_100));
    let priming = trimmed_priming_samples.unwrap_or(576 + MP3_DECODER_DELAY_SAMPLES);
    f64::from(priming) / sr
}

impl InteropTrack {
    /// A track for export from a CODEX document (`location` must be the file's native path).
    pub fn from_doc(doc: &TrackDoc, location: String, grid_offset_s: f64) -> Self {
        let cues = doc
            .cues
            .iter()
            .flatten()
            .map(|c| InteropCue {
                kind: c.kind,
                time_s: c.time_s,
                hot: None,
                name: c.name.clone(),
            })
            .collect();
        Self {
            track_id: Some(doc.track_id.clone()),
            location,
            title: doc.title.clone(),
            artist: doc.artist.clone(),
            album: doc.album.clone(),
            genre: doc.genre.clone(),
            comment: doc.comment.clone(),
            year: doc.year,
            duration_s: doc.duration_seconds,
            bit_rate_kbps: doc.bit_rate_kbps,
            sample_rate: doc.sample_rate,
            size: doc.file_size,
            bpm: doc.bpm,
            key: doc.camelot(),
            grid: doc
                .beat_grid
                .as_ref()
                .map(|g| g.segments.clone())
                .unwrap_or_default(),
            cues,
            grid_offset_s,
        }
    }
}

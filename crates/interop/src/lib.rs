//! Interchange with DJ software: Rekordbox XML (`DJ_PLAYLISTS`), Traktor `collection.nml`
//! and M3U8 playlists. Pure text in, text out: no file system access, so the engine decides
//! where files come from and go to.
//!
//! Times in [`InteropTrack`] are in *our* timeline (seconds from the start of the decoded,
//! gapless-trimmed audio). Each track carries `grid_offset_s`, added to every time on export
//! and subtracted on import; see [`grid_offset_for`] for the MP3 encoder-delay decision.

pub mod location;
pub mod m3u;
mod model;
pub mod rekordbox;
pub mod traktor;
mod xml;

pub use model::{
    grid_offset_for, Collection, InteropCue, InteropTrack, Playlist, MP3_DECODER_DELAY_SAMPLES,
};

/// Errors reading a collection file. Writing never fails.
#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    #[error("malformed XML at byte {position}")]
    Xml {
        position: u64,
        #[source]
        source: quick_xml::Error,
    },
    #[error("malformed XML attribute at byte {position}")]
    Attr {
        position: u64,
        #[source]
        source: quick_xml::events::attributes::AttrError,
    },
    #[error("not a {expected} file: {detail}")]
    WrongFormat {
        expected: &'static str,
        detail: String,
    },
    #[error("collection too large: more than {limit} {what}")]
    TooLarge { what: &'static str, limit: usize },
}

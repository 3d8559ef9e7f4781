//! Round trips and format rules for rekordbox XML, Traktor NML and M3U8, plus imports of
//! hand-written collections with odd paths (spaces, unicode, Windows drive letters).

use flowstate_interop::{
    grid_offset_for, rekordbox, traktor, Collection, InteropCue, InteropTrack, Playlist,
};
use flowstate_types::{CamelotKey, CueKind, GridSegment};

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn no_offset(_: &str) -> f64 {
    0.0
}

fn sample() -> Collection {
    let key = |s: &str| s.parse::<CamelotKey>().ok();
    let t1 = InteropTrack {
        track_id: Some("abc".into()),
        location: "/home/dj/Music/Ar tist/01 – Tïtle & \"Quotes\" <x>.mp3".into(),
        title: Some("Tïtle & \"Quotes\" <x>".into()),
        artist: Some("Ar tist".into()),
        album: Some("Album".into()),
        genre: Some("Tech House".into()),
        comment: Some("line1\nline2".into()),
        year: Some(2020),
        duration_s: Some(361.0),
        bit_rate_kbps: Some(320),
        sample_rate: Some(44100),
        size: Some(14_443_520),
        bpm: Some(126.0),
        key: key("8A"),
        grid: vec![GridSegment {
            start_s: 0.512,
            bpm: 126.0,
            n_beats: 756,
            first_beat_in_bar: 0,
        }],
        cues: vec![
            InteropCue {
                kind: CueKind::MixIn,
                time_s: 0.512,
                hot: None,
                name: Some("Mix in".into()),
            },
            InteropCue {
                kind: CueKind::FirstDrop,
                time_s: 61.464,
                hot: None,
                name: Some("Drop".into()),
            },
            InteropCue {
                kind: CueKind::MixIn,
                time_s: 0.512,
                hot: Some(0),
                name: Some("Mix in".into()),
            },
        ],
        grid_offset_s: 0.0,
    };
    let t2 = InteropTrack {
        location: "C:\\Users\\DJ\\Música\\Set [2024]\\b.flac".into(),
        title: Some("B".into()),
        duration_s: Some(300.0),
        bpm: Some(174.0),
        key: key("Bbm"),
        grid: vec![
            GridSegment {
                start_s: 1.0,
                bpm: 174.0,
                n_beats: 290,
                first_beat_in_bar: 0,
            },
            GridSegment {
                start_s: 101.0,
                bpm: 172.0,
                n_beats: 570,
                first_beat_in_bar: 2,
            },
        ],
        ..Default::default()
    };
    let t3 = InteropTrack {
        location: "/Volumes/USB/音楽/夜.wav".into(),
        ..Default::default()
    };
    Collection {
        tracks: vec![t1, t2, t3],
        playlists: vec![
            Playlist {
                folders: vec![],
                name: "Set A".into(),
                tracks: vec![1, 0],
            },
            Playlist {
                folders: vec!["Gigs".into(), "2024".into()],
                name: "Fri & Sat".into(),
                tracks: vec![2],
            },
        ],
    }
}

#[test]
fn rekordbox_round_trip_is_identical() {
    let c = sample();
    let xml = rekordbox::write(&c);
    let back = rekordbox::parse(&xml, &no_offset).unwrap_or_else(|e| panic!("{e}"));
    // What we wrote parses back to the same values (track ids are ours, not rekordbox's).
    let mut expect = c.clone();
    for t in &mut expect.tracks {
        t.track_id = None;
    }
    assert_eq!(back.tracks.len(), 3);
    assert_eq!(back.tracks[0].title, expect.tracks[0].title);
    assert_eq!(back.tracks[0].comment, expect.tracks[0].comment);
    assert_eq!(back.tracks[1].location, expect.tracks[1].location);
    assert_eq!(back.tracks[2].location, expect.tracks[2].location);
    assert_eq!(back.tracks[1].key.map(|k| k.camelot()), Some("3A".into()));
    assert_eq!(back.tracks[1].grid.len(), 2);
    assert_eq!(back.tracks[1].grid[1].first_beat_in_bar, 2);
    assert_eq!(back.tracks[0].cues, expect.tracks[0].cues);
    assert_eq!(back.playlists, expect.playlists);
    // And writing the parsed collection again gives the same bytes.
    assert_eq!(rekordbox::write(&back), xml);
}

#[test]
fn rekordbox_format_rules() {
    let xml = rekordbox::write(&sample());
    assert!(xml.contains("<COLLECTION Entries=\"3\">"));
    assert_eq!(xml.matches("<TRACK TrackID=").count(), 3);
    assert!(xml.contains("Location=\"file://localhost/home/dj/Music/Ar%20tist/01%20%E2%80%93%20T%C3%AFtle%20%26%20%22Quotes%22%20%3Cx%3E.mp3\""), "{xml}");
    assert!(xml
        .contains("Location=\"file://localhost/C:/Users/DJ/M%C3%BAsica/Set%20%5B2024%5D/b.flac\""));
    assert!(xml.contains("<TEMPO Inizio=\"0.512\" Bpm=\"126.00\" Metro=\"4/4\" Battito=\"1\"/>"));
    assert!(xml.contains("<TEMPO Inizio=\"101.000\" Bpm=\"172.00\" Metro=\"4/4\" Battito=\"3\"/>"));
    assert!(xml.contains("Tonality=\"Am\""));
    assert!(xml.contains("Num=\"-1\"") && xml.contains("Num=\"0\""));
    // No locale decimal commas anywhere in numeric attributes.
    for attr in ["AverageBpm", "Inizio", "Bpm", "Start"] {
        for part in xml.split(&format!(" {attr}=\"")).skip(1) {
            let v = part.split('"').next().unwrap_or_default();
            assert!(v.parse::<f64>().is_ok(), "{attr}={v}");
        }
    }
    // Well-formed for a strict parser.
    let mut r = quick_xml::Reader::from_str(&xml);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn traktor_round_trip() {
    let c = sample();
    let nml = traktor::write(&c);
    assert!(nml.contains("<COLLECTION ENTRIES=\"3\">"));
    assert!(nml.contains("<MUSICAL_KEY VALUE=\"21\">"), "Am is 21");
    assert!(
        nml.contains("TYPE=\"4\" START=\"512.000000\""),
        "grid marker in ms"
    );
    let back = traktor::parse(&nml, &no_offset).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.tracks.len(), 3);
    for (a, b) in back.tracks.iter().zip(&c.tracks) {
        assert_eq!(a.location, b.location);
        assert_eq!(a.key, b.key);
        assert_eq!(a.bpm, b.bpm);
        assert_eq!(
            a.grid
                .iter()
                .map(|g| (g.start_s, g.bpm))
                .collect::<Vec<_>>(),
            b.grid
                .iter()
                .map(|g| (g.start_s, g.bpm))
                .collect::<Vec<_>>()
        );
        assert_eq!(a.cues, b.cues);
    }
    assert_eq!(back.playlists, c.playlists);
    assert_eq!(traktor::write(&back), nml);
}

#[test]
fn imports_hand_written_rekordbox_collection() {
    let c = rekordbox::parse(&fixture("rekordbox_windows.xml"), &no_offset)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.tracks.len(), 4);
    let t = &c.tracks[0];
    assert_eq!(
        t.location,
        "C:\\Users\\DJ Koji\\Music\\Tech House\\Warehouse Dreams (Original Mix).mp3"
    );
    assert_eq!(t.artist.as_deref(), Some("DJ Kōji"));
    assert_eq!(t.key.map(|k| k.camelot()), Some("4A".into()));
    assert_eq!(t.bpm, Some(126.0));
    assert_eq!(t.grid[0].start_s, 0.025);
    assert_eq!(t.cues.iter().filter(|c| c.hot.is_none()).count(), 2);
    assert_eq!(
        t.cues
            .iter()
            .filter(|c| c.kind == CueKind::FirstDrop)
            .count(),
        1
    );
    let t2 = &c.tracks[1];
    assert_eq!(t2.location, "D:\\DJ USB\\Sets [2024]\\Mañana Café.flac");
    assert_eq!(t2.artist.as_deref(), Some("Sofía & The Rhodes"));
    assert_eq!(
        t2.bpm,
        Some(121.5),
        "decimal comma from a German-locale export"
    );
    assert_eq!(t2.key.map(|k| k.camelot()), Some("4B".into()));
    assert_eq!(t2.grid.len(), 2);
    assert_eq!(t2.grid[1].first_beat_in_bar, 2);
    assert_eq!(c.tracks[2].location, "E:\\音楽\\音楽の夜.wav");
    assert_eq!(c.tracks[2].key.map(|k| k.camelot()), Some("10A".into()));
    assert_eq!(c.tracks[3].bpm, None);
    assert_eq!(c.playlists.len(), 2);
    assert_eq!(c.playlists[0].folders, vec!["Gigs".to_string()]);
    assert_eq!(c.playlists[0].tracks, vec![1, 0], "unknown key 999 dropped");
    assert_eq!(
        c.playlists[1].tracks,
        vec![2],
        "KeyType=1 resolves by location"
    );
}

#[test]
fn imports_hand_written_traktor_collection() {
    let c =
        traktor::parse(&fixture("traktor_mac.nml"), &no_offset).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.tracks.len(), 3);
    let t = &c.tracks[0];
    assert_eq!(
        t.location,
        "/Users/dj/Music/Acid & Co/Acid Rain (Extended).mp3"
    );
    assert_eq!(t.key.map(|k| k.camelot()), Some("8A".into()));
    assert_eq!(t.bpm, Some(134.0));
    assert!((t.grid[0].start_s - 0.051020408).abs() < 1e-9);
    assert_eq!(t.cues.len(), 2);
    assert_eq!(t.cues[0].kind, CueKind::FirstDrop);
    assert_eq!(t.cues[0].hot, Some(1));
    assert_eq!(t.bit_rate_kbps, Some(320));
    assert_eq!(t.year, Some(2019));
    assert_eq!(
        c.tracks[1].location,
        "/Volumes/USB STICK/Sets/2024/sunrise.flac"
    );
    assert_eq!(
        c.tracks[1].key.map(|k| k.camelot()),
        Some("9B".into()),
        "VALUE 7 = G major"
    );
    assert_eq!(c.tracks[2].location, "C:\\Music\\House Classics\\a b.wav");
    assert_eq!(c.playlists.len(), 2);
    assert_eq!(c.playlists[0].folders, vec!["Gigs".to_string()]);
    assert_eq!(c.playlists[0].tracks, vec![1, 0]);
    assert!(c.playlists[1].tracks.is_empty());
}

#[test]
fn mp3_grid_offset_is_applied_on_export_and_removed_on_import() {
    let off = grid_offset_for(Some("mp3"), Some(576 + 529), Some(44_100));
    assert!((off - 1105.0 / 44_100.0).abs() < 1e-12);
    assert_eq!(grid_offset_for(Some("flac"), Some(1105), Some(44_100)), 0.0);
    let mut c = sample();
    c.tracks[0].grid_offset_s = off;
    let xml = rekordbox::write(&c);
    assert!(xml.contains("<TEMPO Inizio=\"0.537\""), "0.512 + 0.025 s");
    let back = rekordbox::parse(&xml, &|loc: &str| {
        if loc.ends_with(".mp3") {
            off
        } else {
            0.0
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!((back.tracks[0].grid[0].start_s - 0.512).abs() < 0.0006);
}

#[test]
fn malformed_input_is_a_clear_error() {
    for bad in ["", "<DJ_PLAYLISTS><COLLECTION>", "<NML></DJ>", "not xml at all", "<DJ_PLAYLISTS Version=\"1\"><COLLECTION Entries=\"1\"><TRACK Location=\"x\" Name=\"a &bogus; b\"/></COLLECTION></DJ_PLAYLISTS>", "<?xml version=\"1.0\"?><ROOT/>"] {
        assert!(rekordbox::parse(bad, &no_offset).is_err(), "{bad:?}");
    }
    assert!(traktor::parse("<DJ_PLAYLISTS/>", &no_offset).is_err());
    let deep = "<a>".repeat(1000);
    assert!(rekordbox::parse(&deep, &no_offset).is_err());
}

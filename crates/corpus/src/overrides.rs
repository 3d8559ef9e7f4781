//! User overrides: applied on read, never stored into the measured document.

use flowstate_types::{CamelotKey, FieldSource, TrackDoc};
use serde::{Deserialize, Serialize};

/// Pseudo-field: shift of the beat grid in milliseconds (positive = later).
pub const GRID_OFFSET_FIELD: &str = "grid_offset_ms";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub track_id: String,
    pub field: String,
    pub value: serde_json::Value,
    /// Unix seconds.
    pub time: i64,
}

/// Applies overrides to a measured document. For each overridden field the doc shows the
/// user value, `provenance[field] = user`, and the measured value is kept in
/// `external.flowstate_measured[field]`. `bpm` also rescales the beat grid; `key` also
/// updates `key_classic`/`key_open`; `grid_offset_ms` shifts the grid and first downbeat.
pub fn apply_overrides(doc: &mut TrackDoc, overrides: &[Override]) {
    if overrides.is_empty() {
        return;
    }
    let mut measured = serde_json::Map::new();
    let original = serde_json::to_value(&*doc).unwrap_or(serde_json::Value::Null);
    for o in overrides {
        let prev = original
            .get(&o.field)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        match o.field.as_str() {
            "bpm" => {
                let Some(new) = o.value.as_f64().filter(|v| v.is_finite() && *v > 0.0) else {
                    continue;
                };
                if let (Some(old), Some(grid)) = (doc.bpm, doc.beat_grid.as_mut()) {
                    if old > 0.0 {
                        let r = new / old;
                        for seg in &mut grid.segments {
                            seg.bpm *= r;
                            seg.n_beats = ((seg.n_beats as f64) * r).round().max(1.0) as u32;
                        }
                    }
                }
                doc.bpm = Some(new);
            }
            "key" => {
                let Some(k) = o.value.as_str().and_then(|s| s.parse::<CamelotKey>().ok()) else {
                    continue;
                };
                doc.key = Some(k.camelot());
                doc.key_classic = Some(k.classic());
                doc.key_open = Some(k.open_key());
            }
            GRID_OFFSET_FIELD => {
                let Some(ms) = o.value.as_f64().filter(|v| v.is_finite()) else {
                    continue;
                };
                let dt = ms / 1000.0;
                if let Some(grid) = doc.beat_grid.as_mut() {
                    for seg in &mut grid.segments {
                        seg.start_s += dt;
                    }
                    if let Some(fd) = grid.first_downbeat_s.as_mut() {
                        *fd += dt;
                    }
                }
            }
            other => {
                // Generic field: replace through JSON (ignored if it does not fit the type).
                let mut v = serde_json::to_value(&*doc).unwrap_or(serde_json::Value::Null);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert(other.to_string(), o.value.clone());
                }
                match serde_json::from_value::<TrackDoc>(v) {
                    Ok(d) => *doc = d,
                    Err(_) => continue,
                }
            }
        }
        measured.insert(o.field.clone(), prev);
        doc.provenance.get_or_insert_with(Default::default).insert(
            o.field.clone(),
            FieldSource {
                source: "user".into(),
                confidence: None,
            },
        );
    }
    if !measured.is_empty() {
        doc.external.get_or_insert_with(Default::default).insert(
            "flowstate_measured".into(),
            serde_json::Value::Object(measured),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowstate_types::{BeatGrid, GridSegment};

    fn ov(field: &str, value: serde_json::Value) -> Override {
        Override {
            track_id: "t".into(),
            field: field.into(),
            value,
            time: 0,
        }
    }

    #[test]
    fn bpm_override_keeps_measured_and_rescales_grid() {
        let mut d = TrackDoc {
            track_id: "t".into(),
            bpm: Some(64.0),
            beat_grid: Some(BeatGrid {
                segments: vec![GridSegment {
                    start_s: 0.5,
                    bpm: 64.0,
                    n_beats: 100,
                    first_beat_in_bar: 0,
                }],
                first_downbeat_s: Some(0.5),
            }),
            ..Default::default()
        };
        apply_overrides(
            &mut d,
            &[
                ov("bpm", serde_json::json!(128.0)),
                ov(GRID_OFFSET_FIELD, serde_json::json!(-20.0)),
            ],
        );
        assert_eq!(d.bpm, Some(128.0));
        let g = d.beat_grid.as_ref().expect("grid");
        assert_eq!(g.segments[0].n_beats, 200);
        assert!((g.segments[0].start_s - 0.48).abs() < 1e-9);
        let m = &d.external.as_ref().expect("external")["flowstate_measured"];
        assert_eq!(m["bpm"], serde_json::json!(64.0));
        assert_eq!(d.provenance.as_ref().expect("prov")["bpm"].source, "user");
    }

    #[test]
    fn key_override_accepts_any_notation() {
        let mut d = TrackDoc {
            track_id: "t".into(),
            key: Some("5A".into()),
            ..Default::default()
        };
        apply_overrides(&mut d, &[ov("key", serde_json::json!("Am"))]);
        assert_eq!(d.key.as_deref(), Some("8A"));
        assert_eq!(d.key_classic.as_deref(), Some("Am"));
    }

    #[test]
    fn bad_generic_override_is_ignored() {
        let mut d = TrackDoc {
            track_id: "t".into(),
            energy: Some(5),
            ..Default::default()
        };
        apply_overrides(&mut d, &[ov("energy", serde_json::json!("loud"))]);
        assert_eq!(d.energy, Some(5));
        apply_overrides(&mut d, &[ov("energy", serde_json::json!(9))]);
        assert_eq!(d.energy, Some(9));
    }
}

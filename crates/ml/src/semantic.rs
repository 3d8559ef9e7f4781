//! From tagger probabilities (MSD_musicnn vocabulary) to the semantic CODEX fields: `genre`,
//! `subgenre`, `vibe`, `mood_tags`, `vocal_presence`, `instrumentation`, plus `tags` — each
//! with provenance `tagger` and a confidence. The mappings are fixed, documented rules on the
//! tag vocabulary (chosen a priori, not fitted to any evaluation set); a field is left `None`
//! when the evidence is below its floor — never invented.
//!
//! Fields set by a more trusted source (`user`, `import`, `tags`, `llm`) are never
//! overwritten; `dsp`/`tagger` values are replaced (for vocals the DSP estimate is blended in).

use flowstate_types::{FieldSource, TrackDoc};

use crate::TagOutput;

/// Genre families: (genre, member tags). Family score = max member probability.
const FAMILIES: &[(&str, &[&str])] = &[
    (
        "electronic",
        &["electronic", "electronica", "electro", "dance", "House"],
    ),
    ("ambient", &["ambient", "chillout"]),
    ("hip-hop", &["Hip-Hop"]),
    ("r&b", &["rnb", "soul"]),
    ("funk", &["funk"]),
    (
        "rock",
        &[
            "rock",
            "alternative",
            "alternative rock",
            "classic rock",
            "indie rock",
            "hard rock",
            "Progressive rock",
            "indie",
        ],
    ),
    ("metal", &["metal", "heavy metal"]),
    ("punk", &["punk"]),
    ("pop", &["pop", "indie pop"]),
    ("jazz", &["jazz"]),
    ("blues", &["blues"]),
    ("folk", &["folk"]),
    ("country", &["country"]),
];

/// Specific tags that name a subgenre: (tag, subgenre).
const SUBGENRES: &[(&str, &str)] = &[
    ("House", "house"),
    ("electro", "electro"),
    ("electronica", "electronica"),
    ("chillout", "chillout"),
    ("ambient", "ambient"),
    ("soul", "soul"),
    ("rnb", "r&b"),
    ("classic rock", "classic rock"),
    ("indie rock", "indie rock"),
    ("alternative rock", "alternative rock"),
    ("hard rock", "hard rock"),
    ("Progressive rock", "progressive rock"),
    ("heavy metal", "heavy metal"),
    ("indie pop", "indie pop"),
];

/// Mood tags copied to `mood_tags` when probable enough: (tag, mood).
const MOODS: &[(&str, &str)] = &[
    ("beautiful", "beautiful"),
    ("Mellow", "mellow"),
    ("chill", "chill"),
    ("sad", "sad"),
    ("happy", "happy"),
    ("party", "party"),
    ("sexy", "sexy"),
    ("catchy", "catchy"),
    ("easy listening", "easy listening"),
    ("experimental", "experimental"),
];

/// Minimum family score to state a genre.
pub const GENRE_FLOOR: f64 = 0.15;
/// Minimum probability for a mood tag / instrumentation hint.
pub const MOOD_FLOOR: f64 = 0.15;
/// Minimum score to state a vibe.
pub const VIBE_FLOOR: f64 = 0.1;

fn trusted(doc: &TrackDoc, field: &str) -> bool {
    doc.provenance
        .as_ref()
        .and_then(|p| p.get(field))
        .is_some_and(|s| !matches!(s.source.as_str(), "dsp" | "tagger"))
}

fn set_prov(doc: &mut TrackDoc, field: &str, confidence: f64) {
    doc.provenance.get_or_insert_with(Default::default).insert(
        field.to_string(),
        FieldSource {
            source: "tagger".into(),
            confidence: Some((confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0),
        },
    );
}

/// A label and its confidence (0–1).
pub type Scored = (String, f64);

/// Genre and subgenre with confidences.
pub fn genre(t: &TagOutput) -> Option<(String, f64, Option<Scored>)> {
    let (fam, score) = FAMILIES
        .iter()
        .map(|(g, members)| {
            let s = members.iter().map(|m| t.p(m)).fold(0.0, f64::max);
            (*g, s)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if score < GENRE_FLOOR {
        return None;
    }
    let members = FAMILIES
        .iter()
        .find(|(g, _)| *g == fam)
        .map(|f| f.1)
        .unwrap_or(&[]);
    let sub = SUBGENRES
        .iter()
        .filter(|(tag, _)| members.contains(tag))
        .map(|(tag, name)| (*name, t.p(tag)))
        .filter(|(_, p)| *p >= GENRE_FLOOR && *p >= 0.5 * score)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    // House is the one DJ genre the MSD vocabulary names: promote it to the genre.
    if fam == "electronic" {
        if let Some(("house", p)) = sub {
            return Some(("house".into(), p, None));
        }
    }
    Some((fam.into(), score, sub.map(|(n, p)| (n.to_string(), p))))
}

/// Vocal presence (`instrumental | male | female | mixed`), its confidence and the
/// probability that the track has vocals.
pub fn vocals(t: &TagOutput) -> (String, f64, f64) {
    let female = t.p("female vocalists").max(t.p("female vocalist"));
    let male = t.p("male vocalists");
    // rap is voiced even when no vocalist tag fires
    let voiced = female.max(male).max(t.p("Hip-Hop"));
    let instr = t.p("instrumental");
    // evidence ratio → probability of vocals
    let p_vocal = voiced / (voiced + instr).max(1e-9);
    if p_vocal < 0.5 {
        return ("instrumental".into(), 1.0 - p_vocal, p_vocal);
    }
    let label = if female.min(male) >= 0.5 * female.max(male) && female.min(male) >= 0.1 {
        "mixed"
    } else if female >= male {
        "female"
    } else {
        "male"
    };
    let conf = if label == "mixed" {
        p_vocal * female.min(male) / female.max(male).max(1e-9)
    } else {
        p_vocal * (female.max(male) - female.min(male)) / female.max(male).max(1e-9)
    };
    (label.into(), conf.max(0.0), p_vocal)
}

/// Vibe (`dark | bright | hypnotic | euphoric | chill | aggressive`) and its score. DSP energy
/// (1–10) modulates euphoric/hypnotic/chill when the document has it.
pub fn vibe(t: &TagOutput, energy: Option<f64>) -> Option<(String, f64)> {
    let e = energy
        .map(|e| ((e - 1.0) / 9.0).clamp(0.0, 1.0))
        .unwrap_or(0.5);
    let electronic = ["electronic", "electronica", "electro", "House", "dance"]
        .iter()
        .map(|m| t.p(m))
        .fold(0.0, f64::max);
    let chill = ["chill", "chillout", "Mellow", "ambient", "easy listening"]
        .iter()
        .map(|m| t.p(m))
        .fold(0.0, f64::max);
    let aggressive = ["metal", "heavy metal", "hard rock", "punk"]
        .iter()
        .map(|m| t.p(m))
        .fold(0.0, f64::max);
    let happy = t.p("happy").max(t.p("party"));
    let cands = [
        ("chill", chill * (1.2 - e)),
        ("aggressive", aggressive),
        ("euphoric", happy.max(t.p("party")) * (0.5 + e)),
        ("bright", t.p("happy") * (1.0 - e * 0.5)),
        ("dark", t.p("sad") * (1.0 - t.p("happy"))),
        (
            "hypnotic",
            electronic * (1.0 - t.p("catchy")) * (0.5 + 0.5 * e) * 0.8,
        ),
    ];
    let (v, s) = cands.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    (s >= VIBE_FLOOR).then(|| (v.to_string(), s.min(1.0)))
}

impl TagOutput {
    /// Fill the semantic CODEX fields of `doc` from the tags (and DSP fields already there).
    /// `similar_artists` and `description` are left alone.
    pub fn apply_to(&self, doc: &mut TrackDoc) {
        doc.tags = Some(
            self.tags
                .iter()
                .map(|(k, v)| (k.clone(), (v * 1e4).round() / 1e4))
                .collect(),
        );
        set_prov(doc, "tags", 1.0);
        if self.model != "MSD_musicnn" {
            return; // the mappings below are for the MSD vocabulary
        }
        if let Some((g, gc, sub)) = genre(self) {
            if !trusted(doc, "genre") {
                doc.genre = Some(g);
                set_prov(doc, "genre", gc);
            }
            if !trusted(doc, "subgenre") {
                if let Some((s, sc)) = sub {
                    doc.subgenre = Some(s);
                    set_prov(doc, "subgenre", sc);
                }
            }
        }
        if !trusted(doc, "vibe") {
            if let Some((v, c)) = vibe(self, doc.energy_score.or(doc.energy.map(f64::from))) {
                doc.vibe = Some(v);
                set_prov(doc, "vibe", c);
            }
        }
        if !trusted(doc, "mood_tags") {
            let mut moods: Vec<(f64, &str)> = MOODS
                .iter()
                .map(|(tag, m)| (self.p(tag), *m))
                .filter(|(p, _)| *p >= MOOD_FLOOR)
                .collect();
            moods.sort_by(|a, b| b.0.total_cmp(&a.0));
            if let Some(&(top, _)) = moods.first() {
                doc.mood_tags = Some(moods.iter().take(4).map(|(_, m)| m.to_string()).collect());
                set_prov(doc, "mood_tags", top);
            }
        }
        let (label, conf, p_vocal) = vocals(self);
        // blend with a DSP vocal estimate when one exists
        let dsp_p = doc.vocal_probability.filter(|_| {
            !doc.provenance.as_ref().is_some_and(|p| {
                p.get("vocal_probability")
                    .is_some_and(|s| s.source == "tagger")
            })
        });
        if !trusted(doc, "vocal_presence") {
            match dsp_p {
                Some(d) if (d >= 0.5) != (p_vocal >= 0.5) => {
                    // disagreement: trust the mean of the two
                    let m = 0.5 * (d + p_vocal);
                    if m < 0.5 {
                        doc.vocal_presence = Some("instrumental".into());
                        set_prov(doc, "vocal_presence", 1.0 - m);
                    } else {
                        let (l, _, _) = vocals_forced(self);
                        doc.vocal_presence = Some(l);
                        set_prov(doc, "vocal_presence", m * 0.5);
                    }
                }
                _ => {
                    doc.vocal_presence = Some(label);
                    set_prov(doc, "vocal_presence", conf);
                }
            }
        }
        if dsp_p.is_none() && !trusted(doc, "vocal_probability") {
            doc.vocal_probability = Some((p_vocal * 1000.0).round() / 1000.0);
            set_prov(doc, "vocal_probability", 1.0);
        }
        if !trusted(doc, "instrumentation") {
            let mut inst: Vec<(f64, &str)> = vec![
                (self.p("guitar"), "guitar"),
                (self.p("acoustic"), "acoustic instruments"),
                (
                    ["electronic", "electro", "electronica", "House"]
                        .iter()
                        .map(|m| self.p(m))
                        .fold(0.0, f64::max),
                    "synthesizers",
                ),
                (
                    self.p("female vocalists")
                        .max(self.p("female vocalist"))
                        .max(self.p("male vocalists")),
                    "vocals",
                ),
            ];
            inst.retain(|(p, _)| *p >= MOOD_FLOOR);
            inst.sort_by(|a, b| b.0.total_cmp(&a.0));
            if let Some(&(top, _)) = inst.first() {
                doc.instrumentation = Some(inst.iter().map(|(_, n)| n.to_string()).collect());
                set_prov(doc, "instrumentation", top);
            }
        }
        if doc.analyzer_model.is_none() {
            doc.analyzer_model = Some(format!("musicnn/{}", self.model));
        }
    }
}

/// The vocalist label ignoring the instrumental evidence (male / female / mixed).
fn vocals_forced(t: &TagOutput) -> (String, f64, f64) {
    let female = t.p("female vocalists").max(t.p("female vocalist"));
    let male = t.p("male vocalists");
    let label = if female.min(male) >= 0.5 * female.max(male) && female.min(male) >= 0.1 {
        "mixed"
    } else if female >= male {
        "female"
    } else {
        "male"
    };
    (label.into(), 0.0, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn out(pairs: &[(&str, f64)]) -> TagOutput {
        let mut tags: BTreeMap<String, f64> = crate::tagger::MSD_LABELS
            .iter()
            .map(|l| (l.to_string(), 0.01))
            .collect();
        for (k, v) in pairs {
            tags.insert(k.to_string(), *v);
        }
        TagOutput {
            model: "MSD_musicnn".into(),
            tags,
            emb_intro: vec![],
            emb_body: vec![],
            emb_outro: vec![],
            patches: vec![],
        }
    }

    #[test]
    fn house_track_maps_to_house_instrumental() {
        let t = out(&[
            ("electronic", 0.7),
            ("House", 0.5),
            ("dance", 0.6),
            ("instrumental", 0.3),
        ]);
        let mut d = TrackDoc::default();
        t.apply_to(&mut d);
        assert_eq!(d.genre.as_deref(), Some("house"));
        assert_eq!(d.vocal_presence.as_deref(), Some("instrumental"));
        let p = d.provenance.unwrap_or_default();
        assert_eq!(p.get("genre").map(|s| s.source.as_str()), Some("tagger"));
        assert!(d.tags.is_some_and(|t| t.len() == 50));
        assert_eq!(d.similar_artists, None);
        assert_eq!(d.description, None);
    }

    #[test]
    fn vocal_labels() {
        assert_eq!(vocals(&out(&[("female vocalists", 0.6)])).0, "female");
        assert_eq!(vocals(&out(&[("male vocalists", 0.6)])).0, "male");
        assert_eq!(
            vocals(&out(&[("male vocalists", 0.5), ("female vocalists", 0.4)])).0,
            "mixed"
        );
        assert_eq!(vocals(&out(&[("instrumental", 0.5)])).0, "instrumental");
    }

    #[test]
    fn user_fields_are_not_overwritten_and_low_evidence_leaves_none() {
        let t = out(&[("Hip-Hop", 0.8), ("male vocalists", 0.3)]);
        let mut d = TrackDoc {
            genre: Some("trap".into()),
            ..Default::default()
        };
        d.provenance = Some(BTreeMap::from([(
            "genre".to_string(),
            FieldSource {
                source: "user".into(),
                confidence: None,
            },
        )]));
        t.apply_to(&mut d);
        assert_eq!(d.genre.as_deref(), Some("trap"));
        assert_eq!(d.vocal_presence.as_deref(), Some("male"));

        let flat = out(&[]);
        let mut d = TrackDoc::default();
        flat.apply_to(&mut d);
        assert_eq!(d.genre, None);
        assert_eq!(d.vibe, None);
        assert_eq!(d.mood_tags, None);
    }

    #[test]
    fn energy_moves_chill_to_euphoric() {
        let t = out(&[("chill", 0.4), ("happy", 0.4), ("party", 0.4)]);
        assert_eq!(vibe(&t, Some(2.0)).map(|v| v.0), Some("chill".into()));
        assert_eq!(vibe(&t, Some(9.5)).map(|v| v.0), Some("euphoric".into()));
    }
}

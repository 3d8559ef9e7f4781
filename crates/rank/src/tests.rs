//! Semantics of every operator, filter and waiver, determinism, exclusions and reasons, on small
//! synthetic libraries whose answers are known by construction.

use super::*;
use flowstate_types::{Constraint, Intent, IntentStatus, LowEnd, Op, TrackDoc};
use std::collections::BTreeSet;

fn base(id: &str) -> TrackDoc {
    TrackDoc {
        track_id: id.into(),
        artist: Some(format!("artist {id}")),
        title: Some(format!("title {id}")),
        bpm: Some(124.0),
        key: Some("8A".into()),
        energy: Some(6),
        danceability: Some(7),
        mix_in_ease: Some(7),
        mix_out_ease: Some(7),
        intensity: Some("journey".into()),
        vibe: Some("hypnotic".into()),
        groove_style: Some("four-on-floor".into()),
        tempo_feel: Some("straight".into()),
        vocal_presence: Some("instrumental".into()),
        vocal_style: Some("none".into()),
        language: Some("none".into()),
        genre: Some("techno".into()),
        subgenre: Some("dub techno".into()),
        mood_tags: Some(vec!["rolling".into()]),
        instrumentation: Some(vec!["synth".into()]),
        production_style: Some("polished".into()),
        description: Some("A rolling techno track.".into()),
        ..Default::default()
    }
}

fn with(id: &str, f: impl FnOnce(&mut TrackDoc)) -> TrackDoc {
    let mut d = base(id);
    f(&mut d);
    d
}

fn intent(cs: Vec<Constraint>) -> Intent {
    Intent {
        status: IntentStatus::Ok,
        constraints: cs,
        ambiguous_attrs: vec![],
        error: None,
        explanation: None,
    }
}

fn run(docs: &[TrackDoc], req: &Request) -> Recommendation {
    let s = Snapshot::build(docs);
    recommend(&s, req).unwrap_or_else(|e| panic!("{e}"))
}

/// Ids that pass every filter for `c` as a hard constraint, current track "cur".
fn passing(docs: &[TrackDoc], cs: Vec<Constraint>) -> BTreeSet<String> {
    let mut req = Request::new("cur", intent(cs));
    req.top = 1000;
    req.relax = false;
    run(docs, &req)
        .ranked
        .into_iter()
        .map(|r| r.track_id)
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn h(attr: Attr, op: Op) -> Constraint {
    Constraint::hard(attr, op)
}

#[test]
fn numeric_range_delta_keep() {
    let docs = vec![
        with("cur", |d| d.energy = Some(6)),
        with("e4", |d| d.energy = Some(4)),
        with("e6", |d| d.energy = Some(6)),
        with("e7", |d| d.energy = Some(7)),
        with("e8", |d| d.energy = Some(8)),
        with("e9", |d| d.energy = Some(9)),
        with("none", |d| d.energy = None),
    ];
    let range = |min, max| h(Attr::Energy, Op::Range { min, max });
    assert_eq!(
        passing(&docs, vec![range(Some(7.0), Some(8.0))]),
        set(&["e7", "e8"])
    );
    assert_eq!(
        passing(&docs, vec![range(Some(8.0), None)]),
        set(&["e8", "e9"])
    );
    // two constraints on one attribute are ANDed
    assert_eq!(
        passing(&docs, vec![range(Some(5.0), None), range(None, Some(7.0))]),
        set(&["e6", "e7"])
    );
    let delta = |min, max| h(Attr::Energy, Op::Delta { min, max });
    assert_eq!(
        passing(&docs, vec![delta(Some(1.0), Some(2.0))]),
        set(&["e7", "e8"])
    );
    assert_eq!(
        passing(&docs, vec![delta(None, Some(0.0))]),
        set(&["e4", "e6"])
    );
    assert_eq!(
        passing(&docs, vec![delta(Some(-2.0), Some(-2.0))]),
        set(&["e4"])
    );
    let keep = h(
        Attr::Energy,
        Op::Keep {
            tolerance: Some(1.0),
            tolerance_pct: None,
        },
    );
    assert_eq!(passing(&docs, vec![keep]), set(&["e6", "e7"]));
}

#[test]
fn bpm_delta_pct_and_keep_pct() {
    let docs = vec![
        with("cur", |d| d.bpm = Some(125.0)),
        with("b120", |d| d.bpm = Some(120.0)),
        with("b125", |d| d.bpm = Some(125.0)),
        with("b127", |d| d.bpm = Some(127.5)),
        with("b130", |d| d.bpm = Some(130.0)),
    ];
    // +2 % … +4 %: 127.5 is exactly +2 % (inclusive bound), 130 is +4 %
    let pct = h(
        Attr::Bpm,
        Op::DeltaPct {
            min: Some(2.0),
            max: Some(4.0),
        },
    );
    assert_eq!(passing(&docs, vec![pct]), set(&["b127", "b130"]));
    let keep = h(
        Attr::Bpm,
        Op::Keep {
            tolerance: None,
            tolerance_pct: Some(2.0),
        },
    );
    assert_eq!(passing(&docs, vec![keep]), set(&["b125", "b127"]));
    let faster = h(
        Attr::Bpm,
        Op::Delta {
            min: Some(2.0),
            max: Some(8.0),
        },
    );
    assert_eq!(passing(&docs, vec![faster]), set(&["b127", "b130"]));
}

#[test]
fn closed_ops_with_aliases() {
    let docs = vec![
        with("cur", |d| d.genre = Some("techno".into())),
        with("dnb", |d| {
            d.genre = Some("Drum & Bass".into());
            d.bpm = Some(62.0); // half of 124: tempo-mixable
        }),
        with("house", |d| d.genre = Some("house".into())),
        with("techno", |d| d.genre = Some("techno".into())),
        with("unknown", |d| d.genre = None),
    ];
    let g = |op| h(Attr::Genre, op);
    assert_eq!(
        passing(
            &docs,
            vec![g(Op::In {
                values: vec!["dnb".into(), "House".into()]
            })]
        ),
        set(&["dnb", "house"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![g(Op::Equals {
                value: "drum and bass".into()
            })]
        ),
        set(&["dnb"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![g(Op::NotIn {
                values: vec!["techno".into()]
            })]
        ),
        set(&["dnb", "house"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![g(Op::Keep {
                tolerance: None,
                tolerance_pct: None
            })]
        ),
        set(&["techno"])
    );
    assert_eq!(
        passing(&docs, vec![g(Op::Differs)]),
        set(&["dnb", "house", "unknown"])
    );
    let groove = h(
        Attr::GrooveStyle,
        Op::In {
            values: vec!["4x4".into()],
        },
    );
    assert_eq!(passing(&docs, vec![groove]).len(), 4);
}

#[test]
fn key_ops() {
    let docs = vec![
        with("cur", |d| d.key = Some("8A".into())),
        with("k8a", |d| d.key = Some("Am".into())),
        with("k9a", |d| d.key = Some("9A".into())),
        with("k8b", |d| d.key = Some("8B".into())),
        with("k10a", |d| d.key = Some("10A".into())),
        with("k9b", |d| d.key = Some("9B".into())),
        with("k3a", |d| d.key = Some("3A".into())),
        with("k6b", |d| d.key = Some("6B".into())),
    ];
    let k = |op| h(Attr::Key, op);
    // a hard key constraint waives the harmonic filter: 3A and 6B become possible
    assert_eq!(
        passing(
            &docs,
            vec![k(Op::In {
                values: vec!["Bb major".into(), "3A".into()]
            })]
        ),
        set(&["k6b", "k3a"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![k(Op::Equals {
                value: "E minor".into()
            })]
        ),
        set(&["k9a"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![k(Op::Mode {
                value: "major".into()
            })]
        ),
        set(&["k8b", "k9b", "k6b"])
    );
    assert_eq!(
        passing(&docs, vec![k(Op::Compatible { min_score: 0.9 })]),
        set(&["k8a", "k9a", "k8b"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![k(Op::Keep {
                tolerance: None,
                tolerance_pct: None
            })]
        ),
        set(&["k8a"])
    );
    assert_eq!(passing(&docs, vec![k(Op::Differs)]).len(), 6);
    assert_eq!(
        passing(
            &docs,
            vec![k(Op::NotIn {
                values: vec!["8A".into(), "9A".into()]
            })]
        )
        .len(),
        5
    );
    // without a key constraint, the harmonic rule (≥ 0.6) applies: 8A 9A 8B 10A 9B pass
    assert_eq!(
        passing(&docs, vec![]),
        set(&["k8a", "k9a", "k8b", "k10a", "k9b"])
    );
    // a soft key constraint does not waive it
    let soft = Constraint::soft(
        Attr::Key,
        Op::In {
            values: vec!["3A".into()],
        },
    );
    assert!(!passing(&docs, vec![soft]).contains("k3a"));
}

#[test]
fn list_and_text_contains() {
    let docs = vec![
        base("cur"),
        with("sax", |d| {
            d.instrumentation = Some(vec!["Saxophone".into(), "pads".into()])
        }),
        with("horns", |d| d.instrumentation = Some(vec!["horns".into()])),
        with("vocalchops", |d| {
            d.instrumentation = Some(vec!["vocal chops".into()])
        }),
        with("text", |d| {
            d.description = Some("Warm piano chords, dusty drums".into())
        }),
        with("pianola", |d| d.description = Some("pianola loops".into())),
        with("vintage", |d| {
            d.production_style = Some("vintage, analog".into())
        }),
    ];
    let c = |attr, values: &[&str]| {
        h(
            attr,
            Op::Contains {
                values: values.iter().map(|s| s.to_string()).collect(),
            },
        )
    };
    assert_eq!(
        passing(&docs, vec![c(Attr::Instrumentation, &["sax"])]),
        set(&["sax"])
    );
    assert_eq!(
        passing(&docs, vec![c(Attr::Instrumentation, &["brass", "pad"])]),
        set(&["sax", "horns"])
    );
    assert_eq!(
        passing(&docs, vec![c(Attr::Instrumentation, &["vocal chop"])]),
        set(&["vocalchops"])
    );
    assert_eq!(
        passing(&docs, vec![c(Attr::Description, &["piano"])]),
        set(&["text"])
    );
    assert_eq!(
        passing(&docs, vec![c(Attr::ProductionStyle, &["analogue"])]),
        set(&["vintage"])
    );
    let not = h(
        Attr::Instrumentation,
        Op::NotContains {
            values: vec!["synth".into()],
        },
    );
    assert_eq!(
        passing(&docs, vec![not]),
        set(&["sax", "horns", "vocalchops"])
    );
}

#[test]
fn artist_ops() {
    let docs = vec![
        with("cur", |d| d.artist = Some("Echolab".into())),
        with("same", |d| d.artist = Some("echolab".into())),
        with("other", |d| d.artist = Some("Nova".into())),
    ];
    let a = |op| h(Attr::Artist, op);
    assert_eq!(
        passing(
            &docs,
            vec![a(Op::Keep {
                tolerance: None,
                tolerance_pct: None
            })]
        ),
        set(&["same"])
    );
    assert_eq!(passing(&docs, vec![a(Op::Differs)]), set(&["other"]));
    assert_eq!(
        passing(
            &docs,
            vec![a(Op::In {
                values: vec!["NOVA".into()]
            })]
        ),
        set(&["other"])
    );
    assert_eq!(
        passing(
            &docs,
            vec![a(Op::NotIn {
                values: vec!["Nova".into()]
            })]
        ),
        set(&["same"])
    );
}

#[test]
fn an_artist_is_found_among_the_credits() {
    let docs = vec![
        with("cur", |d| d.artist = Some("Echolab".into())),
        with("feat", |d| d.artist = Some("Nova feat. Echolab".into())),
        with("duo", |d| d.artist = Some("Nova & Echolab".into())),
        with("nova", |d| d.artist = Some("Nova".into())),
    ];
    let a = |op| h(Attr::Artist, op);
    let is = |v: &str| {
        a(Op::In {
            values: vec![v.into()],
        })
    };
    let not = |v: &str| {
        a(Op::NotIn {
            values: vec![v.into()],
        })
    };
    // a featured artist counts; "&" joins one act, not two credits
    assert_eq!(passing(&docs, vec![is("echolab")]), set(&["feat"]));
    assert_eq!(passing(&docs, vec![is("Nova")]), set(&["feat", "nova"]));
    assert_eq!(passing(&docs, vec![not("Nova")]), set(&["duo"]));
    assert_eq!(passing(&docs, vec![is("Nova & Echolab")]), set(&["duo"]));
}

#[test]
fn tempo_rule_and_waivers() {
    let docs = vec![
        with("cur", |d| d.bpm = Some(124.0)),
        with("b128", |d| d.bpm = Some(128.0)),
        with("b62", |d| d.bpm = Some(62.0)),
        with("b140", |d| {
            d.bpm = Some(140.0);
            d.genre = Some("trance".into());
            d.tempo_feel = Some("half-time".into());
        }),
    ];
    assert_eq!(passing(&docs, vec![]), set(&["b128", "b62"]));
    // hard bpm constraint waives the tempo rule
    assert!(passing(
        &docs,
        vec![h(
            Attr::Bpm,
            Op::Range {
                min: Some(135.0),
                max: None
            }
        )]
    )
    .contains("b140"));
    // hard tempo_feel waives it
    assert_eq!(
        passing(
            &docs,
            vec![h(
                Attr::TempoFeel,
                Op::In {
                    values: vec!["halftime".into()]
                }
            )]
        ),
        set(&["b140"])
    );
    // a requested genre switch waives it
    assert_eq!(
        passing(
            &docs,
            vec![h(
                Attr::Genre,
                Op::In {
                    values: vec!["trance".into()]
                }
            )]
        ),
        set(&["b140"])
    );
    // genre differs does NOT waive it
    assert!(passing(&docs, vec![h(Attr::Genre, Op::Differs)]).is_empty());
    // a soft bpm constraint does not waive it
    let soft = Constraint::soft(
        Attr::Bpm,
        Op::Range {
            min: Some(135.0),
            max: None,
        },
    );
    assert_eq!(passing(&docs, vec![soft]), set(&["b128", "b62"]));
    // a hard bpm constraint that a mixable tempo can satisfy keeps the rule: "not slower"
    // from 124 allows 128 but not a jump to 140
    let not_slower = h(
        Attr::Bpm,
        Op::Delta {
            min: Some(0.0),
            max: None,
        },
    );
    assert_eq!(passing(&docs, vec![not_slower]), set(&["b128"]));
    let a_bit_faster = h(
        Attr::Bpm,
        Op::DeltaPct {
            min: Some(1.0),
            max: Some(10.0),
        },
    );
    assert_eq!(passing(&docs, vec![a_bit_faster]), set(&["b128"]));
    // ...and one that none can satisfy lifts it ("much faster": +15..+30 BPM)
    let much_faster = h(
        Attr::Bpm,
        Op::Delta {
            min: Some(15.0),
            max: Some(30.0),
        },
    );
    assert_eq!(passing(&docs, vec![much_faster]), set(&["b140"]));
}

#[test]
fn never_current_history_or_duplicates_even_when_relaxed() {
    let docs: Vec<TrackDoc> = (0..30)
        .map(|i| {
            with(&format!("t{i:02}"), |d| {
                d.bpm = Some(if i % 2 == 0 { 124.0 } else { 150.0 })
            })
        })
        .collect();
    let mut req = Request::new("t00", intent(vec![]));
    req.history = vec!["t02".into(), "t04".into(), "missing".into()];
    req.top = 25;
    let rec = run(&docs, &req);
    let ids: Vec<&str> = rec.ranked.iter().map(|r| r.track_id.as_str()).collect();
    assert_eq!(ids.len(), 25);
    let uniq: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(uniq.len(), ids.len());
    for x in ["t00", "t02", "t04"] {
        assert!(!ids.contains(&x));
    }
    // 12 tempo-compatible tracks pass (15 at 124 BPM minus current and two history tracks)
    assert_eq!(rec.eligible, 12);
    assert!(rec.ranked[..12].iter().all(|r| !r.relaxed));
    assert!(rec.ranked[12..].iter().all(|r| r.relaxed));
    assert!(rec.ranked[12..].iter().all(|r| r
        .reasons
        .iter()
        .any(|x| matches!(x, Reason::Relaxed { .. }))));
    assert!(rec.ranked[12].explanation.contains("RELAXED"));
    assert!(rec.notes.iter().any(|n| n.contains("only 12")));
    // without relaxing the list is short
    req.relax = false;
    assert_eq!(run(&docs, &req).ranked.len(), 12);
}

#[test]
fn unknown_current_is_an_error() {
    let s = Snapshot::build(&[base("a")]);
    assert!(matches!(
        recommend(&s, &Request::new("zzz", Intent::no_op())),
        Err(RankError::UnknownCurrent(_))
    ));
}

#[test]
fn ambiguous_attrs_are_not_hard() {
    let docs = vec![
        base("cur"),
        with("dark", |d| d.vibe = Some("dark".into())),
        base("same"),
    ];
    let mut i = intent(vec![h(
        Attr::Vibe,
        Op::In {
            values: vec!["dark".into()],
        },
    )]);
    i.status = IntentStatus::Ambiguous;
    i.ambiguous_attrs = vec![Attr::Vibe];
    let mut req = Request::new("cur", i);
    req.relax = false;
    let rec = run(&docs, &req);
    assert_eq!(rec.eligible, 2);
    // still a preference
    assert_eq!(rec.ranked[0].track_id, "dark");
}

#[test]
fn error_intent_constrains_nothing_and_unknown_values_do_not_filter_everything() {
    let docs = vec![base("cur"), base("a"), base("b")];
    let mut i = intent(vec![h(
        Attr::Genre,
        Op::In {
            values: vec!["polka".into()],
        },
    )]);
    let mut req = Request::new("cur", i.clone());
    req.relax = false;
    let rec = run(&docs, &req);
    assert_eq!(rec.eligible, 2);
    assert!(rec.notes.iter().any(|n| n.contains("genre")));
    i.status = IntentStatus::Error;
    req.intent = i;
    assert_eq!(run(&docs, &req).eligible, 2);
}

#[test]
fn deterministic_and_order_independent() {
    let docs: Vec<TrackDoc> = (0..50)
        .map(|i| {
            with(&format!("t{i:02}"), |d| {
                d.energy = Some((i % 10 + 1) as u8);
                d.key = Some(["8A", "9A", "8B", "7A"][i % 4].into());
                d.bpm = Some(120.0 + (i % 7) as f64);
                d.artist = Some(format!("a{}", i % 6));
            })
        })
        .collect();
    let mut req = Request::new(
        "t00",
        intent(vec![Constraint::soft(
            Attr::Energy,
            Op::Delta {
                min: Some(1.0),
                max: Some(3.0),
            },
        )]),
    );
    req.history = vec!["t01".into()];
    let a = run(&docs, &req);
    let b = run(&docs, &req);
    let mut rev = docs.clone();
    rev.reverse();
    let c = run(&rev, &req);
    let ids = |r: &Recommendation| {
        r.ranked
            .iter()
            .map(|x| (x.track_id.clone(), x.score))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(ids(&a), ids(&c));
    // scores are non-increasing except for the artist-spread re-ordering, which never puts
    // two tracks of one artist first while another artist is available
    assert_ne!(a.ranked[0].reasons, a.ranked[1].reasons);
}

#[test]
fn reasons_text() {
    let docs = vec![
        with("cur", |d| {
            d.energy = Some(6);
            d.key = Some("8A".into());
            d.bpm = Some(126.0);
            d.vibe = Some("hypnotic".into());
        }),
        with("next", |d| {
            d.energy = Some(8);
            d.key = Some("9A".into());
            d.bpm = Some(128.0);
            d.vibe = Some("dark".into());
        }),
    ];
    let rec = run(
        &docs,
        &Request::new(
            "cur",
            intent(vec![h(
                Attr::Vibe,
                Op::In {
                    values: vec!["dark".into()],
                },
            )]),
        ),
    );
    let r = &rec.ranked[0];
    assert_eq!(r.track_id, "next");
    assert!(
        r.explanation
            .starts_with("energy 6→8, 8A→9A (+1), 126→128 BPM (+1.6%), darker"),
        "{}",
        r.explanation
    );
    assert!(r.reasons.contains(&Reason::Energy { from: 6.0, to: 8.0 }));
    assert!(r
        .reasons
        .iter()
        .any(|x| matches!(x, Reason::Key { steps: 1, .. })));
    assert!(r.reasons.iter().any(|x| matches!(
        x,
        Reason::Constraint {
            satisfied: true,
            ..
        }
    )));
    let half = vec![
        with("cur", |d| d.bpm = Some(174.0)),
        with("h", |d| d.bpm = Some(88.0)),
    ];
    let rec = run(&half, &Request::new("cur", Intent::no_op()));
    assert!(
        rec.ranked[0]
            .explanation
            .contains("174→88 BPM (double time, +1.1%)"),
        "{}",
        rec.ranked[0].explanation
    );
    // a jump the tempo rule was waived for is reported as it is, not as a folded reading
    let jump = vec![
        with("cur", |d| d.bpm = Some(124.0)),
        with("dnb", |d| {
            d.bpm = Some(174.0);
            d.genre = Some("drum and bass".into());
        }),
    ];
    let genre = h(
        Attr::Genre,
        Op::In {
            values: vec!["drum and bass".into()],
        },
    );
    let rec = run(&jump, &Request::new("cur", intent(vec![genre])));
    let e = &rec.ranked[0].explanation;
    assert!(e.contains("124→174 BPM (+40.3%)"), "{e}");
}

#[test]
fn keep_the_rest_and_soft_preferences_order_results() {
    let docs = vec![
        base("cur"),
        with("far", |d| {
            d.energy = Some(2);
            d.vibe = Some("bright".into());
            d.genre = Some("house".into());
        }),
        base("close"),
        with("soft", |d| {
            d.energy = Some(2);
            d.vibe = Some("bright".into());
            d.genre = Some("house".into());
            d.instrumentation = Some(vec!["strings".into()]);
        }),
    ];
    let rec = run(&docs, &Request::new("cur", Intent::no_op()));
    assert_eq!(rec.ranked[0].track_id, "close");
    let pref = intent(vec![Constraint::soft(
        Attr::Instrumentation,
        Op::Contains {
            values: vec!["strings".into()],
        },
    )]);
    let rec = run(&docs, &Request::new("cur", pref));
    let pos = |id: &str| {
        rec.ranked
            .iter()
            .position(|r| r.track_id == id)
            .unwrap_or(99)
    };
    assert!(pos("soft") < pos("far"));
}

#[test]
fn harmonic_and_tempo_closeness_order_results() {
    let docs = vec![
        base("cur"),
        with("diag", |d| d.key = Some("9B".into())),
        with("same", |d| d.key = Some("8A".into())),
        with("far_tempo", |d| d.bpm = Some(130.0)),
    ];
    let rec = run(&docs, &Request::new("cur", Intent::no_op()));
    let ids: Vec<&str> = rec.ranked.iter().map(|r| r.track_id.as_str()).collect();
    assert_eq!(ids[0], "same");
    assert_eq!(ids.len(), 3);
}

#[test]
fn energy_goal_from_intent() {
    let up = vec![Constraint::hard(
        Attr::Energy,
        Op::Delta {
            min: Some(1.0),
            max: Some(3.0),
        },
    )];
    assert_eq!(energy_goal(&up, 5.0), (EnergyGoal::Up, 2.0));
    let down = vec![Constraint::hard(
        Attr::Energy,
        Op::Delta {
            min: Some(-3.0),
            max: Some(-1.0),
        },
    )];
    assert_eq!(energy_goal(&down, 5.0).0, EnergyGoal::Down);
    let peak = vec![Constraint::hard(
        Attr::Intensity,
        Op::In {
            values: vec!["peak-time".into()],
        },
    )];
    assert_eq!(energy_goal(&peak, 5.0).0, EnergyGoal::Peak);
    assert_eq!(energy_goal(&[], 5.0), (EnergyGoal::Maintain, 0.0));
    let high = vec![Constraint::hard(
        Attr::Energy,
        Op::Range {
            min: Some(7.0),
            max: Some(10.0),
        },
    )];
    assert_eq!(energy_goal(&high, 5.0).0, EnergyGoal::Up);
    // trajectory: with goal up, +2 beats +0 among otherwise equal candidates
    let docs = vec![
        base("cur"),
        with("flat", |d| d.energy = Some(6)),
        with("up2", |d| d.energy = Some(8)),
    ];
    let soft_up = intent(vec![
        Constraint::soft(
            Attr::Danceability,
            Op::Range {
                min: Some(1.0),
                max: None,
            },
        ),
        up[0].clone(),
    ]);
    let mut req = Request::new("cur", soft_up);
    req.relax = false;
    assert_eq!(run(&docs, &req).ranked[0].track_id, "up2");
}

#[test]
fn diversity_penalties() {
    let docs = vec![
        with("cur", |d| d.artist = Some("X".into())),
        with("h1", |d| d.artist = Some("Y".into())),
        with("same_artist", |d| d.artist = Some("X".into())),
        with("hist_artist", |d| d.artist = Some("Y".into())),
        with("fresh", |d| d.artist = Some("Z".into())),
        with("dup", |d| {
            d.artist = Some("x".into());
            d.title = Some("title cur (Original Mix)".into());
        }),
    ];
    let mut req = Request::new("cur", Intent::no_op());
    req.history = vec!["h1".into()];
    let rec = run(&docs, &req);
    let ids: Vec<&str> = rec.ranked.iter().map(|r| r.track_id.as_str()).collect();
    assert_eq!(ids, vec!["fresh", "hist_artist", "same_artist", "dup"]);
    assert!(rec.ranked[3]
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Duplicate { .. })));
    assert!(rec.ranked[2].explanation.contains("same artist"));
}

#[test]
fn no_same_artist_runs_in_the_list() {
    let mut docs = vec![base("cur")];
    for i in 0..6 {
        docs.push(with(&format!("a{i}"), |d| d.artist = Some("A".into())));
    }
    docs.push(with("b0", |d| {
        d.artist = Some("B".into());
        d.energy = Some(5);
    }));
    let mut req = Request::new("cur", Intent::no_op());
    req.top = 3;
    let rec = run(&docs, &req);
    let ids: Vec<&str> = rec.ranked.iter().map(|r| r.track_id.as_str()).collect();
    assert_eq!(ids[0], "a0");
    assert_eq!(ids[1], "b0");
}

#[test]
fn embeddings_and_low_end_shape_the_order() {
    let docs = vec![base("cur"), base("p"), base("q")];
    let s = Snapshot::build(&docs);
    // feature-only: tie broken by id
    let r0 = recommend(&s, &Request::new("cur", Intent::no_op())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r0.ranked[0].track_id, "p");
    let mut e = Embeddings::new(&s, 3);
    assert!(e.set(&s, "cur", &[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0]));
    assert!(e.set(&s, "p", &[1.0, 0.0, 0.0], &[1.0, 0.0, 0.0]));
    assert!(e.set(&s, "q", &[0.0, 2.0, 0.0], &[1.0, 0.0, 0.0]));
    assert!(!e.set(&s, "q", &[0.0, 0.0], &[1.0, 0.0, 0.0]));
    assert!(!e.set(&s, "q", &[0.0, 0.0, 0.0], &[1.0, 0.0, 0.0]));
    let mut req = Request::new("cur", Intent::no_op());
    req.mode = RankMode::EmbeddingAssisted(Arc::new(e));
    let r1 = recommend(&s, &req).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r1.ranked[0].track_id, "q");
    assert!(r1.ranked[0]
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Embedding { .. })));

    let heavy = LowEnd {
        sub: 0.4,
        bass: 0.5,
        low_mid: 0.1,
    };
    let light = LowEnd {
        sub: 0.05,
        bass: 0.15,
        low_mid: 0.3,
    };
    let docs = vec![
        with("cur", |d| d.low_end = Some(heavy)),
        with("p", |d| d.low_end = Some(heavy)),
        with("q", |d| d.low_end = Some(light)),
    ];
    let r2 = run(&docs, &Request::new("cur", Intent::no_op()));
    assert_eq!(r2.ranked[0].track_id, "q");
    assert!(r2.ranked[1]
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::LowEndClash { .. })));
}

#[test]
fn missing_current_values_do_not_filter() {
    let docs = vec![
        with("cur", |d| {
            d.bpm = None;
            d.key = None;
            d.energy = None;
        }),
        base("a"),
        with("b", |d| d.bpm = Some(170.0)),
    ];
    let mut req = Request::new(
        "cur",
        intent(vec![h(
            Attr::Energy,
            Op::Delta {
                min: Some(1.0),
                max: None,
            },
        )]),
    );
    req.relax = false;
    let rec = run(&docs, &req);
    assert_eq!(rec.eligible, 2);
    assert!(rec.notes.len() >= 3, "{:?}", rec.notes);
}

#[test]
fn top_zero_and_empty_library_answers() {
    let docs = vec![base("cur")];
    let mut req = Request::new("cur", Intent::no_op());
    assert!(run(&docs, &req).ranked.is_empty());
    req.top = 0;
    assert!(run(&[base("cur"), base("x")], &req).ranked.is_empty());
}

#[test]
fn json_shape_of_reasons() {
    let r = Reason::Key {
        from: "8A".into(),
        to: "9A".into(),
        steps: 1,
        score: 0.9,
        waived: false,
    };
    let v = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(v["kind"], "key");
    assert_eq!(v["steps"], 1);
}

#[test]
fn huge_top_returns_everything_once() {
    let docs: Vec<TrackDoc> = (0..20).map(|i| base(&format!("t{i:02}"))).collect();
    let mut req = Request::new("t00", Intent::no_op());
    req.top = usize::MAX;
    let rec = run(&docs, &req);
    assert_eq!(rec.ranked.len(), 19);
    assert_eq!(rec.eligible, 19);
}

/// "no drums", "more low end": with no instrumentation list (the tagger's words never name
/// them), the drums and a heavy sub are judged by what the analysis measured; a measure in
/// the gap between the bounds, or an untrusted beat, says nothing either way.
#[test]
fn drums_and_sub_bass_are_heard_when_no_list_names_them() {
    let track = |id: &str, perc: f64, conf: f64, sub: f64| {
        with(id, |d| {
            d.instrumentation = None;
            d.percussive_ratio = Some(perc);
            d.bpm_confidence = Some(conf);
            d.low_end = Some(LowEnd {
                sub,
                bass: 0.4,
                low_mid: 0.1,
            });
        })
    };
    let docs = vec![
        base("cur"),
        track("kit", 0.45, 0.9, 0.3),
        track("pads", 0.03, 0.2, 0.01),
        track("sparse", 0.12, 0.8, 0.1),
        // percussive, but no beat the tracker trusts: not "drums", not "no drums" either
        track("noise", 0.5, 0.3, 0.1),
        // a list that names the drums wins over the measure
        with("listed", |d| {
            d.instrumentation = Some(vec!["percussion".into()]);
            d.percussive_ratio = Some(0.03);
        }),
    ];
    let terms = |neg: bool, w: &str| {
        let values = vec![w.to_string()];
        h(
            Attr::Instrumentation,
            if neg {
                Op::NotContains { values }
            } else {
                Op::Contains { values }
            },
        )
    };
    assert_eq!(
        passing(&docs, vec![terms(true, "percussion")]),
        set(&["pads"])
    );
    assert_eq!(
        passing(&docs, vec![terms(false, "percussion")]),
        set(&["kit", "listed"])
    );
    assert_eq!(
        passing(&docs, vec![terms(false, "sub bass")]),
        set(&["kit"])
    );
    // "listed" names no sub bass (and has no measure): a list that leaves it out says none
    assert_eq!(
        passing(&docs, vec![terms(true, "sub bass")]),
        set(&["pads", "listed"])
    );
    // a word the audio cannot judge stays unknown for unlisted tracks
    assert_eq!(passing(&docs, vec![terms(true, "piano")]), set(&["listed"]));
}

use super::*;

fn doc(id: &str, artist: &str, bpm: f64, key: &str, energy: u8) -> TrackDoc {
    TrackDoc {
        track_id: id.into(),
        artist: Some(artist.into()),
        bpm: Some(bpm),
        key: Some(key.into()),
        energy: Some(energy),
        duration_seconds: Some(360.0),
        ..Default::default()
    }
}

/// A small library: a ladder of compatible keys and rising energies at 124–128 BPM, plus
/// tracks that never mix (140 BPM, clashing keys).
fn library() -> Vec<TrackDoc> {
    let mut v = Vec::new();
    let keys = [
        "8A", "9A", "10A", "9A", "8A", "8B", "7A", "8A", "9A", "10A", "11A", "10A",
    ];
    for (i, k) in keys.iter().enumerate() {
        for e in [3u8, 5, 7, 9] {
            v.push(doc(
                &format!("t{i}_{e}"),
                &format!("artist{}", (i * 4 + e as usize) % 23),
                124.0 + (i % 5) as f64,
                k,
                e,
            ));
        }
    }
    for i in 0..10 {
        v.push(doc(&format!("x{i}"), "noise", 140.0, "2B", 9));
    }
    v
}

#[test]
fn arcs_parse_and_interpolate() {
    let a = Arc::parse("warmup-build-peak-release").unwrap_or_default();
    assert!((a.target(0.0) - 3.5).abs() < 1e-9);
    assert!(a.target(0.6) > a.target(0.3));
    assert!(a.target(1.0) < a.target(0.7));
    let n = Arc::parse("4-6-8").unwrap_or_default();
    assert!((n.target(0.5) - 6.0).abs() < 1e-9);
    assert!((n.target(0.75) - 7.0).abs() < 1e-9);
    assert!(Arc::parse("warm-up,peak-time").is_ok());
    assert!(Arc::parse("warmup:2,peak:1").is_ok());
    for bad in ["", "banana", "4-60", "warmup:-1"] {
        assert!(Arc::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn plan_keeps_every_transition_mixable_and_follows_the_arc() {
    let lib = library();
    let p = Planner::new(&lib);
    let opts = PlanOptions {
        length_s: 3600.0,
        ..Default::default()
    };
    let plan = p
        .plan("t0_3", &opts, &|_| true)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.total_s >= 3600.0);
    assert_eq!(plan.metrics.compatible_share, 1.0, "{:#?}", plan.tracks);
    assert!(plan.tracks.iter().all(|t| !t.track_id.starts_with('x')));
    // No track twice, no artist repeat within the window.
    let ids: HashSet<&str> = plan.tracks.iter().map(|t| t.track_id.as_str()).collect();
    assert_eq!(ids.len(), plan.tracks.len());
    for w in plan.tracks.windows(opts.artist_window) {
        let a: HashSet<_> = w.iter().map(|t| t.artist.clone()).collect();
        assert_eq!(a.len(), w.len());
    }
    // Energy rises toward the peak and comes down in the release.
    let n = plan.tracks.len();
    let e = |i: usize| plan.tracks[i].energy.unwrap_or(0.0);
    let peak = (0..n).max_by(|&a, &b| e(a).total_cmp(&e(b))).unwrap_or(0);
    assert!(e(0) < e(peak) && e(n - 1) < e(peak));
    assert!(
        plan.metrics.mean_abs_energy_dev < 1.5,
        "{}",
        plan.metrics.mean_abs_energy_dev
    );
    for t in &plan.tracks[1..] {
        let tr = t
            .transition
            .as_ref()
            .unwrap_or_else(|| panic!("transition"));
        assert!(tr.explanation.contains("BPM"), "{}", tr.explanation);
    }
}

#[test]
fn beam_is_at_least_as_good_as_greedy() {
    let lib = library();
    let p = Planner::new(&lib);
    let beam = p
        .plan("t0_3", &PlanOptions::default(), &|_| true)
        .unwrap_or_else(|e| panic!("{e}"));
    let greedy = p
        .plan(
            "t0_3",
            &PlanOptions {
                beam_width: 1,
                ..Default::default()
            },
            &|_| true,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let per = |pl: &SetPlan| pl.metrics.cost / pl.tracks.len() as f64;
    assert!(
        per(&beam) <= per(&greedy) + 1e-9,
        "beam {} greedy {}",
        per(&beam),
        per(&greedy)
    );
}

#[test]
fn dead_ends_are_reported_not_hidden() {
    let lib = vec![
        doc("a", "A", 124.0, "8A", 4),
        doc("b", "B", 170.0, "2B", 6),
        doc("c", "C", 90.0, "5B", 8),
    ];
    let p = Planner::new(&lib);
    let plan = p
        .plan(
            "a",
            &PlanOptions {
                length_s: 900.0,
                ..Default::default()
            },
            &|_| true,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.metrics.compatible_share < 1.0);
    assert!(plan.tracks.iter().skip(1).any(|t| t
        .transition
        .as_ref()
        .is_some_and(|tr| !tr.compatible && tr.explanation.contains("NOT"))));
}

#[test]
fn include_exclude_and_errors() {
    let lib = library();
    let p = Planner::new(&lib);
    let opts = PlanOptions {
        include: vec!["t5_7".into()],
        exclude: vec!["t1_5".into()],
        ..Default::default()
    };
    let plan = p
        .plan("t0_3", &opts, &|_| true)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.tracks.iter().all(|t| t.track_id != "t1_5"));
    assert!(
        plan.tracks.iter().any(|t| t.track_id == "t5_7")
            || plan.unplaced_includes == vec!["t5_7".to_string()]
    );
    assert_eq!(
        p.plan("nope", &opts, &|_| true).err(),
        Some(PlanError::UnknownStart("nope".into()))
    );
    assert_eq!(p.order(&[], None, 16).err(), Some(PlanError::EmptyPlaylist));
}

#[test]
fn order_improves_a_shuffled_playlist() {
    let lib = library();
    let p = Planner::new(&lib);
    // A playlist in a bad order: alternating clashing keys and energies.
    let ids: Vec<String> = [
        "t0_9", "t2_3", "t10_7", "t1_5", "t4_9", "t6_3", "t8_5", "t3_7",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let ordered = p.order(&ids, None, 128).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ordered.tracks.len(), ids.len());
    let got: HashSet<&str> = ordered.tracks.iter().map(|t| t.track_id.as_str()).collect();
    assert_eq!(got.len(), ids.len());
    let as_given = p.finish(
        &ids.iter()
            .filter_map(|id| p.index_of(id))
            .collect::<Vec<_>>(),
        &PlanOptions {
            length_s: ordered.total_s,
            ..Default::default()
        },
        vec![],
    );
    assert!(ordered.metrics.compatible_share >= as_given.metrics.compatible_share);
    assert!(ordered.metrics.cost <= as_given.metrics.cost + 1e-9);
}

//! Prompts that name the library's artists without "by" ([`Names`]).

use flowstate_intent::{validate, IntentStatus, Names, Parser};
use serde_json::{json, Value};

fn library() -> Names {
    Names::new([
        "Peggy Gou",
        "Charlotte de Witte",
        "Four Tet",
        "Bicep feat. Clara La San",
        "Techno",
        "Dark Energy",
    ])
}

fn constraints(prompt: &str) -> Value {
    let i = Parser::new().parse_with(prompt, &library());
    assert_ne!(i.status, IntentStatus::Error, "{prompt}: {i:?}");
    for c in &i.constraints {
        assert!(validate(c).is_empty(), "{prompt}: {c:?}");
    }
    let v = serde_json::to_value(&i).expect("an intent serialises");
    v["constraints"].clone()
}

fn artist(op: &str, names: &[&str], strength: &str) -> Value {
    json!({"attr": "artist", "op": op, "values": names, "strength": strength})
}

#[test]
fn a_named_artist_is_asked_for_or_left_out() {
    assert_eq!(
        constraints("not Peggy Gou again"),
        json!([artist("not_in", &["Peggy Gou"], "hard")])
    );
    assert_eq!(
        constraints("more charlotte de witte"),
        json!([artist("in", &["Charlotte de Witte"], "hard")])
    );
    assert_eq!(
        constraints("enough peggy gou for now"),
        json!([artist("not_in", &["Peggy Gou"], "hard")])
    );
    assert_eq!(
        constraints("four tet or bicep"),
        json!([artist("in", &["Four Tet", "Bicep"], "hard")])
    );
    // the credit of a featured artist is a name of its own
    assert_eq!(
        constraints("no Clara La San"),
        json!([artist("not_in", &["Clara La San"], "hard")])
    );
}

#[test]
fn sounding_like_an_artist_is_a_preference() {
    assert_eq!(
        constraints("something like four tet"),
        json!([artist("in", &["Four Tet"], "soft")])
    );
    assert_eq!(
        constraints("peggy gou vibes"),
        json!([artist("in", &["Peggy Gou"], "soft")])
    );
    assert_eq!(
        constraints("in the style of Bicep"),
        json!([artist("in", &["Bicep"], "soft")])
    );
}

#[test]
fn names_mix_with_the_rest_of_the_prompt() {
    let c = constraints("no peggy gou, 124-128, darker");
    let c = c.as_array().unwrap();
    assert!(
        c.contains(&artist("not_in", &["Peggy Gou"], "hard")),
        "{c:?}"
    );
    assert!(
        c.iter()
            .any(|x| x["attr"] == "bpm" && x["min"] == 124.0 && x["max"] == 128.0),
        "{c:?}"
    );
    assert!(c.iter().any(|x| x["attr"] == "vibe"), "{c:?}");
    // "by" still works, and a name is not read twice
    assert_eq!(
        constraints("by Four Tet"),
        json!([artist("in", &["Four Tet"], "hard")])
    );
}

#[test]
fn ordinary_words_stay_ordinary() {
    // a one-word name that is a prompt word, and a name of ordinary words typed in lower case
    assert_eq!(
        constraints("more techno"),
        json!([{"attr": "genre", "op": "in", "values": ["techno"], "strength": "hard"}])
    );
    let c = constraints("more dark energy");
    assert!(
        !c.as_array().unwrap().iter().any(|x| x["attr"] == "artist"),
        "{c}"
    );
    assert_eq!(
        constraints("something like Dark Energy"),
        json!([artist("in", &["Dark Energy"], "soft")])
    );
    // without a library nothing is a name
    let i = Parser::new().parse("more charlotte de witte");
    assert!(
        !i.constraints
            .iter()
            .any(|c| c.attr == flowstate_intent::Attr::Artist),
        "{i:?}"
    );
}

//! Table-driven tests from `tests/data/prompts.jsonl` (our own DJ-style prompts).
//! Each line: {"p": prompt, "status"?: ok|no_op|ambiguous|error, "amb"?: [attrs],
//! "c"?: [[attr, op, args..., strength?]]}. Constraints are compared as sets.

use flowstate_intent::{parse, validate, Constraint, IntentStatus};
use serde_json::{json, Value};

const TABLE: &str = include_str!("data/prompts.jsonl");

fn num(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) => json!(f),
        None => Value::Null,
    }
}

/// Compact row -> canonical JSON of a constraint.
fn expand(row: &[Value]) -> Value {
    let attr = row[0].as_str().unwrap_or_default();
    let op = row[1].as_str().unwrap_or_default();
    let mut m = serde_json::Map::new();
    m.insert("attr".into(), json!(attr));
    m.insert("op".into(), json!(op));
    let mut strength = "hard";
    match op {
        "range" | "delta" | "delta_pct" => {
            m.insert("min".into(), num(&row[2]));
            m.insert("max".into(), num(&row[3]));
            if let Some(s) = row.get(4).and_then(Value::as_str) {
                strength = s;
            }
        }
        "keep" => {
            if let Some(t) = row.get(2).and_then(Value::as_f64) {
                m.insert("tolerance".into(), json!(t));
            }
        }
        "in" | "not_in" | "contains" | "not_contains" => {
            m.insert("values".into(), row[2].clone());
            if let Some(s) = row.get(3).and_then(Value::as_str) {
                strength = s;
            }
        }
        "mode" => {
            m.insert("value".into(), row[2].clone());
        }
        "compatible" => {
            m.insert("min_score".into(), num(&row[2]));
        }
        _ => {}
    }
    m.insert("strength".into(), json!(strength));
    Value::Object(m)
}

fn canon(c: &Constraint) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("confidence");
        o.remove("source");
        for k in ["min", "max", "tolerance", "min_score"] {
            if let Some(x) = o.get(k).cloned() {
                o.insert(k.into(), num(&x));
            }
        }
    }
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn table_of_prompts() {
    let mut failures = Vec::new();
    let mut n = 0;
    for line in TABLE.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad table line {line}: {e}"));
        let prompt = row["p"].as_str().unwrap_or_default();
        let want_status = row.get("status").and_then(Value::as_str).unwrap_or("ok");
        let want: Vec<String> = row
            .get("c")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|r| expand(r.as_array().map(Vec::as_slice).unwrap_or(&[])).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let got = parse(prompt);
        let got_status = serde_json::to_value(got.status).unwrap_or(Value::Null);
        let got_c: Vec<String> = got
            .constraints
            .iter()
            .map(|c| canon(c).to_string())
            .collect();
        let mut ok =
            got_status == json!(want_status) && sorted(want.clone()) == sorted(got_c.clone());
        if let Some(amb) = row.get("amb") {
            ok &= serde_json::to_value(&got.ambiguous_attrs).unwrap_or(Value::Null) == *amb;
        }
        if !ok {
            failures.push(format!("{prompt:?}\n   want {want_status} {want:?}\n   got  {got_status} {got_c:?} amb={:?}", got.ambiguous_attrs));
        }
        n += 1;
    }
    assert!(n >= 100, "table too small: {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} prompts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_emitted_constraint_is_valid() {
    for line in TABLE.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let prompt = row["p"].as_str().unwrap_or_default();
        for variant in [
            prompt.to_string(),
            prompt.to_uppercase(),
            format!("maybe {prompt}"),
            format!("not {prompt}"),
        ] {
            let got = parse(&variant);
            for c in &got.constraints {
                let errs = validate(c);
                assert!(errs.is_empty(), "{variant:?}: invalid {c:?}: {errs:?}");
            }
            if got.status == IntentStatus::Ambiguous {
                for a in &got.ambiguous_attrs {
                    assert!(
                        !got.sets_hard(*a),
                        "{variant:?}: hard constraint on ambiguous {a:?}"
                    );
                }
            }
        }
    }
}

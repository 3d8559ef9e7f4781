//! Mimics `flowstate intent --json <prompt>` (for measuring before/without the CLI).
fn main() {
    let prompt: Vec<String> = std::env::args().skip(1).collect();
    let prompt = prompt.join(" ");
    let intent = flowstate_intent::parse(&prompt);
    match serde_json::to_string(&intent) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

//! Input checks: unusable prompts become `status: error` before any parsing.

/// `Err(message)` when the prompt cannot be a musical request.
pub(crate) fn check(prompt: &str, max_chars: usize) -> Result<(), String> {
    let n = prompt.chars().count();
    if n > max_chars {
        return Err(format!(
            "prompt too long: {n} characters (limit {max_chars})"
        ));
    }
    if prompt.trim().is_empty() {
        return Err("empty prompt".into());
    }
    if prompt
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("prompt contains control characters".into());
    }
    if !prompt.chars().any(char::is_alphanumeric) {
        return Err("prompt has no words".into());
    }
    let t = prompt.trim();
    if (t.starts_with('{') || t.starts_with('[')) && (t.ends_with('}') || t.ends_with(']'))
        || t.contains("\":")
    {
        return Err(
            "prompt looks like JSON, not a request; describe what you want in words".into(),
        );
    }
    let lower = t.to_lowercase();
    // HTML / XML tags
    let b = lower.as_bytes();
    for (i, w) in b.windows(2).enumerate() {
        if w[0] == b'<'
            && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!')
            && lower[i..].contains('>')
        {
            return Err("prompt looks like HTML/markup, not a request".into());
        }
    }
    const SQL: [&str; 13] = [
        ";--",
        "drop database",
        "drop schema",
        "truncate table",
        "; --",
        "');",
        "\");",
        "drop table",
        "union select",
        "' or '",
        "or 1=1",
        "select * ",
        "delete from",
    ];
    if SQL.iter().any(|p| lower.contains(p)) {
        return Err("prompt looks like SQL, not a request".into());
    }
    Ok(())
}

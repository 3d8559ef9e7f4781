//! Small XML helpers shared by the Rekordbox and Traktor codecs.

use crate::InteropError;
use quick_xml::events::BytesStart;
use std::collections::HashMap;

/// Escape text for an attribute value. Characters XML 1.0 cannot carry are dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Attributes of an element as an owned map (later duplicates are ignored).
pub fn attrs(e: &BytesStart<'_>, position: u64) -> Result<HashMap<String, String>, InteropError> {
    let mut map = HashMap::new();
    for a in e.attributes() {
        let a = a.map_err(|source| InteropError::Attr { position, source })?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let val = a
            .unescape_value()
            .map_err(|source| InteropError::Xml { position, source })?
            .into_owned();
        map.entry(key).or_insert(val);
    }
    Ok(map)
}

/// A number with a dot decimal separator and at most `decimals` places, trailing zeros kept.
pub fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        format!("{:.decimals$}", 0.0)
    }
}

/// Parse a number written by any locale's DJ software ("128.00", "128,00").
pub fn parse_num(s: &str) -> Option<f64> {
    let t = s.trim();
    let v: f64 = t
        .parse()
        .ok()
        .or_else(|| t.replace(',', ".").parse().ok())?;
    v.is_finite().then_some(v)
}

pub const MAX_TRACKS: usize = 1_000_000;
pub const MAX_PLAYLISTS: usize = 100_000;

/// A minimal element tree: enough for DJ collection files, bounded in depth and size.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: HashMap<String, String>,
    pub children: Vec<Element>,
}

impl Element {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.get(k).map(String::as_str)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

const MAX_DEPTH: usize = 64;
const MAX_ELEMENTS: usize = 20_000_000;

/// Parse `text` into its root element.
pub fn parse_tree(text: &str) -> Result<Element, InteropError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element {
        name: "#document".into(),
        ..Default::default()
    }];
    let mut count = 0usize;
    loop {
        let position = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|source| InteropError::Xml { position, source })?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(InteropError::TooLarge {
                        what: "elements",
                        limit: MAX_ELEMENTS,
                    });
                }
                let el = Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs: attrs(e, position)?,
                    children: Vec::new(),
                };
                if matches!(ev, Event::Start(_)) {
                    if stack.len() > MAX_DEPTH {
                        return Err(InteropError::WrongFormat {
                            expected: "DJ collection",
                            detail: "nesting too deep".into(),
                        });
                    }
                    stack.push(el);
                } else if let Some(top) = stack.last_mut() {
                    top.children.push(el);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(InteropError::WrongFormat {
                        expected: "XML",
                        detail: "unbalanced end tag".into(),
                    });
                }
                if let Some(done) = stack.pop() {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(done);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(InteropError::WrongFormat {
            expected: "XML",
            detail: format!("{} unclosed element(s)", stack.len() - 1),
        });
    }
    let mut doc = stack.pop().unwrap_or_default();
    doc.children.pop().ok_or_else(|| InteropError::WrongFormat {
        expected: "XML",
        detail: "no root element".into(),
    })
}

/// Children of the folder at `path`, in the order they first appear in `playlists`:
/// `Ok(folder name)` for a sub-folder, `Err(index)` for a playlist directly in it.
pub fn folder_children<'a>(
    playlists: &'a [crate::Playlist],
    path: &[String],
) -> Vec<Result<&'a String, usize>> {
    let mut out: Vec<Result<&String, usize>> = Vec::new();
    for (i, p) in playlists.iter().enumerate() {
        if p.folders.len() < path.len() || p.folders[..path.len()] != *path {
            continue;
        }
        if p.folders.len() == path.len() {
            out.push(Err(i));
        } else {
            let f = &p.folders[path.len()];
            if !out.iter().any(|c| matches!(c, Ok(x) if *x == f)) {
                out.push(Ok(f));
            }
        }
    }
    out
}

//! All YAML handling lives here, so that serde_yaml (archived upstream) can be swapped for a
//! maintained fork in one place.
//!
//! serde_yaml deserialises; saphyr-parser, an event parser that reports positions, gives the
//! byte span of every node (by JSON pointer) for diagnostics. Depth and size are bounded before
//! either of them builds anything, and aliases are never expanded by the span pass; serde_yaml
//! refuses alias bombs by itself.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;

pub use crate::span::NodeSpan;
use crate::span::{self, ByteSpan};

/// Deepest nesting accepted in a YAML document (serde_yaml's own recursion limit is 128).
pub const MAX_DEPTH: usize = 100;

/// Nodes that aliases may add by expansion, in all (a 740 KB file of anchors referenced many
/// times would otherwise expand to gigabytes). Nodes written out are bounded by the file size.
pub const MAX_ALIAS_EXPANSION: u64 = 1_000_000;

/// A YAML syntax or structure problem at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub offset: usize,
}

/// Byte spans of every node of the first document in `text`, keyed by JSON pointer.
pub fn node_spans(text: &str) -> Result<HashMap<String, NodeSpan>, YamlError> {
    let ascii = text.is_ascii();
    let to_byte = |char_index: usize| {
        if ascii { char_index.min(text.len()) } else { span::char_to_byte(text, char_index) }
    };

    enum Frame {
        Map {
            pointer: String,
            start: usize,
            key: Option<(String, ByteSpan)>,
            /// Keys seen so far, with where they were: a key twice is an error, never "the last
            /// one wins".
            seen: HashMap<String, usize>,
            anchor: usize,
            nodes: u64,
        },
        Seq {
            pointer: String,
            start: usize,
            next: usize,
            anchor: usize,
            nodes: u64,
        },
    }

    let mut spans = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = 0usize;

    // The pointer and key span of the node that starts now, advancing the parent's state.
    // Returns None when the event is a mapping key rather than a value; an error for a key that
    // the mapping already has.
    fn place(
        stack: &mut [Frame],
        scalar: Option<(&str, ByteSpan)>,
        text: &str,
    ) -> Result<Option<(String, Option<ByteSpan>)>, YamlError> {
        match stack.last_mut() {
            None => Ok(Some((String::new(), None))),
            Some(Frame::Seq { pointer, next, .. }) => {
                let mut p = pointer.clone();
                span::push_token(&mut p, &next.to_string());
                *next += 1;
                Ok(Some((p, None)))
            }
            Some(Frame::Map { pointer, key, seen, .. }) => match key.take() {
                Some((name, key_span)) => {
                    let mut p = pointer.clone();
                    span::push_token(&mut p, &name);
                    Ok(Some((p, Some(key_span))))
                }
                None => {
                    // A key. Complex (non-scalar) keys get a placeholder name.
                    let (name, key_span) = scalar
                        .map_or_else(|| ("?".to_string(), ByteSpan::new(0, 0)), |(s, span)| (s.to_string(), span));
                    if name != "?"
                        && let Some(first) = seen.get(&name)
                    {
                        let (line, column) = span::line_col(text, *first);
                        return Err(YamlError {
                            message: format!(
                                "duplicate key `{name}` (first at line {line}, column {column}): a key may appear once in a mapping"
                            ),
                            offset: key_span.start,
                        });
                    }
                    seen.insert(name.clone(), key_span.start);
                    *key = Some((name, key_span));
                    Ok(None)
                }
            },
        }
    }

    // Nodes a completed node adds to its parent (aliases count what they expand to).
    fn add_nodes(stack: &mut [Frame], n: u64) {
        if let Some(Frame::Map { nodes, .. } | Frame::Seq { nodes, .. }) = stack.last_mut() {
            *nodes = nodes.saturating_add(n);
        }
    }
    let mut anchor_sizes: HashMap<usize, u64> = HashMap::new();
    let mut expanded = 0u64;

    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, marks) = event.map_err(|e| YamlError {
            message: e.info().to_string(),
            offset: span::offset_of_char_column(text, e.marker().line(), e.marker().col() + 1),
        })?;
        let here = ByteSpan::new(to_byte(marks.start.index()), to_byte(marks.end.index()));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError {
                        message: "a file holds one YAML document; found a second `---`".into(),
                        offset: here.start,
                    });
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                if let Some((pointer, key)) = place(&mut stack, Some((&value, here)), text)? {
                    spans.insert(pointer, NodeSpan { key, value: here });
                }
                add_nodes(&mut stack, 1);
                if anchor > 0 {
                    anchor_sizes.insert(anchor, 1);
                }
            }
            Event::Alias(anchor) => {
                if let Some((pointer, key)) = place(&mut stack, None, text)? {
                    spans.insert(pointer, NodeSpan { key, value: here });
                }
                let size = anchor_sizes.get(&anchor).copied().unwrap_or(1);
                expanded = expanded.saturating_add(size);
                if expanded > MAX_ALIAS_EXPANSION {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_EXPANSION} nodes: write the values out, or use fewer references to large anchors"
                        ),
                        offset: here.start,
                    });
                }
                add_nodes(&mut stack, size);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: here.start,
                    });
                }
                let placed = place(&mut stack, None, text)?;
                let (pointer, key) = placed.unwrap_or_else(|| ("?".to_string(), None));
                if let Some(key) = key {
                    spans.insert(pointer.clone(), NodeSpan { key: Some(key), value: here });
                }
                stack.push(match event {
                    Event::MappingStart(anchor, _) => {
                        Frame::Map { pointer, start: here.start, key: None, seen: HashMap::new(), anchor, nodes: 1 }
                    }
                    Event::SequenceStart(anchor, _) => {
                        Frame::Seq { pointer, start: here.start, next: 0, anchor, nodes: 1 }
                    }
                    _ => Frame::Seq { pointer, start: here.start, next: 0, anchor: 0, nodes: 1 },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(
                    Frame::Map { pointer, start, anchor, nodes, .. } | Frame::Seq { pointer, start, anchor, nodes, .. },
                ) = stack.pop()
                {
                    let entry =
                        spans.entry(pointer).or_insert(NodeSpan { key: None, value: ByteSpan::new(start, here.end) });
                    entry.value = ByteSpan::new(start, here.end.max(start));
                    if anchor > 0 {
                        anchor_sizes.insert(anchor, nodes);
                    }
                    add_nodes(&mut stack, nodes);
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(spans)
}

/// Deserialises `text` into `T` after the span pass has bounded its depth.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| YamlError {
        offset: e.location().map_or(0, |l| span::offset_of_char_column(text, l.line(), l.column())),
        message: e.to_string(),
    })
}

/// Reads `text` as a JSON value, turning each tagged node (`!Ref name`) into what `tagged`
/// makes of its tag (without the `!`) and value: CloudFormation's short forms become its long
/// forms this way. Non-string keys become strings. Call after [`check_structure`].
pub fn to_json_with_tags(
    text: &str,
    tagged: &dyn Fn(&str, serde_json::Value) -> serde_json::Value,
) -> Result<serde_json::Value, YamlError> {
    let value: serde_yaml::Value = from_str(text)?;
    Ok(yaml_to_json(value, tagged, 0))
}

fn yaml_to_json(
    value: serde_yaml::Value,
    tagged: &dyn Fn(&str, serde_json::Value) -> serde_json::Value,
    depth: usize,
) -> serde_json::Value {
    use serde_json::Value as J;
    use serde_yaml::Value as Y;
    if depth > MAX_DEPTH {
        return J::Null;
    }
    match value {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(J::Null, J::Number)
            }
        }
        Y::String(s) => J::String(s),
        Y::Sequence(items) => J::Array(items.into_iter().map(|v| yaml_to_json(v, tagged, depth + 1)).collect()),
        Y::Mapping(map) => J::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Bool(b) => b.to_string(),
                        Y::Number(n) => n.to_string(),
                        other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
                    };
                    (key, yaml_to_json(v, tagged, depth + 1))
                })
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            tagged(name, yaml_to_json(t.value, tagged, depth + 1))
        }
    }
}

/// Checks syntax, depth and the one-document rule without keeping spans.
pub fn check_structure(text: &str) -> Result<(), YamlError> {
    node_spans(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_block_and_flow_nodes() {
        let text = "version: 1\nrules:\n  - id: A\n    params: {min_days: 3}\n";
        let spans = node_spans(text).unwrap();
        let at = |p: &str| {
            let s = spans.get(p).unwrap();
            &text[s.value.start..s.value.end]
        };
        assert_eq!(at("/version"), "1");
        assert_eq!(at("/rules/0/id"), "A");
        assert_eq!(at("/rules/0/params/min_days"), "3");
        let key = spans.get("/rules/0/params").unwrap().key.unwrap();
        assert_eq!(&text[key.start..key.end], "params");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "[".repeat(100_000);
        let error = node_spans(&deep).unwrap_err();
        assert!(error.message.contains("nesting") || error.message.contains("recursion"), "{}", error.message);
    }

    #[test]
    fn a_key_twice_is_an_error_at_the_second() {
        let text = "version: 1\nrules:\n  - id: A\n    kind: backup-retention\nrules: []\n";
        let error = node_spans(text).unwrap_err();
        assert!(error.message.contains("duplicate key `rules` (first at line 2, column 1)"), "{}", error.message);
        assert_eq!(&text[error.offset..error.offset + 5], "rules");
        assert!(text[..error.offset].contains("kind"));
        let nested = "a:\n  tags: {env: prod, env: dev}\n";
        assert!(node_spans(nested).unwrap_err().message.contains("duplicate key `env`"));
        // The same key in two mappings is fine.
        assert!(node_spans("a: {x: 1}\nb: {x: 1}\n").is_ok());
    }

    #[test]
    fn alias_expansion_is_bounded() {
        // 10,000 references to a 1,000-item anchored list: 10 million nodes once expanded.
        let mut text = format!("base: &base [{}]\nrules:\n", vec!["x"; 1000].join(", "));
        for _ in 0..10_000 {
            text.push_str("  - *base\n");
        }
        let error = node_spans(&text).unwrap_err();
        assert!(error.message.contains("aliases expand to more than"), "{}", error.message);
        // Nested anchors multiply: a0 (9) -> a1 (81) -> ... is caught too.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", ")));
        }
        assert!(node_spans(&bomb).unwrap_err().message.contains("aliases expand"));
        // A few references to small anchors are fine.
        assert!(node_spans("d: &d {a: 1}\nx: *d\ny: *d\n").is_ok());
    }

    #[test]
    fn unicode_offsets_are_bytes() {
        let text = "a: é\nb: x\n";
        let spans = node_spans(text).unwrap();
        let b = spans.get("/b").unwrap().value;
        assert_eq!(&text[b.start..b.end], "x");
    }
}

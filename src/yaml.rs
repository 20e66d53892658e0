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
        Map { pointer: String, start: usize, key: Option<(String, ByteSpan)> },
        Seq { pointer: String, start: usize, next: usize },
    }

    let mut spans = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = 0usize;

    // The pointer and key span of the node that starts now, advancing the parent's state.
    // Returns None when the event is a mapping key rather than a value.
    fn place(stack: &mut [Frame], scalar: Option<(&str, ByteSpan)>) -> Option<(String, Option<ByteSpan>)> {
        match stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Seq { pointer, next, .. }) => {
                let mut p = pointer.clone();
                span::push_token(&mut p, &next.to_string());
                *next += 1;
                Some((p, None))
            }
            Some(Frame::Map { pointer, key, .. }) => match key.take() {
                Some((name, key_span)) => {
                    let mut p = pointer.clone();
                    span::push_token(&mut p, &name);
                    Some((p, Some(key_span)))
                }
                None => {
                    // A key. Complex (non-scalar) keys get a placeholder name.
                    let (name, key_span) = scalar
                        .map_or_else(|| ("?".to_string(), ByteSpan::new(0, 0)), |(s, span)| (s.to_string(), span));
                    *key = Some((name, key_span));
                    None
                }
            },
        }
    }

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
            Event::Scalar(value, ..) => {
                if let Some((pointer, key)) = place(&mut stack, Some((&value, here))) {
                    spans.insert(pointer, NodeSpan { key, value: here });
                }
            }
            Event::Alias(_) => {
                if let Some((pointer, key)) = place(&mut stack, None) {
                    spans.insert(pointer, NodeSpan { key, value: here });
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: here.start,
                    });
                }
                let placed = place(&mut stack, None);
                let (pointer, key) = placed.unwrap_or_else(|| ("?".to_string(), None));
                if let Some(key) = key {
                    spans.insert(pointer.clone(), NodeSpan { key: Some(key), value: here });
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map { pointer, start: here.start, key: None }
                } else {
                    Frame::Seq { pointer, start: here.start, next: 0 }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Frame::Map { pointer, start, .. } | Frame::Seq { pointer, start, .. }) = stack.pop() {
                    let entry =
                        spans.entry(pointer).or_insert(NodeSpan { key: None, value: ByteSpan::new(start, here.end) });
                    entry.value = ByteSpan::new(start, here.end.max(start));
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
    fn unicode_offsets_are_bytes() {
        let text = "a: é\nb: x\n";
        let spans = node_spans(text).unwrap();
        let b = spans.get("/b").unwrap().value;
        assert_eq!(&text[b.start..b.end], "x");
    }
}

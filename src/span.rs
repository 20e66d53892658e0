//! Positions in source text: JSON pointers to byte spans, byte offsets to line:column.
//!
//! Everything here is total: a pointer that does not resolve, an offset past the end or text
//! that is not valid JSON gives `None` or a clamped answer, never a panic.

use std::collections::{HashMap, HashSet};

/// The scanner asks "is this path wanted" for every value it passes: a fast, non-keyed hash
/// (the keys are the user's own pointers, nothing an attacker chooses to collide).
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

/// A byte range in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

impl ByteSpan {
    pub fn new(start: usize, end: usize) -> Self {
        ByteSpan { start, end: end.max(start) }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<ByteSpan> for miette::SourceSpan {
    fn from(span: ByteSpan) -> Self {
        (span.start, span.len()).into()
    }
}

/// Where a node sits: the span of its key (for object members) and of the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    pub key: Option<ByteSpan>,
    pub value: ByteSpan,
}

impl NodeSpan {
    /// The key when asked for and known, else the value; either cut to its first line.
    pub fn label(&self, text: &str, at_key: bool) -> ByteSpan {
        let span = if at_key { self.key.unwrap_or(self.value) } else { self.value };
        let end = text.get(span.start..span.end).and_then(|s| s.find('\n')).map_or(span.end, |i| span.start + i);
        ByteSpan::new(span.start, end)
    }
}

/// 1-based line and 1-based column (in Unicode characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_char_boundary(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Line and column of many offsets in one pass over `text` (for reports that locate thousands of
/// resources in one file: calling `line_col` for each would be quadratic). Newlines are found
/// with SIMD (`memchr`); characters are counted only from the start of each offset's line, or from
/// the previous offset on the same line, so a minified one-line file is still read once. A large
/// text is read in two halves, one on another core (places on a 552 MB inventory: 63 → 46 ms).
pub fn line_cols(text: &str, offsets: &[usize]) -> HashMap<usize, (usize, usize)> {
    line_cols_in_halves_above(text, offsets, 16 * 1024 * 1024)
}

fn line_cols_in_halves_above(text: &str, offsets: &[usize], above: usize) -> HashMap<usize, (usize, usize)> {
    let mut wanted: Vec<usize> = offsets.iter().map(|o| clamp_to_char_boundary(text, *o)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let half = wanted.len() / 2;
    let (Some(&middle), true) = (wanted.get(half), text.len() >= above) else {
        return lines_and_columns(text.as_bytes(), 0, &wanted);
    };
    // The second half counts from `middle` as if a line began there; the first half, read on to
    // `middle`, says which line and column that really is.
    let (first, second) = wanted.split_at(half);
    let first: Vec<usize> = first.iter().copied().chain([middle]).collect();
    let (mut out, second) = std::thread::scope(|scope| {
        let other =
            std::thread::Builder::new().spawn_scoped(scope, || lines_and_columns(text.as_bytes(), middle, second)).ok();
        let out = lines_and_columns(text.as_bytes(), 0, &first);
        let second =
            other.and_then(|t| t.join().ok()).unwrap_or_else(|| lines_and_columns(text.as_bytes(), middle, second));
        (out, second)
    });
    let at_middle = out.get(&middle).copied().unwrap_or((1, 1));
    out.extend(second.into_iter().map(|(offset, place)| (offset, continued(at_middle, place))));
    out
}

/// The real place of `place`, counted as if a line began at a point that really is at `start`.
fn continued(start: (usize, usize), place: (usize, usize)) -> (usize, usize) {
    let ((line, column), (l, c)) = (start, place);
    if l == 1 { (line, column + c - 1) } else { (line + l - 1, c) }
}

/// [`line_cols`] of sorted `wanted` offsets at or after `from`, counting lines (1-based) and
/// columns from `from` as if a line began there.
fn lines_and_columns(bytes: &[u8], from: usize, wanted: &[usize]) -> HashMap<usize, (usize, usize)> {
    let mut out = HashMap::with_capacity(wanted.len());
    let (mut line, mut line_start) = (1usize, from);
    // The previous offset and its column, while on the same line.
    let mut previous: Option<(usize, usize)> = None;
    let mut scanned = from;
    for &offset in wanted {
        let gap = bytes.get(scanned..offset).unwrap_or(&[]);
        for newline in memchr::memchr_iter(b'\n', gap) {
            line += 1;
            line_start = scanned + newline + 1;
            previous = None;
        }
        scanned = scanned.max(offset);
        let (start, base) = match previous {
            Some((at, column)) if at >= line_start => (at, column),
            _ => (line_start, 1),
        };
        let column = base + count_chars(bytes.get(start..offset).unwrap_or(&[]));
        previous = Some((offset, column));
        out.insert(offset, (line, column));
    }
    out
}

/// Characters in UTF-8 bytes: every byte that is not a continuation byte (`10xxxxxx`), counted
/// with AVX2 where the CPU has it (a minified inventory is one line: every column is counted from
/// its start; with the newline scan, the places of a 552 MB inventory took 66-93 ms counted eight
/// bytes at a time, 63 ms this way).
fn count_chars(bytes: &[u8]) -> usize {
    bytecount::num_chars(bytes)
}

/// Where the lines of a text read once in order are, block by block: enough to find the line
/// and column of any offset later by reading only its block again (a text streamed from its
/// file is not kept).
#[derive(Debug, Clone)]
pub struct LineIndex {
    block: usize,
    /// For each block: the newlines before its first byte, and the characters between the last
    /// of them and that byte.
    starts: Vec<(usize, usize)>,
    fed: usize,
    lines: usize,
    column: usize,
}

impl LineIndex {
    pub fn new(block: usize) -> Self {
        LineIndex { block: block.max(1), starts: Vec::new(), fed: 0, lines: 0, column: 0 }
    }

    /// The text's next bytes.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let into = self.fed % self.block;
            if into == 0 {
                self.starts.push((self.lines, self.column));
            }
            let (piece, rest) = bytes.split_at((self.block - into).min(bytes.len()));
            match memchr::memrchr(b'\n', piece) {
                Some(last) => {
                    self.lines += memchr::memchr_iter(b'\n', piece).count();
                    self.column = count_chars(piece.get(last + 1..).unwrap_or_default());
                }
                None => self.column += count_chars(piece),
            }
            self.fed += piece.len();
            bytes = rest;
        }
    }

    /// 1-based (line, column) of each offset, as [`line_col`] gives them, `read` filling a buffer
    /// with the text from an offset (returning how many bytes it read): one read per block that
    /// holds an offset.
    pub fn line_cols(
        &self,
        offsets: &[usize],
        read: impl Fn(usize, &mut [u8]) -> usize,
    ) -> HashMap<usize, (usize, usize)> {
        let mut wanted: Vec<usize> = offsets.iter().copied().filter(|o| *o <= self.fed).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = HashMap::with_capacity(wanted.len());
        let mut buf = vec![0u8; self.block + 3];
        let mut rest = wanted.as_slice();
        while let Some(&first) = rest.first() {
            let block = first / self.block;
            let base = block * self.block;
            let here = rest.iter().take_while(|o| **o / self.block == block).count();
            let (these, later) = rest.split_at(here);
            rest = later;
            // An offset at the very end of a text whose last block is full starts a block of none.
            let end = (block == self.starts.len()).then_some((self.lines, self.column));
            let Some((lines_before, chars_before)) = self.starts.get(block).copied().or(end) else { continue };
            // From up to 3 bytes before the block, for an offset in a character that began in
            // the block before; and a character cut at the last offset is read whole.
            let from = base.saturating_sub(3);
            let pre = base - from;
            let last = these.last().map_or(0, |o| o - from);
            let want = (last + 4).min(pre + self.block);
            let got = buf.get_mut(..want).map_or(0, |to| read(from, to));
            let data = buf.get(..got).unwrap_or_default();
            let at_start = (lines_before + 1, chars_before + 1);
            // Each offset at its character's first byte, as `line_col` places it.
            let starts: Vec<(usize, usize)> =
                these.iter().map(|&o| (o, char_start(data, (o - from).min(data.len())))).collect();
            let inside: Vec<usize> = starts.iter().map(|(_, to)| *to).filter(|to| *to >= pre).collect();
            let counted = lines_and_columns(data, pre, &inside);
            for (offset, to) in starts {
                let place = match counted.get(&to) {
                    Some(place) => continued(at_start, *place),
                    // In a character begun before the block: its first byte, one column back.
                    None => (at_start.0, at_start.1.saturating_sub(count_chars(data.get(to..pre).unwrap_or_default()))),
                };
                out.insert(offset, place);
            }
        }
        out
    }
}

/// [`places_of_values`] of spans already cut to their first line ([`first_line`]), in a text
/// that is not in memory: its [`LineIndex`], and `read` to read blocks of it again.
pub fn places_indexed(
    index: &LineIndex,
    spans: Vec<(String, ByteSpan)>,
    read: impl Fn(usize, &mut [u8]) -> usize,
) -> Vec<(String, Place)> {
    let offsets: Vec<usize> = spans.iter().flat_map(|(_, s)| [s.start, s.end]).collect();
    let line_cols = index.line_cols(&offsets, read);
    let at = |offset: usize| line_cols.get(&offset).copied().unwrap_or((1, 1));
    spans.into_iter().map(|(pointer, span)| (pointer, (at(span.start), at(span.end)))).collect()
}

/// The byte offset of a 1-based line and 1-based column counted in bytes (serde_json's
/// convention), clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = line_start(text, line);
    clamp_to_char_boundary(text, line_start + column.saturating_sub(1))
}

/// The byte offset of a 1-based line and 1-based column counted in characters (libyaml's and
/// saphyr's convention), clamped to the text.
pub fn offset_of_char_column(text: &str, line: usize, column: usize) -> usize {
    let start = line_start(text, line);
    let rest = text.get(start..).unwrap_or("");
    start + rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(byte, _)| byte)
}

fn line_start(text: &str, line: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    start
}

/// The byte offset of a character index (saphyr's markers count characters).
pub fn char_to_byte(text: &str, char_index: usize) -> usize {
    text.char_indices().nth(char_index).map_or(text.len(), |(byte, _)| byte)
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A span cut to its first line (a multi-line object is located by its first line) and to a
/// bounded length (a minified file is one long line).
pub fn first_line(text: &str, span: ByteSpan) -> ByteSpan {
    let bytes = text.as_bytes().get(span.start..span.end).unwrap_or_default();
    ByteSpan::new(span.start, span.start + first_line_of(bytes))
}

/// How many of a value's bytes [`first_line`] keeps: up to its first newline and at most 200,
/// ending where a character does (a column is counted in characters).
pub fn first_line_of(bytes: &[u8]) -> usize {
    char_start(bytes, memchr::memchr(b'\n', bytes).unwrap_or(bytes.len()).min(200))
}

/// `at`, or the first byte of the character it is inside (UTF-8 bytes, as `clamp_to_char_boundary`
/// for text that may be cut anywhere).
fn char_start(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && bytes.get(at).is_some_and(|b| b & 0xC0 == 0x80) {
        at -= 1;
    }
    at
}

/// Where a value is, as reports show it: 1-based (line, column) of its start and of the end of
/// its first line, columns in characters.
pub type Place = ((usize, usize), (usize, usize));

/// The places of resolved values: one pass over `text` for all their lines and columns.
pub fn places(text: &str, spans: HashMap<String, NodeSpan>) -> Vec<(String, Place)> {
    places_of_values(text, spans.into_iter().map(|(pointer, node)| (pointer, node.value)))
}

/// [`places`] of values' spans.
pub fn places_of_values(text: &str, spans: impl IntoIterator<Item = (String, ByteSpan)>) -> Vec<(String, Place)> {
    let cut: Vec<(String, ByteSpan)> =
        spans.into_iter().map(|(pointer, value)| (pointer, first_line(text, value))).collect();
    let offsets: Vec<usize> = cut.iter().flat_map(|(_, s)| [s.start, s.end]).collect();
    let line_cols = line_cols(text, &offsets);
    let at = |offset: usize| line_cols.get(&offset).copied().unwrap_or((1, 1));
    cut.into_iter().map(|(pointer, span)| (pointer, (at(span.start), at(span.end)))).collect()
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A JSON pointer built from tokens.
pub fn pointer<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for token in tokens {
        push_token(&mut out, token);
    }
    out
}

/// Resolves many JSON pointers in one pass over `text`.
///
/// Containers whose pointer is not a prefix of any wanted pointer are skipped without being
/// descended, so resolving a few thousand pointers in a file of hundreds of MB costs one scan.
pub fn resolve_json_pointers(text: &str, wanted: &[&str]) -> HashMap<String, NodeSpan> {
    let mut prefixes: FastSet<&str> = FastSet::default();
    let wanted_set: FastSet<&str> = wanted.iter().copied().collect();
    for pointer in wanted {
        let mut end = 0;
        prefixes.insert("");
        while let Some(i) = pointer.get(end + 1..).and_then(|rest| rest.find('/')) {
            end += i + 1;
            if let Some(prefix) = pointer.get(..end) {
                prefixes.insert(prefix);
            }
        }
        prefixes.insert(pointer);
    }
    scan(text, &Want::Exact { prefixes, wanted: wanted_set })
}

/// Resolves every JSON pointer that matches one of `patterns`, where a `*` token matches any
/// one token (`/accounts/*/regions/*/FileSystems/*`), in one pass over `text`: for finding
/// where every resource of a list is before anyone asks.
pub fn resolve_json_patterns(text: &str, patterns: &[&str]) -> HashMap<String, NodeSpan> {
    let patterns = patterns.iter().map(|p| p.split('/').skip(1).collect()).collect();
    scan(text, &Want::Patterns(patterns))
}

fn scan(text: &str, want: &Want<'_>) -> HashMap<String, NodeSpan> {
    let mut scanner = JsonScanner { bytes: text.as_bytes(), pos: 0 };
    let mut found = HashMap::new();
    let mut path = String::new();
    scanner.skip_ws();
    scanner.value(&mut path, None, want, &mut found, 0);
    found
}

/// Which pointers a scan records, and which containers it descends into.
enum Want<'w> {
    /// These pointers, with every prefix of them.
    Exact { prefixes: FastSet<&'w str>, wanted: FastSet<&'w str> },
    /// Pointers matching one of these token lists (`*`: any token).
    Patterns(Vec<Vec<&'w str>>),
}

impl Want<'_> {
    /// Whether `path`'s tokens match the first tokens of `pattern` (all of them with `whole`).
    fn matches(pattern: &[&str], path: &str, whole: bool) -> bool {
        let mut tokens = path.split('/').skip(1);
        for want in pattern {
            match tokens.next() {
                Some(token) if *want == "*" || *want == token => {}
                Some(_) => return false,
                None => return !whole,
            }
        }
        tokens.next().is_none()
    }

    fn descend(&self, path: &str) -> bool {
        match self {
            Want::Exact { prefixes, .. } => prefixes.contains(path),
            Want::Patterns(patterns) => patterns.iter().any(|p| Want::matches(p, path, false)),
        }
    }

    fn wanted(&self, path: &str) -> bool {
        match self {
            Want::Exact { wanted, .. } => wanted.contains(path),
            Want::Patterns(patterns) => patterns.iter().any(|p| Want::matches(p, path, true)),
        }
    }
}

/// The first `"` or `\\` in a short slice, eight bytes at a time (SWAR: a byte equal to the
/// one searched for becomes zero, and a zero byte sets its lane's top bit).
fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LANES) & !v & TOPS;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        let hit = zero(w ^ (LANES * u64::from(b'"'))) | zero(w ^ (LANES * u64::from(b'\\')));
        if hit != 0 {
            // The lowest set lane is the first match (lanes above it may be false positives).
            return Some(at + usize::try_from(hit.trailing_zeros() / 8).unwrap_or(0));
        }
        at += 8;
    }
    words.remainder().iter().position(|b| *b == b'"' || *b == b'\\').map(|i| at + i)
}

struct JsonScanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Deeper than this, the scanner stops descending (the loader rejects such input anyway).
const MAX_DEPTH: usize = 512;

impl<'a> JsonScanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Scans one value starting at `pos`; records its span when `path` is wanted.
    fn value(
        &mut self,
        path: &mut String,
        key: Option<ByteSpan>,
        want: &Want<'_>,
        found: &mut HashMap<String, NodeSpan>,
        depth: usize,
    ) {
        let start = self.pos;
        let descend = depth < MAX_DEPTH && want.descend(path.as_str());
        match self.peek() {
            Some(b'{') if descend => self.object(path, want, found, depth),
            Some(b'[') if descend => self.array(path, want, found, depth),
            Some(b'{' | b'[') => self.skip_container(),
            Some(b'"') => self.skip_string(),
            Some(_) => self.scalar(),
            None => return,
        }
        if want.wanted(path.as_str()) {
            found.insert(path.clone(), NodeSpan { key, value: ByteSpan::new(start, self.pos) });
        }
    }

    fn object(&mut self, path: &mut String, want: &Want<'_>, found: &mut HashMap<String, NodeSpan>, depth: usize) {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return,
            }
            let key_start = self.pos;
            let key = self.key();
            let key_span = ByteSpan::new(key_start, self.pos);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return;
            }
            self.pos += 1;
            self.skip_ws();
            let len = path.len();
            push_token(path, &key);
            self.value(path, Some(key_span), want, found, depth + 1);
            path.truncate(len);
        }
    }

    fn array(&mut self, path: &mut String, want: &Want<'_>, found: &mut HashMap<String, NodeSpan>, depth: usize) {
        self.pos += 1;
        let mut index = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                None => return,
                _ => {}
            }
            let len = path.len();
            {
                use std::fmt::Write as _;
                let _ = write!(path, "/{index}");
            }
            let before = self.pos;
            self.value(path, None, want, found, depth + 1);
            path.truncate(len);
            if self.pos == before {
                return;
            }
            index += 1;
        }
    }

    /// Skips a string token (at its opening quote), jumping between quotes and backslashes.
    fn skip_string(&mut self) {
        self.pos += 1;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
            // Most strings are short (ids, keys): eight bytes at a time in place, without the
            // call `memchr2` costs; long ones go to it.
            let near = quote_or_backslash(rest.get(..rest.len().min(32)).unwrap_or(&[]));
            let found = match near {
                Some(i) => Some(i),
                None if rest.len() <= 32 => None,
                None => memchr::memchr2(b'"', b'\\', rest.get(32..).unwrap_or(&[])).map(|i| i + 32),
            };
            match found {
                Some(i) if rest.get(i) == Some(&b'\\') => self.pos += i + 2,
                Some(i) => {
                    self.pos += i + 1;
                    return;
                }
                None => {
                    self.pos = self.bytes.len();
                    return;
                }
            }
        }
    }

    /// Reads a key (a string token) and returns its decoded text; without escapes (nearly every
    /// key) it borrows from the text. Escapes other than `\"`, `\\`, `\/` and `\uXXXX` are kept as
    /// written: keys the model uses contain none of them.
    fn key(&mut self) -> std::borrow::Cow<'a, str> {
        let start = self.pos + 1;
        self.skip_string();
        let bytes: &'a [u8] = self.bytes;
        let raw = bytes.get(start..self.pos.saturating_sub(1).max(start)).unwrap_or(&[]);
        if !raw.contains(&b'\\')
            && let Ok(text) = std::str::from_utf8(raw)
        {
            return std::borrow::Cow::Borrowed(text);
        }
        let raw = String::from_utf8_lossy(raw);
        std::borrow::Cow::Owned(
            serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.into_owned()),
        )
    }

    fn scalar(&mut self) {
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
    }

    fn skip_container(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.skip_string();
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_pointers() {
        let text = r#"{"a": [1, {"b/c": "x", "d": [true]}], "e": {"f": null}}"#;
        let found = resolve_json_pointers(text, &["/a/1/b~1c", "/a/1/d/0", "/e", "/nope", "/a/7"]);
        let at = |p: &str| found.get(p).map(|s| &text[s.value.start..s.value.end]);
        assert_eq!(at("/a/1/b~1c"), Some("\"x\""));
        assert_eq!(at("/a/1/d/0"), Some("true"));
        assert_eq!(at("/e"), Some("{\"f\": null}"));
        assert_eq!(at("/nope"), None);
        let key = found["/a/1/b~1c"].key.unwrap();
        assert_eq!(&text[key.start..key.end], "\"b/c\"");
        assert_eq!(at("/a/7"), None);

        let all = resolve_json_patterns(text, &["/a/*/d/*", "/e/*"]);
        let mut keys: Vec<&str> = all.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["/a/1/d/0", "/e/f"]);
        assert_eq!(all["/a/1/d/0"], found["/a/1/d/0"]);
    }

    proptest::proptest! {
        /// The word-at-a-time character count equals `chars().count()` on any text, including
        /// texts longer than one 8,160-byte block and multi-byte characters across word edges.
        #[test]
        fn count_chars_counts_characters(
            text in proptest::string::string_regex("(a|é|✓|𝄞|\\n){0,3000}").unwrap(),
            repeat in 1usize..5,
        ) {
            let text = text.repeat(repeat);
            proptest::prop_assert_eq!(count_chars(text.as_bytes()), text.chars().count());
        }

        /// The in-place search finds the same first quote or backslash as a plain search.
        #[test]
        fn quote_or_backslash_finds_the_first(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, proptest::strategy::Just(b'"'), proptest::strategy::Just(b'\\')],
            0..40,
        )) {
            proptest::prop_assert_eq!(
                quote_or_backslash(&bytes),
                bytes.iter().position(|b| *b == b'"' || *b == b'\\'),
            );
        }

        /// The one-pass `line_cols` agrees with `line_col` offset by offset, on text with several
        /// lines, multi-byte characters and offsets inside them.
        #[test]
        fn line_cols_agrees_with_line_col(
            text in "[a\né€😀 ]{0,200}",
            offsets in proptest::collection::vec(0usize..260, 0..20),
        ) {
            let all = line_cols(&text, &offsets);
            // Read in two halves, whatever the size.
            let halves = line_cols_in_halves_above(&text, &offsets, 0);
            for offset in offsets {
                let clamped = clamp_to_char_boundary(&text, offset);
                proptest::prop_assert_eq!(all.get(&clamped).copied(), Some(line_col(&text, clamped)), "offset {}", offset);
                proptest::prop_assert_eq!(halves.get(&clamped).copied(), Some(line_col(&text, clamped)), "offset {}", offset);
            }
            proptest::prop_assert_eq!(halves.len(), all.len());
        }

        /// A text's [`LineIndex`], fed in pieces of any size and built in blocks of any size,
        /// places every offset as `line_col` does, reading only the blocks it needs.
        #[test]
        fn line_index_agrees_with_line_col(
            text in "[a\né€😀 ]{0,300}",
            offsets in proptest::collection::vec(0usize..1300, 0..20),
            block in 1usize..64,
            piece in 1usize..50,
        ) {
            let mut index = LineIndex::new(block);
            for part in text.as_bytes().chunks(piece) {
                index.feed(part);
            }
            let reads = std::cell::Cell::new(0usize);
            let found = index.line_cols(&offsets, |at, buf| {
                reads.set(reads.get() + 1);
                let rest = text.as_bytes().get(at..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                n
            });
            let blocks: std::collections::BTreeSet<usize> =
                offsets.iter().filter(|o| **o <= text.len()).map(|o| o / block).collect();
            proptest::prop_assert!(reads.get() <= blocks.len());
            for offset in offsets {
                if offset <= text.len() {
                    let clamped = clamp_to_char_boundary(&text, offset);
                    proptest::prop_assert_eq!(found.get(&offset).copied(), Some(line_col(&text, clamped)), "offset {}", offset);
                } else {
                    proptest::prop_assert!(!found.contains_key(&offset));
                }
            }
        }

        /// A span cut to its first line ends before any newline, within 200 bytes, where a
        /// character does; cutting it again changes nothing.
        #[test]
        fn first_line_ends_on_a_character(text in "[a\né€😀 ]{0,400}", start in 0usize..400, len in 0usize..400) {
            let start = clamp_to_char_boundary(&text, start);
            let end = clamp_to_char_boundary(&text, start + len);
            let cut = first_line(&text, ByteSpan::new(start, end));
            proptest::prop_assert!(cut.end <= end && cut.end - cut.start <= 200);
            proptest::prop_assert!(text.is_char_boundary(cut.end));
            proptest::prop_assert!(!text[cut.start..cut.end].contains('\n'));
            proptest::prop_assert_eq!(first_line(&text, cut), cut);
            if let Some(newline) = text[start..end].find('\n').filter(|n| *n <= 200) {
                proptest::prop_assert_eq!(cut.end, start + newline);
            }
        }

        /// The scanner finds what a JSON parser finds: every value of a document by its pointer.
        #[test]
        fn scanner_spans_parse_back_to_the_same_values(
            document in proptest::collection::btree_map("[a-z/~\\\"é]{0,4}", proptest::collection::vec("[a-z\"\\\\é]{0,5}", 0..4), 0..5),
        ) {
            let value = serde_json::to_value(&document).unwrap();
            let text = serde_json::to_string_pretty(&value).unwrap();
            let mut pointers = Vec::new();
            for (key, list) in &document {
                for index in 0..list.len() {
                    pointers.push(format!("{}/{index}", pointer([key.as_str()])));
                }
            }
            let wanted: Vec<&str> = pointers.iter().map(String::as_str).collect();
            let found = resolve_json_pointers(&text, &wanted);
            for p in &pointers {
                let span = found.get(p).map(|s| s.value);
                proptest::prop_assert!(span.is_some(), "{} not found in {}", p, text);
                let span = span.unwrap();
                let parsed: serde_json::Value = serde_json::from_str(&text[span.start..span.end]).unwrap();
                proptest::prop_assert_eq!(Some(&parsed), value.pointer(p));
            }
        }
    }

    #[test]
    fn survives_garbage() {
        for text in ["", "{", "[[[[", "{\"a\":", "\"abc", "{\"a\" 1}", "[1,,2]", "}"] {
            let _ = resolve_json_pointers(text, &["/a", "/0/0", ""]);
        }
        let deep = "[".repeat(100_000);
        let found = resolve_json_pointers(&deep, &["/0/0/0"]);
        assert_eq!(found.get("/0/0/0").map(|s| s.value.start), Some(3));
    }

    #[test]
    fn line_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 999), (3, 2));
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 9, 1), text.len());
        assert_eq!(char_to_byte(text, 6), 7);
        assert_eq!(offset_of_char_column(text, 2, 4), 7);
        let many = line_cols(text, &[0, 3, 7, 999, 5]);
        for offset in [0, 3, 7, 5] {
            assert_eq!(many[&offset], line_col(text, offset), "{offset}");
        }
        assert_eq!(many[&text.len()], line_col(text, 999));
        assert_eq!(offset_of_char_column(text, 3, 5), text.len());
    }
}

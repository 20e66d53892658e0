//! Diagnostics shared by the policy and inventory loaders: problems found at JSON pointers,
//! turned into one miette diagnostic per file with a label for each.

use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
use thiserror::Error;

use crate::span::ByteSpan;

/// At most this many problems are labelled per file; the rest are counted.
pub const MAX_LABELS: usize = 50;

/// A problem in an input file, located by JSON pointer (resolved to a span when reported).
/// Text safe to print to a terminal or a CI log: control characters (a newline could start a
/// GitHub Actions workflow command such as `::error`; an escape sequence could rewrite the
/// terminal) and bidirectional overrides are shown escaped, never sent as they are.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    /// Point at the key rather than the value (unknown keys).
    pub at_key: bool,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { pointer: pointer.into(), at_key: false, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn on_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    /// The label text: the message, and the hint when there is one.
    pub fn label(&self) -> String {
        match &self.help {
            Some(help) => format!("{}; {help}", self.message),
            None => self.message.clone(),
        }
    }
}

/// A source file shown in diagnostics. A line longer than `MAX_EXCERPT` bytes (minified JSON,
/// a 100,000-bracket attack) is cut to a window around the label, so that no input makes a
/// diagnostic unboundedly long.
#[derive(Clone)]
pub struct Excerpt(pub Arc<String>);

const MAX_EXCERPT: usize = 4096;
const WINDOW: usize = 80;

impl std::fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Excerpt({} bytes)", self.0.len())
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.0.as_str();
        let full = text.read_span(span, context_lines_before, context_lines_after)?;
        if full.data().len() <= MAX_EXCERPT {
            return Ok(full);
        }
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        let line_start = text.get(..start).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
        let line_end = text.get(end..).and_then(|s| s.find('\n')).map_or(text.len(), |i| end + i);
        let mut from = start.saturating_sub(WINDOW).max(line_start);
        let mut to = end.saturating_add(WINDOW).min(line_end).min(start + MAX_EXCERPT);
        while from > 0 && !text.is_char_boundary(from) {
            from -= 1;
        }
        while to < text.len() && !text.is_char_boundary(to) {
            to += 1;
        }
        let data = text.get(from..to).unwrap_or("").as_bytes();
        let (line, column) = crate::span::line_col(text, from);
        Ok(Box::new(MietteSpanContents::new(data, SourceSpan::from((from, to - from)), line - 1, column - 1, 1)))
    }
}

/// Everything wrong with one input file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct FileDiagnostic {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Excerpt>,
    #[label(collection)]
    pub labels: Vec<LabeledSpan>,
    #[help]
    pub help: Option<String>,
    #[related]
    pub related: Vec<FileDiagnostic>,
}

impl FileDiagnostic {
    /// One diagnostic for `problems` in `name`, given a way to find each problem's span.
    pub fn from_problems(
        name: &str,
        text: &Arc<String>,
        what: &str,
        problems: Vec<(Problem, ByteSpan)>,
    ) -> FileDiagnostic {
        Self::from_findings(name, text, what, "problems", problems)
    }

    /// Like `from_problems`, naming what was found (`problems`, `warnings`).
    pub fn from_findings(
        name: &str,
        text: &Arc<String>,
        what: &str,
        noun: &str,
        mut problems: Vec<(Problem, ByteSpan)>,
    ) -> FileDiagnostic {
        problems.sort_by(|a, b| a.1.start.cmp(&b.1.start).then_with(|| a.0.pointer.cmp(&b.0.pointer)));
        problems.dedup_by(|a, b| a.0 == b.0);
        let total = problems.len();
        let message = if total == 1 {
            problems.first().map_or_else(
                || format!("{what} `{name}` is invalid"),
                |(p, _)| format!("{what} `{name}`: {}", p.message),
            )
        } else {
            format!("{what} `{name}` has {total} {noun}")
        };
        let mut help = if total == 1 { problems.first().and_then(|(p, _)| p.help.clone()) } else { None };
        if total > MAX_LABELS {
            help = Some(format!("{} more {noun} are not shown", total - MAX_LABELS));
        }
        let labels = problems
            .iter()
            .take(MAX_LABELS)
            .map(|(problem, span)| {
                let text = if total == 1 && problem.help.is_some() { problem.message.clone() } else { problem.label() };
                LabeledSpan::new_with_span(Some(terminal_safe(&text).into_owned()), *span)
            })
            .collect();
        // Messages quote what the files hold: never print a control character as it is.
        let message = terminal_safe(&message).into_owned();
        let help = help.map(|h| terminal_safe(&h).into_owned());
        FileDiagnostic {
            message,
            src: NamedSource::new(name, Excerpt(Arc::clone(text))),
            labels,
            help,
            related: Vec::new(),
        }
    }

    /// A single problem at a byte span. A span at the very end of the file (an unexpected end of
    /// input) is moved back onto the last visible character, where a reader can see it.
    pub fn single(
        name: &str,
        text: &Arc<String>,
        message: String,
        span: ByteSpan,
        label: &str,
        help: Option<String>,
    ) -> Self {
        let visible_end = text.trim_end().len();
        let span = if span.start >= visible_end && visible_end > 0 {
            let start = text.get(..visible_end).and_then(|t| t.char_indices().last()).map_or(0, |(i, _)| i);
            ByteSpan::new(start, visible_end)
        } else {
            span
        };
        FileDiagnostic {
            message: terminal_safe(&message).into_owned(),
            src: NamedSource::new(name, Excerpt(Arc::clone(text))),
            labels: vec![LabeledSpan::new_with_span(Some(terminal_safe(label).into_owned()), span)],
            help: help.map(|h| terminal_safe(&h).into_owned()),
            related: Vec::new(),
        }
    }
}

/// Something valid but certainly not what the author meant; printed, never fatal.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(severity(Warning))]
pub struct FileWarning {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Excerpt>,
    #[label(collection)]
    pub labels: Vec<LabeledSpan>,
    #[help]
    pub help: Option<String>,
}

impl From<FileDiagnostic> for FileWarning {
    fn from(d: FileDiagnostic) -> Self {
        FileWarning { message: d.message, src: d.src, labels: d.labels, help: d.help }
    }
}

/// Why an input could not be read at all.
#[derive(Debug, Error, Diagnostic)]
pub enum InputError {
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(fsx_guard::io))]
    Unreadable { path: String, reason: String },

    #[error("`{path}` is {size} bytes; {limit}")]
    #[diagnostic(code(fsx_guard::too_large))]
    TooLarge { path: String, size: u64, limit: String },

    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset})")]
    #[diagnostic(code(fsx_guard::encoding), help("save the file as UTF-8"))]
    NotUtf8 { path: String, offset: usize },
}

/// Files at least this large are read by two threads, each into its half of the buffer.
const PARALLEL_READ_ABOVE: u64 = 8 * 1024 * 1024;

/// A regular file of `len` bytes read by two threads at once: most of a large read is the kernel
/// giving the process fresh pages, and each core then fills its own half (0.07 s instead of
/// 0.15-0.7 s for 552 MiB here). `None` when the file is not `len` bytes long any more (it is
/// being written) or a read fails: the caller reads it the ordinary way.
#[cfg(unix)]
fn read_in_halves(file: &std::fs::File, len: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let size = usize::try_from(len).ok()?;
    let middle = size / 2;
    let mut bytes = vec![0u8; size];
    let (first, second) = bytes.split_at_mut(middle);
    let read = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .spawn_scoped(scope, || file.read_exact_at(second, u64::try_from(middle).unwrap_or(u64::MAX)))
            .ok()?;
        let mine = file.read_exact_at(first, 0);
        let theirs = other.join().ok()?;
        Some(mine.is_ok() && theirs.is_ok())
    });
    // One more byte means the file grew after its size was read.
    let grew = file.read_at(&mut [0u8; 1], len).map_or(true, |n| n > 0);
    (read == Some(true) && !grew).then_some(bytes)
}

#[cfg(not(unix))]
fn read_in_halves(_file: &std::fs::File, _len: u64) -> Option<Vec<u8>> {
    None
}

/// Reads a file as UTF-8 text, refusing files above `limit` bytes before reading them.
pub fn read_text(
    path: &std::path::Path,
    display: &str,
    limit: u64,
    limit_text: &str,
) -> Result<Arc<String>, InputError> {
    let unreadable = |e: std::io::Error| InputError::Unreadable { path: display.to_string(), reason: e.to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(InputError::Unreadable { path: display.to_string(), reason: "it is a directory".into() });
    }
    let too_large = |size: u64| InputError::TooLarge { path: display.to_string(), size, limit: limit_text.to_string() };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    // The size a file claims is not a bound on what it yields (`/dev/zero`, a FIFO, a device, a
    // file that grows): the cap applies to the bytes read.
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .map(Arc::new)
            .map_err(|e| InputError::NotUtf8 { path: display.to_string(), offset: e.utf8_error().valid_up_to() })
    };
    let opened = std::fs::File::open(path).map_err(unreadable)?;
    if meta.is_file()
        && meta.len() >= PARALLEL_READ_ABOVE
        && let Some(bytes) = read_in_halves(&opened, meta.len())
    {
        return text(bytes);
    }
    let mut file = std::io::Read::take(opened, limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    if meta.is_file() {
        // A regular file: one read into the buffer sized for it.
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(unreadable)?;
    } else {
        // A device or a FIFO: in chunks, stopping at the first NUL byte (JSON and YAML text never
        // holds one), so `/dev/zero` fails at once instead of filling memory to the cap.
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            let read = match std::io::Read::read(&mut file, &mut chunk) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(unreadable(e)),
            };
            let fresh = chunk.get(..read).unwrap_or(&[]);
            if let Some(at) = fresh.iter().position(|b| *b == 0) {
                return Err(InputError::Unreadable {
                    path: display.to_string(),
                    reason: format!("byte {} is NUL: this is not a text file", bytes.len() + at),
                });
            }
            bytes.extend_from_slice(fresh);
        }
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    text(bytes)
}

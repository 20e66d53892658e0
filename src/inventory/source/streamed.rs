//! A large JSON inventory read from its file while it is parsed, never whole in memory: the
//! parse reads windows of it ([`super::two_cores`]), and another thread reads it once in order
//! for its SHA-256, whether it is UTF-8, and where its lines are ([`span::LineIndex`]), so that
//! reports can still name each file system by line and column.
//!
//! Three readers read the same file at different times: it is the same file only if it did not
//! change meanwhile, so its size and modification time are compared before and after, and a
//! file that changed is an error rather than a mix of two versions.

use std::path::{Path, PathBuf};

use sha2::Digest;

use super::two_cores::Bytes;
use crate::span;

/// The bytes of each line-index block (a block holding a located value is read again).
const LINE_BLOCK: usize = 64 * 1024;

/// How much is read at a time for the hash.
const HASH_CHUNK: usize = 1024 * 1024;

/// A regular file opened for reading in place.
pub(super) struct OpenFile {
    file: std::fs::File,
    pub(super) path: PathBuf,
    size: usize,
    /// Size and modification time when opened.
    stamp: (u64, Option<std::time::SystemTime>),
}

/// Why a streamed file cannot be used as read.
pub(super) enum Fault {
    /// Not UTF-8 from this offset.
    NotUtf8(usize),
    /// Fewer bytes than its size, or a read failed.
    Short,
}

impl OpenFile {
    /// `path`, when it is a regular JSON file of `above` bytes or more (and no more than
    /// `limit`) whose beginning is not infrastructure code (a Terraform plan or a CloudFormation
    /// template, which are read whole); `None` when it is to be read whole.
    pub(super) fn open(path: &Path, above: usize, limit: u64) -> Option<OpenFile> {
        if !cfg!(unix) {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() < u64::try_from(above).ok()? || meta.len() > limit {
            return None;
        }
        let open = OpenFile {
            file,
            path: path.to_path_buf(),
            size: usize::try_from(meta.len()).ok()?,
            stamp: (meta.len(), meta.modified().ok()),
        };
        let mut head = vec![0u8; 64 * 1024];
        let read = open.read_into(0, &mut head);
        head.truncate(read);
        let valid = match std::str::from_utf8(&head) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
        };
        let code = super::terraform_plan::looks_like(valid) || super::cloudformation::looks_like(valid);
        (!code).then_some(open)
    }

    /// Whether the file is still as it was when opened (same size, same modification time).
    pub(super) fn unchanged(&self) -> bool {
        self.file.metadata().ok().is_some_and(|m| (m.len(), m.modified().ok()) == self.stamp)
    }
}

impl Bytes for OpenFile {
    fn size(&self) -> usize {
        self.size
    }

    #[cfg(unix)]
    fn read_into(&self, offset: usize, buf: &mut [u8]) -> usize {
        use std::os::unix::fs::FileExt;
        let mut done = 0usize;
        while let Some(to) = buf.get_mut(done..).filter(|to| !to.is_empty()) {
            match self.file.read_at(to, u64::try_from(offset + done).unwrap_or(u64::MAX)) {
                Ok(0) => break,
                Ok(read) => done += read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        done
    }

    #[cfg(not(unix))]
    fn read_into(&self, _offset: usize, _buf: &mut [u8]) -> usize {
        0
    }
}

/// The file read once in order, a read at a time: its SHA-256 (lower-case hex) and its lines,
/// or why it cannot be used (not UTF-8, as [`crate::diag::read_text`] would refuse it, or
/// shorter than its size). One thread can stop between two reads and another finish what is
/// left ([`Background`]).
pub(super) struct FileHash {
    hasher: sha2::Sha256,
    lines: span::LineIndex,
    buf: Vec<u8>,
    /// The first bytes of a character cut by the previous read, at the front of `buf`.
    carry: usize,
    /// How much of the file was read.
    offset: usize,
}

impl FileHash {
    fn new() -> Self {
        FileHash {
            hasher: sha2::Sha256::new(),
            lines: span::LineIndex::new(LINE_BLOCK),
            buf: vec![0u8; HASH_CHUNK + 4],
            carry: 0,
            offset: 0,
        }
    }

    /// Reads and takes in the next part of the file: `Ok(true)` once it is all in.
    fn step(&mut self, file: &OpenFile) -> Result<bool, Fault> {
        if self.offset >= file.size {
            return Ok(true);
        }
        let (carry, offset) = (self.carry, self.offset);
        let want = HASH_CHUNK.min(file.size - offset);
        let read = self.buf.get_mut(carry..carry + want).map_or(0, |to| file.read_into(offset, to));
        if read == 0 {
            return Err(Fault::Short);
        }
        let fresh = self.buf.get(carry..carry + read).unwrap_or_default();
        self.hasher.update(fresh);
        self.lines.feed(fresh);
        self.offset += read;
        let held = self.buf.get(..carry + read).unwrap_or_default();
        self.carry = match std::str::from_utf8(held) {
            Ok(_) => 0,
            Err(e) if e.error_len().is_none() && self.offset < file.size => held.len() - e.valid_up_to(),
            Err(e) => return Err(Fault::NotUtf8(self.offset - held.len() + e.valid_up_to())),
        };
        let from = held.len() - self.carry;
        self.buf.copy_within(from..from + self.carry, 0);
        Ok(self.offset >= file.size)
    }

    /// What is left of the file, read on this thread.
    fn run(mut self, file: &OpenFile) -> Result<(String, span::LineIndex), Fault> {
        while !self.step(file)? {}
        Ok((super::hex(&self.hasher.finalize()), self.lines))
    }
}

/// A file read in place, hashed ([`FileHash`]) on a thread of its own at the lowest priority
/// (nice 19 on Linux) while it is parsed, converted and judged: it takes only what those leave of
/// the cores (run beside the two readers, it made the parse a third slower). Whoever needs the
/// result takes over what is left at its own priority, so a busy machine, where such a thread
/// may wait long, never holds the run up more than one read.
pub(super) struct Background {
    file: std::sync::Arc<OpenFile>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Outcome>>,
}

/// How the background thread ended.
enum Outcome {
    Done(Result<(String, span::LineIndex), Fault>),
    /// Asked to stop, with what it had read so far.
    Stopped(Box<FileHash>),
}

impl Background {
    pub(super) fn start(file: &std::sync::Arc<OpenFile>) -> Background {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (their_file, their_stop) = (std::sync::Arc::clone(file), std::sync::Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("sha256-file".into())
            .spawn(move || {
                lower_priority();
                let mut hash = FileHash::new();
                loop {
                    if their_stop.load(std::sync::atomic::Ordering::Acquire) {
                        return Outcome::Stopped(Box::new(hash));
                    }
                    match hash.step(&their_file) {
                        Ok(false) => {}
                        Ok(true) => return Outcome::Done(hash.run(&their_file)),
                        Err(fault) => return Outcome::Done(Err(fault)),
                    }
                }
            })
            .ok();
        Background { file: std::sync::Arc::clone(file), stop, thread }
    }

    /// The file's hash and lines: the thread's, or what it had not read yet read here (all of
    /// it when the thread could not start or failed).
    pub(super) fn finish(mut self) -> Result<(String, span::LineIndex), Fault> {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        match self.thread.take().and_then(|thread| thread.join().ok()) {
            Some(Outcome::Done(result)) => result,
            Some(Outcome::Stopped(hash)) => hash.run(&self.file),
            None => FileHash::new().run(&self.file),
        }
    }
}

impl Drop for Background {
    /// Not needed after all (the load failed): the thread stops at its next read.
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
    }
}

/// Lowers the calling thread's priority to the least (nice 19; Linux only, where a thread has a
/// priority of its own). Refused or elsewhere, it runs as any other thread.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn temp_of(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut temp = tempfile::NamedTempFile::new().unwrap();
        temp.write_all(bytes).unwrap();
        temp.flush().unwrap();
        temp
    }

    fn hash_file(file: &OpenFile) -> Result<(String, span::LineIndex), Fault> {
        FileHash::new().run(file)
    }

    fn file_of(bytes: &[u8]) -> (tempfile::NamedTempFile, OpenFile) {
        let temp = temp_of(bytes);
        let open = OpenFile::open(temp.path(), 0, u64::MAX).expect("opened");
        (temp, open)
    }

    /// The hash, the UTF-8 verdict and the lines are what the text read whole gives, wherever
    /// the reads cut it: a character split between two reads is not an error, a bad byte is,
    /// at its offset.
    #[test]
    fn hashes_and_indexes_as_the_whole_text_would() {
        let mut text = String::new();
        while text.len() < 3 * HASH_CHUNK {
            text.push_str("{\"Name\": \"caf\u{e9} \u{1f600}\",\n  \"x\": 1}\n");
        }
        let (_temp, open) = file_of(text.as_bytes());
        let Ok((hash, lines)) = hash_file(&open) else { panic!("read") };
        assert_eq!(hash, super::super::sha256_hex(text.as_bytes()));
        let offsets: Vec<usize> = (0..text.len()).step_by(4093).collect();
        let found = lines.line_cols(&offsets, |o, buf| open.read_into(o, buf));
        // `line_cols` is `line_col` at every offset's character (a property test in `span`).
        let whole = span::line_cols(&text, &offsets);
        for o in offsets {
            let mut clamped = o;
            while !text.is_char_boundary(clamped) {
                clamped -= 1;
            }
            assert_eq!(found.get(&o), whole.get(&clamped), "offset {o}");
        }
        let mut bad = text.clone().into_bytes();
        let at = 2 * HASH_CHUNK + 5;
        bad[at] = 0xFF;
        let (_temp, open) = file_of(&bad);
        let expected = String::from_utf8(bad.clone()).unwrap_err().utf8_error().valid_up_to();
        assert!(matches!(hash_file(&open), Err(Fault::NotUtf8(o)) if o == expected));
        // Cut inside its last character.
        let cut = text.rfind('\u{1f600}').unwrap() + 2;
        let (_temp, open) = file_of(&text.as_bytes()[..cut]);
        assert!(matches!(hash_file(&open), Err(Fault::NotUtf8(_))));
    }

    /// Taken over after any number of reads, by another thread or by the one that asks (its
    /// thread stopped at once, or never started): the same hash, lines and faults as read in one go.
    #[test]
    fn a_hash_taken_over_between_reads_is_the_whole_files() {
        let mut text = String::new();
        while text.len() < 3 * HASH_CHUNK + 1000 {
            text.push_str("{\"Name\": \"caf\u{e9} \u{1f600}\",\n  \"x\": 1}\n");
        }
        let mut bad = text.clone().into_bytes();
        bad[2 * HASH_CHUNK + 5] = 0xFF;
        for bytes in [text.as_bytes(), &bad[..]] {
            let (temp, open) = file_of(bytes);
            let outcome = |r: Result<(String, span::LineIndex), Fault>| match r {
                Ok((hash, lines)) => {
                    let offsets: Vec<usize> = (0..bytes.len()).step_by(65_521).collect();
                    let places = lines.line_cols(&offsets, |o, buf| open.read_into(o, buf));
                    let mut places: Vec<_> = places.into_iter().collect();
                    places.sort_unstable();
                    format!("{hash} {places:?}")
                }
                Err(Fault::NotUtf8(at)) => format!("not UTF-8 at {at}"),
                Err(Fault::Short) => "short".into(),
            };
            let whole = outcome(hash_file(&open));
            for reads in 0..6 {
                let mut hash = FileHash::new();
                let mut stopped = Ok(false);
                for _ in 0..reads {
                    stopped = hash.step(&open);
                    if !matches!(stopped, Ok(false)) {
                        break;
                    }
                }
                let taken_over = match stopped {
                    Err(fault) => Err(fault),
                    Ok(_) => hash.run(&open),
                };
                assert_eq!(outcome(taken_over), whole, "after {reads} reads");
            }
            let shared = std::sync::Arc::new(OpenFile::open(temp.path(), 0, u64::MAX).expect("opened"));
            assert_eq!(outcome(Background::start(&shared).finish()), whole, "from the background");
            let background = Background::start(&shared);
            std::thread::sleep(std::time::Duration::from_millis(2));
            assert_eq!(outcome(background.finish()), whole, "stopped part way, perhaps");
        }
    }

    /// A file written to after it was opened is no longer the file that was read: its size or
    /// its modification time differs.
    #[test]
    fn a_file_changed_after_opening_is_seen_to_have_changed() {
        let text = br#"{"version": 1, "accounts": []}"#;
        let (temp, open) = file_of(text);
        assert!(open.unchanged());
        std::fs::OpenOptions::new().append(true).open(temp.path()).unwrap().write_all(b" ").unwrap();
        assert!(!open.unchanged(), "grown");
        let (temp, open) = file_of(text);
        // The same size, other bytes, a later modification time.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        let file = std::fs::OpenOptions::new().write(true).open(temp.path()).unwrap();
        file.set_modified(later).unwrap();
        assert!(!open.unchanged(), "rewritten in place");
    }

    /// Infrastructure code and small files are read whole.
    #[test]
    fn code_is_not_streamed() {
        let temp = temp_of(br#"{"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": []}"#);
        assert!(OpenFile::open(temp.path(), 0, u64::MAX).is_none());
        let temp = temp_of(br#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#);
        assert!(OpenFile::open(temp.path(), 0, u64::MAX).is_none());
        let temp = temp_of(br#"{"version": 1, "accounts": []}"#);
        assert!(OpenFile::open(temp.path(), 0, u64::MAX).is_some());
        assert!(OpenFile::open(temp.path(), 1 << 20, u64::MAX).is_none());
        assert!(OpenFile::open(temp.path(), 0, 10).is_none());
    }
}

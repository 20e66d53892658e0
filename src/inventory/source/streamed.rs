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

/// The file read once in order: its SHA-256 (lower-case hex) and its lines; or why it cannot be
/// used (not UTF-8, as [`crate::diag::read_text`] would refuse it, or shorter than its size).
pub(super) fn hash_file(file: &OpenFile) -> Result<(String, span::LineIndex), Fault> {
    let mut hasher = sha2::Sha256::new();
    let mut lines = span::LineIndex::new(LINE_BLOCK);
    let mut buf = vec![0u8; HASH_CHUNK + 4];
    // The first bytes of a character cut by the previous read, moved to the front.
    let mut carry = 0usize;
    let mut offset = 0usize;
    while offset < file.size {
        let want = HASH_CHUNK.min(file.size - offset);
        let read = buf.get_mut(carry..carry + want).map_or(0, |to| file.read_into(offset, to));
        if read == 0 {
            return Err(Fault::Short);
        }
        let fresh = buf.get(carry..carry + read).unwrap_or_default();
        hasher.update(fresh);
        lines.feed(fresh);
        offset += read;
        let held = buf.get(..carry + read).unwrap_or_default();
        carry = match std::str::from_utf8(held) {
            Ok(_) => 0,
            Err(e) if e.error_len().is_none() && offset < file.size => held.len() - e.valid_up_to(),
            Err(e) => return Err(Fault::NotUtf8(offset - held.len() + e.valid_up_to())),
        };
        let from = held.len() - carry;
        buf.copy_within(from..from + carry, 0);
    }
    Ok((super::hex(&hasher.finalize()), lines))
}

/// Lowers the calling thread's priority to the least (nice 19, Linux): the hashing thread then
/// takes only what the loading and the rules leave of the cores, and the run waits for it only
/// at the end. Elsewhere, or when the system refuses, it runs as any other thread.
pub(super) fn lower_priority() {
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

//! A large JSON inventory read on two cores.
//!
//! serde_json reads a text from the front, one value after another, and cannot be told to jump:
//! a 550 MB inventory is one core's second of work. Its backups lists are most of it. Here the
//! document's frame (the top-level object, `accounts`, `regions`, each Region block) is walked by
//! hand and every value in it but the lists is handed to serde_json as it stands; each backup,
//! file system and volume is read on its own (the places of file systems and volumes, which
//! reports need after the text is released, are kept on the way). A helper thread starts at the
//! middle of the text, finds the first place that looks like the start of a backup (`{` before
//! `"BackupId"`, after `[` or `,`), and reads backups from there to the end of their list, then
//! the next such list, and so on to the end of the text; then, while this thread is still far
//! behind, again from halfway between the two up to where its earliest run starts, so that both
//! finish together whichever had more to do. This thread, reading from the front, takes a run
//! when it lands exactly on the place where the run starts, and goes on from where it ends.
//!
//! The result is exactly serde_json's: both threads read each backup with the same
//! `Deserialize` (its nesting is bounded, so serde_json's depth limit is never the difference),
//! the grammar between backups is the same code on both sides, and a guess that was not the start
//! of an element of a list this thread reads is never landed on: its run is dropped. Anything
//! outside the common shape (a key with an escape, an unknown or repeated key, any error) gives
//! `None`, and the caller reads the text the usual way, which reports it where it is.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

use serde::de::DeserializeOwned;

use super::document::{AccountDocument, RegionDocument};
use super::wire::{Chunked, InputFile};
use crate::inventory::model::{Interner, RawBackup};
use crate::span::ByteSpan;

/// Below this a text is read by serde_json alone: a thread costs more than it saves.
pub(super) const TWO_CORES_ABOVE: usize = 4 * 1024 * 1024;

/// How much of the text each reader holds at a time (more for a value that is longer).
const WINDOW: usize = 512 * 1024;

/// Where the bytes of a text come from: the text in memory, or its file, read a window at a time
/// (a 550 MB inventory is never in memory whole: its pages would be fresh memory, which a
/// virtual machine may take a second to hand out).
pub(super) trait Bytes: Sync {
    /// How long the text is.
    fn size(&self) -> usize;
    /// Bytes from `offset` into `buf`: how many (fewer only at the end, or none once reading
    /// fails).
    fn read_into(&self, offset: usize, buf: &mut [u8]) -> usize;
}

impl Bytes for &[u8] {
    fn size(&self) -> usize {
        self.len()
    }

    fn read_into(&self, offset: usize, buf: &mut [u8]) -> usize {
        let rest = self.get(offset..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        match (buf.get_mut(..n), rest.get(..n)) {
            (Some(to), Some(from)) => {
                to.copy_from_slice(from);
                n
            }
            _ => 0,
        }
    }
}

/// The text in memory read on two cores, or `None` when it is not an inventory of the common
/// shape or has an error anywhere (then serde_json alone must read it, to say where).
pub(super) fn parse(text: &str) -> Option<Parsed> {
    parse_with(&text.as_bytes(), WINDOW, MIN_GAP, false)
}

/// [`parse`] of a text read from `bytes` as it goes (a file).
pub(super) fn parse_bytes(bytes: &dyn Bytes) -> Option<Parsed> {
    parse_with(bytes, WINDOW, MIN_GAP, false)
}

/// [`parse`], each reader holding `window` bytes at a time, the helper stopping `min_gap` bytes
/// short of this thread; with `wait_for_helper` (tests), this thread starts once the helper has
/// started its first run, so that it lands on it.
fn parse_with(bytes: &dyn Bytes, window: usize, min_gap: usize, wait_for_helper: bool) -> Option<Parsed> {
    let shared = Shared { min_gap, ..Shared::default() };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    std::thread::scope(|scope| {
        let helper = (cores > 1 || wait_for_helper)
            .then(|| {
                std::thread::Builder::new()
                    .name("read-ahead".into())
                    .spawn_scoped(scope, || read_ahead(bytes, window, &shared))
                    .ok()
            })
            .flatten();
        if wait_for_helper && helper.is_some() {
            let mut state = shared.lock();
            while state.reading.is_none() && state.runs.is_empty() && !state.finished {
                state = shared.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
        }
        let mut reader = Reader::new(bytes, window, Some(&shared));
        let file = reader.file();
        shared.stop.store(true, Ordering::Relaxed);
        // Joined by hand: a helper that panicked has only lost its runs, and the scope must not
        // raise its panic again here.
        if let Some(helper) = helper {
            let _ = helper.join();
        }
        let runs_taken = shared.lock().taken;
        Some(Parsed { file: file?, located: reader.located, runs_taken })
    })
}

/// The part of a text one reader holds: `buf[..filled]` is the text from `base`.
struct Window<'b> {
    bytes: &'b dyn Bytes,
    buf: Vec<u8>,
    filled: usize,
    base: usize,
    /// How much is read at a time.
    chunk: usize,
    /// Reading stopped short of the text's size (the file shrank, or a read failed): the text
    /// ends here for this reader, which then cannot finish.
    short: bool,
}

impl<'b> Window<'b> {
    fn new(bytes: &'b dyn Bytes, chunk: usize) -> Self {
        Window { bytes, buf: Vec::new(), filled: 0, base: 0, chunk: chunk.max(1), short: false }
    }

    fn end(&self) -> usize {
        self.base + self.filled
    }

    /// The text from `at` to the window's end, read on until it holds `want` bytes or the text
    /// ends; and whether it does end there.
    fn from(&mut self, at: usize, want: usize) -> (&[u8], bool) {
        if at < self.base || at > self.end() {
            self.base = at;
            self.filled = 0;
        }
        let size = self.bytes.size();
        if self.end() - at < want && self.end() < size && !self.short {
            // What is before `at` is done with.
            let keep = at - self.base;
            self.buf.copy_within(keep..self.filled, 0);
            self.filled -= keep;
            self.base = at;
            let target = want.max(self.chunk).min(size - at);
            if self.buf.len() < target {
                self.buf.resize(target, 0);
            }
            while self.filled < target {
                let offset = self.end();
                let read = self.buf.get_mut(self.filled..target).map_or(0, |to| self.bytes.read_into(offset, to));
                if read == 0 {
                    self.short = true;
                    break;
                }
                self.filled += read;
            }
        }
        let ends = self.end() >= size || self.short;
        (self.buf.get(at - self.base..self.filled).unwrap_or_default(), ends)
    }
}

/// What [`parse`] read, and where each entry of the lists the loader locates is
/// ([`crate::inventory::LOCATED_LISTS`]): what a scan of the text would find, found on the way.
pub(super) struct Parsed {
    pub(super) file: InputFile,
    pub(super) located: Vec<(String, ByteSpan)>,
    /// How many of the helper's runs this thread took (the measure of the helper's use).
    pub(super) runs_taken: usize,
}

/// Backups the helper read: elements of one list from an element's first byte (its key in
/// [`State::runs`]) to `end`, which is past the list's `]` when `closed`, else the first byte of
/// the element where a run read before starts.
struct Run {
    end: usize,
    closed: bool,
    backups: Chunked<RawBackup>,
}

struct Shared {
    /// Where the helper's earliest run starts (`usize::MAX` until it has one): before it, this
    /// thread has no run to look for.
    first: AtomicUsize,
    /// Where this thread is: the helper reads ahead of it, never behind.
    main_at: AtomicUsize,
    stop: AtomicBool,
    /// [`MIN_GAP`], or less in tests.
    min_gap: usize,
    state: Mutex<State>,
    changed: Condvar,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            first: AtomicUsize::new(usize::MAX),
            main_at: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            min_gap: MIN_GAP,
            state: Mutex::default(),
            changed: Condvar::new(),
        }
    }
}

#[derive(Default)]
struct State {
    /// By where each starts.
    runs: BTreeMap<usize, Run>,
    /// The start of the run the helper is reading now.
    reading: Option<usize>,
    finished: bool,
    taken: usize,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The helper's run that starts at `at`, waiting for it if the helper is reading it now.
    /// Runs that start before `at` were not landed on: dropped.
    fn take(&self, at: usize) -> Option<Run> {
        self.main_at.store(at, Ordering::Relaxed);
        if at < self.first.load(Ordering::Acquire) {
            return None;
        }
        let mut state = self.lock();
        loop {
            while let Some(entry) = state.runs.first_entry() {
                match (*entry.key()).cmp(&at) {
                    std::cmp::Ordering::Less => drop(entry.remove()),
                    std::cmp::Ordering::Equal => {
                        state.taken += 1;
                        return state.runs.remove(&at);
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            if state.reading != Some(at) || state.finished {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Tells this thread the helper is done, however it ends (a panic included): nothing waits for
/// a run that will not come.
struct Finished<'s>(&'s Shared);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.finished = true;
        state.reading = None;
        drop(state);
        self.0.changed.notify_all();
    }
}

/// The deepest a value read by [`Reader::nested`] may nest: serde_json refuses more than 128
/// levels from the top of the text, and the frame puts such values at most 3 levels down.
const NESTED_MAX: usize = 120;

/// How deeply the JSON value in `bytes` nests (`[]` and `{}` count one; strings are skipped).
fn depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Below this distance between this thread and the helper's earliest run, the helper stops.
const MIN_GAP: usize = 1024 * 1024;

/// The helper: runs of backups from the middle of the text to its end; then, while this thread
/// is still far from the earliest of them, from halfway between the two up to it, again and
/// again, so that both threads finish together whichever has more to do.
fn read_ahead(bytes: &dyn Bytes, window: usize, shared: &Shared) {
    let _finished = Finished(shared);
    let _interner = Interner::start();
    let finder = memchr::memmem::Finder::new(KEY);
    let size = bytes.size();
    let (mut from, mut limit) = (size / 2, size);
    let mut reader = Reader::new(bytes, window, None);
    // The start of the earliest run: where runs of a later segment stop.
    let mut earliest: Option<usize> = None;
    loop {
        let until = earliest;
        while !shared.stop.load(Ordering::Relaxed) {
            let Some((found, start)) = reader.candidate(&finder, from, limit) else { break };
            from = found + 1;
            let Some(start) = start else { continue };
            {
                let mut state = shared.lock();
                state.reading = Some(start);
                if start < shared.first.load(Ordering::Relaxed) {
                    shared.first.store(start, Ordering::Release);
                }
            }
            reader.pos = start;
            let mut backups = Chunked::default();
            let closed = reader.elements(&mut backups, Some(Ahead { shared, start, until }));
            let mut state = shared.lock();
            state.reading = None;
            if let Some(closed) = closed {
                state.runs.insert(start, Run { end: reader.pos, closed, backups });
                earliest = Some(earliest.map_or(start, |e| e.min(start)));
                from = reader.pos;
            }
            drop(state);
            shared.changed.notify_all();
            if closed == Some(false) {
                break;
            }
        }
        let main_at = shared.main_at.load(Ordering::Relaxed);
        match earliest {
            Some(first) if first.saturating_sub(main_at) >= shared.min_gap && !shared.stop.load(Ordering::Relaxed) => {
                (from, limit) = (main_at + (first - main_at) / 2, first);
            }
            _ => return,
        }
    }
}

/// The key the helper looks for: a backup's first, as AWS writes it.
const KEY: &[u8] = b"\"BackupId\"";

/// How far before a key the helper looks for the `{` and the `[` or `,` before it: whitespace
/// longer than this (no writer indents so deep) only makes it skip that guess.
const LOOK_BACK: usize = 256;

/// The helper's side of reading a run.
#[derive(Clone, Copy)]
struct Ahead<'s> {
    shared: &'s Shared,
    /// Where the run starts: once this thread is past it, the run is of no use.
    start: usize,
    /// Where a run read before starts: this one stops there.
    until: Option<usize>,
}

/// The `{` before the key at `key`, when the object it opens is an element of a list (`[` or `,`
/// before it): where a backup may start.
fn element_start(bytes: &[u8], key: usize) -> Option<usize> {
    let before = |at: usize| -> Option<usize> {
        let mut at = at;
        loop {
            at = at.checked_sub(1)?;
            if !matches!(bytes.get(at)?, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(at);
            }
        }
    };
    let brace = before(key)?;
    if bytes.get(brace) != Some(&b'{') {
        return None;
    }
    matches!(bytes.get(before(brace)?)?, b'[' | b',').then_some(brace)
}

struct Reader<'b, 's> {
    window: Window<'b>,
    pos: usize,
    /// The helper's runs (this thread); `None` in the helper.
    shared: Option<&'s Shared>,
    /// The entries of located lists: (JSON pointer, span cut to its first line).
    located: Vec<(String, ByteSpan)>,
}

impl<'b, 's> Reader<'b, 's> {
    fn new(bytes: &'b dyn Bytes, window: usize, shared: Option<&'s Shared>) -> Self {
        Reader { window: Window::new(bytes, window), pos: 0, shared, located: Vec::new() }
    }

    /// The next [`KEY`] in `from..limit` and, when it may begin a backup, where that starts.
    fn candidate(
        &mut self,
        finder: &memchr::memmem::Finder<'_>,
        from: usize,
        limit: usize,
    ) -> Option<(usize, Option<usize>)> {
        let mut from = from;
        while from < limit {
            let look = from.saturating_sub(LOOK_BACK);
            let chunk = self.window.chunk;
            let (text, ends) = self.window.from(look, (from - look) + chunk.max(KEY.len()));
            let skip = from - look;
            let seen = text.len().min(limit - look);
            if let Some(i) = text.get(skip..seen).and_then(|hay| finder.find(hay)) {
                let key = skip + i;
                return Some((look + key, element_start(text, key).map(|brace| look + brace)));
            }
            if ends || look + seen >= limit {
                return None;
            }
            // A key cut by the window's end is found in the next.
            from = (look + seen + 1).saturating_sub(KEY.len()).max(from + 1);
        }
        None
    }

    /// The next byte that is not whitespace (JSON's four), not consumed.
    fn peek(&mut self) -> Option<u8> {
        loop {
            let (text, _) = self.window.from(self.pos, 1);
            let first = text.iter().position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'));
            match first {
                Some(i) => {
                    let byte = text.get(i).copied();
                    self.pos += i;
                    return byte;
                }
                None if text.is_empty() => return None,
                None => self.pos += text.len(),
            }
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// One value read by serde_json from where the reader is: read again with more of the text
    /// when the window ends inside it (or right after it: a number might go on).
    fn value<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.peek()?;
        let mut want = 1;
        loop {
            let (text, ends) = self.window.from(self.pos, want);
            let held = text.len();
            let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<T>();
            let next = stream.next();
            let used = stream.byte_offset();
            match next {
                Some(Ok(value)) if used < held || ends => {
                    self.pos += used;
                    return Some(value);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) if e.is_eof() && !ends => {}
                _ => return None,
            }
            if ends {
                return None;
            }
            want = held.saturating_mul(2).max(held + self.window.chunk);
        }
    }

    /// The text from `start` to where the reader is (read before, so still in the window).
    fn since(&mut self, start: usize) -> Option<&[u8]> {
        let len = self.pos.checked_sub(start)?;
        let (text, _) = self.window.from(start, len);
        text.get(..len)
    }

    /// [`Reader::value`] for a value that may nest without a bound of its own (a JSON value, an
    /// IAM policy document): serde_json counts nesting from the top of the text, and read here it
    /// would count from the value. One nested deeper than [`NESTED_MAX`] is left to serde_json.
    fn nested<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.peek()?;
        let start = self.pos;
        let value = self.value()?;
        (depth(self.since(start)?) <= NESTED_MAX).then_some(value)
    }

    /// A key and its `:`; `None` for a key with an escape or a control character (serde_json
    /// would decode or refuse it: left to it).
    fn key(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut want = 64;
        loop {
            let (text, ends) = self.window.from(self.pos, want);
            match text.iter().position(|b| matches!(b, b'"' | b'\\') || *b < 0x20) {
                Some(len) => {
                    if text.get(len) != Some(&b'"') {
                        return None;
                    }
                    let key = std::str::from_utf8(text.get(..len)?).ok()?.to_string();
                    self.pos += len + 1;
                    self.eat(b':')?;
                    return Some(key);
                }
                None if ends => return None,
                None => want = text.len().saturating_mul(2).max(64),
            }
        }
    }

    /// After an element or member: `,` (`false`) or the container's `close` (`true`), consumed.
    fn comma_or(&mut self, close: u8) -> Option<bool> {
        let next = self.peek()?;
        self.pos += 1;
        match next {
            b',' => Some(false),
            _ => (next == close).then_some(true),
        }
    }

    /// An object, `each` reading the value of each key (once each: a key twice is serde's error).
    fn object(&mut self, mut each: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        // Hashed: an object of a million keys (Regions, unknown keys) must not compare each with
        // every other.
        let mut seen: std::collections::HashSet<String, foldhash::fast::RandomState> = Default::default();
        loop {
            let key = self.key()?;
            each(self, &key)?;
            if !seen.insert(key) {
                return None;
            }
            if self.comma_or(b'}')? {
                return Some(());
            }
        }
    }

    /// The whole text: what `InputFile`'s `Deserialize` reads, with nothing after it.
    fn file(&mut self) -> Option<InputFile> {
        let mut file = InputFile::default();
        self.object(|r, key| {
            match key {
                // Each read as its type, `null` included: `"accounts": null` is an error, as it
                // is to serde_json reading `InputFile`.
                "version" => file.version = Some(r.value()?),
                "collected_at" => file.collected_at = Some(r.value()?),
                "collector" => file.collector = Some(r.nested()?),
                "accounts" => file.accounts = Some(r.accounts()?),
                "FileSystems" => file.file_systems = Some(r.list("/FileSystems".into())?),
                "Backups" => file.backups = Some(r.backups()?),
                "Volumes" => file.volumes = Some(r.list("/Volumes".into())?),
                "UserDetailList" => file.users = Some(r.nested()?),
                "GroupDetailList" => file.groups = Some(r.nested()?),
                "RoleDetailList" => file.roles = Some(r.nested()?),
                "Policies" => file.policies = Some(r.nested()?),
                _ => {
                    r.value::<serde::de::IgnoredAny>()?;
                    file.unknown_keys.push(key.to_string());
                }
            }
            Some(())
        })?;
        // serde_json's `from_str`: only whitespace after the value.
        match self.peek() {
            None if !self.window.short => Some(file),
            _ => None,
        }
    }

    /// A list, `each` reading one element.
    fn array(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            each(self)?;
            if self.comma_or(b']')? {
                return Some(());
            }
        }
    }

    fn accounts(&mut self) -> Option<Vec<AccountDocument>> {
        let mut accounts = Vec::new();
        self.array(|r| {
            accounts.push(r.account(accounts.len())?);
            Some(())
        })?;
        Some(accounts)
    }

    fn account(&mut self, index: usize) -> Option<AccountDocument> {
        let (mut account_id, mut partition, mut regions, mut iam, mut errors) = (None, None, None, None, None);
        self.object(|r, key| {
            match key {
                "account_id" => account_id = Some(r.value::<String>()?),
                "partition" => partition = Some(r.value()?),
                "regions" => regions = Some(r.regions(index)?),
                "iam" => iam = Some(r.nested()?),
                "errors" => errors = Some(r.nested()?),
                _ => return None,
            }
            Some(())
        })?;
        Some(AccountDocument {
            account_id: account_id?,
            partition: partition.flatten(),
            regions: regions.unwrap_or_default(),
            iam: iam.flatten(),
            errors: errors.unwrap_or_default(),
        })
    }

    fn regions(&mut self, account: usize) -> Option<BTreeMap<String, RegionDocument>> {
        let mut regions = BTreeMap::new();
        self.object(|r, name| {
            let (mut file_systems, mut backups, mut volumes) = (None, None, None);
            let mut pointer = format!("/accounts/{account}/regions");
            crate::span::push_token(&mut pointer, name);
            r.object(|r, key| {
                // `Option<Vec<_>>`: `null` is "not collected" here.
                match key {
                    "FileSystems" | "Volumes" | "Backups" if r.peek()? == b'n' => match key {
                        "FileSystems" => file_systems = Some(r.value()?),
                        "Volumes" => volumes = Some(r.value()?),
                        _ => backups = Some(r.value()?),
                    },
                    "FileSystems" => file_systems = Some(Some(r.list(format!("{pointer}/FileSystems"))?)),
                    "Backups" => backups = Some(Some(r.backups()?)),
                    "Volumes" => volumes = Some(Some(r.list(format!("{pointer}/Volumes"))?)),
                    _ => return None,
                }
                Some(())
            })?;
            let region = RegionDocument {
                file_systems: file_systems.flatten(),
                backups: backups.flatten(),
                volumes: volumes.flatten(),
            };
            regions.insert(name.to_string(), region);
            Some(())
        })?;
        Some(regions)
    }

    /// A list of file systems or volumes, each entry's place kept under `pointer`: its span cut
    /// as [`crate::span::first_line`] cuts it, from the bytes while they are at hand.
    fn list<T: DeserializeOwned>(&mut self, pointer: String) -> Option<Vec<T>> {
        let mut list = Vec::new();
        self.array(|r| {
            r.peek()?;
            let start = r.pos;
            list.push(r.value()?);
            let span = crate::span::first_line_of(r.since(start)?);
            r.located.push((format!("{pointer}/{}", list.len() - 1), ByteSpan::new(start, start + span)));
            Some(())
        })?;
        Some(list)
    }

    /// A backups list, each backup read on its own.
    fn backups(&mut self) -> Option<Chunked<RawBackup>> {
        self.eat(b'[')?;
        let mut list = Chunked::default();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(list);
        }
        self.elements(&mut list, None)?;
        Some(list)
    }

    /// The elements of a list from the one at the reader, to the list's `]` and past it (`true`).
    /// This thread takes the helper's runs where they start. The helper (`ahead`) stops where a
    /// run it read before starts (`false`), and gives up when told to stop or when this thread
    /// has passed the run's start.
    fn elements(&mut self, list: &mut Chunked<RawBackup>, ahead: Option<Ahead<'_>>) -> Option<bool> {
        loop {
            self.peek()?;
            if let Some(shared) = self.shared
                && let Some(run) = shared.take(self.pos)
            {
                list.append(run.backups);
                self.pos = run.end;
                if run.closed {
                    return Some(true);
                }
                continue;
            }
            if let Some(ahead) = ahead {
                if ahead.until == Some(self.pos) {
                    return Some(false);
                }
                if list.len().is_multiple_of(32)
                    && (ahead.shared.stop.load(Ordering::Relaxed)
                        || ahead.shared.main_at.load(Ordering::Relaxed) > ahead.start)
                {
                    return None;
                }
            }
            list.push(self.value::<RawBackup>()?);
            if self.comma_or(b']')? {
                return Some(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// What serde_json alone reads: the reference every test compares with.
    fn alone(text: &str) -> Result<InputFile, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Read on two cores, each reader holding `window` bytes at a time (1: every value is read
    /// again and again as its window grows; a key, a number or a character is cut anywhere).
    fn two(text: &str, window: usize, gap: usize, wait: bool) -> Option<Parsed> {
        parse_with(&text.as_bytes(), window, gap, wait)
    }

    /// What a scan of the text finds for the located lists: the reference for `located`.
    fn scanned(text: &str) -> BTreeMap<String, (usize, usize)> {
        crate::span::resolve_json_patterns(text, &crate::inventory::LOCATED_LISTS)
            .into_iter()
            .map(|(pointer, node)| {
                let cut = crate::span::first_line(text, node.value);
                (pointer, (cut.start, cut.end))
            })
            .collect()
    }

    fn located(parsed: &Parsed) -> BTreeMap<String, (usize, usize)> {
        parsed.located.iter().map(|(pointer, span)| (pointer.clone(), (span.start, span.end))).collect()
    }

    /// Python's `json.dumps` separators (`, ` and `: `), as the benchmark kit writes.
    struct Spaced;

    impl serde_json::ser::Formatter for Spaced {
        fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }

    /// The value written compact (0), spaced (1), or as the AWS CLI prints (2: indented).
    fn write(value: &Value, style: u8) -> String {
        match style {
            0 => serde_json::to_string(value).unwrap(),
            1 => {
                let mut out = Vec::new();
                value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, Spaced)).unwrap();
                String::from_utf8(out).unwrap()
            }
            _ => {
                let mut out = Vec::new();
                let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
                value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, formatter)).unwrap();
                String::from_utf8(out).unwrap()
            }
        }
    }

    use serde::Serialize as _;

    /// A backup as `describe-backups` returns it; `decoy` adds a field (unknown to fsx-guard)
    /// holding a list of objects that begin with `BackupId`, where the helper may guess wrong;
    /// `reordered` puts `BackupId` after `Lifecycle`, where the helper finds no start at all.
    fn backup(n: usize, tags: usize, decoy: bool, reordered: bool) -> Value {
        const LIFECYCLES: [&str; 7] =
            ["AVAILABLE", "CREATING", "TRANSFERRING", "DELETED", "FAILED", "PENDING", "COPYING"];
        const TYPES: [&str; 3] = ["AUTOMATIC", "USER_INITIATED", "AWS_BACKUP"];
        const FILE_SYSTEMS: [&str; 4] = ["OPENZFS", "WINDOWS", "LUSTRE", "ONTAP"];
        let id = format!("backup-{n:017x}");
        let lifecycle = LIFECYCLES[n % LIFECYCLES.len()];
        let mut map = serde_json::Map::new();
        if reordered {
            map.insert("Lifecycle".into(), json!(lifecycle));
        }
        map.insert("BackupId".into(), json!(id));
        map.insert("Lifecycle".into(), json!(lifecycle));
        if lifecycle == "FAILED" {
            map.insert("FailureDetails".into(), json!({"Message": "a \"quoted\" reason \u{e9} \\ /"}));
        }
        map.insert("Type".into(), json!(TYPES[n % TYPES.len()]));
        map.insert("ProgressPercent".into(), json!(n % 101));
        map.insert("CreationTime".into(), json!("2025-05-01T00:00:00.123000+00:00"));
        map.insert("KmsKeyId".into(), json!(format!("arn:aws:kms:us-east-1:123456789012:key/k{}", n % 4)));
        map.insert("ResourceARN".into(), json!(format!("arn:aws:fsx:us-east-1:123456789012:backup/{id}")));
        map.insert(
            "Tags".into(),
            Value::Array((0..tags).map(|t| json!({"Key": format!("k{t}"), "Value": format!("v{}", n % 7)})).collect()),
        );
        if decoy {
            map.insert("Decoy".into(), json!([{"BackupId": "backup-0", "x": [1, 2]}, {"BackupId": "backup-1"}]));
        }
        let file_system_id = format!("fs-{:017x}", n / 5);
        if n.is_multiple_of(11) {
            // An ONTAP volume backup: `Volume`, no `FileSystem`.
            map.insert("ResourceType".into(), json!("VOLUME"));
            map.insert(
                "Volume".into(),
                json!({"FileSystemId": file_system_id, "VolumeId": format!("fsvol-{n:017x}"), "Name": "vol1"}),
            );
        } else {
            map.insert("ResourceType".into(), json!("FILE_SYSTEM"));
            map.insert(
                "FileSystem".into(),
                json!({"OwnerId": "123456789012", "FileSystemId": file_system_id, "FileSystemType": FILE_SYSTEMS[n % FILE_SYSTEMS.len()],
                       "StorageType": "SSD", "Tags": [{"Key": "team", "Value": "a"}], "SubnetIds": ["subnet-1"],
                       "OpenZFSConfiguration": {"RootVolumeConfiguration": {"NfsExports": [{"ClientConfigurations": [{"Clients": "*"}]}]}}}),
            );
        }
        map.insert("OwnerId".into(), json!("123456789012"));
        if n.is_multiple_of(4) {
            // A copy, from another Region.
            map.insert("SourceBackupId".into(), json!(format!("backup-{:017x}", n + 1)));
            map.insert("SourceBackupRegion".into(), json!("us-west-2"));
        }
        Value::Object(map)
    }

    fn file_system(n: usize) -> Value {
        json!({"OwnerId": "123456789012", "FileSystemId": format!("fs-{n:017x}"), "FileSystemType": "OPENZFS",
               "Lifecycle": "AVAILABLE", "Tags": [{"Key": "team", "Value": "a"}],
               "OpenZFSConfiguration": {"AutomaticBackupRetentionDays": 7, "CopyTagsToBackups": true}})
    }

    /// One Region block: each list absent (`None`), `null` (`Some(None)`) or of that many entries.
    type Block = (Option<Option<usize>>, Option<Option<usize>>, Option<Option<usize>>);

    fn document(accounts: &[Vec<(&str, Block)>], shape: &BackupShape) -> Value {
        let mut next = 0usize;
        let accounts: Vec<Value> = accounts
            .iter()
            .enumerate()
            .map(|(a, regions)| {
                let mut blocks = serde_json::Map::new();
                for (name, (file_systems, backups, volumes)) in regions {
                    let mut block = serde_json::Map::new();
                    if let Some(file_systems) = file_systems {
                        block.insert(
                            "FileSystems".into(),
                            file_systems.map_or(Value::Null, |n| Value::Array((0..n).map(file_system).collect())),
                        );
                    }
                    if let Some(backups) = backups {
                        let list = backups.map_or(Value::Null, |n| {
                            Value::Array(
                                (0..n)
                                    .map(|_| {
                                        next += 1;
                                        shape.backup(next)
                                    })
                                    .collect(),
                            )
                        });
                        block.insert("Backups".into(), list);
                    }
                    if let Some(volumes) = volumes {
                        block.insert(
                            "Volumes".into(),
                            volumes.map_or(Value::Null, |n| {
                                Value::Array(
                                    (0..n).map(|v| json!({"VolumeId": format!("fsvol-{v:017x}"), "FileSystemId": "fs-00000000000000001"})).collect(),
                                )
                            }),
                        );
                    }
                    blocks.insert((*name).to_string(), Value::Object(block));
                }
                json!({"account_id": format!("12345678901{a}"), "partition": "aws", "regions": blocks})
            })
            .collect();
        json!({"version": 1, "collected_at": "2025-06-01T12:00:00Z", "accounts": accounts})
    }

    #[derive(Debug, Clone)]
    struct BackupShape {
        tags: usize,
        /// Every n-th backup carries a decoy (0: none).
        decoy_every: usize,
        /// Every n-th backup has `BackupId` second (0: none).
        reordered_every: usize,
    }

    impl BackupShape {
        fn backup(&self, n: usize) -> Value {
            let every = |k: usize| k != 0 && n.is_multiple_of(k);
            backup(n, n % (self.tags + 1), every(self.decoy_every), every(self.reordered_every))
        }
    }

    const PLAIN: BackupShape = BackupShape { tags: 2, decoy_every: 0, reordered_every: 0 };

    /// Two cores read what serde_json reads, locate what the scan locates, and (the helper
    /// waited for) this thread takes the helper's first run: each written as compact, spaced and
    /// CLI-indented text.
    #[test]
    fn reads_what_serde_json_reads_and_takes_the_helpers_runs() {
        let regions = vec![
            ("us-east-1", (Some(Some(3)), Some(Some(400)), Some(Some(2)))),
            ("eu-west-1", (Some(None), Some(Some(300)), None)),
            ("us-west-2", (None, Some(None), Some(None))),
            ("ap-south-1", (Some(Some(0)), Some(Some(0)), Some(Some(0)))),
        ];
        let value = document(&[regions.clone(), regions], &PLAIN);
        for (style, window) in (0..3).flat_map(|style| [1, 61, 4096, WINDOW].map(|window| (style, window))) {
            let text = write(&value, style);
            let expected = alone(&text).unwrap();
            let parsed = two(&text, window, 64, true).expect("read on two cores");
            assert_eq!(parsed.file, expected, "style {style}, window {window}");
            assert_eq!(located(&parsed), scanned(&text), "style {style}, window {window}");
            assert_eq!(parsed.located.len(), 2 * (3 + 2), "style {style}, window {window}");
            assert!(parsed.runs_taken >= 1, "style {style}, window {window}: the helper's runs were not taken");
            let backups: usize = parsed
                .file
                .accounts
                .iter()
                .flatten()
                .flat_map(|a| a.regions.values())
                .filter_map(|r| r.backups.as_ref())
                .map(Chunked::len)
                .sum();
            assert_eq!(backups, 1400, "style {style}, window {window}");
        }
    }

    /// AWS CLI output (`aws fsx describe-backups`): one top-level list.
    #[test]
    fn reads_cli_output() {
        let value = json!({"Backups": (1..=900).map(|n| PLAIN.backup(n)).collect::<Vec<_>>(), "NextToken": "abc"});
        for style in 0..3 {
            let text = write(&value, style);
            let parsed = two(&text, 300, 64, true).expect("read on two cores");
            assert_eq!(parsed.file, alone(&text).unwrap());
            assert_eq!(parsed.file.unknown_keys, vec!["NextToken".to_string()]);
            assert!(parsed.runs_taken >= 1);
        }
    }

    /// Decoys (nested lists of objects that begin with `BackupId`) and backups whose `BackupId`
    /// is not first: the helper guesses wrong or finds nothing; what is read is still exact.
    #[test]
    fn wrong_guesses_cost_nothing_but_time() {
        for shape in [
            BackupShape { tags: 3, decoy_every: 1, reordered_every: 0 },
            BackupShape { tags: 1, decoy_every: 7, reordered_every: 3 },
            BackupShape { tags: 0, decoy_every: 0, reordered_every: 1 },
        ] {
            let value = document(&[vec![("us-east-1", (Some(Some(2)), Some(Some(700)), None))]], &shape);
            let text = write(&value, 0);
            let parsed = two(&text, 97, 64, true).expect("read on two cores");
            assert_eq!(parsed.file, alone(&text).unwrap(), "{shape:?}");
            assert_eq!(located(&parsed), scanned(&text));
        }
    }

    /// Whatever serde_json refuses, two cores refuse too (the caller then lets serde_json say
    /// where); what is outside the common shape is left to serde_json even when it is valid.
    #[test]
    fn refuses_what_serde_json_refuses_and_leaves_the_unusual_to_it() {
        let good = write(&document(&[vec![("us-east-1", (Some(Some(1)), Some(Some(50)), None))]], &PLAIN), 0);
        let refused = [
            good.replacen(r#""Type":"AUTOMATIC""#, r#""Type":7"#, 1),
            good.replacen(r#""Lifecycle":"AVAILABLE","#, r#""Lifecycle":"AVAILABLE","Lifecycle":"AVAILABLE","#, 1),
            good.replacen("}]}}}]}", "},]}}}]}", 1),
            good.replacen(r#""version":1"#, r#""version":null"#, 1),
            good.replacen(r#""accounts":["#, r#""accounts":null,"x":["#, 1),
            good.replacen(r#""partition":"aws""#, r#""partition":"aws","extra":1"#, 1),
            good.replacen(r#""us-east-1":{"#, r#""us-east-1":{"Snapshots":[],"#, 1),
            format!("{good} x"),
            good[..good.len() / 2].to_string(),
            good.replacen(r#"{"BackupId""#, r#"{"BackupId":"a","BackupId""#, 1),
        ];
        for (i, text) in refused.iter().enumerate() {
            assert!(alone(text).is_err(), "case {i} should be an error to serde_json");
            for window in [1, 13, WINDOW] {
                assert!(two(text, window, 64, true).is_none(), "case {i}, window {window}");
            }
        }
        // Valid, but an escape in a key, a Region twice and a region block written as a list
        // are serde_json's to judge.
        let unusual = [
            good.replacen(r#""account_id""#, r#""account\u005fid""#, 1),
            good.replacen(r#""regions":{"us-east-1":{"#, r#""regions":{"us-east-1":{},"us-east-1":{"#, 1),
        ];
        for (i, text) in unusual.iter().enumerate() {
            assert!(two(text, 13, 64, true).is_none(), "unusual case {i}");
        }
    }

    /// A value nested near serde_json's limit of 128: whatever two cores return is what
    /// serde_json returns (left to it past 120 levels, where counting from the value or from the
    /// top of the text could differ).
    #[test]
    fn deep_values_are_read_as_serde_json_reads_them() {
        let good = write(&document(&[vec![("us-east-1", (Some(Some(1)), Some(Some(60)), None))]], &PLAIN), 0);
        for levels in [1, 100, 120, 121, 125, 126, 127, 128, 129] {
            let nested = format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
            for text in [
                good.replacen(r#""version":1"#, &format!(r#""collector":{nested},"version":1"#), 1),
                good.replacen(
                    r#""partition":"aws""#,
                    &format!(r#""partition":"aws","errors":[{{"message":{nested}}}]"#),
                    1,
                ),
            ] {
                match (alone(&text), two(&text, 50, 64, true)) {
                    (Ok(expected), Some(parsed)) => assert_eq!(parsed.file, expected, "{levels}"),
                    (Err(_), Some(_)) => panic!("{levels} levels: serde_json refuses it, two cores read it"),
                    (Ok(_), None) => assert!(levels > NESTED_MAX - 2, "{levels} levels left to serde_json"),
                    (Err(_), None) => {}
                }
            }
        }
        assert_eq!(depth(br#"{"a": "[[[{", "b": [[1], {"c": "\"]"}]}"#), 3);
    }

    /// Objects of many keys (unknown top-level keys, Regions) cost a hash each, not a comparison
    /// with every key before: 200,000 of each read in seconds by both readers in a debug build
    /// (compared pairwise, 60,000 took 19 s: 200,000 would take minutes).
    #[test]
    fn many_keys_are_not_quadratic() {
        let keys: Vec<String> = (0..200_000).map(|i| format!(r#""k{i}":1"#)).collect();
        let text = format!(r#"{{"version":1,{},"accounts":[]}}"#, keys.join(","));
        let started = std::time::Instant::now();
        let expected = alone(&text).unwrap();
        assert_eq!(expected.unknown_keys.len(), 200_000);
        assert_eq!(two(&text, WINDOW, 64, true).expect("read on two cores").file, expected);
        let regions: Vec<String> = (0..200_000).map(|i| format!(r#""r{i}":{{}}"#)).collect();
        let text = format!(
            r#"{{"version":1,"accounts":[{{"account_id":"123456789012","regions":{{{}}}}}]}}"#,
            regions.join(",")
        );
        let expected = alone(&text).unwrap();
        assert_eq!(two(&text, WINDOW, 64, true).expect("read on two cores").file, expected);
        // A hang detector, not a benchmark: the bound is many times what it takes.
        assert!(started.elapsed() < std::time::Duration::from_secs(90), "{:?}", started.elapsed());
    }

    fn block() -> impl Strategy<Value = Block> {
        let list =
            |max: usize| prop_oneof![1 => Just(None), 1 => Just(Some(None)), 6 => (0..max).prop_map(|n| Some(Some(n)))];
        (list(4), list(160), list(3))
    }

    fn documents() -> impl Strategy<Value = String> {
        let names = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"];
        let account = proptest::collection::vec((0..names.len(), block()), 0..5).prop_map(move |blocks| {
            blocks.into_iter().map(|(i, b)| (names[i], b)).collect::<BTreeMap<_, _>>().into_iter().collect::<Vec<_>>()
        });
        let shape = (0usize..4, 0usize..9, 0usize..9).prop_map(|(tags, decoy_every, reordered_every)| BackupShape {
            tags,
            decoy_every,
            reordered_every,
        });
        (proptest::collection::vec(account, 0..3), shape, 0u8..3)
            .prop_map(|(accounts, shape, style)| write(&document(&accounts, &shape), style))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any document: read exactly as serde_json reads it, located as a scan locates it,
        /// whether or not the helper is waited for (its runs landed on or not).
        #[test]
        fn any_document_reads_as_serde_json_reads_it(
            text in documents(),
            wait in any::<bool>(),
            gap in 16usize..4096,
            window in prop_oneof![1usize..64, 64usize..8192],
        ) {
            let parsed = two(&text, window, gap, wait).expect("read on two cores");
            prop_assert_eq!(&parsed.file, &alone(&text).unwrap());
            prop_assert_eq!(located(&parsed), scanned(&text));
        }

        /// A document with one byte changed, added or cut off: whatever two cores return is what
        /// serde_json returns; serde_json's errors are never read past.
        #[test]
        fn a_damaged_document_is_refused_or_read_exactly(
            text in documents(),
            at in any::<proptest::sample::Index>(),
            damage in 0u8..4,
            window in 1usize..512,
            byte in prop::sample::select(vec![b',', b']', b'}', b'"', b'\\', b'{', b'[', b'x', b'1', b' ']),
        ) {
            let mut bytes = text.into_bytes();
            let i = at.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
            match damage {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                2 => bytes.truncate(i),
                _ => bytes[i] = byte,
            }
            let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
            match (alone(&text), two(&text, window, 64, true)) {
                (Ok(expected), Some(parsed)) => prop_assert_eq!(parsed.file, expected),
                (Err(e), Some(_)) => prop_assert!(false, "serde_json refuses it ({e}), two cores read it"),
                (_, None) => {}
            }
        }
    }
}

//! Inventory sources: each input kind turns its text into the one inventory model, so rules
//! never know where a resource came from. `wire` reads the text (typed, with a lenient re-read
//! for values of the wrong type), `document` and `aws_cli` place what each form holds, and
//! `resource` converts one file system, volume, backup or IAM entry, recording what it cannot
//! understand. This module reads files, merges them and turns problems into diagnostics.
//!
//! Each file is deserialised straight into typed structs (no generic JSON tree), converted into
//! the model with every problem recorded at its JSON pointer, then merged. Problems are turned
//! into one diagnostic per file only when there are some, so the happy path never computes a
//! position.

mod aws_cli;
pub mod cloudformation;
mod document;
pub mod live;
mod planned;
mod planned_iam;
mod resource;
mod streamed;
mod terraform_hcl;
mod terraform_plan;
mod two_cores;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::iam::Iam;
use super::{Account, DataKind, Inventory, SourceFile, SourceFormat, Unreadable};
use crate::diag::{self, FileDiagnostic, Problem};
use crate::inventory::model::{Backup, FileSystem, Origin, Volume};
use crate::regions::Partition;
use crate::span::{self, ByteSpan};
use wire::{IamLists, InputFile, TOP_LEVEL_KEYS, parse_json, parse_yaml};

/// Warnings about one file printed in full; the rest are counted.
const MAX_ISSUES_SHOWN: usize = 20;

/// YAML inventories are for small hand-written fixtures.
const YAML_LIMIT: u64 = 64 * 1024 * 1024;
/// JSON inventories may be large, but not larger than memory can sensibly hold.
const JSON_LIMIT: u64 = 8 * 1024 * 1024 * 1024;

/// What infrastructure code cannot say about itself: the account and the default Region its
/// resources are planned in (`--account`, `--region`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub account: Option<String>,
    pub region: Option<String>,
    /// CloudFormation parameter values (`--parameter KEY=VALUE`).
    pub parameters: Vec<(String, String)>,
    /// Terraform variable values (`--var NAME=VALUE`) and files (`--var-file PATH`).
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<PathBuf>,
    /// Where to look for the `.tf` files behind a plan (default: the current directory).
    pub source_root: Option<PathBuf>,
    /// Let go of the text of a saved JSON inventory file at least this large as soon as it is
    /// parsed ([`SourceFile::released`]): the model is built without it, and it is read again
    /// only for a diagnostic or a report that needs a place. `None` keeps every text.
    pub release_texts_above: Option<usize>,
}

/// Loads and merges inventory files.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, crate::Error> {
    load_with(paths, &Options::default())
}

/// Loads and merges inventory files and infrastructure code (a directory is a Terraform
/// configuration).
pub fn load_with(paths: &[PathBuf], options: &Options) -> Result<Inventory, crate::Error> {
    let (inventory, unsettled) = load_unsettled(paths, options)?;
    unsettled.settle(&inventory)?;
    Ok(inventory)
}

/// As [`load_with`], without waiting for the SHA-256 of a large file read in place, nor for the
/// check that it was UTF-8 and did not change while read: [`Unsettled::settle`] does, and must
/// succeed before anything judged on the inventory is reported.
pub fn load_unsettled(paths: &[PathBuf], options: &Options) -> Result<(Inventory, Unsettled), crate::Error> {
    let mut texts = Vec::with_capacity(paths.len());
    let mut dirs = Vec::new();
    for path in paths {
        if path.is_dir() {
            dirs.push((path.clone(), display_path(path)));
            continue;
        }
        let display = display_path(path);
        let yaml = is_yaml(path);
        // A large saved JSON inventory is read from its file while it is parsed.
        if !yaml
            && let Some(above) = options.release_texts_above
            && let Some(open) = streamed::OpenFile::open(path, above.max(two_cores::TWO_CORES_ABOVE), JSON_LIMIT)
        {
            crate::timings::mark("opened");
            texts.push((display, Input::File(Arc::new(open)), SourceFormat::Json));
            continue;
        }
        let (limit, limit_text) = if yaml {
            (YAML_LIMIT, "YAML inventories are limited to 64 MiB: save large inventories as JSON")
        } else {
            (JSON_LIMIT, "JSON inventories are limited to 8 GiB")
        };
        let text = diag::read_text(path, &display, limit, limit_text)?;
        crate::timings::mark("read");
        texts.push((display, Input::Text(text), if yaml { SourceFormat::Yaml } else { SourceFormat::Json }));
    }
    load_inputs(texts, dirs, options)
}

/// Loads and merges inventories already in memory: (name, text, format).
pub fn load_texts(texts: Vec<(String, Arc<String>, SourceFormat)>) -> Result<Inventory, crate::Error> {
    load_texts_with(texts, &Options::default())
}

/// As [`load_texts`], with the options infrastructure code needs.
pub fn load_texts_with(
    texts: Vec<(String, Arc<String>, SourceFormat)>,
    options: &Options,
) -> Result<Inventory, crate::Error> {
    let inputs = texts.into_iter().map(|(display, text, format)| (display, Input::Text(text), format)).collect();
    let (inventory, unsettled) = load_inputs(inputs, Vec::new(), options)?;
    unsettled.settle(&inventory)?;
    Ok(inventory)
}

/// An input: its text, or (a large saved JSON inventory) its file, read while it is parsed.
enum Input {
    Text(Arc<String>),
    File(Arc<streamed::OpenFile>),
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Bytes in lower-case hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A source that is infrastructure code (a plan, a template), not a saved inventory.
fn mark_code(inventory: &mut Inventory, source: usize) {
    if let Some(file) = inventory.sources.get_mut(source) {
        file.code = true;
    }
}

/// Loads files already in memory and Terraform configuration directories: (path, display).
fn load_inputs(
    texts: Vec<(String, Input, SourceFormat)>,
    dirs: Vec<(PathBuf, String)>,
    options: &Options,
) -> Result<(Inventory, Unsettled), crate::Error> {
    let mut inventory = Inventory::default();
    // Equal tag lists (a file system's, copied to each of its backups) and repeated ids become
    // one allocation each.
    let _interner = crate::inventory::model::Interner::start();
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut merged = Merged::default();
    let mut diagnostics = Vec::new();
    // Reports name every input by its SHA-256, found on the other core while this one parses, and
    // large JSON inputs' file systems and volumes by their place: found while reading, or by that
    // thread for a text serde_json read alone. A file read in place is hashed, and its lines
    // found, by a thread of its own (`streamed::Background`); its job here only keeps the order.
    enum Job {
        Text(Arc<String>, bool),
        /// A file read in place: hashed by its own thread ([`streamed::Background`]).
        Elsewhere,
    }
    let hashing: Vec<Job> = texts
        .iter()
        .map(|(_, input, format)| match input {
            Input::Text(text) => Job::Text(Arc::clone(text), located_while_loading(text, *format)),
            Input::File(_) => Job::Elsewhere,
        })
        .collect();
    // One result per input, in order, as each is done: a text can be let go of once its own hash
    // is known. The thread drops each text before it sends its result, so that the memory is
    // freed by this thread (and reused here at once: freed by the other, it would not be).
    let (sender, hashes) = std::sync::mpsc::channel::<Hashed>();
    // For each text to locate, in order, whether the thread must scan it for where the entries
    // are (`false`: the reading found them). Sent by this thread after each read.
    let (found_sender, found) = std::sync::mpsc::channel::<bool>();
    let hasher = std::thread::Builder::new()
        .name("sha256".into())
        .spawn(move || {
            for job in hashing {
                let hashed = match job {
                    Job::Text(text, locate) => {
                        let sha256 = sha256_hex(text.as_bytes());
                        // Read the usual way, the text is scanned for them here.
                        let located = (locate && found.recv().unwrap_or(true)).then(|| {
                            let spans = span::resolve_json_patterns(&text, &super::LOCATED_LISTS);
                            Arc::new(span::places(&text, spans).into_iter().collect::<HashMap<_, _>>())
                        });
                        drop(text);
                        Hashed { sha256, located }
                    }
                    Job::Elsewhere => Hashed { sha256: String::new(), located: None },
                };
                if sender.send(hashed).is_err() {
                    break;
                }
            }
        })
        .ok();
    let mut unsettled = Unsettled {
        hashes,
        hashed: Vec::with_capacity(texts.len()),
        hasher,
        sources: Vec::with_capacity(texts.len()),
        in_place: BTreeMap::new(),
    };

    'inputs: for (display, input, format) in texts {
        let source = inventory.sources.len();
        let job = unsettled.sources.len();
        unsettled.sources.push(source);
        let (text, streamed) = match input {
            Input::Text(text) => (text, None),
            Input::File(file) => 'file: {
                inventory.sources.push(SourceFile {
                    path: display.clone(),
                    text: Arc::new(String::new()),
                    format,
                    code: false,
                    sha256: OnceLock::new(),
                    released: true,
                    located: OnceLock::new(),
                });
                let background = streamed::Background::start(&file);
                let parsed = two_cores::parse_bytes(file.as_ref());
                // Not of the common shape, or an error somewhere: read whole, as any other
                // input, for serde_json to read (and say where).
                let Some(parsed) = parsed else {
                    let text =
                        diag::read_text(&file.path, &display, JSON_LIMIT, "JSON inventories are limited to 8 GiB")?;
                    inventory.sources.pop();
                    crate::timings::mark("read whole after all");
                    break 'file (text, Some((file, background)));
                };
                crate::timings::mark(format_args!("read from the file on two cores, {} runs", parsed.runs_taken));
                // Its hash, lines and places come later: its own thread (`background`) reads it
                // again while it is converted and judged.
                unsettled.in_place.insert(job, InPlace { display, file, background, spans: parsed.located });
                let mut loader = FileLoader::new(source);
                convert(&mut loader, parsed.file, &mut inventory, &mut merged);
                if !loader.issues.is_empty() {
                    // Warnings quote the file, read again and used only if it is what was
                    // hashed: the hash first.
                    unsettled.settle_one(job, &inventory)?;
                }
                absorb(loader, &mut inventory, &mut merged, &mut problems);
                crate::timings::mark("merged");
                continue 'inputs;
            }
        };
        inventory.sources.push(SourceFile {
            path: display.clone(),
            text: Arc::clone(&text),
            format,
            code: false,
            sha256: OnceLock::new(),
            released: false,
            located: OnceLock::new(),
        });
        let mut loader = FileLoader::new(source);
        let mut located: wire::Located = None;
        let mut parse_json = |text: &str| {
            // A file the two-core reader handed back is not given to it again.
            parse_json(text, streamed.is_none()).map(|(file, found)| {
                located = found;
                file
            })
        };
        let parsed = if format == SourceFormat::Json && terraform_plan::looks_like(&text) {
            match terraform_plan::convert(&text, options, &mut loader, &mut inventory) {
                Ok(true) => {
                    mark_code(&mut inventory, source);
                    Ok(None)
                }
                Ok(false) => parse_json(&text).map(Some),
                Err(e) => Err(e),
            }
        } else if cloudformation::looks_like(&text) {
            match cloudformation::convert(&text, format, &display, options, &mut loader, &mut inventory) {
                Ok(true) => {
                    mark_code(&mut inventory, source);
                    Ok(None)
                }
                Ok(false) => match format {
                    SourceFormat::Json => parse_json(&text),
                    SourceFormat::Yaml | SourceFormat::Hcl => parse_yaml(&text),
                }
                .map(Some),
                Err(e) => Err(e),
            }
        } else {
            match format {
                SourceFormat::Json => parse_json(&text),
                SourceFormat::Yaml | SourceFormat::Hcl => parse_yaml(&text),
            }
            .map(Some)
        };
        if located_while_loading(&text, format) {
            let found = located.is_some();
            if let Some(spans) = located
                && let Some(file) = inventory.sources.get_mut(source)
            {
                // Places are lines and columns: one pass over the text, before it is released.
                let places = span::places_of_values(&text, spans);
                file.located = OnceLock::from(Arc::new(places.into_iter().collect::<HashMap<_, _>>()));
                crate::timings::mark("located");
            } else if streamed.is_some()
                && let Some(file) = inventory.sources.get_mut(source)
            {
                // The hashing thread read the file, not this text: it does not scan it.
                let spans = span::resolve_json_patterns(&text, &super::LOCATED_LISTS);
                file.located =
                    OnceLock::from(Arc::new(span::places(&text, spans).into_iter().collect::<HashMap<_, _>>()));
            }
            if streamed.is_none() {
                // The hashing thread waits for this (an error only means it is gone).
                let _ = found_sender.send(!found);
            }
        }
        let file = match parsed {
            Ok(file) => file,
            Err((message, offset)) => {
                diagnostics.push(FileDiagnostic::single(
                    &display,
                    &text,
                    format!("inventory `{display}` cannot be parsed: {message}"),
                    ByteSpan::new(offset, offset),
                    &message,
                    Some("an inventory is an inventory document or the JSON output of `aws fsx describe-file-systems`, `aws fsx describe-backups` or `aws iam get-account-authorization-details`".into()),
                ));
                continue;
            }
        };
        crate::timings::mark("parsed");
        let releasable = options.release_texts_above.is_some_and(|above| text.len() >= above)
            && format == SourceFormat::Json
            && file.is_some()
            && Path::new(&display).is_file();
        drop(text);
        if releasable
            && let Some(Hashed { sha256, located }) = unsettled.hash_of(job)
            && let Some(source_file) = inventory.sources.get_mut(source)
        {
            // A file read whole after all was hashed as read in place: the same bytes only if it
            // did not change meanwhile.
            let sha256 = match streamed {
                None => sha256,
                Some((file, background)) => match background.finish() {
                    Ok((sha256, _)) if file.unchanged() => sha256,
                    _ => return Err(changed_while_read(display)),
                },
            };
            // The model owns what it needs: the text (most of the memory) goes before converting.
            source_file.sha256 = OnceLock::from(sha256);
            if let Some(located) = located {
                source_file.located = OnceLock::from(located);
            }
            source_file.text = Arc::new(String::new());
            source_file.released = true;
            crate::timings::mark("hashed and released");
        }
        convert_and_absorb(loader, file, &mut inventory, &mut merged, &mut problems);
    }
    for (dir, display) in dirs {
        if let Some(loader) = terraform_hcl::load(&dir, &display, options, &mut inventory, &mut diagnostics) {
            absorb(loader, &mut inventory, &mut merged, &mut problems);
        }
    }

    // Sorted before the diagnostics are built: the same backup read twice is found then.
    inventory.finish();
    crate::timings::mark("sorted");
    merge_duplicate_backups(&mut inventory, &mut problems);
    // Problems found while merging may belong to an earlier file: group them by file.
    let mut by_source: BTreeMap<usize, Vec<Problem>> = BTreeMap::new();
    for (source, problem) in problems {
        by_source.entry(source).or_default().push(problem);
    }
    for (source, problems) in by_source {
        if let Some(file) = inventory.sources.get(source) {
            let file = file.with_text_or_released();
            let located = locate(&file, problems);
            diagnostics.push(FileDiagnostic::from_problems(&file.path, &file.text, "inventory", located));
        }
    }
    match diagnostics.len() {
        0 => Ok((inventory, unsettled)),
        1 => Err(diagnostics
            .into_iter()
            .next()
            .map_or(crate::Error::Internal("lost a diagnostic".into()), |d| crate::Error::File(Box::new(d)))),
        _ => Err(crate::Error::Files { diagnostics }),
    }
}

/// Converts what a file held (`None`: its loader already did, as for infrastructure code) with
/// the merge so far lent to its loader, then takes the loader's findings into the inventory.
fn convert_and_absorb(
    mut loader: FileLoader,
    file: Option<InputFile>,
    inventory: &mut Inventory,
    merged: &mut Merged,
    problems: &mut Vec<(usize, Problem)>,
) {
    if let Some(file) = file {
        convert(&mut loader, file, inventory, merged);
    }
    absorb(loader, inventory, merged, problems);
    crate::timings::mark("merged");
}

/// Converts what a file held with the merge so far lent to its loader.
fn convert(loader: &mut FileLoader, file: InputFile, inventory: &mut Inventory, merged: &mut Merged) {
    loader.merged = std::mem::take(merged);
    loader.convert(file, inventory);
    *merged = std::mem::take(&mut loader.merged);
    crate::timings::mark("converted");
}

/// What the hashing thread still owes a loaded inventory: every input's SHA-256 and, for a
/// large file read in place, the proof that it was UTF-8 and did not change while it was read,
/// and the places of its file systems and volumes (which need its lines). The loader does not
/// wait for a file read in place (that thread reads it while it is converted, indexed and
/// judged): `check` settles after evaluating, before anything is reported; every other caller
/// at once.
pub struct Unsettled {
    hashes: std::sync::mpsc::Receiver<Hashed>,
    /// What the thread sent so far, by input; taken when used.
    hashed: Vec<Option<Hashed>>,
    hasher: Option<std::thread::JoinHandle<()>>,
    /// Each input's place in `Inventory::sources`, in the thread's order.
    sources: Vec<usize>,
    /// The inputs read in place, by their place in that order.
    in_place: BTreeMap<usize, InPlace>,
}

/// A large file read in place, waiting for its hash and lines.
struct InPlace {
    display: String,
    file: Arc<streamed::OpenFile>,
    background: streamed::Background,
    /// Its file systems and volumes, found while it was read (cut to their first lines).
    spans: Vec<(String, ByteSpan)>,
}

impl Unsettled {
    /// What the thread found for input `i`, waiting for it if need be; `None` when the thread
    /// failed or it was taken already.
    fn hash_of(&mut self, i: usize) -> Option<Hashed> {
        while self.hashed.len() <= i {
            self.hashed.push(Some(self.hashes.recv().ok()?));
        }
        self.hashed.get_mut(i)?.take()
    }

    /// Waits for the hashing thread and completes every input's SHA-256 and places. A file read
    /// in place that was not UTF-8 text, or changed while it was read, is an input error (exit
    /// 2): nothing judged on it may be reported.
    pub fn settle(mut self, inventory: &Inventory) -> Result<(), crate::Error> {
        for job in 0..self.sources.len() {
            self.settle_one(job, inventory)?;
        }
        if let Some(hasher) = self.hasher.take() {
            let _ = hasher.join();
        }
        crate::timings::mark("settled");
        Ok(())
    }

    fn settle_one(&mut self, job: usize, inventory: &Inventory) -> Result<(), crate::Error> {
        let Some(file) = self.sources.get(job).and_then(|&source| inventory.sources.get(source)) else {
            return Ok(());
        };
        let Some(InPlace { display, file: open, background, spans }) = self.in_place.remove(&job) else {
            // A text: its hash and the places the thread found, unless they were set already.
            if let Some(Hashed { sha256, located }) = self.hash_of(job)
                && !sha256.is_empty()
            {
                let _ = file.sha256.set(sha256);
                if let Some(located) = located {
                    let _ = file.located.set(located);
                }
            }
            return Ok(());
        };
        let (sha256, lines) = match background.finish() {
            Ok((sha256, lines)) if open.unchanged() => (sha256, lines),
            Err(streamed::Fault::NotUtf8(offset)) => {
                return Err(diag::InputError::NotUtf8 { path: display, offset }.into());
            }
            _ => return Err(changed_while_read(display)),
        };
        let places =
            span::places_indexed(&lines, spans, |offset, buf| two_cores::Bytes::read_into(open.as_ref(), offset, buf));
        let _ = file.sha256.set(sha256);
        let _ = file.located.set(Arc::new(places.into_iter().collect()));
        crate::timings::mark("located");
        Ok(())
    }
}

/// A file read in place that did not stay the same while it was read (its size or modification
/// time moved, or it ended early): judging it would mix two versions.
fn changed_while_read(path: String) -> crate::Error {
    diag::InputError::Unreadable { path, reason: "it changed while it was read".into() }.into()
}

/// Whether where a text's file systems and volumes are is found while it loads: a large JSON text,
/// which may be let go of before reports need those places.
fn located_while_loading(text: &str, format: SourceFormat) -> bool {
    format == SourceFormat::Json && text.len() >= crate::RELEASE_TEXT_ABOVE
}

/// What the hashing thread found for one text: its SHA-256 and, when it scanned it, where its
/// file systems and volumes are. Empty for a file read in place (its own thread hashes it).
struct Hashed {
    sha256: String,
    located: Option<Arc<HashMap<String, span::Place>>>,
}

/// Takes what one input's loader found into the inventory: problems, warnings, what could not
/// be read, and its resources.
fn absorb(loader: FileLoader, inventory: &mut Inventory, merged: &mut Merged, problems: &mut Vec<(usize, Problem)>) {
    let source = loader.source;
    problems.extend(loader.problems.into_iter().map(|p| (source, p)));
    problems.append(&mut merged.problems);
    if !loader.issues.is_empty()
        && let Some(file) = inventory.sources.get(source)
    {
        let file = file.with_text_or_released();
        // One warning each (labels far apart in one diagnostic would print every line
        // between them), the first ones in full.
        let total = loader.issues.len();
        let located = locate(&file, loader.issues.into_iter().take(MAX_ISSUES_SHOWN).collect());
        for one in located {
            let diagnostic = FileDiagnostic::from_findings(&file.path, &file.text, "inventory", "warnings", vec![one]);
            inventory.warnings.push(Arc::new(diagnostic.into()));
        }
        if total > MAX_ISSUES_SHOWN {
            let rest = FileDiagnostic::single(
                &file.path,
                &file.text,
                format!("inventory `{}`: {} more warnings are not shown", file.path, total - MAX_ISSUES_SHOWN),
                ByteSpan::new(0, 0),
                "",
                None,
            );
            inventory.warnings.push(Arc::new(rest.into()));
        }
    }
    for (account, unreadable) in loader.unreadable {
        match account {
            Some(account) => {
                // The account exists in the inventory even if this was all it held.
                let partition = inventory.accounts.get(&account).map_or(Partition::Aws, |a| a.partition);
                inventory.account_mut(&account, partition).unreadable.push(unreadable);
            }
            None => inventory.unplaced.push(unreadable),
        }
    }
    for resource in loader.resources {
        merge(inventory, &mut merged.seen, problems, source, resource);
    }
}

/// Resolves problem pointers to spans (one pass over the file).
pub(crate) fn locate(file: &SourceFile, problems: Vec<Problem>) -> Vec<(Problem, ByteSpan)> {
    let spans = file.spans(problems.iter().map(|p| p.pointer.as_str()));
    problems
        .into_iter()
        .map(|problem| {
            let span =
                spans.get(&problem.pointer).map_or(ByteSpan::new(0, 0), |node| node.label(&file.text, problem.at_key));
            (problem, span)
        })
        .collect()
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn is_yaml(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => true,
        // CloudFormation's `.template` files are JSON or YAML: JSON starts with `{`.
        Some("template") => std::fs::File::open(path)
            .and_then(|mut file| {
                let mut head = [0u8; 256];
                let n = std::io::Read::read(&mut file, &mut head)?;
                Ok(head.get(..n).unwrap_or_default().iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{'))
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// Every merged file system and volume by ARN (backups, millions at organisation scale, are
/// merged once sorted: [`merge_duplicate_backups`]): a table of places, hashed by ARN with
/// foldhash (seeded per process) and compared through the inventory, so no ARN or account id is
/// copied for it.
#[derive(Default)]
struct SeenMap {
    table: hashbrown::HashTable<Seen>,
    /// Account ids, in the order they were first merged (`Seen::account` indexes them).
    accounts: Vec<String>,
    hasher: foldhash::fast::RandomState,
}

/// Where a merged resource went: its account and its place in that account's list.
struct Seen {
    hash: u64,
    account: u32,
    kind: DataKind,
    index: u32,
}

impl SeenMap {
    fn hash(&self, arn: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, arn)
    }

    fn account(&self, seen: &Seen) -> &str {
        usize::try_from(seen.account).ok().and_then(|i| self.accounts.get(i)).map_or("", String::as_str)
    }

    /// The ARN of the resource `seen` points at.
    fn arn<'i>(&self, inventory: &'i Inventory, seen: &Seen) -> Option<&'i str> {
        let account = inventory.accounts.get(self.account(seen))?;
        let index = usize::try_from(seen.index).ok()?;
        Some(match seen.kind {
            DataKind::FileSystems => account.file_systems.get(index)?.arn.as_str(),
            DataKind::Volumes => account.volumes.get(index)?.arn.as_str(),
            // Backups are merged once sorted, never through this table.
            DataKind::Backups | DataKind::Iam => return None,
        })
    }

    /// The resource merged before with this ARN (`hash` is [`SeenMap::hash`] of it).
    fn get(&self, inventory: &Inventory, arn: &str, hash: u64) -> Option<&Seen> {
        self.table.find(hash, |seen| self.arn(inventory, seen) == Some(arn))
    }

    fn account_index(&mut self, account: &str) -> u32 {
        // Resources come account by account: the last one is almost always the one.
        if let Some(last) = self.accounts.len().checked_sub(1)
            && self.accounts.get(last).is_some_and(|a| a == account)
        {
            return u32::try_from(last).unwrap_or(u32::MAX);
        }
        let at = self.accounts.iter().position(|a| a == account).unwrap_or_else(|| {
            self.accounts.push(account.to_string());
            self.accounts.len() - 1
        });
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    fn reserve(&mut self, more: usize) {
        self.table.reserve(more, |seen| seen.hash);
    }

    fn insert(&mut self, hash: u64, account: &str, kind: DataKind, index: usize) {
        let account = self.account_index(account);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        self.table.insert_unique(hash, Seen { hash, account, kind, index }, |seen| seen.hash);
    }
}

/// A resource about to be merged into the inventory.
enum Resource {
    FileSystem(FileSystem),
    Backup(Backup),
    Volume(Volume),
}

impl Resource {
    fn arn(&self) -> &str {
        match self {
            Resource::FileSystem(fs) => &fs.arn,
            Resource::Backup(b) => &b.arn,
            Resource::Volume(v) => &v.arn,
        }
    }

    fn origin(&self) -> &Origin {
        match self {
            Resource::FileSystem(fs) => &fs.origin,
            Resource::Backup(b) => &b.origin,
            Resource::Volume(v) => &v.origin,
        }
    }

    /// Equal in every field but where it came from; `None` when `seen` does not resolve.
    fn same_content(&self, inventory: &Inventory, account: &str, seen: &Seen) -> Option<(bool, Origin)> {
        let account = inventory.accounts.get(account)?;
        let index = usize::try_from(seen.index).ok()?;
        match self {
            Resource::FileSystem(a) if seen.kind == DataKind::FileSystems => {
                let b = account.file_systems.get(index)?;
                Some((FileSystem { origin: b.origin.clone(), ..a.clone() } == *b, b.origin.clone()))
            }
            Resource::Volume(a) if seen.kind == DataKind::Volumes => {
                let b = account.volumes.get(index)?;
                Some((Volume { origin: b.origin.clone(), ..a.clone() } == *b, b.origin.clone()))
            }
            _ => Some((false, Origin { source: usize::MAX, pointer: String::new() })),
        }
    }
}

fn merge(
    inventory: &mut Inventory,
    first_seen: &mut SeenMap,
    problems: &mut Vec<(usize, Problem)>,
    source: usize,
    resource: Resource,
) {
    // Backups (a million at organisation scale) are not looked up here: once sorted, the same
    // ARN twice is two neighbours ([`merge_duplicate_backups`]).
    let backup = matches!(resource, Resource::Backup(_));
    let hash = if backup { 0 } else { first_seen.hash(resource.arn()) };
    if !backup && let Some(seen) = first_seen.get(inventory, resource.arn(), hash) {
        let (same, first_origin) = resource
            .same_content(inventory, first_seen.account(seen), seen)
            .unwrap_or((false, Origin { source: usize::MAX, pointer: String::new() }));
        if !same {
            problems.extend(conflict(&inventory.sources, resource.arn(), resource.origin(), &first_origin));
        }
        return;
    }
    let (account_id, partition) = match &resource {
        Resource::FileSystem(fs) => (fs.account.as_str(), fs.partition),
        Resource::Backup(b) => (b.account.as_str(), b.partition),
        Resource::Volume(v) => (v.account.as_str(), v.partition),
    };
    // Looked up before `account_mut`, which copies the id for its entry: this runs per resource.
    if !inventory.accounts.contains_key(account_id) {
        inventory.account_mut(account_id, partition);
    }
    let Some(account) = inventory.accounts.get_mut(account_id) else { return };
    if account.partition != partition {
        problems.push((
            source,
            Problem::at(
                resource.origin().pointer.clone(),
                format!("account `{account_id}` is in partition `{}` elsewhere, `{partition}` here", account.partition),
            ),
        ));
        return;
    }
    let (kind, index) = match resource {
        Resource::FileSystem(fs) => {
            account.file_systems.push(fs);
            (DataKind::FileSystems, account.file_systems.len() - 1)
        }
        Resource::Backup(b) => {
            account.backups.push(b);
            return;
        }
        Resource::Volume(v) => {
            account.volumes.push(v);
            (DataKind::Volumes, account.volumes.len() - 1)
        }
    };
    first_seen.insert(hash, &account.id, kind, index);
}

/// The same ARN read twice, with different contents (`later` read after `first`): an input
/// error at both places, each naming the other.
fn conflict(sources: &[SourceFile], arn: &str, later: &Origin, first: &Origin) -> [(usize, Problem); 2] {
    let path_of = |i: usize| sources.get(i).map_or("?", |s| s.path.as_str());
    let help = "the same ARN in two inputs must describe the same resource: drop one of them";
    let differs =
        |other: &Origin| format!("`{arn}` differs from the one in `{}` at `{}`", path_of(other.source), other.pointer);
    [
        (later.source, Problem::at(later.pointer.clone(), differs(first)).with_help(help)),
        (first.source, Problem::at(first.pointer.clone(), differs(later)).with_help(help)),
    ]
}

/// Backups with the same ARN, neighbours in each account's sorted list (the one read first,
/// first): the first is kept, and a later one that differs in anything but where it was read is
/// an input error at both places. One pass instead of a million lookups while merging.
fn merge_duplicate_backups(inventory: &mut Inventory, problems: &mut Vec<(usize, Problem)>) {
    let sources = &inventory.sources;
    for account in inventory.accounts.values_mut() {
        account.backups.dedup_by(|later, first| {
            if later.id != first.id || later.arn != first.arn {
                return false;
            }
            if *later != (Backup { origin: later.origin.clone(), ..first.clone() }) {
                problems.extend(conflict(sources, &later.arn, &later.origin, &first.origin));
            }
            true
        });
    }
}

struct FileLoader {
    pub(super) source: usize,
    /// What makes the whole file unusable (exit 2).
    pub(super) problems: Vec<Problem>,
    /// Resources that could not be understood: warnings, with the taint in `unreadable`.
    pub(super) issues: Vec<Problem>,
    /// (account, what could not be read).
    pub(super) unreadable: Vec<(Option<String>, Unreadable)>,
    /// Planned resources, merged once the file is read (rules about plans look at them first).
    pub(super) resources: Vec<Resource>,
    /// The merge so far, lent to the loader while it converts a document or CLI output: their
    /// resources merge one by one, never held twice (300,000 backups at organisation scale).
    pub(super) merged: Merged,
}

/// Every resource merged so far, and what merging found wrong, for any file.
#[derive(Default)]
struct Merged {
    seen: SeenMap,
    problems: Vec<(usize, Problem)>,
}

impl FileLoader {
    /// A loader for input `source` that has found nothing yet.
    fn new(source: usize) -> FileLoader {
        FileLoader {
            source,
            problems: Vec::new(),
            issues: Vec::new(),
            unreadable: Vec::new(),
            resources: Vec::new(),
            merged: Merged::default(),
        }
    }

    /// Merges a resource into the inventory now.
    fn add(&mut self, inventory: &mut Inventory, resource: Resource) {
        merge(inventory, &mut self.merged.seen, &mut self.merged.problems, self.source, resource);
    }

    fn convert(&mut self, file: InputFile, inventory: &mut Inventory) {
        let raw_keys = file.file_systems.is_some()
            || file.backups.is_some()
            || file.volumes.is_some()
            || file.users.is_some()
            || file.groups.is_some()
            || file.roles.is_some()
            || file.policies.is_some();
        let document = file.accounts.is_some() || file.version.is_some();
        if document && raw_keys {
            self.problems.push(
                Problem::at(
                    "",
                    "this file mixes an inventory document (`version`, `accounts`) with raw AWS CLI output",
                )
                .with_help("keep each in its own file and pass both with `--inventory`"),
            );
            return;
        }
        if document {
            for key in &file.unknown_keys {
                let mut pointer = String::new();
                span::push_token(&mut pointer, key);
                let problem = Problem::at(pointer, format!("unknown key `{key}` in an inventory document")).on_key();
                self.problems.push(match crate::suggest::closest(key, TOP_LEVEL_KEYS) {
                    Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                    None => problem.with_help("an inventory document holds `version`, `collected_at` and `accounts`"),
                });
            }
            match file.version {
                Some(1) => {}
                Some(other) => {
                    self.problems.push(
                        Problem::at("/version", format!("inventory format version {other} is not supported"))
                            .with_help("this fsx-guard reads version 1"),
                    );
                    return;
                }
                None => self.problems.push(Problem::at("", "an inventory document needs `version: 1`")),
            }
            if let Some(collector) = file.collector.clone().filter(serde_json::Value::is_object) {
                inventory.collectors.push(collector);
            }
            if let Some(at) = file.collected_at {
                inventory.collected_at = Some(inventory.collected_at.map_or(at, |prev| prev.max(at)));
            }
            for (index, account) in file.accounts.unwrap_or_default().into_iter().enumerate() {
                self.document_account(index, account, inventory);
            }
            return;
        }
        if !raw_keys {
            let near =
                file.unknown_keys.iter().find_map(|k| crate::suggest::closest(k, TOP_LEVEL_KEYS).map(|n| (k, n)));
            let help = match near {
                Some((key, near)) => format!("`{key}`: did you mean `{near}`?"),
                None => "give an inventory document (`fsx-guard collect`) or the JSON output of describe-file-systems, describe-backups, describe-volumes or get-account-authorization-details".to_string(),
            };
            self.problems.push(
                Problem::at("", "not an inventory: no `accounts`, `FileSystems`, `Backups`, `Volumes` or IAM lists")
                    .with_help(help),
            );
            return;
        }
        self.raw_output(file, inventory);
    }
}

fn merge_iam(account: &mut Account, lists: IamLists) {
    let iam = account.iam.get_or_insert_with(Iam::default);
    iam.users.extend(lists.user_detail_list);
    iam.groups.extend(lists.group_detail_list);
    iam.roles.extend(lists.role_detail_list);
    iam.policies.extend(lists.policies);
}

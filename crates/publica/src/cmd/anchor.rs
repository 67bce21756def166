//! `publica anchor` and `publica notary`: anchor documents' hashes in the notary log, fetch receipts.
//!
//! Only SHA-256 hashes leave the machine, never the files. Files are hashed in parallel with a fixed buffer per
//! thread (a file is never read whole into memory), the distinct hashes go out in transactions of at most
//! [`MAX_ANCHOR_HASHES`] with consecutive nonces, sent without waiting for one to commit before the next (a
//! bounded window keeps the sender inside the mempool's per-sender limit), and the report is read back from the
//! log itself: for each file, the entry it got now, or the earlier entry that already held its hash.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rayon::prelude::*;
use sha2::Digest as _;

use publica_types::{Address, Call, Hash, NotaryCall, Transaction, TxBody, TxId, MAX_ANCHOR_HASHES};

use super::tx::SendArgs;
use crate::client::{Client, DEFAULT_API};
use crate::keyfile;

/// Read buffer of one hashing thread.
const HASH_BUFFER_BYTES: usize = 256 * 1024;
/// Most files one run takes; a larger set is split over several runs.
const MAX_FILES: usize = 10_000_000;
/// Anchoring transactions in flight before the oldest must commit (the mempool holds at most 1,000 per sender).
const WINDOW_TXS: usize = 64;
/// How long a transaction may take to commit.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(120);
/// How long to wait for a signed checkpoint to cover new entries before giving up on a receipt.
const RECEIPT_WAIT: Duration = Duration::from_secs(30);
/// Largest text document read from the notary routes (a receipt is at most 512 KiB).
const MAX_TEXT_BYTES: u64 = 1 << 20;
/// Concurrent entry lookups when building the report.
const LOOKUP_THREADS: usize = 8;
/// Sets at least this large get a progress bar.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Arguments of `publica anchor`.
#[derive(Args)]
pub struct AnchorArgs {
    /// Files or directories (walked recursively, in name order) whose hashes to anchor.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// A public label for every entry (printable text, at most 128 bytes).
    #[arg(long)]
    label: Option<String>,
    /// Write each file's receipt to DIR/<file name>.tlog-proof.
    #[arg(long, value_name = "DIR")]
    receipts: Option<PathBuf>,
    #[command(flatten)]
    send: SendArgs,
}

/// `publica notary` commands.
#[derive(Subcommand)]
pub enum NotaryCommand {
    /// Print the validators' checkpoint verifier keys (C2SP vkeys).
    Vkeys(ApiArg),
    /// Print the latest signed checkpoint of the log.
    Checkpoint(ApiArg),
    /// Fetch the receipt (C2SP tlog-proof) of a document.
    Receipt {
        #[command(flatten)]
        target: Target,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        api: ApiArg,
    },
    /// Show the log entry of a document.
    Entry {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        api: ApiArg,
    },
}

/// The node's API.
#[derive(Args)]
pub struct ApiArg {
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// A document: by its hash, or by the file itself (hashed here).
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// The document's SHA-256, hex.
    hash: Option<String>,
    /// The document; only its hash is sent.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

impl Target {
    fn hash(&self) -> Result<Hash> {
        match (&self.hash, &self.file) {
            (Some(hex), _) => parse_hash(hex),
            (None, Some(file)) => hash_file(file, &mut vec![0; HASH_BUFFER_BYTES]),
            (None, None) => bail!("give a document hash or --file FILE"),
        }
    }
}

/// A file to anchor, with its size.
#[derive(Clone, Debug)]
pub struct FileItem {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes when listed.
    pub len: u64,
}

/// How one file's hash stands in the log after the run.
#[derive(Clone, Debug)]
pub struct FileOutcome {
    /// The file.
    pub path: PathBuf,
    /// Its SHA-256.
    pub hash: Hash,
    /// Its entry's index.
    pub index: u64,
    /// Block and time (Unix ms) of the entry.
    pub height: u64,
    /// Time of that block.
    pub time_ms: u64,
    /// Whether this run created the entry (else the hash was anchored before).
    pub new: bool,
}

/// Everything a run did.
#[derive(Debug, Default)]
pub struct AnchorReport {
    /// One per file, in the listing order.
    pub files: Vec<FileOutcome>,
    /// Distinct hashes sent.
    pub hashes: usize,
    /// Transactions sent.
    pub txs: usize,
    /// Bytes hashed.
    pub bytes: u64,
    /// Receipts written.
    pub receipts: usize,
}

/// Run `publica anchor`.
pub fn run(args: AnchorArgs) -> Result<()> {
    let report = anchor(&args.paths, args.label.as_deref(), args.receipts.as_deref(), &args.send, true)?;
    if args.send.no_wait {
        return Ok(());
    }
    for f in &report.files {
        if f.new {
            println!(
                "{}  {}  new entry at index {} (block {})",
                hex::encode(f.hash),
                f.path.display(),
                f.index,
                f.height
            );
        } else {
            println!(
                "{}  {}  already anchored on {} at index {} (block {})",
                hex::encode(f.hash),
                f.path.display(),
                format_utc_ms(f.time_ms),
                f.index,
                f.height
            );
        }
    }
    let new = report.files.iter().filter(|f| f.new).map(|f| f.hash).collect::<HashSet<_>>().len();
    println!(
        "{}, {} in {}: {new} new, {} already in the log",
        count(report.files.len(), "file"),
        count(report.hashes, "distinct hash"),
        count(report.txs, "transaction"),
        report.hashes - new
    );
    if let Some(dir) = &args.receipts {
        println!("{} receipts written to {}", report.receipts, dir.display());
    }
    Ok(())
}

/// Hash `paths`, anchor the distinct hashes, wait for the commits and report on every file; write receipts into
/// `receipts` if given. Every input check happens before anything is sent. `progress` shows bars on a terminal.
pub fn anchor(
    paths: &[PathBuf],
    label: Option<&str>,
    receipts: Option<&Path>,
    send: &SendArgs,
    progress: bool,
) -> Result<AnchorReport> {
    if let Some(label) = label {
        publica_notary::check_label(label).context("--label")?;
    }
    let files = list_files(paths)?;
    if files.is_empty() {
        bail!("no files to anchor in {}: give files, or directories holding some", show_paths(paths));
    }
    if let Some(dir) = receipts {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the receipts directory {}", dir.display()))?;
    }
    // The key is opened before hashing, so that a prompt for its passphrase comes at once.
    let key = keyfile::load(&send.key, &send.passphrase)?;
    let sender = send.sender.unwrap_or(key.public_key().address());
    let client = Client::new(&send.api)?;
    let chain_id = client.chain_id()?;

    let hashes = hash_files(&files, progress)?;
    let bytes = files.iter().map(|f| f.len).sum();
    // Files with equal contents share one hash: it is sent once.
    let mut distinct: Vec<Hash> = Vec::new();
    let mut seen = HashSet::new();
    for h in &hashes {
        if seen.insert(*h) {
            distinct.push(*h);
        }
    }

    let first_nonce = client.next_nonce(&sender)?;
    let expires_at_ms = publica_node::shared::now_ms() + send.expires_in.saturating_mul(1000);
    let txs: Vec<Transaction> = distinct
        .chunks(MAX_ANCHOR_HASHES)
        .enumerate()
        .map(|(i, chunk)| {
            TxBody {
                chain_id: chain_id.clone(),
                sender,
                nonce: first_nonce + i as u64,
                expires_at_ms,
                call: Call::Notary(NotaryCall::Anchor { hashes: chunk.to_vec(), label: label.map(str::to_owned) }),
            }
            .sign(&key)
        })
        .collect();
    let heights = send_pipelined(&client, &txs, send.no_wait)?;
    let mut report = AnchorReport { hashes: distinct.len(), txs: txs.len(), bytes, ..AnchorReport::default() };
    if send.no_wait {
        eprintln!(
            "submitted {} transactions; `publica notary entry --file FILE` shows each file's entry later",
            txs.len()
        );
        return Ok(report);
    }

    let entries = lookup_entries(&client, &distinct)?;
    report.files = files
        .iter()
        .zip(&hashes)
        .map(|(file, hash)| {
            let e = &entries[hash];
            FileOutcome {
                path: file.path.clone(),
                hash: *hash,
                index: e.index,
                height: e.height,
                time_ms: e.time_ms,
                new: e.account == sender && heights.contains(&e.height),
            }
        })
        .collect();
    if let Some(dir) = receipts {
        report.receipts = write_receipts(&TextApi::new(&send.api)?, dir, &report.files)?;
    }
    Ok(report)
}

/// List the regular files under `paths`, in argument order and name order within directories. Anything else
/// (sockets, devices, links to directories) is skipped with a note; a missing path or an unreadable directory
/// is an error.
pub fn list_files(paths: &[PathBuf]) -> Result<Vec<FileItem>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read it", path.display()))?;
        if meta.is_file() {
            out.push(FileItem { path: path.clone(), len: meta.len() });
        } else if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            eprintln!("note: skipping {}: not a regular file or directory", path.display());
        }
        if out.len() > MAX_FILES {
            bail!("more than {MAX_FILES} files: anchor them in several runs");
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<FileItem>) -> Result<()> {
    let mut children: Vec<(std::ffi::OsString, PathBuf)> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the directory", dir.display()))?
        .map(|e| e.map(|e| (e.file_name(), e.path())))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("{}: cannot read the directory", dir.display()))?;
    children.sort();
    for (_, path) in children {
        let meta = std::fs::symlink_metadata(&path).with_context(|| format!("{}: cannot read it", path.display()))?;
        if meta.is_dir() {
            walk(&path, out)?;
        } else if meta.is_file() {
            out.push(FileItem { path, len: meta.len() });
        } else if meta.file_type().is_symlink() {
            // A link to a file is anchored as that file; links to directories are not followed, since they can
            // form cycles.
            match std::fs::metadata(&path) {
                Ok(target) if target.is_file() => out.push(FileItem { path, len: target.len() }),
                _ => eprintln!("note: skipping {}: a link to a directory or to nothing", path.display()),
            }
        } else {
            eprintln!("note: skipping {}: not a regular file", path.display());
        }
        if out.len() > MAX_FILES {
            bail!("more than {MAX_FILES} files: anchor them in several runs");
        }
    }
    Ok(())
}

/// SHA-256 of every file, in parallel, each thread streaming through one fixed buffer.
pub fn hash_files(files: &[FileItem], progress: bool) -> Result<Vec<Hash>> {
    let total: u64 = files.iter().map(|f| f.len).sum();
    let bar = if progress && total >= PROGRESS_MIN_BYTES {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "hashing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left) {msg}",
            )
            .expect("a valid template"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let hashes = files
        .par_iter()
        .map_init(
            || vec![0u8; HASH_BUFFER_BYTES],
            |buffer, file| {
                let h = hash_file_with(&file.path, buffer, |n| bar.inc(n))?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(64) || n == files.len() {
                    bar.set_message(format!("{n}/{} files", files.len()));
                }
                Ok(h)
            },
        )
        .collect::<Result<Vec<Hash>>>();
    bar.finish_and_clear();
    hashes
}

fn hash_file(path: &Path, buffer: &mut [u8]) -> Result<Hash> {
    hash_file_with(path, buffer, |_| {})
}

fn hash_file_with(path: &Path, buffer: &mut [u8], mut read: impl FnMut(u64)) -> Result<Hash> {
    let mut file = std::fs::File::open(path).with_context(|| format!("{}: cannot open it", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    loop {
        let n = match file.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read it", path.display())),
        };
        hasher.update(&buffer[..n]);
        read(n as u64);
    }
    Ok(hasher.finalize().into())
}

/// Submit `txs` in order without waiting for each to commit, keeping at most [`WINDOW_TXS`] uncommitted. Returns
/// the heights they committed at (empty with `no_wait`).
fn send_pipelined(client: &Client, txs: &[Transaction], no_wait: bool) -> Result<HashSet<u64>> {
    let mut pending: std::collections::VecDeque<TxId> = std::collections::VecDeque::new();
    let mut heights = HashSet::new();
    let bar =
        if txs.len() > 1 { indicatif::ProgressBar::new(txs.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("anchoring {bar:30} {pos}/{len} transactions").expect("valid"),
    );
    let mut wait_oldest = |pending: &mut std::collections::VecDeque<TxId>| -> Result<()> {
        let id = pending.pop_front().expect("a transaction is pending");
        let status = client.wait(&id, COMMIT_TIMEOUT)?;
        heights.insert(status["height"].as_u64().context("a committed status without height")?);
        bar.inc(1);
        Ok(())
    };
    for (i, tx) in txs.iter().enumerate() {
        if !no_wait && pending.len() >= WINDOW_TXS {
            wait_oldest(&mut pending)?;
        }
        let id = client.submit(tx).with_context(|| {
            if i == 0 {
                "the node refused the anchoring; nothing was anchored".to_owned()
            } else {
                format!("the node refused transaction {} of {}; the earlier ones were sent", i + 1, txs.len())
            }
        })?;
        pending.push_back(id);
    }
    while !no_wait && !pending.is_empty() {
        wait_oldest(&mut pending)?;
    }
    bar.finish_and_clear();
    Ok(heights)
}

/// A log entry as the API shows it.
#[derive(Clone, Debug)]
pub struct EntryInfo {
    /// Position in the log.
    pub index: u64,
    /// Anchoring official.
    pub account: Address,
    /// Block.
    pub height: u64,
    /// Block time, Unix ms.
    pub time_ms: u64,
}

fn entry_info(body: &serde_json::Value) -> Result<EntryInfo> {
    let field = |name: &str| body[name].as_u64().with_context(|| format!("an entry without {name}"));
    Ok(EntryInfo {
        index: field("index")?,
        height: field("height")?,
        time_ms: field("time_ms")?,
        account: body["account"].as_str().context("an entry without account")?.parse().map_err(anyhow::Error::msg)?,
    })
}

/// Look the entries of `hashes` up, a few requests at a time.
fn lookup_entries(client: &Client, hashes: &[Hash]) -> Result<HashMap<Hash, EntryInfo>> {
    let chunk = hashes.len().div_ceil(LOOKUP_THREADS).max(1);
    let found: Vec<Result<Vec<(Hash, EntryInfo)>>> = std::thread::scope(|s| {
        let workers: Vec<_> = hashes
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|h| {
                            let body = client.get(&format!("/v1/notary/entries/{}", hex::encode(h)))?;
                            Ok((*h, entry_info(&body)?))
                        })
                        .collect()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("lookup thread")).collect()
    });
    let mut out = HashMap::with_capacity(hashes.len());
    for part in found {
        out.extend(part?);
    }
    Ok(out)
}

/// Write one receipt per file, waiting briefly for a checkpoint that covers the new entries.
fn write_receipts(api: &TextApi, dir: &Path, files: &[FileOutcome]) -> Result<usize> {
    let deadline = Instant::now() + RECEIPT_WAIT;
    let mut used = HashSet::new();
    let mut written = 0;
    for f in files {
        let receipt = loop {
            match get_text(api, &format!("/v1/notary/receipts/{}", hex::encode(f.hash)))? {
                Text::Ok(body) => break body,
                Text::Unavailable(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Text::Unavailable(message) | Text::NotFound(message) => {
                    bail!(
                        "no receipt for {} yet: {message}; fetch it later with `publica notary receipt`",
                        f.path.display()
                    )
                }
            }
        };
        // The node's answer is checked against what was anchored before it is kept.
        let proof = publica_tlog::TlogProof::parse(receipt.as_bytes())
            .with_context(|| format!("the node's receipt for {} does not parse", f.path.display()))?;
        let entry = publica_notary::Entry::from_bytes(proof.extra.as_deref().unwrap_or_default())
            .with_context(|| format!("the node's receipt for {} carries no valid entry", f.path.display()))?;
        if entry.hash != f.hash || proof.index != f.index {
            bail!("the node's receipt for {} is for another entry", f.path.display());
        }
        let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
        // Equal names from different directories get the hash's start to keep their receipts apart.
        let mut file_name = format!("{name}.tlog-proof");
        if !used.insert(file_name.clone()) {
            file_name = format!("{name}.{}.tlog-proof", &hex::encode(f.hash)[..12]);
            used.insert(file_name.clone());
        }
        let out = dir.join(file_name);
        std::fs::write(&out, receipt.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
        written += 1;
    }
    Ok(written)
}

/// The answer to a GET of a text document.
pub enum Text {
    /// 200, with the body.
    Ok(String),
    /// 404, with the node's message.
    NotFound(String),
    /// 503, with the node's message.
    Unavailable(String),
}

/// A reader of the node's text documents (checkpoint, receipts, vkeys, consistency proofs), which the JSON
/// [`Client`] does not read.
pub struct TextApi {
    base: String,
    http: reqwest::blocking::Client,
}

impl TextApi {
    /// A reader of the node at `base`.
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http })
    }

    /// GET `path`: the status and at most [`MAX_TEXT_BYTES`] of body.
    fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .with_context(|| format!("cannot reach the node at {}; is it running? (--api URL)", self.base))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response.take(MAX_TEXT_BYTES + 1).read_to_end(&mut body).context("reading the node's answer")?;
        if body.len() as u64 > MAX_TEXT_BYTES {
            bail!("the node's answer to GET {path} is larger than {MAX_TEXT_BYTES} bytes; refusing it");
        }
        Ok((status, body))
    }
}

/// GET a text document. Failures other than 404 and 503 are errors that carry the node's message and code.
pub fn get_text(api: &TextApi, path: &str) -> Result<Text> {
    let (status, body) = api.get(path)?;
    let message = || {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .map(|v| {
                format!(
                    "{} ({})",
                    v["error"]["message"].as_str().unwrap_or("?"),
                    v["error"]["code"].as_str().unwrap_or("?")
                )
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect())
    };
    match status {
        200 => Ok(Text::Ok(String::from_utf8(body).context("the node sent a document that is not UTF-8 text")?)),
        404 => Ok(Text::NotFound(message())),
        503 => Ok(Text::Unavailable(message())),
        _ => bail!("the node refused GET {path} ({status}): {}", message()),
    }
}

/// GET a text document that must exist.
pub fn get_text_ok(api: &TextApi, path: &str) -> Result<String> {
    match get_text(api, path)? {
        Text::Ok(body) => Ok(body),
        Text::NotFound(m) | Text::Unavailable(m) => bail!("{m}"),
    }
}

/// Run a `publica notary` command.
pub fn run_notary(command: NotaryCommand) -> Result<()> {
    match command {
        NotaryCommand::Vkeys(api) => print!("{}", get_text_ok(&TextApi::new(&api.api)?, "/v1/notary/vkeys")?),
        NotaryCommand::Checkpoint(api) => {
            print!("{}", get_text_ok(&TextApi::new(&api.api)?, "/v1/notary/checkpoint")?)
        }
        NotaryCommand::Receipt { target, out, api } => {
            let hash = target.hash()?;
            let receipt = get_text_ok(&TextApi::new(&api.api)?, &format!("/v1/notary/receipts/{}", hex::encode(hash)))?;
            std::fs::write(&out, receipt).with_context(|| format!("writing {}", out.display()))?;
            println!("receipt for {} written to {}", hex::encode(hash), out.display());
        }
        NotaryCommand::Entry { target, api } => {
            let hash = target.hash()?;
            let body = Client::new(&api.api)?.get(&format!("/v1/notary/entries/{}", hex::encode(hash)))?;
            let e = entry_info(&body)?;
            println!("document   {}", hex::encode(hash));
            println!("index      {}", e.index);
            println!("anchored   block {} on {}", e.height, format_utc_ms(e.time_ms));
            println!("by         {} of agency {}", e.account, body["agency"].as_str().unwrap_or("?"));
            if let Some(label) = body["label"].as_str() {
                println!("label      {label:?}");
            }
            println!("leaf hash  {}", body["leaf_hash"].as_str().unwrap_or("?"));
        }
    }
    Ok(())
}

/// A SHA-256 given as 64 hex digits.
pub fn parse_hash(text: &str) -> Result<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out).context("a document hash is 64 hex digits (SHA-256)")?;
    Ok(out)
}

/// SHA-256 of one file, streamed.
pub fn sha256_file(path: &Path) -> Result<Hash> {
    hash_file(path, &mut vec![0; HASH_BUFFER_BYTES])
}

/// `YYYY-MM-DD hh:mm:ss UTC` of a Unix time in milliseconds.
pub fn format_utc_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01, computed through 400-year eras (each has the
/// same number of days, 146,097), with years starting in March so that the leap day ends the year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "1 file", "2 files"; "1 distinct hash", "2 distinct hashes".
fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with('h')) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        (_, false) => format!("{n} {noun}s"),
    }
}

fn show_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(format_utc_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc_ms(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc_ms(1_709_210_096_000), "2024-02-29 12:34:56 UTC");
        assert_eq!(format_utc_ms(4_102_444_799_999), "2099-12-31 23:59:59 UTC");
    }

    #[test]
    fn files_are_listed_in_name_order_and_hashed_in_streams() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/inner")).unwrap();
        std::fs::write(dir.path().join("b/inner/z"), b"z").unwrap();
        std::fs::write(dir.path().join("b/a"), b"").unwrap();
        let big: Vec<u8> = (0..HASH_BUFFER_BYTES * 2 + 17).map(|i| i as u8).collect();
        std::fs::write(dir.path().join("c"), &big).unwrap();
        std::fs::write(dir.path().join("a"), b"a").unwrap();
        let files = list_files(&[dir.path().to_owned()]).unwrap();
        let names: Vec<String> =
            files.iter().map(|f| f.path.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a", "b/a", "b/inner/z", "c"]);
        let hashes = hash_files(&files, false).unwrap();
        assert_eq!(hashes[1], publica_crypto::sha256(b""));
        assert_eq!(hashes[3], publica_crypto::sha256(&big));
        assert!(list_files(&[dir.path().join("missing")]).is_err());
    }
}

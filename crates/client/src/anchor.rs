//! Anchoring documents' hashes in the notary log: hashing files, batching, submitting, waiting for receipts.
//!
//! Only SHA-256 hashes leave the machine, never the files. Files are hashed in parallel with a fixed buffer per
//! thread (a file is never read whole into memory), the distinct hashes go out in transactions of at most
//! [`MAX_ANCHOR_HASHES`] with consecutive nonces, sent without waiting for one to commit before the next (a
//! bounded window keeps the sender inside the mempool's per-sender limit), and the report is read back from the
//! log itself: for each file, the entry it got now, or the earlier entry that already held its hash.
//!
//! Receipts are written once their checkpoint carries the cosignature of every witness the node pushes to
//! (`GET /v1/notary/witnesses`), waited for up to [`Anchoring::witness_wait`]; a receipt still without some is
//! written all the same and reported in [`AnchorReport::uncosigned`].

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use publica_crypto::Keypair;
use publica_notary::call::MAX_ANCHOR_HASHES;
use publica_tx::{Call, NotaryCall, Transaction};
use publica_types::{Address, Hash, TxId};
use rayon::prelude::*;
use sha2::Digest as _;

use crate::api::{EntryResponse, WitnessInfo};
use crate::http::{Client, Text};
use crate::signer::{now_ms, Expiry, Signer};

/// Read buffer of one hashing thread.
pub const HASH_BUFFER_BYTES: usize = 256 * 1024;
/// Most files one run takes; a larger set is split over several runs.
const MAX_FILES: usize = 10_000_000;
/// Anchoring transactions in flight before the oldest must commit (the mempool holds at most 1,000 per sender).
const WINDOW_TXS: usize = 64;
/// How long a transaction may take to commit.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(120);
/// How long to wait for a signed checkpoint to cover new entries before giving up on a receipt.
const RECEIPT_WAIT: Duration = Duration::from_secs(30);
/// How long receipts wait, by default, for the cosignatures of the node's witnesses.
pub const DEFAULT_WITNESS_WAIT: Duration = Duration::from_secs(10);
/// Pause between two requests for a receipt whose checkpoint still lacks a witness's cosignature.
const COSIGNATURE_POLL: Duration = Duration::from_millis(300);
/// Concurrent entry lookups when building the report.
const LOOKUP_THREADS: usize = 8;
/// Sets at least this large get a progress bar.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

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
    /// Block of the entry.
    pub height: u64,
    /// Time of that block (Unix ms).
    pub time_ms: u64,
    /// Whether this run created the entry (else the hash was anchored before).
    pub new: bool,
}

/// Everything a run did.
#[derive(Debug, Default)]
pub struct AnchorReport {
    /// One per file, in the listing order (empty when the run did not wait for the commits).
    pub files: Vec<FileOutcome>,
    /// Distinct hashes sent.
    pub hashes: usize,
    /// Transactions sent.
    pub txs: usize,
    /// Bytes hashed.
    pub bytes: u64,
    /// Receipts written.
    pub receipts: usize,
    /// Receipts written without the cosignature of some of the node's witnesses, in writing order.
    pub uncosigned: Vec<Uncosigned>,
}

/// A receipt written before every witness of the node had cosigned its checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncosigned {
    /// The document's hash.
    pub hash: Hash,
    /// The receipt's file.
    pub out: PathBuf,
    /// Names of the witnesses whose cosignature it lacks.
    pub missing: Vec<String>,
}

/// What to anchor and how: made with [`Anchoring::new`], which checks every input before anything is sent.
#[derive(Debug)]
pub struct Anchoring {
    files: Vec<FileItem>,
    label: Option<String>,
    receipts: Option<PathBuf>,
    /// Seconds until the transactions expire.
    pub expires_in_secs: u64,
    /// Return once submitted, without waiting for the commits (the report then holds no files).
    pub no_wait: bool,
    /// Show progress bars on standard error.
    pub progress: bool,
    /// Longest wait, in total, for the node's witnesses to cosign the receipts' checkpoints
    /// ([`DEFAULT_WITNESS_WAIT`]); zero writes the receipts as they are. Unused when the node has no witness.
    pub witness_wait: Duration,
}

impl Anchoring {
    /// The files under `paths` (see [`list_files`]), each entry labelled `label`, with receipts written into
    /// `receipts` if given (the directory is created).
    pub fn new(paths: &[PathBuf], label: Option<&str>, receipts: Option<&Path>) -> Result<Self> {
        if let Some(label) = label {
            publica_notary::check_label(label).context("--label")?;
        }
        let files = list_files(paths)?;
        if files.is_empty() {
            bail!("no files to anchor in {}: give files, or directories holding some", show_paths(paths));
        }
        if let Some(dir) = receipts {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the receipts directory {}", dir.display()))?;
        }
        Ok(Self {
            files,
            label: label.map(str::to_owned),
            receipts: receipts.map(Path::to_owned),
            expires_in_secs: 600,
            no_wait: false,
            progress: false,
            witness_wait: DEFAULT_WITNESS_WAIT,
        })
    }

    /// The files found, in order.
    pub fn files(&self) -> &[FileItem] {
        &self.files
    }

    /// Hash the files, anchor the distinct hashes with `key` (for account `sender`, or the key's), wait for
    /// the commits and report on every file; write the receipts if asked.
    pub fn run(&self, client: &Client, key: &Keypair, sender: Option<Address>) -> Result<AnchorReport> {
        let sender = client.sender_for(key.public_key().address(), sender)?;
        let chain_id = client.chain_id()?;
        let hashes = hash_files(&self.files, self.progress)?;
        let bytes = self.files.iter().map(|f| f.len).sum();
        // Files with equal contents share one hash: it is sent once.
        let mut distinct: Vec<Hash> = Vec::new();
        let mut seen = HashSet::new();
        for h in &hashes {
            if seen.insert(*h) {
                distinct.push(*h);
            }
        }
        let expires_at_ms = now_ms() + self.expires_in_secs.saturating_mul(1000);
        let mut signer = Signer::new(key, chain_id, client.next_nonce(&sender)?)
            .for_sender(sender)
            .expiring(Expiry::AtMs(expires_at_ms));
        let txs: Vec<Transaction> = distinct
            .chunks(MAX_ANCHOR_HASHES)
            .map(|chunk| {
                signer.sign(Call::Notary(NotaryCall::Anchor { hashes: chunk.to_vec(), label: self.label.clone() }))
            })
            .collect();
        let heights = send_pipelined(client, &txs, self.no_wait)?;
        let mut report = AnchorReport { hashes: distinct.len(), txs: txs.len(), bytes, ..AnchorReport::default() };
        if self.no_wait {
            return Ok(report);
        }
        let entries = lookup_entries(client, &distinct)?;
        report.files = self
            .files
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
        if let Some(dir) = &self.receipts {
            let mut witnesses = Witnesses::of_node_or_none(client);
            witnesses.announce = self.progress;
            (report.receipts, report.uncosigned) =
                write_receipts(client, dir, &report.files, &mut witnesses, self.witness_wait)?;
        }
        Ok(report)
    }
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
        heights.insert(status.height.context("a committed status without height")?);
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

/// The entry fields of `GET /v1/notary/entries/{hash}`'s answer.
pub fn entry_info(entry: &EntryResponse) -> EntryInfo {
    EntryInfo { index: entry.index, height: entry.height, time_ms: entry.time_ms, account: entry.account }
}

/// Look the entries of `hashes` up, a few requests at a time.
fn lookup_entries(client: &Client, hashes: &[Hash]) -> Result<HashMap<Hash, EntryInfo>> {
    let chunk = hashes.len().div_ceil(LOOKUP_THREADS).max(1);
    let found: Vec<Result<Vec<(Hash, EntryInfo)>>> = std::thread::scope(|s| {
        let workers: Vec<_> = hashes
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|h| Ok((*h, entry_info(&client.notary_entry(h)?)))).collect()))
            .collect();
        workers.into_iter().map(|w| w.join().expect("lookup thread")).collect()
    });
    let mut out = HashMap::with_capacity(hashes.len());
    for part in found {
        out.extend(part?);
    }
    Ok(out)
}

/// Write one receipt per file, waiting briefly for a checkpoint that covers the new entries, then up to
/// `witness_wait` in all for the witnesses' cosignatures; the receipts written, and those still lacking some.
fn write_receipts(
    client: &Client,
    dir: &Path,
    files: &[FileOutcome],
    witnesses: &mut Witnesses,
    witness_wait: Duration,
) -> Result<(usize, Vec<Uncosigned>)> {
    let deadline = Instant::now() + RECEIPT_WAIT;
    let mut cosign_deadline = None;
    let mut used = HashSet::new();
    let mut written = 0;
    let mut uncosigned = Vec::new();
    for f in files {
        let receipt = loop {
            match client.get_text(&format!("/v1/notary/receipts/{}", hex::encode(f.hash)))? {
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
        // The wait for cosignatures starts with the first receipt and is shared by all.
        let until = *cosign_deadline.get_or_insert_with(|| Instant::now() + witness_wait);
        let (receipt, missing) = witnesses.wait_for_cosignatures(client, &f.hash, receipt, until);
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
        if !missing.is_empty() {
            uncosigned.push(Uncosigned { hash: f.hash, out, missing });
        }
    }
    Ok((written, uncosigned))
}

/// The witnesses a node pushes its checkpoints to, with their keys parsed: what a receipt's checkpoint should
/// carry cosignatures of.
#[derive(Clone, Debug, Default)]
pub struct Witnesses {
    witnesses: Vec<(String, Vec<publica_tlog::VerifierKey>)>,
    /// The last checkpoint checked and the witnesses it lacked: a run's receipts mostly share one checkpoint,
    /// whose cosignatures are then verified once.
    last: Option<(Vec<u8>, Vec<String>)>,
    /// Say on standard error, once, that receipts are waiting for cosignatures (set by the caller).
    pub announce: bool,
}

impl Witnesses {
    /// The node's witnesses (`GET /v1/notary/witnesses`); none from a node without any, or older than the route.
    pub fn of_node(client: &Client) -> Result<Self> {
        Self::from_info(&client.notary_witnesses()?)
    }

    /// [`Witnesses::of_node`], or none when the node's list cannot be read (said on standard error): receipts are
    /// then written without waiting, rather than not at all after the anchoring committed.
    pub fn of_node_or_none(client: &Client) -> Self {
        Self::of_node(client).unwrap_or_else(|e| {
            eprintln!(
                "warning: cannot read the node's witnesses ({e:#}); receipts are written without waiting for them"
            );
            Self { witnesses: Vec::new(), last: None, announce: false }
        })
    }

    /// The witnesses as a node describes them; a key that does not parse is an error.
    pub fn from_info(info: &[WitnessInfo]) -> Result<Self> {
        let mut witnesses = Vec::with_capacity(info.len());
        for w in info {
            let keys = w
                .vkeys
                .iter()
                .map(|v| publica_tlog::VerifierKey::parse(v))
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| {
                    format!("the node lists witness {} with a verifier key that does not parse", w.name)
                })?;
            witnesses.push((w.name.clone(), keys));
        }
        Ok(Self { witnesses, last: None, announce: false })
    }

    /// Names of the witnesses whose cosignature `checkpoint` does not carry: a valid line under each of the
    /// witness's keys, as `publica verify --witness` requires (`publica_tlog::verify_note`).
    pub fn missing(&self, checkpoint: &publica_tlog::SignedCheckpoint) -> Vec<String> {
        self.witnesses
            .iter()
            .filter(|(_, keys)| checkpoint.verify(keys).map_or(true, |verified| verified.len() < keys.len()))
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn missing_cached(&mut self, checkpoint: &publica_tlog::SignedCheckpoint) -> Vec<String> {
        let bytes = checkpoint.to_bytes();
        match &self.last {
            Some((last, missing)) if *last == bytes => missing.clone(),
            _ => {
                let missing = self.missing(checkpoint);
                self.last = Some((bytes, missing.clone()));
                missing
            }
        }
    }

    /// Ask for the receipt of `hash` again, every [`COSIGNATURE_POLL`] until `until`, while its checkpoint lacks
    /// a witness's cosignature; `receipt` is the one already fetched. The newest receipt, with the names of the
    /// witnesses it still lacks (none once all cosigned). One request per poll; none without witnesses; a failed
    /// request ends the wait. The first wait is announced on standard error if [`Witnesses::announce`] is set.
    pub fn wait_for_cosignatures(
        &mut self,
        client: &Client,
        hash: &Hash,
        mut receipt: String,
        until: Instant,
    ) -> (String, Vec<String>) {
        if self.witnesses.is_empty() {
            return (receipt, Vec::new());
        }
        loop {
            let missing = match publica_tlog::TlogProof::parse(receipt.as_bytes()) {
                Ok(proof) => self.missing_cached(&proof.checkpoint),
                // The caller checks the receipt and says what is wrong with it.
                Err(_) => return (receipt, Vec::new()),
            };
            let now = Instant::now();
            if missing.is_empty() || now >= until {
                return (receipt, missing);
            }
            if std::mem::take(&mut self.announce) {
                eprintln!(
                    "waiting up to {} s for the cosignature of witness {} (--witness-wait)",
                    (until - now).as_secs_f64().ceil(),
                    missing.join(", ")
                );
            }
            std::thread::sleep(COSIGNATURE_POLL.min(until - now));
            match client.get_text(&format!("/v1/notary/receipts/{}", hex::encode(hash))) {
                Ok(Text::Ok(body)) => receipt = body,
                Ok(Text::NotFound(_) | Text::Unavailable(_)) => {}
                // The receipt in hand is kept: the caller reports it as lacking these witnesses.
                Err(_) => return (receipt, missing),
            }
        }
    }
}

/// SHA-256 of one file, streamed.
pub fn sha256_file(path: &Path) -> Result<Hash> {
    hash_file_with(path, &mut vec![0; HASH_BUFFER_BYTES], |_| {})
}

/// A SHA-256 given as 64 hex digits.
pub fn parse_hash(text: &str) -> Result<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out).context("a document hash is 64 hex digits (SHA-256)")?;
    Ok(out)
}

fn show_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(sha256_file(&dir.path().join("c")).unwrap(), hashes[3]);
        assert!(list_files(&[dir.path().join("missing")]).is_err());
    }
}

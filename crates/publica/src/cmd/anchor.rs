//! `publica anchor` and `publica notary`: anchor documents' hashes in the notary log, fetch receipts.
//!
//! Only SHA-256 hashes leave the machine, never the files: the pipeline is `publica_client::anchor`'s.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use publica_client::anchor::{
    entry_info, parse_hash, sha256_file, AnchorReport, Anchoring, Uncosigned, Witnesses, DEFAULT_WITNESS_WAIT,
};
use publica_client::{Client, DEFAULT_API};
use publica_types::Hash;

use super::count;
use super::tx::SendArgs;
use crate::keyfile;

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
    wait: WitnessWaitArg,
    #[command(flatten)]
    send: SendArgs,
}

/// How long receipts wait for the node's witnesses.
#[derive(Args)]
pub struct WitnessWaitArg {
    /// Wait up to this long, in all, until the node's witnesses have cosigned the receipts' checkpoint before
    /// writing them; 0 writes them at once. No wait when the node has no witness.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_WITNESS_WAIT.as_secs_f64(), value_parser = seconds)]
    witness_wait: f64,
}

/// A duration in seconds: a number from 0 to [`MAX_WITNESS_WAIT_SECS`].
fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=MAX_WITNESS_WAIT_SECS).contains(&s) => Ok(s),
        _ => Err(format!("{text:?} is not a number of seconds from 0 to {MAX_WITNESS_WAIT_SECS}")),
    }
}

/// Longest `--witness-wait`: a witness that has not cosigned within an hour is down, not slow.
const MAX_WITNESS_WAIT_SECS: f64 = 3600.0;

impl WitnessWaitArg {
    fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.witness_wait)
    }
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
        target: DocumentArg,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        wait: WitnessWaitArg,
        #[command(flatten)]
        api: ApiArg,
    },
    /// Show the log entry of a document.
    Entry {
        #[command(flatten)]
        target: DocumentArg,
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
pub struct DocumentArg {
    /// The document's SHA-256, hex.
    hash: Option<String>,
    /// The document; only its hash is sent.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

impl DocumentArg {
    fn hash(&self) -> Result<Hash> {
        match (&self.hash, &self.file) {
            (Some(hex), _) => parse_hash(hex),
            (None, Some(file)) => sha256_file(file),
            (None, None) => bail!("give a document hash or --file FILE"),
        }
    }
}

/// Run `publica anchor`.
pub fn run(args: AnchorArgs) -> Result<()> {
    let report =
        anchor(&args.paths, args.label.as_deref(), args.receipts.as_deref(), args.wait.duration(), &args.send, true)?;
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
        println!("{} written to {}", count(report.receipts, "receipt"), dir.display());
        report_uncosigned(&report.uncosigned, args.wait.witness_wait);
    }
    Ok(())
}

/// Most receipts listed by name when some lack witnesses' cosignatures.
const MAX_LISTED_RECEIPTS: usize = 10;

/// Say which receipts lack which witnesses' cosignatures, and how to get them later.
fn report_uncosigned(uncosigned: &[Uncosigned], waited_secs: f64) {
    let Some(first) = uncosigned.first() else { return };
    let mut names: Vec<&str> = uncosigned.iter().flat_map(|u| u.missing.iter().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    eprintln!(
        "{} written without the cosignature of witness {} (waited {waited_secs} s): such a receipt fails \
         `publica verify --witness` for that witness. Fetch each again later:",
        count(uncosigned.len(), "receipt"),
        names.join(", "),
    );
    for u in uncosigned.iter().take(MAX_LISTED_RECEIPTS) {
        eprintln!("  publica notary receipt {} --out {}", hex::encode(u.hash), u.out.display());
    }
    if uncosigned.len() > MAX_LISTED_RECEIPTS {
        eprintln!("  ... and {} more", uncosigned.len() - MAX_LISTED_RECEIPTS);
    }
    eprintln!("{}", witness_hint(&first.missing));
}

/// What to look at when witnesses do not cosign.
fn witness_hint(missing: &[String]) -> String {
    format!(
        "the node's log says why {} has not cosigned (\"witness push failed\"); --witness-wait SECONDS waits longer",
        missing.first().map_or("a witness", String::as_str)
    )
}

/// Hash `paths`, anchor the distinct hashes, wait for the commits and report on every file; write receipts into
/// `receipts` if given, once the node's witnesses cosigned them or `witness_wait` passed. Every input check happens
/// before anything is sent. `progress` shows bars on a terminal.
pub fn anchor(
    paths: &[PathBuf],
    label: Option<&str>,
    receipts: Option<&Path>,
    witness_wait: Duration,
    send: &SendArgs,
    progress: bool,
) -> Result<AnchorReport> {
    let mut anchoring = Anchoring::new(paths, label, receipts)?;
    anchoring.witness_wait = witness_wait;
    anchoring.expires_in_secs = send.expires_in;
    anchoring.no_wait = send.no_wait;
    anchoring.progress = progress;
    // The key is opened before hashing, so that a prompt for its passphrase comes at once.
    let key = keyfile::load(&send.key, &send.passphrase)?;
    let report = anchoring.run(&Client::new(&send.api)?, &key, send.sender)?;
    if send.no_wait {
        eprintln!(
            "submitted {} transactions; `publica notary entry --file FILE` shows each file's entry later",
            report.txs
        );
    }
    Ok(report)
}

/// Run a `publica notary` command.
pub fn run_notary(command: NotaryCommand) -> Result<()> {
    match command {
        NotaryCommand::Vkeys(api) => print!("{}", Client::new(&api.api)?.notary_vkeys()?),
        NotaryCommand::Checkpoint(api) => print!("{}", Client::new(&api.api)?.notary_checkpoint()?),
        NotaryCommand::Receipt { target, out, wait, api } => {
            let hash = target.hash()?;
            let client = Client::new(&api.api)?;
            let receipt = client.get_text_ok(&format!("/v1/notary/receipts/{}", hex::encode(hash)))?;
            let until = Instant::now() + wait.duration();
            let mut witnesses = Witnesses::of_node_or_none(&client);
            witnesses.announce = true;
            let (receipt, missing) = witnesses.wait_for_cosignatures(&client, &hash, receipt, until);
            std::fs::write(&out, receipt).with_context(|| format!("writing {}", out.display()))?;
            println!("receipt for {} written to {}", hex::encode(hash), out.display());
            if !missing.is_empty() {
                eprintln!(
                    "it lacks the cosignature of witness {} (waited {} s): run this command again later; {}",
                    missing.join(", "),
                    wait.witness_wait,
                    witness_hint(&missing)
                );
            }
        }
        NotaryCommand::Entry { target, api } => {
            let hash = target.hash()?;
            let body = Client::new(&api.api)?.notary_entry(&hash)?;
            let e = entry_info(&body);
            println!("document   {}", hex::encode(hash));
            println!("index      {}", e.index);
            println!("anchored   block {} on {}", e.height, format_utc_ms(e.time_ms));
            println!("by         {} of agency {}", e.account, body.agency);
            if let Some(label) = &body.label {
                println!("label      {label:?}");
            }
            println!("leaf hash  {}", body.leaf_hash);
        }
    }
    Ok(())
}

/// `YYYY-MM-DD hh:mm:ss UTC` of a Unix time in milliseconds: the ledger's RFC 3339 form
/// (`publica_types::time::format_time_ms`), written for people.
pub fn format_utc_ms(ms: u64) -> String {
    let rfc3339 = publica_types::time::format_time_ms(ms);
    let (date, time) = rfc3339.split_once('T').expect("an RFC 3339 date-time has a T");
    format!("{date} {} UTC", &time[..8])
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
}

//! `publica anchor` and `publica notary`: anchor documents' hashes in the notary log, fetch receipts.
//!
//! Only SHA-256 hashes leave the machine, never the files: the pipeline is `publica_client::anchor`'s.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use publica_client::anchor::{entry_info, parse_hash, sha256_file, AnchorReport, Anchoring};
use publica_client::{Client, DEFAULT_API};
use publica_types::Hash;

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
            (None, Some(file)) => sha256_file(file),
            (None, None) => bail!("give a document hash or --file FILE"),
        }
    }
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
    let mut anchoring = Anchoring::new(paths, label, receipts)?;
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
        NotaryCommand::Receipt { target, out, api } => {
            let hash = target.hash()?;
            let receipt = Client::new(&api.api)?.get_text_ok(&format!("/v1/notary/receipts/{}", hex::encode(hash)))?;
            std::fs::write(&out, receipt).with_context(|| format!("writing {}", out.display()))?;
            println!("receipt for {} written to {}", hex::encode(hash), out.display());
        }
        NotaryCommand::Entry { target, api } => {
            let hash = target.hash()?;
            let body = Client::new(&api.api)?.notary_entry(&hash)?;
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

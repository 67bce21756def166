//! `publica verify`: check a state proof or a notary receipt offline.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use publica_tlog::{VerifierKey, TLOG_PROOF_HEADER};
use publica_types::Genesis;
use publica_verify::{CertifiedHeader, ReadProof, ReceiptPolicy, ValidatorHistory, VerifiedReceipt, VerifiedSets};

use super::anchor::format_utc_ms;
use super::{count, describe};
use publica_client::anchor::sha256_file;
use publica_client::Client;

/// Arguments of `publica verify`.
#[derive(ClapArgs)]
pub struct Args {
    /// The proof document (JSON: a state proof as `GET /v1/state/{key}` returns it, an as-of answer, any API
    /// response carrying proofs, a certified header), or a notary receipt (`.tlog-proof`, first line
    /// `c2sp.org/tlog-proof@v1`).
    proof: PathBuf,
    /// For a receipt: the document it is for; its SHA-256 must be the one the receipt anchors.
    file: Option<PathBuf>,
    /// The network's genesis document, whose validator set's keys check the certificate or checkpoint.
    #[arg(long, value_name = "FILE")]
    genesis: PathBuf,
    /// For a receipt: a trusted witness's verifier key (C2SP vkey), or a file of them, one per line. Repeatable.
    #[arg(long, value_name = "VKEY")]
    witness: Vec<String>,
    /// For a receipt: how many distinct witnesses must have cosigned, each with every key given for it; keys with
    /// one name are one witness (default: every witness given).
    #[arg(long, value_name = "K")]
    min_witnesses: Option<usize>,
    /// For a receipt: a newer signed checkpoint that must extend the receipt's (needs --consistency-proof).
    #[arg(long, value_name = "FILE", requires = "consistency_proof", conflicts_with = "api")]
    newer_checkpoint: Option<PathBuf>,
    /// The RFC 9162 consistency proof from the receipt's checkpoint to --newer-checkpoint (one base64 hash per
    /// line, as `GET /v1/notary/consistency` serves it).
    #[arg(long, value_name = "FILE", requires = "newer_checkpoint")]
    consistency_proof: Option<PathBuf>,
    /// For a receipt: fetch the latest checkpoint and the consistency proof from this node, and check that the
    /// log still extends the receipt's checkpoint. Nothing about the document is sent. For any proof: fetch the
    /// network's validator history from this node when --history is not given (it is verified from the genesis
    /// set, so the node need not be trusted).
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// The network's validator history (JSON, as `GET /v1/validators/history` serves it): every change of the
    /// validator set since genesis, each signed by the set before it. Needed for proofs made after a change.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
}

/// Verify a proof or receipt and say what it establishes, or exactly which check failed.
pub fn run(args: Args) -> Result<()> {
    let genesis_bytes = read(&args.genesis, publica_types::genesis::MAX_GENESIS_BYTES)?;
    let genesis = Genesis::from_json(&genesis_bytes).with_context(|| format!("reading {}", args.genesis.display()))?;
    let bytes = read(&args.proof, publica_verify::MAX_PROOF_JSON_BYTES.max(publica_tlog::MAX_PROOF_BYTES))?;
    if bytes.starts_with(format!("{TLOG_PROOF_HEADER}\n").as_bytes()) {
        return verify_receipt(&args, &genesis, &bytes);
    }
    if args.file.is_some() || !args.witness.is_empty() || args.newer_checkpoint.is_some() {
        bail!(
            "{} is not a notary receipt (its first line is not `{TLOG_PROOF_HEADER}`); FILE, --witness and \
             --newer-checkpoint apply to receipts only",
            args.proof.display()
        );
    }
    let sets = validator_sets(&args, &genesis)?;
    if let Some(result) = verify_as_of(&bytes, &sets) {
        return result;
    }
    if let Some(result) = verify_did(&bytes, &sets) {
        return result;
    }
    // A state proof, or else a bare certified header (`{"header": .., "certificate": ..}`), or else any document
    // holding proofs (an API response).
    let proof = match ReadProof::from_json(&bytes) {
        Ok(proof) => proof,
        Err(_) => match serde_json::from_slice::<CertifiedHeader>(&bytes) {
            Ok(certified) => return verify_header(&certified, &sets),
            Err(_) => return verify_document(&bytes, &sets, &args.proof),
        },
    };
    match proof.verify_with_sets(&sets) {
        Ok(read) => {
            println!(
                "VALID proof on chain {} at height {} (block time {})",
                read.chain_id,
                read.height,
                publica_types::time::format_time_ms(read.time_ms)
            );
            println!(
                "  certified by {} of {}",
                read.signers,
                count(sets.at_height(read.height).validators().len(), "validator")
            );
            println!("  key   {}", describe::key_text(&read.key));
            match &read.value {
                Some(v) => match describe::state_value(&read.key, v) {
                    Some(record) => {
                        println!("  value ({} bytes), which holds:", v.len());
                        for line in describe::render(&record).lines() {
                            println!("    {line}");
                        }
                    }
                    None => println!("  value {} ({} bytes)", describe::abbreviate(&hex::encode(v)), v.len()),
                },
                None => println!("  value: absent (proof of non-membership)"),
            }
            Ok(())
        }
        Err(e) => bail!("INVALID proof: {e}"),
    }
}

/// A DID resolution (`publica did resolve --out`), if the document is one: checked, and the document shown.
fn verify_did(bytes: &[u8], sets: &VerifiedSets) -> Option<Result<()>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if !publica_verify::did::is_resolution(&value) {
        return None;
    }
    let result = (|| {
        let resolution: publica_verify::DidResolution =
            serde_json::from_value(value).context("the document looks like a DID resolution but is not one")?;
        let verified =
            publica_verify::verify_resolution(&resolution, sets).map_err(|e| anyhow::anyhow!("INVALID: {e}"))?;
        let meta = &verified.metadata;
        println!("VALID DID document of {}", verified.did);
        println!(
            "  proven under the certified header of height {} (block time {}), signed by {}",
            verified.height,
            publica_types::time::format_time_ms(verified.time_ms),
            count(verified.signers, "validator")
        );
        match &meta.next_version_id {
            Some(next) => println!(
                "  version {}: the account's key from height {} until height {next}",
                meta.version_id, meta.version_id
            ),
            None => {
                println!("  version {}: the account's current key, since height {}", meta.version_id, meta.version_id)
            }
        }
        for method in &verified.document.verification_method {
            println!("  verification method {}", method.id);
        }
        if meta.deactivated {
            println!("  DEACTIVATED: the account is suspended");
        }
        Ok(())
    })();
    Some(result)
}

/// A registry's as-of answer (`publica land owners --out`, `publica permit status --out`), if the document is
/// one: checked and its decision shown, or the reason it does not hold. An answer whose proofs do not reach the
/// time it names is refused (non-zero exit), after saying what its proofs do establish and up to when.
// Long: one arm per kind of as-of answer, each a few lines of the same shape.
fn verify_as_of(bytes: &[u8], sets: &VerifiedSets) -> Option<Result<()>> {
    use publica_registry::verify::OwnershipAt;
    use publica_types::time::format_time_ms;
    use publica_verify::{Coverage, VerifiedAsOf, VerifyError};
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if value.get("decision").is_none() || value.get("record").is_none() || value.get("proofs").is_none() {
        return None;
    }
    let ownership = |d: &OwnershipAt| match d {
        OwnershipAt::Owned { version, owners, .. } => {
            let owners: Vec<String> =
                owners.iter().map(|o| format!("{} {}/{}", o.account, o.numerator, o.denominator)).collect();
            format!("owned by {} (title version {version})", owners.join(", "))
        }
        OwnershipAt::Retired { successors, .. } => {
            let s: Vec<&str> = successors.iter().map(|s| s.as_str()).collect();
            format!("replaced by {}", s.join(", "))
        }
        OwnershipAt::NotRegistered => "not registered".to_owned(),
    };
    // In words: "suspended (site inspection pending)", "not yet valid".
    let permit = |d: &publica_registry::verify::PermitStatus| {
        let d = serde_json::to_value(d).unwrap_or_default();
        let kind = d["type"].as_str().unwrap_or("?").replace('_', " ");
        match d["reason"].as_str() {
            Some(reason) => format!("{kind} ({reason})"),
            None => kind,
        }
    };
    // What was decided, about which record, and how it was proven; or why not, with what is proven instead.
    type Outcome = (String, Result<(String, VerifiedAsOf<()>), VerifyError>, Option<(String, VerifiedAsOf<()>)>);
    fn plain<D>(v: VerifiedAsOf<D>) -> VerifiedAsOf<()> {
        VerifiedAsOf {
            decision: (),
            at_ms: v.at_ms,
            height: v.height,
            time_ms: v.time_ms,
            signers: v.signers,
            coverage: v.coverage,
        }
    }
    let outcome: Outcome = if let Ok(answer) = serde_json::from_value::<publica_verify::OwnershipAnswer>(value.clone())
    {
        let checked = publica_verify::verify_ownership(&answer, sets);
        let proven = matches!(checked, Err(VerifyError::NotCovered { .. }))
            .then(|| publica_verify::ownership_at_header(&answer, sets).ok())
            .flatten()
            .map(|v| (ownership(&v.decision), plain(v)));
        (format!("parcel {}", answer.record), checked.map(|v| (ownership(&v.decision), plain(v))), proven)
    } else {
        let answer = match serde_json::from_value::<publica_verify::PermitStatusAnswer>(value) {
            Ok(a) => a,
            Err(e) => return Some(Err(anyhow::anyhow!("not a valid as-of answer: {e}"))),
        };
        let checked = publica_verify::verify_permit_status(&answer, sets);
        let proven = matches!(checked, Err(VerifyError::NotCovered { .. }))
            .then(|| publica_verify::permit_status_at_header(&answer, sets).ok())
            .flatten()
            .map(|v| (permit(&v.decision), plain(v)));
        (format!("permit {}", answer.record), checked.map(|v| (permit(&v.decision), plain(v))), proven)
    };
    let (record, checked, proven) = outcome;
    let header = |v: &VerifiedAsOf<()>| {
        format!(
            "the certified header of height {} (block time {}), signed by {}",
            v.height,
            format_time_ms(v.time_ms),
            count(v.signers, "validator")
        )
    };
    Some(match checked {
        Ok((what, v)) => {
            println!("VALID answer: at {} {record} was {what}", format_time_ms(v.at_ms));
            println!("  proven under {}", header(&v));
            match v.coverage {
                Coverage::InForce { next_time_ms } => println!(
                    "  that block was in force at the time asked about: the next one (certified, its child) came \
                     at {}, so no version written up to that time is missing",
                    format_time_ms(next_time_ms)
                ),
                Coverage::HeaderAtOrAfter => println!(
                    "  that block is at or after the time asked about: every version written up to that time is in \
                     its state, and their block times decide"
                ),
            }
            Ok(())
        }
        Err(e @ VerifyError::NotCovered { .. }) => {
            if let Some((what, v)) = proven {
                println!("PROVEN only up to {}: at that time {record} was {what}", format_time_ms(v.time_ms));
                println!("  proven under {}", header(&v));
            }
            Err(anyhow::anyhow!("NOT PROVEN for the time asked: {e}"))
        }
        Err(e) => Err(anyhow::anyhow!("INVALID answer: {e}")),
    })
}

/// Any other document with proofs (an API response listing records): every proof checked under the certified
/// header it names.
fn verify_document(bytes: &[u8], sets: &VerifiedSets, path: &Path) -> Result<()> {
    use publica_types::time::format_time_ms;
    if is_bods(bytes) {
        bail!(
            "{} is a BODS export: BODS statements have no place for ledger proofs, so it cannot be verified alone. \
             Check the company's record instead: `publica business show NUMBER --json > company.json`, then \
             `publica verify company.json --genesis GENESIS`; the export is derived from exactly that record \
             (docs/registry.md, \"BODS export\")",
            path.display()
        );
    }
    let found = match publica_verify::verify_document(bytes, sets) {
        Ok(found) => found,
        Err(e @ publica_verify::VerifyError::Malformed(_)) => {
            return Err(anyhow::anyhow!("{e}")).with_context(|| {
                format!(
                    "{} is not a proof, a certified header, an as-of answer, a notary receipt or an API response \
                     with proofs",
                    path.display()
                )
            })
        }
        Err(e) => bail!("INVALID proof in {}: {e}", path.display()),
    };
    println!("VALID: {} state proofs in {}", found.reads.len(), path.display());
    for (height, time_ms, signers) in &found.headers {
        println!(
            "  under the certified header of height {height} (block time {}), signed by {}",
            format_time_ms(*time_ms),
            count(*signers, "validator")
        );
    }
    for read in &found.reads {
        match &read.value {
            Some(v) => println!("  key {} = {} bytes", describe::key_text(&read.key), v.len()),
            None => println!("  key {} absent", describe::key_text(&read.key)),
        }
    }
    println!("  (the document's other fields are the node's rendering: trust only what the proven values say)");
    Ok(())
}

/// Whether a document is a Beneficial Ownership Data Standard statement array (`publica business bods`).
fn is_bods(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Vec<serde_json::Value>>(bytes)
        .is_ok_and(|items| !items.is_empty() && items.iter().all(|s| s.get("statementId").is_some()))
}

/// The validator sets from --history, or from the node at --api, verified from the genesis set; the genesis set
/// alone when neither is given.
fn validator_sets(args: &Args, genesis: &Genesis) -> Result<VerifiedSets> {
    sets_from(genesis, args.history.as_deref(), args.api.as_deref())
}

/// The validator sets to check proofs with: the genesis set, and every change of a validator history read from
/// `history` or fetched from the node at `api` (verified from the genesis set either way).
pub fn sets_from(genesis: &Genesis, history: Option<&Path>, api: Option<&str>) -> Result<VerifiedSets> {
    let history = match (history, api) {
        (Some(path), _) => {
            let bytes = read(path, publica_verify::MAX_PROOF_JSON_BYTES)?;
            ValidatorHistory::from_json(&bytes).with_context(|| format!("reading {}", path.display()))?
        }
        (None, Some(url)) => {
            let text = Client::new(url)?.get_text_ok("/v1/validators/history")?;
            ValidatorHistory::from_json(text.as_bytes()).context("the node's validator history")?
        }
        (None, None) => return Ok(VerifiedSets::genesis_only(genesis)),
    };
    let sets = match history.verify(genesis) {
        Ok(sets) => sets,
        Err(e) => bail!("INVALID validator history: {e}"),
    };
    let changes = sets.sets().count() - 1;
    if changes > 0 {
        println!("validator history: {changes} change(s) of the validator set verified from the genesis set");
    }
    Ok(sets)
}

fn verify_header(certified: &CertifiedHeader, sets: &VerifiedSets) -> Result<()> {
    let h = &certified.header;
    match sets.verify_header(certified) {
        Ok(()) => {
            println!("VALID header on chain {} at height {} (block time {} ms)", h.chain_id, h.height, h.time_ms);
            println!("  block hash {}", hex::encode(h.hash()));
            println!("  state root {}", hex::encode(h.state_root));
            println!(
                "  certified by {} of {}",
                certified.certificate.signatures.len(),
                count(sets.at_height(h.height).validators().len(), "validator")
            );
            Ok(())
        }
        Err(e) => bail!("INVALID header: {e}"),
    }
}

fn verify_receipt(args: &Args, genesis: &Genesis, receipt: &[u8]) -> Result<()> {
    let mut witnesses = Vec::new();
    for w in &args.witness {
        witnesses.extend(parse_witness(w)?);
    }
    let sets = validator_sets(args, genesis)?;
    let mut policy =
        ReceiptPolicy { chain_id: genesis.chain_id.clone(), validators: sets, min_witnesses: 0, witnesses };
    policy.min_witnesses = args.min_witnesses.unwrap_or(policy.witness_names().len());
    let document = args.file.as_deref().map(sha256_file).transpose()?;
    let verified = match publica_verify::verify_receipt(receipt, &policy, document.as_ref()) {
        Ok(v) => v,
        Err(e) => bail!("INVALID receipt: {e}"),
    };
    print_receipt(&verified, genesis, args.file.as_deref());

    // A newer checkpoint, from files or from a node: the log the receipt is in must have been extended, not forked.
    let newer = match (&args.newer_checkpoint, &args.consistency_proof, &args.api) {
        (Some(checkpoint), Some(proof), _) => Some((
            read(checkpoint, publica_tlog::MAX_NOTE_BYTES)?,
            read(proof, publica_verify::MAX_CONSISTENCY_PROOF_BYTES)?,
        )),
        (_, _, Some(url)) => {
            let api = Client::new(url)?;
            let checkpoint = api.notary_checkpoint()?;
            let size = publica_tlog::SignedCheckpoint::parse(checkpoint.as_bytes())
                .context("the node's checkpoint does not parse")?
                .checkpoint
                .size;
            let old = verified.checkpoint.checkpoint.size;
            if size < old {
                bail!(
                    "INVALID receipt: the node's log has {size} entries, fewer than the receipt's checkpoint ({old})"
                );
            }
            let proof = api.get_text_ok(&format!("/v1/notary/consistency?old={old}&new={size}"))?;
            Some((checkpoint.into_bytes(), proof.into_bytes()))
        }
        _ => None,
    };
    if let Some((checkpoint, proof)) = newer {
        let proof = match publica_verify::parse_consistency_proof(&proof) {
            Ok(p) => p,
            Err(e) => bail!("INVALID consistency proof: {e}"),
        };
        match publica_verify::verify_extension(&verified.checkpoint, &checkpoint, &proof, &policy) {
            Ok(ext) => println!(
                "  extended   by a checkpoint of size {} signed by {} (voting power {} of {}): the log was not \
                 rewritten since the receipt",
                ext.newer.checkpoint.size,
                count(ext.signers.validators.len(), "validator"),
                ext.signers.power,
                ext.signers.total_power
            ),
            Err(e) => bail!("INVALID extension of the receipt's checkpoint: {e}"),
        }
    }
    Ok(())
}

fn print_receipt(v: &VerifiedReceipt, genesis: &Genesis, file: Option<&Path>) {
    let e = &v.entry;
    println!("VALID receipt on chain {}", genesis.chain_id);
    match file {
        Some(f) => println!("  document   sha256 {} (matches {})", hex::encode(e.hash), f.display()),
        None => {
            println!("  document   sha256 {} (not compared with a file: pass FILE to check it)", hex::encode(e.hash))
        }
    }
    println!("  entry      index {} of the notary log, leaf hash {}", v.index, hex::encode(v.leaf_hash));
    println!("  anchored   in block {} on {}", e.height, format_utc_ms(e.time_ms));
    println!("  by         account {} of agency {}", e.account, e.agency);
    if let Some(label) = &e.label {
        println!("  label      {label:?}");
    }
    let s = &v.signers;
    println!(
        "  checkpoint size {}, signed by {} (voting power {} of {}){}",
        v.checkpoint.checkpoint.size,
        count(s.validators.len(), "validator"),
        s.power,
        s.total_power,
        s.signed_at_s.map(|t| format!(" at {}", format_utc_ms(t * 1000))).unwrap_or_default()
    );
    for a in &s.validators {
        println!("             validator {a}");
    }
    if s.witnesses.is_empty() {
        println!("  witnesses  none checked (pass --witness VKEY to require cosignatures)");
    }
    for w in &s.witnesses {
        let at = w.timestamp.map(|t| format!(" at {}", format_utc_ms(t * 1000))).unwrap_or_default();
        println!("  witness    {} ({:08x}) cosigned{at}", w.name, w.key_id);
    }
}

/// A vkey, or a file of vkeys (one per line; empty lines and `#` comments skipped).
fn parse_witness(arg: &str) -> Result<Vec<VerifierKey>> {
    let path = Path::new(arg);
    if !arg.contains('+') && path.is_file() {
        let text =
            String::from_utf8(read(path, 1 << 20)?).with_context(|| format!("{} is not text", path.display()))?;
        return text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| VerifierKey::parse(l).with_context(|| format!("witness key in {}", path.display())))
            .collect();
    }
    Ok(vec![VerifierKey::parse(arg.trim()).context("--witness is neither a C2SP vkey nor a file of them")?])
}

fn read(path: &std::path::Path, max: usize) -> Result<Vec<u8>> {
    super::read_bounded(path, max as u64, "this file")
}

//! The `.bel` archive: written from the board, page by page, checked against the node's proven head; verified
//! for what `belenios-tool election verify` does not check (`docs/elections.md`, "The board and the archive").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use publica_belenios::archive::{self, Archive, ArchiveLimits, EventBody};
use publica_belenios::ballot::verify_ballot;
use publica_belenios::election::Election;
use publica_belenios::tally::{self, CastBallot, EncryptedTally, PartialDecryption};
use publica_belenios::trustee::Trustees;
use publica_client::routes::Page;
use publica_client::Client;
use publica_types::Genesis;

/// Arguments of `publica election verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The archive (`<uuid>.bel`, from `publica election archive` or any Belenios 2.0 tool).
    archive: PathBuf,
    /// Also check the archive against the ledger: it must end at the head the node proves for the election, with
    /// as many events (the proof is checked with --genesis, so the node need not be trusted).
    #[arg(long, value_name = "URL", requires = "genesis")]
    api: Option<String>,
    /// The network's genesis document, whose validators' keys check the node's proof (with --api).
    #[arg(long, value_name = "FILE", requires = "api")]
    genesis: Option<PathBuf>,
    /// The network's validator history, needed after validator set changes (else fetched from --api and
    /// verified from the genesis set).
    #[arg(long, value_name = "FILE", requires = "api")]
    history: Option<PathBuf>,
    /// The election's number on the ledger (default: found by the archive's uuid).
    #[arg(long, requires = "api")]
    election: Option<u64>,
}

/// `publica election archive ID --out FILE`.
pub fn write(id: u64, out: Option<&Path>, dir: Option<&Path>, api: &str) -> Result<()> {
    let client = Client::new(api)?;
    let bytes = publica_client::election::fetch_archive(&client, id)?;
    // Read back as `election verify` reads it: what is written is a well-formed archive.
    let archive = archive::read(&bytes, &ArchiveLimits::default())
        .map_err(|e| anyhow::anyhow!("the archive of election {id} written from the node's board is refused: {e}"))?;
    let Some(EventBody::Setup { election, .. }) = archive.events.first().map(|e| &e.body) else {
        bail!("the archive of election {id} does not start with its Setup event");
    };
    let uuid = Election::parse(election).map_err(|e| anyhow::anyhow!("its election object: {e}"))?.uuid().to_string();
    let named;
    let out = match (out, dir) {
        (Some(out), _) => out,
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            named = dir.join(format!("{uuid}.bel"));
            named.as_path()
        }
        (None, None) => bail!("give --out FILE or --dir DIR"),
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "archive of election {id} written to {} ({} bytes, {}, head {})",
        out.display(),
        bytes.len(),
        crate::cmd::count(archive.events.len(), "event"),
        hex::encode(archive.head().expect("a read archive has its Setup event"))
    );
    let expected = format!("{uuid}.bel");
    if out.file_name().and_then(|n| n.to_str()) != Some(expected.as_str()) {
        println!("  belenios-tool election verify --dir DIR expects it as DIR/{expected}: rename it so");
    } else {
        let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        println!("  check it with `belenios-tool election verify --dir {}`", dir.display());
    }
    println!("  and `publica election verify {}`", out.display());
    Ok(())
}

/// What the archive holds, checked.
struct Checked {
    uuid: String,
    ballots: usize,
    tally: Option<(u64, u64)>,
    decryptions: usize,
    /// The result in words: each question with its answers' counts.
    result: Option<String>,
}

/// `publica election verify FILE`.
pub fn verify(args: VerifyArgs) -> Result<()> {
    let limits = ArchiveLimits::default();
    let bytes = crate::cmd::read_bounded(&args.archive, limits.archive_bytes_max as u64, "an archive")?;
    let archive = match archive::read(&bytes, &limits) {
        Ok(archive) => archive,
        Err(e) => bail!("INVALID archive {}: {e}", args.archive.display()),
    };
    let checked = match check(&archive) {
        Ok(checked) => checked,
        Err(e) => bail!("INVALID archive {}: {e:#}", args.archive.display()),
    };
    // The ledger is asked before anything is reported VALID: an archive that is well formed but not the board
    // the ledger holds is not valid.
    let ledger = match (&args.api, &args.genesis) {
        (Some(api), Some(genesis)) => Some(
            check_against_ledger(&archive, &checked.uuid, api, genesis, args.history.as_deref(), args.election)
                .with_context(|| {
                    format!(
                        "INVALID archive {} (on its own it is well formed, {}, every proof verifies)",
                        args.archive.display(),
                        crate::cmd::count(archive.events.len(), "event")
                    )
                })?,
        ),
        _ => None,
    };
    let head = archive.head().expect("a read archive has its Setup event");
    println!("VALID archive {} of the election with uuid {}", args.archive.display(), checked.uuid);
    println!(
        "  read strictly: every entry's name is its content's SHA-256, {} chained from Setup to head {}",
        crate::cmd::count(archive.events.len(), "event"),
        hex::encode(head)
    );
    println!(
        "  {} verified (proofs and credential signatures), each with a credential of the list",
        crate::cmd::count(checked.ballots, "ballot")
    );
    match checked.tally {
        Some((num_tallied, total_weight)) => println!(
            "  the encrypted tally is the product of the {num_tallied} counted ballots (the last per credential, \
             with its weight), total weight {total_weight}"
        ),
        None => println!("  no encrypted tally yet (the vote is not closed)"),
    }
    match &checked.result {
        Some(result) => {
            println!(
                "  the result is the tally decrypted by {} (each proof verified):",
                crate::cmd::count(checked.decryptions, "trustee")
            );
            print!("{result}");
        }
        None if checked.decryptions > 0 => {
            println!("  {} verified; no result yet", crate::cmd::count(checked.decryptions, "partial decryption"))
        }
        None => {}
    }
    match ledger {
        Some(line) => println!("{line}"),
        None => println!(
            "  not checked against the ledger: with --api URL --genesis GENESIS, the archive's head is compared \
             with the one the ledger proves"
        ),
    }
    Ok(())
}

/// Check everything in the archive this command can: the ballots, the tally against the counted ballots, the
/// partial decryptions and the result.
fn check(archive: &Archive) -> Result<Checked> {
    let Some(EventBody::Setup { election, trustees, credentials }) = archive.events.first().map(|e| &e.body) else {
        bail!("its first event is not Setup");
    };
    let election = Election::parse(election).map_err(|e| anyhow::anyhow!("its election object: {e}"))?;
    let trustees = Trustees::from_bytes(trustees).map_err(|e| anyhow::anyhow!("its trustees object: {e}"))?;
    let weights: HashMap<String, u64> =
        tally::credential_weights(credentials).map_err(|e| anyhow::anyhow!("its credentials object: {e}"))?;
    let slots: Vec<usize> = election.questions().iter().map(|q| q.slots()).collect();
    let mut ballots = Vec::new();
    let mut checked =
        Checked { uuid: election.uuid().to_string(), ballots: 0, tally: None, decryptions: 0, result: None };
    let mut encrypted_tally: Option<Vec<Vec<publica_belenios::ballot::Ciphertext>>> = None;
    let mut partials: Vec<(usize, PartialDecryption)> = Vec::new();
    for event in &archive.events[1..] {
        match &event.body {
            EventBody::Ballot(bytes) => {
                let verified = verify_ballot(&election, bytes)
                    .map_err(|e| anyhow::anyhow!("the ballot of event {} does not verify: {e}", event.height))?;
                let credential = verified.credential_decimal();
                if !weights.contains_key(&credential) {
                    bail!("the ballot of event {} uses a credential that is not in the list", event.height);
                }
                ballots.push(CastBallot::from_verified(&verified));
            }
            EventBody::EndBallots => {}
            EventBody::EncryptedTally { encrypted_tally: archived, num_tallied, total_weight } => {
                let computed = EncryptedTally::compute(&slots, &ballots, &weights)
                    .map_err(|e| anyhow::anyhow!("the ballots cannot be tallied: {e}"))?;
                if computed.to_bytes() != *archived {
                    bail!(
                        "the encrypted tally of event {} is not the product of the {} counted ballots (the last per \
                         credential, with its weight)",
                        event.height,
                        computed.num_tallied
                    );
                }
                if (computed.num_tallied, computed.total_weight) != (*num_tallied, *total_weight) {
                    bail!(
                        "the encrypted tally of event {} says {num_tallied} ballots of total weight \
                         {total_weight}; the counted ballots are {} of total weight {}",
                        event.height,
                        computed.num_tallied,
                        computed.total_weight
                    );
                }
                checked.tally = Some((computed.num_tallied, computed.total_weight));
                encrypted_tally = Some(computed.questions);
            }
            EventBody::PartialDecryption { owner, partial_decryption } => {
                let tally = encrypted_tally.as_ref().context("a partial decryption comes before the tally")?;
                let partial = PartialDecryption::from_bytes(partial_decryption)
                    .map_err(|e| anyhow::anyhow!("the partial decryption of trustee {owner}: {e}"))?;
                partials.push((*owner as usize, partial));
                // The partial decryptions so far are checked (each proof against its trustee's verification key)
                // as each comes, so that a bad one is named even when no result follows.
                match tally::combine(&trustees, tally, &partials, election.fingerprint()) {
                    Ok(_) | Err(tally::TallyError::NotEnoughPartialDecryptions { .. }) => {}
                    Err(e) => bail!("event {}: {e}", event.height),
                }
                checked.decryptions += 1;
            }
            EventBody::Result(result) => {
                let tally = encrypted_tally.as_ref().context("the result comes before the tally")?;
                let counts = tally::verify_result(&trustees, tally, &partials, election.fingerprint(), result)
                    .map_err(|e| anyhow::anyhow!("the result of event {}: {e}", event.height))?;
                checked.result = Some(result_text(&election, &counts));
            }
            EventBody::Setup { .. } => bail!("event {} is a second Setup", event.height),
        }
    }
    checked.ballots = ballots.len();
    Ok(checked)
}

/// A result in words: each question, then each answer's count (the blank count first where blank votes are
/// allowed, as Belenios counts them).
fn result_text(election: &Election, counts: &[Vec<u64>]) -> String {
    let mut out = String::new();
    for (q, (question, counts)) in election.questions().iter().zip(counts).enumerate() {
        out.push_str(&format!("    question {}: {}\n", q + 1, question.question));
        let names = question.blank_allowed().then(|| "(blank)".to_owned()).into_iter().chain(question.answers.clone());
        for (name, count) in names.zip(counts) {
            out.push_str(&format!("      {count:>8}  {name}\n"));
        }
    }
    out
}

/// Most pages of elections read to find one by its uuid.
const MAX_LIST_PAGES: usize = 10_000;

/// The archive ends at the head the ledger proves for its election, with as many events.
fn check_against_ledger(
    archive: &Archive,
    uuid: &str,
    api: &str,
    genesis: &Path,
    history: Option<&Path>,
    election: Option<u64>,
) -> Result<String> {
    let client = Client::new(api)?;
    let id = match election {
        Some(id) => id,
        None => find_by_uuid(&client, uuid)?,
    };
    let genesis_bytes = crate::cmd::read_bounded(genesis, publica_types::genesis::MAX_GENESIS_BYTES as u64, "genesis")?;
    let genesis = Genesis::from_json(&genesis_bytes).with_context(|| format!("reading {}", genesis.display()))?;
    let sets = crate::cmd::verify::sets_from(&genesis, history, Some(api))?;
    let (record, read) = super::proven_election(&client, &sets, id)?;
    if record.uuid != uuid {
        bail!("election {id} on the ledger has uuid {}, the archive {uuid}", record.uuid);
    }
    let head = archive.head().expect("a read archive has its Setup event");
    if record.head != Some(head) || record.events != archive.events.len() as u64 {
        bail!(
            "the archive ends at event {} (head {}), but the ledger proves {} events for election {id} \
             (head {}) at height {}: it is not the board the ledger holds",
            archive.events.len() - 1,
            hex::encode(head),
            record.events,
            record.head.map(hex::encode).unwrap_or_else(|| "none".into()),
            read.height
        );
    }
    Ok(format!(
        "  it is the board of election {id} on chain {}: the ledger proves {} events ending at this head, at height {} \
         (block time {}, signed by {})",
        read.chain_id,
        record.events,
        read.height,
        publica_types::time::format_time_ms(read.time_ms),
        crate::cmd::count(read.signers, "validator")
    ))
}

/// The number of the election whose Belenios uuid is `uuid`.
fn find_by_uuid(client: &Client, uuid: &str) -> Result<u64> {
    let mut from = 0;
    for _ in 0..MAX_LIST_PAGES {
        let page = client.elections(Page { from: Some(from), limit: None })?;
        if let Some(e) = page.elections.iter().find(|e| e.uuid == uuid) {
            return Ok(e.id);
        }
        match page.elections.last() {
            Some(last) if last.id + 1 < page.count => from = last.id + 1,
            _ => break,
        }
    }
    bail!("no election on the node has uuid {uuid}: is it the right network? (--election ID names it)")
}

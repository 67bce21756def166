//! The credentials' way to the voters and back: the credential authority writes one sealed letter per voter on
//! the roll; a citizen opens theirs, builds a ballot on their own machine and casts it as an anonymous
//! transaction.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use publica_client::election::{self as kit, Choice, CredentialLetter};
use publica_client::Client;
use publica_elections::schema::ElectionStatus;
use publica_types::{sha256, Address, Hash};

use super::{addresses, VoteArgs, COMMIT_WAIT};
use crate::keyfile::{self, PassphraseArgs};

/// Arguments of `publica election credentials generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// The election's number.
    id: u64,
    /// The credential authority's key file (it names the authority in each letter; it signs nothing here).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// Where to write the letters (`<address>.letter`) and `public-credentials.txt`; created if missing.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// The roll's citizens, in the order they were added.
    voters: Vec<Address>,
    /// A file of the roll's citizens, one address per line, in the order they were added (after those given as
    /// arguments).
    #[arg(long, value_name = "FILE")]
    roll: Option<PathBuf>,
    /// The network's genesis document: each voter's key is then taken from its account's record only once the
    /// record's proof verifies with the genesis validators' keys (and the validator history the node serves,
    /// itself verified from them), so that a node cannot have a letter sealed to a key of its choosing.
    #[arg(long, value_name = "FILE")]
    genesis: Option<PathBuf>,
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = publica_client::DEFAULT_API)]
    api: String,
}

/// The running hash of a roll, as the module keeps it: `H(previous ‖ address)` from 32 zero bytes.
fn roll_hash(voters: &[Address]) -> Hash {
    voters.iter().fold([0; 32], |hash, voter| sha256(&[hash.as_slice(), &voter.0].concat()))
}

/// `publica election credentials generate`.
pub fn generate(args: GenerateArgs) -> Result<()> {
    let client = Client::new(&args.api)?;
    let record = super::show::record(&client, args.id)?;
    let Some(frozen_at) = record.roll_frozen_at_height else {
        bail!(
            "the roll of election {} is not frozen: the commission freezes it first (`publica election roll freeze {}`)",
            args.id,
            args.id
        );
    };
    if record.credentials_count > 0 {
        bail!(
            "election {} already has {} public credentials: a second set of letters would not match them",
            args.id,
            record.credentials_count
        );
    }
    let voters = addresses(&args.voters, args.roll.as_deref())?;
    if voters.len() as u64 != record.roll_count || roll_hash(&voters) != record.roll_hash {
        bail!(
            "the {} given are not the roll of election {} ({} citizens frozen at height {frozen_at}, roll hash {}): \
             give every citizen on the roll, in the order they were added",
            crate::cmd::count(voters.len(), "address"),
            args.id,
            record.roll_count,
            hex::encode(record.roll_hash)
        );
    }
    let authority = keyfile::load(&args.key, &args.passphrase)?;
    let authority = client.sender_for(authority.public_key().address(), None)?;
    if authority != record.credential_authority {
        bail!(
            "the credential authority of election {} is {}; --key signs for {authority}",
            args.id,
            record.credential_authority
        );
    }
    // Every voter's key is read before anything is written, so that a voter without an account stops nothing
    // half-way.
    let sets = match &args.genesis {
        Some(path) => {
            let max = publica_types::genesis::MAX_GENESIS_BYTES as u64;
            let bytes = crate::cmd::read_bounded(path, max, "a genesis document")?;
            let genesis =
                publica_types::Genesis::from_json(&bytes).with_context(|| format!("reading {}", path.display()))?;
            Some(crate::cmd::verify::sets_from(&genesis, None, Some(&args.api))?)
        }
        None => None,
    };
    let mut keys = Vec::with_capacity(voters.len());
    for voter in &voters {
        let answer = client.account(voter).with_context(|| format!("reading the account of voter {voter}"))?;
        let record = match &sets {
            Some(sets) => proven_account(&answer.proof, sets, voter)?,
            None => answer.account,
        };
        let key = record.public_key.parse().with_context(|| format!("the key of voter {voter}"))?;
        keys.push(key);
    }
    let chain_id = client.chain_id()?;
    let issued = kit::issue_credentials(&record.uuid, &voters.iter().map(|v| (*v, 1)).collect::<Vec<_>>())?;
    // Nothing is written over: a letter of an earlier set holds another credential than this set publishes.
    let public_path = args.out_dir.join("public-credentials.txt");
    let letter_path = |voter: &Address| args.out_dir.join(format!("{voter}.letter"));
    if let Some(existing) =
        std::iter::once(public_path.clone()).chain(voters.iter().map(letter_path)).find(|p| p.exists())
    {
        bail!("{} already exists: write this set of letters into another directory", existing.display());
    }
    std::fs::create_dir_all(&args.out_dir).with_context(|| format!("creating {}", args.out_dir.display()))?;
    for (credential, key) in issued.iter().zip(&keys) {
        let letter = CredentialLetter::new(&chain_id, args.id, &record.uuid, authority, credential, key)?;
        letter.save(&letter_path(&credential.voter))?;
    }
    let lines: Vec<String> = kit::credential_batches(&issued)
        .into_iter()
        .flatten()
        .map(|c| if c.weight == 1 { c.credential } else { format!("{},{}", c.credential, c.weight) })
        .collect();
    std::fs::write(&public_path, lines.join("\n") + "\n")
        .with_context(|| format!("writing {}", public_path.display()))?;
    println!(
        "{} for election {} written to {} (one `<address>.letter` per voter, sealed to the voter's key): deliver \
         each to its citizen",
        crate::cmd::count(issued.len(), "credential letter"),
        args.id,
        args.out_dir.display()
    );
    if sets.is_none() {
        println!(
            "  each letter is sealed to the key the node names for its voter; with --genesis GENESIS the keys are \
             taken from proven records only"
        );
    }
    println!(
        "public credentials in {}; next, `publica election credentials publish {} --file {}` then `seal`",
        public_path.display(),
        args.id,
        public_path.display()
    );
    Ok(())
}

/// A voter's account record from its proof, checked with the network's validator sets.
fn proven_account(
    proof: &publica_verify::ReadProof,
    sets: &publica_verify::VerifiedSets,
    voter: &Address,
) -> Result<publica_accounts::AccountRecord> {
    let read = proof
        .verify_with_sets(sets)
        .map_err(|e| anyhow::anyhow!("the proof of voter {voter}'s account does not verify: {e}"))?;
    if read.key != publica_accounts::schema::account_key(voter) {
        bail!("the node proved another key than voter {voter}'s account");
    }
    let value = read.value.with_context(|| format!("the ledger proves that voter {voter} has no account"))?;
    publica_types::codec::decode_canonical("account record", &value, usize::MAX)
        .map_err(|e| anyhow::anyhow!("the proven account of voter {voter} does not decode: {e}"))
}

/// Expiry of a ballot's transaction, from now.
const BALLOT_EXPIRY_MS: u64 = 600_000;

/// `publica vote`.
pub fn run(args: VoteArgs) -> Result<()> {
    let choices: Vec<Choice> =
        if args.blank { Vec::new() } else { args.choice.iter().map(|c| c.parse::<Choice>()).collect::<Result<_>>()? };
    let letter = CredentialLetter::load(&args.letter)?;
    if letter.election != args.election {
        bail!("{} is a letter for election {}, not election {}", args.letter.display(), letter.election, args.election);
    }
    let client = Client::new(&args.api)?;
    let chain_id = client.chain_id()?;
    if letter.chain_id != chain_id {
        bail!("{} is a letter of chain {}, the node is on {chain_id}", args.letter.display(), letter.chain_id);
    }
    let key = keyfile::load(&args.key, &args.passphrase)?;
    let credential = kit::open_letter(&key, &letter).with_context(|| {
        format!("the letter {} does not open with the key in {}", args.letter.display(), args.key.display())
    })?;
    let answer = client.election(args.election)?;
    let record = &answer.election;
    if record.uuid != letter.uuid {
        bail!("election {} has uuid {}, the letter is for uuid {}", args.election, record.uuid, letter.uuid);
    }
    if record.status != ElectionStatus::Voting {
        bail!(
            "election {} is {}: ballots are taken only while it is voting",
            args.election,
            super::show::status_text(&record.status)
        );
    }
    let now = publica_client::now_ms();
    if now >= record.closes_at_ms {
        bail!(
            "the vote of election {} closed at {}: no ballot is taken after it",
            args.election,
            publica_types::time::format_time_ms(record.closes_at_ms)
        );
    }
    let choices = if args.blank { vec![Choice::Blank; record.questions.len()] } else { choices };
    let election = kit::election_object(&answer)?;
    let ballot = kit::build_ballot(election, &credential, &choices)?;
    let tx = kit::cast_transaction(chain_id, now + BALLOT_EXPIRY_MS, args.election, &ballot);
    let id = client.submit(&tx).context("casting the ballot")?;
    let status = client.wait(&id, COMMIT_WAIT)?;
    println!("ballot cast in election {} and committed at height {}", args.election, status.height.unwrap_or_default());
    println!("  receipt   {}", ballot.hash_hex());
    println!("  tracker   {}", ballot.tracker);
    println!("  check it: publica election ballot {} {}", args.election, ballot.hash_hex());
    println!("  a later ballot with the same letter replaces this one; the last one counts");
    Ok(())
}

//! `publica election` and `publica vote`: Belenios 2.0 elections with the ledger as the bulletin board
//! (`docs/elections.md`).
//!
//! Each step of an election's life is one command, run by the party the module authorises for it: the
//! commission creates the election, draws up and freezes the roll and closes the vote; each trustee runs its own
//! steps of the key generation and its partial decryption with its own trustee key file; the credential authority
//! writes one sealed letter per voter and publishes the public credentials; a citizen opens their letter and votes
//! (an anonymous transaction: no account signs a ballot); anyone reads the board, checks a receipt, writes the
//! archive and verifies it.
//!
//! The submodules: [`show`] (reads: list, show, a ballot's receipt), [`setup`] (the commission's and the
//! credential authority's transactions), [`trustee`] (the trustees' steps), [`vote`] (a citizen's ballot),
//! [`archive`] (writing and verifying the `.bel` archive).

use super::tx::{Sender, COMMIT_WAIT};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use publica_client::DEFAULT_API;
use publica_types::{Address, Hash};

use super::registry::ReadArgs;
use super::tx::SendArgs;
use crate::keyfile::PassphraseArgs;

mod archive;
mod eligibility;
mod setup;
mod show;
mod trustee;
mod vote;

/// `publica election` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// The elections on the ledger, in the order they were created, with where each stands.
    List {
        /// The first election listed (by number).
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// One election: status, questions, window, trustees, roll and credentials, ballots, fingerprint, and the
    /// result with the answers' names once decided.
    Show {
        /// The election's number.
        id: u64,
        /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Create an election (sender: an official holding `electoral-commission`). One question is given with
    /// --question, --answer (repeated), --min, --max and --blank; several with --questions FILE.
    Create(setup::CreateArgs),
    /// A trustee's steps: the key generation (cert, polynomial, verification-key, in that order, each after every
    /// trustee has done the one before) and, after the vote closes, the partial decryption.
    #[command(subcommand)]
    Trustee(trustee::Command),
    /// The electoral roll: add citizens, then freeze it (sender: the commission).
    #[command(subcommand)]
    Roll(setup::RollCommand),
    /// The credentials: the credential authority writes one sealed letter per voter, publishes the public
    /// credentials and seals them, which opens the board.
    #[command(subcommand)]
    Credentials(setup::CredentialsCommand),
    /// Check a voter's receipt against the board: whether the ballot is there, at which event and block, and
    /// whether it is counted or was replaced by a later ballot of the same credential.
    Ballot {
        /// The election's number.
        id: u64,
        /// The receipt: the ballot's SHA-256 in hex (64 digits), or its Belenios tracker (unpadded base64).
        receipt: String,
        /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Close the vote once its closing time has passed (sender: the commission or a trustee): the encrypted
    /// tally goes on the board and the trustees can decrypt it.
    Close {
        /// The election's number.
        id: u64,
        /// If the closing time has not come yet, wait for it (and for a block after it) instead of being refused.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Write the election's board as a Belenios 2.0 archive, page by page, checked to be one chain of events
    /// ending at the head of the election's record as the node serves it (`publica election verify FILE --api URL
    /// --genesis GENESIS` checks that head's proof). `belenios-tool election verify --dir DIR` expects the archive
    /// as `DIR/<uuid>.bel`, where `<uuid>` is the election's Belenios uuid (`publica election show` prints it): name
    /// --out so.
    Archive {
        /// The election's number.
        id: u64,
        /// Where to write the archive (`DIR/<uuid>.bel` for belenios-tool).
        #[arg(long, value_name = "FILE", required_unless_present = "dir", conflicts_with = "dir")]
        out: Option<PathBuf>,
        /// Write the archive in this directory (created if missing) as `<uuid>.bel`, the name belenios-tool looks
        /// for.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// Verify an archive (`.bel`) beyond what belenios-tool checks: it is read strictly, every ballot verifies,
    /// and the encrypted tally in it is the product of the counted ballots (the last per credential, with its
    /// weight); with --api and --genesis, also that it ends at the head the ledger proves for the election.
    Verify(archive::VerifyArgs),
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Command::List { .. } | Command::Show { .. } | Command::Ballot { .. })
    }
}

/// Arguments of `publica vote`.
#[derive(Args)]
pub struct VoteArgs {
    /// The election's number.
    #[arg(long)]
    election: u64,
    /// The credential letter the credential authority sent you (`publica election credentials generate`).
    #[arg(long, value_name = "FILE")]
    letter: PathBuf,
    /// Your citizen key file, which opens the letter. It signs nothing: the ballot is sent by no account.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// Your answers to one question, in the order of the questions: the numbers of the answers you choose,
    /// from 1, comma-separated (`--choice 2`, `--choice 1,3`), or `blank` where the question allows a blank
    /// vote. Give it once per question.
    #[arg(long, value_name = "N[,N...]|blank", required_unless_present = "blank", conflicts_with = "blank")]
    choice: Vec<String>,
    /// Vote blank on every question (each must allow it).
    #[arg(long)]
    blank: bool,
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// Run an election command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::List { from, read } => show::list(from, &read),
        Command::Show { id, out, read } => show::show(id, out.as_deref(), &read),
        Command::Create(args) => setup::create(args),
        Command::Trustee(c) => trustee::run(c),
        Command::Roll(c) => setup::run_roll(c),
        Command::Credentials(c) => setup::run_credentials(c),
        Command::Ballot { id, receipt, out, read } => show::ballot(id, &receipt, out.as_deref(), &read),
        Command::Close { id, wait, send } => setup::close(id, wait, &send),
        Command::Archive { id, out, dir, api } => archive::write(id, out.as_deref(), dir.as_deref(), &api),
        Command::Verify(args) => archive::verify(args),
    }
}

/// Run `publica vote`.
pub fn run_vote(args: VoteArgs) -> Result<()> {
    vote::run(args)
}

/// An election's record as the ledger proves it: the node's answer checked against the validator sets, and the
/// verified read of the record's key (its height, block time and signers).
fn proven_election(
    client: &publica_client::Client,
    sets: &publica_verify::VerifiedSets,
    id: u64,
) -> Result<(publica_elections::schema::ElectionRecord, publica_verify::VerifiedRead)> {
    let document = serde_json::to_vec(&client.election_json(id)?)?;
    let found = publica_verify::verify_document(&document, sets)
        .map_err(|e| anyhow::anyhow!("the node's proof of election {id} does not verify: {e}"))?;
    let key = publica_elections::schema::election_key(id);
    let read = found
        .reads
        .into_iter()
        .find(|r| r.key == key)
        .with_context(|| format!("the node's answer about election {id} has no proof of its record"))?;
    let value = read.value.as_ref().with_context(|| format!("the ledger proves that election {id} does not exist"))?;
    let record = publica_types::codec::decode_canonical("election record", value, usize::MAX)
        .map_err(|e| anyhow::anyhow!("the proven record of election {id} does not decode: {e}"))?;
    Ok((record, read))
}

/// A receipt as a SHA-256: 64 hex digits, or Belenios' tracker (the same hash in unpadded base64, 43 characters).
fn parse_receipt(text: &str) -> Result<Hash> {
    use base64::Engine as _;
    let text = text.trim();
    let mut hash = [0u8; 32];
    if text.len() == 64 && hex::decode_to_slice(text, &mut hash).is_ok() {
        return Ok(hash);
    }
    match base64::engine::general_purpose::STANDARD_NO_PAD.decode(text) {
        Ok(bytes) if bytes.len() == 32 => {
            hash.copy_from_slice(&bytes);
            Ok(hash)
        }
        _ => bail!(
            "{text:?} is not a ballot receipt: give the ballot's SHA-256 in hex (64 digits) or its Belenios tracker \
             (43 characters of base64), as `publica vote` printed them"
        ),
    }
}

/// Addresses from the command line and from a file of one address per line (blank lines and `#` comments
/// skipped), in that order.
fn addresses(listed: &[Address], file: Option<&std::path::Path>) -> Result<Vec<Address>> {
    let mut all = listed.to_vec();
    if let Some(path) = file {
        let bytes = super::read_bounded(path, MAX_ADDRESS_FILE_BYTES, "a file of addresses")?;
        let text = String::from_utf8(bytes).with_context(|| format!("{} is not text", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let address = line
                .parse::<Address>()
                .map_err(|e| anyhow::anyhow!("{}:{}: {line:?} is not an address ({e})", path.display(), n + 1))?;
            all.push(address);
        }
    }
    Ok(all)
}

/// Largest file of addresses read: a whole roll of `MAX_VOTERS` (41 bytes a line).
const MAX_ADDRESS_FILE_BYTES: u64 = 64 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_is_read_as_hex_or_as_a_tracker_and_anything_else_is_refused() {
        let hash = publica_types::sha256(b"a ballot");
        assert_eq!(parse_receipt(&hex::encode(hash)).unwrap(), hash);
        let tracker = publica_belenios::election::b64(&hash);
        assert_eq!(parse_receipt(&tracker).unwrap(), hash);
        for bad in ["", "abc", &hex::encode(&hash[..31]), "!!!"] {
            assert!(parse_receipt(bad).unwrap_err().to_string().contains("not a ballot receipt"), "{bad:?}");
        }
    }
}

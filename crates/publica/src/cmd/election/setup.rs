//! The commission's and the credential authority's transactions: create an election, draw up and freeze the
//! roll, publish and seal the public credentials, close the vote.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use publica_elections::call::{
    PublishedCredential, Question, MAX_CREDENTIALS_PER_CALL, MAX_VOTERS_PER_CALL, MAX_WEIGHT,
};
use publica_elections::ElectionsCall;
use publica_types::time::{format_time_ms, parse_time_ms};
use publica_types::{Address, TxOutcome};

use super::{addresses, Sender};
use crate::cmd::tx::SendArgs;

/// Arguments of `publica election create`.
#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The election's name.
    #[arg(long)]
    name: String,
    /// What it is about.
    #[arg(long, default_value = "")]
    description: String,
    /// The question (for one question; several: --questions FILE).
    #[arg(long, required_unless_present = "questions", conflicts_with = "questions", requires = "answers")]
    question: Option<String>,
    /// An answer to the question, in ballot order. Repeat for each answer.
    #[arg(long = "answer", value_name = "TEXT", conflicts_with = "questions")]
    answers: Vec<String>,
    /// Fewest answers a ballot chooses (unless blank).
    #[arg(long, default_value_t = 1, conflicts_with = "questions")]
    min: u32,
    /// Most answers a ballot chooses.
    #[arg(long, default_value_t = 1, conflicts_with = "questions")]
    max: u32,
    /// Allow a blank vote on the question.
    #[arg(long, conflicts_with = "questions")]
    blank: bool,
    /// Several questions: a JSON array of {"question", "answers", "min", "max", "blank"}.
    #[arg(long, value_name = "FILE")]
    questions: Option<PathBuf>,
    /// Opening of the vote (inclusive, block time): `now`, `+DURATION` from now (`+90s`, `+10m`, `+2h`, `+7d`),
    /// a date, an RFC 3339 date-time or Unix milliseconds.
    #[arg(long, value_name = "TIME")]
    opens: String,
    /// Closing of the vote (exclusive), in the same forms as --opens.
    #[arg(long, value_name = "TIME")]
    closes: String,
    /// A trustee's account, in order (trustee 1 first). Repeat for each trustee.
    #[arg(long = "trustee", value_name = "ADDRESS", required = true)]
    trustees: Vec<Address>,
    /// How many trustees must take part in the decryption.
    #[arg(long)]
    threshold: u32,
    /// The official (holding `credential-authority`) who writes the credential letters and publishes the public
    /// credentials.
    #[arg(long, value_name = "ADDRESS")]
    credential_authority: Address,
}

/// `publica election roll` subcommands.
#[derive(Subcommand)]
pub enum RollCommand {
    /// Add active citizens to the roll, in batches of at most 1,000 per transaction. The order they are added in
    /// is the roll's order: keep the list, the credential authority needs it to write the letters.
    Add {
        /// The election's number.
        id: u64,
        #[command(flatten)]
        send: SendArgs,
        /// Citizens' addresses.
        voters: Vec<Address>,
        /// A file of citizens' addresses, one per line (after those given as arguments).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Check the credential presentations citizens sent the commission (bound to this election) against the
    /// ledger and write the addresses of those who meet every --require, for `roll add --file`. Sends nothing.
    Eligible(super::eligibility::EligibleArgs),
    /// Freeze the roll: no citizen is added after this, and the credentials can be published.
    Freeze {
        /// The election's number.
        id: u64,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica election credentials` subcommands.
#[derive(Subcommand)]
pub enum CredentialsCommand {
    /// Generate one private credential per voter on the frozen roll and write each in a letter sealed to the
    /// voter's own key (`DIR/<address>.letter`), with the public credentials (`DIR/public-credentials.txt`) for
    /// `publish`. No route lists the roll: give its addresses, in the order they were added, as arguments or in
    /// a file; they are checked against the frozen roll's count and hash before anything is written.
    Generate(super::vote::GenerateArgs),
    /// Publish the public credentials (`public-credentials.txt` from `generate`), at most 100 per transaction
    /// (sender: the credential authority).
    Publish {
        /// The election's number.
        id: u64,
        #[command(flatten)]
        send: SendArgs,
        /// The public credentials: one `CREDENTIAL` or `CREDENTIAL,WEIGHT` a line, or a JSON array of those
        /// strings (Belenios' form).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Seal the credentials once there is one per voter: the election is set up and its board opens (sender: the
    /// credential authority).
    Seal {
        /// The election's number.
        id: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Revoke a public credential that has not voted, for a letter lost or stolen or a voter who died (sender: the
    /// credential authority, the one who knows whose it is): no ballot with it is accepted after. A credential that
    /// voted cannot be revoked: its last ballot counts.
    Revoke {
        /// The election's number.
        id: u64,
        /// The public credential, in decimal (as `public-credentials.txt` lists it).
        #[arg(long)]
        credential: String,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica election create`.
pub fn create(args: CreateArgs) -> Result<()> {
    let questions = match (&args.questions, &args.question) {
        (Some(path), _) => read_questions(path)?,
        (None, Some(text)) => vec![Question {
            question: text.clone(),
            answers: args.answers.clone(),
            min: args.min,
            max: args.max,
            blank: args.blank,
        }],
        (None, None) => bail!("give --question TEXT with --answer for each answer, or --questions FILE"),
    };
    for (i, q) in questions.iter().enumerate() {
        if q.answers.len() < 2 && !q.blank {
            bail!("question {} has {} answer(s): give at least two with --answer", i + 1, q.answers.len());
        }
        if q.max == 0 || q.min > q.max || q.max as usize > q.answers.len() {
            bail!(
                "question {}: --min {} and --max {} must satisfy 0 <= min <= max <= {} (its answers), max at least 1",
                i + 1,
                q.min,
                q.max,
                q.answers.len()
            );
        }
    }
    let now = publica_client::now_ms();
    let opens_at_ms = when(&args.opens, "--opens", now)?;
    let closes_at_ms = when(&args.closes, "--closes", now)?;
    if closes_at_ms <= opens_at_ms || closes_at_ms <= now {
        bail!(
            "the vote would open at {} and close at {}: --closes must be after --opens and in the future",
            format_time_ms(opens_at_ms),
            format_time_ms(closes_at_ms)
        );
    }
    if args.threshold == 0 || args.threshold as usize > args.trustees.len() {
        bail!("--threshold {} must be from 1 to the number of trustees ({})", args.threshold, args.trustees.len());
    }
    let mut sender = Sender::open(&args.send)?;
    let trustees = args.trustees.clone();
    let call = ElectionsCall::CreateElection {
        name: args.name,
        description: args.description,
        questions,
        opens_at_ms,
        closes_at_ms,
        trustees: args.trustees,
        threshold: args.threshold,
        credential_authority: args.credential_authority,
    };
    let Some(status) = sender.send(call)? else {
        println!("not waited for: `publica query tx ID` gives the election's number once committed");
        return Ok(());
    };
    let Some(TxOutcome::Election { id }) = status.outcome else {
        bail!("the transaction committed without creating an election (outcome {:?})", status.outcome);
    };
    println!("created election {id}");
    println!("  vote from {} to {}", format_time_ms(opens_at_ms), format_time_ms(closes_at_ms));
    println!(
        "  next: each of the {} trustees runs `publica election trustee cert {id} --key ACCOUNT_KEY --trustee-key \
         FILE` (trustee 1 is {})",
        trustees.len(),
        trustees[0]
    );
    Ok(())
}

/// A time on the command line: `now`, `+DURATION` from `now_ms`, or an absolute time.
fn when(text: &str, what: &str, now_ms: u64) -> Result<u64> {
    let text = text.trim();
    if text == "now" {
        return Ok(now_ms);
    }
    if let Some(rest) = text.strip_prefix('+') {
        let split = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (digits, unit) = rest.split_at(split);
        let n: u64 = digits
            .parse()
            .map_err(|_| anyhow::anyhow!("{what} {text:?}: a duration is +N followed by s, m, h or d"))?;
        let unit_ms = match unit {
            "s" | "" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => bail!("{what} {text:?}: a duration is +N followed by s, m, h or d (+90s, +10m, +2h, +7d)"),
        };
        return Ok(now_ms.saturating_add(n.saturating_mul(unit_ms)));
    }
    parse_time_ms(text).map_err(|e| anyhow::anyhow!("{what}: {e}; or `now`, or +DURATION such as +10m"))
}

/// Largest questions file read.
const MAX_QUESTIONS_FILE_BYTES: u64 = 1 << 20;

fn read_questions(path: &Path) -> Result<Vec<Question>> {
    let bytes = crate::cmd::read_bounded(path, MAX_QUESTIONS_FILE_BYTES, "a questions file")?;
    serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a JSON array of questions, each {{\"question\": TEXT, \"answers\": [TEXT, ...], \"min\": N, \
             \"max\": N, \"blank\": true|false}}",
            path.display()
        )
    })
}

/// `publica election roll …`.
pub fn run_roll(command: RollCommand) -> Result<()> {
    match command {
        RollCommand::Add { id, send, voters, file } => {
            let voters = addresses(&voters, file.as_deref())?;
            if voters.is_empty() {
                bail!("no citizen to add: give their addresses as arguments or with --file FILE");
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(twice) = voters.iter().find(|v| !seen.insert(**v)) {
                bail!("{twice} is named twice; each citizen is on the roll once");
            }
            let mut sender = Sender::open(&send)?;
            let batches = voters.len().div_ceil(MAX_VOTERS_PER_CALL);
            for (n, batch) in voters.chunks(MAX_VOTERS_PER_CALL).enumerate() {
                sender.send(ElectionsCall::AddVoters { election: id, voters: batch.to_vec() }).with_context(|| {
                    format!(
                        "batch {} of {batches} was refused; the {} citizens before it are on the roll",
                        n + 1,
                        n * MAX_VOTERS_PER_CALL
                    )
                })?;
            }
            println!("added {} to the roll of election {id}", crate::cmd::count(voters.len(), "citizen"));
            Ok(())
        }
        RollCommand::Eligible(args) => super::eligibility::run(args),
        RollCommand::Freeze { id, send } => {
            Sender::open(&send)?.send(ElectionsCall::FreezeRoll { election: id })?;
            println!(
                "the roll of election {id} is frozen; next, the credential authority runs `publica election \
                 credentials generate {id}`"
            );
            Ok(())
        }
    }
}

/// `publica election credentials …`.
pub fn run_credentials(command: CredentialsCommand) -> Result<()> {
    match command {
        CredentialsCommand::Generate(args) => super::vote::generate(args),
        CredentialsCommand::Publish { id, send, file } => {
            let credentials = read_public_credentials(&file)?;
            let mut sender = Sender::open(&send)?;
            let batches = credentials.len().div_ceil(MAX_CREDENTIALS_PER_CALL);
            for (n, batch) in credentials.chunks(MAX_CREDENTIALS_PER_CALL).enumerate() {
                let call = ElectionsCall::PublishCredentials { election: id, credentials: batch.to_vec() };
                sender.send(call).with_context(|| {
                    format!(
                        "batch {} of {batches} was refused; the {} credentials before it are published",
                        n + 1,
                        n * MAX_CREDENTIALS_PER_CALL
                    )
                })?;
            }
            println!(
                "published {} for election {id}; next, `publica election credentials seal {id}`",
                crate::cmd::count(credentials.len(), "public credential")
            );
            Ok(())
        }
        CredentialsCommand::Revoke { id, credential, send } => {
            let credential = credential.trim().to_owned();
            Sender::open(&send)?.send(ElectionsCall::RevokeCredential { election: id, credential })?;
            println!("the credential is revoked in election {id}: no ballot with it is accepted from now on");
            Ok(())
        }
        CredentialsCommand::Seal { id, send } => {
            Sender::open(&send)?.send(ElectionsCall::SealCredentials { election: id })?;
            println!(
                "the credentials of election {id} are sealed: the board is open and voters can vote in the window"
            );
            Ok(())
        }
    }
}

/// Largest public credentials file read: a roll of a million at about 620 bytes a line.
const MAX_PUBLIC_CREDENTIALS_BYTES: u64 = 1 << 30;

/// Public credentials from a file: a JSON array of `"dec"` or `"dec,weight"` strings, or one of those per line.
/// Each is checked as Belenios checks it (a member of the group, a weight in bounds) before anything is sent.
pub fn read_public_credentials(path: &Path) -> Result<Vec<PublishedCredential>> {
    let bytes = crate::cmd::read_bounded(path, MAX_PUBLIC_CREDENTIALS_BYTES, "a public credentials file")?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not text", path.display()))?;
    let lines: Vec<String> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON array of credential strings", path.display()))?
    } else {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    if lines.is_empty() {
        bail!("{} holds no public credential", path.display());
    }
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let parsed = publica_belenios::credential::parse_public_credential(line)
                .map_err(|e| anyhow::anyhow!("{} line {}: {e}", path.display(), n + 1))?;
            let weight = parsed.weight.unwrap_or(1);
            if weight == 0 || weight > MAX_WEIGHT {
                bail!("{} line {}: weight {weight} is outside 1..={MAX_WEIGHT}", path.display(), n + 1);
            }
            Ok(PublishedCredential { credential: parsed.credential.to_decimal(), weight })
        })
        .collect()
}

/// `publica election close ID`.
pub fn close(id: u64, wait: bool, send: &SendArgs) -> Result<()> {
    let mut sender = Sender::open(send)?;
    if wait {
        wait_for_closing(&sender.client, id)?;
    }
    sender.send(ElectionsCall::Close { election: id })?;
    println!(
        "election {id} is closed: the encrypted tally is on the board; each trustee now runs `publica election \
         trustee decrypt {id}`"
    );
    Ok(())
}

/// Longest `close --wait` waits: a closing time further away is an error, not an afternoon of waiting.
const MAX_CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(3_600);

/// Wait until a committed block's time has reached the election's closing time (the ledger closes a vote by
/// block time), saying how long it waits.
fn wait_for_closing(client: &publica_client::Client, id: u64) -> Result<()> {
    let closes_at = client.election(id)?.election.closes_at_ms;
    let block_time = || -> Result<u64> { Ok(client.block(publica_client::BlockAt::Latest)?.header.time_ms) };
    let left = std::time::Duration::from_millis(closes_at.saturating_sub(block_time()?));
    if left.is_zero() {
        return Ok(());
    }
    if left > MAX_CLOSE_WAIT {
        bail!(
            "election {id} closes in {} s, more than the {} s --wait waits; close it after its closing time",
            left.as_secs(),
            MAX_CLOSE_WAIT.as_secs()
        );
    }
    println!("election {id} closes in {:.0} s; waiting", left.as_secs_f64().ceil());
    let deadline = std::time::Instant::now() + left + std::time::Duration::from_secs(60);
    std::thread::sleep(left);
    // The next block after the closing time: blocks come at least every few seconds on a live network.
    while block_time()? < closes_at {
        if std::time::Instant::now() > deadline {
            bail!("no block after election {id}'s closing time within a minute of it: is the network making blocks?");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_now_a_duration_from_now_or_absolute() {
        let now = 1_800_000_000_000;
        assert_eq!(when("now", "--opens", now).unwrap(), now);
        assert_eq!(when("+90s", "--opens", now).unwrap(), now + 90_000);
        assert_eq!(when("+2h", "--opens", now).unwrap(), now + 7_200_000);
        assert_eq!(when("2027-01-01", "--opens", now).unwrap(), 1_798_761_600_000);
        for bad in ["+", "+5y", "+x", "tomorrow"] {
            assert!(when(bad, "--opens", now).is_err(), "{bad:?}");
        }
    }
}

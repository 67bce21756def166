//! Welfare: programmes funded by a commitment, a citizen's nullifier proof (made on the citizen's own machine), the
//! officer's claim with it, and whether a nullifier is recorded.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use publica_client::api::{NullifierResponse, ProgrammeResponse};
use publica_client::{Client, DEFAULT_API};
use publica_crypto::vrf;
use publica_finance::call::{nullifier_input, FinanceCall};
use publica_finance::schema::Programme;
use publica_types::{Address, AgencyId, Hash};

use super::{created, found, list_end, parse_period, proven_line, save_or_print, send, to_json, Ledger};
use super::{PageArgs, ShowArgs, Units};
use crate::cmd::tx::SendArgs;
use crate::keyfile::PassphraseArgs;

/// Largest proof file read: the JSON `nullifier-proof --out` writes is well under this.
const MAX_PROOF_FILE_BYTES: u64 = 16 * 1024;

/// `publica finance programme` subcommands.
#[derive(Subcommand)]
pub enum ProgrammeCommand {
    /// Open a benefit programme funded by a commitment of your agency that names no payee (sender: an official
    /// holding `welfare-officer`).
    Create(CreateArgs),
    /// A programme and what it paid in each of its months, with proofs.
    Show {
        /// The programme's number.
        id: u64,
        #[command(flatten)]
        show: ShowArgs,
    },
}

impl ProgrammeCommand {
    /// Whether the command only reads.
    pub fn is_read(&self) -> bool {
        matches!(self, ProgrammeCommand::Show { .. })
    }
}

/// Arguments of `publica finance programme create`.
#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The programme's name.
    #[arg(long)]
    name: String,
    /// The scheme it pays, e.g. child-benefit: programmes of one scheme (by any agency) share its nullifiers, so a
    /// citizen is paid once a month whichever of them they claim from.
    #[arg(long)]
    scheme: String,
    /// The commitment it pays from (one of your agency's, naming no payee).
    #[arg(long, value_name = "N")]
    commitment: u64,
    /// The amount paid per claim, in the budget's currency's unit.
    #[arg(long)]
    amount: String,
    /// The first month it pays, YYYYMM.
    #[arg(long, value_name = "YYYYMM", value_parser = parse_period)]
    first: u32,
    /// The last month it pays, YYYYMM (at most 120 months after the first).
    #[arg(long, value_name = "YYYYMM", value_parser = parse_period)]
    last: u32,
    /// The agency a claimant must have been registered by (their residence), if any.
    #[arg(long, value_name = "AGENCY")]
    registered_by: Option<AgencyId>,
    /// A credential type (`vct`) the officers check before claiming for a citizen. Repeatable.
    #[arg(long, value_name = "VCT")]
    requires: Vec<String>,
}

/// Arguments of `publica finance nullifier-proof`.
#[derive(Args)]
pub struct NullifierProofArgs {
    /// Your key file (a citizen's): its secret makes the proof, and never leaves this machine.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// The scheme claimed, e.g. child-benefit.
    #[arg(long)]
    scheme: String,
    /// The month claimed, YYYYMM.
    #[arg(long, value_name = "YYYYMM", value_parser = parse_period)]
    period: u32,
    /// Write the proof here (JSON: the chain, scheme, month, citizen, proof and nullifier), for the officer's
    /// `publica finance claim --proof-file FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the proof as JSON.
    #[arg(long)]
    json: bool,
    /// The node's API: the network's chain id is read from it (the proof is worth nothing on another network).
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// Arguments of `publica finance claim`.
#[derive(Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The programme.
    #[arg(long, value_name = "N")]
    programme: u64,
    /// The month claimed, YYYYMM: during it or the month after.
    #[arg(long, value_name = "YYYYMM", value_parser = parse_period)]
    period: u32,
    /// The citizen paid.
    #[arg(long)]
    citizen: Address,
    /// The citizen's nullifier proof, in hex (as `publica finance nullifier-proof` prints it).
    #[arg(long, value_name = "HEX", required_unless_present = "proof_file", conflicts_with = "proof_file")]
    proof: Option<String>,
    /// A file holding the proof: the JSON `publica finance nullifier-proof --out` writes, or the proof in hex.
    #[arg(long, value_name = "FILE")]
    proof_file: Option<PathBuf>,
}

/// A citizen's nullifier proof as `nullifier-proof` writes it: what it is for, so that the officer's claim can be
/// checked against it before it is sent.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofDocument {
    /// The network it was made for.
    chain_id: String,
    /// The scheme.
    scheme: String,
    /// The month, `YYYYMM`.
    period: u32,
    /// The citizen whose key made it.
    citizen: Address,
    /// The ECVRF proof, hex.
    proof: String,
    /// The nullifier it gives, hex.
    nullifier: String,
}

/// Run a programme command.
pub fn run(command: ProgrammeCommand) -> Result<()> {
    match command {
        ProgrammeCommand::Create(args) => create(args),
        ProgrammeCommand::Show { id, show } => programme(id, &show),
    }
}

fn create(args: CreateArgs) -> Result<()> {
    let client = Client::new(&args.send.api)?;
    let units = Ledger::new(&client).of_commitment(args.commitment)?;
    let amount = units.parse("--amount", &args.amount)?;
    if args.last < args.first {
        bail!(
            "--last {} is before --first {}: a programme pays from its first month to its last",
            args.last,
            args.first
        );
    }
    println!(
        "opening programme {:?} (scheme {}): {} a month from {} to {}, paid from commitment {}",
        args.name,
        args.scheme,
        units.show(amount),
        args.first,
        args.last,
        args.commitment
    );
    let scheme = args.scheme.clone();
    let call = FinanceCall::CreateProgramme {
        name: args.name,
        scheme: args.scheme,
        commitment: args.commitment,
        amount,
        first_period: args.first,
        last_period: args.last,
        registered_by: args.registered_by,
        requires: args.requires,
    };
    send(&args.send, call, |outcome| {
        Some(format!(
            "each citizen makes their proof (`publica finance nullifier-proof --key KEY --scheme {scheme} --period \
             YYYYMM`) and an officer claims with it (`publica finance claim --programme {} --period YYYYMM --citizen \
             ADDRESS --proof HEX`)",
            created(outcome)
        ))
    })
}

fn programme(id: u64, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer: ProgrammeResponse = found(client.finance_programme(id))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let units = Ledger::new(&client).of_commitment(answer.programme.commitment)?;
    print!("{}", programme_text(&answer.programme, &units));
    let paid: Vec<_> = answer.periods.iter().filter(|p| p.claims > 0).collect();
    if paid.is_empty() {
        println!("  no claim paid yet");
    } else {
        println!("  {:<7} {:>7} {:>18}", "month", "claims", "paid");
        for p in &paid {
            println!("  {:<7} {:>7} {:>18}", p.period, p.claims, units.show(p.paid));
        }
        println!("  (the other months of the programme paid no claim: proven absent)");
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

/// A programme in words.
fn programme_text(p: &Programme, units: &Units) -> String {
    let mut out = format!("programme {}: {} (scheme {}), run by {}\n", p.id, p.name, p.scheme, p.agency);
    out.push_str(&format!(
        "  pays {} a claim, for the months {} to {}, from commitment {}\n",
        units.show(p.amount),
        p.first_period,
        p.last_period,
        p.commitment
    ));
    if let Some(agency) = &p.registered_by {
        out.push_str(&format!("  claimants registered by {agency}\n"));
    }
    if !p.requires.is_empty() {
        out.push_str(&format!("  officers check the credentials {}\n", p.requires.join(", ")));
    }
    out.push_str(&format!("  paid {} claims, {} in all\n", p.claims, units.show(p.paid)));
    out
}

/// `publica finance programmes`.
pub fn programmes(page: PageArgs, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer = found(client.finance_programmes(page.page()))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let mut ledger = Ledger::new(&client);
    if answer.programmes.is_empty() {
        println!("no programmes from number {} ({} on the ledger)", page.from.unwrap_or(0), answer.count);
    }
    for p in &answer.programmes {
        let units = ledger.of_commitment(p.commitment)?;
        println!(
            "programme {:<4} {} (scheme {}) by {}: {} a claim, {} to {}; {} claims paid, {}",
            p.id,
            p.name,
            p.scheme,
            p.agency,
            units.show(p.amount),
            p.first_period,
            p.last_period,
            p.claims,
            units.show(p.paid)
        );
    }
    list_end(answer.programmes.last().map(|p| p.id), "programmes", answer.count, &answer.certified, show);
    Ok(())
}

/// `publica finance nullifier-proof`: made with the citizen's key on this machine; nothing is sent.
pub fn nullifier_proof(args: NullifierProofArgs) -> Result<()> {
    let client = Client::new(&args.api)?;
    let chain_id = client.chain_id()?;
    let key = crate::keyfile::load(&args.key, &args.passphrase)?;
    let citizen = client.sender_for(key.public_key().address(), None)?;
    let proof = vrf::prove(&key, &nullifier_input(chain_id.as_str(), &args.scheme, args.period));
    let nullifier = nullifier_of(&proof)?;
    let document = ProofDocument {
        chain_id: chain_id.to_string(),
        scheme: args.scheme.clone(),
        period: args.period,
        citizen,
        proof: hex::encode(proof),
        nullifier: hex::encode(nullifier),
    };
    if let Some(path) = &args.out {
        std::fs::write(path, serde_json::to_vec_pretty(&document)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(());
    }
    println!("nullifier proof of citizen {citizen} for scheme {} in {} on chain {chain_id}", args.scheme, args.period);
    println!("  proof      {}", document.proof);
    println!("  nullifier  {}", document.nullifier);
    let proof_arg = match &args.out {
        Some(path) => {
            println!("written to {}", path.display());
            format!("--proof-file {}", path.display())
        }
        None => "--proof HEX".into(),
    };
    println!(
        "nothing was sent. Give the proof to the welfare officer, who claims with `publica finance claim --programme N \
         --period {} --citizen {citizen} {proof_arg}`; the ledger records only the nullifier, which nobody can link \
         to you or to your other claims.",
        args.period
    );
    println!(
        "`publica finance nullifier {} {} {}` says whether a claim with it was paid.",
        args.scheme, args.period, document.nullifier
    );
    Ok(())
}

/// The nullifier a proof gives: the first 32 bytes of the proof's VRF output.
fn nullifier_of(proof: &[u8]) -> Result<Hash> {
    let output =
        vrf::proof_to_hash(proof).map_err(|e| anyhow::anyhow!("the nullifier proof is not a VRF proof: {e}"))?;
    Ok(publica_finance::welfare::nullifier(&output))
}

/// `publica finance claim`.
pub fn claim(args: ClaimArgs) -> Result<()> {
    let client = Client::new(&args.send.api)?;
    let programme = client
        .finance_programme(args.programme)
        .with_context(|| format!("reading programme {} (`publica finance programmes` lists them)", args.programme))?
        .programme;
    let proof = match (&args.proof, &args.proof_file) {
        (Some(hex_text), _) => proof_from_hex(hex_text, "--proof")?,
        (None, Some(path)) => {
            let bytes = crate::cmd::read_bounded(path, MAX_PROOF_FILE_BYTES, "a nullifier proof file")?;
            let text = String::from_utf8(bytes).with_context(|| format!("{} is not text", path.display()))?;
            if text.trim_start().starts_with('{') {
                let document: ProofDocument = serde_json::from_str(&text).with_context(|| {
                    format!("{} is not the JSON `publica finance nullifier-proof --out` writes", path.display())
                })?;
                check_document(&document, &client.chain_id()?.to_string(), &programme, &args)?;
                proof_from_hex(&document.proof, &path.display().to_string())?
            } else {
                proof_from_hex(text.trim(), &path.display().to_string())?
            }
        }
        (None, None) => bail!("give the citizen's nullifier proof with --proof HEX or --proof-file FILE"),
    };
    let nullifier = hex::encode(nullifier_of(&proof)?);
    let units = Ledger::new(&client).of_commitment(programme.commitment)?;
    println!(
        "claiming {} of programme {} ({}, scheme {}) for citizen {} in {}; nullifier {nullifier}",
        units.show(programme.amount),
        programme.id,
        programme.name,
        programme.scheme,
        args.citizen,
        args.period
    );
    let next = format!(
        "`publica finance nullifier {} {} {nullifier}` shows the nullifier recorded",
        programme.scheme, args.period
    );
    let call = FinanceCall::Claim { programme: args.programme, period: args.period, citizen: args.citizen, proof };
    send(&args.send, call, |_| Some(next))
}

/// A proof document made for another claim than this one is refused before anything is sent.
fn check_document(document: &ProofDocument, chain_id: &str, programme: &Programme, args: &ClaimArgs) -> Result<()> {
    let mismatch = |what: &str, theirs: String, ours: String| {
        anyhow::anyhow!(
            "the proof file was made for {what} {theirs}, and this claim is for {ours}: the citizen makes a proof for \
             exactly this claim with `publica finance nullifier-proof`"
        )
    };
    if document.chain_id != chain_id {
        return Err(mismatch("the network", document.chain_id.clone(), chain_id.to_owned()));
    }
    if document.scheme != programme.scheme {
        return Err(mismatch("the scheme", document.scheme.clone(), programme.scheme.clone()));
    }
    if document.period != args.period {
        return Err(mismatch("the month", document.period.to_string(), args.period.to_string()));
    }
    if document.citizen != args.citizen {
        return Err(mismatch("the citizen", document.citizen.to_string(), args.citizen.to_string()));
    }
    Ok(())
}

/// A proof in hex, of the length of an ECVRF proof.
fn proof_from_hex(text: &str, what: &str) -> Result<Vec<u8>> {
    let bytes = hex::decode(text.trim()).with_context(|| format!("{what}: the nullifier proof is not hex"))?;
    if bytes.len() != vrf::PROOF_LEN {
        bail!(
            "{what}: a nullifier proof is {} bytes ({} hex digits), not {}; copy it whole from `publica finance \
             nullifier-proof`",
            vrf::PROOF_LEN,
            2 * vrf::PROOF_LEN,
            bytes.len()
        );
    }
    Ok(bytes)
}

/// `publica finance nullifier SCHEME PERIOD NULLIFIER`.
pub fn nullifier(scheme: &str, period: u32, nullifier: &str, show: &ShowArgs) -> Result<()> {
    let mut hash: Hash = [0; 32];
    hex::decode_to_slice(nullifier.trim(), &mut hash).map_err(|_| {
        anyhow::anyhow!(
            "{nullifier:?} is not a nullifier: give its 64 hex digits, as `publica finance nullifier-proof` prints them"
        )
    })?;
    let answer: NullifierResponse = found(show.client()?.finance_nullifier(scheme, period, &hash))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return if answer.recorded { Ok(()) } else { Err(crate::cmd::Absent.into()) };
    }
    let hash = hex::encode(answer.nullifier);
    match &answer.record {
        Some(r) => println!(
            "nullifier {hash} is recorded for scheme {} in {}: programme {} paid the claim (payment {}) at height {}",
            answer.scheme, answer.period, r.programme, r.payment, r.height
        ),
        None => println!(
            "nullifier {hash} is not recorded for scheme {} in {}: no claim with it was paid",
            answer.scheme, answer.period
        ),
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    if answer.record.is_none() {
        return Err(crate::cmd::Absent.into());
    }
    Ok(())
}

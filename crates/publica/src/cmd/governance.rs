//! `publica governance`: agencies join and leave the validator set by a vote of the validators.
//!
//! Joining takes three steps by three parties: the joining agency's operator signs a candidacy with the new
//! node's consensus key (`candidacy`, a proof that the key is held); an agency administrator proposes it
//! (`propose --candidacy`); validators approve it with their consensus keys (`approve`), each approval carried to
//! the ledger by an administrator. The change applies once approvals hold more than two thirds of the current
//! voting power, and the new set signs from the next height on.
//!
//! The same vote changes the roles an agency may grant and its WebAssembly contracts (`docs/contracts.md`): an
//! agency's contract policy, an instance deployed with native roles, an upgrade to new code, a freeze or unfreeze.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use publica_contracts::call::{Deployment, Policy};
use publica_governance::call::ValidatorChange;
use publica_governance::call::{approval_message, possession_message};
use publica_tx::GovernanceCall;
use publica_types::{Address, AgencyId, Hash, Role, Validator};
use serde::{Deserialize, Serialize};

use super::tx::{send_call, SendArgs};
use crate::keyfile::{self, PassphraseArgs};
use publica_client::{Client, DEFAULT_API};

/// Largest candidacy file accepted.
const MAX_CANDIDACY_BYTES: u64 = 64 * 1024;

/// `publica governance` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Sign a candidacy with a new validator's consensus key (run by the joining agency, on its node's key).
    Candidacy(CandidacyArgs),
    /// Propose a change by governance: of the validator set, of the roles an agency may grant, or of contracts
    /// (sender: an agency administrator).
    // Boxed: its many flags make it far larger than the other commands.
    Propose(Box<ProposeArgs>),
    /// Approve a proposal with a validator's consensus key (sender: any official, normally the validator's own
    /// agency administrator).
    Approve(ApproveArgs),
    /// List the newest proposals and where they stand.
    Proposals {
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// Show the validator set and every set since genesis.
    Validators {
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
        /// Also save the certified validator history (every set change since genesis, each certified by the set
        /// before it) to this file, for `publica verify … --history FILE` offline.
        #[arg(long, value_name = "FILE")]
        history_out: Option<PathBuf>,
    },
}

/// Arguments of `candidacy`.
#[derive(Args)]
pub struct CandidacyArgs {
    /// The new validator's consensus key file (its node's `keys/validator.json`).
    #[arg(long, value_name = "FILE")]
    validator_key: PathBuf,
    /// The agency that will run the validator.
    #[arg(long)]
    agency: AgencyId,
    /// Voting power asked for.
    #[arg(long, default_value_t = 1)]
    power: u64,
    /// The network's API, to sign for the right chain.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
    /// Where to write the candidacy (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Arguments of `propose`: exactly one of the changes.
#[derive(Args)]
pub struct ProposeArgs {
    #[command(flatten)]
    send: SendArgs,
    /// Add the validator of this candidacy file (from `publica governance candidacy`).
    #[arg(long, value_name = "FILE", group = "change")]
    candidacy: Option<PathBuf>,
    /// Remove this validator.
    #[arg(long, value_name = "ADDRESS", group = "change")]
    remove: Option<Address>,
    /// Change this validator's voting power to --power.
    #[arg(long, value_name = "ADDRESS", group = "change", requires = "power")]
    set_power: Option<Address>,
    /// Replace the roles (besides admin) an agency may grant, as AGENCY=ROLE,ROLE,... (AGENCY= for none). A
    /// role taken away stops authorising anything for every official of the agency once the change applies.
    #[arg(long, value_name = "AGENCY=ROLES", group = "change")]
    agency_roles: Option<String>,
    /// The new voting power, with --set-power.
    #[arg(long)]
    power: Option<u64>,
    /// Replace this agency's contract policy by the one the flags below give: --admin-deploy, --code-hash
    /// (repeatable), --any-agency-code, --max-fuel-per-call, --fuel-per-day, --max-instances.
    #[arg(
        long,
        value_name = "AGENCY",
        group = "change",
        requires_all = ["max_fuel_per_call", "fuel_per_day", "max_instances"]
    )]
    contract_policy: Option<AgencyId>,
    /// With --contract-policy: the agency's administrators may deploy without a vote.
    #[arg(long, requires = "contract_policy")]
    admin_deploy: bool,
    /// With --contract-policy: they may also deploy any code an official of the agency uploaded.
    #[arg(long, requires = "contract_policy")]
    any_agency_code: bool,
    /// With --contract-policy: the most fuel per call of an instance an administrator deploys.
    #[arg(long, value_name = "N", requires = "contract_policy")]
    max_fuel_per_call: Option<u64>,
    /// With --contract-policy: the fuel all the agency's instances may use in one UTC day.
    #[arg(long, value_name = "N", requires = "contract_policy")]
    fuel_per_day: Option<u64>,
    /// With --contract-policy: the most instances the agency may hold.
    #[arg(long, value_name = "N", requires = "contract_policy")]
    max_instances: Option<u32>,
    /// Code, by its hash (64 hex digits): with --contract-policy, code its administrators may deploy
    /// (repeatable); with --deploy-contract or --upgrade-contract, the code to run (once).
    #[arg(long = "code-hash", value_name = "HASH", value_parser = super::contract::parse_hash)]
    code_hashes: Vec<Hash>,
    /// Deploy a contract instance of this name by the vote, for --agency, running --code-hash, with
    /// --fuel-per-call, --fuel-per-sender-day and the native roles --role (repeatable).
    #[arg(
        long,
        value_name = "NAME",
        group = "change",
        requires_all = ["agency", "fuel_per_call", "fuel_per_sender_day"]
    )]
    deploy_contract: Option<String>,
    /// With --deploy-contract: the owning agency, whose fuel budget the instance's calls spend.
    #[arg(long, requires = "deploy_contract")]
    agency: Option<AgencyId>,
    /// With --deploy-contract: the most fuel one call may use (at most 100000000).
    #[arg(long, value_name = "N", requires = "deploy_contract")]
    fuel_per_call: Option<u64>,
    /// With --deploy-contract: the most fuel one sender may use on the instance in one UTC day.
    #[arg(long, value_name = "N", requires = "deploy_contract")]
    fuel_per_sender_day: Option<u64>,
    /// With --deploy-contract: a role the instance holds for native calls, one the agency may grant
    /// (repeatable).
    #[arg(long = "role", value_name = "ROLE", requires = "deploy_contract")]
    roles: Vec<Role>,
    /// Upgrade this contract instance (number or name) to the code --code-hash; its state is kept.
    #[arg(long, value_name = "INSTANCE", group = "change")]
    upgrade_contract: Option<String>,
    /// Freeze this contract instance (number or name): calls are refused.
    #[arg(long, value_name = "INSTANCE", group = "change")]
    freeze_contract: Option<String>,
    /// Unfreeze this contract instance (number or name).
    #[arg(long, value_name = "INSTANCE", group = "change")]
    unfreeze_contract: Option<String>,
    /// Days the proposal stays open for approvals (at most 30).
    #[arg(long, default_value_t = 7)]
    open_days: u64,
}

/// Arguments of `approve`.
#[derive(Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The proposal's number.
    #[arg(long)]
    proposal: u64,
    /// The approving validator's consensus key file (its node's `keys/validator.json`).
    #[arg(long, value_name = "FILE")]
    validator_key: PathBuf,
    /// Passphrase file of the validator key (else the same source as the sender's key).
    #[arg(long, value_name = "FILE")]
    validator_passphrase_file: Option<PathBuf>,
}

/// A joining validator's signed request: what `propose --candidacy` puts on the ledger.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Candidacy {
    agency: AgencyId,
    validator: Validator,
    /// Base64 of the consensus key's signature over the possession message.
    possession: publica_types::Signature,
}

/// Run a governance command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Candidacy(args) => candidacy(args),
        Command::Propose(args) => propose(*args),
        Command::Approve(args) => approve(args),
        Command::Proposals { api, json } => {
            let body = Client::new(&api)?.proposals_json()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&body)?);
                return Ok(());
            }
            println!("{}", super::count(body["count"].as_u64().unwrap_or(0) as usize, "proposal"));
            let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            for p in body["proposals"].as_array().into_iter().flatten() {
                let change = &p["change"];
                let what = match change["change"].as_str() {
                    Some("add") => {
                        format!("add {} for {}", text(&change["validator"]["address"]), text(&change["agency"]))
                    }
                    Some("remove") => format!("remove {}", text(&change["address"])),
                    Some("set_power") => {
                        format!("set power of {} to {}", text(&change["address"]), change["voting_power"])
                    }
                    Some("set_agency_roles") => format!(
                        "let {} grant [{}] besides admin",
                        text(&change["agency"]),
                        change["roles"].as_array().into_iter().flatten().map(text).collect::<Vec<_>>().join(", ")
                    ),
                    Some("set_contract_policy") => format!("set the contract policy of {}", text(&change["agency"])),
                    Some("deploy_contract") => format!(
                        "deploy contract {} for {}",
                        text(&change["deployment"]["name"]),
                        text(&change["deployment"]["agency"])
                    ),
                    Some("upgrade_contract") => format!(
                        "upgrade contract instance {} to code {}",
                        change["instance"],
                        text(&change["code_hash"])
                    ),
                    Some("set_contract_frozen") => format!(
                        "{} contract instance {}",
                        if change["frozen"].as_bool() == Some(false) { "unfreeze" } else { "freeze" },
                        change["instance"]
                    ),
                    _ => change.to_string(),
                };
                let status = match p["status"].as_str() {
                    Some("applied") => format!("applied at height {}", p["height"]),
                    Some(s) => s.to_owned(),
                    None => "?".into(),
                };
                println!(
                    "#{} {what}: {status}; approvals {} (power {} of the {} needed), proposed by {} of {}",
                    p["id"],
                    p["approvals"].as_array().map_or(0, Vec::len),
                    p["approved_power"],
                    p["quorum_power"],
                    text(&p["proposer"]),
                    text(&p["agency"])
                );
            }
            Ok(())
        }
        Command::Validators { api, json, history_out } => {
            let client = Client::new(&api)?;
            let body = client.validators_json()?;
            if let Some(path) = &history_out {
                let history = serde_json::to_string_pretty(&client.validator_history()?)?;
                std::fs::write(path, history).with_context(|| format!("writing {}", path.display()))?;
                eprintln!("validator history written to {}", path.display());
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&body)?);
                return Ok(());
            }
            println!(
                "validator set {} signs the next block (height {}): total power {}, quorum {}",
                body["set_hash"].as_str().unwrap_or("?"),
                body["next_height"],
                body["total_power"],
                body["quorum_power"]
            );
            for v in body["validators"]["validators"].as_array().into_iter().flatten() {
                println!("  {} power {}", v["address"].as_str().unwrap_or("?"), v["voting_power"]);
            }
            println!("sets since genesis:");
            for s in body["sets"].as_array().into_iter().flatten() {
                println!(
                    "  from height {:>8}: {} validators, power {}, set {}",
                    s["from_height"],
                    s["validators"],
                    s["total_power"],
                    s["set_hash"].as_str().unwrap_or("?")
                );
            }
            Ok(())
        }
    }
}

fn candidacy(args: CandidacyArgs) -> Result<()> {
    if args.power == 0 {
        bail!("--power must be at least 1");
    }
    if args.out.exists() {
        bail!("{} already exists; choose another path or remove it first", args.out.display());
    }
    let key = keyfile::load(&args.validator_key, &args.passphrase)?;
    let chain_id = Client::new(&args.api)?.chain_id()?;
    let validator = Validator::from_keypair(&key, args.power);
    let possession = key.sign(&possession_message(&chain_id, &args.agency, &validator));
    let candidacy = Candidacy { agency: args.agency, validator, possession };
    std::fs::write(&args.out, serde_json::to_string_pretty(&candidacy)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "candidacy of validator {} for agency {} on chain {chain_id} written to {}",
        candidacy.validator.address,
        candidacy.agency,
        args.out.display()
    );
    Ok(())
}

fn propose(args: ProposeArgs) -> Result<()> {
    if args.open_days == 0 || args.open_days > 30 {
        bail!("--open-days must be 1 to 30");
    }
    let change = match (&args.candidacy, args.remove, args.set_power, args.power) {
        _ if contract_change_given(&args) => contract_change(&args)?,
        _ if args.agency_roles.is_some() => {
            let spec = args.agency_roles.as_deref().expect("checked");
            let (agency, roles) = parse_agency_roles(spec)?;
            ValidatorChange::SetAgencyRoles { agency, roles }
        }
        (Some(path), None, None, None) => {
            let bytes = super::read_bounded(path, MAX_CANDIDACY_BYTES, "a candidacy")?;
            let c: Candidacy = serde_json::from_slice(&bytes).with_context(|| {
                format!("{} is not a candidacy from `publica governance candidacy`", path.display())
            })?;
            ValidatorChange::Add { agency: c.agency, validator: c.validator, possession: c.possession }
        }
        (None, Some(address), None, None) => ValidatorChange::Remove { address },
        (None, None, Some(address), Some(voting_power)) => ValidatorChange::SetPower { address, voting_power },
        _ => bail!(
            "give exactly one change: --candidacy FILE, --remove ADDRESS, --set-power ADDRESS --power P, \
             --agency-roles AGENCY=ROLE,ROLE, --contract-policy AGENCY, --deploy-contract NAME, --upgrade-contract \
             INSTANCE, --freeze-contract INSTANCE or --unfreeze-contract INSTANCE"
        ),
    };
    if !args.code_hashes.is_empty() && !contract_change_given(&args) {
        bail!("--code-hash goes with --contract-policy, --deploy-contract or --upgrade-contract");
    }
    let expires_at_ms = publica_client::now_ms() + args.open_days * 86_400_000;
    match &change {
        ValidatorChange::SetAgencyRoles { agency, roles } => println!(
            "proposing that agency {agency} grant the roles [{}] besides admin",
            roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        ),
        ValidatorChange::SetContractPolicy { agency, policy } => println!(
            "proposing that agency {agency} have the contract policy: admin deploy {}, {} code hashes, any agency \
             code {}, at most {} fuel per call, {} fuel per day, at most {} instances",
            policy.admin_deploy,
            policy.code_hashes.len(),
            policy.any_agency_code,
            policy.max_fuel_per_call,
            policy.fuel_per_day,
            policy.max_instances
        ),
        ValidatorChange::DeployContract { deployment: d } => println!(
            "proposing that contract instance {} of agency {} be deployed running code {}, with the native roles [{}]",
            d.name,
            d.agency,
            hex::encode(d.code_hash),
            d.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        ),
        ValidatorChange::UpgradeContract { instance, code_hash } => {
            println!("proposing that contract instance {instance} run code {}", hex::encode(code_hash))
        }
        ValidatorChange::SetContractFrozen { instance, frozen } => {
            println!("proposing that contract instance {instance} be {}", if *frozen { "frozen" } else { "unfrozen" })
        }
        _ => println!("proposing change of validator {}", change.address().map(|a| a.to_string()).unwrap_or_default()),
    }
    send_call(&args.send, GovernanceCall::Propose { change, expires_at_ms })
}

/// Whether a change of contracts is asked for.
fn contract_change_given(args: &ProposeArgs) -> bool {
    args.contract_policy.is_some()
        || args.deploy_contract.is_some()
        || args.upgrade_contract.is_some()
        || args.freeze_contract.is_some()
        || args.unfreeze_contract.is_some()
}

/// The change of contracts the flags ask for (clap lets only one of them through, with the flags it requires).
fn contract_change(args: &ProposeArgs) -> Result<ValidatorChange> {
    let one_code = |with: &str| -> Result<Hash> {
        match args.code_hashes.as_slice() {
            [hash] => Ok(*hash),
            [] => bail!("{with} needs the code to run: --code-hash HASH"),
            _ => bail!("{with} runs one code: give --code-hash once"),
        }
    };
    let number =
        |reference: &str| -> Result<u64> { super::contract::instance_number(&Client::new(&args.send.api)?, reference) };
    if let Some(agency) = &args.contract_policy {
        let policy = Policy {
            admin_deploy: args.admin_deploy,
            code_hashes: args.code_hashes.clone(),
            any_agency_code: args.any_agency_code,
            max_fuel_per_call: args.max_fuel_per_call.context("--contract-policy needs --max-fuel-per-call")?,
            fuel_per_day: args.fuel_per_day.context("--contract-policy needs --fuel-per-day")?,
            max_instances: args.max_instances.context("--contract-policy needs --max-instances")?,
        };
        return Ok(ValidatorChange::SetContractPolicy { agency: agency.clone(), policy });
    }
    if let Some(name) = &args.deploy_contract {
        let deployment = Deployment {
            agency: args.agency.clone().context("--deploy-contract needs --agency")?,
            name: name.clone(),
            code_hash: one_code("--deploy-contract")?,
            fuel_per_call: args.fuel_per_call.context("--deploy-contract needs --fuel-per-call")?,
            fuel_per_sender_day: args.fuel_per_sender_day.context("--deploy-contract needs --fuel-per-sender-day")?,
            roles: args.roles.clone(),
        };
        return Ok(ValidatorChange::DeployContract { deployment });
    }
    if let Some(reference) = &args.upgrade_contract {
        let code_hash = one_code("--upgrade-contract")?;
        return Ok(ValidatorChange::UpgradeContract { instance: number(reference)?, code_hash });
    }
    if let Some(reference) = &args.freeze_contract {
        return Ok(ValidatorChange::SetContractFrozen { instance: number(reference)?, frozen: true });
    }
    let reference = args.unfreeze_contract.as_deref().context("a change of contracts is given")?;
    Ok(ValidatorChange::SetContractFrozen { instance: number(reference)?, frozen: false })
}

/// `AGENCY=ROLE,ROLE,...` (an empty list after `=` for none), checked as genesis and governance check it.
pub(crate) fn parse_agency_roles(spec: &str) -> Result<(AgencyId, Vec<publica_types::Role>)> {
    let (agency, roles) =
        spec.split_once('=').with_context(|| format!("{spec:?} must be AGENCY=ROLE,ROLE,... (AGENCY= for none)"))?;
    let agency: AgencyId = agency.parse()?;
    let roles = roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| r.parse::<publica_types::Role>())
        .collect::<Result<Vec<_>, _>>()?;
    publica_types::check_agency_roles(&roles).map_err(|e| anyhow::anyhow!("roles of agency {agency}: {e}"))?;
    Ok((agency, roles))
}

fn approve(args: ApproveArgs) -> Result<()> {
    let client = Client::new(&args.send.api)?;
    let proposal = client.proposal(args.proposal)?;
    // The change is taken from the proven record itself, so the signature is over exactly what is on the ledger.
    let bytes = proposal.proof.value.as_deref().context("the proposal's proof carries no value")?;
    let record: publica_governance::Proposal =
        publica_types::codec::decode_canonical("governance proposal", bytes, 64 * 1024)
            .context("the proposal's proven value does not decode")?;
    let passphrase = PassphraseArgs {
        passphrase_file: args.validator_passphrase_file.clone().or(args.send.passphrase.passphrase_file.clone()),
    };
    let validator = keyfile::load(&args.validator_key, &passphrase)?;
    let chain_id = client.chain_id()?;
    let signature = validator.sign(&approval_message(&chain_id, args.proposal, &record.change.hash()));
    let address = validator.public_key().address();
    println!("validator {address} approves proposal {}", args.proposal);
    send_call(&args.send, GovernanceCall::Approve { proposal: args.proposal, validator: address, signature })
}

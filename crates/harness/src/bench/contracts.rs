//! The contracts benchmark (`publica bench --workload contracts`): the example contracts of `contracts/examples`
//! on the ledger, against the same rules written natively.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) gets what the customs clearance
//! reads: a company registered through its founder's application and the company registrar's approval, and two
//! import permits, one valid and one revoked. A governance vote of the validator gives the agency a contract
//! policy; its contracts developer uploads the three modules (customs clearance in C, the grant rule in
//! AssemblyScript, the fee schedule in Rust) and its administrator deploys them, each upload and deployment one
//! transaction timed from submission to commit; the developer, who holds `fee-setter`, sets one fee. Then, in the
//! same run:
//!
//! 1. **Deployment, in process**: the runtime's validation of each module (what an upload runs), its compilation
//!    by a fresh engine (what the first call of a module pays on a node that has not compiled it yet), and the
//!    cached compile every later call pays (the code's SHA-256 and a cache lookup).
//! 2. **Calls at the execution layer, one core, no signatures**, in four cases (a declaration cleared, one refused
//!    for its revoked permit, a fee quoted, a start-up grant committed), on the node's committed state, each call on a fresh [`LedgerHost`]
//!    whose buffered effects are dropped, so that every call sees the same state:
//!    - the interpreter: `Engine::run` of the compiled module on the ledger's host;
//!    - the same rule written natively in Rust ([`native`]) over the same host, making the same host calls in the
//!      same order: the physical limit of the rule on this state, since the host's reads are work any
//!      implementation must do;
//!    - the whole call as the ledger executes a `ContractsCall::Call` transaction (`publica_contracts::execute`:
//!      the call's checks, the compile-cache lookup, the run, the fuel accounting and the receipt) on an overlay
//!      of the same state.
//!
//!    Every input is first run both ways and must give the same status and output.
//! 3. **Calls through the node (production path, signatures included)**: each case's `--txs` calls from
//!    `--senders` officials, all submitted through batch admission as fast as it takes them, from the first
//!    submission to the last commit, against the physical limit every workload uses: raw hybrid signature
//!    verifications per second on every core over the very signatures of that load. The fuel per call is read from
//!    the receipts the ledger stored (`con/r/{tx id}`), and every receipt's status must be the case's.
//!
//! The grant rule is deployed by a vote with `spending-officer` (its grant is a finance commitment the contract
//! submits as a native call), after a currency, a budget with a start-up grants line and an allocation of it to the
//! agency, and is pointed at that allocation by its grant officer. Its grants are measured at the execution layer
//! only, where every call sees the same state (the native call's commitment dropped with the rest): through the node
//! each grant needs a company of its own, one registered by two transactions.
//!
//! The fee schedule's own Rust source (`contracts/examples/fee-schedule/src/lib.rs`) runs natively only on the
//! SDK's mock host, in its own crate outside this workspace (the SDK and the example are their own workspaces,
//! built for wasm32); the native rule here is that source's logic, statement for statement, on the ledger's
//! host, so that the ratio compares the interpreter with native code over the same reads rather than with an
//! in-memory mock.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use publica_client::{Expiry, Signer};
use publica_contracts::call::{ContractsCall, Deployment, Policy};
use publica_contracts::host::LedgerHost;
use publica_contracts::{query, Instance};
use publica_crypto::Keypair;
use publica_execution::ContractNativeCalls;
use publica_finance::call::{BudgetLineSpec, FinanceCall};
use publica_governance::call::ValidatorChange;
use publica_node::NodeHandle;
use publica_registry::call::{
    ApplicationAction, CompanyDetails, Holder, LegalForm, Officer, OfficerRole, Party, RegistryCall, Shareholding,
};
use publica_tx::{AccountsCall, Call, GovernanceCall, Transaction};
use publica_types::{sha256, Address, CallContext, Overlay, PublicKey, RecordId, Role, StateRead, TxId, TxOutcome};
use publica_wasm::{Engine, Error as WasmError, Host, PublicRead};
use rayon::prelude::*;

use super::{commit, commit_in_rounds, committed_outcome, submit_all, BenchNode};
use crate::bench::report::out;
use crate::dev::contracts::{declaration, fee_quote, fee_set, grant_application, grant_configuration};
use crate::node::wait_committed;

/// The example modules: instance name, language, code.
const MODULES: [(&str, &str, &[u8]); 3] = [
    (
        "customs-clearance",
        "C",
        include_bytes!("../../../../contracts/examples/customs-clearance/customs-clearance.wasm"),
    ),
    ("grant-rule", "AssemblyScript", include_bytes!("../../../../contracts/examples/grant-rule/grant-rule.wasm")),
    ("fee-schedule", "Rust", include_bytes!("../../../../contracts/examples/fee-schedule/fee-schedule.wasm")),
];
/// Indexes into [`MODULES`].
const CUSTOMS: usize = 0;
const GRANTS: usize = 1;
const FEES: usize = 2;

/// The most fuel one call of an instance may use: far above what the examples use.
const FUEL_PER_CALL: u64 = 2_000_000;
/// The fuel limit every call carries.
const CALL_FUEL: u64 = 1_000_000;
/// A sender's and the agency's daily fuel: never the limit in a benchmark.
const FUEL_PER_DAY: u64 = 1 << 60;
/// The role the fee schedule asks of a sender who sets a fee.
const FEE_SETTER: &str = "fee-setter";
/// The role the grant rule asks of a sender who points it at an allocation.
const GRANT_OFFICER: &str = "grant-officer";
/// The currency and the budget line the grants are committed from, and what is allocated of it to the agency.
const CURRENCY: &str = "BNK";
const GRANTS_LINE: &str = "EC-01";
const GRANTS_ALLOCATION: u64 = 1_000_000_000_000;
/// The fee set before the quotes: service code, base fee, unit fee; and the quantity quoted.
const FEE: (u32, u64, u64) = (101, 50_000, 2_500);
const QUOTE_QUANTITY: u32 = 4;
/// The permits the declarations name.
const PERMIT_VALID: &str = "BENCH-IMPORT-0001";
const PERMIT_REVOKED: &str = "BENCH-IMPORT-0002";
/// Most transactions one sender may have waiting in the node (its nonce lookahead).
const PER_SENDER: usize = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
/// Most calls per case.
const MAX_CALLS: usize = 100_000;
/// Most calls per case timed at the execution layer.
const EXEC_CALLS: usize = 2_000;
/// Timed rounds at the execution layer and of the in-process deployment steps; the median is reported.
const ROUNDS: usize = 5;
const DEPLOY_ROUNDS: usize = 20;

/// What the contracts workload is asked to do.
#[derive(Clone, Debug)]
pub struct Params {
    /// Calls of each case through the node.
    pub calls: usize,
    /// Officials sending the calls.
    pub senders: usize,
}

/// The officials and citizens of the benchmark.
struct Actors {
    developer: Keypair,
    finance: Keypair,
    permit_officer: Keypair,
    company_registrar: Keypair,
    registrar: Keypair,
    founder: Keypair,
    callers: Vec<Keypair>,
}

/// One kind of call measured: which module, the inputs, and the status every one of them must return.
struct Case {
    what: &'static str,
    module: usize,
    status: i32,
    inputs: Vec<Vec<u8>>,
    /// Whether the case also runs through the node (each call's answer there must be `status`).
    through_node: bool,
}

/// A module's deployment, timed.
struct Deployed {
    bytes: usize,
    validate_us: f64,
    compile_cold_us: f64,
    compile_cached_us: f64,
    upload_ms: f64,
    deploy_ms: f64,
}

/// One case at the execution layer: medians of [`ROUNDS`], microseconds per call.
struct Exec {
    calls: usize,
    interpreter_us: f64,
    native_us: f64,
    ledger_us: f64,
    fuel: u64,
}

/// One case through the node.
struct NodeRun {
    count: usize,
    secs: f64,
    admitted_secs: f64,
    blocks: u64,
    tx_bytes: usize,
    limit: f64,
    fuel_min: u64,
    fuel_max: u64,
    fuel_mean: f64,
}

impl NodeRun {
    fn rate(&self) -> f64 {
        self.count as f64 / self.secs
    }
}

/// Run the workload and print its report.
// Long: the measurement's phases in order, each a few lines, sharing the node, the keys and the instances.
pub fn run(params: &Params) -> Result<()> {
    ensure!((1..=MAX_CALLS).contains(&params.calls), "--txs must be 1 to {MAX_CALLS} for the contracts workload");
    ensure!(
        params.senders >= 1 && params.calls.div_ceil(params.senders) <= PER_SENDER,
        "--txs / --senders must be at most {PER_SENDER} (each sender may have {PER_SENDER} transactions waiting)"
    );
    out!(
        "publica bench: {} cores, {} rayon threads, workload contracts ({} calls per case from {} senders)",
        std::thread::available_parallelism()?.get(),
        rayon::current_num_threads(),
        params.calls,
        params.senders
    );
    let bench = BenchNode::new("bench-contracts", "Benchmark Customs and Fees", true, |config| {
        config.mempool.txs_max = 400_000;
    })?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let chain = bench.genesis.chain_id.clone();
    let signer = |key| Signer::new(key, chain.clone(), 0).expiring(expiry);

    phase("generating keys; registering the officials and the company's founder");
    let actors = Actors {
        developer: Keypair::generate(),
        finance: Keypair::generate(),
        permit_officer: Keypair::generate(),
        company_registrar: Keypair::generate(),
        registrar: Keypair::generate(),
        founder: Keypair::generate(),
        callers: (0..params.senders).into_par_iter().map(|_| Keypair::generate()).collect(),
    };
    let mut admin = signer(&bench.admin);
    register(&bench, &node, &actors, &mut admin)?;

    phase("registering the company; issuing the permits");
    let company = register_company(&node, &actors, &signer)?;
    issue_permits(&node, &actors, &signer)?;

    phase("voting the agency's contract policy; the grants' currency, budget line and allocation");
    vote_policy(&bench, &node, &mut admin)?;
    let allocation = fund_grants(&bench, &node, &mut signer(&actors.finance))?;

    phase("uploading and deploying the modules");
    let mut deployed = Vec::with_capacity(MODULES.len());
    let mut developer = signer(&actors.developer);
    for (i, (name, _, code)) in MODULES.into_iter().enumerate() {
        let upload = developer.sign(ContractsCall::Upload { code: code.to_vec() });
        let upload_ms = timed_commit(&node, &upload)?;
        let deploy_ms = if i == GRANTS {
            // By a vote: the only way an instance gets a role for its native calls.
            let deployment = Deployment {
                agency: bench.agency.clone(),
                name: name.to_owned(),
                code_hash: sha256(code),
                fuel_per_call: FUEL_PER_CALL,
                fuel_per_sender_day: FUEL_PER_DAY,
                roles: vec![publica_finance::SPENDING_OFFICER_ROLE.parse()?],
            };
            vote(&bench, &node, &mut admin, ValidatorChange::DeployContract { deployment })?
        } else {
            let deploy = admin.sign(ContractsCall::Deploy {
                name: name.to_owned(),
                code_hash: sha256(code),
                fuel_per_call: FUEL_PER_CALL,
                fuel_per_sender_day: FUEL_PER_DAY,
            });
            timed_commit(&node, &deploy)?
        };
        deployed.push(in_process_deployment(code, upload_ms, deploy_ms)?);
    }
    let instances: Vec<Instance> = MODULES
        .iter()
        .map(|(name, _, _)| {
            query::instance_by_name(&node.live_state(), name).0.with_context(|| format!("instance {name} is deployed"))
        })
        .collect::<Result<_>>()?;
    let set = developer.sign(ContractsCall::Call {
        instance: instances[FEES].id,
        input: fee_set(FEE.0, FEE.1, FEE.2),
        fuel_limit: CALL_FUEL,
    });
    timed_commit(&node, &set)?;
    ensure!(
        receipt_status(&node, &set.id())? == Some(0),
        "the developer's fee set was refused by the fee schedule: is `fee-setter` granted?"
    );
    let configure = developer.sign(ContractsCall::Call {
        instance: instances[GRANTS].id,
        input: grant_configuration(allocation),
        fuel_limit: CALL_FUEL,
    });
    timed_commit(&node, &configure)?;
    ensure!(
        receipt_status(&node, &configure.id())? == Some(0),
        "the developer's configuration was refused by the grant rule: is `grant-officer` granted?"
    );

    let cases = cases(params.calls, company.as_str());

    phase("execution layer: interpreter, native rule and the ledger's call, one core");
    let callers: Vec<Address> = actors.callers.iter().map(|k| k.public_key().address()).collect();
    let exec = cases
        .iter()
        .map(|case| execution_layer(&node, case, &instances[case.module], &callers))
        .collect::<Result<Vec<_>>>()?;

    phase("calls through the node at maximum rate");
    let keys: HashMap<Address, &PublicKey> =
        actors.callers.iter().map(|k| (k.public_key().address(), k.public_key())).collect();
    let caller_signers: Vec<Signer<&Keypair>> = actors.callers.iter().map(signer).collect();
    let mut nonces = vec![0u64; params.senders];
    let mut runs = Vec::with_capacity(cases.len());
    for case in &cases {
        if !case.through_node {
            runs.push(None);
            continue;
        }
        phase(&format!("through the node: {}", case.what));
        let instance = instances[case.module].id;
        let load: Vec<Transaction> = (0..case.inputs.len())
            .into_par_iter()
            .map(|i| {
                let s = i % params.senders;
                let call = ContractsCall::Call { instance, input: case.inputs[i].clone(), fuel_limit: CALL_FUEL };
                caller_signers[s].sign_at(nonces[s] + (i / params.senders) as u64, call)
            })
            .collect();
        for (s, nonce) in nonces.iter_mut().enumerate() {
            *nonce += case.inputs.len().saturating_sub(s).div_ceil(params.senders) as u64;
        }
        let limit = verification_rate(&load, &keys)?;
        runs.push(Some(node_run(&node, case, &load, limit)?));
    }
    phase("done");
    bench.stop(node);

    report(params, &deployed, &cases, &exec, &runs);
    Ok(())
}

/// Register the officials (in the benchmark's agency, which holds every role) and the company's founder, a
/// citizen.
fn register(bench: &BenchNode, node: &NodeHandle, actors: &Actors, admin: &mut Signer<&Keypair>) -> Result<()> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let mut official = |key: &Keypair, roles: &[&str]| -> Result<Transaction> {
        Ok(admin.sign(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        }))
    };
    let mut officials = vec![
        official(&actors.developer, &[publica_contracts::tx::DEVELOPER_ROLE, FEE_SETTER, GRANT_OFFICER])?,
        official(
            &actors.finance,
            &[publica_finance::ISSUER_ROLE, publica_finance::PARLIAMENT_ROLE, publica_finance::BUDGET_OFFICER_ROLE],
        )?,
        official(&actors.permit_officer, &[publica_registry::rules::PERMIT_OFFICER])?,
        official(&actors.company_registrar, &[publica_registry::rules::COMPANY_REGISTRAR])?,
        official(&actors.registrar, &[Role::CITIZEN_REGISTRAR])?,
    ];
    for caller in &actors.callers {
        // Grant officers too: only they enter the grant rule's applications.
        officials.push(official(caller, &["clerk", GRANT_OFFICER])?);
    }
    commit_in_rounds(node, &officials)?;
    let mut registrar = Signer::new(&actors.registrar, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let founder = registrar.sign(AccountsCall::RegisterCitizen {
        public_key: actors.founder.public_key().clone(),
        id_commitment: publica_crypto::sha256(b"bench-contracts-founder"),
    });
    commit(node, &[founder])
}

/// The importer: a company its founder applies for and the company registrar registers; returns its number.
fn register_company<'k>(
    node: &NodeHandle,
    actors: &'k Actors,
    signer: &impl Fn(&'k Keypair) -> Signer<&'k Keypair>,
) -> Result<RecordId> {
    let director = actors.founder.public_key().address();
    let company = CompanyDetails {
        name: "Benchmark Timber Imports AB".into(),
        legal_form: LegalForm::PrivateLimited,
        registered_address: "Harbour Road 1, Nordvik".into(),
        officers: vec![Officer { account: director, role: OfficerRole::Director }],
        shareholders: vec![Shareholding { holder: Holder::Person(director), shares: 1_000 }],
        beneficial_owners: Vec::new(),
    };
    let mut founder = signer(&actors.founder);
    let deadline_ms = publica_client::now_ms() + 30 * 86_400_000;
    let open = founder
        .sign(RegistryCall::OpenApplication { action: ApplicationAction::RegisterCompany { company }, deadline_ms });
    let application = match committed_outcome(node, &open)? {
        TxOutcome::Application { id } => id,
        other => bail!("the company application created {other:?}"),
    };
    let approve = founder.sign(RegistryCall::Approve { application, party: Party::Account(director) });
    commit(node, &[approve])?;
    let role: Role = publica_registry::rules::COMPANY_REGISTRAR.parse()?;
    let register =
        signer(&actors.company_registrar).sign(RegistryCall::Approve { application, party: Party::Role(role) });
    match committed_outcome(node, &register)? {
        TxOutcome::Company { number } => Ok(RecordId::new(&number)?),
        other => bail!("the company registrar's approval created {other:?}"),
    }
}

/// Two import permits held by the company's founder, valid for a year from yesterday; the second revoked.
fn issue_permits<'k>(
    node: &NodeHandle,
    actors: &'k Actors,
    signer: &impl Fn(&'k Keypair) -> Signer<&'k Keypair>,
) -> Result<()> {
    let now = publica_client::now_ms();
    let day = 86_400_000;
    let mut officer = signer(&actors.permit_officer);
    let issues = [PERMIT_VALID, PERMIT_REVOKED]
        .into_iter()
        .map(|permit| {
            Ok(officer.sign(RegistryCall::IssuePermit {
                permit: RecordId::new(permit)?,
                kind: RecordId::new("import-licence")?,
                holder: actors.founder.public_key().address(),
                valid_from_ms: now - day,
                valid_until_ms: now + 365 * day,
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    commit(node, &issues)?;
    let revoke = officer.sign(RegistryCall::RevokePermit {
        permit: RecordId::new(PERMIT_REVOKED)?,
        reason: "benchmark: a revoked permit".into(),
    });
    commit(node, &[revoke])
}

/// The agency's contract policy, by a vote: its administrators deploy the example modules without one.
fn vote_policy(bench: &BenchNode, node: &NodeHandle, admin: &mut Signer<&Keypair>) -> Result<()> {
    let policy = Policy {
        admin_deploy: true,
        code_hashes: MODULES.iter().map(|(_, _, code)| sha256(code)).collect(),
        any_agency_code: false,
        max_fuel_per_call: FUEL_PER_CALL,
        fuel_per_day: FUEL_PER_DAY,
        max_instances: 16,
    };
    vote(bench, node, admin, ValidatorChange::SetContractPolicy { agency: bench.agency.clone(), policy })?;
    ensure!(
        query::policy(&node.live_state(), &bench.agency).0.is_some(),
        "the contract policy vote did not pass with the validator's approval"
    );
    Ok(())
}

/// Propose `change` as the agency's administrator and approve it with the validator; returns the milliseconds from
/// the proposal's submission to the approval's commit.
fn vote(bench: &BenchNode, node: &NodeHandle, admin: &mut Signer<&Keypair>, change: ValidatorChange) -> Result<f64> {
    let started = Instant::now();
    let proposal = publica_governance::query::proposal_count(&node.live_state());
    let propose = admin.sign(Call::from(GovernanceCall::Propose {
        change: change.clone(),
        expires_at_ms: publica_client::now_ms() + 86_400_000,
    }));
    commit(node, &[propose])?;
    let message = publica_governance::call::approval_message(&bench.genesis.chain_id, proposal, &change.hash());
    let approve = admin.sign(Call::from(GovernanceCall::Approve {
        proposal,
        validator: bench.validator.public_key().address(),
        signature: bench.validator.sign(&message),
    }));
    commit(node, &[approve])?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// What the grants are committed from: a currency, this year's budget with a start-up grants line whose treasury is
/// the agency's account, and an allocation of the line to the agency; returns the allocation's number.
fn fund_grants(bench: &BenchNode, node: &NodeHandle, finance: &mut Signer<&Keypair>) -> Result<u64> {
    let define = finance.sign(FinanceCall::DefineCurrency {
        code: CURRENCY.into(),
        name: "Benchmark krona".into(),
        decimals: 2,
    });
    commit(node, &[define])?;
    let year = (publica_finance::schema::month_of(publica_client::now_ms()) / 100) as u16;
    let enact = finance.sign(FinanceCall::EnactBudget {
        year,
        currency: CURRENCY.into(),
        treasury: bench.agency.clone(),
        reference: format!("Benchmark Budget Act {year}"),
        lines: vec![BudgetLineSpec {
            code: GRANTS_LINE.into(),
            cofog: "04.1".into(),
            economic: "25".into(),
            name: "Start-up grants".into(),
            appropriation: GRANTS_ALLOCATION,
        }],
    });
    commit(node, &[enact])?;
    let allocate = finance.sign(FinanceCall::Allocate {
        year,
        line: GRANTS_LINE.into(),
        agency: bench.agency.clone(),
        amount: GRANTS_ALLOCATION,
        reference: "Benchmark allocation: start-up grants".into(),
    });
    match committed_outcome(node, &allocate)? {
        TxOutcome::Allocation { id } => Ok(id),
        other => bail!("the grants' allocation created {other:?}"),
    }
}

/// Validation, cold and cached compilation of `code` in process (medians of [`DEPLOY_ROUNDS`]), with the node's
/// upload and deployment times.
fn in_process_deployment(code: &[u8], upload_ms: f64, deploy_ms: f64) -> Result<Deployed> {
    let mut validate = Vec::with_capacity(DEPLOY_ROUNDS);
    let mut cold = Vec::with_capacity(DEPLOY_ROUNDS);
    let mut cached = Vec::with_capacity(DEPLOY_ROUNDS);
    for _ in 0..DEPLOY_ROUNDS {
        let started = Instant::now();
        publica_wasm::validate(code).map_err(|e| anyhow!("an example module is refused: {e}"))?;
        validate.push(micros(started));
        let engine = Engine::new();
        let started = Instant::now();
        black_box(engine.compile(code).map_err(|e| anyhow!("an example module does not compile: {e}"))?);
        cold.push(micros(started));
        let started = Instant::now();
        black_box(engine.compile(code).map_err(|e| anyhow!("an example module does not compile: {e}"))?);
        cached.push(micros(started));
    }
    Ok(Deployed {
        bytes: code.len(),
        validate_us: median(&mut validate),
        compile_cold_us: median(&mut cold),
        compile_cached_us: median(&mut cached),
        upload_ms,
        deploy_ms,
    })
}

/// The measured cases: declarations under the valid permit (each id new), under the revoked one, and quotes.
fn cases(calls: usize, company: &str) -> Vec<Case> {
    let declarations = |permit: &str, prefix: &str| -> Vec<Vec<u8>> {
        (0..calls)
            .map(|i| declaration(&format!("{prefix}-{i:06}"), company, permit, "4407", 125_000 + i as u64))
            .collect()
    };
    vec![
        Case {
            what: "customs clearance: a declaration cleared",
            module: CUSTOMS,
            status: 0,
            inputs: declarations(PERMIT_VALID, "BENCH-DECL"),
            through_node: true,
        },
        Case {
            what: "customs clearance: a declaration refused (permit revoked)",
            module: CUSTOMS,
            status: native::PERMIT_REVOKED,
            inputs: declarations(PERMIT_REVOKED, "BENCH-REVOKED"),
            through_node: true,
        },
        Case {
            what: "fee schedule: a quote",
            module: FEES,
            status: 0,
            inputs: (0..calls).map(|_| fee_quote(FEE.0, QUOTE_QUANTITY)).collect(),
            through_node: true,
        },
        Case {
            what: "grant rule: a start-up grant committed (a native finance call)",
            module: GRANTS,
            status: 0,
            inputs: (0..calls).map(|i| grant_application(100_000 + (i % 1_000) as u64, company)).collect(),
            through_node: false,
        },
    ]
}

/// What a call answered: its status and output, or the message it aborted with.
type Answer = Result<(i32, Vec<u8>), String>;

/// One case at the execution layer on the node's committed state: the interpreter, the native rule and the
/// ledger's whole call, each on every input in turn, [`ROUNDS`] times; the answers compared first.
fn execution_layer(node: &NodeHandle, case: &Case, instance: &Instance, callers: &[Address]) -> Result<Exec> {
    let engine = publica_contracts::tx::engine();
    let code = MODULES[case.module].2;
    let contract = engine.compile(code).map_err(|e| anyhow!("an example module does not compile: {e}"))?;
    let rule = native::RULES[case.module].with_context(|| format!("{}: no native rule to compare with", case.what))?;
    let inputs = &case.inputs[..case.inputs.len().min(EXEC_CALLS)];
    let time_ms = publica_client::now_ms();
    let height = node.height() + 1;
    let contexts: Vec<CallContext> = (0..inputs.len())
        .map(|i| CallContext {
            chain_id: node.chain_id().clone(),
            height,
            time_ms,
            tx_id: TxId(sha256(format!("bench-contracts-{}-{i}", case.what).as_bytes())),
            sender: callers[i % callers.len()],
            nonce: 0,
        })
        .collect();
    let calls: Vec<ContractsCall> = inputs
        .iter()
        .map(|input| ContractsCall::Call { instance: instance.id, input: input.clone(), fuel_limit: CALL_FUEL })
        .collect();
    node.view(|snapshot| -> Result<Exec> {
        let state: &dyn StateRead = snapshot;
        let mut fuel = 0;
        for (input, ctx) in inputs.iter().zip(&contexts) {
            let mut host = LedgerHost::new(state, ctx, engine, &ContractNativeCalls, instance.clone());
            let interpreted: Answer = match engine.run(&contract, &mut host, input, CALL_FUEL) {
                Ok(outcome) => {
                    fuel = outcome.fuel_used;
                    Ok((outcome.status, outcome.output))
                }
                Err(failure) => match failure.error {
                    WasmError::Aborted { message } => Err(message),
                    other => bail!("{}: the module failed on the ledger's host: {other}", case.what),
                },
            };
            let mut host = LedgerHost::new(state, ctx, engine, &ContractNativeCalls, instance.clone());
            let native = rule(&mut host, input);
            ensure!(
                interpreted == native,
                "{}: the module answered {interpreted:?} and the native rule {native:?}",
                case.what
            );
            ensure!(
                matches!(interpreted, Ok((status, _)) if status == case.status),
                "{}: the module answered {interpreted:?}, not status {}",
                case.what,
                case.status
            );
        }
        let (mut interpreter, mut native, mut ledger) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let started = Instant::now();
            for (input, ctx) in inputs.iter().zip(&contexts) {
                let mut host = LedgerHost::new(state, ctx, engine, &ContractNativeCalls, instance.clone());
                let _ = black_box(engine.run(&contract, &mut host, input, CALL_FUEL));
                black_box(host.into_buffer());
            }
            interpreter.push(micros(started) / inputs.len() as f64);
            let started = Instant::now();
            for (input, ctx) in inputs.iter().zip(&contexts) {
                let mut host = LedgerHost::new(state, ctx, engine, &ContractNativeCalls, instance.clone());
                let _ = black_box(rule(&mut host, input));
                black_box(host.into_buffer());
            }
            native.push(micros(started) / inputs.len() as f64);
            let started = Instant::now();
            for (call, ctx) in calls.iter().zip(&contexts) {
                let mut overlay = Overlay::new(state);
                publica_contracts::execute(&mut overlay, ctx, call, &ContractNativeCalls)
                    .map_err(|e| anyhow!("{}: the ledger refused a call: {e}", case.what))?;
                black_box(overlay.into_writes());
            }
            ledger.push(micros(started) / inputs.len() as f64);
        }
        Ok(Exec {
            calls: inputs.len(),
            interpreter_us: median(&mut interpreter),
            native_us: median(&mut native),
            ledger_us: median(&mut ledger),
            fuel,
        })
    })
}

/// Submit a case's calls as fast as admission takes them; stop the clock when the last one is committed; read
/// every receipt.
fn node_run(node: &NodeHandle, case: &Case, load: &[Transaction], limit: f64) -> Result<NodeRun> {
    let tx_bytes = load.iter().map(|tx| tx.encode().len()).sum::<usize>() / load.len().max(1);
    let height = node.height();
    let started = Instant::now();
    let ids = submit_all(node, load)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(node, &ids, Duration::from_secs(900))?;
    let secs = started.elapsed().as_secs_f64();
    let blocks = node.height() - height;
    let receipts = node.view(|state| {
        ids.iter()
            .map(|id| query::receipt(state, id).0.with_context(|| format!("no receipt of call {id}")))
            .collect::<Result<Vec<_>>>()
    })?;
    if let Some(r) = receipts.iter().find(|r| r.status != Some(case.status)) {
        bail!(
            "{}: a call through the node ended {:?} ({:?}), not with status {}",
            case.what,
            r.status,
            r.failure,
            case.status
        );
    }
    let fuel: Vec<u64> = receipts.iter().map(|r| r.fuel_used).collect();
    Ok(NodeRun {
        count: ids.len(),
        secs,
        admitted_secs,
        blocks,
        tx_bytes,
        limit,
        fuel_min: fuel.iter().copied().min().unwrap_or(0),
        fuel_max: fuel.iter().copied().max().unwrap_or(0),
        fuel_mean: fuel.iter().sum::<u64>() as f64 / fuel.len().max(1) as f64,
    })
}

/// The physical limit of a load: hybrid verifications per second on every core (`verify_batch`) over its very
/// signatures.
fn verification_rate(txs: &[Transaction], keys: &HashMap<Address, &PublicKey>) -> Result<f64> {
    let messages: Vec<Vec<u8>> = txs.par_iter().map(|tx| tx.body.signing_bytes()).collect();
    let items = txs
        .iter()
        .zip(&messages)
        .map(|(tx, message)| {
            let key = keys.get(&tx.body.sender).context("a benchmark sender without its key")?;
            Ok((*key, message.as_slice(), &tx.signature))
        })
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    let results = publica_crypto::verify_batch(&items);
    let rate = items.len() as f64 / started.elapsed().as_secs_f64();
    ensure!(results.iter().all(Result::is_ok), "a benchmark signature failed to verify");
    Ok(rate)
}

/// The status in a committed call's receipt (`None` when the call failed without a status).
fn receipt_status(node: &NodeHandle, id: &TxId) -> Result<Option<i32>> {
    let receipt = query::receipt(&node.live_state(), id).0.with_context(|| format!("no receipt of call {id}"))?;
    Ok(receipt.status)
}

/// Submit one transaction and wait until it is committed; milliseconds it took.
fn timed_commit(node: &NodeHandle, tx: &Transaction) -> Result<f64> {
    let started = Instant::now();
    commit(node, std::slice::from_ref(tx))?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// Microseconds since `started`.
fn micros(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e6
}

/// The median of `values` (sorted in place; the upper one of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Print the Markdown report.
fn report(params: &Params, deployed: &[Deployed], cases: &[Case], exec: &[Exec], runs: &[Option<NodeRun>]) {
    out!();
    out!("### Deployment");
    out!();
    out!(
        "| module | language | bytes | validation (upload) | compile, fresh engine (first call) | compile, cached \
         (every later call) | upload tx, submission → commit | deploy tx, submission → commit |"
    );
    out!("|---|---|---|---|---|---|---|---|");
    for ((name, language, _), d) in MODULES.iter().zip(deployed) {
        out!(
            "| {name} | {language} | {} | {:.0} µs | {:.0} µs | {:.1} µs | {:.0} ms | {:.0} ms |",
            d.bytes,
            d.validate_us,
            d.compile_cold_us,
            d.compile_cached_us,
            d.upload_ms,
            d.deploy_ms
        );
    }
    out!();
    out!(
        "### Calls at the execution layer (one core, no signatures; median of {ROUNDS} rounds over up to \
         {EXEC_CALLS} calls)"
    );
    out!();
    out!(
        "| case | fuel per call | native rule, same host (**physical limit**) | interpreter | **ratio interpreter / \
         native** | the ledger's whole call | calls/s, ledger's call | **ratio native / ledger's call** |"
    );
    out!("|---|---|---|---|---|---|---|---|");
    for (case, e) in cases.iter().zip(exec) {
        out!(
            "| {} ({} calls) | {} | {:.2} µs | {:.2} µs | **{:.1}** | {:.2} µs | {:.0} | **{:.2}** |",
            case.what,
            e.calls,
            e.fuel,
            e.native_us,
            e.interpreter_us,
            e.interpreter_us / e.native_us,
            e.ledger_us,
            1e6 / e.ledger_us,
            e.native_us / e.ledger_us
        );
    }
    out!();
    out!("### Calls through the node (production path, signatures included; {} senders)", params.senders);
    out!();
    out!(
        "| case | fuel per call (receipts: mean, min–max) | raw hybrid verifications/s over the calls' signatures \
         (**physical limit**) | committed calls/s | **ratio committed / physical limit** |"
    );
    out!("|---|---|---|---|---|");
    for (case, r) in cases.iter().zip(runs) {
        let Some(r) = r else { continue };
        out!(
            "| {} ({} calls of {} B, {:.2} s over {} blocks; admission took {:.2} s) | {:.0}, {}–{} | {:.0} | {:.0} \
             | **{:.2}** |",
            case.what,
            r.count,
            r.tx_bytes,
            r.secs,
            r.blocks,
            r.admitted_secs,
            r.fuel_mean,
            r.fuel_min,
            r.fuel_max,
            r.limit,
            r.rate(),
            r.rate() / r.limit
        );
    }
}

/// The examples' rules written natively in Rust over the same [`Host`], making the same host calls in the same
/// order as the compiled modules, with the same answers: the sources are `customs_clearance.c` and
/// `fee-schedule/src/lib.rs` in `contracts/examples`.
mod native {
    use super::{Answer, Host, PublicRead};
    use publica_finance::call::{FinanceCall, Holder};
    use publica_tx::Call;
    use publica_wasm::HostError;

    /// A native rule: the host of the call and its input.
    pub(super) type Rule = fn(&mut dyn Host, &[u8]) -> Answer;

    /// The rules in [`super::MODULES`]' order.
    pub(super) const RULES: [Option<Rule>; 3] = [Some(customs_clearance), Some(grant_rule), Some(fee_schedule)];

    /// The customs clearance's status for a revoked permit.
    pub(super) const PERMIT_REVOKED: i32 = 6;

    /// A host failure, as the interpreter would end the call.
    fn host<T>(result: Result<T, HostError>) -> Result<T, String> {
        result.map_err(|e| format!("the host failed: {}", e.message))
    }

    /// Set the output to the reason's name and emit `refused` with it; the status.
    fn refuse(host: &mut dyn Host, status: i32, reason: &str) -> Answer {
        self::host(host.emit_event(b"refused", reason.as_bytes()))?;
        Ok((status, reason.as_bytes().to_vec()))
    }

    /// A public view that must be `len` bytes: the value, `None` when absent; anything else aborts.
    fn view(host: &mut dyn Host, key: &[u8], len: usize, abort: &str) -> Result<Option<Vec<u8>>, String> {
        match self::host(host.public_get(key))? {
            PublicRead::Value(value) if value.len() == len => Ok(Some(value)),
            PublicRead::Absent => Ok(None),
            _ => Err(abort.to_owned()),
        }
    }

    const CUSTOMS_REASONS: [&str; 11] = [
        "cleared",
        "malformed_declaration",
        "permit_unknown",
        "permit_not_yet_valid",
        "permit_expired",
        "permit_suspended",
        "permit_revoked",
        "company_unknown",
        "company_in_liquidation",
        "company_dissolved",
        "already_declared",
    ];

    /// One length-prefixed field of 1..=max bytes at `*at`.
    fn field<'a>(input: &'a [u8], at: &mut usize, max: usize) -> Option<&'a [u8]> {
        let n = usize::from(*input.get(*at)?);
        *at += 1;
        if n == 0 || n > max || n > input.len() - *at {
            return None;
        }
        let value = &input[*at..*at + n];
        *at += n;
        Some(value)
    }

    /// The customs clearance (`customs_clearance.c`).
    fn customs_clearance(host: &mut dyn Host, input: &[u8]) -> Answer {
        let refuse = |host: &mut dyn Host, status: i32| refuse(host, status, CUSTOMS_REASONS[status as usize]);
        // The module reads at most 256 bytes of input.
        if input.len() > 256 {
            return refuse(host, 1);
        }
        let mut at = 0;
        let parsed = (|| {
            let id = field(input, &mut at, 64)?;
            let company = field(input, &mut at, 32)?;
            let permit = field(input, &mut at, 64)?;
            field(input, &mut at, 16)?;
            let value: [u8; 8] = input.get(at..)?.try_into().ok()?;
            (u64::from_le_bytes(value) != 0).then_some((id, company, permit))
        })();
        let Some((id, company, permit)) = parsed else { return refuse(host, 1) };
        let key = [&b"declaration/"[..], id].concat();
        if self::host(host.state_get(&key))?.is_some() {
            return refuse(host, 10);
        }
        let permit_key = [&b"permit/"[..], permit].concat();
        let status = match view(
            host,
            &permit_key,
            9,
            "the permit view is unreadable: the ledger must serve permit/{id} as 9 bytes",
        )? {
            None => 2,
            Some(value) => match value[0] {
                0 => 0,
                1 => 3,
                2 => 4,
                3 => 5,
                4 => PERMIT_REVOKED,
                5 => 2,
                _ => return Err("the permit view has an unknown status byte: this contract knows 0 to 5".into()),
            },
        };
        if status != 0 {
            return refuse(host, status);
        }
        let company_key = [&b"company/"[..], company].concat();
        let status = match view(
            host,
            &company_key,
            1,
            "the company view is unreadable: the ledger must serve company/{number} as 1 byte",
        )? {
            None => 7,
            Some(value) => match value[0] {
                0 => 0,
                1 => 8,
                2 => 9,
                5 => 7,
                _ => {
                    return Err("the company view has an unknown status byte: this contract knows 0, 1, 2 and 5".into())
                }
            },
        };
        if status != 0 {
            return refuse(host, status);
        }
        let time_ms = self::host(host.block_time_ms())?;
        let record = [input, &time_ms.to_le_bytes()].concat();
        self::host(host.state_set(&key, &record))?;
        self::host(host.emit_event(b"cleared", id))?;
        Ok((0, b"cleared".to_vec()))
    }

    /// The grant rule (`grant-rule/assembly/index.ts`): its grant a finance commitment submitted as a native call.
    fn grant_rule(host: &mut dyn Host, input: &[u8]) -> Answer {
        const REASONS: [&str; 10] = [
            "granted",
            "malformed_input",
            "amount_invalid",
            "already_granted",
            "company_unknown",
            "company_in_liquidation",
            "company_dissolved",
            "not_configured",
            "funds_refused",
            "not_permitted",
        ];
        const CAP: u64 = 500_000;
        let refuse = |host: &mut dyn Host, status: usize| refuse(host, status as i32, REASONS[status]);
        // Longer inputs than either form's are refused unread.
        if input.is_empty() || input.len() > 41 {
            return refuse(host, 1);
        }
        match input[0] {
            1 if input.len() >= 10 => {
                if !self::host(host.has_role(super::GRANT_OFFICER.as_bytes()))? {
                    return refuse(host, 9);
                }
                let amount = u64::from_le_bytes(input[1..9].try_into().unwrap_or_default());
                let number = &input[9..];
                if amount == 0 || amount > CAP {
                    return refuse(host, 2);
                }
                let key = [&b"grant/"[..], number].concat();
                if self::host(host.state_get(&key))?.is_some() {
                    return refuse(host, 3);
                }
                let company_key = [&b"company/"[..], number].concat();
                let status = match view(
                    host,
                    &company_key,
                    1,
                    "the company view is unreadable: the ledger must serve company/{number} as 1 byte",
                )? {
                    None => 4,
                    Some(value) => match value[0] {
                        0 => 0,
                        1 => 5,
                        2 => 6,
                        5 => 4,
                        _ => {
                            return Err(
                                "the company view has an unknown status byte: this contract knows 0, 1, 2 and 5".into(),
                            )
                        }
                    },
                };
                if status != 0 {
                    return refuse(host, status);
                }
                let allocation = match self::host(host.state_get(b"allocation"))? {
                    None => return refuse(host, 7),
                    Some(value) => u64::from_le_bytes(
                        value
                            .try_into()
                            .map_err(|_| "allocation is not 8 bytes: the contract's state is corrupt".to_owned())?,
                    ),
                };
                let number_text = String::from_utf8_lossy(number).into_owned();
                let commit = Call::Finance(FinanceCall::CommitFunds {
                    allocation,
                    amount,
                    payee: Some(Holder::Company(number_text.clone())),
                    reference: format!("Start-up grant to company {number_text}"),
                });
                let answer = self::host(host.submit_native(&publica_types::encode(&commit)))?;
                if answer != 0 {
                    let reason = format!("funds_refused {answer}");
                    return super::native::refuse(host, 8, &reason);
                }
                let time_ms = self::host(host.block_time_ms())?;
                self::host(host.state_set(&key, &[amount.to_le_bytes(), time_ms.to_le_bytes()].concat()))?;
                self::host(host.emit_event(b"granted", &[&amount.to_le_bytes()[..], number].concat()))?;
                Ok((0, b"granted".to_vec()))
            }
            2 if input.len() == 9 => {
                if !self::host(host.has_role(super::GRANT_OFFICER.as_bytes()))? {
                    return refuse(host, 9);
                }
                self::host(host.state_set(b"allocation", &input[1..]))?;
                self::host(host.emit_event(b"configured", &input[1..]))?;
                Ok((0, b"configured".to_vec()))
            }
            _ => refuse(host, 1),
        }
    }

    /// The fee schedule (`fee-schedule/src/lib.rs`).
    fn fee_schedule(host: &mut dyn Host, input: &[u8]) -> Answer {
        const REASONS: [&str; 5] = ["", "malformed_input", "fee_not_set", "not_authorised", "fee_overflow"];
        let refuse = |host: &mut dyn Host, status: usize| refuse(host, status as i32, REASONS[status]);
        // The source reads the input into a 32-byte buffer.
        if input.len() > 32 {
            return refuse(host, 1);
        }
        match input {
            [1, rest @ ..] if rest.len() == 8 => {
                let quantity = u32::from_le_bytes(rest[4..8].try_into().unwrap_or_default());
                let key = [&b"fee/"[..], &rest[..4]].concat();
                let entry = match self::host(host.state_get(&key))? {
                    Some(entry) if entry.len() == 16 => entry,
                    None => return refuse(host, 2),
                    Some(_) => return Err("the fee table entry is not 16 bytes: the table is corrupt".into()),
                };
                let base = u64::from_le_bytes(entry[..8].try_into().unwrap_or_default());
                let unit = u64::from_le_bytes(entry[8..].try_into().unwrap_or_default());
                match unit.checked_mul(u64::from(quantity)).and_then(|total| total.checked_add(base)) {
                    Some(fee) => Ok((0, fee.to_le_bytes().to_vec())),
                    None => refuse(host, 4),
                }
            }
            [2, rest @ ..] if rest.len() == 20 => {
                if !self::host(host.has_role(super::FEE_SETTER.as_bytes()))? {
                    return refuse(host, 3);
                }
                let key = [&b"fee/"[..], &rest[..4]].concat();
                self::host(host.state_set(&key, &rest[4..]))?;
                self::host(host.emit_event(b"fee-set", rest))?;
                Ok((0, Vec::new()))
            }
            _ => refuse(host, 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole workload on a real node at a tiny size: every check of the run (the native rules answering as
    /// the modules do on every input, every call committed with its case's status in its receipt) must pass.
    #[test]
    fn the_workload_runs_end_to_end_at_a_tiny_size() {
        run(&Params { calls: 6, senders: 2 }).unwrap();
    }
}

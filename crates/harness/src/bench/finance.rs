//! The finance benchmark (`publica bench --workload finance`): private payments, welfare claims and their proofs.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) gets a central bank official who
//! defines a currency and a tier and issues money to the agency, a registrar who registers `--wallets` citizens, a
//! bank official who opens a wallet for each, and the agency's treasurer, who funds them. Then, in the same run:
//!
//! 1. **Transfers through one node**: the citizens pay each other (`--txs` citizen-to-citizen transfers, each
//!    touching two private accounts and writing two history entries), all submitted through batch admission as
//!    fast as it takes them, from the first submission to the last commit; against the physical limit, raw hybrid
//!    signature verifications per second on every core over the very signatures of that load. The lightest
//!    transaction, an administrator's role update, is measured the same way on the same node right after (`--txs`
//!    of them from `--senders` administrators), so the two ratios compare within one run. For each load, the node's
//!    counters say what it spent besides admission: executing blocks, storing them, and the pending transactions
//!    its revalidation executed again or carried over a commit.
//! 2. **Claims with nullifier checks**: the parliament's budget funds a welfare programme and every citizen's
//!    benefit is claimed once, each claim carrying the citizen's ECVRF proof (RFC 9381). The claims go through the
//!    node (production path, from no nullifier recorded), then the same signed claims are executed again at the
//!    execution layer against the node's state as it was before them, once as it was and once with `--nullifiers`
//!    more nullifier records. Recording a million nullifiers through the node would take a million registered
//!    citizens, and the node refuses a store whose state does not match its certified headers, so the records are
//!    written where the node keeps its state, a fresh store of the node's own kind (`publica-storage`, fjall),
//!    beside a copy of the node's state (its root checked against the node's), with the production state tree
//!    over all of it; `publica_execution::execute_block` then runs the claims as the proposer does (`Mode::Propose`),
//!    signatures checked beforehand as the node's admission cache has them. Execution runs a block's transactions
//!    in order on one core, so the physical limit there is the ECVRF verification rate on one core.
//! 3. **Proofs**: a citizen's proven balance (`POST /v1/finance/accounts/read`, with a page of the wallet's
//!    history) and a payment's trace (`GET /v1/finance/payments/{id}`: five proven records), each answered by the
//!    API's router in process and checked offline with `publica_verify::verify_document`, against the cheapest
//!    proven answer, one proven account read (`GET /v1/accounts/{address}`), measured the same way.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use publica_client::{Expiry, Page, Signer};
use publica_crypto::Keypair;
use publica_execution::{BlockEnv, Changes, EmptyIndex, Mode, SignatureCheck};
use publica_finance::call::{nullifier_input, BudgetLineSpec, FinanceCall, Holder};
use publica_finance::schema::{month_of, next_month, nullifier_key, NullifierRecord};
use publica_finance::{
    BANK_ROLE, BUDGET_OFFICER_ROLE, ISSUER_ROLE, PARLIAMENT_ROLE, SPENDING_OFFICER_ROLE, TREASURER_ROLE,
    WELFARE_OFFICER_ROLE,
};
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_node::{NodeHandle, TxStatus};
use publica_storage::Store;
use publica_tx::{AccountsCall, Transaction};
use publica_types::{Address, Genesis, Hash, PublicKey, PublicKeyBytes, Role, StateRead, TxError, TxOutcome};
use rayon::prelude::*;

use super::NodeWork;
use super::{commit, commit_in_rounds, committed_outcome, submit_all, BenchNode};
use crate::bench::report::out;
use crate::node::wait_committed;

/// The benchmark's currency.
const CURRENCY: &str = "BENCH";
/// The tier of every wallet.
const TIER: u8 = 1;
/// A tier's balance cap and daily outflow cap, far above anything the benchmark moves: no transfer of the load
/// may be refused in a block (a refused one would never commit).
const CAP: u64 = 1 << 50;
/// What each transfer moves, in the smallest unit.
const TRANSFER_AMOUNT: u64 = 100;
/// The benefit a claim pays, in the smallest unit.
const BENEFIT: u64 = 1_000;
/// The welfare scheme of the benchmark's programme.
const SCHEME: &str = "bench-benefit";
/// Most transactions one sender may have waiting in the node (its nonce lookahead).
const PER_SENDER: usize = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
/// Fewest welfare officers sending the claims, so that admission sees several senders as it does in practice.
const MIN_CLAIM_OFFICERS: usize = 8;
/// Claims per block at the execution layer (the node's blocks hold up to 8,192 transactions; under load its blocks
/// of these claims hold a few hundred to a few thousand).
const EXEC_BLOCK_TXS: usize = 1_000;
/// Runs of the execution-layer measurement at each size; the median is reported.
const EXEC_RUNS: usize = 3;
/// ECVRF verifications timed one by one on one core (at most).
const VRF_TIMED: usize = 500;
/// Requests of each proven answer, and offline verifications of it; medians are reported.
const PROOF_ROUNDS: usize = 50;
/// Largest API answer read, bytes.
const MAX_ANSWER_BYTES: usize = 16 << 20;
/// Most wallets: every citizen is registered, given a wallet and funded through the node in rounds.
const MAX_WALLETS: usize = 100_000;

/// What the finance workload is asked to do.
#[derive(Clone, Debug)]
pub struct Params {
    /// Citizens with a wallet; each also claims one benefit.
    pub wallets: usize,
    /// Citizen-to-citizen transfers of the maximum-rate run, and role updates of the run that compares with it.
    pub transfers: usize,
    /// Administrators sending the role updates.
    pub senders: usize,
    /// Nullifier records in the state of the execution-layer claims (besides the run without any).
    pub nullifiers: usize,
}

/// The officials of the benchmark.
struct Actors {
    registrar: Keypair,
    issuer: Keypair,
    bank: Keypair,
    treasurer: Keypair,
    parliament: Keypair,
    budget_officer: Keypair,
    /// Commits the programme's funding and opens the programme.
    spending_officer: Keypair,
    /// Send the claims.
    claim_officers: Vec<Keypair>,
    /// Send the role updates.
    administrators: Vec<Keypair>,
    /// The official whose roles the role updates change.
    updated: Keypair,
}

/// One maximum-rate run through the node.
struct Run {
    /// Transactions, all committed.
    count: usize,
    /// From the first submission to the last commit, seconds.
    secs: f64,
    /// Until the last was admitted, seconds.
    admitted_secs: f64,
    /// Blocks it took.
    blocks: u64,
    /// Mean transaction size, bytes.
    tx_bytes: usize,
    /// Raw hybrid verifications per second on every core over the load's signatures: the physical limit.
    limit: f64,
    /// What the node spent on it besides admission.
    work: NodeWork,
}

impl Run {
    fn rate(&self) -> f64 {
        self.count as f64 / self.secs
    }

    fn ratio(&self) -> f64 {
        self.rate() / self.limit
    }
}

/// The node's committed state, copied key by key.
struct StateCopy {
    entries: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    root: Hash,
    height: u64,
}

/// The execution-layer claims at one number of recorded nullifiers.
struct ExecRun {
    /// Nullifier records added to the node's state.
    nullifiers: usize,
    /// Entries of the state the claims ran against.
    entries: usize,
    /// Writing the state into the fresh store, seconds.
    store_secs: f64,
    /// Building the state tree over it, seconds.
    tree_secs: f64,
    /// Mean time of one lookup of an absent nullifier key in the store, microseconds.
    lookup_us: f64,
    /// Median time to execute every claim, seconds.
    exec_secs: f64,
    /// The fastest and slowest of the runs, seconds.
    exec_range: (f64, f64),
}

/// A proven answer of the API, timed.
struct Answer {
    what: String,
    route: &'static str,
    bytes: usize,
    proofs: usize,
    produce_ms: f64,
    verify_ms: f64,
}

/// What the claims measured.
struct Claims {
    node: Run,
    vrf_us: f64,
    vrf_all_cores: f64,
    exec: Vec<ExecRun>,
}

/// Run the workload and print its report.
// Long: the measurement's phases in order, each a few lines, sharing the node, the keys and the signed loads.
pub fn run(params: &Params) -> Result<()> {
    ensure!(
        (2..=MAX_WALLETS).contains(&params.wallets),
        "--wallets must be 2 to {MAX_WALLETS} (each wallet is registered, opened and funded through the node)"
    );
    ensure!(
        params.transfers >= 1 && params.transfers.div_ceil(params.wallets) <= PER_SENDER,
        "--txs must be 1 to {} for {} wallets (each citizen may have {PER_SENDER} transactions waiting)",
        params.wallets * PER_SENDER,
        params.wallets
    );
    ensure!(
        params.senders >= 1 && params.transfers.div_ceil(params.senders) <= PER_SENDER,
        "--txs / --senders must be at most {PER_SENDER} (the role updates' administrators, each with at most \
         {PER_SENDER} transactions waiting)"
    );
    let cores = std::thread::available_parallelism()?.get();
    out!(
        "publica bench: {cores} cores, {} rayon threads, workload finance ({} wallets, {} transfers, {} recorded \
         nullifiers)",
        rayon::current_num_threads(),
        params.wallets,
        params.transfers,
        params.nullifiers
    );
    let bench = BenchNode::new("bench-finance", "Benchmark Treasury", true, |config| {
        config.mempool.txs_max = 400_000;
    })?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let chain = bench.genesis.chain_id.clone();
    let signer = |key| Signer::new(key, chain.clone(), 0).expiring(expiry);

    phase("generating keys; registering the officials and the citizens");
    let actors = Actors {
        registrar: Keypair::generate(),
        issuer: Keypair::generate(),
        bank: Keypair::generate(),
        treasurer: Keypair::generate(),
        parliament: Keypair::generate(),
        budget_officer: Keypair::generate(),
        spending_officer: Keypair::generate(),
        claim_officers: (0..MIN_CLAIM_OFFICERS.max(params.wallets.div_ceil(PER_SENDER)))
            .map(|_| Keypair::generate())
            .collect(),
        administrators: (0..params.senders).into_par_iter().map(|_| Keypair::generate()).collect(),
        updated: Keypair::generate(),
    };
    let citizens: Vec<Keypair> = (0..params.wallets).into_par_iter().map(|_| Keypair::generate()).collect();
    let address = |i: usize| citizens[i].public_key().address();
    register(&bench, &node, &actors, &citizens)?;

    phase("defining the currency; opening and funding the wallets");
    let per_wallet = params.transfers.div_ceil(params.wallets);
    let funding = per_wallet as u64 * TRANSFER_AMOUNT;
    let claims_total = params.wallets as u64 * BENEFIT;
    let mut issuer = signer(&actors.issuer);
    let define =
        issuer.sign(FinanceCall::DefineCurrency { code: CURRENCY.into(), name: "Benchmark krona".into(), decimals: 2 });
    commit(&node, &[define])?;
    let tier = FinanceCall::SetTier { currency: CURRENCY.into(), tier: TIER, balance_cap: CAP, daily_outflow_cap: CAP };
    let issue = FinanceCall::Issue {
        currency: CURRENCY.into(),
        to: bench.agency.clone(),
        amount: params.wallets as u64 * funding + claims_total,
    };
    commit(&node, &[issuer.sign(tier), issuer.sign(issue)])?;
    let mut bank = signer(&actors.bank);
    let opens: Vec<Transaction> = (0..params.wallets)
        .map(|i| {
            bank.sign(FinanceCall::OpenAccount {
                currency: CURRENCY.into(),
                holder: Holder::Citizen(address(i)),
                operator: None,
                tier: TIER,
                blinding: rand::random(),
            })
        })
        .collect();
    commit_in_rounds(&node, &opens)?;
    let mut treasurer = signer(&actors.treasurer);
    let fundings: Vec<Transaction> = (0..params.wallets)
        .map(|i| {
            treasurer.sign(FinanceCall::Transfer {
                currency: CURRENCY.into(),
                from: Holder::Agency(bench.agency.clone()),
                to: Holder::Citizen(address(i)),
                amount: funding,
                reference: "Opening balance".into(),
            })
        })
        .collect();
    commit_in_rounds(&node, &fundings)?;

    phase("signing the transfers and the role updates");
    // Round by round, so that each citizen's transactions reach admission in nonce order and every round spreads
    // over every sender.
    let citizen_signers: Vec<Signer<&Keypair>> = citizens.iter().map(signer).collect();
    let order: Vec<(usize, usize)> =
        (0..per_wallet).flat_map(|j| (0..params.wallets).map(move |i| (i, j))).take(params.transfers).collect();
    let transfers: Vec<Transaction> = order
        .par_iter()
        .map(|&(i, j)| {
            let call = FinanceCall::Transfer {
                currency: CURRENCY.into(),
                from: Holder::Citizen(address(i)),
                to: Holder::Citizen(address(recipient(i, j, params.wallets))),
                amount: TRANSFER_AMOUNT,
                reference: format!("Invoice {j}"),
            };
            citizen_signers[i].sign_at(j as u64, call)
        })
        .collect();
    let admin_signers: Vec<Signer<&Keypair>> = actors.administrators.iter().map(signer).collect();
    let (clerk, surveyor): (Role, Role) = ("clerk".parse()?, "surveyor".parse()?);
    let role_updates: Vec<Transaction> = (0..params.transfers)
        .into_par_iter()
        .map(|i| {
            let roles = if i % 2 == 0 { vec![clerk.clone()] } else { vec![clerk.clone(), surveyor.clone()] };
            let call = AccountsCall::SetRoles { account: actors.updated.public_key().address(), roles };
            admin_signers[i % params.senders].sign_at((i / params.senders) as u64, call)
        })
        .collect();
    let mut keys: HashMap<Address, &PublicKey> =
        citizens.iter().map(|k| (k.public_key().address(), k.public_key())).collect();
    keys.extend(
        actors.administrators.iter().chain(&actors.claim_officers).map(|k| (k.public_key().address(), k.public_key())),
    );

    phase("measuring the verification limit, then transfers at maximum rate");
    let transfers_limit = verification_rate(&transfers, &keys)?;
    let transfers_run = max_rate(&node, &transfers, transfers_limit)?;
    phase("measuring the verification limit, then role updates at maximum rate");
    let roles_limit = verification_rate(&role_updates, &keys)?;
    let roles_run = max_rate(&node, &role_updates, roles_limit)?;

    phase("enacting the budget and opening the programme");
    let now = publica_client::now_ms();
    let period = month_of(now);
    let programme = open_programme(&node, &actors, &bench.agency, period, claims_total, &signer)?;

    phase("making the citizens' nullifier proofs and signing the claims");
    let alpha = nullifier_input(chain.as_str(), SCHEME, period);
    let proofs: Vec<[u8; publica_crypto::vrf::PROOF_LEN]> =
        citizens.par_iter().map(|c| publica_crypto::vrf::prove(c, &alpha)).collect();
    let officer_signers: Vec<Signer<&Keypair>> = actors.claim_officers.iter().map(signer).collect();
    let officers = officer_signers.len();
    let claims: Vec<Transaction> = (0..params.wallets)
        .into_par_iter()
        .map(|i| {
            let call = FinanceCall::Claim { programme, period, citizen: address(i), proof: proofs[i].to_vec() };
            officer_signers[i % officers].sign_at((i / officers) as u64, call)
        })
        .collect();

    phase("timing ECVRF verification");
    let (vrf_us, vrf_all_cores) = vrf_rates(&citizens, &alpha, &proofs)?;

    phase("copying the node's state; claims through the node");
    let before = copy_state(&node);
    let claims_limit = verification_rate(&claims, &keys)?;
    let claims_run = max_rate(&node, &claims, claims_limit)?;
    let paid = node
        .view(|state| publica_finance::query::programme_with_key(state, programme).0)
        .context("the benchmark's programme is not on the ledger")?;
    ensure!(paid.claims == params.wallets as u64, "{} claims paid, {} sent", paid.claims, params.wallets);

    phase("proven answers through the API, checked offline");
    let payment = match node.tx_status(&claims[0].id()) {
        TxStatus::Committed { outcome: Some(TxOutcome::Payment { id }), .. } => id,
        other => bail!("the first claim did not pay: {other:?}"),
    };
    let answers = proven_answers(&bench, &node, &citizens[0], payment)?;
    let genesis = bench.genesis.clone();
    bench.stop(node);

    phase("claims at the execution layer");
    let signatures = Preverified::new(&claims, &keys)?;
    let nullifier_keys: Vec<Vec<u8>> = proofs
        .iter()
        .map(|proof| {
            let output = publica_crypto::vrf::proof_to_hash(proof).context("a proof made by the benchmark")?;
            Ok(nullifier_key(SCHEME, period, &publica_finance::welfare::nullifier(&output)))
        })
        .collect::<Result<_>>()?;
    let tmp = tempfile::tempdir()?;
    let counts: Vec<usize> = if params.nullifiers == 0 { vec![0] } else { vec![0, params.nullifiers] };
    let exec = execution_layer(
        tmp.path(),
        &genesis,
        &before,
        &counts,
        programme,
        period,
        &claims,
        &nullifier_keys,
        &signatures,
        &phase,
    )?;
    phase("done");

    let claims = Claims { node: claims_run, vrf_us, vrf_all_cores, exec };
    report(params, &transfers_run, &roles_run, &claims, &answers, officers);
    Ok(())
}

/// The citizen whom citizen `i`'s `j`-th transfer pays: each transfer of a citizen goes to another one, never to
/// the payer, spread over the others.
fn recipient(i: usize, j: usize, wallets: usize) -> usize {
    (i + 1 + j % (wallets - 1)) % wallets
}

/// Register the officials (in the benchmark's agency, which holds every role) and the citizens.
fn register(bench: &BenchNode, node: &NodeHandle, actors: &Actors, citizens: &[Keypair]) -> Result<()> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let mut admin = Signer::new(&bench.admin, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let mut official = |key: &Keypair, roles: &[&str]| -> Result<Transaction> {
        Ok(admin.sign(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        }))
    };
    let mut officials = vec![
        official(&actors.registrar, &[Role::CITIZEN_REGISTRAR])?,
        official(&actors.issuer, &[ISSUER_ROLE])?,
        official(&actors.bank, &[BANK_ROLE])?,
        official(&actors.treasurer, &[TREASURER_ROLE])?,
        official(&actors.parliament, &[PARLIAMENT_ROLE])?,
        official(&actors.budget_officer, &[BUDGET_OFFICER_ROLE])?,
        official(&actors.spending_officer, &[SPENDING_OFFICER_ROLE, WELFARE_OFFICER_ROLE])?,
        official(&actors.updated, &["clerk"])?,
    ];
    for officer in &actors.claim_officers {
        officials.push(official(officer, &[WELFARE_OFFICER_ROLE])?);
    }
    for administrator in &actors.administrators {
        officials.push(official(administrator, &[Role::ADMIN])?);
    }
    commit_in_rounds(node, &officials)?;
    let mut registrar = Signer::new(&actors.registrar, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let txs: Vec<Transaction> = citizens
        .iter()
        .enumerate()
        .map(|(i, key)| {
            registrar.sign(AccountsCall::RegisterCitizen {
                public_key: key.public_key().clone(),
                id_commitment: publica_crypto::sha256(format!("bench-citizen-{i}").as_bytes()),
            })
        })
        .collect();
    commit_in_rounds(node, &txs)
}

/// The budget law, its allocation to the agency, the commitment that funds the programme, and the programme
/// (paying this month and the next); returns the programme's number.
fn open_programme<'k>(
    node: &NodeHandle,
    actors: &'k Actors,
    agency: &publica_types::AgencyId,
    period: u32,
    total: u64,
    signer: &impl Fn(&'k Keypair) -> Signer<&'k Keypair>,
) -> Result<u64> {
    let year = (period / 100) as u16;
    let enact = signer(&actors.parliament).sign(FinanceCall::EnactBudget {
        year,
        currency: CURRENCY.into(),
        treasury: agency.clone(),
        reference: format!("Benchmark Budget Act {year}"),
        lines: vec![BudgetLineSpec {
            code: "SP-01".into(),
            cofog: "10.4".into(),
            economic: "27".into(),
            name: "Benchmark benefit".into(),
            appropriation: total,
        }],
    });
    commit(node, std::slice::from_ref(&enact))?;
    let allocate = signer(&actors.budget_officer).sign(FinanceCall::Allocate {
        year,
        line: "SP-01".into(),
        agency: agency.clone(),
        amount: total,
        reference: "Allocation decision B-1".into(),
    });
    let allocation = match committed_outcome(node, &allocate)? {
        TxOutcome::Allocation { id } => id,
        other => bail!("the allocation created {other:?}"),
    };
    let mut officer = signer(&actors.spending_officer);
    let fund = officer.sign(FinanceCall::CommitFunds {
        allocation,
        amount: total,
        payee: None,
        reference: "Benefit decision B-2".into(),
    });
    let commitment = match committed_outcome(node, &fund)? {
        TxOutcome::Commitment { id } => id,
        other => bail!("the commitment created {other:?}"),
    };
    let create = officer.sign(FinanceCall::CreateProgramme {
        name: "Benchmark benefit".into(),
        scheme: SCHEME.into(),
        commitment,
        amount: BENEFIT,
        first_period: period,
        last_period: next_month(period),
        registered_by: None,
        requires: Vec::new(),
    });
    match committed_outcome(node, &create)? {
        TxOutcome::Programme { id } => Ok(id),
        other => bail!("the programme's creation created {other:?}"),
    }
}

/// ECVRF verification on one core (mean microseconds over up to [`VRF_TIMED`] proofs) and on every core
/// (verifications per second over all of them), with keys parsed beforehand.
fn vrf_rates(citizens: &[Keypair], alpha: &[u8], proofs: &[[u8; 80]]) -> Result<(f64, f64)> {
    let timed = proofs.len().min(VRF_TIMED);
    let started = Instant::now();
    for (key, proof) in citizens.iter().zip(proofs).take(timed) {
        publica_crypto::vrf::verify(key.public_key(), alpha, proof)?;
    }
    let one_us = started.elapsed().as_secs_f64() * 1e6 / timed as f64;
    let started = Instant::now();
    citizens
        .par_iter()
        .zip(proofs)
        .try_for_each(|(key, proof)| publica_crypto::vrf::verify(key.public_key(), alpha, proof).map(drop))?;
    let all_cores = proofs.len() as f64 / started.elapsed().as_secs_f64();
    Ok((one_us, all_cores))
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

/// Submit everything as fast as admission takes it; stop the clock when the last one is committed.
fn max_rate(node: &NodeHandle, txs: &[Transaction], limit: f64) -> Result<Run> {
    let tx_bytes = txs.iter().map(|tx| tx.encode().len()).sum::<usize>() / txs.len().max(1);
    let height = node.height();
    let before = NodeWork::of(node);
    let started = Instant::now();
    let ids = submit_all(node, txs)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(node, &ids, Duration::from_secs(900))?;
    let secs = started.elapsed().as_secs_f64();
    let work = NodeWork::of(node).since(before);
    Ok(Run { count: ids.len(), secs, admitted_secs, blocks: node.height() - height, tx_bytes, limit, work })
}

/// Every key and value of the node's committed state, with its root and height.
fn copy_state(node: &NodeHandle) -> StateCopy {
    node.view(|state| {
        let entries = state
            .keys_with_prefix(b"", usize::MAX)
            .into_iter()
            .map(|key| {
                let value = state.get(&key);
                (key, value)
            })
            .collect();
        StateCopy { entries, root: state.state_root(), height: state.height() }
    })
}

/// `count` nullifier records of the benchmark's scheme and period, under random 32-byte nullifiers.
fn recorded_nullifiers(count: usize, programme: u64, period: u32) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    (0..count as u64)
        .into_par_iter()
        .map(|i| {
            let nullifier: Hash = rand::random();
            let record = NullifierRecord { programme, payment: 1_000_000_000 + i, height: 1 };
            (nullifier_key(SCHEME, period, &nullifier), Some(publica_types::codec::encode(&record)))
        })
        .collect()
}

/// Signatures verified before execution, as the node's admission cache holds them: a transaction whose full hash
/// was verified passes, any other is verified on the spot.
struct Preverified(HashSet<Hash>);

impl Preverified {
    fn new(txs: &[Transaction], keys: &HashMap<Address, &PublicKey>) -> Result<Self> {
        verification_rate(txs, keys)?;
        Ok(Self(txs.par_iter().map(Transaction::full_hash).collect()))
    }
}

impl SignatureCheck for Preverified {
    fn check(&self, tx: &Transaction, full_hash: &Hash, key: &PublicKeyBytes) -> Result<(), TxError> {
        if self.0.contains(full_hash) {
            Ok(())
        } else {
            publica_execution::verify_signature(tx, key)
        }
    }
}

/// The store's committed state with the changes of the blocks executed since on top, as the node reads its state
/// between a block's execution and its commit.
struct Layered<'a> {
    store: &'a Store,
    written: &'a Changes,
}

impl StateRead for Layered<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.written.get(key) {
            Some(value) => value.clone(),
            None => self.store.state_get(key).unwrap_or_else(|e| panic!("reading the benchmark's store failed: {e}")),
        }
    }
}

/// A state the execution-layer claims run against: a fresh store holding the node's state and the added
/// nullifier records, and the state tree over it.
struct Prepared {
    nullifiers: usize,
    store: Store,
    tree: StateTree,
    store_secs: f64,
    tree_secs: f64,
}

/// Write the node's state and `extra` into a fresh store in `dir` and build the state tree over it, timing both.
fn prepare(
    dir: &Path,
    genesis: &Genesis,
    state: &StateCopy,
    extra: Vec<(Vec<u8>, Option<Vec<u8>>)>,
) -> Result<Prepared> {
    let nullifiers = extra.len();
    let mut entries = state.entries.clone();
    entries.extend(extra);
    let store = Store::open(dir)?;
    let started = Instant::now();
    store.init_genesis(genesis, &entries)?;
    let store_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let hashed: Vec<(Hash, Option<Hash>)> =
        entries.par_iter().map(|(k, v)| (key_hash(k), v.as_deref().map(value_hash))).collect();
    let mut tree = StateTree::new();
    drop(tree.apply(hashed));
    let tree_secs = started.elapsed().as_secs_f64();
    if nullifiers == 0 {
        ensure!(tree.root() == state.root, "the copy of the node's state does not have the node's state root");
    }
    ensure!(tree.len() == entries.len(), "{} keys in the tree, {} written", tree.len(), entries.len());
    Ok(Prepared { nullifiers, store, tree, store_secs, tree_secs })
}

/// Mean time of one lookup of each (absent) key in the store, microseconds.
fn lookup_us(store: &Store, keys: &[Vec<u8>]) -> Result<f64> {
    let started = Instant::now();
    for key in keys {
        ensure!(store.state_get(key)?.is_none(), "a claim's nullifier is recorded before the claim");
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / keys.len() as f64)
}

/// Execute the claims in blocks of [`EXEC_BLOCK_TXS`] on the prepared state, as the proposer does: each block on
/// the state left by the ones before it. Returns the seconds it took; every claim must pay.
fn execute_once(prepared: &Prepared, env: &BlockEnv, claims: &[Transaction], signatures: &Preverified) -> Result<f64> {
    let blocks: Vec<Vec<Transaction>> = claims.chunks(EXEC_BLOCK_TXS).map(<[Transaction]>::to_vec).collect();
    let mut written = Changes::new();
    let mut tree = prepared.tree.clone();
    let mut paid = 0;
    let started = Instant::now();
    for (k, block) in blocks.into_iter().enumerate() {
        let env = BlockEnv { height: env.height + k as u64, ..env.clone() };
        let outcome = {
            let base = Layered { store: &prepared.store, written: &written };
            publica_execution::execute_block(&base, &tree, &EmptyIndex, &env, block, Mode::Propose, signatures)?
        };
        if let Some((id, error)) = outcome.rejected.first() {
            bail!("claim {id} was refused at the execution layer: {error}");
        }
        paid += outcome.outcomes.iter().filter(|o| matches!(o, TxOutcome::Payment { .. })).count();
        written.extend(outcome.changes);
        tree = outcome.tree;
    }
    let secs = started.elapsed().as_secs_f64();
    ensure!(paid == claims.len(), "{paid} claims paid at the execution layer, {} executed", claims.len());
    Ok(secs)
}

/// Prepare a state for each number of recorded nullifiers, then execute the claims on each: one run each
/// untimed (the store's caches warm, as a running node's are), then [`EXEC_RUNS`] timed runs taking the states in
/// turn, so that a drift of the machine falls on all of them alike.
#[allow(clippy::too_many_arguments)]
fn execution_layer(
    dir: &Path,
    genesis: &Genesis,
    state: &StateCopy,
    counts: &[usize],
    programme: u64,
    period: u32,
    claims: &[Transaction],
    nullifier_keys: &[Vec<u8>],
    signatures: &Preverified,
    phase: &dyn Fn(&str),
) -> Result<Vec<ExecRun>> {
    let mut prepared = Vec::with_capacity(counts.len());
    for &count in counts {
        phase(&format!("execution layer: writing a state with {count} recorded nullifiers"));
        let extra = recorded_nullifiers(count, programme, period);
        prepared.push(prepare(&dir.join(format!("store-{count}")), genesis, state, extra)?);
    }
    phase("execution layer: executing the claims");
    let env =
        BlockEnv { chain_id: genesis.chain_id.clone(), height: state.height + 1, time_ms: publica_client::now_ms() };
    let mut lookups = Vec::with_capacity(prepared.len());
    for p in &prepared {
        execute_once(p, &env, claims, signatures)?;
        lookups.push(lookup_us(&p.store, nullifier_keys)?);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(EXEC_RUNS); prepared.len()];
    for _ in 0..EXEC_RUNS {
        for (p, times) in prepared.iter().zip(&mut times) {
            times.push(execute_once(p, &env, claims, signatures)?);
        }
    }
    Ok(prepared
        .into_iter()
        .zip(lookups)
        .zip(times)
        .map(|((p, lookup_us), mut times)| {
            let exec_secs = median(&mut times);
            ExecRun {
                nullifiers: p.nullifiers,
                entries: p.tree.len(),
                store_secs: p.store_secs,
                tree_secs: p.tree_secs,
                lookup_us,
                exec_secs,
                exec_range: (times[0], times[times.len() - 1]),
            }
        })
        .collect())
}

/// The proven answers: the cheapest (one account read, the reference, and the same record by its state key), a
/// citizen's wallet with a page of its history, and a payment's trace; each produced by the API's router in
/// process and checked offline.
fn proven_answers(bench: &BenchNode, node: &NodeHandle, citizen: &Keypair, payment: u64) -> Result<Vec<Answer>> {
    let router = publica_api::router(node.clone());
    let sets = publica_verify::VerifiedSets::genesis_only(&bench.genesis);
    let address = citizen.public_key().address();
    let state_path = format!("/v1/state/{}", hex::encode(publica_accounts::schema::account_key(&address)));
    let account_path = format!("/v1/accounts/{}", hex::encode(address.0));
    let payment_path = format!("/v1/finance/payments/{payment}");
    // The request a citizen's wallet signs: good for five minutes, so the same one is sent every round.
    let read = publica_client::routes::signed_account_read(
        citizen,
        address,
        &bench.genesis.chain_id,
        CURRENCY,
        &Holder::Citizen(address),
        Page::default(),
        publica_client::now_ms(),
    );
    let read_body = serde_json::to_vec(&read)?;
    let post = || {
        Request::post("/v1/finance/accounts/read")
            .header("content-type", "application/json")
            .body(Body::from(read_body.clone()))
    };
    let answer = |what, route, request: &dyn Fn() -> axum::http::Result<Request<Body>>| -> Result<(Answer, Vec<u8>)> {
        let (bytes, produce_ms) = produce(&bench.rt, &router, route, request)?;
        let mut times = Vec::with_capacity(PROOF_ROUNDS);
        let mut proofs = 0;
        for _ in 0..PROOF_ROUNDS {
            let started = Instant::now();
            let verified = publica_verify::verify_document(&bytes, &sets)
                .with_context(|| format!("the answer of {route} does not verify offline"))?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            proofs = verified.reads.len();
        }
        let answer = Answer { what, route, bytes: bytes.len(), proofs, produce_ms, verify_ms: median(&mut times) };
        Ok((answer, bytes))
    };
    let (reference, _) =
        answer("one proven account read (the reference)".into(), "GET /v1/accounts/{address}", &|| get(&account_path))?;
    let (by_key, _) = answer("the same record by its state key".into(), "GET /v1/state/{key}", &|| get(&state_path))?;
    let (mut wallet, bytes) = answer(String::new(), "POST /v1/finance/accounts/read", &post)?;
    let read: publica_client::api::AccountReadResponse = serde_json::from_slice(&bytes)?;
    wallet.what = format!(
        "a citizen's wallet with the first page of its history ({} of {} entries)",
        read.history.len(),
        read.account.entries
    );
    let (trace, _) = answer(
        "a payment's trace to its budget line (payment, commitment, allocation, line, budget)".into(),
        "GET /v1/finance/payments/{id}",
        &|| get(&payment_path),
    )?;
    Ok(vec![reference, by_key, wallet, trace])
}

/// Ask the router [`PROOF_ROUNDS`] times; the answer's bytes and the median time to produce it, milliseconds.
fn produce(
    rt: &tokio::runtime::Runtime,
    router: &axum::Router,
    route: &str,
    request: &dyn Fn() -> axum::http::Result<Request<Body>>,
) -> Result<(Vec<u8>, f64)> {
    let mut times = Vec::with_capacity(PROOF_ROUNDS);
    let mut body = Vec::new();
    for _ in 0..PROOF_ROUNDS {
        let request = request()?;
        let started = Instant::now();
        let (status, bytes) = super::answer(rt, router, request, MAX_ANSWER_BYTES)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        if status != StatusCode::OK {
            bail!("{route} answered {status}: {}", String::from_utf8_lossy(&bytes));
        }
        body = bytes.to_vec();
    }
    Ok((body, median(&mut times)))
}

/// `GET path`, as a request to the router.
fn get(path: &str) -> axum::http::Result<Request<Body>> {
    Request::get(path).body(Body::empty())
}

/// The median of `values` (sorted in place; the upper one of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Print the Markdown report.
fn report(params: &Params, transfers: &Run, roles: &Run, claims: &Claims, answers: &[Answer], officers: usize) {
    out!();
    out!("### Transfers through one node (production path)");
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!(
        "| raw hybrid verifications/s over the transfers' signatures (all cores, `verify_batch`): the physical limit \
         | {:.0} |",
        transfers.limit
    );
    out!(
        "| committed citizen-to-citizen transfers/s ({} transfers of {} B from {} wallets, {:.2} s over {} blocks; \
         admission took {:.2} s) | {:.0} |",
        transfers.count,
        transfers.tx_bytes,
        params.wallets,
        transfers.secs,
        transfers.blocks,
        transfers.admitted_secs,
        transfers.rate()
    );
    out!("| **ratio transfers / physical limit** | **{:.2}** |", transfers.ratio());
    out!("| raw hybrid verifications/s over the role updates' signatures (all cores) | {:.0} |", roles.limit);
    out!(
        "| committed role updates/s, same node right after ({} updates of {} B from {} administrators, {:.2} s over \
         {} blocks; admission took {:.2} s) | {:.0} |",
        roles.count,
        roles.tx_bytes,
        params.senders,
        roles.secs,
        roles.blocks,
        roles.admitted_secs,
        roles.rate()
    );
    out!("| ratio role updates / physical limit (the lightest transaction) | {:.2} |", roles.ratio());
    out!(
        "| **transfers' ratio against the role updates' ratio** (goal: 1.0 or more) | **{:.2}** |",
        transfers.ratio() / roles.ratio()
    );
    for (what, run) in [("transfers", transfers), ("role updates", roles)] {
        let per_tx = |secs: f64| secs * 1e6 / run.count.max(1) as f64;
        out!(
            "| {what}: blocks executed by the proposer / stored at commit, µs per transaction; pending transactions \
             executed again by the revalidation after commits; pending runs carried over a commit | {:.1} / {:.1}; \
             {}; {} |",
            per_tx(run.work.execute_secs),
            per_tx(run.work.store_secs),
            run.work.revalidated,
            run.work.carried
        );
    }

    let node = &claims.node;
    let vrf_one_core = 1e6 / claims.vrf_us;
    out!();
    out!("### Welfare claims: the ECVRF nullifier proof and the nullifier lookup");
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!(
        "| ECVRF verification alone (`publica_crypto::vrf::verify`, key parsed before), one core | {:.1} µs \
         ({vrf_one_core:.0}/s) |",
        claims.vrf_us
    );
    out!("| ECVRF verifications/s, all cores | {:.0} |", claims.vrf_all_cores);
    out!(
        "| node (production path): committed claims/s, {} claims of {} B from {officers} officers, no nullifier \
         recorded before ({:.2} s over {} blocks; admission took {:.2} s) | {:.0} |",
        node.count,
        node.tx_bytes,
        node.secs,
        node.blocks,
        node.admitted_secs,
        node.rate()
    );
    out!(
        "| node: ratio to raw hybrid verifications/s over the claims' signatures ({:.0}) / to all-core ECVRF \
         verifications/s | {:.2} / {:.2} |",
        node.limit,
        node.ratio(),
        node.rate() / claims.vrf_all_cores
    );
    out!();
    out!(
        "Execution layer: the same {} claims executed in blocks of {EXEC_BLOCK_TXS}, median of {EXEC_RUNS} runs \
         (range in brackets); the physical limit of in-order execution is the one-core ECVRF rate.",
        node.count
    );
    out!();
    out!(
        "| recorded nullifiers | state entries | writing them into a fresh store / building the state tree | one \
         lookup of an absent nullifier key in the store | execution per claim | claims/s | **ratio to the one-core \
         ECVRF rate** |"
    );
    out!("|---|---|---|---|---|---|---|");
    for e in &claims.exec {
        let per_claim = |secs: f64| secs * 1e6 / node.count as f64;
        let rate = node.count as f64 / e.exec_secs;
        out!(
            "| {} | {} | {:.2} s / {:.2} s | {:.2} µs | {:.1} µs ({:.1}–{:.1}) | {rate:.0} | **{:.2}** |",
            e.nullifiers,
            e.entries,
            e.store_secs,
            e.tree_secs,
            e.lookup_us,
            per_claim(e.exec_secs),
            per_claim(e.exec_range.0),
            per_claim(e.exec_range.1),
            rate / vrf_one_core
        );
    }
    out!();
    out!(
        "Paths: the node's claims ran on the production path (admission dry-runs each claim, the proposer executes \
         it, the block is stored with fdatasync). The execution layer ran `publica_execution::execute_block` \
         (`Mode::Propose`, as the proposer does) over the node's state copied just before its claims (its root \
         checked against the node's) into a fresh fjall store of the node's kind (`publica-storage`), with the \
         nullifier records written there in one batch beside it and the production state tree built over all of \
         it; the same signed claims, their signatures checked beforehand as the node's admission cache has them."
    );

    let reference = &answers[0];
    out!();
    out!("### Proofs (the API's router in process; checked offline with `publica_verify::verify_document`)");
    out!();
    out!("| answer | route | proven keys | JSON | produce, median | verify offline, median | against the reference (bytes / produce / verify) |");
    out!("|---|---|---|---|---|---|---|");
    for a in answers {
        out!(
            "| {} | `{}` | {} | {} B | {:.2} ms | {:.2} ms | {:.1}× / {:.1}× / {:.1}× |",
            a.what,
            a.route,
            a.proofs,
            a.bytes,
            a.produce_ms,
            a.verify_ms,
            a.bytes as f64 / reference.bytes as f64,
            a.produce_ms / reference.produce_ms,
            a.verify_ms / reference.verify_ms
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_citizen_never_pays_themselves_and_pays_everyone_else_in_turn() {
        for wallets in [2, 3, 10] {
            for i in 0..wallets {
                let paid: HashSet<usize> = (0..wallets - 1).map(|j| recipient(i, j, wallets)).collect();
                assert_eq!(paid.len(), wallets - 1, "{wallets} wallets, payer {i}");
                assert!(!paid.contains(&i));
                assert!((0..3 * wallets).all(|j| recipient(i, j, wallets) != i));
            }
        }
    }

    /// The whole workload on a real node at a tiny size: every check of the run (each transfer, role update and
    /// claim committed, the copied state's root equal to the node's, every claim paid again at the execution
    /// layer, every answer verified offline) must pass.
    #[test]
    fn the_workload_runs_end_to_end_at_a_tiny_size() {
        run(&Params { wallets: 12, transfers: 36, senders: 2, nullifiers: 1_000 }).unwrap();
    }
}

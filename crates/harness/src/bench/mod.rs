//! The benchmarks of `publica bench`: measure the node on this machine.
//!
//! Everything runs in this process on the production path: a single-validator network started with
//! [`crate::node::launch`] (consensus engine, networking on 127.0.0.1, store with `fdatasync` per block), fed
//! through the same admission function the API calls. In the same run it measures the physical limit, raw hybrid
//! signature verifications per second on all cores, so the throughput can be read as a fraction of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use publica_client::{Expiry, Signer};
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::{NodeConfig, NodeHandle};
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::{AgencyId, Genesis, GenesisAccount, GenesisAgency, Role, TxId, ValidatorSet};
use rayon::prelude::*;

mod catchup;
mod contracts;
mod credentials;
mod data;
mod elections;
mod finance;
mod portal;
mod procurement;
mod reads;
mod registry;
pub mod report;
mod state;

use crate::genesis::new_genesis;
use crate::home::{free_local_addr, write_home};
use crate::node::{launch, runtime, wait_committed, Running};
use report::out;

/// What `publica bench` measures, and with how much.
#[derive(Clone, Debug)]
pub struct Params {
    /// Transactions for the maximum-rate run.
    pub txs: usize,
    /// Sending accounts (registrar officials); at most 1,000 transactions each.
    pub senders: usize,
    /// Seconds of the half-rate latency run.
    pub latency_secs: u64,
    /// What the load does.
    pub workload: Workload,
    /// Parcels workload: parcels registered before the measured run.
    pub parcels: usize,
    /// Parcels workload: four-party transfers.
    pub transfers: usize,
    /// Anchors workload: document hashes to anchor (in transactions of 3,500).
    pub hashes: usize,
    /// Anchors workload: files in the temporary directory `publica anchor` is timed on.
    pub anchor_files: usize,
    /// Anchors workload: size of each of those files, KiB.
    pub anchor_file_kib: usize,
    /// Credentials workload: credentials issued in each form for the issuance rate.
    pub credentials: usize,
    /// Credentials workload: entries of the issuer's status list (1 % of them revoked in one batch).
    pub status_entries: u32,
    /// Portal workload: requests per page.
    pub rounds: usize,
    /// Elections workload: voters, each casting one ballot.
    pub ballots: usize,
    /// Finance workload: citizens with a wallet, each also claiming one benefit.
    pub wallets: usize,
    /// Finance workload: nullifier records in the state the execution-layer claims run against.
    pub nullifiers: usize,
    /// Procurement workload: companies registered through the node, each submitting one sealed bid of 10 KB to
    /// the measured tender (all opened by one transaction).
    pub bids: usize,
    /// Procurement workload: contracting processes (tenders with three opened bids, an award and a contract)
    /// built at the execution layer and exported in OCDS.
    pub processes: usize,
    /// Data workload: citizens with a record in the vault, each consenting to the agency's requesters and asked for
    /// once.
    pub citizens: usize,
    /// Data workload: accesses in one citizen's log, read back with proofs.
    pub log_accesses: usize,
    /// Data workload: how often the vault looks at a transaction it submitted, milliseconds.
    pub vault_poll_ms: u64,
    /// Run the node without keeping past states (`[storage] past_states = false`), to measure what keeping them
    /// costs.
    pub no_past_states: bool,
    /// Reads workload: citizen accounts registered before reading.
    pub accounts: usize,
    /// Reads workload: seconds of each `wrk` run.
    pub read_secs: u64,
    /// Reads workload: connections `wrk` keeps open.
    pub connections: usize,
    /// State workload: the largest state measured, in entries (from 10^5 up, ten times more each step).
    pub entries: usize,
    /// State workload: open this filled home and print what it measured (the workload runs itself with it).
    pub state_home: Option<std::path::PathBuf>,
    /// Catch-up workload: blocks in the chain a joining node catches up on.
    pub blocks: u64,
    /// Catch-up workload: the validator's empty-block interval while the node catches up, milliseconds.
    pub idle_ms: u64,
}

/// The transactions of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Registrar officials register citizens: 5.4 KB transactions that each carry a new hybrid public key to
    /// validate and create three state entries.
    Registrations,
    /// Agency administrators update an official's roles: 3.5 KB transactions, no key inside, two state writes.
    RoleUpdates,
    /// A notary official anchors document hashes, 3,500 per transaction, until a signed checkpoint covers the
    /// last; also receipt sizes, offline receipt verification and `publica anchor` over files.
    Anchors,
    /// Land registry: parcel registrations with the overlap check among `--parcels` registered ones (`--txs` of
    /// them), four-party transfers, and "who owned it at time D" answers with their proofs, checked offline.
    Parcels,
    /// Identity and credentials: SD-JWT VCs issued against raw signing, a presentation checked offline with its
    /// ledger proofs (accreditation chain of two links, status), a status list with 1 % revoked in one batch, and
    /// the sizes of the list, its token and the proof of one bit.
    Credentials,
    /// The portal: each main page's server time with the demo town's data, against the node's cheapest answer.
    Portal,
    /// Elections: Belenios ballots built and verified (against belenios-tool in the same run), and the ledger's
    /// sustained ballots per second with every proof checked, against the all-core verification rate.
    Elections,
    /// Public finance: citizen-to-citizen transfers (`--txs` among `--wallets` wallets) against the all-core
    /// verification rate and against role updates (`--txs` from `--senders` administrators) measured on the same
    /// node; welfare claims with their ECVRF nullifier proofs through the node and at the execution layer with
    /// `--nullifiers` recorded nullifiers; and the size and times of a citizen's proven balance and of a payment's
    /// trace.
    Finance,
    /// Public procurement: `--bids` sealed bids of 10 KB from as many companies registered through the node,
    /// against the all-core rate of what admission checks of each (signature and sealed box); their opening by the
    /// second key holder's one transaction against the same opening computed directly; and the OCDS export of
    /// `--processes` contracting processes built at the execution layer, against serialising the same JSON.
    Procurement,
    /// Personal data: `--citizens` accesses end to end through a real vault (requested through the API, released by
    /// the vault, fetched and checked by their requesters) against the all-core cost of each access's unavoidable
    /// cryptography; what a record, a consent and an access add to the state; and a citizen's log of
    /// `--log-accesses` accesses read with its proofs, against verifying the same proofs directly.
    Data,
    /// WebAssembly contracts: calls of the customs clearance (C) and the fee schedule (Rust) examples, `--txs` of
    /// each case from `--senders` officials, through the node against the all-core verification rate, and at the
    /// execution layer against the same rules written natively over the same host; fuel per call from the
    /// receipts; each example module's validation, compilation, upload and deployment (the grant rule's too).
    Contracts,
    /// Proven reads over HTTP (`wrk`, many connections kept alive) of accounts, parcels, as-of owners and notary
    /// receipts among `--accounts` accounts, with no writes, with writes at half the maximum rate and revalidated
    /// by `If-None-Match`, against the same answers built in process on every core.
    Reads,
    /// State size: a node's start-up time, peak memory and proven-read latency with 10^5, 10^6, … `--entries`
    /// state entries, its tree read from the store as it is used or rebuilt in memory, against reading the store
    /// once at the disk's rate.
    State,
    /// Catch-up: a node joining with an empty store gets a chain of `--blocks` small blocks from a validator by
    /// value sync, against checking and re-executing the same blocks back to back.
    Catchup,
}

/// Run the benchmarks and print a report.
// Long: one measurement's phases in order, each a few lines, sharing the keys and the signed load.
pub fn run(args: &Params) -> Result<()> {
    match args.workload {
        Workload::Anchors => return run_anchors(args),
        Workload::Parcels => {
            let params = registry::Params {
                preload: args.parcels,
                txs: args.txs,
                transfers: args.transfers,
                senders: args.senders,
                past_states: !args.no_past_states,
            };
            return registry::run(&params);
        }
        Workload::Credentials => {
            let params = credentials::Params { credentials: args.credentials, status_entries: args.status_entries };
            return credentials::run(&params);
        }
        Workload::Portal => return portal::run(&portal::Params { rounds: args.rounds }),
        Workload::Elections => return elections::run(&elections::Params { ballots: args.ballots }),
        Workload::Finance => {
            let params = finance::Params {
                wallets: args.wallets,
                transfers: args.txs,
                senders: args.senders,
                nullifiers: args.nullifiers,
            };
            return finance::run(&params);
        }
        Workload::Procurement => {
            return procurement::run(&procurement::Params { bids: args.bids, processes: args.processes });
        }
        Workload::Data => {
            let params = data::Params {
                citizens: args.citizens,
                log_accesses: args.log_accesses,
                vault_poll_ms: args.vault_poll_ms,
            };
            return data::run(&params);
        }
        Workload::Contracts => {
            return contracts::run(&contracts::Params { calls: args.txs, senders: args.senders });
        }
        Workload::State => {
            if let Some(home) = &args.state_home {
                return state::open_and_measure(home, !args.no_past_states);
            }
            return state::run(&state::Params { entries: args.entries });
        }
        Workload::Reads => {
            let params = reads::Params { accounts: args.accounts, secs: args.read_secs, connections: args.connections };
            return reads::run(&params);
        }
        Workload::Catchup => return catchup::run(&catchup::Params { blocks: args.blocks, idle_ms: args.idle_ms }),
        Workload::Registrations | Workload::RoleUpdates => {}
    }
    if args.senders == 0 || args.txs / args.senders > 1000 {
        bail!("--txs / --senders must be at most 1000 (the per-sender mempool limit)");
    }
    let threads = rayon::current_num_threads();
    out!(
        "publica bench: {} cores, {} rayon threads, workload {:?}",
        std::thread::available_parallelism()?.get(),
        threads,
        args.workload
    );

    let bench = BenchNode::new("bench-registry", "Benchmark Registry", true, |config| {
        config.mempool.txs_max = 400_000;
        config.storage.past_states = !args.no_past_states;
    })?;
    let (genesis, admin, agency) = (&bench.genesis, &bench.admin, bench.agency.clone());

    // Keys and transactions are prepared before the clock starts.
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message("generating sender and citizen keys");
    progress.enable_steady_tick(Duration::from_millis(200));
    let officials: Vec<Keypair> = (0..args.senders).into_par_iter().map(|_| Keypair::generate()).collect();
    let latency_txs = 20_000usize.min((args.senders * 1000).saturating_sub(args.txs));
    let citizens = if args.workload == Workload::Registrations { args.txs + latency_txs } else { 0 };
    let citizen_keys: Vec<publica_types::PublicKey> =
        (0..citizens).into_par_iter().map(|_| Keypair::generate().public_key().clone()).collect();
    progress.finish_and_clear();

    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let node = bench.node();
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let mut admin_signer = Signer::new(admin, genesis.chain_id.clone(), 0).expiring(expiry);

    // The sending officials (registrars, or administrators), and the official whose roles the second workload
    // updates.
    let updated = Keypair::generate();
    let sender_role = match args.workload {
        Workload::Registrations => Role::citizen_registrar(),
        Workload::RoleUpdates => Role::admin(),
        Workload::Anchors
        | Workload::Parcels
        | Workload::Credentials
        | Workload::Portal
        | Workload::Elections
        | Workload::Finance
        | Workload::Procurement
        | Workload::Data
        | Workload::Contracts
        | Workload::Reads
        | Workload::State
        | Workload::Catchup => unreachable!("measured by their own functions"),
    };
    let mut setup: Vec<Transaction> = officials
        .iter()
        .map(|o| {
            admin_signer.sign(AccountsCall::RegisterOfficial {
                public_key: o.public_key().clone(),
                agency: agency.clone(),
                roles: vec![sender_role.clone()],
            })
        })
        .collect();
    setup.push(admin_signer.sign(AccountsCall::RegisterOfficial {
        public_key: updated.public_key().clone(),
        agency: agency.clone(),
        roles: vec!["clerk".parse()?],
    }));
    phase("registering the sending officials");
    let ids = submit_all(&node, &setup)?;
    wait_committed(&node, &ids, Duration::from_secs(120))?;
    phase("signing the load");

    // Citizen registrations, round-robin over the officials, nonces in order per official.
    progress.reset();
    let signers: Mutex<Vec<Signer<&Keypair>>> =
        Mutex::new(officials.iter().map(|o| Signer::new(o, genesis.chain_id.clone(), 0).expiring(expiry)).collect());
    let (clerk, surveyor): (Role, Role) = ("clerk".parse()?, "surveyor".parse()?);
    let make = |range: std::ops::Range<usize>| -> Vec<Transaction> {
        let mut signers = signers.lock().expect("not poisoned");
        let assigned: Vec<(usize, u64, usize)> = range
            .map(|i| {
                let s = i % args.senders;
                (s, signers[s].take_nonce(), i)
            })
            .collect();
        let signers = &*signers;
        assigned
            .into_par_iter()
            .map(|(s, n, i)| {
                let call = match args.workload {
                    Workload::Registrations => AccountsCall::RegisterCitizen {
                        public_key: citizen_keys[i].clone(),
                        id_commitment: publica_crypto::sha256(&(i as u64).to_le_bytes()),
                    },
                    Workload::RoleUpdates => AccountsCall::SetRoles {
                        account: updated.public_key().address(),
                        roles: if i % 2 == 0 { vec![clerk.clone()] } else { vec![clerk.clone(), surveyor.clone()] },
                    },
                    Workload::Anchors
                    | Workload::Parcels
                    | Workload::Credentials
                    | Workload::Portal
                    | Workload::Elections
                    | Workload::Finance
                    | Workload::Procurement
                    | Workload::Data
                    | Workload::Contracts
                    | Workload::Reads
                    | Workload::State
                    | Workload::Catchup => unreachable!("measured by their own functions"),
                };
                signers[s].sign_at(n, call)
            })
            .collect()
    };
    let load = make(0..args.txs);
    let latency_load = make(args.txs..args.txs + latency_txs);

    phase("measuring the verification limit");
    // The physical limit: hybrid verifications per second on every core, over the very signatures the load carries.
    let messages: Vec<Vec<u8>> = load.iter().map(|tx| tx.body.signing_bytes()).collect();
    let keys: Vec<&publica_types::PublicKey> = load
        .iter()
        .map(|tx| officials.iter().find(|o| o.public_key().address() == tx.body.sender).expect("sender").public_key())
        .collect();
    let items: Vec<(&publica_types::PublicKey, &[u8], &publica_types::Signature)> =
        load.iter().enumerate().map(|(i, tx)| (keys[i], messages[i].as_slice(), &tx.signature)).collect();
    let started = Instant::now();
    let results = publica_crypto::verify_batch(&items);
    let verify_rate = items.len() as f64 / started.elapsed().as_secs_f64();
    if results.iter().any(|r| r.is_err()) {
        bail!("a benchmark signature failed to verify");
    }

    phase("maximum-rate run");
    // Maximum rate: submit everything as fast as admission takes it; stop when the last one is committed.
    let (work_before, height_before) = (NodeWork::of(&node), node.height());
    let started = Instant::now();
    let ids = submit_all(&node, &load)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(&node, &ids, Duration::from_secs(600))?;
    let elapsed = started.elapsed().as_secs_f64();
    // Every one of them is committed once `wait_committed` returns. The node's counter is not read here: a
    // transaction's status says committed before the counter counts its block, which undercounted the last block.
    let committed = ids.len();
    let max_rate = committed as f64 / elapsed;
    let (work, blocks) = (NodeWork::of(&node).since(work_before), node.height() - height_before);

    phase("half-rate run");
    // Half rate: paced submissions, time from submission to commit for each.
    let target = (max_rate / 2.0).max(1.0);
    let count = latency_load.len().min((target * args.latency_secs as f64) as usize);
    let (p50, p99, achieved) = latency_run(&node, &latency_load[..count], target)?;

    phase("proofs");
    // Proofs.
    let proven = match args.workload {
        Workload::Registrations => citizen_keys[0].address(),
        Workload::RoleUpdates => updated.public_key().address(),
        Workload::Anchors
        | Workload::Parcels
        | Workload::Credentials
        | Workload::Portal
        | Workload::Elections
        | Workload::Finance
        | Workload::Procurement
        | Workload::Data
        | Workload::Contracts
        | Workload::Reads
        | Workload::State
        | Workload::Catchup => unreachable!("measured by their own functions"),
    };
    let key = publica_accounts::schema::account_key(&proven);
    let proof = node.read_with_proof(&key)?;
    let json = serde_json::to_vec(&proof)?;
    let merkle_bytes = publica_types::codec::encode(&proof.proof).len();
    let cert_bytes = publica_types::codec::encode(&proof.certified.certificate).len();
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        proof.verify(&genesis.chain_id, &genesis.validators).context("bench proof failed")?;
    }
    let full_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let started = Instant::now();
    for _ in 0..rounds * 50 {
        proof.proof.verify(&proof.certified.header.state_root, &proof.key, proof.value.as_deref())?;
    }
    let merkle_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * 50) as f64;

    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!("| raw hybrid verifications/s (all cores, verify_batch) | {verify_rate:.0} |");
    out!("| committed tx/s at maximum rate ({committed} txs, {elapsed:.2} s; admission took {admitted_secs:.2} s) | {max_rate:.0} |");
    out!("| ratio committed / raw verification | {:.2} |", max_rate / verify_rate);
    out!(
        "| maximum-rate run: blocks; pending transactions executed again after commits, by admissions; runs \
         carried, left to the proposal | {blocks}; {}, {}; {}, {} |",
        work.revalidated,
        work.admission_reexecuted,
        work.carried,
        work.proposed
    );
    out!("| half-rate run: offered {target:.0} tx/s, committed {achieved:.0} tx/s, {count} txs | |");
    out!("| submission to commit p50 at half rate | {:.1} ms |", p50 * 1e3);
    out!("| submission to commit p99 at half rate | {:.1} ms |", p99 * 1e3);
    out!("| state entries | {} |", node.view(|state| state.state_entries()));
    out!("| proof document (JSON) | {} bytes |", json.len());
    out!("| Merkle proof (borsh) / certificate (borsh) | {merkle_bytes} / {cert_bytes} bytes |");
    out!("| offline verification, certificate + Merkle proof | {full_us:.0} µs |");
    out!("| offline verification, Merkle proof only | {merkle_us:.2} µs |");

    bench.stop(node);
    Ok(())
}

/// The key-derivation cost of the benchmark's throw-away key files: the node's start-up is not what is measured.
const BENCH_KDF: KdfParams = KdfParams { m_kib: 1024, t: 1, p: 1 };

/// A single-validator network in a temporary directory: one agency with one administrator.
struct BenchNode {
    dir: std::path::PathBuf,
    genesis: Genesis,
    admin: Keypair,
    /// The network's one validator, whose approval passes a governance vote.
    validator: Keypair,
    agency: AgencyId,
    passphrase: Passphrase,
    pass_path: std::path::PathBuf,
    rt: tokio::runtime::Runtime,
    running: Running,
    _tmp: tempfile::TempDir,
}

impl BenchNode {
    /// Write the node's home (`configure` adjusts its configuration first) and start it on the production path.
    fn new(
        agency: &str,
        name: &str,
        registers_citizens: bool,
        configure: impl FnOnce(&mut NodeConfig),
    ) -> Result<Self> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().to_path_buf();
        let home = dir.join("node");
        let validator = Keypair::generate();
        let admin = Keypair::generate();
        let agency: AgencyId = agency.parse()?;
        let genesis = new_genesis(
            "publica-bench".parse()?,
            vec![GenesisAgency {
                id: agency.clone(),
                name: name.into(),
                can_register_citizens: registers_citizens,
                // Every role the benchmarks grant: the agency stands for all the registries at once.
                roles: [
                    "registrar",
                    "notary",
                    "clerk",
                    "surveyor",
                    publica_identity::TRUST_ROOT_ROLE,
                    publica_elections::COMMISSION_ROLE,
                    publica_elections::CREDENTIAL_AUTHORITY_ROLE,
                    publica_finance::ISSUER_ROLE,
                    publica_finance::BANK_ROLE,
                    publica_finance::TREASURER_ROLE,
                    publica_finance::PARLIAMENT_ROLE,
                    publica_finance::BUDGET_OFFICER_ROLE,
                    publica_finance::SPENDING_OFFICER_ROLE,
                    publica_finance::WELFARE_OFFICER_ROLE,
                    publica_procurement::AUTHORITY_ROLE,
                    publica_procurement::KEY_HOLDER_ROLE,
                    publica_procurement::ENTITY_ROLE,
                    publica_procurement::EVALUATOR_ROLE,
                    publica_procurement::REVIEW_ROLE,
                    publica_registry::rules::COMPANY_REGISTRAR,
                    publica_data::CONTROLLER_ROLE,
                    publica_data::REQUESTER_ROLE,
                    publica_registry::rules::PERMIT_OFFICER,
                    publica_contracts::tx::DEVELOPER_ROLE,
                    "fee-setter",
                    "grant-officer",
                ]
                .into_iter()
                .chain(registers_citizens.then_some(Role::CITIZEN_REGISTRAR))
                .map(str::parse)
                .collect::<Result<_, _>>()?,
                admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
            }],
            ValidatorSet::single(&validator),
        )?;
        let mut config = NodeConfig::new("bench", free_local_addr()?, free_local_addr()?);
        // A benchmark loads a few senders with up to 1,000 transactions each, far beyond what a public node lets
        // one account park in its mempool.
        config.mempool.per_sender_max = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
        config.mempool.sender_bytes_max = config.mempool.bytes_max;
        configure(&mut config);
        std::fs::create_dir_all(&home)?;
        let pass_path = dir.join("pass");
        std::fs::write(&pass_path, "bench")?;
        let passphrase = Passphrase::from_file(&pass_path)?;
        write_home(&home, &config, &genesis, &validator, &passphrase, BENCH_KDF)?;
        let rt = runtime()?;
        // The node takes its own copy of the key; the benchmark keeps one to approve governance proposals.
        let node_key = Keypair::from_secret_bytes(&validator.to_secret_bytes())?;
        let running = rt.block_on(launch(&home, node_key))?;
        Ok(Self { dir, genesis, admin, validator, agency, passphrase, pass_path, rt, running, _tmp: tmp })
    }

    fn node(&self) -> NodeHandle {
        self.running.handle()
    }

    /// Stop the node; `node`, the caller's handle, goes first, so that the store is closed before its directory
    /// is removed.
    fn stop(self, node: NodeHandle) {
        drop(node);
        self.rt.block_on(self.running.stop());
    }
}

/// Submit `txs` and wait until every one is committed (five minutes at most).
fn commit(node: &NodeHandle, txs: &[Transaction]) -> Result<()> {
    let ids = submit_all(node, txs)?;
    crate::node::wait_committed(node, &ids, std::time::Duration::from_secs(300))
}

/// Commit in rounds that keep each sender within the transactions the node lets it have waiting.
fn commit_in_rounds(node: &NodeHandle, txs: &[Transaction]) -> Result<()> {
    txs.chunks(publica_node::mempool::MAX_NONCE_LOOKAHEAD).try_for_each(|round| commit(node, round))
}

/// Commit one transaction and return what it created.
fn committed_outcome(node: &NodeHandle, tx: &Transaction) -> Result<publica_types::TxOutcome> {
    commit(node, std::slice::from_ref(tx))?;
    match node.tx_status(&tx.id()) {
        publica_node::TxStatus::Committed { outcome: Some(outcome), .. } => Ok(outcome),
        other => anyhow::bail!("transaction {} is not committed with an outcome: {other:?}", tx.id()),
    }
}

/// Submit in chunks through batch admission; every transaction must be admitted.
fn submit_all(node: &NodeHandle, txs: &[Transaction]) -> Result<Vec<TxId>> {
    // Two clients submit at once, as the API's clients do: while one batch's signatures are verified, another's
    // transactions are dry-run. Each sender's transactions go through one client, in nonce order.
    const CLIENTS: usize = 2;
    let streams: Vec<Vec<&Transaction>> =
        (0..CLIENTS).map(|c| txs.iter().filter(|tx| tx.body.sender.0[0] as usize % CLIENTS == c).collect()).collect();
    let results: Vec<Result<Vec<TxId>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = streams
            .iter()
            .map(|stream| {
                scope.spawn(move || {
                    let mut ids = Vec::with_capacity(stream.len());
                    for chunk in stream.chunks(1024) {
                        let encoded: Vec<Vec<u8>> = chunk.iter().map(|tx| tx.encode()).collect();
                        for r in node.submit_batch(&encoded) {
                            ids.push(r.map_err(|e| anyhow::anyhow!("benchmark transaction refused: {e}"))?);
                        }
                    }
                    Ok(ids)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a client panicked")))).collect()
    });
    let mut ids = Vec::with_capacity(txs.len());
    for r in results {
        ids.extend(r?);
    }
    Ok(ids)
}

/// Submit `txs` at `rate` per second in small steps; measure each one's time to commit by watching blocks.
fn latency_run(node: &NodeHandle, txs: &[Transaction], rate: f64) -> Result<(f64, f64, f64)> {
    let submitted: Arc<Mutex<HashMap<TxId, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (node, submitted, latencies, done) = (node.clone(), submitted.clone(), latencies.clone(), done.clone());
        std::thread::spawn(move || {
            let mut height = node.height();
            while !done.load(Ordering::Relaxed) {
                let now_height = node.height();
                while height < now_height {
                    height += 1;
                    let now = Instant::now();
                    if let Ok((Some((block, _)), _)) = node.block(height) {
                        let submitted = submitted.lock().expect("not poisoned");
                        let mut l = latencies.lock().expect("not poisoned");
                        for tx in &block.txs {
                            if let Some(t) = submitted.get(&tx.id()) {
                                l.push(now.duration_since(*t).as_secs_f64());
                            }
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let step = Duration::from_millis(10);
    let per_step = ((rate * step.as_secs_f64()).ceil() as usize).max(1);
    let started = Instant::now();
    for (i, chunk) in txs.chunks(per_step).enumerate() {
        let due = started + step * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let encoded: Vec<Vec<u8>> = chunk.iter().map(Transaction::encode).collect();
        let now = Instant::now();
        {
            let mut s = submitted.lock().expect("not poisoned");
            for tx in chunk {
                s.insert(tx.id(), now);
            }
        }
        for r in node.submit_batch(&encoded) {
            r.map_err(|e| anyhow::anyhow!("benchmark transaction refused: {e}"))?;
        }
    }
    let ids: Vec<TxId> = txs.iter().map(Transaction::id).collect();
    wait_committed(node, &ids, Duration::from_secs(300))?;
    let elapsed = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(50));
    done.store(true, Ordering::Relaxed);
    watcher.join().expect("watcher thread");
    let mut l = latencies.lock().expect("not poisoned").clone();
    if l.is_empty() {
        bail!("no latency samples");
    }
    l.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    Ok((pct(0.50), pct(0.99), txs.len() as f64 / elapsed))
}

/// Unique 32-byte hashes standing in for documents' SHA-256.
fn document_hashes(count: usize, salt: u64) -> Vec<publica_types::Hash> {
    (0..count as u64)
        .into_par_iter()
        .map(|i| publica_crypto::sha256_concat(&[b"bench-document", &salt.to_le_bytes(), &i.to_le_bytes()]))
        .collect()
}

/// Bytes this process has caused to be written to storage (Linux `/proc/self/io` `write_bytes`), if known.
fn process_bytes_written() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse().ok())
}

/// Sequential write rate of the disk under `dir`, bytes per second: `bytes` written in 8 MiB chunks, then
/// `fdatasync`, as a block's batch is.
fn disk_write_rate(dir: &std::path::Path, bytes: usize) -> Result<f64> {
    use std::io::Write;
    let path = dir.join("disk-rate.bin");
    let chunk = vec![0x5au8; 8 << 20];
    let started = Instant::now();
    let mut file = std::fs::File::create(&path)?;
    for _ in 0..bytes.div_ceil(chunk.len()) {
        file.write_all(&chunk)?;
    }
    file.sync_data()?;
    let rate = bytes as f64 / started.elapsed().as_secs_f64();
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(rate)
}

/// The newest signed checkpoint's tree size, 0 before the first.
fn checkpoint_size(node: &NodeHandle) -> Result<u64> {
    Ok(match node.latest_checkpoint()? {
        Some((_, bytes)) => publica_tlog::SignedCheckpoint::parse(&bytes)?.checkpoint.size,
        None => 0,
    })
}

/// The bytes of a receipt whose inclusion proof has `proof_hashes` lines, from a measured one: every proof line
/// is one base64 hash (44 characters) and a newline.
fn receipt_bytes_for(measured_bytes: usize, measured_hashes: usize, proof_hashes: u32) -> usize {
    measured_bytes - measured_hashes * 45 + proof_hashes as usize * 45
}

/// `ceil(log2 n)`: the inclusion proof length of the worst-placed leaf in a log of `n` entries.
fn proof_hashes_for(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// The anchors workload: see [`Workload::Anchors`].
// Long: one measurement's phases in order, each a few lines, sharing the node, the keys and the signed load.
fn run_anchors(args: &Params) -> Result<()> {
    use publica_notary::call::MAX_ANCHOR_HASHES;
    use publica_tx::NotaryCall;

    if args.hashes == 0 || args.hashes.div_ceil(MAX_ANCHOR_HASHES) > 900 {
        bail!(
            "--hashes must be 1 to {} (900 transactions, inside the per-sender mempool limit)",
            900 * MAX_ANCHOR_HASHES
        );
    }
    out!(
        "publica bench: {} cores, {} rayon threads, workload Anchors",
        std::thread::available_parallelism()?.get(),
        rayon::current_num_threads()
    );
    let bench = BenchNode::new("bench-notary", "Benchmark Notary", false, |config| {
        config.storage.past_states = !args.no_past_states;
    })?;
    let (genesis, admin, agency) = (&bench.genesis, &bench.admin, bench.agency.clone());
    let notary = Keypair::generate();
    let (dir, pass, kdf) = (&bench.dir, &bench.passphrase, BENCH_KDF);
    let notary_key_path = dir.join("notary.json");
    publica_client::keyfile::save(&notary_key_path, &notary, "notary", pass, kdf)?;

    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let node = bench.node();
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let notary_signer = Signer::new(&notary, genesis.chain_id.clone(), 0).expiring(expiry);

    phase("registering the notary official");
    let register = Signer::new(admin, genesis.chain_id.clone(), 0).expiring(expiry).sign(Call::Accounts(
        AccountsCall::RegisterOfficial {
            public_key: notary.public_key().clone(),
            agency: agency.clone(),
            roles: vec![Role::NOTARY.parse()?],
        },
    ));
    let ids = submit_all(&node, &[register])?;
    wait_committed(&node, &ids, Duration::from_secs(120))?;

    phase("signing the anchorings");
    let hashes = document_hashes(args.hashes, 1);
    let load: Vec<Transaction> = hashes
        .par_chunks(MAX_ANCHOR_HASHES)
        .enumerate()
        .map(|(i, chunk)| {
            let call = Call::Notary(NotaryCall::Anchor { hashes: chunk.to_vec(), label: None });
            notary_signer.sign_at(i as u64, call)
        })
        .collect();

    phase("anchoring");
    // End to end: admission, consensus, execution, storage of tiles, and the validators' signed checkpoint.
    let base_size = checkpoint_size(&node)?;
    let written_before = process_bytes_written();
    let started = Instant::now();
    let ids = submit_all(&node, &load)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(&node, &ids, Duration::from_secs(600))?;
    let committed_secs = started.elapsed().as_secs_f64();
    let target_size = base_size + hashes.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    while checkpoint_size(&node)? < target_size {
        if Instant::now() > deadline {
            bail!("no signed checkpoint covers the last anchored hash after 120 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let checkpointed_secs = started.elapsed().as_secs_f64();
    let anchor_rate = hashes.len() as f64 / checkpointed_secs;
    let written_per_hash = process_bytes_written()
        .zip(written_before)
        .map(|(after, before)| after.saturating_sub(before) as f64 / hashes.len() as f64);

    phase("measuring the disk's write rate");
    // The other physical limit: everything anchored is written (transactions, entries, index, tiles), so the
    // disk's sequential rate with the same sync a block gets bounds the anchoring rate too.
    let disk_rate = disk_write_rate(dir, 512 << 20)?;

    phase("measuring the leaf-hash limit");
    // The physical limit of the log: RFC 9162 leaf hashes of entry-sized inputs, on every core.
    let entry = publica_notary::Entry {
        hash: hashes[0],
        account: notary.public_key().address(),
        agency: agency.clone(),
        height: 1,
        time_ms: 0,
        label: None,
    }
    .to_bytes();
    let leaf_count = 2_000_000usize;
    let started = Instant::now();
    let folded = (0..leaf_count)
        .into_par_iter()
        .map(|i| {
            let mut e = entry.clone();
            e[1..9].copy_from_slice(&(i as u64).to_le_bytes());
            publica_merkle::log::leaf_hash(&e)[0] as u64
        })
        .sum::<u64>();
    let leaf_rate = leaf_count as f64 / started.elapsed().as_secs_f64();
    std::hint::black_box(folded);

    phase("receipts");
    let receipt = node.log_receipt(&hashes[hashes.len() / 2]).context("receipt of an anchored hash")?;
    let receipt_bytes = receipt.to_bytes();
    let log_size = receipt.checkpoint.checkpoint.size;
    let policy = publica_verify::ReceiptPolicy::validators_only(
        genesis.chain_id.clone(),
        publica_verify::VerifiedSets::genesis_only(genesis),
    );
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        publica_verify::verify_receipt(&receipt_bytes, &policy, Some(&hashes[hashes.len() / 2]))
            .context("bench receipt failed")?;
    }
    let full_us = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    // Without signatures: parsing, the entry, the leaf hash and the inclusion proof.
    let started = Instant::now();
    for _ in 0..rounds * 20 {
        let proof = publica_tlog::TlogProof::parse(&receipt_bytes)?;
        let extra = proof.extra.as_deref().context("a receipt without its entry")?;
        publica_notary::Entry::from_bytes(extra)?;
        proof.verify_inclusion(&publica_merkle::log::leaf_hash(extra))?;
    }
    let unsigned_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * 20) as f64;

    phase("publica anchor over files");
    // The command end to end, through the API: listing, streaming hashes, signing, pipelined submission, commit,
    // and the per-file report read back from the log.
    let files_dir = dir.join("files");
    std::fs::create_dir_all(&files_dir)?;
    let file_bytes = args.anchor_file_kib * 1024;
    (0..args.anchor_files).into_par_iter().try_for_each(|i| -> Result<()> {
        let mut content = Vec::with_capacity(file_bytes);
        let mut block = publica_crypto::sha256_concat(&[b"bench-file", &(i as u64).to_le_bytes()]);
        while content.len() < file_bytes {
            content.extend_from_slice(&block);
            block = publica_crypto::sha256(&block);
        }
        content.truncate(file_bytes);
        std::fs::write(files_dir.join(format!("doc-{i:06}.bin")), content)?;
        Ok(())
    })?;
    let listed = publica_client::anchor::list_files(std::slice::from_ref(&files_dir))?;
    let started = Instant::now();
    publica_client::anchor::hash_files(&listed, false)?;
    let hash_secs = started.elapsed().as_secs_f64();
    let client = publica_client::Client::new(&format!("http://{}", bench.running.api_addr))?;
    let started = Instant::now();
    // As `publica anchor` does it: the inputs checked, the key file opened, then the pipeline.
    let anchoring = publica_client::anchor::Anchoring::new(std::slice::from_ref(&files_dir), None, None)?;
    let key = publica_client::keyfile::open(&notary_key_path, Some(&bench.pass_path))?;
    let report = anchoring.run(&client, &key, None)?;
    let anchor_secs = started.elapsed().as_secs_f64();
    if report.files.iter().any(|f| !f.new) {
        bail!("a benchmark file was reported as anchored before");
    }
    let mb = report.bytes as f64 / 1e6;

    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!(
        "| hashes anchored/s end to end, until a signed checkpoint covers the last ({} hashes in {} txs; admission \
         {admitted_secs:.2} s, committed {committed_secs:.2} s, checkpointed {checkpointed_secs:.2} s) | {anchor_rate:.0} |",
        hashes.len(),
        load.len()
    );
    out!("| raw RFC 9162 leaf hashes/s ({}-byte entries, all cores) | {leaf_rate:.0} |", entry.len());
    out!("| ratio anchored / raw leaf hashing | {:.3} |", anchor_rate / leaf_rate);
    out!("| disk's sequential write rate, 512 MiB then fdatasync (same directory) | {:.0} MB/s |", disk_rate / 1e6);
    if let Some(per_hash) = written_per_hash {
        let disk_limit = disk_rate / per_hash;
        out!("| bytes written to disk per anchored hash (process's write_bytes while anchoring) | {per_hash:.0} |");
        out!("| hashes/s the disk could take at that size (**disk limit**) | {disk_limit:.0} |");
        out!("| ratio anchored / disk limit | {:.2} |", anchor_rate / disk_limit);
    }
    out!("| receipt at log size {log_size} ({} proof hashes) | {} bytes |", receipt.proof.len(), receipt_bytes.len());
    for n in [1_000_000u64, 1_000_000_000] {
        let k = proof_hashes_for(n);
        out!(
            "| receipt at log size {n} ({k} proof hashes, computed) | {} bytes |",
            receipt_bytes_for(receipt_bytes.len(), receipt.proof.len(), k)
        );
    }
    out!("| offline receipt verification, with signatures | {full_us:.0} µs |");
    out!("| offline receipt verification, without signatures | {unsigned_us:.1} µs |");
    out!(
        "| publica anchor: {} files of {} KiB, hashing only | {:.0} files/s, {:.0} MB/s |",
        listed.len(),
        args.anchor_file_kib,
        listed.len() as f64 / hash_secs,
        mb / hash_secs
    );
    out!(
        "| publica anchor: same files end to end (hash, sign, submit, commit, report) | {:.0} files/s, {:.0} MB/s |",
        report.files.len() as f64 / anchor_secs,
        mb / anchor_secs
    );

    bench.stop(node);
    Ok(())
}

/// The node's work as its metrics count it, or the difference over a run.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct NodeWork {
    /// Executing blocks (the proposer's execution), seconds.
    pub(super) execute_secs: f64,
    /// Storing committed blocks (the batch built, written under the committed state's lock, synced), seconds.
    pub(super) store_secs: f64,
    /// Pending transactions executed again by the revalidation after commits (not counting those an admission
    /// executes again itself).
    pub(super) revalidated: u64,
    /// Senders' pending runs a commit left untouched, carried without executing them again.
    pub(super) carried: u64,
    /// Pending transactions an admission executed again itself.
    pub(super) admission_reexecuted: u64,
    /// Senders' pending runs the revalidation left to the node's proposal, which took them whole.
    pub(super) proposed: u64,
}

impl NodeWork {
    /// The node's totals now.
    pub(super) fn of(node: &NodeHandle) -> Self {
        let text = node.render_metrics();
        let value = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        Self {
            execute_secs: value("publica_execute_seconds_sum"),
            store_secs: value("publica_store_seconds_sum"),
            revalidated: node.metrics().revalidated_txs.get(),
            carried: node.metrics().carried_overlays.get(),
            admission_reexecuted: node.metrics().admission_reexecuted_txs.get(),
            proposed: node.metrics().proposed_runs.get(),
        }
    }

    /// What was done since `before`.
    pub(super) fn since(self, before: Self) -> Self {
        Self {
            execute_secs: self.execute_secs - before.execute_secs,
            store_secs: self.store_secs - before.store_secs,
            revalidated: self.revalidated.saturating_sub(before.revalidated),
            carried: self.carried.saturating_sub(before.carried),
            admission_reexecuted: self.admission_reexecuted.saturating_sub(before.admission_reexecuted),
            proposed: self.proposed.saturating_sub(before.proposed),
        }
    }
}

/// Ask the API `router` in this process, on `rt`, and read its whole answer (at most `max` bytes): the status and
/// the body. The benchmarks time it, so nothing else is done here.
pub(crate) fn answer(
    rt: &tokio::runtime::Runtime,
    router: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
    max: usize,
) -> Result<(axum::http::StatusCode, axum::body::Bytes)> {
    use tower::ServiceExt as _;
    rt.block_on(async {
        let response = match router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        Ok((status, axum::body::to_bytes(response.into_body(), max).await?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_sizes_follow_the_proof_length() {
        assert_eq!(proof_hashes_for(1), 0);
        assert_eq!(proof_hashes_for(2), 1);
        assert_eq!(proof_hashes_for(1_000_000), 20);
        assert_eq!(proof_hashes_for(1 << 20), 20);
        assert_eq!(proof_hashes_for((1 << 20) + 1), 21);
        assert_eq!(proof_hashes_for(1_000_000_000), 30);
        assert_eq!(receipt_bytes_for(1000, 10, 20), 1450);
    }
}

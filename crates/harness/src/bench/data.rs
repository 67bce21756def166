//! The personal data benchmark (`publica bench --workload data`): accesses end to end through a real vault, what a
//! record, a consent and an access leave in the state, and a citizen's log read with its proofs.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) serves its REST API, and beside it
//! runs a real vault of the agency's records (`publica_vault`: [`publica_vault::init`], [`Vault::open`],
//! [`Vault::run`]) in this process, reaching the node only through that API, as `publica vault serve` does (its
//! controller's key given in memory, as `publica dev` gives it). One agency keeps the records and asks for them. A
//! citizen registrar registers `--citizens` citizens; the vault's controller (`data-controller`) puts one health
//! summary of each into the vault (`POST /vault/v1/records`: the vault encrypts it under its own data key and
//! registers its commitment on the ledger before answering); each citizen consents, through the API, to the
//! agency's requesters reading it for treatment. Then, in the same run:
//!
//! 1. **Accesses end to end.** [`REQUESTERS`] officials holding `data-requester` each submit their share of one
//!    `request_access` per citizen through `POST /v1/transactions/batch`, each with a fresh recipient key
//!    (`publica_crypto::kem`, X25519 + ML-KEM-768). The vault finds them in its queue, seals each release to its
//!    key, stores it, reports it by `fulfil_access` and serves it once committed; each requester fetches its
//!    releases from the vault (`VaultClient::release`) and checks each fully (`Client::verified_release`: the
//!    access and its record read signed with their proofs, the proofs checked against the validators' keys, the
//!    sealed bytes against the digest on the ledger, the release opened and checked against the commitment, the
//!    disclosed fields compared with what was put in). Timed from the first submission until every request is
//!    committed, every release is committed, and every release is checked. The physical limit, measured in the
//!    same run on every core, is the cryptography no access can do without: the hybrid signatures of its request
//!    and of its fulfilment (`verify_batch` over the very transactions of the run), one `seal_hybrid` and one
//!    `open_hybrid` of a release of the same record, the envelope decryption of the record (the data key
//!    unwrapped, the content decrypted), and the commitment recomputed from the disclosed fields. To say where a
//!    release's time goes: [`LONE_TXS`] transactions sent one at a time after the run (the node's round trip for
//!    one transaction, which the vault pays for each of its own), and the CPU time of the process and of the
//!    vault's loop thread over the run.
//! 2. **Footprint.** With the vault stopped, a second controller registers records of one more citizen, the
//!    citizen consents, two requesters ask for the first record and the controller reports a release of the
//!    first access: each transaction alone in its blocks, the whole state read back key by key before and after
//!    it, so that the keys and values it added, changed or removed are measured exactly (the sender's nonce
//!    included, named apart). The state tree is rebuilt from the state read (its root checked against the node's)
//!    and each change applied to it: the nodes it creates are those the store writes, and the new root is checked
//!    against the node's again.
//! 3. **A citizen's log.** [`LOG_REQUESTERS`] requesters ask for every one of that citizen's records, until the
//!    citizen's log holds `--log-accesses` accesses; the citizen then reads one page (200, the most a page holds)
//!    and the whole log through `POST /v1/data/read` with proofs, each page a request signed afresh, and checks
//!    each page as a client must (the proofs against the validators' keys, every access equal to its proven
//!    value, the list walked from its proven head through its proven links). The limit is verifying the same
//!    proofs directly: the certificate once and every Merkle proof, on values already decoded. The same page is
//!    also answered by the API's router in this process, without a socket: the node's part of a read.
//!
//! The vault paces its loop as a production vault does ([`LoopSettings::default`]), except how often it looks at
//! a transaction it submitted: `--vault-poll-ms` (a production vault: 200 ms), since the vault waits for each of
//! its transactions to be committed before the next and the benchmark measures that, not the pause.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use publica_client::api::data::{DataAnswer, DataQuery, DataReadResponse, MAX_DATA_PAGE};
use publica_client::api::vault::{IngestRequest, RecordFields};
use publica_client::api::TxState;
use publica_client::data::{release_context, release_digest, signed_data_read};
use publica_client::vault::{ReleaseAnswer, VaultClient};
use publica_client::{Client, Expiry, Signer};
use publica_crypto::envelope::{self, KeyEncryptionKey};
use publica_crypto::kem::{open_hybrid, seal_hybrid, HybridSealed, RecipientSecret};
use publica_crypto::Keypair;
use publica_data::call::{Basis, DataCall, Grantee, RecipientKey, DAY_MS};
use publica_data::schema::{self as data_schema, Access, Link, ListHead, MAX_STORED_BYTES};
use publica_data::{CONTROLLER_ROLE, REQUESTER_ROLE};
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_node::{NodeHandle, TxStatus};
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::outcome::AccessDecision;
use publica_types::{codec, ChainId, Hash, PublicKey, Role, TxId, TxOutcome};
use publica_vault::record::{build_release, place, seal_content, RecordContent};
use publica_vault::{ControllerKey, LoopSettings, Vault, VaultConfig, VaultError, VaultSettings};
use publica_verify::{CertifiedReads, VerifiedSets};
use rayon::prelude::*;
use serde::Deserialize as _;

use super::BenchNode;
use super::NodeWork;
use crate::bench::report::out;
use crate::node::wait_committed;

/// The records' category, and the purpose every consent and request names.
const CATEGORY: &str = "health.summary";
const PURPOSE: &str = "treatment";
/// Requesters of the end-to-end run; each asks for every `REQUESTERS`-th citizen's record.
const REQUESTERS: usize = 4;
/// Requesters that fill the log: each asks once for every record of the log's citizen (at most 256 pending
/// accesses per record, `publica_data::MAX_PENDING_PER_RECORD`).
const LOG_REQUESTERS: usize = 50;
/// Clients putting records into the vault at once (the vault registers them one after another).
const INGEST_CLIENTS: usize = 4;
/// Most transactions one sender may have waiting in the node (its nonce lookahead).
const PER_SENDER: usize = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
/// Most citizens: each requester sends its share of the requests at once, within its nonce lookahead.
const MAX_CITIZENS: usize = REQUESTERS * PER_SENDER;
/// Most accesses in the log: each log requester asks once per record, within its nonce lookahead.
const MAX_LOG_ACCESSES: usize = LOG_REQUESTERS * PER_SENDER;
/// Transactions per `POST /v1/transactions/batch`.
const SUBMIT_CHUNK: usize = 500;
/// Pause between a requester's two looks at its request's status or at the vault's release.
const REQUESTER_POLL: Duration = Duration::from_millis(10);
/// Longest wait of the end-to-end run, and of any commit.
const RUN_WAIT: Duration = Duration::from_secs(900);
const COMMIT_WAIT: Duration = Duration::from_secs(300);
/// Transactions sent one at a time to measure a lone transaction's round trip through the node.
const LONE_TXS: usize = 20;
/// Reads (and checks) of the log's first page; medians are reported.
const PAGE_ROUNDS: usize = 10;
/// Largest answer of the in-process router read.
const MAX_ANSWER_BYTES: usize = 64 << 20;
/// A year, for the consents' end.
const YEAR_MS: u64 = 365 * DAY_MS;

/// What the data workload is asked to do.
#[derive(Clone, Debug)]
pub struct Params {
    /// Citizens with a record in the vault, each consenting to the agency's requesters and asked for once.
    pub citizens: usize,
    /// Accesses in one citizen's log, read back with proofs.
    pub log_accesses: usize,
    /// How often the vault looks at a transaction it submitted, milliseconds.
    pub vault_poll_ms: u64,
}

/// The officials of the benchmark, all of its one agency.
struct Actors {
    registrar: Keypair,
    /// The vault's controller; the vault gets a copy of the key made from the same seed.
    controller: Keypair,
    controller_seed: [u8; 32],
    /// A second `data-controller`, who registers the log's records and reports the footprint's release.
    archivist: Keypair,
    requesters: Vec<Keypair>,
    log_requesters: Vec<Keypair>,
}

/// A vault running on the benchmark's runtime.
struct RunningVault {
    url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), VaultError>>,
}

/// How long each step of the set-up took through the node and the vault.
struct Setup {
    /// (what, count, seconds), in order.
    steps: Vec<(&'static str, usize, f64)>,
}

/// One request of the end-to-end run, signed before the clock starts.
struct Ask {
    citizen: usize,
    record: u64,
    secret: RecipientSecret,
    tx: Transaction,
    /// The fields the release must disclose: every field put into the vault, as its JSON text.
    expected: BTreeMap<String, String>,
}

/// What a requester saw of one access, from the run's start.
struct Seen {
    citizen: usize,
    access: u64,
    request: TxId,
    fetched: Duration,
    checked: Duration,
}

/// The end-to-end run.
struct Pipeline {
    count: usize,
    request_bytes: usize,
    release_bytes: usize,
    /// Per access, from the run's start: request committed, fulfilment committed, release fetched, release checked.
    requested: Vec<Duration>,
    released: Vec<Duration>,
    fetched: Vec<Duration>,
    checked: Vec<Duration>,
    /// Heights of the first and last fulfilments, and blocks over the whole run.
    first_release_height: u64,
    last_release_height: u64,
    blocks: u64,
    work: NodeWork,
    /// The fulfilments, as committed (for the limit's signatures).
    fulfils: HashMap<u64, Transaction>,
    /// Each citizen's access.
    accesses: Vec<u64>,
    /// CPU time over the run, where the system tells it.
    cpu: Option<Cpu>,
    /// Lone transactions' times from their submission through the API to their commit, measured after the run.
    lone: Vec<Duration>,
}

/// CPU time of this process and of the vault's loop thread, seconds (Linux: `/proc/self`).
#[derive(Clone, Copy)]
struct Cpu {
    process_secs: f64,
    vault_loop_secs: f64,
}

impl Cpu {
    /// Now; `None` where `/proc/self` does not tell it.
    fn now() -> Option<Cpu> {
        // utime and stime, fields 14 and 15 of a stat line, in clock ticks of USER_HZ (100 on Linux); the fields
        // are counted after the command's name, which is in parentheses and may hold spaces.
        fn ticks(stat: &str) -> Option<f64> {
            let rest = &stat[stat.rfind(')')? + 1..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some((fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?) as f64 / 100.0)
        }
        let process_secs = ticks(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
        let vault_loop_secs = std::fs::read_dir("/proc/self/task")
            .ok()?
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let name = std::fs::read_to_string(path.join("comm")).ok()?;
                if name.trim() != "vault-loop" {
                    return None;
                }
                ticks(&std::fs::read_to_string(path.join("stat")).ok()?)
            })
            .sum();
        Some(Cpu { process_secs, vault_loop_secs })
    }

    fn since(self, before: Cpu) -> Cpu {
        Cpu {
            process_secs: self.process_secs - before.process_secs,
            vault_loop_secs: self.vault_loop_secs - before.vault_loop_secs,
        }
    }
}

/// The physical limit of an access, measured on every core: seconds for all the run's accesses.
struct Limit {
    signatures_secs: f64,
    envelope_secs: f64,
    seal_secs: f64,
    open_secs: f64,
    commitment_secs: f64,
    /// Bytes of a sealed release (borsh), mean.
    sealed_bytes: usize,
}

impl Limit {
    fn secs(&self) -> f64 {
        self.signatures_secs + self.envelope_secs + self.seal_secs + self.open_secs + self.commitment_secs
    }
}

/// What one transaction changed in the state.
struct Footprint {
    what: &'static str,
    /// (key's shape, key bytes, value bytes before, value bytes after), by key shape.
    changes: Vec<(String, usize, Option<usize>, Option<usize>)>,
    /// State-tree nodes created (written by the store).
    nodes: usize,
    /// Blocks the transaction's commit took.
    blocks: u64,
}

/// One page's read and check, milliseconds.
#[derive(Clone, Copy, Default)]
struct PageTimes {
    /// Signing the request, sending it, receiving and parsing the JSON answer.
    read_ms: f64,
    /// Of which signing the request.
    sign_ms: f64,
    /// Of which parsing the answer's JSON (measured again on its bytes).
    parse_ms: f64,
    /// The answer's typed decoding.
    decode_ms: f64,
    /// Verifying the certificate and every proof (`CertifiedReads::verify_with_sets`).
    proofs_ms: f64,
    /// Every access compared with its proven value, the list walked through its proven links.
    walk_ms: f64,
    /// The limit: the certificate verified once, on the decoded header.
    header_ms: f64,
    /// The limit: every Merkle proof verified, on decoded values.
    merkle_ms: f64,
}

impl PageTimes {
    fn check_ms(&self) -> f64 {
        self.decode_ms + self.proofs_ms + self.walk_ms
    }

    fn limit_ms(&self) -> f64 {
        self.header_ms + self.merkle_ms
    }

    fn add(&mut self, other: &PageTimes) {
        self.read_ms += other.read_ms;
        self.sign_ms += other.sign_ms;
        self.parse_ms += other.parse_ms;
        self.decode_ms += other.decode_ms;
        self.proofs_ms += other.proofs_ms;
        self.walk_ms += other.walk_ms;
        self.header_ms += other.header_ms;
        self.merkle_ms += other.merkle_ms;
    }
}

/// One page as read and checked.
struct PageRead {
    times: PageTimes,
    bytes: usize,
    /// Of which the proofs' array, and the accesses' recipient keys (as base64 in the accesses, as hex in their
    /// proven values).
    proof_bytes: usize,
    key_bytes: usize,
    proofs: usize,
    items: usize,
    total: u64,
    next: Option<u64>,
}

/// The log's reads.
struct LogRun {
    accesses: usize,
    records: usize,
    /// Building the log through the node: its requests, committed, seconds.
    build_secs: f64,
    /// The first page, median of [`PAGE_ROUNDS`] (bytes, proofs and items of the last).
    page: PageTimes,
    /// The first page answered by the API's router in this process (no socket), median, milliseconds.
    page_produce_ms: f64,
    page_bytes: usize,
    page_proof_bytes: usize,
    page_key_bytes: usize,
    page_proofs: usize,
    page_items: usize,
    /// The whole log, page after page, summed.
    whole: PageTimes,
    whole_pages: usize,
    whole_bytes: usize,
    whole_proofs: usize,
}

/// Run the workload and print its report.
// Long: the measurement's phases in order, each a few lines, sharing the node, the vault and the keys.
pub fn run(params: &Params) -> Result<()> {
    ensure!(
        (REQUESTERS..=MAX_CITIZENS).contains(&params.citizens),
        "--citizens must be {REQUESTERS} to {MAX_CITIZENS} (each of the {REQUESTERS} requesters sends its share of \
         the requests at once, within its nonce lookahead of {PER_SENDER})"
    );
    ensure!(
        (2..=MAX_LOG_ACCESSES).contains(&params.log_accesses),
        "--log-accesses must be 2 to {MAX_LOG_ACCESSES} (each of the {LOG_REQUESTERS} log requesters asks once per \
         record, within its nonce lookahead of {PER_SENDER})"
    );
    ensure!((1..=10_000).contains(&params.vault_poll_ms), "--vault-poll-ms must be 1 to 10000");
    let cores = std::thread::available_parallelism()?.get();
    out!(
        "publica bench: {cores} cores, {} rayon threads, workload data ({} citizens, a log of {} accesses, the vault \
         polling its transactions every {} ms)",
        rayon::current_num_threads(),
        params.citizens,
        params.log_accesses,
        params.vault_poll_ms
    );
    let bench = BenchNode::new("bench-health", "Benchmark Health Authority", true, |_| {})?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let chain = bench.genesis.chain_id.clone();
    let client = Client::new(&format!("http://{}", bench.running.api_addr))?;
    let mut setup = Setup { steps: Vec::new() };

    phase("generating keys; registering the officials and the citizens");
    let controller_seed: [u8; 32] = rand::random();
    let actors = Actors {
        registrar: Keypair::generate(),
        controller: Keypair::from_seed(&controller_seed),
        controller_seed,
        archivist: Keypair::generate(),
        requesters: (0..REQUESTERS).map(|_| Keypair::generate()).collect(),
        log_requesters: (0..LOG_REQUESTERS).into_par_iter().map(|_| Keypair::generate()).collect(),
    };
    // The citizens of the end-to-end run, and last the citizen whose log is read.
    let citizens: Vec<Keypair> = (0..=params.citizens).into_par_iter().map(|_| Keypair::generate()).collect();
    let (citizens, log_citizen) = citizens.split_at(params.citizens);
    let log_citizen = &log_citizen[0];
    let started = Instant::now();
    register_officials(&bench, &client, &node, &actors)?;
    setup.steps.push(("officials registered", 2 + REQUESTERS + LOG_REQUESTERS, started.elapsed().as_secs_f64()));
    let started = Instant::now();
    register_citizens(&bench, &client, &node, &actors.registrar, citizens.iter().chain([log_citizen]))?;
    setup.steps.push(("citizens registered", citizens.len() + 1, started.elapsed().as_secs_f64()));

    phase("starting the vault; putting the records into it");
    let vault = start_vault(&bench, &actors, Duration::from_millis(params.vault_poll_ms))?;
    let vault_client = VaultClient::new(&vault.url)?;
    let fields: Vec<RecordFields> = (0..citizens.len()).map(summary).collect::<Result<_>>()?;
    let started = Instant::now();
    let records = ingest(&vault_client, &bench, &actors.controller, citizens, &fields)?;
    setup.steps.push((
        "records put into the vault (`POST /vault/v1/records`, each registered on the ledger before the answer)",
        records.len(),
        started.elapsed().as_secs_f64(),
    ));

    phase("the citizens consent");
    let started = Instant::now();
    let consents = grant_consents(&bench, &client, &node, citizens)?;
    setup.steps.push(("consents granted", consents.len(), started.elapsed().as_secs_f64()));

    phase("signing the requests, each with a fresh recipient key");
    let asks = sign_requests(&bench, &actors.requesters, &records, &consents, &fields)?;

    phase("the accesses end to end: requested, released by the vault, fetched and checked by the requesters");
    let sets = VerifiedSets::genesis_only(&bench.genesis);
    let mut pipeline = pipeline(&node, &client, &vault_client, &actors.requesters, &asks, &sets, &chain)?;
    pipeline.lone = lone_round_trips(&bench, &client, &node, &actors.registrar, citizens.len() as u64 + 1)?;

    phase("the physical limit: the cryptography of every access, on every core");
    let limit = limit(&bench, &actors, citizens, &fields, &records, &asks, &pipeline)?;

    phase("stopping the vault");
    let _ = vault.stop.send(());
    match bench.rt.block_on(vault.task) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => bail!("the vault stopped with an error: {e}"),
        Err(e) => bail!("the vault's task failed: {e}"),
    }

    phase("footprint: a record, a consent, two accesses and a release, each read back from the state");
    let log_records = params.log_accesses.div_ceil(LOG_REQUESTERS).max(2);
    let log_requesters = &actors.log_requesters[..LOG_REQUESTERS.min(params.log_accesses)];
    let (footprints, first_records, consent) = footprint(
        &bench,
        &client,
        &node,
        &actors.archivist,
        log_citizen,
        &log_requesters[..2],
        pipeline.release_bytes as u64,
    )?;

    phase("the log: its citizen's records and the accesses to them");
    let started = Instant::now();
    let built = build_log(
        &bench,
        &client,
        &node,
        &actors.archivist,
        log_citizen,
        log_requesters,
        first_records,
        log_records,
        consent,
        params.log_accesses,
    )?;
    let build_secs = started.elapsed().as_secs_f64();

    phase("the log: one page and the whole log read with proofs and checked");
    let log = read_log(&bench.rt, &node, &client, &chain, log_citizen, &sets, params.log_accesses, built, build_secs)?;
    phase("done");
    bench.stop(node);

    report(params, &setup, &pipeline, &limit, &footprints, &log);
    Ok(())
}

/// A citizen's health summary: five fields, about 300 bytes of JSON.
fn summary(i: usize) -> Result<RecordFields> {
    const BLOOD: [&str; 8] = ["O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"];
    let value = serde_json::json!({
        "blood_type": BLOOD[i % BLOOD.len()],
        "allergies": if i.is_multiple_of(3) { vec!["penicillin"] } else { Vec::new() },
        "medications": [format!("salbutamol inhaler, {} puffs as needed", 1 + i % 3)],
        "conditions": [format!("asthma (mild, since {})", 1990 + i % 30)],
        "vaccinations": ["tetanus 2021", "influenza 2025", format!("covid-19 {}", 2021 + i % 4)],
    });
    serde_json::from_value(value).context("a benchmark record is a JSON object of distinct fields")
}

/// A recipient key's public half, as a request names it.
fn recipient(secret: &RecipientSecret) -> RecipientKey {
    let public = secret.public_key();
    RecipientKey { x25519: public.x25519, ml_kem: public.ml_kem.clone() }
}

/// A signer of `key` on the benchmark's chain, expiring in an hour.
fn signer<'k>(bench: &BenchNode, key: &'k Keypair, nonce: u64) -> Signer<&'k Keypair> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    Signer::new(key, bench.genesis.chain_id.clone(), nonce).expiring(expiry)
}

/// Submit through the API (`POST /v1/transactions/batch`), in chunks; every transaction must be admitted.
fn submit_api(client: &Client, txs: &[Transaction]) -> Result<Vec<TxId>> {
    let mut ids = Vec::with_capacity(txs.len());
    for chunk in txs.chunks(SUBMIT_CHUNK) {
        let answer = client.submit_batch(chunk)?;
        ensure!(
            answer.results.len() == chunk.len(),
            "the node answered {} of {} submissions",
            answer.results.len(),
            chunk.len()
        );
        for (result, tx) in answer.results.into_iter().zip(chunk) {
            if let Some(error) = result.error {
                bail!("the node refused a benchmark transaction ({}): {}", error.code, error.message);
            }
            ids.push(result.tx_id.unwrap_or_else(|| tx.id()));
        }
    }
    Ok(ids)
}

/// Submit through the API and wait until every one is committed.
fn commit(client: &Client, node: &NodeHandle, txs: &[Transaction]) -> Result<Vec<TxId>> {
    let ids = submit_api(client, txs)?;
    wait_committed(node, &ids, COMMIT_WAIT)?;
    Ok(ids)
}

/// What a committed transaction created.
fn outcome(node: &NodeHandle, id: &TxId) -> Result<TxOutcome> {
    match node.tx_status(id) {
        TxStatus::Committed { outcome: Some(outcome), .. } => Ok(outcome),
        other => bail!("transaction {id} is not committed with an outcome: {other:?}"),
    }
}

/// Register the officials in the benchmark's agency (which may grant every role they hold).
fn register_officials(bench: &BenchNode, client: &Client, node: &NodeHandle, actors: &Actors) -> Result<()> {
    let mut admin = signer(bench, &bench.admin, 0);
    let mut official = |key: &Keypair, role: &str| -> Result<Transaction> {
        Ok(admin.sign(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles: vec![role.parse::<Role>()?],
        }))
    };
    let mut txs = vec![
        official(&actors.registrar, Role::CITIZEN_REGISTRAR)?,
        official(&actors.controller, CONTROLLER_ROLE)?,
        official(&actors.archivist, CONTROLLER_ROLE)?,
    ];
    for key in actors.requesters.iter().chain(&actors.log_requesters) {
        txs.push(official(key, REQUESTER_ROLE)?);
    }
    commit(client, node, &txs).map(drop)
}

/// Register citizens, in rounds that keep the registrar within its nonce lookahead.
fn register_citizens<'a>(
    bench: &BenchNode,
    client: &Client,
    node: &NodeHandle,
    registrar: &Keypair,
    citizens: impl Iterator<Item = &'a Keypair>,
) -> Result<()> {
    let mut registrar = signer(bench, registrar, 0);
    let txs: Vec<Transaction> = citizens
        .enumerate()
        .map(|(i, key)| {
            registrar.sign(AccountsCall::RegisterCitizen {
                public_key: key.public_key().clone(),
                id_commitment: publica_crypto::sha256(format!("bench-data-citizen-{i}").as_bytes()),
            })
        })
        .collect();
    txs.chunks(PER_SENDER).try_for_each(|round| commit(client, node, round).map(drop))
}

/// Open and start the vault: a new home (its key-encryption key), the node's API, the controller's key in memory.
fn start_vault(bench: &BenchNode, actors: &Actors, poll: Duration) -> Result<RunningVault> {
    let home = bench.dir.join("vault");
    let api = format!("http://{}", bench.running.api_addr);
    let listen = "127.0.0.1:0".parse()?;
    let settings = VaultSettings {
        agency: bench.agency.clone(),
        api: api.clone(),
        listen,
        // Not read: the key is given in memory below.
        controller_key: "controller.json".into(),
        controller: None,
    };
    publica_vault::init(&home, &settings)?;
    let config = VaultConfig {
        home,
        api_url: api,
        listen,
        agency: bench.agency.clone(),
        controller: ControllerKey::Keypair(Box::new(Keypair::from_seed(&actors.controller_seed))),
        sender: None,
        settings: LoopSettings { poll, ..LoopSettings::default() },
    };
    // Blocking (files, the node): outside the runtime.
    let vault = Vault::open(config).context("opening the benchmark's vault")?;
    let url = format!("http://{}", vault.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = bench.rt.spawn(vault.run(async move {
        let _ = stopped.await;
    }));
    Ok(RunningVault { url, stop, task })
}

/// Put every citizen's record into the vault, signed by the controller, from [`INGEST_CLIENTS`] clients at once;
/// each answer names the record's number on the ledger. Returns the numbers, in the citizens' order.
fn ingest(
    vault: &VaultClient,
    bench: &BenchNode,
    controller: &Keypair,
    citizens: &[Keypair],
    fields: &[RecordFields],
) -> Result<Vec<u64>> {
    let chain = &bench.genesis.chain_id;
    let results: Vec<Result<Vec<(usize, u64)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..INGEST_CLIENTS)
            .map(|c| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for i in (c..citizens.len()).step_by(INGEST_CLIENTS) {
                        let request = IngestRequest {
                            agency: bench.agency.clone(),
                            owner: citizens[i].public_key().address(),
                            category: CATEGORY.into(),
                            fields: fields[i].clone(),
                            controller: controller.public_key().address(),
                            at_ms: 0,
                        };
                        let answer = vault.ingest_as(controller, chain, request)?;
                        let id = answer.record.with_context(|| {
                            format!("the vault took citizen {i}'s record in, but its registration is not committed yet")
                        })?;
                        out.push((i, id));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow!("an ingest client panicked")))).collect()
    });
    let mut records = vec![0u64; citizens.len()];
    for result in results {
        for (i, id) in result? {
            records[i] = id;
        }
    }
    ensure!(records.iter().all(|&id| id > 0), "a record has no number");
    Ok(records)
}

/// Every citizen consents to the agency's requesters reading their summary for treatment for a year. Returns the
/// consents' numbers, in the citizens' order.
fn grant_consents(bench: &BenchNode, client: &Client, node: &NodeHandle, citizens: &[Keypair]) -> Result<Vec<u64>> {
    let until_ms = publica_client::now_ms() + YEAR_MS;
    let txs: Vec<Transaction> = citizens
        .par_iter()
        .map(|key| {
            signer(bench, key, 0).sign(DataCall::GrantConsent {
                owner: key.public_key().address(),
                grantee: Grantee::Agency(bench.agency.clone()),
                category: CATEGORY.into(),
                purpose: PURPOSE.into(),
                until_ms,
            })
        })
        .collect();
    commit(client, node, &txs)?
        .iter()
        .map(|id| match outcome(node, id)? {
            TxOutcome::DataConsent { id } => Ok(id),
            other => bail!("a consent created {other:?}"),
        })
        .collect()
}

/// Each requester's requests, in nonce order: requester `m` asks for citizen `i`'s record when `i % REQUESTERS ==
/// m`, each request with a fresh recipient key.
fn sign_requests(
    bench: &BenchNode,
    requesters: &[Keypair],
    records: &[u64],
    consents: &[u64],
    fields: &[RecordFields],
) -> Result<Vec<Vec<Ask>>> {
    requesters
        .iter()
        .enumerate()
        .map(|(m, key)| {
            let signer = signer(bench, key, 0);
            let mine: Vec<usize> = (m..records.len()).step_by(requesters.len()).collect();
            mine.par_iter()
                .enumerate()
                .map(|(nonce, &i)| {
                    let secret = RecipientSecret::generate();
                    let call = DataCall::RequestAccess {
                        record: records[i],
                        purpose: PURPOSE.into(),
                        basis: Basis::Consent(consents[i]),
                        recipient: recipient(&secret),
                    };
                    let tx = signer.sign_at(nonce as u64, call);
                    let expected = fields[i].texts().into_iter().collect();
                    Ok(Ask { citizen: i, record: records[i], secret, tx, expected })
                })
                .collect()
        })
        .collect()
}

/// The end-to-end run: every requester submits its requests through the API at once, then fetches each release
/// from the vault and checks it; a watcher notes when each block was committed.
fn pipeline(
    node: &NodeHandle,
    client: &Client,
    vault: &VaultClient,
    requesters: &[Keypair],
    asks: &[Vec<Ask>],
    sets: &VerifiedSets,
    chain: &ChainId,
) -> Result<Pipeline> {
    let count: usize = asks.iter().map(Vec::len).sum();
    let start_height = node.height();
    let before = NodeWork::of(node);
    let cpu_before = Cpu::now();
    let heights: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (node, heights, done) = (node.clone(), heights.clone(), done.clone());
        std::thread::spawn(move || {
            let mut seen = node.height();
            while !done.load(Ordering::Relaxed) {
                let now = node.height();
                if now > seen {
                    let at = Instant::now();
                    let mut heights = heights.lock().expect("not poisoned");
                    heights.extend((seen + 1..=now).map(|h| (h, at)));
                    seen = now;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let barrier = Barrier::new(requesters.len() + 1);
    let started = Mutex::new(None::<Instant>);
    let results: Vec<Result<Vec<Seen>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = requesters
            .iter()
            .zip(asks)
            .map(|(key, asks)| {
                let (barrier, started) = (&barrier, &started);
                scope.spawn(move || {
                    barrier.wait();
                    let started = started.lock().expect("not poisoned").context("the run's start")?;
                    requester(client, vault, key, asks, sets, chain, started)
                })
            })
            .collect();
        *started.lock().expect("not poisoned") = Some(Instant::now());
        barrier.wait();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow!("a requester panicked")))).collect()
    });
    done.store(true, Ordering::Relaxed);
    watcher.join().map_err(|_| anyhow!("the block watcher panicked"))?;
    let started = started.into_inner().expect("not poisoned").context("the run's start")?;
    let seen: Vec<Seen> = results.into_iter().collect::<Result<Vec<_>>>()?.into_iter().flatten().collect();
    ensure!(seen.len() == count, "{} of {count} accesses were checked", seen.len());
    let work = NodeWork::of(node).since(before);
    let cpu = Cpu::now().zip(cpu_before).map(|(after, before)| after.since(before));
    let end_height = node.height();

    // When each height was first seen; the fulfilments, found in the blocks.
    let heights: HashMap<u64, Instant> = heights.lock().expect("not poisoned").iter().copied().collect();
    let at = |height: u64| -> Result<Duration> {
        let instant = heights.get(&height).with_context(|| format!("height {height} was not seen committed"))?;
        Ok(instant.saturating_duration_since(started))
    };
    let mut fulfils: HashMap<u64, (u64, Transaction)> = HashMap::new();
    for height in start_height + 1..=end_height {
        let (Some((block, _)), _) = node.block(height)? else { bail!("block {height} is not stored") };
        for tx in block.txs {
            if let Call::Data(DataCall::FulfilAccess { access, .. }) = &tx.body.call {
                fulfils.insert(*access, (height, tx));
            }
        }
    }
    let mut requested = Vec::with_capacity(count);
    let mut released = Vec::with_capacity(count);
    let mut release_heights = Vec::with_capacity(count);
    let mut accesses = vec![0u64; count];
    for s in &seen {
        let TxStatus::Committed { height, .. } = node.tx_status(&s.request) else {
            bail!("request {} is not committed", s.request);
        };
        requested.push(at(height)?);
        let (height, _) = fulfils.get(&s.access).with_context(|| format!("access {} has no fulfilment", s.access))?;
        released.push(at(*height)?);
        release_heights.push(*height);
        accesses[s.citizen] = s.access;
    }
    let request_bytes = asks.iter().flatten().map(|a| a.tx.encode().len()).sum::<usize>() / count;
    let release_bytes = node.view(|state| {
        seen.iter()
            .map(|s| match data_schema::get::<Access>(state, &data_schema::access_key(s.access)) {
                Some(Access { state: data_schema::AccessState::Released { release_bytes, .. }, .. }) => {
                    Ok(release_bytes as usize)
                }
                other => Err(anyhow!("access {} is not released on the ledger: {other:?}", s.access)),
            })
            .sum::<Result<usize>>()
    })? / count;
    Ok(Pipeline {
        count,
        request_bytes,
        release_bytes,
        requested,
        released,
        fetched: seen.iter().map(|s| s.fetched).collect(),
        checked: seen.iter().map(|s| s.checked).collect(),
        first_release_height: release_heights.iter().copied().min().unwrap_or(0),
        last_release_height: release_heights.iter().copied().max().unwrap_or(0),
        blocks: end_height - start_height,
        work,
        fulfils: fulfils.into_iter().map(|(access, (_, tx))| (access, tx)).collect(),
        accesses,
        cpu,
        lone: Vec::new(),
    })
}

/// [`LONE_TXS`] citizen registrations by the registrar (its next nonce `nonce`), each submitted through the API
/// alone once the one before is committed: how long the node takes to commit one transaction when nothing else
/// waits, which the vault pays for each of its transactions.
fn lone_round_trips(
    bench: &BenchNode,
    client: &Client,
    node: &NodeHandle,
    registrar: &Keypair,
    nonce: u64,
) -> Result<Vec<Duration>> {
    let mut registrar = signer(bench, registrar, nonce);
    (0..LONE_TXS)
        .map(|i| {
            let tx = registrar.sign(AccountsCall::RegisterCitizen {
                public_key: Keypair::generate().public_key().clone(),
                id_commitment: publica_crypto::sha256(format!("bench-data-lone-{i}").as_bytes()),
            });
            let started = Instant::now();
            commit(client, node, std::slice::from_ref(&tx))?;
            Ok(started.elapsed())
        })
        .collect()
}

/// One requester: submit its requests, then for each in turn learn its access's number, wait for the vault's
/// release and check it against the ledger.
fn requester(
    client: &Client,
    vault: &VaultClient,
    key: &Keypair,
    asks: &[Ask],
    sets: &VerifiedSets,
    chain: &ChainId,
    started: Instant,
) -> Result<Vec<Seen>> {
    let txs: Vec<Transaction> = asks.iter().map(|a| a.tx.clone()).collect();
    let ids = submit_api(client, &txs)?;
    let signer = Signer::new(key, chain.clone(), 0);
    let deadline = started + RUN_WAIT;
    let mut seen = Vec::with_capacity(asks.len());
    for (ask, id) in asks.iter().zip(ids) {
        let access = loop {
            let status = client.transaction(&id)?;
            match status.status {
                TxState::Committed => match status.outcome {
                    Some(TxOutcome::Access { id, state: AccessDecision::Pending }) => break id,
                    other => bail!("the request for record {} was not granted: {other:?}", ask.record),
                },
                TxState::Rejected => bail!("the request for record {} was rejected: {:?}", ask.record, status.error),
                TxState::Pending => {}
            }
            ensure!(
                Instant::now() < deadline,
                "the request for record {} is not committed after {RUN_WAIT:?}",
                ask.record
            );
            std::thread::sleep(REQUESTER_POLL);
        };
        let sealed = loop {
            match vault.release(access)? {
                ReleaseAnswer::Sealed(sealed) => break sealed,
                ReleaseAnswer::Gone(message) => bail!("the vault will never release access {access}: {message}"),
                ReleaseAnswer::NotYet(message) => {
                    ensure!(Instant::now() < deadline, "access {access} is not released after {RUN_WAIT:?}: {message}");
                    std::thread::sleep(REQUESTER_POLL);
                }
            }
        };
        let fetched = started.elapsed();
        let verified = client
            .verified_release(&signer, access, sets, &ask.secret, &sealed)
            .with_context(|| format!("checking the release of access {access}"))?;
        ensure!(verified.fields == ask.expected, "the release of access {access} disclosed other fields than put in");
        seen.push(Seen { citizen: ask.citizen, access, request: id, fetched, checked: started.elapsed() });
    }
    Ok(seen)
}

/// The cryptography no access can do without, on every core, for every access of the run: the hybrid signatures
/// of its request and of its fulfilment (the run's own transactions), the envelope decryption of a record like
/// the citizen's (unwrap, decrypt), one `seal_hybrid` of its release to the request's recipient key and one
/// `open_hybrid`, and the commitment recomputed from the disclosed fields.
fn limit(
    bench: &BenchNode,
    actors: &Actors,
    citizens: &[Keypair],
    fields: &[RecordFields],
    records: &[u64],
    asks: &[Vec<Ask>],
    pipeline: &Pipeline,
) -> Result<Limit> {
    let chain = &bench.genesis.chain_id;
    let asks: Vec<(&Ask, &PublicKey)> = asks
        .iter()
        .zip(&actors.requesters)
        .flat_map(|(asks, key)| asks.iter().map(move |a| (a, key.public_key())))
        .collect();

    // Signatures: the requests', then the fulfilments', in one batch.
    let mut txs: Vec<(&Transaction, &PublicKey)> = asks.iter().map(|(a, key)| (&a.tx, *key)).collect();
    for (ask, _) in &asks {
        let access = pipeline.accesses[ask.citizen];
        let tx = pipeline.fulfils.get(&access).with_context(|| format!("access {access}'s fulfilment"))?;
        txs.push((tx, actors.controller.public_key()));
    }
    let messages: Vec<Vec<u8>> = txs.par_iter().map(|(tx, _)| tx.body.signing_bytes()).collect();
    let items: Vec<_> = txs.iter().zip(&messages).map(|((tx, key), m)| (*key, m.as_slice(), &tx.signature)).collect();
    let started = Instant::now();
    let verdicts = publica_crypto::verify_batch(&items);
    let signatures_secs = started.elapsed().as_secs_f64();
    ensure!(verdicts.iter().all(Result::is_ok), "a signature of the run failed to verify");

    // Each citizen's record as the vault keeps it (fresh salts, the same fields), and its release's plaintext.
    let kek = KeyEncryptionKey::generate();
    struct Prepared {
        content: RecordContent,
        aad: Vec<u8>,
        wrapped: envelope::WrappedKey,
        sealed: envelope::Sealed,
        plaintext: Vec<u8>,
        context: Vec<u8>,
    }
    let prepared: Vec<Prepared> = asks
        .par_iter()
        .map(|(ask, _)| {
            let i = ask.citizen;
            let content = RecordContent::new(citizens[i].public_key().address(), CATEGORY, &fields[i])?;
            let commitment = content.commitment()?;
            let (wrapped, sealed) = seal_content(&kek, &bench.agency, &commitment, &content)?;
            let access = pipeline.accesses[i];
            let release = build_release(&content, records[i], access, None)?;
            let plaintext = serde_json::to_vec(&release)?;
            let aad = place(&bench.agency, &commitment);
            Ok(Prepared { content, aad, wrapped, sealed, plaintext, context: release_context(chain, access) })
        })
        .collect::<Result<_>>()?;

    let started = Instant::now();
    prepared.par_iter().try_for_each(|p| -> Result<()> {
        let key = envelope::unwrap(&kek, &p.aad, &p.wrapped)?;
        std::hint::black_box(envelope::decrypt(&key, &p.aad, &p.sealed)?);
        Ok(())
    })?;
    let envelope_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let sealed: Vec<HybridSealed> = prepared
        .par_iter()
        .zip(&asks)
        .map(|(p, (ask, _))| Ok(seal_hybrid(ask.secret.public_key(), &p.context, &p.plaintext)?))
        .collect::<Result<_>>()?;
    let seal_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    prepared.par_iter().zip(&sealed).zip(&asks).try_for_each(|((p, sealed), (ask, _))| -> Result<()> {
        let plaintext = open_hybrid(&ask.secret, &p.context, sealed)?;
        ensure!(plaintext.as_slice() == p.plaintext, "a release opened to other bytes");
        Ok(())
    })?;
    let open_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    prepared.par_iter().try_for_each(|p| -> Result<()> {
        let fields: Vec<(&str, &[u8])> =
            p.content.fields.iter().map(|f| (f.name.as_str(), f.value.as_bytes())).collect();
        let salts: Vec<Hash> = p.content.fields.iter().map(|f| f.salt).collect();
        let committed = publica_data::verify::commit_fields(&p.content.owner, &p.content.category, &fields, &salts)?;
        std::hint::black_box(committed.commitment);
        Ok(())
    })?;
    let commitment_secs = started.elapsed().as_secs_f64();

    let sealed_bytes = sealed.iter().map(|s| release_digest(s).1 as usize).sum::<usize>() / sealed.len().max(1);
    Ok(Limit { signatures_secs, envelope_secs, seal_secs, open_secs, commitment_secs, sealed_bytes })
}

/// The committed state, key by key, with its root.
struct StateCopy {
    entries: HashMap<Vec<u8>, Vec<u8>>,
    root: Hash,
    height: u64,
}

fn copy_state(node: &NodeHandle) -> StateCopy {
    node.view(|state| {
        let entries = state
            .keys_with_prefix(b"", usize::MAX)
            .into_iter()
            .filter_map(|key| publica_types::StateRead::get(state, &key).map(|value| (key, value)))
            .collect();
        StateCopy { entries, root: state.state_root(), height: state.height() }
    })
}

/// Measures what single transactions change in the state: the state copied before and after each, and the state
/// tree rebuilt from the copy and brought along.
struct Recorder<'a> {
    client: &'a Client,
    node: &'a NodeHandle,
    state: StateCopy,
    tree: StateTree,
    /// Keys named apart: the senders' nonces.
    names: HashMap<Vec<u8>, String>,
    footprints: Vec<Footprint>,
}

impl<'a> Recorder<'a> {
    fn new(client: &'a Client, node: &'a NodeHandle, senders: &[(&Keypair, &str)]) -> Result<Self> {
        let state = copy_state(node);
        let mut tree = StateTree::new();
        tree.apply(state.entries.iter().map(|(k, v)| (key_hash(k), Some(value_hash(v)))).collect());
        ensure!(
            tree.root() == state.root,
            "the state tree rebuilt from the state read has another root than the node's"
        );
        let names = senders
            .iter()
            .map(|(key, name)| {
                (publica_accounts::schema::nonce_key(&key.public_key().address()), format!("the {name}'s nonce"))
            })
            .collect();
        Ok(Recorder { client, node, state, tree, names, footprints: Vec::new() })
    }

    /// Commit `tx` alone and record what it changed; returns what it created.
    fn step(&mut self, what: &'static str, tx: &Transaction) -> Result<TxOutcome> {
        let ids = commit(self.client, self.node, std::slice::from_ref(tx))?;
        let created = outcome(self.node, &ids[0])?;
        let after = copy_state(self.node);
        let keys: HashSet<&Vec<u8>> = self.state.entries.keys().chain(after.entries.keys()).collect();
        let mut changes = Vec::new();
        let mut tree_changes = Vec::new();
        for key in keys {
            let (old, new) = (self.state.entries.get(key), after.entries.get(key));
            if old == new {
                continue;
            }
            tree_changes.push((key_hash(key), new.map(|v| value_hash(v))));
            let shape = self.names.get(key).cloned().unwrap_or_else(|| key_shape(key));
            changes.push((shape, key.len(), old.map(Vec::len), new.map(Vec::len)));
        }
        changes.sort();
        let nodes = self.tree.apply(tree_changes).len();
        ensure!(
            self.tree.root() == after.root,
            "the state tree brought along has another root than the node's after {what}"
        );
        let blocks = after.height - self.state.height;
        self.state = after;
        self.footprints.push(Footprint { what, changes, nodes, blocks });
        Ok(created)
    }
}

/// A data-module key's shape: its prefix, the numbers in it (records, consents, accesses), and what its other
/// binary parts name (`dat/oa/{owner}/17`); other keys their printable prefix and the length of the rest.
fn key_shape(key: &[u8]) -> String {
    let printable = |bytes: &[u8]| bytes.iter().all(|b| b.is_ascii_graphic());
    let number = |bytes: &[u8]| bytes.try_into().map(u64::from_be_bytes).unwrap_or_default();
    if let Some(rest) = key.strip_prefix(b"dat/") {
        let name_end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
        let (name, tail) = (&rest[..name_end], rest.get(name_end + 1..).unwrap_or_default());
        let name = String::from_utf8_lossy(name);
        let shape = match (name.as_ref(), tail.len()) {
            ("r" | "c" | "a", 8) => Some(format!("dat/{name}/{}", number(tail))),
            ("rc", 32) => Some("dat/rc/{commitment}".to_owned()),
            ("or" | "oc" | "oa", 20) => Some(format!("dat/{name}/{{owner}}")),
            ("or" | "oc" | "oa", 29) => Some(format!("dat/{name}/{{owner}}/{}", number(&tail[21..]))),
            ("ra", 8) => Some(format!("dat/ra/{}", number(tail))),
            ("ra", 17) => Some(format!("dat/ra/{}/{}", number(&tail[..8]), number(&tail[9..]))),
            ("rp", 29) => Some(format!("dat/rp/{}/{{requester}}", number(&tail[..8]))),
            ("pa", n) if n > 9 && tail[n - 9] == b'/' && printable(&tail[..n - 9]) => {
                Some(format!("dat/pa/{}/{}", String::from_utf8_lossy(&tail[..n - 9]), number(&tail[n - 8..])))
            }
            ("pa", _) | ("next", _) if printable(tail) => Some(format!("dat/{name}/{}", String::from_utf8_lossy(tail))),
            _ => None,
        };
        if let Some(shape) = shape {
            return shape;
        }
    }
    // The printable start up to its last '/', then the length of the rest.
    let run = key.iter().position(|b| !b.is_ascii_graphic()).unwrap_or(key.len());
    let end = key[..run].iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    format!("{}{{{} bytes}}", String::from_utf8_lossy(&key[..end]), key.len() - end)
}

/// The footprint's transactions, each alone: the log citizen's first two records (registered by the archivist),
/// their consent, two requesters' accesses to the first record, and the archivist's report of the first access's
/// release. Returns the footprints, the two records' numbers and the consent's.
fn footprint(
    bench: &BenchNode,
    client: &Client,
    node: &NodeHandle,
    archivist: &Keypair,
    citizen: &Keypair,
    requesters: &[Keypair],
    release_bytes: u64,
) -> Result<(Vec<Footprint>, Vec<u64>, u64)> {
    let owner = citizen.public_key().address();
    let senders =
        [(archivist, "controller"), (citizen, "citizen"), (&requesters[0], "requester"), (&requesters[1], "requester")];
    let mut recorder = Recorder::new(client, node, &senders)?;
    let mut controller = signer(bench, archivist, 0);
    let mut records = Vec::new();
    for (i, what) in
        [(0u64, "register_record: the citizen's first record"), (1, "register_record: the citizen's next record")]
    {
        let register = controller.sign(DataCall::RegisterRecord {
            owner,
            category: CATEGORY.into(),
            commitment: publica_crypto::sha256_concat(&[b"bench-log-record", &i.to_le_bytes()]),
            fields: 5,
        });
        match recorder.step(what, &register)? {
            TxOutcome::DataRecord { id } => records.push(id),
            other => bail!("a record's registration created {other:?}"),
        }
    }
    let consent = signer(bench, citizen, 0).sign(DataCall::GrantConsent {
        owner,
        grantee: Grantee::Agency(bench.agency.clone()),
        category: CATEGORY.into(),
        purpose: PURPOSE.into(),
        until_ms: publica_client::now_ms() + YEAR_MS,
    });
    let consent = match recorder.step("grant_consent: the citizen's first consent", &consent)? {
        TxOutcome::DataConsent { id } => id,
        other => bail!("a consent created {other:?}"),
    };
    let mut first_access = None;
    for (key, what) in [
        (&requesters[0], "request_access: the first access to the citizen's records (pending)"),
        (&requesters[1], "request_access: the next access to the same record (pending)"),
    ] {
        let secret = RecipientSecret::generate();
        let request = signer(bench, key, 0).sign(DataCall::RequestAccess {
            record: records[0],
            purpose: PURPOSE.into(),
            basis: Basis::Consent(consent),
            recipient: recipient(&secret),
        });
        match recorder.step(what, &request)? {
            TxOutcome::Access { id, state: AccessDecision::Pending } => {
                first_access.get_or_insert(id);
            }
            other => bail!("a request was not granted: {other:?}"),
        }
    }
    let access = first_access.context("the first access's number")?;
    let fulfil = controller.sign(DataCall::FulfilAccess {
        access,
        release_sha256: publica_crypto::sha256(b"bench-release"),
        release_bytes,
    });
    recorder.step("fulfil_access: the first access released", &fulfil)?;
    Ok((recorder.footprints, records, consent))
}

/// Fill the log: the archivist registers the rest of the citizen's records (it registered the first two), then
/// each log requester asks once for each record, until the log holds `accesses` (the footprint's two included).
/// Returns the records' count.
#[allow(clippy::too_many_arguments)]
fn build_log(
    bench: &BenchNode,
    client: &Client,
    node: &NodeHandle,
    archivist: &Keypair,
    citizen: &Keypair,
    requesters: &[Keypair],
    mut records: Vec<u64>,
    count: usize,
    consent: u64,
    accesses: usize,
) -> Result<usize> {
    let owner = citizen.public_key().address();
    // The archivist's nonces so far: the footprint's two registrations and its release.
    let mut controller = signer(bench, archivist, 3);
    let txs: Vec<Transaction> = (records.len() as u64..count as u64)
        .map(|i| {
            controller.sign(DataCall::RegisterRecord {
                owner,
                category: CATEGORY.into(),
                commitment: publica_crypto::sha256_concat(&[b"bench-log-record", &i.to_le_bytes()]),
                fields: 5,
            })
        })
        .collect();
    for id in commit(client, node, &txs)? {
        match outcome(node, &id)? {
            TxOutcome::DataRecord { id } => records.push(id),
            other => bail!("a record's registration created {other:?}"),
        }
    }
    // (requester, record) pairs, record by record; the footprint made the first two.
    let pairs: Vec<(usize, usize)> =
        (0..count).flat_map(|k| (0..requesters.len()).map(move |r| (r, k))).skip(2).take(accesses - 2).collect();
    let mut nonces = vec![0u64; requesters.len()];
    nonces[0] = 1;
    nonces[1] = 1;
    let assigned: Vec<(usize, usize, u64)> = pairs
        .into_iter()
        .map(|(r, k)| {
            nonces[r] += 1;
            (r, k, nonces[r] - 1)
        })
        .collect();
    let txs: Vec<Transaction> = assigned
        .par_iter()
        .map(|&(r, k, nonce)| {
            let secret = RecipientSecret::generate();
            signer(bench, &requesters[r], 0).sign_at(
                nonce,
                DataCall::RequestAccess {
                    record: records[k],
                    purpose: PURPOSE.into(),
                    basis: Basis::Consent(consent),
                    recipient: recipient(&secret),
                },
            )
        })
        .collect();
    for id in commit(client, node, &txs)? {
        match outcome(node, &id)? {
            TxOutcome::Access { state: AccessDecision::Pending, .. } => {}
            other => bail!("a request of the log was not granted: {other:?}"),
        }
    }
    Ok(records.len())
}

/// Read one page of the citizen's log (signed now) and check it; `after`: the access it starts after.
fn read_page(
    client: &Client,
    chain: &ChainId,
    citizen: &Keypair,
    sets: &VerifiedSets,
    after: Option<u64>,
) -> Result<PageRead> {
    let owner = citizen.public_key().address();
    let started = Instant::now();
    let query = DataQuery::OwnerLog { owner, after, limit: MAX_DATA_PAGE };
    let body = signed_data_read(citizen, owner, chain, query, publica_client::now_ms());
    let sign_ms = ms(started);
    let value = client.data_read_signed_json(&body)?;
    let read_ms = ms(started);
    let text = serde_json::to_vec(&value)?;
    let started = Instant::now();
    std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&text)?);
    let parse_ms = ms(started);
    let bytes = text.len();
    let proof_bytes = serde_json::to_vec(&value["proofs"])?.len();

    // The client's check.
    let started = Instant::now();
    let read = DataReadResponse::deserialize(&value).context("the answer to a log read")?;
    let decode_ms = ms(started);
    let DataReadResponse { answer, certified, proofs, .. } = read;
    let DataAnswer::OwnerLog { accesses } = answer else { bail!("the node answered a log read with another answer") };
    let proof_count = proofs.len();
    // A recipient key's base64 JSON in the access, and its borsh bytes (a length and the ML-KEM key, then the
    // X25519 key) as hex in the access's proven value.
    let key_bytes = accesses
        .items
        .iter()
        .map(|a| {
            let json = serde_json::to_vec(&a.recipient).map_or(0, |v| v.len());
            json + 2 * (4 + a.recipient.ml_kem.len() + a.recipient.x25519.len())
        })
        .sum();
    // The limit's input: the same proofs, decoded.
    let direct = CertifiedReads { certified: certified.clone(), reads: proofs.clone() };
    let started = Instant::now();
    let verified = CertifiedReads { certified, reads: proofs }.verify_with_sets(sets)?;
    let proofs_ms = ms(started);
    let started = Instant::now();
    let proven: HashMap<&[u8], &[u8]> =
        verified.iter().filter_map(|r| Some((r.key.as_slice(), r.value.as_deref()?))).collect();
    let list = data_schema::owner_accesses(&owner);
    let value_of = |key: &[u8], what: &str| -> Result<&[u8]> {
        proven.get(key).copied().with_context(|| format!("the answer carries no proof of {what}"))
    };
    let head: ListHead = codec::decode_canonical("list head", value_of(&list.head_key(), "the log's head")?, 1024)?;
    let link = |id: u64| -> Result<Link> {
        Ok(codec::decode_canonical("list link", value_of(&list.node_key(id), "a log's link")?, 1024)?)
    };
    let mut cursor = match after {
        None => head.first,
        Some(after) => link(after)?.next,
    };
    for item in &accesses.items {
        ensure!(cursor == Some(item.id), "the page lists access {} where the log holds {cursor:?}", item.id);
        let bytes = value_of(&data_schema::access_key(item.id), "a listed access")?;
        let access: Access = codec::decode_canonical("access", bytes, MAX_STORED_BYTES)?;
        ensure!(access == *item, "the page shows access {} otherwise than its proof", item.id);
        cursor = link(item.id)?.next;
    }
    ensure!(
        accesses.total == head.count,
        "the page counts {} accesses, the proven head {}",
        accesses.total,
        head.count
    );
    let expected_next = cursor.and(accesses.items.last().map(|a| a.id));
    ensure!(accesses.next == expected_next, "the page's next ({:?}) is not where the log goes on", accesses.next);
    let walk_ms = ms(started);

    // The limit: the same proofs verified directly.
    let started = Instant::now();
    sets.verify_header(&direct.certified)?;
    let header_ms = ms(started);
    let root = direct.certified.header.state_root;
    let started = Instant::now();
    for proof in &direct.reads {
        proof.proof.verify(&root, &proof.key, proof.value.as_deref())?;
    }
    let merkle_ms = ms(started);

    Ok(PageRead {
        times: PageTimes { read_ms, sign_ms, parse_ms, decode_ms, proofs_ms, walk_ms, header_ms, merkle_ms },
        bytes,
        proof_bytes,
        key_bytes,
        proofs: proof_count,
        items: accesses.items.len(),
        total: accesses.total,
        next: accesses.next,
    })
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// The first page of the citizen's log answered by the API's router in this process (no socket, no client),
/// [`PAGE_ROUNDS`] times: the median milliseconds from the request to the answer's last byte.
fn produce_page_ms(rt: &tokio::runtime::Runtime, node: &NodeHandle, chain: &ChainId, citizen: &Keypair) -> Result<f64> {
    let router = publica_api::router(node.clone());
    let owner = citizen.public_key().address();
    let query = DataQuery::OwnerLog { owner, after: None, limit: MAX_DATA_PAGE };
    // Good for five minutes: the same signed request is sent every round.
    let body = serde_json::to_vec(&signed_data_read(citizen, owner, chain, query, publica_client::now_ms()))?;
    let mut times = Vec::with_capacity(PAGE_ROUNDS);
    for _ in 0..PAGE_ROUNDS {
        let request =
            Request::post("/v1/data/read").header("content-type", "application/json").body(Body::from(body.clone()))?;
        let started = Instant::now();
        let (status, bytes) = super::answer(rt, &router, request, MAX_ANSWER_BYTES)?;
        times.push(ms(started));
        ensure!(status == StatusCode::OK, "the log read answered {status}: {}", String::from_utf8_lossy(&bytes));
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The citizen reads the first page [`PAGE_ROUNDS`] times, then the whole log page after page.
#[allow(clippy::too_many_arguments)]
fn read_log(
    rt: &tokio::runtime::Runtime,
    node: &NodeHandle,
    client: &Client,
    chain: &ChainId,
    citizen: &Keypair,
    sets: &VerifiedSets,
    accesses: usize,
    records: usize,
    build_secs: f64,
) -> Result<LogRun> {
    let mut rounds = Vec::with_capacity(PAGE_ROUNDS);
    let mut last = None;
    for _ in 0..PAGE_ROUNDS {
        let page = read_page(client, chain, citizen, sets, None)?;
        ensure!(page.total == accesses as u64, "the log holds {} accesses, not {accesses}", page.total);
        rounds.push(page.times);
        last = Some(page);
    }
    let last = last.context("no page was read")?;
    let page_produce_ms = produce_page_ms(rt, node, chain, citizen)?;
    let median = |f: fn(&PageTimes) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(f).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let page = PageTimes {
        read_ms: median(|t| t.read_ms),
        sign_ms: median(|t| t.sign_ms),
        parse_ms: median(|t| t.parse_ms),
        decode_ms: median(|t| t.decode_ms),
        proofs_ms: median(|t| t.proofs_ms),
        walk_ms: median(|t| t.walk_ms),
        header_ms: median(|t| t.header_ms),
        merkle_ms: median(|t| t.merkle_ms),
    };

    let mut whole = PageTimes::default();
    let (mut pages, mut bytes, mut proofs, mut items) = (0, 0, 0, 0);
    let mut after = None;
    loop {
        let page = read_page(client, chain, citizen, sets, after)?;
        whole.add(&page.times);
        pages += 1;
        bytes += page.bytes;
        proofs += page.proofs;
        items += page.items;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        ensure!(pages <= accesses, "the log's pages do not end");
    }
    ensure!(items == accesses, "the whole log lists {items} accesses, not {accesses}");
    Ok(LogRun {
        accesses,
        records,
        build_secs,
        page,
        page_produce_ms,
        page_bytes: last.bytes,
        page_proof_bytes: last.proof_bytes,
        page_key_bytes: last.key_bytes,
        page_proofs: last.proofs,
        page_items: last.items,
        whole,
        whole_pages: pages,
        whole_bytes: bytes,
        whole_proofs: proofs,
    })
}

/// The value at `p` (0 to 1) of sorted durations, milliseconds.
fn percentile_ms(values: &[Duration], p: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).copied().unwrap_or(0.0)
}

fn last_secs(values: &[Duration]) -> f64 {
    values.iter().max().map_or(0.0, Duration::as_secs_f64)
}

/// Print the Markdown report.
fn report(params: &Params, setup: &Setup, run: &Pipeline, limit: &Limit, footprints: &[Footprint], log: &LogRun) {
    let n = run.count as f64;
    out!();
    out!("### Setting up through the node and the vault");
    out!();
    out!("| step | count | seconds | per second |");
    out!("|---|---|---|---|");
    for (what, count, secs) in &setup.steps {
        out!("| {what} | {count} | {secs:.2} | {:.1} |", *count as f64 / secs);
    }

    let requested = last_secs(&run.requested);
    let released = last_secs(&run.released);
    let checked = last_secs(&run.checked);
    let first_release = run.released.iter().min().map_or(0.0, Duration::as_secs_f64);
    let release_span = released - first_release;
    let release_blocks = (run.last_release_height - run.first_release_height) as f64;
    let per_access_us = |secs: f64| secs * 1e6 / n;
    let limit_rate = n / limit.secs();
    out!();
    out!("### Accesses end to end (production path, the vault polling every {} ms)", params.vault_poll_ms);
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!(
        "| physical limit, all cores, per access: 2 hybrid signature verifications (request and fulfilment, \
         `verify_batch`) / envelope decryption / `seal_hybrid` / `open_hybrid` / commitment | {:.1} / {:.1} / {:.1} / \
         {:.1} / {:.1} µs = **{:.1} µs: {limit_rate:.0} accesses/s** |",
        per_access_us(limit.signatures_secs),
        per_access_us(limit.envelope_secs),
        per_access_us(limit.seal_secs),
        per_access_us(limit.open_secs),
        per_access_us(limit.commitment_secs),
        per_access_us(limit.secs())
    );
    out!(
        "| requests committed: {} `request_access` of {} B from {REQUESTERS} requesters through \
         `POST /v1/transactions/batch`, from the first submission to the last commit | {requested:.2} s: {:.0}/s |",
        run.count,
        run.request_bytes,
        n / requested
    );
    out!(
        "| releases committed: the vault's `fulfil_access` of each, from the first submission to the last commit | \
         {released:.2} s: {:.1}/s |",
        n / released
    );
    out!(
        "| the vault's pace once releasing: first to last release, blocks between them | {release_span:.2} s: \
         {:.1}/s; {:.0} blocks, {:.2} per release, {:.1} ms per block |",
        (n - 1.0).max(1.0) / release_span.max(1e-9),
        release_blocks,
        release_blocks / (n - 1.0).max(1.0),
        release_span * 1e3 / release_blocks.max(1.0)
    );
    out!(
        "| **accesses checked end to end** (every release fetched from the vault and fully checked by its \
         requester), from the first submission to the last check | **{checked:.2} s: {:.1}/s** |",
        n / checked
    );
    out!("| **ratio end to end / physical limit** | **{:.4}** |", n / checked / limit_rate);
    let fetch_delay: Vec<Duration> = run.fetched.iter().zip(&run.released).map(|(f, r)| f.saturating_sub(*r)).collect();
    let check_time: Vec<Duration> = run.checked.iter().zip(&run.fetched).map(|(c, f)| c.saturating_sub(*f)).collect();
    out!(
        "| per access, median (p99): from its fulfilment's commit to the requester holding the release / the \
         requester's check (signed read of the access with proofs, proofs, digest, opening, commitment) | {:.1} \
         ({:.1}) ms / {:.1} ({:.1}) ms |",
        percentile_ms(&fetch_delay, 0.5),
        percentile_ms(&fetch_delay, 0.99),
        percentile_ms(&check_time, 0.5),
        percentile_ms(&check_time, 0.99)
    );
    out!(
        "| release: sealed size (borsh) as the ledger records it / as sealed in the limit | {} B / {} B |",
        run.release_bytes,
        limit.sealed_bytes
    );
    let lone_ms = percentile_ms(&run.lone, 0.5);
    let per_release_ms = release_span * 1e3 / (n - 1.0).max(1.0);
    out!(
        "| a lone transaction from its submission through the API to its commit, median (p90) of {LONE_TXS} sent \
         one at a time after the run / what is left of each release's time for the vault's own turn | {lone_ms:.1} \
         ({:.1}) ms / {:.1} ms |",
        percentile_ms(&run.lone, 0.9),
        per_release_ms - lone_ms
    );
    if let Some(cpu) = run.cpu {
        out!(
            "| CPU over the end-to-end run: the whole process (node, API, vault, requesters) / the vault's loop \
             thread | {:.2} s / {:.2} s in {checked:.2} s: {:.2} / {:.2} of the {} cores |",
            cpu.process_secs,
            cpu.vault_loop_secs,
            cpu.process_secs / checked,
            cpu.vault_loop_secs / checked,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
    out!(
        "| the node over the run: {} blocks; the proposer's block execution / storing at commit, per access | {:.1} / \
         {:.1} µs |",
        run.blocks,
        per_access_us(run.work.execute_secs),
        per_access_us(run.work.store_secs)
    );

    out!();
    out!("### A citizen's log of {} accesses (`POST /v1/data/read`, `owner_log`, signed by the citizen)", log.accesses);
    out!();
    out!(
        "The log: {} accesses to {} records of the citizen from {} requesters, pending, built through the node in \
         {:.2} s ({:.0} requests/s).",
        log.accesses,
        log.records,
        LOG_REQUESTERS.min(log.accesses),
        log.build_secs,
        (log.accesses - 2) as f64 / log.build_secs
    );
    out!();
    out!(
        "| read | answer | proven keys | read (signing / parsing the answer's JSON / the rest: the node's answer and \
         its transfer) | check: decode / proofs / accesses and links | check | limit: certificate / Merkle proofs | \
         **ratio limit / check** |"
    );
    out!("|---|---|---|---|---|---|---|---|");
    let row = |what: String, bytes: usize, proofs: usize, t: &PageTimes| {
        out!(
            "| {what} | {:.2} MB | {proofs} | {:.1} ms ({:.1} / {:.1} / {:.1}) | {:.1} / {:.1} / {:.1} ms | {:.1} ms | \
             {:.2} / {:.1} ms | **{:.2}** |",
            bytes as f64 / 1e6,
            t.read_ms,
            t.sign_ms,
            t.parse_ms,
            t.read_ms - t.sign_ms - t.parse_ms,
            t.decode_ms,
            t.proofs_ms,
            t.walk_ms,
            t.check_ms(),
            t.header_ms,
            t.merkle_ms,
            t.limit_ms() / t.check_ms()
        );
    };
    row(
        format!("one page of {} (median of {PAGE_ROUNDS})", log.page_items),
        log.page_bytes,
        log.page_proofs,
        &log.page,
    );
    row(format!("the whole log: {} pages", log.whole_pages), log.whole_bytes, log.whole_proofs, &log.whole);
    out!();
    out!(
        "The node's part of a page's read: the same page answered by the API's router in this process (signature \
         and standing checked, the page read with its {} proofs, the JSON written), no socket: {:.1} ms (median of \
         {PAGE_ROUNDS}). The page's {:.2} MB: the proofs' array {:.2} MB (each value in hex, each path's hashes in \
         hex), of which and of the accesses the requesters' recipient keys {:.2} MB (each 1,216 bytes, as base64 in \
         its access and as hex in its proven value).",
        log.page_proofs,
        log.page_produce_ms,
        log.page_bytes as f64 / 1e6,
        log.page_proof_bytes as f64 / 1e6,
        log.page_key_bytes as f64 / 1e6
    );

    out!();
    out!("### On-ledger footprint (each transaction alone; the state read back key by key before and after)");
    out!();
    out!(
        "| transaction | keys added (key + value bytes) | keys changed (value bytes before → after) | keys removed | \
         state bytes, net | state-tree nodes written (per changed key) |"
    );
    out!("|---|---|---|---|---|---|");
    for f in footprints {
        let added: Vec<String> = f
            .changes
            .iter()
            .filter(|c| c.2.is_none())
            .map(|(shape, k, _, v)| format!("`{shape}` {k} + {}", v.unwrap_or(0)))
            .collect();
        let changed: Vec<String> = f
            .changes
            .iter()
            .filter_map(|(shape, _, before, after)| match (before, after) {
                (Some(b), Some(a)) => Some(format!("`{shape}` {b} → {a}")),
                _ => None,
            })
            .collect();
        let removed: Vec<String> = f
            .changes
            .iter()
            .filter(|c| c.3.is_none())
            .map(|(shape, k, before, _)| format!("`{shape}` {k} + {}", before.unwrap_or(0)))
            .collect();
        let net: i64 = f
            .changes
            .iter()
            .map(|(_, k, before, after)| {
                let size = |v: &Option<usize>| v.map_or(0, |v| (k + v) as i64);
                size(after) - size(before)
            })
            .sum();
        let list = |items: Vec<String>| if items.is_empty() { "–".to_owned() } else { items.join("; ") };
        out!(
            "| {}{} | {} | {} | {} | {net:+} | {} ({:.1}) |",
            f.what,
            if f.blocks > 1 { format!(" ({} blocks)", f.blocks) } else { String::new() },
            list(added),
            list(changed),
            list(removed),
            f.nodes,
            f.nodes as f64 / f.changes.len().max(1) as f64
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_types::Address;

    #[test]
    fn data_keys_are_named_by_what_their_parts_are() {
        let owner = Address([7; 20]);
        assert_eq!(key_shape(&data_schema::record_key(3)), "dat/r/3");
        assert_eq!(key_shape(&data_schema::commitment_key(&[47; 32])), "dat/rc/{commitment}");
        assert_eq!(key_shape(&data_schema::owner_accesses(&owner).head_key()), "dat/oa/{owner}");
        assert_eq!(key_shape(&data_schema::owner_accesses(&owner).node_key(9)), "dat/oa/{owner}/9");
        assert_eq!(key_shape(&data_schema::record_pending(258).node_key(47)), "dat/ra/258/47");
        assert_eq!(key_shape(&data_schema::pending_request_key(4, &owner)), "dat/rp/4/{requester}");
        let agency = "bench-health".parse().unwrap();
        assert_eq!(key_shape(&data_schema::agency_pending(&agency).head_key()), "dat/pa/bench-health");
        assert_eq!(key_shape(&data_schema::agency_pending(&agency).node_key(1)), "dat/pa/bench-health/1");
        assert_eq!(key_shape(&data_schema::next_key("a")), "dat/next/a");
        assert_eq!(key_shape(&publica_accounts::schema::nonce_key(&owner)), "acc/n/{20 bytes}");
    }

    /// The whole workload on a real node and a real vault at a tiny size: every check of the run (each request
    /// granted, each release served and checked against the ledger, the state tree's roots equal to the node's,
    /// every page of the log proven and complete) must pass.
    #[test]
    fn the_workload_runs_end_to_end_at_a_tiny_size() {
        run(&Params { citizens: 6, log_accesses: 120, vault_poll_ms: 5 }).unwrap();
    }
}

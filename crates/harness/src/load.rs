//! `publica load`: offer a steady rate of hybrid-signed transactions to a running network through its REST APIs,
//! and measure what it commits.
//!
//! How it works:
//!
//! 1. An agency administrator (a testnet's demo administrator, or any `--admin-key`) registers `--senders` new
//!    officials, whose keys exist only in this process.
//! 2. The whole load is signed before the clock starts, so the generator's own signing does not compete with the
//!    nodes for the CPU during the measurement.
//! 3. Each sender is pinned to one API (sender `i` to API `i mod N`): a validator proposes only transactions of
//!    its own mempool, so spreading the senders spreads the load over every proposer, and a sender's nonces wait
//!    in order in one mempool. Transaction `j` is due at `j / rate` seconds; due transactions go in batches
//!    (`POST /v1/transactions/batch`) through two workers per API, so a batch is sent while the previous one is
//!    admitted. Each sender is pinned to one of its API's workers as well: a node admits a nonce only once the
//!    lower ones are pending, so one sender's transactions must arrive in nonce order, never in two batches racing
//!    each other.
//! 4. A follower reads every new block (`GET /v1/blocks/{height}`) from one node, moving to the next node if that
//!    one stops answering, and records when each transaction is first seen committed. A transaction's latency is
//!    the time from the moment its batch was sent to that moment.
//!
//! Refusals at admission are counted by code, and the first reasons are shown; a transaction admitted but not
//! committed by the end is looked up on its node (`GET /v1/transactions/{id}`) to tell a refusal at block
//! building from one still waiting.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use publica_client::{Client, Expiry, Signer};
use publica_crypto::Keypair;
use publica_tx::{AccountsCall, Transaction};
use publica_types::{AgencyId, ChainId, Role, TxId};
use rayon::prelude::*;
use serde_json::Value;

/// Transactions whose signatures measure the physical limit, before the load is sent.
const LIMIT_SAMPLE: usize = 4_000;
/// Most transactions one run signs in advance (a registration is 5.4 KB, so this is about 1 GB with its base64).
const MAX_TXS: usize = 200_000;
/// Most sending officials, all registered by one administrator (16 at a time, what a validator's mempool keeps of
/// one sender).
const MAX_SENDERS: usize = 1_000;
/// How long one chunk of the senders' registrations may take to commit.
const REGISTER_CHUNK_WAIT: Duration = Duration::from_secs(60);
/// Most transactions per batch request (the API accepts 10,000; smaller batches keep latency honest).
const MAX_BATCH: usize = 500;
/// Sending workers per API: one batch in flight while the next is being collected. Each sender goes through one
/// worker, so its nonces arrive in order.
const WORKERS_PER_API: usize = 2;
/// How often the dispatcher hands due transactions to the workers.
const DISPATCH_STEP: Duration = Duration::from_millis(5);
/// How often the follower asks for the next block when it is not there yet.
const FOLLOW_POLL: Duration = Duration::from_millis(10);
/// Most reasons of refusals shown.
const REASONS_SHOWN: usize = 5;
/// Most admitted but uncommitted transactions looked up at the end.
const MAX_LOOKUPS: usize = 200;

/// What `publica load` does.
#[derive(Clone, Debug)]
pub struct Params {
    /// A testnet directory (`publica testnet init`): its nodes' APIs, and its demo administrator's key.
    pub testnet: Option<PathBuf>,
    /// The nodes' APIs, without a testnet directory.
    pub api: Vec<String>,
    /// Transactions offered per second.
    pub rate: f64,
    /// Seconds during which the load is offered.
    pub duration: f64,
    /// Sending accounts (new officials registered for this run).
    pub senders: usize,
    /// What the transactions do.
    pub workload: Workload,
    /// Key file of the agency administrator who registers the senders (default with a testnet: the demo
    /// administrator of its first agency that registers citizens).
    pub admin_key: Option<PathBuf>,
    /// After the last transaction is sent, how long to wait for the rest to commit, seconds.
    pub commit_timeout_secs: u64,
    /// The passphrase file of the administrator's key (default with a testnet: the testnet's).
    pub passphrase_file: Option<PathBuf>,
}

/// The transactions of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Registrar officials register citizens: 5.4 KB transactions that each carry a new hybrid public key.
    Registrations,
    /// Administrators replace one official's roles: 3.5 KB transactions with no key inside.
    RoleUpdates,
}

impl Workload {
    /// What one transaction of this workload is, in words.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Registrations => "citizen registration",
            Workload::RoleUpdates => "role update",
        }
    }
}

/// What happened to one transaction of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Fate {
    Waiting = 0,
    Admitted = 1,
    Refused = 2,
    Undelivered = 3,
}

/// One signed transaction of the load, ready to send.
struct Outgoing {
    id: TxId,
    base64: String,
    api: usize,
    /// The worker of its API that sends it: the same for every transaction of one sender.
    lane: usize,
}

/// State shared by the dispatcher, the workers and the follower. Times are nanoseconds since `start`, 0 for
/// "not yet".
struct Run {
    start: Instant,
    txs: Vec<Outgoing>,
    index: HashMap<TxId, usize>,
    sent_ns: Vec<AtomicU64>,
    committed_ns: Vec<AtomicU64>,
    fate: Vec<AtomicU8>,
    committed: AtomicU64,
    settled: AtomicU64,
    blocks: AtomicU64,
    refusals: Mutex<Refusals>,
}

/// Refusals by code, with the first reasons.
#[derive(Default)]
struct Refusals {
    by_code: BTreeMap<String, u64>,
    first: Vec<String>,
}

impl Refusals {
    fn add(&mut self, code: &str, reason: String) {
        *self.by_code.entry(code.to_owned()).or_default() += 1;
        if self.first.len() < REASONS_SHOWN {
            self.first.push(reason);
        }
    }
}

impl Run {
    fn now_ns(&self) -> u64 {
        // Never 0, which means "not yet".
        (self.start.elapsed().as_nanos() as u64).max(1)
    }

    fn settle(&self, i: usize, fate: Fate) {
        self.fate[i].store(fate as u8, Ordering::Relaxed);
        if fate != Fate::Admitted {
            self.settled.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn mark_committed(&self, i: usize, now_ns: u64) {
        if self.committed_ns[i].compare_exchange(0, now_ns, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            self.committed.fetch_add(1, Ordering::Relaxed);
            self.settled.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Clients of the network's nodes, one per API, made on first use.
struct Http {
    timeout: Duration,
    clients: Mutex<HashMap<String, Client>>,
}

impl Http {
    fn new(timeout: Duration) -> Result<Self> {
        Ok(Self { timeout, clients: Mutex::new(HashMap::new()) })
    }

    fn client(&self, api: &str) -> Result<Client> {
        let mut clients = self.clients.lock().expect("not poisoned");
        if let Some(client) = clients.get(api) {
            return Ok(client.clone());
        }
        let client = Client::with_timeout(api, self.timeout)?
            .unreachable_hint("is it running? (`publica testnet status DIR`)")
            .naming_node_in_refusals();
        clients.insert(api.to_owned(), client.clone());
        Ok(client)
    }

    /// GET `api` + `path`: `Ok(None)` for 404, the JSON body for success.
    fn get(&self, api: &str, path: &str) -> Result<Option<Value>> {
        self.client(api)?.get_optional(path)
    }
}

/// Where the load goes and who registers its senders.
struct LoadTarget {
    apis: Vec<String>,
    admin_key: PathBuf,
    passphrase_file: Option<PathBuf>,
}

fn target(args: &Params) -> Result<LoadTarget> {
    match &args.testnet {
        Some(dir) => {
            let manifest = crate::testnet::Manifest::load(dir)?;
            let admin_key = match &args.admin_key {
                Some(file) => file.clone(),
                None => {
                    let agency = manifest.agencies.iter().find(|a| a.can_register_citizens).with_context(|| {
                        format!(
                            "the testnet in {} has no agency that registers citizens; pass --admin-key",
                            dir.display()
                        )
                    })?;
                    dir.join(&agency.admin_key)
                }
            };
            let passphrase_file = args.passphrase_file.clone().or(Some(manifest.passphrase_path()));
            Ok(LoadTarget { apis: manifest.apis(), admin_key, passphrase_file })
        }
        None => {
            let admin_key = args.admin_key.clone().context(
                "--api needs --admin-key FILE: the key of an agency administrator who registers the sending officials \
                 (in a `publica dev` home: keys/admin-civil-registry.json)",
            )?;
            let apis = args.api.iter().map(|a| a.trim_end_matches('/').to_owned()).collect();
            Ok(LoadTarget { apis, admin_key, passphrase_file: args.passphrase_file.clone() })
        }
    }
}

/// Run the load and print the report.
pub fn run(args: &Params) -> Result<()> {
    let total = checked_total(args)?;
    let target = target(args)?;
    if target.apis.is_empty() {
        bail!("no node to send to: give --testnet DIR or --api URL");
    }
    let http = Http::new(Duration::from_secs(30))?;
    let (chain_id, mut height) = one_chain(&http, &target.apis)?;
    let api0 = &target.apis[0];
    // A network just started has committed nothing yet, and reads with proofs start at height 1.
    if height == 0 {
        wait_for_height(&http, std::slice::from_ref(api0), 1, "its first block")?;
        height = 1;
    }
    let admin = publica_client::keyfile::open(&target.admin_key, target.passphrase_file.as_deref())?;
    let agency = SendingAgency::check(&http, api0, &target, &admin, args.workload)?;
    println!(
        "load on chain {chain_id}: {} node(s) at height {height}, {total} {} transactions at {} tx/s for {} s, {} \
         senders of {}",
        target.apis.len(),
        args.workload.name(),
        args.rate,
        args.duration,
        args.senders,
        agency.id
    );

    // Keys and signatures before the clock starts.
    eprintln!("signing the load");
    let load = SignedLoad::sign(args, total, target.apis.len(), &chain_id, &admin, &agency);
    eprintln!("measuring the verification limit");
    let limit = VerificationLimit::measure(&http, api0, &load.senders, &load.sample)?;

    eprintln!("registering {} sending officials", load.senders.len());
    let registered_at = register(&http, &target.apis, &load.setup)?;
    wait_for_height(&http, &target.apis, registered_at, "the senders' registration")?;

    let run = Arc::new(Run {
        start: Instant::now(),
        index: load.txs.iter().enumerate().map(|(i, p)| (p.id, i)).collect(),
        sent_ns: (0..total).map(|_| AtomicU64::new(0)).collect(),
        committed_ns: (0..total).map(|_| AtomicU64::new(0)).collect(),
        fate: (0..total).map(|_| AtomicU8::new(Fate::Waiting as u8)).collect(),
        committed: AtomicU64::new(0),
        settled: AtomicU64::new(0),
        blocks: AtomicU64::new(0),
        refusals: Mutex::new(Refusals::default()),
        txs: load.txs,
    });
    let follow_from = target
        .apis
        .iter()
        .filter_map(|api| http.get(api, "/v1/status").ok().flatten())
        .filter_map(|s| s["height"].as_u64())
        .min()
        .unwrap_or(height);
    eprintln!("sending");
    let stop = Arc::new(AtomicBool::new(false));
    let follower = {
        let (run, stop, apis) = (run.clone(), stop.clone(), target.apis.clone());
        std::thread::spawn(move || follow(&run, &apis, follow_from, &stop))
    };
    let sent_secs = send_at_rate(&run, &target.apis, args.rate);

    // Wait for every admitted transaction to commit, or for the timeout.
    let deadline = Instant::now() + Duration::from_secs(args.commit_timeout_secs);
    while (run.settled.load(Ordering::Relaxed) as usize) < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let follow_error = follower.join().expect("the follower panicked");

    report(&run, &http, &target.apis, args.rate, sent_secs, &limit, follow_error)
}

/// The number of transactions of the load, once the parameters are found sensible.
fn checked_total(args: &Params) -> Result<usize> {
    let positive = |x: f64| x > 0.0 && x.is_finite();
    if !positive(args.rate) || !positive(args.duration) {
        bail!("--rate and --duration must be positive numbers");
    }
    let total = (args.rate * args.duration).ceil();
    if total > MAX_TXS as f64 {
        bail!(
            "--rate × --duration is {total} transactions; at most {MAX_TXS} are signed in advance, lower one of them"
        );
    }
    if args.senders == 0 || args.senders > MAX_SENDERS {
        bail!("--senders must be 1 to {MAX_SENDERS}");
    }
    Ok(total as usize)
}

/// Every node must answer and be on the same chain before anything is signed: the chain, and the highest height.
fn one_chain(http: &Http, apis: &[String]) -> Result<(ChainId, u64)> {
    let mut chain: Option<String> = None;
    let mut height = 0;
    for api in apis {
        let status = http.get(api, "/v1/status")?.with_context(|| format!("{api} has no /v1/status; is it a node?"))?;
        let id = status["chain_id"].as_str().context("a status without chain_id")?.to_owned();
        match &chain {
            Some(c) if *c != id => bail!("{api} is on chain {id}, the first node on {c}; give nodes of one network"),
            _ => chain = Some(id),
        }
        height = height.max(status["height"].as_u64().unwrap_or(0));
    }
    let chain_id: ChainId = chain.expect("at least one API").parse().map_err(|e| anyhow::anyhow!("chain id: {e}"))?;
    Ok((chain_id, height))
}

/// The agency whose administrator registers the senders, checked for what the workload needs.
struct SendingAgency {
    id: AgencyId,
    /// The roles it grants besides admin.
    grantable: Vec<Role>,
    /// Its administrator's next nonce.
    admin_nonce: u64,
}

impl SendingAgency {
    fn check(http: &Http, api: &str, target: &LoadTarget, admin: &Keypair, workload: Workload) -> Result<Self> {
        let admin_address = admin.public_key().address();
        let account = http.get(api, &format!("/v1/accounts/{admin_address}"))?.with_context(|| {
            format!("the key {} ({admin_address}) has no account on this network", target.admin_key.display())
        })?;
        let kind = &account["account"]["kind"];
        let agency: AgencyId = match kind["agency"].as_str() {
            Some(a) if kind["type"] == "official" => a.parse().map_err(|e| anyhow::anyhow!("agency id: {e}"))?,
            _ => {
                bail!("{admin_address} is not an official of an agency; --admin-key must be an agency administrator's")
            }
        };
        if !kind["roles"].as_array().is_some_and(|r| r.iter().any(|r| r.as_str() == Some(Role::admin().as_str()))) {
            bail!("{admin_address} is not an administrator of {agency}; --admin-key must be an administrator's key");
        }
        let genesis = http.get(api, "/v1/genesis")?.context("the node has no genesis document")?;
        let founding =
            genesis["agencies"].as_array().into_iter().flatten().find(|a| a["id"].as_str() == Some(agency.as_str()));
        if workload == Workload::Registrations {
            let registers = founding.is_some_and(|a| a["can_register_citizens"].as_bool() == Some(true));
            if !registers {
                bail!("agency {agency} may not register citizens; use --workload role-updates or another --admin-key");
            }
        }
        // The role updates alternate between one and two of the roles the agency grants (besides admin).
        let grantable: Vec<Role> = founding
            .and_then(|a| a["roles"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str()?.parse().ok())
            .collect();
        if workload == Workload::RoleUpdates && grantable.len() < 2 {
            bail!(
                "agency {agency} grants fewer than two roles besides admin, and role updates alternate between two; \
                 use another --admin-key"
            );
        }
        let admin_nonce = account["next_nonce"].as_u64().context("an account without next_nonce")?;
        Ok(Self { id: agency, grantable, admin_nonce })
    }
}

/// The load, signed before the clock starts.
struct SignedLoad {
    /// The sending officials' keys, which exist only in this process.
    senders: Vec<Keypair>,
    /// The administrator's registrations of the senders (and of the official whose roles are updated).
    setup: Vec<Transaction>,
    /// The load, ready to send.
    txs: Vec<Outgoing>,
    /// The first transactions of the load, whose signatures measure the limit.
    sample: Vec<Transaction>,
}

impl SignedLoad {
    fn sign(
        args: &Params,
        total: usize,
        apis: usize,
        chain_id: &ChainId,
        admin: &Keypair,
        agency: &SendingAgency,
    ) -> Self {
        let senders: Vec<Keypair> = (0..args.senders).into_par_iter().map(|_| Keypair::generate()).collect();
        let updated = Keypair::generate();
        let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000 + (args.duration * 1000.0) as u64);
        let mut admin_signer = Signer::new(admin, chain_id.clone(), agency.admin_nonce).expiring(expiry);
        let sender_signers: Vec<Signer<&Keypair>> =
            senders.iter().map(|key| Signer::new(key, chain_id.clone(), 0).expiring(expiry)).collect();
        let sender_role = match args.workload {
            Workload::Registrations => Role::citizen_registrar(),
            Workload::RoleUpdates => Role::admin(),
        };
        let register = |key: &Keypair, role: &Role| AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: agency.id.clone(),
            roles: vec![role.clone()],
        };
        let mut setup: Vec<Transaction> =
            senders.iter().map(|s| admin_signer.sign(register(s, &sender_role))).collect();
        let (clerk, surveyor) = match agency.grantable.as_slice() {
            [a, b, ..] => (a.clone(), b.clone()),
            _ => (Role::admin(), Role::admin()),
        };
        if args.workload == Workload::RoleUpdates {
            setup.push(admin_signer.sign(register(&updated, &clerk)));
        }
        // Citizens are unique by their identifier commitment: a random salt per run keeps runs from colliding.
        let run_salt: [u8; 16] = rand::random();
        let txs: Vec<(Outgoing, Option<Transaction>)> = (0..total)
            .into_par_iter()
            .map(|j| {
                let s = j % senders.len();
                let call = match args.workload {
                    Workload::Registrations => AccountsCall::RegisterCitizen {
                        public_key: Keypair::generate().public_key().clone(),
                        id_commitment: publica_crypto::sha256_concat(&[
                            b"publica-load",
                            &run_salt,
                            &(j as u64).to_le_bytes(),
                        ]),
                    },
                    Workload::RoleUpdates => AccountsCall::SetRoles {
                        account: updated.public_key().address(),
                        roles: if j % 2 == 0 { vec![clerk.clone()] } else { vec![clerk.clone(), surveyor.clone()] },
                    },
                };
                let tx = sender_signers[s].sign_at((j / senders.len()) as u64, call);
                let base64 = publica_client::http::tx_base64(&tx);
                let (api, lane) = (s % apis, (s / apis) % WORKERS_PER_API);
                (Outgoing { id: tx.id(), base64, api, lane }, (j < LIMIT_SAMPLE).then_some(tx))
            })
            .collect();
        drop(sender_signers);
        let (txs, sample): (Vec<Outgoing>, Vec<Option<Transaction>>) = txs.into_iter().unzip();
        Self { senders, setup, txs, sample: sample.into_iter().flatten().collect() }
    }
}

/// Wait until each node is at `height` (`what` names that block in the error), at most 60 s: every node must know
/// the senders before it admits their transactions.
fn wait_for_height(http: &Http, apis: &[String], height: u64, what: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    for api in apis {
        loop {
            let status = http.get(api, "/v1/status")?.unwrap_or_default();
            if status["height"].as_u64().unwrap_or(0) >= height {
                break;
            }
            if Instant::now() > deadline {
                bail!("{api} did not reach height {height} ({what}) within 60 s; is it syncing?");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(())
}

/// Hand transaction `j` to its API's workers at `j / rate` seconds; returns the seconds sending took.
fn send_at_rate(run: &Arc<Run>, apis: &[String], rate: f64) -> f64 {
    let total = run.txs.len();
    // One queue per worker, WORKERS_PER_API of them per API; a sender's transactions all go to one of them.
    let mut queues = Vec::with_capacity(apis.len() * WORKERS_PER_API);
    let mut workers = Vec::new();
    for api in apis {
        for _ in 0..WORKERS_PER_API {
            let (tx, rx) = mpsc::channel::<usize>();
            let (run, api) = (run.clone(), api.clone());
            workers.push(std::thread::spawn(move || send_worker(&run, &api, &rx)));
            queues.push(tx);
        }
    }
    let mut dispatched = 0usize;
    while dispatched < total {
        let due = ((run.start.elapsed().as_secs_f64() * rate).floor() as usize + 1).min(total);
        for i in dispatched..due {
            let tx = &run.txs[i];
            queues[tx.api * WORKERS_PER_API + tx.lane].send(i).expect("the workers outlive the dispatcher");
        }
        dispatched = due;
        std::thread::sleep(DISPATCH_STEP);
    }
    drop(queues);
    for w in workers {
        w.join().expect("a sending worker panicked");
    }
    run.start.elapsed().as_secs_f64()
}

/// The physical limit of the run: raw hybrid signature verifications per second on every core of this machine,
/// over signatures of the load itself, measured while the network is idle, and how many validators verify each
/// transaction.
struct VerificationLimit {
    per_second: f64,
    cores: usize,
    validators: usize,
}

impl VerificationLimit {
    fn measure(http: &Http, api: &str, senders: &[Keypair], sample: &[Transaction]) -> Result<Self> {
        let keys: HashMap<_, _> = senders.iter().map(|k| (k.public_key().address(), k.public_key())).collect();
        let messages: Vec<Vec<u8>> = sample.iter().map(|tx| tx.body.signing_bytes()).collect();
        let items: Vec<(&publica_types::PublicKey, &[u8], &publica_types::Signature)> =
            sample.iter().zip(&messages).map(|(tx, m)| (keys[&tx.body.sender], m.as_slice(), &tx.signature)).collect();
        let started = Instant::now();
        let results = publica_crypto::verify_batch(&items);
        let per_second = items.len() as f64 / started.elapsed().as_secs_f64();
        if results.iter().any(|r| r.is_err()) {
            bail!("a signature of the load failed to verify; the load generator is broken");
        }
        let validators = http.client(api)?.validators()?;
        let validators =
            validators.sets.last().map(|set| set.validators).context("/v1/validators names no validator set")? as usize;
        Ok(Self { per_second, cores: std::thread::available_parallelism()?.get(), validators: validators.max(1) })
    }
}

/// Register the senders and wait until all are committed; returns the highest height they were committed at.
/// A validator keeps at most `mempool.per_sender_max` (16 by default) of the administrator's transactions at
/// once, so they go in chunks of that size, each committed before the next is sent. Each chunk goes to every
/// node's API: transactions are not gossiped, so a chunk sent to one validator waits for that validator's turn to
/// propose, while sent to all it goes into the next block whoever proposes it (a node that already committed it
/// answers that it is a duplicate). Each chunk has [`REGISTER_CHUNK_WAIT`] to commit.
fn register(http: &Http, apis: &[String], setup: &[Transaction]) -> Result<u64> {
    let mut highest = 0;
    for chunk in setup.chunks(publica_node::mempool::NONCE_LOOKAHEAD_DEFAULT) {
        let deadline = Instant::now() + REGISTER_CHUNK_WAIT;
        let mut accepted = false;
        let mut refusal = None;
        for api in apis {
            match http.client(api).and_then(|c| c.submit_batch(chunk)) {
                Ok(answer) => match answer.results.iter().find_map(|r| r.error.as_ref()) {
                    None => accepted = true,
                    Some(error) => refusal = Some(format!("{}: {} ({})", api, error.message, error.code)),
                },
                Err(e) => refusal = Some(format!("{api}: {e}")),
            }
        }
        if !accepted {
            bail!(
                "registering the sending officials was refused by every node; the last answer: {}",
                refusal.unwrap_or_default()
            );
        }
        let api = &apis[0];
        // Nonces commit in order: the last one committed means all are; the others are checked after it anyway.
        for tx in chunk.iter().rev().take(1).chain(chunk.iter()) {
            let id = tx.id();
            loop {
                let status = http.get(api, &format!("/v1/transactions/{id}"))?.unwrap_or_default();
                match status["status"].as_str() {
                    Some("committed") => {
                        highest = highest.max(status["height"].as_u64().unwrap_or(0));
                        break;
                    }
                    Some("rejected") => bail!(
                        "registering a sending official failed ({}): {}",
                        status["error"]["code"].as_str().unwrap_or("?"),
                        status["error"]["message"].as_str().unwrap_or("?")
                    ),
                    _ if Instant::now() > deadline => bail!(
                        "a chunk of the sending officials' registrations was not committed within {} s; is the \
                         network committing blocks?",
                        REGISTER_CHUNK_WAIT.as_secs()
                    ),
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
    }
    Ok(highest)
}

/// Take due transactions from the queue and send them in batches until the queue is closed.
fn send_worker(run: &Run, api: &str, queue: &mpsc::Receiver<usize>) {
    let http = match Http::new(Duration::from_secs(60)) {
        Ok(h) => h,
        Err(e) => panic!("cannot build an HTTP client: {e}"),
    };
    loop {
        let batch: Vec<usize> = {
            let Ok(first) = queue.recv() else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(i) => batch.push(i),
                    Err(_) => break,
                }
            }
            batch
        };
        let texts: Vec<&str> = batch.iter().map(|&i| run.txs[i].base64.as_str()).collect();
        let now = run.now_ns();
        for &i in &batch {
            run.sent_ns[i].store(now, Ordering::Relaxed);
        }
        match http.client(api).and_then(|client| client.submit_batch_base64(&texts)) {
            Ok(answer) => {
                let results = &answer.results;
                for (k, &i) in batch.iter().enumerate() {
                    match results.get(k).and_then(|r| r.error.as_ref()) {
                        None if k < results.len() => {
                            // Committed may already have been seen by the follower; only a waiting one moves on.
                            let _ = run.fate[i].compare_exchange(
                                Fate::Waiting as u8,
                                Fate::Admitted as u8,
                                Ordering::Relaxed,
                                Ordering::Relaxed,
                            );
                        }
                        error => {
                            let (code, message) = match error {
                                Some(e) => (e.code.clone(), e.message.clone()),
                                None => ("no_answer".to_owned(), "the batch answer has no result for it".to_owned()),
                            };
                            run.refusals.lock().expect("not poisoned").add(&code, format!("{api}: {code}: {message}"));
                            run.settle(i, Fate::Refused);
                        }
                    }
                }
            }
            Err(e) => {
                let mut refusals = run.refusals.lock().expect("not poisoned");
                for &i in &batch {
                    refusals.add("not_delivered", format!("{e:#}"));
                    run.settle(i, Fate::Undelivered);
                }
            }
        }
    }
}

/// Follow the chain block by block from `from + 1`, marking the load's transactions committed, until `stop`.
/// Returns the last error if no node could be followed for a while.
fn follow(run: &Run, apis: &[String], from: u64, stop: &AtomicBool) -> Option<String> {
    let http = Http::new(Duration::from_secs(10)).expect("an HTTP client builds");
    let mut height = from;
    let mut node = 0;
    let mut failing_since: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        match http.client(&apis[node]).and_then(|client| client.block_if_committed(height + 1)) {
            Ok(Some(block)) => {
                let now = run.now_ns();
                for id in &block.tx_ids {
                    if let Some(&i) = run.index.get(id) {
                        run.mark_committed(i, now);
                    }
                }
                run.blocks.fetch_add(1, Ordering::Relaxed);
                height += 1;
                failing_since = None;
            }
            Ok(None) => std::thread::sleep(FOLLOW_POLL),
            Err(e) => {
                // This node stopped answering: follow the next one.
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(30) {
                    return Some(format!("no node answered for 30 s; the last error: {e:#}"));
                }
                node = (node + 1) % apis.len();
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    None
}

/// The `p`-quantile (0 to 1) of sorted values, nearest rank.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

// Long: the report's lines in order, each computed where it is printed.
fn report(
    run: &Run,
    http: &Http,
    apis: &[String],
    rate: f64,
    sent_secs: f64,
    limit: &VerificationLimit,
    follow_error: Option<String>,
) -> Result<()> {
    let total = run.txs.len();
    let count = |f: Fate| run.fate.iter().filter(|x| x.load(Ordering::Relaxed) == f as u8).count();
    let committed = run.committed.load(Ordering::Relaxed) as usize;
    let refused = count(Fate::Refused);
    let undelivered = count(Fate::Undelivered);
    let mut latencies_s: Vec<f64> = Vec::with_capacity(committed);
    let (mut first_sent, mut last_commit) = (u64::MAX, 0u64);
    for i in 0..total {
        let (sent, done) = (run.sent_ns[i].load(Ordering::Relaxed), run.committed_ns[i].load(Ordering::Relaxed));
        if sent > 0 {
            first_sent = first_sent.min(sent);
        }
        if done > 0 && sent > 0 {
            latencies_s.push(done.saturating_sub(sent) as f64 / 1e9);
            last_commit = last_commit.max(done);
        }
    }
    latencies_s.sort_by(f64::total_cmp);

    // Admitted but never seen committed: ask their node why.
    let missing: Vec<usize> = (0..total)
        .filter(|&i| run.committed_ns[i].load(Ordering::Relaxed) == 0 && run.fate[i].load(Ordering::Relaxed) <= 1)
        .collect();
    let mut later: BTreeMap<String, u64> = BTreeMap::new();
    let mut later_reasons = Vec::new();
    for &i in missing.iter().take(MAX_LOOKUPS) {
        let p = &run.txs[i];
        let status = http.get(&apis[p.api], &format!("/v1/transactions/{}", p.id));
        let what = match &status {
            Ok(Some(s)) if s["status"] == "rejected" => {
                let code = s["error"]["code"].as_str().unwrap_or("unknown").to_owned();
                if later_reasons.len() < REASONS_SHOWN {
                    later_reasons.push(format!(
                        "{}: {code}: {}",
                        apis[p.api],
                        s["error"]["message"].as_str().unwrap_or("")
                    ));
                }
                format!("rejected ({code})")
            }
            // Committed after the follower stopped.
            Ok(Some(s)) if s["status"] == "committed" => "committed after the wait".to_owned(),
            Ok(Some(s)) => s["status"].as_str().unwrap_or("unknown").to_owned(),
            Ok(None) => "unknown to its node".to_owned(),
            Err(_) => "its node is not answering".to_owned(),
        };
        *later.entry(what).or_default() += 1;
    }

    let window_s = if last_commit > first_sent { (last_commit - first_sent) as f64 / 1e9 } else { 0.0 };
    let blocks = run.blocks.load(Ordering::Relaxed);
    println!();
    println!("offered       {total} transactions at {rate} tx/s (sent in {sent_secs:.2} s)");
    println!(
        "admission     {} accepted, {refused} refused, {undelivered} not delivered",
        total - refused - undelivered
    );
    if committed > 0 {
        println!(
            "committed     {committed} in {window_s:.2} s: {:.0} tx/s ({blocks} blocks, {:.1} tx per block)",
            committed as f64 / window_s.max(1e-9),
            committed as f64 / blocks.max(1) as f64
        );
        println!(
            "latency       p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (batch sent to block seen committed)",
            quantile(&latencies_s, 0.50) * 1e3,
            quantile(&latencies_s, 0.99) * 1e3,
            latencies_s.last().copied().unwrap_or_default() * 1e3
        );
        let ceiling = limit.per_second / limit.validators as f64;
        println!(
            "limit         {:.0} hybrid verifications/s on this machine's {} cores; each of the {} validators verifies \
             every transaction, so at most {ceiling:.0} tx/s when they share this machine: ratio {:.2}",
            limit.per_second,
            limit.cores,
            limit.validators,
            committed as f64 / window_s.max(1e-9) / ceiling
        );
    } else {
        println!("committed     none ({blocks} blocks seen)");
    }
    let refusals = run.refusals.lock().expect("not poisoned");
    if !refusals.by_code.is_empty() {
        let codes: Vec<String> = refusals.by_code.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        println!("refused       {}", codes.join(", "));
        for reason in &refusals.first {
            println!("  {reason}");
        }
    }
    if !missing.is_empty() {
        let what: Vec<String> = later.iter().map(|(w, n)| format!("{w} ×{n}")).collect();
        println!(
            "not committed {} admitted transactions (of the first {} looked up: {})",
            missing.len(),
            missing.len().min(MAX_LOOKUPS),
            what.join(", ")
        );
        for reason in &later_reasons {
            println!("  {reason}");
        }
    }
    if let Some(e) = follow_error {
        bail!("could not follow the chain: {e}");
    }
    if committed < total {
        bail!(
            "{} of {total} transactions were not committed; the reasons are above (lower --rate if the mempools refused \
             them, or raise --commit-timeout-secs)",
            total - committed
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
    }

    #[test]
    fn refusals_keep_counts_and_only_the_first_reasons() {
        let mut r = Refusals::default();
        for i in 0..10 {
            r.add(if i % 2 == 0 { "bad_nonce" } else { "missing_role" }, format!("reason {i}"));
        }
        assert_eq!(r.by_code["bad_nonce"], 5);
        assert_eq!(r.by_code["missing_role"], 5);
        assert_eq!(r.first.len(), REASONS_SHOWN);
        assert_eq!(r.first[0], "reason 0");
    }
}

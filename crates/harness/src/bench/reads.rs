//! The proven-reads benchmark (`publica bench --workload reads`): `GET` reads with proofs served over HTTP, against
//! the same answers built in this process without HTTP.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) serves its REST API on a free
//! 127.0.0.1 port, with the per-address connection cap raised for the load generator. It is filled through the node
//! with `--accounts` citizen registrations (sent as fast as admission takes them: their commit rate is the node's
//! maximum write rate), [`PARCELS`] parcels of which [`TRANSFERS`] change hands by four-party transfers, and
//! [`ANCHOR_TXS`] notary anchorings, until a signed checkpoint covers them. Then, for four kinds of read:
//!
//! | kind | route | what the node does |
//! |---|---|---|
//! | account | `GET /v1/accounts/{address}` | two keys proven under the latest certified header |
//! | parcel | `GET /v1/land/parcels/{id}` | five keys proven, the boundary rendered as GeoJSON |
//! | as-of owner | `GET /v1/land/parcels/{id}/owners?at=` | the title before the transfers, under that time's header and the next |
//! | receipt | `GET /v1/notary/receipts/{hash}` | a C2SP tlog-proof under the latest signed checkpoint |
//!
//! 1. the in-process limit: the same answers (what the handlers call, and the JSON or text encoding of the same
//!    answer types) built on every core, over the same keys, with no HTTP;
//! 2. `wrk` against the API, `--connections` connections kept alive, for `--read-secs` seconds, cycling over many
//!    distinct addresses, parcels and hashes (never one hot key): once with no writes, once while citizen
//!    registrations are submitted at half the maximum write rate, and once with `If-None-Match` naming each
//!    answer's `ETag` (with no writes), which shows what revalidation by HTTP caches costs the node.
//!
//! The ratio HTTP / in-process is the part of the node's capacity to build proofs that reaches clients. `wrk`
//! itself runs on the same cores, so it takes its share of them: the ratio counts that against the API. The node
//! makes no empty block every second (its empty-block interval is an hour): an answer about the current state
//! carries the latest certified header, so every block changes it and its `ETag`, and the revalidation runs need a
//! chain at rest.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_accounts::schema::{account_key, nonce_key};
use publica_accounts::AccountRecord;
use publica_client::api::{AccountResponse, ParcelResponse};
use publica_client::{Expiry, Signer};
use publica_crypto::{Address, Keypair};
use publica_node::NodeHandle;
use publica_registry::call::{ApplicationAction, NewParcel, Party, RegistryCall, Share};
use publica_registry::schema::{geometry_key, head_key, version_key, Parcel, Record, Title};
use publica_tx::{AccountsCall, Call, NotaryCall, Transaction};
use publica_types::{codec, Hash, RecordId, Role, TxId, TxOutcome};
use rayon::prelude::*;

use super::{submit_all, BenchNode};
use crate::bench::report::out;
use crate::node::wait_committed;

/// Registrar officials sending the registrations, round-robin (each may have 1,000 transactions waiting).
const REGISTRARS: usize = 200;
/// Parcels registered, each a square of a grid.
const PARCELS: usize = 2_000;
/// Parcels that change hands by a four-party transfer; their owner before the transfer is the as-of read.
const TRANSFERS: usize = 1_000;
/// Citizens owning the parcels, each signing its own transfers.
const OWNERS: usize = 64;
/// Notaries approving the transfers.
const NOTARIES: usize = 4;
/// Anchoring transactions of [`publica_notary::call::MAX_ANCHOR_HASHES`] hashes each.
const ANCHOR_TXS: usize = 20;
/// Distinct accounts and receipts the load generator cycles over (all parcels are used).
const DISTINCT_KEYS: usize = 20_000;
/// Seconds each in-process measurement lasts, at least.
const IN_PROCESS_SECS: f64 = 3.0;
/// Largest stored account record decoded, as the API's handler allows.
const MAX_ACCOUNT_BYTES: usize = 64 * 1024;
/// Side of a parcel, in units of 1e-7 degrees.
const SIDE: i64 = 1_000;
/// Parcels per row of the grid.
const ROW: usize = 100;

/// What the reads workload is asked to do.
pub struct Params {
    /// Citizen accounts registered through the node before reading.
    pub accounts: usize,
    /// Seconds of each `wrk` run.
    pub secs: u64,
    /// Connections `wrk` keeps open.
    pub connections: usize,
}

/// One kind of proven read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Account,
    Parcel,
    AsOfOwner,
    Receipt,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Account, Kind::Parcel, Kind::AsOfOwner, Kind::Receipt];

    fn name(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Parcel => "parcel",
            Kind::AsOfOwner => "as-of owner",
            Kind::Receipt => "notary receipt",
        }
    }
}

/// What the reads are about.
struct Keys {
    accounts: Vec<Address>,
    parcels: Vec<RecordId>,
    /// Transferred parcels, asked about at `before_ms`.
    transferred: Vec<RecordId>,
    before_ms: u64,
    hashes: Vec<Hash>,
}

impl Keys {
    fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Account => self.accounts.len(),
            Kind::Parcel => self.parcels.len(),
            Kind::AsOfOwner => self.transferred.len(),
            Kind::Receipt => self.hashes.len(),
        }
    }

    /// The path of the `i`-th read of `kind`.
    fn path(&self, kind: Kind, i: usize) -> String {
        match kind {
            Kind::Account => format!("/v1/accounts/{}", self.accounts[i]),
            Kind::Parcel => format!("/v1/land/parcels/{}", self.parcels[i]),
            Kind::AsOfOwner => format!("/v1/land/parcels/{}/owners?at={}", self.transferred[i], self.before_ms),
            Kind::Receipt => format!("/v1/notary/receipts/{}", hex::encode(self.hashes[i])),
        }
    }

    /// Build the `i`-th answer of `kind` as its handler does, without HTTP; returns its size in bytes.
    fn build(&self, node: &NodeHandle, kind: Kind, i: usize) -> Result<usize> {
        match kind {
            Kind::Account => account_answer(node, self.accounts[i]),
            Kind::Parcel => parcel_answer(node, &self.parcels[i]),
            Kind::AsOfOwner => owners_answer(node, &self.transferred[i], self.before_ms),
            Kind::Receipt => Ok(String::from_utf8(node.log_receipt(&self.hashes[i])?.to_bytes())?.len()),
        }
    }
}

/// `GET /v1/accounts/{address}`'s answer, as `publica_api`'s `state::account` builds it.
fn account_answer(node: &NodeHandle, address: Address) -> Result<usize> {
    let key = account_key(&address);
    let reads = node.read_with_proofs(&[&key, &nonce_key(&address)])?;
    let proof = reads.reads[0].with_header(&reads.certified);
    let nonce_value = reads.reads[1].value.clone();
    let height = proof.certified.header.height;
    let bytes = proof.value.as_deref().context("a benchmark account is not registered")?;
    let account: AccountRecord = codec::decode_canonical("account record", bytes, MAX_ACCOUNT_BYTES)?;
    let next_nonce = match nonce_value {
        None => 0,
        Some(b) => u64::from_le_bytes(b.as_slice().try_into().context("a stored nonce is not 8 bytes")?),
    };
    Ok(serde_json::to_vec(&AccountResponse { address, height, account, next_nonce, proof })?.len())
}

/// `GET /v1/land/parcels/{id}`'s answer, as `publica_api`'s `registry::parcel` builds it (the benchmark's parcels
/// have no encumbrances).
fn parcel_answer(node: &NodeHandle, id: &RecordId) -> Result<usize> {
    let ((parcel, title, boundary), reads) = node.read(|state| {
        let parcel = publica_registry::engine::latest::<Parcel>(state, id.as_str()).context("no such parcel")?;
        let title = publica_registry::engine::latest::<Title>(state, id.as_str()).context("no title")?;
        let boundary = publica_registry::land::geometry(state, id).context("no boundary")?;
        let keys = vec![
            head_key(Parcel::KIND, id.as_str()),
            version_key(Parcel::KIND, id.as_str(), parcel.version),
            head_key(Title::KIND, id.as_str()),
            version_key(Title::KIND, id.as_str(), title.version),
            geometry_key(id),
        ];
        Ok::<_, anyhow::Error>(((parcel, title, boundary), keys))
    })?;
    let geometry = serde_json::from_str(&boundary.to_geojson())?;
    let publica_verify::CertifiedReads { certified, reads: proofs } = reads;
    let response = ParcelResponse { parcel, geometry, title, encumbrances: Vec::new(), certified, proofs };
    Ok(serde_json::to_vec(&response)?.len())
}

/// `GET /v1/land/parcels/{id}/owners?at=`'s answer, as `publica_api`'s `registry::owners` builds it.
fn owners_answer(node: &NodeHandle, id: &RecordId, at_ms: u64) -> Result<usize> {
    let (as_of, read) = node.read_as_of(at_ms, |state| {
        let as_of = publica_registry::query::title_at(state, id, at_ms);
        let keys = as_of.keys.clone();
        (as_of, keys)
    })?;
    let decision = publica_registry::verify::owners_at(id, at_ms, as_of.in_force.as_ref(), as_of.next.as_ref())?;
    let answer = publica_verify::OwnershipAnswer {
        record: id.clone(),
        at_ms,
        decision,
        certified: read.reads.certified,
        proofs: read.reads.reads,
        following: read.following,
    };
    Ok(serde_json::to_vec(&answer)?.len())
}

/// The RFC 7946 Polygon of grid cell `i`.
fn square(i: usize) -> String {
    let (x, y) = ((i % ROW) as i64 * SIDE, (i / ROW) as i64 * SIDE);
    let corner =
        |dx: i64, dy: i64| format!("[{:.7},{:.7}]", 17.0 + (x + dx) as f64 * 1e-7, 58.0 + (y + dy) as f64 * 1e-7);
    format!(
        r#"{{"type":"Polygon","coordinates":[[{},{},{},{},{}]]}}"#,
        corner(0, 0),
        corner(SIDE, 0),
        corner(SIDE, SIDE),
        corner(0, SIDE),
        corner(0, 0)
    )
}

fn whole(owner: Address) -> Vec<Share> {
    vec![Share { owner, numerator: 1, denominator: 1 }]
}

/// Signs with each key's next nonce: one [`Signer`] per key.
struct Signers<'k> {
    signers: Vec<Signer<&'k Keypair>>,
}

impl<'k> Signers<'k> {
    fn new(keys: &'k [Keypair], chain: &publica_types::ChainId, expiry: Expiry) -> Self {
        Self { signers: keys.iter().map(|k| Signer::new(k, chain.clone(), 0).expiring(expiry)).collect() }
    }

    /// Sign `calls`, each by the signer of the index beside it: nonces in order, signatures in parallel.
    fn sign_all(&mut self, calls: Vec<(usize, Call)>) -> Vec<Transaction> {
        let numbered: Vec<(usize, u64, Call)> =
            calls.into_iter().map(|(s, call)| (s, self.signers[s].take_nonce(), call)).collect();
        let signers = &self.signers;
        numbered.into_par_iter().map(|(s, nonce, call)| signers[s].sign_at(nonce, call)).collect()
    }
}

/// `count` citizen registrations, round-robin over the registrars, with new keys; returns them and the new
/// accounts' addresses.
fn registrations(signers: &mut Signers<'_>, count: usize, salt: u64) -> (Vec<Transaction>, Vec<Address>) {
    let keys: Vec<publica_types::PublicKey> =
        (0..count).into_par_iter().map(|_| Keypair::generate().public_key().clone()).collect();
    let addresses = keys.iter().map(publica_types::PublicKey::address).collect();
    let registrars = signers.signers.len();
    let calls = keys
        .into_iter()
        .enumerate()
        .map(|(i, public_key)| {
            let id_commitment = publica_crypto::sha256_concat(&[&salt.to_le_bytes(), &(i as u64).to_le_bytes()]);
            (i % registrars, Call::Accounts(AccountsCall::RegisterCitizen { public_key, id_commitment }))
        })
        .collect();
    (signers.sign_all(calls), addresses)
}

/// Submit `txs` and wait until every one is committed; returns the seconds it took.
fn commit(node: &NodeHandle, txs: &[Transaction]) -> Result<f64> {
    let started = Instant::now();
    let ids = submit_all(node, txs)?;
    wait_committed(node, &ids, Duration::from_secs(900))?;
    Ok(started.elapsed().as_secs_f64())
}

/// Run the reads workload and print its report.
// Long: one measurement's phases in order, each a few lines, sharing the node, the keys and the signed load.
pub fn run(params: &Params) -> Result<()> {
    ensure!(
        (1..=REGISTRARS * publica_node::mempool::MAX_NONCE_LOOKAHEAD).contains(&params.accounts),
        "--accounts must be 1 to {} ({REGISTRARS} registrars with at most 1,000 transactions waiting each)",
        REGISTRARS * publica_node::mempool::MAX_NONCE_LOOKAHEAD
    );
    ensure!(params.secs >= 1 && params.connections >= 1, "--read-secs and --connections must be at least 1");
    let wrk = which_wrk()?;
    out!(
        "publica bench: {} cores, {} rayon threads, workload reads: {} accounts, {PARCELS} parcels ({TRANSFERS} \
         transferred), {} anchored hashes; wrk with {} connections for {} s per run",
        std::thread::available_parallelism()?.get(),
        rayon::current_num_threads(),
        params.accounts,
        ANCHOR_TXS * publica_notary::call::MAX_ANCHOR_HASHES,
        params.connections,
        params.secs
    );
    let bench = BenchNode::new("bench-reads", "Benchmark Registry", true, |config| {
        config.mempool.txs_max = 400_000;
        // The load generator opens all its connections from 127.0.0.1.
        config.api.connections_max = config.api.connections_max.max(params.connections + 64);
        config.api.connections_per_address_max = params.connections + 64;
        // No empty block every second (see the module's doc). A single validator never waits for another's
        // proposal, so the long propose timeout this needs changes nothing measured here; while the proposer waits
        // for transactions, the engine's sync status requests wait too (its log warns of their timeouts).
        config.consensus.propose_ms = 2 * 3_600_000;
        config.consensus.empty_block_interval_ms = 3_600_000;
    })?;
    let node = bench.node();
    let base = format!("http://{}", bench.running.api_addr);
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let chain = bench.genesis.chain_id.clone();
    let expiry = Expiry::AtMs(publica_client::now_ms() + 6 * 3_600_000);

    phase("registering officials and the parcels' owners");
    let registrars: Vec<Keypair> = (0..REGISTRARS).into_par_iter().map(|_| Keypair::generate()).collect();
    let notaries: Vec<Keypair> = (0..NOTARIES).into_par_iter().map(|_| Keypair::generate()).collect();
    let owners: Vec<Keypair> = (0..OWNERS).into_par_iter().map(|_| Keypair::generate()).collect();
    let anchorer = Keypair::generate();
    let official = |key: &Keypair, roles: Vec<Role>| {
        Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles,
        })
    };
    let registrar_roles = vec![publica_registry::rules::REGISTRAR.parse()?, Role::citizen_registrar()];
    let notary_role: Role = Role::NOTARY.parse()?;
    let admin_keys = std::slice::from_ref(&bench.admin);
    let mut admin = Signers::new(admin_keys, &chain, expiry);
    let mut setup: Vec<(usize, Call)> = registrars.iter().map(|r| (0, official(r, registrar_roles.clone()))).collect();
    setup.extend(notaries.iter().map(|n| (0, official(n, vec![notary_role.clone()]))));
    setup.push((0, official(&anchorer, vec![notary_role.clone()])));
    commit(&node, &admin.sign_all(setup))?;
    let mut by_registrar = Signers::new(&registrars, &chain, expiry);
    let owner_calls = owners
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let id_commitment = publica_crypto::sha256_concat(&[b"bench-owner", &(i as u64).to_le_bytes()]);
            let call = AccountsCall::RegisterCitizen { public_key: o.public_key().clone(), id_commitment };
            (i % REGISTRARS, Call::Accounts(call))
        })
        .collect();
    commit(&node, &by_registrar.sign_all(owner_calls))?;

    phase(&format!("signing {} citizen registrations", params.accounts));
    let (fill, accounts) = registrations(&mut by_registrar, params.accounts, 1);
    phase("registering the citizens (the maximum write rate)");
    let fill_secs = commit(&node, &fill)?;
    let max_write_rate = fill.len() as f64 / fill_secs;
    drop(fill);

    phase("registering parcels and transferring some");
    let owner_of = |i: usize| owners[i % OWNERS].public_key().address();
    let buyer_of = |i: usize| owners[(i + 1) % OWNERS].public_key().address();
    let parcels: Vec<RecordId> = (0..PARCELS).map(|i| RecordId::new(format!("R-{i:06}"))).collect::<Result<_, _>>()?;
    let register: Vec<(usize, Call)> = parcels
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let parcel = NewParcel { parcel: id.clone(), geojson: square(i) };
            (i % REGISTRARS, Call::Registry(RegistryCall::RegisterParcel { parcel, owners: whole(owner_of(i)) }))
        })
        .collect();
    commit(&node, &by_registrar.sign_all(register))?;
    // The time the as-of reads ask about: after every registration, before every transfer.
    std::thread::sleep(Duration::from_millis(20));
    let before_ms = publica_client::now_ms();
    std::thread::sleep(Duration::from_millis(20));
    let mut by_owner = Signers::new(&owners, &chain, expiry);
    let opens: Vec<(usize, Call)> = (0..TRANSFERS)
        .map(|i| {
            let action = ApplicationAction::Transfer { parcel: parcels[i].clone(), new_owners: whole(buyer_of(i)) };
            let deadline_ms = publica_client::now_ms() + 3_600_000;
            (i % OWNERS, Call::Registry(RegistryCall::OpenApplication { action, deadline_ms }))
        })
        .collect();
    let opens = by_owner.sign_all(opens);
    commit(&node, &opens)?;
    let applications: Vec<u64> = opens
        .iter()
        .map(|tx| match node.tx_status(&tx.id()) {
            publica_node::TxStatus::Committed { outcome: Some(TxOutcome::Application { id }), .. } => Ok(id),
            other => bail!("transaction {} opened no application: {other:?}", tx.id()),
        })
        .collect::<Result<_>>()?;
    let approve = |application: u64, party: Party| Call::Registry(RegistryCall::Approve { application, party });
    let mut parties_by_owner = Vec::new();
    let mut parties_by_notary = Vec::new();
    for (i, &app) in applications.iter().enumerate() {
        parties_by_owner.push((i % OWNERS, approve(app, Party::Account(owner_of(i)))));
        parties_by_owner.push(((i + 1) % OWNERS, approve(app, Party::Account(buyer_of(i)))));
        parties_by_notary.push((i % NOTARIES, approve(app, Party::Role(notary_role.clone()))));
    }
    let mut by_notary = Signers::new(&notaries, &chain, expiry);
    let mut parties = by_owner.sign_all(parties_by_owner);
    parties.extend(by_notary.sign_all(parties_by_notary));
    commit(&node, &parties)?;
    let registrar_role: Role = publica_registry::rules::REGISTRAR.parse()?;
    let finals: Vec<(usize, Call)> = applications
        .iter()
        .enumerate()
        .map(|(i, &app)| (i % REGISTRARS, approve(app, Party::Role(registrar_role.clone()))))
        .collect();
    commit(&node, &by_registrar.sign_all(finals))?;

    phase("anchoring document hashes until a signed checkpoint covers them");
    let hashes = super::document_hashes(ANCHOR_TXS * publica_notary::call::MAX_ANCHOR_HASHES, 7);
    let anchor_keys = std::slice::from_ref(&anchorer);
    let mut by_anchorer = Signers::new(anchor_keys, &chain, expiry);
    let anchors = hashes
        .chunks(publica_notary::call::MAX_ANCHOR_HASHES)
        .map(|chunk| (0, Call::Notary(NotaryCall::Anchor { hashes: chunk.to_vec(), label: None })))
        .collect();
    commit(&node, &by_anchorer.sign_all(anchors))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while super::checkpoint_size(&node)? < hashes.len() as u64 {
        ensure!(Instant::now() < deadline, "no signed checkpoint covers the anchored hashes after 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }

    // Many distinct keys, spread over the whole set.
    let spread = |n: usize| -> Vec<usize> {
        let step = (n / DISTINCT_KEYS).max(1);
        (0..n).step_by(step).take(DISTINCT_KEYS).collect()
    };
    let keys = Keys {
        accounts: spread(accounts.len()).into_iter().map(|i| accounts[i]).collect(),
        transferred: parcels[..TRANSFERS].to_vec(),
        parcels,
        before_ms,
        hashes: spread(hashes.len()).into_iter().map(|i| hashes[i]).collect(),
    };

    phase("checking every answer");
    // Each answer through the router, in process: it must be a 200. The bodies' sizes go in the report.
    let router = publica_api::router(node.clone());
    let mut http_bytes = Vec::new();
    for kind in Kind::ALL {
        http_bytes.push(etags(&bench.rt, &router, &keys, kind)?.1);
    }

    phase("the in-process limit");
    let mut limits = Vec::new();
    for kind in Kind::ALL {
        let n = keys.len(kind);
        let started = Instant::now();
        let mut done = 0usize;
        while started.elapsed().as_secs_f64() < IN_PROCESS_SECS {
            (0..n).into_par_iter().try_for_each(|i| keys.build(&node, kind, i).map(drop))?;
            done += n;
        }
        let rate = done as f64 / started.elapsed().as_secs_f64();
        eprintln!("         {}: {rate:.0} answers/s in process", kind.name());
        limits.push(rate);
    }

    let dir = bench.dir.join("wrk");
    std::fs::create_dir_all(&dir)?;
    let mut quiet = Vec::new();
    let mut revalidated = Vec::new();
    for (k, kind) in Kind::ALL.into_iter().enumerate() {
        phase(&format!("wrk: {} reads, no writes", kind.name()));
        let paths: Vec<String> = (0..keys.len(kind)).map(|i| keys.path(kind, i)).collect();
        let plain = script(&dir, &format!("{k}-plain"), &paths, None)?;
        quiet.push(run_wrk(&wrk, &plain, &base, params)?);
        phase(&format!("wrk: {} reads, If-None-Match", kind.name()));
        // The tags of the answers as they are now, taken just before the run: a new block changes every answer
        // about the current state.
        let height = node.height();
        let tags = etags(&bench.rt, &router, &keys, kind)?.0;
        let conditional = script(&dir, &format!("{k}-conditional"), &paths, Some(&tags))?;
        revalidated.push(run_wrk(&wrk, &conditional, &base, params)?);
        if node.height() != height {
            eprintln!("         the chain moved from height {height} to {} during the run", node.height());
        }
    }

    let write_rate = max_write_rate / 2.0;
    // As many writes as the run lasts: the writer sends them all (stopping early would leave a gap in the
    // registrars' nonces for the next run).
    let writes_per_run = (write_rate * params.secs as f64).ceil() as usize;
    let mut busy = Vec::new();
    for (k, kind) in Kind::ALL.into_iter().enumerate() {
        phase(&format!("wrk: {} reads, writes at {write_rate:.0} tx/s", kind.name()));
        let (writes, _) = registrations(&mut by_registrar, writes_per_run, 100 + k as u64);
        let paths: Vec<String> = (0..keys.len(kind)).map(|i| keys.path(kind, i)).collect();
        let plain = script(&dir, &format!("{k}-plain"), &paths, None)?;
        let (reads, submitted) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| paced_writes(&node, &writes, write_rate));
            let reads = run_wrk(&wrk, &plain, &base, params);
            let submitted = writer.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
            Ok::<_, anyhow::Error>((reads, submitted))
        })?;
        let (ids, write_secs) = submitted?;
        wait_committed(&node, &ids, Duration::from_secs(300))?;
        busy.push((reads?, ids.len() as f64 / write_secs));
    }

    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!("| accounts in the state | {} |", params.accounts + OWNERS + REGISTRARS + NOTARIES + 1);
    out!("| state entries | {} |", node.view(|state| state.state_entries()));
    out!(
        "| maximum write rate: citizen registrations committed/s ({} txs, {fill_secs:.1} s) | {max_write_rate:.0} |",
        params.accounts
    );
    out!();
    out!(
        "| read | answer bytes | in-process reads/s (all cores) | HTTP reads/s, no writes | **ratio** | p99 | HTTP \
         reads/s, writes at {write_rate:.0} tx/s (committed) | **ratio** | p99 | revalidations/s (304) | bytes read \
         per 304, headers included |"
    );
    out!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (k, kind) in Kind::ALL.into_iter().enumerate() {
        let (q, r, (b, achieved)) = (&quiet[k], &revalidated[k], &busy[k]);
        out!(
            "| {} ({} keys) | {} | {:.0} | {:.0} | **{:.2}** | {:.1} ms | {:.0} ({achieved:.0}) | **{:.2}** | {:.1} ms \
             | {:.0} | {:.0} |",
            kind.name(),
            keys.len(kind),
            http_bytes[k],
            limits[k],
            q.rate,
            q.rate / limits[k],
            q.p99_ms,
            b.rate,
            b.rate / limits[k],
            b.p99_ms,
            r.rate,
            r.bytes_per_request
        );
    }
    for (what, runs) in [("no writes", &quiet), ("revalidation", &revalidated)] {
        for (k, run) in runs.iter().enumerate() {
            if run.errors != 0 {
                out!(
                    "| {} {what}: answers other than 2xx/3xx, or socket errors | {} |",
                    Kind::ALL[k].name(),
                    run.errors
                );
            }
        }
    }
    for (k, (run, _)) in busy.iter().enumerate() {
        if run.errors != 0 {
            out!(
                "| {} with writes: answers other than 2xx/3xx, or socket errors | {} |",
                Kind::ALL[k].name(),
                run.errors
            );
        }
    }
    drop(router);
    bench.stop(node);
    Ok(())
}

/// Every answer of `kind` through `router` in process, each checked to be a `200`: their ETags, and the size of
/// the last one.
fn etags(rt: &tokio::runtime::Runtime, router: &axum::Router, keys: &Keys, kind: Kind) -> Result<(Vec<String>, usize)> {
    let mut tags = Vec::with_capacity(keys.len(kind));
    let mut bytes = 0;
    for i in 0..keys.len(kind) {
        let path = keys.path(kind, i);
        let request = axum::http::Request::get(&path).body(axum::body::Body::empty())?;
        let (status, body) = super::answer(rt, router, request, 16 << 20)?;
        ensure!(status == axum::http::StatusCode::OK, "{path} answered {status}: {}", String::from_utf8_lossy(&body));
        bytes = body.len();
        tags.push(publica_api::cache::etag(&body));
    }
    Ok((tags, bytes))
}

/// Submit `txs` at `rate` per second; returns their ids and the seconds from the first submission until the last
/// one was committed.
fn paced_writes(node: &NodeHandle, txs: &[Transaction], rate: f64) -> Result<(Vec<TxId>, f64)> {
    let step = Duration::from_millis(10);
    let per_step = ((rate * step.as_secs_f64()).ceil() as usize).max(1);
    let started = Instant::now();
    let mut ids = Vec::new();
    for (i, chunk) in txs.chunks(per_step).enumerate() {
        let due = started + step * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let encoded: Vec<Vec<u8>> = chunk.iter().map(Transaction::encode).collect();
        for r in node.submit_batch(&encoded) {
            ids.push(r.map_err(|e| anyhow::anyhow!("a benchmark write was refused: {e}"))?);
        }
    }
    wait_committed(node, &ids, Duration::from_secs(300))?;
    Ok((ids, started.elapsed().as_secs_f64()))
}

/// `wrk` on the PATH, or how to install it.
fn which_wrk() -> Result<std::path::PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|p| p.join("wrk")).find(|p| p.is_file()))
        .unwrap_or_default();
    found.context("install wrk: apt-get install -y wrk")
}

/// Write a `wrk` script that cycles over `paths` (each thread from its own offset), sending `If-None-Match` with
/// the matching entry of `tags` when given.
fn script(
    dir: &std::path::Path,
    name: &str,
    paths: &[String],
    tags: Option<&Vec<String>>,
) -> Result<std::path::PathBuf> {
    let path = dir.join(format!("{name}.lua"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(out, "local paths = {{")?;
    for p in paths {
        writeln!(out, "  \"{p}\",")?;
    }
    writeln!(out, "}}")?;
    if let Some(tags) = tags {
        writeln!(out, "local tags = {{")?;
        for t in tags {
            // A tag is base64url between double quotes: a Lua long string holds it as it is.
            writeln!(out, "  [==[{t}]==],")?;
        }
        writeln!(out, "}}")?;
    }
    let threads_started = "local started = 0\n\
        function setup(thread)\n  thread:set(\"offset\", started * 7919)\n  started = started + 1\nend\n\
        function init(args)\n  i = (offset or 0) % #paths\nend\n";
    write!(out, "{threads_started}")?;
    let headers = if tags.is_some() { "{[\"If-None-Match\"] = tags[i]}" } else { "nil" };
    write!(out, "function request()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i], {headers})\nend\n")?;
    out.flush()?;
    Ok(path)
}

/// What one `wrk` run measured.
struct WrkRun {
    rate: f64,
    p99_ms: f64,
    bytes_per_request: f64,
    /// Answers other than 2xx and 3xx, and socket errors.
    errors: u64,
}

/// Run `wrk` with `script` against `base` and read its report.
fn run_wrk(wrk: &std::path::Path, script: &std::path::Path, base: &str, params: &Params) -> Result<WrkRun> {
    let threads = std::thread::available_parallelism()?.get().min(params.connections);
    let output = Command::new(wrk)
        .args(["--latency", "-t", &threads.to_string(), "-c", &params.connections.to_string()])
        .args(["-d", &format!("{}s", params.secs), "--timeout", "10s", "-s"])
        .arg(script)
        .arg(base)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    ensure!(output.status.success(), "wrk failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    let run = parse_wrk(&text).with_context(|| format!("reading wrk's report:\n{text}"))?;
    eprintln!(
        "         {:.0} reads/s, p99 {:.1} ms, {:.0} bytes read per answer, {} errors",
        run.rate, run.p99_ms, run.bytes_per_request, run.errors
    );
    Ok(run)
}

/// Read `wrk --latency`'s report: requests per second, the 99th percentile, bytes per request and errors.
fn parse_wrk(text: &str) -> Result<WrkRun> {
    let field = |prefix: &str| text.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix)).map(str::trim);
    let rate: f64 = field("Requests/sec:").context("no Requests/sec line")?.parse()?;
    let p99_ms = duration_ms(field("99%").context("no 99% line (is --latency given?)")?)?;
    // "123456 requests in 10.00s, 1.23GB read"
    let summary = text.lines().find(|l| l.contains(" requests in ")).context("no summary line")?;
    let requests: f64 = summary.split_whitespace().next().context("no request count")?.parse()?;
    let read = summary.rsplit(", ").next().and_then(|s| s.strip_suffix(" read")).context("no bytes read")?;
    let bytes_per_request = size_bytes(read.trim())? / requests.max(1.0);
    let mut errors = 0;
    if let Some(n) = field("Non-2xx or 3xx responses:") {
        errors += n.parse::<u64>()?;
    }
    if let Some(socket) = field("Socket errors:") {
        // "connect 0, read 0, write 0, timeout 0"
        for part in socket.split(',') {
            errors += part.split_whitespace().last().unwrap_or("0").parse::<u64>()?;
        }
    }
    Ok(WrkRun { rate, p99_ms, bytes_per_request, errors })
}

/// A `wrk` duration ("812.00us", "1.23ms", "2.00s", "1.00m") in milliseconds.
fn duration_ms(text: &str) -> Result<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).context("a duration without a unit")?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse()?;
    Ok(match unit {
        "us" => value / 1e3,
        "ms" => value,
        "s" => value * 1e3,
        "m" => value * 60e3,
        "h" => value * 3600e3,
        other => bail!("unknown duration unit {other:?}"),
    })
}

/// A `wrk` size ("1.23GB", "512.00KB", "100B") in bytes.
fn size_bytes(text: &str) -> Result<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).context("a size without a unit")?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse()?;
    let scale = match unit {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024.0f64.powi(4),
        other => bail!("unknown size unit {other:?}"),
    };
    Ok(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_reports_are_read() {
        let report = "Running 10s test @ http://127.0.0.1:1234\n  2 threads and 128 connections\n  Thread Stats   \
                      Avg      Stdev     Max   +/- Stdev\n    Latency     5.10ms    2.00ms  40.00ms   80.00%\n  \
                      Latency Distribution\n     50%    4.80ms\n     75%    6.00ms\n     90%    7.50ms\n     99%   \
                      12.30ms\n  200000 requests in 10.00s, 1.86GB read\n  Socket errors: connect 0, read 2, write 0, \
                      timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:  20000.00\nTransfer/sec:    190.00MB\n";
        let run = parse_wrk(report).unwrap();
        assert_eq!(run.rate, 20000.0);
        assert!((run.p99_ms - 12.3).abs() < 1e-9);
        assert_eq!(run.errors, 7);
        assert!((run.bytes_per_request - 1.86 * 1024.0 * 1024.0 * 1024.0 / 200000.0).abs() < 1e-6);
        assert!((duration_ms("812.00us").unwrap() - 0.812).abs() < 1e-9);
        assert_eq!(duration_ms("2.00s").unwrap(), 2000.0);
    }
}

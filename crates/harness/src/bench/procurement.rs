//! The procurement benchmark (`publica bench --workload procurement`): sealed bids, their opening and the OCDS
//! export.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) gets a procurement authority, three
//! key holders, a buyer, an evaluator, a citizen registrar and a company registrar. `--bids` citizens are registered
//! and each founds a company through the business register's application workflow (the founder opens the
//! application and approves it, the company registrar approves it last), all through the node, so that every bidder
//! is a real registry record whose director signs. The holders make a 2-of-3 sealing key by the ceremony through the
//! node (the procurement kit's `KeyHolder`: registration, deals, shares checked, the key finished after a complaint
//! deadline a few seconds away). Then, in the same run:
//!
//! 1. **Bids through one node**: one tender, and one sealed bid per company, each a [`BidContent`] padded to
//!    [`PLAINTEXT_BYTES`] (its summary and twenty documents by hash) sealed by `seal_bid` and signed by the
//!    company's director; all submitted at once through batch admission, timed from the first submission to the last
//!    commit. The physical limit is what admission must check of every bid, on every core: the hybrid signature
//!    (`verify_batch`) and the sealed box's proof (`SealedBox::verify`), over the very transactions of the load.
//! 2. **Opening**: after the opening time, holder 1 publishes its decryption shares of every bid (recorded, nothing
//!    opens), then holder 2's transaction brings every bid to the threshold and opens them all: timed from its
//!    submission to its commit, against the same opening computed directly in the same run as execution computes
//!    it (holder 2's shares verified in one batch on every core, then per bid the two shares combined, the box
//!    opened and its content decoded and checked, on one core).
//! 3. **OCDS export at the execution layer**: `--processes` tenders, each with three sealed bids from registered
//!    companies, opened by the holders' shares, scored, awarded, with a contract signed and countersigned, built by
//!    executing the module's calls directly on an in-memory copy of the node's state (no signatures, no node); then
//!    `ocds::release_package` and `ocds::record_package` for every process, on one core, against serialising the
//!    same JSON values to bytes with serde_json (the least any export of them costs).
//!
//! The OCDS part runs while the node waits for the tender's opening time, so the waiting costs nothing.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use publica_client::procurement::{seal_bid, KeyHolder};
use publica_client::{Expiry, Signer};
use publica_crypto::threshold::{self, SealedBox};
use publica_crypto::Keypair;
use publica_node::{NodeHandle, TxStatus};
use publica_procurement::call::{
    bid_aad, key_context, BidContent, BidShare, Category, Criterion, CriterionKind, Document, Item, Lot, LotPrice,
    MilestoneSpec, ProcurementCall, TenderSpec, Timeline, MAX_DOCUMENTS, MAX_SEALED_BID_BYTES, MAX_SHARES_PER_CALL,
    MAX_TEXT_BYTES,
};
use publica_procurement::ocds::{self, OcdsOptions};
use publica_procurement::schema::{self, Bid, KeyStage, Opening, SealingKey, Tender};
use publica_procurement::{AUTHORITY_ROLE, ENTITY_ROLE, EVALUATOR_ROLE, KEY_HOLDER_ROLE};
use publica_registry::call::{
    ApplicationAction, CompanyDetails, Holder, LegalForm, Officer, OfficerRole, Party, RegistryCall, Shareholding,
};
use publica_tx::{AccountsCall, Transaction};
use publica_types::{
    codec, Address, CallContext, ChainId, PublicKey, RecordId, Role, StateRead, StateWrite, TxId, TxOutcome,
};
use rayon::prelude::*;

use super::NodeWork;
use super::{commit, commit_in_rounds, committed_outcome, submit_all, BenchNode, BENCH_KDF};
use crate::bench::report::out;
use crate::node::wait_committed;

/// The size of every bid's plaintext (its borsh-encoded [`BidContent`]) in the bids through the node.
const PLAINTEXT_BYTES: usize = 10 * 1024;
/// Key holders of the sealing key, and how many open a bid.
const HOLDERS: usize = 3;
const THRESHOLD: u16 = 2;
/// The key ceremony's deadlines after its start, seconds: registration, dealing, complaints. The companies are
/// registered while they pass.
const CEREMONY_SECS: (u64, u64, u64) = (4, 8, 10);
/// The tender's bid window: this much, plus [`BID_WINDOW_PER_BID_MS`] per bid (sealing, signing, the physical limit
/// and the run itself fit in it many times over).
const BID_WINDOW_MS: u64 = 10_000;
const BID_WINDOW_PER_BID_MS: u64 = 25;
/// Nonces of each director: the application it opens, its approval, its bid.
const NONCE_OPEN: u64 = 0;
const NONCE_APPROVE: u64 = 1;
const NONCE_BID: u64 = 2;
/// Bids of each process of the OCDS export.
const PROCESS_BIDS: usize = 3;
/// Most processes of the OCDS export (each is built by about twenty executed calls and six decryption shares).
const MAX_PROCESSES: usize = 100_000;
/// Packages built, then serialised, at a time: the JSON values of every process at once would take gigabytes.
const OCDS_CHUNK: usize = 500;
/// A day and an hour, in milliseconds.
const DAY_MS: u64 = 86_400_000;
const HOUR_MS: u64 = 3_600_000;

/// What the procurement workload is asked to do.
#[derive(Clone, Debug)]
pub struct Params {
    /// Companies registered through the node, each submitting one sealed bid to the measured tender.
    pub bids: usize,
    /// Contracting processes of the OCDS export (tenders with three opened bids, an award and a contract).
    pub processes: usize,
}

/// The officials of the benchmark.
struct Actors {
    registrar: Keypair,
    company_registrar: Keypair,
    chief: Keypair,
    holders: Vec<Keypair>,
    buyer: Keypair,
    evaluator: Keypair,
}

/// A bidder: a company of the business register and its director.
struct Bidder {
    director: Keypair,
    company: RecordId,
}

/// How long each round of the companies' registration took through the node.
struct Registration {
    /// (what, transactions, seconds), in order.
    rounds: Vec<(&'static str, usize, f64)>,
}

/// The bids' run through the node.
struct BidRun {
    count: usize,
    tx_bytes: usize,
    secs: f64,
    admitted_secs: f64,
    blocks: u64,
    work: NodeWork,
    /// All-core hybrid verifications of the load's signatures, seconds.
    signatures_secs: f64,
    /// All-core `SealedBox::verify` of the load's boxes, seconds.
    boxes_secs: f64,
}

impl BidRun {
    fn rate(&self) -> f64 {
        self.count as f64 / self.secs
    }

    /// Both checks admission makes of every bid, on every core: bids per second.
    fn limit(&self) -> f64 {
        self.count as f64 / (self.signatures_secs + self.boxes_secs)
    }
}

/// One holder's shares transaction through the node.
struct SharesRun {
    tx_bytes: usize,
    /// From its submission to its commit.
    secs: f64,
    /// Until admission (which dry-runs it) returned.
    admitted_secs: f64,
    blocks: u64,
    work: NodeWork,
}

/// The opening computed directly, as execution computes it.
struct DirectOpening {
    /// Holder 2's shares verified in one batch on every core, seconds.
    verify_secs: f64,
    /// Combining, opening, decoding and checking every bid on one core, seconds.
    open_secs: f64,
}

impl DirectOpening {
    fn secs(&self) -> f64 {
        self.verify_secs + self.open_secs
    }
}

/// The OCDS export at the execution layer.
struct Export {
    processes: usize,
    /// Building the processes by executing the module's calls, seconds.
    build_secs: f64,
    /// Entries of the in-memory state the export read.
    entries: usize,
    release: PackageTimes,
    record: PackageTimes,
}

/// One kind of package for every process.
struct PackageTimes {
    /// Building the JSON values, seconds (one core).
    build_secs: f64,
    /// Serialising them to bytes with serde_json, seconds (one core).
    serialize_secs: f64,
    bytes: usize,
    releases: usize,
}

/// Run the workload and print its report.
// Long: the measurement's phases in order, each a few lines, sharing the node, the keys and the signed loads.
pub fn run(params: &Params) -> Result<()> {
    ensure!(
        (PROCESS_BIDS..=MAX_SHARES_PER_CALL).contains(&params.bids),
        "--bids must be {PROCESS_BIDS} to {MAX_SHARES_PER_CALL} (one holder's shares of every bid fit in one \
         transaction; every process of the export takes {PROCESS_BIDS} of the companies)"
    );
    ensure!((1..=MAX_PROCESSES).contains(&params.processes), "--processes must be 1 to {MAX_PROCESSES}");
    let cores = std::thread::available_parallelism()?.get();
    out!(
        "publica bench: {cores} cores, {} rayon threads, workload procurement ({} bids of {PLAINTEXT_BYTES} B, {} \
         OCDS processes)",
        rayon::current_num_threads(),
        params.bids,
        params.processes
    );
    let bench = BenchNode::new("bench-procurement", "Benchmark Procurement Office", true, |_| {})?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let chain = bench.genesis.chain_id.clone();
    let signer = |key| Signer::new(key, chain.clone(), 0).expiring(expiry);

    phase("generating keys; registering the officials");
    let actors = Actors {
        registrar: Keypair::generate(),
        company_registrar: Keypair::generate(),
        chief: Keypair::generate(),
        holders: (0..HOLDERS).map(|_| Keypair::generate()).collect(),
        buyer: Keypair::generate(),
        evaluator: Keypair::generate(),
    };
    let directors: Vec<Keypair> = (0..params.bids).into_par_iter().map(|_| Keypair::generate()).collect();
    register_officials(&bench, &node, &actors)?;

    phase("the key ceremony: registrations and deals");
    let mut holder_signers: Vec<Signer<&Keypair>> = actors.holders.iter().map(signer).collect();
    let (key_id, mut kits) = start_ceremony(&bench, &node, &actors, &mut holder_signers)?;

    phase("registering the citizens and their companies while the ceremony's deadlines pass");
    let (bidders, registration) = register_companies(&bench, &node, &actors, directors)?;

    phase("finishing the sealing key");
    let record = finish_ceremony(&node, &actors, key_id, &mut kits)?;

    phase("publishing the tender; sealing and signing the bids");
    let now = publica_client::now_ms();
    let deadline_ms = now + BID_WINDOW_MS + BID_WINDOW_PER_BID_MS * params.bids as u64;
    let opening_ms = deadline_ms + 1_000;
    let spec = tender_spec(
        "Benchmark framework agreement for road maintenance",
        Timeline {
            clarifications_until_ms: deadline_ms,
            bid_deadline_ms: deadline_ms,
            opening_ms,
            standstill_ms: 10 * DAY_MS,
        },
        key_id,
        &actors.evaluator,
    );
    let publish = signer(&actors.buyer).sign(ProcurementCall::PublishTender { tender: spec });
    let tender_id = match committed_outcome(&node, &publish)? {
        TxOutcome::Tender { id } => id,
        other => bail!("the tender's publication created {other:?}"),
    };
    let contents: Vec<BidContent> = (0..params.bids).map(padded_content).collect::<Result<_>>()?;
    let boxes: Vec<SealedBox> = bidders
        .par_iter()
        .zip(&contents)
        .map(|(b, content)| seal_bid(&chain, &record, tender_id, &b.company, content))
        .collect::<Result<_>>()?;
    let bids: Vec<Transaction> = bidders
        .par_iter()
        .zip(&boxes)
        .map(|(b, sealed)| {
            let call =
                ProcurementCall::SubmitBid { tender: tender_id, company: b.company.clone(), sealed: sealed.clone() };
            signer(&b.director).sign_at(NONCE_BID, call)
        })
        .collect();

    phase("measuring the admission limit (signatures and sealed boxes on every core), then the bids at maximum rate");
    let keys: HashMap<Address, &PublicKey> =
        bidders.iter().map(|b| (b.director.public_key().address(), b.director.public_key())).collect();
    let context = key_context(&chain, key_id);
    let signatures_secs = verification_secs(&bids, &keys)?;
    let started = Instant::now();
    boxes.par_iter().zip(&bidders).try_for_each(|(sealed, b)| {
        sealed.verify(&context, &bid_aad(tender_id, &b.company)).map_err(|e| anyhow!("a benchmark bid's box: {e}"))
    })?;
    let boxes_secs = started.elapsed().as_secs_f64();
    let bid_run = bid_run(&node, &bids, signatures_secs, boxes_secs)?;
    let (tender, stored) = tender_and_bids(&node, tender_id)?;
    ensure!(
        tender.live_bids as usize == params.bids && stored.len() == params.bids,
        "{} bids stand in the tender, {} were sent",
        tender.live_bids,
        params.bids
    );
    ensure!(publica_client::now_ms() < deadline_ms, "the bids took longer than the bid window; run with fewer --bids");

    phase("the holders make their decryption shares; the opening computed directly");
    let share_calls: Vec<ProcurementCall> = kits[..usize::from(THRESHOLD)]
        .iter()
        .map(|kit| {
            let mut calls = kit.decryption_shares(&tender, &stored)?;
            ensure!(calls.len() == 1, "one holder's shares of every bid fit in one transaction");
            Ok(calls.remove(0))
        })
        .collect::<Result<_>>()?;
    let share_lists: Vec<&[BidShare]> = share_calls
        .iter()
        .map(|call| match call {
            ProcurementCall::PublishShares { shares, .. } => Ok(shares.as_slice()),
            other => Err(anyhow!("the kit made a {} call, not shares", other.method())),
        })
        .collect::<Result<_>>()?;
    let sealed = sealed_boxes(&node, &stored, tender_id)?;
    let direct = direct_opening(&record, &context, &tender, &stored, &sealed, &share_lists)?;
    let share_txs: Vec<Transaction> =
        holder_signers.iter_mut().zip(share_calls).map(|(s, call)| s.sign(call)).collect();

    phase("OCDS at the execution layer: copying the node's state and building the processes");
    let export = export(&node, &chain, &record, &kits, &actors, &bidders, params.processes, &phase)?;

    phase("waiting for the opening time; holder 1's shares (nothing opens)");
    let wait_ms = (opening_ms + 300).saturating_sub(publica_client::now_ms());
    std::thread::sleep(Duration::from_millis(wait_ms));
    let first = shares_run(&node, &share_txs[0])?;
    let (tender, stored) = tender_and_bids(&node, tender_id)?;
    ensure!(tender.opened == 0, "{} bids opened on one holder's shares", tender.opened);
    ensure!(stored.iter().all(|b| b.shares == [1]), "holder 1's share is not recorded on every bid");

    phase("holder 2's shares open every bid");
    let second = shares_run(&node, &share_txs[1])?;
    let (tender, stored) = tender_and_bids(&node, tender_id)?;
    ensure!(tender.opened as usize == params.bids, "{} bids opened of {}", tender.opened, params.bids);
    let valid = stored.iter().filter(|b| matches!(b.opening, Some(Opening::Valid { .. }))).count();
    ensure!(valid == params.bids, "{valid} bids opened as valid bids of {}", params.bids);
    phase("done");
    bench.stop(node);

    report(params, &registration, &bid_run, &first, &second, &direct, &export);
    Ok(())
}

/// Register the officials, in the benchmark's agency (which may grant every role).
fn register_officials(bench: &BenchNode, node: &NodeHandle, actors: &Actors) -> Result<()> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let mut admin = Signer::new(&bench.admin, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let mut official = |key: &Keypair, roles: &[&str]| -> Result<Transaction> {
        Ok(admin.sign(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        }))
    };
    let mut txs = vec![
        official(&actors.registrar, &[Role::CITIZEN_REGISTRAR])?,
        official(&actors.company_registrar, &[publica_registry::rules::COMPANY_REGISTRAR])?,
        official(&actors.chief, &[AUTHORITY_ROLE])?,
        official(&actors.buyer, &[ENTITY_ROLE])?,
        official(&actors.evaluator, &[EVALUATOR_ROLE])?,
    ];
    for holder in &actors.holders {
        txs.push(official(holder, &[KEY_HOLDER_ROLE])?);
    }
    commit(node, &txs)
}

/// Start the 2-of-3 ceremony; every holder registers its encryption key and deals. Returns the key's number and
/// the holders' kits.
fn start_ceremony(
    bench: &BenchNode,
    node: &NodeHandle,
    actors: &Actors,
    holder_signers: &mut [Signer<&Keypair>],
) -> Result<(u64, Vec<KeyHolder>)> {
    let chain = &bench.genesis.chain_id;
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let start = publica_client::now_ms();
    let create =
        Signer::new(&actors.chief, chain.clone(), 0).expiring(expiry).sign(ProcurementCall::CreateSealingKey {
            name: "Benchmark bid key".into(),
            holders: actors.holders.iter().map(|k| k.public_key().address()).collect(),
            threshold: THRESHOLD,
            register_by_ms: start + CEREMONY_SECS.0 * 1_000,
            deal_by_ms: start + CEREMONY_SECS.1 * 1_000,
            complaints_by_ms: start + CEREMONY_SECS.2 * 1_000,
        });
    let key_id = match committed_outcome(node, &create)? {
        TxOutcome::SealingKey { id } => id,
        other => bail!("the ceremony's start created {other:?}"),
    };
    let passphrase = b"bench";
    let kits: Vec<KeyHolder> = actors
        .holders
        .iter()
        .enumerate()
        .map(|(j, key)| {
            KeyHolder::generate(chain, key_id, j as u16 + 1, key.public_key().address(), passphrase, BENCH_KDF)
        })
        .collect::<Result<_>>()?;
    let txs: Vec<Transaction> =
        holder_signers.iter_mut().zip(&kits).map(|(s, kit)| Ok(s.sign(kit.registration()?))).collect::<Result<_>>()?;
    commit(node, &txs)?;
    let record = sealing_key(node, key_id)?;
    let txs: Vec<Transaction> =
        holder_signers.iter_mut().zip(&kits).map(|(s, kit)| Ok(s.sign(kit.deal(&record)?))).collect::<Result<_>>()?;
    commit(node, &txs)?;
    Ok((key_id, kits))
}

/// After the complaint deadline: every holder checks its shares, the chief finishes the key, every holder takes
/// its share. Returns the finished key's record.
fn finish_ceremony(node: &NodeHandle, actors: &Actors, key_id: u64, kits: &mut [KeyHolder]) -> Result<SealingKey> {
    let record = sealing_key(node, key_id)?;
    let deals = deals(node, &record)?;
    for kit in kits.iter() {
        ensure!(kit.check_deals(&deals)?.is_empty(), "a benchmark key holder's share from another holder is bad");
    }
    // The block that finishes the key must be timed after the deadline: a little margin over this machine's clock.
    let wait_ms = (record.complaints_by_ms + 1_500).saturating_sub(publica_client::now_ms());
    std::thread::sleep(Duration::from_millis(wait_ms));
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let chain = node.chain_id().clone();
    let finish =
        Signer::new(&actors.chief, chain, 1).expiring(expiry).sign(ProcurementCall::FinishSealingKey { key: key_id });
    commit(node, std::slice::from_ref(&finish))?;
    let record = sealing_key(node, key_id)?;
    for kit in kits.iter_mut() {
        kit.take_share(&record, &deals)?;
    }
    Ok(record)
}

/// Register a citizen for every director, and a company for each through the application workflow: the founder
/// opens the application, then approves it, then the company registrar approves it, each round committed before
/// the next (the registrar's stage opens once the founders' is complete).
fn register_companies(
    bench: &BenchNode,
    node: &NodeHandle,
    actors: &Actors,
    directors: Vec<Keypair>,
) -> Result<(Vec<Bidder>, Registration)> {
    let chain = &bench.genesis.chain_id;
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let signer = |key| Signer::new(key, chain.clone(), 0).expiring(expiry);
    let mut rounds = Vec::new();
    let mut timed = |what: &'static str, txs: &[Transaction]| -> Result<()> {
        let started = Instant::now();
        commit_in_rounds(node, txs)?;
        rounds.push((what, txs.len(), started.elapsed().as_secs_f64()));
        Ok(())
    };

    let mut registrar = signer(&actors.registrar);
    let citizens: Vec<Transaction> = directors
        .iter()
        .enumerate()
        .map(|(i, key)| {
            registrar.sign(AccountsCall::RegisterCitizen {
                public_key: key.public_key().clone(),
                id_commitment: publica_crypto::sha256(format!("bench-director-{i}").as_bytes()),
            })
        })
        .collect();
    timed("citizens registered (the directors)", &citizens)?;

    let deadline_ms = publica_client::now_ms() + 30 * DAY_MS;
    let opens: Vec<Transaction> = directors
        .par_iter()
        .enumerate()
        .map(|(i, key)| {
            let director = key.public_key().address();
            let company = CompanyDetails {
                name: format!("Benchmark Roadworks {i:05} AB"),
                legal_form: LegalForm::PrivateLimited,
                registered_address: format!("Industrial Road {}, Nordvik", i + 1),
                officers: vec![Officer { account: director, role: OfficerRole::Director }],
                shareholders: vec![Shareholding { holder: Holder::Person(director), shares: 1_000 }],
                beneficial_owners: Vec::new(),
            };
            let action = ApplicationAction::RegisterCompany { company };
            signer(key).sign_at(NONCE_OPEN, RegistryCall::OpenApplication { action, deadline_ms })
        })
        .collect();
    timed("applications opened (each by its founder)", &opens)?;
    let applications: Vec<u64> = opens
        .iter()
        .map(|tx| match node.tx_status(&tx.id()) {
            TxStatus::Committed { outcome: Some(TxOutcome::Application { id }), .. } => Ok(id),
            other => Err(anyhow!("an application's opening is not committed with its number: {other:?}")),
        })
        .collect::<Result<_>>()?;

    let approvals: Vec<Transaction> = directors
        .par_iter()
        .zip(&applications)
        .map(|(key, &application)| {
            let party = Party::Account(key.public_key().address());
            signer(key).sign_at(NONCE_APPROVE, RegistryCall::Approve { application, party })
        })
        .collect();
    timed("founders' approvals", &approvals)?;

    let role: Role = publica_registry::rules::COMPANY_REGISTRAR.parse()?;
    let mut company_registrar = signer(&actors.company_registrar);
    let registrations: Vec<Transaction> = applications
        .iter()
        .map(|&application| {
            company_registrar.sign(RegistryCall::Approve { application, party: Party::Role(role.clone()) })
        })
        .collect();
    timed("company registrar's approvals (each registers its company)", &registrations)?;

    let bidders = directors
        .into_iter()
        .zip(&registrations)
        .map(|(director, tx)| match node.tx_status(&tx.id()) {
            TxStatus::Committed { outcome: Some(TxOutcome::Company { number }), .. } => {
                Ok(Bidder { director, company: RecordId::new(&number)? })
            }
            other => Err(anyhow!("a company registration is not committed with its number: {other:?}")),
        })
        .collect::<Result<_>>()?;
    Ok((bidders, Registration { rounds }))
}

/// The benchmark's tender: one lot of road works, price weighted 700 and the technical method 300, one evaluator.
fn tender_spec(title: &str, timeline: Timeline, key: u64, evaluator: &Keypair) -> TenderSpec {
    TenderSpec {
        title: title.into(),
        description: "Resurfacing and drainage of the municipal roads, in one lot.".into(),
        category: Category::Works,
        currency: "EUR".into(),
        items: vec![Item {
            description: "Road resurfacing".into(),
            cpv: "45233141-9".into(),
            quantity: 12,
            unit: "km".into(),
            lot: 0,
        }],
        lots: vec![Lot { title: "Municipal roads".into(), value: 1_200_000 }],
        criteria: vec![
            Criterion { name: "Price".into(), weight: 700, kind: CriterionKind::Price },
            Criterion { name: "Technical method and schedule".into(), weight: 300, kind: CriterionKind::Quality },
        ],
        documents: vec![Document {
            title: "Tender specification".into(),
            sha256: publica_crypto::sha256(title.as_bytes()),
            url: "https://roads.bench.example/tenders/specification.pdf".into(),
        }],
        timeline,
        sealing_key: key,
        evaluators: vec![evaluator.public_key().address()],
        allocation: None,
    }
}

/// Bidder `i`'s content, padded to exactly [`PLAINTEXT_BYTES`] of borsh: a price, twenty documents by hash, and
/// a summary that takes the rest.
fn padded_content(i: usize) -> Result<BidContent> {
    let documents: Vec<Document> = (0..MAX_DOCUMENTS)
        .map(|d| Document {
            title: format!("Technical offer, part {d:02}: method statement, schedule, staff and equipment, {i:05}")
                + &".".repeat(20),
            sha256: publica_crypto::sha256(format!("bench bid {i} document {d}").as_bytes()),
            url: format!(
                "https://bidder-{i:05}.bench.example/tenders/road-maintenance/offer/part-{d:02}.pdf?{}",
                "v=1&".repeat(25)
            ),
        })
        .collect();
    let mut content = BidContent {
        prices: vec![LotPrice { lot: 0, price: 1_000_000 + 97 * i as u64 }],
        documents,
        summary: String::new(),
    };
    let rest = PLAINTEXT_BYTES
        .checked_sub(codec::encode(&content).len())
        .context("the documents alone are above the bid's plaintext size")?;
    ensure!(rest <= MAX_TEXT_BYTES, "the summary would be {rest} bytes, above {MAX_TEXT_BYTES}");
    let sentence = "Resurfacing with recycled asphalt, night work near the harbour, a ten-year warranty. ";
    content.summary = sentence.repeat(rest / sentence.len() + 1)[..rest].to_owned();
    ensure!(codec::encode(&content).len() == PLAINTEXT_BYTES, "a bid's plaintext is not {PLAINTEXT_BYTES} bytes");
    Ok(content)
}

/// Hybrid verification of every transaction's signature on every core (`verify_batch`), seconds.
fn verification_secs(txs: &[Transaction], keys: &HashMap<Address, &PublicKey>) -> Result<f64> {
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
    let secs = started.elapsed().as_secs_f64();
    ensure!(results.iter().all(Result::is_ok), "a benchmark signature failed to verify");
    Ok(secs)
}

/// Submit every bid at once; stop the clock when the last one is committed.
fn bid_run(node: &NodeHandle, txs: &[Transaction], signatures_secs: f64, boxes_secs: f64) -> Result<BidRun> {
    let tx_bytes = txs.iter().map(|tx| tx.encode().len()).sum::<usize>() / txs.len().max(1);
    let height = node.height();
    let before = NodeWork::of(node);
    let started = Instant::now();
    let ids = submit_all(node, txs)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(node, &ids, Duration::from_secs(600))?;
    let secs = started.elapsed().as_secs_f64();
    let work = NodeWork::of(node).since(before);
    Ok(BidRun {
        count: ids.len(),
        tx_bytes,
        secs,
        admitted_secs,
        blocks: node.height() - height,
        work,
        signatures_secs,
        boxes_secs,
    })
}

/// Submit one holder's shares; time it to its commit.
fn shares_run(node: &NodeHandle, tx: &Transaction) -> Result<SharesRun> {
    let height = node.height();
    let before = NodeWork::of(node);
    let started = Instant::now();
    let ids = submit_all(node, std::slice::from_ref(tx))?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(node, &ids, Duration::from_secs(600))?;
    let secs = started.elapsed().as_secs_f64();
    let work = NodeWork::of(node).since(before);
    Ok(SharesRun { tx_bytes: tx.encode().len(), secs, admitted_secs, blocks: node.height() - height, work })
}

/// The opening of every bid as the transaction that completes their shares computes it: holder 2's shares checked
/// in one batch on every core, then each bid's two shares combined, its box opened and its content decoded and
/// checked against the tender, one bid after another.
fn direct_opening(
    record: &SealingKey,
    context: &[u8],
    tender: &Tender,
    bids: &[Bid],
    sealed: &[SealedBox],
    shares: &[&[BidShare]],
) -> Result<DirectOpening> {
    let KeyStage::Ready { verification_keys, .. } = &record.stage else {
        bail!("sealing key {} is not finished", record.id);
    };
    let (first, second) = (shares[0], shares[1]);
    ensure!(first.len() == bids.len() && second.len() == bids.len(), "a share for every bid");
    let started = Instant::now();
    let batch: Vec<_> = second
        .iter()
        .zip(bids)
        .map(|(item, bid)| (&item.share, &verification_keys[1], &bid.ephemeral, context))
        .collect();
    let verdicts = threshold::verify_decryption_shares_batch(&batch);
    let verify_secs = started.elapsed().as_secs_f64();
    ensure!(verdicts.iter().all(Result::is_ok), "a benchmark decryption share failed to verify");
    let started = Instant::now();
    for (((a, b), bid), sealed) in first.iter().zip(second).zip(bids).zip(sealed) {
        let combined = threshold::combine(&[(1, a.share.share), (2, b.share.share)], THRESHOLD)
            .map_err(|e| anyhow!("bid {}'s shares do not combine: {e}", bid.number))?;
        let plaintext = threshold::open(sealed, &combined, context, &bid_aad(tender.id, &bid.company))
            .map_err(|e| anyhow!("bid {} does not open: {e}", bid.number))?;
        let content: BidContent = codec::decode_canonical("bid", &plaintext, MAX_SEALED_BID_BYTES)
            .map_err(|e| anyhow!("bid {} decrypts to no bid: {e}", bid.number))?;
        publica_procurement::bids::check_content(tender, &content)
            .map_err(|e| anyhow!("bid {} is not a valid bid: {e}", bid.number))?;
    }
    let open_secs = started.elapsed().as_secs_f64();
    Ok(DirectOpening { verify_secs, open_secs })
}

/// An in-memory state of the harness's own: a copy of the node's committed state that the execution-layer
/// processes are built on.
struct Memory(HashMap<Vec<u8>, Vec<u8>>);

impl StateRead for Memory {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).cloned()
    }
}

impl StateWrite for Memory {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.0.insert(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.0.remove(key.as_slice());
    }
}

/// Executes the module's calls on the in-memory state, one block per call, as the node would (nothing signed).
struct Executor {
    state: Memory,
    chain: ChainId,
    height: u64,
}

impl Executor {
    fn run(&mut self, sender: &Keypair, time_ms: u64, call: &ProcurementCall) -> Result<TxOutcome> {
        self.height += 1;
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        tx[8..].copy_from_slice(&publica_crypto::sha256(b"bench-ocds-process")[..24]);
        let ctx = CallContext {
            chain_id: self.chain.clone(),
            height: self.height,
            time_ms,
            tx_id: TxId(tx),
            sender: sender.public_key().address(),
            nonce: 0,
        };
        publica_procurement::execute(&mut self.state, &ctx, call)
            .map_err(|e| anyhow!("{} refused at the execution layer: {e}", call.method()))
    }
}

/// The OCDS export: copy the node's state, build `count` processes on it by executing the module's calls, then
/// time both packages of every process against serialising them.
#[allow(clippy::too_many_arguments)]
fn export(
    node: &NodeHandle,
    chain: &ChainId,
    record: &SealingKey,
    kits: &[KeyHolder],
    actors: &Actors,
    bidders: &[Bidder],
    count: usize,
    phase: &dyn Fn(&str),
) -> Result<Export> {
    let entries = node.view(|state| {
        state
            .keys_with_prefix(b"", usize::MAX)
            .into_iter()
            .filter_map(|key| state.get(&key).map(|value| (key, value)))
            .collect::<HashMap<_, _>>()
    });
    let height = node.height();
    let mut exec = Executor { state: Memory(entries), chain: chain.clone(), height };
    let started = Instant::now();
    let base_ms = publica_client::now_ms();
    let timeline = Timeline {
        clarifications_until_ms: base_ms + 5 * DAY_MS,
        bid_deadline_ms: base_ms + 10 * DAY_MS,
        opening_ms: base_ms + 10 * DAY_MS + HOUR_MS,
        standstill_ms: 10 * DAY_MS,
    };
    let mut tenders = Vec::with_capacity(count);
    for p in 0..count {
        let spec = tender_spec(&format!("Road maintenance, district {p:06}"), timeline, record.id, &actors.evaluator);
        match exec.run(&actors.buyer, base_ms, &ProcurementCall::PublishTender { tender: spec })? {
            TxOutcome::Tender { id } => tenders.push(id),
            other => bail!("a process's publication created {other:?}"),
        }
    }
    // Bidder k of process p is company (3p + k) mod the companies: three different companies per process.
    let bidder = |p: usize, k: usize| &bidders[(PROCESS_BIDS * p + k) % bidders.len()];
    let price = |p: usize, k: usize| 900_000 + 25_000 * k as u64 + (p % 1_000) as u64;
    let sealed: Vec<Vec<SealedBox>> = tenders
        .par_iter()
        .enumerate()
        .map(|(p, &tender)| {
            (0..PROCESS_BIDS)
                .map(|k| {
                    let content = BidContent {
                        prices: vec![LotPrice { lot: 0, price: price(p, k) }],
                        documents: vec![Document {
                            title: "Technical offer".into(),
                            sha256: publica_crypto::sha256(format!("process {p} bid {k}").as_bytes()),
                            url: String::new(),
                        }],
                        summary: "Resurfacing with recycled asphalt, day work.".into(),
                    };
                    seal_bid(chain, record, tender, &bidder(p, k).company, &content)
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    phase(&format!("OCDS: {count} processes published; their bids"));
    let bid_ms = base_ms + DAY_MS;
    for (p, (&tender, boxes)) in tenders.iter().zip(sealed).enumerate() {
        for (k, sealed) in boxes.into_iter().enumerate() {
            let b = bidder(p, k);
            exec.run(&b.director, bid_ms, &ProcurementCall::SubmitBid { tender, company: b.company.clone(), sealed })?;
        }
    }
    phase("OCDS: the holders' shares");
    let calls: Vec<Vec<ProcurementCall>> = tenders
        .par_iter()
        .map(|&tender| {
            let (stored, bids) = read_process(&exec.state, tender)?;
            kits[..usize::from(THRESHOLD)]
                .iter()
                .map(|kit| {
                    let mut calls = kit.decryption_shares(&stored, &bids)?;
                    ensure!(calls.len() == 1, "one call of shares per holder and process");
                    Ok(calls.remove(0))
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    for (p, calls) in calls.iter().enumerate() {
        for (kit, call) in kits.iter().zip(calls) {
            let holder = &actors.holders[usize::from(kit.holder() - 1)];
            exec.run(holder, timeline.opening_ms, call)?;
        }
        ensure!(read_process(&exec.state, tenders[p])?.0.all_open(), "process {p}'s bids did not all open");
    }
    phase("OCDS: scores, awards and contracts");
    let award_ms = timeline.opening_ms + 2 * HOUR_MS;
    let contract_ms = award_ms + timeline.standstill_ms + HOUR_MS;
    for (p, &tender) in tenders.iter().enumerate() {
        for k in 0..PROCESS_BIDS {
            let call = ProcurementCall::ScoreBid { tender, lot: 0, bid: k as u32 + 1, scores: vec![90 - 10 * k as u8] };
            exec.run(&actors.evaluator, timeline.opening_ms + HOUR_MS, &call)?;
        }
        // The first bid is both the cheapest and the best scored: it ranks first.
        exec.run(&actors.buyer, award_ms, &ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None })?;
        let value = price(p, 0);
        let document = publica_crypto::sha256(format!("contract of process {p}").as_bytes());
        let milestones = vec![
            MilestoneSpec { title: "Resurfacing".into(), amount: value / 2, due_ms: contract_ms + 90 * DAY_MS },
            MilestoneSpec {
                title: "Drainage and handover".into(),
                amount: value - value / 2,
                due_ms: contract_ms + 180 * DAY_MS,
            },
        ];
        let sign = ProcurementCall::SignContract { tender, lot: 0, document, value, milestones, commitment: None };
        let contract = match exec.run(&actors.buyer, contract_ms, &sign)? {
            TxOutcome::Contract { id } => id,
            other => bail!("a contract's signature created {other:?}"),
        };
        let countersign = ProcurementCall::CountersignContract { contract, document };
        exec.run(&bidder(p, 0).director, contract_ms + DAY_MS, &countersign)?;
    }
    let build_secs = started.elapsed().as_secs_f64();

    phase("OCDS: release and record packages of every process, then serialising them");
    let state = &exec.state;
    let options = OcdsOptions {
        ocid_prefix: "ocds-pblc01".into(),
        publisher: "Benchmark Procurement Office".into(),
        uri_base: "https://ocds.bench.example".into(),
        published_ms: contract_ms + 2 * DAY_MS,
    };
    let release = package_times(&tenders, |id| ocds::release_package(state, chain, id, &options), "releases")?;
    let records = package_times(&tenders, |id| ocds::record_package(state, chain, id, &options), "records")?;
    ensure!(release.releases == 4 * count, "{} releases for {count} processes, not 4 each", release.releases);
    Ok(Export { processes: count, build_secs, entries: state.0.len(), release, record: records })
}

/// A tender and its bids on the in-memory state.
fn read_process(state: &Memory, id: u64) -> Result<(Tender, Vec<Bid>)> {
    let tender: Tender = schema::get(state, &schema::tender_key(id)).with_context(|| format!("tender {id}"))?;
    let bids = (1..=tender.bids)
        .map(|n| schema::get(state, &schema::bid_key(id, n)).with_context(|| format!("tender {id}'s bid {n}")))
        .collect::<Result<_>>()?;
    Ok((tender, bids))
}

/// Build a package of every tender, then serialise them, in chunks of [`OCDS_CHUNK`] on one core; `list` is the
/// package's array of processes (`releases` or `records`, whose releases are counted).
fn package_times(
    tenders: &[u64],
    build: impl Fn(u64) -> Option<serde_json::Value>,
    list: &str,
) -> Result<PackageTimes> {
    let mut times = PackageTimes { build_secs: 0.0, serialize_secs: 0.0, bytes: 0, releases: 0 };
    for chunk in tenders.chunks(OCDS_CHUNK) {
        let started = Instant::now();
        let packages: Vec<serde_json::Value> = chunk
            .iter()
            .map(|&id| build(id).with_context(|| format!("tender {id} has no package")))
            .collect::<Result<_>>()?;
        times.build_secs += started.elapsed().as_secs_f64();
        let started = Instant::now();
        for package in &packages {
            times.bytes += serde_json::to_vec(package)?.len();
        }
        times.serialize_secs += started.elapsed().as_secs_f64();
        for package in &packages {
            let items = package[list].as_array().with_context(|| format!("a package without {list}"))?;
            times.releases += match list {
                "records" => items.iter().filter_map(|r| r["releases"].as_array()).map(Vec::len).sum(),
                _ => items.len(),
            };
        }
    }
    Ok(times)
}

/// A tender and all its bids on the node's committed state.
fn tender_and_bids(node: &NodeHandle, id: u64) -> Result<(Tender, Vec<Bid>)> {
    node.view(|state| {
        let tender: Tender =
            schema::get(state, &schema::tender_key(id)).with_context(|| format!("the benchmark's tender {id}"))?;
        let bids = (1..=tender.bids)
            .map(|n| schema::get(state, &schema::bid_key(id, n)).with_context(|| format!("the tender's bid {n}")))
            .collect::<Result<_>>()?;
        Ok((tender, bids))
    })
}

/// The current sealed box of each of a tender's bids on the node's committed state, in the bids' order.
fn sealed_boxes(node: &NodeHandle, bids: &[Bid], tender: u64) -> Result<Vec<SealedBox>> {
    node.view(|state| {
        bids.iter()
            .map(|bid| {
                schema::get(state, &schema::sealed_box_key(tender, bid.number))
                    .with_context(|| format!("bid {}'s sealed box", bid.number))
            })
            .collect()
    })
}

/// A sealing key's record on the node's committed state.
fn sealing_key(node: &NodeHandle, id: u64) -> Result<SealingKey> {
    node.view(|state| schema::get(state, &schema::sealing_key_key(id))).with_context(|| format!("sealing key {id}"))
}

/// The deals recorded for a sealing key, by dealer.
fn deals(node: &NodeHandle, record: &SealingKey) -> Result<Vec<(u16, threshold::Deal)>> {
    node.view(|state| {
        (1..=record.holders.len() as u16)
            .map(|i| {
                schema::get(state, &schema::deal_key(record.id, i))
                    .map(|d| (i, d))
                    .with_context(|| format!("holder {i}'s deal is not on the ledger"))
            })
            .collect()
    })
}

/// Print the Markdown report.
fn report(
    params: &Params,
    registration: &Registration,
    bids: &BidRun,
    first: &SharesRun,
    second: &SharesRun,
    direct: &DirectOpening,
    export: &Export,
) {
    let n = bids.count as f64;
    out!();
    out!("### Setting up through the node");
    out!();
    out!("| round | transactions | seconds | per second |");
    out!("|---|---|---|---|");
    for (what, count, secs) in &registration.rounds {
        out!("| {what} | {count} | {secs:.2} | {:.0} |", *count as f64 / secs);
    }

    out!();
    out!("### Sealed bids through one node (production path)");
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!(
        "| hybrid signature verification of the bids, all cores (`verify_batch`) | {:.1} µs per bid, wall ({:.0}/s) |",
        bids.signatures_secs * 1e6 / n,
        n / bids.signatures_secs
    );
    out!(
        "| `SealedBox::verify` of the bids' boxes, all cores | {:.1} µs per bid, wall ({:.0}/s) |",
        bids.boxes_secs * 1e6 / n,
        n / bids.boxes_secs
    );
    out!("| physical limit: both checks of every bid, all cores | {:.0} bids/s |", bids.limit());
    out!(
        "| committed bids/s ({} bids of {} B from {} companies' directors, one tender, {:.2} s over {} blocks; \
         admission took {:.2} s) | {:.0} |",
        bids.count,
        bids.tx_bytes,
        params.bids,
        bids.secs,
        bids.blocks,
        bids.admitted_secs,
        bids.rate()
    );
    out!("| **ratio committed / physical limit** | **{:.2}** |", bids.rate() / bids.limit());
    out!(
        "| blocks executed by the proposer / stored at commit, µs per bid | {:.1} / {:.1} |",
        bids.work.execute_secs * 1e6 / n,
        bids.work.store_secs * 1e6 / n
    );

    out!();
    out!("### Opening {} bids (2 of 3 holders)", bids.count);
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    for (what, run) in
        [("holder 1's shares (recorded, nothing opens)", first), ("holder 2's shares (opens every bid)", second)]
    {
        out!(
            "| {what}: transaction size; submission to commit (admission, with its dry run: {:.2} s; {} blocks; \
             proposer's execution {:.2} s, storing {:.2} s) | {:.1} KB; {:.2} s |",
            run.admitted_secs,
            run.blocks,
            run.work.execute_secs,
            run.work.store_secs,
            run.tx_bytes as f64 / 1e3,
            run.secs
        );
    }
    out!(
        "| the same opening computed directly: holder 2's shares verified in one batch on all cores / combined, \
         opened, decoded and checked bid by bid on one core | {:.3} s / {:.3} s = **{:.3} s** |",
        direct.verify_secs,
        direct.open_secs,
        direct.secs()
    );
    out!("| **ratio direct / through the node** | **{:.2}** |", direct.secs() / second.secs);

    out!();
    out!("### OCDS export of {} processes at the execution layer (one core)", export.processes);
    out!();
    out!(
        "Each process: a tender, {PROCESS_BIDS} sealed bids from registered companies opened by two holders' shares, \
         scores, an award, a contract signed and countersigned; built by executing the module's calls on an \
         in-memory copy of the node's state in {:.1} s ({} state entries after).",
        export.build_secs,
        export.entries
    );
    out!();
    out!(
        "| package | releases | JSON per process | build, per process | serialise (serde_json), per process | \
         processes/s built | **ratio to serialising** |"
    );
    out!("|---|---|---|---|---|---|---|");
    for (what, t) in [("`release_package`", &export.release), ("`record_package`", &export.record)] {
        let per = export.processes as f64;
        out!(
            "| {what} | {} | {:.1} KB | {:.0} µs | {:.0} µs | {:.0} | **{:.2}** |",
            t.releases,
            t.bytes as f64 / per / 1e3,
            t.build_secs * 1e6 / per,
            t.serialize_secs * 1e6 / per,
            per / t.build_secs,
            t.serialize_secs / t.build_secs
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_padded_bid_is_exactly_the_plaintext_size_with_a_summary_within_its_limit() {
        for i in [0, 7, 99_999] {
            let content = padded_content(i).unwrap();
            assert_eq!(codec::encode(&content).len(), PLAINTEXT_BYTES);
            assert!(content.summary.len() <= MAX_TEXT_BYTES);
        }
    }

    /// The whole workload on a real node at a tiny size: every check of the run (each company registered, every
    /// bid committed, nothing opened on one holder's shares, every bid opened and valid on the second's, every
    /// process exported with its four releases) must pass.
    #[test]
    fn the_workload_runs_end_to_end_at_a_tiny_size() {
        run(&Params { bids: 6, processes: 10 }).unwrap();
    }
}

//! The parcels benchmark (`publica bench --workload parcels`): the land registry through a node.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) is filled with `--parcels`
//! registered parcels, then it measures, each through signed transactions admitted like the API's:
//!
//! 1. parcel registration with the overlap check through the spatial index, with those parcels present
//!    (`--txs` more parcels), against the physical limit measured in the same run (raw hybrid verifications/s
//!    over the same transactions);
//! 2. four-party transfers: the seller opens an application, seller, buyer and a notary approve, then the
//!    registrar: five transactions per transfer, sent in the three waves their order allows;
//! 3. "who owned parcel X at time D": the node's answer with its state proofs, and the verifier's offline check of
//!    it (certificate, Merkle proofs, the decision from the proven versions), for parcels transferred in step 2.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_client::{Expiry, Signer};
use publica_crypto::{Address, Keypair};
use publica_registry::call::{ApplicationAction, NewParcel, Party, RegistryCall, Share};
use publica_registry::verify::OwnershipAt;
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::RecordId;
use publica_types::{Role, TxOutcome};
use rayon::prelude::*;

use super::{submit_all, BenchNode};
use crate::bench::report::out;
use crate::node::wait_committed;

/// Side of a benchmark parcel, in units of 1e-7 degrees (about 11 m north–south).
const SIDE: i64 = 1_000;
/// Parcels per row of the grid.
const ROW: usize = 500;
/// South-west corner of the grid, degrees (a plain at 59.3° N, 18.0° E).
const ORIGIN: (f64, f64) = (18.0, 59.3);
/// Owners of the benchmark's parcels; each signs its own transfers.
const CITIZENS: usize = 256;
/// Notaries approving transfers (each may have 1,000 transactions waiting).
const NOTARIES: usize = 8;
/// Parcels whose "as-of" answer is timed.
const AS_OF_QUERIES: usize = 200;

/// What the parcels workload is asked to do.
pub struct Params {
    /// Parcels registered before anything is measured.
    pub preload: usize,
    /// Parcels registered in the measured run.
    pub txs: usize,
    /// Four-party transfers.
    pub transfers: usize,
    /// Registrar officials sending the registrations.
    pub senders: usize,
    /// Whether the node keeps past states (`[storage] past_states`).
    pub past_states: bool,
}

/// The RFC 7946 Polygon of grid cell `i`: a square, counter-clockwise, sharing edges with its neighbours.
fn square(i: usize) -> String {
    let (x, y) = ((i % ROW) as i64 * SIDE, (i / ROW) as i64 * SIDE);
    let corner = |dx: i64, dy: i64| {
        let lon = ORIGIN.0 + (x + dx) as f64 * 1e-7;
        let lat = ORIGIN.1 + (y + dy) as f64 * 1e-7;
        format!("[{lon:.7},{lat:.7}]")
    };
    format!(
        r#"{{"type":"Polygon","coordinates":[[{},{},{},{},{}]]}}"#,
        corner(0, 0),
        corner(SIDE, 0),
        corner(SIDE, SIDE),
        corner(0, SIDE),
        corner(0, 0)
    )
}

fn parcel_id(i: usize) -> Result<RecordId> {
    Ok(RecordId::new(format!("B-{i:07}"))?)
}

fn whole(owner: Address) -> Vec<Share> {
    vec![Share { owner, numerator: 1, denominator: 1 }]
}

/// Signs transactions with each key's next nonce: one [`Signer`] per key, made on its first transaction.
struct Signers<'k> {
    chain: publica_types::ChainId,
    expires_at_ms: u64,
    by_key: HashMap<Address, Signer<&'k Keypair>>,
}

impl<'k> Signers<'k> {
    /// Assign nonces in order, then sign in parallel.
    fn sign_all(&mut self, calls: Vec<(&'k Keypair, Call)>) -> Vec<Transaction> {
        let Self { chain, expires_at_ms, by_key } = self;
        let numbered: Vec<(Address, u64, Call)> = calls
            .into_iter()
            .map(|(key, call)| {
                let signer = by_key
                    .entry(key.public_key().address())
                    .or_insert_with(|| Signer::new(key, chain.clone(), 0).expiring(Expiry::AtMs(*expires_at_ms)));
                (signer.sender(), signer.take_nonce(), call)
            })
            .collect();
        let by_key = &*by_key;
        numbered.into_par_iter().map(|(sender, nonce, call)| by_key[&sender].sign_at(nonce, call)).collect()
    }
}

fn approve(key: &Keypair, application: u64, party: Party) -> (&Keypair, Call) {
    (key, Call::Registry(RegistryCall::Approve { application, party }))
}

/// Submit in waves of `wave`, waiting for each to commit (a sender may have 1,000 transactions waiting); returns
/// the seconds it took.
fn commit(node: &publica_node::NodeHandle, txs: &[Transaction], wave: usize) -> Result<f64> {
    Ok(commit_timed(node, txs, wave)?.0)
}

/// [`commit`], also returning the seconds spent submitting (admission's share of the time).
fn commit_timed(node: &publica_node::NodeHandle, txs: &[Transaction], wave: usize) -> Result<(f64, f64)> {
    let started = Instant::now();
    let mut submitting = Duration::ZERO;
    for wave in txs.chunks(wave) {
        let submitted = Instant::now();
        let ids = submit_all(node, wave)?;
        submitting += submitted.elapsed();
        wait_committed(node, &ids, Duration::from_secs(900))?;
    }
    Ok((started.elapsed().as_secs_f64(), submitting.as_secs_f64()))
}

/// Run the parcels workload and print its report.
// Long: one measurement's phases in order, each a few lines, sharing the keys and the signed transactions.
pub fn run(params: &Params) -> Result<()> {
    let total = params.preload + params.txs;
    if params.senders == 0 {
        bail!("--senders must be at least 1");
    }
    // Registrations go round-robin over the registrars, so a wave of this many leaves each at most 500 waiting.
    let wave = params.senders * 500;
    // Each citizen opens and approves about 3 × transfers / CITIZENS, each notary transfers / NOTARIES.
    let transfers_max = (1000 * NOTARIES).min(1000 * CITIZENS / 3).min(1000 * params.senders);
    if params.transfers > params.preload || params.transfers > transfers_max {
        bail!("--transfers must be at most --parcels and {transfers_max}");
    }
    out!(
        "publica bench: {} cores, workload parcels: {} parcels present, {} registered, {} transfers",
        std::thread::available_parallelism()?.get(),
        params.preload,
        params.txs,
        params.transfers
    );
    let bench = BenchNode::new("bench-land", "Benchmark Land Registry", true, |config| {
        config.mempool.txs_max = 400_000;
        config.storage.past_states = params.past_states;
    })?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let mut signer = Signers {
        chain: bench.genesis.chain_id.clone(),
        expires_at_ms: publica_client::now_ms() + 6 * 3_600_000,
        by_key: HashMap::new(),
    };

    phase("registering officials and citizens");
    let registrars: Vec<Keypair> = (0..params.senders).into_par_iter().map(|_| Keypair::generate()).collect();
    let notaries: Vec<Keypair> = (0..NOTARIES).into_par_iter().map(|_| Keypair::generate()).collect();
    let citizens: Vec<Keypair> = (0..CITIZENS).into_par_iter().map(|_| Keypair::generate()).collect();
    let official = |key: &Keypair, roles: Vec<Role>| {
        Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles,
        })
    };
    let registrar_roles = vec![publica_registry::rules::REGISTRAR.parse()?, Role::citizen_registrar()];
    let mut setup: Vec<(&Keypair, Call)> =
        registrars.iter().map(|r| (&bench.admin, official(r, registrar_roles.clone()))).collect();
    setup.extend(notaries.iter().map(|n| (&bench.admin, official(n, vec![Role::NOTARY.parse().expect("a role")]))));
    let setup = signer.sign_all(setup);
    commit(&node, &setup, wave)?;
    let citizen_calls: Vec<(&Keypair, Call)> = citizens
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let call = AccountsCall::RegisterCitizen {
                public_key: c.public_key().clone(),
                id_commitment: publica_crypto::sha256(&(i as u64).to_le_bytes()),
            };
            (&registrars[i % registrars.len()], Call::Accounts(call))
        })
        .collect();
    let citizen_txs = signer.sign_all(citizen_calls);
    commit(&node, &citizen_txs, wave)?;

    let owner = |i: usize| citizens[i % CITIZENS].public_key().address();
    let registration = |i: usize| -> Result<(&Keypair, Call)> {
        let call = RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: parcel_id(i)?, geojson: square(i) },
            owners: whole(owner(i)),
        };
        Ok((&registrars[i % registrars.len()], Call::Registry(call)))
    };

    phase(&format!("registering {} parcels before measuring", params.preload));
    let preload: Vec<(&Keypair, Call)> = (0..params.preload).map(registration).collect::<Result<_>>()?;
    let preload = signer.sign_all(preload);
    let preload_secs = commit(&node, &preload, wave)?;
    drop(preload);

    phase("signing the measured registrations");
    let load: Vec<(&Keypair, Call)> = (params.preload..total).map(registration).collect::<Result<_>>()?;
    let load = signer.sign_all(load);

    phase("measuring the verification limit");
    let keys: HashMap<Address, &publica_types::PublicKey> =
        registrars.iter().map(|k| (k.public_key().address(), k.public_key())).collect();
    let messages: Vec<Vec<u8>> = load.iter().map(|tx| tx.body.signing_bytes()).collect();
    let items: Vec<(&publica_types::PublicKey, &[u8], &publica_types::Signature)> =
        load.iter().zip(&messages).map(|(tx, m)| (keys[&tx.body.sender], m.as_slice(), &tx.signature)).collect();
    let started = Instant::now();
    let results = publica_crypto::verify_batch(&items);
    let verify_rate = items.len() as f64 / started.elapsed().as_secs_f64();
    ensure!(results.iter().all(|r| r.is_ok()), "a benchmark signature failed to verify");

    phase("measured registrations");
    let (work_before, height_before) = (super::NodeWork::of(&node), node.height());
    let (register_secs, admitted_secs) = commit_timed(&node, &load, wave)?;
    let (work, blocks) = (super::NodeWork::of(&node).since(work_before), node.height() - height_before);
    let register_rate = load.len() as f64 / register_secs;

    phase("four-party transfers");
    // Parcel j (owned by citizen j) goes to citizen j + 1.
    let buyer = |j: usize| citizens[(j + 1) % CITIZENS].public_key().address();
    let before_transfers = publica_client::now_ms();
    let opens: Vec<(&Keypair, Call)> = (0..params.transfers)
        .map(|j| {
            let action = ApplicationAction::Transfer { parcel: parcel_id(j)?, new_owners: whole(buyer(j)) };
            let call = RegistryCall::OpenApplication { action, deadline_ms: signer.expires_at_ms };
            Ok((&citizens[j % CITIZENS], Call::Registry(call)))
        })
        .collect::<Result<_>>()?;
    let opens = signer.sign_all(opens);
    let open_secs = commit(&node, &opens, usize::MAX)?;
    // Which application each transfer got (numbers follow the order of the block, not of submission): the outcome
    // of each committed opening.
    let application_of: Vec<u64> = opens
        .iter()
        .map(|tx| match node.tx_status(&tx.id()) {
            publica_node::TxStatus::Committed { outcome: Some(TxOutcome::Application { id }), .. } => Ok(id),
            other => bail!("transaction {} opened no application: {other:?}", tx.id()),
        })
        .collect::<Result<_>>()?;
    let notary_role: Role = Role::NOTARY.parse()?;
    let mut parties: Vec<(&Keypair, Call)> = Vec::with_capacity(3 * params.transfers);
    for (j, &app) in application_of.iter().enumerate() {
        parties.push(approve(&citizens[j % CITIZENS], app, Party::Account(owner(j))));
        parties.push(approve(&citizens[(j + 1) % CITIZENS], app, Party::Account(buyer(j))));
        parties.push(approve(&notaries[j % NOTARIES], app, Party::Role(notary_role.clone())));
    }
    let parties = signer.sign_all(parties);
    let parties_secs = commit(&node, &parties, usize::MAX)?;
    let registrar_role: Role = publica_registry::rules::REGISTRAR.parse()?;
    let finals: Vec<(&Keypair, Call)> = application_of
        .iter()
        .enumerate()
        .map(|(j, &app)| approve(&registrars[j % registrars.len()], app, Party::Role(registrar_role.clone())))
        .collect();
    let finals = signer.sign_all(finals);
    let finals_secs = commit(&node, &finals, usize::MAX)?;
    // The node's time: the three waves, without the client's lookups and signing between them.
    let transfer_secs = open_secs + parties_secs + finals_secs;
    let transfer_txs = opens.len() + parties.len() + finals.len();

    phase("as-of queries");
    // Who owned each of the first parcels just before the transfers: the seller, decided from proven versions.
    let queried: Vec<usize> = (0..params.transfers.min(AS_OF_QUERIES)).collect();
    let sets = publica_verify::VerifiedSets::genesis_only(&bench.genesis);
    let mut answers = Vec::with_capacity(queried.len());
    let started = Instant::now();
    for &j in &queried {
        let id = parcel_id(j)?;
        // As the API answers: proofs under the header of the block in force at that time, from the kept nodes.
        let (as_of, read) = node.read_as_of(before_transfers, |state| {
            let as_of = publica_registry::query::title_at(state, &id, before_transfers);
            let keys = as_of.keys.clone();
            (as_of, keys)
        })?;
        let decision =
            publica_registry::verify::owners_at(&id, before_transfers, as_of.in_force.as_ref(), as_of.next.as_ref())?;
        answers.push(publica_verify::OwnershipAnswer {
            record: id,
            at_ms: before_transfers,
            decision,
            certified: read.reads.certified,
            proofs: read.reads.reads,
            following: read.following,
        });
    }
    let query_us = started.elapsed().as_secs_f64() * 1e6 / queried.len().max(1) as f64;
    let answer_bytes = answers.first().map(|a| serde_json::to_vec(a).map(|v| v.len())).transpose()?.unwrap_or(0);
    let started = Instant::now();
    for (&j, answer) in queried.iter().zip(&answers) {
        let verified = publica_verify::verify_ownership(answer, &sets).context("an as-of answer failed to verify")?;
        // With past states kept, the proofs lead to the block in force at the time; without, to the latest one.
        let expected = params.past_states == matches!(verified.coverage, publica_verify::Coverage::InForce { .. });
        if !expected {
            bail!(
                "parcel {} was proven with coverage {:?}, past states kept: {}",
                answer.record,
                verified.coverage,
                params.past_states
            );
        }
        match verified.decision {
            OwnershipAt::Owned { owners, .. } if owners.len() == 1 && owners[0].account == owner(j) => {}
            other => {
                bail!("parcel {} before its transfer: expected its seller, the proofs say {other:?}", answer.record)
            }
        }
    }
    let verify_us = started.elapsed().as_secs_f64() * 1e6 / queried.len().max(1) as f64;

    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!("| past states kept (`[storage] past_states`) | {} |", params.past_states);
    out!("| parcels present before the measured run | {} (registered in {preload_secs:.1} s) |", params.preload);
    out!("| raw hybrid verifications/s (all cores, verify_batch, same transactions) | {verify_rate:.0} |");
    out!(
        "| parcel registrations/s with the overlap check ({} txs, {register_secs:.2} s; admission took \
         {admitted_secs:.2} s) | {register_rate:.0} |",
        load.len()
    );
    out!("| ratio registrations / raw verification | {:.2} |", register_rate / verify_rate);
    out!(
        "| registrations: blocks; pending transactions executed again after commits, by admissions; runs carried, \
         left to the proposal | {blocks}; {}, {}; {}, {} |",
        work.revalidated,
        work.admission_reexecuted,
        work.carried,
        work.proposed
    );
    out!(
        "| four-party transfers/s ({} transfers, {transfer_txs} txs in {transfer_secs:.2} s: opening {open_secs:.2} s, \
         seller + buyer + notary {parties_secs:.2} s, registrar {finals_secs:.2} s) | {:.0} ({:.0} tx/s) |",
        params.transfers,
        params.transfers as f64 / transfer_secs,
        transfer_txs as f64 / transfer_secs
    );
    out!("| as-of answer with its proofs, at the node ({} parcels) | {query_us:.0} µs |", queried.len());
    out!("| as-of answer (JSON: proofs and the following header) | {answer_bytes} bytes |");
    out!("| offline check of an as-of answer (certificates, Merkle proofs, decision) | {verify_us:.0} µs |");
    out!(
        "| store on disk after the run (of which state tree nodes kept for past roots) | {:.0} MB ({:.0} MB) |",
        node.disk_space() as f64 / 1e6,
        node.state_nodes_disk_space() as f64 / 1e6
    );
    bench.stop(node);
    Ok(())
}

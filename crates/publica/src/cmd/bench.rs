//! `publica bench`: measure the node on this machine.
//!
//! Everything runs in this process on the production path: a single-validator network started with
//! [`super::node::launch`] (consensus engine, networking on 127.0.0.1, store with `fdatasync` per block), fed
//! through the same admission function the API calls. In the same run it measures the physical limit, raw hybrid
//! signature verifications per second on all cores, so the throughput can be read as a fraction of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::{NodeConfig, NodeHandle};
use publica_types::{
    AccountsCall, AgencyId, Call, Genesis, GenesisAccount, GenesisAgency, Role, Transaction, TxBody, TxId, ValidatorSet,
};
use rayon::prelude::*;

use super::wait_committed;
use crate::home::{free_local_addr, write_home};

/// Arguments of `publica bench`.
#[derive(ClapArgs)]
pub struct Args {
    /// Transactions for the maximum-rate run.
    #[arg(long, default_value_t = 24_000)]
    txs: usize,
    /// Sending accounts (registrar officials); at most 1,000 transactions each.
    #[arg(long, default_value_t = 48)]
    senders: usize,
    /// Seconds of the half-rate latency run.
    #[arg(long, default_value_t = 10)]
    latency_secs: u64,
    /// What the load does.
    #[arg(long, value_enum, default_value_t = Workload::Registrations)]
    workload: Workload,
}

/// The transactions of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Workload {
    /// Registrar officials register citizens: 5.4 KB transactions that each carry a new hybrid public key to
    /// validate and create three state entries.
    Registrations,
    /// Agency administrators update an official's roles: 3.5 KB transactions, no key inside, two state writes.
    RoleUpdates,
}

/// Run the benchmarks and print a report.
pub fn run(args: Args) -> Result<()> {
    if args.senders == 0 || args.txs / args.senders > 1000 {
        bail!("--txs / --senders must be at most 1000 (the per-sender mempool limit)");
    }
    let threads = rayon::current_num_threads();
    println!(
        "publica bench: {} cores, {} rayon threads, workload {:?}",
        std::thread::available_parallelism()?.get(),
        threads,
        args.workload
    );

    let dir = tempfile::tempdir()?;
    let home = dir.path().join("node");
    let validator = Keypair::generate();
    let admin = Keypair::generate();
    let agency: AgencyId = "bench-registry".parse()?;
    let genesis = Genesis {
        chain_id: "publica-bench".parse()?,
        genesis_time_ms: publica_node::shared::now_ms(),
        agencies: vec![GenesisAgency {
            id: agency.clone(),
            name: "Benchmark Registry".into(),
            can_register_citizens: true,
            admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
        }],
        validators: ValidatorSet::single(&validator),
    };
    let mut config = NodeConfig::new("bench", free_local_addr()?, free_local_addr()?);
    config.mempool.txs_max = 400_000;
    std::fs::create_dir_all(&home)?;
    let pass_path = dir.path().join("pass");
    std::fs::write(&pass_path, "bench")?;
    let pass = Passphrase::from_file(&pass_path)?;
    write_home(&home, &config, &genesis, &validator, &pass, KdfParams { m_kib: 1024, t: 1, p: 1 })?;

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
    let rt = super::node::runtime()?;
    let running = rt.block_on(super::node::launch(&home, validator))?;
    let node = running.handle();
    let chain = genesis.chain_id.clone();
    let expires = publica_node::shared::now_ms() + 3_600_000;
    let sign = |key: &Keypair, nonce: u64, call: AccountsCall| {
        TxBody {
            chain_id: chain.clone(),
            sender: key.public_key().address(),
            nonce,
            expires_at_ms: expires,
            call: Call::Accounts(call),
        }
        .sign(key)
    };

    // The sending officials (registrars, or administrators), and the official whose roles the second workload
    // updates.
    let updated = Keypair::generate();
    let sender_role = match args.workload {
        Workload::Registrations => Role::citizen_registrar(),
        Workload::RoleUpdates => Role::admin(),
    };
    let mut setup: Vec<Transaction> = officials
        .iter()
        .enumerate()
        .map(|(i, o)| {
            sign(
                &admin,
                i as u64,
                AccountsCall::RegisterOfficial {
                    public_key: o.public_key().clone(),
                    agency: agency.clone(),
                    roles: vec![sender_role.clone()],
                },
            )
        })
        .collect();
    setup.push(sign(
        &admin,
        officials.len() as u64,
        AccountsCall::RegisterOfficial {
            public_key: updated.public_key().clone(),
            agency: agency.clone(),
            roles: vec!["clerk".parse()?],
        },
    ));
    phase("registering the sending officials");
    let ids = submit_all(&node, &setup)?;
    wait_committed(&node, &ids, Duration::from_secs(120))?;
    phase("signing the load");

    // Citizen registrations, round-robin over the officials, nonces in order per official.
    progress.reset();
    let per_sender_nonce = Mutex::new(vec![0u64; args.senders]);
    let (clerk, surveyor): (Role, Role) = ("clerk".parse()?, "surveyor".parse()?);
    let make = |range: std::ops::Range<usize>| -> Vec<Transaction> {
        let assigned: Vec<(usize, u64, usize)> = {
            let mut nonces = per_sender_nonce.lock().expect("not poisoned");
            range
                .map(|i| {
                    let s = i % args.senders;
                    let n = nonces[s];
                    nonces[s] += 1;
                    (s, n, i)
                })
                .collect()
        };
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
                };
                sign(&officials[s], n, call)
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
    let base_txs = committed_txs(&node);
    let started = Instant::now();
    let ids = submit_all(&node, &load)?;
    let admitted_secs = started.elapsed().as_secs_f64();
    wait_committed(&node, &ids, Duration::from_secs(600))?;
    let elapsed = started.elapsed().as_secs_f64();
    let committed = committed_txs(&node) - base_txs;
    let max_rate = committed as f64 / elapsed;

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

    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!("| raw hybrid verifications/s (all cores, verify_batch) | {verify_rate:.0} |");
    println!("| committed tx/s at maximum rate ({committed} txs, {elapsed:.2} s; admission took {admitted_secs:.2} s) | {max_rate:.0} |");
    println!("| ratio committed / raw verification | {:.2} |", max_rate / verify_rate);
    println!("| half-rate run: offered {target:.0} tx/s, committed {achieved:.0} tx/s, {count} txs | |");
    println!("| submission to commit p50 at half rate | {:.1} ms |", p50 * 1e3);
    println!("| submission to commit p99 at half rate | {:.1} ms |", p99 * 1e3);
    println!("| state entries | {} |", node.committed.read().tree.len());
    println!("| proof document (JSON) | {} bytes |", json.len());
    println!("| Merkle proof (borsh) / certificate (borsh) | {merkle_bytes} / {cert_bytes} bytes |");
    println!("| offline verification, certificate + Merkle proof | {full_us:.0} µs |");
    println!("| offline verification, Merkle proof only | {merkle_us:.2} µs |");

    rt.block_on(running.stop());
    Ok(())
}

fn committed_txs(node: &NodeHandle) -> u64 {
    node.metrics.txs_committed.get()
}

/// Submit in chunks through batch admission; every transaction must be admitted.
fn submit_all(node: &NodeHandle, txs: &[Transaction]) -> Result<Vec<TxId>> {
    let mut ids = Vec::with_capacity(txs.len());
    for chunk in txs.chunks(1024) {
        let encoded: Vec<Vec<u8>> = chunk.iter().map(Transaction::encode).collect();
        for r in node.submit_batch(&encoded) {
            ids.push(r.map_err(|e| anyhow::anyhow!("benchmark transaction refused: {e}"))?);
        }
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
            let mut height = node.committed.read().height;
            while !done.load(Ordering::Relaxed) {
                let now_height = node.committed.read().height;
                while height < now_height {
                    height += 1;
                    let now = Instant::now();
                    if let Ok(Some(block)) = node.store.block(height) {
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

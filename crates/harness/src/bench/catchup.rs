//! The catch-up benchmark (`publica bench --workload catchup`): how fast a node that joins the network with an
//! empty store gets the chain by value sync, against the work every synced block needs in any case.
//!
//! 1. A single-validator network on the production path (consensus engine, p2p on 127.0.0.1, store) fills a chain of
//!    `--blocks` blocks as a quiet chain looks: small blocks of at most [`BLOCK_TXS`] transactions (an
//!    administrator registering officials, 5.4 KB each, about two per block on average) until two thirds of the
//!    chain, then empty blocks. The empty-block interval is [`FILL_EMPTY_BLOCK_MS`], so filling takes seconds.
//! 2. The validator restarts with the empty-block interval of a quiet chain, `--idle-ms` (1,000 by default, as a
//!    node's configuration has it), and a second node that is not a validator (an auditor: its key is in no
//!    validator set) starts with an empty store and the validator as its only peer. The time from its start until
//!    its height reaches the validator's (which moves on by an empty block per interval meanwhile) is the
//!    catch-up time; blocks/s and MB/s (blocks, certificates and vote extensions, as value sync carries them)
//!    follow from it.
//! 3. Both nodes stop; both stores are opened and compared height by height (block hash, header, hence state root).
//! 4. The limit in the same run: the work a synced block needs wherever it comes from, done back to back on one
//!    core without network or engine: its certificate and vote extensions verified (timed here over the same
//!    blocks) and its transactions re-executed (the auditor's own execution time, from its metrics). The disk's
//!    rate of small writes each followed by `fdatasync` is printed too: a node that syncs every block cannot
//!    commit faster than that.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_client::{Expiry, Signer};
use publica_crypto::keystore::Passphrase;
use publica_crypto::Keypair;
use publica_node::{Node, NodeConfig, NodeHandle};
use publica_storage::Store;
use publica_tx::{AccountsCall, Transaction};
use publica_types::{AgencyId, DecidedExtensions, GenesisAccount, GenesisAgency, Role, ValidatorSet};
use rayon::prelude::*;

use super::{commit_in_rounds, NodeWork, BENCH_KDF};
use crate::bench::report::out;
use crate::genesis::new_genesis;
use crate::home::{free_local_addr, write_home};
use crate::node::runtime;

/// What the catch-up workload measures.
#[derive(Clone, Debug)]
pub struct Params {
    /// Blocks in the chain the joining node catches up on.
    pub blocks: u64,
    /// The validator's empty-block interval while the node catches up, milliseconds.
    pub idle_ms: u64,
}

/// Most transactions in one block while the chain is filled.
const BLOCK_TXS: usize = 3;
/// The validator's empty-block interval while it fills the chain, milliseconds.
const FILL_EMPTY_BLOCK_MS: u64 = 2;
/// Small writes timed for the disk's `fdatasync` rate.
const SYNC_WRITES: usize = 300;

/// Run the workload (see the module documentation).
// Long: one measurement's phases in order, each a few lines, sharing the two homes and the runtime.
pub fn run(params: &Params) -> Result<()> {
    if !(10..=1_000_000).contains(&params.blocks) {
        bail!("--blocks must be 10 to 1000000");
    }
    if !(1..=60_000).contains(&params.idle_ms) {
        bail!("--idle-ms must be 1 to 60000");
    }
    out!("publica bench: {} cores, workload Catchup", std::thread::available_parallelism()?.get());
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().to_path_buf();
    let (validator_home, auditor_home) = (dir.join("validator"), dir.join("auditor"));
    let validator = Keypair::generate();
    let auditor = Keypair::generate();
    let admin = Keypair::generate();
    let agency: AgencyId = "bench-registry".parse()?;
    let clerk: Role = "clerk".parse()?;
    let genesis = new_genesis(
        "publica-bench-catchup".parse()?,
        vec![GenesisAgency {
            id: agency.clone(),
            name: "Benchmark Registry".into(),
            can_register_citizens: false,
            roles: vec![clerk.clone()],
            admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
        }],
        ValidatorSet::single(&validator),
    )?;
    let pass_path = dir.join("pass");
    std::fs::write(&pass_path, "bench")?;
    let passphrase = Passphrase::from_file(&pass_path)?;
    let (validator_p2p, auditor_p2p) = (free_local_addr()?, free_local_addr()?);

    let mut config = NodeConfig::new("validator", free_local_addr()?, validator_p2p);
    config.consensus.empty_block_interval_ms = FILL_EMPTY_BLOCK_MS;
    config.consensus.commit_ms = 0;
    config.block.txs_max = BLOCK_TXS;
    config.mempool.per_sender_max = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
    config.mempool.sender_bytes_max = config.mempool.bytes_max;
    std::fs::create_dir_all(&validator_home)?;
    write_home(&validator_home, &config, &genesis, &validator, &passphrase, BENCH_KDF)?;
    let rt = runtime()?;

    phase("filling the chain");
    let started = Instant::now();
    let node = rt.block_on(Node::start(&validator_home, copy(&validator)?))?;
    let handle = node.handle();
    // Two transactions per block on average: blocks of BLOCK_TXS for the first two thirds of the chain.
    let txs = params.blocks as usize * 2;
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let signer = Signer::new(&admin, genesis.chain_id.clone(), 0).expiring(expiry);
    let load: Vec<Transaction> = (0..txs)
        .into_par_iter()
        .map(|i| {
            signer.sign_at(
                i as u64,
                AccountsCall::RegisterOfficial {
                    public_key: Keypair::generate().public_key().clone(),
                    agency: agency.clone(),
                    roles: vec![clerk.clone()],
                },
            )
        })
        .collect();
    commit_in_rounds(&handle, &load)?;
    wait_height(&handle, params.blocks, Duration::from_secs(60 + params.blocks / 20), "the validator to fill")?;
    let fill_secs = started.elapsed().as_secs_f64();
    drop(handle);
    rt.block_on(node.stop());

    // A quiet chain while the auditor catches up: an empty block per interval.
    let mut config = NodeConfig::load(&validator_home)?;
    config.consensus.empty_block_interval_ms = params.idle_ms;
    config.consensus.propose_ms = config.consensus.propose_ms.max(params.idle_ms * 2);
    config.p2p.peers = vec![auditor_p2p];
    config.save(&validator_home)?;
    let node = rt.block_on(Node::start(&validator_home, copy(&validator)?))?;
    let handle = node.handle();
    let filled = handle.height();

    let mut config = NodeConfig::new("auditor", free_local_addr()?, auditor_p2p);
    config.p2p.peers = vec![validator_p2p];
    std::fs::create_dir_all(&auditor_home)?;
    write_home(&auditor_home, &config, &genesis, &auditor, &passphrase, BENCH_KDF)?;

    phase("catching up");
    let started = Instant::now();
    let auditor_node = rt.block_on(Node::start(&auditor_home, copy(&auditor)?))?;
    let auditor_handle = auditor_node.handle();
    let work_before = NodeWork::of(&auditor_handle);
    let started_secs = started.elapsed().as_secs_f64();
    let mut first_block_secs = None;
    let deadline = started + Duration::from_secs(120 + filled / 10);
    // The validator's height moves on meanwhile (an empty block per interval): the auditor has caught up when it
    // reaches the validator's height of the moment.
    let head = loop {
        let (height, head) = (auditor_handle.height(), handle.height());
        if height >= head {
            break head;
        }
        if first_block_secs.is_none() && height > 0 {
            first_block_secs = Some(started.elapsed().as_secs_f64());
        }
        if Instant::now() > deadline {
            bail!("the auditor reached {height} of {head} within {:?}", deadline - started);
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let catchup_secs = started.elapsed().as_secs_f64();
    let work = NodeWork::of(&auditor_handle).since(work_before);
    drop((handle, auditor_handle));
    crate::node::stop_on_purpose();
    rt.block_on(auditor_node.stop());
    rt.block_on(node.stop());
    drop(rt);

    phase("comparing the stores and timing the certificate checks");
    let validator_store = Store::open(&publica_node::HomeLayout::new(&validator_home).data())?;
    let auditor_store = Store::open(&publica_node::HomeLayout::new(&auditor_home).data())?;
    let mut bytes = 0usize;
    let mut tx_count = 0usize;
    let mut verify_secs = 0.0;
    for height in 1..=head {
        let block = validator_store.block(height)?.with_context(|| format!("the validator lacks block {height}"))?;
        let synced = auditor_store.block(height)?.with_context(|| format!("the auditor lacks block {height}"))?;
        ensure!(block.hash() == synced.hash(), "the auditor's block {height} differs from the validator's");
        ensure!(
            auditor_store.header(height)? == validator_store.header(height)?,
            "the auditor's header {height} differs from the validator's"
        );
        let certificate = validator_store.certificate(height)?.context("a block without its certificate")?;
        let extensions = validator_store.extensions(height)?.context("a block without its vote extensions")?;
        bytes += block.encode().len() + publica_types::codec::encode(&certificate).len() + extensions.len();
        tx_count += block.txs.len();
        // What the driver checks of every synced block before the application executes it.
        let set = validator_store.validator_set_at(height)?.context("no validator set for a height")?;
        let timed = Instant::now();
        certificate.verify(&genesis.chain_id, &set)?;
        DecidedExtensions::decode(&extensions)?.verify(&genesis.chain_id, &certificate, &set)?;
        verify_secs += timed.elapsed().as_secs_f64();
    }
    let state_root = |store: &Store| -> Result<publica_types::Hash> {
        Ok(store.header(head)?.context("no header at the head")?.state_root)
    };
    ensure!(state_root(&auditor_store)? == state_root(&validator_store)?, "the state roots differ");
    drop((validator_store, auditor_store));
    let sync_rate = fdatasync_rate(&dir, SYNC_WRITES)?;

    let rate = head as f64 / catchup_secs;
    let limit = head as f64 / (verify_secs + work.execute_secs);
    out!();
    out!(
        "Catch-up by value sync: {head} blocks ({tx_count} transactions, {:.1} MB with certificates and extensions; \
         {filled} filled in {fill_secs:.1} s), the validator making an empty block every {} ms meanwhile",
        bytes as f64 / 1e6,
        params.idle_ms
    );
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    out!("| blocks caught up/s, empty store to the head ({catchup_secs:.2} s from the start) | {rate:.0} |");
    out!("| MB caught up/s (blocks, certificates, extensions) | {:.2} |", bytes as f64 / 1e6 / catchup_secs);
    out!("| auditor start-up (store opened, engine started) | {:.3} s |", started_secs);
    if let Some(first) = first_block_secs {
        out!("| from the start to the first synced block | {first:.3} s |");
    }
    out!("| auditor's re-execution of the blocks (its metrics) | {:.2} s |", work.execute_secs);
    out!("| auditor's storing of the blocks, sync included (its metrics) | {:.2} s |", work.store_secs);
    out!("| certificate and extension checks of the same blocks, one core | {verify_secs:.2} s |");
    out!("| blocks/s if only the checks and re-execution ran, back to back (**limit**) | {limit:.0} |");
    out!("| ratio caught up / limit | {:.2} |", rate / limit);
    out!("| disk: small writes each followed by fdatasync, per second | {sync_rate:.0} |");
    out!("| ratio caught up / fdatasync rate | {:.2} |", rate / sync_rate);
    Ok(())
}

/// Wait until `node` has committed `height`.
fn wait_height(node: &NodeHandle, height: u64, timeout: Duration, what: &str) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while node.height() < height {
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}: height {} of {height}", node.height());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// A second copy of a key: a node takes its own.
fn copy(key: &Keypair) -> Result<Keypair> {
    Ok(Keypair::from_secret_bytes(&key.to_secret_bytes())?)
}

/// Small writes (4 KiB, appended) each followed by `fdatasync`, per second, in `dir`.
fn fdatasync_rate(dir: &Path, writes: usize) -> Result<f64> {
    use std::io::Write;
    let path: PathBuf = dir.join("fdatasync-rate.bin");
    let mut file = std::fs::File::create(&path)?;
    let chunk = vec![0x5au8; 4096];
    let started = Instant::now();
    for _ in 0..writes {
        file.write_all(&chunk)?;
        file.sync_data()?;
    }
    let rate = writes as f64 / started.elapsed().as_secs_f64();
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(rate)
}

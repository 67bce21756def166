//! The state workload: what a node's start-up, memory and proofs cost as its state grows to 10^7 entries.
//!
//! For each size (10^5, 10^6, … up to `--entries`), a node's store is filled directly with that many state
//! entries of 100 bytes, in blocks of at most 10^6 entries whose headers carry the true state root and whose
//! nodes are stored as a node keeping past states stores them (the store is filled as state sync would fill it,
//! not through consensus, which would take hours at 10^7). Then a separate process opens the node's home
//! ([`publica_node::NodeHandle::open`], everything a start does before consensus and the API), once keeping past
//! states (its tree read from the store as it is used) and once without (the whole tree rebuilt from the state in
//! memory), and reports the time to open, its peak resident memory and the latency of proven reads of random
//! keys afterwards. The physical limit measured in the same run is the disk's sequential read rate over the
//! store's files: what reading the whole state once costs at least.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use publica_crypto::Keypair;
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_node::{HomeLayout, NodeConfig, NodeHandle};
use publica_storage::{BlockCommit, Store};
use publica_tx::Block;
use publica_types::block::tx_root_of_hashes;
use publica_types::evidence::evidence_root;
use publica_types::{BlockHeader, CommitCertificate, GenesisAgency, ValidatorSet, HEADER_VERSION};
use rayon::prelude::*;

use crate::bench::report::out;
use crate::genesis::new_genesis;

/// What the state workload measures.
#[derive(Clone, Debug)]
pub struct Params {
    /// The largest state measured (sizes from 10^5 up, each ten times the previous).
    pub entries: usize,
}

/// Entries written per block when filling a store.
const FILL_BLOCK_ENTRIES: usize = 1_000_000;

/// Proven reads timed right after each start (with nothing cached), then after them.
const PROOF_READS: [usize; 2] = [2_000, 20_000];

/// The state key of entry `i`.
fn entry_key(i: u64) -> Vec<u8> {
    format!("bench/state/{i:012}").into_bytes()
}

/// Run the workload (see the module documentation).
pub fn run(params: &Params) -> Result<()> {
    if params.entries < 100_000 {
        bail!("--entries must be at least 100000");
    }
    out!("publica bench: {} cores, workload State", std::thread::available_parallelism()?.get());
    let tmp = tempfile::tempdir()?;
    let mut rows = Vec::new();
    let mut size = 100_000usize;
    while size <= params.entries {
        let home = tmp.path().join(format!("node-{size}"));
        eprintln!("filling a store with {size} entries");
        let started = Instant::now();
        fill(&home, size)?;
        let fill_secs = started.elapsed().as_secs_f64();
        let store_bytes = dir_bytes(&home.join("data"))?;
        let read_rate = sequential_read_rate(&home.join("data"))?;
        let backed = measure_in_child(&home, true)?;
        let rebuilt = measure_in_child(&home, false)?;
        rows.push((size, fill_secs, store_bytes, read_rate, backed, rebuilt));
        std::fs::remove_dir_all(&home)?;
        size *= 10;
    }
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    for (size, fill_secs, store_bytes, read_rate, backed, rebuilt) in rows {
        out!("| {size} entries: store on disk | {:.0} MB |", store_bytes as f64 / 1e6);
        out!("| {size} entries: filling the store directly | {fill_secs:.1} s |");
        out!(
            "| {size} entries: start, tree read from the store as used (past states kept) | {:.3} s |",
            backed.open_secs
        );
        out!(
            "| {size} entries: start, tree rebuilt in memory from the state (past states off) | {:.3} s |",
            rebuilt.open_secs
        );
        out!(
            "| {size} entries: reading the store once at the disk's sequential rate (**limit** of a rebuild) | {:.3} s |",
            store_bytes as f64 / read_rate
        );
        out!(
            "| {size} entries: the disk's sequential read rate over the store's files | {:.0} MB/s |",
            read_rate / 1e6
        );
        out!(
            "| {size} entries: peak resident memory, tree read from the store | {:.0} MiB |",
            backed.peak_rss_kib as f64 / 1024.0
        );
        out!(
            "| {size} entries: peak resident memory, tree rebuilt in memory | {:.0} MiB |",
            rebuilt.peak_rss_kib as f64 / 1024.0
        );
        for (i, (reads, label)) in PROOF_READS.iter().zip(["first", "next"]).enumerate() {
            out!(
                "| {size} entries: proven read of a random key, tree read from the store ({label} {reads} after the start) | {:.1} µs |",
                backed.proof_us[i]
            );
            out!(
                "| {size} entries: proven read of a random key, tree in memory ({label} {reads} after the start) | {:.1} µs |",
                rebuilt.proof_us[i]
            );
        }
    }
    Ok(())
}

/// Write a node's home with a single-validator genesis, then `size` entries in blocks, directly into its store.
fn fill(home: &Path, size: usize) -> Result<()> {
    let validator = Keypair::generate();
    let admin = Keypair::generate();
    let genesis = new_genesis(
        "publica-bench-state".parse()?,
        vec![GenesisAgency {
            id: "bench-agency".parse()?,
            name: "Benchmark Agency".into(),
            can_register_citizens: false,
            roles: vec!["registrar".parse()?],
            admins: vec![publica_types::GenesisAccount { public_key: admin.public_key().clone() }],
        }],
        ValidatorSet::single(&validator),
    )?;
    std::fs::create_dir_all(home)?;
    std::fs::write(home.join("genesis.json"), genesis.to_json())?;
    let layout = HomeLayout::new(home);
    let config = NodeConfig::new("bench", crate::home::free_local_addr()?, crate::home::free_local_addr()?);
    // Opening the home writes the genesis state and its tree's nodes.
    drop(NodeHandle::open(&layout, genesis.clone(), config, validator.public_key().address())?);

    let store = Store::open(&layout.data())?;
    let mut tree = StateTree::new();
    let mut genesis_entries = Vec::new();
    store.state_for_each(|k, v| genesis_entries.push((key_hash(k), Some(value_hash(v)))))?;
    drop(tree.apply(genesis_entries));
    let set_hash = genesis.validators.hash();
    let mut parent_hash = [0u8; 32];
    let mut written = 0usize;
    let mut height = store.last_height()?;
    while written < size {
        let count = FILL_BLOCK_ENTRIES.min(size - written);
        let changes: Vec<(Vec<u8>, Option<Vec<u8>>)> = (written..written + count)
            .into_par_iter()
            .map(|i| {
                let mut value = publica_crypto::sha256(&(i as u64).to_le_bytes()).repeat(3);
                value.extend_from_slice(&[0u8; 4]);
                (entry_key(i as u64), Some(value))
            })
            .collect();
        let hashed: Vec<_> = changes.par_iter().map(|(k, v)| (key_hash(k), v.as_deref().map(value_hash))).collect();
        let nodes = tree.apply(hashed);
        height += 1;
        let header = BlockHeader {
            version: HEADER_VERSION,
            chain_id: genesis.chain_id.clone(),
            height,
            time_ms: genesis.genesis_time_ms + height,
            parent_hash,
            proposer: validator.public_key().address(),
            tx_root: tx_root_of_hashes(&[]),
            tx_count: 0,
            evidence_root: evidence_root(&[]),
            state_root: tree.root(),
            validator_set_hash: set_hash,
            next_validator_set_hash: set_hash,
        };
        let block = Block { header, txs: Vec::new(), evidence: Vec::new() };
        // Not a quorum's certificate: opening a home does not check it, and this store is never served.
        let certificate = CommitCertificate { height, round: 0, block_hash: block.hash(), signatures: Vec::new() };
        store.commit_block(BlockCommit {
            block: &block,
            certificate: &certificate,
            outcomes: &[],
            changes: &changes,
            extensions: &[],
            log: None,
            next_validators: None,
            nodes: &nodes,
            state_entries: tree.len() as u64,
        })?;
        parent_hash = block.hash();
        written += count;
    }
    Ok(())
}

/// What one start measured, as the child prints it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Opened {
    /// Seconds to open the home.
    pub open_secs: f64,
    /// Peak resident memory of the process (VmHWM), KiB.
    pub peak_rss_kib: u64,
    /// Mean latency of one proven read, µs: over the first reads after the start, then over the reads after them.
    pub proof_us: [f64; 2],
}

/// Open `home` in a fresh process (this executable, `bench --workload state --state-home`) and read what it
/// measured.
fn measure_in_child(home: &Path, past_states: bool) -> Result<Opened> {
    // A start after the machine's start: nothing of the store in the page cache (where this process may drop it).
    let _ = std::fs::write("/proc/sys/vm/drop_caches", "1");
    let exe = std::env::current_exe()?;
    let mut command = std::process::Command::new(exe);
    command.args(["bench", "--workload", "state", "--state-home"]).arg(home);
    if !past_states {
        command.arg("--no-past-states");
    }
    let output = command.env("PUBLICA_LOG", "error").output()?;
    if !output.status.success() {
        bail!("opening the filled store failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().rev().find(|l| l.starts_with('{')).context("the child printed no measurement")?;
    Ok(serde_json::from_str(line)?)
}

/// The child's side of [`measure_in_child`]: open the node's home, prove random reads, print what it measured.
pub fn open_and_measure(home: &Path, past_states: bool) -> Result<()> {
    let layout = HomeLayout::new(home);
    let genesis = publica_types::Genesis::from_json(&std::fs::read(home.join("genesis.json"))?)?;
    let mut config = NodeConfig::new("bench", crate::home::free_local_addr()?, crate::home::free_local_addr()?);
    config.storage.past_states = past_states;
    let address = genesis.validators.validators()[0].address;
    let started = Instant::now();
    let node = NodeHandle::open(&layout, genesis, config, address)?;
    let open_secs = started.elapsed().as_secs_f64();
    let entries = node.view(|state| state.state_entries()) as u64;
    let random_key = |i: u64| {
        let bytes = publica_crypto::sha256(&i.to_le_bytes());
        entry_key(u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default()) % entries.max(1))
    };
    let mut proof_us = [0.0; 2];
    let mut next = 0u64;
    for (reads, mean) in PROOF_READS.iter().zip(proof_us.iter_mut()) {
        let keys: Vec<Vec<u8>> = (next..next + *reads as u64).map(random_key).collect();
        next += *reads as u64;
        let started = Instant::now();
        for key in &keys {
            std::hint::black_box(node.read_with_proofs(&[key.as_slice()])?);
        }
        *mean = started.elapsed().as_secs_f64() * 1e6 / keys.len() as f64;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    println!("{}", serde_json::to_string(&Opened { open_secs, peak_rss_kib, proof_us })?);
    Ok(())
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for path in files(dir)? {
        total += std::fs::metadata(&path)?.len();
    }
    Ok(total)
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

/// Sequential read rate of the store's files, bytes per second (the page cache is dropped first where allowed,
/// so that the rate is the disk's; otherwise it is the cache's, and says so by being high).
fn sequential_read_rate(dir: &Path) -> Result<f64> {
    use std::io::Read;
    let _ = std::fs::write("/proc/sys/vm/drop_caches", "1");
    let mut buffer = vec![0u8; 8 << 20];
    let mut bytes = 0u64;
    let started = Instant::now();
    for path in files(dir)? {
        let mut file = std::fs::File::open(&path)?;
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
        }
    }
    Ok(bytes as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

//! `publica testnet`: a network of several validators (and auditors) on this machine, each node a `publica start`
//! process.
//!
//! `init` writes one directory that holds everything: `testnet.json` (the manifest: nodes, their roles, API URLs
//! and p2p addresses, the demo agencies' administrator keys), one home per node (`node0`, `node1`, ... for the
//! validators, `auditor0`, ... for the auditors) whose configuration lists every other node as a peer, and the
//! passphrase of the keys. `up` starts every node as a child process of the same binary, waits until each has
//! committed a block, prints their status and stops them on Ctrl-C; `status` prints the status of a running
//! testnet.
//!
//! An auditor is a node whose key is not in the genesis validator set: it never proposes or votes, but it receives
//! the validators' proposals and votes, verifies every commit certificate, re-executes every block and serves the
//! read API with proofs like any node. It is how a party outside the validator set checks the chain for itself.
//!
//! Every node lists every other node as a peer, auditors included, although broadcast alone does not need it
//! (the engine sends to every connected peer, whichever side dialed). All nodes of a testnet share 127.0.0.1, and
//! the engine accepts only five inbound connections from one IP address; when both sides of a pair dial, the pair
//! is connected as long as either side still has room.
//!
//! Validator keys are generated at random. The agencies' administrator keys are DEMO keys derived from public
//! seeds, as in `publica dev`, so that load generators and scripts can act on any testnet; they protect nothing
//! and must never be used on a real network.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use publica_client::{Client, NodeStatus};
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::NodeConfig;
use publica_types::{AgencyId, ChainId, Validator, ValidatorSet};
use serde::{Deserialize, Serialize};

use crate::genesis::{demo_agencies, demo_kdf, new_genesis, AGENCIES};
use crate::home::{write_home, write_private};

/// Name of the manifest inside a testnet directory.
pub const MANIFEST: &str = "testnet.json";
/// Most validators of a local testnet: every node runs on this machine, and each one executes every block.
pub const MAX_TESTNET_VALIDATORS: usize = 16;
/// Most auditors of a local testnet: each one, too, executes every block on this machine.
pub const MAX_AUDITORS: usize = 8;
/// Largest manifest accepted when reading one back.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// The passphrase file `init` writes when none is given.
const GENERATED_PASSPHRASE: &str = "passphrase";
/// Characters of a hash shown in the status table: enough to tell forks apart at a glance.
const HASH_PREFIX_CHARS: usize = 12;
/// How long one status request may take before the node is reported as not answering.
const STATUS_TIMEOUT: Duration = Duration::from_secs(3);
/// How long stopped nodes get to close their store before they are killed.
const STOP_GRACE: Duration = Duration::from_secs(15);
/// Most bytes read from the end of a node's log to show why it stopped.
const LOG_TAIL_BYTES: u64 = 64 * 1024;

/// What `publica testnet init` makes.
#[derive(Clone, Debug)]
pub struct InitParams {
    /// Number of validators, 1 to [`MAX_TESTNET_VALIDATORS`] (voting power 1 each).
    pub validators: usize,
    /// Number of auditors, 0 to [`MAX_AUDITORS`].
    pub auditors: usize,
    /// Directory to create; it must not exist or be empty.
    pub out: PathBuf,
    /// Chain id of the new network.
    pub chain_id: ChainId,
    /// Encrypt every key with the passphrase in this file (the nodes read it from there); without it, a random
    /// passphrase is written to `out/passphrase`.
    pub passphrase_file: Option<PathBuf>,
    /// Most transactions per block.
    pub block_txs_max: usize,
}

/// Print the status of every node of the testnet in `dir`; an error if any does not answer.
pub fn status(dir: &Path) -> Result<()> {
    let manifest = Manifest::load(dir)?;
    let rows = statuses(&manifest);
    print_table(&rows);
    let down = rows.iter().filter(|r| r.status.is_err()).count();
    if down > 0 {
        bail!("{down} of {} nodes are not answering; start them with `publica testnet up`", rows.len());
    }
    Ok(())
}

/// The manifest of a testnet directory, `testnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The network's chain id.
    pub chain_id: ChainId,
    /// The file holding the passphrase of every key (relative paths are relative to the testnet directory).
    pub passphrase_file: PathBuf,
    /// Every node: the validators in the order they were created, then the auditors.
    pub nodes: Vec<NodeEntry>,
    /// The founding agencies and their administrators' key files.
    pub agencies: Vec<AgencyEntry>,
    /// The directory the manifest was read from (not stored).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// One node of a testnet.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
    /// The node's name.
    pub moniker: String,
    /// Its home directory, relative to the testnet directory.
    pub home: PathBuf,
    /// Base URL of its REST API.
    pub api: String,
    /// Its peer-to-peer listen address.
    pub p2p: SocketAddr,
    /// Whether it votes. Manifests written before auditors existed hold validators only.
    #[serde(default)]
    pub role: NodeRole,
    /// The address of its key: a member of the genesis validator set for a validator, of no set for an auditor.
    #[serde(alias = "validator")]
    pub address: String,
}

/// What a node of a testnet does in consensus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    /// A member of the validator set: proposes and votes.
    #[default]
    Validator,
    /// Outside the validator set: follows the chain, checks every certificate, re-executes every block, serves
    /// reads; never proposes or votes, so it may stop at any time without slowing the network.
    Auditor,
}

impl fmt::Display for NodeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: the status table aligns its columns with width flags.
        f.pad(match self {
            Self::Validator => "validator",
            Self::Auditor => "auditor",
        })
    }
}

/// One founding agency of a testnet.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    /// The agency's id.
    pub id: AgencyId,
    /// Whether its officials may register citizens.
    pub can_register_citizens: bool,
    /// Its administrator's encrypted key file, relative to the testnet directory.
    pub admin_key: PathBuf,
}

impl Manifest {
    /// Read `DIR/testnet.json`, with a size limit, and check it.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(MANIFEST);
        let text = publica_node::config::read_limited(&path, MAX_MANIFEST_BYTES).with_context(|| {
            format!("{} is not a testnet directory (made by `publica testnet init`)", dir.display())
        })?;
        let mut manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid testnet manifest", path.display()))?;
        let validators = manifest.validators().count();
        if validators == 0 || validators > MAX_TESTNET_VALIDATORS {
            bail!("{} lists {validators} validators; a testnet has 1 to {MAX_TESTNET_VALIDATORS}", path.display());
        }
        let auditors = manifest.nodes.len() - validators;
        if auditors > MAX_AUDITORS {
            bail!("{} lists {auditors} auditors; a testnet has at most {MAX_AUDITORS}", path.display());
        }
        let mut monikers = HashSet::new();
        for node in &manifest.nodes {
            if !monikers.insert(node.moniker.as_str()) {
                bail!("{} lists node {} twice", path.display(), node.moniker);
            }
        }
        manifest.dir = dir.to_owned();
        Ok(manifest)
    }

    /// A node's home directory.
    pub fn home(&self, node: &NodeEntry) -> PathBuf {
        self.dir.join(&node.home)
    }

    /// The passphrase file of the testnet's keys.
    pub fn passphrase_path(&self) -> PathBuf {
        self.dir.join(&self.passphrase_file)
    }

    /// The validators' nodes.
    pub fn validators(&self) -> impl Iterator<Item = &NodeEntry> {
        self.nodes.iter().filter(|n| n.role == NodeRole::Validator)
    }

    /// The API URLs of the validators: the nodes to send transactions to. Nodes do not relay transactions to each
    /// other, each proposer includes those it received itself, so a transaction sent to an auditor is never
    /// included.
    pub fn apis(&self) -> Vec<String> {
        self.validators().map(|n| n.api.clone()).collect()
    }
}

/// The demo key of a testnet's agency administrator, derived from a public seed.
pub fn demo_admin_key(agency: &str) -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(format!("publica-testnet-demo-key/admin-{agency}").as_bytes()))
}

/// `count` distinct free TCP addresses on 127.0.0.1, outside the kernel's ephemeral port range when there is room.
///
/// A node binds its ports when it starts, long after `init` (and again at every `up`). A port from the ephemeral
/// range is what the kernel gives any program's outgoing connection, and the nodes of a testnet dial each other
/// all the time, so sooner or later one of those connections sits on a port a node is about to listen on, and the
/// node cannot start. Ports below (or above) that range are only ever taken by programs that ask for them. Every
/// listener is held until all are found, so the same port is never handed out twice.
fn free_local_addrs(count: usize) -> Result<Vec<SocketAddr>> {
    let (ephemeral_low, ephemeral_high) = ephemeral_port_range();
    // The larger stretch outside the ephemeral range, above the ports of well-known services.
    let below = PORTS_LOW..ephemeral_low.max(PORTS_LOW);
    let above = ephemeral_high.saturating_add(1).max(PORTS_LOW)..u16::MAX;
    let range = if below.len() >= above.len() { below } else { above };
    let mut listeners = Vec::with_capacity(count);
    if range.len() >= PORTS_SPAN_MIN.max(count) {
        let span = range.len();
        let start = rand::Rng::gen_range(&mut rand::thread_rng(), 0..span);
        // A bounded walk from a random start: testnets made at the same time rarely probe the same ports.
        for i in 0..span.min(MAX_PORT_PROBES) {
            if listeners.len() == count {
                break;
            }
            let port = range.start + u16::try_from((start + i) % span).expect("the offset is within a port range");
            // Binding also listens: a port that an established connection holds is refused here, as it would be
            // for the node.
            if let Ok(listener) = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)) {
                listeners.push(listener);
            }
        }
    }
    // No room outside the ephemeral range, or too few free ports there: any free port will do.
    while listeners.len() < count {
        listeners.push(TcpListener::bind("127.0.0.1:0").context("finding a free port on 127.0.0.1")?);
    }
    listeners.iter().map(|l| Ok(l.local_addr()?)).collect()
}

/// Lowest port `init` gives a node: ports below are where well-known services live.
const PORTS_LOW: u16 = 10_000;
/// Fewest ports outside the ephemeral range worth choosing from.
const PORTS_SPAN_MIN: usize = 1_000;
/// Most ports tried outside the ephemeral range before falling back to any free port.
const MAX_PORT_PROBES: usize = 4_096;

/// The kernel's range of ports for outgoing connections: Linux says so in `/proc`; elsewhere the IANA range, which
/// the BSDs and macOS use.
fn ephemeral_port_range() -> (u16, u16) {
    const IANA: (u16, u16) = (49_152, 65_535);
    let Ok(text) = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range") else {
        return IANA;
    };
    let mut bounds = text.split_whitespace().map(str::parse::<u16>);
    match (bounds.next(), bounds.next()) {
        (Some(Ok(low)), Some(Ok(high))) if low <= high => (low, high),
        _ => IANA,
    }
}

/// Create a testnet directory: genesis with the validators, one home per node (validators and auditors), the demo
/// agencies' administrator keys, and the manifest, which it returns.
// Long: the directory's parts are written in one order (passphrase, keys, genesis, homes, agencies, manifest).
pub fn init(args: &InitParams) -> Result<Manifest> {
    let dir = &args.out;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} exists and is not empty; choose a new directory or remove it first", dir.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (count, auditor_count) = (args.validators, args.auditors);
    if count == 0 || count > MAX_TESTNET_VALIDATORS || auditor_count > MAX_AUDITORS {
        bail!("a testnet has 1 to {MAX_TESTNET_VALIDATORS} validators and at most {MAX_AUDITORS} auditors");
    }

    // The nodes read the passphrase from a file: they run unattended, as children of `testnet up`.
    let (passphrase_file, passphrase) = match &args.passphrase_file {
        Some(file) => {
            let absolute =
                std::fs::canonicalize(file).with_context(|| format!("reading passphrase file {}", file.display()))?;
            let pass = Passphrase::from_file(&absolute)
                .with_context(|| format!("reading passphrase from {}", absolute.display()))?;
            (absolute, pass)
        }
        None => {
            let mut secret = [0u8; 24];
            rand::Rng::fill(&mut rand::thread_rng(), &mut secret);
            let path = dir.join(GENERATED_PASSPHRASE);
            write_private(&path, hex::encode(secret).as_bytes())?;
            let pass = Passphrase::from_file(&path).with_context(|| format!("reading back {}", path.display()))?;
            (PathBuf::from(GENERATED_PASSPHRASE), pass)
        }
    };
    // Homes name the passphrase file relative to themselves when it lives in the testnet directory, so the
    // directory can be moved as a whole.
    let node_passphrase =
        if passphrase_file.is_absolute() { passphrase_file.clone() } else { Path::new("..").join(&passphrase_file) };

    let keys: Vec<Keypair> = (0..count).map(|_| Keypair::generate()).collect();
    let validators =
        ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).context("validator set")?;
    // An auditor's key signs nothing the network counts: it is not in the set. The node needs one all the same
    // (consensus runs with a key; the node derives its notary keys from it).
    let auditor_keys: Vec<Keypair> = (0..auditor_count).map(|_| Keypair::generate()).collect();
    let genesis = new_genesis(args.chain_id.clone(), demo_agencies(demo_admin_key)?, validators)?;

    let total = count + auditor_count;
    let addrs = free_local_addrs(2 * total)?;
    let (p2p, api) = addrs.split_at(total);
    let members = keys.iter().enumerate().map(|(i, key)| (format!("node{i}"), NodeRole::Validator, key));
    let outsiders = auditor_keys.iter().enumerate().map(|(i, key)| (format!("auditor{i}"), NodeRole::Auditor, key));
    let mut nodes = Vec::with_capacity(total);
    for (i, (moniker, role, key)) in members.chain(outsiders).enumerate() {
        let mut config = NodeConfig::new(&moniker, api[i], p2p[i]);
        // Consensus broadcasts to connected peers only, and a peer that is down is dialed again until it is back:
        // every node lists every other one (see the module documentation for why auditors are listed too).
        config.p2p.peers = p2p.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| *a).collect();
        config.key.passphrase_file = Some(node_passphrase.clone());
        config.key.passphrase_env = None;
        config.block.txs_max = args.block_txs_max;
        config.check().context("--block-txs-max")?;
        write_home(&dir.join(&moniker), &config, &genesis, key, &passphrase, KdfParams::default())?;
        nodes.push(NodeEntry {
            moniker: moniker.clone(),
            home: PathBuf::from(&moniker),
            api: format!("http://{}", api[i]),
            p2p: p2p[i],
            role,
            address: key.public_key().address().to_string(),
        });
    }

    let mut agencies = Vec::with_capacity(AGENCIES.len());
    for (id, _, citizens, _) in AGENCIES {
        let file = PathBuf::from("keys").join(format!("admin-{id}.json"));
        let label = format!("demo administrator of {id}");
        // A demo key is public anyway: a light key derivation keeps `init` and `load` quick.
        let kdf = demo_kdf();
        publica_client::keyfile::save(&dir.join(&file), &demo_admin_key(id), &label, &passphrase, kdf)?;
        agencies.push(AgencyEntry { id: id.parse()?, can_register_citizens: *citizens, admin_key: file });
    }

    let manifest = Manifest { chain_id: args.chain_id.clone(), passphrase_file, nodes, agencies, dir: dir.clone() };
    let json = serde_json::to_string_pretty(&manifest)?;
    std::fs::write(dir.join(MANIFEST), json + "\n").context("writing testnet.json")?;
    Ok(manifest)
}

/// A row of the status table.
struct Row {
    moniker: String,
    role: NodeRole,
    api: String,
    status: Result<NodeStatus, String>,
}

/// Every node's status, each asked on its own thread (outside any async runtime: the client is blocking).
///
/// One HTTP client is built here and shared: building several blocking clients at once, one per thread, was seen
/// to leave one of them waiting forever for its internal thread. The answers are gathered with a deadline, so a
/// probe that never returns shows as "not answering" instead of holding the caller.
fn statuses(manifest: &Manifest) -> Vec<Row> {
    // On a thread of its own: the blocking client may be neither built nor used on an async runtime's thread, and
    // `up` asks from inside its runtime.
    std::thread::scope(|scope| scope.spawn(|| ask_statuses(manifest)).join().expect("the status probe does not panic"))
}

fn ask_statuses(manifest: &Manifest) -> Vec<Row> {
    let client = Client::with_timeout(publica_client::DEFAULT_API, STATUS_TIMEOUT);
    let (sender, answers) = std::sync::mpsc::channel();
    if let Ok(client) = &client {
        // All nodes are asked at once, so a node that does not answer costs one timeout, not one per node.
        for (i, node) in manifest.nodes.iter().enumerate() {
            let probe = client.at(&node.api);
            let sender = sender.clone();
            std::thread::spawn(move || {
                let status = probe.map_err(|e| format!("{e:#}")).and_then(|c| c.probe_status());
                let _ = sender.send((i, status));
            });
        }
    }
    drop(sender);
    let mut found: Vec<Option<Result<NodeStatus, String>>> = manifest.nodes.iter().map(|_| None).collect();
    let deadline = std::time::Instant::now() + STATUS_TIMEOUT * 2;
    while let Ok((i, status)) = answers.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
        found[i] = Some(status);
    }
    let missing = |client: &Result<Client>| match client {
        Ok(_) => "not answering".to_owned(),
        Err(e) => format!("no HTTP client: {e:#}"),
    };
    manifest
        .nodes
        .iter()
        .zip(found)
        .map(|(node, status)| Row {
            moniker: node.moniker.clone(),
            role: node.role,
            api: node.api.clone(),
            status: status.unwrap_or_else(|| Err(missing(&client))),
        })
        .collect()
}

fn prefix(hash: &str) -> &str {
    &hash[..hash.len().min(HASH_PREFIX_CHARS)]
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<9} {:<9} {:<24} {:>8}  {:<12}  {:<12}  {:>7}",
        "node", "role", "api", "height", "block", "state root", "mempool"
    );
    for row in rows {
        match &row.status {
            // The role the node has now: governance may have added or removed it since `init`.
            Ok(s) => println!(
                "{:<9} {:<9} {:<24} {:>8}  {:<12}  {:<12}  {:>7}",
                row.moniker,
                if s.is_validator { NodeRole::Validator } else { NodeRole::Auditor },
                row.api,
                s.height,
                s.last_block_hash.as_deref().map(prefix).unwrap_or("-"),
                prefix(&s.state_root),
                s.mempool_txs
            ),
            Err(e) => println!("{:<9} {:<9} {:<24} {e}", row.moniker, row.role, row.api),
        }
    }
}

/// The nodes of a testnet started by `up`; stopped when dropped, so an error on the way never leaves orphans.
struct Children {
    nodes: Vec<(String, PathBuf, Child)>,
}

impl Children {
    /// The first node that has exited, with its exit status.
    fn exited(&mut self) -> Option<(String, PathBuf, std::process::ExitStatus)> {
        self.nodes.iter_mut().find_map(|(moniker, log, child)| match child.try_wait() {
            Ok(Some(status)) => Some((moniker.clone(), log.clone(), status)),
            _ => None,
        })
    }

    /// Ask every node to stop (SIGTERM: it finishes its current block and closes its store), then kill the
    /// ones still running after [`STOP_GRACE`]. Killing is safe too: the store recovers its last committed batch.
    fn stop(&mut self) {
        for (_, _, child) in &mut self.nodes {
            terminate(child);
        }
        let deadline = Instant::now() + STOP_GRACE;
        for (moniker, _, child) in &mut self.nodes {
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        eprintln!("{moniker} did not stop within {STOP_GRACE:?}; killing it");
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        self.nodes.clear();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Ask a child process to shut down cleanly.
fn terminate(child: &mut Child) {
    #[cfg(unix)]
    {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        if let Ok(pid) = i32::try_from(child.id()) {
            // The child may have exited already; then there is nothing to stop.
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
    }
}

/// The last lines of a log file, for an error message; only its last [`LOG_TAIL_BYTES`] are read, since a log
/// grows across runs.
fn log_tail(path: &Path, lines: usize) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut bytes = Vec::new();
    if let Ok(mut file) = File::open(path) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES))).is_ok() {
            let _ = file.take(LOG_TAIL_BYTES).read_to_end(&mut bytes);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Start every node of the testnet in `dir`, wait up to `start_timeout` until each has committed a block, print
/// their status, watch them and stop them on Ctrl-C or SIGTERM.
// Long: one supervisor from start to stop; its steps share the children, the manifest and the signal listener.
pub fn up(dir: &Path, start_timeout: Duration) -> Result<()> {
    let manifest = Manifest::load(dir)?;
    // Asked with blocking clients on their own threads, before the runtime runs, never from inside it.
    let running = statuses(&manifest).into_iter().filter(|r| r.status.is_ok()).count();
    if running > 0 {
        bail!(
            "{running} node(s) of this testnet already answer on their API; is it running? See `publica testnet \
             status {}`",
            dir.display()
        );
    }
    let rt = crate::node::runtime()?;
    rt.block_on(async {
        // Signals are caught before any node starts, so Ctrl-C during start-up stops the nodes too.
        let mut shutdown = Shutdown::new()?;
        let exe = std::env::current_exe().context("finding the publica binary to start the nodes with")?;
        let mut children = Children { nodes: Vec::with_capacity(manifest.nodes.len()) };
        for node in &manifest.nodes {
            let home = manifest.home(node);
            let log_path = home.join("node.log");
            let log = File::options()
                .create(true)
                .append(true)
                .open(&log_path)
                .with_context(|| format!("opening {}", log_path.display()))?;
            let child = Process::new(&exe)
                .arg("start")
                .arg("--home")
                .arg(&home)
                // The log is a file: no terminal colour codes in it.
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting {}", node.moniker))?;
            children.nodes.push((node.moniker.clone(), log_path, child));
        }
        let auditors = manifest.nodes.len() - manifest.validators().count();
        println!(
            "started {} nodes (validators: {}, auditors: {auditors}); waiting for each to commit a block",
            children.nodes.len(),
            manifest.nodes.len() - auditors
        );

        let deadline = Instant::now() + start_timeout;
        loop {
            if let Some((moniker, log, status)) = children.exited() {
                bail!(
                    "{moniker} exited ({status}) while starting; its log {} ends with:\n{}",
                    log.display(),
                    log_tail(&log, 20)
                );
            }
            let rows = statuses(&manifest);
            if rows.iter().all(|r| matches!(&r.status, Ok(s) if s.height >= 1)) {
                print_table(&rows);
                break;
            }
            if Instant::now() > deadline {
                print_table(&rows);
                bail!(
                    "not every node committed a block within {start_timeout:?}; see the logs in {}/*/node.log",
                    dir.display()
                );
            }
            tokio::select! {
                () = shutdown.recv() => {
                    println!("stopping");
                    return Ok(());
                }
                () = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
        println!(
            "testnet {} is running; logs in {}/*/node.log; `publica testnet status {}` shows it. Ctrl-C stops it.",
            manifest.chain_id,
            dir.display(),
            dir.display()
        );

        // Watch the nodes until interrupted: a node that stops on its own is reported once, the others keep
        // running (a BFT network tolerates fewer than a third of its validators down).
        let mut reported = HashSet::new();
        loop {
            tokio::select! {
                () = shutdown.recv() => break,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            for (moniker, log, child) in &mut children.nodes {
                if let Ok(Some(status)) = child.try_wait() {
                    if reported.insert(moniker.clone()) {
                        eprintln!(
                            "{moniker} exited ({status}); its log {} ends with:\n{}",
                            log.display(),
                            log_tail(log, 10)
                        );
                    }
                }
            }
        }
        println!("stopping {} nodes", children.nodes.len());
        tokio::task::spawn_blocking(move || children.stop()).await?;
        Ok(())
    })
}

/// Ctrl-C and SIGTERM, listened to from creation on.
struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn new() -> Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).context("listening for Ctrl-C")?,
                terminate: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_addresses_are_distinct_and_outside_the_ephemeral_range() {
        let addrs = free_local_addrs(32).unwrap();
        let distinct: HashSet<_> = addrs.iter().collect();
        assert_eq!(distinct.len(), 32);
        let (low, high) = ephemeral_port_range();
        assert!(low <= high);
        if low >= PORTS_LOW + PORTS_SPAN_MIN as u16 {
            assert!(addrs.iter().all(|a| a.port() >= PORTS_LOW && a.port() < low), "{addrs:?} with {low}..={high}");
        }
        // Every one is free again: the node binds it later.
        for addr in addrs {
            drop(TcpListener::bind(addr).unwrap());
        }
    }

    #[test]
    fn manifest_round_trips_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest {
            chain_id: "t".parse().unwrap(),
            passphrase_file: "passphrase".into(),
            nodes: vec![NodeEntry {
                moniker: "node0".into(),
                home: "node0".into(),
                api: "http://127.0.0.1:1".into(),
                p2p: "127.0.0.1:2".parse().unwrap(),
                role: NodeRole::Validator,
                address: "00".into(),
            }],
            agencies: vec![],
            dir: PathBuf::new(),
        };
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&manifest).unwrap()).unwrap();
        let back = Manifest::load(dir.path()).unwrap();
        assert_eq!(back.nodes[0].p2p, manifest.nodes[0].p2p);
        assert_eq!(back.home(&back.nodes[0]), dir.path().join("node0"));

        let mut twice = manifest.clone();
        twice.nodes.push(manifest.nodes[0].clone());
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&twice).unwrap()).unwrap();
        assert!(Manifest::load(dir.path()).unwrap_err().to_string().contains("twice"));

        std::fs::write(dir.path().join(MANIFEST), vec![b' '; MAX_MANIFEST_BYTES as usize + 1]).unwrap();
        assert!(Manifest::load(dir.path()).is_err());
    }

    #[test]
    fn auditors_are_listed_with_their_role_and_get_no_transactions() {
        let dir = tempfile::tempdir().unwrap();
        let node = |moniker: &str, role: NodeRole| NodeEntry {
            moniker: moniker.into(),
            home: moniker.into(),
            api: format!("http://{moniker}"),
            p2p: "127.0.0.1:2".parse().unwrap(),
            role,
            address: "00".into(),
        };
        let write = |nodes: Vec<NodeEntry>| {
            let manifest = Manifest {
                chain_id: "t".parse().unwrap(),
                passphrase_file: "passphrase".into(),
                nodes,
                agencies: vec![],
                dir: PathBuf::new(),
            };
            std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&manifest).unwrap()).unwrap();
        };
        write(vec![node("node0", NodeRole::Validator), node("auditor0", NodeRole::Auditor)]);
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(text.contains(r#""role":"auditor""#), "{text}");
        let back = Manifest::load(dir.path()).unwrap();
        assert_eq!(back.nodes[1].role, NodeRole::Auditor);
        assert_eq!(back.apis(), vec!["http://node0".to_owned()], "transactions go to validators only");

        // Auditors alone are no network.
        write(vec![node("auditor0", NodeRole::Auditor)]);
        assert!(Manifest::load(dir.path()).unwrap_err().to_string().contains("0 validators"));
        let mut nodes = vec![node("node0", NodeRole::Validator)];
        nodes.extend((0..=MAX_AUDITORS).map(|i| node(&format!("auditor{i}"), NodeRole::Auditor)));
        write(nodes);
        assert!(Manifest::load(dir.path()).unwrap_err().to_string().contains("auditors"));

        // A manifest written before auditors existed: no role, the key's address under `validator`.
        let old = r#"{"chain_id":"t","passphrase_file":"p","agencies":[],"nodes":[
            {"moniker":"node0","home":"node0","api":"http://a","p2p":"127.0.0.1:2","validator":"ab"}]}"#;
        std::fs::write(dir.path().join(MANIFEST), old).unwrap();
        let back = Manifest::load(dir.path()).unwrap();
        assert_eq!((back.nodes[0].role, back.nodes[0].address.as_str()), (NodeRole::Validator, "ab"));
    }

    #[test]
    fn demo_admin_keys_are_deterministic_and_distinct() {
        assert_eq!(demo_admin_key("a").public_key(), demo_admin_key("a").public_key());
        assert_ne!(demo_admin_key("a").public_key(), demo_admin_key("b").public_key());
    }
}

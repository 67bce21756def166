//! `publica testnet`: a network of several validators on this machine, each one a `publica start` process.
//!
//! `init` writes one directory that holds everything: `testnet.json` (the manifest: nodes, their API URLs and
//! p2p addresses, the demo agencies' administrator keys), one home per node (`node0`, `node1`, ...) whose
//! configuration lists every other validator as a peer, and the passphrase of the keys. `up` starts every node as
//! a child process of the same binary, waits until each has committed a block, prints their status and stops them
//! on Ctrl-C; `status` prints the status of a running testnet.
//!
//! Validator keys are generated at random. The agencies' administrator keys are DEMO keys derived from public
//! seeds, as in `publica dev`, so that load generators and scripts can act on any testnet; they protect nothing
//! and must never be used on a real network.

use std::collections::HashSet;
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::NodeConfig;
use publica_types::{AgencyId, ChainId, Genesis, GenesisAccount, GenesisAgency, Validator, ValidatorSet};
use serde::{Deserialize, Serialize};

use crate::home::{write_home, write_private};

/// Name of the manifest inside a testnet directory.
pub const MANIFEST: &str = "testnet.json";
/// Most validators of a local testnet: every node runs on this machine, and each one executes every block.
pub const VALIDATORS_MAX: usize = 16;
/// Largest manifest accepted when reading one back.
const MANIFEST_BYTES_MAX: u64 = 1 << 20;
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

/// The founding agencies of every testnet, the same as the `dev` network's: id, name, may register citizens. The
/// first one is the agency whose administrator `publica load` uses by default.
pub use super::dev::AGENCIES;

/// `publica testnet` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a testnet directory: genesis with N validators, one home per node, demo agencies.
    ///
    /// The agencies' administrator keys are demo keys derived from public seeds (the same on every machine):
    /// they protect nothing, never use them on a real network. Validator keys are random.
    Init(InitArgs),
    /// Start every node of a testnet, print their status, and stop them on Ctrl-C.
    Up(DirArgs),
    /// Print the status of every node of a running testnet.
    Status(DirArgs),
}

/// Arguments of `publica testnet init`.
#[derive(Args)]
pub struct InitArgs {
    /// Number of validators, 1 to 16 (voting power 1 each).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=VALIDATORS_MAX as i64))]
    validators: u16,
    /// Directory to create; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Chain id of the new network.
    #[arg(long, default_value = "publica-testnet")]
    chain_id: ChainId,
    /// Encrypt every key with the passphrase in this file (the nodes read it from there). Without it, a random
    /// passphrase is written to DIR/passphrase.
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Most transactions per block. Every validator of a testnet shares this machine's cores and re-executes every
    /// block, so a proposal must stay small enough to be streamed and validated within the propose timeout: with
    /// a large backlog and blocks of 8,192 registrations, proposals time out and only empty blocks commit.
    #[arg(long, default_value_t = 1024)]
    block_txs_max: usize,
}

/// Arguments naming a testnet directory.
#[derive(Args)]
pub struct DirArgs {
    /// The testnet directory (made by `publica testnet init`).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// `up` only: how long to wait for every node to commit its first block, seconds.
    #[arg(long, default_value_t = 120)]
    start_timeout_secs: u64,
}

/// Run a `publica testnet` subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init(args),
        Command::Up(args) => up(&args.dir, Duration::from_secs(args.start_timeout_secs)),
        Command::Status(args) => {
            let manifest = Manifest::load(&args.dir)?;
            let rows = super::node::runtime()?.block_on(statuses(&manifest));
            print_table(&rows);
            let down = rows.iter().filter(|r| r.status.is_err()).count();
            if down > 0 {
                bail!("{down} of {} nodes are not answering; start them with `publica testnet up`", rows.len());
            }
            Ok(())
        }
    }
}

/// The manifest of a testnet directory, `testnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The network's chain id.
    pub chain_id: ChainId,
    /// The file holding the passphrase of every key (relative paths are relative to the testnet directory).
    pub passphrase_file: PathBuf,
    /// The validators' nodes, in the order they were created.
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
    /// Its validator's address.
    pub validator: String,
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
        let text = publica_node::config::read_limited(&path, MANIFEST_BYTES_MAX).with_context(|| {
            format!("{} is not a testnet directory (made by `publica testnet init`)", dir.display())
        })?;
        let mut manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid testnet manifest", path.display()))?;
        if manifest.nodes.is_empty() || manifest.nodes.len() > VALIDATORS_MAX {
            bail!("{} lists {} nodes; a testnet has 1 to {VALIDATORS_MAX}", path.display(), manifest.nodes.len());
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

    /// The API URLs of every node.
    pub fn apis(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.api.clone()).collect()
    }
}

/// The demo key of a testnet's agency administrator, derived from a public seed.
pub fn demo_admin_key(agency: &str) -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(format!("publica-testnet-demo-key/admin-{agency}").as_bytes()))
}

/// `count` distinct free TCP addresses on 127.0.0.1. Every listener is held until all are found, so the same port
/// is never handed out twice; another program may still take one before the node binds it.
fn free_local_addrs(count: usize) -> Result<Vec<SocketAddr>> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").context("finding a free port on 127.0.0.1"))
        .collect::<Result<Vec<_>>>()?;
    listeners.iter().map(|l| Ok(l.local_addr()?)).collect()
}

fn init(args: InitArgs) -> Result<()> {
    let dir = &args.out;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} exists and is not empty; choose a new directory or remove it first", dir.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let count = usize::from(args.validators);

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
    let agencies = AGENCIES
        .iter()
        .map(|(id, name, citizens)| {
            Ok(GenesisAgency {
                id: id.parse()?,
                name: (*name).to_owned(),
                can_register_citizens: *citizens,
                admins: vec![GenesisAccount { public_key: demo_admin_key(id).public_key().clone() }],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let genesis = Genesis {
        chain_id: args.chain_id.clone(),
        genesis_time_ms: publica_node::shared::now_ms(),
        agencies,
        validators,
    };
    genesis.validate()?;

    let addrs = free_local_addrs(2 * count)?;
    let (p2p, api) = addrs.split_at(count);
    let mut nodes = Vec::with_capacity(count);
    for (i, key) in keys.iter().enumerate() {
        let moniker = format!("node{i}");
        let mut config = NodeConfig::new(&moniker, api[i], p2p[i]);
        // Consensus broadcasts to connected peers only, so every validator lists every other one.
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
            validator: key.public_key().address().to_string(),
        });
    }

    let mut agencies = Vec::with_capacity(AGENCIES.len());
    for (id, _, citizens) in AGENCIES {
        let file = PathBuf::from("keys").join(format!("admin-{id}.json"));
        let label = format!("demo administrator of {id}");
        // A demo key is public anyway: a light key derivation keeps `init` and `load` quick.
        let kdf = super::dev::demo_kdf();
        crate::keyfile::save(&dir.join(&file), &demo_admin_key(id), &label, &passphrase, kdf)?;
        agencies.push(AgencyEntry { id: id.parse()?, can_register_citizens: *citizens, admin_key: file });
    }

    let manifest = Manifest { chain_id: args.chain_id.clone(), passphrase_file, nodes, agencies, dir: dir.clone() };
    let json = serde_json::to_string_pretty(&manifest)?;
    std::fs::write(dir.join(MANIFEST), json + "\n").context("writing testnet.json")?;

    println!("testnet {} with {count} validators in {}", args.chain_id, dir.display());
    for node in &manifest.nodes {
        println!("  {:<7} api {:<24} p2p {:<21} validator {}", node.moniker, node.api, node.p2p, node.validator);
    }
    println!("demo administrator keys (public seeds, never for a real network) in {}", dir.join("keys").display());
    println!("start it with: publica testnet up {}", dir.display());
    Ok(())
}

/// One node's answer to `GET /v1/status`, reduced to what the table shows.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NodeStatus {
    /// The node's chain id.
    pub chain_id: String,
    /// Its last committed height.
    pub height: u64,
    /// Hash of its last committed block.
    pub last_block_hash: Option<String>,
    /// Its state root after that block.
    pub state_root: String,
    /// Transactions waiting in its mempool.
    pub mempool_txs: u64,
}

/// A row of the status table.
struct Row {
    moniker: String,
    api: String,
    status: Result<NodeStatus, String>,
}

async fn fetch_status(http: &reqwest::Client, api: &str) -> Result<NodeStatus, String> {
    let response = http.get(format!("{api}/v1/status")).send().await.map_err(|e| {
        if e.is_timeout() {
            "not answering".to_owned()
        } else {
            "not reachable".to_owned()
        }
    })?;
    if !response.status().is_success() {
        return Err(format!("answers {}", response.status()));
    }
    response.json().await.map_err(|e| format!("answers something that is not a status: {e}"))
}

async fn statuses(manifest: &Manifest) -> Vec<Row> {
    let http = reqwest::Client::builder().timeout(STATUS_TIMEOUT).build().expect("a client with a timeout builds");
    // All nodes are asked at once, so a node that does not answer costs one timeout, not one per node.
    let tasks: Vec<_> = manifest
        .nodes
        .iter()
        .map(|n| {
            let (http, api) = (http.clone(), n.api.clone());
            tokio::spawn(async move { fetch_status(&http, &api).await })
        })
        .collect();
    let mut rows = Vec::with_capacity(tasks.len());
    for (node, task) in manifest.nodes.iter().zip(tasks) {
        let status = task.await.unwrap_or_else(|e| Err(format!("status request failed: {e}")));
        rows.push(Row { moniker: node.moniker.clone(), api: node.api.clone(), status });
    }
    rows
}

fn prefix(hash: &str) -> &str {
    &hash[..hash.len().min(HASH_PREFIX_CHARS)]
}

fn print_table(rows: &[Row]) {
    println!("{:<7} {:<24} {:>8}  {:<12}  {:<12}  {:>7}", "node", "api", "height", "block", "state root", "mempool");
    for row in rows {
        match &row.status {
            Ok(s) => println!(
                "{:<7} {:<24} {:>8}  {:<12}  {:<12}  {:>7}",
                row.moniker,
                row.api,
                s.height,
                s.last_block_hash.as_deref().map(prefix).unwrap_or("-"),
                prefix(&s.state_root),
                s.mempool_txs
            ),
            Err(e) => println!("{:<7} {:<24} {e}", row.moniker, row.api),
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

fn up(dir: &Path, start_timeout: Duration) -> Result<()> {
    let manifest = Manifest::load(dir)?;
    let rt = super::node::runtime()?;
    rt.block_on(async {
        // Signals are caught from the start, so Ctrl-C during start-up stops the nodes too.
        let mut shutdown = Shutdown::new()?;
        let running = statuses(&manifest).await.into_iter().filter(|r| r.status.is_ok()).count();
        if running > 0 {
            bail!(
                "{running} node(s) of this testnet already answer on their API; is it running? See `publica testnet \
                 status {}`",
                dir.display()
            );
        }
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
        println!("started {} nodes; waiting for each to commit a block", children.nodes.len());

        let deadline = Instant::now() + start_timeout;
        loop {
            if let Some((moniker, log, status)) = children.exited() {
                bail!(
                    "{moniker} exited ({status}) while starting; its log {} ends with:\n{}",
                    log.display(),
                    log_tail(&log, 20)
                );
            }
            let rows = statuses(&manifest).await;
            if rows.iter().all(|r| matches!(&r.status, Ok(s) if s.height >= 1)) {
                print_table(&rows);
                break;
            }
            if Instant::now() > deadline {
                print_table(&rows);
                bail!(
                    "not every node committed a block within {start_timeout:?}; see the logs in {}/node*/node.log",
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
            "testnet {} is running; logs in {}/node*/node.log; `publica testnet status {}` shows it. Ctrl-C stops it.",
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
    fn free_addresses_are_distinct() {
        let addrs = free_local_addrs(32).unwrap();
        let distinct: HashSet<_> = addrs.iter().collect();
        assert_eq!(distinct.len(), 32);
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
                validator: "00".into(),
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

        std::fs::write(dir.path().join(MANIFEST), vec![b' '; MANIFEST_BYTES_MAX as usize + 1]).unwrap();
        assert!(Manifest::load(dir.path()).is_err());
    }

    #[test]
    fn demo_admin_keys_are_deterministic_and_distinct() {
        assert_eq!(demo_admin_key("a").public_key(), demo_admin_key("a").public_key());
        assert_ne!(demo_admin_key("a").public_key(), demo_admin_key("b").public_key());
    }
}

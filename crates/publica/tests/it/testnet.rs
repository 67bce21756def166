//! End to end with several validators: networks made by `publica testnet init`, each node a `publica start`
//! process. Validators are killed with SIGKILL and restarted while transactions flow; two of four are stopped to
//! take the quorum away. In every case, every transaction a node acknowledged as committed must be committed, at
//! the same height, on every running node, and all nodes must hold identical blocks (hash, header with its state
//! root) at every height they have in common.
//!
//! The helpers here ([`Net`], [`Node`], [`Trickle`]) serve the fault tests in `faults.rs` too.

use std::collections::HashMap;
use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use publica_crypto::keystore::{KeyFile, Passphrase};
use publica_crypto::Keypair;
use publica_tx::{AccountsCall, Call, TxBody};
use publica_types::{AgencyId, ChainId, Role};
use serde_json::Value;

use crate::{stdout_lines, text, BIN};

/// One multi-validator network at a time: each is four node processes executing every block, and the machines
/// these tests run on may have two cores. Running them one after another keeps each within its time bounds.
static NETWORKS: Mutex<()> = Mutex::new(());

pub(crate) fn one_network_at_a_time() -> MutexGuard<'static, ()> {
    // A failed test poisons the lock; the next test still runs its own network.
    NETWORKS.lock().unwrap_or_else(|e| e.into_inner())
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build().unwrap()
}

/// GET a JSON document: `None` when the node does not answer or answers an error.
pub(crate) fn get(api: &str, path: &str) -> Option<Value> {
    let response = http().get(format!("{api}{path}")).send().ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().ok()
}

/// Wait until `f` holds, polling, or panic with `what` after `limit`.
pub(crate) fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).env("PUBLICA_LOG", "error").stdin(Stdio::null()).output().unwrap()
}

/// One node of the network: a `publica start` process, killed when dropped.
pub(crate) struct Node {
    pub moniker: String,
    pub home: PathBuf,
    pub api: String,
    /// Its peer-to-peer listen address.
    pub p2p: SocketAddr,
    /// Outside the validator set: it never proposes or votes.
    pub auditor: bool,
    child: Option<Child>,
}

impl Node {
    /// A node of a home made outside `publica testnet init` (e.g. one that joins later), not started yet.
    pub fn new(moniker: &str, home: PathBuf, api: String, p2p: SocketAddr, auditor: bool) -> Node {
        Node { moniker: moniker.to_owned(), home, api, p2p, auditor, child: None }
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.moniker);
        let log = File::options().create(true).append(true).open(self.home.join("node.log")).unwrap();
        let child = Command::new(BIN)
            .args(["start", "--home", self.home.to_str().unwrap()])
            .env("PUBLICA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown code runs, exactly like a crash.
    pub fn kill_9(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn status(&self) -> Option<Value> {
        get(&self.api, "/v1/status")
    }

    /// The node's height, 0 while it does not answer.
    pub fn height(&self) -> u64 {
        self.status().and_then(|s| s["height"].as_u64()).unwrap_or(0)
    }

    /// The node's height from a status that answered: retried for up to 10 s, so that a request that timed out
    /// on a loaded machine is not taken for height 0. Panics, with the log, if the node never answers.
    pub fn answered_height(&self) -> u64 {
        for _ in 0..100 {
            if let Some(height) = self.status().and_then(|s| s["height"].as_u64()) {
                return height;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{} does not answer its status; log:\n{}", self.moniker, self.log_tail());
    }

    pub fn block(&self, height: u64) -> Value {
        get(&self.api, &format!("/v1/blocks/{height}"))
            .unwrap_or_else(|| panic!("{} has no block {height}; log:\n{}", self.moniker, self.log_tail()))
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.home.join("node.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A network made by `publica testnet init`, its nodes started one by one by the test.
pub(crate) struct Net {
    _dir: tempfile::TempDir,
    pub dir: PathBuf,
    pub chain_id: ChainId,
    /// The validators first, then the auditors, as in the manifest.
    pub nodes: Vec<Node>,
}

impl Net {
    pub fn init(validators: usize, auditors: usize) -> Net {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("net");
        let out = run(&[
            "testnet",
            "init",
            "--validators",
            &validators.to_string(),
            "--auditors",
            &auditors.to_string(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("testnet.json")).unwrap()).unwrap();
        let nodes = manifest["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| Node {
                moniker: n["moniker"].as_str().unwrap().to_owned(),
                home: dir.join(n["home"].as_str().unwrap()),
                api: n["api"].as_str().unwrap().to_owned(),
                p2p: n["p2p"].as_str().unwrap().parse().unwrap(),
                auditor: match n["role"].as_str().unwrap() {
                    "validator" => false,
                    "auditor" => true,
                    other => panic!("unknown role {other}"),
                },
                child: None,
            })
            .collect::<Vec<_>>();
        assert_eq!(nodes.len(), validators + auditors);
        assert!(nodes.iter().enumerate().all(|(i, n)| n.auditor == (i >= validators)), "validators come first");
        let chain_id = manifest["chain_id"].as_str().unwrap().parse().unwrap();
        Net { _dir: tmp, dir, chain_id, nodes }
    }

    pub fn start_all(&mut self) {
        for node in &mut self.nodes {
            node.start();
        }
        let limit = Duration::from_secs(60);
        let deadline = Instant::now() + limit;
        while !self.nodes.iter().all(|n| n.height() >= 1) {
            if Instant::now() >= deadline {
                let stuck: Vec<String> = self
                    .nodes
                    .iter()
                    .filter(|n| n.height() == 0)
                    .map(|n| format!("{} has no block; its log ends with:\n{}", n.moniker, n.log_tail()))
                    .collect();
                panic!("timed out after {limit:?} waiting for every node to commit a block:\n{}", stuck.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn running(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.running())
    }

    pub fn validators(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| !n.auditor)
    }

    /// The highest height of a running node.
    pub fn max_height(&self) -> u64 {
        self.running().map(Node::height).max().unwrap_or(0)
    }

    /// The demo administrator of the agency at `index` in the manifest, and the agency.
    pub fn admin(&self, index: usize) -> (Keypair, AgencyId) {
        let manifest: Value = serde_json::from_slice(&std::fs::read(self.dir.join("testnet.json")).unwrap()).unwrap();
        let agency = &manifest["agencies"][index];
        let pass = Passphrase::from_file(self.dir.join(manifest["passphrase_file"].as_str().unwrap())).unwrap();
        let key = KeyFile::load(self.dir.join(agency["admin_key"].as_str().unwrap()))
            .unwrap()
            .decrypt(pass.as_bytes())
            .unwrap();
        (key, agency["id"].as_str().unwrap().parse().unwrap())
    }

    /// A role the agency may grant its officials (the first of its genesis list).
    pub fn grantable_role(&self, agency: &AgencyId) -> Role {
        let genesis: Value =
            serde_json::from_slice(&std::fs::read(self.dir.join("node0/genesis.json")).unwrap()).unwrap();
        let entry = genesis["agencies"].as_array().unwrap().iter().find(|a| a["id"] == agency.as_str()).unwrap();
        entry["roles"][0].as_str().expect("every demo agency grants a role besides admin").parse().unwrap()
    }

    /// Every running node holds the same block (hash and header, so the same state root) at every height they all
    /// have, and each one's status reports the state root of its own last header.
    pub fn assert_same_chain(&self) -> u64 {
        let common = self.running().map(Node::height).min().unwrap();
        for node in self.running() {
            let status = node.status().unwrap();
            let height = status["height"].as_u64().unwrap();
            let block = node.block(height);
            assert_eq!(status["state_root"], block["header"]["state_root"], "{} at {height}", node.moniker);
        }
        for h in 1..=common {
            let blocks: Vec<(String, Value)> = self.running().map(|n| (n.moniker.clone(), n.block(h))).collect();
            let (first, reference) = &blocks[0];
            for (moniker, block) in &blocks[1..] {
                assert_eq!(block["hash"], reference["hash"], "fork at height {h}: {moniker} and {first} differ");
                assert_eq!(block["header"], reference["header"], "{moniker} and {first} differ at height {h}");
                assert_eq!(block["tx_ids"], reference["tx_ids"], "{moniker} and {first} differ at height {h}");
            }
        }
        common
    }

    /// Every acknowledged transaction is committed at the same height on every running node.
    pub fn assert_acknowledged_everywhere(&self, acknowledged: &[(String, u64)]) {
        let highest = acknowledged.iter().map(|(_, h)| *h).max().unwrap_or(0);
        wait_until(Duration::from_secs(30), "every running node to reach the acknowledged heights", || {
            self.running().all(|n| n.height() >= highest)
        });
        for (id, height) in acknowledged {
            for node in self.running() {
                let status = get(&node.api, &format!("/v1/transactions/{id}"))
                    .unwrap_or_else(|| panic!("{} does not know transaction {id}", node.moniker));
                assert_eq!(status["status"], "committed", "{id} on {}: {status}", node.moniker);
                assert_eq!(status["height"].as_u64(), Some(*height), "{id} on {}", node.moniker);
            }
        }
    }
}

/// A steady trickle of transactions: the administrator of agency `i` registers new officials through validator `i`,
/// one transaction at a time, and keeps those its node acknowledged as committed. A node marked unusable is left
/// alone (its pending transaction is forgotten, and its nonce read again once it is usable). Auditors get no
/// transactions: they never propose, so nothing sent to them would be included.
pub(crate) struct Trickle {
    usable: Arc<Vec<AtomicBool>>,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<(String, u64, usize)>>>,
    thread: Option<JoinHandle<Vec<String>>>,
}

impl Trickle {
    pub fn start(net: &Net) -> Trickle {
        // Four demo agencies: validator i sends for agency i (mod 4). Validators come first in `net.nodes`, so a
        // sender's index is its node's index.
        let senders: Vec<(String, Keypair, AgencyId, Role)> = net
            .validators()
            .enumerate()
            .map(|(i, n)| {
                let (key, agency) = net.admin(i % 4);
                let role = net.grantable_role(&agency);
                (n.api.clone(), key, agency, role)
            })
            .collect();
        let usable: Arc<Vec<AtomicBool>> = Arc::new(senders.iter().map(|_| AtomicBool::new(true)).collect());
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let chain_id = net.chain_id.clone();
        let thread = {
            let (usable, stop, acknowledged) = (usable.clone(), stop.clone(), acknowledged.clone());
            std::thread::spawn(move || trickle(&senders, &chain_id, &usable, &stop, &acknowledged))
        };
        Trickle { usable, stop, acknowledged, thread: Some(thread) }
    }

    pub fn set_usable(&self, node: usize, usable: bool) {
        self.usable[node].store(usable, Ordering::SeqCst);
    }

    /// How many transactions node `node` acknowledged so far.
    pub fn count(&self, node: usize) -> usize {
        self.acknowledged.lock().unwrap().iter().filter(|(_, _, n)| *n == node).count()
    }

    pub fn total(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Stop it; returns the acknowledged transactions. Panics if any was refused.
    pub fn finish(mut self) -> Vec<(String, u64)> {
        self.stop.store(true, Ordering::SeqCst);
        let errors = self.thread.take().unwrap().join().unwrap();
        assert!(errors.is_empty(), "transactions of the trickle were refused: {errors:#?}");
        self.acknowledged.lock().unwrap().iter().map(|(id, h, _)| (id.clone(), *h)).collect()
    }
}

impl Drop for Trickle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn trickle(
    senders: &[(String, Keypair, AgencyId, Role)],
    chain_id: &ChainId,
    usable: &[AtomicBool],
    stop: &AtomicBool,
    acknowledged: &Mutex<Vec<(String, u64, usize)>>,
) -> Vec<String> {
    let client = http();
    let mut errors = Vec::new();
    let mut pending: Vec<Option<String>> = vec![None; senders.len()];
    let mut nonces: Vec<Option<u64>> = vec![None; senders.len()];
    while !stop.load(Ordering::SeqCst) {
        for (i, (api, key, agency, role)) in senders.iter().enumerate() {
            if !usable[i].load(Ordering::SeqCst) {
                pending[i] = None;
                nonces[i] = None;
                continue;
            }
            if let Some(id) = &pending[i] {
                match get(api, &format!("/v1/transactions/{id}")) {
                    Some(s) if s["status"] == "committed" => {
                        acknowledged.lock().unwrap().push((id.clone(), s["height"].as_u64().unwrap(), i));
                        pending[i] = None;
                        nonces[i] = nonces[i].map(|n| n + 1);
                    }
                    Some(s) if s["status"] == "rejected" => {
                        errors.push(format!("{id} on {api}: {s}"));
                        pending[i] = None;
                        nonces[i] = None;
                    }
                    Some(_) => {}
                    // Not answering, or forgot it: start again from the committed nonce.
                    None => {
                        pending[i] = None;
                        nonces[i] = None;
                    }
                }
                continue;
            }
            let nonce = match nonces[i] {
                Some(n) => n,
                None => {
                    let Some(account) = get(api, &format!("/v1/accounts/{}", key.public_key().address())) else {
                        continue;
                    };
                    account["next_nonce"].as_u64().unwrap()
                }
            };
            nonces[i] = Some(nonce);
            let tx = TxBody {
                chain_id: chain_id.clone(),
                sender: key.public_key().address(),
                nonce,
                expires_at_ms: now_ms() + 600_000,
                call: Call::Accounts(AccountsCall::RegisterOfficial {
                    public_key: Keypair::generate().public_key().clone(),
                    agency: agency.clone(),
                    roles: vec![role.clone()],
                }),
            }
            .sign(key);
            let response = client
                .post(format!("{api}/v1/transactions"))
                .header("content-type", "application/octet-stream")
                .body(tx.encode())
                .send();
            match response {
                Ok(r) if r.status().is_success() => pending[i] = Some(tx.id().to_string()),
                Ok(r) => {
                    // A node that is still catching up may not know the last nonce yet: read it again.
                    let body: Value = r.json().unwrap_or_default();
                    if body["error"]["code"] != "bad_nonce" {
                        errors.push(format!("submission to {api} refused: {body}"));
                    }
                    nonces[i] = None;
                }
                Err(_) => nonces[i] = None,
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    errors
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

#[test]
fn a_validator_killed_with_sigkill_is_not_missed_and_catches_up_with_the_same_state() {
    let _one = one_network_at_a_time();
    let mut net = Net::init(4, 0);
    net.start_all();
    let trickle = Trickle::start(&net);
    wait_until(Duration::from_secs(30), "transactions to commit through every node", || {
        (0..4).all(|i| trickle.count(i) >= 1)
    });

    // SIGKILL one validator: the three others are a quorum and go on committing, the trickle with them, for
    // enough blocks that the restarted validator must fetch several by value sync.
    trickle.set_usable(3, false);
    net.nodes[3].kill_9();
    let killed_at = net.max_height();
    let before: Vec<usize> = (0..3).map(|i| trickle.count(i)).collect();
    wait_until(Duration::from_secs(40), "the three others to commit blocks and transactions", || {
        net.nodes[..3].iter().all(|n| n.height() >= killed_at + 10) && (0..3).all(|i| trickle.count(i) > before[i])
    });

    // Restarted, it catches up by value sync, then proposes again: its own transactions commit.
    net.nodes[3].start();
    let target = net.max_height();
    wait_until(Duration::from_secs(40), "the restarted validator to catch up", || net.nodes[3].height() >= target);
    trickle.set_usable(3, true);
    let before = trickle.count(3);
    wait_until(Duration::from_secs(40), "a transaction through the restarted validator", || trickle.count(3) > before);

    let acknowledged = trickle.finish();
    assert!(acknowledged.len() >= 8, "only {} transactions acknowledged", acknowledged.len());
    net.assert_acknowledged_everywhere(&acknowledged);
    let common = net.assert_same_chain();
    assert!(common > killed_at, "the chain did not advance past the crash ({common} <= {killed_at})");
    // Its state at its own height is the others' state at that height.
    let height = net.nodes[3].height();
    let mine = net.nodes[3].block(height);
    for node in &net.nodes[..3] {
        assert_eq!(node.block(height)["header"]["state_root"], mine["header"]["state_root"]);
    }
}

#[test]
fn without_a_quorum_nothing_commits_and_commits_resume_when_it_returns() {
    let _one = one_network_at_a_time();
    let mut net = Net::init(4, 0);
    net.start_all();
    let trickle = Trickle::start(&net);
    wait_until(Duration::from_secs(30), "transactions to commit", || trickle.total() >= 4);

    // Two of four down: 2 of 4 voting power is not more than two thirds.
    trickle.set_usable(2, false);
    trickle.set_usable(3, false);
    net.nodes[2].kill_9();
    net.nodes[3].kill_9();
    // A height whose precommits were already out may still complete; after that, nothing.
    std::thread::sleep(Duration::from_secs(2));
    let stalled_at = net.max_height();
    let acknowledged_then = trickle.total();
    let watch_until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < watch_until {
        assert_eq!(net.max_height(), stalled_at, "a block was committed without a quorum");
        std::thread::sleep(Duration::from_millis(250));
    }
    // The two still running agree on everything they have, and hold transactions waiting.
    net.assert_same_chain();
    assert_eq!(trickle.total(), acknowledged_then, "a transaction was acknowledged without a quorum");

    // One comes back: three of four are a quorum again.
    net.nodes[2].start();
    wait_until(Duration::from_secs(45), "commits to resume", || net.max_height() > stalled_at + 2);
    wait_until(Duration::from_secs(30), "the returning validator to catch up", || {
        net.nodes[2].height() >= stalled_at + 2
    });
    trickle.set_usable(2, true);
    let before = trickle.total();
    wait_until(Duration::from_secs(30), "transactions to commit again", || trickle.total() >= before + 3);

    let acknowledged = trickle.finish();
    net.assert_acknowledged_everywhere(&acknowledged);
    let common = net.assert_same_chain();
    assert!(common > stalled_at);
}

/// The `publica testnet up` process, stopped with SIGTERM (it then stops its nodes) when dropped.
struct Up {
    child: Child,
    output: mpsc::Receiver<String>,
}

impl Up {
    fn start(dir: &Path) -> Up {
        let mut child = Command::new(BIN)
            .args(["testnet", "up", dir.to_str().unwrap()])
            .env("PUBLICA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let rx = stdout_lines(&mut child);
        Up { child, output: rx }
    }

    fn wait_for_line(&self, needle: &str, timeout: Duration) -> Vec<String> {
        super::wait_for_line(&self.output, "publica testnet up", needle, timeout)
    }

    /// SIGTERM, then wait for it to exit; `true` if it did within `limit`.
    fn terminate(&mut self, limit: Duration) -> bool {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        if !self.terminate(Duration::from_secs(20)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn testnet_up_runs_the_nodes_status_shows_them_and_load_commits_through_all() {
    let _one = one_network_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("net");
    let dir_s = dir.to_str().unwrap();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "a testnet passphrase\n").unwrap();

    for bad in ["0", "17"] {
        let out = run(&["testnet", "init", "--validators", bad, "--out", dir_s]);
        assert!(!out.status.success() && text(&out).contains("validators"), "{}", text(&out));
    }
    let out = run(&["testnet", "init", "--validators", "3", "--auditors", "9", "--out", dir_s]);
    assert!(!out.status.success() && text(&out).contains("auditors"), "{}", text(&out));
    let pass_s = pass.to_str().unwrap();
    let init = ["testnet", "init", "--validators", "3", "--auditors", "1", "--out", dir_s, "--passphrase-file", pass_s];
    let out = run(&init);
    assert!(out.status.success(), "{}", text(&out));
    let again = run(&init);
    assert!(!again.status.success() && text(&again).contains("not empty"), "{}", text(&again));
    // Every node lists the three others as peers, and reads the given passphrase file. The auditor's key is not in
    // the genesis validator set.
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("testnet.json")).unwrap()).unwrap();
    let nodes = manifest["nodes"].as_array().unwrap();
    let roles: Vec<&str> = nodes.iter().map(|n| n["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["validator", "validator", "validator", "auditor"]);
    assert_eq!(nodes[3]["moniker"], "auditor0");
    let genesis: Value = serde_json::from_slice(&std::fs::read(dir.join("node0/genesis.json")).unwrap()).unwrap();
    let genesis_text = genesis.to_string();
    for node in nodes {
        let member = genesis_text.contains(node["address"].as_str().unwrap());
        assert_eq!(member, node["role"] == "validator", "{node} in the genesis validator set: {member}");
    }
    for node in nodes {
        let config = publica_node::NodeConfig::load(&dir.join(node["home"].as_str().unwrap())).unwrap();
        let mut peers: Vec<String> = config.p2p.peers.iter().map(ToString::to_string).collect();
        peers.sort();
        let mut others: Vec<String> =
            nodes.iter().filter(|n| n != &node).map(|n| n["p2p"].as_str().unwrap().to_owned()).collect();
        others.sort();
        assert_eq!(peers, others);
        assert_eq!(config.p2p.listen.to_string(), node["p2p"].as_str().unwrap());
        assert_eq!(config.block.txs_max, 1024, "testnet blocks stay small enough to validate in time");
        assert_eq!(config.key.passphrase_file.as_deref(), Some(std::fs::canonicalize(&pass).unwrap().as_path()));
    }

    let out = run(&["testnet", "status", dir_s]);
    assert!(!out.status.success() && text(&out).contains("not answering"), "{}", text(&out));

    let mut up = Up::start(&dir);
    let table = up.wait_for_line("is running", Duration::from_secs(90));
    assert!(table.iter().any(|l| l.contains("(validators: 3, auditors: 1)")), "{table:#?}");
    assert_eq!(table.iter().filter(|l| l.starts_with("node")).count(), 4, "{table:#?}");
    assert!(table.iter().any(|l| l.starts_with("auditor0  auditor   http")), "{table:#?}");
    let out = run(&["testnet", "status", dir_s]);
    assert!(out.status.success(), "{}", text(&out));
    let rows: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().skip(1).map(str::to_owned).collect();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    for (row, node) in rows.iter().zip(nodes) {
        let columns: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(columns[..2], [node["moniker"].as_str().unwrap(), node["role"].as_str().unwrap()], "{row}");
        let height: u64 = columns[3].parse().unwrap();
        assert!(height >= 1, "{row}");
    }
    // A second `up` of a running testnet is refused.
    let out = run(&["testnet", "up", dir_s]);
    assert!(!out.status.success() && text(&out).contains("already answer"), "{}", text(&out));

    // The load goes through every validator's API (not the auditor's: it proposes nothing) and all of it commits.
    let out = run(&["load", "--testnet", dir_s, "--rate", "40", "--duration", "3", "--senders", "6"]);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("120 accepted, 0 refused"), "{report}");
    assert!(report.contains("committed     120 in"), "{report}");
    assert!(report.contains("p99"), "{report}");
    // Every sender's transactions went to one node, spread over all: each node proposed some of them.
    let heights: Vec<u64> = manifest["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| get(n["api"].as_str().unwrap(), "/v1/status").unwrap()["height"].as_u64().unwrap())
        .collect();
    let api0 = manifest["nodes"][0]["api"].as_str().unwrap().to_owned();
    let mut proposers: HashMap<String, usize> = HashMap::new();
    for h in 1..=*heights.iter().min().unwrap() {
        let block = get(&api0, &format!("/v1/blocks/{h}")).unwrap();
        if !block["tx_ids"].as_array().unwrap().is_empty() {
            *proposers.entry(block["header"]["proposer"].to_string()).or_default() += 1;
        }
    }
    assert_eq!(proposers.len(), 3, "blocks with transactions by {proposers:?}");

    // An unreachable node is a clear error before anything is sent.
    let dead = format!("http://127.0.0.1:{}", crate::free_port());
    let admin = dir.join(manifest["agencies"][0]["admin_key"].as_str().unwrap());
    let out = run(&[
        "load",
        "--api",
        &format!("{api0},{dead}"),
        "--admin-key",
        admin.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--rate",
        "10",
        "--duration",
        "1",
    ]);
    assert!(
        !out.status.success() && text(&out).contains(&format!("cannot reach the node at {dead}")),
        "{}",
        text(&out)
    );
    // A key that is no administrator is refused with the reason.
    let land = dir.join(manifest["agencies"][1]["admin_key"].as_str().unwrap());
    let out =
        run(&["load", "--testnet", dir_s, "--admin-key", land.to_str().unwrap(), "--rate", "10", "--duration", "1"]);
    assert!(!out.status.success() && text(&out).contains("may not register citizens"), "{}", text(&out));

    // SIGTERM stops `up`, and `up` stops its nodes.
    assert!(up.terminate(Duration::from_secs(30)), "`publica testnet up` did not stop");
    let out = run(&["testnet", "status", dir_s]);
    assert!(!out.status.success() && text(&out).contains("4 of 4 nodes are not answering"), "{}", text(&out));
}

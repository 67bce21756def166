//! A node catching up by value sync syncs its store to the disk only every few hundred blocks (blocks it can fetch
//! again), so a crash during catch-up must leave its store at a whole earlier block, from which it starts again.
//!
//! One validator (in this process) fills a chain; an auditor (a node whose key is in no validator set) runs in a
//! child process, this test binary started again on [`auditor_child`], and catches up from an empty store. It is
//! killed with SIGKILL in the middle of the catch-up, restarted in this process on the same home, and must open
//! (the start-up checks the state against the last header's root), start at or below the height it had reached,
//! catch up to the validator and hold the validator's very blocks.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use publica_crypto::Keypair;
use publica_node::{Node, NodeConfig, NodeHandle};
use publica_tx::*;
use publica_types::*;

/// The child process's home directory, set only in the child.
const CHILD_HOME: &str = "PUBLICA_TEST_CATCHUP_AUDITOR_HOME";
/// Blocks the chain has before the auditor starts.
const FILLED: u64 = 600;
/// The auditor is killed once it has committed this many blocks, before it reaches the head.
const KILL_AT: u64 = 150;

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn validator_key() -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(b"catchup validator"))
}

fn auditor_key() -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(b"catchup auditor"))
}

fn admin_key() -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(b"catchup admin"))
}

fn agency() -> AgencyId {
    AgencyId::new("catchup-agency").unwrap()
}

fn clerk() -> Role {
    Role::new("clerk").unwrap()
}

/// Write a node's home: configuration, genesis and p2p key.
fn write_home(home: &Path, config: &NodeConfig, genesis: &Genesis, p2p_seed: &str) {
    std::fs::create_dir_all(home.join("keys")).unwrap();
    config.check().unwrap();
    config.save(home).unwrap();
    let layout = publica_node::HomeLayout::new(home);
    std::fs::write(layout.genesis(), genesis.to_json()).unwrap();
    std::fs::write(layout.p2p_key(), hex::encode(publica_crypto::sha256(p2p_seed.as_bytes()))).unwrap();
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "{what} did not happen within {timeout:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Registrations of officials by the administrator, a few per block while the chain fills.
fn registrations(chain_id: &ChainId, count: usize) -> Vec<Vec<u8>> {
    let key = admin_key();
    (0..count)
        .map(|nonce| {
            let official = Keypair::from_seed(&publica_crypto::sha256(format!("catchup official {nonce}").as_bytes()));
            TxBody {
                chain_id: chain_id.clone(),
                sender: key.address(),
                nonce: nonce as u64,
                expires_at_ms: publica_node::shared::now_ms() + 3_600_000,
                call: Call::Accounts(AccountsCall::RegisterOfficial {
                    public_key: official.public_key().clone(),
                    agency: agency(),
                    roles: vec![clerk()],
                }),
            }
            .sign(&key)
            .encode()
        })
        .collect()
}

#[test]
fn an_auditor_killed_while_catching_up_restarts_at_a_whole_block_and_reaches_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let chain_id = ChainId::new("catchup-test").unwrap();
    let genesis = Genesis {
        chain_id: chain_id.clone(),
        genesis_time_ms: publica_node::shared::now_ms() - 1_000,
        agencies: vec![GenesisAgency {
            id: agency(),
            name: "Catch-up Agency".into(),
            can_register_citizens: false,
            roles: vec![clerk()],
            admins: vec![GenesisAccount { public_key: admin_key().public_key().clone() }],
        }],
        validators: ValidatorSet::single(&validator_key()),
    };
    genesis.validate().unwrap();
    let (validator_p2p, auditor_p2p) = (free_addr(), free_addr());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    // The validator makes an empty block every 20 ms, and blocks of three transactions while they last.
    let validator_home = dir.path().join("validator");
    let mut config = NodeConfig::new("validator", free_addr(), validator_p2p);
    config.p2p.peers = vec![auditor_p2p];
    config.consensus.empty_block_interval_ms = 20;
    config.block.txs_max = 3;
    config.mempool.per_sender_max = publica_node::mempool::MAX_NONCE_LOOKAHEAD;
    config.mempool.sender_bytes_max = 1 << 30;
    write_home(&validator_home, &config, &genesis, "catchup validator p2p");
    let validator = runtime.block_on(Node::start(&validator_home, validator_key())).unwrap();
    let v = validator.handle();
    for (i, result) in v.submit_batch(&registrations(&chain_id, 300)).into_iter().enumerate() {
        result.unwrap_or_else(|e| panic!("registration {i} refused: {e:?}"));
    }
    wait_for("the validator filling its chain", Duration::from_secs(120), || v.height() >= FILLED);

    // The auditor catches up in a child process, which is killed in the middle.
    let auditor_home = dir.path().join("auditor");
    let mut config = NodeConfig::new("auditor", free_addr(), auditor_p2p);
    config.p2p.peers = vec![validator_p2p];
    write_home(&auditor_home, &config, &genesis, "catchup auditor p2p");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "catchup::auditor_child", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD_HOME, &auditor_home)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let reached = loop {
        assert!(started.elapsed() < Duration::from_secs(120), "the auditor did not reach height {KILL_AT}");
        let line = lines.next().expect("the auditor process ended before it was killed").unwrap();
        if let Some(height) = line.strip_prefix("auditor height ").and_then(|h| h.trim().parse::<u64>().ok()) {
            if height >= KILL_AT {
                break height;
            }
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let head = v.height();
    assert!(reached < head, "the auditor had caught up ({reached} of {head}) before it was killed");

    // Restarted on the same home, it opens (the state matches the last header), starts at a height it had
    // reached, and catches up to the moving head.
    let auditor = runtime.block_on(Node::start(&auditor_home, auditor_key())).unwrap();
    let a = auditor.handle();
    let restarted_at = a.height();
    assert!(restarted_at <= head, "the auditor restarted at {restarted_at}, beyond the head {head}");
    wait_for("the restarted auditor catching up", Duration::from_secs(120), || a.height() >= v.height());
    let caught_up = a.height();
    assert!(caught_up > reached);
    for height in 1..=caught_up {
        let ours = block_hash(&a, height);
        assert_eq!(ours, block_hash(&v, height), "the auditor's block {height} differs from the validator's");
    }
    let root = |h: &NodeHandle| h.certified_header(caught_up).unwrap().header.state_root;
    assert_eq!(root(&a), root(&v));
    eprintln!("auditor killed at {reached} (head {head}), restarted at {restarted_at}, caught up to {caught_up}");

    drop((a, v));
    runtime.block_on(auditor.stop());
    runtime.block_on(validator.stop());
}

fn block_hash(node: &NodeHandle, height: u64) -> Hash {
    node.block(height).unwrap().0.unwrap_or_else(|| panic!("no block {height}")).0.hash()
}

/// The auditor of the test above, in its own process so that it can be killed: runs only when started by it.
#[test]
#[ignore = "started by an_auditor_killed_while_catching_up_restarts_at_a_whole_block_and_reaches_the_head"]
fn auditor_child() {
    let Some(home) = std::env::var_os(CHILD_HOME) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let node = runtime.block_on(Node::start(Path::new(&home), auditor_key())).unwrap();
    let handle = node.handle();
    // Until killed; the parent gives up long before this.
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline {
        println!("auditor height {}", handle.height());
        std::thread::sleep(Duration::from_millis(2));
    }
}

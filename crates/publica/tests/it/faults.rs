//! Faults beyond a crash, with networks made by `publica testnet init`: an auditor (a node outside the validator
//! set) follows the chain, serves proofs and catches up after SIGKILL without the validators noticing; and a
//! validator cut off by a network partition stalls while the others go on, then catches up once the partition
//! heals.
//!
//! The partition is made by TCP proxies in this process: the cut-off validator's configuration names proxies for
//! its peers, and its peers' configurations name a proxy for it, so every peer-to-peer connection to or from it
//! passes through a [`Switch`] that the test cuts and heals. On Linux, the test checks in `/proc` that every TCP
//! connection of that validator ends in this process (a proxy, or the test's own API requests), so no direct
//! connection can carry consensus messages past the cut.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::testnet::{one_network_at_a_time, run as cli, wait_until, Net, Node, Trickle};
use crate::text;

/// The demo administrator of the first agency registers officials in every trickle, so its account changes.
fn first_admin_address(net: &Net) -> String {
    net.admin(0).0.public_key().address().to_string()
}

#[test]
fn an_auditor_follows_the_chain_serves_proofs_and_catches_up_after_sigkill_without_a_vote() {
    let _one = one_network_at_a_time();
    let started = Instant::now();
    let mut net = Net::init(4, 1);
    const AUDITOR: usize = 4;
    assert!(net.nodes[AUDITOR].auditor);
    net.start_all();
    let trickle = Trickle::start(&net);
    wait_until(Duration::from_secs(30), "transactions to commit through every validator", || {
        (0..4).all(|i| trickle.count(i) >= 1)
    });

    // The auditor keeps up with the validators.
    let target = net.validators().map(Node::height).max().unwrap();
    wait_until(Duration::from_secs(30), "the auditor to reach the validators' height", || {
        net.nodes[AUDITOR].height() >= target
    });

    // A read with proof served by the auditor verifies offline against the genesis, and names the very block the
    // validators committed at that height.
    let auditor = &net.nodes[AUDITOR];
    let proof_file = net.dir.join("admin-proof.json");
    let out = cli(&[
        "query",
        "account",
        &first_admin_address(&net),
        "--api",
        &auditor.api,
        "--proof-out",
        proof_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let genesis = auditor.home.join("genesis.json");
    let out = cli(&["verify", proof_file.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()]);
    assert!(out.status.success() && text(&out).contains("VALID proof"), "{}", text(&out));
    let proof: Value = serde_json::from_slice(&std::fs::read(&proof_file).unwrap()).unwrap();
    let proof_height = proof["header"]["height"].as_u64().expect("the proof names its block's height");
    assert!(proof_height >= target, "the auditor proved a state at {proof_height}, before {target}");
    wait_until(Duration::from_secs(30), "node0 to reach the proof's height", || net.nodes[0].height() >= proof_height);
    assert_eq!(proof["header"], net.nodes[0].block(proof_height)["header"], "the auditor proved another block");
    // The same document with another value must not verify: the check above is not vacuous.
    let mut forged = proof.clone();
    forged["value"] = Value::String(flip_hex_digit(proof["value"].as_str().expect("a value")));
    let forged_file = net.dir.join("forged-proof.json");
    std::fs::write(&forged_file, serde_json::to_vec(&forged).unwrap()).unwrap();
    let out = cli(&["verify", forged_file.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()]);
    assert!(!out.status.success(), "a forged proof verified: {}", text(&out));

    // SIGKILL the auditor: it holds no vote, so the validators go on committing, transactions with them.
    net.nodes[AUDITOR].kill_9();
    let killed_at = net.max_height();
    let before: Vec<usize> = (0..4).map(|i| trickle.count(i)).collect();
    wait_until(Duration::from_secs(40), "the validators to commit blocks and transactions without the auditor", || {
        net.validators().all(|n| n.height() >= killed_at + 10) && (0..4).all(|i| trickle.count(i) > before[i])
    });

    // Restarted, it catches up by value sync, then follows live again.
    net.nodes[AUDITOR].start();
    let target = net.max_height();
    wait_until(Duration::from_secs(40), "the restarted auditor to catch up", || net.nodes[AUDITOR].height() >= target);
    let later = net.validators().map(Node::height).max().unwrap() + 3;
    wait_until(Duration::from_secs(30), "the auditor to follow new blocks", || net.nodes[AUDITOR].height() >= later);

    let acknowledged = trickle.finish();
    assert!(acknowledged.len() >= 8, "only {} transactions acknowledged", acknowledged.len());
    // Every acknowledged transaction is on the auditor too, at the same height, and its blocks (hash, header with
    // the state root, transactions) are the validators' at every height.
    net.assert_acknowledged_everywhere(&acknowledged);
    let common = net.assert_same_chain();
    assert!(common > killed_at, "the chain did not advance past the auditor's crash ({common} <= {killed_at})");

    // It never proposed and never signed a certificate: it has no vote.
    let auditor_address = auditor_key_address(&net, AUDITOR);
    for h in 1..=common {
        let block = net.nodes[AUDITOR].block(h);
        assert_ne!(block["header"]["proposer"], auditor_address, "the auditor proposed block {h}");
        let signers = block["certificate"]["signatures"].as_array().expect("a certificate");
        assert!(!signers.is_empty());
        assert!(signers.iter().all(|s| s["validator"] != auditor_address), "the auditor signed block {h}");
    }
    // It takes no transactions (they would never reach a block): a clear refusal sends the client to a validator.
    let (admin, _) = net.admin(0);
    let tx = publica_tx::TxBody {
        chain_id: net.chain_id.clone(),
        sender: admin.public_key().address(),
        nonce: 0,
        expires_at_ms: crate::testnet::now_ms() + 60_000,
        call: publica_tx::AccountsCall::SetActive { account: admin.public_key().address(), active: true }.into(),
    }
    .sign(&admin);
    use base64::Engine as _;
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/transactions", net.nodes[AUDITOR].api))
        .json(&serde_json::json!({ "tx": base64::engine::general_purpose::STANDARD.encode(tx.encode()) }))
        .send()
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("auditor"), "{body}");
    eprintln!("auditor test took {:?}", started.elapsed());
}

#[test]
fn a_validator_cut_off_by_a_partition_stalls_while_the_others_go_on_and_catches_up_when_healed() {
    let _one = one_network_at_a_time();
    let started = Instant::now();
    let mut net = Net::init(4, 0);
    const CUT: usize = 2;

    // Route every peer-to-peer connection to or from validator CUT through proxies on one switch: for each other
    // validator, one proxy carries CUT's dials to it, and one its dials to CUT. So each link has its own two
    // proxies, and the test can tell which links are up.
    let switch = Switch::default();
    let cut_p2p = net.nodes[CUT].p2p;
    let mut links: Vec<[Proxy; 2]> = Vec::new();
    let mut dials_from_cut = HashMap::new();
    for (i, node) in net.nodes.iter().enumerate().filter(|(i, _)| *i != CUT) {
        let (from_cut, to_cut) = (Proxy::start(node.p2p, &switch), Proxy::start(cut_p2p, &switch));
        let mut config = publica_node::NodeConfig::load(&node.home).unwrap();
        let before = config.p2p.peers.len();
        config.p2p.peers.retain(|p| *p != cut_p2p);
        assert_eq!(config.p2p.peers.len(), before - 1, "node{i} does not list the validator to cut off");
        config.p2p.peers.push(to_cut.addr);
        config.save(&node.home).unwrap();
        dials_from_cut.insert(node.p2p, from_cut.addr);
        links.push([from_cut, to_cut]);
    }
    let mut config = publica_node::NodeConfig::load(&net.nodes[CUT].home).unwrap();
    config.p2p.peers = config.p2p.peers.iter().map(|p| dials_from_cut[p]).collect();
    config.save(&net.nodes[CUT].home).unwrap();
    let proxies: Vec<SocketAddr> = links.iter().flatten().map(|p| p.addr).collect();
    // Whether CUT is connected to every other validator, either side having dialed.
    let all_links_up = || links.iter().all(|[a, b]| switch.live_through(a.addr) + switch.live_through(b.addr) > 0);

    net.start_all();
    let trickle = Trickle::start(&net);
    // Its transactions commit, so its proposals and votes pass through the proxies.
    wait_until(Duration::from_secs(30), "transactions to commit through every validator", || {
        (0..4).all(|i| trickle.count(i) >= 1)
    });
    wait_until(Duration::from_secs(20), "a connection to each of the three others", all_links_up);
    if let Some(p2p) = assert_no_bypass(&net.nodes[CUT], &proxies) {
        assert!(p2p >= 3, "{p2p} peer-to-peer connections seen for three peers");
    }

    // Cut. What had reached it before may still complete there, a block whose votes were on their way included,
    // so it may go on to one past the highest height any node had committed at the cut; after that, nothing. (It
    // can lag the others by a block or two and work through what it received for a while on a loaded machine, so
    // the test bounds its height rather than waiting for it to stand still.)
    switch.cut();
    let cut_at = net.nodes.iter().map(Node::answered_height).max().expect("four nodes");
    let others = |net: &Net| -> Vec<u64> {
        net.nodes.iter().enumerate().filter(|(i, _)| *i != CUT).map(|(_, n)| n.height()).collect()
    };
    let before: Vec<usize> = (0..4).map(|i| trickle.count(i)).collect();
    wait_until(
        Duration::from_secs(60),
        "the three others to commit blocks and transactions while it is cut off",
        || {
            let height = net.nodes[CUT].height();
            assert!(height <= cut_at + 1, "the cut-off validator committed height {height}, past {cut_at} + 1");
            others(&net).iter().all(|h| *h >= cut_at + 9)
                && (0..4).filter(|i| *i != CUT).all(|i| trickle.count(i) > before[i])
        },
    );
    let stalled_at = net.nodes[CUT].answered_height();
    let acknowledged_by_cut = trickle.count(CUT);
    // It tried to reconnect and was refused, and nothing else connects it to the others.
    wait_until(Duration::from_secs(20), "a reconnection attempt through a proxy", || switch.refused() > 0);
    assert_eq!(switch.live(), 0, "a proxied connection survived the cut");
    // A reconnection attempt is accepted and closed at once by the proxy: an instant's connection, not a link.
    wait_until(Duration::from_secs(10), "no peer-to-peer connection while cut off", || {
        assert_no_bypass(&net.nodes[CUT], &proxies).is_none_or(|p2p| p2p == 0)
    });
    assert_eq!(net.nodes[CUT].answered_height(), stalled_at, "the cut-off validator committed a block");
    assert_eq!(trickle.count(CUT), acknowledged_by_cut, "the cut-off validator acknowledged a transaction");

    // Heal: it reconnects, catches up by value sync, and its own transactions commit again.
    switch.heal();
    let target = net.max_height();
    let healed = Instant::now();
    wait_until(Duration::from_secs(40), "the healed validator to catch up", || net.nodes[CUT].height() >= target);
    let catch_up = healed.elapsed();
    wait_until(Duration::from_secs(40), "a transaction through the healed validator", || {
        trickle.count(CUT) > acknowledged_by_cut
    });
    wait_until(Duration::from_secs(30), "the healed validator to reconnect to each of the others", all_links_up);
    assert_no_bypass(&net.nodes[CUT], &proxies);

    let acknowledged = trickle.finish();
    net.assert_acknowledged_everywhere(&acknowledged);
    // The same blocks everywhere (hash, header with the state root, transactions) at every height they all have.
    // The others committed at least eight blocks while it was cut off, and it has every one of them now. (A
    // transaction of its own can be one it sent before the cut, committed in a block it synced, so the chain need
    // not grow after the heal.)
    let common = net.assert_same_chain();
    assert!(target >= stalled_at + 8, "the others did not advance while it was cut off ({target}, {stalled_at})");
    assert!(common >= target, "the healed validator is behind the height it caught up to ({common} < {target})");
    eprintln!(
        "partition test took {:?}; caught up {catch_up:?} after healing; {} connections refused while cut",
        started.elapsed(),
        switch.refused()
    );
}

/// The same hex string with one digit changed.
fn flip_hex_digit(hex: &str) -> String {
    let mut bytes = hex.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

/// The address of node `index`'s key, from the manifest.
fn auditor_key_address(net: &Net, index: usize) -> Value {
    let manifest: Value = serde_json::from_slice(&std::fs::read(net.dir.join("testnet.json")).unwrap()).unwrap();
    let node = &manifest["nodes"][index];
    assert_eq!(node["role"], "auditor");
    node["address"].clone()
}

/// Cuts and heals every [`Proxy`] made with it at once, and counts the connections they carry.
#[derive(Clone, Default)]
struct Switch(Arc<SwitchState>);

#[derive(Default)]
struct SwitchState {
    /// Whether cut, and the connections being forwarded. One lock for both orders a cut against the registration
    /// of a new connection, so that no connection outlives a cut.
    live: Mutex<Links>,
    next_id: AtomicU64,
    refused: AtomicUsize,
}

#[derive(Default)]
struct Links {
    cut: bool,
    /// By id: the proxy's listen address and both sockets, to shut them down on a cut.
    forwarded: HashMap<u64, (SocketAddr, [TcpStream; 2])>,
}

impl Switch {
    /// Close every forwarded connection, and refuse new ones until [`Switch::heal`].
    fn cut(&self) {
        let mut live = self.0.live.lock().unwrap();
        live.cut = true;
        for (_, [a, b]) in live.forwarded.values() {
            let _ = a.shutdown(Shutdown::Both);
            let _ = b.shutdown(Shutdown::Both);
        }
        live.forwarded.clear();
    }

    /// Forward new connections again.
    fn heal(&self) {
        self.0.live.lock().unwrap().cut = false;
    }

    /// Connections being forwarded now.
    fn live(&self) -> usize {
        self.0.live.lock().unwrap().forwarded.len()
    }

    /// Connections being forwarded now by the proxy listening on `proxy`.
    fn live_through(&self, proxy: SocketAddr) -> usize {
        self.0.live.lock().unwrap().forwarded.values().filter(|(p, _)| *p == proxy).count()
    }

    /// Connections refused while cut.
    fn refused(&self) -> usize {
        self.0.refused.load(Ordering::SeqCst)
    }

    /// Forward `client`, accepted by the proxy on `proxy`, to `target`, unless cut: then `client` is closed at
    /// once, and `target` never hears of it.
    fn forward(&self, proxy: SocketAddr, client: TcpStream, target: SocketAddr) {
        if self.0.live.lock().unwrap().cut {
            self.0.refused.fetch_add(1, Ordering::SeqCst);
            return;
        }
        // A target that is down is a closed connection to the dialer, as a refused port would be.
        let Ok(upstream) = TcpStream::connect_timeout(&target, Duration::from_secs(2)) else {
            return;
        };
        let id = self.0.next_id.fetch_add(1, Ordering::SeqCst);
        {
            let mut live = self.0.live.lock().unwrap();
            // Cut while connecting: refused all the same.
            if live.cut {
                self.0.refused.fetch_add(1, Ordering::SeqCst);
                return;
            }
            let (Ok(c), Ok(u)) = (client.try_clone(), upstream.try_clone()) else {
                return;
            };
            live.forwarded.insert(id, (proxy, [c, u]));
        }
        for (from, to) in [(client.try_clone(), upstream.try_clone()), (upstream.try_clone(), client.try_clone())] {
            let (Ok(from), Ok(to)) = (from, to) else {
                self.close(id);
                return;
            };
            let switch = self.clone();
            std::thread::spawn(move || {
                pipe(from, to);
                // Either side closing ends the connection in both directions.
                switch.close(id);
            });
        }
    }

    fn close(&self, id: u64) {
        if let Some((_, [a, b])) = self.0.live.lock().unwrap().forwarded.remove(&id) {
            let _ = a.shutdown(Shutdown::Both);
            let _ = b.shutdown(Shutdown::Both);
        }
    }
}

/// Copy bytes from one socket to the other until either fails or ends.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

/// A TCP proxy on a free port of 127.0.0.1 that forwards every connection to one address, through a [`Switch`].
struct Proxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    fn start(target: SocketAddr, switch: &Switch) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Non-blocking, so the accepting thread sees the stop flag.
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, switch) = (stop.clone(), switch.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            if client.set_nonblocking(false).is_ok() {
                                switch.forward(addr, client, target);
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Proxy { addr, stop, thread: Some(thread) }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Every established TCP connection of `node`, and every one to its peer-to-peer port, ends in this process: at
/// one of the `proxies`, or at the test's own API requests. So no direct connection joins it to another node.
///
/// Sockets come and go between reading the connection table and the processes' sockets, so a connection only
/// counts as a bypass if it is seen as one in several readings in a row: a real one stays open.
///
/// Returns how many peer-to-peer connections the node had (through the proxies) in the last reading.
#[cfg(target_os = "linux")]
fn assert_no_bypass(node: &Node, proxies: &[SocketAddr]) -> Option<usize> {
    let (mut suspects, mut p2p) = bypasses(node, proxies);
    for _ in 0..4 {
        if suspects.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let (again, count) = bypasses(node, proxies);
        suspects.retain(|s| again.contains(s));
        p2p = count;
    }
    assert!(suspects.is_empty(), "{} has connections that bypass the proxies: {suspects:?}", node.moniker);
    Some(p2p)
}

/// The connections (local, remote) of `node` that end neither at a proxy nor in this process, and the number of
/// its peer-to-peer connections, in one reading.
#[cfg(target_os = "linux")]
fn bypasses(node: &Node, proxies: &[SocketAddr]) -> (Vec<(SocketAddr, SocketAddr)>, usize) {
    let connections = established_connections();
    let theirs = socket_inodes(&node.pid().expect("the node runs").to_string());
    let ours = socket_inodes("self");
    let mut found = Vec::new();
    let mut p2p = 0;
    for c in &connections {
        if !theirs.contains(&c.inode) && c.local != node.p2p {
            continue;
        }
        // Over loopback, both ends of a connection are listed; the other end is the one facing this one.
        let Some(other) = connections.iter().find(|o| o.local == c.remote && o.remote == c.local) else {
            continue;
        };
        if proxies.contains(&other.local) || c.local == node.p2p {
            p2p += 1;
        }
        if !proxies.contains(&other.local) && !ours.contains(&other.inode) {
            found.push((c.local, c.remote));
        }
    }
    (found, p2p)
}

/// Not on Linux: no `/proc` to look into (`None`); the height checks still show the cut holds.
#[cfg(not(target_os = "linux"))]
fn assert_no_bypass(_node: &Node, _proxies: &[SocketAddr]) -> Option<usize> {
    None
}

/// One end of an established TCP connection, from `/proc/net/tcp`.
#[cfg(target_os = "linux")]
struct Connection {
    local: SocketAddr,
    remote: SocketAddr,
    inode: u64,
}

/// The established IPv4 TCP connections of this network namespace (nodes of a testnet listen on 127.0.0.1 only).
#[cfg(target_os = "linux")]
fn established_connections() -> Vec<Connection> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    // `0100007F:1F90`: the address as the kernel's 32-bit word in host order, the port in hex.
    let addr = |field: &str| -> SocketAddr {
        let (ip, port) = field.split_once(':').unwrap();
        let ip = u32::from_str_radix(ip, 16).unwrap();
        let ip = std::net::Ipv4Addr::from(u32::from_be(ip));
        SocketAddr::from((ip, u16::from_str_radix(port, 16).unwrap()))
    };
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // State 01 is ESTABLISHED.
            (fields.len() > 9 && fields[3] == "01").then(|| Connection {
                local: addr(fields[1]),
                remote: addr(fields[2]),
                inode: fields[9].parse().unwrap(),
            })
        })
        .collect()
}

/// The inodes of the sockets process `pid` holds open (`self` for this process).
#[cfg(target_os = "linux")]
fn socket_inodes(pid: &str) -> std::collections::HashSet<u64> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Default::default();
    };
    fds.filter_map(|fd| {
        let target = std::fs::read_link(fd.ok()?.path()).ok()?;
        let target = target.to_str()?;
        target.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
    })
    .collect()
}

#[test]
fn a_cut_switch_closes_forwarded_connections_and_refuses_new_ones_until_healed() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = server.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in server.incoming().map_while(Result::ok) {
            // An echo server.
            std::thread::spawn(move || pipe(stream.try_clone().unwrap(), stream));
        }
    });
    let switch = Switch::default();
    let proxy = Proxy::start(target, &switch);
    let echo = |stream: &mut TcpStream| -> bool {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut back = [0u8; 5];
        stream.write_all(b"hello").is_ok() && stream.read_exact(&mut back).is_ok() && &back == b"hello"
    };

    let mut first = TcpStream::connect(proxy.addr).unwrap();
    assert!(echo(&mut first));
    wait_until(Duration::from_secs(5), "the connection to be registered", || switch.live() == 1);

    switch.cut();
    assert_eq!(switch.live(), 0);
    assert!(!echo(&mut first), "a connection survived the cut");
    let mut second = TcpStream::connect(proxy.addr).unwrap();
    assert!(!echo(&mut second), "a new connection was forwarded while cut");
    wait_until(Duration::from_secs(5), "the refusal to be counted", || switch.refused() == 1);

    switch.heal();
    let mut third = TcpStream::connect(proxy.addr).unwrap();
    assert!(echo(&mut third));
}

//! The API's connections are bounded: slow or idle clients are cut off, no address holds more than its share, the
//! API as a whole stays under its cap, and a flood of such connections does not stop the chain.
//!
//! These tests run a real node (consensus engine, store, API server on 127.0.0.1) and attack it over TCP. Clients
//! take distinct source addresses in 127.0.0.0/8, which Linux routes to the loopback interface.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use publica_node::metrics::ReasonLabel;
use publica_node::{HomeLayout, Node, NodeConfig, NodeHandle};
use publica_types::{ChainId, Genesis, GenesisAccount, GenesisAgency, Validator, ValidatorSet};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::{agency, key};

/// Longest any attacking connection is kept by the test itself: the server must have closed it well before.
const GIVE_UP: Duration = Duration::from_secs(60);

/// A single-validator node with its API server, stopped when dropped.
struct LiveNode {
    _home: tempfile::TempDir,
    node: Option<Node>,
    handle: NodeHandle,
    api: SocketAddr,
    stop_api: Option<tokio::sync::oneshot::Sender<()>>,
}

impl LiveNode {
    async fn start(tune: impl FnOnce(&mut NodeConfig)) -> Self {
        let home = tempfile::tempdir().unwrap();
        let validator = key(100);
        let genesis = Genesis {
            chain_id: ChainId::new("api-connections").unwrap(),
            genesis_time_ms: publica_node::shared::now_ms() - 60_000,
            agencies: vec![GenesisAgency {
                id: agency(),
                name: "Land Registry".into(),
                can_register_citizens: false,
                roles: Vec::new(),
                admins: vec![GenesisAccount { public_key: key(1).public_key().clone() }],
            }],
            validators: ValidatorSet::new(vec![Validator::from_keypair(&validator, 10)]).unwrap(),
        };
        let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let mut config = NodeConfig::new("api-connections", free(), free());
        config.consensus.empty_block_interval_ms = 200;
        tune(&mut config);
        config.check().unwrap();
        let layout = HomeLayout::new(home.path());
        std::fs::create_dir_all(home.path().join("keys")).unwrap();
        config.save(home.path()).unwrap();
        std::fs::write(layout.genesis(), genesis.to_json()).unwrap();
        std::fs::write(layout.p2p_key(), hex::encode([7u8; 32])).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = listener.local_addr().unwrap();
        let node = Node::start(home.path(), validator).await.unwrap();
        let handle = node.handle();
        let (stop_api, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(publica_api::serve_with_shutdown(handle.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Self { _home: home, node: Some(node), handle, api, stop_api: Some(stop_api) }
    }

    fn height(&self) -> u64 {
        self.handle.height()
    }

    async fn wait_for_height(&self, height: u64) {
        let deadline = Instant::now() + GIVE_UP;
        while self.height() < height {
            assert!(Instant::now() < deadline, "the chain did not reach height {height}: it is at {}", self.height());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn closed(&self, reason: &'static str) -> u64 {
        self.handle.metrics().api_connections_closed.get_or_create(&ReasonLabel { reason }).get()
    }

    fn open(&self) -> i64 {
        self.handle.metrics().api_connections.get()
    }

    /// Wait until the server has counted `count` connections closed for `reason`.
    async fn wait_for_closed(&self, reason: &'static str, count: u64) {
        let deadline = Instant::now() + GIVE_UP;
        while self.closed(reason) < count {
            assert!(
                Instant::now() < deadline,
                "the API closed {} connections for {reason}, not {count}; {} are open",
                self.closed(reason),
                self.open()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(mut self) {
        let _ = self.stop_api.take().unwrap().send(());
        self.node.take().unwrap().stop().await;
    }
}

/// A TCP connection to `api` from the loopback address `source`.
async fn connect_from(source: &str, api: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source.parse::<IpAddr>().unwrap(), 0)).unwrap();
    socket.connect(api).await.unwrap()
}

/// Open a connection from `source` and send a request head one byte every 100 ms, forever. Returns once the
/// server has closed the connection, or `false` after [`GIVE_UP`].
async fn dribble_headers(source: &'static str, api: SocketAddr) -> bool {
    let mut stream = connect_from(source, api).await;
    let head = b"GET /v1/status HTTP/1.1\r\nHost: node\r\n".iter().copied().chain(b"X-Slow: a".iter().cycle().copied());
    let deadline = Instant::now() + GIVE_UP;
    let mut buf = [0u8; 64];
    for byte in head {
        if Instant::now() > deadline {
            return false;
        }
        if stream.write_all(&[byte]).await.is_err() {
            return true;
        }
        // A read that ends (EOF or reset) means the server closed the connection.
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            return true;
        }
    }
    unreachable!("the head never ends")
}

/// One `GET /v1/status` from `source` on a fresh connection; the response's status line.
async fn status_line(source: &'static str, api: SocketAddr) -> String {
    let mut stream = connect_from(source, api).await;
    stream.write_all(b"GET /v1/status HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut response)).await.expect("an answer").unwrap_or_default();
    String::from_utf8_lossy(&response).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_floods_are_capped_and_cut_off_while_requests_are_answered_and_blocks_commit() {
    const PER_ADDRESS: usize = 8;
    const TOTAL: usize = 16;
    let node = LiveNode::start(|c| {
        c.api.connections_max = TOTAL;
        c.api.connections_per_address_max = PER_ADDRESS;
        c.api.header_read_timeout_ms = 5_000;
        c.api.timeout_ms = 5_000;
        c.api.idle_timeout_ms = 6_000;
    })
    .await;
    node.wait_for_height(1).await;
    let api = node.api;

    // One address opens three times its share of connections that never finish their request head: its share
    // is held, the rest are closed as soon as they are accepted.
    let mut attackers = Vec::new();
    for _ in 0..3 * PER_ADDRESS {
        attackers.push(tokio::spawn(dribble_headers("127.0.0.1", api)));
    }
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let closed = attackers.iter().filter(|a| a.is_finished()).count();
        if closed >= 2 * PER_ADDRESS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} connections from one address are still open after {GIVE_UP:?}, over its cap of {PER_ADDRESS}",
            attackers.len() - closed
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.wait_for_closed("connections_per_address_max", 2 * PER_ADDRESS as u64).await;
    let height_under_attack = node.height();

    // Another client is still answered.
    assert_eq!(status_line("127.0.0.2", api).await, "HTTP/1.1 200 OK");

    // A second address takes the rest of the total cap; past it, even a new address is refused.
    let deadline = Instant::now() + GIVE_UP;
    while node.open() != PER_ADDRESS as i64 {
        assert!(Instant::now() < deadline, "{} connections open, not the first address's {PER_ADDRESS}", node.open());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..PER_ADDRESS {
        attackers.push(tokio::spawn(dribble_headers("127.0.0.3", api)));
    }
    let deadline = Instant::now() + GIVE_UP;
    while node.open() < TOTAL as i64 && node.closed("header_read_timeout") == 0 {
        assert!(Instant::now() < deadline, "the second address's connections were not accepted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    attackers.push(tokio::spawn(dribble_headers("127.0.0.4", api)));
    node.wait_for_closed("connections_max", 1).await;
    assert!(node.open() <= TOTAL as i64, "{} connections open, over the cap of {TOTAL}", node.open());

    // Every slow connection is closed by the server: the held ones once the header timeout has passed, although
    // they keep sending bytes.
    for attacker in attackers {
        assert!(attacker.await.unwrap(), "a connection dribbling its headers was still open after {GIVE_UP:?}");
    }
    assert_eq!(node.closed("connections_per_address_max"), 2 * PER_ADDRESS as u64);
    assert_eq!(node.closed("connections_max"), 1);
    assert_eq!(node.closed("header_read_timeout"), 2 * PER_ADDRESS as u64);

    // The chain went on committing blocks through the attack, and the API answers once it is over.
    node.wait_for_height(height_under_attack + 2).await;
    assert_eq!(status_line("127.0.0.1", api).await, "HTTP/1.1 200 OK");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_its_answers_is_cut_off_after_the_idle_timeout() {
    let node = LiveNode::start(|c| {
        c.api.header_read_timeout_ms = 1_000;
        c.api.timeout_ms = 1_000;
        c.api.idle_timeout_ms = 2_000;
    })
    .await;
    // Ask for the OpenAPI document (about 80 KB) many times on one connection and read none of it: the socket
    // buffers fill, the server's writes stop, and nothing moves on the connection any more.
    let mut stream = connect_from("127.0.0.5", node.api).await;
    let request = b"GET /openapi.json HTTP/1.1\r\nHost: node\r\n\r\n";
    let requests: Vec<u8> = request.iter().copied().cycle().take(request.len() * 400).collect();
    stream.write_all(&requests).await.unwrap();
    node.wait_for_closed("idle_timeout", 1).await;
    // The client that reads again finds the connection ended before all its answers.
    let mut received = Vec::new();
    let _ = tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut received)).await.expect("the connection ended");
    let answers = received.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count();
    assert!(answers < 400, "all {answers} answers were delivered: the connection was not cut");
    let deadline = Instant::now() + GIVE_UP;
    while node.open() != 0 {
        assert!(Instant::now() < deadline, "the stalled connection is still counted open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.stop().await;
}

//! The witness's connections are bounded like the node API's: clients that send half a request head and stall
//! are cut off after the header-read timeout, connections over the per-address cap are closed as soon as they
//! are accepted, and a log's honest `add-checkpoint` is cosigned all the while.
//!
//! The witness is served on 127.0.0.1 and attacked over TCP; clients take distinct source addresses in
//! 127.0.0.0/8, which Linux routes to the loopback interface.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use publica_tlog::parse_signature_lines;
use publica_witness::HttpSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use crate::{assert_cosigned, body, leaves, open, tree_root, Net, NOW};

/// The header-read timeout of the witness under test.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections one address may hold.
const PER_ADDRESS: usize = 8;
/// Longest the test waits for anything: the server must have acted well before.
const GIVE_UP: Duration = Duration::from_secs(10);

/// A TCP connection to `addr` from the loopback address `source`.
async fn connect_from(source: &str, addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source.parse::<IpAddr>().unwrap(), 0)).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Open a connection from `source`, send half of an `add-checkpoint` request head and send nothing more. Returns
/// how long after connecting the server closed the connection, or `None` if it was still open after [`GIVE_UP`].
async fn stall(source: &'static str, addr: SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = connect_from(source, addr).await;
    if stream.write_all(b"POST /add-checkpoint HTTP/1.1\r\nHost: witness\r\nContent-Le").await.is_err() {
        return Some(started.elapsed());
    }
    let mut answer = Vec::new();
    // The read ends (EOF or reset) when the server closes the connection.
    match tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(started.elapsed()),
        Err(_) => None,
    }
}

/// POST `body` to `/add-checkpoint` from `source` on a fresh connection: the status code and the response body.
async fn add_checkpoint(source: &'static str, addr: SocketAddr, body: Vec<u8>) -> (u16, String) {
    let mut stream = connect_from(source, addr).await;
    let head = format!(
        "POST /add-checkpoint HTTP/1.1\r\nHost: witness\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut response)).await.expect("an answer").unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status line");
    (status, body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_keep_the_witness_from_cosigning() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("slow-clients", 4);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let settings = HttpSettings {
        header_read_timeout_ms: HEADER_READ_TIMEOUT.as_millis() as u64,
        connections_per_address_max: PER_ADDRESS,
        connections_max: 64,
        ..HttpSettings::default()
    };
    let limits = settings.limits(publica_witness::descriptor_limit()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(publica_witness::serve(Arc::clone(&witness), listener, limits, async move {
        let _ = stopped.await;
    }));

    // One address opens three times its share of connections that stall halfway through their request head.
    let stallers: Vec<_> = (0..3 * PER_ADDRESS).map(|_| tokio::spawn(stall("127.0.0.1", addr))).collect();
    // Its share is held; the rest are closed as soon as they are accepted.
    let deadline = Instant::now() + HEADER_READ_TIMEOUT / 2;
    while stallers.iter().filter(|s| s.is_finished()).count() < 2 * PER_ADDRESS {
        assert!(
            Instant::now() < deadline,
            "{} of {} stalled connections from one address are still open, over its cap of {PER_ADDRESS}",
            stallers.iter().filter(|s| !s.is_finished()).count(),
            stallers.len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // While the attacker's share is held, a log's honest request is checked and cosigned.
    let log = leaves(12, "");
    let (status, text) = add_checkpoint("127.0.0.2", addr, body(&net, &log, 0, 9)).await;
    assert_eq!(status, 200, "{text}");
    assert_cosigned(&parse_signature_lines(&text).unwrap(), &witness.vkeys(), &net.sign(9, tree_root(&log, 9)), NOW);
    assert_eq!(
        stallers.iter().filter(|s| s.is_finished()).count(),
        2 * PER_ADDRESS,
        "the cosignature came while the attacker's connections were still held"
    );

    // Every stalled connection is closed by the witness: those over the cap at once, the held ones once the
    // header-read timeout has passed.
    let mut refused = 0;
    let mut timed_out = 0;
    for staller in stallers {
        let open_for = staller.await.unwrap().expect("a stalled connection was still open after the timeout");
        if open_for < HEADER_READ_TIMEOUT / 2 {
            refused += 1;
        } else {
            assert!(open_for >= HEADER_READ_TIMEOUT, "a held connection was closed after {open_for:?}");
            assert!(open_for < HEADER_READ_TIMEOUT * 2, "a held connection was closed only after {open_for:?}");
            timed_out += 1;
        }
    }
    assert_eq!((refused, timed_out), (2 * PER_ADDRESS, PER_ADDRESS));

    // The attacker's places are free again: its address is served, and the log grows from what was cosigned.
    let (status, text) = add_checkpoint("127.0.0.1", addr, body(&net, &log, 9, 12)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.size, 12);

    stop.send(()).unwrap();
    tokio::time::timeout(GIVE_UP, server).await.expect("the witness stops").unwrap().unwrap();
}

#[test]
fn connection_settings_have_safe_defaults_and_bad_values_are_refused_with_what_to_change() {
    use publica_witness::{WitnessError, WitnessHome, WitnessSettings};

    let dir = tempfile::tempdir().unwrap();
    let home = WitnessHome::new(dir.path());
    let write = |text: &str| std::fs::write(home.settings_file(), text).unwrap();

    // A witness.toml written before the settings existed gets the defaults.
    write("name = \"court.example/witness\"\n");
    let settings = WitnessSettings::load(&home).unwrap();
    assert_eq!(settings.http, HttpSettings::default());
    let http = settings.http;
    assert_eq!((http.header_read_timeout_ms, http.idle_timeout_ms, http.connections_max), (10_000, 60_000, 1024));
    assert_eq!((http.connections_per_address_max, http.fds_reserved), (64, 256));
    let limits = http.limits(Some(1 << 20)).unwrap();
    assert_eq!((limits.connections_max, limits.per_address_max), (1024, 64));
    assert_eq!((limits.header_read_timeout, limits.idle_timeout), (Duration::from_secs(10), Duration::from_secs(60)));
    // The cap leaves the reserved descriptors alone.
    assert_eq!(http.limits(Some(1000)).unwrap().connections_max, 1000 - 256);

    // Each key may be set alone; what `init` writes loads again.
    write("name = \"court.example/witness\"\n[http]\nconnections_per_address_max = 4\n");
    let settings = WitnessSettings::load(&home).unwrap();
    assert_eq!(settings.http, HttpSettings { connections_per_address_max: 4, ..HttpSettings::default() });
    settings.save(&home).unwrap();
    assert_eq!(WitnessSettings::load(&home).unwrap(), settings);

    // Bad values are refused naming the file, the setting, the bound and the default.
    for (table, words) in [
        ("header_read_timeout_ms = 0", ["http.header_read_timeout_ms", "10000"]),
        ("header_read_timeout_ms = 45000", ["http.header_read_timeout_ms", "30000"]),
        ("idle_timeout_ms = 30000", ["http.idle_timeout_ms", "60000"]),
        ("connections_max = 0", ["http.connections_max", "1024"]),
        ("connections_per_address_max = 0", ["http.connections_per_address_max", "64"]),
        ("connections_max = 10\nconnections_per_address_max = 11", ["http.connections_per_address_max", "(10)"]),
    ] {
        write(&format!("name = \"court.example/witness\"\n[http]\n{table}\n"));
        let err = WitnessSettings::load(&home).unwrap_err();
        assert!(matches!(err, WitnessError::Config(_)), "{table}: {err}");
        let message = err.to_string();
        assert!(message.contains("witness.toml"), "{table}: {message}");
        for word in words {
            assert!(message.contains(word), "{table}: {word:?} is not in {message:?}");
        }
    }
    write("name = \"court.example/witness\"\n[http]\nconnection_max = 10\n");
    let message = WitnessSettings::load(&home).unwrap_err().to_string();
    assert!(message.contains("connection_max"), "a misspelt key is named: {message}");

    // Too few descriptors for one address's connections after the reserve: raise the limit or lower a setting.
    let message = HttpSettings::default().limits(Some(256 + 63)).unwrap_err().to_string();
    for word in ["ulimit -n", "LimitNOFILE=", "http.fds_reserved", "http.connections_per_address_max"] {
        assert!(message.contains(word), "{word:?} is not in {message:?}");
    }
}

//! The API's HTTP server: HTTP/1.1 over TCP, with every connection bounded in number and in time, so that
//! anonymous clients can never take the file descriptors the store and the consensus engine need.
//!
//! `axum::serve` alone waits for a request head forever and accepts connections until the process runs out of
//! descriptors; a few thousand clients sending their headers one byte at a time then make the store and the
//! consensus engine fail with "Too many open files". This server instead:
//!
//! | bound | setting | what happens past it |
//! |---|---|---|
//! | connections open at once, all clients | `api.connections_max`, capped at the descriptor limit minus `api.fds_reserved` | closed as soon as accepted, counted `connections_max` |
//! | connections from one address (IPv6: one /64) | `api.connections_per_address_max` | closed as soon as accepted, counted `connections_per_address_max` |
//! | waiting for a request head (request line and headers), from the connection's opening or the end of the previous response | `api.header_read_timeout_ms` | connection closed, counted `header_read_timeout` |
//! | no byte moving either way (a client that stops reading its answer or sending its body) | `api.idle_timeout_ms` | connection closed, counted `idle_timeout` |
//! | from the request head to the response | `api.timeout_ms` (the router's layer) | `503 unavailable` |
//!
//! The counts are the `publica_api_connections_closed` metric, by reason, and `publica_api_connections` is the
//! number open. An accept that fails (the process is out of descriptors after all) is retried after a pause,
//! never in a busy loop. On shutdown the listener is closed first, connections finish the request they are
//! handling and are then closed; none is waited for longer than `api.idle_timeout_ms`.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use publica_node::config::ApiConfig;
use publica_node::NodeHandle;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Pause after a failed accept (out of descriptors, out of memory) before trying again.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The bounds on the API's connections, as this process applies them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once: `api.connections_max`, or fewer when the descriptor limit is lower.
    pub connections_max: usize,
    /// Most connections open at once from one address.
    pub per_address_max: usize,
    /// Longest wait for a request head.
    pub header_read_timeout: Duration,
    /// Longest time without a byte moving on a connection.
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    /// The limits of `config` in a process that may open `descriptors` files (`None`: no known limit).
    ///
    /// Fails when the descriptors left after `api.fds_reserved` cannot hold even one address's connections: the
    /// node would otherwise serve next to nothing, or take from the reserve.
    pub fn new(config: &ApiConfig, descriptors: Option<u64>) -> io::Result<Self> {
        let mut connections_max = config.connections_max;
        if let Some(limit) = descriptors {
            let available = usize::try_from(limit.saturating_sub(config.fds_reserved)).unwrap_or(usize::MAX);
            if available < config.connections_per_address_max {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "this process may open {limit} files (ulimit -n) and api.fds_reserved keeps {} of them for \
                         the store and consensus, which leaves {available} for API connections, fewer than \
                         api.connections_per_address_max ({}); raise the limit (ulimit -n, or LimitNOFILE= for a \
                         systemd service) or lower api.connections_per_address_max",
                        config.fds_reserved, config.connections_per_address_max
                    ),
                ));
            }
            connections_max = connections_max.min(available);
        }
        Ok(Self {
            connections_max,
            per_address_max: config.connections_per_address_max,
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            idle_timeout: Duration::from_millis(config.idle_timeout_ms),
        })
    }

    /// The limits of `config` in this process, whose descriptor limit is read now.
    pub fn for_this_process(config: &ApiConfig) -> io::Result<Self> {
        Self::new(config, descriptor_limit())
    }
}

/// The number of files this process may open (its `RLIMIT_NOFILE` soft limit), if the platform has one.
pub fn descriptor_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).ok().map(|(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Raise this process's descriptor limit to its hard limit, where the system allows it, and return the limit in
/// force afterwards. Many systems start processes with a soft limit of 1024 and a far higher hard limit: the
/// higher one lets the store, consensus and the API's connections all fit.
pub fn raise_descriptor_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use nix::sys::resource::{getrlimit, setrlimit, Resource};
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
        if soft < hard {
            match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                Ok(()) => return Some(hard),
                // macOS refuses an unlimited soft limit; the soft limit then stays as it was.
                Err(e) => tracing::debug!(soft, hard, error = %e, "cannot raise the file descriptor limit"),
            }
        }
        Some(soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Serve `router` on `listener` within `limits` until `shutdown` completes.
pub(crate) async fn serve(
    router: Router,
    listener: TcpListener,
    limits: ConnectionLimits,
    node: NodeHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let tracker = Arc::new(Tracker { limits, node: Arc::clone(&node), open: Mutex::default() });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        // Reap the tasks of closed connections, so the set does not grow with the connections ever served.
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "the API cannot accept a connection; retrying shortly");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let permit = match tracker.admit(peer) {
            Ok(permit) => permit,
            Err(reason) => {
                node.metrics.api_connection_closed(reason);
                tracing::debug!(%peer, reason, "API connection refused over a cap");
                drop(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(stream, permit, router.clone(), limits, stop_rx.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Each connection finishes its request and closes; the idle timeout bounds the wait.
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.idle_timeout, drained).await.is_err() {
        tracing::debug!("API connections still open at shutdown were closed");
    }
    Ok(())
}

/// Errors of one connection that does not concern the listener (axum's rule: the peer went away first).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Serve one connection until it closes, a timeout closes it, or shutdown.
async fn connection(
    stream: TcpStream,
    permit: Permit,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let started = Instant::now();
    let last_activity_ms = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(Watched { inner: stream, started, last_activity_ms: Arc::clone(&last_activity_ms) });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let conn = builder.serve_connection(io, TowerToHyperService::new(router));
    tokio::pin!(conn);
    // Check for idleness a few times per idle timeout: a connection is closed at most a quarter late.
    let mut ticks = tokio::time::interval((limits.idle_timeout / 4).max(Duration::from_millis(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    if e.is_timeout() {
                        permit.closed("header_read_timeout");
                    } else {
                        tracing::debug!(error = %e, "API connection ended with an error");
                    }
                }
                return;
            }
            changed = stop.changed(), if !draining => {
                let _ = changed;
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = ticks.tick() => {
                let idle_ms = (started.elapsed().as_millis() as u64)
                    .saturating_sub(last_activity_ms.load(Ordering::Relaxed));
                if idle_ms >= limits.idle_timeout.as_millis() as u64 {
                    permit.closed("idle_timeout");
                    return;
                }
            }
        }
    }
}

/// The connections open, per address, and the node whose metrics count them.
struct Tracker {
    limits: ConnectionLimits,
    node: NodeHandle,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

impl Tracker {
    /// Count a new connection from `peer`, or say which cap it is over.
    fn admit(self: &Arc<Self>, peer: SocketAddr) -> Result<Permit, &'static str> {
        let address = client_address(peer.ip());
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.limits.connections_max {
            return Err("connections_max");
        }
        let count = open.per_address.entry(address).or_default();
        if *count >= self.limits.per_address_max {
            return Err("connections_per_address_max");
        }
        *count += 1;
        open.total += 1;
        self.node.metrics.api_connections.set(open.total as i64);
        Ok(Permit { tracker: Arc::clone(self), address })
    }
}

/// One admitted connection; dropping it frees its place.
struct Permit {
    tracker: Arc<Tracker>,
    address: IpAddr,
}

impl Permit {
    fn closed(&self, reason: &'static str) {
        self.tracker.node.metrics.api_connection_closed(reason);
        tracing::debug!(address = %self.address, reason, "API connection closed by the node");
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self.tracker.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.per_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.per_address.remove(&self.address);
            }
        }
        open.total -= 1;
        self.tracker.node.metrics.api_connections.set(open.total as i64);
    }
}

/// The address a per-address cap counts: the IPv4 address (also when written as IPv6), or the /64 network of
/// an IPv6 address, since one IPv6 client commonly holds a whole /64.
fn client_address(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

/// A stream that records when a byte last moved, in milliseconds after `started`.
struct Watched {
    inner: TcpStream,
    started: Instant,
    last_activity_ms: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        self.last_activity_ms.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, bytes);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ApiConfig {
        ApiConfig::new("127.0.0.1:0".parse().unwrap())
    }

    #[test]
    fn the_cap_leaves_the_reserved_descriptors_alone() {
        let config = config();
        let limits = ConnectionLimits::new(&config, Some(1500)).unwrap();
        assert_eq!(limits.connections_max, 1500 - 1024);
        let limits = ConnectionLimits::new(&config, Some(1 << 20)).unwrap();
        assert_eq!(limits.connections_max, config.connections_max);
        let limits = ConnectionLimits::new(&config, None).unwrap();
        assert_eq!(limits.connections_max, config.connections_max);
        let message = ConnectionLimits::new(&config, Some(1024)).unwrap_err().to_string();
        assert!(message.contains("ulimit -n") && message.contains("api.fds_reserved"), "{message}");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_bit_network() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_address(a), client_address(b));
        assert_ne!(client_address(a), client_address(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_address(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}

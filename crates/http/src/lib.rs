//! Serve an axum [`Router`] over HTTP/1.1 with every connection bounded in number and in time, so that anonymous
//! clients can never take the file descriptors the rest of the process needs.
//!
//! `axum::serve` alone waits for a request head forever and accepts connections until the process runs out of
//! descriptors; a few thousand clients sending their headers one byte at a time then make the process fail with
//! "Too many open files" wherever it next opens one. [`serve`] instead applies [`ConnectionLimits`]:
//!
//! | bound | what happens past it | reason ([`Closed`]) |
//! |---|---|---|
//! | connections open at once, all clients ([`ConnectionLimits::connections_max`], at most the descriptor limit minus a reserve) | closed as soon as accepted | `connections_max` |
//! | connections open at once from one address; IPv6 clients by /64 ([`ConnectionLimits::per_address_max`]) | closed as soon as accepted | `connections_per_address_max` |
//! | waiting for a request head (request line and headers), from the connection's opening or the end of the previous response ([`ConnectionLimits::header_read_timeout`]) | connection closed | `header_read_timeout` |
//! | no byte moving either way: a client that stops reading its answer or sending its body ([`ConnectionLimits::idle_timeout`]) | connection closed | `idle_timeout` |
//!
//! The time from a request head to its response is the router's business (a timeout layer). The server tells an
//! [`Observer`] how many connections are open and why it closed one, so that its user can keep metrics without
//! this crate knowing them. An accept that fails (the process is out of descriptors after all) is retried after a
//! pause, never in a busy loop. On shutdown the listener is closed first; connections finish the request they are
//! handling and are then closed; none is waited for longer than the idle timeout.

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
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Pause after a failed accept (out of descriptors, out of memory) before trying again.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The bounds an operator sets, as plain numbers, with the names of the settings that hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Most connections open at once, all clients together.
    pub connections_max: usize,
    /// Most connections open at once from one client address (IPv6 clients: one /64 network).
    pub per_address_max: usize,
    /// Longest wait for a request head.
    pub header_read_timeout: Duration,
    /// Longest time without a byte moving on a connection.
    pub idle_timeout: Duration,
    /// File descriptors connections never take, whatever `connections_max` says.
    pub fds_reserved: u64,
    /// How the operator names these settings, for the error that says what to change.
    pub names: SettingNames,
}

/// The names of the settings of [`Bounds`] in their user's configuration, used in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingNames {
    /// The setting of [`Bounds::fds_reserved`], e.g. `api.fds_reserved`.
    pub fds_reserved: &'static str,
    /// The setting of [`Bounds::per_address_max`], e.g. `api.connections_per_address_max`.
    pub per_address_max: &'static str,
    /// What the reserved descriptors are kept for, e.g. `the store and consensus`.
    pub reserved_for: &'static str,
}

/// The bounds on a server's connections, as this process applies them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once: [`Bounds::connections_max`], or fewer when the descriptor limit is lower.
    pub connections_max: usize,
    /// Most connections open at once from one address.
    pub per_address_max: usize,
    /// Longest wait for a request head.
    pub header_read_timeout: Duration,
    /// Longest time without a byte moving on a connection.
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    /// The limits of `bounds` in a process that may open `descriptors` files (`None`: no known limit): the total
    /// cap is lowered to the descriptors left after [`Bounds::fds_reserved`].
    ///
    /// Fails, saying what to change, when those descriptors cannot hold even one address's connections: the
    /// server would otherwise serve next to nothing, or take from the reserve.
    pub fn new(bounds: &Bounds, descriptors: Option<u64>) -> io::Result<Self> {
        let mut connections_max = bounds.connections_max;
        if let Some(limit) = descriptors {
            let available = usize::try_from(limit.saturating_sub(bounds.fds_reserved)).unwrap_or(usize::MAX);
            if available < bounds.per_address_max {
                let names = bounds.names;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "this process may open {limit} files (ulimit -n) and {} keeps {} of them for {}, which \
                         leaves {available} for connections, fewer than {} ({}); raise the limit (ulimit -n, or \
                         LimitNOFILE= for a systemd service) or lower {}",
                        names.fds_reserved,
                        bounds.fds_reserved,
                        names.reserved_for,
                        names.per_address_max,
                        bounds.per_address_max,
                        names.per_address_max
                    ),
                ));
            }
            connections_max = connections_max.min(available);
        }
        Ok(Self {
            connections_max,
            per_address_max: bounds.per_address_max,
            header_read_timeout: bounds.header_read_timeout,
            idle_timeout: bounds.idle_timeout,
        })
    }

    /// The limits of `bounds` in this process, whose descriptor limit is read now.
    pub fn for_this_process(bounds: &Bounds) -> io::Result<Self> {
        Self::new(bounds, descriptor_limit())
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
/// higher one lets the process's own files and its connections all fit.
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

/// Why the server closed a connection before its client was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Closed {
    /// Accepted while [`ConnectionLimits::connections_max`] connections were open; closed at once.
    ConnectionsMax,
    /// Accepted while its address held [`ConnectionLimits::per_address_max`] connections; closed at once.
    ConnectionsPerAddressMax,
    /// No complete request head within [`ConnectionLimits::header_read_timeout`].
    HeaderReadTimeout,
    /// No byte moved either way for [`ConnectionLimits::idle_timeout`].
    IdleTimeout,
}

impl Closed {
    /// The reason in snake case, as metrics label it: `connections_max`, `connections_per_address_max`,
    /// `header_read_timeout` or `idle_timeout`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Closed::ConnectionsMax => "connections_max",
            Closed::ConnectionsPerAddressMax => "connections_per_address_max",
            Closed::HeaderReadTimeout => "header_read_timeout",
            Closed::IdleTimeout => "idle_timeout",
        }
    }
}

/// What a server's user learns about its connections, to keep metrics. Both methods do nothing by default, and
/// `()` observes nothing.
pub trait Observer: Send + Sync + 'static {
    /// The number of connections open is now `open`.
    fn open(&self, open: usize) {
        let _ = open;
    }

    /// The server closed a connection before its client was done, for `reason`.
    fn closed(&self, reason: Closed) {
        let _ = reason;
    }
}

impl Observer for () {}

/// Serve `router` on `listener` within `limits` until `shutdown` completes, telling `observer` about the
/// connections.
pub async fn serve(
    router: Router,
    listener: TcpListener,
    limits: ConnectionLimits,
    observer: Arc<dyn Observer>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let tracker = Arc::new(Tracker { limits, observer, open: Mutex::default() });
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
                tracing::warn!(%local, error = %e, "cannot accept a connection; retrying shortly");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let permit = match tracker.admit(peer) {
            Ok(permit) => permit,
            Err(reason) => {
                tracker.observer.closed(reason);
                tracing::debug!(%local, %peer, reason = reason.as_str(), "connection refused over a cap");
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
        tracing::debug!(%local, "connections still open at shutdown were closed");
    }
    Ok(())
}

/// Errors of one connection that do not concern the listener (axum's rule: the peer went away first).
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
                        permit.closed(Closed::HeaderReadTimeout);
                    } else {
                        tracing::debug!(error = %e, "connection ended with an error");
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
                    permit.closed(Closed::IdleTimeout);
                    return;
                }
            }
        }
    }
}

/// The connections open, per address, and who learns of them.
struct Tracker {
    limits: ConnectionLimits,
    observer: Arc<dyn Observer>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

impl Tracker {
    /// Count a new connection from `peer`, or say which cap it is over.
    fn admit(self: &Arc<Self>, peer: SocketAddr) -> Result<Permit, Closed> {
        let address = client_address(peer.ip());
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.limits.connections_max {
            return Err(Closed::ConnectionsMax);
        }
        let count = open.per_address.entry(address).or_default();
        if *count >= self.limits.per_address_max {
            return Err(Closed::ConnectionsPerAddressMax);
        }
        *count += 1;
        open.total += 1;
        self.observer.open(open.total);
        Ok(Permit { tracker: Arc::clone(self), address })
    }
}

/// One admitted connection; dropping it frees its place.
struct Permit {
    tracker: Arc<Tracker>,
    address: IpAddr,
}

impl Permit {
    fn closed(&self, reason: Closed) {
        self.tracker.observer.closed(reason);
        tracing::debug!(address = %self.address, reason = reason.as_str(), "connection closed by the server");
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
        self.tracker.observer.open(open.total);
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

    fn bounds() -> Bounds {
        Bounds {
            connections_max: 1024,
            per_address_max: 64,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            fds_reserved: 1024,
            names: SettingNames {
                fds_reserved: "server.fds_reserved",
                per_address_max: "server.connections_per_address_max",
                reserved_for: "the state files",
            },
        }
    }

    #[test]
    fn the_cap_leaves_the_reserved_descriptors_alone() {
        let bounds = bounds();
        let limits = ConnectionLimits::new(&bounds, Some(1500)).unwrap();
        assert_eq!(limits.connections_max, 1500 - 1024);
        assert_eq!(limits.per_address_max, 64);
        assert_eq!(
            (limits.header_read_timeout, limits.idle_timeout),
            (bounds.header_read_timeout, bounds.idle_timeout)
        );
        let limits = ConnectionLimits::new(&bounds, Some(1 << 20)).unwrap();
        assert_eq!(limits.connections_max, 1024);
        let limits = ConnectionLimits::new(&bounds, None).unwrap();
        assert_eq!(limits.connections_max, 1024);
        // Exactly one address's share left is enough; one fewer is not.
        assert_eq!(ConnectionLimits::new(&bounds, Some(1024 + 64)).unwrap().connections_max, 64);
        let message = ConnectionLimits::new(&bounds, Some(1024 + 63)).unwrap_err().to_string();
        for part in [
            "ulimit -n",
            "LimitNOFILE=",
            "server.fds_reserved",
            "server.connections_per_address_max",
            "the state files",
        ] {
            assert!(message.contains(part), "{part:?} is not in {message:?}");
        }
        // A reserve above the limit leaves nothing, and says so rather than wrapping around.
        assert!(ConnectionLimits::new(&bounds, Some(10)).unwrap_err().to_string().contains("leaves 0"));
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

    #[derive(Default)]
    struct Seen {
        open: Mutex<Vec<usize>>,
        closed: Mutex<Vec<Closed>>,
    }

    impl Observer for Seen {
        fn open(&self, open: usize) {
            self.open.lock().unwrap().push(open);
        }
        fn closed(&self, reason: Closed) {
            self.closed.lock().unwrap().push(reason);
        }
    }

    #[test]
    fn the_tracker_caps_each_address_and_the_total_and_frees_places_on_drop() {
        let limits = ConnectionLimits {
            connections_max: 3,
            per_address_max: 2,
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
        };
        let seen = Arc::new(Seen::default());
        let tracker = Arc::new(Tracker { limits, observer: seen.clone(), open: Mutex::default() });
        let peer = |ip: &str| SocketAddr::new(ip.parse().unwrap(), 4000);
        let a1 = tracker.admit(peer("192.0.2.1")).unwrap();
        let a2 = tracker.admit(peer("::ffff:192.0.2.1")).unwrap();
        assert_eq!(tracker.admit(peer("192.0.2.1")).err(), Some(Closed::ConnectionsPerAddressMax));
        let b1 = tracker.admit(peer("2001:db8::1")).unwrap();
        assert_eq!(tracker.admit(peer("2001:db8::2")).err(), Some(Closed::ConnectionsMax));
        drop(a1);
        let a3 = tracker.admit(peer("192.0.2.1")).unwrap();
        drop((a2, a3, b1));
        assert_eq!(*seen.open.lock().unwrap(), [1, 2, 3, 2, 3, 2, 1, 0]);
        let open = tracker.open.lock().unwrap();
        assert_eq!(open.total, 0);
        assert!(open.per_address.is_empty());
    }
}

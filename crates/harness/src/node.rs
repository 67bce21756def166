//! Running a node with its API in this process, and feeding it transactions directly.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use publica_crypto::Keypair;
use publica_node::{Node, NodeConfig, NodeHandle, TxStatus};
use publica_tx::Transaction;
use publica_types::{ErrorCode, TxId};

/// Set when this process stops a node on purpose (Ctrl-C, SIGTERM, the end of a benchmark).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Say that the node is being stopped on purpose. The consensus engine's actors then stop one after another, and
/// each one still running logs an ERROR for every message it can no longer send to one already stopped: on a
/// clean stop those lines are not errors, so a log filter drops the engine's lines from here on
/// ([`stopping_on_purpose`]).
pub fn stop_on_purpose() {
    STOPPING.store(true, Ordering::Relaxed);
}

/// Whether [`stop_on_purpose`] was called.
pub fn stopping_on_purpose() -> bool {
    STOPPING.load(Ordering::Relaxed)
}

/// A node with its API server.
pub struct Running {
    /// The node.
    pub node: Node,
    /// Where the API listens.
    pub api_addr: SocketAddr,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    stop_api: tokio::sync::oneshot::Sender<()>,
    /// The home directory's lock, held until the node is dropped.
    _lock: publica_node::HomeLock,
}

/// Longest wait at shutdown for the API's requests in flight; the rest are dropped.
const API_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

impl Running {
    /// The node's handle.
    pub fn handle(&self) -> NodeHandle {
        self.node.handle()
    }

    /// Stop the API server (requests in flight get a few seconds to finish), then the node.
    pub async fn stop(self) {
        stop_on_purpose();
        let _ = self.stop_api.send(());
        let mut server = self.server;
        match tokio::time::timeout(API_DRAIN_TIMEOUT, &mut server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the API server stopped with an error"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the API server failed"),
            Err(_) => server.abort(),
        }
        self.node.stop().await;
    }
}

/// Start the node of `home` and its API server, holding the home's lock (a second node on it is refused before it
/// changes anything).
///
/// The process's file descriptor limit is raised to its hard limit first, and the API's connection cap is
/// checked against it: the API never takes the descriptors the store and consensus need (`api.fds_reserved`).
pub async fn launch(home: &Path, key: Keypair) -> Result<Running> {
    let lock = publica_node::HomeLayout::new(home).lock()?;
    let config = NodeConfig::load(home)?;
    let descriptors = publica_api::raise_descriptor_limit();
    let limits = publica_api::connection_limits(&config.api, descriptors)
        .with_context(|| format!("the API settings of {}", home.join("config.toml").display()))?;
    tracing::debug!(?descriptors, ?limits, "file descriptor limit and API connection limits");
    let listener = tokio::net::TcpListener::bind(config.api.listen).await.with_context(|| {
        format!(
            "cannot listen on {} for the API; is another node running? (api.listen in config.toml)",
            config.api.listen
        )
    })?;
    let api_addr = listener.local_addr()?;
    let node = Node::start(home, key).await?;
    let (stop_api, stopped) = tokio::sync::oneshot::channel::<()>();
    // The portal's pages in front of the API: `/` and the pages for people, `/v1/` and the rest for programs.
    let app = publica_portal::router(publica_api::router(node.handle()));
    let server = tokio::spawn(publica_api::serve_app_with_shutdown(app, node.handle(), listener, async move {
        let _ = stopped.await;
    }));
    Ok(Running { node, api_addr, server, stop_api, _lock: lock })
}

/// A multi-threaded runtime.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Resolve on Ctrl-C or SIGTERM.
pub async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Wait until every transaction in `ids` is committed, failing on the first rejection or after `timeout`.
pub fn wait_committed(node: &NodeHandle, ids: &[TxId], timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    // The last one usually commits last: waiting for it first saves polling the others one by one.
    for id in ids.iter().rev().chain(ids.iter()) {
        loop {
            match node.tx_status(id) {
                TxStatus::Committed { .. } => break,
                TxStatus::Rejected { code, message } => {
                    bail!("transaction {id} rejected ({}): {message}", code.as_str())
                }
                _ if Instant::now() > deadline => bail!("transactions not committed within {timeout:?}"),
                _ => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    }
    Ok(())
}

/// Submit a signed transaction to the node directly, waiting (up to two minutes) while the node keeps no more of
/// this sender's transactions (`mempool.per_sender_max`) or its mempool is full, as any client would.
pub fn submit_waiting(node: &NodeHandle, tx: &Transaction) -> Result<TxId> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match node.submit(&tx.encode()) {
            Err(e)
                if [ErrorCode::NonceTooFarAhead, ErrorCode::MempoolFull].iter().any(|&c| e.code == c)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(50))
            }
            result => return result.map_err(|e| anyhow::anyhow!("demo transaction refused: {e}")),
        }
    }
}

//! Assembles a node: admission, mempool, consensus, execution, storage, configuration.
//!
//! [`Node::start`] is the one place where the components meet: it opens the store, writes the genesis state on
//! first start, rebuilds the state tree and checks it against the last committed header, loads the node's key and
//! starts the consensus engine with [`app::NodeApp`] as its application. The API and the CLI talk to the running
//! node through [`NodeHandle`].

pub mod app;
pub mod ballots;
pub mod config;
mod handle;
pub mod mempool;
pub mod metrics;
pub mod notary;
pub mod proposal_bound;
pub mod shared;
pub mod witness;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use publica_consensus::{ConsensusConfig, ConsensusHandle};
use publica_crypto::keystore::{KeyFile, Passphrase};
use publica_crypto::Keypair;
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_storage::Store;
use publica_types::{Genesis, Hash};

pub use config::{HomeLayout, HomeLock, NodeConfig, StorageConfig};
pub use handle::{LiveState, NodeHandle, NodeStatus, Snapshot, ValidatorSets};
pub use shared::{AsOfProofs, TxStatus};

use shared::Committed;

/// Errors of a node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The configuration is not acceptable.
    #[error("configuration: {0}")]
    Config(String),
    /// Another process holds the home directory's lock: a node is already running on it.
    #[error(
        "another node is using {} (it holds {}); stop that node first (Ctrl-C in its terminal), or give another \
         --home",
        home.display(),
        lock.display()
    )]
    HomeInUse { home: PathBuf, lock: PathBuf },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] publica_storage::StoreError),
    /// The genesis document is not acceptable.
    #[error("genesis: {0}")]
    Genesis(String),
    /// The node's key could not be loaded.
    #[error("validator key: {0}")]
    Key(String),
    /// The committed state does not match the last header: the data directory is damaged.
    #[error("the state in the data directory does not match block {height}'s state root; restore it from a backup or resync")]
    StateMismatch { height: u64 },
    /// The consensus engine failed.
    #[error("consensus: {0}")]
    Consensus(String),
    /// Something is not available yet.
    #[error("{0}")]
    NotReady(String),
    /// What was asked for belongs to the past and this node does not keep it.
    #[error("{0}")]
    NotKept(String),
    /// A question about a time after the last committed block: no header can show what held then.
    #[error(
        "{at_ms} ms is after the last committed block ({height}, at {last_ms} ms): the ledger cannot prove what \
         held then yet. Ask about a time at or before {last_ms} ms, or leave the time out to ask about the last \
         block, and ask again once a block after that time is committed"
    )]
    AfterLastBlock {
        /// The time asked about, Unix milliseconds.
        at_ms: u64,
        /// The last committed height.
        height: u64,
        /// Its block time, Unix milliseconds.
        last_ms: u64,
    },
}

impl NodeError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

/// A running node.
pub struct Node {
    handle: NodeHandle,
    consensus: ConsensusHandle,
}

/// Read the genesis document of a home directory.
pub fn load_genesis(layout: &HomeLayout) -> Result<Genesis, NodeError> {
    let path = layout.genesis();
    let text = config::read_limited(&path, publica_types::genesis::MAX_GENESIS_BYTES as u64)?;
    Genesis::from_json(text.as_bytes()).map_err(|e| NodeError::Genesis(format!("{}: {e}", path.display())))
}

/// Load and decrypt the node's validator key, taking the passphrase from the configured file, then the
/// configured environment variable, then an interactive prompt.
pub fn load_validator_key(layout: &HomeLayout, config: &NodeConfig) -> Result<Keypair, NodeError> {
    let path = layout.validator_key();
    let file = KeyFile::load(&path).map_err(|e| NodeError::Key(format!("{}: {e}", path.display())))?;
    let passphrase = if let Some(p) = &config.key.passphrase_file {
        let p = if p.is_absolute() { p.clone() } else { layout.home.join(p) };
        Passphrase::from_file(&p).map_err(|e| NodeError::Key(format!("{}: {e}", p.display())))?
    } else if let Some(var) = config.key.passphrase_env.as_deref().filter(|v| std::env::var_os(v).is_some()) {
        Passphrase::from_env(var).map_err(|e| NodeError::Key(e.to_string()))?
    } else {
        Passphrase::prompt(&path.display().to_string(), false).map_err(|e| NodeError::Key(e.to_string()))?
    };
    file.decrypt(passphrase.as_bytes()).map_err(|e| NodeError::Key(format!("{}: {e}", path.display())))
}

/// Read the peer-to-peer secret (32 bytes, hex).
pub fn load_p2p_secret(layout: &HomeLayout) -> Result<[u8; 32], NodeError> {
    let path = layout.p2p_key();
    let text = config::read_limited(&path, 1024)?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out)
        .map_err(|e| NodeError::Config(format!("{} must hold 64 hex characters: {e}", path.display())))?;
    Ok(out)
}

/// Open the store of a home directory, write the genesis state on first use, and rebuild the committed
/// snapshot, checking the state against the last header's state root. With `storage.past_states`, the store
/// gets the current tree's nodes if it lacks them (a fresh store, or one kept without past states until now), and
/// a store that has them is not rebuilt: its tree is read from the store as it is used ([`open_backed`]).
pub(crate) fn open_state(
    layout: &HomeLayout,
    genesis: &Genesis,
    storage: &StorageConfig,
) -> Result<(Store, Committed), NodeError> {
    let store = Store::open(&layout.data())?;
    let genesis_outcome = publica_execution::genesis_state(genesis);
    let changes: Vec<_> = genesis_outcome.changes.clone().into_iter().collect();
    store.init_genesis(genesis, &changes)?;

    let height = store.last_height()?;
    if let Some(committed) = open_backed(&store, height, storage)? {
        return Ok((store, committed));
    }
    let mut entries: Vec<(Hash, Option<Hash>)> = Vec::new();
    store.state_for_each(|k, v| entries.push((key_hash(k), Some(value_hash(v)))))?;
    let mut tree = StateTree::new();
    let nodes = tree.apply(entries);
    let header = if height == 0 {
        if tree.root() != genesis_outcome.state_root() {
            return Err(NodeError::StateMismatch { height: 0 });
        }
        None
    } else {
        let header = store.header(height)?.ok_or(NodeError::StateMismatch { height })?;
        let certificate = store.certificate(height)?.ok_or(NodeError::StateMismatch { height })?;
        if tree.root() != header.state_root {
            return Err(NodeError::StateMismatch { height });
        }
        Some((header, certificate))
    };
    // Stores written before the tree's nodes were kept (or a fresh genesis) get the current tree's nodes, so
    // proofs under the current root and every later one can be read from the store.
    if storage.past_states && !tree.is_empty() && !store.has_state_node(&tree.root())? {
        store.put_state_nodes(&nodes)?;
        tracing::info!(height, nodes = nodes.len(), "state tree nodes stored for historic proofs");
    }
    drop(nodes);
    let validators = publica_execution::validator_set(&shared::StoreView(&store))
        .ok_or_else(|| NodeError::Genesis("the state holds no validator set".into()))?;
    Ok((store, Committed { height, header, tree, validators, recent_writers: Default::default() }))
}

/// The committed snapshot with a state tree read from the store's nodes as it is used ([`StateTree::backed`]),
/// when the store keeps past states and holds the last block's tree and its key count: start-up then reads a few
/// records, whatever the size of the state, and the tree keeps only its recently used nodes in memory. The tree's
/// root is the last header's state root by construction (its nodes are found by that hash and each is checked
/// against its own hash when read); what is not re-checked at start, as the full rebuild does, is that the state's
/// records still hash to it: a damaged record shows when its proof fails.
fn open_backed(store: &Store, height: u64, storage: &StorageConfig) -> Result<Option<Committed>, NodeError> {
    if !storage.past_states || height == 0 {
        return Ok(None);
    }
    let Some(len) = store.state_entries()? else { return Ok(None) };
    let header = store.header(height)?.ok_or(NodeError::StateMismatch { height })?;
    let certificate = store.certificate(height)?.ok_or(NodeError::StateMismatch { height })?;
    if !store.has_state_node(&header.state_root)? {
        return Ok(None);
    }
    let len = usize::try_from(len).map_err(|_| NodeError::StateMismatch { height })?;
    let tree = StateTree::backed(
        header.state_root,
        len,
        std::sync::Arc::new(store.state_nodes()),
        publica_merkle::Residency::default(),
    );
    let validators = publica_execution::validator_set(&shared::StoreView(store))
        .ok_or_else(|| NodeError::Genesis("the state holds no validator set".into()))?;
    tracing::info!(height, entries = len, "state tree read from the store as it is used");
    Ok(Some(Committed {
        height,
        header: Some((header, certificate)),
        tree,
        validators,
        recent_writers: Default::default(),
    }))
}

impl Node {
    /// Start the node of a home directory with its decrypted key. Must run inside a Tokio runtime.
    pub async fn start(home: &Path, key: Keypair) -> Result<Node, NodeError> {
        let layout = HomeLayout::new(home);
        let config = NodeConfig::load(home)?;
        let genesis = load_genesis(&layout)?;
        let p2p_secret = load_p2p_secret(&layout)?;
        let address = key.public_key().address();
        let handle = NodeHandle::open(&layout, genesis, config.clone(), address)?;
        let shared = handle.shared();
        let mut consensus_config = ConsensusConfig::new(shared.chain_id().clone(), config.p2p.listen, layout.wal());
        consensus_config.peers = config.p2p.peers.clone();
        let timeouts = &mut consensus_config.timeouts;
        timeouts.propose_ms = config.consensus.propose_ms;
        timeouts.prevote_ms = config.consensus.prevote_ms;
        timeouts.precommit_ms = config.consensus.precommit_ms;
        timeouts.commit_ms = config.consensus.commit_ms;
        consensus_config.empty_block_interval_ms = config.consensus.empty_block_interval_ms;
        consensus_config.equivocate = config.testing.equivocation();
        let log_signer = publica_notary::checkpoint::LogSigner::new(shared.chain_id(), &key)
            .map_err(|e| NodeError::Key(format!("cannot derive the checkpoint keys: {e}")))?;
        let app = app::NodeApp::new(&handle, log_signer);
        let consensus = publica_consensus::start(consensus_config, key, p2p_secret, app)
            .await
            .map_err(|e| NodeError::Consensus(e.to_string()))?;
        witness::spawn(shared);
        Ok(Node { handle, consensus })
    }

    /// A handle for the API and the CLI.
    pub fn handle(&self) -> NodeHandle {
        self.handle.clone()
    }

    /// Stop consensus; the store is closed when the last handle is dropped.
    pub async fn stop(self) {
        self.consensus.stop().await;
    }
}

//! The sealed face of a running node: everything the API, the CLI and tools may ask of it.
//!
//! A [`NodeHandle`] is cheap to clone. It admits transactions, reports their status, serves blocks, certified
//! headers, the validator sets and the notary log, and answers questions about the state with [`NodeHandle::read`]:
//! the question runs on a [`Snapshot`] of the committed state under the committed lock, and every key it names is
//! proven under the one certified header of that same state, so no answer mixes two blocks. The node's internals
//! (store, mempool, committed snapshot, signature cache) are not reachable from outside the crate.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use publica_merkle::{key_hash, value_hash};
use publica_storage::Store;
use publica_tlog::{TilePath, TlogProof};
use publica_tx::Block;
use publica_types::{
    Address, BlockHeader, ChainId, CommitCertificate, Genesis, Hash, StateRead, TxError, TxId, ValidatorSet,
};
use publica_verify::{CertifiedHeader, CertifiedReads, ReadProof, ValidatorHistory};

use crate::config::{HomeLayout, NodeConfig};
use crate::metrics::Metrics;
use crate::notary::{LogEntry, ReceiptError};
use crate::shared::{AsOfProofs, Committed, Shared, StoreView, TxStatus};
use crate::NodeError;

/// A cheap handle on a running node, for the API, the CLI and tools.
#[derive(Clone)]
pub struct NodeHandle {
    shared: Arc<Shared>,
}

/// The committed state as one question sees it: the last committed block's header, the validator set it hands on,
/// and the state after it, read under the committed lock so that none of them can move while the question runs.
/// It reads like any state ([`StateRead`]), which is what the modules' query functions take.
pub struct Snapshot<'a> {
    committed: &'a Committed,
    store: &'a Store,
}

impl Snapshot<'_> {
    /// The last committed height (0 at genesis).
    pub fn height(&self) -> u64 {
        self.committed.height
    }

    /// The last committed block's header (none at genesis).
    pub fn header(&self) -> Option<&BlockHeader> {
        self.committed.header.as_ref().map(|(header, _)| header)
    }

    /// The last committed block's time, Unix milliseconds (0 at genesis): "now" for the state.
    pub fn time_ms(&self) -> u64 {
        self.header().map_or(0, |header| header.time_ms)
    }

    /// The validator set that signs the next height.
    pub fn validators(&self) -> &ValidatorSet {
        &self.committed.validators
    }

    /// The state root after the last committed block.
    pub fn state_root(&self) -> Hash {
        self.committed.tree.root()
    }

    /// Number of entries in the state.
    pub fn state_entries(&self) -> usize {
        self.committed.tree.len()
    }

    /// Up to `limit` state keys that start with `prefix`, in key order (for suggestions; answers with proofs
    /// read keys one by one).
    pub fn keys_with_prefix(&self, prefix: &[u8], limit: usize) -> Vec<Vec<u8>> {
        self.store.state_keys(prefix, limit).unwrap_or_else(|e| panic!("reading committed state failed: {e}"))
    }
}

impl StateRead for Snapshot<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        StoreView(self.store).get(key)
    }
}

/// The committed state read key by key, each at the moment of its read (see [`NodeHandle::live_state`]).
pub struct LiveState<'a> {
    node: &'a NodeHandle,
}

impl StateRead for LiveState<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.node.view(|state| state.get(key))
    }
}

/// The validator sets of the chain, as `GET /v1/validators` shows them; read under one lock.
#[derive(Clone, Debug)]
pub struct ValidatorSets {
    /// The next height to sign.
    pub next_height: u64,
    /// The set that signs it.
    pub current: ValidatorSet,
    /// Every set of the chain with the first height it signs, oldest first.
    pub sets: Vec<(u64, ValidatorSet)>,
}

/// The node's view of the chain, as `GET /v1/status` shows it; read under one lock.
#[derive(Clone, Debug)]
pub struct NodeStatus {
    /// Last committed height (0 = genesis).
    pub height: u64,
    /// Hash and time (Unix ms) of the last committed block, none at genesis.
    pub last_block: Option<(Hash, u64)>,
    /// The state root after it.
    pub state_root: Hash,
    /// Whether this node's key is in the validator set of the next height.
    pub is_validator: bool,
    /// Members of that set.
    pub validator_count: usize,
    /// Transactions waiting in the mempool.
    pub mempool_txs: usize,
    /// Their encoded bytes.
    pub mempool_bytes: usize,
}

impl NodeHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The node's shared state, for the consensus application and the witness pushers.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Open the state of a home directory (writing the genesis state on first use) and assemble a node without
    /// consensus, for the validator key whose address is `address`: blocks are then made by driving an
    /// [`crate::app::NodeApp`] by hand, as tests and offline tools do. [`crate::Node::start`] does the same and
    /// starts consensus on it.
    pub fn open(
        layout: &HomeLayout,
        genesis: Genesis,
        config: NodeConfig,
        address: Address,
    ) -> Result<Self, NodeError> {
        let (store, committed) = crate::open_state(layout, &genesis, &config.storage)?;
        tracing::info!(height = committed.height, root = %hex::encode(committed.tree.root()), "state loaded");
        let height = committed.height;
        let shared = Shared::new(genesis, config, store, committed, address);
        shared.metrics.height.set(height as i64);
        Ok(Self::new(shared))
    }

    // --- Admission and transactions -------------------------------------------------------------------------

    /// Admit one encoded transaction into the mempool: decode, check, verify, dry-run, queue.
    pub fn submit(&self, bytes: &[u8]) -> Result<TxId, TxError> {
        self.shared.submit(bytes)
    }

    /// Admit many encoded transactions; result `i` is for input `i` (see [`NodeHandle::submit_batch_unless`]).
    pub fn submit_batch(&self, items: &[Vec<u8>]) -> Vec<Result<TxId, TxError>> {
        self.shared.submit_batch(items)
    }

    /// As [`NodeHandle::submit_batch`], but the work stops as soon as `cancelled` is set: transactions not
    /// reached are refused with `unavailable` and left untouched.
    pub fn submit_batch_unless(&self, items: &[Vec<u8>], cancelled: &AtomicBool) -> Vec<Result<TxId, TxError>> {
        self.shared.submit_batch_unless(items, cancelled)
    }

    /// Status of a transaction: pending, committed (where), rejected (why) or unknown.
    pub fn tx_status(&self, id: &TxId) -> TxStatus {
        self.shared.tx_status(id)
    }

    /// Wait until the pending transactions were executed again after the commit of `height` (or a later one), at
    /// most `timeout`; whether they were. For tests and tools that need the mempool settled after a commit.
    pub fn wait_revalidated(&self, height: u64, timeout: std::time::Duration) -> bool {
        self.shared.wait_revalidated(height, timeout)
    }

    // --- The chain ------------------------------------------------------------------------------------------

    /// The network's chain id.
    pub fn chain_id(&self) -> &ChainId {
        self.shared.chain_id()
    }

    /// The genesis document.
    pub fn genesis(&self) -> &Genesis {
        &self.shared.genesis
    }

    /// The node's settings (its limits among them).
    pub fn config(&self) -> &NodeConfig {
        &self.shared.config
    }

    /// Address of this node's validator key.
    pub fn validator_address(&self) -> Address {
        self.shared.address
    }

    /// The node's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render_metrics(&self) -> String {
        self.shared.metrics.render()
    }

    /// The last committed height (0 = genesis).
    pub fn height(&self) -> u64 {
        self.shared.committed.read().height
    }

    /// The node's status, read under one lock (the mempool's figures just after it).
    pub fn status(&self) -> NodeStatus {
        let (height, last_block, state_root, is_validator, validator_count) = self.view(|state| {
            (
                state.height(),
                state.header().map(|h| (h.hash(), h.time_ms)),
                state.state_root(),
                state.validators().get(&self.shared.address).is_some(),
                state.validators().validators().len(),
            )
        });
        let (mempool_txs, mempool_bytes) = {
            let mempool = self.shared.mempool.lock();
            (mempool.len(), mempool.bytes())
        };
        NodeStatus { height, last_block, state_root, is_validator, validator_count, mempool_txs, mempool_bytes }
    }

    /// Committed block `height` with its certificate, or `None` when it is not committed (yet); the last
    /// committed height comes along, read under the same lock.
    pub fn block(&self, height: u64) -> Result<(Option<(Block, CommitCertificate)>, u64), NodeError> {
        let committed = self.shared.committed.read();
        let store = &self.shared.store;
        let found = match (store.block(height)?, store.certificate(height)?) {
            (Some(block), Some(certificate)) if height <= committed.height => Some((block, certificate)),
            _ => None,
        };
        Ok((found, committed.height))
    }

    /// The certified header of a committed height.
    pub fn certified_header(&self, height: u64) -> Result<CertifiedHeader, NodeError> {
        self.shared.certified_header(height)
    }

    // --- Validators -----------------------------------------------------------------------------------------

    /// The validator set in force and every set of the chain, read under one lock.
    pub fn validator_sets(&self) -> Result<ValidatorSets, NodeError> {
        let committed = self.shared.committed.read();
        let sets = self.shared.store.validator_set_changes()?;
        Ok(ValidatorSets { next_height: committed.height + 1, current: committed.validators.clone(), sets })
    }

    /// Every change of the validator set since genesis, each with the certified header of the block that made it.
    pub fn validator_history(&self) -> Result<ValidatorHistory, NodeError> {
        self.shared.validator_history()
    }

    // --- Reads of the state ---------------------------------------------------------------------------------

    /// Run `question` on the committed state, under the committed lock, without proofs: for answers that need
    /// none (counts, the status) or that are proven elsewhere.
    pub fn view<T>(&self, question: impl FnOnce(&Snapshot<'_>) -> T) -> T {
        let committed = self.shared.committed.read();
        question(&Snapshot { committed: &committed, store: &self.shared.store })
    }

    /// The committed state as it is at each read: every `get` takes the committed lock for that key alone, so two
    /// reads may see two different blocks. For tools that seed or poll a node one key at a time; an answer that
    /// must hold together (and every answer of the API) uses [`NodeHandle::view`] or [`NodeHandle::read`].
    pub fn live_state(&self) -> LiveState<'_> {
        LiveState { node: self }
    }

    /// Answer `question` with proofs: it runs on the committed state under the committed lock and returns its
    /// answer with the keys that prove it, and every key is proven under the latest certified header, within the
    /// same lock, so the answer and its proofs come from one block. A question that fails is answered by its
    /// error; a state without a committed block has no header to prove under
    /// ([`NodeError::NotReady`]).
    pub fn read<T, E: From<NodeError>>(
        &self,
        question: impl FnOnce(&Snapshot<'_>) -> Result<(T, Vec<Vec<u8>>), E>,
    ) -> Result<(T, CertifiedReads), E> {
        let committed = self.shared.committed.read();
        let (answer, keys) = question(&Snapshot { committed: &committed, store: &self.shared.store })?;
        let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let reads = latest_proofs(&self.shared.store, &committed, &keys)?;
        Ok((answer, reads))
    }

    /// Read several keys with proofs, all under the latest certified header, which comes once.
    pub fn read_with_proofs(&self, keys: &[&[u8]]) -> Result<CertifiedReads, NodeError> {
        let keys = keys.iter().map(|k| k.to_vec()).collect();
        Ok(self.read(|_| Ok::<_, NodeError>(((), keys)))?.1)
    }

    /// Read a key with a proof under the latest certified header: a self-contained proof document.
    pub fn read_with_proof(&self, key: &[u8]) -> Result<ReadProof, NodeError> {
        let reads = self.read_with_proofs(&[key])?;
        Ok(reads.reads[0].with_header(&reads.certified))
    }

    /// Answer a question about time `at_ms` with proofs under the header in force then (see
    /// [`AsOfProofs`]): the question runs on the latest committed state under the committed lock, and must name
    /// keys that never change once written. A time after the last committed block is refused
    /// ([`NodeError::AfterLastBlock`]).
    pub fn read_as_of<T>(
        &self,
        at_ms: u64,
        question: impl FnOnce(&Snapshot<'_>) -> (T, Vec<Vec<u8>>),
    ) -> Result<(T, AsOfProofs), NodeError> {
        let committed = self.shared.committed.read();
        let store = &self.shared.store;
        self.shared.read_as_of(&committed, at_ms, |committed| question(&Snapshot { committed, store }))
    }

    // --- The notary log -------------------------------------------------------------------------------------

    /// The origin line of this network's log.
    pub fn log_origin(&self) -> String {
        self.shared.log_origin()
    }

    /// The latest signed checkpoint, as stored (C2SP signed note bytes), with the height it follows.
    pub fn latest_checkpoint(&self) -> Result<Option<(u64, Vec<u8>)>, NodeError> {
        self.shared.latest_checkpoint()
    }

    /// The entry of a document hash, if it was anchored.
    pub fn log_entry(&self, hash: &Hash) -> Result<Option<LogEntry>, NodeError> {
        self.shared.log_entry(hash)
    }

    /// The receipt (C2SP tlog-proof) of a document hash under the latest signed checkpoint.
    pub fn log_receipt(&self, hash: &Hash) -> Result<TlogProof, ReceiptError> {
        self.shared.log_receipt(hash)
    }

    /// An RFC 9162 consistency proof between two tree sizes.
    pub fn log_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, String> {
        self.shared.log_consistency(old, new)
    }

    /// A hash tile or an entry bundle, or `None` when the log does not reach it yet.
    pub fn log_tile(&self, path: &TilePath) -> Result<Option<Vec<u8>>, NodeError> {
        self.shared.log_tile(path)
    }

    /// The validators' checkpoint verifier keys: address, voting power and the two C2SP vkeys of each.
    pub fn log_vkeys(&self) -> Vec<(Address, u64, [String; 2])> {
        self.shared.log_vkeys()
    }

    /// Log index of the entry of a document hash, if it was anchored.
    pub fn anchor_index(&self, hash: &Hash) -> Result<Option<u64>, NodeError> {
        Ok(self.shared.store.anchor_index(hash)?)
    }

    // --- Storage figures ------------------------------------------------------------------------------------

    /// Bytes the store takes on disk.
    pub fn disk_space(&self) -> u64 {
        self.shared.store.disk_space()
    }

    /// Bytes the kept state tree nodes take on disk.
    pub fn state_nodes_disk_space(&self) -> u64 {
        self.shared.store.state_nodes_disk_space()
    }
}

/// Proofs of `keys` under the latest certified header of `committed`, whose lock the caller holds.
pub(crate) fn latest_proofs(store: &Store, committed: &Committed, keys: &[&[u8]]) -> Result<CertifiedReads, NodeError> {
    let Some((header, certificate)) = committed.header.clone() else {
        return Err(NodeError::NotReady("no block is committed yet; proofs start at height 1".into()));
    };
    let mut reads = Vec::with_capacity(keys.len());
    for key in keys {
        let value = store.state_get(key)?;
        // The store and the tree must agree: check it here, where a disagreement would otherwise become a proof
        // that fails for the citizen holding it.
        let kh = key_hash(key);
        assert_eq!(
            committed.tree.get(&kh),
            value.as_deref().map(value_hash),
            "committed state and state tree disagree on a key"
        );
        reads.push(publica_verify::KeyProof {
            height: header.height,
            key: key.to_vec(),
            value,
            proof: committed.tree.prove(&kh),
        });
    }
    Ok(CertifiedReads { certified: CertifiedHeader { header, certificate }, reads })
}

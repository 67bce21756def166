//! A small in-memory chain for driving consensus in tests, and helpers to run validators on loopback.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use publica_consensus::{start, Application, ConsensusConfig, ConsensusHandle};
use publica_crypto::{sha256, Address, Hash, Keypair};
use publica_tx::tx_root;
use publica_tx::Block;
use publica_types::evidence::evidence_root;
use publica_types::{
    BlockHeader, ChainId, CommitCertificate, DecidedExtensions, Misbehavior, Validator, ValidatorSet, HEADER_VERSION,
};

/// The blocks a node has committed, with their certificates and extensions, shared with the test so they survive a
/// restart of the node.
pub type Ledger = Arc<Mutex<Vec<(Block, CommitCertificate, DecidedExtensions)>>>;

/// The evidence of misbehaviour consensus reported to a node, shared with the test.
pub type Reports = Arc<Mutex<Vec<Misbehavior>>>;

/// The vote extension an honest test validator attaches:
/// `SHA-256("ext" ‖ u64be(height) ‖ block_hash ‖ validator)`.
/// It stands in for a checkpoint signature: it depends on the block and on the validator, so a peer can check it.
pub fn expected_extension(height: u64, block_hash: &Hash, validator: &Address) -> Vec<u8> {
    let mut preimage = b"ext".to_vec();
    preimage.extend_from_slice(&height.to_be_bytes());
    preimage.extend_from_slice(block_hash);
    preimage.extend_from_slice(validator.as_bytes());
    sha256(&preimage).to_vec()
}

/// An application whose "state" is a hash chain: `state_root(h) = SHA-256(state_root(h-1) ‖ h)`. Blocks carry no
/// transactions; validation checks every header field a real node would. Precommits carry
/// [`expected_extension`], and extensions are accepted only if they equal it.
pub struct TestChain {
    chain_id: ChainId,
    validators: ValidatorSet,
    ledger: Ledger,
    me: Address,
    faulty_extensions: bool,
    reports: Reports,
    pending: Arc<AtomicBool>,
}

impl TestChain {
    /// The chain of validator `me`; with `faulty_extensions`, it extends its precommits with bytes no peer accepts.
    /// Reported misbehaviour is kept in `reports`.
    pub fn new(
        chain_id: ChainId,
        validators: ValidatorSet,
        ledger: Ledger,
        me: Address,
        faulty_extensions: bool,
        reports: Reports,
    ) -> Self {
        Self { chain_id, validators, ledger, me, faulty_extensions, reports, pending: Arc::default() }
    }

    /// What [`Application::has_pending_transactions`] answers: the test sets it to say transactions wait.
    pub fn with_pending(mut self, pending: Arc<AtomicBool>) -> Self {
        self.pending = pending;
        self
    }

    fn tip(&self) -> (u64, Hash, u64, Hash) {
        let ledger = self.ledger.lock();
        match ledger.last() {
            Some((b, _, _)) => (b.header.height, b.hash(), b.header.time_ms, b.header.state_root),
            None => (0, [0u8; 32], 0, [0u8; 32]),
        }
    }

    fn state_root_after(parent_root: &Hash, height: u64) -> Hash {
        let mut preimage = parent_root.to_vec();
        preimage.extend_from_slice(&height.to_be_bytes());
        sha256(&preimage)
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_millis() as u64
}

impl Application for TestChain {
    fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    fn last_committed_height(&self) -> u64 {
        self.tip().0
    }

    fn earliest_height(&self) -> u64 {
        1
    }

    fn validator_set(&self, _height: u64) -> Option<ValidatorSet> {
        Some(self.validators.clone())
    }

    fn propose(&mut self, height: u64, _round: u32, proposer: Address) -> Result<Block, String> {
        let (tip, parent_hash, parent_time, parent_root) = self.tip();
        if height != tip + 1 {
            return Err(format!("asked to propose height {height} on top of {tip}"));
        }
        let header = BlockHeader {
            version: HEADER_VERSION,
            chain_id: self.chain_id.clone(),
            height,
            time_ms: now_ms().max(parent_time + 1),
            parent_hash,
            proposer,
            tx_root: tx_root(&[]),
            tx_count: 0,
            evidence_root: evidence_root(&[]),
            state_root: Self::state_root_after(&parent_root, height),
            validator_set_hash: self.validators.hash(),
            next_validator_set_hash: self.validators.hash(),
        };
        Ok(Block { header, txs: vec![], evidence: vec![] })
    }

    fn validate(&mut self, block: &Block) -> Result<(), String> {
        let (tip, parent_hash, parent_time, parent_root) = self.tip();
        let h = &block.header;
        if h.height != tip + 1 {
            return Err(format!("height {} does not follow {tip}", h.height));
        }
        if h.parent_hash != parent_hash {
            return Err("wrong parent hash".into());
        }
        if h.time_ms <= parent_time {
            return Err("block time does not increase".into());
        }
        if h.state_root != Self::state_root_after(&parent_root, h.height) {
            return Err("wrong state root".into());
        }
        if h.validator_set_hash != self.validators.hash() {
            return Err("wrong validator set".into());
        }
        Ok(())
    }

    fn extend_vote(&mut self, height: u64, _round: u32, block_hash: Hash) -> Result<Vec<u8>, String> {
        let mut extension = expected_extension(height, &block_hash, &self.me);
        if self.faulty_extensions {
            extension[0] ^= 1;
        }
        Ok(extension)
    }

    fn verify_vote_extension(
        &self,
        height: u64,
        block_hash: &Hash,
        validator: &Address,
        extension: &[u8],
    ) -> Result<(), String> {
        if self.validators.get(validator).is_none() {
            return Err(format!("{validator} is not a validator"));
        }
        if extension != expected_extension(height, block_hash, validator).as_slice() {
            return Err(format!("the extension of {validator} is not the hash of its precommit"));
        }
        Ok(())
    }

    fn commit(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
    ) -> Result<(), String> {
        self.validate(&block)?;
        if certificate.block_hash != block.hash() || certificate.height != block.header.height {
            return Err("the certificate is for another block".into());
        }
        self.ledger.lock().push((block, certificate, extensions));
        Ok(())
    }

    fn report_misbehavior(&mut self, evidence: Vec<Misbehavior>) {
        self.reports.lock().extend(evidence);
    }

    fn has_pending_transactions(&self) -> bool {
        self.pending.load(Ordering::Relaxed)
    }

    fn decided_block(&self, height: u64) -> Option<(Block, CommitCertificate, DecidedExtensions)> {
        let ledger = self.ledger.lock();
        let index = usize::try_from(height.checked_sub(1)?).ok()?;
        ledger.get(index).cloned()
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released for the node to take).
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address")
}

pub fn chain_id() -> ChainId {
    ChainId::new("publica-test").expect("valid chain id")
}

pub fn keypair(i: u8) -> Keypair {
    Keypair::from_seed(&[i + 1; 32])
}

pub fn validator_set(n: u8) -> ValidatorSet {
    ValidatorSet::new(
        (0..n)
            .map(|i| {
                let kp = keypair(i);
                Validator::from_keypair(&kp, 1)
            })
            .collect(),
    )
    .expect("valid validator set")
}

/// One validator of a test network: its configuration and storage survive restarts.
pub struct TestNode {
    pub index: u8,
    pub config: ConsensusConfig,
    pub ledger: Ledger,
    pub handle: Option<ConsensusHandle>,
    /// Whether this validator attaches extensions that its peers refuse.
    pub faulty_extensions: bool,
    /// The misbehaviour consensus reported to this node.
    pub reports: Reports,
    /// Whether the node's application says transactions wait (so that it proposes without pacing empty blocks).
    pub pending: Arc<AtomicBool>,
}

impl TestNode {
    pub async fn start(&mut self, validators: &ValidatorSet) {
        let me = keypair(self.index).address();
        let app = TestChain::new(
            chain_id(),
            validators.clone(),
            Arc::clone(&self.ledger),
            me,
            self.faulty_extensions,
            Arc::clone(&self.reports),
        )
        .with_pending(Arc::clone(&self.pending));
        let handle = start(self.config.clone(), keypair(self.index), [self.index + 100; 32], app)
            .await
            .expect("consensus starts");
        self.handle = Some(handle);
    }

    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.stop().await;
        }
    }

    pub fn height(&self) -> u64 {
        self.ledger.lock().len() as u64
    }

    pub fn block_hash(&self, height: u64) -> Option<Hash> {
        let index = usize::try_from(height.checked_sub(1)?).ok()?;
        self.ledger.lock().get(index).map(|(b, _, _)| b.hash())
    }
}

/// `n` validators on loopback, each listing all the others as peers, each with its own WAL directory.
pub fn network(n: u8, dir: &std::path::Path) -> Vec<TestNode> {
    let addrs: Vec<SocketAddr> = (0..n).map(|_| free_addr()).collect();
    (0..n)
        .map(|i| {
            let mut config = ConsensusConfig::new(chain_id(), addrs[i as usize], dir.join(format!("node{i}")));
            config.peers = addrs.iter().copied().filter(|a| *a != addrs[i as usize]).collect();
            TestNode {
                index: i,
                config,
                ledger: Ledger::default(),
                handle: None,
                faulty_extensions: false,
                reports: Reports::default(),
                pending: Arc::default(),
            }
        })
        .collect()
}

/// Wait until `f` holds, checking every 20 ms; panic with `what` after `limit`.
pub async fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

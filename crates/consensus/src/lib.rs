//! Orders blocks with the Malachite Tendermint engine; the only crate that knows the engine.
//!
//! The node gives this crate an [`Application`] (build a block, validate a block, extend and check precommits,
//! commit a decided block, serve decided blocks) and a [`ConsensusConfig`]; [`start`] runs the engine with its
//! libp2p network, write-ahead log and value sync, and answers the engine on the application's behalf. Nothing of
//! the engine appears in this API: decided blocks come with a [`CommitCertificate`] that anyone verifies with
//! [`CommitCertificate::verify`], without Malachite, and with the [`DecidedExtensions`] of the deciding
//! precommits (verified with [`DecidedExtensions::verify`]).
//!
//! How it fits together (see `docs/consensus.md` for the byte-level specification):
//!
//! - `context`: the engine's view of Publica's types; a value is a block hash, a vote is a
//!   [`publica_types::VoteBody`], a proposal a [`publica_types::ProposalBody`].
//! - `signing`: hybrid signatures over exactly `VoteBody::signing_bytes`, `ProposalBody::signing_bytes` and
//!   `SignedVoteExtension::signing_bytes`, so the engine's precommits form a Publica certificate 1:1 and their
//!   extensions a Publica [`DecidedExtensions`] 1:1.
//! - `parts`: the proposer streams its block in signed parts; receivers reassemble, authenticate and validate.
//! - `codec`: borsh encodings, with size limits, of every network and WAL message.
//! - `store`: proposed blocks kept on disk until committed, so a restart with WAL replay finds them again.
//! - `driver`: the loop answering the engine.
//!
//! A single validator runs exactly the same code as a network of many: it starts the p2p network on its listen
//! address and simply has no peers.
//!
//! The engine reports validators that signed two conflicting votes or proposals when it finalizes a height; they
//! reach the application as [`Misbehavior`] evidence through [`Application::report_misbehavior`].
//!
//! With the `byzantine` cargo feature (tests only), [`ConsensusConfig::equivocate`] makes this validator
//! equivocate through the engine's Byzantine network proxy, or flood its peers with signed proposals for future
//! rounds ([`Equivocation::FutureRoundProposals`]), so that the rest of the system can be tested against a faulty
//! validator.

#[cfg(feature = "byzantine")]
mod byzantine;
mod codec;
mod context;
mod driver;
mod error;
mod parts;
mod signing;
mod store;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_malachitebft_app_channel::app::config::{
    ConsensusConfig as EngineConsensusConfig, NodeConfig, PubSubProtocol, ValueSyncConfig,
};
use arc_malachitebft_app_channel::app::net::Multiaddr;
use arc_malachitebft_app_channel::app::types::core::LinearTimeouts;
use arc_malachitebft_app_channel::app::types::Keypair as NetworkKeypair;
use arc_malachitebft_app_channel::{
    ConsensusContext, EngineBuilder, EngineHandle, NetworkContext, NetworkIdentity, RequestContext, SyncContext,
    WalContext,
};
use bytesize::ByteSize;
use parking_lot::Mutex;
use publica_crypto::{Address, Hash, Keypair};
use publica_tx::Block;
use publica_types::{ChainId, CommitCertificate, DecidedExtensions, Misbehavior, ValidatorSet};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

pub use error::ConsensusError;

use codec::{PublicaCodec, MAX_SYNC_RESPONSE_BYTES};
use context::{PublicaContext, ValidatorAddress};
use driver::{Driver, DriverParams};
use signing::{HybridSigner, HybridVerifier};
use store::ProposalStore;

/// What consensus needs from the rest of the node.
///
/// Methods are synchronous and may take tens of milliseconds; they run on a blocking thread, one at a time (the
/// application sits behind a mutex), never on the engine's runtime threads.
pub trait Application: Send + 'static {
    /// The network this node belongs to.
    fn chain_id(&self) -> &ChainId;

    /// Height of the last committed block; 0 before the first block.
    fn last_committed_height(&self) -> u64;

    /// Lowest height whose block (with its certificate) this node still serves to lagging peers.
    fn earliest_height(&self) -> u64;

    /// The validator set that decides `height`, or `None` if unknown. Consensus asks for the height it is about to
    /// run, so the application must know the set of `last_committed_height() + 1`.
    fn validator_set(&self, height: u64) -> Option<ValidatorSet>;

    /// Proposer: build, execute and return a block for `(height, round)`; the application sets the time.
    /// The header must name `height`, `proposer` and the chain id.
    fn propose(&mut self, height: u64, round: u32, proposer: Address) -> Result<Block, String>;

    /// Validator: re-execute a received block on top of the last committed state and check its header (state
    /// root etc.). `Err` makes this validator vote nil.
    fn validate(&mut self, block: &Block) -> Result<(), String>;

    /// Bytes this validator attaches to its precommit for `block_hash` at (height, round). The block was proposed
    /// or validated by this node before it precommits, so the application knows its post-state. Empty is allowed.
    ///
    /// At most `publica_types::MAX_VOTE_EXTENSION_BYTES`. On `Err` (or a longer result) the error is logged and
    /// the precommit carries an empty extension, so that the validator still votes.
    fn extend_vote(&mut self, height: u64, round: u32, block_hash: Hash) -> Result<Vec<u8>, String>;

    /// Whether `validator`'s extension on a precommit for `block_hash` at `height` is acceptable (its hybrid
    /// signature is already checked here). Called for live precommits and for synced certificates, possibly
    /// before the block is executed.
    ///
    /// `Err` discards the live precommit, or rejects the synced certificate that carried the extension; so the
    /// rule must be one that every honest validator's extension passes.
    fn verify_vote_extension(
        &self,
        height: u64,
        block_hash: &Hash,
        validator: &Address,
        extension: &[u8],
    ) -> Result<(), String>;

    /// A decided block, its certificate and the extensions of the deciding precommits (both already verified by
    /// this crate against `validator_set(height)`: the extensions come from signers of the certificate holding
    /// more than two thirds of the voting power). Must be durable when it returns: consensus moves on to the next
    /// height.
    fn commit(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
    ) -> Result<(), String>;

    /// [`Application::commit`] for a block that value sync fetched from a peer: a height this node lagged behind
    /// and did not decide itself. Everything `commit` checks is checked the same way; what may differ is
    /// durability: such a block can be fetched again, so it need not be durable when this returns, as long as a
    /// crash leaves the application at an earlier whole block (consensus then restarts from there). The default
    /// commits it as any other block.
    fn commit_synced(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
    ) -> Result<(), String> {
        self.commit(block, certificate, extensions)
    }

    /// A committed block, its certificate and the extensions committed with it, for value sync.
    fn decided_block(&self, height: u64) -> Option<(Block, CommitCertificate, DecidedExtensions)>;

    /// Evidence of equivocation the engine observed while deciding a height (conflicting votes or proposals whose
    /// signatures it checked), in Publica's form. Called when the height is finalized, whether or not the evidence
    /// is about this node's own messages. The application verifies each piece against the validator set of its
    /// height before acting on it (recording it in a block it proposes).
    fn report_misbehavior(&mut self, evidence: Vec<Misbehavior>);

    /// Whether transactions wait to be included. A proposer with nothing to include waits up to
    /// [`ConsensusConfig::empty_block_interval_ms`] after the last commit before proposing an empty block, and
    /// proposes at once when this turns true. The default (`false`) gives one block per interval at most.
    fn has_pending_transactions(&self) -> bool {
        false
    }
}

/// Tendermint timeouts. Each round-step timeout grows by its `_delta` per round, so a network that keeps failing
/// rounds (for example with a slow link) eventually waits long enough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusTimeouts {
    /// How long validators wait for the proposer's block in round 0.
    pub propose_ms: u64,
    /// Added to `propose_ms` per round.
    pub propose_delta_ms: u64,
    /// How long validators wait for more prevotes after seeing a quorum of mixed ones.
    pub prevote_ms: u64,
    /// Added to `prevote_ms` per round.
    pub prevote_delta_ms: u64,
    /// How long validators wait for more precommits after seeing a quorum of mixed ones.
    pub precommit_ms: u64,
    /// Added to `precommit_ms` per round.
    pub precommit_delta_ms: u64,
    /// Tendermint's commit timeout: the least time a height lasts. During it, late precommits still join the
    /// certificate. 0 (the default) starts the next height as soon as the block is committed.
    pub commit_ms: u64,
}

impl Default for ConsensusTimeouts {
    fn default() -> Self {
        // Tuned for fast blocks on a LAN or loopback: the happy path never waits for a timeout, so these only
        // bound how long a round with a silent proposer or lost votes lasts.
        Self {
            propose_ms: 1000,
            propose_delta_ms: 250,
            prevote_ms: 250,
            prevote_delta_ms: 100,
            precommit_ms: 250,
            precommit_delta_ms: 100,
            commit_ms: 0,
        }
    }
}

/// Why a build without the `byzantine` feature refuses to equivocate.
const NO_BYZANTINE_SUPPORT: &str = "equivocation is a test fault, and this build has no support for it; build with \
                                    the `byzantine` feature to run a Byzantine test validator";

/// Faults a test validator injects on purpose (see [`ConsensusConfig::equivocate`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Equivocation {
    /// An honest validator.
    #[default]
    None,
    /// Every vote is followed by a conflicting one for another block (a nil vote by one for a made-up block).
    Votes,
    /// Every proposal of this validator is followed by a conflicting one for another block.
    Proposals,
    /// Both of the above.
    VotesAndProposals,
    /// Not an equivocation but the attack on proposal stores: when each height starts, sign a valid block (differing
    /// only in its time) for each of the next [`FLOOD_ROUNDS`] rounds in which this validator is the proposer, and
    /// stream them all at once.
    FutureRoundProposals,
}

/// How many rounds ahead a [`Equivocation::FutureRoundProposals`] validator signs blocks for: enough to fill a
/// proposal store that kept 64 blocks per height, with four validators.
pub const FLOOD_ROUNDS: u32 = 4 * 80;

impl Equivocation {
    /// The conflicting block hash this validator signs in place of `hash` (`None`: a nil vote): a hash no block
    /// has, derived from the original so that each conflicting message is different.
    pub fn conflicting_hash(hash: Option<&Hash>) -> Hash {
        let mut preimage = b"publica/equivocation".to_vec();
        if let Some(hash) = hash {
            preimage.extend_from_slice(hash);
        }
        publica_crypto::sha256(&preimage)
    }
}

/// Configuration of consensus.
#[derive(Clone, Debug)]
pub struct ConsensusConfig {
    /// The network; must equal the application's chain id.
    pub chain_id: ChainId,
    /// Where this node's p2p network listens (TCP).
    pub listen_addr: SocketAddr,
    /// Other validators (and full nodes) to stay connected to.
    pub peers: Vec<SocketAddr>,
    /// Directory of the engine's write-ahead log and of proposed, not yet committed blocks.
    pub wal_dir: PathBuf,
    /// Round timeouts.
    pub timeouts: ConsensusTimeouts,
    /// Longest wait, after a commit, before proposing a block with no transactions (see
    /// [`Application::has_pending_transactions`]).
    pub empty_block_interval_ms: u64,
    /// How often nodes tell each other their latest height, which is how a lagging node notices it must sync; 0
    /// (the default) tells it right after each decided height. A lagging node asks only for heights its peers
    /// announced, so with an interval it stays up to an interval of blocks behind a busy chain's head, fetching
    /// what was announced and waiting for the next announcement; after each decision, the announcement costs one
    /// message of a few bytes per peer and height.
    pub sync_status_interval_ms: u64,
    /// How long a value-sync request may take before another peer is asked.
    pub sync_request_timeout_ms: u64,
    /// Equivocate on purpose, to test how the network copes with a Byzantine validator. Anything but
    /// [`Equivocation::None`] is refused by [`start`] unless this crate was built with the `byzantine` feature.
    pub equivocate: Equivocation,
}

impl ConsensusConfig {
    /// A configuration with default timeouts and no peers.
    pub fn new(chain_id: ChainId, listen_addr: SocketAddr, wal_dir: PathBuf) -> Self {
        Self {
            chain_id,
            listen_addr,
            peers: Vec::new(),
            wal_dir,
            timeouts: ConsensusTimeouts::default(),
            empty_block_interval_ms: 100,
            sync_status_interval_ms: 0,
            sync_request_timeout_ms: 10_000,
            equivocate: Equivocation::None,
        }
    }

    fn validate(&self) -> Result<(), ConsensusError> {
        let t = &self.timeouts;
        let bad = |m: &str| Err(ConsensusError::Config(m.to_string()));
        if t.propose_ms == 0 || t.prevote_ms == 0 || t.precommit_ms == 0 {
            return bad("the propose, prevote and precommit timeouts must be positive");
        }
        if self.empty_block_interval_ms >= t.propose_ms {
            return bad("empty_block_interval_ms must be shorter than the propose timeout");
        }
        if self.sync_request_timeout_ms == 0 {
            return bad("the value-sync request timeout must be positive");
        }
        if self.peers.contains(&self.listen_addr) {
            return bad("the peer list contains this node's own listen address");
        }
        if self.equivocate != Equivocation::None && !cfg!(feature = "byzantine") {
            return bad(NO_BYZANTINE_SUPPORT);
        }
        Ok(())
    }

    fn linear_timeouts(&self) -> LinearTimeouts {
        let t = &self.timeouts;
        let ms = Duration::from_millis;
        LinearTimeouts {
            propose: ms(t.propose_ms),
            propose_delta: ms(t.propose_delta_ms),
            prevote: ms(t.prevote_ms),
            prevote_delta: ms(t.prevote_delta_ms),
            precommit: ms(t.precommit_ms),
            precommit_delta: ms(t.precommit_delta_ms),
            rebroadcast: ms(t.propose_ms + t.prevote_ms + t.precommit_ms),
            max_timeout: Duration::from_secs(60),
        }
    }
}

/// What consensus is doing, for status pages and metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsensusStatus {
    /// Height being decided.
    pub height: u64,
    /// Round within that height.
    pub round: u32,
    /// Proposer of that round.
    pub proposer: Option<Address>,
    /// Last height committed through this crate (0 until the first commit of this run).
    pub last_committed_height: u64,
    /// Hash of that block.
    pub last_block_hash: Option<Hash>,
    /// Whether the engine is running.
    pub running: bool,
    /// Why consensus stopped, if it stopped on an error.
    pub error: Option<String>,
}

/// A running consensus engine.
pub struct ConsensusHandle {
    engine: EngineHandle,
    driver: JoinHandle<Result<(), ConsensusError>>,
    status: watch::Receiver<ConsensusStatus>,
    address: Address,
}

impl std::fmt::Debug for ConsensusHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsensusHandle")
            .field("address", &self.address)
            .field("status", &*self.status.borrow())
            .finish()
    }
}

impl ConsensusHandle {
    /// The current status.
    pub fn status(&self) -> ConsensusStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn subscribe(&self) -> watch::Receiver<ConsensusStatus> {
        self.status.clone()
    }

    /// This validator's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// Stop the engine, its network and its WAL, and wait until they are gone (the listen port and the WAL are
    /// free again when this returns).
    pub async fn stop(self) {
        let grace = Some(Duration::from_secs(10));
        let node = self.engine.actor;
        node.stop_children_and_wait(Some("stop requested".into()), grace).await;
        node.stop(Some("stop requested".into()));
        if tokio::time::timeout(Duration::from_secs(10), self.engine.handle).await.is_err() {
            tracing::warn!("the consensus engine did not stop within 10 s");
        }
        // The engine's channel is closed now, so the driver finishes its current message and returns.
        let mut driver = self.driver;
        if tokio::time::timeout(Duration::from_secs(10), &mut driver).await.is_err() {
            driver.abort();
        }
    }
}

/// Heights a lagging node asks one peer for in one value-sync request, and the most this node serves in one
/// response. A response is also cut at [`MAX_SYNC_RESPONSE_BYTES`] (one maximal block), which a run of large blocks
/// reaches first, so the batch raises neither what a response weighs nor what a lagging node holds; small blocks
/// (a quiet chain: a few transactions each, a few KB) then travel 256 to a round trip instead of the engine's
/// default 5. Serving one such request reads about a megabyte from the store in a few milliseconds.
pub(crate) const SYNC_BATCH_BLOCKS: u64 = 256;

/// Value-sync requests a lagging node keeps in flight, to all its peers together; also the most requests of one
/// peer this node serves at once (the engine uses the same number for both). Four batches in flight keep the
/// pipeline full while the node executes the one before, and bound what a lagging node holds in memory to four
/// responses.
const SYNC_PARALLEL_REQUESTS: usize = 4;

/// The window over which the value-sync requests served to one peer are counted.
const SYNC_INBOUND_WINDOW: Duration = Duration::from_secs(10);

/// Value-sync requests served to one peer per [`SYNC_INBOUND_WINDOW`]; more are answered with an empty response.
///
/// The bound on what one peer gets from this node: at most 10 requests a second on average (and
/// [`SYNC_PARALLEL_REQUESTS`] at once), each answered with at most [`SYNC_BATCH_BLOCKS`] stored blocks and at most
/// [`MAX_SYNC_RESPONSE_BYTES`]. That is 2,560 small blocks a second, more than twice the rate a catching-up node
/// needs to reach 1,000 blocks a second from one peer, and for the serving node a few percent of its consensus
/// loop (a request of small blocks is served in a few milliseconds). The engine's default, 1,000 requests per
/// window, was set for batches of 5; with batches of 256 it would let one peer take half of the loop. The engine
/// also caps, across all peers together, the requests served at once and those waiting (32 and 64 by default), so
/// many peers do not add up to unbounded work either.
const SYNC_INBOUND_REQUESTS_PER_WINDOW: u32 = 100;

/// The engine's configuration, assembled from [`ConsensusConfig`].
struct EngineConfig {
    moniker: String,
    consensus: EngineConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl NodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }

    fn consensus(&self) -> &EngineConsensusConfig {
        &self.consensus
    }

    fn consensus_mut(&mut self) -> &mut EngineConsensusConfig {
        &mut self.consensus
    }

    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }

    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

fn multiaddr(addr: &SocketAddr) -> Result<Multiaddr, ConsensusError> {
    let text = match addr.ip() {
        IpAddr::V4(ip) => format!("/ip4/{ip}/tcp/{}", addr.port()),
        IpAddr::V6(ip) => format!("/ip6/{ip}/tcp/{}", addr.port()),
    };
    text.parse().map_err(|e| ConsensusError::Config(format!("address {addr} is not a valid p2p address: {e}")))
}

fn engine_config(config: &ConsensusConfig, moniker: String) -> Result<EngineConfig, ConsensusError> {
    let mut consensus = EngineConsensusConfig::default();
    consensus.p2p.listen_addr = multiaddr(&config.listen_addr)?;
    consensus.p2p.persistent_peers = config.peers.iter().map(multiaddr).collect::<Result<_, _>>()?;
    // Validators are a known, configured set: connect to the configured peers, no discovery. Messages go
    // straight to every connected peer (no gossip mesh to form, so a height needs no more than one network
    // round trip per step), and with no peers at all publishing is simply a no-op.
    consensus.p2p.discovery.enabled = false;
    consensus.p2p.protocol = PubSubProtocol::Broadcast;
    // A value-sync response carries up to one maximal block and its certificate.
    let rpc_max = ByteSize::b((MAX_SYNC_RESPONSE_BYTES + 64 * 1024) as u64);
    consensus.p2p.rpc_max_size = rpc_max;

    let value_sync = ValueSyncConfig {
        enabled: true,
        status_update_interval: Duration::from_millis(config.sync_status_interval_ms),
        request_timeout: Duration::from_millis(config.sync_request_timeout_ms),
        max_response_size: ByteSize::b(MAX_SYNC_RESPONSE_BYTES as u64),
        batch_size: SYNC_BATCH_BLOCKS as usize,
        parallel_requests: SYNC_PARALLEL_REQUESTS,
        inbound_request_rate_limit_window: SYNC_INBOUND_WINDOW,
        max_inbound_requests_per_window: SYNC_INBOUND_REQUESTS_PER_WINDOW,
        ..ValueSyncConfig::default()
    };
    Ok(EngineConfig { moniker, consensus, value_sync })
}

/// How long [`start`] waits for a WAL still held by this process's previous engine.
const WAL_RELEASE_WAIT: Duration = Duration::from_secs(10);

/// Wait until no one holds the WAL's advisory lock, for at most `wait` ([`WAL_RELEASE_WAIT`] when starting).
///
/// A stopped engine releases its WAL when the thread writing it ends, which can come a moment after
/// [`ConsensusHandle::stop`] returns on a busy machine; the engine refuses to start on a locked WAL. A WAL another
/// process holds stays locked past the wait and is refused, saying so.
async fn wait_for_wal(path: &std::path::Path, wait: Duration) -> Result<(), ConsensusError> {
    let file = match std::fs::OpenOptions::new().read(true).open(path) {
        Ok(file) => file,
        // No WAL yet: the engine creates it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(ConsensusError::Storage { path: path.to_path_buf(), source }),
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            // Released at once (dropping `file` unlocks): the engine takes it next.
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ConsensusError::Storage {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(format!(
                        "the consensus WAL is locked by another engine for more than {} ms; is another node running \
                         on this home directory?",
                        wait.as_millis()
                    )),
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(ConsensusError::Storage { path: path.to_path_buf(), source })
            }
        }
    }
}

/// Start consensus: open the WAL and proposal store in `config.wal_dir`, start the p2p network on
/// `config.listen_addr` (libp2p identity from `p2p_secret`, an Ed25519 secret key), and run the engine with
/// `signing_key` as this validator's hybrid consensus key. Consensus starts at
/// `app.last_committed_height() + 1`, replaying the WAL if that height was interrupted.
// Long because the engine is assembled in this one place; the network branches finish the build with its locals.
pub async fn start<A: Application>(
    config: ConsensusConfig,
    signing_key: Keypair,
    p2p_secret: [u8; 32],
    app: A,
) -> Result<ConsensusHandle, ConsensusError> {
    config.validate()?;
    if app.chain_id() != &config.chain_id {
        return Err(ConsensusError::Config(format!(
            "the configuration is for chain {} but the application runs chain {}",
            config.chain_id,
            app.chain_id()
        )));
    }
    let committed = app.last_committed_height();
    let store = ProposalStore::open(&config.wal_dir.join("proposals"), committed)?;

    let keypair = Arc::new(signing_key);
    let address = keypair.public_key().address();
    let moniker = format!("publica-{}", &address.to_string()[..8.min(address.to_string().len())]);
    let span = tracing::info_span!("consensus", node = %moniker);

    let mut secret = p2p_secret;
    let network_keypair = NetworkKeypair::ed25519_from_bytes(&mut secret)
        .map_err(|e| ConsensusError::Config(format!("the p2p secret is not an Ed25519 key: {e}")))?;

    // The engine's validator-proof protocol (binding a consensus key to a peer id) caps a proof at 1 KiB, less
    // than one hybrid key plus signature (5.4 KB), so no proof is announced. The engine uses proofs only to score
    // gossip peers and label metrics; Publica broadcasts to configured peers and authenticates every vote,
    // proposal and block by its hybrid signature instead.
    let identity = NetworkIdentity::new(moniker.clone(), network_keypair, Some(address.to_string()));
    let signer = HybridSigner::new(Arc::clone(&keypair), config.chain_id.clone());

    let engine_cfg = engine_config(&config, moniker)?;
    let wal_path = config.wal_dir.join("wal").join("consensus.wal");
    wait_for_wal(&wal_path, WAL_RELEASE_WAIT).await?;
    let builder =
        EngineBuilder::new(PublicaContext, engine_cfg).with_default_wal(WalContext::new(wal_path, PublicaCodec));
    // The network step changes the builder's type, so each branch finishes the build itself.
    macro_rules! finish {
        ($builder:expr) => {
            $builder
                .with_default_sync(SyncContext::new(PublicaCodec))
                .with_default_consensus(ConsensusContext::new_validator(
                    ValidatorAddress(address),
                    Box::new(HybridVerifier::new(config.chain_id.clone())),
                    Box::new(signer.clone()),
                ))
                .with_default_request(RequestContext::new(64))
                .build()
                .instrument(span.clone())
                .await
        };
    }
    let engine_error = |e: String| ConsensusError::Engine { listen_addr: config.listen_addr, reason: e };
    let build = match config.equivocate {
        // The flood goes through the ordinary network: the driver signs and publishes the extra proposals itself.
        Equivocation::None | Equivocation::FutureRoundProposals => {
            finish!(builder.with_default_network(NetworkContext::new(identity, PublicaCodec)))
        }
        #[cfg(feature = "byzantine")]
        mode => {
            tracing::warn!(?mode, "this validator equivocates on purpose (Byzantine test build)");
            let byzantine = byzantine::context(identity, mode, signer.clone(), address);
            let builder = builder
                .with_byzantine_network(byzantine)
                .instrument(span.clone())
                .await
                .map_err(|e| engine_error(format!("{e:#}")))?;
            finish!(builder)
        }
        #[cfg(not(feature = "byzantine"))]
        _ => return Err(ConsensusError::Config(NO_BYZANTINE_SUPPORT.into())),
    };
    let (channels, engine) = build.map_err(|e| engine_error(format!("{e:#}")))?;

    let (status_tx, status) = watch::channel(ConsensusStatus {
        last_committed_height: committed,
        running: true,
        ..ConsensusStatus::default()
    });
    let params = DriverParams {
        chain_id: config.chain_id.clone(),
        keypair,
        address,
        timeouts: config.linear_timeouts(),
        target_time: (config.timeouts.commit_ms > 0).then(|| Duration::from_millis(config.timeouts.commit_ms)),
        empty_block_interval: Duration::from_millis(config.empty_block_interval_ms),
        flood_future_rounds: cfg!(feature = "byzantine") && config.equivocate == Equivocation::FutureRoundProposals,
    };
    let driver = Driver::new(Arc::new(Mutex::new(app)), params, store, committed, status_tx);
    let driver = tokio::spawn(driver.run(channels).instrument(span));

    Ok(ConsensusHandle { engine, driver, status, address })
}

#[cfg(test)]
mod wal_lock_tests {
    use super::*;

    #[tokio::test]
    async fn a_wal_released_a_moment_after_a_stop_is_waited_for_and_one_kept_locked_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("consensus.wal");
        // No WAL yet: nothing to wait for.
        wait_for_wal(&path, WAL_RELEASE_WAIT).await.expect("a missing WAL is fine");
        let held = std::fs::File::create(&path).expect("create");
        held.lock().expect("lock");
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            drop(held);
        });
        wait_for_wal(&path, WAL_RELEASE_WAIT).await.expect("the lock is released within the wait");
        release.await.expect("release");
        let kept = std::fs::File::open(&path).expect("open");
        kept.lock().expect("lock");
        let refused =
            wait_for_wal(&path, Duration::from_millis(100)).await.expect_err("a WAL locked past the wait is refused");
        assert!(refused.to_string().contains("locked by another engine"), "{refused}");
    }
}

//! A node's home directory and configuration file.
//!
//! ```text
//! HOME/
//!   config.toml        this file's settings
//!   genesis.json       the network's genesis document
//!   keys/validator.json  the node's hybrid key, encrypted (keystore format of publica-crypto)
//!   keys/p2p.key       secret of the node's peer-to-peer identity (hex, mode 0600)
//!   data/              the embedded store
//!   wal/               the consensus engine's write-ahead log
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::mempool::MempoolLimits;
use crate::NodeError;

/// Largest configuration file accepted.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The contents of `config.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// A name for logs and status.
    pub moniker: String,
    /// REST API.
    pub api: ApiConfig,
    /// Peer-to-peer networking of the consensus engine.
    pub p2p: P2pConfig,
    /// Mempool limits.
    pub mempool: MempoolConfig,
    /// Block building.
    pub block: BlockConfig,
    /// Consensus timeouts.
    pub consensus: TimeoutConfig,
    /// Where the node's key's passphrase comes from.
    pub key: KeyConfig,
    /// The notary log's witnesses.
    #[serde(default)]
    pub notary: NotaryConfig,
    /// What the store keeps.
    #[serde(default)]
    pub storage: StorageConfig,
    /// Faults injected on purpose, for tests of the network; absent on real nodes.
    #[serde(default, skip_serializing_if = "TestingConfig::is_honest")]
    pub testing: TestingConfig,
}

/// Faults a test validator injects on purpose. Only a `publica` built with the `byzantine` feature accepts any:
///
/// ```toml
/// [testing]
/// equivocate = "votes"   # or "proposals", "votes-and-proposals"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestingConfig {
    /// Which of its messages this validator signs twice, with conflicting content.
    #[serde(default)]
    pub equivocate: EquivocateConfig,
}

/// Which messages a Byzantine test validator equivocates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EquivocateConfig {
    /// None: an honest validator.
    #[default]
    None,
    /// Every vote is followed by a conflicting vote.
    Votes,
    /// Every proposal is followed by a conflicting proposal.
    Proposals,
    /// Both.
    VotesAndProposals,
}

impl TestingConfig {
    /// Whether no fault is configured.
    pub fn is_honest(&self) -> bool {
        self.equivocate == EquivocateConfig::None
    }

    /// Refuse a fault this build cannot inject.
    pub fn check(&self) -> Result<(), NodeError> {
        if !self.is_honest() && !cfg!(feature = "byzantine") {
            return Err(NodeError::Config(format!(
                "testing.equivocate = {:?} makes this validator Byzantine, which only a test build supports (cargo \
                 build -p publica --features byzantine); remove the [testing] section to run an honest validator",
                self.equivocate
            )));
        }
        Ok(())
    }

    /// The consensus engine's form of the configured fault.
    pub fn equivocation(&self) -> publica_consensus::Equivocation {
        use publica_consensus::Equivocation;
        match self.equivocate {
            EquivocateConfig::None => Equivocation::None,
            EquivocateConfig::Votes => Equivocation::Votes,
            EquivocateConfig::Proposals => Equivocation::Proposals,
            EquivocateConfig::VotesAndProposals => Equivocation::VotesAndProposals,
        }
    }
}

/// REST API settings.
///
/// The connection settings keep anonymous clients from holding the node's sockets and file descriptors: a client
/// that sends its request head slowly is cut off after `header_read_timeout_ms`, one that stops reading or
/// writing after `idle_timeout_ms`; no address holds more than `connections_per_address_max` connections and the
/// API as a whole no more than `connections_max`, itself never more than the process's descriptor limit minus
/// `fds_reserved` (kept for the store, the consensus engine's peers and its write-ahead log). Connections over a
/// cap are closed as soon as they are accepted and counted in the metrics.
///
/// ```toml
/// [api]
/// listen = "127.0.0.1:8080"
/// body_bytes_max = 16777216
/// timeout_ms = 30000
/// header_read_timeout_ms = 10000
/// idle_timeout_ms = 60000
/// connections_max = 1024
/// connections_per_address_max = 64
/// fds_reserved = 1024
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Listen address.
    pub listen: SocketAddr,
    /// Largest request body, bytes.
    pub body_bytes_max: usize,
    /// Request timeout, milliseconds: from the end of the request head to the response, body upload included.
    pub timeout_ms: u64,
    /// Longest wait for a request's head (request line and headers), milliseconds, counted from the moment the
    /// server waits for it: the connection's opening, or the end of the previous response on a kept-alive
    /// connection (so it is also how long an idle kept-alive connection stays open). Default 10 s.
    #[serde(default = "ApiConfig::default_header_read_timeout_ms")]
    pub header_read_timeout_ms: u64,
    /// A connection on which no byte moves either way for this long is closed, milliseconds: a client that stops
    /// reading its response or stops sending its body. Longer than `timeout_ms`, so that a request being
    /// handled is never cut. Default 60 s.
    #[serde(default = "ApiConfig::default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// Most connections open at once, all clients together. Default 1024.
    #[serde(default = "ApiConfig::default_connections_max")]
    pub connections_max: usize,
    /// Most connections open at once from one client address (IPv6 clients: one /64 network). Default 64.
    #[serde(default = "ApiConfig::default_connections_per_address_max")]
    pub connections_per_address_max: usize,
    /// File descriptors the API never uses, whatever `connections_max` says: the store (up to 900 cached table
    /// files), the consensus engine's peers and write-ahead log. The API's cap is at most the process's limit
    /// (`ulimit -n`, raised to the hard limit at start) minus this. Default 1024.
    #[serde(default = "ApiConfig::default_fds_reserved")]
    pub fds_reserved: u64,
}

impl ApiConfig {
    /// Default of `header_read_timeout_ms`.
    pub const fn default_header_read_timeout_ms() -> u64 {
        10_000
    }
    /// Default of `idle_timeout_ms`.
    pub const fn default_idle_timeout_ms() -> u64 {
        60_000
    }
    /// Default of `connections_max`.
    pub const fn default_connections_max() -> usize {
        1024
    }
    /// Default of `connections_per_address_max`.
    pub const fn default_connections_per_address_max() -> usize {
        64
    }
    /// Default of `fds_reserved`.
    pub const fn default_fds_reserved() -> u64 {
        1024
    }

    /// Default settings for an API listening on `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            body_bytes_max: 16 << 20,
            timeout_ms: 30_000,
            header_read_timeout_ms: Self::default_header_read_timeout_ms(),
            idle_timeout_ms: Self::default_idle_timeout_ms(),
            connections_max: Self::default_connections_max(),
            connections_per_address_max: Self::default_connections_per_address_max(),
            fds_reserved: Self::default_fds_reserved(),
        }
    }

    /// Check the values serde cannot.
    pub fn check(&self) -> Result<(), NodeError> {
        let bad = |m: String| Err(NodeError::Config(m));
        if self.body_bytes_max < publica_types::MAX_TX_BYTES * 2 {
            return bad(format!("api.body_bytes_max must be at least {}", publica_types::MAX_TX_BYTES * 2));
        }
        if self.timeout_ms == 0 {
            return bad("api.timeout_ms must be positive (30000 is the default)".into());
        }
        if self.header_read_timeout_ms == 0 || self.header_read_timeout_ms > self.timeout_ms {
            return bad(format!(
                "api.header_read_timeout_ms is {}; it must be 1 to api.timeout_ms ({}); 10000 is the default",
                self.header_read_timeout_ms, self.timeout_ms
            ));
        }
        if self.idle_timeout_ms <= self.timeout_ms {
            return bad(format!(
                "api.idle_timeout_ms is {}; it must be longer than api.timeout_ms ({}), or requests being handled \
                 would be cut; 60000 is the default",
                self.idle_timeout_ms, self.timeout_ms
            ));
        }
        if self.connections_max == 0 {
            return bad("api.connections_max must be positive (1024 is the default)".into());
        }
        if self.connections_per_address_max == 0 || self.connections_per_address_max > self.connections_max {
            return bad(format!(
                "api.connections_per_address_max is {}; it must be 1 to api.connections_max ({}); 64 is the default",
                self.connections_per_address_max, self.connections_max
            ));
        }
        Ok(())
    }
}

/// Peer-to-peer settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct P2pConfig {
    /// Listen address.
    pub listen: SocketAddr,
    /// Peers to connect to.
    pub peers: Vec<SocketAddr>,
}

/// Mempool and admission settings (`docs/mempool.md` explains each limit):
///
/// ```toml
/// [mempool]
/// txs_max = 200000
/// bytes_max = 1073741824
/// per_sender_max = 16            # the nonce lookahead
/// sender_bytes_max = 1048576
/// gap_blocks_max = 3
/// revalidate_txs_max = 1024
/// revalidate_ms_max = 50
/// refused_per_sender_max = 16
/// refused_window_ms = 60000
/// # agency_txs_max = 50000      # unset: the pool divided equally among the genesis agencies
/// # agency_bytes_max = 268435456
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MempoolConfig {
    /// Most transactions held.
    pub txs_max: usize,
    /// Most bytes held.
    pub bytes_max: usize,
    /// Most transactions per sender, which is also how far ahead of the sender's next nonce a nonce may be (1 to
    /// [`crate::mempool::MAX_NONCE_LOOKAHEAD`]).
    pub per_sender_max: usize,
    /// Most bytes per sender (at least one transaction of the largest size).
    #[serde(default = "default_sender_bytes_max")]
    pub sender_bytes_max: usize,
    /// Blocks after which transactions waiting behind a gap in their sender's nonces are evicted.
    #[serde(default = "default_gap_blocks_max")]
    pub gap_blocks_max: u64,
    /// Most pending transactions executed again on the new state after each commit (0: none; the rest are
    /// executed again when their sender submits, or when proposed).
    #[serde(default = "default_revalidate_txs_max")]
    pub revalidate_txs_max: usize,
    /// Most milliseconds spent executing pending transactions again after each commit. The work runs on its
    /// own thread, off the commit path, and releases the committed state between senders, so it delays neither
    /// the next block nor readers by more than one sender's run.
    #[serde(default = "default_revalidate_ms_max")]
    pub revalidate_ms_max: u64,
    /// Most transactions of one sender that may fail their dry-run at admission within `refused_window_ms`;
    /// beyond it the sender's transactions are refused unexamined until the window ends.
    #[serde(default = "default_refused_per_sender_max")]
    pub refused_per_sender_max: u32,
    /// The window of `refused_per_sender_max`, milliseconds.
    #[serde(default = "default_refused_window_ms")]
    pub refused_window_ms: u64,
    /// Most transactions held for the officials of one agency, all together. Unset: `txs_max` divided by the
    /// number of genesis agencies, so that the agencies' shares add up to the pool and one agency cannot take
    /// the others' place however many officials it registers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_txs_max: Option<usize>,
    /// Most bytes held for the officials of one agency, all together. Unset: `bytes_max` divided by the number
    /// of genesis agencies (but at least one transaction of the largest size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_bytes_max: Option<usize>,
}

fn default_sender_bytes_max() -> usize {
    crate::mempool::SENDER_BYTES_DEFAULT
}

fn default_gap_blocks_max() -> u64 {
    crate::mempool::GAP_BLOCKS_DEFAULT
}

fn default_revalidate_txs_max() -> usize {
    1024
}

fn default_revalidate_ms_max() -> u64 {
    50
}

fn default_refused_per_sender_max() -> u32 {
    16
}

fn default_refused_window_ms() -> u64 {
    60_000
}

/// What the store keeps:
///
/// ```toml
/// [storage]
/// past_states = true
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Keep the state tree's nodes of every block, so that any past header's state root stays provable (the
    /// registries' as-of answers are then proven under the header of the date asked about). Costs disk (about
    /// 1.5 KB per changed key) and write throughput; a node without it proves as-of answers under its latest
    /// header instead, which is equally checkable. Auditors and archives keep it on.
    pub past_states: bool,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self { past_states: true }
    }
}

/// Block building settings.
///
/// ```toml
/// [block]
/// txs_max = 8192
/// bytes_max = 50331648
/// adaptive = true
/// ```
///
/// `txs_max` and `bytes_max` are hard caps. Under them, with `adaptive` (the default), a proposer bounds each
/// block by what the validators can receive and re-execute within a third of `consensus.propose_ms`, learnt from
/// the blocks it executed and from how its own proposals fared (`crate::proposal_bound`), so that a large backlog
/// never makes a proposal time out. Without it every proposal is filled to the caps.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockConfig {
    /// Most transactions per block.
    pub txs_max: usize,
    /// Most bytes of transactions per block.
    pub bytes_max: usize,
    /// Bound each proposal adaptively under the caps (see [`crate::proposal_bound`]).
    #[serde(default = "default_adaptive")]
    pub adaptive: bool,
}

fn default_adaptive() -> bool {
    true
}

/// Consensus timeouts, milliseconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeoutConfig {
    /// Waiting for a proposal.
    pub propose_ms: u64,
    /// Waiting for prevotes.
    pub prevote_ms: u64,
    /// Waiting for precommits.
    pub precommit_ms: u64,
    /// Pause after a commit before the next height, which lets transactions gather.
    pub commit_ms: u64,
    /// With an empty mempool, how long to wait after a commit before proposing an empty block.
    pub empty_block_interval_ms: u64,
}

/// Where the passphrase of the node's key comes from: a file, an environment variable, or else a prompt.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// A file holding the passphrase (relative paths are relative to the home directory).
    pub passphrase_file: Option<PathBuf>,
    /// An environment variable holding the passphrase.
    pub passphrase_env: Option<String>,
}

/// Most witnesses a node pushes checkpoints to.
pub const MAX_WITNESSES: usize = 32;
/// Most verifier keys configured for one witness.
pub const MAX_WITNESS_VKEYS: usize = 8;

/// Notary log settings: the independent witnesses (C2SP tlog-witness) asked to cosign each new checkpoint.
///
/// ```toml
/// [notary]
/// witnesses = [{ url = "http://127.0.0.1:9000", vkeys = ["court.example/witness+1a2b3c4d+Bk...", "..."] }]
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotaryConfig {
    /// The witnesses, none by default.
    #[serde(default)]
    pub witnesses: Vec<WitnessConfig>,
}

/// One witness the node pushes checkpoints to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// The witness's submission prefix: `add-checkpoint` is POSTed to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's cosignature verifier keys (C2SP vkeys, signature type 0x04 or 0x06), as `publica witness
    /// vkeys` prints them. Returned cosignatures under other keys are ignored.
    pub vkeys: Vec<String>,
}

impl WitnessConfig {
    /// The parsed submission prefix: an `http` URL with a host and no query, fragment or credentials.
    pub fn parsed_url(&self) -> Result<reqwest::Url, NodeError> {
        let bad =
            |reason: &str| NodeError::Config(format!("notary.witnesses: url {:?} is not usable: {reason}", self.url));
        let url = reqwest::Url::parse(&self.url).map_err(|e| bad(&e.to_string()))?;
        match url.scheme() {
            "http" => {}
            // Witness answers are signed and verified, so plain HTTP loses nothing but privacy of public data;
            // this build has no TLS client.
            "https" => {
                return Err(bad("https is not supported by this build; use http (cosignatures are verified with the \
                                witness's keys, so the channel needs no protection) or a local TLS proxy"))
            }
            other => return Err(bad(&format!("scheme {other:?}; use http://host:port[/prefix]"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it has a query or a fragment; give the submission prefix only"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it carries credentials; witnesses need none"));
        }
        Ok(url)
    }

    /// The parsed verifier keys.
    pub fn parsed_vkeys(&self) -> Result<Vec<publica_tlog::VerifierKey>, NodeError> {
        if self.vkeys.is_empty() || self.vkeys.len() > MAX_WITNESS_VKEYS {
            return Err(NodeError::Config(format!(
                "notary.witnesses: witness {} needs 1 to {MAX_WITNESS_VKEYS} vkeys (as `publica witness vkeys` prints \
                 them), got {}",
                self.url,
                self.vkeys.len()
            )));
        }
        self.vkeys
            .iter()
            .map(|text| {
                let bad = |reason: String| {
                    NodeError::Config(format!("notary.witnesses: witness {}: vkey {text:?} {reason}", self.url))
                };
                let key = publica_tlog::VerifierKey::parse(text).map_err(|e| bad(format!("does not parse: {e}")))?;
                match key.sig_type {
                    publica_tlog::SignatureType::CosignatureMlDsa44
                    | publica_tlog::SignatureType::CosignatureEd25519 => Ok(key),
                    other => Err(bad(format!(
                        "is a {} key; a witness cosigns with type 0x04 (Ed25519) or 0x06 (ML-DSA-44) keys",
                        other.name()
                    ))),
                }
            })
            .collect()
    }
}

impl NotaryConfig {
    /// Check every witness's URL and keys, and that no witness is listed twice.
    pub fn check(&self) -> Result<(), NodeError> {
        if self.witnesses.len() > MAX_WITNESSES {
            return Err(NodeError::Config(format!(
                "notary.witnesses lists {} witnesses; at most {MAX_WITNESSES} are allowed",
                self.witnesses.len()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for witness in &self.witnesses {
            let url = witness.parsed_url()?;
            witness.parsed_vkeys()?;
            if !seen.insert(url.as_str().trim_end_matches('/').to_owned()) {
                return Err(NodeError::Config(format!("notary.witnesses lists {} twice", witness.url)));
            }
        }
        Ok(())
    }
}

impl NodeConfig {
    /// Settings for a node listening on the given addresses.
    pub fn new(moniker: &str, api: SocketAddr, p2p: SocketAddr) -> Self {
        let limits = MempoolLimits::default();
        Self {
            moniker: moniker.to_owned(),
            api: ApiConfig::new(api),
            p2p: P2pConfig { listen: p2p, peers: Vec::new() },
            mempool: MempoolConfig {
                txs_max: limits.txs_max,
                bytes_max: limits.bytes_max,
                per_sender_max: limits.per_sender_max,
                sender_bytes_max: limits.sender_bytes_max,
                gap_blocks_max: limits.gap_blocks_max,
                revalidate_txs_max: default_revalidate_txs_max(),
                revalidate_ms_max: default_revalidate_ms_max(),
                refused_per_sender_max: default_refused_per_sender_max(),
                refused_window_ms: default_refused_window_ms(),
                agency_txs_max: None,
                agency_bytes_max: None,
            },
            block: BlockConfig { txs_max: 8192, bytes_max: 48 << 20, adaptive: true },
            consensus: TimeoutConfig {
                propose_ms: 3000,
                prevote_ms: 500,
                precommit_ms: 500,
                commit_ms: 0,
                empty_block_interval_ms: 1000,
            },
            key: KeyConfig { passphrase_file: None, passphrase_env: Some("PUBLICA_PASSPHRASE".into()) },
            notary: NotaryConfig::default(),
            storage: StorageConfig::default(),
            testing: TestingConfig::default(),
        }
    }

    /// Read `HOME/config.toml`.
    pub fn load(home: &Path) -> Result<Self, NodeError> {
        let path = home.join("config.toml");
        let text = read_limited(&path, MAX_CONFIG_BYTES)?;
        let config: NodeConfig = toml::from_str(&text)
            .map_err(|e| NodeError::Config(format!("{} is not a valid configuration: {e}", path.display())))?;
        config.check()?;
        Ok(config)
    }

    /// Write `HOME/config.toml`.
    pub fn save(&self, home: &Path) -> Result<(), NodeError> {
        let text = toml::to_string_pretty(self).expect("configuration serializes");
        std::fs::write(home.join("config.toml"), text).map_err(|e| NodeError::io(home.join("config.toml"), e))
    }

    /// Check the values serde cannot.
    pub fn check(&self) -> Result<(), NodeError> {
        let bad = |m: &str| Err(NodeError::Config(m.to_owned()));
        if self.block.txs_max == 0 || self.block.txs_max > publica_types::MAX_BLOCK_TXS {
            return bad(&format!("block.txs_max must be 1 to {}", publica_types::MAX_BLOCK_TXS));
        }
        if self.block.bytes_max == 0 || self.block.bytes_max > publica_types::MAX_BLOCK_BYTES - 4096 {
            return bad(&format!("block.bytes_max must be 1 to {}", publica_types::MAX_BLOCK_BYTES - 4096));
        }
        let mempool = &self.mempool;
        if mempool.txs_max == 0 || mempool.bytes_max == 0 {
            return bad("mempool.txs_max and mempool.bytes_max must be positive");
        }
        let lookahead_max = crate::mempool::MAX_NONCE_LOOKAHEAD;
        if mempool.per_sender_max == 0 || mempool.per_sender_max > lookahead_max {
            return bad(&format!(
                "mempool.per_sender_max (the nonce lookahead) must be 1 to {lookahead_max}, got {}; the default is {}",
                mempool.per_sender_max,
                crate::mempool::NONCE_LOOKAHEAD_DEFAULT
            ));
        }
        if mempool.sender_bytes_max < publica_types::MAX_TX_BYTES || mempool.sender_bytes_max > mempool.bytes_max {
            return bad(&format!(
                "mempool.sender_bytes_max must be at least one transaction ({} bytes) and at most mempool.bytes_max",
                publica_types::MAX_TX_BYTES
            ));
        }
        if mempool.gap_blocks_max == 0 {
            return bad("mempool.gap_blocks_max must be at least 1 block");
        }
        if mempool.refused_per_sender_max == 0 || mempool.refused_window_ms == 0 {
            return bad("mempool.refused_per_sender_max and mempool.refused_window_ms must be positive");
        }
        if mempool.agency_txs_max.is_some_and(|n| n == 0 || n > mempool.txs_max) {
            return bad("mempool.agency_txs_max must be 1 to mempool.txs_max (or unset: an equal share of the pool)");
        }
        if mempool.agency_bytes_max.is_some_and(|n| n < publica_types::MAX_TX_BYTES || n > mempool.bytes_max) {
            return bad(&format!(
                "mempool.agency_bytes_max must be at least one transaction ({} bytes) and at most mempool.bytes_max \
                 (or unset: an equal share of the pool)",
                publica_types::MAX_TX_BYTES
            ));
        }
        self.api.check()?;
        self.notary.check()?;
        self.testing.check()?;
        Ok(())
    }

    /// The mempool limits, for a network of `agencies` agencies: unless set, each agency's share is the pool
    /// divided equally among them (at least one transaction of the largest size), so the shares add up to at most
    /// the pool and every agency finds room for its share whatever the others do.
    pub fn mempool_limits(&self, agencies: usize) -> MempoolLimits {
        let agencies = agencies.max(1);
        let mempool = &self.mempool;
        MempoolLimits {
            txs_max: mempool.txs_max,
            bytes_max: mempool.bytes_max,
            per_sender_max: mempool.per_sender_max,
            sender_bytes_max: mempool.sender_bytes_max,
            gap_blocks_max: mempool.gap_blocks_max,
            agency_txs_max: mempool.agency_txs_max.unwrap_or((mempool.txs_max / agencies).max(1)),
            agency_bytes_max: mempool
                .agency_bytes_max
                .unwrap_or((mempool.bytes_max / agencies).max(publica_types::MAX_TX_BYTES)),
        }
    }
}

/// Paths inside a home directory.
#[derive(Clone, Debug)]
pub struct HomeLayout {
    /// The home directory.
    pub home: PathBuf,
}

impl HomeLayout {
    /// The layout of `home`.
    pub fn new(home: impl Into<PathBuf>) -> Self {
        Self { home: home.into() }
    }
    /// `genesis.json`.
    pub fn genesis(&self) -> PathBuf {
        self.home.join("genesis.json")
    }
    /// The encrypted validator key.
    pub fn validator_key(&self) -> PathBuf {
        self.home.join("keys").join("validator.json")
    }
    /// The peer-to-peer secret.
    pub fn p2p_key(&self) -> PathBuf {
        self.home.join("keys").join("p2p.key")
    }
    /// The store.
    pub fn data(&self) -> PathBuf {
        self.home.join("data")
    }
    /// The consensus write-ahead log.
    pub fn wal(&self) -> PathBuf {
        self.home.join("wal")
    }
    /// The lock file a running node holds, so that a second one on the same home is refused before it changes
    /// anything.
    pub fn lock_file(&self) -> PathBuf {
        self.home.join("node.lock")
    }

    /// Take the home directory's lock (an exclusive advisory lock on [`lock_file`](Self::lock_file), released
    /// when the returned guard is dropped or the process ends). Refused with [`NodeError::HomeInUse`] while
    /// another process holds it. The home directory must exist.
    pub fn lock(&self) -> Result<HomeLock, NodeError> {
        let path = self.lock_file();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| NodeError::Io { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(HomeLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(NodeError::HomeInUse { home: self.home.clone(), lock: path }),
            Err(std::fs::TryLockError::Error(source)) => Err(NodeError::Io { path, source }),
        }
    }
}

/// A home directory's lock, held while a node runs on it (see [`HomeLayout::lock`]).
#[derive(Debug)]
pub struct HomeLock {
    _file: std::fs::File,
}

/// Read a file of at most `max` bytes as text.
pub fn read_limited(path: &Path, max: u64) -> Result<String, NodeError> {
    use std::io::Read;
    // At most one byte more than allowed is read, so a file that grows after being opened cannot make this read more.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| NodeError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(NodeError::Config(format!("{} is more than {max} bytes", path.display())));
    }
    String::from_utf8(bytes).map_err(|_| NodeError::Config(format!("{} is not UTF-8 text", path.display())))
}

//! Prometheus metrics of a node.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Label of a refusal: its stable code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    /// The error code string.
    pub code: String,
}

/// Label of an API connection closed by the server: why.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// `connections_max`, `connections_per_address_max`, `header_read_timeout` or `idle_timeout`.
    pub reason: &'static str,
}

/// Label of an adjustment of the proposal bound: what the outcome of one of this node's proposals was.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AdjustmentLabel {
    /// `grew`, `kept`, `slow` or `failed` (`publica_node::proposal_bound::Adjustment`).
    pub outcome: &'static str,
}

/// Label of a cost estimate of the proposal bound.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EstimateLabel {
    /// `build` (this node's proposals), `check` (others' blocks validated) or `transfer` (to the others and back).
    pub step: &'static str,
}

/// A gauge of seconds (or any fraction).
pub type FloatGauge = Gauge<f64, AtomicU64>;

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// Transactions admitted to the mempool.
    pub txs_admitted: Counter,
    /// Transactions refused, by code.
    pub txs_refused: Family<CodeLabel, Counter>,
    /// Transactions committed.
    pub txs_committed: Counter,
    /// Entries appended to the notary log.
    pub log_entries: Counter,
    /// Blocks committed.
    pub blocks_committed: Counter,
    /// Last committed height.
    pub height: Gauge,
    /// Transactions in the mempool.
    pub mempool_txs: Gauge,
    /// Bytes of transactions in the mempool.
    pub mempool_bytes: Gauge,
    /// Pending transactions executed again after commits.
    pub revalidated_txs: Counter,
    /// Senders' pending runs carried to a new height after a commit, without executing them again.
    pub carried_overlays: Counter,
    /// Pending transactions an admission executed again itself (its sender's run was not kept or not carried).
    pub admission_reexecuted_txs: Counter,
    /// Senders' pending runs the revalidation after a commit left to this node's proposal for the next block,
    /// which had taken all of them and executes them on that same state.
    pub proposed_runs: Counter,
    /// Time to execute a block (proposing or validating), seconds.
    pub execute_seconds: Histogram,
    /// Time to write a block to the store, seconds.
    pub store_seconds: Histogram,
    /// Transactions per committed block.
    pub block_txs: Histogram,
    /// Bytes of transactions per committed block.
    pub block_bytes: Histogram,
    /// The bound on this node's next proposal, transactions (`proposal_bound`).
    pub proposal_bound_txs: Gauge,
    /// The bound on this node's next proposal, bytes.
    pub proposal_bound_bytes: Gauge,
    /// The bound's AIMD window, transactions.
    pub proposal_window_txs: Gauge,
    /// The bound's AIMD window, bytes.
    pub proposal_window_bytes: Gauge,
    /// The bound's cost estimates, seconds per transaction, by step.
    pub proposal_seconds_per_tx: Family<EstimateLabel, FloatGauge>,
    /// The bound's cost estimates, seconds per megabyte, by step.
    pub proposal_seconds_per_mb: Family<EstimateLabel, FloatGauge>,
    /// This node's proposals judged when their height was decided, by outcome.
    pub proposal_outcomes: Family<AdjustmentLabel, Counter>,
    /// Time from starting to build one of this node's proposals to its decision, seconds (decided proposals).
    pub proposal_decided_seconds: Histogram,
    /// API connections open now.
    pub api_connections: Gauge,
    /// API connections closed by the server before their client was done, by reason: over a cap (closed as soon
    /// as accepted) or past a timeout.
    pub api_connections_closed: Family<ReasonLabel, Counter>,
}

impl Metrics {
    /// Register every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("publica");
        let m = Self {
            txs_admitted: Counter::default(),
            txs_refused: Family::default(),
            txs_committed: Counter::default(),
            log_entries: Counter::default(),
            blocks_committed: Counter::default(),
            height: Gauge::default(),
            mempool_txs: Gauge::default(),
            mempool_bytes: Gauge::default(),
            revalidated_txs: Counter::default(),
            carried_overlays: Counter::default(),
            admission_reexecuted_txs: Counter::default(),
            proposed_runs: Counter::default(),
            execute_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            store_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            block_txs: Histogram::new(exponential_buckets(1.0, 2.0, 16)),
            block_bytes: Histogram::new(exponential_buckets(1024.0, 2.0, 17)),
            proposal_bound_txs: Gauge::default(),
            proposal_bound_bytes: Gauge::default(),
            proposal_window_txs: Gauge::default(),
            proposal_window_bytes: Gauge::default(),
            proposal_seconds_per_tx: Family::default(),
            proposal_seconds_per_mb: Family::default(),
            proposal_outcomes: Family::default(),
            proposal_decided_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 16)),
            api_connections: Gauge::default(),
            api_connections_closed: Family::default(),
            registry: Registry::default(),
        };
        registry.register("txs_admitted", "Transactions admitted to the mempool", m.txs_admitted.clone());
        registry.register("txs_refused", "Transactions refused, by error code", m.txs_refused.clone());
        registry.register("txs_committed", "Transactions committed in blocks", m.txs_committed.clone());
        registry.register("notary_log_entries", "Entries appended to the notary log", m.log_entries.clone());
        registry.register("blocks_committed", "Blocks committed", m.blocks_committed.clone());
        registry.register("height", "Last committed height", m.height.clone());
        registry.register("mempool_txs", "Transactions waiting in the mempool", m.mempool_txs.clone());
        registry.register("mempool_bytes", "Bytes of transactions waiting in the mempool", m.mempool_bytes.clone());
        registry.register(
            "mempool_revalidated_txs",
            "Pending transactions executed again after commits",
            m.revalidated_txs.clone(),
        );
        registry.register(
            "mempool_carried_runs",
            "Senders' pending runs carried to a new height after a commit without executing them again",
            m.carried_overlays.clone(),
        );
        registry.register(
            "mempool_admission_reexecuted_txs",
            "Pending transactions an admission executed again before dry-running a sender's next transaction",
            m.admission_reexecuted_txs.clone(),
        );
        registry.register(
            "mempool_revalidation_proposed_runs",
            "Senders' pending runs the revalidation after a commit left to this node's proposal, which took them all",
            m.proposed_runs.clone(),
        );
        registry.register("execute_seconds", "Time to execute a block", m.execute_seconds.clone());
        registry.register("store_seconds", "Time to write a block durably", m.store_seconds.clone());
        registry.register("block_txs", "Transactions per committed block", m.block_txs.clone());
        registry.register("block_bytes", "Bytes of transactions per committed block", m.block_bytes.clone());
        registry.register(
            "proposal_bound_txs",
            "Most transactions this node's next proposal may carry (the adaptive bound under block.txs_max)",
            m.proposal_bound_txs.clone(),
        );
        registry.register(
            "proposal_bound_bytes",
            "Most bytes of transactions this node's next proposal may carry (the adaptive bound under block.bytes_max)",
            m.proposal_bound_bytes.clone(),
        );
        registry.register(
            "proposal_window_txs",
            "The proposal bound's window in transactions, grown by fast proposals and shrunk by slow or failed ones",
            m.proposal_window_txs.clone(),
        );
        registry.register(
            "proposal_window_bytes",
            "The proposal bound's window in bytes, grown by fast proposals and shrunk by slow or failed ones",
            m.proposal_window_bytes.clone(),
        );
        registry.register(
            "proposal_seconds_per_tx",
            "The proposal bound's estimate of the seconds per transaction of building and of checking a block",
            m.proposal_seconds_per_tx.clone(),
        );
        registry.register(
            "proposal_seconds_per_mb",
            "The proposal bound's estimate of the seconds per megabyte of building, checking and transferring a block",
            m.proposal_seconds_per_mb.clone(),
        );
        registry.register(
            "proposal_outcomes",
            "This node's proposals judged when their height was decided: grew, kept, slow or failed",
            m.proposal_outcomes.clone(),
        );
        registry.register(
            "proposal_decided_seconds",
            "Time from starting to build one of this node's proposals to its decision",
            m.proposal_decided_seconds.clone(),
        );
        registry.register("api_connections", "API connections open", m.api_connections.clone());
        registry.register(
            "api_connections_closed",
            "API connections closed by the node, by reason (a cap or a timeout)",
            m.api_connections_closed.clone(),
        );
        Self { registry, ..m }
    }

    /// Count a refusal.
    pub fn refused(&self, code: publica_types::Code) {
        self.txs_refused.get_or_create(&CodeLabel { code: code.as_str().to_owned() }).inc();
    }

    /// Count an API connection the server closed, and why.
    pub fn api_connection_closed(&self, reason: &'static str) {
        self.api_connections_closed.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String does not fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

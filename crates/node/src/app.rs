//! The consensus application: builds, checks and commits blocks for the engine.
//!
//! It also keeps the evidence of misbehaviour consensus reports: each piece is verified against the validator set
//! of its height and held in a bounded pool (one piece per validator and height, a few per validator) until a block
//! this node proposes records it. Every validator checks the evidence of a block it receives by the same rule
//! ([`NodeApp::check_evidence`]) before executing it, and execution refuses what the state says cannot be recorded
//! (one offence per validator and height, at most `MAX_EVIDENCE_PER_VALIDATOR` per validator).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use publica_consensus::Application;
use publica_execution::{execute_block_with_evidence, execute_block_with_evidence_hashed, BlockEnv, Mode, Outcome};
use publica_notary::checkpoint::{self, CheckpointVote, LogSigner};
use publica_storage::{BlockCommit, LogBatch};
use publica_tx::Block;
use publica_types::block::tx_root_of_hashes;
use publica_types::evidence::{check_recordable, evidence_root};
use publica_types::{
    Address, BlockHeader, ChainId, CommitCertificate, DecidedExtensions, Hash, Misbehavior, ValidatorSet,
    HEADER_VERSION, MAX_BLOCK_EVIDENCE, MAX_EVIDENCE_AGE_HEIGHTS,
};

use crate::proposal_bound::{Execution, Outcome as ProposalOutcome, Proposal, ProposalBound};
use crate::shared::{now_ms, Shared, StoreView};

/// How far ahead of this node's clock a proposed block time may be.
const MAX_CLOCK_DRIFT_MS: u64 = 10_000;
/// A full pass over the mempool for expired transactions runs every this many blocks.
const EXPIRY_SWEEP_BLOCKS: u64 = 64;
/// Most pieces of evidence waiting to be recorded. Consensus reports at most a few pairs per validator and height,
/// and a proposer records up to `MAX_BLOCK_EVIDENCE` per block, so the pool only fills if blocks stop recording.
const MAX_PENDING_EVIDENCE: usize = 256;
/// Most pieces about one validator waiting to be recorded, so that a validator equivocating at every height cannot
/// crowd the others' evidence out of the pool (it is recorded at up to this many heights per block anyway).
const MAX_PENDING_EVIDENCE_PER_VALIDATOR: usize = 4;

/// Blocks built or checked at the current height, kept until it is decided so that a decided block is not
/// executed twice.
struct Executed {
    block: Block,
    outcome: Outcome,
    /// Bytes of the block's transactions.
    bytes: usize,
}

/// The application the consensus engine drives.
pub struct NodeApp {
    shared: Arc<Shared>,
    executed: HashMap<Hash, Executed>,
    log_signer: LogSigner,
    /// Verified evidence not yet recorded, by the state key of its offence (one piece per offence).
    pending_evidence: BTreeMap<Vec<u8>, Misbehavior>,
    /// How much this node's proposals carry (`crate::proposal_bound`).
    bound: ProposalBound,
}

impl NodeApp {
    /// The application over the node's shared state; `log_signer` signs notary checkpoints with this validator's
    /// checkpoint keys.
    pub fn new(node: &crate::NodeHandle, log_signer: LogSigner) -> Self {
        let shared = Arc::clone(node.shared());
        let config = &shared.config;
        let bound = ProposalBound::new(
            config.block.txs_max,
            config.block.bytes_max,
            config.consensus.propose_ms,
            config.block.adaptive,
        );
        let app = Self { shared, executed: HashMap::new(), log_signer, pending_evidence: BTreeMap::new(), bound };
        app.publish_bound();
        app
    }

    /// The bound on this node's next proposal, its window and its cost estimates, to the metrics.
    fn publish_bound(&self) {
        let metrics = &self.shared.metrics;
        let limits = self.bound.limits();
        let window = self.bound.window();
        metrics.proposal_bound_txs.set(limits.txs as i64);
        metrics.proposal_bound_bytes.set(limits.bytes as i64);
        metrics.proposal_window_txs.set(window.txs as i64);
        metrics.proposal_window_bytes.set(window.bytes as i64);
        let e = self.bound.estimates();
        let steps = [
            ("build", e.build_per_tx, e.build_per_byte),
            ("check", e.check_per_tx, e.check_per_byte),
            ("transfer", None, e.transfer_per_byte),
        ];
        for (step, per_tx, per_byte) in steps {
            let label = crate::metrics::EstimateLabel { step };
            if let Some(per_tx) = per_tx {
                metrics.proposal_seconds_per_tx.get_or_create(&label).set(per_tx);
            }
            if let Some(per_byte) = per_byte {
                metrics.proposal_seconds_per_mb.get_or_create(&label).set(per_byte * 1e6);
            }
        }
    }

    /// Record what became of one of this node's proposals: metrics and a debug line with the bound after it.
    fn report_outcome(&self, outcome: &ProposalOutcome) {
        let metrics = &self.shared.metrics;
        let label = crate::metrics::AdjustmentLabel { outcome: outcome.adjustment.as_str() };
        metrics.proposal_outcomes.get_or_create(&label).inc();
        if let Some(elapsed) = outcome.elapsed {
            metrics.proposal_decided_seconds.observe(elapsed.as_secs_f64());
        }
        let limits = self.bound.limits();
        let window = self.bound.window();
        let (model_txs, model_bytes) = self.bound.model();
        tracing::debug!(
            height = outcome.height,
            round = outcome.round,
            outcome = outcome.adjustment.as_str(),
            txs = outcome.txs,
            bytes = outcome.bytes,
            decided_ms = outcome.elapsed.map(|e| e.as_millis() as u64),
            budget_ms = self.bound.budget().as_millis() as u64,
            window_txs = window.txs,
            window_bytes = window.bytes,
            model_txs,
            model_bytes,
            bound_txs = limits.txs,
            bound_bytes = limits.bytes,
            "proposal bound adjusted"
        );
    }

    /// Number of verified pieces of evidence waiting for a block to record them.
    pub fn pending_evidence(&self) -> usize {
        self.pending_evidence.len()
    }

    /// Whether a block at `height`, on top of the committed state, may record `piece`: the offence is before
    /// `height` and at most [`MAX_EVIDENCE_AGE_HEIGHTS`] below it, its round is one its height reached, the evidence
    /// verifies against the validator set of the offence's height, and the state allows recording it
    /// ([`check_recordable`]: no offence of the validator recorded at that height, fewer than
    /// `MAX_EVIDENCE_PER_VALIDATOR` in all). Proposers and validators apply this same rule.
    ///
    /// The round is checked against the certificate this node holds for the offence's height: the height reached
    /// at least that round, and a validator signing for a later round signs for a round that need never happen.
    /// Two nodes may hold certificates of different rounds for one block (a block decided again in a later round),
    /// so with `live` false (a block a quorum already decided) the round is not checked: a node must never refuse
    /// to commit what the network decided; at worst a proposal is voted nil by a node holding an earlier round's
    /// certificate.
    pub fn check_evidence(&self, piece: &Misbehavior, height: u64, live: bool) -> Result<(), String> {
        let offence = piece.height();
        if offence >= height {
            return Err(format!("evidence about height {offence} cannot be recorded before height {}", offence + 1));
        }
        if height - offence > MAX_EVIDENCE_AGE_HEIGHTS {
            return Err(format!(
                "evidence about height {offence} is older than {MAX_EVIDENCE_AGE_HEIGHTS} heights at height {height}"
            ));
        }
        if live {
            if let Some(decided) = self.decided_round(offence)? {
                if piece.round() > decided {
                    return Err(format!(
                        "round {} of height {offence} was never reached: the height was decided in round {decided}",
                        piece.round()
                    ));
                }
            }
        }
        let set =
            self.validator_set(offence).ok_or_else(|| format!("no validator set is known for height {offence}"))?;
        piece.verify(self.shared.chain_id(), &set).map_err(|e| e.to_string())?;
        check_recordable(&StoreView(&self.shared.store), piece).map_err(|e| e.to_string())
    }

    /// The round of the certificate this node holds for `height`; `None` while the height is not committed here.
    fn decided_round(&self, height: u64) -> Result<Option<u32>, String> {
        self.shared
            .store
            .certificate(height)
            .map(|cert| cert.map(|c| c.round))
            .map_err(|e| format!("cannot read the certificate of height {height}: {e}"))
    }

    /// Check every piece of a block's evidence (the body rules, count and duplicates, were checked with the body;
    /// what the state allows is checked again, piece after piece, by execution).
    fn check_block_evidence(&self, block: &Block, live: bool) -> Result<(), String> {
        for (i, piece) in block.evidence.iter().enumerate() {
            self.check_evidence(piece, block.header.height, live)
                .map_err(|e| format!("evidence {i} of the block: {e}"))?;
        }
        Ok(())
    }

    /// The pending evidence a block at `height` records: pieces still acceptable, up to [`MAX_BLOCK_EVIDENCE`].
    /// Pieces that no longer are (recorded meanwhile by another proposer's block, or too old) leave the pool.
    fn select_evidence(&mut self, height: u64) -> Vec<Misbehavior> {
        let mut selected = Vec::new();
        let mut stale = Vec::new();
        for (key, piece) in &self.pending_evidence {
            if selected.len() == MAX_BLOCK_EVIDENCE {
                break;
            }
            match self.check_evidence(piece, height, true) {
                Ok(()) => selected.push(piece.clone()),
                // Evidence about the height being decided waits for the next block.
                Err(_) if piece.height() >= height => {}
                Err(reason) => {
                    tracing::debug!(validator = %piece.validator(), %reason, "pending evidence dropped");
                    stale.push(key.clone());
                }
            }
        }
        for key in stale {
            self.pending_evidence.remove(&key);
        }
        selected
    }

    /// Assemble and store the signed checkpoint of the log after a committed block, from the deciding precommits'
    /// vote extensions.
    /// `validators` is the set that signed the block.
    fn store_checkpoint(
        &self,
        header: &BlockHeader,
        validators: &ValidatorSet,
        size: u64,
        root: Hash,
        extensions: &DecidedExtensions,
    ) {
        let votes: Vec<(Address, CheckpointVote)> = extensions
            .extensions
            .iter()
            .filter(|e| !e.extension.is_empty())
            .filter_map(|e| CheckpointVote::decode(&e.extension).ok().map(|v| (e.validator, v)))
            .collect();
        // Every vote must carry the block's time (`extend_vote` signs at `time_ms / 1000`): one time per checkpoint.
        let timestamp_s = header.time_ms / 1000;
        match checkpoint::assemble(self.shared.chain_id(), validators, size, root, timestamp_s, &votes) {
            Some(signed) => {
                if let Err(e) = self.shared.store.put_checkpoint(header.height, &signed.to_bytes()) {
                    tracing::error!(height = header.height, error = %e, "cannot store the notary checkpoint");
                }
                self.shared.checkpoint_published(header.height);
            }
            None => tracing::warn!(
                height = header.height,
                size,
                "the decided block's precommits carry no quorum of checkpoint signatures; the next growth of the \
                 log gets a checkpoint"
            ),
        }
    }

    /// Check a header against the committed chain. `live` is true for a proposal being voted on, and false for a
    /// block already decided by a quorum (value sync): the wall-clock bound only applies to the former, or a node
    /// with a slow clock could never commit what the network decided.
    fn check_header(&self, block: &Block, live: bool) -> Result<(), String> {
        let committed = self.shared.committed.read();
        let h = &block.header;
        if h.version != HEADER_VERSION {
            return Err(format!("header version {} is not {HEADER_VERSION}", h.version));
        }
        if &h.chain_id != self.shared.chain_id() {
            return Err(format!("block is for chain {}", h.chain_id));
        }
        if h.height != committed.height + 1 {
            return Err(format!("block height {} is not the next height {}", h.height, committed.height + 1));
        }
        let (parent_hash, parent_time) = match &committed.header {
            Some((parent, _)) => (parent.hash(), parent.time_ms),
            None => ([0u8; 32], self.shared.genesis.genesis_time_ms),
        };
        if h.parent_hash != parent_hash {
            return Err("block does not extend the last committed block".into());
        }
        if h.time_ms <= parent_time {
            return Err(format!("block time {} is not after its parent's {parent_time}", h.time_ms));
        }
        if live && h.time_ms > now_ms() + MAX_CLOCK_DRIFT_MS {
            return Err(format!("block time {} is too far in the future", h.time_ms));
        }
        // The next set is checked after execution, which may change it (governance).
        if h.validator_set_hash != committed.validators.hash() {
            return Err("block names another validator set than the one that signs its height".into());
        }
        if committed.validators.get(&h.proposer).is_none() {
            return Err(format!("proposer {} is not a validator", h.proposer));
        }
        // The body (transaction count and root) was checked when the block was decoded from the network.
        Ok(())
    }

    /// Check and execute a block that this node did not build, keeping the result for the commit.
    fn validate_block(&mut self, block: &Block, live: bool) -> Result<(), String> {
        let hash = block.hash();
        if self.executed.contains_key(&hash) {
            return Ok(());
        }
        self.check_header(block, live)?;
        block.check_body().map_err(|e| e.to_string())?;
        self.check_block_evidence(block, live)?;
        let started = Instant::now();
        let shared = Arc::clone(&self.shared);
        let committed = shared.committed.read();
        let view = StoreView(&shared.store);
        let env = BlockEnv {
            chain_id: shared.chain_id().clone(),
            height: block.header.height,
            time_ms: block.header.time_ms,
        };
        // Verify the signatures this node has not seen at admission on every core before executing in order.
        prefetch_signatures(&shared, &view, &block.txs);
        prefetch_ballots(&view, &block.txs);
        let outcome = execute_block_with_evidence(
            &view,
            &committed.tree,
            &view,
            &env,
            block.txs.clone(),
            &block.evidence,
            Mode::Validate,
            &shared.signatures,
        )
        .map_err(|e| e.to_string())?;
        if outcome.state_root() != block.header.state_root {
            return Err("state root in the header differs from the state after executing the block".into());
        }
        if outcome.next_validator_set(&committed.validators).hash() != block.header.next_validator_set_hash {
            return Err("the header's next validator set differs from the set after executing the block".into());
        }
        drop(committed);
        // The block already holds the transactions; the outcome's copy is not needed.
        let mut outcome = outcome;
        outcome.included = Vec::new();
        outcome.included_hashes = Vec::new();
        let elapsed = started.elapsed();
        shared.metrics.execute_seconds.observe(elapsed.as_secs_f64());
        let bytes = txs_bytes(&block.txs);
        // What every receiving validator pays for a block (signatures included): the cost the bound plans for.
        self.bound.executed(Execution::Check, block.txs.len(), bytes, elapsed);
        self.executed.insert(hash, Executed { block: block.clone(), outcome, bytes });
        Ok(())
    }
}

impl Application for NodeApp {
    fn chain_id(&self) -> &ChainId {
        self.shared.chain_id()
    }

    fn last_committed_height(&self) -> u64 {
        self.shared.committed.read().height
    }

    fn earliest_height(&self) -> u64 {
        1
    }

    fn validator_set(&self, height: u64) -> Option<ValidatorSet> {
        let committed = self.shared.committed.read();
        if height == committed.height + 1 {
            return Some(committed.validators.clone());
        }
        if height > committed.height {
            return None;
        }
        drop(committed);
        match self.shared.store.validator_set_at(height) {
            Ok(set) => set,
            Err(e) => {
                tracing::error!(height, error = %e, "cannot read the validator set of a past height");
                None
            }
        }
    }

    fn propose(&mut self, height: u64, round: u32, proposer: Address) -> Result<Block, String> {
        let started = Instant::now();
        let evidence = self.select_evidence(height);
        let shared = Arc::clone(&self.shared);
        let committed = shared.committed.read();
        if height != committed.height + 1 {
            return Err(format!("asked to propose height {height}, next height is {}", committed.height + 1));
        }
        let view = StoreView(&shared.store);
        let (parent_hash, parent_time) = match &committed.header {
            Some((parent, _)) => (parent.hash(), parent.time_ms),
            None => ([0u8; 32], shared.genesis.genesis_time_ms),
        };
        let time_ms = now_ms().max(parent_time + 1);
        let own_power = committed.validators.get(&shared.address).map_or(0, |v| v.voting_power);
        self.bound.set_alone(own_power >= committed.validators.quorum_power());
        let limits = self.bound.limits();
        let candidates = shared.select_for_block(&view, limits);
        let env = BlockEnv { chain_id: shared.chain_id().clone(), height, time_ms };
        let outcome = execute_block_with_evidence_hashed(
            &view,
            &committed.tree,
            &view,
            &env,
            candidates,
            &evidence,
            Mode::Propose,
            &shared.signatures,
        )
        .expect("proposing never fails on a transaction");
        for (id, error) in &outcome.rejected {
            shared.record_refusal(*id, error.clone());
        }
        let set_hash = committed.validators.hash();
        let next_set_hash = outcome.next_validator_set(&committed.validators).hash();
        let header = BlockHeader {
            version: HEADER_VERSION,
            chain_id: shared.chain_id().clone(),
            height,
            time_ms,
            parent_hash,
            proposer,
            tx_root: tx_root_of_hashes(&outcome.included_hashes),
            tx_count: outcome.included.len() as u32,
            evidence_root: evidence_root(&outcome.evidence),
            state_root: outcome.state_root(),
            validator_set_hash: set_hash,
            next_validator_set_hash: next_set_hash,
        };
        drop(committed);
        // Dropped transactions leave the mempool now; they would fail again in the next block.
        if !outcome.rejected.is_empty() {
            let ids: Vec<_> = outcome.rejected.iter().map(|(id, _)| *id).collect();
            shared.mempool.lock().remove_many(&ids);
            shared.ballots.lock().remove_many(&ids);
        }
        let mut outcome = outcome;
        let evidence = std::mem::take(&mut outcome.evidence);
        let block = Block { header, txs: std::mem::take(&mut outcome.included), evidence };
        let build = started.elapsed();
        shared.metrics.execute_seconds.observe(build.as_secs_f64());
        let bytes = txs_bytes(&block.txs);
        let hash = block.hash();
        self.bound.executed(Execution::Build, block.txs.len(), bytes, build);
        self.bound.proposed(Proposal { height, round, hash, txs: block.txs.len(), bytes, started, build });
        self.publish_bound();
        tracing::debug!(
            height,
            round,
            txs = block.txs.len(),
            bytes,
            build_ms = build.as_millis() as u64,
            bound_txs = limits.txs,
            bound_bytes = limits.bytes,
            "proposal built within its bound"
        );
        self.executed.insert(hash, Executed { block: block.clone(), outcome, bytes });
        Ok(block)
    }

    fn validate(&mut self, block: &Block) -> Result<(), String> {
        self.validate_block(block, true)
    }

    fn extend_vote(&mut self, height: u64, _round: u32, block_hash: Hash) -> Result<Vec<u8>, String> {
        let executed = self.executed.get(&block_hash).ok_or_else(|| {
            format!(
                "precommitting block {} at height {height} that this node has not executed",
                hex::encode(block_hash)
            )
        })?;
        let log = &executed.outcome.log;
        if log.is_empty() {
            return Ok(Vec::new());
        }
        let timestamp = executed.block.header.time_ms / 1000;
        self.log_signer.sign(log.size, log.root, timestamp).map(|v| v.encode()).map_err(|e| e.to_string())
    }

    fn verify_vote_extension(
        &self,
        height: u64,
        block_hash: &Hash,
        validator: &Address,
        extension: &[u8],
    ) -> Result<(), String> {
        let executed = self.executed.get(block_hash);
        if extension.is_empty() {
            // A validator that executed a block growing the log must sign its new head.
            return match executed {
                Some(e) if !e.outcome.log.is_empty() => {
                    Err("the block grows the notary log but the precommit carries no checkpoint signature".into())
                }
                _ => Ok(()),
            };
        }
        let vote = CheckpointVote::decode(extension).map_err(|e| e.to_string())?;
        // The head and time are checked against the block when this node executed it; otherwise the checkpoint's
        // assembly at commit leaves out a vote for another head or time.
        if let Some(e) = executed {
            let log = &e.outcome.log;
            if log.is_empty() {
                return Err(
                    "the block does not grow the notary log, but the precommit carries a checkpoint signature".into()
                );
            }
            checkpoint::check_head(&vote, log.size, log.root, e.block.header.time_ms / 1000)
                .map_err(|e| e.to_string())?;
        }
        let validators = self.validator_set(height).ok_or_else(|| format!("no validator set for height {height}"))?;
        let member = validators.get(validator).ok_or_else(|| format!("{validator} is not a validator"))?;
        checkpoint::verify_vote(&checkpoint::origin(self.shared.chain_id()), member, &vote).map_err(|e| e.to_string())
    }

    fn commit(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
    ) -> Result<(), String> {
        self.commit_block(block, certificate, extensions, false)
    }

    fn commit_synced(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
    ) -> Result<(), String> {
        self.commit_block(block, certificate, extensions, true)
    }

    fn report_misbehavior(&mut self, evidence: Vec<Misbehavior>) {
        let next = self.shared.committed.read().height + 1;
        for piece in evidence {
            let key = piece.state_key();
            if self.pending_evidence.contains_key(&key) {
                continue;
            }
            // The engine may report a height before its block is committed here: judge the evidence as the next
            // block after the offence would.
            if let Err(reason) = self.check_evidence(&piece, next.max(piece.height() + 1), true) {
                tracing::warn!(validator = %piece.validator(), %reason, "reported evidence not kept");
                continue;
            }
            let of_validator = self.pending_evidence.values().filter(|p| p.validator() == piece.validator()).count();
            if of_validator >= MAX_PENDING_EVIDENCE_PER_VALIDATOR {
                tracing::debug!(
                    validator = %piece.validator(),
                    "{MAX_PENDING_EVIDENCE_PER_VALIDATOR} pieces about this validator already wait; this one is dropped"
                );
                continue;
            }
            if self.pending_evidence.len() >= MAX_PENDING_EVIDENCE {
                tracing::warn!(
                    validator = %piece.validator(),
                    "the pool of evidence waiting to be recorded is full; this piece is dropped"
                );
                continue;
            }
            tracing::warn!(
                validator = %piece.validator(),
                height = piece.height(),
                round = piece.round(),
                kind = ?piece.kind(),
                "a validator equivocated; the evidence waits to be recorded"
            );
            self.pending_evidence.insert(key, piece);
        }
    }

    fn has_pending_transactions(&self) -> bool {
        self.shared.mempool.lock().has_ready() || !self.shared.ballots.lock().is_empty()
    }

    fn decided_block(&self, height: u64) -> Option<(Block, CommitCertificate, DecidedExtensions)> {
        let block = self.shared.store.block(height).ok().flatten()?;
        let certificate = self.shared.store.certificate(height).ok().flatten()?;
        let extensions = self.shared.store.extensions(height).ok().flatten()?;
        let extensions = DecidedExtensions::decode(&extensions).ok()?;
        Some((block, certificate, extensions))
    }
}

impl NodeApp {
    /// Commit a decided block; `synced` when value sync fetched it (the node was behind): then, on a node that is
    /// not a validator, the store is synced to the disk only every `SYNCED_PERSIST_BLOCKS` blocks or
    /// `SYNCED_PERSIST_AGE`, instead of for every block.
    // Long because: one commit in its crash-safe order (check, stage, write and swap under the lock, sync, then
    // the mempool), each step a few lines on the same block and executed outcome.
    fn commit_block(
        &mut self,
        block: Block,
        certificate: CommitCertificate,
        extensions: DecidedExtensions,
        synced: bool,
    ) -> Result<(), String> {
        /// A node catching up re-fetches what a crash loses, so blocks brought by value sync are synced to the disk
        /// together: after this many of them, or once the oldest unsynced one is this old, whichever comes first.
        /// Every check a block gets is unchanged; only the `fdatasync` waits. A block this node decided itself is
        /// synced before the engine moves on, and with it every synced block before it.
        const SYNCED_PERSIST_BLOCKS: u64 = 256;
        const SYNCED_PERSIST_AGE: std::time::Duration = std::time::Duration::from_millis(1000);
        let decided_at = Instant::now();
        let hash = block.hash();
        if !self.executed.contains_key(&hash) {
            // A block decided without this node having checked it (value sync, or a restart): check it now.
            self.validate_block(&block, false)?;
        }
        for outcome in self.bound.decided(block.header.height, certificate.round, &hash, decided_at) {
            self.report_outcome(&outcome);
        }
        let executed = self.executed.remove(&hash).expect("validated above");
        self.executed.clear();
        let shared = Arc::clone(&self.shared);
        let started = Instant::now();
        let changes: Vec<(Vec<u8>, Option<Vec<u8>>)> = executed.outcome.changes.into_iter().collect();
        let log = executed.outcome.log;
        let encoded_extensions = extensions.encode();
        let next_validators = executed.outcome.next_validators;
        // Fingerprinted here, before the committed state's lock is taken.
        let writers = crate::mempool::WriterPrints::of(&executed.outcome.writers);
        // The batch is built while readers still see the previous block; they wait only while it is made visible,
        // not while the disk syncs it. The engine moves on once it is durable.
        let staged = shared
            .store
            .stage_block(BlockCommit {
                block: &executed.block,
                certificate: &certificate,
                outcomes: &executed.outcome.outcomes,
                changes: &changes,
                extensions: &encoded_extensions,
                log: Some(LogBatch {
                    first_index: log.first_index,
                    entries: &log.entries,
                    leaf_hashes: &log.leaf_hashes,
                    document_hashes: &log.document_hashes,
                    root: log.root,
                }),
                next_validators: next_validators.as_ref(),
                nodes: if shared.config.storage.past_states { &executed.outcome.nodes } else { &[] },
                state_entries: executed.outcome.tree.len() as u64,
            })
            .map_err(|e| format!("cannot store block {}: {e}", block.header.height))?;
        let (signing_set, previous_tree) = {
            let mut committed = shared.committed.write();
            shared
                .store
                .write_staged(staged)
                .map_err(|e| format!("cannot store block {}: {e}", block.header.height))?;
            committed.height = block.header.height;
            committed.record_writers(block.header.height, writers);
            let previous_tree = std::mem::replace(&mut committed.tree, executed.outcome.tree);
            committed.header = Some((executed.block.header.clone(), certificate));
            debug_assert_eq!(committed.tree.root(), executed.block.header.state_root);
            let signing_set = match next_validators {
                Some(next) => {
                    tracing::info!(
                        height = block.header.height,
                        validators = next.validators().len(),
                        power = next.total_power(),
                        "the validator set changes from the next height on"
                    );
                    std::mem::replace(&mut committed.validators, next)
                }
                None => committed.validators.clone(),
            };
            (signing_set, previous_tree)
        };
        // Freed outside the lock.
        drop(previous_tree);
        // Only a node that signs nothing defers: a validator that crashed after voting at a later height, with
        // synced blocks lost, would restart below that height, where its write-ahead log no longer guards its votes.
        let signs = shared.committed.read().validators.get(&shared.address).is_some();
        if synced && !signs {
            shared.store.persist_if_due(SYNCED_PERSIST_BLOCKS, SYNCED_PERSIST_AGE).map(drop)
        } else {
            shared.store.persist()
        }
        .map_err(|e| format!("cannot sync block {}: {e}", block.header.height))?;
        shared.metrics.store_seconds.observe(started.elapsed().as_secs_f64());
        if !log.is_empty() {
            shared.metrics.log_entries.inc_by(log.entries.len() as u64);
            self.store_checkpoint(&executed.block.header, &signing_set, log.size, log.root, &extensions);
        }

        for piece in &executed.block.evidence {
            self.pending_evidence.remove(&piece.state_key());
            tracing::warn!(
                height = block.header.height,
                validator = %piece.validator(),
                offence_height = piece.height(),
                round = piece.round(),
                kind = ?piece.kind(),
                "misbehaviour recorded on chain"
            );
        }

        // Clear the mempool of what this block used up.
        let ids: Vec<_> = executed.block.txs.iter().map(|tx| tx.id()).collect();
        let mut senders: Vec<Address> = executed.block.txs.iter().map(|tx| tx.body.sender).collect();
        senders.sort_unstable();
        senders.dedup();
        let sweep = block.header.height.is_multiple_of(EXPIRY_SWEEP_BLOCKS);
        shared.after_commit(&ids, if sweep { None } else { Some(&senders) }, block.header.height, block.header.time_ms);
        shared.metrics.blocks_committed.inc();
        shared.metrics.txs_committed.inc_by(ids.len() as u64);
        shared.metrics.block_txs.observe(ids.len() as f64);
        shared.metrics.block_bytes.observe(executed.bytes as f64);
        self.publish_bound();
        shared.metrics.height.set(block.header.height as i64);
        Ok(())
    }
}

/// Bytes of a block's transactions, as the bound counts them (the sum of their encodings).
fn txs_bytes(txs: &[publica_tx::Transaction]) -> usize {
    txs.iter().map(|tx| tx.encode().len()).sum()
}

/// Verify, in parallel, the ballots of a received block (each costs milliseconds of proofs), so that execution finds
/// them verified. Ballots already verified at admission are found in the cache at once. Only a speed-up, as for
/// signatures: execution checks every ballot again against the cache or in full.
fn prefetch_ballots(view: &StoreView<'_>, txs: &[publica_tx::Transaction]) {
    use rayon::prelude::*;
    let ballots: Vec<&publica_elections::ElectionsCall> = txs
        .iter()
        .filter(|tx| tx.is_anonymous())
        .filter_map(|tx| match &tx.body.call {
            publica_tx::Call::Elections(call) => Some(call),
            _ => None,
        })
        .collect();
    if ballots.len() > 1 {
        ballots.par_iter().for_each(|call| publica_elections::prefetch_ballot(view, call));
    }
}

/// Verify, in parallel, the signatures of a received block's transactions that were not verified at admission,
/// against the senders' committed keys, and cache the good ones. A transaction whose sender's key changes
/// earlier in the same block misses the cache and is verified again during execution, so this is only a
/// speed-up, never a decision.
fn prefetch_signatures(shared: &Shared, view: &StoreView<'_>, txs: &[publica_tx::Transaction]) {
    use rayon::prelude::*;
    let keys: Vec<Option<Arc<publica_types::PublicKeyBytes>>> =
        txs.iter().map(|tx| publica_accounts::account(view, &tx.body.sender).map(|a| Arc::new(a.public_key))).collect();
    txs.par_iter().zip(keys.par_iter()).for_each(|(tx, key)| {
        if let Some(key) = key {
            let full_hash = tx.full_hash();
            if shared.signatures.hit(&full_hash, key) {
                return;
            }
            if publica_execution::verify_signature(tx, key).is_ok() {
                shared.signatures.insert(full_hash, tx.id(), Arc::clone(key));
            }
        }
    });
}

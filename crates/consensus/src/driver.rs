//! The loop that answers the engine on behalf of the [`Application`].
//!
//! The engine asks questions through a channel of `AppMsg`s and waits for each answer before sending the next
//! (except `Decided` and `Finalized`, whose answers it awaits aside), so this loop handles one message at a time.
//! Application methods are synchronous and may take tens of milliseconds (block execution), so each runs on
//! tokio's blocking pool with the application behind a mutex; the engine's own tasks keep running meanwhile.
//!
//! Empty blocks are paced by holding back the answer to `Finalized` (see [`HeldStart`]), the one answer the engine
//! waits for without blocking its other questions, so that a node with nothing to propose still serves value sync
//! and receives proposal parts while it waits.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_malachitebft_app_channel::app::consensus::{Role, VoteExtensionError};
use arc_malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use arc_malachitebft_app_channel::app::streaming::{StreamContent, StreamMessage};
use arc_malachitebft_app_channel::app::types::core::{LinearTimeouts, Round, Validity, VoteExtensionPolicy};
use arc_malachitebft_app_channel::app::types::sync::RawDecidedValue;
use arc_malachitebft_app_channel::app::types::{LocallyProposedValue, MisbehaviorEvidence, PeerId, ProposedValue};
use arc_malachitebft_app_channel::{AppMsg, Channels, NetworkMsg};
use bytes::Bytes;
use parking_lot::Mutex;
use publica_crypto::{Address, Hash, Keypair};
use publica_tx::Block;
use publica_types::{
    ChainId, CommitCertificate, DecidedExtensions, Misbehavior, SignedProposal, SignedVote, ValidatorSet,
    MAX_BLOCK_BYTES,
};
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

use crate::codec::{certificate_to_engine, commit_certificate_from_engine, MAX_SYNC_RESPONSE_BYTES};
use crate::context::{BlockHeight, BlockId, ConsensusValidatorSet, PublicaContext, ValidatorAddress, VoteExtension};
use crate::error::ConsensusError;
use crate::parts::{
    parts_signing_bytes, stream_messages, AssembledParts, PartsBuffer, PartsInit, ProposalPart, StreamPolicy,
};
use crate::store::{Admission, ProposalRecord, ProposalStore, StoredProposal};
use crate::{Application, ConsensusStatus};

/// Complete, authenticated proposals for future heights kept until their height starts.
const MAX_PENDING_PROPOSALS: usize = 32;

/// Bytes of blocks held in those proposals: two maximal blocks. When over, the proposal of the farthest height and
/// round goes first, so the round-0 proposal of the next height, the one that matters, stays.
const MAX_PENDING_BYTES: usize = 2 * MAX_BLOCK_BYTES;

/// How far ahead of the current height a proposal is still kept for later.
pub(crate) const MAX_PENDING_HEIGHT_AHEAD: u64 = 2;

/// How many rounds ahead of this node's current round a proposal is accepted. A node that lags a round or two
/// behind its peers still gets their proposals; a proposer cannot make it hold blocks for rounds the height may
/// never reach. Proposals of earlier rounds of the height are accepted (one per round, so they are bounded by the
/// rounds the height has reached).
pub(crate) const MAX_ROUNDS_AHEAD: u32 = 8;

/// Most decided blocks served in one value-sync response.
const MAX_SYNC_VALUES: u64 = crate::SYNC_BATCH_BLOCKS;

/// Most heights remembered as fetched by value sync and not yet committed. The engine holds synced values only for
/// the heights its requests cover (a few batches ahead), so this is never reached in practice.
const MAX_SYNCED_HEIGHTS: usize = 4096;

/// How often a proposer waiting to build an empty block asks whether transactions arrived.
const PENDING_POLL: Duration = Duration::from_millis(5);

/// Shortest wait for which a proposer holds the start of its next height (see [`HeldStart`]); a shorter one stays
/// inside `GetValue`. Starting a height after the wait rather than before it puts the engine's start of the height
/// (its write-ahead log's reset with an `fsync`, a few hand-offs between actors: about a millisecond) between a
/// transaction arriving in the wait and its block, which a short wait would pay at nearly every block; a wait
/// inside `GetValue` stops the engine's other requests, which only a long one makes matter.
const MIN_HELD_WAIT: Duration = Duration::from_millis(20);

/// Run an application method on the blocking pool.
async fn call<A, R>(
    app: &Arc<Mutex<A>>,
    name: &'static str,
    f: impl FnOnce(&mut A) -> R + Send + 'static,
) -> Result<R, ConsensusError>
where
    A: Application,
    R: Send + 'static,
{
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || f(&mut app.lock()))
        .await
        .map_err(|e| ConsensusError::Application { call: name, reason: e.to_string() })
}

fn send<T>(reply: tokio::sync::oneshot::Sender<T>, value: T, what: &'static str) {
    if reply.send(value).is_err() {
        debug!(what, "the engine no longer waits for this reply");
    }
}

/// The answer to `Finalized` held back by the next height's round-0 proposer while it has nothing to propose: the
/// next height starts when transactions arrive or at `deadline`, whichever comes first. Holding this answer (rather
/// than waiting inside `GetValue`, whose answer the engine's host awaits before any other question) keeps the loop
/// answering value-sync requests and proposal parts meanwhile.
struct HeldStart {
    height: u64,
    reply: tokio::sync::oneshot::Sender<Next<PublicaContext>>,
    next: Next<PublicaContext>,
    deadline: Instant,
    /// When to ask the application again whether transactions arrived.
    poll_at: Instant,
}

/// Everything the loop needs that does not change while it runs.
pub(crate) struct DriverParams {
    pub chain_id: ChainId,
    pub keypair: Arc<Keypair>,
    pub address: Address,
    pub timeouts: LinearTimeouts,
    pub target_time: Option<Duration>,
    pub empty_block_interval: Duration,
    /// A Byzantine test validator ([`crate::Equivocation::FutureRoundProposals`]): flood future rounds.
    pub flood_future_rounds: bool,
}

/// The state of the loop.
pub(crate) struct Driver<A: Application> {
    app: Arc<Mutex<A>>,
    params: DriverParams,
    store: ProposalStore,
    buffer: PartsBuffer,
    /// Authenticated proposals for the next heights, by (height, round, proposer): one each.
    pending: BTreeMap<(u64, u32, Address), AssembledParts>,
    pending_bytes: usize,
    /// Blocks found invalid, by (height, round): the first block of a round's proposer is the only one considered.
    invalid: BTreeMap<(u64, u32), (Hash, Address)>,
    validator_sets: BTreeMap<u64, (ValidatorSet, ConsensusValidatorSet)>,
    current_height: u64,
    current_round: u32,
    committed_height: u64,
    last_commit_at: Instant,
    status: watch::Sender<ConsensusStatus>,
    /// Heights whose block came by value sync (not yet committed): committed with [`Application::commit_synced`].
    synced: BTreeSet<u64>,
    /// The start of the next height, held while this node paces an empty block.
    held_start: Option<HeldStart>,
    /// The last height whose start was held: its round-0 proposal is built at once, the pacing already done.
    paced_height: u64,
    /// Whether the last committed block came by value sync (this node is catching up, not at the head).
    last_commit_synced: bool,
}

impl<A: Application> Driver<A> {
    pub(crate) fn new(
        app: Arc<Mutex<A>>,
        params: DriverParams,
        store: ProposalStore,
        committed_height: u64,
        status: watch::Sender<ConsensusStatus>,
    ) -> Self {
        // No commit of this run yet: the first height proposes without waiting for the empty-block interval, since
        // that wait (inside `GetValue`, the start of the first height not being held) would stop value sync too.
        let last_commit_at = Instant::now().checked_sub(params.empty_block_interval).unwrap_or_else(Instant::now);
        Self {
            app,
            params,
            store,
            buffer: PartsBuffer::new(),
            pending: BTreeMap::new(),
            pending_bytes: 0,
            invalid: BTreeMap::new(),
            validator_sets: BTreeMap::new(),
            current_height: 0,
            current_round: 0,
            committed_height,
            last_commit_at,
            status,
            synced: BTreeSet::new(),
            held_start: None,
            paced_height: 0,
            last_commit_synced: false,
        }
    }

    /// Answer the engine until it stops. Returns an error only when consensus cannot go on (for example the
    /// application has no validator set for the next height).
    pub(crate) async fn run(mut self, mut channels: Channels<PublicaContext>) -> Result<(), ConsensusError> {
        let result = loop {
            let msg = match self.held_start.as_ref().map(|held| held.poll_at) {
                None => channels.consensus.recv().await,
                Some(poll_at) if Instant::now() >= poll_at => {
                    if let Err(e) = self.release_held_start(false).await {
                        break Err(e);
                    }
                    continue;
                }
                Some(poll_at) => {
                    tokio::select! {
                        biased;
                        msg = channels.consensus.recv() => msg,
                        () = tokio::time::sleep_until(poll_at.into()) => continue,
                    }
                }
            };
            let Some(msg) = msg else {
                break Ok(());
            };
            if let Err(e) = self.handle(msg, &channels).await {
                break Err(e);
            }
        };
        if let Err(e) = &result {
            error!(error = %e, "consensus stopped");
        }
        let error = result.as_ref().err().map(|e| e.to_string());
        self.status.send_modify(|s| {
            s.running = false;
            s.error = error;
        });
        result
    }

    // Long because it is the engine's message dispatch: one short arm per message, in the engine's order.
    async fn handle(
        &mut self,
        msg: AppMsg<PublicaContext>,
        channels: &Channels<PublicaContext>,
    ) -> Result<(), ConsensusError> {
        match msg {
            AppMsg::ConsensusReady { reply } => {
                self.release_held_start(true).await?;
                let committed = call(&self.app, "last_committed_height", |a| a.last_committed_height()).await?;
                self.committed_height = committed;
                self.store.prune(committed);
                let start = committed + 1;
                let params = self.height_params(start).await?;
                info!(height = start, "consensus ready, starting height");
                send(reply, (BlockHeight(start), params), "ConsensusReady");
            }

            AppMsg::StartedRound { height, round, proposer, role, reply_value } => {
                let values = self.on_started_round(height.0, round, proposer, role).await?;
                send(reply_value, values, "StartedRound");
                if self.params.flood_future_rounds && round.as_u32() == Some(0) {
                    self.flood_future_rounds(height.0, channels).await?;
                }
            }

            AppMsg::GetValue { height, round, timeout, reply } => {
                let Some(round_u32) = round.as_u32() else {
                    warn!(%height, "the engine asked for a value at a nil round");
                    return Ok(());
                };
                match self.get_value(height.0, round_u32, timeout).await {
                    Ok(stored) => {
                        send(reply, LocallyProposedValue::new(height, round, BlockId(stored.block_hash)), "GetValue");
                        self.publish(&stored, channels).await;
                    }
                    // Without a value the engine's propose timeout expires and the validators prevote nil; the
                    // next round has another proposer.
                    Err(e) => error!(%height, %round, error = %e, "cannot propose a block"),
                }
            }

            AppMsg::ExtendVote { height, round, value_id, reply, .. } => {
                let extension = self.extend_vote(height.0, round, value_id.0).await?;
                send(reply, Some(extension), "ExtendVote");
            }

            AppMsg::VerifyVoteExtensions { height, round, value_id, extensions, reply } => {
                let count = extensions.len();
                let height = height.0;
                let block_hash = value_id.0;
                // One application call for the whole batch (a synced certificate carries one extension per
                // signer), one verdict per extension in the order asked.
                let verdicts = call(&self.app, "verify_vote_extension", move |a| {
                    extensions
                        .into_iter()
                        .map(|(address, extension)| {
                            let verdict = a
                                .verify_vote_extension(height, &block_hash, &address.0, extension.as_bytes())
                                .map_err(|reason| {
                                    warn!(height, %round, validator = %address, %reason, "vote extension refused");
                                    VoteExtensionError::InvalidVoteExtension
                                });
                            (address, verdict)
                        })
                        .collect::<Vec<_>>()
                })
                .await?;
                debug_assert_eq!(verdicts.len(), count);
                send(reply, verdicts, "VerifyVoteExtensions");
            }

            AppMsg::RestreamProposal { height, round, value_id, .. } => {
                match self.store.by_hash(height.0, &value_id.0).cloned() {
                    Some(stored) if stored.record.signature.is_some() => {
                        debug!(%height, %round, block = %value_id, "restreaming proposal");
                        self.publish(&stored, channels).await;
                    }
                    _ => debug!(%height, %round, block = %value_id, "no signed proposal to restream"),
                }
            }

            AppMsg::GetHistoryMinHeight { reply } => {
                let earliest = call(&self.app, "earliest_height", |a| a.earliest_height()).await?;
                send(reply, BlockHeight(earliest), "GetHistoryMinHeight");
            }

            AppMsg::ReceivedProposalPart { from, published_by, part, reply } => {
                let value = self.on_proposal_part(published_by.unwrap_or(from), part).await?;
                send(reply, value, "ReceivedProposalPart");
            }

            AppMsg::Decided { certificate, extensions, reply } => {
                let height = certificate.height.0;
                match commit_certificate_from_engine(&certificate, &extensions) {
                    Ok((cert, extensions)) => match self.commit(cert, extensions).await {
                        Ok(()) => send(reply, (), "Decided"),
                        // No acknowledgement: value sync must not announce a height we have not stored. The
                        // Finalized step retries and restarts the height if the commit keeps failing.
                        Err(e) => error!(height, error = %e, "decided block not committed"),
                    },
                    Err(e) => error!(height, error = %e, "unusable decided certificate"),
                }
            }

            AppMsg::Finalized { certificate, extensions, evidence, reply } => {
                // The engine asks for the next height only after the one it holds; a start still held belongs to
                // an engine that restarted, and goes out first.
                self.release_held_start(true).await?;
                let height = certificate.height.0;
                if !evidence.is_empty() {
                    let pieces = misbehavior_from_engine(&evidence);
                    let validators: Vec<String> = pieces.iter().map(|p| p.validator().to_string()).collect();
                    warn!(height, pieces = pieces.len(), ?validators, "validators equivocated at this height");
                    if !pieces.is_empty() {
                        call(&self.app, "report_misbehavior", move |a| a.report_misbehavior(pieces)).await?;
                    }
                }
                if self.committed_height < height {
                    let result = match commit_certificate_from_engine(&certificate, &extensions) {
                        Ok((cert, extensions)) => self.commit(cert, extensions).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = result {
                        error!(height, error = %e, "commit failed again; restarting the height");
                    }
                }
                let next = if self.committed_height >= height {
                    Next::Start(BlockHeight(height + 1), self.height_params(height + 1).await?)
                } else {
                    Next::Restart(BlockHeight(height), self.height_params(height).await?)
                };
                match self.empty_block_deadline(height, &next).await? {
                    Some(deadline) => {
                        let poll_at = Instant::now();
                        self.held_start = Some(HeldStart { height: height + 1, reply, next, deadline, poll_at });
                        self.release_held_start(false).await?;
                    }
                    None => send(reply, next, "Finalized"),
                }
            }

            AppMsg::GetDecidedValues { range, reply } => {
                let values = self.decided_values(range.start().0, range.end().0).await?;
                send(reply, values, "GetDecidedValues");
            }

            AppMsg::ProcessSyncedValue { height, round, proposer, value_bytes, reply } => {
                let outcome = self.on_synced_value(height.0, round, proposer, value_bytes);
                send(reply, outcome, "ProcessSyncedValue");
            }
        }
        Ok(())
    }

    /// The validator set of `height`, from the cache or the application.
    async fn validator_set(&mut self, height: u64) -> Result<(ValidatorSet, ConsensusValidatorSet), ConsensusError> {
        if let Some(sets) = self.validator_sets.get(&height) {
            return Ok(sets.clone());
        }
        let set = call(&self.app, "validator_set", move |a| a.validator_set(height))
            .await?
            .ok_or(ConsensusError::NoValidatorSet { height })?;
        let sets = (set.clone(), ConsensusValidatorSet::from_set(&set));
        // Only a few heights around the current one are ever asked for.
        while self.validator_sets.len() >= 8 {
            self.validator_sets.pop_first();
        }
        self.validator_sets.insert(height, sets.clone());
        Ok(sets)
    }

    async fn height_params(&mut self, height: u64) -> Result<HeightParams<PublicaContext>, ConsensusError> {
        let (_, set) = self.validator_set(height).await?;
        // Every precommit for a block must carry its validator's signed extension (the notary checkpoint
        // signatures), so that every decided block comes with a quorum of them, also through value sync.
        Ok(HeightParams::new(set, self.params.timeouts, self.params.target_time)
            .with_vote_extension_policy(VoteExtensionPolicy::Required))
    }

    /// This validator's extension for its precommit on `block_hash`. The engine cannot precommit a block without
    /// one, so when the application fails (or returns too many bytes) the extension is empty and the validator
    /// still votes; the application's `verify_vote_extension` decides whether peers accept an empty one.
    async fn extend_vote(
        &mut self,
        height: u64,
        round: Round,
        block_hash: Hash,
    ) -> Result<VoteExtension, ConsensusError> {
        let Some(round_u32) = round.as_u32() else {
            warn!(height, "the engine asked for a vote extension at a nil round");
            return Ok(VoteExtension::default());
        };
        let result = call(&self.app, "extend_vote", move |a| a.extend_vote(height, round_u32, block_hash)).await?;
        Ok(match result.map(VoteExtension::new) {
            Ok(Ok(extension)) => extension,
            Ok(Err(e)) => {
                error!(
                    height,
                    round = round_u32,
                    error = %e,
                    "the application's vote extension is too large; sending an empty one"
                );
                VoteExtension::default()
            }
            Err(reason) => {
                error!(
                    height,
                    round = round_u32,
                    %reason,
                    "the application could not extend its vote; sending an empty extension"
                );
                VoteExtension::default()
            }
        })
    }

    fn set_status(&self, f: impl FnOnce(&mut ConsensusStatus)) {
        self.status.send_modify(f);
    }

    async fn on_started_round(
        &mut self,
        height: u64,
        round: Round,
        proposer: ValidatorAddress,
        role: Role,
    ) -> Result<Vec<ProposedValue<PublicaContext>>, ConsensusError> {
        debug!(height, %round, %proposer, ?role, "started round");
        self.current_height = height;
        let round_u32 = round.as_u32().unwrap_or(0);
        self.current_round = round_u32;
        self.set_status(|s| {
            s.height = height;
            s.round = round_u32;
            s.proposer = Some(proposer.0);
        });
        self.buffer.prune(height);

        // Proposals that arrived complete before their height started can be validated now.
        let later = self.pending.split_off(&(height + 1, 0, Address([0; 20])));
        let ready: Vec<AssembledParts> = std::mem::replace(&mut self.pending, later)
            .into_iter()
            .filter(|((h, _, _), _)| *h == height)
            .map(|(_, parts)| parts)
            .collect();
        self.pending_bytes = self.pending.values().map(|p| p.block_bytes.len()).sum();
        let mut values: Vec<ProposedValue<PublicaContext>> = Vec::new();
        for parts in ready {
            match self.accept(parts).await {
                // A block of an earlier round is reported now; this round's are reported below, with the blocks
                // already held for it, and later rounds' when they start.
                Ok(Some(value)) if value.round != round => values.push(value),
                Ok(_) => {}
                Err(e @ ConsensusError::Application { .. }) => return Err(e),
                Err(e) => debug!(error = %e, "dropping early proposal"),
            }
        }

        // Every block held for this round is reported to the engine now, so it must stay until the height ends.
        self.store.mark_reported(height, round_u32);
        values.extend(
            self.store.at_round(height, round_u32).map(|p| proposed_value(&p.record, p.block_hash, Validity::Valid)),
        );
        if let Some(&(hash, proposer)) = self.invalid.get(&(height, round_u32)) {
            values.push(ProposedValue {
                height: BlockHeight(height),
                round,
                valid_round: Round::Nil,
                proposer: ValidatorAddress(proposer),
                value: BlockId(hash),
                validity: Validity::Invalid,
            });
        }
        Ok(values)
    }

    /// When this node should answer `Finalized` for `height` with `next`: `None` for at once, or the deadline of
    /// the empty-block interval when the node decided `height` in its own rounds (it is at the head, not catching
    /// up), starts the next height as its round-0 proposer, and at least [`MIN_HELD_WAIT`] of that interval is
    /// left. The deadline never exceeds half the propose timeout, as in [`Self::get_value`].
    async fn empty_block_deadline(
        &mut self,
        height: u64,
        next: &Next<PublicaContext>,
    ) -> Result<Option<Instant>, ConsensusError> {
        if !matches!(next, Next::Start(..)) || self.committed_height != height || self.last_commit_synced {
            return Ok(None);
        }
        let deadline = self.pacing_deadline(self.params.timeouts.propose);
        if deadline.saturating_duration_since(Instant::now()) < MIN_HELD_WAIT {
            return Ok(None);
        }
        let (_, set) = self.validator_set(height + 1).await?;
        if expected_address(set.proposer(height + 1, 0)) != self.params.address {
            return Ok(None);
        }
        Ok(Some(deadline))
    }

    /// When a proposer with nothing to propose builds its empty block anyway: the empty-block interval after the
    /// last commit, but never later than half the propose timeout from now.
    fn pacing_deadline(&self, propose_timeout: Duration) -> Instant {
        (self.last_commit_at + self.params.empty_block_interval).min(Instant::now() + propose_timeout / 2)
    }

    /// Answer a held `Finalized` when transactions wait, when its deadline has passed, or when `force` is set;
    /// otherwise set when to ask again.
    async fn release_held_start(&mut self, force: bool) -> Result<(), ConsensusError> {
        let Some(mut held) = self.held_start.take() else {
            return Ok(());
        };
        let now = Instant::now();
        let release = force
            || now >= held.deadline
            || call(&self.app, "has_pending_transactions", |a| a.has_pending_transactions()).await?;
        if release {
            debug!(height = held.height, "starting the height after pacing an empty block");
            self.paced_height = held.height;
            send(held.reply, held.next, "Finalized");
        } else {
            held.poll_at = (now + PENDING_POLL).min(held.deadline);
            self.held_start = Some(held);
        }
        Ok(())
    }

    /// Build (or rebuild after a restart) this node's proposal for `(height, round)`, stored durably.
    async fn get_value(
        &mut self,
        height: u64,
        round: u32,
        timeout: Duration,
    ) -> Result<StoredProposal, ConsensusError> {
        let me = self.params.address;
        if let Some(existing) = self.store.at_round(height, round).find(|p| p.record.proposer == me) {
            // The engine must get back the very value it may already have signed a proposal for.
            return Ok(existing.clone());
        }

        // Pace empty blocks: wait until transactions arrive or the empty-block interval has passed since the last
        // commit, but never long enough to miss the propose timeout. Usually done already, with the height's start
        // held (`HeldStart`); waiting here blocks the engine's other questions, so it is left for the heights
        // whose start was not held (a wait under `MIN_HELD_WAIT`, a height that followed a synced block, later
        // rounds). The first height of a run does not wait (see `Driver::new`).
        let paced = round == 0 && self.paced_height == height;
        let deadline = self.pacing_deadline(timeout);
        while !paced && Instant::now() < deadline {
            if call(&self.app, "has_pending_transactions", |a| a.has_pending_transactions()).await? {
                break;
            }
            tokio::time::sleep(PENDING_POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        }

        let block = call(&self.app, "propose", move |a| a.propose(height, round, me)).await?.map_err(|reason| {
            ConsensusError::Proposal {
                height,
                round,
                proposer: me.to_string(),
                reason: format!("the application could not build a block: {reason}"),
            }
        })?;
        let header = &block.header;
        if header.height != height || header.proposer != me || header.chain_id != self.params.chain_id {
            return Err(ConsensusError::Proposal {
                height,
                round,
                proposer: me.to_string(),
                reason: format!(
                    "the application built a block for height {} by {} on chain {}",
                    header.height, header.proposer, header.chain_id
                ),
            });
        }
        let block_bytes = block.encode();
        let init =
            PartsInit { height, round, proposer: me, block_len: u32::try_from(block_bytes.len()).unwrap_or(u32::MAX) };
        let signature = self.params.keypair.sign(&parts_signing_bytes(&self.params.chain_id, &init, &block_bytes));
        let stored = StoredProposal {
            block_hash: block.hash(),
            block: Arc::new(block),
            record: Arc::new(ProposalRecord { height, round, proposer: me, signature: Some(signature), block_bytes }),
        };
        self.store.put_own(stored.clone())?;
        Ok(stored)
    }

    /// The Byzantine test fault [`crate::Equivocation::FutureRoundProposals`]: sign a valid block for each of the
    /// next [`crate::FLOOD_ROUNDS`] rounds of `height` whose proposer this validator is, and stream them all now,
    /// ahead of the round-0 proposal of the honest proposer.
    async fn flood_future_rounds(
        &mut self,
        height: u64,
        channels: &Channels<PublicaContext>,
    ) -> Result<(), ConsensusError> {
        let me = self.params.address;
        let set = self.consensus_set(height).await?;
        let rounds: Vec<u32> =
            (1..=crate::FLOOD_ROUNDS).filter(|&r| expected_address(set.proposer(height, r)) == me).collect();
        let Some(&first) = rounds.first() else {
            return Ok(());
        };
        let block = match call(&self.app, "propose", move |a| a.propose(height, first, me)).await? {
            Ok(block) => block,
            Err(reason) => {
                warn!(height, %reason, "cannot build the blocks of the flood");
                return Ok(());
            }
        };
        warn!(height, blocks = rounds.len(), "flooding peers with proposals for future rounds (Byzantine test build)");
        for (i, round) in rounds.into_iter().enumerate() {
            let mut block = block.clone();
            block.header.time_ms += i as u64;
            let block_bytes = block.encode();
            let init = PartsInit { height, round, proposer: me, block_len: block_bytes.len() as u32 };
            let signature = self.params.keypair.sign(&parts_signing_bytes(&self.params.chain_id, &init, &block_bytes));
            for msg in stream_messages(&init, &block_bytes, &signature) {
                if channels.network.send(NetworkMsg::PublishProposalPart(msg)).await.is_err() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Send a stored proposal's parts to the network.
    async fn publish(&self, stored: &StoredProposal, channels: &Channels<PublicaContext>) {
        let Some(signature) = &stored.record.signature else {
            return;
        };
        let record = &stored.record;
        let init = PartsInit {
            height: record.height,
            round: record.round,
            proposer: record.proposer,
            block_len: u32::try_from(record.block_bytes.len()).unwrap_or(u32::MAX),
        };
        for msg in stream_messages(&init, &record.block_bytes, signature) {
            if channels.network.send(NetworkMsg::PublishProposalPart(msg)).await.is_err() {
                warn!("the network is stopping; proposal parts not sent");
                return;
            }
        }
    }

    async fn on_proposal_part(
        &mut self,
        publisher: PeerId,
        part: StreamMessage<ProposalPart>,
    ) -> Result<Option<ProposedValue<PublicaContext>>, ConsensusError> {
        let kind = match &part.content {
            StreamContent::Data(p) => p.kind(),
            StreamContent::Fin => "end",
        };
        debug!(%publisher, sequence = part.sequence, kind, "proposal part");
        let policy = self.stream_policy().await?;
        let parts = match self.buffer.insert(publisher, part, &policy) {
            Ok(Some(parts)) => parts,
            Ok(None) => return Ok(None),
            Err(e) => {
                debug!(%publisher, error = %e, "dropping proposal stream");
                return Ok(None);
            }
        };
        let height = parts.init.height;
        if self.current_height == 0 || height > self.current_height {
            return match self.queue_pending(parts).await {
                Ok(()) => Ok(None),
                Err(e @ ConsensusError::Application { .. }) => Err(e),
                Err(e) => {
                    warn!(error = %e, "early proposal rejected");
                    Ok(None)
                }
            };
        }
        if height < self.current_height {
            return Ok(None);
        }
        match self.accept(parts).await {
            Ok(value) => Ok(value),
            Err(e @ ConsensusError::Application { .. }) => Err(e),
            Err(e) => {
                warn!(error = %e, "proposal rejected");
                Ok(None)
            }
        }
    }

    /// The consensus view of the validator set of `height` (cheap to clone).
    async fn consensus_set(&mut self, height: u64) -> Result<ConsensusValidatorSet, ConsensusError> {
        if let Some((_, set)) = self.validator_sets.get(&height) {
            return Ok(set.clone());
        }
        Ok(self.validator_set(height).await?.1)
    }

    /// The rules a new proposal stream must pass at its first part: the height this node runs (or is about to
    /// run), its round, and the latest validator set this node knows.
    async fn stream_policy(&mut self) -> Result<StreamPolicy, ConsensusError> {
        let height = self.current_height.max(self.committed_height + 1);
        let round = if self.current_height == height { self.current_round } else { 0 };
        let set = self.consensus_set(height).await?;
        Ok(StreamPolicy { height, round, rounds_ahead: MAX_ROUNDS_AHEAD, heights_ahead: MAX_PENDING_HEIGHT_AHEAD, set })
    }

    /// Keep a complete proposal for a later height until that height starts, once it is authenticated: its
    /// proposer is the one of its height and round, and the stream signature is that proposer's. The set of a later
    /// height is not known yet, so the latest one is used (sets change only by governance); the proposal is checked
    /// again against its own height's set when accepted. One proposal per height, round and proposer is kept (a
    /// second is equivocation), at most [`MAX_PENDING_PROPOSALS`] and [`MAX_PENDING_BYTES`] in all, the farthest
    /// height and round dropped first.
    async fn queue_pending(&mut self, parts: AssembledParts) -> Result<(), ConsensusError> {
        let init = &parts.init;
        let reject = |reason: String| ConsensusError::Proposal {
            height: init.height,
            round: init.round,
            proposer: init.proposer.to_string(),
            reason,
        };
        let base = self.current_height.max(self.committed_height + 1);
        if init.height > base + MAX_PENDING_HEIGHT_AHEAD || init.round > MAX_ROUNDS_AHEAD {
            return Err(reject(format!(
                "only rounds 0 to {MAX_ROUNDS_AHEAD} of the next {MAX_PENDING_HEIGHT_AHEAD} heights after {base} are \
                 kept for later"
            )));
        }
        let set = self.consensus_set(base).await?;
        let expected = expected_address(set.proposer(init.height, init.round));
        if expected != init.proposer {
            return Err(reject(format!("the proposer of this round is {expected}")));
        }
        let public_key = set.public_key(&init.proposer).expect("the proposer is a member of the set");
        let signed = parts_signing_bytes(&self.params.chain_id, init, &parts.block_bytes);
        if public_key.verify(&signed, &parts.signature).is_err() {
            return Err(reject("the stream signature is invalid".into()));
        }
        let key = (init.height, init.round, init.proposer);
        if self.pending.contains_key(&key) {
            return Ok(());
        }
        self.pending_bytes += parts.block_bytes.len();
        self.pending.insert(key, parts);
        while self.pending.len() > MAX_PENDING_PROPOSALS || self.pending_bytes > MAX_PENDING_BYTES {
            let ((height, round, proposer), dropped) = self.pending.pop_last().expect("over a bound, so not empty");
            self.pending_bytes -= dropped.block_bytes.len();
            debug!(height, round, %proposer, "too many early proposals; dropping the farthest");
        }
        Ok(())
    }

    /// Authenticate, decode and validate a complete proposal of the current height. Returns the value to report to
    /// the engine now, or `None` for a block of a later round: it is kept, and reported when its round starts
    /// ([`Self::on_started_round`]). A block the store does not keep is never reported valid.
    // Long because a proposal's checks run in one order, cheapest first (round, proposer, signature, decoding,
    // duplicates, equivocation, validity), and read best top to bottom.
    async fn accept(&mut self, parts: AssembledParts) -> Result<Option<ProposedValue<PublicaContext>>, ConsensusError> {
        let AssembledParts { init, block_bytes, signature } = parts;
        let reject = |reason: String| ConsensusError::Proposal {
            height: init.height,
            round: init.round,
            proposer: init.proposer.to_string(),
            reason,
        };
        let ahead_max = self.current_round.saturating_add(MAX_ROUNDS_AHEAD);
        if init.round > ahead_max {
            return Err(reject(format!(
                "this node is in round {}; proposals more than {MAX_ROUNDS_AHEAD} rounds ahead are not kept",
                self.current_round
            )));
        }
        let report_now = init.round <= self.current_round;
        let (_, set) = self.validator_set(init.height).await?;
        let expected = set.proposer(init.height, init.round);
        if expected_address(expected) != init.proposer {
            return Err(reject(format!("the proposer of this round is {}", expected_address(expected))));
        }
        let public_key = set.public_key(&init.proposer).expect("the proposer is a member of the set");
        if public_key.verify(&parts_signing_bytes(&self.params.chain_id, &init, &block_bytes), &signature).is_err() {
            return Err(reject("the stream signature is invalid".into()));
        }
        let record = ProposalRecord {
            height: init.height,
            round: init.round,
            proposer: init.proposer,
            signature: Some(signature),
            block_bytes,
        };
        // The signature is the proposer's: a block that does not decode, or that claims another height or
        // proposer, is an invalid proposal and gets a nil vote.
        let stored = match ProposalStore::decode_record(record) {
            Ok(stored) => stored,
            Err(e) => return Err(reject(format!("the block is malformed: {e}"))),
        };
        let hash = stored.block_hash;
        if self.store.by_hash(init.height, &hash).is_some() {
            if !report_now {
                return Ok(None);
            }
            self.store.mark_reported(init.height, init.round);
            return Ok(Some(proposed_value(&stored.record, hash, Validity::Valid)));
        }
        let invalid = self.invalid.get(&(init.height, init.round)).map(|(h, _)| *h);
        if invalid == Some(hash) {
            return Ok(report_now.then(|| proposed_value(&stored.record, hash, Validity::Invalid)));
        }
        // One block per proposer and round: a second one is equivocation (the engine reports the conflicting signed
        // proposals as evidence); only the first is considered, so a proposer cannot make this node validate and
        // keep blocks without end.
        if let Some(earlier) = self.store.proposed_in(init.height, init.round, &init.proposer).or(invalid) {
            return Err(reject(format!(
                "the proposer already proposed block {} for this round; a second block for the same round is not \
                 considered",
                BlockId(earlier)
            )));
        }
        let validity = if stored.block.header.chain_id != self.params.chain_id {
            warn!(height = init.height, "proposal for another chain");
            Validity::Invalid
        } else {
            let block = Arc::clone(&stored.block);
            match call(&self.app, "validate", move |a| a.validate(&block)).await? {
                Ok(()) => Validity::Valid,
                Err(reason) => {
                    warn!(height = init.height, round = init.round, %reason, "the application rejected a proposal");
                    Validity::Invalid
                }
            }
        };
        let value = proposed_value(&stored.record, hash, validity);
        if validity.is_valid() {
            if let Admission::Refused(reason) = self.store.put_received(stored, report_now)? {
                return Err(reject(reason));
            }
        } else {
            self.invalid.insert((init.height, init.round), (hash, init.proposer));
        }
        Ok(report_now.then_some(value))
    }

    /// Verify a decided certificate and its precommits' extensions, and hand the block to the application.
    async fn commit(&mut self, cert: CommitCertificate, extensions: DecidedExtensions) -> Result<(), ConsensusError> {
        let height = cert.height;
        if height <= self.committed_height {
            return Ok(());
        }
        let fail = |reason: String| ConsensusError::Commit { height, reason };
        let (set, _) = self.validator_set(height).await?;
        cert.verify(&self.params.chain_id, &set).map_err(|e| fail(format!("the certificate does not verify: {e}")))?;
        // The engine checked each extension as it arrived; checked again here, as a whole, because what is stored
        // now is what this node will serve and what the notary checkpoint is assembled from.
        extensions
            .verify(&self.params.chain_id, &cert, &set)
            .map_err(|e| fail(format!("the vote extensions do not verify: {e}")))?;
        let stored = self
            .store
            .by_hash(height, &cert.block_hash)
            .cloned()
            .ok_or_else(|| fail("the decided block is not in the proposal store".into()))?;
        let block = Block::clone(&stored.block);
        let started = Instant::now();
        let extension_count = extensions.len();
        // A block fetched by value sync, not decided by this node's own round: the application may defer its sync
        // to the disk (a crash then loses only blocks that are fetched again).
        let synced = self.synced.contains(&height);
        if synced {
            call(&self.app, "commit_synced", move |a| a.commit_synced(block, cert, extensions)).await?
        } else {
            call(&self.app, "commit", move |a| a.commit(block, cert, extensions)).await?
        }
        .map_err(|reason| fail(format!("the application refused the block: {reason}")))?;
        self.synced = self.synced.split_off(&(height + 1));
        self.committed_height = height;
        self.last_commit_at = Instant::now();
        self.last_commit_synced = synced;
        self.store.prune(height);
        self.invalid = self.invalid.split_off(&(height + 1, 0));
        info!(
            height,
            txs = stored.block.txs.len(),
            extensions = extension_count,
            synced,
            commit_ms = started.elapsed().as_millis() as u64,
            "committed"
        );
        self.set_status(|s| {
            s.last_committed_height = height;
            s.last_block_hash = Some(stored.block_hash);
        });
        Ok(())
    }

    async fn decided_values(
        &self,
        start: u64,
        end: u64,
    ) -> Result<Vec<RawDecidedValue<PublicaContext>>, ConsensusError> {
        // The engine does not bound the range a peer asks for; this loop does, by count and by bytes. One call of
        // the application for the whole range: a response of small blocks is read in one go, not height by height
        // through the blocking pool.
        let end = end.min(start.saturating_add(MAX_SYNC_VALUES - 1));
        call(&self.app, "decided_block", move |a| {
            let mut values = Vec::new();
            let mut bytes = 0usize;
            for height in start..=end {
                let Some((block, cert, extensions)) = a.decided_block(height) else {
                    break;
                };
                let block_bytes = block.encode();
                // Encoded sizes, as in the response: a height with many large extensions weighs more than its block.
                bytes += block_bytes.len() + publica_types::encode(&cert).len() + extensions.encode().len();
                if bytes > MAX_SYNC_RESPONSE_BYTES && !values.is_empty() {
                    break;
                }
                values.push(RawDecidedValue::new(Bytes::from(block_bytes), certificate_to_engine(&cert, &extensions)));
            }
            values
        })
        .await
    }

    fn on_synced_value(
        &mut self,
        height: u64,
        round: Round,
        proposer: ValidatorAddress,
        value_bytes: Bytes,
    ) -> SyncedValueOutcome<PublicaContext> {
        let Some(round_u32) = round.as_u32() else {
            return SyncedValueOutcome::PeerFault;
        };
        let record = ProposalRecord {
            height,
            round: round_u32,
            proposer: proposer.0,
            signature: None,
            block_bytes: value_bytes.to_vec(),
        };
        let stored = match ProposalStore::decode_record(record) {
            Ok(stored) if stored.block.header.chain_id == self.params.chain_id => stored,
            Ok(_) => {
                warn!(height, "synced block is for another chain");
                return SyncedValueOutcome::PeerFault;
            }
            Err(e) => {
                warn!(height, error = %e, "synced block is malformed");
                return SyncedValueOutcome::PeerFault;
            }
        };
        // The engine checks the value against the synced commit certificate before deciding it; a block that
        // does not match is never decided. The block is kept in memory only (it is committed right away), and
        // always: no bound of the store may stop a node from committing what the network decided.
        let value = proposed_value(&stored.record, stored.block_hash, Validity::Valid);
        self.store.put_decided(stored);
        if height > self.committed_height {
            if self.synced.len() >= MAX_SYNCED_HEIGHTS {
                self.synced.pop_last();
            }
            self.synced.insert(height);
        }
        SyncedValueOutcome::Verdict(value)
    }
}

/// The engine's evidence of a height in Publica's form: one [`Misbehavior`] per conflicting pair. A pair that does
/// not make valid evidence (a nil round, or messages that do not conflict by Publica's rule) is logged and left
/// out; the engine only pairs messages whose signatures it verified.
fn misbehavior_from_engine(evidence: &MisbehaviorEvidence<PublicaContext>) -> Vec<Misbehavior> {
    let mut out = Vec::new();
    for (validator, pairs) in &evidence.votes {
        for (a, b) in pairs {
            let piece = match (a.message.body(), b.message.body()) {
                (Some(first), Some(second)) => Misbehavior::double_vote(
                    SignedVote { vote: first, signature: a.signature.0.clone() },
                    SignedVote { vote: second, signature: b.signature.0.clone() },
                )
                .map_err(|e| e.to_string()),
                _ => Err("a vote has a nil round".to_string()),
            };
            match piece {
                Ok(piece) => out.push(piece),
                Err(reason) => warn!(%validator, %reason, "conflicting votes left out of the evidence"),
            }
        }
    }
    for (validator, pairs) in &evidence.proposals {
        for (a, b) in pairs {
            let piece = match (a.message.body(), b.message.body()) {
                (Some(first), Some(second)) => Misbehavior::double_proposal(
                    SignedProposal { proposal: first, signature: a.signature.0.clone() },
                    SignedProposal { proposal: second, signature: b.signature.0.clone() },
                )
                .map_err(|e| e.to_string()),
                _ => Err("a proposal has a nil round".to_string()),
            };
            match piece {
                Ok(piece) => out.push(piece),
                Err(reason) => warn!(%validator, %reason, "conflicting proposals left out of the evidence"),
            }
        }
    }
    out
}

fn expected_address(v: &crate::context::ConsensusValidator) -> Address {
    use arc_malachitebft_app_channel::app::types::core::Validator;
    v.address().0
}

fn proposed_value(record: &ProposalRecord, hash: Hash, validity: Validity) -> ProposedValue<PublicaContext> {
    ProposedValue {
        height: BlockHeight(record.height),
        round: Round::new(record.round),
        valid_round: Round::Nil,
        proposer: ValidatorAddress(record.proposer),
        value: BlockId(hash),
        validity,
    }
}

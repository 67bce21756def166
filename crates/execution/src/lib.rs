//! The deterministic state machine: applies a block's transactions through the modules.
//!
//! Execution is a pure function of (committed state, state tree, block environment, transactions): it never reads
//! a clock, the network or a random source. Block time and height come from the header being built or checked.
//! The same function serves the proposer (which drops failing transactions and reports why) and every validator
//! (which refuses a block holding a failing transaction), so both compute the same state root.
//!
//! After the transactions, a block's evidence of misbehaviour is recorded (see `publica_types::evidence`): the node
//! has checked each piece against the validator set of its height before execution, because that history lives
//! in the block store, not in the state. What the state decides is checked here, for every validator alike: one
//! offence per validator and height, and at most `MAX_EVIDENCE_PER_VALIDATOR` per validator
//! (`evidence::check_recordable`). A proposer leaves out a piece that cannot be recorded; a validator refuses a
//! block that holds one.

mod native;
mod overlay;

use std::collections::{BTreeMap, HashMap};

use publica_merkle::{key_hash, value_hash, StateTree, NODE_LEN};
use publica_tx::{Call, Transaction};
use publica_types::{
    codec, evidence, Address, CallContext, ChainId, Code, ErrorCode, Genesis, Hash, Misbehavior, PublicKeyBytes,
    StateRead, TxError, TxId, TxOutcome, ValidatorSet,
};

pub use native::ContractNativeCalls;
pub use overlay::{BlockOverlay, TxOverlay};
pub use publica_notary::{AnchorIndex, EmptyIndex, LogAppend};

use publica_notary::BlockLog;

/// State key of the validator set that signs the next block.
pub use publica_governance::VALIDATORS_KEY;
/// State key of the chain id.
pub const CHAIN_ID_KEY: &[u8] = b"sys/chain-id";
/// State key of the genesis document's hash.
pub const GENESIS_HASH_KEY: &[u8] = b"sys/genesis-hash";

/// Every stable error code a refusal or an API error may carry: the generic codes of the envelope, admission
/// and the API ([`ErrorCode::ALL`]), then each module's own codes in module order (accounts 3000-3099,
/// governance 3100-3199, notary 3200-3299, registries 3300-3699, identity 3700-3799, elections 3800-3899,
/// finance 3900-3999, procurement 4000-4099, data 4100-4199, contracts 4200-4299). The OpenAPI document and `docs/api.md` list exactly
/// these.
pub fn error_codes() -> Vec<Code> {
    let generic = ErrorCode::ALL.iter().map(|&c| Code::from(c));
    let modules = [
        publica_accounts::error::CODES,
        publica_governance::error::CODES,
        publica_notary::error::CODES,
        publica_registry::error::CODES,
        publica_identity::error::CODES,
        publica_elections::error::CODES,
        publica_finance::error::CODES,
        publica_procurement::error::CODES,
        publica_data::error::CODES,
        publica_contracts::error::CODES,
    ];
    generic.chain(modules.into_iter().flatten().copied()).collect()
}

/// Who wrote each key a block changed: `Some(sender)` when only that sender's transactions wrote it, `None` when
/// several senders did, or the block itself (evidence, the notary log's head). Admission uses it to tell whether a
/// sender's pending transactions, executed on an earlier state, still hold on the new one
/// (see `publica_node::mempool`).
pub type Writers = HashMap<Vec<u8>, Option<Address>>;

/// State changes of a block, sorted by key; `None` deletes.
pub type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Where and when a block executes.
#[derive(Clone, Debug)]
pub struct BlockEnv {
    /// The network.
    pub chain_id: ChainId,
    /// Height of the block.
    pub height: u64,
    /// Block time from the header, Unix milliseconds.
    pub time_ms: u64,
}

/// How to treat a transaction that fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Building a block: drop the transaction, report it, go on.
    Propose,
    /// Checking someone else's block: the block is invalid.
    Validate,
    /// Checking one transaction at admission: as [`Mode::Validate`], but the notary log is not extended (its
    /// per-hash work cannot fail and would be done again in the block; the outcome is thrown away).
    Admit,
}

/// Checks a transaction's signature against the sender's current key. The node implements it with a cache of
/// signatures verified at admission; [`VerifyEveryTime`] verifies on the spot.
pub trait SignatureCheck {
    /// `Ok` if `tx.signature` is a valid signature of `tx.body` by `key`. `full_hash` is `tx.full_hash()`, computed
    /// once by the caller, which also needs it for the block's `tx_root`.
    fn check(&self, tx: &Transaction, full_hash: &Hash, key: &PublicKeyBytes) -> Result<(), TxError>;
}

/// A [`SignatureCheck`] without a cache.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyEveryTime;

impl SignatureCheck for VerifyEveryTime {
    fn check(&self, tx: &Transaction, _full_hash: &Hash, key: &PublicKeyBytes) -> Result<(), TxError> {
        verify_signature(tx, key)
    }
}

/// Verify a transaction's hybrid signature with a stored key, as a refusal with a stable code.
pub fn verify_signature(tx: &Transaction, key: &PublicKeyBytes) -> Result<(), TxError> {
    let key = key.parse().map_err(|e| {
        TxError::new(
            ErrorCode::BadSignature,
            format!("the sender's stored key does not parse ({e}); the state is damaged"),
        )
    })?;
    key.verify(&tx.body.signing_bytes(), &tx.signature).map_err(|e| {
        TxError::new(
            ErrorCode::BadSignature,
            format!("signature does not verify with the sender's current key: {e}; sign the transaction body again"),
        )
    })
}

/// The result of executing a block.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Transactions that succeeded, in order (all of them in [`Mode::Validate`]).
    pub included: Vec<Transaction>,
    /// Full hashes of `included`, in the same order, for the block's `tx_root`.
    pub included_hashes: Vec<Hash>,
    /// What each transaction of `included` created, in the same order (stored beside the transaction and served
    /// with its status).
    pub outcomes: Vec<TxOutcome>,
    /// Transactions dropped while proposing, with the reason.
    pub rejected: Vec<(TxId, TxError)>,
    /// The evidence of misbehaviour the block recorded, in order: all of it when validating, what could be
    /// recorded when proposing.
    pub evidence: Vec<Misbehavior>,
    /// State changes.
    pub changes: Changes,
    /// Who wrote each changed key (empty in [`Mode::Admit`]).
    pub writers: Writers,
    /// What the block added to the notary log (entries and hashes to store beside the block).
    pub log: LogAppend,
    /// The state tree after the block. In [`Mode::Admit`] the tree is not updated (the outcome is thrown away
    /// and hashing the changed paths would double the cost of a dry run): it is the tree before.
    pub tree: StateTree,
    /// The tree nodes the block created, `(hash, encoding)`: stored beside the block, they keep every past state
    /// root provable (`publica_merkle::prove_from_store`).
    pub nodes: Vec<(Hash, [u8; NODE_LEN])>,
    /// The validator set that signs the next block, when the block changed it (governance): `None` when the set
    /// after the block is the set before it, even if the block wrote it.
    pub next_validators: Option<ValidatorSet>,
}

impl Outcome {
    /// The state root after the block.
    pub fn state_root(&self) -> Hash {
        self.tree.root()
    }

    /// The set that signs the next block: the one this block installed, or else `current`, the set of this block.
    pub fn next_validator_set<'a>(&'a self, current: &'a ValidatorSet) -> &'a ValidatorSet {
        self.next_validators.as_ref().unwrap_or(current)
    }
}

/// A block that fails validation: a failing transaction or evidence that cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// A transaction fails.
    #[error(transparent)]
    Transaction(#[from] InvalidBlock),
    /// A piece of evidence cannot be recorded.
    #[error("evidence {index} of the block cannot be recorded: {reason}")]
    Evidence {
        /// Position of the piece in the block's evidence.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// A block whose transaction fails validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transaction {index} ({tx_id}) of the block fails: {error}")]
pub struct InvalidBlock {
    /// Position of the failing transaction.
    pub index: usize,
    /// Its id.
    pub tx_id: TxId,
    /// Why it fails.
    pub error: TxError,
}

/// Execute `txs` on top of `base` (the committed state), `tree` (its authenticated map) and `anchors` (the
/// committed notary log's index), for a block without evidence of misbehaviour.
pub fn execute_block(
    base: &dyn StateRead,
    tree: &StateTree,
    anchors: &dyn AnchorIndex,
    env: &BlockEnv,
    txs: Vec<Transaction>,
    mode: Mode,
    signatures: &dyn SignatureCheck,
) -> Result<Outcome, InvalidBlock> {
    execute_block_hashed(base, tree, anchors, env, with_full_hashes(txs), mode, signatures)
}

/// As [`execute_block`], for transactions whose full hashes the caller already holds (see
/// [`execute_block_with_evidence_hashed`]).
pub fn execute_block_hashed(
    base: &dyn StateRead,
    tree: &StateTree,
    anchors: &dyn AnchorIndex,
    env: &BlockEnv,
    txs: Vec<(Transaction, Hash)>,
    mode: Mode,
    signatures: &dyn SignatureCheck,
) -> Result<Outcome, InvalidBlock> {
    execute_block_with_evidence_hashed(base, tree, anchors, env, txs, &[], mode, signatures).map_err(|e| match e {
        BlockError::Transaction(invalid) => invalid,
        BlockError::Evidence { .. } => unreachable!("a block without evidence has no evidence to refuse"),
    })
}

/// As [`execute_block`], then record `evidence` (already verified by the caller against the validator sets of
/// the offences' heights) in the state, in order. A piece that cannot be recorded
/// (`publica_types::evidence::check_recordable`: its validator already has an offence recorded at that height, or
/// the most offences kept per validator) is left out when proposing ([`Outcome::evidence`] lists what was
/// recorded) and makes the block invalid when validating.
#[allow(clippy::too_many_arguments)]
pub fn execute_block_with_evidence(
    base: &dyn StateRead,
    tree: &StateTree,
    anchors: &dyn AnchorIndex,
    env: &BlockEnv,
    txs: Vec<Transaction>,
    evidence: &[Misbehavior],
    mode: Mode,
    signatures: &dyn SignatureCheck,
) -> Result<Outcome, BlockError> {
    execute_block_with_evidence_hashed(base, tree, anchors, env, with_full_hashes(txs), evidence, mode, signatures)
}

fn with_full_hashes(txs: Vec<Transaction>) -> Vec<(Transaction, Hash)> {
    txs.into_iter()
        .map(|tx| {
            let full_hash = tx.full_hash();
            (tx, full_hash)
        })
        .collect()
}

/// As [`execute_block_with_evidence`], for transactions whose full hashes ([`Transaction::full_hash`]) the caller
/// already holds: the node computes each transaction's full hash once, at admission, and keeps it beside the
/// transaction in its mempool, rather than encoding and hashing the transaction again at every execution. A
/// wrong hash is the caller's bug: it would put a wrong `tx_root` in the block, which every other validator
/// refuses.
// Long because: a block's execution in the order every validator must follow exactly (transactions, evidence,
// validator set, state tree), each step a few lines over the same overlay.
#[allow(clippy::too_many_arguments)]
pub fn execute_block_with_evidence_hashed(
    base: &dyn StateRead,
    tree: &StateTree,
    anchors: &dyn AnchorIndex,
    env: &BlockEnv,
    txs: Vec<(Transaction, Hash)>,
    evidence: &[Misbehavior],
    mode: Mode,
    signatures: &dyn SignatureCheck,
) -> Result<Outcome, BlockError> {
    let mut block = BlockOverlay::new(base);
    let mut log = if mode == Mode::Admit { BlockLog::dry_run(anchors) } else { BlockLog::open(base, anchors) };
    let mut included = Vec::with_capacity(txs.len());
    let mut included_hashes = Vec::with_capacity(txs.len());
    let mut outcomes = Vec::with_capacity(txs.len());
    let mut rejected = Vec::new();
    // Senders whose transaction failed while proposing, with that transaction's nonce: their later transactions
    // in this block cannot run, and are told why instead of getting a puzzling nonce error.
    let mut failed: HashMap<Address, u64> = HashMap::new();
    let mut writers = Writers::new();
    let attribute = mode != Mode::Admit;
    for (index, (tx, full_hash)) in txs.into_iter().enumerate() {
        if let Some(nonce) = failed.get(&tx.body.sender).filter(|n| tx.body.nonce > **n) {
            let error = TxError::new(
                ErrorCode::BadNonce,
                format!("this sender's transaction with nonce {nonce} failed earlier in the block; submit again from that nonce"),
            );
            rejected.push((tx.id(), error));
            continue;
        }
        let mut scratch = TxOverlay::new(&block);
        match execute_tx(&mut scratch, env, &tx, &full_hash, signatures, &mut log) {
            Ok(outcome) => {
                failed.remove(&tx.body.sender);
                let writes = scratch.into_writes();
                if attribute {
                    let sender = tx.body.sender;
                    for key in writes.keys() {
                        writers
                            .entry(key.clone())
                            .and_modify(|w| {
                                if *w != Some(sender) {
                                    *w = None;
                                }
                            })
                            .or_insert(Some(sender));
                    }
                }
                block.absorb(writes);
                included.push(tx);
                included_hashes.push(full_hash);
                outcomes.push(outcome);
            }
            Err(error) => match mode {
                Mode::Propose => {
                    failed.insert(tx.body.sender, tx.body.nonce);
                    rejected.push((tx.id(), error));
                }
                Mode::Validate | Mode::Admit => return Err(InvalidBlock { index, tx_id: tx.id(), error }.into()),
            },
        }
    }
    let mut recorded = Vec::with_capacity(evidence.len());
    if !evidence.is_empty() {
        let mut scratch = TxOverlay::new(&block);
        for (index, piece) in evidence.iter().enumerate() {
            match evidence::record(&mut scratch, piece) {
                Ok(()) => recorded.push(piece.clone()),
                // The proposer's pool may hold a piece a block recorded meanwhile; it is simply left out.
                Err(_) if mode == Mode::Propose => {}
                Err(e) => return Err(BlockError::Evidence { index, reason: e.to_string() }),
            }
        }
        let writes = scratch.into_writes();
        if attribute {
            writers.extend(writes.keys().map(|k| (k.clone(), None)));
        }
        block.absorb(writes);
    }
    let log = {
        let mut scratch = TxOverlay::new(&block);
        let log = log.finish(&mut scratch);
        let writes = scratch.into_writes();
        if attribute {
            writers.extend(writes.keys().map(|k| (k.clone(), None)));
        }
        block.absorb(writes);
        log
    };
    let changes = block.into_changes();
    let (tree, nodes) = if mode == Mode::Admit { (tree.clone(), Vec::new()) } else { updated_tree(tree, &changes) };
    // A change of the set is reported only when the set differs from the one before the block: two approvals in
    // one block may write it twice and end where it began (power 3 -> 2 -> 3), and such a no-op would otherwise be
    // stored and served as a change. Encodings are canonical, so equal bytes are equal sets (and hashes).
    let next_validators = match changes.get(VALIDATORS_KEY) {
        Some(Some(bytes)) if base.get(VALIDATORS_KEY).as_deref() != Some(bytes.as_slice()) => {
            Some(ValidatorSet::decode(bytes).expect("governance writes only valid sets"))
        }
        _ => None,
    };
    Ok(Outcome {
        included,
        included_hashes,
        outcomes,
        rejected,
        evidence: recorded,
        changes,
        writers,
        log,
        tree,
        nodes,
        next_validators,
    })
}

/// The checks every transaction passes before its call runs, then the call, then the nonce bump; returns what the
/// call created.
fn execute_tx(
    state: &mut TxOverlay<'_, '_>,
    env: &BlockEnv,
    tx: &Transaction,
    full_hash: &Hash,
    signatures: &dyn SignatureCheck,
    log: &mut BlockLog<'_>,
) -> Result<TxOutcome, TxError> {
    let body = &tx.body;
    if body.chain_id != env.chain_id {
        return Err(TxError::new(
            ErrorCode::WrongChain,
            format!("transaction is for chain {}, this is {}", body.chain_id, env.chain_id),
        ));
    }
    if body.expires_at_ms < env.time_ms {
        return Err(TxError::new(
            ErrorCode::Expired,
            format!(
                "transaction expired at {} ms, block time is {} ms; sign it again with a later expiry",
                body.expires_at_ms, env.time_ms
            ),
        ));
    }
    if tx.is_anonymous() || body.call.is_anonymous() {
        return execute_anonymous(state, env, tx, log);
    }
    let sender = publica_accounts::account(state, &body.sender).ok_or_else(|| {
        TxError::new(ErrorCode::UnknownSender, format!("sender {} is not a registered account", body.sender))
    })?;
    if !sender.active {
        return Err(TxError::new(
            ErrorCode::AccountInactive,
            format!("sender {} is suspended; its agency's administrator can reinstate it", body.sender),
        ));
    }
    signatures.check(tx, full_hash, &sender.public_key)?;
    let expected = publica_accounts::next_nonce(state, &body.sender);
    if body.nonce != expected {
        return Err(TxError::new(
            ErrorCode::BadNonce,
            format!(
                "nonce {} was expected, the transaction has {} (already used or out of order)",
                expected, body.nonce
            ),
        ));
    }
    let outcome = dispatch(state, env, tx, log)?;
    publica_accounts::bump_nonce(state, &body.sender);
    Ok(outcome)
}

/// Run a checked transaction's call in its module.
fn dispatch(
    state: &mut TxOverlay<'_, '_>,
    env: &BlockEnv,
    tx: &Transaction,
    log: &mut BlockLog<'_>,
) -> Result<TxOutcome, TxError> {
    let ctx = CallContext {
        chain_id: env.chain_id.clone(),
        height: env.height,
        time_ms: env.time_ms,
        tx_id: tx.id(),
        sender: tx.body.sender,
        nonce: tx.body.nonce,
    };
    Ok(match &tx.body.call {
        Call::Accounts(call) => publica_accounts::execute(state, &ctx, call)?,
        // Hashes anchored before are reported through the log's index (their first entry), not refused; the
        // entries an anchoring adds are found there by document hash too, so it reports nothing itself.
        Call::Notary(call) => {
            publica_notary::execute(state, &ctx, call, log)?;
            TxOutcome::None
        }
        Call::Governance(call) => publica_governance::execute(state, &ctx, call)?,
        Call::Registry(call) => publica_registry::execute(state, &ctx, call)?,
        Call::Identity(call) => publica_identity::execute(state, &ctx, call)?,
        Call::Elections(call) => publica_elections::execute(state, &ctx, call)?,
        Call::Finance(call) => publica_finance::execute(state, &ctx, call)?,
        Call::Procurement(call) => publica_procurement::execute(state, &ctx, call)?,
        Call::Data(call) => publica_data::execute(state, &ctx, call)?,
        Call::Contracts(call) => publica_contracts::execute(state, &ctx, call, &native::ContractNativeCalls)?,
    })
}

/// A transaction no account signs ([`Transaction::anonymous`]): only a call that authenticates itself, with the
/// absent signature and nonce 0, and no nonce to bump (the call's module refuses a replay: a ballot already on the
/// board). Such a call from an account is refused too: a ballot sent by a citizen's account would tie the citizen
/// to the credential for everyone to see.
fn execute_anonymous(
    state: &mut TxOverlay<'_, '_>,
    env: &BlockEnv,
    tx: &Transaction,
    log: &mut BlockLog<'_>,
) -> Result<TxOutcome, TxError> {
    let body = &tx.body;
    if !body.call.is_anonymous() {
        return Err(TxError::new(
            ErrorCode::UnknownSender,
            format!("the anonymous sender may only cast ballots, not {}.{}", body.call.module(), body.call.method()),
        ));
    }
    if !tx.is_anonymous() {
        return Err(TxError::new(
            ErrorCode::BadSignature,
            "a ballot is sent anonymously (sender 0000…, nonce 0, no signature), never by an account: an account \
             would tie its holder to the ballot's credential; send it as `Transaction::anonymous` builds it",
        ));
    }
    if body.nonce != 0 || !tx.signature.is_absent() {
        return Err(TxError::new(
            ErrorCode::BadSignature,
            "an anonymous transaction has nonce 0 and the absent (all-zero) signature; the ballot's own signature \
             authenticates it",
        ));
    }
    dispatch(state, env, tx, log)
}

/// The state of a new network: system keys and every module's genesis.
pub fn genesis_state(genesis: &Genesis) -> Outcome {
    struct Empty;
    impl StateRead for Empty {
        fn get(&self, _: &[u8]) -> Option<Vec<u8>> {
            None
        }
    }
    let mut block = BlockOverlay::new(&Empty);
    {
        let mut scratch = TxOverlay::new(&block);
        use publica_types::StateWrite;
        scratch.put(CHAIN_ID_KEY.to_vec(), genesis.chain_id.as_str().as_bytes().to_vec());
        scratch.put(GENESIS_HASH_KEY.to_vec(), genesis.hash().to_vec());
        scratch.put(VALIDATORS_KEY.to_vec(), codec::encode(&genesis.validators));
        publica_accounts::apply_genesis(&mut scratch, genesis);
        let writes = scratch.into_writes();
        block.absorb(writes);
    }
    let changes = block.into_changes();
    let (tree, nodes) = updated_tree(&StateTree::new(), &changes);
    Outcome {
        included: Vec::new(),
        included_hashes: Vec::new(),
        outcomes: Vec::new(),
        rejected: Vec::new(),
        evidence: Vec::new(),
        writers: changes.keys().map(|k| (k.clone(), None)).collect(),
        changes,
        log: LogAppend::default(),
        tree,
        nodes,
        next_validators: None,
    }
}

/// The validator set stored in the state: the one that signs the block after that state.
pub use publica_governance::validator_set;

fn updated_tree(tree: &StateTree, changes: &Changes) -> (StateTree, Vec<(Hash, [u8; NODE_LEN])>) {
    let hashed: Vec<(Hash, Option<Hash>)> =
        changes.iter().map(|(k, v)| (key_hash(k), v.as_deref().map(value_hash))).collect();
    let mut tree = tree.clone();
    let nodes = tree.apply(hashed);
    (tree, nodes)
}

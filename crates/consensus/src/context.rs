//! Publica's types as the engine sees them: the Malachite `Context` and everything it names.
//!
//! Every type here is a thin wrapper around a `publica-types` or `publica-crypto` value, so that a vote, a
//! proposal or a certificate converts to its engine-independent form without loss:
//!
//! - a height is a `u64` (blocks start at 1);
//! - an address is a [`publica_crypto::Address`];
//! - a value is a [`BlockId`], the block hash: the block itself travels as proposal parts and is kept by this
//!   crate's proposal store, the engine only ever handles its hash;
//! - a vote converts to a [`VoteBody`] and a proposal to a [`ProposalBody`]; their signatures are hybrid
//!   signatures over exactly `VoteBody::signing_bytes` and `ProposalBody::signing_bytes` (see `signing`);
//! - a vote extension is a [`VoteExtension`], at most `MAX_VOTE_EXTENSION_BYTES`, attached to non-nil precommits
//!   and signed separately over `SignedVoteExtension::signing_bytes` (a precommit's own signature never covers its
//!   extension: the engine re-derives votes after a crash and compares them without their extensions).

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use arc_malachitebft_app_channel::app::types::core::{
    self as mc, LinearTimeouts, NilOrVal, Round, SignedExtension, VoteType,
};
use publica_crypto::{Address, Hash, PublicKey, Signature};
use publica_types::{ProposalBody, ValidatorSet, VoteBody, VoteKind, MAX_VOTE_EXTENSION_BYTES};

use crate::error::ConsensusError;
use crate::parts::ProposalPart;

/// A block height. Height 0 is "before the first block"; consensus starts at 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockHeight(pub u64);

impl fmt::Display for BlockHeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mc::Height for BlockHeight {
    const ZERO: Self = Self(0);
    const INITIAL: Self = Self(1);

    fn increment_by(&self, n: u64) -> Self {
        // Heights are bounded by the number of blocks ever made; u64 cannot overflow in practice, and saturating
        // keeps a hostile sync range from wrapping around.
        Self(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Self)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValidatorAddress(pub Address);

impl fmt::Display for ValidatorAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl mc::Address for ValidatorAddress {}

/// The id of a proposed value: the hash of the block's header.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub Hash);

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockId({self})")
    }
}

impl mc::Value for BlockId {
    type Id = BlockId;

    fn id(&self) -> BlockId {
        *self
    }
}

/// A hybrid signature with the total order the engine requires (by encoded bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HybridSignature(pub Signature);

impl PartialOrd for HybridSignature {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HybridSignature {
    fn cmp(&self, other: &Self) -> Ordering {
        if self == other {
            return Ordering::Equal;
        }
        // Rarely needed (the engine orders signed messages only to deduplicate them), so the copies are fine.
        self.0.to_bytes().cmp(&other.0.to_bytes())
    }
}

/// The hybrid ML-DSA-65 + Ed25519 scheme, as a Malachite signing scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HybridScheme;

impl mc::SigningScheme for HybridScheme {
    type DecodingError = String;
    type Signature = HybridSignature;
    type PublicKey = PublicKey;
    // The engine never handles private keys: the signer in `signing` owns the keypair.
    type PrivateKey = Arc<publica_crypto::Keypair>;

    fn decode_signature(bytes: &[u8]) -> Result<HybridSignature, String> {
        Signature::from_bytes(bytes).map(HybridSignature).map_err(|e| e.to_string())
    }

    fn encode_signature(signature: &HybridSignature) -> Vec<u8> {
        signature.0.to_bytes()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, String> {
        PublicKey::from_bytes(bytes).map_err(|e| e.to_string())
    }

    fn encode_public_key(public_key: &PublicKey) -> Vec<u8> {
        public_key.to_bytes()
    }
}

/// A member of the validator set, as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusValidator {
    address: ValidatorAddress,
    public_key: PublicKey,
    voting_power: u64,
}

impl mc::Validator<PublicaContext> for ConsensusValidator {
    fn address(&self) -> &ValidatorAddress {
        &self.address
    }

    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> u64 {
        self.voting_power
    }
}

/// The validator set of one height, sorted by address as in [`ValidatorSet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusValidatorSet {
    validators: Arc<Vec<ConsensusValidator>>,
    total_power: u64,
}

impl ConsensusValidatorSet {
    /// Wrap a Publica validator set (already checked by its constructor: non-empty, sorted, no duplicates, total
    /// power at most `MAX_TOTAL_VOTING_POWER`).
    ///
    /// The engine computes its thresholds as `3 x weight` and `2 x total` in `u64` and panics on overflow; the
    /// total's bound (2^50) is what keeps every such product far from `u64::MAX`, whatever governance decides.
    pub fn from_set(set: &ValidatorSet) -> Self {
        debug_assert!(set.total_power() <= publica_types::MAX_TOTAL_VOTING_POWER);
        let validators: Vec<ConsensusValidator> = set
            .validators()
            .iter()
            .map(|v| ConsensusValidator {
                address: ValidatorAddress(v.address),
                public_key: v.public_key.clone(),
                voting_power: v.voting_power,
            })
            .collect();
        Self { validators: Arc::new(validators), total_power: set.total_power() }
    }

    /// The validator chosen to propose at `(height, round)`.
    ///
    /// Weighted round robin: slot `(height + round) mod total_power` falls in exactly one validator's share of
    /// the cumulative voting power, so over consecutive heights each validator proposes in proportion to its
    /// power, and a failed round moves on to the next validator. Every node computes the same choice from the
    /// same set.
    pub fn proposer(&self, height: u64, round: u32) -> &ConsensusValidator {
        let slot = (u128::from(height) + u128::from(round)) % u128::from(self.total_power.max(1));
        let mut acc: u128 = 0;
        for v in self.validators.iter() {
            acc += u128::from(v.voting_power);
            if slot < acc {
                return v;
            }
        }
        // Unreachable for a set built by `from_set` (total = sum of powers, non-empty); the last member is a safe
        // deterministic answer all the same.
        &self.validators[self.validators.len() - 1]
    }

    /// The member with this address.
    pub fn get(&self, address: &Address) -> Option<&ConsensusValidator> {
        self.validators.binary_search_by(|v| v.address.0.cmp(address)).ok().map(|i| &self.validators[i])
    }

    /// The public key of the member with this address.
    pub fn public_key(&self, address: &Address) -> Option<&PublicKey> {
        self.get(address).map(|v| &v.public_key)
    }
}

impl mc::ValidatorSet<PublicaContext> for ConsensusValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> u64 {
        self.total_power
    }

    fn get_by_address(&self, address: &ValidatorAddress) -> Option<&ConsensusValidator> {
        self.get(&address.0)
    }

    fn get_by_index(&self, index: usize) -> Option<&ConsensusValidator> {
        self.validators.get(index)
    }
}

/// The bytes a validator attaches to its precommit for a block, at most [`MAX_VOTE_EXTENSION_BYTES`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VoteExtension(Vec<u8>);

impl VoteExtension {
    /// An extension holding `bytes`, refused if longer than [`MAX_VOTE_EXTENSION_BYTES`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, ConsensusError> {
        if bytes.len() > MAX_VOTE_EXTENSION_BYTES {
            return Err(ConsensusError::TooLarge {
                what: "vote extension",
                len: bytes.len(),
                max: MAX_VOTE_EXTENSION_BYTES,
            });
        }
        Ok(Self(bytes))
    }

    /// The extension's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl mc::Extension for VoteExtension {
    fn size_bytes(&self) -> usize {
        self.0.len()
    }
}

/// A prevote or precommit. Converts 1:1 to a [`VoteBody`], plus the precommit's signed extension if it has one.
///
/// Equality includes the extension, as the engine's vote keeper expects (it treats a vote that gains an extension
/// as new); the engine strips extensions itself where it compares a re-derived vote with the one in its WAL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusVote {
    /// Height voted on.
    pub height: BlockHeight,
    /// Round voted in (always defined for votes the engine makes or accepts).
    pub round: Round,
    /// The block voted for, or nil.
    pub value: NilOrVal<BlockId>,
    /// Prevote or precommit.
    pub vote_type: VoteType,
    /// The voter.
    pub validator: ValidatorAddress,
    /// The signed extension of a non-nil precommit; always `None` on prevotes and nil precommits.
    pub extension: Option<SignedExtension<PublicaContext>>,
}

impl ConsensusVote {
    /// The engine-independent vote this signs, or `None` if the round is nil (no valid vote has a nil round).
    pub fn body(&self) -> Option<VoteBody> {
        Some(VoteBody {
            height: self.height.0,
            round: self.round.as_u32()?,
            kind: match self.vote_type {
                VoteType::Prevote => VoteKind::Prevote,
                VoteType::Precommit => VoteKind::Precommit,
            },
            block_hash: match self.value {
                NilOrVal::Nil => None,
                NilOrVal::Val(id) => Some(id.0),
            },
            validator: self.validator.0,
        })
    }

    /// The vote described by an engine-independent body, without an extension.
    pub fn from_body(body: &VoteBody) -> Self {
        Self {
            height: BlockHeight(body.height),
            round: Round::new(body.round),
            value: match body.block_hash {
                None => NilOrVal::Nil,
                Some(h) => NilOrVal::Val(BlockId(h)),
            },
            vote_type: match body.kind {
                VoteKind::Prevote => VoteType::Prevote,
                VoteKind::Precommit => VoteType::Precommit,
            },
            validator: ValidatorAddress(body.validator),
            extension: None,
        }
    }
}

impl mc::Vote<PublicaContext> for ConsensusVote {
    fn height(&self) -> BlockHeight {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockId> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockId> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.vote_type
    }

    fn validator_address(&self) -> &ValidatorAddress {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<PublicaContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<PublicaContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<PublicaContext>) -> Self {
        Self { extension: Some(extension), ..self }
    }
}

/// A block proposal. Converts 1:1 to a [`ProposalBody`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusProposal {
    /// Height proposed for.
    pub height: BlockHeight,
    /// Round proposed in.
    pub round: Round,
    /// The proposed block's hash.
    pub value: BlockId,
    /// Round of the proof-of-lock being re-proposed, or nil.
    pub pol_round: Round,
    /// The proposer.
    pub proposer: ValidatorAddress,
}

impl ConsensusProposal {
    /// The engine-independent proposal this signs, or `None` if the round is nil.
    pub fn body(&self) -> Option<ProposalBody> {
        Some(ProposalBody {
            height: self.height.0,
            round: self.round.as_u32()?,
            pol_round: self.pol_round.as_u32(),
            block_hash: self.value.0,
            proposer: self.proposer.0,
        })
    }

    /// The proposal described by an engine-independent body.
    pub fn from_body(body: &ProposalBody) -> Self {
        Self {
            height: BlockHeight(body.height),
            round: Round::new(body.round),
            value: BlockId(body.block_hash),
            pol_round: Round::from(body.pol_round),
            proposer: ValidatorAddress(body.proposer),
        }
    }
}

impl mc::Proposal<PublicaContext> for ConsensusProposal {
    fn height(&self) -> BlockHeight {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockId {
        &self.value
    }

    fn take_value(self) -> BlockId {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &ValidatorAddress {
        &self.proposer
    }
}

/// Publica's Malachite context.
#[derive(Clone, Debug, Default)]
pub struct PublicaContext;

impl mc::Context for PublicaContext {
    type Address = ValidatorAddress;
    type Height = BlockHeight;
    type ProposalPart = ProposalPart;
    type Proposal = ConsensusProposal;
    type Validator = ConsensusValidator;
    type ValidatorSet = ConsensusValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BlockId;
    type Vote = ConsensusVote;
    type Extension = VoteExtension;
    type SigningScheme = HybridScheme;

    fn select_proposer<'a>(
        &self,
        validator_set: &'a ConsensusValidatorSet,
        height: BlockHeight,
        round: Round,
    ) -> &'a ConsensusValidator {
        // The engine only asks for defined rounds; round nil is treated as round 0 rather than panicking.
        validator_set.proposer(height.0, round.as_u32().unwrap_or(0))
    }

    fn new_proposal(
        &self,
        height: BlockHeight,
        round: Round,
        value: BlockId,
        pol_round: Round,
        address: ValidatorAddress,
    ) -> ConsensusProposal {
        ConsensusProposal { height, round, value, pol_round, proposer: address }
    }

    fn new_prevote(
        &self,
        height: BlockHeight,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: ValidatorAddress,
    ) -> ConsensusVote {
        ConsensusVote {
            height,
            round,
            value: value_id,
            vote_type: VoteType::Prevote,
            validator: address,
            extension: None,
        }
    }

    fn new_precommit(
        &self,
        height: BlockHeight,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: ValidatorAddress,
    ) -> ConsensusVote {
        ConsensusVote {
            height,
            round,
            value: value_id,
            vote_type: VoteType::Precommit,
            validator: address,
            extension: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_types::Validator;

    fn set(powers: &[u64]) -> ConsensusValidatorSet {
        let validators = powers
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let kp = publica_crypto::Keypair::from_seed(&[i as u8 + 1; 32]);
                Validator::from_keypair(&kp, p)
            })
            .collect();
        ConsensusValidatorSet::from_set(&ValidatorSet::new(validators).expect("valid"))
    }

    #[test]
    fn proposers_are_chosen_in_proportion_to_power() {
        let set = set(&[1, 3, 2]);
        let mut counts = std::collections::BTreeMap::new();
        for height in 1..=600 {
            *counts.entry(set.proposer(height, 0).address).or_insert(0u32) += 1;
        }
        let mut by_power: Vec<(u64, u32)> =
            set.validators.iter().map(|v| (v.voting_power, counts[&v.address])).collect();
        by_power.sort();
        assert_eq!(by_power, vec![(1, 100), (2, 200), (3, 300)]);
        // A failed round moves on to another validator.
        assert_ne!(set.proposer(10, 0).address, set.proposer(10, 1).address);
    }

    #[test]
    fn the_largest_total_power_a_set_may_hold_cannot_overflow_the_engine_thresholds() {
        use mc::ValidatorSet as _;
        let max = publica_types::MAX_TOTAL_VOTING_POWER;
        let set = set(&[max - 2, 1, 1]);
        let total = set.total_voting_power();
        assert_eq!(total, max);
        // What the engine computes for every vote; these panicked for a total of 7 * 10^18.
        for threshold in [mc::ThresholdParam::TWO_F_PLUS_ONE, mc::ThresholdParam::F_PLUS_ONE] {
            assert!(threshold.is_met(total, total));
            assert!(!threshold.is_met(0, total));
            assert!(threshold.min_expected(total) <= total);
        }
        let _ = set.proposer(u64::MAX, u32::MAX);
        // One more and the set cannot be built at all.
        let over: Vec<Validator> = [max - 1, 1, 1]
            .iter()
            .enumerate()
            .map(|(i, &p)| Validator::from_keypair(&publica_crypto::Keypair::from_seed(&[i as u8 + 1; 32]), p))
            .collect();
        assert!(ValidatorSet::new(over).is_err());
    }

    #[test]
    fn votes_and_proposals_convert_to_their_signed_bodies_and_back() {
        let ctx = PublicaContext;
        let addr = ValidatorAddress(Address([2; 20]));
        for value in [NilOrVal::Nil, NilOrVal::Val(BlockId([8; 32]))] {
            for vote in [
                mc::Context::new_prevote(&ctx, BlockHeight(4), Round::new(1), value, addr),
                mc::Context::new_precommit(&ctx, BlockHeight(4), Round::new(1), value, addr),
            ] {
                let body = vote.body().expect("defined round");
                assert_eq!(ConsensusVote::from_body(&body), vote);
            }
        }
        let proposal =
            mc::Context::new_proposal(&ctx, BlockHeight(4), Round::new(2), BlockId([1; 32]), Round::new(0), addr);
        let body = proposal.body().expect("defined round");
        assert_eq!(body.pol_round, Some(0));
        assert_eq!(ConsensusProposal::from_body(&body), proposal);
        let nil_round = ConsensusVote {
            round: Round::Nil,
            ..mc::Context::new_prevote(&ctx, BlockHeight(4), Round::new(0), NilOrVal::Nil, addr)
        };
        assert!(nil_round.body().is_none());
    }
}

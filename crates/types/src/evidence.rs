//! Evidence that a validator equivocated: two conflicting messages it signed for the same step of consensus.
//!
//! A validator signs at most one prevote, one precommit and (when it is the proposer) one proposal per
//! `(height, round)`. Two valid signatures by the same validator over two different messages of the same step
//! prove that it broke this rule; nobody else can make them. Such a pair is a [`Misbehavior`]:
//!
//! - [`Misbehavior::DoubleVote`]: two [`VoteBody`]s with the same height, round, kind and validator and a different
//!   `block_hash` (a vote for a block and a nil vote also conflict), each with its hybrid signature over
//!   [`VoteBody::signing_bytes`];
//! - [`Misbehavior::DoubleProposal`]: two [`ProposalBody`]s with the same height, round and proposer that differ in
//!   the block or the proof-of-lock round, each with its signature over [`ProposalBody::signing_bytes`].
//!
//! The pair is kept in canonical order (the first message's borsh encoding sorts strictly before the second's),
//! so one equivocation has exactly one encoding, and a decoder refuses the other order.
//!
//! Evidence is recorded on chain under [`Misbehavior::state_key`]: `"sys/evidence/" ‖ validator (20 bytes) ‖ "/" ‖
//! height (u64 BE)`, the value being the borsh encoding of the [`Misbehavior`]. Recording carries no automatic
//! penalty: the record is what governance acts on.
//!
//! What is recorded is bounded, because a Byzantine validator can sign conflicting messages for as many rounds as
//! it likes, and every record stays in the state for good:
//!
//! - **one offence per validator and height**: one proven equivocation at a height is all governance needs, so a
//!   second pair for the same validator and height (another round, another step) is not recorded;
//! - **at most [`MAX_EVIDENCE_PER_VALIDATOR`] offences per validator**, counted under
//!   [`evidence_of_key`]: past that, the validator has shown what it does, and more records would only let it grow
//!   the state;
//! - (checked by the node, which holds the certificates) only rounds the height reached: an offence's round is at
//!   most the round in which its height was decided.
//!
//! [`check_recordable`] is the rule, applied by execution to every piece of a block: a block naming an offence
//! that cannot be recorded is invalid, so every validator records exactly the same evidence.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode};
use crate::{ChainId, ProposalBody, StateRead, StateWrite, TypesError, ValidatorSet, VoteBody, VoteKind};
use publica_crypto::{sha256, Address, Hash, Signature, SIGNATURE_LEN};
use publica_merkle::log::{leaf_hash, root};

/// Most pieces of evidence one block carries.
pub const MAX_BLOCK_EVIDENCE: usize = 16;
/// Evidence about a height more than this many heights below the block that would record it is refused: the
/// validator set of that time may be long gone, and an old offence is for governance to take up by other means.
pub const MAX_EVIDENCE_AGE_HEIGHTS: u64 = 100_000;
/// Largest encoded piece of evidence: a tag, two message bodies (69 bytes at most today, 96 allowed) and two hybrid
/// signatures.
pub const MAX_EVIDENCE_BYTES: usize = 1 + 2 * (96 + SIGNATURE_LEN);
/// Prefix of the state keys of recorded evidence.
pub const EVIDENCE_KEY_PREFIX: &[u8] = b"sys/evidence/";
/// State key of the number of pieces of evidence recorded so far (u64 little-endian).
pub const EVIDENCE_COUNT_KEY: &[u8] = b"sys/evidence-count";
/// Most offences recorded against one validator, ever: enough to show a pattern, few enough that 256 Byzantine
/// validators add at most 256 × 16 × 6,939 bytes ≈ 28 MB to the state.
pub const MAX_EVIDENCE_PER_VALIDATOR: u64 = 16;

const _: () = assert!(MAX_BLOCK_EVIDENCE * MAX_EVIDENCE_BYTES < crate::MAX_BLOCK_BYTES / 64);

/// State key of the `index`-th piece of evidence recorded (from 0, in the order blocks recorded them); its value
/// is the [`Misbehavior::state_key`] of that piece, so the newest records can be listed without a scan.
pub fn evidence_index_key(index: u64) -> Vec<u8> {
    let mut key = b"sys/evidence-index/".to_vec();
    key.extend_from_slice(&index.to_be_bytes());
    key
}

/// Which rule a validator broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Two prevotes in one round.
    Prevote,
    /// Two precommits in one round.
    Precommit,
    /// Two proposals in one round.
    Proposal,
}

impl EvidenceKind {
    /// The byte naming this kind in state keys.
    pub fn byte(self) -> u8 {
        match self {
            Self::Prevote => 0,
            Self::Precommit => 1,
            Self::Proposal => 2,
        }
    }

    /// The kind named by a state key's last byte.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Prevote),
            1 => Some(Self::Precommit),
            2 => Some(Self::Proposal),
            _ => None,
        }
    }
}

/// A vote and its signer's hybrid signature over [`VoteBody::signing_bytes`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedVote {
    /// What was signed.
    pub vote: VoteBody,
    /// The validator's signature.
    pub signature: Signature,
}

/// A proposal and its proposer's hybrid signature over [`ProposalBody::signing_bytes`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedProposal {
    /// What was signed.
    pub proposal: ProposalBody,
    /// The proposer's signature.
    pub signature: Signature,
}

/// Proof that a validator signed two conflicting messages for the same step of consensus.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Misbehavior {
    /// Two votes of one kind, in one round, for different blocks.
    DoubleVote {
        /// The vote whose encoding sorts first.
        first: SignedVote,
        /// The other vote.
        second: SignedVote,
    },
    /// Two proposals in one round that differ.
    DoubleProposal {
        /// The proposal whose encoding sorts first.
        first: SignedProposal,
        /// The other proposal.
        second: SignedProposal,
    },
}

fn fault(reason: impl Into<String>) -> TypesError {
    TypesError::Evidence(reason.into())
}

impl Misbehavior {
    /// Evidence from two conflicting signed votes, in either order; refused unless they conflict.
    pub fn double_vote(a: SignedVote, b: SignedVote) -> Result<Self, TypesError> {
        let (first, second) = if encode(&a.vote) <= encode(&b.vote) { (a, b) } else { (b, a) };
        let evidence = Self::DoubleVote { first, second };
        evidence.check_shape()?;
        Ok(evidence)
    }

    /// Evidence from two conflicting signed proposals, in either order; refused unless they conflict.
    pub fn double_proposal(a: SignedProposal, b: SignedProposal) -> Result<Self, TypesError> {
        let (first, second) = if encode(&a.proposal) <= encode(&b.proposal) { (a, b) } else { (b, a) };
        let evidence = Self::DoubleProposal { first, second };
        evidence.check_shape()?;
        Ok(evidence)
    }

    /// The validator that signed both messages.
    pub fn validator(&self) -> Address {
        match self {
            Self::DoubleVote { first, .. } => first.vote.validator,
            Self::DoubleProposal { first, .. } => first.proposal.proposer,
        }
    }

    /// The height of the offence.
    pub fn height(&self) -> u64 {
        match self {
            Self::DoubleVote { first, .. } => first.vote.height,
            Self::DoubleProposal { first, .. } => first.proposal.height,
        }
    }

    /// The round of the offence.
    pub fn round(&self) -> u32 {
        match self {
            Self::DoubleVote { first, .. } => first.vote.round,
            Self::DoubleProposal { first, .. } => first.proposal.round,
        }
    }

    /// Which rule was broken.
    pub fn kind(&self) -> EvidenceKind {
        match self {
            Self::DoubleVote { first, .. } => match first.vote.kind {
                VoteKind::Prevote => EvidenceKind::Prevote,
                VoteKind::Precommit => EvidenceKind::Precommit,
            },
            Self::DoubleProposal { .. } => EvidenceKind::Proposal,
        }
    }

    /// The state key this offence is recorded under (see the module documentation). One key per validator and
    /// height: a second pair by the same validator at the same height (any round, any step) is not recorded.
    pub fn state_key(&self) -> Vec<u8> {
        evidence_key(&self.validator(), self.height())
    }

    /// `SHA-256(borsh(self))`.
    pub fn hash(&self) -> Hash {
        sha256(&encode(self))
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decode evidence from untrusted bytes (at most [`MAX_EVIDENCE_BYTES`]) and check its shape (see
    /// [`Misbehavior::check_shape`]); signatures are checked by [`Misbehavior::verify`].
    pub fn decode(bytes: &[u8]) -> Result<Self, TypesError> {
        let evidence: Self = decode_canonical("misbehavior evidence", bytes, MAX_EVIDENCE_BYTES)?;
        evidence.check_shape()?;
        Ok(evidence)
    }

    /// Check everything but the signatures: both messages name the same validator, height, round and kind, they
    /// differ, and they are in canonical order.
    pub fn check_shape(&self) -> Result<(), TypesError> {
        let (first, second) = match self {
            Self::DoubleVote { first, second } => {
                let (a, b) = (&first.vote, &second.vote);
                if a.validator != b.validator {
                    return Err(fault(format!(
                        "the votes are by two validators ({} and {}); evidence needs two votes by one",
                        a.validator, b.validator
                    )));
                }
                if (a.height, a.round, a.kind) != (b.height, b.round, b.kind) {
                    return Err(fault(format!(
                        "the votes of {} are for different steps ({:?} at height {} round {}, {:?} at height {} \
                         round {}); only two votes for the same step conflict",
                        a.validator, a.kind, a.height, a.round, b.kind, b.height, b.round
                    )));
                }
                if a.block_hash == b.block_hash {
                    return Err(fault(format!(
                        "both votes of {} at height {} round {} are for the same block; that is one vote, not two",
                        a.validator, a.height, a.round
                    )));
                }
                (encode(a), encode(b))
            }
            Self::DoubleProposal { first, second } => {
                let (a, b) = (&first.proposal, &second.proposal);
                if a.proposer != b.proposer {
                    return Err(fault(format!(
                        "the proposals are by two validators ({} and {}); evidence needs two proposals by one",
                        a.proposer, b.proposer
                    )));
                }
                if (a.height, a.round) != (b.height, b.round) {
                    return Err(fault(format!(
                        "the proposals of {} are for different rounds (height {} round {}, height {} round {}); \
                         only two proposals for the same round conflict",
                        a.proposer, a.height, a.round, b.height, b.round
                    )));
                }
                if a == b {
                    return Err(fault(format!(
                        "both proposals of {} at height {} round {} are the same message",
                        a.proposer, a.height, a.round
                    )));
                }
                (encode(a), encode(b))
            }
        };
        if first >= second {
            return Err(fault("the two messages are not in canonical order (the first must encode before the second)"));
        }
        Ok(())
    }

    /// Check that this evidence proves an offence on `chain_id` by a member of `validators`, which must be the
    /// validator set of the offence's height: the shape (see [`Misbehavior::check_shape`]), the signer's
    /// membership, and both hybrid signatures under the signer's key in that set.
    pub fn verify(&self, chain_id: &ChainId, validators: &ValidatorSet) -> Result<(), TypesError> {
        self.check_shape()?;
        let address = self.validator();
        let member = validators.get(&address).ok_or_else(|| {
            fault(format!(
                "{address} was not a validator at height {}; only members of the set of that height can equivocate",
                self.height()
            ))
        })?;
        let signed: [(&str, Vec<u8>, &Signature); 2] = match self {
            Self::DoubleVote { first, second } => [
                ("first vote", first.vote.signing_bytes(chain_id), &first.signature),
                ("second vote", second.vote.signing_bytes(chain_id), &second.signature),
            ],
            Self::DoubleProposal { first, second } => [
                ("first proposal", first.proposal.signing_bytes(chain_id), &first.signature),
                ("second proposal", second.proposal.signing_bytes(chain_id), &second.signature),
            ],
        };
        for (what, message, signature) in &signed {
            member.public_key.verify(message, signature).map_err(|e| {
                fault(format!("the signature of the {what} is not {address}'s on chain {chain_id}: {e}"))
            })?;
        }
        Ok(())
    }
}

/// The state key of the offence of `validator` at `height`.
pub fn evidence_key(validator: &Address, height: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(EVIDENCE_KEY_PREFIX.len() + 20 + 1 + 8);
    key.extend_from_slice(EVIDENCE_KEY_PREFIX);
    key.extend_from_slice(validator.as_bytes());
    key.push(b'/');
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// State key of the number of offences recorded against `validator` (u64 little-endian):
/// `"sys/evidence-of/" ‖ validator`.
pub fn evidence_of_key(validator: &Address) -> Vec<u8> {
    let mut key = b"sys/evidence-of/".to_vec();
    key.extend_from_slice(validator.as_bytes());
    key
}

fn read_counter(state: &dyn StateRead, key: &[u8]) -> u64 {
    state
        .get(key)
        .map(|b| u64::from_le_bytes(b.as_slice().try_into().expect("a stored evidence counter is 8 bytes")))
        .unwrap_or(0)
}

/// Number of offences recorded against `validator` in `state`.
pub fn evidence_count_of(state: &dyn StateRead, validator: &Address) -> u64 {
    read_counter(state, &evidence_of_key(validator))
}

/// Number of pieces of evidence recorded in `state`.
pub fn evidence_count(state: &dyn StateRead) -> u64 {
    read_counter(state, EVIDENCE_COUNT_KEY)
}

/// Whether an offence of `evidence`'s validator at its height is already recorded in `state` (by this pair or
/// another one, of any round or step).
pub fn is_recorded(state: &dyn StateRead, evidence: &Misbehavior) -> bool {
    state.get(&evidence.state_key()).is_some()
}

/// Whether `evidence` may be recorded on top of `state` (see the module documentation): no offence of its
/// validator is recorded at its height, and fewer than [`MAX_EVIDENCE_PER_VALIDATOR`] against its validator.
/// Signatures and the validator set are the node's to check ([`Misbehavior::verify`]).
pub fn check_recordable(state: &dyn StateRead, evidence: &Misbehavior) -> Result<(), TypesError> {
    let (validator, height) = (evidence.validator(), evidence.height());
    if is_recorded(state, evidence) {
        return Err(fault(format!(
            "an offence of {validator} at height {height} is already recorded; one offence per validator and height \
             is recorded"
        )));
    }
    let recorded = evidence_count_of(state, &validator);
    if recorded >= MAX_EVIDENCE_PER_VALIDATOR {
        return Err(fault(format!(
            "{recorded} offences of {validator} are already recorded, the most kept per validator \
             ({MAX_EVIDENCE_PER_VALIDATOR}); governance has what it needs to act"
        )));
    }
    Ok(())
}

/// Record `evidence` in `state`, if [`check_recordable`] allows: the piece under its [`Misbehavior::state_key`],
/// its key under the next [`evidence_index_key`], and the new counts (overall and of its validator). A refusal
/// changes nothing.
pub fn record(state: &mut dyn StateWrite, evidence: &Misbehavior) -> Result<(), TypesError> {
    check_recordable(state, evidence)?;
    let count = evidence_count(state);
    let of_validator = evidence_count_of(state, &evidence.validator());
    let key = evidence.state_key();
    state.put(key.clone(), evidence.encode());
    state.put(evidence_index_key(count), key);
    state.put(EVIDENCE_COUNT_KEY.to_vec(), (count + 1).to_le_bytes().to_vec());
    state.put(evidence_of_key(&evidence.validator()), (of_validator + 1).to_le_bytes().to_vec());
    Ok(())
}

/// The RFC 9162 root over the hashes ([`Misbehavior::hash`]) of a block's evidence, in order; the root of the
/// empty list for a block without evidence.
pub fn evidence_root(evidence: &[Misbehavior]) -> Hash {
    let leaves: Vec<Hash> = evidence.iter().map(|m| leaf_hash(&m.hash())).collect();
    root(&leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_keys_are_fixed_length_and_sort_by_validator_then_height() {
        let a = Address([1; 20]);
        let k1 = evidence_key(&a, 7);
        let k2 = evidence_key(&a, 256);
        assert_eq!(k1.len(), k2.len());
        assert!(k1 < k2, "big-endian heights sort numerically");
        assert!(k2 < evidence_key(&Address([2; 20]), 1));
        assert!(!evidence_of_key(&a).starts_with(EVIDENCE_KEY_PREFIX), "counters are not records");
        assert_eq!(EvidenceKind::from_byte(EvidenceKind::Proposal.byte()), Some(EvidenceKind::Proposal));
        assert_eq!(EvidenceKind::from_byte(3), None);
    }
}

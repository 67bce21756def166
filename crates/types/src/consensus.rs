//! Validators, votes and commit certificates, in a form that can be verified without the consensus engine.
//!
//! A commit certificate for block `B` at `(height, round)` is a list of precommit signatures. Validator `v`'s
//! signature is a hybrid signature over `signing_message("publica/vote", chain_id, borsh(VoteBody { height, round,
//! kind: Precommit, block_hash: Some(hash(B)), validator: v }))`. The certificate is valid for a validator set when
//! the signers are distinct members whose voting power sums to MORE than two thirds of the set's total.

use std::collections::BTreeSet;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode, hex_hash, hex_hash_opt, CodecError};
use crate::{ChainId, TypesError, MAX_VALIDATORS};
use publica_crypto::{
    sha256, signing_message, verify_batch, Address, Hash, Keypair, LogPublicKeys, PublicKey, Signature,
};

/// Signature tag of consensus votes.
pub const VOTE_TAG: &str = "publica/vote";
/// Signature tag of block proposals.
pub const PROPOSAL_TAG: &str = "publica/proposal";

/// A validator: an agency's consensus key and its voting power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Validator {
    /// `public_key.address()`.
    pub address: Address,
    /// The hybrid consensus key.
    pub public_key: PublicKey,
    /// Voting power, at least 1.
    pub voting_power: u64,
    /// The keys this validator signs notary checkpoints with (derived from its consensus key, see
    /// `publica_crypto::LogPublicKeys`).
    pub log_keys: LogPublicKeys,
}

impl Validator {
    /// A validator with this consensus key, checkpoint keys and voting power.
    pub fn new(public_key: PublicKey, log_keys: LogPublicKeys, voting_power: u64) -> Self {
        Self { address: public_key.address(), public_key, voting_power, log_keys }
    }

    /// A validator for this key pair: its public key and the checkpoint keys derived from it.
    pub fn from_keypair(keypair: &Keypair, voting_power: u64) -> Self {
        Self::new(keypair.public_key().clone(), keypair.log_public_keys(), voting_power)
    }
}

/// A validator set, sorted by address, without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, Serialize)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
}

impl ValidatorSet {
    /// Build a set, checking every rule: 1 to [`MAX_VALIDATORS`] members, positive power, total power within
    /// `u64`, addresses matching keys, no duplicate address. The members are sorted by address.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, TypesError> {
        if validators.is_empty() || validators.len() > MAX_VALIDATORS {
            return Err(TypesError::ValidatorSet(format!(
                "a set has 1 to {MAX_VALIDATORS} validators, got {}",
                validators.len()
            )));
        }
        validators.sort_by_key(|v| v.address);
        let mut total: u64 = 0;
        for (i, v) in validators.iter().enumerate() {
            if v.voting_power == 0 {
                return Err(TypesError::ValidatorSet(format!("validator {} has zero voting power", v.address)));
            }
            if v.public_key.address() != v.address {
                return Err(TypesError::ValidatorSet(format!(
                    "validator {} address does not match its key",
                    v.address
                )));
            }
            v.log_keys.check().map_err(|e| {
                TypesError::ValidatorSet(format!("validator {} has unusable checkpoint keys: {e}", v.address))
            })?;
            if i > 0 && validators[i - 1].address == v.address {
                return Err(TypesError::ValidatorSet(format!("validator {} appears twice", v.address)));
            }
            total = total
                .checked_add(v.voting_power)
                .ok_or_else(|| TypesError::ValidatorSet("total voting power overflows".into()))?;
        }
        Ok(Self { validators })
    }

    /// The set of one validator with voting power 1, as in a single-validator network.
    pub fn single(keypair: &Keypair) -> Self {
        Self { validators: vec![Validator::from_keypair(keypair, 1)] }
    }

    /// The members, sorted by address.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    /// The member with this address.
    pub fn get(&self, address: &Address) -> Option<&Validator> {
        self.validators.binary_search_by(|v| v.address.cmp(address)).ok().map(|i| &self.validators[i])
    }

    /// Sum of voting power.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().map(|v| v.voting_power).sum()
    }

    /// Smallest power that is more than two thirds of the total.
    pub fn quorum_power(&self) -> u64 {
        let total = self.total_power() as u128;
        (total * 2 / 3 + 1) as u64
    }

    /// `SHA-256(borsh(set))`, as carried in headers.
    pub fn hash(&self) -> Hash {
        sha256(&encode(self))
    }

    /// Decode a set from untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, TypesError> {
        Ok(decode_canonical("validator set", bytes, MAX_VALIDATORS * 3600 + 4)?)
    }
}

impl BorshDeserialize for ValidatorSet {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let len = u32::deserialize_reader(reader)? as usize;
        if len > MAX_VALIDATORS {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "too many validators"));
        }
        let mut validators = Vec::with_capacity(len);
        for _ in 0..len {
            validators.push(Validator::deserialize_reader(reader)?);
        }
        let set = Self::new(validators.clone())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        // A set must arrive already sorted, or its encoding (and hash) would not be canonical.
        if set.validators != validators {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "validators not sorted by address"));
        }
        Ok(set)
    }
}

impl<'de> Deserialize<'de> for ValidatorSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            validators: Vec<Validator>,
        }
        let raw = Raw::deserialize(d)?;
        Self::new(raw.validators).map_err(serde::de::Error::custom)
    }
}

/// The two kinds of Tendermint votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteKind {
    /// First-phase vote.
    Prevote,
    /// Second-phase vote; a quorum of precommits for a block decides it.
    Precommit,
}

/// What a validator signs when it votes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct VoteBody {
    /// Height voted on.
    pub height: u64,
    /// Round within the height.
    pub round: u32,
    /// Prevote or precommit.
    pub kind: VoteKind,
    /// The block voted for, or `None` for a nil vote.
    #[serde(with = "hex_hash_opt")]
    pub block_hash: Option<Hash>,
    /// The voting validator.
    pub validator: Address,
}

impl VoteBody {
    /// The exact bytes the validator's hybrid key signs.
    pub fn signing_bytes(&self, chain_id: &ChainId) -> Vec<u8> {
        signing_message(VOTE_TAG, chain_id.as_str(), &encode(self))
    }
}

/// What a proposer signs when it proposes a block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ProposalBody {
    /// Height proposed for.
    pub height: u64,
    /// Round within the height.
    pub round: u32,
    /// The round of the proof-of-lock this proposal re-proposes, if any.
    pub pol_round: Option<u32>,
    /// The proposed block.
    #[serde(with = "hex_hash")]
    pub block_hash: Hash,
    /// The proposer.
    pub proposer: Address,
}

impl ProposalBody {
    /// The exact bytes the proposer's hybrid key signs.
    pub fn signing_bytes(&self, chain_id: &ChainId) -> Vec<u8> {
        signing_message(PROPOSAL_TAG, chain_id.as_str(), &encode(self))
    }
}

/// One validator's precommit signature inside a certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CommitSignature {
    /// The signer.
    pub validator: Address,
    /// Hybrid signature over the precommit's [`VoteBody::signing_bytes`].
    pub signature: Signature,
}

/// Proof that the validators decided a block: a quorum of precommits.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CommitCertificate {
    /// Height of the decided block.
    pub height: u64,
    /// Round in which it was decided.
    pub round: u32,
    /// Hash of the decided block.
    #[serde(with = "hex_hash")]
    pub block_hash: Hash,
    /// The precommit signatures.
    pub signatures: Vec<CommitSignature>,
}

impl CommitCertificate {
    /// Decode a certificate from untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_canonical("commit certificate", bytes, 4 + 8 + 4 + 32 + MAX_VALIDATORS * 3400)
    }

    /// Check that this certificate proves a decision by `validators` on `chain_id`: distinct known signers, every
    /// signature valid, and more than two thirds of the voting power.
    pub fn verify(&self, chain_id: &ChainId, validators: &ValidatorSet) -> Result<(), TypesError> {
        let fail = |m: String| Err(TypesError::Certificate(m));
        if self.signatures.len() > validators.validators().len() {
            return fail(format!(
                "{} signatures for a set of {} validators",
                self.signatures.len(),
                validators.validators().len()
            ));
        }
        let mut seen = BTreeSet::new();
        let mut power: u64 = 0;
        let mut messages = Vec::with_capacity(self.signatures.len());
        let mut keys = Vec::with_capacity(self.signatures.len());
        for s in &self.signatures {
            let Some(v) = validators.get(&s.validator) else {
                return fail(format!("signer {} is not in the validator set", s.validator));
            };
            if !seen.insert(s.validator) {
                return fail(format!("validator {} signed twice", s.validator));
            }
            power += v.voting_power;
            let body = VoteBody {
                height: self.height,
                round: self.round,
                kind: VoteKind::Precommit,
                block_hash: Some(self.block_hash),
                validator: s.validator,
            };
            messages.push(body.signing_bytes(chain_id));
            keys.push(&v.public_key);
        }
        if power < validators.quorum_power() {
            return fail(format!(
                "signers hold {power} of {} voting power; more than two thirds ({}) is needed",
                validators.total_power(),
                validators.quorum_power()
            ));
        }
        let items: Vec<(&PublicKey, &[u8], &Signature)> = keys
            .iter()
            .zip(&messages)
            .zip(&self.signatures)
            .map(|((k, m), s)| (*k, m.as_slice(), &s.signature))
            .collect();
        for (result, s) in verify_batch(&items).into_iter().zip(&self.signatures) {
            if let Err(e) = result {
                return fail(format!("signature of validator {} is invalid: {e}", s.validator));
            }
        }
        Ok(())
    }
}

//! Validators, votes and commit certificates, in a form that can be verified without the consensus engine.
//!
//! A commit certificate for block `B` at `(height, round)` is a list of precommit signatures. Validator `v`'s
//! signature is a hybrid signature over `signing_message("publica/vote", chain_id, borsh(VoteBody { height, round,
//! kind: Precommit, block_hash: Some(hash(B)), validator: v }))`. The certificate is valid for a validator set when
//! the signers are distinct members whose voting power sums to MORE than two thirds of the set's total.

use std::collections::{BTreeMap, BTreeSet};

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode, hex_hash, hex_hash_opt, CodecError};
use crate::{ChainId, TypesError, MAX_TOTAL_VOTING_POWER, MAX_VALIDATORS};
use publica_crypto::{
    sha256, signing_message, verify_batch, Address, Hash, Keypair, LogPublicKeys, PublicKey, Signature,
};

/// Signature tag of consensus votes.
pub const VOTE_TAG: &str = "publica/vote";
/// Signature tag of block proposals.
pub const PROPOSAL_TAG: &str = "publica/proposal";

/// The name of `chain_id`'s notary log, `publica/<chain-id>/notary`: the origin line of its checkpoints and the
/// key name of the validators' checkpoint signatures.
pub fn log_origin(chain_id: &ChainId) -> String {
    format!("publica/{chain_id}/notary")
}

/// A validator: an agency's consensus key and its voting power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Validator {
    /// `public_key.address()`.
    pub address: Address,
    /// The hybrid consensus key.
    pub public_key: PublicKey,
    /// Voting power, at least 1; a set's total is at most [`MAX_TOTAL_VOTING_POWER`].
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
    /// Build a set, checking every rule: 1 to [`MAX_VALIDATORS`] members, positive power, total power at most
    /// [`MAX_TOTAL_VOTING_POWER`], addresses matching keys, no duplicate address, and checkpoint keys that every
    /// verifier can use: both parse (`LogPublicKeys::check`) and no two members share either of them (one
    /// signature would count for two members' power). The members are sorted by address.
    ///
    /// Checkpoint key ids depend on the network's log name, so they are checked apart, where the network is known
    /// ([`ValidatorSet::check_log_key_ids`]).
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, TypesError> {
        let fail = |m: String| Err(TypesError::ValidatorSet(m));
        if validators.is_empty() || validators.len() > MAX_VALIDATORS {
            return fail(format!("a set has 1 to {MAX_VALIDATORS} validators, got {}", validators.len()));
        }
        validators.sort_by_key(|v| v.address);
        let mut total: u64 = 0;
        let mut ed25519_keys = BTreeSet::new();
        let mut ml_dsa_44_keys = BTreeSet::new();
        for (i, v) in validators.iter().enumerate() {
            if v.voting_power == 0 {
                return fail(format!("validator {} has zero voting power", v.address));
            }
            if v.public_key.address() != v.address {
                return fail(format!("validator {} address does not match its key", v.address));
            }
            if i > 0 && validators[i - 1].address == v.address {
                return fail(format!("validator {} appears twice", v.address));
            }
            if let Err(e) = v.log_keys.check() {
                return fail(format!("validator {} has an unusable checkpoint key: {e}", v.address));
            }
            if !ed25519_keys.insert(v.log_keys.ed25519) || !ml_dsa_44_keys.insert(v.log_keys.ml_dsa_44.as_slice()) {
                return fail(format!(
                    "validator {} has the checkpoint key of another validator; each validator's checkpoint keys are \
                     derived from its own consensus key",
                    v.address
                ));
            }
            total = match total.checked_add(v.voting_power) {
                Some(t) if t <= MAX_TOTAL_VOTING_POWER => t,
                _ => {
                    return fail(format!(
                        "the total voting power exceeds the limit of {MAX_TOTAL_VOTING_POWER} (2^50) at validator {} \
                         (power {}); give the validators smaller powers in the same proportions",
                        v.address, v.voting_power
                    ))
                }
            };
        }
        Ok(Self { validators })
    }

    /// Check that the members' checkpoint keys have distinct C2SP key ids under `chain_id`'s log name
    /// ([`log_origin`]). Signature lines name their key by name and 4-byte id only: a member whose key id equals
    /// another's (about 2^32 work to find) would make that member's signature lines ambiguous. Genesis validation
    /// and governance run this; verifiers, which may meet such a set in a history, count a line for every key
    /// it verifies under instead of failing.
    pub fn check_log_key_ids(&self, chain_id: &ChainId) -> Result<(), TypesError> {
        let origin = log_origin(chain_id);
        let mut seen: BTreeMap<u32, Address> = BTreeMap::new();
        for v in &self.validators {
            for id in v.log_keys.key_ids(&origin) {
                if let Some(other) = seen.insert(id, v.address) {
                    return Err(TypesError::ValidatorSet(format!(
                        "the checkpoint key id {id:08x} of validator {} is also one of validator {other}'s on this \
                         network, so their checkpoint signatures could not be told apart; give the validator another \
                         consensus key (its checkpoint keys are derived from it)",
                        v.address
                    )));
                }
            }
        }
        Ok(())
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

    /// Sum of voting power, at most [`MAX_TOTAL_VOTING_POWER`] (checked when the set was built).
    pub fn total_power(&self) -> u64 {
        self.validators.iter().fold(0u64, |total, v| total.saturating_add(v.voting_power))
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
            power = power.saturating_add(v.voting_power);
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

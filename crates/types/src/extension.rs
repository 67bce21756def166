//! Vote extensions: bytes a validator attaches to its precommit for a block, signed with its consensus key.
//!
//! Validators use them to sign the notary checkpoint of the block they precommit, so that every node ends up with a
//! quorum of checkpoint signatures together with the decided block. The consensus engine collects one extension
//! per deciding precommit; they are kept and served beside the block as [`DecidedExtensions`]. The
//! [`crate::CommitCertificate`] itself carries no extensions: it goes into read proofs and stays small.
//!
//! Validator `v`'s extension `e` on its precommit for block `B` at `(height, round)` is signed as a hybrid signature
//! over
//!
//! ```text
//! signing_message("publica/vote-extension", chain_id,
//!                 borsh((height: u64, round: u32, block_hash: [u8; 32], validator: [u8; 20], extension: Vec<u8>)))
//! ```
//!
//! so an extension cannot be replayed for another chain, height, round, block or validator. The precommit's own
//! signature does not cover the extension (the engine requires that), which is why the extension has its own.

use std::collections::BTreeSet;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode, hex_bytes, CodecError};
use crate::{ChainId, CommitCertificate, TypesError, ValidatorSet, MAX_VALIDATORS};
use publica_crypto::{signing_message, verify_batch, Address, Hash, PublicKey, Signature, SIGNATURE_LEN};

/// Largest vote extension a validator may attach to a precommit.
pub const MAX_VOTE_EXTENSION_BYTES: usize = 16 * 1024;

/// Signature tag of vote extensions.
pub const VOTE_EXTENSION_TAG: &str = "publica/vote-extension";

/// Largest encoded [`SignedVoteExtension`]: address, round, length prefix, extension, signature.
pub const MAX_SIGNED_VOTE_EXTENSION_BYTES: usize = 20 + 4 + 4 + MAX_VOTE_EXTENSION_BYTES + SIGNATURE_LEN;

/// Largest encoded [`DecidedExtensions`]: one maximal extension per validator.
pub const MAX_DECIDED_EXTENSIONS_BYTES: usize = 4 + MAX_VALIDATORS * MAX_SIGNED_VOTE_EXTENSION_BYTES;

const _: () = assert!(MAX_VOTE_EXTENSION_BYTES <= u32::MAX as usize);
const _: () = assert!(MAX_DECIDED_EXTENSIONS_BYTES < 8 * 1024 * 1024);

/// A validator's extension on its precommit for (height, round, block_hash), signed with its hybrid consensus key.
///
/// The height and block hash are not carried: they are those of the certificate the extension travels with.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedVoteExtension {
    /// The validator that precommitted and signed the extension.
    pub validator: Address,
    /// Round of the precommit (the certificate's round).
    pub round: u32,
    /// The extension, at most [`MAX_VOTE_EXTENSION_BYTES`]; empty is allowed.
    #[serde(with = "hex_bytes")]
    pub extension: Vec<u8>,
    /// Hybrid signature over [`SignedVoteExtension::signing_bytes`].
    pub signature: Signature,
}

impl SignedVoteExtension {
    /// The exact bytes a validator's hybrid key signs for `extension` on its precommit for `block_hash` at
    /// `(height, round)`: `signing_message(VOTE_EXTENSION_TAG, chain_id, borsh((height, round, block_hash,
    /// validator, extension)))`.
    pub fn signing_bytes(
        chain_id: &ChainId,
        height: u64,
        round: u32,
        block_hash: &Hash,
        validator: &Address,
        extension: &[u8],
    ) -> Vec<u8> {
        // Borsh encodes a byte slice exactly like a `Vec<u8>` (u32 length, then the bytes), so borrowing the
        // extension gives the documented encoding without copying it.
        signing_message(
            VOTE_EXTENSION_TAG,
            chain_id.as_str(),
            &encode(&(height, round, block_hash, validator, extension)),
        )
    }

    /// This extension's signing bytes for a precommit at `height` for `block_hash`.
    fn own_signing_bytes(&self, chain_id: &ChainId, height: u64, block_hash: &Hash) -> Vec<u8> {
        Self::signing_bytes(chain_id, height, self.round, block_hash, &self.validator, &self.extension)
    }

    /// Check the size rule, and that `public_key` is the validator's and signed this extension for a precommit at
    /// `height` for `block_hash` on `chain_id`.
    pub fn verify(
        &self,
        chain_id: &ChainId,
        height: u64,
        block_hash: &Hash,
        public_key: &PublicKey,
    ) -> Result<(), TypesError> {
        self.check_size().map_err(TypesError::Certificate)?;
        if public_key.address() != self.validator {
            return Err(TypesError::Certificate(format!(
                "the key given to check the vote extension of validator {} belongs to {}",
                self.validator,
                public_key.address()
            )));
        }
        public_key.verify(&self.own_signing_bytes(chain_id, height, block_hash), &self.signature).map_err(|e| {
            TypesError::Certificate(format!(
                "the vote extension signature of validator {} is invalid: {e}",
                self.validator
            ))
        })
    }

    fn check_size(&self) -> Result<(), String> {
        if self.extension.len() > MAX_VOTE_EXTENSION_BYTES {
            return Err(format!(
                "the vote extension of validator {} is {} bytes, more than the limit of {MAX_VOTE_EXTENSION_BYTES}",
                self.validator,
                self.extension.len()
            ));
        }
        Ok(())
    }
}

/// The extensions of one decided height, as stored and served for sync: at most one per validator, sorted by
/// validator address, each at most [`MAX_VOTE_EXTENSION_BYTES`].
///
/// The field is public for reading; build values with [`DecidedExtensions::new`], which sorts and checks them, so
/// that their encoding is canonical.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, Serialize)]
pub struct DecidedExtensions {
    /// The extensions, sorted by validator.
    pub extensions: Vec<SignedVoteExtension>,
}

impl DecidedExtensions {
    /// Sort `extensions` by validator and check them: at most [`MAX_VALIDATORS`], one per validator, each within
    /// [`MAX_VOTE_EXTENSION_BYTES`].
    pub fn new(mut extensions: Vec<SignedVoteExtension>) -> Result<Self, TypesError> {
        extensions.sort_by_key(|e| e.validator);
        let set = Self { extensions };
        set.check_shape().map_err(TypesError::Certificate)?;
        Ok(set)
    }

    /// The structural rules, on an already sorted list: count, sizes, strictly increasing validators.
    fn check_shape(&self) -> Result<(), String> {
        if self.extensions.len() > MAX_VALIDATORS {
            return Err(format!(
                "{} vote extensions, more than the {MAX_VALIDATORS} validators a set may have",
                self.extensions.len()
            ));
        }
        for (i, e) in self.extensions.iter().enumerate() {
            e.check_size()?;
            if i > 0 && self.extensions[i - 1].validator >= e.validator {
                return Err(if self.extensions[i - 1].validator == e.validator {
                    format!("validator {} has two vote extensions", e.validator)
                } else {
                    "vote extensions are not sorted by validator".to_string()
                });
            }
        }
        Ok(())
    }

    /// The extension of this validator, if any.
    pub fn get(&self, validator: &Address) -> Option<&SignedVoteExtension> {
        self.extensions.binary_search_by(|e| e.validator.cmp(validator)).ok().map(|i| &self.extensions[i])
    }

    /// Number of extensions.
    pub fn len(&self) -> usize {
        self.extensions.len()
    }

    /// Whether there is no extension.
    pub fn is_empty(&self) -> bool {
        self.extensions.is_empty()
    }

    /// The canonical borsh encoding, as stored beside the block.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decode from untrusted bytes: at most [`MAX_DECIDED_EXTENSIONS_BYTES`], canonical, sorted, one per validator.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_canonical("decided vote extensions", bytes, MAX_DECIDED_EXTENSIONS_BYTES)
    }

    /// Check that these are extensions of the precommits in `certificate`, signed by `validators` on `chain_id`,
    /// from validators holding more than two thirds of the voting power.
    ///
    /// Every extension must be from a signer of the certificate, at the certificate's round, with a valid
    /// signature over its [`SignedVoteExtension::signing_bytes`] for the certificate's height and block. The
    /// certificate itself is checked separately, with [`CommitCertificate::verify`].
    pub fn verify(
        &self,
        chain_id: &ChainId,
        certificate: &CommitCertificate,
        validators: &ValidatorSet,
    ) -> Result<(), TypesError> {
        let fail = |m: String| Err(TypesError::Certificate(m));
        if let Err(m) = self.check_shape() {
            return fail(m);
        }
        let signers: BTreeSet<Address> = certificate.signatures.iter().map(|s| s.validator).collect();
        let mut power: u64 = 0;
        let mut messages = Vec::with_capacity(self.extensions.len());
        let mut keys = Vec::with_capacity(self.extensions.len());
        for e in &self.extensions {
            if !signers.contains(&e.validator) {
                return fail(format!(
                    "validator {} has a vote extension but did not sign the certificate",
                    e.validator
                ));
            }
            if e.round != certificate.round {
                return fail(format!(
                    "the vote extension of validator {} is for round {}, the certificate for round {}",
                    e.validator, e.round, certificate.round
                ));
            }
            let Some(v) = validators.get(&e.validator) else {
                return fail(format!("vote extension signer {} is not in the validator set", e.validator));
            };
            power = power.saturating_add(v.voting_power);
            messages.push(e.own_signing_bytes(chain_id, certificate.height, &certificate.block_hash));
            keys.push(&v.public_key);
        }
        if power < validators.quorum_power() {
            return fail(format!(
                "vote extensions come from validators holding {power} of {} voting power; more than two thirds ({}) \
                 is needed",
                validators.total_power(),
                validators.quorum_power()
            ));
        }
        let items: Vec<(&PublicKey, &[u8], &Signature)> = keys
            .iter()
            .zip(&messages)
            .zip(&self.extensions)
            .map(|((k, m), e)| (*k, m.as_slice(), &e.signature))
            .collect();
        for (result, e) in verify_batch(&items).into_iter().zip(&self.extensions) {
            if let Err(err) = result {
                return fail(format!("the vote extension signature of validator {} is invalid: {err}", e.validator));
            }
        }
        Ok(())
    }
}

impl BorshDeserialize for DecidedExtensions {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let len = u32::deserialize_reader(reader)? as usize;
        if len > MAX_VALIDATORS {
            return Err(invalid(format!(
                "{len} vote extensions, more than the {MAX_VALIDATORS} validators a set may have"
            )));
        }
        let mut extensions = Vec::with_capacity(len);
        for _ in 0..len {
            let e = SignedVoteExtension::deserialize_reader(reader)?;
            // Checked per item, so that an oversize extension is refused before the next one is read.
            e.check_size().map_err(invalid)?;
            extensions.push(e);
        }
        // Sorted and distinct on arrival, or the encoding would not be canonical.
        let set = Self { extensions };
        set.check_shape().map_err(invalid)?;
        Ok(set)
    }
}

impl<'de> Deserialize<'de> for DecidedExtensions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            extensions: Vec<SignedVoteExtension>,
        }
        let raw = Raw::deserialize(d)?;
        Self::new(raw.extensions).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommitSignature, Validator, VoteBody, VoteKind};
    use publica_crypto::Keypair;

    fn chain() -> ChainId {
        ChainId::new("extension-test").expect("valid")
    }

    fn keys(n: u8) -> Vec<Keypair> {
        let mut keys: Vec<Keypair> = (1..=n).map(|i| Keypair::from_seed(&[i; 32])).collect();
        keys.sort_by_key(|k| k.address());
        keys
    }

    fn set(keys: &[Keypair]) -> ValidatorSet {
        ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).expect("valid set")
    }

    fn sign(k: &Keypair, height: u64, round: u32, hash: &Hash, extension: &[u8]) -> SignedVoteExtension {
        let bytes = SignedVoteExtension::signing_bytes(&chain(), height, round, hash, &k.address(), extension);
        SignedVoteExtension { validator: k.address(), round, extension: extension.to_vec(), signature: k.sign(&bytes) }
    }

    fn certificate(keys: &[Keypair], height: u64, round: u32, hash: Hash) -> CommitCertificate {
        let signatures = keys
            .iter()
            .map(|k| {
                let body = VoteBody {
                    height,
                    round,
                    kind: VoteKind::Precommit,
                    block_hash: Some(hash),
                    validator: k.address(),
                };
                CommitSignature { validator: k.address(), signature: k.sign(&body.signing_bytes(&chain())) }
            })
            .collect();
        CommitCertificate { height, round, block_hash: hash, signatures }
    }

    #[test]
    fn signing_bytes_follow_the_documented_layout() {
        let validator = Address([9; 20]);
        let bytes = SignedVoteExtension::signing_bytes(&chain(), 7, 2, &[5; 32], &validator, b"ab");
        let mut body = Vec::new();
        body.extend_from_slice(&7u64.to_le_bytes());
        body.extend_from_slice(&2u32.to_le_bytes());
        body.extend_from_slice(&[5; 32]);
        body.extend_from_slice(&[9; 20]);
        body.extend_from_slice(&2u32.to_le_bytes());
        body.extend_from_slice(b"ab");
        assert_eq!(bytes, signing_message(VOTE_EXTENSION_TAG, "extension-test", &body));
    }

    #[test]
    fn an_extension_verifies_only_in_its_own_scope() {
        let k = &keys(1)[0];
        let other = Keypair::from_seed(&[42; 32]);
        let e = sign(k, 10, 1, &[3; 32], b"checkpoint");
        e.verify(&chain(), 10, &[3; 32], k.public_key()).expect("valid");
        assert!(e.verify(&chain(), 11, &[3; 32], k.public_key()).is_err(), "other height");
        assert!(e.verify(&chain(), 10, &[4; 32], k.public_key()).is_err(), "other block");
        assert!(e.verify(&ChainId::new("other").expect("valid"), 10, &[3; 32], k.public_key()).is_err());
        assert!(e.verify(&chain(), 10, &[3; 32], other.public_key()).is_err(), "other key");
        let mut r = e.clone();
        r.round = 2;
        assert!(r.verify(&chain(), 10, &[3; 32], k.public_key()).is_err(), "other round");
        let mut t = e.clone();
        t.extension[0] ^= 1;
        assert!(t.verify(&chain(), 10, &[3; 32], k.public_key()).is_err(), "other bytes");
        let big = sign(k, 10, 1, &[3; 32], &vec![0; MAX_VOTE_EXTENSION_BYTES + 1]);
        assert!(big.verify(&chain(), 10, &[3; 32], k.public_key()).is_err(), "oversize");
        let empty = sign(k, 10, 1, &[3; 32], b"");
        empty.verify(&chain(), 10, &[3; 32], k.public_key()).expect("empty is allowed");
    }

    #[test]
    fn decided_extensions_round_trip_sorted_and_refuse_bad_encodings() {
        let keys = keys(4);
        let hash = [8; 32];
        let mut list: Vec<_> = keys.iter().map(|k| sign(k, 3, 0, &hash, k.address().as_bytes())).collect();
        list.reverse();
        let set = DecidedExtensions::new(list.clone()).expect("valid");
        assert!(set.extensions.windows(2).all(|w| w[0].validator < w[1].validator));
        assert_eq!(set.get(&keys[2].address()).map(|e| e.validator), Some(keys[2].address()));
        let bytes = set.encode();
        assert_eq!(DecidedExtensions::decode(&bytes).expect("decode"), set);
        let json = serde_json::to_string(&set).expect("json");
        assert_eq!(serde_json::from_str::<DecidedExtensions>(&json).expect("from json"), set);

        // Unsorted on the wire.
        assert!(DecidedExtensions::decode(&encode(&list)).is_err());
        // Duplicate validator.
        assert!(DecidedExtensions::new(vec![list[0].clone(), list[0].clone()]).is_err());
        // Trailing byte.
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(DecidedExtensions::decode(&trailing).is_err());
        // An oversize extension inside.
        let big =
            DecidedExtensions { extensions: vec![sign(&keys[0], 3, 0, &hash, &vec![1; MAX_VOTE_EXTENSION_BYTES + 1])] };
        assert!(DecidedExtensions::decode(&encode(&big)).is_err());
        // Too many entries claimed, and input over the limit.
        assert!(DecidedExtensions::decode(&(MAX_VALIDATORS as u32 + 1).to_le_bytes()).is_err());
        let huge = vec![0u8; MAX_DECIDED_EXTENSIONS_BYTES + 1];
        assert!(matches!(DecidedExtensions::decode(&huge), Err(CodecError::TooLarge { .. })));
        // A maximal set fits the limit exactly.
        let max_entry = sign(&keys[0], 3, 0, &hash, &vec![1; MAX_VOTE_EXTENSION_BYTES]);
        assert_eq!(encode(&max_entry).len(), MAX_SIGNED_VOTE_EXTENSION_BYTES);
    }

    #[test]
    fn decided_extensions_verify_against_their_certificate() {
        let keys = keys(4);
        let validators = set(&keys);
        let hash = [6; 32];
        let cert = certificate(&keys[..3], 5, 1, hash);
        let ext = |ks: &[Keypair]| {
            DecidedExtensions::new(ks.iter().map(|k| sign(k, 5, 1, &hash, b"x")).collect()).expect("valid")
        };
        ext(&keys[..3]).verify(&chain(), &cert, &validators).expect("three of four");
        assert!(ext(&keys[..2]).verify(&chain(), &cert, &validators).is_err(), "two of four is no quorum");
        assert!(ext(&keys).verify(&chain(), &cert, &validators).is_err(), "the fourth did not sign the certificate");
        assert!(ext(&keys[..3]).verify(&ChainId::new("x").expect("valid"), &cert, &validators).is_err());

        let mut wrong_round = ext(&keys[..3]);
        wrong_round.extensions[0] = sign(&keys[0], 5, 0, &hash, b"x");
        assert!(wrong_round.verify(&chain(), &cert, &validators).is_err());

        let mut forged = ext(&keys[..3]);
        forged.extensions[1].extension = b"y".to_vec();
        assert!(forged.verify(&chain(), &cert, &validators).is_err());

        let mut other_block = cert.clone();
        other_block.block_hash = [7; 32];
        assert!(ext(&keys[..3]).verify(&chain(), &other_block, &validators).is_err());

        let mut unsorted = ext(&keys[..3]);
        unsorted.extensions.swap(0, 1);
        assert!(unsorted.verify(&chain(), &cert, &validators).is_err());
    }
}

//! The keys a validator signs notary checkpoints with.
//!
//! Checkpoints of the notary log are C2SP signed notes; each validator adds an Ed25519 note signature and an
//! ML-DSA-44 cosignature (C2SP tlog-cosignature). These keys are separate from the hybrid consensus key, so that a
//! consensus signature can never be presented as a checkpoint signature or the other way round, but they are
//! derived from it, so a validator has one secret to keep:
//!
//! - Ed25519 log seed `= SHA-256("publica/log-key/v1/ed25519" || 0x00 || ML-DSA-65 seed || Ed25519 secret)`;
//! - ML-DSA-44 log seed `ξ = SHA-256("publica/log-key/v1/ml-dsa-44" || 0x00 || ML-DSA-65 seed || Ed25519 secret)`.
//!
//! The public halves ([`LogPublicKeys`]) are published in the validator set, so anyone can check a checkpoint
//! against the validators of its height.

use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, PqdsaKeyPair, ML_DSA_44, ML_DSA_44_SIGNING};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{sha256_concat, CryptoError, Ed25519PublicKey, Keypair};

/// Length of a raw FIPS 204 ML-DSA-44 public key.
pub const ML_DSA_44_PUBLIC_KEY_LEN: usize = 1312;

/// C2SP signature type of a validator's Ed25519 checkpoint signature (signed-note Ed25519).
pub const LOG_ED25519_SIGNATURE_TYPE: u8 = 0x01;
/// C2SP signature type of a validator's ML-DSA-44 checkpoint cosignature (tlog-cosignature `subtree/v1`).
pub const LOG_ML_DSA_44_SIGNATURE_TYPE: u8 = 0x06;

const LOG_SEED_ED25519: &[u8] = b"publica/log-key/v1/ed25519";
const LOG_SEED_ML_DSA_44: &[u8] = b"publica/log-key/v1/ml-dsa-44";

/// The secret seeds of a validator's checkpoint keys (zeroized on drop).
pub struct LogKeySeeds {
    /// RFC 8032 Ed25519 secret key.
    pub ed25519: Zeroizing<[u8; 32]>,
    /// FIPS 204 ML-DSA-44 key-generation seed ξ.
    pub ml_dsa_44: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for LogKeySeeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogKeySeeds(..)")
    }
}

/// The public checkpoint keys of a validator.
#[derive(Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct LogPublicKeys {
    /// RFC 8032 Ed25519 public key (note signatures, C2SP signature type 0x01).
    #[serde(with = "hex_32")]
    pub ed25519: [u8; 32],
    /// FIPS 204 ML-DSA-44 public key (cosignatures, C2SP signature type 0x06), 1312 bytes.
    #[serde(with = "hex_vec")]
    pub ml_dsa_44: Vec<u8>,
}

impl std::fmt::Debug for LogPublicKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogPublicKeys(ed25519 {})", hex::encode(self.ed25519))
    }
}

impl LogPublicKeys {
    /// Parse both keys as a verifier will: the Ed25519 key under the same rule as a consensus key's Ed25519 half
    /// (a canonical curve point, not of small order), the ML-DSA-44 key by the FIPS 204 decoder.
    ///
    /// A validator set runs this for every member when it is built, so that a key no verifier could use never
    /// enters a set: one such key would otherwise make every checkpoint of its set unverifiable.
    pub fn check(&self) -> Result<(), CryptoError> {
        if self.ml_dsa_44.len() != ML_DSA_44_PUBLIC_KEY_LEN {
            return Err(CryptoError::InvalidLength {
                what: "ML-DSA-44 log public key",
                expected: ML_DSA_44_PUBLIC_KEY_LEN,
                actual: self.ml_dsa_44.len(),
            });
        }
        Ed25519PublicKey::from_bytes(&self.ed25519)
            .map_err(|e| CryptoError::BadLogPublicKey { key: "Ed25519 checkpoint key", reason: e.to_string() })?;
        ParsedPublicKey::new(&ML_DSA_44, &self.ml_dsa_44).map_err(|_| CryptoError::BadLogPublicKey {
            key: "ML-DSA-44 checkpoint key",
            reason: "rejected by the FIPS 204 decoder".into(),
        })?;
        Ok(())
    }

    /// The C2SP key ids of the two keys under the key name `name` (a network's log origin): the first four bytes,
    /// big-endian, of `SHA-256(name || 0x0A || signature type || public key)`, Ed25519 first.
    ///
    /// Signature lines are matched to keys by name and key id only, so two keys of one set sharing an id would
    /// make one validator's signature look like another's; sets are checked for that where the name is known.
    pub fn key_ids(&self, name: &str) -> [u32; 2] {
        let id = |sig_type: u8, key: &[u8]| {
            let digest = sha256_concat(&[name.as_bytes(), b"\n", &[sig_type], key]);
            u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
        };
        [id(LOG_ED25519_SIGNATURE_TYPE, &self.ed25519), id(LOG_ML_DSA_44_SIGNATURE_TYPE, &self.ml_dsa_44)]
    }
}

impl Keypair {
    /// The seeds of this validator key's checkpoint keys (see the module documentation).
    pub fn log_key_seeds(&self) -> LogKeySeeds {
        let (ml_dsa_seed, ed25519_secret) = self.component_secrets();
        LogKeySeeds {
            ed25519: Zeroizing::new(sha256_concat(&[LOG_SEED_ED25519, &[0x00], ml_dsa_seed, ed25519_secret])),
            ml_dsa_44: Zeroizing::new(sha256_concat(&[LOG_SEED_ML_DSA_44, &[0x00], ml_dsa_seed, ed25519_secret])),
        }
    }

    /// The public halves of this validator key's checkpoint keys.
    pub fn log_public_keys(&self) -> LogPublicKeys {
        let seeds = self.log_key_seeds();
        let ed25519 = <[u8; 32]>::from(ed25519_zebra::VerificationKeyBytes::from(&ed25519_zebra::SigningKey::from(
            *seeds.ed25519,
        )));
        // Key generation from a 32-byte seed cannot fail (FIPS 204 KeyGen_internal accepts every seed).
        let ml_dsa = PqdsaKeyPair::from_seed(&ML_DSA_44_SIGNING, &seeds.ml_dsa_44[..])
            .expect("ML-DSA-44 key generation from a 32-byte seed failed inside AWS-LC");
        LogPublicKeys { ed25519, ml_dsa_44: ml_dsa.public_key().as_ref().to_vec() }
    }
}

mod hex_32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(&text).map_err(serde::de::Error::custom)?;
        bytes.try_into().map_err(|_| serde::de::Error::custom("expected 32 bytes in hex"))
    }
}

mod hex_vec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() > 2 * super::ML_DSA_44_PUBLIC_KEY_LEN {
            return Err(serde::de::Error::custom("ML-DSA-44 public key is too long"));
        }
        hex::decode(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_are_deterministic_distinct_and_sized() {
        let a = Keypair::from_seed(&[1; 32]);
        let b = Keypair::from_seed(&[2; 32]);
        assert_eq!(a.log_public_keys(), Keypair::from_seed(&[1; 32]).log_public_keys());
        assert_ne!(a.log_public_keys(), b.log_public_keys());
        assert_eq!(a.log_public_keys().ml_dsa_44.len(), ML_DSA_44_PUBLIC_KEY_LEN);
        a.log_public_keys().check().unwrap();
        // Not a point on the curve (y = 2 has no x), the identity (small order), a short ML-DSA-44 key.
        let mut bad = a.log_public_keys();
        bad.ed25519 = [0; 32];
        bad.ed25519[0] = 2;
        assert!(bad.check().unwrap_err().to_string().contains("Ed25519 checkpoint key"));
        bad.ed25519 = [0; 32];
        bad.ed25519[0] = 1;
        assert!(bad.check().unwrap_err().to_string().contains("small-order"));
        let mut short = a.log_public_keys();
        short.ml_dsa_44.pop();
        assert!(short.check().is_err());
        // Never the consensus key's Ed25519 half.
        assert_ne!(&a.log_public_keys().ed25519, a.public_key().ed25519_bytes());
        assert_eq!(ML_DSA_44_SIGNING.public_key_len(), ML_DSA_44_PUBLIC_KEY_LEN);
    }
}

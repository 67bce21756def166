//! Transaction identifiers. The transactions themselves (body, call, signature) are the envelope of `publica-tx`,
//! which gathers the modules' calls; the id is here so that every crate can name a transaction without it.
//!
//! The transaction id is `SHA-256(borsh(body))`: it does not cover the signature (see `publica-tx`).

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_crypto::Hash;

/// A transaction id: SHA-256 of the canonical body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct TxId(pub Hash);

impl fmt::Display for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TxId({})", hex::encode(&self.0[..8]))
    }
}

impl std::str::FromStr for TxId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| format!("a transaction id is 64 hex characters, got {s:?}"))?;
        Ok(TxId(out))
    }
}

impl Serialize for TxId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for TxId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

//! The notary module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::Hash;

/// Most hashes one anchoring transaction carries (3,500 × 32 bytes stays well inside a transaction's size limit).
pub const MAX_ANCHOR_HASHES: usize = 3_500;

/// Calls of the notary module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum NotaryCall {
    /// An official holding the notary role anchors the SHA-256 hashes of documents (never their contents), 1 to
    /// [`MAX_ANCHOR_HASHES`] at once, with an optional public label (printable text, at most
    /// [`MAX_ANCHOR_LABEL_BYTES`](publica_notary_log::MAX_ANCHOR_LABEL_BYTES) bytes). Each new hash becomes one entry of the log; a hash anchored before keeps
    /// its first entry and is reported, not refused.
    Anchor {
        #[serde(with = "publica_types::codec::hex_hash_vec")]
        hashes: Vec<Hash>,
        label: Option<String>,
    },
}

impl NotaryCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Anchor { .. } => "anchor",
        }
    }
}

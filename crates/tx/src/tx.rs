//! Transactions: a body signed with the sender's hybrid key.
//!
//! Signed bytes: `signing_message("publica/tx", chain_id, borsh(body))` (see `docs/signatures.md`). The transaction
//! id is `SHA-256(borsh(body))`: it does not cover the signature, so re-signing a body cannot make a "new"
//! transaction, and the nonce makes each body executable at most once. Blocks, however, commit to the full hash
//! (`SHA-256(borsh(transaction))`), so that a certified block hash fixes the signatures as well.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::Call;
use publica_types::codec::{decode_canonical, encode, CodecError};
use publica_types::{sha256, signing_message, Address, ChainId, Hash, Keypair, Signature, TxId, MAX_TX_BYTES};

/// Signature tag of transactions.
pub const TX_TAG: &str = "publica/tx";

/// What the sender signs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TxBody {
    /// The network this transaction is for.
    pub chain_id: ChainId,
    /// The sending account (its address never changes, even when its key rotates).
    pub sender: Address,
    /// Must equal the sender's next nonce: each nonce is used once, in order.
    pub nonce: u64,
    /// Block time (Unix milliseconds) after which the transaction can no longer be included.
    pub expires_at_ms: u64,
    /// What to do.
    pub call: Call,
}

impl TxBody {
    /// The transaction id of this body.
    pub fn id(&self) -> TxId {
        TxId(sha256(&encode(self)))
    }

    /// The exact bytes both signature components sign.
    pub fn signing_bytes(&self) -> Vec<u8> {
        signing_message(TX_TAG, self.chain_id.as_str(), &encode(self))
    }

    /// Sign this body.
    pub fn sign(self, key: &Keypair) -> Transaction {
        let signature = key.sign(&self.signing_bytes());
        Transaction { body: self, signature }
    }
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Transaction {
    /// The signed content.
    pub body: TxBody,
    /// Hybrid signature over `body.signing_bytes()`.
    pub signature: Signature,
}

impl Transaction {
    /// A transaction no account signs, for a call that authenticates itself ([`Call::is_anonymous`]: a ballot):
    /// sender [`Address::ANONYMOUS`], nonce 0 and [`Signature::absent`]. Its id covers the call, so each ballot
    /// is its own transaction; the module refuses a ballot already on the board.
    pub fn anonymous(chain_id: ChainId, expires_at_ms: u64, call: Call) -> Self {
        let body = TxBody { chain_id, sender: Address::ANONYMOUS, nonce: 0, expires_at_ms, call };
        Transaction { body, signature: Signature::absent() }
    }

    /// Whether the transaction is sent by [`Address::ANONYMOUS`] (its other rules are checked by execution).
    pub fn is_anonymous(&self) -> bool {
        self.body.sender == Address::ANONYMOUS
    }

    /// Decode a transaction from untrusted bytes: size limit, well-formedness and canonical form.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_canonical("transaction", bytes, MAX_TX_BYTES)
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// The transaction id.
    pub fn id(&self) -> TxId {
        self.body.id()
    }

    /// SHA-256 of the whole canonical encoding, signature included. Blocks commit to transactions by this hash, so
    /// a block hash pins down every byte of every transaction, signatures too.
    pub fn full_hash(&self) -> Hash {
        sha256(&self.encode())
    }
}

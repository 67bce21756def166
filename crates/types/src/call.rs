//! Module calls: what a transaction asks the ledger to do.
//!
//! The wire form of every module's calls lives here, so that clients (CLI, API, other implementations) encode
//! calls without depending on the modules' state logic. Enum variant order is part of the encoding: new variants
//! are only ever appended.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{AgencyId, GovernanceCall, Role};
use publica_crypto::{Address, Hash, PublicKey, Signature};

/// A call to one of the ledger's modules.
// An accounts call carries keys and signatures inline (hundreds of bytes); a transaction holds exactly one call and
// is moved rarely, so boxing it would only add an allocation per transaction.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "module", content = "call", rename_all = "snake_case")]
pub enum Call {
    /// The accounts module: officials, citizens, roles, key rotation.
    Accounts(AccountsCall),
    /// The notary module: document hashes anchored in the append-only log.
    Notary(NotaryCall),
    /// The governance module: changes of the validator set, approved by the validators.
    Governance(GovernanceCall),
    /// The registry module: land parcels and titles, encumbrances, multi-party applications, permits.
    Registry(crate::registry::RegistryCall),
}

impl Call {
    /// The module's name, for logs and metrics.
    pub fn module(&self) -> &'static str {
        match self {
            Call::Accounts(_) => "accounts",
            Call::Notary(_) => "notary",
            Call::Governance(_) => "governance",
            Call::Registry(_) => "registry",
        }
    }

    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Call::Accounts(c) => c.method(),
            Call::Notary(c) => c.method(),
            Call::Governance(c) => c.method(),
            Call::Registry(c) => c.method(),
        }
    }
}

impl From<AccountsCall> for Call {
    fn from(call: AccountsCall) -> Self {
        Call::Accounts(call)
    }
}

impl From<NotaryCall> for Call {
    fn from(call: NotaryCall) -> Self {
        Call::Notary(call)
    }
}

impl From<crate::registry::RegistryCall> for Call {
    fn from(call: crate::registry::RegistryCall) -> Self {
        Call::Registry(call)
    }
}

impl From<GovernanceCall> for Call {
    fn from(call: GovernanceCall) -> Self {
        Call::Governance(call)
    }
}

/// Calls of the accounts module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum AccountsCall {
    /// An agency administrator registers an official of their agency with roles. The new account's address is
    /// derived from `public_key`.
    RegisterOfficial { public_key: PublicKey, agency: AgencyId, roles: Vec<Role> },
    /// An agency administrator replaces the roles of an official of their agency.
    SetRoles { account: Address, roles: Vec<Role> },
    /// An official holding the citizen-registrar role, in an agency allowed to register citizens, registers a
    /// citizen. Only a salted commitment to the citizen's national identifier is stored, never the identifier.
    RegisterCitizen {
        public_key: PublicKey,
        #[serde(with = "crate::codec::hex_hash")]
        id_commitment: Hash,
    },
    /// The sender replaces its own key. The transaction is signed by the old key; `possession` is a signature by
    /// the new key over [`rotate_key_message`], proving the sender controls it.
    RotateKey { new_public_key: PublicKey, possession: Signature },
    /// An agency administrator suspends (`active: false`) or reinstates an official of their agency.
    SetActive { account: Address, active: bool },
}

impl AccountsCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::RegisterOfficial { .. } => "register_official",
            Self::SetRoles { .. } => "set_roles",
            Self::RegisterCitizen { .. } => "register_citizen",
            Self::RotateKey { .. } => "rotate_key",
            Self::SetActive { .. } => "set_active",
        }
    }
}

/// Most hashes one anchoring transaction carries (3,500 × 32 bytes stays well inside a transaction's size limit).
pub const MAX_ANCHOR_HASHES: usize = 3_500;
/// Longest label of an anchoring, in bytes.
pub const MAX_ANCHOR_LABEL_BYTES: usize = 128;

/// Calls of the notary module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum NotaryCall {
    /// An official holding the notary role anchors the SHA-256 hashes of documents (never their contents), 1 to
    /// [`MAX_ANCHOR_HASHES`] at once, with an optional public label (printable text, at most
    /// [`MAX_ANCHOR_LABEL_BYTES`] bytes). Each new hash becomes one entry of the log; a hash anchored before keeps
    /// its first entry and is reported, not refused.
    Anchor {
        #[serde(with = "crate::codec::hex_hash_vec")]
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

/// Signature tag of a key-rotation proof of possession.
pub const ROTATE_KEY_TAG: &str = "publica/rotate-key";

/// The body signed by the new key in [`AccountsCall::RotateKey`]: the account and the nonce of the rotating
/// transaction, so a proof of possession cannot be replayed for another account or another rotation.
pub fn rotate_key_message(account: &Address, nonce: u64) -> Vec<u8> {
    crate::codec::encode(&(account, nonce))
}

//! The accounts module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{Address, Hash, PublicKey, Signature};
use publica_types::{AgencyId, Role};

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
        #[serde(with = "publica_types::codec::hex_hash")]
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

/// Signature tag of a key-rotation proof of possession.
pub const ROTATE_KEY_TAG: &str = "publica/rotate-key";

/// The body signed by the new key in [`AccountsCall::RotateKey`]: the account and the nonce of the rotating
/// transaction, so a proof of possession cannot be replayed for another account or another rotation.
pub fn rotate_key_message(account: &Address, nonce: u64) -> Vec<u8> {
    publica_types::codec::encode(&(account, nonce))
}

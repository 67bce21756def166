//! Answers of the state routes. `GET /v1/state/{key}` answers with a [`publica_verify::ReadProof`] itself.

use publica_accounts::AccountRecord;
use publica_types::Address;
use publica_verify::ReadProof;
use serde::{Deserialize, Serialize};

/// An account with its next nonce and the proof of its record (`GET /v1/accounts/{address}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountResponse {
    /// The account's address.
    pub address: Address,
    /// Height of the certified header the proof is against.
    pub height: u64,
    /// The account's record, decoded from the proven value.
    pub account: AccountRecord,
    /// The nonce its next transaction must carry.
    pub next_nonce: u64,
    /// Proof of `account`'s encoding under the account key.
    pub proof: ReadProof,
}

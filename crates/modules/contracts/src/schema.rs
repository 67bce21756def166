//! State layout of the contracts module (prefix `con/`). Every value is borsh, canonical. Numbers in keys are u64
//! big-endian (days: days since the Unix epoch, UTC), hashes their 32 bytes, addresses their 20 bytes, agencies
//! and names their text.
//!
//! | key | value |
//! |---|---|
//! | `con/code/<sha256>` | [`CodeRecord`]: the module's bytes, uploader, agency, height; written once |
//! | `con/policy/<agency>` | [`crate::call::Policy`], set by governance |
//! | `con/ac/<agency>` | how many instances the agency holds (u64) |
//! | `con/next` | the number the next instance gets (u64) |
//! | `con/i/<id>` | [`Instance`] |
//! | `con/n/<name>` | the number of the instance of that name (u64) |
//! | `con/s/<id>/<key bytes>` | a key of the instance's own state, as the contract wrote it (raw bytes) |
//! | `con/ec/<id>` | how many events the instance recorded (u64) |
//! | `con/e/<id>/<seq>` | [`Event`]: topic, data, height, transaction |
//! | `con/b/<agency>/<day>` | the fuel the agency's instances used that day (u64) |
//! | `con/u/<id>/<sender>/<day>` | the fuel the sender used on the instance that day (u64) |
//! | `con/r/<transaction id>` | [`Receipt`]: what a call did (status, output, fuel used, failure, events) |
//!
//! Contract state keys are the instance's number followed by the contract's key bytes as given, so one
//! instance's keys can never collide with another's or the module's. Everything here is public, and provable like
//! any state: contracts are agencies' published rules, and so are their state and events.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::codec::{self, hex_bytes, hex_hash};
use publica_types::{Address, AgencyId, Hash, Role, StateRead, StateWrite, TxId};

/// Prefix of every key of the module.
pub const PREFIX: &[u8] = b"con/";
/// Key of the next instance number.
pub const NEXT_INSTANCE_KEY: &[u8] = b"con/next";
/// The most code versions an instance's history keeps (the first deployment and its upgrades); an instance at the
/// limit is redeployed under a new name rather than upgraded.
pub const MAX_CODE_HISTORY: usize = 64;
/// The longest output a [`Receipt`] keeps, in bytes; its length is kept whole.
pub const MAX_RECEIPT_OUTPUT_BYTES: usize = 256;
/// The longest failure message a [`Receipt`] keeps, in bytes (cut at a character boundary).
pub const MAX_RECEIPT_MESSAGE_BYTES: usize = 256;
/// One UTC day, in milliseconds.
pub const DAY_MS: u64 = 86_400_000;

/// Uploaded code.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The module's binary encoding; its SHA-256 is the key.
    #[serde(with = "hex_bytes")]
    pub code: Vec<u8>,
    /// The official who uploaded it.
    pub uploader: Address,
    /// The uploader's agency.
    pub agency: AgencyId,
    /// Height of the upload.
    pub height: u64,
}

/// Who put a code version in force.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Authority {
    /// A governance proposal, by number.
    Proposal {
        /// Its number.
        id: u64,
    },
    /// An administrator of the owning agency, within its policy.
    Admin {
        /// The administrator.
        address: Address,
    },
}

/// One version of an instance's code.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CodeVersion {
    /// The code.
    #[serde(with = "hex_hash")]
    pub code_hash: Hash,
    /// Height from which it runs.
    pub height: u64,
    /// Who put it in force.
    pub authority: Authority,
}

/// A deployed contract.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Instance {
    /// Its number, given by the chain.
    pub id: u64,
    /// Its unique name.
    pub name: String,
    /// The owning agency, whose budget its calls spend.
    pub agency: AgencyId,
    /// The code it runs now.
    #[serde(with = "hex_hash")]
    pub code_hash: Hash,
    /// The most fuel one call may use.
    pub fuel_per_call: u64,
    /// The most fuel one sender may use on it in one UTC day.
    pub fuel_per_sender_day: u64,
    /// The roles it holds for native calls, granted by governance only.
    pub roles: Vec<Role>,
    /// Whether calls are refused.
    pub frozen: bool,
    /// Every code version, the first deployment first (at most [`MAX_CODE_HISTORY`]).
    pub history: Vec<CodeVersion>,
    /// Height of its deployment.
    pub deployed_at_height: u64,
}

/// An event a contract emitted in a successful call.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Event {
    /// The topic.
    #[serde(with = "hex_bytes")]
    pub topic: Vec<u8>,
    /// The data.
    #[serde(with = "hex_bytes")]
    pub data: Vec<u8>,
    /// Height of the block.
    pub height: u64,
    /// The transaction whose call emitted it.
    pub tx_id: TxId,
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CallFailure {
    /// `status` (the contract returned non-zero), `out_of_fuel`, `trap`, `aborted`, or `host`.
    pub kind: String,
    /// What happened, in words (at most [`MAX_RECEIPT_MESSAGE_BYTES`]).
    pub message: String,
}

/// What one call did, kept under the transaction's id: a failed call is a committed transaction too (its fuel is
/// charged), so its result must be readable, and provable, like a success's.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Receipt {
    /// The instance called.
    pub instance: u64,
    /// What `call` returned (`None` when the call stopped before returning).
    pub status: Option<i32>,
    /// The output's first [`MAX_RECEIPT_OUTPUT_BYTES`] bytes.
    #[serde(with = "hex_bytes")]
    pub output: Vec<u8>,
    /// The output's whole length.
    pub output_len: u32,
    /// The fuel used and charged.
    pub fuel_used: u64,
    /// Why the call failed; `None` exactly when it succeeded (status 0).
    pub failure: Option<CallFailure>,
    /// How many events the call recorded (nested calls' included; 0 when it failed).
    pub events: u32,
}

impl Receipt {
    /// Whether the call succeeded: its writes and events were applied.
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }
}

fn with(prefix: &str, rest: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.as_bytes().to_vec();
    for part in rest {
        key.extend_from_slice(part);
    }
    key
}

/// Key of uploaded code.
pub fn code_key(hash: &Hash) -> Vec<u8> {
    with("con/code/", &[hash])
}

/// Key of an agency's policy.
pub fn policy_key(agency: &AgencyId) -> Vec<u8> {
    with("con/policy/", &[agency.as_str().as_bytes()])
}

/// Key of an agency's instance count.
pub fn agency_count_key(agency: &AgencyId) -> Vec<u8> {
    with("con/ac/", &[agency.as_str().as_bytes()])
}

/// Key of an instance.
pub fn instance_key(id: u64) -> Vec<u8> {
    with("con/i/", &[&id.to_be_bytes()])
}

/// Key of the name index.
pub fn name_key(name: &str) -> Vec<u8> {
    with("con/n/", &[name.as_bytes()])
}

/// Key of a contract's own state key.
pub fn state_key(id: u64, key: &[u8]) -> Vec<u8> {
    with("con/s/", &[&id.to_be_bytes(), b"/", key])
}

/// Key of an instance's event count.
pub fn event_count_key(id: u64) -> Vec<u8> {
    with("con/ec/", &[&id.to_be_bytes()])
}

/// Key of an instance's event.
pub fn event_key(id: u64, seq: u64) -> Vec<u8> {
    with("con/e/", &[&id.to_be_bytes(), b"/", &seq.to_be_bytes()])
}

/// Key of the fuel an agency's instances used on a day.
pub fn budget_key(agency: &AgencyId, day: u64) -> Vec<u8> {
    with("con/b/", &[agency.as_str().as_bytes(), b"/", &day.to_be_bytes()])
}

/// Key of the fuel a sender used on an instance on a day.
pub fn usage_key(id: u64, sender: &Address, day: u64) -> Vec<u8> {
    with("con/u/", &[&id.to_be_bytes(), b"/", sender.as_bytes(), b"/", &day.to_be_bytes()])
}

/// Key of a call's receipt.
pub fn receipt_key(tx_id: &TxId) -> Vec<u8> {
    with("con/r/", &[&tx_id.0])
}

/// The UTC day of a block time.
pub fn day_of(time_ms: u64) -> u64 {
    time_ms / DAY_MS
}

/// A stored counter (u64 little-endian), 0 when absent or damaged.
pub fn get_u64(state: &dyn StateRead, key: &[u8]) -> u64 {
    state.get(key).and_then(|bytes| bytes.try_into().ok()).map(u64::from_le_bytes).unwrap_or(0)
}

/// Writes a counter.
pub fn put_u64(state: &mut dyn StateWrite, key: Vec<u8>, value: u64) {
    state.put(key, value.to_le_bytes().to_vec());
}

/// A stored record, `None` when absent. Values were encoded by this module; a value that does not decode reads as
/// absent rather than stopping the node on a damaged key.
pub fn get<T: BorshDeserialize + BorshSerialize>(state: &dyn StateRead, key: &[u8]) -> Option<T> {
    let bytes = state.get(key)?;
    codec::decode_canonical("contracts record", &bytes, bytes.len()).ok()
}

/// Writes a record.
pub fn put<T: BorshSerialize>(state: &mut dyn StateWrite, key: Vec<u8>, value: &T) {
    state.put(key, codec::encode(value));
}

/// A stored number (u64 little-endian), `None` when absent or damaged.
pub fn get_u64_opt(state: &dyn StateRead, key: &[u8]) -> Option<u64> {
    state.get(key).and_then(|bytes| bytes.try_into().ok()).map(u64::from_le_bytes)
}

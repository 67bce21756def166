//! The contracts module's reads (`GET /v1/contracts/…`): uploaded code, instances, a key of an instance's state,
//! a page of its events, a call's receipt and an agency's policy. Each answer carries the proofs of every key it
//! read under one certified header (`certified`, then `proofs`), so `publica verify` checks it offline. Uploads,
//! deployments and calls are transactions (`POST /v1/transactions` with a `contracts` call).

use publica_contracts::call::Policy;
use publica_contracts::schema::{Event, Instance, Receipt};
use publica_types::codec::hex_hash;
use publica_types::{Address, AgencyId, Hash, TxId};
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// Most events one page of `GET /v1/contracts/instances/{id}/events` carries.
pub const MAX_CONTRACT_EVENTS_PAGE: u32 = publica_contracts::query::MAX_EVENTS_PAGE as u32;
/// Events in one page when no `limit` is given.
pub const DEFAULT_CONTRACT_EVENTS_PAGE: u32 = 20;

const _: () = assert!(MAX_CONTRACT_EVENTS_PAGE as usize == publica_contracts::query::MAX_EVENTS_PAGE);

/// Most instances one page of `GET /v1/contracts/instances` carries.
pub const MAX_CONTRACT_INSTANCES_PAGE: u32 = publica_contracts::query::MAX_INSTANCES_PAGE as u32;
/// Instances in one page when no `limit` is given.
pub const DEFAULT_CONTRACT_INSTANCES_PAGE: u32 = 20;

const _: () = assert!(MAX_CONTRACT_INSTANCES_PAGE as usize == publica_contracts::query::MAX_INSTANCES_PAGE);
const _: () = assert!(DEFAULT_CONTRACT_INSTANCES_PAGE <= MAX_CONTRACT_INSTANCES_PAGE);

/// Uploaded code (`GET /v1/contracts/code/{hash}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractCodeResponse {
    /// The code's SHA-256, its key.
    #[serde(with = "hex_hash")]
    pub code_hash: Hash,
    /// The official who uploaded it.
    pub uploader: Address,
    /// The uploader's agency.
    pub agency: AgencyId,
    /// Height of the upload.
    pub height: u64,
    /// The module's length in bytes.
    pub size: u64,
    /// The module's binary encoding, in standard padded base64.
    pub code: String,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The proof of the code's record (`con/code/` ‖ hash).
    pub proofs: Vec<KeyProof>,
}

/// An instance (`GET /v1/contracts/instances/{id or name}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractInstanceResponse {
    /// The instance: its code, agency, fuel limits, roles, whether frozen, its code history.
    pub instance: Instance,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// By name: the name index's key, then the instance's; by number: the instance's.
    pub proofs: Vec<KeyProof>,
}

/// A page of the instances, by number (`GET /v1/contracts/instances`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractInstancesResponse {
    /// How many instances were deployed (numbered from 0; none is ever removed).
    pub count: u64,
    /// The instances numbered `from` onwards, at most `limit`, in order.
    pub instances: Vec<Instance>,
    /// The `from` of the next page; `None` when this page reaches the last instance.
    pub next: Option<u64>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The instance counter's key (`con/next`, u64 little-endian; absent: none deployed), then each instance's.
    pub proofs: Vec<KeyProof>,
}

/// One key of an instance's own state (`GET /v1/contracts/instances/{id}/state/{key}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractStateResponse {
    /// The instance's number.
    pub instance: u64,
    /// The contract's key, in hex, as asked.
    pub key: String,
    /// The bytes the contract wrote under it, in hex; `None` when it holds none (proven absent).
    pub value: Option<String>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The proof of the key (`con/s/` ‖ instance, big-endian ‖ `/` ‖ key), present or absent.
    pub proofs: Vec<KeyProof>,
}

/// One event of a page, with its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractEventEntry {
    /// Its number among the instance's events, from 0.
    pub seq: u64,
    /// The event: topic, data, height, transaction.
    pub event: Event,
}

/// A page of an instance's events (`GET /v1/contracts/instances/{id}/events`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractEventsResponse {
    /// The instance's number.
    pub instance: u64,
    /// How many events the instance recorded.
    pub count: u64,
    /// The events numbered `from` onwards, at most `limit`.
    pub events: Vec<ContractEventEntry>,
    /// The `from` of the next page; `None` when this page reaches the last event.
    pub next: Option<u64>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The instance's key, the event count's, then each event's.
    pub proofs: Vec<KeyProof>,
}

/// A call's receipt (`GET /v1/contracts/receipts/{tx id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractReceiptResponse {
    /// The call's transaction.
    pub tx_id: TxId,
    /// What the call did: status, output, fuel used, failure, events.
    pub receipt: Receipt,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The proof of the receipt (`con/r/` ‖ transaction id).
    pub proofs: Vec<KeyProof>,
}

/// An agency's contract policy and the fuel its instances used today (`GET /v1/contracts/policies/{agency}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractPolicyResponse {
    /// The agency.
    pub agency: AgencyId,
    /// Its policy, as governance set it.
    pub policy: Policy,
    /// The UTC day of the certified block (days since the Unix epoch).
    pub day: u64,
    /// The fuel the agency's instances used on that day.
    pub fuel_used: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// The policy's key, then the day's fuel counter's (`con/b/` ‖ agency ‖ `/` ‖ day, big-endian; absent: 0).
    pub proofs: Vec<KeyProof>,
}

//! Contracts routes (`/v1/contracts/…`): uploaded code by hash, the instances page by page and each by number or
//! name, one key of an instance's state, a page of its events, a call's receipt and an agency's policy with the fuel
//! its instances used on the certified block's day. Every answer comes from one read of the module's state
//! (`publica_contracts::query`) and carries the proofs of every key it read under one certified header. Writes are
//! transactions (`POST /v1/transactions` with a `contracts` call); these routes only read. The module is described
//! in `docs/contracts.md`, the routes in `docs/api.md`.

use axum::extract::State;
use base64::Engine as _;
use serde::Deserialize;

use publica_client::api::contracts::{
    ContractCodeResponse, ContractEventEntry, ContractEventsResponse, ContractInstanceResponse,
    ContractInstancesResponse, ContractPolicyResponse, ContractReceiptResponse, ContractStateResponse,
    DEFAULT_CONTRACT_EVENTS_PAGE, DEFAULT_CONTRACT_INSTANCES_PAGE, MAX_CONTRACT_EVENTS_PAGE,
    MAX_CONTRACT_INSTANCES_PAGE,
};
use publica_contracts::call::MAX_NAME_BYTES;
use publica_contracts::error::{CODE_NOT_FOUND, INSTANCE_NOT_FOUND};
use publica_contracts::query::{self, Keys};
use publica_contracts::schema::{self, Instance};
use publica_node::NodeHandle;
use publica_types::{AgencyId, StateRead};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_hash, parse_record_number, parse_tx_id, quote, refused, Path, Query};
use crate::identity::{split, NoParams};

/// The longest key a contract may write in its own state, in bytes (the runtime's `publica_wasm` key limit).
const MAX_CONTRACT_KEY_BYTES: usize = 256;

/// An instance as a path names it: its number (decimal digits) or its name.
enum InstanceRef {
    Number(u64),
    Name(String),
}

/// An instance's number or name: digits only are a number (below 2^64, no leading zeros), anything else a name of 1
/// to 64 characters of a-z, 0-9 and '-'.
fn parse_instance_ref(text: &str) -> Result<InstanceRef, ApiError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_instance_number(text).map(InstanceRef::Number);
    }
    let ok = !text.is_empty()
        && text.len() <= MAX_NAME_BYTES
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(InstanceRef::Name(text.to_owned()))
    } else {
        Err(ApiError::Malformed(format!(
            "an instance is named by its number (decimal, from 0) or its name (1 to {MAX_NAME_BYTES} characters of \
             a-z, 0-9 and '-'), got {}",
            quote(text)
        )))
    }
}

/// An instance's number: decimal from 0, without leading zeros.
fn parse_instance_number(text: &str) -> Result<u64, ApiError> {
    parse_record_number("contract instance", 0, text)
}

/// A key of a contract's state: 2 to `2 * MAX_CONTRACT_KEY_BYTES` hex digits.
fn parse_contract_key(text: &str) -> Result<Vec<u8>, ApiError> {
    crate::extract::parse_hex_key("a contract's state key", MAX_CONTRACT_KEY_BYTES, text)
}

/// An agency's id.
fn parse_agency(text: &str) -> Result<AgencyId, ApiError> {
    AgencyId::new(text).map_err(|_| {
        ApiError::Malformed(format!(
            "an agency is named by its id: 1 to {} characters of a-z, 0-9 and '-', not starting with '-', got {}",
            AgencyId::MAX_LEN,
            quote(text)
        ))
    })
}

fn no_instance(what: &str) -> ApiError {
    refused(
        INSTANCE_NOT_FOUND,
        format!("there is no contract instance {what}; instances are numbered from 0 in the order deployed"),
    )
}

/// The instance `id`, with its key; refused when absent.
fn read_instance(state: &dyn StateRead, id: u64) -> Result<(Instance, Keys), ApiError> {
    let (instance, keys) = query::instance(state, id);
    Ok((instance.ok_or_else(|| no_instance(&id.to_string()))?, keys))
}

/// `GET /v1/contracts/code/{hash}`.
pub(crate) async fn code(
    State(node): State<NodeHandle>,
    Path(hash): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractCodeResponse>, ApiError> {
    let code_hash = parse_hash("a code hash", &hash)?;
    let response = blocking(move || -> Result<ContractCodeResponse, ApiError> {
        let (record, reads) = node.read(|state| {
            let (record, keys) = query::code(state, &code_hash);
            let record = record.ok_or_else(|| {
                refused(
                    CODE_NOT_FOUND,
                    format!(
                        "no code with hash {} is uploaded; upload it with a contracts `upload` transaction",
                        hex::encode(code_hash)
                    ),
                )
            })?;
            Ok::<_, ApiError>((record, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractCodeResponse {
            code_hash,
            uploader: record.uploader,
            agency: record.agency,
            height: record.height,
            size: record.code.len() as u64,
            code: base64::engine::general_purpose::STANDARD.encode(&record.code),
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The query of `GET /v1/contracts/instances`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstanceParams {
    /// The first instance's number (from 0).
    from: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

/// `GET /v1/contracts/instances?from=&limit=`: a page of the instances by number, with the counter's proof (so that
/// none can be left out) and each instance's.
pub(crate) async fn instances(
    State(node): State<NodeHandle>,
    Query(params): Query<InstanceParams>,
) -> Result<axum::Json<ContractInstancesResponse>, ApiError> {
    let from = params.from.unwrap_or(0);
    let limit = params.limit.unwrap_or(DEFAULT_CONTRACT_INSTANCES_PAGE);
    if !(1..=MAX_CONTRACT_INSTANCES_PAGE).contains(&limit) {
        return Err(ApiError::Malformed(format!(
            "limit is how many instances one page holds: 1 to {MAX_CONTRACT_INSTANCES_PAGE}, got {limit}; ask page \
             by page with from"
        )));
    }
    let response = blocking(move || -> Result<ContractInstancesResponse, ApiError> {
        let ((count, instances), reads) = node.read(|state| {
            let (count, _) = query::instance_count(state);
            let (instances, keys) = query::instances(state, from, limit as usize);
            // Instances are never removed: every number below the count is one, so a missing record is a damaged
            // store, not a gap to skip.
            let expected = count.saturating_sub(from).min(u64::from(limit));
            if instances.len() as u64 != expected {
                return Err(ApiError::Internal(format!(
                    "the contracts module counts {count} instances, but {} of numbers {from} to {} are readable",
                    instances.len(),
                    from.saturating_add(expected).saturating_sub(1)
                )));
            }
            Ok::<_, ApiError>(((count, instances), keys))
        })?;
        let (certified, proofs) = split(reads);
        let end = from.saturating_add(u64::from(limit));
        let next = (end < count).then_some(end);
        Ok(ContractInstancesResponse { count, instances, next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/contracts/instances/{id}`: by number or by name.
pub(crate) async fn instance(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractInstanceResponse>, ApiError> {
    let reference = parse_instance_ref(&id)?;
    let response = blocking(move || -> Result<ContractInstanceResponse, ApiError> {
        let (instance, reads) = node.read(|state| {
            let (instance, keys) = match &reference {
                InstanceRef::Number(id) => query::instance(state, *id),
                InstanceRef::Name(name) => query::instance_by_name(state, name),
            };
            let instance = instance.ok_or_else(|| match &reference {
                InstanceRef::Number(id) => no_instance(&id.to_string()),
                InstanceRef::Name(name) => no_instance(&format!("named {name:?}")),
            })?;
            Ok::<_, ApiError>((instance, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractInstanceResponse { instance, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/contracts/instances/{id}/state/{key}`: present or proven absent, for an instance that exists.
pub(crate) async fn state_value(
    State(node): State<NodeHandle>,
    Path((id, key)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractStateResponse>, ApiError> {
    let id = parse_instance_number(&id)?;
    let key = parse_contract_key(&key)?;
    let response = blocking(move || -> Result<ContractStateResponse, ApiError> {
        let (value, reads) = node.read(|state| {
            let (_, mut keys) = read_instance(state, id)?;
            let (value, more) = query::state_value(state, id, &key);
            keys.extend(more);
            Ok::<_, ApiError>((value, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractStateResponse {
            instance: id,
            key: hex::encode(&key),
            value: value.map(hex::encode),
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The query of `GET /v1/contracts/instances/{id}/events`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventParams {
    /// The first event's number (from 0).
    from: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

/// `GET /v1/contracts/instances/{id}/events?from=&limit=`.
pub(crate) async fn events(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(params): Query<EventParams>,
) -> Result<axum::Json<ContractEventsResponse>, ApiError> {
    let id = parse_instance_number(&id)?;
    let from = params.from.unwrap_or(0);
    let limit = params.limit.unwrap_or(DEFAULT_CONTRACT_EVENTS_PAGE);
    if !(1..=MAX_CONTRACT_EVENTS_PAGE).contains(&limit) {
        return Err(ApiError::Malformed(format!(
            "limit is how many events one page holds: 1 to {MAX_CONTRACT_EVENTS_PAGE}, got {limit}"
        )));
    }
    let response = blocking(move || -> Result<ContractEventsResponse, ApiError> {
        let ((count, page), reads) = node.read(|state| {
            let (_, mut keys) = read_instance(state, id)?;
            let (count, _) = query::event_count(state, id);
            let (page, more) = query::events(state, id, from, limit as usize);
            keys.extend(more);
            Ok::<_, ApiError>(((count, page), keys))
        })?;
        let (certified, proofs) = split(reads);
        let end = from.saturating_add(u64::from(limit));
        let next = (end < count).then_some(end);
        let events = page.into_iter().map(|(seq, event)| ContractEventEntry { seq, event }).collect();
        Ok(ContractEventsResponse { instance: id, count, events, next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/contracts/receipts/{tx id}`.
pub(crate) async fn receipt(
    State(node): State<NodeHandle>,
    Path(tx_id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractReceiptResponse>, ApiError> {
    let tx_id = parse_tx_id(&tx_id)?;
    let response = blocking(move || -> Result<ContractReceiptResponse, ApiError> {
        let (receipt, reads) = node.read(|state| {
            let (receipt, keys) = query::receipt(state, &tx_id);
            let receipt = receipt.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no contract call receipt for transaction {tx_id}: it is not a committed contract call (GET \
                     /v1/transactions/{tx_id} says where it is)"
                ))
            })?;
            Ok::<_, ApiError>((receipt, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractReceiptResponse { tx_id, receipt, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/contracts/policies/{agency}`: the policy and the fuel used on the certified block's UTC day.
pub(crate) async fn policy(
    State(node): State<NodeHandle>,
    Path(agency): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractPolicyResponse>, ApiError> {
    let agency = parse_agency(&agency)?;
    let response = blocking(move || -> Result<ContractPolicyResponse, ApiError> {
        let ((policy, day, fuel_used), reads) = node.read(|state| {
            let (policy, mut keys) = query::policy(state, &agency);
            let policy = policy.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "agency {agency} has no contract policy; governance sets one (set_contract_policy)"
                ))
            })?;
            let time_ms = state.time_ms();
            let (fuel_used, more) = query::fuel_used_on(state, &agency, time_ms);
            keys.extend(more);
            Ok::<_, ApiError>(((policy, schema::day_of(time_ms), fuel_used), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractPolicyResponse { agency, policy, day, fuel_used, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

//! Status list tokens served at their lists' URIs (`docs/credentials.md`, §6 and §10).
//!
//! A status list token (`statuslist+jwt`) is signed by its issuer, so a node cannot make one: the issuer publishes
//! the token it signed (`PUT …/token`, `publica credential status-token --publish`), and every node it was given to
//! serves it (`GET …/token`) for as long as its bits are exactly the ones the ledger holds. A token that no longer
//! matches (the issuer revoked or suspended since) is not served: the answer says the issuer has to publish a new
//! one, and the list's proven bits (`GET /v1/identity/status-lists/{owner}/{list}`) remain the authority.
//!
//! Publishing is open to anyone holding the token, since the issuer's signatures authorise it, and is checked
//! cheapest first: size, the URI, the list's existence, then both signatures under the owner's current key, then the
//! bits against the ledger. What is kept is bounded: one token per list, at most [`MAX_KEPT_TOKENS`] lists and [`MAX_KEPT_BYTES`]
//! bytes, each token no larger than the request body limit; the tokens live in memory and are published again after a restart.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use publica_client::api::{PublishTokenRequest, PublishTokenResponse};
use publica_credentials::{verify_status_list_token, VerifyPolicy};
use publica_identity::query;
use publica_node::NodeHandle;
use publica_types::{Address, Hash};
use publica_verify::credential::parse_status_uri;

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{Json, Path};

/// The media type of a status list token.
pub const STATUS_LIST_JWT_CONTENT_TYPE: &str = "application/statuslist+jwt";

/// Most lists whose token one node keeps (the least recently published is dropped first).
pub const MAX_KEPT_TOKENS: usize = 1024;

/// Most bytes of tokens (and of the bits they are compared with) one node keeps.
pub const MAX_KEPT_BYTES: usize = 64 << 20;

/// A token published for a list: its text, the bits it carries (to compare with the ledger's), when, and the
/// last height whose state was found to hold those bits.
struct Kept {
    text: String,
    bits: Vec<u8>,
    published: u64,
    checked_height: u64,
}

/// "The owner has no such list".
fn no_list(owner: &Address, list: u32) -> ApiError {
    ApiError::NotFound(format!("{owner} owns no status list {list}"))
}

/// A list: its network (genesis hash), owner and number.
type ListKey = (Hash, Address, u32);

/// The kept tokens, by list.
static TOKENS: Mutex<Option<HashMap<ListKey, Kept>>> = Mutex::new(None);

fn list_of(owner: &str, list: &str) -> Result<(Address, u32), ApiError> {
    let uri = format!("{}{owner}/{list}", publica_verify::credential::STATUS_LIST_PATH);
    parse_status_uri(&uri).map_err(|_| {
        ApiError::Malformed(format!("a status list is named by its owner's address and its number, got {owner}/{list}"))
    })
}

/// The token's `sub` and bits signature-unchecked: only to find which URI to check it against.
fn claimed_uri(token: &str) -> Option<String> {
    let payload = if token.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(token).ok()?.get("payload")?.as_str()?.to_owned()
    } else {
        token.split('.').nth(1)?.to_owned()
    };
    let bytes = publica_credentials::json::b64_decode("status list token", &payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("sub")?.as_str().map(str::to_owned)
}

/// `PUT /v1/identity/status-lists/{owner}/{list}/token`.
pub(crate) async fn publish(
    State(node): State<NodeHandle>,
    Path((owner, list)): Path<(String, String)>,
    Json(request): Json<PublishTokenRequest>,
) -> Result<axum::Json<PublishTokenResponse>, ApiError> {
    let (owner, list) = list_of(&owner, &list)?;
    let uri = claimed_uri(&request.token)
        .ok_or_else(|| ApiError::Malformed("the token is not a status list token with a `sub`".into()))?;
    if parse_status_uri(&uri) != Ok((owner, list)) {
        return Err(ApiError::Malformed(format!(
            "the token's `sub` {uri:?} does not name list {list} of {owner} (…/v1/identity/status-lists/{owner}/{list})"
        )));
    }
    let response = blocking(move || -> Result<PublishTokenResponse, ApiError> {
        let network = crate::network_id(&node)?;
        // The header and the owner's key first: the list's bits (up to 4 MiB) are read only for a token its owner
        // signed.
        let (header, key) = node.view(|state| {
            let header = query::status_list(state, &owner, list).value.ok_or_else(|| {
                ApiError::NotFound(format!("{owner} owns no status list {list}; create it before publishing its token"))
            })?;
            let account = publica_accounts::account(state, &owner)
                .ok_or_else(|| ApiError::Internal(format!("the owner {owner} of a status list has no account")))?;
            Ok::<_, ApiError>((header, account.public_key))
        })?;
        let key = key.parse().map_err(|e| ApiError::Internal(format!("the owner's stored key does not parse: {e}")))?;
        let now = publica_node::shared::now_ms() / 1000;
        let policy = VerifyPolicy::accepting_compact();
        let token = verify_status_list_token(&request.token, &key, &uri, now, header.capacity as usize, &policy)
            .map_err(|e| ApiError::Malformed(format!("the token is refused ({}): {e}", e.check())))?;
        if token.list.bits() != header.bits || token.list.len() != header.capacity as usize {
            return Err(ApiError::Malformed(format!(
                "the token's list has {} entries of {} bits; the ledger's has {} of {}",
                token.list.len(),
                token.list.bits(),
                header.capacity,
                header.bits
            )));
        }
        let (ledger_bits, height) = node
            .view(|state| (query::status_list_bytes(state, &owner, list).value.map(|(_, bits)| bits), state.height()));
        let ledger_bits = ledger_bits.ok_or_else(|| no_list(&owner, list))?;
        if token.list.as_bytes() != ledger_bits.as_slice() {
            return Err(ApiError::Malformed(format!(
                "the token's bits are not the ledger's as of height {height}: sign a token of the bits the ledger \
                 holds now (publica credential status-token)"
            )));
        }
        let mut tokens = TOKENS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tokens = tokens.get_or_insert_with(HashMap::new);
        tokens.remove(&(network, owner, list));
        let size = |k: &Kept| k.text.len() + k.bits.len();
        let kept = Kept { text: request.token, bits: ledger_bits, published: now, checked_height: height };
        // Room for the new one: drop the least recently published until both bounds hold.
        while tokens.len() >= MAX_KEPT_TOKENS || tokens.values().map(size).sum::<usize>() + size(&kept) > MAX_KEPT_BYTES
        {
            let Some(oldest) = tokens.iter().min_by_key(|(_, k)| k.published).map(|(key, _)| *key) else { break };
            tokens.remove(&oldest);
        }
        tokens.insert((network, owner, list), kept);
        Ok(PublishTokenResponse { uri, entries: header.capacity, height })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/identity/status-lists/{owner}/{list}/token`.
pub(crate) async fn token(
    State(node): State<NodeHandle>,
    Path((owner, list)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let (owner, list) = list_of(&owner, &list)?;
    let text = blocking(move || -> Result<String, ApiError> {
        let network = crate::network_id(&node)?;
        let kept = {
            let tokens = TOKENS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let found = tokens.as_ref().and_then(|t| t.get(&(network, owner, list)));
            found.map(|k| (k.text.clone(), k.bits.clone(), k.checked_height))
        };
        let (text, bits, checked_height) = kept.ok_or_else(|| {
            ApiError::NotFound(format!(
                "no token of list {list} of {owner} was published to this node; its bits, proven, are at \
                 /v1/identity/status-lists/{owner}/{list}"
            ))
        })?;
        // The list is read again only once a block was committed since it was last found to match: at most one
        // read per block and list, whatever the number of requests.
        if node.height() == checked_height {
            return Ok(text);
        }
        let (current, height) = node
            .view(|state| (query::status_list_bytes(state, &owner, list).value.map(|(_, bits)| bits), state.height()));
        if current.as_deref() != Some(bits.as_slice()) {
            return Err(ApiError::NotFound(format!(
                "the token published for list {list} of {owner} no longer matches the ledger (an entry changed since): \
                 the issuer publishes a new one; the proven bits are at /v1/identity/status-lists/{owner}/{list}"
            )));
        }
        let mut tokens = TOKENS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(kept) = tokens.as_mut().and_then(|t| t.get_mut(&(network, owner, list))) {
            if kept.bits == bits {
                kept.checked_height = kept.checked_height.max(height);
            }
        }
        Ok(text)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, STATUS_LIST_JWT_CONTENT_TYPE)], text))
}

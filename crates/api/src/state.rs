//! State routes: accounts and raw state keys, each with a proof a citizen can verify offline.
//!
//! Any key may be read with a proof except those of private accounts ([`PRIVATE_PREFIXES`]: citizens' wallets,
//! companies' business accounts and their histories), which are shown only to a reader who signs for them
//! (`POST /v1/finance/accounts/read`), and the data module's keys other than its public ones
//! ([`publica_data::schema::is_public_key`]: emergencies, studies, their counters, retention rules), which name
//! citizens and are read through `POST /v1/data/read`, signed by a reader allowed to see them.

use axum::extract::State;

use publica_accounts::schema::{account_key, nonce_key};
use publica_accounts::AccountRecord;
use publica_client::api::AccountResponse;
use publica_node::NodeHandle;
use publica_types::{codec, ErrorCode, TxError};
use publica_verify::ReadProof;

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_address, parse_state_key, Path};

/// Largest stored account record accepted when decoding one for an answer. A record holds a key (about 2 KB) and
/// at most a few dozen short roles; anything larger is a damaged store.
const MAX_ACCOUNT_BYTES: usize = 64 * 1024;

/// `GET /v1/accounts/{address}`.
pub(crate) async fn account(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
) -> Result<axum::Json<AccountResponse>, ApiError> {
    let address = parse_address(&address)?;
    let response = blocking(move || -> Result<AccountResponse, ApiError> {
        let key = account_key(&address);
        // The record and the nonce are read under one lock, against the same header.
        let reads = node.read_with_proofs(&[&key, &nonce_key(&address)])?;
        let proof = reads.reads[0].with_header(&reads.certified);
        let nonce_value = reads.reads[1].value.clone();
        let height = proof.certified.header.height;
        let Some(bytes) = proof.value.as_deref() else {
            return Err(ApiError::NotFound(format!(
                "account {address} is not registered as of height {height} (the state proof of its key proves the \
                 absence); an account keeps the address of the key it was registered with, also after a key rotation"
            )));
        };
        // The record is taken from the proven value itself, so the record and its proof always agree.
        let account: AccountRecord = codec::decode_canonical("account record", bytes, MAX_ACCOUNT_BYTES)
            .map_err(|e| ApiError::Internal(format!("the stored account record of {address} is damaged: {e}")))?;
        let next_nonce = match nonce_value {
            None => 0,
            Some(b) => u64::from_le_bytes(b.as_slice().try_into().map_err(|_| {
                ApiError::Internal(format!("the stored nonce of {address} is {} bytes, not 8", b.len()))
            })?),
        };
        Ok(AccountResponse { address, height, account, next_nonce, proof })
    })
    .await??;
    Ok(axum::Json(response))
}

/// Prefixes of the state keys no route serves by key: private accounts (`fin/w/`) and their history entries
/// (`fin/h/`). Their records are salted and their history keys named from a secret seed, so a proof given to
/// someone else reveals nothing; serving them by key would.
pub const PRIVATE_PREFIXES: [&[u8]; 2] = [b"fin/w/", b"fin/h/"];

/// Prefix of the data module's keys, of which only [`publica_data::schema::is_public_key`] ones are served by key.
pub const DATA_PREFIX: &[u8] = b"dat/";

/// Refuse a key of a private account or of its history, or a private key of the data module (403
/// `not_permitted`).
pub(crate) fn refuse_private_key(key: &[u8]) -> Result<(), ApiError> {
    if key.starts_with(DATA_PREFIX) && !publica_data::schema::is_public_key(key) {
        return Err(ApiError::Refused(TxError::new(
            ErrorCode::NotPermitted,
            "this key is the data module's (dat/) and names a citizen, a record or an access: it is not served by \
             key; only emergencies (dat/e/), studies (dat/s/), their counters (dat/sa/) and retention rules \
             (dat/ret/) are. Those allowed read the rest with POST /v1/data/read, signed by the reader",
        )));
    }
    if PRIVATE_PREFIXES.iter().any(|prefix| key.starts_with(prefix)) {
        return Err(ApiError::Refused(TxError::new(
            ErrorCode::NotPermitted,
            "this key is a private account's or its history's (fin/w/, fin/h/): it is not served by key; its \
             operator or an auditor reads it with POST /v1/finance/accounts/read, signed by the reader",
        )));
    }
    Ok(())
}

/// `GET /v1/state/{key}`.
pub(crate) async fn state(
    State(node): State<NodeHandle>,
    Path(key): Path<String>,
) -> Result<axum::Json<ReadProof>, ApiError> {
    let key = parse_state_key(&key)?;
    refuse_private_key(&key)?;
    let proof = blocking(move || node.read_with_proof(&key)).await??;
    Ok(axum::Json(proof))
}

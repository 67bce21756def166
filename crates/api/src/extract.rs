//! Extractors whose refusals are [`ApiError`]s, and parsers of path parameters.
//!
//! axum's own extractors answer bad input with plain-text bodies; these wrappers keep axum's parsing and size
//! limits but turn every refusal into the API's JSON error, with the reason and a hint of what to send instead.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use base64::Engine as _;
use publica_crypto::SIGNATURE_LEN;
use publica_types::{Address, ErrorCode, Signature, TxError, TxId};

use crate::error::ApiError;

/// Longest state key accepted by `GET /v1/state/{key}`, bytes. Every key the modules write is far shorter.
pub const MAX_STATE_KEY_BYTES: usize = 1024;
/// Characters of a bad parameter quoted back in an error message.
const MAX_QUOTE_CHARS: usize = 80;

/// A JSON request body (`Content-Type: application/json`).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(req, state).await.map(|axum::Json(v)| Json(v)).map_err(json_rejection)
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::UnsupportedMediaType("this route takes a JSON body: set Content-Type: application/json".into())
        }
        JsonRejection::BytesRejection(b) => bytes_rejection(b),
        other => ApiError::Malformed(format!("{}; see GET /openapi.json for the expected body", other.body_text())),
    }
}

/// A request body as bytes, within the configured body limit.
#[derive(Debug)]
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state).await.map(Body).map_err(bytes_rejection)
    }
}

fn bytes_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(
            "the request body is larger than this node accepts (api.body_bytes_max); send fewer transactions per request"
                .into(),
        )
    } else {
        ApiError::Malformed(format!("the request body could not be read: {}", r.body_text()))
    }
}

/// Path parameters.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(|axum::extract::Path(v)| Path(v)).map_err(
            |r: PathRejection| {
                if r.status().is_server_error() {
                    ApiError::Internal(r.body_text())
                } else {
                    ApiError::Malformed(format!("bad path parameter: {}", r.body_text()))
                }
            },
        )
    }
}

/// Query-string parameters.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|r: QueryRejection| {
                ApiError::Malformed(format!("bad query string: {}; see GET /openapi.json", r.body_text()))
            })
    }
}

/// `text` shortened for quoting in a message.
pub(crate) fn quote(text: &str) -> String {
    let short: String = text.chars().take(MAX_QUOTE_CHARS).collect();
    if short.len() < text.len() {
        format!("{short:?}...")
    } else {
        format!("{short:?}")
    }
}

/// Exactly `N` bytes from `2 * N` hex digits (either case).
fn parse_hex_array<const N: usize>(what: &str, text: &str) -> Result<[u8; N], ApiError> {
    let mut out = [0u8; N];
    if text.len() != 2 * N {
        return Err(ApiError::Malformed(format!(
            "{what} must be {} hex digits, got {} characters: {}",
            2 * N,
            text.len(),
            quote(text)
        )));
    }
    hex::decode_to_slice(text, &mut out)
        .map_err(|e| ApiError::Malformed(format!("{what} must be {} hex digits: {e}: {}", 2 * N, quote(text))))?;
    Ok(out)
}

/// A transaction id: 64 hex digits.
pub fn parse_tx_id(text: &str) -> Result<TxId, ApiError> {
    parse_hex_array::<32>("a transaction id", text).map(TxId)
}

/// A SHA-256 hash: 64 hex digits.
pub fn parse_hash(what: &str, text: &str) -> Result<[u8; 32], ApiError> {
    parse_hex_array::<32>(what, text)
}

/// An account address: 40 hex digits.
pub fn parse_address(text: &str) -> Result<Address, ApiError> {
    parse_hex_array::<20>("an address", text).map(Address)
}

/// Most digits of a record's number: every 20-digit number up to `u64::MAX` fits in 64 bits.
const MAX_RECORD_NUMBER_DIGITS: usize = 20;

/// A record's number (`what` names the kind, as "payment"; `first` is the first number its kind is given): decimal,
/// without leading zeros, below 2^64.
pub(crate) fn parse_record_number(what: &str, first: u64, text: &str) -> Result<u64, ApiError> {
    let canonical = !text.is_empty()
        && text.len() <= MAX_RECORD_NUMBER_DIGITS
        && (text == "0" || !text.starts_with('0'))
        && text.bytes().all(|b| b.is_ascii_digit());
    canonical.then(|| text.parse().ok()).flatten().ok_or_else(|| {
        ApiError::Malformed(format!(
            "{what}s are numbered from {first} in decimal, without leading zeros, below 2^64; got {}",
            quote(text)
        ))
    })
}

/// A refusal with one of a module's codes.
pub(crate) fn refused(code: publica_types::Code, message: String) -> ApiError {
    ApiError::Refused(publica_types::TxError::new(code, message))
}

/// A block height: a decimal number of at least 1.
pub fn parse_height(text: &str) -> Result<u64, ApiError> {
    let bad = |why: &str| ApiError::Malformed(format!("a block height is {why}, got {}", quote(text)));
    // `str::parse` would also take a leading '+'; a height is digits only.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("a decimal number"));
    }
    let height: u64 = text.parse().map_err(|_| bad("a decimal number below 2^64"))?;
    Ok(height)
}

/// A state key: 2 to `2 * MAX_STATE_KEY_BYTES` hex digits.
pub fn parse_state_key(text: &str) -> Result<Vec<u8>, ApiError> {
    parse_hex_key("a state key", MAX_STATE_KEY_BYTES, text)
}

/// A key named in hex, `what` in messages: 2 to `2 * max_bytes` hex digits, the length checked before decoding.
pub fn parse_hex_key(what: &str, max_bytes: usize, text: &str) -> Result<Vec<u8>, ApiError> {
    if text.len() > 2 * max_bytes {
        return Err(ApiError::Malformed(format!(
            "{what} is at most {max_bytes} bytes ({} hex digits), got {} characters",
            2 * max_bytes,
            text.len()
        )));
    }
    let key = hex::decode(text)
        .map_err(|e| ApiError::Malformed(format!("{what} is an even number of hex digits: {e}: {}", quote(text))))?;
    if key.is_empty() {
        return Err(ApiError::Malformed(format!("{what} is at least one byte (two hex digits)")));
    }
    Ok(key)
}

// --- Signed read requests (finance's private accounts, personal data) ---------------------------------------------

/// How far a read request's `at_ms` may be from the node's clock, either way: a signed request is good for this
/// long, so that a captured one cannot be replayed for long, and a device whose clock is a little off still reads.
pub const READ_REQUEST_MAX_SKEW_MS: u64 = 5 * 60 * 1000;

/// The reader's signature: [`SIGNATURE_LEN`] bytes in standard padded base64.
pub(crate) fn parse_signature(text: &str) -> Result<Signature, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| {
        ApiError::Malformed(format!("signature must be standard padded base64 ({e}): the reader's hybrid signature"))
    })?;
    Signature::from_bytes(&bytes).map_err(|_| {
        ApiError::Malformed(format!(
            "signature must be a hybrid signature of {SIGNATURE_LEN} bytes (ML-DSA-65 then Ed25519), got {} bytes",
            bytes.len()
        ))
    })
}

/// Refuse a request whose time is more than [`READ_REQUEST_MAX_SKEW_MS`] from `now_ms`, saying which way.
pub(crate) fn check_time(at_ms: u64, now_ms: u64) -> Result<(), ApiError> {
    let window_secs = READ_REQUEST_MAX_SKEW_MS / 1000;
    if at_ms > now_ms.saturating_add(READ_REQUEST_MAX_SKEW_MS) {
        return Err(not_permitted(format!(
            "the request's at_ms is {} s ahead of this node's clock; a request is accepted within {window_secs} s \
             of it either way: check the clock of the device that signed it",
            (at_ms - now_ms) / 1000
        )));
    }
    if at_ms.saturating_add(READ_REQUEST_MAX_SKEW_MS) < now_ms {
        return Err(not_permitted(format!(
            "the request's at_ms is {} s behind this node's clock, older than the {window_secs} s a signed request \
             is good for: sign a new one with the current time",
            (now_ms - at_ms) / 1000
        )));
    }
    Ok(())
}

/// A refusal to a reader (403 `not_permitted`).
pub(crate) fn not_permitted(message: String) -> ApiError {
    ApiError::Refused(TxError::new(ErrorCode::NotPermitted, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parameters() {
        let id = "ab".repeat(32);
        assert_eq!(parse_tx_id(&id).unwrap().0, [0xab; 32]);
        assert_eq!(parse_tx_id(&id.to_uppercase()).unwrap().0, [0xab; 32]);
        assert!(parse_tx_id(&id[..62]).is_err());
        assert!(parse_tx_id(&format!("{}zz", &id[..62])).is_err());
        assert!(parse_address(&"01".repeat(20)).is_ok());
        assert!(parse_address(&format!("0x{}", "01".repeat(19))).is_err());
        assert_eq!(parse_state_key("00ff").unwrap(), vec![0, 255]);
        assert!(parse_state_key("0").is_err());
        assert!(parse_state_key("").is_err());
        assert!(parse_state_key(&"00".repeat(MAX_STATE_KEY_BYTES)).is_ok());
        assert!(parse_state_key(&"00".repeat(MAX_STATE_KEY_BYTES + 1)).is_err());
    }

    #[test]
    fn heights() {
        assert_eq!(parse_height("0").unwrap(), 0);
        assert_eq!(parse_height("18446744073709551615").unwrap(), u64::MAX);
        for bad in ["", "+1", "-1", "1.0", " 1", "18446744073709551616", "0x10"] {
            assert!(parse_height(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quotes_are_bounded() {
        let long = "a".repeat(10_000);
        let e = parse_tx_id(&long).unwrap_err().to_string();
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn the_time_of_a_request_is_checked_both_ways_and_says_which() {
        let now = 1_800_000_000_000;
        assert!(check_time(now, now).is_ok());
        assert!(check_time(now - READ_REQUEST_MAX_SKEW_MS, now).is_ok());
        assert!(check_time(now + READ_REQUEST_MAX_SKEW_MS, now).is_ok());
        let ahead = check_time(now + READ_REQUEST_MAX_SKEW_MS + 1000, now).unwrap_err().to_string();
        assert!(ahead.contains("301 s ahead"), "{ahead}");
        let behind = check_time(now - 600_000, now).unwrap_err().to_string();
        assert!(behind.contains("600 s behind"), "{behind}");
        assert!(check_time(0, now).is_err() && check_time(u64::MAX, now).is_err());
    }

    #[test]
    fn a_signature_is_base64_of_its_exact_length() {
        let bytes = vec![0u8; SIGNATURE_LEN];
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert!(parse_signature(&text).is_ok());
        assert!(parse_signature("not base64!").is_err());
        let short = base64::engine::general_purpose::STANDARD.encode(&bytes[1..]);
        let message = parse_signature(&short).unwrap_err().to_string();
        assert!(message.contains("3373 bytes") && message.contains("3372"), "{message}");
    }
}

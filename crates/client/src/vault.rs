//! A client of an agency vault's HTTP interface (`publica-vault`, routes in [`crate::api::vault`]): put a record
//! into the vault, fetch a sealed release, ask whether the vault still holds a record, read its status.
//!
//! A release fetched here is only what the vault serves: check it against the ledger before using it
//! ([`crate::data::verify_release`], or [`Client::verified_release`](crate::Client::verified_release)).

use std::io::Read as _;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use publica_crypto::kem::{HybridSealed, MAX_HYBRID_PLAINTEXT_BYTES};
use publica_crypto::Keypair;
use publica_types::ChainId;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::vault::{IngestRequest, IngestResponse, RecordStatusResponse, SignedIngest, VaultStatusResponse};
use crate::http::api_base;
use crate::signer::now_ms;

/// How long one request to a vault may take: an ingest waits for its registration to be committed.
pub const VAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest answer read from a vault: a sealed release of the largest message, in base64, with its JSON around it.
pub const MAX_VAULT_ANSWER_BYTES: u64 = (MAX_HYBRID_PLAINTEXT_BYTES as u64 + 8192).div_ceil(3) * 4 + 64 * 1024;

/// What a vault answers for an access's release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseAnswer {
    /// The sealed release: `fulfil_access` is committed with its digest
    /// ([`release_digest`](crate::data::release_digest)).
    Sealed(HybridSealed),
    /// Not served yet (404): the access is still pending, or the vault is not the record's; the vault's message.
    NotYet(String),
    /// Never to be served (410): the record was erased, or the access lapsed or was declined; the vault's message.
    Gone(String),
}

/// A vault's refusal of a request, with its HTTP status and stable code (the vault's error body), so that a program
/// can act on the code and a person read the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultRefusal {
    /// The vault's base URL.
    pub vault: String,
    /// The HTTP status.
    pub status: u16,
    /// The stable error code, e.g. `not_permitted` or `data_category_invalid`.
    pub code: String,
    /// The vault's message: what was wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for VaultRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the vault at {} refused the request ({}, {}): {}", self.vault, self.status, self.code, self.message)
    }
}

impl std::error::Error for VaultRefusal {}

/// A client of one agency vault.
#[derive(Clone, Debug)]
pub struct VaultClient {
    base: String,
    http: reqwest::blocking::Client,
}

impl VaultClient {
    /// A client of the vault at `base` (`http://127.0.0.1:8090`, or `127.0.0.1:8090`), with
    /// [`VAULT_REQUEST_TIMEOUT`].
    pub fn new(base: &str) -> Result<Self> {
        Self::with_timeout(base, VAULT_REQUEST_TIMEOUT)
    }

    /// A client of the vault at `base` whose requests give up after `timeout`.
    pub fn with_timeout(base: &str, timeout: Duration) -> Result<Self> {
        let base = api_base(base).map_err(|e| anyhow::anyhow!("{e} (the vault's address, --vault URL)"))?;
        let http = reqwest::blocking::Client::builder().timeout(timeout).build()?;
        Ok(VaultClient { base, http })
    }

    /// The vault's base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn unreachable(&self) -> String {
        format!("cannot reach the vault at {}; is it running? (--vault URL)", self.base)
    }

    /// `POST /vault/v1/records` with a request already signed: the record's commitment, and its number once its
    /// registration is committed.
    pub fn ingest(&self, body: &SignedIngest) -> Result<IngestResponse> {
        let response = self
            .http
            .post(format!("{}/vault/v1/records", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body)?)
            .send()
            .with_context(|| self.unreachable())?;
        let (status, body) = self.read(response)?;
        if !status.is_success() {
            return Err(self.refusal(status, &body).into());
        }
        decode(&body, "the vault's answer to an ingest")
    }

    /// Put a record into the vault: `request` (its `at_ms` set to now) signed with `key` (the key of
    /// `request.controller`, an official holding `data-controller` in `request.agency`) on `chain_id`.
    pub fn ingest_as(&self, key: &Keypair, chain_id: &ChainId, mut request: IngestRequest) -> Result<IngestResponse> {
        request.at_ms = now_ms();
        self.ingest(&signed_ingest(key, chain_id, request))
    }

    /// `GET /vault/v1/releases/{access}`: the sealed release once `fulfil_access` is committed; whether it is still
    /// to come or will never be served otherwise.
    pub fn release(&self, access: u64) -> Result<ReleaseAnswer> {
        let response = self
            .http
            .get(format!("{}/vault/v1/releases/{access}", self.base))
            .send()
            .with_context(|| self.unreachable())?;
        let (status, body) = self.read(response)?;
        match status.as_u16() {
            200 => decode(&body, "a sealed release").map(ReleaseAnswer::Sealed),
            404 => Ok(ReleaseAnswer::NotYet(self.refusal(status, &body).message)),
            410 => Ok(ReleaseAnswer::Gone(self.refusal(status, &body).message)),
            _ => Err(self.refusal(status, &body).into()),
        }
    }

    /// `GET /vault/v1/records/{id}`: whether the vault holds record `id`, or erased it (with its tombstone);
    /// `None` for a record the vault never held.
    pub fn record_status(&self, id: u64) -> Result<Option<RecordStatusResponse>> {
        let response =
            self.http.get(format!("{}/vault/v1/records/{id}", self.base)).send().with_context(|| self.unreachable())?;
        let (status, body) = self.read(response)?;
        match status.as_u16() {
            // An erased record is answered 410 with its status as the body.
            200 | 410 => decode(&body, "a record's status").map(Some),
            404 => Ok(None),
            _ => Err(self.refusal(status, &body).into()),
        }
    }

    /// `GET /vault/v1/status`: the vault's agency, chain, controller and position in its queue.
    pub fn status(&self) -> Result<VaultStatusResponse> {
        let response =
            self.http.get(format!("{}/vault/v1/status", self.base)).send().with_context(|| self.unreachable())?;
        let (status, body) = self.read(response)?;
        if !status.is_success() {
            return Err(self.refusal(status, &body).into());
        }
        decode(&body, "the vault's status")
    }

    fn read(&self, response: reqwest::blocking::Response) -> Result<(reqwest::StatusCode, Vec<u8>)> {
        let status = response.status();
        let mut body = Vec::new();
        response
            .take(MAX_VAULT_ANSWER_BYTES + 1)
            .read_to_end(&mut body)
            .with_context(|| format!("reading the answer of the vault at {}", self.base))?;
        if body.len() as u64 > MAX_VAULT_ANSWER_BYTES {
            bail!("the vault at {} answered more than {MAX_VAULT_ANSWER_BYTES} bytes; refusing it", self.base);
        }
        Ok((status, body))
    }

    fn refusal(&self, status: reqwest::StatusCode, body: &[u8]) -> VaultRefusal {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let code = json["error"]["code"].as_str().unwrap_or("unknown").to_owned();
        let message = json["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
        VaultRefusal { vault: self.base.clone(), status: status.as_u16(), code, message }
    }
}

/// The body of `POST /vault/v1/records`: `request` signed with `key` on `chain_id`.
pub fn signed_ingest(key: &Keypair, chain_id: &ChainId, request: IngestRequest) -> SignedIngest {
    let signature = key.sign(&request.signing_message(chain_id.as_str()));
    SignedIngest { request, signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()) }
}

fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(body).with_context(|| format!("{what} does not have the form of this client's version"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::vault::RecordFields;
    use publica_types::Address;

    #[test]
    fn an_ingest_is_signed_over_the_request_it_carries_for_one_chain() {
        let key = Keypair::from_seed(&[5; 32]);
        let chain: ChainId = "test-chain".parse().unwrap();
        let fields: RecordFields = serde_json::from_str(r#"{"blood_type":"O+"}"#).unwrap();
        let request = IngestRequest {
            agency: "hospital".parse().unwrap(),
            owner: Address([3; 20]),
            category: "health.summary".into(),
            fields,
            controller: key.address(),
            at_ms: 7,
        };
        let body = signed_ingest(&key, &chain, request);
        let bytes = base64::engine::general_purpose::STANDARD.decode(&body.signature).unwrap();
        let signature = publica_crypto::Signature::from_bytes(&bytes).unwrap();
        key.public_key().verify(&body.request.signing_message(chain.as_str()), &signature).unwrap();
        assert!(key.public_key().verify(&body.request.signing_message("other"), &signature).is_err());
    }

    #[test]
    fn a_vault_is_named_by_url_or_address() {
        assert_eq!(VaultClient::new("127.0.0.1:8090").unwrap().base(), "http://127.0.0.1:8090");
        assert!(VaultClient::new("ftp://x").unwrap_err().to_string().contains("--vault URL"));
    }
}

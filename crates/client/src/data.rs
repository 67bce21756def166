//! The personal data kit: signed reads of the data module (`POST /v1/data/read`), the citizen's log followed live
//! (`POST /v1/data/log/stream`), the public reads (studies, emergencies, retention rules), and the requester's side
//! of a release: open what the vault sealed to the access's recipient key, and check it against the ledger.
//!
//! A requester checks a release in four steps ([`verify_release`]):
//!
//! 1. read the access with its record, signed and proven ([`Client::data_read`] with [`DataQuery::Access`]), and
//!    check the proofs against the validators' keys (the values are taken from the proofs, not from the answer's
//!    other fields);
//! 2. check that the access is released, to the recipient key it holds the secret of, and that the sealed release
//!    is the one the vault reported: its SHA-256 and length ([`release_digest`]: of its borsh bytes) are those
//!    `fulfil_access` recorded;
//! 3. open it with the recipient secret under the context `"publica/data/release/v1" || chain id || access id
//!    (u64 big-endian)` ([`release_context`]), which binds it to this network and this access;
//! 4. check the release against the record's commitment and the fields the access allows
//!    (`publica_data::verify::check_release`).

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read as _};
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};
use base64::Engine as _;
use publica_crypto::kem::{open_hybrid, HybridSealed, RecipientSecret};
use publica_crypto::Keypair;
use publica_data::schema::{access_key, record_key, Access, AccessState, Record};
use publica_data::verify::{check_release, Expected, Release};
use publica_types::{codec, Address, AgencyId, ChainId, Hash};
use publica_verify::{CertifiedReads, VerifiedSets};
use serde_json::Value;

use crate::api::data::{
    AccessEvent, DataAnswer, DataQuery, DataReadRequest, DataReadResponse, EmergenciesResponse, RetentionResponse,
    SignedDataRead, StreamEnd, StreamReady, StudyResponse,
};
use crate::http::{decode, Client};
use crate::routes::url_encode;
use crate::signer::{now_ms, Signer};

/// The domain tag that starts a release's sealing context.
pub const RELEASE_CONTEXT_TAG: &[u8] = b"publica/data/release/v1";
/// Largest event of a log stream read, in bytes (an access with its recipient key is about 2 KB).
pub const MAX_STREAM_EVENT_BYTES: usize = 256 * 1024;
/// How long a stream may stay silent before the reader gives up: the node sends a comment at least every 15
/// seconds.
pub const STREAM_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest stored value decoded from a proof (the data module's bound).
const MAX_PROVEN_VALUE_BYTES: usize = publica_data::schema::MAX_STORED_BYTES;

/// The context a release for `access` on `chain_id` is sealed under: [`RELEASE_CONTEXT_TAG`], the chain id's
/// bytes, the access's number as 8 big-endian bytes.
pub fn release_context(chain_id: &ChainId, access: u64) -> Vec<u8> {
    [RELEASE_CONTEXT_TAG, chain_id.as_str().as_bytes(), &access.to_be_bytes()].concat()
}

/// What identifies a sealed release on the ledger: the SHA-256 of its borsh bytes and their length, which the
/// vault reports in `fulfil_access` (`release_sha256`, `release_bytes`).
pub fn release_digest(sealed: &HybridSealed) -> (Hash, u64) {
    let bytes = borsh::to_vec(sealed).expect("a sealed message encodes");
    (publica_crypto::sha256(&bytes), bytes.len() as u64)
}

/// Open a release sealed to `secret` for `access` on `chain_id`, and parse it (JSON, `publica_data::verify::
/// Release`). Opening proves only that it was sealed to this key for this access: check it with
/// [`check_sealed_release`] before using it.
pub fn open_release(
    secret: &RecipientSecret,
    chain_id: &ChainId,
    access: u64,
    sealed: &HybridSealed,
) -> Result<Release> {
    let plaintext = open_hybrid(secret, &release_context(chain_id, access), sealed)
        .map_err(|e| anyhow!("the release of access {access} does not open: {e}"))?;
    serde_json::from_slice(&plaintext).with_context(|| {
        format!("the release of access {access} opened, but is not a release (JSON of a record's fields)")
    })
}

/// Check a sealed release and its opened content against the ledger's `access` and `record` (proven values): the
/// access is released, its record is `record`, the sealed bytes are those the vault reported, and the release
/// matches the record's commitment with exactly the fields the access allows. Returns the disclosed fields (name →
/// the value's JSON text).
pub fn check_sealed_release(
    access: &Access,
    record: &Record,
    sealed: &HybridSealed,
    release: &Release,
) -> Result<BTreeMap<String, String>> {
    let AccessState::Released { release_sha256, release_bytes, .. } = &access.state else {
        bail!("access {} is not released on the ledger ({:?}): no release can answer it", access.id, access.state);
    };
    let (sha256, bytes) = release_digest(sealed);
    ensure!(
        sha256 == *release_sha256 && bytes == *release_bytes,
        "the sealed release is not the one the vault reported for access {}: it hashes to {} ({bytes} bytes), the \
         ledger records {} ({release_bytes} bytes)",
        access.id,
        hex::encode(sha256),
        hex::encode(release_sha256)
    );
    let expected = Expected::new(record, access).map_err(|e| anyhow!("access {}: {e}", access.id))?;
    check_release(release, &expected)
        .map_err(|e| anyhow!("the release of access {} does not match the ledger: {e}", access.id))
}

/// The access and its record from a signed `access` read, taken from its proofs once they verify against `sets`
/// (the validator sets the reader trusts: `VerifiedSets::genesis_only`, or a verified history).
pub fn proven_access(read: &DataReadResponse, sets: &VerifiedSets) -> Result<(Access, Record)> {
    let DataAnswer::Access { access, record } = &read.answer else {
        bail!("the answer is not to an access query: read the access with DataQuery::Access");
    };
    let reads = CertifiedReads { certified: read.certified.clone(), reads: read.proofs.clone() };
    let verified =
        reads.verify_with_sets(sets).map_err(|e| anyhow!("the proofs of access {} do not verify: {e}", access.id))?;
    let proven = |key: Vec<u8>, what: &str| -> Result<Vec<u8>> {
        let read =
            verified.iter().find(|r| r.key == key).ok_or_else(|| anyhow!("the answer carries no proof of {what}"))?;
        read.value.clone().ok_or_else(|| anyhow!("the proof shows that {what} does not exist"))
    };
    let access_bytes = proven(access_key(access.id), &format!("access {}", access.id))?;
    let proven_access: Access = codec::decode_canonical("access", &access_bytes, MAX_PROVEN_VALUE_BYTES)
        .map_err(|e| anyhow!("the proven access {} does not decode: {e}", access.id))?;
    let record_bytes = proven(record_key(proven_access.record), &format!("record {}", proven_access.record))?;
    let proven_record: Record = codec::decode_canonical("record", &record_bytes, MAX_PROVEN_VALUE_BYTES)
        .map_err(|e| anyhow!("the proven record {} does not decode: {e}", proven_access.record))?;
    ensure!(
        proven_access == *access && proven_record == *record,
        "the answer shows other values than its proofs for access {}",
        access.id
    );
    Ok((proven_access, proven_record))
}

/// A release checked against the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRelease {
    /// The access it answers, as proven.
    pub access: Access,
    /// The record, as proven.
    pub record: Record,
    /// The disclosed fields: name → the value's JSON text, as the vault stored it.
    pub fields: BTreeMap<String, String>,
}

/// Check a sealed release end to end (see the module's documentation): the proofs of `read` (an `access` read)
/// against `sets`, the recipient key, the sealed bytes against the ledger, the opening under the access's context,
/// and the content against the commitment.
pub fn verify_release(
    read: &DataReadResponse,
    sets: &VerifiedSets,
    secret: &RecipientSecret,
    sealed: &HybridSealed,
) -> Result<VerifiedRelease> {
    let (access, record) = proven_access(read, sets)?;
    let mine = secret.public_key();
    ensure!(
        access.recipient.x25519 == mine.x25519 && access.recipient.ml_kem == mine.ml_kem,
        "access {} was asked for with another recipient key than this secret's ({}): its release is sealed to that key",
        access.id,
        hex::encode(mine.sha256())
    );
    let chain_id = &read.certified.header.chain_id;
    let release = open_release(secret, chain_id, access.id, sealed)?;
    let fields = check_sealed_release(&access, &record, sealed, &release)?;
    Ok(VerifiedRelease { access, record, fields })
}

/// The body of `POST /v1/data/read` or `POST /v1/data/log/stream`: `reader`'s request for `query` at `at_ms`,
/// signed with `key` on `chain_id`.
pub fn signed_data_read(
    key: &Keypair,
    reader: Address,
    chain_id: &ChainId,
    query: DataQuery,
    at_ms: u64,
) -> SignedDataRead {
    let request = DataReadRequest { query, reader, at_ms };
    let signature = key.sign(&request.signing_message(chain_id.as_str()));
    SignedDataRead { request, signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()) }
}

impl Client {
    /// `POST /v1/data/read` with a request already signed, as served: a proof document.
    pub fn data_read_signed_json(&self, body: &SignedDataRead) -> Result<Value> {
        self.post("/v1/data/read", &serde_json::to_value(body)?)
    }

    /// `POST /v1/data/read` with a request already signed.
    pub fn data_read_signed(&self, body: &SignedDataRead) -> Result<DataReadResponse> {
        decode(self.data_read_signed_json(body)?, "a data read's answer")
    }

    /// Ask `query` of the data module as the signer's account, signed now with its key on its chain: the answer,
    /// with proofs, if the account may see it (the owner or their representative, the access's requester, a
    /// `data-controller` of the record's agency, a `data-protection-auditor`); else a `not_permitted` refusal, the
    /// same whether or not the thing asked for exists.
    pub fn data_read<K: Borrow<Keypair>>(&self, signer: &Signer<K>, query: DataQuery) -> Result<DataReadResponse> {
        let body = signed_data_read(signer.key(), signer.sender(), signer.chain_id(), query, now_ms());
        self.data_read_signed(&body)
    }

    /// Read an access with its record, check the proofs against `sets`, then open `sealed` with `secret` and check
    /// it against them ([`verify_release`]): what a requester does with a release its vault served.
    pub fn verified_release<K: Borrow<Keypair>>(
        &self,
        signer: &Signer<K>,
        access: u64,
        sets: &VerifiedSets,
        secret: &RecipientSecret,
        sealed: &HybridSealed,
    ) -> Result<VerifiedRelease> {
        let read = self.data_read(signer, DataQuery::Access { id: access })?;
        verify_release(&read, sets, secret, sealed)
    }

    /// Follow `owner`'s log as the signer's account (the owner, their representative or an auditor): signed now,
    /// the stream yields every access to the owner's records written or changed after it opened, for up to an
    /// hour.
    pub fn data_log_stream<K: Borrow<Keypair>>(&self, signer: &Signer<K>, owner: Address) -> Result<AccessStream> {
        let query = DataQuery::OwnerLog { owner, after: None, limit: 1 };
        let body = signed_data_read(signer.key(), signer.sender(), signer.chain_id(), query, now_ms());
        self.data_log_stream_signed(&body)
    }

    /// `POST /v1/data/log/stream` with a request already signed (an `owner_log` query): the stream, once the node
    /// said it is ready.
    pub fn data_log_stream_signed(&self, body: &SignedDataRead) -> Result<AccessStream> {
        // A client of its own: every read waits at most STREAM_READ_TIMEOUT, and the stream itself lasts an hour.
        let http = reqwest::blocking::Client::builder()
            .timeout(STREAM_READ_TIMEOUT)
            .build()
            .context("building the stream's HTTP client")?;
        let url = format!("{}/v1/data/log/stream", self.base());
        let response = http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .body(serde_json::to_vec(body)?)
            .send()
            .with_context(|| format!("cannot reach the node at {}", self.base()))?;
        let status = response.status();
        if !status.is_success() {
            let mut text = String::new();
            // An error answer is a small JSON document; more than this is not one.
            let _ = std::io::Read::take(response, 64 * 1024).read_to_string(&mut text);
            let error: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let code = error["error"]["code"].as_str().unwrap_or("unknown");
            let message = error["error"]["message"].as_str().unwrap_or("no message");
            bail!("the node refused the stream ({status}, {code}): {message}");
        }
        AccessStream::open(BufReader::new(response))
    }

    /// `GET /v1/data/studies/{id}`: a study with its public counters, proven.
    pub fn data_study(&self, id: u64) -> Result<StudyResponse> {
        decode(self.get(&format!("/v1/data/studies/{id}"))?, "a study")
    }

    /// `GET /v1/data/emergencies[?after=&limit=]`: public-health emergencies, current and ended, newest first,
    /// proven.
    pub fn data_emergencies(&self, after: Option<u64>, limit: Option<u32>) -> Result<EmergenciesResponse> {
        let params: Vec<String> = [("after", after.map(|a| a.to_string())), ("limit", limit.map(|l| l.to_string()))]
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| format!("{name}={v}")))
            .collect();
        let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
        decode(self.get(&format!("/v1/data/emergencies{query}"))?, "a list of emergencies")
    }

    /// `GET /v1/data/retention/{agency}[?category=]`: an agency's retention rules (or its rule for one category,
    /// proven present or absent).
    pub fn data_retention(&self, agency: &AgencyId, category: Option<&str>) -> Result<RetentionResponse> {
        let query = category.map(|c| format!("?category={}", url_encode(c))).unwrap_or_default();
        decode(self.get(&format!("/v1/data/retention/{agency}{query}"))?, "an agency's retention rules")
    }
}

/// One event of a log stream, as sent: its name and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RawEvent {
    name: String,
    data: String,
}

/// A citizen's log followed live (`POST /v1/data/log/stream`): an iterator of the accesses written or changed in
/// each committed block after the stream opened, in order. It ends when the node ends the stream ([`Self::end`]
/// says why: its hour is over, or the reader may no longer read the log) or the connection closes; an error
/// (a malformed event, a silent node) ends it too.
pub struct AccessStream {
    reader: Box<dyn BufRead + Send>,
    ready: StreamReady,
    end: Option<StreamEnd>,
    done: bool,
}

impl std::fmt::Debug for AccessStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessStream").field("ready", &self.ready).field("end", &self.end).finish_non_exhaustive()
    }
}

impl AccessStream {
    /// Read a stream from `reader` (the body of an accepted `POST /v1/data/log/stream`): its first event must be
    /// `ready`.
    pub fn open(reader: impl BufRead + Send + 'static) -> Result<AccessStream> {
        let mut reader: Box<dyn BufRead + Send> = Box::new(reader);
        let first = read_event(&mut reader)?.ok_or_else(|| anyhow!("the log stream closed before it was ready"))?;
        ensure!(first.name == "ready", "the log stream began with a {:?} event, not \"ready\"", first.name);
        let ready = serde_json::from_str(&first.data).context("the log stream's ready event")?;
        Ok(AccessStream { reader, ready, end: None, done: false })
    }

    /// What the stream follows, from which height, and until when.
    pub fn ready(&self) -> &StreamReady {
        &self.ready
    }

    /// Why the node ended the stream, once it did (`None` while it runs, or if the connection just closed).
    pub fn end(&self) -> Option<&StreamEnd> {
        self.end.as_ref()
    }

    fn next_access(&mut self) -> Result<Option<AccessEvent>> {
        loop {
            let Some(event) = read_event(&mut self.reader)? else { return Ok(None) };
            match event.name.as_str() {
                "access" => {
                    return serde_json::from_str(&event.data).map(Some).context("an access event of the log stream")
                }
                "end" => {
                    self.end = Some(serde_json::from_str(&event.data).context("the log stream's end event")?);
                    return Ok(None);
                }
                // Events of later versions are skipped.
                _ => {}
            }
        }
    }
}

impl Iterator for AccessStream {
    type Item = Result<AccessEvent>;

    fn next(&mut self) -> Option<Result<AccessEvent>> {
        if self.done {
            return None;
        }
        let next = self.next_access();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.transpose()
    }
}

/// The next event of a `text/event-stream` (the WHATWG HTML "server-sent events" format: `field: value` lines, an
/// empty line ending an event, `:` starting a comment): its name (`message` when none is given) and its data lines
/// joined by `\n`. `None` when the stream ends between events.
fn read_event(reader: &mut dyn BufRead) -> Result<Option<RawEvent>> {
    let mut name = String::new();
    let mut data: Option<String> = None;
    let mut size = 0usize;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (&mut *reader)
            .take((MAX_STREAM_EVENT_BYTES + 1 - size) as u64)
            .read_until(b'\n', &mut line)
            .context("reading the log stream")?;
        size += read;
        ensure!(
            size <= MAX_STREAM_EVENT_BYTES,
            "an event of the log stream is larger than {MAX_STREAM_EVENT_BYTES} bytes"
        );
        if read == 0 {
            ensure!(data.is_none() && name.is_empty(), "the log stream closed in the middle of an event");
            return Ok(None);
        }
        let text = std::str::from_utf8(&line).context("the log stream sent a line that is not UTF-8")?;
        let text = text.trim_end_matches('\n').trim_end_matches('\r');
        if text.is_empty() {
            match data.take() {
                Some(data) => {
                    let name = if name.is_empty() { "message".to_owned() } else { name };
                    return Ok(Some(RawEvent { name, data }));
                }
                // An empty line after comments only, or an event without data: nothing to dispatch.
                None => {
                    name.clear();
                    size = 0;
                    continue;
                }
            }
        }
        if text.starts_with(':') {
            continue;
        }
        let (field, value) = text.split_once(':').map_or((text, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
        match field {
            "event" => value.clone_into(&mut name),
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_crypto::kem::seal_hybrid;
    use publica_data::call::{Basis, RecipientKey};
    use publica_data::schema::RecordState;
    use publica_data::verify::{build_release, commit_fields};

    #[test]
    fn a_release_context_names_the_chain_and_the_access() {
        let chain: ChainId = "test-chain".parse().unwrap();
        let context = release_context(&chain, 0x0102);
        assert_eq!(context, [b"publica/data/release/v1test-chain".as_slice(), &[0, 0, 0, 0, 0, 0, 1, 2]].concat());
    }

    #[test]
    fn a_read_is_signed_over_the_request_it_carries_for_one_chain() {
        let key = Keypair::from_seed(&[7; 32]);
        let chain: ChainId = "test-chain".parse().unwrap();
        let body = signed_data_read(&key, key.address(), &chain, DataQuery::Record { id: 4 }, 1_000);
        assert_eq!((body.request.reader, body.request.at_ms), (key.address(), 1_000));
        let bytes = base64::engine::general_purpose::STANDARD.decode(&body.signature).unwrap();
        let signature = publica_crypto::Signature::from_bytes(&bytes).unwrap();
        key.public_key().verify(&body.request.signing_message(chain.as_str()), &signature).unwrap();
        assert!(key.public_key().verify(&body.request.signing_message("other-chain"), &signature).is_err());
    }

    const FIELDS: [(&str, &str); 3] = [("blood_type", r#""O+""#), ("allergies", r#"["penicillin"]"#), ("age", "42")];

    /// A record of three fields, an access released with `sealed`'s digest, and the release sealed to `secret`.
    fn released(
        secret: &RecipientSecret,
        chain: &ChainId,
        allowed: Option<Vec<String>>,
    ) -> (Access, Record, HybridSealed) {
        let owner = Address([3; 20]);
        let salts: Vec<Hash> = (0..FIELDS.len()).map(|i| [i as u8 + 1; 32]).collect();
        let as_bytes: Vec<(&str, &[u8])> = FIELDS.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let committed = commit_fields(&owner, "health.summary", &as_bytes, &salts).unwrap();
        let record = Record {
            id: 5,
            agency: AgencyId::new("hospital").unwrap(),
            owner,
            category: "health.summary".into(),
            commitment: committed.commitment,
            fields: 3,
            registered_by: Address([9; 20]),
            registered_at_ms: 1,
            height: 1,
            state: RecordState::Active,
        };
        let release = build_release(5, 8, &owner, "health.summary", &FIELDS, &salts, allowed.as_deref()).unwrap();
        let sealed =
            seal_hybrid(secret.public_key(), &release_context(chain, 8), &serde_json::to_vec(&release).unwrap())
                .unwrap();
        let (release_sha256, release_bytes) = release_digest(&sealed);
        let access = Access {
            id: 8,
            record: 5,
            owner,
            agency: record.agency.clone(),
            requester: Address([4; 20]),
            requester_agency: Some(AgencyId::new("clinic").unwrap()),
            purpose: "treatment".into(),
            basis: Basis::Consent(1),
            study: None,
            fields: allowed,
            recipient: RecipientKey { x25519: secret.public_key().x25519, ml_kem: secret.public_key().ml_kem.clone() },
            requested_at_ms: 2,
            height: 2,
            state: AccessState::Released { by: Address([9; 20]), at_ms: 3, release_sha256, release_bytes },
        };
        (access, record, sealed)
    }

    #[test]
    fn a_release_opens_for_its_access_and_checks_against_the_ledger() {
        let secret = RecipientSecret::generate();
        let chain: ChainId = "test-chain".parse().unwrap();
        let (access, record, sealed) = released(&secret, &chain, None);
        let release = open_release(&secret, &chain, 8, &sealed).unwrap();
        let fields = check_sealed_release(&access, &record, &sealed, &release).unwrap();
        assert_eq!(fields.len(), 3);
        assert_eq!(fields["blood_type"], r#""O+""#);

        // Another access's context, another chain, another key: it does not open.
        assert!(open_release(&secret, &chain, 9, &sealed).unwrap_err().to_string().contains("does not open"));
        assert!(open_release(&secret, &"other".parse().unwrap(), 8, &sealed).is_err());
        assert!(open_release(&RecipientSecret::generate(), &chain, 8, &sealed).is_err());

        // A release the vault did not report (another sealing of the same content), or an access not released.
        let resealed =
            seal_hybrid(secret.public_key(), &release_context(&chain, 8), &serde_json::to_vec(&release).unwrap())
                .unwrap();
        let e = check_sealed_release(&access, &record, &resealed, &release).unwrap_err().to_string();
        assert!(e.contains("not the one the vault reported"), "{e}");
        let mut pending = access.clone();
        pending.state = AccessState::Pending;
        assert!(check_sealed_release(&pending, &record, &sealed, &release)
            .unwrap_err()
            .to_string()
            .contains("not released"));

        // A forged value: the commitment does not match.
        let mut forged = release.clone();
        if let publica_data::verify::FieldContent::Disclosed { value, leaf, .. } = &mut forged.fields[0].content {
            *value = "43".into();
            *leaf = None;
        }
        let e = check_sealed_release(&access, &record, &sealed, &forged).unwrap_err().to_string();
        assert!(e.contains("does not match the ledger"), "{e}");
    }

    #[test]
    fn a_study_release_must_disclose_exactly_the_declared_fields() {
        let secret = RecipientSecret::generate();
        let chain: ChainId = "test-chain".parse().unwrap();
        let declared = vec!["age".to_owned(), "weight".to_owned()];
        let (access, record, sealed) = released(&secret, &chain, Some(declared));
        let release = open_release(&secret, &chain, 8, &sealed).unwrap();
        let fields = check_sealed_release(&access, &record, &sealed, &release).unwrap();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["age"]);
        // The same release checked as an access to every field: the withheld ones were allowed.
        let mut whole = access.clone();
        whole.fields = None;
        assert!(check_sealed_release(&whole, &record, &sealed, &release).is_err());
    }

    #[test]
    fn events_are_read_from_the_stream_format() {
        let ready = r#"{"owner":"0303030303030303030303030303030303030303","reader":"0303030303030303030303030303030303030303","height":4,"expires_at_ms":9}"#;
        let text = format!(
            ": a comment\n\nevent: ready\ndata: {ready}\n\n: keep-alive\n\nevent: later\ndata: x\n\nevent: end\r\ndata: \
             {{\"reason\":\"expired\",\"message\":\"sign again\"}}\r\n\r\n"
        );
        let mut stream = AccessStream::open(std::io::Cursor::new(text.into_bytes())).unwrap();
        assert_eq!(stream.ready().height, 4);
        assert!(stream.next().is_none());
        assert_eq!(stream.end().unwrap().message, "sign again");

        let mut reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(b"data: a\ndata: b\n\n".to_vec()));
        assert_eq!(read_event(&mut reader).unwrap(), Some(RawEvent { name: "message".into(), data: "a\nb".into() }));
        assert_eq!(read_event(&mut reader).unwrap(), None);
        let mut cut: Box<dyn BufRead> = Box::new(std::io::Cursor::new(b"event: access\ndata: {".to_vec()));
        assert!(read_event(&mut cut).is_err());
        let huge = format!("data: {}\n\n", "x".repeat(MAX_STREAM_EVENT_BYTES));
        let mut huge: Box<dyn BufRead> = Box::new(std::io::Cursor::new(huge.into_bytes()));
        assert!(read_event(&mut huge).unwrap_err().to_string().contains("larger than"));
        assert!(AccessStream::open(std::io::Cursor::new(b"event: access\ndata: {}\n\n".to_vec())).is_err());
    }
}

//! One blocking HTTP client of a node's REST API, for its JSON and its text routes.

use std::io::Read as _;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use serde_json::Value;

use publica_tx::Transaction;
use publica_types::{Address, ChainId, TxId};

use crate::api::{BatchRequest, BatchResponse, SubmitRequest, SubmitResponse, TxState, TxStatusResponse};

/// The API address of a node started with the defaults (`publica dev`, `publica init`).
pub const DEFAULT_API: &str = "http://127.0.0.1:8080";
/// How long one request may take, by default.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`Client::get`] waits out a node that is still starting (it answers 503 until its first block).
const STARTING_WAIT: Duration = Duration::from_secs(15);
/// Largest text document read (a notary receipt is at most 512 KiB, a budget's CSV export about 2.8 MB).
pub const MAX_TEXT_BYTES: u64 = 4 << 20;

/// The base URL of a node's API from what a person types: a URL (`http://host:port`, `https://host`) or an
/// address (`host:port`, `127.0.0.1:8080`), which means plain HTTP. A trailing `/` is dropped; a path prefix is
/// kept (a node behind a proxy at `https://agency.example/publica`).
pub fn api_base(text: &str) -> Result<String> {
    let text = text.trim();
    let usage = "give the node's API as a URL such as http://127.0.0.1:8080 or as HOST:PORT";
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {
            (scheme.to_ascii_lowercase(), rest)
        }
        Some((scheme, _)) => bail!("{text:?}: the API is served over http or https, not {scheme:?}; {usage}"),
        None => ("http".to_owned(), text),
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    if authority.is_empty() || authority.starts_with(':') || authority.contains(['@', ' ', '?', '#']) {
        bail!("{text:?} names no host; {usage}");
    }
    if path.contains(['?', '#']) {
        bail!("{text:?} has a query or fragment; {usage}");
    }
    let path = path.trim_end_matches('/');
    Ok(if path.is_empty() { format!("{scheme}://{authority}") } else { format!("{scheme}://{authority}/{path}") })
}

/// A node's refusal, of a request (an error answer) or of a transaction (rejected when executed), with its stable
/// code (`docs/api.md`), so that a program can act on the code and a person read the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The stable error code, e.g. `bad_nonce` or `not_a_party`.
    pub code: String,
    /// The node's message: what was wrong and what to do.
    pub message: String,
    /// The whole sentence, naming what was refused.
    text: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Refusal {}

/// A client of one node's REST API.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
    /// Said after "cannot reach the node at URL" when the node does not answer.
    unreachable_hint: String,
    /// Whether a refusal's message names the node (useful when several nodes are spoken to).
    name_node_in_refusals: bool,
}

impl Client {
    /// A client of the node at `base` (`http://127.0.0.1:8080`, or `127.0.0.1:8080`: see [`api_base`]), with
    /// [`REQUEST_TIMEOUT`].
    pub fn new(base: &str) -> Result<Self> {
        Self::with_timeout(base, REQUEST_TIMEOUT)
    }

    /// A client of the node at `base` whose requests give up after `timeout`.
    pub fn with_timeout(base: &str, timeout: Duration) -> Result<Self> {
        let base = api_base(base)?;
        let http = reqwest::blocking::Client::builder().timeout(timeout).build()?;
        Ok(Self { base, http, unreachable_hint: "is it running? (--api URL)".to_owned(), name_node_in_refusals: false })
    }

    /// The same HTTP client (its settings, connection pool and internal thread) speaking to the node at `base`.
    /// Cheaper than a new client, and safe to use from several threads at once.
    pub fn at(&self, base: &str) -> Result<Self> {
        Ok(Self { base: api_base(base)?, ..self.clone() })
    }

    /// Say `hint` after "cannot reach the node at URL" when the node does not answer.
    pub fn unreachable_hint(mut self, hint: &str) -> Self {
        hint.clone_into(&mut self.unreachable_hint);
        self
    }

    /// Name the node in the message of every refusal ("the node at URL refused ...").
    pub fn naming_node_in_refusals(mut self) -> Self {
        self.name_node_in_refusals = true;
        self
    }

    /// The node's base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn unreachable(&self) -> String {
        format!("cannot reach the node at {}; {}", self.base, self.unreachable_hint)
    }

    /// GET a JSON document. A node that is still starting (no block committed yet) answers 503: that is waited
    /// out for a few seconds before giving up.
    pub fn get(&self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let deadline = Instant::now() + STARTING_WAIT;
        loop {
            let response = self.http.get(&url).send().with_context(|| self.unreachable())?;
            if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            return self.json(response);
        }
    }

    /// GET a JSON document that may not exist: `None` for 404. A 503 is an error here, not waited out.
    pub fn get_optional(&self, path: &str) -> Result<Option<Value>> {
        let response = self.http.get(format!("{}{path}", self.base)).send().with_context(|| self.unreachable())?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.json(response).map(Some)
    }

    /// POST a JSON body already serialized, and read the JSON answer.
    pub fn post_json_bytes(&self, path: &str, body: Vec<u8>) -> Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .with_context(|| format!("cannot reach the node at {}", self.base))?;
        self.json(response)
    }

    /// POST a JSON document, and read the JSON answer.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.post_json_bytes(path, serde_json::to_vec(body)?)
    }

    fn json(&self, response: reqwest::blocking::Response) -> Result<Value> {
        let status = response.status();
        let body: Value = if self.name_node_in_refusals {
            response.json().with_context(|| format!("the node at {} answered something not JSON", self.base))?
        } else {
            response.json().context("the node answered with something that is not JSON")?
        };
        if !status.is_success() {
            let message = body["error"]["message"].as_str().unwrap_or("no message").to_owned();
            let code = body["error"]["code"].as_str().unwrap_or("unknown").to_owned();
            let node =
                if self.name_node_in_refusals { format!("the node at {}", self.base) } else { "the node".into() };
            let text = format!("{node} refused the request ({status}, {code}): {message}");
            return Err(Refusal { code, message, text }.into());
        }
        Ok(body)
    }

    /// GET a text document (checkpoint, receipt, verifier keys, consistency proof). Failures other than 404 and
    /// 503 are errors that carry the node's message and code; an answer over [`MAX_TEXT_BYTES`] is refused.
    pub fn get_text(&self, path: &str) -> Result<Text> {
        let response = self.http.get(format!("{}{path}", self.base)).send().with_context(|| self.unreachable())?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response.take(MAX_TEXT_BYTES + 1).read_to_end(&mut body).context("reading the node's answer")?;
        if body.len() as u64 > MAX_TEXT_BYTES {
            bail!("the node's answer to GET {path} is larger than {MAX_TEXT_BYTES} bytes; refusing it");
        }
        let message = || {
            serde_json::from_slice::<Value>(&body)
                .ok()
                .map(|v| {
                    format!(
                        "{} ({})",
                        v["error"]["message"].as_str().unwrap_or("?"),
                        v["error"]["code"].as_str().unwrap_or("?")
                    )
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect())
        };
        match status {
            200 => Ok(Text::Ok(String::from_utf8(body).context("the node sent a document that is not UTF-8 text")?)),
            404 => Ok(Text::NotFound(message())),
            503 => Ok(Text::Unavailable(message())),
            _ => bail!("the node refused GET {path} ({status}): {}", message()),
        }
    }

    /// GET a text document that must exist.
    pub fn get_text_ok(&self, path: &str) -> Result<String> {
        match self.get_text(path)? {
            Text::Ok(body) => Ok(body),
            Text::NotFound(m) | Text::Unavailable(m) => bail!("{m}"),
        }
    }

    /// `GET /v1/status` for a status table: the status, or in a few words why there is none ("not answering",
    /// "not reachable", "answers 500 Internal Server Error", ...). Not waited out while the node starts.
    pub fn probe_status(&self) -> Result<crate::api::NodeStatus, String> {
        let response = self.http.get(format!("{}/v1/status", self.base)).send().map_err(|e| {
            if e.is_timeout() {
                "not answering".to_owned()
            } else {
                "not reachable".to_owned()
            }
        })?;
        if !response.status().is_success() {
            return Err(format!("answers {}", response.status()));
        }
        response.json().map_err(|e| format!("answers something that is not a status: {e}"))
    }

    /// The network's chain id.
    pub fn chain_id(&self) -> Result<ChainId> {
        Ok(self.status()?.chain_id)
    }

    /// The next nonce of an account.
    pub fn next_nonce(&self, account: &Address) -> Result<u64> {
        Ok(self.account(account)?.next_nonce)
    }

    /// The account the key whose address is `key_address` currently signs for, as the node's state says (the
    /// ledger's key index); `None` for a key no account uses.
    pub fn account_of_key(&self, key_address: &Address) -> Result<Option<Address>> {
        let read = self.state_json(&publica_accounts::schema::key_index_key(key_address))?;
        let Some(value) = read["value"].as_str() else { return Ok(None) };
        let bytes = hex::decode(value).context("the node sent a key index value that is not hex")?;
        let account: [u8; 20] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("the node sent a key index value that is not an address"))?;
        Ok(Some(Address(account)))
    }

    /// The account that transactions signed with the key whose address is `key_address` act for: `sender` when
    /// given, else the account the ledger's key index names for the key (the key's own address until the key is
    /// rotated in for another account), else the key's own address. A convenience, not a trust decision: a wrong
    /// sender only makes the node refuse the signature.
    pub fn sender_for(&self, key_address: Address, sender: Option<Address>) -> Result<Address> {
        match sender {
            Some(sender) => Ok(sender),
            None => Ok(self.account_of_key(&key_address)?.unwrap_or(key_address)),
        }
    }

    /// Submit a signed transaction; its id once the node admitted it.
    pub fn submit(&self, tx: &Transaction) -> Result<TxId> {
        let encoded = tx_base64(tx);
        let request = SubmitRequest { tx: encoded };
        let body = self.post_json_bytes("/v1/transactions", serde_json::to_vec(&request)?)?;
        let answer: SubmitResponse = decode(body, "a submission's answer")?;
        Ok(answer.tx_id)
    }

    /// Submit transactions already in base64 (`POST /v1/transactions/batch`); the node's answer, one result per
    /// transaction in order, each an id or an error.
    pub fn submit_batch_base64(&self, txs: &[&str]) -> Result<BatchResponse> {
        let request = BatchRequest { txs: txs.iter().map(|tx| (*tx).to_owned()).collect() };
        decode(self.post_json_bytes("/v1/transactions/batch", serde_json::to_vec(&request)?)?, "a batch answer")
    }

    /// Submit signed transactions in one request: see [`Client::submit_batch_base64`].
    pub fn submit_batch(&self, txs: &[Transaction]) -> Result<BatchResponse> {
        let encoded: Vec<String> = txs.iter().map(tx_base64).collect();
        self.submit_batch_base64(&encoded.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Wait until a transaction is committed (its status) or rejected (an error).
    pub fn wait(&self, id: &TxId, timeout: Duration) -> Result<TxStatusResponse> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.transaction(id)?;
            match status.status {
                TxState::Committed => return Ok(status),
                TxState::Rejected => {
                    let (code, message) =
                        status.error.as_ref().map_or(("?", "?"), |e| (e.code.as_str(), e.message.as_str()));
                    let text = format!("transaction {id} was rejected ({code}): {message}");
                    return Err(Refusal { code: code.to_owned(), message: message.to_owned(), text }.into());
                }
                TxState::Pending if Instant::now() > deadline => {
                    bail!("transaction {id} is not committed after {timeout:?}; check it later with `publica query tx {id}`")
                }
                TxState::Pending => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

/// Decode a JSON answer into its type, saying what it was when it does not fit.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: Value, what: &str) -> Result<T> {
    serde_json::from_value(body).with_context(|| format!("{what} does not have the form of this client's version"))
}

/// A signed transaction's canonical bytes in standard padded base64, as the submission routes take them.
pub fn tx_base64(tx: &Transaction) -> String {
    base64::engine::general_purpose::STANDARD.encode(tx.encode())
}

/// The answer to a GET of a text document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// 200, with the body.
    Ok(String),
    /// 404, with the node's message.
    NotFound(String),
    /// 503, with the node's message.
    Unavailable(String),
}

#[cfg(test)]
mod tests {
    use super::api_base;

    #[test]
    fn an_api_is_named_by_url_or_by_address() {
        assert_eq!(api_base("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(api_base("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(api_base("127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(api_base("localhost:9000").unwrap(), "http://localhost:9000");
        assert_eq!(api_base("HTTPS://agency.example/publica/").unwrap(), "https://agency.example/publica");
        assert_eq!(api_base("[::1]:8080").unwrap(), "http://[::1]:8080");
        for bad in ["", ":8080", "ftp://host:21", "http://", "http://user@host", "http://host/?a=1", "host:80/#x"] {
            let err = api_base(bad).unwrap_err().to_string();
            assert!(err.contains("http://127.0.0.1:8080 or as HOST:PORT"), "{bad:?}: {err}");
        }
    }
}

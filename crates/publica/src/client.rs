//! A small blocking client of a node's REST API.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use serde_json::Value;

use publica_types::{Address, ChainId, Transaction, TxId};

/// How long to wait for a node that is still starting.
const STARTING_WAIT: Duration = Duration::from_secs(15);

/// Default API address.
pub const DEFAULT_API: &str = "http://127.0.0.1:8080";

/// A client of one node.
pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client of the node at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http })
    }

    /// GET a JSON document. A node that is still starting (no block committed yet) answers 503: that is waited
    /// out for a few seconds before giving up.
    pub fn get(&self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let deadline = Instant::now() + STARTING_WAIT;
        loop {
            let response = self
                .http
                .get(&url)
                .send()
                .with_context(|| format!("cannot reach the node at {}; is it running? (--api URL)", self.base))?;
            if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            return Self::json(response);
        }
    }

    fn json(response: reqwest::blocking::Response) -> Result<Value> {
        let status = response.status();
        let body: Value = response.json().context("the node answered with something that is not JSON")?;
        if !status.is_success() {
            let message = body["error"]["message"].as_str().unwrap_or("no message");
            let code = body["error"]["code"].as_str().unwrap_or("unknown");
            bail!("the node refused the request ({status}, {code}): {message}");
        }
        Ok(body)
    }

    /// The network's chain id.
    pub fn chain_id(&self) -> Result<ChainId> {
        let status = self.get("/v1/status")?;
        let id = status["chain_id"].as_str().context("status without chain_id")?;
        Ok(id.parse()?)
    }

    /// The next nonce of an account.
    pub fn next_nonce(&self, account: &Address) -> Result<u64> {
        let body = self.get(&format!("/v1/accounts/{account}"))?;
        body["next_nonce"].as_u64().context("account without next_nonce")
    }

    /// Submit a signed transaction.
    pub fn submit(&self, tx: &Transaction) -> Result<TxId> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(tx.encode());
        let response = self
            .http
            .post(format!("{}/v1/transactions", self.base))
            .json(&serde_json::json!({ "tx": encoded }))
            .send()
            .with_context(|| format!("cannot reach the node at {}", self.base))?;
        let body = Self::json(response)?;
        let id = body["tx_id"].as_str().context("response without tx_id")?;
        id.parse().map_err(|e: String| anyhow::anyhow!(e))
    }

    /// Wait until a transaction is committed or rejected.
    pub fn wait(&self, id: &TxId, timeout: Duration) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.get(&format!("/v1/transactions/{id}"))?;
            match status["status"].as_str() {
                Some("committed") => return Ok(status),
                Some("rejected") => bail!(
                    "transaction {id} was rejected ({}): {}",
                    status["code"].as_str().unwrap_or("?"),
                    status["message"].as_str().unwrap_or("?")
                ),
                _ if Instant::now() > deadline => {
                    bail!("transaction {id} is not committed after {timeout:?}; check it later with `publica query tx {id}`")
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

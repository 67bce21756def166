//! Typed wrappers of the REST API's routes (`docs/api.md`, `GET /openapi.json`): one method per route.
//!
//! JSON answers are returned as the node sent them ([`serde_json::Value`]), proofs included, so that a proof
//! document can be written to a file exactly as served and checked offline (`publica verify`); text documents
//! (checkpoint, receipts, verifier keys, consistency proofs) as text. Each method names its route.

use anyhow::{Context, Result};
use publica_types::{Address, Hash, TxId};
use serde::Deserialize;
use serde_json::Value;

use crate::http::{Client, Text};

/// A node's status (`GET /v1/status`), reduced to what clients most often need.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NodeStatus {
    /// The node's chain id.
    pub chain_id: String,
    /// Its last committed height.
    pub height: u64,
    /// Hash of its last committed block.
    pub last_block_hash: Option<String>,
    /// Its state root after that block.
    pub state_root: String,
    /// Transactions waiting in its mempool.
    pub mempool_txs: u64,
}

/// Which block to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockAt {
    /// The newest committed block.
    Latest,
    /// The block at this height.
    Height(u64),
}

/// Percent-encode a query value (RFC 3986 unreserved characters stay).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?at=MS` for an as-of question, or nothing for "now".
fn at_query(at_ms: Option<u64>) -> String {
    at_ms.map(|ms| format!("?at={ms}")).unwrap_or_default()
}

impl Client {
    /// `GET /v1/status`, whole.
    pub fn status_json(&self) -> Result<Value> {
        self.get("/v1/status")
    }

    /// `GET /v1/status`, typed.
    pub fn status(&self) -> Result<NodeStatus> {
        serde_json::from_value(self.status_json()?).context("the node's status does not have the expected form")
    }

    /// `GET /v1/accounts/{address}`: the account, its next nonce and a proof.
    pub fn account(&self, address: &Address) -> Result<Value> {
        self.get(&format!("/v1/accounts/{address}"))
    }

    /// `GET /v1/transactions/{id}`: pending, committed (height and index) or rejected (the error).
    pub fn transaction(&self, id: &TxId) -> Result<Value> {
        self.get(&format!("/v1/transactions/{id}"))
    }

    /// `GET /v1/blocks/latest` or `GET /v1/blocks/{height}`.
    pub fn block(&self, at: BlockAt) -> Result<Value> {
        match at {
            BlockAt::Latest => self.get("/v1/blocks/latest"),
            BlockAt::Height(h) => self.get(&format!("/v1/blocks/{h}")),
        }
    }

    /// `GET /v1/blocks/{height}`, `None` while the block does not exist yet (no waiting).
    pub fn block_if_committed(&self, height: u64) -> Result<Option<Value>> {
        self.get_optional(&format!("/v1/blocks/{height}"))
    }

    /// `GET /v1/state/{key}`: the value of any state key, with a proof of it or of its absence.
    pub fn state(&self, key: &[u8]) -> Result<Value> {
        self.get(&format!("/v1/state/{}", hex::encode(key)))
    }

    /// `GET /v1/genesis`: the genesis document.
    pub fn genesis(&self) -> Result<Value> {
        self.get("/v1/genesis")
    }

    /// `GET /v1/validators`: the current set and every set since genesis.
    pub fn validators(&self) -> Result<Value> {
        self.get("/v1/validators")
    }

    /// `GET /v1/validators/history`: the certified headers where the set changed, for light clients.
    pub fn validator_history(&self) -> Result<Value> {
        self.get("/v1/validators/history")
    }

    /// `GET /v1/evidence`: recorded misbehaviour.
    pub fn evidence(&self) -> Result<Value> {
        self.get("/v1/evidence")
    }

    /// `GET /v1/governance/proposals`: the newest proposals.
    pub fn proposals(&self) -> Result<Value> {
        self.get("/v1/governance/proposals")
    }

    /// `GET /v1/governance/proposals/{id}`: one proposal with its proof.
    pub fn proposal(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/governance/proposals/{id}"))
    }

    /// `GET /v1/notary/vkeys`: the validators' checkpoint verifier keys (C2SP vkeys), one per line.
    pub fn notary_vkeys(&self) -> Result<String> {
        self.get_text_ok("/v1/notary/vkeys")
    }

    /// `GET /v1/notary/checkpoint`: the newest signed checkpoint.
    pub fn notary_checkpoint(&self) -> Result<String> {
        self.get_text_ok("/v1/notary/checkpoint")
    }

    /// `GET /v1/notary/consistency?old=N`: a consistency proof from size `old` to the newest checkpoint.
    pub fn notary_consistency(&self, old: u64) -> Result<String> {
        self.get_text_ok(&format!("/v1/notary/consistency?old={old}"))
    }

    /// `GET /v1/notary/receipts/{hash}`: a document's receipt (C2SP tlog-proof); 404 and 503 are answers here.
    pub fn notary_receipt(&self, hash: &Hash) -> Result<Text> {
        self.get_text(&format!("/v1/notary/receipts/{}", hex::encode(hash)))
    }

    /// `GET /v1/notary/entries/{hash}`: the log entry of a document.
    pub fn notary_entry(&self, hash: &Hash) -> Result<Value> {
        self.get(&format!("/v1/notary/entries/{}", hex::encode(hash)))
    }

    /// `GET /v1/land/parcels/{id}`: a parcel's current record with its proof.
    pub fn parcel(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}"))
    }

    /// `GET /v1/land/parcels/{id}/history`: every version of a parcel.
    pub fn parcel_history(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}/history"))
    }

    /// `GET /v1/land/parcels/{id}/owners[?at=MS]`: who owned a parcel at a time (now without one), proven.
    pub fn parcel_owners(&self, id: &str, at_ms: Option<u64>) -> Result<Value> {
        self.get(&format!("/v1/land/parcels/{id}/owners{}", at_query(at_ms)))
    }

    /// `GET /v1/land/parcels?bbox=...`: parcels in a bounding box (`MINX,MINY,MAXX,MAXY`).
    pub fn parcels_in(&self, bbox: &str) -> Result<Value> {
        self.get(&format!("/v1/land/parcels?bbox={bbox}"))
    }

    /// `GET /v1/registry/applications/{id}`: an application and its approvals.
    pub fn application(&self, id: u64) -> Result<Value> {
        self.get(&format!("/v1/registry/applications/{id}"))
    }

    /// `GET /v1/permits/{id}`: a permit's current record.
    pub fn permit(&self, id: &str) -> Result<Value> {
        self.get(&format!("/v1/permits/{id}"))
    }

    /// `GET /v1/permits/{id}/status[?at=MS]`: whether a permit was valid at a time, proven.
    pub fn permit_status(&self, id: &str, at_ms: Option<u64>) -> Result<Value> {
        self.get(&format!("/v1/permits/{id}/status{}", at_query(at_ms)))
    }

    /// `GET /v1/business/companies/{number}`: a company's current record.
    pub fn company(&self, number: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies/{number}"))
    }

    /// `GET /v1/business/companies/{number}/history`: every version of a company's record.
    pub fn company_history(&self, number: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies/{number}/history"))
    }

    /// `GET /v1/business/companies?name=...`: the company registered under a name (ignoring case and spacing).
    pub fn company_by_name(&self, name: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies?name={}", url_encode(name)))
    }

    /// `GET /v1/business/companies/{number}/bods`: the company's owners as a BODS 0.4 statement list.
    pub fn company_bods(&self, number: &str) -> Result<Value> {
        self.get(&format!("/v1/business/companies/{number}/bods"))
    }
}

//! Integration tests of the REST API, through the router and without sockets.
//!
//! Each test builds a real node state (store in a temporary directory, genesis with one agency and one validator)
//! and calls `router(node).oneshot(request)`. Blocks are made by the node's own consensus application: it proposes
//! from the mempool and commits with a certificate signed by the test's validator key, so proofs verify for real.
//! The tests of `connections` alone run a whole node with its consensus engine and attack its server over TCP.

mod asof;
mod boundary;
mod caching;
// Clients of these tests take source addresses across 127.0.0.0/8, which only Linux routes to loopback as is.
#[cfg(target_os = "linux")]
mod connections;
mod contracts;
mod credentials;
mod data;
mod did;
mod docs;
mod document;
mod elections;
mod evidence;
mod finance;
mod identity;
mod notary;
mod outcomes;
mod procurement;
mod reads;
mod submit;
mod typed;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use publica_consensus::Application as _;
use publica_node::app::NodeApp;
use publica_node::shared::now_ms;
use publica_node::{HomeLayout, NodeConfig, NodeHandle};
use publica_tx::{AccountsCall, Block, Call, Transaction, TxBody};
use publica_types::{
    AgencyId, ChainId, CommitCertificate, CommitSignature, DecidedExtensions, Genesis, GenesisAccount, GenesisAgency,
    Keypair, Role, SignedVoteExtension, Validator, ValidatorSet, VoteBody, VoteKind, MAX_TX_BYTES,
};
use serde_json::Value;
use tower::ServiceExt as _;

/// A node with one agency (`land-registry`, administered by `admin`, which may grant the roles of every module's
/// tests) and one validator.
pub(crate) struct TestNet {
    _home: tempfile::TempDir,
    pub node: NodeHandle,
    pub admin: Keypair,
    pub validator: Keypair,
    pub chain_id: ChainId,
}

pub fn key(seed: u8) -> Keypair {
    Keypair::from_seed(&[seed; 32])
}

pub fn agency() -> AgencyId {
    AgencyId::new("land-registry").unwrap()
}

impl TestNet {
    pub(crate) fn new() -> Self {
        Self::with_config(|_| {})
    }

    /// A node whose configuration `tune` adjusts first.
    pub fn with_config(tune: impl FnOnce(&mut NodeConfig)) -> Self {
        let home = tempfile::tempdir().unwrap();
        let admin = key(1);
        let validator = key(100);
        let chain_id = ChainId::new("api-test").unwrap();
        let genesis = Genesis {
            chain_id: chain_id.clone(),
            genesis_time_ms: now_ms() - 60_000,
            agencies: vec![GenesisAgency {
                id: agency(),
                name: "Land Registry".into(),
                can_register_citizens: true,
                roles: [
                    "registrar",
                    "notary",
                    "citizen-registrar",
                    "permit-officer",
                    "trust-root",
                    "electoral-commission",
                    "credential-authority",
                    "currency-issuer",
                    "bank",
                    "parliament",
                    "budget-officer",
                    "spending-officer",
                    "treasurer",
                    "welfare-officer",
                    "finance-auditor",
                    "company-registrar",
                    "procurement-authority",
                    "key-holder",
                    "procuring-entity",
                    "evaluator",
                    "review-body",
                ]
                .map(|r| Role::new(r).unwrap())
                .to_vec(),
                admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
            }],
            validators: ValidatorSet::new(vec![Validator::from_keypair(&validator, 10)]).unwrap(),
        };
        genesis.validate().unwrap();
        let layout = HomeLayout::new(home.path());
        let mut config =
            NodeConfig::new("api-test-node", "127.0.0.1:0".parse().unwrap(), "127.0.0.1:0".parse().unwrap());
        tune(&mut config);
        let node = NodeHandle::open(&layout, genesis, config, validator.address()).unwrap();
        Self { _home: home, node, admin, validator, chain_id }
    }

    /// A transaction body from `sender`, valid for an hour.
    pub fn body(&self, sender: &Keypair, nonce: u64, call: Call) -> TxBody {
        TxBody {
            chain_id: self.chain_id.clone(),
            sender: sender.address(),
            nonce,
            expires_at_ms: now_ms() + 3_600_000,
            call,
        }
    }

    /// The admin registers the official whose key comes from `seed`, as a registrar.
    pub fn register(&self, nonce: u64, seed: u8) -> Transaction {
        self.body(&self.admin, nonce, register_call(seed)).sign(&self.admin)
    }

    /// The node's consensus application, as consensus would run it.
    pub fn app(&self) -> NodeApp {
        let signer = publica_notary::checkpoint::LogSigner::new(&self.chain_id, &self.validator).unwrap();
        NodeApp::new(&self.node, signer)
    }

    /// Propose a block from the mempool and commit it with a certificate signed by the validator.
    pub fn commit_block(&self) -> Block {
        self.commit_block_with(&mut self.app())
    }

    /// As [`TestNet::commit_block`], with an application that may hold state (pending evidence).
    pub fn commit_block_with(&self, app: &mut NodeApp) -> Block {
        let height = app.last_committed_height() + 1;
        let block = app.propose(height, 0, self.validator.address()).unwrap();
        let vote = VoteBody {
            height,
            round: 0,
            kind: VoteKind::Precommit,
            block_hash: Some(block.hash()),
            validator: self.validator.address(),
        };
        let certificate = CommitCertificate {
            height,
            round: 0,
            block_hash: block.hash(),
            signatures: vec![CommitSignature {
                validator: self.validator.address(),
                signature: self.validator.sign(&vote.signing_bytes(&self.chain_id)),
            }],
        };
        // The validator's precommit carries its checkpoint signature as a vote extension, as in consensus.
        let extension = app.extend_vote(height, 0, block.hash()).unwrap();
        let signature = self.validator.sign(&SignedVoteExtension::signing_bytes(
            &self.chain_id,
            height,
            0,
            &block.hash(),
            &self.validator.address(),
            &extension,
        ));
        let signed = SignedVoteExtension { validator: self.validator.address(), round: 0, extension, signature };
        let extensions = DecidedExtensions::new(vec![signed]).unwrap();
        app.commit(block.clone(), certificate, extensions).unwrap();
        block
    }

    pub fn mempool_len(&self) -> usize {
        self.node.status().mempool_txs
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    pub async fn post_raw(&self, uri: &str, bytes: Vec<u8>) -> Reply {
        self.call(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(Body::from(bytes))
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, json: &Value) -> Reply {
        self.post_text(uri, "application/json", json.to_string()).await
    }

    pub async fn post_text(&self, uri: &str, content_type: &str, text: String) -> Reply {
        self.call(Request::post(uri).header(header::CONTENT_TYPE, content_type).body(Body::from(text)).unwrap()).await
    }

    pub async fn call(&self, request: Request<Body>) -> Reply {
        Reply::read(publica_api::router(self.node.clone()).oneshot(request).await.unwrap()).await
    }
}

pub fn register_call(seed: u8) -> Call {
    Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: key(seed).public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("registrar").unwrap()],
    })
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    async fn read(response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let content_type =
            headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap().to_vec();
        Self { status, content_type, headers, bytes }
    }

    pub fn json(&self) -> Value {
        assert!(self.content_type.starts_with("application/json"), "content type {:?}", self.content_type);
        serde_json::from_slice(&self.bytes).unwrap()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }

    /// Assert an error answer: status, JSON shape, code and its number.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> String {
        let json = self.json();
        assert_eq!(self.status, status, "body: {json}");
        let error = json["error"].as_object().unwrap_or_else(|| panic!("not an error body: {json}"));
        assert_eq!(error.len(), 3, "error has exactly code, number, message: {json}");
        assert_eq!(error["code"], code, "body: {json}");
        let number = publica_types::ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == code)
            .unwrap_or_else(|| panic!("{code} is not an ErrorCode"))
            .number();
        assert_eq!(error["number"], number);
        let message = error["message"].as_str().unwrap().to_owned();
        assert!(!message.is_empty());
        message
    }
}

/// Base64 of bytes, standard padded.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Check that [`MAX_TX_BYTES`] is what these tests assume: well below the tested body limit.
const _: () = assert!(MAX_TX_BYTES * 2 <= 1 << 20);

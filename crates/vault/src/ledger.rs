//! What the vault asks of the ledger, behind one trait ([`Ledger`]) so that the vault's work can be driven by a
//! node over HTTP ([`NodeLedger`], through `publica-client`) or, in tests, by the data module over an in-memory
//! state.
//!
//! The vault trusts the node it is configured with (its own agency's node, beside it): it reads answers without
//! checking their proofs. Everything the vault reads about personal data is a signed read
//! (`POST /v1/data/read`, [`DataQuery`]) made with the controller's key; accounts, agencies and retention rules are
//! public reads.

use std::time::Duration;

use anyhow::Context as _;
use publica_accounts::{AccountRecord, AgencyRecord};
use publica_client::api::data::{DataAnswer, DataQuery};
use publica_client::api::TxState;
use publica_client::data::signed_data_read;
use publica_client::{now_ms, Client, Expiry, Refusal, Signer};
use publica_crypto::Keypair;
use publica_data::call::DataCall;
use publica_data::schema::{Access, Record, RetentionRule};
use publica_types::{codec, Address, AgencyId, ChainId, Hash, TxId, TxOutcome};

use crate::error::VaultError;

/// How long a transaction the vault signs stays valid: the vault waits for it a little longer, so that a
/// transaction it gave up on can no longer be committed.
pub const TX_EXPIRY_MS: u64 = 60_000;
/// Largest account or agency record decoded from a state read.
const MAX_ACCOUNT_BYTES: usize = 64 * 1024;

/// Why the ledger did not answer as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The node cannot be reached, or answered with something unexpected: try again later.
    #[error("{0}")]
    Unavailable(String),
    /// The node refused the request or the transaction, with its stable code.
    #[error("the node refused it ({code}): {message}")]
    Refused {
        /// The stable code, e.g. `not_permitted`, `owner_not_a_citizen`.
        code: String,
        /// The node's message.
        message: String,
    },
}

impl LedgerError {
    /// Whether this is a refusal with `code`.
    pub fn is(&self, code: &str) -> bool {
        matches!(self, LedgerError::Refused { code: c, .. } if c == code)
    }
}

impl From<anyhow::Error> for LedgerError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast_ref::<Refusal>() {
            Some(refusal) => LedgerError::Refused { code: refusal.code.clone(), message: refusal.message.clone() },
            None => LedgerError::Unavailable(format!("{e:#}")),
        }
    }
}

/// A page of the vault's queue on the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueuePage {
    /// Pending accesses to the agency's records, oldest first.
    pub accesses: Vec<Access>,
    /// The `after` of the next page of accesses; `None` at the queue's end.
    pub next: Option<u64>,
    /// Pending accesses in all.
    pub accesses_total: u64,
    /// The agency's records whose erasure is ordered, oldest first (the first page).
    pub erasures: Vec<Record>,
    /// Erasures ordered in all.
    pub erasures_total: u64,
    /// The height the page was read at.
    pub height: u64,
}

/// Where a transaction stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxProgress {
    /// Admitted, not yet in a block.
    Pending,
    /// Committed at `height`, having created `outcome`.
    Committed {
        /// The block's height.
        height: u64,
        /// What it created.
        outcome: TxOutcome,
    },
    /// Refused when executed.
    Rejected {
        /// The stable code.
        code: String,
        /// The node's message.
        message: String,
    },
    /// The node does not know it (never admitted, or dropped from its mempool: expired).
    Unknown,
}

/// What the vault asks of the ledger.
pub trait Ledger: Send + Sync {
    /// The chain.
    fn chain_id(&self) -> &ChainId;
    /// The account the vault signs for: an official holding `data-controller` in its agency.
    fn controller(&self) -> Address;
    /// An account's record (public).
    fn account(&self, address: &Address) -> Result<Option<AccountRecord>, LedgerError>;
    /// An agency's record (public).
    fn agency(&self, id: &AgencyId) -> Result<Option<AgencyRecord>, LedgerError>;
    /// A page of `agency`'s queue (signed read): pending accesses after `after`, and ordered erasures.
    fn queue(&self, agency: &AgencyId, after: Option<u64>, limit: u32) -> Result<QueuePage, LedgerError>;
    /// Record `id` (signed read); `None` when it does not exist (or is not the vault's agency's).
    fn record(&self, id: u64) -> Result<Option<Record>, LedgerError>;
    /// The record registered with `commitment` (signed read); `None` when there is none.
    fn record_by_commitment(&self, commitment: &Hash) -> Result<Option<Record>, LedgerError>;
    /// Access `id` (signed read); `None` when it does not exist (or is not to the vault's agency's records).
    fn access(&self, id: u64) -> Result<Option<Access>, LedgerError>;
    /// `agency`'s retention rules (public).
    fn retention(&self, agency: &AgencyId) -> Result<Vec<RetentionRule>, LedgerError>;
    /// Sign `call` as the controller with its next nonce and submit it; its id once admitted.
    fn submit(&self, call: DataCall) -> Result<TxId, LedgerError>;
    /// Where transaction `id` stands.
    fn transaction(&self, id: &TxId) -> Result<TxProgress, LedgerError>;
}

/// The ledger as a node's REST API serves it, read and written with the controller's key.
pub struct NodeLedger {
    client: Client,
    key: Keypair,
    sender: Address,
    chain_id: ChainId,
}

impl std::fmt::Debug for NodeLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeLedger")
            .field("node", &self.client.base())
            .field("sender", &self.sender)
            .field("chain_id", &self.chain_id)
            .finish_non_exhaustive()
    }
}

impl NodeLedger {
    /// The ledger of the node at `api` (its REST API's URL), for the controller `key` signs for (`sender`, or the
    /// account the ledger's key index names for the key). Reads the node's chain id, so the node must answer.
    /// Blocking: call it outside an async runtime (or in `spawn_blocking`).
    pub fn connect(api: &str, key: Keypair, sender: Option<Address>) -> Result<NodeLedger, LedgerError> {
        let (chain_id, sender) = NodeLedger::reach(api, &key.address(), sender)?;
        let client = client(api).map_err(|e| LedgerError::Unavailable(e.to_string()))?;
        Ok(NodeLedger { client, key, sender, chain_id })
    }

    /// Ask the node at `api` for its chain id and the account the key of `key_address` signs for (`sender` when
    /// given).
    pub fn reach(api: &str, key_address: &Address, sender: Option<Address>) -> Result<(ChainId, Address), LedgerError> {
        let client = client(api).map_err(|e| LedgerError::Unavailable(e.to_string()))?;
        let chain_id = client.chain_id()?;
        let sender = client.sender_for(*key_address, sender)?;
        Ok((chain_id, sender))
    }

    /// The ledger of the node at `api` on `chain_id`, without asking the node (it may be down): the controller is
    /// `sender`, or the key's own address.
    pub fn offline(
        api: &str,
        key: Keypair,
        sender: Option<Address>,
        chain_id: ChainId,
    ) -> Result<NodeLedger, VaultError> {
        let client = client(api)?;
        let sender = sender.unwrap_or_else(|| key.address());
        Ok(NodeLedger { client, key, sender, chain_id })
    }

    /// The REST client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn signer(&self, next_nonce: u64) -> Signer<&Keypair> {
        Signer::new(&self.key, self.chain_id.clone(), next_nonce)
            .for_sender(self.sender)
            .expiring(Expiry::AfterMs(TX_EXPIRY_MS))
    }

    fn read(&self, query: DataQuery) -> Result<DataAnswer, LedgerError> {
        let body = signed_data_read(&self.key, self.sender, &self.chain_id, query, now_ms());
        Ok(self.client.data_read_signed(&body)?.answer)
    }

    /// A signed read that the node refuses with `not_permitted` or `*_not_found` when the thing does not exist (or
    /// is not the reader's to see): `None` then.
    fn read_optional(&self, query: DataQuery) -> Result<Option<DataAnswer>, LedgerError> {
        match self.read(query) {
            Ok(answer) => Ok(Some(answer)),
            Err(LedgerError::Refused { code, .. })
                if code == "not_permitted" || code == "data_record_not_found" || code == "access_not_found" =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn state_value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(self.client.state(key)?.value)
    }
}

/// The REST client of the node at `api`.
fn client(api: &str) -> Result<Client, VaultError> {
    Ok(Client::with_timeout(api, Duration::from_secs(30))
        .map_err(|e| VaultError::Config(format!("the node's API {api:?}: {e:#}")))?
        .unreachable_hint("is the agency's node running? (the vault's --api URL)"))
}

fn unexpected(query: &str, answer: &DataAnswer) -> LedgerError {
    LedgerError::Unavailable(format!("the node answered a {query} read with something else: {answer:?}"))
}

impl Ledger for NodeLedger {
    fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    fn controller(&self) -> Address {
        self.sender
    }

    fn account(&self, address: &Address) -> Result<Option<AccountRecord>, LedgerError> {
        let Some(bytes) = self.state_value(&publica_accounts::schema::account_key(address))? else { return Ok(None) };
        codec::decode_canonical("account record", &bytes, MAX_ACCOUNT_BYTES)
            .map(Some)
            .map_err(|e| LedgerError::Unavailable(format!("the node sent an account record that does not decode: {e}")))
    }

    fn agency(&self, id: &AgencyId) -> Result<Option<AgencyRecord>, LedgerError> {
        let Some(bytes) = self.state_value(&publica_accounts::schema::agency_key(id))? else { return Ok(None) };
        codec::decode_canonical("agency record", &bytes, MAX_ACCOUNT_BYTES)
            .map(Some)
            .map_err(|e| LedgerError::Unavailable(format!("the node sent an agency record that does not decode: {e}")))
    }

    fn queue(&self, agency: &AgencyId, after: Option<u64>, limit: u32) -> Result<QueuePage, LedgerError> {
        let query = DataQuery::AgencyQueue { agency: agency.clone(), after, limit };
        let body = signed_data_read(&self.key, self.sender, &self.chain_id, query, now_ms());
        let response = self.client.data_read_signed(&body)?;
        match response.answer {
            DataAnswer::AgencyQueue { accesses, erasures } => Ok(QueuePage {
                accesses: accesses.items,
                next: accesses.next,
                accesses_total: accesses.total,
                erasures: erasures.items,
                erasures_total: erasures.total,
                height: response.certified.header.height,
            }),
            other => Err(unexpected("queue", &other)),
        }
    }

    fn record(&self, id: u64) -> Result<Option<Record>, LedgerError> {
        match self.read_optional(DataQuery::Record { id })? {
            None => Ok(None),
            Some(DataAnswer::Record { record }) => Ok(Some(record)),
            Some(other) => Err(unexpected("record", &other)),
        }
    }

    fn record_by_commitment(&self, commitment: &Hash) -> Result<Option<Record>, LedgerError> {
        match self.read_optional(DataQuery::RecordByCommitment { commitment: *commitment })? {
            None => Ok(None),
            Some(DataAnswer::RecordByCommitment { record }) => Ok(Some(record)),
            Some(other) => Err(unexpected("record by commitment", &other)),
        }
    }

    fn access(&self, id: u64) -> Result<Option<Access>, LedgerError> {
        match self.read_optional(DataQuery::Access { id })? {
            None => Ok(None),
            Some(DataAnswer::Access { access, .. }) => Ok(Some(access)),
            Some(other) => Err(unexpected("access", &other)),
        }
    }

    fn retention(&self, agency: &AgencyId) -> Result<Vec<RetentionRule>, LedgerError> {
        Ok(self.client.data_retention(agency, None)?.rules)
    }

    fn submit(&self, call: DataCall) -> Result<TxId, LedgerError> {
        let nonce = self.client.next_nonce(&self.sender).context("reading the controller's next nonce")?;
        let tx = self.signer(nonce).sign(call);
        Ok(self.client.submit(&tx)?)
    }

    fn transaction(&self, id: &TxId) -> Result<TxProgress, LedgerError> {
        let status = match self.client.transaction(id) {
            Ok(status) => status,
            Err(e) => {
                return match LedgerError::from(e) {
                    LedgerError::Refused { code, .. } if code == "not_found" => Ok(TxProgress::Unknown),
                    other => Err(other),
                }
            }
        };
        Ok(match status.status {
            TxState::Pending => TxProgress::Pending,
            TxState::Committed => TxProgress::Committed {
                height: status.height.unwrap_or_default(),
                outcome: status.outcome.unwrap_or_default(),
            },
            TxState::Rejected => {
                let (code, message) =
                    status.error.map_or(("unknown".to_owned(), "no message".to_owned()), |e| (e.code, e.message));
                TxProgress::Rejected { code, message }
            }
        })
    }
}

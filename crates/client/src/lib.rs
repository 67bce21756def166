//! A client of a Publica node's REST API: what an agency's own Rust program uses to integrate with Publica.
//!
//! - [`Client`]: one blocking HTTP client for the JSON and the text routes, with a typed method per route
//!   ([`routes`]), submission of signed transactions (one or a batch) and waiting for their commit;
//! - [`Signer`]: a key that signs an account's transactions with consecutive nonces;
//! - [`anchor`]: the anchoring pipeline of `publica anchor` (hash files, batch the hashes, submit them pipelined,
//!   wait for the commits, read the entries back, fetch and check the receipts);
//! - [`keyfile`]: the encrypted key files of `publica keys new`;
//! - [`election`]: the election kit of trustees, credential authorities and voters (key generation, credentials
//!   and their sealed letters, ballots, the archive);
//! - [`procurement`]: the procurement kit of key holders (key files, the key ceremony's steps, decryption shares)
//!   and bidders (sealed bids);
//! - [`data`]: the personal data kit: signed reads of the data module, a citizen's log followed live, and a
//!   requester's check of a release against the ledger;
//! - [`api`]: the API's request, response and error types, which the server shares and builds its answers from
//!   (without the default `http` feature, the crate is only these).
//!
//! Every read comes with its proof as the node serves it; `publica-verify` checks proofs offline against the
//! validators' keys, so a client need not trust the node it reads from. The routes and their answers are
//! described in `docs/api.md`; this crate in `docs/client.md`.
//!
//! ```no_run
//! use publica_client::{Client, Signer};
//! use publica_crypto::Keypair;
//! use publica_tx::AccountsCall;
//!
//! # fn main() -> anyhow::Result<()> {
//! let client = Client::new("http://127.0.0.1:8080")?;
//! println!("height {}", client.status()?.height);
//!
//! // An agency administrator suspends an official.
//! let admin = Keypair::from_seed(&[1; 32]);
//! let official = Keypair::from_seed(&[2; 32]).public_key().address();
//! let mut signer = Signer::from_node(&client, admin, None)?;
//! let tx = signer.sign(AccountsCall::SetActive { account: official, active: false });
//! let id = client.submit(&tx)?;
//! let status = client.wait(&id, std::time::Duration::from_secs(60))?;
//! println!("committed at height {:?}", status.height);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

#[cfg(feature = "http")]
pub mod anchor;
pub mod api;
#[cfg(feature = "http")]
pub mod data;
#[cfg(feature = "http")]
pub mod election;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "http")]
pub mod keyfile;
#[cfg(feature = "http")]
pub mod procurement;
#[cfg(feature = "http")]
pub mod routes;
#[cfg(feature = "http")]
pub mod signer;
#[cfg(feature = "http")]
pub mod vault;

#[cfg(feature = "http")]
pub use api::NodeStatus;
#[cfg(feature = "http")]
pub use http::{api_base, Client, Refusal, Text, DEFAULT_API};
#[cfg(feature = "http")]
pub use routes::{BlockAt, DidVersion, Page};
#[cfg(feature = "http")]
pub use signer::{now_ms, Expiry, Signer};

/// The salted commitment to a citizen's national identifier that `RegisterCitizen` puts on the ledger:
/// SHA-256("publica/id-commitment/v1" || 0x00 || salt || id), where `id` is the identifier's UTF-8 bytes with
/// leading and trailing whitespace removed. Keep the salt: it is needed to prove the link later.
#[cfg(feature = "http")]
pub fn id_commitment(salt: &[u8; 32], national_id: &str) -> [u8; 32] {
    publica_crypto::sha256_concat(&[b"publica/id-commitment/v1\0", salt, national_id.trim().as_bytes()])
}

//! Signing transactions with one key, nonce after nonce.

use std::borrow::Borrow;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use publica_crypto::Keypair;
use publica_tx::{Call, Transaction, TxBody};
use publica_types::{Address, ChainId};

use crate::http::Client;

/// Unix time in milliseconds, from this machine's clock.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// When the transactions a [`Signer`] signs expire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// This many milliseconds after each one is signed.
    AfterMs(u64),
    /// At this Unix time in milliseconds, all of them.
    AtMs(u64),
}

impl Expiry {
    /// Ten minutes after signing: the CLI's default.
    pub const DEFAULT: Expiry = Expiry::AfterMs(600_000);

    fn at_ms(self) -> u64 {
        match self {
            Expiry::AfterMs(ms) => now_ms().saturating_add(ms),
            Expiry::AtMs(ms) => ms,
        }
    }
}

/// A key that signs transactions for one account on one chain, with consecutive nonces.
///
/// The node accepts a sender's transactions only in nonce order with no gaps, and a refused or expired transaction
/// consumes no nonce: a signer starts from the account's next nonce ([`Signer::from_node`] reads it) and counts up.
/// `K` is the key, owned (`Keypair`) or borrowed (`&Keypair`).
#[derive(Debug)]
pub struct Signer<K: Borrow<Keypair> = Keypair> {
    key: K,
    sender: Address,
    chain_id: ChainId,
    next_nonce: u64,
    expiry: Expiry,
}

impl<K: Borrow<Keypair>> Signer<K> {
    /// A signer for the account of the key's own address, from nonce `next_nonce`.
    pub fn new(key: K, chain_id: ChainId, next_nonce: u64) -> Self {
        let sender = key.borrow().public_key().address();
        Self { key, sender, chain_id, next_nonce, expiry: Expiry::DEFAULT }
    }

    /// A signer whose chain and first nonce are read from the node; `sender` is the account when its key was
    /// rotated (else the key's own address).
    pub fn from_node(client: &Client, key: K, sender: Option<Address>) -> Result<Self> {
        let sender = sender.unwrap_or_else(|| key.borrow().public_key().address());
        let chain_id = client.chain_id()?;
        let next_nonce = client.next_nonce(&sender)?;
        Ok(Self { key, sender, chain_id, next_nonce, expiry: Expiry::DEFAULT })
    }

    /// Sign for `sender` (an account whose key was rotated to this one).
    pub fn for_sender(mut self, sender: Address) -> Self {
        self.sender = sender;
        self
    }

    /// Sign transactions that expire as `expiry` says (default [`Expiry::DEFAULT`]).
    pub fn expiring(mut self, expiry: Expiry) -> Self {
        self.expiry = expiry;
        self
    }

    /// The account the transactions are sent by.
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// The signing key.
    pub fn key(&self) -> &Keypair {
        self.key.borrow()
    }

    /// The chain signed for.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    /// The nonce the next transaction gets.
    pub fn next_nonce(&self) -> u64 {
        self.next_nonce
    }

    /// Sign `call` with the next nonce.
    pub fn sign(&mut self, call: impl Into<Call>) -> Transaction {
        let nonce = self.take_nonce();
        self.sign_at(nonce, call)
    }

    /// Take the next nonce without signing, to sign with [`Signer::sign_at`] later (on another thread, say).
    pub fn take_nonce(&mut self) -> u64 {
        self.next_nonce += 1;
        self.next_nonce - 1
    }

    /// Sign `call` with a nonce taken before by [`Signer::take_nonce`].
    pub fn sign_at(&self, nonce: u64, call: impl Into<Call>) -> Transaction {
        TxBody {
            chain_id: self.chain_id.clone(),
            sender: self.sender,
            nonce,
            expires_at_ms: self.expiry.at_ms(),
            call: call.into(),
        }
        .sign(self.key.borrow())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_tx::AccountsCall;

    #[test]
    fn nonces_are_consecutive_and_signatures_verify() {
        let key = Keypair::from_seed(&[7; 32]);
        let mut signer = Signer::new(&key, "test-chain".parse().unwrap(), 5).expiring(Expiry::AtMs(1_000));
        let call = || AccountsCall::SetActive { account: key.public_key().address(), active: true };
        let first = signer.sign(call());
        let reserved = signer.take_nonce();
        let third = signer.sign(call());
        let second = signer.sign_at(reserved, call());
        assert_eq!([first.body.nonce, second.body.nonce, third.body.nonce], [5, 6, 7]);
        assert_eq!(signer.next_nonce(), 8);
        assert_eq!(first.body.expires_at_ms, 1_000);
        assert_eq!(first.body.sender, key.public_key().address());
        let bytes = first.body.signing_bytes();
        assert!(key.public_key().verify(&bytes, &first.signature).is_ok());
    }
}

//! The context a module's calls run under.

use publica_types::{Address, CallContext, ChainId, TxId};

/// The chain a [`context`] names unless told otherwise.
pub const TEST_CHAIN_ID: &str = "test";

/// Start a [`CallContext`] for a call by `sender`: chain [`TEST_CHAIN_ID`], height 1, time 0, nonce 0, and a
/// transaction id of zeros; change what the test needs, then [`Context::build`].
pub fn context(sender: Address) -> Context {
    Context(CallContext {
        chain_id: TEST_CHAIN_ID.parse().expect("a valid chain id"),
        height: 1,
        time_ms: 0,
        tx_id: TxId([0; 32]),
        sender,
        nonce: 0,
    })
}

/// A [`CallContext`] being built (see [`context`]).
#[derive(Clone, Debug)]
pub struct Context(CallContext);

impl Context {
    /// The network the call runs on.
    pub fn chain(mut self, chain_id: &ChainId) -> Context {
        self.0.chain_id = chain_id.clone();
        self
    }

    /// The block the call runs in: its height and time (Unix milliseconds).
    pub fn block(mut self, height: u64, time_ms: u64) -> Context {
        self.0.height = height;
        self.0.time_ms = time_ms;
        self
    }

    /// The transaction carrying the call.
    pub fn tx_id(mut self, tx_id: TxId) -> Context {
        self.0.tx_id = tx_id;
        self
    }

    /// The sender's nonce in the transaction.
    pub fn nonce(mut self, nonce: u64) -> Context {
        self.0.nonce = nonce;
        self
    }

    /// The context.
    pub fn build(self) -> CallContext {
        self.0
    }
}

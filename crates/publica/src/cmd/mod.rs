//! One module per command.

pub mod anchor;
pub mod bench;
pub mod dev;
pub mod governance;
pub mod keys;
pub mod load;
pub mod node;
pub mod query;
pub mod registry;
pub mod testnet;
pub mod tx;
pub mod verify;
pub mod witness;

//! One module per command.

pub mod bench;
pub mod dev;
pub mod keys;
pub mod node;
pub mod query;
pub mod tx;
pub mod verify;

//! Networks for demos, tests and measurements, built on the production path (the same node, consensus engine,
//! store and API as `publica start`):
//!
//! - [`genesis`] and [`home`]: genesis documents and node home directories, the one way `publica init`, `dev`,
//!   `testnet init` and `bench` write them;
//! - [`node`]: a node with its API started in this process, and helpers that feed it transactions directly;
//! - [`testnet`]: several validators and auditors on one machine, each a `publica start` process, supervised;
//! - [`load`]: a rate-controlled load of signed transactions against a network, with its report;
//! - [`bench`](mod@bench): the benchmarks of `publica bench` (BENCHMARKS.md);
//! - [`dev`]: the demo town of `publica dev` (agencies, officials, citizens, parcels, permits, companies).
//!
//! Demo keys here are derived from public seeds: they protect nothing and must never be used on a real network.

#![deny(missing_docs)]

pub mod bench;
pub mod dev;
pub mod genesis;
pub mod home;
pub mod load;
pub mod node;
pub mod testnet;

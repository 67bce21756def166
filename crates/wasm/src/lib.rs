//! Deterministic, fuel-metered WebAssembly runtime for agency contracts.
//!
//! A contract is a WebAssembly module that exports its memory as `memory` and its entry as
//! `call: () -> i32`, and imports only functions of host API v1 ([`host`], module `publica_v1`). Running it
//! takes three steps:
//!
//! 1. [`validate()`] refuses, before anything runs, every module that could behave differently on two
//!    validators or escape its limits: floating point anywhere, a start function, imports outside the host API
//!    or with other signatures, and sizes above [`limits`] (code, memory pages, tables, functions, globals,
//!    segments, exports). Each refusal is its own [`Error`] variant.
//! 2. [`Engine::compile`] validates and compiles a module into a [`Contract`].
//! 3. [`Engine::run`] runs a contract's `call` in a fresh instance with an input and a fuel limit; its effects
//!    reach the ledger only through the caller's [`Host`]. The answer is an [`Outcome`] (status, output, fuel
//!    used) or a [`Failure`] (out of fuel, a trap with its [`TrapKind`], the contract's `abort`, the host's
//!    failure) with the fuel used, which is charged either way.
//!
//! The crate knows nothing of the ledger: the contracts module above it maps a contract's keys into its state
//! namespace, decides what public state contracts may read, runs nested calls and native calls, and keeps or
//! discards a call's effects. `docs/contracts.md` specifies ABI v1 for contract authors.
//!
//! # Why wasmi 2.0
//!
//! A consensus node needs an engine whose results cannot depend on the machine: an interpreter rather than a
//! JIT (no code generation whose bugs or timing differ by CPU, nothing to harden against JIT spraying), with
//! fuel metering built in (a cost per instruction charged from a budget, exhausted deterministically), a
//! switch that turns floating point off in the validator, a resource limiter for memory and tables, recursion
//! and value-stack limits, and eager compilation so that no call pays for translation that a node with a warm
//! cache would not. `wasmi` has all of these, is written in Rust with no C dependencies, and builds in well
//! under a minute; wasmtime's fuel is as good but its compiler is a large build and a JIT, and wasm3 is C.
//! Version 2.0.0 is the newest release; it builds with the workspace's toolchain. Its default dispatch relies
//! on the compiler turning tail calls into jumps, which rustc does not guarantee (in this workspace's
//! development build a long loop overflowed the host stack), so the `portable-dispatch` loop is used
//! instead: slower, but its stack use does not depend on optimisation. `wasmparser` is the version wasmi
//! itself uses (nothing new is built), for the checks wasmi leaves to its embedder (start functions, import
//! names and signatures, section sizes).

mod error;
pub mod host;
pub mod limits;
mod runtime;
pub mod validate;

pub use error::{Error, Failure, HostError, TrapKind};
pub use host::{CallReturn, Effect, Host, MemoryHost, NestedCall, PublicRead, HOST_MODULE};
pub use runtime::{Contract, Engine, Outcome};
pub use validate::validate;

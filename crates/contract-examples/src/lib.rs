//! Tests of the example contracts (`contracts/examples`) on the WebAssembly runtime; the crate has no code.
//!
//! Its tests load each example's module (built fresh by `contracts/build.sh` when the test script runs it,
//! the shipped file otherwise), check that the runtime accepts it and that it matches its recorded SHA-256,
//! and run its rules on `publica_wasm::MemoryHost` with the ledger's public views filled in.

//! Shared helpers: test modules written in WAT, with every host API import declared.

use publica_wasm::{Contract, Engine, Error, Failure, MemoryHost, Outcome};

/// Enough fuel for every test contract that is meant to finish.
pub const FUEL: u64 = 10_000_000;

/// Every host API v1 import, under names the test bodies use.
pub const IMPORTS: &str = r#"
  (import "publica_v1" "input_len" (func $input_len (result i32)))
  (import "publica_v1" "input_read" (func $input_read (param i32)))
  (import "publica_v1" "output_write" (func $output_write (param i32 i32)))
  (import "publica_v1" "state_get" (func $state_get (param i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
  (import "publica_v1" "state_remove" (func $state_remove (param i32 i32)))
  (import "publica_v1" "public_get" (func $public_get (param i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "sender" (func $sender (param i32)))
  (import "publica_v1" "has_role" (func $has_role (param i32 i32) (result i32)))
  (import "publica_v1" "block_height" (func $block_height (result i64)))
  (import "publica_v1" "block_time_ms" (func $block_time_ms (result i64)))
  (import "publica_v1" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "publica_v1" "call_contract" (func $call_contract (param i32 i32 i32 i32 i32 i32) (result i64)))
  (import "publica_v1" "submit_native" (func $submit_native (param i32 i32) (result i32)))
  (import "publica_v1" "abort" (func $abort (param i32 i32)))
"#;

/// WAT text to module bytes.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("the test module's WAT parses")
}

/// A contract module: the host imports, one exported page of memory, and `body` (which defines `call`).
pub fn module(body: &str) -> Vec<u8> {
    wasm(&format!("(module {IMPORTS} (memory (export \"memory\") 1) {body})"))
}

/// A contract whose `call` runs `code` (which leaves an i32 status on the stack).
pub fn calling(code: &str) -> Vec<u8> {
    module(&format!("(func (export \"call\") (result i32) {code})"))
}

/// Compiles a module that must be accepted.
pub fn compile(code: &[u8]) -> Contract {
    Engine::new().compile(code).unwrap_or_else(|error| panic!("the test contract is refused: {error}"))
}

/// The validation refusal of a module that must be refused.
pub fn refusal(code: &[u8]) -> Error {
    match Engine::new().compile(code) {
        Ok(_) => panic!("the module was accepted, but a refusal was expected"),
        Err(error) => {
            assert!(error.is_validation(), "{error} is not a validation refusal");
            error
        }
    }
}

/// Runs `code`'s call on `host` with `input` and `fuel`.
pub fn run_on(host: &mut MemoryHost, code: &[u8], input: &[u8], fuel: u64) -> Result<Outcome, Failure> {
    let engine = Engine::new();
    let contract = engine.compile(code).unwrap_or_else(|error| panic!("the test contract is refused: {error}"));
    engine.run(&contract, host, input, fuel)
}

/// Runs `code`'s call on an empty host with no input.
pub fn run(code: &[u8]) -> Result<Outcome, Failure> {
    run_on(&mut MemoryHost::default(), code, &[], FUEL)
}

//! Shared helpers: the example modules, a host with the ledger's public views, and runs.

use publica_wasm::{Contract, Effect, Engine, Error, Failure, MemoryHost, Outcome};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Enough fuel for every example call that is meant to finish.
pub const FUEL: u64 = 10_000_000;

/// A fuel limit too small for any example to reach its first state write.
pub const TOO_LITTLE_FUEL: u64 = 300;

/// The block time every test host reports.
pub const TIME_MS: u64 = 1_800_000_000_000;

/// The directory of an example.
pub fn example_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/examples").join(name)
}

/// The module of an example, `contracts/examples/{name}/{name}.wasm`.
pub fn code(name: &str) -> Vec<u8> {
    let path = example_dir(name).join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("{} cannot be read ({error}): run contracts/build.sh", path.display()))
}

/// The SHA-256 recorded beside an example's module, in `sha256sum` format.
pub fn recorded_hash(name: &str) -> String {
    let path = example_dir(name).join(format!("{name}.wasm.sha256"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{} cannot be read: {error}", path.display()));
    let (hash, file) = text.trim_end().split_once("  ").expect("the hash file is `hash  file`, as sha256sum writes it");
    assert_eq!(file, format!("{name}.wasm"), "the hash file names its module");
    hash.to_string()
}

/// The SHA-256 of bytes, in lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An example compiled by a fresh engine.
pub fn compile(name: &str) -> (Engine, Contract) {
    let engine = Engine::new();
    let contract = engine.compile(&code(name)).unwrap_or_else(|error| panic!("the runtime refuses {name}: {error}"));
    (engine, contract)
}

/// A host at the test block with no state and no views.
pub fn host() -> MemoryHost {
    MemoryHost { time_ms: TIME_MS, height: 42, ..MemoryHost::default() }
}

/// Runs an example's call on `host`.
pub fn run(name: &str, host: &mut MemoryHost, input: &[u8], fuel: u64) -> Result<Outcome, Failure> {
    let (engine, contract) = compile(name);
    engine.run(&contract, host, input, fuel)
}

/// Runs a call that must finish, and returns its outcome.
pub fn finish(name: &str, host: &mut MemoryHost, input: &[u8]) -> Outcome {
    run(name, host, input, FUEL).unwrap_or_else(|failure| panic!("{name} failed: {failure}"))
}

/// Asserts a refusal: its status, its name as the output and as the only event, and no state written.
pub fn assert_refused(name: &str, host: &mut MemoryHost, input: &[u8], status: i32, reason: &str) {
    let before = host.state.clone();
    let events = host.events.len();
    let outcome = finish(name, host, input);
    assert_eq!(outcome.status, status, "{name} refuses with status {status} ({reason})");
    assert_eq!(String::from_utf8_lossy(&outcome.output), reason);
    assert_eq!(host.events[events..], [(b"refused".to_vec(), reason.as_bytes().to_vec())]);
    assert_eq!(host.state, before, "a refusal writes nothing");
    assert!(!writes(host), "a refusal makes no state write");
}

/// Whether the host served any state write.
pub fn writes(host: &MemoryHost) -> bool {
    host.log.iter().any(|effect| matches!(effect, Effect::StateSet(..) | Effect::StateRemove(..)))
}

/// Asserts that the call aborted with a message containing `words`.
pub fn assert_aborted(result: Result<Outcome, Failure>, words: &str) {
    match result {
        Err(Failure { error: Error::Aborted { message }, .. }) => {
            assert!(message.contains(words), "the abort message {message:?} mentions {words:?}")
        }
        other => panic!("expected an abort mentioning {words:?}, got {other:?}"),
    }
}

/// Runs a call with too little fuel: it must run out before writing anything, and be charged its limit.
pub fn assert_out_of_fuel_writes_nothing(name: &str, mut host: MemoryHost, input: &[u8]) {
    let before = host.state.clone();
    match run(name, &mut host, input, TOO_LITTLE_FUEL) {
        Err(Failure { error: Error::OutOfFuel { limit }, fuel_used }) => {
            assert_eq!((limit, fuel_used), (TOO_LITTLE_FUEL, TOO_LITTLE_FUEL));
        }
        other => panic!("expected {name} to run out of fuel, got {other:?}"),
    }
    assert_eq!(host.state, before);
    assert!(!writes(&host), "a call out of fuel made a state write");
}

/// Runs a call that succeeds with exactly the fuel it uses, and fails one unit short of it.
pub fn assert_fuel_is_exact(name: &str, host: &MemoryHost, input: &[u8]) {
    let used = finish(name, &mut host.clone(), input).fuel_used;
    outcome_with(name, &mut host.clone(), input, used);
    match run(name, &mut host.clone(), input, used - 1) {
        Err(Failure { error: Error::OutOfFuel { .. }, fuel_used }) => assert_eq!(fuel_used, used - 1),
        other => panic!("expected {name} to run out of fuel one unit short, got {other:?}"),
    }
}

fn outcome_with(name: &str, host: &mut MemoryHost, input: &[u8], fuel: u64) -> Outcome {
    run(name, host, input, fuel).unwrap_or_else(|failure| panic!("{name} failed with {fuel} fuel: {failure}"))
}

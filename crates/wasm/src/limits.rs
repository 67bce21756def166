//! The limits and fuel costs of ABI v1, in one place so that `docs/contracts.md` and the code cannot disagree.
//!
//! Every number here is part of consensus: two validators with different limits would accept different modules
//! or stop the same call at different points. Changing one is a new ABI version, never a patch.

/// The largest module accepted, in bytes of its binary encoding.
pub const MAX_CODE_BYTES: usize = 256 * 1024;
/// The most compiled modules an [`crate::Engine`] keeps by code hash; the oldest is dropped first. Not part of
/// consensus: a cached module and a freshly compiled one run identically.
pub const CACHED_CONTRACTS_MAX: usize = 64;
/// The size of a WebAssembly memory page, in bytes.
pub const PAGE_BYTES: u64 = 64 * 1024;
/// The most memory pages a contract may declare initially or reach by `memory.grow` (16 pages are 1 MiB).
pub const MAX_MEMORY_PAGES: u64 = 16;
/// The most tables a module may define (the one `call_indirect` table compilers emit).
pub const MAX_TABLES: u32 = 1;
/// The most elements a table may hold, initially or after `table.grow`.
pub const MAX_TABLE_ELEMENTS: u64 = 4096;
/// The most functions a module may define (imports not counted).
pub const MAX_FUNCTIONS: u32 = 4096;
/// The most imports a module may declare.
pub const MAX_IMPORTS: u32 = 32;
/// The most globals a module may define.
pub const MAX_GLOBALS: u32 = 256;
/// The most data segments a module may define.
pub const MAX_DATA_SEGMENTS: u32 = 256;
/// The most element segments a module may define.
pub const MAX_ELEMENT_SEGMENTS: u32 = 64;
/// The most exports a module may declare.
pub const MAX_EXPORTS: u32 = 256;
/// The deepest chain of nested WebAssembly function calls before the call traps with a stack overflow.
pub const MAX_RECURSION_DEPTH: usize = 1024;
/// The most value-stack cells (8 bytes each) one call may use before it traps with a stack overflow.
pub const MAX_STACK_CELLS: usize = 256 * 1024;

/// The longest state key a contract may name, in bytes (before the host maps it into the contract's namespace).
pub const MAX_KEY_BYTES: u32 = 256;
/// The longest state value a contract may write, in bytes.
pub const MAX_VALUE_BYTES: u32 = 64 * 1024;
/// The longest output a call may return, in bytes.
pub const MAX_OUTPUT_BYTES: u32 = 64 * 1024;
/// The most events one call may emit (a nested call has its own count).
pub const MAX_EVENTS: u32 = 64;
/// The longest event topic, in bytes.
pub const MAX_TOPIC_BYTES: u32 = 256;
/// The longest event data, in bytes.
pub const MAX_EVENT_DATA_BYTES: u32 = 16 * 1024;
/// The longest role name `has_role` accepts, in bytes.
pub const MAX_ROLE_BYTES: u32 = 64;
/// The longest contract identifier `call_contract` accepts, in bytes.
pub const MAX_CONTRACT_ID_BYTES: u32 = 64;
/// The longest input `call_contract` passes to a callee, in bytes.
pub const MAX_CALL_INPUT_BYTES: u32 = 64 * 1024;
/// The longest borsh-encoded native call `submit_native` forwards, in bytes.
pub const MAX_NATIVE_CALL_BYTES: u32 = 64 * 1024;
/// The longest message `abort` accepts, in bytes.
pub const MAX_ABORT_MESSAGE_BYTES: u32 = 1024;
/// The deepest nesting of contract calls: the outermost call runs at depth 0, so a chain of
/// `MAX_CALL_DEPTH + 1` contracts is the longest allowed.
pub const MAX_CALL_DEPTH: u32 = 4;
/// The length of a sender address written by `sender`.
pub const SENDER_BYTES: usize = 20;

/// The fuel every host call costs before it does anything. An ordinary instruction costs 1.
pub const FUEL_HOST_CALL: u64 = 50;
/// The fuel per byte copied between the contract's memory and the host, in either direction.
pub const FUEL_PER_BYTE: u64 = 1;
/// The extra fuel of a state read (`state_get`, `public_get`).
pub const FUEL_STATE_READ: u64 = 200;
/// The extra fuel of a state write or removal (`state_set`, `state_remove`).
pub const FUEL_STATE_WRITE: u64 = 1_000;
/// The extra fuel of a role check (`has_role`).
pub const FUEL_ROLE_CHECK: u64 = 200;
/// The extra fuel of an event (`emit_event`).
pub const FUEL_EVENT: u64 = 500;
/// The extra fuel of a nested contract call (`call_contract`), before the fuel the callee uses.
pub const FUEL_CALL_CONTRACT: u64 = 2_000;
/// The extra fuel of a native call (`submit_native`).
pub const FUEL_SUBMIT_NATIVE: u64 = 5_000;

// The limits relate to each other; these hold at compile time.
const _: () = assert!(MAX_KEY_BYTES as u64 <= PAGE_BYTES);
const _: () = assert!(MAX_VALUE_BYTES as u64 <= MAX_MEMORY_PAGES * PAGE_BYTES);
const _: () = assert!(MAX_OUTPUT_BYTES as u64 <= MAX_MEMORY_PAGES * PAGE_BYTES);
const _: () = assert!(MAX_CODE_BYTES <= u32::MAX as usize);

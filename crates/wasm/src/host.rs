//! Host API v1: the functions a contract imports from module [`HOST_MODULE`], and the [`Host`] trait that
//! gives them their effects.
//!
//! # The ABI
//!
//! Pointers and lengths are `i32` read as unsigned 32-bit numbers, as WebAssembly addresses are. Every region
//! a call names (`ptr .. ptr + len`) must lie inside the contract's memory, or the call traps with
//! [`TrapKind::HostMemoryOutOfBounds`]; a length above its limit traps with [`TrapKind::HostLimit`] before any
//! memory is touched. A read into a buffer (`state_get`, `public_get`, `call_contract`) checks the whole buffer
//! `out_ptr .. out_ptr + out_cap` even when nothing is written.
//!
//! | import | signature | effect |
//! |---|---|---|
//! | `input_len` | `() -> i32` | the input's length |
//! | `input_read` | `(ptr)` | writes the whole input at `ptr` |
//! | `output_write` | `(ptr, len)` | sets the output (the last write wins) |
//! | `state_get` | `(key_ptr, key_len, out_ptr, out_cap) -> i64` | length, -1 if absent; written if it fits |
//! | `state_set` | `(key_ptr, key_len, val_ptr, val_len)` | writes a key of the contract's own |
//! | `state_remove` | `(key_ptr, key_len)` | removes a key of the contract's own |
//! | `public_get` | `(key_ptr, key_len, out_ptr, out_cap) -> i64` | as `state_get`, other modules; -2 refused |
//! | `sender` | `(out_ptr)` | writes the transaction's 20-byte sender |
//! | `has_role` | `(role_ptr, role_len) -> i32` | 1 when the sender holds the role, else 0 |
//! | `block_height` | `() -> i64` | the height of the block being executed |
//! | `block_time_ms` | `() -> i64` | the block's time, ms since the Unix epoch |
//! | `emit_event` | `(topic_ptr, topic_len, data_ptr, data_len)` | records an event |
//! | `call_contract` | `(id_ptr, id_len, in_ptr, in_len, out_ptr, out_cap) -> i64` | see below |
//! | `submit_native` | `(call_ptr, call_len) -> i32` | forwards a borsh native call; the host's code |
//! | `abort` | `(msg_ptr, msg_len)` | ends the call as a failure with a UTF-8 message |
//!
//! `call_contract` answers the callee's output length (the output written when it fits in `out_cap`), -1 when
//! the callee failed, -2 when the host refused to run it, -3 when [`MAX_CALL_DEPTH`] is reached.
//!
//! Fuel: every call costs [`FUEL_HOST_CALL`], plus its extra cost ([`FUEL_STATE_READ`], [`FUEL_STATE_WRITE`],
//! [`FUEL_ROLE_CHECK`], [`FUEL_EVENT`], [`FUEL_CALL_CONTRACT`], [`FUEL_SUBMIT_NATIVE`]), plus
//! [`FUEL_PER_BYTE`] for every byte copied between memory and host. The fixed part and the bytes read from the
//! contract are charged before the effect, so a call without the fuel for them has no effect; bytes written back
//! are charged when their length is known. A nested call also costs the fuel its callee used.

use crate::error::{Error, HostError, TrapKind};
use crate::limits::*;
use crate::runtime::{Contract, Engine, Env, Outcome};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use wasmi::{Caller, Func, Store};

/// The module name of every import of host API v1.
pub const HOST_MODULE: &str = "publica_v1";

/// A value type of the host API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
}

/// One function of the host API: its name and signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFunction {
    /// The import's field name.
    pub name: &'static str,
    /// Its parameter types.
    pub params: &'static [Ty],
    /// Its result types.
    pub results: &'static [Ty],
}

impl HostFunction {
    /// The signature written as `(i32, i32) -> (i64)`.
    pub fn signature(&self) -> String {
        let list = |types: &[Ty]| {
            types
                .iter()
                .map(|ty| match ty {
                    Ty::I32 => "i32",
                    Ty::I64 => "i64",
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("({}) -> ({})", list(self.params), list(self.results))
    }
}

const fn function(name: &'static str, params: &'static [Ty], results: &'static [Ty]) -> HostFunction {
    HostFunction { name, params, results }
}

use Ty::{I32, I64};

/// Every function of host API v1, the only imports a contract may declare.
pub const HOST_FUNCTIONS: &[HostFunction] = &[
    function("input_len", &[], &[I32]),
    function("input_read", &[I32], &[]),
    function("output_write", &[I32, I32], &[]),
    function("state_get", &[I32, I32, I32, I32], &[I64]),
    function("state_set", &[I32, I32, I32, I32], &[]),
    function("state_remove", &[I32, I32], &[]),
    function("public_get", &[I32, I32, I32, I32], &[I64]),
    function("sender", &[I32], &[]),
    function("has_role", &[I32, I32], &[I32]),
    function("block_height", &[], &[I64]),
    function("block_time_ms", &[], &[I64]),
    function("emit_event", &[I32, I32, I32, I32], &[]),
    function("call_contract", &[I32, I32, I32, I32, I32, I32], &[I64]),
    function("submit_native", &[I32, I32], &[I32]),
    function("abort", &[I32, I32], &[]),
];

/// The answer to a read of another module's public state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicRead {
    /// The key holds this value.
    Value(Vec<u8>),
    /// The key is absent.
    Absent,
    /// The host does not let contracts read this key.
    Refused,
}

/// A nested contract call, as `call_contract` asks the host to run it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedCall<'a> {
    /// The callee's identifier, as the contract named it.
    pub contract: &'a [u8],
    /// The callee's input.
    pub input: &'a [u8],
    /// The fuel left to the caller: the callee may use at most this much.
    pub fuel: u64,
    /// The callee's depth (the outermost call runs at 0), at most [`MAX_CALL_DEPTH`]; pass it to
    /// [`Engine::run_nested`].
    pub depth: u32,
}

/// What became of a nested call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallReturn {
    /// The callee returned status 0 with this output, using this much fuel.
    Returned {
        /// The callee's output.
        output: Vec<u8>,
        /// The fuel the callee used.
        fuel_used: u64,
    },
    /// The callee failed (trapped, aborted, ran out of fuel, or returned a non-zero status); the host has
    /// discarded its effects.
    Failed {
        /// The fuel the callee used, charged to the caller.
        fuel_used: u64,
    },
    /// The host did not run the callee (no such contract, or the caller may not call it).
    Refused,
}

/// The effects of host API v1, implemented by whoever runs contracts: the contracts module against the
/// ledger's state, [`MemoryHost`] in tests.
///
/// The runtime has already checked the sizes and charged the fuel when a method is called. A method returns
/// `Err` only when the host itself failed; the call then ends with [`Error::Host`].
pub trait Host {
    /// Reads a key of the contract's own namespace (the host maps it to its state key).
    fn state_get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError>;
    /// Writes a key of the contract's own namespace.
    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError>;
    /// Removes a key of the contract's own namespace.
    fn state_remove(&mut self, key: &[u8]) -> Result<(), HostError>;
    /// Reads another module's public state; the host decides what is public.
    fn public_get(&mut self, key: &[u8]) -> Result<PublicRead, HostError>;
    /// The transaction's sender.
    fn sender(&mut self) -> Result<[u8; SENDER_BYTES], HostError>;
    /// Whether the sender holds the role.
    fn has_role(&mut self, role: &[u8]) -> Result<bool, HostError>;
    /// The height of the block being executed.
    fn block_height(&mut self) -> Result<u64, HostError>;
    /// The block's time, in milliseconds since the Unix epoch (from the block header, never a clock).
    fn block_time_ms(&mut self) -> Result<u64, HostError>;
    /// Records an event of the call.
    fn emit_event(&mut self, topic: &[u8], data: &[u8]) -> Result<(), HostError>;
    /// Runs another contract with at most `call.fuel` fuel at `call.depth`.
    fn call_contract(&mut self, call: NestedCall<'_>) -> Result<CallReturn, HostError>;
    /// Executes a native call (borsh bytes) with the roles granted to the contract; the returned code is the
    /// contract's answer (0 when done, the host's refusal code otherwise).
    fn submit_native(&mut self, call: &[u8]) -> Result<i32, HostError>;
}

/// One effect a [`MemoryHost`] served, in the order it served them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `state_get` of a key.
    StateGet(Vec<u8>),
    /// `state_set` of a key to a value.
    StateSet(Vec<u8>, Vec<u8>),
    /// `state_remove` of a key.
    StateRemove(Vec<u8>),
    /// `public_get` of a key.
    PublicGet(Vec<u8>),
    /// `sender`.
    Sender,
    /// `has_role` of a role.
    HasRole(Vec<u8>),
    /// `block_height`.
    BlockHeight,
    /// `block_time_ms`.
    BlockTime,
    /// `emit_event` of a topic and data.
    Event(Vec<u8>, Vec<u8>),
    /// `call_contract` of a contract with an input, fuel and depth.
    CallContract(Vec<u8>, Vec<u8>, u64, u32),
    /// `submit_native` of a call.
    SubmitNative(Vec<u8>),
}

/// An in-memory [`Host`] for tests: one flat namespace, public state with refused keys, and every effect
/// recorded in order. Nested calls run the contracts registered in `contracts` on the same host (a failed
/// callee's writes are not rolled back: a test host, not the ledger's).
#[derive(Clone, Debug, Default)]
pub struct MemoryHost {
    /// The contract's own state.
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Other modules' public state.
    pub public: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys `public_get` refuses.
    pub refused: BTreeSet<Vec<u8>>,
    /// The sender.
    pub sender: [u8; SENDER_BYTES],
    /// The sender's roles.
    pub roles: BTreeSet<Vec<u8>>,
    /// The block height.
    pub height: u64,
    /// The block time.
    pub time_ms: u64,
    /// The events emitted, in order.
    pub events: Vec<(Vec<u8>, Vec<u8>)>,
    /// The native calls submitted, in order.
    pub native_calls: Vec<Vec<u8>>,
    /// The code `submit_native` answers.
    pub native_result: i32,
    /// Contracts `call_contract` may run, by identifier.
    pub contracts: BTreeMap<Vec<u8>, Contract>,
    /// The engine nested calls run on.
    pub engine: Option<Engine>,
    /// Every effect served, in order.
    pub log: Vec<Effect>,
}

impl MemoryHost {
    /// An empty host whose nested calls run on `engine`.
    pub fn new(engine: &Engine) -> Self {
        MemoryHost { engine: Some(engine.clone()), ..MemoryHost::default() }
    }
}

impl Host for MemoryHost {
    fn state_get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        self.log.push(Effect::StateGet(key.to_vec()));
        Ok(self.state.get(key).cloned())
    }

    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.log.push(Effect::StateSet(key.to_vec(), value.to_vec()));
        self.state.insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    fn state_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.log.push(Effect::StateRemove(key.to_vec()));
        self.state.remove(key);
        Ok(())
    }

    fn public_get(&mut self, key: &[u8]) -> Result<PublicRead, HostError> {
        self.log.push(Effect::PublicGet(key.to_vec()));
        if self.refused.contains(key) {
            return Ok(PublicRead::Refused);
        }
        Ok(self.public.get(key).map_or(PublicRead::Absent, |value| PublicRead::Value(value.clone())))
    }

    fn sender(&mut self) -> Result<[u8; SENDER_BYTES], HostError> {
        self.log.push(Effect::Sender);
        Ok(self.sender)
    }

    fn has_role(&mut self, role: &[u8]) -> Result<bool, HostError> {
        self.log.push(Effect::HasRole(role.to_vec()));
        Ok(self.roles.contains(role))
    }

    fn block_height(&mut self) -> Result<u64, HostError> {
        self.log.push(Effect::BlockHeight);
        Ok(self.height)
    }

    fn block_time_ms(&mut self) -> Result<u64, HostError> {
        self.log.push(Effect::BlockTime);
        Ok(self.time_ms)
    }

    fn emit_event(&mut self, topic: &[u8], data: &[u8]) -> Result<(), HostError> {
        self.log.push(Effect::Event(topic.to_vec(), data.to_vec()));
        self.events.push((topic.to_vec(), data.to_vec()));
        Ok(())
    }

    fn call_contract(&mut self, call: NestedCall<'_>) -> Result<CallReturn, HostError> {
        self.log.push(Effect::CallContract(call.contract.to_vec(), call.input.to_vec(), call.fuel, call.depth));
        let (Some(engine), Some(contract)) = (self.engine.clone(), self.contracts.get(call.contract).cloned()) else {
            return Ok(CallReturn::Refused);
        };
        Ok(match engine.run_nested(&contract, self, call.input, call.fuel, call.depth) {
            Ok(Outcome { status: 0, output, fuel_used }) => CallReturn::Returned { output, fuel_used },
            Ok(outcome) => CallReturn::Failed { fuel_used: outcome.fuel_used },
            Err(failure) => CallReturn::Failed { fuel_used: failure.fuel_used },
        })
    }

    fn submit_native(&mut self, call: &[u8]) -> Result<i32, HostError> {
        self.log.push(Effect::SubmitNative(call.to_vec()));
        self.native_calls.push(call.to_vec());
        Ok(self.native_result)
    }
}

/// The error a host function returns to stop the call with one of this crate's errors.
#[derive(Debug)]
pub(crate) struct Stop(pub(crate) Error);

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl wasmi::errors::HostError for Stop {}

/// The result of a host function.
type HostResult<T> = Result<T, wasmi::Error>;
/// The caller of a host function.
type Ctx<'c, 'a> = Caller<'c, Env<'a>>;

fn stop(error: Error) -> wasmi::Error {
    wasmi::Error::host(Stop(error))
}

fn trap(kind: TrapKind, message: String) -> wasmi::Error {
    stop(Error::Trap { kind, message })
}

fn host_failed(error: HostError) -> wasmi::Error {
    stop(Error::Host(error))
}

/// Takes `fuel` from the call, or stops it out of fuel (with nothing left) when it has less.
fn charge(caller: &mut Ctx<'_, '_>, fuel: u64) -> HostResult<()> {
    let remaining = caller.get_fuel()?;
    if remaining < fuel {
        caller.set_fuel(0)?;
        let limit = caller.data().fuel_limit;
        return Err(stop(Error::OutOfFuel { limit }));
    }
    caller.set_fuel(remaining - fuel)
}

/// The fuel of a host call: its fixed cost plus the bytes it copies.
fn cost(extra: u64, bytes: u64) -> u64 {
    FUEL_HOST_CALL.saturating_add(extra).saturating_add(bytes.saturating_mul(FUEL_PER_BYTE))
}

/// A length argument checked against its limit.
fn length(what: &str, len: i32, max: u32) -> HostResult<u32> {
    let len = len as u32;
    if len > max {
        return Err(trap(
            TrapKind::HostLimit,
            format!("{what} is {len} bytes, more than the {max} the host API allows"),
        ));
    }
    Ok(len)
}

/// The region `ptr .. ptr + len` of a memory of `memory_len` bytes, or a trap naming the argument.
fn region(memory_len: usize, what: &str, ptr: i32, len: u32) -> HostResult<Range<usize>> {
    let start = u64::from(ptr as u32);
    let end = start + u64::from(len);
    if end > memory_len as u64 {
        return Err(trap(
            TrapKind::HostMemoryOutOfBounds,
            format!("{what} at {start}..{end} lies outside the contract's memory of {memory_len} bytes"),
        ));
    }
    // Both fit in usize: they are at most the memory's length.
    Ok(start as usize..end as usize)
}

fn memory(caller: &Ctx<'_, '_>) -> HostResult<wasmi::Memory> {
    caller
        .data()
        .memory
        .ok_or_else(|| trap(TrapKind::Other, "the contract's memory is not available to the host".to_string()))
}

/// Copies `len` bytes at `ptr` out of the contract's memory.
fn read(caller: &Ctx<'_, '_>, what: &str, ptr: i32, len: u32) -> HostResult<Vec<u8>> {
    let memory = memory(caller)?;
    let data = memory.data(caller);
    let range = region(data.len(), what, ptr, len)?;
    Ok(data[range].to_vec())
}

/// Checks that `ptr .. ptr + len` lies inside the contract's memory.
fn check(caller: &Ctx<'_, '_>, what: &str, ptr: i32, len: u32) -> HostResult<()> {
    let memory = memory(caller)?;
    region(memory.data_size(caller), what, ptr, len).map(|_| ())
}

/// Copies `bytes` into the contract's memory at `ptr`.
fn write(caller: &mut Ctx<'_, '_>, what: &str, ptr: i32, bytes: &[u8]) -> HostResult<()> {
    let memory = memory(caller)?;
    let data = memory.data_mut(caller);
    let len = u32::try_from(bytes.len()).map_err(|_| {
        trap(TrapKind::HostLimit, format!("{what} of {} bytes does not fit a 32-bit memory", bytes.len()))
    })?;
    let range = region(data.len(), what, ptr, len)?;
    data[range].copy_from_slice(bytes);
    Ok(())
}

/// A non-negative `i64` result from a length.
fn len_i64(len: usize) -> i64 {
    // Lengths are bounded by the memory and the host API's limits, far below i64::MAX.
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// Answers a read into `out_ptr .. out_ptr + out_cap`: the value is written only when it fits; the
/// returned length tells the contract how large a buffer to retry with.
fn answer(caller: &mut Ctx<'_, '_>, value: &[u8], out_ptr: i32, out_cap: u32) -> HostResult<i64> {
    if value.len() <= out_cap as usize {
        charge(caller, (value.len() as u64).saturating_mul(FUEL_PER_BYTE))?;
        write(caller, "the output buffer", out_ptr, value)?;
    }
    Ok(len_i64(value.len()))
}

fn input_len(mut caller: Ctx<'_, '_>) -> HostResult<i32> {
    charge(&mut caller, cost(0, 0))?;
    let len = caller.data().input.len();
    i32::try_from(len).map_err(|_| trap(TrapKind::HostLimit, format!("the input of {len} bytes does not fit an i32")))
}

fn input_read(mut caller: Ctx<'_, '_>, ptr: i32) -> HostResult<()> {
    let input_len = caller.data().input.len();
    charge(&mut caller, cost(0, input_len as u64))?;
    let input = caller.data().input;
    write(&mut caller, "the input buffer", ptr, input)
}

fn output_write(mut caller: Ctx<'_, '_>, ptr: i32, len: i32) -> HostResult<()> {
    let len = length("the output", len, MAX_OUTPUT_BYTES)?;
    charge(&mut caller, cost(0, u64::from(len)))?;
    let output = read(&caller, "the output", ptr, len)?;
    caller.data_mut().output = output;
    Ok(())
}

fn state_get(mut caller: Ctx<'_, '_>, key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> HostResult<i64> {
    let key_len = length("the key", key_len, MAX_KEY_BYTES)?;
    charge(&mut caller, cost(FUEL_STATE_READ, u64::from(key_len)))?;
    let key = read(&caller, "the key", key_ptr, key_len)?;
    let out_cap = out_cap as u32;
    check(&caller, "the output buffer", out_ptr, out_cap)?;
    match caller.data_mut().host.state_get(&key).map_err(host_failed)? {
        Some(value) => answer(&mut caller, &value, out_ptr, out_cap),
        None => Ok(-1),
    }
}

fn state_set(mut caller: Ctx<'_, '_>, key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32) -> HostResult<()> {
    let key_len = length("the key", key_len, MAX_KEY_BYTES)?;
    let val_len = length("the value", val_len, MAX_VALUE_BYTES)?;
    charge(&mut caller, cost(FUEL_STATE_WRITE, u64::from(key_len) + u64::from(val_len)))?;
    let key = read(&caller, "the key", key_ptr, key_len)?;
    let value = read(&caller, "the value", val_ptr, val_len)?;
    caller.data_mut().host.state_set(&key, &value).map_err(host_failed)
}

fn state_remove(mut caller: Ctx<'_, '_>, key_ptr: i32, key_len: i32) -> HostResult<()> {
    let key_len = length("the key", key_len, MAX_KEY_BYTES)?;
    charge(&mut caller, cost(FUEL_STATE_WRITE, u64::from(key_len)))?;
    let key = read(&caller, "the key", key_ptr, key_len)?;
    caller.data_mut().host.state_remove(&key).map_err(host_failed)
}

fn public_get(mut caller: Ctx<'_, '_>, key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> HostResult<i64> {
    let key_len = length("the key", key_len, MAX_KEY_BYTES)?;
    charge(&mut caller, cost(FUEL_STATE_READ, u64::from(key_len)))?;
    let key = read(&caller, "the key", key_ptr, key_len)?;
    let out_cap = out_cap as u32;
    check(&caller, "the output buffer", out_ptr, out_cap)?;
    match caller.data_mut().host.public_get(&key).map_err(host_failed)? {
        PublicRead::Value(value) => answer(&mut caller, &value, out_ptr, out_cap),
        PublicRead::Absent => Ok(-1),
        PublicRead::Refused => Ok(-2),
    }
}

fn sender(mut caller: Ctx<'_, '_>, out_ptr: i32) -> HostResult<()> {
    charge(&mut caller, cost(0, SENDER_BYTES as u64))?;
    check(&caller, "the sender buffer", out_ptr, SENDER_BYTES as u32)?;
    let sender = caller.data_mut().host.sender().map_err(host_failed)?;
    write(&mut caller, "the sender buffer", out_ptr, &sender)
}

fn has_role(mut caller: Ctx<'_, '_>, role_ptr: i32, role_len: i32) -> HostResult<i32> {
    let role_len = length("the role", role_len, MAX_ROLE_BYTES)?;
    charge(&mut caller, cost(FUEL_ROLE_CHECK, u64::from(role_len)))?;
    let role = read(&caller, "the role", role_ptr, role_len)?;
    let holds = caller.data_mut().host.has_role(&role).map_err(host_failed)?;
    Ok(i32::from(holds))
}

/// A host's `u64` as the ABI's `i64`.
fn to_i64(what: &str, value: u64) -> HostResult<i64> {
    i64::try_from(value).map_err(|_| host_failed(HostError::new(format!("the {what} {value} does not fit an i64"))))
}

fn block_height(mut caller: Ctx<'_, '_>) -> HostResult<i64> {
    charge(&mut caller, cost(0, 0))?;
    let height = caller.data_mut().host.block_height().map_err(host_failed)?;
    to_i64("block height", height)
}

fn block_time_ms(mut caller: Ctx<'_, '_>) -> HostResult<i64> {
    charge(&mut caller, cost(0, 0))?;
    let time = caller.data_mut().host.block_time_ms().map_err(host_failed)?;
    to_i64("block time", time)
}

fn emit_event(mut caller: Ctx<'_, '_>, topic_ptr: i32, topic_len: i32, data_ptr: i32, data_len: i32) -> HostResult<()> {
    let topic_len = length("the event topic", topic_len, MAX_TOPIC_BYTES)?;
    let data_len = length("the event data", data_len, MAX_EVENT_DATA_BYTES)?;
    if caller.data().events >= MAX_EVENTS {
        return Err(trap(
            TrapKind::HostLimit,
            format!("the call emitted {MAX_EVENTS} events already, the most one call may emit"),
        ));
    }
    charge(&mut caller, cost(FUEL_EVENT, u64::from(topic_len) + u64::from(data_len)))?;
    let topic = read(&caller, "the event topic", topic_ptr, topic_len)?;
    let data = read(&caller, "the event data", data_ptr, data_len)?;
    caller.data_mut().events += 1;
    caller.data_mut().host.emit_event(&topic, &data).map_err(host_failed)
}

#[allow(clippy::too_many_arguments)]
fn call_contract(
    mut caller: Ctx<'_, '_>,
    id_ptr: i32,
    id_len: i32,
    in_ptr: i32,
    in_len: i32,
    out_ptr: i32,
    out_cap: i32,
) -> HostResult<i64> {
    let id_len = length("the contract identifier", id_len, MAX_CONTRACT_ID_BYTES)?;
    let in_len = length("the callee's input", in_len, MAX_CALL_INPUT_BYTES)?;
    charge(&mut caller, cost(FUEL_CALL_CONTRACT, u64::from(id_len) + u64::from(in_len)))?;
    let contract = read(&caller, "the contract identifier", id_ptr, id_len)?;
    let input = read(&caller, "the callee's input", in_ptr, in_len)?;
    let out_cap = out_cap as u32;
    check(&caller, "the output buffer", out_ptr, out_cap)?;
    let depth = caller.data().depth;
    if depth >= MAX_CALL_DEPTH {
        return Ok(-3);
    }
    let fuel = caller.get_fuel()?;
    let call = NestedCall { contract: &contract, input: &input, fuel, depth: depth + 1 };
    let answer_of = caller.data_mut().host.call_contract(call).map_err(host_failed)?;
    match answer_of {
        CallReturn::Returned { output, fuel_used } => {
            charge(&mut caller, fuel_used.min(fuel))?;
            answer(&mut caller, &output, out_ptr, out_cap)
        }
        CallReturn::Failed { fuel_used } => {
            charge(&mut caller, fuel_used.min(fuel))?;
            Ok(-1)
        }
        CallReturn::Refused => Ok(-2),
    }
}

fn submit_native(mut caller: Ctx<'_, '_>, call_ptr: i32, call_len: i32) -> HostResult<i32> {
    let call_len = length("the native call", call_len, MAX_NATIVE_CALL_BYTES)?;
    charge(&mut caller, cost(FUEL_SUBMIT_NATIVE, u64::from(call_len)))?;
    let call = read(&caller, "the native call", call_ptr, call_len)?;
    caller.data_mut().host.submit_native(&call).map_err(host_failed)
}

fn abort(mut caller: Ctx<'_, '_>, msg_ptr: i32, msg_len: i32) -> HostResult<()> {
    let msg_len = length("the abort message", msg_len, MAX_ABORT_MESSAGE_BYTES)?;
    charge(&mut caller, cost(0, u64::from(msg_len)))?;
    let message = read(&caller, "the abort message", msg_ptr, msg_len)?;
    let message = String::from_utf8(message)
        .map_err(|error| trap(TrapKind::HostInvalidArgument, format!("the abort message is not UTF-8: {error}")))?;
    Err(stop(Error::Aborted { message }))
}

/// The host function `name` of host API v1 in `store`, or `None` when the API has no such function.
pub(crate) fn host_func(store: &mut Store<Env<'_>>, name: &str) -> Option<Func> {
    Some(match name {
        "input_len" => Func::wrap(store, input_len),
        "input_read" => Func::wrap(store, input_read),
        "output_write" => Func::wrap(store, output_write),
        "state_get" => Func::wrap(store, state_get),
        "state_set" => Func::wrap(store, state_set),
        "state_remove" => Func::wrap(store, state_remove),
        "public_get" => Func::wrap(store, public_get),
        "sender" => Func::wrap(store, sender),
        "has_role" => Func::wrap(store, has_role),
        "block_height" => Func::wrap(store, block_height),
        "block_time_ms" => Func::wrap(store, block_time_ms),
        "emit_event" => Func::wrap(store, emit_event),
        "call_contract" => Func::wrap(store, call_contract),
        "submit_native" => Func::wrap(store, submit_native),
        "abort" => Func::wrap(store, abort),
        _ => return None,
    })
}

//! An in-memory host for a contract's native tests (feature `mock-host`): the imports of [`sys`] served from
//! a [`MockHost`] per thread, so that a contract's rules run under `cargo test` without a wasm32 target.
//!
//! ```ignore
//! let mut host = MockHost::default();
//! host.input = vec![1, 2, 3];
//! let (answer, host) = mock::run(host, my_contract::call);
//! assert_eq!(answer, Ok(0));
//! ```
//!
//! The mock follows docs/contracts.md's answers (-1 absent, -2 refused, values written only when they fit)
//! but not its limits or fuel: those are the runtime's, tested with the compiled module.

use core::cell::RefCell;
use std::boxed::Box;
use std::collections::{BTreeMap, BTreeSet};
use std::string::{String, ToString};
use std::vec::Vec;

/// One host call the mock served, in order (input, output and abort are not logged).
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
    /// `call_contract` of a contract with an input (the mock refuses every nested call).
    CallContract(Vec<u8>, Vec<u8>),
    /// `submit_native` of a call.
    SubmitNative(Vec<u8>),
}

/// The host a contract's calls see on this thread.
#[derive(Clone, Debug, Default)]
pub struct MockHost {
    /// The call's input.
    pub input: Vec<u8>,
    /// The call's output so far.
    pub output: Vec<u8>,
    /// The contract's own state.
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Other modules' public state.
    pub public: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys `public_get` refuses.
    pub refused: BTreeSet<Vec<u8>>,
    /// The sender.
    pub sender: [u8; 20],
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
    /// Every host call served, in order.
    pub log: Vec<Effect>,
}

std::thread_local! {
    static HOST: RefCell<MockHost> = RefCell::new(MockHost::default());
}

/// The panic payload of a contract's `abort`.
#[derive(Debug)]
struct Aborted(String);

/// Runs `call` on `host`: the status, or the abort message (a contract's own panic reads `panic`), and the
/// host as the call left it.
///
/// Pass the contract's entry as a Rust function, not its `extern "C" fn call`: an abort unwinds, and
/// unwinding out of an `extern "C"` function stops the process.
pub fn run(host: MockHost, call: fn() -> i32) -> (Result<i32, String>, MockHost) {
    HOST.with(|cell| *cell.borrow_mut() = host);
    let answer = std::panic::catch_unwind(call).map_err(|payload: Box<dyn core::any::Any + Send>| {
        match payload.downcast::<Aborted>() {
            Ok(aborted) => aborted.0,
            Err(_) => "panic".to_string(),
        }
    });
    (answer, HOST.with(|cell| core::mem::take(&mut *cell.borrow_mut())))
}

fn with<R>(f: impl FnOnce(&mut MockHost) -> R) -> R {
    HOST.with(|cell| f(&mut cell.borrow_mut()))
}

/// The bytes at `ptr .. ptr + len` of the contract's (the process's) memory.
///
/// # Safety
///
/// The region must be readable: the SDK's wrappers pass live slices.
unsafe fn bytes(ptr: *const u8, len: usize) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    core::slice::from_raw_parts(ptr, len).to_vec()
}

/// Writes `value` at `out` when it fits in `cap`, and answers its length.
///
/// # Safety
///
/// `out .. out + cap` must be writable.
unsafe fn answer_value(value: Option<&Vec<u8>>, out: *mut u8, cap: usize) -> i64 {
    match value {
        None => -1,
        Some(value) => {
            if value.len() <= cap && !value.is_empty() {
                core::ptr::copy_nonoverlapping(value.as_ptr(), out, value.len());
            }
            value.len() as i64
        }
    }
}

/// The imports of [`crate::sys`], with the same names and signatures, served by the thread's [`MockHost`].
#[allow(clippy::missing_safety_doc)]
pub mod sys {
    use super::{answer_value, bytes, with, Aborted, Effect};

    /// The length of the call's input.
    pub unsafe fn input_len() -> i32 {
        with(|host| host.input.len() as i32)
    }

    /// Writes the whole input at `ptr`.
    pub unsafe fn input_read(ptr: *mut u8) {
        with(|host| {
            if !host.input.is_empty() {
                core::ptr::copy_nonoverlapping(host.input.as_ptr(), ptr, host.input.len())
            }
        })
    }

    /// Sets the call's output.
    pub unsafe fn output_write(ptr: *const u8, len: usize) {
        let output = bytes(ptr, len);
        with(|host| host.output = output)
    }

    /// Reads a key of the contract's own state.
    pub unsafe fn state_get(key: *const u8, key_len: usize, out: *mut u8, out_cap: usize) -> i64 {
        let key = bytes(key, key_len);
        with(|host| {
            host.log.push(Effect::StateGet(key.clone()));
            answer_value(host.state.get(&key), out, out_cap)
        })
    }

    /// Writes a key of the contract's own state.
    pub unsafe fn state_set(key: *const u8, key_len: usize, val: *const u8, val_len: usize) {
        let (key, value) = (bytes(key, key_len), bytes(val, val_len));
        with(|host| {
            host.log.push(Effect::StateSet(key.clone(), value.clone()));
            host.state.insert(key, value);
        })
    }

    /// Removes a key of the contract's own state.
    pub unsafe fn state_remove(key: *const u8, key_len: usize) {
        let key = bytes(key, key_len);
        with(|host| {
            host.log.push(Effect::StateRemove(key.clone()));
            host.state.remove(&key);
        })
    }

    /// Reads other modules' public state.
    pub unsafe fn public_get(key: *const u8, key_len: usize, out: *mut u8, out_cap: usize) -> i64 {
        let key = bytes(key, key_len);
        with(|host| {
            host.log.push(Effect::PublicGet(key.clone()));
            if host.refused.contains(&key) {
                return -2;
            }
            answer_value(host.public.get(&key), out, out_cap)
        })
    }

    /// Writes the sender.
    pub unsafe fn sender(out: *mut u8) {
        with(|host| {
            host.log.push(Effect::Sender);
            core::ptr::copy_nonoverlapping(host.sender.as_ptr(), out, host.sender.len());
        })
    }

    /// Whether the sender holds the role.
    pub unsafe fn has_role(role: *const u8, role_len: usize) -> i32 {
        let role = bytes(role, role_len);
        with(|host| {
            host.log.push(Effect::HasRole(role.clone()));
            i32::from(host.roles.contains(&role))
        })
    }

    /// The block height.
    pub unsafe fn block_height() -> i64 {
        with(|host| {
            host.log.push(Effect::BlockHeight);
            host.height as i64
        })
    }

    /// The block time.
    pub unsafe fn block_time_ms() -> i64 {
        with(|host| {
            host.log.push(Effect::BlockTime);
            host.time_ms as i64
        })
    }

    /// Records an event.
    pub unsafe fn emit_event(topic: *const u8, topic_len: usize, data: *const u8, data_len: usize) {
        let (topic, data) = (bytes(topic, topic_len), bytes(data, data_len));
        with(|host| {
            host.log.push(Effect::Event(topic.clone(), data.clone()));
            host.events.push((topic, data));
        })
    }

    /// Refuses every nested call (-2): the mock runs one contract.
    pub unsafe fn call_contract(
        id: *const u8,
        id_len: usize,
        input: *const u8,
        input_len: usize,
        _out: *mut u8,
        _out_cap: usize,
    ) -> i64 {
        let (id, input) = (bytes(id, id_len), bytes(input, input_len));
        with(|host| host.log.push(Effect::CallContract(id, input)));
        -2
    }

    /// Records a native call and answers the host's configured code.
    pub unsafe fn submit_native(call: *const u8, call_len: usize) -> i32 {
        let call = bytes(call, call_len);
        with(|host| {
            host.log.push(Effect::SubmitNative(call.clone()));
            host.native_calls.push(call);
            host.native_result
        })
    }

    /// Ends the call: unwinds to [`super::run`] with the message.
    pub unsafe fn abort(msg: *const u8, msg_len: usize) {
        let message = std::string::String::from_utf8_lossy(&bytes(msg, msg_len)).into_owned();
        std::panic::panic_any(Aborted(message))
    }
}

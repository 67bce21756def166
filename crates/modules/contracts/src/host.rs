//! The ledger's [`publica_wasm::Host`]: a contract's effects, buffered until its call succeeds.
//!
//! Every write and event of a call goes to a [`Buffer`], never to the state: reads see the buffer first, then the
//! state. When the outermost call returns status 0 the module applies the buffer ([`Buffer::apply`]); on any
//! failure (a non-zero status, a trap, an abort, running out of fuel) it drops it, so a failed call changes nothing
//! but the fuel accounting.
//!
//! A nested call (`call_contract`, by instance name) runs on a copy of the caller's buffer: when the callee
//! succeeds the copy replaces the caller's buffer (its writes and events merged), when it fails the copy is
//! dropped and the caller goes on as if the callee had never written. The callee's sender is the calling
//! instance's account ([`contract_address`]); its roles are the roles governance granted to the calling
//! instance. A frozen or unknown callee is refused (-2 to the caller); the depth limit is the runtime's.
//!
//! A native call (`submit_native`) runs the named module's own execution, through [`NativeCalls`], on a view of
//! the state that reads through the buffer and writes into it: its effects are kept or dropped with the
//! contract's. It acts as the instance's account, an official of the instance's agency holding exactly the roles
//! governance granted to the instance; an instance without roles is answered 4225.

use publica_accounts::schema::{account_key, AccountKind, AccountRecord};
use publica_types::{
    codec, sha256, Address, CallContext, Overlay, PublicKeyBytes, StateRead, StateWrite, TxError, Writes,
};
use publica_wasm::limits::SENDER_BYTES;
use publica_wasm::{CallReturn, Engine, Host, HostError, NestedCall, PublicRead};

use crate::error;
use crate::schema::{self, Event, Instance};

/// The most native calls one transaction's call may submit, nested calls included.
pub const MAX_NATIVE_CALLS: u32 = 16;

/// The node's execution of native module calls on a contract's behalf. The contracts module cannot name the
/// other modules' calls (the transaction types depend on it), so the node's dispatcher implements this.
pub trait NativeCalls {
    /// Execute the borsh-encoded transaction call `call` on `state` as `ctx.sender`: its module's own checks and
    /// writes, exactly as for a transaction. A refusal when the call is malformed, is not one contracts may
    /// submit, or is refused by its module; `state` may then hold partial writes, which the caller drops.
    fn submit(&self, state: &mut dyn StateWrite, ctx: &CallContext, call: &[u8]) -> Result<(), TxError>;
}

/// No native calls at all: every `submit_native` is answered 4225. For hosts outside block execution.
pub struct NoNativeCalls;

impl NativeCalls for NoNativeCalls {
    fn submit(&self, _state: &mut dyn StateWrite, _ctx: &CallContext, _call: &[u8]) -> Result<(), TxError> {
        Err(TxError::new(error::NATIVE_CALLS_UNAVAILABLE, "native calls are not available here"))
    }
}

/// The state a native call sees: the contract's buffered writes over the block's state, and the contract's
/// account as an official of its agency. Its writes go to the overlay.
struct NativeView<'s> {
    overlay: Overlay<'s>,
    account_key: Vec<u8>,
    account: Vec<u8>,
}

impl StateRead for NativeView<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if key == self.account_key.as_slice() {
            return Some(self.account.clone());
        }
        self.overlay.get(key)
    }
}

impl StateWrite for NativeView<'_> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.overlay.put(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.overlay.delete(key);
    }
}

/// The account a contract acts as in its native calls: an official of the instance's agency holding the roles
/// governance granted, with no key (all zero bytes, which no signature verifies against), never stored.
pub fn contract_account(instance: &Instance) -> AccountRecord {
    AccountRecord {
        address: contract_address(instance.id),
        public_key: PublicKeyBytes::from_raw([0; publica_crypto::PUBLIC_KEY_LEN]),
        kind: AccountKind::Official { agency: instance.agency.clone(), roles: instance.roles.clone() },
        active: !instance.frozen,
        created_at_height: instance.deployed_at_height,
        registered_by: None,
    }
}

/// Domain tag of a contract's account address.
pub const CONTRACT_ADDRESS_TAG: &[u8] = b"publica/contract-address/v1";

/// The account a contract acts as: the first 20 bytes of `SHA-256(tag || id as u64 big-endian)`. An account's
/// address is the start of a SHA-256 of its public key, so no key can be made to have a contract's address
/// without a preimage search.
pub fn contract_address(id: u64) -> Address {
    let mut preimage = CONTRACT_ADDRESS_TAG.to_vec();
    preimage.extend_from_slice(&id.to_be_bytes());
    let digest = sha256(&preimage);
    let mut raw = [0u8; SENDER_BYTES];
    raw.copy_from_slice(&digest[..SENDER_BYTES]);
    Address(raw)
}

/// The writes and events of a call and of the nested calls it kept.
#[derive(Clone, Debug, Default)]
pub struct Buffer {
    /// State keys (already in the module's namespace) and their new values, `None` for a removal.
    writes: Writes,
    /// Events in the order emitted: the emitting instance, the topic and the data.
    events: Vec<(u64, Vec<u8>, Vec<u8>)>,
}

impl Buffer {
    /// The value of `key` as the call sees it: the buffer's, else the state's.
    fn get(&self, state: &dyn StateRead, key: &[u8]) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(value) => value.clone(),
            None => state.get(key),
        }
    }

    /// How many events the buffer holds.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Writes the buffer into the state: every write, then every event under its instance's next number.
    pub fn apply(self, state: &mut dyn StateWrite, ctx: &CallContext) {
        for (key, value) in self.writes {
            match value {
                Some(value) => state.put(key, value),
                None => state.delete(key),
            }
        }
        for (instance, topic, data) in self.events {
            let seq = schema::get_u64(state, &schema::event_count_key(instance));
            let event = Event { topic, data, height: ctx.height, tx_id: ctx.tx_id };
            schema::put(state, schema::event_key(instance, seq), &event);
            schema::put_u64(state, schema::event_count_key(instance), seq + 1);
        }
    }
}

/// The host of one call (or nested call) of one instance.
pub struct LedgerHost<'a> {
    state: &'a dyn StateRead,
    ctx: &'a CallContext,
    engine: &'a Engine,
    native: &'a dyn NativeCalls,
    /// Native calls submitted so far in the transaction's call, nested calls included.
    native_calls: u32,
    instance: Instance,
    sender: Address,
    /// The calling instance, when the sender is a contract: its granted roles answer `has_role`.
    calling: Option<Instance>,
    buffer: Buffer,
}

impl<'a> LedgerHost<'a> {
    /// The host of a transaction's call of `instance` by the transaction's sender.
    pub fn new(
        state: &'a dyn StateRead,
        ctx: &'a CallContext,
        engine: &'a Engine,
        native: &'a dyn NativeCalls,
        instance: Instance,
    ) -> Self {
        LedgerHost {
            state,
            ctx,
            engine,
            native,
            native_calls: 0,
            instance,
            sender: ctx.sender,
            calling: None,
            buffer: Buffer::default(),
        }
    }

    /// The call's buffered effects, to apply when it succeeded.
    pub fn into_buffer(self) -> Buffer {
        self.buffer
    }

    /// The instance a nested call names, if it may run: it exists and is not frozen.
    fn callee(&self, name: &[u8]) -> Option<Instance> {
        let name = std::str::from_utf8(name).ok()?;
        if crate::tx::check_name(name).is_err() {
            return None;
        }
        let id = schema::get_u64_opt(self.state, &schema::name_key(name))?;
        let instance: Instance = schema::get(self.state, &schema::instance_key(id))?;
        (!instance.frozen).then_some(instance)
    }
}

impl Host for LedgerHost<'_> {
    fn state_get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self.buffer.get(self.state, &schema::state_key(self.instance.id, key)))
    }

    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.buffer.writes.insert(schema::state_key(self.instance.id, key), Some(value.to_vec()));
        Ok(())
    }

    fn state_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.buffer.writes.insert(schema::state_key(self.instance.id, key), None);
        Ok(())
    }

    fn public_get(&mut self, key: &[u8]) -> Result<PublicRead, HostError> {
        Ok(crate::views::read(self.state, self.ctx.time_ms, key))
    }

    fn sender(&mut self) -> Result<[u8; SENDER_BYTES], HostError> {
        Ok(self.sender.0)
    }

    fn has_role(&mut self, role: &[u8]) -> Result<bool, HostError> {
        let Ok(role) = std::str::from_utf8(role) else { return Ok(false) };
        Ok(match &self.calling {
            // The calling instance's granted roles, while its agency may still grant them (as for an official).
            Some(caller) => {
                caller.roles.iter().any(|r| r.as_str() == role)
                    && publica_accounts::query::agency_grants(self.state, &caller.agency, role)
            }
            None => publica_accounts::require_role(self.state, &self.sender, role).is_ok(),
        })
    }

    fn block_height(&mut self) -> Result<u64, HostError> {
        Ok(self.ctx.height)
    }

    fn block_time_ms(&mut self) -> Result<u64, HostError> {
        Ok(self.ctx.time_ms)
    }

    fn emit_event(&mut self, topic: &[u8], data: &[u8]) -> Result<(), HostError> {
        self.buffer.events.push((self.instance.id, topic.to_vec(), data.to_vec()));
        Ok(())
    }

    fn call_contract(&mut self, call: NestedCall<'_>) -> Result<CallReturn, HostError> {
        let Some(callee) = self.callee(call.contract) else { return Ok(CallReturn::Refused) };
        let Some(record) = schema::get::<schema::CodeRecord>(self.state, &schema::code_key(&callee.code_hash)) else {
            return Ok(CallReturn::Refused);
        };
        let Ok(contract) = self.engine.compile(&record.code) else { return Ok(CallReturn::Refused) };
        // The callee may use what its caller has left, and never more than its own per-call limit.
        let fuel = call.fuel.min(callee.fuel_per_call);
        let mut host = LedgerHost {
            state: self.state,
            ctx: self.ctx,
            engine: self.engine,
            native: self.native,
            native_calls: self.native_calls,
            sender: contract_address(self.instance.id),
            calling: Some(self.instance.clone()),
            instance: callee,
            buffer: self.buffer.clone(),
        };
        let result = self.engine.run_nested(&contract, &mut host, call.input, fuel, call.depth);
        // The callee's native calls count whether it succeeded or not: their work was done.
        self.native_calls = host.native_calls;
        Ok(match result {
            Ok(outcome) if outcome.status == 0 => {
                self.buffer = host.buffer;
                CallReturn::Returned { output: outcome.output, fuel_used: outcome.fuel_used }
            }
            Ok(outcome) => CallReturn::Failed { fuel_used: outcome.fuel_used },
            Err(failure) => CallReturn::Failed { fuel_used: failure.fuel_used },
        })
    }

    fn submit_native(&mut self, call: &[u8]) -> Result<i32, HostError> {
        let answer = |code: publica_types::Code| i32::from(code.number());
        if self.instance.roles.is_empty() {
            return Ok(answer(error::NATIVE_CALLS_UNAVAILABLE));
        }
        if self.native_calls >= MAX_NATIVE_CALLS {
            return Ok(answer(error::NATIVE_CALL_LIMIT));
        }
        self.native_calls += 1;
        let account = contract_account(&self.instance);
        let ctx = CallContext { sender: account.address, ..self.ctx.clone() };
        let mut view = NativeView {
            overlay: Overlay::with_writes(self.state, self.buffer.writes.clone()),
            account_key: account_key(&account.address),
            account: codec::encode(&account),
        };
        Ok(match self.native.submit(&mut view, &ctx, call) {
            // The contract's account is presented, never stored: a call that would write it is refused.
            Ok(()) if view.overlay.writes().contains_key(&view.account_key) => answer(error::NATIVE_CALL_NOT_PERMITTED),
            Ok(()) => {
                self.buffer.writes = view.overlay.into_writes();
                0
            }
            Err(refusal) => answer(refusal.code),
        })
    }
}

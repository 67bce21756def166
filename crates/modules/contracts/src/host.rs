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

use std::collections::BTreeMap;

use publica_types::{sha256, Address, CallContext, StateRead, StateWrite};
use publica_wasm::limits::SENDER_BYTES;
use publica_wasm::{CallReturn, Engine, Host, HostError, NestedCall, PublicRead};

use crate::schema::{self, Event, Instance};

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
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
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
    instance: Instance,
    sender: Address,
    /// The calling instance, when the sender is a contract: its granted roles answer `has_role`.
    calling: Option<Instance>,
    buffer: Buffer,
}

impl<'a> LedgerHost<'a> {
    /// The host of a transaction's call of `instance` by the transaction's sender.
    pub fn new(state: &'a dyn StateRead, ctx: &'a CallContext, engine: &'a Engine, instance: Instance) -> Self {
        LedgerHost { state, ctx, engine, instance, sender: ctx.sender, calling: None, buffer: Buffer::default() }
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
            Some(caller) => caller.roles.iter().any(|r| r.as_str() == role),
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
            sender: contract_address(self.instance.id),
            calling: Some(self.instance.clone()),
            instance: callee,
            buffer: self.buffer.clone(),
        };
        Ok(match self.engine.run_nested(&contract, &mut host, call.input, fuel, call.depth) {
            Ok(outcome) if outcome.status == 0 => {
                self.buffer = host.buffer;
                CallReturn::Returned { output: outcome.output, fuel_used: outcome.fuel_used }
            }
            Ok(outcome) => CallReturn::Failed { fuel_used: outcome.fuel_used },
            Err(failure) => CallReturn::Failed { fuel_used: failure.fuel_used },
        })
    }

    fn submit_native(&mut self, _call: &[u8]) -> Result<i32, HostError> {
        // Native calls on a contract's behalf are not available yet: no instance holds native roles the ledger
        // would act on, and the contract is told so by a stable code it can test for.
        Ok(i32::from(crate::error::NATIVE_CALLS_UNAVAILABLE.number()))
    }
}

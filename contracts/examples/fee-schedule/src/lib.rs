//! Fee schedule: the fee of a public service computed from a table the owning agency keeps in state.
//!
//! Input, one of two forms (little-endian integers, no trailing bytes):
//!
//! | form | bytes | who |
//! |---|---|---|
//! | quote | `0x01`, service code `u32`, quantity `u32` | anyone |
//! | set | `0x02`, service code `u32`, base fee `u64`, unit fee `u64` | a sender holding `fee-setter` |
//!
//! A quote answers status 0 with the fee, `base + unit × quantity`, as a `u64` in the output. A set writes
//! the state key `fee/` followed by the service code's 4 bytes to the base and unit fees (16 bytes) and emits
//! `fee-set` with the 20 bytes after the form byte. Integer arithmetic only; a fee above `u64::MAX` is refused.
//!
//! A refusal returns its status, sets the output to its name and emits `refused` with the name: 1
//! `malformed_input`, 2 `fee_not_set` (no entry for the service), 3 `not_authorised` (a set without the
//! role), 4 `fee_overflow`. A table entry that is not 16 bytes aborts the call: only this contract writes it.
//!
//! The shipped `fee-schedule.wasm` is assembled from `example.wat`, written by hand to do exactly what this
//! source does, host call for host call (see contracts/README.md); `tests/matches_shipped_module.rs` runs
//! both on the same calls and requires the same answers.

#![no_std]

use publica_contract_sdk::{self as sdk, Key, Read};

/// The form byte of a quote.
const QUOTE: u8 = 1;
/// The form byte of a table update.
const SET: u8 = 2;
/// The role that may update the table.
const FEE_SETTER: &str = "fee-setter";
/// The prefix of a table entry's key.
const FEE_PREFIX: &[u8] = b"fee/";

/// Why a call was refused; the discriminant is the call's status.
#[derive(Clone, Copy)]
enum Refusal {
    MalformedInput = 1,
    FeeNotSet = 2,
    NotAuthorised = 3,
    FeeOverflow = 4,
}

impl Refusal {
    fn name(self) -> &'static str {
        match self {
            Refusal::MalformedInput => "malformed_input",
            Refusal::FeeNotSet => "fee_not_set",
            Refusal::NotAuthorised => "not_authorised",
            Refusal::FeeOverflow => "fee_overflow",
        }
    }
}

/// The contract's entry, exported as `call`.
#[no_mangle]
pub extern "C" fn call() -> i32 {
    entry()
}

/// The entry as a Rust function: what `call` does, callable by native tests (an abort on the SDK's mock
/// host unwinds, which must not cross an `extern "C"` function).
pub fn entry() -> i32 {
    match run() {
        Ok(()) => 0,
        Err(refusal) => {
            sdk::output(refusal.name().as_bytes());
            sdk::emit_event("refused", refusal.name().as_bytes());
            refusal as i32
        }
    }
}

fn run() -> Result<(), Refusal> {
    let mut buf = [0u8; 32];
    let input = sdk::input(&mut buf).ok_or(Refusal::MalformedInput)?;
    match input {
        [QUOTE, rest @ ..] if rest.len() == 8 => quote(rest),
        [SET, rest @ ..] if rest.len() == 20 => set(rest),
        _ => Err(Refusal::MalformedInput),
    }
}

fn entry_key(service: &[u8]) -> Key {
    let mut key = Key::new();
    key.push(FEE_PREFIX).push(service);
    key
}

fn quote(body: &[u8]) -> Result<(), Refusal> {
    let quantity = sdk::le_u32(body, 4).ok_or(Refusal::MalformedInput)?;
    let key = entry_key(&body[..4]);
    let mut entry = [0u8; 16];
    match sdk::state_get(key.get().unwrap_or_default(), &mut entry) {
        Read::Found(16) => {}
        Read::Absent => return Err(Refusal::FeeNotSet),
        _ => sdk::abort("the fee table entry is not 16 bytes: the table is corrupt"),
    }
    let base = sdk::le_u64(&entry, 0).unwrap_or_default();
    let unit = sdk::le_u64(&entry, 8).unwrap_or_default();
    let fee = unit.checked_mul(u64::from(quantity)).and_then(|total| total.checked_add(base));
    let fee = fee.ok_or(Refusal::FeeOverflow)?;
    sdk::output(&fee.to_le_bytes());
    Ok(())
}

fn set(body: &[u8]) -> Result<(), Refusal> {
    if !sdk::has_role(FEE_SETTER) {
        return Err(Refusal::NotAuthorised);
    }
    let key = entry_key(&body[..4]);
    sdk::state_set(key.get().unwrap_or_default(), &body[4..]);
    sdk::emit_event("fee-set", body);
    Ok(())
}

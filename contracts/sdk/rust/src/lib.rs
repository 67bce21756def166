//! Write Publica contracts in Rust: host API v1 (module `publica_v1`, docs/contracts.md) for `wasm32`.
//!
//! A contract is a `cdylib` built for `wasm32-unknown-unknown` (or `wasm32v1-none`) that exports
//! `call() -> i32` and uses no floating point:
//!
//! ```ignore
//! #![no_std]
//! use publica_contract_sdk as sdk;
//!
//! #[no_mangle]
//! pub extern "C" fn call() -> i32 {
//!     sdk::output(b"hello");
//!     0
//! }
//! ```
//!
//! [`sys`] holds the raw imports; the functions at the crate's root wrap them with slices and never let the
//! host write past a buffer: a read into a buffer that is too small answers [`Read::TooLarge`] with the length
//! it would need. [`views`] reads the public views the ledger serves to contracts (permits, companies,
//! accounts, budget lines), with their key strings and encodings in one place.
//!
//! With the default feature `panic-handler` the crate defines the contract's panic handler: a panic aborts
//! the call with the message `panic` (formatting the panic's own message would pull in code a contract does
//! not need). Turn it off to write your own.
//!
//! With the feature `mock-host` (for a contract's native tests, with `std`) the imports are served by an
//! in-memory host per thread, [`mock`], and the panic handler is left to `std`: a contract's rules can then be
//! unit-tested with `cargo test` on the development machine.

#![no_std]

#[cfg(feature = "mock-host")]
extern crate std;

/// The raw imports of module `publica_v1`. Pointers and lengths are wasm32 addresses; prefer the safe
/// wrappers at the crate's root. With the feature `mock-host` they are served by [`mock`] instead.
#[cfg(not(feature = "mock-host"))]
pub mod sys {
    #[link(wasm_import_module = "publica_v1")]
    extern "C" {
        /// The length of the call's input.
        pub fn input_len() -> i32;
        /// Writes the whole input at `ptr`.
        pub fn input_read(ptr: *mut u8);
        /// Sets the call's output (the last write wins).
        pub fn output_write(ptr: *const u8, len: usize);
        /// The value's length, or -1 when absent; written at `out` only when it fits in `out_cap`.
        pub fn state_get(key: *const u8, key_len: usize, out: *mut u8, out_cap: usize) -> i64;
        /// Writes a key of the contract's own namespace.
        pub fn state_set(key: *const u8, key_len: usize, val: *const u8, val_len: usize);
        /// Removes a key of the contract's own namespace.
        pub fn state_remove(key: *const u8, key_len: usize);
        /// As `state_get`, for other modules' public state; -2 when contracts may not read the key.
        pub fn public_get(key: *const u8, key_len: usize, out: *mut u8, out_cap: usize) -> i64;
        /// Writes the transaction's 20-byte sender at `out`.
        pub fn sender(out: *mut u8);
        /// 1 when the sender holds the role, else 0.
        pub fn has_role(role: *const u8, role_len: usize) -> i32;
        /// The height of the block being executed.
        pub fn block_height() -> i64;
        /// The block's time, milliseconds since the Unix epoch.
        pub fn block_time_ms() -> i64;
        /// Records an event.
        pub fn emit_event(topic: *const u8, topic_len: usize, data: *const u8, data_len: usize);
        /// Runs another contract: its output's length, -1 failed, -2 refused, -3 at the depth limit.
        pub fn call_contract(
            id: *const u8,
            id_len: usize,
            input: *const u8,
            input_len: usize,
            out: *mut u8,
            out_cap: usize,
        ) -> i64;
        /// Submits a borsh-encoded native call: 0 when done, the host's refusal code otherwise.
        pub fn submit_native(call: *const u8, call_len: usize) -> i32;
        /// Ends the call as a failure with a UTF-8 message; does not return.
        pub fn abort(msg: *const u8, msg_len: usize);
    }
}

#[cfg(feature = "mock-host")]
pub use mock::sys;

#[cfg(feature = "mock-host")]
pub mod mock;

/// The length of a transaction's sender.
pub const SENDER_BYTES: usize = 20;
/// The longest state key the host accepts.
pub const KEY_MAX_BYTES: usize = 256;

/// The answer to a read into a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// The value was written at the start of the buffer; this is its length.
    Found(usize),
    /// The key is absent.
    Absent,
    /// The value is this long, longer than the buffer; nothing was written.
    TooLarge(usize),
    /// The host does not let contracts read this key (public state only).
    Refused,
}

impl Read {
    fn from_answer(answer: i64, cap: usize) -> Read {
        match answer {
            -1 => Read::Absent,
            n if n < 0 => Read::Refused,
            n if n as u64 > cap as u64 => Read::TooLarge(n as usize),
            n => Read::Found(n as usize),
        }
    }
}

/// What became of a nested contract call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallAnswer {
    /// The callee succeeded; its output, this long, was written at the start of the buffer.
    Returned(usize),
    /// The callee succeeded with an output this long, longer than the buffer; nothing was written.
    TooLarge(usize),
    /// The callee failed; its effects were discarded.
    Failed,
    /// The host refused to run it (no such contract, or not allowed).
    Refused,
    /// The nested call depth limit was reached.
    TooDeep,
}

/// The call's input, read into `buf`: `None` when it is longer than `buf` (nothing is read then).
pub fn input(buf: &mut [u8]) -> Option<&[u8]> {
    // SAFETY: the import takes no arguments.
    let len = unsafe { sys::input_len() } as u32 as usize;
    if len > buf.len() {
        return None;
    }
    // SAFETY: the host writes exactly `len` bytes, which fit in `buf`.
    unsafe { sys::input_read(buf.as_mut_ptr()) };
    Some(&buf[..len])
}

/// Sets the call's output; a later call replaces it. At most 64 KiB.
pub fn output(bytes: &[u8]) {
    // SAFETY: the host reads `bytes.len()` bytes of a live slice.
    unsafe { sys::output_write(bytes.as_ptr(), bytes.len()) }
}

/// Reads a key of the contract's own state into `buf`.
pub fn state_get(key: &[u8], buf: &mut [u8]) -> Read {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    let answer = unsafe { sys::state_get(key.as_ptr(), key.len(), buf.as_mut_ptr(), buf.len()) };
    Read::from_answer(answer, buf.len())
}

/// Whether a key of the contract's own state is present (its value is not copied).
pub fn has_state(key: &[u8]) -> bool {
    !matches!(state_get(key, &mut []), Read::Absent)
}

/// Writes a key of the contract's own state (key at most 256 bytes, value at most 64 KiB).
pub fn state_set(key: &[u8], value: &[u8]) {
    // SAFETY: the host reads two live slices.
    unsafe { sys::state_set(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }
}

/// Removes a key of the contract's own state.
pub fn state_remove(key: &[u8]) {
    // SAFETY: the host reads a live slice.
    unsafe { sys::state_remove(key.as_ptr(), key.len()) }
}

/// Reads another module's public state into `buf`.
pub fn public_get(key: &[u8], buf: &mut [u8]) -> Read {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    let answer = unsafe { sys::public_get(key.as_ptr(), key.len(), buf.as_mut_ptr(), buf.len()) };
    Read::from_answer(answer, buf.len())
}

/// The transaction's sender.
pub fn sender() -> [u8; SENDER_BYTES] {
    let mut out = [0u8; SENDER_BYTES];
    // SAFETY: the host writes exactly 20 bytes.
    unsafe { sys::sender(out.as_mut_ptr()) };
    out
}

/// Whether the sender holds the role (a name of at most 64 bytes).
pub fn has_role(role: &str) -> bool {
    // SAFETY: the host reads a live slice.
    unsafe { sys::has_role(role.as_ptr(), role.len()) == 1 }
}

/// The height of the block being executed.
pub fn block_height() -> u64 {
    // SAFETY: the import takes no arguments.
    unsafe { sys::block_height() as u64 }
}

/// The block's time, milliseconds since the Unix epoch (from its header: the same on every validator).
pub fn block_time_ms() -> u64 {
    // SAFETY: the import takes no arguments.
    unsafe { sys::block_time_ms() as u64 }
}

/// Records an event (topic at most 256 bytes, data at most 16 KiB, 64 events per call).
pub fn emit_event(topic: &str, data: &[u8]) {
    // SAFETY: the host reads two live slices.
    unsafe { sys::emit_event(topic.as_ptr(), topic.len(), data.as_ptr(), data.len()) }
}

/// Runs another contract with `input`; its output is written into `buf` when it fits.
pub fn call_contract(id: &[u8], input: &[u8], buf: &mut [u8]) -> CallAnswer {
    // SAFETY: the host reads two live slices and writes at most `buf.len()` bytes into `buf`.
    let answer =
        unsafe { sys::call_contract(id.as_ptr(), id.len(), input.as_ptr(), input.len(), buf.as_mut_ptr(), buf.len()) };
    match answer {
        -1 => CallAnswer::Failed,
        -2 => CallAnswer::Refused,
        n if n < 0 => CallAnswer::TooDeep,
        n if n as u64 > buf.len() as u64 => CallAnswer::TooLarge(n as usize),
        n => CallAnswer::Returned(n as usize),
    }
}

/// Submits a borsh-encoded native module call with the roles governance granted to the contract: 0 when
/// done, the host's refusal code otherwise.
pub fn submit_native(call: &[u8]) -> i32 {
    // SAFETY: the host reads a live slice.
    unsafe { sys::submit_native(call.as_ptr(), call.len()) }
}

/// Ends the call as a failure with this message (at most 1 KiB); its effects are discarded.
pub fn abort(message: &str) -> ! {
    // SAFETY: the host reads a live slice and does not return.
    unsafe { sys::abort(message.as_ptr(), message.len()) };
    // The host never returns from `abort`; should it, trap rather than run on.
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    // Off wasm32 (checking the crate on a development machine) nothing runs this.
    #[cfg(not(target_arch = "wasm32"))]
    loop {
        core::hint::spin_loop();
    }
}

/// A little-endian `u32` at `at`, if the bytes are there.
pub fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

/// A little-endian `u64` at `at`, if the bytes are there.
pub fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let low = le_u32(bytes, at)?;
    let high = le_u32(bytes, at.checked_add(4)?)?;
    Some(u64::from(low) | (u64::from(high) << 32))
}

/// A state or view key built from parts in a fixed buffer of [`KEY_MAX_BYTES`] (the host's limit).
#[derive(Clone)]
pub struct Key {
    bytes: [u8; KEY_MAX_BYTES],
    len: usize,
    overflowed: bool,
}

impl Default for Key {
    fn default() -> Self {
        Key::new()
    }
}

impl Key {
    /// An empty key.
    pub const fn new() -> Key {
        Key { bytes: [0; KEY_MAX_BYTES], len: 0, overflowed: false }
    }

    /// Appends bytes; a key that outgrows the limit is no longer [`Key::get`]-able.
    pub fn push(&mut self, part: &[u8]) -> &mut Key {
        match self.bytes.get_mut(self.len..self.len + part.len()) {
            Some(slot) if !self.overflowed => {
                slot.copy_from_slice(part);
                self.len += part.len();
            }
            _ => self.overflowed = true,
        }
        self
    }

    /// Appends bytes as lowercase hexadecimal.
    pub fn push_hex(&mut self, part: &[u8]) -> &mut Key {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for byte in part {
            self.push(&[DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 15)]]);
        }
        self
    }

    /// Appends a number in decimal.
    pub fn push_decimal(&mut self, mut value: u64) -> &mut Key {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.push(&digits[start..])
    }

    /// The key's bytes, or `None` when a part did not fit.
    pub fn get(&self) -> Option<&[u8]> {
        (!self.overflowed).then(|| &self.bytes[..self.len])
    }
}

/// The public views the ledger serves to contracts through `public_get`: their keys and encodings.
pub mod views {
    use super::{le_u64, public_get, Key, Read};

    /// The prefix of `permit/{id}`: 1 byte status at the block's time, then `valid_until_ms` as u64 LE.
    pub const PERMIT: &[u8] = b"permit/";
    /// The prefix of `company/{number}`: 1 byte status.
    pub const COMPANY: &[u8] = b"company/";
    /// The prefix of `account/{40 hex chars}`: 1 byte standing.
    pub const ACCOUNT: &[u8] = b"account/";
    /// The prefix of `budget-line/{year}/{code}`: appropriation, allocated, committed, paid, each u64 LE.
    pub const BUDGET_LINE: &[u8] = b"budget-line/";

    /// Why a view could not be used.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ViewError {
        /// The key is absent: the ledger does not know the identifier.
        Absent,
        /// The key is too long, contracts may not read it, or its value does not have the documented size
        /// or a known status.
        Unreadable,
    }

    /// A permit's status at the block's time.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum PermitStatus {
        /// Valid now.
        Valid,
        /// Its validity has not begun.
        NotYetValid,
        /// Its validity has ended.
        Expired,
        /// Suspended.
        Suspended,
        /// Revoked.
        Revoked,
        /// Never issued.
        NotIssued,
    }

    /// The permit view.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Permit {
        /// Its status at the block's time.
        pub status: PermitStatus,
        /// The end of its validity, ms since the Unix epoch.
        pub valid_until_ms: u64,
    }

    /// A company's status in the business register.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum CompanyStatus {
        /// Active.
        Active,
        /// In liquidation.
        InLiquidation,
        /// Dissolved.
        Dissolved,
        /// Not registered.
        NotRegistered,
    }

    /// An account's standing.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum AccountStanding {
        /// An active citizen.
        Citizen,
        /// An active official.
        Official,
        /// An inactive account.
        Inactive,
        /// Unknown to the ledger.
        Unknown,
    }

    /// The budget line view.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct BudgetLine {
        /// The amount the budget law appropriates.
        pub appropriation: u64,
        /// The part allocated.
        pub allocated: u64,
        /// The part committed.
        pub committed: u64,
        /// The part paid.
        pub paid: u64,
    }

    fn read_exact<const N: usize>(key: &Key) -> Result<[u8; N], ViewError> {
        let key = key.get().ok_or(ViewError::Unreadable)?;
        let mut value = [0u8; N];
        match public_get(key, &mut value) {
            Read::Found(len) if len == N => Ok(value),
            Read::Absent => Err(ViewError::Absent),
            _ => Err(ViewError::Unreadable),
        }
    }

    /// Reads `permit/{id}`.
    pub fn permit(id: &[u8]) -> Result<Permit, ViewError> {
        let value: [u8; 9] = read_exact(Key::new().push(PERMIT).push(id))?;
        let status = match value[0] {
            0 => PermitStatus::Valid,
            1 => PermitStatus::NotYetValid,
            2 => PermitStatus::Expired,
            3 => PermitStatus::Suspended,
            4 => PermitStatus::Revoked,
            5 => PermitStatus::NotIssued,
            _ => return Err(ViewError::Unreadable),
        };
        Ok(Permit { status, valid_until_ms: le_u64(&value, 1).ok_or(ViewError::Unreadable)? })
    }

    /// Reads `company/{number}`.
    pub fn company(number: &[u8]) -> Result<CompanyStatus, ViewError> {
        let value: [u8; 1] = read_exact(Key::new().push(COMPANY).push(number))?;
        match value[0] {
            0 => Ok(CompanyStatus::Active),
            1 => Ok(CompanyStatus::InLiquidation),
            2 => Ok(CompanyStatus::Dissolved),
            5 => Ok(CompanyStatus::NotRegistered),
            _ => Err(ViewError::Unreadable),
        }
    }

    /// Reads `account/{40 hex}` of a 20-byte account.
    pub fn account(account: &[u8; 20]) -> Result<AccountStanding, ViewError> {
        let value: [u8; 1] = read_exact(Key::new().push(ACCOUNT).push_hex(account))?;
        match value[0] {
            0 => Ok(AccountStanding::Citizen),
            1 => Ok(AccountStanding::Official),
            2 => Ok(AccountStanding::Inactive),
            5 => Ok(AccountStanding::Unknown),
            _ => Err(ViewError::Unreadable),
        }
    }

    /// Reads `budget-line/{year}/{code}`.
    pub fn budget_line(year: u32, code: &[u8]) -> Result<BudgetLine, ViewError> {
        let value: [u8; 32] =
            read_exact(Key::new().push(BUDGET_LINE).push_decimal(u64::from(year)).push(b"/").push(code))?;
        let amount = |at| le_u64(&value, at).ok_or(ViewError::Unreadable);
        Ok(BudgetLine { appropriation: amount(0)?, allocated: amount(8)?, committed: amount(16)?, paid: amount(24)? })
    }
}

#[cfg(all(feature = "panic-handler", not(feature = "mock-host"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    abort("panic")
}

//! The native calls contracts may submit (`submit_native`): a canonically encoded transaction call of a module
//! whose calls are an agency's ordinary work, executed by that module exactly as in a transaction, as the
//! contract's account.

use publica_contracts::error;
use publica_contracts::host::NativeCalls;
use publica_tx::Call;
use publica_types::{codec, CallContext, StateWrite, TxError};

/// The dispatcher block execution gives the contracts module (also what a benchmark runs a contract's native
/// calls with outside a block).
pub struct ContractNativeCalls;

impl NativeCalls for ContractNativeCalls {
    fn submit(&self, state: &mut dyn StateWrite, ctx: &CallContext, call: &[u8]) -> Result<(), TxError> {
        // The runtime bounds the call's length (64 KiB) before the host sees it.
        let call: Call = codec::decode_canonical("native call", call, call.len())
            .map_err(|e| TxError::new(error::NATIVE_CALL_MALFORMED, e.to_string()))?;
        // Registries, identity, public money and procurement: what an agency's rules act on. Not accounts
        // (officials and roles), governance (votes), elections (ballots), personal data (every access is a person's
        // decision with its purpose), the notary (its log is appended outside the state) or contracts (calls
        // between contracts go through `call_contract`, bounded in depth).
        match &call {
            Call::Registry(call) => publica_registry::execute(state, ctx, call).map(drop),
            Call::Identity(call) => publica_identity::execute(state, ctx, call).map(drop),
            Call::Finance(call) => publica_finance::execute(state, ctx, call).map(drop),
            Call::Procurement(call) => publica_procurement::execute(state, ctx, call).map(drop),
            other => Err(TxError::new(
                error::NATIVE_CALL_NOT_PERMITTED,
                format!("contracts may not submit {} calls", other.module()),
            )),
        }
    }
}

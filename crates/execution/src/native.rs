//! The native calls contracts may submit (`submit_native`): a canonically encoded transaction call, one of a short
//! list of calls an agency's rule automates, executed by its module exactly as in a transaction, as the
//! contract's account.
//!
//! The list is of calls that act on public records and name no account as a party: a contract's account is
//! presented to the module as an official only during the call, so a call that names a party (a permit's holder,
//! a company's director, a key holder) could name the contract itself and give it powers no vote granted; and
//! whatever a contract sends comes from its input or state, both public, so no private call (a wallet, a transfer,
//! a welfare claim) may be made this way.

use publica_contracts::error;
use publica_contracts::host::NativeCalls;
use publica_finance::call::FinanceCall;
use publica_registry::call::RegistryCall;
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
        match &call {
            // Budget execution: allocations, commitments and payments against them, all public; their parties are
            // agencies and companies, never accounts.
            Call::Finance(
                finance @ (FinanceCall::Allocate { .. } | FinanceCall::CommitFunds { .. } | FinanceCall::Pay { .. }),
            ) => publica_finance::execute(state, ctx, finance).map(drop),
            // A permit's life after its issue: renewed, suspended, reinstated or revoked by its issuing agency.
            Call::Registry(
                registry @ (RegistryCall::RenewPermit { .. }
                | RegistryCall::SuspendPermit { .. }
                | RegistryCall::ReinstatePermit { .. }
                | RegistryCall::RevokePermit { .. }),
            ) => publica_registry::execute(state, ctx, registry).map(drop),
            other => Err(TxError::new(
                error::NATIVE_CALL_NOT_PERMITTED,
                format!(
                    "contracts may not submit this {} call: only finance allocate, commit_funds and pay, and a \
                     permit's renew, suspend, reinstate and revoke",
                    other.module()
                ),
            )),
        }
    }
}

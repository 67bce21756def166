//! Public views v1: what `public_get` serves a contract, each in a fixed compact encoding a contract in any
//! language reads without a borsh library (`docs/contracts.md`, "Public views v1").
//!
//! | key | value |
//! |---|---|
//! | `permit/<id>` | 9 bytes: status at the block's time (0 valid, 1 not yet valid, 2 expired, 3 suspended, 4 revoked, 5 not issued), then `valid_until_ms` u64 LE (0 when not issued) |
//! | `company/<number>` | 1 byte: 0 active, 1 in liquidation, 2 dissolved, 5 not registered |
//! | `account/<40 hex digits>` | 1 byte: 0 active citizen, 1 active official, 2 inactive, 5 unknown |
//! | `budget-line/<year>/<code>` | 32 bytes: appropriation, allocated, committed, paid, each u64 LE; absent (-1) when no such line |
//!
//! Every view is computed with the owning module's own query function from the state the block sees (never a
//! contract's buffered writes, which cannot touch other modules). A key of another shape, or whose identifier
//! does not parse, is refused (-2), so that a contract can tell "not in the table" from "absent".

use publica_accounts::AccountKind;
use publica_registry::schema::{CompanyStatus, PermitState};
use publica_types::{Address, RecordId, StateRead};
use publica_wasm::PublicRead;

/// Status byte of a permit, company or account the ledger does not know.
pub const UNKNOWN: u8 = 5;

/// The public view `key` at block time `time_ms`.
pub fn read(state: &dyn StateRead, time_ms: u64, key: &[u8]) -> PublicRead {
    let Ok(key) = std::str::from_utf8(key) else { return PublicRead::Refused };
    let Some((kind, rest)) = key.split_once('/') else { return PublicRead::Refused };
    match kind {
        "permit" => permit(state, time_ms, rest),
        "company" => company(state, rest),
        "account" => account(state, rest),
        "budget-line" => budget_line(state, rest),
        _ => PublicRead::Refused,
    }
}

fn permit(state: &dyn StateRead, time_ms: u64, id: &str) -> PublicRead {
    let Ok(id) = RecordId::new(id) else { return PublicRead::Refused };
    let (status, until) = match publica_registry::query::permit(state, &id) {
        None => (UNKNOWN, 0),
        Some(version) => {
            let permit = &version.value;
            let status = match &permit.state {
                PermitState::Revoked { .. } => 4,
                PermitState::Suspended { .. } => 3,
                PermitState::Active if time_ms < permit.valid_from_ms => 1,
                PermitState::Active if time_ms >= permit.valid_until_ms => 2,
                PermitState::Active => 0,
            };
            (status, permit.valid_until_ms)
        }
    };
    let mut value = vec![status];
    value.extend_from_slice(&until.to_le_bytes());
    PublicRead::Value(value)
}

fn company(state: &dyn StateRead, number: &str) -> PublicRead {
    let Ok(number) = RecordId::new(number) else { return PublicRead::Refused };
    let status = match publica_registry::query::company(state, &number) {
        None => UNKNOWN,
        Some(version) => match version.value.status {
            CompanyStatus::Active => 0,
            CompanyStatus::InLiquidation { .. } => 1,
            CompanyStatus::Dissolved => 2,
        },
    };
    PublicRead::Value(vec![status])
}

fn account(state: &dyn StateRead, hex: &str) -> PublicRead {
    let Ok(address) = hex.parse::<Address>() else { return PublicRead::Refused };
    let status = match publica_accounts::account(state, &address) {
        None => UNKNOWN,
        Some(record) if !record.active => 2,
        Some(record) => match record.kind {
            AccountKind::Citizen { .. } => 0,
            AccountKind::Official { .. } => 1,
        },
    };
    PublicRead::Value(vec![status])
}

fn budget_line(state: &dyn StateRead, rest: &str) -> PublicRead {
    let Some((year, code)) = rest.split_once('/') else { return PublicRead::Refused };
    let Ok(year) = year.parse::<u16>() else { return PublicRead::Refused };
    if code.is_empty() {
        return PublicRead::Refused;
    }
    match publica_finance::query::line_execution(state, year, code) {
        None => PublicRead::Absent,
        Some((line, _, _)) => {
            let mut value = Vec::with_capacity(32);
            for amount in [line.appropriation, line.allocated, line.committed, line.paid] {
                value.extend_from_slice(&amount.to_le_bytes());
            }
            PublicRead::Value(value)
        }
    }
}

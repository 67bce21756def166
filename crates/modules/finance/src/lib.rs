//! The finance module: public money, budgets traced to every payment, and welfare paid once per person.
//!
//! - **Public money** ([`treasury`]): currencies issued and redeemed only by their issuing agency's
//!   `currency-issuer` officials; agencies' accounts (public) and private accounts (citizens' wallets, companies'
//!   business accounts) opened by banks with tiered limits (a balance cap and a daily outflow cap), holds placed by a
//!   court or a bank supervisor; transfers signed by the payer. The double-entry invariant, `issued - redeemed ==`
//!   the sum of balances, holds after every call.
//! - **Budgets** ([`budget`]): the parliament's budget law (lines classified by COFOG function and GFS economic
//!   class, with appropriations) and its amendments; allocations to agencies, commitments against allocations,
//!   payments against commitments, none above what it draws on; totals per line and per month.
//! - **Welfare** ([`welfare`]): programmes funded by a commitment, and claims that carry the citizen's nullifier
//!   (an ECVRF proof over the scheme and the period), refused when the nullifier is recorded.
//!
//! The module has the shape every module shares: [`call`], [`schema`] (state layout, prefix `fin/`), [`tx`],
//! [`query`], [`error`] (codes 3900 to 3999). `docs/finance.md` describes the model and its privacy boundary.

pub mod budget;
pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod treasury;
pub mod tx;
pub mod welfare;

pub use call::{FinanceCall, Holder};
pub use tx::execute;

/// The role of a central bank's (or treasury's) officials who issue and redeem a currency and set its tiers.
pub const ISSUER_ROLE: &str = "currency-issuer";
/// The role of a bank's officials: they open private accounts and set their tiers.
pub const BANK_ROLE: &str = "bank";
/// The role of a court's officials: they place and release holds.
pub const COURT_ROLE: &str = "court";
/// The role of a bank supervisor's officials: they place and release holds.
pub const BANK_SUPERVISOR_ROLE: &str = "bank-supervisor";
/// The role of an agency's officials who debit its account and pay against its commitments.
pub const TREASURER_ROLE: &str = "treasurer";
/// The role of the parliament's officials who enact and amend budget laws.
pub const PARLIAMENT_ROLE: &str = "parliament";
/// The role of the finance ministry's officials who allocate budget lines to agencies.
pub const BUDGET_OFFICER_ROLE: &str = "budget-officer";
/// The role of an agency's officials who commit its allocations.
pub const SPENDING_OFFICER_ROLE: &str = "spending-officer";
/// The role of a social agency's officials who open programmes and claim benefits for citizens.
pub const WELFARE_OFFICER_ROLE: &str = "welfare-officer";

/// The role of auditors (a supreme audit institution's officials, a central bank's supervisors) who may read any
/// private account, with proofs, through the API.
pub const AUDITOR_ROLE: &str = "finance-auditor";

/// Refuse a text that is empty or longer than `max` bytes.
pub(crate) fn check_text(what: &str, text: &str, max: usize) -> Result<(), publica_types::TxError> {
    if text.is_empty() || text.len() > max {
        return Err(error::refuse(
            error::TEXT_INVALID,
            format!("the {what} must be 1 to {max} bytes, not {}", text.len()),
        ));
    }
    Ok(())
}

//! The finance module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.
//!
//! Amounts are integers in a currency's smallest unit (`10^-decimals` of the unit): never floats.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{Address, AgencyId, Hash};

/// Longest currency code, in bytes (`[A-Z]`, 3 to 8 letters; ISO 4217 codes are 3).
pub const MAX_CURRENCY_CODE_BYTES: usize = 8;
/// Most decimals of a currency.
pub const MAX_DECIMALS: u8 = 8;
/// Longest name (of a currency, a budget line, a programme), in bytes.
pub const MAX_NAME_BYTES: usize = 200;
/// Longest reference (a transfer's, a law's, a purchase order's), in bytes.
pub const MAX_REFERENCE_BYTES: usize = 140;
/// Longest company number naming a business account, in bytes.
pub const MAX_COMPANY_NUMBER_BYTES: usize = 32;
/// Most tiers of a currency (numbered 1 to this).
pub const MAX_TIER: u8 = 9;
/// Longest budget line code, in bytes.
pub const MAX_LINE_CODE_BYTES: usize = 32;
/// Most lines in one budget law or one amendment.
pub const MAX_LINES_PER_CALL: usize = 500;
/// Most lines of one budget.
pub const MAX_LINES: u32 = 5_000;
/// Longest classification code (COFOG, economic), in bytes.
pub const MAX_CLASSIFICATION_BYTES: usize = 16;
/// Longest welfare scheme name, in bytes.
pub const MAX_SCHEME_BYTES: usize = 64;
/// Most credential types a programme asks its officers to check.
pub const MAX_REQUIRED_CREDENTIALS: usize = 8;
/// Longest credential type (`vct`) a programme names, in bytes.
pub const MAX_VCT_BYTES: usize = 200;
/// Longest a programme runs, in monthly periods.
pub const MAX_PROGRAMME_PERIODS: u32 = 120;

/// Who holds money: an agency (its account is public), a citizen (their wallet, private) or a company (its
/// business account, private).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// An agency's account, debited by its officials holding `treasurer`.
    Agency(AgencyId),
    /// A citizen's wallet: their account key signs its transfers.
    Citizen(Address),
    /// A company's business account, by its company number: its operator's key signs its transfers.
    Company(String),
}

impl std::fmt::Display for Holder {
    /// `agency:ID`, `citizen:ADDRESS` or `company:NUMBER`, as the CLI takes them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Holder::Agency(agency) => write!(f, "agency:{agency}"),
            Holder::Citizen(address) => write!(f, "citizen:{address}"),
            Holder::Company(number) => write!(f, "company:{number}"),
        }
    }
}

impl Holder {
    /// Whether the holder's balance and history are private (a citizen's or a company's).
    pub fn is_private(&self) -> bool {
        !matches!(self, Holder::Agency(_))
    }
}

/// One line of a budget law: what it is for (its classifications) and what the parliament appropriated.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BudgetLineSpec {
    /// The line's code in the budget, unique in it (`[A-Za-z0-9.-]`).
    pub code: String,
    /// Its function in COFOG (UN Classification of the Functions of Government): a division, group or class,
    /// `NN`, `NN.N` or `NN.N.N`, e.g. `09.1` (pre-primary and primary education).
    pub cofog: String,
    /// Its economic classification (the IMF GFS 2014 expense classes): `2`, `2N`, `2NN` or `2NNN`, e.g. `21`
    /// (compensation of employees), `27` (social benefits); or `31` (non-financial assets).
    pub economic: String,
    /// What the line pays for.
    pub name: String,
    /// The amount appropriated, in the budget's currency's smallest unit.
    pub appropriation: u64,
}

/// Calls of the finance module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum FinanceCall {
    /// An official holding `currency-issuer` defines a currency; the official's agency issues it.
    DefineCurrency {
        /// Its code: 3 to 8 capital letters.
        code: String,
        /// Its name.
        name: String,
        /// Decimals of its smallest unit (0 to [`MAX_DECIMALS`]).
        decimals: u8,
    },
    /// The issuing agency's `currency-issuer` sets a tier's limits for private accounts (as KYC tiers).
    SetTier {
        /// The currency.
        currency: String,
        /// The tier, 1 to [`MAX_TIER`].
        tier: u8,
        /// Largest balance of an account of this tier.
        balance_cap: u64,
        /// Most an account of this tier may send in one day (UTC, by block time).
        daily_outflow_cap: u64,
    },
    /// An official holding `bank` opens a private account (a citizen's wallet or a company's business account) after
    /// checking its holder (know your customer).
    OpenAccount {
        /// The currency.
        currency: String,
        /// The holder: a citizen, or a company.
        holder: Holder,
        /// For a company, the active account whose key signs its transfers; for a citizen, none (their own key).
        operator: Option<Address>,
        /// The account's tier.
        tier: u8,
        /// 32 random bytes the bank draws: the first salt of the account's record, so that the record's hash in
        /// a state proof given to someone else does not reveal its balance.
        #[serde(with = "publica_types::codec::hex_hash")]
        blinding: Hash,
    },
    /// A bank moves a private account to another tier (after more checks, or fewer).
    SetAccountTier {
        /// The currency.
        currency: String,
        /// The account's holder.
        holder: Holder,
        /// The new tier.
        tier: u8,
    },
    /// The issuing agency's `currency-issuer` issues new money into an agency's account.
    Issue {
        /// The currency.
        currency: String,
        /// The agency credited.
        to: AgencyId,
        /// How much, in the smallest unit.
        amount: u64,
    },
    /// The issuing agency's `currency-issuer` takes money out of circulation from the issuing agency's account.
    Redeem {
        /// The currency.
        currency: String,
        /// How much.
        amount: u64,
    },
    /// The payer moves money: a citizen from their wallet, a company's operator from its account, an agency's
    /// `treasurer` from the agency's.
    Transfer {
        /// The currency.
        currency: String,
        /// The account debited; the sender must be allowed to debit it.
        from: Holder,
        /// The account credited.
        to: Holder,
        /// How much.
        amount: u64,
        /// What it pays (an invoice number, a message).
        reference: String,
    },
    /// An official holding `court` or `bank-supervisor` places a hold on an account: nothing leaves it until the
    /// hold is released.
    PlaceHold {
        /// The currency.
        currency: String,
        /// The account.
        holder: Holder,
        /// Why (an order's reference).
        reason: String,
    },
    /// An official of the agency that placed the hold, holding the role it was placed with, releases it.
    ReleaseHold {
        /// The currency.
        currency: String,
        /// The account.
        holder: Holder,
    },
    /// An official holding `parliament` enacts a fiscal year's budget law.
    EnactBudget {
        /// The fiscal year.
        year: u16,
        /// The currency of its amounts.
        currency: String,
        /// The agency whose account pays every payment of the budget (the treasury single account).
        treasury: AgencyId,
        /// The law's reference.
        reference: String,
        /// Its lines.
        lines: Vec<BudgetLineSpec>,
    },
    /// The parliament amends an enacted budget (a supplementary budget): new lines, or new appropriations of
    /// existing lines, never below what was allocated from them.
    AmendBudget {
        /// The fiscal year.
        year: u16,
        /// The amendment's reference.
        reference: String,
        /// The lines added or changed; a changed line keeps its code and classifications.
        lines: Vec<BudgetLineSpec>,
    },
    /// An official holding `budget-officer` allocates part of a line's appropriation to an agency; numbered by the
    /// chain.
    Allocate {
        /// The fiscal year.
        year: u16,
        /// The line's code.
        line: String,
        /// The spending agency.
        agency: AgencyId,
        /// How much.
        amount: u64,
        /// The decision's reference.
        reference: String,
    },
    /// An official of the allocation's agency holding `spending-officer` commits funds (a purchase order, a grant
    /// decision, a benefit programme's funding); numbered by the chain.
    CommitFunds {
        /// The allocation drawn on.
        allocation: u64,
        /// How much.
        amount: u64,
        /// Who is to be paid, when one payee is (a supplier); none for a commitment with many payees (a
        /// programme's).
        payee: Option<Holder>,
        /// The purchase order's or decision's reference.
        reference: String,
    },
    /// An official of the allocation's agency holding `treasurer` pays against a commitment, from the budget's
    /// treasury account; numbered by the chain.
    Pay {
        /// The commitment paid against.
        commitment: u64,
        /// The payee: the commitment's, if it names one.
        to: Holder,
        /// How much.
        amount: u64,
        /// The invoice's reference.
        reference: String,
    },
    /// An official holding `welfare-officer` opens a benefit programme funded by a commitment of their agency with no
    /// payee; numbered by the chain.
    CreateProgramme {
        /// The programme's name.
        name: String,
        /// The scheme it pays: programmes of one scheme (by any agency) share its nullifiers, so a citizen is paid
        /// once per period whichever of them they claim from.
        scheme: String,
        /// The commitment it pays from.
        commitment: u64,
        /// The amount paid per claim.
        amount: u64,
        /// The first monthly period, `YYYYMM`.
        first_period: u32,
        /// The last monthly period, `YYYYMM`.
        last_period: u32,
        /// The agency a claimant must have been registered by (their residence), if any.
        registered_by: Option<AgencyId>,
        /// The credential types (`vct`) the officer checks before claiming for a citizen.
        requires: Vec<String>,
    },
    /// A `welfare-officer` of the programme's agency claims a period's benefit for a citizen, with the citizen's
    /// nullifier proof: an ECVRF proof (RFC 9381) by the citizen's key over the scheme and the period, which only
    /// the citizen can make and which gives one nullifier per citizen, scheme and period.
    Claim {
        /// The programme.
        programme: u64,
        /// The period claimed, `YYYYMM`.
        period: u32,
        /// The citizen.
        citizen: Address,
        /// The citizen's ECVRF-EDWARDS25519-SHA512-TAI proof over [`nullifier_input`].
        #[serde(with = "publica_types::codec::hex_bytes")]
        proof: Vec<u8>,
    },
}

impl FinanceCall {
    /// Whether the call concerns a private account (a citizen's wallet, a company's account) or names a citizen
    /// paid by a programme: the API withholds such a transaction's body from everyone (`docs/finance.md`). Payments
    /// from the budget to a payee a commitment names, and everything about agencies' accounts, stay public.
    pub fn is_private(&self) -> bool {
        match self {
            FinanceCall::OpenAccount { .. } | FinanceCall::SetAccountTier { .. } | FinanceCall::Claim { .. } => true,
            FinanceCall::Transfer { from, to, .. } => from.is_private() || to.is_private(),
            FinanceCall::PlaceHold { holder, .. } | FinanceCall::ReleaseHold { holder, .. } => holder.is_private(),
            _ => false,
        }
    }

    /// The call's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            FinanceCall::DefineCurrency { .. } => "define_currency",
            FinanceCall::SetTier { .. } => "set_tier",
            FinanceCall::OpenAccount { .. } => "open_account",
            FinanceCall::SetAccountTier { .. } => "set_account_tier",
            FinanceCall::Issue { .. } => "issue",
            FinanceCall::Redeem { .. } => "redeem",
            FinanceCall::Transfer { .. } => "transfer",
            FinanceCall::PlaceHold { .. } => "place_hold",
            FinanceCall::ReleaseHold { .. } => "release_hold",
            FinanceCall::EnactBudget { .. } => "enact_budget",
            FinanceCall::AmendBudget { .. } => "amend_budget",
            FinanceCall::Allocate { .. } => "allocate",
            FinanceCall::CommitFunds { .. } => "commit_funds",
            FinanceCall::Pay { .. } => "pay",
            FinanceCall::CreateProgramme { .. } => "create_programme",
            FinanceCall::Claim { .. } => "claim",
        }
    }
}

/// The bytes a citizen's nullifier proof is made over (the VRF input, `alpha`): a domain tag, the chain, the
/// scheme and the period. The chain is in it so that a proof made for one network is worth nothing on another.
pub fn nullifier_input(chain_id: &str, scheme: &str, period: u32) -> Vec<u8> {
    let mut alpha = Vec::with_capacity(32 + chain_id.len() + scheme.len());
    alpha.extend_from_slice(b"publica:welfare:nullifier:v1\0");
    for part in [chain_id.as_bytes(), scheme.as_bytes()] {
        alpha.extend_from_slice(&(part.len() as u32).to_be_bytes());
        alpha.extend_from_slice(part);
    }
    alpha.extend_from_slice(&period.to_be_bytes());
    alpha
}

/// Domain tag of a request to read a private account (`POST /v1/finance/accounts/read`).
pub const READ_REQUEST_TAG: &str = "finance-account-read";

/// What a reader of a private account signs: the account (currency and holder), the reader, and the time of the
/// request, so that a signed request names one account, one reader and a few minutes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ReadRequest {
    /// The currency.
    pub currency: String,
    /// The account's holder.
    pub holder: Holder,
    /// The reader: the account's operator, or an official holding `finance-auditor`.
    pub reader: Address,
    /// When the request was made, Unix milliseconds.
    pub at_ms: u64,
}

impl ReadRequest {
    /// The bytes the reader's key signs ([`publica_types::signing_message`] with [`READ_REQUEST_TAG`]).
    pub fn signing_message(&self, chain_id: &str) -> Vec<u8> {
        publica_types::signing_message(READ_REQUEST_TAG, chain_id, &borsh::to_vec(self).expect("a request encodes"))
    }
}

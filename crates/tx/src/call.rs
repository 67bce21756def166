//! The call envelope: which module a transaction addresses, dispatched by module and then by method.
//!
//! Each module owns its calls (`publica_accounts::call`, `publica_notary::call`, `publica_governance::call`,
//! `publica_registry::call`, `publica_identity::call`, `publica_elections::call`, `publica_finance::call`, `publica_procurement::call`, `publica_data::call`, `publica_contracts::call`); this enum only names the module. Its borsh encoding is one byte for the module (the
//! variant index), then the module's own encoding, whose first byte is the method; the JSON form is
//! `{"module": …, "call": {"method": …, …}}`. Variant order is part of the signed bytes: a new module is only ever
//! appended.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_accounts::call::AccountsCall;
use publica_contracts::call::ContractsCall;
use publica_data::call::DataCall;
use publica_elections::call::ElectionsCall;
use publica_finance::call::FinanceCall;
use publica_governance::call::GovernanceCall;
use publica_identity::call::IdentityCall;
use publica_notary::call::NotaryCall;
use publica_procurement::call::ProcurementCall;
use publica_registry::call::RegistryCall;

/// A call to one of the ledger's modules.
// An accounts call carries keys and signatures inline (hundreds of bytes); a transaction holds exactly one call and
// is moved rarely, so boxing it would only add an allocation per transaction.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "module", content = "call", rename_all = "snake_case")]
pub enum Call {
    /// The accounts module: officials, citizens, roles, key rotation.
    Accounts(AccountsCall),
    /// The notary module: document hashes anchored in the append-only log.
    Notary(NotaryCall),
    /// The governance module: changes of the validator set, approved by the validators.
    Governance(GovernanceCall),
    /// The registry module: land parcels and titles, encumbrances, multi-party applications, permits.
    Registry(RegistryCall),
    /// The identity module: credential schemas, issuer accreditations, status lists, consents.
    Identity(IdentityCall),
    /// The elections module: Belenios elections with the ledger as their bulletin board.
    Elections(ElectionsCall),
    /// The finance module: public money, budgets and their payments, welfare claims.
    Finance(FinanceCall),
    /// The procurement module: sealing keys, tenders, sealed bids and their opening, awards, complaints, contracts.
    Procurement(ProcurementCall),
    /// The data module: commitments to records in agencies' vaults, consents and other legal bases, accesses,
    /// erasures, studies.
    Data(DataCall),
    /// The contracts module: WebAssembly code uploaded by hash, instances deployed within a policy, calls metered
    /// by fuel, emergency freezes.
    Contracts(ContractsCall),
}

impl Call {
    /// The module's name, for logs and metrics.
    pub fn module(&self) -> &'static str {
        match self {
            Call::Accounts(_) => "accounts",
            Call::Notary(_) => "notary",
            Call::Governance(_) => "governance",
            Call::Registry(_) => "registry",
            Call::Identity(_) => "identity",
            Call::Elections(_) => "elections",
            Call::Finance(_) => "finance",
            Call::Procurement(_) => "procurement",
            Call::Data(_) => "data",
            Call::Contracts(_) => "contracts",
        }
    }

    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Call::Accounts(c) => c.method(),
            Call::Notary(c) => c.method(),
            Call::Governance(c) => c.method(),
            Call::Registry(c) => c.method(),
            Call::Identity(c) => c.method(),
            Call::Elections(c) => c.method(),
            Call::Finance(c) => c.method(),
            Call::Procurement(c) => c.method(),
            Call::Data(c) => c.method(),
            Call::Contracts(c) => c.method(),
        }
    }

    /// Whether this call is authenticated by its own content rather than by the sending account, and so must be
    /// sent by [`publica_types::Address::ANONYMOUS`]: a ballot, signed inside by its credential, which must never
    /// be linked to a citizen's account on the ledger.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Call::Elections(ElectionsCall::Cast { .. }))
    }

    /// Whether the call's body is withheld from public answers: a finance call about a private account
    /// ([`FinanceCall::is_private`]), a data call that names a citizen, a record or an access
    /// ([`DataCall::is_private`]).
    pub fn is_private(&self) -> bool {
        match self {
            Call::Finance(call) => call.is_private(),
            Call::Data(call) => call.is_private(),
            _ => false,
        }
    }
}

impl From<ContractsCall> for Call {
    fn from(call: ContractsCall) -> Self {
        Call::Contracts(call)
    }
}

impl From<DataCall> for Call {
    fn from(call: DataCall) -> Self {
        Call::Data(call)
    }
}

impl From<ProcurementCall> for Call {
    fn from(call: ProcurementCall) -> Self {
        Call::Procurement(call)
    }
}

impl From<FinanceCall> for Call {
    fn from(call: FinanceCall) -> Self {
        Call::Finance(call)
    }
}

impl From<ElectionsCall> for Call {
    fn from(call: ElectionsCall) -> Self {
        Call::Elections(call)
    }
}

impl From<AccountsCall> for Call {
    fn from(call: AccountsCall) -> Self {
        Call::Accounts(call)
    }
}

impl From<NotaryCall> for Call {
    fn from(call: NotaryCall) -> Self {
        Call::Notary(call)
    }
}

impl From<RegistryCall> for Call {
    fn from(call: RegistryCall) -> Self {
        Call::Registry(call)
    }
}

impl From<GovernanceCall> for Call {
    fn from(call: GovernanceCall) -> Self {
        Call::Governance(call)
    }
}

impl From<IdentityCall> for Call {
    fn from(call: IdentityCall) -> Self {
        Call::Identity(call)
    }
}

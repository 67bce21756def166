//! The demo's WebAssembly contracts (`publica_contracts`, `docs/contracts.md`), set up by ordinary transactions and
//! governance votes of the demo's one validator:
//!
//! - a vote lets the Nordvik Finance Office grant `contract-developer`, `fee-setter`, `grant-officer` and
//!   `spending-officer` besides its own roles (the office collects the town's fees and duties and runs its
//!   grants), and another sets its contract policy: its administrators may deploy the three example modules
//!   without a vote, within a daily fuel budget;
//! - the office registers its contracts developer (`contract-developer`, `fee-setter`, `grant-officer`), who
//!   uploads the three example modules of `contracts/examples` (C, AssemblyScript, Rust);
//! - the office's administrator deploys `customs-clearance` and `fee-schedule`; a vote deploys `grant-rule` with
//!   `spending-officer`, the one role its native calls need (an administrator's deployment holds no roles);
//! - the council amends this year's budget with a start-up grants line, the budget officer allocates it to the
//!   office, and the developer points the grant rule at that allocation;
//! - a customs declaration for the goods of a company the demo registered, under a valid permit, is cleared; one
//!   under a revoked permit is refused (`permit_revoked`); the developer, the office's grant officer, enters the
//!   sawmill's application for a start-up grant, which the rule commits from the allocation (a finance commitment
//!   the contract makes as its own account); the developer sets the fee of a service and a citizen asks for a
//!   quote.
//!
//! Every call's receipt is on the ledger under `con/r/{tx id}`. Seeding is resumable step by step: each step runs
//! only when the state does not show it done.

use std::time::Duration;

use anyhow::{Context, Result};
use publica_contracts::call::{ContractsCall, Deployment, Policy};
use publica_contracts::{query, Instance};
use publica_finance::call::{BudgetLineSpec, FinanceCall};
use publica_governance::call::ValidatorChange;
use publica_node::NodeHandle;
use publica_tx::{AccountsCall, Call, GovernanceCall};
use publica_types::{sha256, AgencyId, Hash, Role, TxId};

use super::finance::{BUDGET_OFFICER, COUNCIL_CLERK};
use super::{demo_key, DemoSigners};
use crate::node::wait_committed;

/// The agency that runs the demo's contracts.
pub const AGENCY: &str = "nordvik-finance-office";
/// Its contracts developer: holds `contract-developer` (uploads) and `fee-setter` (sets the fee table).
pub const DEVELOPER: &str = "contracts-developer";
/// The role the fee schedule asks of a sender who sets a fee.
pub const FEE_SETTER: &str = "fee-setter";
/// The role the grant rule asks of a sender who sets its allocation.
pub const GRANT_OFFICER: &str = "grant-officer";
/// The role the grant rule's instance holds for its native calls (a finance commitment).
pub const SPENDING_OFFICER: &str = "spending-officer";
/// The roles a vote lets the office grant besides those of its genesis record.
pub const VOTED_ROLES: [&str; 4] = [publica_contracts::tx::DEVELOPER_ROLE, FEE_SETTER, GRANT_OFFICER, SPENDING_OFFICER];
/// The roles of its developer.
pub const DEVELOPER_ROLES: [&str; 3] = [publica_contracts::tx::DEVELOPER_ROLE, FEE_SETTER, GRANT_OFFICER];
/// The budget line the grants are committed from: code, COFOG function, GFS economic class, name, appropriation.
const GRANTS_LINE: (&str, &str, &str, &str, u64) = ("EC-01", "04.1", "25", "Start-up grants", 100_000_000);
/// What the budget officer allocates from it to the office.
const GRANTS_ALLOCATION: u64 = 50_000_000;
/// The grant applied for: the company (by name) and the amount; the office's grant officer enters it.
const GRANT: (&str, u64) = ("Nordvik Sawmill AB", 250_000);

/// The example modules: instance name, code.
pub const MODULES: &[(&str, &[u8])] = &[
    ("customs-clearance", include_bytes!("../../../../contracts/examples/customs-clearance/customs-clearance.wasm")),
    ("grant-rule", include_bytes!("../../../../contracts/examples/grant-rule/grant-rule.wasm")),
    ("fee-schedule", include_bytes!("../../../../contracts/examples/fee-schedule/fee-schedule.wasm")),
];

/// The most fuel one call of a demo instance may use: far above what the examples use (a few thousand to a few
/// tens of thousands), far below the ledger's limit.
const FUEL_PER_CALL: u64 = 2_000_000;
/// The most fuel one sender may use on a demo instance in a day.
const FUEL_PER_SENDER_DAY: u64 = 200_000_000;
/// The fuel limit the demo's calls carry.
const CALL_FUEL: u64 = 1_000_000;
/// The cleared declaration: its id, the company (by name), the permit, the goods code and the customs value.
const CLEARED: (&str, &str, &str, &str, u64) =
    ("NV-DECL-2026-0001", "Nordvik Sawmill AB", "BP-2026-0001", "4407", 1_250_000);
/// The refused declaration: the same company under a revoked permit.
const REFUSED: (&str, &str, &str, &str, u64) =
    ("NV-DECL-2026-0002", "Nordvik Sawmill AB", "RL-2026-0002", "2203", 48_000);
/// The citizen who asks for a quote.
const APPLICANT: &str = "citizen-ada";
/// The fee set: service code, base fee, unit fee (minor units); and the quantity quoted.
const FEE: (u32, u64, u64) = (101, 50_000, 2_500);
const QUOTE_QUANTITY: u32 = 4;

fn agency() -> AgencyId {
    AGENCY.parse().expect("the demo's agency id is valid")
}

fn role(name: &str) -> Role {
    name.parse().expect("the demo's roles are valid")
}

/// The code hash of each example module, in [`MODULES`]' order.
pub fn code_hashes() -> Vec<Hash> {
    MODULES.iter().map(|(_, code)| sha256(code)).collect()
}

/// The office's contract policy: its administrators deploy the example modules without a vote.
pub fn policy() -> Policy {
    Policy {
        admin_deploy: true,
        code_hashes: code_hashes(),
        any_agency_code: false,
        max_fuel_per_call: FUEL_PER_CALL,
        fuel_per_day: 10_000_000_000,
        max_instances: 16,
    }
}

/// A customs declaration in the customs example's input format: four length-prefixed fields, then the value.
pub fn declaration(id: &str, company: &str, permit: &str, goods: &str, value: u64) -> Vec<u8> {
    let mut input = Vec::new();
    for field in [id, company, permit, goods] {
        // The demo's fields are short: at most 64 bytes each.
        input.push(u8::try_from(field.len()).expect("a demo field is shorter than 256 bytes"));
        input.extend_from_slice(field.as_bytes());
    }
    input.extend_from_slice(&value.to_le_bytes());
    input
}

/// A fee schedule `set` input.
pub fn fee_set(service: u32, base: u64, unit: u64) -> Vec<u8> {
    let mut input = vec![0x02];
    input.extend_from_slice(&service.to_le_bytes());
    input.extend_from_slice(&base.to_le_bytes());
    input.extend_from_slice(&unit.to_le_bytes());
    input
}

/// A fee schedule `quote` input.
pub fn fee_quote(service: u32, quantity: u32) -> Vec<u8> {
    let mut input = vec![0x01];
    input.extend_from_slice(&service.to_le_bytes());
    input.extend_from_slice(&quantity.to_le_bytes());
    input
}

/// A grant rule application: the amount and the company's number.
pub fn grant_application(amount: u64, company: &str) -> Vec<u8> {
    let mut input = vec![0x01];
    input.extend_from_slice(&amount.to_le_bytes());
    input.extend_from_slice(company.as_bytes());
    input
}

/// A grant rule configuration: the allocation its grants are committed from.
pub fn grant_configuration(allocation: u64) -> Vec<u8> {
    let mut input = vec![0x02];
    input.extend_from_slice(&allocation.to_le_bytes());
    input
}

/// The grant rule's vote-deployed instance, with the role its native calls need.
pub fn grant_deployment() -> Deployment {
    let (name, code) = MODULES[1];
    Deployment {
        agency: agency(),
        name: name.to_owned(),
        code_hash: sha256(code),
        fuel_per_call: FUEL_PER_CALL,
        fuel_per_sender_day: FUEL_PER_SENDER_DAY,
        roles: vec![role(SPENDING_OFFICER)],
    }
}

/// Send `calls`, each signed by its demo sender, and wait until all are committed.
fn phase(node: &NodeHandle, signers: &mut DemoSigners<'_>, calls: Vec<(&str, Call)>) -> Result<Vec<TxId>> {
    let ids = calls.into_iter().map(|(sender, call)| signers.send(sender, call)).collect::<Result<Vec<_>>>()?;
    wait_committed(node, &ids, Duration::from_secs(60))?;
    Ok(ids)
}

/// Propose `changes` as the office's administrator and approve them with the demo's one validator; returns how many
/// transactions it committed.
fn pass(node: &NodeHandle, signers: &mut DemoSigners<'_>, changes: Vec<ValidatorChange>) -> Result<usize> {
    if changes.is_empty() {
        return Ok(0);
    }
    let admin = format!("admin-{AGENCY}");
    let first = publica_governance::query::proposal_count(&node.live_state());
    let expires_at_ms = publica_client::now_ms() + 24 * 3600 * 1000;
    let proposals = changes
        .iter()
        .map(|change| (admin.as_str(), Call::from(GovernanceCall::Propose { change: change.clone(), expires_at_ms })))
        .collect();
    phase(node, signers, proposals)?;
    let validator = demo_key("validator");
    let chain_id = node.chain_id().clone();
    let approvals = changes
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let proposal = first + i as u64;
            let message = publica_governance::call::approval_message(&chain_id, proposal, &change.hash());
            let call = GovernanceCall::Approve {
                proposal,
                validator: validator.public_key().address(),
                signature: validator.sign(&message),
            };
            (admin.as_str(), Call::from(call))
        })
        .collect();
    phase(node, signers, approvals)?;
    Ok(2 * changes.len())
}

/// The instance named `name`, if deployed.
fn instance(node: &NodeHandle, name: &str) -> Option<Instance> {
    query::instance_by_name(&node.live_state(), name).0
}

/// Set up the office's contracts and make the demo's calls (the steps not done yet). Returns how many transactions
/// it committed.
pub(crate) fn seed(node: &NodeHandle, signers: &mut DemoSigners<'_>) -> Result<usize> {
    // A home made by an older demo has a genesis without the finance office: nothing to do.
    let Some(office) = publica_accounts::agency(&node.live_state(), &agency()) else { return Ok(0) };
    let mut committed = 0;

    // The office may grant the developer's roles, and has its policy: two votes.
    let mut changes = Vec::new();
    if !VOTED_ROLES.iter().all(|r| office.grants(r)) {
        let mut roles = office.roles.clone();
        roles.extend(VOTED_ROLES.iter().filter(|r| !office.grants(r)).map(|r| role(r)));
        changes.push(ValidatorChange::SetAgencyRoles { agency: agency(), roles });
    }
    if query::policy(&node.live_state(), &agency()).0.as_ref() != Some(&policy()) {
        changes.push(ValidatorChange::SetContractPolicy { agency: agency(), policy: policy() });
    }
    committed += pass(node, signers, changes)?;

    // The developer.
    let developer = demo_key(DEVELOPER).public_key().clone();
    if publica_accounts::account(&node.live_state(), &developer.address()).is_none() {
        let call = AccountsCall::RegisterOfficial {
            public_key: developer,
            agency: agency(),
            roles: DEVELOPER_ROLES.iter().map(|r| role(r)).collect(),
        };
        committed += phase(node, signers, vec![(&format!("admin-{AGENCY}"), call.into())])?.len();
    }

    // The modules, uploaded once.
    let uploads = {
        let view = node.live_state();
        MODULES
            .iter()
            .filter(|(_, code)| query::code(&view, &sha256(code)).0.is_none())
            .map(|(_, code)| (DEVELOPER, Call::from(ContractsCall::Upload { code: code.to_vec() })))
            .collect::<Vec<_>>()
    };
    committed += phase(node, signers, uploads)?.len();

    // The instances: the grant rule by a vote (its role), the others by the office's administrator within its
    // policy.
    if instance(node, MODULES[1].0).is_none() {
        committed += pass(node, signers, vec![ValidatorChange::DeployContract { deployment: grant_deployment() }])?;
    }
    let admin = format!("admin-{AGENCY}");
    let deployments = MODULES
        .iter()
        .filter(|(name, _)| *name != MODULES[1].0 && instance(node, name).is_none())
        .map(|(name, code)| {
            let call = ContractsCall::Deploy {
                name: (*name).to_owned(),
                code_hash: sha256(code),
                fuel_per_call: FUEL_PER_CALL,
                fuel_per_sender_day: FUEL_PER_SENDER_DAY,
            };
            (admin.as_str(), Call::from(call))
        })
        .collect::<Vec<_>>();
    committed += phase(node, signers, deployments)?.len();

    // The calls, made once: when the cleared declaration is on the ledger, they were.
    let instance_id = |name: &str| {
        instance(node, name).map(|i| i.id).with_context(|| format!("the demo's contract {name} is deployed"))
    };
    let (customs, grants, fees) = (instance_id(MODULES[0].0)?, instance_id(MODULES[1].0)?, instance_id(MODULES[2].0)?);
    let call =
        |instance: u64, input: Vec<u8>| Call::from(ContractsCall::Call { instance, input, fuel_limit: CALL_FUEL });

    // The grants' budget line, its allocation to the office, and the rule pointed at it.
    let allocation = match grants_allocation(node, signers, &mut committed)? {
        Some(allocation) => allocation,
        // This year's budget is not on the ledger (a home made in an earlier year): no grants to make.
        None => return Ok(committed),
    };
    let configured = query::state_value(&node.live_state(), grants, b"allocation").0;
    if configured.as_deref() != Some(&allocation.to_le_bytes()[..]) {
        committed += phase(node, signers, vec![(DEVELOPER, call(grants, grant_configuration(allocation)))])?.len();
    }

    let declared = format!("declaration/{}", CLEARED.0);
    if query::state_value(&node.live_state(), customs, declared.as_bytes()).0.is_some() {
        return Ok(committed);
    }
    let company = |name: &str| -> Result<String> {
        let number = publica_registry::query::company_by_name(&node.live_state(), name)
            .map_err(anyhow::Error::msg)?
            .with_context(|| format!("the demo company {name} is registered"))?;
        Ok(number.as_str().to_owned())
    };
    let (cleared, refused) = (CLEARED, REFUSED);
    let cleared = declaration(cleared.0, &company(cleared.1)?, cleared.2, cleared.3, cleared.4);
    let refused = declaration(refused.0, &company(refused.1)?, refused.2, refused.3, refused.4);
    let grant = grant_application(GRANT.1, &company(GRANT.0)?);
    // The developer's set comes before the citizen's quote: different senders' transactions are not ordered within a
    // block, so the quote waits for the next.
    committed += phase(
        node,
        signers,
        vec![
            (DEVELOPER, call(customs, cleared)),
            (DEVELOPER, call(customs, refused)),
            (DEVELOPER, call(fees, fee_set(FEE.0, FEE.1, FEE.2))),
            (DEVELOPER, call(grants, grant)),
        ],
    )?
    .len();
    committed += phase(node, signers, vec![(APPLICANT, call(fees, fee_quote(FEE.0, QUOTE_QUANTITY)))])?.len();
    Ok(committed)
}

/// The start-up grants line (added to this year's budget by the council when missing) and its allocation to the
/// office (made by the budget officer when missing): the allocation's number, or `None` when this year's budget is
/// not on the ledger.
fn grants_allocation(node: &NodeHandle, signers: &mut DemoSigners<'_>, committed: &mut usize) -> Result<Option<u64>> {
    let year = (publica_finance::schema::month_of(publica_client::now_ms()) / 100) as u16;
    let (code, cofog, economic, name, appropriation) = GRANTS_LINE;
    let Some((_, lines, _)) = publica_finance::query::budget_with_lines(&node.live_state(), year, 0, 64) else {
        return Ok(None);
    };
    if !lines.iter().any(|line| line.code == code) {
        let line = BudgetLineSpec {
            code: code.into(),
            cofog: cofog.into(),
            economic: economic.into(),
            name: name.into(),
            appropriation,
        };
        let amend = FinanceCall::AmendBudget {
            year,
            reference: format!("Supplementary budget {year} (council decision KF-{year}-140)"),
            lines: vec![line],
        };
        *committed += phase(node, signers, vec![(COUNCIL_CLERK, amend.into())])?.len();
    }
    let find = || {
        let (allocations, _, _) = publica_finance::query::allocations(&node.live_state(), 0, 1_000);
        allocations.into_iter().find(|a| a.year == year && a.line == code && a.agency == agency()).map(|a| a.id)
    };
    if let Some(id) = find() {
        return Ok(Some(id));
    }
    let allocate = FinanceCall::Allocate {
        year,
        line: code.into(),
        agency: agency(),
        amount: GRANTS_ALLOCATION,
        reference: "Allocation decision FO-2-31: start-up grants".into(),
    };
    *committed += phase(node, signers, vec![(BUDGET_OFFICER, allocate.into())])?.len();
    find().context("the start-up grants allocation is on the ledger after it was committed").map(Some)
}

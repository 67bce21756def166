//! The demo's public money, budget and child benefit in the town of Nordvik, made by ordinary transactions:
//!
//! - the Nordvik Central Bank defines the Nordvik krona (`NVK`, 2 decimals) and three tiers, and issues money to
//!   the town's Finance Office, whose account pays the budget (the treasury single account);
//! - the Demo Savings Bank's officer opens wallets for the first demo citizens (tier 1) and a business account for the
//!   Nordvik Sawmill AB (tier 3), operated by its director, citizen Chiara;
//! - the Town Council enacts this year's budget (four lines, classified by COFOG function and GFS economic class);
//!   the Finance Office allocates the harbour road line to the Building Authority and the child benefit line to
//!   Social Services;
//! - the Building Authority commits a purchase order to the sawmill and pays two invoices against it;
//! - Social Services commits the child benefit's funding, opens the programme (1,250.00 NVK a month, scheme
//!   `child-benefit`) and claims this month's benefit for three citizens, each with the nullifier proof the citizen
//!   made with their own key; citizen Ada pays citizen Bruno 200.00 NVK from her wallet.
//!
//! Seeding is resumable at the level of the whole: it runs only when the currency is not defined yet.

use std::time::Duration;

use anyhow::{Context, Result};
use publica_finance::call::{nullifier_input, BudgetLineSpec, FinanceCall, Holder};
use publica_finance::schema::month_of;
use publica_node::NodeHandle;
use publica_types::{AgencyId, TxId};

use super::{demo_key, DemoSigners, CITIZENS};
use crate::node::wait_committed;

/// The demo's currency.
pub const CURRENCY: &str = "NVK";
/// The central bank.
pub const CENTRAL_BANK: &str = "nordvik-central-bank";
/// The town council (the parliament's role).
pub const COUNCIL: &str = "nordvik-town-council";
/// The finance office: budget officers and the treasury account.
pub const FINANCE_OFFICE: &str = "nordvik-finance-office";
/// Social services: the child benefit.
pub const SOCIAL: &str = "nordvik-social-services";
/// The audit office: reads any private account.
pub const AUDIT_OFFICE: &str = "nordvik-audit-office";
/// The building authority, which spends the harbour road line.
const WORKS: &str = "building-authority";

/// The central bank's currency issuer.
pub const ISSUER: &str = "central-banker";
/// The council's clerk, who enacts the budget.
pub const COUNCIL_CLERK: &str = "council-clerk";
/// The finance office's budget officer.
pub const BUDGET_OFFICER: &str = "budget-officer";
/// The building authority's spending officer and treasurer.
pub const WORKS_OFFICER: &str = "works-officer";
/// The building authority's treasurer.
pub const WORKS_TREASURER: &str = "works-treasurer";
/// Social services' welfare officer (spending officer too).
pub const WELFARE_OFFICER: &str = "welfare-officer";
/// Social services' treasurer.
pub const SOCIAL_TREASURER: &str = "social-treasurer";
/// The audit office's auditor.
pub const AUDITOR: &str = "auditor";

/// The demo's company paid from the budget, and its director (by citizen position), who operates its account.
const SAWMILL: &str = "Nordvik Sawmill AB";
const SAWMILL_DIRECTOR: usize = 2;
/// How many of the demo citizens get a wallet.
pub const WALLETS: usize = 5;
/// How many of them are paid the child benefit while seeding (the others claim it in the README).
pub const CLAIMED: usize = 3;
/// The scheme of the child benefit.
pub const SCHEME: &str = "child-benefit";
/// The child benefit per month, in öre.
pub const BENEFIT: u64 = 125_000;

/// `units` kronor in öre.
const fn kr(units: u64) -> u64 {
    units * 100
}

/// The budget's lines: code, COFOG, economic class, name, appropriation.
const LINES: &[(&str, &str, &str, &str, u64)] = &[
    ("ED-01", "09.1", "21", "Primary schools: teachers' salaries", kr(12_000_000)),
    ("RD-01", "04.5", "31", "Harbour road and boardwalk renewal", kr(3_000_000)),
    ("SP-01", "10.4", "27", "Child benefit", kr(1_200_000)),
    ("AD-01", "01.1", "22", "Town administration: goods and services", kr(800_000)),
];

fn agency(id: &str) -> AgencyId {
    id.parse().expect("a demo agency id")
}

/// Seed the demo's finance; returns how many transactions it committed (0 when it was seeded before).
pub(crate) fn seed(node: &NodeHandle, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    if publica_finance::schema::currency(&view, CURRENCY).is_some()
        || publica_accounts::agency(&view, &agency(SOCIAL)).is_none()
    {
        return Ok(0);
    }
    let sawmill = publica_registry::query::company_by_name(&view, SAWMILL)
        .map_err(anyhow::Error::msg)?
        .with_context(|| format!("the demo company {SAWMILL} is not registered"))?;
    let citizen = |i: usize| demo_key(CITIZENS[i].0).public_key().address();
    let mut count = 0;
    let mut phase = |signers: &mut DemoSigners<'_>, calls: Vec<(&str, FinanceCall)>| -> Result<Vec<TxId>> {
        let ids = calls.into_iter().map(|(sender, call)| signers.send(sender, call)).collect::<Result<Vec<_>>>()?;
        wait_committed(node, &ids, Duration::from_secs(60))?;
        count += ids.len();
        Ok(ids)
    };

    // The currency, its tiers and the money the treasury starts the year with.
    let tier = |tier, balance_cap, daily_outflow_cap| {
        (ISSUER, FinanceCall::SetTier { currency: CURRENCY.into(), tier, balance_cap, daily_outflow_cap })
    };
    phase(
        signers,
        vec![(
            ISSUER,
            FinanceCall::DefineCurrency { code: CURRENCY.into(), name: "Nordvik krona".into(), decimals: 2 },
        )],
    )?;
    phase(
        signers,
        vec![
            tier(1, kr(7_500), kr(1_500)),
            tier(2, kr(50_000), kr(10_000)),
            tier(3, kr(100_000_000), kr(10_000_000)),
            (
                ISSUER,
                FinanceCall::Issue { currency: CURRENCY.into(), to: agency(FINANCE_OFFICE), amount: kr(20_000_000) },
            ),
        ],
    )?;

    // Wallets and the sawmill's account, opened by the bank after its checks.
    // The bank draws each account's first salt at random: it keeps the account's record from being guessed.
    let blinding = || rand::random::<[u8; 32]>();
    let mut accounts: Vec<(&str, FinanceCall)> = (0..WALLETS)
        .map(|i| {
            let call = FinanceCall::OpenAccount {
                currency: CURRENCY.into(),
                holder: Holder::Citizen(citizen(i)),
                operator: None,
                tier: 1,
                blinding: blinding(),
            };
            ("bank-officer", call)
        })
        .collect();
    accounts.push((
        "bank-officer",
        FinanceCall::OpenAccount {
            currency: CURRENCY.into(),
            holder: Holder::Company(sawmill.as_str().to_owned()),
            operator: Some(citizen(SAWMILL_DIRECTOR)),
            tier: 3,
            blinding: blinding(),
        },
    ));
    phase(signers, accounts)?;

    // This year's budget, enacted by the council.
    let now = publica_client::now_ms();
    let year = (month_of(now) / 100) as u16;
    let lines = LINES
        .iter()
        .map(|(code, cofog, economic, name, appropriation)| BudgetLineSpec {
            code: (*code).into(),
            cofog: (*cofog).into(),
            economic: (*economic).into(),
            name: (*name).into(),
            appropriation: *appropriation,
        })
        .collect();
    phase(
        signers,
        vec![(
            COUNCIL_CLERK,
            FinanceCall::EnactBudget {
                year,
                currency: CURRENCY.into(),
                treasury: agency(FINANCE_OFFICE),
                reference: format!("Nordvik Budget Act {year} (council decision KF-{year}-112)"),
                lines,
            },
        )],
    )?;
    let allocate = |line: &str, to: &str, amount, reference: &str| {
        let call =
            FinanceCall::Allocate { year, line: line.into(), agency: agency(to), amount, reference: reference.into() };
        (BUDGET_OFFICER, call)
    };
    phase(
        signers,
        vec![
            allocate("RD-01", WORKS, kr(2_500_000), "Allocation decision FO-2-14"),
            allocate("SP-01", SOCIAL, kr(1_200_000), "Allocation decision FO-2-15"),
        ],
    )?;
    // Allocation 0 is the harbour road's, 1 the child benefit's; commitment 0 the timber, 1 the benefit's funding:
    // in blocks of their own, since a block takes different senders' transactions round-robin from a rotating start.
    let sawmill_holder = Holder::Company(sawmill.as_str().to_owned());
    phase(
        signers,
        vec![(
            WORKS_OFFICER,
            FinanceCall::CommitFunds {
                allocation: 0,
                amount: kr(480_000),
                payee: Some(sawmill_holder.clone()),
                reference: "Purchase order PO-117: timber for the harbour boardwalk".into(),
            },
        )],
    )?;
    phase(
        signers,
        vec![(
            WELFARE_OFFICER,
            FinanceCall::CommitFunds {
                allocation: 1,
                amount: kr(1_200_000),
                payee: None,
                reference: "Child benefit decision SS-04".into(),
            },
        )],
    )?;
    let pay = |amount, reference: &str| {
        let call = FinanceCall::Pay { commitment: 0, to: sawmill_holder.clone(), amount, reference: reference.into() };
        (WORKS_TREASURER, call)
    };
    let period = month_of(now);
    let last = (0..11).fold(period, |p, _| publica_finance::schema::next_month(p));
    phase(
        signers,
        vec![
            pay(kr(120_000), "Invoice 5531 (first delivery)"),
            pay(95_550, "Invoice 5540 (transport)"),
            (
                WELFARE_OFFICER,
                FinanceCall::CreateProgramme {
                    name: "Nordvik child benefit".into(),
                    scheme: SCHEME.into(),
                    commitment: 1,
                    amount: BENEFIT,
                    first_period: period,
                    last_period: last,
                    registered_by: Some(agency("civil-registry")),
                    requires: vec!["https://credentials.nordvik.example/household".into()],
                },
            ),
        ],
    )?;

    // This month's benefit for the first citizens, each claim carrying the proof the citizen made.
    let chain = node.chain_id().to_string();
    let claims = (0..CLAIMED)
        .map(|i| {
            let proof = publica_crypto::vrf::prove(&demo_key(CITIZENS[i].0), &nullifier_input(&chain, SCHEME, period));
            let call = FinanceCall::Claim { programme: 0, period, citizen: citizen(i), proof: proof.to_vec() };
            (WELFARE_OFFICER, call)
        })
        .collect();
    phase(signers, claims)?;
    phase(
        signers,
        vec![(
            CITIZENS[0].0,
            FinanceCall::Transfer {
                currency: CURRENCY.into(),
                from: Holder::Citizen(citizen(0)),
                to: Holder::Citizen(citizen(1)),
                amount: kr(200),
                reference: "Rent share".into(),
            },
        )],
    )?;
    Ok(count)
}

/// The demo's finance, in the guide `publica dev` prints.
pub(crate) fn print_guide(home: &std::path::Path, keys: &std::path::Path, api: std::net::SocketAddr) {
    let pass = format!("--passphrase-file {}/dev-passphrase", home.display());
    let period = month_of(publica_client::now_ms());
    println!();
    println!("Public finance (the Nordvik krona, NVK; this year's budget, its payments and the child benefit):");
    println!("  publica finance currency {CURRENCY} --api http://{api}");
    println!("  publica finance payment 0 --out trace.json --api http://{api}   (a payment back to its budget line)");
    println!("  publica verify trace.json --genesis {}/genesis.json", home.display());
    println!(
        "  publica finance account --currency {CURRENCY} --key {}/citizen-ada.json {pass} --api http://{api}",
        keys.display()
    );
    println!(
        "  publica finance nullifier-proof --key {}/citizen-ada.json --scheme {SCHEME} --period {period} {pass} \\",
        keys.display()
    );
    println!(
        "      --out ada-proof.txt --api http://{api}   (then a second claim for Ada is refused: docs/finance.md)"
    );
}

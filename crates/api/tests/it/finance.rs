//! The finance routes (`/v1/finance/…`): a currency, three private accounts, a budget with allocations, commitments
//! and a payment, a welfare programme and a claim, all made by signed transactions on the test node; each route's
//! answer decoded, verified offline, checked against the OpenAPI document and against what was sent; the private
//! account read with each of its refusals, in order; the state route refusing private keys; and every bad input
//! refused with its code.

use axum::http::StatusCode;
use publica_client::api::{
    AccountReadRequest, AccountReadResponse, AgencyAccountResponse, AllocationsResponse, BudgetLineResponse,
    BudgetResponse, CommitmentsResponse, CurrencyResponse, CurrencyTier, NullifierResponse, PaymentResponse,
    PaymentsResponse, ProgrammeResponse, ProgrammesResponse, ReadAccess, MAX_FINANCE_PAGE,
};
use publica_finance::call::{nullifier_input, BudgetLineSpec, FinanceCall, Holder, ReadRequest};
use publica_finance::schema::{self, Payee};
use publica_node::shared::now_ms;
use publica_node::TxStatus;
use publica_tx::{AccountsCall, Call};
use publica_types::{Hash, Keypair, Role, TxId};
use publica_verify::ReadProof;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::document::{assert_documented, document, proven, refused};
use crate::{agency, b64, key, TestNet};

const EUR: &str = "EUR";
const COMPANY: &str = "5560-1234";
const SCHEME: &str = "child-benefit";
/// The name of the second line: a comma and quotes, which CSV must quote.
const ROADS: &str = "Roads, bridges and \"tunnels\"";

// --- Reading answers ---------------------------------------------------------------------------------------------

async fn get<T: DeserializeOwned + Serialize>(net: &TestNet, uri: &str, template: &str) -> T {
    proven(net, "get", template, &net.get(uri).await)
}

async fn get_refused(net: &TestNet, uri: &str, template: &str, status: StatusCode, code: &str) -> String {
    refused(&net.get(uri).await, "get", template, status, code)
}

// --- The world ---------------------------------------------------------------------------------------------------

/// Who is who, and what was made.
struct World {
    net: TestNet,
    /// An official holding every finance role but the auditor's, and `citizen-registrar`.
    officer: Keypair,
    /// An official holding `finance-auditor`.
    auditor: Keypair,
    /// An official with no finance role.
    clerk: Keypair,
    /// Citizens with wallets.
    alice: Keypair,
    bob: Keypair,
    /// A citizen without a wallet, who operates the company's account.
    carol: Keypair,
    /// The fiscal year of the budget: this one.
    year: u16,
    /// The month of the blocks (`YYYYMM`): the programme's first period, and the one claimed.
    month: u32,
    /// Alice's nullifier for the scheme and the month.
    nullifier: Hash,
}

fn finance(call: FinanceCall) -> Call {
    Call::Finance(call)
}

fn submit(net: &TestNet, sender: &Keypair, nonce: u64, call: Call, sent: &mut Vec<TxId>) {
    let id = net.node.submit(&net.body(sender, nonce, call).sign(sender).encode()).unwrap_or_else(|e| {
        panic!("refused at admission: {} {}", e.code.as_str(), e.message);
    });
    sent.push(id);
}

/// Commit a block and check that every transaction sent went into it.
fn commit(net: &TestNet, sent: &mut Vec<TxId>) {
    net.commit_block();
    for id in sent.drain(..) {
        let status = net.node.tx_status(&id);
        assert!(matches!(status, TxStatus::Committed { .. }), "{id}: {status:?}");
    }
}

fn line(code: &str, cofog: &str, economic: &str, name: &str, appropriation: u64) -> BudgetLineSpec {
    BudgetLineSpec {
        code: code.into(),
        cofog: cofog.into(),
        economic: economic.into(),
        name: name.into(),
        appropriation,
    }
}

fn official(k: &Keypair, roles: &[&str]) -> Call {
    Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: k.public_key().clone(),
        agency: agency(),
        roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
    })
}

/// Five blocks: the officials; the citizens, the currency and its tiers, the issue, the budget and an allocation;
/// the three private accounts, a second allocation and two commitments (one to the company, one with no payee for
/// the programme); the company's payment, the programme and a transfer from the treasury to Alice; Alice's
/// transfer to Bob and the officer's claim for Alice.
async fn world() -> World {
    let net = TestNet::new();
    let (officer, auditor, clerk) = (key(70), key(71), key(75));
    let (alice, bob, carol) = (key(72), key(73), key(74));
    let month = schema::month_of(now_ms());
    let year = (month / 100) as u16;
    let company = || Holder::Company(COMPANY.into());
    let mut sent = Vec::new();

    let roles = [
        "currency-issuer",
        "bank",
        "parliament",
        "budget-officer",
        "spending-officer",
        "treasurer",
        "welfare-officer",
        "citizen-registrar",
    ];
    submit(&net, &net.admin, 0, official(&officer, &roles), &mut sent);
    submit(&net, &net.admin, 1, official(&auditor, &["finance-auditor"]), &mut sent);
    submit(&net, &net.admin, 2, official(&clerk, &["registrar"]), &mut sent);
    commit(&net, &mut sent);

    let mut nonce = 0..;
    let mut send = |call: Call, sent: &mut Vec<TxId>| submit(&net, &officer, nonce.next().unwrap(), call, sent);
    for (n, citizen) in [&alice, &bob, &carol].into_iter().enumerate() {
        let call =
            AccountsCall::RegisterCitizen { public_key: citizen.public_key().clone(), id_commitment: [n as u8; 32] };
        send(Call::Accounts(call), &mut sent);
    }
    send(finance(FinanceCall::DefineCurrency { code: EUR.into(), name: "Euro".into(), decimals: 2 }), &mut sent);
    for (tier, balance_cap, daily_outflow_cap) in [(1, 1_000_000, 200_000), (2, 100_000_000, 50_000_000)] {
        send(finance(FinanceCall::SetTier { currency: EUR.into(), tier, balance_cap, daily_outflow_cap }), &mut sent);
    }
    send(finance(FinanceCall::Issue { currency: EUR.into(), to: agency(), amount: 100_000_000 }), &mut sent);
    let lines = vec![
        line("09.1-A", "09.1", "21", "Primary schools", 50_000_000),
        line("04.5", "04.5", "31", ROADS, 20_000_000),
        line("10.4-B", "10.4", "27", "Family and children", 1_000_000),
    ];
    let reference = format!("Budget Act {year}");
    let enact = FinanceCall::EnactBudget { year, currency: EUR.into(), treasury: agency(), reference, lines };
    send(finance(enact), &mut sent);
    let allocate = |line: &str, amount: u64, reference: &str| FinanceCall::Allocate {
        year,
        line: line.into(),
        agency: agency(),
        amount,
        reference: reference.into(),
    };
    send(finance(allocate("09.1-A", 500_000, "Decision 1")), &mut sent);
    commit(&net, &mut sent);

    for (n, (holder, operator, tier)) in [
        (Holder::Citizen(alice.address()), None, 1),
        (Holder::Citizen(bob.address()), None, 1),
        (company(), Some(carol.address()), 2),
    ]
    .into_iter()
    .enumerate()
    {
        let open =
            FinanceCall::OpenAccount { currency: EUR.into(), holder, operator, tier, blinding: [n as u8 + 11; 32] };
        send(finance(open), &mut sent);
    }
    send(finance(allocate("10.4-B", 100_000, "Decision 2")), &mut sent);
    let commit_funds = |allocation: u64, amount: u64, payee: Option<Holder>, reference: &str| {
        FinanceCall::CommitFunds { allocation, amount, payee, reference: reference.into() }
    };
    send(finance(commit_funds(0, 200_000, Some(company()), "PO-77")), &mut sent);
    send(finance(commit_funds(1, 100_000, None, "Child benefit funding")), &mut sent);
    commit(&net, &mut sent);

    let pay = FinanceCall::Pay { commitment: 0, to: company(), amount: 120_000, reference: "Invoice 17".into() };
    send(finance(pay), &mut sent);
    let programme = FinanceCall::CreateProgramme {
        name: "Child benefit".into(),
        scheme: SCHEME.into(),
        commitment: 1,
        amount: 5_000,
        first_period: month,
        last_period: schema::next_month(schema::next_month(month)),
        registered_by: None,
        requires: vec!["https://example.org/vct/residence".into()],
    };
    send(finance(programme), &mut sent);
    let refund = FinanceCall::Transfer {
        currency: EUR.into(),
        from: Holder::Agency(agency()),
        to: Holder::Citizen(alice.address()),
        amount: 10_000,
        reference: "Refund 42".into(),
    };
    send(finance(refund), &mut sent);
    commit(&net, &mut sent);

    let rent = FinanceCall::Transfer {
        currency: EUR.into(),
        from: Holder::Citizen(alice.address()),
        to: Holder::Citizen(bob.address()),
        amount: 2_500,
        reference: "rent, march".into(),
    };
    submit(&net, &alice, 0, finance(rent), &mut sent);
    let proof = publica_crypto::vrf::prove(&alice, &nullifier_input(net.chain_id.as_str(), SCHEME, month));
    let nullifier = publica_finance::welfare::nullifier(&publica_crypto::vrf::proof_to_hash(&proof).unwrap());
    let claim = FinanceCall::Claim { programme: 0, period: month, citizen: alice.address(), proof: proof.to_vec() };
    send(finance(claim), &mut sent);
    commit(&net, &mut sent);
    World { net, officer, auditor, clerk, alice, bob, carol, year, month, nullifier }
}

// --- The public routes -------------------------------------------------------------------------------------------

#[tokio::test]
async fn money_budgets_payments_and_welfare_are_served_with_proofs_that_verify() {
    let w = world().await;
    let net = &w.net;
    let year = w.year;

    // The currency: its supply balances, its two tiers, the seven others proven absent.
    let c: CurrencyResponse = get(net, "/v1/finance/currencies/EUR", "/v1/finance/currencies/{code}").await;
    let supply = &c.currency;
    assert_eq!((supply.code.as_str(), supply.decimals, &supply.issuer), (EUR, 2, &agency()));
    assert_eq!((supply.issued, supply.redeemed, supply.private_accounts), (100_000_000, 0, 3));
    assert_eq!(supply.private_balances, 12_500 + 2_500 + 120_000, "Alice, Bob and the company");
    assert!(supply.balanced());
    assert_eq!(
        c.tiers,
        vec![
            CurrencyTier { tier: 1, balance_cap: 1_000_000, daily_outflow_cap: 200_000 },
            CurrencyTier { tier: 2, balance_cap: 100_000_000, daily_outflow_cap: 50_000_000 },
        ]
    );
    assert_eq!(c.proofs.len(), 10, "the currency, then tiers 1 to 9");
    assert_eq!(c.proofs[0].key, schema::currency_key(EUR));
    assert!(c.proofs[1].value.is_some() && c.proofs[2].value.is_some());
    assert!(c.proofs[3..].iter().all(|p| p.value.is_none()), "tiers 3 to 9 are proven absent");

    // The treasury's account, and that of an agency that never received money.
    let template = "/v1/finance/currencies/{code}/agencies/{agency}";
    let a: AgencyAccountResponse = get(net, "/v1/finance/currencies/EUR/agencies/land-registry", template).await;
    assert_eq!((a.agency, a.account.balance, a.account.hold), (agency(), supply.public_balances, None));
    assert_eq!(a.account.balance, 100_000_000 - 135_000);
    assert_eq!((a.currency.code.as_str(), a.proofs.len()), (EUR, 2));
    let none: AgencyAccountResponse = get(net, "/v1/finance/currencies/EUR/agencies/nobody", template).await;
    assert_eq!((none.account.balance, none.proofs[1].value.as_deref()), (0, None), "proven empty");

    // The budget, whole and page by page.
    let b: BudgetResponse = get(net, &format!("/v1/finance/budgets/{year}"), "/v1/finance/budgets/{year}").await;
    assert_eq!((b.budget.year, b.budget.lines, b.budget.appropriated), (year, 3, 71_000_000));
    assert_eq!((b.budget.currency.as_str(), &b.budget.treasury), (EUR, &agency()));
    let codes: Vec<&str> = b.lines.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["09.1-A", "04.5", "10.4-B"], "in the order enacted");
    assert_eq!(b.proofs.len(), 1 + 2 * 3, "the budget, then each line's index and record");
    assert_eq!(b.proofs[1].value, Some(publica_types::encode(&"09.1-A".to_owned())), "the index names the code");
    let schools = &b.lines[0];
    assert_eq!((schools.allocated, schools.committed, schools.paid), (500_000, 200_000, 120_000));
    let page: BudgetResponse =
        get(net, &format!("/v1/finance/budgets/{year}?from=1&limit=1"), "/v1/finance/budgets/{year}").await;
    assert_eq!((page.lines.len(), page.lines[0].name.as_str(), page.proofs.len()), (1, ROADS, 3));
    let past: BudgetResponse =
        get(net, &format!("/v1/finance/budgets/{year}?from=99999999999"), "/v1/finance/budgets/{year}").await;
    assert!(past.lines.is_empty() && past.proofs.len() == 1, "past the last line: the budget proves why");
    let max = format!("/v1/finance/budgets/{year}?limit={MAX_FINANCE_PAGE}");
    assert_eq!(get::<BudgetResponse>(net, &max, "/v1/finance/budgets/{year}").await.lines, b.lines);

    // A line's execution: 24 months proven, the months it moved in listed, adding up to its totals.
    let template = "/v1/finance/budgets/{year}/lines/{code}";
    let l: BudgetLineResponse = get(net, &format!("/v1/finance/budgets/{year}/lines/09.1-A"), template).await;
    assert_eq!(&l.line, schools);
    assert_eq!(l.proofs.len(), 1 + 24);
    assert!(!l.months.is_empty() && l.months.iter().all(|m| m.month / 100 == u32::from(year)));
    let sum = |f: fn(&publica_client::api::MonthExecution) -> u64| l.months.iter().map(f).sum::<u64>();
    assert_eq!((sum(|m| m.allocated), sum(|m| m.committed), sum(|m| m.paid)), (500_000, 200_000, 120_000));
    assert_eq!(l.proofs.iter().filter(|p| p.value.is_some()).count(), 1 + l.months.len());
    let roads: BudgetLineResponse = get(net, &format!("/v1/finance/budgets/{year}/lines/04.5"), template).await;
    assert!(roads.months.is_empty() && roads.proofs[1..].iter().all(|p| p.value.is_none()), "nothing moved");

    // The lines as CSV: RFC 4180, exact decimals, the name with a comma and quotes quoted.
    let reply = net.get(&format!("/v1/finance/budgets/{year}/lines.csv")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    assert_documented("get", "/v1/finance/budgets/{year}/lines.csv", &reply);
    assert_eq!(
        reply.text(),
        "code,cofog,economic,name,appropriation,allocated,committed,paid\r\n\
         09.1-A,09.1,21,Primary schools,500000.00,5000.00,2000.00,1200.00\r\n\
         04.5,04.5,31,\"Roads, bridges and \"\"tunnels\"\"\",200000.00,0.00,0.00,0.00\r\n\
         10.4-B,10.4,27,Family and children,10000.00,1000.00,1000.00,50.00\r\n"
    );

    // Allocations and commitments.
    let al: AllocationsResponse = get(net, "/v1/finance/allocations", "/v1/finance/allocations").await;
    assert_eq!((al.count, al.allocations.len(), al.proofs.len()), (2, 2, 3));
    assert_eq!((al.allocations[0].line.as_str(), al.allocations[0].committed), ("09.1-A", 200_000));
    assert_eq!(al.allocations[1].by, w.officer.address());
    let cm: CommitmentsResponse = get(net, "/v1/finance/commitments?from=1", "/v1/finance/commitments").await;
    assert_eq!((cm.count, cm.commitments.len(), cm.proofs.len()), (2, 1, 2));
    assert_eq!((cm.commitments[0].id, cm.commitments[0].payee.as_ref(), cm.commitments[0].paid), (1, None, 5_000));

    // Payments, and each one traced to its budget line: the supplier's in the clear, the benefit behind a
    // commitment to its holder.
    let p: PaymentsResponse = get(net, "/v1/finance/payments", "/v1/finance/payments").await;
    assert_eq!((p.count, p.payments.len(), p.proofs.len()), (2, 2, 3));
    assert_eq!(p.payments[0].payee, Payee::Public(Holder::Company(COMPANY.into())));
    assert!(matches!(p.payments[1].payee, Payee::Private(_)), "a citizen is not named in a payment");
    let first: PaymentsResponse = get(net, "/v1/finance/payments?from=0&limit=1", "/v1/finance/payments").await;
    assert_eq!((first.payments.len(), first.payments[0].id), (1, 0));
    let t: PaymentResponse = get(net, "/v1/finance/payments/0", "/v1/finance/payments/{id}").await;
    assert_eq!((t.payment.amount, t.commitment.id, t.allocation.id), (120_000, 0, 0));
    assert_eq!((t.line.code.as_str(), t.budget.year), ("09.1-A", year));
    let keys: Vec<Vec<u8>> = t.proofs.iter().map(|p| p.key.clone()).collect();
    let expected = [
        schema::payment_key(0),
        schema::commitment_key(0),
        schema::allocation_key(0),
        schema::line_key(year, "09.1-A"),
        schema::budget_key(year),
    ];
    assert_eq!(keys, expected, "five proofs, from the payment to the budget law");
    assert!(t.proofs.iter().all(|p| p.value.is_some()));
    let benefit: PaymentResponse = get(net, "/v1/finance/payments/1", "/v1/finance/payments/{id}").await;
    assert_eq!((benefit.commitment.id, benefit.line.code.as_str()), (1, "10.4-B"));
    assert_eq!(benefit.payment.reference, format!("programme 0 period {}", w.month));

    // The programme, with a total for each of its three periods.
    let gs: ProgrammesResponse = get(net, "/v1/finance/programmes", "/v1/finance/programmes").await;
    assert_eq!((gs.count, gs.programmes.len()), (1, 1));
    let g: ProgrammeResponse = get(net, "/v1/finance/programmes/0", "/v1/finance/programmes/{id}").await;
    assert_eq!(&g.programme, &gs.programmes[0]);
    assert_eq!((g.programme.claims, g.programme.paid, g.programme.scheme.as_str()), (1, 5_000, SCHEME));
    let periods: Vec<(u32, u64, u64)> = g.periods.iter().map(|p| (p.period, p.claims, p.paid)).collect();
    let (second, third) = (schema::next_month(w.month), schema::next_month(schema::next_month(w.month)));
    assert_eq!(periods, vec![(w.month, 1, 5_000), (second, 0, 0), (third, 0, 0)]);
    assert_eq!(g.proofs.len(), 1 + 3);
    assert!(g.proofs[1].value.is_some() && g.proofs[2].value.is_none() && g.proofs[3].value.is_none());

    // Alice's nullifier is recorded for the scheme and the month; another, or another month, proven absent.
    let template = "/v1/finance/nullifiers/{scheme}/{period}/{nullifier}";
    let uri = format!("/v1/finance/nullifiers/{SCHEME}/{}/{}", w.month, hex::encode(w.nullifier));
    let n: NullifierResponse = get(net, &uri, template).await;
    assert!(n.recorded);
    let record = n.record.as_ref().unwrap();
    assert_eq!((record.programme, record.payment), (0, 1));
    assert_eq!((n.scheme.as_str(), n.period, n.nullifier), (SCHEME, w.month, w.nullifier));
    let upper = format!("/v1/finance/nullifiers/{SCHEME}/{}/{}", w.month, hex::encode_upper(w.nullifier));
    assert!(get::<NullifierResponse>(net, &upper, template).await.recorded, "hex in either case");
    for uri in [
        format!("/v1/finance/nullifiers/{SCHEME}/{second}/{}", hex::encode(w.nullifier)),
        format!("/v1/finance/nullifiers/{SCHEME}/{}/{}", w.month, "ab".repeat(32)),
        format!("/v1/finance/nullifiers/other-scheme/{}/{}", w.month, hex::encode(w.nullifier)),
    ] {
        let n: NullifierResponse = get(net, &uri, template).await;
        assert!(!n.recorded && n.record.is_none() && n.proofs[0].value.is_none(), "{uri}");
    }

    // What does not exist.
    get_refused(
        net,
        "/v1/finance/currencies/USD",
        "/v1/finance/currencies/{code}",
        StatusCode::NOT_FOUND,
        "currency_not_found",
    )
    .await;
    let template = "/v1/finance/currencies/{code}/agencies/{agency}";
    get_refused(
        net,
        "/v1/finance/currencies/USD/agencies/land-registry",
        template,
        StatusCode::NOT_FOUND,
        "currency_not_found",
    )
    .await;
    for (uri, template) in [
        ("/v1/finance/budgets/2000".to_owned(), "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/2000/lines/09.1-A".to_owned(), "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/2000/lines.csv".to_owned(), "/v1/finance/budgets/{year}/lines.csv"),
    ] {
        let message = get_refused(net, &uri, template, StatusCode::NOT_FOUND, "budget_not_found").await;
        assert!(message.contains("2000"), "{message}");
    }
    let uri = format!("/v1/finance/budgets/{year}/lines/09.1-a");
    let template = "/v1/finance/budgets/{year}/lines/{code}";
    let message = get_refused(net, &uri, template, StatusCode::NOT_FOUND, "line_not_found").await;
    assert!(message.contains("case included"), "{message}");
    let message =
        get_refused(net, "/v1/finance/payments/2", "/v1/finance/payments/{id}", StatusCode::NOT_FOUND, "not_found")
            .await;
    assert!(message.contains("no payment 2"), "{message}");
    let template = "/v1/finance/programmes/{id}";
    let message =
        get_refused(net, "/v1/finance/programmes/1", template, StatusCode::NOT_FOUND, "programme_not_found").await;
    assert!(message.contains("no programme 1"), "{message}");
    let empty: PaymentsResponse = get(net, "/v1/finance/payments?from=2", "/v1/finance/payments").await;
    assert!(empty.payments.is_empty() && empty.proofs.len() == 1 && empty.count == 2);
}

// --- Private accounts --------------------------------------------------------------------------------------------

const READ: &str = "/v1/finance/accounts/read";

/// A read request's body: `request` signed with `key`, as a client sends it.
fn signed(net: &TestNet, key: &Keypair, request: ReadRequest, from: Option<u64>, limit: Option<u32>) -> Value {
    let signature = key.sign(&request.signing_message(net.chain_id.as_str()));
    serde_json::to_value(AccountReadRequest { request, signature: b64(&signature.to_bytes()), from, limit }).unwrap()
}

/// The request of `reader` for `holder`'s euro account, made now.
fn request(reader: &Keypair, holder: Holder) -> ReadRequest {
    ReadRequest { currency: EUR.into(), holder, reader: reader.address(), at_ms: now_ms() }
}

/// `reader`'s own signed request for `holder`'s euro account, made now.
fn by(net: &TestNet, reader: &Keypair, holder: Holder) -> Value {
    signed(net, reader, request(reader, holder), None, None)
}

async fn read(net: &TestNet, body: &Value) -> AccountReadResponse {
    proven(net, "post", READ, &net.post_json(READ, body).await)
}

async fn read_refused(net: &TestNet, body: &Value, status: StatusCode, code: &str) -> String {
    refused(&net.post_json(READ, body).await, "post", READ, status, code)
}

#[tokio::test]
async fn a_private_account_is_shown_to_its_operator_and_to_auditors_and_to_nobody_else() {
    let w = world().await;
    let net = &w.net;
    let alice_wallet = || Holder::Citizen(w.alice.address());
    let company = || Holder::Company(COMPANY.into());

    // Alice reads her wallet: three entries, oldest first, each proven.
    let r = read(net, &by(net, &w.alice, alice_wallet())).await;
    assert_eq!(
        (r.access, r.reader, &r.holder, r.currency.as_str()),
        (ReadAccess::Operator, w.alice.address(), &alice_wallet(), EUR)
    );
    assert_eq!((r.account.balance, r.account.entries, r.account.tier), (12_500, 3, 1));
    assert_eq!(r.account.operator, w.alice.address());
    assert_eq!(r.history.len(), 3);
    assert_eq!(r.proofs.len(), 1 + 3, "the account, then each entry");
    assert_eq!(r.proofs[0].key, schema::private_account_key(EUR, &alice_wallet()));
    for (n, proof) in r.proofs[1..].iter().enumerate() {
        assert_eq!(proof.key, schema::history_key(&r.account.history_seed, n as u64), "entry {n}");
    }
    let refund = r.history.iter().find(|e| e.reference == "Refund 42").expect("the treasury's transfer");
    assert_eq!((refund.credit, refund.debit, refund.counterparty.clone()), (10_000, 0, Some(Holder::Agency(agency()))));
    let rent = r.history.iter().find(|e| e.reference == "rent, march").expect("the rent");
    assert_eq!((rent.debit, rent.counterparty.clone()), (2_500, Some(Holder::Citizen(w.bob.address()))));
    assert_eq!(r.history.last().unwrap().balance, 12_500);
    // The benefit's payment names her account only by a commitment that her salt at the payment opens: the salt
    // moves on from the first one (the history seed) with each of her transactions, which her history lists.
    let t: PaymentResponse = get(net, "/v1/finance/payments/1", "/v1/finance/payments/{id}").await;
    let claim = r.history.iter().position(|e| e.credit == 5_000).expect("the benefit");
    assert_eq!(r.history[claim].counterparty, Some(Holder::Agency(agency())));
    let mut then = r.account.clone();
    then.salt = then.history_seed;
    r.history[..=claim].iter().for_each(|entry| then.touch(&entry.tx));
    assert_eq!(t.payment.payee, Payee::Private(then.payee_commitment()), "Alice opens the payment's payee");

    // A page of her history.
    let page = read(net, &signed(net, &w.alice, request(&w.alice, alice_wallet()), Some(1), Some(1))).await;
    assert_eq!((page.history.len(), page.proofs.len()), (1, 2));
    assert_eq!(page.history[0], r.history[1]);
    assert_eq!(page.proofs[1].key, schema::history_key(&r.account.history_seed, 1));
    let past = read(net, &signed(net, &w.alice, request(&w.alice, alice_wallet()), Some(3), None)).await;
    assert!(past.history.is_empty() && past.proofs.len() == 1);

    // Carol operates the company's account; the auditor reads anyone's, and is told which accounts do not exist.
    let c = read(net, &by(net, &w.carol, company())).await;
    assert_eq!((c.access, c.account.balance, c.account.tier, c.history.len()), (ReadAccess::Operator, 120_000, 2, 1));
    let b = read(net, &by(net, &w.auditor, Holder::Citizen(w.bob.address()))).await;
    assert_eq!((b.access, b.account.balance, b.reader), (ReadAccess::Auditor, 2_500, w.auditor.address()));
    let audit = read(net, &by(net, &w.auditor, company())).await;
    assert_eq!((audit.access, audit.account.balance), (ReadAccess::Auditor, 120_000));
    let message = read_refused(
        net,
        &by(net, &w.auditor, Holder::Company("0000-NONE".into())),
        StatusCode::NOT_FOUND,
        "account_not_found",
    )
    .await;
    assert!(message.contains("0000-NONE"), "{message}");
    // So is a citizen of their own wallet, which only they can sign for: Carol has none.
    read_refused(
        net,
        &by(net, &w.carol, Holder::Citizen(w.carol.address())),
        StatusCode::NOT_FOUND,
        "account_not_found",
    )
    .await;
    // In another currency, nothing.
    let mut other = request(&w.alice, alice_wallet());
    other.currency = "SEK".into();
    read_refused(net, &signed(net, &w.alice, other, None, None), StatusCode::NOT_FOUND, "account_not_found").await;

    // A replayed request within its window shows the same account: the window bounds it, TLS protects it.
    let body = by(net, &w.alice, alice_wallet());
    let once = net.post_json(READ, &body).await;
    let twice = net.post_json(READ, &body).await;
    assert_eq!((once.status, twice.status), (StatusCode::OK, StatusCode::OK));

    // Refusals, in the order they are checked.
    // The time, either way.
    let mut stale = request(&w.alice, alice_wallet());
    stale.at_ms -= 10 * 60 * 1000;
    let message =
        read_refused(net, &signed(net, &w.alice, stale, None, None), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("behind") && message.contains("sign a new one"), "{message}");
    let mut ahead = request(&w.alice, alice_wallet());
    ahead.at_ms += 10 * 60 * 1000;
    let message =
        read_refused(net, &signed(net, &w.alice, ahead, None, None), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("ahead") && message.contains("clock"), "{message}");
    // A reader who is not an account of the ledger.
    let stranger = key(76);
    let message = read_refused(
        net,
        &by(net, &stranger, Holder::Citizen(stranger.address())),
        StatusCode::FORBIDDEN,
        "not_permitted",
    )
    .await;
    assert!(message.contains("not an active account"), "{message}");
    // Another citizen's wallet, refused before the signature is looked at.
    let message = read_refused(net, &by(net, &w.bob, alice_wallet()), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("another citizen's wallet"), "{message}");
    let mut forged = by(net, &w.bob, alice_wallet());
    forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
    let message = read_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("another citizen's wallet"), "{message}");
    // Nor does a wallet that does not exist tell another citizen so.
    let message = read_refused(
        net,
        &by(net, &w.bob, Holder::Citizen(stranger.address())),
        StatusCode::FORBIDDEN,
        "not_permitted",
    )
    .await;
    assert!(message.contains("another citizen's wallet"), "{message}");
    // A signature by another key than the reader's.
    let impostor = signed(net, &w.bob, request(&w.alice, alice_wallet()), None, None);
    let message = read_refused(net, &impostor, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("does not verify") && message.contains(&w.alice.address().to_string()), "{message}");
    // A signature over another request (the request changed after signing).
    let mut altered = by(net, &w.alice, alice_wallet());
    let at_ms = altered["request"]["at_ms"].as_u64().unwrap();
    altered["request"]["at_ms"] = json!(at_ms - 1);
    assert!(read_refused(net, &altered, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));
    // An auditor's request is signed like anyone's.
    let mut auditor_forged = by(net, &w.auditor, company());
    auditor_forged["signature"] = by(net, &w.clerk, company())["signature"].clone();
    assert!(read_refused(net, &auditor_forged, StatusCode::FORBIDDEN, "not_permitted")
        .await
        .contains("does not verify"));

    // A company's account: its operator is private, so an unauthorised reader learns nothing of the account, whether
    // it exists or not. The clerk, signing properly, is refused alike for the company and for one with no account.
    let existing = read_refused(net, &by(net, &w.clerk, company()), StatusCode::FORBIDDEN, "not_permitted").await;
    let missing = read_refused(
        net,
        &by(net, &w.clerk, Holder::Company("0000-NONE".into())),
        StatusCode::FORBIDDEN,
        "not_permitted",
    )
    .await;
    assert_eq!(existing.replace(COMPANY, "N"), missing.replace("0000-NONE", "N"), "the same refusal");
    assert!(existing.contains("does not operate"), "{existing}");
    // Whoever forges a request, naming the real operator or anyone else, meets the signature first.
    for reader in [&w.carol, &w.clerk] {
        let mut forged = by(net, reader, company());
        forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
        assert!(read_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));
        let mut forged = by(net, reader, Holder::Company("0000-NONE".into()));
        forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
        assert!(read_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));
    }
    // Bob, who has a wallet, reading a company he does not operate.
    read_refused(net, &by(net, &w.bob, company()), StatusCode::FORBIDDEN, "not_permitted").await;
}

#[tokio::test]
async fn a_read_request_of_the_wrong_form_is_refused_before_anything_is_read() {
    // No block yet: a well-formed, well-timed request gets as far as the reader, who is not on the ledger.
    let net = TestNet::new();
    let alice = key(72);
    let wallet = || Holder::Citizen(alice.address());
    let good = signed(&net, &alice, request(&alice, wallet()), None, None);
    let message = read_refused(&net, &good, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("not an active account"), "{message}");

    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = good.clone();
        edit(&mut body);
        body
    };
    let company = |number: &str| {
        let mut r = request(&alice, Holder::Company(number.into()));
        r.at_ms = 1;
        signed(&net, &alice, r, None, None)
    };
    for (what, body) in [
        ("an unknown member", with(&|b| b["extra"] = json!(1))),
        ("an unknown member of the request", with(&|b| b["request"]["extra"] = json!(1))),
        (
            "no signature",
            with(&|b| {
                b.as_object_mut().unwrap().remove("signature");
            }),
        ),
        (
            "no request",
            with(&|b| {
                b.as_object_mut().unwrap().remove("request");
            }),
        ),
        ("a signature that is not base64", with(&|b| b["signature"] = json!("not base64!"))),
        ("a short signature", with(&|b| b["signature"] = json!(b64(&[0; 3372])))),
        ("a long signature", with(&|b| b["signature"] = json!(b64(&[0; 3374])))),
        ("a lowercase currency", with(&|b| b["request"]["currency"] = json!("eur"))),
        ("a currency of two letters", with(&|b| b["request"]["currency"] = json!("EU"))),
        ("an agency's account", with(&|b| b["request"]["holder"] = json!({"agency": "land-registry"}))),
        ("an unknown kind of holder", with(&|b| b["request"]["holder"] = json!({"bank": "x"}))),
        ("a bad address", with(&|b| b["request"]["reader"] = json!("xyz"))),
        ("a limit of 0", with(&|b| b["limit"] = json!(0))),
        ("a limit above the page", with(&|b| b["limit"] = json!(MAX_FINANCE_PAGE + 1))),
        ("a negative from", with(&|b| b["from"] = json!(-1))),
        ("a company number with a slash", company("a/b")),
        ("an empty company number", company("")),
    ] {
        let message = read_refused(&net, &body, StatusCode::BAD_REQUEST, "malformed_request").await;
        assert!(message.len() < 600, "{what}: {message}");
    }
    let message =
        read_refused(&net, &with(&|b| b["limit"] = json!(101)), StatusCode::BAD_REQUEST, "malformed_request").await;
    assert!(message.contains("1 to 100"), "{message}");
    let message = read_refused(
        &net,
        &with(&|b| b["request"]["holder"] = json!({"agency": "land-registry"})),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("/v1/finance/currencies/{code}/agencies/land-registry"), "{message}");
    // The form is checked before the time: a stale request of the wrong form is a 400.
    let stale_and_wrong = company("a/b");
    read_refused(&net, &stale_and_wrong, StatusCode::BAD_REQUEST, "malformed_request").await;
    // And the time before the reader.
    let mut old = request(&alice, wallet());
    old.at_ms = 1;
    let message =
        read_refused(&net, &signed(&net, &alice, old, None, None), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("behind"), "{message}");

    // A body over 16 KiB, and one that is not JSON.
    let large = with(&|b| b["signature"] = json!("A".repeat(publica_api::MAX_ACCOUNT_READ_BODY_BYTES)));
    refused(&net.post_json(READ, &large).await, "post", READ, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    let reply = net.post_text(READ, "text/plain", good.to_string()).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_documented("post", READ, &reply);
    let reply = net.post_text(READ, "application/json", "{".into()).await;
    refused(&reply, "post", READ, StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn the_state_route_refuses_the_keys_of_private_accounts_and_their_histories() {
    let w = world().await;
    let net = &w.net;
    let wallet = schema::private_account_key(EUR, &Holder::Citizen(w.alice.address()));
    let company = schema::private_account_key(EUR, &Holder::Company(COMPANY.into()));
    let r = read(net, &by(net, &w.alice, Holder::Citizen(w.alice.address()))).await;
    let entry = schema::history_key(&r.account.history_seed, 0);
    for key in [wallet.clone(), company, entry, b"fin/w/".to_vec(), b"fin/h/".to_vec()] {
        for text in [hex::encode(&key), hex::encode_upper(&key)] {
            let message = get_refused(
                net,
                &format!("/v1/state/{text}"),
                "/v1/state/{key}",
                StatusCode::FORBIDDEN,
                "not_permitted",
            )
            .await;
            assert!(message.contains("POST /v1/finance/accounts/read"), "{message}");
        }
    }
    // Every other key, the finance module's public ones among them, is served with its proof.
    for key in [schema::currency_key(EUR), schema::payment_key(1), b"fin/w".to_vec(), b"fin/".to_vec()] {
        let proof: ReadProof = get(net, &format!("/v1/state/{}", hex::encode(&key)), "/v1/state/{key}").await;
        assert_eq!(proof.key, key);
    }
    // The account route is one of those: it reads the accounts module's records only.
    let reply = net.get(&format!("/v1/accounts/{}", w.alice.address())).await;
    assert_eq!(reply.status, StatusCode::OK);
}

// --- Parameters --------------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_parameters_are_refused_before_any_read() {
    // No block yet: a request that got past its parameters would be answered 503 (or 404 for the CSV, which needs
    // no proof).
    let net = TestNet::new();
    let hash = "ab".repeat(32);
    for (uri, template) in [
        ("/v1/finance/currencies/eur", "/v1/finance/currencies/{code}"),
        ("/v1/finance/currencies/EU", "/v1/finance/currencies/{code}"),
        ("/v1/finance/currencies/ABCDEFGHI", "/v1/finance/currencies/{code}"),
        ("/v1/finance/currencies/E1R", "/v1/finance/currencies/{code}"),
        ("/v1/finance/currencies/EUR?x=1", "/v1/finance/currencies/{code}"),
        ("/v1/finance/currencies/eur/agencies/land-registry", "/v1/finance/currencies/{code}/agencies/{agency}"),
        ("/v1/finance/currencies/EUR/agencies/Land", "/v1/finance/currencies/{code}/agencies/{agency}"),
        ("/v1/finance/currencies/EUR/agencies/-x", "/v1/finance/currencies/{code}/agencies/{agency}"),
        ("/v1/finance/currencies/EUR/agencies/a_b", "/v1/finance/currencies/{code}/agencies/{agency}"),
        ("/v1/finance/currencies/EUR/agencies/x?y=1", "/v1/finance/currencies/{code}/agencies/{agency}"),
        ("/v1/finance/budgets/1969", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/10000", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/0999", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/+202", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/x", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/2026?limit=0", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/2026?limit=101", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/2026?from=-1", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/2026?form=1", "/v1/finance/budgets/{year}"),
        ("/v1/finance/budgets/1969/lines/A", "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/2026/lines/a_b", "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/2026/lines/a%20b", "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/2026/lines/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/2026/lines/A?x=1", "/v1/finance/budgets/{year}/lines/{code}"),
        ("/v1/finance/budgets/x/lines.csv", "/v1/finance/budgets/{year}/lines.csv"),
        ("/v1/finance/budgets/2026/lines.csv?x=1", "/v1/finance/budgets/{year}/lines.csv"),
        ("/v1/finance/payments?limit=0", "/v1/finance/payments"),
        ("/v1/finance/payments?limit=101", "/v1/finance/payments"),
        ("/v1/finance/payments?from=x", "/v1/finance/payments"),
        ("/v1/finance/payments?from=18446744073709551616", "/v1/finance/payments"),
        ("/v1/finance/payments?page=1", "/v1/finance/payments"),
        ("/v1/finance/payments/01", "/v1/finance/payments/{id}"),
        ("/v1/finance/payments/-1", "/v1/finance/payments/{id}"),
        ("/v1/finance/payments/+1", "/v1/finance/payments/{id}"),
        ("/v1/finance/payments/x", "/v1/finance/payments/{id}"),
        ("/v1/finance/payments/18446744073709551616", "/v1/finance/payments/{id}"),
        ("/v1/finance/payments/0?x=1", "/v1/finance/payments/{id}"),
        ("/v1/finance/allocations?limit=0", "/v1/finance/allocations"),
        ("/v1/finance/allocations?x=1", "/v1/finance/allocations"),
        ("/v1/finance/commitments?limit=1000", "/v1/finance/commitments"),
        ("/v1/finance/commitments?x=1", "/v1/finance/commitments"),
        ("/v1/finance/programmes?limit=0", "/v1/finance/programmes"),
        ("/v1/finance/programmes?x=1", "/v1/finance/programmes"),
        ("/v1/finance/programmes/00", "/v1/finance/programmes/{id}"),
        ("/v1/finance/programmes/1.0", "/v1/finance/programmes/{id}"),
        ("/v1/finance/programmes/0?x=1", "/v1/finance/programmes/{id}"),
    ] {
        let message = get_refused(&net, uri, template, StatusCode::BAD_REQUEST, "malformed_request").await;
        assert!(message.len() < 400, "{uri}: {message}");
    }
    let template = "/v1/finance/nullifiers/{scheme}/{period}/{nullifier}";
    for uri in [
        format!("/v1/finance/nullifiers/Child/202601/{hash}"),
        format!("/v1/finance/nullifiers/a_b/202601/{hash}"),
        format!("/v1/finance/nullifiers/{}/202601/{hash}", "a".repeat(65)),
        format!("/v1/finance/nullifiers/x/202613/{hash}"),
        format!("/v1/finance/nullifiers/x/202600/{hash}"),
        format!("/v1/finance/nullifiers/x/196912/{hash}"),
        format!("/v1/finance/nullifiers/x/2026/{hash}"),
        format!("/v1/finance/nullifiers/x/2026011/{hash}"),
        format!("/v1/finance/nullifiers/x/202601/{}", &hash[..63]),
        format!("/v1/finance/nullifiers/x/202601/{hash}0"),
        format!("/v1/finance/nullifiers/x/202601/{}zz", &hash[..62]),
        format!("/v1/finance/nullifiers/x/202601/{hash}?x=1"),
    ] {
        get_refused(&net, &uri, template, StatusCode::BAD_REQUEST, "malformed_request").await;
    }
    let message = get_refused(
        &net,
        "/v1/finance/payments?limit=101",
        "/v1/finance/payments",
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("1 to 100"), "{message}");
    let message = get_refused(
        &net,
        "/v1/finance/budgets/1969",
        "/v1/finance/budgets/{year}",
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("1970 to 9999"), "{message}");
    let message = get_refused(
        &net,
        "/v1/finance/payments/01",
        "/v1/finance/payments/{id}",
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("without leading zeros"), "{message}");

    // Well-formed requests get past their parameters: before the first block nothing exists, and nothing can be
    // proven yet.
    for (uri, template) in [
        ("/v1/finance/payments?from=18446744073709551615&limit=1".to_owned(), "/v1/finance/payments"),
        ("/v1/finance/allocations".to_owned(), "/v1/finance/allocations"),
        ("/v1/finance/commitments".to_owned(), "/v1/finance/commitments"),
        ("/v1/finance/programmes".to_owned(), "/v1/finance/programmes"),
        (
            format!("/v1/finance/nullifiers/x-1/999912/{}", hash.to_uppercase()),
            "/v1/finance/nullifiers/{scheme}/{period}/{nullifier}",
        ),
    ] {
        get_refused(&net, &uri, template, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    for (uri, template, status, code) in [
        ("/v1/finance/currencies/EUR", "/v1/finance/currencies/{code}", StatusCode::NOT_FOUND, "currency_not_found"),
        (
            "/v1/finance/currencies/EUR/agencies/land-registry",
            "/v1/finance/currencies/{code}/agencies/{agency}",
            StatusCode::NOT_FOUND,
            "currency_not_found",
        ),
        (
            "/v1/finance/budgets/2026?from=0&limit=100",
            "/v1/finance/budgets/{year}",
            StatusCode::NOT_FOUND,
            "budget_not_found",
        ),
        (
            "/v1/finance/budgets/9999/lines/A.b-9",
            "/v1/finance/budgets/{year}/lines/{code}",
            StatusCode::NOT_FOUND,
            "budget_not_found",
        ),
        (
            "/v1/finance/budgets/2026/lines.csv",
            "/v1/finance/budgets/{year}/lines.csv",
            StatusCode::NOT_FOUND,
            "budget_not_found",
        ),
        ("/v1/finance/payments/18446744073709551615", "/v1/finance/payments/{id}", StatusCode::NOT_FOUND, "not_found"),
        ("/v1/finance/programmes/0", "/v1/finance/programmes/{id}", StatusCode::NOT_FOUND, "programme_not_found"),
    ] {
        get_refused(&net, uri, template, status, code).await;
    }
}

#[tokio::test]
async fn every_documented_finance_operation_is_served() {
    let net = TestNet::new();
    let doc = document();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/finance/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let uri = path
                .replace("{code}", "EUR")
                .replace("{agency}", "land-registry")
                .replace("{year}", "2026")
                .replace("{id}", "0")
                .replace("{scheme}", SCHEME)
                .replace("{period}", "202601")
                .replace("{nullifier}", &"00".repeat(32));
            assert!(!uri.contains('{'), "{path} has a parameter this test does not know");
            let request = axum::http::Request::builder().method(method.to_uppercase().as_str()).uri(&uri);
            let reply = net.call(request.body(axum::body::Body::empty()).unwrap()).await;
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            let message = reply.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
            assert!(!message.starts_with("no route serves"), "{method} {uri}: {message}");
            assert_documented(method, path, &reply);
            seen += 1;
        }
    }
    let routes = publica_api::ROUTES.iter().filter(|r| r.path.starts_with("/v1/finance/")).count();
    assert_eq!((seen, routes), (13, 13), "every finance route is documented, and only those");
}

#[test]
fn the_longest_budget_answers_are_bounded() {
    assert_eq!(publica_api::MAX_LINES_CSV_BYTES, 2_795_065, "about 2.8 MB, as documented");
    assert_eq!(publica_crypto::SIGNATURE_LEN, 3373);
    assert_eq!(publica_api::READ_REQUEST_MAX_SKEW_MS, 300_000);
}

//! Budgets: the law and its amendments, allocations, commitments and payments, none above what it draws on, with
//! the totals by line and by month and the reads that trace a payment to the law.

use super::*;
use publica_finance::error as codes;
use publica_finance::query;
use publica_finance::schema::{Allocation, BudgetRecord, Commitment, LineRecord, MonthTotals, Payee, Payment};
use publica_types::ErrorCode;

fn amend(lines: Vec<BudgetLineSpec>) -> FinanceCall {
    FinanceCall::AmendBudget { year: YEAR, reference: "Supplementary Budget 2026:1".into(), lines }
}

fn allocate(year: u16, line: &str, to: &str, amount: u64) -> FinanceCall {
    FinanceCall::Allocate { year, line: line.into(), agency: agency(to), amount, reference: "Decision 2026:7".into() }
}

fn budget(w: &World) -> BudgetRecord {
    schema::get(&w.state, &schema::budget_key(YEAR)).expect("the budget is enacted")
}

fn budget_line(w: &World, code: &str) -> LineRecord {
    schema::get(&w.state, &schema::line_key(YEAR, code)).expect("the line exists")
}

fn month(w: &World, code: &str, period: u32) -> Option<MonthTotals> {
    schema::get(&w.state, &schema::line_month_key(YEAR, code, period))
}

/// The budget's lines with one more.
fn with_line(extra: BudgetLineSpec) -> FinanceCall {
    let mut lines = budget_lines();
    lines.push(extra);
    enact(YEAR, lines)
}

#[test]
fn the_parliament_enacts_one_budget_a_year_of_classified_lines() {
    let mut w = World::new();
    w.err(BUDGET_OFFICER, enact(YEAR, budget_lines()), ErrorCode::MissingRole);
    w.err(GOVERNOR, enact(YEAR, budget_lines()), ErrorCode::MissingRole);
    // COFOG: a division 01 to 10, a group NN.N or a class NN.N.N.
    for cofog in ["11", "9", "09.12", "00", "9.1", "09.", "09.1.2.3", "0a", "", "09-1"] {
        w.err(MP, with_line(line("X-1", cofog, "22", 10)), codes::LINE_INVALID);
    }
    // GFS economic classes: expense (2…) or non-financial assets (31…).
    for economic in ["41", "1", "32", "22222", "2a", ""] {
        w.err(MP, with_line(line("X-1", "09.1", economic, 10)), codes::LINE_INVALID);
    }
    w.err(MP, with_line(line("EDU-1", "09.2", "22", 10)), codes::LINE_INVALID);
    w.err(MP, with_line(line("X-1", "09.2", "22", 0)), codes::LINE_INVALID);
    for code in ["", "X 1", "X/1", &"X".repeat(33)] {
        w.err(MP, with_line(line(code, "09.2", "22", 10)), codes::LINE_INVALID);
    }
    let mut unnamed = line("X-1", "09.2", "22", 10);
    unnamed.name.clear();
    w.err(MP, with_line(unnamed), codes::LINE_INVALID);
    w.err(MP, enact(YEAR, vec![]), codes::LINE_INVALID);
    w.err(MP, enact(1969, budget_lines()), codes::LINE_INVALID);
    let huge = vec![line("A", "01", "2", u64::MAX / 2 + 1), line("B", "02", "2", u64::MAX / 2 + 1)];
    w.err(MP, enact(YEAR, huge), codes::AMOUNT_OVERFLOW);
    let mut call = enact(YEAR, budget_lines());
    if let FinanceCall::EnactBudget { currency, .. } = &mut call {
        *currency = "NOK".into();
    }
    w.err(MP, call, codes::CURRENCY_NOT_FOUND);
    let mut call = enact(YEAR, budget_lines());
    if let FinanceCall::EnactBudget { treasury, .. } = &mut call {
        *treasury = agency("no-such-agency");
    }
    w.err(MP, call, codes::HOLDER_INVALID);
    let mut call = enact(YEAR, budget_lines());
    if let FinanceCall::EnactBudget { reference, .. } = &mut call {
        reference.clear();
    }
    w.err(MP, call, codes::TEXT_INVALID);

    // Every form of classification the rules allow.
    let forms = vec![
        line("A", "01", "2", 1),
        line("B", "10", "211", 1),
        line("C", "09.1", "2111", 1),
        line("D", "07.3.1", "31", 1),
        line("E", "04.5", "311", 1),
        line("F", "03", "3", 1),
    ];
    w.ok(MP, enact(2027, forms));
    w.ok(MP, enact(YEAR, budget_lines()));
    w.err(MP, enact(YEAR, budget_lines()), codes::BUDGET_EXISTS);

    let record = budget(&w);
    assert_eq!((record.year, record.currency.as_str(), &record.treasury), (YEAR, SEK, &agency(MINISTRY)));
    assert_eq!((record.lines, record.appropriated, record.amendments), (3, 1_000_000, 0));
    assert_eq!((record.reference.as_str(), &record.last_amendment), ("Budget Act 2026", &None));
    for (n, spec) in budget_lines().iter().enumerate() {
        let code: String = schema::get(&w.state, &schema::line_index_key(YEAR, n as u32)).expect("indexed");
        assert_eq!(code, spec.code);
        let line = budget_line(&w, &code);
        assert_eq!(
            (&line.cofog, &line.economic, line.appropriation),
            (&spec.cofog, &spec.economic, spec.appropriation)
        );
        assert_eq!((line.allocated, line.committed, line.paid), (0, 0, 0));
    }
}

#[test]
fn an_amendment_changes_appropriations_and_adds_lines_but_keeps_classifications() {
    let mut w = World::new();
    w.err(MP, amend(vec![line("EDU-1", "09.1", "21", 1)]), codes::BUDGET_NOT_FOUND);
    w.enact_budget();
    w.allocate("EDU-1", SOCIAL, 200_000);
    w.err(BUDGET_OFFICER, amend(vec![line("EDU-1", "09.1", "21", 600_000)]), ErrorCode::MissingRole);
    w.err(MP, amend(vec![line("EDU-1", "09.2", "21", 600_000)]), codes::LINE_INVALID);
    w.err(MP, amend(vec![line("EDU-1", "09.1", "22", 600_000)]), codes::LINE_INVALID);
    w.err(MP, amend(vec![line("EDU-1", "09.1", "21", 199_999)]), codes::APPROPRIATION_EXCEEDED);
    w.err(MP, amend(vec![line("ENV-1", "05.3", "22", 10), line("ENV-1", "05.3", "22", 20)]), codes::LINE_INVALID);
    w.err(MP, amend(vec![line("ENV-1", "05.3", "41", 10)]), codes::LINE_INVALID);
    w.err(MP, amend(vec![]), codes::LINE_INVALID);
    // A refused amendment adds nothing, not even its lines before the one refused.
    let partly = vec![line("ENV-1", "05.3", "22", 10_000), line("EDU-1", "09.1", "21", 1)];
    w.err(MP, amend(partly), codes::APPROPRIATION_EXCEEDED);
    let unexplained = FinanceCall::AmendBudget { year: YEAR, reference: String::new(), lines: budget_lines() };
    w.err(MP, unexplained, codes::TEXT_INVALID);
    let unknown = FinanceCall::AmendBudget { year: 2030, reference: "Act".into(), lines: budget_lines() };
    w.err(MP, unknown, codes::BUDGET_NOT_FOUND);

    let mut renamed = line("SOC-1", "10.4", "27", 350_000);
    renamed.name = "Family benefits".into();
    w.ok(MP, amend(vec![line("EDU-1", "09.1", "21", 200_000), renamed, line("ENV-1", "05.3", "22", 40_000)]));
    let record = budget(&w);
    assert_eq!((record.lines, record.appropriated, record.amendments), (4, 200_000 + 350_000 + 200_000 + 40_000, 1));
    assert_eq!(record.last_amendment.as_deref(), Some("Supplementary Budget 2026:1"));
    let code: String = schema::get(&w.state, &schema::line_index_key(YEAR, 3)).expect("the new line is indexed");
    assert_eq!(code, "ENV-1");
    assert_eq!(schema::get::<String>(&w.state, &schema::line_index_key(YEAR, 4)), None);
    assert_eq!(budget_line(&w, "SOC-1").name, "Family benefits");
    assert_eq!(budget_line(&w, "ENV-1").appropriation, 40_000);
    // Education's appropriation is all allocated now.
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, 1), codes::APPROPRIATION_EXCEEDED);
    w.allocate("ENV-1", WORKS, 40_000);
    // A second amendment changes a line it added; the line count stays.
    w.ok(MP, amend(vec![line("ENV-1", "05.3", "22", 45_000)]));
    let record = budget(&w);
    assert_eq!((record.lines, record.appropriated, record.amendments), (4, 795_000, 2));
}

#[test]
fn allocations_stay_within_their_lines_appropriation() {
    let mut w = World::new();
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, 10), codes::BUDGET_NOT_FOUND);
    w.enact_budget();
    w.err(MINISTRY_TREASURER, allocate(YEAR, "EDU-1", SOCIAL, 10), ErrorCode::MissingRole);
    w.err(MP, allocate(YEAR, "EDU-1", SOCIAL, 10), ErrorCode::MissingRole);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-9", SOCIAL, 10), codes::LINE_NOT_FOUND);
    w.err(BUDGET_OFFICER, allocate(2027, "EDU-1", SOCIAL, 10), codes::BUDGET_NOT_FOUND);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", "no-such-agency", 10), codes::HOLDER_INVALID);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, 0), codes::AMOUNT_INVALID);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, 500_001), codes::APPROPRIATION_EXCEEDED);
    let unexplained = FinanceCall::Allocate {
        year: YEAR,
        line: "EDU-1".into(),
        agency: agency(SOCIAL),
        amount: 10,
        reference: String::new(),
    };
    w.err(BUDGET_OFFICER, unexplained, codes::TEXT_INVALID);

    assert_eq!(w.allocate("EDU-1", SOCIAL, 300_000), 0);
    assert_eq!(w.allocate("EDU-1", WORKS, 200_000), 1);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, 1), codes::APPROPRIATION_EXCEEDED);
    w.err(BUDGET_OFFICER, allocate(YEAR, "EDU-1", SOCIAL, u64::MAX), codes::AMOUNT_OVERFLOW);
    assert_eq!(budget_line(&w, "EDU-1").allocated, 500_000);
    let record: Allocation = schema::get(&w.state, &schema::allocation_key(1)).expect("stored");
    assert_eq!(
        (&record.agency, record.amount, record.committed, record.by),
        (&agency(WORKS), 200_000, 0, addr(BUDGET_OFFICER))
    );
    assert_eq!((record.year, record.line.as_str(), record.time_ms), (YEAR, "EDU-1", w.time_ms));
    let (records, count, keys) = query::allocations(&w.state, 0, 10);
    assert_eq!((records.len(), count), (2, 2));
    assert_eq!(keys, vec![schema::next_key("al"), schema::allocation_key(0), schema::allocation_key(1)]);
}

#[test]
fn commitments_stay_within_their_allocation_are_made_by_its_agency_and_name_no_citizen() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("WORKS-1", WORKS, 100_000);
    w.err(WORKS_TREASURER, commit(allocation, 10, None), ErrorCode::MissingRole);
    w.err(SOCIAL_SPENDER, commit(allocation, 10, None), codes::WRONG_AGENCY);
    w.err(WORKS_SPENDER, commit(99, 10, None), codes::ALLOCATION_NOT_FOUND);
    w.err(WORKS_SPENDER, commit(allocation, 0, None), codes::AMOUNT_INVALID);
    w.err(WORKS_SPENDER, commit(allocation, 100_001, Some(company(COMPANY))), codes::ALLOCATION_EXCEEDED);
    w.err(WORKS_SPENDER, commit(allocation, 10, Some(wallet(ALICE))), codes::HOLDER_INVALID);
    w.err(WORKS_SPENDER, commit(allocation, 10, Some(public("no-such-agency"))), codes::HOLDER_INVALID);
    w.err(WORKS_SPENDER, commit(allocation, 10, Some(company("no number!"))), codes::HOLDER_INVALID);
    let unexplained = FinanceCall::CommitFunds { allocation, amount: 10, payee: None, reference: String::new() };
    w.err(WORKS_SPENDER, unexplained, codes::TEXT_INVALID);

    let named = w.commit(WORKS_SPENDER, allocation, 60_000, Some(company(COMPANY)));
    let open = w.commit(WORKS_SPENDER, allocation, 40_000, None);
    assert_eq!((named, open), (0, 1));
    w.err(WORKS_SPENDER, commit(allocation, 1, None), codes::ALLOCATION_EXCEEDED);
    let record: Commitment = schema::get(&w.state, &schema::commitment_key(named)).expect("stored");
    assert_eq!((record.allocation, record.amount, record.paid), (allocation, 60_000, 0));
    assert_eq!((record.payee, record.by), (Some(company(COMPANY)), addr(WORKS_SPENDER)));
    let record: Allocation = schema::get(&w.state, &schema::allocation_key(allocation)).expect("stored");
    assert_eq!(record.committed, 100_000);
    assert_eq!(budget_line(&w, "WORKS-1").committed, 100_000);
    assert_eq!(query::commitments(&w.state, 1, 10).0.len(), 1);
}

#[test]
fn payments_go_from_the_treasury_account_to_the_commitments_payee() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("WORKS-1", WORKS, 150_000);
    let supplier = w.commit(WORKS_SPENDER, allocation, 100_000, Some(company(COMPANY)));
    let open = w.commit(WORKS_SPENDER, allocation, 20_000, None);
    let to_agency = w.commit(WORKS_SPENDER, allocation, 30_000, Some(public(SOCIAL)));

    w.err(WORKS_SPENDER, pay(supplier, company(COMPANY), 10), ErrorCode::MissingRole);
    w.err(SOCIAL_TREASURER, pay(supplier, company(COMPANY), 10), codes::WRONG_AGENCY);
    // The treasury's own treasurer does not pay against another agency's commitments.
    w.err(MINISTRY_TREASURER, pay(supplier, company(COMPANY), 10), codes::WRONG_AGENCY);
    w.err(WORKS_TREASURER, pay(99, company(COMPANY), 10), codes::COMMITMENT_NOT_FOUND);
    w.err(WORKS_TREASURER, pay(supplier, company(OTHER_COMPANY), 10), codes::PAYEE_MISMATCH);
    w.err(WORKS_TREASURER, pay(supplier, wallet(ALICE), 10), codes::PAYEE_MISMATCH);
    w.err(WORKS_TREASURER, pay(supplier, public(WORKS), 10), codes::PAYEE_MISMATCH);
    // A commitment with no payee pays a programme's claims only.
    w.err(WORKS_TREASURER, pay(open, company(COMPANY), 10), codes::PAYEE_MISMATCH);
    w.err(WORKS_TREASURER, pay(open, wallet(ALICE), 10), codes::PAYEE_MISMATCH);
    w.err(WORKS_TREASURER, pay(supplier, company(COMPANY), 0), codes::AMOUNT_INVALID);
    w.err(WORKS_TREASURER, pay(supplier, company(COMPANY), 100_001), codes::COMMITMENT_EXCEEDED);
    let unexplained =
        FinanceCall::Pay { commitment: supplier, to: company(COMPANY), amount: 10, reference: String::new() };
    w.err(WORKS_TREASURER, unexplained, codes::TEXT_INVALID);

    let payment = id(w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 60_000)));
    w.err(WORKS_TREASURER, pay(supplier, company(COMPANY), 40_001), codes::COMMITMENT_EXCEEDED);
    assert_eq!(w.balance(&company(COMPANY)), 60_000);
    assert_eq!(w.balance(&public(MINISTRY)), TREASURY_FUNDS - 60_000);
    assert_eq!(w.balance(&public(WORKS)), 0, "payments come from the treasury account, not the spending agency's");
    let record: Payment = schema::get(&w.state, &schema::payment_key(payment)).expect("stored");
    assert_eq!((record.commitment, record.amount, record.payee), (supplier, 60_000, Payee::Public(company(COMPANY))));
    assert_eq!((record.reference.as_str(), record.time_ms), ("Invoice 2026-17", w.time_ms));
    let record: Commitment = schema::get(&w.state, &schema::commitment_key(supplier)).expect("stored");
    assert_eq!(record.paid, 60_000);
    assert_eq!(budget_line(&w, "WORKS-1").paid, 60_000);

    w.ok(WORKS_TREASURER, pay(to_agency, public(SOCIAL), 30_000));
    assert_eq!(w.balance(&public(SOCIAL)), 30_000);
    w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 40_000));
    let (payments, count, keys) = query::payments(&w.state, 0, 10);
    assert_eq!((payments.len(), count, keys.len()), (3, 3, 4));
    assert_eq!(budget_line(&w, "WORKS-1").paid, 130_000);
}

#[test]
fn a_payment_needs_the_money_in_the_treasury_account_and_an_open_account_to_pay_into() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("WORKS-1", WORKS, 200_000);
    let supplier = w.commit(WORKS_SPENDER, allocation, 100_000, Some(company(COMPANY)));
    let unopened = w.commit(WORKS_SPENDER, allocation, 10_000, Some(company(OTHER_COMPANY)));
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), public(SOCIAL), TREASURY_FUNDS - 50_000));
    w.err(WORKS_TREASURER, pay(supplier, company(COMPANY), 50_001), codes::INSUFFICIENT_FUNDS);
    w.err(WORKS_TREASURER, pay(unopened, company(OTHER_COMPANY), 1_000), codes::ACCOUNT_NOT_FOUND);
    let judge = FinanceCall::PlaceHold { currency: SEK.into(), holder: public(MINISTRY), reason: "Order".into() };
    w.ok(SUPERVISOR, judge);
    w.err(WORKS_TREASURER, pay(supplier, company(COMPANY), 1_000), codes::ACCOUNT_HELD);
    w.ok(SUPERVISOR, FinanceCall::ReleaseHold { currency: SEK.into(), holder: public(MINISTRY) });
    w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 50_000));
    assert_eq!(w.balance(&public(MINISTRY)), 0);
    let record: Commitment = schema::get(&w.state, &schema::commitment_key(supplier)).expect("stored");
    assert_eq!(record.paid, 50_000);
    assert_eq!(query::count_with_key(&w.state, "p").0, 1);
}

#[test]
fn a_lines_totals_are_kept_by_the_month_of_the_block_time() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("WORKS-1", WORKS, 100_000);
    let supplier = w.commit(WORKS_SPENDER, allocation, 80_000, Some(company(COMPANY)));
    w.time_ms = at(202603, 31, 23);
    w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 30_000));
    w.time_ms = at(202604, 1, 0);
    w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 20_000));
    let more = w.allocate("WORKS-1", WORKS, 50_000);
    w.commit(WORKS_SPENDER, more, 10_000, Some(company(COMPANY)));
    // A late payment of the fiscal year, in the next year.
    w.time_ms = at(202701, 15, 12);
    w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 5_000));

    let march = MonthTotals { allocated: 100_000, committed: 80_000, paid: 30_000 };
    let april = MonthTotals { allocated: 50_000, committed: 10_000, paid: 20_000 };
    let january = MonthTotals { allocated: 0, committed: 0, paid: 5_000 };
    assert_eq!(month(&w, "WORKS-1", 202603), Some(march));
    assert_eq!(month(&w, "WORKS-1", 202604), Some(april));
    assert_eq!(month(&w, "WORKS-1", 202605), None);
    assert_eq!(month(&w, "EDU-1", 202603), None);

    let (line, months, keys) = query::line_execution(&w.state, YEAR, "WORKS-1").expect("the line exists");
    assert_eq!((line.allocated, line.committed, line.paid), (150_000, 90_000, 55_000));
    assert_eq!(months, vec![(202603, march), (202604, april), (202701, january)]);
    assert_eq!(keys.len(), 1 + 24);
    assert_eq!(keys[0], schema::line_key(YEAR, "WORKS-1"));
    assert_eq!(keys[1], schema::line_month_key(YEAR, "WORKS-1", 202601));
    assert_eq!(keys[24], schema::line_month_key(YEAR, "WORKS-1", 202712));
    assert!(query::line_execution(&w.state, YEAR, "WORKS-9").is_none());
}

#[test]
fn a_payment_traces_to_its_commitment_allocation_line_and_budget() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("WORKS-1", WORKS, 100_000);
    let supplier = w.commit(WORKS_SPENDER, allocation, 80_000, Some(company(COMPANY)));
    let payment = id(w.ok(WORKS_TREASURER, pay(supplier, company(COMPANY), 30_000)));
    let (trace, keys) = query::payment_trace(&w.state, payment).expect("the payment exists");
    assert_eq!(
        keys,
        vec![
            schema::payment_key(payment),
            schema::commitment_key(supplier),
            schema::allocation_key(allocation),
            schema::line_key(YEAR, "WORKS-1"),
            schema::budget_key(YEAR),
        ]
    );
    assert!(keys.iter().all(|key| publica_types::StateRead::get(&w.state, key).is_some()));
    assert_eq!((trace.payment.id, trace.payment.amount), (payment, 30_000));
    assert_eq!((trace.commitment.id, trace.allocation.id), (supplier, allocation));
    assert_eq!((trace.line.code.as_str(), trace.line.paid, trace.budget.year), ("WORKS-1", 30_000, YEAR));
    assert!(query::payment_trace(&w.state, payment + 1).is_none());
}

#[test]
fn a_budgets_lines_are_read_page_by_page_in_the_order_enacted() {
    let mut w = World::new();
    assert!(query::budget_with_lines(&w.state, YEAR, 0, 10).is_none());
    w.enact_budget();
    w.ok(MP, amend(vec![line("ENV-1", "05.3", "22", 1), line("DEF-1", "02", "21", 1), line("HLT-1", "07", "2", 1)]));
    let codes = ["EDU-1", "SOC-1", "WORKS-1", "ENV-1", "DEF-1", "HLT-1"];

    let (budget, lines, keys) = query::budget_with_lines(&w.state, YEAR, 0, 2).expect("enacted");
    assert_eq!(budget.lines, 6);
    assert_eq!(lines.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), codes[..2]);
    let expected = vec![
        schema::budget_key(YEAR),
        schema::line_index_key(YEAR, 0),
        schema::line_key(YEAR, "EDU-1"),
        schema::line_index_key(YEAR, 1),
        schema::line_key(YEAR, "SOC-1"),
    ];
    assert_eq!(keys, expected);

    let mut all = Vec::new();
    let mut from = 0;
    loop {
        let (_, page, keys) = query::budget_with_lines(&w.state, YEAR, from, 4).expect("enacted");
        assert_eq!(keys.len(), 1 + 2 * page.len());
        if page.is_empty() {
            break;
        }
        from += page.len() as u32;
        all.extend(page.into_iter().map(|l| l.code));
    }
    assert_eq!(all, codes);
    let (_, tail, _) = query::budget_with_lines(&w.state, YEAR, 5, 10).expect("enacted");
    assert_eq!(tail.len(), 1);
    let (_, none, keys) = query::budget_with_lines(&w.state, YEAR, 9, 10).expect("enacted");
    assert!(none.is_empty());
    assert_eq!(keys, vec![schema::budget_key(YEAR)]);
}

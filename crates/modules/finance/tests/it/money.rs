//! Public money: currencies and their tiers, issuing and redeeming, opening private accounts, transfers and their
//! limits, holds, and the salts that keep a private account's record hash meaningless to others.

use super::*;
use publica_finance::error as codes;
use publica_types::ErrorCode;

fn define(code: &str, decimals: u8) -> FinanceCall {
    FinanceCall::DefineCurrency { code: code.into(), name: "Crown".into(), decimals }
}

fn issue(to: &str, amount: u64) -> FinanceCall {
    FinanceCall::Issue { currency: SEK.into(), to: agency(to), amount }
}

fn redeem(amount: u64) -> FinanceCall {
    FinanceCall::Redeem { currency: SEK.into(), amount }
}

fn hold(holder: Holder) -> FinanceCall {
    FinanceCall::PlaceHold { currency: SEK.into(), holder, reason: "Order B 1234-26".into() }
}

fn release(holder: Holder) -> FinanceCall {
    FinanceCall::ReleaseHold { currency: SEK.into(), holder }
}

fn set_account_tier(holder: Holder, tier: u8) -> FinanceCall {
    FinanceCall::SetAccountTier { currency: SEK.into(), holder, tier }
}

#[test]
fn a_currency_code_is_three_to_eight_capital_letters_and_is_defined_once() {
    let mut w = World::new();
    for bad in ["sek", "Nok", "NO", "ABCDEFGHI", "NO1", "N K", "ÅÄÖ", ""] {
        w.err(GOVERNOR, define(bad, 2), codes::CURRENCY_INVALID);
    }
    w.err(GOVERNOR, define("NOK", 9), codes::CURRENCY_INVALID);
    let unnamed = FinanceCall::DefineCurrency { code: "NOK".into(), name: String::new(), decimals: 2 };
    w.err(GOVERNOR, unnamed, codes::TEXT_INVALID);
    w.err(GOVERNOR, define(SEK, 2), codes::CURRENCY_EXISTS);
    // Another issuer cannot take a currency over by defining it again.
    w.err(FOREIGN_GOVERNOR, define(SEK, 0), codes::CURRENCY_EXISTS);
    w.err(BANKER, define("NOK", 2), ErrorCode::MissingRole);
    w.err(ALICE, define("NOK", 2), ErrorCode::MissingRole);

    w.ok(GOVERNOR, define("ABCDEFGH", 8));
    w.ok(GOVERNOR, define("NOK", 0));
    let nok = schema::currency(&w.state, "NOK").expect("defined");
    assert_eq!((&nok.issuer, nok.decimals, nok.issued, nok.redeemed), (&agency(CENTRAL_BANK), 0, 0, 0));
    assert_eq!((nok.public_balances, nok.private_balances, nok.private_accounts), (0, 0, 0));
    assert_eq!(publica_finance::query::currency_with_key(&w.state, "NOK").1, vec![schema::currency_key("NOK")]);
}

#[test]
fn tiers_are_numbered_one_to_nine_and_set_by_the_issuer() {
    let mut w = World::new();
    w.err(GOVERNOR, set_tier(SEK, 0, 100, 100), codes::TIER_INVALID);
    w.err(GOVERNOR, set_tier(SEK, 10, 100, 100), codes::TIER_INVALID);
    w.err(FOREIGN_GOVERNOR, set_tier(SEK, 3, 100, 100), codes::NOT_THE_ISSUER);
    w.err(BANKER, set_tier(SEK, 3, 100, 100), ErrorCode::MissingRole);
    w.err(GOVERNOR, set_tier("NOK", 1, 100, 100), codes::CURRENCY_NOT_FOUND);
    // An account cannot be opened in a tier the currency does not define.
    w.err(BANKER, open(SEK, wallet(OLGA), None, 3), codes::TIER_INVALID);
    w.err(BANKER, open(SEK, wallet(OLGA), None, 0), codes::TIER_INVALID);

    w.ok(GOVERNOR, set_tier(SEK, 9, u64::MAX, u64::MAX));
    w.ok(GOVERNOR, set_tier(SEK, 3, 50_000, 20_000));
    let (tier, keys) = publica_finance::query::tier_with_key(&w.state, SEK, 3);
    assert_eq!(tier, Some(schema::TierRecord { balance_cap: 50_000, daily_outflow_cap: 20_000 }));
    assert_eq!(keys, vec![schema::tier_key(SEK, 3)]);
    w.ok(BANKER, open(SEK, wallet(OLGA), None, 3));
    assert_eq!(w.account(&wallet(OLGA)).tier, 3);
}

#[test]
fn only_a_currency_issuer_of_the_issuing_agency_issues_and_redeems() {
    let mut w = World::new();
    w.err(FOREIGN_GOVERNOR, issue(MINISTRY, 100), codes::NOT_THE_ISSUER);
    w.err(FOREIGN_GOVERNOR, redeem(100), codes::NOT_THE_ISSUER);
    // A bank's official, and the issuing agency's own supervisor, hold no currency-issuer role.
    w.err(BANKER, issue(MINISTRY, 100), ErrorCode::MissingRole);
    w.err(BANKER, redeem(100), ErrorCode::MissingRole);
    w.err(SUPERVISOR, issue(MINISTRY, 100), ErrorCode::MissingRole);
    // A role the official's agency may not grant authorises nothing.
    Accounts::new(&mut w.state).official("rogue", BANK, &["currency-issuer"]);
    w.err("rogue", issue(MINISTRY, 100), publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY);
    w.err(GOVERNOR, issue(MINISTRY, 0), codes::AMOUNT_INVALID);
    w.err(GOVERNOR, issue("no-such-agency", 100), codes::HOLDER_INVALID);
    w.err(
        GOVERNOR,
        FinanceCall::Issue { currency: "NOK".into(), to: agency(MINISTRY), amount: 1 },
        codes::CURRENCY_NOT_FOUND,
    );

    // Redeeming takes money from the issuing agency's own account, which holds nothing yet.
    w.err(GOVERNOR, redeem(1), codes::INSUFFICIENT_FUNDS);
    w.ok(GOVERNOR, issue(CENTRAL_BANK, 5_000));
    w.err(GOVERNOR, redeem(5_001), codes::INSUFFICIENT_FUNDS);
    w.err(GOVERNOR, redeem(0), codes::AMOUNT_INVALID);
    w.ok(GOVERNOR, redeem(2_000));
    assert_eq!(w.balance(&public(CENTRAL_BANK)), 3_000);
    assert_eq!(w.balance(&public(MINISTRY)), TREASURY_FUNDS);
    let sek = w.currency();
    assert_eq!((sek.issued, sek.redeemed, sek.circulating()), (TREASURY_FUNDS + 5_000, 2_000, TREASURY_FUNDS + 3_000));
    assert_eq!((sek.public_balances, sek.private_balances), (TREASURY_FUNDS + 3_000, 0));

    // A suspended issuer issues nothing.
    suspend(&mut w, GOVERNOR);
    w.err(GOVERNOR, issue(MINISTRY, 1), ErrorCode::AccountInactive);
}

#[test]
fn issuing_past_the_largest_amount_is_refused_as_an_overflow() {
    let mut w = World::new();
    let room = u64::MAX - TREASURY_FUNDS;
    w.ok(GOVERNOR, issue(SOCIAL, room - 10));
    w.err(GOVERNOR, issue(SOCIAL, 11), codes::AMOUNT_OVERFLOW);
    w.err(GOVERNOR, issue(WORKS, u64::MAX), codes::AMOUNT_OVERFLOW);
    w.ok(GOVERNOR, issue(WORKS, 10));
    let sek = w.currency();
    assert_eq!(sek.issued, u64::MAX);
    assert_eq!(sek.public_balances, u64::MAX);
    // The whole supply moves between accounts without overflowing any of them.
    w.ok(SOCIAL_TREASURER, transfer(public(SOCIAL), public(WORKS), room - 10));
    assert_eq!(w.balance(&public(WORKS)), room);
    w.ok(WORKS_TREASURER, transfer(public(WORKS), public(MINISTRY), room));
    assert_eq!(w.balance(&public(MINISTRY)), u64::MAX);
}

#[test]
fn banks_open_wallets_for_citizens_and_business_accounts_operated_by_an_account() {
    let mut w = World::new();
    // The world opened five wallets and one business account.
    assert_eq!(w.currency().private_accounts, 6);
    let alice = w.account(&wallet(ALICE));
    assert_eq!((alice.operator, alice.tier, alice.balance), (addr(ALICE), 1, 0));
    assert_eq!((&alice.opened_by, &alice.hold, alice.transactions), (&agency(BANK), &None, 1));
    let business = w.account(&company(COMPANY));
    assert_eq!((business.operator, business.tier, business.holder.clone()), (addr(OLGA), 2, company(COMPANY)));

    w.err(BANKER, open(SEK, company(OTHER_COMPANY), None, 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, wallet(OLGA), Some(addr(OLGA)), 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, wallet(OLGA), Some(addr(BOB)), 1), codes::HOLDER_INVALID);
    // An official is not a citizen, nor is an address with no account.
    w.err(BANKER, open(SEK, wallet(JUDGE), None, 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, wallet("nobody"), None, 1), codes::HOLDER_INVALID);
    // An agency's account is public and never opened.
    w.err(BANKER, open(SEK, public(SOCIAL), None, 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, public(SOCIAL), Some(addr(SOCIAL_TREASURER)), 1), codes::HOLDER_INVALID);
    // A company number of letters, digits and '-', run by an active account.
    w.err(BANKER, open(SEK, company("5560 0002"), Some(addr(OLGA)), 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, company(""), Some(addr(OLGA)), 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, company(&"9".repeat(33)), Some(addr(OLGA)), 1), codes::HOLDER_INVALID);
    w.err(BANKER, open(SEK, company(OTHER_COMPANY), Some(addr("nobody")), 1), codes::HOLDER_INVALID);
    // One account per holder and currency, whichever bank asks.
    w.err(BANKER, open(SEK, wallet(ALICE), None, 1), codes::ACCOUNT_EXISTS);
    w.err(BANKER_2, open(SEK, wallet(ALICE), None, 2), codes::ACCOUNT_EXISTS);
    w.err(BANKER_2, open(SEK, company(COMPANY), Some(addr(BOB)), 2), codes::ACCOUNT_EXISTS);
    w.err(BANKER, open("NOK", wallet(OLGA), None, 1), codes::CURRENCY_NOT_FOUND);
    // Only a bank opens accounts: not the issuer, not the citizen.
    w.err(GOVERNOR, open(SEK, wallet(OLGA), None, 1), ErrorCode::MissingRole);
    w.err(OLGA, open(SEK, wallet(OLGA), None, 1), ErrorCode::MissingRole);
    suspend(&mut w, DAVE);
    w.err(BANKER, open(SEK, company(OTHER_COMPANY), Some(addr(DAVE)), 1), codes::HOLDER_INVALID);
    w.err(BANKER_2, open(EUR, wallet(DAVE), None, 1), codes::HOLDER_INVALID);

    // An official may operate a company's account; a wallet in another currency is another account.
    w.ok(BANKER_2, open(SEK, company(OTHER_COMPANY), Some(addr(JUDGE)), 1));
    w.ok(BANKER, open(EUR, wallet(ALICE), None, 1));
    assert_eq!(w.account(&company(OTHER_COMPANY)).opened_by, agency(BANK_2));
    assert_eq!(w.currency().private_accounts, 7);
    assert_eq!(schema::currency(&w.state, EUR).expect("defined").private_accounts, 1);
    assert_eq!(w.account_in(EUR, &wallet(ALICE)).operator, addr(ALICE));
}

#[test]
fn citizens_pay_each_other_and_agencies_and_a_treasurer_pays_a_company() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 4_000));
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 1_500));
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), 500));
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), company(COMPANY), 20_000));
    w.ok(SOCIAL_TREASURER, transfer(public(SOCIAL), company(COMPANY), 500));
    w.ok(OLGA, transfer(company(COMPANY), wallet(CAROL), 700));
    assert_eq!(w.balance(&wallet(ALICE)), 2_000);
    assert_eq!(w.balance(&wallet(BOB)), 1_500);
    assert_eq!(w.balance(&wallet(CAROL)), 700);
    assert_eq!(w.balance(&public(SOCIAL)), 0);
    assert_eq!(w.balance(&company(COMPANY)), 19_800);
    assert_eq!(w.balance(&public(MINISTRY)), TREASURY_FUNDS - 24_000);
    let sek = w.currency();
    assert_eq!((sek.public_balances, sek.private_balances), (TREASURY_FUNDS - 24_000, 24_000));
    // A transfer in EUR moves nothing in SEK.
    w.ok(BANKER, open(EUR, wallet(ALICE), None, 1));
    w.ok(FOREIGN_GOVERNOR, FinanceCall::Issue { currency: EUR.into(), to: agency(SOCIAL), amount: 900 });
    w.ok(SOCIAL_TREASURER, transfer_in(EUR, public(SOCIAL), wallet(ALICE), 900));
    assert_eq!((w.balance_in(EUR, &wallet(ALICE)), w.balance(&wallet(ALICE))), (900, 2_000));
}

#[test]
fn a_transfer_is_refused_when_it_overdraws_is_zero_or_has_nowhere_to_go() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1_000));
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 1_001), codes::INSUFFICIENT_FUNDS);
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), public(SOCIAL), TREASURY_FUNDS), codes::INSUFFICIENT_FUNDS);
    w.err(SOCIAL_TREASURER, transfer(public(SOCIAL), public(WORKS), 1), codes::INSUFFICIENT_FUNDS);
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 0), codes::AMOUNT_INVALID);
    w.err(ALICE, transfer(wallet(ALICE), wallet(ALICE), 10), codes::SAME_ACCOUNT);
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), public(MINISTRY), 10), codes::SAME_ACCOUNT);
    // Alice has no EUR wallet: the account debited does not exist in that currency.
    w.err(ALICE, transfer_in(EUR, wallet(ALICE), wallet(BOB), 10), codes::ACCOUNT_NOT_FOUND);
    w.ok(BANKER, open(EUR, wallet(ALICE), None, 1));
    w.ok(FOREIGN_GOVERNOR, FinanceCall::Issue { currency: EUR.into(), to: agency(SOCIAL), amount: 50 });
    w.ok(SOCIAL_TREASURER, transfer_in(EUR, public(SOCIAL), wallet(ALICE), 50));
    // Now hers exists but Bob's, to be credited, does not.
    w.err(ALICE, transfer_in(EUR, wallet(ALICE), wallet(BOB), 10), codes::ACCOUNT_NOT_FOUND);
    w.err(ALICE, transfer_in("NOK", wallet(ALICE), wallet(BOB), 10), codes::CURRENCY_NOT_FOUND);
    // Accounts that were never opened, and holders that cannot exist.
    w.err(ALICE, transfer(wallet(ALICE), wallet(OLGA), 10), codes::ACCOUNT_NOT_FOUND);
    w.err(OLGA, transfer(wallet(OLGA), wallet(ALICE), 10), codes::ACCOUNT_NOT_FOUND);
    w.err(ALICE, transfer(wallet(ALICE), company(OTHER_COMPANY), 10), codes::ACCOUNT_NOT_FOUND);
    w.err(ALICE, transfer(wallet(ALICE), public("no-such-agency"), 10), codes::HOLDER_INVALID);
    w.err(ALICE, transfer(wallet(ALICE), company("not a number"), 10), codes::HOLDER_INVALID);
    // A transfer says what it pays, in at most 140 bytes.
    for reference in [String::new(), "x".repeat(141)] {
        let call =
            FinanceCall::Transfer { currency: SEK.into(), from: wallet(ALICE), to: wallet(BOB), amount: 10, reference };
        w.err(ALICE, call, codes::TEXT_INVALID);
    }
    assert_eq!(w.balance(&wallet(ALICE)), 1_000);
    assert_eq!(w.balance(&wallet(BOB)), 0);
}

#[test]
fn a_credit_that_would_pass_the_recipients_balance_cap_is_refused_and_the_debit_undone() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), TIER1_CAP));
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(BOB), TIER1_CAP - 100));
    let alice = w.account(&wallet(ALICE));
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 101), codes::BALANCE_CAP_EXCEEDED);
    assert_eq!(w.account(&wallet(ALICE)), alice, "the payer's debit is undone with the refusal");
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1), codes::BALANCE_CAP_EXCEEDED);
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 100));
    assert_eq!(w.balance(&wallet(BOB)), TIER1_CAP);

    // A higher tier holds more.
    w.ok(BANKER, set_account_tier(wallet(BOB), 2));
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 1_000));
    assert_eq!(w.balance(&wallet(BOB)), TIER1_CAP + 1_000);
    // A tier's cap lowered under a balance keeps the money but takes no more in; sending still works.
    w.ok(GOVERNOR, set_tier(SEK, 1, 5_000, TIER1_DAILY));
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1), codes::BALANCE_CAP_EXCEEDED);
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1_000));
    assert_eq!(w.balance(&wallet(ALICE)), TIER1_CAP - 100 - 1_000 - 1_000);
}

#[test]
fn a_days_outflow_is_capped_and_the_cap_starts_again_at_midnight_utc() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), TIER1_CAP));
    w.time_ms = at(202603, 10, 13);
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 3_000));
    w.time_ms = at(202603, 10, 23);
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 2_001), codes::DAILY_LIMIT_EXCEEDED);
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 2_000));
    // Money received does not count against what may be sent.
    w.ok(BOB, transfer(wallet(BOB), wallet(ALICE), 1_000));
    w.time_ms = at(202603, 11, 0) - 1;
    w.err(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1), codes::DAILY_LIMIT_EXCEEDED);
    w.time_ms = at(202603, 11, 0);
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), TIER1_DAILY));
    let alice = w.account(&wallet(ALICE));
    assert_eq!((alice.balance, alice.day, alice.day_outflow), (1_000, at(202603, 11, 0) / DAY_MS, TIER1_DAILY));
    w.err(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1), codes::DAILY_LIMIT_EXCEEDED);
    // A day later, even after a day without transfers.
    w.time_ms = at(202603, 13, 9);
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1_000));
    // Agencies' accounts have no tier and no daily cap.
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), public(WORKS), TREASURY_FUNDS / 2));
}

#[test]
fn only_the_payer_debits_an_account() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1_000));
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), company(COMPANY), 1_000));
    w.err(BOB, transfer(wallet(ALICE), wallet(BOB), 10), codes::NOT_ACCOUNT_OPERATOR);
    // Checked before the amount: a stranger learns nothing of the balance.
    w.err(BOB, transfer(wallet(ALICE), wallet(BOB), 1_000_000), codes::NOT_ACCOUNT_OPERATOR);
    // Not even the bank that opened it.
    w.err(BANKER, transfer(wallet(ALICE), wallet(BOB), 10), codes::NOT_ACCOUNT_OPERATOR);
    w.err(ALICE, transfer(company(COMPANY), wallet(ALICE), 10), codes::NOT_ACCOUNT_OPERATOR);
    // A treasurer debits their own agency's account only; other officials of it, none.
    w.err(SOCIAL_TREASURER, transfer(public(MINISTRY), public(SOCIAL), 10), codes::NOT_ACCOUNT_OPERATOR);
    w.err(BUDGET_OFFICER, transfer(public(MINISTRY), public(SOCIAL), 10), ErrorCode::MissingRole);
    w.err(ALICE, transfer(public(MINISTRY), wallet(ALICE), 10), ErrorCode::MissingRole);
    w.ok(OLGA, transfer(company(COMPANY), wallet(ALICE), 10));
    // A suspended operator debits nothing.
    suspend(&mut w, OLGA);
    w.err(OLGA, transfer(company(COMPANY), wallet(ALICE), 10), codes::NOT_ACCOUNT_OPERATOR);
    suspend(&mut w, ALICE);
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 10), codes::NOT_ACCOUNT_OPERATOR);
    suspend(&mut w, MINISTRY_TREASURER);
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(BOB), 10), ErrorCode::AccountInactive);
}

#[test]
fn a_held_account_receives_but_sends_nothing_until_the_hold_is_released() {
    let mut w = World::new();
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 2_000));
    w.ok(JUDGE, hold(wallet(ALICE)));
    let held = w.account(&wallet(ALICE)).hold.expect("held");
    assert_eq!((held.agency, held.role.as_str(), held.reason.as_str()), (agency(COURT), "court", "Order B 1234-26"));
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 10), codes::ACCOUNT_HELD);
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 500));
    assert_eq!(w.balance(&wallet(ALICE)), 2_500);
    w.err(JUDGE, hold(wallet(ALICE)), codes::HOLD_STATE);
    w.err(SUPERVISOR, hold(wallet(ALICE)), codes::HOLD_STATE);
    // Released only by the agency and the role that placed it.
    w.err(SUPERVISOR, release(wallet(ALICE)), codes::HOLD_NOT_YOURS);
    w.err(ALICE, release(wallet(ALICE)), ErrorCode::MissingRole);
    w.err(BANKER, release(wallet(ALICE)), ErrorCode::MissingRole);
    w.ok(JUDGE, release(wallet(ALICE)));
    w.err(JUDGE, release(wallet(ALICE)), codes::HOLD_STATE);
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 10));

    w.err(BANKER, hold(wallet(BOB)), ErrorCode::MissingRole);
    w.err(JUDGE, hold(wallet(OLGA)), codes::ACCOUNT_NOT_FOUND);
    w.err(JUDGE, release(wallet(OLGA)), codes::ACCOUNT_NOT_FOUND);
    w.err(JUDGE, hold(public("no-such-agency")), codes::HOLDER_INVALID);
    w.err(JUDGE, hold(company("not a number")), codes::HOLDER_INVALID);
    w.err(JUDGE, release(public(SOCIAL)), codes::HOLD_STATE);
    w.err(JUDGE, release(wallet(BOB)), codes::HOLD_STATE);
    let unknown = FinanceCall::PlaceHold { currency: "NOK".into(), holder: wallet(BOB), reason: "Order".into() };
    w.err(JUDGE, unknown, codes::CURRENCY_NOT_FOUND);
    w.err(JUDGE, FinanceCall::ReleaseHold { currency: "NOK".into(), holder: wallet(BOB) }, codes::CURRENCY_NOT_FOUND);
    let unexplained = FinanceCall::PlaceHold { currency: SEK.into(), holder: wallet(BOB), reason: String::new() };
    w.err(JUDGE, unexplained, codes::TEXT_INVALID);
}

#[test]
fn a_hold_is_released_only_by_its_agency_with_the_role_it_was_placed_with() {
    let mut w = World::new();
    let mut accounts = Accounts::new(&mut w.state);
    accounts.agency("tribunal", &["court", "bank-supervisor"]);
    accounts.official("tribunal-judge", "tribunal", &["court"]);
    accounts.official("tribunal-inspector", "tribunal", &["bank-supervisor"]);
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), company(COMPANY), 1_000));

    w.ok(SUPERVISOR, hold(company(COMPANY)));
    assert_eq!(w.account(&company(COMPANY)).hold.expect("held").role, "bank-supervisor");
    w.err(OLGA, transfer(company(COMPANY), wallet(ALICE), 10), codes::ACCOUNT_HELD);
    // Another agency with another role; the same role in another agency.
    w.err(JUDGE, release(company(COMPANY)), codes::HOLD_NOT_YOURS);
    w.err("tribunal-inspector", release(company(COMPANY)), codes::HOLD_NOT_YOURS);
    w.ok(SUPERVISOR, release(company(COMPANY)));

    w.ok("tribunal-judge", hold(company(COMPANY)));
    // The same agency with another role; the same role in another agency.
    w.err("tribunal-inspector", release(company(COMPANY)), codes::HOLD_NOT_YOURS);
    w.err(JUDGE, release(company(COMPANY)), codes::HOLD_NOT_YOURS);
    w.ok("tribunal-judge", release(company(COMPANY)));
    w.ok(OLGA, transfer(company(COMPANY), wallet(ALICE), 10));

    // An agency's account is held the same way: its treasurer pays nothing, but it still receives.
    w.ok(SUPERVISOR, hold(public(MINISTRY)));
    assert!(schema::agency_account(&w.state, SEK, &agency(MINISTRY)).hold.is_some());
    w.err(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 10), codes::ACCOUNT_HELD);
    w.ok(OLGA, transfer(company(COMPANY), public(MINISTRY), 10));
    w.err(JUDGE, release(public(MINISTRY)), codes::HOLD_NOT_YOURS);
    w.ok(SUPERVISOR, release(public(MINISTRY)));
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 10));
}

#[test]
fn the_bank_that_opened_an_account_sets_its_tier() {
    let mut w = World::new();
    w.err(BANKER_2, set_account_tier(wallet(ALICE), 2), codes::WRONG_AGENCY);
    w.err(BANKER, set_account_tier(wallet(ALICE), 3), codes::TIER_INVALID);
    w.err(BANKER, set_account_tier(wallet(ALICE), 0), codes::TIER_INVALID);
    w.err(BANKER, set_account_tier(wallet(OLGA), 2), codes::ACCOUNT_NOT_FOUND);
    w.err(GOVERNOR, set_account_tier(wallet(ALICE), 2), ErrorCode::MissingRole);
    let unknown = FinanceCall::SetAccountTier { currency: "NOK".into(), holder: wallet(ALICE), tier: 1 };
    w.err(BANKER, unknown, codes::CURRENCY_NOT_FOUND);
    w.ok(BANKER, set_account_tier(wallet(ALICE), 2));
    assert_eq!(w.account(&wallet(ALICE)).tier, 2);
    // Tier 2 holds and sends more in a day.
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 3 * TIER1_CAP));
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), 2 * TIER1_DAILY));
    // And back to tier 1.
    w.ok(BANKER, set_account_tier(wallet(ALICE), 1));
    w.err(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1), codes::DAILY_LIMIT_EXCEEDED);
}

#[test]
fn a_private_accounts_salt_changes_with_every_transaction_that_touches_it() {
    let mut w = World::new();
    let first = w.account(&wallet(ALICE));
    assert_ne!(first.salt, blinding(&wallet(ALICE)), "the bank's blinding is not used as it is");
    assert_ne!(first.salt, w.account(&wallet(BOB)).salt);
    let mut salts = vec![first.salt];
    let mut payees = vec![first.payee_commitment()];
    let bob = w.account(&wallet(BOB));
    let steps = [
        (MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1_000)),
        (ALICE, transfer(wallet(ALICE), public(SOCIAL), 100)),
        (BANKER, set_account_tier(wallet(ALICE), 2)),
        (JUDGE, hold(wallet(ALICE))),
        (MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), 1_000)),
        (JUDGE, release(wallet(ALICE))),
        (ALICE, transfer(wallet(ALICE), wallet(CAROL), 100)),
    ];
    for (n, (sender, call)) in steps.into_iter().enumerate() {
        let method = call.method();
        w.ok(sender, call);
        let account = w.account(&wallet(ALICE));
        assert!(!salts.contains(&account.salt), "{method} left the salt as it was");
        assert!(!payees.contains(&account.payee_commitment()), "{method} left the payee commitment as it was");
        assert_eq!(account.transactions, n as u64 + 2);
        salts.push(account.salt);
        payees.push(account.payee_commitment());
    }
    // A refused call changes nothing, salt included; an account no call touched keeps its salt.
    w.err(ALICE, transfer(wallet(ALICE), wallet(BOB), 1_000_000), codes::INSUFFICIENT_FUNDS);
    assert_eq!(w.account(&wallet(ALICE)).salt, salts[salts.len() - 1]);
    assert_eq!(w.account(&wallet(BOB)), bob);
}

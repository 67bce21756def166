//! The double-entry invariant over random sequences of calls: issuing, redeeming, transfers between any two
//! holders (many of them refused), holds, payments and benefit claims, with the clock moving on. After every call
//! the currency balances (`issued - redeemed` equals the sum of balances), its sums of public and private balances
//! equal the sums of the records, and every balance equals a plain model's, which follows only the calls accepted.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use publica_finance::schema::month_of;

/// Every holder in the sequences with the account that debits it: the agencies (the central bank has no treasurer,
/// so its issuer is refused), the citizens (Erin is not of the programme's registry, Olga has no wallet), the
/// company and a company with no account.
fn holders() -> Vec<(Holder, &'static str)> {
    vec![
        (public(CENTRAL_BANK), GOVERNOR),
        (public(MINISTRY), MINISTRY_TREASURER),
        (public(SOCIAL), SOCIAL_TREASURER),
        (public(WORKS), WORKS_TREASURER),
        (wallet(ALICE), ALICE),
        (wallet(BOB), BOB),
        (wallet(CAROL), CAROL),
        (wallet(DAVE), DAVE),
        (wallet(ERIN), ERIN),
        (wallet(OLGA), OLGA),
        (company(COMPANY), OLGA),
        (company(OTHER_COMPANY), OLGA),
    ]
}

/// The agencies money is issued to: the first four holders.
const AGENCIES: usize = 4;
/// The citizens who may claim: holders 4 to 9.
const CITIZENS: [&str; 6] = [ALICE, BOB, CAROL, DAVE, ERIN, OLGA];
/// What the child benefit pays a claim.
const BENEFIT: u64 = 1_000;

#[derive(Clone, Debug)]
enum Op {
    Issue {
        to: usize,
        amount: u64,
    },
    Redeem {
        amount: u64,
    },
    /// A transfer signed by the payer, or by someone else (`stranger`).
    Transfer {
        from: usize,
        to: usize,
        amount: u64,
        stranger: bool,
    },
    /// A payment against the works agency's commitment to the company, or to another payee (`wrong`).
    Pay {
        amount: u64,
        wrong: bool,
    },
    /// A claim for this month's period, or for last month's (`late`).
    Claim {
        citizen: usize,
        late: bool,
    },
    Hold {
        holder: usize,
    },
    /// Release one of the accounts held (by its rank among them), or an account not held when none is.
    Release {
        held: usize,
    },
    Wait {
        hours: u64,
    },
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 6 => 1..3_000u64, 2 => 1..20_000u64, 1 => 1..2_000_000u64, 1 => Just(u64::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    let holder = 0..holders().len();
    prop_oneof![
        1 => (0..AGENCIES, amount()).prop_map(|(to, amount)| Op::Issue { to, amount }),
        1 => amount().prop_map(|amount| Op::Redeem { amount }),
        4 => (holder.clone(), holder.clone(), amount(), prop::bool::weighted(0.1))
            .prop_map(|(from, to, amount, stranger)| Op::Transfer { from, to, amount, stranger }),
        1 => (amount(), prop::bool::weighted(0.2)).prop_map(|(amount, wrong)| Op::Pay { amount, wrong }),
        2 => (0..CITIZENS.len(), prop::bool::weighted(0.3)).prop_map(|(citizen, late)| Op::Claim { citizen, late }),
        1 => holder.clone().prop_map(|holder| Op::Hold { holder }),
        1 => holder.prop_map(|held| Op::Release { held }),
        1 => (1..72u64).prop_map(|hours| Op::Wait { hours }),
    ]
}

/// The month before `YYYYMM`.
fn previous_month(period: u32) -> u32 {
    if period % 100 == 1 {
        (period / 100 - 1) * 100 + 12
    } else {
        period - 1
    }
}

/// The balances as the model sees them: only the calls accepted move money.
struct Model {
    balances: BTreeMap<Holder, u64>,
    circulating: u64,
    claimed: BTreeSet<(&'static str, u32)>,
}

impl Model {
    fn of(w: &World) -> Model {
        let mut balances = BTreeMap::new();
        for (holder, _) in holders() {
            if matches!(holder, Holder::Agency(_)) || schema::private_account(&w.state, SEK, &holder).is_some() {
                balances.insert(holder.clone(), w.balance(&holder));
            }
        }
        Model { balances, circulating: w.currency().circulating(), claimed: BTreeSet::new() }
    }

    fn debit(&mut self, holder: &Holder, amount: u64) {
        let balance = self.balances.get_mut(holder).expect("an accepted debit is from an open account");
        *balance = balance.checked_sub(amount).expect("an accepted debit is covered");
    }

    fn credit(&mut self, holder: &Holder, amount: u64) {
        let balance = self.balances.get_mut(holder).expect("an accepted credit is to an open account");
        *balance = balance.checked_add(amount).expect("an accepted credit does not overflow");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_books_balance_after_every_call_and_agree_with_a_plain_model(ops in prop::collection::vec(op(), 1..=40)) {
        let mut w = World::new();
        let programme = w.child_benefit();
        let allocation = w.allocate("WORKS-1", WORKS, 200_000);
        let supplier = w.commit(WORKS_SPENDER, allocation, 150_000, Some(company(COMPANY)));
        // Some money everywhere, so that many transfers can go through.
        for (holder, amount) in [(public(SOCIAL), 100_000), (public(WORKS), 100_000), (company(COMPANY), 50_000)] {
            w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), holder, amount));
        }
        for name in [ALICE, BOB, CAROL, DAVE, ERIN] {
            w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(name), 5_000));
        }
        let holders = holders();
        let mut model = Model::of(&w);

        for op in ops {
            match op {
                Op::Issue { to, amount } => {
                    let to = &holders[to].0;
                    let Holder::Agency(agency) = to else { unreachable!("money is issued to agencies") };
                    let call = FinanceCall::Issue { currency: SEK.into(), to: agency.clone(), amount };
                    if w.run(GOVERNOR, call).is_ok() {
                        model.credit(to, amount);
                        model.circulating += amount;
                    }
                }
                Op::Redeem { amount } => {
                    if w.run(GOVERNOR, FinanceCall::Redeem { currency: SEK.into(), amount }).is_ok() {
                        model.debit(&public(CENTRAL_BANK), amount);
                        model.circulating -= amount;
                    }
                }
                Op::Transfer { from, to, amount, stranger } => {
                    let ((from, payer), (to, _)) = (&holders[from], &holders[to]);
                    let sender = if stranger { if *payer == BOB { CAROL } else { BOB } } else { payer };
                    let accepted = w.run(sender, transfer(from.clone(), to.clone(), amount)).is_ok();
                    if accepted {
                        prop_assert!(!stranger, "{} debited {:?}", sender, from);
                        prop_assert!(amount > 0 && from != to);
                        model.debit(from, amount);
                        model.credit(to, amount);
                    }
                }
                Op::Pay { amount, wrong } => {
                    let to = company(if wrong { OTHER_COMPANY } else { COMPANY });
                    if w.run(WORKS_TREASURER, pay(supplier, to.clone(), amount)).is_ok() {
                        prop_assert!(!wrong, "a payment reached another payee than its commitment's");
                        model.debit(&public(MINISTRY), amount);
                        model.credit(&to, amount);
                    }
                }
                Op::Claim { citizen, late } => {
                    let name = CITIZENS[citizen];
                    let now = month_of(w.time_ms);
                    let period = if late { previous_month(now) } else { now };
                    if w.run(WELFARE_OFFICER, claim(programme, period, name, "child-benefit")).is_ok() {
                        prop_assert!(model.claimed.insert((name, period)), "{name} was paid twice for {period}");
                        prop_assert!(name != ERIN && (202603..=202612).contains(&period));
                        model.debit(&public(MINISTRY), BENEFIT);
                        model.credit(&wallet(name), BENEFIT);
                    }
                }
                Op::Hold { holder } => {
                    let call = FinanceCall::PlaceHold {
                        currency: SEK.into(),
                        holder: holders[holder].0.clone(),
                        reason: "Order".into(),
                    };
                    let _ = w.run(JUDGE, call);
                }
                Op::Release { held } => {
                    let is_held = |holder: &Holder| match holder {
                        Holder::Agency(agency) => schema::agency_account(&w.state, SEK, agency).hold.is_some(),
                        _ => schema::private_account(&w.state, SEK, holder).is_some_and(|a| a.hold.is_some()),
                    };
                    let candidates: Vec<&Holder> = holders.iter().map(|(h, _)| h).filter(|h| is_held(h)).collect();
                    let holder = candidates.get(held % candidates.len().max(1)).copied().unwrap_or(&holders[held].0);
                    let call = FinanceCall::ReleaseHold { currency: SEK.into(), holder: holder.clone() };
                    let _ = w.run(JUDGE, call);
                }
                Op::Wait { hours } => w.time_ms += hours * HOUR_MS,
            }
            // `World::run` checked the books against the records; here, against the model.
            assert_books(&w.state);
            let currency = w.currency();
            prop_assert_eq!(currency.circulating(), model.circulating);
            let held: u128 = model.balances.values().map(|b| u128::from(*b)).sum();
            prop_assert_eq!(held, u128::from(model.circulating));
            for (holder, _) in &holders {
                match model.balances.get(holder) {
                    Some(balance) => prop_assert_eq!(w.balance(holder), *balance, "{:?}", holder),
                    None => prop_assert!(schema::private_account(&w.state, SEK, holder).is_none()),
                }
            }
        }
    }
}

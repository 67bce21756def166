//! Welfare: programmes funded by a commitment, and claims that carry the citizen's nullifier proof, paid once per
//! citizen, scheme and period whichever programme of the scheme they reach, and proven with the key the citizen held
//! when the period began.

use super::*;
use publica_accounts::call::{rotate_key_message, AccountsCall, ROTATE_KEY_TAG};
use publica_crypto::vrf;
use publica_finance::error as codes;
use publica_finance::query;
use publica_finance::schema::{Commitment, Payee, Payment, PeriodTotals, Programme};
use publica_finance::welfare;
use publica_types::{ErrorCode, StateRead as _};

const SCHEME: &str = "child-benefit";

/// The nullifier `name`'s current key gives for a scheme and a period.
fn nullifier_of(name: &str, scheme: &str, period: u32) -> Hash {
    welfare::nullifier(&vrf::proof_to_hash(&proof(name, scheme, period)).expect("a well-formed proof"))
}

/// How many nullifiers are recorded.
fn nullifiers(w: &World) -> usize {
    w.state.keys_with_prefix(b"fin/n/").count()
}

/// A claim for Alice in a period with the proof given.
fn alice_with(programme: u64, period: u32, proof: Vec<u8>) -> FinanceCall {
    FinanceCall::Claim { programme, period, citizen: addr(ALICE), proof }
}

/// The proof made with the key of `key` (a signer's name) for the scheme and a period.
fn proof_by_key(key: &str, period: u32) -> Vec<u8> {
    proof(key, SCHEME, period)
}

/// The account of `name` replaces its key by the key of `new_key`, through the accounts module, in a block at the
/// world's time.
fn rotate(w: &mut World, name: &str, new_key: &str) {
    w.height += 1;
    let ctx = w.ctx(addr(name));
    let new = keypair(new_key);
    let message = publica_types::signing_message(
        ROTATE_KEY_TAG,
        ctx.chain_id.as_str(),
        &rotate_key_message(&ctx.sender, ctx.nonce),
    );
    let call = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    publica_accounts::execute(&mut w.state, &ctx, &call).expect("the rotation is accepted");
}

/// A programme of the second social agency, funded by a commitment of `funds`, for citizens of any registry.
fn second_programme(w: &mut World, scheme: &str, amount: u64, funds: u64) -> u64 {
    let allocation = w.allocate("SOC-1", SOCIAL_2, funds);
    let commitment = w.commit(SOCIAL_2_SPENDER, allocation, funds, None);
    id(w.ok(WELFARE_2_OFFICER, programme(commitment, scheme, amount, (202601, 202612), None)))
}

#[test]
fn a_programme_is_funded_by_a_commitment_of_its_agency_that_names_no_payee() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("SOC-1", SOCIAL, 100_000);
    let open = w.commit(SOCIAL_SPENDER, allocation, 20_000, None);
    let named = w.commit(SOCIAL_SPENDER, allocation, 5_000, Some(company(COMPANY)));
    let periods = (202603, 202612);
    let good = || programme(open, SCHEME, 1_000, periods, Some(REGISTRY));
    let changed = |change: fn(&mut FinanceCall)| {
        let mut call = good();
        change(&mut call);
        call
    };

    w.err(SOCIAL_SPENDER, good(), ErrorCode::MissingRole);
    w.err(WELFARE_2_OFFICER, good(), codes::WRONG_AGENCY);
    w.err(WELFARE_OFFICER, programme(99, SCHEME, 1_000, periods, None), codes::COMMITMENT_NOT_FOUND);
    w.err(WELFARE_OFFICER, programme(named, SCHEME, 1_000, periods, None), codes::PROGRAMME_INVALID);
    for scheme in ["", "Child-Benefit", "child benefit", "child_benefit", "barnbidrag-å", &"x".repeat(65)] {
        w.err(WELFARE_OFFICER, programme(open, scheme, 1_000, periods, None), codes::PROGRAMME_INVALID);
    }
    w.err(WELFARE_OFFICER, programme(open, SCHEME, 0, periods, None), codes::AMOUNT_INVALID);
    w.err(WELFARE_OFFICER, programme(open, SCHEME, 20_001, periods, None), codes::PROGRAMME_INVALID);
    for bad in
        [(202612, 202603), (202601, 203601), (202613, 202701), (202603, 202613), (202600, 202603), (196912, 197001)]
    {
        w.err(WELFARE_OFFICER, programme(open, SCHEME, 1_000, bad, None), codes::PROGRAMME_INVALID);
    }
    w.err(WELFARE_OFFICER, programme(open, SCHEME, 1_000, periods, Some("no-such-agency")), codes::PROGRAMME_INVALID);
    let too_many = changed(|c| {
        if let FinanceCall::CreateProgramme { requires, .. } = c {
            *requires = (0..9).map(|n| format!("https://example.org/vct/{n}")).collect();
        }
    });
    w.err(WELFARE_OFFICER, too_many, codes::PROGRAMME_INVALID);
    let empty_type = changed(|c| {
        if let FinanceCall::CreateProgramme { requires, .. } = c {
            requires.push(String::new());
        }
    });
    w.err(WELFARE_OFFICER, empty_type, codes::PROGRAMME_INVALID);
    let unnamed = changed(|c| {
        if let FinanceCall::CreateProgramme { name, .. } = c {
            name.clear();
        }
    });
    w.err(WELFARE_OFFICER, unnamed, codes::TEXT_INVALID);

    // 120 months is the longest a programme runs; one month the shortest.
    let long = id(w.ok(WELFARE_OFFICER, programme(open, SCHEME, 20_000, (202601, 203512), Some(REGISTRY))));
    let short = id(w.ok(WELFARE_OFFICER, programme(open, "winter-allowance", 500, (202612, 202612), None)));
    assert_eq!((long, short), (0, 1));
    let (record, keys) = query::programme_with_key(&w.state, long);
    let record: Programme = record.expect("stored");
    assert_eq!((record.agency, record.commitment, record.amount), (agency(SOCIAL), open, 20_000));
    assert_eq!(
        (record.first_period, record.last_period, record.registered_by),
        (202601, 203512, Some(agency(REGISTRY)))
    );
    assert_eq!((record.claims, record.paid, record.requires.len()), (0, 0, 1));
    assert_eq!(keys, vec![schema::programme_key(long)]);
    assert_eq!(query::programmes(&w.state, 0, 10).1, 2);
}

#[test]
fn a_claim_pays_the_citizens_wallet_and_the_payment_shows_only_a_commitment_to_the_payee() {
    let mut w = World::new();
    let g = w.child_benefit();
    let treasury = w.balance(&public(MINISTRY));
    let payment = id(w.ok(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME)));
    assert_eq!(w.balance(&wallet(ALICE)), 1_000);
    assert_eq!(w.balance(&public(MINISTRY)), treasury - 1_000);

    let record: Payment = schema::get(&w.state, &schema::payment_key(payment)).expect("stored");
    let alice = w.account(&wallet(ALICE));
    assert_eq!(record.payee, Payee::Private(alice.payee_commitment()));
    assert_eq!((record.amount, record.reference.as_str()), (1_000, "programme 0 period 202603"));
    // The public record of the payment does not name the citizen.
    let bytes = w.state.get(&schema::payment_key(payment)).expect("stored");
    let address = addr(ALICE).0;
    assert!(!bytes.windows(address.len()).any(|window| window == address.as_slice()));

    let nullifier = nullifier_of(ALICE, SCHEME, 202603);
    let (recorded, keys) = query::nullifier_with_key(&w.state, SCHEME, 202603, &nullifier);
    let recorded = recorded.expect("the nullifier is recorded");
    assert_eq!((recorded.programme, recorded.payment), (g, payment));
    assert_eq!(keys, vec![schema::nullifier_key(SCHEME, 202603, &nullifier)]);
    let programme: Programme = query::programme_with_key(&w.state, g).0.expect("stored");
    assert_eq!((programme.claims, programme.paid), (1, 1_000));
    assert_eq!(query::programme_period_with_key(&w.state, g, 202603).0, PeriodTotals { claims: 1, paid: 1_000 });
    assert_eq!(query::programme_period_with_key(&w.state, g, 202604).0, PeriodTotals::default());
    let commitment: Commitment = schema::get(&w.state, &schema::commitment_key(programme.commitment)).expect("stored");
    assert_eq!(commitment.paid, 1_000);
    let line: schema::LineRecord = schema::get(&w.state, &schema::line_key(YEAR, "SOC-1")).expect("stored");
    assert_eq!(line.paid, 1_000);

    // The commitment to the payee moves on with the wallet's next transaction.
    w.ok(ALICE, transfer(wallet(ALICE), wallet(BOB), 100));
    assert_ne!(Payee::Private(w.account(&wallet(ALICE)).payee_commitment()), record.payee);
}

#[test]
fn a_citizen_is_paid_once_per_scheme_and_period_whichever_agency_pays() {
    let mut w = World::new();
    let g = w.child_benefit();
    let g2 = second_programme(&mut w, SCHEME, 800, 10_000);
    let housing = second_programme(&mut w, "housing-allowance", 500, 10_000);

    w.ok(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME));
    w.err(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME), codes::DUPLICATE_CLAIM);
    w.err(WELFARE_2_OFFICER, claim(g2, 202603, ALICE, SCHEME), codes::DUPLICATE_CLAIM);
    // Another scheme in the same period is another benefit.
    w.ok(WELFARE_2_OFFICER, claim(housing, 202603, ALICE, "housing-allowance"));
    // The first claim for Bob reaches the second agency; the first agency then refuses him.
    w.ok(WELFARE_2_OFFICER, claim(g2, 202603, BOB, SCHEME));
    w.err(WELFARE_OFFICER, claim(g, 202603, BOB, SCHEME), codes::DUPLICATE_CLAIM);
    // The next period is another.
    w.time_ms = at(202604, 2, 9);
    w.ok(WELFARE_OFFICER, claim(g, 202604, ALICE, SCHEME));
    w.err(WELFARE_2_OFFICER, claim(g2, 202604, ALICE, SCHEME), codes::DUPLICATE_CLAIM);
    assert_eq!(w.balance(&wallet(ALICE)), 1_000 + 500 + 1_000);
    assert_eq!(w.balance(&wallet(BOB)), 800);
    assert_eq!(nullifiers(&w), 4);

    // Claims for a programme go through its own agency's welfare officers.
    w.err(WELFARE_2_OFFICER, claim(g, 202604, CAROL, SCHEME), codes::WRONG_AGENCY);
    w.err(SOCIAL_TREASURER, claim(g, 202604, CAROL, SCHEME), ErrorCode::MissingRole);
    w.err(ALICE, claim(g, 202604, CAROL, SCHEME), ErrorCode::MissingRole);
    w.err(WELFARE_OFFICER, claim(99, 202604, CAROL, SCHEME), codes::PROGRAMME_NOT_FOUND);
}

#[test]
fn a_period_is_claimed_during_it_or_the_month_after_and_within_the_programme() {
    let mut w = World::new();
    let g = w.child_benefit();
    // It is March 2026; the programme runs from March to December.
    w.err(WELFARE_OFFICER, claim(g, 202602, ALICE, SCHEME), codes::PERIOD_INVALID);
    w.err(WELFARE_OFFICER, claim(g, 202604, ALICE, SCHEME), codes::PERIOD_INVALID);
    w.time_ms = at(202604, 30, 23);
    w.ok(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME));
    w.time_ms = at(202605, 1, 0);
    w.err(WELFARE_OFFICER, claim(g, 202603, BOB, SCHEME), codes::PERIOD_INVALID);
    w.ok(WELFARE_OFFICER, claim(g, 202605, BOB, SCHEME));
    w.ok(WELFARE_OFFICER, claim(g, 202604, BOB, SCHEME));
    // December is claimed in January, but January is not the programme's.
    w.time_ms = at(202701, 5, 0);
    w.ok(WELFARE_OFFICER, claim(g, 202612, CAROL, SCHEME));
    w.err(WELFARE_OFFICER, claim(g, 202701, CAROL, SCHEME), codes::PERIOD_INVALID);
    w.time_ms = at(202702, 1, 0);
    w.err(WELFARE_OFFICER, claim(g, 202612, DAVE, SCHEME), codes::PERIOD_INVALID);
}

/// Between a programme's first and last period lie numbers that are no month (`202700` between `202612` and
/// `202701`); one of them is followed by the current month, so only a check of the period itself refuses it.
#[test]
fn a_period_that_is_no_month_is_refused_and_does_not_panic() {
    let mut w = World::new();
    w.enact_budget();
    let allocation = w.allocate("SOC-1", SOCIAL, 100_000);
    let commitment = w.commit(SOCIAL_SPENDER, allocation, 20_000, None);
    let g = id(w.ok(WELFARE_OFFICER, programme(commitment, SCHEME, 1_000, (202612, 202701), None)));
    w.time_ms = at(202701, 10, 12);
    for period in [202700, 202613, 202699] {
        w.err(WELFARE_OFFICER, claim(g, period, ALICE, SCHEME), codes::PERIOD_INVALID);
    }
    w.ok(WELFARE_OFFICER, claim(g, 202701, ALICE, SCHEME));
}

#[test]
fn a_claimant_is_an_active_citizen_registered_by_the_programmes_registry() {
    let mut w = World::new();
    let g = w.child_benefit();
    w.err(WELFARE_OFFICER, claim(g, 202603, JUDGE, SCHEME), codes::CLAIMANT_INELIGIBLE);
    w.err(WELFARE_OFFICER, claim(g, 202603, "nobody", SCHEME), codes::CLAIMANT_INELIGIBLE);
    w.err(WELFARE_OFFICER, claim(g, 202603, ERIN, SCHEME), codes::CLAIMANT_INELIGIBLE);
    suspend(&mut w, DAVE);
    w.err(WELFARE_OFFICER, claim(g, 202603, DAVE, SCHEME), codes::CLAIMANT_INELIGIBLE);
    // A programme that asks for no registry pays Erin; still not an official.
    let g2 = second_programme(&mut w, SCHEME, 800, 10_000);
    w.ok(WELFARE_2_OFFICER, claim(g2, 202603, ERIN, SCHEME));
    w.err(WELFARE_2_OFFICER, claim(g2, 202603, JUDGE, SCHEME), codes::CLAIMANT_INELIGIBLE);
    w.err(WELFARE_2_OFFICER, claim(g2, 202603, DAVE, SCHEME), codes::CLAIMANT_INELIGIBLE);
    assert_eq!(nullifiers(&w), 1);
}

#[test]
fn the_nullifier_proof_is_the_citizens_own_over_the_chain_the_scheme_and_the_period() {
    let mut w = World::new();
    let g = w.child_benefit();
    let alpha = |chain: &str, scheme: &str, period: u32| nullifier_input(chain, scheme, period);
    let good = proof(ALICE, SCHEME, 202603);
    let mut truncated = good.clone();
    truncated.truncate(vrf::PROOF_LEN - 1);
    let mut padded = good.clone();
    padded.push(0);
    let mut flipped = good.clone();
    flipped[40] ^= 1;
    let bad = [
        proof(BOB, SCHEME, 202603),
        proof(ALICE, SCHEME, 202604),
        proof(ALICE, "housing-allowance", 202603),
        vrf::prove(&keypair(ALICE), &alpha("another-chain", SCHEME, 202603)).to_vec(),
        truncated,
        padded,
        flipped,
        Vec::new(),
        vec![0; vrf::PROOF_LEN],
    ];
    for proof in bad {
        w.err(WELFARE_OFFICER, alice_with(g, 202603, proof), codes::NULLIFIER_PROOF_INVALID);
    }
    assert_eq!(nullifiers(&w), 0);
    w.ok(WELFARE_OFFICER, alice_with(g, 202603, good));
    assert_eq!(nullifiers(&w), 1);
}

#[test]
fn a_claim_that_cannot_be_paid_records_no_nullifier() {
    let mut w = World::new();
    let g = w.child_benefit();
    // Olga has no wallet.
    w.err(WELFARE_OFFICER, claim(g, 202603, OLGA, SCHEME), codes::ACCOUNT_NOT_FOUND);
    assert_eq!(nullifiers(&w), 0);
    w.ok(BANKER, open(SEK, wallet(OLGA), None, 1));
    w.ok(WELFARE_OFFICER, claim(g, 202603, OLGA, SCHEME));
    assert_eq!(nullifiers(&w), 1);
    assert_eq!(w.balance(&wallet(OLGA)), 1_000);

    // Alice's wallet is full to its tier's cap.
    w.ok(MINISTRY_TREASURER, transfer(public(MINISTRY), wallet(ALICE), TIER1_CAP));
    w.err(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME), codes::BALANCE_CAP_EXCEEDED);
    assert_eq!(nullifiers(&w), 1);
    w.ok(ALICE, transfer(wallet(ALICE), public(SOCIAL), 1_000));
    w.ok(WELFARE_OFFICER, claim(g, 202603, ALICE, SCHEME));

    // The treasury account is held.
    let held = FinanceCall::PlaceHold { currency: SEK.into(), holder: public(MINISTRY), reason: "Order".into() };
    w.ok(SUPERVISOR, held);
    w.err(WELFARE_OFFICER, claim(g, 202603, BOB, SCHEME), codes::ACCOUNT_HELD);
    w.ok(SUPERVISOR, FinanceCall::ReleaseHold { currency: SEK.into(), holder: public(MINISTRY) });

    // The programme's commitment runs out: 2,500 pays two claims of 1,000.
    let small = second_programme(&mut w, "heating-allowance", 1_000, 2_500);
    w.ok(WELFARE_2_OFFICER, claim(small, 202603, BOB, "heating-allowance"));
    w.ok(WELFARE_2_OFFICER, claim(small, 202603, CAROL, "heating-allowance"));
    w.err(WELFARE_2_OFFICER, claim(small, 202603, DAVE, "heating-allowance"), codes::COMMITMENT_EXCEEDED);
    let dave = nullifier_of(DAVE, "heating-allowance", 202603);
    assert!(w.state.get(&schema::nullifier_key("heating-allowance", 202603, &dave)).is_none());
    assert_eq!(nullifiers(&w), 4);
}

#[test]
fn a_claim_is_proven_with_the_key_the_citizen_held_when_the_period_began() {
    let mut w = World::new();
    let g = w.child_benefit();
    // Alice's first key was in force on 1 March; she rotates on 15 March and again on 20 April.
    w.time_ms = at(202603, 15, 12);
    rotate(&mut w, ALICE, "alice-key-2");
    w.time_ms = at(202604, 20, 12);
    rotate(&mut w, ALICE, "alice-key-3");
    assert_eq!(publica_accounts::query::retired_count(&w.state, &addr(ALICE)), 2);

    // April began under her second key: neither the first nor the current one proves it.
    w.err(WELFARE_OFFICER, alice_with(g, 202604, proof_by_key(ALICE, 202604)), codes::NULLIFIER_PROOF_INVALID);
    w.err(WELFARE_OFFICER, alice_with(g, 202604, proof_by_key("alice-key-3", 202604)), codes::NULLIFIER_PROOF_INVALID);
    w.ok(WELFARE_OFFICER, alice_with(g, 202604, proof_by_key("alice-key-2", 202604)));
    // March, claimed in April, began under her first key.
    w.err(WELFARE_OFFICER, alice_with(g, 202603, proof_by_key("alice-key-2", 202603)), codes::NULLIFIER_PROOF_INVALID);
    w.err(WELFARE_OFFICER, alice_with(g, 202603, proof_by_key("alice-key-3", 202603)), codes::NULLIFIER_PROOF_INVALID);
    w.ok(WELFARE_OFFICER, alice_with(g, 202603, proof_by_key(ALICE, 202603)));
    // May began under the current key; April, claimable in May, is paid already whatever key proves it.
    w.time_ms = at(202605, 3, 9);
    w.err(WELFARE_OFFICER, alice_with(g, 202605, proof_by_key("alice-key-2", 202605)), codes::NULLIFIER_PROOF_INVALID);
    w.ok(WELFARE_OFFICER, alice_with(g, 202605, proof_by_key("alice-key-3", 202605)));
    w.err(WELFARE_OFFICER, alice_with(g, 202604, proof_by_key("alice-key-2", 202604)), codes::DUPLICATE_CLAIM);
    w.err(WELFARE_OFFICER, alice_with(g, 202604, proof_by_key("alice-key-3", 202604)), codes::NULLIFIER_PROOF_INVALID);
    // A rotation in the very first millisecond of a month: the month began under the new key.
    w.time_ms = at(202606, 1, 0);
    rotate(&mut w, ALICE, "alice-key-4");
    w.err(WELFARE_OFFICER, alice_with(g, 202606, proof_by_key("alice-key-3", 202606)), codes::NULLIFIER_PROOF_INVALID);
    w.ok(WELFARE_OFFICER, alice_with(g, 202606, proof_by_key("alice-key-4", 202606)));
    assert_eq!(w.balance(&wallet(ALICE)), 4_000);
}

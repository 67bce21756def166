//! A block reports a new validator set only when the set after it differs from the set before it.

use publica_governance::call::{approval_message, ValidatorChange};
use publica_tx::*;

use publica_testkit::keypair;

use super::Chain;

/// A governance transaction from the land agency's administrator, with an explicit nonce.
fn governance(chain: &Chain, nonce: u64, call: GovernanceCall) -> Transaction {
    chain.call_with_nonce(&keypair("admin-land"), nonce, Call::Governance(call))
}

fn propose(chain: &Chain, nonce: u64, voting_power: u64) -> Transaction {
    let change = ValidatorChange::SetPower { address: keypair("validator").public_key().address(), voting_power };
    governance(chain, nonce, GovernanceCall::Propose { change, expires_at_ms: 900_000 })
}

/// The single validator's approval of proposal `id`, carried by the administrator.
fn approve(chain: &Chain, nonce: u64, id: u64) -> Transaction {
    let change = publica_governance::proposal(chain, id).expect("proposed").change;
    let validator = keypair("validator");
    let signature = validator.sign(&approval_message(&super::chain_id(), id, &change.hash()));
    governance(
        chain,
        nonce,
        GovernanceCall::Approve { proposal: id, validator: validator.public_key().address(), signature },
    )
}

fn power(chain: &Chain) -> u64 {
    publica_execution::validator_set(chain).expect("a set").total_power()
}

#[test]
fn two_changes_that_cancel_out_in_one_block_report_no_set_change() {
    let mut chain = Chain::new();
    let admin = keypair("admin-land");
    // Proposals 0 and 1 raise the power to 2 (both possible while it is 1); proposal 2 lowers it back to 1 once
    // proposal 0 has applied.
    let n = chain.nonce(&admin);
    assert!(chain.propose(vec![propose(&chain, n, 2), propose(&chain, n + 1, 2)]).is_empty());
    let n = chain.nonce(&admin);
    assert!(chain.propose(vec![approve(&chain, n, 0)]).is_empty());
    assert_eq!(power(&chain), 2);
    let n = chain.nonce(&admin);
    assert!(chain.propose(vec![propose(&chain, n, 1)]).is_empty());

    // One block: 2 -> 1 (proposal 2), then 1 -> 2 (proposal 1). The set is written twice and ends as it began.
    let before = publica_execution::validator_set(&chain).unwrap();
    let n = chain.nonce(&admin);
    let txs = vec![approve(&chain, n, 2), approve(&chain, n + 1, 1)];
    let outcome = publica_execution::execute_block(
        &chain,
        &chain.tree,
        &chain.anchors,
        &chain.env(),
        txs,
        publica_execution::Mode::Propose,
        &publica_execution::VerifyEveryTime,
    )
    .unwrap();
    assert!(outcome.rejected.is_empty(), "{:?}", outcome.rejected);
    assert_eq!(outcome.included.len(), 2);
    assert!(outcome.next_validators.is_none(), "a set equal to the current one is no change");
    assert_eq!(outcome.next_validator_set(&before), &before);
    chain.apply(&outcome);
    assert_eq!(publica_execution::validator_set(&chain).unwrap(), before);

    // A real change in a block is still reported.
    let n = chain.nonce(&admin);
    assert!(chain.propose(vec![propose(&chain, n, 3)]).is_empty());
    let n = chain.nonce(&admin);
    let outcome = publica_execution::execute_block(
        &chain,
        &chain.tree,
        &chain.anchors,
        &chain.env(),
        vec![approve(&chain, n, 3)],
        publica_execution::Mode::Propose,
        &publica_execution::VerifyEveryTime,
    )
    .unwrap();
    assert_eq!(outcome.next_validators.map(|s| s.total_power()), Some(3));
}

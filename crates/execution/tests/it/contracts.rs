//! The contracts module through execution: a contract call that fails is still a committed transaction (its
//! nonce used, its fuel charged, its receipt kept) while its writes are discarded; an invalid call is refused and
//! changes nothing.

use publica_contracts::call::{ContractsCall, Policy};
use publica_contracts::{query, schema};
use publica_governance::call::{approval_message, GovernanceCall, ValidatorChange};
use publica_testkit::keypair;
use publica_tx::*;
use publica_types::*;

use crate::{chain_id, register_official, Chain};

/// A contract that writes its key `k`, then runs `end`.
fn contract(end: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "k")
          (func (export "call") (result i32)
            (call $state_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
            {end}))"#
    ))
    .unwrap()
}

fn genesis() -> Genesis {
    let validator = keypair("validator");
    Genesis {
        chain_id: chain_id(),
        genesis_time_ms: 0,
        agencies: vec![GenesisAgency {
            id: "works".parse().unwrap(),
            name: "works".into(),
            can_register_citizens: false,
            roles: vec!["contract-developer".parse().unwrap()],
            admins: vec![GenesisAccount { public_key: keypair("admin-works").public_key().clone() }],
        }],
        validators: ValidatorSet::new(vec![Validator::from_keypair(&validator, 1)]).unwrap(),
    }
}

fn send(chain: &mut Chain, signer: &Keypair, call: impl Into<Call>) -> Option<TxError> {
    let tx = chain.call_with_nonce(signer, chain.nonce(signer), call.into());
    chain.run(tx)
}

#[test]
fn a_failing_contract_call_commits_its_fuel_and_receipt_but_not_its_writes() {
    let mut chain = Chain::with_genesis(&genesis());
    let (admin, developer, validator) = (keypair("admin-works"), keypair("developer"), keypair("validator"));
    let agency: AgencyId = "works".parse().unwrap();
    assert_eq!(
        send(&mut chain, &admin, Call::Accounts(register_official("developer", "works", &["contract-developer"]))),
        None
    );
    for code in [contract("(i32.const 0)"), contract("unreachable")] {
        assert_eq!(send(&mut chain, &developer, ContractsCall::Upload { code }), None);
    }
    // The agency's policy, by a vote of the one validator.
    let policy = Policy {
        admin_deploy: true,
        code_hashes: vec![],
        any_agency_code: true,
        max_fuel_per_call: 100_000,
        fuel_per_day: 1_000_000,
        max_instances: 4,
    };
    let change = ValidatorChange::SetContractPolicy { agency: agency.clone(), policy };
    let propose = GovernanceCall::Propose { change: change.clone(), expires_at_ms: 500_000 };
    assert_eq!(send(&mut chain, &admin, Call::Governance(propose)), None);
    let signature = validator.sign(&approval_message(&chain_id(), 0, &change.hash()));
    let approve = GovernanceCall::Approve { proposal: 0, validator: validator.public_key().address(), signature };
    assert_eq!(send(&mut chain, &admin, Call::Governance(approve)), None);
    for (name, end) in [("works-ok", "(i32.const 0)"), ("works-trap", "unreachable")] {
        let code_hash = sha256(&contract(end));
        let deploy = ContractsCall::Deploy {
            name: name.into(),
            code_hash,
            fuel_per_call: 100_000,
            fuel_per_sender_day: 500_000,
        };
        assert_eq!(send(&mut chain, &admin, deploy), None);
    }

    // The trapping call is included: the nonce moves on, the fuel is charged, the receipt says why.
    let nonce = chain.nonce(&developer);
    let call = ContractsCall::Call { instance: 1, input: vec![], fuel_limit: 50_000 };
    let tx = chain.call_with_nonce(&developer, nonce, Call::Contracts(call));
    let tx_id = tx.id();
    assert_eq!(chain.run(tx), None);
    assert_eq!(chain.nonce(&developer), nonce + 1);
    let receipt = query::receipt(&chain, &tx_id).0.unwrap();
    assert_eq!(receipt.failure.as_ref().unwrap().kind, "trap");
    assert!(receipt.fuel_used > 0);
    let time_ms = chain.env().time_ms - 1_000;
    assert_eq!(query::fuel_used_on(&chain, &agency, time_ms).0, receipt.fuel_used);
    assert_eq!(query::state_value(&chain, 1, b"k").0, None, "the failed call's write is discarded");

    // The succeeding call writes.
    let call = ContractsCall::Call { instance: 0, input: vec![], fuel_limit: 50_000 };
    assert_eq!(send(&mut chain, &developer, call), None);
    assert_eq!(query::state_value(&chain, 0, b"k").0, Some(b"k".to_vec()));

    // An invalid call is refused with its code and changes nothing, not even the nonce.
    let before = chain.state.clone();
    let call = ContractsCall::Call { instance: 9, input: vec![], fuel_limit: 50_000 };
    let refused = send(&mut chain, &developer, call).expect("refused");
    assert_eq!(refused.code, publica_contracts::error::INSTANCE_NOT_FOUND);
    assert_eq!(chain.state, before);
    assert!(chain.state.keys().any(|k| k.starts_with(schema::PREFIX)));
}

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

/// A contract that submits its input as a native call, writes its key `k`, outputs the host's answer (i32 LE),
/// then runs `end`.
fn native_caller(end: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "publica_v1" "input_len" (func $input_len (result i32)))
          (import "publica_v1" "input_read" (func $input_read (param i32)))
          (import "publica_v1" "output_write" (func $output_write (param i32 i32)))
          (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
          (import "publica_v1" "submit_native" (func $submit_native (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "k")
          (func (export "call") (result i32)
            (call $input_read (i32.const 1024))
            (i32.store (i32.const 32) (call $submit_native (i32.const 1024) (call $input_len)))
            (call $state_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
            (call $output_write (i32.const 32) (i32.const 4))
            {end}))"#
    ))
    .unwrap()
}

/// Calls `instance` as `sender` with `input`; returns the receipt and the contract's output read as an i32.
fn call_native(chain: &mut Chain, sender: &Keypair, instance: u64, input: Vec<u8>) -> (schema::Receipt, Option<i32>) {
    let call = ContractsCall::Call { instance, input, fuel_limit: 1_000_000 };
    let tx = chain.call_with_nonce(sender, chain.nonce(sender), Call::Contracts(call));
    let id = tx.id();
    assert_eq!(chain.run(tx), None);
    let receipt = query::receipt(chain, &id).0.unwrap();
    let answer = receipt.output.clone().try_into().map(i32::from_le_bytes).ok();
    (receipt, answer)
}

/// Propose `change` as `admin` and approve it with the one validator; returns the refusal of either, if any.
fn vote(chain: &mut Chain, admin: &Keypair, change: ValidatorChange) -> Option<TxError> {
    let proposal = publica_governance::query::proposal_count(&*chain);
    let propose = GovernanceCall::Propose { change: change.clone(), expires_at_ms: 500_000 };
    if let Some(refused) = send(chain, admin, Call::Governance(propose)) {
        return Some(refused);
    }
    let validator = keypair("validator");
    let signature = validator.sign(&approval_message(&chain_id(), proposal, &change.hash()));
    let approve = GovernanceCall::Approve { proposal, validator: validator.public_key().address(), signature };
    send(chain, admin, Call::Governance(approve))
}

#[test]
fn a_contract_submits_native_calls_with_the_roles_a_vote_granted_and_only_those() {
    let mut genesis = genesis();
    genesis.agencies[0].roles.push("permit-officer".parse().unwrap());
    let mut chain = Chain::with_genesis(&genesis);
    let (admin, developer, officer) = (keypair("admin-works"), keypair("developer"), keypair("officer"));
    let agency: AgencyId = "works".parse().unwrap();
    let official = register_official("developer", "works", &["contract-developer"]);
    assert_eq!(send(&mut chain, &admin, Call::Accounts(official)), None);
    let official = register_official("officer", "works", &["permit-officer"]);
    assert_eq!(send(&mut chain, &admin, Call::Accounts(official)), None);
    let permit = |id: &str| RecordId::new(id).unwrap();
    for id in ["WK-1", "WK-2"] {
        let issue = RegistryCall::IssuePermit {
            permit: permit(id),
            kind: permit("road-works"),
            holder: developer.public_key().address(),
            valid_from_ms: 0,
            valid_until_ms: 10_000_000,
        };
        assert_eq!(send(&mut chain, &officer, Call::Registry(issue)), None);
    }
    for end in ["(i32.const 0)", "(i32.const 1)"] {
        assert_eq!(send(&mut chain, &developer, ContractsCall::Upload { code: native_caller(end) }), None);
    }
    let policy = Policy {
        admin_deploy: false,
        code_hashes: vec![],
        any_agency_code: false,
        max_fuel_per_call: 1_000_000,
        fuel_per_day: 100_000_000,
        max_instances: 4,
    };
    assert_eq!(vote(&mut chain, &admin, ValidatorChange::SetContractPolicy { agency: agency.clone(), policy }), None);
    // Instance 0 manages permits, 1 does the same and then fails, 2 holds no roles.
    for (name, end, roles) in [
        ("permits", "(i32.const 0)", vec!["permit-officer".parse().unwrap()]),
        ("permits-failing", "(i32.const 1)", vec!["permit-officer".parse().unwrap()]),
        ("plain", "(i32.const 0)", vec![]),
    ] {
        let deployment = publica_contracts::Deployment {
            agency: agency.clone(),
            name: name.into(),
            code_hash: sha256(&native_caller(end)),
            fuel_per_call: 1_000_000,
            fuel_per_sender_day: 10_000_000,
            roles,
        };
        assert_eq!(vote(&mut chain, &admin, ValidatorChange::DeployContract { deployment }), None);
    }
    let suspend = |id: &str| {
        encode(&Call::Registry(RegistryCall::SuspendPermit { permit: permit(id), reason: "inspection".into() }))
    };
    let suspended = |chain: &Chain, id: &str| {
        let version = publica_registry::query::permit(chain, &permit(id)).expect("the permit exists");
        matches!(version.value.state, publica_registry::schema::PermitState::Suspended { .. })
    };
    let code_number = |code: Code| Some(i32::from(code.number()));

    // The registry ran the call as the contract's account: an official of its agency with its roles.
    let (receipt, answer) = call_native(&mut chain, &developer, 0, suspend("WK-1"));
    assert!(receipt.succeeded(), "{receipt:?}");
    assert_eq!(answer, Some(0));
    assert!(suspended(&chain, "WK-1"));
    let contract = publica_contracts::contract_address(0);
    assert_eq!(publica_accounts::account(&chain, &contract), None, "the contract's account is never stored");

    // The module's own refusal reaches the contract, which goes on; nothing of the call is kept.
    let (receipt, answer) = call_native(&mut chain, &developer, 0, suspend("WK-1"));
    assert!(receipt.succeeded());
    assert_eq!(answer, code_number(publica_registry::error::PERMIT_ALREADY_SUSPENDED));

    // A contract that fails after its native call drops what the call wrote.
    let (receipt, _) = call_native(&mut chain, &developer, 1, suspend("WK-2"));
    assert!(!receipt.succeeded());
    assert!(!suspended(&chain, "WK-2"));

    // Without roles: refused, nothing done.
    let (_, answer) = call_native(&mut chain, &developer, 2, suspend("WK-2"));
    assert_eq!(answer, code_number(publica_contracts::error::NATIVE_CALLS_UNAVAILABLE));
    assert!(!suspended(&chain, "WK-2"));

    // Calls off the list: one that names a party (the contract could name itself a permit's holder), a private
    // finance call, one of a module contracts may not call. And bytes that are not a call.
    let issue = Call::Registry(RegistryCall::IssuePermit {
        permit: permit("WK-3"),
        kind: permit("road-works"),
        holder: contract,
        valid_from_ms: 0,
        valid_until_ms: 10_000_000,
    });
    let currency = Call::Finance(FinanceCall::DefineCurrency { code: "WKS".into(), name: "Works".into(), decimals: 2 });
    let suspend_account =
        Call::Accounts(AccountsCall::SetActive { account: developer.public_key().address(), active: false });
    for refused in [issue, currency, suspend_account] {
        let (receipt, answer) = call_native(&mut chain, &developer, 0, encode(&refused));
        assert!(receipt.succeeded());
        assert_eq!(answer, code_number(publica_contracts::error::NATIVE_CALL_NOT_PERMITTED), "{refused:?}");
    }
    assert!(publica_registry::query::permit(&chain, &permit("WK-3")).is_none());
    assert!(publica_accounts::account(&chain, &developer.public_key().address()).unwrap().active);
    let mut trailing = suspend("WK-2");
    trailing.push(0);
    let (_, answer) = call_native(&mut chain, &developer, 0, trailing);
    assert_eq!(answer, code_number(publica_contracts::error::NATIVE_CALL_MALFORMED));
    let (_, answer) = call_native(&mut chain, &developer, 0, vec![0xff; 40]);
    assert_eq!(answer, code_number(publica_contracts::error::NATIVE_CALL_MALFORMED));
    assert!(!suspended(&chain, "WK-2"));
}

//! Changes of contracts by vote: an agency's policy, a deployment with native roles, an upgrade, a freeze and an
//! unfreeze, each applied when more than two thirds of the power approve, and checked when proposed.

use publica_contracts::call::{Deployment, Policy};
use publica_contracts::schema::{self, Authority, CodeRecord};
use publica_contracts::{error as contracts_error, query};
use publica_governance::call::ValidatorChange;
use publica_types::{sha256, Address, Hash};

use super::{agency, code, Net};

/// Stores `bytes` as uploaded code (the module is checked at upload, which the contracts module's tests cover).
fn uploaded(net: &mut Net, bytes: &[u8]) -> Hash {
    let hash = sha256(bytes);
    let record = CodeRecord { code: bytes.to_vec(), uploader: Address([1; 20]), agency: agency(), height: 1 };
    schema::put(&mut net.state, schema::code_key(&hash), &record);
    hash
}

/// Proposes `change` and has three of the four validators approve it; returns the proposal's number.
fn pass(net: &mut Net, change: ValidatorChange) -> u64 {
    let id = net.propose(change).unwrap();
    for validator in 0..3 {
        net.approve(id, validator).unwrap();
    }
    id
}

fn policy() -> Policy {
    Policy {
        admin_deploy: true,
        code_hashes: vec![],
        any_agency_code: true,
        max_fuel_per_call: 1_000,
        fuel_per_day: 10_000,
        max_instances: 2,
    }
}

#[test]
fn a_contract_policy_is_set_only_when_more_than_two_thirds_approve() {
    let mut net = Net::new(4);
    let id = net.propose(ValidatorChange::SetContractPolicy { agency: agency(), policy: policy() }).unwrap();
    net.approve(id, 0).unwrap();
    net.approve(id, 1).unwrap();
    assert_eq!(query::policy(&net.state, &agency()).0, None, "two of four is not enough");
    net.approve(id, 2).unwrap();
    assert_eq!(query::policy(&net.state, &agency()).0, Some(policy()));
    let set = net.set();
    assert_eq!(net.set(), set, "the validator set is unchanged");
    // The same policy again changes nothing and is refused when proposed.
    let again = net.propose(ValidatorChange::SetContractPolicy { agency: agency(), policy: policy() });
    assert_eq!(code(again), contracts_error::POLICY_UNCHANGED);
}

#[test]
fn a_vote_deploys_upgrades_freezes_and_unfreezes_an_instance() {
    let mut net = Net::new(4);
    let v1 = uploaded(&mut net, b"version 1");
    let v2 = uploaded(&mut net, b"version 2");
    let deployment = Deployment {
        agency: agency(),
        name: "land-fees".into(),
        code_hash: v1,
        fuel_per_call: 1_000,
        fuel_per_sender_day: 5_000,
        roles: vec!["registrar".parse().unwrap()],
    };
    let proposal = pass(&mut net, ValidatorChange::DeployContract { deployment: deployment.clone() });
    let instance = query::instance_by_name(&net.state, "land-fees").0.unwrap();
    assert_eq!(instance.roles, deployment.roles);
    assert_eq!(instance.history[0].authority, Authority::Proposal { id: proposal });
    let same_name = net.propose(ValidatorChange::DeployContract { deployment });
    assert_eq!(code(same_name), contracts_error::NAME_TAKEN);

    let upgrade = pass(&mut net, ValidatorChange::UpgradeContract { instance: instance.id, code_hash: v2 });
    let upgraded = query::instance(&net.state, instance.id).0.unwrap();
    assert_eq!(upgraded.code_hash, v2);
    assert_eq!(upgraded.history.len(), 2);
    assert_eq!(upgraded.history[1].authority, Authority::Proposal { id: upgrade });

    pass(&mut net, ValidatorChange::SetContractFrozen { instance: instance.id, frozen: true });
    assert!(query::instance(&net.state, instance.id).0.unwrap().frozen);
    pass(&mut net, ValidatorChange::SetContractFrozen { instance: instance.id, frozen: false });
    assert!(!query::instance(&net.state, instance.id).0.unwrap().frozen);
}

#[test]
fn a_contract_change_that_could_never_apply_is_refused_when_proposed() {
    let mut net = Net::new(4);
    let deployment = Deployment {
        agency: agency(),
        name: "ghost".into(),
        code_hash: [7; 32],
        fuel_per_call: 1_000,
        fuel_per_sender_day: 5_000,
        roles: vec![],
    };
    let missing_code = net.propose(ValidatorChange::DeployContract { deployment });
    assert_eq!(code(missing_code), contracts_error::CODE_NOT_FOUND);
    let missing_instance = net.propose(ValidatorChange::UpgradeContract { instance: 3, code_hash: [7; 32] });
    assert_eq!(code(missing_instance), contracts_error::INSTANCE_NOT_FOUND);
    let unfreeze = net.propose(ValidatorChange::SetContractFrozen { instance: 3, frozen: false });
    assert_eq!(code(unfreeze), contracts_error::INSTANCE_NOT_FOUND);
    let v1 = uploaded(&mut net, b"version 1");
    let mut granting = Deployment {
        agency: agency(),
        name: "court-rule".into(),
        code_hash: v1,
        fuel_per_call: 1_000,
        fuel_per_sender_day: 5_000,
        roles: vec!["court".parse().unwrap()],
    };
    let not_grantable = net.propose(ValidatorChange::DeployContract { deployment: granting.clone() });
    assert_eq!(code(not_grantable), contracts_error::POLICY_INVALID);
    granting.roles.clear();
    assert!(net.propose(ValidatorChange::DeployContract { deployment: granting }).is_ok());
}

#[test]
fn contract_changes_keep_their_json_shape() {
    let change = ValidatorChange::SetContractFrozen { instance: 3, frozen: true };
    let json = serde_json::to_string(&change).unwrap();
    assert_eq!(json, r#"{"change":"set_contract_frozen","instance":3,"frozen":true}"#);
    let upgrade = ValidatorChange::UpgradeContract { instance: 1, code_hash: [0xab; 32] };
    let back: ValidatorChange = serde_json::from_str(&serde_json::to_string(&upgrade).unwrap()).unwrap();
    assert_eq!(back, upgrade);
}

//! Uploads, deployments within a policy or by a vote, freezes, upgrades.

use super::*;
use publica_contracts::call::MAX_UPLOAD_CODE_BYTES;
use publica_contracts::error;
use publica_contracts::schema::Authority;
use publica_types::ErrorCode;

#[test]
fn code_is_uploaded_once_by_a_developer_and_stored_with_its_uploader() {
    let mut w = World::new();
    let code = counter(1, SUCCEED);
    let hash = w.upload(&code);
    let (record, keys) = query::code(&w.state, &hash);
    let record = record.unwrap();
    assert_eq!(record.code, code);
    assert_eq!(record.uploader, w.developer);
    assert_eq!(record.agency, customs());
    assert_eq!(keys, vec![schema::code_key(&hash)]);
    let developer = w.developer;
    assert_eq!(code_of(w.run(developer, ContractsCall::Upload { code })), error::CODE_EXISTS);
}

#[test]
fn an_upload_checks_the_role_first_then_the_size_then_the_module() {
    let mut w = World::new();
    let (admin, developer) = (w.admin, w.developer);
    // Without the role, even an oversized, malformed module is refused for the role.
    let huge = vec![0u8; MAX_UPLOAD_CODE_BYTES + 1];
    assert_eq!(code_of(w.run(admin, ContractsCall::Upload { code: huge.clone() })), ErrorCode::MissingRole);
    assert_eq!(code_of(w.run(developer, ContractsCall::Upload { code: huge })), error::CODE_TOO_LARGE);
    let refused = w.run(developer, ContractsCall::Upload { code: b"not wasm".to_vec() }).unwrap_err();
    assert_eq!(refused.code, error::CODE_INVALID);
    assert!(refused.message.contains("not valid WebAssembly"), "{}", refused.message);
    // A module with floating point is refused with the runtime's reason.
    let float = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "call") (result i32) (i32.trunc_f32_s (f32.const 1))))"#,
    )
    .unwrap();
    let refused = w.run(developer, ContractsCall::Upload { code: float }).unwrap_err();
    assert_eq!(refused.code, error::CODE_INVALID);
    assert!(refused.message.contains("floating point"), "{}", refused.message);
}

#[test]
fn an_administrator_deploys_only_within_the_agency_policy() {
    let mut w = World::new();
    let own = w.upload(&counter(1, SUCCEED));
    let tax_developer = w.tax_developer;
    let foreign_code = counter(2, SUCCEED);
    w.run(tax_developer, ContractsCall::Upload { code: foreign_code.clone() }).unwrap();
    let foreign = sha256(&foreign_code);
    let admin = w.admin;
    let deploy = |name: &str, code_hash: Hash, fuel_per_call: u64| ContractsCall::Deploy {
        name: name.into(),
        code_hash,
        fuel_per_call,
        fuel_per_sender_day: FUEL,
    };
    // Code uploaded by another agency is not the agency's, and the policy lists no hash.
    assert_eq!(code_of(w.run(admin, deploy("foreign", foreign, FUEL))), error::CODE_NOT_ALLOWED);
    assert_eq!(code_of(w.run(admin, deploy("own", own, FUEL + 1))), error::FUEL_LIMIT_INVALID);
    assert_eq!(code_of(w.run(admin, deploy("Bad Name", own, FUEL))), error::NAME_INVALID);
    assert_eq!(code_of(w.run(admin, deploy("ghost", [9; 32], FUEL))), error::CODE_NOT_FOUND);
    let developer = w.developer;
    assert_eq!(code_of(w.run(developer, deploy("own", own, FUEL))), ErrorCode::MissingRole);
    w.run(admin, deploy("own", own, FUEL)).unwrap();
    assert_eq!(code_of(w.run(admin, deploy("own", own, FUEL))), error::NAME_TAKEN);
    let instance = w.instance_named("own");
    assert_eq!(instance.agency, customs());
    assert_eq!(instance.history.len(), 1);
    assert_eq!(instance.history[0].authority, Authority::Admin { address: admin });
    assert!(instance.roles.is_empty(), "an administrator grants no roles");
    // A policy listing the hash lets it in.
    let mut listed = policy();
    listed.code_hashes = vec![foreign];
    tx::apply_policy(&mut w.state, &customs(), &listed).unwrap();
    w.run(admin, deploy("foreign", foreign, FUEL)).unwrap();
    // The instance limit counts every instance.
    listed.max_instances = 2;
    tx::apply_policy(&mut w.state, &customs(), &listed).unwrap();
    assert_eq!(code_of(w.run(admin, deploy("third", own, FUEL))), error::INSTANCE_LIMIT_REACHED);
}

#[test]
fn an_agency_without_a_policy_or_without_admin_deployment_deploys_only_by_vote() {
    let mut w = World::new();
    let tax_developer = w.tax_developer;
    let code = counter(1, SUCCEED);
    w.run(tax_developer, ContractsCall::Upload { code: code.clone() }).unwrap();
    let hash = sha256(&code);
    let tax_admin = w.tax_admin;
    let deploy =
        ContractsCall::Deploy { name: "fees".into(), code_hash: hash, fuel_per_call: FUEL, fuel_per_sender_day: FUEL };
    assert_eq!(code_of(w.run(tax_admin, deploy.clone())), error::POLICY_NOT_SET);
    let mut closed = policy();
    closed.admin_deploy = false;
    tx::apply_policy(&mut w.state, &tax(), &closed).unwrap();
    assert_eq!(code_of(w.run(tax_admin, deploy)), error::ADMIN_DEPLOY_NOT_ALLOWED);
    // A vote deploys it, with a role the agency grants.
    let mut by_vote = deployment("fees", hash);
    by_vote.agency = tax();
    by_vote.roles = vec!["contract-developer".parse().unwrap()];
    let ctx = w.ctx(w.admin);
    let id = tx::apply_deploy(&mut w.state, &ctx, &by_vote, 7).unwrap();
    let instance = w.instance(id);
    assert_eq!(instance.history[0].authority, Authority::Proposal { id: 7 });
    assert_eq!(instance.roles, by_vote.roles);
    // A role the agency may not grant is refused.
    let mut too_much = deployment("other", hash);
    too_much.roles = vec!["court".parse().unwrap()];
    assert_eq!(tx::check_deploy(&w.state, &too_much).unwrap_err().code, error::POLICY_INVALID);
}

#[test]
fn policies_are_bounded_and_a_vote_that_changes_nothing_is_refused() {
    let mut w = World::new();
    assert_eq!(tx::check_policy(&w.state, &customs(), &policy()).unwrap_err().code, error::POLICY_UNCHANGED);
    let mut wide = policy();
    wide.code_hashes = vec![[1; 32]; 65];
    assert_eq!(tx::check_policy(&w.state, &customs(), &wide).unwrap_err().code, error::POLICY_INVALID);
    let unknown: AgencyId = "nowhere".parse().unwrap();
    assert_eq!(tx::check_policy(&w.state, &unknown, &policy()).unwrap_err().code, ErrorCode::UnknownAgency);
    let (stored, keys) = query::policy(&w.state, &customs());
    assert_eq!(stored, Some(policy()));
    assert_eq!(keys, vec![schema::policy_key(&customs())]);
    tx::apply_policy(&mut w.state, &tax(), &policy()).unwrap();
    assert_eq!(query::policy(&w.state, &tax()).0, Some(policy()));
}

#[test]
fn an_administrator_of_the_owning_agency_freezes_and_only_a_vote_unfreezes() {
    let mut w = World::new();
    let id = w.deploy("counter", &counter(1, SUCCEED));
    let (tax_admin, admin, alice) = (w.tax_admin, w.admin, w.alice);
    assert_eq!(code_of(w.run(tax_admin, ContractsCall::Freeze { instance: id })), error::NOT_INSTANCE_AGENCY);
    assert_eq!(code_of(w.run(alice, ContractsCall::Freeze { instance: id })), ErrorCode::MissingRole);
    assert_eq!(code_of(w.run(admin, ContractsCall::Freeze { instance: 99 })), error::INSTANCE_NOT_FOUND);
    w.run(admin, ContractsCall::Freeze { instance: id }).unwrap();
    assert_eq!(code_of(w.run(admin, ContractsCall::Freeze { instance: id })), error::FROZEN_UNCHANGED);
    assert_eq!(code_of(w.call(alice, id, b"", FUEL)), error::INSTANCE_FROZEN);
    tx::apply_frozen(&mut w.state, id, false).unwrap();
    assert_eq!(tx::check_frozen(&w.state, id, false).unwrap_err().code, error::FROZEN_UNCHANGED);
    assert!(w.call(alice, id, b"", FUEL).unwrap().succeeded());
}

#[test]
fn an_upgrade_keeps_the_state_and_appends_to_the_history() {
    let mut w = World::new();
    let id = w.deploy("counter", &counter(1, SUCCEED));
    let alice = w.alice;
    w.call(alice, id, b"", FUEL).unwrap();
    assert_eq!(w.counter_value(id), Some(1));
    let v2 = w.upload(&counter(10, SUCCEED));
    assert_eq!(tx::check_upgrade(&w.state, id, &w.instance(id).code_hash).unwrap_err().code, error::UPGRADE_UNCHANGED);
    assert_eq!(tx::check_upgrade(&w.state, id, &[3; 32]).unwrap_err().code, error::CODE_NOT_FOUND);
    let ctx = w.ctx(w.admin);
    tx::apply_upgrade(&mut w.state, &ctx, id, &v2, 4).unwrap();
    w.call(alice, id, b"", FUEL).unwrap();
    assert_eq!(w.counter_value(id), Some(11), "the state is kept across the upgrade");
    let instance = w.instance(id);
    assert_eq!(instance.code_hash, v2);
    assert_eq!(instance.history.len(), 2);
    assert_eq!(instance.history[1].code_hash, v2);
    assert_eq!(instance.history[1].authority, Authority::Proposal { id: 4 });
    assert_eq!(instance.history[1].height, ctx.height);
}

//! The contracts routes (`/v1/contracts/…`): the agency may grant `contract-developer` and gets a contract policy
//! by two governance votes, a developer uploads a WebAssembly module, an administrator deploys it within the
//! policy, and three calls run (two that write, emit and answer, one that fails with a status), all by signed
//! transactions on the test node; each route's answer decoded, verified offline, checked against the OpenAPI
//! document and against what was sent; and every bad input and every absence refused with its code.

use std::collections::HashMap;

use axum::http::StatusCode;
use base64::Engine as _;
use publica_client::api::contracts::{
    ContractCodeResponse, ContractEventsResponse, ContractInstanceResponse, ContractInstancesResponse,
    ContractPolicyResponse, ContractReceiptResponse, ContractStateResponse,
};
use publica_contracts::call::{ContractsCall, Policy};
use publica_contracts::schema::{self, Authority};
use publica_governance::call::{approval_message, GovernanceCall, ValidatorChange};
use publica_node::shared::now_ms;
use publica_node::TxStatus;
use publica_tx::{AccountsCall, Call};
use publica_types::{sha256, Address, Hash, Keypair, Role, TxId};

use crate::document::{proven, refused};
use crate::{agency, key, TestNet};

/// A contract that answers its input back: it stores the input under its key `k`, emits it twice under the topic
/// `fee` and writes it as its output; an empty input makes it return 7 (a failed call).
const ECHO: &str = r#"(module
  (import "publica_v1" "input_len" (func $input_len (result i32)))
  (import "publica_v1" "input_read" (func $input_read (param i32)))
  (import "publica_v1" "output_write" (func $output_write (param i32 i32)))
  (import "publica_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
  (import "publica_v1" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "kfee")
  (func (export "call") (result i32) (local $n i32)
    (local.set $n (call $input_len))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 7))))
    (call $input_read (i32.const 64))
    (call $state_set (i32.const 0) (i32.const 1) (i32.const 64) (local.get $n))
    (call $emit_event (i32.const 1) (i32.const 3) (i32.const 64) (local.get $n))
    (call $emit_event (i32.const 1) (i32.const 3) (i32.const 64) (local.get $n))
    (call $output_write (i32.const 64) (local.get $n))
    (i32.const 0)))"#;

/// Signs and sends transactions, each sender's nonces in order, and commits blocks.
struct Ledger {
    net: TestNet,
    nonces: HashMap<Address, u64>,
    sent: Vec<TxId>,
}

impl Ledger {
    fn send(&mut self, sender: &Keypair, call: Call) -> TxId {
        let nonce = self.nonces.entry(sender.address()).or_insert(0);
        let tx = self.net.body(sender, *nonce, call).sign(sender);
        *nonce += 1;
        let id = self.net.node.submit(&tx.encode()).unwrap_or_else(|e| {
            panic!("refused at admission: {} {}", e.code.as_str(), e.message);
        });
        self.sent.push(id);
        id
    }

    /// Commit a block and check that every transaction sent went into it; the block's time.
    fn commit(&mut self) -> u64 {
        let block = self.net.commit_block();
        for id in self.sent.drain(..) {
            let status = self.net.node.tx_status(&id);
            assert!(matches!(status, TxStatus::Committed { .. }), "{id}: {status:?}");
        }
        block.header.time_ms
    }

    /// A governance change proposed by the agency's administrator and approved by the one validator.
    fn vote(&mut self, proposal: u64, change: ValidatorChange) {
        let admin = key(1);
        let propose = GovernanceCall::Propose { change: change.clone(), expires_at_ms: now_ms() + 3_600_000 };
        self.send(&admin, Call::Governance(propose));
        self.commit();
        let validator = &self.net.validator;
        let signature = validator.sign(&approval_message(&self.net.chain_id, proposal, &change.hash()));
        let approve = GovernanceCall::Approve { proposal, validator: validator.address(), signature };
        self.send(&admin, Call::Governance(approve));
        self.commit();
    }
}

/// What was made.
struct World {
    ledger: Ledger,
    developer: Keypair,
    code: Vec<u8>,
    code_hash: Hash,
    policy: Policy,
    /// The two calls that succeeded, with their inputs, then the one that failed.
    calls: [(TxId, Vec<u8>); 3],
    /// The block time of the calls.
    calls_ms: u64,
}

fn policy() -> Policy {
    Policy {
        admin_deploy: true,
        code_hashes: Vec::new(),
        any_agency_code: true,
        max_fuel_per_call: 100_000,
        fuel_per_day: 10_000_000,
        max_instances: 4,
    }
}

/// The votes, the upload, the deployment of instance 0 (`fee-schedule`) and three calls.
fn world() -> World {
    let net = TestNet::new();
    let mut l = Ledger { net, nonces: HashMap::new(), sent: Vec::new() };
    let admin = key(1);
    let developer = key(90);

    let mut roles = l.net.node.genesis().agencies[0].roles.clone();
    roles.push(Role::new("contract-developer").unwrap());
    l.vote(0, ValidatorChange::SetAgencyRoles { agency: agency(), roles });
    l.vote(1, ValidatorChange::SetContractPolicy { agency: agency(), policy: policy() });

    let register = AccountsCall::RegisterOfficial {
        public_key: developer.public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("contract-developer").unwrap()],
    };
    l.send(&admin, Call::Accounts(register));
    l.commit();

    let code = wat::parse_str(ECHO).unwrap();
    let code_hash = sha256(&code);
    l.send(&developer, Call::Contracts(ContractsCall::Upload { code: code.clone() }));
    l.commit();
    let deploy = ContractsCall::Deploy {
        name: "fee-schedule".into(),
        code_hash,
        fuel_per_call: 100_000,
        fuel_per_sender_day: 1_000_000,
    };
    l.send(&admin, Call::Contracts(deploy));
    l.commit();

    let inputs = [b"fee:12".to_vec(), b"fee:40".to_vec(), Vec::new()];
    let calls = inputs.map(|input| {
        let call = ContractsCall::Call { instance: 0, input: input.clone(), fuel_limit: 50_000 };
        (l.send(&developer, Call::Contracts(call)), input)
    });
    let calls_ms = l.commit();
    World { ledger: l, developer, code, code_hash, policy: policy(), calls, calls_ms }
}

#[tokio::test]
async fn contracts_routes_answer_with_proofs_and_refuse_bad_input() {
    let w = world();
    let net = &w.ledger.net;
    let (bad, absent) = (StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND);

    // The code, its bytes whole.
    let template = "/v1/contracts/code/{hash}";
    let reply = net.get(&format!("/v1/contracts/code/{}", hex::encode(w.code_hash))).await;
    let code: ContractCodeResponse = proven(net, "get", template, &reply);
    assert_eq!((code.code_hash, code.uploader, &code.agency), (w.code_hash, w.developer.address(), &agency()));
    assert_eq!(code.size, w.code.len() as u64);
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&code.code).unwrap(), w.code);
    assert!(code.height >= 1);
    assert_eq!(code.proofs.len(), 1);
    assert_eq!(code.proofs[0].key, schema::code_key(&w.code_hash));
    let reply = net.get(&format!("/v1/contracts/code/{}", "ab".repeat(32))).await;
    refused(&reply, "get", template, absent, "contract_code_not_found");
    for hash in ["abc", "zz".repeat(32).as_str(), "ab".repeat(33).as_str()] {
        refused(&net.get(&format!("/v1/contracts/code/{hash}")).await, "get", template, bad, "malformed_request");
    }
    let reply = net.get(&format!("/v1/contracts/code/{}?x=1", hex::encode(w.code_hash))).await;
    refused(&reply, "get", template, bad, "malformed_request");

    // The instance, by number and by name: the same record, the name's index proven first.
    let template = "/v1/contracts/instances/{id}";
    let by_number: ContractInstanceResponse = proven(net, "get", template, &net.get("/v1/contracts/instances/0").await);
    let by_name: ContractInstanceResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/fee-schedule").await);
    assert_eq!(by_number.instance, by_name.instance);
    let instance = &by_number.instance;
    assert_eq!((instance.id, instance.name.as_str(), &instance.agency), (0, "fee-schedule", &agency()));
    assert_eq!((instance.code_hash, instance.fuel_per_call, instance.frozen), (w.code_hash, 100_000, false));
    assert!(instance.roles.is_empty());
    assert_eq!(instance.history.len(), 1);
    assert_eq!(instance.history[0].authority, Authority::Admin { address: net.admin.address() });
    assert_eq!(by_number.proofs.iter().map(|p| p.key.clone()).collect::<Vec<_>>(), vec![schema::instance_key(0)]);
    let keys: Vec<_> = by_name.proofs.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, vec![schema::name_key("fee-schedule"), schema::instance_key(0)]);
    for (uri, code) in [
        ("/v1/contracts/instances/1", "contract_instance_not_found"),
        ("/v1/contracts/instances/road-tolls", "contract_instance_not_found"),
    ] {
        refused(&net.get(uri).await, "get", template, absent, code);
    }
    for id in ["01", "Fee", "fee_schedule", "18446744073709551616", "a".repeat(65).as_str()] {
        let reply = net.get(&format!("/v1/contracts/instances/{id}")).await;
        refused(&reply, "get", template, bad, "malformed_request");
    }

    // The instances page by page: the counter proven first (so none can be left out), then each instance.
    let template = "/v1/contracts/instances";
    let page: ContractInstancesResponse = proven(net, "get", template, &net.get("/v1/contracts/instances").await);
    assert_eq!((page.count, page.next), (1, None));
    assert_eq!(page.instances, vec![by_number.instance.clone()]);
    let keys: Vec<_> = page.proofs.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, vec![schema::NEXT_INSTANCE_KEY.to_vec(), schema::instance_key(0)]);
    assert_eq!(page.proofs[0].value, Some(1u64.to_le_bytes().to_vec()), "the counter is the next number");
    let one: ContractInstancesResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances?from=0&limit=1").await);
    assert_eq!((one.count, one.instances.len(), one.next), (1, 1, None));
    for from in ["1", "18446744073709551615"] {
        let past: ContractInstancesResponse =
            proven(net, "get", template, &net.get(&format!("/v1/contracts/instances?from={from}")).await);
        assert_eq!((past.count, past.instances.len(), past.next), (1, 0, None), "from={from}");
        assert_eq!(past.proofs.len(), 1, "the counter alone");
    }
    for query in ["limit=0", "limit=101", "from=-1", "from=x", "page=1", "limit=18446744073709551616", "from=1.5"] {
        let reply = net.get(&format!("/v1/contracts/instances?{query}")).await;
        refused(&reply, "get", template, bad, "malformed_request");
    }

    // A key of the instance's state, present, then one it never wrote, proven absent.
    let template = "/v1/contracts/instances/{id}/state/{key}";
    let value: ContractStateResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/0/state/6B").await);
    assert_eq!((value.instance, value.key.as_str()), (0, "6b"));
    assert_eq!(value.value, Some(hex::encode(&w.calls[1].1)), "the last successful call's write");
    assert_eq!(value.proofs[1].key, schema::state_key(0, b"k"));
    let none: ContractStateResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/0/state/6c").await);
    assert_eq!(none.value, None);
    assert_eq!(none.proofs[1].value, None);
    refused(
        &net.get("/v1/contracts/instances/3/state/6b").await,
        "get",
        template,
        absent,
        "contract_instance_not_found",
    );
    for path in ["fee-schedule/state/6b", "0/state/6", "0/state/zz", format!("0/state/{}", "00".repeat(257)).as_str()] {
        let reply = net.get(&format!("/v1/contracts/instances/{path}")).await;
        refused(&reply, "get", template, bad, "malformed_request");
    }

    // The events: two per successful call, none for the failed one, in pages.
    let template = "/v1/contracts/instances/{id}/events";
    let first: ContractEventsResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/0/events?limit=3").await);
    assert_eq!((first.count, first.events.len(), first.next), (4, 3, Some(3)));
    let rest: ContractEventsResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/0/events?from=3").await);
    assert_eq!((rest.count, rest.events.len(), rest.next), (4, 1, None));
    let events: Vec<_> = first.events.iter().chain(&rest.events).collect();
    for (n, entry) in events.iter().enumerate() {
        let (tx_id, input) = &w.calls[n / 2];
        assert_eq!(entry.seq, n as u64);
        assert_eq!((entry.event.topic.as_slice(), &entry.event.data, &entry.event.tx_id), (&b"fee"[..], input, tx_id));
    }
    let keys: Vec<_> = rest.proofs.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, vec![schema::instance_key(0), schema::event_count_key(0), schema::event_key(0, 3)]);
    let past: ContractEventsResponse =
        proven(net, "get", template, &net.get("/v1/contracts/instances/0/events?from=18446744073709551615").await);
    assert_eq!((past.count, past.events.len(), past.next), (4, 0, None));
    refused(&net.get("/v1/contracts/instances/2/events").await, "get", template, absent, "contract_instance_not_found");
    for query in ["limit=0", "limit=101", "from=-1", "from=x", "page=1", "limit=18446744073709551616"] {
        let reply = net.get(&format!("/v1/contracts/instances/0/events?{query}")).await;
        refused(&reply, "get", template, bad, "malformed_request");
    }
    refused(&net.get("/v1/contracts/instances/zero/events").await, "get", template, bad, "malformed_request");

    // The receipts: a success with its output, and the failure with its status.
    let template = "/v1/contracts/receipts/{id}";
    let mut fuel = 0;
    for (n, (tx_id, input)) in w.calls.iter().enumerate() {
        let reply = net.get(&format!("/v1/contracts/receipts/{tx_id}")).await;
        let answer: ContractReceiptResponse = proven(net, "get", template, &reply);
        let receipt = &answer.receipt;
        assert_eq!((answer.tx_id, receipt.instance), (*tx_id, 0));
        assert_eq!(answer.proofs[0].key, schema::receipt_key(tx_id));
        assert!(receipt.fuel_used > 0 && receipt.fuel_used <= 50_000);
        fuel += receipt.fuel_used;
        if n < 2 {
            assert_eq!((receipt.status, &receipt.output, receipt.events), (Some(0), input, 2));
            assert!(receipt.succeeded());
        } else {
            assert_eq!((receipt.status, receipt.events), (Some(7), 0));
            assert_eq!(receipt.failure.as_ref().unwrap().kind, "status");
        }
    }
    let reply = net.get(&format!("/v1/contracts/receipts/{}", "cd".repeat(32))).await;
    refused(&reply, "get", template, absent, "not_found");
    refused(&net.get("/v1/contracts/receipts/cd").await, "get", template, bad, "malformed_request");

    // The policy, and the fuel the three calls used on their day.
    let template = "/v1/contracts/policies/{agency}";
    let answer: ContractPolicyResponse =
        proven(net, "get", template, &net.get("/v1/contracts/policies/land-registry").await);
    assert_eq!((&answer.agency, &answer.policy), (&agency(), &w.policy));
    assert_eq!(answer.proofs[0].key, schema::policy_key(&agency()));
    assert_eq!(answer.proofs[1].key, schema::budget_key(&agency(), answer.day));
    if answer.day == schema::day_of(w.calls_ms) {
        assert_eq!(answer.fuel_used, fuel);
    }
    refused(&net.get("/v1/contracts/policies/tax-office").await, "get", template, absent, "not_found");
    for agency in ["Land", "-land", "a".repeat(65).as_str()] {
        let reply = net.get(&format!("/v1/contracts/policies/{agency}")).await;
        refused(&reply, "get", template, bad, "malformed_request");
    }
}

#[tokio::test]
async fn before_any_deployment_the_instance_list_is_empty_and_its_counter_proven_absent() {
    let net = TestNet::new();
    net.commit_block();
    let template = "/v1/contracts/instances";
    let page: ContractInstancesResponse = proven(&net, "get", template, &net.get("/v1/contracts/instances").await);
    assert_eq!((page.count, page.instances.len(), page.next), (0, 0, None));
    assert_eq!(page.proofs.len(), 1);
    assert_eq!((page.proofs[0].key.as_slice(), &page.proofs[0].value), (schema::NEXT_INSTANCE_KEY, &None));
}

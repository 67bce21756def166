//! Every JSON route decodes into its type of `publica_client::api` (the types the server builds its answers
//! from), and encoding that again gives back the served JSON: a field the server adds without the type, or a
//! type that drifts from what is served, fails here.

use axum::http::StatusCode;
use publica_client::api::{
    AccountResponse, AccreditationResponse, ApplicationResponse, BatchResponse, BlockResponse, ConsentResponse,
    ConsentsResponse, EntryResponse, EvidenceResponse, IssuerAccreditationsResponse, NameResponse, NodeStatus,
    OneProposalResponse, ParcelHistoryResponse, ParcelResponse, PermitResponse, ProposalsResponse, SchemaResponse,
    SearchResponse, StatusEntryResponse, StatusListResponse, SubmitResponse, TxState, TxStatusResponse,
    ValidatorsResponse, WitnessesResponse,
};
use publica_consensus::Application as _;
use publica_governance::call::ValidatorChange;
use publica_registry::call::{ApplicationAction, NewParcel, RegistryCall, Share};
use publica_tx::{AccountsCall, Call, GovernanceCall, NotaryCall, Transaction};
use publica_types::{Genesis, RecordId, Role};
use publica_verify::{OwnershipAnswer, PermitStatusAnswer, ReadProof, ValidatorHistory};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

use crate::evidence::double_prevote;
use crate::{agency, b64, key, Reply, TestNet};

/// `reply` decoded into `T`, after checking that `T` encodes back to exactly the JSON served.
#[track_caller]
fn typed<T: Serialize + DeserializeOwned>(what: &str, reply: &Reply, status: StatusCode) -> T {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    let served = reply.json();
    let decoded: T = serde_json::from_value(served.clone())
        .unwrap_or_else(|e| panic!("{what} does not decode into {}: {e}\n{served:#}", std::any::type_name::<T>()));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), served, "{what}: the type does not give back what is served");
    decoded
}

/// Decode a `GET` answer of `uri`.
async fn get<T: Serialize + DeserializeOwned>(net: &TestNet, uri: &str) -> T {
    typed(uri, &net.get(uri).await, StatusCode::OK)
}

fn submit(net: &TestNet, tx: &Transaction) {
    net.node.submit(&tx.encode()).unwrap();
}

/// Block 1 registers an officer and a land owner; block 2 registers a parcel, issues a permit, anchors a
/// document, makes a governance proposal and records an equivocation; block 3 opens a transfer application.
fn populated() -> (TestNet, Vec<Transaction>) {
    let net = TestNet::new();
    let (officer, owner) = (key(10), key(11));
    let register = |nonce, public_key: &publica_types::Keypair, roles: &[&str]| {
        let roles = roles.iter().map(|r| Role::new(*r).unwrap()).collect();
        let call =
            AccountsCall::RegisterOfficial { public_key: public_key.public_key().clone(), agency: agency(), roles };
        net.body(&net.admin, nonce, Call::Accounts(call)).sign(&net.admin)
    };
    let mut txs =
        vec![register(0, &officer, &["registrar", "notary", "permit-officer"]), register(1, &owner, &["registrar"])];
    txs.iter().for_each(|tx| submit(&net, tx));
    net.commit_block();

    let ring = "[[44.8000000,41.7000000],[44.8001000,41.7000000],[44.8001000,41.7001000],[44.8000000,41.7001000],\
                [44.8000000,41.7000000]]";
    let parcel = NewParcel {
        parcel: RecordId::new("P-1").unwrap(),
        geojson: format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#),
    };
    let whole = |k: &publica_types::Keypair| vec![Share { owner: k.address(), numerator: 1, denominator: 1 }];
    let genesis_ms = net.node.genesis().genesis_time_ms;
    let officer_calls = [
        Call::Registry(RegistryCall::RegisterParcel { parcel, owners: whole(&owner) }),
        Call::Registry(RegistryCall::IssuePermit {
            permit: RecordId::new("S-1").unwrap(),
            kind: RecordId::new("market-stall").unwrap(),
            holder: owner.address(),
            valid_from_ms: genesis_ms,
            valid_until_ms: genesis_ms + 365 * 24 * 3_600_000,
        }),
        Call::Notary(NotaryCall::Anchor { hashes: vec![[7; 32]], label: Some("deed".into()) }),
    ];
    for (nonce, call) in officer_calls.into_iter().enumerate() {
        txs.push(net.body(&officer, nonce as u64, call).sign(&officer));
    }
    let change = ValidatorChange::SetPower { address: net.validator.address(), voting_power: 20 };
    let propose = GovernanceCall::Propose { change, expires_at_ms: publica_node::shared::now_ms() + 3_600_000 };
    txs.push(net.body(&net.admin, 2, Call::Governance(propose)).sign(&net.admin));
    txs[2..].iter().for_each(|tx| submit(&net, tx));
    let mut app = net.app();
    app.report_misbehavior(vec![double_prevote(&net, &net.validator, 1, 0)]);
    net.commit_block_with(&mut app);

    let action = ApplicationAction::Transfer { parcel: RecordId::new("P-1").unwrap(), new_owners: whole(&net.admin) };
    let call = RegistryCall::OpenApplication { action, deadline_ms: publica_node::shared::now_ms() + 3_600_000 };
    txs.push(net.body(&officer, 3, Call::Registry(call)).sign(&officer));
    submit(&net, txs.last().unwrap());
    net.commit_block();
    (net, txs)
}

#[tokio::test]
async fn every_json_route_decodes_into_its_type_and_encodes_back_to_what_is_served() {
    let (net, txs) = populated();
    for tx in &txs {
        let status: TxStatusResponse = get(&net, &format!("/v1/transactions/{}", tx.id())).await;
        assert_eq!(status.status, TxState::Committed, "{status:?}");
    }
    let status: NodeStatus = get(&net, "/v1/status").await;
    assert_eq!(status.height, 3);
    let _: Genesis = get(&net, "/v1/genesis").await;
    let account: AccountResponse = get(&net, &format!("/v1/accounts/{}", net.admin.address())).await;
    assert_eq!(account.next_nonce, 3);
    let _: BlockResponse = get(&net, "/v1/blocks/latest").await;
    let block: BlockResponse = get(&net, "/v1/blocks/2?txs=true").await;
    assert_eq!(block.txs.map(|t| t.len()), Some(4));
    assert_eq!(block.evidence.len(), 1);
    let _: ReadProof = get(&net, &format!("/v1/state/{}", hex::encode(b"no such key"))).await;
    let _: ValidatorsResponse = get(&net, "/v1/validators").await;
    let _: ValidatorHistory = get(&net, "/v1/validators/history").await;
    let proposals: ProposalsResponse = get(&net, "/v1/governance/proposals").await;
    assert_eq!(proposals.proposals.len(), 1, "the proposal was made");
    let _: OneProposalResponse = get(&net, "/v1/governance/proposals/0").await;
    let evidence: EvidenceResponse = get(&net, "/v1/evidence").await;
    assert_eq!(evidence.evidence.len(), 1, "the equivocation was recorded");
    let entry: EntryResponse = get(&net, &format!("/v1/notary/entries/{}", hex::encode([7u8; 32]))).await;
    assert_eq!(entry.label.as_deref(), Some("deed"));

    let search: SearchResponse = get(&net, "/v1/land/parcels?bbox=44.79,41.69,44.81,41.71").await;
    assert_eq!(search.parcels.len(), 1);
    let _: ParcelResponse = get(&net, "/v1/land/parcels/P-1").await;
    let _: ParcelHistoryResponse = get(&net, "/v1/land/parcels/P-1/history").await;
    let _: OwnershipAnswer = get(&net, "/v1/land/parcels/P-1/owners").await;
    let _: OwnershipAnswer = get(&net, &format!("/v1/land/parcels/P-1/owners?at={}", status.genesis_time_ms)).await;
    let _: ApplicationResponse = get(&net, "/v1/registry/applications/1").await;
    let _: PermitResponse = get(&net, "/v1/permits/S-1").await;
    let _: PermitStatusAnswer = get(&net, "/v1/permits/S-1/status").await;
    let name: NameResponse = get(&net, "/v1/business/companies?name=Acme%20Trading").await;
    assert_eq!(name.company, None);

    // Submissions: one accepted (then pending), and a batch with one good and one undecodable transaction.
    let tx = net.register(3, 12);
    let reply = net.post_json("/v1/transactions", &json!({ "tx": b64(&tx.encode()) })).await;
    let submitted: SubmitResponse = typed("POST /v1/transactions", &reply, StatusCode::ACCEPTED);
    assert_eq!(submitted.status, TxState::Pending);
    let pending: TxStatusResponse = get(&net, &format!("/v1/transactions/{}", tx.id())).await;
    assert_eq!(pending.status, TxState::Pending);
    let batch = json!({ "txs": [b64(&net.register(4, 13).encode()), b64(b"not a transaction")] });
    let reply = net.post_json("/v1/transactions/batch", &batch).await;
    let answer: BatchResponse = typed("POST /v1/transactions/batch", &reply, StatusCode::OK);
    assert!(answer.results[0].error.is_none() && answer.results[1].error.is_some(), "{answer:?}");
}

#[tokio::test]
async fn empty_lists_decode_too() {
    let net = TestNet::new();
    let _: EvidenceResponse = get(&net, "/v1/evidence").await;
    let _: ProposalsResponse = get(&net, "/v1/governance/proposals").await;
    let witnesses: WitnessesResponse = get(&net, "/v1/notary/witnesses").await;
    assert!(witnesses.witnesses.is_empty(), "a node without witnesses lists none: {witnesses:?}");
}

#[tokio::test]
async fn identity_routes_decode_into_their_types_and_encode_back() {
    let w = crate::identity::world();
    let net = &w.net;
    let diploma = "https%3A%2F%2Fpublica.example%2Fvct%2Fdiploma";
    let schema: SchemaResponse = get(net, &format!("/v1/identity/schemas/{}", hex::encode(w.schema))).await;
    assert_eq!(schema.schema.hash, w.schema);
    let _: SchemaResponse = get(net, &format!("/v1/identity/schemas?type={diploma}&version=1")).await;
    let _: AccreditationResponse = get(net, "/v1/identity/accreditations/2").await;
    let _: IssuerAccreditationsResponse =
        get(net, &format!("/v1/identity/issuers/{}/accreditations?type={diploma}", w.faculty.address())).await;
    let _: StatusListResponse = get(net, &format!("/v1/identity/status-lists/{}/0", w.faculty.address())).await;
    let _: StatusEntryResponse =
        get(net, &format!("/v1/identity/status-lists/{}/0/entries/7", w.faculty.address())).await;
    let _: ConsentResponse = get(net, "/v1/identity/consents/1").await;
    let _: ConsentsResponse = get(net, &format!("/v1/identity/grantors/{}/consents", w.citizen.address())).await;
    let _: ConsentsResponse = get(net, &format!("/v1/identity/grantees/{}/consents", w.university.address())).await;
}

//! The personal data routes (`/v1/data/…`): a hospital's vault registers records, a citizen consents, a court
//! appoints a representative, a clinic's doctor asks for a record and the vault releases it, all by signed
//! transactions on the test node. The signed read is checked for every standing (the owner, the representative,
//! the requester, a controller, an auditor) and refused alike to everyone else, whether or not the thing asked for
//! exists; its bad times, signatures and bodies are refused by name; the log stream delivers new accesses and their
//! answers; the public routes serve studies, emergencies and retention rules with proofs; block answers withhold the
//! private calls' bodies and the state route refuses the private keys.

use std::pin::Pin;
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::http::{header, Request, StatusCode};
use publica_client::api::data::{
    AccessEvent, DataAnswer, DataQuery, DataReadRequest, DataReadResponse, DataStanding, EmergenciesResponse,
    RetentionResponse, SignedDataRead, StreamEnd, StreamEndReason, StreamReady, StudyResponse,
};
use publica_client::api::BlockResponse;
use publica_crypto::kem::{open_hybrid, seal_hybrid, RecipientSecret};
use publica_data::call::{Basis, DataCall, ErasureOrder, Grantee, RecipientKey, DAY_MS};
use publica_data::schema::{self, AccessState, RecordState};
use publica_data::verify::{build_release, check_release, commit_fields, Expected, Release};
use publica_node::shared::now_ms;
use publica_node::{HomeLayout, NodeConfig, NodeHandle, TxStatus};
use publica_tx::{AccountsCall, Call};
use publica_types::{
    AgencyId, ChainId, Genesis, GenesisAccount, GenesisAgency, Hash, Keypair, Role, TxId, Validator, ValidatorSet,
};
use publica_verify::ReadProof;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use crate::document::{assert_documented, assert_schema, document, proven, refused};
use crate::{b64, key, Reply, TestNet};

const READ: &str = "/v1/data/read";
const STREAM: &str = "/v1/data/log/stream";
const HEALTH: &str = "health.summary";
const TREATMENT: &str = "treatment";
/// A health summary's fields, as the vault stores them: JSON texts.
const SUMMARY: [(&str, &str); 3] =
    [("blood_type", r#""O+""#), ("allergies", r#"["penicillin"]"#), ("diagnosis", r#""asthma""#)];

// --- The world ---------------------------------------------------------------------------------------------------

fn agency(id: &str) -> AgencyId {
    AgencyId::new(id).unwrap()
}

/// Who is who, and what was made.
struct World {
    net: TestNet,
    /// The civil registry's officials: a citizen registrar, a data protection auditor, a judge, a health authority's
    /// official, an ethics board member (who has no standing for anyone's data).
    auditor: Keypair,
    judge: Keypair,
    board: Keypair,
    /// The hospital's vault operator (`data-controller`).
    vault: Keypair,
    /// The clinic's vault operator, a doctor (`data-requester`) and a researcher.
    clinic_vault: Keypair,
    doctor: Keypair,
    /// Citizens; the guardian represents Alice.
    alice: Keypair,
    bob: Keypair,
    guardian: Keypair,
    /// The key the doctor's release is sealed to.
    recipient: RecipientSecret,
    /// Alice's record (1) and Bob's (2), and the commitment of Alice's.
    alice_record: u64,
    bob_record: u64,
    commitment: Hash,
    /// The sealed release of access 1.
    sealed: publica_crypto::kem::HybridSealed,
    /// The senders' nonces and the transactions in flight.
    ledger: Ledger,
    /// The height of the block with the records' registration.
    records_height: u64,
}

/// What the test sends: the next nonce of each sender, and the transactions sent since the last block.
#[derive(Default)]
struct Ledger {
    nonces: std::collections::HashMap<publica_types::Address, u64>,
    sent: Vec<TxId>,
}

impl Ledger {
    /// Sign `call` by `sender` with its next nonce and submit it.
    fn send(&mut self, net: &TestNet, sender: &Keypair, call: impl Into<Call>) {
        let nonce = self.nonces.entry(sender.address()).or_default();
        let tx = net.body(sender, *nonce, call.into()).sign(sender);
        *nonce += 1;
        let id = net.node.submit(&tx.encode()).unwrap_or_else(|e| {
            panic!("refused at admission: {} {}", e.code.as_str(), e.message);
        });
        self.sent.push(id);
    }

    /// Commit a block and check that every transaction sent went into it; its height.
    fn commit(&mut self, net: &TestNet) -> u64 {
        let block = net.commit_block();
        for id in self.sent.drain(..) {
            let status = net.node.tx_status(&id);
            assert!(matches!(status, TxStatus::Committed { .. }), "{id}: {status:?}");
        }
        block.header.height
    }
}

impl World {
    /// `reader`'s signed request for `query`, made now, as a client sends it.
    fn signed(&self, reader: &Keypair, query: DataQuery) -> Value {
        signed(&self.net, reader, DataReadRequest { query, reader: reader.address(), at_ms: now_ms() })
    }
}

/// A read request's body: `request` signed with `key`.
fn signed(net: &TestNet, key: &Keypair, request: DataReadRequest) -> Value {
    let signature = key.sign(&request.signing_message(net.chain_id.as_str()));
    serde_json::to_value(SignedDataRead { request, signature: b64(&signature.to_bytes()) }).unwrap()
}

fn official(k: &Keypair, agency_id: &str, roles: &[&str]) -> Call {
    Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: k.public_key().clone(),
        agency: agency(agency_id),
        roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
    })
}

/// A node with three agencies: the civil registry (citizens, and the court, health authority, ethics board and
/// auditor roles), a hospital and a clinic (vaults and requesters; the clinic also runs studies).
fn data_net() -> TestNet {
    let home = tempfile::tempdir().unwrap();
    let validator = key(100);
    // A chain id of its own: streams are counted per network, and tests run side by side.
    static NETS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let chain_id = ChainId::new(format!("api-data-test-{n}")).unwrap();
    let roles = |list: &[&str]| -> Vec<Role> { list.iter().map(|r| Role::new(*r).unwrap()).collect() };
    let agency_of = |id: &str, admin: u8, citizens: bool, list: &[&str]| GenesisAgency {
        id: agency(id),
        name: id.into(),
        can_register_citizens: citizens,
        roles: roles(list),
        admins: vec![GenesisAccount { public_key: key(admin).public_key().clone() }],
    };
    let genesis = Genesis {
        chain_id: chain_id.clone(),
        genesis_time_ms: now_ms() - 60_000,
        agencies: vec![
            agency_of(
                "civil-registry",
                1,
                true,
                &["citizen-registrar", "data-protection-auditor", "court", "health-authority", "research-ethics-board"],
            ),
            agency_of("hospital", 2, false, &["data-controller", "data-requester"]),
            agency_of("clinic", 3, false, &["data-controller", "data-requester", "researcher"]),
        ],
        validators: ValidatorSet::new(vec![Validator::from_keypair(&validator, 10)]).unwrap(),
    };
    genesis.validate().unwrap();
    let layout = HomeLayout::new(home.path());
    let config = NodeConfig::new("api-data-node", "127.0.0.1:0".parse().unwrap(), "127.0.0.1:0".parse().unwrap());
    let node = NodeHandle::open(&layout, genesis, config, validator.address()).unwrap();
    TestNet { _home: home, node, admin: key(1), validator, chain_id }
}

fn summary_salts() -> Vec<Hash> {
    (0..SUMMARY.len()).map(|i| [i as u8 + 1; 32]).collect()
}

/// The context a release is sealed under: the tag, the chain id, the access id big-endian.
fn release_context(net: &TestNet, access: u64) -> Vec<u8> {
    [b"publica/data/release/v1".as_slice(), net.chain_id.as_str().as_bytes(), &access.to_be_bytes()].concat()
}

/// Five blocks: the officials; the citizens; Alice's and Bob's records, a retention rule, Alice's consent to the
/// doctor, the guardian's appointment, an emergency and a study; the doctor's request and the study's approval; the
/// vault's release.
fn world() -> World {
    let net = data_net();
    let (registrar, authority, researcher, hospital_doctor) = (key(10), key(13), key(32), key(21));
    let mut ledger = Ledger::default();
    let mut w = World {
        auditor: key(11),
        judge: key(12),
        board: key(14),
        vault: key(20),
        clinic_vault: key(30),
        doctor: key(31),
        alice: key(40),
        bob: key(41),
        guardian: key(42),
        recipient: RecipientSecret::generate(),
        alice_record: 1,
        bob_record: 2,
        commitment: [0; 32],
        sealed: seal_hybrid(RecipientSecret::generate().public_key(), b"", b"x").unwrap(),
        ledger: Ledger::default(),
        records_height: 0,
        net,
    };
    let net = &w.net;
    let owner = w.alice.address();
    let as_bytes: Vec<(&str, &[u8])> = SUMMARY.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    w.commitment = commit_fields(&owner, HEALTH, &as_bytes, &summary_salts()).unwrap().commitment;

    for (k, roles) in [
        (&registrar, &["citizen-registrar"][..]),
        (&w.auditor, &["data-protection-auditor"][..]),
        (&w.judge, &["court"][..]),
        (&authority, &["health-authority"][..]),
        (&w.board, &["research-ethics-board"][..]),
    ] {
        ledger.send(net, &key(1), official(k, "civil-registry", roles));
    }
    ledger.send(net, &key(2), official(&w.vault, "hospital", &["data-controller"]));
    ledger.send(net, &key(2), official(&hospital_doctor, "hospital", &["data-requester"]));
    ledger.send(net, &key(3), official(&w.clinic_vault, "clinic", &["data-controller"]));
    ledger.send(net, &key(3), official(&w.doctor, "clinic", &["data-requester"]));
    ledger.send(net, &key(3), official(&researcher, "clinic", &["researcher", "data-requester"]));
    ledger.commit(net);

    for (n, citizen) in [&w.alice, &w.bob, &w.guardian].into_iter().enumerate() {
        let call = AccountsCall::RegisterCitizen {
            public_key: citizen.public_key().clone(),
            id_commitment: [n as u8 + 1; 32],
        };
        ledger.send(net, &registrar, Call::Accounts(call));
    }
    ledger.commit(net);

    let until_ms = now_ms() + 30 * DAY_MS;
    let register =
        |owner, commitment| DataCall::RegisterRecord { owner, category: HEALTH.into(), commitment, fields: 3 };
    ledger.send(net, &w.vault, register(owner, w.commitment));
    let bob_commitment = commit_fields(&w.bob.address(), HEALTH, &as_bytes, &summary_salts()).unwrap().commitment;
    ledger.send(net, &w.vault, register(w.bob.address(), bob_commitment));
    ledger.send(net, &w.vault, DataCall::SetRetention { category: HEALTH.into(), keep_days: 3650 });
    let grantee = Grantee::Account(w.doctor.address());
    let consent =
        DataCall::GrantConsent { owner, grantee, category: HEALTH.into(), purpose: TREATMENT.into(), until_ms };
    ledger.send(net, &w.alice, consent);
    let representative = w.guardian.address();
    let appoint = DataCall::AppointRepresentative { citizen: owner, representative, until_ms: now_ms() + DAY_MS };
    ledger.send(net, &w.judge, appoint);
    let emergency = DataCall::DeclareEmergency {
        categories: vec![HEALTH.into()],
        grantees: vec![agency("hospital")],
        purpose: "epidemic".into(),
        until_ms,
        declaration_sha256: [7; 32],
    };
    ledger.send(net, &authority, emergency);
    let study = DataCall::ProposeStudy {
        title: "Asthma and blood types".into(),
        categories: vec![HEALTH.into()],
        fields: vec!["blood_type".into(), "diagnosis".into()],
        purpose: "research".into(),
        until_ms,
        protocol_sha256: [8; 32],
    };
    ledger.send(net, &researcher, study);
    let records_height = ledger.commit(net);

    ledger.send(net, &w.doctor, request_access(&w, 1));
    ledger.send(net, &w.board, DataCall::ApproveStudy { study: 1 });
    ledger.commit(net);

    // The vault releases the record: sealed to the access's key, reported by its digest.
    let release = build_release(1, 1, &owner, HEALTH, &SUMMARY, &summary_salts(), None).unwrap();
    let plaintext = serde_json::to_vec(&release).unwrap();
    let sealed = seal_hybrid(w.recipient.public_key(), &release_context(net, 1), &plaintext).unwrap();
    let bytes = borsh::to_vec(&sealed).unwrap();
    let fulfil = DataCall::FulfilAccess {
        access: 1,
        release_sha256: publica_crypto::sha256(&bytes),
        release_bytes: bytes.len() as u64,
    };
    ledger.send(net, &w.vault, fulfil);
    ledger.commit(net);
    w.sealed = sealed;
    w.records_height = records_height;
    w.ledger = ledger;
    w
}

/// The doctor's request for `record` under Alice's consent, to the world's recipient key.
fn request_access(w: &World, record: u64) -> DataCall {
    let public = w.recipient.public_key();
    let recipient = RecipientKey { x25519: public.x25519, ml_kem: public.ml_kem.clone() };
    DataCall::RequestAccess { record, purpose: TREATMENT.into(), basis: Basis::Consent(1), recipient }
}

async fn read(net: &TestNet, body: &Value) -> DataReadResponse {
    proven(net, "post", READ, &net.post_json(READ, body).await)
}

async fn read_refused(net: &TestNet, body: &Value, status: StatusCode, code: &str) -> String {
    refused(&net.post_json(READ, body).await, "post", READ, status, code)
}

// --- Signed reads ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_standing_reads_what_it_may_and_a_release_checks_against_the_proven_access() {
    let w = world();
    let net = &w.net;
    let record = |id| DataQuery::Record { id };
    let access = |id| DataQuery::Access { id };
    let log = |owner: &Keypair| DataQuery::OwnerLog { owner: owner.address(), after: None, limit: 50 };

    // The owner: her record, the access to it, her log, records and bases.
    let r = read(net, &w.signed(&w.alice, record(w.alice_record))).await;
    assert_eq!((r.standing, r.reader), (DataStanding::Owner, w.alice.address()));
    let DataAnswer::Record { record: found } = &r.answer else { panic!("{:?}", r.answer) };
    assert_eq!((found.owner, &found.category, found.commitment), (w.alice.address(), &HEALTH.to_owned(), w.commitment));
    assert_eq!(found.state, RecordState::Active);
    assert_eq!(r.proofs[0].key, schema::record_key(w.alice_record));
    let r = read(net, &w.signed(&w.alice, access(1))).await;
    assert_eq!(r.standing, DataStanding::Owner);
    let r = read(net, &w.signed(&w.alice, log(&w.alice))).await;
    let DataAnswer::OwnerLog { accesses } = &r.answer else { panic!("{:?}", r.answer) };
    assert_eq!((accesses.total, accesses.items.len(), accesses.next), (1, 1, None));
    assert_eq!(accesses.items[0].requester, w.doctor.address());
    assert!(matches!(accesses.items[0].state, AccessState::Released { .. }));
    let records = DataQuery::OwnerRecords { owner: w.alice.address(), after: None, limit: 10 };
    let r = read(net, &w.signed(&w.alice, records)).await;
    let DataAnswer::OwnerRecords { records } = &r.answer else { panic!("{:?}", r.answer) };
    assert_eq!(records.items.iter().map(|r| r.id).collect::<Vec<_>>(), [w.alice_record]);
    let r = read(net, &w.signed(&w.alice, DataQuery::OwnerBases { owner: w.alice.address() })).await;
    let DataAnswer::OwnerBases { consents, court_orders, representatives } = &r.answer else {
        panic!("{:?}", r.answer)
    };
    assert_eq!((consents.total, court_orders.total, representatives.len()), (1, 0, 1));
    assert_eq!(representatives[0].representative, w.guardian.address());

    // Her representative: the same, as her representative.
    for query in [record(w.alice_record), access(1), log(&w.alice), DataQuery::OwnerBases { owner: w.alice.address() }]
    {
        let r = read(net, &w.signed(&w.guardian, query)).await;
        assert_eq!(r.standing, DataStanding::Representative);
    }

    // The requester: the access, with the record's ledger entry; and the release checks against them.
    let r = read(net, &w.signed(&w.doctor, access(1))).await;
    assert_eq!(r.standing, DataStanding::Requester);
    let DataAnswer::Access { access: a, record: rec } = &r.answer else { panic!("{:?}", r.answer) };
    assert_eq!(
        r.proofs.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
        [schema::access_key(1), schema::record_key(w.alice_record)]
    );
    let AccessState::Released { release_sha256, release_bytes, .. } = &a.state else { panic!("{:?}", a.state) };
    let sealed_bytes = borsh::to_vec(&w.sealed).unwrap();
    assert_eq!((*release_sha256, *release_bytes), (publica_crypto::sha256(&sealed_bytes), sealed_bytes.len() as u64));
    let plaintext = open_hybrid(&w.recipient, &release_context(net, a.id), &w.sealed).unwrap();
    let release: Release = serde_json::from_slice(&plaintext).unwrap();
    let fields = check_release(&release, &Expected::new(rec, a).unwrap()).unwrap();
    assert_eq!(fields["blood_type"], r#""O+""#);
    assert!(open_hybrid(&w.recipient, &release_context(net, 2), &w.sealed).is_err(), "bound to its access");

    // A controller of the record's agency: the record (by number and by commitment), the access, the queue.
    let by_commitment = DataQuery::RecordByCommitment { commitment: w.commitment };
    for query in [record(w.alice_record), access(1), by_commitment.clone()] {
        let r = read(net, &w.signed(&w.vault, query)).await;
        assert_eq!(r.standing, DataStanding::Controller);
    }
    let queue = DataQuery::AgencyQueue { agency: agency("hospital"), after: None, limit: 10 };
    let r = read(net, &w.signed(&w.vault, queue.clone())).await;
    let DataAnswer::AgencyQueue { accesses, erasures } = &r.answer else { panic!("{:?}", r.answer) };
    assert_eq!((accesses.total, erasures.total), (0, 0), "the release took the access out of the queue");

    // An auditor: everything; and only an auditor is told that something does not exist.
    for query in [record(w.bob_record), access(1), log(&w.bob), queue.clone(), by_commitment] {
        let r = read(net, &w.signed(&w.auditor, query)).await;
        assert_eq!(r.standing, DataStanding::Auditor);
    }
    read_refused(net, &w.signed(&w.auditor, record(99)), StatusCode::NOT_FOUND, "data_record_not_found").await;
    read_refused(net, &w.signed(&w.auditor, access(99)), StatusCode::NOT_FOUND, "access_not_found").await;
    let unknown = DataQuery::RecordByCommitment { commitment: [9; 32] };
    read_refused(net, &w.signed(&w.auditor, unknown.clone()), StatusCode::NOT_FOUND, "data_record_not_found").await;

    // Everyone else is refused, the same whether the thing exists or not.
    let same = |reader: &Keypair, there: DataQuery, absent: DataQuery, there_name: String, absent_name: String| {
        let (there, absent) = (w.signed(reader, there), w.signed(reader, absent));
        async move {
            let a = read_refused(net, &there, StatusCode::FORBIDDEN, "not_permitted").await;
            let b = read_refused(net, &absent, StatusCode::FORBIDDEN, "not_permitted").await;
            assert_eq!(a.replace(&there_name, "X"), b.replace(&absent_name, "X"), "the same refusal");
            a
        }
    };
    let r1 = w.alice_record.to_string();
    // A stranger with an account (the ethics board member), Bob (another citizen), the doctor for the record itself
    // (it reads it through its access), the clinic's vault (another agency's controller).
    for reader in [&w.board, &w.bob, &w.doctor, &w.clinic_vault] {
        let message =
            same(reader, record(w.alice_record), record(99), format!("record {r1}"), "record 99".into()).await;
        assert!(message.contains("may not read record"), "{message}");
        let message = same(
            reader,
            DataQuery::RecordByCommitment { commitment: w.commitment },
            unknown.clone(),
            hex::encode(w.commitment),
            hex::encode([9u8; 32]),
        )
        .await;
        assert!(message.contains("may not read"), "{message}");
    }
    for reader in [&w.board, &w.bob, &w.clinic_vault] {
        let message = same(reader, access(1), access(99), "access 1".into(), "access 99".into()).await;
        assert!(message.contains("may not read access"), "{message}");
    }
    // What is about a citizen: refused alike for a citizen with records and one without (or no account at all).
    let nobody = key(77);
    let message =
        same(&w.board, log(&w.alice), log(&nobody), w.alice.address().to_string(), nobody.address().to_string()).await;
    assert!(message.contains("may not read what is about"), "{message}");
    let message = same(
        &w.bob,
        DataQuery::OwnerBases { owner: w.alice.address() },
        DataQuery::OwnerBases { owner: nobody.address() },
        w.alice.address().to_string(),
        nobody.address().to_string(),
    )
    .await;
    assert!(message.contains("may not read what is about"), "{message}");
    // The guardian represents Alice, not Bob.
    read_refused(net, &w.signed(&w.guardian, log(&w.bob)), StatusCode::FORBIDDEN, "not_permitted").await;
    // An agency's queue: to its controllers only, refused before the signature is looked at (roles are public).
    for reader in [&w.clinic_vault, &w.doctor, &w.alice] {
        let mut forged = w.signed(reader, queue.clone());
        forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
        let message = read_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await;
        assert!(message.contains("may not read hospital's queue"), "{message}");
    }
    // A representation is private: a forged request naming the guardian meets the signature, as one naming anyone
    // else does, so it tells nothing of who represents whom.
    for reader in [&w.guardian, &w.board] {
        let mut forged = w.signed(reader, log(&w.alice));
        forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
        let message = read_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await;
        assert!(message.contains("does not verify"), "{message}");
    }
    // A reader that is no account.
    let message = read_refused(net, &w.signed(&nobody, log(&nobody)), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("not an active account"), "{message}");
}

#[tokio::test]
async fn pages_of_the_log_follow_one_another_and_a_page_after_a_stranger_is_refused() {
    let mut w = world();
    // Two more requests by the doctor: one pending, one refused (Alice's consent does not cover Bob's record, but
    // the request is written all the same, in Bob's log).
    w.ledger.send(&w.net, &w.doctor, request_access(&w, 1));
    w.ledger.commit(&w.net);
    w.ledger.send(&w.net, &w.doctor, request_access(&w, 2));
    w.ledger.commit(&w.net);
    let net = &w.net;
    let page = |after, limit| DataQuery::OwnerLog { owner: w.alice.address(), after, limit };
    let first = read(net, &w.signed(&w.alice, page(None, 1))).await;
    let DataAnswer::OwnerLog { accesses } = &first.answer else { panic!() };
    assert_eq!((accesses.items[0].id, accesses.total, accesses.next), (1, 2, Some(1)));
    let second = read(net, &w.signed(&w.alice, page(Some(1), 1))).await;
    let DataAnswer::OwnerLog { accesses } = &second.answer else { panic!() };
    assert_eq!((accesses.items[0].id, accesses.next), (2, None));
    assert_eq!(accesses.items[0].state, AccessState::Pending);
    let bobs = DataQuery::OwnerLog { owner: w.bob.address(), after: None, limit: 5 };
    let r = read(net, &w.signed(&w.bob, bobs)).await;
    let DataAnswer::OwnerLog { accesses } = &r.answer else { panic!() };
    assert!(matches!(accesses.items[0].state, AccessState::Refused { .. }), "{:?}", accesses.items[0].state);
    // Access 3 is Bob's: a page of Alice's log after it does not exist.
    let message = read_refused(net, &w.signed(&w.alice, page(Some(3), 1)), StatusCode::NOT_FOUND, "not_found").await;
    assert!(message.contains("read the list again from its start"), "{message}");
    // The hospital's queue holds the pending access now.
    let queue = DataQuery::AgencyQueue { agency: agency("hospital"), after: None, limit: 10 };
    let r = read(net, &w.signed(&w.vault, queue)).await;
    let DataAnswer::AgencyQueue { accesses, .. } = &r.answer else { panic!() };
    assert_eq!(accesses.items.iter().map(|a| a.id).collect::<Vec<_>>(), [2]);
}

#[tokio::test]
async fn a_read_request_of_the_wrong_time_signature_or_form_is_refused_by_name() {
    let w = world();
    let net = &w.net;
    let query = DataQuery::Record { id: 1 };
    let request = |at_ms| DataReadRequest { query: query.clone(), reader: w.alice.address(), at_ms };

    // The time, either way.
    let message = read_refused(
        net,
        &signed(net, &w.alice, request(now_ms() - 10 * 60_000)),
        StatusCode::FORBIDDEN,
        "not_permitted",
    )
    .await;
    assert!(message.contains("behind") && message.contains("sign a new one"), "{message}");
    let message = read_refused(
        net,
        &signed(net, &w.alice, request(now_ms() + 10 * 60_000)),
        StatusCode::FORBIDDEN,
        "not_permitted",
    )
    .await;
    assert!(message.contains("ahead") && message.contains("clock"), "{message}");
    // A signature of zeros, by another key, or over another request.
    let good = signed(net, &w.alice, request(now_ms()));
    let mut zeros = good.clone();
    zeros["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
    assert!(read_refused(net, &zeros, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));
    let impostor = signed(net, &w.bob, request(now_ms()));
    let message = read_refused(net, &impostor, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("does not verify") && message.contains(&w.alice.address().to_string()), "{message}");
    let mut altered = good.clone();
    altered["request"]["query"] = json!({"record": {"id": 2}});
    assert!(read_refused(net, &altered, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));
    // Signed for another chain.
    let request_now = request(now_ms());
    let other_chain = key(40).sign(&request_now.signing_message("another-chain"));
    let body =
        serde_json::to_value(SignedDataRead { request: request_now, signature: b64(&other_chain.to_bytes()) }).unwrap();
    assert!(read_refused(net, &body, StatusCode::FORBIDDEN, "not_permitted").await.contains("does not verify"));

    // Bodies of the wrong form.
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = good.clone();
        edit(&mut body);
        body
    };
    let owner = w.alice.address().to_string();
    for (what, body) in [
        ("an unknown member", with(&|b| b["extra"] = json!(1))),
        ("an unknown member of the request", with(&|b| b["request"]["extra"] = json!(1))),
        ("an unknown member of the query", with(&|b| b["request"]["query"] = json!({"record": {"id": 1, "x": 1}}))),
        ("an unknown query", with(&|b| b["request"]["query"] = json!({"records": {"id": 1}}))),
        ("two queries", with(&|b| b["request"]["query"] = json!({"record": {"id": 1}, "access": {"id": 1}}))),
        ("a negative number", with(&|b| b["request"]["query"] = json!({"record": {"id": -1}}))),
        ("a limit of 0", with(&|b| b["request"]["query"] = json!({"owner_log": {"owner": owner, "limit": 0}}))),
        ("a limit of 201", with(&|b| b["request"]["query"] = json!({"owner_log": {"owner": owner, "limit": 201}}))),
        ("no limit", with(&|b| b["request"]["query"] = json!({"owner_log": {"owner": owner}}))),
        ("a bad address", with(&|b| b["request"]["reader"] = json!("xyz"))),
        (
            "a bad agency",
            with(&|b| b["request"]["query"] = json!({"agency_queue": {"agency": "Hospital", "limit": 1}})),
        ),
        (
            "a short commitment",
            with(&|b| b["request"]["query"] = json!({"record_by_commitment": {"commitment": "ab"}})),
        ),
        ("no signature", with(&|b| drop(b.as_object_mut().unwrap().remove("signature")))),
        ("no request", with(&|b| drop(b.as_object_mut().unwrap().remove("request")))),
        ("a signature that is not base64", with(&|b| b["signature"] = json!("not base64!"))),
        ("a short signature", with(&|b| b["signature"] = json!(b64(&[0; 3372])))),
    ] {
        let message = read_refused(net, &body, StatusCode::BAD_REQUEST, "malformed_request").await;
        assert!(message.len() < 600, "{what}: {message}");
    }
    let message = read_refused(
        net,
        &with(&|b| b["request"]["query"] = json!({"owner_log": {"owner": owner, "limit": 201}})),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("1 to 200"), "{message}");
    // The form before the time: a stale request with a bad limit is a 400.
    let mut stale = request(1);
    stale.query = DataQuery::OwnerLog { owner: w.alice.address(), after: None, limit: 0 };
    read_refused(net, &signed(net, &w.alice, stale), StatusCode::BAD_REQUEST, "malformed_request").await;
    // A body over 16 KiB, one that is not JSON, one without its content type.
    let large = with(&|b| b["signature"] = json!("A".repeat(publica_api::MAX_DATA_READ_BODY_BYTES)));
    refused(&net.post_json(READ, &large).await, "post", READ, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    let reply = net.post_text(READ, "application/json", "{".into()).await;
    refused(&reply, "post", READ, StatusCode::BAD_REQUEST, "malformed_request");
    let reply = net.post_text(READ, "text/plain", good.to_string()).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_documented("post", READ, &reply);

    // Before the first block, a well-formed request gets as far as the reader, who is not on the ledger yet.
    let empty = data_net();
    let body = signed(&empty, &w.alice, DataReadRequest { query, reader: w.alice.address(), at_ms: now_ms() });
    let message = read_refused(&empty, &body, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("not an active account"), "{message}");
}

// --- The log stream ----------------------------------------------------------------------------------------------

/// A stream's events, read from its body as they come.
struct Events {
    body: Body,
    buffer: String,
}

impl Events {
    /// The next event (name, data) within `wait`; `None` when the stream ended or nothing came.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = None;
                for line in raw.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        name = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(value).unwrap());
                    } else {
                        assert!(line.is_empty() || line.starts_with(':'), "an unexpected line {line:?}");
                    }
                }
                if let Some(data) = data {
                    return Some((name, data));
                }
            }
            let frame = std::future::poll_fn(|cx| Pin::new(&mut self.body).poll_frame(cx));
            let frame = tokio::time::timeout_at(deadline, frame).await.ok()??;
            let data = frame.unwrap().into_data().unwrap();
            self.buffer.push_str(std::str::from_utf8(&data).unwrap());
        }
    }

    /// The next `access` event.
    async fn access(&mut self) -> AccessEvent {
        let (name, data) = self.next(Duration::from_secs(10)).await.expect("an access event within 10 s");
        assert_eq!(name, "access", "{data}");
        assert_schema("DataAccessEvent", &data);
        serde_json::from_value(data).unwrap()
    }
}

/// Open a stream with `body`: its events once it is accepted, else the refusal.
async fn open_stream(net: &TestNet, body: &Value) -> Result<(Events, StreamReady), Reply> {
    let request = Request::post(STREAM)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = publica_api::router(net.node.clone()).oneshot(request).await.unwrap();
    if response.status() != StatusCode::OK {
        return Err(Reply::read(response).await);
    }
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut events = Events { body: response.into_body(), buffer: String::new() };
    let (name, data) = events.next(Duration::from_secs(5)).await.expect("the ready event");
    assert_eq!(name, "ready");
    assert_schema("DataStreamReady", &data);
    Ok((events, serde_json::from_value(data).unwrap()))
}

/// Open a stream that must be accepted.
async fn opened(net: &TestNet, body: &Value) -> (Events, StreamReady) {
    match open_stream(net, body).await {
        Ok(opened) => opened,
        Err(reply) => panic!("the stream was refused: {} {}", reply.status, reply.text()),
    }
}

async fn stream_refused(net: &TestNet, body: &Value, status: StatusCode, code: &str) -> String {
    let reply = open_stream(net, body).await.err().expect("the stream is refused");
    refused(&reply, "post", STREAM, status, code)
}

#[tokio::test]
async fn the_log_stream_delivers_each_new_access_and_each_change_in_order() {
    let mut w = world();
    let log = |owner: &Keypair| DataQuery::OwnerLog { owner: owner.address(), after: None, limit: 1 };
    let (mut events, ready) = opened(&w.net, &w.signed(&w.alice, log(&w.alice))).await;
    assert_eq!((ready.owner, ready.reader, ready.height), (w.alice.address(), w.alice.address(), w.net.node.height()));
    assert!(ready.expires_at_ms > now_ms() + 59 * 60_000);
    // Her representative follows it too; so does an auditor, and Bob his own.
    let (mut guardian_events, _) = opened(&w.net, &w.signed(&w.guardian, log(&w.alice))).await;
    let (mut bob_events, _) = opened(&w.net, &w.signed(&w.bob, log(&w.bob))).await;
    let (_audit, _) = opened(&w.net, &w.signed(&w.auditor, log(&w.alice))).await;

    // Nothing happened: nothing is sent.
    assert!(events.next(Duration::from_millis(600)).await.is_none());

    // The doctor asks again: the new access comes, pending.
    w.ledger.send(&w.net, &w.doctor, request_access(&w, 1));
    let height = w.ledger.commit(&w.net);
    let event = events.access().await;
    assert_eq!((event.height, event.access.id, &event.access.state), (height, 2, &AccessState::Pending));
    assert_eq!(guardian_events.access().await.access.id, 2);

    // The vault declines it: the change comes, as one more event for the same access.
    w.ledger.send(&w.net, &w.vault, DataCall::DeclineAccess { access: 2, reason_code: "record_unreadable".into() });
    let height = w.ledger.commit(&w.net);
    let event = events.access().await;
    assert_eq!((event.height, event.access.id), (height, 2));
    assert!(matches!(event.access.state, AccessState::Declined { .. }), "{:?}", event.access.state);

    // Two accesses in one block (one refused, to Bob's record, which only Bob's stream sends), then one pending
    // access answered before anything else: each comes once, in order.
    w.ledger.send(&w.net, &w.doctor, request_access(&w, 2));
    w.ledger.send(&w.net, &w.doctor, request_access(&w, 1));
    w.ledger.commit(&w.net);
    let bobs = bob_events.access().await;
    assert_eq!(bobs.access.id, 3);
    assert!(matches!(bobs.access.state, AccessState::Refused { .. }));
    let pending = events.access().await;
    assert_eq!((pending.access.id, &pending.access.state), (4, &AccessState::Pending));
    // Alice erases her record: the pending access lapses once the vault records the erasure.
    w.ledger.send(&w.net, &w.alice, DataCall::OrderErasure { record: 1 });
    w.ledger.commit(&w.net);
    let erasure = DataCall::RecordErasure { record: 1, order: ErasureOrder::Owner, statement_sha256: [3; 32] };
    w.ledger.send(&w.net, &w.vault, erasure);
    w.ledger.commit(&w.net);
    let lapsed = events.access().await;
    assert_eq!(lapsed.access.id, 4);
    assert!(matches!(lapsed.access.state, AccessState::Lapsed { .. }), "{:?}", lapsed.access.state);
    assert!(events.next(Duration::from_millis(600)).await.is_none(), "nothing more");

    // The court ends the guardian's appointment: the guardian's stream ends, saying why.
    let (citizen, representative) = (w.alice.address(), w.guardian.address());
    w.ledger.send(&w.net, &w.judge, DataCall::EndRepresentation { citizen, representative });
    w.ledger.commit(&w.net);
    let mut ended = None;
    while let Some((name, data)) = guardian_events.next(Duration::from_secs(10)).await {
        if name == "end" {
            assert_schema("DataStreamEnd", &data);
            ended = Some(serde_json::from_value::<StreamEnd>(data).unwrap());
            break;
        }
    }
    let ended = ended.expect("an end event");
    assert_eq!(ended.reason, StreamEndReason::NotPermitted);
    assert!(guardian_events.next(Duration::from_secs(2)).await.is_none(), "the stream is over");
    // And a new stream of the guardian is refused.
    stream_refused(&w.net, &w.signed(&w.guardian, log(&w.alice)), StatusCode::FORBIDDEN, "not_permitted").await;
    drop(events);
}

#[tokio::test]
async fn a_log_stream_is_refused_to_those_who_may_not_read_the_log_and_beyond_its_bounds() {
    let w = world();
    let net = &w.net;
    let log = |owner: &Keypair| DataQuery::OwnerLog { owner: owner.address(), after: None, limit: 1 };
    let message = stream_refused(net, &w.signed(&w.bob, log(&w.alice)), StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("may not read what is about"), "{message}");
    // A controller reads its agency's records, not a citizen's log.
    stream_refused(net, &w.signed(&w.vault, log(&w.alice)), StatusCode::FORBIDDEN, "not_permitted").await;
    let mut forged = w.signed(&w.alice, log(&w.alice));
    forged["signature"] = json!(b64(&[0; publica_crypto::SIGNATURE_LEN]));
    let message = stream_refused(net, &forged, StatusCode::FORBIDDEN, "not_permitted").await;
    assert!(message.contains("does not verify"), "{message}");
    let stale = signed(net, &w.alice, DataReadRequest { query: log(&w.alice), reader: w.alice.address(), at_ms: 1 });
    stream_refused(net, &stale, StatusCode::FORBIDDEN, "not_permitted").await;
    // Another query than a log.
    let message = stream_refused(
        net,
        &w.signed(&w.alice, DataQuery::Record { id: 1 }),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(message.contains("owner_log"), "{message}");
    let reply = net.post_text(STREAM, "text/plain", "{}".into()).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_documented("post", STREAM, &reply);

    // Two streams per reader; the third waits for one to close.
    let first = opened(net, &w.signed(&w.alice, log(&w.alice))).await;
    let _second = opened(net, &w.signed(&w.alice, log(&w.alice))).await;
    let message =
        stream_refused(net, &w.signed(&w.alice, log(&w.alice)), StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(message.contains("2 log streams open"), "{message}");
    // Another reader is not held back.
    let _guardian = opened(net, &w.signed(&w.guardian, log(&w.alice))).await;
    drop(first);
    // The stream notices its client left at its next look, and gives its place back.
    let mut reopened = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(stream) = open_stream(net, &w.signed(&w.alice, log(&w.alice))).await {
            reopened = Some(stream);
            break;
        }
    }
    assert!(reopened.is_some(), "a closed stream's place is given back");

    // Before the first block, nothing to follow yet: Alice is no account, and an agency's administrator (an account
    // from the genesis) is told to wait.
    let empty = data_net();
    let body =
        signed(&empty, &w.alice, DataReadRequest { query: log(&w.alice), reader: w.alice.address(), at_ms: now_ms() });
    stream_refused(&empty, &body, StatusCode::FORBIDDEN, "not_permitted").await;
    let admin = key(1);
    let body = signed(&empty, &admin, DataReadRequest { query: log(&admin), reader: admin.address(), at_ms: now_ms() });
    stream_refused(&empty, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
}

// --- Public routes -----------------------------------------------------------------------------------------------

#[tokio::test]
async fn studies_emergencies_and_retention_rules_are_public_with_proofs() {
    let w = world();
    let net = &w.net;
    let study: StudyResponse = proven(net, "get", "/v1/data/studies/{id}", &net.get("/v1/data/studies/1").await);
    assert_eq!((study.study.id, study.study.fields.len(), study.study.approval.is_some()), (1, 2, true));
    assert_eq!(study.counters.requests, 0);
    assert_eq!(
        study.proofs.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
        [schema::study_key(1), schema::study_counters_key(1)]
    );
    let reply = net.get("/v1/data/studies/2").await;
    let message = refused(&reply, "get", "/v1/data/studies/{id}", StatusCode::NOT_FOUND, "study_not_found");
    assert!(message.contains("no study 2"), "{message}");

    let list: EmergenciesResponse = proven(net, "get", "/v1/data/emergencies", &net.get("/v1/data/emergencies").await);
    assert_eq!((list.total, list.emergencies.len(), list.next), (1, 1, None));
    assert!(list.emergencies[0].current);
    assert_eq!(list.emergencies[0].emergency.grantees, [agency("hospital")]);
    assert_eq!(list.at_ms, list.certified.header.time_ms);
    let after: EmergenciesResponse =
        proven(net, "get", "/v1/data/emergencies", &net.get("/v1/data/emergencies?after=1&limit=5").await);
    assert!(after.emergencies.is_empty() && after.total == 1);

    let template = "/v1/data/retention/{agency}";
    let rules: RetentionResponse = proven(net, "get", template, &net.get("/v1/data/retention/hospital").await);
    assert_eq!(rules.rules.len(), 1);
    assert_eq!((rules.rules[0].category.as_str(), rules.rules[0].keep_days), (HEALTH, 3650));
    assert_eq!(rules.proofs[0].key, publica_accounts::schema::agency_key(&agency("hospital")));
    assert!(rules.proofs[0].value.is_some());
    let one: RetentionResponse =
        proven(net, "get", template, &net.get("/v1/data/retention/hospital?category=health.summary").await);
    assert_eq!(one.rules, rules.rules);
    let none: RetentionResponse =
        proven(net, "get", template, &net.get("/v1/data/retention/hospital?category=customs").await);
    assert!(none.rules.is_empty() && none.proofs[1].value.is_none(), "proven absent");
    let clinic: RetentionResponse = proven(net, "get", template, &net.get("/v1/data/retention/clinic").await);
    assert!(clinic.rules.is_empty() && clinic.proofs.len() == 1);
    let nowhere: RetentionResponse = proven(net, "get", template, &net.get("/v1/data/retention/nowhere").await);
    assert!(nowhere.rules.is_empty() && nowhere.proofs[0].value.is_none());

    for (uri, template) in [
        ("/v1/data/studies/01", "/v1/data/studies/{id}"),
        ("/v1/data/studies/x", "/v1/data/studies/{id}"),
        ("/v1/data/studies/18446744073709551616", "/v1/data/studies/{id}"),
        ("/v1/data/studies/1?x=1", "/v1/data/studies/{id}"),
        ("/v1/data/emergencies?limit=0", "/v1/data/emergencies"),
        ("/v1/data/emergencies?limit=101", "/v1/data/emergencies"),
        ("/v1/data/emergencies?after=x", "/v1/data/emergencies"),
        ("/v1/data/emergencies?page=1", "/v1/data/emergencies"),
        ("/v1/data/retention/Hospital", "/v1/data/retention/{agency}"),
        ("/v1/data/retention/-x", "/v1/data/retention/{agency}"),
        ("/v1/data/retention/hospital?category=Health", "/v1/data/retention/{agency}"),
        ("/v1/data/retention/hospital?category=", "/v1/data/retention/{agency}"),
        ("/v1/data/retention/hospital?x=1", "/v1/data/retention/{agency}"),
    ] {
        let message = refused(&net.get(uri).await, "get", template, StatusCode::BAD_REQUEST, "malformed_request");
        assert!(message.len() < 400, "{uri}: {message}");
    }
}

#[tokio::test]
async fn blocks_withhold_private_data_calls_and_the_state_route_refuses_private_keys() {
    let w = world();
    let net = &w.net;
    let reply = net.get(&format!("/v1/blocks/{}?txs=true", w.records_height)).await;
    let block: BlockResponse = serde_json::from_slice(&reply.bytes).unwrap();
    // Two records, a consent, an appointment (private); a retention rule, an emergency, a study (public).
    assert_eq!(block.tx_ids.len(), 7);
    let txs = block.txs.expect("the public transactions");
    let mut methods: Vec<&str> = txs.iter().map(|tx| tx.body.call.method()).collect();
    methods.sort_unstable();
    assert_eq!(methods, ["declare_emergency", "propose_study", "set_retention"]);
    assert_eq!(block.withheld.len(), 4);
    let text = reply.text();
    for private in ["register_record", "grant_consent", "appoint_representative", &w.alice.address().to_string()] {
        assert!(!text.contains(private), "the block answer shows {private}");
    }

    let private = [
        schema::record_key(1),
        schema::commitment_key(&w.commitment),
        schema::owner_records(&w.alice.address()).head_key(),
        schema::consent_key(1),
        schema::representation_key(&w.alice.address(), &w.guardian.address()),
        schema::access_key(1),
        schema::owner_accesses(&w.alice.address()).head_key(),
        schema::study_citizen_key(1, &w.alice.address()),
        schema::next_key("a"),
        b"dat/".to_vec(),
        b"dat/x".to_vec(),
    ];
    for key in private {
        for text in [hex::encode(&key), hex::encode_upper(&key)] {
            let reply = net.get(&format!("/v1/state/{text}")).await;
            let message = refused(&reply, "get", "/v1/state/{key}", StatusCode::FORBIDDEN, "not_permitted");
            assert!(message.contains("POST /v1/data/read"), "{message}");
        }
    }
    for key in [
        schema::emergency_key(1),
        schema::study_key(1),
        schema::study_counters_key(1),
        schema::retention_key(&agency("hospital"), HEALTH),
        b"dat".to_vec(),
    ] {
        let reply = net.get(&format!("/v1/state/{}", hex::encode(&key))).await;
        let proof: ReadProof = proven(net, "get", "/v1/state/{key}", &reply);
        assert_eq!(proof.key, key);
    }
}

#[tokio::test]
async fn every_documented_data_operation_is_served() {
    let net = data_net();
    let doc = document();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/data/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let uri = path.replace("{id}", "1").replace("{agency}", "hospital");
            let request = Request::builder().method(method.to_uppercase().as_str()).uri(&uri);
            let reply = net.call(request.body(Body::empty()).unwrap()).await;
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            let message = reply.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
            assert!(!message.starts_with("no route serves"), "{method} {uri}: {message}");
            assert_documented(method, path, &reply);
            seen += 1;
        }
    }
    let routes = publica_api::ROUTES.iter().filter(|r| r.path.starts_with("/v1/data/")).count();
    assert_eq!((seen, routes), (5, 5), "every data route is documented, and only those");
    for name in ["DataStreamReady", "DataAccessEvent", "DataStreamEnd"] {
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
}

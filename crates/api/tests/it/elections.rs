//! The elections routes (`/v1/elections/…`): a whole election run through transactions on the test node (three
//! trustees generating the key, a roll of four citizens, their credentials, five ballots with a revote, the close,
//! two partial decryptions and the result), each route's answer decoded, verified offline and checked against what
//! was sent; and every bad input refused with its code.

use std::collections::HashMap;

use axum::http::StatusCode;
use publica_belenios::archive::{self, ArchiveLimits, EventType};
use publica_belenios::ballot::build_ballot;
use publica_belenios::credential::{PrivateCredential, Uuid};
use publica_belenios::election::{b64, Election};
use publica_belenios::json::{self, Limits};
use publica_belenios::tally::{EncryptedTally, PartialDecryption};
use publica_belenios::trustee::{self, Seed, SignedMsg, Vinput};
use publica_client::api::{
    BallotResponse, ElectionCredentialResponse, ElectionResponse, ElectionsResponse, EventsResponse,
    ObjectChunkResponse, TrusteeInputResponse, TrusteeMessageResponse, MAX_ELECTIONS_PAGE, MAX_EVENTS_PAGE,
};
use publica_elections::board;
use publica_elections::call::{ElectionsCall, PublishedCredential, Question};
use publica_elections::schema::ElectionStatus;
use publica_node::shared::now_ms;
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::{sha256, Hash, Keypair, Role};
use publica_verify::{verify_document, VerifiedSets};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{agency, key, Reply, TestNet};

/// Limits for the trustees' JSON read back in this test.
const LIMITS: Limits = Limits { max_bytes: 1 << 20, max_depth: 8 };
/// How long the vote stays open after the election's creation: long enough for the key generation, the roll, the
/// credentials and two blocks of ballots on a loaded machine.
const VOTE_MS: u64 = 8_000;

/// A 200 answer of `uri`, verified offline, decoded into `T`, and encoded again to the very JSON served.
async fn proven<T: DeserializeOwned + Serialize>(net: &TestNet, uri: &str) -> T {
    let reply = net.get(uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    verify_document(&reply.bytes, &VerifiedSets::genesis_only(net.node.genesis()))
        .unwrap_or_else(|e| panic!("{uri}: the answer does not verify offline: {e}"));
    let decoded: T = serde_json::from_slice(&reply.bytes).unwrap_or_else(|e| panic!("{uri}: {e}"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), reply.json(), "{uri}: the client type loses nothing");
    decoded
}

/// Assert a refusal with a module's code.
#[track_caller]
fn assert_module_error(reply: &Reply, status: StatusCode, code: &str, number: u16) -> String {
    let json = reply.json();
    assert_eq!(reply.status, status, "{json}");
    assert_eq!(json["error"]["code"], code, "{json}");
    assert_eq!(json["error"]["number"], number, "{json}");
    json["error"]["message"].as_str().unwrap().to_owned()
}

fn submit(net: &TestNet, sender: &Keypair, nonce: u64, call: ElectionsCall) {
    net.node.submit(&net.body(sender, nonce, Call::Elections(call)).sign(sender).encode()).unwrap_or_else(|e| {
        panic!("refused at admission: {} {}", e.code.as_str(), e.message);
    });
}

/// Commit a block and check that every pending transaction went into it.
fn commit(net: &TestNet) {
    net.commit_block();
    assert_eq!(net.mempool_len(), 0, "every pending transaction was committed");
}

/// The election of the test, run to its result.
struct World {
    net: TestNet,
    /// The three trustees' messages of steps 1, 3 and 5, as sent.
    messages: HashMap<(u32, u8), Vec<u8>>,
    /// The four voters' public credentials, in decimal.
    credentials: Vec<String>,
    /// The ballots cast, in order: voters 0 to 3, then voter 3 again.
    ballots: Vec<Vec<u8>>,
}

/// One election (number 0): trustees 2 of 3 make the key, four citizens are on the roll, voters 0 and 1 vote Yes,
/// 2 and 3 vote No, then 3 changes to Yes; after the closing time the vote is closed, and trustees 1 and 3 decrypt
/// the tally: Yes 3, No 1. Between the steps the routes that answer "not yet" are asked.
async fn world() -> World {
    let net = TestNet::new();
    let mut rng = StdRng::seed_from_u64(20_261_204);
    let (commissioner, authority) = (key(30), key(31));
    let trustees = [key(32), key(33), key(34)];
    let citizens: Vec<Keypair> = (40..44).map(key).collect();
    let official = |k: &Keypair, roles: &[&str]| AccountsCall::RegisterOfficial {
        public_key: k.public_key().clone(),
        agency: agency(),
        roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
    };
    let mut accounts = vec![
        official(&commissioner, &["electoral-commission", "citizen-registrar"]),
        official(&authority, &["credential-authority"]),
    ];
    accounts.extend(trustees.iter().map(|t| official(t, &["registrar"])));
    for (nonce, call) in accounts.into_iter().enumerate() {
        net.node.submit(&net.body(&net.admin, nonce as u64, Call::Accounts(call)).sign(&net.admin).encode()).unwrap();
    }
    commit(&net);

    for (nonce, citizen) in citizens.iter().enumerate() {
        let call = AccountsCall::RegisterCitizen {
            public_key: citizen.public_key().clone(),
            id_commitment: [nonce as u8 + 1; 32],
        };
        net.node
            .submit(&net.body(&commissioner, nonce as u64, Call::Accounts(call)).sign(&commissioner).encode())
            .unwrap();
    }
    let created_ms = now_ms();
    submit(
        &net,
        &commissioner,
        4,
        ElectionsCall::CreateElection {
            name: "Nordvik harbour referendum".into(),
            description: "Should the harbour be rebuilt?".into(),
            questions: vec![Question {
                question: "Rebuild the harbour?".into(),
                answers: vec!["Yes".into(), "No".into()],
                min: 0,
                max: 1,
                blank: false,
            }],
            opens_at_ms: net.node.genesis().genesis_time_ms,
            closes_at_ms: created_ms + VOTE_MS,
            trustees: trustees.iter().map(Keypair::address).collect(),
            threshold: 2,
            credential_authority: authority.address(),
        },
    );
    commit(&net);

    // Key generation, one block per step. The input of step 5 is asked of the API, as a trustee's tool would.
    let seeds: Vec<Seed> = (0..3).map(|_| Seed::generate(&mut rng)).collect();
    let mut messages = HashMap::new();
    let certs: Vec<SignedMsg> = seeds.iter().map(|s| trustee::make_cert(s, &mut rng)).collect();
    for (j, (t, cert)) in trustees.iter().zip(&certs).enumerate() {
        let message = cert.to_json().to_bytes();
        messages.insert((j as u32 + 1, 1), message.clone());
        submit(&net, t, 0, ElectionsCall::TrusteeMessage { election: 0, step: 1, message });
    }
    commit(&net);
    let reply = net.get("/v1/elections/0/trustees/1/input").await;
    let message = reply.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("polynomial"), "{message}");
    let reply = net.get("/v1/elections/0/trustees/2/messages/3").await;
    assert!(reply.assert_error(StatusCode::NOT_FOUND, "not_found").contains("not sent"));
    let reply = net.get("/v1/elections/0/trustees/4/messages/1").await;
    assert!(reply.assert_error(StatusCode::NOT_FOUND, "not_found").contains("3 trustees"));

    for (j, (t, seed)) in trustees.iter().zip(&seeds).enumerate() {
        let message = trustee::make_polynomial(seed, &certs, 2, &mut rng).unwrap().to_json().to_bytes();
        messages.insert((j as u32 + 1, 3), message.clone());
        submit(&net, t, 1, ElectionsCall::TrusteeMessage { election: 0, step: 3, message });
    }
    commit(&net);
    let mut secrets = Vec::new();
    for (j, (t, seed)) in trustees.iter().zip(&seeds).enumerate() {
        let input: TrusteeInputResponse = proven(&net, &format!("/v1/elections/0/trustees/{}/input", j + 1)).await;
        assert_eq!((input.election, input.trustee), (0, j as u32 + 1));
        assert_eq!(input.proofs.len(), 3, "every trustee's polynomial");
        for (k, proof) in input.proofs.iter().enumerate() {
            assert_eq!(proof.value.as_deref(), Some(messages[&(k as u32 + 1, 3)].as_slice()));
        }
        let polynomials: Vec<Vec<u8>> = (1..=3).map(|k| messages[&(k, 3)].clone()).collect();
        assert_eq!(
            input.input,
            board::trustee_input(&polynomials, j as u32 + 1).unwrap(),
            "the input is Belenios' vinput"
        );
        let vinput = Vinput::from_json(&json::parse(&input.input, LIMITS).unwrap()).unwrap();
        let (voutput, secret) = trustee::process_vinput(seed, &certs, &vinput, &mut rng).unwrap();
        secrets.push(secret);
        let message = voutput.to_json().to_bytes();
        messages.insert((j as u32 + 1, 5), message.clone());
        submit(&net, t, 2, ElectionsCall::TrusteeMessage { election: 0, step: 5, message });
    }
    commit(&net);

    let voters = citizens.iter().map(Keypair::address).collect();
    submit(&net, &commissioner, 5, ElectionsCall::AddVoters { election: 0, voters });
    submit(&net, &commissioner, 6, ElectionsCall::FreezeRoll { election: 0 });
    commit(&net);

    let election: ElectionResponse = proven(&net, "/v1/elections/0").await;
    assert_eq!(election.election.status, ElectionStatus::Credentials);
    let uuid = Uuid::parse(&election.election.uuid).unwrap();
    let private: Vec<PrivateCredential> = (0..4).map(|_| PrivateCredential::generate(&mut rng)).collect();
    let credentials: Vec<String> = private.iter().map(|c| c.public(&uuid).to_decimal()).collect();
    let published = credentials.iter().map(|c| PublishedCredential { credential: c.clone(), weight: 1 }).collect();
    submit(&net, &authority, 0, ElectionsCall::PublishCredentials { election: 0, credentials: published });
    submit(&net, &authority, 1, ElectionsCall::SealCredentials { election: 0 });
    commit(&net);

    // Ballots are anonymous transactions, posted as a voter's tool would; one pending ballot per credential, so
    // the revote waits for the next block.
    let parsed = Election::parse(election.election_object.as_deref().unwrap()).unwrap();
    let mut ballots = Vec::new();
    for (round, casts) in [&[(0, 0), (1, 0), (2, 1), (3, 1)][..], &[(3, 0)]].into_iter().enumerate() {
        for &(voter, answer) in casts {
            let mut choice = vec![0, 0];
            choice[answer] = 1;
            let ballot = build_ballot(&parsed, &private[voter], &[choice], &mut rng).unwrap();
            let cast = ElectionsCall::Cast { election: 0, ballot: ballot.clone() };
            let tx = Transaction::anonymous(net.chain_id.clone(), now_ms() + 3_600_000, Call::Elections(cast));
            let reply = net.post_raw("/v1/transactions", tx.encode()).await;
            assert_eq!(reply.status, StatusCode::ACCEPTED, "round {round}, voter {voter}: {}", reply.text());
            ballots.push(ballot);
        }
        commit(&net);
    }
    let record: ElectionResponse = proven(&net, "/v1/elections/0").await;
    assert_eq!((record.election.ballots, record.election.voters), (5, 4), "every ballot was taken in the window");

    // After the closing time (block time), the commission closes the vote; trustees 1 and 3 decrypt.
    let closes_at_ms = created_ms + VOTE_MS;
    while now_ms() <= closes_at_ms {
        std::thread::sleep(std::time::Duration::from_millis(closes_at_ms + 1 - now_ms().min(closes_at_ms)));
    }
    submit(&net, &commissioner, 7, ElectionsCall::Close { election: 0 });
    commit(&net);
    let page: EventsResponse = proven(&net, "/v1/elections/0/events?from=7").await;
    let tally_hash = page.election.tally_hash.expect("closed");
    let tally = &page.objects.iter().find(|o| o.hash == tally_hash).expect("the tally event names the tally").bytes;
    let tally = EncryptedTally::parse_questions(tally).unwrap();
    for j in [1usize, 3] {
        let decryption = PartialDecryption::create(&tally, &secrets[j - 1], parsed.fingerprint(), &mut rng).to_bytes();
        submit(&net, &trustees[j - 1], 3, ElectionsCall::PartialDecryption { election: 0, decryption });
    }
    commit(&net);
    World { net, messages, credentials, ballots }
}

#[tokio::test]
async fn an_election_is_served_route_by_route_with_proofs_from_its_key_to_its_result() {
    let w = world().await;
    let net = &w.net;

    // The list: the counter's proof, then the record's.
    let list: ElectionsResponse = proven(net, "/v1/elections").await;
    assert_eq!((list.count, list.elections.len(), list.proofs.len()), (1, 1, 2));
    assert_eq!(list.proofs[0].value.as_deref(), Some(1u64.to_le_bytes().as_slice()));
    let empty: ElectionsResponse = proven(net, "/v1/elections?from=1&limit=1").await;
    assert_eq!((empty.count, empty.elections.len(), empty.proofs.len()), (1, 0, 1));
    let one: ElectionsResponse = proven(net, &format!("/v1/elections?from=0&limit={MAX_ELECTIONS_PAGE}")).await;
    assert_eq!(one.elections, list.elections);

    // The election: decided, with its Belenios object, fingerprint and result.
    let e: ElectionResponse = proven(net, "/v1/elections/0").await;
    let record = &e.election;
    assert_eq!(record, &list.elections[0]);
    assert_eq!(record.status, ElectionStatus::Decided);
    assert_eq!(record.decrypted_by, vec![1, 3]);
    assert_eq!(e.proofs.len(), 1);
    let object = e.election_object.as_deref().unwrap();
    assert_eq!(Some(sha256(object)), record.election_hash, "the object is the one the proven record names");
    assert_eq!(e.fingerprint.as_deref(), Some(Election::parse(object).unwrap().fingerprint()));
    assert_eq!(Some(sha256(e.result_object.as_deref().unwrap())), record.result_hash);
    assert_eq!(e.result, Some(vec![vec![3, 1]]), "Yes: voters 0, 1 and 3 (after the revote); No: voter 2");

    // Receipts: every ballot is on the board; the replaced one is not counted.
    let mut heights = Vec::new();
    for (i, ballot) in w.ballots.iter().enumerate() {
        let hash = sha256(ballot);
        let receipt: BallotResponse = proven(net, &format!("/v1/elections/0/ballots/{}", hex::encode(hash))).await;
        assert_eq!((receipt.election, receipt.ballot), (0, hash));
        assert_eq!(receipt.tracker, b64(&hash), "Belenios' smart ballot tracker");
        let voter = if i == 4 { 3 } else { i };
        assert_eq!(receipt.entry.credential, w.credentials[voter]);
        assert_eq!(receipt.counted, i != 3, "ballot {i}: only voter 3's first ballot was replaced");
        assert_eq!(receipt.credential.ballots, if voter == 3 { 2 } else { 1 });
        assert_eq!(receipt.proofs.len(), 4, "entry, event, election, credential");
        assert_eq!(receipt.proofs[1].value.as_deref(), Some(receipt.event.as_slice()), "the event is proven");
        heights.push(receipt.entry.event_height);
    }
    assert_eq!(heights, vec![1, 2, 3, 4, 5], "after the set-up, in the order they were taken");
    let upper = hex::encode(sha256(&w.ballots[0])).to_uppercase();
    let receipt: BallotResponse = proven(net, &format!("/v1/elections/0/ballots/{upper}")).await;
    assert_eq!(receipt.ballot, sha256(&w.ballots[0]), "hex is read in either case");

    // A credential: voter 3 cast two ballots, the last one counts.
    let c: ElectionCredentialResponse = proven(net, &format!("/v1/elections/0/credentials/{}", w.credentials[3])).await;
    assert_eq!((c.election, c.credential.as_str()), (0, w.credentials[3].as_str()));
    assert_eq!((c.record.weight, c.record.ballots, c.record.last_ballot), (1, 2, Some(sha256(&w.ballots[4]))));
    assert_eq!(c.proofs.len(), 2, "the record and the revocation's key");
    assert_eq!(c.revoked_at_height, None);
    assert_eq!(c.proofs[1].value, None, "the credential is proven not revoked");

    // The trustees' messages, byte for byte as sent.
    for ((trustee, step), sent) in &w.messages {
        let m: TrusteeMessageResponse =
            proven(net, &format!("/v1/elections/0/trustees/{trustee}/messages/{step}")).await;
        assert_eq!((m.election, m.trustee, m.step), (0, *trustee, *step));
        assert_eq!(&m.message, sent);
        assert_eq!(m.proofs[0].value.as_deref(), Some(sent.as_slice()));
    }

    // The board, whole and page by page; the archive written from it ends at the certified head.
    let all: EventsResponse = proven(net, &format!("/v1/elections/0/events?limit={MAX_EVENTS_PAGE}")).await;
    assert_eq!(&all.election, record);
    assert_eq!(all.events.len() as u64, record.events);
    assert_eq!(record.events, 11, "Setup, 5 ballots, EndBallots, EncryptedTally, 2 partial decryptions, Result");
    assert_eq!(all.proofs.len(), 1 + all.events.len(), "the record, then each event's key");
    for (i, event) in all.events.iter().enumerate() {
        assert_eq!((event.height, event.hash), (i as u64, sha256(&event.bytes)));
        assert_eq!(all.proofs[i + 1].value.as_deref(), Some(event.hash.as_slice()), "event {i} is proven");
    }
    let mut hashes: Vec<Hash> = all.objects.iter().map(|o| o.hash).collect();
    assert!(all.objects.iter().all(|o| o.hash == sha256(&o.bytes)), "each object is named by its hash");
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), all.objects.len(), "each object once");
    let objects: HashMap<Hash, Vec<u8>> = all.objects.iter().map(|o| (o.hash, o.bytes.clone())).collect();
    let events: Vec<Vec<u8>> = all.events.iter().map(|e| e.bytes.clone()).collect();
    let bel = board::archive(record.created_at_ms / 1000, &events, |h| objects.get(h).cloned()).unwrap();
    let read = archive::read(&bel, &ArchiveLimits::default()).unwrap();
    assert_eq!(read.head(), record.head, "the archive ends at the head of the proven record");
    let types: Vec<EventType> = read.events.iter().map(|e| e.body.event_type()).collect();
    assert_eq!((types[0], types[10]), (EventType::Setup, EventType::Result));
    for ballot in &w.ballots {
        assert!(objects.contains_key(&sha256(ballot)), "every ballot is on the board");
    }

    let mut paged = Vec::new();
    let mut from = 0;
    while from < record.events {
        let page: EventsResponse = proven(net, &format!("/v1/elections/0/events?from={from}&limit=4")).await;
        assert!(!page.events.is_empty() && page.events.len() <= 4);
        assert_eq!(page.events[0].height, from);
        from += page.events.len() as u64;
        paged.extend(page.events);
    }
    assert_eq!(paged, all.events);
    let past: EventsResponse = proven(net, "/v1/elections/0/events?from=11").await;
    assert!(past.events.is_empty() && past.objects.is_empty(), "past the head: an empty page, the record proves why");
    let past: EventsResponse = proven(net, &format!("/v1/elections/0/events?from={}", u64::MAX)).await;
    assert!(past.events.is_empty());
    assert!(all.large_objects.is_empty(), "every object of a small election comes whole");
    let small = publica_api::MAX_INLINE_OBJECT_BYTES;
    assert!(all.objects.iter().all(|o| o.bytes.len() <= small));

    // Each object is also served by its stored chunks (one each, here), with no proof: its name is its hash.
    let credentials_hash = record.credentials_hash.expect("sealed");
    for object in &all.objects {
        let uri = format!("/v1/elections/0/objects/{}/chunks/0", hex::encode(object.hash));
        let reply = net.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        let chunk: ObjectChunkResponse = serde_json::from_slice(&reply.bytes).unwrap();
        assert_eq!(serde_json::to_value(&chunk).unwrap(), reply.json(), "the client type loses nothing");
        assert_eq!((chunk.election, chunk.hash, chunk.index), (0, object.hash, 0));
        assert_eq!((chunk.len, chunk.chunks), (object.bytes.len() as u64, 1));
        assert_eq!(chunk.bytes, object.bytes);
    }
    assert!(all.objects.iter().any(|o| o.hash == credentials_hash), "the set-up names the credentials");
    let upper = hex::encode(credentials_hash).to_uppercase();
    let reply = net.get(&format!("/v1/elections/0/objects/{upper}/chunks/0")).await;
    let chunk: ObjectChunkResponse = serde_json::from_slice(&reply.bytes).unwrap();
    assert_eq!(sha256(&chunk.bytes), credentials_hash, "hex is read in either case");
    let uri = format!("/v1/elections/0/objects/{}/chunks/1", hex::encode(credentials_hash));
    let message = net.get(&uri).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("1 chunk(s), numbered from 0: there is no chunk 1"), "{message}");
    let uri = format!("/v1/elections/0/objects/{}/chunks/999999999", hex::encode(credentials_hash));
    net.get(&uri).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let uri = format!("/v1/elections/0/objects/{}/chunks/0", "ab".repeat(32));
    let message = net.get(&uri).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains(&"ab".repeat(32)) && message.contains("events"), "{message}");
    // An object of another election is not this one's.
    let uri = format!("/v1/elections/1/objects/{}/chunks/0", hex::encode(credentials_hash));
    let message = assert_module_error(&net.get(&uri).await, StatusCode::NOT_FOUND, "election_not_found", 3801);
    assert!(message.contains("no election 1"), "{message}");

    // What the board does not have.
    let reply = net.get(&format!("/v1/elections/0/ballots/{}", "ab".repeat(32))).await;
    assert!(reply.assert_error(StatusCode::NOT_FOUND, "not_found").contains(&"ab".repeat(32)));
    net.get("/v1/elections/0/credentials/12345").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let reply = net.get("/v1/elections/0/trustees/4/input").await;
    assert!(reply.assert_error(StatusCode::NOT_FOUND, "not_found").contains("3 trustees"));
    for uri in [
        "/v1/elections/1",
        "/v1/elections/1/events",
        "/v1/elections/1/trustees/1/input",
        "/v1/elections/1/trustees/1/messages/1",
        "/v1/elections/1/credentials/12345",
    ] {
        let message = assert_module_error(&net.get(uri).await, StatusCode::NOT_FOUND, "election_not_found", 3801);
        assert!(message.contains("no election 1"), "{uri}: {message}");
    }
    let uri = format!("/v1/elections/9999999999999999999/ballots/{}", hex::encode(sha256(&w.ballots[0])));
    assert_module_error(&net.get(&uri).await, StatusCode::NOT_FOUND, "election_not_found", 3801);
}

#[tokio::test]
async fn bad_parameters_are_refused_before_any_read() {
    // No block yet: a request that got past its parameters would be answered 503.
    let net = TestNet::new();
    let hash = "ab".repeat(32);
    let long_credential = "1".repeat(618);
    for uri in [
        "/v1/elections?from=-1".to_owned(),
        "/v1/elections?from=x".to_owned(),
        "/v1/elections?from=18446744073709551616".to_owned(),
        "/v1/elections?limit=0".to_owned(),
        format!("/v1/elections?limit={}", MAX_ELECTIONS_PAGE + 1),
        "/v1/elections?limit=4294967296".to_owned(),
        "/v1/elections?form=1".to_owned(),
        "/v1/elections/x".to_owned(),
        "/v1/elections/-1".to_owned(),
        "/v1/elections/+1".to_owned(),
        "/v1/elections/12345678901234567890".to_owned(),
        format!("/v1/elections/{}", "0".repeat(64)),
        "/v1/elections/0?from=1".to_owned(),
        "/v1/elections/0/ballots/xyz".to_owned(),
        format!("/v1/elections/0/ballots/{}", &hash[..63]),
        format!("/v1/elections/0/ballots/{hash}0"),
        format!("/v1/elections/0/ballots/{}zz", &hash[..62]),
        format!("/v1/elections/x/ballots/{hash}"),
        format!("/v1/elections/0/ballots/{hash}?limit=1"),
        "/v1/elections/0/credentials/0".to_owned(),
        "/v1/elections/0/credentials/0123".to_owned(),
        "/v1/elections/0/credentials/12a".to_owned(),
        "/v1/elections/0/credentials/-5".to_owned(),
        format!("/v1/elections/0/credentials/{long_credential}"),
        "/v1/elections/0/credentials/12345?x=1".to_owned(),
        "/v1/elections/0/trustees/0/messages/1".to_owned(),
        "/v1/elections/0/trustees/01/messages/1".to_owned(),
        "/v1/elections/0/trustees/17/messages/1".to_owned(),
        "/v1/elections/0/trustees/x/messages/1".to_owned(),
        "/v1/elections/0/trustees/1/messages/2".to_owned(),
        "/v1/elections/0/trustees/1/messages/0".to_owned(),
        "/v1/elections/0/trustees/1/messages/6".to_owned(),
        "/v1/elections/0/trustees/1/messages/01".to_owned(),
        "/v1/elections/0/trustees/1/messages/x".to_owned(),
        "/v1/elections/0/trustees/1/messages/1?step=1".to_owned(),
        "/v1/elections/0/trustees/0/input".to_owned(),
        "/v1/elections/0/trustees/99/input".to_owned(),
        "/v1/elections/0/trustees/+1/input".to_owned(),
        "/v1/elections/0/trustees/1/messages/+1".to_owned(),
        "/v1/elections/0/trustees/1/input?trustee=1".to_owned(),
        "/v1/elections/0/events?limit=0".to_owned(),
        format!("/v1/elections/0/events?limit={}", MAX_EVENTS_PAGE + 1),
        "/v1/elections/0/events?from=-1".to_owned(),
        "/v1/elections/0/events?from=1.5".to_owned(),
        "/v1/elections/0/events?height=1".to_owned(),
        "/v1/elections/x/events".to_owned(),
        format!("/v1/elections/x/objects/{hash}/chunks/0"),
        format!("/v1/elections/-1/objects/{hash}/chunks/0"),
        format!("/v1/elections/0/objects/{}/chunks/0", &hash[..63]),
        format!("/v1/elections/0/objects/{hash}0/chunks/0"),
        format!("/v1/elections/0/objects/{}zz/chunks/0", &hash[..62]),
        format!("/v1/elections/0/objects/{hash}/chunks/x"),
        format!("/v1/elections/0/objects/{hash}/chunks/-1"),
        format!("/v1/elections/0/objects/{hash}/chunks/+1"),
        format!("/v1/elections/0/objects/{hash}/chunks/01"),
        format!("/v1/elections/0/objects/{hash}/chunks/1.0"),
        format!("/v1/elections/0/objects/{hash}/chunks/1000000000"),
        format!("/v1/elections/0/objects/{hash}/chunks/4294967296"),
        format!("/v1/elections/0/objects/{hash}/chunks/0?limit=1"),
    ] {
        let message = net.get(&uri).await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
        assert!(message.len() < 400, "{uri}: {message}");
    }
    let message = net
        .get("/v1/elections/0/trustees/1/messages/4")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    assert!(message.contains("1 (certificate), 3 (polynomial) or 5"), "{message}");
    let message = net.get("/v1/elections?limit=101").await.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    assert!(message.contains("1 to 100"), "{message}");
    let message = net
        .get(&format!("/v1/elections/0/objects/{hash}/chunks/01"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    assert!(message.contains("numbered from 0") && message.contains("leading zeros"), "{message}");
    // Well-formed requests get past their parameters: before the first block there is no election, and nothing
    // can be proven yet.
    net.get("/v1/elections").await.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_module_error(&net.get("/v1/elections/0").await, StatusCode::NOT_FOUND, "election_not_found", 3801);
}

#[tokio::test]
async fn a_ledger_without_elections_lists_none_and_proves_it() {
    let net = TestNet::new();
    net.node.submit(&net.register(0, 10).encode()).unwrap();
    commit(&net);
    let list: ElectionsResponse = proven(&net, "/v1/elections").await;
    assert_eq!((list.count, list.elections.len(), list.proofs.len()), (0, 0, 1));
    assert_eq!(list.proofs[0].value, None, "the counter's absence is proven");
    let hash = "00".repeat(32);
    for uri in [
        "/v1/elections/0".to_owned(),
        format!("/v1/elections/0/ballots/{hash}"),
        "/v1/elections/0/credentials/2".to_owned(),
        "/v1/elections/0/trustees/1/messages/5".to_owned(),
        "/v1/elections/0/trustees/16/input".to_owned(),
        "/v1/elections/0/events?from=0&limit=1".to_owned(),
        format!("/v1/elections/0/objects/{hash}/chunks/0"),
    ] {
        assert_module_error(&net.get(&uri).await, StatusCode::NOT_FOUND, "election_not_found", 3801);
    }
}

//! The election kit against the elections module: every message, call and ballot the kit makes is executed by the
//! module over an in-memory state, as a node would; the archive is assembled from the board the module wrote.

use publica_belenios::archive::{self as bel, ArchiveLimits, EventType};
use publica_belenios::ballot::verify_ballot;
use publica_belenios::election::Election;
use publica_belenios::tally::parse_result;
use publica_client::api::{BoardEvent, BoardObject, LargeObject, ObjectChunkResponse};
use publica_client::election::*;
use publica_crypto::keystore::KdfParams;
use publica_elections::call::{ElectionsCall, Question, MAX_CREDENTIALS_PER_CALL};
use publica_elections::schema::{self, ElectionRecord, ElectionStatus};
use publica_elections::{execute, query};
use publica_testkit::{context, keypair, Accounts, MemoryState};
use publica_tx::Call;
use publica_types::{Address, ChainId, Hash, StateRead, TxError, TxId, TxOutcome};

const T0: u64 = 1_800_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const PASSPHRASE: &[u8] = b"trustee passphrase";

struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
    commissioner: Address,
    authority: Address,
    trustees: Vec<Address>,
    /// Citizens' key names and addresses.
    citizens: Vec<(String, Address)>,
}

impl World {
    fn new(citizens: usize) -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency("election-board", &["electoral-commission", "credential-authority"])
            .agency("court", &["judge"])
            .agency("university", &["registrar"])
            .agency_registering_citizens("civil-registry", &["citizen-registrar"]);
        let commissioner = accounts.official("commissioner", "election-board", &["electoral-commission"]);
        let authority = accounts.official("authority", "election-board", &["credential-authority"]);
        let trustees = vec![
            accounts.official("trustee-1", "election-board", &[]),
            accounts.official("trustee-2", "court", &["judge"]),
            accounts.official("trustee-3", "university", &["registrar"]),
        ];
        let citizens = (0..citizens)
            .map(|i| {
                let name = format!("citizen-{i}");
                let address = accounts.citizen(&name, "civil-registry");
                (name, address)
            })
            .collect();
        World { state, height: 1, time_ms: T0, commissioner, authority, trustees, citizens }
    }

    fn run(&mut self, sender: Address, call: ElectionsCall) -> Result<TxOutcome, TxError> {
        self.height += 1;
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        let ctx = context(sender).block(self.height, self.time_ms).tx_id(TxId(tx)).build();
        execute(&mut self.state, &ctx, &call)
    }

    fn ok(&mut self, sender: Address, call: ElectionsCall) -> TxOutcome {
        self.run(sender, call).unwrap_or_else(|e| panic!("refused: {} {}", e.code.as_str(), e.message))
    }

    fn record(&self, id: u64) -> ElectionRecord {
        schema::election(&self.state, id).expect("the election exists")
    }

    fn object(&self, id: u64, hash: &Hash) -> Vec<u8> {
        schema::object(&self.state, id, hash).expect("stored")
    }

    fn create(&mut self, question: Question) -> u64 {
        let call = ElectionsCall::CreateElection {
            name: "Nordvik library opening hours".into(),
            description: String::new(),
            questions: vec![question],
            opens_at_ms: T0,
            closes_at_ms: T0 + HOUR_MS,
            trustees: self.trustees.clone(),
            threshold: 2,
            credential_authority: self.authority,
        };
        match self.ok(self.commissioner, call) {
            TxOutcome::Election { id } => id,
            other => panic!("unexpected outcome {other:?}"),
        }
    }

    fn certificates(&self, id: u64) -> Vec<Vec<u8>> {
        (1..=3).map(|j| query::trustee_message(&self.state, id, 1, j).expect("every certificate")).collect()
    }

    /// The board as a node's pages give it: every event, and the objects each names (found by the hex hashes in
    /// its payload).
    fn board(&self, id: u64) -> (ElectionRecord, Vec<BoardEvent>, Vec<BoardObject>) {
        let record = self.record(id);
        let mut events = Vec::new();
        let mut objects = Vec::new();
        for height in 0..record.events {
            let (hash, bytes) = query::event(&self.state, id, height).expect("every event below the count");
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if let Some(payload) = json.get("payload").and_then(|p| p.as_str()) {
                let payload = self.object(id, &hex_hash(payload));
                if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice::<serde_json::Value>(&payload) {
                    for value in fields.values() {
                        if let Some(named) = value.as_str().filter(|s| s.len() == 64) {
                            if let Some(bytes) = schema::object(&self.state, id, &hex_hash(named)) {
                                objects.push(BoardObject { hash: hex_hash(named), bytes });
                            }
                        }
                    }
                }
                objects.push(BoardObject { hash: publica_types::sha256(&payload), bytes: payload });
            }
            events.push(BoardEvent { height, hash, bytes });
        }
        (record, events, objects)
    }
}

fn hex_hash(text: &str) -> Hash {
    hex::decode(text).unwrap().try_into().unwrap()
}

fn question(answers: usize, max: u32, blank: bool) -> Question {
    Question {
        question: "When should the library open on Sundays?".into(),
        answers: ["Never", "Mornings", "Afternoons"].iter().take(answers).map(|a| (*a).to_owned()).collect(),
        min: 1,
        max,
        blank,
    }
}

/// The key generation through the ledger, each trustee's key saved after each step and opened again for the next.
fn generate_key(w: &mut World, id: u64, dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let uuid = w.record(id).uuid;
    let paths: Vec<_> = (1..=3).map(|j| dir.join(format!("trustee-{j}-election-{id}.json"))).collect();
    for (j, path) in (1..=3u32).zip(&paths) {
        let mut trustee = Trustee::generate(id, &uuid, j, w.trustees[j as usize - 1], PASSPHRASE, FAST).unwrap();
        let certificate = trustee.certificate();
        trustee.key_file().unwrap().save(path).unwrap();
        w.ok(w.trustees[j as usize - 1], ElectionsCall::TrusteeMessage { election: id, step: 1, message: certificate });
    }
    assert_eq!(w.record(id).status, ElectionStatus::KeyGeneration { step: 3 });
    let certificates = w.certificates(id);
    for (j, path) in (1..=3u32).zip(&paths) {
        let mut trustee = Trustee::open(&TrusteeKey::load(path).unwrap(), PASSPHRASE).unwrap();
        assert_eq!(trustee.step(), 1);
        let polynomial = trustee.polynomial(&certificates, 2).unwrap();
        trustee.key_file().unwrap().save(path).unwrap();
        w.ok(w.trustees[j as usize - 1], ElectionsCall::TrusteeMessage { election: id, step: 3, message: polynomial });
    }
    for (j, path) in (1..=3u32).zip(&paths) {
        let mut trustee = Trustee::open(&TrusteeKey::load(path).unwrap(), PASSPHRASE).unwrap();
        let input = query::trustee_input(&w.state, id, j).unwrap();
        let key = trustee.verification_key(&certificates, &input).unwrap();
        trustee.key_file().unwrap().save(path).unwrap();
        w.ok(w.trustees[j as usize - 1], ElectionsCall::TrusteeMessage { election: id, step: 5, message: key });
    }
    assert_eq!(w.record(id).status, ElectionStatus::Credentials);
    paths
}

/// Roll, credentials published through the kit's calls, letters to each citizen; returns the letters.
fn credentials(w: &mut World, id: u64, chain: &ChainId) -> Vec<CredentialLetter> {
    let voters: Vec<Address> = w.citizens.iter().map(|(_, a)| *a).collect();
    w.ok(w.commissioner, ElectionsCall::AddVoters { election: id, voters: voters.clone() });
    w.ok(w.commissioner, ElectionsCall::FreezeRoll { election: id });
    let uuid = w.record(id).uuid;
    let roll: Vec<(Address, u64)> = voters.iter().map(|a| (*a, 1)).collect();
    let issued = issue_credentials(&uuid, &roll).unwrap();
    for call in credential_calls(id, &issued) {
        w.ok(w.authority, call);
    }
    assert_eq!(w.record(id).status, ElectionStatus::Voting);
    issued
        .iter()
        .zip(&w.citizens)
        .map(|(c, (name, _))| {
            CredentialLetter::new(chain, id, &uuid, w.authority, c, keypair(name).public_key()).unwrap()
        })
        .collect()
}

#[test]
fn an_election_runs_on_the_kit_from_key_generation_to_result_and_its_archive_ends_at_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let chain: ChainId = "kit-test".parse().unwrap();
    let mut w = World::new(5);
    let id = w.create(question(3, 2, true));
    let paths = generate_key(&mut w, id, dir.path());
    let letters = credentials(&mut w, id, &chain);
    let record = w.record(id);
    let election_object = w.object(id, &record.election_hash.unwrap());
    let election = Election::parse(&election_object).unwrap();

    // Five voters: blank, "Mornings", "Mornings"+"Afternoons", "Never" then a revote for "Afternoons", "Never".
    let choices: [(usize, Choice); 6] = [
        (0, Choice::Blank),
        (1, Choice::Answers(vec![2])),
        (2, Choice::Answers(vec![3, 2])),
        (3, Choice::Answers(vec![1])),
        (3, Choice::Answers(vec![3])),
        (4, "1".parse().unwrap()),
    ];
    for (voter, choice) in choices {
        let (name, _) = &w.citizens[voter];
        let credential = open_letter(&keypair(name), &letters[voter]).unwrap();
        let ballot = build_ballot(&election_object, &credential, &[choice]).unwrap();
        let verified = verify_ballot(&election, &ballot.bytes).unwrap();
        assert_eq!(verified.tracker, ballot.hash);
        assert_eq!(verified.credential_decimal(), public_credential(&credential, &record.uuid).unwrap());
        assert_eq!(ballot.tracker, verified.tracker_b64());
        assert_eq!(ballot.hash_hex(), verified.tracker_hex());
        let tx = cast_transaction(chain.clone(), T0 + HOUR_MS, id, &ballot);
        assert!(tx.is_anonymous());
        let Call::Elections(call) = tx.body.call.clone() else { panic!("an elections call") };
        w.ok(Address::ANONYMOUS, call);
        let (entry, _) = query::ballot(&w.state, id, &ballot.hash).expect("the receipt finds the ballot");
        assert_eq!(entry.credential, verified.credential_decimal());
    }

    w.time_ms = T0 + 2 * HOUR_MS;
    w.ok(w.commissioner, ElectionsCall::Close { election: id });
    let tally = w.object(id, &w.record(id).tally_hash.unwrap());
    for j in [3usize, 1] {
        let trustee = Trustee::open(&TrusteeKey::load(&paths[j - 1]).unwrap(), PASSPHRASE).unwrap();
        assert_eq!(trustee.step(), 5);
        assert!(trustee.public_share().is_some());
        let decryption = trustee.partial_decryption(&election_object, &tally).unwrap();
        w.ok(w.trustees[j - 1], ElectionsCall::PartialDecryption { election: id, decryption });
    }
    let record = w.record(id);
    assert_eq!(record.status, ElectionStatus::Decided);
    // Blank 1; Never 1 (the revote replaced the other); Mornings 2; Afternoons 2.
    assert_eq!(parse_result(&w.object(id, &record.result_hash.unwrap())).unwrap(), vec![vec![1, 1, 2, 2]]);

    let (record, events, objects) = w.board(id);
    let archive = assemble_archive(&record, &events, &objects).unwrap();
    assert_eq!(archive, query::archive(&w.state, id).unwrap(), "the archive the ledger writes, byte for byte");
    let read = bel::read(&archive, &ArchiveLimits::default()).unwrap();
    assert_eq!(read.head(), record.head);
    assert_eq!(read.events.iter().filter(|e| e.body.event_type() == EventType::Ballot).count(), 6);
}

#[test]
fn an_archive_whose_events_do_not_chain_to_the_proven_head_is_refused_naming_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let chain: ChainId = "kit-test".parse().unwrap();
    let mut w = World::new(2);
    let id = w.create(question(2, 1, false));
    generate_key(&mut w, id, dir.path());
    let letters = credentials(&mut w, id, &chain);
    let election_object = w.object(id, &w.record(id).election_hash.unwrap());
    for (voter, letter) in letters.iter().enumerate() {
        let credential = open_letter(&keypair(&w.citizens[voter].0), letter).unwrap();
        let ballot = build_ballot(&election_object, &credential, &[Choice::Answers(vec![1])]).unwrap();
        w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot: ballot.bytes });
    }
    let (record, events, objects) = w.board(id);
    assert_eq!(events.len(), 3);
    assemble_archive(&record, &events, &objects).unwrap();

    let refused = |record: &ElectionRecord, events: &[BoardEvent], objects: &[BoardObject]| {
        assemble_archive(record, events, objects).unwrap_err().to_string()
    };
    // An event left out: the count differs.
    let said = refused(&record, &events[..2], &objects);
    assert!(said.contains("counts 3 events") && said.contains("2 were given"), "{said}");
    // Two events swapped: heights and parents differ.
    let mut swapped = events.clone();
    swapped.swap(1, 2);
    assert!(refused(&record, &swapped, &objects).contains("says height"));
    let mut renumbered = swapped.clone();
    renumbered[1].height = 1;
    renumbered[2].height = 2;
    assert!(refused(&record, &renumbered, &objects).contains("names parent"));
    // A changed event: it no longer hashes to its name.
    let mut changed = events.clone();
    changed[2].bytes[5] ^= 1;
    assert!(refused(&record, &changed, &objects).contains("does not hash to its name"));
    // Another head proven: the chain does not end there.
    let mut other = record.clone();
    other.head = Some([7; 32]);
    let said = refused(&other, &events, &objects);
    assert!(said.contains("ends at") && said.contains(&hex::encode([7u8; 32])), "{said}");
    // A changed object, and a missing one.
    let mut objects_changed = objects.clone();
    objects_changed[0].bytes.push(b' ');
    assert!(refused(&record, &events, &objects_changed).contains("hashes to"));
    let said = refused(&record, &events, &objects[1..]);
    assert!(said.contains("not stored"), "{said}");
}

#[test]
fn a_large_object_is_read_chunk_by_chunk_within_what_its_record_allows_and_checked_against_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let chain: ChainId = "kit-test".parse().unwrap();
    // 110 voters: their public credentials (about 620 bytes each) take two stored chunks.
    let mut w = World::new(110);
    let id = w.create(question(2, 1, false));
    generate_key(&mut w, id, dir.path());
    credentials(&mut w, id, &chain);
    let record = w.record(id);
    let hash = record.credentials_hash.expect("sealed");
    let whole = w.object(id, &hash);
    let header = w.state.get(&schema::blob_key(id, &hash)).unwrap();
    let header: schema::Blob = publica_types::codec::decode_canonical("a header", &header, 64).unwrap();
    assert_eq!((header.len, header.chunks), (whole.len() as u64, 2), "two chunks");
    let listed = LargeObject { hash, len: header.len, chunks: header.chunks };
    // The node's answer for chunk `index`, read from the state, passed through `change`.
    let served = |change: fn(u32, &mut ObjectChunkResponse)| {
        let state = &w.state;
        move |index: u32| -> anyhow::Result<ObjectChunkResponse> {
            let bytes = state.get(&schema::chunk_key(id, &hash, index)).ok_or_else(|| anyhow::anyhow!("no chunk"))?;
            let mut chunk =
                ObjectChunkResponse { election: id, hash, index, len: header.len, chunks: header.chunks, bytes };
            change(index, &mut chunk);
            Ok(chunk)
        }
    };
    let object = fetch_large_object(&record, &listed, served(|_, _| {})).unwrap();
    assert_eq!((object.hash, &object.bytes), (hash, &whole));

    // The bound follows from the credentials the record counts, and is close to what they take.
    let max = board_object_bytes_max(&record, &hash);
    assert!(whole.len() as u64 <= max && max < whole.len() as u64 * 11 / 10, "{} of at most {max}", whole.len());
    assert_eq!(board_object_bytes_max(&record, &[0; 32]), MAX_BOARD_OBJECT_BYTES);
    let mut fewer = record.clone();
    fewer.credentials_count = 100;
    let said = fetch_large_object(&fewer, &listed, served(|_, _| {})).unwrap_err().to_string();
    assert!(said.contains("allows at most"), "{said}");
    // A listing whose chunks do not fit its length.
    let said =
        fetch_large_object(&record, &LargeObject { chunks: 3, ..listed }, served(|_, _| {})).unwrap_err().to_string();
    assert!(said.contains("take 2"), "{said}");
    // A changed byte, a short chunk, another chunk, another object's, another length: each refused.
    let said = fetch_large_object(&record, &listed, served(|i, c| c.bytes[0] ^= u8::from(i == 1))).unwrap_err();
    assert!(said.to_string().contains("hashes to"), "{said}");
    for change in [
        (|_, c: &mut ObjectChunkResponse| {
            c.bytes.pop();
        }) as fn(u32, &mut ObjectChunkResponse),
        |_, c| c.index = 0,
        |_, c| c.hash = [1; 32],
        |_, c| c.election += 1,
        |_, c| c.len -= 1,
    ] {
        let said = fetch_large_object(&record, &listed, served(change)).unwrap_err().to_string();
        assert!(said.contains("not the one asked for"), "{said}");
    }
    // A node that fails to give a chunk: its error, with which chunk.
    let said = fetch_large_object(&record, &listed, |_| anyhow::bail!("connection reset")).unwrap_err();
    assert!(format!("{said:#}").contains("chunk 0") && format!("{said:#}").contains("connection reset"), "{said:#}");
}

#[test]
fn a_trustee_key_opens_only_with_its_passphrase_and_is_never_overwritten_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let uuid = "5dXkPMs5xwhUVN";
    let account = keypair("trustee").address();
    let mut trustee = Trustee::generate(4, uuid, 2, account, PASSPHRASE, FAST).unwrap();
    trustee.certificate();
    let file = trustee.key_file().unwrap();
    let path = dir.path().join("trustee.json");
    file.save(&path).unwrap();
    let loaded = TrusteeKey::load(&path).unwrap();
    assert_eq!(loaded, file);
    assert_eq!((loaded.election, loaded.trustee, loaded.step, loaded.account), (4, 2, 1, account));
    assert!(Trustee::open(&loaded, b"another passphrase").is_err());
    let opened = Trustee::open(&loaded, PASSPHRASE).unwrap();
    assert_eq!(format!("{opened:?}"), "Trustee(election 4, trustee 2, step 1, secrets redacted)");
    // The seed is not in the file in clear: the certificate's keys derive from it, and the file names none of them.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("seed"));
    // The same key saved again replaces the file; another key is refused.
    opened.key_file().unwrap().save(&path).unwrap();
    let other = Trustee::generate(4, uuid, 2, account, PASSPHRASE, FAST).unwrap().key_file().unwrap();
    let said = other.save(&path).unwrap_err().to_string();
    assert!(said.contains("another trustee key"), "{said}");
    assert_eq!(TrusteeKey::load(&path).unwrap().lock, file.lock);
    // Secrets moved to another election's file do not open.
    let mut moved = loaded.clone();
    moved.election = 5;
    assert!(Trustee::open(&moved, PASSPHRASE).unwrap_err().to_string().contains("changed"));
    // No share yet: no partial decryption.
    let said = opened.partial_decryption(b"{}", b"[]").unwrap_err().to_string();
    assert!(said.contains("step 5"), "{said}");
    // Bad numbers and uuids are refused.
    assert!(Trustee::generate(4, uuid, 0, account, PASSPHRASE, FAST).is_err());
    assert!(Trustee::generate(4, "not a uuid!", 1, account, PASSPHRASE, FAST).is_err());
}

#[test]
fn a_trustee_refuses_certificates_whose_own_is_not_from_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = World::new(1);
    let id = w.create(question(2, 1, false));
    let paths = generate_key(&mut w, id, dir.path());
    let certificates = w.certificates(id);
    let mut trustee = Trustee::open(&TrusteeKey::load(&paths[0]).unwrap(), PASSPHRASE).unwrap();
    let mut swapped = certificates.clone();
    swapped.swap(0, 1);
    let said = trustee.polynomial(&swapped, 2).unwrap_err().to_string();
    assert!(said.contains("not made from this key"), "{said}");
    let said = trustee.polynomial(&certificates[..0], 2).unwrap_err().to_string();
    assert!(said.contains("0 certificates"), "{said}");
    // Another trustee's input is not this trustee's.
    let input = query::trustee_input(&w.state, id, 2).unwrap();
    assert!(trustee.verification_key(&certificates, &input).is_err());
}

#[test]
fn a_credential_letter_opens_only_for_its_citizen_and_its_context() {
    let dir = tempfile::tempdir().unwrap();
    let chain: ChainId = "kit-test".parse().unwrap();
    let uuid = "5dXkPMs5xwhUVN";
    let ada = keypair("ada");
    let bruno = keypair("bruno");
    let authority = keypair("authority").address();
    let issued = issue_credentials(uuid, &[(ada.address(), 1), (bruno.address(), 3)]).unwrap();
    assert_eq!(issued[1].weight, 3);
    let letter = CredentialLetter::new(&chain, 7, uuid, authority, &issued[0], ada.public_key()).unwrap();
    assert_eq!((letter.voter, letter.authority, letter.weight, letter.election), (ada.address(), authority, 1, 7));
    let opened = open_letter(&ada, &letter).unwrap();
    assert_eq!(opened.as_str(), issued[0].private.as_str());
    assert_eq!(public_credential(&opened, uuid).unwrap(), issued[0].public);
    // The letter holds the credential only sealed.
    let path = dir.path().join("letters").join("ada.json");
    letter.save(&path).unwrap();
    assert!(!std::fs::read_to_string(&path).unwrap().contains(issued[0].private.as_str()));
    assert_eq!(CredentialLetter::load(&path).unwrap(), letter);
    assert!(letter.save(&path).unwrap_err().to_string().contains("never overwritten"));
    // Another citizen's key: refused by name, and also when the letter is readdressed to them.
    assert!(open_letter(&bruno, &letter).unwrap_err().to_string().contains("the letter is for"));
    let mut readdressed = letter.clone();
    readdressed.voter = bruno.address();
    assert!(open_letter(&bruno, &readdressed).is_err());
    // Moved to another election, chain or authority: the context differs and it does not open.
    for change in [
        |l: &mut CredentialLetter| l.election = 8,
        |l: &mut CredentialLetter| l.chain_id = "other-chain".parse().unwrap(),
        |l: &mut CredentialLetter| l.authority = Address([9; 20]),
        |l: &mut CredentialLetter| l.uuid = "6dXkPMs5xwhUVN".into(),
    ] {
        let mut moved = letter.clone();
        change(&mut moved);
        assert!(open_letter(&ada, &moved).is_err());
    }
    // A letter for a key that is not the credential's voter is refused when written.
    assert!(CredentialLetter::new(&chain, 7, uuid, authority, &issued[0], bruno.public_key()).is_err());
    // The same voter twice, or a zero weight, is refused.
    assert!(issue_credentials(uuid, &[(ada.address(), 1), (ada.address(), 1)]).is_err());
    assert!(issue_credentials(uuid, &[(ada.address(), 0)]).is_err());
}

#[test]
fn credentials_are_published_in_batches_sorted_by_value_not_in_roll_order() {
    let uuid = "5dXkPMs5xwhUVN";
    let credential = issue_credentials(uuid, &[(Address([1; 20]), 1)]).unwrap().remove(0).private;
    // Stand-in public forms (the batches only order and cut them): 250 numbers in roll order 249, 248, ….
    let issued: Vec<IssuedCredential> = (0..250u64)
        .rev()
        .map(|n| IssuedCredential {
            voter: Address([n as u8; 20]),
            weight: 1 + n % 2,
            private: credential.clone(),
            public: (n * 1000 + 7).to_string(),
        })
        .collect();
    let batches = credential_batches(&issued);
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), vec![100, 100, 50]);
    assert!(batches.iter().all(|b| b.len() <= MAX_CREDENTIALS_PER_CALL));
    let order: Vec<u64> = batches.iter().flatten().map(|c| c.credential.parse().unwrap()).collect();
    assert_eq!(order, (0..250u64).map(|n| n * 1000 + 7).collect::<Vec<_>>(), "numeric order, not the roll's");
    assert!(batches.iter().flatten().all(|c| c.weight == 1 + (c.credential.parse::<u64>().unwrap() / 1000) % 2));
    let calls = credential_calls(3, &issued);
    assert_eq!(calls.len(), 4);
    assert_eq!(calls[3], ElectionsCall::SealCredentials { election: 3 });
}

#[test]
fn choices_are_checked_against_the_question_before_a_ballot_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let chain: ChainId = "kit-test".parse().unwrap();
    let mut w = World::new(1);
    let id = w.create(question(3, 2, false));
    generate_key(&mut w, id, dir.path());
    let letters = credentials(&mut w, id, &chain);
    let object = w.object(id, &w.record(id).election_hash.unwrap());
    let credential = open_letter(&keypair(&w.citizens[0].0), &letters[0]).unwrap();
    let refused = |choices: &[Choice]| build_ballot(&object, &credential, choices).unwrap_err().to_string();
    assert!(refused(&[Choice::Blank]).contains("does not allow a blank vote"));
    assert!(refused(&[Choice::Answers(vec![4])]).contains("answers 1 to 3; 4 is not one"));
    assert!(refused(&[Choice::Answers(vec![0])]).contains("0 is not one"));
    assert!(refused(&[Choice::Answers(vec![1, 1])]).contains("chosen twice"));
    assert!(refused(&[Choice::Answers(vec![1, 2, 3])]).contains("takes 1 to 2 answers; 3 were chosen"));
    assert!(refused(&[Choice::Answers(vec![])]).contains("0 were chosen"));
    assert!(refused(&[Choice::Answers(vec![1]), Choice::Answers(vec![1])]).contains("1 question(s); 2 choice(s)"));
    assert!(build_ballot(b"{}", &credential, &[Choice::Answers(vec![1])]).is_err());
    // Choices as a command line gives them.
    assert_eq!("blank".parse::<Choice>().unwrap(), Choice::Blank);
    assert_eq!(" 1, 3 ".parse::<Choice>().unwrap(), Choice::Answers(vec![1, 3]));
    assert_eq!("".parse::<Choice>().unwrap(), Choice::Answers(vec![]));
    assert!("one".parse::<Choice>().is_err());
    // A ballot built twice differs (fresh randomness) and both verify.
    let a = build_ballot(&object, &credential, &[Choice::Answers(vec![1, 3])]).unwrap();
    let b = build_ballot(&object, &credential, &[Choice::Answers(vec![1, 3])]).unwrap();
    assert_ne!(a.hash, b.hash);
    w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot: a.bytes });
    w.ok(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot: b.bytes });
    assert_eq!(w.record(id).ballots, 2);
}

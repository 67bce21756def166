//! The elections module over an in-memory state: a whole election (the trustees' key generation, the roll, the
//! credentials, ballots and a revote, the close, the partial decryptions and the result), its archive, and every
//! refusal on the way. This file holds the world every test starts from and the steps they share.

mod flow;
mod refusals;

use publica_belenios::ballot::build_ballot;
use publica_belenios::credential::{PrivateCredential, Uuid};
use publica_belenios::election::Election;
use publica_belenios::tally::{EncryptedTally, PartialDecryption};
use publica_belenios::trustee::{self, Seed, SignedMsg, Vinput};
use publica_elections::call::{ElectionsCall, PublishedCredential, Question};
use publica_elections::schema::{self, ElectionRecord};
use publica_elections::{execute, query};
use publica_testkit::{context, Accounts, MemoryState};
use publica_types::{Address, CallContext, Code, TxError, TxId, TxOutcome};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// The start of every test's clock.
const T0: u64 = 1_800_000_000_000;
/// One hour in milliseconds.
const HOUR_MS: u64 = 3_600_000;

struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
    rng: StdRng,
    /// The electoral commission's official.
    commissioner: Address,
    /// An official of another agency holding the same role.
    other_commissioner: Address,
    /// The credential authority.
    authority: Address,
    /// Three trustees (officials of three agencies) and their seeds.
    trustees: Vec<Address>,
    seeds: Vec<Seed>,
    /// Citizens, the first `voters` of them on the roll.
    citizens: Vec<Address>,
    /// An official: not a citizen.
    clerk: Address,
}

impl World {
    fn new() -> World {
        World::with_citizens(12)
    }

    /// A world with `count` registered citizens.
    fn with_citizens(count: usize) -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency("election-authority", &["electoral-commission", "credential-authority"])
            .agency("province", &["electoral-commission"])
            .agency("court", &["judge"])
            .agency("university", &["registrar"])
            .agency_registering_citizens("civil-registry", &["citizen-registrar"]);
        let commissioner = accounts.official("commissioner", "election-authority", &["electoral-commission"]);
        let other_commissioner = accounts.official("governor", "province", &["electoral-commission"]);
        let authority = accounts.official("authority", "election-authority", &["credential-authority"]);
        let trustees = vec![
            accounts.official("trustee-1", "election-authority", &[]),
            accounts.official("trustee-2", "court", &["judge"]),
            accounts.official("trustee-3", "university", &["registrar"]),
        ];
        let citizens = (0..count).map(|i| accounts.citizen(&format!("citizen-{i}"), "civil-registry")).collect();
        let clerk = accounts.official("clerk", "university", &["registrar"]);
        let mut rng = StdRng::seed_from_u64(7);
        let seeds = (0..3).map(|_| Seed::generate(&mut rng)).collect();
        World {
            state,
            height: 1,
            time_ms: T0,
            rng,
            commissioner,
            other_commissioner,
            authority,
            trustees,
            seeds,
            citizens,
            clerk,
        }
    }

    fn ctx(&self, sender: Address) -> CallContext {
        let mut tx = [0u8; 32];
        tx[..8].copy_from_slice(&self.height.to_be_bytes());
        context(sender).block(self.height, self.time_ms).tx_id(TxId(tx)).build()
    }

    /// Execute `call` as `sender` in the next block; a refusal must leave the state untouched.
    fn run(&mut self, sender: Address, call: ElectionsCall) -> Result<TxOutcome, TxError> {
        self.height += 1;
        let ctx = self.ctx(sender);
        let before = self.state.clone();
        let result = execute(&mut self.state, &ctx, &call);
        if result.is_err() {
            // Execution discards a refused transaction's writes; a module must not rely on it for its checks, and
            // this module's refusals write nothing in the first place.
            assert_eq!(self.state, before, "a refused call wrote to the state");
        }
        result
    }

    fn ok(&mut self, sender: Address, call: ElectionsCall) -> TxOutcome {
        self.run(sender, call).unwrap_or_else(|e| panic!("refused: {} {}", e.code.as_str(), e.message))
    }

    fn record(&self, id: u64) -> ElectionRecord {
        schema::election(&self.state, id).expect("the election exists")
    }

    /// The election object on the board, parsed.
    fn election(&self, id: u64) -> Election {
        let record = self.record(id);
        let bytes = schema::object(&self.state, id, &record.election_hash.expect("made")).expect("stored");
        Election::parse(&bytes).expect("the board's election parses")
    }

    fn create(&mut self, threshold: u32) -> u64 {
        let call = ElectionsCall::CreateElection {
            name: "Nordvik harbour referendum".into(),
            description: "Should the harbour be rebuilt?".into(),
            questions: vec![question()],
            opens_at_ms: T0,
            closes_at_ms: T0 + 10 * HOUR_MS,
            trustees: self.trustees.clone(),
            threshold,
            credential_authority: self.authority,
        };
        match self.ok(self.commissioner, call) {
            TxOutcome::Election { id } => id,
            other => panic!("unexpected outcome {other:?}"),
        }
    }

    /// Every trustee's certificate (step 1), as the trustees' tool makes them.
    fn certificates(&mut self) -> Vec<SignedMsg> {
        self.seeds.clone().iter().map(|s| trustee::make_cert(s, &mut self.rng)).collect()
    }

    /// Run the whole key generation through the ledger.
    fn generate_key(&mut self, id: u64, threshold: usize) {
        let certs = self.certificates();
        for (t, cert) in self.trustees.clone().into_iter().zip(&certs) {
            self.ok(t, trustee_call(id, 1, cert.to_json().to_bytes()));
        }
        for (t, seed) in self.trustees.clone().into_iter().zip(self.seeds.clone()) {
            let polynomial = trustee::make_polynomial(&seed, &certs, threshold, &mut self.rng).unwrap();
            self.ok(t, trustee_call(id, 3, polynomial.to_json().to_bytes()));
        }
        for (j, (t, seed)) in self.trustees.clone().into_iter().zip(self.seeds.clone()).enumerate() {
            let input = query::trustee_input(&self.state, id, j as u32 + 1).expect("every polynomial is in");
            let vinput = Vinput::from_json(&publica_belenios::json::parse(&input, LIMITS).unwrap()).unwrap();
            let (voutput, _) = trustee::process_vinput(&seed, &certs, &vinput, &mut self.rng).unwrap();
            self.ok(t, trustee_call(id, 5, voutput.to_json().to_bytes()));
        }
    }

    /// Put the first `count` citizens on the roll and freeze it.
    fn roll(&mut self, id: u64, count: usize) {
        let voters = self.citizens[..count].to_vec();
        self.ok(self.commissioner, ElectionsCall::AddVoters { election: id, voters });
        self.ok(self.commissioner, ElectionsCall::FreezeRoll { election: id });
    }

    /// One private credential per voter; publishes the public ones (weights as given, as many per call as a call
    /// takes) and seals them.
    fn credentials(&mut self, id: u64, weights: &[u64]) -> Vec<PrivateCredential> {
        let uuid = Uuid::parse(&self.record(id).uuid).unwrap();
        let private: Vec<PrivateCredential> =
            weights.iter().map(|_| PrivateCredential::generate(&mut self.rng)).collect();
        let credentials: Vec<PublishedCredential> = private
            .iter()
            .zip(weights)
            .map(|(c, &weight)| PublishedCredential { credential: c.public(&uuid).to_decimal(), weight })
            .collect();
        for batch in credentials.chunks(publica_elections::call::MAX_CREDENTIALS_PER_CALL) {
            let credentials = batch.to_vec();
            self.ok(self.authority, ElectionsCall::PublishCredentials { election: id, credentials });
        }
        self.ok(self.authority, ElectionsCall::SealCredentials { election: id });
        private
    }

    fn ballot(&mut self, id: u64, credential: &PrivateCredential, choices: &[u32]) -> Vec<u8> {
        let election = self.election(id);
        build_ballot(&election, credential, &[choices.to_vec()], &mut self.rng).unwrap()
    }

    fn cast(&mut self, id: u64, ballot: Vec<u8>) -> Result<TxOutcome, TxError> {
        self.run(Address::ANONYMOUS, ElectionsCall::Cast { election: id, ballot })
    }

    /// Trustee `j` (from 1) decrypts the tally with its key share.
    fn decryption(&mut self, id: u64, j: usize, certs: &[SignedMsg]) -> Vec<u8> {
        let record = self.record(id);
        let tally_bytes = schema::object(&self.state, id, &record.tally_hash.expect("closed")).unwrap();
        let tally = EncryptedTally::parse_questions(&tally_bytes).unwrap();
        let input = query::trustee_input(&self.state, id, j as u32).unwrap();
        let vinput = Vinput::from_json(&publica_belenios::json::parse(&input, LIMITS).unwrap()).unwrap();
        let (_, secret) = trustee::process_vinput(&self.seeds[j - 1], certs, &vinput, &mut self.rng).unwrap();
        let fingerprint = self.election(id).fingerprint().to_owned();
        PartialDecryption::create(&tally, &secret, &fingerprint, &mut self.rng).to_bytes()
    }

    /// The certificates stored on the ledger, parsed.
    fn stored_certificates(&self, id: u64) -> Vec<SignedMsg> {
        (1..=3)
            .map(|j| {
                let bytes = query::trustee_message(&self.state, id, 1, j).unwrap();
                SignedMsg::from_json(&publica_belenios::json::parse(&bytes, LIMITS).unwrap()).unwrap()
            })
            .collect()
    }
}

const LIMITS: publica_belenios::json::Limits = publica_belenios::json::Limits { max_bytes: 1 << 20, max_depth: 8 };

fn question() -> Question {
    Question {
        question: "Rebuild the harbour?".into(),
        answers: vec!["Yes".into(), "No".into(), "Rebuild it smaller".into()],
        min: 0,
        max: 1,
        blank: false,
    }
}

fn trustee_call(election: u64, step: u8, message: Vec<u8>) -> ElectionsCall {
    ElectionsCall::TrusteeMessage { election, step, message }
}

/// Assert that `result` is a refusal with `code`.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, TxError>, code: Code) -> TxError {
    let error = result.expect_err("the call should be refused");
    assert_eq!(error.code, code, "refused with {} ({}), not {}", error.code.as_str(), error.message, code.as_str());
    error
}

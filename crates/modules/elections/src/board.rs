//! The Belenios objects the ledger builds and checks, on `publica-belenios`: the bridge between the module's
//! records and Belenios' exact bytes.
//!
//! Two process-wide caches keep the cost of a ballot to one verification per node: parsed elections (with the
//! fixed-base table of their public key) by the SHA-256 of their bytes, and the ballots that verified, by the pair
//! (election, ballot) of SHA-256s. Both hold only what a pure function of the bytes returned, so a hit and a miss
//! give the same answer; they only save the work of computing it again (admission's dry run, the proposal, every
//! re-execution).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use publica_belenios::archive::{self, ArchiveError, ArchiveWriter, EventBody};
use publica_belenios::ballot::Ciphertext;
use publica_belenios::election::{Election, ElectionSpec, Question as BQuestion};
use publica_belenios::json::{self, Json, Limits};
use publica_belenios::tally::{self, EncryptedTally, PartialDecryption, TallyError};
use publica_belenios::trustee::{
    self, PolynomialMsg, SignedMsg, ThresholdParameters, TrusteeError, TrusteeItem, Trustees, Voutput,
};
use publica_belenios::{BeleniosError, Elem};
use publica_types::{sha256, Code, Hash};

use crate::call::{PublishedCredential, Question, MAX_BALLOT_BYTES, MAX_TRUSTEE_MESSAGE_BYTES};
use crate::error;
use crate::schema::{ElectionRecord, TallyAccumulator};

/// Why the board refuses an object: the Belenios check that failed, in words, and the module code of a refused
/// ballot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BoardError {
    message: String,
    code: Code,
}

impl BoardError {
    /// The module code of a refused ballot (other refusals take the code of the call that sent the object).
    pub fn code(&self) -> Code {
        self.code
    }

    fn other(message: impl std::fmt::Display) -> BoardError {
        BoardError { message: message.to_string(), code: error::BALLOT_INVALID }
    }
}

impl From<TrusteeError> for BoardError {
    fn from(e: TrusteeError) -> Self {
        BoardError::other(e)
    }
}

impl From<TallyError> for BoardError {
    fn from(e: TallyError) -> Self {
        BoardError::other(e)
    }
}

impl From<ArchiveError> for BoardError {
    fn from(e: ArchiveError) -> Self {
        BoardError::other(e)
    }
}

fn ballot_code(e: &BeleniosError) -> Code {
    match e {
        BeleniosError::WrongElectionUuid { .. } | BeleniosError::WrongElectionHash { .. } => {
            error::BALLOT_WRONG_ELECTION
        }
        BeleniosError::Json { .. }
        | BeleniosError::TooLarge { .. }
        | BeleniosError::Malformed { .. }
        | BeleniosError::Number { .. }
        | BeleniosError::BallotNotCanonical
        | BeleniosError::Uuid { .. }
        | BeleniosError::AnswerCount { .. }
        | BeleniosError::AnswerShape { .. } => error::BALLOT_MALFORMED,
        BeleniosError::Signature
        | BeleniosError::SignatureHash { .. }
        | BeleniosError::NotInGroup { what: "ballot credential" } => error::BALLOT_SIGNATURE_INVALID,
        _ => error::BALLOT_INVALID,
    }
}

impl From<BeleniosError> for BoardError {
    fn from(e: BeleniosError) -> Self {
        BoardError { code: ballot_code(&e), message: e.to_string() }
    }
}

pub use publica_belenios::archive::EventType;

/// Limits for the small JSON objects the board writes and reads back (events, payloads).
const SMALL: Limits = Limits { max_bytes: 64 * 1024, max_depth: 4 };
/// Limits for a ballot.
const BALLOT: Limits = Limits { max_bytes: MAX_BALLOT_BYTES, max_depth: 8 };

fn unhex(text: &str) -> Option<Hash> {
    (text.len() == 64).then_some(())?;
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    (archive::to_hex(&out) == text).then_some(out)
}

/// Belenios' election uuid for an election created by transaction `tx_id`: 14 base58 characters, as Belenios'
/// own tokens are, taken from the transaction id (unique on the chain).
pub fn uuid_for(tx_id: &Hash) -> String {
    let digest = sha256(&[b"publica/election-uuid/".as_slice(), tx_id].concat());
    digest[..14].iter().map(|b| publica_belenios::credential::BASE58[usize::from(*b) % 58] as char).collect()
}

/// Check a public credential in decimal: canonical, below p, a member of the group.
pub fn check_credential(decimal: &str) -> Result<(), BoardError> {
    Elem::parse_member(decimal, "public credential").map(|_| ()).map_err(BoardError::from)
}

/// The election object for `record` with public key `public_key` (decimal), canonical, in Belenios' field order.
pub fn election_object(record: &ElectionRecord, public_key: &str) -> Vec<u8> {
    let spec = ElectionSpec {
        description: record.description.clone(),
        name: record.name.clone(),
        public_key: Elem::from_decimal(public_key).expect("the trustees' key is a canonical element"),
        questions: record.questions.iter().map(belenios_question).collect(),
        uuid: publica_belenios::credential::Uuid::parse(&record.uuid).expect("uuids are made of 14 base58 characters"),
        administrator: None,
        credential_authority: None,
    };
    Election::build(spec).expect("an election checked at creation builds").bytes().to_vec()
}

fn belenios_question(q: &Question) -> BQuestion {
    BQuestion {
        question: q.question.clone(),
        answers: q.answers.clone(),
        blank: q.blank.then_some(true),
        min: q.min,
        max: q.max,
    }
}

/// The election parsed from its bytes, from the cache when it was parsed before.
fn parsed_election(bytes: &[u8]) -> Arc<Election> {
    static CACHE: OnceLock<Mutex<HashMap<Hash, Arc<Election>>>> = OnceLock::new();
    // Each holds its key's tables (a few MiB): a node rarely runs more than a few elections at once.
    const MAX_CACHED: usize = 16;
    let hash = sha256(bytes);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(e) = cache.lock().expect("not poisoned").get(&hash) {
        return Arc::clone(e);
    }
    let election = Arc::new(Election::parse(bytes).expect("stored elections were built by the ledger"));
    let mut map = cache.lock().expect("not poisoned");
    if map.len() >= MAX_CACHED {
        map.clear();
    }
    map.insert(hash, Arc::clone(&election));
    election
}

/// Ballots that verified, by (election, ballot) SHA-256, oldest first out.
struct Verified {
    set: HashSet<(Hash, Hash)>,
    order: VecDeque<(Hash, Hash)>,
}

const MAX_VERIFIED: usize = 100_000;

fn verified() -> &'static Mutex<Verified> {
    static VERIFIED: OnceLock<Mutex<Verified>> = OnceLock::new();
    VERIFIED.get_or_init(|| Mutex::new(Verified { set: HashSet::new(), order: VecDeque::new() }))
}

/// The credential a ballot names, in decimal: read from the ballot without checking anything else, so that a
/// ballot with an unknown credential is refused before any exponentiation.
pub fn ballot_credential(ballot: &[u8]) -> Result<String, BoardError> {
    let json = json::parse(ballot, BALLOT)?;
    let credential = json.get("credential").and_then(Json::as_str).ok_or_else(|| {
        BoardError::from(BeleniosError::Malformed { what: "ballot", detail: "no \"credential\" string".into() })
    })?;
    Elem::from_decimal(credential)
        .map_err(|reason| BoardError::from(BeleniosError::Number { what: "ballot credential", reason }))?;
    Ok(credential.to_owned())
}

/// The key a pending ballot is queued under: its election and its credential, so that a node keeps one pending
/// ballot per credential. Reads the credential only; the ballot is checked by its dry run.
pub fn ballot_queue_key(election: u64, ballot: &[u8]) -> Result<Hash, BoardError> {
    let credential = ballot_credential(ballot)?;
    Ok(sha256(&[b"publica/ballot-queue/".as_slice(), &election.to_be_bytes(), credential.as_bytes()].concat()))
}

/// Verify a ballot for the election of `election_bytes` and return its ciphertexts, per question and slot.
pub fn verify_ballot(election_bytes: &[u8], ballot: &[u8]) -> Result<Vec<Vec<Ciphertext>>, BoardError> {
    let key = (sha256(election_bytes), sha256(ballot));
    if verified().lock().expect("not poisoned").set.contains(&key) {
        return ballot_ciphertexts(ballot);
    }
    let election = parsed_election(election_bytes);
    let checked = publica_belenios::ballot::verify_ballot(&election, ballot)?;
    let mut cache = verified().lock().expect("not poisoned");
    if cache.set.insert(key) {
        cache.order.push_back(key);
        if cache.order.len() > MAX_VERIFIED {
            let oldest = cache.order.pop_front().expect("not empty");
            cache.set.remove(&oldest);
        }
    }
    Ok(checked.ciphertexts)
}

/// The ciphertexts of a ballot already verified (stored on the board, or in the cache of verified ballots).
pub fn ballot_ciphertexts(ballot: &[u8]) -> Result<Vec<Vec<Ciphertext>>, BoardError> {
    let json = json::parse(ballot, BALLOT)?;
    let malformed = |detail: &str| BoardError::from(BeleniosError::Malformed { what: "ballot", detail: detail.into() });
    let answers = json.get("answers").and_then(Json::as_array).ok_or_else(|| malformed("no answers"))?;
    answers
        .iter()
        .map(|answer| {
            let choices = answer.get("choices").and_then(Json::as_array).ok_or_else(|| malformed("no choices"))?;
            choices
                .iter()
                .map(|c| {
                    let element = |name: &'static str| -> Result<Elem, BoardError> {
                        let text = c
                            .get(name)
                            .and_then(Json::as_str)
                            .ok_or_else(|| malformed("a choice lacks alpha or beta"))?;
                        Elem::from_decimal(text)
                            .map_err(|reason| BoardError::from(BeleniosError::Number { what: name, reason }))
                    };
                    Ok(Ciphertext { alpha: element("alpha")?, beta: element("beta")? })
                })
                .collect()
        })
        .collect()
}

/// The accumulator of an election with `questions`: every product the neutral (1, 1).
pub fn empty_accumulator(questions: &[Question]) -> TallyAccumulator {
    let one = || ("1".to_owned(), "1".to_owned());
    let shape: Vec<Vec<(String, String)>> =
        questions.iter().map(|q| (0..q.answers.len() + usize::from(q.blank)).map(|_| one()).collect()).collect();
    TallyAccumulator { added: shape.clone(), removed: shape }
}

/// Multiply `product` by `ciphertexts` raised to `weight`, slot by slot.
pub fn accumulate(product: &mut [Vec<(String, String)>], ciphertexts: &[Vec<Ciphertext>], weight: u64) {
    let w = publica_belenios::Scalar::from_u64(weight);
    for (slots, cs) in product.iter_mut().zip(ciphertexts) {
        for ((alpha, beta), c) in slots.iter_mut().zip(cs) {
            let (ca, cb) = if weight == 1 { (c.alpha, c.beta) } else { (c.alpha.pow(&w), c.beta.pow(&w)) };
            let a = Elem::from_decimal(alpha).expect("stored decimal").mul(&ca);
            let b = Elem::from_decimal(beta).expect("stored decimal").mul(&cb);
            *alpha = a.to_decimal();
            *beta = b.to_decimal();
        }
    }
}

/// The encrypted tally object, `added / removed` slot by slot: `[[{"alpha","beta"},…],…]`.
pub fn encrypted_tally_object(accumulator: &TallyAccumulator) -> Vec<u8> {
    let questions = accumulator
        .added
        .iter()
        .zip(&accumulator.removed)
        .map(|(added, removed)| {
            let slots = added
                .iter()
                .zip(removed)
                .map(|((aa, ab), (ra, rb))| {
                    // The products are of group members, so the inverse is a power of q - 1; with no revote the
                    // removed product is 1 and there is nothing to divide.
                    let divide = |a: &str, r: &str| {
                        let a = Elem::from_decimal(a).expect("stored");
                        if r == "1" {
                            a
                        } else {
                            a.mul(&Elem::from_decimal(r).expect("stored").inv_member())
                        }
                    };
                    Ciphertext { alpha: divide(aa, ra), beta: divide(ab, rb) }.to_json()
                })
                .collect();
            Json::Array(slots)
        })
        .collect();
    Json::Array(questions).to_bytes()
}

/// The credentials object: every public credential in decimal, sorted by value, with `,weight` on every line when
/// any weight is not 1.
pub fn credentials_object(credentials: &[PublishedCredential]) -> Vec<u8> {
    let weighted = credentials.iter().any(|c| c.weight != 1);
    let list: Vec<publica_belenios::credential::PublicCredential> = credentials
        .iter()
        .map(|c| publica_belenios::credential::PublicCredential {
            credential: Elem::from_decimal(&c.credential).expect("checked when published"),
            weight: weighted.then_some(c.weight),
        })
        .collect();
    publica_belenios::credential::credentials_json(&list).to_bytes()
}

/// An event, canonical: `{"parent"?,"height","type","payload"?}`.
pub fn event_object(parent: Option<&Hash>, height: u64, kind: EventType, payload: Option<&Hash>) -> Vec<u8> {
    archive::event_json(parent, height, kind, payload)
}

/// The type and payload hash of an event the board wrote.
pub fn event_kind_and_payload(event: &[u8]) -> Option<(EventType, Option<Hash>)> {
    let json = json::parse(event, SMALL).ok()?;
    let name = json.get("type")?.as_str()?;
    let kind = [
        EventType::Setup,
        EventType::Ballot,
        EventType::EndBallots,
        EventType::EncryptedTally,
        EventType::PartialDecryption,
        EventType::Result,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)?;
    let payload = match json.get("payload") {
        Some(p) => Some(unhex(p.as_str()?)?),
        None => None,
    };
    Some((kind, payload))
}

/// The owner and payload hash of an owned partial decryption (`{"owner":k,"payload":hex}`).
pub fn owned_partial_decryption(bytes: &[u8]) -> Option<(u32, Hash)> {
    let json = json::parse(bytes, SMALL).ok()?;
    let owner = u32::try_from(json.get("owner")?.as_u64()?).ok()?;
    Some((owner, unhex(json.get("payload")?.as_str()?)?))
}

/// Limits of a trustee message.
const TRUSTEE_MESSAGE: Limits = Limits { max_bytes: MAX_TRUSTEE_MESSAGE_BYTES, max_depth: 8 };

/// Parse a message that must be canonical JSON (stored as sent, and rebuilt from its parts into the trustees
/// object, so only one spelling of it is accepted).
fn canonical(bytes: &[u8], what: &str) -> Result<Json, BoardError> {
    let json = json::parse(bytes, TRUSTEE_MESSAGE)?;
    if json.to_bytes() != bytes {
        return Err(BoardError::other(format!("the {what} is not canonical JSON (compact, keys in Belenios' order)")));
    }
    Ok(json)
}

fn certificates(certificates: &[Vec<u8>]) -> Result<Vec<SignedMsg>, BoardError> {
    certificates.iter().map(|c| Ok(SignedMsg::from_json(&canonical(c, "certificate")?)?)).collect()
}

fn polynomials(polynomials: &[Vec<u8>]) -> Result<Vec<PolynomialMsg>, BoardError> {
    polynomials.iter().map(|p| Ok(PolynomialMsg::from_json(&canonical(p, "polynomial")?)?)).collect()
}

/// Check trustee `j`'s certificate (step 1): a signed message announcing its verification and encryption keys,
/// signed by the former.
pub fn check_certificate(message: &[u8], j: u32) -> Result<(), BoardError> {
    let certificate = SignedMsg::from_json(&canonical(message, "certificate")?)?;
    trustee::verify_cert(&certificate, j as usize)?;
    Ok(())
}

/// Check trustee `j`'s polynomial (step 3): its coefficient commitments signed with the key of its certificate,
/// `threshold` of them, and one encrypted share for each trustee. The shares are checked by their recipients.
pub fn check_polynomial(
    message: &[u8],
    all_certificates: &[Vec<u8>],
    j: u32,
    threshold: u32,
) -> Result<(), BoardError> {
    let certs = certificates(all_certificates)?;
    let keys = trustee::verify_certs(&certs)?;
    let polynomial = PolynomialMsg::from_json(&canonical(message, "polynomial")?)?;
    trustee::verify_polynomial(&polynomial, &keys, j as usize, threshold as usize)?;
    Ok(())
}

/// Check trustee `j`'s verification key (step 5): the proof of its key share, and that the share is the one
/// every trustee's commitments give for `j`.
pub fn check_verification_key(
    message: &[u8],
    j: u32,
    all_certificates: &[Vec<u8>],
    all_polynomials: &[Vec<u8>],
) -> Result<(), BoardError> {
    let certs = certificates(all_certificates)?;
    let keys = trustee::verify_certs(&certs)?;
    let polys = polynomials(all_polynomials)?;
    let coefexps = polys
        .iter()
        .zip(&keys)
        .enumerate()
        .map(|(i, (p, k))| trustee::verify_coefexps(&p.coefexps, k, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let voutput = Voutput::from_json(&canonical(message, "verification key")?)?;
    trustee::verify_voutput(&voutput, &coefexps, j as usize)?;
    Ok(())
}

/// The trustees object and the election's public key it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteesObject {
    /// The object's exact bytes.
    pub bytes: Vec<u8>,
    /// The election public key, in decimal.
    pub public_key: String,
}

/// The trustees object made from every trustee's messages: one Pedersen item (Belenios' threshold parameters).
pub fn trustees_object(
    all_certificates: &[Vec<u8>],
    all_polynomials: &[Vec<u8>],
    keys: &[Vec<u8>],
    threshold: u32,
) -> Result<TrusteesObject, BoardError> {
    let certs = certificates(all_certificates)?;
    let polys = polynomials(all_polynomials)?;
    let voutputs = keys
        .iter()
        .map(|k| Ok(Voutput::from_json(&canonical(k, "verification key")?)?))
        .collect::<Result<Vec<_>, BoardError>>()?;
    let parameters = ThresholdParameters::assemble(&certs, &polys, &voutputs)?;
    if parameters.threshold != threshold as usize {
        return Err(BoardError::other(format!(
            "the trustees' polynomials have {} coefficients, the election's threshold is {threshold}",
            parameters.threshold
        )));
    }
    let trustees = Trustees::new(vec![TrusteeItem::Pedersen(parameters)])?;
    Ok(TrusteesObject { bytes: trustees.to_bytes(), public_key: trustees.public_key.to_decimal() })
}

/// What trustee `j` needs for step 5 (Belenios' `vinput`): its own polynomial, the share each trustee encrypted
/// to it, and every trustee's signed commitments.
pub fn trustee_input(all_polynomials: &[Vec<u8>], j: u32) -> Result<Vec<u8>, BoardError> {
    let polys = polynomials(all_polynomials)?;
    let inputs = trustee::route_vinputs(&polys)?;
    let input = inputs.get((j as usize).wrapping_sub(1)).ok_or_else(|| BoardError::other(format!("no trustee {j}")))?;
    Ok(input.to_json().to_bytes())
}

/// Check trustee `j`'s partial decryption of the tally against its verification key (its step-5 message).
pub fn check_partial_decryption(
    election: &[u8],
    tally_bytes: &[u8],
    key: &[u8],
    decryption: &[u8],
    j: u32,
) -> Result<(), BoardError> {
    let partial = PartialDecryption::from_bytes(decryption)?;
    if partial.to_bytes() != decryption {
        return Err(BoardError::other("the partial decryption is not canonical JSON"));
    }
    let tally = EncryptedTally::parse_questions(tally_bytes)?;
    let public = Voutput::from_json(&canonical(key, "verification key")?)?.public_key.public_key;
    partial.verify(&tally, &public, parsed_election(election).fingerprint(), j as usize)?;
    Ok(())
}

/// The result object from the partial decryptions `(trustee, bytes)`: combined, then each slot's count found as
/// the discrete logarithm of `beta / factor`, at most `total_weight`.
pub fn result_object(
    election: &[u8],
    tally_bytes: &[u8],
    trustees_bytes: &[u8],
    shares: &[(u32, Vec<u8>)],
    total_weight: u64,
) -> Result<Vec<u8>, BoardError> {
    let trustees = Trustees::from_bytes(trustees_bytes)?;
    let tally = EncryptedTally::parse_questions(tally_bytes)?;
    let partials = shares
        .iter()
        .map(|(j, bytes)| Ok((*j as usize, PartialDecryption::from_bytes(bytes)?)))
        .collect::<Result<Vec<_>, BoardError>>()?;
    let factors = tally::combine(&trustees, &tally, &partials, parsed_election(election).fingerprint())?;
    let counts = tally::decrypt_counts(&tally, &factors, total_weight)?;
    Ok(tally::result_bytes(&counts))
}

/// The objects an event names, each with its SHA-256, in the order the archive writes them before the event: the
/// objects its payload names (the set-up's election, trustees and credentials; the encrypted tally; an owned
/// partial decryption's decryption), then the payload itself. An event without a payload (`EndBallots`) names
/// none. `object` finds a stored object by hash; a client holding these objects and the events can write the
/// archive with [`archive`].
pub fn event_objects(
    event: &[u8],
    object: impl Fn(&Hash) -> Option<Vec<u8>>,
) -> Result<Vec<(Hash, Vec<u8>)>, BoardError> {
    let missing = |what: &str| BoardError::other(format!("the board's {what} is not stored"));
    let (kind, payload_hash) = event_kind_and_payload(event).ok_or_else(|| missing("event"))?;
    let Some(payload_hash) = payload_hash else { return Ok(Vec::new()) };
    let payload = object(&payload_hash).ok_or_else(|| missing("payload"))?;
    let named_by = |keys: &[&str]| -> Result<Vec<Hash>, BoardError> {
        let json = json::parse(&payload, SMALL)?;
        keys.iter()
            .map(|key| json.get(key).and_then(Json::as_str).and_then(unhex).ok_or_else(|| missing(key)))
            .collect()
    };
    let named = match kind {
        EventType::Setup => named_by(&["election", "trustees", "credentials"])?,
        EventType::EncryptedTally => named_by(&["encrypted_tally"])?,
        EventType::PartialDecryption => {
            vec![owned_partial_decryption(&payload).ok_or_else(|| missing("partial decryption"))?.1]
        }
        EventType::Ballot | EventType::EndBallots | EventType::Result => Vec::new(),
    };
    let mut objects = named
        .into_iter()
        .map(|hash| Ok((hash, object(&hash).ok_or_else(|| missing("object an event names"))?)))
        .collect::<Result<Vec<_>, BoardError>>()?;
    objects.push((payload_hash, payload));
    Ok(objects)
}

/// The archive of a board: the `.bel` file of its events, from the first to the last, with the objects each
/// refers to (`object` finds them by hash). The writer derives each event again from its parent and payload;
/// the result must be the events stored, which the caller's comparison of heads confirms.
pub fn archive(
    timestamp: u64,
    events: &[Vec<u8>],
    object: impl Fn(&Hash) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, BoardError> {
    let mut writer = ArchiveWriter::new(timestamp)?;
    let missing = |what: &str| BoardError::other(format!("the board's {what} is not stored"));
    for event in events {
        let (kind, payload) = event_kind_and_payload(event).ok_or_else(|| missing("event"))?;
        let payload = match payload {
            Some(hash) => Some(object(&hash).ok_or_else(|| missing("payload"))?),
            None => None,
        };
        let fields = |bytes: &[u8]| json::parse(bytes, SMALL).map_err(BoardError::from);
        let referenced = |json: &Json, key: &str| -> Result<Vec<u8>, BoardError> {
            let hash = json.get(key).and_then(Json::as_str).and_then(unhex).ok_or_else(|| missing(key))?;
            object(&hash).ok_or_else(|| missing(key))
        };
        let body = match (kind, payload) {
            (EventType::Setup, Some(p)) => {
                let json = fields(&p)?;
                EventBody::Setup {
                    election: referenced(&json, "election")?,
                    trustees: referenced(&json, "trustees")?,
                    credentials: referenced(&json, "credentials")?,
                }
            }
            (EventType::Ballot, Some(p)) => EventBody::Ballot(p),
            (EventType::EndBallots, None) => EventBody::EndBallots,
            (EventType::EncryptedTally, Some(p)) => {
                let json = fields(&p)?;
                let count = |key: &str| -> Result<u64, BoardError> {
                    match json.get(key) {
                        Some(Json::Int(n)) => Ok(*n),
                        Some(Json::Str(s)) => s.parse().map_err(|_| missing(key)),
                        _ => Err(missing(key)),
                    }
                };
                EventBody::EncryptedTally {
                    encrypted_tally: referenced(&json, "encrypted_tally")?,
                    num_tallied: count("num_tallied")?,
                    total_weight: count("total_weight")?,
                }
            }
            (EventType::PartialDecryption, Some(p)) => {
                let (owner, hash) = owned_partial_decryption(&p).ok_or_else(|| missing("partial decryption"))?;
                EventBody::PartialDecryption {
                    owner,
                    partial_decryption: object(&hash).ok_or_else(|| missing("partial decryption"))?,
                }
            }
            (EventType::Result, Some(p)) => EventBody::Result(p),
            _ => return Err(missing("event's payload")),
        };
        let hash = writer.append(&body)?;
        if hash != sha256(event) {
            return Err(BoardError::other("an event written again differs from the one stored"));
        }
    }
    Ok(writer.into_bytes())
}

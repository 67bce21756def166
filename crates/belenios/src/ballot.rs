//! Ballots: building one for a voter, and verifying one as belenios-tool does.
//!
//! # Format (keys in this order; the bytes must be exactly this canonical JSON)
//!
//! ```text
//! {"election_uuid":uuid,"election_hash":φ,"credential":"dec(C)",
//!  "answers":[{"choices":[{"alpha":"dec","beta":"dec"},…],
//!              "individual_proofs":[[proof,proof],…],
//!              "overall_proof":[proof,…],
//!              ?"blank_proof":[proof,proof]},…],
//!  "signature":{"hash":H,"proof":proof}}
//! proof = {"challenge":"dec","response":"dec"}
//! ```
//!
//! # Encryption
//!
//! Each slot m ∈ {0, 1} is encrypted with its own random r: `α = g^r`, `β = y^r·g^m`. With blank allowed, slot 0
//! is the blank flag and slots 1..=n the answers: a blank vote is `[1, 0, …, 0]`; otherwise slot 0 is 0 and
//! `min ≤ Σ m_j ≤ max`.
//!
//! # Proofs (see [`crate::proof`] for the disjunctive proof; `S0 = φ ‖ "|" ‖ dec(C)`,
//! `S = S0 ‖ "|" ‖ dec(α_1) ‖ "," ‖ dec(β_1) ‖ "," ‖ … ‖ dec(β_L)` over all L slots of the question)
//!
//! * individual proof of each slot (α, β): prefix `"prove|" ‖ S0 ‖ "|" ‖ dec(α) ‖ "," ‖ dec(β) ‖ "|"`, branches
//!   M = 0, 1 on (α, β).
//! * no blank: overall proof on the product (α_Σ, β_Σ) of all slots: prefix
//!   `"prove|" ‖ S ‖ "|" ‖ dec(α_Σ) ‖ "," ‖ dec(β_Σ) ‖ "|"`, branches M = min, …, max (max − min + 1 proofs).
//! * blank allowed, with (α_0, β_0) the blank slot and (α_Σ, β_Σ) the product of slots 1..=n:
//!   `blank_proof`: prefix `"bproof0|" ‖ S ‖ "|"`, branches [(α_0, β_0) encrypts 0, (α_Σ, β_Σ) encrypts 0];
//!   `overall_proof`: prefix `"bproof1|" ‖ S ‖ "|"`, branches [(α_0, β_0) encrypts 1, then (α_Σ, β_Σ) encrypts
//!   M for M = min, …, max] (max − min + 2 proofs).
//!
//! # Signature and tracker
//!
//! `signature.hash` = b64(SHA256(the canonical ballot without its `"signature"` key)); the proof is the Schnorr
//! signature by the credential secret ([`crate::proof`]). The ballot's tracker is SHA256 of its bytes (the hex
//! form names it in the archive; belenios-tool prints the b64 form).
//!
//! # What verification checks, in order
//!
//! The JSON parses within [`BALLOT_LIMITS`] with the ballot's shape, every number is canonical and in range
//! (elements below p, challenges and responses below q), the bytes are the canonical serialisation, the uuid and
//! the fingerprint are the election's, there is one answer per question with the right number of choices and
//! proofs, the signature hash and the signature verify with a credential that is a group member, every α and β
//! is a group member, and every proof verifies. **It does not check that the credential is on the electoral roll
//! (nor its weight, nor revoting)**: the caller looks [`VerifiedBallot::credential`] up in its list.

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::arith::{ct_eq_mask, Fe, Scalar};
use crate::credential::{PrivateCredential, Uuid};
use crate::election::{b64, sha256_b64, Election, Question, MAX_ANSWERS, MAX_QUESTIONS};
use crate::error::BeleniosError;
use crate::group::{g, g_table, Elem, Powers};
use crate::json::{malformed, parse, Fields, Json, Limits};
use crate::proof::{self, Proof, ProverBranch, VerifierBranch};

/// Largest ballot, in bytes: one of [`MAX_QUESTIONS`] questions of [`MAX_ANSWERS`] answers and a blank slot
/// takes about 2.7 MB (1.6 KB per slot).
pub const MAX_BALLOT_BYTES: usize = 4 << 20;
/// The JSON limits of a ballot.
pub const BALLOT_LIMITS: Limits = Limits { max_bytes: MAX_BALLOT_BYTES, max_depth: 8 };

const _: () = assert!(MAX_QUESTIONS * (MAX_ANSWERS + 1) * 1700 + 64 * 1024 <= MAX_BALLOT_BYTES);

/// An ElGamal ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ciphertext {
    /// `g^r`.
    pub alpha: Elem,
    /// `y^r·g^m`.
    pub beta: Elem,
}

impl Ciphertext {
    /// `{"alpha":"dec","beta":"dec"}`.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("alpha".into(), Json::Str(self.alpha.to_decimal())),
            ("beta".into(), Json::Str(self.beta.to_decimal())),
        ])
    }

    /// The componentwise product.
    pub fn mul(&self, other: &Ciphertext) -> Ciphertext {
        Ciphertext { alpha: self.alpha.mul(&other.alpha), beta: self.beta.mul(&other.beta) }
    }
}

/// One question's answer in a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    choices: Vec<Choice>,
    individual_proofs: Vec<Vec<Proof>>,
    overall_proof: Vec<Proof>,
    blank_proof: Option<Vec<Proof>>,
}

/// A ciphertext with the decimal forms of its numbers, which the hashes and the JSON use several times each.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Choice {
    ct: Ciphertext,
    alpha: String,
    beta: String,
}

impl Choice {
    fn new(ct: Ciphertext) -> Choice {
        Choice { alpha: ct.alpha.to_decimal(), beta: ct.beta.to_decimal(), ct }
    }

    fn to_json(&self) -> Json {
        Json::Object(vec![("alpha".into(), Json::str(&self.alpha)), ("beta".into(), Json::str(&self.beta))])
    }
}

fn proofs_json(proofs: &[Proof]) -> Json {
    Json::Array(proofs.iter().map(Proof::to_json).collect())
}

impl Answer {
    fn to_json(&self) -> Json {
        let mut fields = vec![
            ("choices".to_string(), Json::Array(self.choices.iter().map(Choice::to_json).collect())),
            ("individual_proofs".into(), Json::Array(self.individual_proofs.iter().map(|p| proofs_json(p)).collect())),
            ("overall_proof".into(), proofs_json(&self.overall_proof)),
        ];
        if let Some(b) = &self.blank_proof {
            fields.push(("blank_proof".into(), proofs_json(b)));
        }
        Json::Object(fields)
    }
}

/// A parsed ballot (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ballot {
    election_uuid: String,
    election_hash: String,
    credential: Elem,
    credential_text: String,
    answers: Vec<Answer>,
    signature: Option<(String, Proof)>,
}

impl Ballot {
    fn to_json(&self, with_signature: bool) -> Json {
        let mut fields = vec![
            ("election_uuid".to_string(), Json::str(&self.election_uuid)),
            ("election_hash".into(), Json::str(&self.election_hash)),
            ("credential".into(), Json::str(&self.credential_text)),
            ("answers".into(), Json::Array(self.answers.iter().map(Answer::to_json).collect())),
        ];
        if let (true, Some((hash, proof))) = (with_signature, &self.signature) {
            fields.push((
                "signature".into(),
                Json::Object(vec![("hash".into(), Json::str(hash)), ("proof".into(), proof.to_json())]),
            ));
        }
        Json::Object(fields)
    }
}

/// Parses an element, returning its text too (canonical, since nothing else parses).
fn parse_elem(json: &Json, what: &'static str) -> Result<(Elem, String), BeleniosError> {
    let text = json.as_str().ok_or_else(|| malformed("ballot", &format!("{what} is not a string")))?;
    let x = Elem::from_decimal(text).map_err(|reason| BeleniosError::Number { what, reason })?;
    Ok((x, text.to_string()))
}

fn parse_proof(json: &Json) -> Result<Proof, BeleniosError> {
    let mut f = Fields::new(json, "proof")?;
    let challenge = Scalar::from_decimal(f.string("challenge")?)
        .map_err(|reason| BeleniosError::Number { what: "proof challenge", reason })?;
    let response = Scalar::from_decimal(f.string("response")?)
        .map_err(|reason| BeleniosError::Number { what: "proof response", reason })?;
    f.finish()?;
    Ok(Proof { challenge, response })
}

fn parse_proofs(json: &Json, what: &'static str) -> Result<Vec<Proof>, BeleniosError> {
    let items = json.as_array().ok_or_else(|| malformed("ballot", &format!("{what} is not an array")))?;
    items.iter().map(parse_proof).collect()
}

fn parse_answer(json: &Json) -> Result<Answer, BeleniosError> {
    let mut f = Fields::new(json, "answer")?;
    let choices = f
        .array("choices")?
        .iter()
        .map(|c| {
            let mut cf = Fields::new(c, "ciphertext")?;
            let (alpha, alpha_text) = parse_elem(cf.required("alpha")?, "ciphertext alpha")?;
            let (beta, beta_text) = parse_elem(cf.required("beta")?, "ciphertext beta")?;
            cf.finish()?;
            Ok(Choice { ct: Ciphertext { alpha, beta }, alpha: alpha_text, beta: beta_text })
        })
        .collect::<Result<Vec<_>, BeleniosError>>()?;
    let individual_proofs = f
        .array("individual_proofs")?
        .iter()
        .map(|p| parse_proofs(p, "individual proof"))
        .collect::<Result<Vec<_>, _>>()?;
    let overall_proof = parse_proofs(f.required("overall_proof")?, "overall proof")?;
    let blank_proof = f.optional("blank_proof").map(|p| parse_proofs(p, "blank proof")).transpose()?;
    f.finish()?;
    Ok(Answer { choices, individual_proofs, overall_proof, blank_proof })
}

fn parse_ballot(json: &Json) -> Result<Ballot, BeleniosError> {
    let mut f = Fields::new(json, "ballot")?;
    let election_uuid = f.string("election_uuid")?.to_string();
    let election_hash = f.string("election_hash")?.to_string();
    let (credential, credential_text) = parse_elem(f.required("credential")?, "ballot credential")?;
    let answers = f.array("answers")?.iter().map(parse_answer).collect::<Result<Vec<_>, _>>()?;
    let mut sf = Fields::new(f.required("signature")?, "signature")?;
    let hash = sf.string("hash")?.to_string();
    let proof = parse_proof(sf.required("proof")?)?;
    sf.finish()?;
    f.finish()?;
    Ok(Ballot { election_uuid, election_hash, credential, credential_text, answers, signature: Some((hash, proof)) })
}

/// What a verified ballot tells its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBallot {
    /// The public credential that signed it; the caller checks it is on the roll and finds its weight.
    pub credential: Elem,
    /// The ciphertexts, one list per question (with the blank slot first when blank is allowed), for the tally.
    pub ciphertexts: Vec<Vec<Ciphertext>>,
    /// SHA256 of the ballot's bytes.
    pub tracker: [u8; 32],
}

impl VerifiedBallot {
    /// The credential in decimal, as the public credential list writes it.
    pub fn credential_decimal(&self) -> String {
        self.credential.to_decimal()
    }

    /// The tracker in hex: the ballot's name in the archive.
    pub fn tracker_hex(&self) -> String {
        self.tracker.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The tracker in b64, as belenios-tool shows it to voters.
    pub fn tracker_b64(&self) -> String {
        b64(&self.tracker)
    }
}

/// The statement string S0 of a ballot.
fn s0(election: &Election, credential: &str) -> String {
    format!("{}|{credential}", election.fingerprint())
}

/// The statement string S of one answer.
fn s_of(s0: &str, choices: &[Choice]) -> String {
    let mut s = String::with_capacity(s0.len() + choices.len() * 1240);
    s.push_str(s0);
    s.push('|');
    for (i, c) in choices.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&c.alpha);
        s.push(',');
        s.push_str(&c.beta);
    }
    s
}

fn individual_prefix(s0: &str, c: &Choice) -> String {
    format!("prove|{s0}|{},{}|", c.alpha, c.beta)
}

fn check_choices(question: &Question, index: usize, choices: &[u32]) -> Result<(), BeleniosError> {
    let err = |detail: String| BeleniosError::Choices { question: index, detail };
    if choices.len() != question.slots() {
        return Err(err(format!(
            "{} values given, {} expected (one 0/1 per answer{})",
            choices.len(),
            question.slots(),
            if question.blank_allowed() { ", after the blank flag" } else { "" }
        )));
    }
    if let Some(at) = choices.iter().position(|&c| c > 1) {
        return Err(err(format!("value {at} is {}, not 0 or 1", choices[at])));
    }
    let (blank, answers) = if question.blank_allowed() { (choices[0], &choices[1..]) } else { (0, choices) };
    let selected: u32 = answers.iter().sum();
    if blank == 1 {
        if selected != 0 {
            return Err(err("a blank vote selects no answer".into()));
        }
    } else if selected < question.min || selected > question.max {
        return Err(err(format!(
            "{selected} answers selected, between {} and {} are allowed",
            question.min, question.max
        )));
    }
    Ok(())
}

/// Builds a ballot: `choices` has one list per question, one 0/1 per slot (with blank allowed, the blank flag
/// first, as belenios-tool's choice files). Returns the canonical bytes.
pub fn build_ballot<R: RngCore + CryptoRng>(
    election: &Election,
    credential: &PrivateCredential,
    choices: &[Vec<u32>],
    rng: &mut R,
) -> Result<Vec<u8>, BeleniosError> {
    let questions = election.questions();
    if choices.len() != questions.len() {
        return Err(BeleniosError::Choices {
            question: choices.len().min(questions.len()),
            detail: format!("{} answers given, the election has {} questions", choices.len(), questions.len()),
        });
    }
    for (i, (q, c)) in questions.iter().zip(choices).enumerate() {
        check_choices(q, i, c)?;
    }
    Ok(build(election, credential, choices, rng))
}

/// Builds a ballot without checking that the choices are allowed (only their number per question): a value
/// other than 0 or 1, or a count outside min..max, gives proofs that do not verify. This exists to test
/// verifiers with dishonest ballots; voters use [`build_ballot`].
pub fn build_ballot_unchecked<R: RngCore + CryptoRng>(
    election: &Election,
    credential: &PrivateCredential,
    choices: &[Vec<u32>],
    rng: &mut R,
) -> Result<Vec<u8>, BeleniosError> {
    let questions = election.questions();
    for (i, (q, c)) in questions.iter().zip(choices).enumerate() {
        if c.len() != q.slots() {
            return Err(BeleniosError::Choices {
                question: i,
                detail: format!("{} values, {} expected", c.len(), q.slots()),
            });
        }
    }
    if choices.len() != questions.len() {
        return Err(BeleniosError::Choices { question: 0, detail: "one list of choices per question".into() });
    }
    Ok(build(election, credential, choices, rng))
}

/// Signs the content of `ballot` (its `signature`, if any, is replaced) with `credential`, returning the
/// canonical bytes. Honest ballots come signed from [`build_ballot`]; this serves tests that change a ballot's
/// content and must still get past the signature to the check they aim at.
pub fn sign_ballot<R: RngCore + CryptoRng>(
    election: &Election,
    credential: &PrivateCredential,
    ballot: &Json,
    rng: &mut R,
) -> Result<Vec<u8>, BeleniosError> {
    let mut fields: Vec<(String, Json)> =
        ballot.as_object().ok_or_else(|| malformed("ballot", "not a JSON object"))?.to_vec();
    fields.retain(|(k, _)| k != "signature");
    let hash = sha256_b64(&Json::Object(fields.clone()).to_bytes());
    let secret = credential.secret(election.uuid());
    let proof = proof::sign(&hash, &secret, rng);
    fields.push((
        "signature".into(),
        Json::Object(vec![("hash".into(), Json::Str(hash)), ("proof".into(), proof.to_json())]),
    ));
    Ok(Json::Object(fields).to_bytes())
}

/// Builds a ballot from choices of the right shape (checked by the callers).
fn build<R: RngCore + CryptoRng>(
    election: &Election,
    credential: &PrivateCredential,
    choices: &[Vec<u32>],
    rng: &mut R,
) -> Vec<u8> {
    let questions = election.questions();
    let secret = credential.secret(election.uuid());
    let cred = g_table().pow_secret(&secret);
    let y = election.y_table();
    let gt = g_table();
    let cred_text = cred.to_decimal();
    let s0 = s0(election, &cred_text);
    let mut answers = Vec::with_capacity(questions.len());
    for (q, values) in questions.iter().zip(choices) {
        let mut rs: Vec<Scalar> = Vec::with_capacity(values.len());
        let mut cts = Vec::with_capacity(values.len());
        for &m in values {
            let r = Scalar::random(rng);
            let alpha = gt.pow_secret(&r);
            // g^m for m in {0, 1} by a masked choice; other values only come from build_ballot_unchecked.
            let g_m = if m <= 1 {
                Elem(Fe::select(ct_eq_mask(u64::from(m), 1), &g().0, &Fe::ONE))
            } else {
                g().pow(&Scalar::from_u64(u64::from(m)))
            };
            let beta = y.pow_secret(&r).mul(&g_m);
            rs.push(r);
            cts.push(Choice::new(Ciphertext { alpha, beta }));
        }
        let mut individual_proofs = Vec::with_capacity(values.len());
        for ((c, r), &m) in cts.iter().zip(&rs).zip(values) {
            let m_s = Scalar::from_u64(u64::from(m));
            let mut branches = [
                ProverBranch { rho: *r, m: m_s, claim: Scalar::ZERO },
                ProverBranch { rho: *r, m: m_s, claim: Scalar::ONE },
            ];
            individual_proofs.push(proof::prove(&individual_prefix(&s0, c), &branches, m as usize, y, rng));
            branches.iter_mut().for_each(Zeroize::zeroize);
        }
        let s = s_of(&s0, &cts);
        let first = usize::from(q.blank_allowed());
        let sum_ct = cts[first..].iter().fold(Ciphertext { alpha: Elem::ONE, beta: Elem::ONE }, |a, c| a.mul(&c.ct));
        let mut sum_r = rs[first..].iter().fold(Scalar::ZERO, |a, r| a.add(r));
        let sum_m: u32 = values[first..].iter().sum();
        let sum_m_s = Scalar::from_u64(u64::from(sum_m));
        let (overall_proof, blank_proof) = if !q.blank_allowed() {
            let prefix = format!("prove|{s}|{},{}|", sum_ct.alpha.to_decimal(), sum_ct.beta.to_decimal());
            let mut branches: Vec<ProverBranch> = (q.min..=q.max)
                .map(|claim| ProverBranch { rho: sum_r, m: sum_m_s, claim: Scalar::from_u64(u64::from(claim)) })
                .collect();
            let overall = proof::prove(&prefix, &branches, sum_m.wrapping_sub(q.min) as usize, y, rng);
            branches.iter_mut().for_each(Zeroize::zeroize);
            (overall, None)
        } else {
            let m0 = values[0];
            let m0_s = Scalar::from_u64(u64::from(m0));
            let mut blank_branches = [
                ProverBranch { rho: rs[0], m: m0_s, claim: Scalar::ZERO },
                ProverBranch { rho: sum_r, m: sum_m_s, claim: Scalar::ZERO },
            ];
            // Blank (m0 = 1) proves that the answers are all zero; otherwise that the blank flag is zero.
            let blank_real = m0 as usize;
            let blank_proof = proof::prove(&format!("bproof0|{s}|"), &blank_branches, blank_real, y, rng);
            blank_branches.iter_mut().for_each(Zeroize::zeroize);
            let mut branches = vec![ProverBranch { rho: rs[0], m: m0_s, claim: Scalar::ONE }];
            branches.extend((q.min..=q.max).map(|claim| ProverBranch {
                rho: sum_r,
                m: sum_m_s,
                claim: Scalar::from_u64(u64::from(claim)),
            }));
            // Branch 0 for a blank vote, else the count's branch; chosen with a mask, not a branch on the vote.
            let count_branch = u64::from(sum_m.wrapping_sub(q.min)).wrapping_add(1);
            let real = (!ct_eq_mask(u64::from(m0), 1) & count_branch) as usize;
            let overall = proof::prove(&format!("bproof1|{s}|"), &branches, real, y, rng);
            branches.iter_mut().for_each(Zeroize::zeroize);
            (overall, Some(blank_proof))
        };
        sum_r.zeroize();
        rs.iter_mut().for_each(Zeroize::zeroize);
        answers.push(Answer { choices: cts, individual_proofs, overall_proof, blank_proof });
    }
    let mut ballot = Ballot {
        election_uuid: election.uuid().as_str().to_string(),
        election_hash: election.fingerprint().to_string(),
        credential: cred,
        credential_text: cred_text,
        answers,
        signature: None,
    };
    let hash = sha256_b64(&ballot.to_json(false).to_bytes());
    let signature = proof::sign(&hash, &secret, rng);
    ballot.signature = Some((hash, signature));
    ballot.to_json(true).to_bytes()
}

/// Verifies a ballot for `election` (everything but the electoral roll; see the module docs).
pub fn verify_ballot(election: &Election, bytes: &[u8]) -> Result<VerifiedBallot, BeleniosError> {
    let json = parse(bytes, BALLOT_LIMITS)?;
    let ballot = parse_ballot(&json)?;
    if ballot.to_json(true).to_bytes() != bytes {
        return Err(BeleniosError::BallotNotCanonical);
    }
    Uuid::parse(&ballot.election_uuid)?;
    if ballot.election_uuid != election.uuid().as_str() {
        return Err(BeleniosError::WrongElectionUuid {
            expected: election.uuid().to_string(),
            found: ballot.election_uuid.clone(),
        });
    }
    if ballot.election_hash != election.fingerprint() {
        return Err(BeleniosError::WrongElectionHash {
            expected: election.fingerprint().to_string(),
            found: ballot.election_hash.clone(),
        });
    }
    let questions = election.questions();
    if ballot.answers.len() != questions.len() {
        return Err(BeleniosError::AnswerCount { expected: questions.len(), found: ballot.answers.len() });
    }
    for (i, (q, a)) in questions.iter().zip(&ballot.answers).enumerate() {
        let err = |detail: String| BeleniosError::AnswerShape { question: i, detail };
        if a.choices.len() != q.slots() {
            return Err(err(format!("{} choices, the question needs {}", a.choices.len(), q.slots())));
        }
        if a.individual_proofs.len() != q.slots() || a.individual_proofs.iter().any(|p| p.len() != 2) {
            return Err(err(format!("the individual proofs must be {} pairs", q.slots())));
        }
        let overall = (q.max - q.min + 1) as usize + usize::from(q.blank_allowed());
        if a.overall_proof.len() != overall {
            return Err(err(format!("{} overall proofs, the question needs {overall}", a.overall_proof.len())));
        }
        match (&a.blank_proof, q.blank_allowed()) {
            (Some(b), true) if b.len() == 2 => {}
            (Some(_), true) => return Err(err("the blank proof must be a pair".into())),
            (None, true) => return Err(err("the blank proof is missing (blank votes are allowed)".into())),
            (Some(_), false) => return Err(err("a blank proof is given but blank votes are not allowed".into())),
            (None, false) => {}
        }
    }
    let (hash, signature) = ballot.signature.as_ref().expect("parsed ballots have a signature");
    let expected = sha256_b64(&ballot.to_json(false).to_bytes());
    if *hash != expected {
        return Err(BeleniosError::SignatureHash { expected, found: hash.clone() });
    }
    let credential = Powers::new(&ballot.credential);
    if !credential.base_is_member() {
        return Err(BeleniosError::NotInGroup { what: "ballot credential" });
    }
    if !proof::verify_signature(hash, &credential, signature) {
        return Err(BeleniosError::Signature);
    }
    let y = election.y_wide();
    let s0 = s0(election, &ballot.credential_text);
    for (qi, (q, a)) in questions.iter().zip(&ballot.answers).enumerate() {
        let mut powers = Vec::with_capacity(a.choices.len());
        for (ci, (c, proofs)) in a.choices.iter().zip(&a.individual_proofs).enumerate() {
            let pa = Powers::new(&c.ct.alpha);
            if !pa.base_is_member() {
                return Err(BeleniosError::NotInGroup { what: "ciphertext alpha" });
            }
            let pb = Powers::new(&c.ct.beta);
            if !pb.base_is_member() {
                return Err(BeleniosError::NotInGroup { what: "ciphertext beta" });
            }
            let branches = [VerifierBranch { a: &pa, b: &pb, claim: 0 }, VerifierBranch { a: &pa, b: &pb, claim: 1 }];
            if !proof::verify(&individual_prefix(&s0, c), &branches, proofs, y) {
                return Err(BeleniosError::IndividualProof { question: qi, choice: ci });
            }
            powers.push((pa, pb));
        }
        let s = s_of(&s0, &a.choices);
        let first = usize::from(q.blank_allowed());
        let sum = a.choices[first..].iter().fold(Ciphertext { alpha: Elem::ONE, beta: Elem::ONE }, |x, c| x.mul(&c.ct));
        let (sa, sb) = (Powers::new(&sum.alpha), Powers::new(&sum.beta));
        let sum_branches = (q.min..=q.max).map(|claim| VerifierBranch { a: &sa, b: &sb, claim: u64::from(claim) });
        if !q.blank_allowed() {
            let prefix = format!("prove|{s}|{},{}|", sum.alpha.to_decimal(), sum.beta.to_decimal());
            let branches: Vec<VerifierBranch<'_>> = sum_branches.collect();
            if !proof::verify(&prefix, &branches, &a.overall_proof, y) {
                return Err(BeleniosError::OverallProof { question: qi });
            }
        } else {
            let (p0a, p0b) = &powers[0];
            let blank_branches =
                [VerifierBranch { a: p0a, b: p0b, claim: 0 }, VerifierBranch { a: &sa, b: &sb, claim: 0 }];
            let blank_proof = a.blank_proof.as_ref().expect("shape checked");
            if !proof::verify(&format!("bproof0|{s}|"), &blank_branches, blank_proof, y) {
                return Err(BeleniosError::BlankProof { question: qi });
            }
            let mut branches = vec![VerifierBranch { a: p0a, b: p0b, claim: 1 }];
            branches.extend(sum_branches);
            if !proof::verify(&format!("bproof1|{s}|"), &branches, &a.overall_proof, y) {
                return Err(BeleniosError::OverallProof { question: qi });
            }
        }
    }
    Ok(VerifiedBallot {
        credential: ballot.credential,
        ciphertexts: ballot.answers.into_iter().map(|a| a.choices.into_iter().map(|c| c.ct).collect()).collect(),
        tracker: Sha256::digest(bytes).into(),
    })
}

//! The election object, kept with its exact bytes, and its fingerprint.
//!
//! # Format (keys in this order; `?` marks an optional key, left out when absent)
//!
//! ```text
//! {"version":1,"description":string,"name":string,"group":"BELENIOS-2048","public_key":"dec(y)",
//!  "questions":[question,…],"uuid":uuid,?"administrator":string,?"credential_authority":string}
//! question = {"answers":[string,…],?"blank":bool,"min":int,"max":int,"question":string}
//! ```
//!
//! Only homomorphic questions are supported (a question with a `type` key is refused), with
//! `0 ≤ min ≤ max ≤ len(answers)`. With `"blank":true` every answer gets a leading blank slot. `y` is the
//! election public key and must be a group member.
//!
//! # Fingerprint
//!
//! `φ = b64(SHA256(election bytes))`, standard base64 without `=` padding (43 characters), over the bytes exactly
//! as stored in the archive, never a re-serialisation: [`Election::parse`] keeps the bytes it was given, and
//! [`Election::build`] writes the canonical bytes (without the trailing newline belenios-tool's file has).
//! Ballots carry φ as `election_hash`, and it opens every proof's hash input.
//!
//! # Limits
//!
//! [`MAX_ELECTION_BYTES`], [`MAX_QUESTIONS`], [`MAX_ANSWERS`] per question and [`MAX_TEXT_BYTES`] for every string
//! bound what is parsed or built; they also bound a ballot's size and the work to verify it.

use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::credential::Uuid;
use crate::error::BeleniosError;
use crate::group::{Elem, FixedBase, WideBase, GROUP_NAME};
use crate::json::{parse, Fields, Json, Limits};

/// Largest election object, in bytes.
pub const MAX_ELECTION_BYTES: usize = 1 << 20;
/// Most questions in an election.
pub const MAX_QUESTIONS: usize = 32;
/// Most answers in one question.
pub const MAX_ANSWERS: usize = 50;
/// Longest string (name, description, question, answer, administrator, credential authority), in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

const _: () = assert!(MAX_QUESTIONS * (MAX_ANSWERS + 1) * MAX_TEXT_BYTES <= 32 * MAX_ELECTION_BYTES);

/// The JSON limits of an election.
pub const ELECTION_LIMITS: Limits = Limits { max_bytes: MAX_ELECTION_BYTES, max_depth: 8 };

/// b64 without padding, as Belenios writes hashes.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// `b64(SHA256(bytes))`: the form of fingerprints, signature hashes and trackers.
pub fn sha256_b64(bytes: &[u8]) -> String {
    b64(&Sha256::digest(bytes))
}

/// A homomorphic question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The question's text.
    pub question: String,
    /// The answers' texts.
    pub answers: Vec<String>,
    /// `blank` as written: `None` when absent, which means the same as `Some(false)`.
    pub blank: Option<bool>,
    /// Fewest answers a non-blank vote selects.
    pub min: u32,
    /// Most answers a vote selects.
    pub max: u32,
}

impl Question {
    /// Whether a blank vote is allowed.
    pub fn blank_allowed(&self) -> bool {
        self.blank == Some(true)
    }

    /// Ciphertexts in an answer: one per answer, plus the blank slot when blank is allowed.
    pub fn slots(&self) -> usize {
        self.answers.len() + usize::from(self.blank_allowed())
    }

    fn to_json(&self) -> Json {
        let mut fields = vec![("answers".to_string(), Json::Array(self.answers.iter().map(Json::str).collect()))];
        if let Some(b) = self.blank {
            fields.push(("blank".into(), Json::Bool(b)));
        }
        fields.push(("min".into(), Json::Int(u64::from(self.min))));
        fields.push(("max".into(), Json::Int(u64::from(self.max))));
        fields.push(("question".into(), Json::str(&self.question)));
        Json::Object(fields)
    }

    fn check(&self, index: usize) -> Result<(), BeleniosError> {
        let err = |detail: String| BeleniosError::Election { detail: format!("question {index}: {detail}") };
        if self.answers.is_empty() || self.answers.len() > MAX_ANSWERS {
            return Err(err(format!("{} answers, 1 to {MAX_ANSWERS} are supported", self.answers.len())));
        }
        if self.min > self.max || self.max as usize > self.answers.len() {
            return Err(err(format!(
                "min {} and max {} must satisfy 0 <= min <= max <= {} (the number of answers)",
                self.min,
                self.max,
                self.answers.len()
            )));
        }
        for text in std::iter::once(&self.question).chain(&self.answers) {
            check_text(text, "a question or answer")?;
        }
        Ok(())
    }
}

fn check_text(text: &str, what: &str) -> Result<(), BeleniosError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(BeleniosError::Election {
            detail: format!("{what} is {} bytes, the limit is {MAX_TEXT_BYTES}", text.len()),
        });
    }
    Ok(())
}

/// What an election is made of, to build one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionSpec {
    /// The description.
    pub description: String,
    /// The name.
    pub name: String,
    /// The election public key y (the trustees' combined key).
    pub public_key: Elem,
    /// The questions.
    pub questions: Vec<Question>,
    /// The uuid.
    pub uuid: Uuid,
    /// The administrator, if named.
    pub administrator: Option<String>,
    /// The credential authority, if named.
    pub credential_authority: Option<String>,
}

impl ElectionSpec {
    fn to_json(&self) -> Json {
        let mut fields = vec![
            ("version".to_string(), Json::Int(1)),
            ("description".into(), Json::str(&self.description)),
            ("name".into(), Json::str(&self.name)),
            ("group".into(), Json::str(GROUP_NAME)),
            ("public_key".into(), Json::Str(self.public_key.to_decimal())),
            ("questions".into(), Json::Array(self.questions.iter().map(Question::to_json).collect())),
            ("uuid".into(), Json::str(self.uuid.as_str())),
        ];
        if let Some(a) = &self.administrator {
            fields.push(("administrator".into(), Json::str(a)));
        }
        if let Some(c) = &self.credential_authority {
            fields.push(("credential_authority".into(), Json::str(c)));
        }
        Json::Object(fields)
    }
}

/// An election: its content, its exact bytes and its fingerprint.
pub struct Election {
    spec: ElectionSpec,
    bytes: Vec<u8>,
    fingerprint: String,
    y_table: OnceLock<FixedBase>,
    y_wide: OnceLock<WideBase>,
}

impl std::fmt::Debug for Election {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Election").field("uuid", &self.spec.uuid).field("fingerprint", &self.fingerprint).finish()
    }
}

impl Election {
    /// Builds the canonical bytes of `spec` (in belenios-tool's key order, no trailing newline).
    pub fn build(spec: ElectionSpec) -> Result<Election, BeleniosError> {
        let bytes = spec.to_json().to_bytes();
        let election = Election::parse(&bytes)?;
        // The bytes must read back as what was asked for (a value that cannot be represented would not).
        assert_eq!(election.spec, spec, "an election reads back as written");
        Ok(election)
    }

    /// Parses and checks an election, keeping its bytes as given.
    pub fn parse(bytes: &[u8]) -> Result<Election, BeleniosError> {
        let json = parse(bytes, ELECTION_LIMITS)?;
        let mut f = Fields::new(&json, "election")?;
        let err = |detail: String| BeleniosError::Election { detail };
        match f.required("version")? {
            Json::Int(1) => {}
            other => {
                return Err(err(format!("version must be 1, found {}", String::from_utf8_lossy(&other.to_bytes()))))
            }
        }
        let description = f.string("description")?.to_string();
        let name = f.string("name")?.to_string();
        let group = f.string("group")?;
        if group != GROUP_NAME {
            return Err(err(format!("group {group:?} is not supported, only {GROUP_NAME:?}")));
        }
        let public_key = Elem::parse_member(f.string("public_key")?, "election public key")?;
        let questions_json = f.array("questions")?;
        if questions_json.is_empty() || questions_json.len() > MAX_QUESTIONS {
            return Err(err(format!("{} questions, 1 to {MAX_QUESTIONS} are supported", questions_json.len())));
        }
        let mut questions = Vec::with_capacity(questions_json.len());
        for (i, q) in questions_json.iter().enumerate() {
            if q.get("type").is_some() {
                return Err(err(format!("question {i} is not homomorphic; only homomorphic questions are supported")));
            }
            let mut qf = Fields::new(q, "question")?;
            let answers = qf
                .array("answers")?
                .iter()
                .map(|a| a.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| err(format!("question {i}: an answer is not a string")))?;
            let blank = match qf.optional("blank") {
                None => None,
                Some(Json::Bool(b)) => Some(*b),
                Some(_) => return Err(err(format!("question {i}: blank is not a boolean"))),
            };
            let mut small = |key: &str| -> Result<u32, BeleniosError> {
                qf.required(key)?
                    .as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| err(format!("question {i}: {key} is not a small integer")))
            };
            let min = small("min")?;
            let max = small("max")?;
            let question = qf.string("question")?.to_string();
            qf.finish()?;
            let q = Question { question, answers, blank, min, max };
            q.check(i)?;
            questions.push(q);
        }
        let uuid = Uuid::parse(f.string("uuid")?)?;
        let mut optional_text = |key: &str| -> Result<Option<String>, BeleniosError> {
            match f.optional(key) {
                None => Ok(None),
                Some(Json::Str(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err(format!("{key} is not a string"))),
            }
        };
        let administrator = optional_text("administrator")?;
        let credential_authority = optional_text("credential_authority")?;
        f.finish()?;
        for text in [&description, &name].into_iter().chain(administrator.iter()).chain(credential_authority.iter()) {
            check_text(text, "a name, description, administrator or credential authority")?;
        }
        let spec = ElectionSpec { description, name, public_key, questions, uuid, administrator, credential_authority };
        Ok(Election {
            spec,
            bytes: bytes.to_vec(),
            fingerprint: sha256_b64(bytes),
            y_table: OnceLock::new(),
            y_wide: OnceLock::new(),
        })
    }

    /// The content.
    pub fn spec(&self) -> &ElectionSpec {
        &self.spec
    }

    /// The uuid.
    pub fn uuid(&self) -> &Uuid {
        &self.spec.uuid
    }

    /// The questions.
    pub fn questions(&self) -> &[Question] {
        &self.spec.questions
    }

    /// The public key y.
    pub fn public_key(&self) -> &Elem {
        &self.spec.public_key
    }

    /// The bytes, exactly as given to [`Election::parse`] or written by [`Election::build`].
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The fingerprint φ: b64 (no padding) of SHA-256 of the bytes.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The fixed-base table of y for secret exponents (building ballots), built on first use (about 3 ms).
    pub fn y_table(&self) -> &FixedBase {
        self.y_table.get_or_init(|| FixedBase::new(&self.spec.public_key))
    }

    /// The wide table of y for public exponents (verifying), built on first use (about 15 ms, 2 MiB).
    pub fn y_wide(&self) -> &WideBase {
        self.y_wide.get_or_init(|| WideBase::new(&self.spec.public_key))
    }
}

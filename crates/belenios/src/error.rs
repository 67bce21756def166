//! The one error type of this crate: each variant names the check that failed and what was wrong.

use crate::arith::DecimalError;

/// Everything that can make an input unacceptable, one variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BeleniosError {
    /// The bytes are not JSON this crate accepts.
    #[error("invalid JSON at byte {offset}: {detail}")]
    Json {
        /// Where parsing stopped.
        offset: usize,
        /// What was wrong.
        detail: String,
    },
    /// An input is larger than its bound.
    #[error("{what} is too large: {actual}, the limit is {limit}")]
    TooLarge {
        /// What was measured.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The measured size.
        actual: usize,
    },
    /// A JSON document does not have the shape of the object it should be.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which object.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A number written as a decimal string is not canonical or out of range.
    #[error("{what} is not a valid number: {reason}")]
    Number {
        /// Which number.
        what: &'static str,
        /// Why.
        reason: DecimalError,
    },
    /// A value that must be a member of the group BELENIOS-2048 is not.
    #[error("{what} is not an element of the group BELENIOS-2048 (x^q mod p is not 1)")]
    NotInGroup {
        /// Which value.
        what: &'static str,
    },
    /// An election uuid is not a base58 token of at least 14 characters.
    #[error("invalid election uuid {uuid:?}: {detail}")]
    Uuid {
        /// The text given.
        uuid: String,
        /// What was wrong.
        detail: &'static str,
    },
    /// A private credential is not `XXX-XXX-XXX-XXX-XXX` with a valid checksum.
    #[error("invalid private credential: {detail}")]
    Credential {
        /// What was wrong.
        detail: String,
    },
    /// An election is not one this crate supports, or its fields are inconsistent.
    #[error("invalid election: {detail}")]
    Election {
        /// What was wrong.
        detail: String,
    },
    /// The choices given to build a ballot do not fit the election's questions.
    #[error("invalid choices for question {question}: {detail}")]
    Choices {
        /// The question (0-based).
        question: usize,
        /// What was wrong.
        detail: String,
    },
    /// The ballot's bytes are not the canonical JSON of the ballot they parse to (spaces, key order, escapes).
    #[error("ballot not in canonical form: its bytes differ from the canonical serialisation of its content")]
    BallotNotCanonical,
    /// The ballot is for another election (uuid).
    #[error("ballot is for election {found:?}, not {expected:?}")]
    WrongElectionUuid {
        /// The election's uuid.
        expected: String,
        /// The ballot's.
        found: String,
    },
    /// The ballot's election fingerprint is not this election's.
    #[error("ballot's election_hash {found:?} is not the election fingerprint {expected:?}")]
    WrongElectionHash {
        /// The election's fingerprint.
        expected: String,
        /// The ballot's.
        found: String,
    },
    /// The ballot has a different number of answers than the election has questions.
    #[error("ballot has {found} answers, the election has {expected} questions")]
    AnswerCount {
        /// Questions in the election.
        expected: usize,
        /// Answers in the ballot.
        found: usize,
    },
    /// An answer's arrays do not have the lengths its question requires.
    #[error("answer {question}: {detail}")]
    AnswerShape {
        /// The question (0-based).
        question: usize,
        /// What was wrong.
        detail: String,
    },
    /// An individual proof (the choice is 0 or 1) does not verify.
    #[error("answer {question}, choice {choice}: the proof that it encrypts 0 or 1 does not verify")]
    IndividualProof {
        /// The question (0-based).
        question: usize,
        /// The choice (0-based; with blank allowed, 0 is the blank flag).
        choice: usize,
    },
    /// The overall proof (the number of choices is within min..max, or blank) does not verify.
    #[error("answer {question}: the overall proof (number of choices between min and max, or blank) does not verify")]
    OverallProof {
        /// The question (0-based).
        question: usize,
    },
    /// The blank proof (blank or a non-blank vote, not both) does not verify.
    #[error("answer {question}: the blank proof (either the blank flag or the choices are zero) does not verify")]
    BlankProof {
        /// The question (0-based).
        question: usize,
    },
    /// The signature's `hash` is not the hash of the ballot without its signature.
    #[error("signature hash {found:?} is not the hash of the ballot without its signature ({expected:?})")]
    SignatureHash {
        /// The hash of the ballot.
        expected: String,
        /// The one in the signature.
        found: String,
    },
    /// The signature proof by the credential does not verify.
    #[error("the ballot's signature by its credential does not verify")]
    Signature,
}

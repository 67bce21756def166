//! The elections module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.
//!
//! Every Belenios object a call carries (a trustee's certificate, polynomial or verification key, a ballot, a
//! partial decryption) travels as the exact bytes of its JSON: the ledger checks those bytes and stores them as
//! they are, because the election's archive must hold them byte for byte (`docs/elections.md`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::Address;

/// Largest election name, in bytes.
pub const MAX_NAME_BYTES: usize = 200;
/// Largest election description, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 2_000;
/// Most questions in one election.
pub const MAX_QUESTIONS: usize = 16;
/// Largest question text, in bytes.
pub const MAX_QUESTION_BYTES: usize = 500;
/// Most answers to one question.
pub const MAX_ANSWERS: usize = 32;
/// Largest answer text, in bytes.
pub const MAX_ANSWER_BYTES: usize = 200;
/// Most trustees of one election.
pub const MAX_TRUSTEES: usize = 16;
/// Most citizens added to a roll by one call.
pub const MAX_VOTERS_PER_CALL: usize = 1_000;
/// Most public credentials published by one call: each costs an exponentiation to check (about a millisecond).
pub const MAX_CREDENTIALS_PER_CALL: usize = 100;
/// Most voters on one roll.
pub const MAX_VOTERS: u64 = 1_000_000;
/// Largest weight of one credential.
pub const MAX_WEIGHT: u64 = 1_000_000;
/// Largest sum of an election's weights. Each count of the result is a discrete logarithm found by baby-step
/// giant-step up to the total weight, in the transaction that decides the result on every validator: about
/// `sqrt(MAX_TOTAL_WEIGHT)` products, a few milliseconds.
pub const MAX_TOTAL_WEIGHT: u64 = 10_000_000;
/// Largest trustee message (a certificate, a polynomial with its encrypted shares, a verification key), in bytes.
pub const MAX_TRUSTEE_MESSAGE_BYTES: usize = 96 * 1024;
/// Largest ballot, in bytes.
pub const MAX_BALLOT_BYTES: usize = 96 * 1024;
/// Largest partial decryption, in bytes.
pub const MAX_PARTIAL_DECRYPTION_BYTES: usize = 96 * 1024;

/// A question, always homomorphic: each answer is chosen (1) or not (0), between `min` and `max` answers in all,
/// or a blank vote when `blank` allows one.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Question {
    /// The question's text.
    pub question: String,
    /// The answers, in ballot order.
    pub answers: Vec<String>,
    /// Fewest answers a (non-blank) ballot chooses.
    pub min: u32,
    /// Most answers a ballot chooses.
    pub max: u32,
    /// Whether a voter may vote blank on this question.
    pub blank: bool,
}

/// Longest decimal form of a group element (2048 bits).
pub const MAX_ELEMENT_DIGITS: usize = 617;

/// A public credential as published by the credential authority: the group element `g^s` in decimal (as
/// Belenios writes it, without leading zeros) and its weight.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct PublishedCredential {
    /// `g^s`, in decimal.
    pub credential: String,
    /// The credential's weight: 1 for one person, one vote.
    pub weight: u64,
}

/// Calls of the elections module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ElectionsCall {
    /// An official holding `electoral-commission` creates an election; numbered by the chain.
    CreateElection {
        /// The election's name.
        name: String,
        /// What it is about.
        description: String,
        /// The questions (1 to [`MAX_QUESTIONS`]).
        questions: Vec<Question>,
        /// Opening of the vote, Unix milliseconds (inclusive).
        opens_at_ms: u64,
        /// Closing of the vote, Unix milliseconds (exclusive).
        closes_at_ms: u64,
        /// The trustees, in order (trustee `j` is the `j`-th, from 1): active accounts, distinct.
        trustees: Vec<Address>,
        /// How many trustees must take part in the decryption (1 to the number of trustees).
        threshold: u32,
        /// The official who publishes the public credentials; holds `credential-authority`.
        credential_authority: Address,
    },
    /// A trustee's message of the key generation (Belenios' threshold scheme): its certificate (step 1), then its
    /// polynomial with the shares encrypted to each trustee (step 3), then its verification key (step 5).
    TrusteeMessage {
        /// The election.
        election: u64,
        /// The step: 1, 3 or 5.
        step: u8,
        /// The message's JSON, exactly as the trustee's tool wrote it.
        #[serde(with = "publica_types::codec::hex_bytes")]
        message: Vec<u8>,
    },
    /// The commission adds citizens to the electoral roll, until it is frozen.
    AddVoters {
        /// The election.
        election: u64,
        /// Active citizens' addresses, not already on the roll.
        voters: Vec<Address>,
    },
    /// The commission freezes the roll: no citizen is added after this.
    FreezeRoll {
        /// The election.
        election: u64,
    },
    /// The credential authority publishes public credentials, one per voter on the frozen roll, in any number of
    /// calls.
    PublishCredentials {
        /// The election.
        election: u64,
        /// The credentials, each a member of the group, distinct.
        credentials: Vec<PublishedCredential>,
    },
    /// The credential authority seals the credentials once there is one per voter: the election is set up and its
    /// first event (Setup) written.
    SealCredentials {
        /// The election.
        election: u64,
    },
    /// A ballot, authenticated by the credential's signature inside it, not by the sending account.
    Cast {
        /// The election.
        election: u64,
        /// The ballot's JSON, exactly as the voter's tool wrote it (canonical).
        #[serde(with = "publica_types::codec::hex_bytes")]
        ballot: Vec<u8>,
    },
    /// After the closing time, the commission or a trustee closes the vote: the encrypted tally is computed.
    Close {
        /// The election.
        election: u64,
    },
    /// A trustee's partial decryption of the encrypted tally, with its proofs.
    PartialDecryption {
        /// The election.
        election: u64,
        /// Its JSON, exactly as the trustee's tool wrote it.
        #[serde(with = "publica_types::codec::hex_bytes")]
        decryption: Vec<u8>,
    },
    /// The credential authority revokes a published credential that has cast no ballot (a letter lost or stolen,
    /// a voter who died before voting): no ballot with it is accepted after this.
    RevokeCredential {
        /// The election.
        election: u64,
        /// The public credential, in decimal.
        credential: String,
    },
}

impl ElectionsCall {
    /// The call's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            ElectionsCall::CreateElection { .. } => "create_election",
            ElectionsCall::TrusteeMessage { .. } => "trustee_message",
            ElectionsCall::AddVoters { .. } => "add_voters",
            ElectionsCall::FreezeRoll { .. } => "freeze_roll",
            ElectionsCall::PublishCredentials { .. } => "publish_credentials",
            ElectionsCall::SealCredentials { .. } => "seal_credentials",
            ElectionsCall::Cast { .. } => "cast",
            ElectionsCall::Close { .. } => "close",
            ElectionsCall::PartialDecryption { .. } => "partial_decryption",
            ElectionsCall::RevokeCredential { .. } => "revoke_credential",
        }
    }
}

//! What a committed transaction created: the record or number a client needs next, reported by execution so that
//! no client decodes a module's counters to find it.
//!
//! Only what the chain chose is reported: a number it assigned (an application, an encumbrance, a company, a
//! proposal) or an account it opened. A record whose identifier the caller chose (a parcel, a permit) or a change
//! to an existing record reports [`TxOutcome::None`]; so does an anchoring, whose entries the notary log's index
//! reports by document hash.
//!
//! Stored beside the transaction (borsh) and served with its status (JSON, tagged by `type`):
//! `{"type":"none"}`, `{"type":"account","address":"…"}`, `{"type":"proposal","id":4}`,
//! `{"type":"application","id":12}`, `{"type":"encumbrance","id":3}`, `{"type":"company","number":"…"}`,
//! `{"type":"accreditation","id":5}`, `{"type":"status_list","number":0}`, `{"type":"consent","id":9}`,
//! `{"type":"election","id":2}`, `{"type":"allocation","id":7}`, `{"type":"commitment","id":8}`,
//! `{"type":"payment","id":11}`, `{"type":"programme","id":3}`, `{"type":"sealing_key","id":1}`,
//! `{"type":"tender","id":6}`, `{"type":"question","number":2}`, `{"type":"bid","number":4}`,
//! `{"type":"complaint","number":1}`, `{"type":"contract","id":3}`, `{"type":"data_record","id":21}`,
//! `{"type":"data_consent","id":4}`, `{"type":"access","id":17,"state":"pending"}` or
//! `{"type":"access","id":18,"state":{"refused":{"code":"consent_revoked"}}}`, `{"type":"court_order","id":2}`,
//! `{"type":"emergency","id":1}`, `{"type":"study","id":5}`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, CodecError};
use publica_crypto::Address;

/// What one committed transaction created.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TxOutcome {
    /// Nothing the caller did not already know: a change to existing records, or a record the caller named.
    #[default]
    None,
    /// An account was registered (an official or a citizen).
    Account {
        /// Its address.
        address: Address,
    },
    /// A governance proposal was recorded.
    Proposal {
        /// Its number.
        id: u64,
    },
    /// A registry application was opened.
    Application {
        /// Its number.
        id: u64,
    },
    /// An encumbrance (a mortgage or a lien) was registered on a parcel.
    Encumbrance {
        /// Its number.
        id: u64,
    },
    /// A company was incorporated, by the approval that completed its application.
    Company {
        /// Its company number.
        number: String,
    },
    /// An issuer was accredited for a credential type.
    Accreditation {
        /// Its number.
        id: u64,
    },
    /// A status list was created, numbered among its owner's (the sender's) lists.
    StatusList {
        /// Its number.
        number: u32,
    },
    /// A citizen granted a consent.
    Consent {
        /// Its number.
        id: u64,
    },
    /// An election was created.
    Election {
        /// Its number.
        id: u64,
    },
    /// A budget line was allocated to an agency.
    Allocation {
        /// Its number.
        id: u64,
    },
    /// Funds were committed against an allocation.
    Commitment {
        /// Its number.
        id: u64,
    },
    /// A payment was made against a commitment (a supplier's, or a benefit claim's).
    Payment {
        /// Its number.
        id: u64,
    },
    /// A welfare programme was opened.
    Programme {
        /// Its number.
        id: u64,
    },
    /// A key ceremony for a sealing key was started.
    SealingKey {
        /// Its number.
        id: u64,
    },
    /// A tender was published.
    Tender {
        /// Its number.
        id: u64,
    },
    /// A question about a tender was asked.
    Question {
        /// Its number in the tender.
        number: u32,
    },
    /// A bid was submitted (or replaced: it keeps its number).
    Bid {
        /// Its number in the tender.
        number: u32,
    },
    /// A complaint about an award was filed.
    Complaint {
        /// Its number in the tender.
        number: u32,
    },
    /// A contract was signed by the procuring entity.
    Contract {
        /// Its number.
        id: u64,
    },
    /// A record held by an agency's vault was registered (its commitment, never its contents).
    DataRecord {
        /// Its number.
        id: u64,
    },
    /// A citizen (or their legal representative) consented to access to their records.
    DataConsent {
        /// Its number.
        id: u64,
    },
    /// An access to a record was requested: written whether its basis held or not.
    Access {
        /// Its number.
        id: u64,
        /// Whether its basis held at the block's time.
        state: AccessDecision,
    },
    /// A court ordered access to a citizen's records.
    CourtOrder {
        /// Its number.
        id: u64,
    },
    /// A health authority declared a public-health emergency.
    Emergency {
        /// Its number.
        id: u64,
    },
    /// A researcher proposed a study.
    Study {
        /// Its number.
        id: u64,
    },
}

/// Where a new access request stands: pending (its basis held, the record's vault is to answer) or refused (its
/// basis did not hold; the code says why, e.g. `consent_revoked`). JSON: `"pending"` or
/// `{"refused":{"code":"…"}}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessDecision {
    /// The basis held: the access waits for the record's vault.
    Pending,
    /// The basis did not hold: nothing will be released.
    Refused {
        /// Why, as the data module's stable refusal code.
        code: String,
    },
}

/// Largest encoded outcome: a company number (at most `RecordId::MAX_LEN` bytes) or an access's refusal code (a
/// short machine name) with its tag and length, and room to spare.
const MAX_ENCODED_OUTCOME_BYTES: usize = 256;

const _: () = assert!(1 + 4 + crate::RecordId::MAX_LEN <= MAX_ENCODED_OUTCOME_BYTES);

impl TxOutcome {
    /// Decode a stored outcome (canonical borsh, bounded).
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_canonical("transaction outcome", bytes, MAX_ENCODED_OUTCOME_BYTES)
    }
}

//! State layout of the data module (prefix `dat/`). Every value is borsh, canonical. Numbers in keys are u64
//! big-endian, addresses their 20 bytes, commitments their 32 bytes, agencies and categories their text.
//!
//! | key | value |
//! |---|---|
//! | `dat/r/<record>` | [`Record`]: agency, owner, category, commitment, number of fields, state (active, erasure ordered, erased) |
//! | `dat/rc/<commitment>` | the number of the record registered with it (u64): a commitment is registered once |
//! | `dat/or/<owner>` (+ `/<record>`) | [`List`] of the owner's records |
//! | `dat/ret/<agency>/<category>` | [`RetentionRule`] (public) |
//! | `dat/c/<consent>` | [`Consent`] |
//! | `dat/oc/<owner>` (+ `/<consent>`) | [`List`] of the owner's consents |
//! | `dat/rep/<citizen>/<representative>` | [`Representation`] |
//! | `dat/rl/<citizen>` | the citizen's representatives on record (`Vec<Address>`, at most `MAX_REPRESENTATIVES`) |
//! | `dat/o/<order>` | [`CourtOrder`] |
//! | `dat/oo/<owner>` (+ `/<order>`) | [`List`] of the court orders about the owner: the citizen sees every one |
//! | `dat/e/<emergency>` | [`Emergency`] (public) |
//! | `dat/s/<study>` | [`Study`] (public) |
//! | `dat/sa/<study>` | [`StudyCounters`] (public): accesses requested, refused and released, citizens, per category |
//! | `dat/sc/<study>/<owner>` | how many of the owner's records the study received (u64): counts each citizen once |
//! | `dat/a/<access>` | [`Access`]: record, owner, agency, requester, purpose, basis, recipient key, state |
//! | `dat/oa/<owner>` (+ `/<access>`) | [`List`] of every access to the owner's records, granted or refused: the citizen's log |
//! | `dat/pa/<agency>` (+ `/<access>`) | [`List`] of the pending accesses to the agency's records: its vault's queue |
//! | `dat/ra/<record>` (+ `/<access>`) | [`List`] of the record's pending accesses |
//! | `dat/rp/<record>/<requester>` | the requester's pending access to the record (u64): one at a time |
//! | `dat/eq/<agency>` (+ `/<record>`) | [`List`] of the agency's records whose erasure is ordered: its vault's erasure queue |
//! | `dat/next/<kind>` | the next number (u64) of records (`r`), consents (`c`), court orders (`o`), emergencies (`e`), studies (`s`), accesses (`a`) |
//!
//! **Lists.** Modules read the state by key only, so every index that is paged or emptied is a doubly linked list
//! in the state: its head (`ListHead`: first, last, count) under the list's key, and one node (`Link`: previous,
//! next) per member under the list's key, `/`, the member's number. Appending and removing touch at most three
//! keys; a page is proven by the head and the nodes it walks.
//!
//! **Privacy.** `GET /v1/state/{key}` serves only [`is_public_key`] keys of this module: emergencies, studies,
//! their counters and retention rules. Everything else names a citizen or an access and is read through the
//! module's queries by those allowed to.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{codec, Address, AgencyId, Hash, StateRead, StateWrite};

use crate::call::{Basis, ErasureOrder, Grantee, RecipientKey};

/// Largest value the module stores, in bytes (an access with its recipient key, a study with its fields).
pub const MAX_STORED_BYTES: usize = 64 * 1024;

/// Who did something, and when.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Act {
    /// The account that signed it.
    pub by: Address,
    /// Block time, Unix milliseconds.
    pub at_ms: u64,
}

/// Where a record stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    /// Held by the vault, readable on a basis.
    Active,
    /// The owner (or their representative) ordered it erased; the vault has not recorded the erasure yet. No
    /// access is granted any more.
    ErasureOrdered {
        /// Block time of the order.
        at_ms: u64,
        /// Who ordered it.
        by: Address,
    },
    /// A tombstone: the vault destroyed the record's data key and ciphertext. The commitment stays.
    Erased {
        /// When the erasure became due: the owner's order, or the end of the retention time.
        ordered_at_ms: u64,
        /// Who ordered it (`None`: the retention rule).
        ordered_by: Option<Address>,
        /// Block time of the erasure's record.
        erased_at_ms: u64,
        /// On whose order.
        order: ErasureOrder,
        /// The controller who recorded it.
        by: Address,
        /// SHA-256 of the vault's statement of what it destroyed.
        #[serde(with = "publica_types::codec::hex_hash")]
        statement_sha256: Hash,
    },
}

/// A record held by an agency's vault: never its contents, only a commitment to them.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Record {
    /// Its number.
    pub id: u64,
    /// The agency whose vault holds it.
    pub agency: AgencyId,
    /// The citizen it is about.
    pub owner: Address,
    /// Its category.
    pub category: String,
    /// The salted commitment to its fields (`crate::verify::commitment`).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub commitment: Hash,
    /// How many fields it has.
    pub fields: u16,
    /// The controller who registered it.
    pub registered_by: Address,
    /// Block time of the registration.
    pub registered_at_ms: u64,
    /// Height of the registration.
    pub height: u64,
    /// Where it stands.
    pub state: RecordState,
}

/// How long an agency keeps records of a category.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RetentionRule {
    /// The agency.
    pub agency: AgencyId,
    /// The category.
    pub category: String,
    /// Days from a record's registration after which it is erased.
    pub keep_days: u32,
    /// Who set it, and when.
    pub set: Act,
}

/// A citizen's consent.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Consent {
    /// Its number.
    pub id: u64,
    /// The citizen whose records it covers.
    pub owner: Address,
    /// Who may read.
    pub grantee: Grantee,
    /// The category covered.
    pub category: String,
    /// The purpose covered.
    pub purpose: String,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// Who granted it (the owner or their representative), and when.
    pub granted: Act,
    /// Height of the grant.
    pub height: u64,
    /// Who revoked it, and when.
    pub revoked: Option<Act>,
}

/// A legal representative's appointment.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Representation {
    /// The represented citizen.
    pub citizen: Address,
    /// The representative.
    pub representative: Address,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// The court that appointed them.
    pub court: AgencyId,
    /// Its official who signed the appointment, and when.
    pub appointed: Act,
    /// Who ended it early, and when.
    pub ended: Option<Act>,
}

impl Representation {
    /// Whether it is in force at `now_ms`: not ended, and before its end.
    pub fn current_at(&self, now_ms: u64) -> bool {
        self.ended.is_none() && now_ms < self.until_ms
    }
}

/// A court order letting an agency read a citizen's records of a category.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CourtOrder {
    /// Its number.
    pub id: u64,
    /// The citizen.
    pub owner: Address,
    /// The category.
    pub category: String,
    /// The agency that may read.
    pub grantee: AgencyId,
    /// The purpose.
    pub purpose: String,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// SHA-256 of the order's document.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub order_sha256: Hash,
    /// The court.
    pub court: AgencyId,
    /// Its official who signed, and when.
    pub issued: Act,
    /// Height of the order.
    pub height: u64,
}

/// A public-health emergency.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Emergency {
    /// Its number.
    pub id: u64,
    /// The categories that may be read.
    pub categories: Vec<String>,
    /// The agencies that may read them.
    pub grantees: Vec<AgencyId>,
    /// The purpose.
    pub purpose: String,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// SHA-256 of the declaration's document.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub declaration_sha256: Hash,
    /// The health authority that declared it.
    pub authority: AgencyId,
    /// Its official who declared it, and when.
    pub declared: Act,
    /// Height of the declaration.
    pub height: u64,
    /// Who ended it early, and when.
    pub ended: Option<Act>,
}

/// An ethics board's approval of a study.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Approval {
    /// The board's agency.
    pub board: AgencyId,
    /// Its official who approved, and when.
    pub approved: Act,
}

/// A research study.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Study {
    /// Its number.
    pub id: u64,
    /// The research institute running it: its `researcher`s read under consents to it.
    pub agency: AgencyId,
    /// Its title.
    pub title: String,
    /// The categories it reads.
    pub categories: Vec<String>,
    /// The fields it reads (sorted): all its researchers ever get of a record.
    pub fields: Vec<String>,
    /// The purpose.
    pub purpose: String,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// SHA-256 of its protocol.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub protocol_sha256: Hash,
    /// The researcher who proposed it, and when.
    pub proposed: Act,
    /// Height of the proposal.
    pub height: u64,
    /// The ethics board's approval, once given.
    pub approval: Option<Approval>,
}

/// Releases of one category to a study.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The category.
    pub category: String,
    /// Records of it released to the study.
    pub released: u64,
}

/// A study's accesses in aggregate: public, while each access stays in its citizen's log only.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct StudyCounters {
    /// Accesses asked for under consents to the study (pending when asked, or refused).
    pub requests: u64,
    /// Of those, refused when asked.
    pub refused: u64,
    /// Records released to the study.
    pub released: u64,
    /// Distinct citizens with a record released to the study.
    pub citizens: u64,
    /// Releases per category, in the study's order of categories.
    pub by_category: Vec<CategoryCount>,
}

/// Why a basis does not hold: the code of a refused access, or the reason an access lapsed. Stable: the string
/// form is the JSON one, and variants are only ever appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The record is erased.
    RecordErased,
    /// The record's erasure is ordered.
    ErasureOrdered,
    /// No consent, court order or emergency has the number the basis names.
    BasisNotFound,
    /// The consent or court order is about another citizen than the record's owner.
    OtherOwner,
    /// The consent is revoked.
    ConsentRevoked,
    /// The consent, court order or emergency has ended (its time passed).
    Expired,
    /// The basis names another grantee than the requester (or its agency); for a study, the requester is not a
    /// researcher of the study's agency.
    WrongGrantee,
    /// The basis covers other categories than the record's.
    WrongCategory,
    /// The basis covers another purpose than the request's.
    WrongPurpose,
    /// The emergency was ended.
    EmergencyEnded,
    /// The study the consent names is not approved.
    StudyNotApproved,
    /// The study the consent names has ended.
    StudyEnded,
    /// An owner's request by someone who is no longer the owner's representative.
    NotOwnerOrRepresentative,
    /// The record already has `MAX_PENDING_PER_RECORD` pending accesses.
    RecordQueueFull,
}

impl Refusal {
    /// The stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::RecordErased => "record_erased",
            Refusal::ErasureOrdered => "erasure_ordered",
            Refusal::BasisNotFound => "basis_not_found",
            Refusal::OtherOwner => "other_owner",
            Refusal::ConsentRevoked => "consent_revoked",
            Refusal::Expired => "expired",
            Refusal::WrongGrantee => "wrong_grantee",
            Refusal::WrongCategory => "wrong_category",
            Refusal::WrongPurpose => "wrong_purpose",
            Refusal::EmergencyEnded => "emergency_ended",
            Refusal::StudyNotApproved => "study_not_approved",
            Refusal::StudyEnded => "study_ended",
            Refusal::NotOwnerOrRepresentative => "not_owner_or_representative",
            Refusal::RecordQueueFull => "record_queue_full",
        }
    }

    /// Every code, in variant order.
    pub const ALL: &'static [Refusal] = &[
        Refusal::RecordErased,
        Refusal::ErasureOrdered,
        Refusal::BasisNotFound,
        Refusal::OtherOwner,
        Refusal::ConsentRevoked,
        Refusal::Expired,
        Refusal::WrongGrantee,
        Refusal::WrongCategory,
        Refusal::WrongPurpose,
        Refusal::EmergencyEnded,
        Refusal::StudyNotApproved,
        Refusal::StudyEnded,
        Refusal::NotOwnerOrRepresentative,
        Refusal::RecordQueueFull,
    ];
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an access stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessState {
    /// The basis held when asked: the record's vault is to release it (or decline).
    Pending,
    /// The basis did not hold when asked: nothing is released.
    Refused {
        /// Why.
        code: Refusal,
    },
    /// The vault released the record, sealed to the recipient key.
    Released {
        /// The controller who reported it.
        by: Address,
        /// Block time.
        at_ms: u64,
        /// SHA-256 of the sealed release.
        #[serde(with = "publica_types::codec::hex_hash")]
        release_sha256: Hash,
        /// Its length.
        release_bytes: u64,
    },
    /// The vault declined it.
    Declined {
        /// The controller who declined it.
        by: Address,
        /// Block time.
        at_ms: u64,
        /// Why (a machine name).
        reason_code: String,
    },
    /// It was pending when its basis stopped holding (a consent revoked, the record erased): nothing was released.
    Lapsed {
        /// Block time.
        at_ms: u64,
        /// Why.
        reason: Refusal,
    },
}

/// An access request, as the citizen's log shows it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Access {
    /// Its number.
    pub id: u64,
    /// The record asked for.
    pub record: u64,
    /// The record's owner.
    pub owner: Address,
    /// The record's agency (whose vault answers).
    pub agency: AgencyId,
    /// Who asked.
    pub requester: Address,
    /// The requester's agency (`None`: the owner or their representative).
    pub requester_agency: Option<AgencyId>,
    /// Why.
    pub purpose: String,
    /// On which basis.
    pub basis: Basis,
    /// The study the basis's consent names, if it names one.
    pub study: Option<u64>,
    /// The fields the release may disclose (`None`: all the record's fields; a study's declared fields, of which
    /// the vault discloses those the record has).
    pub fields: Option<Vec<String>>,
    /// The key the release is sealed to.
    pub recipient: RecipientKey,
    /// Block time of the request.
    pub requested_at_ms: u64,
    /// Height of the request.
    pub height: u64,
    /// Where it stands.
    pub state: AccessState,
}

/// The head of a [`List`].
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ListHead {
    /// The oldest member.
    pub first: Option<u64>,
    /// The newest member.
    pub last: Option<u64>,
    /// How many members.
    pub count: u64,
}

/// A member's node in a [`List`].
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Link {
    /// The member before it.
    pub prev: Option<u64>,
    /// The member after it.
    pub next: Option<u64>,
}

/// A list of numbers kept in the state, in the order they were added: a [`ListHead`] under its key, a [`Link`] per
/// member under `key/member`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    prefix: Vec<u8>,
}

impl List {
    /// The key of the list's head.
    pub fn head_key(&self) -> Vec<u8> {
        self.prefix.clone()
    }

    /// The key of member `id`'s node.
    pub fn node_key(&self, id: u64) -> Vec<u8> {
        [self.prefix.as_slice(), b"/", &id.to_be_bytes()].concat()
    }

    /// The head (empty when the list is).
    pub fn head(&self, state: &dyn StateRead) -> ListHead {
        get(state, &self.head_key()).unwrap_or_default()
    }

    /// Member `id`'s node, if it is a member.
    pub fn link(&self, state: &dyn StateRead, id: u64) -> Option<Link> {
        get(state, &self.node_key(id))
    }

    /// Append `id`.
    pub(crate) fn push(&self, state: &mut dyn StateWrite, id: u64) {
        let mut head = self.head(state);
        if let Some(last) = head.last {
            let mut link = self.link(state, last).expect("a list's last member has a node");
            link.next = Some(id);
            put(state, self.node_key(last), &link);
        } else {
            head.first = Some(id);
        }
        put(state, self.node_key(id), &Link { prev: head.last, next: None });
        head.last = Some(id);
        head.count += 1;
        put(state, self.head_key(), &head);
    }

    /// Remove `id`; false when it is not a member.
    pub(crate) fn remove(&self, state: &mut dyn StateWrite, id: u64) -> bool {
        let Some(link) = self.link(state, id) else { return false };
        let mut head = self.head(state);
        match link.prev {
            Some(prev) => {
                let mut before = self.link(state, prev).expect("a member's previous member has a node");
                before.next = link.next;
                put(state, self.node_key(prev), &before);
            }
            None => head.first = link.next,
        }
        match link.next {
            Some(next) => {
                let mut after = self.link(state, next).expect("a member's next member has a node");
                after.prev = link.prev;
                put(state, self.node_key(next), &after);
            }
            None => head.last = link.prev,
        }
        state.delete(self.node_key(id));
        head.count -= 1;
        if head.count == 0 {
            state.delete(self.head_key());
        } else {
            put(state, self.head_key(), &head);
        }
        true
    }
}

fn key(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = b"dat/".to_vec();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    out
}

fn list(parts: &[&[u8]]) -> List {
    List { prefix: key(parts) }
}

/// Whether `key` is one of this module's public keys, which `GET /v1/state/{key}` may serve: emergencies,
/// studies, their counters, how many of each there are, retention rules. (Every other `dat/` key names a citizen
/// or an access.)
pub fn is_public_key(key: &[u8]) -> bool {
    let public_counter = [b"dat/next/e".as_slice(), b"dat/next/s"].contains(&key);
    public_counter
        || [b"dat/e/".as_slice(), b"dat/s/", b"dat/sa/", b"dat/ret/"].iter().any(|prefix| key.starts_with(prefix))
}

/// Key of a record.
pub fn record_key(id: u64) -> Vec<u8> {
    key(&[b"r", &id.to_be_bytes()])
}

/// Key of the record registered with a commitment.
pub fn commitment_key(commitment: &Hash) -> Vec<u8> {
    key(&[b"rc", commitment])
}

/// The owner's records.
pub fn owner_records(owner: &Address) -> List {
    list(&[b"or", owner.as_bytes()])
}

/// Key of an agency's retention rule for a category.
pub fn retention_key(agency: &AgencyId, category: &str) -> Vec<u8> {
    key(&[b"ret", agency.as_str().as_bytes(), category.as_bytes()])
}

/// Key of a consent.
pub fn consent_key(id: u64) -> Vec<u8> {
    key(&[b"c", &id.to_be_bytes()])
}

/// The owner's consents.
pub fn owner_consents(owner: &Address) -> List {
    list(&[b"oc", owner.as_bytes()])
}

/// Key of a representation.
pub fn representation_key(citizen: &Address, representative: &Address) -> Vec<u8> {
    key(&[b"rep", citizen.as_bytes(), representative.as_bytes()])
}

/// Key of a citizen's representatives on record.
pub fn representatives_key(citizen: &Address) -> Vec<u8> {
    key(&[b"rl", citizen.as_bytes()])
}

/// Key of a court order.
pub fn court_order_key(id: u64) -> Vec<u8> {
    key(&[b"o", &id.to_be_bytes()])
}

/// The court orders about an owner.
pub fn owner_court_orders(owner: &Address) -> List {
    list(&[b"oo", owner.as_bytes()])
}

/// Key of an emergency.
pub fn emergency_key(id: u64) -> Vec<u8> {
    key(&[b"e", &id.to_be_bytes()])
}

/// Key of a study.
pub fn study_key(id: u64) -> Vec<u8> {
    key(&[b"s", &id.to_be_bytes()])
}

/// Key of a study's counters.
pub fn study_counters_key(id: u64) -> Vec<u8> {
    key(&[b"sa", &id.to_be_bytes()])
}

/// Key of the number of an owner's records released to a study.
pub fn study_citizen_key(study: u64, owner: &Address) -> Vec<u8> {
    key(&[b"sc", &study.to_be_bytes(), owner.as_bytes()])
}

/// Key of an access.
pub fn access_key(id: u64) -> Vec<u8> {
    key(&[b"a", &id.to_be_bytes()])
}

/// Every access to an owner's records: the citizen's log.
pub fn owner_accesses(owner: &Address) -> List {
    list(&[b"oa", owner.as_bytes()])
}

/// The pending accesses to an agency's records: its vault's queue.
pub fn agency_pending(agency: &AgencyId) -> List {
    list(&[b"pa", agency.as_str().as_bytes()])
}

/// A record's pending accesses.
pub fn record_pending(record: u64) -> List {
    list(&[b"ra", &record.to_be_bytes()])
}

/// Key of a requester's pending access to a record.
pub fn pending_request_key(record: u64, requester: &Address) -> Vec<u8> {
    key(&[b"rp", &record.to_be_bytes(), requester.as_bytes()])
}

/// An agency's records whose erasure is ordered: its vault's erasure queue.
pub fn agency_erasures(agency: &AgencyId) -> List {
    list(&[b"eq", agency.as_str().as_bytes()])
}

/// Key of a counter: `r`, `c`, `o`, `e`, `s` or `a`.
pub fn next_key(kind: &str) -> Vec<u8> {
    key(&[b"next", kind.as_bytes()])
}

/// Read and decode a stored value; `None` when absent. The module alone writes under `dat/`, so a value that
/// does not decode means the store is corrupt.
pub fn get<T: BorshDeserialize + BorshSerialize>(state: &dyn StateRead, key: &[u8]) -> Option<T> {
    state.get(key).map(|bytes| {
        codec::decode_canonical("data module value", &bytes, MAX_STORED_BYTES)
            .unwrap_or_else(|e| panic!("a stored data module value does not decode ({e}); the state store is corrupt"))
    })
}

/// Encode and write a value.
pub(crate) fn put<T: BorshSerialize>(state: &mut dyn StateWrite, key: Vec<u8>, value: &T) {
    let bytes = codec::encode(value);
    debug_assert!(bytes.len() <= MAX_STORED_BYTES, "the call's bounds keep every value under MAX_STORED_BYTES");
    state.put(key, bytes);
}

/// Take the next number of `kind` (from 1).
pub(crate) fn take_next(state: &mut dyn StateWrite, kind: &str) -> u64 {
    let key = next_key(kind);
    let next = get::<u64>(state, &key).unwrap_or(1);
    put(state, key, &(next + 1));
    next
}

/// How many numbers of `kind` were given.
pub fn count(state: &dyn StateRead, kind: &str) -> u64 {
    get::<u64>(state, &next_key(kind)).map_or(0, |next| next - 1)
}

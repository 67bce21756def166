//! State layout of the identity module (prefix `idn/`). Numbers in keys are big-endian, so keys sort by number;
//! a type name enters keys as its SHA-256 (`type_hash`), so every key has a fixed shape.
//!
//! | key | value |
//! |---|---|
//! | `idn/s/` ‖ schema hash (32) | borsh [`SchemaRecord`] |
//! | `idn/v/` ‖ type_hash (32) ‖ version (u32) | the schema hash (32 bytes) registered for that type and version |
//! | `idn/n/a` | the next accreditation number, u64 little-endian (absent: 1) |
//! | `idn/a/` ‖ id (u64) | borsh [`Accreditation`] |
//! | `idn/ai/` ‖ issuer (20) ‖ type_hash (32) | borsh `Vec<u64>`: the issuer's accreditations for the type, in order |
//! | `idn/ln/` ‖ owner (20) | the number of status lists the owner created, u32 little-endian |
//! | `idn/l/` ‖ owner (20) ‖ list (u32) | borsh [`StatusListHeader`] |
//! | `idn/lc/` ‖ owner (20) ‖ list (u32) ‖ chunk (u32) | the chunk's bytes (absent: all entries valid) |
//! | `idn/n/c` | the next consent number, u64 little-endian (absent: 1) |
//! | `idn/c/` ‖ id (u64) | borsh [`Consent`] |
//! | `idn/cu/` ‖ id (u64) ‖ use (u32) | borsh [`ConsentUse`], uses numbered from 0 |
//! | `idn/cg/` ‖ grantor (20) | the number of consents the grantor gave, u64 little-endian |
//! | `idn/cg/` ‖ grantor (20) ‖ n (u64) | the grantor's `n`-th consent's number (8 bytes, big-endian) |
//! | `idn/ce/` ‖ grantee (20) | the number of consents given to the grantee, u64 little-endian |
//! | `idn/ce/` ‖ grantee (20) ‖ n (u64) | the grantee's `n`-th consent's number (8 bytes, big-endian) |
//!
//! Status chunks: a list's entries are packed as the Token Status List draft packs `lst` before compression (entry
//! `i` of a `b`-bit list sits in byte `i·b / 8`, at bit `(i·b) mod 8` counting from the least significant bit) and
//! cut into chunks of [`STATUS_CHUNK_BYTES`]; chunk `k` holds the bytes `k·1024 …` of that array (the last one
//! only the bytes the capacity needs). Proving one entry proves one chunk, never the whole list.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{codec, sha256, Address, Hash};

/// Bytes per status chunk: 8,192 one-bit or 4,096 two-bit entries.
pub const STATUS_CHUNK_BYTES: usize = 1024;

/// A registered credential schema.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SchemaRecord {
    /// SHA-256 of the document.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub hash: Hash,
    /// The credential type.
    pub type_name: String,
    /// Its version for the type.
    pub version: u32,
    /// The JSON Schema document (hex in JSON).
    #[serde(with = "publica_types::codec::hex_bytes")]
    pub document: Vec<u8>,
    /// The trust root that registered it.
    pub registered_by: Address,
    /// Block time of the registration, Unix milliseconds.
    pub registered_at_ms: u64,
    /// Height of the registration.
    pub height: u64,
}

/// "`issuer` may issue `credential_type` (following `schema`) from `valid_from_ms` until `valid_until_ms`,
/// accredited by `accredited_by`".
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Accreditation {
    /// The number the chain gave it.
    pub id: u64,
    /// The accredited issuer.
    pub issuer: Address,
    /// The credential type.
    pub credential_type: String,
    /// The schema's hash.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub schema: Hash,
    /// Start of the window (inclusive), Unix milliseconds.
    pub valid_from_ms: u64,
    /// End of the window (exclusive), Unix milliseconds.
    pub valid_until_ms: u64,
    /// The accreditor.
    pub accredited_by: Address,
    /// The accreditor's own accreditation; `None` when the accreditor acted as a trust root.
    pub parent: Option<u64>,
    /// Block time of the accreditation.
    pub created_at_ms: u64,
    /// Height of the accreditation.
    pub height: u64,
    /// Block time of its revocation, if revoked.
    pub revoked_at_ms: Option<u64>,
}

impl Accreditation {
    /// Whether this record alone is in force at `at_ms`: within its window and not revoked at or before.
    pub fn in_force_at(&self, at_ms: u64) -> bool {
        self.valid_from_ms <= at_ms
            && at_ms < self.valid_until_ms
            && self.revoked_at_ms.is_none_or(|revoked| revoked > at_ms)
    }
}

/// A status list's header: who owns it and its shape. Its bits live in chunks ([`status_chunk_key`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct StatusListHeader {
    /// The owner (the issuer that updates it).
    pub owner: Address,
    /// Its number among the owner's lists (from 0).
    pub number: u32,
    /// Bits per entry: 1 or 2.
    pub bits: u8,
    /// Number of entries.
    pub capacity: u32,
    /// Block time of its creation.
    pub created_at_ms: u64,
    /// Height of its creation.
    pub height: u64,
}

impl StatusListHeader {
    /// Entries per chunk.
    pub fn entries_per_chunk(&self) -> u32 {
        (STATUS_CHUNK_BYTES * 8) as u32 / u32::from(self.bits)
    }

    /// The list's packed length in bytes.
    pub fn list_bytes(&self) -> usize {
        (self.capacity as usize * usize::from(self.bits)).div_ceil(8)
    }

    /// Number of chunks.
    pub fn chunk_count(&self) -> u32 {
        self.list_bytes().div_ceil(STATUS_CHUNK_BYTES) as u32
    }

    /// The chunk holding entry `index`.
    pub fn chunk_of(&self, index: u32) -> u32 {
        index / self.entries_per_chunk()
    }

    /// The length of chunk `chunk` (all are [`STATUS_CHUNK_BYTES`] but the last).
    pub fn chunk_len(&self, chunk: u32) -> usize {
        let start = chunk as usize * STATUS_CHUNK_BYTES;
        self.list_bytes().saturating_sub(start).min(STATUS_CHUNK_BYTES)
    }

    /// Entry `index`'s status in `chunk` (the bytes of its chunk; the caller checked the index).
    pub fn read_entry(&self, chunk: &[u8], index: u32) -> u8 {
        let (byte, shift, mask) = self.position(index);
        (chunk[byte] >> shift) & mask
    }

    /// Set entry `index` to `status` in `chunk`.
    pub fn write_entry(&self, chunk: &mut [u8], index: u32, status: u8) {
        let (byte, shift, mask) = self.position(index);
        chunk[byte] = (chunk[byte] & !(mask << shift)) | ((status & mask) << shift);
    }

    /// Byte within its chunk, bit shift and mask of entry `index`.
    fn position(&self, index: u32) -> (usize, u32, u8) {
        let within = (index % self.entries_per_chunk()) as usize * usize::from(self.bits);
        let mask = if self.bits == 2 { 0b11 } else { 0b1 };
        (within / 8, (within % 8) as u32, mask)
    }
}

/// A citizen's consent: `grantee` may rely on the credential committed to by `credential` for `claims`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Consent {
    /// The number the chain gave it.
    pub id: u64,
    /// The citizen who granted it.
    pub grantor: Address,
    /// Who may rely on it.
    pub grantee: Address,
    /// The credential's digest (a commitment, never its contents).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub credential: Hash,
    /// The claim names covered.
    pub claims: Vec<String>,
    /// Why.
    pub purpose: String,
    /// End (exclusive), Unix milliseconds.
    pub until_ms: u64,
    /// Block time of the grant.
    pub granted_at_ms: u64,
    /// Height of the grant.
    pub height: u64,
    /// Block time of its revocation, if revoked.
    pub revoked_at_ms: Option<u64>,
    /// Number of recorded uses (stored under [`consent_use_key`]).
    pub uses: u32,
}

/// One reliance on a consent, recorded by its grantee.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ConsentUse {
    /// Who relied on it (the grantee).
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
    /// Height.
    pub height: u64,
}

/// The SHA-256 of a type name, as it enters keys.
pub fn type_hash(type_name: &str) -> Hash {
    sha256(type_name.as_bytes())
}

/// Key of a schema record.
pub fn schema_key(hash: &Hash) -> Vec<u8> {
    [b"idn/s/".as_slice(), hash].concat()
}

/// Key of the schema registered for a type and version.
pub fn schema_version_key(type_name: &str, version: u32) -> Vec<u8> {
    [b"idn/v/".as_slice(), &type_hash(type_name), &version.to_be_bytes()].concat()
}

/// Key of the next accreditation number.
pub const NEXT_ACCREDITATION_KEY: &[u8] = b"idn/n/a";
/// Key of the next consent number.
pub const NEXT_CONSENT_KEY: &[u8] = b"idn/n/c";

/// Key of an accreditation.
pub fn accreditation_key(id: u64) -> Vec<u8> {
    [b"idn/a/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of an issuer's accreditations for a type.
pub fn issuer_index_key(issuer: &Address, credential_type: &str) -> Vec<u8> {
    [b"idn/ai/".as_slice(), &issuer.0, &type_hash(credential_type)].concat()
}

/// Key of the number of status lists an owner created.
pub fn status_list_count_key(owner: &Address) -> Vec<u8> {
    [b"idn/ln/".as_slice(), &owner.0].concat()
}

/// Key of a status list's header.
pub fn status_list_key(owner: &Address, list: u32) -> Vec<u8> {
    [b"idn/l/".as_slice(), &owner.0, &list.to_be_bytes()].concat()
}

/// Key of a status list's chunk.
pub fn status_chunk_key(owner: &Address, list: u32, chunk: u32) -> Vec<u8> {
    [b"idn/lc/".as_slice(), &owner.0, &list.to_be_bytes(), &chunk.to_be_bytes()].concat()
}

/// Key of a consent.
pub fn consent_key(id: u64) -> Vec<u8> {
    [b"idn/c/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of a consent's `n`-th use.
pub fn consent_use_key(id: u64, n: u32) -> Vec<u8> {
    [b"idn/cu/".as_slice(), &id.to_be_bytes(), &n.to_be_bytes()].concat()
}

/// Key of the number of consents a grantor gave.
pub fn grantor_count_key(grantor: &Address) -> Vec<u8> {
    [b"idn/cg/".as_slice(), &grantor.0].concat()
}

/// Key of a grantor's `n`-th consent.
pub fn grantor_entry_key(grantor: &Address, n: u64) -> Vec<u8> {
    [b"idn/cg/".as_slice(), &grantor.0, &n.to_be_bytes()].concat()
}

/// Key of the number of consents given to a grantee.
pub fn grantee_count_key(grantee: &Address) -> Vec<u8> {
    [b"idn/ce/".as_slice(), &grantee.0].concat()
}

/// Key of a grantee's `n`-th consent.
pub fn grantee_entry_key(grantee: &Address, n: u64) -> Vec<u8> {
    [b"idn/ce/".as_slice(), &grantee.0, &n.to_be_bytes()].concat()
}

/// Decode a stored record. Records are written only by this module, so a failure means the store is corrupt.
pub(crate) fn decode_stored<T: BorshDeserialize + BorshSerialize>(what: &'static str, bytes: &[u8]) -> T {
    codec::decode_state(what, bytes, usize::MAX)
        .unwrap_or_else(|e| panic!("stored {what} does not decode ({e}); the state store is corrupt"))
}

/// Decode a stored little-endian counter.
pub(crate) fn decode_counter(bytes: &[u8]) -> u64 {
    match bytes.len() {
        4 => u64::from(u32::from_le_bytes(bytes.try_into().expect("4 bytes"))),
        8 => u64::from_le_bytes(bytes.try_into().expect("8 bytes")),
        n => panic!("stored identity counter has {n} bytes; the state store is corrupt"),
    }
}

/// Decode a stored big-endian number (an index entry).
pub(crate) fn decode_id(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes.try_into().unwrap_or_else(|_| panic!("stored identity index entry is not 8 bytes")))
}

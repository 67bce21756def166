//! A record's content, its checks, its encryption under its own data key, and the releases built from it.
//!
//! **The content** ([`RecordContent`]): the owner, the category, and every field's name, salt and value (the
//! value's JSON text, compact, as [`RecordFields::texts`] writes it). The record's commitment is computed from it
//! by the data module's rule (`publica_data::verify`): the vault makes it with the same functions every requester
//! checks a release with.
//!
//! **The rules of a record** ([`check_fields`]), checked before anything is computed or stored: a category of
//! `[a-z0-9.-]` (1 to 64 bytes), 1 to [`MAX_FIELDS`] fields, names of `[a-z0-9_]` (1 to 64 bytes), each value's
//! text at most [`MAX_FIELD_VALUE_BYTES`] and all of them with their names at most [`MAX_RECORD_BYTES`].
//!
//! **Encryption** (`publica_crypto::envelope`): the content's borsh bytes are encrypted under a fresh data key, and
//! the data key is wrapped by the vault's key-encryption key, both with the associated data `agency || commitment`
//! (the agency's id bytes, then the 32 bytes of the commitment): a ciphertext or a wrapped key moved to another
//! record's place, or to another agency's vault, does not open there.
//!
//! **A release** ([`build_release`]): the record's fields for one access, every field disclosed, or only the
//! study's declared fields (the others withheld as their leaves), as `publica_data::verify::Release` JSON; sealed
//! ([`seal_release`]) to the access's recipient key under the context `"publica/data/release/v1" || chain id ||
//! access id (u64 big-endian)` (`publica_client::data::release_context`).

use borsh::{BorshDeserialize, BorshSerialize};
use publica_client::api::vault::RecordFields;
use publica_client::data::{release_context, release_digest};
use publica_crypto::envelope::{self, DataKey, KeyEncryptionKey, Sealed, WrappedKey};
use publica_crypto::kem::{seal_hybrid, HybridSealed, RecipientPublicKey};
use publica_data::call::{check_category, check_field_name, RecipientKey, MAX_FIELDS};
use publica_data::error::{CATEGORY_INVALID, FIELD_COUNT_INVALID};
use publica_data::verify::{commit_fields, Release};
use publica_types::{Address, AgencyId, ChainId, ErrorCode, Hash};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroize;

use crate::error::VaultError;

/// Longest value of one field: its JSON text, in bytes.
pub const MAX_FIELD_VALUE_BYTES: usize = 256 * 1024;
/// Largest record: its fields' names and values' texts together, in bytes. A release of it (values quoted again
/// inside JSON, salts and leaves in hex) stays far below the 16 MiB a sealed message may carry.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// Largest encrypted content the store decodes: the largest record with its owner, category, names and salts.
const MAX_CONTENT_BYTES: usize = MAX_RECORD_BYTES + MAX_FIELDS * (32 + 8) + 4096;

const _: () = assert!(MAX_FIELDS == publica_client::api::vault::MAX_RECORD_FIELDS);
const _: () = assert!(8 * MAX_RECORD_BYTES < publica_crypto::kem::MAX_HYBRID_PLAINTEXT_BYTES);

/// One field of a record as the vault keeps it.
#[derive(Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StoredField {
    /// The field's name.
    pub name: String,
    /// Its salt: 32 random bytes.
    pub salt: Hash,
    /// Its value: the JSON text the commitment binds.
    pub value: String,
}

impl Drop for StoredField {
    fn drop(&mut self) {
        self.value.zeroize();
        self.salt.zeroize();
    }
}

/// A record's content: what the vault encrypts. Wiped from memory when dropped; its `Debug` shows no field.
#[derive(Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct RecordContent {
    /// The citizen it is about.
    pub owner: Address,
    /// Its category.
    pub category: String,
    /// Its fields, sorted by name.
    pub fields: Vec<StoredField>,
}

impl std::fmt::Debug for RecordContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordContent")
            .field("category", &self.category)
            .field("fields", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl RecordContent {
    /// A new record of `owner` in `category` with `fields`, each given a fresh random salt. The fields are checked
    /// first ([`check_fields`]).
    pub fn new(owner: Address, category: &str, fields: &RecordFields) -> Result<RecordContent, VaultError> {
        check_fields(category, fields)?;
        let fields = fields
            .texts()
            .into_iter()
            .map(|(name, value)| {
                let mut salt = [0u8; 32];
                OsRng.fill_bytes(&mut salt);
                StoredField { name, salt, value }
            })
            .collect();
        Ok(RecordContent { owner, category: category.to_owned(), fields })
    }

    /// The record's commitment (`publica_data::verify::commit_fields`).
    pub fn commitment(&self) -> Result<Hash, VaultError> {
        let fields: Vec<(&str, &[u8])> = self.fields.iter().map(|f| (f.name.as_str(), f.value.as_bytes())).collect();
        let salts: Vec<Hash> = self.fields.iter().map(|f| f.salt).collect();
        commit_fields(&self.owner, &self.category, &fields, &salts).map(|committed| committed.commitment).map_err(|e| {
            VaultError::invalid(ErrorCode::InvalidArgument, format!("the record cannot be committed to: {e}"))
        })
    }

    /// How many fields, as `register_record` states it.
    pub fn field_count(&self) -> u16 {
        u16::try_from(self.fields.len()).expect("at most MAX_FIELDS fields")
    }
}

/// Check a record's category and fields against the rules of the data module and the vault's bounds (see the
/// module's documentation), naming the first rule that fails.
pub fn check_fields(category: &str, fields: &RecordFields) -> Result<(), VaultError> {
    check_category(category).map_err(|e| VaultError::invalid(CATEGORY_INVALID, e))?;
    if fields.is_empty() || fields.len() > MAX_FIELDS {
        return Err(VaultError::invalid(
            FIELD_COUNT_INVALID,
            format!("a record has 1 to {MAX_FIELDS} fields, this one has {}", fields.len()),
        ));
    }
    let mut total = 0usize;
    for (name, text) in fields.texts() {
        check_field_name(&name).map_err(|e| VaultError::invalid(ErrorCode::InvalidArgument, e))?;
        if text.len() > MAX_FIELD_VALUE_BYTES {
            return Err(VaultError::invalid(
                ErrorCode::InvalidArgument,
                format!(
                    "the field {name:?} has a value of {} bytes (as compact JSON); a field holds at most \
                     {MAX_FIELD_VALUE_BYTES}: split it, or keep the document elsewhere and record its hash",
                    text.len()
                ),
            ));
        }
        total += name.len() + text.len();
    }
    if total > MAX_RECORD_BYTES {
        return Err(VaultError::invalid(
            ErrorCode::InvalidArgument,
            format!("the record's names and values take {total} bytes; a record holds at most {MAX_RECORD_BYTES}"),
        ));
    }
    Ok(())
}

/// The associated data that binds a record's ciphertext and wrapped key to their place: the agency's id bytes,
/// then the commitment.
pub fn place(agency: &AgencyId, commitment: &Hash) -> Vec<u8> {
    [agency.as_str().as_bytes(), commitment.as_slice()].concat()
}

/// Encrypt a record's content under a fresh data key and wrap the key with `kek`, both bound to the record's place.
pub fn seal_content(
    kek: &KeyEncryptionKey,
    agency: &AgencyId,
    commitment: &Hash,
    content: &RecordContent,
) -> Result<(WrappedKey, Sealed), VaultError> {
    let aad = place(agency, commitment);
    let mut plaintext = borsh::to_vec(content).map_err(|e| VaultError::Internal(format!("encoding a record: {e}")))?;
    let key = DataKey::generate();
    let sealed = envelope::encrypt(&key, &aad, &plaintext).map_err(|e| VaultError::Crypto(e.to_string()));
    plaintext.zeroize();
    let wrapped = envelope::wrap(kek, &aad, &key).map_err(|e| VaultError::Crypto(e.to_string()))?;
    Ok((wrapped, sealed?))
}

/// Decrypt a record's content: unwrap its data key with `kek`, decrypt, decode, and check that the content gives
/// the commitment it is stored under.
pub fn open_content(
    kek: &KeyEncryptionKey,
    agency: &AgencyId,
    commitment: &Hash,
    wrapped: &WrappedKey,
    sealed: &Sealed,
) -> Result<RecordContent, VaultError> {
    let aad = place(agency, commitment);
    let key = envelope::unwrap(kek, &aad, wrapped).map_err(|e| {
        VaultError::Crypto(format!(
            "the data key of record {} does not unwrap: {e}; is this the vault's own key-encryption key file?",
            hex::encode(commitment)
        ))
    })?;
    let plaintext = envelope::decrypt(&key, &aad, sealed)
        .map_err(|e| VaultError::Corrupt(format!("record {}: {e}", hex::encode(commitment))))?;
    if plaintext.len() > MAX_CONTENT_BYTES {
        return Err(VaultError::Corrupt(format!("record {} is larger than any record", hex::encode(commitment))));
    }
    let content: RecordContent = borsh::from_slice(&plaintext)
        .map_err(|e| VaultError::Corrupt(format!("record {} does not decode: {e}", hex::encode(commitment))))?;
    if content.commitment()? != *commitment {
        return Err(VaultError::Corrupt(format!(
            "record {} decrypts to content of another commitment",
            hex::encode(commitment)
        )));
    }
    Ok(content)
}

/// Build the release of `content` (record `record`) for access `access`: every field disclosed when `allowed` is
/// `None`, else only the fields it names (a study's declared fields; the record's others withheld as leaves).
pub fn build_release(
    content: &RecordContent,
    record: u64,
    access: u64,
    allowed: Option<&[String]>,
) -> Result<Release, VaultError> {
    let fields: Vec<(&str, &str)> = content.fields.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
    let salts: Vec<Hash> = content.fields.iter().map(|f| f.salt).collect();
    publica_data::verify::build_release(record, access, &content.owner, &content.category, &fields, &salts, allowed)
        .map_err(|e| VaultError::Corrupt(format!("record {record}'s release cannot be built: {e}")))
}

/// A release sealed to its access's recipient key, with what `fulfil_access` reports of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedRelease {
    /// The sealed release, as served.
    pub sealed: HybridSealed,
    /// SHA-256 of its borsh bytes (`publica_client::data::release_digest`).
    pub sha256: Hash,
    /// Their length.
    pub bytes: u64,
}

/// Seal `release` to `recipient` for access `access` on `chain_id`. Fails when the recipient key does not
/// validate (its X25519 half of low order, its ML-KEM half not a key).
pub fn seal_release(
    release: &Release,
    recipient: &RecipientKey,
    chain_id: &ChainId,
    access: u64,
) -> Result<SealedRelease, VaultError> {
    let mut plaintext =
        serde_json::to_vec(release).map_err(|e| VaultError::Internal(format!("encoding a release: {e}")))?;
    let key = RecipientPublicKey { x25519: recipient.x25519, ml_kem: recipient.ml_kem.clone() };
    let sealed = seal_hybrid(&key, &release_context(chain_id, access), &plaintext)
        .map_err(|e| VaultError::Crypto(format!("the release of access {access} cannot be sealed: {e}")));
    plaintext.zeroize();
    let sealed = sealed?;
    let (sha256, bytes) = release_digest(&sealed);
    Ok(SealedRelease { sealed, sha256, bytes })
}

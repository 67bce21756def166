//! The record commitment and the check of a release against it: pure functions, reading no state. The vault uses
//! them to commit to a record and to build a release; every requester uses them to check what it received against
//! the commitment on the ledger.
//!
//! SHA-256 throughout; lengths are u32 big-endian:
//!
//! ```text
//! leaf(name, salt, value) = SHA-256("publica/data/field/v1" || len(name) || name || salt (32) || len(value) || value)
//! commitment = SHA-256("publica/data/record/v1" || owner (20 address bytes) || len(category) || category ||
//!                      u32(n) || for each field, names sorted bytewise and unique: len(name) || name || leaf)
//! ```
//!
//! A field's value bytes are its JSON value's exact text as the vault stored it (`"O+"` with its quotes, `42`,
//! `["penicillin"]`). Each field has its own random 32-byte salt, so a withheld field's leaf says nothing about
//! its value, and the commitment binds the record to its owner and category.
//!
//! A **release** ([`Release`], JSON) names the record, the access, the owner and the category, and lists every
//! field of the record by name, either disclosed (salt, value, and the leaf they give) or withheld (its leaf):
//!
//! ```json
//! {"record": 3, "access": 7, "owner": "0707…", "category": "health.summary",
//!  "fields": [{"name": "allergies", "withheld": {"leaf": "9f1c…"}},
//!             {"name": "blood_type", "disclosed": {"salt": "0101…", "value": "\"O+\"", "leaf": "52aa…"}}]}
//! ```
//!
//! [`check_release`] recomputes every disclosed leaf and the commitment, and checks that the disclosed fields are
//! exactly those the access allows: all of them, or the study's declared fields the record has.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use publica_crypto::sha256_concat;
use publica_types::{Address, Hash};

use crate::call::{check_field_name, MAX_FIELDS};
pub use crate::error::ReleaseError;
use crate::schema::{Access, Record};

/// Domain tag of a field's leaf.
pub const LEAF_TAG: &[u8] = b"publica/data/field/v1";
/// Domain tag of a record's commitment.
pub const RECORD_TAG: &[u8] = b"publica/data/record/v1";

/// The leaf of one field: its name, salt and value bytes.
pub fn leaf(name: &str, salt: &Hash, value: &[u8]) -> Hash {
    sha256_concat(&[LEAF_TAG, &len32(name.len()), name.as_bytes(), salt, &len32(value.len()), value])
}

/// The commitment to a record of `owner` in `category` with these fields' leaves, in any order: the names must be
/// valid field names, unique, and at most [`MAX_FIELDS`].
pub fn commitment(owner: &Address, category: &str, leaves: &[(&str, Hash)]) -> Result<Hash, ReleaseError> {
    if leaves.len() > MAX_FIELDS {
        return Err(ReleaseError::InvalidField(format!(
            "a record has at most {MAX_FIELDS} fields, not {}",
            leaves.len()
        )));
    }
    let mut sorted: Vec<&(&str, Hash)> = leaves.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(ReleaseError::DuplicateField(pair[0].0.to_owned()));
        }
    }
    for (name, _) in &sorted {
        check_field_name(name).map_err(ReleaseError::InvalidField)?;
    }
    let lengths: Vec<[u8; 4]> = sorted.iter().map(|(name, _)| len32(name.len())).collect();
    let (category_len, count) = (len32(category.len()), len32(sorted.len()));
    let mut parts: Vec<&[u8]> = vec![RECORD_TAG, owner.as_bytes(), &category_len, category.as_bytes(), &count];
    for ((name, leaf), length) in sorted.iter().zip(&lengths) {
        parts.extend([length.as_slice(), name.as_bytes(), leaf.as_slice()]);
    }
    Ok(sha256_concat(&parts))
}

/// What [`commit_fields`] computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedFields {
    /// Each field's leaf, in the order the fields were given.
    pub leaves: Vec<Hash>,
    /// The record's commitment.
    pub commitment: Hash,
}

/// Commit to a record: each field `(name, value bytes)` with its salt (`salts[i]` for `fields[i]`).
pub fn commit_fields(
    owner: &Address,
    category: &str,
    fields: &[(&str, &[u8])],
    salts: &[Hash],
) -> Result<CommittedFields, ReleaseError> {
    if fields.len() != salts.len() {
        return Err(ReleaseError::SaltCount { fields: fields.len(), salts: salts.len() });
    }
    let leaves: Vec<Hash> = fields.iter().zip(salts).map(|((name, value), salt)| leaf(name, salt, value)).collect();
    let named: Vec<(&str, Hash)> = fields.iter().zip(&leaves).map(|((name, _), leaf)| (*name, *leaf)).collect();
    let commitment = commitment(owner, category, &named)?;
    Ok(CommittedFields { leaves, commitment })
}

/// A record's fields as released to one access (JSON; see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The record's number.
    pub record: u64,
    /// The access's number.
    pub access: u64,
    /// The record's owner.
    pub owner: Address,
    /// The record's category.
    pub category: String,
    /// Every field of the record, disclosed or withheld.
    pub fields: Vec<ReleasedField>,
}

/// One field of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasedField {
    /// The field's name.
    pub name: String,
    /// Its content or its leaf.
    #[serde(flatten)]
    pub content: FieldContent,
}

/// A field disclosed or withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldContent {
    /// Its value, with the salt that opens its leaf.
    Disclosed {
        /// The field's salt.
        #[serde(with = "publica_types::codec::hex_hash")]
        salt: Hash,
        /// Its value: the JSON value's exact text.
        value: String,
        /// The leaf the vault committed to, which salt and value must give (when stated, a mismatch names the
        /// field).
        #[serde(default, skip_serializing_if = "Option::is_none", with = "publica_types::codec::hex_hash_opt")]
        leaf: Option<Hash>,
    },
    /// Only its leaf.
    Withheld {
        /// The field's leaf.
        #[serde(with = "publica_types::codec::hex_hash")]
        leaf: Hash,
    },
}

/// Build the release of a record for an access: `fields[i]` (name, JSON text) with `salts[i]`, disclosing the
/// fields `allowed` names (every field when `None`) and withholding the others.
pub fn build_release(
    record: u64,
    access: u64,
    owner: &Address,
    category: &str,
    fields: &[(&str, &str)],
    salts: &[Hash],
    allowed: Option<&[String]>,
) -> Result<Release, ReleaseError> {
    let as_bytes: Vec<(&str, &[u8])> = fields.iter().map(|(name, value)| (*name, value.as_bytes())).collect();
    let committed = commit_fields(owner, category, &as_bytes, salts)?;
    let mut released: Vec<ReleasedField> = fields
        .iter()
        .zip(salts)
        .zip(&committed.leaves)
        .map(|(((name, value), salt), leaf)| {
            let disclose = allowed.is_none_or(|allowed| allowed.iter().any(|a| a == name));
            let content = if disclose {
                FieldContent::Disclosed { salt: *salt, value: (*value).to_owned(), leaf: Some(*leaf) }
            } else {
                FieldContent::Withheld { leaf: *leaf }
            };
            ReleasedField { name: (*name).to_owned(), content }
        })
        .collect();
    released.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(Release { record, access, owner: *owner, category: category.to_owned(), fields: released })
}

/// What a release must match: the ledger's record and the access it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The record's number.
    pub record: u64,
    /// The access's number.
    pub access: u64,
    /// The record's owner.
    pub owner: &'a Address,
    /// The record's category.
    pub category: &'a str,
    /// The record's commitment.
    pub commitment: &'a Hash,
    /// How many fields the record committed to.
    pub fields: u16,
    /// The fields the access allows (`None`: every field; else a study's declared fields, of which those the
    /// record has must be disclosed).
    pub allowed: Option<&'a [String]>,
}

impl<'a> Expected<'a> {
    /// What a release for `access` to `record` must match, from their proven values.
    pub fn new(record: &'a Record, access: &'a Access) -> Result<Expected<'a>, ReleaseError> {
        if access.record != record.id {
            return Err(ReleaseError::WrongSubject {
                what: "record",
                expected: record.id.to_string(),
                found: format!("{} (the access's)", access.record),
            });
        }
        Ok(Expected {
            record: record.id,
            access: access.id,
            owner: &record.owner,
            category: &record.category,
            commitment: &record.commitment,
            fields: record.fields,
            allowed: access.fields.as_deref(),
        })
    }
}

/// Check a release against the ledger: the subject, every disclosed field's leaf, the commitment, and that the
/// disclosed fields are exactly those the access allows. Returns the disclosed fields (name → JSON text).
pub fn check_release(release: &Release, expected: &Expected<'_>) -> Result<BTreeMap<String, String>, ReleaseError> {
    let subject = [
        ("record", expected.record.to_string(), release.record.to_string()),
        ("access", expected.access.to_string(), release.access.to_string()),
        ("owner", expected.owner.to_string(), release.owner.to_string()),
        ("category", expected.category.to_owned(), release.category.clone()),
    ];
    if let Some((what, expected, found)) = subject.into_iter().find(|(_, e, f)| e != f) {
        return Err(ReleaseError::WrongSubject { what, expected, found });
    }
    if release.fields.len() != usize::from(expected.fields) {
        return Err(ReleaseError::FieldCount { expected: expected.fields, found: release.fields.len() });
    }
    let mut leaves = Vec::with_capacity(release.fields.len());
    let mut disclosed = BTreeMap::new();
    for field in &release.fields {
        check_field_name(&field.name).map_err(ReleaseError::InvalidField)?;
        let field_leaf = match &field.content {
            FieldContent::Disclosed { salt, value, leaf: stated } => {
                let computed = leaf(&field.name, salt, value.as_bytes());
                if stated.is_some_and(|stated| stated != computed) {
                    return Err(ReleaseError::LeafMismatch { field: field.name.clone() });
                }
                disclosed.insert(field.name.clone(), value.clone());
                computed
            }
            FieldContent::Withheld { leaf } => *leaf,
        };
        leaves.push((field.name.as_str(), field_leaf));
    }
    let computed = commitment(&release.owner, &release.category, &leaves)?;
    if computed != *expected.commitment {
        return Err(ReleaseError::commitment(expected.commitment, &computed));
    }
    let names: BTreeSet<&str> = release.fields.iter().map(|f| f.name.as_str()).collect();
    let allowed: BTreeSet<&str> = match expected.allowed {
        None => names.clone(),
        Some(declared) => declared.iter().map(String::as_str).filter(|n| names.contains(n)).collect(),
    };
    let not_allowed: Vec<String> = disclosed.keys().filter(|n| !allowed.contains(n.as_str())).cloned().collect();
    if !not_allowed.is_empty() {
        return Err(ReleaseError::FieldsNotAllowed(not_allowed));
    }
    let withheld: Vec<String> =
        allowed.iter().filter(|n| !disclosed.contains_key(**n)).map(|n| (*n).to_owned()).collect();
    if !withheld.is_empty() {
        return Err(ReleaseError::AllowedFieldsWithheld(withheld));
    }
    Ok(disclosed)
}

fn len32(len: usize) -> [u8; 4] {
    // Names are bounded by their checks and a release's values by its 16 MiB bound, so no length that can match a
    // commitment reaches 4 GiB; a longer value (which no vault commits to) hashes with the largest length.
    u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes()
}

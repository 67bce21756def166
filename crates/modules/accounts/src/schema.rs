//! State layout of the accounts module.
//!
//! | key | value |
//! |---|---|
//! | `acc/a/` ‖ address (20 bytes) | borsh [`AccountRecord`] |
//! | `acc/n/` ‖ address | next nonce, u64 little-endian (kept apart so a nonce bump rewrites 8 bytes, not a key) |
//! | `acc/g/` ‖ agency id | borsh [`AgencyRecord`] (with the roles it may grant) |
//! | `acc/c/` ‖ id commitment (32 bytes) | address of the citizen holding it |
//! | `acc/k/` ‖ address of a key | address of the account that key currently signs for |
//! | `acc/r/` ‖ address | how many keys the account has retired by rotation, u64 little-endian (absent: none) |
//! | `acc/h/` ‖ address ‖ n (u64 big-endian) | borsh [`RetiredKey`]: the n-th key it retired (0 = its first key) |
//!
//! The key index makes "one key backs one account" hold across rotations: an account's address is derived from
//! its first key, but after a rotation the account is signed by a key whose own address is not an account.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{codec, Address, AgencyId, Hash, PublicKeyBytes, Role};

/// An account.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct AccountRecord {
    /// The account's address (derived from its FIRST key; unchanged by rotation).
    pub address: Address,
    /// The current key, kept as raw bytes: it was validated when written, and is parsed again only when a
    /// signature by it has to be verified.
    pub public_key: PublicKeyBytes,
    /// Official of an agency or citizen.
    pub kind: AccountKind,
    /// Suspended accounts cannot send transactions.
    pub active: bool,
    /// Height at which the account was created (0 for genesis).
    pub created_at_height: u64,
    /// Who registered it (`None` for genesis accounts).
    pub registered_by: Option<Address>,
}

/// What an account is.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccountKind {
    /// An official of an agency with roles in it.
    Official {
        /// The agency.
        agency: AgencyId,
        /// Roles held in the agency.
        roles: Vec<Role>,
    },
    /// A citizen, known on the ledger only by a salted commitment to a national identifier.
    Citizen {
        /// The agency that registered the citizen.
        registered_by_agency: AgencyId,
        /// Salted commitment to the national identifier.
        #[serde(with = "publica_types::codec::hex_hash")]
        id_commitment: Hash,
    },
}

impl AccountRecord {
    /// Whether the account holds `role` (officials only).
    pub fn has_role(&self, role: &str) -> bool {
        matches!(&self.kind, AccountKind::Official { roles, .. } if roles.iter().any(|r| r.as_str() == role))
    }

    /// The agency of an official.
    pub fn agency(&self) -> Option<&AgencyId> {
        match &self.kind {
            AccountKind::Official { agency, .. } => Some(agency),
            AccountKind::Citizen { .. } => None,
        }
    }
}

/// An agency.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct AgencyRecord {
    /// Identifier.
    pub id: AgencyId,
    /// Public name.
    pub name: String,
    /// Whether its officials may register citizens.
    pub can_register_citizens: bool,
    /// The roles, besides `admin`, its administrators may grant, and so the only roles its officials can act
    /// under: from genesis, replaced only by a governance vote (`ValidatorChange::SetAgencyRoles`).
    pub roles: Vec<Role>,
}

impl AgencyRecord {
    /// Whether the agency may grant `role` (`admin` always).
    pub fn grants(&self, role: &str) -> bool {
        role == Role::ADMIN || self.roles.iter().any(|r| r.as_str() == role)
    }
}

/// An [`AgencyRecord`] read in place from its stored encoding, without decoding it: every transaction authorised
/// by a role asks whether the official's agency grants that role, and decoding the record (each of its roles a
/// checked, allocated string) cost as much as the rest of a light transaction's execution. The view walks the
/// borsh layout of the record's fields in order (`id`, `name`, `can_register_citizens`, `roles`), so it must
/// change with them; a test checks it against the decoder on many records.
#[derive(Clone, Copy, Debug)]
pub struct AgencyView<'a> {
    can_register_citizens: bool,
    /// The encoded roles: each a little-endian `u32` length and its bytes.
    roles: &'a [u8],
}

impl<'a> AgencyView<'a> {
    /// Read `bytes`, the encoding of an agency record; `None` if they are not one (a corrupt store).
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let mut rest = bytes;
        take_string(&mut rest)?;
        take_string(&mut rest)?;
        let (&flag, after) = rest.split_first()?;
        let can_register_citizens = match flag {
            0 => false,
            1 => true,
            _ => return None,
        };
        let (count, after) = after.split_first_chunk::<4>()?;
        let roles = after;
        rest = after;
        for _ in 0..u32::from_le_bytes(*count) {
            take_string(&mut rest)?;
        }
        rest.is_empty().then_some(Self { can_register_citizens, roles })
    }

    /// Whether its officials may register citizens.
    pub fn can_register_citizens(&self) -> bool {
        self.can_register_citizens
    }

    /// Whether the agency may grant `role` (`admin` always), as [`AgencyRecord::grants`].
    pub fn grants(&self, role: &str) -> bool {
        if role == Role::ADMIN {
            return true;
        }
        let mut rest = self.roles;
        while let Some(r) = take_string(&mut rest) {
            if r == role.as_bytes() {
                return true;
            }
        }
        false
    }
}

/// Take a borsh string (a little-endian `u32` length, then the bytes) from the front of `rest`.
fn take_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, after) = rest.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
    if after.len() < len {
        return None;
    }
    let (s, after) = after.split_at(len);
    *rest = after;
    Some(s)
}

/// A key an account used before a rotation, kept so that what it signed then can still be checked, and so that the
/// account's DID document has a history (`docs/did-publica.md`). Written by the rotation that replaced it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RetiredKey {
    /// The key.
    pub public_key: PublicKeyBytes,
    /// The first height whose state holds it: the account's creation, or the rotation that put it in place.
    pub from_height: u64,
    /// The time of the rotation that put it in place, Unix milliseconds (none for the account's first key).
    pub from_ms: Option<u64>,
    /// The height of the block whose rotation replaced it: the state at this height holds the next key.
    pub until_height: u64,
    /// The time of that block, Unix milliseconds.
    pub until_ms: u64,
}

impl RetiredKey {
    /// Whether this key was the account's key in the state at `height`.
    pub fn in_force_at(&self, height: u64) -> bool {
        self.from_height <= height && height < self.until_height
    }
}

/// Key of an account record.
pub fn account_key(address: &Address) -> Vec<u8> {
    [b"acc/a/".as_slice(), &address.0].concat()
}

/// Key of an account's next nonce.
pub fn nonce_key(address: &Address) -> Vec<u8> {
    [b"acc/n/".as_slice(), &address.0].concat()
}

/// Key of an agency record.
pub fn agency_key(agency: &AgencyId) -> Vec<u8> {
    [b"acc/g/".as_slice(), agency.as_str().as_bytes()].concat()
}

/// Key of the index from a signing key (by its address) to the account it signs for.
pub fn key_index_key(key_address: &Address) -> Vec<u8> {
    [b"acc/k/".as_slice(), &key_address.0].concat()
}

/// Key of the number of keys an account has retired.
pub fn retired_count_key(address: &Address) -> Vec<u8> {
    [b"acc/r/".as_slice(), &address.0].concat()
}

/// Key of the `n`-th key an account retired (0 = the key it was registered with).
pub fn retired_key_key(address: &Address, n: u64) -> Vec<u8> {
    [b"acc/h/".as_slice(), &address.0, &n.to_be_bytes()].concat()
}

/// Key of a citizen identifier commitment.
pub fn commitment_key(commitment: &Hash) -> Vec<u8> {
    [b"acc/c/".as_slice(), commitment].concat()
}

/// Decode a stored record. Records are written only by this module, so a failure means the store is corrupt.
pub(crate) fn decode_stored<T: BorshDeserialize + BorshSerialize>(what: &'static str, bytes: &[u8]) -> T {
    codec::decode_state(what, bytes, usize::MAX)
        .unwrap_or_else(|e| panic!("stored {what} does not decode ({e}); the state store is corrupt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of every shape the view must read: ids and names of many lengths (names with non-ASCII text),
    /// both flags, and 0 to 40 roles.
    fn records() -> Vec<AgencyRecord> {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        (0..400)
            .map(|i| {
                let id = format!("agency-{}", "x".repeat(next(40) as usize));
                let name = format!("Agence nationale {} é {i}", "∑".repeat(next(30) as usize));
                let roles = (0..next(41)).map(|r| format!("role-{r}-{}", "y".repeat(next(20) as usize))).collect();
                AgencyRecord {
                    id: id.parse().expect("a slug"),
                    name,
                    can_register_citizens: next(2) == 1,
                    roles: roles_of(roles),
                }
            })
            .collect()
    }

    fn roles_of(names: Vec<String>) -> Vec<Role> {
        let mut seen = std::collections::BTreeSet::new();
        names.into_iter().filter(|n| seen.insert(n.clone())).map(|n| n.parse().expect("a slug")).collect()
    }

    #[test]
    fn the_agency_view_reads_what_the_decoder_reads() {
        for record in records() {
            let bytes = codec::encode(&record);
            let view = AgencyView::parse(&bytes).expect("a record's encoding");
            assert_eq!(view.can_register_citizens(), record.can_register_citizens);
            let mut asked: Vec<String> = record.roles.iter().map(|r| r.as_str().to_owned()).collect();
            // Roles it does not grant: prefixes and extensions of its own, and others.
            asked.extend(record.roles.iter().map(|r| format!("{}x", r.as_str())));
            asked.extend(record.roles.iter().map(|r| r.as_str()[..r.as_str().len() - 1].to_owned()));
            asked.extend(["admin", "notary", "registrar", ""].map(str::to_owned));
            for role in &asked {
                assert_eq!(view.grants(role), record.grants(role), "{role} in {:?}", record.roles);
            }
        }
    }

    #[test]
    fn the_agency_view_refuses_bytes_that_are_not_a_record() {
        for record in records().into_iter().take(50) {
            let bytes = codec::encode(&record);
            for cut in 0..bytes.len() {
                assert!(AgencyView::parse(&bytes[..cut]).is_none(), "{cut} of {} bytes", bytes.len());
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(AgencyView::parse(&longer).is_none());
            let flag = 4 + record.id.as_str().len() + 4 + record.name.len();
            let mut bad_flag = bytes.clone();
            bad_flag[flag] = 2;
            assert!(AgencyView::parse(&bad_flag).is_none());
        }
    }
}

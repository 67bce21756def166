//! The bytes of one log entry.
//!
//! ```text
//! entry = 0x01                         format version
//!       || hash[32]                    SHA-256 of the anchored document
//!       || account[20]                 address of the official who anchored it
//!       || u8 n || agency[n]           the official's agency id (ASCII, 1..=64 bytes)
//!       || u64 height (big-endian)     block that appended the entry
//!       || u64 time_ms (big-endian)    that block's time, milliseconds since the Unix epoch
//!       || u8 m || label[m]            optional label (UTF-8, printable, 0..=128 bytes; m = 0 means none)
//! ```
//!
//! The log's leaf hash is `SHA-256(0x00 || entry)` (RFC 9162), so whoever holds the entry bytes and the document
//! recomputes the leaf without trusting anyone.

use publica_types::{Address, AgencyId, Hash};

use crate::NotaryError;

/// Version byte of the entry format.
pub const ENTRY_VERSION: u8 = 0x01;
/// Longest label of an anchoring, in bytes.
pub const MAX_ANCHOR_LABEL_BYTES: usize = 128;
/// Longest possible entry, in bytes.
pub const MAX_ENTRY_BYTES: usize = 1 + 32 + 20 + 1 + AgencyId::MAX_LEN + 8 + 8 + 1 + MAX_ANCHOR_LABEL_BYTES;

/// One anchored document, as recorded in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 of the document.
    pub hash: Hash,
    /// The anchoring official.
    pub account: Address,
    /// The official's agency.
    pub agency: AgencyId,
    /// Height of the block that appended the entry.
    pub height: u64,
    /// Time of that block, Unix milliseconds.
    pub time_ms: u64,
    /// Label given at anchoring, if any.
    pub label: Option<String>,
}

impl Entry {
    /// The entry's bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with_hash(&self.hash)
    }

    /// The bytes of this entry with another document hash (entries of one anchoring differ only in it).
    pub fn to_bytes_with_hash(&self, hash: &Hash) -> Vec<u8> {
        let agency = self.agency.as_str().as_bytes();
        let label = self.label.as_deref().unwrap_or("").as_bytes();
        let mut out = Vec::with_capacity(1 + 32 + 20 + 1 + agency.len() + 16 + 1 + label.len());
        out.push(ENTRY_VERSION);
        out.extend_from_slice(hash);
        out.extend_from_slice(self.account.as_bytes());
        // Lengths fit a byte: agency ids are at most 64 bytes, labels at most 128 (checked before anchoring).
        out.push(agency.len() as u8);
        out.extend_from_slice(agency);
        out.extend_from_slice(&self.height.to_be_bytes());
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.push(label.len() as u8);
        out.extend_from_slice(label);
        out
    }

    /// Parse entry bytes received from anyone (a receipt, a tile); every field is checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NotaryError> {
        let bad = |reason: String| NotaryError::MalformedEntry { reason };
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(bad(format!("{} bytes, more than the largest entry ({MAX_ENTRY_BYTES})", bytes.len())));
        }
        let mut r = Reader { bytes, pos: 0 };
        let version = r.take(1, "version")?[0];
        if version != ENTRY_VERSION {
            return Err(bad(format!("unknown format version {version} (this software reads version {ENTRY_VERSION})")));
        }
        let hash: Hash = r.take(32, "document hash")?.try_into().expect("32 bytes");
        let account = Address(r.take(20, "account")?.try_into().expect("20 bytes"));
        let n = r.take(1, "agency length")?[0] as usize;
        let agency = std::str::from_utf8(r.take(n, "agency")?).map_err(|_| bad("agency id is not UTF-8".into()))?;
        let agency = AgencyId::new(agency).map_err(|e| bad(format!("agency: {e}")))?;
        let height = u64::from_be_bytes(r.take(8, "height")?.try_into().expect("8 bytes"));
        let time_ms = u64::from_be_bytes(r.take(8, "time")?.try_into().expect("8 bytes"));
        let m = r.take(1, "label length")?[0] as usize;
        let label = std::str::from_utf8(r.take(m, "label")?).map_err(|_| bad("label is not UTF-8".into()))?;
        if r.pos != bytes.len() {
            return Err(bad(format!("{} bytes after the label", bytes.len() - r.pos)));
        }
        let label = if m == 0 {
            None
        } else {
            check_label(label).map_err(|e| bad(e.to_string()))?;
            Some(label.to_owned())
        };
        Ok(Self { hash, account, agency, height, time_ms, label })
    }
}

/// Check a label: printable UTF-8 (no control characters), 1 to [`MAX_ANCHOR_LABEL_BYTES`] bytes.
pub fn check_label(label: &str) -> Result<(), NotaryError> {
    if label.is_empty() || label.len() > MAX_ANCHOR_LABEL_BYTES {
        return Err(NotaryError::BadLabel {
            reason: format!("it is {} bytes; a label has 1 to {MAX_ANCHOR_LABEL_BYTES}", label.len()),
        });
    }
    if label.chars().any(char::is_control) {
        return Err(NotaryError::BadLabel { reason: "it contains control characters (newlines, tabs…)".into() });
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], NotaryError> {
        let end = self.pos + n;
        if end > self.bytes.len() {
            return Err(NotaryError::MalformedEntry { reason: format!("truncated in the {what}") });
        }
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }
}

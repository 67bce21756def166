//! Decentralized identifiers for accounts: the `did:publica` method (`docs/did-publica.md`).
//!
//! Every account has the DID `did:publica:<chain-id>:<address>`, its address in 40 lower-case hex digits. The DID
//! document is a function of the account's proven state alone: its record (the key, what kind of account it is,
//! whether it is active) and its key history (the keys it retired, [`RetiredKey`]). This module builds it, with
//! no I/O: the node serves it with the proofs of those keys, and a verifier rebuilds it from the proven values
//! and compares.
//!
//! A document has one version per key: version `v` is named by the height from which its key was the account's
//! key (the account's creation for its first key, then the height of each rotation).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use publica_types::{Address, ChainId, PublicKeyBytes};

use crate::schema::{AccountKind, AccountRecord, RetiredKey};

/// The method name.
pub const METHOD: &str = "publica";

/// Longest DID accepted by [`Did::parse`]: `did:publica:`, a chain id of at most 64 bytes, `:` and 40 hex digits.
pub const MAX_DID_BYTES: usize = 12 + ChainId::MAX_LEN + 1 + 40;

/// The JSON-LD contexts of a document: DID Core, and the JSON Web Key 2020 verification method type.
pub const CONTEXTS: [&str; 2] = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"];

/// The verification method type of both halves of an account's key.
pub const VERIFICATION_METHOD_TYPE: &str = "JsonWebKey2020";

/// Fragment of the ML-DSA-65 half of the key.
pub const ML_DSA_65_FRAGMENT: &str = "ml-dsa-65";

/// Fragment of the Ed25519 half of the key.
pub const ED25519_FRAGMENT: &str = "ed25519";

/// Fragment and type of an official's agency service.
pub const AGENCY_SERVICE: &str = "agency";

/// The service type naming an official's agency and roles.
pub const AGENCY_SERVICE_TYPE: &str = "PublicaAgency";

/// A `did:publica` identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Did {
    /// The network whose state holds the account.
    pub chain: ChainId,
    /// The account's address.
    pub address: Address,
}

impl Did {
    /// The DID of `address` on `chain`.
    pub fn new(chain: ChainId, address: Address) -> Self {
        Self { chain, address }
    }

    /// Parse `did:publica:<chain-id>:<40 lower-case hex digits>`; the error says which part is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_DID_BYTES {
            return Err(format!("a did:publica identifier has at most {MAX_DID_BYTES} characters"));
        }
        let mut parts = text.split(':');
        let (scheme, method) = (parts.next(), parts.next());
        if scheme != Some("did") {
            return Err("a DID starts with `did:`".into());
        }
        if method != Some(METHOD) {
            return Err(format!("only the `{METHOD}` method is resolved here (`did:{METHOD}:CHAIN:ADDRESS`)"));
        }
        let (Some(chain), Some(address), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("a did:{METHOD} identifier has exactly two parts after the method: CHAIN:ADDRESS"));
        };
        let chain = ChainId::new(chain).map_err(|e| format!("its chain id: {e}"))?;
        let valid_hex =
            address.len() == 40 && address.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid_hex {
            return Err("its address is 40 lower-case hexadecimal digits".into());
        }
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(address, &mut bytes).map_err(|e| format!("its address: {e}"))?;
        Ok(Self { chain, address: Address(bytes) })
    }

    /// The DID URL of one of the document's verification methods or services.
    pub fn url(&self, fragment: &str) -> String {
        format!("{self}#{fragment}")
    }
}

impl std::fmt::Display for Did {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "did:{METHOD}:{}:{}", self.chain, hex::encode(self.address.0))
    }
}

/// A DID document (W3C DID 1.0, JSON representation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DidDocument {
    /// [`CONTEXTS`].
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// The DID.
    pub id: String,
    /// The two halves of the account's key.
    pub verification_method: Vec<VerificationMethod>,
    /// Both halves: a signature is accepted only when both verify.
    pub authentication: Vec<String>,
    /// Both halves: what the account issues (credentials) is signed by both.
    pub assertion_method: Vec<String>,
    /// An official's agency and roles; none for citizens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<Service>,
}

/// One half of the account's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerificationMethod {
    /// `<did>#ml-dsa-65` or `<did>#ed25519`.
    pub id: String,
    /// [`VERIFICATION_METHOD_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The DID itself: an account controls its own key.
    pub controller: String,
    /// The key.
    pub public_key_jwk: Jwk,
}

/// A public key as a JSON Web Key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kty", deny_unknown_fields)]
pub enum Jwk {
    /// An ML-DSA public key (RFC 9964: key type `AKP`, `pub` the FIPS 204 encoding, base64url).
    #[serde(rename = "AKP")]
    Akp {
        /// `ML-DSA-65`.
        alg: String,
        /// The public key, base64url without padding.
        #[serde(rename = "pub")]
        public: String,
    },
    /// An Ed25519 public key (RFC 8037: key type `OKP`, curve `Ed25519`).
    #[serde(rename = "OKP")]
    Okp {
        /// `Ed25519`.
        crv: String,
        /// The public key, base64url without padding.
        x: String,
    },
}

/// A service of the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// `<did>#agency`.
    pub id: String,
    /// [`AGENCY_SERVICE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The agency and the roles the official holds in it.
    pub service_endpoint: AgencyEndpoint,
}

/// The agency an official acts for, and the roles held there (a map-valued service endpoint, as DID Core allows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEndpoint {
    /// The agency's identifier.
    pub agency: String,
    /// The roles held.
    pub roles: Vec<String>,
}

/// The document metadata of a resolution (DID Resolution, `didDocumentMetadata`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentMetadata {
    /// The height from which this version's key was the account's key, in decimal.
    pub version_id: String,
    /// When that key was put in place by a rotation (absent for the account's first key), RFC 3339 in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// For a past version: the height of the rotation that ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version_id: Option<String>,
    /// For a past version: when the rotation that ended it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// Whether the account is suspended now (present only when it is).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deactivated: bool,
}

/// Which version of a document is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionQuery {
    /// The current one.
    Latest,
    /// The one in force in the state at this height.
    AtHeight(u64),
    /// The one in force at this time, Unix milliseconds.
    AtTime(u64),
}

/// The state a version of a document is built from: the account record, how many keys it retired, and the
/// retired key that is this version's (none for the current version) or, for the current version, the last one
/// retired (none if it never rotated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionState {
    /// The account record (its current key, kind and whether it is active).
    pub record: AccountRecord,
    /// How many keys it retired.
    pub retired: u64,
    /// The retired key and its number: this version's own key when `past` is true, else the last one retired.
    pub entry: Option<(u64, RetiredKey)>,
    /// Whether the version is a past one (its key is `entry`'s, not the record's).
    pub past: bool,
}

impl VersionState {
    /// Check that the parts fit together as the state the accounts module writes would: the entry's number
    /// below the count; the last one for a current version; none only if nothing was retired.
    pub fn check(&self) -> Result<(), String> {
        match (&self.entry, self.past) {
            (None, true) => Err("a past version needs the retired key it was built from".into()),
            (None, false) if self.retired > 0 => {
                Err(format!("the account retired {} keys, but the last one is not given", self.retired))
            }
            (Some((n, _)), _) if *n >= self.retired => {
                Err(format!("retired key {n} is given but the account retired only {}", self.retired))
            }
            (Some((n, _)), false) if *n + 1 != self.retired => {
                Err(format!("the current version needs the last retired key ({}), not key {n}", self.retired - 1))
            }
            _ => Ok(()),
        }
    }

    /// The document of this version.
    pub fn document(&self, did: &Did) -> DidDocument {
        let (key, past) = match (&self.entry, self.past) {
            (Some((_, retired)), true) => (&retired.public_key, true),
            _ => (&self.record.public_key, false),
        };
        // An agency service shows the record's current agency and roles, so only the current version has it: roles
        // have no history here.
        document(did, key, if past { None } else { Some(&self.record.kind) })
    }

    /// The metadata of this version.
    pub fn metadata(&self) -> DocumentMetadata {
        let deactivated = !self.record.active;
        match (&self.entry, self.past) {
            (Some((_, k)), true) => DocumentMetadata {
                version_id: k.from_height.to_string(),
                updated: k.from_ms.map(format_datetime),
                next_version_id: Some(k.until_height.to_string()),
                next_update: Some(format_datetime(k.until_ms)),
                deactivated,
            },
            (Some((_, last)), false) => DocumentMetadata {
                version_id: last.until_height.to_string(),
                updated: Some(format_datetime(last.until_ms)),
                deactivated,
                ..DocumentMetadata::default()
            },
            (None, _) => DocumentMetadata {
                version_id: self.record.created_at_height.to_string(),
                deactivated,
                ..DocumentMetadata::default()
            },
        }
    }
}

/// The document of an account whose key is `key`; `kind` gives an official's agency service (none for a past
/// version or a citizen).
pub fn document(did: &Did, key: &PublicKeyBytes, kind: Option<&AccountKind>) -> DidDocument {
    let id = did.to_string();
    // A hybrid key's encoding is the ML-DSA-65 key followed by the 32-byte Ed25519 key.
    let bytes = key.as_bytes();
    let (ml_dsa, ed25519) = bytes.split_at(bytes.len() - 32);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let method = |fragment: &str, jwk: Jwk| VerificationMethod {
        id: did.url(fragment),
        kind: VERIFICATION_METHOD_TYPE.into(),
        controller: id.clone(),
        public_key_jwk: jwk,
    };
    let verification_method = vec![
        method(ML_DSA_65_FRAGMENT, Jwk::Akp { alg: "ML-DSA-65".into(), public: b64(ml_dsa) }),
        method(ED25519_FRAGMENT, Jwk::Okp { crv: "Ed25519".into(), x: b64(ed25519) }),
    ];
    let both = vec![did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT)];
    let service = match kind {
        Some(AccountKind::Official { agency, roles }) => vec![Service {
            id: did.url(AGENCY_SERVICE),
            kind: AGENCY_SERVICE_TYPE.into(),
            service_endpoint: AgencyEndpoint {
                agency: agency.to_string(),
                roles: roles.iter().map(ToString::to_string).collect(),
            },
        }],
        _ => Vec::new(),
    };
    DidDocument {
        context: CONTEXTS.iter().map(|c| c.to_string()).collect(),
        id,
        verification_method,
        authentication: both.clone(),
        assertion_method: both,
        service,
    }
}

/// An instant as DID Core writes `created` and `updated`: RFC 3339 in UTC, whole seconds.
pub fn format_datetime(ms: u64) -> String {
    let text = publica_types::time::format_time_ms(ms - ms % 1000);
    text.replace(".000Z", "Z")
}

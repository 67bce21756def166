//! Validated names: chain ids, agency ids and roles.
//!
//! All three are short ASCII slugs (`[a-z0-9-]`, starting with a letter or digit) so that they print safely in
//! logs, URLs and signed-note text, and so that two names never differ only by case or Unicode normalisation.
//! Validation runs in every constructor and in every decoder (borsh and serde): an invalid name cannot exist.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::TypesError;

fn check_slug(kind: &'static str, value: &str, max_len: usize) -> Result<(), TypesError> {
    let ok_len = !value.is_empty() && value.len() <= max_len;
    let ok_chars = value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_start = value.bytes().next().is_some_and(|b| b != b'-');
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err(TypesError::InvalidName {
            kind,
            value: value.chars().take(80).collect(),
            rule: format!("1 to {max_len} characters of a-z, 0-9 and '-', not starting with '-'"),
        })
    }
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Validate and wrap a name.
            pub fn new(value: impl Into<String>) -> Result<Self, TypesError> {
                let value = value.into();
                check_slug($kind, &value, Self::MAX_LEN)?;
                Ok(Self(value))
            }

            /// The name as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = TypesError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl BorshDeserialize for $name {
            fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
                // Read the length first so that a hostile prefix cannot make us allocate.
                let len = u32::deserialize_reader(reader)? as usize;
                if len > Self::MAX_LEN {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} longer than {} bytes", $kind, Self::MAX_LEN),
                    ));
                }
                let mut buf = vec![0u8; len];
                reader.read_exact(&mut buf)?;
                let s = String::from_utf8(buf)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
                Self::new(s).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as Deserialize>::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

slug_type!(
    /// The identifier of a Publica network. It is part of every signed message, so a signature made for one
    /// network is worthless on another.
    ChainId,
    "chain id",
    64
);

slug_type!(
    /// The identifier of an agency, e.g. `land-registry`.
    AgencyId,
    "agency id",
    64
);

slug_type!(
    /// A role held by an official within an agency, e.g. `registrar`. Modules declare which roles may call what.
    Role,
    "role",
    32
);

impl Role {
    /// Administers an agency: registers its officials and sets their roles.
    pub const ADMIN: &'static str = "admin";
    /// Registers citizens' accounts, in an agency allowed to do so.
    pub const CITIZEN_REGISTRAR: &'static str = "citizen-registrar";
    /// Anchors document hashes in the notary log on behalf of the agency.
    pub const NOTARY: &'static str = "notary";

    /// The administrator role.
    pub fn admin() -> Self {
        Self(Self::ADMIN.to_owned())
    }

    /// The notary role.
    pub fn notary() -> Self {
        Self(Self::NOTARY.to_owned())
    }

    /// The citizen registrar role.
    pub fn citizen_registrar() -> Self {
        Self(Self::CITIZEN_REGISTRAR.to_owned())
    }
}

/// The identifier of a registry record chosen by its registrar: a cadastral parcel number (`GE-01.10.12.003`), a
/// permit number. 1 to [`RecordId::MAX_LEN`] characters of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
///
/// The character set excludes `/`, so an identifier can sit between separators of a state key unambiguously.
/// Validation runs in the constructor and in both decoders: an invalid identifier cannot exist.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// Longest accepted identifier, in bytes.
    pub const MAX_LEN: usize = 64;

    /// Validate and wrap an identifier.
    pub fn new(value: impl Into<String>) -> Result<Self, TypesError> {
        let value = value.into();
        let ok_len = !value.is_empty() && value.len() <= Self::MAX_LEN;
        let ok_chars = value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        let ok_start = value.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
        if ok_len && ok_chars && ok_start {
            Ok(Self(value))
        } else {
            Err(TypesError::InvalidName {
                kind: "record id",
                value: value.chars().take(80).collect(),
                rule: format!(
                    "1 to {} characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
                    Self::MAX_LEN
                ),
            })
        }
    }

    /// The identifier as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({:?})", self.0)
    }
}

impl std::str::FromStr for RecordId {
    type Err = TypesError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl BorshDeserialize for RecordId {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        // The length is read first and bounded, so a hostile prefix cannot make the decoder allocate.
        let len = u32::deserialize_reader(reader)? as usize;
        if len > Self::MAX_LEN {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("record id longer than {} bytes", Self::MAX_LEN),
            ));
        }
        let mut buf = vec![0u8; len];
        reader.read_exact(&mut buf)?;
        let s = String::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Self::new(s).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

//! Strict base64url and strict JSON: the two decoders every token passes through.
//!
//! base64url is RFC 4648 §5 without padding, and only the canonical encoding is accepted: no `=`, no byte outside
//! the alphabet, no non-zero trailing bits. JSON refuses a member that appears twice in one object (RFC 8259 leaves
//! the meaning open and parsers disagree, which is how two verifiers come to read two different tokens).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::CredentialError;

/// The prefix of the deserializer's message for a repeated member, recognised when mapping errors.
const DUPLICATE_PREFIX: &str = "duplicate member ";

/// Encodes bytes as base64url without padding.
pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes strict base64url without padding; `what` names the field in the error.
pub fn b64_decode(what: &'static str, text: &str) -> Result<Vec<u8>, CredentialError> {
    URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|e| CredentialError::malformed(what, format!("not canonical unpadded base64url ({e})")))
}

/// Parses a JSON text, refusing any object that names a member twice.
pub fn parse_strict(what: &'static str, bytes: &[u8]) -> Result<Value, CredentialError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = deserializer.deserialize_any(StrictVisitor).map_err(|e| map_error(what, e))?;
    deserializer.end().map_err(|e| map_error(what, e))?;
    Ok(value)
}

/// Parses a JSON text that must be an object.
pub fn parse_object(what: &'static str, bytes: &[u8]) -> Result<Map<String, Value>, CredentialError> {
    match parse_strict(what, bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(CredentialError::malformed(what, "not a JSON object")),
    }
}

/// Decodes a base64url segment and parses it as a JSON object.
pub(crate) fn b64_object(what: &'static str, segment: &str) -> Result<Map<String, Value>, CredentialError> {
    parse_object(what, &b64_decode(what, segment)?)
}

fn map_error(what: &'static str, error: serde_json::Error) -> CredentialError {
    let message = error.to_string();
    match message.strip_prefix(DUPLICATE_PREFIX) {
        Some(rest) => {
            let name = rest.split(" at line ").next().unwrap_or(rest).trim_matches('`').to_string();
            CredentialError::DuplicateMember { at: what, name }
        }
        None => CredentialError::malformed(what, format!("invalid JSON ({message})")),
    }
}

/// Builds a [`Value`] like serde_json does, but fails on a repeated object member.
struct StrictVisitor;

impl<'de> de::Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

/// A [`Value`] deserialized through [`StrictVisitor`] (nested values must be strict too).
struct StrictValue(Value);

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("{DUPLICATE_PREFIX}`{key}`")));
            }
            let StrictValue(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Reads a required string member.
pub(crate) fn get_str<'a>(
    what: &'static str,
    map: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a str, CredentialError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(CredentialError::malformed(what, format!("`{name}` is not a string"))),
        None => Err(CredentialError::malformed(what, format!("`{name}` is missing"))),
    }
}

/// Reads an optional NumericDate member (RFC 7519: seconds since the epoch; a non-negative integer here).
pub(crate) fn get_time(
    what: &'static str,
    map: &Map<String, Value>,
    name: &str,
) -> Result<Option<u64>, CredentialError> {
    match map.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| CredentialError::malformed(what, format!("`{name}` is not a non-negative integer"))),
    }
}

/// Serializes a JSON object to its compact text (members in the order of the map).
pub(crate) fn to_bytes(map: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(map).expect("a JSON map with string keys always serializes")
}

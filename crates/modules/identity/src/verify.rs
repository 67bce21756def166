//! The verifier's side of the identity module: decisions taken from proven records alone, reading no state.
//!
//! **Accreditation.** "Was issuer X accredited for type T at time t, through a chain up to a root?" A node answers
//! with [`accreditation_chain`](crate::query::accreditation_chain) (every record from X's accreditation up to the
//! root, with the keys to prove); the verifier checks the proofs, decodes the records and calls
//! [`accredited_at`], which accepts exactly when, for the links `chain[0] … chain[n-1]`:
//!
//! 1. the chain is not empty and has at most [`MAX_ACCREDITATION_CHAIN_LINKS`] links (else *not accredited*,
//!    *chain too long*);
//! 2. `chain[0].issuer` is X (else *not accredited*);
//! 3. every link is for type T (else *other type*);
//! 4. every link joins the next: `chain[i].parent == Some(chain[i+1].id)` and `chain[i].accredited_by ==
//!    chain[i+1].issuer`; the last link has no parent, i.e. it was made by a trust root (else *broken chain*);
//! 5. when the verifier names the roots it trusts, the last link's accreditor is one of them (else *untrusted
//!    root*);
//! 6. every link is in force at t: `valid_from_ms <= t` (else *accredited only after*), `t < valid_until_ms` (else
//!    *accreditation expired*), and not revoked at or before t: `revoked_at_ms` is absent or after t (else
//!    *revoked*).
//!
//! Checks run link by link from the issuer's end, in that order for each link, so the error names the first
//! failing check of the link closest to the issuer. Revoking a link therefore ends, from its revocation on, every
//! accreditation made under it: no cascade of writes is needed.
//!
//! **Status.** The status of entry i of a list, from its proven header and the proven chunk that holds it
//! ([`status_at`]): the chunk's absence proves the entry valid.

use publica_types::Address;

use crate::error::IdentityError;
use crate::schema::{Accreditation, StatusListHeader};
pub use crate::tx::MAX_ACCREDITATION_CHAIN_LINKS;

/// Decide whether `issuer` was accredited for `credential_type` at `at_ms` through `chain` (the proven records
/// from the issuer's accreditation up to its root; see the module's rule). `trusted_roots`, when given, are the
/// only accreditors of a root link the verifier accepts. Returns the issuer's own accreditation.
pub fn accredited_at<'a>(
    issuer: &Address,
    credential_type: &str,
    at_ms: u64,
    chain: &'a [Accreditation],
    trusted_roots: Option<&[Address]>,
) -> Result<&'a Accreditation, IdentityError> {
    let first = chain.first().ok_or_else(|| {
        IdentityError::NotAccredited(format!("no accreditation is given for {issuer} and {credential_type:?}"))
    })?;
    if chain.len() > MAX_ACCREDITATION_CHAIN_LINKS {
        return Err(IdentityError::ChainTooLong { links: chain.len(), max: MAX_ACCREDITATION_CHAIN_LINKS });
    }
    if first.issuer != *issuer {
        return Err(IdentityError::NotAccredited(format!(
            "accreditation {} names issuer {}, not {issuer}",
            first.id, first.issuer
        )));
    }
    for (i, link) in chain.iter().enumerate() {
        if link.credential_type != credential_type {
            return Err(IdentityError::OtherType {
                id: link.id,
                found: link.credential_type.clone(),
                expected: credential_type.to_owned(),
            });
        }
        check_join(link, chain.get(i + 1), trusted_roots)?;
        check_in_force(link, at_ms)?;
    }
    Ok(first)
}

/// Rule 4 and 5 for one link and the next one up (`None` for the last link).
fn check_join(
    link: &Accreditation,
    up: Option<&Accreditation>,
    trusted_roots: Option<&[Address]>,
) -> Result<(), IdentityError> {
    match (link.parent, up) {
        (Some(parent), Some(up)) if parent == up.id && link.accredited_by == up.issuer => Ok(()),
        (Some(parent), Some(up)) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made by {} under accreditation {parent}, but the next link is accreditation {} of {}",
            link.id, link.accredited_by, up.id, up.issuer
        ))),
        (Some(parent), None) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made under accreditation {parent}, which is missing: the chain does not reach a root",
            link.id
        ))),
        (None, Some(up)) => Err(IdentityError::BrokenChain(format!(
            "accreditation {} was made by a root, yet accreditation {} follows it",
            link.id, up.id
        ))),
        (None, None) => match trusted_roots {
            Some(roots) if !roots.contains(&link.accredited_by) => {
                Err(IdentityError::UntrustedRoot(link.accredited_by))
            }
            _ => Ok(()),
        },
    }
}

/// Rule 6 for one link.
fn check_in_force(link: &Accreditation, at_ms: u64) -> Result<(), IdentityError> {
    if at_ms < link.valid_from_ms {
        return Err(IdentityError::AccreditedOnlyAfter { id: link.id, valid_from_ms: link.valid_from_ms, at_ms });
    }
    if at_ms >= link.valid_until_ms {
        return Err(IdentityError::AccreditationExpired { id: link.id, valid_until_ms: link.valid_until_ms, at_ms });
    }
    match link.revoked_at_ms {
        Some(revoked_at_ms) if revoked_at_ms <= at_ms => {
            Err(IdentityError::Revoked { id: link.id, revoked_at_ms, at_ms })
        }
        _ => Ok(()),
    }
}

/// Which of an issuer's accreditations for a type (in the order they were made) a credential issued at `at_ms`
/// relies on: the latest one in force then, else the latest one, so that a verifier refuses it naming why (too
/// early, expired, revoked). `None` when there is none.
pub fn accreditation_for(records: &[Accreditation], at_ms: u64) -> Option<&Accreditation> {
    records.iter().rev().find(|r| r.in_force_at(at_ms)).or(records.last())
}

/// The status of entry `index` (0 valid, 1 revoked, 2 suspended) of the list `header`, from the proven chunk that
/// holds it (chunk number `header.chunk_of(index)`; `None` when the proof shows it absent: every entry valid).
/// Refuses an index out of range and a chunk of the wrong length.
pub fn status_at(header: &StatusListHeader, index: u32, chunk: Option<&[u8]>) -> Result<u8, IdentityError> {
    if index >= header.capacity {
        return Err(IdentityError::StatusIndexOutOfRange { index, capacity: header.capacity });
    }
    if header.bits != 1 && header.bits != 2 {
        return Err(IdentityError::MalformedChunk(format!("a list has 1 or 2 bits per entry, not {}", header.bits)));
    }
    let Some(chunk) = chunk else { return Ok(0) };
    let expected = header.chunk_len(header.chunk_of(index));
    if chunk.len() != expected {
        return Err(IdentityError::MalformedChunk(format!(
            "chunk {} of this list has {expected} bytes, the one given has {}",
            header.chunk_of(index),
            chunk.len()
        )));
    }
    Ok(header.read_entry(chunk, index))
}

/// The JSON Schema 2020-12 keywords a Publica credential schema may use: the subset a verifier checks offline with
/// no regular-expression engine and no remote references. A schema using any other keyword is refused at
/// registration, so every registered schema is fully checkable.
pub const SCHEMA_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "items",
    "minItems",
    "maxItems",
    "format",
];

/// Deepest nesting of schemas accepted (objects in arrays in objects…).
pub const MAX_SCHEMA_DEPTH: usize = 8;

/// Check that `schema` uses only [`SCHEMA_KEYWORDS`], with values of the right kind, nested at most
/// [`MAX_SCHEMA_DEPTH`] deep; the error names the keyword and where.
pub fn check_schema_subset(schema: &serde_json::Value) -> Result<(), String> {
    check_subschema(schema, "#", 0)
}

fn check_subschema(schema: &serde_json::Value, at: &str, depth: usize) -> Result<(), String> {
    use serde_json::Value;
    if depth > MAX_SCHEMA_DEPTH {
        return Err(format!("{at}: schemas nest at most {MAX_SCHEMA_DEPTH} deep"));
    }
    let object = match schema {
        Value::Bool(_) => return Ok(()),
        Value::Object(object) => object,
        _ => return Err(format!("{at}: a schema is an object or a boolean")),
    };
    for (keyword, value) in object {
        let bad = |what: &str| Err(format!("{at}/{keyword}: {what}"));
        match keyword.as_str() {
            "$schema" | "$id" | "title" | "description" | "format" if !value.is_string() => return bad("is a string"),
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                const TYPES: [&str; 7] = ["string", "number", "integer", "boolean", "object", "array", "null"];
                if names.is_empty() || names.iter().any(|n| !n.as_str().is_some_and(|n| TYPES.contains(&n))) {
                    return bad("is one of string, number, integer, boolean, object, array, null, or a list of them");
                }
            }
            "properties" => {
                let properties = value.as_object().ok_or_else(|| format!("{at}/properties: is an object"))?;
                for (name, sub) in properties {
                    check_subschema(sub, &format!("{at}/properties/{name}"), depth + 1)?;
                }
            }
            "required" if !value.as_array().is_some_and(|r| r.iter().all(Value::is_string)) => {
                return bad("is a list of names")
            }
            "additionalProperties" if !value.is_boolean() => return bad("is true or false here"),
            "enum" if !value.is_array() => return bad("is a list"),
            "minLength" | "maxLength" | "minItems" | "maxItems" if !value.is_u64() => {
                return bad("is a non-negative integer")
            }
            "minimum" | "maximum" if !value.is_number() => return bad("is a number"),
            "items" => check_subschema(value, &format!("{at}/items"), depth + 1)?,
            known if SCHEMA_KEYWORDS.contains(&known) => {}
            other => {
                return Err(format!(
                    "{at}: the keyword {other:?} is not one a verifier checks offline; a credential schema uses {}",
                    SCHEMA_KEYWORDS.join(", ")
                ))
            }
        }
    }
    Ok(())
}

/// Check the claims a presentation shows against its type's schema (one [`check_schema_subset`] accepts): each
/// claim shown must satisfy its property's schema, and no claim may be shown that the schema does not name when it
/// says `"additionalProperties": false`. `required` is not asserted at the top level: a holder may choose not to
/// disclose a claim the credential has; it is asserted inside disclosed values.
pub fn check_claims(
    schema: &serde_json::Value,
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    let properties = schema.get("properties").and_then(serde_json::Value::as_object);
    let closed = schema.get("additionalProperties") == Some(&serde_json::Value::Bool(false));
    for (name, value) in claims {
        match properties.and_then(|p| p.get(name)) {
            Some(sub) => check_value(sub, value, name)?,
            None if closed => return Err(format!("claim {name:?} is not one the type's schema allows")),
            None => {}
        }
    }
    Ok(())
}

// Long: one arm per keyword of the subset, each a line or two.
fn check_value(schema: &serde_json::Value, value: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value;
    let object = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: the schema allows no value here")),
        Value::Object(object) => object,
        _ => return Ok(()),
    };
    let fail = |why: String| Err(format!("{at}: {why}"));
    if let Some(types) = object.get("type") {
        let names: Vec<&str> = match types {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            other => other.as_str().into_iter().collect(),
        };
        let is = |name: &str| match name {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "null" => value.is_null(),
            _ => false,
        };
        if !names.iter().any(|n| is(n)) {
            return fail(format!("is {value}, not of type {}", names.join(" or ")));
        }
    }
    if let Some(allowed) = object.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return fail(format!("{value} is not one of the values the schema lists"));
        }
    }
    if let Some(expected) = object.get("const") {
        if expected != value {
            return fail(format!("is {value}, the schema requires {expected}"));
        }
    }
    if let Some(text) = value.as_str() {
        let length = text.chars().count() as u64;
        if object.get("minLength").and_then(Value::as_u64).is_some_and(|min| length < min) {
            return fail("is shorter than the schema's minLength".to_string());
        }
        if object.get("maxLength").and_then(Value::as_u64).is_some_and(|max| length > max) {
            return fail("is longer than the schema's maxLength".to_string());
        }
    }
    if let Some(number) = value.as_f64() {
        if object.get("minimum").and_then(Value::as_f64).is_some_and(|min| number < min) {
            return fail(format!("{number} is below the schema's minimum"));
        }
        if object.get("maximum").and_then(Value::as_f64).is_some_and(|max| number > max) {
            return fail(format!("{number} is above the schema's maximum"));
        }
    }
    if let Some(items) = value.as_array() {
        let count = items.len() as u64;
        if object.get("minItems").and_then(Value::as_u64).is_some_and(|min| count < min)
            || object.get("maxItems").and_then(Value::as_u64).is_some_and(|max| count > max)
        {
            return fail(format!("has {count} items, outside the schema's minItems..maxItems"));
        }
        if let Some(item_schema) = object.get("items") {
            for (i, item) in items.iter().enumerate() {
                check_value(item_schema, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(fields) = value.as_object() {
        let properties = object.get("properties").and_then(Value::as_object);
        for name in object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !fields.contains_key(name) {
                return fail(format!("lacks the required member {name:?}"));
            }
        }
        let closed = object.get("additionalProperties") == Some(&Value::Bool(false));
        for (name, member) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(sub) => check_value(sub, member, &format!("{at}.{name}"))?,
                None if closed => return fail(format!("has the member {name:?}, which the schema does not allow")),
                None => {}
            }
        }
    }
    Ok(())
}

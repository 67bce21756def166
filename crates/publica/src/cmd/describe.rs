//! Plain text for people: JSON answers rendered as indented `field: value` lines, with dates in ISO 8601 (UTC),
//! long keys and signatures abbreviated, and proven state values decoded into the records they hold. Every
//! command that prints this also takes `--json` for the exact document.

use publica_types::codec;
use publica_types::time::format_time_ms;
use serde_json::Value;

/// Longest text shown whole; longer strings (keys, signatures, encodings) are abbreviated.
const MAX_SHOWN_CHARS: usize = 72;

/// Characters kept at each end of an abbreviated string.
const ABBREVIATED_ENDS: usize = 12;

/// `value` as indented lines: objects as `field: value` (fields in words), lists item by item, times (fields
/// ending in `_ms` that hold a Unix time) as ISO 8601 dates, long strings abbreviated.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    render_into(&mut out, value, 0);
    out
}

fn render_into(out: &mut String, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let label = name.strip_suffix("_ms").unwrap_or(name).replace('_', " ");
                if is_scalar(field) || is_empty(field) {
                    out.push_str(&format!("{pad}{label}: {}\n", scalar(name, field)));
                } else if let Some(items) = field.as_array().filter(|a| a.iter().all(is_scalar)) {
                    let items: Vec<String> = items.iter().map(|i| scalar(name, i)).collect();
                    out.push_str(&format!("{pad}{label}: {}\n", items.join(", ")));
                } else {
                    out.push_str(&format!("{pad}{label}:\n"));
                    render_into(out, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_scalar(item) {
                    out.push_str(&format!("{pad}- {}\n", scalar("", item)));
                } else {
                    out.push_str(&format!("{pad}-\n"));
                    render_into(out, item, depth + 1);
                }
            }
        }
        scalar_value => out.push_str(&format!("{pad}{}\n", scalar("", scalar_value))),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(o) => o.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// One value in words: `name` is its field's name (a time when it ends in `_ms`).
fn scalar(name: &str, value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => match n.as_u64() {
            // Unix milliseconds after 2001: a date. Durations (`*_ms` below that) stay numbers.
            Some(ms) if name.ends_with("_ms") && ms >= 1_000_000_000_000 => format_time_ms(ms),
            _ => n.to_string(),
        },
        Value::String(s) if name == "type" => s.replace('_', " "),
        Value::String(s) => abbreviate(s),
        Value::Object(o) if o.is_empty() => "none".into(),
        Value::Array(a) if a.is_empty() => "none".into(),
        other => other.to_string(),
    }
}

/// A long string as its two ends and its length: `xZrCINfcRBZV…5e3f (2,648 characters)`.
pub fn abbreviate(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= MAX_SHOWN_CHARS {
        return text.to_owned();
    }
    let head: String = chars[..ABBREVIATED_ENDS].iter().collect();
    let tail: String = chars[chars.len() - ABBREVIATED_ENDS..].iter().collect();
    format!("{head}…{tail} ({} characters)", chars.len())
}

/// A state key as text where it is text (`reg/parcel/NV-A1-101/h`), the binary rest in hex
/// (`acc/a/` followed by an address).
pub fn key_text(key: &[u8]) -> String {
    let printable = key.iter().position(|b| !(0x21..0x7f).contains(b)).unwrap_or(key.len());
    let (text, rest) = key.split_at(printable);
    let text = std::str::from_utf8(text).expect("printable ASCII is UTF-8");
    if rest.is_empty() {
        text.to_owned()
    } else {
        format!("{text}{}", hex::encode(rest))
    }
}

/// The record a proven state value holds, decoded by its key's module (accounts, registry versions, governance
/// proposals, nonces, counters); `None` for values with no decoding here (shown by size).
pub fn state_value(key: &[u8], value: &[u8]) -> Option<Value> {
    use publica_accounts::AccountRecord;
    let json = |v: serde_json::Result<Value>| v.ok();
    if key.starts_with(b"acc/a/") {
        let record: AccountRecord = codec::decode_canonical("account record", value, usize::MAX).ok()?;
        return json(serde_json::to_value(record));
    }
    if key.starts_with(b"acc/n/") {
        let nonce = u64::from_le_bytes(value.try_into().ok()?);
        return Some(serde_json::json!({ "next_nonce": nonce }));
    }
    if key.starts_with(b"acc/k/") {
        let account = publica_types::Address(value.try_into().ok()?);
        return Some(serde_json::json!({ "signs_for_account": account.to_string() }));
    }
    if key.starts_with(b"gov/p/") {
        let proposal: publica_governance::Proposal =
            codec::decode_canonical("governance proposal", value, usize::MAX).ok()?;
        return json(serde_json::to_value(proposal));
    }
    if key.starts_with(b"reg/") {
        return registry_value(key, value);
    }
    if key.starts_with(b"dat/") {
        return data_value(key, value);
    }
    None
}

/// A data module's stored value, by its key's kind: records, consents, accesses, court orders, emergencies,
/// studies and their counters, retention rules, representations, a commitment's record number, counters. List
/// heads and nodes are left to their size.
fn data_value(key: &[u8], value: &[u8]) -> Option<Value> {
    use publica_data::schema::{
        Access, Consent, CourtOrder, Emergency, Record, Representation, RetentionRule, Study, StudyCounters,
        MAX_STORED_BYTES,
    };
    // One decoding per stored type, each a canonical borsh value of at most the module's bound.
    macro_rules! decode {
        ($what:literal, $type:ty) => {
            codec::decode_canonical::<$type>($what, value, MAX_STORED_BYTES)
                .ok()
                .and_then(|decoded| serde_json::to_value(decoded).ok())
        };
    }
    let kind = key.strip_prefix(b"dat/")?;
    let kind = &kind[..kind.iter().position(|b| *b == b'/')?];
    match kind {
        b"r" => decode!("data record", Record),
        b"c" => decode!("consent", Consent),
        b"a" => decode!("access", Access),
        b"o" => decode!("court order", CourtOrder),
        b"e" => decode!("emergency", Emergency),
        b"s" => decode!("study", Study),
        b"sa" => decode!("study counters", StudyCounters),
        b"ret" => decode!("retention rule", RetentionRule),
        b"rep" => decode!("representation", Representation),
        b"rc" => Some(serde_json::json!({ "record": u64::from_le_bytes(value.try_into().ok()?) })),
        b"next" => Some(serde_json::json!({ "next": u64::from_le_bytes(value.try_into().ok()?) })),
        _ => None,
    }
}

/// A registry record's version (by the kind its encoding starts with), or a record's version count.
fn registry_value(key: &[u8], value: &[u8]) -> Option<Value> {
    use publica_registry::schema::{
        Application, Company, Encumbrance, FilingRecord, Parcel, Permit, Record, RecordKind, Title, Version,
    };
    fn decode<T: Record + serde::Serialize>(value: &[u8]) -> Option<Value> {
        let version: Version<T> = codec::decode_canonical("record version", value, usize::MAX).ok()?;
        serde_json::to_value(version).ok()
    }
    if key.ends_with(b"/h") {
        let versions = u32::from_le_bytes(value.try_into().ok()?);
        return Some(serde_json::json!({ "versions": versions }));
    }
    let kind: RecordKind = codec::decode_canonical("record kind", value.get(..1)?, 1).ok()?;
    match kind {
        RecordKind::Parcel => decode::<Parcel>(value),
        RecordKind::Title => decode::<Title>(value),
        RecordKind::Encumbrance => decode::<Encumbrance>(value),
        RecordKind::Application => decode::<Application>(value),
        RecordKind::Permit => decode::<Permit>(value),
        RecordKind::Company => decode::<Company>(value),
        RecordKind::Filing => decode::<FilingRecord>(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_become_dates_long_strings_are_abbreviated_and_types_read_as_words() {
        let text = render(&serde_json::json!({
            "time_ms": 1_796_245_084_000u64,
            "timeout_ms": 5000,
            "public_key": "A".repeat(2648),
            "decision": { "type": "not_yet_valid", "roles": ["clerk", "surveyor"] },
            "active": true,
            "encumbrances": [],
        }));
        assert!(text.contains("time: 2026-12-02T"), "{text}");
        assert!(text.contains("timeout: 5000"), "{text}");
        assert!(text.contains("public key: AAAAAAAAAAAA…AAAAAAAAAAAA (2648 characters)"), "{text}");
        assert!(text.contains("decision:\n  roles: clerk, surveyor\n  type: not yet valid\n"), "{text}");
        assert!(text.contains("active: yes") && text.contains("encumbrances: none"), "{text}");
    }

    #[test]
    fn keys_show_their_text_and_their_binary_rest_in_hex() {
        assert_eq!(key_text(b"reg/parcel/NV-A1-101/h"), "reg/parcel/NV-A1-101/h");
        assert_eq!(key_text(&[b"acc/a/".as_slice(), &[0xb7, 0x51]].concat()), "acc/a/b751");
    }

    #[test]
    fn a_stored_nonce_and_a_version_count_decode() {
        assert_eq!(state_value(b"acc/n/xx", &7u64.to_le_bytes()).unwrap()["next_nonce"], 7);
        assert_eq!(state_value(b"reg/parcel/T-1/h", &2u32.to_le_bytes()).unwrap()["versions"], 2);
        assert_eq!(state_value(b"acc/n/xx", b"short"), None, "a value of the wrong size is not guessed at");
    }

    #[test]
    fn a_data_record_and_a_commitment_index_decode_and_list_nodes_are_left_alone() {
        use publica_data::schema::{commitment_key, record_key, Record, RecordState};
        let record = Record {
            id: 3,
            agency: "hospital".parse().unwrap(),
            owner: publica_types::Address([1; 20]),
            category: "health.summary".into(),
            commitment: [7; 32],
            fields: 4,
            registered_by: publica_types::Address([2; 20]),
            registered_at_ms: 1_767_225_600_000,
            height: 9,
            state: RecordState::Active,
        };
        let shown = state_value(&record_key(3), &codec::encode(&record)).unwrap();
        assert_eq!(shown["category"], "health.summary");
        assert_eq!(shown["state"], "active");
        assert_eq!(state_value(&commitment_key(&[7; 32]), &3u64.to_le_bytes()).unwrap()["record"], 3);
        assert_eq!(state_value(b"dat/oa/xxxxxxxxxxxxxxxxxxxx", &[0; 3]), None);
        assert_eq!(state_value(&record_key(3), b"not a record"), None);
    }
}

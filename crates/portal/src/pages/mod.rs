//! The pages, one module per area. Each handler reads what it shows from the API ([`crate::api::Api`]) and
//! renders it in the visitor's language; a failed read becomes an error page that says what was wrong.

pub mod business;
pub mod contracts;
pub mod data;
pub mod elections;
pub mod errors;
pub mod explorer;
pub mod finance;
pub mod home;
pub mod land;
pub mod notary;
pub mod permits;
pub mod procurement;
pub mod services;

use serde::Serialize;

/// The name a value has in its JSON form: a string, or the tag of a tagged enum.
pub(crate) fn json_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value).unwrap_or_default() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Object(o) => match o.get("type").and_then(|t| t.as_str()) {
            Some(t) => t.to_string(),
            None => o.keys().next().cloned().unwrap_or_default(),
        },
        other => other.to_string(),
    }
}

//! What the API tests check every answer against: the OpenAPI document's schemas, its declared statuses and
//! content types, the proofs of a proven answer, the stable code of a refusal.

use axum::http::StatusCode;
use publica_verify::{verify_document, VerifiedSets};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::{Reply, TestNet};

pub fn document() -> Value {
    serde_json::from_str(publica_api::openapi::DOCUMENT).unwrap()
}

/// Why `value` does not match `schema` of the OpenAPI document, if it does not: the JSON Schema keywords the
/// document uses (`$ref`, `oneOf`, `enum`, `const`, `type`, lengths, bounds, `items`, `required`, `properties`,
/// `additionalProperties`), patterns aside.
pub fn mismatch(doc: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    if let Some(target) = schema["$ref"].as_str() {
        let pointer = target.strip_prefix('#').expect("a local reference");
        return mismatch(doc, doc.pointer(pointer).unwrap_or_else(|| panic!("{target} points nowhere")), value, at);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let matching = options.iter().filter(|s| mismatch(doc, s, value, at).is_none()).count();
        return (matching != 1).then(|| format!("{at}: {matching} of the oneOf options match {value}"));
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            return Some(format!("{at}: {value} is not one of {values:?}"));
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            return Some(format!("{at}: {value} is not {constant}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let type_of = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.is_empty() && !types.contains(&type_of) {
        return Some(format!("{at}: {value} is a {type_of}, not {types:?}"));
    }
    match value {
        Value::String(s) => {
            let chars = s.chars().count() as u64;
            if schema["minLength"].as_u64().is_some_and(|min| chars < min)
                || schema["maxLength"].as_u64().is_some_and(|max| chars > max)
            {
                return Some(format!("{at}: {s:?} has a length outside the schema's"));
            }
        }
        Value::Number(n) => {
            let n = n.as_u64().unwrap_or(0);
            if schema["minimum"].as_u64().is_some_and(|min| n < min)
                || schema["maximum"].as_u64().is_some_and(|max| n > max)
            {
                return Some(format!("{at}: {n} is outside the schema's bounds"));
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if schema["minItems"].as_u64().is_some_and(|min| len < min)
                || schema["maxItems"].as_u64().is_some_and(|max| len > max)
            {
                return Some(format!("{at}: {len} items, outside the schema's bounds"));
            }
            if schema.get("items").is_some() {
                for (i, item) in items.iter().enumerate() {
                    if let Some(why) = mismatch(doc, &schema["items"], item, &format!("{at}[{i}]")) {
                        return Some(why);
                    }
                }
            }
        }
        Value::Object(object) => {
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    return Some(format!("{at}: required {name} is missing"));
                }
            }
            for (name, v) in object {
                match schema["properties"].get(name) {
                    Some(s) => {
                        if let Some(why) = mismatch(doc, s, v, &format!("{at}.{name}")) {
                            return Some(why);
                        }
                    }
                    None if schema["additionalProperties"] == json!(false) => {
                        return Some(format!("{at}: {name} is not declared"))
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
    None
}

/// Check `reply` against the operation `method template`: its status is declared, and its body is of the declared
/// schema (the error envelope for an error).
#[track_caller]
pub fn assert_documented(method: &str, template: &str, reply: &Reply) {
    let doc = document();
    let operation = &doc["paths"][template][method];
    assert!(operation.is_object(), "{method} {template} is not documented");
    let status = reply.status.as_str();
    let declared = &operation["responses"][status];
    assert!(declared.is_object(), "{method} {template} does not declare status {status}: {}", reply.text());
    let declared = match declared["$ref"].as_str() {
        Some(target) => doc.pointer(target.strip_prefix('#').unwrap()).unwrap().clone(),
        None => declared.clone(),
    };
    let media = reply.content_type.as_str();
    let schema = &declared["content"][media]["schema"];
    assert!(schema.is_object(), "{method} {template} {status} does not declare the content type {media}");
    if media.starts_with("application/json") {
        if let Some(why) = mismatch(&doc, schema, &reply.json(), "answer") {
            panic!("{method} {template} {status}: {why}\n{}", reply.text());
        }
    }
}

/// Check a value against a schema of the document by name.
#[track_caller]
pub fn assert_schema(name: &str, value: &Value) {
    let doc = document();
    if let Some(why) = mismatch(&doc, &json!({"$ref": format!("#/components/schemas/{name}")}), value, name) {
        panic!("{why}\n{value}");
    }
}

/// A 200 answer, verified offline, checked against the document, decoded into `T` and encoded again to the very
/// JSON served.
#[track_caller]
pub fn proven<T: DeserializeOwned + Serialize>(net: &TestNet, method: &str, template: &str, reply: &Reply) -> T {
    assert_eq!(reply.status, StatusCode::OK, "{template}: {}", reply.text());
    verify_document(&reply.bytes, &VerifiedSets::genesis_only(net.node.genesis()))
        .unwrap_or_else(|e| panic!("{template}: the answer does not verify offline: {e}"));
    assert_documented(method, template, reply);
    let decoded: T = serde_json::from_slice(&reply.bytes).unwrap_or_else(|e| panic!("{template}: {e}"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), reply.json(), "{template}: the client type loses nothing");
    decoded
}

/// Assert a refusal with `code` (a generic or a module's), documented for the operation; its message.
#[track_caller]
pub fn refused(reply: &Reply, method: &str, template: &str, status: StatusCode, code: &str) -> String {
    let json = reply.json();
    assert_eq!(reply.status, status, "{template}: {json}");
    assert_eq!(json["error"]["code"], code, "{template}: {json}");
    let number = publica_execution::error_codes()
        .into_iter()
        .find(|c| c.as_str() == code)
        .unwrap_or_else(|| panic!("{code} is no code of the ledger"))
        .number();
    assert_eq!(json["error"]["number"], number, "{json}");
    assert_documented(method, template, reply);
    json["error"]["message"].as_str().unwrap().to_owned()
}

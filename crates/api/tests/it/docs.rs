//! The OpenAPI document agrees with the router and with the error codes, and has the shape OpenAPI 3.1 requires.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use publica_types::ErrorCode;
use serde_json::Value;

use crate::TestNet;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    serde_json::from_str(publica_api::openapi::DOCUMENT).expect("openapi.json is JSON")
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            assert!(METHODS.contains(&method.as_str()), "{path}: {method} is not an HTTP method");
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn document_lists_exactly_the_routes() {
    let doc = document();
    let routes: BTreeSet<(String, String)> =
        // OpenAPI writes axum's catch-all `{*name}` as a plain `{name}` parameter.
        publica_api::ROUTES.iter().map(|r| (r.method.to_owned(), r.path.replace("{*", "{"))).collect();
    assert_eq!(routes.len(), publica_api::ROUTES.len(), "a route is listed twice");
    let documented = documented_operations(&doc);
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&routes).collect();
    assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
    assert!(unserved.is_empty(), "openapi.json describes routes the router lacks: {unserved:?}");
}

/// A concrete path for a template, with every parameter filled in.
fn concrete(template: &str) -> String {
    template
        .replace("{id}", &"00".repeat(32))
        .replace("{height}", "1")
        .replace("{address}", &"00".repeat(20))
        .replace("{key}", "00")
        .replace("{hash}", &"00".repeat(32))
        .replace("{path}", "0/000")
        .replace("{number}", "10000017")
        .replace("{owner}", &"00".repeat(20))
        .replace("{list}", "0")
        .replace("{index}", "0")
        .replace("{credential}", "2")
        .replace("{trustee}", "1")
        .replace("{step}", "1")
        .replace("{did}", &format!("did:publica:api-test:{}", "00".repeat(20)))
        .replace("{code}", "EUR")
        .replace("{agency}", "land-registry")
        .replace("{year}", "2026")
        .replace("{scheme}", "child-benefit")
        .replace("{period}", "202601")
        .replace("{nullifier}", &"00".repeat(32))
}

#[tokio::test]
async fn router_serves_every_documented_operation() {
    let net = TestNet::new();
    for (method, path) in documented_operations(&document()) {
        let uri = concrete(&path);
        assert!(!uri.contains('{'), "{path} has a parameter the test does not know");
        let request = Request::builder().method(Method::from_bytes(method.as_bytes()).unwrap()).uri(&uri);
        let reply = net.call(request.body(Body::empty()).unwrap()).await;
        assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}: {}", reply.text());
        if reply.status == StatusCode::NOT_FOUND {
            // A 404 from a handler (no such block) is fine; one from the router's fallback is not.
            let message = reply.json()["error"]["message"].as_str().unwrap().to_owned();
            assert!(!message.starts_with("no route serves"), "{method} {uri}: {message}");
        }
    }
    // The router's own fallback does answer so for an undocumented path: the check above can fail.
    let reply = net.get("/v1/undocumented").await;
    assert!(reply.json()["error"]["message"].as_str().unwrap().starts_with("no route serves"));
}

#[tokio::test]
async fn document_is_served() {
    let net = TestNet::new();
    let reply = net.get("/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), document());
}

/// Every `$ref` in `value`, recursively.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().expect("$ref is a string").to_owned());
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn document_has_the_openapi_3_1_shape() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info needs title and version");
    let schemas = doc["components"]["schemas"].as_object().expect("components.schemas");
    assert!(schemas.contains_key("Error"));
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(operation_ids.insert(id.to_owned()), "operationId {id} repeats");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} has no responses"));
            assert!(!responses.is_empty());
            for (status, response) in responses {
                assert!(status.len() == 3 && status.parse::<u16>().is_ok(), "{method} {path}: status {status}");
                if status.starts_with('4') || status.starts_with('5') {
                    let target = response["$ref"].as_str().unwrap_or_else(|| panic!("{method} {path} {status}"));
                    let name = target.strip_prefix("#/components/responses/").unwrap();
                    let schema = &doc["components"]["responses"][name]["content"]["application/json"]["schema"];
                    assert_eq!(schema["$ref"], "#/components/schemas/Error", "{method} {path} {status}");
                }
            }
            // Every template parameter is declared, and every declared path parameter is in the template.
            let mut declared = BTreeSet::new();
            for p in op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let p = resolve(&doc, p);
                assert!(p["schema"].is_object(), "{method} {path}: parameter without schema");
                if p["in"] == "path" {
                    assert_eq!(p["required"], true, "{method} {path}: path parameters are required");
                    declared.insert(p["name"].as_str().unwrap().to_owned());
                }
            }
            let in_template: BTreeSet<String> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .map(str::to_owned)
                .collect();
            assert_eq!(declared, in_template, "{method} {path}");
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} is not a local reference"));
        assert!(doc.pointer(pointer).is_some(), "{r} points nowhere");
    }
}

/// Every `required` anywhere in the document is a list of names, of the schema's own properties when it admits
/// no others: a malformed one is skipped by the answer checks here and breaks other people's tools (fuzzers, code
/// generators).
#[test]
fn every_required_list_names_properties_of_its_schema() {
    fn walk(value: &Value, at: &str, wrong: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(required) = map.get("required").and_then(Value::as_array) {
                    let properties = map.get("properties").and_then(Value::as_object);
                    let closed = map.get("additionalProperties") == Some(&Value::Bool(false));
                    for name in required {
                        // A closed schema can only require the properties it lists; an open one (an outside
                        // format's, loosely described) may require any name.
                        let listed = |n: &str| properties.is_some_and(|p| p.contains_key(n));
                        let known = name.as_str().is_some_and(|n| !closed || listed(n));
                        if !known {
                            wrong.push(format!("{at}: required {name} is not one of its properties' names"));
                        }
                    }
                }
                for (key, child) in map {
                    walk(child, &format!("{at}/{key}"), wrong);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), wrong);
                }
            }
            _ => {}
        }
    }
    let mut wrong = Vec::new();
    walk(&document(), "#", &mut wrong);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => doc.pointer(r.strip_prefix('#').unwrap()).unwrap(),
        None => value,
    }
}

#[test]
fn document_lists_every_error_code() {
    let doc = document();
    let listed: Vec<&str> = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let codes: Vec<&str> = publica_execution::error_codes().iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes);
}

#[test]
fn documented_error_statuses_match_the_code_table() {
    // Each shared error response names its codes in its description; each code must sit under its own status.
    let doc = document();
    let responses = doc["components"]["responses"].as_object().unwrap();
    let status_of = |name: &str| match name {
        "BadRequest" => 400,
        "Forbidden" => 403,
        "NotFound" => 404,
        "Conflict" => 409,
        "TooLarge" => 413,
        "UnsupportedMediaType" => 415,
        "Unprocessable" => 422,
        "Internal" => 500,
        "Unavailable" => 503,
        other => panic!("unexpected shared response {other}"),
    };
    for &code in ErrorCode::ALL {
        let status = publica_api::http_status(code).as_u16();
        let homes: Vec<u16> = responses
            .iter()
            .filter(|(_, r)| {
                r["description"]
                    .as_str()
                    .unwrap()
                    .split(|c: char| !c.is_ascii_lowercase() && c != '_')
                    .any(|w| w == code.as_str())
            })
            .map(|(name, _)| status_of(name))
            .collect();
        assert!(
            homes.contains(&status),
            "{} ({status}) is not described under status {status}: {homes:?}",
            code.as_str()
        );
    }
}

#[test]
fn api_doc_lists_every_error_code_with_its_status() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md");
    let doc = std::fs::read_to_string(path).expect("docs/api.md");
    for code in publica_execution::error_codes() {
        let prefix = format!("| `{}` | {} | ", code.as_str(), code.number());
        let row = doc
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("docs/api.md has no row for {}", code.as_str()));
        let status = publica_api::http_status(code.class()).as_u16().to_string();
        assert!(row[prefix.len()..].starts_with(&status), "docs/api.md gives {} another status: {row}", code.as_str());
        if code != code.class() {
            let class = format!("{status} | `{}` | ", code.class().as_str());
            assert!(
                row[prefix.len()..].starts_with(&class),
                "docs/api.md gives {} another class: {row}",
                code.as_str()
            );
        }
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `") && l.contains(" | ")).count();
    assert!(rows >= publica_execution::error_codes().len());
}

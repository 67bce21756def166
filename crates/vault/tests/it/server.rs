//! The HTTP interface without sockets: statuses, JSON errors, the body bound.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use publica_client::api::vault::{
    IngestResponse, RecordHolding, RecordStatusResponse, VaultStatusResponse, MAX_INGEST_BODY_BYTES,
};
use publica_client::api::ErrorEnvelope;
use publica_client::data::{check_sealed_release, open_release};
use publica_client::vault::{ReleaseAnswer, VaultClient, VaultRefusal};
use publica_data::call::{Basis, DataCall};
use publica_vault::server::router;
use serde_json::json;
use tower::ServiceExt as _;

use crate::{World, TREATMENT};

async fn call(service: &Arc<publica_vault::Service>, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = router(Arc::clone(service)).oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap();
    (status, body.to_vec())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn post(body: Vec<u8>) -> Request<Body> {
    Request::post("/vault/v1/records").header("content-type", "application/json").body(Body::from(body)).unwrap()
}

fn error(body: &[u8]) -> (String, String) {
    let envelope: ErrorEnvelope = serde_json::from_slice(body).unwrap();
    (envelope.error.code, envelope.error.message)
}

#[tokio::test]
async fn the_routes_answer_json_with_their_statuses() {
    let w = World::new();
    let service = Arc::new(w.service());

    let body = serde_json::to_vec(&w.ingest_request(w.alice, json!({"blood_type": "O+"}))).unwrap();
    let (status, body) = call(&service, post(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let answer: IngestResponse = serde_json::from_slice(&body).unwrap();
    let id = answer.record.unwrap();

    let (status, body) = call(&service, get(&format!("/vault/v1/records/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), json!({"record": id, "state": "held"}));
    let _: RecordStatusResponse = serde_json::from_slice(&body).unwrap();

    let (status, body) = call(&service, get("/vault/v1/status")).await;
    assert_eq!(status, StatusCode::OK);
    let status_answer: VaultStatusResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(status_answer.agency.as_str(), "hospital");

    let (status, body) = call(&service, Request::delete("/vault/v1/status").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error(&body).0, "malformed_request");

    for (path, expected, code) in [
        ("/vault/v1/records/999", StatusCode::NOT_FOUND, "not_found"),
        ("/vault/v1/records/abc", StatusCode::BAD_REQUEST, "malformed_request"),
        ("/vault/v1/records/0", StatusCode::BAD_REQUEST, "malformed_request"),
        ("/vault/v1/releases/4", StatusCode::NOT_FOUND, "not_found"),
        ("/vault/v1/nothing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (status, body) = call(&service, get(path)).await;
        assert_eq!(status, expected, "{path}");
        assert_eq!(error(&body).0, code, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ingest_body_is_bounded_parsed_strictly_and_refused_in_json() {
    let w = World::new();
    let service = Arc::new(w.service());

    let (status, body) = call(&service, post(vec![b' '; MAX_INGEST_BODY_BYTES + 1])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (code, message) = error(&body);
    assert_eq!(code, "request_too_large");
    assert!(message.contains("1 MiB"), "{message}");

    let (status, body) = call(&service, post(b"{\"request\": 1}".to_vec())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&body).1.contains("not an ingest request"));

    let text = serde_json::to_string(&w.ingest_request(w.alice, json!({"a": 1})))
        .unwrap()
        .replace(r#""fields":{"a":1}"#, r#""fields":{"a":1,"a":2}"#);
    assert!(text.contains(r#""a":2"#));
    let (status, body) = call(&service, post(text.into_bytes())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&body).1.contains("given twice"), "{}", error(&body).1);

    let doctor =
        serde_json::to_vec(&w.ingest_by("doctor", w.doctor, w.alice, "health.summary", json!({"a": 1}))).unwrap();
    let (status, body) = call(&service, post(doctor)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error(&body).0, "not_permitted");

    let bad_owner = serde_json::to_vec(&w.ingest_request(w.doctor, json!({"a": 1}))).unwrap();
    let (status, body) = call(&service, post(bad_owner)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&body).0, "owner_not_a_citizen");
}

#[test]
fn the_vault_client_speaks_to_a_served_vault() {
    let w = World::new();
    let service = Arc::new(w.service());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = publica_vault::server::connection_limits(None).unwrap();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = runtime.spawn(publica_vault::server::serve(Arc::clone(&service), listener, limits, shutdown));
    let client = VaultClient::new(&addr.to_string()).unwrap();

    let answer = client.ingest(&w.ingest_request(w.alice, json!({"blood_type": "O+"}))).unwrap();
    let record = answer.record.unwrap();
    assert_eq!(client.record_status(record).unwrap().unwrap().state, RecordHolding::Held);
    assert_eq!(client.record_status(999).unwrap(), None);
    let refused = client.ingest(&w.ingest_request(w.doctor, json!({"a": 1}))).unwrap_err();
    let refusal = refused.downcast_ref::<VaultRefusal>().expect("a vault's refusal");
    assert_eq!((refusal.status, refusal.code.as_str()), (422, "owner_not_a_citizen"));

    let consent = w.consent_to_doctor(w.alice);
    let (access, secret) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    assert!(matches!(client.release(access).unwrap(), ReleaseAnswer::NotYet(_)));
    service.process_once().unwrap();
    let ReleaseAnswer::Sealed(sealed) = client.release(access).unwrap() else { panic!("the release is served") };
    let release = open_release(&secret, &w.ledger.chain_id, access, &sealed).unwrap();
    let fields = check_sealed_release(&w.access(access), &w.record(record), &sealed, &release).unwrap();
    assert_eq!(fields["blood_type"], r#""O+""#);

    w.ok(w.alice, DataCall::OrderErasure { record });
    service.process_once().unwrap();
    let erased = client.record_status(record).unwrap().unwrap();
    assert!(matches!(erased.state, RecordHolding::Erased { tx: Some(_), .. }));
    assert!(matches!(client.release(access).unwrap(), ReleaseAnswer::Gone(m) if m.contains("record_erased")));
    let status = client.status().unwrap();
    assert_eq!((status.agency.as_str(), status.queue.last_access), ("hospital", Some(access)));

    stop.send(()).unwrap();
    runtime.block_on(server).unwrap().unwrap();
}

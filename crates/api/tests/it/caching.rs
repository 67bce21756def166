//! HTTP caching: entity tags, `304 Not Modified`, and which answers are immutable.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::{key, Reply, TestNet};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn get_if_none_match(net: &TestNet, uri: &str, tags: &str) -> Reply {
    net.call(Request::get(uri).header(header::IF_NONE_MATCH, tags).body(Body::empty()).unwrap()).await
}

fn etag(reply: &Reply) -> String {
    reply.headers.get(header::ETAG).unwrap_or_else(|| panic!("no ETag: {}", reply.text())).to_str().unwrap().to_owned()
}

fn cache_control(reply: &Reply) -> &str {
    reply.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

#[tokio::test]
async fn answers_carry_etags_and_revalidate_until_a_write_changes_them() {
    let net = TestNet::new();
    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    net.commit_block();
    let account = format!("/v1/accounts/{}", key(10).address());

    // The tag is stable while the answer is, and is the SHA-256 prefix of the body.
    let first = net.get(&account).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let tag = etag(&first);
    assert_eq!(tag, publica_api::cache::etag(&first.bytes));
    assert_eq!(cache_control(&first), "no-cache", "the current state is revalidated");
    let again = net.get(&account).await;
    assert_eq!(etag(&again), tag);
    assert_eq!(again.bytes, first.bytes);

    // A matching If-None-Match, alone, weak, in a list or `*`: 304 with no body and the same caching fields.
    for condition in [tag.clone(), format!("W/{tag}"), format!("\"other\", {tag}"), "*".to_owned()] {
        let reply = get_if_none_match(&net, &account, &condition).await;
        assert_eq!(reply.status, StatusCode::NOT_MODIFIED, "If-None-Match: {condition}");
        assert!(reply.bytes.is_empty());
        assert_eq!(etag(&reply), tag);
        assert_eq!(cache_control(&reply), "no-cache");
        assert!(reply.headers.get(header::CONTENT_TYPE).is_none());
    }
    // A tag that does not match, or a malformed condition: the full answer.
    for condition in ["\"other\"", "not-a-tag"] {
        let reply = get_if_none_match(&net, &account, condition).await;
        assert_eq!(reply.status, StatusCode::OK, "If-None-Match: {condition}");
        assert_eq!(reply.bytes, first.bytes);
    }

    // A write (another official, registered in a new block) changes the answer's certified header, so the old tag
    // no longer matches.
    assert_eq!(net.post_raw("/v1/transactions", net.register(1, 11).encode()).await.status, StatusCode::ACCEPTED);
    net.commit_block();
    let changed = get_if_none_match(&net, &account, &tag).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(etag(&changed), tag);
    assert!(!changed.bytes.is_empty());

    // A past block by height is immutable; the latest block is not.
    let past = net.get("/v1/blocks/1").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(cache_control(&past), IMMUTABLE);
    let past_tag = etag(&past);
    assert_eq!(get_if_none_match(&net, "/v1/blocks/1", &past_tag).await.status, StatusCode::NOT_MODIFIED);
    let latest = net.get("/v1/blocks/latest").await;
    assert_eq!(latest.status, StatusCode::OK);
    assert_eq!(cache_control(&latest), "no-cache");
    assert!(latest.headers.get(header::ETAG).is_some());

    // Errors and POSTs carry neither an ETag nor caching, even with a condition that would match anything.
    let missing = get_if_none_match(&net, "/v1/blocks/99", "*").await;
    missing.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(missing.headers.get(header::ETAG).is_none());
    assert!(missing.headers.get(header::CACHE_CONTROL).is_none());
    let refused = net.get(&format!("/v1/state/{}", hex::encode(b"fin/w/x"))).await;
    refused.assert_error(StatusCode::FORBIDDEN, "not_permitted");
    assert!(refused.headers.get(header::ETAG).is_none());
    let post = net
        .call(
            Request::post("/v1/transactions")
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::IF_NONE_MATCH, "*")
                .body(Body::from(net.register(2, 12).encode()))
                .unwrap(),
        )
        .await;
    assert_eq!(post.status, StatusCode::ACCEPTED);
    assert!(post.headers.get(header::ETAG).is_none());
    assert!(post.headers.get(header::CACHE_CONTROL).is_none());
}

/// Every GET of the document declares the 304 answer, the caching headers of its 200 and `If-None-Match`; no
/// other method does.
#[test]
fn the_document_declares_caching_on_every_get_and_only_there() {
    let doc: serde_json::Value = serde_json::from_str(publica_api::openapi::DOCUMENT).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let declares_304 = op["responses"].get("304").is_some();
            let params = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
            let takes_condition = params.iter().any(|p| p["$ref"] == "#/components/parameters/IfNoneMatch");
            let headers = &op["responses"]["200"]["headers"];
            if method == "get" {
                assert!(declares_304 && takes_condition, "GET {path}");
                assert_eq!(headers["ETag"]["$ref"], "#/components/headers/ETag", "GET {path}");
                assert_eq!(headers["Cache-Control"]["$ref"], "#/components/headers/CacheControl", "GET {path}");
            } else {
                assert!(!declares_304 && !takes_condition, "{method} {path}");
            }
        }
    }
}

/// One router keeps immutable answers: the same bytes, tag and 304 come back for a past block, while answers about
/// the current state follow the chain.
#[tokio::test]
async fn a_router_serves_kept_immutable_answers_and_builds_the_others_again() {
    use tower::ServiceExt as _;

    let net = TestNet::new();
    assert_eq!(net.post_raw("/v1/transactions", net.register(0, 10).encode()).await.status, StatusCode::ACCEPTED);
    net.commit_block();
    let router = publica_api::router(net.node.clone());
    let ask = |uri: &str, tag: Option<&str>| {
        let mut request = Request::get(uri);
        if let Some(tag) = tag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let router = router.clone();
        let request = request.body(Body::empty()).unwrap();
        async move { Reply::read(router.oneshot(request).await.unwrap()).await }
    };
    // A HEAD first must not leave an empty answer behind for the GETs.
    let head =
        Reply::read(router.clone().oneshot(Request::head("/v1/blocks/1").body(Body::empty()).unwrap()).await.unwrap())
            .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.bytes.is_empty());
    let first = ask("/v1/blocks/1", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!first.bytes.is_empty());
    net.commit_block();
    let kept = ask("/v1/blocks/1", None).await;
    assert_eq!((kept.status, &kept.bytes, etag(&kept)), (StatusCode::OK, &first.bytes, etag(&first)));
    assert_eq!(kept.content_type, first.content_type);
    assert_eq!(cache_control(&kept), IMMUTABLE);
    let not_modified = ask("/v1/blocks/1", Some(&etag(&first))).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.bytes.is_empty());
    let head =
        Reply::read(router.clone().oneshot(Request::head("/v1/blocks/1").body(Body::empty()).unwrap()).await.unwrap())
            .await;
    assert_eq!((head.status, etag(&head)), (StatusCode::OK, etag(&first)));
    assert!(head.bytes.is_empty());
    // The latest block is built again: it is block 2 now.
    let latest = ask("/v1/blocks/latest", None).await;
    assert_eq!(latest.json()["height"], 2);
}

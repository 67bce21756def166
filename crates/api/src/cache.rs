//! HTTP caching of the API's answers: strong entity tags, conditional `GET`s and `Cache-Control`, so that browsers,
//! reverse proxies and CDNs may keep what the node proves and ask again cheaply.
//!
//! # Entity tags and `304 Not Modified`
//!
//! Every `200` answer to a `GET` carries a strong `ETag`: the first 18 bytes of the SHA-256 of its
//! body, base64url, quoted (`"q9Vv…"`, 24 characters). Two answers have the same tag exactly when their bodies are
//! the same bytes, whichever node made them. A request whose `If-None-Match` names that tag (or is `*`) gets
//! `304 Not Modified` with no body and the same `ETag` and `Cache-Control` (RFC 9110 §13.1.2: a list of tags,
//! weak comparison, so `W/"…"` matches its strong twin; §15.4.5 for what a 304 carries). A malformed
//! `If-None-Match` is ignored: the full answer is sent.
//!
//! An answer that proves something carries the latest certified header, so it changes with every block: its tag
//! lets a client that already holds the answer of the current height revalidate it without its body (a few hundred
//! bytes instead of one certificate per request).
//!
//! # `Cache-Control`, route by route
//!
//! - `public, max-age=31536000, immutable`, where the answer can never change:
//!   - `GET /v1/blocks/{height}`: a committed block, final once certified (a block not yet committed is a 404,
//!     which is not cached);
//!   - `GET /v1/contracts/code/{hash}` and `GET /v1/identity/schemas/{hash}`: content named by its SHA-256, stored
//!     once; the certified header in a kept copy is an older one, and its proofs still verify against it;
//!   - `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`: a chunk of an object named by its SHA-256;
//!   - `GET /v1/land/parcels/{id}/owners?at=` and `GET /v1/permits/{id}/status?at=` when the answer carries a
//!     `following` header: the proofs are under the block in force at that time and the next block, both
//!     certified, so the answer is settled (its handler says so; without `at`, or when the time is after the last
//!     block, the answer is about the present and is revalidated);
//!   - full C2SP tiles under `/tlog/tile/` (its handler says so; partial tiles are `no-cache`).
//! - `no-store`, kept where a handler sets it: the server-sent events of a citizen's access log. Answers with
//!   `no-store` get no `ETag`. Answers private to a signer are `POST` routes, which this layer never touches.
//! - `no-cache` (store, but revalidate with the `ETag` before each use) for every other `GET`: the current state,
//!   the latest block, the node's status, checkpoints, receipts under the latest checkpoint, pages and searches.
//!
//! Errors (every status but `200`) and every other method pass through untouched: no `ETag`, no `Cache-Control`.
//! Bodies that are not fully known in advance (streams) or larger than [`MAX_TAGGED_BODY_BYTES`] get no `ETag`.
//!
//! # Immutable answers kept in memory
//!
//! An immutable answer costs as much to build as any other (an as-of answer reads two certified headers and
//! proves under a past root), yet is the same bytes for ever. The router keeps the last [`MAX_KEPT_ANSWERS`] of
//! them, at most [`MAX_KEPT_BYTES`] together and [`MAX_KEPT_ANSWER_BYTES`] each, by request target (path and
//! query), and serves them (or their 304) without running the handler; the oldest go first. Nothing else is kept:
//! an answer about the current state changes with every block (every second on an idle chain, with the default
//! `empty_block_interval_ms`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// `Cache-Control` of an answer that never changes.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of an answer about the current state: kept, but revalidated with its `ETag` before each use.
pub(crate) const REVALIDATE: &str = "no-cache";
/// Largest body that gets an `ETag`: the largest `GET` answers (pages of an election's board, a budget's CSV)
/// are a few MiB.
pub const MAX_TAGGED_BODY_BYTES: u64 = 64 << 20;
/// Bytes of the body's SHA-256 in its `ETag` (144 bits: no two bodies a node serves share a tag by chance).
const ETAG_HASH_BYTES: usize = 18;
/// Longest `If-None-Match` value read; a longer one is ignored (the full answer is sent).
const MAX_IF_NONE_MATCH_BYTES: usize = 8 * 1024;

/// Most immutable answers kept in memory.
pub const MAX_KEPT_ANSWERS: usize = 16_384;
/// Most bytes of immutable answers kept in memory, bodies together.
pub const MAX_KEPT_BYTES: usize = 128 << 20;
/// Largest immutable answer kept in memory; larger ones are built again for each request.
pub const MAX_KEPT_ANSWER_BYTES: usize = 1 << 20;
const _: () = assert!(MAX_KEPT_ANSWER_BYTES <= MAX_KEPT_BYTES);

/// Route templates (as in [`crate::ROUTES`]) whose every `200` answer never changes.
pub const IMMUTABLE_ROUTES: &[&str] = &[
    "/v1/blocks/{height}",
    "/v1/contracts/code/{hash}",
    "/v1/identity/schemas/{hash}",
    "/v1/elections/{id}/objects/{hash}/chunks/{index}",
];

/// The `Cache-Control` of a `200` answer of `route` whose handler chose none.
pub fn route_cache_control(route: &str) -> &'static str {
    if IMMUTABLE_ROUTES.contains(&route) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// An as-of answer, immutable when `settled` (its proofs are under the block in force at the time asked about and
/// the following block), else left to the default, [`REVALIDATE`].
pub(crate) fn as_of(answer: impl IntoResponse, settled: bool) -> Response {
    let mut response = answer.into_response();
    if settled {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

/// The strong entity tag of `body`, quoted.
pub fn etag(body: &[u8]) -> String {
    let hash = publica_crypto::sha256(body);
    format!("\"{}\"", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash[..ETAG_HASH_BYTES]))
}

/// Whether the `If-None-Match` fields of `headers` match the entity tag `etag` (quoted) by the weak comparison of
/// RFC 9110 §8.8.3.2, or are `*`. `None` when there is no such field or it is malformed: the condition is then
/// not evaluated.
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> Option<bool> {
    let mut any = false;
    let mut total = 0usize;
    for value in headers.get_all(header::IF_NONE_MATCH) {
        total += value.len();
        if total > MAX_IF_NONE_MATCH_BYTES {
            return None;
        }
        let text = value.to_str().ok()?;
        if text.trim() == "*" {
            return Some(true);
        }
        let tags = entity_tags(text)?;
        any = true;
        if tags.contains(&etag) {
            return Some(true);
        }
    }
    any.then_some(false)
}

/// The opaque tags (quotes included, `W/` dropped) of a list of entity tags: `#entity-tag` of RFC 9110 §8.8.3,
/// where an opaque tag may hold commas; `None` when the list is malformed.
fn entity_tags(text: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest.strip_prefix("W/").unwrap_or(rest);
        let inner = rest.strip_prefix('"')?;
        let end = inner.find('"')?;
        let (tag, after) = rest.split_at(end + 2);
        if !tag[1..tag.len() - 1].bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80) {
            return None;
        }
        tags.push(tag);
        rest = after;
        if !(rest.is_empty() || rest.starts_with([' ', '\t', ','])) {
            return None;
        }
    }
}

/// One immutable answer, as sent.
#[derive(Clone)]
struct KeptAnswer {
    content_type: Option<HeaderValue>,
    etag: HeaderValue,
    cache_control: HeaderValue,
    body: Bytes,
}

impl KeptAnswer {
    /// The answer to a request with `conditions`: the whole answer, or its 304.
    fn respond(&self, conditions: &HeaderMap) -> Response {
        let not_modified = self.etag.to_str().is_ok_and(|tag| if_none_match(conditions, tag) == Some(true));
        let mut response = if not_modified {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            let mut response = Response::new(Body::from(self.body.clone()));
            if let Some(content_type) = &self.content_type {
                response.headers_mut().insert(header::CONTENT_TYPE, content_type.clone());
            }
            response
        };
        response.headers_mut().insert(header::ETAG, self.etag.clone());
        response.headers_mut().insert(header::CACHE_CONTROL, self.cache_control.clone());
        response
    }
}

/// Immutable answers kept in memory by request target, bounded in count and bytes; the oldest leave first.
#[derive(Default)]
pub(crate) struct KeptAnswers {
    inner: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_target: HashMap<String, KeptAnswer>,
    /// Targets in the order they were kept.
    order: VecDeque<String>,
    bytes: usize,
}

impl KeptAnswers {
    fn get(&self, target: &str) -> Option<KeptAnswer> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).by_target.get(target).cloned()
    }

    fn keep(&self, target: &str, answer: KeptAnswer) {
        if answer.body.len() > MAX_KEPT_ANSWER_BYTES {
            return;
        }
        let mut kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.by_target.contains_key(target) {
            return;
        }
        while kept.by_target.len() >= MAX_KEPT_ANSWERS || kept.bytes + answer.body.len() > MAX_KEPT_BYTES {
            let Some(oldest) = kept.order.pop_front() else { break };
            if let Some(gone) = kept.by_target.remove(&oldest) {
                kept.bytes -= gone.body.len();
            }
        }
        kept.bytes += answer.body.len();
        kept.order.push_back(target.to_owned());
        kept.by_target.insert(target.to_owned(), answer);
    }

    #[cfg(test)]
    fn len_and_bytes(&self) -> (usize, usize) {
        let kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        (kept.by_target.len(), kept.bytes)
    }
}

/// The layer: tag `200` answers to `GET`, give them their `Cache-Control`, answer `304 Not Modified`
/// when the request's `If-None-Match` names the tag, and keep immutable answers in `kept`.
pub(crate) async fn conditional(State(kept): State<Arc<KeptAnswers>>, request: Request, next: Next) -> Response {
    let head = request.method() == Method::HEAD;
    if !(request.method() == Method::GET || head) {
        return next.run(request).await;
    }
    let target = request.uri().path_and_query().map_or("/", |t| t.as_str()).to_owned();
    if let Some(answer) = kept.get(&target) {
        // For HEAD, the router drops the body afterwards and keeps its length.
        return answer.respond(request.headers());
    }
    if head {
        // The router has already dropped the body of a HEAD answer when this layer sees it: there is nothing to
        // tag, and nothing that may be kept for the GETs that follow.
        return next.run(request).await;
    }
    // Both are cheap to keep: the template is shared, and most requests have no condition.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut conditions = HeaderMap::new();
    for value in request.headers().get_all(header::IF_NONE_MATCH) {
        conditions.append(header::IF_NONE_MATCH, value.clone());
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let no_store = response
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("no-store")));
    let known_bytes = response.body().size_hint().exact();
    if no_store || known_bytes.is_none_or(|n| n > MAX_TAGGED_BODY_BYTES) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED_BODY_BYTES as usize).await else {
        // The body said how long it was and then failed: nothing can be sent that is known to be right.
        return crate::error::ApiError::Internal("the node failed while sending this answer; retry".into())
            .into_response();
    };
    let tag = etag(&bytes);
    let tag_value = HeaderValue::from_str(&tag).expect("base64url and quotes are valid header characters");
    let tag_value_kept = tag_value.clone();
    parts.headers.insert(header::ETAG, tag_value);
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        let cache = route.as_ref().map_or(REVALIDATE, |r| route_cache_control(r.as_str()));
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    if let Some(cache_control) = parts.headers.get(header::CACHE_CONTROL).filter(|v| *v == IMMUTABLE) {
        let answer = KeptAnswer {
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            etag: tag_value_kept,
            cache_control: cache_control.clone(),
            body: bytes.clone(),
        };
        kept.keep(&target, answer);
    }
    if if_none_match(&conditions, &tag) == Some(true) {
        // RFC 9110 §15.4.5: the 304 carries the fields a 200 would have had that describe caching (ETag,
        // Cache-Control, Vary), and no content.
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn an_etag_is_a_quoted_sha256_prefix_in_base64url() {
        let tag = etag(b"hello");
        assert_eq!(tag.len(), 26);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert_eq!(tag, etag(b"hello"));
        assert_ne!(tag, etag(b"hello!"));
        assert!(tag[1..25].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_the_star() {
        let tag = "\"abc\"";
        assert_eq!(if_none_match(&with(&[]), tag), None);
        assert_eq!(if_none_match(&with(&["\"abc\""]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["W/\"abc\""]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["\"x\", W/\"abc\""]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["\"x\"", "\"abc\""]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["\"a,b\",\"abc\""]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["*"]), tag), Some(true));
        assert_eq!(if_none_match(&with(&["\"abd\""]), tag), Some(false));
        assert_eq!(if_none_match(&with(&["\"x\", \"y\""]), tag), Some(false));
        // Malformed lists are not evaluated.
        assert_eq!(if_none_match(&with(&["abc"]), tag), None);
        assert_eq!(if_none_match(&with(&["\"abc"]), tag), None);
        assert_eq!(if_none_match(&with(&["\"abc\"x"]), tag), None);
        assert_eq!(if_none_match(&with(&["w/\"abc\""]), tag), None);
    }

    fn answer(bytes: usize) -> KeptAnswer {
        KeptAnswer {
            content_type: None,
            etag: HeaderValue::from_static("\"t\""),
            cache_control: HeaderValue::from_static(IMMUTABLE),
            body: Bytes::from(vec![0u8; bytes]),
        }
    }

    #[test]
    fn kept_answers_are_bounded_in_count_and_bytes_and_the_oldest_leave_first() {
        let kept = KeptAnswers::default();
        kept.keep("/too-large", answer(MAX_KEPT_ANSWER_BYTES + 1));
        assert_eq!(kept.len_and_bytes(), (0, 0));
        let fit = MAX_KEPT_BYTES / MAX_KEPT_ANSWER_BYTES;
        for i in 0..=fit {
            kept.keep(&format!("/{i}"), answer(MAX_KEPT_ANSWER_BYTES));
        }
        assert_eq!(kept.len_and_bytes(), (fit, MAX_KEPT_BYTES));
        assert!(kept.get("/0").is_none(), "the oldest left first");
        assert!(kept.get(&format!("/{fit}")).is_some());
        for i in 0..MAX_KEPT_ANSWERS + 10 {
            kept.keep(&format!("/small/{i}"), answer(1));
        }
        assert_eq!(kept.len_and_bytes().0, MAX_KEPT_ANSWERS);
        assert!(kept.get("/small/9").is_none() && kept.get(&format!("/small/{}", MAX_KEPT_ANSWERS + 9)).is_some());
    }

    #[test]
    fn a_kept_answer_is_sent_whole_or_as_its_304() {
        let kept = answer(10);
        let whole = kept.respond(&with(&["\"other\""]));
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.headers()[header::ETAG], "\"t\"");
        let not_modified = kept.respond(&with(&["\"t\""]));
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(not_modified.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(not_modified.body().size_hint().exact(), Some(0));
    }

    #[test]
    fn only_content_named_by_hash_or_height_is_immutable() {
        assert_eq!(route_cache_control("/v1/blocks/{height}"), IMMUTABLE);
        assert_eq!(route_cache_control("/v1/blocks/latest"), REVALIDATE);
        assert_eq!(route_cache_control("/v1/accounts/{address}"), REVALIDATE);
        for route in IMMUTABLE_ROUTES {
            assert!(crate::ROUTES.iter().any(|r| r.method == "GET" && r.path == *route), "{route} is not a route");
        }
    }
}

//! The frame of every page (head, navigation, language switch, footer), the request context pages are rendered
//! in, and the small pieces pages share: times, addresses, hashes, the "check the proof" section.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use publica_client::api::NodeStatus;
use publica_types::time::format_time_ms;

use crate::api::{Api, Failure};
use crate::i18n::{Lang, LANG_COOKIE};

/// Longest query string a page reads, bytes.
const MAX_QUERY_BYTES: usize = 2048;

/// What a page is rendered with: the visitor's language, the request's path and query, and the node's status
/// (for the footer and the chain id the scripts check proofs against).
pub struct Ctx {
    /// The page's language.
    pub lang: Lang,
    /// Whether `?lang=` chose it (the answer then sets the cookie).
    chose_lang: bool,
    /// The request's path.
    pub path: String,
    /// The query's parameters (the first of each name).
    pub query: HashMap<String, String>,
    /// The query as sent (for the language switch, which keeps it).
    raw_query: Option<String>,
    /// The node's status, if it answered.
    pub status: Option<NodeStatus>,
    /// The API.
    pub api: Api,
}

impl FromRequestParts<Api> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, api).await?;
        let raw = raw.filter(|q| q.len() <= MAX_QUERY_BYTES);
        let lang = Lang::from_request_parts(&parts.headers, raw.as_deref());
        let chose_lang = Lang::from_query(raw.as_deref()).is_some();
        let query = raw
            .as_deref()
            .map(|q| {
                let mut map = HashMap::new();
                for (k, v) in form_pairs(q) {
                    map.entry(k).or_insert(v);
                }
                map
            })
            .unwrap_or_default();
        let status = api.get::<NodeStatus>("/v1/status").await.ok();
        Ok(Ctx {
            lang,
            chose_lang,
            path: parts.uri.path().to_string(),
            query,
            raw_query: raw,
            status,
            api: api.clone(),
        })
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space; bad escapes are kept as written).
fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').take(32).filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_component(k), decode_component(v))
    })
}

fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page to render: its title, its name (`<body data-page>`, which the script keys on) and its content.
pub struct Page {
    /// The title, without the site's name.
    pub title: String,
    /// The page's name for the script.
    pub name: &'static str,
    /// The content of `<main>`.
    pub body: Markup,
}

impl Ctx {
    /// Shorthand for the language's text.
    pub fn t<'a>(&self, en: &'a str, sv: &'a str) -> &'a str {
        self.lang.t(en, sv)
    }

    /// A query parameter, trimmed, if present and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The page, framed, with status 200.
    pub fn render(&self, page: Page) -> Response {
        self.render_with(StatusCode::OK, page)
    }

    /// The page, framed, with `status`.
    pub fn render_with(&self, status: StatusCode, page: Page) -> Response {
        let markup = frame(self.lang, &self.path, self.raw_query.as_deref(), self.status.as_ref(), &page);
        let mut response = (status, axum::response::Html(markup.into_string())).into_response();
        if self.chose_lang {
            let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", self.lang.tag());
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
        }
        response
    }

    /// The page for a failed API read: "not found" (with the API's suggestions), "not valid", or "unavailable".
    pub fn failure(&self, what: &str, failure: Failure) -> Response {
        let (status, title) = if failure.is_not_found() {
            (StatusCode::NOT_FOUND, self.t("Not found", "Hittades inte"))
        } else if failure.status.is_client_error() {
            (StatusCode::BAD_REQUEST, self.t("Not a valid request", "Ogiltig begäran"))
        } else {
            (failure.status, self.t("The node could not answer", "Noden kunde inte svara"))
        };
        let body = html! {
            h1 { (title) }
            div.error role="alert" {
                p { strong { (what) } }
                p { (failure.message) }
                p.muted { (self.t("Error code", "Felkod")) ": " code { (failure.code) } }
            }
            p { a href="/" { (self.t("Back to the start page", "Tillbaka till startsidan")) } }
        };
        self.render_with(status, Page { title: title.to_string(), name: "error", body })
    }
}

/// The frame of every page.
fn frame(lang: Lang, path: &str, query: Option<&str>, status: Option<&NodeStatus>, page: &Page) -> Markup {
    let other = lang.other();
    let nav: [(&str, &str, &str); 11] = [
        ("/verify", "Verify a document", "Kontrollera ett dokument"),
        ("/parcels", "Land", "Fastigheter"),
        ("/companies", "Companies", "Företag"),
        ("/credentials", "Credentials", "Intyg"),
        ("/elections", "Elections", "Val"),
        ("/finance", "Finance", "Ekonomi"),
        ("/procurement", "Procurement", "Upphandling"),
        ("/contracts", "Contracts", "Kontrakt"),
        ("/blocks", "Explorer", "Utforskaren"),
        ("/notary", "Notary log", "Notarieloggen"),
        ("/wallet", "Sign in", "Logga in"),
    ];
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " — Publica" }
                link rel="stylesheet" href="/assets/portal.css";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                script src="/assets/portal.js" defer {}
            }
            body data-page=(page.name) data-chain=[status.map(|s| s.chain_id.as_str())] {
                a.skip href="#main" { (lang.t("Skip to the content", "Hoppa till innehållet")) }
                header.top {
                    div.bar {
                        a.brand href="/" { span.logo aria-hidden="true" { "◆" } " Publica" }
                        form.search role="search" action="/search" method="get" {
                            label.visually-hidden for="q" { (lang.t("Search the ledger", "Sök i registret")) }
                            input #q type="search" name="q" maxlength="200"
                                placeholder=(lang.t("Parcel, company, permit, address, block or transaction",
                                    "Fastighet, företag, tillstånd, adress, block eller transaktion"));
                            button type="submit" { (lang.t("Search", "Sök")) }
                        }
                        a.lang-switch href=(switch_href(path, query, other)) lang=(other.tag()) hreflang=(other.tag()) {
                            (other.name())
                        }
                    }
                    nav aria-label=(lang.t("Main", "Huvudmeny")) {
                        ul {
                            @for (href, en, sv) in nav {
                                li { a href=(href) aria-current=[(path == href || path.starts_with(&format!("{href}/"))).then_some("page")] { (lang.t(en, sv)) } }
                            }
                        }
                    }
                }
                main #main { (page.body) }
                footer.bottom {
                    @if let Some(s) = status {
                        p {
                            (lang.t("Network", "Nätverk")) " " code { (s.chain_id.as_str()) } " · "
                            (lang.t("height", "höjd")) " " a href={ "/blocks/" (s.height) } { (s.height) } " · "
                            (s.validator_count) " " (lang.t("validators", "validerare"))
                        }
                    }
                    p.muted {
                        (lang.t("Every record on these pages carries a proof; the buttons check it in your own browser, against the network's keys you can pin on ",
                            "Varje uppgift på sidorna har ett bevis; knapparna kontrollerar det i din egen webbläsare, mot nätverkets nycklar som du kan fästa under "))
                        a href="/trust" { (lang.t("Trust", "Förtroende")) } ". "
                        a href="/openapi.json" { "API (OpenAPI)" }
                    }
                }
            }
        }
    }
}

/// The same page in the other language: its path and query, with `lang` replaced.
fn switch_href(path: &str, query: Option<&str>, lang: Lang) -> String {
    let kept: Vec<&str> = query.unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    if kept.is_empty() {
        format!("{path}?lang={}", lang.tag())
    } else {
        format!("{path}?{}&lang={}", kept.join("&"), lang.tag())
    }
}

/// A time, written in UTC (`2026-06-12 10:00 UTC`); the script shows it in the visitor's time zone, with the UTC
/// time on hover.
pub fn time(ms: u64) -> Markup {
    let iso = format_time_ms(ms);
    let shown = format!("{} {} UTC", &iso[..10], &iso[11..16]);
    html! { time datetime=(iso) title=(shown) { (shown) } }
}

/// The first and last characters of a long hex string.
pub fn short(hex: &str) -> String {
    if hex.len() <= 16 {
        hex.to_string()
    } else {
        format!("{}…{}", &hex[..8], &hex[hex.len() - 4..])
    }
}

/// A link to an account's page, the address shortened (the whole in `title`).
pub fn account_link(address: &str) -> Markup {
    html! { a.mono href={ "/accounts/" (address) } title=(address) { (short(address)) } }
}

/// A hex value in full, in a monospace font that wraps.
pub fn hex_full(hex: &str) -> Markup {
    html! { code.hex { (hex) } }
}

/// What a "check the proof" section's script does with its answer.
#[derive(Clone, Copy)]
pub enum ProofKind {
    /// An answer with `certified` and `proofs` (or one read proof).
    Document,
    /// An as-of ownership answer.
    OwnershipAsOf,
    /// An as-of permit status answer.
    PermitAsOf,
}

/// A "check the proof" section: the API answer to check (`url`), how (`kind`), the record the page shows
/// (`record`, `KIND:ID`: the script requires that record's keys among the proofs and shows what they prove), and
/// for an as-of answer the time asked (`at_ms`; without it the script says which time the proofs establish).
pub struct ProofOf {
    /// The API answer with the proofs.
    pub url: String,
    /// How the script checks it.
    pub kind: ProofKind,
    /// `parcel:NV-A1-101`, `account:<address>`, `company:<number>`, `application:<id>`, `consent:<id>`,
    /// `block:<height>`, `permit:<id>`, `election:<id>`, `ballot:<id>:<hash>`, `currency:<code>`, `budget:<year>`,
    /// `line:<year>:<code>`, `payment:<id>`, `programme:<id>`, `tender:<id>`, `contract:<id>`; the contracts
    /// module's `contracts:<from>`, `instance:<id>`, `contractevents:<id>:<from>`, `contractstate:<id>:<sha256 of
    /// the key>`, `callreceipt:<tx id>`, `contractpolicy:<agency>`.
    pub record: String,
    /// The time asked, Unix milliseconds.
    pub at_ms: Option<u64>,
}

/// The section the script turns into "check the proof in this browser": it fetches the answer and checks every
/// proof against the pinned genesis. `heading` names it (pages with two sections give each its own name).
pub fn proof_section(lang: Lang, proof: &ProofOf, heading: &str) -> Markup {
    let kind = match proof.kind {
        ProofKind::Document => "document",
        ProofKind::OwnershipAsOf => "ownership-asof",
        ProofKind::PermitAsOf => "permit-asof",
    };
    html! {
        section.proof data-verify-url=(proof.url) data-verify-kind=(kind) data-verify-record=(proof.record)
            data-verify-at=[proof.at_ms] {
            h2 { (heading) }
            p.muted {
                (lang.t("This answer carries Merkle proofs and the validators' signatures. Check them here, in your browser, without trusting this server; or download the answer and check it with ",
                    "Svaret har Merkle-bevis och validerarnas signaturer. Kontrollera dem här, i din webbläsare, utan att lita på servern; eller ladda ned svaret och kontrollera det med "))
                code { "publica verify" } "."
            }
            p {
                button.verify-button type="button" { (lang.t("Check the proof in this browser", "Kontrollera beviset i webbläsaren")) }
                " "
                a href=(proof.url) download { (lang.t("Download the answer (JSON)", "Ladda ned svaret (JSON)")) }
            }
            ol.checks {}
            p.verdict aria-live="polite" {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_decoded() {
        assert_eq!(decode_component("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(decode_component("%C3%85"), "Å");
    }

    #[test]
    fn the_language_switch_keeps_the_question() {
        assert_eq!(switch_href("/parcels/A", None, Lang::Sv), "/parcels/A?lang=sv");
        assert_eq!(
            switch_href("/parcels/A", Some("at=2026-01-01&lang=en"), Lang::Sv),
            "/parcels/A?at=2026-01-01&lang=sv"
        );
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(
            time(1_781_258_400_000).into_string(),
            "<time datetime=\"2026-06-12T10:00:00.000Z\" title=\"2026-06-12 10:00 UTC\">2026-06-12 10:00 UTC</time>"
        );
    }
}

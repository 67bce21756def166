//! The portal's languages: English and Swedish (the demo town's). A page's language comes from `?lang=` (which
//! also sets a cookie so that the choice sticks), else the `lang` cookie, else the browser's `Accept-Language`,
//! else English. Translations sit next to their use: `lang.t("Parcel", "Fastighet")`.

use axum::http::{header, HeaderMap};

/// A language of the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Swedish.
    Sv,
}

/// The cookie that keeps a visitor's choice of language.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    /// The language's BCP 47 tag, as `<html lang>` takes it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
        }
    }

    /// The other language, which the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Sv,
            Lang::Sv => Lang::En,
        }
    }

    /// The language's own name for itself.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sv => "Svenska",
        }
    }

    /// Parse a tag (`en`, `sv`, `sv-SE`, ...).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "sv" => Some(Lang::Sv),
            _ => None,
        }
    }

    /// The English or the Swedish text.
    pub fn t<'a>(self, en: &'a str, sv: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Sv => sv,
        }
    }

    /// The language of a request: `?lang=`, the cookie, `Accept-Language`, English.
    pub fn from_request_parts(headers: &HeaderMap, query: Option<&str>) -> Lang {
        Self::from_query(query)
            .or_else(|| Self::from_cookie(headers))
            .or_else(|| Self::from_accept(headers))
            .unwrap_or(Lang::En)
    }

    /// The language `?lang=` asks for, if any.
    pub fn from_query(query: Option<&str>) -> Option<Lang> {
        query?.split('&').filter_map(|pair| pair.strip_prefix("lang=")).find_map(Lang::parse)
    }

    fn from_cookie(headers: &HeaderMap) -> Option<Lang> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix("lang="))
            .find_map(Lang::parse)
    }

    /// The first of the browser's preferred languages that the portal speaks (weights are taken in the order
    /// given, which is how browsers send them).
    fn from_accept(headers: &HeaderMap) -> Option<Lang> {
        let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        accept.split(',').take(16).find_map(|item| Lang::parse(item.split(';').next().unwrap_or("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_query_wins_then_the_cookie_then_the_browser() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_request_parts(&headers, None), Lang::En);
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de-DE, sv-SE;q=0.8, en;q=0.5"));
        assert_eq!(Lang::from_request_parts(&headers, None), Lang::Sv);
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=en"));
        assert_eq!(Lang::from_request_parts(&headers, None), Lang::En);
        assert_eq!(Lang::from_request_parts(&headers, Some("x=1&lang=sv")), Lang::Sv);
        assert_eq!(Lang::from_request_parts(&headers, Some("lang=xx")), Lang::En);
    }
}

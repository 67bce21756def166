//! A small JSON value with ordered objects, a strict parser and Belenios' canonical writer.
//!
//! # Canonical form (what belenios-tool writes, and requires of ballots and events)
//!
//! * Compact: no whitespace anywhere.
//! * Object keys in the order the object was built with (each structure has a fixed order; see the modules
//!   that build them). Optional fields are left out, never `null`.
//! * Integers as plain decimal numbers. Belenios uses no negative numbers and no fractions; this parser refuses
//!   both, with an error that says so.
//! * Strings: `"` → `\"`, `\` → `\\`, U+0008 → `\b`, U+000C → `\f`, U+000A → `\n`, U+000D → `\r`, U+0009 → `\t`;
//!   every other byte 0x00–0x1F and 0x7F (DEL) → `\u00XX` with lowercase hex; everything else raw, including
//!   `/` and every character from U+0080 up (C1 controls, U+2028, emoji), as UTF-8.
//!
//! [`is_canonical`] parses, writes, and compares the bytes.
//!
//! # Parser
//!
//! RFC 8259 JSON in UTF-8, with limits given by the caller ([`Limits`]: total bytes and nesting depth), and these
//! refusals on top: duplicate keys in an object, numbers other than non-negative integers below 2^64, lone
//! surrogates in `\u` escapes, anything after the value but whitespace.

use crate::error::BeleniosError;

/// A JSON value. Objects keep their keys in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    Int(u64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys in order.
    Object(Vec<(String, Json)>),
}

/// Bounds on what the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
}

impl Json {
    /// Shorthand for a string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// The value of `key`, if this is an object holding it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The fields, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Appends the canonical bytes to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Json::Str(s) => write_string(s, out),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Json::Object(fields) => {
                out.push(b'{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_string(k, out);
                    out.push(b':');
                    v.write(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// Appends `s` as a canonical JSON string.
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x00..=0x1f | 0x7f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Parses one JSON document within `limits`.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Json, BeleniosError> {
    if bytes.len() > limits.max_bytes {
        return Err(BeleniosError::TooLarge { what: "JSON document", limit: limits.max_bytes, actual: bytes.len() });
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| BeleniosError::Json { offset: e.valid_up_to(), detail: "not valid UTF-8".into() })?;
    let mut parser = Parser { text, bytes, pos: 0, max_depth: limits.max_depth };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != bytes.len() {
        return Err(parser.error("unexpected data after the JSON value"));
    }
    Ok(value)
}

/// Whether `bytes` parse (within `limits`) and are exactly the canonical serialisation of what they parse to.
pub fn is_canonical(bytes: &[u8], limits: Limits) -> bool {
    parse(bytes, limits).is_ok_and(|v| v.to_bytes() == bytes)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, detail: &str) -> BeleniosError {
        BeleniosError::Json { offset: self.pos, detail: detail.to_string() }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, BeleniosError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal (expected a value)"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, BeleniosError> {
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-') => Err(self.error("negative numbers are not used by Belenios")),
            Some(b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn number(&mut self) -> Result<Json, BeleniosError> {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(self.pos) {
            return Err(self.error("only non-negative integers are used by Belenios (no fractions or exponents)"));
        }
        let digits = &self.text[start..self.pos];
        if digits.len() > 1 && digits.starts_with('0') {
            self.pos = start;
            return Err(self.error("a number has a leading zero"));
        }
        digits.parse::<u64>().map(Json::Int).map_err(|_| {
            self.pos = start;
            self.error("integer does not fit in 64 bits")
        })
    }

    fn hex4(&mut self) -> Result<u32, BeleniosError> {
        let hex = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("truncated \\u escape"))?;
        let mut v = 0u32;
        for &h in hex {
            let d = (h as char).to_digit(16).ok_or_else(|| self.error("invalid hex digit in \\u escape"))?;
            v = v * 16 + d;
        }
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, BeleniosError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = *self.bytes.get(self.pos).ok_or_else(|| self.error("truncated escape"))?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.bytes[self.pos..].starts_with(b"\\u") {
                                    return Err(self.error("lone high surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.error("high surrogate not followed by a low surrogate"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else if (0xdc00..0xe000).contains(&hi) {
                                return Err(self.error("lone low surrogate in \\u escape"));
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.error("invalid code point"))?);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("unknown escape"));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string (must be escaped)")),
            }
        }
    }

    fn enter(&self, depth: usize) -> Result<(), BeleniosError> {
        if depth > self.max_depth {
            return Err(self.error(&format!("nesting deeper than {}", self.max_depth)));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Json, BeleniosError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, BeleniosError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut fields: Vec<(String, Json)> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key_at = self.pos;
            let key = self.string()?;
            if fields.iter().any(|(k, _)| *k == key) {
                self.pos = key_at;
                return Err(self.error(&format!("duplicate key {key:?}")));
            }
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':' after a key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            fields.push((key, value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(fields));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }
}

/// Reads the fields of one object for a typed decoder: each field is taken once, and [`Fields::finish`] refuses
/// any field left over.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    what: &'static str,
    fields: &'a [(String, Json)],
    taken: Vec<bool>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(value: &'a Json, what: &'static str) -> Result<Fields<'a>, BeleniosError> {
        let fields = value.as_object().ok_or_else(|| malformed(what, "not a JSON object"))?;
        Ok(Fields { what, fields, taken: vec![false; fields.len()] })
    }

    pub(crate) fn optional(&mut self, key: &str) -> Option<&'a Json> {
        let i = self.fields.iter().position(|(k, _)| k == key)?;
        self.taken[i] = true;
        Some(&self.fields[i].1)
    }

    pub(crate) fn required(&mut self, key: &str) -> Result<&'a Json, BeleniosError> {
        self.optional(key).ok_or_else(|| malformed(self.what, &format!("missing field {key:?}")))
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<&'a str, BeleniosError> {
        let what = self.what;
        self.required(key)?.as_str().ok_or_else(|| malformed(what, &format!("field {key:?} is not a string")))
    }

    pub(crate) fn array(&mut self, key: &str) -> Result<&'a [Json], BeleniosError> {
        let what = self.what;
        self.required(key)?.as_array().ok_or_else(|| malformed(what, &format!("field {key:?} is not an array")))
    }

    pub(crate) fn finish(self) -> Result<(), BeleniosError> {
        match self.taken.iter().position(|t| !t) {
            Some(i) => Err(malformed(self.what, &format!("unknown field {:?}", self.fields[i].0))),
            None => Ok(()),
        }
    }
}

pub(crate) fn malformed(what: &'static str, detail: &str) -> BeleniosError {
    BeleniosError::Malformed { what, detail: detail.to_string() }
}

//! A small, bounded JSON reader that keeps numbers as their decimal text.
//!
//! Parcel boundaries arrive as GeoJSON text. Converting coordinates through binary floating point would round
//! twice (decimal → f64 → fixed point), so this reader keeps every number as text and [`decimal_to_fixed`] turns it
//! into an integer number of 1e-7 degrees with one exact rounding. The reader accepts RFC 8259 JSON; the caller has
//! already bounded the input's size, and nesting is bounded here, so memory and recursion stay small.

use crate::error::RegistryError;

/// Deepest nesting accepted. A Polygon needs 4 (object, rings, ring, position); foreign members get some room.
const MAX_DEPTH: usize = 16;

/// A parsed JSON value; numbers keep their text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(String),
    Array(Vec<Json<'a>>),
    Object(Vec<(String, Json<'a>)>),
}

fn err(reason: impl Into<String>) -> RegistryError {
    RegistryError::InvalidGeometry(reason.into())
}

/// Parse one JSON document (surrounding whitespace allowed, nothing else).
pub(crate) fn parse(text: &str) -> Result<Json<'_>, RegistryError> {
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(err(format!("unexpected text after the JSON value at byte {}", p.i)));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), RegistryError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(err(format!("expected '{}' at byte {} of the GeoJSON text", c as char, self.i)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, RegistryError> {
        if depth >= MAX_DEPTH {
            return Err(err(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) => Err(err(format!("unexpected character {:?} at byte {}", c as char, self.i))),
            None => Err(err("the GeoJSON text ends early")),
        }
    }

    fn literal(&mut self, word: &str, v: Json<'a>) -> Result<Json<'a>, RegistryError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(err(format!("invalid literal at byte {}", self.i)))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, RegistryError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(err(format!("expected a member name at byte {}", self.i)));
            }
            let name = self.string()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((name, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(err(format!("expected ',' or '}}' at byte {}", self.i))),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, RegistryError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(err(format!("expected ',' or ']' at byte {}", self.i))),
            }
        }
    }

    fn string(&mut self) -> Result<String, RegistryError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.b.len() && !matches!(self.b[self.i], b'"' | b'\\') && self.b[self.i] >= 0x20 {
                self.i += 1;
            }
            // The input is a &str and the stops are ASCII, so this slice is on character boundaries.
            out.push_str(&self.s[start..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| err("the GeoJSON text ends inside a string"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.i..self.i + 4)
                                .ok_or_else(|| err("truncated \\u escape in a string"))?;
                            let code = u32::from_str_radix(hex, 16).map_err(|_| err("invalid \\u escape"))?;
                            self.i += 4;
                            // Surrogate pairs are irrelevant to GeoJSON member names; an unpaired one is replaced.
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(err(format!("invalid escape in a string at byte {}", self.i - 1))),
                    }
                }
                Some(_) => return Err(err(format!("control character inside a string at byte {}", self.i))),
                None => return Err(err("the GeoJSON text ends inside a string")),
            }
        }
    }

    fn number(&mut self) -> Result<Json<'a>, RegistryError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - s
        };
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(err(format!("invalid number at byte {start}")));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(err(format!("invalid number at byte {start}: no digits after '.'")));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(err(format!("invalid number at byte {start}: no exponent digits")));
            }
        }
        Ok(Json::Number(&self.s[start..self.i]))
    }
}

/// Convert a JSON number (already checked against the JSON grammar) to an integer count of `10^-scale_digits`,
/// rounding half away from zero, exactly. Refuses magnitudes of `limit` or more units.
pub(crate) fn decimal_to_fixed(text: &str, scale_digits: i64, limit: i64) -> Result<i64, RegistryError> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(p) => (&rest[..p], &rest[p + 1..]),
        None => (rest, "0"),
    };
    let exp = clamped_exponent(exponent);
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(p) => (&mantissa[..p], &mantissa[p + 1..]),
        None => (mantissa, ""),
    };
    // value = digits × 10^(point_exp); the result in units is digits × 10^(point_exp + scale_digits).
    let all: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).map(|d| d - b'0').collect();
    let first_nonzero = all.iter().position(|&d| d != 0);
    let Some(first_nonzero) = first_nonzero else { return Ok(0) };
    let digits = &all[first_nonzero..];
    let shift = exp - frac_part.len() as i64 + scale_digits;
    let out_of_range = || err(format!("coordinate {text} is out of range"));
    let magnitude = shifted_magnitude(digits, shift).ok_or_else(out_of_range)?;
    if magnitude >= limit {
        return Err(out_of_range());
    }
    Ok(if negative { -magnitude } else { magnitude })
}

/// The value of an exponent's digits (with an optional sign), its magnitude clamped to 10,000.
///
/// Exponents beyond a few digits cannot give a coordinate in range (too large) or change one (too small to round
/// up); clamping them keeps the arithmetic of [`decimal_to_fixed`] small.
fn clamped_exponent(exponent: &str) -> i64 {
    let (neg, digits) = match exponent.as_bytes()[0] {
        b'-' => (true, &exponent[1..]),
        b'+' => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    let mut v: i64 = 0;
    for d in digits.bytes() {
        v = (v * 10 + i64::from(d - b'0')).min(10_000);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// The decimal digits `digits` (most significant first, the first non-zero) times `10^shift`, rounded half away
/// from zero to an integer; `None` if it could exceed 18 digits.
fn shifted_magnitude(digits: &[u8], shift: i64) -> Option<i64> {
    if shift >= 0 {
        if digits.len() as i64 + shift > 18 {
            return None;
        }
        let mut v: i64 = 0;
        for &d in digits {
            v = v * 10 + i64::from(d);
        }
        for _ in 0..shift {
            v *= 10;
        }
        Some(v)
    } else {
        let keep = digits.len() as i64 + shift;
        if keep > 18 {
            return None;
        }
        if keep < 0 {
            return Some(0);
        }
        let keep = keep as usize;
        let mut v: i64 = 0;
        for &d in &digits[..keep] {
            v = v * 10 + i64::from(d);
        }
        // Half away from zero: the first dropped digit decides.
        if digits.get(keep).is_some_and(|&d| d >= 5) {
            v += 1;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_convert_exactly() {
        let f = |t| decimal_to_fixed(t, 7, 2_000_000_000).unwrap();
        assert_eq!(f("12.3456789"), 123_456_789);
        assert_eq!(f("-12.3456789"), -123_456_789);
        assert_eq!(f("0.00000005"), 1);
        assert_eq!(f("0.00000004999"), 0);
        assert_eq!(f("-0.00000005"), -1);
        assert_eq!(f("1.5e1"), 150_000_000);
        assert_eq!(f("15E-1"), 15_000_000);
        assert_eq!(f("0"), 0);
        assert_eq!(f("180"), 1_800_000_000);
        assert_eq!(f("1e-9999"), 0);
        assert!(decimal_to_fixed("1e9999", 7, 2_000_000_000).is_err());
        assert!(decimal_to_fixed("200", 7, 2_000_000_000).is_err());
    }

    #[test]
    fn parser_reads_json_and_refuses_garbage() {
        let v = parse(r#" {"a": [1, -2.5e3, "x\n", true, null], "b": {}} "#).unwrap();
        let Json::Object(m) = v else { panic!() };
        assert_eq!(
            m[0].1,
            Json::Array(vec![
                Json::Number("1"),
                Json::Number("-2.5e3"),
                Json::String("x\n".into()),
                Json::Bool(true),
                Json::Null
            ])
        );
        for bad in
            ["", "{", "[1,]", "01", "1.", "-", "{\"a\" 1}", "[1] x", "\"a", "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]"]
        {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

//! Instants as people write them: RFC 3339 date-times (and plain dates) to and from Unix milliseconds, the unit
//! of every time on the ledger (block times, deadlines, validity dates).
//!
//! Written here, with no calendar library, because only the proleptic Gregorian calendar in UTC with numeric
//! offsets is needed (RFC 3339 §5.6), and a ledger must not depend on a time-zone database.

/// Longest input accepted (a full date-time with nanoseconds and an offset is 35 characters).
const MAX_TEXT: usize = 40;

/// Parse an instant: Unix milliseconds (`1767225600000`), an RFC 3339 date-time (`2026-01-01T00:00:00Z`,
/// `2026-01-01T01:00:00.250+01:00`; `t`, `z` and a space for `T` accepted as RFC 3339 §5.6 allows), or a plain
/// date (`2026-01-01`), meaning its first instant in UTC. Times before 1970 are refused.
pub fn parse_time_ms(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let fail = |why: &str| {
        Err(format!(
            "{text:?} is not a time: {why}; write Unix milliseconds, a date (2026-01-31) or an RFC 3339 date-time \
             (2026-01-31T12:00:00Z)"
        ))
    };
    if text.is_empty() || text.len() > MAX_TEXT {
        return fail("empty or too long");
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().or_else(|_| fail("too large"));
    }
    let days = match date_days(text) {
        Ok(days) => days,
        Err(why) => return fail(why),
    };
    if text.len() == 10 {
        return u64::try_from(days * 86_400_000).or_else(|_| fail("before 1970"));
    }
    let (ms, at) = match time_of_day_ms(text) {
        Ok(found) => found,
        Err(why) => return fail(why),
    };
    let offset_minutes = match offset_minutes(text.as_bytes(), at) {
        Ok(minutes) => minutes,
        Err(why) => return fail(why),
    };
    let local = days * 86_400_000 + ms as i64;
    let utc = local - offset_minutes * 60_000;
    u64::try_from(utc).or_else(|_| fail("before 1970"))
}

/// The number in `len` ASCII digits of `b` from `from`, if they are all there and all digits.
fn digits(b: &[u8], from: usize, len: usize) -> Option<u32> {
    let s = b.get(from..from + len)?;
    s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Days since 1970-01-01 of the `YYYY-MM-DD` date that starts `text`, or why there is none.
fn date_days(text: &str) -> Result<i64, &'static str> {
    let b = text.as_bytes();
    let (Some(year), Some(month), Some(day)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2)) else {
        return Err("expected YYYY-MM-DD first");
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err("expected YYYY-MM-DD first");
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    Ok(days_from_civil(year, month, day))
}

/// The time of day in milliseconds of the `Thh:mm:ss[.fff…]` that follows the date in `text` (longer than the
/// date), and the index of the byte after it; or why there is none.
fn time_of_day_ms(text: &str) -> Result<(u64, usize), &'static str> {
    let b = text.as_bytes();
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err("expected T between the date and the time");
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(b, 11, 2), digits(b, 14, 2), digits(b, 17, 2)) else {
        return Err("expected hh:mm:ss after the date");
    };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') || hour > 23 || minute > 59 || second > 60 {
        return Err("expected hh:mm:ss after the date");
    }
    // A leap second is the last instant of its minute.
    let mut ms = u64::from(hour * 3600 + minute * 60 + second.min(59)) * 1000;
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        at = start;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err("expected digits after the decimal point");
        }
        // Milliseconds: the first three digits; finer digits are truncated.
        let frac: String = text[start..at].chars().chain("00".chars()).take(3).collect();
        ms += frac.parse::<u64>().expect("three digits");
    }
    Ok((ms, at))
}

/// The offset from UTC in minutes written from byte `at` to the end of `b` (`Z` or `±hh:mm`), or why there is none.
fn offset_minutes(b: &[u8], at: usize) -> Result<i64, &'static str> {
    match b.get(at) {
        Some(b'Z' | b'z') if b.len() == at + 1 => Ok(0),
        Some(sign @ (b'+' | b'-')) if b.len() == at + 6 && b[at + 3] == b':' => {
            let (Some(h), Some(m)) = (digits(b, at + 1, 2), digits(b, at + 4, 2)) else {
                return Err("expected an offset ±hh:mm");
            };
            if h > 23 || m > 59 {
                return Err("expected an offset ±hh:mm");
            }
            let minutes = i64::from(h * 60 + m);
            Ok(if *sign == b'+' { minutes } else { -minutes })
        }
        _ => Err("expected Z or an offset ±hh:mm at the end"),
    }
}

/// An instant as an RFC 3339 date-time in UTC with milliseconds (`2026-01-31T12:00:00.000Z`).
pub fn format_time_ms(ms: u64) -> String {
    let days = (ms / 86_400_000) as i64;
    let in_day = ms % 86_400_000;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based method: 400-year cycles of 146,097 days).
pub fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01 (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time_ms("1970-01-01"), Ok(0));
        assert_eq!(parse_time_ms("2000-03-01T00:00:00Z"), Ok(951_868_800_000));
        assert_eq!(parse_time_ms("2026-01-01T00:00:00.250Z"), Ok(1_767_225_600_250));
        assert_eq!(parse_time_ms("2026-01-01T01:00:00+01:00"), Ok(1_767_225_600_000));
        assert_eq!(parse_time_ms("2025-12-31t19:00:00-05:00"), Ok(1_767_225_600_000));
        assert_eq!(parse_time_ms("2026-01-01 00:00:00.123456z"), Ok(1_767_225_600_123));
        assert_eq!(parse_time_ms("1767225600000"), Ok(1_767_225_600_000));
        assert_eq!(parse_time_ms("2024-02-29"), Ok(1_709_164_800_000));
        assert_eq!(format_time_ms(1_767_225_600_250), "2026-01-01T00:00:00.250Z");
        assert_eq!(format_time_ms(951_868_800_000), "2000-03-01T00:00:00.000Z");
    }

    #[test]
    fn refusals_say_what_to_write() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2025-02-29",
            "2026-01-32",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00+0100",
            "2026-01-01T00:00:00.Z",
            "1969-12-31T23:59:59Z",
            "1969-12-31",
            "99999999999999999999999",
        ] {
            let e = parse_time_ms(bad).unwrap_err();
            assert!(e.contains("RFC 3339"), "{bad}: {e}");
        }
    }

    #[test]
    fn round_trips_through_the_calendar() {
        for days in (0..200_000i64).step_by(37) {
            let ms = days as u64 * 86_400_000 + 45_296_789;
            assert_eq!(parse_time_ms(&format_time_ms(ms)), Ok(ms), "day {days}");
        }
    }
}

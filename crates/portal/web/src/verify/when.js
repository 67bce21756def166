// Instants as people type them, read by the node's rules: Unix milliseconds, a date (its first instant in UTC), or an
// RFC 3339 date-time (`T`, `t` or a space between date and time; `Z`, `z` or ±hh:mm at the end; a leap second is
// the last instant of its minute; digits after the milliseconds are dropped). Times before 1970 are refused.
import { FormatError } from "../bytes.js";

/** Longest input accepted, characters. */
const MAX_TEXT = 40;
const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /^[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Days in `month` (1 to 12) of `year`, proleptic Gregorian. */
function daysInMonth(year, month) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Refuse `text` with the reason `why`, as the node words it. */
function refuse(text, why) {
  throw new FormatError(`${JSON.stringify(text)} is not a time: ${why}; write Unix milliseconds, a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T12:00:00Z)`);
}

/** Parse an instant into Unix milliseconds (a safe integer); throws FormatError saying what to write instead. */
export function parseTimeMs(input) {
  const text = String(input ?? "").trim();
  if (text.length === 0 || text.length > MAX_TEXT) refuse(text, "empty or too long");
  if (/^\d+$/.test(text)) {
    const ms = Number(text);
    if (!Number.isSafeInteger(ms)) refuse(text, "too large");
    return ms;
  }
  const d = DATE.exec(text);
  if (!d) refuse(text, "expected YYYY-MM-DD first");
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) refuse(text, "no such date");
  if (year < 1970) refuse(text, "before 1970");
  const midnight = Date.UTC(year, month - 1, day);
  if (text.length === 10) return midnight;
  const t = TIME.exec(text.slice(10));
  if (!t) refuse(text, "expected Thh:mm:ss[.fff] and Z or an offset ±hh:mm after the date");
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3])];
  if (hour > 23 || minute > 59 || second > 60) refuse(text, "expected hh:mm:ss after the date");
  const millis = t[4] ? Number(`${t[4]}00`.slice(0, 3)) : 0;
  let offset = 0;
  if (!t[5]) {
    const [oh, om] = [Number(t[7]), Number(t[8])];
    if (oh > 23 || om > 59) refuse(text, "expected an offset ±hh:mm");
    offset = (t[6] === "+" ? 1 : -1) * (oh * 60 + om);
  }
  const utc = midnight + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000 + millis - offset * 60000;
  if (utc < 0) refuse(text, "before 1970");
  return utc;
}

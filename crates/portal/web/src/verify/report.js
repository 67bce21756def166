// Reports: every verification returns `{ ok, pending?, checks: [{ id, ok, pending?, detail }] }`, the checks in the
// order they ran. A pending check was not performed (or rests on something not pinned): it is not passed, and
// `ok` with `pending` means "nothing failed, but not everything was checked".
// A verification stops at the first failed check, which is the report's last; `fail` carries it out of nested code.
import { FormatError } from "../bytes.js";

/** A failed check raised inside a verification and recorded by `Report.run`. */
export class CheckFailure extends Error {
  constructor(id, detail, sv) {
    super(detail);
    this.id = id;
    this.sv = sv;
  }
}

/** Raise a failed check `id` with the plain-words `detail` (and, optionally, its Swedish `sv`). */
export function fail(id, detail, sv) {
  throw new CheckFailure(id, detail, sv);
}

/** A check: `{ id, ok, pending?, detail, sv? }` (`sv`: the detail in Swedish, where the text is fixed). */
function check(id, ok, detail, sv, pending = false) {
  return { id, ok, ...(pending ? { pending: true } : {}), detail, ...(sv ? { sv } : {}) };
}

/** Collects the checks of one verification. */
export class Report {
  constructor() {
    this.checks = [];
  }

  /** Record a passed check. */
  pass(id, detail, sv) {
    this.checks.push(check(id, true, detail, sv));
  }

  /** Record a check not performed (or not anchored in anything the visitor pinned): neither passed nor failed. */
  pending(id, detail, sv) {
    this.checks.push(check(id, false, detail, sv, true));
  }

  /** Record a failed check. */
  failed(id, detail, sv) {
    this.checks.push(check(id, false, detail, sv));
  }

  /**
   * Run `body(report)`; a CheckFailure becomes a failed check of its id, a FormatError a failed `format` check, and
   * anything else a failed `format` check too (bad input must never escape as an exception). Returns the report
   * object with `extra`'s fields (what the verification established) when every check passed.
   */
  run(body) {
    let extra = {};
    try {
      extra = body(this) ?? {};
    } catch (e) {
      if (e instanceof CheckFailure) this.failed(e.id, e.message, e.sv);
      else if (e instanceof FormatError) this.failed("format", e.message);
      else this.failed("format", `the input could not be read: ${e && e.message ? e.message : String(e)}`);
      return { ok: false, checks: this.checks };
    }
    return summarize(this.checks, extra);
  }
}

/**
 * A report of `checks`: `ok` when none failed (pending ones aside), `pending` when some were not performed, and
 * `extra`'s fields when ok.
 */
export function summarize(checks, extra = {}) {
  const ok = checks.length > 0 && checks.every((c) => c.ok || c.pending);
  const pending = checks.some((c) => c.pending && !c.ok);
  return { ok, ...(pending ? { pending: true } : {}), checks, ...(ok ? extra : {}) };
}

/** Run `body(report)` in a fresh Report (see `Report.run`). */
export function report(body) {
  return new Report().run(body);
}

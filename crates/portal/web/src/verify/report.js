// Reports: every verification returns `{ ok, pending?, checks: [{ id, ok, pending?, detail }] }`, the checks in the
// order they ran. A pending check was not performed (or rests on something not pinned): it is not passed, and
// `ok` with `pending` means "nothing failed, but not everything was checked".
// A verification stops at the first failed check, which is the report's last; `fail` carries it out of nested code.
import { FormatError } from "../bytes.js";

/** A failed check raised inside a verification and recorded by `Report.run`. */
export class CheckFailure extends Error {
  constructor(id, detail) {
    super(detail);
    this.id = id;
  }
}

/** Raise a failed check `id` with the plain-words `detail`. */
export function fail(id, detail) {
  throw new CheckFailure(id, detail);
}

/** Collects the checks of one verification. */
export class Report {
  constructor() {
    this.checks = [];
  }

  /** Record a passed check. */
  pass(id, detail) {
    this.checks.push({ id, ok: true, detail });
  }

  /** Record a check not performed (or not anchored in anything the visitor pinned): neither passed nor failed. */
  pending(id, detail) {
    this.checks.push({ id, ok: false, pending: true, detail });
  }

  /** Record a failed check. */
  failed(id, detail) {
    this.checks.push({ id, ok: false, detail });
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
      if (e instanceof CheckFailure) this.failed(e.id, e.message);
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

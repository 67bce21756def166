// The citizen's "who read my records" page (`/data/log`, `<body data-page="data-log">`): she signs in with her key
// file (the wallet's sign-in: the key is decrypted here and never sent), the browser signs read requests for her
// log, her records and her legal bases (`POST /v1/data/read`, docs/privacy.md), shows every access with who, when,
// why, on which basis and what came of it, and checks every answer's proofs against the pinned genesis, comparing
// each row shown with the proven record. A "watch" button follows her log live (`POST /v1/data/log/stream`, read
// with fetch: EventSource cannot send a body) and reads it again when an access is written or changes.
import { toBase64 } from "../bytes.js";
import { verifyDocument } from "../verify/state.js";
import { renderReport, withSets } from "../verify/pages.js";
import { translator } from "../verify/strings.js";
import { localTimes } from "../time.js";
import { fetchStatus } from "../wallet/api.js";
import { forget, requireSession } from "../wallet/session.js";
import { accountSection, keyIsCurrent, signInSection } from "../wallet/signin.js";
import { pageStrings as walletStrings } from "../wallet/strings.js";
import { h, hex, link, replace, showError, timeElement } from "../wallet/dom.js";
import { MAX_DATA_PAGE, ownerQuery, readSigningMessage } from "./records.js";
import { pageStrings } from "./strings.js";

/** Most pages of the log (or of the records) read at once: 40,000 accesses. */
const MAX_PAGES = 200;
/** Largest answer read, bytes (a page of 200 accesses with their proofs is well under 2 MiB). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** How long one read waits for the node. */
const READ_TIMEOUT_MS = 30_000;

/** A refusal or failure of a read, with the node's message when it gave one. */
class ReadError extends Error {
  constructor(message, refused) {
    super(message);
    this.refused = refused;
  }
}

/** The node's error message in an error answer, or the text's start. */
function nodeMessage(text) {
  try {
    const e = JSON.parse(text).error;
    return `${e.message} (${e.code})`;
  } catch {
    return text.slice(0, 300);
  }
}

/** The signed body of a read of `query` by `reader`, signed with the session's key now. */
function signedBody(chainId, reader, query) {
  const request = { query, reader, at_ms: Date.now() };
  const signature = requireSession().key.sign(readSigningMessage(chainId, request));
  return JSON.stringify({ request, signature: toBase64(signature) });
}

/** `POST /v1/data/read` a signed query; the answer's text. */
async function signedRead(chainId, reader, query) {
  let response;
  let text;
  try {
    response = await fetch("/v1/data/read", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: signedBody(chainId, reader, query),
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (e) {
    throw new ReadError(String(e?.message ?? e), false);
  }
  if (text.length > MAX_ANSWER_BYTES) throw new ReadError(`an answer of ${text.length} bytes is larger than ${MAX_ANSWER_BYTES}`, false);
  if (!response.ok) throw new ReadError(nodeMessage(text), true);
  return text;
}

/**
 * Every page of an owner's list (`owner_log` or `owner_records`), each answer kept with the record name its proofs
 * are checked for (`log:OWNER[:AFTER]`). Returns `{answers, items}`.
 */
async function readAllPages(chainId, owner, kind, member) {
  const answers = [];
  const items = [];
  let after = null;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const text = await signedRead(chainId, owner, ownerQuery(kind, owner, { after, limit: MAX_DATA_PAGE }));
    const listing = JSON.parse(text)?.answer?.[member];
    const prefix = kind === "owner_log" ? "log" : "records";
    answers.push({ page, text, record: `${prefix}:${owner}${after === null ? "" : `:${after}`}` });
    items.push(...(Array.isArray(listing?.items) ? listing.items : []));
    after = listing?.next ?? null;
    if (after === null) break;
  }
  return { answers, items };
}

/** A table with a caption, header cells and rows (arrays of cells). */
function table(id, caption, headers, rows) {
  // A wide table scrolls on a narrow screen: its region takes the keyboard's focus, so it scrolls without a mouse.
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { id },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)));
}

/** An access's basis in words. */
function basisText(t, a) {
  const b = a.basis;
  const base = b === "owner" ? t.basisOwner : b?.consent !== undefined ? t.basisConsent(b.consent) : b?.court_order !== undefined ? t.basisCourtOrder(b.court_order) : t.basisEmergency(b?.emergency);
  return a.study === null || a.study === undefined ? base : `${base}, ${t.basisStudy(a.study)}`;
}

/** An access's outcome in words, its times as `<time>`. */
function stateText(t, s, lang) {
  if (s === "pending") return t.pending;
  if (s?.released) return t.released(timeElement(s.released.at_ms, lang));
  if (s?.refused) return t.refusedState(s.refused.code);
  if (s?.declined) return t.declined(s.declined.reason_code);
  if (s?.lapsed) return t.lapsed(s.lapsed.reason);
  return JSON.stringify(s);
}

/** The name of an access's outcome, for the row's `data-state`. */
function stateName(s) {
  return typeof s === "string" ? s : Object.keys(s ?? {})[0] ?? "";
}

/** A record's state in words. */
function recordStateText(t, s, lang) {
  if (s === "active") return t.active;
  if (s?.erasure_ordered) return t.erasureOrdered(timeElement(s.erasure_ordered.at_ms, lang));
  if (s?.erased) return t.erased(timeElement(s.erased.erased_at_ms, lang), s.erased.order);
  return JSON.stringify(s);
}

/** Who a consent is granted to. */
function granteeView(t, g) {
  if (g?.agency) return t.granteeAgency(g.agency);
  if (g?.account) return [t.granteeAccount, " ", link(`/accounts/${g.account}`, hex(g.account))];
  return t.granteeStudy(g?.study);
}

/** The log's table: one row per access. */
function logTable(t, lang, accesses, records) {
  const rows = accesses.map((a) => {
    const record = records.get(a.record);
    const who = a.requester_agency === null ? [t.you] : [link(`/accounts/${a.requester}`, hex(a.requester)), ` (${a.requester_agency})`];
    return h("tr", { "data-access": String(a.id), "data-state": stateName(a.state) },
      h("td", {}, timeElement(a.requested_at_ms, lang)),
      h("td", {}, who),
      h("td", {}, a.purpose),
      h("td", {}, basisText(t, a)),
      h("td", {}, `${a.record}${record ? ` (${record.category}, ${record.agency})` : ""}`),
      h("td", {}, stateText(t, a.state, lang)));
  });
  return table("data-log-table", t.logHeading, [t.when, t.who, t.purpose, t.basis, t.record, t.state], rows);
}

/** The records' table. */
function recordsTable(t, lang, records) {
  const rows = records.map((r) => h("tr", { "data-record": String(r.id), "data-state": stateName(r.state) },
    h("td", {}, String(r.id)),
    h("td", {}, r.agency),
    h("td", {}, r.category),
    h("td", {}, timeElement(r.registered_at_ms, lang)),
    h("td", {}, recordStateText(t, r.state, lang))));
  return table("data-records-table", t.recordsHeading, ["#", t.agency, t.category, t.registered, t.recordState], rows);
}

/** The consents' table, each with the accesses of the log that relied on it. */
function consentsTable(t, lang, consents, accesses) {
  const rows = consents.map((c) => {
    const relied = accesses.filter((a) => a.basis?.consent === c.id);
    return h("tr", { "data-consent": String(c.id) },
      h("td", {}, String(c.id)),
      h("td", {}, granteeView(t, c.grantee)),
      h("td", {}, c.category),
      h("td", {}, c.purpose),
      h("td", {}, timeElement(c.until_ms, lang)),
      h("td", {}, c.revoked ? t.revoked(timeElement(c.revoked.at_ms, lang)) : t.inForce),
      h("td", {}, relied.length ? relied.flatMap((a, i) => [i ? "; " : "", link(`/accounts/${a.requester}`, hex(a.requester)), ` (${stateName(a.state)})`]) : t.nobody));
  });
  return table("data-consents-table", t.consentsHeading, ["#", t.grantee, t.category, t.purpose, t.until, t.status, t.reliedOn], rows);
}

/** The court orders and representatives, when there are any. */
function otherBases(t, lang, bases) {
  const orders = bases.court_orders?.items ?? [];
  const reps = bases.representatives ?? [];
  return [
    orders.length
      ? table("data-orders-table", t.ordersHeading, ["#", t.grantee, t.category, t.purpose, t.until], orders.map((o) => h("tr", {},
        h("td", {}, String(o.id)), h("td", {}, o.grantee), h("td", {}, o.category), h("td", {}, o.purpose), h("td", {}, timeElement(o.until_ms, lang)))))
      : null,
    reps.length
      ? table("data-representatives-table", t.representativesHeading, [t.who, t.until, t.status], reps.map((r) => h("tr", {},
        h("td", {}, link(`/accounts/${r.representative}`, hex(r.representative)), ` (${r.court})`), h("td", {}, timeElement(r.until_ms, lang)), h("td", {}, r.ended ? t.revoked(timeElement(r.ended.at_ms, lang)) : t.inForce))))
      : null,
  ];
}

/** One answer's proof check, rendered as the portal's other proof sections are. */
function proofBlock(label, tv) {
  const ol = h("ol", { class: "checks" });
  const verdict = h("p", { class: "verdict", "aria-live": "polite" });
  const section = h("section", { class: "proof data-proof" }, h("h3", {}, label), ol, verdict);
  return { section, ol, verdict };
}

/**
 * Check every answer's proofs for the record it names, rendering each report. Returns `{failed, pending}`: the ids
 * of the first failed check and of the first check not performed, each null when there is none.
 */
async function checkAnswers(answers, container, tv) {
  let failed = null;
  let pending = null;
  for (const answer of answers) {
    const block = proofBlock(answer.label, tv);
    block.section.dataset.record = answer.record;
    container.append(block.section);
    const report = await withSets((sets) => verifyDocument(answer.text, sets, answer.record));
    renderReport(block.ol, block.verdict, report, tv);
    const bad = report.ok ? report.checks.find((c) => !c.ok && !c.pending) : report.checks.find((c) => !c.ok && !c.pending) ?? { id: "format" };
    block.section.dataset.ok = String(!bad);
    failed = failed ?? bad?.id ?? null;
    pending = pending ?? report.checks.find((c) => c.pending && !c.ok)?.id ?? null;
  }
  return { failed, pending };
}

/** Read the owner's log, records and bases, show them, and check their proofs. */
async function showLog(out, owner, t, tv, lang) {
  const status = h("p", { id: "data-log-status", role: "status", "aria-live": "polite" }, t.reading);
  const error = h("div", { id: "data-log-error", class: "error", role: "alert", hidden: true });
  replace(out, status, error);
  let log;
  let records;
  let basesText;
  try {
    const { chainId } = await fetchStatus();
    log = await readAllPages(chainId, owner, "owner_log", "accesses");
    records = await readAllPages(chainId, owner, "owner_records", "records");
    basesText = await signedRead(chainId, owner, ownerQuery("owner_bases", owner));
  } catch (e) {
    replace(status, "");
    showError(error, e instanceof ReadError && e.refused ? t.refused(e.message) : t.failed(e.message));
    return;
  }
  const bases = JSON.parse(basesText).answer ?? {};
  const byId = new Map(records.items.map((r) => [r.id, r]));
  const consents = bases.consents?.items ?? [];
  const proofs = h("div", { id: "data-proofs" });
  const verdict = h("p", { id: "data-proofs-verdict", class: "verdict", "aria-live": "polite" }, t.checking);
  replace(out,
    h("h2", { id: "data-log-heading", tabindex: "-1" }, t.logHeading),
    h("p", {}, log.items.length ? t.logIntro(log.items.length) : t.empty),
    log.items.length ? logTable(t, lang, log.items, byId) : null,
    h("h2", {}, t.recordsHeading),
    h("p", { class: "muted" }, t.recordsIntro),
    records.items.length ? recordsTable(t, lang, records.items) : h("p", {}, t.noRecords),
    h("h2", {}, t.consentsHeading),
    h("p", { class: "muted" }, t.consentsIntro),
    consents.length ? consentsTable(t, lang, consents, log.items) : h("p", {}, t.noConsents),
    otherBases(t, lang, bases),
    h("h2", {}, t.proofsHeading),
    h("p", { class: "muted" }, t.proofsIntro),
    verdict,
    proofs);
  localTimes(out);
  out.querySelector("#data-log-heading").focus();
  const answers = [
    ...log.answers.map((a) => ({ ...a, label: t.answerLog(a.page) })),
    ...records.answers.map((a) => ({ ...a, label: t.answerRecords })),
    { text: basesText, record: `bases:${owner}`, label: t.answerBases },
  ];
  const { failed, pending } = await checkAnswers(answers, proofs, tv);
  verdict.className = `verdict ${failed ? "bad" : pending ? "pending" : "ok"}`;
  verdict.dataset.done = "true";
  if (failed) replace(verdict, tv("verdict.bad", { label: tv(`check.${failed}`) }));
  else if (pending) replace(verdict, tv("verdict.pending", { label: tv(`check.${pending}`) }));
  else replace(verdict, tv("verdict.ok"));
}

/** Server-sent events from a fetch body: calls `onEvent(name, data)` for each, until the stream ends or `signal` aborts. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (name && data) onEvent(name, JSON.parse(data));
    }
    if (buffer.length > 1 << 20) throw new Error("an event is longer than 1 MiB");
  }
}

/** The "watch" button: follows the owner's log and reads it again on each access event. */
function watchSection(owner, t, onAccess) {
  const note = h("p", { id: "data-watch-status", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", id: "data-watch-button" }, t.watch);
  let controller = null;
  const stop = () => {
    controller?.abort();
    controller = null;
    replace(button, t.watch);
  };
  button.addEventListener("click", async () => {
    if (controller) return stop();
    controller = new AbortController();
    replace(button, t.stopWatching);
    try {
      const { chainId } = await fetchStatus();
      const response = await fetch("/v1/data/log/stream", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: signedBody(chainId, owner, ownerQuery("owner_log", owner, { limit: 1 })),
        signal: controller.signal,
      });
      if (!response.ok) throw new ReadError(nodeMessage(await response.text()), true);
      replace(note, t.watching);
      await readEvents(response.body, (name, data) => {
        if (name === "access") {
          replace(note, t.newAccess(data.access?.id));
          onAccess();
        } else if (name === "end") {
          replace(note, t.watchEnded(data.message));
        }
      });
    } catch (e) {
      if (e?.name !== "AbortError") replace(note, e instanceof ReadError ? t.refused(e.message) : t.failed(String(e?.message ?? e)));
    } finally {
      if (controller) stop();
    }
  });
  return { section: h("p", {}, button, " ", note), stop };
}

/** Builds the page in `#data-log-app`; does nothing on another page. */
export function init(doc = document) {
  const root = doc.getElementById("data-log-app");
  if (!root || doc.body?.dataset?.page !== "data-log") return;
  const tw = walletStrings(doc);
  const t = pageStrings(doc);
  const tv = translator(doc);
  const lang = (doc.documentElement.lang || "en").toLowerCase().startsWith("sv") ? "sv" : "en";

  const showSignIn = (message) => {
    const section = signInSection(tw, showSignedIn);
    replace(root, section);
    if (message) replace(section.querySelector("#wallet-signin-status"), message);
  };

  function showSignedIn(signedIn) {
    let watch = null;
    const onSignOut = () => {
      watch?.stop();
      forget();
      showSignIn(tw.signedOut);
      root.querySelector("#wallet-keyfile")?.focus();
    };
    const account = accountSection(tw, signedIn, onSignOut);
    const out = h("div", { id: "data-log-out" });
    const kind = signedIn.account?.account?.kind?.type;
    let refusal = null;
    if (!signedIn.account) refusal = t.notRegistered;
    else if (!keyIsCurrent(signedIn.account.account, signedIn.publicKey)) refusal = t.keyRotated;
    else if (kind !== "citizen") refusal = t.notCitizen(kind === "official" ? tw.official : String(kind));
    if (refusal) {
      replace(root, account, h("div", { id: "data-log-error", class: "error", role: "alert" }, refusal));
      return;
    }
    let running = null;
    const reload = () => {
      running = (running ?? Promise.resolve()).then(() => showLog(out, signedIn.address, t, tv, lang));
      return running;
    };
    watch = watchSection(signedIn.address, t, reload);
    replace(root, account, watch.section, out);
    reload();
  }

  showSignIn();
}

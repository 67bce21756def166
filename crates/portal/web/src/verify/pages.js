// The verifier's page glue: the /verify page (a document's receipt, a receipt file, the trusted genesis), the
// "check the proof in this browser" sections of every page, and the parcel page's as-of form. Each part looks for
// its own elements and does nothing without them.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../bytes.js";
import { verifyDocument } from "./state.js";
import { verifyReceipt } from "./receipt.js";
import { verifyOwnershipAsOf, verifyPermitStatusAsOf } from "./registry.js";
import { MAX_RECEIPT_BYTES } from "./tlog.js";
import { MAX_PROOF_JSON_BYTES } from "./history.js";
import { MAX_GENESIS_BYTES, getTrust, pinGenesis, pinWitnesses, pinnedWitnesses, resetVerifiedSets, unpin, verifiedSets } from "./trust.js";
import { summarize } from "./report.js";
import { parseTimeMs } from "./when.js";
import { getBounded } from "./fetch.js";
import { translator } from "./strings.js";
import { localTimes } from "../time.js";
import { h as el } from "../dom.js";
import { contractFactRows } from "../contracts/facts.js";

/** Largest file whose SHA-256 the page computes. */
const MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024;
/** Bytes of a file read and hashed at a time. */
const HASH_SLICE_BYTES = 4 * 1024 * 1024;
let idCounter = 0;

/** A fresh element id with this prefix. */
function freshId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A `<time>` element for Unix milliseconds, shown in the visitor's zone by localTimes, UTC on hover. */
function timeEl(ms) {
  const iso = new Date(ms).toISOString();
  return el("time", { datetime: iso, title: iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") }, iso.replace("T", " ").replace(/\.\d+Z$/, " UTC"));
}

/** A check's detail in the page's language: its Swedish text on a Swedish page, where it has one. */
function detailText(c) {
  return document.documentElement.lang?.toLowerCase().startsWith("sv") && c.sv ? c.sv : c.detail;
}

/** Render a report's checks into `ol` and its verdict into `verdict` (both emptied first). */
export function renderReport(ol, verdict, report, t) {
  ol.replaceChildren(
    ...report.checks.map((c) => {
      const state = c.ok ? "ok" : c.pending ? "pending" : "bad";
      return el("li", { class: `check ${state}` },
        el("strong", {}, `${t(`check.${c.id}`)}: ${t(state === "ok" ? "passed" : state === "pending" ? "notPerformed" : "failed")}`), " ",
        el("span", { class: "detail" }, detailText(c)));
    }),
  );
  const failed = report.checks.find((c) => !c.ok && !c.pending);
  const pending = report.checks.find((c) => c.pending && !c.ok);
  if (report.ok && !failed && pending) {
    verdict.className = "verdict pending";
    const specific = `verdict.pending.${pending.id}`;
    verdict.textContent = t(specific) === specific ? t("verdict.pending", { label: t(`check.${pending.id}`) }) : t(specific);
    return;
  }
  verdict.className = `verdict ${report.ok && !failed ? "ok" : "bad"}`;
  verdict.textContent = report.ok && !failed ? t("verdict.ok") : t("verdict.bad", { label: t(`check.${failed ? failed.id : "format"}`) });
}

/** Show "checking" in the list and verdict while a verification runs. */
function renderPending(ol, verdict, t) {
  ol.replaceChildren(el("li", { class: "check pending" }, el("strong", {}, t("checking"))));
  verdict.className = "verdict";
  verdict.textContent = "";
}

/**
 * The trust checks followed by `verify(sets)`'s, as one report; the trust's failure stops it. A header naming a
 * validator set the cached history does not reach is checked once more with a fresh history (the set may have
 * changed since the page verified it).
 */
export async function withSets(verify) {
  for (let attempt = 0; ; attempt++) {
    const trust = await verifiedSets();
    if (!trust.ok) return { ok: false, checks: trust.checks };
    const r = verify(trust.sets);
    if (!r.ok && attempt === 0 && r.checks[r.checks.length - 1].id === "validator-set") {
      resetVerifiedSets();
      continue;
    }
    return { ...r, ...summarize([...trust.checks, ...r.checks]) };
  }
}

/** GET a same-origin URL as text, at most `max` bytes counted while reading, bounded in time; `{ status, text }`. */
function fetchBounded(url, max) {
  return getBounded(url, max, "application/json, text/plain");
}

/** A byte count in words (KiB, MiB, GiB). */
function size(bytes) {
  if (bytes >= 1 << 30) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

/** The file's SHA-256 in hex, hashed here 4 MiB at a time, so a large file is never whole in memory. */
async function fileSha256(file) {
  const hash = nobleSha256.create();
  for (let at = 0; at < file.size; at += HASH_SLICE_BYTES) {
    hash.update(new Uint8Array(await file.slice(at, Math.min(at + HASH_SLICE_BYTES, file.size)).arrayBuffer()));
  }
  return toHex(hash.digest());
}

// ---------------------------------------------------------------------------------------------------------------
// Proof sections on any page

/**
 * Verify a fetched answer by the section's kind, tied to the record the page names (`KIND:ID`); a page that names
 * none gets a pending `record` check: the proofs are then not tied to what it shows.
 */
function verifyByKind(kind, text, sets, atMs, record) {
  let result;
  if (kind === "ownership-asof" || kind === "permit-asof") {
    const want = kind === "ownership-asof" ? "parcel:" : "permit:";
    if (record && !record.startsWith(want)) {
      return { ok: false, checks: [{ id: "record", ok: false, detail: `the page names record ${record}, but this answer is about a ${want.slice(0, -1)}: the page is inconsistent; do not rely on it` }] };
    }
    const id = record ? record.slice(want.length) : undefined;
    result = (kind === "ownership-asof" ? verifyOwnershipAsOf : verifyPermitStatusAsOf)(text, sets, atMs, id);
  } else {
    result = verifyDocument(text, sets, record);
  }
  if (record || !result.ok) return result;
  return { ...result, ...summarize([...result.checks, { id: "record", ok: false, pending: true,
    detail: "the page does not say which record it shows, so the proofs are not compared with what it says",
    sv: "sidan anger inte vilken post den visar, så bevisen jämförs inte med vad den säger" }]) };
}

/** A `<dl>` row: a term and its description (text or nodes). */
function row(term, ...description) {
  return [el("dt", {}, term), el("dd", {}, ...description)];
}

/** An account address as a link to its page. */
function accountLink(address) {
  return el("a", { href: `/accounts/${address}`, class: "mono" }, address);
}

/** The page's language: `sv` on a Swedish page, else `en`. */
function pageLang() {
  return document.documentElement.lang?.toLowerCase().startsWith("sv") ? "sv" : "en";
}

/**
 * An amount (decimal digits of an integer in a currency's smallest unit) written in the currency's unit with
 * `decimals`, its groups of digits as the page's language writes them (`12,000.00`, `12 000,00`): exact, from the
 * digits, never through a float. With no decimals it is the integer grouped.
 */
function amountText(digits, decimals = 0, lang = "en") {
  const text = /^\d+$/.test(String(digits)) ? String(digits) : "0";
  const padded = text.padStart(decimals + 1, "0");
  const whole = decimals ? padded.slice(0, -decimals) : padded;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === "sv" ? "\u00a0" : ",");
  return decimals ? `${grouped}${lang === "sv" ? "," : "."}${padded.slice(-decimals)}` : grouped;
}

/** A month `YYYYMM` as `YYYY-MM`. */
function monthText(period) {
  return `${Math.floor(period / 100)}-${String(period % 100).padStart(2, "0")}`;
}

/** Who holds an account, proven (`{agency}`, `{citizen}`, `{company}`): an agency's id, a citizen's account, a company's page. */
function holderView(holder, t) {
  if (holder?.agency) return [holder.agency, ` (${t("facts.agencyHolder")})`];
  if (holder?.citizen) return [accountLink(holder.citizen)];
  if (holder?.company) return [el("a", { href: `/companies/${encodeURIComponent(holder.company)}` }, t("facts.company", { number: holder.company }))];
  return [t("facts.none")];
}

/** The rows of what a verified report establishes (facts of a record, or an as-of decision), or []. */
function factRows(report, t) {
  const f = report.facts;
  if (f && f.kind === "parcel") {
    return [
      ...row(t("facts.owners"), ...(f.owners.length ? f.owners.flatMap((o, i) => [i ? ", " : "", accountLink(o.account), ` (${o.share})`]) : [t("asof.noOwner")])),
      ...row(t("facts.encumbrances"), f.encumbrances.length
        ? f.encumbrances.map((e) => `${t(`facts.encumbrance.${e.kind}`)} ${e.reference} (${e.agency})${e.released ? ` — ${t("facts.released")}` : ""}`).join("; ")
        : t("facts.none")),
      ...row(t("facts.area"), `${f.areaM2} m²`),
    ];
  }
  if (f && f.kind === "account") {
    return [
      ...row(t("facts.accountKind"), t(`facts.kind.${f.accountKind}`)),
      ...row(t("facts.agency"), f.agency ?? t("facts.none")),
      ...row(t("facts.roles"), f.roles.length ? f.roles.join(", ") : t("facts.none")),
      ...row(t("facts.active"), f.active ? t("facts.yes") : t("facts.no")),
    ];
  }
  if (f && f.kind === "company") {
    return [
      ...row(t("facts.name"), f.name),
      ...row(t("facts.status"), t(`facts.company.${f.status}`)),
      ...row(t("facts.officers"), ...(f.officers.length ? f.officers.flatMap((o, i) => [i ? ", " : "", accountLink(o.account), ` (${t(`facts.role.${o.role}`)})`]) : [t("facts.none")])),
      ...row(t("facts.shareholders"), ...(f.shareholders.length ? f.shareholders.flatMap((s, i) => [i ? ", " : "",
        s.holder.type === "person" ? accountLink(s.holder.id) : el("a", { href: `/companies/${s.holder.id}` }, s.holder.id), ` (${s.shares})`]) : [t("facts.none")])),
    ];
  }
  if (f && f.kind === "application") {
    return [
      ...row(t("facts.status"), t(`facts.application.${f.status}`)),
      ...row(t("facts.approvals"), ...(f.approvals.length ? f.approvals.flatMap((a, i) => [i ? ", " : "",
        a.party.type === "role" ? `${a.party.value}: ` : "", accountLink(a.by), " (", timeEl(a.timeMs), ")"]) : [t("facts.none")])),
    ];
  }
  if (f && f.kind === "consent") {
    return [
      ...row(t("facts.grantor"), accountLink(f.grantor)),
      ...row(t("facts.grantee"), accountLink(f.grantee)),
      ...row(t("facts.claims"), f.claims.join(", ")),
      ...row(t("facts.uses"), String(f.uses)),
      ...(f.revokedAtMs !== null ? row(t("facts.revoked"), timeEl(f.revokedAtMs)) : []),
    ];
  }
  if (f && f.kind === "block") {
    return [
      ...row(t("facts.height"), String(f.height)),
      ...row(t("facts.hash"), el("code", { class: "mono" }, f.hash)),
      ...row(t("facts.time"), timeEl(f.timeMs)),
      ...row(t("facts.proposer"), el("code", { class: "mono" }, f.proposer)),
    ];
  }
  if (f && f.kind === "election") {
    return [
      ...row(t("facts.name"), f.name),
      ...row(t("facts.status"), t(`facts.election.${f.status}`)),
      ...row(t("facts.roll"), String(f.rollCount)),
      ...row(t("facts.ballots"), t("facts.ballotsFrom", { ballots: f.ballots, voters: f.voters })),
      ...row(t("facts.board"), t("facts.events", { events: f.events }), ...(f.head ? [" ", el("code", { class: "mono" }, f.head)] : [])),
      ...f.questions.filter((q) => q.counts).flatMap((q) => row(q.question,
        [...(q.blank ? [t("facts.blank")] : []), ...q.answers].map((a, i) => `${a}: ${q.counts[i] ?? "—"}`).join("; "))),
    ];
  }
  if (f && f.kind === "ballot") {
    return [
      ...row(t("facts.election"), el("a", { href: `/elections/${f.election}` }, f.name)),
      ...row(t("facts.counted"), f.counted ? t("facts.counted.yes") : t("facts.counted.no")),
      ...row(t("facts.onBoard"), t("facts.event", { event: f.eventHeight }), " ", el("a", { href: `/blocks/${f.blockHeight}` }, t("facts.inBlock", { block: f.blockHeight }))),
      ...row(t("facts.time"), timeEl(f.acceptedAtMs)),
      ...row(t("facts.credentialBallots"), String(f.ballots)),
    ];
  }
  if (f && f.kind === "currency") {
    const lang = pageLang();
    const money = (digits) => `${amountText(digits, f.decimals, lang)} ${f.code}`;
    return [
      ...row(t("facts.name"), `${f.name} (${f.code})`),
      ...row(t("facts.issuer"), f.issuer),
      ...row(t("facts.issued"), money(f.issued)),
      ...row(t("facts.redeemed"), money(f.redeemed)),
      ...row(t("facts.circulating"), f.circulating === null ? t("facts.overRedeemed") : money(f.circulating)),
      ...row(t("facts.publicBalances"), money(f.publicBalances)),
      ...row(t("facts.privateBalances"), money(f.privateBalances)),
      ...row(t("facts.invariant"), f.balanced ? t("facts.invariant.holds") : t("facts.invariant.broken")),
    ];
  }
  if (f && f.kind === "budget") {
    return [
      ...row(t("facts.budgetLaw"), `${f.reference} (${f.year})`),
      ...row(t("facts.amounts"), t("facts.smallestUnit", { currency: f.currency })),
      ...row(t("facts.appropriated"), t("facts.inLines", { amount: amountText(f.appropriated), lines: f.lines })),
      ...f.shown.flatMap((l) => row(`${l.code} ${l.name}`, t("facts.lineTotals", { appropriation: amountText(l.appropriation), paid: amountText(l.paid) }))),
    ];
  }
  if (f && f.kind === "line") {
    return [
      ...row(t("facts.line"), `${f.code} ${f.name} (${f.year})`),
      ...row(t("facts.classification"), `COFOG ${f.cofog}, GFS ${f.economic}`),
      ...row(t("facts.amounts"), t("facts.smallestUnit", { currency: t("facts.budgetCurrency") })),
      ...row(t("facts.appropriation"), amountText(f.appropriation)),
      ...row(t("facts.allocated"), amountText(f.allocated)),
      ...row(t("facts.committed"), amountText(f.committed)),
      ...row(t("facts.paid"), amountText(f.paid)),
      ...row(t("facts.byMonth"), f.months.length
        ? f.months.map((m) => t("facts.month", { month: monthText(m.month), allocated: amountText(m.allocated), committed: amountText(m.committed), paid: amountText(m.paid) })).join("; ")
        : t("facts.none")),
    ];
  }
  if (f && f.kind === "payment") {
    return [
      ...row(t("facts.amount"), amountText(f.amount), " ", t("facts.smallestUnit", { currency: f.budget.currency })),
      ...row(t("facts.paidTo"), ...(f.privatePayee ? [t("facts.privatePayee")] : holderView(f.payee, t))),
      ...row(t("facts.reference"), f.reference),
      ...row(t("facts.time"), timeEl(f.timeMs), " ", el("a", { href: `/blocks/${f.height}` }, t("facts.inBlock", { block: f.height }))),
      ...row(t("facts.commitment"), `${f.commitment.id}: ${f.commitment.reference}`),
      ...row(t("facts.allocation"), `${f.allocation.id}, ${f.allocation.agency}: ${f.allocation.reference}`),
      ...row(t("facts.line"), el("a", { href: `/finance/budgets/${f.line.year}/lines/${encodeURIComponent(f.line.code)}` }, `${f.line.code} ${f.line.name}`)),
      ...row(t("facts.budgetLaw"), `${f.budget.reference} (${f.budget.year})`),
    ];
  }
  if (f && f.kind === "programme") {
    return [
      ...row(t("facts.name"), f.name),
      ...row(t("facts.scheme"), f.scheme),
      ...row(t("facts.agency"), f.agency),
      ...row(t("facts.amounts"), t("facts.smallestUnit", { currency: t("facts.budgetCurrency") })),
      ...row(t("facts.perClaim"), amountText(f.amount)),
      ...row(t("facts.months"), `${monthText(f.firstPeriod)} – ${monthText(f.lastPeriod)}`),
      ...row(t("facts.claimsPaid"), t("facts.claims.total", { claims: f.claims, paid: amountText(f.paid) })),
      ...row(t("facts.byPeriod"), f.periods.length
        ? f.periods.map((p) => `${monthText(p.period)}: ${t("facts.claims.total", { claims: p.claims, paid: amountText(p.paid) })}`).join("; ")
        : t("facts.none")),
      ...row(t("facts.whoWasPaid"), t("facts.nullifiers")),
    ];
  }
  if (f && f.kind === "tender") {
    return [
      ...row(t("facts.tender"), `${f.title} (${f.id})`),
      ...row(t("facts.entity"), f.entity),
      ...row(t("facts.status"), t("facts.statusAt", { status: t(`facts.tender.${f.status}`) }), " (", timeEl(f.atMs), ")"),
      ...row(t("facts.amounts"), t("facts.smallestUnit", { currency: f.currency })),
      ...f.lots.flatMap((l, i) => row(`${t("facts.lot")} ${i}: ${l.title}`, t("facts.lotEstimate", { value: amountText(l.value) }),
        ...(l.award ? ["; ", t("facts.lotAward", { company: l.award.company, price: amountText(l.award.price) })] : []))),
      ...row(t("facts.bidDeadline"), timeEl(f.bidDeadlineMs)),
      ...row(t("facts.openingTime"), timeEl(f.openingMs)),
      ...row(t("facts.tenderBids"), t("facts.bidsOpened", { bids: f.bids, opened: f.opened })),
    ];
  }
  if (f && f.kind === "contract") {
    return [
      ...row(t("facts.tender"), el("a", { href: `/procurement/tenders/${f.tender}` }, f.tender), `, ${t("facts.lot").toLowerCase()} ${f.lot}`),
      ...row(t("facts.entity"), f.entity),
      ...row(t("facts.supplier"), el("a", { href: `/companies/${encodeURIComponent(f.supplier)}` }, t("facts.company", { number: f.supplier }))),
      ...row(t("facts.status"), t(`facts.contractStatus.${f.status}`)),
      ...row(t("facts.amounts"), t("facts.smallestUnit", { currency: t("facts.tenderCurrency") })),
      ...row(t("facts.contractValue"), t("facts.valueAwarded", { value: amountText(f.value), awarded: amountText(f.awardedPrice) })),
      ...f.milestones.flatMap((m) => row(m.title, t("facts.milestonePaid", { amount: amountText(m.amount), paid: amountText(m.paid) }),
        ...(m.payments.length ? [`; ${t("facts.payments")} `, ...m.payments.flatMap((p, i) => [i ? ", " : "", el("a", { href: `/finance/payments/${p}` }, p)])] : []))),
    ];
  }
  const contractRows = contractFactRows(f, pageLang());
  if (contractRows) return contractRows;
  if (report.decision) {
    const d = report.decision;
    const rows = [...row(t("facts.provenAt"), timeEl(report.atMs)), ...row(t("facts.decision"), t(`facts.decision.${d.type}`) + (d.reason ? `: ${d.reason}` : ""))];
    if (d.owners) rows.push(...row(t("facts.owners"), ...d.owners.flatMap((o, i) => [i ? ", " : "", accountLink(o.account), ` (${o.numerator}/${o.denominator})`])));
    return rows;
  }
  return [];
}

/** Show what the proofs establish in `section` (replacing an earlier showing), or remove it when nothing is proven. */
function renderFacts(section, report, t) {
  section.querySelector("div.proven-facts")?.remove();
  const rows = report.ok ? factRows(report, t) : [];
  if (!rows.length) return;
  const box = el("div", { class: "proven-facts" }, el("p", {}, el("strong", {}, t("facts.title"))), el("dl", { class: "facts proven" }, ...rows));
  section.append(box);
  localTimes(box);
}

/** Fetch `url`, verify it as `kind` for `record`, and render into `ol` and `verdict`; returns the report. */
async function checkUrl(url, kind, atMs, record, ol, verdict, t) {
  renderPending(ol, verdict, t);
  let result;
  try {
    const { status, text } = await fetchBounded(url, MAX_PROOF_JSON_BYTES);
    if (status !== 200) {
      result = { ok: false, checks: [{ id: "format", ok: false, detail: `the node answered ${status}: ${errorMessage(text)}` }] };
    } else {
      result = await withSets((sets) => verifyByKind(kind, text, sets, atMs, record));
    }
  } catch (e) {
    result = { ok: false, checks: [{ id: "format", ok: false, detail: t("fetch.failed", { reason: e.message }) }] };
  }
  renderReport(ol, verdict, result, t);
  return result;
}

/** The message of an API error answer, or the text itself. */
function errorMessage(text) {
  try {
    return JSON.parse(text).error.message;
  } catch {
    return text.slice(0, 300);
  }
}

/** Wire every `section[data-verify-url]`'s button (the record it shows: `data-verify-record`; the time asked: `data-verify-at`). */
function initProofSections(t) {
  for (const section of document.querySelectorAll("section[data-verify-url]")) {
    const button = section.querySelector("button.verify-button");
    const ol = section.querySelector("ol.checks");
    const verdict = section.querySelector(".verdict");
    if (!button || !ol || !verdict || button.dataset.verifyWired) continue;
    button.dataset.verifyWired = "1";
    button.addEventListener("click", async () => {
      button.disabled = true;
      const at = section.dataset.verifyAt;
      const atMs = at && /^\d{1,16}$/.test(at) ? Number(at) : undefined;
      const report = await checkUrl(section.dataset.verifyUrl, section.dataset.verifyKind || "document", atMs, section.dataset.verifyRecord || null, ol, verdict, t);
      renderFacts(section, report, t);
      button.disabled = false;
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The parcel page's as-of form

/** Owners (accounts and shares) as a list, linking each account. */
function ownersList(owners, t) {
  if (!owners.length) return el("p", { class: "muted" }, t("asof.noOwner"));
  return el("ul", {}, owners.map((o) => el("li", {}, el("a", { href: `/accounts/${o.account}`, class: "mono" }, o.account), ` — ${o.numerator}/${o.denominator}`)));
}

/** What an ownership decision says, in words. */
function decisionView(decision, at, t) {
  if (decision.type === "not_registered") return el("p", {}, t("asof.notRegistered"));
  if (decision.type === "retired") return el("p", {}, t("asof.retired", { successors: decision.successors.join(", ") }));
  const label = t("asof.owners", { time: "\u0000" }).split("\u0000");
  return el("div", {}, el("p", {}, label[0], timeEl(at), label[1] ?? ""), ownersList(decision.owners, t));
}

/** Wire `form#asof-form[data-parcel]`: ask the API, show the proven owners and the checks in `#asof-result`. */
function initAsOfForm(t) {
  const form = document.querySelector("form#asof-form[data-parcel]");
  const result = document.getElementById("asof-result");
  if (!form || !result) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const at = String(new FormData(form).get("at") ?? "").trim();
    if (!at) return;
    let atMs;
    try {
      atMs = parseTimeMs(at);
    } catch (e) {
      result.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", {}, t("asof.badTime", { reason: e.message }))));
      return;
    }
    const url = `/v1/land/parcels/${encodeURIComponent(form.dataset.parcel)}/owners?at=${atMs}`;
    const view = el("div", {});
    const ol = el("ol", { class: "checks" });
    const verdict = el("p", { class: "verdict" });
    const card = el("div", { class: "card" }, view, ol, verdict);
    result.replaceChildren(card);
    let answer = null;
    try {
      const { status, text } = await fetchBounded(url, MAX_PROOF_JSON_BYTES);
      if (status !== 200) {
        result.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", {}, t("asof.bad", { reason: errorMessage(text) }))));
        return;
      }
      answer = text;
    } catch (e) {
      result.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", {}, t("fetch.failed", { reason: e.message }))));
      return;
    }
    renderPending(ol, verdict, t);
    const report = await withSets((sets) => verifyOwnershipAsOf(answer, sets, atMs, form.dataset.parcel));
    if (report.ok) view.replaceChildren(decisionView(report.decision, report.atMs, t));
    else if (report.notCovered && report.notCovered.decision) {
      const nc = report.notCovered;
      const parts = t("asof.notCovered", { height: nc.height, time: "\u0000" }).split("\u0000");
      view.replaceChildren(el("p", {}, parts[0], timeEl(nc.provenToMs), parts[1] ?? ""), decisionView(nc.decision, nc.provenToMs, t));
    }
    renderReport(ol, verdict, report, t);
    localTimes(result);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The /verify page

/** A labelled file input: `{ wrap, input }`. */
function fileField(label, attrs = {}) {
  const id = attrs.id ?? freshId("verify-file");
  const input = el("input", { type: "file", ...attrs, id });
  return { wrap: el("p", {}, el("label", { for: id }, label), " ", input), input };
}

/** An empty result area (live region) with its checks list and verdict. */
function resultArea() {
  const info = el("div", {});
  const ol = el("ol", { class: "checks" });
  const verdict = el("p", { class: "verdict" });
  const extra = el("div", {});
  const wrap = el("div", { "aria-live": "polite" }, info, ol, verdict, extra);
  return { wrap, info, ol, verdict, extra };
}

/** The node's witnesses (`/v1/notary/witnesses`), or [] when it lists none. */
async function nodeWitnesses() {
  const { status, text } = await fetchBounded("/v1/notary/witnesses", 256 * 1024);
  if (status !== 200) throw new Error(`/v1/notary/witnesses answered ${status}`);
  const list = JSON.parse(text).witnesses;
  return Array.isArray(list) ? list : [];
}

/**
 * Verify receipt text with the trusted sets and the witnesses pinned in this browser (all of them required); without
 * pinned witnesses, the node's own list is used and the witness check stays pending.
 */
async function checkReceipt(receipt, documentHash) {
  const pinned = pinnedWitnesses();
  const witnesses = pinned ?? (await nodeWitnesses());
  return withSets((sets) => verifyReceipt(receipt, sets, { documentHash, witnesses, minWitnesses: witnesses.length, witnessesPinned: pinned !== null }));
}

/** After a verified receipt: when and by whom the document was anchored. */
function anchoredLine(report, t) {
  const e = report.entry;
  const parts = t("doc.anchored", { time: "\u0000", height: e.height, agency: e.agency, index: report.index }).split("\u0000");
  return el("p", {}, parts[0], timeEl(e.timeMs), parts[1] ?? "");
}

/** The "choose a document" part: hash the file, fetch its receipt, verify it, offer it for download. */
function documentPart(t) {
  const input = el("input", { type: "file", id: "verify-document" });
  const zone = el("div", { class: "dropzone" },
    el("label", { for: "verify-document" }, t("doc.choose")), " ", input, " ", el("span", { class: "muted" }, t("doc.drop")));
  const out = resultArea();
  let link = null;
  const run = async (file) => {
    if (link) URL.revokeObjectURL(link);
    link = null;
    out.extra.replaceChildren();
    if (file.size > MAX_DOCUMENT_BYTES) {
      out.info.replaceChildren(el("div", { class: "error", role: "alert" }, t("doc.tooLarge", { max: size(MAX_DOCUMENT_BYTES) })));
      out.ol.replaceChildren();
      out.verdict.textContent = "";
      return;
    }
    out.info.replaceChildren(el("p", {}, t("doc.hashing")));
    renderPending(out.ol, out.verdict, t);
    const hash = await fileSha256(file);
    out.info.replaceChildren(el("p", {}, t("doc.hash", { name: file.name }), " ", el("code", { class: "mono", id: "verify-document-hash" }, hash)));
    let report;
    try {
      const { status, text } = await fetchBounded(`/v1/notary/receipts/${hash}`, MAX_RECEIPT_BYTES);
      if (status === 404) {
        report = { ok: false, checks: [{ id: "anchored", ok: false, detail: t("doc.never", { hash }) }] };
      } else if (status !== 200) {
        report = { ok: false, checks: [{ id: "anchored", ok: false, detail: `the node answered ${status}: ${errorMessage(text)}` }] };
      } else {
        report = await checkReceipt(text, hash);
        link = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
        out.extra.replaceChildren(el("p", {}, el("a", { href: link, download: `${hash}.tlog-proof`, id: "verify-receipt-download" }, t("doc.download"))));
        if (report.ok) out.info.append(anchoredLine(report, t));
      }
    } catch (e) {
      report = { ok: false, checks: [{ id: "anchored", ok: false, detail: t("fetch.failed", { reason: e.message }) }] };
    }
    renderReport(out.ol, out.verdict, report, t);
    localTimes(out.wrap);
  };
  input.addEventListener("change", () => input.files[0] && run(input.files[0]));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragover");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragover"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragover");
    const file = e.dataTransfer?.files?.[0];
    if (file) run(file);
  });
  return el("section", { class: "card", id: "verify-document-part" },
    el("h2", {}, t("doc.title")), el("p", { class: "muted" }, t("doc.private")), zone, out.wrap);
}

/** The "check a receipt file" part: a receipt, optionally with its document. */
function receiptPart(t) {
  const receipt = fileField(t("receipt.file"), { accept: ".tlog-proof,text/plain", id: "verify-receipt-file" });
  const doc = fileField(t("receipt.document"), { id: "verify-receipt-document" });
  const out = resultArea();
  const button = el("button", { type: "button", id: "verify-receipt-check" }, t("receipt.check"));
  button.addEventListener("click", async () => {
    const file = receipt.input.files[0];
    out.extra.replaceChildren();
    if (!file) {
      out.info.replaceChildren(el("div", { class: "error", role: "alert" }, t("receipt.missing")));
      return;
    }
    if (file.size > MAX_RECEIPT_BYTES) {
      out.info.replaceChildren(el("div", { class: "error", role: "alert" }, t("receipt.tooLarge", { max: size(MAX_RECEIPT_BYTES) })));
      return;
    }
    button.disabled = true;
    out.info.replaceChildren();
    renderPending(out.ol, out.verdict, t);
    const text = await file.text();
    const docFile = doc.input.files[0];
    let hash = null;
    if (docFile && docFile.size <= MAX_DOCUMENT_BYTES) {
      hash = await fileSha256(docFile);
      out.info.append(el("p", {}, t("doc.hash", { name: docFile.name }), " ", el("code", { class: "mono" }, hash)));
    } else {
      out.info.append(el("p", { class: "muted" }, t("receipt.noDocument")));
    }
    let report;
    try {
      report = await checkReceipt(text, hash);
    } catch (e) {
      report = { ok: false, checks: [{ id: "format", ok: false, detail: t("fetch.failed", { reason: e.message }) }] };
    }
    if (report.ok) out.info.append(anchoredLine(report, t));
    renderReport(out.ol, out.verdict, report, t);
    localTimes(out.wrap);
    button.disabled = false;
  });
  return el("section", { class: "card", id: "verify-receipt-part" },
    el("h2", {}, t("receipt.title")), el("p", {}, t("receipt.intro")), receipt.wrap, doc.wrap, el("p", {}, button), out.wrap);
}

/** The trust panel: the genesis in use, its hash, pinned or not; pin the node's, load one, unpin. */
function trustPart(t) {
  const dl = el("dl", {});
  const status = el("p", { "aria-live": "polite", id: "verify-trust-status" });
  const show = async () => {
    try {
      const trust = await getTrust();
      dl.replaceChildren(
        el("dt", {}, t("trust.network")), el("dd", {}, trust.chainId),
        el("dt", {}, t("trust.hash")), el("dd", {}, el("code", { class: "mono", id: "verify-trust-hash" }, trust.hash)),
        el("dt", {}, t("trust.state")), el("dd", { id: "verify-trust-pinned" }, trust.pinned ? t("trust.pinned") : t("trust.unpinned")),
      );
    } catch (e) {
      status.textContent = t("fetch.failed", { reason: e.message });
    }
  };
  const pinNode = el("button", { type: "button", id: "verify-trust-pin" }, t("trust.pinNode"));
  pinNode.addEventListener("click", async () => {
    try {
      const { text } = await fetchBounded("/v1/genesis", MAX_GENESIS_BYTES);
      pinGenesis(text);
      status.textContent = t("trust.done.pin");
    } catch (e) {
      status.textContent = t("trust.bad", { reason: e.message });
    }
    await show();
  });
  const load = fileField(t("trust.load"), { accept: ".json,application/json", id: "verify-trust-file" });
  load.input.addEventListener("change", async () => {
    const file = load.input.files[0];
    if (!file) return;
    try {
      if (file.size > MAX_GENESIS_BYTES) throw new Error(`larger than ${size(MAX_GENESIS_BYTES)}`);
      pinGenesis(await file.text());
      status.textContent = t("trust.done.pin");
    } catch (e) {
      status.textContent = t("trust.bad", { reason: e.message });
    }
    await show();
  });
  const unpinButton = el("button", { type: "button", id: "verify-trust-unpin" }, t("trust.unpin"));
  unpinButton.addEventListener("click", async () => {
    unpin();
    status.textContent = t("trust.done.unpin");
    await show();
  });
  show();
  return el("section", { class: "card", id: "verify-trust" },
    el("h2", {}, t("trust.title")), el("p", { class: "muted" }, t("trust.intro")), dl, el("p", {}, pinNode, " ", unpinButton), load.wrap, status,
    witnessPart(t));
}

/** Pin witness keys: paste C2SP vkeys, one a line; an empty box unpins them. */
function witnessPart(t) {
  const id = freshId("verify-witnesses");
  const box = el("textarea", { id, rows: "3", cols: "60", spellcheck: "false", class: "mono" });
  box.value = (pinnedWitnesses() ?? []).join("\n");
  const status = el("p", { "aria-live": "polite", id: "verify-witness-status" });
  const button = el("button", { type: "button", id: "verify-witness-pin" }, t("witness.pin"));
  button.addEventListener("click", () => {
    try {
      const keys = pinWitnesses(box.value.slice(0, 200000));
      status.textContent = keys.length ? t("witness.done", { count: keys.length }) : t("witness.none");
    } catch (e) {
      status.textContent = t("witness.bad", { reason: e.message });
    }
  });
  return el("div", { id: "verify-witnesses" },
    el("h3", {}, t("witness.title")), el("p", { class: "muted" }, t("witness.intro")),
    el("p", {}, el("label", { for: id }, t("witness.label"))), el("p", {}, box), el("p", {}, button), status);
}

/** Build the /verify page's form in `#verify-app`. */
function initVerifyApp(t) {
  const app = document.getElementById("verify-app");
  if (!app || document.body?.dataset.page !== "verify" || app.dataset.verifyWired) return;
  app.dataset.verifyWired = "1";
  app.replaceChildren(documentPart(t), receiptPart(t), trustPart(t));
}

/** Build the trust panel in `#trust-app` (the /trust page). */
function initTrustApp(t) {
  const app = document.getElementById("trust-app");
  if (!app || document.body?.dataset.page !== "trust" || app.dataset.verifyWired) return;
  app.dataset.verifyWired = "1";
  app.replaceChildren(trustPart(t));
}

/** Start the verifier's parts present on this page. */
export function init() {
  const t = translator(document);
  initVerifyApp(t);
  initTrustApp(t);
  initProofSections(t);
  initAsOfForm(t);
}

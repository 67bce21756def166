// The /credentials page: a verifier pastes a presentation (or loads its file), optionally gives the audience and
// nonce it expects, and the browser checks it with the ledger's proofs, showing every check in words, the disclosed
// claims in a table and a verdict that says plainly when the credential is revoked or suspended.
import { verifiedSets } from "../verify/trust.js";
import { CheckFailure, summarize } from "../verify/report.js";
import { FormatError } from "../bytes.js";
import { fetchBundle } from "./api.js";
import { MAX_PRESENTATION_BYTES } from "./sdjwt.js";
import { translator } from "./strings.js";
import { verifyCredential } from "./verify.js";
import { h as el } from "../dom.js";

/** A label and its control, in one paragraph. */
function field(id, label, control) {
  control.id = id;
  return el("p", {}, el("label", { for: id }, label), el("br"), control);
}

/** The form: presentation text, file, audience, nonce, classical-form opt-in, and the Check button. */
function renderForm(t) {
  const text = el("textarea", { name: "presentation", rows: 8, cols: 60, spellcheck: "false", autocomplete: "off", class: "mono" });
  const file = el("input", { type: "file", name: "presentation-file", accept: ".json,.txt,.sdjwt,.presentation,application/json,text/plain" });
  const audience = el("input", { type: "text", name: "audience", autocomplete: "off", spellcheck: "false" });
  const nonce = el("input", { type: "text", name: "nonce", autocomplete: "off", spellcheck: "false" });
  const compact = el("input", { type: "checkbox", name: "accept-compact", id: "credential-compact" });
  const button = el("button", { type: "submit", class: "primary" }, t("check"));
  const form = el("form", { id: "credential-form", novalidate: true },
    field("credential-text", t("label.text"), text),
    field("credential-file", t("label.file"), file),
    field("credential-audience", t("label.audience"), audience),
    field("credential-nonce", t("label.nonce"), nonce),
    el("p", { class: "muted" }, t("hint.optional")),
    el("p", {}, compact, " ", el("label", { for: "credential-compact" }, t("label.compact"))),
    el("p", {}, button));
  return { form, text, file, audience, nonce, compact, button };
}

/**
 * The result area: the verdict (a polite live region, so a screen reader announces the outcome once, not every
 * check), the checks, and the claims.
 */
function renderResults(t) {
  const verdict = el("p", { class: "verdict", id: "credential-verdict", role: "status", "aria-live": "polite" });
  const checks = el("ol", { class: "checks", id: "credential-checks" });
  const details = el("div", { id: "credential-details" });
  const region = el("section", { id: "credential-results", "aria-labelledby": "credential-results-heading" },
    el("h2", { id: "credential-results-heading" }, t("results.heading")), verdict, checks, details);
  region.hidden = true;
  return { region, verdict, checks, details };
}

/** One check as a list item: its label, "passed"/"failed" in words, and its detail. */
function checkItem(c, t) {
  const state = c.ok ? "ok" : c.pending ? "pending" : "bad";
  return el("li", { class: `check ${state}`, "data-check": c.id },
    el("strong", {}, `${t(`check.${c.id}`)}: ${t(state === "ok" ? "passed" : state === "pending" ? "notPerformed" : "failed")}`), " ",
    el("span", { class: "detail" }, document.documentElement.lang?.toLowerCase().startsWith("sv") && c.sv ? c.sv : c.detail));
}

/** A claim's value as text: a string as it is, anything else as JSON. */
function claimText(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The disclosed claims as a table, and what the credential is. */
function claimsPart(report, t) {
  const summary = el("dl", { class: "card" },
    el("dt", {}, t("summary.type")), el("dd", { class: "mono" }, report.type ?? ""),
    el("dt", {}, t("summary.issuer")), el("dd", { class: "mono" }, report.issuer ?? ""),
    el("dt", {}, t("summary.digest")), el("dd", { class: "mono" }, report.digest ?? ""));
  const entries = Object.entries(report.claims ?? {});
  if (!entries.length) return [summary, el("p", { class: "muted" }, t("claims.none"))];
  const table = el("table", { id: "credential-claims" },
    el("caption", {}, t("claims.caption")),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("claims.name")), el("th", { scope: "col" }, t("claims.value")))),
    el("tbody", {}, entries.map(([name, value]) => el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, claimText(value))))));
  return [summary, table];
}

/**
 * The verdict's words: valid; or nothing failed but a check was not performed (no audience and nonce: possibly a
 * replayed copy; an unpinned genesis); revoked, suspended, or which check failed.
 */
function verdictText(report, t) {
  if (report.ok && report.pending) {
    const parts = [];
    if (report.checks.some((c) => c.pending && c.id === "key-binding")) parts.push(t("verdict.replay"));
    if (report.checks.some((c) => c.pending && c.id === "genesis")) parts.push(t("verdict.unpinned"));
    return parts.join(" ");
  }
  if (report.ok) return t("verdict.ok");
  if (report.status === "revoked") return t("verdict.revoked");
  if (report.status === "suspended") return t("verdict.suspended");
  const failed = report.checks.find((c) => !c.ok);
  return t("verdict.bad", { label: t(`check.${failed ? failed.id : "format"}`) });
}

/** Show a report: the verdict, every check in words, and the claims when it passed. */
function showReport(ui, report, t) {
  ui.verdict.className = `verdict ${report.ok ? (report.pending ? "pending" : "ok") : "bad"}`;
  ui.verdict.textContent = verdictText(report, t);
  ui.verdict.dataset.status = report.ok ? (report.pending ? "unconfirmed" : "valid") : report.status ?? "invalid";
  ui.checks.replaceChildren(...report.checks.map((c) => checkItem(c, t)));
  ui.details.replaceChildren(...(report.ok ? claimsPart(report, t) : []), ...(report.bundle ? [bundleDownload(report.bundle, t)] : []));
}

/**
 * The trust checks, the bundle from the node, and the credential's checks, as one report (with the `bundle` when it
 * was fetched). Never throws.
 */
async function checkOnPage(text, policy) {
  const trust = await verifiedSets();
  if (!trust.ok) return { ok: false, checks: trust.checks, status: null };
  let bundle;
  try {
    bundle = await fetchBundle(text);
  } catch (e) {
    const id = e instanceof CheckFailure ? e.id : e instanceof FormatError ? "format" : "ledger-proof";
    return { ok: false, checks: [...trust.checks, { id, ok: false, detail: e.message }], status: null };
  }
  const result = verifyCredential(text, bundle, trust.sets, policy);
  return { ...result, ...summarize([...trust.checks, ...result.checks]), bundle };
}

let bundleLink = null;

/**
 * A link to download the proofs the check used, as the bundle `publica credential verify --bundle` reads: the
 * verifier keeps the evidence and can check it again offline.
 */
function bundleDownload(bundle, t) {
  if (bundleLink) URL.revokeObjectURL(bundleLink);
  bundleLink = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: "application/json" }));
  return el("p", {}, el("a", { href: bundleLink, download: "credential-bundle.json", id: "credential-bundle-download" }, t("bundle.download")),
    " ", el("span", { class: "muted" }, t("bundle.hint")));
}

/** Read a chosen file into the text area, bounded. */
async function loadFile(ui, t) {
  const chosen = ui.file.files?.[0];
  if (!chosen) return;
  if (chosen.size > MAX_PRESENTATION_BYTES) {
    showError(ui, t("error.fileSize", { size: chosen.size, max: MAX_PRESENTATION_BYTES }));
    return;
  }
  try {
    ui.text.value = (await chosen.text()).trim();
  } catch (e) {
    showError(ui, t("error.file", { reason: e.message }));
  }
}

/** Show a message in the result area as a failed verdict. */
function showError(ui, message) {
  ui.region.hidden = false;
  ui.verdict.className = "verdict bad";
  ui.verdict.textContent = message;
  ui.checks.replaceChildren();
  ui.details.replaceChildren();
}

/** Run the check for the form's values and show its report. */
async function onCheck(ui, t) {
  ui.button.disabled = true;
  ui.region.hidden = false;
  ui.verdict.className = "verdict";
  ui.verdict.textContent = t("checking");
  ui.checks.replaceChildren(el("li", { class: "check pending" }, el("strong", {}, t("checking"))));
  ui.details.replaceChildren();
  try {
    const report = await checkOnPage(ui.text.value.trim(), {
      audience: ui.audience.value.trim(),
      nonce: ui.nonce.value.trim(),
      now: Math.floor(Date.now() / 1000),
      acceptCompact: ui.compact.checked,
    });
    showReport(ui, report, t);
  } finally {
    ui.button.disabled = false;
  }
}

/** Start the credential checker on the /credentials page (`<div id="credential-app">`); nothing elsewhere. */
export function init() {
  const app = document.getElementById("credential-app");
  if (!app || document.body?.dataset.page !== "credentials" || app.dataset.credentialWired) return;
  app.dataset.credentialWired = "1";
  const t = translator(document);
  const form = renderForm(t);
  const results = renderResults(t);
  const ui = { ...form, ...results };
  form.file.addEventListener("change", () => loadFile(ui, t));
  form.form.addEventListener("submit", (event) => {
    event.preventDefault();
    onCheck(ui, t);
  });
  app.replaceChildren(form.form, results.region);
}

// The two actions: a notary anchors a document, and a party approves or rejects a land registry application.

import { verifiedSets, getTrust } from "../verify/trust.js";
import { fetchApplication } from "./api.js";
import { applicationNumber, proveApplication } from "./application.js";
import { WalletError } from "./errors.js";
import { sha256File } from "./document.js";
import { errorText } from "./strings.js";
import { anchorCall, approveCall, rejectCall } from "./tx.js";
import { signAndSubmit } from "./transact.js";
import { dropTarget, h, hex, link, replace, showError, timeElement } from "./dom.js";

/** The result area every action form shares: steps, a verdict, a live status line and an error box. */
function resultArea(prefix) {
  return {
    steps: h("ol", { class: "checks", id: `${prefix}-steps`, "aria-live": "polite" }),
    verdict: h("p", { class: "verdict", id: `${prefix}-verdict`, role: "status", "aria-live": "polite", hidden: true }),
    error: h("div", { class: "error", id: `${prefix}-error`, role: "alert", hidden: true }),
  };
}

/** Fills `line` with the network a signature made here is for (the trusted genesis's), and whether it is pinned. */
async function fillTerms(t, line) {
  try {
    const trust = await getTrust();
    replace(line, t.terms(trust.chainId, trust.pinned));
    line.dataset.chain = trust.chainId;
  } catch (e) {
    replace(line, t.termsUnknown(String(e?.message ?? e)));
  }
}

/** The anchoring form: choose a document, hash it here, anchor the hash, then offer its receipt. */
export function anchorSection(t) {
  const ui = resultArea("wallet-anchor");
  const docInput = h("input", { type: "file", id: "wallet-anchor-file", name: "document" });
  const labelInput = h("input", { type: "text", id: "wallet-anchor-label", name: "label", maxlength: "128", autocomplete: "off" });
  const hashLine = h("p", { id: "wallet-anchor-hash", role: "status", "aria-live": "polite" });
  const receipt = h("p", { id: "wallet-anchor-receipt", hidden: true });
  const button = h("button", { type: "submit", class: "primary", id: "wallet-anchor-button" }, t.anchor);
  const terms = h("p", { id: "wallet-anchor-terms", class: "muted" }, t.termsLoading);
  fillTerms(t, terms);
  const form = h(
    "form",
    { id: "wallet-anchor-form", novalidate: true },
    dropTarget(h("div", { class: "dropzone" }, h("label", { for: "wallet-anchor-file" }, t.document), " ", docInput, h("p", { class: "muted" }, t.dropHint)), docInput),
    h("p", {}, h("label", { for: "wallet-anchor-label" }, t.label), " ", labelInput),
    terms,
    h("p", {}, button),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(ui.error, "");
    receipt.hidden = true;
    const file = docInput.files?.[0];
    if (!file) {
      showError(ui.error, t.chooseDocument);
      docInput.focus();
      return;
    }
    button.disabled = true;
    try {
      replace(hashLine, t.hashing);
      const hash = await sha256File(file);
      replace(hashLine, t.hashed(hex(hash)));
      const label = labelInput.value.trim() === "" ? null : labelInput.value.trim();
      const answer = await signAndSubmit(t, anchorCall([hash], label), ui);
      if (answer) {
        const name = `${file.name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "document"}.tlog-proof`;
        replace(
          receipt,
          h("a", { href: `/v1/notary/receipts/${hash}`, download: name, id: "wallet-anchor-receipt-link", "data-hash": hash }, t.receipt),
          " · ",
          link(`/notary/entries/${hash}`, t.entry),
          " · ",
          link("/verify", t.verifyReceipt),
        );
        receipt.hidden = false;
      }
    } catch (e) {
      replace(hashLine, "");
      showError(ui.error, errorText(t, e));
    } finally {
      button.disabled = false;
    }
  });
  return h(
    "section",
    { id: "wallet-anchor", class: "card", "aria-labelledby": "wallet-anchor-heading" },
    h("h2", { id: "wallet-anchor-heading" }, t.anchorHeading),
    h("p", { class: "muted" }, t.anchorIntro),
    form,
    hashLine,
    ui.steps,
    ui.verdict,
    receipt,
    ui.error,
  );
}

/** Whether two registry parties are the same. */
function sameParty(a, b) {
  return a.type === b.type && String(a.value).toLowerCase() === String(b.value).toLowerCase();
}

/** A party in words, its address as a link to the account. */
function partyText(t, party) {
  return party.type === "account" ? t.partyAccount(link(`/accounts/${party.value}`, hex(party.value))) : t.partyRole(party.value);
}

/** A party in plain words (for a select's option). */
function partyLabel(t, party) {
  return party.type === "account" ? [t.partyAccount(party.value)].flat().join("") : t.partyRole(party.value);
}

/** The parties of an application that the signed-in account may still act for: its own address, roles it holds. */
export function partiesFor(value, address, account) {
  const kind = account?.kind;
  const roles = kind?.type === "official" && account.active ? kind.roles ?? [] : [];
  const approved = (value.approvals ?? []).map((a) => a.party);
  return (value.stages ?? [])
    .flat()
    .filter((p) => !approved.some((a) => sameParty(a, p)))
    .filter((p) => (p.type === "account" ? p.value.toLowerCase() === address : roles.includes(p.value)));
}

/** The application's parties, stage by stage, each approved (by whom) or waiting. */
function partiesList(t, value) {
  const approvals = value.approvals ?? [];
  return h(
    "ol",
    { class: "checks", id: "wallet-app-parties" },
    (value.stages ?? []).map((stage, i) =>
      stage.map((party) => {
        const approval = approvals.find((a) => sameParty(a.party, party));
        return h(
          "li",
          { class: `check ${approval ? "ok" : "pending"}`, "data-party": `${party.type}:${party.value}` },
          h("strong", {}, `${t.stage(i + 1)}: `, partyText(t, party)),
          " ",
          h("span", { class: "detail" }, approval ? t.approvedBy(link(`/accounts/${approval.by}`, hex(approval.by))) : t.waiting),
        );
      }),
    ),
  );
}

/** The proven application: the answer's proofs checked against validator sets verified from the trusted genesis. */
async function provenAnswer(answer, id) {
  const trusted = await verifiedSets();
  if (!trusted.ok) {
    const bad = trusted.checks.find((c) => !c.ok && !c.pending) ?? trusted.checks[trusted.checks.length - 1];
    throw new WalletError("trust_failed", `${bad?.id}: ${bad?.detail}`);
  }
  return { ...proveApplication(answer, id, trusted.sets), chainId: trusted.trust.chainId, pinned: trusted.trust.pinned };
}

/** Reads application number `typed` from the node, proves it, and shows it with the decision form. */
async function lookUp(view, typed) {
  const { t, ui } = view;
  showError(ui.error, "");
  replace(view.details);
  replace(view.status, t.lookingUp);
  try {
    const id = applicationNumber(typed);
    const answer = await fetchApplication(id);
    replace(view.status, t.proving);
    const proven = await provenAnswer(answer, id);
    replace(view.status, "");
    showApplication(view, proven);
  } catch (e) {
    replace(view.status, "");
    replace(view.details);
    showError(ui.error, errorText(t, e));
  }
}

/** The line saying what the shown application is proven against. */
function proofLine(t, proven) {
  return h("p", { id: "wallet-app-proof", class: "verdict ok", "data-height": String(proven.height) }, t.provenAt(proven.height, proven.chainId, proven.pinned));
}

/** The application's summary line: number, workflow, where it stands, deadline, and the parcel concerned. */
function summaryLine(t, lang, proven) {
  const value = proven.record.value;
  const summary = t.appSummary({
    title: link(`/applications/${proven.id}`, t.appTitle(proven.id)),
    workflow: t.workflows[value.workflow] ?? value.workflow,
    state: t.states[proven.state] ?? proven.state,
    deadline: timeElement(value.deadline_ms, lang),
  });
  const parcel = proven.parcel ? [" ", link(`/parcels/${encodeURIComponent(proven.parcel)}`, t.actionOf(proven.parcel)), "."] : null;
  return h("p", { id: "wallet-app-summary", "data-state": proven.state }, summary, parcel);
}

/** The rejection of a rejected application: for which party, by whom, why. */
function rejectionLine(t, status) {
  if (status.type !== "rejected") return null;
  return h("p", { id: "wallet-app-rejection" }, t.rejectedBy(partyText(t, status.party), link(`/accounts/${status.by}`, hex(status.by)), status.reason));
}

/** What the signed-in account can do: nothing on a closed application or without a party, else decide. */
function decisionPart(view, proven) {
  const { t, signedIn } = view;
  if (proven.state !== "open") return h("p", {}, t.closed(t.states[proven.state] ?? proven.state));
  const parties = partiesFor(proven.record.value, signedIn.address, signedIn.account?.account);
  return parties.length === 0 ? h("p", {}, t.noParty) : decisionForm(view, proven, parties);
}

/** Shows a proven application: proof, summary, parties, rejection, and the decision form when the account can act. */
function showApplication(view, proven) {
  const { t, lang } = view;
  replace(view.details, proofLine(t, proven), summaryLine(t, lang, proven), partiesList(t, proven.record.value), rejectionLine(t, proven.record.value.status), decisionPart(view, proven));
}

/** Approves (or, with a reason, rejects) proven application `proven` for `party`, then shows it again. */
async function decide(view, proven, party, approve, form) {
  const { t, ui } = view;
  showError(ui.error, "");
  const reason = form.reason.value.trim();
  if (!approve && reason === "") {
    showError(ui.error, t.needReason);
    form.reason.focus();
    return;
  }
  form.setBusy(true);
  try {
    const call = approve ? approveCall(proven.id, party) : rejectCall(proven.id, party, reason);
    const done = await signAndSubmit(t, call, ui);
    if (done) await lookUp(view, proven.id);
  } catch (e) {
    showError(ui.error, errorText(t, e));
  } finally {
    form.setBusy(false);
  }
}

/** The form that approves or rejects proven application `proven` for one of `parties`, naming the network signed for. */
function decisionForm(view, proven, parties) {
  const { t } = view;
  const select = h("select", { id: "wallet-app-party", name: "party" }, parties.map((p, i) => h("option", { value: String(i) }, partyLabel(t, p))));
  const reason = h("textarea", { id: "wallet-app-reason", name: "reason", rows: "2", maxlength: "512" });
  const approveButton = h("button", { type: "button", class: "primary", id: "wallet-app-approve" }, t.approve);
  const rejectButton = h("button", { type: "button", id: "wallet-app-reject" }, t.reject);
  const form = {
    reason,
    setBusy: (busy) => {
      approveButton.disabled = rejectButton.disabled = busy;
    },
  };
  const act = (approve) => () => decide(view, proven, parties[Number(select.value)], approve, form);
  approveButton.addEventListener("click", act(true));
  rejectButton.addEventListener("click", act(false));
  return h(
    "form",
    { id: "wallet-app-decide", novalidate: true, "data-chain": proven.chainId, onsubmit: (e) => e.preventDefault() },
    h("p", {}, h("label", { for: "wallet-app-party" }, t.speakFor), " ", select),
    h("p", {}, h("label", { for: "wallet-app-reason" }, t.reason), " ", reason),
    h("p", { id: "wallet-app-terms", class: "muted" }, t.terms(proven.chainId, proven.pinned)),
    h("p", {}, approveButton, " ", rejectButton),
  );
}

/** The approve-or-reject section: look an application up by number, prove it, then act for one of its parties. */
export function applicationSection(t, signedIn) {
  const ui = resultArea("wallet-app");
  const numberInput = h("input", { type: "text", inputmode: "numeric", id: "wallet-app-number", name: "application", autocomplete: "off", required: true });
  const view = {
    t,
    ui,
    signedIn,
    lang: document.documentElement.lang || "en",
    status: h("p", { id: "wallet-app-status", role: "status", "aria-live": "polite" }),
    details: h("div", { id: "wallet-app-details" }),
  };
  const lookForm = h(
    "form",
    { id: "wallet-app-lookup", novalidate: true },
    h("p", {}, h("label", { for: "wallet-app-number" }, t.appNumber), " ", numberInput, " ", h("button", { type: "submit", id: "wallet-app-lookup-button" }, t.lookUp)),
  );
  lookForm.addEventListener("submit", (event) => {
    event.preventDefault();
    lookUp(view, numberInput.value);
  });
  return h(
    "section",
    { id: "wallet-app", class: "card", "aria-labelledby": "wallet-app-heading" },
    h("h2", { id: "wallet-app-heading" }, t.appHeading),
    h("p", { class: "muted" }, t.appIntro),
    lookForm,
    view.status,
    view.details,
    ui.steps,
    ui.verdict,
    ui.error,
  );
}

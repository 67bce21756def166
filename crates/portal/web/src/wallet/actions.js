// The two actions: a notary anchors a document, and a party approves or rejects a land registry application.

import { fetchApplication } from "./api.js";
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

/** The anchoring form: choose a document, hash it here, anchor the hash, then offer its receipt. */
export function anchorSection(t) {
  const ui = resultArea("wallet-anchor");
  const docInput = h("input", { type: "file", id: "wallet-anchor-file", name: "document" });
  const labelInput = h("input", { type: "text", id: "wallet-anchor-label", name: "label", maxlength: "128", autocomplete: "off" });
  const hashLine = h("p", { id: "wallet-anchor-hash", role: "status", "aria-live": "polite" });
  const receipt = h("p", { id: "wallet-anchor-receipt", hidden: true });
  const button = h("button", { type: "submit", class: "primary", id: "wallet-anchor-button" }, t.anchor);
  const form = h(
    "form",
    { id: "wallet-anchor-form", novalidate: true },
    dropTarget(h("div", { class: "dropzone" }, h("label", { for: "wallet-anchor-file" }, t.document), " ", docInput, h("p", { class: "muted" }, t.dropHint)), docInput),
    h("p", {}, h("label", { for: "wallet-anchor-label" }, t.label), " ", labelInput),
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

/** The approve-or-reject section: look an application up by number, then act for one of its parties. */
export function applicationSection(t, { address, account }) {
  const ui = resultArea("wallet-app");
  const lang = document.documentElement.lang || "en";
  const numberInput = h("input", { type: "text", inputmode: "numeric", id: "wallet-app-number", name: "application", autocomplete: "off", required: true });
  const lookStatus = h("p", { id: "wallet-app-status", role: "status", "aria-live": "polite" });
  const details = h("div", { id: "wallet-app-details" });
  let shown = null;

  /** Reads the application and shows it with the decision form. */
  async function lookUp() {
    showError(ui.error, "");
    replace(lookStatus, t.lookingUp);
    try {
      const answer = await fetchApplication(numberInput.value);
      shown = answer;
      replace(lookStatus, "");
      showApplication(answer);
    } catch (e) {
      shown = null;
      replace(lookStatus, "");
      replace(details);
      showError(ui.error, errorText(t, e));
    }
  }

  /** Renders an application answer: summary, parties, and the form when the account can act. */
  function showApplication(answer) {
    const value = answer.application.value;
    const state = answer.state?.type ?? value.status?.type ?? "";
    const id = answer.application.id;
    const summary = t.appSummary({
      title: link(`/applications/${id}`, t.appTitle(id)),
      workflow: t.workflows[value.workflow] ?? value.workflow,
      state: t.states[state] ?? state,
      deadline: timeElement(value.deadline_ms, lang),
    });
    const parties = partiesFor(value, address, account?.account);
    const rejection = value.status?.type === "rejected" && value.status.party ? value.status : null;
    replace(
      details,
      h(
        "p",
        { id: "wallet-app-summary", "data-state": state },
        summary,
        answer.action?.parcel ? [" ", link(`/parcels/${encodeURIComponent(answer.action.parcel)}`, t.actionOf(answer.action.parcel)), "."] : null,
      ),
      partiesList(t, value),
      rejection ? h("p", { id: "wallet-app-rejection" }, t.rejectedBy(partyText(t, rejection.party), link(`/accounts/${rejection.by}`, hex(rejection.by)), rejection.reason)) : null,
      state !== "open" ? h("p", {}, t.closed(t.states[state] ?? state)) : parties.length === 0 ? h("p", {}, t.noParty) : decisionForm(answer, parties),
    );
  }

  /** The form that approves or rejects for one of `parties`. */
  function decisionForm(answer, parties) {
    const select = h(
      "select",
      { id: "wallet-app-party", name: "party" },
      parties.map((p, i) => h("option", { value: String(i) }, partyLabel(t, p))),
    );
    const reason = h("textarea", { id: "wallet-app-reason", name: "reason", rows: "2", maxlength: "512" });
    const approveButton = h("button", { type: "button", class: "primary", id: "wallet-app-approve" }, t.approve);
    const rejectButton = h("button", { type: "button", id: "wallet-app-reject" }, t.reject);
    const decide = async (approve) => {
      showError(ui.error, "");
      const party = parties[Number(select.value)];
      if (!approve && reason.value.trim() === "") {
        showError(ui.error, t.needReason);
        reason.focus();
        return;
      }
      approveButton.disabled = rejectButton.disabled = true;
      try {
        const id = answer.application.id;
        const call = approve ? approveCall(id, party) : rejectCall(id, party, reason.value.trim());
        const done = await signAndSubmit(t, call, ui);
        if (done) showApplication(await fetchApplication(id));
      } catch (e) {
        showError(ui.error, errorText(t, e));
      } finally {
        approveButton.disabled = rejectButton.disabled = false;
      }
    };
    approveButton.addEventListener("click", () => decide(true));
    rejectButton.addEventListener("click", () => decide(false));
    return h(
      "form",
      { id: "wallet-app-decide", novalidate: true, onsubmit: (e) => e.preventDefault() },
      h("p", {}, h("label", { for: "wallet-app-party" }, t.speakFor), " ", select),
      h("p", {}, h("label", { for: "wallet-app-reason" }, t.reason), " ", reason),
      h("p", {}, approveButton, " ", rejectButton),
    );
  }

  const lookForm = h(
    "form",
    { id: "wallet-app-lookup", novalidate: true },
    h("p", {}, h("label", { for: "wallet-app-number" }, t.appNumber), " ", numberInput, " ", h("button", { type: "submit", id: "wallet-app-lookup-button" }, t.lookUp)),
  );
  lookForm.addEventListener("submit", (event) => {
    event.preventDefault();
    lookUp();
  });
  return h(
    "section",
    { id: "wallet-app", class: "card", "aria-labelledby": "wallet-app-heading" },
    h("h2", { id: "wallet-app-heading" }, t.appHeading),
    h("p", { class: "muted" }, t.appIntro),
    lookForm,
    lookStatus,
    details,
    ui.steps,
    ui.verdict,
    ui.error,
  );
}


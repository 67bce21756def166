// What the proofs of a contracts answer establish, as rows of the proof section's facts (verify/pages.js renders
// them after a passing check): labels in the page's language, contract bytes as text when printable, else hex.
import { fromHex } from "../bytes.js";
import { h as el } from "../dom.js";

const LABELS = {
  en: {
    instances: "Instances deployed", shown: "Shown", name: "Name", agency: "Agency", code: "Code (SHA-256)", frozen: "Frozen",
    fuel: "Fuel per call; per sender and day", roles: "Native roles", versions: "Code versions", events: "Events recorded",
    event: "Event", key: "Key", value: "Value", absent: "none (proven absent)", instance: "Instance", status: "Status returned",
    result: "Result", ok: "succeeded", failed: "failed", output: "Output", fuelUsed: "Fuel used", adminDeploy: "Administrators may deploy without a vote",
    perDay: "Fuel per day; used on the certified block's day", maxInstances: "Most instances", yes: "yes", no: "no", none: "none",
    stopped: "none (stopped before returning)", inBlock: "block", proposal: "proposal", admin: "administrator",
  },
  sv: {
    instances: "Installerade instanser", shown: "Visade", name: "Namn", agency: "Myndighet", code: "Kod (SHA-256)", frozen: "Fryst",
    fuel: "Bränsle per anrop; per avsändare och dag", roles: "Roller", versions: "Kodversioner", events: "Registrerade händelser",
    event: "Händelse", key: "Nyckel", value: "Värde", absent: "inget (bevisat frånvarande)", instance: "Instans", status: "Returnerad status",
    result: "Resultat", ok: "lyckades", failed: "misslyckades", output: "Utdata", fuelUsed: "Bränsle använt", adminDeploy: "Administratörer får installera utan beslut",
    perDay: "Bränsle per dag; använt under det certifierade blockets dag", maxInstances: "Högst antal instanser", yes: "ja", no: "nej", none: "inga",
    stopped: "ingen (avbröts innan den returnerade)", inBlock: "block", proposal: "förslag", admin: "administratör",
  },
};

/**
 * Bytes (hex) as a contract wrote them: text in quotes when printable UTF-8 with no control characters, else hex
 * (the same rule as the server's pages, `crates/portal/src/pages/contracts.rs`).
 */
export function bytesText(hex) {
  const bytes = fromHex(hex, "bytes");
  if (bytes.length === 0) return "—";
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u001f\u007f-\u009f]/.test(text)) return `“${text}”`;
  } catch {
    // not UTF-8: hex
  }
  return hex;
}

/** A `<dl>` row. */
function row(term, ...description) {
  return [el("dt", {}, term), el("dd", {}, ...description)];
}

/** The rows of what a verified contracts report establishes (`facts` of a contracts kind), or null for another kind. */
export function contractFactRows(f, lang) {
  const L = LABELS[lang] ?? LABELS.en;
  const yesNo = (v) => (v ? L.yes : L.no);
  if (f?.kind === "contracts") {
    return [
      ...row(L.instances, String(f.count)),
      ...row(L.shown, ...(f.instances.length ? f.instances.flatMap((i, n) => [n ? ", " : "", el("a", { href: `/contracts/${i.id}` }, `${i.id} ${i.name}`), ` (${i.agency}${i.frozen ? `, ${L.frozen.toLowerCase()}` : ""})`]) : [L.none])),
    ];
  }
  if (f?.kind === "instance") {
    return [
      ...row(L.name, `${f.name} (${f.id})`),
      ...row(L.agency, f.agency),
      ...row(L.code, el("code", { class: "hex" }, f.code_hash)),
      ...row(L.frozen, yesNo(f.frozen)),
      ...row(L.fuel, `${f.fuel_per_call}; ${f.fuel_per_sender_day}`),
      ...row(L.roles, f.roles.length ? f.roles.join(", ") : L.none),
      ...row(L.versions, f.history.map((v) => `${v.code_hash.slice(0, 8)}… (${L.inBlock} ${v.height}, ${v.authority.by === "proposal" ? `${L.proposal} ${v.authority.id}` : `${L.admin} ${v.authority.address}`})`).join("; ")),
    ];
  }
  if (f?.kind === "contractevents") {
    return [
      ...row(L.events, String(f.count)),
      ...f.events.flatMap((e) => row(`${L.event} ${e.seq}`, `${bytesText(e.topic)}: ${bytesText(e.data)} (${L.inBlock} ${e.height}, `, el("a", { href: `/tx/${e.tx_id}`, class: "mono" }, `${e.tx_id.slice(0, 8)}…`), ")")),
    ];
  }
  if (f?.kind === "contractstate") {
    return [...row(L.instance, String(f.id)), ...row(L.key, bytesText(f.key)), ...row(L.value, f.value === null ? L.absent : bytesText(f.value))];
  }
  if (f?.kind === "callreceipt") {
    return [
      ...row(L.instance, el("a", { href: `/contracts/${f.instance}` }, String(f.instance))),
      ...row(L.result, f.failure === null ? L.ok : `${L.failed}: ${f.failure.kind} — ${f.failure.message}`),
      ...row(L.status, f.status === null ? L.stopped : String(f.status)),
      ...row(L.output, `${bytesText(f.output)} (${f.output_len} B)`),
      ...row(L.fuelUsed, String(f.fuel_used)),
      ...row(L.events, String(f.events)),
    ];
  }
  if (f?.kind === "contractpolicy") {
    return [
      ...row(L.agency, f.agency),
      ...row(L.adminDeploy, yesNo(f.admin_deploy)),
      ...row(L.perDay, `${f.fuel_per_day}; ${f.fuelUsed}`),
      ...row(L.maxInstances, String(f.max_instances)),
    ];
  }
  return null;
}

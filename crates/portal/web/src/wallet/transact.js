// One signed action from the page: build the body (chain, nonce, expiry), sign it here, submit it, follow it until
// it is committed or rejected, and show each step in words.

import { fetchAccount, fetchStatus, submitTransaction, waitForTransaction } from "./api.js";
import { WalletError } from "./errors.js";
import { requireSession } from "./session.js";
import { signTransaction } from "./tx.js";
import { errorText } from "./strings.js";
import { hex, link, renderSteps, replace } from "./dom.js";

/** How long a transaction signed here stays valid: ten minutes after the later of the node's last block and now. */
export const EXPIRY_MS = 10n * 60n * 1000n;

/** The network this page belongs to (`<body data-chain>`), checked against the node's own answer. */
function chainOf(status) {
  const page = document.body?.dataset?.chain;
  if (page && page !== status.chainId) throw new WalletError("chain_mismatch", `${page} ≠ ${status.chainId}`);
  return status.chainId;
}

/**
 * Signs and submits `call` as the signed-in account, following it in `ui.steps` (an `ol.checks`) and ending with a
 * one-line verdict in `ui.verdict` (`.verdict.ok` or `.verdict.bad`). Resolves with the node's final answer, or
 * null when the transaction did not commit.
 */
export async function signAndSubmit(t, call, ui) {
  const steps = [];
  const show = () => renderSteps(ui.steps, steps);
  const verdict = (ok, text) => {
    ui.verdict.className = `verdict ${ok ? "ok" : "bad"}`;
    ui.verdict.hidden = false;
    replace(ui.verdict, text);
  };
  ui.verdict.hidden = true;
  steps.push({ label: t.stepSigned, state: "pending", word: t.signing });
  show();
  try {
    const { key, address } = requireSession();
    const status = await fetchStatus();
    const account = await fetchAccount(address);
    if (!account) throw new WalletError("node_refused", `unknown_sender: ${address}`);
    const now = BigInt(Date.now());
    const base = status.lastBlockTimeMs !== null && status.lastBlockTimeMs > now ? status.lastBlockTimeMs : now;
    const tx = signTransaction(key, { chain_id: chainOf(status), sender: address, nonce: account.nextNonce, expires_at_ms: base + EXPIRY_MS, call });
    steps[0] = { label: t.stepSigned, state: "ok", word: t.done, detail: tx.id };
    steps.push({ label: t.stepSubmitted, state: "pending", word: t.pending });
    show();
    await submitTransaction(tx.bytes);
    steps[1] = { label: t.stepSubmitted, state: "ok", word: t.done, detail: tx.id };
    steps.push({ label: t.stepCommitted, state: "pending", word: t.waitingForBlock });
    show();
    const answer = await waitForTransaction(tx.id);
    if (answer.status === "committed") {
      steps[2] = { label: t.stepCommitted, state: "ok", word: t.done, detail: t.committedIn(answer.height) };
      show();
      verdict(true, t.committedVerdict(link(`/tx/${tx.id}`, hex(tx.id)), link(`/blocks/${answer.height}`, String(answer.height))));
      return answer;
    }
    const code = answer.error?.code ?? "rejected";
    steps[2] = { label: t.stepRejected, state: "bad", word: t.failed, detail: code };
    show();
    verdict(false, t.rejectedVerdict(code, answer.error?.message ?? ""));
    return null;
  } catch (error) {
    const last = steps.length - 1;
    steps[last] = { ...steps[last], state: "bad", word: t.failed, detail: error.nodeCode ?? error.code ?? "" };
    show();
    verdict(false, error.nodeCode ? t.rejectedVerdict(error.nodeCode, error.nodeMessage) : errorText(t, error));
    return null;
  }
}

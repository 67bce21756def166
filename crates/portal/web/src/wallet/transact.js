// One signed action from the page: check the network against the trusted genesis and the node's clock against this
// computer's, show both and the expiry, build the body (chain, nonce, expiry), sign it here, submit it, follow it
// until it is committed or rejected, and show each step in words.

import { getTrust } from "../verify/trust.js";
import { fetchAccount, fetchStatus, submitTransaction, waitForTransaction } from "./api.js";
import { WalletError } from "./errors.js";
import { requireSession } from "./session.js";
import { MAX_EXPIRY_AHEAD_MS, signTransaction } from "./tx.js";
import { errorText } from "./strings.js";
import { hex, link, renderSteps, replace, timeElement } from "./dom.js";

/** How long a transaction signed here stays valid, from the visitor's clock. */
export const EXPIRY_MS = 10 * 60 * 1000;
/** Largest gap between this computer's clock and the node's last block time at which the page still signs. */
export const MAX_CLOCK_GAP_MS = 5 * 60 * 1000;

/**
 * The expiry (Unix ms, BigInt) of a transaction signed at `nowMs` on this computer's clock: ten minutes later, never
 * beyond what the ledger accepts. Refuses (`clock_gap`) when the node's last block time is more than five minutes
 * away from this clock: one of the two clocks is wrong, and a node ahead of time could otherwise obtain a
 * signature that honest nodes would accept long after the visitor meant it to lapse.
 */
export function expiryFor(nowMs, lastBlockTimeMs) {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new WalletError("clock_gap", "this computer's clock gives no usable time");
  if (lastBlockTimeMs !== null && lastBlockTimeMs !== undefined) {
    const gap = Number(lastBlockTimeMs) - nowMs;
    if (Math.abs(gap) > MAX_CLOCK_GAP_MS) {
      const minutes = Math.round(Math.abs(gap) / 60000);
      const side = gap > 0 ? "ahead of" : "behind";
      throw new WalletError("clock_gap", `the node's last block is dated ${new Date(Number(lastBlockTimeMs)).toISOString()}, ${minutes} minutes ${side} this computer's clock (${new Date(nowMs).toISOString()})`);
    }
  }
  return BigInt(nowMs + Math.min(EXPIRY_MS, MAX_EXPIRY_AHEAD_MS));
}

/**
 * The network to sign for: the trusted genesis's chain id (the pinned genesis, or the node's own when none is pinned,
 * then `pinned` is false). Refuses (`chain_mismatch`) when the node is of another network.
 */
export function signingChain(trust, status) {
  if (status.chainId !== trust.chainId) {
    throw new WalletError("chain_mismatch", `you trust network ${trust.chainId}, but this node is of network ${status.chainId}`);
  }
  return { chainId: trust.chainId, pinned: trust.pinned };
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
  steps.push({ label: t.stepChecked, state: "pending", word: t.checking });
  show();
  try {
    const { key, address } = requireSession();
    const status = await fetchStatus();
    const chain = signingChain(await getTrust(), status);
    const expiresAt = expiryFor(Date.now(), status.lastBlockTimeMs);
    const account = await fetchAccount(address);
    if (!account) throw new WalletError("node_refused", `unknown_sender: ${address}`);
    const lang = document.documentElement.lang || "en";
    steps[0] = { label: t.stepChecked, state: "ok", word: t.passed, detail: t.signingFor(chain.chainId, chain.pinned, timeElement(expiresAt, lang)) };
    steps.push({ label: t.stepSigned, state: "pending", word: t.signing });
    show();
    const tx = signTransaction(key, { chain_id: chain.chainId, sender: address, nonce: account.nextNonce, expires_at_ms: expiresAt, call });
    steps[1] = { label: t.stepSigned, state: "ok", word: t.done, detail: tx.id };
    steps.push({ label: t.stepSubmitted, state: "pending", word: t.pending });
    show();
    await submitTransaction(tx.bytes);
    steps[2] = { label: t.stepSubmitted, state: "ok", word: t.done, detail: tx.id };
    steps.push({ label: t.stepCommitted, state: "pending", word: t.waitingForBlock });
    show();
    const answer = await waitForTransaction(tx.id);
    if (answer.status === "committed") {
      steps[3] = { label: t.stepCommitted, state: "ok", word: t.done, detail: t.committedIn(answer.height) };
      show();
      verdict(true, t.committedVerdict(link(`/tx/${tx.id}`, hex(tx.id)), link(`/blocks/${answer.height}`, String(answer.height))));
      return answer;
    }
    const code = answer.error?.code ?? "rejected";
    steps[3] = { label: t.stepRejected, state: "bad", word: t.failed, detail: code };
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

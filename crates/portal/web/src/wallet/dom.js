// Small DOM helpers for the wallet's page: elements built from data, never from HTML strings.

import { append, h, replace } from "../dom.js";

export { append, h, replace };

/** A time as `<time>`: the visitor's local time, UTC on hover. `ms` is Unix milliseconds (number or BigInt). */
export function timeElement(ms, lang) {
  const date = new Date(Number(ms));
  const local = date.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: date.toISOString(), title: `${date.toISOString().replace("T", " ").slice(0, 19)} UTC` }, local);
}

/** A list of checks (`ol.checks`) showing steps: each `{label, state: ok|bad|pending, word, detail}`. */
export function renderSteps(ol, steps) {
  replace(
    ol,
    steps.map((s) =>
      h("li", { class: `check ${s.state}` }, h("strong", {}, s.label), " ", h("span", { class: "detail" }, s.word, s.detail ? [" — ", s.detail] : null)),
    ),
  );
}

/** Shows an error message box with `text`, or hides it when `text` is empty. */
export function showError(box, text) {
  box.hidden = !text;
  replace(box, text || "");
}

/** A hex string (address, hash, id) that may break anywhere on a narrow screen. */
export function hex(text) {
  return h("code", { class: "hex" }, text);
}

/** A link to one of the portal's pages. */
export function link(href, ...children) {
  return h("a", { href }, ...children);
}

/**
 * Makes `zone` (a `.dropzone` holding the file `input` and its label) accept a dropped file: the file becomes the
 * input's choice, exactly as if chosen with the keyboard or the file dialog.
 */
export function dropTarget(zone, input) {
  const over = (on) => (event) => {
    event.preventDefault();
    zone.classList.toggle("dragover", on);
  };
  zone.addEventListener("dragenter", over(true));
  zone.addEventListener("dragover", over(true));
  zone.addEventListener("dragleave", over(false));
  zone.addEventListener("drop", (event) => {
    over(false)(event);
    const files = event.dataTransfer?.files;
    if (files && files.length > 0) {
      input.files = files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  return zone;
}

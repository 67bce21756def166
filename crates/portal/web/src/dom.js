// Building the page's elements from data, never from HTML strings, for every part of the portal's script.

/**
 * An element: `attrs` sets attributes (`class`, `for`, `hidden`, `data-*`, `aria-*` …); `on<event>` functions
 * become listeners, `text` sets the text and `value` the control's value; false, null and undefined leave an
 * attribute out. `children` are nodes or text, nested arrays flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else if (name === "value") el.value = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Appends nodes or text (nested arrays flattened; null, undefined and false skipped). */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// The script's words in the page's language (`<html lang>`): Swedish for `sv`, else English; a key missing in
// Swedish falls back to English, and `{name}` placeholders are filled from the values given.

/** A function `(key, values) => text` over `strings` (`{ en: {...}, sv: {...} }`) for the page's language. */
export function translatorFor(strings, doc = globalThis.document) {
  const lang = doc?.documentElement?.lang?.toLowerCase().startsWith("sv") ? "sv" : "en";
  const table = strings[lang];
  return (key, values = {}) => {
    const text = table[key] ?? strings.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  };
}

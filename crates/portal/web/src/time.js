// Times: the server writes each as <time datetime="RFC 3339, UTC" title="… UTC">…UTC</time>; here it is shown in
// the visitor's own time zone and language, with the UTC time kept on hover (title).

/** Show every `<time datetime>` under `root` in the visitor's time zone. */
export function localTimes(root) {
  const lang = document.documentElement.lang === "sv" ? "sv-SE" : "en-GB";
  const format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  for (const el of root.querySelectorAll("time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    if (!el.title) el.title = el.textContent;
    el.textContent = format.format(when);
  }
}

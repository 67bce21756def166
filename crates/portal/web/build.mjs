// Bundles the portal's front end (src/main.js and what it imports, the @noble libraries among them) into
// ../assets/portal.js, the one script every page loads. The output is committed, so that building the node needs
// no Node.js; scripts/portal-build.sh runs this, and the portal's tests fail when the committed file is stale.
//
//   node build.mjs            write ../assets/portal.js
//   node build.mjs --check    exit 1 when ../assets/portal.js differs from a fresh build
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "assets", "portal.js");

const result = await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  write: false,
  logLevel: "warning",
});
const text = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(out, "utf8");
  } catch {
    // missing: stale
  }
  if (committed !== text) {
    console.error(
      "crates/portal/assets/portal.js is stale: it is not the bundle of crates/portal/web/src. Run scripts/portal-build.sh and commit the result.",
    );
    process.exit(1);
  }
  console.log("crates/portal/assets/portal.js is the bundle of crates/portal/web/src");
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (${text.length} bytes)`);
}

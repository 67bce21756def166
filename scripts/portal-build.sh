#!/usr/bin/env bash
# Rebuild the portal's script (crates/portal/assets/portal.js) from crates/portal/web/src, at the exact versions
# of the front end's lock file. Commit the result: the node embeds it, and the tests fail when it is stale.
set -euo pipefail
cd "$(dirname "$0")/../crates/portal/web"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs

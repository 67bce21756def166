#!/usr/bin/env bash
# Run every test of the workspace. Needs the Rust toolchain, Python 3 with pip and Node.js 20 with npm; installs
# Debian's Chromium (for the portal's browser tests), belenios-tool (the elections' verifier) and clang with lld (the
# example contracts' compiler) when missing, and
# from PyPI the Beneficial Ownership Data Standard's validator (libcovebods), which the business register's export
# is checked with, the Open Contracting Data Standard's validator (libcoveocds, run offline on the standard's schema
# zip in ../shared/standards by scripts/ocds-validate.py), which the procurement module's export is checked with,
# and the API fuzzer Schemathesis, which checks a live node against its OpenAPI document (scripts/api-fuzz.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# One cold build: incremental caches would only cost disk (over 10 GB across the three builds below) and time.
export CARGO_INCREMENTAL=0
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'libcovebods==0.16.0' \
    'libcoveocds==0.17.0' 'schemathesis==4.32.5'
# The credentials crate's interop check (crates/credentials/tests/it/interop.rs) needs Node 20 or later with npm: it
# runs the OpenWallet Foundation's sd-jwt-js and @noble/post-quantum, at the exact versions of their lock file.
npm ci --prefix crates/credentials/tests/interop --no-audit --no-fund --loglevel=error
# The crypto crate's check of its hybrid sealing (crates/crypto/tests/it/kem_interop.rs) against an independent
# implementation of the construction: ML-KEM-768 and XChaCha20-Poly1305 from @noble, X25519 and HKDF from Node.
npm ci --prefix crates/crypto/tests/interop --no-audit --no-fund --loglevel=error
# The portal's front end (crates/portal/web): its bundle must be the one committed, its unit tests run under Node,
# and its browser tests drive Debian's Chromium (installed here when missing) with playwright-core and axe-core.
# The elections' archives are checked by Belenios' own verifier, `belenios-tool election verify` (Debian package
# belenios-tool, version 2.0), installed here when missing like Chromium; a test fails, never skips, without it.
# The example contracts (contracts/) are built from source and must be byte for byte the modules shipped beside
# them: the C one with Debian's clang and lld (installed here when missing), the AssemblyScript one with the
# compiler of its lock file; the Rust one is shipped compiled (this toolchain has no wasm32 target) and its source
# is run against the shipped module by its own test below.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v belenios-tool >/dev/null || missing="$missing belenios-tool"
command -v clang >/dev/null || missing="$missing clang"
command -v wasm-ld >/dev/null || missing="$missing lld"
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
npm ci --prefix crates/portal/web --no-audit --no-fund --loglevel=error
node crates/portal/web/build.mjs --check
node --test crates/portal/web/test/
npm ci --prefix contracts/sdk/assemblyscript --no-audit --no-fund --loglevel=error
PUBLICA_CONTRACTS_STRICT=1 contracts/build.sh --check
cargo fmt --all -- --check
cargo build --workspace --all-targets --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked -- --test-threads=2
# The Rust example contract's source, run natively on the SDK's mock host, against its shipped module on the runtime.
cargo test --locked --manifest-path contracts/examples/fee-schedule/Cargo.toml --target-dir target/fee-schedule
# The portal in a real browser, against `publica dev` (before the Byzantine builds below rebuild the binary).
node crates/portal/tests/browser/run.mjs --publica target/debug/publica
# The Byzantine-validator tests need engines and nodes built with the test-only `byzantine` feature: equivocating
# validators and a validator flooding future-round proposals, among real engines and through the `publica` binary.
cargo test --locked -p publica-consensus --features byzantine --test it -- --test-threads=2 an_equivocating_validator a_flood_of_future_round_proposals
cargo test --locked -p publica --features byzantine --test it -- byzantine

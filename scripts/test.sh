#!/usr/bin/env bash
# Run every test of the workspace. Needs the Rust toolchain and Python 3 with pip; installs from PyPI the Beneficial
# Ownership Data Standard's validator (libcovebods), which the business register's export is checked with, and the
# API fuzzer Schemathesis, which checks a live node against its OpenAPI document (scripts/api-fuzz.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'libcovebods==0.16.0' \
    'schemathesis==4.32.5'
# The credentials crate's interop check (crates/credentials/tests/it/interop.rs) needs Node 20 or later with npm: it
# runs the OpenWallet Foundation's sd-jwt-js and @noble/post-quantum, at the exact versions of their lock file.
npm ci --prefix crates/credentials/tests/interop --no-audit --no-fund --loglevel=error
cargo fmt --all -- --check
cargo build --workspace --all-targets --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked -- --test-threads=2
# The Byzantine-validator tests need engines and nodes built with the test-only `byzantine` feature: equivocating
# validators and a validator flooding future-round proposals, among real engines and through the `publica` binary.
cargo test --locked -p publica-consensus --features byzantine --test it -- --test-threads=2 an_equivocating_validator a_flood_of_future_round_proposals
cargo test --locked -p publica --features byzantine --test it -- byzantine

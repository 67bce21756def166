#!/usr/bin/env bash
# Run every test of the workspace. Installs nothing beyond the Rust toolchain, which the machine provides.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo fmt --all -- --check
cargo build --workspace --all-targets --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked -- --test-threads=2
# The Byzantine-validator test needs nodes built with the test-only `byzantine` feature.
cargo test --locked -p publica --features byzantine --test it -- byzantine

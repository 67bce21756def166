#!/usr/bin/env bash
# Builds the example contracts from source and records their SHA-256; checks the shipped Rust example.
#
#   contracts/build.sh            build what the machine can build, check the rest
#   contracts/build.sh --check    build into a temporary directory and fail if a shipped .wasm differs
#
# Needs (installs nothing itself):
#   C:              clang and lld (Debian: apt-get install -y clang lld)
#   AssemblyScript: node and npm, then `npm ci` in contracts/sdk/assemblyscript
#   Rust:           the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown); without it
#                   the shipped fee-schedule.wasm is kept and only its hash is checked.
# A compiler that is missing is reported and its example left as shipped, unless PUBLICA_CONTRACTS_STRICT=1,
# which makes it an error (the test script sets it for the compilers it installs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
examples="$here/examples"
check=0
[[ "${1:-}" == "--check" ]] && check=1
strict="${PUBLICA_CONTRACTS_STRICT:-0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

missing() {
    echo "build.sh: $1 is not available: $2 left as shipped" >&2
    if [[ "$strict" == 1 ]]; then failed=1; fi
}

# Places a freshly built module: writes it and its hash, or in --check mode compares it with the shipped one.
place() {
    local built="$1" target="$2"
    if [[ "$check" == 1 ]]; then
        if ! cmp -s "$built" "$target"; then
            echo "build.sh: $target differs from a fresh build of its source: run contracts/build.sh" >&2
            failed=1
        fi
    else
        cp "$built" "$target"
    fi
    (cd "$(dirname "$target")" && sha256sum "$(basename "$target")" > "$(basename "$target").sha256.new")
    if [[ "$check" == 1 ]]; then
        cmp -s "$target.sha256.new" "$target.sha256" || { echo "build.sh: $target.sha256 is stale" >&2; failed=1; }
        rm -f "$target.sha256.new"
    else
        mv "$target.sha256.new" "$target.sha256"
    fi
    echo "build.sh: $(basename "$target") $(cut -d' ' -f1 < "$target.sha256")"
}

# C: customs-clearance. `-mcpu=mvp` keeps to the features the runtime enables; the stack is 64 KiB and the
# memory at most the runtime's 16 pages; `call` is the only export besides the memory wasm-ld exports.
if command -v clang > /dev/null && command -v wasm-ld > /dev/null; then
    clang --target=wasm32 -mcpu=mvp -O2 -ffreestanding -nostdlib -fno-builtin -Wall -Wextra -Werror \
        -Wl,--no-entry -Wl,--export=call -Wl,--initial-memory=131072 -Wl,--max-memory=1048576 \
        -Wl,-z,stack-size=65536 -Wl,--strip-all \
        -I "$here/sdk/c" -o "$work/customs-clearance.wasm" "$examples/customs-clearance/customs_clearance.c"
    place "$work/customs-clearance.wasm" "$examples/customs-clearance/customs-clearance.wasm"
else
    missing "clang or wasm-ld (apt-get install -y clang lld)" "customs-clearance.wasm"
fi

# AssemblyScript: grant-rule. The stub runtime sets its heap start in a start function, which contracts may
# not have: asc exports it as `_initialize` instead and binaryen's wasm-ctor-eval (installed with
# assemblyscript) runs it at build time, leaving the heap start as the global's initial value.
as_dir="$here/sdk/assemblyscript"
if [[ -x "$as_dir/node_modules/.bin/asc" ]]; then
    (cd "$as_dir" && node_modules/.bin/asc "$examples/grant-rule/assembly/index.ts" --config asconfig.json \
        --exportStart _initialize -o "$work/grant-rule.start.wasm")
    "$as_dir/node_modules/.bin/wasm-ctor-eval" "$work/grant-rule.start.wasm" --ctors=_initialize \
        --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext --enable-mutable-globals \
        -o "$work/grant-rule.wasm" > /dev/null
    place "$work/grant-rule.wasm" "$examples/grant-rule/grant-rule.wasm"
else
    missing "assemblyscript (npm ci in contracts/sdk/assemblyscript)" "grant-rule.wasm"
fi

# Rust: fee-schedule. Built when the toolchain has the wasm32 target; otherwise the shipped module (assembled
# from example.wat, see contracts/README.md) is checked against its recorded hash.
fee="$examples/fee-schedule"
if rustc --print sysroot > /dev/null 2>&1 \
    && [[ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]]; then
    (cd "$fee" && CARGO_TARGET_DIR="$work/rust" cargo build --release --target wasm32-unknown-unknown --quiet)
    cp "$work/rust/wasm32-unknown-unknown/release/fee_schedule.wasm" "$work/fee-schedule.rustc.wasm"
    echo "build.sh: fee-schedule built by rustc into $work (not shipped: the shipped module is example.wat's)"
fi
if (cd "$fee" && sha256sum --check --quiet fee-schedule.wasm.sha256); then
    echo "build.sh: fee-schedule.wasm $(cut -d' ' -f1 < "$fee/fee-schedule.wasm.sha256") (shipped, hash checked)"
else
    echo "build.sh: fee-schedule.wasm does not match fee-schedule.wasm.sha256" >&2
    failed=1
fi

exit "$failed"

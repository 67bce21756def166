#!/usr/bin/env python3
"""Fuzz a running node's REST API from its own OpenAPI document with Schemathesis, every check on.

Usage: api-fuzz.py BASE_URL [MAX_EXAMPLES]

Reads BASE_URL/openapi.json and sends each operation examples, boundary cases and random valid and invalid
requests (at most MAX_EXAMPLES generated per operation, default 100; a fixed seed makes runs repeatable). Every
answer must match the document: status codes, content types, headers and body schemas; valid requests must be
accepted and invalid ones refused; no server error. api-fuzz.toml beside this script lists the few rules JSON
Schema cannot state, and which check they switch off on which operation. Exits 0 when every check passed, 1 when one failed
(Schemathesis prints each failure with a curl command that reproduces it), 2 when Schemathesis is missing.
"""

import os
import sys

VERSION = "4.32.5"

try:
    import schemathesis
    from schemathesis.cli import schemathesis as cli
except ImportError:
    print(f"Schemathesis is not installed: python3 -m pip install 'schemathesis=={VERSION}'", file=sys.stderr)
    sys.exit(2)

if schemathesis.__version__ != VERSION:
    print(
        f"Schemathesis {schemathesis.__version__} is installed; this project's checks are pinned to {VERSION}: "
        f"python3 -m pip install 'schemathesis=={VERSION}'",
        file=sys.stderr,
    )
    sys.exit(2)


def main(base, max_examples):
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "api-fuzz.toml")
    args = [
        "--config-file",
        config,
        "run",
        f"{base}/openapi.json",
        "--url",
        base,
        # Every check runs (Schemathesis's default); api-fuzz.toml turns one off on a few operations.
        "--max-examples",
        str(max_examples),
        "--seed",
        "20261203",
        # One worker: with two, Hypothesis parses lambda sources with `ast` on two threads at once, which this
        # CPython (3.11) can fail with "AST constructor recursion depth mismatch", an error of the fuzzer itself
        # that says nothing of the API.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
    ]
    # Click exits with Schemathesis's status: 0 when every check passed, 1 when one failed.
    cli.main(args=args, prog_name="schemathesis")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    main(sys.argv[1].rstrip("/"), int(sys.argv[2]) if len(sys.argv) == 3 else 100)

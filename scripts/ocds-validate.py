#!/usr/bin/env python3
"""Validate an Open Contracting Data Standard (OCDS) 1.1 release or record package with libcoveocds, the standard's
own checker, offline.

Usage: ocds-validate.py FILE

Checks the package against the OCDS 1.1.5 schema read from ../shared/standards/ocds-standard-1__1__5-schema.zip
(relative to the repository root) and runs the checker's further checks. Errors: schema validation errors, values
outside a closed codelist (currencies, statuses), ocid prefixes of the wrong form, extensions that cannot be read,
empty fields, and a package that is not OCDS 1.1. Warnings (printed, not failing): additional fields, values outside
an open codelist, deprecated fields. Every network connection is refused, so nothing is fetched: a package that
needs something from the network fails (the standard's own schemas, which a record package's schema refers to by
their web address, are read from the zip). Exits 1 if there is any error, 0 if the package is valid, 2 if the checker
is not installed or the schema zip is missing.
"""

import json
import os
import socket
import sys
import tempfile

INSTALL = "python3 -m pip install 'libcoveocds==0.17.0'"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STANDARD_ZIP = os.path.normpath(os.path.join(ROOT, "..", "shared", "standards", "ocds-standard-1__1__5-schema.zip"))

try:
    import libcoveocds.api
    import libcoveocds.config
except ImportError:
    print(f"libcoveocds is not installed: {INSTALL}", file=sys.stderr)
    sys.exit(2)


def offline():
    """Refuse every network connection: the standard comes from the zip, and nothing else may be fetched."""

    def refuse(*args, **kwargs):
        raise OSError("ocds-validate.py runs offline: no network connection is made")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def standard_from_zip():
    """A record package's schema refers to the standard's release and versioned-release schemas by their web address,
    which libcoveocds resolves with jsonref over the network. Serve those addresses from the zip instead (and refuse
    any other): the files are the same, version 1.1.5."""
    import zipfile

    import jsonref

    prefixes = tuple(f"{scheme}://standard.open-contracting.org/schema/1__1__5/" for scheme in ("https", "http"))

    class Response:
        def __init__(self, data):
            self.data = data

        def raise_for_status(self):
            pass

        def json(self, **kwargs):
            return json.loads(self.data, **kwargs)

    class FromZip:
        @staticmethod
        def get(uri, **kwargs):
            name = next((uri[len(p) :] for p in prefixes if uri.startswith(p)), None)
            if name is None or "/" in name:
                raise OSError(f"ocds-validate.py runs offline and cannot fetch {uri}")
            with zipfile.ZipFile(STANDARD_ZIP) as z:
                member = next((m for m in z.namelist() if m.endswith(f"/schema/{name}")), None)
                if member is None:
                    raise OSError(f"{uri} is not in {STANDARD_ZIP}")
                return Response(z.read(member))

    jsonref.requests = FromZip


def errors_and_warnings(result):
    errors, warnings = [], []
    if result.get("version_used") != "1.1":
        errors.append(f"the package is read as OCDS {result.get('version_used')!r}, not 1.1")
    if result.get("json_deref_error"):
        errors.append(f"schema reference error: {result['json_deref_error']}")
    for error in result.get("validation_errors", []):
        errors.append(f"schema: {json.dumps(error, sort_keys=True)}")
    for key, error in (result.get("conformance_errors") or {}).items():
        errors.append(f"conformance ({key}): {json.dumps(error, sort_keys=True)}")
    extensions = result.get("extensions") or {}
    for url, why in extensions.get("invalid_extensions", []) or []:
        errors.append(f"extension {url}: {why}")
    for path, info in (result.get("additional_closed_codelist_values") or {}).items():
        errors.append(f"closed codelist {info.get('codelist')}: {path} = {info.get('values')}")
    for check, found in (result.get("additional_checks") or {}).items():
        for item in found:
            errors.append(f"additional check {check}: {json.dumps(item, sort_keys=True)}")
    for field in result.get("additional_fields", []):
        warnings.append(f"additional field: {field['path']}/{field['field']} (used {field['usage_count']} times)")
    for path, info in (result.get("additional_open_codelist_values") or {}).items():
        warnings.append(f"open codelist {info.get('codelist')}: {path} = {info.get('values')}")
    for field in result.get("deprecated_fields", []):
        warnings.append(f"deprecated field: {json.dumps(field, sort_keys=True)}")
    return errors, warnings


def main(path):
    if not os.path.isfile(STANDARD_ZIP):
        print(f"the OCDS 1.1.5 schema zip is missing: {STANDARD_ZIP}", file=sys.stderr)
        return 2
    offline()
    standard_from_zip()
    config = libcoveocds.config.LibCoveOCDSConfig()
    config.config["standard_zip"] = f"file://{STANDARD_ZIP}"
    config.config["context"] = "api"
    config.config["additional_checks"] = "all"
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError) as e:
        print(f"cannot read {path} as JSON: {e}")
        print("INVALID: 1 error(s)")
        return 1
    if not isinstance(data, dict):
        print("INVALID: the file is not a JSON object (a release or record package)")
        return 1
    with tempfile.TemporaryDirectory(prefix="ocds-validate-") as work:
        result = libcoveocds.api.ocds_json_output(
            work, path, None, convert=False, json_data=data, lib_cove_ocds_config=config
        )
    errors, warnings = errors_and_warnings(result)
    for warning in warnings:
        print(f"warning: {warning}")
    for error in errors:
        print(f"error: {error}")
    kind = "record" if "records" in data else "release"
    count = result.get("count", 0)
    if errors:
        print(f"INVALID: {len(errors)} error(s), {len(warnings)} warning(s) in a {kind} package of {count} {kind}s")
        return 1
    print(f"VALID OCDS 1.1: a {kind} package of {count} {kind}s, {len(warnings)} warning(s)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

#!/usr/bin/env python3
"""Validate a Beneficial Ownership Data Standard (BODS) export with libcovebods, the standard's own checker.

Usage: bods-validate.py FILE

Checks the file against the BODS JSON schema of the version it declares (it must declare 0.4) and runs the
standard's additional checks (statement ids, record references, dates, shares). Prints every problem found and
exits 1 if there is any, 0 if the file is valid, 2 if the checker is not installed.
"""

import json
import sys

try:
    import libcovebods.config
    import libcovebods.data_reader
    import libcovebods.jsonschemavalidate
    import libcovebods.run_tasks
    import libcovebods.schema
except ImportError:
    print("libcovebods is not installed: python3 -m pip install 'libcovebods==0.16.0'", file=sys.stderr)
    sys.exit(2)


def offline_org_ids():
    """The identifier-scheme check compares `scheme` values with the org-id.guide register, which libcove2 downloads
    from the internet. Publica's exports name their schemes with `schemeName` and carry no `scheme`, so the check
    has nothing to look up; an empty register keeps the validator offline (and would flag any `scheme` given)."""
    import libcovebods.tasks.checks.legacy_checks as legacy
    import libcovebods.tasks.checks.record_based_checks as record_based

    legacy.get_orgids_prefixes = lambda *args, **kwargs: []
    record_based.get_orgids_prefixes = lambda *args, **kwargs: []


def main(path):
    offline_org_ids()
    reader = libcovebods.data_reader.DataReader(path)
    config = libcovebods.config.LibCoveBODSConfig()
    schema = libcovebods.schema.SchemaBODS(reader, config)
    problems = []
    if schema.schema_version != "0.4":
        problems.append(f"the file declares BODS {schema.schema_version_attempted!r}, not 0.4")
    for error in libcovebods.jsonschemavalidate.JSONSchemaValidator(schema).validate(reader):
        problems.append(f"schema: {json.dumps(error.json())}")
    checks = libcovebods.run_tasks.process_additional_checks(
        reader, config, schema, libcovebods.run_tasks.TASK_CLASSES
    )
    for check in checks.get("additional_checks", []):
        problems.append(f"additional check: {json.dumps(check)}")
    for problem in problems:
        print(problem)
    statements = len(json.load(open(path, encoding="utf-8")))
    if problems:
        print(f"INVALID: {len(problems)} problem(s) in {statements} statements")
        return 1
    print(f"VALID BODS 0.4: {statements} statements")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

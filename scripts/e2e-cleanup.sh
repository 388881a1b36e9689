#!/usr/bin/env bash
# Tears the e2e testbed down by hand (the tests' fixtures do it themselves, even on failure):
# stops the testbed's Postfix and Dovecot, kills what runs in the pe2e-* namespaces (only the
# testbed starts processes there) and deletes them. Idempotent.
set -uo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 tests/e2e/testbed.py down

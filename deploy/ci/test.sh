#!/usr/bin/env bash
# Installs what the tests need (Debian packages, when run as root) and runs every test:
# unit tests, end-to-end tests on loopback, and the NAT lab matrix (root only).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/ci/install-test-deps.sh
exec mvn -B verify "$@"

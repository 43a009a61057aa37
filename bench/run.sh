#!/usr/bin/env bash
# Ferry against direct transfer, socat hops and an OpenSSH tunnel, in one run; writes bench/RESULTS.md.
# Needs root (sshd, vsftpd) and the Debian packages deploy/ci/install-test-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ci/install-test-deps.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # 10,000 idle sessions need ~30,000 descriptors
exec python3 bench/run.py "$@"

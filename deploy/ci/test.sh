#!/usr/bin/env bash
# Installs what the tests need (Debian packages, when run as root) and runs every test:
# unit tests, end-to-end tests on loopback, and the NAT lab matrix (root only).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/ci/install-test-deps.sh
# The image tests (deploy/image-tests) need dockerd and the base image; dockerd stops when this ends.
if [[ $(id -u) -eq 0 ]]; then
  deploy/ci/docker.sh start
  trap 'deploy/ci/docker.sh stop' EXIT
  deploy/ci/docker.sh base-image
fi
# -T 2: the image tests (deploy/image-tests, Docker) run beside the end-to-end tests and the NAT lab
# (e2e-tests): they share no ports (127.0.0.3x with free ports vs namespaces and other addresses).
mvn -B -T 2 verify "$@"

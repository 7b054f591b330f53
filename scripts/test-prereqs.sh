#!/usr/bin/env bash
# What the test suites need beyond npm packages: a running Docker engine (installed from
# Debian's docker.io when absent and we are root), git, and the base images the fixtures
# build on, made offline because no registry is reachable. Idempotent; `npm test` runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/ensure-docker.sh"
bash "$here/make-test-images.sh"

#!/usr/bin/env bash
# What the test suites need beyond npm packages: a running Docker engine (installed from
# Debian's docker.io when absent and we are root), git, the base images the fixtures build
# on (made offline because no registry is reachable), Debian's chromium for the browser
# suites in test/browser/, Debian's pebble (Let's Encrypt's ACME test server) for the HTTPS
# suite, and Debian's haproxy (2.6) for the data-plane suites, which run against both proxies.
# Idempotent; `npm test` runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/ensure-docker.sh"
bash "$here/make-test-images.sh"

can_apt() { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; }

# Installs Debian package $1 (as root) unless the check command "$3" already succeeds; else says
# which suites ($2) need it and fails.
need() {
  local package="$1" suites="$2" present="$3"
  if bash -c "$present" >/dev/null 2>&1; then return; fi
  if ! can_apt; then
    echo "test-prereqs: the $suites need $package; install it with \`apt-get install -y $package\` (as root)" >&2
    exit 1
  fi
  echo "test-prereqs: installing $package"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"
}

# The dashboard suites drive /usr/bin/chromium through playwright-core (no browser download).
need chromium 'browser suites' '[ -x /usr/bin/chromium ]'
echo "test-prereqs: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium present')"
# Demo cards show their front matter's emoji: without a colour emoji font the screenshots show empty boxes (not fatal).
if [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] && can_apt; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji >/dev/null || echo "test-prereqs: no emoji font (screenshots show boxes for emoji)" >&2
fi
# The HTTPS suite (test/docker/tls-acme.test.ts) runs Pebble and pebble-challtestsrv on loopback ports.
need pebble 'HTTPS suite' '[ -x /usr/bin/pebble ] && [ -x /usr/bin/pebble-challtestsrv ]'
echo "test-prereqs: pebble at /usr/bin/pebble"
# The data-plane suites run every proxy contract through HAProxy too (PORTICO_PROXY=haproxy).
need haproxy 'data-plane suites' 'command -v haproxy || [ -x /usr/sbin/haproxy ]'
echo "test-prereqs: $( (haproxy -v 2>/dev/null || /usr/sbin/haproxy -v) | head -1)"

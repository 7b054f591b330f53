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

# The dashboard suites drive /usr/bin/chromium through playwright-core (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-prereqs: installing chromium"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  else
    echo "test-prereqs: the browser suites need /usr/bin/chromium; install it with \`apt-get install -y chromium\` (as root)" >&2
    exit 1
  fi
fi
echo "test-prereqs: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium present')"
# Demo cards show their front matter's emoji: without a colour emoji font the screenshots show empty boxes (not fatal).
if [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji >/dev/null || echo "test-prereqs: no emoji font (screenshots show boxes for emoji)" >&2
fi

# The HTTPS suite (test/docker/tls-acme.test.ts) runs Pebble and pebble-challtestsrv on loopback ports.
if [ ! -x /usr/bin/pebble ] || [ ! -x /usr/bin/pebble-challtestsrv ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-prereqs: installing pebble"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pebble
  else
    echo "test-prereqs: the HTTPS suite needs Debian's pebble; install it with \`apt-get install -y pebble\` (as root)" >&2
    exit 1
  fi
fi
echo "test-prereqs: pebble at /usr/bin/pebble"

# The data-plane suites run every proxy contract through HAProxy too (PORTICO_PROXY=haproxy).
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-prereqs: installing haproxy"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy
  else
    echo "test-prereqs: the data-plane suites need haproxy; install it with \`apt-get install -y haproxy\` (as root)" >&2
    exit 1
  fi
fi
echo "test-prereqs: $( (haproxy -v 2>/dev/null || /usr/sbin/haproxy -v) | head -1)"

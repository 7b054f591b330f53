#!/usr/bin/env bash
# The host tools `npm run bench` drives: Debian's `wrk` (load generator) and `nginx-light`
# (the reverse proxy Portico is compared with). As root on Debian it installs whichever is
# missing; otherwise it changes nothing and says what is missing (the bench then skips nginx,
# and cannot run without wrk). Idempotent.
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# nginx-light puts nginx in /usr/sbin, which a non-root PATH often lacks.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "bench-prereqs: missing ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]}) for the full benchmark" >&2
  exit 0
fi

echo "bench-prereqs: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

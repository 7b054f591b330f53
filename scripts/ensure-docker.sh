#!/usr/bin/env bash
# Makes sure a Docker engine answers, plus the host tools the tests use (git, busybox-static).
# Idempotent: with an engine already running it only checks. As root on Debian it installs
# docker.io when dockerd is missing and starts dockerd in the background (no systemd needed);
# as any other user without an engine it says how to get one and fails.
set -euo pipefail

log=/tmp/portico-dockerd.log

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-docker: need $* but this is not a Debian/Ubuntu machine (no apt-get); install them by hand" >&2
    exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

engine_answers() { docker info >/dev/null 2>&1; }

# Host tools: git for fixture repositories, a static busybox for the offline base images, jq for
# the CodeBuild buildspec step that test/cdk/build-image-config.test.ts runs.
if is_root; then
  missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "ensure-docker: installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
fi

if command -v docker >/dev/null 2>&1 && engine_answers; then
  echo "ensure-docker: engine running ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

# An engine named by DOCKER_HOST elsewhere than the local default socket is not ours to start.
if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix:///var/run/docker.sock" ]; then
  echo "ensure-docker: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST; start that engine, or unset DOCKER_HOST to use a local one" >&2
  exit 1
fi

if ! is_root; then
  cat >&2 <<'EOF'
ensure-docker: no Docker engine answers (docker info failed), and only root can start one here.
Start one, then run this again:
  sudo systemctl start docker        # where systemd manages Docker
  sudo dockerd >/tmp/portico-dockerd.log 2>&1 &   # anywhere else
If an engine runs but you lack permission, add yourself to the "docker" group and log in again,
or point DOCKER_HOST at an engine you can use.
EOF
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  echo "ensure-docker: installing Debian's docker.io"
  apt_install docker.io
fi

dockerd_alive() { [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; }

# A stale pid file from a killed dockerd makes the new one refuse to start.
if [ -f /var/run/docker.pid ] && ! dockerd_alive; then
  rm -f /var/run/docker.pid
fi

# A dockerd that is alive but not answering yet is still starting: wait for it below.
if ! dockerd_alive; then
  echo "ensure-docker: starting dockerd (log: $log)"
  # Its own session: a job runner that kills the caller's process group must not take the engine with it.
  setsid nohup dockerd >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if engine_answers; then
    echo "ensure-docker: engine running ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done

echo "ensure-docker: dockerd did not answer within 60 s; the end of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1

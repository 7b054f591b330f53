#!/usr/bin/env bash
# Makes, offline, the base images the tests and examples build on, since no registry is
# reachable to pull them from: each is a root filesystem assembled from this machine's own
# files and loaded with `docker import`.
#   portico-test/busybox:latest  static busybox with its applets (sh, httpd, wget, nc, …), /www, /tmp
#   node:20-slim                 this machine's `node` (and npm) with the libraries ldd lists and
#                                this machine's CA bundle (as a real image carries its distribution's
#                                CA store, so `npm ci` in a Dockerfile trusts what the host trusts);
#                                a real node:20-slim (one this script did not make) is kept
# Idempotent: an image already made by this version of the script is left alone.
set -euo pipefail

BUSYBOX_IMAGE=portico-test/busybox:latest
NODE_IMAGE=node:20-slim
BUSYBOX_IMAGE_VERSION=1 # bump when an image's contents change, so existing machines remake it
NODE_IMAGE_VERSION=2 # 2: carries the host's CA bundle and NODE_EXTRA_CA_CERTS
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
MARK=portico.test-image
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

work="$(mktemp -d /tmp/portico-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT

static_busybox() {
  local candidate
  for candidate in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  echo "make-test-images: no statically linked busybox found; install it: apt-get install busybox-static (scripts/ensure-docker.sh does, as root)" >&2
  return 1
}

# Copies a static busybox into a root fs, with a link for every applet in /bin and the
# directories and users programs expect.
add_busybox() {
  local root="$1" busybox
  busybox="$(static_busybox)"
  mkdir -p "$root/bin" "$root/usr/bin" "$root/etc" "$root/root" "$root/tmp" "$root/var/tmp"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  ln -sf /bin/busybox "$root/usr/bin/env" # for `#!/usr/bin/env …` scripts
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# Is $1 an image this script version made?
made_here() {
  [ "$(docker image inspect --format "{{index .Config.Labels \"$MARK\"}}" "$1" 2>/dev/null || true)" = "$2" ]
}

import_root() {
  local root="$1" image="$2" mark="$3"
  shift 3
  tar -C "$root" --numeric-owner -cf - . | docker import --change "ENV $PATH_ENV" --change "LABEL $MARK=$mark" "$@" - "$image" >/dev/null
}

make_busybox() {
  local mark="busybox-$BUSYBOX_IMAGE_VERSION"
  if made_here "$BUSYBOX_IMAGE" "$mark"; then
    echo "make-test-images: $BUSYBOX_IMAGE is up to date"
    return
  fi
  local root="$work/busybox"
  add_busybox "$root"
  mkdir -p "$root/www"
  import_root "$root" "$BUSYBOX_IMAGE" "$mark" --change 'CMD ["sh"]'
  echo "make-test-images: made $BUSYBOX_IMAGE"
}

make_node() {
  local mark="node-$NODE_IMAGE_VERSION"
  if made_here "$NODE_IMAGE" "$mark"; then
    echo "make-test-images: $NODE_IMAGE is up to date"
    return
  fi
  if docker image inspect "$NODE_IMAGE" >/dev/null 2>&1 && [ -z "$(docker image inspect --format "{{index .Config.Labels \"$MARK\"}}" "$NODE_IMAGE")" ]; then
    echo "make-test-images: $NODE_IMAGE exists and was not made here (a real one), kept"
    return
  fi
  local node
  node="$(command -v node)" || { echo "make-test-images: no node on this machine to put in $NODE_IMAGE" >&2; return 1; }
  node="$(readlink -f "$node")"
  local version
  version="$("$node" --version)"
  case "$version" in v20.*) ;; *) echo "make-test-images: warning: host node is $version, tagging it $NODE_IMAGE anyway" >&2 ;; esac

  local root="$work/node"
  add_busybox "$root"
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib"
  cp "$node" "$root/usr/local/bin/node"
  # The libraries node links against, at the paths the loader looks for them.
  local lib
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do
    cp -L --parents "$lib" "$root/"
  done

  # npm too when the host has it, so `RUN npm install` of a dependency-free app works offline.
  local npm
  if npm="$(command -v npm)"; then
    local npm_dir
    npm_dir="$(dirname "$(dirname "$(readlink -f "$npm")")")"
    if [ -f "$npm_dir/bin/npm-cli.js" ]; then
      mkdir -p "$root/usr/local/lib/node_modules"
      cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
      ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
      ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    fi
  fi

  # The CAs this machine trusts (a TLS-intercepting proxy's among them, where there is one),
  # at Debian's path, and node told to add them to its own.
  local ca_env=()
  if [ -f "$CA_BUNDLE" ]; then
    mkdir -p "$root$(dirname "$CA_BUNDLE")"
    cp -L "$CA_BUNDLE" "$root$CA_BUNDLE"
    ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE")
  fi

  import_root "$root" "$NODE_IMAGE" "$mark" --change "ENV NODE_VERSION=${version#v}" "${ca_env[@]}" --change 'CMD ["node"]'
  echo "make-test-images: made $NODE_IMAGE from $node ($version)"
}

verify() {
  local image="$1"
  shift
  if ! out="$(docker run --rm --network none "$image" "$@" 2>&1)"; then
    echo "make-test-images: $image does not run ($*): $out" >&2
    return 1
  fi
}

make_busybox
make_node
verify "$BUSYBOX_IMAGE" busybox true
verify "$BUSYBOX_IMAGE" sh -c 'command -v httpd && test -d /www && test -d /tmp'
verify "$NODE_IMAGE" node -e 1
echo "make-test-images: $BUSYBOX_IMAGE and $NODE_IMAGE are ready"

#!/usr/bin/env bash
# Prepares this machine for Inspector: Debian packages (when root), uv, and the locked virtual environment.
# Usage: scripts/setup.sh app|test|server
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-app}"

app_debs=(fonts-arphic-uming fonts-wqy-microhei libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-shape0
          libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3)
# libreoffice-calc-nogui prints the xlsx ledgers to PDF in the tests (page count, fit to width, repeated headers)
# patroni and etcd-server: the cluster test runs its own etcd and Patroni pair on free ports (see quiet_services)
test_debs=("${app_debs[@]}" xvfb xauth postgresql poppler-utils haproxy pgbouncer chromium libreoffice-calc-nogui
           patroni etcd-server)

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

install_debs() {
  local missing
  missing=$(missing_debs "$@")
  [ -z "$missing" ] && return 0
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: not a Debian system; please install the equivalents of: $missing" >&2
    return 0
  fi
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "setup: these Debian packages are missing; install them as root, then run this again:" >&2
    echo "  sudo apt-get install $missing" >&2
    exit 1
  fi
}

quiet_services() {
  # Debian enables etcd.service and patroni.service on install (a container without systemd only prints "policy-rc.d
  # denied execution of start"); on a test machine with systemd nothing of them should run or start at boot
  if [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now etcd.service patroni.service >/dev/null 2>&1 || true
  fi
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV=(uv); return; fi
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "setup: installing uv (the locked-environment tool) with pip"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  fi
  UV=(python3 -m uv)
}

case "$purpose" in
  # app and server only add what they need (--inexact), so they never strip the test tools from a shared .venv
  app)  install_debs "${app_debs[@]}"; extras=(--inexact) ;;
  test) install_debs "${test_debs[@]}"; quiet_services; extras=(--all-extras) ;;
  server) extras=(--extra server --inexact) ;;
  *) echo "usage: scripts/setup.sh app|test|server" >&2; exit 2 ;;
esac

ensure_uv
export UV_PYTHON_DOWNLOADS=never
# Bytecode compiled ahead, as an installed app has it (the bundle carries it): the first start and every process a
# test or bench starts import without compiling, also where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
"${UV[@]}" sync --frozen --python python3 --compile-bytecode "${extras[@]}"
.venv/bin/python -m compileall -q -j 0 inspector >/dev/null

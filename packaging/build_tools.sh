#!/usr/bin/env bash
# What PyInstaller needs on Linux besides the virtual environment: objdump and strip (Debian's binutils) and the
# Python shared library (Debian's libpython3.X, when the interpreter is the system's statically linked one).
# Installs them when run as root, as scripts/setup.sh does; otherwise prints the apt-get line. Usage: from `make package`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

needed=()
if ! command -v objdump >/dev/null 2>&1 || ! command -v strip >/dev/null 2>&1; then
  needed+=(binutils)
fi
if ! "$PY" -c "import sys; from PyInstaller.depend.bindepend import get_python_library_path as find; \
sys.exit(0 if find() else 1)" >/dev/null 2>&1; then
  needed+=("$("$PY" -c 'import sys; print("libpython%d.%d" % sys.version_info[:2])')")
fi
[ ${#needed[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "package: PyInstaller needs these (install their equivalents): ${needed[*]}" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  echo "package: installing Debian packages PyInstaller needs: ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
else
  echo "package: PyInstaller needs these Debian packages; install them as root, then run this again:" >&2
  echo "  sudo apt-get install ${needed[*]}" >&2
  exit 1
fi

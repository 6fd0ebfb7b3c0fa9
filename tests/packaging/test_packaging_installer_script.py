"""The Inno Setup script agrees with the bundle build.spec makes, and installs per user without touching user data.

The script itself is compiled on Windows only (docs/packaging.md); these checks keep it from drifting meanwhile."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "packaging" / "windows" / "inspector.iss"


def script_text() -> str:
    raw = SCRIPT.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads Chinese text correctly only from UTF-8 with a BOM"
    return raw[3:].decode("utf-8")


def defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, re.MULTILINE))


def directive(text: str, name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", text, re.MULTILINE)
    assert match, f"{name} missing from [Setup]"
    return match.group(1).strip()


def section(text: str, name: str) -> str:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def test_script_installs_the_bundle_build_spec_makes() -> None:
    text = script_text()
    spec = (REPO_ROOT / "build.spec").read_text(encoding="utf-8")
    app_name = re.search(r'^APP_NAME = "(\w+)"', spec, re.MULTILINE)
    assert app_name
    values = defines(text)
    assert values["AppExeName"] == f"{app_name.group(1)}.exe"
    bundle = (SCRIPT.parent / values["BundleDir"].replace("\\", "/")).resolve()
    assert bundle == (REPO_ROOT / "dist" / app_name.group(1)).resolve()
    icon = (SCRIPT.parent / directive(text, "SetupIconFile").replace("\\", "/")).resolve()
    assert icon.is_file() and icon.suffix == ".ico"


def test_install_is_per_user_with_a_start_menu_entry() -> None:
    text = script_text()
    assert directive(text, "PrivilegesRequired") == "lowest"
    assert directive(text, "DefaultDirName").startswith("{autopf}")  # %LOCALAPPDATA%\Programs without elevation
    assert re.search(r'^Name: "\{autoprograms\}\\', section(text, "Icons"), re.MULTILINE)


def test_uninstall_keeps_the_users_data() -> None:
    text = script_text()
    assert section(text, "UninstallDelete") == ""
    removed = section(text, "InstallDelete")
    assert re.findall(r'Name: "([^"]+)"', removed) == ["{app}\\_internal"]  # old program files only
    assert "{localappdata}" not in removed

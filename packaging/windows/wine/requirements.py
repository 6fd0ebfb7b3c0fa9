"""Turns `uv export --frozen` output into the pinned, hashed requirements of a Windows x64 CPython 3.11.

The markers are evaluated for Windows, not for the machine running this, so that `pip download --platform
win_amd64` fetches exactly what the lock file resolves on a Windows laptop.

    uv export --frozen --all-extras --no-emit-project | python requirements.py > windows-requirements.txt
"""

import sys

from packaging.markers import Marker

WINDOWS = {
    "os_name": "nt",
    "sys_platform": "win32",
    "platform_system": "Windows",
    "platform_machine": "AMD64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "python_version": "3.11",
    "python_full_version": "3.11.9",
    "implementation_version": "3.11.9",
}


def windows_requirements(lines: list[str]) -> list[str]:
    """Keep each requirement (with its hash lines) whose marker holds on Windows, without the marker."""
    kept: list[str] = []
    keep = False
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash"):
            if keep:
                kept.append("    " + stripped.rstrip("\\ ") + " \\")
            continue
        spec = stripped.rstrip("\\").strip()
        requirement, _, marker = spec.partition(";")
        keep = not marker.strip() or Marker(marker.strip()).evaluate(WINDOWS)
        if keep:
            kept.append(requirement.strip() + " \\")
    # the last hash line of each requirement must not continue onto the next requirement
    return [line.rstrip(" \\") if i + 1 == len(kept) or not kept[i + 1].startswith("    ") else line
            for i, line in enumerate(kept)]


if __name__ == "__main__":
    print("\n".join(windows_requirements(sys.stdin.read().splitlines())))

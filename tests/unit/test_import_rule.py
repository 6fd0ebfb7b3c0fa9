"""The import rule of the design: which of our packages may import which, and core stays free of I/O libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "inspector"

# package -> our packages it may import: this table is the import rule. Top-level helper modules (paths,
# checklist_files, cli, exports) are the application shell and may import store/sync/reports; core may import none
# of them.
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "store": {"core", "store", "paths", "checklist_files", "rule_files"},
    "sync": {"core", "store", "sync", "paths", "storage_full"},
    "reports": {"core", "reports", "paths"},
    "server": {"core", "reports", "server", "paths", "checklist_files", "rule_files", "storage_full"},
    "ui": {"core", "store", "sync", "reports", "ui", "paths", "checklist_files", "rule_files", "cli", "storage_full",
           "exports"},
}
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "core": {"PySide6", "requests", "urllib3", "sqlite3", "sqlite_utils", "sqlalchemy", "fastapi", "httpx", "PIL",
             "keyring", "openpyxl", "reportlab", "pyqtgraph", "socket", "subprocess", "shutil"},
    "store": {"PySide6", "pyqtgraph", "fastapi", "sqlalchemy"},
    "sync": {"PySide6", "pyqtgraph", "fastapi", "sqlalchemy"},
    "reports": {"PySide6", "pyqtgraph", "fastapi", "sqlalchemy"},
    "server": {"PySide6", "pyqtgraph"},
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def package_files(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_design_allows(package: str) -> None:
    offences = []
    for path in package_files(package):
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "inspector" and len(parts) > 1 and parts[1] not in ALLOWED[package]:
                offences.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
            if parts[0] in FORBIDDEN_THIRD_PARTY.get(package, set()):
                offences.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offences == []


def test_core_files_exist_and_are_checked() -> None:
    assert len(package_files("core")) >= 6


def test_the_rule_catches_an_offending_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import PySide6.QtCore\nfrom inspector.store import db\n", encoding="utf-8")
    assert imported_modules(sample) == ["PySide6.QtCore", "inspector.store"]

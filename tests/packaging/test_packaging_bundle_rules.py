"""What the bundle leaves out: Qt files the app never loads go, what it uses stays, and no excluded module is one
the client imports."""

from __future__ import annotations

import ast
import shutil
import struct
import sys
from pathlib import Path

import bundle_rules
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/translations/qt_help_zh_CN.qm",
        "PySide6/Qt/translations/qtmultimedia_zh_CN.qm",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6\\plugins\\platforms\\qdirect2d.dll",
        "PySide6\\plugins\\sqldrivers\\qsqlite.dll",
        "PySide6\\translations\\qtbase_ja.qm",
        "resources/i18n/inspector_en.ts",
        "PySide6\\opengl32sw.dll",
        "numpy/_core/_simd.cpython-311-x86_64-linux-gnu.so",
        "numpy\\_core\\_umath_tests.cp311-win_amd64.pyd",
        "pyqtgraph/colors/maps/CET-C1.csv",
    ],
)
def test_files_the_app_never_loads_are_dropped(destination: str) -> None:
    assert bundle_rules.is_dropped(destination)


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/translations/qt_en.qm",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6\\plugins\\platforms\\qwindows.dll",
        "PySide6\\plugins\\platforms\\qoffscreen.dll",
        "PySide6\\plugins\\networkinformation\\qnetworklistmanager.dll",
        "PySide6\\plugins\\styles\\qmodernwindowsstyle.dll",
        "resources/i18n/inspector_en.qm",
        "resources/icons/app.svg",
        "checklists/beijie-xiaoxiang.yaml",
        "pi_heif.libs/libheif-e72ea93c.so.1.23.6",
        "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
        "numpy/_core/_multiarray_tests.cpython-311-x86_64-linux-gnu.so",
        "numpy.libs/libscipy_openblas64_-32a4b2a6.so",
        "numpy.libs\\libscipy_openblas64_-fb1711452d4d8cee9f276fd1449ee5c7.dll",
        "pyqtgraph/icons/auto.png",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",
    ],
)
def test_files_the_app_uses_are_kept(destination: str) -> None:
    assert not bundle_rules.is_dropped(destination)


def test_keep_filters_toc_entries() -> None:
    entries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/src/libqvnc.so", "BINARY"),
    ]
    assert bundle_rules.keep(entries) == entries[:1]


def client_imports() -> set[str]:
    """Every module name the client's code imports (everything under inspector/ except the server)."""
    names: set[str] = set()
    for path in (REPO_ROOT / "inspector").rglob("*.py"):
        if "server" in path.relative_to(REPO_ROOT / "inspector").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def excluded_but_imported(imported: set[str]) -> list[str]:
    return sorted(
        name
        for name in imported
        for excluded in bundle_rules.EXCLUDED_MODULES
        if name == excluded or name.startswith(excluded + ".")
    )


def test_no_excluded_module_is_imported_by_the_client() -> None:
    imported = client_imports()
    assert "PySide6.QtWidgets" in imported  # the scan sees the client's imports
    assert excluded_but_imported(imported) == []


def test_a_client_import_of_an_excluded_module_is_caught() -> None:
    imported = {"PySide6.QtPrintSupport", "PySide6.QtSvg", "inspector.server.app", "PIL.Image", "PIL.ImageCms"}
    assert excluded_but_imported(imported) == ["PIL.ImageCms", "PySide6.QtPrintSupport", "inspector.server.app"]


def test_the_charts_libraries_go_in_without_their_unused_parts() -> None:
    assert "pyqtgraph" in client_imports()  # the charts
    for name in ("numpy", "pyqtgraph", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"):  # pyqtgraph imports the Qt ones
        assert excluded_but_imported({name}) == [], name
    for name in ("pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "numpy._core.tests", "numpy.f2py"):
        assert excluded_but_imported({name}) == [name]


def qt_libraries_needed(modules: set[str]) -> set[str]:
    """The Qt libraries PySide6's bindings of these modules link against, directly or through other Qt libraries."""
    from PyInstaller.depend.bindepend import get_imports
    from PySide6 import __file__ as pyside_init

    root = Path(pyside_init).parent
    queue = [path for module in sorted(modules) for path in root.glob(f"{module}.*.so")]
    seen: set[str] = set()
    while queue:
        for name, _path in get_imports(str(queue.pop())):
            library = Path(name).name
            if library.startswith("libQt6") and library not in seen:
                seen.add(library)
                queue.extend((root / "Qt" / "lib").glob(library))
    return seen


def test_no_qt_module_the_client_imports_needs_qt_opengl() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads the Linux wheel's ELF libraries")
    modules = {name.split(".")[1] for name in client_imports() if name.startswith("PySide6.Qt")}
    assert {"QtCore", "QtGui", "QtWidgets", "QtSvg"} <= modules
    needed = qt_libraries_needed(modules)
    assert {"libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6"} <= needed  # the scan follows the links
    assert not [library for library in needed if "OpenGL" in library]
    assert "libQt6OpenGL.so.6" in qt_libraries_needed({"QtOpenGLWidgets"})  # and would see one


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0.0rc1", (2, 0, 0, 1)), ("3.1+local.7", (3, 1, 0, 0))],
)
def test_windows_file_version_has_four_numbers(version: str, expected: tuple[int, int, int, int]) -> None:
    assert bundle_rules.version_tuple(version) == expected


def test_windows_version_resource_names_the_version() -> None:
    pytest.importorskip("pefile", reason="PyInstaller's version-resource module needs pefile (installed on Windows)")
    text = str(bundle_rules.windows_version_info("Inspector", "0.1.0"))
    assert "filevers=(0, 1, 0, 0)" in text
    assert "StringStruct('ProductVersion', '0.1.0')" in text
    assert "StringStruct('OriginalFilename', 'Inspector.exe')" in text


def elf_library() -> Path:
    """A real shared library of the environment: pi-heif's libheif, which auditwheel rewrote with patchelf (the
    hash in its name) and which still carries a symbol table, so stripping it saves bytes."""
    import pi_heif

    libs = sorted((Path(pi_heif.__file__).parent.parent / "pi_heif.libs").glob("libheif*.so*"))
    if not sys.platform.startswith("linux") or not libs:
        pytest.skip("needs a Linux pi-heif wheel")
    return libs[0]


def test_loadable_segments_sees_a_misaligned_segment(tmp_path: Path) -> None:
    library = elf_library()
    assert bundle_rules.loadable_segments(library)
    data = bytearray(library.read_bytes())
    (table,) = struct.unpack_from("<Q", data, 0x20)
    entry_size, count = struct.unpack_from("<HH", data, 0x36)
    for index in range(count):
        at = table + index * entry_size
        if struct.unpack_from("<I", data, at)[0] == 1:  # the first PT_LOAD: move its file offset by one byte
            struct.pack_into("<Q", data, at + 8, struct.unpack_from("<Q", data, at + 8)[0] + 1)
            break
    broken = tmp_path / "broken.so"
    broken.write_bytes(bytes(data))
    assert not bundle_rules.loadable_segments(broken)


def test_stripped_binaries_only_use_copies_that_load(tmp_path: Path) -> None:
    if shutil.which("strip") is None:
        pytest.skip("needs strip (binutils)")
    import _decimal

    entries = [
        ("pi_heif.libs/" + elf_library().name, str(elf_library()), "BINARY"),
        ("python3.11/lib-dynload/" + Path(_decimal.__file__).name, _decimal.__file__, "EXTENSION"),
        ("resources/style/inspector.qss", str(REPO_ROOT / "resources/style/inspector.qss"), "DATA"),
    ]
    result, saved = bundle_rules.stripped_binaries(entries, tmp_path)
    assert [entry[0] for entry in result] == [entry[0] for entry in entries]
    assert result[2] == entries[2]  # data files are left alone
    for (_destination, source, _kind), original in zip(result, entries, strict=True):
        assert bundle_rules.loadable_segments(Path(source))
        assert Path(source).stat().st_size <= Path(original[1]).stat().st_size
    sizes = [Path(o[1]).stat().st_size - Path(r[1]).stat().st_size for r, o in zip(result, entries, strict=True)]
    assert saved == sum(sizes)
    assert sizes[0] > 0  # libheif's symbol table went: the stripped copy is the one used

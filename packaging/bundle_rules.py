"""What the frozen desktop client leaves out, and why: read by build.spec, checked by the packaging tests.

PyInstaller's hooks collect a Qt module's libraries, plugins and translations only when the module is imported, so
most of the work is keeping unused modules from being imported at analysis time (`EXCLUDED_MODULES`); `keep()`
then drops the files that the hooks still bring but the app never loads.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The server and the libraries only it uses (the client talks HTTP with requests).
SERVER = [
    "inspector.server",
    "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "mako", "psycopg", "psycopg_binary", "psycopg_c",
    "psycopg2", "argon2", "_argon2_cffi_bindings", "multipart", "python_multipart", "pydantic", "pydantic_core",
    "anyio", "sniffio", "h11", "httpcore", "httpx", "httptools", "uvloop", "watchfiles", "websockets",
    "email_validator", "annotated_types", "greenlet",
]
# Test and development tools, and the parts of libraries that only serve them (or an interactive prompt).
TOOLS = [
    "pytest", "_pytest", "pytestqt", "pytest_timeout", "iniconfig", "hypothesis", "mypy", "mypyc",
    "ruff", "PyInstaller", "setuptools", "pkg_resources", "pip", "tkinter", "_tkinter", "unittest", "pydoc_data",
    "readline", "PIL.ImageTk", "PIL._imagingtk",
]
# Only PySide6 is used; the Qt hooks would otherwise look for the others.
OTHER_QT_BINDINGS = ["PyQt5", "PyQt6", "PySide2", "shiboken2", "sip"]
# Qt modules the app does not use (it uses QtCore, QtGui, QtWidgets, QtSvg and QtNetwork's QNetworkInformation, and
# pyqtgraph for the statistics charts uses QtOpenGL and QtOpenGLWidgets: its curve item imports them unconditionally,
# though the charts never draw with OpenGL). pyqtgraph also tries QtTest, and goes on without it.
UNUSED_QT_MODULES = [
    f"PySide6.{name}"
    for name in (
        "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuick3D", "Qt3DCore", "Qt3DRender",
        "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras", "QtWebEngineCore", "QtWebEngineWidgets",
        "QtWebEngineQuick", "QtWebChannel", "QtWebSockets", "QtHttpServer", "QtMultimedia", "QtMultimediaWidgets",
        "QtSpatialAudio", "QtTextToSpeech", "QtPdf", "QtPdfWidgets", "QtCharts", "QtDataVisualization", "QtGraphs",
        "QtGraphsWidgets", "QtSql", "QtTest", "QtDesigner", "QtHelp", "QtUiTools",
        "QtXml", "QtDBus", "QtConcurrent", "QtPrintSupport", "QtBluetooth", "QtNfc", "QtPositioning",
        "QtLocation", "QtSensors", "QtSerialPort", "QtSerialBus", "QtRemoteObjects", "QtScxml", "QtStateMachine",
        "QtNetworkAuth", "QtAxContainer", "QtSvgWidgets",
    )
]
# The parts of pyqtgraph the charts do not use: 3D plots (with PyOpenGL), the examples, Jupyter widgets, flowcharts,
# the Python console, canvas, dock areas and the OpenGL information tool (which starts its own QGuiApplication);
# numpy's tests, its Fortran wrapper generator and build tools.
UNUSED_CHART_PARTS = [
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "pyqtgraph.flowchart", "pyqtgraph.console",
    "pyqtgraph.canvas", "pyqtgraph.dockarea", "pyqtgraph.util.glinfo", "OpenGL", "jupyter_rfb",
    "numpy.tests", "numpy._core.tests", "numpy.lib.tests", "numpy.linalg.tests", "numpy.ma.tests", "numpy.fft.tests",
    "numpy.random.tests", "numpy.polynomial.tests", "numpy.typing.tests", "numpy.f2py", "numpy.distutils",
    "numpy._pyinstaller",
]
# Linux only (Windows has none of these installed): the Secret Service keyring client and the 11 MB cryptography
# library it needs. Without them the Linux bundle keeps the sync token in memory only, the designed fallback when
# no secure keyring exists; the Windows bundle uses the Windows Credential Manager backend, which needs neither.
LINUX_SECRET_SERVICE = ["secretstorage", "cryptography", "jeepney", "_cffi_backend", "cffi"]
# Pillow's AVIF codec (its own 5 MB library): the photo pipeline accepts JPEG, PNG, HEIF and WebP only. Colour
# management (LittleCMS): photos keep their ICC profile as bytes, nothing converts between profiles.
UNUSED_IMAGE_CODECS = ["PIL._avif", "PIL.AvifImagePlugin", "PIL.ImageCms", "PIL._imagingcms"]

EXCLUDED_MODULES: list[str] = (
    SERVER + TOOLS + OTHER_QT_BINDINGS + UNUSED_QT_MODULES + UNUSED_CHART_PARTS + UNUSED_IMAGE_CODECS
    + LINUX_SECRET_SERVICE
)

# Qt's own translations: only Qt's base strings (standard dialogs) in the languages of the interface.
KEPT_QT_TRANSLATIONS = ("qt", "qtbase")
KEPT_QT_LANGUAGES = ("zh_CN", "en")
# Qt plugin folders the app never loads: printing, SQL drivers, QML tooling, Wayland and EGL/GL integrations
# (the Linux bundle runs on xcb, also under XWayland, or offscreen; the app draws no OpenGL), TLS backends (HTTPS
# goes through requests), touch input of embedded devices, vector image formats (QtQuick only).
DROPPED_PLUGIN_FOLDERS = (
    "printsupport", "sqldrivers", "qmltooling", "designer", "tls", "egldeviceintegrations",
    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-graphics-integration-server",
    "wayland-shell-integration", "vectorimageformats", "generic", "xcbglintegrations",
)
# Single plugins the app never loads, by folder. Platforms: the app runs on Windows, xcb or (self-test) offscreen,
# not on Wayland directly, bare framebuffers or VNC. Image formats: photos go through Pillow; Qt draws only the SVG
# icons and PNG/JPEG (built in). Themes: GTK's needs GTK 3 itself, which the bundle does not carry. Network
# information: NetworkManager (Linux) and the Windows list manager answer online/offline; the others duplicate it.
DROPPED_PLUGINS: dict[str, tuple[str, ...]] = {
    "platforms": ("qwayland", "qeglfs", "qlinuxfb", "qminimal", "qminimalegl", "qvkkhrdisplay", "qvnc", "qdirect2d"),
    "imageformats": ("qtga", "qtiff", "qwbmp", "qwebp", "qicns", "qpdf"),
    "platformthemes": ("qgtk3",),
    "networkinformation": ("qglib", "qconnman"),
}

# Windows: Qt's software OpenGL renderer (20 MB), a fallback for OpenGL drawing, which the app does not do.
DROPPED_QT_FILES = ("opengl32sw.dll",)

# numpy's extension modules that only its tests load (numpy's PyInstaller hook collects every library in the
# package; `_multiarray_tests` stays, the hook names it as needed), and pyqtgraph's colour maps, which the charts'
# fixed palette does not use.
_NUMPY_TEST_LIBRARY = re.compile(
    r"^numpy[/\\]_core[/\\]_(simd|umath_tests|rational_tests|struct_ufunc_tests|operand_flag_tests)\.[^/\\]+$"
)
_PYQTGRAPH_COLOUR_MAPS = re.compile(r"^pyqtgraph[/\\]colors[/\\]maps[/\\]")

_QT_TRANSLATION = re.compile(r"[/\\]translations[/\\](?P<base>[a-z_]+?)_(?P<lang>[a-z]{2}(?:_[A-Z]{2})?)\.qm$")
_PLUGIN = re.compile(r"[/\\]plugins[/\\](?P<folder>[^/\\]+)[/\\](?:lib)?(?P<name>[^/\\.]+)")


def is_dropped(destination: str) -> bool:
    """Whether a collected file (by its path inside the bundle) is one the app never uses."""
    path = destination.replace("\\", "/")
    if "/Qt/" in path or path.startswith("PySide6/"):
        if path.rsplit("/", 1)[-1].lower() in DROPPED_QT_FILES:
            return True
        translation = _QT_TRANSLATION.search(path)
        if translation:
            base, language = translation.group("base"), translation.group("lang")
            return base not in KEPT_QT_TRANSLATIONS or language not in KEPT_QT_LANGUAGES
        plugin = _PLUGIN.search(path)
        if plugin:
            folder, name = plugin.group("folder"), plugin.group("name")
            return folder in DROPPED_PLUGIN_FOLDERS or name in DROPPED_PLUGINS.get(folder, ())
    if _NUMPY_TEST_LIBRARY.match(path) or _PYQTGRAPH_COLOUR_MAPS.match(path):
        return True
    return path.startswith("resources/") and path.endswith(".ts")  # sources: the app loads the compiled .qm


def keep(entries: Iterable[Any]) -> list[Any]:
    """The TOC entries (destination name first) without the files `is_dropped` names."""
    return [entry for entry in entries if not is_dropped(str(entry[0]))]


def keep_binaries(entries: Iterable[Any]) -> tuple[list[Any], list[str]]:
    """The binaries without the dropped ones and without the libraries only they needed (e.g. the GTK theme's
    cairo and GLib); also returns the names of those orphaned libraries."""
    entries = list(entries)
    kept = keep(entries)
    dropped = [entry for entry in entries if is_dropped(str(entry[0]))]
    by_name = {_library_name(entry): entry for entry in kept}
    candidates = _needed_closure(dropped, by_name) & by_name.keys()
    roots = [entry for entry in kept if _library_name(entry) not in candidates]
    orphans = candidates - _needed_closure(roots, by_name)
    return [entry for entry in kept if _library_name(entry) not in orphans], sorted(orphans)


def _library_name(entry: Any) -> str:
    return str(entry[0]).replace("\\", "/").rsplit("/", 1)[-1].lower()


def _needed_closure(start: Iterable[Any], by_name: dict[str, Any]) -> set[str]:
    """The names of every library the start binaries link against, directly or through bundled libraries."""
    from PyInstaller.depend.bindepend import get_imports

    seen: set[str] = set()
    queue = list(start)
    while queue:
        entry = queue.pop()
        try:
            imports = get_imports(entry[1])
        except Exception:  # not a binary PyInstaller can read: it links nothing
            imports = []
        for name, _path in imports:
            library = str(name).replace("\\", "/").rsplit("/", 1)[-1].lower()
            if library not in seen:
                seen.add(library)
                if library in by_name:
                    queue.append(by_name[library])
    return seen


def stripped_binaries(entries: Iterable[Any], workdir: Path) -> tuple[list[Any], int]:
    """Linux: the binaries with their symbol tables and debug information removed by `strip`, each copy checked.

    PyInstaller's own `strip=True` breaks libraries that auditwheel rewrote with patchelf (it broke numpy's
    OpenBLAS: "ELF load command address/offset not page-aligned"), so every stripped copy is checked the way the
    loader checks it and the original is kept when the copy would not load. Returns the entries and the bytes saved."""
    entries = list(entries)
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return entries, 0
    result, saved = [], 0
    for destination, source, kind in entries:
        copy = workdir / destination
        if kind in ("BINARY", "EXTENSION") and _strip_copy(Path(source), copy):
            saved += Path(source).stat().st_size - copy.stat().st_size
            result.append((destination, str(copy), kind))
        else:
            result.append((destination, source, kind))
    return result, saved


def _strip_copy(source: Path, copy: Path) -> bool:
    """Write a stripped copy of an ELF file; True when it is smaller and its segments still load."""
    if not _is_elf(source):
        return False
    if not copy.is_file() or copy.stat().st_mtime < source.stat().st_mtime:
        copy.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["strip", "-o", str(copy), str(source)], capture_output=True)
        if done.returncode != 0:
            return False
    return copy.stat().st_size < source.stat().st_size and loadable_segments(copy)


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def loadable_segments(path: Path) -> bool:
    """Whether every loadable segment of a 64-bit little-endian ELF file is aligned as the dynamic loader demands
    ((virtual address - file offset) a multiple of the segment's alignment). Other ELF kinds are not judged: True."""
    with path.open("rb") as file:
        header = file.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return True
        (table_offset,) = struct.unpack_from("<Q", header, 0x20)
        entry_size, count = struct.unpack_from("<HH", header, 0x36)
        file.seek(table_offset)
        table = file.read(entry_size * count)
    for index in range(count):
        kind, _flags, offset, address, _physical, _size, _memory, align = struct.unpack_from(
            "<IIQQQQQQ", table, index * entry_size
        )
        if kind == 1 and align > 1 and (address - offset) % align:  # PT_LOAD
            return False
    return True


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """A Windows file version (four numbers) from a package version such as 0.1.0 or 1.2.0rc1."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4]]
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def windows_version_info(app_name: str, version: str) -> Any:
    """The version resource of the Windows executable (shown in its Properties and read by the installer script)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = version_tuple(version)
    strings = [
        vi.StringStruct("CompanyName", app_name),
        vi.StringStruct("FileDescription", "巡查 Inspector"),
        vi.StringStruct("FileVersion", version),
        vi.StringStruct("InternalName", app_name),
        vi.StringStruct("OriginalFilename", f"{app_name}.exe"),
        vi.StringStruct("ProductName", "巡查 Inspector"),
        vi.StringStruct("ProductVersion", version),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo([vi.StringTable("080404B0", strings)]),  # Simplified Chinese, Unicode
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0804, 1200])]),
        ],
    )

"""Writes THIRD-PARTY-NOTICES.txt for the bundle: each Python distribution whose code the bundle carries, with
its version, licence and the licence files its wheel ships, plus Python's own licence and the LGPL/GPL texts Qt
and libheif are under. build.spec calls it with the modules PyInstaller collected.

Run alone (for a look): .venv/bin/python packaging/notices.py OUT.txt module [module ...]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

LICENCE_WORDS = ("LICEN", "COPYING", "NOTICE", "AUTHORS")
HERE = Path(__file__).resolve().parent
# Full texts for distributions whose wheels name a licence without shipping its text (Qt for Python: LGPL-3.0).
SHARED_TEXTS = (("GNU Lesser General Public License 3.0", HERE / "licenses" / "LGPL-3.0.txt"),
                ("GNU General Public License 3.0 (which the LGPL 3.0 builds on)", HERE / "licenses" / "GPL-3.0.txt"))
RULE = "=" * 100


def distributions_of(modules: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions that provide these (dotted) module names, each once, sorted by name."""
    providers = metadata.packages_distributions()
    names = {name for module in modules for name in providers.get(module.split(".")[0], [])} - {"inspector"}
    found = {}
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[dist.metadata["Name"].lower()] = dist
    return [found[key] for key in sorted(found)]


def licence_of(dist: metadata.Distribution) -> str:
    """The licence the metadata declares: the SPDX expression, else the License field, else the classifiers."""
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    field = (meta.get("License") or "").strip()
    if field and len(field) < 200:
        return field
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return "; ".join(classifiers) or (field.splitlines()[0] if field else "see the licence files below")


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(relative path, text) of each licence-like file the distribution installed."""
    texts = []
    for file in dist.files or []:
        licence_like = any(word in file.name.upper() for word in LICENCE_WORDS)
        if licence_like and file.suffix.lower() in ("", ".txt", ".md", ".rst"):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                texts.append((str(file), path.read_text(encoding="utf-8", errors="replace")))
    return texts


def python_licence() -> str | None:
    """The running Python's LICENSE.txt (python.org builds have it beside the executable or the stdlib)."""
    for folder in (Path(sys.base_prefix), Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}."
                   f"{sys.version_info[1]}"):  # fmt: skip
        for name in ("LICENSE.txt", "LICENSE"):
            if (folder / name).is_file():
                return (folder / name).read_text(encoding="utf-8", errors="replace")
    return None


def notices(modules: Iterable[str], extra: Iterable[tuple[str, Path]] = ()) -> str:
    """The whole notices text."""
    dists = distributions_of(modules)
    parts = ["Inspector includes the following third-party software. Each is used under the licence named here;",
             "the licence texts follow. The source code of the LGPL-licensed libraries (Qt for Python / Qt 6,",
             "libheif, libde265) is available from their projects, and you may replace those libraries in the",
             "installed program folder with your own builds.", "", "Summary:", ""]
    parts += [f"  {d.metadata['Name']} {d.version}: {licence_of(d)}" for d in dists]
    parts.append(f"  Python {sys.version.split()[0]}: PSF-2.0")
    for dist in dists:
        parts += ["", RULE, f"{dist.metadata['Name']} {dist.version} — {licence_of(dist)}", RULE]
        home = dist.metadata.get("Home-page") or next(
            (url.split(",", 1)[1].strip() for url in dist.metadata.get_all("Project-URL") or []), "")
        if home:
            parts.append(f"Project: {home}")
        files = licence_files(dist)
        for name, text in files:
            parts += ["", f"--- {name}", text.rstrip()]
        if not files:
            parts.append("(the package ships no licence file; its licence is named above, texts at the end)")
    text = python_licence()
    if text:
        parts += ["", RULE, f"Python {sys.version.split()[0]} — PSF-2.0", RULE, text.rstrip()]
    for title, path in (*extra, *SHARED_TEXTS):
        if path.is_file():
            parts += ["", RULE, title, RULE, path.read_text(encoding="utf-8", errors="replace").rstrip()]
    return "\n".join(parts) + "\n"


def write_notices(out: Path, modules: Iterable[str], extra: Iterable[tuple[str, Path]] = ()) -> Path:
    """Write the notices as UTF-8 with a byte-order mark (Notepad on older Windows shows Chinese then too)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notices(modules, extra), encoding="utf-8-sig", newline="\r\n")
    return out


if __name__ == "__main__":
    print(write_notices(Path(sys.argv[1]), sys.argv[2:]))

"""Start-up speed: import sqlite-utils without its optional numpy support, which alone costs ~0.25 s.

sqlite-utils imports numpy when it is installed (pyqtgraph, which draws the statistics charts, brings it) only to map
numpy scalar types to column types in its insert helpers; the store writes plain Python values with SQL, so the app
never needs that mapping. numpy itself stays importable: the statistics page imports it with pyqtgraph.
"""

from __future__ import annotations

import sys


def import_sqlite_utils_without_numpy() -> None:
    """Import sqlite_utils with `import numpy` failing for the moment; no effect if either is already loaded."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` raise ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del sys.modules["numpy"]

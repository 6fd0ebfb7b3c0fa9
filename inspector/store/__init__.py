"""Client storage: the local SQLite database, migrations, repositories, outbox and the photo store.

sqlite-utils is imported here, before any store module, with numpy hidden for that moment: sqlite-utils imports numpy
whenever it is installed (pyqtgraph, which draws the statistics charts, brings it) only to map numpy scalar types to
column types in its insert helpers, and that import costs about 0.25 s of the app's start-up. The store writes plain
Python values, so it never needs the mapping; numpy itself stays importable (the charts import it with pyqtgraph).
"""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_numpy() -> None:
    """Import sqlite_utils with `import numpy` failing for the moment; no effect if either is already loaded."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` raise ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del sys.modules["numpy"]


_import_sqlite_utils_without_numpy()

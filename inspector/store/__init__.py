"""Client storage: the local SQLite database, migrations, repositories, outbox and the photo store.

sqlite-utils imports numpy whenever it is installed (pyqtgraph, which draws the statistics charts, brings it), only
to map numpy scalar types to column types in its insert helpers, and that import costs about 0.25 s. The store
writes plain Python values and never needs the mapping, so when `sqlite_utils.db` is first imported — by whichever
store module comes first, not by this package, so that the window's first frame pays for neither — it runs with
`import numpy` failing for that moment; numpy itself stays importable (the charts import it with pyqtgraph).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType


class _WithoutNumpy(importlib.abc.Loader):
    """Runs a module's code with `import numpy` failing (unless numpy is already loaded), then forgets the block."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if "numpy" in sys.modules:
            self.loader.exec_module(module)
            return
        sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` raise ImportError
        try:
            self.loader.exec_module(module)
        finally:
            del sys.modules["numpy"]


class _SqliteUtilsWithoutNumpy(importlib.abc.MetaPathFinder):
    """Finds `sqlite_utils.db` as the other finders do, with its loader wrapped in _WithoutNumpy; used once."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "sqlite_utils.db":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)  # type: ignore[arg-type]
        if spec is not None and spec.loader is not None:
            spec.loader = _WithoutNumpy(spec.loader)
        return spec


if "sqlite_utils.db" not in sys.modules and not any(isinstance(f, _SqliteUtilsWithoutNumpy) for f in sys.meta_path):
    sys.meta_path.insert(0, _SqliteUtilsWithoutNumpy())

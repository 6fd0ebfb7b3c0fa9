"""No import cycle anywhere in `inspector/`: the graph of imports between its modules, counting imports made inside
functions (a late import hides a cycle, it does not remove it), has no strongly connected part of two or more."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import inspector

ROOT = Path(inspector.__file__).parent


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The modules of `modules` that a file imports anywhere in its body (relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets: Iterable[str] = (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a.b import c`: the module a.b.c, or the name c of module a.b
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    modules = set(files)
    return {name: imported_modules(path, modules, root) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected part of the graph (Tarjan's algorithm), as module names, the first
    repeated at the end."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.add(member)
                if member == node:
                    break
            if len(part) > 1:
                parts.append(part)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_a_cycle(graph, part) for part in parts]


def _a_cycle(graph: dict[str, set[str]], part: set[str]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected part (breadth-first within the part)."""
    start = min(part)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & part):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError("a strongly connected part always has a cycle")


def test_inspector_has_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles in inspector/:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_check_sees_cycles_through_late_imports(tmp_path: Path) -> None:
    """The check can fail: a package whose modules import each other, one of them inside a function, and a
    relative import closing a second loop."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    for init in (package / "__init__.py", package / "sub" / "__init__.py"):
        init.write_text('"""Package."""\n')
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def late():\n    from pkg.sub import c\n")
    (package / "sub" / "c.py").write_text("import pkg.a\n")
    (package / "sub" / "d.py").write_text("from . import f\n")
    (package / "sub" / "f.py").write_text("from .d import thing\n")
    (package / "e.py").write_text("from pkg import a\n")
    graph = import_graph(package)
    assert graph["pkg.b"] == {"pkg.sub.c"}
    assert graph["pkg.sub.f"] == {"pkg.sub.d"}
    found = sorted(cycles(graph))
    assert found == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"], ["pkg.sub.d", "pkg.sub.f", "pkg.sub.d"]]

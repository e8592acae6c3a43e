"""The shape of the code stays true: no import cycle, no module over 500 lines, and every
widget or screen that runs workers reports their failures the same way."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import momentum_tui
from momentum_tui.worker_errors import ReportsWorkerErrors

PACKAGE = Path(momentum_tui.__file__).parent
MAX_LINES = 500
BEING_SPLIT = {"momentum_tui.youtube.sync", "momentum_tui.commands.ai"}
"""Modules over the limit whose split is under way in parallel (issue 10: the sync engine,
the `ai` commands). Nothing else may join this set; drop a name once its split lands."""


def modules() -> dict[str, Path]:
    """Every module of momentum_tui by dotted name (packages by their __init__)."""
    found = {"momentum_tui": PACKAGE / "__init__.py"}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="momentum_tui."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None
        found[info.name] = Path(spec.origin)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads: at the top, in class bodies, under `if`/`try` —
    not inside functions, and not under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for part in (node.body, node.orelse, node.finalbody):
                    visit(part)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.ClassDef | ast.With):
                visit(node.body)

    visit(tree.body)
    return found


def _with_parents(name: str) -> list[str]:
    """Importing a.b.c runs a, a.b and a.b.c."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def import_graph() -> dict[str, set[str]]:
    """Module → the momentum_tui modules it loads at import time."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    package = name if is_package else name.rsplit(".", 1)[0]
                    for _ in range(node.level - 1):
                        package = package.rsplit(".", 1)[0]
                    base = f"{package}.{base}" if base else package
                targets = [base]
                targets += [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                edges.update(t for t in _with_parents(target) if t in known)
        edges.discard(name)
        # A package's own __init__ is loaded before its modules: not an edge back to it.
        graph[name] = {e for e in edges if not name.startswith(e + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse(
        "import x\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import y\n"
        "def f():\n    import z\nclass C:\n    import w\n"
    )
    names = [alias.name for node in module_level_imports(tree) for alias in node.names]
    assert names == ["x", "TYPE_CHECKING", "w"]


def test_no_import_cycle_in_momentum_tui() -> None:
    graph = import_graph()
    assert "momentum_tui.screens.feed" in graph["momentum_tui.app"]  # the graph is real
    assert cycles(graph) == []


def test_no_module_over_500_lines() -> None:
    long = {
        name: count
        for name, path in modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and name not in BEING_SPLIT
    }
    assert long == {}


def _runs_workers(cls: type) -> bool:
    """A class whose own body has a method decorated with `@work(…)`."""
    source = inspect.getsource(cls)
    tree = ast.parse(source.lstrip() if source[0].isspace() else source)
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    for node in body.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Name) and call.id == "work":
                    return True
    return False


def test_every_node_that_runs_workers_reports_their_failures() -> None:
    from textual.dom import DOMNode

    running: list[str] = []
    silent: list[str] = []
    for name in modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, DOMNode) or not _runs_workers(cls):
                continue
            running.append(cls.__qualname__)
            # Worker.StateChanged doesn't bubble: the class itself must turn it into a sentence.
            if not issubclass(cls, ReportsWorkerErrors):
                silent.append(f"{name}.{cls.__qualname__}")
    assert {"RulesScreen", "ChannelsScreen", "FeedScreen", "ForYouTab"} <= set(running)
    assert silent == []

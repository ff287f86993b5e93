"""The import graph: data flows one way (workbook -> validated data -> model -> solution ->
plan), so `models` never imports `planner`, and no package imports itself in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("planner", "models")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (at any depth of the file, lazy ones too)."""
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import submodule` imports the submodule; other names come from
                # the module itself
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = [t for t in subs if t in modules]
                if len(targets) < len(subs):
                    targets.append(node.module)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_models_never_import_planner():
    graph = import_graph()
    wrong = {
        m: sorted(t for t in ts if t.startswith("planner"))
        for m, ts in graph.items()
        if m.startswith("models")
    }
    assert not {m: ts for m, ts in wrong.items() if ts}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    assert _cycles(import_graph()) == []


# The layers data flow through, lowest first: a module imports only from its own layer or
# lower ones (workbook -> validated data -> model -> solution -> plan -> analyses -> files).
LAYERS = (
    ("models",),
    ("planner.io",),
    ("planner.results",),
    ("planner.solve",),
    ("planner.analysis",),
    ("planner.export",),
    ("planner.api", "planner.cli"),
)


def layer_of(module: str) -> int:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def test_every_module_has_a_layer():
    for module in import_graph():
        if module not in ("planner", "models"):
            layer_of(module)


def _upward(graph: dict[str, set[str]]) -> dict[str, list[str]]:
    """module -> the modules of higher layers it imports (package __init__s aside)."""
    found = {
        module: sorted(t for t in targets if t not in PACKAGES and layer_of(t) > layer_of(module))
        for module, targets in graph.items()
        if module not in PACKAGES
    }
    return {m: ts for m, ts in found.items() if ts}


def test_imports_only_go_down_the_layers():
    assert _upward(import_graph()) == {}


def test_the_layer_check_sees_an_upward_import():
    graph = {
        "planner.results.tables": {"planner.solve.highs", "models.index"},
        "planner.solve.highs": {"planner.results.plan"},
        "planner.results.plan": set(),
    }
    assert _upward(graph) == {"planner.results.tables": ["planner.solve.highs"]}


def test_only_the_highs_module_talks_to_highspy():
    """All HiGHS handling is behind planner/solve/highs.py's HighsModel."""
    users = []
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n.split(".")[0] == "highspy" for n in names):
                    users.append(_module_name(path))
    assert sorted(set(users)) == ["planner.solve.highs"]


def test_the_readme_layout_names_every_module():
    """README's Layout section lists every module of planner/ and models/."""
    text = (ROOT / "README.md").read_text()
    layout = text[text.index("## Layout") :]
    layout = layout[: layout.index("```", layout.index("```") + 3)]
    missing = [
        str(path.relative_to(ROOT))
        for pkg in PACKAGES
        for path in (ROOT / pkg).rglob("*.py")
        if path.name != "__init__.py" and path.name not in layout
    ]
    assert missing == []


def test_every_package_is_installed():
    """pyproject's package list covers every sub-package (a plain `pip install .` ships them)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for pkg in PACKAGES
        for init in (ROOT / pkg).rglob("__init__.py")
    }
    assert {"planner.io", "planner.solve", "models"} <= packages
    missing = [p for p in packages if not any(fnmatch.fnmatch(p, pattern) for pattern in include)]
    assert missing == []

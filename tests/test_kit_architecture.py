"""The package's folders are its layers, and imports only point down.

paths (a leaf) <- domain <- widgets, teaching <- serving. Every import statement counts,
including the ones inside functions: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aiopen"
MAY_IMPORT = {  # layer -> the layers its modules may import
    "paths": set(),
    "domain": {"paths", "domain"},
    "widgets": {"paths", "domain", "widgets"},
    "teaching": {"paths", "domain", "teaching"},
    "serving": {"paths", "domain", "widgets", "serving"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports(path: Path, modules: set[str]) -> set[str]:
    """The kit's modules that ``path`` imports (``from pkg import module`` names the module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("aiopen")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aiopen"):
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names}
    return found


@lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports(path, set(files)) - {name} for name, path in files.items()}


def test_the_graph_is_read():
    edges = graph()
    assert "aiopen.domain.data" in edges["aiopen.domain.openness"]
    assert "aiopen.serving.publish" in edges["aiopen.serving.export"]
    assert {layer(m) for m in edges} == {None, *MAY_IMPORT}


@pytest.mark.parametrize("importer", sorted(graph()))
def test_imports_point_down(importer):
    here = layer(importer)
    if here is None:  # aiopen/__init__.py
        assert not graph()[importer]
        return
    wrong = {target for target in graph()[importer] if layer(target) not in MAY_IMPORT[here]}
    assert not wrong, f"{importer} ({here}) imports {sorted(wrong)}: only {sorted(MAY_IMPORT[here])} are below it"


def find_circle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``edges`` (module -> modules it imports), or ``None``."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target in edges and target not in state:
                circle = visit(target, path + [target])
                if circle:
                    return circle
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state:
            circle = visit(module, [module])
            if circle:
                return circle
    return None


def test_the_circle_finder_finds_circles():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle():
    circle = find_circle(graph())
    assert circle is None, "import circle: " + " -> ".join(circle or [])

"""Views lay figures out; they do not compute them.

Every number a view shows (a cost per million tokens, an energy, a ratio, a caption's
figures) comes from a pure function of the domain layer, so an export, an exercise or
any other front end gets the same numbers without a widget. This test reads the source
of ``aiopen/widgets/`` and fails on arithmetic outside a short list of layout functions.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

WIDGETS = Path(__file__).resolve().parents[1] / "aiopen" / "widgets"
OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)
NUMERIC_BUILTINS = {"sum", "min", "max", "abs", "round", "pow", "divmod"}
NUMERIC_MODULES = {"math", "np", "numpy", "statistics"}
LAYOUT = {  # (module, function) -> the layout it computes: geometry, never a figure a viewer reads
    ("common.py", "discrete_colorscale"): "where each colour band of a heatmap starts and ends on plotly's 0..1 scale",
    ("common.py", "padded_range"): "how far an axis reaches past its longest bar, so a label fits",
    ("common.py", "log_slider_range"): "the values a log slider's exponents reach, to hold its range in the kernel",
    ("openness.py", "_class_bands"): "where the heatmap's class separators and titles sit between columns",
}


def _text_or_sequence(node: ast.AST) -> bool:
    """A string, sequence or set literal (or a choice between two): ``+`` joins it, ``*`` repeats
    it, ``%`` formats it, ``-`` takes a set from a set."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.IfExp):
        return _text_or_sequence(node.body) and _text_or_sequence(node.orelse)
    return isinstance(node, (ast.JoinedStr, ast.List, ast.Tuple, ast.ListComp, ast.Set, ast.SetComp))


def arithmetic(source: str) -> list[tuple[str, int, str]]:
    """Arithmetic on numbers in ``source``: ``(enclosing function, line, code)`` for each."""
    tree = ast.parse(textwrap.dedent(source))
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        flagged = (
            isinstance(node, ast.BinOp) and isinstance(node.op, OPERATORS) and not (_text_or_sequence(node.left) or _text_or_sequence(node.right))
            or isinstance(node, ast.AugAssign) and isinstance(node.op, OPERATORS) and not _text_or_sequence(node.value)
            or isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and not isinstance(node.operand, ast.Constant)
            or isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NUMERIC_BUILTINS
            or isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            and node.func.value.id in NUMERIC_MODULES
        )
        if flagged:
            found.append((function, node.lineno, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


MUST_FLAG = [
    "gb = weights / 1e9",
    "label = f'{value / limit:.3g}'",
    "total = a * b",
    "width = FIGURE_WIDTH + 20",
    "count += 1",
    "share = done // required",
    "rest = n % 7",
    "mib = 2 ** 20",
    "gap = -value",
    "n = sum(k == kind for k in kinds)",
    "top = max(memory, total)",
    "low = min(xs)",
    "x = round(v, 2)",
    "y = math.log10(v)",
    "z = np.where(kept, probs, 0.0)",
]
MUST_NOT_FLAG = [
    "text = 'a' + name",
    "text = name + ' b'",
    "text = f'{x:,.0f} GB'",
    "text = 'missing: ' + ', '.join(own)",
    "rows = [a] + rest",
    "line_x += [*pair, None]",
    "pair = (a,) + rest",
    "text = '%s GB' % x",
    "colours = ['red'] * len(results)",
    "step = -1",
    "size = len(items)",
    "head = items[:6]",
    "big = a > b",
    "order = sorted(names, key=str.casefold)",
    "labels = [*names, 'overall']",
    "label = c.short_label + (' (optional)' if c.optional else '')",
    "others = set(totals[d]) - {latest}",
]


@pytest.mark.parametrize("code", MUST_FLAG)
def test_the_scan_flags_arithmetic(code):
    assert arithmetic(code), code


@pytest.mark.parametrize("code", MUST_NOT_FLAG)
def test_the_scan_leaves_text_and_sequences_alone(code):
    assert not arithmetic(code), code


def test_the_scan_names_the_enclosing_function():
    source = """
        def draw(self):
            return self.total / 1e9
    """
    assert arithmetic(source) == [("draw", 3, "self.total / 1000000000.0")]


@pytest.mark.parametrize("path", sorted(WIDGETS.glob("*.py")), ids=lambda p: p.name)
def test_views_do_no_arithmetic_outside_layout(path):
    found = [(function, line, code) for function, line, code in arithmetic(path.read_text(encoding="utf-8"))
             if (path.name, function) not in LAYOUT]
    assert not found, (
        f"{path.name} computes numbers a domain function should own (aiopen/domain/...): "
        + "; ".join(f"line {line} in {function}: {code}" for function, line, code in found)
    )


def test_every_layout_exception_is_still_needed():
    for (module, function), why in LAYOUT.items():
        source = (WIDGETS / module).read_text(encoding="utf-8")
        assert any(name == function for name, _, _ in arithmetic(source)), f"{module}:{function} ({why}) no longer computes: drop it from LAYOUT"

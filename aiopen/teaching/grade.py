"""Grade a learner's exercise notebook: the learner's kernel only produces answers; this process judges.

    python -m aiopen.teaching.grade exercises/02_sampling.ipynb [--json]

The trust boundary, deliberately:

* The notebook runs in a fresh kernel inside :class:`aiopen.teaching.sandbox.Sandbox`: a new
  temporary folder, no access to ``solutions/`` or to other submissions where the
  machine allows namespaces, rlimits on memory and CPU, its own process and network
  namespaces, standard streams that are not this process's, and every process it
  starts killed afterwards.
* The grader never trusts what the kernel *says about* its grade. Right after the cell
  that calls ``check("qN")`` (found in the notebook's syntax tree, so a call inside a
  comment or a string does not count), and at the end for questions left unchecked,
  it sends the kernel a request: the source of ``aiopen.teaching.answers`` (run in a fresh
  namespace, so a notebook that patched ``aiopen.*`` changes nothing) and the names
  to read or the learner's functions to call, on inputs drawn from a secret seed the
  notebook cannot know. The kernel answers with plain, typed data on one display
  message; this process validates its shape and size and judges it with the kit's
  reference functions (``aiopen.teaching.feedback.judge``, the same code ``check()`` uses).
  Nothing the kernel prints, no IPython hook and no write to this process's streams
  can change a verdict.
* Tampering is looked for and named: code that reaches into the grading modules,
  installs IPython hooks or reaches outside its kernel (read from the notebook's syntax
  tree), printed lines that imitate this report, malformed answers. A notebook that
  tampers gets no credit; the report says why.
* If grading itself fails (a kernel that cannot start, the grader's own error), the
  report says "grading was interrupted" and scores nothing.

Prints one line per question (``q1  pass`` / ``q1  fail: ...``), notes, then
``score: X/Y``. Exit code 0 whenever the notebook could be graded, whatever the score;
2 when it could not (missing file, not a notebook, not an exercise); 3 when grading was
interrupted.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from aiopen.teaching import answers
from aiopen.teaching.checks import questions_for
from aiopen.teaching.feedback import FAIL, Result, judge, request_for
from aiopen.teaching.sandbox import Limits, Sandbox

CELL_TIMEOUT_S = 120
TOTAL_TIMEOUT_S = 600
ANSWER_TIMEOUT_S = 120
MAX_OUTPUT_CHARS = 200_000  # per cell: what a cell prints beyond this is dropped, not kept in memory
MAX_REPLY_CHARS = 16 * 2**20
ANSWERS_SOURCE = Path(answers.__file__).read_text(encoding="utf-8")
GRADING_MODULES = ("feedback", "checks", "answers", "grade", "sandbox", "classroom")  # in aiopen.teaching
GRADING_NAME = re.compile(r"aiopen\.teaching\b(\.(" + "|".join(GRADING_MODULES) + r")\b)?")
IPYTHON_HOOKS = {"events", "input_transformers_cleanup", "input_transformers_post", "ast_transformers", "set_custom_exc", "display_pub", "displayhook", "run_cell", "showtraceback"}
ESCAPES = {("os", "kill"), ("os", "killpg"), ("os", "getppid"), ("os", "dup2"), ("sys", "settrace"), ("sys", "setprofile"), ("sys", "addaudithook"), ("sys", "displayhook")}
REPORT_LINE = re.compile(r"^\s*(q\d+\s+(pass|fail)\b|score:\s*\d+\s*/\s*\d+)", re.MULTILINE)
NOTED_ERRORS = ("CellTimeout", "SyntaxError", "IndentationError", "TabError")
GRADED, INTERRUPTED = "graded", "interrupted"


class NotGradable(Exception):
    """The file cannot be graded at all; the message says why, in plain words."""


# --- Reading the notebook: its syntax, never its text -------------------------------------------

def python_source(cell_source: str) -> str:
    """A cell as plain Python (IPython magics and ``!`` lines become calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(cell_source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot transform is left as it is
        return cell_source


def syntax_tree(cell_source: str) -> ast.Module | None:
    try:
        return ast.parse(python_source(cell_source))
    except (SyntaxError, ValueError):
        return None


def _string_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _called_name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else None


def checker_exercise(tree: ast.AST) -> str | None:
    """The exercise named by a ``checker("NN_topic")`` call in ``tree``, if any."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) == "checker":
            name = _string_argument(node)
            if name and re.fullmatch(r"\d\d_\w+", name):
                return name
    return None


CODE_MAGICS = {"time", "timeit", "capture", "prun"}  # magics whose argument is code that runs


def check_calls(tree: ast.AST) -> list[str]:
    """The questions a cell checks: real ``check("qN")`` calls, in order (also inside ``%time`` and the like)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "check" and (question := _string_argument(node)):
            found.append(question)
        elif _called_name(node) in ("run_line_magic", "run_cell_magic") and len(node.args) >= 2 and _string_argument(node) in CODE_MAGICS:
            code = node.args[-1]
            inner = syntax_tree(code.value) if isinstance(code, ast.Constant) and isinstance(code.value, str) else None
            found += check_calls(inner) if inner else []
    return found


def _grading_code(module: str, names: list[str]) -> str | None:
    """The grading module that ``import module`` or ``from module import names`` reaches, if any
    (``from aiopen.teaching.feedback import checker``, the exercises' first cell, reaches none)."""
    parts = module.split(".")
    if parts == ["aiopen"] and "teaching" in names:
        return "aiopen.teaching"
    if parts[:2] != ["aiopen", "teaching"]:
        return None
    if len(parts) == 2:
        reached = [name for name in names if name in GRADING_MODULES]
        return f"aiopen.teaching.{reached[0]}" if reached else "aiopen.teaching" if not names else None
    if parts[2] not in GRADING_MODULES or (module == "aiopen.teaching.feedback" and names and set(names) == {"checker"}):
        return None
    return module


def tampering_in(tree: ast.AST) -> list[str]:
    """What in this cell reaches into grading, hooks IPython or reaches outside the kernel."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            reached = _grading_code(node.module, [alias.name for alias in node.names])
            if reached:
                found.append(f"imports the grading code ({reached})")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                reached = _grading_code(alias.name, [])
                if reached:
                    found.append(f"imports the grading code ({reached})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if GRADING_NAME.search(node.value):
                found.append("names the grading code in a string")
            if node.value.startswith("/proc/") or node.value.startswith("/dev/fd"):
                found.append(f"reaches outside its kernel ({node.value[:30]})")
        elif isinstance(node, ast.Attribute):
            if node.attr in IPYTHON_HOOKS and not (node.attr == "run_cell" and not isinstance(node.ctx, ast.Store)):
                found.append(f"hooks into IPython (.{node.attr})")
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in ESCAPES:
                found.append(f"reaches outside its kernel ({node.value.id}.{node.attr})")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in ("check", "checker"):
            found.append(f"redefines {node.name}()")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("check", "checker"):
                    value = node.value
                    if not (target.id == "check" and isinstance(value, ast.Call) and _called_name(value) == "checker"):
                        found.append(f"redefines {target.id}")
    return found


@dataclass
class Plan:
    """What the grader learns from the notebook's syntax before running anything."""

    exercise: str
    code_cells: list[int]  # indices of the notebook's code cells
    checks_after: dict[int, list[str]]  # code cell index -> questions to collect after it
    tampering: list[str]


def load(path: Path) -> tuple[nbformat.NotebookNode, str]:
    """The notebook at ``path`` and its exercise name (from its ``checker("NN_topic")`` call)."""
    if not path.is_file():
        raise NotGradable(f"No notebook at {path}.")
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any parse failure means "not a notebook"
        raise NotGradable(f"{path.name} is not a Jupyter notebook ({type(error).__name__}).") from None
    for cell in notebook.cells:
        tree = syntax_tree(cell.source) if cell.cell_type == "code" else None
        exercise = checker_exercise(tree) if tree else None
        if exercise:
            try:
                questions_for(exercise)
            except ValueError as error:
                raise NotGradable(str(error)) from None
            return notebook, exercise
    raise NotGradable(f'{path.name} has no `check = checker("NN_topic")` line, so it is not one of the kit\'s exercises.')


def plan(notebook: nbformat.NotebookNode, exercise: str) -> Plan:
    remaining = list(questions_for(exercise))
    code_cells, checks_after, tampering = [], {}, []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        code_cells.append(index)
        tree = syntax_tree(cell.source)
        if tree is None:
            continue
        tampering += [f"cell {len(code_cells)}: {finding}" for finding in dict.fromkeys(tampering_in(tree))]
        asked = [q for q in check_calls(tree) if q in remaining]
        if asked:
            checks_after[index] = asked
            remaining = [q for q in remaining if q not in asked]
    if remaining:
        checks_after.setdefault(code_cells[-1] if code_cells else -1, []).extend(remaining)
    return Plan(exercise, code_cells, checks_after, tampering)


# --- The report ----------------------------------------------------------------------------------

@dataclass
class Grade:
    """Per-question verdicts in question order, notes on how the run went, and what was found."""

    exercise: str
    results: dict[str, Result]
    notes: list[str] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)
    status: str = GRADED
    isolation: str = ""
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # every learner cell that raised: "cell N: Name"

    @property
    def credited(self) -> bool:
        return self.status == GRADED and not self.tampering

    @property
    def score(self) -> int | None:
        """Questions passed; ``None`` when grading was interrupted (nothing is scored)."""
        if self.status != GRADED:
            return None
        return sum(r.passed for r in self.results.values()) if self.credited else 0

    def passed(self, question: str) -> bool:
        return self.credited and self.results[question].passed

    def lines(self) -> list[str]:
        out = [f"note: {note}" for note in self.notes]
        out += [f"tampering: {finding}" for finding in self.tampering]
        if self.status != GRADED:
            out.append(f"score: -/{len(self.results)} (grading was interrupted: nothing is scored)")
            return out
        width = max((len(q) for q in self.results), default=2)
        for question, result in self.results.items():
            verdict = "pass" if self.passed(question) else f"fail: {result.one_line()}" if not result.passed else "fail: no credit (tampering)"
            out.append(f"{question:<{width}}  {verdict}")
        if self.tampering:
            out.append("no credit: this notebook tampers with grading (see above)")
        out.append(f"score: {self.score}/{len(self.results)}")
        return out

    def to_json(self) -> dict:
        return {
            "exercise": self.exercise,
            "status": self.status,
            "score": self.score,
            "max_score": len(self.results),
            "questions": {
                q: {"passed": self.passed(q), "status": r.status, "message": r.one_line(), "summary": r.summary, "hint": r.hint}
                for q, r in self.results.items()
            },
            "notes": self.notes,
            "tampering": self.tampering,
            "errors": self.errors,
            "isolation": self.isolation,
            "seconds": round(self.seconds, 2),
        }


def interrupted(exercise: str, reason: str, seconds: float = 0.0) -> Grade:
    """The report when grading itself failed: it scores nothing."""
    results = {q: Result(q, FAIL, "Not graded: grading was interrupted.") for q in questions_for(exercise)}
    return Grade(exercise, results, [f"grading was interrupted: {reason}"], status=INTERRUPTED, seconds=seconds)


# --- Running it ---------------------------------------------------------------------------------

class _SandboxedKernelManager(AsyncKernelManager):
    """A kernel started inside a :class:`Sandbox`, talking over Unix sockets in its folder.

    Its own zmq context refuses any message over MAX_REPLY_CHARS (a flood cannot fill the grader's memory).
    """

    def __init__(self, sandbox: Sandbox) -> None:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, 2 * MAX_REPLY_CHARS)
        super().__init__(transport="ipc", ip=sandbox.ipc_prefix, connection_file=str(sandbox.connection_file), kernel_name="python3", context=context)
        self.sandbox = sandbox

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return self.sandbox.wrap(super().format_kernel_cmd(extra_arguments))


class _BoundedClient(NotebookClient):
    """nbclient, keeping at most MAX_REPLY_CHARS + MAX_OUTPUT_CHARS of any one cell's output in memory."""

    def output(self, outs: list, msg: dict, display_id: str, cell_index: int):  # noqa: ANN201
        sizes = self.__dict__.setdefault("_aiopen_sizes", {})
        size = len(json.dumps(msg.get("content", {}), default=str))
        if sizes.get(id(outs), 0) + size > MAX_REPLY_CHARS + MAX_OUTPUT_CHARS:
            return None
        sizes[id(outs)] = sizes.get(id(outs), 0) + size
        return super().output(outs, msg, display_id, cell_index)


def _probe_cell(request: dict) -> nbformat.NotebookNode:
    code = (
        "import builtins as _aiopen_builtins\n"
        "_aiopen_probe = {'__name__': 'aiopen_answers_probe'}\n"
        f"_aiopen_builtins.exec(_aiopen_builtins.compile({ANSWERS_SOURCE!r}, '<aiopen answers>', 'exec'), _aiopen_probe)\n"
        f"_aiopen_probe['send']({request!r}, _aiopen_builtins.globals())\n"
        "del _aiopen_builtins, _aiopen_probe\n"
    )
    return nbformat.v4.new_code_cell(code)


def _reply(cell: nbformat.NotebookNode) -> tuple[object | None, str]:
    """The one answer message in a probe cell's outputs, or why there is none."""
    replies = [o["data"][answers.MIME_TYPE] for o in cell.get("outputs", []) if o.get("output_type") == "display_data" and answers.MIME_TYPE in o.get("data", {})]
    if len(replies) > 1:
        return None, "more than one answer message for one request"
    if not replies:
        return None, ""
    if len(json.dumps(replies[0])) > MAX_REPLY_CHARS:
        return None, "an answer message larger than the grader accepts"
    return replies[0], ""


def grade(
    path: Path,
    cell_timeout_s: int = CELL_TIMEOUT_S,
    total_timeout_s: int = TOTAL_TIMEOUT_S,
    limits: Limits = Limits(),
    isolation: str = "auto",
) -> Grade:
    """Run the notebook at ``path`` in a sandboxed kernel and judge every question here."""
    notebook, exercise = load(path)
    started = time.monotonic()
    try:
        result = _run(notebook, plan(notebook, exercise), cell_timeout_s, total_timeout_s, limits, isolation)
    except Exception as error:  # noqa: BLE001 - the grader's own failure must not look like a score
        return interrupted(exercise, f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}", time.monotonic() - started)
    result.seconds = time.monotonic() - started
    return result


def _run(notebook: nbformat.NotebookNode, plan_: Plan, cell_timeout_s: int, total_timeout_s: int, limits: Limits, isolation: str) -> Grade:
    session = _Session(plan_, cell_timeout_s)
    with Sandbox(limits, mode=isolation) as box:
        manager = _SandboxedKernelManager(box)
        session.client = _BoundedClient(
            nbformat.v4.new_notebook(cells=[c.copy() for c in notebook.cells]),
            km=manager,
            timeout=cell_timeout_s,
            startup_timeout=120,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": "CellTimeout", "evalue": "", "traceback": []},
            record_timing=False,
            on_cell_error=lambda cell, cell_index, execute_reply: session.errors.update({cell_index: _error_text(execute_reply)}),
        )
        try:
            with session.client.setup_kernel(**box.popen_kwargs()):
                session.run(time.monotonic() + total_timeout_s, total_timeout_s)
        finally:
            _shut_down(session.client, manager)
        return session.grade(box.describe())


class _Session:
    """One notebook's run: the kernel's client, what was found, and the answers judged so far."""

    def __init__(self, plan_: Plan, cell_timeout_s: int) -> None:
        self.plan, self.cell_timeout_s = plan_, cell_timeout_s
        self.questions = questions_for(plan_.exercise)
        self.rng = np.random.default_rng(secrets.randbits(128))  # the notebook cannot know the inputs
        self.client: NotebookClient | None = None
        self.results: dict[str, Result] = {}
        self.notes: list[str] = []
        self.tampering = list(plan_.tampering)
        self.errors: dict[int, str] = {}  # cell index -> error, from nbclient
        self.stopped = ""

    def number(self, index: int) -> int:
        """A cell's number as a learner counts them (code cells only, from 1)."""
        return self.plan.code_cells.index(index) + 1

    def run(self, deadline: float, total_timeout_s: int) -> None:
        for index in self.plan.code_cells:
            if time.monotonic() > deadline:
                self.stopped = f"the whole notebook took longer than {total_timeout_s} s"
                return
            if not self._cell(index) or not all(self._collect(q) for q in self.plan.checks_after.get(index, [])):
                return
        for question in self.plan.checks_after.get(-1, []):  # a notebook with no code cell
            self._collect(question)

    def _cell(self, index: int) -> bool:
        """Run one learner cell and note what it did; False if the kernel died."""
        cell = self.client.nb.cells[index]
        try:
            self.client.execute_cell(cell, index)
        except DeadKernelError:
            self.stopped = f"the kernel crashed in cell {self.number(index)}"
            return False
        error = self.errors.get(index, "")
        if error.startswith(NOTED_ERRORS):
            what = f"was stopped after {self.cell_timeout_s} s (an endless loop?)" if error == "CellTimeout" else f"raised {error}"
            self.notes.append(f"cell {self.number(index)} ({_first_line(cell.source)}) {what}")
        if _imitates_report(cell):
            self.tampering.append(f"cell {self.number(index)}: prints lines that imitate the grader's report")
        return True

    def _collect(self, question: str) -> bool:
        """Ask the kernel for one question's answers and judge them here; False if the kernel died."""
        request = request_for(self.questions[question], self.rng)
        cell = _probe_cell(request)
        client = self.client
        client.nb.cells.append(cell)  # nbclient writes the executed cell back at its index
        client.timeout, saved = ANSWER_TIMEOUT_S, client.timeout
        try:
            client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        except DeadKernelError:
            self.results[question] = Result(question, FAIL, "Not graded: the kernel crashed while answering.", hint="Run your functions on other inputs: one of them ends the kernel.")
            self.stopped = f"the kernel crashed while answering {question}"
            return False
        finally:
            client.timeout = saved
            cell = client.nb.cells.pop()
        reply, problem = _reply(cell)
        if reply is None:
            self.results[question] = (
                Result(question, FAIL, "Your answer could not be read.", got=problem)
                if problem
                else Result(question, FAIL, "No answer came back from your notebook.", hint="Did a cell stop the kernel from running code, or take too long?")
            )
        else:
            self.results[question] = judge(self.plan.exercise, question, request, reply)
            problem = "a malformed answer" if self.results[question].summary == "Your answer could not be read." else ""
        if problem:
            self.tampering.append(f"{question}: {problem}")
        return True

    def grade(self, isolation: str) -> Grade:
        notes = self.notes + ([f"grading stopped: {self.stopped}"] if self.stopped else [])
        ordered = {q: self.results.get(q, Result(q, FAIL, f"Not graded: {self.stopped or 'no answer'}.")) for q in self.questions}
        errors = [f"cell {self.number(i)}: {e.split(':')[0]}" for i, e in sorted(self.errors.items()) if i in self.plan.code_cells]
        return Grade(self.plan.exercise, ordered, notes, list(dict.fromkeys(self.tampering)), GRADED, isolation, errors=errors)


def _shut_down(client: NotebookClient, manager: _SandboxedKernelManager) -> None:
    """Stop the kernel (nbclient leaves a kernel it did not create running) and close the sockets."""
    from jupyter_core.utils import run_sync

    try:
        if client.kc is not None:
            client.kc.stop_channels()
        run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone is fine; the sandbox kills the rest
        pass
    manager.context.destroy(linger=0)


def _imitates_report(cell: nbformat.NotebookNode) -> bool:
    for output in cell.get("outputs", []):
        text = output.get("text") if output.get("output_type") == "stream" else output.get("data", {}).get("text/plain", "")
        if isinstance(text, list):
            text = "".join(text)
        if isinstance(text, str) and REPORT_LINE.search(text):
            return True
    return False


def _error_text(execute_reply: dict) -> str:
    content = execute_reply["content"]
    return f"{content.get('ename')}: {content.get('evalue')}" if content.get("evalue") else str(content.get("ename"))


def _first_line(source: str, width: int = 40) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.teaching.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell (default %(default)s)")
    parser.add_argument("--total-timeout", type=int, default=TOTAL_TIMEOUT_S, help="seconds for the notebook (default %(default)s)")
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_bytes / 2**30, help="kernel address-space limit (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (what `make grade-class` reads)")
    args = parser.parse_args(argv)
    try:
        result = grade(args.notebook, args.cell_timeout, args.total_timeout, Limits(memory_bytes=int(args.memory_gb * 2**30)))
    except NotGradable as error:
        if args.json:
            print(json.dumps({"status": "not gradable", "reason": str(error)}))
        else:
            print(f"cannot grade: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_json()) if args.json else "\n".join(result.lines()))
    return 0 if result.status == GRADED else 3


if __name__ == "__main__":
    sys.exit(main())

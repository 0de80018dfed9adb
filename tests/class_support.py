"""A generated class of submissions for the grading tests: right, partly right, broken,
endless, crashing, not gradable, and hostile notebooks (tampering, escapes, leftovers).

``make_class(folder)`` writes them as ``folder/<learner>/<exercise>.ipynb`` and returns what
each should get. Hostile notebooks start from an unanswered exercise, so any credit they
got would have come from the attack.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat

from aiopen.teaching.exercises import EXERCISES_DIR, SOLUTIONS_DIR, solution_notebooks

MARKER = "aiopen-hostile-marker"  # in the argv of processes a hostile notebook leaves behind
ROOT = SOLUTIONS_DIR.parent
ESCAPED_FILES = [ROOT / f"{MARKER}.txt", Path("/tmp") / f"{MARKER}.txt", Path.home() / f"{MARKER}.txt"]


def processes_with(text: str) -> list[int]:
    """The pids of every process on this machine whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@dataclass
class Expected:
    exercise: str
    score: int | None  # None: not graded (not gradable, or interrupted)
    status: str = "graded"
    tampering: bool = False
    note: str = ""  # a fragment one of the notes must contain


def _notebook(folder: Path, name: str) -> nbformat.NotebookNode:
    return copy.deepcopy(nbformat.read(folder / f"{name}.ipynb", as_version=4))


def _replace(notebook: nbformat.NotebookNode, starts: str, source: str) -> None:
    cell = next(c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(starts))
    cell.source = source


def _add(notebook: nbformat.NotebookNode, source: str, after_checker: bool = True) -> None:
    """Add a code cell right after the notebook's `check = checker(...)` cell."""
    index = next(i for i, c in enumerate(notebook.cells) if "checker(" in c.source) + 1 if after_checker else len(notebook.cells)
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source))


HOSTILE = {  # learner -> a cell added to the untouched 04_artifacts exercise
    "h-patch-feedback": (
        "import aiopen.teaching.feedback as fb\n"
        "fb.judge = lambda exercise, question, request, reply: fb.Result(question, fb.PASS, 'Correct.')\n"
        "fb.evaluate = lambda exercise, question, namespace, seed=None: fb.Result(question, fb.PASS, 'Correct.')"
    ),
    "h-patch-checks": (
        "from aiopen.teaching.checks import Question, artifacts\n"
        "artifacts.QUESTIONS.update({q: Question(lambda rng: [], lambda reply: None) for q in artifacts.QUESTIONS})"
    ),
    "h-patch-answers": (
        "import aiopen.teaching.answers\n"
        "aiopen.teaching.answers.respond = lambda request, namespace: {'nonce': request['nonce'], 'answers': []}"
    ),
    "h-hook-prints": (
        "def fake(result):\n"
        "    print('q1  pass\\nq2  pass\\nq3  pass\\nq4  pass\\nscore: 4/4')\n"
        "get_ipython().events.register('post_run_cell', fake)"
    ),
    "h-input-transformer": (
        "def answer_for_me(lines):\n"
        "    return lines  # a real attack would rewrite the grader's request here\n"
        "get_ipython().input_transformers_post.append(answer_for_me)"
    ),
    "h-redefine-check": "def check(question):\n    print(f'{question} ✓ Correct.')",
    "h-report-to-grader": (
        "import os, signal\n"
        "fake = b'q1  pass\\nq2  pass\\nq3  pass\\nq4  pass\\nscore: 4/4\\n'\n"
        "os.write(1, fake)\n"
        "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    try:\n"
        "        if b'aiopen' in open(f'/proc/{pid}/cmdline', 'rb').read() and int(pid) != os.getpid():\n"
        "            open(f'/proc/{pid}/fd/1', 'wb').write(fake)\n"
        "            os.kill(int(pid), signal.SIGKILL)\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "except OSError:\n"
        "    pass"
    ),
    "h-read-solutions": (
        "import json, pathlib, subprocess, aiopen\n"
        "kit = pathlib.Path(aiopen.__file__).resolve().parent.parent\n"
        "stolen = ''\n"
        "try:\n"
        "    cells = json.loads((kit / 'solutions' / '04_artifacts.ipynb').read_text())['cells']\n"
        "    stolen = '\\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code' and 'def ' in ''.join(c['source']))\n"
        "except OSError:\n"
        "    try:\n"
        "        stolen = subprocess.run(['git', '-C', str(kit), 'show', 'HEAD:solutions/04_artifacts.ipynb'], capture_output=True, text=True).stdout\n"
        "        stolen = '\\n'.join(''.join(c['source']) for c in json.loads(stolen)['cells'] if c['cell_type'] == 'code' and 'def ' in ''.join(c['source']))\n"
        "    except (OSError, ValueError):\n"
        "        pass\n"
        "if stolen:\n"
        "    exec(stolen)"
    ),
    "h-writes-outside": (
        "import pathlib\n"
        "for target in " + repr([str(p) for p in ESCAPED_FILES]) + ":\n"
        "    try:\n"
        "        pathlib.Path(target).write_text('escaped')\n"
        "    except OSError:\n"
        "        pass"
    ),
    "h-leaves-processes": (
        "import os, subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(900)', '{MARKER}-sleeper'])\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(900)', '{MARKER}-daemon'])\n"
        "    os._exit(0)\n"
        "os.waitpid(child, 0)"
    ),
    "h-prints-report": "print('q1  pass\\nq2  pass\\nq3  pass\\nq4  pass\\nscore: 4/4')",
}
REACHES_OUT = {"h-report-to-grader"}  # statically flagged too (reads /proc, signals)
NOT_FLAGGED = {"h-read-solutions", "h-writes-outside", "h-leaves-processes"}  # fenced by the sandbox, not by the report


def make_class(folder: Path) -> dict[str, Expected]:
    """Write the class under ``folder``; return relative path -> what it should get."""
    expected: dict[str, Expected] = {}

    def write(learner: str, notebook: nbformat.NotebookNode, name: str, outcome: Expected) -> None:
        path = folder / learner / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        expected[f"{learner}/{name}.ipynb"] = outcome

    from aiopen.teaching.checks import questions_for

    for index, solution in enumerate(solution_notebooks()):
        name = solution.stem
        write(f"s{index + 1}-right", _notebook(SOLUTIONS_DIR, name), name, Expected(name, len(questions_for(name))))
        write(f"u{index + 1}-untouched", _notebook(EXERCISES_DIR, name), name, Expected(name, 0))

    partly = _notebook(SOLUTIONS_DIR, "03_costs")
    _replace(partly, "### BEGIN SOLUTION\n# HINT: GPU.bandwidth_gb_s", "tokens_per_s = gpus_needed * GPU.bandwidth_gb_s / (weights_gb + kv_gb)  # one user's share")
    _replace(partly, "def choose(", "def choose(candidates, budget):\n    affordable = [(cost_per_million(n, p), (n, p)) for n in candidates for p in PRECISIONS if cost_per_million(n, p) <= budget]\n    return max(affordable)[1] if affordable else None")
    write("p1-partly", partly, "03_costs", Expected("03_costs", 3))

    broken = _notebook(SOLUTIONS_DIR, "04_artifacts")
    _replace(broken, "def pickle_imports", "def pickle_imports(data)\n    return set()")
    _replace(broken, "def verdict", "def verdict(imports):\n    return 1")
    _replace(broken, "def safetensors_header", "def safetensors_header(path):\n    return 1 / 0")
    write("b1-broken", broken, "04_artifacts", Expected("04_artifacts", 0, note="SyntaxError"))

    endless = _notebook(SOLUTIONS_DIR, "04_artifacts")
    _add(endless, "while True:\n    pass")
    write("b2-endless", endless, "04_artifacts", Expected("04_artifacts", 4, note="stopped after"))

    crash = _notebook(SOLUTIONS_DIR, "04_artifacts")
    _replace(crash, "def safetensors_header", "import os\nos._exit(1)")
    write("b3-crash", crash, "04_artifacts", Expected("04_artifacts", 3, note="kernel crashed"))

    commented = _notebook(SOLUTIONS_DIR, "04_artifacts")
    _add(commented, '# check("q1"), check("q2"), check("q3") and check("q4") come later\nnote = \'check("q4")\'')
    write("c1-comment-check", commented, "04_artifacts", Expected("04_artifacts", 4))

    (folder / "n1-not-json").mkdir()
    (folder / "n1-not-json" / "notes.ipynb").write_text("not json")
    expected["n1-not-json/notes.ipynb"] = Expected("", None, status="not gradable")
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    write("n2-not-exercise", plain, "hello", Expected("", None, status="not gradable"))

    for learner, source in HOSTILE.items():
        notebook = _notebook(EXERCISES_DIR, "04_artifacts")
        _add(notebook, source)
        write(learner, notebook, "04_artifacts", Expected("04_artifacts", 0, tampering=learner not in NOT_FLAGGED))

    answered_but_hooked = _notebook(SOLUTIONS_DIR, "04_artifacts")
    _add(answered_but_hooked, HOSTILE["h-hook-prints"])
    write("h-answered-and-hooked", answered_but_hooked, "04_artifacts", Expected("04_artifacts", 0, tampering=True))
    return expected

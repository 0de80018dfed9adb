"""Speed and memory of the SmolLM2 sampling demo. Goals: benchmarks/goals.py.

model_load_s           Wall time of a fresh Python process for ``from aiopen.domain.lm import load_model;
                       load_model()`` with the weight cache already built (imports included); 5 processes.
next_token_ms          ``model.next_token_distribution`` on a new 32-token prompt (nothing cached): 7 different
                       prompts in this process.
generate_8x24_s        ``model.generate_ids(["Once upon a time"], n=8, max_new_tokens=24, seeds=[seed])``: one
                       batch of 8 through the KV cache, 5 runs that each returned 8 sequences of 24 tokens
                       (seeds from 0; a seed whose run stopped a sequence early is skipped and named, since
                       a finished sequence leaves the batch and the run would time less work).
sampling_slider_update_p95_ms
                       Kernel side of one slider move in the sampling explorer: setting ``w.temperature.value``
                       (re-applies temperature/top-k/top-p to the cached scores, recomputes entropy, updates the
                       plotly bars). 95th percentile of 200 moves across temperature 0-2 with top-k 40 and top-p
                       0.9; after each move the summary must name the new temperature and the status line must
                       show no error (a redraw that raised would otherwise count as a fast one). No browser is
                       attached, so sending the update over the wire is not included.
kernel_private_mb      Private memory (Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup) of a second
                       process that loaded the model and ran one prompt while a first process holds the model
                       too: the memory-mapped weights are shared, so this is what each further kernel costs.
                       The processes import aiopen.domain.lm only (a real Jupyter kernel adds its own ~50-80 MB).
                       3 second processes.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from figures import Figure

GENERATE_RUNS, GENERATE_N, GENERATE_TOKENS = 5, 8, 24
WARM_LOAD = "import time; t = time.perf_counter(); from aiopen.domain.lm import load_model; load_model(); print(time.perf_counter() - t)"
HOLD_MODEL = (
    "import sys; from aiopen.domain.lm import load_model; m = load_model(); m.next_token_distribution('Hello there'); "
    "print('ready', flush=True); sys.stdin.read()"
)
PRIVATE_MEMORY = (
    "from aiopen.domain.lm import load_model; m = load_model(); m.next_token_distribution('The capital of France is'); "
    "fields = dict(line.split(':') for line in open('/proc/self/smaps_rollup').read().splitlines()[1:]); "
    "print(sum(int(fields[k].split()[0]) for k in ('Private_Clean', 'Private_Dirty')) / 1024)"
)


def _python(code: str) -> float:
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def _second_kernel_private_mb(runs: int) -> list[float]:
    first = subprocess.Popen([sys.executable, "-c", HOLD_MODEL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "ready"
        return [_python(PRIVATE_MEMORY) for _ in range(runs)]
    finally:
        first.stdin.close()
        first.wait(timeout=30)


def _generate_runs(model) -> tuple[list[float], list[int]]:  # noqa: ANN001
    """Seconds of GENERATE_RUNS runs in which all 8 sequences ran their 24 tokens, and the seeds skipped
    because a sequence stopped early (it leaves the batch, so that run would time less work)."""
    times, skipped = [], []
    for seed in range(GENERATE_RUNS * 3):
        start = time.perf_counter()
        (sequences,) = model.generate_ids(["Once upon a time"], n=GENERATE_N, max_new_tokens=GENERATE_TOKENS, seeds=[seed])
        seconds = time.perf_counter() - start
        if [len(ids) for ids in sequences] == [GENERATE_TOKENS] * GENERATE_N:
            times.append(seconds)
        else:
            skipped.append(seed)
        if len(times) == GENERATE_RUNS:
            return times, skipped
    raise RuntimeError(f"only {len(times)} of {GENERATE_RUNS * 3} seeds generated {GENERATE_N} x {GENERATE_TOKENS} tokens")


def _slider_moves(model) -> list[float]:  # noqa: ANN001
    from aiopen.widgets.sampling import sampling_explorer

    widget = sampling_explorer(model)
    widget.top_k.value, widget.top_p.value = "40", 0.9
    moves = []
    for temperature in np.tile(np.arange(0, 2.0001, 0.05), 5)[:200]:
        value = float(round(temperature, 2))
        start = time.perf_counter()
        widget.temperature.value = value
        moves.append((time.perf_counter() - start) * 1000)
        if f"Temperature {value:.2f}:" not in widget.summary.value or "aiopen-error" in widget.status.value or "aiopen-warning" in widget.status.value:
            raise RuntimeError(f"the move to temperature {value} did not redraw: {widget.status.value or widget.summary.value}")
    return moves


def measure() -> list[Figure]:
    from aiopen.domain.lm import load_model

    model = load_model()  # builds the weight cache if it is missing, so the timings below are warm
    next_token = []
    for i in range(7):
        prompt = model.detokenize(model.tokenize(f"Prompt number {i}: " + " ".join(["open"] * 32))[:32])
        start = time.perf_counter()
        model.next_token_distribution(prompt)
        next_token.append((time.perf_counter() - start) * 1000)
    generated, skipped = _generate_runs(model)
    return [
        Figure("model_load_s", [_python(WARM_LOAD) for _ in range(5)], "s", "fresh process, cache built"),
        Figure("next_token_ms", next_token, "ms", "32-token prompts"),
        Figure("generate_8x24_s", generated, "s", f"{GENERATE_N} x {GENERATE_TOKENS} tokens each run; seeds skipped (a sequence stopped early): {skipped or 'none'}"),
        Figure("sampling_slider_update_p95_ms", _slider_moves(model), "ms", "every move asserted redrawn"),
        Figure("kernel_private_mb", _second_kernel_private_mb(3), "MB"),
    ]

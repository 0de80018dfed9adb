"""Speed and memory of the SmolLM2 sampling demo (issue 3). Targets in brackets.

model_load_s [<= 3]            Wall time of a fresh Python process for ``from aiopen.domain.lm import load_model;
                               load_model()`` with the weight cache already built (imports included).
next_token_ms [<= 150]         ``model.next_token_distribution`` on a new 32-token prompt (nothing cached):
                               median of 5 different prompts in this process.
generate_8x24_s [<= 3]         ``model.generate("Once upon a time", n=8, max_new_tokens=24, seed=i)``:
                               one batch of 8 through the KV cache; median of 3 seeds.
sampling_slider_update_p95_ms [<= 15]
                               Kernel side of one slider move in the sampling explorer: setting
                               ``w.temperature.value`` (re-applies temperature/top-k/top-p to the cached
                               scores, recomputes entropy, updates the plotly bars). 95th percentile of 200
                               moves across temperature 0-2 with top-k 40 and top-p 0.9. No browser is
                               attached, so sending the update over the wire is not included.
kernel_private_mb [<= 150]     Private memory (Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup)
                               of a second process that loaded the model and ran one prompt while a first
                               process holds the model too: the memory-mapped weights are shared, so this
                               is what each further kernel costs. The processes import aiopen.domain.lm only
                               (a real Jupyter kernel adds its own ~50-80 MB).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import numpy as np

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


def _second_kernel_private_mb() -> float:
    first = subprocess.Popen([sys.executable, "-c", HOLD_MODEL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "ready"
        return _python(PRIVATE_MEMORY)
    finally:
        first.stdin.close()
        first.wait(timeout=30)


def measure() -> list[tuple[str, float, str]]:
    from aiopen.domain.lm import load_model
    from aiopen.widgets.sampling import sampling_explorer

    model = load_model()  # builds the weight cache if it is missing, so the timings below are warm
    load_s = _python(WARM_LOAD)

    next_token = []
    for i in range(5):
        prompt = f"Prompt number {i}: " + " ".join(["open"] * 32)
        prompt = model.detokenize(model.tokenize(prompt)[:32])
        start = time.perf_counter()
        model.next_token_distribution(prompt)
        next_token.append((time.perf_counter() - start) * 1000)

    generate = []
    for seed in range(3):
        start = time.perf_counter()
        model.generate("Once upon a time", n=8, max_new_tokens=24, seed=seed)
        generate.append(time.perf_counter() - start)

    widget = sampling_explorer(model)
    widget.top_k.value, widget.top_p.value = "40", 0.9
    moves = []
    for temperature in np.tile(np.arange(0, 2.0001, 0.05), 5)[:200]:
        start = time.perf_counter()
        widget.temperature.value = float(round(temperature, 2))
        moves.append((time.perf_counter() - start) * 1000)

    return [
        ("model_load_s", load_s, "s"),
        ("next_token_ms", statistics.median(next_token), "ms"),
        ("generate_8x24_s", statistics.median(generate), "s"),
        ("sampling_slider_update_p95_ms", float(np.percentile(moves, 95)), "ms"),
        ("kernel_private_mb", _second_kernel_private_mb(), "MB"),
    ]

"""Every figure ``make bench`` prints, in the README's order: its goal (if it has one) and how it is measured.

The one place goals are written down: ``make bench-check`` compares the last run with
them and ``make bench-readme`` writes the README's table from them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

COMPARE = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass(frozen=True)
class Row:
    figure: str
    goal: tuple[str, float] | None  # ("<=", 8.0): the figure's value must be at most 8
    how: str

    def goal_text(self) -> str:
        return "-" if self.goal is None else f"{self.goal[0]} {self.goal[1]:g}"

    def passes(self, value: float) -> bool | None:
        return None if self.goal is None else COMPARE[self.goal[0]](value, self.goal[1])


ROWS: tuple[Row, ...] = (
    Row("decode_ms_per_token", None, "one decode step at batch 1 through the KV cache after a 32-token prompt, one BLAS thread (30 steps, each paired with a floor pass)"),
    Row("decode_floor_ms", None, "the same step's matrix-vector products alone, one `x @ W` per weight matrix in decode order: the time to read every weight once (538 MB)"),
    Row("decode_floor_ratio", ("<=", 1.4), "decode step / floor pass, per pair"),
    Row("transformers_decode_ms_per_token", None, "`make bench PEERS=1` only: Hugging Face transformers on the same GGUF and token ids, one torch thread, its own KV cache, interleaved with the kit's steps"),
    Row("decode_vs_transformers_ratio", None, "`make bench PEERS=1` only: the kit's step / transformers' step, per pair (below 1: the kit is faster)"),
    Row("model_load_s", ("<=", 3), "fresh process, `load_model()` with the weight cache built (first load ever: about 7 s, builds the 630 MB cache)"),
    Row("next_token_ms", ("<=", 100), "`next_token_distribution` on a new 32-token prompt"),
    Row("generate_8x24_s", ("<=", 2), "8 completions of 24 tokens in one batch through the KV cache, one seed per run (runs that stopped a sequence early are skipped: each timed run generated 8 x 24 tokens)"),
    Row("sampling_slider_update_p95_ms", ("<=", 15), "kernel side of a temperature move (distribution cached per prompt), 200 moves, each asserted to have redrawn without an error"),
    Row("kernel_private_mb", ("<=", 150), "private memory of a second process holding the model (weights are memory-mapped and shared)"),
    Row("costs_update_p95_ms", ("<=", 20), "kernel side of a calculator control change, 440 changes, each asserted to have redrawn without an error"),
    Row("probe_battery_s", ("<=", 8), "6 attacks x 8 samples of 24 tokens: one `generate_batch` of 48 sequences, the shared system prompt computed once (asserts 6 x 8 replies)"),
    Row("artifact_scan_all_examples_ms", None, "scanning the six generated example artifacts"),
    Row("artifact_scan_hostile_s", ("<=", 2), "the slowest of the 14 denial-of-service inputs under 10 MB (`aiopen.domain.safety.stress`), each scanned in a fresh process; the slowest repeated"),
    Row("artifact_scan_hostile_peak_mb", ("<=", 300), "peak resident memory (Linux VmHWM) of the process scanning the most memory-hungry of those inputs, interpreter and imports included; repeated"),
    Row("data_scan_200_records_ms", None, "PII/secret scan of 200 synthetic records"),
    Row("pii_scan_hostile_s", None, "PII/secret scan of one hostile 1 MB record (64 KB of `a.`, 16,000 addresses, a 64 KB hex run)"),
    Row("grade_class_30_s", None, "`make grade-class`'s code path on 30 submissions (five worked answers to each of the six exercises), 2 workers, each in its own sandboxed kernel"),
    Row("voila_first_widget_s", ("<=", 1), "page request to the first widget answering a tick (its kernel connected), preheated pool of 2, fresh browser context (cold cache)"),
    Row("voila_floor_first_widget_s", None, "the same for a notebook of one checkbox on the same server and template: Voila's own floor here"),
    Row("voila_cold_first_widget_s", ("<=", 4), "the same as `voila_first_widget_s` without preheated kernels"),
    Row("voila_viewer_mb", ("<=", 150), "PSS of the Voila server and its kernels per additional viewer (before the model loads)"),
    Row("voila_max_viewers", None, "largest of 1, 2, 4, 8, 12, 16 (the room's size: the cap) simultaneous viewers who each tick a box with no error within 60 s of arriving; the room must have reclaimed every kernel of a level before the next; the top level is run twice more and the smallest result counts"),
    Row("voila_max_viewers_wait_s", None, "at the largest level served: each viewer's wait from page request to its tick answered"),
    Row("voila_kernels_after_load", ("==", 0), "the server exactly as `make dashboard` runs it (pools of 2 + 1, room of 16, culler every 5 s): 20 viewers open the dashboard at once, then all vanish without a goodbye; viewer kernels still running 60 s later"),
    Row("voila_load_viewers_refused", ("==", 4), "of those 20, how many got the \"room is full\" page"),
    Row("voila_memory_after_load_mb", None, "PSS of the server and its kernels 60 s after they left, minus before they came"),
    Row("workshop_learners", None, "`make workshop`'s hub; 60 learners arrive 2 s apart, each logs in, starts a server, loads the model and passes `check(\"q1\")` of the sampling exercise (`aiopen.serving.hub.client`): how many, in order of arrival, all passed within 60 s of arriving"),
    Row("workshop_spawn_p50_s", None, "time from asking for a server to its being ready, over the learners who passed"),
    Row("workshop_private_mb_per_learner", None, "private memory (smaps `Private_*`) of a learner's server and kernel with the model loaded; the weight cache is one shared file"),
)
BY_FIGURE = {row.figure: row for row in ROWS}

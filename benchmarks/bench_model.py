"""Decoding speed of the numpy SmolLM2 against its floor, and against transformers (``--peers``).

decode_ms_per_token   One ``forward`` step at batch 1 through the KV cache, after a 32-token prompt,
                      one BLAS thread; each step feeds a fixed token (the same ids every run).
decode_floor_ms       The step's matrix-vector products alone: ``x @ W`` once for every weight matrix a
                      step reads (fused QKV, output, gate|up and down of the 30 layers, then the output
                      layer), same order, same thread. Decoding a token must read every weight once, so
                      this is the time to stream them from memory: bytes read per step / the bandwidth
                      such a product reaches here.
decode_floor_ratio    Step / floor, per pair: each round times one step then one floor pass (interleaved,
                      so both see the same load on the shared machine).

With ``--peers`` (``make bench PEERS=1``, which installs the ``peers`` extra: torch and transformers),
Hugging Face transformers loads the same GGUF, gets the same prompt ids and fixed tokens, and decodes
with its own KV cache on one torch thread, each of its steps paired with one of the kit's:
transformers_decode_ms_per_token and decode_vs_transformers_ratio (kit / transformers).
"""

from __future__ import annotations

import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from aiopen.domain.lm import KVCache, forward, load_model
from figures import Figure

ROUNDS = 30
PROMPT = "The history of open source software began in the 1950s, when researchers shared code freely."
FED_TOKENS = [(7 * i + 1000) % 40_000 for i in range(ROUNDS)]  # arbitrary fixed ids: every run decodes the same


def _prompt_ids(model) -> list[int]:  # noqa: ANN001
    ids = model.tokenize(PROMPT * 3)[:32]
    assert len(ids) == 32, "the benchmark prompt must be 32 tokens"
    return ids


def _floor_pass(w: dict, layers: int) -> None:
    """One ``x @ W`` per matrix a decode step reads, in the order it reads them."""
    x, wide = np.ones((1, w["wqkv"].shape[1]), np.float32), np.ones((1, w["w_down"].shape[1]), np.float32)
    for layer in range(layers):
        x @ w["wqkv"][layer], x @ w["wo"][layer], x @ w["w_gate_up"][layer], wide @ w["w_down"][layer]
    x @ w["lm_head"]


def bytes_per_step(w: dict) -> int:
    """What one decode step reads: every matrix and norm, and one row of the embedding."""
    return sum(a.nbytes for name, a in w.items() if name != "embedding") + w["embedding"][0].nbytes


def _timed(action) -> float:  # noqa: ANN001
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure() -> list[Figure]:
    model = load_model()
    w, config = model.weights, model.config
    ids = _prompt_ids(model)
    peers = os.environ.get("AIOPEN_BENCH_PEERS") == "1"
    peer = _Transformers(ids) if peers else None
    with threadpool_limits(1, "blas"):
        cache = KVCache.empty(config, batch=1, capacity=len(ids) + ROUNDS)
        forward(np.array([ids]), w, config, cache)
        _floor_pass(w, config.n_layers)  # pages in every weight once
        steps, floors, peer_steps = [], [], []
        for token in FED_TOKENS:
            steps.append(_timed(lambda token=token: forward(np.array([[token]]), w, config, cache)))
            floors.append(_timed(lambda: _floor_pass(w, config.n_layers)))
            if peer:
                peer_steps.append(_timed(lambda token=token: peer.step(token)))
    megabytes = bytes_per_step(w) / 1e6
    bandwidth = megabytes / np.median(floors)  # MB per ms = GB/s
    figures = [
        Figure("decode_ms_per_token", steps, "ms", f"batch 1, {len(ids)}-token prompt, one BLAS thread"),
        Figure("decode_floor_ms", floors, "ms", f"{megabytes:.0f} MB read per step at {bandwidth:.1f} GB/s (median)"),
        Figure("decode_floor_ratio", [s / f for s, f in zip(steps, floors)], "x", "step / floor pass, interleaved pairs"),
    ]
    if peer:
        figures += [
            Figure("transformers_decode_ms_per_token", peer_steps, "ms", f"transformers {peer.version}, torch {peer.torch_version}, one thread"),
            Figure("decode_vs_transformers_ratio", [s / p for s, p in zip(steps, peer_steps)], "x", "kit step / transformers step, interleaved pairs"),
        ]
    return figures


class _Transformers:
    """Hugging Face transformers decoding the same GGUF, one token at a time with its KV cache."""

    def __init__(self, prompt_ids: list[int]):
        import torch
        import transformers

        from aiopen.domain.gguf_loader import model_path

        torch.set_num_threads(1)
        path = model_path()
        self.torch, self.version, self.torch_version = torch, transformers.__version__, torch.__version__
        self.model = transformers.AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
        with torch.no_grad():
            self.cache = self.model(torch.tensor([prompt_ids]), use_cache=True).cache

    def step(self, token: int) -> None:
        with self.torch.no_grad():
            self.cache = self.model(self.torch.tensor([[token]]), cache=self.cache, use_cache=True).cache

"""SmolLM2-135M-Instruct in plain numpy: a real open model you can read on one screen.

SmolLM2 (Hugging Face, Apache-2.0; weights, training data and training code are
published) is a Llama-style decoder: 30 blocks of RMSNorm -> attention with RoPE
and grouped-query heads -> RMSNorm -> SwiGLU feed-forward, with the input
embedding reused as the output layer. ``forward`` below is the whole network.

    model = load_model()
    tokens, probs = model.next_token_distribution("The capital of France is")
    model.generate(model.chat_prompt([{"role": "user", "content": "Hi!"}]), n=4, seed=0)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from jinja2.sandbox import ImmutableSandboxedEnvironment
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from aiopen.domain import gguf_loader, sampling
from aiopen.domain.gguf_loader import Config

MAX_PROMPT_TOKENS = 512  # longer prompts keep their last 512 tokens (keeps a prompt under ~1 s on 2 cores)
MAX_SAMPLES = 64
CHAT_ROLES = ("system", "user", "assistant")
# The matrices here are small (a few tokens x 576): a second BLAS thread costs more than it
# saves, and on a 2-core laptop that also runs Jupyter and a browser it can stall badly.
ONE_BLAS_THREAD = ThreadpoolController().wrap(limits=1, user_api="blas")

# ----------------------------------------------------------------------------- the network


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """Scale each vector to unit root-mean-square, then by a learned per-channel weight."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def rope(x: np.ndarray, positions: np.ndarray, base: float) -> np.ndarray:
    """Rotary position embedding: rotate each pair (x[2i], x[2i+1]) by position * base^(-2i/d).

    Adjacent pairs, because GGUF stores the Q/K rows in the original Llama order
    (llama.cpp's converter undoes the permutation Hugging Face applies for its
    "rotate half" layout).
    """
    half = x.shape[-1] // 2
    angles = positions[:, None] * base ** (-np.arange(half) / half)  # (tokens, half)
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = np.empty_like(x)
    rotated[..., 0::2] = even * cos - odd * sin
    rotated[..., 1::2] = even * sin + odd * cos
    return rotated


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


@dataclass
class KVCache:
    """Keys and values of every layer for the tokens seen so far, so each new token costs one step."""

    keys: np.ndarray  # (layers, batch, kv heads, capacity, head_dim)
    values: np.ndarray
    length: int = 0

    @classmethod
    def empty(cls, config: Config, batch: int, capacity: int) -> KVCache:
        shape = (config.n_layers, batch, config.n_kv_heads, capacity, config.head_dim)
        return cls(np.zeros(shape, np.float32), np.zeros(shape, np.float32))

    def repeat(self, n: int) -> KVCache:
        """A cache for ``n`` sequences that all start with this (single) sequence."""
        return KVCache(np.repeat(self.keys, n, axis=1), np.repeat(self.values, n, axis=1), self.length)


def attention(x: np.ndarray, batch: int, w: dict, layer: int, config: Config, cache: KVCache) -> np.ndarray:
    """Causal self-attention for ``x`` (batch * new tokens, dim); writes this step's keys/values into ``cache``."""
    new = x.shape[0] // batch
    start, end = cache.length, cache.length + new
    positions = np.arange(start, end)

    def heads(projection: np.ndarray, count: int) -> np.ndarray:  # (batch, heads, tokens, head_dim)
        return projection.reshape(batch, new, count, config.head_dim).transpose(0, 2, 1, 3)

    q = rope(heads(x @ w["wq"][layer], config.n_heads), positions, config.rope_base)
    cache.keys[layer, :, :, start:end] = rope(heads(x @ w["wk"][layer], config.n_kv_heads), positions, config.rope_base)
    cache.values[layer, :, :, start:end] = heads(x @ w["wv"][layer], config.n_kv_heads)
    # Grouped-query attention: each key/value head serves n_heads / n_kv_heads query heads.
    group = config.n_heads // config.n_kv_heads
    k = np.repeat(cache.keys[layer, :, :, :end], group, axis=1)
    v = np.repeat(cache.values[layer, :, :, :end], group, axis=1)
    scores = q @ k.transpose(0, 1, 3, 2) * config.head_dim**-0.5  # (batch, heads, new, end)
    causal = np.arange(end)[None, :] <= positions[:, None]  # a token sees itself and the past only
    mixed = softmax_rows(np.where(causal, scores, -np.inf)) @ v
    return mixed.transpose(0, 2, 1, 3).reshape(batch * new, config.dim) @ w["wo"][layer]


def feed_forward(x: np.ndarray, w: dict, layer: int) -> np.ndarray:
    """SwiGLU: silu(x W_gate) * (x W_up), projected back down."""
    gate = x @ w["w_gate"][layer]
    return (gate / (1 + np.exp(-gate)) * (x @ w["w_up"][layer])) @ w["w_down"][layer]


def forward(token_ids: np.ndarray, w: dict, config: Config, cache: KVCache) -> np.ndarray:
    """Next-token logits (batch, vocab) after feeding ``token_ids`` (batch, new tokens).

    Activations are kept as one row per token (batch * new, dim), so every weight
    matrix is read once per step, whatever the batch size.
    """
    batch, new = token_ids.shape
    x = w["embedding"][token_ids.reshape(-1)]
    for layer in range(config.n_layers):
        x = x + attention(rms_norm(x, w["attn_norm"][layer], config.rms_eps), batch, w, layer, config, cache)
        x = x + feed_forward(rms_norm(x, w["ffn_norm"][layer], config.rms_eps), w, layer)
    cache.length += new
    last = x.reshape(batch, new, config.dim)[:, -1]
    return rms_norm(last, w["output_norm"], config.rms_eps) @ w["embedding"].T  # tied embeddings


# ----------------------------------------------------------------------------- the model object


class LanguageModel:
    """Tokenizer + weights + the loop that turns next-token distributions into text."""

    def __init__(self, config: Config, weights: dict[str, np.ndarray], tokenizer: Tokenizer):
        self.config = config
        self.weights = weights
        self.tokenizer = tokenizer
        self.max_context = config.max_context
        self.max_prompt_tokens = MAX_PROMPT_TOKENS
        self.token_strings = gguf_loader.readable_tokens(tokenizer)
        self._chat_template = ImmutableSandboxedEnvironment().from_string(config.chat_template)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; special tokens such as ``<|im_start|>`` are recognised."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def detokenize(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=False)

    def prepare_prompt(self, prompt: str) -> tuple[list[int], bool]:
        """Token ids of ``prompt`` and whether it was cut to its last ``max_prompt_tokens`` tokens."""
        if not isinstance(prompt, str):
            raise ValueError(f"The prompt must be text, not {type(prompt).__name__}.")
        if prompt == "":
            raise ValueError("The prompt is empty: type a few words for the model to continue.")
        ids = self.tokenize(prompt)
        return ids[-self.max_prompt_tokens :], len(ids) > self.max_prompt_tokens

    def chat_prompt(self, messages: list[dict[str, str]]) -> str:
        """Messages in the model's own chat template (ChatML), with the assistant's turn opened."""
        if not messages or not all(
            isinstance(m, dict) and m.get("role") in CHAT_ROLES and isinstance(m.get("content"), str) for m in messages
        ):
            raise ValueError('Chat messages must be a non-empty list like [{"role": "user", "content": "Hello"}] with roles system, user or assistant.')
        return self._chat_template.render(messages=messages, add_generation_prompt=True)

    @ONE_BLAS_THREAD
    def next_token_logits(self, prompt: str) -> np.ndarray:
        """Raw scores (float64, one per vocabulary entry) for the token after ``prompt``."""
        ids, _ = self.prepare_prompt(prompt)
        cache = KVCache.empty(self.config, batch=1, capacity=len(ids))
        return forward(np.array([ids]), self.weights, self.config, cache)[0].astype(np.float64)

    def next_token_distribution(self, prompt: str) -> tuple[list[str], np.ndarray]:
        """Readable token strings and their probabilities (temperature 1) for the next token."""
        return self.token_strings, sampling.softmax(self.next_token_logits(prompt))

    @ONE_BLAS_THREAD
    def generate(
        self,
        prompt: str,
        n: int = 1,
        max_new_tokens: int = 32,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> list[str]:
        """``n`` continuations of ``prompt``, computed as one batch; each stops at ``<|im_end|>``.

        Sequence ``i`` draws from its own random stream derived from ``seed``, so the
        same seed gives the same texts, and the first text does not depend on ``n``.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
            raise ValueError(f"Ask for between 1 and {MAX_SAMPLES} continuations, not {n!r}.")
        ids, _ = self.prepare_prompt(prompt)
        room = self.max_context - len(ids)
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or not 1 <= max_new_tokens <= room:
            raise ValueError(f"max_new_tokens must be a whole number between 1 and {room}, not {max_new_tokens!r}.")
        streams = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(n)]
        prefix = KVCache.empty(self.config, batch=1, capacity=len(ids) + max_new_tokens)
        logits = forward(np.array([ids]), self.weights, self.config, prefix)  # the shared prompt, computed once
        cache, logits = prefix.repeat(n), np.repeat(logits, n, axis=0)
        new_tokens: list[list[int]] = [[] for _ in range(n)]
        finished = np.zeros(n, dtype=bool)
        for step in range(max_new_tokens):
            chosen = [self._choose(row, temperature, top_k, top_p, stream) for row, stream in zip(logits, streams)]
            for i, token in enumerate(chosen):
                finished[i] |= token in self.config.stop_ids
                if not finished[i]:
                    new_tokens[i].append(token)
            if finished.all() or step == max_new_tokens - 1:
                break
            logits = forward(np.array(chosen)[:, None], self.weights, self.config, cache)
        return [self.detokenize(tokens) for tokens in new_tokens]

    @staticmethod
    def _choose(logits: np.ndarray, temperature: float, k: int | None, p: float | None, stream: np.random.Generator) -> int:
        probs = sampling.softmax(logits.astype(np.float64), temperature)
        if k is not None:
            probs = sampling.top_k(probs, k)
        if p is not None:
            probs = sampling.top_p(probs, p)
        return int(sampling.sample(probs, 1, stream)[0])


@functools.lru_cache(maxsize=1)
def load_model() -> LanguageModel:
    """The SmolLM2-135M-Instruct model, loaded once per process (first call ever: ~5 s to build the cache)."""
    return LanguageModel(*gguf_loader.load(gguf_loader.model_path()))
